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

. "$(dirname "$0")/lib.sh"
simulated_year report-bench "$HB"
du -h "$db" | awk '{print "database: " $1}'

declare -A ms
cases=("month-dec|--month 2026-12"
	"30d-by-day-dec|--from 2026-12-01 --to 2026-12-31 --by day"
	"month-jun|--month 2026-06"
	"30d-by-hour-dec|--from 2026-12-01 --to 2026-12-31 --by hour"
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


# The report floor (issue 11): a GROUP BY uid over exactly the rows that
# cover December, in a minimal WITHOUT ROWID table with a fitting key, read by
# the sqlite3 CLI (a process start, like report's).
floor=$ydir/floor.db
dec_from=$(date -u -d 2026-12-01 +%s)
dec_to=$(date -u -d 2027-01-01 +%s)
sqlite3 "$floor" "ATTACH '$db' AS y;
	CREATE TABLE f (t INTEGER, uid INTEGER, iface_id INTEGER, rx_bytes INTEGER, tx_bytes INTEGER,
		rx_packets INTEGER, tx_packets INTEGER, PRIMARY KEY (t, uid, iface_id)) WITHOUT ROWID;
	INSERT INTO f SELECT t, uid, iface_id, rx_bytes, tx_bytes, rx_packets, tx_packets
		FROM y.usage_finest WHERE t >= $dec_from AND t < $dec_to;"
floor_rows=$(sqlite3 "$floor" "SELECT count(*) FROM f")
floor_ms=$(median_ms sqlite3 "$floor" "SELECT uid, sum(rx_bytes), sum(tx_bytes), sum(rx_bytes + tx_bytes),
	sum(rx_packets + tx_packets) FROM f WHERE t >= $dec_from AND t < $dec_to GROUP BY uid")
printf '%-16s %-48s %8s ms  (%d rows read)\n' "report-floor" "GROUP BY uid over December's rows" "$floor_ms" "$floor_rows"
awk -v a="${ms[month-dec]}" -v b="$floor_ms" 'BEGIN {printf "one-month report / report floor (December): %.2f\n", a / b}'
awk -v a="${ms[30d-by-day-dec]}" -v b="$floor_ms" 'BEGIN {printf "30-day --by day / report floor (December): %.2f\n", a / b}'

echo
echo "adding 3.1 million synthetic samples to a copy ..." >&2
dense=$ydir/dense.db
cp "$db" "$dense"
sqlite3 "$dense" <<'SQL'
WITH RECURSIVE j(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM j WHERE i < 619),
keys AS (SELECT DISTINCT uid, iface_id FROM samples LIMIT 5000),
base AS (SELECT CAST(value AS INTEGER) AS b FROM meta WHERE key = 'pruned_samples_before')
INSERT OR IGNORE INTO samples
SELECT b + 900 * i - 5, b + 900 * i + 5, uid, iface_id, 1000, 1, 100, 1 FROM base, j, keys;
SQL
samples=$(sqlite3 "$dense" "SELECT count(*) FROM samples")
w="--from 2026-12-28T10:00 --to 2026-12-28T11:00"
h_from=$(date -u -d "2026-12-28 10:00" +%s)
h_to=$(date -u -d "2026-12-28 11:00" +%s)
# shellcheck disable=SC2086
new_ms=$(median_ms "$PDTT" report -d "$dense" $w --utc --format csv)
# The floor for that hour: its rows alone, in the minimal table.
sqlite3 "$floor" "DELETE FROM f; ATTACH '$dense' AS y;
	INSERT INTO f SELECT t, uid, iface_id, rx_bytes, tx_bytes, rx_packets, tx_packets
		FROM y.usage_finest WHERE t_end > $h_from AND t_end <= $h_to;"
hour_rows=$(sqlite3 "$floor" "SELECT count(*) FROM f")
hour_floor=$(median_ms sqlite3 "$floor" "SELECT uid, sum(rx_bytes), sum(tx_bytes), sum(rx_bytes + tx_bytes),
	sum(rx_packets + tx_packets) FROM f GROUP BY uid")
printf '%-16s %-48s %8s ms  (%d samples in the file)\n' "hour-dense" "report $w" "$new_ms" "$samples"
printf '%-16s %-48s %8s ms  (%d rows read)\n' "hour-floor" "GROUP BY uid over that hour's rows" "$hour_floor" "$hour_rows"
awk -v a="$new_ms" -v b="$hour_floor" 'BEGIN {printf "one hour over %s samples / its report floor: %.2f\n", "'"$samples"'", a / b}'
