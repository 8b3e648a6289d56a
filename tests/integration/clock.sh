#!/usr/bin/env bash
# Wall-clock steps lose nothing and date nothing in the future.  The daemon
# runs under libfaketime with its offset in a file the test rewrites
# (FAKETIME_DONT_FAKE_MONOTONIC=1 leaves CLOCK_BOOTTIME and the monotonic
# clock real); the test's own clock, the sqlite3 CLI and report are real.
# 1. While the daemon runs, the clock is 400 days ahead for 5 s, then back:
#    every byte U1 sent (payload arithmetic) is in the samples, none dated
#    after the real present, and a report over the real window has them all
#    without widening it.
#    Two hours back for 5 s: the counts wait in the kernel until it is back.
# 2. A restart in the same boot with the clock 400 days ahead: the start's
#    prune deletes no sample, and the rows stay dated in the real present.
# 3. A start at +400 days after a reboot (nothing to compare with) prunes
#    nothing either.
# 4. A start at the real time in the same boot after case 3's commits at
#    +400 days: a step of -400 days, watched for 60 s (nothing committed,
#    nothing of the real week pruned), then adopted: every byte stored,
#    dated by the real clock.
. "$(dirname "$0")/lib.sh"

FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
[ -r "$FAKETIME_LIB" ] || fail "missing libfaketime.so.1 (package libfaketime)"
PIN_ROOT=/sys/fs/bpf/pdtt-test-$$
DB="$T/db/pdtt.db"
OFFSET="$T/faketime" # libfaketime reads it at every call (FAKETIME_NO_CACHE)
echo "+0" >"$OFFSET"
fake_env=(LD_PRELOAD="$FAKETIME_LIB" FAKETIME_TIMESTAMP_FILE="$OFFSET" FAKETIME_NO_CACHE=1
	FAKETIME_DONT_FAKE_MONOTONIC=1
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
env "${fake_env[@]}" true # libfaketime loads

setup_netns
DAEMON_ENV=("${fake_env[@]}")
start_faked() { start_daemon "$NS_A" -i va -t 1 -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT"; }
stored_u1() { dbq "SELECT coalesce(sum(tx_bytes), 0) FROM samples WHERE uid = $U1"; }
wait_stored() { # BYTES: until the samples hold them for U1 (at most 10 s)
	local i=0
	until [ "$(stored_u1)" = "$1" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "samples hold $(stored_u1) bytes for U1, expected $1"
		sleep 0.1
	done
}
# Rows dated after the real present (a second of slack for the commit).
future_rows() { dbq "SELECT count(*) FROM samples WHERE period_end > $(($(date +%s) + 1))"; }

t0=$(date +%s)
start_faked
send_udp $U1 100 1000 7501
wait_stored $((100 * 1028))

# 1. 400 days ahead for 5 s while U1 sends, then back.
echo "+400d" >"$OFFSET"
sleep 1.5
send_udp $U1 50 1000 7502
sleep 3.5
echo "+0" >"$OFFSET"
send_udp $U1 30 1000 7503
wait_stored $((180 * 1028))
sleep 1.5
[ "$(future_rows)" = 0 ] ||
	fail "rows dated in the future: $(dbq "SELECT period_start, period_end, uid FROM samples ORDER BY period_end DESC LIMIT 3")"
t1=$(($(date +%s) + 60))
"$PDTT_BIN" report -d "$DB" --from "$(date -u -d @$t0 '+%F %T')Z" --to "$(date -u -d @$t1 '+%F %T')Z" \
	--format json >"$T/r.json" 2>"$T/r.err" || fail "report: $(cat "$T/r.err")"
got=$(sqlite3 :memory: "SELECT json_extract(value, '$.tx_bytes') FROM json_each(json_extract(readfile('$T/r.json'), '$.rows'))
	WHERE json_extract(value, '$.uid') = $U1")
[ "$got" = $((180 * 1028)) ] || fail "report over the real window: U1 sent '$got', expected $((180 * 1028)): $(cat "$T/r.json")"
win=$(sqlite3 :memory: "SELECT json_extract(readfile('$T/r.json'), '$.window.from') = json_extract(readfile('$T/r.json'), '$.window.requested_from')
	AND json_extract(readfile('$T/r.json'), '$.window.to') = json_extract(readfile('$T/r.json'), '$.window.requested_to')")
[ "$win" = 1 ] || fail "report widened the window: $(cat "$T/r.json")"
grep -q "clock: the wall clock stepped by +400.0 days" "$T/stderr" || fail "step not reported: $(cat "$T/stderr")"
grep -q "clock: the wall clock is back" "$T/stderr" || fail "return not reported: $(cat "$T/stderr")"
pass "400 days ahead for 5 s, then back: every byte stored, nothing in the future, the report unwidened"

# 1b. Two hours back for 5 s: the counts wait in the kernel, then go in.
echo "-2h" >"$OFFSET"
sleep 1.5
send_udp $U1 10 1000 7505
sleep 3.5
echo "+0" >"$OFFSET"
wait_stored $((190 * 1028))
[ "$(future_rows)" = 0 ] || fail "rows dated in the future after a step back"
grep -q "clock: the wall clock stepped by -2.0 hours; counts wait in the kernel" "$T/stderr" ||
	fail "step back not reported: $(cat "$T/stderr")"
pass "2 hours back for 5 s, then forward again: every byte stored, nothing in the future"

# 2. Restart in the same boot with the clock 400 days ahead for 5 s.
stop_daemon
samples0=$(dbq "SELECT count(*) FROM samples")
echo "+400d" >"$OFFSET"
start_faked
send_udp $U1 20 1000 7504
sleep 4
echo "+0" >"$OFFSET"
wait_stored $((210 * 1028))
sleep 1.5
stop_daemon
[ "$(dbq "SELECT count(*) FROM samples")" -ge "$samples0" ] || fail "the start pruned samples"
[ "$(future_rows)" = 0 ] || fail "rows dated in the future after a restart at +400 days"
grep -q "clock: the wall clock stepped by +400.0 days" "$T/stderr" ||
	fail "a step while the daemon was down not caught at start: $(cat "$T/stderr")"
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" 2>"$T/stop.err" || fail "stop failed: $(cat "$T/stop.err")"
pass "a restart at +400 days in the same boot: nothing pruned, nothing dated in the future"

# 3. After a reboot (another boot_id, a new map) the first start has nothing
# to compare the clock with and trusts it; its prune still deletes nothing
# the history has not seen age.
dbq "UPDATE meta SET value = 'another-boot' WHERE key = 'boot_id'"
samples0=$(dbq "SELECT count(*) FROM samples")
u1_0=$(stored_u1)
echo "+400d" >"$OFFSET"
start_faked
sleep 2.5
stop_daemon
echo "+0" >"$OFFSET"
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" 2>"$T/stop.err" || fail "stop failed: $(cat "$T/stop.err")"
[ "$(dbq "SELECT count(*) FROM samples WHERE period_end <= $(date +%s)")" = "$samples0" ] &&
	[ "$(stored_u1)" = "$u1_0" ] || fail "a start at +400 days after a reboot pruned samples"
pass "a start at +400 days after a reboot prunes nothing"

# 4. Case 3 committed (its last end) 400 days ahead; a start in the same boot
# at the real time sees a step of -400 days.  Nothing is committed while it
# is watched, and the start's prune goes by the real clock (against +400
# days it would roll the real week's samples into hours); after 60 s the
# step is adopted: the counts held meanwhile go in, dated by the real clock.
real_samples=$(dbq "SELECT count(*) FROM samples WHERE period_end <= $(date +%s)")
start_faked
t_start=$(date +%s)
sleep 1.5
send_udp $U1 40 1000 7506
sleep 50
[ "$(stored_u1)" = "$u1_0" ] || fail "committed while a step back was watched: $(stored_u1), expected $u1_0"
i=0
until grep -q "clock: the wall clock's step of -400.0 days held for 60 s: adopted" "$T/stderr"; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "step back not adopted after 70 s: $(cat "$T/stderr")"
	sleep 0.1
done
wait_stored $((u1_0 + 40 * 1028))
t_end=$(date +%s)
[ "$(dbq "SELECT count(*) FROM samples WHERE period_end <= $t_start")" = "$real_samples" ] ||
	fail "samples of the real present were pruned against the step: $(dbq "SELECT count(*) FROM samples WHERE period_end <= $t_start") left of $real_samples"
held=$(dbq "SELECT coalesce(sum(tx_bytes), 0) FROM samples WHERE uid = $U1 AND period_end BETWEEN $((t_start + 55)) AND $((t_end + 1))")
[ "$held" = $((40 * 1028)) ] || fail "the held counts are not dated by the adopted clock: $held bytes at adoption, expected $((40 * 1028))"
"$PDTT_BIN" report -d "$DB" --from "$(date -u -d @$t0 '+%F %T')Z" --to "$(date -u -d @$((t_end + 60)) '+%F %T')Z" \
	--format json >"$T/r4.json" 2>"$T/r4.err" || fail "report: $(cat "$T/r4.err")"
got=$(sqlite3 :memory: "SELECT json_extract(value, '$.tx_bytes') FROM json_each(json_extract(readfile('$T/r4.json'), '$.rows'))
	WHERE json_extract(value, '$.uid') = $U1")
[ "$got" = $((u1_0 + 40 * 1028)) ] || fail "report over the real window: U1 sent '$got', expected $((u1_0 + 40 * 1028)): $(cat "$T/r4.json")"
stop_daemon
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" 2>"$T/stop.err" || fail "stop failed: $(cat "$T/stop.err")"
pass "a start at the real time after rows 400 days ahead: held and nothing pruned while watched, adopted after 60 s, every byte stored"
