#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang, ASan+UBSan) in
# build-fuzz and runs each for SECONDS from its committed seed corpus
# (tests/fuzz/corpus/TARGET; what a run finds goes to a scratch copy, the
# committed corpus is left alone).  Fails on any crash, hang (10 s per
# input), leak or property failure; the input that did it is kept in
# build-fuzz/findings/.  Prints each target's executions and coverage.
#   bash scripts/fuzz.sh [SECONDS]        (make fuzz; CI: 30)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
TARGETS=(time limit retention period cli config metrics)
BUILD=build-fuzz

cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DPDTT_FUZZ=ON \
	-DPDTT_TESTS=OFF -DPDTT_BENCH=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target "${TARGETS[@]/#/fuzz_}" >/dev/null
mkdir -p "$BUILD/findings"
summary=()
failed=0
for t in "${TARGETS[@]}"; do
	work=$(mktemp -d "/tmp/pdtt-fuzz-$t.XXXXXX")
	log="$BUILD/fuzz_$t.log"
	rc=0
	(cd "$BUILD/findings" && "../fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 "$work" "$OLDPWD/tests/fuzz/corpus/$t") \
		>"$log" 2>&1 || rc=$?
	rm -rf "$work"
	# (a seed that fails at once leaves no statistics: the summary still prints)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1 || true)
	cov=$( (grep -o 'cov: [0-9]*' "$log" || true) | tail -n 1 | cut -d' ' -f2)
	ft=$( (grep -o 'ft: [0-9]*' "$log" || true) | tail -n 1 | cut -d' ' -f2)
	line=$(printf '%-10s %12s executions  cov %5s  ft %6s' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}")
	if [ "$rc" != 0 ]; then
		failed=1
		line="$line  FAILED (exit $rc; see $log and $BUILD/findings)"
		grep -m 5 -E 'property failed|ERROR: |SUMMARY: |timeout' "$log" >&2 || true
	fi
	summary+=("$line")
done
echo "fuzzing, $SECONDS_EACH s per target (ASan+UBSan):"
printf '  %s\n' "${summary[@]}"
exit $failed
