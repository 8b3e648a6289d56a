/* Test traffic of exactly known size: one TCP stream or a run of UDP
 * datagrams between two addresses.  Exits non-zero unless every byte sent
 * was received, so the expected counts are never guesses.
 *
 *   pdtt_traffic tcp-recv ADDR PORT BYTES READYFILE
 *   pdtt_traffic tcp-send ADDR PORT BYTES
 *   pdtt_traffic udp-recv ADDR PORT BYTES READYFILE
 *   pdtt_traffic udp-send ADDR PORT COUNT SIZE [GSO_SIZE]
 *   pdtt_traffic tcp-fetch ADDR PORT BYTES [REPLY]
 *
 * TCP close order: the sender shuts down its write side and reads until the
 * receiver closes, so both ends handle every packet as full sockets.
 * tcp-fetch connects, reads BYTES until EOF, then sends REPLY bytes (default
 * 0) and closes: the peer of a server that sends.
 *
 * Servers that change hands (tests/integration/owner.sh).  They start as
 * root, bind (listen, accept) as root, then become USER: "UID" (setgroups,
 * setresgid and setresuid: every id UID) or "euid:UID" (seteuid only; the
 * real and saved uid stay 0).  They give up after 60 seconds.
 *
 *   pdtt_traffic tcp-serve-as USER MODE ADDR PORT BYTES READYFILE [CHUNK]
 *   pdtt_traffic udp-serve-as USER recv ADDR PORT BYTES READYFILE
 *   pdtt_traffic udp-serve-as USER send ADDR PORT COUNT SIZE PEER PEERPORT
 *   pdtt_traffic tcp-handover USER1 USER2 ADDR PORT A B C READYFILE HANDFILE GOFILE
 *
 * tcp-serve-as accepts one connection and moves BYTES over it in calls of at
 * most CHUNK bytes (default 65536; splice: at most the pipe's size) with
 * MODE: recv, send, sendfile (from a memfd), splice-send (pipe to socket),
 * splice-recv (socket to pipe), uring-send, uring-recv, uring-read or
 * uring-write (io_uring; a -async suffix sets IOSQE_ASYNC).  A sender then
 * shuts down its write side and waits for the peer's EOF with poll(), a
 * receiver closes after EOF: the mode's own calls are the only ones that send
 * or receive on the socket.  udp-serve-as receives BYTES (READYFILE once it
 * is USER), or sends COUNT datagrams of SIZE bytes to PEER.
 *
 * With PDTT_TRAFFIC_HOLD=FILE in the environment the serve-as modes do no
 * I/O as USER until FILE exists.
 *
 * Many users at once (tests/integration/scale.sh): N children, at most 64
 * at a time; child i becomes uid FIRST+i (as udp-serve-as does), then
 * creates its own socket and sends COUNT datagrams of SIZE + i % 64 bytes.
 * Exits non-zero unless every child sent all of them.
 *
 *   pdtt_traffic udp-many FIRST N ADDR PORT COUNT SIZE
 *
 * tcp-handover: a child becomes USER2 and waits on a unix socket.  The parent
 * accepts, becomes USER1, sends A bytes, waits until all are acknowledged
 * (SIOCOUTQ), creates HANDFILE, waits for GOFILE and passes the socket to the
 * child (SCM_RIGHTS), which sends B bytes, shuts down its write side and
 * reads C bytes until EOF. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <liburing.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

static void die(const char *what)
{
	fprintf(stderr, "pdtt_traffic: %s: %s\n", what, strerror(errno));
	exit(1);
}

static socklen_t make_addr(const char *ip, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((unsigned short)atoi(port));
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)atoi(port));
		return sizeof(*a6);
	}
	fprintf(stderr, "pdtt_traffic: bad address %s\n", ip);
	exit(2);
}

static void mark_ready(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die(path);
	close(fd);
}

static int bound_socket(const char *ip, const char *port, int type)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(ip, port, &ss);
	int one = 1, fd = socket(ss.ss_family, type, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	return fd;
}

static int connected_socket(const char *ip, const char *port, int type)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(ip, port, &ss);
	int fd = socket(ss.ss_family, type, 0);

	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	return fd;
}

static long long drain(int fd)
{
	char buf[65536];
	long long total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0)
		die("read");
	return total;
}

static int tcp_recv(char **a)
{
	long long want = atoll(a[2]), got;
	int ls = bound_socket(a[0], a[1], SOCK_STREAM), fd;

	if (listen(ls, 1))
		die("listen");
	mark_ready(a[3]);
	fd = accept(ls, NULL, NULL);
	if (fd < 0)
		die("accept");
	close(ls);
	got = drain(fd);
	close(fd);
	if (got != want) {
		fprintf(stderr, "pdtt_traffic: tcp received %lld bytes, expected %lld\n", got,
			want);
		return 1;
	}
	return 0;
}

static int tcp_send(char **a)
{
	long long left = atoll(a[2]);
	static char buf[65536];
	int fd = connected_socket(a[0], a[1], SOCK_STREAM);

	memset(buf, 'p', sizeof(buf));
	while (left > 0) {
		ssize_t n =
			write(fd, buf, left < (long long)sizeof(buf) ? (size_t)left : sizeof(buf));

		if (n < 0)
			die("write");
		left -= n;
	}
	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	if (drain(fd) != 0)
		return 1;
	close(fd);
	return 0;
}

/* Receives datagrams on fd until WANT bytes arrived; READY once waiting. */
static int udp_recv_on(int fd, long long want, const char *ready)
{
	long long got = 0;
	char buf[65536];
	struct timeval tv = { .tv_sec = 10 };
	int rcvbuf = 8 << 20;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* Room for bursts from many senders (udp-many); needs root, else the
	 * default stays. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	mark_ready(ready);
	while (got < want) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			fprintf(stderr, "pdtt_traffic: udp received %lld of %lld bytes: %s\n", got,
				want, strerror(errno));
			return 1;
		}
		got += n;
	}
	close(fd);
	return got == want ? 0 : 1;
}

static int udp_recv(char **a)
{
	return udp_recv_on(bound_socket(a[0], a[1], SOCK_DGRAM), atoll(a[2]), a[3]);
}

/* Sends COUNT datagrams of SIZE bytes on fd, to TO if given (else connected). */
static int udp_send_on(int fd, int count, int size, const struct sockaddr_storage *to,
		       socklen_t to_len)
{
	static char buf[65536];
	long paced = 0;

	if (size <= 0 || size > (int)sizeof(buf)) {
		fprintf(stderr, "pdtt_traffic: bad size %d\n", size);
		return 2;
	}
	memset(buf, 'u', sizeof(buf));
	for (int i = 0; i < count; i++) {
		if (sendto(fd, buf, (size_t)size, 0, (const struct sockaddr *)to, to_len) != size)
			die("send");
		/* Pace the sender so the receiver's buffer never overflows. */
		paced += size;
		if (paced >= 16000) {
			usleep(2000);
			paced = 0;
		}
	}
	close(fd);
	return 0;
}

static int udp_send(int argc, char **a)
{
	int gso = argc > 4 ? atoi(a[4]) : 0;
	int fd = connected_socket(a[0], a[1], SOCK_DGRAM);

	if (gso > 0 && setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &gso, sizeof(gso)))
		die("UDP_SEGMENT");
	return udp_send_on(fd, atoi(a[2]), atoi(a[3]), NULL, 0);
}

static int tcp_accept_one(const char *ip, const char *port, const char *ready)
{
	int ls = bound_socket(ip, port, SOCK_STREAM), fd;

	if (listen(ls, 1))
		die("listen");
	mark_ready(ready);
	fd = accept(ls, NULL, NULL);
	if (fd < 0)
		die("accept");
	close(ls);
	return fd;
}

static uid_t parse_uid(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v >= (uid_t)-1) {
		fprintf(stderr, "pdtt_traffic: bad user %s\n", s);
		exit(2);
	}
	return (uid_t)v;
}

/* At exit (the sockets are closed by then), a server that switched only its
 * effective uid switches back, as it would after a request: LeakSanitizer's
 * exit check (the ASan build) cannot trace a task whose uids differ. */
static void back_to_root(void)
{
	if (seteuid(0))
		perror("pdtt_traffic: seteuid(0)");
}

/* PDTT_TRAFFIC_HOLD=FILE: a server does no I/O as its user until FILE
 * exists, so what its peer sends meanwhile waits unread in the socket. */
static void wait_for_hold_file(void)
{
	const char *hold = getenv("PDTT_TRAFFIC_HOLD");

	while (hold && *hold && access(hold, F_OK))
		usleep(20000);
}

/* Becomes USER: "UID" gives up root for good, as a login daemon does;
 * "euid:UID" changes the effective (and so the file system) uid only. */
static void become(const char *user)
{
	bool euid_only = !strncmp(user, "euid:", 5);
	uid_t uid = parse_uid(euid_only ? user + 5 : user), r, e, s;

	if (euid_only) {
		if (seteuid(uid))
			die("seteuid");
		atexit(back_to_root);
	} else {
		if (setgroups(0, NULL))
			die("setgroups");
		if (setresgid(uid, uid, uid))
			die("setresgid");
		if (setresuid(uid, uid, uid))
			die("setresuid");
	}
	if (getresuid(&r, &e, &s))
		die("getresuid");
	wait_for_hold_file();
	/* setfsuid with an invalid id changes nothing and returns the current one. */
	if (e != uid || (uid_t)setfsuid((uid_t)-1) != uid ||
	    (euid_only ? r != 0 || s != 0 : r != uid || s != uid)) {
		fprintf(stderr, "pdtt_traffic: %s: uids are %u %u %u\n", user, r, e, s);
		exit(1);
	}
}

static char *pattern(size_t size, char fill)
{
	char *p = malloc(size ? size : 1);

	if (!p)
		die("malloc");
	memset(p, fill, size);
	return p;
}

static size_t step(long long left, size_t chunk)
{
	return left < (long long)chunk ? (size_t)left : chunk;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0)
			die("write");
		buf += n;
		len -= (size_t)n;
	}
}

static void read_exact(int fd, char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, buf, len);

		if (n <= 0)
			die("read");
		buf += n;
		len -= (size_t)n;
	}
}

struct mode;
/* Sends BYTES, or receives until EOF; returns the bytes moved. */
typedef long long move_fn(int fd, long long bytes, size_t chunk, const struct mode *m);

struct mode {
	const char *name;
	bool sends;
	move_fn *move;
	int op; /* io_uring opcode */
	unsigned sqe_flags;
};

static long long move_send(int fd, long long bytes, size_t chunk, const struct mode *m)
{
	char *buf = pattern(chunk, 's');
	long long done = 0;

	(void)m;
	while (done < bytes) {
		ssize_t n = send(fd, buf, step(bytes - done, chunk), MSG_NOSIGNAL);

		if (n <= 0)
			die("send");
		done += n;
	}
	free(buf);
	return done;
}

static long long move_recv(int fd, long long bytes, size_t chunk, const struct mode *m)
{
	char *buf = pattern(chunk, 0);
	long long done = 0;
	ssize_t n;

	(void)bytes;
	(void)m;
	while ((n = recv(fd, buf, chunk, MSG_WAITALL)) > 0)
		done += n;
	if (n < 0)
		die("recv");
	free(buf);
	return done;
}

static long long move_sendfile(int fd, long long bytes, size_t chunk, const struct mode *m)
{
	char *buf = pattern(65536, 'f');
	int file = memfd_create("pdtt-sendfile", MFD_CLOEXEC);
	off_t off = 0;

	(void)m;
	if (file < 0)
		die("memfd_create");
	for (long long left = bytes; left > 0; left -= 65536)
		write_all(file, buf, step(left, 65536));
	while (off < bytes)
		if (sendfile(fd, file, &off, step(bytes - off, chunk)) <= 0)
			die("sendfile");
	close(file);
	free(buf);
	return off;
}

/* A pipe for chunks of CHUNK bytes, as large as an unprivileged user may
 * make it (fs.pipe-max-size); returns how much it holds. */
static size_t make_pipe(int p[2], size_t chunk)
{
	int size;

	if (pipe2(p, O_CLOEXEC))
		die("pipe");
	if (chunk > 65536)
		fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	size = fcntl(p[1], F_GETPIPE_SZ);
	if (size <= 0)
		die("F_GETPIPE_SZ");
	return chunk < (size_t)size ? chunk : (size_t)size;
}

static long long move_splice_send(int fd, long long bytes, size_t chunk, const struct mode *m)
{
	int p[2];
	size_t len = make_pipe(p, chunk);
	char *buf = pattern(len, 'p');
	long long done = 0;

	(void)m;
	while (done < bytes) {
		size_t n = step(bytes - done, len), left = n;

		write_all(p[1], buf, n); /* fits: the pipe is empty */
		while (left > 0) {
			ssize_t s = splice(p[0], NULL, fd, NULL, left, SPLICE_F_MOVE);

			if (s <= 0)
				die("splice");
			left -= (size_t)s;
		}
		done += (long long)n;
	}
	close(p[0]);
	close(p[1]);
	free(buf);
	return done;
}

static long long move_splice_recv(int fd, long long bytes, size_t chunk, const struct mode *m)
{
	int p[2];
	size_t len = make_pipe(p, chunk);
	char *buf = pattern(len, 0);
	long long done = 0;
	ssize_t s;

	(void)bytes;
	(void)m;
	while ((s = splice(fd, NULL, p[1], NULL, len, SPLICE_F_MOVE)) > 0) {
		read_exact(p[0], buf, (size_t)s);
		done += s;
	}
	if (s < 0)
		die("splice");
	close(p[0]);
	close(p[1]);
	free(buf);
	return done;
}

/* One io_uring request at a time, each waited for. */
static long long move_uring(int fd, long long bytes, size_t chunk, const struct mode *m)
{
	struct io_uring ring;
	char *buf = pattern(chunk, 'i');
	long long done = 0;
	int rc = io_uring_queue_init(8, &ring, 0);

	if (rc < 0) {
		errno = -rc;
		die("io_uring_queue_init");
	}
	while (!m->sends || done < bytes) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct io_uring_cqe *cqe;
		size_t n = m->sends ? step(bytes - done, chunk) : chunk;

		switch (m->op) {
		case IORING_OP_SEND:
			io_uring_prep_send(sqe, fd, buf, n, MSG_NOSIGNAL);
			break;
		case IORING_OP_RECV:
			io_uring_prep_recv(sqe, fd, buf, n, MSG_WAITALL);
			break;
		case IORING_OP_READ:
			io_uring_prep_read(sqe, fd, buf, (unsigned)n, 0);
			break;
		default:
			io_uring_prep_write(sqe, fd, buf, (unsigned)n, 0);
			break;
		}
		io_uring_sqe_set_flags(sqe, m->sqe_flags);
		rc = io_uring_submit_and_wait(&ring, 1);
		if (rc < 0) {
			errno = -rc;
			die("io_uring_submit_and_wait");
		}
		rc = io_uring_wait_cqe(&ring, &cqe);
		if (rc < 0) {
			errno = -rc;
			die("io_uring_wait_cqe");
		}
		rc = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (rc < 0 || (rc == 0 && m->sends)) {
			errno = rc < 0 ? -rc : EPIPE;
			die(m->name);
		}
		if (rc == 0)
			break;
		done += rc;
	}
	io_uring_queue_exit(&ring);
	free(buf);
	return done;
}

static const struct mode modes[] = {
	{ "recv", false, move_recv, 0, 0 },
	{ "send", true, move_send, 0, 0 },
	{ "sendfile", true, move_sendfile, 0, 0 },
	{ "splice-send", true, move_splice_send, 0, 0 },
	{ "splice-recv", false, move_splice_recv, 0, 0 },
	{ "uring-send", true, move_uring, IORING_OP_SEND, 0 },
	{ "uring-recv", false, move_uring, IORING_OP_RECV, 0 },
	{ "uring-read", false, move_uring, IORING_OP_READ, 0 },
	{ "uring-write", true, move_uring, IORING_OP_WRITE, 0 },
	{ "uring-send-async", true, move_uring, IORING_OP_SEND, IOSQE_ASYNC },
	{ "uring-recv-async", false, move_uring, IORING_OP_RECV, IOSQE_ASYNC },
};

/* Waits for the peer's EOF without receiving: poll, not read. */
static void wait_eof(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };

	for (;;) {
		int queued = 0, err = 0;
		socklen_t len = sizeof(err);

		if (poll(&p, 1, -1) < 0)
			die("poll");
		if (ioctl(fd, FIONREAD, &queued))
			die("FIONREAD");
		if (queued > 0) {
			fprintf(stderr, "pdtt_traffic: %d bytes arrived, expected EOF\n", queued);
			exit(1);
		}
		if (p.revents & POLLERR) {
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
			errno = err;
			die("waiting for EOF");
		}
		if (p.revents & (POLLRDHUP | POLLHUP))
			return;
	}
}

/* Sender's end: shut down the write side, then the peer's EOF (or REPLY
 * bytes until EOF). */
static int finish_send(int fd, long long reply)
{
	long long got;

	if (shutdown(fd, SHUT_WR))
		die("shutdown");
	if (reply == 0) {
		wait_eof(fd);
	} else if ((got = move_recv(fd, 0, 65536, NULL)) != reply) {
		fprintf(stderr, "pdtt_traffic: tcp received %lld bytes, expected %lld\n", got,
			reply);
		return 1;
	}
	close(fd);
	return 0;
}

static int tcp_fetch(int argc, char **a)
{
	long long want = atoll(a[2]), reply = argc > 3 ? atoll(a[3]) : 0, got;
	int fd;

	alarm(60);
	fd = connected_socket(a[0], a[1], SOCK_STREAM);
	got = drain(fd);
	if (got != want) {
		fprintf(stderr, "pdtt_traffic: tcp received %lld bytes, expected %lld\n", got,
			want);
		return 1;
	}
	if (move_send(fd, reply, 65536, NULL) != reply)
		return 1;
	close(fd);
	return 0;
}

static int tcp_serve_as(int argc, char **a)
{
	const struct mode *m = NULL;
	long long bytes = atoll(a[4]), got;
	long long chunk = argc > 6 ? atoll(a[6]) : 65536;
	int fd;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(a[1], modes[i].name))
			m = &modes[i];
	if (!m || chunk <= 0 || bytes < 0) {
		fprintf(stderr, "pdtt_traffic: bad mode %s or chunk %lld\n", a[1], chunk);
		return 2;
	}
	if (chunk > bytes && bytes > 0)
		chunk = bytes;
	alarm(60);
	fd = tcp_accept_one(a[2], a[3], a[5]);
	become(a[0]);
	got = m->move(fd, bytes, (size_t)chunk, m);
	if (got != bytes) {
		fprintf(stderr, "pdtt_traffic: %s moved %lld bytes, expected %lld\n", m->name, got,
			bytes);
		return 1;
	}
	if (m->sends)
		return finish_send(fd, 0);
	close(fd);
	return 0;
}

static int udp_serve_as(int argc, char **a)
{
	int fd;

	alarm(60);
	if (!strcmp(a[1], "recv") && argc >= 6) {
		fd = bound_socket(a[2], a[3], SOCK_DGRAM);
		become(a[0]);
		return udp_recv_on(fd, atoll(a[4]), a[5]);
	}
	if (!strcmp(a[1], "send") && argc >= 8) {
		struct sockaddr_storage to;
		socklen_t to_len = make_addr(a[6], a[7], &to);

		fd = bound_socket(a[2], a[3], SOCK_DGRAM);
		become(a[0]);
		return udp_send_on(fd, atoi(a[4]), atoi(a[5]), &to, to_len);
	}
	fprintf(stderr, "usage: see the comment at the top of tests/traffic.c\n");
	return 2;
}

static int udp_many(char **a)
{
	unsigned long first = strtoul(a[0], NULL, 10);
	int n = atoi(a[1]), count = atoi(a[4]), size = atoi(a[5]), running = 0, failed = 0;

	for (int i = 0; i < n || running; i++) {
		int status;

		if (i < n) {
			pid_t pid = fork();

			if (pid < 0)
				die("fork");
			if (!pid) {
				char uid[16];

				snprintf(uid, sizeof(uid), "%lu", first + (unsigned long)i);
				become(uid);
				_exit(udp_send_on(connected_socket(a[2], a[3], SOCK_DGRAM), count,
						  size + i % 64, NULL, 0));
			}
			running++;
			if (running < 64)
				continue;
		}
		if (wait(&status) < 0)
			die("wait");
		running--;
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	if (failed)
		fprintf(stderr, "pdtt_traffic: udp-many: %d of %d senders failed\n", failed, n);
	return failed ? 1 : 0;
}

static void send_fd(int via, int fd)
{
	char data = 'h';
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl = { 0 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(via, &msg, MSG_NOSIGNAL) != 1)
		die("sendmsg SCM_RIGHTS");
}

static int recv_fd(int via)
{
	char data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(via, &msg, MSG_CMSG_CLOEXEC) != 1)
		die("recvmsg SCM_RIGHTS");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "pdtt_traffic: no socket received\n");
		exit(1);
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static int tcp_handover(char **a)
{
	long long first = atoll(a[4]), second = atoll(a[5]), reply = atoll(a[6]);
	int sv[2], fd, status, queued;
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		die("socketpair");
	child = fork();
	if (child < 0)
		die("fork");
	alarm(60);
	if (child == 0) {
		close(sv[0]);
		become(a[1]);
		fd = recv_fd(sv[1]);
		if (move_send(fd, second, 65536, NULL) != second)
			exit(1);
		exit(finish_send(fd, reply));
	}
	close(sv[1]);
	fd = tcp_accept_one(a[2], a[3], a[7]);
	become(a[0]);
	if (move_send(fd, first, 65536, NULL) != first)
		return 1;
	do { /* until the peer acknowledged everything */
		if (ioctl(fd, SIOCOUTQ, &queued))
			die("SIOCOUTQ");
		if (queued)
			usleep(1000);
	} while (queued);
	mark_ready(a[8]);
	while (access(a[9], F_OK))
		usleep(10000);
	send_fd(sv[0], fd);
	close(fd);
	close(sv[0]);
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "tcp-recv"))
		return tcp_recv(argv + 2);
	if (argc >= 5 && !strcmp(argv[1], "tcp-send"))
		return tcp_send(argv + 2);
	if (argc >= 6 && !strcmp(argv[1], "udp-recv"))
		return udp_recv(argv + 2);
	if (argc >= 6 && !strcmp(argv[1], "udp-send"))
		return udp_send(argc - 2, argv + 2);
	if (argc >= 5 && !strcmp(argv[1], "tcp-fetch"))
		return tcp_fetch(argc - 2, argv + 2);
	if (argc >= 8 && !strcmp(argv[1], "tcp-serve-as"))
		return tcp_serve_as(argc - 2, argv + 2);
	if (argc >= 8 && !strcmp(argv[1], "udp-serve-as"))
		return udp_serve_as(argc - 2, argv + 2);
	if (argc >= 8 && !strcmp(argv[1], "udp-many"))
		return udp_many(argv + 2);
	if (argc >= 12 && !strcmp(argv[1], "tcp-handover"))
		return tcp_handover(argv + 2);
	fprintf(stderr, "usage: see the comment at the top of tests/traffic.c\n");
	return 2;
}
