/* Quota arithmetic: limits with IEC/SI suffixes, quota periods, states.
 * Pure apart from reading TZ (periods are local days, ISO weeks, months). */
#ifndef PDTT_QUOTA_H
#define PDTT_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "window.h"

enum pdtt_per {
	PDTT_PER_DAY,
	PDTT_PER_WEEK,
	PDTT_PER_MONTH,
};

enum pdtt_dir {
	PDTT_DIR_TOTAL,
	PDTT_DIR_RX,
	PDTT_DIR_TX,
};

enum pdtt_quota_state {
	PDTT_QUOTA_OK,
	PDTT_QUOTA_WARN,
	PDTT_QUOTA_OVER,
};

#define PDTT_DEFAULT_WARN_PCT 80

/* "50GiB", "50G" (= 50 x 10^9), "1.5TB", "100MiB", "4096", "4096B".
 * SI: k/K, M, G, T, P, E with or without B; IEC: KiB, MiB, GiB, TiB, PiB,
 * EiB.  Fractions are exact to the byte (rounded down).  Zero, negative
 * and more than 2^63 - 1 bytes are refused.  0 or -1 with err. */
int pdtt_parse_limit(const char *s, uint64_t *out, char *err, size_t errlen);

const char *pdtt_per_name(enum pdtt_per p);
int pdtt_per_parse(const char *s, enum pdtt_per *p);
const char *pdtt_dir_name(enum pdtt_dir d);
int pdtt_dir_parse(const char *s, enum pdtt_dir *d);
const char *pdtt_state_name(enum pdtt_quota_state s); /* "ok", "warn", "over" */

/* The day, ISO week (Monday 00:00) or month containing t, in local time. */
struct pdtt_window pdtt_period_of(enum pdtt_per per, int64_t t);
/* The day, week and month containing t, indexed by enum pdtt_per: what the
 * quota check after a commit looks at. */
void pdtt_periods_of(int64_t t, struct pdtt_window out[3]);
/* The one before. */
struct pdtt_window pdtt_period_before(enum pdtt_per per, const struct pdtt_window *w);
/* "2026-10-25", "2026-W44", "2026-10". */
void pdtt_period_label(enum pdtt_per per, int64_t start, char *out, size_t len);

/* --period current|previous|YYYY-MM|YYYY-MM-DD|YYYY-Www.  current and
 * previous apply to every quota's own --per (*any = true); a calendar
 * period selects the quotas of its kind (*per) and fixes *w. */
int pdtt_period_parse(const char *s, int64_t now, bool *any, enum pdtt_per *per,
		      struct pdtt_window *w, char *err, size_t errlen);

/* ok below warn_pct % of the limit, warn from there, over above the limit. */
enum pdtt_quota_state pdtt_quota_state_of(uint64_t used, uint64_t limit, unsigned warn_pct);
/* used as a percentage of limit, with two decimals' worth of precision. */
double pdtt_quota_percent(uint64_t used, uint64_t limit);

#endif
