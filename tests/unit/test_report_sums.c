/* report's per-bucket sums, ranking, shares and labels (what reports/NAME.sql
 * compute in SQL; tests/integration/report.sh compares the two on real files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "report_sums.h"

static const struct pdtt_user_sum *find(const struct pdtt_sums *s, uint32_t uid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].uid == uid)
			return &s->v[i];
	return NULL;
}

static void rows_of_a_user_add_up(void **state)
{
	struct pdtt_sums s;

	(void)state;
	pdtt_sums_init(&s);
	assert_int_equal(pdtt_sums_add(&s, 1000, 10, 1, 2), 0);
	assert_int_equal(pdtt_sums_add(&s, 0, 5, 0, 1), 0);
	assert_int_equal(pdtt_sums_add(&s, 1000, 20, 2, 3), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(find(&s, 1000)->rx, 30);
	assert_int_equal(find(&s, 1000)->tx, 3);
	assert_int_equal(find(&s, 1000)->packets, 5);
	assert_int_equal(find(&s, 0)->rx, 5);
	pdtt_sums_free(&s);
}

/* Past the first allocation and its rehash: 40,000 users, 3 rows each,
 * interleaved, uids spread like real ones (system, people, containers). */
static void many_users_keep_their_own_sums(void **state)
{
	struct pdtt_sums s;
	uint32_t uid_of[40000];

	(void)state;
	for (uint32_t i = 0; i < 40000; i++)
		uid_of[i] = i < 1000 ? i : i < 20000 ? 1000 + i : 100000 + i * 65536u;
	pdtt_sums_init(&s);
	for (int round = 0; round < 3; round++)
		for (uint32_t i = 0; i < 40000; i++)
			assert_int_equal(pdtt_sums_add(&s, uid_of[i], i, round, 1), 0);
	assert_int_equal(s.n, 40000);
	for (uint32_t i = 0; i < 40000; i++) {
		const struct pdtt_user_sum *u = find(&s, uid_of[i]);

		assert_non_null(u);
		assert_int_equal(u->rx, 3 * (uint64_t)i);
		assert_int_equal(u->tx, 0 + 1 + 2);
		assert_int_equal(u->packets, 3);
	}
	pdtt_sums_free(&s);
}

static void busiest_first_then_uid(void **state)
{
	struct pdtt_sums s;
	static const uint32_t want[] = { 7, 3, 9, 1, 2 };

	(void)state;
	pdtt_sums_init(&s);
	pdtt_sums_add(&s, 1, 0, 0, 0);
	pdtt_sums_add(&s, 9, 50, 50, 1); /* 100, ties with 3 */
	pdtt_sums_add(&s, 2, 0, 0, 9);	 /* no bytes, more packets than 1 */
	pdtt_sums_add(&s, 3, 100, 0, 1);
	pdtt_sums_add(&s, 7, UINT32_MAX, UINT32_MAX, 1); /* totals past 32 bits */
	pdtt_sums_rank(&s);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(s.v[i].uid, want[i]);
	assert_int_equal(pdtt_sum_total(&s.v[0]), 2ull * UINT32_MAX);
	pdtt_sums_free(&s);
}

static void clear_forgets_users_keeps_working(void **state)
{
	struct pdtt_sums s;

	(void)state;
	pdtt_sums_init(&s);
	for (uint32_t u = 0; u < 1000; u++)
		pdtt_sums_add(&s, u, 1, 1, 1);
	pdtt_sums_rank(&s); /* reorders: the hash must not be trusted after */
	pdtt_sums_clear(&s);
	assert_int_equal(s.n, 0);
	pdtt_sums_add(&s, 999, 4, 0, 1);
	pdtt_sums_add(&s, 5, 1, 0, 1);
	pdtt_sums_add(&s, 999, 4, 0, 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(find(&s, 999)->rx, 8);
	assert_null(find(&s, 0));
	pdtt_sums_clear(&s); /* twice, and on an empty one */
	pdtt_sums_clear(&s);
	pdtt_sums_free(&s);
	pdtt_sums_clear(&s);
}

static void share_rounds_half_up_to_two_decimals(void **state)
{
	double p;

	(void)state;
	assert_true(pdtt_share_pct(1, 3, &p));
	assert_true(p == 33.33);
	assert_true(pdtt_share_pct(2, 3, &p));
	assert_true(p == 66.67);
	assert_true(pdtt_share_pct(1, 8, &p));
	assert_true(p == 12.5);
	assert_true(pdtt_share_pct(1, 20000, &p)); /* 0.005 exactly: up */
	assert_true(p == 0.01);
	assert_true(pdtt_share_pct(1, 20001, &p)); /* just below */
	assert_true(p == 0.0);
	assert_true(pdtt_share_pct(7, 7, &p));
	assert_true(p == 100.0);
	assert_false(pdtt_share_pct(0, 0, &p)); /* the SQL's NULL */
	assert_true(p == 0.0);
}

static void labels_as_the_sql_writes_them(void **state)
{
	char l[48];

	(void)state;
	/* 2026-10-25 00:00Z is 02:00 CEST (+0200) */
	pdtt_report_label(PDTT_BY_HOUR, 1792886400, 7200, l, sizeof(l));
	assert_string_equal(l, "2026-10-25T02:00+0200");
	/* St John's, -0230 in summer: 2026-07-01 02:30Z is 00:00 local */
	pdtt_report_label(PDTT_BY_HOUR, 1782873000, -9000, l, sizeof(l));
	assert_string_equal(l, "2026-07-01T00:00-0230");
	/* Monrovia before 1972, -0044 (here rounded to -0030): the sign of an
	 * offset under an hour */
	pdtt_report_label(PDTT_BY_HOUR, 1782864000 + 1800, -1800, l, sizeof(l));
	assert_string_equal(l, "2026-07-01T00:00-0030");
	/* Chatham, +1345: 2026-12-31 10:15Z is 2027-01-01 00:00 local */
	pdtt_report_label(PDTT_BY_HOUR, 1798712100, 49500, l, sizeof(l));
	assert_string_equal(l, "2027-01-01T00:00+1345");
	pdtt_report_label(PDTT_BY_DAY, 1798712100, 49500, l, sizeof(l));
	assert_string_equal(l, "2027-01-01");
	pdtt_report_label(PDTT_BY_WEEK, 1792886400, 0, l, sizeof(l));
	assert_string_equal(l, "week of 2026-10-25");
	pdtt_report_label(PDTT_BY_MONTH, 1798712100, 0, l, sizeof(l));
	assert_string_equal(l, "2026-12");
	pdtt_report_label(PDTT_BY_DAY, 951782400, 0, l, sizeof(l)); /* 2000-02-29 */
	assert_string_equal(l, "2000-02-29");
	pdtt_report_label(PDTT_BY_DAY, -1, 0, l, sizeof(l));
	assert_string_equal(l, "1969-12-31");
	pdtt_report_label(PDTT_BY_TOTAL, 0, 0, l, sizeof(l));
	assert_string_equal(l, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_of_a_user_add_up),
		cmocka_unit_test(many_users_keep_their_own_sums),
		cmocka_unit_test(busiest_first_then_uid),
		cmocka_unit_test(clear_forgets_users_keeps_working),
		cmocka_unit_test(share_rounds_half_up_to_two_decimals),
		cmocka_unit_test(labels_as_the_sql_writes_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
