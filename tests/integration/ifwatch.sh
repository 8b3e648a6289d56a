#!/usr/bin/env bash
# -i names are followed for the daemon's whole life (rtnetlink): an interface
# deleted and recreated, one that appears after start (--allow-missing), one
# renamed onto and away from a watched name.  The oracle is payload
# arithmetic (UDP: size + 28 IP bytes per datagram) and the veths' own
# counters; U1 in NS_A sends to U3 in NS_B.
. "$(dirname "$0")/lib.sh"

# A veth pair NAME (NS_A, 10.99.NET.1) <-> NAME-p (NS_B, .2), offloads off
# and static neighbours like setup_netns's.
make_pair() { # NAME NET
	local a=$1 b=$1p net=$2 mac
	ip -n "$NS_A" link add "$a" type veth peer name "$b" netns "$NS_B"
	ip netns exec "$NS_A" ethtool -K "$a" tso off gso off gro off >/dev/null
	ip netns exec "$NS_B" ethtool -K "$b" tso off gso off gro off >/dev/null
	ip -n "$NS_A" addr add "10.99.$net.1/24" dev "$a"
	ip -n "$NS_B" addr add "10.99.$net.2/24" dev "$b"
	ip -n "$NS_A" link set "$a" up
	ip -n "$NS_B" link set "$b" up
	mac=$(ip -n "$NS_B" -o link show "$b" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	ip -n "$NS_A" neigh replace "10.99.$net.2" lladdr "$mac" dev "$a" nud permanent
	mac=$(ip -n "$NS_A" -o link show "$a" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	ip -n "$NS_B" neigh replace "10.99.$net.1" lladdr "$mac" dev "$b" nud permanent
}

send() { # NET COUNT SIZE PORT: U1 -> U3 over that pair
	udp_pair "$NS_B" $U3 "$NS_A" $U1 "10.99.$1.2" "$4" "$2" "$3"
}

tx_of_u1() { set -- $(console_counts $U1); echo "$3 $4"; }

wait_logged() { # PATTERN: until the daemon's stderr has it
	local i=0
	until grep -q "$1" "$T/stderr"; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "stderr never said '$1': $(cat "$T/stderr")"
		sleep 0.05
	done
}

setup_netns

PIN_ROOT=/sys/fs/bpf/pdtt-test-$$

# 1. Deleted and recreated under a running daemon (with a database: the rows
# of the deleted interface's last interval keep its name).
make_pair vw 3
DB="$T/db/pdtt.db"
start_daemon "$NS_A" -d "$DB" --pin-dir "$PIN_ROOT" -i vw -t 1 -l "$T/log"
send 3 100 1000 7301
ip -n "$NS_A" link del vw
wait_logged "INTERFACE: vw disappeared"
make_pair vw 3
wait_logged "INTERFACE: vw appeared"
send 3 50 1000 7302
sleep 1.5
stop_daemon
[ "$(tx_of_u1)" = "$((150 * 1028)) 150" ] || fail "deleted and recreated: U1 sent '$(tx_of_u1)', expected $((150 * 1028)) 150"
grep -q "^INTERFACE: vw appeared (ifindex [0-9]*): counted from now$" "$T/log" || fail "log lacks the appearance: $(cat "$T/log")"
stored=$(sqlite3 "$DB" "SELECT group_concat(DISTINCT i.name) || ' ' || sum(s.tx_bytes) FROM samples s
	JOIN interfaces i ON i.id = s.iface_id WHERE s.uid = $U1")
[ "$stored" = "vw $((150 * 1028))" ] || fail "database: U1's rows '$stored', expected 'vw $((150 * 1028))'"
"$PDTT_BIN" stop --pin-dir "$PIN_ROOT" >/dev/null || fail "stop failed"
pass "an interface deleted and recreated is counted exactly in both lives, stored under its name"

# 2. Created after start: an error without --allow-missing, counted with it.
rc=0
nsenter --net="/run/netns/$NS_A" "$PDTT_BIN" --no-db -i vy -t 1 -l "$T/log2" >/dev/null 2>"$T/err" || rc=$?
[ $rc = 3 ] && grep -q "^pdtt: interface 'vy': not found .*--allow-missing" "$T/err" ||
	fail "missing interface: exit $rc, $(cat "$T/err")"
: >"$T/console"
start_daemon "$NS_A" --no-db -i vy --allow-missing -t 1 -l "$T/log2"
grep -q "interface 'vy': not there yet" "$T/stderr" || fail "no word about vy missing: $(cat "$T/stderr")"
make_pair vy 4
wait_logged "INTERFACE: vy appeared"
wait_quiet "$NS_A" vy 0.3
before=$(dev_counters "$NS_A" vy)
send 4 80 500 7401
wait_quiet "$NS_A" vy 0.3
after=$(dev_counters "$NS_A" vy)
sleep 1.5
stop_daemon
set -- $before $after
[ "$(tx_of_u1)" = "$(($7 - $3 - 14 * ($8 - $4))) $(($8 - $4))" ] && [ "$(tx_of_u1)" = "$((80 * 528)) 80" ] ||
	fail "created after start: U1 sent '$(tx_of_u1)', vy moved $(($7 - $3 - 14 * ($8 - $4))) $(($8 - $4))"
pass "an interface created after start (--allow-missing) is counted exactly"

# 3. Renamed onto a watched name, then away from it.
make_pair vr0 5
: >"$T/console"
start_daemon "$NS_A" --no-db -i vr --allow-missing -t 1 -l "$T/log3"
send 5 10 1000 7501 # vr0: not watched
ip -n "$NS_A" link set vr0 down
ip -n "$NS_A" link set vr0 name vr
ip -n "$NS_A" link set vr up
wait_logged "INTERFACE: vr appeared"
mac=$(ip -n "$NS_B" -o link show vr0p | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
ip -n "$NS_A" neigh replace 10.99.5.2 lladdr "$mac" dev vr nud permanent
send 5 20 1000 7502 # counted
ip -n "$NS_A" link set vr down
ip -n "$NS_A" link set vr name vrold
ip -n "$NS_A" link set vrold up
wait_logged "INTERFACE: vr renamed away"
ip -n "$NS_A" neigh replace 10.99.5.2 lladdr "$mac" dev vrold nud permanent
send 5 30 1000 7503 # not counted
sleep 1.5
stop_daemon
[ "$(tx_of_u1)" = "$((20 * 1028)) 20" ] || fail "renames: U1 sent '$(tx_of_u1)', expected only the 20 datagrams while named vr"
pass "renamed onto the watched name: counted; renamed away: not counted"
assert_no_bpf_left
