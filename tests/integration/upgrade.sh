#!/usr/bin/env bash
# An upgrade across a map layout change keeps every byte.  The same daemon
# built with PDTT_TEST_LAYOUT (layout 2: the stats value gains a spare
# counter) takes over layout 1's pins while traffic flows: its programs swap
# in through the pinned cgroup links (same link ids), the old map's final
# counts are committed once, then the old pins go.  Oracles: the veth's own
# counters against the sum over all users in the database, and the payload
# arithmetic of a UDP stream that runs through the upgrade.
. "$(dirname "$0")/lib.sh"

V2=${PDTT_TEST_LAYOUT2:?PDTT_TEST_LAYOUT2: the layout-2 daemon (tests/CMakeLists.txt builds it)}
[ -x "$V2" ] || fail "not executable: $V2"
DB="$T/db/pdtt.db"
PIN_ROOT=/sys/fs/bpf/pdtt-test-$$
pinned_link_id() { bpftool link show pinned "$1" 2>/dev/null | sed -n 's/^\([0-9]*\): .*/\1/p'; }
link_ids() { echo "$(pinned_link_id "$1/link_ingress") $(pinned_link_id "$1/link_egress")"; }
start() { # BIN
	local bin=$1
	PDTT_BIN=$bin start_daemon "$NS_A" -i va -t 1 -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT"
}

setup_netns
start "$PDTT_BIN"
[ -e "$PIN_ROOT/1/link_ingress" ] || fail "layout 1 is not pinned in $PIN_ROOT/1"
old_ids=$(link_ids "$PIN_ROOT/1")
[ "$(wc -w <<<"$old_ids")" = 2 ] || fail "layout 1's cgroup link ids: '$old_ids'"
wait_quiet "$NS_A" va 0.5
sleep 1.5
before_va=$(va_ip)
before_stored=$(all_stored)

# A socket whose received data nobody has read across the upgrade: its
# counts wait in the socket's owner record, which must carry over.
hold_unread 7300 1500000
spid=$HOLD_SPID
cpid=$HOLD_CPID

# A UDP stream from U1 that runs before, during and after the upgrade.
rm -f "$T/run/ready"
as_user "$NS_B" $U3 "$TRAFFIC" udp-recv 10.99.1.2 7301 $((80000 * 1000)) "$T/run/ready" &
rpid=$!
BG_PIDS+=("$rpid")
wait_file "$T/run/ready"
as_user "$NS_A" $U1 "$TRAFFIC" udp-send 10.99.1.2 7301 80000 1000 &
upid=$!
BG_PIDS+=("$upid")
sleep 0.7
stop_daemon
sleep 0.3 # the kernel counts on while no daemon runs
kill -0 $upid 2>/dev/null || fail "the UDP stream ended before the upgrade: make it longer"
# A first attempt while an admin holds the database's write lock: the old
# counts cannot be stored, so the start fails (status 7) and both layouts
# stay pinned and counting; the next start finishes the upgrade.
rm -f "$T/run/unlock"
# (bounded, and gone with the test's directory: a failing test must not
# leave it holding ctest's output open)
(echo "BEGIN IMMEDIATE;"
	for ((w = 0; w < 600; w++)); do [ -d "$T/run" ] && [ ! -e "$T/run/unlock" ] || break; sleep 0.1; done
	echo "COMMIT;") | sqlite3 -cmd ".timeout 5000" "$DB" & # waits out the probe below if they meet
lpid=$!
BG_PIDS+=("$lpid")
i=0
while sqlite3 -cmd ".timeout 0" "$DB" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "the test could not take the database's write lock"
	sleep 0.1
done
rc=0
nsenter --net="/run/netns/$NS_A" timeout 60 "$V2" -i va -t 1 -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT" \
	>/dev/null 2>"$T/first.err" || rc=$?
touch "$T/run/unlock"
[ $rc = 7 ] || fail "upgrade under a held lock: exit $rc, not 7: $(cat "$T/first.err")"
grep -q "cannot store the counts of map layout 1: .*; its pins stay and the next start stores them" "$T/first.err" ||
	fail "no clear message for the interrupted upgrade: $(cat "$T/first.err")"
[ -e "$PIN_ROOT/1/pdtt_stats" ] && [ -e "$PIN_ROOT/2/pdtt_stats" ] && [ -e "$PIN_ROOT/2/link_ingress" ] ||
	fail "an interrupted upgrade must leave both layouts' maps pinned: $(ls -R "$PIN_ROOT")"
[ "$(link_ids "$PIN_ROOT/2")" = "$old_ids" ] || fail "the interrupted upgrade did not keep the links"
wait $lpid
start "$V2"
kill -0 $upid 2>/dev/null || fail "the UDP stream ended during the upgrade: make it longer"
grep -q "upgraded from map layout 1: its links run this version's programs, the [0-9]* bytes it counted since the last commit are stored, its pins are removed" "$T/stderr" ||
	fail "no upgrade line: $(cat "$T/stderr")"
[ ! -e "$PIN_ROOT/1" ] || fail "layout 1's pins left: $(ls "$PIN_ROOT/1")"
[ -e "$PIN_ROOT/2/link_ingress" ] && [ -e "$PIN_ROOT/2/pdtt_stats" ] || fail "layout 2 is not pinned"
new_ids=$(link_ids "$PIN_ROOT/2")
[ "$new_ids" = "$old_ids" ] ||
	fail "the cgroup links were not kept (update_program): before '$old_ids', after '$new_ids'"
touch "$T/run/hold"
wait "$upid" || fail "UDP sender failed"
wait "$rpid" || fail "UDP receiver did not get all its bytes"
wait "$spid" || fail "held server did not get its 1500000 bytes"
wait "$cpid" || fail "sender to the held server failed"
wait_quiet "$NS_A" va 0.5
after_va=$(va_ip)
want=$(echo "$before_va $after_va" | awk '{ print $3 - $1, $4 - $2 }')
i=0
until got=$(all_stored) &&
	[ "$(dbq "SELECT coalesce(sum(tx_bytes), 0) || ' ' || coalesce(sum(tx_packets), 0) FROM samples WHERE uid = $U1")" = "$((80000 * 1028)) 80000" ] &&
	[ "$(echo "$before_stored $got" | awk '{ print $3 - $1, $4 - $2 }')" = "$want" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "after the upgrade: stored '$got' (since before: $(echo "$before_stored $got" | awk '{ print $3 - $1, $4 - $2 }')), va moved '$want'; U1 tx: $(dbq "SELECT sum(tx_bytes), sum(tx_packets) FROM samples WHERE uid = $U1")"
	sleep 0.1
done
[ "$(dbq "SELECT coalesce(sum(rx_bytes), 0) FROM samples WHERE uid = $U2")" -ge 1500000 ] ||
	fail "the held socket's data did not reach U2: $(dbq "SELECT uid, sum(rx_bytes) FROM samples GROUP BY uid")"
stop_daemon
pass "upgrade from layout 1 to 2 with traffic flowing, interrupted once: every byte stored once (${want% *} bytes), the links kept, the old pins gone"

# An old layout's directory left behind after its counts were stored (a
# removal that failed): the next start only removes it and keeps the new
# map's baseline, storing nothing twice.
stored=$(all_stored)
mkdir "$PIN_ROOT/1"
bpftool map create "$PIN_ROOT/1/pdtt_stats" type percpu_hash key 16 value 32 entries 4 name pdtt_stats ||
	fail "cannot make a stand-in layout 1 map"
# with counts in it, as the real leftover would have: they were stored already
# (bpftool writes the value on every CPU)
bytes() { local v=$1 i; for ((i = 0; i < $2; i++)); do printf '0x%02x ' $((v & 255)); v=$((v >> 8)); done; }
value="$(bytes 5000 8)$(bytes 5 8)$(bytes 7000 8)$(bytes 7 8)"
bpftool map update pinned "$PIN_ROOT/1/pdtt_stats" key $(bytes $U1 4) $(bytes 1 4) $(bytes 42 8) value $value ||
	fail "cannot fill the stand-in layout 1 map"
start "$V2"
grep -q "upgraded from map layout 1: .* the 0 bytes it counted since the last commit are stored" "$T/stderr" ||
	fail "leftover directory: $(cat "$T/stderr")"
sleep 2.5
stop_daemon
[ ! -e "$PIN_ROOT/1" ] || fail "the leftover layout 1 directory stays"
[ "$(all_stored)" = "$stored" ] || fail "a restart over a leftover directory stored '$(all_stored)', was '$stored'"
pass "a leftover old layout directory is removed without storing anything twice"

# stop removes every layout's pins, and a second start of the new layout
# finds no older one.
"$V2" stop --pin-dir "$PIN_ROOT" 2>"$T/stop.err" || fail "stop failed: $(cat "$T/stop.err")"
[ ! -e "$PIN_ROOT" ] || fail "pins left after stop: $(ls -R "$PIN_ROOT")"
# An older daemon refuses a newer layout's pins instead of counting twice.
start "$V2"
stop_daemon
nsenter --net="/run/netns/$NS_A" "$PDTT_BIN" -i va -t 1 -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT" 2>"$T/old.err" && fail "layout 1 started on layout 2's pins"
grep -q "pins of map layout 2, which this pdtt (layout 1) cannot take over; start the version that made them, or run 'pdtt_xdp_user stop'" "$T/old.err" ||
	fail "no clear refusal: $(cat "$T/old.err")"
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" 2>"$T/stop.err" || fail "layout 1's stop did not remove layout 2: $(cat "$T/stop.err")"
[ ! -e "$PIN_ROOT" ] || fail "pins left after stop: $(ls -R "$PIN_ROOT")"
pass "stop removes every layout; an older daemon refuses a newer layout's pins"
assert_no_bpf_left
