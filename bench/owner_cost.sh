#!/usr/bin/env bash
# Cost of pdtt's owner programs per send and receive call.  syscall_loop
# (bench/syscall_loop.c) makes small send/recv calls over loopback, TCP and
# UDP, as an unprivileged uid in a network namespace of its own, and reports
# the median ns per call of 20 chunks of each run.  The script runs it three
# ways, side by side, in rounds: without pdtt ("none"), with pdtt counting for
# the sockets' creators ("creator", PDTT_OWNER=creator: the cgroup_skb
# programs only) and with pdtt as it runs by default ("owners": the
# cgroup_skb programs and the owner programs).  pdtt runs in the namespace
# with '-i lo', so every packet of the loop is counted.
#
#   usage: sudo bash bench/owner_cost.sh [PDTT_BIN] [SYSCALL_LOOP]
#          (defaults: build/pdtt_xdp_user, build/bench/syscall_loop)
#
#   BENCH_ROUNDS=N    rounds of none, creator, owners (default 15)
#   BENCH_MESSAGES=N  messages per protocol and run: as many send and
#                     receive calls (default 50000)
#   BENCH_CPU=N       CPU the loop is pinned to (default: the last online one)
#   BENCH_STATS=N     passes with kernel.bpf_stats_enabled=1 that time each
#                     pdtt program (default 3; 0 skips them)
#
# The rounds run with kernel.bpf_stats_enabled=0: BPF programs untimed.  Then
# it turns it on and runs creator and owners in turn BENCH_STATS times, and
# prints run_cnt and run_time_ns for each pdtt program (bpftool prog show),
# summed over those passes, per side and protocol.  The sysctl gets its
# old value back on exit; the script says so if someone else turned it on
# meanwhile.
#
# It prints figures and ratios; it never judges them.  Everything it sets up
# (the namespace, the daemon, the loop, the sysctl) is undone on exit,
# whatever the exit.  Traffic stays on the namespace's loopback.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PDTT_BIN=${1:-$HERE/../build/pdtt_xdp_user}
LOOP_BIN=${2:-$HERE/../build/bench/syscall_loop}
ROUNDS=${BENCH_ROUNDS:-15}
MESSAGES=${BENCH_MESSAGES:-50000}
STATS=${BENCH_STATS:-3}
NS="pdttowner$$"
BENCH_UID=60001
T=""
CGROUP2=""
DAEMON_PID=""
LOOP_PID=""
OLD_STATS=""
NS_MADE=""
VARIANT=""
declare -A OUR_ID=()
SEEN_IDS="" # every program id a daemon of ours held: all gone at the end

die() {
	echo "owner_cost: $*" >&2
	exit 1
}

cleanup() {
	local rc=$?
	set +e
	[ -n "$LOOP_PID" ] && kill -9 "$LOOP_PID" 2>/dev/null && wait "$LOOP_PID" 2>/dev/null
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
		ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$NS" 2>/dev/null
	fi
	wait 2>/dev/null # reap whatever was killed above: no zombies left behind
	[ -n "$OLD_STATS" ] && sysctl -qw kernel.bpf_stats_enabled="$OLD_STATS"
	# The kernel frees a closed program a moment later (RCU): wait for it.
	for id in $SEEN_IDS; do
		for _ in $(seq 40); do
			bpftool prog show id "$id" >/dev/null 2>&1 || break
			sleep 0.05
		done
		if bpftool prog show id "$id" >/dev/null 2>&1; then
			echo "owner_cost: WARNING: program $id of a pdtt it started is still loaded" >&2
			rc=1
		fi
	done
	if [ $rc -ne 0 ] && [ -n "$T" ]; then
		for f in "$T"/stderr "$T"/loop.err; do
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
for tool in bpftool ip nsenter setpriv taskset sysctl; do
	command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[ -x "$PDTT_BIN" ] || die "not executable: $PDTT_BIN (build it: make build-xdp)"
[ -x "$LOOP_BIN" ] || die "not executable: $LOOP_BIN (build it: make build-xdp)"
case $ROUNDS in '' | *[!0-9]*) die "BENCH_ROUNDS: a whole number" ;; esac
[ "$ROUNDS" -ge 1 ] || die "BENCH_ROUNDS: at least 1"
case $MESSAGES in '' | *[!0-9]*) die "BENCH_MESSAGES: a whole number" ;; esac
case $STATS in '' | *[!0-9]*) die "BENCH_STATS: a whole number" ;; esac
[ "$MESSAGES" -ge 1 ] || die "BENCH_MESSAGES: at least 1"
CPU=${BENCH_CPU:-$(($(nproc) - 1))}
case $CPU in '' | *[!0-9]*) die "BENCH_CPU: a CPU number" ;; esac

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

T=$(mktemp -d /tmp/pdttowner.XXXXXX)

# --- a namespace with only loopback ---------------------------------------
NS_MADE=1
ip netns add "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link set lo up

# --- helpers --------------------------------------------------------------
json_num() { # FIELD JSON: first "FIELD":NUMBER in JSON, 0 if absent
	local v
	v=$(grep -o "\"$1\":[0-9]*" <<<"$2" | head -n 1 | cut -d: -f2)
	echo "${v:-0}"
}

pdtt_progs() { # "id name" of every loaded program whose name starts with pdtt_
	bpftool prog show | awk '$1 ~ /^[0-9]+:$/ && $3 == "name" && $4 ~ /^pdtt_/ {
		sub(":", "", $1); print $1, $4 }'
}

daemon_progs() { # PID: "id name" of each BPF program the process holds open
	local fd id
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd")" = anon_inode:bpf-prog ] || continue
		id=$(awk '$1 == "prog_id:" { print $2 }' "/proc/$1/fdinfo/${fd##*/}")
		[ -n "$id" ] && bpftool prog show id "$id" | awk -v i="$id" '$3 == "name" {
			print i, $4; exit }'
	done
}

# Loaded pdtt programs that are not this daemon's: another pdtt on the host.
# Its cgroup_skb programs see the loop's packets and its owner programs the
# loop's calls, on every side: the script counts them before each run.
foreign_count() {
	local n=0 id name
	while read -r id name; do
		[ "${OUR_ID[$name]:-}" = "$id" ] || n=$((n + 1))
	done < <(pdtt_progs)
	echo $n
}

# The daemon in NS; nsenter, not 'ip netns exec', which would hide the
# cgroup2 mount.  MODE: creator or owners.
start_daemon() {
	local mode=$1 user id name i=0
	: >"$T/stderr"
	if [ "$mode" = creator ]; then
		PDTT_OWNER=creator nsenter --net="/run/netns/$NS" "$PDTT_BIN" --no-db -i lo -t 5 \
			-l "$T/pdtt.log" >"$T/console" 2>"$T/stderr" &
	else
		env -u PDTT_OWNER nsenter --net="/run/netns/$NS" "$PDTT_BIN" --no-db -i lo -t 5 \
			-l "$T/pdtt.log" >"$T/console" 2>"$T/stderr" &
	fi
	DAEMON_PID=$!
	until grep -q "tracking" "$T/stderr"; do
		kill -0 "$DAEMON_PID" 2>/dev/null || die "pdtt exited at start: $(cat "$T/stderr")"
		sleep 0.05
		i=$((i + 1))
		[ $i -lt 200 ] || die "pdtt did not start within 10 s"
	done
	VARIANT=$(sed -n 's/.*(BPF variant \([a-z]*\), .*/\1/p' "$T/stderr")
	user=$(sed -n "s/.*, each socket's \(.*\), cgroup .*/\1/p" "$T/stderr")
	case "$mode:$user" in
	"creator:creator" | "owners:last user") ;;
	*) die "pdtt ($mode) counts for each socket's '$user': $(cat "$T/stderr")" ;;
	esac
	OUR_ID=()
	while read -r id name; do
		OUR_ID[$name]=$id
		SEEN_IDS="$SEEN_IDS $id"
	done < <(daemon_progs "$DAEMON_PID")
	[ -n "${OUR_ID[pdtt_ingress]:-}" ] || die "no pdtt_ingress among the daemon's programs"
}

stop_daemon() { # SIGINT: the daemon detaches its programs and exits 0
	local rc=0 id
	kill -INT "$DAEMON_PID"
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=""
	[ $rc -eq 0 ] || die "pdtt exited $rc after SIGINT: $(cat "$T/stderr")"
	# Its programs are freed a moment later (RCU); the next side starts after.
	for id in "${OUR_ID[@]}"; do
		for _ in $(seq 40); do
			bpftool prog show id "$id" >/dev/null 2>&1 || break
			sleep 0.05
		done
	done
	OUR_ID=()
}

# The loop as the bench uid, pinned to CPU, in NS.  A simple command, not a
# function run in the background: LOOP_PID is then the loop's own pid
# (nsenter, taskset and setpriv exec), which the cleanup can kill.
run_loop() { # OUT PROTO
	nsenter --net="/run/netns/$NS" taskset -c "$CPU" \
		setpriv "--reuid=$BENCH_UID" "--regid=$BENCH_UID" --clear-groups \
		"$LOOP_BIN" -p "$2" -n "$MESSAGES" >"$1" 2>"$T/loop.err" &
	LOOP_PID=$!
	wait "$LOOP_PID" || {
		LOOP_PID=""
		die "syscall_loop failed: $(cat "$T/loop.err")"
	}
	LOOP_PID=""
}

field() { # KEY FILE: the value of KEY=... in FILE's line
	sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$2"
}

snapshot() { # FILE: "program run_time_ns run_cnt" for each of the daemon's programs
	local name j
	for name in "${!OUR_ID[@]}"; do
		j=$(bpftool -j prog show id "${OUR_ID[$name]}")
		echo "$name $(json_num run_time_ns "$j") $(json_num run_cnt "$j")"
	done | sort >"$1"
}

FOREIGN_RUNS=0
FOREIGN_MAX=0
STATS_RUNS=0
RUNS=0
measure() { # SIDE ROUND: both protocols, one line each in $T/runs
	local side=$1 round=$2 proto f n st
	for proto in tcp udp; do
		f="$T/loop-$side-$round-$proto"
		n=$(foreign_count)
		RUNS=$((RUNS + 1))
		if [ "$n" != 0 ]; then
			FOREIGN_RUNS=$((FOREIGN_RUNS + 1))
			[ "$n" -le "$FOREIGN_MAX" ] || FOREIGN_MAX=$n
		fi
		st=$(sysctl -n kernel.bpf_stats_enabled)
		run_loop "$f" "$proto"
		[ "$st$(sysctl -n kernel.bpf_stats_enabled)" = 00 ] || STATS_RUNS=$((STATS_RUNS + 1))
		echo "$round $side $proto $(field ns_per_call "$f") $(field send_ns "$f")" \
			"$(field recv_ns "$f") $(field mean_ns "$f")" >>"$T/runs"
	done
}

# --- the rounds: none, creator, owners; BPF statistics off ---------------
OLD_STATS=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=0
: >"$T/runs"
# Each round starts one side later than the one before (none, creator, owners;
# creator, owners, none; ...), so no side is always the one after a restart.
SIDES=(none creator owners)
for round in $(seq "$ROUNDS"); do
	for k in 0 1 2; do
		side=${SIDES[$(((round - 1 + k) % 3))]}
		if [ "$side" = none ]; then
			measure none "$round"
		else
			start_daemon "$side"
			measure "$side" "$round"
			stop_daemon
		fi
	done
done

# --- the programs' own time: stats on, creator and owners in turn --------
: >"$T/progs"
STATS_OFF=""
if [ "$STATS" != 0 ]; then
	sysctl -qw kernel.bpf_stats_enabled=1
	for pass in $(seq "$STATS"); do
		for side in creator owners; do
			start_daemon "$side"
			for proto in tcp udp; do
				f="$T/stats-$side-$proto-$pass"
				snapshot "$T/before"
				run_loop "$f" "$proto"
				[ "$(sysctl -n kernel.bpf_stats_enabled)" = 1 ] ||
					STATS_OFF="$STATS_OFF $side/$proto/$pass"
				snapshot "$T/after"
				# Messages as the programs saw them: the warm-up's too.
				msgs=$(($(field calls "$f") / 2 + $(field warmup "$f")))
				join "$T/before" "$T/after" | awk -v s="$side" -v p="$proto" \
					-v m="$msgs" -v l="$(field ns_per_call "$f")" \
					'{ print s, p, $1, $4 - $2, $5 - $3, m, l }' >>"$T/progs"
			done
			stop_daemon
		done
	done
	sysctl -qw kernel.bpf_stats_enabled=0
fi

# --- the tables -----------------------------------------------------------
CPU_NAME=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "pdtt owner programs: cost per send/receive call (syscall_loop, side by side)"
echo "  kernel   $(uname -r)"
echo "  CPU      ${CPU_NAME:-unknown} ($(nproc) CPUs online), loop pinned to CPU $CPU"
echo "  pdtt     $PDTT_BIN, BPF variant ${VARIANT:-?}, --no-db -i lo in $NS, on $CGROUP2"
echo "  loop     $LOOP_BIN as uid $BENCH_UID, $MESSAGES messages of 64 B per protocol and" \
	"run (as many send and receive calls, timed in 20 chunks); $ROUNDS rounds of none," \
	"creator, owners (in turn)"
echo "  stats    kernel.bpf_stats_enabled: $OLD_STATS before, 0 in the rounds, 1 in the" \
	"per-program passes"
echo "  sides    none: no pdtt; creator: PDTT_OWNER=creator (cgroup_skb only);" \
	"owners: the default (cgroup_skb + owner programs)"
echo
echo "ns per call, each run: call, send and recv are the loop's medians of its chunks" \
	"(call: a send and a receive call, halved), mean is all calls' time over all calls:"
printf "%-5s %-8s %-5s %9s %9s %9s %9s\n" round side proto call send recv mean
while read -r round side proto call send recv mean; do
	printf "%-5s %-8s %-5s %9s %9s %9s %9s\n" "$round" "$side" "$proto" "$call" "$send" \
		"$recv" "$mean"
done <"$T/runs"
echo
echo "median over the rounds: ns per call; ratios of the medians; in [ ]: the median of" \
	"the ratios within each round (the sides of a round ran within seconds of each other);" \
	"owners-creator: the median of the differences within each round, ns per call:"
awk '
	function median(list,    n, i, j, t, a) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function ratio(a, b) { return b > 0 ? sprintf("%.3f", a / b) : "n/a" }
	# Median over the rounds of SIDE_A/SIDE_B for "proto kind" K.
	function paired(sa, sb, k,    r, l) {
		l = ""
		for (r in rounds)
			if (x[r " " sb " " k] > 0)
				l = l " " x[r " " sa " " k] / x[r " " sb " " k]
		return l == "" ? "n/a" : sprintf("%.3f", median(l))
	}
	# Median over the rounds of SIDE_A - SIDE_B.
	function paired_diff(sa, sb, k,    r, l) {
		l = ""
		for (r in rounds)
			l = l " " x[r " " sa " " k] - x[r " " sb " " k]
		return median(l)
	}
	{
		rounds[$1] = 1
		for (q = 4; q <= 6; q++) {
			k = $3 " " (q == 4 ? "call" : q == 5 ? "send" : "recv")
			v[$2 " " k] = v[$2 " " k] " " $q
			x[$1 " " $2 " " k] = $q
		}
	}
	END {
		printf "%-5s %-4s %8s %8s %8s %15s %15s %15s %15s\n", "proto", "kind", "none",
			"creator", "owners", "creator/none", "owners/none", "owners/creator",
			"owners-creator"
		for (p = 1; p <= 2; p++)
			for (q = 1; q <= 3; q++) {
				k = (p == 1 ? "tcp" : "udp") " " (q == 1 ? "call" : q == 2 ? "send" : "recv")
				a = median(v["none " k])
				b = median(v["creator " k])
				c = median(v["owners " k])
				printf "%-10s %8.1f %8.1f %8.1f %5s [%7s] %5s [%7s] %5s [%7s] %15.1f\n",
					k, a, b, c, ratio(b, a), paired("creator", "none", k),
					ratio(c, a), paired("owners", "none", k), ratio(c, b),
					paired("owners", "creator", k), paired_diff("owners", "creator", k)
			}
	}' "$T/runs"
if [ -s "$T/progs" ]; then
	echo
	echo "each pdtt program, kernel.bpf_stats_enabled=1, $STATS runs per side and protocol" \
		"(creator and owners in turn), summed;" \
		"runs/msg: runs per message (a send and a receive call), ns/call: ns of that" \
		"program per call, as the loop's ns/call:"
	printf "%-7s %-5s %-19s %9s %9s %8s %9s\n" side proto program run_cnt "runs/msg" \
		"ns/run" "ns/call"
	# Sums over the passes; the loop's ns/call is their mean.
	awk '{ k = $1 " " $2 " " $3; t[k] += $4; c[k] += $5; m[k] += $6; l[k] += $7; n[k]++ }
		END { for (k in t) printf "%s %d %d %d %.1f\n", k, t[k], c[k], m[k], l[k] / n[k] }' "$T/progs" |
		sort -k1,1 -k2,2 -k3,3 | awk '
		{
			k = $1 " " $2
			if (k != last && last != "")
				printf "%-7s %-5s %-19s %9s %9s %8s %9.1f   (loop: %s ns/call)\n",
					ls, lp, "all", "", "", "", sum / lm / 2, ll
			if (k != last) { sum = 0; last = k; ls = $1; lp = $2; lm = $6; ll = $7 }
			sum += $4
			printf "%-7s %-5s %-19s %9d %9.2f %8.1f %9.1f\n", $1, $2, $3, $5, $5 / $6,
				($5 > 0 ? $4 / $5 : 0), $4 / $6 / 2
		}
		END {
			if (last != "")
				printf "%-7s %-5s %-19s %9s %9s %8s %9.1f   (loop: %s ns/call)\n",
					ls, lp, "all", "", "", "", sum / lm / 2, ll
		}'
	echo "(run_cnt counts every socket and packet on the host, not only the loop's.)"
fi
if [ "$STATS_RUNS" != 0 ]; then
	echo "note: kernel.bpf_stats_enabled was on (turned on by someone else) during" \
		"$STATS_RUNS of $RUNS runs: every BPF program ran timed in them"
fi
if [ -n "$STATS_OFF" ]; then
	echo "note: kernel.bpf_stats_enabled was off after the stats run of:$STATS_OFF" \
		"(someone else turned it off): their run_cnt and run_time_ns are partial"
fi
if [ "$FOREIGN_RUNS" != 0 ]; then
	echo "note: in $FOREIGN_RUNS of $RUNS runs, up to $FOREIGN_MAX pdtt programs of another" \
		"pdtt were loaded; they run on the loop's calls and packets too, on every side"
fi
