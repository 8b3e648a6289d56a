// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Baseline for bench/bpf_cost.sh: the least a per-user byte counter on a
 * cgroup_skb hook can do.  One helper for the uid, one per-CPU hash lookup,
 * two atomic adds; no interface filter, no netns, no GSO arithmetic.
 * Both programs only observe: they always return 1 (pass). */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct min_value {
	__u64 bytes;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct min_value);
} min_stats SEC(".maps");

static __always_inline void min_count(struct __sk_buff *skb)
{
	__u32 uid = bpf_get_socket_uid(skb);
	struct min_value *val = bpf_map_lookup_elem(&min_stats, &uid);

	if (!val) {
		struct min_value init = { .bytes = skb->len, .packets = 1 };

		/* Inserted by another CPU meanwhile: this packet is dropped from
		 * the count, which a baseline can afford. */
		bpf_map_update_elem(&min_stats, &uid, &init, BPF_NOEXIST);
		return;
	}
	/* Atomic: a softirq can interrupt a process-context run on this CPU. */
	__sync_fetch_and_add(&val->bytes, skb->len);
	__sync_fetch_and_add(&val->packets, 1);
}

SEC("cgroup_skb/ingress")
int min_ingress(struct __sk_buff *skb)
{
	min_count(skb);
	return 1;
}

SEC("cgroup_skb/egress")
int min_egress(struct __sk_buff *skb)
{
	min_count(skb);
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
