/* The README's log block, byte for byte, and the console views. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "report_format.h"

static struct tm when(void)
{
	struct tm t = { .tm_year = 124, .tm_mon = 0, .tm_mday = 15, .tm_hour = 10, .tm_min = 30 };
	return t;
}

static void readme_example_block(void **state)
{
	struct pdtt_user_stat john = { .uid = 1000, .name = "john" };
	struct pdtt_user_stat jane = { .uid = 1001, .name = "jane" };
	const struct pdtt_user_stat *users[] = { &john, &jane };
	struct tm t = when();
	struct pdtt_buf b;

	(void)state;
	john.total.rx_bytes = 1048000;
	john.total.tx_bytes = 576;
	jane.total.tx_bytes = 524288;
	pdtt_buf_init(&b);
	pdtt_format_log_block(&b, &t, users, 2, NULL);
	assert_false(b.oom);
	assert_string_equal(b.p, "=== Network Statistics Report [2024-01-15 10:30:00] ===\n"
				 "UID: 1000 | Username: john\n"
				 "  Total: 1048576 bytes\n"
				 "---\n"
				 "UID: 1001 | Username: jane\n"
				 "  Total: 524288 bytes\n"
				 "---\n");
	pdtt_buf_free(&b);
}

static void unknown_user_and_empty_report(void **state)
{
	struct pdtt_user_stat ghost = { .uid = 4242 };
	const struct pdtt_user_stat *users[] = { &ghost };
	struct tm t = when();
	struct pdtt_buf b;

	(void)state;
	ghost.total.rx_bytes = 1;
	pdtt_buf_init(&b);
	pdtt_format_log_block(&b, &t, users, 1, NULL);
	assert_string_equal(b.p, "=== Network Statistics Report [2024-01-15 10:30:00] ===\n"
				 "UID: 4242 | Username: (unknown)\n"
				 "  Total: 1 bytes\n"
				 "---\n");
	pdtt_buf_reset(&b);
	pdtt_format_log_block(&b, &t, users, 0, NULL);
	assert_string_equal(b.p, "=== Network Statistics Report [2024-01-15 10:30:00] ===\n");
	pdtt_buf_free(&b);
}

static void lost_counts_are_reported(void **state)
{
	struct pdtt_lost_info lost = { .bytes = 3000, .packets = 3, .max_entries = 1 };
	struct tm t = when();
	struct pdtt_buf b;

	(void)state;
	pdtt_buf_init(&b);
	pdtt_format_log_block(&b, &t, NULL, 0, &lost);
	assert_non_null(strstr(
		b.p, "\nWARNING: 3 packets (3000 bytes) not counted since start: "
		     "per-user table full (1 entries); restart with a larger --max-entries\n"));
	pdtt_buf_reset(&b);
	pdtt_format_console_lines(&b, &t, NULL, 0, &lost);
	assert_non_null(strstr(b.p, "WARNING: 3 packets"));
	/* A pinned table keeps its size across restarts: only stop resizes it. */
	lost.pinned = true;
	lost.max_entries = 4096;
	pdtt_buf_reset(&b);
	pdtt_format_log_block(&b, &t, NULL, 0, &lost);
	assert_non_null(strstr(b.p, "per-user table full (4096 entries); run 'pdtt_xdp_user stop', "
				    "then start again with a larger --max-entries (the pinned "
				    "table keeps its size until stop)\n"));
	lost.pinned = false;
	lost.max_entries = 1;
	lost.bytes = lost.packets = 0;
	pdtt_buf_reset(&b);
	pdtt_format_log_block(&b, &t, NULL, 0, &lost);
	assert_null(strstr(b.p, "WARNING"));
	pdtt_buf_free(&b);
}

static void console_lines_carry_all_counters(void **state)
{
	struct pdtt_user_stat u = { .uid = 0, .name = "root" };
	const struct pdtt_user_stat *users[] = { &u };
	struct tm t = when();
	struct pdtt_buf b;

	(void)state;
	u.total = (struct pdtt_value){ 10, 1, 20, 2 };
	pdtt_buf_init(&b);
	pdtt_format_console_lines(&b, &t, users, 1, NULL);
	assert_string_equal(b.p, "[2024-01-15 10:30:00] uid=0 user=root rx_bytes=10 tx_bytes=20 "
				 "rx_packets=1 tx_packets=2 total_bytes=30\n");
	pdtt_buf_free(&b);
}

static void table_has_human_sizes_and_rates(void **state)
{
	struct pdtt_user_stat u = { .uid = 1000, .name = "john" };
	const struct pdtt_user_stat *users[] = { &u };
	struct tm t = when();
	struct pdtt_buf b;

	(void)state;
	u.total = (struct pdtt_value){ 3 * 1024 * 1024, 10, 1536, 2 };
	u.interval = (struct pdtt_value){ 20480, 1, 0, 0 };
	pdtt_buf_init(&b);
	pdtt_format_console_table(&b, &t, 10.0, users, 1, NULL);
	assert_non_null(strstr(b.p, "RX RATE"));
	assert_non_null(strstr(b.p, "3.0 MiB"));
	assert_non_null(strstr(b.p, "1.5 KiB"));
	assert_non_null(strstr(b.p, "2.0 KiB/s"));
	assert_non_null(strstr(b.p, "0 B/s"));
	pdtt_buf_free(&b);
}

static void iec_units(void **state)
{
	char s[32];

	(void)state;
	pdtt_format_iec(0, s, sizeof(s));
	assert_string_equal(s, "0 B");
	pdtt_format_iec(1023, s, sizeof(s));
	assert_string_equal(s, "1023 B");
	pdtt_format_iec(1024, s, sizeof(s));
	assert_string_equal(s, "1.0 KiB");
	pdtt_format_iec(5ull << 40, s, sizeof(s));
	assert_string_equal(s, "5.0 TiB");
	pdtt_format_iec(~0ull, s, sizeof(s));
	assert_string_equal(s, "16.0 EiB");
	pdtt_format_si(999, s, sizeof(s));
	assert_string_equal(s, "999 B");
	pdtt_format_si(1500, s, sizeof(s));
	assert_string_equal(s, "1.5 kB");
	pdtt_format_si(50ull * 1000 * 1000 * 1000, s, sizeof(s));
	assert_string_equal(s, "50.0 GB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(readme_example_block),
		cmocka_unit_test(unknown_user_and_empty_report),
		cmocka_unit_test(lost_counts_are_reported),
		cmocka_unit_test(console_lines_carry_all_counters),
		cmocka_unit_test(table_has_human_sizes_and_rates),
		cmocka_unit_test(iec_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
