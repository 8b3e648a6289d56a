#!/usr/bin/env bash
# A full per-user table never loses counts silently: with room for one key,
# a second user's packets are counted as lost, exactly, and reported in the
# log, on the console and on stderr.
. "$(dirname "$0")/lib.sh"

setup_netns
start_daemon "$NS_A" --no-db -i lo -t 1 --max-entries 1 -l "$T/log"

udp_lo "$NS_A" $U1 20 100 6101 # takes the only entry
udp_lo "$NS_A" $U2 30 200 6102 # every packet lost: 30 out + 30 in
sleep 1.5
stop_daemon

[ "$(console_counts $U1)" = "$((20 * 128)) 20 $((20 * 128)) 20" ] || fail "U1: $(console_counts $U1)"
[ "$(console_counts $U2)" = "0 0 0 0" ] || fail "U2 should not fit: $(console_counts $U2)"
msg="WARNING: 60 packets ($((60 * 228)) bytes) not counted since start: per-user table full (1 entries); restart with a larger --max-entries"
tail -n 1 "$T/log" | grep -qxF "$msg" || fail "log lacks the lost-count line: $(tail -n 2 "$T/log")"
grep -qF "$msg" "$T/console" || fail "console lacks the lost-count line"
grep -qF "pdtt: $msg" "$T/stderr" || fail "stderr lacks the lost-count line"
pass "lost counts reported exactly: $msg"
assert_no_bpf_left

# A pinned table keeps its size across restarts: the start line and the
# warning give its real size and say what resizes it.
PIN_ROOT=/sys/fs/bpf/pdtt-test-$$
start_daemon "$NS_A" -i lo -t 1 --max-entries 1 -l "$T/log2" -d "$T/db/pdtt.db" --pin-dir "$PIN_ROOT"
stop_daemon
start_daemon "$NS_A" -i lo -t 1 --max-entries 4096 -l "$T/log2" -d "$T/db/pdtt.db" --pin-dir "$PIN_ROOT"
grep -q "the pinned table keeps its size of 1 entries" "$T/stderr" || fail "no warning about the pinned size: $(cat "$T/stderr")"
grep -qE "kernel table: 1 entries for [0-9]+ possible CPUs, about [0-9.]+ [KMG]?i?B of kernel memory; keys unchanged for 3600 s are removed \(pinned" "$T/stderr" ||
	fail "start does not state the real table size: $(cat "$T/stderr")"
udp_lo "$NS_A" $U1 20 100 6103
udp_lo "$NS_A" $U2 30 200 6104
sleep 1.5
stop_daemon
msg="per-user table full (1 entries); run 'pdtt_xdp_user stop', then start again with a larger --max-entries (the pinned table keeps its size until stop)"
tail -n 1 "$T/log2" | grep -qF "$msg" || fail "pinned table: log lacks '$msg': $(tail -n 1 "$T/log2")"
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" >/dev/null 2>&1 || fail "stop failed"
pass "a pinned table's real size at start and in the warning, with what resizes it"
assert_no_bpf_left
