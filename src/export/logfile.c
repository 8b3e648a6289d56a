#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "errmsg.h"

const char *pdtt_logfile_refusal(const struct stat *sb, uid_t self)
{
	if (S_ISLNK(sb->st_mode))
		return "is a symbolic link";
	if (S_ISFIFO(sb->st_mode))
		return "is a FIFO";
	/* /dev/null discards the log; any other device is refused */
	if (S_ISCHR(sb->st_mode) && sb->st_rdev == makedev(1, 3))
		return NULL;
	if (S_ISCHR(sb->st_mode) || S_ISBLK(sb->st_mode))
		return "is a device";
	if (S_ISSOCK(sb->st_mode))
		return "is a socket";
	if (S_ISDIR(sb->st_mode))
		return "is a directory";
	if (!S_ISREG(sb->st_mode))
		return "is not a regular file";
	if (sb->st_uid != 0 && sb->st_uid != self)
		return "is owned by another user";
	if (sb->st_nlink > 1)
		return "has other hard links";
	return NULL;
}

/* Never follows a link and never blocks (a FIFO without a reader is ENXIO,
 * one with a reader is refused by its type): the path may be in a
 * directory others can write, and root appends wherever it points.  -1
 * with why (a reason, no hint) and *refused when the file is not one pdtt
 * may append to. */
static int open_append(const char *path, uid_t self, char *why, size_t len, bool *refused)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK;
	const char *no;
	struct stat sb;
	bool created = true;
	int fd = open(path, flags | O_CREAT | O_EXCL, 0640);

	*refused = false;
	if (fd < 0 && errno == EEXIST) {
		created = false;
		fd = open(path, flags);
	}
	if (fd < 0) {
		int e = errno;

		if (!lstat(path, &sb) && (no = pdtt_logfile_refusal(&sb, self))) {
			*refused = true;
			snprintf(why, len, "%s", no);
		} else {
			snprintf(why, len, "%s", strerror(e));
		}
		return -1;
	}
	if (fstat(fd, &sb)) {
		snprintf(why, len, "fstat: %s", strerror(errno));
		close(fd);
		return -1;
	}
	no = pdtt_logfile_refusal(&sb, self);
	if (no) {
		*refused = true;
		snprintf(why, len, "%s", no);
		close(fd);
		return -1;
	}
	/* the documented mode whatever the umask; the file never blocks */
	if ((created && fchmod(fd, 0640)) || fcntl(fd, F_SETFL, O_APPEND)) {
		snprintf(why, len, "%s: %s", created ? "fchmod" : "fcntl", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* What pdtt may append to, for the hints. */
static void whose(uid_t self, char *out, size_t len)
{
	if (self)
		snprintf(out, len, "root's or uid %ld's", (long)self);
	else
		snprintf(out, len, "root's");
}

int pdtt_logfile_open(struct pdtt_logfile *l, const char *path, uid_t user, char *err, size_t len)
{
	char why[256], who[48];
	bool refused;

	memset(l, 0, sizeof(*l));
	l->path = path;
	l->full.need_full = true;
	pdtt_buf_init(&l->buf);
	l->self = user != (uid_t)-1 ? user : geteuid();
	l->fd = open_append(path, l->self, why, sizeof(why), &refused);
	if (l->fd >= 0)
		return 0;
	whose(l->self, who, sizeof(who));
	if (refused)
		snprintf(err, len,
			 "log file '%s': %s; pdtt appends only to a regular file of %s with one "
			 "link: give -l such a path, in a directory only root can write (README, "
			 "Log file)",
			 path, why, who);
	else
		snprintf(err, len, "log file '%s': %s; choose a writable path with -l", path, why);
	return -1;
}

void pdtt_logfile_reopen(struct pdtt_logfile *l)
{
	char why[256], who[48];
	bool refused;
	int fd;

	l->self = geteuid(); /* after a --user switch: that account */
	fd = open_append(l->path, l->self, why, sizeof(why), &refused);
	if (fd < 0) {
		whose(l->self, who, sizeof(who));
		if (refused)
			pdtt_say("log file '%s': %s; still writing to the old file: remove it or "
				 "make it a regular file of %s, then send SIGHUP again",
				 l->path, why, who);
		else
			pdtt_say("log file '%s': reopen failed: %s; still writing to the old "
				 "file: check that the directory exists and that uid %ld may make "
				 "files in it (or that the rotation created the file), then send "
				 "SIGHUP again",
				 l->path, why, (long)l->self);
		return;
	}
	close(l->fd);
	l->fd = fd;
	l->full.need_full = true; /* each file starts with everyone's totals */
}

int pdtt_logfile_write(struct pdtt_logfile *l, const char *p, size_t n)
{
	if (l->fd < 0)
		return -EBADF;
	while (n) {
		ssize_t w = write(l->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void pdtt_logfile_block(struct pdtt_logfile *l, const struct tm *when, double mono_now,
			const struct pdtt_user_stat *const *users, size_t n,
			const struct pdtt_lost_info *lost, bool final)
{
	long hour = pdtt_clock_hour(when);
	bool full = pdtt_log_full_due(&l->full, hour, mono_now, final);
	int rc;

	pdtt_buf_reset(&l->buf);
	pdtt_format_log_block(&l->buf, when, users, n, lost, !full);
	/* One write per block: O_APPEND keeps blocks whole. */
	rc = l->buf.oom ? -ENOMEM : pdtt_logfile_write(l, l->buf.p, l->buf.len);
	if (rc) {
		pdtt_say("log %s: %s; totals are kept and the next block lists every user; check "
			 "the free space and permissions of the log's file system",
			 l->path, strerror(-rc));
		l->full.need_full = true;
	} else if (full) {
		pdtt_log_full_done(&l->full, hour, mono_now);
	}
}

void pdtt_logfile_close(struct pdtt_logfile *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	pdtt_buf_free(&l->buf);
}
