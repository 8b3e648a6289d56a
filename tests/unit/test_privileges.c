/* --user: which files the account may use, which directories are the
 * daemon's own, and the switch itself, made in a child so this test keeps
 * root (the switch cannot be undone). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "pdtt_exit.h"
#include "privileges.h"

static const struct pdtt_runas account = {
	.uid = 4242, .gid = 4242, .name = "acct", .groups = { 4242, 27 }, .ngroups = 2
};

static struct stat file(uid_t uid, gid_t gid, mode_t mode)
{
	struct stat st = { .st_uid = uid, .st_gid = gid, .st_mode = S_IFDIR | mode };

	return st;
}

static void may_by_owner_group_other(void **state)
{
	struct stat st;

	(void)state;
	st = file(4242, 0, 0700);
	assert_true(pdtt_runas_may(&account, &st, 7));
	st = file(0, 0, 0750); /* root's group: the account is not in it */
	assert_false(pdtt_runas_may(&account, &st, 1));
	st = file(0, 27, 0750); /* a supplementary group */
	assert_true(pdtt_runas_may(&account, &st, 5));
	assert_false(pdtt_runas_may(&account, &st, 2));
	st = file(0, 0, 0755);
	assert_true(pdtt_runas_may(&account, &st, 1));
	assert_false(pdtt_runas_may(&account, &st, 3));
	/* the owner's bits decide for the owner, even when others have more */
	st = file(4242, 0, 0077);
	assert_false(pdtt_runas_may(&account, &st, 1));
}

static void own_directories(void **state)
{
	const char *db[] = { ".", "..", "pdtt.db", "pdtt.db-wal", "pdtt.db-shm" };
	const char *log[] = { "pdtt.log", "pdtt.log.1", "pdtt.log.2.gz", "pdtt.log-20261203" };
	const char *mixed[] = { "pdtt.db", "passwd" };
	const char *prefix[] = { "pdtt.dbx" };

	(void)state;
	assert_true(pdtt_dir_is_own(db, 5, "pdtt.db"));
	assert_true(pdtt_dir_is_own(log, 4, "pdtt.log"));
	assert_true(pdtt_dir_is_own(NULL, 0, "pdtt.db")); /* empty */
	assert_false(pdtt_dir_is_own(mixed, 2, "pdtt.db"));
	assert_false(pdtt_dir_is_own(prefix, 1, "pdtt.db"));
	assert_false(pdtt_dir_is_own(db, 5, ""));
}

/* The switch in a child: uid, gid and groups set, every set empty (or
 * CAP_BPF alone), no way back to uid 0. */
static void drops_in_a_child(bool keep_bpf)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		char err[512];
		struct pdtt_caps c;
		uint64_t want = keep_bpf ? 1ULL << CAP_BPF : 0;
		gid_t groups[8];
		int n;

		if (pdtt_runas_drop(&account, keep_bpf, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			_exit(10);
		}
		if (getuid() != 4242 || geteuid() != 4242 || getgid() != 4242 || getegid() != 4242)
			_exit(11);
		n = getgroups(8, groups);
		/* the kernel keeps them sorted */
		if (n != 2 || groups[0] != 27 || groups[1] != 4242)
			_exit(12);
		if (pdtt_caps_read(&c) || c.eff != want || c.prm != want || c.bnd != want ||
		    c.inh || c.amb)
			_exit(13);
		if (!setuid(0) || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
			_exit(14);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void drops_everything(void **state)
{
	(void)state;
	drops_in_a_child(false);
}

static void keeps_only_cap_bpf(void **state)
{
	(void)state;
	drops_in_a_child(true);
}

static void resolve_refuses_root_and_strangers(void **state)
{
	struct pdtt_runas r;
	char err[512];

	(void)state;
	assert_int_equal(pdtt_runas_resolve(&r, "root", err, sizeof(err)), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "is root"));
	assert_int_equal(pdtt_runas_resolve(&r, "no-such-user-pdtt", err, sizeof(err)),
			 PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "no such user"));
	assert_int_equal(pdtt_runas_resolve(&r, "nobody", err, sizeof(err)), 0);
	assert_true(r.uid != 0 && r.ngroups >= 1);
}

/* The files become the account's; a directory that holds only them too, a
 * shared one is left alone (with the warning for a log). */
static void takes_files_and_own_directories(void **state)
{
	char dir[] = "/tmp/pdtt-test-runas.XXXXXX", own[128], db[160], wal[170], log[160], err[512];
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(own, sizeof(own), "%s/state", dir);
	assert_int_equal(mkdir(own, 0750), 0);
	snprintf(db, sizeof(db), "%s/pdtt.db", own);
	snprintf(wal, sizeof(wal), "%s/pdtt.db-wal", own);
	fd = open(wal, O_CREAT | O_WRONLY, 0640);
	close(fd);
	fd = open(db, O_CREAT | O_RDWR, 0640);
	assert_true(fd >= 0);
	assert_int_equal(pdtt_runas_take_file(&account, fd, db, true, true, err, sizeof(err)), 0);
	close(fd);
	assert_int_equal(stat(db, &st), 0);
	assert_true(st.st_uid == 4242 && st.st_gid == 4242);
	assert_int_equal(stat(wal, &st), 0);
	assert_true(st.st_uid == 4242);
	assert_int_equal(stat(own, &st), 0);
	assert_true(st.st_uid == 4242 && (st.st_mode & 0777) == 0750);

	/* the log beside other files in a directory the account cannot write */
	chmod(dir, 0755);
	snprintf(log, sizeof(log), "%s/pdtt.log", dir);
	fd = open(log, O_CREAT | O_WRONLY, 0640);
	assert_int_equal(pdtt_runas_take_file(&account, fd, log, false, false, err, sizeof(err)),
			 1);
	assert_non_null(strstr(err, "cannot make files"));
	close(fd);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(st.st_uid == 0); /* not taken */
	/* a database there that the account cannot even reach is refused */
	chmod(dir, 0700);
	fd = open(log, O_RDONLY);
	assert_int_equal(pdtt_runas_take_file(&account, fd, log, false, true, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "cannot reach"));
	close(fd);
	unlink(log);
	unlink(wal);
	unlink(db);
	rmdir(own);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(may_by_owner_group_other),
		cmocka_unit_test(own_directories),
		cmocka_unit_test(resolve_refuses_root_and_strangers),
		cmocka_unit_test(takes_files_and_own_directories),
		cmocka_unit_test(drops_everything),
		cmocka_unit_test(keeps_only_cap_bpf),
	};
	if (geteuid()) {
		fprintf(stderr, "test_privileges: needs root (chown, and the switch of user)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
