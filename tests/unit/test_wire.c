/* GSO/GRO wire-size arithmetic shared with the BPF programs. */
#include <linux/types.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pdtt_wire.h"

static void single_packet_counts_as_is(void **state)
{
	(void)state;
	assert_int_equal(pdtt_wire_segments(0), 1);
	assert_int_equal(pdtt_wire_segments(1), 1);
	assert_int_equal(pdtt_wire_bytes(1500, 1, 52), 1500);
	assert_int_equal(pdtt_wire_bytes(60, 0, 0), 60);
}

static void gso_repeats_headers(void **state)
{
	(void)state;
	/* 45 TCP/IPv4 segments with timestamps (20 + 32 header bytes) carrying
	 * 64,800 payload bytes: the super-packet is 64,852 bytes long. */
	assert_int_equal(pdtt_wire_segments(45), 45);
	assert_int_equal(pdtt_wire_bytes(64852, 45, 52), 64800 + 45 * 52);
	/* UDP/IPv6 GSO: 8 x 1000-byte segments, 48 header bytes each. */
	assert_int_equal(pdtt_wire_bytes(40 + 8 + 8000, 8, 48), 8 * 1048);
}

static void header_lengths(void **state)
{
	(void)state;
	assert_int_equal(pdtt_l3_hdr_len(0x45), 20);
	assert_int_equal(pdtt_l3_hdr_len(0x4f), 60); /* IPv4 with 40 bytes of options */
	assert_int_equal(pdtt_l3_hdr_len(0x60), 40);
	assert_int_equal(pdtt_l3_hdr_len(0x00), 0);
	assert_int_equal(pdtt_l4_hdr_len(PDTT_IPPROTO_TCP, 0x50), 20);
	assert_int_equal(pdtt_l4_hdr_len(PDTT_IPPROTO_TCP, 0x80), 32);
	assert_int_equal(pdtt_l4_hdr_len(PDTT_IPPROTO_TCP, 0xf0), 60);
	assert_int_equal(pdtt_l4_hdr_len(PDTT_IPPROTO_UDP, 0), 8);
	assert_int_equal(pdtt_l4_hdr_len(1 /* ICMP */, 0), 0);
}

static void large_counts_do_not_overflow(void **state)
{
	(void)state;
	assert_true(pdtt_wire_bytes(0xffffffffu, 0xffffu, 120) == 0xffffffffull + 0xfffeull * 120);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_packet_counts_as_is),
		cmocka_unit_test(gso_repeats_headers),
		cmocka_unit_test(header_lengths),
		cmocka_unit_test(large_counts_do_not_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
