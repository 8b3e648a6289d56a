/* Test traffic of exactly known size: one TCP stream or a run of UDP
 * datagrams between two addresses.  Exits non-zero unless every byte sent
 * was received, so the expected counts are never guesses.
 *
 *   pdtt_traffic tcp-recv ADDR PORT BYTES READYFILE
 *   pdtt_traffic tcp-send ADDR PORT BYTES
 *   pdtt_traffic udp-recv ADDR PORT BYTES READYFILE
 *   pdtt_traffic udp-send ADDR PORT COUNT SIZE [GSO_SIZE]
 *
 * TCP close order: the sender shuts down its write side and reads until the
 * receiver closes, so both ends handle every packet as full sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

static int udp_recv(char **a)
{
	long long want = atoll(a[2]), got = 0;
	char buf[65536];
	int fd = bound_socket(a[0], a[1], SOCK_DGRAM);
	struct timeval tv = { .tv_sec = 10 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	mark_ready(a[3]);
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

static int udp_send(int argc, char **a)
{
	int count = atoi(a[2]), size = atoi(a[3]), gso = argc > 4 ? atoi(a[4]) : 0;
	int fd = connected_socket(a[0], a[1], SOCK_DGRAM);
	static char buf[65536];

	if (size <= 0 || size > (int)sizeof(buf)) {
		fprintf(stderr, "pdtt_traffic: bad size %d\n", size);
		return 2;
	}
	memset(buf, 'u', sizeof(buf));
	if (gso > 0 && setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &gso, sizeof(gso)))
		die("UDP_SEGMENT");
	long paced = 0;

	for (int i = 0; i < count; i++) {
		if (send(fd, buf, (size_t)size, 0) != size)
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
	fprintf(stderr, "usage: see the comment at the top of tests/traffic.c\n");
	return 2;
}
