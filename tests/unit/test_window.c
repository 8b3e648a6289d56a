/* Report windows: time syntax and its rejections, DST gaps and folds,
 * calendar-relative times, --last/--month/--day, ISO weeks, and the
 * resolution planner (with a randomised property check). */
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
#include "window.h"

#define H 3600LL
#define D 86400LL

static void use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

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

/* Thursday 2026-11-27T16:30:15Z */
#define NOW utc(2026, 11, 27, 16, 30, 15)

static int64_t parse_at(const char *s, int64_t now, bool in_utc)
{
	char err[256] = "";
	int64_t t = 0;

	if (pdtt_parse_time(s, now, in_utc, &t, err, sizeof(err)))
		fail_msg("'%s' rejected: %s", s, err);
	return t;
}

static int64_t parse(const char *s)
{
	return parse_at(s, NOW, false);
}

static void expect_time(const char *s, int64_t want)
{
	int64_t got = parse(s);

	if (got != want)
		fail_msg("'%s': got %lld, want %lld (off by %lld s)", s, (long long)got,
			 (long long)want, (long long)(got - want));
}

static void expect_bad(const char *s, const char *why)
{
	char err[512] = "";
	int64_t t = 12345;

	if (!pdtt_parse_time(s, NOW, false, &t, err, sizeof(err)))
		fail_msg("'%s' accepted as %lld", s, (long long)t);
	assert_true(t == 12345);
	assert_true(strncmp(err, "time '", 6) == 0);
	assert_null(strchr(err, '\n'));
	assert_non_null(strstr(err, "; ")); /* <what>: <why>; <hint> */
	if (!strstr(err, why))
		fail_msg("'%s': error '%s' lacks '%s'", s, err, why);
}

/* The local clock reading of t as "YYYY-MM-DD HH:MM:SS". */
static const char *local_clock(int64_t t)
{
	static char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

static void accepted_syntax(void **state)
{
	(void)state;
	use_tz("UTC");
	expect_time("2026-10-03", utc(2026, 10, 3, 0, 0, 0));
	expect_time("2026-10-03T14:00", utc(2026, 10, 3, 14, 0, 0));
	expect_time("2026-10-03T14:00:05", utc(2026, 10, 3, 14, 0, 5));
	expect_time("2026-10-03 14:00", utc(2026, 10, 3, 14, 0, 0));
	expect_time("2026-10-03 14:00:59", utc(2026, 10, 3, 14, 0, 59));
	expect_time("2026-10-03T14:00Z", utc(2026, 10, 3, 14, 0, 0));
	expect_time("2026-10-03T14:00:05Z", utc(2026, 10, 3, 14, 0, 5));
	expect_time("2026-10-03T14:00+02:00", utc(2026, 10, 3, 12, 0, 0));
	expect_time("2026-10-03T14:00+0200", utc(2026, 10, 3, 12, 0, 0));
	expect_time("2026-10-03T14:00-05", utc(2026, 10, 3, 19, 0, 0));
	expect_time("2026-10-03T14:00-05:30", utc(2026, 10, 3, 19, 30, 0));
	expect_time("2026-10-03T14:00+05:45", utc(2026, 10, 3, 8, 15, 0));
	expect_time("2026-10-03T14:00-00:00", utc(2026, 10, 3, 14, 0, 0));
	expect_time("2026-10-03 14:00:05+0200", utc(2026, 10, 3, 12, 0, 5));
	expect_time("2026-10-03T00:30+01:00", utc(2026, 10, 2, 23, 30, 0)); /* day before */
	expect_time("2026-10-03T00:00:00", utc(2026, 10, 3, 0, 0, 0));
	expect_time("2026-10-03T23:59:59", utc(2026, 10, 3, 23, 59, 59));
	/* keywords */
	expect_time("now", NOW);
	expect_time("today", utc(2026, 11, 27, 0, 0, 0));
	expect_time("yesterday", utc(2026, 11, 26, 0, 0, 0));
	/* relative */
	expect_time("-7d", NOW - 7 * D);
	expect_time("-12h", NOW - 12 * H);
	expect_time("-30m", NOW - 30 * 60);
	expect_time("-1m", NOW - 60);
	expect_time("-2w", NOW - 14 * D);
	expect_time("+1d", NOW + D);
	expect_time("+90m", NOW + 90 * 60);
	expect_time("-007d", NOW - 7 * D);
	/* the limits: 200 years ahead; back, the years an absolute time may name */
	expect_time("+73200d", parse("+10457w") + 73200 * D - 10457 * 7 * D);
	expect_time("-45000d", parse("-6428w") - 45000 * D + 6428 * 7 * D);
	/* month and year ends, leap days */
	expect_time("2026-01-31", utc(2026, 1, 31, 0, 0, 0));
	expect_time("2026-04-30", utc(2026, 4, 30, 0, 0, 0));
	expect_time("2026-12-31T23:59:59", utc(2027, 1, 1, 0, 0, 0) - 1);
	expect_time("2027-01-01", utc(2027, 1, 1, 0, 0, 0));
	expect_time("2028-02-29", utc(2028, 2, 29, 0, 0, 0));
	expect_time("2000-02-29", utc(2000, 2, 29, 0, 0, 0));
	expect_time("2027-02-28T23:59", utc(2027, 3, 1, 0, 0, 0) - 60);
	expect_time("1900-01-01", utc(1900, 1, 1, 0, 0, 0));
	expect_time("9999-12-31", utc(9999, 12, 31, 0, 0, 0));
	/* relative days over a month end, a year end and a leap day */
	assert_true(parse_at("+1d", utc(2026, 1, 31, 10, 0, 0), false) ==
		    utc(2026, 2, 1, 10, 0, 0));
	assert_true(parse_at("+1d", utc(2026, 12, 31, 10, 0, 0), false) ==
		    utc(2027, 1, 1, 10, 0, 0));
	assert_true(parse_at("-1d", utc(2028, 3, 1, 10, 0, 0), false) ==
		    utc(2028, 2, 29, 10, 0, 0));
	assert_true(parse_at("today", utc(2027, 1, 1, 0, 0, 0), false) == utc(2027, 1, 1, 0, 0, 0));
	assert_true(parse_at("yesterday", utc(2027, 1, 1, 0, 0, 0), false) ==
		    utc(2026, 12, 31, 0, 0, 0));
	assert_true(parse_at("yesterday", utc(2028, 3, 1, 5, 0, 0), false) ==
		    utc(2028, 2, 29, 0, 0, 0));
}

static void rejected_syntax(void **state)
{
	(void)state;
	use_tz("Europe/Berlin");
	expect_bad("", "empty");
	expect_bad("2026-13-01", "month 13 is not 1 to 12");
	expect_bad("2026-00-10", "month 00 is not 1 to 12");
	expect_bad("2026-02-29", "day 29 is not in 2026-02; use a day from 01 to 28");
	expect_bad("2100-02-29", "day 29 is not in 2100-02");
	expect_bad("2026-04-31", "day 31 is not in 2026-04");
	expect_bad("2026-10-00", "day 00 is not in 2026-10");
	expect_bad("2026-10-32", "day 32");
	expect_bad("2026-10-03T24:00", "hour 24 is not 0 to 23; for the end of a day use 00:00");
	expect_bad("2026-10-03T99:00", "hour 99");
	expect_bad("2026-10-03T14:60", "minute 60 is not 0 to 59");
	expect_bad("2026-10-03T14:00:60", "second 60 is not 0 to 59");
	expect_bad("1899-12-31", "year 1899 is before 1900");
	expect_bad("0000-01-01", "year 0");
	/* trailing junk */
	expect_bad("2026-10-03x", "unexpected 'x' at the end");
	expect_bad("2026-10-03T14:00x", "unexpected 'x'");
	expect_bad("2026-10-03T14:00:05.5", "unexpected '.5'");
	expect_bad("2026-10-03T14:00:05,5", "unexpected ',5'");
	expect_bad("2026-10-03T14:00 ", "unexpected ' '");
	expect_bad("2026-10-03T14:00ZZ", "unexpected 'Z'");
	expect_bad("2026-10-03T14:00+02:00:00", "unexpected ':00'");
	expect_bad("2026-10-03T14:00+02:00 ", "unexpected ' '");
	expect_bad("2026-10-03\n", "unexpected");
	/* malformed */
	expect_bad(" 2026-10-03", "not a date, time or relative time");
	expect_bad("2026-1-03", "not a date");
	expect_bad("26-10-03", "not a date");
	expect_bad("2026/10/03", "not a date");
	expect_bad("20261003", "not a date");
	expect_bad("2026-10", "not a date");
	expect_bad("2026-10-03T", "not a date");
	expect_bad("2026-10-03T14", "not a date");
	expect_bad("2026-10-03T1400", "not a date");
	expect_bad("2026-10-03T14:0", "not a date");
	expect_bad("2026-10-03T14:00:5", "not a date");
	expect_bad("2026-10-03t14:00", "unexpected 't14:00'");
	expect_bad("Now", "not a date");
	expect_bad("tomorrow", "not a date");
	expect_bad("today ", "not a date");
	expect_bad("１２３４-10-03", "not a date"); /* non-ASCII digits */
	/* offsets */
	expect_bad("2026-10-03T14:00+2", "offset '+2' is not Z, +HH:MM");
	expect_bad("2026-10-03T14:00+24:00", "offset '+24:00'");
	expect_bad("2026-10-03T14:00+02:60", "offset '+02:60'");
	expect_bad("2026-10-03T14:00+02:", "offset '+02:'");
	expect_bad("2026-10-03T14:00+020", "offset '+020'");
	expect_bad("2026-10-03T14:00z", "unexpected 'z'");
	expect_bad("2026-10-03Z", "an offset needs a time of day; e.g. 2026-10-03T00:00Z");
	expect_bad("2026-10-03+02:00",
		   "an offset needs a time of day; e.g. 2026-10-03T00:00+02:00");
	expect_bad("2026-10-03-05", "an offset needs a time of day");
	/* relative */
	expect_bad("-", "not a count followed by a unit");
	expect_bad("+", "not a count");
	expect_bad("-d", "not a count");
	expect_bad("--7d", "not a count");
	expect_bad("-+7d", "not a count");
	expect_bad("- 7d", "not a count");
	expect_bad("-7", "no unit");
	expect_bad("-7y", "the unit is not m (minutes), h, d or w");
	expect_bad("-7M", "the unit is not");
	expect_bad("-7D", "the unit is not");
	expect_bad("-7dd", "unexpected text after the unit");
	expect_bad("-7d ", "unexpected text after the unit");
	expect_bad("-1.5d", "the unit is not");
	expect_bad("-0d", "the count must be at least 1");
	expect_bad("-000h", "at least 1");
	expect_bad("-73201d", "more than 200 years");
	/* 1826 would show as a time --from refuses (fuzz_time found it) */
	expect_bad("-73200d", "reaches before the years 1900 to 9999");
	expect_bad("-10458w", "more than 200 years");
	expect_bad("-99999999999999999999999999999d", "more than 200 years");
}

static void error_text(void **state)
{
	char err[512];
	int64_t t;

	(void)state;
	use_tz("Europe/Berlin");
	assert_int_equal(pdtt_parse_time("2026-13-01", NOW, false, &t, err, sizeof(err)), -1);
	assert_string_equal(
		err, "time '2026-13-01': month 13 is not 1 to 12; use a month from 01 to 12");
	assert_int_equal(pdtt_parse_time("-7x", NOW, false, &t, err, sizeof(err)), -1);
	assert_string_equal(err, "time '-7x': the unit is not m (minutes), h, d or w; use "
				 "YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], now, today, "
				 "yesterday or -7d (units m for minutes, h, d, w)");
	/* a short buffer truncates but stays terminated */
	assert_int_equal(pdtt_parse_time("2026-13-01", NOW, false, &t, err, 10), -1);
	assert_string_equal(err, "time '202");
}

static void berlin_gap_and_fold(void **state)
{
	char err[512], buf[40];
	int64_t t;

	(void)state;
	use_tz("Europe/Berlin");
	/* 2026-03-29: 02:00 CET -> 03:00 CEST; 02:00 to 02:59:59 never happen */
	assert_int_equal(pdtt_parse_time("2026-03-29T02:30", NOW, false, &t, err, sizeof(err)), -1);
	assert_string_equal(err, "time '2026-03-29T02:30': that local time does not exist (clocks "
				 "jump from 2026-03-29T02:00+0100 to 2026-03-29T03:00+0200); use "
				 "a time outside the jump or an explicit offset");
	expect_bad("2026-03-29T02:00", "does not exist");
	expect_bad("2026-03-29 02:59:59", "does not exist");
	expect_time("2026-03-29T01:59:59", utc(2026, 3, 29, 0, 59, 59));
	expect_time("2026-03-29T03:00", utc(2026, 3, 29, 1, 0, 0));
	expect_time("2026-03-29", utc(2026, 3, 28, 23, 0, 0));
	/* an explicit offset or --utc names an instant, whatever the zone */
	expect_time("2026-03-29T02:30+01:00", utc(2026, 3, 29, 1, 30, 0));
	expect_time("2026-03-29T02:30Z", utc(2026, 3, 29, 2, 30, 0));
	assert_true(parse_at("2026-03-29T02:30", NOW, true) == utc(2026, 3, 29, 2, 30, 0));

	/* 2026-10-25: 03:00 CEST -> 02:00 CET; 02:30 happens twice: the first */
	expect_time("2026-10-25T02:30", utc(2026, 10, 25, 0, 30, 0));
	expect_time("2026-10-25T02:00", utc(2026, 10, 25, 0, 0, 0));
	expect_time("2026-10-25T02:59:59", utc(2026, 10, 25, 0, 59, 59));
	expect_time("2026-10-25T02:30+02:00", utc(2026, 10, 25, 0, 30, 0));
	expect_time("2026-10-25T02:30+01:00", utc(2026, 10, 25, 1, 30, 0)); /* the second */
	expect_time("2026-10-25T01:59:59", utc(2026, 10, 24, 23, 59, 59));
	expect_time("2026-10-25T03:00", utc(2026, 10, 25, 2, 0, 0));
	expect_time("2026-10-25", utc(2026, 10, 24, 22, 0, 0));

	/* what pdtt_format_time prints parses back to the same instant, both
	 * occurrences of the fold included */
	for (t = utc(2026, 10, 24, 23, 0, 0); t < utc(2026, 10, 25, 3, 0, 0); t += 600) {
		pdtt_format_time(t, false, buf, sizeof(buf));
		expect_time(buf, t);
	}
	pdtt_format_time(utc(2026, 10, 25, 1, 30, 0), false, buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-25T02:30+0100");
	pdtt_format_time(utc(2026, 10, 25, 0, 30, 5), false, buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-25T02:30:05+0200");
	pdtt_format_time(utc(2026, 10, 25, 0, 30, 5), true, buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-25T00:30:05+0000");
	pdtt_format_time(INT64_MIN, false, buf, sizeof(buf));
	assert_string_equal(buf, "@-9223372036854775808");
	pdtt_format_time(INT64_MAX, true, buf, sizeof(buf));
	assert_string_equal(buf, "@9223372036854775807");
	/* before 1900 (which --from refuses): epoch seconds, which parse back */
	pdtt_format_time(utc(1, 1, 1, 0, 0, 0), true, buf, sizeof(buf));
	assert_string_equal(buf, "@-62135596800");
	pdtt_format_time(utc(1899, 12, 31, 23, 0, 0), false, buf, sizeof(buf));
	assert_string_equal(buf, "1900-01-01T00:00+0100");
	pdtt_format_time(utc(1899, 12, 31, 23, 0, 0), true, buf, sizeof(buf));
	assert_string_equal(buf, "@-2208992400");
	pdtt_format_time(-1, true, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59+0000");
}

static void other_zones(void **state)
{
	char err[512];
	int64_t t;

	(void)state;
	/* 2026-09-06: Santiago jumps from 00:00 to 01:00, so that day starts at 01:00 -03 */
	use_tz("America/Santiago");
	t = parse("2026-09-06");
	assert_true(t == utc(2026, 9, 6, 4, 0, 0));
	assert_string_equal(local_clock(t), "2026-09-06 01:00:00");
	assert_true(t == pdtt_bucket_start(PDTT_RES_DAY, utc(2026, 9, 6, 18, 0, 0)));
	expect_bad("2026-09-06T00:30", "does not exist");
	expect_time("2026-09-06T01:00", utc(2026, 9, 6, 4, 0, 0));
	expect_time("2026-09-05", utc(2026, 9, 5, 4, 0, 0));
	/* 2026-04-04: 23:00 to 23:59 happen twice (-03, then -04) */
	expect_time("2026-04-04T23:30", utc(2026, 4, 5, 2, 30, 0));
	expect_time("2026-04-05", utc(2026, 4, 5, 4, 0, 0));
	/* every date of the year starts where timebucket says the day starts */
	for (int64_t day = utc(2026, 1, 1, 12, 0, 0); day < utc(2027, 1, 1, 0, 0, 0); day += D) {
		char s[16];
		time_t tt = (time_t)day;
		struct tm tm;

		localtime_r(&tt, &tm);
		strftime(s, sizeof(s), "%Y-%m-%d", &tm);
		assert_true(parse(s) == pdtt_bucket_start(PDTT_RES_DAY, day));
	}

	/* an explicit offset overrides the zone */
	use_tz("America/New_York");
	expect_time("2026-10-03T14:00+02:00", utc(2026, 10, 3, 12, 0, 0));
	expect_time("2026-10-03T14:00", utc(2026, 10, 3, 18, 0, 0)); /* EDT */
	expect_time("2026-12-03T14:00", utc(2026, 12, 3, 19, 0, 0)); /* EST */

	use_tz("Asia/Kolkata");
	expect_time("2026-10-03T14:00", utc(2026, 10, 3, 8, 30, 0));
	expect_time("2026-10-03", utc(2026, 10, 2, 18, 30, 0));

	/* Samoa skipped 2011-12-30 altogether */
	use_tz("Pacific/Apia");
	assert_int_equal(pdtt_parse_time("2011-12-30", NOW, false, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "that day does not exist here"));
	expect_bad("2011-12-30T12:00", "does not exist");
	expect_time("2011-12-31", utc(2011, 12, 30, 10, 0, 0));
}

static void utc_flag_and_keywords(void **state)
{
	/* 23:30Z on the 27th is 00:30 on the 28th in Berlin */
	int64_t now = utc(2026, 11, 27, 23, 30, 0);

	(void)state;
	use_tz("Europe/Berlin");
	expect_time("2026-10-03", utc(2026, 10, 2, 22, 0, 0));
	expect_time("2026-01-15T14:00", utc(2026, 1, 15, 13, 0, 0));
	expect_time("2026-10-03T14:00Z", utc(2026, 10, 3, 14, 0, 0));
	assert_true(parse_at("2026-10-03", now, true) == utc(2026, 10, 3, 0, 0, 0));
	assert_true(parse_at("2026-10-03T14:00", now, true) == utc(2026, 10, 3, 14, 0, 0));
	assert_true(parse_at("2026-10-03T14:00+02:00", now, true) == utc(2026, 10, 3, 12, 0, 0));
	assert_true(parse_at("today", now, false) == utc(2026, 11, 27, 23, 0, 0));
	assert_true(parse_at("yesterday", now, false) == utc(2026, 11, 26, 23, 0, 0));
	assert_true(parse_at("today", now, true) == utc(2026, 11, 27, 0, 0, 0));
	assert_true(parse_at("yesterday", now, true) == utc(2026, 11, 26, 0, 0, 0));
	assert_true(parse_at("now", now, true) == now);
	/* yesterday of the day after a DST change is 23 or 25 hours long */
	assert_true(parse_at("yesterday", utc(2026, 10, 26, 12, 0, 0), false) ==
		    utc(2026, 10, 24, 22, 0, 0));
	assert_true(parse_at("today", utc(2026, 10, 26, 12, 0, 0), false) -
			    parse_at("yesterday", utc(2026, 10, 26, 12, 0, 0), false) ==
		    25 * H);
}

static void relative_across_dst(void **state)
{
	(void)state;
	use_tz("Europe/Berlin");
	/* spring: from 12:00 CEST on 2026-03-29, -1d is 12:00 CET the day before, 23 h */
	assert_true(parse_at("-1d", utc(2026, 3, 29, 10, 0, 0), false) ==
		    utc(2026, 3, 28, 11, 0, 0));
	assert_true(parse_at("-24h", utc(2026, 3, 29, 10, 0, 0), false) ==
		    utc(2026, 3, 28, 10, 0, 0));
	assert_true(parse_at("+1d", utc(2026, 3, 28, 11, 0, 0), false) ==
		    utc(2026, 3, 29, 10, 0, 0));
	/* autumn: 25 h */
	assert_true(parse_at("-1d", utc(2026, 10, 25, 11, 0, 0), false) ==
		    utc(2026, 10, 24, 10, 0, 0));
	assert_true(parse_at("-1w", utc(2026, 10, 25, 11, 0, 0), false) ==
		    utc(2026, 10, 18, 10, 0, 0));
	assert_true(parse_at("-7d", utc(2026, 10, 25, 11, 0, 0), false) ==
		    utc(2026, 10, 18, 10, 0, 0));
	assert_true(parse_at("-168h", utc(2026, 10, 25, 11, 0, 0), false) ==
		    utc(2026, 10, 18, 11, 0, 0));
	assert_true(parse_at("-90m", utc(2026, 10, 25, 2, 0, 0), false) ==
		    utc(2026, 10, 25, 0, 30, 0));
	/* landing in the gap: 02:30 does not exist, pushed forward to 03:30 CEST */
	assert_string_equal(local_clock(parse_at("-1d", utc(2026, 3, 30, 0, 30, 0), false)),
			    "2026-03-29 03:30:00");
	assert_true(parse_at("-1d", utc(2026, 3, 30, 0, 30, 0), false) ==
		    utc(2026, 3, 29, 1, 30, 0));
	/* landing in the fold: the first 02:30 */
	assert_true(parse_at("-1d", utc(2026, 10, 26, 1, 30, 0), false) ==
		    utc(2026, 10, 25, 0, 30, 0));
	assert_true(parse_at("+1d", utc(2026, 10, 24, 0, 30, 0), false) ==
		    utc(2026, 10, 25, 0, 30, 0));
	/* from the second 02:30 of the fold, -1d is 02:30 of the day before */
	assert_true(parse_at("-1d", utc(2026, 10, 25, 1, 30, 0), false) ==
		    utc(2026, 10, 24, 0, 30, 0));
	/* --utc: calendar days are 86400 s */
	assert_true(parse_at("-1d", utc(2026, 3, 29, 10, 0, 0), true) ==
		    utc(2026, 3, 28, 10, 0, 0));
	assert_true(parse_at("-1w", utc(2026, 10, 25, 11, 0, 0), true) ==
		    utc(2026, 10, 18, 11, 0, 0));
	/* the local clock reading moves by whole days across a whole year */
	for (int64_t now = utc(2026, 1, 1, 0, 17, 0); now < utc(2027, 1, 1, 0, 0, 0);
	     now += D + 7 * H) {
		int64_t t = parse_at("-3d", now, false);
		time_t a = (time_t)t, b = (time_t)now;
		struct tm ta, tn, want;

		localtime_r(&a, &ta);
		localtime_r(&b, &tn);
		want = tn;
		want.tm_mday -= 3;
		timegm(&want); /* normalises the date */
		assert_int_equal(ta.tm_mday, want.tm_mday);
		assert_int_equal(ta.tm_mon, want.tm_mon);
		assert_int_equal(ta.tm_min, 17);
		/* the same hour, or an hour later when that hour was skipped */
		assert_true(ta.tm_hour == tn.tm_hour || (tn.tm_hour == 2 && ta.tm_hour == 3));
		assert_true(t - (now - 3 * D) >= -H && t - (now - 3 * D) <= H);
	}
}

static void last_windows(void **state)
{
	struct pdtt_window w;
	struct pdtt_duration d;
	char err[512];
	int64_t now = utc(2026, 10, 25, 11, 0, 0); /* 12:00 CET, the day of the fold */
	const char *const bad[] = { "",	   "30",  "0d", "-3d", "+3d",	 "3x",
				    "3d ", "3 d", "d",	"3y",  "300000d" };

	(void)state;
	use_tz("Europe/Berlin");
	assert_int_equal(pdtt_window_last("1d", now, false, &w, err, sizeof(err)), 0);
	assert_true(w.from == utc(2026, 10, 24, 10, 0, 0) && w.to == now);
	assert_true(w.to - w.from == 25 * H);
	assert_int_equal(pdtt_window_last("30d", now, false, &w, err, sizeof(err)), 0);
	assert_true(w.from == utc(2026, 9, 25, 10, 0, 0));
	assert_int_equal(pdtt_window_last("2w", now, false, &w, err, sizeof(err)), 0);
	assert_true(w.from == utc(2026, 10, 11, 10, 0, 0));
	assert_int_equal(pdtt_window_last("12h", now, false, &w, err, sizeof(err)), 0);
	assert_true(w.from == now - 12 * H);
	assert_int_equal(pdtt_window_last("1m", now, false, &w, err, sizeof(err)), 0);
	assert_true(w.from == now - 60);
	assert_int_equal(pdtt_window_last("1d", now, true, &w, err, sizeof(err)), 0);
	assert_true(w.from == now - D);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w.from = w.to = 7;
		if (!pdtt_window_last(bad[i], now, false, &w, err, sizeof(err)))
			fail_msg("--last '%s' accepted", bad[i]);
		assert_true(w.from == 7 && w.to == 7);
		assert_true(strncmp(err, "duration '", 10) == 0);
		assert_non_null(strstr(err, "; use e.g. --last 30d"));
	}
	/* 200 years back from 2026 is 1826: refused, as --from refuses it (fuzz_time) */
	w.from = w.to = 7;
	assert_int_equal(pdtt_window_last("73200d", now, false, &w, err, sizeof(err)), -1);
	assert_true(w.from == 7 && w.to == 7);
	assert_non_null(strstr(err, "--last '73200d': reaches before the year 1900"));
	assert_int_equal(pdtt_window_last("6000w", now, false, &w, err, sizeof(err)), 0);
	assert_int_equal(pdtt_parse_duration("3x", &d, err, sizeof(err)), -1);
	assert_string_equal(err, "duration '3x': the unit is not m (minutes), h, d or w; use e.g. "
				 "--last 30d (units m for minutes, h, d, w)");
	assert_int_equal(pdtt_parse_duration("45m", &d, err, sizeof(err)), 0);
	assert_true(d.count == 45 && d.unit == PDTT_UNIT_MINUTE);
	assert_true(pdtt_time_add(now, &d, 1, false) == now + 45 * 60);
}

static void expect_window(struct pdtt_window w, int64_t from, int64_t to)
{
	if (w.from != from || w.to != to)
		fail_msg("window [%lld, %lld), want [%lld, %lld)", (long long)w.from,
			 (long long)w.to, (long long)from, (long long)to);
}

static void month_and_day_windows(void **state)
{
	struct pdtt_window w;
	char err[512];
	const char *const bad_months[] = { "",		 "2026-13", "2026-00",	"2026-1",
					   "2026-10-01", "202610",  "2026-10x", "1899-12" };
	const char *const bad_days[] = { "",	       "2026-10",   "2026-10-32",
					 "2026-02-29", "2026-10-3", "2026-10-03T00:00" };

	(void)state;
	use_tz("Europe/Berlin");
	assert_int_equal(pdtt_window_month("2026-10", false, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 9, 30, 22, 0, 0), utc(2026, 10, 31, 23, 0, 0));
	assert_true(w.to - w.from == 31 * D + H);
	assert_int_equal(pdtt_window_month("2026-03", false, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 2, 28, 23, 0, 0), utc(2026, 3, 31, 22, 0, 0));
	assert_true(w.to - w.from == 31 * D - H);
	assert_int_equal(pdtt_window_month("2026-12", false, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 11, 30, 23, 0, 0), utc(2026, 12, 31, 23, 0, 0));
	assert_int_equal(pdtt_window_month("2028-02", false, &w, err, sizeof(err)), 0);
	assert_true(w.to - w.from == 29 * D);
	assert_int_equal(pdtt_window_month("2026-10", true, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 10, 1, 0, 0, 0), utc(2026, 11, 1, 0, 0, 0));
	assert_int_equal(pdtt_window_month("2026-12", true, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 12, 1, 0, 0, 0), utc(2027, 1, 1, 0, 0, 0));

	assert_int_equal(pdtt_window_day("2026-10-25", false, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 10, 24, 22, 0, 0), utc(2026, 10, 25, 23, 0, 0));
	assert_int_equal(pdtt_window_day("2026-03-29", false, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 3, 28, 23, 0, 0), utc(2026, 3, 29, 22, 0, 0));
	assert_int_equal(pdtt_window_day("2026-12-31", false, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 12, 30, 23, 0, 0), utc(2026, 12, 31, 23, 0, 0));
	assert_int_equal(pdtt_window_day("2028-02-29", false, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2028, 2, 28, 23, 0, 0), utc(2028, 2, 29, 23, 0, 0));
	assert_int_equal(pdtt_window_day("2026-10-25", true, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 10, 25, 0, 0, 0), utc(2026, 10, 26, 0, 0, 0));

	for (size_t i = 0; i < sizeof(bad_months) / sizeof(bad_months[0]); i++) {
		if (!pdtt_window_month(bad_months[i], false, &w, err, sizeof(err)))
			fail_msg("--month '%s' accepted", bad_months[i]);
		assert_true(strncmp(err, "month '", 7) == 0);
		assert_non_null(strstr(err, "; "));
	}
	assert_int_equal(pdtt_window_month("2026-13", false, &w, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "month '2026-13': month 13 is not 1 to 12; use a month from 01 to 12");
	assert_int_equal(pdtt_window_month("2026-1", false, &w, err, sizeof(err)), -1);
	assert_string_equal(err, "month '2026-1': not YYYY-MM; e.g. --month 2026-10");
	for (size_t i = 0; i < sizeof(bad_days) / sizeof(bad_days[0]); i++) {
		if (!pdtt_window_day(bad_days[i], false, &w, err, sizeof(err)))
			fail_msg("--day '%s' accepted", bad_days[i]);
		assert_true(strncmp(err, "day '", 5) == 0);
		assert_non_null(strstr(err, "; "));
	}
	assert_int_equal(pdtt_window_day("2026-02-29", false, &w, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "day '2026-02-29': day 29 is not in 2026-02; use a day from 01 to 28");

	/* Santiago: the day whose midnight is skipped has 23 hours, the fold 25 */
	use_tz("America/Santiago");
	assert_int_equal(pdtt_window_day("2026-09-06", false, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 9, 6, 4, 0, 0), utc(2026, 9, 7, 3, 0, 0));
	assert_int_equal(pdtt_window_day("2026-04-04", false, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 4, 4, 3, 0, 0), utc(2026, 4, 5, 4, 0, 0));
	assert_int_equal(pdtt_window_month("2026-09", false, &w, err, sizeof(err)), 0);
	expect_window(w, utc(2026, 9, 1, 4, 0, 0), utc(2026, 10, 1, 3, 0, 0));
	use_tz("Pacific/Apia");
	assert_int_equal(pdtt_window_day("2011-12-30", false, &w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "day '2011-12-30': that day does not exist here"));
	assert_int_equal(pdtt_window_month("2011-12", false, &w, err, sizeof(err)), 0);
	assert_true(w.to - w.from == 30 * D);
}

static void current_month_and_check(void **state)
{
	struct pdtt_window w;
	char err[512];

	(void)state;
	use_tz("Europe/Berlin");
	/* 23:30Z on Oct 31 is already November in Berlin */
	w = pdtt_window_current_month(utc(2026, 10, 31, 23, 30, 0), false);
	expect_window(w, utc(2026, 10, 31, 23, 0, 0), utc(2026, 11, 30, 23, 0, 0));
	w = pdtt_window_current_month(utc(2026, 10, 31, 23, 30, 0), true);
	expect_window(w, utc(2026, 10, 1, 0, 0, 0), utc(2026, 11, 1, 0, 0, 0));
	w = pdtt_window_current_month(utc(2026, 12, 31, 23, 30, 0), false);
	expect_window(w, utc(2026, 12, 31, 23, 0, 0), utc(2027, 1, 31, 23, 0, 0));
	w = pdtt_window_current_month(utc(2026, 12, 31, 22, 59, 59), false);
	expect_window(w, utc(2026, 11, 30, 23, 0, 0), utc(2026, 12, 31, 23, 0, 0));

	w.from = w.to = utc(2026, 10, 3, 0, 0, 0);
	assert_int_equal(pdtt_window_check(&w, false, err, sizeof(err)), -1);
	assert_string_equal(err, "empty window: --to is not after --from (from "
				 "2026-10-03T02:00+0200, to 2026-10-03T02:00+0200); give a later "
				 "--to or an earlier --from");
	w.to -= 1;
	assert_int_equal(pdtt_window_check(&w, true, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty window: --to is not after --from"));
	assert_non_null(strstr(err, "to 2026-10-02T23:59:59+0000"));
	w.to += 2;
	assert_int_equal(pdtt_window_check(&w, false, err, sizeof(err)), 0);
}

static void weeks_and_groups(void **state)
{
	char label[40];
	int64_t s;

	(void)state;
	use_tz("Europe/Berlin");
	/* Wednesday 2026-10-28 is in 2026-W44, which starts Monday 26th 00:00 CET */
	s = pdtt_week_start(utc(2026, 10, 28, 12, 0, 0), false);
	assert_true(s == utc(2026, 10, 25, 23, 0, 0));
	pdtt_week_label(s, false, label, sizeof(label));
	assert_string_equal(label, "2026-W44");
	/* the week holding the fold is 7 days and an hour */
	s = pdtt_week_start(utc(2026, 10, 25, 12, 0, 0), false);
	assert_true(s == utc(2026, 10, 18, 22, 0, 0));
	assert_true(pdtt_group_next(PDTT_BY_WEEK, s, false) == utc(2026, 10, 25, 23, 0, 0));
	/* Sunday 23:59:59 local is still the old week */
	assert_true(pdtt_week_start(utc(2026, 10, 25, 22, 59, 59), false) == s);
	assert_true(pdtt_week_start(utc(2026, 10, 25, 23, 0, 0), false) ==
		    utc(2026, 10, 25, 23, 0, 0));
	assert_true(pdtt_week_start(s, false) == s);
	/* year ends: 2026 has 53 ISO weeks; 2027-01-01 belongs to 2026-W53 */
	s = pdtt_week_start(utc(2027, 1, 1, 12, 0, 0), false);
	assert_true(s == utc(2026, 12, 27, 23, 0, 0));
	pdtt_week_label(s, false, label, sizeof(label));
	assert_string_equal(label, "2026-W53");
	s = pdtt_group_next(PDTT_BY_WEEK, s, false);
	assert_true(s == utc(2027, 1, 3, 23, 0, 0));
	pdtt_group_label(PDTT_BY_WEEK, s, false, label, sizeof(label));
	assert_string_equal(label, "2027-W01");
	s = pdtt_week_start(utc(2025, 12, 31, 12, 0, 0), false);
	pdtt_week_label(s, false, label, sizeof(label));
	assert_string_equal(label, "2026-W01");
	/* --utc weeks start Monday 00:00Z; a Berlin Monday 00:30 is Sunday in UTC */
	assert_true(pdtt_week_start(utc(2026, 10, 28, 12, 0, 0), true) ==
		    utc(2026, 10, 26, 0, 0, 0));
	assert_true(pdtt_week_start(utc(2026, 10, 25, 23, 30, 0), true) ==
		    utc(2026, 10, 19, 0, 0, 0));
	pdtt_week_label(utc(2026, 10, 19, 0, 0, 0), true, label, sizeof(label));
	assert_string_equal(label, "2026-W43");

	/* groups, local */
	assert_true(pdtt_group_start(PDTT_BY_HOUR, utc(2026, 10, 25, 1, 40, 0), false) ==
		    utc(2026, 10, 25, 1, 0, 0));
	pdtt_group_label(PDTT_BY_HOUR, utc(2026, 10, 25, 1, 0, 0), false, label, sizeof(label));
	assert_string_equal(label, "2026-10-25T02:00+0100");
	assert_true(pdtt_group_next(PDTT_BY_HOUR, utc(2026, 10, 25, 1, 0, 0), false) ==
		    utc(2026, 10, 25, 2, 0, 0));
	assert_true(pdtt_group_start(PDTT_BY_DAY, utc(2026, 10, 25, 12, 0, 0), false) ==
		    utc(2026, 10, 24, 22, 0, 0));
	assert_true(pdtt_group_next(PDTT_BY_DAY, utc(2026, 10, 24, 22, 0, 0), false) ==
		    utc(2026, 10, 25, 23, 0, 0));
	pdtt_group_label(PDTT_BY_DAY, utc(2026, 10, 24, 22, 0, 0), false, label, sizeof(label));
	assert_string_equal(label, "2026-10-25");
	assert_true(pdtt_group_start(PDTT_BY_MONTH, utc(2026, 10, 25, 12, 0, 0), false) ==
		    utc(2026, 9, 30, 22, 0, 0));
	assert_true(pdtt_group_next(PDTT_BY_MONTH, utc(2026, 9, 30, 22, 0, 0), false) ==
		    utc(2026, 10, 31, 23, 0, 0));
	pdtt_group_label(PDTT_BY_MONTH, utc(2026, 9, 30, 22, 0, 0), false, label, sizeof(label));
	assert_string_equal(label, "2026-10");
	assert_true(pdtt_group_start(PDTT_BY_TOTAL, 1234, false) == 1234);
	assert_true(pdtt_group_next(PDTT_BY_TOTAL, 1234, false) == INT64_MAX);
	pdtt_group_label(PDTT_BY_TOTAL, 1234, false, label, sizeof(label));
	assert_string_equal(label, "total");
	/* groups, UTC */
	assert_true(pdtt_group_start(PDTT_BY_HOUR, utc(2026, 10, 25, 1, 40, 0), true) ==
		    utc(2026, 10, 25, 1, 0, 0));
	pdtt_group_label(PDTT_BY_HOUR, utc(2026, 10, 25, 1, 0, 0), true, label, sizeof(label));
	assert_string_equal(label, "2026-10-25T01:00+0000");
	assert_true(pdtt_group_start(PDTT_BY_DAY, utc(2026, 10, 25, 23, 30, 0), true) ==
		    utc(2026, 10, 25, 0, 0, 0));
	assert_true(pdtt_group_next(PDTT_BY_DAY, utc(2026, 10, 25, 0, 0, 0), true) ==
		    utc(2026, 10, 26, 0, 0, 0));
	assert_true(pdtt_group_start(PDTT_BY_MONTH, utc(2026, 12, 31, 23, 30, 0), true) ==
		    utc(2026, 12, 1, 0, 0, 0));
	assert_true(pdtt_group_next(PDTT_BY_MONTH, utc(2026, 12, 1, 0, 0, 0), true) ==
		    utc(2027, 1, 1, 0, 0, 0));
	assert_true(pdtt_group_next(PDTT_BY_MONTH, utc(2028, 2, 1, 0, 0, 0), true) ==
		    utc(2028, 3, 1, 0, 0, 0));
	assert_true(pdtt_group_start(PDTT_BY_HOUR, -1, true) == -3600); /* before 1970 */
	pdtt_group_label(PDTT_BY_DAY, utc(2026, 12, 31, 0, 0, 0), true, label, sizeof(label));
	assert_string_equal(label, "2026-12-31");

	/* groups tile a year in several zones; weeks start on Mondays */
	{
		const char *const zones[] = { "UTC", "Europe/Berlin", "America/Santiago",
					      "Asia/Kolkata", "America/New_York" };

		for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
			use_tz(zones[z]);
			for (int u = 0; u < 2; u++) {
				for (int by = PDTT_BY_HOUR; by <= PDTT_BY_MONTH; by++) {
					int64_t t0 = utc(2026, 1, 1, 0, 0, 0);
					int64_t g = pdtt_group_start(by, t0, u), n;

					for (; g < utc(2027, 1, 10, 0, 0, 0); g = n) {
						n = pdtt_group_next(by, g, u);
						assert_true(n > g);
						assert_true(pdtt_group_start(by, g, u) == g);
						assert_true(pdtt_group_start(by, n - 1, u) == g);
					}
				}
				for (int64_t t = utc(2026, 1, 1, 0, 0, 0);
				     t < utc(2027, 1, 1, 0, 0, 0); t += 5 * H + 13 * 60) {
					time_t tt = (time_t)pdtt_week_start(t, u);
					struct tm tm;

					if (u)
						gmtime_r(&tt, &tm);
					else
						localtime_r(&tt, &tm);
					assert_int_equal(tm.tm_wday, 1);
					assert_true((int64_t)tt <= t &&
						    t - (int64_t)tt < 7 * D + H);
				}
			}
		}
	}
}

/* --- the planner, in Berlin with this coverage: */
#define SAMPLES_FROM utc(2026, 11, 20, 16, 0, 0) /* 2026-11-20T17:00+0100 */
#define HOURLY_FROM utc(2026, 8, 28, 22, 0, 0)	 /* 2026-08-29 */
#define DAILY_FROM utc(2023, 11, 30, 23, 0, 0)	 /* 2023-12-01 */
#define MONTHLY_FROM utc(2019, 12, 31, 23, 0, 0) /* 2020-01-01 */

static struct pdtt_coverage berlin_coverage(void)
{
	struct pdtt_coverage c = {
		.samples_from = SAMPLES_FROM,
		.hourly_from = HOURLY_FROM,
		.daily_from = DAILY_FROM,
		.monthly_from = MONTHLY_FROM,
	};
	return c;
}

static void plan_ok(int64_t from, int64_t to, enum pdtt_by by, bool in_utc, struct pdtt_plan *p)
{
	struct pdtt_window w = { from, to };
	struct pdtt_coverage c = berlin_coverage();
	char err[512] = "";

	if (pdtt_plan_window(&w, &c, by, in_utc, p, err, sizeof(err)))
		fail_msg("plan failed: %s", err);
}

static void expect_segment(const struct pdtt_plan *p, int i, enum pdtt_source src, int64_t from,
			   int64_t to)
{
	assert_true(i < p->nsegments);
	if (p->segment[i].src != src || p->segment[i].from != from || p->segment[i].to != to)
		fail_msg("segment %d: src %d [%lld, %lld), want src %d [%lld, %lld)", i,
			 p->segment[i].src, (long long)p->segment[i].from,
			 (long long)p->segment[i].to, src, (long long)from, (long long)to);
}

static void expect_notes(const struct pdtt_plan *p, const char *want)
{
	char out[2048];
	int n = pdtt_plan_describe(p, out, sizeof(out));

	assert_int_equal(n, p->nnotes);
	if (strcmp(out, want))
		fail_msg("notes:\n%s\nwant:\n%s", out, want);
}

static void plan_in_samples(void **state)
{
	struct pdtt_plan p;
	int64_t from = utc(2026, 11, 21, 10, 17, 3);

	(void)state;
	use_tz("Europe/Berlin");
	for (int by = PDTT_BY_TOTAL; by <= PDTT_BY_MONTH; by++) {
		plan_ok(from, NOW, by, false, &p);
		assert_int_equal(p.nsegments, 1);
		expect_segment(&p, 0, PDTT_SRC_SAMPLES, from, NOW);
		assert_true(p.window.from == from && p.window.to == NOW);
		assert_true(p.asked.from == from && p.asked.to == NOW);
		expect_notes(&p, "");
	}
	/* exactly at the cutoff: still samples only */
	plan_ok(SAMPLES_FROM, SAMPLES_FROM + 1, PDTT_BY_HOUR, false, &p);
	assert_int_equal(p.nsegments, 1);
	expect_segment(&p, 0, PDTT_SRC_SAMPLES, SAMPLES_FROM, SAMPLES_FROM + 1);
	expect_notes(&p, "");
}

static void plan_widens_from(void **state)
{
	struct pdtt_plan p;
	int64_t asked;

	(void)state;
	use_tz("Europe/Berlin");
	/* 14:25 in the hourly part: down to 14:00 */
	asked = utc(2026, 10, 3, 12, 25, 0);
	plan_ok(asked, NOW, PDTT_BY_TOTAL, false, &p);
	assert_int_equal(p.nsegments, 2);
	expect_segment(&p, 0, PDTT_SRC_HOUR, utc(2026, 10, 3, 12, 0, 0), SAMPLES_FROM);
	expect_segment(&p, 1, PDTT_SRC_SAMPLES, SAMPLES_FROM, NOW);
	assert_int_equal(p.nnotes, 1);
	assert_int_equal(p.note[0].kind, PDTT_NOTE_FROM_WIDENED);
	assert_int_equal(p.note[0].src, PDTT_SRC_HOUR);
	assert_true(p.note[0].was == asked && p.note[0].is == utc(2026, 10, 3, 12, 0, 0));
	assert_true(p.note[0].until == SAMPLES_FROM);
	assert_true(p.window.from == utc(2026, 10, 3, 12, 0, 0) && p.window.to == NOW);
	expect_notes(&p, "from widened to 2026-10-03T14:00+0200 (asked 2026-10-03T14:25+0200): "
			 "only hourly totals are kept before 2026-11-20T17:00+0100\n");
	/* an aligned from is not widened */
	plan_ok(utc(2026, 10, 3, 12, 0, 0), NOW, PDTT_BY_HOUR, false, &p);
	assert_int_equal(p.nsegments, 2);
	expect_notes(&p, "");

	/* 14:25 in the daily part: down to midnight */
	asked = utc(2026, 3, 15, 13, 25, 0);
	plan_ok(asked, NOW, PDTT_BY_TOTAL, false, &p);
	assert_int_equal(p.nsegments, 3);
	expect_segment(&p, 0, PDTT_SRC_DAY, utc(2026, 3, 14, 23, 0, 0), HOURLY_FROM);
	expect_segment(&p, 1, PDTT_SRC_HOUR, HOURLY_FROM, SAMPLES_FROM);
	expect_segment(&p, 2, PDTT_SRC_SAMPLES, SAMPLES_FROM, NOW);
	expect_notes(&p, "from widened to 2026-03-15T00:00+0100 (asked 2026-03-15T14:25+0100): "
			 "only daily totals are kept before 2026-08-29\n");
	/* and in UTC the same instants read differently */
	plan_ok(asked, NOW, PDTT_BY_TOTAL, true, &p);
	expect_notes(&p, "from widened to 2026-03-14T23:00+0000 (asked 2026-03-15T13:25+0000): "
			 "only daily totals are kept before 2026-08-28T22:00+0000\n");
}

static void plan_widens_to(void **state)
{
	struct pdtt_plan p;

	(void)state;
	use_tz("Europe/Berlin");
	/* [May 1, May 10 12:00) in the daily part: to goes up to May 11 */
	plan_ok(utc(2026, 4, 30, 22, 0, 0), utc(2026, 5, 10, 10, 0, 0), PDTT_BY_DAY, false, &p);
	assert_int_equal(p.nsegments, 1);
	expect_segment(&p, 0, PDTT_SRC_DAY, utc(2026, 4, 30, 22, 0, 0), utc(2026, 5, 10, 22, 0, 0));
	assert_int_equal(p.nnotes, 1);
	assert_int_equal(p.note[0].kind, PDTT_NOTE_TO_WIDENED);
	expect_notes(&p, "to widened to 2026-05-11T00:00+0200 (asked 2026-05-10T12:00+0200): only "
			 "daily totals are kept before 2026-08-29\n");
	/* a to at midnight is already a day boundary */
	plan_ok(utc(2026, 4, 30, 22, 0, 0), utc(2026, 5, 10, 22, 0, 0), PDTT_BY_DAY, false, &p);
	assert_int_equal(p.nnotes, 0);
	/* both ends inside one day: the whole day */
	plan_ok(utc(2026, 5, 10, 8, 0, 0), utc(2026, 5, 10, 9, 0, 0), PDTT_BY_TOTAL, false, &p);
	assert_int_equal(p.nsegments, 1);
	expect_segment(&p, 0, PDTT_SRC_DAY, utc(2026, 5, 9, 22, 0, 0), utc(2026, 5, 10, 22, 0, 0));
	assert_int_equal(p.nnotes, 2);
	/* to in the hourly part, the day of the fold: up to the next hour */
	plan_ok(utc(2026, 10, 24, 22, 0, 0), utc(2026, 10, 25, 1, 20, 0), PDTT_BY_HOUR, false, &p);
	expect_segment(&p, 0, PDTT_SRC_HOUR, utc(2026, 10, 24, 22, 0, 0),
		       utc(2026, 10, 25, 2, 0, 0));
	expect_notes(&p, "to widened to 2026-10-25T03:00+0100 (asked 2026-10-25T02:20+0100): only "
			 "hourly totals are kept before 2026-11-20T17:00+0100\n");
	/* to in the monthly part */
	plan_ok(utc(2021, 3, 31, 22, 0, 0), utc(2021, 6, 10, 0, 0, 0), PDTT_BY_MONTH, false, &p);
	expect_segment(&p, 0, PDTT_SRC_MONTH, utc(2021, 3, 31, 22, 0, 0),
		       utc(2021, 6, 30, 22, 0, 0));
	expect_notes(&p, "to widened to 2021-07-01T00:00+0200 (asked 2021-06-10T02:00+0200): only "
			 "monthly totals are kept before 2023-12-01\n");
}

static void plan_all_four(void **state)
{
	struct pdtt_plan p;
	int64_t asked = utc(2022, 6, 15, 10, 0, 0), wfrom = utc(2022, 5, 31, 22, 0, 0);

	(void)state;
	use_tz("Europe/Berlin");
	plan_ok(asked, NOW, PDTT_BY_TOTAL, false, &p);
	assert_int_equal(p.nsegments, 4);
	expect_segment(&p, 0, PDTT_SRC_MONTH, wfrom, DAILY_FROM);
	expect_segment(&p, 1, PDTT_SRC_DAY, DAILY_FROM, HOURLY_FROM);
	expect_segment(&p, 2, PDTT_SRC_HOUR, HOURLY_FROM, SAMPLES_FROM);
	expect_segment(&p, 3, PDTT_SRC_SAMPLES, SAMPLES_FROM, NOW);
	assert_true(p.window.from == wfrom && p.window.to == NOW);
	expect_notes(&p, "from widened to 2022-06-01T00:00+0200 (asked 2022-06-15T12:00+0200): "
			 "only monthly totals are kept before 2023-12-01\n");

	/* --by hour: days and months are all there is before the hourly part */
	plan_ok(asked, NOW, PDTT_BY_HOUR, false, &p);
	assert_int_equal(p.nsegments, 4);
	expect_notes(&p, "from widened to 2022-06-01T00:00+0200 (asked 2022-06-15T12:00+0200): "
			 "only monthly totals are kept before 2023-12-01\n"
			 "--by hour: buckets before 2023-12-01 are whole months\n"
			 "--by hour: buckets from 2023-12-01 to 2026-08-29 are whole days\n");
	assert_int_equal(p.note[1].kind, PDTT_NOTE_COARSER_THAN_BY);
	assert_int_equal(p.note[1].src, PDTT_SRC_MONTH);
	assert_true(p.note[2].from == DAILY_FROM && p.note[2].to == HOURLY_FROM);
	plan_ok(asked, NOW, PDTT_BY_WEEK, false, &p);
	assert_int_equal(p.nnotes, 2);
	assert_int_equal(p.note[1].kind, PDTT_NOTE_COARSER_THAN_BY);
	assert_int_equal(p.note[1].src, PDTT_SRC_MONTH);
	plan_ok(asked, NOW, PDTT_BY_DAY, false, &p);
	assert_int_equal(p.nnotes, 2);
	plan_ok(asked, NOW, PDTT_BY_MONTH, false, &p);
	assert_int_equal(p.nnotes, 1);

	/* --by hour over the daily part alone */
	plan_ok(utc(2026, 3, 14, 23, 0, 0), utc(2026, 4, 30, 22, 0, 0), PDTT_BY_HOUR, false, &p);
	assert_int_equal(p.nsegments, 1);
	expect_notes(&p, "--by hour: buckets before 2026-05-01 are whole days\n");
	/* --by hour straddling the daily and hourly parts */
	plan_ok(utc(2026, 8, 1, 8, 0, 0), utc(2026, 9, 1, 8, 0, 0), PDTT_BY_HOUR, false, &p);
	assert_int_equal(p.nsegments, 2);
	expect_segment(&p, 0, PDTT_SRC_DAY, utc(2026, 7, 31, 22, 0, 0), HOURLY_FROM);
	expect_segment(&p, 1, PDTT_SRC_HOUR, HOURLY_FROM, utc(2026, 9, 1, 8, 0, 0));
	expect_notes(&p, "from widened to 2026-08-01T00:00+0200 (asked 2026-08-01T10:00+0200): "
			 "only daily totals are kept before 2026-08-29\n"
			 "--by hour: buckets before 2026-08-29 are whole days\n");
}

static void plan_before_data(void **state)
{
	struct pdtt_plan p;

	(void)state;
	use_tz("Europe/Berlin");
	plan_ok(utc(2018, 1, 1, 0, 0, 0), utc(2019, 1, 1, 0, 0, 0), PDTT_BY_DAY, false, &p);
	assert_int_equal(p.nsegments, 0);
	assert_int_equal(p.nnotes, 1);
	assert_int_equal(p.note[0].kind, PDTT_NOTE_NO_DATA);
	assert_true(p.note[0].from == utc(2018, 1, 1, 0, 0, 0));
	assert_true(p.note[0].to == utc(2019, 1, 1, 0, 0, 0));
	expect_notes(&p,
		     "nothing is kept before 2020-01-01: the whole window is older, so it shows "
		     "no traffic\n");
	/* up to the first month kept: still nothing */
	plan_ok(utc(2018, 1, 1, 0, 0, 0), MONTHLY_FROM, PDTT_BY_TOTAL, false, &p);
	assert_int_equal(p.nsegments, 0);
	assert_int_equal(p.nnotes, 1);
	/* partly before: the rest is read, to widened in the monthly part */
	plan_ok(utc(2019, 6, 1, 0, 0, 0), utc(2020, 6, 1, 0, 0, 0), PDTT_BY_MONTH, false, &p);
	assert_int_equal(p.nsegments, 1);
	expect_segment(&p, 0, PDTT_SRC_MONTH, MONTHLY_FROM, utc(2020, 6, 30, 22, 0, 0));
	assert_true(p.window.from == utc(2019, 6, 1, 0, 0, 0));
	expect_notes(&p, "to widened to 2020-07-01T00:00+0200 (asked 2020-06-01T02:00+0200): only "
			 "monthly totals are kept before 2023-12-01\n"
			 "nothing is kept before 2020-01-01: the window's part before it shows "
			 "no traffic\n");
}

static void plan_errors(void **state)
{
	struct pdtt_plan p;
	struct pdtt_window w = { NOW, NOW };
	struct pdtt_coverage c = berlin_coverage();
	char err[512];

	(void)state;
	use_tz("Europe/Berlin");
	assert_int_equal(pdtt_plan_window(&w, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty window: --to is not after --from"));
	w.from = NOW + 1;
	assert_int_equal(pdtt_plan_window(&w, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)), -1);
	w.from = NOW - D;
	/* cutoffs out of order */
	c.hourly_from = c.samples_from + H;
	assert_int_equal(pdtt_plan_window(&w, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "database coverage: samples data is pruned later than hourly "
				 "data; the retention cutoffs are out of order (a bug, please "
				 "report it)");
	/* cutoffs of another time zone: Berlin midnight is not a New York one */
	use_tz("America/New_York");
	c = berlin_coverage();
	assert_int_equal(pdtt_plan_window(&w, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "database coverage: hourly data starts at 2026-08-28T18:00-0400, "
				 "not at the start of a local day; run the report in the daemon's "
				 "time zone (TZ)");
	use_tz("Europe/Berlin");
	c.samples_from += 60;
	assert_int_equal(pdtt_plan_window(&w, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not at the start of a local hour"));
}

static void plan_unpruned_and_empty_parts(void **state)
{
	struct pdtt_coverage all = { INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN, 0, 0, 0 };
	/* hourly pruned to the samples cutoff: no hourly part at all */
	struct pdtt_coverage nohour = { HOURLY_FROM, HOURLY_FROM, DAILY_FROM, INT64_MIN, 0, 0, 0 };
	struct pdtt_window w = { utc(1999, 1, 1, 0, 0, 7), NOW };
	struct pdtt_plan p;
	char err[512];

	(void)state;
	use_tz("Europe/Berlin");
	assert_int_equal(pdtt_plan_window(&w, &all, PDTT_BY_HOUR, false, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nsegments, 1);
	expect_segment(&p, 0, PDTT_SRC_SAMPLES, w.from, NOW);
	assert_int_equal(p.nnotes, 0);
	assert_int_equal(pdtt_plan_window(&w, &nohour, PDTT_BY_DAY, false, &p, err, sizeof(err)),
			 0);
	assert_int_equal(p.nsegments, 3);
	expect_segment(&p, 0, PDTT_SRC_MONTH, utc(1998, 12, 31, 23, 0, 0), DAILY_FROM);
	expect_segment(&p, 1, PDTT_SRC_DAY, DAILY_FROM, HOURLY_FROM);
	expect_segment(&p, 2, PDTT_SRC_SAMPLES, HOURLY_FROM, NOW);
	assert_int_equal(p.nnotes, 2);
}

static void plan_utc_over_local_rollups(void **state)
{
	struct pdtt_plan p;
	struct pdtt_retention r = pdtt_retention_default();
	struct pdtt_cutoffs k;
	struct pdtt_coverage c;
	struct pdtt_window w;
	char err[512];
	int64_t asked = utc(2022, 6, 15, 10, 0, 0);

	(void)state;
	use_tz("Europe/Berlin");
	/* UTC days cannot be cut out of Berlin days; UTC hours are Berlin hours */
	plan_ok(asked, NOW, PDTT_BY_DAY, true, &p);
	expect_notes(&p, "from widened to 2022-05-31T22:00+0000 (asked 2022-06-15T10:00+0000): "
			 "only monthly totals are kept before 2023-11-30T23:00+0000\n"
			 "--by day: buckets before 2023-11-30T23:00+0000 are whole months\n"
			 "--by day --utc: buckets from 2023-11-30T23:00+0000 to "
			 "2026-08-28T22:00+0000 are local days, not UTC ones\n");
	assert_int_equal(p.note[2].kind, PDTT_NOTE_LOCAL_BUCKETS);
	plan_ok(asked, NOW, PDTT_BY_TOTAL, true, &p);
	assert_int_equal(p.nnotes, 1);
	plan_ok(HOURLY_FROM, NOW, PDTT_BY_HOUR, true, &p);
	assert_int_equal(p.nnotes, 0);

	/* in UTC itself there is nothing to say */
	use_tz("UTC");
	k = pdtt_retention_cutoffs(&r, NOW);
	c = (struct pdtt_coverage){ k.samples, k.hourly, k.daily, k.monthly, 0, 0, 0 };
	w = (struct pdtt_window){ utc(2020, 1, 1, 0, 0, 0), NOW };
	assert_int_equal(pdtt_plan_window(&w, &c, PDTT_BY_DAY, true, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nsegments, 4);
	assert_int_equal(p.nnotes, 1);
	assert_int_equal(p.note[0].kind, PDTT_NOTE_COARSER_THAN_BY);

	/* +05:30: local hours are not UTC hours either */
	use_tz("Asia/Kolkata");
	k = pdtt_retention_cutoffs(&r, NOW);
	c = (struct pdtt_coverage){ k.samples, k.hourly, k.daily, k.monthly, 0, 0, 0 };
	w = (struct pdtt_window){ k.hourly, k.samples };
	assert_int_equal(pdtt_plan_window(&w, &c, PDTT_BY_HOUR, true, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nsegments, 1);
	assert_int_equal(p.nnotes, 1);
	assert_int_equal(p.note[0].kind, PDTT_NOTE_LOCAL_BUCKETS);
	pdtt_note_describe(&p, &p.note[0], err, sizeof(err));
	assert_non_null(strstr(err, "are local hours, not UTC ones"));
	assert_int_equal(pdtt_plan_window(&w, &c, PDTT_BY_HOUR, false, &p, err, sizeof(err)), 0);
	assert_int_equal(p.nnotes, 0);
}

/* --- property check */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int64_t random_below(int64_t n)
{
	return (int64_t)(next_random() % (uint64_t)n);
}

static int finest(const struct pdtt_coverage *c, int64_t t)
{
	if (t >= c->samples_from)
		return PDTT_SRC_SAMPLES;
	if (t >= c->hourly_from)
		return PDTT_SRC_HOUR;
	if (t >= c->daily_from)
		return PDTT_SRC_DAY;
	if (t >= c->monthly_from)
		return PDTT_SRC_MONTH;
	return -1;
}

static const enum pdtt_res res_of[] = { PDTT_RES_HOUR, PDTT_RES_HOUR, PDTT_RES_DAY,
					PDTT_RES_MONTH };

static void check_plan(const struct pdtt_coverage *c, struct pdtt_window w, enum pdtt_by by,
		       bool in_utc)
{
	struct pdtt_plan p;
	char err[512], text[4096];
	int64_t start;

	if (pdtt_plan_window(&w, c, by, in_utc, &p, err, sizeof(err)))
		fail_msg("plan [%lld, %lld): %s", (long long)w.from, (long long)w.to, err);
	assert_true(p.window.from <= w.from && p.window.to >= w.to);
	/* widened by less than one bucket, and only where a rollup holds the end */
	{
		int s = finest(c, w.from), e = finest(c, w.to - 1);

		if (s > PDTT_SRC_SAMPLES)
			assert_true(p.window.from == pdtt_bucket_start(res_of[s], w.from));
		else
			assert_true(p.window.from == w.from);
		if (e > PDTT_SRC_SAMPLES)
			assert_true(p.window.to ==
				    pdtt_bucket_next(res_of[e],
						     pdtt_bucket_start(res_of[e], w.to - 1)));
		else
			assert_true(p.window.to == w.to);
	}
	start = p.window.from > c->monthly_from ? p.window.from : c->monthly_from;
	if (start >= p.window.to) {
		assert_int_equal(p.nsegments, 0);
	} else {
		assert_true(p.nsegments >= 1 && p.nsegments <= 4);
		assert_true(p.segment[0].from == start);
		assert_true(p.segment[p.nsegments - 1].to == p.window.to);
	}
	for (int i = 0; i < p.nsegments; i++) {
		const struct pdtt_segment *g = &p.segment[i];

		assert_true(g->from < g->to);
		if (i)
			assert_true(g->from == p.segment[i - 1].to &&
				    g->src < p.segment[i - 1].src);
		assert_int_equal(finest(c, g->from), g->src);
		assert_int_equal(finest(c, g->to - 1), g->src);
		if (g->src != PDTT_SRC_SAMPLES) {
			assert_true(pdtt_bucket_start(res_of[g->src], g->from) == g->from);
			assert_true(pdtt_bucket_start(res_of[g->src], g->to) == g->to);
		}
	}
	assert_true(p.nnotes <= PDTT_PLAN_MAX_NOTES);
	assert_int_equal(pdtt_plan_describe(&p, text, sizeof(text)), p.nnotes);
	{
		int lines = 0;

		for (const char *q = text; *q; q++)
			lines += *q == '\n';
		assert_int_equal(lines, p.nnotes);
	}
}

static void plan_properties(void **state)
{
	const char *const zones[] = { "UTC",	      "Europe/Berlin",	  "America/Santiago",
				      "Asia/Kolkata", "America/New_York", "Australia/Adelaide" };
	static const int64_t scales[] = { 1, 60, H, D, 30 * D, 365 * D };

	(void)state;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		use_tz(zones[z]);
		for (int i = 0; i < 1500; i++) {
			int64_t now = utc(2025, 1, 1, 0, 0, 0) + random_below(3 * 365 * D);
			int64_t x[4];
			struct pdtt_coverage c;
			struct pdtt_window w;
			int never = (int)random_below(6); /* cutoffs from this one on are never */

			/* decreasing instants, aligned to their resolutions */
			x[0] = now - random_below(30 * D);
			for (int k = 1; k < 4; k++)
				x[k] = x[k - 1] - (random_below(4) ? random_below(6 * 365 * D) : 0);
			c.samples_from =
				never <= 0 ? INT64_MIN : pdtt_bucket_start(PDTT_RES_HOUR, x[0]);
			c.hourly_from =
				never <= 1 ? INT64_MIN : pdtt_bucket_start(PDTT_RES_DAY, x[1]);
			c.daily_from =
				never <= 2 ? INT64_MIN : pdtt_bucket_start(PDTT_RES_MONTH, x[2]);
			c.monthly_from =
				never <= 3 ? INT64_MIN : pdtt_bucket_start(PDTT_RES_MONTH, x[3]);
			w.from = now - random_below(20 * 365 * D);
			w.to = w.from + 1 + random_below(scales[random_below(6)] * 50);
			if (random_below(4) == 0) /* also whole buckets */
				w.from = pdtt_bucket_start(PDTT_RES_DAY, w.from);
			check_plan(&c, w, (enum pdtt_by)random_below(5), random_below(2));
		}
	}
}

/* Formatting then parsing gives the same instant, and date-only strings give
 * timebucket's day starts, in many zones. */
static void parse_properties(void **state)
{
	const char *const zones[] = { "UTC",	      "Europe/Berlin",	     "America/Santiago",
				      "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns" };

	(void)state;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		use_tz(zones[z]);
		for (int i = 0; i < 3000; i++) {
			int64_t t = utc(2020, 1, 1, 0, 0, 0) + random_below(10 * 365 * D);
			char buf[40];
			bool u = random_below(2);

			pdtt_format_time(t, u, buf, sizeof(buf));
			assert_true(parse_at(buf, NOW, false) == t);
			assert_true(parse_at(buf, NOW, true) == t);
			buf[10] = '\0';
			if (!u)
				assert_true(parse_at(buf, NOW, false) ==
					    pdtt_bucket_start(PDTT_RES_DAY, t));
		}
	}
}

/* A window reaching past what the history holds says what it covers. */
static void plan_notes_the_history_it_covers(void **state)
{
	struct pdtt_coverage c = berlin_coverage();
	struct pdtt_window inside = { utc(2026, 11, 25, 23, 0, 0), utc(2026, 11, 26, 23, 0, 0) };
	struct pdtt_window after = { utc(2026, 11, 25, 23, 0, 0), utc(2026, 12, 2, 23, 0, 0) };
	struct pdtt_plan p;
	char err[256], text[2048];

	(void)state;
	use_tz("Europe/Berlin");
	c.history_from = utc(2019, 12, 31, 23, 0, 0);
	c.history_to = utc(2026, 11, 30, 12, 0, 0);
	assert_int_equal(pdtt_plan_window(&inside, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)),
			 0);
	pdtt_plan_describe(&p, text, sizeof(text));
	assert_null(strstr(text, "history"));
	assert_int_equal(pdtt_plan_window(&after, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)),
			 0);
	pdtt_plan_describe(&p, text, sizeof(text));
	assert_non_null(strstr(text, "the history covers 2020-01-01T00:00+0100 to "
				     "2026-11-30T13:00+0100: the window's parts outside it show no "
				     "traffic\n"));
	/* a window that starts before the first commit */
	c.history_from = utc(2026, 11, 26, 10, 0, 0);
	assert_int_equal(pdtt_plan_window(&inside, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)),
			 0);
	pdtt_plan_describe(&p, text, sizeof(text));
	assert_non_null(strstr(text, "the history covers 2026-11-26T11:00+0100 to "));
	/* a running daemon: the history ends just before now, the window later */
	c.history_from = utc(2019, 12, 31, 23, 0, 0);
	c.now = c.history_to + 10;
	assert_int_equal(pdtt_plan_window(&after, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)),
			 0);
	pdtt_plan_describe(&p, text, sizeof(text));
	assert_null(strstr(text, "history"));
	/* ... and one that stopped two hours before now */
	c.now = c.history_to + 7200;
	assert_int_equal(pdtt_plan_window(&after, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)),
			 0);
	pdtt_plan_describe(&p, text, sizeof(text));
	assert_non_null(strstr(text, "the history covers"));
	c.now = 0;
	/* nothing stored yet */
	c.history_from = c.history_to = -1;
	assert_int_equal(pdtt_plan_window(&inside, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)),
			 0);
	pdtt_plan_describe(&p, text, sizeof(text));
	assert_non_null(strstr(text, "the history is empty: nothing was stored yet\n"));
	/* not known (0): no note */
	c.history_from = c.history_to = 0;
	assert_int_equal(pdtt_plan_window(&after, &c, PDTT_BY_TOTAL, false, &p, err, sizeof(err)),
			 0);
	pdtt_plan_describe(&p, text, sizeof(text));
	assert_null(strstr(text, "history"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepted_syntax),
		cmocka_unit_test(rejected_syntax),
		cmocka_unit_test(error_text),
		cmocka_unit_test(berlin_gap_and_fold),
		cmocka_unit_test(other_zones),
		cmocka_unit_test(utc_flag_and_keywords),
		cmocka_unit_test(relative_across_dst),
		cmocka_unit_test(last_windows),
		cmocka_unit_test(month_and_day_windows),
		cmocka_unit_test(current_month_and_check),
		cmocka_unit_test(weeks_and_groups),
		cmocka_unit_test(plan_in_samples),
		cmocka_unit_test(plan_widens_from),
		cmocka_unit_test(plan_widens_to),
		cmocka_unit_test(plan_all_four),
		cmocka_unit_test(plan_before_data),
		cmocka_unit_test(plan_errors),
		cmocka_unit_test(plan_unpruned_and_empty_parts),
		cmocka_unit_test(plan_utc_over_local_rollups),
		cmocka_unit_test(plan_properties),
		cmocka_unit_test(plan_notes_the_history_it_covers),
		cmocka_unit_test(parse_properties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
