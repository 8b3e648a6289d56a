#include "writer_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pdtt_exit.h"

pid_t pdtt_flock_holder(const char *proc_locks, unsigned int major, unsigned int minor,
			unsigned long ino)
{
	const char *line = proc_locks;

	/* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:131090 0 EOF"; waiters are
	 * listed as "1: -> FLOCK ..." and hold nothing. */
	while (line && *line) {
		char kind[16], mode[16], rw[16];
		unsigned int maj, min;
		unsigned long in;
		long pid;

		if (sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%lu", kind, mode, rw, &pid, &maj,
			   &min, &in) == 7 &&
		    !strcmp(kind, "FLOCK") && !strcmp(rw, "WRITE") && maj == major &&
		    min == minor && in == ino && pid > 0)
			return (pid_t)pid;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
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

int pdtt_writer_lock_take(struct pdtt_writer_lock *l, const char *db_path, char *err, size_t errlen)
{
	struct stat st;

	l->fd = open(db_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (l->fd < 0) {
		snprintf(err, errlen, "database '%s': %s; choose a readable path with -d", db_path,
			 strerror(errno));
		return PDTT_EXIT_DB;
	}
	if (!flock(l->fd, LOCK_EX | LOCK_NB))
		return 0;
	if (errno == EWOULDBLOCK && !fstat(l->fd, &st)) {
		pid_t pid = holder_of(&st);
		char who[32] = "";

		if (pid)
			snprintf(who, sizeof(who), " (pid %ld)", (long)pid);
		snprintf(err, errlen,
			 "database '%s': another pdtt daemon%s writes to it; a database has one "
			 "daemon: stop that one, or give this one its own -d",
			 db_path, who);
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
