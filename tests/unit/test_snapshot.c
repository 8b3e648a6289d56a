/* Snapshot diffing: growth, new keys, resets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "snapshot.h"

static struct pdtt_key key(__u32 uid, __u32 ifindex, __u64 netns)
{
	struct pdtt_key k = { .uid = uid, .ifindex = ifindex, .netns_cookie = netns };
	return k;
}

static struct pdtt_value val(__u64 rxb, __u64 rxp, __u64 txb, __u64 txp)
{
	struct pdtt_value v = { rxb, rxp, txb, txp };
	return v;
}

static void put(struct pdtt_snapshot *s, __u32 uid, __u32 ifi, __u64 ns, struct pdtt_value v)
{
	struct pdtt_key k = key(uid, ifi, ns);

	assert_int_equal(pdtt_snapshot_append(s, &k, &v), 0);
}

static void assert_val(const struct pdtt_value *v, __u64 rxb, __u64 rxp, __u64 txb, __u64 txp)
{
	assert_int_equal(v->rx_bytes, rxb);
	assert_int_equal(v->rx_packets, rxp);
	assert_int_equal(v->tx_bytes, txb);
	assert_int_equal(v->tx_packets, txp);
}

static void diff_growth_new_and_unchanged(void **state)
{
	struct pdtt_snapshot prev, cur, d;
	struct pdtt_key k;

	(void)state;
	pdtt_snapshot_init(&prev);
	pdtt_snapshot_init(&cur);
	pdtt_snapshot_init(&d);
	put(&prev, 1000, 2, 7, val(100, 1, 200, 2));
	put(&prev, 0, 1, 7, val(50, 1, 50, 1));
	put(&cur, 1000, 2, 7, val(150, 2, 200, 2)); /* grew */
	put(&cur, 0, 1, 7, val(50, 1, 50, 1));	    /* unchanged: no delta */
	put(&cur, 1001, 2, 7, val(10, 1, 0, 0));    /* new key */
	pdtt_snapshot_sort(&prev);
	pdtt_snapshot_sort(&cur);
	assert_int_equal(pdtt_snapshot_diff(&prev, &cur, &d), 0);
	assert_int_equal(d.n, 2);
	k = key(1000, 2, 7);
	assert_val(&pdtt_snapshot_find(&d, &k)->val, 50, 1, 0, 0);
	k = key(1001, 2, 7);
	assert_val(&pdtt_snapshot_find(&d, &k)->val, 10, 1, 0, 0);
	k = key(0, 1, 7);
	assert_null(pdtt_snapshot_find(&d, &k));
	pdtt_snapshot_free(&prev);
	pdtt_snapshot_free(&cur);
	pdtt_snapshot_free(&d);
}

static void counter_going_down_is_a_reset(void **state)
{
	struct pdtt_value p = val(1000, 10, 1000, 10), c = val(300, 3, 2000, 20), d;

	(void)state;
	/* Any field lower than before: the map was recreated; count c whole. */
	assert_true(pdtt_value_is_reset(&p, &c));
	d = pdtt_value_delta(&p, &c);
	assert_val(&d, 300, 3, 2000, 20);
	c = val(1000, 10, 1001, 11);
	assert_false(pdtt_value_is_reset(&p, &c));
	d = pdtt_value_delta(&p, &c);
	assert_val(&d, 0, 0, 1, 1);
}

static void same_uid_different_netns_are_distinct(void **state)
{
	struct pdtt_snapshot prev, cur, d;

	(void)state;
	pdtt_snapshot_init(&prev);
	pdtt_snapshot_init(&cur);
	pdtt_snapshot_init(&d);
	put(&cur, 1000, 1, 8, val(1, 1, 0, 0));
	put(&cur, 1000, 1, 7, val(2, 1, 0, 0));
	pdtt_snapshot_sort(&cur);
	assert_true(cur.e[0].key.netns_cookie == 7);
	assert_int_equal(pdtt_snapshot_diff(&prev, &cur, &d), 0);
	assert_int_equal(d.n, 2);
	pdtt_snapshot_free(&prev);
	pdtt_snapshot_free(&cur);
	pdtt_snapshot_free(&d);
}

static void key_removed_from_current_yields_nothing(void **state)
{
	struct pdtt_snapshot prev, cur, d;

	(void)state;
	pdtt_snapshot_init(&prev);
	pdtt_snapshot_init(&cur);
	pdtt_snapshot_init(&d);
	put(&prev, 5, 1, 1, val(9, 9, 9, 9));
	assert_int_equal(pdtt_snapshot_diff(&prev, &cur, &d), 0);
	assert_int_equal(d.n, 0);
	pdtt_snapshot_free(&prev);
	pdtt_snapshot_free(&cur);
	pdtt_snapshot_free(&d);
}

static void many_keys_merge_walk(void **state)
{
	struct pdtt_snapshot prev, cur, d;

	(void)state;
	pdtt_snapshot_init(&prev);
	pdtt_snapshot_init(&cur);
	pdtt_snapshot_init(&d);
	for (__u32 u = 0; u < 5000; u++) {
		if (u % 2)
			put(&prev, u, 1, 1, val(u, 1, 0, 0));
		put(&cur, 4999 - u, 1, 1, val(2 * (4999 - u), 2, 0, 0));
	}
	pdtt_snapshot_sort(&prev);
	pdtt_snapshot_sort(&cur);
	assert_int_equal(pdtt_snapshot_diff(&prev, &cur, &d), 0);
	assert_int_equal(d.n, 5000); /* uid 0: 0 bytes but 2 packets is a delta too */
	for (size_t i = 0; i < d.n; i++) {
		__u32 u = d.e[i].key.uid;

		assert_int_equal(d.e[i].val.rx_bytes, (u % 2) ? u : 2 * u);
		assert_int_equal(d.e[i].val.rx_packets, (u % 2) ? 1 : 2);
	}
	pdtt_snapshot_free(&prev);
	pdtt_snapshot_free(&cur);
	pdtt_snapshot_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(diff_growth_new_and_unchanged),
		cmocka_unit_test(counter_going_down_is_a_reset),
		cmocka_unit_test(same_uid_different_netns_are_distinct),
		cmocka_unit_test(key_removed_from_current_yields_nothing),
		cmocka_unit_test(many_keys_merge_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
