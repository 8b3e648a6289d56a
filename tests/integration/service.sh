#!/usr/bin/env bash
# pdtt as a service (issue 15), with the real tools: cmake --install into a
# DESTDIR, systemd-analyze verify and security on the installed unit,
# systemd-sysusers with the installed sysusers entry, logrotate with the
# installed file, socat as the notify socket.  There is no systemd as PID 1,
# so the daemon is started exactly as the unit's ExecStart= starts it (with
# the installed configuration file; test paths, -i and -t on the command
# line over it), with the unit's umask and the state and log directories
# systemd would make.
# 1. The install's file list (make install PREFIX=/usr DESTDIR=, and cmake
#    --install of the build under test), the unit verified, its security score.
# 2. Started as ExecStart: in /proc/PID/status a non-root uid and every
#    capability set empty (all threads); traffic of two users counted
#    exactly; the database, log and their directories the account's.
# 3. sd_notify: READY=1 after the start, WATCHDOG=1 more often than the
#    interval, RELOADING=1 and READY=1 on SIGHUP (from ExecReload= run as
#    systemd runs it, and from logrotate), STOPPING=1 at the stop.
# 4. logrotate (the installed file) under the running unprivileged daemon
#    while traffic flows: no block lost or split, the new file the account's.
# 5. check: 0 while all is well, 2 once ingress is detached, 2 after the
#    daemon is killed, 2 once the pins are gone, 1 with a table 80% full,
#    2 with it full and packets lost (reported again at a retry).
. "$(dirname "$0")/lib.sh"

BUILD=$(dirname "$(readlink -f "$PDTT_BIN")")
SRC=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt")
PREFIX=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
[ -n "$SRC" ] && [ -n "$PREFIX" ] || fail "no CMakeCache.txt beside $PDTT_BIN"
for tool in systemd-analyze systemd-sysusers logrotate socat; do
	command -v "$tool" >/dev/null || fail "missing tool: $tool (scripts/setup.sh deps installs it)"
done
PIN_ROOT=/sys/fs/bpf/pdtt-test-$$
DEST="$T/dest"
CREATED_USER=""
service_cleanup() {
	local rc=$?
	set +e
	[ -z "$NOTIFY_PID" ] || kill "$NOTIFY_PID" 2>/dev/null
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -9 "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=""
	fi
	"$PDTT_BIN" stop --pin-dir "$PIN_ROOT-2" >/dev/null 2>&1
	[ -z "$CREATED_USER" ] || userdel "$CREATED_USER" 2>/dev/null
	cleanup $rc
}
NOTIFY_PID=""
trap service_cleanup EXIT

# 1. Install.
installed_files() { # DEST PREFIX: the exact file list in FHS places, and the unit's paths
	local dest=$1 prefix=$2 p=${2#/} etc=etc
	[ "$prefix" = /usr ] || etc=${p}/etc
	(cd "$dest" && find . -type f -o -type l | sed 's|^\./||' | sort) >"$T/files"
	sort >"$T/want" <<EOF
$etc/logrotate.d/pdtt
$etc/pdtt.conf
$p/lib/systemd/system/pdtt.service
$p/lib/sysusers.d/pdtt.conf
$p/sbin/pdtt
$p/sbin/pdtt_xdp_user
$p/share/man/man5/pdtt.db.5
$p/share/man/man8/pdtt.8
$p/share/man/man8/pdtt_xdp_user.8
$p/share/doc/pdtt/QUOTAS.md
$p/share/doc/pdtt/README.md
$p/share/doc/pdtt/REPORT.md
$p/share/doc/pdtt/SCHEMA.md
$p/share/pdtt/reports/daily.sql
$p/share/pdtt/reports/hourly.sql
$p/share/pdtt/reports/monthly.sql
$p/share/pdtt/reports/top-users.sql
$p/share/pdtt/reports/weekly.sql
$p/share/pdtt/prometheus/pdtt.rules.yml
EOF
	diff "$T/want" "$T/files" >"$T/diff" || fail "installed files under $prefix differ (- wanted, + got): $(cat "$T/diff")"
	grep -qx "ExecStart=$prefix/sbin/pdtt_xdp_user --config /$etc/pdtt.conf" "$dest/$p/lib/systemd/system/pdtt.service" ||
		fail "ExecStart does not run $prefix/sbin with /$etc/pdtt.conf: $(grep ExecStart "$dest/$p/lib/systemd/system/pdtt.service")"
	[ "$(readlink "$dest/$p/sbin/pdtt")" = pdtt_xdp_user ] && [ "$(readlink "$dest/$p/share/man/man8/pdtt.8")" = pdtt_xdp_user.8 ] ||
		fail "pdtt and pdtt.8 are not links to pdtt_xdp_user and its page"
}
# make install PREFIX=/usr DESTDIR=: a build of its own (no tests), /etc for /usr
make -C "$SRC" install BUILD="$T/make-build" PREFIX=/usr DESTDIR="$T/dest-usr" \
	CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPDTT_TESTS=OFF -DPDTT_BENCH=OFF" >"$T/make.out" 2>&1 ||
	fail "make install: $(tail -5 "$T/make.out")"
installed_files "$T/dest-usr" /usr
rm -rf "$T/make-build" "$T/dest-usr"
DESTDIR="$DEST" cmake --install "$BUILD" >"$T/install.out" 2>&1 || fail "cmake --install: $(cat "$T/install.out")"
installed_files "$DEST" "$PREFIX"
p=${PREFIX#/}
etc=etc
[ "$PREFIX" = /usr ] || etc=${p}/etc
UNIT="$DEST/$p/lib/systemd/system/pdtt.service"
cmp -s "$DEST/$p/sbin/pdtt_xdp_user" "$PDTT_BIN" || fail "the installed binary is not the build's"
pass "make install PREFIX=/usr and cmake --install (under $PREFIX) put the $(wc -l <"$T/files") files in their places"

# systemd-analyze reads the unit in DEST as a root (its ExecReload= needs /bin/kill there).
mkdir -p "$DEST/bin"
cp /bin/kill "$DEST/bin/kill"
# (its Documentation= pages: man finds them in DEST through MANPATH)
MANPATH="$DEST/$p/share/man" systemd-analyze verify --root="$DEST" pdtt.service >"$T/verify" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify")"
[ ! -s "$T/verify" ] || fail "systemd-analyze verify warns: $(cat "$T/verify")"
systemd-analyze security --offline=yes --root="$DEST" pdtt.service >"$T/security" 2>&1 ||
	fail "systemd-analyze security: $(tail -3 "$T/security")"
score=$(sed -n 's/.*Overall exposure level for pdtt.service: \([0-9.]*\).*/\1/p' "$T/security")
[ -n "$score" ] || fail "no exposure level: $(tail -3 "$T/security")"
awk -v s="$score" 'BEGIN { exit !(s <= 2.7) }' || fail "exposure level $score, above 2.7: $(grep -E '✗' "$T/security" | head -20)"
pass "systemd-analyze verify passes; offline exposure level $score"

# 2. The account from the installed sysusers entry (systemd-sysusers),
# unless the machine has it already.
if ! getent passwd pdtt >/dev/null; then
	systemd-sysusers "$DEST/$p/lib/sysusers.d/pdtt.conf" >"$T/sysusers" 2>&1 || fail "systemd-sysusers: $(cat "$T/sysusers")"
	CREATED_USER=pdtt
fi
PDTT_UID=$(id -u pdtt)
[ "$PDTT_UID" -gt 0 ] || fail "pdtt is uid 0"

# What systemd does before ExecStart: StateDirectory= and LogsDirectory=
# (root's, 0755), UMask=0077, the options file; then the line itself.
STATE="$T/lib/pdtt"
LOGS="$T/log/pdtt"
mkdir -p "$STATE" "$LOGS"
chmod 0755 "$T/lib" "$T/log" "$STATE" "$LOGS"
DB="$STATE/pdtt.db"
LOG="$LOGS/pdtt.log"
exec_start() { # OPTS: runs the unit's ExecStart= in NS_A, the installed file, OPTS over it
	local line opts=$1
	line=$(sed -n 's/^ExecStart=//p' "$UNIT")
	read -r -a argv <<<"$line $opts"
	[ "${argv[0]}" = "$PREFIX/sbin/pdtt_xdp_user" ] || fail "ExecStart runs ${argv[0]}"
	[ "${argv[1]} ${argv[2]}" = "--config /$etc/pdtt.conf" ] || fail "ExecStart reads ${argv[2]}"
	argv[0]="$DEST/$p/sbin/pdtt_xdp_user"
	argv[2]="$DEST/$etc/pdtt.conf"
	run_unit "$UNIT" "$NS_A" "${argv[@]}"
}
BOUNDING=$(unit_bounding "$UNIT")
opts() { echo "-i va -t $1 -l $LOG -d $DB --pin-dir $2${3:+ $3}"; }

setup_netns

# Refused before anything is attached: a hook pdtt cannot run (exit 2), a
# database pdtt cannot reach through a directory on the way (exit 7).
refused() { # WANT_RC TEXT ARGS...: the daemon refuses to start
	local want=$1 text=$2 rc=0
	shift 2
	nsenter --net="/run/netns/$NS_A" "$PDTT_BIN" -i va -t 1 --user pdtt --console off \
		--pin-dir "$PIN_ROOT" "$@" >/dev/null 2>"$T/refused" || rc=$?
	[ "$rc" = "$want" ] && grep -q "$text" "$T/refused" ||
		fail "exit $rc, expected $want with '$text': $(cat "$T/refused")"
	[ ! -e "$PIN_ROOT" ] || fail "a refused start left $PIN_ROOT"
}
printf '#!/bin/sh\nexit 0\n' >"$T/hook"
chmod 0700 "$T/hook"
refused 2 "quota-exec '$T/hook': user pdtt cannot run it (Permission denied)" \
	-l "$T/refused.log" --no-db --quota-exec "$T/hook"
mkdir -m 0700 "$T/private"
mkdir -m 0755 "$T/private/state"
refused 7 "database '$T/private/state/pdtt.db': user pdtt cannot reach it (Permission denied)" \
	-l "$T/refused.log" -d "$T/private/state/pdtt.db"
pass "refused at start: a hook pdtt cannot run, a database behind a directory pdtt cannot search"
# The notify socket: socat receives the datagrams (not newline-ended).
rm -f "$T/notify"
socat -u UNIX-RECV:"$T/notify" - >"$T/notify.out" 2>"$T/notify.err" &
NOTIFY_PID=$!
wait_file "$T/notify"
chmod 0777 "$T/notify" # the daemon notifies as pdtt too
DAEMON_ENV=(NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=1000000)
exec_start "$(opts 5 "$PIN_ROOT")"
sleep 0.5
status=/proc/$DAEMON_PID/status
[ "$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "$status")" = "$PDTT_UID$PDTT_UID$PDTT_UID$PDTT_UID" ] ||
	fail "not running as pdtt: $(grep -E '^(Uid|Gid)' "$status")"
for task in /proc/$DAEMON_PID/task/*; do
	for set in CapInh CapPrm CapEff CapBnd CapAmb; do
		[ "$(awk -v s="$set:" '$1 == s { print $2 }' "$task/status")" = 0000000000000000 ] ||
			fail "thread ${task##*/}: $set is $(awk -v s="$set:" '$1 == s { print $2 }' "$task/status")"
	done
done
[ "$(awk '/^NoNewPrivs:/ { print $2 }' "$status")" = 1 ] || fail "NoNewPrivs not set"
grep -q "privileges: running as pdtt (uid $PDTT_UID) with no capabilities" "$T/stderr" ||
	fail "the switch is not said: $(cat "$T/stderr")"
for f in "$DB" "$DB-wal" "$DB-shm" "$LOG" "$STATE" "$LOGS"; do
	[ "$(stat -c %U "$f")" = pdtt ] || fail "$f belongs to $(stat -c %U "$f"), not pdtt"
done
pass "started as ExecStart: uid pdtt, no capabilities in any set or thread, its files pdtt's"

send_udp $U1 100 1000 7601
send_udp $U2 30 1400 7602
i=0
until [ "$(dbq "SELECT coalesce(sum(tx_bytes), 0) FROM samples WHERE uid = $U1") $(dbq "SELECT coalesce(sum(tx_bytes), 0) FROM samples WHERE uid = $U2")" = "$((100 * 1028)) $((30 * 1428))" ]; do
	i=$((i + 1))
	[ $i -lt 150 ] || fail "stored U1 $(dbq "SELECT sum(tx_bytes) FROM samples WHERE uid = $U1"), U2 $(dbq "SELECT sum(tx_bytes) FROM samples WHERE uid = $U2"); sent $((100 * 1028)) and $((30 * 1428))"
	sleep 0.1
done
pass "unprivileged, it counts exactly: U1 $((100 * 1028)) and U2 $((30 * 1428)) bytes stored"

# 3. The watchdog at 1 s: pings every 0.5 s although the interval is 5 s.
n0=$(grep -o 'WATCHDOG=1' "$T/notify.out" | wc -l)
sleep 3
n1=$(grep -o 'WATCHDOG=1' "$T/notify.out" | wc -l)
[ $((n1 - n0)) -ge 4 ] || fail "$((n1 - n0)) watchdog pings in 3 s at WATCHDOG_USEC=1 s (interval 5 s): $(cat "$T/notify.out")"
grep -q '^READY=1$' "$T/notify.out" || fail "no READY=1: $(cat "$T/notify.out")"
grep -q '^STATUS=counting, history in .*, unprivileged' "$T/notify.out" || fail "no STATUS: $(cat "$T/notify.out")"

# ExecReload= as systemd runs it: under the bounding set, unless '+' says
# with full privileges; the daemon (uid pdtt by now) must get the SIGHUP.
reload=$(sed -n 's/^ExecReload=//p' "$UNIT")
if [ "${reload#+}" != "$reload" ]; then
	reload=${reload#+}
	run_reload() { "$@"; }
else
	run_reload() { setpriv --bounding-set "$BOUNDING" --no-new-privs "$@"; }
fi
read -r -a rargv <<<"${reload/\$MAINPID/$DAEMON_PID}"
run_reload "${rargv[@]}" || fail "ExecReload=$reload failed"
i=0
until grep -q 'RELOADING=1' "$T/notify.out"; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "ExecReload= did not reach the daemon: $(cat "$T/notify.out")"
	sleep 0.1
done

# check while all is well.
"$PDTT_BIN" check --nagios -d "$DB" --pin-dir "$PIN_ROOT" >"$T/check" && rc=0 || rc=$?
[ $rc = 0 ] || fail "check exits $rc while the daemon counts: $(cat "$T/check")"
grep -q "^PDTT OK - daemon pid $DAEMON_PID holds $DB; 8 programs attached; last commit [0-9]* s ago (interval 5 s);" "$T/check" ||
	fail "check: $(cat "$T/check")"
pass "sd_notify: READY with a status, $((n1 - n0)) watchdog pings in 3 s; check: $(cut -d'|' -f1 "$T/check")"

# 4. logrotate with the installed file, under traffic, at -t 1.  Its
# postrotate reloads through systemctl or, without systemd, pkill -HUP.
stop_daemon TERM
grep -q 'STOPPING=1' "$T/notify.out" || fail "no STOPPING=1: $(cat "$T/notify.out")"
u1_before=$(dbq "SELECT coalesce(sum(rx_bytes + tx_bytes), 0) FROM samples WHERE uid = $U1")
exec_start "$(opts 1 "$PIN_ROOT")"
sed "s|/var/log/pdtt/pdtt.log|$LOG|" "$DEST/$etc/logrotate.d/pdtt" >"$T/logrotate.conf"
grep -q "$LOG {" "$T/logrotate.conf" || fail "the installed logrotate file names no /var/log/pdtt/pdtt.log"
(for k in $(seq 1 20); do send_udp $U1 5 500 $((7610 + k)); sleep 0.1; done) &
BG_PIDS+=($!)
sleep 2
logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" >"$T/logrotate.out" 2>&1 || fail "logrotate: $(cat "$T/logrotate.out")"
[ -f "$LOG.1" ] || fail "logrotate made no $LOG.1: $(ls -l "$LOGS")"
i=0
until [ -s "$LOG" ]; do
	i=$((i + 1))
	[ $i -lt 60 ] || fail "nothing written to the new $LOG after the rotation: $(tail -3 "$T/stderr")"
	sleep 0.1
done
wait "${BG_PIDS[-1]}" || fail "the traffic during the rotation failed"
[ "$(tr '\n' ' ' <"$T/notify.out" | grep -o 'RELOADING=1 MONOTONIC_USEC=[0-9]*READY=1' | wc -l)" = 2 ] ||
	fail "not twice RELOADING=1, then READY=1 (ExecReload=, logrotate): $(cat "$T/notify.out")"
[ "$(stat -c '%U %G %a' "$LOG")" = "pdtt adm 640" ] || fail "new log is $(stat -c '%U %G %a' "$LOG")"
sleep 1.5
stop_daemon
for f in "$LOG.1" "$LOG"; do # every block whole: a header, then UID/Total/--- triples
	awk -v f="$f" '
		NR == 1 && !/^=== Network Statistics Report \[/ { print f ": starts inside a block: " $0; bad = 1; exit }
		/^=== Network Statistics Report \[[0-9-]+ [0-9:]+\] ===$/ { if (s != 0) { print f ": block cut at line " NR; bad = 1 } s = 0; next }
		/^UID: [0-9]+ \| Username: / { if (s != 0) { print f ": line " NR; bad = 1 } s = 1; next }
		/^  Total: [0-9]+ bytes$/ { if (s != 1) { print f ": line " NR; bad = 1 } s = 2; next }
		/^---$/ { if (s != 2) { print f ": line " NR; bad = 1 } s = 0; next }
		/^WARNING/ { next }
		{ print f ": unexpected line " NR ": " $0; bad = 1 }
		END { if (s != 0) { print f ": ends inside a block"; bad = 1 } exit bad }' "$f" >"$T/blocks" ||
		fail "$(cat "$T/blocks")"
done
# no block lost: the new file begins the second after the old one ends
# (unless the schedule slipped, which stderr says), and the last totals
# are the database's
last_old=$(sed -n 's/^=== Network Statistics Report \[\(.*\)\] ===$/\1/p' "$LOG.1" | tail -n 1)
first_new=$(sed -n 's/^=== Network Statistics Report \[\(.*\)\] ===$/\1/p' "$LOG" | head -n 1)
gap=$(($(date -d "$first_new" +%s) - $(date -d "$last_old" +%s)))
# (stamps are whole seconds of a 1 s schedule: 1, or 2 when it runs close
# to a second's edge)
[ "$gap" -ge 1 ] && [ "$gap" -le 2 ] || grep -q "schedule slipped" "$T/stderr" ||
	fail "blocks from $last_old to $first_new: $gap s apart at -t 1"
want=$(($(dbq "SELECT sum(rx_bytes + tx_bytes) FROM samples WHERE uid = $U1") - u1_before))
[ "$want" = $((20 * 5 * 528)) ] || fail "U1 sent $((20 * 5 * 528)) bytes during the rotation, $want are stored"
[ "$(log_total "$LOG" $U1)" = "$want" ] || fail "the new log's last total for U1 is $(log_total "$LOG" $U1), the database has $want"
pass "logrotate under the unprivileged daemon: whole blocks in both files, $last_old then $first_new, totals kept"

# 5. check's exit statuses.
run_check() { # PIN_ROOT WANT: check --nagios exits WANT
	"$PDTT_BIN" check --nagios -d "$DB" --pin-dir "$1" >"$T/check" && rc=0 || rc=$?
	[ "$rc" = "$2" ] || fail "check exits $rc, expected $2: $(cat "$T/check")"
}
exec_start "$(opts 1 "$PIN_ROOT")"
run_check "$PIN_ROOT" 0
bpftool link detach pinned "$PIN_ROOT/1/link_ingress" || fail "bpftool link detach"
run_check "$PIN_ROOT" 2
grep -q "program ingress is not attached" "$T/check" || fail "check does not name ingress: $(cat "$T/check")"
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=""
run_check "$PIN_ROOT" 2
grep -q "^PDTT CRITICAL - no daemon holds $DB" "$T/check" || fail "check after the kill: $(cat "$T/check")"
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" >/dev/null 2>&1 || fail "stop failed"
run_check "$PIN_ROOT" 2
grep -q "nothing is pinned" "$T/check" || fail "check without pins: $(cat "$T/check")"
pass "check: 0 counting, 2 with ingress detached, 2 after the kill, 2 without pins"

# A table of 20 keys, 16 of them in use (80%): one key per sending user.
exec_start "$(opts 1 "$PIN_ROOT-2" "--max-entries 20")"
for u in $(seq 61001 61016); do
	as_user "$NS_A" "$u" "$TRAFFIC" udp-send 10.99.1.2 7604 1 100 >/dev/null 2>&1 || true
done
sleep 2.5
entries=$(bpftool -j map dump pinned "$PIN_ROOT-2/1/pdtt_stats" | grep -o '"netns_cookie":' | wc -l)
[ "$entries" -ge 16 ] && [ "$entries" -le 18 ] || fail "$entries keys in the table after 16 users sent: $(bpftool map dump pinned "$PIN_ROOT-2/1/pdtt_stats" | head -40)"
run_check "$PIN_ROOT-2" 1
grep -q "table $entries of 20 entries" "$T/check" || fail "check reads another table size than bpftool ($entries): $(cat "$T/check")"
pass "check: 1 with the table $entries of 20 full: $(cut -d'|' -f1 "$T/check")"
# Eight more users: the table is full and their packets are lost; a loss
# keeps warning for its window, also at the retry right after.
for u in $(seq 61017 61024); do
	as_user "$NS_A" "$u" "$TRAFFIC" udp-send 10.99.1.2 7604 1 100 >/dev/null 2>&1 || true
done
sleep 2.5
for attempt in 1 2; do
	run_check "$PIN_ROOT-2" 2
	grep -q "table 20 of 20 entries (100.0%)" "$T/check" || fail "check $attempt on a full table: $(cat "$T/check")"
	grep -Eq "[1-9][0-9]* packets \([0-9]+ bytes\) not counted lately" "$T/check" ||
		fail "check $attempt does not report the lost packets: $(cat "$T/check")"
done
grep -Eq "lost_packets=[1-9][0-9]*c" "$T/check" || fail "no lost packets in the perfdata: $(cat "$T/check")"
pass "check: 2 with the table full, the lost packets reported by the check and its retry"
stop_daemon
