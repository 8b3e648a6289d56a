#!/usr/bin/env bash
# Cost of pdtt's cgroup_skb programs next to a minimal per-uid counter
# (bench/minimal.bpf.c), both attached to the cgroup v2 root at the same time
# and measured with the kernel's own BPF statistics (run_time_ns / run_cnt,
# kernel.bpf_stats_enabled=1) over the same packets: iperf3 between two
# network namespaces joined by a veth pair, run as an unprivileged uid.
#
#   usage: sudo bash bench/bpf_cost.sh [PDTT_BIN]   (default: build/pdtt_xdp_user)
#
#   BENCH_SECONDS=N   length of each iperf3 run (default 5)
#   BENCH_IFACE=all   start pdtt with '-i all' instead of '-i <veth>'
#   BENCH_ORDER=both | pdtt-first | minimal-first
#                     which program runs first on each packet.  The first one
#                     pays for the cold cache lines, so 'both' (the default)
#                     measures each order in turn (the daemon is restarted to
#                     move its programs behind the minimal ones) and also
#                     prints a ratio that averages the two.
#
# It prints figures and ratios; it never judges them.  Everything it sets up
# (namespaces, daemon, iperf3, attached programs, pins, the sysctl) is undone
# on exit, whatever the exit.  Traffic stays inside the two namespaces.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PDTT_BIN=${1:-$HERE/../build/pdtt_xdp_user}
SECS=${BENCH_SECONDS:-5}
ORDER=${BENCH_ORDER:-both}
TAG="pdttbench$$"
NS_A="$TAG-a"
NS_B="$TAG-b"
VETH_A=bencha # names are local to the namespaces
VETH_B=benchb
ADDR_A=10.199.0.1
ADDR_B=10.199.0.2
PORT=5201
BENCH_UID=60001
PIN="/sys/fs/bpf/benchmin-$$"
T=""
CGROUP2=""
DAEMON_PID=""
SERVER_PID=""
CLIENT_PID=""
OLD_STATS=""
MOUNTED_BPFFS=""
NS_MADE=""
VARIANT=""
declare -A MIN_ID=() MIN_ATTACHED=() PDTT_ID=()

die() {
	echo "bpf_cost: $*" >&2
	exit 1
}

# Ids of the programs attached to CGROUP2 with that name, in run order.
attached_ids() { # PROG_NAME
	bpftool cgroup show "$CGROUP2" | awk -v n="$1" '$NF == n { print $1 }'
}

cleanup() {
	local rc=$?
	set +e
	# Our own programs first: detach by id (works even if a pin is gone).
	for dir in ingress egress; do
		if [ -n "${MIN_ATTACHED[$dir]:-}" ]; then
			bpftool cgroup detach "$CGROUP2" "$dir" id "${MIN_ID[$dir]}" ||
				echo "bpf_cost: WARNING: could not detach min_$dir (id ${MIN_ID[$dir]}) from $CGROUP2" >&2
		fi
	done
	[ -e "$PIN" ] && rm -rf "$PIN"
	for p in "$CLIENT_PID" "$SERVER_PID"; do
		[ -n "$p" ] && kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -INT "$DAEMON_PID"
		for _ in $(seq 40); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill -9 "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	if [ -n "$NS_MADE" ]; then
		for ns in "$NS_A" "$NS_B"; do
			ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
			ip netns del "$ns" 2>/dev/null
		done
	fi
	wait 2>/dev/null # reap whatever was killed above: no zombies left behind
	[ -n "$OLD_STATS" ] && sysctl -qw kernel.bpf_stats_enabled="$OLD_STATS"
	[ -n "$MOUNTED_BPFFS" ] && umount /sys/fs/bpf
	for dir in ingress egress; do
		if [ -n "${MIN_ATTACHED[$dir]:-}" ] &&
			attached_ids "min_$dir" 2>/dev/null | grep -qx "${MIN_ID[$dir]}"; then
			echo "bpf_cost: WARNING: min_$dir (id ${MIN_ID[$dir]}) is still attached to $CGROUP2" >&2
			rc=1
		fi
	done
	if [ $rc -ne 0 ] && [ -n "$T" ]; then
		for f in "$T"/stderr "$T"/iperf3-server; do
			[ -s "$f" ] && { echo "--- $f (tail)"; tail -n 20 "$f"; } >&2
		done
	fi
	[ -n "$T" ] && rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- checks --------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "needs root (BPF, network namespaces); try: sudo bash $0 $*"
export PATH="$PATH:/usr/sbin:/sbin"
for tool in clang bpftool ip nsenter setpriv iperf3 ss sysctl; do
	command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[ -x "$PDTT_BIN" ] || die "not executable: $PDTT_BIN (build it: make build-xdp)"
case $ORDER in
both | pdtt-first | minimal-first) ;;
*) die "BENCH_ORDER: both, pdtt-first or minimal-first" ;;
esac
case $SECS in '' | *[!0-9]*) die "BENCH_SECONDS: a whole number of seconds" ;; esac
[ "$SECS" -ge 1 ] || die "BENCH_SECONDS: at least 1"
IFACE_ARG=${BENCH_IFACE:-$VETH_A}

# The cgroup v2 mount whose root is the hierarchy's root, as the daemon picks it.
CGROUP2=$(awk '{
	for (i = 1; i <= NF; i++)
		if ($i == "-") {
			if ($(i + 1) == "cgroup2" && $4 == "/")
				print $5
			break
		}
}' /proc/self/mountinfo | head -n 1)
[ -n "$CGROUP2" ] || die "no cgroup2 mount of the hierarchy root in /proc/self/mountinfo"

T=$(mktemp -d /tmp/pdttbench.XXXXXX)

# --- (a) the baseline object ----------------------------------------------
clang -target bpf -O2 -g -Wall -I/usr/include/x86_64-linux-gnu \
	-c "$HERE/minimal.bpf.c" -o "$T/minimal.bpf.o"

# --- (b) two namespaces and a veth pair -----------------------------------
# Default veth offloads (TSO/GSO on): TCP goes through pdtt's GSO path.
NS_MADE=1
ip netns add "$NS_A"
ip netns add "$NS_B"
for ns in "$NS_A" "$NS_B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
done
ip -n "$NS_A" link add "$VETH_A" type veth peer name "$VETH_B" netns "$NS_B"
ip -n "$NS_A" addr add "$ADDR_A/24" dev "$VETH_A"
ip -n "$NS_B" addr add "$ADDR_B/24" dev "$VETH_B"
ip -n "$NS_A" link set "$VETH_A" up
ip -n "$NS_B" link set "$VETH_B" up

# --- helpers --------------------------------------------------------------
json_num() { # FIELD JSON: first "FIELD":NUMBER in JSON, 0 if absent
	local v
	v=$(grep -o "\"$1\":[0-9]*" <<<"$2" | head -n 1 | cut -d: -f2)
	echo "${v:-0}"
}

prog_stats() { # ID -> "run_time_ns run_cnt" (bpftool omits both while 0)
	local j
	j=$(bpftool -j prog show id "$1")
	echo "$(json_num run_time_ns "$j") $(json_num run_cnt "$j")"
}

# (c) the daemon in NS_A; nsenter, not 'ip netns exec', which would hide the
# cgroup2 mount.  Its programs are told apart from any other pdtt's by id.
start_daemon() {
	local before_in before_eg new_in new_eg dcg i=0
	before_in=$(attached_ids pdtt_ingress)
	before_eg=$(attached_ids pdtt_egress)
	: >"$T/stderr"
	nsenter --net="/run/netns/$NS_A" "$PDTT_BIN" --no-db -i "$IFACE_ARG" -t 1 -l "$T/pdtt.log" \
		>"$T/console" 2>"$T/stderr" &
	DAEMON_PID=$!
	until grep -q "tracking" "$T/stderr"; do
		kill -0 "$DAEMON_PID" 2>/dev/null || die "pdtt exited at start: $(cat "$T/stderr")"
		sleep 0.05
		i=$((i + 1))
		[ $i -lt 200 ] || die "pdtt did not start within 10 s"
	done
	VARIANT=$(sed -n 's/.*(BPF variant \([a-z]*\), .*cgroup .*); log.*/\1/p' "$T/stderr")
	dcg=$(sed -n 's/.*(BPF variant [a-z]*, .*cgroup \(.*\)); log.*/\1/p' "$T/stderr")
	[ "$dcg" = "$CGROUP2" ] || die "pdtt attached to '$dcg', the bench to '$CGROUP2'"
	new_in=$(comm -13 <(sort <<<"$before_in") <(attached_ids pdtt_ingress | sort))
	new_eg=$(comm -13 <(sort <<<"$before_eg") <(attached_ids pdtt_egress | sort))
	if [ "$(wc -w <<<"$new_in")" != 1 ] || [ "$(wc -w <<<"$new_eg")" != 1 ]; then
		die "cannot tell which pdtt programs are this daemon's (another pdtt started meanwhile?)"
	fi
	PDTT_ID[ingress]=$new_in
	PDTT_ID[egress]=$new_eg
}

stop_daemon() { # SIGINT: the daemon detaches its programs and exits 0
	local rc=0
	kill -INT "$DAEMON_PID"
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=""
	[ $rc -eq 0 ] || die "pdtt exited $rc after SIGINT: $(cat "$T/stderr")"
}

# (d) loadall pins every program of the object under PIN; attach with 'multi'
# so they run next to pdtt's (its bpf_links are multi-attachments too).
attach_minimal() {
	local dir
	[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] || {
		mkdir -p /sys/fs/bpf
		mount -t bpf bpf /sys/fs/bpf
		MOUNTED_BPFFS=1
	}
	bpftool prog loadall "$T/minimal.bpf.o" "$PIN"
	for dir in ingress egress; do
		MIN_ID[$dir]=$(json_num id "$(bpftool -j prog show pinned "$PIN/min_$dir")")
		[ "${MIN_ID[$dir]}" != 0 ] || die "min_$dir: not found under $PIN after loading"
		MIN_ATTACHED[$dir]=1 # set first: a half-done attach is still detached
		bpftool cgroup attach "$CGROUP2" "$dir" pinned "$PIN/min_$dir" multi
	done
}

# Which of our two programs the kernel runs first, per direction, as it says.
actual_order() {
	local first_in first_eg
	first_in=$(bpftool cgroup show "$CGROUP2" | awk -v p="${PDTT_ID[ingress]}" \
		-v m="${MIN_ID[ingress]}" '$1 == p || $1 == m { print $NF; exit }')
	first_eg=$(bpftool cgroup show "$CGROUP2" | awk -v p="${PDTT_ID[egress]}" \
		-v m="${MIN_ID[egress]}" '$1 == p || $1 == m { print $NF; exit }')
	case "$first_in $first_eg" in
	"pdtt_ingress pdtt_egress") echo pdtt-first ;;
	"min_ingress min_egress") echo minimal-first ;;
	*) die "unexpected run order: ingress $first_in first, egress $first_eg first" ;;
	esac
}

# Prefix for iperf3 as the bench uid.  Used in simple commands, not in a
# function: a backgrounded function is a subshell, and its pid would not be
# iperf3's, so the cleanup would orphan iperf3 instead of reaping it.
AS_USER=(setpriv "--reuid=$BENCH_UID" "--regid=$BENCH_UID" --clear-groups)

snapshot() { # FILE: "program run_time_ns run_cnt" for the four programs
	local dir
	: >"$1"
	for dir in ingress egress; do
		echo "pdtt_$dir $(prog_stats "${PDTT_ID[$dir]}")" >>"$1"
		echo "min_$dir $(prog_stats "${MIN_ID[$dir]}")" >>"$1"
	done
}

RESULTS=()
run_workload() { # ORDER NAME IPERF3_CLIENT_ARGS...
	local order=$1 name=$2 rate
	shift 2
	snapshot "$T/before"
	ip netns exec "$NS_A" "${AS_USER[@]}" iperf3 -c "$ADDR_B" -B "$ADDR_A" -p $PORT \
		-t "$SECS" -f m "$@" >"$T/iperf3-$name" 2>&1 &
	CLIENT_PID=$!
	wait "$CLIENT_PID" || {
		CLIENT_PID=""
		cat "$T/iperf3-$name" >&2
		die "iperf3 client ($name) failed"
	}
	CLIENT_PID=""
	snapshot "$T/after"
	# The receiver's summary: bitrate, and for UDP the datagrams lost.
	rate=$(awk '/receiver$/ {
		r = ""
		for (i = 2; i <= NF; i++)
			if ($i ~ /bits\/sec$/)
				r = $(i - 1) " " $i
		if ($(NF - 1) ~ /^\(/)
			r = r ", lost " $(NF - 2) " " $(NF - 1)
	} END { print r }' "$T/iperf3-$name")
	RESULTS+=("$order $name: $rate")
	join "$T/before" "$T/after" |
		awk -v o="$order" -v w="$name" '{ print o, w, $1, $4 - $2, $5 - $3 }' >>"$T/deltas"
}

run_workloads() {
	local order
	order=$(actual_order)
	run_workload "$order" tcp
	run_workload "$order" udp -u -b 1G
}

# --- (e) statistics on, iperf3 server in B --------------------------------
OLD_STATS=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1

ip netns exec "$NS_B" "${AS_USER[@]}" iperf3 -s -B "$ADDR_B" -p $PORT >"$T/iperf3-server" 2>&1 &
SERVER_PID=$!
i=0
until ip netns exec "$NS_B" ss -Hltn "sport = :$PORT" | grep -q .; do
	kill -0 "$SERVER_PID" 2>/dev/null || die "iperf3 server exited: $(cat "$T/iperf3-server")"
	sleep 0.05
	i=$((i + 1))
	[ $i -lt 200 ] || die "iperf3 server did not listen within 10 s"
done

# --- (c)+(d) both program pairs on the cgroup root; clients from A --------
# Programs attached later run later: the order is set by who attaches first.
: >"$T/deltas"
case $ORDER in
pdtt-first)
	start_daemon
	attach_minimal
	run_workloads
	;;
minimal-first)
	attach_minimal
	start_daemon
	run_workloads
	;;
both)
	start_daemon
	attach_minimal
	run_workloads
	stop_daemon # its programs go; started again, they come after ours
	start_daemon
	run_workloads
	;;
esac

# --- (f) the tables -------------------------------------------------------
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "pdtt BPF cost vs a minimal per-uid counter (same hook, same packets)"
echo "  kernel   $(uname -r)"
echo "  CPU      ${CPU:-unknown} ($(nproc) CPUs online)"
echo "  pdtt     $PDTT_BIN, BPF variant ${VARIANT:-?}, -i $IFACE_ARG, on $CGROUP2"
echo "  traffic  iperf3 as uid $BENCH_UID, $NS_A -> $NS_B, ${SECS}s per run"
for r in "${RESULTS[@]}"; do
	echo "  iperf3   $r"
done
echo
awk '
	{
		k = $1 " " $2 " " $3
		t[k] = $4
		c[k] = $5
		if (!($1 in so)) { so[$1] = 1; o[++no] = $1 }
		if (!($2 in sw)) { sw[$2] = 1; w[++nw] = $2 }
	}
	function per(k) { return c[k] > 0 ? t[k] / c[k] : 0 }
	function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "n/a" }
	END {
		printf "%-14s %-4s %-8s %-13s %10s %13s %8s\n", "order", "run", "dir", "program",
			"run_cnt", "run_time_ns", "ns/run"
		for (i = 1; i <= no; i++)
			for (j = 1; j <= nw; j++)
				for (d = 1; d <= 2; d++) {
					dir = d == 1 ? "ingress" : "egress"
					split("pdtt_" dir " min_" dir, p, " ")
					for (q = 1; q <= 2; q++) {
						k = o[i] " " w[j] " " p[q]
						printf "%-14s %-4s %-8s %-13s %10d %13d %8.1f\n", o[i], w[j], dir,
							p[q], c[k], t[k], per(k)
					}
					a = o[i] " " w[j] " pdtt_" dir
					b = o[i] " " w[j] " min_" dir
					if (c[b] > 0 && (c[a] - c[b] > c[b] / 100 || c[b] - c[a] > c[b] / 100))
						warn = warn sprintf("note: %s %s %s: run_cnt differs by more than 1%%\n",
							o[i], w[j], dir)
				}
		print ""
		printf "pdtt/minimal, ns per run:"
		hdr = sprintf("%-4s %-8s", "run", "dir")
		for (i = 1; i <= no; i++)
			hdr = hdr sprintf(" %14s", o[i])
		if (no == 2)
			hdr = hdr sprintf(" %14s", "both orders")
		print ""
		print hdr
		for (j = 1; j <= nw; j++)
			for (d = 1; d <= 2; d++) {
				dir = d == 1 ? "ingress" : "egress"
				line = sprintf("%-4s %-8s", w[j], dir)
				sp = sm = 0
				for (i = 1; i <= no; i++) {
					a = o[i] " " w[j] " pdtt_" dir
					b = o[i] " " w[j] " min_" dir
					line = line sprintf(" %14s", ratio(per(a), per(b)))
					sp += per(a)
					sm += per(b)
				}
				# Each program once first, once second: the position cost cancels.
				if (no == 2)
					line = line sprintf(" %14s", ratio(sp, sm))
				print line
			}
		printf "%s", warn
	}' "$T/deltas"
