#!/usr/bin/env bash
# History in SQLite with real traffic: exact totals per user; kill -9 during
# traffic and a restart lose and duplicate nothing (the pinned programs keep
# counting); a held write lock and a full disk lose nothing once cleared; a
# long reader never blocks the daemon; 'stop' then a restart starts from zero.
. "$(dirname "$0")/lib.sh"

PIN_ROOT=/sys/fs/bpf/pdtt-test-$$
DB="$T/db/pdtt.db"
SMALL="$T/small"
history_cleanup() {
	local rc=$?
	set +e
	[ -z "$DAEMON_PID" ] || { kill -9 "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null; }
	DAEMON_PID=""
	mountpoint -q "$SMALL" && umount "$SMALL"
	[ -z "${OTHER_PINS:-}" ] || "$PDTT_BIN" stop --pin-dir "$OTHER_PINS" >/dev/null 2>&1
	cleanup $rc
}
trap history_cleanup EXIT


# Sends COUNT datagrams of SIZE bytes from uid U in NS_A to NS_B over va.
db_tx() { # UID -> "tx_bytes tx_packets" stored for that user
	dbq "SELECT coalesce(sum(tx_bytes), 0) || ' ' || coalesce(sum(tx_packets), 0) FROM samples WHERE uid = $1"
}

wait_committed() { # UID EXPECTED: until the database holds it (at most 10 s)
	local i=0
	until [ "$(db_tx "$1")" = "$2" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "uid $1: database holds '$(db_tx "$1")', expected '$2'"
		sleep 0.1
	done
}

setup_netns
start() { start_daemon "$NS_A" -i va -t 1 -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT" "$@"; }

# 1. Exact totals, and the files' modes whatever the umask (systemd's
# UMask=0077: before, the database was created 0600 and the log 0600).
old_umask=$(umask)
umask 077
start
umask "$old_umask"
send_udp $U1 200 1000 7101
wait_committed $U1 "$((200 * 1028)) 200"
[ "$(stat -c %a "$T/db")" = 750 ] || fail "database directory mode $(stat -c %a "$T/db")"
for f in "$DB" "$DB-wal" "$DB-shm" "$T/log"; do
	[ "$(stat -c %a "$f")" = 640 ] || fail "mode of $f: $(stat -c %a "$f") under umask 077"
done
[ "$(dbq 'PRAGMA journal_mode')" = wal ] || fail "not in WAL mode"
pass "exact totals in the database; modes 750/640 under umask 077; WAL"

# 2. kill -9 in the middle of traffic; the kernel keeps counting.
rm -f "$T/run/ready"
as_user "$NS_B" $U3 "$TRAFFIC" udp-recv 10.99.1.2 7102 $((3000 * 1000)) "$T/run/ready" &
rpid=$!
BG_PIDS+=("$rpid")
wait_file "$T/run/ready"
as_user "$NS_A" $U1 "$TRAFFIC" udp-send 10.99.1.2 7102 3000 1000 &
spid=$!
BG_PIDS+=("$spid")
sleep 0.3
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=""
wait "$spid" || fail "sender failed"
wait "$rpid" || fail "receiver failed"
[ -e "$PIN_ROOT/1/link_egress" ] || fail "links not pinned after kill -9"
start
grep -q "resuming" "$T/stderr" || fail "restart did not resume: $(cat "$T/stderr")"
wait_committed $U1 "$((3200 * 1028)) 3200"
pass "kill -9 during traffic, restart: exact, nothing lost or doubled"

# 2b. Many users in one interval (the daemon's name cache grows while the
# commit rows point into it).
rm -f "$T/run/ready"
ip netns exec "$NS_B" "$TRAFFIC" udp-recv 10.99.1.2 7110 $((40 * 100)) "$T/run/ready" &
rpid=$!
BG_PIDS+=("$rpid")
wait_file "$T/run/ready"
for u in $(seq 61000 61039); do
	as_user "$NS_A" "$u" "$TRAFFIC" udp-send 10.99.1.2 7110 1 100 || fail "sender $u failed"
done
wait "$rpid" || fail "receiver of the 40 users failed"
i=0
until [ "$(dbq "SELECT count(DISTINCT uid) FROM samples WHERE uid BETWEEN 61000 AND 61039")" = 40 ]; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "40 users not all stored"; sleep 0.1
done
[ "$(dbq "SELECT sum(tx_bytes) FROM samples WHERE uid BETWEEN 61000 AND 61039")" = $((40 * 128)) ] ||
	fail "40 users: wrong bytes"
pass "40 new users in one interval: all stored exactly"

# 3. A long read transaction (WAL) never blocks the daemon.
(echo "BEGIN; SELECT count(*) FROM samples;"; sleep 3; echo "SELECT count(*) FROM samples; COMMIT;") |
	sqlite3 "$DB" >"$T/reader.out" 2>&1 &
reader=$!
sleep 0.5
send_udp $U2 100 500 7103
wait_committed $U2 "$((100 * 528)) 100"
wait "$reader" || fail "reader failed: $(cat "$T/reader.out")"
! grep -q "cannot store" "$T/stderr" || fail "a reader blocked the daemon: $(cat "$T/stderr")"
pass "a 3 s reader does not block commits"

# 4. An admin holds the write lock for 4 s: the daemon says so and loses nothing.
(echo "BEGIN IMMEDIATE;"; sleep 4; echo "COMMIT;") | sqlite3 "$DB" &
locker=$!
sleep 0.3
send_udp $U2 100 500 7104
sleep 2
[ "$(db_tx $U2)" = "$((100 * 528)) 100" ] || fail "committed through a held lock?"
grep -q "cannot store this interval" "$T/stderr" || fail "no message about the held lock"
wait "$locker"
wait_committed $U2 "$((200 * 528)) 200"
grep -q "storing again" "$T/stderr" || fail "no recovery message"
pass "held write lock: one message, nothing lost once released"
stop_daemon

# 5. A full disk: the database on a tiny tmpfs that is then filled up.
mkdir -p "$SMALL"
mount -t tmpfs -o size=4m tmpfs "$SMALL"
cp "$DB" "$SMALL/pdtt.db"
rm -f "$DB-wal" "$DB-shm"
DB="$SMALL/pdtt.db"
: >"$T/stderr"
start
dd if=/dev/zero of="$SMALL/filler" bs=64k 2>/dev/null || true
send_udp $U1 50 1000 7105
sleep 2.5
grep -q "cannot store this interval" "$T/stderr" || fail "disk full went unnoticed"
rm -f "$SMALL/filler"
wait_committed $U1 "$((3250 * 1028)) 3250"
pass "disk full: nothing lost once space is back"

# 6. 'stop' removes the pins; the next start begins from zero, adding only
# new traffic.  U2 moves more after the reset than before it, so a kept old
# baseline cannot pass for a counter that went down (it would store only
# the difference); then one more restart on the new map.
u2_plus() { # BYTES PACKETS: what the database should hold for U2 after that much more
	echo "$u2_before" | awk -v b="$1" -v p="$2" '{ print $1 + b, $2 + p }'
}
u2_before=$(db_tx $U2)
send_udp $U2 100 1000 7107
wait_committed $U2 "$(u2_plus $((100 * 1028)) 100)"
stop_daemon
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" 2>"$T/stop.err" || fail "stop failed: $(cat "$T/stop.err")"
[ ! -e "$PIN_ROOT" ] || fail "pins left after stop: $(ls -R "$PIN_ROOT")"
assert_no_bpf_left
start -t 3 # a first interval long enough for all of U2's traffic
grep -q "counters start from zero" "$T/stderr" || fail "new map not noticed: $(cat "$T/stderr")"
# in the first interval on the new map, more than U2's whole counter on the
# old one (its earlier traffic and the 100)
send_udp $U2 500 1000 7108
send_udp $U1 10 1000 7106
wait_committed $U2 "$(u2_plus $((600 * 1028)) 600)"
wait_committed $U1 "$((3260 * 1028)) 3260"
stop_daemon
start
grep -q "counters start from zero" "$T/stderr" && fail "a plain restart reset the baseline: $(cat "$T/stderr")"
send_udp $U2 5 1000 7109
wait_committed $U2 "$(u2_plus $((605 * 1028)) 605)"
pass "stop, then restart: baseline reset (more traffic after it than before), one more restart, totals exact"

# End to end: real traffic to 'report --format json', while the daemon writes.
"$PDTT_BIN" report -d "$DB" --last 1d --format json >"$T/r.json" 2>"$T/r.err" || fail "report: $(cat "$T/r.err")"
got=$(sqlite3 :memory: "SELECT json_extract(value, '$.tx_bytes') || ' ' || json_extract(value, '$.total_bytes')
	FROM json_each(json_extract(readfile('$T/r.json'), '$.rows')) WHERE json_extract(value, '$.uid') = $U1")
[ "$got" = "$((3260 * 1028)) $((3260 * 1028))" ] || fail "report JSON for $U1: '$got': $(cat "$T/r.json")"
got=$(sqlite3 :memory: "SELECT json_extract(value, '$.rx_bytes') FROM json_each(json_extract(readfile('$T/r.json'), '$.rows'))
	WHERE json_extract(value, '$.uid') = $U2")
[ "$got" = 0 ] || fail "report JSON for $U2 rx: '$got'"
# A user who may only read the files gets the same report while the daemon writes.
chgrp $U2 "$DB" "$DB-wal" "$DB-shm"
chmod 640 "$DB" "$DB-wal" "$DB-shm"
setpriv --reuid=$U2 --regid=$U2 --clear-groups "$PDTT_BIN" report -d "$DB" --last 1d --format json \
	>"$T/r2.json" 2>"$T/r2.err" || fail "report as a read-only user while the daemon writes: $(cat "$T/r2.err")"
got=$(sqlite3 :memory: "SELECT json_extract(value, '$.tx_bytes') FROM json_each(json_extract(readfile('$T/r2.json'), '$.rows'))
	WHERE json_extract(value, '$.uid') = $U1")
[ "$got" = "$((3260 * 1028))" ] || fail "read-only report for $U1: '$got'"
stop_daemon
pass "real traffic to report --format json: exact, also for a read-only user while the daemon writes"

# The daemon refuses 'stop' while it runs, and a second daemon on the same pins.
start
rc=0
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" 2>"$T/stop.err" || rc=$?
[ $rc = 1 ] && grep -q "running" "$T/stop.err" || fail "stop while running: exit $rc, $(cat "$T/stop.err")"
rc=0
nsenter --net="/run/netns/$NS_A" "$PDTT_BIN" -i va -l "$T/log2" -d "$T/other.db" --pin-dir "$PIN_ROOT" 2>"$T/second.err" || rc=$?
[ $rc = 1 ] && grep -q "another pdtt daemon" "$T/second.err" || fail "second daemon: exit $rc, $(cat "$T/second.err")"
# The same database under other pins: refused before it loads or pins
# anything, naming the running daemon (today's code ran both, each
# resetting the other's baseline).
OTHER_PINS=/sys/fs/bpf/pdtt-test-other-$$
progs_before=$(pdtt_prog_ids)
rc=0
timeout 10 nsenter --net="/run/netns/$NS_A" "$PDTT_BIN" -i va -l "$T/log3" -d "$DB" --pin-dir "$OTHER_PINS" \
	>/dev/null 2>"$T/third.err" || rc=$?
[ $rc = 1 ] && grep -q "database '$DB': another pdtt daemon (pid $DAEMON_PID) writes to it" "$T/third.err" ||
	fail "second daemon on the same database: exit $rc, $(cat "$T/third.err")"
[ "$(wc -l <"$T/third.err")" = 1 ] || fail "second daemon said more than one line: $(cat "$T/third.err")"
[ ! -e "$OTHER_PINS" ] || { "$PDTT_BIN" stop --pin-dir "$OTHER_PINS" >/dev/null 2>&1; fail "second daemon pinned $OTHER_PINS"; }
# (the refused start above may still be freeing its programs: only new ids count)
[ -z "$(comm -13 <(echo "$progs_before") <(pdtt_prog_ids))" ] || fail "second daemon loaded programs"
# Writing subcommands work beside the daemon.
"$PDTT_BIN" quota set $U1 1T --per month -d "$DB" 2>"$T/q.err" || fail "quota set beside the daemon: $(cat "$T/q.err")"
"$PDTT_BIN" quota rm $U1 -d "$DB" 2>"$T/q.err" || fail "quota rm beside the daemon: $(cat "$T/q.err")"
stop_daemon
pass "stop and a second daemon are refused while one runs, on the same pins or the same database"

# The views agree with the samples (a commit writes samples only; rollups
# come with retention), and answer in one line.
[ "$(dbq "SELECT sum(total_bytes) FROM usage_monthly")" = \
  "$(dbq "SELECT sum(rx_bytes + tx_bytes) FROM samples")" ] || fail "usage_monthly != samples"
[ "$(dbq "SELECT (SELECT count(*) FROM rollup_hour) + (SELECT count(*) FROM rollup_day) + (SELECT count(*) FROM rollup_month)")" = 0 ] ||
	fail "rollup rows where the samples are kept"
[ "$(dbq "SELECT sum(total_bytes) FROM usage_monthly WHERE uid = $U1")" = "$((3260 * 1028))" ] ||
	fail "usage_monthly for $U1: $(dbq "SELECT * FROM usage_monthly")"
pass "the views agree with the samples; no rollup duplicates them"

# The zone recorded in the database wins (before, every start overwrote it,
# so rollups cut in the old zone were read in the new one).
zone0=$(dbq "SELECT value FROM meta WHERE key = 'timezone'")
[ -n "$zone0" ] && [ "$zone0" != Asia/Tokyo ] || fail "recorded zone '$zone0': the case needs another one"
progs_before=$(pdtt_prog_ids)
rc=0
timeout 10 nsenter --net="/run/netns/$NS_A" "$PDTT_BIN" -i va -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT" \
	--tz Asia/Tokyo >/dev/null 2>"$T/tz.err" || rc=$?
[ $rc = 2 ] && grep -q "^pdtt: --tz Asia/Tokyo: the database $DB records the time zone $zone0" "$T/tz.err" ||
	fail "--tz other than the recorded zone: exit $rc, $(cat "$T/tz.err")"
[ "$(wc -l <"$T/tz.err")" = 1 ] || fail "--tz refusal said more than one line: $(cat "$T/tz.err")"
[ -z "$(comm -13 <(echo "$progs_before") <(pdtt_prog_ids))" ] || fail "the refused start loaded programs"
# The system's zone changed (TZ here): a warning, and the recorded zone stays.
TZ=Asia/Tokyo start
grep -q "warning: time zone: the system's is Asia/Tokyo, the database $DB records $zone0" "$T/stderr" ||
	fail "no warning for a changed system zone: $(cat "$T/stderr")"
# The daemon itself runs in the recorded zone: its log blocks' clock.
sleep 1.5
stamp=$(sed -n 's/^=== Network Statistics Report \[\(.*\)\] ===$/\1/p' "$T/log" | tail -n 1)
off=$(($(date +%s) - $(TZ=$zone0 date -d "$stamp" +%s)))
[ "${off#-}" -lt 60 ] ||
	fail "log block at '$stamp' is not in $zone0 (now $(TZ=$zone0 date '+%F %T'))"
send_udp $U1 10 1000 7110
wait_committed $U1 "$((3270 * 1028)) 3270"
stop_daemon
[ "$(dbq "SELECT value FROM meta WHERE key = 'timezone'")" = "$zone0" ] || fail "the recorded zone was overwritten"
"$PDTT_BIN" report -d "$DB" --last 1d --format json >"$T/r3.json" 2>"$T/r3.err" || fail "report: $(cat "$T/r3.err")"
[ "$(sqlite3 :memory: "SELECT json_extract(readfile('$T/r3.json'), '$.window.timezone')")" = "$zone0" ] ||
	fail "report not in the recorded zone: $(cat "$T/r3.json")"
pass "the recorded zone wins: another --tz is refused, a changed system zone only warns"

# One zone under two names is one zone (before, --tz America/New_York on a
# database that records US/Eastern was refused), and a recorded zone this
# machine cannot load stops every command that cuts days (before, glibc
# cut them in UTC without a word).  A database of its own, so the host's
# zone plays no part.
ZDB="$T/db/zones.db"
zstart() { start_daemon "$NS_A" -i va -t 1 -l "$T/log" -d "$ZDB" --pin-dir "$PIN_ROOT" "$@"; }
zone_of() { sqlite3 "$ZDB" "SELECT value FROM meta WHERE key = 'timezone'"; }
zstart --tz US/Eastern
stop_daemon
[ "$(zone_of)" = US/Eastern ] || fail "new database with --tz US/Eastern records '$(zone_of)'"
zstart --tz America/New_York
! grep -q "time zone" "$T/stderr" || fail "US/Eastern vs America/New_York: $(cat "$T/stderr")"
stop_daemon
TZ=:/usr/share/zoneinfo/posix/America/New_York zstart
! grep -q "time zone" "$T/stderr" || fail "TZ as a zoneinfo path: $(cat "$T/stderr")"
stop_daemon
[ "$(zone_of)" = US/Eastern ] || fail "the recorded zone became '$(zone_of)'"
sqlite3 "$ZDB" "UPDATE meta SET value = 'Mars/Olympus' WHERE key = 'timezone'"
progs_before=$(pdtt_prog_ids)
rc=0
timeout 10 nsenter --net="/run/netns/$NS_A" "$PDTT_BIN" -i va -l "$T/log" -d "$ZDB" --pin-dir "$PIN_ROOT" \
	>/dev/null 2>"$T/mars.err" || rc=$?
want="pdtt: database '$ZDB': records the time zone 'Mars/Olympus', which this machine cannot load"
[ $rc = 7 ] && grep -qF "$want" "$T/mars.err" && [ "$(wc -l <"$T/mars.err")" = 1 ] ||
	fail "daemon on a database whose zone is missing: exit $rc, $(cat "$T/mars.err")"
[ -z "$(comm -13 <(echo "$progs_before") <(pdtt_prog_ids))" ] || fail "the refused start loaded programs"
rc=0
"$PDTT_BIN" report -d "$ZDB" --last 1d >/dev/null 2>"$T/mars.err" || rc=$?
[ $rc = 7 ] && grep -qF "$want" "$T/mars.err" || fail "report, zone missing: exit $rc, $(cat "$T/mars.err")"
rc=0
"$PDTT_BIN" audit -d "$ZDB" >/dev/null 2>"$T/mars.err" || rc=$?
[ $rc = 3 ] && grep -qF "$want" "$T/mars.err" || fail "audit, zone missing: exit $rc, $(cat "$T/mars.err")"
pass "one zone under several names is one zone; a recorded zone this machine lacks is refused (exit 7)"

# A restart that turns the owner programs off (PDTT_OWNER=creator) while a
# socket holds received data nobody has read: what waited in the socket's
# record is charged, not lost.  Oracle: va's counters against the sum over
# all users in the database.
start
wait_quiet "$NS_A" va 0.5
sleep 1.5 # the last interval before the case is stored
before_db=$(all_stored)
before_va=$(va_ip)
mib_a=$(tcp_mib "$NS_A")
mib_b=$(tcp_mib "$NS_B")
hold_unread 7120 2000000 # the receive window is full and unread
spid=$HOLD_SPID
cpid=$HOLD_CPID
stop_daemon
PDTT_OWNER=creator start
grep -q "each socket's creator" "$T/stderr" || fail "PDTT_OWNER=creator did not take: $(cat "$T/stderr")"
touch "$T/run/hold"
wait "$spid" || fail "held server did not get its 2000000 bytes"
wait "$cpid" || fail "sender to the held server failed"
wait_quiet "$NS_A" va 0.5
after_va=$(va_ip)
want=$(echo "$before_va $after_va" | awk '{ print $3 - $1, $4 - $2 }')
i=0
until got=$(echo "$before_db $(all_stored)" | awk '{ print $3 - $1, $4 - $2 }') && [ "$got" = "$want" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "owners off at a restart: stored '$got' (bytes packets), va moved '$want';" \
		"TCP in $NS_A before: $mib_a after: $(tcp_mib "$NS_A"); in $NS_B before: $mib_b after: $(tcp_mib "$NS_B")"
	sleep 0.1
done
stop_daemon
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" 2>"$T/stop.err" || fail "stop failed: $(cat "$T/stop.err")"
pass "owners switched off at a restart with unread data waiting: all of it stored ($got bytes, packets)"
