#include "snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void pdtt_snapshot_init(struct pdtt_snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

void pdtt_snapshot_free(struct pdtt_snapshot *s)
{
	free(s->e);
	pdtt_snapshot_init(s);
}

void pdtt_snapshot_clear(struct pdtt_snapshot *s)
{
	s->n = 0;
}

void pdtt_snapshot_swap(struct pdtt_snapshot *a, struct pdtt_snapshot *b)
{
	struct pdtt_snapshot t = *a;

	*a = *b;
	*b = t;
}

int pdtt_snapshot_copy(struct pdtt_snapshot *dst, const struct pdtt_snapshot *src)
{
	if (dst->cap < src->n) {
		struct pdtt_entry *e = realloc(dst->e, src->n * sizeof(*e));

		if (!e)
			return -ENOMEM;
		dst->e = e;
		dst->cap = src->n;
	}
	if (src->n)
		memcpy(dst->e, src->e, src->n * sizeof(*dst->e));
	dst->n = src->n;
	return 0;
}

int pdtt_snapshot_reserve(struct pdtt_snapshot *s, size_t n)
{
	struct pdtt_entry *e;

	if (s->cap - s->n >= n)
		return 0;
	e = realloc(s->e, (s->n + n) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	s->e = e;
	s->cap = s->n + n;
	return 0;
}

int pdtt_snapshot_append(struct pdtt_snapshot *s, const struct pdtt_key *k,
			 const struct pdtt_value *v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct pdtt_entry *e = realloc(s->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		s->e = e;
		s->cap = cap;
	}
	s->e[s->n].key = *k;
	s->e[s->n].val = *v;
	s->e[s->n].idle = 0;
	s->n++;
	return 0;
}

int pdtt_key_cmp(const struct pdtt_key *a, const struct pdtt_key *b)
{
	if (a->uid != b->uid)
		return a->uid < b->uid ? -1 : 1;
	if (a->netns_cookie != b->netns_cookie)
		return a->netns_cookie < b->netns_cookie ? -1 : 1;
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	return pdtt_key_cmp(&((const struct pdtt_entry *)a)->key,
			    &((const struct pdtt_entry *)b)->key);
}

void pdtt_snapshot_sort(struct pdtt_snapshot *s)
{
	if (s->n > 1)
		qsort(s->e, s->n, sizeof(*s->e), entry_cmp);
}

const struct pdtt_entry *pdtt_snapshot_find(const struct pdtt_snapshot *s, const struct pdtt_key *k)
{
	struct pdtt_entry probe = { .key = *k };

	if (!s->n)
		return NULL;
	return bsearch(&probe, s->e, s->n, sizeof(*s->e), entry_cmp);
}

bool pdtt_value_is_reset(const struct pdtt_value *p, const struct pdtt_value *c)
{
	return c->rx_bytes < p->rx_bytes || c->rx_packets < p->rx_packets ||
	       c->tx_bytes < p->tx_bytes || c->tx_packets < p->tx_packets;
}

struct pdtt_value pdtt_value_delta(const struct pdtt_value *p, const struct pdtt_value *c)
{
	struct pdtt_value d = { 0 };

	if (pdtt_value_is_reset(p, c))
		return *c;
	d.rx_bytes = c->rx_bytes - p->rx_bytes;
	d.rx_packets = c->rx_packets - p->rx_packets;
	d.tx_bytes = c->tx_bytes - p->tx_bytes;
	d.tx_packets = c->tx_packets - p->tx_packets;
	return d;
}

int pdtt_snapshot_diff(const struct pdtt_snapshot *prev, const struct pdtt_snapshot *cur,
		       struct pdtt_snapshot *delta)
{
	static const struct pdtt_value zero;
	size_t i = 0;

	pdtt_snapshot_clear(delta);
	/* Merge walk: both inputs are sorted by key. */
	for (size_t j = 0; j < cur->n; j++) {
		const struct pdtt_entry *c = &cur->e[j];
		const struct pdtt_value *p = &zero;
		struct pdtt_value d;

		while (i < prev->n && pdtt_key_cmp(&prev->e[i].key, &c->key) < 0)
			i++;
		if (i < prev->n && !pdtt_key_cmp(&prev->e[i].key, &c->key))
			p = &prev->e[i].val;
		d = pdtt_value_delta(p, &c->val);
		if (!pdtt_value_is_zero(&d) && pdtt_snapshot_append(delta, &c->key, &d))
			return -ENOMEM;
	}
	return 0;
}

static bool value_equal(const struct pdtt_value *a, const struct pdtt_value *b)
{
	return a->rx_bytes == b->rx_bytes && a->rx_packets == b->rx_packets &&
	       a->tx_bytes == b->tx_bytes && a->tx_packets == b->tx_packets;
}

void pdtt_snapshot_age(const struct pdtt_snapshot *prev, struct pdtt_snapshot *cur)
{
	size_t i = 0;

	for (size_t j = 0; j < cur->n; j++) {
		struct pdtt_entry *c = &cur->e[j];

		while (i < prev->n && pdtt_key_cmp(&prev->e[i].key, &c->key) < 0)
			i++;
		if (i < prev->n && !pdtt_key_cmp(&prev->e[i].key, &c->key) &&
		    value_equal(&prev->e[i].val, &c->val))
			c->idle = prev->e[i].idle + 1;
		else
			c->idle = 0;
	}
}

int pdtt_snapshot_sum(const struct pdtt_snapshot *a, const struct pdtt_snapshot *b,
		      struct pdtt_snapshot *out)
{
	size_t i = 0, j = 0;

	pdtt_snapshot_clear(out);
	while (i < a->n || j < b->n) {
		int cmp = i == a->n ? 1 : j == b->n ? -1 : pdtt_key_cmp(&a->e[i].key, &b->e[j].key);
		const struct pdtt_entry *e = cmp <= 0 ? &a->e[i] : &b->e[j];

		if (pdtt_snapshot_append(out, &e->key, &e->val))
			return -ENOMEM;
		out->e[out->n - 1].idle = e->idle;
		if (!cmp)
			pdtt_value_add(&out->e[out->n - 1].val, &b->e[j].val);
		i += cmp <= 0;
		j += cmp >= 0;
	}
	return 0;
}

void pdtt_snapshot_subtract(struct pdtt_snapshot *s, const struct pdtt_snapshot *sub)
{
	size_t i = 0, out = 0;

	for (size_t j = 0; j < s->n; j++) {
		struct pdtt_entry *e = &s->e[j];

		while (i < sub->n && pdtt_key_cmp(&sub->e[i].key, &e->key) < 0)
			i++;
		if (i < sub->n && !pdtt_key_cmp(&sub->e[i].key, &e->key)) {
			e->val = pdtt_value_delta(&sub->e[i].val, &e->val);
			if (pdtt_value_is_zero(&e->val))
				continue;
		}
		s->e[out++] = *e;
	}
	s->n = out;
}

int pdtt_snapshot_split_absent(struct pdtt_snapshot *s, const struct pdtt_snapshot *present,
			       struct pdtt_snapshot *gone)
{
	size_t i = 0, out = 0, first = gone->n;

	for (size_t j = 0; j < s->n; j++) {
		while (i < present->n && pdtt_key_cmp(&present->e[i].key, &s->e[j].key) < 0)
			i++;
		if (i < present->n && !pdtt_key_cmp(&present->e[i].key, &s->e[j].key))
			continue;
		if (pdtt_snapshot_append(gone, &s->e[j].key, &(struct pdtt_value){ 0 })) {
			gone->n = first;
			return -ENOMEM;
		}
	}
	i = 0;
	for (size_t j = 0; j < s->n; j++) {
		while (i < present->n && pdtt_key_cmp(&present->e[i].key, &s->e[j].key) < 0)
			i++;
		if (i < present->n && !pdtt_key_cmp(&present->e[i].key, &s->e[j].key))
			s->e[out++] = s->e[j];
	}
	s->n = out;
	pdtt_snapshot_sort(gone);
	return 0;
}

int pdtt_snapshot_add(struct pdtt_snapshot *s, const struct pdtt_key *k, const struct pdtt_value *v)
{
	struct pdtt_entry *e = (struct pdtt_entry *)pdtt_snapshot_find(s, k);
	size_t at = 0;

	if (e) {
		pdtt_value_add(&e->val, v);
		return 0;
	}
	if (pdtt_snapshot_append(s, k, v))
		return -ENOMEM;
	/* Shift the new last entry down to its place. */
	while (at < s->n - 1 && pdtt_key_cmp(&s->e[at].key, k) < 0)
		at++;
	if (at < s->n - 1) {
		struct pdtt_entry t = s->e[s->n - 1];

		memmove(&s->e[at + 1], &s->e[at], (s->n - 1 - at) * sizeof(*s->e));
		s->e[at] = t;
	}
	return 0;
}
