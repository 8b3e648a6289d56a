/* The log file's blocks: changed users only between full blocks, and a full
 * block after a failed write (here /dev/full) or a reopen. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "logfile.h"

static struct tm at(int hour, int min)
{
	struct tm t = { .tm_year = 126, .tm_mon = 11, .tm_mday = 2, .tm_yday = 335 };

	t.tm_hour = hour;
	t.tm_min = min;
	return t;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void blocks_and_failures(void **state)
{
	char path[] = "/tmp/pdtt-test-logfile.XXXXXX";
	int tmp = mkstemp(path);
	struct pdtt_user_stat busy = { .uid = 1000, .name = "busy" };
	struct pdtt_user_stat idle = { .uid = 1001, .name = "idle" };
	const struct pdtt_user_stat *users[] = { &busy, &idle };
	struct pdtt_logfile l;
	struct tm t = at(10, 0);

	(void)state;
	assert_true(tmp >= 0);
	close(tmp);
	busy.total.rx_bytes = 100;
	busy.interval.rx_bytes = 10;
	idle.total.rx_bytes = 5;
	/* A failed write: the next block, though not due, lists everyone. */
	assert_int_equal(pdtt_logfile_open(&l, "/dev/full"), 0);
	pdtt_logfile_block(&l, &t, 100.0, users, 2, NULL, false);
	assert_true(l.full.need_full);
	l.path = path; /* what a SIGHUP after a rotation would find */
	pdtt_logfile_reopen(&l);
	assert_true(l.full.need_full);
	pdtt_logfile_block(&l, &t, 110.0, users, 2, NULL, false);
	assert_false(l.full.need_full);
	assert_string_equal(slurp(path), "=== Network Statistics Report [2026-12-02 10:00:00] ===\n"
					 "UID: 1000 | Username: busy\n  Total: 100 bytes\n---\n"
					 "UID: 1001 | Username: idle\n  Total: 5 bytes\n---\n");
	/* Within the hour: only the user that changed. */
	t = at(10, 1);
	assert_int_equal(truncate(path, 0), 0);
	pdtt_logfile_block(&l, &t, 170.0, users, 2, NULL, false);
	assert_string_equal(slurp(path), "=== Network Statistics Report [2026-12-02 10:01:00] ===\n"
					 "UID: 1000 | Username: busy\n  Total: 100 bytes\n---\n");
	/* The stop's block lists everyone. */
	assert_int_equal(truncate(path, 0), 0);
	pdtt_logfile_block(&l, &t, 175.0, users, 2, NULL, true);
	assert_non_null(strstr(slurp(path), "UID: 1001 | Username: idle\n"));
	assert_int_equal(pdtt_logfile_write(&l, "QUOTA x\n", 8), 0);
	pdtt_logfile_close(&l);
	assert_int_equal(pdtt_logfile_write(&l, "x\n", 2), -EBADF);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blocks_and_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
