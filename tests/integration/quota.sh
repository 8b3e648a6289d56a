#!/usr/bin/env bash
# Quotas with real traffic: one user pushed past warn and then over within
# one run.  The log and stderr get one line per transition, the hook runs
# once per transition (and a hanging one is killed without stalling the
# accounting), audit exits 0 -> 1 -> 2, and a restart repeats nothing.
. "$(dirname "$0")/lib.sh"

PIN_ROOT=/sys/fs/bpf/pdtt-test-$$
DB="$T/db/pdtt.db"

cat >"$T/run/hook" <<EOS
#!/bin/sh
echo "\$* | \$PDTT_QUOTA_STATE \$PDTT_UID \$PDTT_PERIOD" >>"$T/run/hooks.log"
[ "\$PDTT_UID" = $U2 ] && exec sleep 1000
exit 0
EOS
chmod 755 "$T/run/hook"

audit_rc() { local rc=0; "$PDTT_BIN" audit -d "$DB" "$@" >"$T/audit.out" 2>&1 || rc=$?; echo $rc; }
wait_log() { # PATTERN
	local i=0
	until grep -q -- "$1" "$T/log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "log never showed '$1': $(cat "$T/log" 2>/dev/null | grep QUOTA)"
		sleep 0.1
	done
}

mkdir -p "$T/db"
"$PDTT_BIN" quota set $U1 100000 --per month --warn 50 -d "$DB" || fail "quota set"
"$PDTT_BIN" quota set $U2 10kB --per month -d "$DB" || fail "quota set U2"
"$PDTT_BIN" quota list -d "$DB" | grep -q "month  total" || fail "quota list: $("$PDTT_BIN" quota list -d "$DB")"
[ "$(audit_rc)" = 0 ] || fail "audit before traffic: $(cat "$T/audit.out")"
pass "quota set/list; audit exits 0 before any traffic"

setup_netns
start() { start_daemon "$NS_A" -i va -t 1 -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT" \
	--quota-exec "$T/run/hook" --quota-exec-timeout 2; }
start

# 51,400 bytes: past the 50 % warning, under the limit.
send_udp $U1 50 1000 7201
period=$(date +%Y-%m)
wait_log "^QUOTA WARN uid=$U1 user=$U1 used=51400 limit=100000 period=$period per=month dir=total$"
[ "$(audit_rc)" = 1 ] || fail "audit after warn: $(cat "$T/audit.out")"
grep -q "warn" "$T/audit.out" || fail "audit table lacks the warn state"
pass "warn: log line, audit exits 1"

# Another 51,400: over the limit.
send_udp $U1 50 1000 7202
wait_log "^QUOTA OVER uid=$U1 user=$U1 used=102800 limit=100000 period=$period per=month dir=total$"
[ "$(audit_rc)" = 2 ] || fail "audit after over: $(cat "$T/audit.out")"
audit_rc --nagios >/dev/null
grep -q "^PDTT QUOTA CRITICAL - 1 over, 0 warn, 1 ok" "$T/audit.out" || fail "nagios: $(cat "$T/audit.out")"
grep -q "'${U1}_month'=102800B;50000;100000;0;100000" "$T/audit.out" || fail "nagios perfdata: $(cat "$T/audit.out")"
pass "over: log line, audit exits 2, Nagios line with perfdata"

# The hook ran once per transition, with arguments and environment.
sleep 2.5
grep -qx "warn $U1 $U1 51400 100000 $period month total [0-9]* | warn $U1 $period" "$T/run/hooks.log" || fail "warn hook: $(cat "$T/run/hooks.log")"
grep -qx "over $U1 $U1 102800 100000 $period month total [0-9]* | over $U1 $period" "$T/run/hooks.log" || fail "over hook: $(cat "$T/run/hooks.log")"
[ "$(grep -c "^.* $U1 $U1 " "$T/run/hooks.log")" = 2 ] || fail "hook not once per transition: $(cat "$T/run/hooks.log")"
[ "$(grep -c "^QUOTA .* uid=$U1 " "$T/log")" = 2 ] || fail "log lines repeated: $(grep QUOTA "$T/log")"
[ "$(grep -c "^QUOTA .* uid=$U1 " "$T/stderr")" = 2 ] || fail "stderr lines: $(grep QUOTA "$T/stderr")"
pass "hook once per transition; one log and one stderr line each"

# A hook that hangs is killed after its timeout; counting goes on meanwhile.
send_udp $U2 20 1000 7203
wait_log "^QUOTA OVER uid=$U2 "
send_udp $U2 5 1000 7204
i=0
until [ "$(sqlite3 "$DB" "SELECT sum(tx_packets) FROM samples WHERE uid = $U2")" = 25 ]; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "accounting stalled behind a hanging hook"; sleep 0.1
done
i=0
until grep -q "quota hook .* still running after 2 s; killed" "$T/stderr"; do
	i=$((i + 1)); [ $i -lt 60 ] || fail "hanging hook never killed: $(cat "$T/stderr")"; sleep 0.1
done
! pgrep -f "sleep 1000" >/dev/null || fail "the hanging hook's process survived"
pass "a hanging hook is killed after 2 s and never stalls accounting"

# A restart reports nothing again.
stop_daemon
lines=$(wc -l <"$T/run/hooks.log")
start
sleep 2.5
stop_daemon
[ "$(wc -l <"$T/run/hooks.log")" = "$lines" ] || fail "restart re-ran hooks: $(cat "$T/run/hooks.log")"
[ "$(grep -c "^QUOTA " "$T/log")" = 3 ] || fail "restart repeated log lines: $(grep QUOTA "$T/log")"
pass "restart: nothing reported twice"

# Bad input and missing write access.
expect() { # STATUS PATTERN CMD...
	local want=$1 pat=$2 rc=0
	shift 2
	"$@" >/dev/null 2>"$T/err" || rc=$?
	[ "$rc" = "$want" ] || fail "'$*': exit $rc, expected $want: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" = 1 ] && grep -qE -- "^pdtt: .*$pat" "$T/err" || fail "'$*': $(cat "$T/err")"
}
expect 2 "limit 'lots'" "$PDTT_BIN" quota set $U1 lots --per day -d "$DB"
expect 2 "limit '0'" "$PDTT_BIN" quota set $U1 0 --per day -d "$DB"
expect 2 "limit '-5G'" "$PDTT_BIN" quota set $U1 -5G --per day -d "$DB"
expect 2 "too large" "$PDTT_BIN" quota set $U1 99999999999EiB --per day -d "$DB"
expect 2 "--per 'year'" "$PDTT_BIN" quota set $U1 1G --per year -d "$DB"
expect 2 "give --per" "$PDTT_BIN" quota set $U1 1G -d "$DB"
expect 3 "user 'no-such-user'" "$PDTT_BIN" quota set no-such-user 1G --per day -d "$DB"
expect 3 "period 'someday'" "$PDTT_BIN" audit -d "$DB" --period someday
expect 3 "No such file" "$PDTT_BIN" audit -d "$T/none.db"
chmod 644 "$DB"
expect 7 "write access" setpriv --reuid=$U1 --regid=$U1 --clear-groups "$PDTT_BIN" quota set $U1 1G --per day -d "$DB"
"$PDTT_BIN" quota rm $U1 -d "$DB" || fail "quota rm"
! "$PDTT_BIN" quota list -d "$DB" | grep -q "^$U1 " || fail "quota rm left the quota"
pass "bad limits, periods, users and missing write access are refused with the documented status"
