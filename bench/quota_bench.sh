#!/usr/bin/env bash
# The quota check on the simulated year (5,000 users, default retention)
# that history_bench writes through the store's own insert path, side by
# side with the commit it follows: quota_bench (bench/quota_bench.c) does
# the measuring on a copy of that database.  Prints figures and ratios;
# asserts nothing.
#
#   bash bench/quota_bench.sh [HISTORY_BENCH] [QUOTA_BENCH] [RUNS]
#   BENCH_PEER=1   also run the previous correlated query once (about a minute)
set -euo pipefail
export TZ=UTC # the year is written in UTC: periods and new buckets must be too

HB=${1:-build/bench/history_bench}
QB=${2:-build/bench/quota_bench}
RUNS=${3:-7}
[ -x "$HB" ] && [ -x "$QB" ] || { echo "usage: $0 [HISTORY_BENCH] [QUOTA_BENCH] [RUNS] (build first)" >&2; exit 2; }

. "$(dirname "$0")/lib.sh"
simulated_year quota-bench "$HB"
"$QB" "$db" -r "$RUNS" ${BENCH_PEER:+-O}
