/* Who a packet counts for: the decisions the BPF programs share (pdtt_owner.h). */
#include <linux/types.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pdtt_owner.h"

static void seq_order_wraps(void **state)
{
	(void)state;
	assert_true(pdtt_seq_before(1, 2));
	assert_false(pdtt_seq_before(2, 2));
	assert_false(pdtt_seq_before(3, 2));
	/* Across the 2^32 wrap: 0xfffffff0 comes before 0x10. */
	assert_true(pdtt_seq_before(0xfffffff0u, 0x10u));
	assert_false(pdtt_seq_before(0x10u, 0xfffffff0u));
}

static void routes(void **state)
{
	(void)state;
	/* Sent TCP data goes by sequence number, also after close (FIN data). */
	assert_int_equal(pdtt_route_packet(1, 1, 1, 0), PDTT_CHARGE_BY_SEQ);
	assert_int_equal(pdtt_route_packet(1, 1, 1, 1), PDTT_CHARGE_BY_SEQ);
	/* Received data, UDP both ways and sent ACKs wait for the next user. */
	assert_int_equal(pdtt_route_packet(0, 1, 1, 0), PDTT_WAIT);
	assert_int_equal(pdtt_route_packet(0, 0, 0, 0), PDTT_WAIT);
	assert_int_equal(pdtt_route_packet(1, 0, 0, 0), PDTT_WAIT);
	assert_int_equal(pdtt_route_packet(1, 1, 0, 0), PDTT_WAIT);
	/* A received ACK is the current user's. */
	assert_int_equal(pdtt_route_packet(0, 1, 0, 0), PDTT_CHARGE_NOW);
	/* Nobody will use a closed socket again: everything counts now. */
	assert_int_equal(pdtt_route_packet(0, 1, 1, 1), PDTT_CHARGE_NOW);
	assert_int_equal(pdtt_route_packet(1, 0, 0, 1), PDTT_CHARGE_NOW);
	assert_int_equal(pdtt_route_packet(1, 1, 0, 1), PDTT_CHARGE_NOW);
}

static void change_of_user_keeps_queued_data(void **state)
{
	struct pdtt_owner o = { .uid = 0 }; /* accepted by root */
	int done;

	(void)state;
	/* The same user again changes nothing. */
	assert_int_equal(pdtt_owner_change(&o, 0, 1, 500), 0);
	assert_int_equal(o.uid, 0);
	/* root queued up to 1000; alice (1001) writes next. */
	o.flags |= pdtt_owner_change(&o, 1001, 1, 1000);
	assert_int_equal(o.uid, 1001);
	assert_int_equal(o.prev_uid, 0);
	assert_int_equal(o.tx_seq, 1000);
	assert_true(o.flags & PDTT_OWNER_SEQ);
	/* Unacknowledged: root's retransmit and alice's new data. */
	assert_int_equal(pdtt_segment_owner(&o, 900, 950, &done), 0);
	assert_false(done);
	assert_int_equal(pdtt_segment_owner(&o, 900, 1000, &done), 1001);
	assert_false(done);
	/* Once snd_una reaches tx_seq everything is alice's, and the record
	 * may forget the boundary before the sequence space wraps. */
	assert_int_equal(pdtt_segment_owner(&o, 1000, 950, &done), 1001);
	assert_true(done);
	o.flags &= ~PDTT_OWNER_SEQ;
	assert_int_equal(pdtt_segment_owner(&o, 5, 0x80000000u, &done), 1001);
	assert_false(done);
}

static void boundary_across_wrap(void **state)
{
	struct pdtt_owner o = { .uid = 7 };
	int done;

	(void)state;
	o.flags |= pdtt_owner_change(&o, 8, 1, 0x10);
	assert_int_equal(pdtt_segment_owner(&o, 0xfffffff0u, 0xfffffff8u, &done), 7);
	assert_int_equal(pdtt_segment_owner(&o, 0xfffffff0u, 0x10, &done), 8);
	assert_false(done);
}

static void datagram_sockets_have_no_boundary(void **state)
{
	struct pdtt_owner o = { .uid = 0 };
	int done;

	(void)state;
	assert_int_equal(pdtt_owner_change(&o, 1001, 0, 0), 0);
	assert_int_equal(o.uid, 1001);
	assert_int_equal(o.prev_uid, 0);
	assert_int_equal(pdtt_segment_owner(&o, 0, 0, &done), 1001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seq_order_wraps),
		cmocka_unit_test(routes),
		cmocka_unit_test(change_of_user_keeps_queued_data),
		cmocka_unit_test(boundary_across_wrap),
		cmocka_unit_test(datagram_sockets_have_no_boundary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
