#!/usr/bin/env bash
# Who a connection counts for when its socket changes hands: the host fsuid
# of the task that last sent or received on it.  The servers in NS_A start as
# root, bind (listen, accept) as root and then become an unprivileged user
# (tcp-serve-as, udp-serve-as and tcp-handover in tests/traffic.c); their
# peers in NS_B run as U3 and are not counted (the daemon selects va only).
# Every case has a daemon of its own, so its console figures are that case
# alone.  The oracle is va's own device counters (offloads off, so one device
# packet is one wire packet: IP bytes = bytes - 14 * packets) and, for UDP,
# also the payload arithmetic.  Expected:
#  - TCP: the server's user gets every packet but the handshake, which counts
#    for root (SYN in, SYN-ACK out, final ACK in: at most 3 packets, 300 bytes);
#  - UDP: the server's user gets everything, root nothing;
#  - SCM_RIGHTS: the first owner gets what moved before the hand-over (read
#    from the device once the link went quiet), the second what moved after,
#    give or take 2 late ACKs (200 bytes) either way;
#  - the compat variant (old kernels) counts the socket's creator: root.
. "$(dirname "$0")/lib.sh"

BIG=5000000    # bytes per TCP case
SMALL=1000     # bytes per call in the many-calls cases
DGRAMS=200     # UDP datagrams per case, of DGRAM_SIZE bytes
DGRAM_SIZE=1000
A4=10.99.1.1 B4=10.99.1.2 A6=fd00:99:1::1 B6=fd00:99:1::2
N=0            # case number: ports 700 + N (below 1024: binding needs root)
IFACE=va       # the daemon's -i, and the oracle
FIGS="(rxB rxP txB txP)"

add4() { # "a b c d" "e f g h"
	set -- $1 $2
	echo "$(($1 + $5)) $(($2 + $6)) $(($3 + $7)) $(($4 + $8))"
}

sub4() {
	set -- $1 $2
	echo "$(($1 - $5)) $(($2 - $6)) $(($3 - $7)) $(($4 - $8))"
}

abs() { echo $(($1 < 0 ? -$1 : $1)); }

# Uids on the daemon's console (it lists every uid it counted, uid 0 too).
console_uids() {
	awk '$3 ~ /^uid=[0-9]+$/ { print substr($3, 5) }' "$T/console" | sort -un
}

# Console figures of every uid but the ones given, "uid U: figures" each.
others_counted() { # UID...
	local u keep c
	for u in $(console_uids); do
		for keep in "$@"; do [ "$u" != "$keep" ] || continue 2; done
		c=$(console_counts "$u")
		[ "$c" = "0 0 0 0" ] || echo "uid $u: $c"
	done
}

case_begin() {
	N=$((N + 1))
	start_daemon "$NS_A" --no-db -i $IFACE -t 1 -l "$T/log"
	wait_quiet "$NS_A" $IFACE 0.3
	BEFORE=$(dev_counters "$NS_A" $IFACE)
}

dev_since_begin() { # -> IP-layer "rxB rxP txB txP" on IFACE since case_begin
	set -- $BEFORE $(dev_counters "$NS_A" $IFACE)
	local rxp=$(($6 - $2)) txp=$(($8 - $4))
	echo "$(($5 - $1 - 14 * rxp)) $rxp $(($7 - $3 - 14 * txp)) $txp"
}

# Waits until IFACE is quiet, stops the daemon (its last console lines are the
# final totals) and checks what holds whoever the owner is: the sum over all
# uids is the device's delta, DEV.
case_end() { # NAME
	wait_quiet "$NS_A" $IFACE 0.3
	DEV=$(dev_since_begin)
	stop_daemon
	local sum="0 0 0 0" u
	for u in $(console_uids); do sum=$(add4 "$sum" "$(console_counts "$u")"); done
	[ "$sum" = "$DEV" ] || fail "$1: all uids together counted '$sum', $IFACE moved '$DEV' $FIGS"
}

# One TCP connection: the server (root, then USER) accepts from the peer and
# moves BIG bytes with MODE; a sending server's peer is tcp-fetch, a
# receiving one's tcp-send.
tcp_transfer() { # NAME USER MODE ADDR [CHUNK]
	local name=$1 user=$2 mode=$3 addr=$4 chunk=${5:-} port=$((700 + N)) spid peer
	rm -f "$T/run/ready"
	ip netns exec "$NS_A" "$TRAFFIC" tcp-serve-as "$user" "$mode" "$addr" $port $BIG \
		"$T/run/ready" $chunk &
	spid=$!
	BG_PIDS+=("$spid")
	wait_file "$T/run/ready"
	case $mode in
	*recv* | *read*) peer=tcp-send ;;
	*) peer=tcp-fetch ;;
	esac
	as_user "$NS_B" $U3 "$TRAFFIC" $peer "$addr" $port $BIG || fail "$name: $peer (the peer) failed"
	wait "$spid" || fail "$name: the server did not move all $BIG bytes"
	# The oracle saw the volume (and at most as much again: headers,
	# retransmissions).
	set -- $(dev_since_begin)
	local moved=$3
	case $mode in *recv* | *read*) moved=$1 ;; esac
	[ "$moved" -gt $BIG ] && [ "$moved" -lt $((2 * BIG)) ] ||
		fail "$name: $IFACE moved $moved IP bytes for $BIG bytes of payload"
}

# Rule 1: the handshake (at most 3 packets, 300 bytes) for root, all else for UID.
tcp_case() { # NAME USER MODE ADDR [CHUNK]
	local name=$1 uid=${2#euid:} root own
	case_begin
	tcp_transfer "$@"
	case_end "$name"
	root=$(console_counts 0)
	own=$(console_counts "$uid")
	local other
	other=$(others_counted 0 "$uid")
	[ -z "$other" ] || fail "$name: other uids counted: $other"
	[ "$(add4 "$root" "$own")" = "$DEV" ] ||
		fail "$name: uid 0 '$root' + uid $uid '$own' != va '$DEV' $FIGS"
	set -- $root
	[ $(($2 + $4)) -le 3 ] && [ $(($1 + $3)) -le 300 ] ||
		fail "$name: uid 0 got '$root', more than the handshake (3 packets, 300 bytes); uid $uid '$own', va '$DEV' $FIGS"
	pass "$name: uid $uid '$own', uid 0 (handshake) '$root' = va '$DEV' $FIGS"
}

# Rule 2: DGRAMS datagrams received (recv) or sent (send) by a UDP server
# bound as root, then USER: all for USER, nothing for root.
udp_case() { # NAME USER recv|send 4|6
	local name=$1 user=$2 dir=$3 uid=${2#euid:} hdr=28 a=$A4 b=$B4 want spid rpid
	[ "$4" = 6 ] && hdr=48 a=$A6 b=$B6
	case_begin
	rm -f "$T/run/ready"
	if [ "$dir" = recv ]; then
		ip netns exec "$NS_A" "$TRAFFIC" udp-serve-as "$user" recv "$a" $((700 + N)) \
			$((DGRAMS * DGRAM_SIZE)) "$T/run/ready" &
		spid=$!
		BG_PIDS+=("$spid")
		wait_file "$T/run/ready"
		as_user "$NS_B" $U3 "$TRAFFIC" udp-send "$a" $((700 + N)) $DGRAMS $DGRAM_SIZE ||
			fail "$name: udp-send (the peer) failed"
		wait "$spid" || fail "$name: the server did not receive every datagram"
		want="$((DGRAMS * (DGRAM_SIZE + hdr))) $DGRAMS 0 0"
	else
		as_user "$NS_B" $U3 "$TRAFFIC" udp-recv "$b" $((7000 + N)) $((DGRAMS * DGRAM_SIZE)) \
			"$T/run/ready" &
		rpid=$!
		BG_PIDS+=("$rpid")
		wait_file "$T/run/ready"
		ip netns exec "$NS_A" "$TRAFFIC" udp-serve-as "$user" send "$a" $((700 + N)) \
			$DGRAMS $DGRAM_SIZE "$b" $((7000 + N)) || fail "$name: the server failed to send"
		wait "$rpid" || fail "$name: udp-recv (the peer) did not receive every datagram"
		want="0 0 $((DGRAMS * (DGRAM_SIZE + hdr))) $DGRAMS"
	fi
	case_end "$name"
	[ "$DEV" = "$want" ] || fail "$name: va moved '$DEV', payload arithmetic says '$want' $FIGS"
	local root own
	root=$(console_counts 0)
	own=$(console_counts "$uid")
	local other
	other=$(others_counted "$uid")
	[ -z "$other" ] || fail "$name: other uids counted: $other"
	[ "$own" = "$DEV" ] || fail "$name: uid $uid counted '$own', va moved '$DEV' $FIGS"
	pass "$name: uid $uid '$own' = va = payload arithmetic, uid 0 '$root' $FIGS"
}

# Rule 4: USER1 (accepted by root; 0: root itself) sends A bytes and, once
# they are all acknowledged, passes the socket to USER2, which sends B and
# receives C.  D1 is va's delta at the hand-over, DEV at the end.
handover_case() { # NAME UID1 UID2 4|6 A B C
	local name=$1 u1=$2 u2=$3 addr=$A4 a=$5 b=$6 c=$7 port spid ppid
	[ "$4" = 6 ] && addr=$A6
	case_begin
	local mib_a mib_b
	mib_a=$(tcp_mib "$NS_A")
	mib_b=$(tcp_mib "$NS_B")
	port=$((700 + N))
	rm -f "$T/run/ready" "$T/run/handed" "$T/run/go"
	ip netns exec "$NS_A" "$TRAFFIC" tcp-handover $u1 $u2 $addr $port $a $b $c \
		"$T/run/ready" "$T/run/handed" "$T/run/go" &
	spid=$!
	BG_PIDS+=("$spid")
	wait_file "$T/run/ready"
	as_user "$NS_B" $U3 "$TRAFFIC" tcp-fetch $addr $port $((a + b)) $c &
	ppid=$!
	BG_PIDS+=("$ppid")
	wait_file "$T/run/handed"
	wait_quiet "$NS_A" $IFACE 0.3
	local d1
	d1=$(dev_since_begin)
	: >"$T/run/go"
	wait "$ppid" || fail "$name: tcp-fetch (the peer) did not get $((a + b)) bytes"
	wait "$spid" || fail "$name: the servers did not move every byte"
	case_end "$name"
	local d2
	d2=$(sub4 "$DEV" "$d1")
	set -- $d1 $d2
	[ "$3" -gt "$a" ] && [ "$7" -gt "$b" ] && [ "$5" -ge "$c" ] ||
		fail "$name: va before '$d1' and after '$d2' the hand-over cannot carry $a, $b, $c bytes"
	local root own1="0 0 0 0" own2 first
	root=$(console_counts 0)
	[ "$u1" = 0 ] || own1=$(console_counts "$u1")
	own2=$(console_counts "$u2")
	first=$(add4 "$root" "$own1")
	local figs="uid 0 '$root', uid $u1 '$own1', uid $u2 '$own2'"
	[ "$u1" != 0 ] || figs="uid 0 '$root', uid $u2 '$own2'"
	local other
	other=$(others_counted 0 "$u1" "$u2")
	[ -z "$other" ] || fail "$name: other uids counted: $other"
	[ "$(add4 "$first" "$own2")" = "$DEV" ] ||
		fail "$name: uid 0 '$root' + uid $u1 '$own1' + uid $u2 '$own2' != va '$DEV' $FIGS;" \
			"TCP in $NS_A before: $mib_a after: $(tcp_mib "$NS_A"); in $NS_B before: $mib_b after: $(tcp_mib "$NS_B")"
	set -- $(sub4 "$first" "$d1")
	[ $(($(abs $2) + $(abs $4))) -le 2 ] && [ $(($(abs $1) + $(abs $3))) -le 200 ] ||
		fail "$name: before the hand-over va moved '$d1', uid 0 and $u1 got '$first'; after, va '$d2', uid $u2 '$own2' $FIGS"
	if [ "$u1" != 0 ]; then
		set -- $root
		[ $(($2 + $4)) -le 3 ] && [ $(($1 + $3)) -le 300 ] ||
			fail "$name: uid 0 got '$root', more than the handshake"
	fi
	pass "$name: $figs; va before the hand-over '$d1', after '$d2' $FIGS"
}

setup_netns

# Rule 1 and 5: setresuid, both directions, both families, one call for the
# whole volume and calls of SMALL bytes.
for fam in 4 6; do
	addr=$A4
	[ $fam = 6 ] && addr=$A6
	for mode in recv send; do
		tcp_case "tcp$fam $mode as U1, one call" $U1 $mode $addr $BIG
		tcp_case "tcp$fam $mode as U1, $SMALL-byte calls" $U1 $mode $addr $SMALL
	done
done
# Only the effective uid changes (real uid 0).
tcp_case "tcp4 recv as euid U2" euid:$U2 recv $A4
tcp_case "tcp6 send as euid U2" euid:$U2 send $A6

# Rule 3: other system calls; the whole volume at once on IPv4, small calls on IPv6.
for mode in sendfile splice-send splice-recv uring-send uring-recv uring-read uring-write; do
	tcp_case "tcp4 $mode as U1, chunk $BIG" $U1 $mode $A4 $BIG
	tcp_case "tcp6 $mode as U1, chunk $SMALL" $U1 $mode $A6 $SMALL
done
# io_uring requests that start on an io-wq worker thread.
tcp_case "tcp4 uring-send-async as U1" $U1 uring-send-async $A4
tcp_case "tcp4 uring-recv-async as U1" $U1 uring-recv-async $A4

# Rule 2 and 5: UDP.
for fam in 4 6; do
	udp_case "udp$fam recv as U1" $U1 recv $fam
	udp_case "udp$fam send as U1" $U1 send $fam
done
udp_case "udp4 recv as euid U2" euid:$U2 recv 4
udp_case "udp6 send as euid U2" euid:$U2 send 6

# Rule 4: SCM_RIGHTS hand-over.
handover_case "tcp4 U1 hands to U2" $U1 $U2 4 2000000 3000000 0
handover_case "tcp6 U1 hands to U2, which also receives" $U1 $U2 6 2000000 2000000 1000000
handover_case "tcp4 root hands to U2, which also receives" 0 $U2 4 2000000 2000000 1000000

# Rule 6: the compat variant counts the socket's creator (the documented
# weaker guarantee), and says so at start.  It also counts -i by ifindex in
# every namespace (README), so its case runs on a pair of its own, vx (NS_A,
# 10.99.3.1) <-> vy (NS_B), with indexes nothing else on the machine uses.
ia=$((100000 + ($$ % 100000) * 2))
ip -n "$NS_A" link add vx index $ia type veth peer name vy index $((ia + 1)) netns "$NS_B"
for end in "$NS_A vx 1" "$NS_B vy 2"; do
	set -- $end
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx-udp-segmentation off >/dev/null 2>&1 ||
		ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null
	ip -n "$1" addr add "10.99.3.$3/24" dev "$2"
	ip -n "$1" link set "$2" up
done
ip -n "$NS_A" neigh replace 10.99.3.2 dev vx nud permanent \
	lladdr "$(ip netns exec "$NS_B" cat /sys/class/net/vy/address)"
ip -n "$NS_B" neigh replace 10.99.3.1 dev vy nud permanent \
	lladdr "$(ip netns exec "$NS_A" cat /sys/class/net/vx/address)"
IFACE=vx
export PDTT_BPF_VARIANT=compat
name="compat: tcp4 recv as U1"
case_begin
tcp_transfer "$name" $U1 recv 10.99.3.1
case_end "$name"
unset PDTT_BPF_VARIANT
grep -q 'warning:' "$T/stderr" || fail "$name: no warning on stderr: $(cat "$T/stderr")"
root=$(console_counts 0)
own=$(console_counts $U1)
[ "$root" = "$DEV" ] && [ "$own" = "0 0 0 0" ] ||
	fail "$name: uid 0 '$root', uid $U1 '$own', vx '$DEV': all should be root's $FIGS"
pass "$name: uid 0 '$root' = vx, uid $U1 '$own'; stderr: $(grep -m1 'warning:' "$T/stderr")"
