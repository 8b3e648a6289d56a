/* Map snapshots and their differences: the pure core of accounting. */
#ifndef PDTT_SNAPSHOT_H
#define PDTT_SNAPSHOT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdtt.h"

struct pdtt_entry {
	struct pdtt_key key;
	struct pdtt_value val;
	uint32_t idle; /* reads in a row that found val unchanged (pdtt_snapshot_age) */
};

/* A set of (key, cumulative counters), sorted by key after pdtt_snapshot_sort. */
struct pdtt_snapshot {
	struct pdtt_entry *e;
	size_t n, cap;
};

void pdtt_snapshot_init(struct pdtt_snapshot *s);
void pdtt_snapshot_free(struct pdtt_snapshot *s);
void pdtt_snapshot_clear(struct pdtt_snapshot *s);
int pdtt_snapshot_append(struct pdtt_snapshot *s, const struct pdtt_key *k,
			 const struct pdtt_value *v);
void pdtt_snapshot_sort(struct pdtt_snapshot *s);
const struct pdtt_entry *pdtt_snapshot_find(const struct pdtt_snapshot *s,
					    const struct pdtt_key *k);
void pdtt_snapshot_swap(struct pdtt_snapshot *a, struct pdtt_snapshot *b);
/* dst := src; 0 or -ENOMEM (dst unchanged). */
int pdtt_snapshot_copy(struct pdtt_snapshot *dst, const struct pdtt_snapshot *src);

int pdtt_key_cmp(const struct pdtt_key *a, const struct pdtt_key *b);

/* Counters only grow while their map lives; any field lower than before
 * means the map was recreated, so the whole current value is new traffic
 * (a reset, never a wrap). */
bool pdtt_value_is_reset(const struct pdtt_value *prev, const struct pdtt_value *cur);
struct pdtt_value pdtt_value_delta(const struct pdtt_value *prev, const struct pdtt_value *cur);

/* delta := entries of cur (sorted) that changed since prev (sorted).
 * Returns 0 or -ENOMEM. */
int pdtt_snapshot_diff(const struct pdtt_snapshot *prev, const struct pdtt_snapshot *cur,
		       struct pdtt_snapshot *delta);

/* Carries each key's idle count from prev (the last read) into cur (this
 * read, sorted): one more when its counters did not move, else 0. */
void pdtt_snapshot_age(const struct pdtt_snapshot *prev, struct pdtt_snapshot *cur);

/* out := a + b per key (union; both sorted, out sorted).  0 or -ENOMEM. */
int pdtt_snapshot_sum(const struct pdtt_snapshot *a, const struct pdtt_snapshot *b,
		      struct pdtt_snapshot *out);

/* s[k] -= sub[k] for the keys of sub (both sorted; each sub value at most
 * s's); an entry left all zero goes. */
void pdtt_snapshot_subtract(struct pdtt_snapshot *s, const struct pdtt_snapshot *sub);

/* Removes the entries of s (sorted) whose key is not in present (sorted)
 * and appends their keys, with zero counters, to gone (sorted after).
 * 0 or -ENOMEM (s and gone then unchanged). */
int pdtt_snapshot_split_absent(struct pdtt_snapshot *s, const struct pdtt_snapshot *present,
			       struct pdtt_snapshot *gone);

/* Makes room for n more entries, so that appends and adds cannot fail.
 * 0 or -ENOMEM. */
int pdtt_snapshot_reserve(struct pdtt_snapshot *s, size_t n);

/* Adds v to k's entry in s (sorted), inserting it in order when absent.
 * 0 or -ENOMEM. */
int pdtt_snapshot_add(struct pdtt_snapshot *s, const struct pdtt_key *k,
		      const struct pdtt_value *v);

static inline bool pdtt_value_is_zero(const struct pdtt_value *v)
{
	return !v->rx_bytes && !v->rx_packets && !v->tx_bytes && !v->tx_packets;
}

/* to += v, field by field. */
static inline void pdtt_value_add(struct pdtt_value *to, const struct pdtt_value *v)
{
	to->rx_bytes += v->rx_bytes;
	to->rx_packets += v->rx_packets;
	to->tx_bytes += v->tx_bytes;
	to->tx_packets += v->tx_packets;
}

static inline uint64_t pdtt_value_total_bytes(const struct pdtt_value *v)
{
	return v->rx_bytes + v->tx_bytes;
}

#endif
