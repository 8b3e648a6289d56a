#!/usr/bin/env bash
# Thousands of users (issue 10): 2,000 distinct uids, each creating its own
# UDP socket after setresuid, send exact volumes over va within a few
# intervals, with default quotas per day, week and month for everyone.
# Every uid's total in the database must be exact (payload arithmetic, and
# the veth's own counters for the sum), every user must be in the audit,
# no interval may be skipped, and idle intervals must write only a block
# header.  Prints the daemon's CPU time for the traffic and per idle
# interval, the log's growth per idle interval and how long SIGTERM took:
# measured, not asserted.
. "$(dirname "$0")/lib.sh"

N=${PDTT_SCALE_USERS:-2000}
FIRST=70000
COUNT=5
SIZE=200
PORT=6301
INTERVAL=5 # room for the sanitizer build's slower commit of 2,000 new users
DB="$T/db/pdtt.db"
PIN_ROOT=/sys/fs/bpf/pdtt-test-$$

setup_netns
# What uid FIRST+i sends: COUNT datagrams of SIZE + i % 64 bytes, each 28
# bytes of headers more at the IP layer.
awk -v n=$N -v f=$FIRST -v c=$COUNT -v s=$SIZE 'BEGIN {
	for (i = 0; i < n; i++) print f + i, c * (s + i % 64 + 28), c }' >"$T/expected"
payload=$(awk -v n=$N -v c=$COUNT -v s=$SIZE 'BEGIN { for (i = 0; i < n; i++) t += c * (s + i % 64); print t }')
wire=$(awk '{ b += $2; p += $3 } END { print b, p }' "$T/expected")

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"; }
nblocks() { grep -c '^=== Network Statistics Report \[' "$T/log" || true; }
wait_blocks() { # N: until the log has N blocks
	local i=0
	until [ "$(nblocks)" -ge "$1" ]; do
		sleep 0.2
		i=$((i + 1))
		[ $i -lt 300 ] || fail "fewer than $1 blocks after 60 s"
	done
}

start_daemon "$NS_A" -i va -t $INTERVAL -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT" --console summary
for per in day week month; do
	"$PDTT_BIN" quota set --all 10GB --per $per -d "$DB" >/dev/null || fail "quota set --all --per $per"
done
wait_blocks 2
va0=$(va_ip)
ticks0=$(cpu_ticks)
b0=$(nblocks)

rm -f "$T/run/ready"
ip netns exec "$NS_B" "$TRAFFIC" udp-recv 10.99.1.2 $PORT "$payload" "$T/run/ready" &
rpid=$!
BG_PIDS+=("$rpid")
wait_file "$T/run/ready"
t0=$(date +%s%N)
ip netns exec "$NS_A" "$TRAFFIC" udp-many $FIRST "$N" 10.99.1.2 $PORT $COUNT $SIZE || fail "udp-many failed"
t1=$(date +%s%N)
wait "$rpid" || fail "the receiver did not get all $payload bytes"
wait_quiet "$NS_A" va 0.5
# Two more commits: everything sent is stored.
wait_blocks $(($(nblocks) + 2))
ticks1=$(cpu_ticks)
b1=$(nblocks)

# Idle intervals with $N users in the table and in the quota check.
size1=$(stat -c %s "$T/log")
wait_blocks $((b1 + 3))
ticks2=$(cpu_ticks)
b2=$(nblocks)
size2=$(stat -c %s "$T/log")
s0=$(date +%s%N)
stop_daemon TERM
s1=$(date +%s%N)

# Every uid exact, and nobody else on va.
dbq "SELECT s.uid, sum(s.tx_bytes), sum(s.tx_packets), sum(s.rx_bytes), sum(s.rx_packets)
	FROM samples s JOIN interfaces i ON i.id = s.iface_id WHERE i.name = 'va'
	GROUP BY s.uid ORDER BY s.uid" | tr '|' ' ' >"$T/stored"
awk '{ print $1, $2, $3, 0, 0 }' "$T/expected" | diff - "$T/stored" >"$T/diff" ||
	fail "stored totals differ from the payload arithmetic ($(wc -l <"$T/diff") lines): $(head -n 10 "$T/diff")"
set -- $(va_ip) $va0
[ "$(($1 - $3)) $(($2 - $4))" = "$wire" ] || fail "va moved $(($1 - $3)) bytes in $(($2 - $4)) packets, the senders $wire"
pass "$N uids exact in the database; their sum $wire (bytes packets) is what va moved"

# The default quotas covered everyone: the audit lists each user once per kind.
"$PDTT_BIN" audit -d "$DB" --format csv >"$T/audit" || fail "audit exited $?: $(head -n 3 "$T/audit")"
for per in day week month; do
	n=$(awk -F, -v p=$per -v f=$FIRST -v l=$((FIRST + N)) '$2 >= f && $2 < l && $3 == p' "$T/audit" | wc -l)
	[ "$n" = "$N" ] || fail "audit lists $n users for per=$per, not $N: $(head -n 3 "$T/audit")"
done
pass "audit: $N users under each default quota"

# No interval skipped: the daemon says when its schedule slipped (an
# interval's work longer than -t; output.sh makes it happen).
grep -q 'schedule slipped' "$T/stderr" && fail "the daemon fell behind: $(grep 'schedule slipped' "$T/stderr")"
# Nor was an interval's commit or quota check refused (it would be caught
# up later, but not in the interval).
grep -q '^pdtt: database ' "$T/stderr" && fail "database trouble: $(grep '^pdtt: database ' "$T/stderr")"
# One commit per interval, none longer than an interval and a second.
long=$(dbq "SELECT count(*) FROM samples WHERE period_end - period_start > $((INTERVAL + 1))")
[ "$long" = 0 ] || fail "$long samples span more than $((INTERVAL + 1)) s"
# Idle blocks list nobody unless they are the first of a clock hour.
idle_listed=$(awk -v a=$((b1 + 1)) -v z=$b2 '/^=== Network Statistics Report \[/ { i++; h = substr($6, 1, 2)
		full = (h != last); last = h; next }
	/^UID: / && i >= a && i <= z && !full { n++ } END { print n + 0 }' "$T/log")
[ "$idle_listed" = 0 ] || fail "idle blocks listed $idle_listed users"
pass "no interval skipped; idle blocks list nobody"
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" 2>"$T/stop.err" || fail "stop failed: $(cat "$T/stop.err")"
assert_no_bpf_left

hz=$(getconf CLK_TCK)
awk -v n=$N -v hz=$hz -v t=$(((t1 - t0) / 1000000)) -v c1=$((ticks1 - ticks0)) -v k1=$((b1 - b0)) \
	-v c2=$((ticks2 - ticks1)) -v k2=$((b2 - b1)) -v g=$((size2 - size1)) -v s=$(((s1 - s0) / 1000000)) 'BEGIN {
	printf "measured: %d uids sent in %d ms; daemon CPU %.0f ms over the %d traffic intervals, %.1f ms per idle interval (%d idle, %d s each: %.2f%% of a CPU); log %.0f bytes per idle interval; SIGTERM to exit %d ms\n",
		n, t, 1000 * c1 / hz, k1, 1000 * c2 / hz / k2, k2, '$INTERVAL', 100 * c2 / hz / k2 / '$INTERVAL', g / k2, s }'
