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
#include <sys/stat.h>
#include <sys/sysmacros.h>
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
	char err[1024];

	(void)state;
	assert_true(tmp >= 0);
	close(tmp);
	busy.total.rx_bytes = 100;
	busy.interval.rx_bytes = 10;
	idle.total.rx_bytes = 5;
	/* A failed write (/dev/full, put in by hand: a device is no log file):
	 * the next block, though not due, lists everyone. */
	assert_int_equal(pdtt_logfile_open(&l, path, (uid_t)-1, err, sizeof(err)), 0);
	close(l.fd);
	l.fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	assert_true(l.fd >= 0);
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

static void refuses_what_is_no_log(void **state)
{
	struct stat sb = { .st_mode = S_IFREG | 0640, .st_uid = 0, .st_nlink = 1 };

	(void)state;
	assert_null(pdtt_logfile_refusal(&sb, 0));
	assert_null(pdtt_logfile_refusal(&sb, 1000));
	sb.st_uid = 1000;
	assert_null(pdtt_logfile_refusal(&sb, 1000)); /* the daemon's own user */
	assert_string_equal(pdtt_logfile_refusal(&sb, 0), "is owned by another user");
	sb.st_uid = 0;
	sb.st_nlink = 2; /* a link to a file elsewhere (/etc/shadow) */
	assert_string_equal(pdtt_logfile_refusal(&sb, 0), "has other hard links");
	sb.st_nlink = 1;
	sb.st_mode = S_IFIFO | 0600;
	assert_string_equal(pdtt_logfile_refusal(&sb, 0), "is a FIFO");
	sb.st_mode = S_IFCHR | 0600;
	sb.st_rdev = makedev(5, 0); /* /dev/tty */
	assert_string_equal(pdtt_logfile_refusal(&sb, 0), "is a device");
	sb.st_rdev = makedev(1, 3); /* /dev/null: no log */
	assert_null(pdtt_logfile_refusal(&sb, 0));
	sb.st_mode = S_IFLNK | 0777;
	assert_string_equal(pdtt_logfile_refusal(&sb, 0), "is a symbolic link");
	sb.st_mode = S_IFDIR | 0755;
	assert_string_equal(pdtt_logfile_refusal(&sb, 0), "is a directory");
}

/* The real open: a new file gets 0640 under any umask; a symlink and a FIFO
 * (with or without a reader) are refused without writing or blocking. */
static void opens_only_a_plain_file(void **state)
{
	char dir[] = "/tmp/pdtt-test-logopen.XXXXXX", path[256], err[1024];
	struct pdtt_logfile l;
	struct stat sb;
	mode_t old = umask(077);
	int reader;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/new.log", dir);
	assert_int_equal(pdtt_logfile_open(&l, path, (uid_t)-1, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(fstat(l.fd, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0640);
	assert_false(fcntl(l.fd, F_GETFL) & O_NONBLOCK);
	pdtt_logfile_close(&l);
	/* a link to it */
	snprintf(path, sizeof(path), "%s/link.log", dir);
	assert_int_equal(symlink("new.log", path), 0);
	assert_int_equal(pdtt_logfile_open(&l, path, (uid_t)-1, err, sizeof(err)), -1);
	if (!strstr(err, "link.log': is a symbolic link;"))
		fail_msg("message: %s", err);
	pdtt_logfile_close(&l);
	/* a FIFO without a reader, then with one */
	snprintf(path, sizeof(path), "%s/fifo.log", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(pdtt_logfile_open(&l, path, (uid_t)-1, err, sizeof(err)), -1);
	if (!strstr(err, "fifo.log': is a FIFO;"))
		fail_msg("message: %s", err);
	pdtt_logfile_close(&l);
	reader = open(path, O_RDONLY | O_NONBLOCK);
	assert_true(reader >= 0);
	assert_int_equal(pdtt_logfile_open(&l, path, (uid_t)-1, err, sizeof(err)), -1);
	if (!strstr(err, "fifo.log': is a FIFO;"))
		fail_msg("message: %s", err);
	pdtt_logfile_close(&l);
	close(reader);
	snprintf(err, sizeof(err), "rm -rf '%s'", dir);
	assert_int_equal(system(err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blocks_and_failures),
		cmocka_unit_test(refuses_what_is_no_log),
		cmocka_unit_test(opens_only_a_plain_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
