// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Stand-in for another tool's cgroup program (systemd's IP accounting, say):
 * pdtt must attach next to it and leave it attached. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 other_runs;

SEC("cgroup_skb/egress")
int other_egress(struct __sk_buff *skb)
{
	(void)skb;
	__sync_fetch_and_add(&other_runs, 1);
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
