#include "timebucket.h"

#include <stdio.h>
#include <time.h>

static struct tm local(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	return tm;
}

static int same_date(const struct tm *a, const struct tm *b, enum pdtt_res r)
{
	if (a->tm_year != b->tm_year || a->tm_mon != b->tm_mon)
		return 0;
	return r == PDTT_RES_MONTH || a->tm_mday == b->tm_mday;
}

/* First instant of t's local day or month.  mktime may land in a DST gap
 * (a zone whose midnight does not exist that day); walk forward by the
 * hour until the date matches. */
static int64_t calendar_start(enum pdtt_res r, int64_t t)
{
	struct tm want = local(t), tm = want;
	int64_t s;

	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	if (r == PDTT_RES_MONTH)
		tm.tm_mday = 1;
	tm.tm_isdst = -1;
	s = (int64_t)mktime(&tm);
	for (int i = 0; i < 4; i++) {
		struct tm got = local(s);

		if (same_date(&got, &want, r))
			break;
		s += 3600;
	}
	/* A fold at midnight (clocks go back from 01:00 to 00:00) makes 00:00
	 * happen twice; mktime may pick the second. */
	for (int i = 0; i < 2; i++) {
		struct tm prev = local(s - 1);

		if (!same_date(&prev, &want, r))
			break;
		s -= 3600;
	}
	return s;
}

int64_t pdtt_bucket_start(enum pdtt_res r, int64_t t)
{
	if (r == PDTT_RES_HOUR) {
		struct tm tm = local(t);

		return t - (int64_t)tm.tm_min * 60 - tm.tm_sec;
	}
	return calendar_start(r, t);
}

int64_t pdtt_bucket_next(enum pdtt_res r, int64_t start)
{
	switch (r) {
	case PDTT_RES_HOUR:
		return pdtt_bucket_start(r, start + 5400);
	case PDTT_RES_DAY:
		/* Days last 22 to 26 hours today (Antarctica/Troll changes by
		 * two; Casey had 21 and 27 until 2023), so 30 hours in is the
		 * next day, never the one after.  Only a day of the past went
		 * over 30 (Vostok's 31 in 1994); callers that walk days guard. */
		return pdtt_bucket_start(r, start + 30LL * 3600);
	case PDTT_RES_MONTH: /* months last 28 to 31 days */
		return pdtt_bucket_start(r, start + 32LL * 86400);
	}
	return start;
}

void pdtt_bucket_label(enum pdtt_res r, int64_t start, char *out, size_t len)
{
	static const char *const fmt[] = { "%Y-%m-%dT%H:00%z", "%Y-%m-%d", "%Y-%m" };
	struct tm tm = local(start);

	if (!strftime(out, len, fmt[r], &tm) && len)
		out[0] = '\0';
}

struct pdtt_span pdtt_plan_sample(int64_t last_end, int64_t wall_now)
{
	struct pdtt_span s = { last_end, wall_now };

	if (wall_now == last_end)
		s.end = last_end; /* same second: empty, the caller waits a second */
	else if (wall_now < last_end)
		/* An adopted step back (clocktrust.h): dated now, never ahead of
		 * the clock; it may end among earlier rows, which then add up. */
		s = (struct pdtt_span){ wall_now - 1, wall_now };
	return s;
}
