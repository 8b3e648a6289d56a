#!/usr/bin/env bash
# Reports and audits read only what their window needs (issue 10): every
# statement 'report' and 'audit' run, over windows in every resolution and
# with every option that changes the SQL, is captured by an LD_PRELOAD shim
# around sqlite3_step (tests/plan_shim.c) with its EXPLAIN QUERY PLAN.  Any
# SCAN of samples or a rollup table fails, a covering-index scan included, and so
# does an automatic index on them or a SEARCH without both window bounds;
# the small tables (users, interfaces, meta, quotas) and the statements' own
# subqueries may be scanned.  The plan names tables by their aliases: the
# aliases samples and the rollup tables have in the statements and in the
# views are read from the SQL itself.
. "$(dirname "$0")/lib.sh"

SHIM=${PDTT_TEST_PLAN_SHIM:?PDTT_TEST_PLAN_SHIM must name the plan shim library}
FIXTURE=${PDTT_TEST_FIXTURE:?PDTT_TEST_FIXTURE must name the fixture program}
DB="$T/pdtt.db"
LOG="$T/plans"
"$FIXTURE" "$DB" >/dev/null || fail "fixture failed"

# The shim is not instrumented: the sanitizer build's runtime need not come first.
traced() { # CMD...: runs CMD with the shim; output in $T/out
	env LD_PRELOAD="$SHIM" PDTT_PLAN_LOG="$LOG" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@" >"$T/out" 2>&1
}

# Statement -> the plan lines that read samples or rollups beyond a window:
# a SCAN (covering index or not), an automatic index, or a SEARCH without
# both a lower and an upper bound (or an equality on the time column, or
# none at all: SQLite's min()/max() seek).  Names compare in upper case,
# without quotes.
big_scans() { # PLAN_LOG
	local views
	views=$(dbq "SELECT group_concat(sql, ' ') FROM sqlite_schema WHERE type = 'view'" | tr '\n\t' '  ')
	awk -v views="$views" '
		function aliases_in(sql, set,   s, m, a, n) {
			s = toupper(sql)
			gsub(/["`\[\]]/, "", s)
			while (match(s, /(SAMPLES|ROLLUP_HOUR|ROLLUP_DAY|ROLLUP_MONTH)[[:space:]]+(AS[[:space:]]+)?[A-Z_][A-Z0-9_]*/)) {
				m = substr(s, RSTART, RLENGTH)
				s = substr(s, RSTART + RLENGTH)
				n = split(m, a, /[[:space:]]+/)
				if (a[n] !~ /^(WHERE|ON|JOIN|LEFT|INNER|CROSS|NATURAL|GROUP|ORDER|LIMIT|UNION|USING|AS|SET|VALUES|WINDOW|HAVING|INDEXED|NOT|WITH|EXCEPT|INTERSECT|RETURNING)$/)
					set[a[n]] = 1
			}
		}
		BEGIN { aliases_in(views, base); base["SAMPLES"] = 1
			base["ROLLUP_HOUR"] = 1; base["ROLLUP_DAY"] = 1; base["ROLLUP_MONTH"] = 1 }
		/^STATEMENT / { stmt = substr($0, 11); delete al; for (k in base) al[k] = 1; aliases_in(stmt, al); next }
		/^PLAN-ERROR / { print substr(stmt, 1, 160) " => no plan: " substr($0, 12); next }
		/^PLAN / {
			if (!match($0, /(SCAN|SEARCH) [^ ]+/)) next
			split(substr($0, RSTART, RLENGTH), w, " ")
			name = toupper(w[2])
			gsub(/["`\[\]]/, "", name)
			if (!(name in al)) next
			d = substr($0, 6)
			bounded = index(d, "(") == 0 || (index(d, ">") && index(d, "<")) ||
				d ~ /(period_end|bucket_start)=\?/
			if (w[1] == "SCAN" || d ~ /AUTOMATIC/ || !bounded)
				print substr(stmt, 1, 160) " => " d
		}' "$1"
}

# The detector works: the sqlite3 CLI reading all of samples or rollups is
# caught, through the view and directly, with and without a covering index,
# by alias in any case or quoted, and a filter on uid alone.
traced sqlite3 "$DB" "SELECT count(*) FROM samples" "SELECT sum(rx_bytes) FROM usage_finest" \
	"SELECT count(*) FROM rollup_day r WHERE r.uid = 1001" \
	"SELECT sum(rx_bytes) FROM usage_finest f WHERE f.uid = 1001" \
	"SELECT sum(rx_bytes) FROM samples as x" "SELECT sum(tx_bytes) FROM \"rollup_hour\" q" ||
	fail "sqlite3 under the shim: $(cat "$T/out")"
found=$(big_scans "$LOG")
caught=$(echo "$found" | wc -l)
# 1 + 4 (the view's four tables) + 1 + 4 + 1 + 1
[ "$caught" = 12 ] || fail "the shim caught $caught full reads, not 12: $found"
grep -q ' => SCAN x$' <<<"$found" && grep -q ' => SCAN q$' <<<"$found" ||
	fail "aliases after 'as' or a quoted name were missed: $found"
pass "the detector catches $caught full reads from the sqlite3 CLI"
rm -f "$LOG"

P="$PDTT_BIN"
# Windows in the fixture's samples (November 8-15), hourly (October 16 -
# November 8), daily and monthly rollups, one spanning all four, and ones
# outside the history (the coverage notes' queries).
windows=("--month 2026-08" "--month 2026-10" "--from 2026-11-10 --to 2026-11-12"
	"--from 2026-11-14T10:00 --to 2026-11-14T13:00" "--from 2026-10-20 --to 2026-10-27"
	"--from 2026-08-01 --to 2026-11-16" "--month 2025-01" "--from 2026-11-14 --to 2027-01-01"
	"--day 2026-11-13" "--last 7d")
shapes=("" "--by hour" "--by day" "--by week" "--by month" "--top 1" "--by day --top 2"
	"--user alice" "--user 1002 --user carol" "--iface eth0" "--iface lo --by day --top 1" "--utc")
runs=0
for w in "${windows[@]}"; do
	for s in "${shapes[@]}"; do
		for f in table csv json; do
			# shellcheck disable=SC2086
			traced "$P" report -d "$DB" $w $s --format $f || fail "report $w $s --format $f: $(cat "$T/out")"
			runs=$((runs + 1))
		done
	done
done
# A file without the history's first start: the notes estimate it from the data.
dbq "DELETE FROM meta WHERE key = 'first_start'"
traced "$P" report -d "$DB" --month 2025-01 || fail "report before the history: $(cat "$T/out")"
grep -q "history covers" "$T/out" || fail "no coverage note: $(cat "$T/out")"
traced "$P" report -d "$DB" --user nobody-such || [ $? = 3 ] || fail "report --user nobody-such: $(cat "$T/out")"

# Audits with default and own quotas of every kind and direction, over the
# current, previous and named periods (the fixture's clock ends 2026-11-15).
"$P" quota set --all 10MB --per day -d "$DB" >/dev/null
"$P" quota set --all 100MB --per week --dir rx -d "$DB" >/dev/null
"$P" quota set --all 1GB --per month -d "$DB" >/dev/null
"$P" quota set alice 1kB --per day --dir tx --warn 50 -d "$DB" >/dev/null
"$P" quota set 4242 5GB --per month -d "$DB" >/dev/null
for period in current previous 2026-10 2026-11-13 2026-W45 2026-08; do
	for f in "--format table" "--format csv" "--format json" "--nagios"; do
		# shellcheck disable=SC2086
		rc=0
		traced "$P" audit -d "$DB" --period "$period" $f || rc=$?
		[ $rc -le 2 ] || fail "audit --period $period $f exited $rc: $(cat "$T/out")"
		runs=$((runs + 1))
	done
done
traced "$P" quota list -d "$DB" || fail "quota list: $(cat "$T/out")"

# The named reports admins run in the sqlite3 shell ('report' sums in C, so
# they are not among its statements), over the same windows, with and
# without --top and the filters.
REPORTS=${PDTT_TEST_REPORTS:?PDTT_TEST_REPORTS must name the reports/ directory}
for w in "2026-08-01 2026-09-01" "2026-11-14T10:00 2026-11-14T13:00" "2026-10-20 2026-10-27" \
	"2026-08-01 2026-11-16"; do
	set -- $w
	from=$(TZ=Europe/Berlin date -d "${1/T/ }" +%s)
	to=$(TZ=Europe/Berlin date -d "${2/T/ }" +%s)
	for r in hourly daily weekly monthly top-users; do
		for extra in "" ".param set :top 2" ".param set :uids '[1001]'" \
			".param set :ifaces '[\"lo\"]'" ".param set :utc 1"; do
			traced env TZ=Europe/Berlin sqlite3 "$DB" ".param set :from $from" \
				".param set :to $to" ${extra:+"$extra"} ".read $REPORTS/$r.sql" ||
				fail "sqlite3 $r.sql $w $extra: $(cat "$T/out")"
			runs=$((runs + 1))
		done
	done
done

stmts=$(grep '^STATEMENT ' "$LOG" | sort -u | wc -l)
# The statements that carry the data were among them.
for marker in "FROM rollup_month" "WHERE period_end > :lo AND period_end <= :hi" \
	"FROM buckets b CROSS JOIN samples s" "date(p.bucket_start + p.off, 'unixepoch')" \
	"strftime('%Y-%m', p.bucket_start + p.off" "'week of ' ||" "printf('%02d%02d', abs(p.off)" \
	"Usage against quotas" "json_object('version', 1" "SELECT period_start FROM samples"; do
	awk -v m="$marker" '/^STATEMENT / && index($0, m) { f = 1 } END { exit !f }' "$LOG" ||
		fail "no statement with '$marker' was run"
done
bad=$(big_scans "$LOG" | sort -u)
[ -z "$bad" ] || fail "statements that scan samples or rollups:
$bad"
pass "$runs report, audit and named-report runs, $stmts distinct statements: none reads samples or rollups beyond its window"
