#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "errmsg.h"

static int open_append(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

int pdtt_logfile_open(struct pdtt_logfile *l, const char *path)
{
	memset(l, 0, sizeof(*l));
	l->path = path;
	l->full.need_full = true;
	pdtt_buf_init(&l->buf);
	l->fd = open_append(path);
	return l->fd < 0 ? -errno : 0;
}

void pdtt_logfile_reopen(struct pdtt_logfile *l)
{
	int fd = open_append(l->path);

	if (fd < 0) {
		pdtt_say("log %s: reopen failed: %s; still writing to the old file; check that "
			 "the directory exists and is writable, then send SIGHUP again",
			 l->path, strerror(errno));
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
