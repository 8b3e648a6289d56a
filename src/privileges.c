/* --user: the switch to an unprivileged account (privileges.h). */
#define _GNU_SOURCE
#include "privileges.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pdtt_exit.h"

int pdtt_runas_resolve(struct pdtt_runas *r, const char *name, char *err, size_t len)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	int n = PDTT_RUNAS_MAX_GROUPS, e;

	memset(r, 0, sizeof(*r));
	e = getpwnam_r(name, &pw, buf, sizeof(buf), &found);
	if (!found) {
		snprintf(err, len,
			 "user '%s': %s; create it (systemd-sysusers, or adduser --system --group "
			 "%s) or name another with --user",
			 name, e ? strerror(e) : "no such user", name);
		return PDTT_EXIT_USAGE;
	}
	if (pw.pw_uid == 0) {
		snprintf(err, len,
			 "user '%s': is root; --user names the unprivileged account the daemon "
			 "runs as once attached, such as pdtt",
			 name);
		return PDTT_EXIT_USAGE;
	}
	r->uid = pw.pw_uid;
	r->gid = pw.pw_gid;
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (getgrouplist(name, pw.pw_gid, r->groups, &n) < 0) {
		snprintf(err, len,
			 "user '%s': in more than %d groups; the daemon's account needs few "
			 "(usually none but its own)",
			 name, PDTT_RUNAS_MAX_GROUPS);
		return PDTT_EXIT_USAGE;
	}
	r->ngroups = n;
	return 0;
}

bool pdtt_runas_may(const struct pdtt_runas *r, const struct stat *st, int want)
{
	unsigned bits = st->st_mode & 07;

	if (st->st_uid == r->uid)
		bits = (st->st_mode >> 6) & 07;
	else {
		bool member = st->st_gid == r->gid;

		for (int i = 0; i < r->ngroups && !member; i++)
			member = st->st_gid == r->groups[i];
		if (member)
			bits = (st->st_mode >> 3) & 07;
	}
	return (bits & (unsigned)want) == (unsigned)want;
}

bool pdtt_dir_is_own(const char *const *names, size_t n, const char *base)
{
	size_t bl = strlen(base);

	if (!bl)
		return false;
	for (size_t i = 0; i < n; i++) {
		const char *e = names[i];

		if (!strcmp(e, ".") || !strcmp(e, ".."))
			continue;
		if (strncmp(e, base, bl) != 0 || (e[bl] && e[bl] != '-' && e[bl] != '.'))
			return false;
	}
	return true;
}

/* An existing regular file of root's or the account's, never through a link. */
static void take_beside(const struct pdtt_runas *r, const char *path, const char *suffix)
{
	char p[4200];
	struct stat st;
	int fd;

	if ((size_t)snprintf(p, sizeof(p), "%s%s", path, suffix) >= sizeof(p))
		return;
	fd = open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	    (st.st_uid == 0 || st.st_uid == r->uid))
		(void)!fchown(fd, r->uid, r->gid);
	close(fd);
}

/* The directory's entries are only the daemon's files (base and its
 * -wal, -shm, .1, ... companions)? */
static bool holds_only_ours(int dirfd, const char *base)
{
	DIR *d = fdopendir(dup(dirfd));
	struct dirent *e;
	bool own = d != NULL;

	while (own && (e = readdir(d))) {
		const char *name = e->d_name;

		own = pdtt_dir_is_own(&name, 1, base);
	}
	if (d)
		closedir(d);
	return own;
}

int pdtt_runas_take_file(const struct pdtt_runas *r, int fd, const char *path, bool wal,
			 bool need_search, char *err, size_t len)
{
	char dir[4096];
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	struct stat st;
	int dfd;

	if (fstat(fd, &st)) {
		snprintf(err, len, "'%s': fstat: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) /* /dev/null as the log */
		return 0;
	if (st.st_uid != r->uid && fchown(fd, r->uid, r->gid)) {
		snprintf(err, len, "'%s': cannot make it %s's: %s", path, r->name, strerror(errno));
		return -1;
	}
	if (wal) {
		take_beside(r, path, "-wal");
		take_beside(r, path, "-shm");
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &st)) {
		snprintf(err, len, "directory '%s': %s", dir, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	{
		/* the directory that holds this very file, not one swapped in
		 * by a rename since it was opened */
		struct stat in_dir, file;

		if (fstat(fd, &file) || fstatat(dfd, base, &in_dir, AT_SYMLINK_NOFOLLOW) ||
		    in_dir.st_dev != file.st_dev || in_dir.st_ino != file.st_ino) {
			snprintf(err, len, "'%s': moved while it was opened; start again", path);
			close(dfd);
			return -1;
		}
	}
	if (!pdtt_runas_may(r, &st, 3) && (st.st_uid == 0 || st.st_uid == r->uid) &&
	    holds_only_ours(dfd, base)) {
		/* its own directory: new files (a log after rotation, SQLite's
		 * -wal) can be made there without root */
		/* the mode first: once the account's, root needs CAP_FOWNER for it */
		if (((st.st_mode & 0700) != 0700 && fchmod(dfd, (st.st_mode & 0777) | 0700)) ||
		    fchown(dfd, r->uid, r->gid)) {
			snprintf(err, len, "directory '%s': cannot make it %s's: %s", dir, r->name,
				 strerror(errno));
			close(dfd);
			return -1;
		}
		close(dfd);
		return 0;
	}
	close(dfd);
	if (need_search && !pdtt_runas_may(r, &st, 1)) {
		snprintf(err, len,
			 "directory '%s': user %s cannot reach '%s' in it, and it holds other "
			 "files; give -d a file in a directory of its own, or let %s search it "
			 "(chmod o+x)",
			 dir, r->name, base, r->name);
		return -1;
	}
	if (!pdtt_runas_may(r, &st, 3)) {
		snprintf(err, len,
			 "directory '%s': user %s cannot make files in it, and it holds other "
			 "files: reopening '%s' after a rotation works only when the rotation "
			 "creates it (logrotate's create); a directory of its own avoids that",
			 dir, r->name, base);
		return 1;
	}
	return 0;
}

static int read_caps_line(const char *text, const char *key, uint64_t *out)
{
	const char *p = strstr(text, key);

	if (!p || sscanf(p + strlen(key), " %" SCNx64, out) != 1)
		return -1;
	return 0;
}

int pdtt_caps_read(struct pdtt_caps *c)
{
	char text[8192];
	FILE *f = fopen("/proc/thread-self/status", "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if (read_caps_line(text, "\nCapInh:", &c->inh) ||
	    read_caps_line(text, "\nCapPrm:", &c->prm) ||
	    read_caps_line(text, "\nCapEff:", &c->eff) ||
	    read_caps_line(text, "\nCapBnd:", &c->bnd) ||
	    read_caps_line(text, "\nCapAmb:", &c->amb))
		return -1;
	return 0;
}

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = -1;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	if (n < 0) /* the kernel's own answer: PR_CAPBSET_READ fails past it */
		for (n = 0; n < 64 && prctl(PR_CAPBSET_READ, n + 1, 0, 0, 0) >= 0; n++)
			;
	return n;
}

int pdtt_runas_drop(const struct pdtt_runas *r, bool keep_bpf, char *err, size_t len)
{
	const uint64_t want = keep_bpf ? 1ULL << CAP_BPF : 0;
	struct pdtt_caps c;
	int top = last_cap();

	/* While still root: the bounding set, so nothing executed later (a
	 * setuid program, a file capability) can get a capability back. */
	for (int cap = 0; cap <= top; cap++)
		if (!(want >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
			snprintf(err, len,
				 "privileges: dropping capability %d from the bounding set: %s",
				 cap, strerror(errno));
			return -1;
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL) {
		snprintf(err, len, "privileges: clearing the ambient set: %s", strerror(errno));
		return -1;
	}
	if (keep_bpf && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) {
		snprintf(err, len, "privileges: PR_SET_KEEPCAPS: %s", strerror(errno));
		return -1;
	}
	if (setgroups((size_t)r->ngroups, r->groups) || setresgid(r->gid, r->gid, r->gid) ||
	    setresuid(r->uid, r->uid, r->uid)) {
		snprintf(err, len, "privileges: switching to user %s (uid %ld): %s", r->name,
			 (long)r->uid, strerror(errno));
		return -1;
	}
	{
		/* CAP_BPF alone, or nothing; the inheritable set (which the
		 * switch of uid leaves) emptied too */
		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct data[2] = { { 0 } };

		if (keep_bpf)
			data[CAP_BPF / 32].permitted = data[CAP_BPF / 32].effective =
				1u << (CAP_BPF % 32);
		if (syscall(SYS_capset, &hdr, data) ||
		    (keep_bpf && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0))) {
			snprintf(err, len, "privileges: setting the capability sets: %s",
				 strerror(errno));
			return -1;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, len, "privileges: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	/* Verified, not assumed. */
	if (pdtt_caps_read(&c)) {
		snprintf(err, len,
			 "privileges: cannot read /proc/thread-self/status to check them");
		return -1;
	}
	if (c.eff != want || c.prm != want || c.inh || c.amb || c.bnd != want) {
		snprintf(err, len,
			 "privileges: still held after the switch to %s: CapEff %016" PRIx64
			 " CapPrm %016" PRIx64 " CapInh %016" PRIx64 " CapBnd %016" PRIx64
			 " CapAmb %016" PRIx64,
			 r->name, c.eff, c.prm, c.inh, c.bnd, c.amb);
		return -1;
	}
	if (!setuid(0) || !setgid(0)) {
		snprintf(err, len, "privileges: uid or gid 0 could be regained after the switch");
		return -1;
	}
	return 0;
}

/* Runs try(arg) in a child that first switches as pdtt_runas_drop(r, false)
 * does; its result (0-254), or -errno / -ECHILD when the child could not
 * fork, switch or end normally. */
static int in_switched_child(const struct pdtt_runas *r, int (*try)(const void *), const void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char err[256];

		_exit(pdtt_runas_drop(r, false, err, sizeof(err)) ? 255 : try(arg));
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 255)
		return -ECHILD;
	return WEXITSTATUS(status);
}

/* 0: the first key read (or the map is empty), else the errno (< 255). */
static int read_first_key(const void *arg)
{
	const int *map_fd = arg;
	char key[1024];
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (__u32)*map_fd;
	a.next_key = (__u64)(uintptr_t)key; /* key 0: the first one */
	if (!syscall(SYS_bpf, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)) || errno == ENOENT)
		return 0;
	return errno & 0x7f;
}

int pdtt_runas_probe_map(const struct pdtt_runas *r, int map_fd)
{
	int rc = in_switched_child(r, read_first_key, &map_fd);

	return rc < 0 ? rc : rc == 0 ? 0 : rc == EPERM ? -EPERM : -ECHILD;
}

struct access_probe {
	const char *path;
	int mode;
};

static int try_access(const void *arg)
{
	const struct access_probe *p = arg;

	return access(p->path, p->mode) ? errno & 0x7f : 0;
}

int pdtt_runas_probe_access(const struct pdtt_runas *r, const char *path, int mode)
{
	struct access_probe p = { path, mode };
	int rc = in_switched_child(r, try_access, &p);

	return rc < 0 ? rc : -rc;
}
