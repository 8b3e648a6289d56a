/* Running unprivileged once the programs are attached (--user NAME).  The
 * daemon starts as root, resolves the account, makes its database and log
 * that account's, attaches and pins, and then drops: the bounding set
 * emptied, the account's groups, gid and uid set, the ambient set cleared
 * and no new privileges, so every capability set is empty.  The
 * descriptors it holds (maps, links, the database, the log, netlink) keep
 * working: on Linux 5.19+ a map is read and written through its descriptor
 * without CAP_BPF.  Before that, with kernel.unprivileged_bpf_disabled set,
 * the bpf() call itself needs CAP_BPF: pdtt_runas_probe_map finds out, and
 * then the daemon keeps exactly that one. */
#ifndef PDTT_PRIVILEGES_H
#define PDTT_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define PDTT_RUNAS_MAX_GROUPS 64

struct pdtt_runas {
	uid_t uid;
	gid_t gid;
	char name[64];
	gid_t groups[PDTT_RUNAS_MAX_GROUPS]; /* supplementary, as initgroups would set */
	int ngroups;
};

/* The four capability sets and the ambient one of the calling thread. */
struct pdtt_caps {
	uint64_t inh, prm, eff, bnd, amb;
};

/* Looks the account up (before anything is attached).  0, or a PDTT_EXIT_*
 * status with a one-line message in err: no such user, or root. */
int pdtt_runas_resolve(struct pdtt_runas *r, const char *name, char *err, size_t len);

/* Pure: may the account do what want asks (a mask of 4 read, 2 write,
 * 1 search/execute) on a file with this owner and mode? */
bool pdtt_runas_may(const struct pdtt_runas *r, const struct stat *st, int want);

/* Pure: a directory whose entries (names[0..n), "." and ".." aside) are all
 * base itself or base followed by '-' or '.' (pdtt.db-wal, pdtt.log.1.gz)
 * holds only the daemon's own files, so it may become the account's. */
bool pdtt_dir_is_own(const char *const *names, size_t n, const char *base);

/* Makes the file open at fd (path names it) the account's, with the -wal
 * and -shm files beside it when wal is set.  Its directory becomes the
 * account's too when the account could not otherwise write there and it
 * holds only the daemon's files; need_search: the account must at least
 * reach the file by its path (SQLite stats it), so a directory that it
 * cannot search and that holds other files is an error.  0, -1 with a
 * one-line message in err, or 1 with a warning there: the account cannot
 * make files in the directory (a log then reopens only when logrotate
 * creates it). */
int pdtt_runas_take_file(const struct pdtt_runas *r, int fd, const char *path, bool wal,
			 bool need_search, char *err, size_t len);

/* Whether a process dropped as pdtt_runas_drop(r, false) drops can still
 * read the map open at map_fd: tried in a child.  0 yes, -EPERM when the
 * kernel wants CAP_BPF for it, another -errno when the probe itself failed. */
int pdtt_runas_probe_map(const struct pdtt_runas *r, int map_fd);

/* Whether the account may access path with mode (access(2): X_OK for a
 * quota hook, R_OK | W_OK for the database, every directory on the way
 * included), tried in a child that switches to it.  0, or -errno. */
int pdtt_runas_probe_access(const struct pdtt_runas *r, const char *path, int mode);

/* Switches the process to the account for good.  keep_bpf: CAP_BPF stays in
 * the permitted and effective sets (and the bounding set), nothing else.
 * Checks the result (the five sets, and that uid 0 cannot be regained).
 * 0, or -1 with a one-line message in err. */
int pdtt_runas_drop(const struct pdtt_runas *r, bool keep_bpf, char *err, size_t len);

/* The calling thread's sets, from /proc/thread-self/status.  0 or -1. */
int pdtt_caps_read(struct pdtt_caps *c);

#endif
