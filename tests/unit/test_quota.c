/* Quota limits, periods and states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "quota.h"

static void use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static uint64_t limit(const char *s)
{
	uint64_t v = 0;
	char err[256];

	if (pdtt_parse_limit(s, &v, err, sizeof(err)))
		fail_msg("'%s' refused: %s", s, err);
	return v;
}

static void limits(void **state)
{
	(void)state;
	assert_true(limit("4096") == 4096);
	assert_true(limit("4096B") == 4096);
	assert_true(limit("50GiB") == 50ull << 30);
	assert_true(limit("50G") == 50000000000ull);
	assert_true(limit("50GB") == 50000000000ull);
	assert_true(limit("1.5TB") == 1500000000000ull);
	assert_true(limit("1.5TiB") == 3ull << 39);
	assert_true(limit("0.5KiB") == 512);
	assert_true(limit("1.0001k") == 1000); /* rounded down to the byte */
	assert_true(limit("100MiB") == 100ull << 20);
	assert_true(limit("7EiB") == 7ull << 60);
	assert_true(limit("9223372036854775807") == INT64_MAX);
}

static void bad_limits(void **state)
{
	static const char *const bad[] = { "",
					   "0",
					   "0GiB",
					   "0.0001",
					   "-5G",
					   "5 G",
					   "5g",
					   "5Gib",
					   "G",
					   ".5G",
					   "5.G",
					   "1.5.2G",
					   "8EiB",
					   "99999999999999999999",
					   "9223372036854775808",
					   "50GiBs",
					   "1e9" };
	char err[256];
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!pdtt_parse_limit(bad[i], &v, err, sizeof(err)))
			fail_msg("'%s' accepted as %llu", bad[i], (unsigned long long)v);
		assert_non_null(strstr(err, "limit '"));
	}
}

static void states(void **state)
{
	(void)state;
	assert_int_equal(pdtt_quota_state_of(0, 100, 80), PDTT_QUOTA_OK);
	assert_int_equal(pdtt_quota_state_of(79, 100, 80), PDTT_QUOTA_OK);
	assert_int_equal(pdtt_quota_state_of(80, 100, 80), PDTT_QUOTA_WARN);
	assert_int_equal(pdtt_quota_state_of(100, 100, 80), PDTT_QUOTA_WARN); /* at the limit */
	assert_int_equal(pdtt_quota_state_of(101, 100, 80), PDTT_QUOTA_OVER);
	assert_int_equal(pdtt_quota_state_of(100, 100, 100), PDTT_QUOTA_WARN);
	/* no overflow near the top */
	assert_int_equal(pdtt_quota_state_of(INT64_MAX, INT64_MAX, 99), PDTT_QUOTA_WARN);
	assert_true(pdtt_quota_percent(50, 200) == 25.0);
}

static int64_t local(int y, int mo, int d, int h)
{
	struct tm tm = {
		.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_isdst = -1
	};
	return (int64_t)mktime(&tm);
}

static void periods(void **state)
{
	struct pdtt_window w, p;
	char label[32];

	(void)state;
	use_tz("Europe/Berlin");
	/* month with the autumn DST change: 31 days and an hour */
	w = pdtt_period_of(PDTT_PER_MONTH, local(2026, 10, 25, 12));
	assert_true(w.from == local(2026, 10, 1, 0) && w.to == local(2026, 11, 1, 0));
	assert_true(w.to - w.from == 31 * 86400 + 3600);
	pdtt_period_label(PDTT_PER_MONTH, w.from, label, sizeof(label));
	assert_string_equal(label, "2026-10");
	/* year end: previous of January is December */
	w = pdtt_period_of(PDTT_PER_MONTH, local(2027, 1, 10, 0));
	p = pdtt_period_before(PDTT_PER_MONTH, &w);
	assert_true(p.from == local(2026, 12, 1, 0) && p.to == w.from);
	/* ISO weeks start on Monday; 2026-12-31 is in 2026-W53 */
	w = pdtt_period_of(PDTT_PER_WEEK, local(2026, 12, 31, 9));
	assert_true(w.from == local(2026, 12, 28, 0));
	assert_true(w.to == local(2027, 1, 4, 0));
	pdtt_period_label(PDTT_PER_WEEK, w.from, label, sizeof(label));
	assert_string_equal(label, "2026-W53");
	/* a day of 23 hours */
	w = pdtt_period_of(PDTT_PER_DAY, local(2026, 3, 29, 12));
	assert_true(w.to - w.from == 23 * 3600);
	pdtt_period_label(PDTT_PER_DAY, w.from, label, sizeof(label));
	assert_string_equal(label, "2026-03-29");
	/* all three at once, indexed by kind: Thursday 2026-12-31 */
	{
		struct pdtt_window all[3];

		pdtt_periods_of(local(2026, 12, 31, 23) + 3599, all);
		assert_true(all[PDTT_PER_DAY].from == local(2026, 12, 31, 0));
		assert_true(all[PDTT_PER_DAY].to == local(2027, 1, 1, 0));
		assert_true(all[PDTT_PER_WEEK].from == local(2026, 12, 28, 0));
		assert_true(all[PDTT_PER_MONTH].from == local(2026, 12, 1, 0));
		assert_true(all[PDTT_PER_MONTH].to == local(2027, 1, 1, 0));
	}
}

static void period_specs(void **state)
{
	struct pdtt_window w = { 0, 0 };
	enum pdtt_per per = PDTT_PER_DAY;
	bool any = false;
	char err[256];
	int64_t now = local(2026, 11, 27, 12);

	(void)state;
	use_tz("Europe/Berlin");
	assert_int_equal(pdtt_period_parse("current", now, &any, &per, &w, err, sizeof(err)), 0);
	assert_true(any);
	assert_int_equal(pdtt_period_parse("previous", now, &any, &per, &w, err, sizeof(err)), 0);
	assert_true(any);
	assert_int_equal(pdtt_period_parse("2026-10", now, &any, &per, &w, err, sizeof(err)), 0);
	assert_false(any);
	assert_int_equal(per, PDTT_PER_MONTH);
	assert_true(w.from == local(2026, 10, 1, 0));
	assert_int_equal(pdtt_period_parse("2026-10-25", now, &any, &per, &w, err, sizeof(err)), 0);
	assert_int_equal(per, PDTT_PER_DAY);
	assert_true(w.to - w.from == 25 * 3600);
	assert_int_equal(pdtt_period_parse("2026-W44", now, &any, &per, &w, err, sizeof(err)), 0);
	assert_int_equal(per, PDTT_PER_WEEK);
	assert_true(w.from == local(2026, 10, 26, 0));
	assert_int_equal(pdtt_period_parse("2026-W01", now, &any, &per, &w, err, sizeof(err)), 0);
	assert_true(w.from == local(2025, 12, 29, 0)); /* week 1 holds 4 January */
	assert_int_equal(pdtt_period_parse("2026-W53", now, &any, &per, &w, err, sizeof(err)), 0);
	assert_int_equal(pdtt_period_parse("2027-W53", now, &any, &per, &w, err, sizeof(err)), -1);
	assert_int_equal(pdtt_period_parse("2026-13", now, &any, &per, &w, err, sizeof(err)), -1);
	assert_int_equal(pdtt_period_parse("2026-02-30", now, &any, &per, &w, err, sizeof(err)),
			 -1);
	assert_int_equal(pdtt_period_parse("last", now, &any, &per, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "period 'last'"));
	assert_int_equal(pdtt_period_parse("2026-W4", now, &any, &per, &w, err, sizeof(err)), -1);
}

static void names(void **state)
{
	enum pdtt_per p;
	enum pdtt_dir d;

	(void)state;
	assert_int_equal(pdtt_per_parse("week", &p), 0);
	assert_int_equal(p, PDTT_PER_WEEK);
	assert_int_equal(pdtt_per_parse("year", &p), -1);
	assert_int_equal(pdtt_dir_parse("tx", &d), 0);
	assert_int_equal(d, PDTT_DIR_TX);
	assert_int_equal(pdtt_dir_parse("both", &d), -1);
	assert_string_equal(pdtt_state_name(PDTT_QUOTA_OVER), "over");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(limits),  cmocka_unit_test(bad_limits),   cmocka_unit_test(states),
		cmocka_unit_test(periods), cmocka_unit_test(period_specs), cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
