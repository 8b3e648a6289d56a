/* Per-user totals since the daemon started, built from snapshot deltas. */
#ifndef PDTT_USER_TOTALS_H
#define PDTT_USER_TOTALS_H

#include "snapshot.h"

#define PDTT_NAME_MAX 64
#define PDTT_UNKNOWN_USER "(unknown)"

struct pdtt_user_stat {
	uint32_t uid;
	struct pdtt_value total;    /* since the daemon started */
	struct pdtt_value interval; /* during the last interval */
	char name[PDTT_NAME_MAX];   /* "" when unknown */
};

/* Sorted by uid. */
struct pdtt_user_table {
	struct pdtt_user_stat *u;
	size_t n, cap;
};

void pdtt_users_init(struct pdtt_user_table *t);
void pdtt_users_free(struct pdtt_user_table *t);
/* Zeroes every user's per-interval counters. */
void pdtt_users_begin_interval(struct pdtt_user_table *t);
/* Adds each delta entry to its user's totals; 0 or -ENOMEM. */
int pdtt_users_add_deltas(struct pdtt_user_table *t, const struct pdtt_snapshot *delta);
/* Fills out[0..n) with the users, busiest (most total bytes) first, ties by uid. */
void pdtt_users_by_busiest(const struct pdtt_user_table *t, const struct pdtt_user_stat **out);
/* Fills out[0..n) with the users, most bytes in the last interval first, then
 * most total bytes, then by uid: the live view's order. */
void pdtt_users_by_rate(const struct pdtt_user_table *t, const struct pdtt_user_stat **out);
/* Copies to out, in order, the users of in[0..n) whose counters changed in
 * the last interval; returns how many.  out may be in. */
size_t pdtt_users_changed(const struct pdtt_user_stat *const *in, size_t n,
			  const struct pdtt_user_stat **out);
/* The sum of every user's totals and interval counters. */
void pdtt_users_sum(const struct pdtt_user_table *t, struct pdtt_value *total,
		    struct pdtt_value *interval);

/* The user's entry, created (zeroed) when missing; NULL on ENOMEM. */
struct pdtt_user_stat *pdtt_users_get(struct pdtt_user_table *t, uint32_t uid);

#endif
