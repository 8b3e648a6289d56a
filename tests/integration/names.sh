#!/usr/bin/env bash
# User names off the accounting path (issue 13): the daemon runs in a
# private mount namespace whose nsswitch.conf adds a test NSS source
# (tests/nss_pdtttest.c: names from a file the test edits, each lookup as
# slow as the test says).  A uid first seen while the source takes 8 s and
# has no entry for it is committed on time, shown as (unknown), asked again
# at a bounded rate, and once its entry is added its name reaches the users
# table, the report and the log.  (Before, the name was asked once, in the
# commit: the commit waited for NSS and the uid stayed (unknown).)
. "$(dirname "$0")/lib.sh"

NSS_LIB=${PDTT_TEST_NSS:?PDTT_TEST_NSS must name libnss_pdtttest.so.2}
PIN_ROOT=/sys/fs/bpf/pdtt-test-$$
DB="$T/db/pdtt.db"
UNEW=64100
NSS="$T/nss"
mkdir -m 755 "$NSS"
: >"$NSS/passwd"
echo 8000 >"$NSS/delay"
! getent passwd $UNEW >/dev/null || fail "uid $UNEW has a passwd entry on this machine: the case needs one without"
sed 's/^passwd:.*/passwd: files pdtttest/' /etc/nsswitch.conf >"$T/nsswitch.conf"
grep -q '^passwd: files pdtttest$' "$T/nsswitch.conf" || echo 'passwd: files pdtttest' >>"$T/nsswitch.conf"
REAL_BIN=$PDTT_BIN
cat >"$T/pdtt-nss" <<EOS
#!/bin/sh
# the daemon in a mount namespace of its own, with the test's nsswitch.conf
exec unshare -m sh -c 'mount --bind "\$0" /etc/nsswitch.conf && exec "\$@"' "$T/nsswitch.conf" "$REAL_BIN" "\$@"
EOS
chmod 755 "$T/pdtt-nss"
PDTT_BIN="$T/pdtt-nss"
DAEMON_ENV=(PDTT_TEST_NSS_DIR="$NSS" LD_LIBRARY_PATH="$(dirname "$NSS_LIB")")

setup_netns
stored() { sqlite3 "$DB" "SELECT coalesce(sum(tx_bytes), 0) FROM samples WHERE uid = $UNEW"; }
name_of() { sqlite3 "$DB" "SELECT coalesce(name, 'NULL') FROM users WHERE uid = $UNEW"; }

start_daemon "$NS_A" -i va -t 1 -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT"
send_udp $UNEW 10 1000 7301
t0=$(date +%s%N)
i=0
until [ "$(stored)" = $((10 * 1028)) ]; do
	i=$((i + 1))
	[ $i -lt 40 ] || fail "uid $UNEW: $(stored) bytes stored 4 s after sending (NSS takes 8 s per lookup)"
	sleep 0.1
done
took=$((($(date +%s%N) - t0) / 1000000))
[ "$(name_of)" = NULL ] || fail "users.name is '$(name_of)' before NSS answered"
i=0 # the block follows the commit
until grep -q "UID: $UNEW | Username: (unknown)" "$T/log"; do
	i=$((i + 1))
	[ $i -lt 20 ] || fail "the log does not show uid $UNEW as (unknown): $(cat "$T/log")"
	sleep 0.1
done
! grep -q "schedule slipped" "$T/stderr" || fail "NSS delayed an interval: $(grep 'slipped' "$T/stderr")"
pass "a uid first seen while NSS takes 8 s: committed after ${took} ms, shown as (unknown), no interval late"

# The directory comes back with the user (after NSS said it has none):
# its name reaches the users table, the report and the log.
i=0
until grep -qx "$UNEW missing" "$NSS/calls" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 150 ] || fail "NSS never answered about uid $UNEW"; sleep 0.1
done
echo 0 >"$NSS/delay"
# Still missing, now answered at once: asked again at a bounded rate (5 s,
# then 10 s later), not every interval (12 asks in these 12 s).
asked=$(grep -cx "$UNEW" "$NSS/calls")
sleep 12
asked=$(($(grep -cx "$UNEW" "$NSS/calls") - asked))
[ "$asked" -ge 1 ] && [ "$asked" -le 2 ] || fail "NSS asked $asked times about uid $UNEW in 12 s: $(cat "$NSS/calls")"
echo "pdttlate:$UNEW" >>"$NSS/passwd"
i=0
until [ "$(name_of)" = pdttlate ]; do
	i=$((i + 1))
	[ $i -lt 400 ] || fail "uid $UNEW still named '$(name_of)' 40 s after its entry was added"
	sleep 0.1
done
"$REAL_BIN" report -d "$DB" --last 1d --format csv >"$T/r.csv" 2>"$T/r.err" || fail "report: $(cat "$T/r.err")"
grep -q "pdttlate" "$T/r.csv" || fail "report lacks the name: $(cat "$T/r.csv")"
send_udp $UNEW 5 1000 7302
i=0
until grep -q "UID: $UNEW | Username: pdttlate" "$T/log"; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "the log never named uid $UNEW: $(grep -A1 "UID: $UNEW" "$T/log" | tail -n 2)"
	sleep 0.1
done
stop_daemon
calls=$(grep -cx "$UNEW" "$NSS/calls")
[ "$calls" -ge 3 ] && [ "$calls" -le 5 ] || fail "NSS asked $calls times about uid $UNEW: $(cat "$NSS/calls")"
pass "still missing: asked $asked times in 12 s; its entry added later: named in the users table, the report and the log; NSS asked $calls times in all"
