/* The text log: the original tool's blocks, QUOTA and INTERFACE lines, one
 * write() each to a file opened O_APPEND, reopened on SIGHUP. */
#ifndef PDTT_LOGFILE_H
#define PDTT_LOGFILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "report_format.h"
#include "strbuf.h"

struct pdtt_logfile {
	const char *path;
	int fd;
	uid_t self;		       /* whose file, besides root's, it may append to */
	struct pdtt_log_schedule full; /* when a block lists everyone */
	struct pdtt_buf buf;
};

/* Why a file is no log pdtt may append to (self: this process's euid), or
 * NULL: a regular file with one link, owned by root or self, or /dev/null. */
const char *pdtt_logfile_refusal(const struct stat *sb, uid_t self);
/* Opens path for appending, creating it 0640 whatever the umask; never
 * through a symlink, never blocking, and only a file pdtt_logfile_refusal
 * accepts for user (the --user account the daemon will switch to; (uid_t)-1:
 * this process's).  0, or -1 with a one-line message in err. */
int pdtt_logfile_open(struct pdtt_logfile *l, const char *path, uid_t user, char *err, size_t len);
/* After a rotation: the next block lists everyone.  On failure the old file
 * stays in use and stderr says so. */
void pdtt_logfile_reopen(struct pdtt_logfile *l);
/* Appends one or more whole lines; 0 or -errno. */
int pdtt_logfile_write(struct pdtt_logfile *l, const char *text, size_t len);
/* Appends the interval's block: users[0..n) busiest first, all of them or
 * only those whose counters changed, as the schedule says (final: the stop's
 * block, always full).  On failure stderr says so and the next block lists
 * everyone, so no total is missing from the file for long. */
void pdtt_logfile_block(struct pdtt_logfile *l, const struct tm *when, double mono_now,
			const struct pdtt_user_stat *const *users, size_t n,
			const struct pdtt_lost_info *lost, bool final);
void pdtt_logfile_close(struct pdtt_logfile *l);

#endif
