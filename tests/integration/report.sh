#!/usr/bin/env bash
# 'report' on a database built by the store's own code with a fake clock
# (tests/report_fixture.c: known hourly traffic in Europe/Berlin from
# 2026-08-01 to 2026-11-15 12:00, pruned so all four resolutions remain):
# exact figures for whole months, days and partial days, windows straddling
# pruned detail with the widening said, the named SQL reports through the
# real sqlite3 CLI giving the same numbers, errors, and read-only access.
. "$(dirname "$0")/lib.sh"

FIXTURE=${PDTT_TEST_FIXTURE:?PDTT_TEST_FIXTURE must name the fixture program}
REPORTS=${PDTT_TEST_REPORTS:?PDTT_TEST_REPORTS must name the reports/ directory}
DB="$T/db/pdtt.db"
mkdir -p "$T/db"
"$FIXTURE" "$DB" >/dev/null || fail "fixture failed"

report() { "$PDTT_BIN" report -d "$DB" "$@"; }
epoch() { TZ=Europe/Berlin date -d "$1" +%s; }
hours() { echo $((($(epoch "$2") - $(epoch "$1")) / 3600)); }
weekdays() { # FROM TO (dates): Monday-Friday days in [FROM, TO)
	local d=$1 n=0
	while [ "$d" != "$2" ]; do
		[ "$(date -d "$d" +%u)" -le 5 ] && n=$((n + 1))
		d=$(date -d "$d + 1 day" +%F)
	done
	echo $n
}
csv_user() { # FILE USER -> "rx,tx,total,packets" of that user's row
	awk -F, -v u="$2" '$0 ~ "^"u"," || $0 ~ ","u"," { for (i = 1; i <= NF; i++) if ($i == u) { print $(i+2)","$(i+3)","$(i+4)","$(i+5); exit } }' "$1" | tr -d '\r'
}

# 1. A whole month: October has 745 hours in Berlin (the clocks go back).
report --month 2026-10 --format csv >"$T/oct.csv" 2>"$T/oct.err" || fail "report --month: $(cat "$T/oct.err")"
h=$(hours 2026-10-01 2026-11-01)
[ "$h" = 745 ] || fail "test arithmetic: October has $h hours"
bobh=$(($(weekdays 2026-10-01 2026-11-01) * 24))
[ "$(csv_user "$T/oct.csv" alice)" = "$((h * 1000)),$((h * 10)),$((h * 1010)),$((2 * h))" ] || fail "alice October: $(csv_user "$T/oct.csv" alice)"
[ "$(csv_user "$T/oct.csv" bob)" = "$((bobh * 2000)),0,$((bobh * 2000)),$bobh" ] || fail "bob October: $(csv_user "$T/oct.csv" bob)"
[ "$(csv_user "$T/oct.csv" carol)" = "0,$((h * 500)),$((h * 500)),$h" ] || fail "carol October: $(csv_user "$T/oct.csv" carol)"
head -n 1 "$T/oct.csv" | grep -q $'^user,uid,rx_bytes,tx_bytes,total_bytes,packets,share_pct\r$' || fail "CSV header: $(head -n 1 "$T/oct.csv" | od -c | head -2)"
[ "$(sed -n 2p "$T/oct.csv" | cut -d, -f1)" = bob ] || fail "not sorted by total: $(cat "$T/oct.csv")"
pass "whole month from mixed resolutions: exact; RFC 4180 CSV, busiest first"

# 2. Days: 2026-10-25 has 25 hours; 2026-10-05 comes from daily rollups only.
report --day 2026-10-25 --format csv >"$T/d25.csv"
[ "$(csv_user "$T/d25.csv" alice)" = "25000,250,25250,50" ] || fail "alice on 25 Oct: $(csv_user "$T/d25.csv" alice)"
report --day 2026-10-05 --format csv >"$T/d05.csv"
[ "$(csv_user "$T/d05.csv" bob)" = "48000,0,48000,24" ] || fail "bob on Monday 5 Oct: $(csv_user "$T/d05.csv" bob)"
pass "days: 25-hour DST day, day from daily rollups"

# 3. A partial day in the samples region: 06:00 to 18:00 on Tuesday 10 Nov.
report --from 2026-11-10T06:00 --to 2026-11-10T18:00 --format csv >"$T/part.csv" 2>"$T/part.err"
[ "$(csv_user "$T/part.csv" alice)" = "12000,120,12120,24" ] || fail "partial day alice: $(csv_user "$T/part.csv" alice)"
[ "$(csv_user "$T/part.csv" bob)" = "24000,0,24000,12" ] || fail "partial day bob: $(csv_user "$T/part.csv" bob)"
[ ! -s "$T/part.err" ] || fail "notes for a window fully in the samples: $(cat "$T/part.err")"
pass "partial day from samples: exact, no notes"

# 4. A window straddling pruned detail: 14:25 on 3 Oct lies where only daily
# totals are kept, so from is widened to that day's start, and says so.
report --from 2026-10-03T14:25 --to 2026-11-10T06:00 --format json >"$T/wide.json"
j() { sqlite3 :memory: "SELECT json_extract(readfile('$T/wide.json'), '$1')"; }
[ "$(sqlite3 :memory: "SELECT json_valid(readfile('$T/wide.json'))")" = 1 ] || fail "invalid JSON"
[ "$(j '$.version')" = 1 ] || fail "JSON version"
[ "$(j '$.window.from')" = "2026-10-03T00:00+0200" ] || fail "widened from: $(j '$.window')"
[ "$(j '$.window.requested_from')" = "2026-10-03T14:25+0200" ] || fail "requested from: $(j '$.window')"
j '$.notes' | grep -q "from widened to 2026-10-03T00:00+0200" || fail "no widening note: $(j '$.notes')"
h=$(hours 2026-10-03 "2026-11-10 06:00")
[ "$(sqlite3 :memory: "SELECT json_extract(value, '$.rx_bytes') FROM json_each(json_extract(readfile('$T/wide.json'), '$.rows')) WHERE json_extract(value, '$.user') = 'alice'")" = $((h * 1000)) ] ||
	fail "alice over the widened window: $(j '$.rows')"
[ "$(j '$.totals.users')" = 3 ] || fail "totals: $(j '$.totals')"
pass "straddling window: widened to 2026-10-03T00:00 with a note; exact over $h hours"

# 4b. --utc: the same day in UTC is 24 hours, read from hourly rollups.
report --day 2026-10-25 --utc --format json >"$T/utc.json"
[ "$(sqlite3 :memory: "SELECT json_extract(readfile('$T/utc.json'), '$.window.from')")" = "2026-10-25T00:00+0000" ] ||
	fail "--utc window: $(cat "$T/utc.json")"
[ "$(sqlite3 :memory: "SELECT json_extract(value, '$.rx_bytes') FROM json_each(json_extract(readfile('$T/utc.json'), '$.rows')) WHERE json_extract(value, '$.uid') = 1001")" = 24000 ] ||
	fail "--utc day for alice: $(cat "$T/utc.json")"
pass "--utc: a UTC day, 24 hours"

# 5. --by hour where only daily totals remain says so.
report --day 2026-10-05 --by hour >"$T/byhour.txt"
grep -q "^note: .*whole days" "$T/byhour.txt" || fail "--by hour over daily data: no note: $(cat "$T/byhour.txt")"
pass "--by hour over daily-only data says so"

# 5b. --by hour, day, week and month against figures this test computes from
# the fixture's own volumes (every local hour: alice rx 1000 tx 10; bob rx
# 2000 Monday to Friday; carol tx 500 in October), with bucket bounds and
# labels from date(1): the 25-hour day and the repeated 02:00 of 25 October,
# whole weeks and months, each resolution the history holds.
fx_from=$(epoch 2026-08-01)
fx_to=$(epoch "2026-11-15 12:00")
seq "$fx_from" 3600 $((fx_to - 1)) | sed 's/^/@/' | TZ=Europe/Berlin date -f - '+%s %u %m' >"$T/hours"
bounds() { # KIND FROM TO: bucket starts as "epoch label", and the end
	local kind=$1 d=$2 to=$3 t
	case $kind in
	hour)
		for t in $(seq "$(epoch "$d")" 3600 $(($(epoch "$to") - 1))); do
			echo "$t $(TZ=Europe/Berlin date -d "@$t" +%FT%H:00%z)"
		done ;;
	day)
		while [ "$d" != "$to" ]; do echo "$(epoch "$d") $d"; d=$(date -d "$d + 1 day" +%F); done ;;
	week)
		while [ "$d" != "$to" ]; do echo "$(epoch "$d") week_of_$d"; d=$(date -d "$d + 7 days" +%F); done ;;
	month)
		while [ "$d" != "$to" ]; do echo "$(epoch "$d") ${d%-01}"; d=$(date -d "$d + 1 month" +%F); done ;;
	esac
	echo "$(epoch "$to") END"
}
oracle() { # BOUNDS_FILE: "label,start,uid,rx,tx,packets" per bucket and user with traffic
	awk 'BEGIN { n = 0 } NR == FNR { s[n] = $1; l[n++] = $2; next }
	{ t = $1; for (i = 0; i < n - 1; i++) if (t >= s[i] && t < s[i + 1]) break
	  if (i == n - 1) next
	  rx[i, 1001] += 1000; tx[i, 1001] += 10; pk[i, 1001] += 2
	  if ($2 <= 5) { rx[i, 1002] += 2000; pk[i, 1002] += 1 }
	  if ($3 == "10") { tx[i, 1003] += 500; pk[i, 1003] += 1 } }
	END { for (i = 0; i < n - 1; i++) for (u = 1001; u <= 1003; u++) if (pk[i, u])
		printf "%s,%s,%d,%d,%d,%d\n", l[i], s[i], u, rx[i, u], tx[i, u], pk[i, u] }' "$1" "$T/hours" | sort
}
by_cases=0
for case in "hour 2026-10-24T22:00 2026-10-25T06:00" "day 2026-10-20 2026-10-30" \
	"day 2026-09-16 2026-09-24" "day 2026-11-08 2026-11-15" "week 2026-09-21 2026-11-09" \
	"month 2026-08-01 2026-11-01"; do
	set -- $case
	bounds "$1" "$2" "$3" >"$T/bounds"
	oracle "$T/bounds" >"$T/want.csv"
	report --from "$2" --to "$3" --by "$1" --format csv >"$T/got.raw" 2>"$T/got.err" ||
		fail "report --by $1 --from $2 --to $3: $(cat "$T/got.err")"
	tr -d '\r' <"$T/got.raw" | tail -n +2 | sed 's/^week of /week_of_/' |
		awk -F, -v OFS=, '{ print $1, $2, $4, $5, $6, $8 }' | sort >"$T/got.csv"
	[ "$(wc -l <"$T/want.csv")" -gt 0 ] || fail "test arithmetic: no rows for --by $1 $2 $3"
	diff -u "$T/want.csv" "$T/got.csv" >&2 || fail "report --by $1 --from $2 --to $3 differs from the fixture's volumes"
	by_cases=$((by_cases + $(wc -l <"$T/want.csv")))
done
pass "--by hour, day, week and month == the fixture's volumes bucket by bucket ($by_cases rows, the 25-hour day included)"

# 6. The named SQL reports through the real sqlite3 CLI list what report
# lists ('report' walks the buckets and sums the rows in C): every row, label
# and share, in order, across the DST changes of several zones (Berlin's
# hour, Lord Howe's 30 minutes, Chatham's +1245/+1345, St John's -0330,
# Troll's two hours: a 26-hour day),
# with --top, the filters and --utc.
named() { # DB ZONE FROM TO REPORT [.param ...]: rows as report's CSV has them
	local db=$1 zone=$2 from=$3 to=$4 r=$5
	shift 5
	TZ=$zone sqlite3 -csv "$db" ".param set :from $from" ".param set :to $to" "$@" \
		".read $REPORTS/$r.sql" | tr -d '\r"' | sed 's/^,,//' |
		awk -F, -v OFS=, '{ $NF = sprintf("%.2f", $NF); print }'
}
compared=0
for zone in Europe/Berlin Australia/Lord_Howe Pacific/Chatham America/St_Johns Antarctica/Troll; do
	zdb=$DB
	if [ "$zone" != Europe/Berlin ]; then
		zdb="$T/db/${zone//\//_}.db"
		"$FIXTURE" --tz "$zone" "$zdb" >/dev/null || fail "fixture in $zone failed"
	fi
	for case in "monthly month 2026-08-01 2026-11-15" "weekly week 2026-08-01 2026-11-15" \
		"daily day 2026-09-01 2026-11-15" "top-users total 2026-08-20 2026-11-15" \
		"hourly hour 2026-09-20 2026-10-10" "hourly hour 2026-10-16 2026-11-15"; do
		set -- $case
		r=$1 by=$2 d0=$3 d1=$4
		for shape in "" "--top 2" "--user alice" "--iface lo" "--utc" "--utc --top 1"; do
			params=()
			case " $shape " in *" --top "*) params+=(".param set :top ${shape##* }") ;; esac
			case " $shape " in *" --user alice "*) params+=(".param set :uids '[1001]'") ;; esac
			case " $shape " in *" --iface lo "*) params+=(".param set :ifaces '[\"lo\"]'") ;; esac
			case " $shape " in *" --utc "*) params+=(".param set :utc 1") ;; esac
			# the window report used (it widens one that cuts coarser rows)
			# shellcheck disable=SC2086
			"$PDTT_BIN" report -d "$zdb" --from "$d0" --to "$d1" --by "$by" $shape \
				--format json >"$T/w.json" || fail "report --format json in $zone"
			read -r from to < <(sqlite3 :memory: "SELECT json_extract(readfile('$T/w.json'),
				'$.window.from_epoch') || ' ' || json_extract(readfile('$T/w.json'), '$.window.to_epoch')")
			named "$zdb" "$zone" "$from" "$to" "$r" "${params[@]}" >"$T/cli.csv"
			# shellcheck disable=SC2086
			"$PDTT_BIN" report -d "$zdb" --from "$d0" --to "$d1" --by "$by" $shape \
				--format csv 2>/dev/null | tr -d '\r' | tail -n +2 >"$T/pdtt.csv"
			[ -s "$T/cli.csv" ] || fail "sqlite3 ran $r.sql in $zone ($shape) to no rows"
			diff -u "$T/cli.csv" "$T/pdtt.csv" >&2 ||
				fail "$r.sql in sqlite3 and report --by $by $shape disagree in $zone"
			compared=$((compared + $(wc -l <"$T/cli.csv")))
		done
	done
done
pass "hourly, daily, weekly, monthly and top-users.sql in sqlite3 == report, in 5 zones: $compared rows"

# 7. Errors: each one line, the documented status.
expect() { # STATUS PATTERN ARGS...
	local want=$1 pat=$2 rc=0
	shift 2
	"$PDTT_BIN" report "$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = "$want" ] || fail "report $*: exit $rc, expected $want: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" = 1 ] && grep -qE -- "^pdtt: .*$pat" "$T/err" || fail "report $*: $(cat "$T/err")"
}
expect 7 "No such file" -d "$T/missing.db"
sqlite3 "$T/newer.db" "PRAGMA application_id = 1885631604; PRAGMA user_version = 99; CREATE TABLE t (x);"
expect 7 "newer" -d "$T/newer.db"
expect 3 "user 'nosuchuser'" -d "$DB" --user nosuchuser
expect 3 "interface 'eth9'" -d "$DB" --iface eth9
expect 2 "empty window" -d "$DB" --from 2026-10-05 --to 2026-10-01
expect 2 "2026-13-01" -d "$DB" --from 2026-13-01
expect 2 "02:30" -d "$DB" --from 2026-03-29T02:30
expect 2 "--by 'minute'" -d "$DB" --by minute
expect 2 "--last" -d "$DB" --last 7d --from 2026-10-01
pass "errors: missing, newer, unknown user and interface, empty window, bad times"

# 8. Filters.
report --month 2026-10 --user alice --user 1003 --format csv >"$T/f.csv"
[ "$(tail -n +2 "$T/f.csv" | wc -l)" = 2 ] && ! grep -q bob "$T/f.csv" || fail "--user filter: $(cat "$T/f.csv")"
report --month 2026-10 --iface lo --format csv >"$T/f.csv"
[ "$(tail -n +2 "$T/f.csv" | cut -d, -f1 | tr -d '\r')" = carol ] || fail "--iface filter: $(cat "$T/f.csv")"
report --month 2026-10 --by day --top 1 --format csv >"$T/f.csv"
[ "$(tail -n +2 "$T/f.csv" | wc -l)" = 31 ] || fail "--top 1 per day: $(wc -l <"$T/f.csv") lines"
pass "--user, --iface and --top"

# 8a. A name stored as a BLOB (a hand-edited users table) prints as its
# bytes in every format, quoted where CSV and JSON need it.
cp "$DB" "$T/blob.db"
sqlite3 "$T/blob.db" "UPDATE users SET name = CAST('b,\"ob' AS BLOB) WHERE uid = 1002"
"$PDTT_BIN" report -d "$T/blob.db" --month 2026-10 --format csv | grep -q '^"b,""ob",1002,1056000,' ||
	fail "BLOB name in CSV: $("$PDTT_BIN" report -d "$T/blob.db" --month 2026-10 --format csv 2>&1)"
"$PDTT_BIN" report -d "$T/blob.db" --month 2026-10 --format json | grep -qF '"user":"b,\"ob","uid":1002' ||
	fail "BLOB name in JSON"
"$PDTT_BIN" report -d "$T/blob.db" --month 2026-10 | grep -q '^b,"ob  *1002 ' || fail "BLOB name in the table"
pass "a name stored as a BLOB: CSV, JSON and table"

# 8b. --top N: TOTAL is the whole window's, OTHERS the rest (the fixture's
# October: alice 1010 bytes an hour, bob 2000 a weekday hour, carol 500).
oh=$(hours 2026-10-01 2026-11-01)
obh=$(($(weekdays 2026-10-01 2026-11-01) * 24))
octotal=$((oh * 1010 + obh * 2000 + oh * 500))
octpk=$((2 * oh + obh + oh))
report --month 2026-10 --top 1 --format json >"$T/top.json"
jt() { sqlite3 :memory: "SELECT json_extract(readfile('$T/top.json'), '$1')"; }
[ "$(jt '$.totals.total_bytes') $(jt '$.totals.packets') $(jt '$.totals.users')" = "$octotal $octpk 3" ] ||
	fail "--top 1 JSON totals: $(jt '$.totals')"
[ "$(jt '$.others.total_bytes') $(jt '$.others.packets')" = "$((octotal - obh * 2000)) $((octpk - obh))" ] ||
	fail "--top 1 JSON others: $(jt '$.others')"
[ "$(jt '$.others.share_pct')" = "$(awk -v o=$((octotal - obh * 2000)) -v t=$octotal 'BEGIN { printf "%.2f", 100 * o / t }')" ] ||
	fail "--top 1 JSON others share: $(jt '$.others')"
[ "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/top.json'), '$.rows')")" = 1 ] ||
	fail "--top 1 JSON rows: $(cat "$T/top.json")"
report --month 2026-10 --top 1 --bytes >"$T/top.txt"
[ "$(awk '$1 == "TOTAL" { print $4, $5 }' "$T/top.txt")" = "$octotal $octpk" ] ||
	fail "--top 1 table TOTAL: $(cat "$T/top.txt")"
[ "$(awk '$1 == "OTHERS" { print $4, $5, $6 }' "$T/top.txt")" = "$((octotal - obh * 2000)) $((octpk - obh)) $(awk -v o=$((octotal - obh * 2000)) -v t=$octotal 'BEGIN { printf "%.2f%%", 100 * o / t }')" ] ||
	fail "--top 1 table OTHERS: $(cat "$T/top.txt")"
# bucketed: OTHERS over all buckets, TOTAL the month's
report --month 2026-10 --by week --top 1 --bytes >"$T/topw.txt"
[ "$(awk '$1 == "TOTAL" { print $4 }' "$T/topw.txt")" = "$octotal" ] || fail "--by week --top 1 TOTAL: $(cat "$T/topw.txt")"
[ "$(awk '$1 == "(all" { s = $6 } /^week of / || /^2026-/ { n += $(NF - 2) } END { print n + s }' "$T/topw.txt")" = "$octotal" ] ||
	fail "--by week --top 1: listed rows and OTHERS do not add up to TOTAL: $(cat "$T/topw.txt")"
report --month 2026-10 --format json >"$T/all.json"
[ "$(sqlite3 :memory: "SELECT json_extract(readfile('$T/all.json'), '$.totals.total_bytes'),
	json_type(readfile('$T/all.json'), '$.others')")" = "$octotal|null" ] || fail "JSON without --top: $(cat "$T/all.json")"
pass "--top 1: TOTAL and the JSON totals are the whole window's, OTHERS holds the rest with its share"

# 8c. A window past what the history holds says what it covers.
report --from 2026-11-01 --to 2026-12-01 --format csv >/dev/null 2>"$T/cov.err"
grep -q "note: the history covers 2026-08-01T00:00+0200 to 2026-11-15T12:00+0100: the window's parts outside it show no traffic" "$T/cov.err" ||
	fail "no coverage note: $(cat "$T/cov.err")"
report --month 2026-10 --format csv >/dev/null 2>"$T/cov.err"
! grep -q "history covers" "$T/cov.err" || fail "coverage note inside the history: $(cat "$T/cov.err")"
pass "a window past the last commit says what the history covers"

# 9. Read-only access for a user who may read the file, nothing more.
chgrp -R $U1 "$T/db"
chmod 750 "$T/db"
chmod 640 "$DB"
rc=0
setpriv --reuid=$U1 --regid=$U1 --clear-groups "$PDTT_BIN" report -d "$DB" --month 2026-10 --format csv >"$T/ro.csv" 2>"$T/ro.err" || rc=$?
[ $rc = 0 ] && cmp -s "$T/ro.csv" "$T/oct.csv" || fail "report as a reader: exit $rc: $(cat "$T/ro.err")"
rc=0
setpriv --reuid=$U2 --regid=$U2 --clear-groups "$PDTT_BIN" report -d "$DB" >/dev/null 2>"$T/ro.err" || rc=$?
[ $rc = 7 ] || fail "report without read access: exit $rc: $(cat "$T/ro.err")"
pass "a user with read access gets the same report; one without gets exit 7"
