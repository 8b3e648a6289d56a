/* Facts about the running system: cgroup v2 mount, privileges, network namespace. */
#ifndef PDTT_SYSENV_H
#define PDTT_SYSENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pure: finds the cgroup2 mount point in the text of /proc/self/mountinfo.
 * Prefers a mount of the hierarchy's root ("/"); *whole_tree is false when
 * only a sub-tree is mounted (cgroup namespace).  Returns 0 or -ENOENT. */
int pdtt_parse_cgroup2_mount(const char *mountinfo, char *out, size_t outlen, bool *whole_tree);

/* Reads /proc/self/mountinfo and applies pdtt_parse_cgroup2_mount; falls
 * back to init's mount namespace (path under /proc/1/root). */
int pdtt_find_cgroup2_mount(char *out, size_t outlen, bool *whole_tree);

/* True when the process may load and attach cgroup BPF programs
 * (CAP_SYS_ADMIN, or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN). */
bool pdtt_have_bpf_privileges(void);

/* Cookie of the caller's network namespace (SO_NETNS_COOKIE); 0 on failure. */
uint64_t pdtt_own_netns_cookie(void);

#endif
