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
