#include "user_totals.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void pdtt_users_init(struct pdtt_user_table *t)
{
	memset(t, 0, sizeof(*t));
}

void pdtt_users_free(struct pdtt_user_table *t)
{
	free(t->u);
	pdtt_users_init(t);
}

void pdtt_users_begin_interval(struct pdtt_user_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		memset(&t->u[i].interval, 0, sizeof(t->u[i].interval));
}

struct pdtt_user_stat *pdtt_users_get(struct pdtt_user_table *t, uint32_t uid)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->u[mid].uid == uid)
			return &t->u[mid];
		if (t->u[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct pdtt_user_stat *u = realloc(t->u, cap * sizeof(*u));

		if (!u)
			return NULL;
		t->u = u;
		t->cap = cap;
	}
	memmove(&t->u[lo + 1], &t->u[lo], (t->n - lo) * sizeof(*t->u));
	memset(&t->u[lo], 0, sizeof(t->u[lo]));
	t->u[lo].uid = uid;
	t->n++;
	return &t->u[lo];
}

int pdtt_users_add_deltas(struct pdtt_user_table *t, const struct pdtt_snapshot *delta)
{
	for (size_t i = 0; i < delta->n; i++) {
		struct pdtt_user_stat *u = pdtt_users_get(t, delta->e[i].key.uid);

		if (!u)
			return -ENOMEM;
		pdtt_value_add(&u->total, &delta->e[i].val);
		pdtt_value_add(&u->interval, &delta->e[i].val);
	}
	return 0;
}

static int busiest_cmp(const void *a, const void *b)
{
	const struct pdtt_user_stat *x = *(const struct pdtt_user_stat *const *)a;
	const struct pdtt_user_stat *y = *(const struct pdtt_user_stat *const *)b;
	uint64_t tx = pdtt_value_total_bytes(&x->total), ty = pdtt_value_total_bytes(&y->total);

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static void sorted_by(const struct pdtt_user_table *t, const struct pdtt_user_stat **out,
		      int (*cmp)(const void *, const void *))
{
	for (size_t i = 0; i < t->n; i++)
		out[i] = &t->u[i];
	if (t->n > 1)
		qsort(out, t->n, sizeof(const struct pdtt_user_stat *), cmp);
}

void pdtt_users_by_busiest(const struct pdtt_user_table *t, const struct pdtt_user_stat **out)
{
	sorted_by(t, out, busiest_cmp);
}

static int rate_cmp(const void *a, const void *b)
{
	const struct pdtt_user_stat *x = *(const struct pdtt_user_stat *const *)a;
	const struct pdtt_user_stat *y = *(const struct pdtt_user_stat *const *)b;
	uint64_t ix = pdtt_value_total_bytes(&x->interval),
		 iy = pdtt_value_total_bytes(&y->interval);

	if (ix != iy)
		return ix > iy ? -1 : 1;
	return busiest_cmp(a, b);
}

void pdtt_users_by_rate(const struct pdtt_user_table *t, const struct pdtt_user_stat **out)
{
	sorted_by(t, out, rate_cmp);
}

size_t pdtt_users_changed(const struct pdtt_user_stat *const *in, size_t n,
			  const struct pdtt_user_stat **out)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (!pdtt_value_is_zero(&in[i]->interval))
			out[m++] = in[i];
	return m;
}

void pdtt_users_sum(const struct pdtt_user_table *t, struct pdtt_value *total,
		    struct pdtt_value *interval)
{
	memset(total, 0, sizeof(*total));
	memset(interval, 0, sizeof(*interval));
	for (size_t i = 0; i < t->n; i++) {
		pdtt_value_add(total, &t->u[i].total);
		pdtt_value_add(interval, &t->u[i].interval);
	}
}
