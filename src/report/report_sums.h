/* What 'report' does with the rows of a bucket: sums per user, the busiest
 * first, each user's share of the window and the bucket's label.  Pure:
 * the same rows give the rows of reports/NAME.sql, in the same order. */
#ifndef PDTT_REPORT_SUMS_H
#define PDTT_REPORT_SUMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "window.h"

struct pdtt_user_sum {
	uint32_t uid;
	uint64_t rx, tx, packets;
};

/* Per-user sums in the order users first appear; a hash finds a user's
 * entry, so adding a row costs the same however many users there are. */
struct pdtt_sums {
	struct pdtt_user_sum *v;
	size_t n, cap;
	uint32_t *slot; /* index + 1 into v; 0: empty */
	size_t nslots;	/* a power of two, at least twice cap */
};

void pdtt_sums_init(struct pdtt_sums *s);
void pdtt_sums_free(struct pdtt_sums *s);
/* Forgets every user; keeps the memory for the next bucket. */
void pdtt_sums_clear(struct pdtt_sums *s);
/* Adds a row to uid's sums.  -1 when out of memory (nothing added). */
int pdtt_sums_add(struct pdtt_sums *s, uint32_t uid, uint64_t rx, uint64_t tx, uint64_t packets);
/* Sorts the users busiest first (rx + tx descending, then uid).  Clear
 * before adding again. */
void pdtt_sums_rank(struct pdtt_sums *s);

static inline uint64_t pdtt_sum_total(const struct pdtt_user_sum *u)
{
	return u->rx + u->tx;
}

/* A user's share of the window in percent, rounded half up to 2 decimals
 * exactly as reports/NAME.sql compute it (CAST(10000.0 * total / window + 0.5
 * AS INTEGER) / 100.0).  false when the window moved no bytes (the SQL's
 * NULL). */
bool pdtt_share_pct(uint64_t total, uint64_t window_total, double *pct);

/* A bucket's label from its start and the UTC offset there (0 with --utc),
 * as reports/NAME.sql write it: "2026-10-25T02:00+0200", "2026-10-25",
 * "week of 2026-10-26", "2026-10"; "" for PDTT_BY_TOTAL. */
void pdtt_report_label(enum pdtt_by by, int64_t start, long off, char *out, size_t len);

#endif
