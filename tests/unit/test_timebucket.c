/* Local-time buckets across DST gaps and folds, month and year ends, leap
 * days; and sample spans under clock steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "timebucket.h"

static void use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* 2026-01-01T00:00:00Z and friends */
#define T_2026 1767225600LL
#define H 3600LL
#define D 86400LL

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900,
			 .tm_mon = mo - 1,
			 .tm_mday = d,
			 .tm_hour = h,
			 .tm_min = mi,
			 .tm_sec = s };

	return (int64_t)timegm(&tm);
}

static void utc_buckets(void **state)
{
	char label[40];

	(void)state;
	use_tz("UTC");
	assert_true(pdtt_bucket_start(PDTT_RES_HOUR, utc(2026, 11, 27, 16, 59, 59)) ==
		    utc(2026, 11, 27, 16, 0, 0));
	assert_true(pdtt_bucket_start(PDTT_RES_DAY, utc(2026, 11, 27, 16, 59, 59)) ==
		    utc(2026, 11, 27, 0, 0, 0));
	assert_true(pdtt_bucket_start(PDTT_RES_MONTH, utc(2026, 11, 27, 16, 59, 59)) ==
		    utc(2026, 11, 1, 0, 0, 0));
	/* year end */
	assert_true(pdtt_bucket_next(PDTT_RES_MONTH, utc(2026, 12, 1, 0, 0, 0)) ==
		    utc(2027, 1, 1, 0, 0, 0));
	assert_true(pdtt_bucket_next(PDTT_RES_DAY, utc(2026, 12, 31, 0, 0, 0)) ==
		    utc(2027, 1, 1, 0, 0, 0));
	assert_true(pdtt_bucket_next(PDTT_RES_HOUR, utc(2026, 12, 31, 23, 0, 0)) ==
		    utc(2027, 1, 1, 0, 0, 0));
	/* leap day */
	assert_true(pdtt_bucket_next(PDTT_RES_DAY, utc(2028, 2, 28, 0, 0, 0)) ==
		    utc(2028, 2, 29, 0, 0, 0));
	assert_true(pdtt_bucket_next(PDTT_RES_MONTH, utc(2028, 2, 1, 0, 0, 0)) -
			    utc(2028, 2, 1, 0, 0, 0) ==
		    29 * D);
	assert_true(pdtt_bucket_next(PDTT_RES_MONTH, utc(2027, 2, 1, 0, 0, 0)) -
			    utc(2027, 2, 1, 0, 0, 0) ==
		    28 * D);
	pdtt_bucket_label(PDTT_RES_HOUR, utc(2026, 11, 27, 16, 0, 0), label, sizeof(label));
	assert_string_equal(label, "2026-11-27T16:00+0000");
	pdtt_bucket_label(PDTT_RES_MONTH, utc(2026, 11, 1, 0, 0, 0), label, sizeof(label));
	assert_string_equal(label, "2026-11");
}

static void berlin_dst(void **state)
{
	char a[40], b[40];
	int64_t fold, spring;

	(void)state;
	use_tz("Europe/Berlin");
	/* 2026-03-29: 02:00 CET -> 03:00 CEST, a 23-hour day */
	spring = pdtt_bucket_start(PDTT_RES_DAY, utc(2026, 3, 29, 12, 0, 0));
	assert_true(spring == utc(2026, 3, 28, 23, 0, 0));
	assert_true(pdtt_bucket_next(PDTT_RES_DAY, spring) - spring == 23 * H);
	/* the hour after 01:00 CET is 03:00 CEST */
	assert_true(pdtt_bucket_next(PDTT_RES_HOUR, utc(2026, 3, 29, 0, 0, 0)) ==
		    utc(2026, 3, 29, 1, 0, 0));
	pdtt_bucket_label(PDTT_RES_HOUR, utc(2026, 3, 29, 1, 0, 0), a, sizeof(a));
	assert_string_equal(a, "2026-03-29T03:00+0200");

	/* 2026-10-25: 03:00 CEST -> 02:00 CET, a 25-hour day, 02:00 twice */
	fold = pdtt_bucket_start(PDTT_RES_DAY, utc(2026, 10, 25, 12, 0, 0));
	assert_true(fold == utc(2026, 10, 24, 22, 0, 0));
	assert_true(pdtt_bucket_next(PDTT_RES_DAY, fold) - fold == 25 * H);
	assert_true(pdtt_bucket_start(PDTT_RES_HOUR, utc(2026, 10, 25, 0, 30, 0)) ==
		    utc(2026, 10, 25, 0, 0, 0));
	assert_true(pdtt_bucket_start(PDTT_RES_HOUR, utc(2026, 10, 25, 1, 30, 0)) ==
		    utc(2026, 10, 25, 1, 0, 0));
	pdtt_bucket_label(PDTT_RES_HOUR, utc(2026, 10, 25, 0, 0, 0), a, sizeof(a));
	pdtt_bucket_label(PDTT_RES_HOUR, utc(2026, 10, 25, 1, 0, 0), b, sizeof(b));
	assert_string_equal(a, "2026-10-25T02:00+0200");
	assert_string_equal(b, "2026-10-25T02:00+0100");
	/* month of October in Berlin: 31 days plus the hour given back */
	assert_true(pdtt_bucket_next(PDTT_RES_MONTH, utc(2026, 9, 30, 22, 0, 0)) ==
		    utc(2026, 10, 31, 23, 0, 0));
}

/* Properties that must hold in any zone for every instant: t lies in its
 * bucket, buckets tile time without gaps, hours nest in days, days in months. */
static void check_zone(const char *tz, int check_hours)
{
	use_tz(tz);
	for (int64_t t = T_2026 - 2 * D; t < T_2026 + 367 * D; t += H + 17 * 60 + 13) {
		for (int r = check_hours ? PDTT_RES_HOUR : PDTT_RES_DAY; r <= PDTT_RES_MONTH; r++) {
			int64_t s = pdtt_bucket_start(r, t), n = pdtt_bucket_next(r, s);

			if (!(s <= t && t < n))
				fail_msg("%s res %d: t=%lld not in [%lld, %lld)", tz, r,
					 (long long)t, (long long)s, (long long)n);
			assert_true(pdtt_bucket_start(r, s) == s);
			assert_true(pdtt_bucket_start(r, n) == n);
			assert_true(pdtt_bucket_next(r, pdtt_bucket_start(r, s - 1)) == s);
			if (r < PDTT_RES_MONTH)
				assert_true(pdtt_bucket_start(r + 1, s) ==
					    pdtt_bucket_start(r + 1, n - 1));
		}
		{
			time_t tt = (time_t)pdtt_bucket_start(PDTT_RES_DAY, t), ot = (time_t)t;
			struct tm a, b;

			localtime_r(&tt, &a);
			localtime_r(&ot, &b);
			assert_int_equal(a.tm_mday, b.tm_mday);
			tt -= 1;
			localtime_r(&tt, &a);
			assert_int_not_equal(a.tm_mday, b.tm_mday);
		}
	}
}

static void zone_properties(void **state)
{
	(void)state;
	check_zone("UTC", 1);
	check_zone("Europe/Berlin", 1);
	check_zone("America/New_York", 1);
	check_zone("Asia/Kolkata", 1);		     /* +05:30 */
	check_zone("America/Santiago", 1);	     /* DST changes at midnight */
	check_zone("Australia/Lord_Howe", 0);	     /* 30-minute DST shift */
	check_zone("Antarctica/Troll", 1);	     /* two-hour DST: 22- and 26-hour days */
	check_zone("CET-1CEST,M3.5.0,M10.5.0/3", 1); /* POSIX rule, no tzdata */
}

/* Troll goes from +00 to +02 and back: days of 22 and 26 hours, longer
 * than any step that assumes 25 (the next day must still be the next). */
static void troll_two_hour_days(void **state)
{
	int64_t spring, fall;

	(void)state;
	use_tz("Antarctica/Troll");
	spring = pdtt_bucket_start(PDTT_RES_DAY, utc(2026, 3, 29, 12, 0, 0));
	assert_true(spring == utc(2026, 3, 29, 0, 0, 0));
	assert_true(pdtt_bucket_next(PDTT_RES_DAY, spring) - spring == 22 * H);
	fall = pdtt_bucket_start(PDTT_RES_DAY, utc(2026, 10, 25, 12, 0, 0));
	assert_true(fall == utc(2026, 10, 24, 22, 0, 0));
	assert_true(pdtt_bucket_next(PDTT_RES_DAY, fall) - fall == 26 * H);
	assert_true(pdtt_bucket_next(PDTT_RES_DAY, pdtt_bucket_next(PDTT_RES_DAY, fall)) ==
		    utc(2026, 10, 27, 0, 0, 0));
}

static void santiago_midnight_gap(void **state)
{
	int64_t s;
	time_t tt;
	struct tm tm;

	(void)state;
	use_tz("America/Santiago");
	/* 2026-09-06: clocks jump from 00:00 to 01:00; the day starts at 01:00 */
	s = pdtt_bucket_start(PDTT_RES_DAY, utc(2026, 9, 6, 15, 0, 0));
	tt = (time_t)s;
	localtime_r(&tt, &tm);
	assert_int_equal(tm.tm_mday, 6);
	assert_int_equal(tm.tm_hour, 1);
	assert_true(pdtt_bucket_next(PDTT_RES_DAY, pdtt_bucket_start(PDTT_RES_DAY, s - 1)) == s);
}

static void sample_spans_under_clock_steps(void **state)
{
	struct pdtt_span s;

	(void)state;
	s = pdtt_plan_sample(1000, 1010); /* normal */
	assert_true(s.start == 1000 && s.end == 1010);
	s = pdtt_plan_sample(1000, 1000 + 3 * D); /* forward step / downtime: one long sample */
	assert_true(s.start == 1000 && s.end == 1000 + 3 * D);
	s = pdtt_plan_sample(1000, 400); /* adopted step back: dated now, not in the future */
	assert_true(s.start == 399 && s.end == 400);
	s = pdtt_plan_sample(1000, 1000); /* same second: empty, wait */
	assert_true(s.start == 1000 && s.end == 1000);
	/* successive samples under a step back: each ends at the clock */
	{
		int64_t end = 5000, wall = 5000;

		for (int i = 0; i < 100; i++) {
			wall += (i == 10) ? -3600 : 10;
			s = pdtt_plan_sample(end, wall);
			assert_true(s.end == wall); /* never in the future */
			if (i == 10)		    /* the step back: one second at the clock */
				assert_true(s.start == wall - 1);
			else /* before and after it: contiguous, the interval's 10 s */
				assert_true(s.start == end && s.end - s.start == 10);
			end = s.end;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utc_buckets),
		cmocka_unit_test(berlin_dst),
		cmocka_unit_test(zone_properties),
		cmocka_unit_test(troll_two_hour_days),
		cmocka_unit_test(santiago_midnight_gap),
		cmocka_unit_test(sample_spans_under_clock_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
