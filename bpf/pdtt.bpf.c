// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-user traffic accounting: cgroup_skb programs on the cgroup v2 root.
 *
 * Built three times, one object per kernel generation (see CMakeLists.txt):
 *   PDTT_VARIANT_FULL   6.15+: host uid via bpf_cast_to_kern_ctx, netns via
 *                       bpf_get_netns_cookie
 *   PDTT_VARIANT_KCTX   6.2+:  host uid and netns cookie read from the socket
 *                       through bpf_cast_to_kern_ctx (CO-RE)
 *   PDTT_VARIANT_COMPAT older: bpf_get_socket_uid (uid as seen from the
 *                       socket's user namespace), no netns distinction
 *
 * Who (full and kctx, when the kernel has the tracepoints): the user a
 * packet counts for is the one on whose behalf a task last sent or received
 * on the socket, its host fsuid, kept in socket-local storage by the owner
 * programs at the bottom.  Before any task did I/O it is the socket's
 * creator (sk_uid).  What cannot be charged to a user when the packet passes
 * (received data nobody has read yet, UDP sends, pure ACKs) waits in the
 * socket's storage and goes to the next task that uses the socket; TCP data
 * goes to whoever wrote it, told apart by sequence number.
 *
 * The programs only observe: they always return 1 (pass). */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "pdtt.h"
#include "pdtt_wire.h"
#include "pdtt_owner.h"

#define EEXIST 17

#if !defined(PDTT_VARIANT_FULL) && !defined(PDTT_VARIANT_KCTX) && !defined(PDTT_VARIANT_COMPAT)
#error "define one of PDTT_VARIANT_FULL, PDTT_VARIANT_KCTX, PDTT_VARIANT_COMPAT"
#endif

#if defined(PDTT_VARIANT_FULL) || defined(PDTT_VARIANT_KCTX)
#define PDTT_HAVE_KCTX 1
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* Minimal CO-RE views of kernel structures: libbpf relocates the field
 * offsets against the running kernel's BTF, so no vmlinux.h is needed. */
struct net {
	__u64 net_cookie;
} __attribute__((preserve_access_index));

typedef struct {
	struct net *net;
} possible_net_t;

struct sock;

struct sock_common {
	possible_net_t skc_net;
	volatile unsigned char skc_state;
	unsigned long skc_flags;   /* bit 0: SOCK_DEAD, orphaned after close */
	struct sock *skc_listener; /* request sockets: their listener */
} __attribute__((preserve_access_index));

typedef struct {
	__u32 val;
} kuid_t;

struct socket;

typedef struct {
	int owned; /* a task holds the socket lock (lock_sock) */
} __attribute__((preserve_access_index)) socket_lock_t;

struct sock {
	struct sock_common __sk_common;
	socket_lock_t sk_lock;
	kuid_t sk_uid;
	struct socket *sk_socket;
	__u16 sk_protocol;
	__u8 sk_kern_sock : 1;
} __attribute__((preserve_access_index));

struct tcp_sock {
	__u32 write_seq;
} __attribute__((preserve_access_index));

struct sk_buff {
	struct sock *sk;
} __attribute__((preserve_access_index));

struct cred {
	kuid_t fsuid;
} __attribute__((preserve_access_index));

struct task_struct {
	unsigned int flags;
	const struct cred *cred;
} __attribute__((preserve_access_index));

#define PDTT_PF_KTHREAD 0x00200000

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

#define PDTT_TCP_TIME_WAIT 6
#define PDTT_TCP_NEW_SYN_RECV 12
#endif

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, PDTT_DEFAULT_MAX_ENTRIES); /* resized before load */
	__type(key, struct pdtt_key);
	__type(value, struct pdtt_value);
} pdtt_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PDTT_MAX_IFACE_FILTERS);
	__type(key, struct pdtt_iface_key);
	__type(value, __u8);
} pdtt_ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pdtt_config);
} pdtt_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pdtt_lost);
} pdtt_lost SEC(".maps");

#ifdef PDTT_HAVE_KCTX
/* Set by the daemon before load: 0 when the owner programs stay out, so the
 * verifier drops the packets' owner code (account_owned) too and a kernel
 * that would refuse it still loads the rest; the flush of records an earlier
 * run left stays.  pdtt_config.owners then says when the owner code runs. */
const volatile __u32 pdtt_owner_code SEC(".rodata.owners") = 1;

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pdtt_owner);
} pdtt_owners SEC(".maps");
#endif

static __always_inline struct pdtt_config *config(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&pdtt_config, &zero);
}

static __always_inline int iface_selected(const struct pdtt_config *cfg, __u64 netns, __u32 ifindex)
{
	struct pdtt_iface_key ik = { .netns_cookie = netns, .ifindex = ifindex };

	if (cfg && cfg->all_ifaces)
		return 1;
	return bpf_map_lookup_elem(&pdtt_ifaces, &ik) != NULL;
}

/* What the IP and transport headers say about a packet; the packet data
 * starts at the network header in cgroup_skb programs. */
struct pkt_info {
	__u32 hdr_len; /* IP + transport header: repeated in every GSO segment */
	__u8 proto;
	__u8 tcp_payload; /* TCP segment carrying data */
	__u32 seq;	  /* its first sequence number */
};

/* The first bytes of the IP header (to its protocol byte: IPv4 9, IPv6 6)
 * and of the TCP header (sequence number to data offset), straight from
 * the packet when they are in its linear part, else copied. */
#define PDTT_IP_BYTES 10
#define PDTT_TCP_BYTES 9

static __always_inline void parse(struct __sk_buff *skb, struct pkt_info *pi)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u8 ipbuf[PDTT_IP_BYTES] = {}, tcpbuf[PDTT_TCP_BYTES] = {};
	const __u8 *ip = data, *tcp;
	__u32 l3;

	if (data + PDTT_IP_BYTES > end) {
		if (bpf_skb_load_bytes(skb, 0, ipbuf, sizeof(ipbuf)))
			return;
		ip = ipbuf;
	}
	l3 = pdtt_l3_hdr_len(ip[0]);
	if (!l3)
		return;
	pi->hdr_len = l3;
	pi->proto = (ip[0] >> 4) == 4 ? ip[9] : ip[6];
	if (pi->proto != PDTT_IPPROTO_TCP) {
		pi->hdr_len = l3 + pdtt_l4_hdr_len(pi->proto, 0);
		return;
	}
	l3 &= 0x7f; /* at most 60: a bound the verifier can see */
	tcp = data + l3 + 4;
	if ((void *)tcp + PDTT_TCP_BYTES > end) {
		if (bpf_skb_load_bytes(skb, l3 + 4, tcpbuf, sizeof(tcpbuf)))
			return;
		tcp = tcpbuf;
	}
	pi->hdr_len = l3 + pdtt_l4_hdr_len(pi->proto, tcp[8]);
	if (skb->len > pi->hdr_len) {
		pi->seq = (__u32)tcp[0] << 24 | (__u32)tcp[1] << 16 | (__u32)tcp[2] << 8 | tcp[3];
		pi->tcp_payload = 1;
	}
}

static __always_inline void count_lost(__u64 bytes, __u64 packets)
{
	__u32 zero = 0;
	struct pdtt_lost *lost = bpf_map_lookup_elem(&pdtt_lost, &zero);

	if (lost) {
		__sync_fetch_and_add(&lost->bytes, bytes);
		__sync_fetch_and_add(&lost->packets, packets);
	}
}

/* Adds to the user's counters for (netns, ifindex). */
static __always_inline void charge(__u32 uid, __u64 netns, __u32 ifindex, __u64 rx_bytes,
				   __u64 rx_packets, __u64 tx_bytes, __u64 tx_packets)
{
	struct pdtt_key key = { .uid = uid, .ifindex = ifindex, .netns_cookie = netns };
	struct pdtt_value *val = bpf_map_lookup_elem(&pdtt_stats, &key);
	long err;

	if (!val) {
		struct pdtt_value init = { .rx_bytes = rx_bytes,
					   .rx_packets = rx_packets,
					   .tx_bytes = tx_bytes,
					   .tx_packets = tx_packets };

		err = bpf_map_update_elem(&pdtt_stats, &key, &init, BPF_NOEXIST);
		if (!err)
			return;
		/* Another CPU inserted the key first: add to its entry. */
		val = err == -EEXIST ? bpf_map_lookup_elem(&pdtt_stats, &key) : NULL;
		if (!val) {
			count_lost(rx_bytes + tx_bytes, rx_packets + tx_packets);
			return;
		}
	}
	/* Per-CPU values, but a program can be preempted by another on the
	 * same CPU (process context vs softirq), so adds must be atomic. */
	/* Bytes may come without their packets: a flush that raced an add. */
	if (rx_bytes | rx_packets) {
		__sync_fetch_and_add(&val->rx_bytes, rx_bytes);
		__sync_fetch_and_add(&val->rx_packets, rx_packets);
	}
	if (tx_bytes | tx_packets) {
		__sync_fetch_and_add(&val->tx_bytes, tx_bytes);
		__sync_fetch_and_add(&val->tx_packets, tx_packets);
	}
}

static __always_inline void charge_dir(__u32 uid, __u64 netns, __u32 ifindex, int egress,
				       __u64 bytes, __u64 packets)
{
	if (egress)
		charge(uid, netns, ifindex, 0, 0, bytes, packets);
	else
		charge(uid, netns, ifindex, bytes, packets, 0, 0);
}

#ifdef PDTT_HAVE_KCTX
/* Charges what waits in the socket's storage to uid.  Each counter is
 * taken with an atomic exchange, so concurrent flushes never count twice. */
static __always_inline void flush_pending(struct pdtt_owner *o, __u32 uid)
{
	__u64 rxb, rxp, txb, txp;

	/* A concurrent add may leave bytes without their packet for a moment:
	 * look at all four, or those bytes would wait for the next packet. */
	if (!(o->pend.rx_bytes | o->pend.rx_packets | o->pend.tx_bytes | o->pend.tx_packets))
		return;
	rxb = __sync_lock_test_and_set(&o->pend.rx_bytes, 0);
	rxp = __sync_lock_test_and_set(&o->pend.rx_packets, 0);
	txb = __sync_lock_test_and_set(&o->pend.tx_bytes, 0);
	txp = __sync_lock_test_and_set(&o->pend.tx_packets, 0);
	if (rxb | rxp | txb | txp)
		charge(uid, o->pend.netns_cookie, o->pend.ifindex, rxb, rxp, txb, txp);
}

/* uid of a socket that is not a full one: a request socket (SYN-ACK)
 * belongs to its listener's creator, a TIME_WAIT socket to the kernel. */
static __always_inline __u32 minisock_uid(struct sock *sk)
{
	if (sk->__sk_common.skc_state == PDTT_TCP_NEW_SYN_RECV)
		return BPF_CORE_READ(sk, __sk_common.skc_listener, sk_uid.val);
	return 0;
}

/* Counts a packet for the socket's user (see the top of this file). */
static __always_inline void account_owned(struct __sk_buff *skb, struct sock *ksk, __u64 netns,
					  int egress, __u64 bytes, __u64 packets,
					  const struct pkt_info *pi)
{
	struct bpf_sock *sk = skb->sk, *fsk = sk ? bpf_sk_fullsock(sk) : NULL;
	struct pdtt_owner init = {}, *o;
	__u32 uid;

	if (!fsk) {
		charge_dir(minisock_uid(ksk), netns, skb->ifindex, egress, bytes, packets);
		return;
	}
	uid = ksk->sk_uid.val;
	/* Kernel sockets (NFS, SunRPC, tunnels) and listeners (the handshake)
	 * stay with their creator. */
	if (BPF_CORE_READ_BITFIELD(ksk, sk_kern_sock) || fsk->state == BPF_TCP_LISTEN) {
		charge_dir(uid, netns, skb->ifindex, egress, bytes, packets);
		return;
	}
	init.uid = uid;
	o = bpf_sk_storage_get(&pdtt_owners, fsk, &init, BPF_SK_STORAGE_GET_F_CREATE);
	if (!o) { /* no memory for the record: the creator, as without owners */
		charge_dir(uid, netns, skb->ifindex, egress, bytes, packets);
		return;
	}
	uid = o->uid;
	switch (pdtt_route_packet(egress, pi->proto == PDTT_IPPROTO_TCP, pi->tcp_payload,
				  (o->flags & PDTT_OWNER_RELEASED) ||
					  (ksk->__sk_common.skc_flags & 1))) {
	case PDTT_CHARGE_BY_SEQ: {
		struct bpf_tcp_sock *tp = bpf_tcp_sock(fsk);
		int done = 0;

		if (tp) {
			uid = pdtt_segment_owner(o, tp->snd_una, pi->seq, &done);
			if (done)
				__sync_fetch_and_and(&o->flags, ~PDTT_OWNER_SEQ);
		}
		charge(uid, netns, skb->ifindex, 0, 0, bytes, packets);
		return;
	}
	case PDTT_CHARGE_NOW:
		charge_dir(uid, netns, skb->ifindex, egress, bytes, packets);
		return;
	case PDTT_WAIT:
		break;
	}
	if (o->pend.ifindex != skb->ifindex || o->pend.netns_cookie != netns) {
		/* One interface at a time: what waits for the other one goes
		 * to the current owner. */
		flush_pending(o, uid);
		o->pend.ifindex = skb->ifindex;
		o->pend.netns_cookie = netns;
	}
	if (egress) {
		__sync_fetch_and_add(&o->pend.tx_bytes, bytes);
		__sync_fetch_and_add(&o->pend.tx_packets, packets);
	} else {
		__sync_fetch_and_add(&o->pend.rx_bytes, bytes);
		__sync_fetch_and_add(&o->pend.rx_packets, packets);
	}
	/* Closed meanwhile: its release already flushed, so flush this too. */
	if (*(volatile __u32 *)&o->flags & PDTT_OWNER_RELEASED)
		flush_pending(o, uid);
}
#endif

static __always_inline void account(struct __sk_buff *skb, int egress)
{
	struct pdtt_config *cfg;
	struct pkt_info pi = {};
	__u64 bytes, packets, netns;
	__u32 segs, uid;

#ifdef PDTT_HAVE_KCTX
	struct sk_buff *kskb = bpf_cast_to_kern_ctx(skb);
	struct sock *ksk = kskb->sk;

	if (!ksk)
		return;
#ifdef PDTT_VARIANT_FULL
	netns = bpf_get_netns_cookie(skb);
#else
	netns = ksk->__sk_common.skc_net.net->net_cookie;
#endif
#else
	netns = 0;
#endif
	cfg = config();
	if (!iface_selected(cfg, netns, skb->ifindex))
		return;

	segs = pdtt_wire_segments(skb->gso_segs);
	packets = segs;
	parse(skb, &pi);
	bytes = pdtt_wire_bytes(skb->len, segs, pi.hdr_len);

#ifdef PDTT_HAVE_KCTX
	if (pdtt_owner_code && cfg && cfg->owners) {
		account_owned(skb, ksk, netns, egress, bytes, packets, &pi);
		return;
	}
	/* sk_uid is kept in the initial user namespace: the host's view. */
	{
		struct bpf_sock *sk = skb->sk, *fsk = sk ? bpf_sk_fullsock(sk) : NULL;

		uid = fsk ? ksk->sk_uid.val : minisock_uid(ksk);
		/* Owners were switched off (or a start failed halfway): what an
		 * earlier run left waiting on this socket is charged now. */
		if (fsk) {
			struct pdtt_owner *o = bpf_sk_storage_get(&pdtt_owners, fsk, 0, 0);

			if (o)
				flush_pending(o, o->uid);
		}
	}
#else
	uid = bpf_get_socket_uid(skb);
#endif
	charge_dir(uid, netns, skb->ifindex, egress, bytes, packets);
}

SEC("cgroup_skb/ingress")
int pdtt_ingress(struct __sk_buff *skb)
{
	account(skb, 0);
	return 1;
}

SEC("cgroup_skb/egress")
int pdtt_egress(struct __sk_buff *skb)
{
	account(skb, 1);
	return 1;
}

#ifdef PDTT_HAVE_KCTX
/* --- Owner programs: a task sends or receives on a socket (process context) */

/* The task running now uses sk: it becomes the owner, and what waited in
 * the socket's storage is charged to it. */
static __always_inline void task_uses(struct sock *sk)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pdtt_owner init = {}, *o;
	__u32 uid;

	/* Kernel sockets keep uid 0 even in a user's context (NFS); kernel
	 * threads working for a socket's user (kTLS) never become its owner. */
	if (!sk || BPF_CORE_READ_BITFIELD(sk, sk_kern_sock) || (task->flags & PDTT_PF_KTHREAD))
		return;
	uid = task->cred->fsuid.val;
	init.uid = uid;
	o = bpf_sk_storage_get(&pdtt_owners, sk, &init, BPF_SK_STORAGE_GET_F_CREATE);
	if (!o)
		return;
	if (o->uid != uid) {
		struct tcp_sock *tp =
			sk->sk_protocol == PDTT_IPPROTO_TCP ? bpf_skc_to_tcp_sock(sk) : NULL;

		__u32 set = pdtt_owner_change(o, uid, tp != NULL, tp ? tp->write_seq : 0);

		if (set)
			__sync_fetch_and_or(&o->flags, set);
	}
	flush_pending(o, uid);
}

/* Before each batch of TCP data is queued: the writer owns it. */
SEC("tp_btf/tcp_sendmsg_locked")
int BPF_PROG(pdtt_tcp_sendmsg, struct sock *sk)
{
	task_uses(sk);
	return 0;
}

/* After every send and receive call on a socket: send/recv family,
 * read/write, sendfile and splice to a socket, io_uring. */
SEC("tp_btf/sock_send_length")
int BPF_PROG(pdtt_send_length, struct sock *sk)
{
	task_uses(sk);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(pdtt_recv_length, struct sock *sk)
{
	task_uses(sk);
	return 0;
}

/* TCP reads that bypass recvmsg: splice and sendfile from a socket.  Only
 * under the socket lock, that is in the reading task (a sockmap may also
 * read from softirq). */
SEC("tp_btf/tcp_rcv_space_adjust")
int BPF_PROG(pdtt_tcp_rcv_space, struct sock *sk)
{
	if (sk && sk->sk_lock.owned)
		task_uses(sk);
	return 0;
}

/* The socket is closed by its last user: what waits goes to its owner, and
 * what passes later (FIN, the last ACKs) is charged at once. */
SEC("cgroup/sock_release")
int pdtt_sock_release(struct bpf_sock *ctx)
{
	struct sock *sk = bpf_cast_to_kern_ctx(ctx);
	struct pdtt_owner init = { .flags = PDTT_OWNER_RELEASED }, *o;

	/* Created if missing, released already: a packet that still comes
	 * (UDP, before the socket is unhashed) is charged at once. */
	init.uid = sk->sk_uid.val;
	o = bpf_sk_storage_get(&pdtt_owners, ctx, &init, BPF_SK_STORAGE_GET_F_CREATE);
	if (!o) /* a packet on another CPU created it first */
		o = bpf_sk_storage_get(&pdtt_owners, ctx, 0, 0);
	if (o) {
		__sync_fetch_and_or(&o->flags, PDTT_OWNER_RELEASED);
		flush_pending(o, o->uid);
	}
	return 1;
}

/* A TCP socket is freed (also the never-accepted and the orphaned ones). */
SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(pdtt_tcp_destroy, struct sock *sk)
{
	struct pdtt_owner *o = bpf_sk_storage_get(&pdtt_owners, sk, 0, 0);

	if (o)
		flush_pending(o, o->uid);
	return 0;
}
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";
