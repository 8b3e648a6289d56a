/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Types shared by the BPF programs (pdtt.bpf.c) and the daemon. */
#ifndef PDTT_H
#define PDTT_H

/* Bumped whenever a map's key, value or meaning changes: pins and stored
 * baselines of another layout are never mixed with this one.  A daemon
 * takes over the pins of the layouts listed in src/collect/upgrade.c (older_layouts).
 * PDTT_TEST_LAYOUT builds a layout 2 with a spare counter, only for
 * tests/integration/upgrade.sh. */
#ifdef PDTT_TEST_LAYOUT
#define PDTT_LAYOUT_VERSION 2
#else
#define PDTT_LAYOUT_VERSION 1
#endif

#define PDTT_DEFAULT_MAX_ENTRIES 65536u
#define PDTT_MAX_IFACE_FILTERS 256

/* One accounting key: who (host uid), where (netns cookie, ifindex). */
struct pdtt_key {
	__u32 uid;
	__u32 ifindex;
	__u64 netns_cookie; /* 0 when the kernel cannot tell (compat variant) */
};

/* Cumulative counters since the map was created. */
struct pdtt_value {
	__u64 rx_bytes;
	__u64 rx_packets;
	__u64 tx_bytes;
	__u64 tx_packets;
#ifdef PDTT_TEST_LAYOUT
	__u64 test_spare; /* never counted: it only changes the layout */
#endif
};

/* The stats value of layout 1, which later layouts read when they take over
 * its pins: the same key, these four counters per CPU. */
struct pdtt_value_v1 {
	__u64 rx_bytes;
	__u64 rx_packets;
	__u64 tx_bytes;
	__u64 tx_packets;
};

/* Interface filter entry: (netns cookie, ifindex) that counts. */
struct pdtt_iface_key {
	__u64 netns_cookie;
	__u32 ifindex;
	__u32 pad;
};

struct pdtt_config {
	__u32 all_ifaces; /* 1: count every interface in every netns */
	__u32 owners;	  /* 1: the owner programs run; count for the socket's user */
};

/* What a socket has carried but nobody has been charged for yet: bytes
 * received before a task read them, and sends without their own user
 * (UDP, pure TCP ACKs).  Charged, whole, to the next task that sends or
 * receives on the socket, or to its last owner when it closes. */
struct pdtt_pending {
	__u64 rx_bytes;
	__u64 rx_packets;
	__u64 tx_bytes;
	__u64 tx_packets;
	__u64 netns_cookie; /* where these packets went: one interface at a time */
	__u32 ifindex;
	__u32 pad;
};

/* Bumped whenever struct pdtt_owner or its meaning changes: an upgrade keeps
 * the sockets' records only from a layout with the same owner layout. */
#define PDTT_OWNER_LAYOUT 1

/* bit 0 is reserved */
#define PDTT_OWNER_SEQ (1u << 1)      /* TCP data before tx_seq is prev_uid's */
#define PDTT_OWNER_RELEASED (1u << 2) /* closed: no task will act on it again */

/* Socket-local storage (BPF_MAP_TYPE_SK_STORAGE): who uses the socket. */
struct pdtt_owner {
	__u32 uid;	/* host fsuid of the last task that sent or received */
	__u32 prev_uid; /* the owner before the last change */
	__u32 tx_seq;	/* TCP write_seq at that change */
	__u32 flags;	/* PDTT_OWNER_* */
	struct pdtt_pending pend;
};

/* Packets that could not be counted because the stats map was full. */
struct pdtt_lost {
	__u64 bytes;
	__u64 packets;
};

#endif
