/* Interface watch: the rtnetlink link-event parser and the name table. */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "ifwatch.h"

/* Appends one link message (type, ifindex, optional IFLA_IFNAME) to buf. */
static size_t add_link_msg(char *buf, size_t off, int type, int ifindex, const char *name)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)(buf + off);
	struct ifinfomsg *ifi;
	size_t len = NLMSG_LENGTH(sizeof(*ifi));

	memset(nh, 0, NLMSG_SPACE(sizeof(*ifi)) + RTA_SPACE(64));
	ifi = NLMSG_DATA(nh);
	ifi->ifi_index = ifindex;
	if (name) {
		struct rtattr *a = (struct rtattr *)((char *)nh + NLMSG_ALIGN(len));

		a->rta_type = IFLA_IFNAME;
		a->rta_len = (unsigned short)RTA_LENGTH(strlen(name) + 1);
		memcpy(RTA_DATA(a), name, strlen(name) + 1);
		len = NLMSG_ALIGN(len) + RTA_ALIGN(a->rta_len);
	}
	nh->nlmsg_type = (unsigned short)type;
	nh->nlmsg_len = (unsigned)len;
	return off + NLMSG_ALIGN(len);
}

struct seen {
	struct pdtt_link_event ev[8];
	int n;
};

static void record(const struct pdtt_link_event *ev, void *arg)
{
	struct seen *s = arg;

	s->ev[s->n++] = *ev;
}

static void parses_new_and_deleted_links(void **state)
{
	static char buf[4096] __attribute__((aligned(8)));
	struct seen s = { 0 };
	size_t len = 0;

	(void)state;
	len = add_link_msg(buf, len, RTM_NEWLINK, 7, "eth1");
	len = add_link_msg(buf, len, RTM_NEWADDR, 7, NULL); /* not a link event */
	len = add_link_msg(buf, len, RTM_DELLINK, 8, "vpn0");
	len = add_link_msg(buf, len, RTM_NEWLINK, 9, "a-name-far-too-long-for-ifnamsiz");
	assert_int_equal(pdtt_parse_link_events(buf, len, record, &s), 0);
	assert_int_equal(s.n, 3);
	assert_false(s.ev[0].gone);
	assert_int_equal(s.ev[0].ifindex, 7);
	assert_string_equal(s.ev[0].name, "eth1");
	assert_true(s.ev[1].gone);
	assert_string_equal(s.ev[1].name, "vpn0");
	assert_int_equal(strlen(s.ev[2].name), PDTT_IFWATCH_NAME - 1);
	/* A truncated buffer is malformed. */
	s.n = 0;
	assert_int_equal(pdtt_parse_link_events(buf, len - 3, record, &s), -1);
}

static void odd_lengths_end_the_walk(void **state)
{
	/* A last message whose length is not a multiple of 4 and that fills
	 * the buffer exactly: the walk must stop, not read past it. */
	char *buf = malloc(21);
	struct nlmsghdr nh = { .nlmsg_len = 21, .nlmsg_type = NLMSG_NOOP };
	struct seen s = { 0 };

	(void)state;
	assert_non_null(buf);
	memset(buf, 0, 21);
	memcpy(buf, &nh, sizeof(nh));
	assert_int_equal(pdtt_parse_link_events(buf, 21, record, &s), -1);
	assert_int_equal(s.n, 0);
	free(buf);
}

static void bridge_port_messages_are_not_link_events(void **state)
{
	static char buf[4096] __attribute__((aligned(8)));
	struct seen s = { 0 };
	size_t len = add_link_msg(buf, 0, RTM_DELLINK, 7, "eth1");

	(void)state;
	/* 'ip link set eth1 nomaster': an AF_BRIDGE DELLINK; eth1 stays. */
	((struct ifinfomsg *)NLMSG_DATA((struct nlmsghdr *)buf))->ifi_family = AF_BRIDGE;
	assert_int_equal(pdtt_parse_link_events(buf, len, record, &s), 0);
	assert_int_equal(s.n, 0);
}

static void follows_names(void **state)
{
	struct pdtt_watched w[2] = { { "eth1", 0 }, { "vpn0", 5 } };
	struct pdtt_watch_change ch[2];
	struct pdtt_link_event ev = { .ifindex = 7 };

	(void)state;
	/* eth1 appears. */
	strcpy(ev.name, "eth1");
	assert_int_equal(pdtt_watch_apply(w, 2, &ev, ch), 1);
	assert_int_equal(ch[0].which, 0);
	assert_int_equal(ch[0].start, 7);
	assert_int_equal(ch[0].stop, 0);
	assert_string_equal(ch[0].why, "appeared");
	/* The same again (link up, a new address): nothing changes. */
	assert_int_equal(pdtt_watch_apply(w, 2, &ev, ch), 0);
	/* Deleted, then recreated with a new ifindex. */
	ev.gone = true;
	assert_int_equal(pdtt_watch_apply(w, 2, &ev, ch), 1);
	assert_int_equal(ch[0].stop, 7);
	assert_string_equal(ch[0].why, "disappeared");
	assert_int_equal(w[0].ifindex, 0);
	ev.gone = false;
	ev.ifindex = 11;
	assert_int_equal(pdtt_watch_apply(w, 2, &ev, ch), 1);
	assert_int_equal(ch[0].start, 11);
	/* A missed DELLINK: the name comes back with another ifindex. */
	ev.ifindex = 12;
	assert_int_equal(pdtt_watch_apply(w, 2, &ev, ch), 1);
	assert_int_equal(ch[0].stop, 11);
	assert_int_equal(ch[0].start, 12);
	assert_string_equal(ch[0].why, "recreated");
	/* vpn0 (ifindex 5) renamed to eth1's name while eth1 still has 12 (its
	 * rename away not seen yet): vpn0 stops, eth1 moves from 12 to 5. */
	ev.ifindex = 5;
	strcpy(ev.name, "eth1");
	assert_int_equal(pdtt_watch_apply(w, 2, &ev, ch), 2);
	assert_int_equal(ch[0].which, 1);
	assert_int_equal(ch[0].stop, 5);
	assert_string_equal(ch[0].why, "renamed away");
	assert_int_equal(ch[1].which, 0);
	assert_int_equal(ch[1].stop, 12);
	assert_int_equal(ch[1].start, 5);
	/* ...and renamed to a name nobody watches stops counting. */
	strcpy(ev.name, "old0");
	assert_int_equal(pdtt_watch_apply(w, 2, &ev, ch), 1);
	assert_int_equal(ch[0].which, 0);
	assert_int_equal(ch[0].stop, 5);
	assert_int_equal(w[0].ifindex, 0);
	assert_int_equal(w[1].ifindex, 0);
	/* An unwatched interface's deletion changes nothing. */
	ev.gone = true;
	ev.ifindex = 99;
	assert_int_equal(pdtt_watch_apply(w, 2, &ev, ch), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_new_and_deleted_links),
		cmocka_unit_test(odd_lengths_end_the_walk),
		cmocka_unit_test(bridge_port_messages_are_not_link_events),
		cmocka_unit_test(follows_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
