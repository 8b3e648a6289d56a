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
	pdtt_format_log_block(&b, &t, users, 2, NULL, false);
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
	pdtt_format_log_block(&b, &t, users, 1, NULL, false);
	assert_string_equal(b.p, "=== Network Statistics Report [2024-01-15 10:30:00] ===\n"
				 "UID: 4242 | Username: (unknown)\n"
				 "  Total: 1 bytes\n"
				 "---\n");
	/* Between full blocks: a user with no change this interval is left out. */
	pdtt_buf_reset(&b);
	pdtt_format_log_block(&b, &t, users, 1, NULL, true);
	assert_string_equal(b.p, "=== Network Statistics Report [2024-01-15 10:30:00] ===\n");
	ghost.interval.tx_packets = 1;
	pdtt_buf_reset(&b);
	pdtt_format_log_block(&b, &t, users, 1, NULL, true);
	assert_non_null(strstr(b.p, "UID: 4242 | Username: (unknown)\n"));
	pdtt_buf_reset(&b);
	pdtt_format_log_block(&b, &t, users, 0, NULL, false);
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
	pdtt_format_log_block(&b, &t, NULL, 0, &lost, false);
	assert_non_null(strstr(
		b.p, "\nWARNING: 3 packets (3000 bytes) not counted since start: "
		     "per-user table full (1 entries); restart with a larger --max-entries\n"));
	pdtt_buf_reset(&b);
	pdtt_format_console_summary(&b, &t, &(struct pdtt_console_view){ .lost = &lost });
	assert_non_null(strstr(b.p, "\n[2024-01-15 10:30:00] WARNING: 3 packets"));
	/* A pinned table keeps its size across restarts: only stop resizes it. */
	lost.pinned = true;
	lost.max_entries = 4096;
	pdtt_buf_reset(&b);
	pdtt_format_log_block(&b, &t, NULL, 0, &lost, false);
	assert_non_null(strstr(b.p, "per-user table full (4096 entries); run 'pdtt_xdp_user stop', "
				    "then start again with a larger --max-entries (the pinned "
				    "table keeps its size until stop)\n"));
	lost.pinned = false;
	lost.max_entries = 1;
	lost.bytes = lost.packets = 0;
	pdtt_buf_reset(&b);
	pdtt_format_log_block(&b, &t, NULL, 0, &lost, false);
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
	pdtt_format_console_users(&b, &t, users, 1);
	assert_string_equal(b.p, "[2024-01-15 10:30:00] uid=0 user=root rx_bytes=10 tx_bytes=20 "
				 "rx_packets=1 tx_packets=2 total_bytes=30\n");
	pdtt_buf_free(&b);
}

/* One line per interval however many users: what journald receives. */
static void summary_is_one_line(void **state)
{
	struct pdtt_console_view v = { .n = 5000, .active = 12 };
	struct tm t = when();
	struct pdtt_buf b;

	(void)state;
	v.total = (struct pdtt_value){ 1000, 10, 24, 2 };
	v.interval = (struct pdtt_value){ 100, 1, 4, 1 };
	pdtt_buf_init(&b);
	pdtt_format_console_summary(&b, &t, &v);
	assert_string_equal(b.p, "[2024-01-15 10:30:00] users=5000 active=12 rx_bytes=1000 "
				 "tx_bytes=24 rx_packets=10 tx_packets=2 total_bytes=1024 "
				 "interval_bytes=104\n");
	pdtt_buf_reset(&b);
	v = (struct pdtt_console_view){ 0 };
	pdtt_format_console_summary(&b, &t, &v);
	assert_string_equal(b.p, "[2024-01-15 10:30:00] users=0 active=0 rx_bytes=0 tx_bytes=0 "
				 "rx_packets=0 tx_packets=0 total_bytes=0 interval_bytes=0\n");
	pdtt_buf_free(&b);
}

static void table_has_human_sizes_and_rates(void **state)
{
	struct pdtt_user_stat u = { .uid = 1000, .name = "john" };
	const struct pdtt_user_stat *users[] = { &u };
	struct pdtt_console_view v = { .users = users, .n = 1, .active = 1 };
	struct tm t = when();
	struct pdtt_buf b;

	(void)state;
	u.total = (struct pdtt_value){ 3 * 1024 * 1024, 10, 1536, 2 };
	u.interval = (struct pdtt_value){ 20480, 1, 0, 0 };
	v.total = u.total;
	v.interval = u.interval;
	pdtt_buf_init(&b);
	pdtt_format_console_table(&b, &t, 10.0, &v, &(struct pdtt_screen){ 0 });
	assert_string_equal(
		b.p,
		"pdtt  2024-01-15 10:30:00  1 user, 1 active  (rates over 10 s)\n"
		"\n"
		"       UID  USER                 RX         TX      TOTAL       RX/s       TX/s\n"
		"      1000  john            3.0 MiB    1.5 KiB    3.0 MiB    2.0 KiB        0 B\n"
		"     TOTAL  (1)             3.0 MiB    1.5 KiB    3.0 MiB    2.0 KiB        0 "
		"B\n");
	pdtt_buf_free(&b);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The longest line that is not the warning. */
static size_t widest(const char *s)
{
	size_t w = 0;

	while (*s) {
		size_t n = strcspn(s, "\n");

		if (strncmp(s, "WARNING", 7) != 0 && n > w)
			w = n;
		s += n + (s[n] == '\n');
	}
	return w;
}

/* Thousands of users on a 24x80 terminal: the first that fit, a line with
 * how many more, and the total of everyone; no line wider than 79. */
static void table_fits_the_screen(void **state)
{
	static struct pdtt_user_stat u[100];
	const struct pdtt_user_stat *users[100];
	struct pdtt_console_view v = { .users = users, .n = 100, .active = 100 };
	struct pdtt_screen scr = { 24, 80 };
	struct tm t = when();
	struct pdtt_buf b;

	(void)state;
	for (int i = 0; i < 100; i++) {
		u[i] = (struct pdtt_user_stat){ .uid = 1000 + (uint32_t)i };
		u[i].total.rx_bytes = 1024;
		u[i].interval.rx_bytes = 1024;
		pdtt_value_add(&v.total, &u[i].total);
		pdtt_value_add(&v.interval, &u[i].interval);
		users[i] = &u[i];
	}
	pdtt_buf_init(&b);
	pdtt_format_console_table(&b, &t, 1.0, &v, &scr);
	/* 3 header lines, 18 users, "... 82 more users", TOTAL: 23 lines, the
	 * cursor on the 24th. */
	assert_int_equal(count_lines(b.p), 23);
	assert_true(widest(b.p) <= 79);
	assert_non_null(strstr(b.p, "      1017  (unknown)"));
	assert_null(strstr(b.p, "      1018  "));
	assert_non_null(strstr(b.p, "       ...  82 more users\n"));
	assert_non_null(strstr(b.p, "     TOTAL  (100)         100.0 KiB        0 B  100.0 KiB  "
				    "100.0 KiB        0 B\n"));
	/* All of them fit: no "more" line. */
	v.n = 19;
	pdtt_buf_reset(&b);
	pdtt_format_console_table(&b, &t, 1.0, &v, &scr);
	assert_int_equal(count_lines(b.p), 23);
	assert_null(strstr(b.p, "more user"));
	/* The warning (122 characters) takes a blank line and two rows. */
	v.n = 100;
	v.lost = &(struct pdtt_lost_info){ .bytes = 1, .packets = 1, .max_entries = 4 };
	pdtt_buf_reset(&b);
	pdtt_format_console_table(&b, &t, 1.0, &v, &scr);
	assert_int_equal(count_lines(b.p), 22); /* 23 rows with the wrapped warning */
	assert_non_null(strstr(b.p, "       ...  85 more users\n"));
	/* 40 columns: every table line wraps into two rows, the title too. */
	v.lost = NULL;
	scr.cols = 40;
	pdtt_buf_reset(&b);
	pdtt_format_console_table(&b, &t, 1.0, &v, &scr);
	assert_non_null(strstr(b.p, "       ...  93 more users\n"));
	/* A tiny screen still shows one user. */
	scr = (struct pdtt_screen){ 3, 80 };
	pdtt_buf_reset(&b);
	pdtt_format_console_table(&b, &t, 1.0, &v, &scr);
	assert_non_null(strstr(b.p, "      1000  "));
	assert_non_null(strstr(b.p, "99 more users\n"));
	pdtt_buf_free(&b);
}

/* Changed users only, and everyone in the first block of each clock hour,
 * of the daemon, after a reopen or a failed write, and at exit. */
static void full_block_schedule(void **state)
{
	struct pdtt_log_schedule s = { .need_full = true };
	struct tm t = when();
	long h10 = pdtt_clock_hour(&t);

	(void)state;
	assert_true(pdtt_log_full_due(&s, h10, 100.0, false)); /* the first block */
	pdtt_log_full_done(&s, h10, 100.0);
	assert_false(pdtt_log_full_due(&s, h10, 110.0, false));
	assert_true(pdtt_log_full_due(&s, h10, 110.0, true)); /* the stop's block */
	t.tm_min = 59;
	t.tm_sec = 59;
	assert_int_equal(pdtt_clock_hour(&t), h10);
	t.tm_hour = 11;
	t.tm_min = 0;
	assert_true(pdtt_clock_hour(&t) != h10);
	assert_true(pdtt_log_full_due(&s, pdtt_clock_hour(&t), 1900.0, false));
	/* The same hour on another day, or of another year, is another hour. */
	t = when();
	t.tm_yday++;
	assert_true(pdtt_clock_hour(&t) != h10);
	t = when();
	t.tm_year++;
	assert_true(pdtt_clock_hour(&t) != h10);
	/* A clock that stands still (or goes back) still gets a full block an
	 * hour after the last one. */
	assert_false(pdtt_log_full_due(&s, h10, 100.0 + 3599.0, false));
	assert_true(pdtt_log_full_due(&s, h10, 100.0 + 3600.0, false));
	s.need_full = true; /* a reopen or a failed write */
	assert_true(pdtt_log_full_due(&s, h10, 110.0, false));
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
		cmocka_unit_test(summary_is_one_line),
		cmocka_unit_test(table_has_human_sizes_and_rates),
		cmocka_unit_test(table_fits_the_screen),
		cmocka_unit_test(full_block_schedule),
		cmocka_unit_test(iec_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
