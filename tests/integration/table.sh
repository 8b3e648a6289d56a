#!/usr/bin/env bash
# The kernel table stays healthy: keys idle for --idle-after are removed with
# their final counters, which reach the database exactly once; a key that
# comes back starts from zero; a network namespace deleted under -i all
# leaves no keys behind.  Every total is payload arithmetic: COUNT datagrams
# of SIZE bytes over lo are COUNT x (SIZE + 28) bytes each way.
. "$(dirname "$0")/lib.sh"

DB="$T/db/pdtt.db"
PIN_ROOT=/sys/fs/bpf/pdtt-test-$$
STATS="$PIN_ROOT/1/pdtt_stats"

# Keys in the pinned table, as "uid netns_cookie" lines.
map_keys() {
	bpftool -j map dump pinned "$STATS" >"$T/dump.json"
	sqlite3 :memory: "SELECT json_extract(value, '$.formatted.key.uid') || ' ' ||
		json_extract(value, '$.formatted.key.netns_cookie') FROM json_each(readfile('$T/dump.json'))"
}

wait_keys() { # COUNT SECONDS: until the table holds COUNT keys
	local i=0 n keys
	while keys=$(map_keys) || fail "cannot read the table" && n=$(grep -c . <<<"$keys" || true) &&
		[ "$n" -ne "$1" ]; do
		i=$((i + 1))
		[ $i -lt $(($2 * 10)) ] || fail "the table still holds $n keys, not $1: $(map_keys | tr '\n' ',')"
		sleep 0.1
	done
}

# Sum of a uid's rows in the database: "rx_bytes rx_packets tx_bytes tx_packets".
db_counts() {
	dbq "SELECT coalesce(sum(rx_bytes),0), coalesce(sum(rx_packets),0), coalesce(sum(tx_bytes),0),
		coalesce(sum(tx_packets),0) FROM samples WHERE uid = $1" | tr '|' ' '
}

declare -A want wantp
send() { # UID COUNT SIZE PORT: UDP over lo in NS_A, and the oracle
	udp_lo "$NS_A" "$1" "$2" "$3" "$4"
	want[$1]=$((${want[$1]:-0} + $2 * ($3 + 28)))
	wantp[$1]=$((${wantp[$1]:-0} + $2))
}
check_db() { # what
	for u in "${!want[@]}"; do
		local exp="${want[$u]} ${wantp[$u]} ${want[$u]} ${wantp[$u]}" got
		got=$(db_counts "$u")
		[ "$got" = "$exp" ] || fail "$1: uid $u in the database: '$got', want '$exp'"
	done
}

le_bytes() { # VALUE N: N bytes, little-endian, as bpftool wants them
	local v=$1 i
	for ((i = 0; i < $2; i++)); do
		printf '0x%02x ' $((v & 255))
		v=$((v >> 8))
	done
}

setup_netns

# 1. Churn: 18 users through a table of 4 entries, in waves of 3 (plus a
# restart), each wave removed before the next.  uid 70001 comes back with
# more of everything than before: a kept baseline would swallow its first
# 5 datagrams' worth.
start_daemon "$NS_A" -i lo -t 1 --max-entries 4 --idle-after 3 -l "$T/log" -d "$DB" \
	--pin-dir "$PIN_ROOT"
grep -q "kernel table: 4 entries for [0-9]* possible CPUs, about .* of kernel memory; keys unchanged for 3 s are removed" "$T/stderr" ||
	fail "start line lacks the table and idle time: $(cat "$T/stderr")"
port=7000
for wave in 0 1 2 3 4 5; do
	wave_uids=""
	for i in 1 2 3; do
		uid=$((70000 + wave * 3 + i))
		[ $wave -eq 3 ] && [ $i -eq 1 ] && uid=70001
		wave_uids+="$uid "
		count=$((5 + wave * 4 + i))
		port=$((port + 1))
		send $uid $count $((100 + i * 10)) $port
	done
	keys=$(map_keys) || fail "cannot read the table"
	[ "$(awk '{ print $1 }' <<<"$keys" | sort | tr '\n' ' ')" = "$(printf '%s\n' $wave_uids | sort | tr '\n' ' ')" ] ||
		fail "wave $wave: the table holds '$keys', not the wave's users ($wave_uids)"
	wait_keys 0 15
	if [ $wave -eq 2 ]; then
		stop_daemon
		start_daemon "$NS_A" -i lo -t 1 --max-entries 4 --idle-after 3 -l "$T/log" -d "$DB" \
			--pin-dir "$PIN_ROOT"
	fi
done
sleep 1.5
stop_daemon
[ ${#want[@]} -eq 17 ] || fail "oracle: ${#want[@]} users"
check_db "churn"
! grep -q "WARNING" "$T/log" || fail "counts were lost: $(grep WARNING "$T/log" | tail -n 1)"
[ "$(dbq "SELECT count(*) FROM baseline")" = 0 ] || fail "baselines of removed keys left: $(dbq "SELECT * FROM baseline")"
pass "17 users (one twice) through a 4-entry table: exact totals, nothing lost, no stale baseline"

# 2. A key removed just before a crash: the database still has its
# baseline while the map lost the key.  The next start drops that baseline,
# so the key's next counters are not taken for a continuation of it.
start_daemon "$NS_A" -i lo -t 1 --idle-after 0 -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT"
send 70100 10 200 7100
sleep 1.5
stop_daemon
[ "$(dbq "SELECT count(*) FROM baseline WHERE uid = 70100")" = 1 ] || fail "no baseline for uid 70100"
key=$(map_keys | awk '$1 == 70100 { print $2 }')
[ -n "$key" ] || fail "uid 70100 is not in the table"
# struct pdtt_key { u32 uid; u32 ifindex; u64 netns_cookie; }, little-endian
bpftool map delete pinned "$STATS" key $(le_bytes 70100 4) $(le_bytes 1 4) $(le_bytes "$key" 8)
start_daemon "$NS_A" -i lo -t 1 --idle-after 0 -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT"
send 70100 30 300 7101 # more of everything than the stale baseline
sleep 1.5
stop_daemon
# What the deleted key held after the last commit is gone with it (none
# here: the daemon stopped cleanly); everything after counts.
check_db "after a removal the database did not see"
pass "a baseline whose key left the table is dropped at start: the key's new counters count whole"
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" >/dev/null 2>&1 || fail "stop failed"
rm -f "$DB" "$DB"-wal "$DB"-shm
want=()
wantp=()

# 3. A network namespace deleted under -i all: its keys go once idle, its
# totals stay exact.
NS_X="$TAG-x"
EXTRA_NETNS+=("$NS_X")
ip netns add "$NS_X"
ip -n "$NS_X" link set lo up
start_daemon "$NS_A" -i all -t 1 --idle-after 3 -l "$T/log" -d "$DB" --pin-dir "$PIN_ROOT"
udp_pair "$NS_X" 70200 "$NS_X" 70200 127.0.0.1 7200 40 500
udp_pair "$NS_X" 70201 "$NS_X" 70201 ::1 7201 25 700
keys=$(map_keys) || fail "cannot read the table"
cookies=$(awk '$1 == 70200 || $1 == 70201 { print $2 }' <<<"$keys" | sort -u)
[ -n "$cookies" ] && [ "$(wc -l <<<"$cookies")" = 1 ] && [ "$cookies" -gt 0 ] ||
	fail "the namespace's keys: '$cookies' in '$keys'"
[ "$(awk -v c="$cookies" '$2 == c' <<<"$keys" | wc -l)" = 2 ] || fail "not two keys in the namespace: $keys"
ip netns del "$NS_X"
i=0
while keys=$(map_keys) || fail "cannot read the table" && awk -v c="$cookies" '$2 == c { f = 1 } END { exit !f }' <<<"$keys"; do
	i=$((i + 1))
	[ $i -lt 150 ] || fail "keys of the deleted namespace still in the table: $keys"
	sleep 0.1
done
sleep 1.5
stop_daemon
got=$(db_counts 70200)
[ "$got" = "$((40 * 528)) 40 $((40 * 528)) 40" ] || fail "deleted netns, uid 70200: $got"
got=$(db_counts 70201)
[ "$got" = "$((25 * 748)) 25 $((25 * 748)) 25" ] || fail "deleted netns, uid 70201 (IPv6): $got"
[ "$(dbq "SELECT count(*) FROM samples s JOIN interfaces i ON i.id = s.iface_id
	WHERE s.uid IN (70200, 70201) AND i.netns = 'netns:$cookies'")" -gt 0 ] ||
	fail "rows not labelled with the namespace"
pass "a deleted namespace's keys leave the table; its totals stay exact (IPv4 and IPv6)"
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" >/dev/null 2>&1 || fail "stop failed"
assert_no_bpf_left
