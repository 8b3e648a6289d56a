#include "ifwatch.h"

#include <errno.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int pdtt_parse_link_events(const void *buf, size_t len,
			   void (*cb)(const struct pdtt_link_event *ev, void *arg), void *arg)
{
	const struct nlmsghdr *nh = buf;
	int left = len > (size_t)INT32_MAX ? -1 : (int)len;

	/* NLMSG_OK, with the length kept signed: a last message shorter than its
	 * padding leaves left negative, which must end the walk. */
	for (; left >= (int)sizeof(*nh) && nh->nlmsg_len >= sizeof(*nh) &&
	       nh->nlmsg_len <= (unsigned)left;
	     nh = NLMSG_NEXT(nh, left)) {
		const struct ifinfomsg *ifi = NLMSG_DATA(nh);
		struct pdtt_link_event ev = { 0 };
		int alen;

		if (nh->nlmsg_type == NLMSG_DONE)
			return 0;
		if (nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK)
			continue;
		if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
			return -1;
		/* AF_BRIDGE messages speak of bridge ports: a DELLINK there means
		 * the port left its bridge, not that the interface is gone. */
		if (ifi->ifi_family != AF_UNSPEC)
			continue;
		ev.gone = nh->nlmsg_type == RTM_DELLINK;
		ev.ifindex = ifi->ifi_index > 0 ? (uint32_t)ifi->ifi_index : 0;
		alen = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
		for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, alen);
		     a = RTA_NEXT(a, alen)) {
			size_t n = RTA_PAYLOAD(a);

			if (a->rta_type != IFLA_IFNAME)
				continue;
			if (n >= sizeof(ev.name))
				n = sizeof(ev.name) - 1;
			memcpy(ev.name, RTA_DATA(a), n);
			ev.name[n] = '\0';
		}
		if (ev.ifindex)
			cb(&ev, arg);
	}
	return left == 0 ? 0 : -1;
}

int pdtt_watch_apply(struct pdtt_watched *w, int n, const struct pdtt_link_event *ev,
		     struct pdtt_watch_change out[2])
{
	int changes = 0;

	/* The ifindex leaves the name it had: deleted, or renamed away. */
	for (int i = 0; i < n; i++)
		if (w[i].ifindex == ev->ifindex && (ev->gone || strcmp(w[i].name, ev->name) != 0)) {
			out[changes++] =
				(struct pdtt_watch_change){ .which = i,
							    .stop = ev->ifindex,
							    .why = ev->gone ? "disappeared"
									    : "renamed away" };
			w[i].ifindex = 0;
			break;
		}
	if (ev->gone)
		return changes;
	/* The name gets this ifindex: new, recreated, or renamed onto it. */
	for (int i = 0; i < n; i++)
		if (!strcmp(w[i].name, ev->name) && w[i].ifindex != ev->ifindex) {
			out[changes++] = (struct pdtt_watch_change){
				.which = i,
				.stop = w[i].ifindex, /* a stale one, if its DELLINK was missed */
				.start = ev->ifindex,
				.why = w[i].ifindex ? "recreated" : "appeared"
			};
			w[i].ifindex = ev->ifindex;
			break;
		}
	return changes;
}

static int open_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	int rcvbuf = 1 << 20; /* a node creating many containers at once */

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int pdtt_ifwatch_start(struct pdtt_ifwatch *w, const char (*names)[PDTT_IFWATCH_NAME], int n,
		       bool allow_missing, int *missing)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	if (n <= 0)
		return 0;
	if (n > PDTT_IFWATCH_MAX)
		return -E2BIG;
	w->fd = open_socket();
	if (w->fd < 0)
		return w->fd;
	for (int i = 0; i < n; i++) {
		snprintf(w->names[i].name, sizeof(w->names[i].name), "%s", names[i]);
		w->names[i].ifindex = if_nametoindex(names[i]);
		if (!w->names[i].ifindex && !allow_missing) {
			*missing = i;
			pdtt_ifwatch_close(w);
			return -ENODEV;
		}
	}
	w->n = n;
	return 0;
}

struct apply_ctx {
	struct pdtt_ifwatch *w;
	void (*cb)(const struct pdtt_watch_change *ch, const struct pdtt_watched *w, void *arg);
	void *arg;
};

static void apply_event(const struct pdtt_link_event *ev, void *arg)
{
	struct apply_ctx *ctx = arg;
	struct pdtt_watch_change ch[2];
	int n = pdtt_watch_apply(ctx->w->names, ctx->w->n, ev, ch);

	for (int i = 0; i < n; i++) {
		if (ch[i].stop) {
			struct pdtt_watched *d = &ctx->w->departed[ctx->w->n_departed++ % 16];

			d->ifindex = ch[i].stop;
			memcpy(d->name, ctx->w->names[ch[i].which].name, sizeof(d->name));
		}
		ctx->cb(&ch[i], &ctx->w->names[ch[i].which], ctx->arg);
	}
}

const char *pdtt_ifwatch_name(const struct pdtt_ifwatch *w, uint32_t ifindex)
{
	for (int i = 0; i < w->n; i++)
		if (w->names[i].ifindex == ifindex)
			return w->names[i].name;
	for (unsigned i = 0; i < 16 && i < w->n_departed; i++)
		if (w->departed[i].ifindex == ifindex)
			return w->departed[i].name;
	return NULL;
}

/* Events were lost: what each name is now, as if announced. */
static void resync(struct apply_ctx *ctx)
{
	for (int i = 0; i < ctx->w->n; i++) {
		struct pdtt_link_event ev = { .ifindex = if_nametoindex(ctx->w->names[i].name) };

		snprintf(ev.name, sizeof(ev.name), "%s", ctx->w->names[i].name);
		if (ev.ifindex) {
			apply_event(&ev, ctx);
		} else if (ctx->w->names[i].ifindex) {
			ev.ifindex = ctx->w->names[i].ifindex;
			ev.gone = true;
			apply_event(&ev, ctx);
		}
	}
}

int pdtt_ifwatch_read(struct pdtt_ifwatch *w,
		      void (*cb)(const struct pdtt_watch_change *ch, const struct pdtt_watched *w,
				 void *arg),
		      void *arg)
{
	struct apply_ctx ctx = { w, cb, arg };
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));

	if (w->fd < 0)
		return 0;
	for (;;) {
		ssize_t got = recv(w->fd, buf, sizeof(buf), 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == ENOBUFS) {
			/* Events were dropped; what is still queued is older than
			 * them, so it goes unread and every name is looked up. */
			while (recv(w->fd, buf, sizeof(buf), 0) > 0 || errno == EINTR)
				;
			resync(&ctx);
			continue;
		}
		if (got < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (pdtt_parse_link_events(buf, (size_t)got, apply_event, &ctx))
			resync(&ctx);
	}
}

void pdtt_ifwatch_close(struct pdtt_ifwatch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
