#include "window.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timebucket.h"

#define HOUR_S 3600LL
#define DAY_S 86400LL
#define MAX_DAYS (200LL * 366) /* how far a relative time or --last may reach */
/* 1900-01-01 and 10000-01-01 00:00 UTC, widened by a day for any offset */
#define YEAR_1900 (-2208988800LL + 86400)
#define YEAR_10000 (253402300800LL - 86400)

#define TIME_HINT                                                                        \
	"use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], now, today, yesterday or -7d " \
	"(units m for minutes, h, d, w)"
#define DURATION_HINT "use e.g. --last 30d (units m for minutes, h, d, w)"

/* --- proleptic Gregorian calendar on plain integers (H. Hinnant's
 * days_from_civil), so UTC needs neither timegm nor setenv */

struct civil {
	int y, mo, d, h, mi, s;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t days_from_civil(int64_t y, int mo, int d)
{
	int64_t era, yoe, doy, doe;

	y -= mo <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, struct civil *c)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c->d = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->y = (int)(yoe + era * 400 + (c->mo <= 2));
}

/* A clock reading as seconds since 1970-01-01 00:00 on that clock. */
static int64_t clock_seconds(const struct civil *c)
{
	return days_from_civil(c->y, c->mo, c->d) * DAY_S + c->h * HOUR_S + c->mi * 60LL + c->s;
}

static void civil_from_clock(int64_t clock, struct civil *c)
{
	int64_t days = floor_div(clock, DAY_S), sod = clock - days * DAY_S;

	civil_from_days(days, c);
	c->h = (int)(sod / HOUR_S);
	c->mi = (int)(sod / 60 % 60);
	c->s = (int)(sod % 60);
}

static int month_days(int y, int mo)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mo == 2 && leap ? 29 : days[mo - 1];
}

/* --- local time: everything goes through localtime_r's UTC offset */

static long offset_at(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	/* fails only for years beyond int; call those UTC */
	return localtime_r(&tt, &tm) ? tm.tm_gmtoff : 0;
}

static long zone_offset(int64_t t, bool utc)
{
	return utc ? 0 : offset_at(t);
}

/* The clock reading of t, as seconds. */
static int64_t clock_at(int64_t t, bool utc)
{
	return t + zone_offset(t, utc);
}

/* Offsets in force within 48 hours of clock reading g: any instant that
 * reads g has one of them (offsets stay within +-26 hours). */
static int nearby_offsets(int64_t g, long offs[9])
{
	int n = 0;

	for (int k = -4; k <= 4; k++) {
		long o = offset_at(g + (int64_t)k * 12 * HOUR_S);
		int i = 0;

		while (i < n && offs[i] != o)
			i++;
		if (i == n)
			offs[n++] = o;
	}
	return n;
}

/* How many instants read g on the local clock (0 in a DST gap, 2 in a
 * fold); the earliest goes to *first. */
static int local_instants(int64_t g, int64_t *first)
{
	long offs[9] = { 0 };
	int n = nearby_offsets(g, offs), found = 0;
	int64_t best = 0;

	for (int i = 0; i < n; i++) {
		int64_t t = g - offs[i];

		if (clock_at(t, false) == g && (!found++ || t < best))
			best = t;
	}
	if (found)
		*first = best;
	return found;
}

/* For a clock reading g that clocks skip: the instant they jump. */
static int64_t jump_instant(int64_t g)
{
	long offs[9] = { 0 }, lo_off, hi_off, o;
	int n = nearby_offsets(g, offs);
	int64_t lo, hi;

	lo_off = hi_off = offs[0];
	for (int i = 1; i < n; i++) {
		lo_off = offs[i] < lo_off ? offs[i] : lo_off;
		hi_off = offs[i] > hi_off ? offs[i] : hi_off;
	}
	/* before the jump g reads as g - hi_off, after it as g - lo_off */
	lo = g - hi_off;
	hi = g - lo_off;
	o = offset_at(lo);
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (offset_at(mid) == o)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* The instant clock reading g names: its first occurrence, or for a skipped
 * reading the one the old offset gives (g pushed forward by the jump). */
static int64_t instant_of_clock(int64_t g, bool utc)
{
	int64_t t;

	if (utc)
		return g;
	if (local_instants(g, &t))
		return t;
	return g - offset_at(jump_instant(g) - 1);
}

/* First instant of a local date; -1 when the zone skipped the whole day. */
static int local_day_start(int64_t days, int64_t *out)
{
	int64_t g = days * DAY_S + 12 * HOUR_S;
	long offs[9] = { 0 };
	int n = nearby_offsets(g, offs);

	for (int i = 0; i < n; i++) {
		int64_t t = g - offs[i];

		if (floor_div(clock_at(t, false), DAY_S) == days) {
			*out = pdtt_bucket_start(PDTT_RES_DAY, t);
			return 0;
		}
	}
	return -1;
}

/* First instant of the first day at or after date days that exists. */
static int64_t day_start_of_date(int64_t days, bool utc)
{
	int64_t t;

	if (utc)
		return days * DAY_S;
	for (int i = 0; i < 3; i++)
		if (!local_day_start(days + i, &t))
			return t;
	return days * DAY_S; /* no zone skips three days */
}

static int64_t day_start(int64_t t, bool utc)
{
	return utc ? floor_div(t, DAY_S) * DAY_S : pdtt_bucket_start(PDTT_RES_DAY, t);
}

static int64_t month_start(int64_t t, bool utc)
{
	struct civil c;

	if (!utc)
		return pdtt_bucket_start(PDTT_RES_MONTH, t);
	civil_from_clock(t, &c);
	return days_from_civil(c.y, c.mo, 1) * DAY_S;
}

static int64_t month_next(int64_t start, bool utc)
{
	return utc ? month_start(start + 32 * DAY_S, true)
		   : pdtt_bucket_next(PDTT_RES_MONTH, start);
}

/* --- formatting */

/* Years 1 to 9999: what the formats below can show. */
static bool in_calendar(int64_t t)
{
	return t >= -62135596800LL && t <= 253402300799LL;
}

static void format_clock(int64_t clock, long off, char *out, size_t len)
{
	struct civil c;
	char sec[8] = "";
	long a = off < 0 ? -off : off;

	civil_from_clock(clock, &c);
	if (c.s)
		snprintf(sec, sizeof(sec), ":%02d", c.s);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d%s%c%02ld%02ld", c.y, c.mo, c.d, c.h, c.mi, sec,
		 off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

void pdtt_format_time(int64_t t, bool utc, char *out, size_t len)
{
	long off;

	if (!in_calendar(t)) { /* INT64_MIN and friends */
		snprintf(out, len, "@%lld", (long long)t);
		return;
	}
	off = zone_offset(t, utc);
	/* outside the years a time may name (1900 to 9999: 9999-12-31T23:59:59Z
	 * is year 10000 in Berlin), epoch seconds, which parse back */
	if (in_calendar(t + off)) {
		struct civil c;

		civil_from_clock(t + off, &c);
		if (c.y >= 1900 && c.y <= 9999) {
			format_clock(t + off, off, out, len);
			return;
		}
	}
	snprintf(out, len, "@%lld", (long long)t);
}

/* A cutoff: "2026-11-01" when it starts a day, else the full time. */
static void format_boundary(int64_t t, bool utc, char *out, size_t len)
{
	struct civil c;

	if (!in_calendar(t) || day_start(t, utc) != t) {
		pdtt_format_time(t, utc, out, len);
		return;
	}
	civil_from_clock(clock_at(t, utc), &c);
	snprintf(out, len, "%04d-%02d-%02d", c.y, c.mo, c.d);
}

/* --- parsing */

#define SHOWN_MAX 48

/* s for an error message: one line (control bytes become '?') and short. */
static const char *shown(const char *s, char out[SHOWN_MAX])
{
	size_t i = 0;

	for (; i < SHOWN_MAX - 4 && s[i]; i++) {
		out[i] = s[i];
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			out[i] = '?';
	}
	if (s[i]) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* n ASCII digits at *p (never past the terminating NUL); -1 if not. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char ch = (*p)[i];

		if (ch < '0' || ch > '9')
			return -1;
		v = v * 10 + (ch - '0');
	}
	*p += n;
	return v;
}

/* "YYYY-MM-DD" or "YYYY-MM" (want_day false); fields unchecked. */
static int scan_date(const char **p, struct civil *c, bool want_day)
{
	c->y = digits(p, 4);
	if (c->y < 0 || **p != '-')
		return -1;
	(*p)++;
	c->mo = digits(p, 2);
	if (c->mo < 0)
		return -1;
	if (!want_day) {
		c->d = 1;
		return 0;
	}
	if (**p != '-')
		return -1;
	(*p)++;
	c->d = digits(p, 2);
	return c->d < 0 ? -1 : 0;
}

/* Why the fields are not a real date and time, with a hint; NULL if fine. */
static const char *check_fields(const struct civil *c, char *why, size_t len)
{
	if (c->y < 1900)
		snprintf(why, len, "year %d is before 1900; use a year from 1900 to 9999", c->y);
	else if (c->mo < 1 || c->mo > 12)
		snprintf(why, len, "month %02d is not 1 to 12; use a month from 01 to 12", c->mo);
	else if (c->d < 1 || c->d > month_days(c->y, c->mo))
		snprintf(why, len, "day %02d is not in %04d-%02d; use a day from 01 to %02d", c->d,
			 c->y, c->mo, month_days(c->y, c->mo));
	else if (c->h > 23)
		snprintf(why, len,
			 "hour %02d is not 0 to 23; for the end of a day use 00:00 of the next one",
			 c->h);
	else if (c->mi > 59)
		snprintf(why, len, "minute %02d is not 0 to 59; use HH:MM", c->mi);
	else if (c->s > 59)
		snprintf(why, len, "second %02d is not 0 to 59; use HH:MM:SS", c->s);
	else
		return NULL;
	return why;
}

/* "7d" and friends: NULL, or why not. */
static const char *scan_duration(const char *s, struct pdtt_duration *d)
{
	static const int64_t max[] = { MAX_DAYS * 1440, MAX_DAYS * 24, MAX_DAYS, MAX_DAYS / 7 };
	size_t n = strspn(s, "0123456789");
	int64_t count = 0;

	if (!n)
		return "not a count followed by a unit";
	if (!s[n])
		return "no unit";
	switch (s[n]) {
	case 'm':
		d->unit = PDTT_UNIT_MINUTE;
		break;
	case 'h':
		d->unit = PDTT_UNIT_HOUR;
		break;
	case 'd':
		d->unit = PDTT_UNIT_DAY;
		break;
	case 'w':
		d->unit = PDTT_UNIT_WEEK;
		break;
	default:
		return "the unit is not m (minutes), h, d or w";
	}
	if (s[n + 1])
		return "unexpected text after the unit";
	for (size_t i = 0; i < n; i++) {
		count = count * 10 + (s[i] - '0');
		if (count > max[d->unit])
			return "more than 200 years";
	}
	if (!count)
		return "the count must be at least 1";
	d->count = count;
	return NULL;
}

int pdtt_parse_duration(const char *s, struct pdtt_duration *d, char *err, size_t errlen)
{
	const char *why = scan_duration(s, d);
	char q[SHOWN_MAX];

	if (why)
		snprintf(err, errlen, "duration '%s': %s; " DURATION_HINT, shown(s, q), why);
	return why ? -1 : 0;
}

int64_t pdtt_time_add(int64_t t, const struct pdtt_duration *d, int sign, bool utc)
{
	switch (d->unit) {
	case PDTT_UNIT_MINUTE:
		return t + sign * d->count * 60;
	case PDTT_UNIT_HOUR:
		return t + sign * d->count * HOUR_S;
	case PDTT_UNIT_DAY:
	case PDTT_UNIT_WEEK:
		break;
	}
	/* calendar days: the same clock reading that many days away */
	return instant_of_clock(
		clock_at(t, utc) + sign * d->count * (d->unit == PDTT_UNIT_WEEK ? 7 : 1) * DAY_S,
		utc);
}

static int skipped_time_error(const char *s, int64_t g, char *err, size_t errlen)
{
	int64_t jump = jump_instant(g);
	long before = offset_at(jump - 1), after = offset_at(jump);
	char a[40], b[40];

	format_clock(jump + before, before, a, sizeof(a));
	format_clock(jump + after, after, b, sizeof(b));
	snprintf(err, errlen,
		 "time '%s': that local time does not exist (clocks jump from %s to %s); use a "
		 "time outside the jump or an explicit offset",
		 s, a, b);
	return -1;
}

/* Z, +HH:MM, +HHMM or +HH; -1 if malformed or out of range. */
static int scan_offset(const char **p, long *off)
{
	int sign = **p == '-' ? -1 : 1, h, m = 0;

	if (**p == 'Z') {
		(*p)++;
		*off = 0;
		return 0;
	}
	(*p)++;
	h = digits(p, 2);
	if (h < 0)
		return -1;
	if (**p == ':' || (**p >= '0' && **p <= '9')) {
		if (**p == ':')
			(*p)++;
		m = digits(p, 2);
		if (m < 0)
			return -1;
	}
	if (h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600L + m * 60L);
	return 0;
}

static int parse_absolute(const char *s, bool utc, int64_t *out, char *err, size_t errlen)
{
	struct civil c = { 0 };
	const char *p = s, *why;
	bool has_time = false, has_offset = false;
	long off = 0;
	char buf[160], q[SHOWN_MAX], r[SHOWN_MAX];

	shown(s, q);
	if (scan_date(&p, &c, true))
		goto syntax;
	if (*p == 'T' || *p == ' ') {
		p++;
		has_time = true;
		c.h = digits(&p, 2);
		if (c.h < 0 || *p != ':')
			goto syntax;
		p++;
		c.mi = digits(&p, 2);
		if (c.mi < 0)
			goto syntax;
		if (*p == ':') {
			p++;
			c.s = digits(&p, 2);
			if (c.s < 0)
				goto syntax;
		}
		if (*p == 'Z' || *p == '+' || *p == '-') {
			const char *o = p;

			if (scan_offset(&p, &off)) {
				snprintf(err, errlen,
					 "time '%s': offset '%s' is not Z, +HH:MM, +HHMM or +HH "
					 "(hours 00 to 23); e.g. %.10sT14:00+02:00",
					 q, shown(o, r), s);
				return -1;
			}
			has_offset = true;
		}
	} else if (*p == 'Z' || *p == '+' || *p == '-') {
		snprintf(err, errlen,
			 "time '%s': an offset needs a time of day; e.g. %.10sT00:00%s", q, s,
			 shown(p, r));
		return -1;
	}
	if (*p) {
		snprintf(err, errlen, "time '%s': unexpected '%s' at the end; " TIME_HINT, q,
			 shown(p, r));
		return -1;
	}
	why = check_fields(&c, buf, sizeof(buf));
	if (why) {
		snprintf(err, errlen, "time '%s': %s", q, why);
		return -1;
	}
	if (has_offset || utc) {
		*out = clock_seconds(&c) - off;
		return 0;
	}
	if (!has_time) {
		if (!local_day_start(days_from_civil(c.y, c.mo, c.d), out))
			return 0;
		snprintf(err, errlen,
			 "time '%s': that day does not exist here (the time zone skips it); use "
			 "the day before or after",
			 q);
		return -1;
	}
	if (local_instants(clock_seconds(&c), out))
		return 0; /* in a fold, the first (summer time) occurrence */
	return skipped_time_error(q, clock_seconds(&c), err, errlen);

syntax:
	snprintf(err, errlen, "time '%s': not a date, time or relative time; " TIME_HINT, q);
	return -1;
}

/* "@253402300799": epoch seconds, as far as an absolute time with an offset
 * reaches (years 1900 to 9999, a day either side). */
static int parse_epoch(const char *s, int64_t *out, char *err, size_t errlen)
{
	char q[SHOWN_MAX], *end;
	long long v;

	errno = 0;
	v = strtoll(s + 1, &end, 10);
	if (errno || end == s + 1 || *end || !(isdigit((unsigned char)s[1]) || s[1] == '-') ||
	    v < YEAR_1900 - 2 * 86400LL || v > YEAR_10000 + 2 * 86400LL) {
		snprintf(err, errlen,
			 "time '%s': not epoch seconds of the years 1900 to 9999 (a day either "
			 "side); " TIME_HINT,
			 shown(s, q));
		return -1;
	}
	*out = v;
	return 0;
}

int pdtt_parse_time(const char *s, int64_t now, bool utc, int64_t *out, char *err, size_t errlen)
{
	struct pdtt_duration d;
	int64_t t;
	const char *why;
	char q[SHOWN_MAX];

	if (!*s) {
		snprintf(err, errlen, "time '': empty; " TIME_HINT);
		return -1;
	}
	if (!strcmp(s, "now")) {
		*out = now;
		return 0;
	}
	if (!strcmp(s, "today") || !strcmp(s, "yesterday")) {
		*out = day_start(now, utc);
		if (s[0] == 'y')
			*out = day_start(*out - 1, utc);
		return 0;
	}
	if (*s == '@') /* what pdtt_format_time shows outside the calendar's years */
		return parse_epoch(s, out, err, errlen);
	if (*s != '-' && *s != '+')
		return parse_absolute(s, utc, out, err, errlen);
	why = scan_duration(s + 1, &d);
	if (why) {
		snprintf(err, errlen, "time '%s': %s; " TIME_HINT, shown(s, q), why);
		return -1;
	}
	t = pdtt_time_add(now, &d, *s == '-' ? -1 : 1, utc);
	/* the years an absolute time may name: what --from shows, parses back */
	if (t < YEAR_1900 || t >= YEAR_10000) {
		snprintf(err, errlen, "time '%s': reaches %s 1900 to 9999; " TIME_HINT, shown(s, q),
			 t < YEAR_1900 ? "before the years" : "past the years");
		return -1;
	}
	*out = t;
	return 0;
}

/* --- windows */

int pdtt_window_last(const char *dur, int64_t now, bool utc, struct pdtt_window *w, char *err,
		     size_t errlen)
{
	struct pdtt_duration d;

	int64_t from;

	if (pdtt_parse_duration(dur, &d, err, errlen))
		return -1;
	from = pdtt_time_add(now, &d, -1, utc);
	if (from < YEAR_1900) { /* what the report shows as its start parses back */
		snprintf(err, errlen, "--last '%s': reaches before the year 1900; e.g. --last 30d",
			 dur);
		return -1;
	}
	w->from = from;
	w->to = now;
	return 0;
}

/* "YYYY-MM" or "YYYY-MM-DD" into c, or -1 with err. */
static int parse_calendar_arg(const char *what, const char *s, bool want_day, struct civil *c,
			      char *err, size_t errlen)
{
	const char *p = s, *why;
	char buf[160], q[SHOWN_MAX];

	shown(s, q);
	*c = (struct civil){ 0 };
	if (scan_date(&p, c, want_day) || *p) {
		snprintf(err, errlen, "%s '%s': not %s; e.g. --%s %s", what, q,
			 want_day ? "YYYY-MM-DD" : "YYYY-MM", what,
			 want_day ? "2026-10-03" : "2026-10");
		return -1;
	}
	why = check_fields(c, buf, sizeof(buf));
	if (why) {
		snprintf(err, errlen, "%s '%s': %s", what, q, why);
		return -1;
	}
	return 0;
}

int pdtt_window_month(const char *yyyy_mm, bool utc, struct pdtt_window *w, char *err,
		      size_t errlen)
{
	struct civil c;
	int64_t mid;

	if (parse_calendar_arg("month", yyyy_mm, false, &c, err, errlen))
		return -1;
	/* any instant of the 15th is in the month, whatever the zone does */
	mid = days_from_civil(c.y, c.mo, 15) * DAY_S;
	w->from = month_start(mid - zone_offset(mid, utc), utc);
	w->to = month_next(w->from, utc);
	return 0;
}

int pdtt_window_day(const char *yyyy_mm_dd, bool utc, struct pdtt_window *w, char *err,
		    size_t errlen)
{
	struct civil c;
	int64_t days;

	if (parse_calendar_arg("day", yyyy_mm_dd, true, &c, err, errlen))
		return -1;
	days = days_from_civil(c.y, c.mo, c.d);
	if (utc) {
		w->from = days * DAY_S;
		w->to = w->from + DAY_S;
		return 0;
	}
	if (local_day_start(days, &w->from)) {
		snprintf(err, errlen,
			 "day '%s': that day does not exist here (the time zone skips it); use "
			 "the day before or after",
			 yyyy_mm_dd);
		return -1;
	}
	w->to = pdtt_bucket_next(PDTT_RES_DAY, w->from);
	return 0;
}

struct pdtt_window pdtt_window_current_month(int64_t now, bool utc)
{
	struct pdtt_window w;

	w.from = month_start(now, utc);
	w.to = month_next(w.from, utc);
	return w;
}

int pdtt_window_check(const struct pdtt_window *w, bool utc, char *err, size_t errlen)
{
	char a[40], b[40];

	if (w->from < w->to)
		return 0;
	pdtt_format_time(w->from, utc, a, sizeof(a));
	pdtt_format_time(w->to, utc, b, sizeof(b));
	snprintf(err, errlen,
		 "empty window: --to is not after --from (from %s, to %s); give a later --to or "
		 "an earlier --from",
		 a, b);
	return -1;
}

/* --- weeks and groups */

/* Monday of t's week, as days since 1970-01-01 (a Thursday). */
static int64_t monday_of(int64_t t, bool utc)
{
	int64_t days = floor_div(clock_at(t, utc), DAY_S);

	return days - (days + 3 - floor_div(days + 3, 7) * 7);
}

int64_t pdtt_week_start(int64_t t, bool utc)
{
	return day_start_of_date(monday_of(t, utc), utc);
}

void pdtt_week_label(int64_t start, bool utc, char *out, size_t len)
{
	/* of the Monday, in case a skipped Monday made the week start on Tuesday */
	time_t tt = (time_t)(monday_of(start, utc) * DAY_S);
	struct tm tm;

	gmtime_r(&tt, &tm);
	if (!strftime(out, len, "%G-W%V", &tm) && len)
		out[0] = '\0';
}

int64_t pdtt_group_start(enum pdtt_by by, int64_t t, bool utc)
{
	switch (by) {
	case PDTT_BY_TOTAL:
		break;
	case PDTT_BY_HOUR:
		return utc ? floor_div(t, HOUR_S) * HOUR_S : pdtt_bucket_start(PDTT_RES_HOUR, t);
	case PDTT_BY_DAY:
		return day_start(t, utc);
	case PDTT_BY_WEEK:
		return pdtt_week_start(t, utc);
	case PDTT_BY_MONTH:
		return month_start(t, utc);
	}
	return t;
}

int64_t pdtt_group_next(enum pdtt_by by, int64_t start, bool utc)
{
	switch (by) {
	case PDTT_BY_TOTAL:
		break;
	case PDTT_BY_HOUR:
		return utc ? start + HOUR_S : pdtt_bucket_next(PDTT_RES_HOUR, start);
	case PDTT_BY_DAY:
		return utc ? start + DAY_S : pdtt_bucket_next(PDTT_RES_DAY, start);
	case PDTT_BY_WEEK: /* weeks last 7 days give or take an hour or a skipped day */
		return pdtt_week_start(start + 7 * DAY_S + 12 * HOUR_S, utc);
	case PDTT_BY_MONTH:
		return month_next(start, utc);
	}
	return INT64_MAX;
}

void pdtt_group_label(enum pdtt_by by, int64_t start, bool utc, char *out, size_t len)
{
	struct civil c;

	civil_from_clock(clock_at(start, utc), &c);
	switch (by) {
	case PDTT_BY_TOTAL:
		snprintf(out, len, "total");
		break;
	case PDTT_BY_HOUR:
		pdtt_format_time(start, utc, out, len);
		break;
	case PDTT_BY_DAY:
		snprintf(out, len, "%04d-%02d-%02d", c.y, c.mo, c.d);
		break;
	case PDTT_BY_WEEK:
		pdtt_week_label(start, utc, out, len);
		break;
	case PDTT_BY_MONTH:
		snprintf(out, len, "%04d-%02d", c.y, c.mo);
		break;
	}
}

/* --- the plan */

static const char *const src_name[] = { "samples", "hourly", "daily", "monthly" };

static enum pdtt_res src_res(enum pdtt_source s)
{
	return s == PDTT_SRC_HOUR  ? PDTT_RES_HOUR
	       : s == PDTT_SRC_DAY ? PDTT_RES_DAY
				   : PDTT_RES_MONTH;
}

static int64_t cutoff(const struct pdtt_coverage *c, enum pdtt_source s)
{
	const int64_t cut[] = { c->samples_from, c->hourly_from, c->daily_from, c->monthly_from };

	return cut[s];
}

/* Where data finer than s starts, i.e. the end of s's part of time. */
static int64_t region_end(const struct pdtt_coverage *c, enum pdtt_source s)
{
	return s == PDTT_SRC_SAMPLES ? INT64_MAX : cutoff(c, s - 1);
}

/* The finest source holding t, or -1 before all data. */
static int finest_at(const struct pdtt_coverage *c, int64_t t)
{
	for (int s = PDTT_SRC_SAMPLES; s <= PDTT_SRC_MONTH; s++)
		if (t >= cutoff(c, s))
			return s;
	return -1;
}

static int check_coverage(const struct pdtt_coverage *c, char *err, size_t errlen)
{
	static const enum pdtt_res align[] = { PDTT_RES_HOUR, PDTT_RES_DAY, PDTT_RES_MONTH,
					       PDTT_RES_MONTH };
	static const char *const unit[] = { "hour", "day", "month", "month" };

	for (int s = PDTT_SRC_SAMPLES; s <= PDTT_SRC_MONTH; s++) {
		int64_t v = cutoff(c, s);
		char t[40];

		if (s < PDTT_SRC_MONTH && v < cutoff(c, s + 1)) {
			snprintf(err, errlen,
				 "database coverage: %s data is pruned later than %s data; the "
				 "retention cutoffs are out of order (a bug, please report it)",
				 src_name[s], src_name[s + 1]);
			return -1;
		}
		if (v != INT64_MIN && pdtt_bucket_start(align[s], v) != v) {
			pdtt_format_time(v, false, t, sizeof(t));
			snprintf(err, errlen,
				 "database coverage: %s data starts at %s, not at the start of a "
				 "local %s; run the report in the daemon's time zone (TZ)",
				 src_name[s], t, unit[s]);
			return -1;
		}
	}
	return 0;
}

/* Whether local buckets of r over [from, to) are UTC ones too, so UTC
 * groups add up from them: the offset is whole hours (r hour) or zero. */
static bool local_buckets_are_utc(enum pdtt_res r, int64_t from, int64_t to)
{
	for (int64_t b = from, n; b < to; b = n) {
		long off = offset_at(b);

		if (r == PDTT_RES_HOUR ? off % 3600 != 0 : off != 0)
			return false;
		n = pdtt_bucket_next(PDTT_RES_DAY, pdtt_bucket_start(PDTT_RES_DAY, b));
		if (n <= b) /* a historic day over 30 hours (Vostok 1994): go on */
			n = b + 3600;
	}
	return true;
}

static void add_note(struct pdtt_plan *p, struct pdtt_note n)
{
	if (p->nnotes < PDTT_PLAN_MAX_NOTES)
		p->note[p->nnotes++] = n;
}

/* The finest source a --by grouping can be built from. */
static enum pdtt_source by_needs(enum pdtt_by by)
{
	switch (by) {
	case PDTT_BY_HOUR:
		return PDTT_SRC_HOUR;
	case PDTT_BY_DAY:
	case PDTT_BY_WEEK: /* weeks are whole days, not whole months */
		return PDTT_SRC_DAY;
	case PDTT_BY_TOTAL:
	case PDTT_BY_MONTH:
		break;
	}
	return PDTT_SRC_MONTH;
}

int pdtt_plan_window(const struct pdtt_window *w, const struct pdtt_coverage *c, enum pdtt_by by,
		     bool utc, struct pdtt_plan *p, char *err, size_t errlen)
{
	int64_t end;
	int s;

	memset(p, 0, sizeof(*p));
	p->asked = p->window = *w;
	p->by = by;
	p->utc = utc;
	if (pdtt_window_check(w, utc, err, errlen) || check_coverage(c, err, errlen))
		return -1;

	/* Widen outwards to whole buckets of the rollup holding each end.  The
	 * cutoffs are aligned to them, so a widened end stays in its region. */
	s = finest_at(c, w->from);
	if (s > PDTT_SRC_SAMPLES) {
		int64_t from = pdtt_bucket_start(src_res(s), w->from);

		if (from != w->from) {
			p->window.from = from;
			add_note(p, (struct pdtt_note){ .kind = PDTT_NOTE_FROM_WIDENED,
							.src = s,
							.was = w->from,
							.is = from,
							.until = region_end(c, s) });
		}
	}
	s = finest_at(c, w->to - 1);
	if (s > PDTT_SRC_SAMPLES) {
		enum pdtt_res r = src_res(s);
		int64_t to = pdtt_bucket_next(r, pdtt_bucket_start(r, w->to - 1));

		if (to != w->to) {
			p->window.to = to;
			add_note(p, (struct pdtt_note){ .kind = PDTT_NOTE_TO_WIDENED,
							.src = s,
							.was = w->to,
							.is = to,
							.until = region_end(c, s) });
		}
	}
	if (p->window.from < c->monthly_from)
		add_note(p, (struct pdtt_note){
				    .kind = PDTT_NOTE_NO_DATA,
				    .src = PDTT_SRC_MONTH,
				    .until = c->monthly_from,
				    .from = p->window.from,
				    .to = p->window.to < c->monthly_from ? p->window.to
									 : c->monthly_from,
			    });

	/* history_to 0: not known (no note); -1: nothing stored.  A window
	 * that ends in the future is only late for a history that stopped more
	 * than an hour before now. */
	end = c->now && c->now < p->window.to ? c->now - 3600 : p->window.to;
	if (c->history_to < 0 ||
	    (c->history_to > 0 && (p->window.from < c->history_from || end > c->history_to)))
		add_note(p, (struct pdtt_note){ .kind = PDTT_NOTE_OUTSIDE_HISTORY,
						.from = c->history_from,
						.to = c->history_to });

	/* coarsest first is oldest first; splits fall on the cutoffs */
	for (s = PDTT_SRC_MONTH; s >= PDTT_SRC_SAMPLES; s--) {
		int64_t a = cutoff(c, s), b = region_end(c, s);

		a = a > p->window.from ? a : p->window.from;
		b = b < p->window.to ? b : p->window.to;
		if (a < b)
			p->segment[p->nsegments++] = (struct pdtt_segment){ s, a, b };
	}

	for (int i = 0; i < p->nsegments && by != PDTT_BY_TOTAL; i++) {
		const struct pdtt_segment *g = &p->segment[i];
		struct pdtt_note n = { .src = g->src, .from = g->from, .to = g->to };

		if (g->src == PDTT_SRC_SAMPLES)
			continue;
		if (g->src > by_needs(by)) {
			n.kind = PDTT_NOTE_COARSER_THAN_BY;
			add_note(p, n);
		} else if (utc && !local_buckets_are_utc(src_res(g->src), g->from, g->to)) {
			n.kind = PDTT_NOTE_LOCAL_BUCKETS;
			add_note(p, n);
		}
	}
	return 0;
}

void pdtt_note_describe(const struct pdtt_plan *p, const struct pdtt_note *n, char *out, size_t len)
{
	static const char *const by_name[] = { "total", "hour", "day", "week", "month" };
	static const char *const whole[] = { "samples", "whole hours", "whole days",
					     "whole months" };
	static const char *const local[] = { "samples", "local hours", "local days",
					     "local months" };
	char a[40], b[40], span[96];

	switch (n->kind) {
	case PDTT_NOTE_FROM_WIDENED:
	case PDTT_NOTE_TO_WIDENED:
		pdtt_format_time(n->is, p->utc, a, sizeof(a));
		pdtt_format_time(n->was, p->utc, b, sizeof(b));
		format_boundary(n->until, p->utc, span, sizeof(span));
		snprintf(out, len, "%s widened to %s (asked %s): only %s totals are kept before %s",
			 n->kind == PDTT_NOTE_FROM_WIDENED ? "from" : "to", a, b, src_name[n->src],
			 span);
		return;
	case PDTT_NOTE_NO_DATA:
		format_boundary(n->until, p->utc, a, sizeof(a));
		if (n->to == p->window.to)
			snprintf(out, len,
				 "nothing is kept before %s: the whole window is older, so it "
				 "shows no traffic",
				 a);
		else
			snprintf(out, len,
				 "nothing is kept before %s: the window's part before it shows no "
				 "traffic",
				 a);
		return;
	case PDTT_NOTE_OUTSIDE_HISTORY:
		if (n->to < 0) {
			snprintf(out, len, "the history is empty: nothing was stored yet");
			return;
		}
		pdtt_format_time(n->from, p->utc, a, sizeof(a));
		pdtt_format_time(n->to, p->utc, b, sizeof(b));
		snprintf(out, len,
			 "the history covers %s to %s: the window's parts outside it show no "
			 "traffic",
			 a, b);
		return;
	case PDTT_NOTE_COARSER_THAN_BY:
	case PDTT_NOTE_LOCAL_BUCKETS:
		break;
	}
	format_boundary(n->from, p->utc, a, sizeof(a));
	format_boundary(n->to, p->utc, b, sizeof(b));
	if (n->from == p->window.from)
		snprintf(span, sizeof(span), "before %s", b);
	else
		snprintf(span, sizeof(span), "from %s to %s", a, b);
	if (n->kind == PDTT_NOTE_COARSER_THAN_BY)
		snprintf(out, len, "--by %s: buckets %s are %s", by_name[p->by], span,
			 whole[n->src]);
	else
		snprintf(out, len, "--by %s --utc: buckets %s are %s, not UTC ones", by_name[p->by],
			 span, local[n->src]);
}

int pdtt_plan_describe(const struct pdtt_plan *p, char *out, size_t len)
{
	size_t used = 0;

	if (len)
		out[0] = '\0';
	for (int i = 0; i < p->nnotes; i++) {
		char line[256];
		int n;

		pdtt_note_describe(p, &p->note[i], line, sizeof(line));
		n = snprintf(out + used, len - used, "%s\n", line);
		if (n < 0 || (size_t)n >= len - used)
			break; /* truncated; out stays terminated */
		used += (size_t)n;
	}
	return p->nnotes;
}
