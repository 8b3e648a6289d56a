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

static void age_counts_unchanged_reads(void **state)
{
	struct pdtt_snapshot a, b;

	(void)state;
	pdtt_snapshot_init(&a);
	pdtt_snapshot_init(&b);
	put(&a, 1, 1, 0, val(10, 1, 0, 0));
	put(&a, 2, 1, 0, val(20, 2, 0, 0));
	pdtt_snapshot_age(&b, &a); /* first read: nothing is idle */
	assert_int_equal(a.e[0].idle, 0);
	for (int round = 1; round <= 3; round++) {
		pdtt_snapshot_clear(&b);
		put(&b, 1, 1, 0, val(10, 1, 0, 0));			  /* unchanged */
		put(&b, 2, 1, 0, val(20, 2, (__u64)round, (__u64)round)); /* moves */
		put(&b, 3, 1, 0, val(5, 1, 0, 0));			  /* new */
		pdtt_snapshot_age(&a, &b);
		assert_int_equal(b.e[0].idle, round);
		assert_int_equal(b.e[1].idle, 0);
		assert_int_equal(b.e[2].idle, round - 1 ? 1 + (round - 2) : 0);
		pdtt_snapshot_swap(&a, &b);
	}
	pdtt_snapshot_free(&a);
	pdtt_snapshot_free(&b);
}

static void sum_is_a_union(void **state)
{
	struct pdtt_snapshot a, b, out;

	(void)state;
	pdtt_snapshot_init(&a);
	pdtt_snapshot_init(&b);
	pdtt_snapshot_init(&out);
	put(&a, 1, 1, 0, val(1, 1, 1, 1));
	put(&a, 3, 1, 0, val(3, 3, 3, 3));
	put(&b, 2, 1, 0, val(2, 2, 2, 2));
	put(&b, 3, 1, 0, val(10, 10, 10, 10));
	put(&b, 4, 1, 0, val(4, 4, 4, 4));
	assert_int_equal(pdtt_snapshot_sum(&a, &b, &out), 0);
	assert_int_equal(out.n, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(out.e[i].key.uid, i + 1);
	assert_val(&out.e[2].val, 13, 13, 13, 13);
	assert_val(&out.e[3].val, 4, 4, 4, 4);
	assert_int_equal(pdtt_snapshot_sum(&a, &(struct pdtt_snapshot){ 0 }, &out), 0);
	assert_int_equal(out.n, 2);
	pdtt_snapshot_free(&a);
	pdtt_snapshot_free(&b);
	pdtt_snapshot_free(&out);
}

static void remove_split_and_add(void **state)
{
	struct pdtt_snapshot s, keys, gone;
	struct pdtt_key k;

	(void)state;
	pdtt_snapshot_init(&s);
	pdtt_snapshot_init(&keys);
	pdtt_snapshot_init(&gone);
	for (__u32 u = 1; u <= 6; u++)
		put(&s, u, 1, 0, val(u, 1, 0, 0));
	/* 2 and 5 were removed from the kernel; 5 came back with 3 more
	 * bytes, 9 is not in s */
	put(&keys, 2, 1, 0, val(2, 1, 0, 0));
	put(&keys, 5, 1, 0, val(2, 0, 0, 0));
	put(&keys, 9, 1, 0, val(0, 0, 0, 0));
	pdtt_snapshot_subtract(&s, &keys);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.e[1].key.uid, 3);
	assert_int_equal(s.e[3].key.uid, 5);
	assert_val(&s.e[3].val, 3, 1, 0, 0);
	assert_int_equal(s.e[4].key.uid, 6);
	k = key(5, 1, 0);
	pdtt_snapshot_subtract(&s,
			       &(struct pdtt_snapshot){
				       .e = &(struct pdtt_entry){ .key = k, .val = { 3, 1, 0, 0 } },
				       .n = 1,
				       .cap = 1 });
	assert_int_equal(s.n, 4);
	assert_int_equal(s.e[3].key.uid, 6);
	pdtt_snapshot_clear(&keys);

	/* present: 1 and 6; 3 and 4 go, with zero counters */
	put(&keys, 1, 1, 0, val(0, 0, 0, 0));
	put(&keys, 6, 1, 0, val(0, 0, 0, 0));
	put(&gone, 7, 1, 0, val(7, 0, 0, 0));
	assert_int_equal(pdtt_snapshot_split_absent(&s, &keys, &gone), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.e[1].key.uid, 6);
	assert_int_equal(gone.n, 3);
	assert_int_equal(gone.e[0].key.uid, 3);
	assert_val(&gone.e[0].val, 0, 0, 0, 0);
	assert_int_equal(gone.e[2].key.uid, 7);

	/* add: into place, or onto the entry */
	assert_int_equal(pdtt_snapshot_reserve(&gone, 2), 0);
	assert_true(gone.cap >= gone.n + 2);
	k = key(5, 1, 0);
	assert_int_equal(pdtt_snapshot_add(&gone, &k, &(struct pdtt_value){ 5, 5, 5, 5 }), 0);
	assert_int_equal(pdtt_snapshot_add(&gone, &k, &(struct pdtt_value){ 1, 1, 1, 1 }), 0);
	k = key(1, 1, 0);
	assert_int_equal(pdtt_snapshot_add(&gone, &k, &(struct pdtt_value){ 1, 0, 0, 0 }), 0);
	assert_int_equal(gone.n, 5);
	for (size_t i = 1; i < gone.n; i++)
		assert_true(pdtt_key_cmp(&gone.e[i - 1].key, &gone.e[i].key) < 0);
	k = key(5, 1, 0);
	assert_val(&pdtt_snapshot_find(&gone, &k)->val, 6, 6, 6, 6);
	pdtt_snapshot_free(&s);
	pdtt_snapshot_free(&keys);
	pdtt_snapshot_free(&gone);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(diff_growth_new_and_unchanged),
		cmocka_unit_test(counter_going_down_is_a_reset),
		cmocka_unit_test(same_uid_different_netns_are_distinct),
		cmocka_unit_test(key_removed_from_current_yields_nothing),
		cmocka_unit_test(many_keys_merge_walk),
		cmocka_unit_test(age_counts_unchanged_reads),
		cmocka_unit_test(sum_is_a_union),
		cmocka_unit_test(remove_split_and_add),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
