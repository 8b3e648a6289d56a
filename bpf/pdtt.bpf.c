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
 * The programs only observe: they always return 1 (pass). */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "pdtt.h"
#include "pdtt_wire.h"

#define EEXIST 17

#if !defined(PDTT_VARIANT_FULL) && !defined(PDTT_VARIANT_KCTX) && !defined(PDTT_VARIANT_COMPAT)
#error "define one of PDTT_VARIANT_FULL, PDTT_VARIANT_KCTX, PDTT_VARIANT_COMPAT"
#endif

#if defined(PDTT_VARIANT_FULL) || defined(PDTT_VARIANT_KCTX)
#define PDTT_HAVE_KCTX 1
/* Minimal CO-RE views of kernel structures: libbpf relocates the field
 * offsets against the running kernel's BTF, so no vmlinux.h is needed. */
struct net {
	__u64 net_cookie;
} __attribute__((preserve_access_index));

typedef struct {
	struct net *net;
} possible_net_t;

struct sock_common {
	possible_net_t skc_net;
} __attribute__((preserve_access_index));

typedef struct {
	__u32 val;
} kuid_t;

struct sock {
	struct sock_common __sk_common;
	kuid_t sk_uid;
} __attribute__((preserve_access_index));

struct sk_buff {
	struct sock *sk;
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
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

static __always_inline int socket_owner(struct __sk_buff *skb, __u32 *uid, __u64 *netns)
{
#ifdef PDTT_HAVE_KCTX
	struct sk_buff *kskb = bpf_cast_to_kern_ctx(skb);
	struct sock *sk = kskb->sk;

	if (!sk)
		return -1;
	/* sk_uid is kept in the initial user namespace: the host's view. */
	*uid = sk->sk_uid.val;
#ifdef PDTT_VARIANT_FULL
	*netns = bpf_get_netns_cookie(skb);
#else
	*netns = sk->__sk_common.skc_net.net->net_cookie;
#endif
#else
	*uid = bpf_get_socket_uid(skb);
	*netns = 0;
#endif
	return 0;
}

static __always_inline int iface_selected(__u64 netns, __u32 ifindex)
{
	struct pdtt_iface_key ik = { .netns_cookie = netns, .ifindex = ifindex };
	__u32 zero = 0;
	struct pdtt_config *cfg = bpf_map_lookup_elem(&pdtt_config, &zero);

	if (cfg && cfg->all_ifaces)
		return 1;
	return bpf_map_lookup_elem(&pdtt_ifaces, &ik) != NULL;
}

/* Header bytes repeated in every segment of a GSO/GRO super-packet; the
 * packet data starts at the network header in cgroup_skb programs. */
static __always_inline __u32 segment_hdr_len(struct __sk_buff *skb)
{
	__u8 first = 0, proto = 0, doff = 0;
	__u32 l3;

	if (bpf_skb_load_bytes(skb, 0, &first, 1))
		return 0;
	l3 = pdtt_l3_hdr_len(first);
	if (!l3)
		return 0;
	if (bpf_skb_load_bytes(skb, (first >> 4) == 4 ? 9 : 6, &proto, 1))
		return l3;
	if (proto == PDTT_IPPROTO_TCP && bpf_skb_load_bytes(skb, l3 + 12, &doff, 1))
		return l3;
	return l3 + pdtt_l4_hdr_len(proto, doff);
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

static __always_inline void account(struct __sk_buff *skb, int egress)
{
	struct pdtt_key key = {};
	struct pdtt_value *val;
	__u64 bytes, packets;
	__u32 segs;
	long err;

	if (socket_owner(skb, &key.uid, &key.netns_cookie))
		return;
	key.ifindex = skb->ifindex;
	if (!iface_selected(key.netns_cookie, key.ifindex))
		return;

	segs = pdtt_wire_segments(skb->gso_segs);
	packets = segs;
	bytes = segs > 1 ? pdtt_wire_bytes(skb->len, segs, segment_hdr_len(skb)) : skb->len;

	val = bpf_map_lookup_elem(&pdtt_stats, &key);
	if (!val) {
		struct pdtt_value init = {};

		if (egress) {
			init.tx_bytes = bytes;
			init.tx_packets = packets;
		} else {
			init.rx_bytes = bytes;
			init.rx_packets = packets;
		}
		err = bpf_map_update_elem(&pdtt_stats, &key, &init, BPF_NOEXIST);
		if (!err)
			return;
		/* Another CPU inserted the key first: add to its entry. */
		val = err == -EEXIST ? bpf_map_lookup_elem(&pdtt_stats, &key) : NULL;
		if (!val) {
			count_lost(bytes, packets);
			return;
		}
	}
	/* Per-CPU values, but a program can be preempted by another on the
	 * same CPU (process context vs softirq), so adds must be atomic. */
	if (egress) {
		__sync_fetch_and_add(&val->tx_bytes, bytes);
		__sync_fetch_and_add(&val->tx_packets, packets);
	} else {
		__sync_fetch_and_add(&val->rx_bytes, bytes);
		__sync_fetch_and_add(&val->rx_packets, packets);
	}
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

char LICENSE[] SEC("license") = "Dual BSD/GPL";
