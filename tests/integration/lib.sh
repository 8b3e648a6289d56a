# Shared helpers for the integration tests: real BPF programs, real traffic
# between network namespaces, exact expectations.  Sourced, not run.
# Every test fails (never skips) when it cannot run, and cleans up on exit.
set -euo pipefail

PDTT_BIN=${1:?usage: $0 PDTT_BIN TRAFFIC_BIN}
TRAFFIC_SRC=${2:?usage: $0 PDTT_BIN TRAFFIC_BIN}
TEST_NAME=$(basename "$0" .sh)
TAG="pdtt$$"
NS_A="$TAG-a"
NS_B="$TAG-b"
T=$(mktemp -d /tmp/pdtt-it.XXXXXX)
chmod 755 "$T"
mkdir -m 1777 "$T/run"
TRAFFIC="$T/pdtt_traffic"
DAEMON_PID=""
BG_PIDS=()
PIN_ROOT="" # a test that pins sets it: cleanup then runs 'stop' on it
EXTRA_NETNS=() # namespaces a test adds besides NS_A and NS_B

fail() {
	echo "FAIL [$TEST_NAME]: $*" >&2
	exit 1
}

pass() {
	echo "ok [$TEST_NAME]: $*"
}

# Undoes everything the test set up.  Tests with more to undo call it from
# their own EXIT trap as "cleanup $rc" (after "set +e": a trap runs under
# set -e, and a failing command there would skip the rest).
cleanup() {
	local rc=${1:-$?}
	set +e
	for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -9 "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	[ -z "$PIN_ROOT" ] || "$PDTT_BIN" stop --pin-dir "$PIN_ROOT" >/dev/null 2>&1
	for ns in "$NS_A" "$NS_B" "${EXTRA_NETNS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	if [ $rc -ne 0 ]; then
		for f in "$T"/console "$T"/stderr "$T"/log; do
			[ -f "$f" ] && { echo "--- $f (tail)"; tail -n 30 "$f"; } >&2
		done
	fi
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || fail "integration tests need root (run them as root; they are never skipped)"
for tool in ip setpriv nsenter bpftool ethtool; do
	command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || fail "missing tool: $tool"
done
export PATH="$PATH:/usr/sbin:/sbin"
[ -x "$PDTT_BIN" ] || fail "not executable: $PDTT_BIN"
install -m 0755 "$TRAFFIC_SRC" "$TRAFFIC"

CGROUP2=$(awk '{for(i=1;i<=NF;i++) if($i=="-"){ if($(i+1)=="cgroup2") print $5; break}}' /proc/self/mountinfo | head -n 1)
[ -n "$CGROUP2" ] || fail "no cgroup2 mount"

# Users without passwd entries: the daemon must show its placeholder name.
U1=60001
U2=60002
U3=60003

as_user() { # NS UID CMD...
	local ns=$1 uid=$2
	shift 2
	ip netns exec "$ns" setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
}

# No timer-driven TCP retransmissions in NS (tail loss probes off, RTO at
# least 5 s): the veths lose nothing, but on a loaded machine a probe or an
# early RTO can put a duplicate FIN on the wire that arrives after both ends
# closed.  The kernel answers it with a reset and no socket ever sees it, so
# the device counters would be one packet ahead of what any socket moved
# (README, "What is counted").  Fast retransmit after a real loss still works.
quiet_tcp_timers() { # NS
	ip netns exec "$1" sysctl -qw net.ipv4.tcp_early_retrans=0
	# tcp_rto_min_us is 6.11+; older kernels keep 200 ms.
	ip netns exec "$1" sh -c '[ ! -e /proc/sys/net/ipv4/tcp_rto_min_us ] ||
		echo 5000000 >/proc/sys/net/ipv4/tcp_rto_min_us'
}

# TCP counters of NS that tell retransmissions and resets apart, for a
# failing test's message: "name=value ...".
tcp_mib() { # NS
	ip netns exec "$1" nstat -asz TcpInSegs TcpOutSegs TcpRetransSegs TcpOutRsts \
		TcpExtTCPLossProbes TcpExtTW TcpExtTCPBacklogDrop TcpExtTCPRcvQDrop \
		TcpExtTCPZeroWindowDrop TcpExtTCPOFODrop TcpExtTCPAbortOnData TcpExtPAWSEstab \
		2>/dev/null | awk 'NR > 1 { printf "%s=%s ", $1, $2 }'
}

# Two namespaces joined by veth va (NS_A, 10.99.1.1, fd00:99:1::1) <-> vb
# (NS_B, .2 / ::2), and a second pair vc <-> vd (10.99.2.0/24) that the
# daemon does not select.  Offloads off and static neighbours, so the veth's
# own counters see every wire packet and nothing but the test's traffic.
setup_netns() {
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	for ns in "$NS_A" "$NS_B"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.addr_gen_mode=1 \
			net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.default.mldv2_unsolicited_report_interval=1 \
			net.ipv6.conf.default.mldv1_unsolicited_report_interval=1
		quiet_tcp_timers "$ns"
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_A" link add va type veth peer name vb netns "$NS_B"
	ip -n "$NS_A" link add vc type veth peer name vd netns "$NS_B"
	local a b
	for pair in "$NS_A va 1" "$NS_B vb 2" "$NS_A vc 1" "$NS_B vd 2"; do
		set -- $pair
		local net=1
		case $2 in vc|vd) net=2 ;; esac
		ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx-udp-segmentation off >/dev/null 2>&1 ||
			ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null
		ip -n "$1" addr add "10.99.$net.$3/24" dev "$2"
		ip -n "$1" addr add "fd00:99:$net::$3/64" dev "$2" nodad
		ip -n "$1" link set "$2" up
	done
	for pair in "$NS_A va vb 2" "$NS_B vb va 1" "$NS_A vc vd 2" "$NS_B vd vc 1"; do
		set -- $pair
		local peer_ns=$NS_B net=1
		[ "$1" = "$NS_B" ] && peer_ns=$NS_A
		case $2 in vc|vd) net=2 ;; esac
		local mac
		mac=$(ip -n "$peer_ns" -o link show "$3" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
		ip -n "$1" neigh replace "10.99.$net.$4" lladdr "$mac" dev "$2" nud permanent
		ip -n "$1" neigh replace "fd00:99:$net::$4" lladdr "$mac" dev "$2" nud permanent
	done
	wait_quiet "$NS_A" va 1.5
}

dev_counters() { # NS DEV -> "rx_bytes rx_packets tx_bytes tx_packets"
	local d=/sys/class/net/$2/statistics
	ip netns exec "$1" sh -c "echo \$(cat $d/rx_bytes $d/rx_packets $d/tx_bytes $d/tx_packets)"
}

wait_quiet() { # NS DEV SECONDS: until the counters stay still that long
	local last now stable=0 need tries=0
	need=$(awk -v s="$3" 'BEGIN{print int(s*10)}')
	last=$(dev_counters "$1" "$2")
	while [ $stable -lt "$need" ]; do
		sleep 0.1
		now=$(dev_counters "$1" "$2")
		if [ "$now" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
		last=$now
		tries=$((tries + 1))
		[ $tries -lt 300 ] || fail "$2 in $1 never went quiet"
	done
}

wait_file() { # FILE
	local i=0
	while [ ! -e "$1" ]; do
		sleep 0.05
		i=$((i + 1))
		[ $i -lt 200 ] || fail "timed out waiting for $1"
	done
}

# The console gets a line per user whose totals changed (--console users):
# the last line of a uid is its total since start (console_counts).
DAEMON_ENV=() # NAME=VALUE pairs start_daemon runs the daemon with (clock.sh: libfaketime)
start_daemon() { # NS ARGS...: runs pdtt in NS, output in $T/console, $T/stderr
	local ns=$1
	shift
	: >"$T/stderr"
	# nsenter keeps the mount namespace: 'ip netns exec' would hide the
	# cgroup2 mount below /sys.
	nsenter --net="/run/netns/$ns" env "${DAEMON_ENV[@]}" "$PDTT_BIN" --console users "$@" \
		>"$T/console" 2>"$T/stderr" &
	DAEMON_PID=$!
	wait_started
}

wait_started() { # until $DAEMON_PID says "tracking" on $T/stderr (at most 15 s)
	local i=0
	until grep -q "tracking" "$T/stderr"; do
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "daemon exited at start: $(cat "$T/stderr")"
		sleep 0.05
		i=$((i + 1))
		[ $i -lt 300 ] || fail "daemon did not start: $(cat "$T/stderr")"
	done
}

# A unit's ExecStart= run the way systemd runs it (no systemd as PID 1
# here): ARGV (the unit's line, its paths redirected by the caller) with the
# unit's UMask=, CapabilityBoundingSet= and NoNewPrivileges=, DAEMON_ENV, in
# NS (or the host's network namespace for ""); DAEMON_PID once started.
unit_bounding() { # UNIT: its CapabilityBoundingSet= as setpriv's --bounding-set
	echo "-all$(sed -n 's/^CapabilityBoundingSet=//p' "$1" | tr ' ' '\n' | sed 's/^CAP_//' |
		tr 'A-Z' 'a-z' | sed 's/^/,+/' | tr -d '\n')"
}
run_unit() { # UNIT NS ARGV...
	local unit=$1 ns=$2 umask bounding
	shift 2
	umask=$(sed -n 's/^UMask=//p' "$unit")
	bounding=$(unit_bounding "$unit")
	[ -n "$umask" ] && [ "$bounding" != -all ] || fail "$unit: no UMask= or CapabilityBoundingSet="
	grep -qx 'NoNewPrivileges=yes' "$unit" || fail "$unit lacks NoNewPrivileges=yes"
	local netns=(nsenter --net="/run/netns/$ns")
	[ -n "$ns" ] || netns=()
	: >"$T/stderr"
	(umask "$umask" && exec "${netns[@]}" setpriv --bounding-set "$bounding" --no-new-privs \
		env "${DAEMON_ENV[@]}" "$@") >"$T/console" 2>"$T/stderr" &
	DAEMON_PID=$!
	wait_started
}

# One transfer of exactly known size: a receiver of BYTES in RECV_NS as
# RECV_UID, then the sender.  Fails unless every byte arrived.
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

# COUNT UDP datagrams of SIZE bytes.
udp_pair() { # RECV_NS RECV_UID SEND_NS SEND_UID ADDR PORT COUNT SIZE [GSO]
	run_pair "$1" "$2" "$3" "$4" udp "$5" "$6" $(($7 * $8)) "$7" "$8" ${9:-}
}

# UID in NS_A sends COUNT datagrams of SIZE over va to U3 in NS_B.
send_udp() { # UID COUNT SIZE PORT
	udp_pair "$NS_B" $U3 "$NS_A" "$1" 10.99.1.2 "$4" "$2" "$3"
}

# UID sends COUNT datagrams of SIZE to itself over NS's lo.
udp_lo() { # NS UID COUNT SIZE PORT
	udp_pair "$1" "$2" "$1" "$2" 127.0.0.1 "$5" "$3" "$4"
}

stop_daemon() { # [SIGNAL]: stops the daemon (default SIGINT) and checks the clean exit
	local sig=${1:-INT} rc=0
	kill -"$sig" "$DAEMON_PID"
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=""
	[ $rc -eq 0 ] || fail "daemon exited $rc after SIG$sig"
}

# The history database ($DB, or the file given) through the sqlite3 CLI.
dbq() { sqlite3 -cmd ".timeout 5000" "${2:-$DB}" "$1"; }

# Everything stored, over all users: "bytes packets".
all_stored() { dbq "SELECT coalesce(sum(rx_bytes + tx_bytes), 0) || ' ' ||
	coalesce(sum(rx_packets + tx_packets), 0) FROM samples"; }

# What crossed va in NS_A at the IP layer (the device counts Ethernet
# headers too, 14 bytes a packet): "bytes packets".
va_ip() { set -- $(dev_counters "$NS_A" va); echo "$(($1 + $3 - 14 * ($2 + $4))) $(($2 + $4))"; }

# A TCP socket in NS_A whose received data nobody reads until $T/run/hold
# exists: a server that becomes U2 (PDTT_TRAFFIC_HOLD), fed BYTES by U3
# from NS_B.  Returns once the receive window is full; HOLD_SPID and
# HOLD_CPID are the server and the sender.
hold_unread() { # PORT BYTES
	rm -f "$T/run/ready" "$T/run/hold"
	ip netns exec "$NS_A" env PDTT_TRAFFIC_HOLD="$T/run/hold" "$TRAFFIC" tcp-serve-as $U2 recv \
		10.99.1.1 "$1" "$2" "$T/run/ready" &
	HOLD_SPID=$!
	BG_PIDS+=("$HOLD_SPID")
	wait_file "$T/run/ready"
	as_user "$NS_B" $U3 "$TRAFFIC" tcp-send 10.99.1.1 "$1" "$2" &
	HOLD_CPID=$!
	BG_PIDS+=("$HOLD_CPID")
	wait_quiet "$NS_A" va 0.5
}

# Last console figures for a uid: "rx_bytes rx_packets tx_bytes tx_packets", or "0 0 0 0".
console_counts() {
	awk -v u="uid=$1" '$3 == u { r=$0 } END {
		if (r == "") { print "0 0 0 0"; exit }
		n = split(r, f, " ")
		for (i = 1; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
		print v["rx_bytes"], v["rx_packets"], v["tx_bytes"], v["tx_packets"]
	}' "$T/console"
}

# Total bytes for a uid in the last report block of a text log ("" if absent).
log_total() { # LOG UID
	awk -v u="$2" '
		/^=== Network Statistics Report \[[0-9-]+ [0-9:]+\] ===$/ { delete tot; cur = "" ; next }
		/^UID: [0-9]+ \| Username: / { cur = $2; next }
		/^  Total: [0-9]+ bytes$/ { if (cur != "") tot[cur] = $2; next }
		END { print tot[u] }' "$1"
}

# pdtt programs loaded on the machine, by id (attached or not): the
# cgroup_skb pair and the owner programs.
pdtt_prog_ids() {
	bpftool prog show 2>/dev/null | sed -n 's/^\([0-9]*\): .* name pdtt_[a-z_]* .*/\1/p' | sort
}

# Checks that no pdtt program this test created is still loaded or attached.
# Programs that existed before the test (an admin's running pdtt) are ignored.
assert_no_bpf_left() {
	local i=0 new
	# Programs are freed asynchronously once their last link and fd go away.
	while new=$(comm -13 "$T/base-prog-ids" <(pdtt_prog_ids)) && [ -n "$new" ]; do
		i=$((i + 1))
		[ $i -lt 40 ] || fail "pdtt programs left loaded: ids $(echo $new); $(bpftool cgroup show "$CGROUP2")"
		sleep 0.05
	done
	[ -z "$(ls -d /sys/fs/bpf/pdtt-test-$$* 2>/dev/null)" ] || fail "test pins left in /sys/fs/bpf"
}
pdtt_prog_ids >"$T/base-prog-ids"
