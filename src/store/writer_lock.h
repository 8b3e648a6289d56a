/* One daemon per database.  The daemon holds an exclusive flock(2) on the
 * database file for as long as it runs; SQLite locks with fcntl(2), which
 * flock does not touch, so report, audit and quota keep reading and writing
 * beside it.  A second daemon is told the holder's pid from /proc/locks. */
#ifndef PDTT_WRITER_LOCK_H
#define PDTT_WRITER_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pdtt_writer_lock {
	int fd; /* -1: not held */
};

/* Pid of the process holding a whole-file FLOCK WRITE lock on the inode
 * (major:minor:ino as /proc/locks prints it) in the text of /proc/locks; 0
 * when none is listed (or the holder is in a PID namespace we cannot see). */
pid_t pdtt_flock_holder(const char *proc_locks, unsigned int major, unsigned int minor,
			unsigned long ino);

/* The same, and whether the inode is listed at all (*holder 0: by a
 * process in a PID namespace we cannot see). */
bool pdtt_flock_listed(const char *proc_locks, unsigned int major, unsigned int minor,
		       unsigned long ino, pid_t *holder);
/* Whether a process holds db_path's writer lock: 1 (with its pid, or 0
 * when it is invisible here), 0 none, -1 when that cannot be read. */
int pdtt_writer_lock_holder(const char *db_path, pid_t *pid);

/* Takes the lock on the (existing) file db_path, a regular file of root's,
 * of this process's user or of user (the --user account; (uid_t)-1 none).
 * Returns 0, or a PDTT_EXIT_* status with a one-line message in err. */
int pdtt_writer_lock_take(struct pdtt_writer_lock *l, const char *db_path, uid_t user, char *err,
			  size_t errlen);
/* Closing the descriptor drops the lock.  Call it only after SQLite closed
 * the database: closing any descriptor of a file drops every fcntl lock
 * the process holds on it, SQLite's included. */
void pdtt_writer_lock_release(struct pdtt_writer_lock *l);

#endif
