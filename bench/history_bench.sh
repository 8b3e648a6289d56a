#!/usr/bin/env bash
# What pdtt's history costs: the per-interval read + diff + commit for 1,000,
# 10,000 and 60,000 active keys, and the database after a simulated year of
# 5,000 users at the default retention.  The measuring is done by
# history_bench (bench/history_bench.c, built with the project); this script
# only runs it as root with temporary directories and removes them again,
# whatever the exit.
#
#   usage: sudo bash bench/history_bench.sh [HISTORY_BENCH_BIN]
#                                      (default: build/bench/history_bench)
#
#   BENCH_INTERVALS=K   steady-state intervals per key count (default 20)
#   BENCH_KEYS=N,N,...  key counts (default 1000,10000,60000)
#   BENCH_HOURS=H       active hours per user and day in the year (default 1)
#   BENCH_TZ=Z,Z,...    time zones the year runs in, in turn (default UTC;
#                       each zone adds about 2.5 minutes)
#   BENCH_DIR=DIR       where the interval databases go (default /var/tmp:
#                       a disk, since the commits' fsyncs are part of the cost)
#   BENCH_YEAR_DIR=DIR  where the year's database goes (default /dev/shm when
#                       it is a tmpfs with room, else BENCH_DIR); only its
#                       size is measured, and SQLite writes the same file on
#                       any file system
#   BENCH_PROFILE=1     also print the time of each SQL statement
#
# It prints figures and ratios; it never judges them.  It builds nothing.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../build/bench/history_bench}
T=""
T_YEAR=""

die() {
	echo "history_bench: $*" >&2
	exit 1
}

cleanup() {
	local rc=$?
	set +e
	[ -n "$T" ] && rm -rf "$T"
	[ -n "$T_YEAR" ] && rm -rf "$T_YEAR"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

[ "$(id -u)" = 0 ] || die "needs root (it creates BPF maps); try: sudo bash $0 $*"
[ -x "$BIN" ] || die "not executable: $BIN (build it: make build-xdp)"

case ${BENCH_INTERVALS:-20} in '' | *[!0-9]*) die "BENCH_INTERVALS: a whole number" ;; esac
case ${BENCH_HOURS:-1} in '' | *[!0-9]*) die "BENCH_HOURS: a whole number from 1 to 24" ;; esac

T=$(mktemp -d "${BENCH_DIR:-/var/tmp}/pdtt-history-bench.XXXXXX")
if [ -n "${BENCH_YEAR_DIR:-}" ]; then
	T_YEAR=$(mktemp -d "$BENCH_YEAR_DIR/pdtt-history-bench.XXXXXX")
elif [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
	[ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt 1048576 ]; then
	T_YEAR=$(mktemp -d /dev/shm/pdtt-history-bench.XXXXXX)
else
	T_YEAR=$(mktemp -d "$T/year.XXXXXX")
fi

args=(-d "$T" -y "$T_YEAR" -k "${BENCH_INTERVALS:-20}" -a "${BENCH_HOURS:-1}"
	-z "${BENCH_TZ:-UTC}")
[ -n "${BENCH_KEYS:-}" ] && args+=(-n "$BENCH_KEYS")
[ "${BENCH_PROFILE:-0}" = 1 ] && args+=(-P)

echo "history_bench: $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "history_bench: interval databases in $T ($(stat -f -c %T "$T")), year in $T_YEAR ($(stat -f -c %T "$T_YEAR"))"
start=$SECONDS
"$BIN" "${args[@]}"
echo "history_bench: done in $((SECONDS - start)) s"
