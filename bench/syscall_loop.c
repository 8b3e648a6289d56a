/* syscall_loop: time small send and receive calls over loopback, for
 * bench/owner_cost.sh.  One thread, one CPU, no waiting on a peer: each
 * batch sends BATCH messages of SIZE bytes, then receives them, so every
 * send() or sendto() is one call and every recv() or recvfrom() is one call.
 *
 *   tcp: a connection over 127.0.0.1 with TCP_NODELAY; the client send()s,
 *        the accepted socket recv()s with MSG_WAITALL, SIZE bytes a call.
 *   udp: two sockets on 127.0.0.1; sendto() one datagram, recvfrom() it.
 *
 * A batch fits in the socket buffers, so nothing blocks or drops.  A call that
 * returns short, fails, or waits more than 5 s stops the program (exit 1).
 * The MESSAGES are timed in CHUNKS equal parts; the clock (CLOCK_MONOTONIC)
 * is read around each batch's sends and each batch's receives.  It prints one
 * line per protocol, key=value:
 *
 *   tcp calls=400000 size=64 chunks=20 ns_per_call=812.3 send_ns=1290.1
 *       recv_ns=334.5 mean_ns=830.2 calls_per_s=1231072 warmup=2000
 *
 * ns_per_call: the median over the chunks of a chunk's time in send and
 * receive calls over its number of calls; send_ns and recv_ns: the same for
 * each kind alone (medians too, so they need not add up); mean_ns: all calls'
 * time over all calls; calls_per_s: from ns_per_call.  A median of chunks
 * leaves out the bursts of the host's other work that a mean takes in.  The
 * WARMUP messages sent and received first on each socket are not counted.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 1024
#define MAX_BATCH 256
#define MAX_CHUNKS 1000
#define WARMUP 2000 /* messages before the clock starts */

struct pair {
	int tx, rx;
	struct sockaddr_in rx_addr; /* udp: where tx sends */
	int udp;
};

static void die(const char *what)
{
	fprintf(stderr, "syscall_loop: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int loopback_socket(int type, struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, type, 0);

	if (fd < 0)
		die("socket");
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) ||
	    getsockname(fd, (struct sockaddr *)addr, &len))
		die("bind 127.0.0.1");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		die("SO_RCVTIMEO/SO_SNDTIMEO");
	return fd;
}

static void open_pair(struct pair *p, int udp)
{
	struct sockaddr_in tx_addr, lst_addr;
	struct timeval tv = { .tv_sec = 5 };
	int one = 1, lst;

	memset(p, 0, sizeof(*p));
	p->udp = udp;
	if (udp) {
		p->rx = loopback_socket(SOCK_DGRAM, &p->rx_addr);
		p->tx = loopback_socket(SOCK_DGRAM, &tx_addr);
		return;
	}
	lst = loopback_socket(SOCK_STREAM, &lst_addr);
	if (listen(lst, 1))
		die("listen");
	p->tx = loopback_socket(SOCK_STREAM, &tx_addr);
	if (setsockopt(p->tx, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("TCP_NODELAY");
	if (connect(p->tx, (struct sockaddr *)&lst_addr, sizeof(lst_addr)))
		die("connect");
	p->rx = accept(lst, NULL, NULL);
	if (p->rx < 0)
		die("accept");
	if (setsockopt(p->rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		die("SO_RCVTIMEO");
	close(lst);
}

static void send_one(const struct pair *p, const char *buf, size_t size)
{
	ssize_t n;

	if (p->udp)
		n = sendto(p->tx, buf, size, 0, (const struct sockaddr *)&p->rx_addr,
			   sizeof(p->rx_addr));
	else
		n = send(p->tx, buf, size, 0);
	if (n != (ssize_t)size) {
		if (n >= 0)
			errno = EMSGSIZE;
		die(p->udp ? "sendto" : "send");
	}
}

static void recv_one(const struct pair *p, char *buf, size_t size)
{
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	ssize_t n;

	if (p->udp)
		n = recvfrom(p->rx, buf, size, 0, (struct sockaddr *)&from, &len);
	else
		n = recv(p->rx, buf, size, MSG_WAITALL);
	if (n != (ssize_t)size) {
		if (n >= 0)
			errno = n ? EMSGSIZE : ECONNRESET;
		die(p->udp ? "recvfrom (a datagram lost?)" : "recv");
	}
}

/* MESSAGES sends and as many receives, BATCH at a time; adds the time spent
 * in each kind to *send_ns and *recv_ns. */
static void run(const struct pair *p, long messages, int batch, size_t size, uint64_t *send_ns,
		uint64_t *recv_ns)
{
	static char out[MAX_SIZE], in[MAX_SIZE];

	memset(out, 'x', sizeof(out));
	for (long done = 0; done < messages;) {
		int n = messages - done < batch ? (int)(messages - done) : batch;
		uint64_t t0, t1, t2;

		t0 = now_ns();
		for (int i = 0; i < n; i++)
			send_one(p, out, size);
		t1 = now_ns();
		for (int i = 0; i < n; i++)
			recv_one(p, in, size);
		t2 = now_ns();
		*send_ns += t1 - t0;
		*recv_ns += t2 - t1;
		done += n;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: syscall_loop [-p tcp|udp|both] [-n MESSAGES] [-c CHUNKS] [-b BATCH] "
		   "[-s SIZE]\n"
		   "  -p  protocol (default both: tcp, then udp)\n"
		   "  -n  messages per protocol: as many send and receive calls (default 200000)\n"
		   "  -c  parts the messages are timed in, 1-1000 (default 20)\n"
		   "  -b  messages sent before they are received, 1-256 (default 64)\n"
		   "  -s  bytes per message, 1-1024 (default 64)\n");
}

static long number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "syscall_loop: '%s': a number from %ld to %ld\n", s, lo, hi);
		usage(stderr);
		exit(2);
	}
	return v;
}

static void measure(const char *name, int udp, long messages, int chunks, int batch, size_t size)
{
	static double call[MAX_CHUNKS], snd[MAX_CHUNKS], rcv[MAX_CHUNKS];
	uint64_t all = 0, warm_s = 0, warm_r = 0;
	double med;
	struct pair p;

	open_pair(&p, udp);
	run(&p, WARMUP, batch, size, &warm_s, &warm_r);
	for (int c = 0; c < chunks; c++) {
		long n = messages / chunks + (c < messages % chunks);
		uint64_t send_ns = 0, recv_ns = 0;

		run(&p, n, batch, size, &send_ns, &recv_ns);
		all += send_ns + recv_ns;
		call[c] = (double)(send_ns + recv_ns) / (2.0 * (double)n);
		snd[c] = (double)send_ns / (double)n;
		rcv[c] = (double)recv_ns / (double)n;
	}
	close(p.tx);
	close(p.rx);
	med = median(call, chunks);
	printf("%s calls=%ld size=%zu chunks=%d ns_per_call=%.1f send_ns=%.1f recv_ns=%.1f "
	       "mean_ns=%.1f calls_per_s=%.0f warmup=%d\n",
	       name, 2 * messages, size, chunks, med, median(snd, chunks), median(rcv, chunks),
	       (double)all / (2.0 * (double)messages), med > 0 ? 1e9 / med : 0.0, WARMUP);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *proto = "both";
	long messages = 200000;
	int chunks = 20, batch = 64, opt;
	size_t size = 64;

	while ((opt = getopt(argc, argv, "p:n:c:b:s:h")) != -1) {
		switch (opt) {
		case 'p':
			proto = optarg;
			break;
		case 'n':
			messages = number(optarg, 1, 1000000000L);
			break;
		case 'c':
			chunks = (int)number(optarg, 1, MAX_CHUNKS);
			break;
		case 'b':
			batch = (int)number(optarg, 1, MAX_BATCH);
			break;
		case 's':
			size = (size_t)number(optarg, 1, MAX_SIZE);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc ||
	    (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "both"))) {
		usage(stderr);
		return 2;
	}
	if (chunks > messages) {
		fprintf(stderr, "syscall_loop: more chunks (%d) than messages (%ld)\n", chunks,
			messages);
		return 2;
	}
	if (strcmp(proto, "udp"))
		measure("tcp", 0, messages, chunks, batch, size);
	if (strcmp(proto, "tcp"))
		measure("udp", 1, messages, chunks, batch, size);
	return 0;
}
