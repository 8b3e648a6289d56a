#!/usr/bin/env bash
# Errors before anything is attached: one line, a hint, the documented exit
# status, and nothing left attached afterwards.
. "$(dirname "$0")/lib.sh"

install -m 0755 "$PDTT_BIN" "$T/pdtt_xdp_user"
BIN="$T/pdtt_xdp_user"

expect() { # STATUS PATTERN CMD...: runs CMD, checks status and one-line stderr
	local want=$1 pat=$2 rc=0
	shift 2
	"$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want; stderr: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "'$*' wrote $(wc -l <"$T/err") stderr lines, expected one: $(cat "$T/err")"
	grep -q '^pdtt: ' "$T/err" || fail "'$*' error lacks the 'pdtt: ' prefix: $(cat "$T/err")"
	grep -qE -- "$pat" "$T/err" || fail "'$*' error lacks '$pat': $(cat "$T/err")"
	assert_no_bpf_left
	pass "exit $want: $(cat "$T/err")"
}

expect 2 'ip link show' "$BIN"
expect 2 'ip link show' "$BIN" -l "$T/x.log"
expect 2 'interval .abc.' "$BIN" -i lo -t abc
expect 2 'interval .0.' "$BIN" -i lo -t 0
expect 2 'interval .86401.' "$BIN" -i lo -t 86401
expect 2 'interval .-5.' "$BIN" -i lo -t -5
expect 2 "option '-x': unknown" "$BIN" -i lo -x
expect 2 "'--bogus': unknown" "$BIN" -i lo --bogus
expect 2 'missing its value' "$BIN" -i lo -t
expect 2 "argument 'stray'" "$BIN" -i lo stray
expect 3 "interface 'nosuch0'.*ip link show" "$BIN" --no-db -i lo -i nosuch0
expect 4 "log file '/nonexistent-dir/x.log'.*-l" "$BIN" --no-db -i lo -l /nonexistent-dir/x.log
[ ! -e "$T/x.log" ] || fail "a log file was created although the options were bad"
# A planted log file at start: refused, nothing written through it, no
# waiting on a FIFO (before: root followed the link; the FIFO blocked).
echo keep >"$T/target"
ln -s "$T/target" "$T/run/link.log"
expect 4 "log file '$T/run/link.log': is a symbolic link; .*-l" timeout 10 "$BIN" --no-db -i lo -l "$T/run/link.log"
mkfifo "$T/run/fifo.log"
expect 4 "log file '$T/run/fifo.log': is a FIFO; " timeout 10 "$BIN" --no-db -i lo -l "$T/run/fifo.log"
install -o $U1 -m 0644 /dev/null "$T/run/u1.log"
expect 4 "log file '$T/run/u1.log': is owned by another user; " timeout 10 "$BIN" --no-db -i lo -l "$T/run/u1.log"
ln "$T/target" "$T/hard.log"
expect 4 "log file '$T/hard.log': has other hard links; " timeout 10 "$BIN" --no-db -i lo -l "$T/hard.log"
expect 4 "log file '/dev/zero': is a device; " timeout 10 "$BIN" --no-db -i lo -l /dev/zero
[ "$(cat "$T/target")" = keep ] && [ ! -s "$T/run/u1.log" ] || fail "a refused log file was written"
# The same for the database: a FIFO at -d neither hangs the daemon nor a
# report, and another user's file is not taken over by root.
mkfifo "$T/run/fifo.db"
expect 7 "database '$T/run/fifo.db': not a regular file" timeout 10 "$BIN" -i lo -l "$T/x.log" \
	-d "$T/run/fifo.db" --pin-dir /sys/fs/bpf/pdtt-test-fifo-$$
expect 7 "database '$T/run/fifo.db': not a regular file" timeout 10 "$BIN" report -d "$T/run/fifo.db"
install -o $U1 -m 0644 /dev/null "$T/run/u1.db"
expect 7 "database '$T/run/u1.db': owned by uid $U1" timeout 10 "$BIN" -i lo -l "$T/x.log" \
	-d "$T/run/u1.db" --pin-dir /sys/fs/bpf/pdtt-test-u1db-$$
[ ! -s "$T/run/u1.db" ] || fail "another user's database file was written"
expect 5 'needs root.*sudo' setpriv --reuid=$U1 --regid=$U1 --clear-groups "$BIN" -i lo -l "$T/run/x.log"
expect 5 'needs root' setpriv --reuid=$U1 --regid=$U1 --clear-groups "$BIN" stop
expect 2 "PDTT_BPF_VARIANT 'bogus'" env PDTT_BPF_VARIANT=bogus "$BIN" --no-db -i lo -l "$T/x.log"
expect 2 "time zone 'Mars/Olympus'" "$BIN" --no-db -i lo -l "$T/x.log" --tz Mars/Olympus
expect 2 "time zone 'Mars/Olympus1'" "$BIN" --no-db -i lo -l "$T/x.log" --tz Mars/Olympus1
expect 2 "time zone '5': unknown .*zoneinfo/5 is not a zone file" "$BIN" --no-db -i lo -l "$T/x.log" --tz 5
# A new database records the zone it cuts in: one glibc cannot load (it
# would cut in UTC) is refused, not recorded.
expect 2 "time zone 'Mars/Olympus': unknown .*the system's zone, from TZ.*--tz" env TZ=Mars/Olympus \
	"$BIN" -i lo -l "$T/x.log" -d "$T/tzdb/new.db" --pin-dir /sys/fs/bpf/pdtt-test-tz-$$
[ -z "$(sqlite3 "$T/tzdb/new.db" "SELECT value FROM meta WHERE key = 'timezone'" 2>/dev/null)" ] ||
	fail "a zone glibc cannot load was recorded"
expect 2 "retention 'hourly=soon'" "$BIN" --no-db -i lo --retention hourly=soon

# Database files that are not ours are refused and left byte for byte as they were.
printf 'not a database, just notes\n' >"$T/notes.db"
sqlite3 "$T/foreign.db" "CREATE TABLE t (x); INSERT INTO t VALUES (42);"
for f in notes foreign; do
	sum=$(md5sum <"$T/$f.db")
	expect 7 "database '$T/$f.db': not a" "$BIN" -i lo -l "$T/x.log" -d "$T/$f.db" --pin-dir /sys/fs/bpf/pdtt-test-$$
	[ "$(md5sum <"$T/$f.db")" = "$sum" ] || fail "$f.db was modified"
done
sqlite3 "$T/newer.db" "PRAGMA application_id = 1885631604; PRAGMA user_version = 99; CREATE TABLE t (x);"
expect 7 "schema version 99 is newer" "$BIN" -i lo -l "$T/x.log" -d "$T/newer.db" --pin-dir /sys/fs/bpf/pdtt-test-$$
expect 7 "database directory '/proc/nope'" "$BIN" -i lo -l "$T/x.log" -d /proc/nope/pdtt.db --pin-dir /sys/fs/bpf/pdtt-test-$$
expect 2 "stop: only --pin-dir" "$BIN" stop -i lo

# No cgroup v2 mount: a private mount and PID namespace without cgroup2
# (the PID namespace hides init's mounts too).
cat >"$T/nocg.sh" <<EOS
set -e
awk '{for(i=1;i<=NF;i++) if(\$i=="-"){ if(\$(i+1)=="cgroup2") print \$5; break}}' /proc/self/mountinfo |
	sort -r | while read -r m; do umount -l "\$m"; done
exec "$BIN" --no-db -i lo -l "$T/x.log"
EOS
expect 6 'no cgroup2 mount.*cgroup v2|cgroup v2.*mount' unshare --mount --pid --fork --mount-proc --propagation private bash "$T/nocg.sh"

rc=0
"$BIN" -h >"$T/out" 2>&1 || rc=$?
[ $rc = 0 ] && grep -q -- '-i <interface> \[-l <logfile>\] \[-t <interval>\] \[-h\]' "$T/out" || fail "-h: exit $rc, usage missing"
"$BIN" --version | grep -qE '^pdtt_xdp_user [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"
pass "-h and --version"
