#!/usr/bin/env bash
# Output that grows with the traffic, not with the user list (issue 10):
# - a log block lists the users whose totals changed in its interval; the
#   daemon's first block, the first of every clock hour (libfaketime moves
#   the clock to just before an hour), the first after a reopen (SIGHUP)
#   and the stop's block list everyone;
# - without a terminal the console writes one summary line per interval,
#   per-user lines only with --console users;
# - on a terminal (a pty from script(1), 12 rows) the table shows the
#   busiest users that fit, a line counting the rest and a TOTAL line.
# The oracle is payload arithmetic: COUNT datagrams of SIZE bytes over lo
# are COUNT * (SIZE + 28) bytes each way.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || fail "missing tool: script (bsdutils)"
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
[ -r "$FAKETIME_LIB" ] || fail "missing libfaketime.so.1 (package libfaketime)"

setup_netns
lo_bytes() { echo $((2 * $1 * ($2 + 28))); } # COUNT SIZE: out and in over lo

# One line per block: "DATE TIME uid=total uid=total ...".
blocks() {
	awk '/^=== Network Statistics Report \[/ { if (n++) print line
			line = substr($5, 2) " " substr($6, 1, 8); next }
		/^UID: [0-9]+ \| Username: / { uid = $2; next }
		/^  Total: [0-9]+ bytes$/ { line = line " " uid "=" $2 }
		END { if (n) print line }' "$1"
}
nblocks() { grep -c '^=== Network Statistics Report \[' "$1" || true; }
wait_blocks() { # LOG N: until the log has N blocks
	local i=0
	until [ "$(nblocks "$1")" -ge "$2" ]; do
		sleep 0.1
		i=$((i + 1))
		[ $i -lt 100 ] || fail "$1: fewer than $2 blocks after 10 s"
	done
}

# Every block the schedule makes full (the first, the first of a clock
# hour, the last) lists every user of the run with its exact total; every
# other block lists only users whose traffic the test sent in that phase.
# Phases are block ranges: "FIRST LAST UIDS...".
check_blocks() { # LOG EXPECTED_FINAL(uid=total ...) PHASE...
	local log=$1 final=$2
	shift 2
	blocks "$log" >"$T/blocks"
	awk -v final="$final" -v phases="$(printf '%s;' "$@")" '
		BEGIN { np = split(phases, ph, ";") }
		{ b[NR] = $0; hour[NR] = substr($2, 1, 2) " " $1 }
		END {
			for (i = 1; i <= NR; i++) {
				n = split(b[i], f, " ")
				listed = ""
				for (j = 3; j <= n; j++) listed = listed " " f[j]
				full = (i == 1 || i == NR || hour[i] != hour[i - 1])
				if (i == NR && listed != " " final) {
					print "stop block " i " lists" listed ", expected " final; bad = 1
				}
				if (full) continue
				allowed = ""
				for (p = 1; p < np; p++) {
					split(ph[p], q, " ")
					if (i >= q[1] && i <= q[2])
						for (k = 3; k in q; k++) allowed = allowed " " q[k] " "
				}
				for (j = 3; j <= n; j++) {
					split(f[j], kv, "=")
					if (index(allowed, " " kv[1] " ") == 0) {
						print "block " i " (" f[1] " " f[2] ") lists idle uid " kv[1]; bad = 1
					}
				}
			}
			exit bad
		}' "$T/blocks" || fail "$log: $(cat "$T/blocks")"
}

# --- 1. No terminal, default console: one summary line per interval.
start_daemon "$NS_A" --console auto --no-db -i lo -t 1 -l "$T/log"
wait_blocks "$T/log" 2
a1=$(nblocks "$T/log")
udp_lo "$NS_A" $U1 20 100 6201
sleep 2.3 # two quiet intervals
a2=$(nblocks "$T/log")
udp_lo "$NS_A" $U2 30 200 6202
sleep 2.3
a3=$(nblocks "$T/log")
wait_blocks "$T/log" $((a3 + 2)) # two blocks surely idle
stop_daemon TERM
n=$(nblocks "$T/log")
u1=$(lo_bytes 20 100) u2=$(lo_bytes 30 200)
# Busiest first in the stop's block: U2 moved more.
check_blocks "$T/log" "$U2=$u2 $U1=$u1" "$((a1 + 1)) $a2 $U1" "$((a2 + 1)) $a3 $U2"
# The idle blocks before the stop are headers only: 56 bytes an interval
# (the first block of a clock hour lists everyone: not counted).
idle=$(awk -v a=$((a3 + 1)) -v z=$((n - 1)) '/^=== Network Statistics Report \[/ { i++
		h = substr($6, 1, 2); hourly = (h != last); last = h; if (i >= a && i <= z && !hourly) k++ }
	i >= a && i <= z && !hourly { c += length($0) + 1 } END { print k ? c / k : "none" }' "$T/log")
[ "$idle" = 56 ] || fail "an idle interval wrote $idle bytes to the log, expected 56 (the header)"
grep -q 'uid=' "$T/console" && fail "per-user console lines without --console users: $(grep -m1 uid= "$T/console")"
lines=$(wc -l <"$T/console")
[ "$lines" = "$n" ] || fail "console: $lines lines for $n intervals"
want="users=2 active=0 rx_bytes=$(((u1 + u2) / 2)) tx_bytes=$(((u1 + u2) / 2)) rx_packets=50 tx_packets=50 total_bytes=$((u1 + u2)) interval_bytes=0"
last=$(tail -n 1 "$T/console")
[ "${last#*] }" = "$want" ] || fail "console summary '$last', expected '... $want'"
pass "$n blocks: changed users only, full first and stop blocks; idle block 56 bytes; one console line per interval: $want"

# --- 2. A reopened log starts with everyone; --console users lists changed users.
start_daemon "$NS_A" --no-db -i lo -t 1 -l "$T/log2"
udp_lo "$NS_A" $U1 10 100 6203
sleep 2.3
mv "$T/log2" "$T/log2.1"
kill -HUP "$DAEMON_PID"
wait_blocks "$T/log2" 3
stop_daemon
check_blocks "$T/log2" "$U1=$(lo_bytes 10 100)" "0 0"
[ "$(blocks "$T/log2" | head -n 1 | cut -d' ' -f3-)" = "$U1=$(lo_bytes 10 100)" ] ||
	fail "the reopened log's first block does not list the idle user: $(head -n 3 "$T/log2")"
ulines=$(grep -c " uid=$U1 " "$T/console")
[ "$ulines" -ge 1 ] && [ "$ulines" -le 2 ] || fail "--console users: $ulines lines for uid $U1 (changed in one or two intervals)"
[ "$(console_counts $U1)" = "$((10 * 128)) 10 $((10 * 128)) 10" ] || fail "--console users: $(console_counts $U1)"
pass "after SIGHUP the new file's first block lists everyone; --console users: $ulines line(s) for the one active user"

# --- 2b. A log path in a directory others can write ($T/run is 1777, as
# /tmp): what a user plants there before a SIGHUP is refused and nothing
# is written through it; the daemon keeps its old file and keeps counting.
# (Before, root followed the symlink and blocked on the FIFO.)
echo keep >"$T/target"
LOG3="$T/run/log3"
start_daemon "$NS_A" --no-db -i lo -t 1 -l "$LOG3"
wait_blocks "$LOG3" 1
mv "$LOG3" "$T/log3.1"
hup_refused() { # WHAT: SIGHUP, then stderr says WHAT and the old file keeps growing
	local before
	before=$(nblocks "$T/log3.1")
	: >"$T/stderr.seen"
	kill -HUP "$DAEMON_PID"
	wait_blocks "$T/log3.1" $((before + 2))
	grep -qF "pdtt: log file '$LOG3': $1; " "$T/stderr" || fail "SIGHUP onto a planted log ($1): $(cat "$T/stderr")"
	grep -q "still writing to the old file" "$T/stderr" || fail "no word of the old file: $(cat "$T/stderr")"
	: >"$T/stderr"
}
setpriv --reuid=$U1 --regid=$U1 --clear-groups ln -s "$T/target" "$LOG3"
hup_refused "is a symbolic link"
rm "$LOG3"
setpriv --reuid=$U1 --regid=$U1 --clear-groups mkfifo -m 666 "$LOG3"
hup_refused "is a FIFO"
timeout 20 cat "$LOG3" >"$T/fifo.out" & # a reader: the FIFO now opens without blocking
cpid=$!
BG_PIDS+=("$cpid")
sleep 0.2
hup_refused "is a FIFO"
kill "$cpid" 2>/dev/null || true # it ends at EOF once the daemon closed the FIFO
wait "$cpid" 2>/dev/null || true
[ ! -s "$T/fifo.out" ] || fail "written into the FIFO: $(head -c 200 "$T/fifo.out")"
rm "$LOG3"
setpriv --reuid=$U1 --regid=$U1 --clear-groups touch "$LOG3"
hup_refused "is owned by another user"
[ ! -s "$LOG3" ] || fail "written into $U1's file: $(head -c 200 "$LOG3")"
rm "$LOG3"
[ "$(cat "$T/target")" = keep ] || fail "the symlink's target was written: $(head -c 200 "$T/target")"
# Once the path is clear the next SIGHUP takes a new file of its own.
kill -HUP "$DAEMON_PID"
wait_blocks "$LOG3" 1
[ "$(stat -c '%U %a %h' "$LOG3")" = "root 640 1" ] || fail "new log: $(stat -c '%U %a %h' "$LOG3")"
stop_daemon
pass "SIGHUP onto a planted symlink, FIFO (with and without a reader) or another user's file: refused, old file kept, nothing written through it"

# --- 3. The first block of a clock hour lists everyone (libfaketime: the
# wall clock starts at 10:59:45, the monotonic clock is the real one).  U1
# moves data in a 10:59 block, then stays idle: the 10:59 blocks after it
# list nobody, the first 11:00 block lists U1, the next one nobody.
fake_env=(LD_PRELOAD="$FAKETIME_LIB" FAKETIME="@2026-12-02 10:59:45" FAKETIME_DONT_FAKE_MONOTONIC=1
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
env "${fake_env[@]}" true # libfaketime loads
: >"$T/stderr"
nsenter --net="/run/netns/$NS_A" env "${fake_env[@]}" "$PDTT_BIN" --no-db -i lo -t 1 -l "$T/log3" \
	>"$T/console" 2>"$T/stderr" &
DAEMON_PID=$!
i=0
until grep -q tracking "$T/stderr"; do
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "daemon under libfaketime exited: $(cat "$T/stderr")"
	sleep 0.05
	i=$((i + 1))
	[ $i -lt 200 ] || fail "daemon under libfaketime did not start"
done
udp_lo "$NS_A" $U1 10 100 6204
i=0
until blocks "$T/log3" | awk '$2 ~ /^11:00:/ { n++ } END { exit n < 2 }'; do
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "daemon under libfaketime exited: $(cat "$T/stderr")"
	sleep 0.2
	i=$((i + 1))
	[ $i -lt 150 ] || fail "no two 11:00 blocks under libfaketime: $(cat "$T/log3")"
done
stop_daemon
blocks "$T/log3" | sed '$d' >"$T/blocks3" # the stop's block lists everyone anyway
u1=$U1=$(lo_bytes 10 100)
# The 10:59 blocks: U1's traffic, then at least one idle block.
# (U1's datagrams may straddle two blocks: the last one has its total.)
awk -v u="$u1" '$2 ~ /^10:59:/ {
		if (NF > 2) { if (idle || NF != 3 || $3 !~ "^'$U1'=") bad = 1; last = $3 } else if (last) idle++ }
	END { exit bad || last != u || !idle }' "$T/blocks3" ||
	fail "10:59 blocks: U1's traffic in one, then idle ones expected: $(cat "$T/blocks3")"
hourly=$(awk '$2 ~ /^11:/ { print; exit }' "$T/blocks3")
after=$(awk '$2 ~ /^11:/ { if (++n == 2) print }' "$T/blocks3")
[ "$(echo "$hourly" | cut -d' ' -f3-)" = "$u1" ] || fail "first block of 11:00: '$hourly': $(cat "$T/blocks3")"
[ "$(echo "$after" | wc -w)" = 2 ] || fail "the second 11:00 block lists an idle user: $after"
pass "first block of the clock hour ($hourly) lists the user idle since 10:59; the blocks around it do not"

# --- 4. A daemon that falls behind its schedule (stopped for 2.5 intervals)
# says so on stderr, then goes on at one block per interval, no burst.
start_daemon "$NS_A" --no-db -i lo -t 1 -l "$T/log5"
wait_blocks "$T/log5" 1
kill -STOP "$DAEMON_PID"
sleep 2.5
kill -CONT "$DAEMON_PID"
b=$(nblocks "$T/log5")
i=0
until grep -q 'the -t 1 schedule slipped' "$T/stderr"; do
	sleep 0.1
	i=$((i + 1))
	[ $i -lt 50 ] || fail "no line about the late interval: $(cat "$T/stderr")"
done
sleep 0.5
burst=$(($(nblocks "$T/log5") - b))
stop_daemon
[ "$burst" -le 1 ] || fail "$burst blocks in the half second after the stall"
pass "a stalled daemon says: $(grep -o 'interval: .*' "$T/stderr" | head -n 1)"

# --- 5. A terminal of 12 rows and 80 columns: 6 of 8 users, "2 more
# users", the total.  SIGINT once the traffic is counted and two idle
# blocks followed, so the last screen orders users by their totals.
cmd="stty rows 12 cols 80; exec nsenter --net=/run/netns/$NS_A timeout --preserve-status -s INT 60 $PDTT_BIN --no-db -i lo -t 1 -l $T/log4"
script -qfec "$cmd" "$T/tty" >/dev/null 2>&1 &
SCRIPT_PID=$!
BG_PIDS+=("$SCRIPT_PID")
i=0
until grep -q tracking "$T/tty" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
	[ $i -lt 100 ] || fail "daemon on a pty did not start: $(cat "$T/tty" 2>/dev/null)"
done
for k in 1 2 3 4 5 6 7 8; do
	udp_lo "$NS_A" $((60010 + k)) $((4 * k)) 100 $((6210 + k)) # k KiB each
done
b=$(nblocks "$T/log4")
wait_blocks "$T/log4" $((b + 2))
pkill -INT -P "$SCRIPT_PID" timeout || fail "no timeout process under script(1)"
wait "$SCRIPT_PID" || fail "daemon on a pty exited $?: $(tail -c 2000 "$T/tty")"
# The last screen: what follows the last clear-screen sequence.
# script(1) appends an empty line and "Script done ...".
awk 'BEGIN { RS = "\033\\[H\033\\[2J" } { s = $0 } END { printf "%s", s }' "$T/tty" | tr -d '\r' |
	sed '/^Script done/d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$T/screen"
rows=$(wc -l <"$T/screen")
[ "$rows" -le 11 ] || fail "the table takes $rows lines on a 12-row terminal: $(cat "$T/screen")"
shown=$(awk '$1 ~ /^600[0-9][0-9]$/ { printf "%s ", $1 }' "$T/screen")
[ "$shown" = "60018 60017 60016 60015 60014 60013 " ] || fail "table rows '$shown': $(cat "$T/screen")"
grep -q '^       \.\.\.  2 more users$' "$T/screen" || fail "no '2 more users' line: $(cat "$T/screen")"
[ "$(awk '{ if (length($0) > w) w = length($0) } END { print w }' "$T/screen")" -le 79 ] ||
	fail "a line is wider than 79 columns: $(cat "$T/screen")"
grep -qE '^     TOTAL  \(8\) +18\.0 KiB +18\.0 KiB +36\.0 KiB ' "$T/screen" ||
	fail "TOTAL line: $(grep TOTAL "$T/screen")"
pass "12x80 terminal: $rows lines, users $shown+ 2 more, TOTAL 36.0 KiB of 8 users"
assert_no_bpf_left
