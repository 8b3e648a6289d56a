/* The daemon's running per-user usage of the current quota periods and the
 * audit rows it gives: pure, so the check after each commit costs memory
 * walks, not a read of the period's history. */
#include <stdlib.h>
#include <string.h>

#include "quota.h"

void pdtt_usage_init(struct pdtt_usage *u)
{
	memset(u, 0, sizeof(*u));
}

void pdtt_usage_free(struct pdtt_usage *u)
{
	free(u->u);
	pdtt_usage_init(u);
}

void pdtt_usage_reset(struct pdtt_usage *u, enum pdtt_per per, struct pdtt_window w)
{
	for (size_t i = 0; i < u->n; i++)
		u->u[i].rx[per] = u->u[i].tx[per] = 0;
	u->periods[per] = w;
}

static void add_to(struct pdtt_usage_user *e, unsigned mask, const struct pdtt_usage_add *a)
{
	for (int k = 0; k < 3; k++)
		if (mask & (1u << k)) {
			e->rx[k] += a->rx;
			e->tx[k] += a->tx;
		}
}

int pdtt_usage_add_sorted(struct pdtt_usage *u, unsigned mask, const struct pdtt_usage_add *a,
			  size_t n)
{
	struct pdtt_usage_user *m;
	size_t i = 0, j = 0, k = 0, fresh = 0;

	/* Users not seen yet: if there are none, the sums are updated in place. */
	for (i = 0, j = 0; j < n; j++) {
		while (i < u->n && u->u[i].uid < a[j].uid)
			i++;
		if ((i == u->n || u->u[i].uid != a[j].uid) && (j == 0 || a[j - 1].uid != a[j].uid))
			fresh++;
	}
	if (!fresh) {
		for (i = 0, j = 0; j < n; j++) {
			while (u->u[i].uid < a[j].uid)
				i++;
			add_to(&u->u[i], mask, &a[j]);
		}
		return 0;
	}
	/* Otherwise one merge into a new array, in uid order. */
	m = malloc((u->n + fresh) * sizeof(*m));
	if (!m)
		return -1;
	for (i = 0, j = 0; i < u->n || j < n;) {
		if (j == n || (i < u->n && u->u[i].uid < a[j].uid)) {
			m[k++] = u->u[i++];
			continue;
		}
		if (i < u->n && u->u[i].uid == a[j].uid) {
			m[k] = u->u[i++];
		} else if (k && m[k - 1].uid == a[j].uid) {
			add_to(&m[k - 1], mask, &a[j++]);
			continue;
		} else {
			memset(&m[k], 0, sizeof(m[k]));
			m[k].uid = a[j].uid;
		}
		add_to(&m[k++], mask, &a[j++]);
	}
	free(u->u);
	u->u = m;
	u->n = k;
	return 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct pdtt_audit_row *x = a, *y = b;

	if (x->percent != y->percent)
		return x->percent > y->percent ? -1 : 1;
	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return (int)x->per - (int)y->per;
}

void pdtt_audit_sort(struct pdtt_audit_row *rows, size_t n)
{
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_rows);
}

void pdtt_audit_free(struct pdtt_audit_row *rows, size_t n)
{
	(void)n;
	free(rows);
}

static int cmp_def(const void *a, const void *b)
{
	const struct pdtt_quota_def *x = a, *y = b;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return (int)x->per - (int)y->per;
}

static const struct pdtt_usage_user *find_user(const struct pdtt_usage *u, uint32_t uid)
{
	size_t lo = 0, hi = u->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->u[mid].uid == uid)
			return &u->u[mid];
		if (u->u[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static uint64_t used_in(const struct pdtt_usage_user *e, enum pdtt_per per, enum pdtt_dir dir)
{
	if (!e)
		return 0;
	switch (dir) {
	case PDTT_DIR_RX:
		return e->rx[per];
	case PDTT_DIR_TX:
		return e->tx[per];
	case PDTT_DIR_TOTAL:
		break;
	}
	return e->rx[per] + e->tx[per];
}

static int push(struct pdtt_audit_row **rows, size_t *n, size_t *cap, const struct pdtt_usage *u,
		const struct pdtt_quota_def *q, uint32_t uid, uint64_t used, bool is_default)
{
	struct pdtt_audit_row *r;

	if (*n == *cap) {
		struct pdtt_audit_row *nr =
			realloc(*rows, (*cap = *cap ? *cap * 2 : 32) * sizeof(*nr));

		if (!nr)
			return -1;
		*rows = nr;
	}
	r = &(*rows)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->uid = uid;
	r->per = q->per;
	r->dir = q->dir;
	r->period = u->periods[q->per];
	r->limit = q->limit;
	r->warn_pct = q->warn_pct;
	r->is_default = is_default;
	r->used = used;
	r->state = pdtt_quota_state_of(used, q->limit, q->warn_pct);
	r->percent = pdtt_quota_percent(used, q->limit);
	return 0;
}

int pdtt_usage_check(const struct pdtt_usage *u, const struct pdtt_quota_def *defs, size_t ndefs,
		     struct pdtt_audit_row **rows, size_t *n)
{
	const struct pdtt_quota_def *def[3] = { NULL };
	struct pdtt_quota_def *own = NULL;
	size_t nown = 0, cap = 0;
	int rc = -1;

	*rows = NULL;
	*n = 0;
	own = malloc((ndefs ? ndefs : 1) * sizeof(*own));
	if (!own)
		return -1;
	for (size_t i = 0; i < ndefs; i++) {
		if (defs[i].uid < 0)
			def[defs[i].per] = &defs[i];
		else
			own[nown++] = defs[i];
	}
	qsort(own, nown, sizeof(*own), cmp_def);
	/* Own quotas, with or without traffic. */
	for (size_t i = 0; i < nown; i++) {
		const struct pdtt_quota_def *q = &own[i];

		if (u->periods[q->per].from == u->periods[q->per].to)
			continue;
		if (push(rows, n, &cap, u, q, (uint32_t)q->uid,
			 used_in(find_user(u, (uint32_t)q->uid), q->per, q->dir), false))
			goto out;
	}
	/* Defaults, for users with traffic in the quota's direction and no own
	 * quota of that kind (own is sorted by uid, then kind: one walk). */
	for (size_t i = 0, o = 0; i < u->n; i++) {
		const struct pdtt_usage_user *e = &u->u[i];
		bool has_own[3] = { false };

		while (o < nown && own[o].uid < (int64_t)e->uid)
			o++;
		for (size_t x = o; x < nown && own[x].uid == (int64_t)e->uid; x++)
			has_own[own[x].per] = true;
		for (int k = 0; k < 3; k++) {
			uint64_t used;

			if (!def[k] || has_own[k] || u->periods[k].from == u->periods[k].to)
				continue;
			used = used_in(e, (enum pdtt_per)k, def[k]->dir);
			if (used && push(rows, n, &cap, u, def[k], e->uid, used, true))
				goto out;
		}
	}
	pdtt_audit_sort(*rows, *n);
	rc = 0;
out:
	free(own);
	if (rc) {
		free(*rows);
		*rows = NULL;
		*n = 0;
	}
	return rc;
}
