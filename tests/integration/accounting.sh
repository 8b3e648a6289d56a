#!/usr/bin/env bash
# Exact per-user accounting against real traffic.
# The daemon runs in NS_A with -i va -i lo.  Each phase is one user's traffic;
# the expectation comes from the veth's own device counters (offloads off, so
# one device packet is one wire packet: IP bytes = bytes - 14 * packets) and,
# for UDP, also from payload sizes.  Traffic on the unselected vc and on
# NS_B's lo (ifindex 1, like NS_A's) must count zero.
. "$(dirname "$0")/lib.sh"

declare -A EXP
add_exp() { # UID RXB RXP TXB TXP
	EXP[$1]="$(( ${2} + $(echo "${EXP[$1]:-0 0 0 0}" | cut -d' ' -f1) )) $(( ${3} + $(echo "${EXP[$1]:-0 0 0 0}" | cut -d' ' -f2) )) $(( ${4} + $(echo "${EXP[$1]:-0 0 0 0}" | cut -d' ' -f3) )) $(( ${5} + $(echo "${EXP[$1]:-0 0 0 0}" | cut -d' ' -f4) ))"
}

BEFORE=""
phase_begin() {
	wait_quiet "$NS_A" va 0.3
	BEFORE=$(dev_counters "$NS_A" va)
}

# Device-counter delta on va as IP-layer figures: "rxB rxP txB txP".
# With GRO on, veth receives through NAPI and counts each frame after its
# Ethernet header was pulled (rx_eth=0): then rx bytes are IP bytes already.
phase_end() { # [rx_eth]
	wait_quiet "$NS_A" va 0.3
	local after eth=${1:-14}
	after=$(dev_counters "$NS_A" va)
	set -- $BEFORE $after
	local rxp=$(($6 - $2)) txp=$(($8 - $4))
	echo "$(($5 - $1 - eth * rxp)) $rxp $(($7 - $3 - 14 * txp)) $txp"
}


# Run count of the daemon's program NAME, from the kernel's BPF statistics.
bpf_runs() {
	local id
	id=$(comm -13 "$T/base-prog-ids" <(pdtt_prog_ids) | while read -r i; do
		grep -q "name $1 " <<<"$(bpftool prog show id "$i")" && echo "$i"; done | sed -n 1p)
	bpftool -j prog show id "$id" | sed -n 's/.*"run_cnt":\([0-9]*\).*/\1/p'
}
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
trap 'rc=$?; set +e; sysctl -qw kernel.bpf_stats_enabled=$old_stats; cleanup $rc' EXIT
sysctl -qw kernel.bpf_stats_enabled=1

setup_netns
start_daemon "$NS_A" --no-db -i va -i lo -t 1 -l "$T/log"

# P1: U1 in A sends 3 MB over TCP/IPv4 to U3 in B.
phase_begin
runs0=$(bpf_runs pdtt_egress)
run_pair "$NS_B" $U3 "$NS_A" $U1 tcp 10.99.1.2 5001 3000000
d=$(phase_end); add_exp $U1 $d
runs=$(($(bpf_runs pdtt_egress) - runs0))
set -- $d
# TCP hands the stack GSO super-packets; the veth segments them after the
# egress program, which must have counted each segment's headers.
[ "$runs" -lt "$4" ] || fail "P1: no GSO on egress ($runs program runs for $4 packets)"
echo "P1 tcp4 send U1: $d (egress program ran $runs times)"

# P2: U1 sends 200 UDP/IPv4 datagrams of 1000 bytes.
phase_begin
run_pair "$NS_B" $U3 "$NS_A" $U1 udp 10.99.1.2 5002 200000 200 1000
d=$(phase_end); add_exp $U1 $d
[ "$d" = "0 0 $((200 * 1028)) 200" ] || fail "P2 device counters $d disagree with payload arithmetic"
echo "P2 udp4 send U1: $d"

# P3: U2 in A receives 2 MB over TCP/IPv6 from U3 in B.
phase_begin
run_pair "$NS_A" $U2 "$NS_B" $U3 tcp fd00:99:1::1 5003 2000000
d=$(phase_end); add_exp $U2 $d
echo "P3 tcp6 recv U2: $d"

# P3b: the same with GRO on va: the receiving stack sees GRO super-packets,
# which must count one packet and one header per wire segment, as the
# veth's counters (taken before GRO) do.
ip netns exec "$NS_A" ethtool -K va gro on >/dev/null
phase_begin
runs0=$(bpf_runs pdtt_ingress)
run_pair "$NS_A" $U2 "$NS_B" $U3 tcp 10.99.1.1 5013 4000000
d=$(phase_end 0); add_exp $U2 $d
runs=$(($(bpf_runs pdtt_ingress) - runs0))
ip netns exec "$NS_A" ethtool -K va gro off >/dev/null
set -- $d
[ "$runs" -lt "$2" ] || fail "P3b: GRO did not merge ($runs program runs for $2 packets)"
echo "P3b tcp4 recv U2 with GRO: $d (ingress program ran $runs times)"

# P4: U2 receives 200 UDP/IPv6 datagrams of 1200 bytes.
phase_begin
run_pair "$NS_A" $U2 "$NS_B" $U3 udp fd00:99:1::1 5004 240000 200 1200
d=$(phase_end); add_exp $U2 $d
[ "$d" = "$((200 * 1248)) 200 0 0" ] || fail "P4 device counters $d disagree with payload arithmetic"
echo "P4 udp6 recv U2: $d"

# P5: U1 sends UDP/IPv6 with UDP_SEGMENT: 20 buffers of 8000 bytes in 1000-byte
# segments.  The egress program sees 20 GSO packets and must count 160.
phase_begin
run_pair "$NS_B" $U3 "$NS_A" $U1 udp fd00:99:1::2 5005 160000 20 8000 1000
d=$(phase_end); add_exp $U1 $d
[ "$d" = "0 0 $((160 * 1048)) 160" ] || fail "P5 device counters $d disagree with segment arithmetic"
echo "P5 udp6 gso send U1: $d"

# P6: U2 sends 50 UDP/IPv4 datagrams of 500 bytes over NS_A's lo (selected):
# each crosses lo once out and once in.
run_pair "$NS_A" $U2 "$NS_A" $U2 udp 127.0.0.1 5006 25000 50 500
add_exp $U2 $((50 * 528)) 50 $((50 * 528)) 50

# P7, must count zero: U1 on NS_B's lo (same ifindex as NS_A's lo) and U1
# over the unselected vc.
run_pair "$NS_B" $U1 "$NS_B" $U1 udp 127.0.0.1 5007 25000 50 500
run_pair "$NS_B" $U3 "$NS_A" $U1 tcp 10.99.2.2 5008 1000000

# P8: a connection attempt from U3 in NS_B to a port nobody listens on in
# NS_A.  The SYN reaches no socket, so no cgroup_skb program sees it: only
# the kernel's reset counts, for uid 0 (README, "What is counted").
phase_begin
sleep 1.5 # uid 0's figures before P8 (a late ACK of an earlier phase counts for it)
root0=$(console_counts 0)
as_user "$NS_B" $U3 bash -c 'exec 3<>/dev/tcp/10.99.1.1/5009' 2>/dev/null && fail "P8: port 5009 accepted"
d=$(phase_end)
set -- $d
[ "$2 $4" = "1 1" ] || fail "P8: va moved '$d' (rxB rxP txB txP), expected one SYN in and one reset out"
P8_ROOT=$(echo "$root0 $3 $4" | awk '{ print $1, $2, $3 + $5, $4 + $6 }')
echo "P8 tcp4 SYN to a closed port: $d"

sleep 1.5 # at least one more interval
stop_daemon

[ "$(console_counts 0)" = "$P8_ROOT" ] ||
	fail "uid 0: counted '$(console_counts 0)', expected '$root0' plus the reset only: '$P8_ROOT'"
pass "a packet for no socket is not counted; the kernel's reset counts for uid 0"

for u in $U1 $U2; do
	got=$(console_counts $u)
	[ "$got" = "${EXP[$u]}" ] || fail "uid $u: counted '$got' (rxB rxP txB txP), expected '${EXP[$u]}'"
	set -- $got
	lt=$(log_total "$T/log" $u)
	[ "$lt" = "$(($1 + $3))" ] || fail "uid $u: log total '$lt' != rx+tx $(($1 + $3))"
	grep -q "^UID: $u | Username: (unknown)$" "$T/log" || fail "uid $u: placeholder name missing in log"
	pass "uid $u exact: $got; log total $lt"
done
[ "$(console_counts $U3)" = "0 0 0 0" ] || fail "uid $U3 (only in NS_B) was counted: $(console_counts $U3)"
pass "NS_B's lo, unselected vc and NS_B-only users count zero"

# The log holds README blocks only, busiest user first.
bad=$(grep -vE '^(=== Network Statistics Report \[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\] ===|UID: [0-9]+ \| Username: .+|  Total: [0-9]+ bytes|---)$' "$T/log" || true)
[ -z "$bad" ] || fail "unexpected log lines: $bad"
first=$(awk '/^=== /{b=""} /^UID:/{ if (b=="") b=$2 } END{print b}' "$T/log")
t1=$(log_total "$T/log" $U1)
t2=$(log_total "$T/log" $U2)
want=$U1
[ "$t2" -gt "$t1" ] && want=$U2
[ "$first" = "$want" ] || fail "last block does not list the busiest user first"
pass "log format and order"

assert_no_bpf_left
pass "SIGINT detached everything"
