/* One daemon per database: the /proc/locks parser, and the real flock on a
 * temporary file (a second open file description conflicts even in the
 * same process, so one process can play both daemons). */
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

#include "pdtt_exit.h"
#include "writer_lock.h"

static void parses_proc_locks(void **state)
{
	const char *text = "1: POSIX  ADVISORY  WRITE 700 fd:01:42 1073741824 1073741824\n"
			   "2: FLOCK  ADVISORY  READ 701 fd:01:42 0 EOF\n"
			   "3: -> FLOCK  ADVISORY  WRITE 702 fd:01:42 0 EOF\n"
			   "4: FLOCK  ADVISORY  WRITE 703 fd:02:42 0 EOF\n"
			   "5: FLOCK  ADVISORY  WRITE 704 fd:01:420 0 EOF\n"
			   "6: OFDLCK ADVISORY  WRITE -1 fd:01:42 0 EOF\n"
			   "7: FLOCK  ADVISORY  WRITE 705 fd:01:42 0 EOF\n";

	(void)state;
	/* SQLite's POSIX lock, a reader, a waiter, another device and another
	 * inode are not the holder. */
	assert_int_equal(pdtt_flock_holder(text, 0xfd, 1, 42), 705);
	assert_int_equal(pdtt_flock_holder(text, 0xfd, 1, 43), 0);
	assert_int_equal(pdtt_flock_holder(text, 0xfd, 2, 42), 703);
	/* btrfs: /proc/locks names the file system's device, stat(2) the
	 * subvolume's; an inode only one lock names is found on any device,
	 * one that several name is not guessed. */
	assert_int_equal(pdtt_flock_holder(text, 0, 0x2e, 420), 704);
	assert_int_equal(pdtt_flock_holder(text, 0, 0x2e, 42), 0);
	/* an invisible holder (pid 0) of the same inode is not guessed past */
	assert_int_equal(pdtt_flock_holder("1: FLOCK  ADVISORY  WRITE 0 00:2f:420 0 EOF\n"
					   "2: FLOCK  ADVISORY  WRITE 704 fd:01:420 0 EOF\n",
					   0, 0x2e, 420),
			 0);
	assert_int_equal(pdtt_flock_holder("", 0xfd, 1, 42), 0);
	assert_int_equal(pdtt_flock_holder("garbage\n\n7: FLOCK", 0xfd, 1, 42), 0);
}

static void second_writer_is_refused(void **state)
{
	char path[] = "/tmp/pdtt-test-writer.XXXXXX", err[512], pid[64], link_path[64];
	struct pdtt_writer_lock a = { -1 }, b = { -1 };
	pid_t holder;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(pdtt_writer_lock_holder(path, &holder), 0);
	assert_int_equal(pdtt_writer_lock_take(&a, path, (uid_t)-1, err, sizeof(err)), 0);
	/* what 'check' asks: held, by us */
	assert_int_equal(pdtt_writer_lock_holder(path, &holder), 1);
	assert_int_equal(holder, getpid());
	assert_int_equal(pdtt_writer_lock_take(&b, path, (uid_t)-1, err, sizeof(err)),
			 PDTT_EXIT_RUNTIME);
	assert_int_equal(b.fd, -1);
	/* the holder is named by its pid and, not being pdtt, by its command */
	snprintf(pid, sizeof(pid), "process %ld (test_writer_loc)", (long)getpid());
	if (!strstr(err, "holds its writer lock") || !strstr(err, pid) || !strstr(err, path))
		fail_msg("message: %s", err);
	/* Released: the next daemon takes it. */
	pdtt_writer_lock_release(&a);
	assert_int_equal(a.fd, -1);
	assert_int_equal(pdtt_writer_lock_take(&b, path, (uid_t)-1, err, sizeof(err)), 0);
	pdtt_writer_lock_release(&b);
	pdtt_writer_lock_release(&b); /* twice is harmless */
	assert_int_equal(pdtt_writer_lock_holder(path, &holder), 0);
	/* A file of the --user account's is the daemon's (a run that switched
	 * to it made it so); anyone else's is refused. */
	assert_int_equal(chown(path, 4242, 4242), 0);
	assert_int_equal(pdtt_writer_lock_take(&a, path, (uid_t)-1, err, sizeof(err)),
			 PDTT_EXIT_DB);
	assert_non_null(strstr(err, "owned by uid 4242"));
	assert_int_equal(pdtt_writer_lock_take(&a, path, 4242, err, sizeof(err)), 0);
	pdtt_writer_lock_release(&a);
	assert_int_equal(pdtt_writer_lock_take(&a, path, 4243, err, sizeof(err)), PDTT_EXIT_DB);
	/* a file with another name elsewhere is not the daemon's alone */
	snprintf(link_path, sizeof(link_path), "%s.link", path);
	assert_int_equal(link(path, link_path), 0);
	assert_int_equal(pdtt_writer_lock_take(&a, path, 4242, err, sizeof(err)), PDTT_EXIT_DB);
	assert_non_null(strstr(err, "hard links"));
	unlink(link_path);
	unlink(path);
	/* A missing file is a database error, not a lock conflict. */
	assert_int_equal(pdtt_writer_lock_take(&a, path, (uid_t)-1, err, sizeof(err)),
			 PDTT_EXIT_DB);
	assert_non_null(strstr(err, "No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_proc_locks),
		cmocka_unit_test(second_writer_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
