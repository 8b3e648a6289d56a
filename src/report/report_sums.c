#include "report_sums.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pdtt_sums_init(struct pdtt_sums *s)
{
	memset(s, 0, sizeof(*s));
}

void pdtt_sums_free(struct pdtt_sums *s)
{
	free(s->v);
	free(s->slot);
	pdtt_sums_init(s);
}

void pdtt_sums_clear(struct pdtt_sums *s)
{
	s->n = 0;
	if (s->slot)
		memset(s->slot, 0, s->nslots * sizeof(*s->slot));
}

static size_t slot_of(const struct pdtt_sums *s, uint32_t uid)
{
	/* Fibonacci hashing: uids are often consecutive */
	size_t i = (size_t)(((uint64_t)uid * 0x9E3779B97F4A7C15ull) >> 32) & (s->nslots - 1);

	while (s->slot[i] && s->v[s->slot[i] - 1].uid != uid)
		i = (i + 1) & (s->nslots - 1);
	return i;
}

static int grow(struct pdtt_sums *s)
{
	size_t cap = s->cap ? 2 * s->cap : 256, nslots = 2 * cap;
	struct pdtt_user_sum *v = realloc(s->v, cap * sizeof(*v));
	uint32_t *slot;

	if (!v)
		return -1;
	s->v = v;
	if (cap > UINT32_MAX - 1 || !(slot = calloc(nslots, sizeof(*slot))))
		return -1;
	free(s->slot);
	s->slot = slot;
	s->nslots = nslots;
	s->cap = cap;
	for (size_t k = 0; k < s->n; k++)
		s->slot[slot_of(s, s->v[k].uid)] = (uint32_t)k + 1;
	return 0;
}

int pdtt_sums_add(struct pdtt_sums *s, uint32_t uid, uint64_t rx, uint64_t tx, uint64_t packets)
{
	struct pdtt_user_sum *u;
	size_t i;

	if (s->n == s->cap && grow(s))
		return -1;
	i = slot_of(s, uid);
	if (!s->slot[i]) {
		s->v[s->n] = (struct pdtt_user_sum){ .uid = uid };
		s->slot[i] = (uint32_t)++s->n;
	}
	u = &s->v[s->slot[i] - 1];
	u->rx += rx;
	u->tx += tx;
	u->packets += packets;
	return 0;
}

static int busiest_first(const void *a, const void *b)
{
	const struct pdtt_user_sum *x = a, *y = b;
	uint64_t tx = pdtt_sum_total(x), ty = pdtt_sum_total(y);

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

void pdtt_sums_rank(struct pdtt_sums *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), busiest_first);
}

bool pdtt_share_pct(uint64_t total, uint64_t window_total, double *pct)
{
	/* The SQL's operations in its order, on doubles: the same result bit
	 * for bit, so both print the same two decimals. */
	*pct = 0.0;
	if (!window_total)
		return false;
	*pct = (double)(int64_t)(10000.0 * (double)total / (double)window_total + 0.5) / 100.0;
	return true;
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

void pdtt_report_label(enum pdtt_by by, int64_t start, long off, char *out, size_t len)
{
	int64_t t = start + off, days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400;
	long aoff = off < 0 ? -off : off;
	unsigned m, d;
	int y;

	civil_from_days(days, &y, &m, &d);
	switch (by) {
	case PDTT_BY_TOTAL:
		snprintf(out, len, "%s", "");
		break;
	case PDTT_BY_HOUR:
		snprintf(out, len, "%04d-%02u-%02uT%02d:00%c%02ld%02ld", y, m, d,
			 (int)(secs / 3600), off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60);
		break;
	case PDTT_BY_DAY:
		snprintf(out, len, "%04d-%02u-%02u", y, m, d);
		break;
	case PDTT_BY_WEEK:
		snprintf(out, len, "week of %04d-%02u-%02u", y, m, d);
		break;
	case PDTT_BY_MONTH:
		snprintf(out, len, "%04d-%02u", y, m);
		break;
	}
}
