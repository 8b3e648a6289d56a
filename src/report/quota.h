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

/* One quota against one user's usage in one period (audit, the daemon). */
struct pdtt_audit_row {
	uint32_t uid;
	char name[64]; /* "": no passwd entry seen (users.name NULL) */
	enum pdtt_per per;
	enum pdtt_dir dir;
	struct pdtt_window period;
	uint64_t limit, used;
	unsigned warn_pct;
	int is_default;
	enum pdtt_quota_state state;
	double percent;
};

/* Sorts rows the way the audit lists them: highest percent first, then by
 * uid and kind. */
void pdtt_audit_sort(struct pdtt_audit_row *rows, size_t n);
void pdtt_audit_free(struct pdtt_audit_row *rows, size_t n);

/* A quota as set: uid -1 is the default for users without their own. */
struct pdtt_quota_def {
	int64_t uid;
	enum pdtt_per per;
	enum pdtt_dir dir;
	uint64_t limit;
	unsigned warn_pct;
};

/* Each user's traffic in the current day, ISO week and month, kept by the
 * daemon from commit to commit, so its quota check reads no history. */
struct pdtt_usage_user {
	uint32_t uid;
	uint64_t rx[3], tx[3]; /* indexed by enum pdtt_per */
};

struct pdtt_usage {
	struct pdtt_window periods[3]; /* what each kind sums over; {0, 0}: not loaded */
	struct pdtt_usage_user *u;     /* sorted by uid */
	size_t n;
};

void pdtt_usage_init(struct pdtt_usage *u);
void pdtt_usage_free(struct pdtt_usage *u);
/* Zeroes one kind's sums and sets the period they are over. */
void pdtt_usage_reset(struct pdtt_usage *u, enum pdtt_per per, struct pdtt_window w);

/* Traffic of one user, added to the kinds whose bit (1 << per) is in mask.
 * The adds must be sorted by uid (commit rows are; one uid may repeat).
 * -1: out of memory, and nothing was added. */
struct pdtt_usage_add {
	uint32_t uid;
	uint64_t rx, tx;
};
int pdtt_usage_add_sorted(struct pdtt_usage *u, unsigned mask, const struct pdtt_usage_add *a,
			  size_t n);

/* The audit's rows for the loaded periods, as sql/quota/audit.sql makes
 * them: a user's own quota of a kind, listed even without traffic, else the
 * default of that kind for a user with traffic in its direction.  Sorted as
 * pdtt_audit_sort does; names are NULL.  -1: out of memory. */
int pdtt_usage_check(const struct pdtt_usage *u, const struct pdtt_quota_def *defs, size_t ndefs,
		     struct pdtt_audit_row **rows, size_t *n);

#endif
