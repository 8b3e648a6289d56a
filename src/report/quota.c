#include "quota.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
	const char *suffix;
	uint64_t mult;
} units[] = {
	{ "", 1 },
	{ "B", 1 },
	{ "k", 1000ull },
	{ "K", 1000ull },
	{ "kB", 1000ull },
	{ "KB", 1000ull },
	{ "M", 1000000ull },
	{ "MB", 1000000ull },
	{ "G", 1000000000ull },
	{ "GB", 1000000000ull },
	{ "T", 1000000000000ull },
	{ "TB", 1000000000000ull },
	{ "P", 1000000000000000ull },
	{ "PB", 1000000000000000ull },
	{ "E", 1000000000000000000ull },
	{ "EB", 1000000000000000000ull },
	{ "KiB", 1ull << 10 },
	{ "MiB", 1ull << 20 },
	{ "GiB", 1ull << 30 },
	{ "TiB", 1ull << 40 },
	{ "PiB", 1ull << 50 },
	{ "EiB", 1ull << 60 },
};

int pdtt_parse_limit(const char *s, uint64_t *out, char *err, size_t errlen)
{
	unsigned __int128 whole = 0, frac = 0, den = 1, num;
	const char *p = s;
	uint64_t mult = 0;

	while (isdigit((unsigned char)*p)) {
		whole = whole * 10 + (unsigned)(*p++ - '0');
		if (whole > INT64_MAX)
			goto too_big;
	}
	if (p == s)
		goto bad;
	if (*p == '.') {
		const char *f = ++p;

		/* 18 fraction digits are far below a byte for any unit */
		for (; isdigit((unsigned char)*p); p++)
			if (p - f < 18) {
				frac = frac * 10 + (unsigned)(*p - '0');
				den *= 10;
			}
		if (p == f)
			goto bad;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(p, units[i].suffix)) {
			mult = units[i].mult;
			break;
		}
	if (!mult)
		goto bad;
	/* exact: whole * mult + frac * mult / den, rounded down */
	num = whole * mult + frac * mult / den;
	if (num > INT64_MAX)
		goto too_big;
	if (num == 0) {
		snprintf(err, errlen, "limit '%s': must be more than zero bytes; e.g. 50GiB", s);
		return -1;
	}
	*out = (uint64_t)num;
	return 0;
too_big:
	snprintf(err, errlen, "limit '%s': too large (at most 8 EiB); e.g. 50GiB", s);
	return -1;
bad:
	snprintf(err, errlen,
		 "limit '%s': not a size; use bytes with an optional SI or IEC suffix, e.g. 50GiB, "
		 "50G, 1.5TB",
		 s);
	return -1;
}

static const char *const per_names[] = { "day", "week", "month" };
static const char *const dir_names[] = { "total", "rx", "tx" };
static const char *const state_names[] = { "ok", "warn", "over" };

const char *pdtt_per_name(enum pdtt_per p)
{
	return per_names[p];
}

/* Index of s in names[0..3), or -1. */
static int name_index(const char *const names[3], const char *s)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

int pdtt_per_parse(const char *s, enum pdtt_per *p)
{
	int i = name_index(per_names, s);

	if (i >= 0)
		*p = (enum pdtt_per)i;
	return i >= 0 ? 0 : -1;
}

const char *pdtt_dir_name(enum pdtt_dir d)
{
	return dir_names[d];
}

int pdtt_dir_parse(const char *s, enum pdtt_dir *d)
{
	int i = name_index(dir_names, s);

	if (i >= 0)
		*d = (enum pdtt_dir)i;
	return i >= 0 ? 0 : -1;
}

const char *pdtt_state_name(enum pdtt_quota_state s)
{
	return state_names[s];
}

static enum pdtt_by by_of(enum pdtt_per per)
{
	return per == PDTT_PER_DAY    ? PDTT_BY_DAY
	       : per == PDTT_PER_WEEK ? PDTT_BY_WEEK
				      : PDTT_BY_MONTH;
}

struct pdtt_window pdtt_period_of(enum pdtt_per per, int64_t t)
{
	struct pdtt_window w;

	w.from = pdtt_group_start(by_of(per), t, false);
	w.to = pdtt_group_next(by_of(per), w.from, false);
	return w;
}

void pdtt_periods_of(int64_t t, struct pdtt_window out[3])
{
	for (int k = 0; k < 3; k++)
		out[k] = pdtt_period_of((enum pdtt_per)k, t);
}

struct pdtt_window pdtt_period_before(enum pdtt_per per, const struct pdtt_window *w)
{
	return pdtt_period_of(per, w->from - 1);
}

void pdtt_period_label(enum pdtt_per per, int64_t start, char *out, size_t len)
{
	pdtt_group_label(by_of(per), start, false, out, len);
}

int pdtt_period_parse(const char *s, int64_t now, bool *any, enum pdtt_per *per,
		      struct pdtt_window *w, char *err, size_t errlen)
{
	char day[24];
	int y, wk, n = 0;

	*any = false;
	if (!strcmp(s, "current") || !strcmp(s, "previous")) {
		*any = true;
		return 0;
	}
	if (strlen(s) == 7 && s[4] == '-' && !pdtt_window_month(s, false, w, err, errlen)) {
		*per = PDTT_PER_MONTH;
		return 0;
	}
	if (strlen(s) == 10 && !pdtt_window_day(s, false, w, err, errlen)) {
		*per = PDTT_PER_DAY;
		return 0;
	}
	/* 2026-W44: the ISO week that holds the 4th of January's week + (wk - 1) */
	if (sscanf(s, "%4d-W%2d%n", &y, &wk, &n) == 2 && n == 8 && (size_t)n == strlen(s) &&
	    wk >= 1 && wk <= 53 && y >= 1900) {
		char label[16];
		int64_t t;

		snprintf(day, sizeof(day), "%04d-01-04", y);
		if (pdtt_parse_time(day, now, false, &t, err, errlen))
			return -1;
		t = pdtt_week_start(t, false) + (int64_t)(wk - 1) * 7 * 86400 + 43200;
		*w = pdtt_period_of(PDTT_PER_WEEK, t);
		pdtt_period_label(PDTT_PER_WEEK, w->from, label, sizeof(label));
		if (strcmp(label, s) != 0) {
			snprintf(err, errlen, "period '%s': %d has no week %d; use YYYY-Www", s, y,
				 wk);
			return -1;
		}
		*per = PDTT_PER_WEEK;
		return 0;
	}
	snprintf(err, errlen,
		 "period '%s': unknown; use current, previous, YYYY-MM, YYYY-MM-DD or YYYY-Www", s);
	return -1;
}

enum pdtt_quota_state pdtt_quota_state_of(uint64_t used, uint64_t limit, unsigned warn_pct)
{
	if (used > limit)
		return PDTT_QUOTA_OVER;
	if ((unsigned __int128)used * 100 >= (unsigned __int128)limit * warn_pct)
		return PDTT_QUOTA_WARN;
	return PDTT_QUOTA_OK;
}

double pdtt_quota_percent(uint64_t used, uint64_t limit)
{
	return limit ? (double)used * 100.0 / (double)limit : 0.0;
}
