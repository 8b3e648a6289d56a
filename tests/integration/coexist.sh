#!/usr/bin/env bash
# pdtt attaches next to another tool's program on the cgroup v2 root (as
# systemd's are, with BPF_F_ALLOW_MULTI), counts, and on SIGTERM detaches its
# own programs only.
. "$(dirname "$0")/lib.sh"

OTHER=${PDTT_TEST_OTHER_BPF:?PDTT_TEST_OTHER_BPF must name tests/bpf/other.bpf.o}
BPFFS_MOUNTED=""
PIN=/sys/fs/bpf/othertool-$$
other_cleanup() {
	local rc=$?
	set +e
	bpftool cgroup detach "$CGROUP2" egress pinned "$PIN/other_egress" 2>/dev/null
	rm -rf "$PIN"
	[ -z "$BPFFS_MOUNTED" ] || umount /sys/fs/bpf 2>/dev/null
	cleanup $rc
}
trap other_cleanup EXIT

if ! grep -q ' /sys/fs/bpf .* - bpf ' /proc/self/mountinfo; then
	mount -t bpf bpf /sys/fs/bpf
	BPFFS_MOUNTED=1
fi
# grep -q on a pipe would stop reading early: bpftool's SIGPIPE then fails the
# pipeline (pipefail), so the listings are read whole first.
bpftool prog loadall "$OTHER" "$PIN"
bpftool cgroup attach "$CGROUP2" egress pinned "$PIN/other_egress" multi
grep -q other_egress <<<"$(bpftool cgroup show "$CGROUP2")" || fail "could not attach the other program"

setup_netns
start_daemon "$NS_A" --no-db -i lo -t 1 -l "$T/log"
grep -q pdtt_egress <<<"$(bpftool cgroup show "$CGROUP2")" || fail "pdtt not attached next to the other program"
rm -f "$T/run/ready"
as_user "$NS_A" $U1 "$TRAFFIC" udp-recv 127.0.0.1 6201 4000 "$T/run/ready" &
BG_PIDS+=($!)
wait_file "$T/run/ready"
as_user "$NS_A" $U1 "$TRAFFIC" udp-send 127.0.0.1 6201 10 400
wait "${BG_PIDS[-1]}" || fail "udp receiver failed"
stop_daemon TERM

[ "$(console_counts $U1)" = "$((10 * 428)) 10 $((10 * 428)) 10" ] || fail "counted $(console_counts $U1)"
pass "counts exactly next to another program; SIGTERM exits 0"
grep -q other_egress <<<"$(bpftool cgroup show "$CGROUP2")" || fail "pdtt's exit detached the other program"
assert_no_bpf_left
pass "the other program is still attached, pdtt's are gone"
