/* Retention specs and cutoffs aligned to coarser buckets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "retention.h"
#include "timebucket.h"

#define D 86400LL

static void defaults(void **state)
{
	struct pdtt_retention r = pdtt_retention_default();

	(void)state;
	assert_true(r.samples == 7 * D);
	assert_true(r.hourly == 90 * D);
	assert_true(r.daily == 3 * 365 * D);
	assert_true(r.monthly == PDTT_FOREVER);
}

static void parse_specs(void **state)
{
	struct pdtt_retention r = pdtt_retention_default();
	char err[256];

	(void)state;
	assert_int_equal(pdtt_retention_parse("samples=36h,monthly=10y", &r, err, sizeof(err)), 0);
	assert_true(r.samples == 36 * 3600);
	assert_true(r.hourly == 90 * D); /* untouched */
	assert_true(r.monthly == 3650 * D);
	assert_int_equal(
		pdtt_retention_parse("hourly=8w,daily=18m,monthly=forever", &r, err, sizeof(err)),
		0);
	assert_true(r.hourly == 56 * D);
	assert_true(r.daily == 540 * D);
	assert_true(r.monthly == PDTT_FOREVER);
}

static void bad_specs(void **state)
{
	static const char *const bad[] = { "", "samples", "samples=", "samples=7", "samples=7x",
					   "samples=0d", "samples=-1d", "yearly=1y", "samples=1.5d",
					   "samples=99999999999y", "samples=7d,,", "=7d",
					   /* a finer resolution kept longer than a coarser one */
					   "samples=forever", "hourly=1d", "daily=91d,hourly=92d",
					   "monthly=1y" };
	struct pdtt_retention r = pdtt_retention_default(), before = r;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pdtt_retention_parse(bad[i], &r, err, sizeof(err)) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(err, "retention"));
		assert_memory_equal(&r, &before, sizeof(r)); /* untouched on error */
	}
}

static void cutoffs_align_to_coarser_buckets(void **state)
{
	struct pdtt_retention r = pdtt_retention_default();
	struct pdtt_cutoffs c;
	int64_t now = 1795000000; /* 2026-11-18T... */

	(void)state;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	c = pdtt_retention_cutoffs(&r, now);
	/* by hand (date -d): now is 2026-11-18 12:06:40 CET; 7 days before is
	 * 2026-11-11 12:06:40, its hour 12:00 CET; 90 days before is
	 * 2026-08-20 13:06:40 CEST, its day 00:00 CEST; 3 x 365 days before is
	 * 2023-11-19 12:06:40 CET, its month 2023-11-01 00:00 CET */
	assert_int_equal(c.samples, 1794394800);
	assert_int_equal(c.hourly, 1787176800);
	assert_int_equal(c.daily, 1698793200);
	assert_true(c.monthly == INT64_MIN);
	assert_true(c.samples <= now - 7 * D && c.samples > now - 7 * D - 3600);
	/* aligned: the cutoff is its own bucket start */
	assert_true(pdtt_bucket_start(PDTT_RES_DAY, c.hourly) == c.hourly);
	assert_true(pdtt_bucket_start(PDTT_RES_MONTH, c.daily) == c.daily);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(parse_specs),
		cmocka_unit_test(bad_specs),
		cmocka_unit_test(cutoffs_align_to_coarser_buckets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
