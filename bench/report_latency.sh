#!/usr/bin/env bash
# Report latency on the simulated year (5,000 users, default retention) that
# history_bench writes through the store's own insert path.  Times, side by
# side in one run: a one-month per-user report and a 30-day --by day report,
# each from the finest detail left (December: samples, hourly and daily
# rollups; June: daily rollups only).  Prints medians and ratios; asserts nothing.
#
#   bash bench/report_latency.sh [PDTT_BIN] [HISTORY_BENCH] [RUNS]
set -euo pipefail

PDTT=${1:-build/pdtt_xdp_user}
HB=${2:-build/bench/history_bench}
RUNS=${3:-7}
[ -x "$PDTT" ] && [ -x "$HB" ] || { echo "usage: $0 [PDTT_BIN] [HISTORY_BENCH] [RUNS] (build first)" >&2; exit 2; }

dir=$(mktemp -d /tmp/pdtt-report-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
ydir=$dir
[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && ydir=$(mktemp -d /dev/shm/pdtt-report-bench.XXXXXX) &&
	trap 'rm -rf "$dir" "$ydir"' EXIT

echo "generating the simulated year (5,000 users, UTC) through the store ..." >&2
"$HB" -p year -y "$ydir" -d "$dir" -K -z UTC >"$dir/year.txt"
db="$ydir/year.db"
[ -s "$db" ] || { echo "history_bench kept no database" >&2; exit 1; }
du -h "$db" | awk '{print "database: " $1}'

median_ms() { # CMD...: median wall time over RUNS runs, in ms
	local i t0 t1 times=()
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

declare -A ms
cases=("month-dec|--month 2026-12"
	"30d-by-day-dec|--from 2026-12-01 --to 2026-12-31 --by day"
	"month-jun|--month 2026-06"
	"30d-by-day-jun|--from 2026-06-01 --to 2026-07-01 --by day")
for c in "${cases[@]}"; do
	name=${c%%|*}
	args=${c#*|}
	# shellcheck disable=SC2086
	ms[$name]=$(median_ms "$PDTT" report -d "$db" $args --utc --format csv)
	rows=$("$PDTT" report -d "$db" $args --utc --format csv | tail -n +2 | wc -l)
	printf '%-16s %-48s %8s ms  %6d rows\n' "$name" "report $args" "${ms[$name]}" "$rows"
done
echo
awk -v a="${ms[30d-by-day-dec]}" -v b="${ms[month-dec]}" 'BEGIN {printf "30-day --by day / one-month total (December): %.2f\n", a / b}'
awk -v a="${ms[month-jun]}" -v b="${ms[month-dec]}" 'BEGIN {printf "June (daily rollups) / December (finest detail), one month: %.2f\n", a / b}'
