/* Per-user totals across interfaces and intervals; busiest-first order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "user_totals.h"

static void add(struct pdtt_snapshot *s, __u32 uid, __u32 ifi, __u64 rxb, __u64 txb)
{
	struct pdtt_key k = { .uid = uid, .ifindex = ifi, .netns_cookie = 1 };
	struct pdtt_value v = { rxb, 1, txb, 1 };

	assert_int_equal(pdtt_snapshot_append(s, &k, &v), 0);
}

static void sums_interfaces_and_intervals(void **state)
{
	struct pdtt_user_table t;
	struct pdtt_snapshot d;
	const struct pdtt_user_stat *order[3];

	(void)state;
	pdtt_users_init(&t);
	pdtt_snapshot_init(&d);
	add(&d, 1000, 1, 100, 10);
	add(&d, 1000, 2, 200, 20);
	add(&d, 33, 2, 5, 5);
	assert_int_equal(pdtt_users_add_deltas(&t, &d), 0);
	assert_int_equal(t.n, 2);

	pdtt_users_begin_interval(&t);
	pdtt_snapshot_clear(&d);
	add(&d, 1000, 1, 1, 1);
	add(&d, 7, 1, 400, 0);
	assert_int_equal(pdtt_users_add_deltas(&t, &d), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.u[0].uid, 7); /* kept sorted by uid */

	pdtt_users_by_busiest(&t, order);
	assert_int_equal(order[0]->uid, 7);    /* 400 */
	assert_int_equal(order[1]->uid, 1000); /* 332 */
	assert_int_equal(order[2]->uid, 33);   /* 10 */
	assert_int_equal(order[1]->total.rx_bytes, 301);
	assert_int_equal(order[1]->total.tx_bytes, 31);
	assert_int_equal(order[1]->total.rx_packets, 3);
	assert_int_equal(order[1]->interval.rx_bytes, 1); /* last interval only */
	assert_int_equal(order[2]->interval.rx_bytes, 0);
	pdtt_users_free(&t);
	pdtt_snapshot_free(&d);
}

static void ties_break_by_uid(void **state)
{
	struct pdtt_user_table t;
	struct pdtt_snapshot d;
	const struct pdtt_user_stat *order[3];

	(void)state;
	pdtt_users_init(&t);
	pdtt_snapshot_init(&d);
	add(&d, 2000, 1, 10, 0);
	add(&d, 5, 1, 0, 10);
	add(&d, 100, 1, 5, 5);
	assert_int_equal(pdtt_users_add_deltas(&t, &d), 0);
	pdtt_users_by_busiest(&t, order);
	assert_int_equal(order[0]->uid, 5);
	assert_int_equal(order[1]->uid, 100);
	assert_int_equal(order[2]->uid, 2000);
	pdtt_users_free(&t);
	pdtt_snapshot_free(&d);
}

/* The live table's order, the changed users the log lists, and the sums. */
static void rate_order_changed_and_sum(void **state)
{
	struct pdtt_user_table t;
	struct pdtt_snapshot d;
	const struct pdtt_user_stat *order[4], *changed[4];
	struct pdtt_value total, interval;

	(void)state;
	pdtt_users_init(&t);
	pdtt_snapshot_init(&d);
	add(&d, 10, 1, 1000, 0); /* busiest overall, quiet later */
	add(&d, 20, 1, 10, 0);
	add(&d, 30, 1, 0, 5);
	add(&d, 40, 1, 5, 0);
	assert_int_equal(pdtt_users_add_deltas(&t, &d), 0);
	pdtt_users_begin_interval(&t);
	pdtt_snapshot_clear(&d);
	add(&d, 20, 1, 10, 0);
	add(&d, 40, 1, 10, 0);
	assert_int_equal(pdtt_snapshot_append(&d, &(struct pdtt_key){ .uid = 30, .ifindex = 1 },
					      &(struct pdtt_value){ 0 }),
			 0); /* a key read with no change */
	assert_int_equal(pdtt_users_add_deltas(&t, &d), 0);
	pdtt_users_by_rate(&t, order);
	assert_int_equal(order[0]->uid, 20); /* 10 this interval, 20 in all */
	assert_int_equal(order[1]->uid, 40); /* 10 this interval, 15 in all */
	assert_int_equal(order[2]->uid, 10); /* quiet: by total */
	assert_int_equal(order[3]->uid, 30);
	pdtt_users_by_busiest(&t, order);
	assert_int_equal(pdtt_users_changed(order, 4, changed), 2);
	assert_int_equal(changed[0]->uid, 20); /* busiest first, kept */
	assert_int_equal(changed[1]->uid, 40);
	assert_int_equal(pdtt_users_changed(order, 4, order), 2); /* in place */
	assert_int_equal(order[0]->uid, 20);
	pdtt_users_sum(&t, &total, &interval);
	assert_int_equal(total.rx_bytes, 1035);
	assert_int_equal(total.tx_bytes, 5);
	assert_int_equal(total.rx_packets, 6);
	assert_int_equal(interval.rx_bytes, 20);
	assert_int_equal(interval.tx_bytes, 0);
	assert_int_equal(interval.rx_packets, 2);
	pdtt_users_free(&t);
	pdtt_snapshot_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sums_interfaces_and_intervals),
		cmocka_unit_test(ties_break_by_uid),
		cmocka_unit_test(rate_order_changed_and_sum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
