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
phase_end() {
	wait_quiet "$NS_A" va 0.3
	local after
	after=$(dev_counters "$NS_A" va)
	set -- $BEFORE $after
	local rxp=$(($6 - $2)) txp=$(($8 - $4))
	echo "$(($5 - $1 - 14 * rxp)) $rxp $(($7 - $3 - 14 * txp)) $txp"
}

run_pair() { # RECV_NS RECV_UID SEND_NS SEND_UID PROTO ADDR PORT BYTES [COUNT SIZE [GSO]]
	local rns=$1 ruid=$2 sns=$3 suid=$4 proto=$5 addr=$6 port=$7 bytes=$8
	rm -f "$T/run/ready"
	as_user "$rns" "$ruid" "$TRAFFIC" "$proto-recv" "$addr" "$port" "$bytes" "$T/run/ready" &
	local rpid=$!
	BG_PIDS+=("$rpid")
	wait_file "$T/run/ready"
	if [ "$proto" = tcp ]; then
		as_user "$sns" "$suid" "$TRAFFIC" tcp-send "$addr" "$port" "$bytes" || fail "$proto sender failed"
	else
		as_user "$sns" "$suid" "$TRAFFIC" udp-send "$addr" "$port" "$9" "${10}" ${11:-} || fail "$proto sender failed"
	fi
	wait "$rpid" || fail "$proto receiver did not get all $bytes bytes"
}

setup_netns
start_daemon "$NS_A" --no-db -i va -i lo -t 1 -l "$T/log"

# P1: U1 in A sends 3 MB over TCP/IPv4 to U3 in B.
phase_begin
run_pair "$NS_B" $U3 "$NS_A" $U1 tcp 10.99.1.2 5001 3000000
d=$(phase_end); add_exp $U1 $d
echo "P1 tcp4 send U1: $d"

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

sleep 1.5 # at least one more interval
stop_daemon

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
