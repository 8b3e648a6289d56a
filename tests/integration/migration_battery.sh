# Every report and audit figure of the report fixture, for the migration
# test: sourced by migrate.sh, and run once by hand with the pdtt that wrote
# tests/fixtures/v4.sql to make tests/fixtures/v4-expected.txt (see
# tests/fixtures/README.md).  battery BIN DB prints one block per command.
battery() {
	local bin=$1 db=$2 args rc
	while IFS= read -r args; do
		[ -n "$args" ] || continue
		printf '### %s\n' "$args"
		rc=0
		# shellcheck disable=SC2086 # the argument lists are words on purpose
		"$bin" $args --db "$db" 2>&1 || rc=$?
		printf '### exit %s\n' "$rc"
	done <<'LIST'
report --month 2026-08 --format csv
report --month 2026-09 --format csv
report --month 2026-10 --format csv
report --month 2026-11 --format csv
report --month 2026-10 --format json
report --from 2026-08-01 --to 2026-11-15T12:00 --format csv
report --from 2026-08-01 --to 2026-11-15T12:00 --by month --format csv
report --from 2026-08-01 --to 2026-11-15T12:00 --by week --format csv
report --from 2026-08-01 --to 2026-11-15T12:00 --by day --format csv
report --from 2026-10-20 --to 2026-11-15T12:00 --by hour --format csv
report --from 2026-11-08 --to 2026-11-15T12:00 --by hour --format json
report --from 2026-10-03T14:25 --to 2026-11-10T06:00 --format json
report --from 2026-11-10T06:00 --to 2026-11-10T18:00 --format csv
report --day 2026-10-25 --format csv
report --day 2026-10-25 --utc --format csv
report --day 2026-10-25 --by hour --format csv
report --day 2026-10-05 --by hour --format csv
report --month 2026-10 --by day --utc --format csv
report --month 2026-10 --user bob --format csv
report --month 2026-10 --user 1001 --user carol --by week --format csv
report --month 2026-10 --iface lo --format csv
report --month 2026-11 --iface eth0 --by day --format json
report --from 2026-08-01 --to 2026-11-15T12:00 --top 1 --format json
report --from 2026-08-01 --to 2026-11-15T12:00 --by month --top 2 --format csv
report --month 2026-10 --top 2
report --month 2026-10 --by week --iec
audit --period 2026-08 --format csv
audit --period 2026-08-03 --format csv
audit --period 2026-W32 --format csv
audit --period 2026-09-07 --format csv
audit --period 2026-10 --format csv
audit --period 2026-11 --format json
audit --period 2026-10-25 --format csv
audit --period 2026-11-10 --format csv
audit --period 2026-11-15 --format csv
audit --period 2026-W44 --format csv
audit --period 2026-W46 --format json
audit --period 2026-10 --nagios
quota list
LIST
}
