#!/usr/bin/env bash
# A version 4 history (tests/fixtures/v4.sql, written by the pdtt of schema
# 5 and taken back to 4) migrates to the current schema in one transaction:
# every report and audit figure is what that pdtt printed for it
# (tests/fixtures/v4-expected.txt), a migration that fails changes no byte,
# and a migrated file is left alone by the next open.
. "$(dirname "$0")/lib.sh"

FIXTURE=${PDTT_TEST_FIXTURE:?PDTT_TEST_FIXTURE must name the fixture program}
HERE=$(cd "$(dirname "$0")" && pwd)
FIXTURES="$HERE/../fixtures"
. "$HERE/migration_battery.sh"
DB="$T/v4.db"
sqlite3 "$DB" <"$FIXTURES/v4.sql" || fail "loading tests/fixtures/v4.sql"
dbv() { sqlite3 "$1" "PRAGMA user_version"; }
[ "$(dbv "$DB")" = 4 ] || fail "the fixture is at version $(dbv "$DB"), not 4"

# Readers refuse the old file and say what to do; nothing is written.
sum_before=$(sha256sum <"$DB")
rc=0
"$PDTT_BIN" report --db "$DB" --month 2026-10 >"$T/ro.out" 2>&1 || rc=$?
[ $rc = 7 ] && grep -q "older than .*start the daemon once to migrate it" "$T/ro.out" ||
	fail "report on a version 4 file: exit $rc, $(cat "$T/ro.out")"
[ "$(sha256sum <"$DB")" = "$sum_before" ] || fail "report changed the version 4 file"
pass "report refuses the version 4 file read-only and says how to migrate it"

# A migration that fails half-way (an admin's table has a name schema 6
# needs) rolls back: the same bytes, the same version, a clear message.
cp "$DB" "$T/clash.db"
sqlite3 "$T/clash.db" "CREATE TABLE rollup_day (note TEXT); PRAGMA journal_mode = DELETE" >/dev/null
sqlite3 "$T/clash.db" .dump >"$T/clash.before"
rc=0
"$FIXTURE" --migrate "$T/clash.db" 2>"$T/clash.err" || rc=$?
[ $rc != 0 ] && grep -q "migrating schema 4 to [0-9]* failed: .*rollup_day.*nothing was changed" "$T/clash.err" ||
	fail "failed migration: exit $rc, $(cat "$T/clash.err")"
[ "$(dbv "$T/clash.db")" = 4 ] || fail "a failed migration left version $(dbv "$T/clash.db")"
sqlite3 "$T/clash.db" .dump | cmp -s - "$T/clash.before" || fail "a failed migration changed the data"
[ "$(sqlite3 "$T/clash.db" "PRAGMA integrity_check")" = ok ] || fail "integrity after a failed migration"
pass "a migration that fails changes nothing (same dump, version 4) and says why"

# A file pruned before the meta marks were kept (schema 2): the migration
# finds where finer data begins from the rows themselves, so no month loses
# a byte; the oracle is the version 4 file's own monthly rollups.
cp "$DB" "$T/nomarks.db"
sqlite3 "$T/nomarks.db" "DELETE FROM meta WHERE key LIKE 'pruned_%' OR key = 'first_start'"
month_sums() { TZ=Europe/Berlin sqlite3 "$1" "$2" | tr '\n' ' '; }
want=$(month_sums "$T/nomarks.db" "SELECT bucket_start, sum(rx_bytes), sum(tx_bytes) FROM rollups WHERE resolution = 'month' GROUP BY 1 ORDER BY 1")
"$FIXTURE" --migrate "$T/nomarks.db" 2>"$T/nomarks.err" || fail "migration without marks: $(cat "$T/nomarks.err")"
got=$(month_sums "$T/nomarks.db" "SELECT CAST(strftime('%s', t, 'unixepoch', 'localtime', 'start of month', 'utc') AS INTEGER), sum(rx_bytes), sum(tx_bytes) FROM usage_finest GROUP BY 1 ORDER BY 1")
[ -n "$want" ] && [ "$got" = "$want" ] || fail "months after a migration without marks: $got, want $want"
# The derived marks tell reports which detail is coarser, as kept marks do.
battery "$PDTT_BIN" "$T/nomarks.db" >"$T/nomarks.txt"
diff -u "$FIXTURES/v4-expected.txt" "$T/nomarks.txt" >"$T/nomarks.diff" ||
	fail "a file without marks reports differently:
$(head -40 "$T/nomarks.diff")"
pass "a file without retention marks migrates with every month's bytes ($want) and every report and audit output"

# The real migration, then every figure.
"$FIXTURE" --migrate "$DB" 2>"$T/mig.err" || fail "migration: $(cat "$T/mig.err")"
v=$(dbv "$DB")
[ "$v" -gt 4 ] || fail "still at version $v"
[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ] || fail "integrity after the migration"
[ -z "$(sqlite3 "$DB" "SELECT name FROM sqlite_schema WHERE name = 'rollups'")" ] ||
	fail "the old rollups table is still there"
battery "$PDTT_BIN" "$DB" >"$T/after.txt"
diff -u "$FIXTURES/v4-expected.txt" "$T/after.txt" >"$T/diff" ||
	fail "figures changed by the migration:
$(head -40 "$T/diff")"
blocks=$(grep -c '^### exit' "$T/after.txt")
pass "migrated 4 -> $v: all $blocks report, audit and quota outputs are byte for byte the old pdtt's"

# Opening it again migrates nothing and changes no figure.
sqlite3 "$DB" .dump >"$T/once"
"$FIXTURE" --migrate "$DB" 2>"$T/mig2.err" || fail "second open: $(cat "$T/mig2.err")"
sqlite3 "$DB" .dump | cmp -s - "$T/once" || fail "a second open changed the migrated file"
pass "a second open leaves the migrated file as it is"
