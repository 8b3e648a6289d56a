#include "writer_lock.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pdtt_exit.h"

bool pdtt_flock_listed(const char *proc_locks, unsigned int major, unsigned int minor,
		       unsigned long ino, pid_t *holder)
{
	const char *line = proc_locks;
	pid_t by_ino = 0;
	int n_ino = 0;

	/* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:131090 0 EOF"; waiters are
	 * listed as "1: -> FLOCK ..." and hold nothing.  btrfs lists the
	 * file system's device, not the subvolume's that stat(2) gives: an
	 * inode no other lock names is taken on any device. */
	*holder = 0;
	while (line && *line) {
		char kind[16], mode[16], rw[16];
		unsigned int maj, min;
		unsigned long in;
		long pid;

		if (sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%lu", kind, mode, rw, &pid, &maj,
			   &min, &in) == 7 &&
		    !strcmp(kind, "FLOCK") && !strcmp(rw, "WRITE") && in == ino) {
			/* pid 0: a holder in a PID namespace we cannot see */
			if (maj == major && min == minor) {
				*holder = pid > 0 ? (pid_t)pid : 0;
				return true;
			}
			by_ino = pid > 0 ? (pid_t)pid : 0;
			n_ino++;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (n_ino != 1)
		return false;
	*holder = by_ino;
	return true;
}

pid_t pdtt_flock_holder(const char *proc_locks, unsigned int major, unsigned int minor,
			unsigned long ino)
{
	pid_t pid;

	return pdtt_flock_listed(proc_locks, major, minor, ino, &pid) ? pid : 0;
}

int pdtt_writer_lock_holder(const char *db_path, pid_t *pid)
{
	FILE *f;
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	struct stat st;
	bool held;

	*pid = 0;
	if (stat(db_path, &st))
		return -1;
	f = fopen("/proc/locks", "re");
	if (!f)
		return -1;
	n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	held = n > 0 && pdtt_flock_listed(text, major(st.st_dev), minor(st.st_dev), st.st_ino, pid);
	free(text);
	return held;
}

static pid_t holder_of(const struct stat *st)
{
	FILE *f = fopen("/proc/locks", "re");
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	pid_t pid;

	if (!f)
		return 0;
	n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	pid = n > 0 ? pdtt_flock_holder(text, major(st->st_dev), minor(st->st_dev), st->st_ino) : 0;
	free(text);
	return pid;
}

int pdtt_writer_lock_take(struct pdtt_writer_lock *l, const char *db_path, uid_t user, char *err,
			  size_t errlen)
{
	struct stat st;

	/* never blocks (a FIFO planted at the path) and never follows a link */
	l->fd = open(db_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (l->fd < 0) {
		snprintf(err, errlen, "database '%s': %s; choose a readable path with -d", db_path,
			 strerror(errno));
		return PDTT_EXIT_DB;
	}
	/* the daemon (root) writes only a regular file of its own user's */
	if (fstat(l->fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink > 1 ||
	    (st.st_uid != 0 && st.st_uid != geteuid() && st.st_uid != user)) {
		if (S_ISREG(st.st_mode) && st.st_nlink > 1)
			snprintf(err, errlen,
				 "database '%s': has other hard links; give -d a file of its own",
				 db_path);
		else if (!S_ISREG(st.st_mode))
			snprintf(err, errlen,
				 "database '%s': not a regular file; give -d a file in a directory "
				 "only root can write",
				 db_path);
		else
			snprintf(err, errlen,
				 "database '%s': owned by uid %ld, not by the daemon's user; chown "
				 "it "
				 "(if it is yours to use) or give -d a file of root's",
				 db_path, (long)st.st_uid);
		close(l->fd);
		l->fd = -1;
		return PDTT_EXIT_DB;
	}
	if (!flock(l->fd, LOCK_EX | LOCK_NB))
		return 0;
	if (errno == EWOULDBLOCK && !fstat(l->fd, &st)) {
		pid_t pid = holder_of(&st);
		char comm[64] = "", path[64];
		FILE *f;

		if (pid) {
			snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
			f = fopen(path, "re");
			if (f) {
				if (!fgets(comm, sizeof(comm), f))
					comm[0] = '\0';
				comm[strcspn(comm, "\n")] = '\0';
				fclose(f);
			}
		}
		if (pid && !strncmp(comm, "pdtt", 4))
			snprintf(err, errlen,
				 "database '%s': another pdtt daemon (pid %ld) writes to it; a "
				 "database has one daemon: stop that one, or give this one its own "
				 "-d",
				 db_path, (long)pid);
		else if (pid)
			snprintf(
				err, errlen,
				"database '%s': process %ld (%s) holds its writer lock; a database "
				"has one daemon: stop that process, or give this one its own -d",
				db_path, (long)pid, comm[0] ? comm : "gone");
		else
			snprintf(err, errlen,
				 "database '%s': another process holds its writer lock (a pdtt "
				 "daemon in another container or PID namespace?); a database has "
				 "one daemon: stop that one, or give this one its own -d",
				 db_path);
	} else {
		snprintf(err, errlen, "database '%s': cannot lock it: %s", db_path,
			 strerror(errno));
	}
	close(l->fd);
	l->fd = -1;
	return PDTT_EXIT_RUNTIME;
}

void pdtt_writer_lock_release(struct pdtt_writer_lock *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
