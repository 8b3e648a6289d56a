/* Text the daemon writes: the original tool's log block and the console views.
 * Pure functions: callers pass the time already broken down. */
#ifndef PDTT_REPORT_FORMAT_H
#define PDTT_REPORT_FORMAT_H

#include <stdbool.h>
#include <time.h>

#include "strbuf.h"
#include "user_totals.h"

struct pdtt_lost_info {
	uint64_t bytes, packets; /* not counted since the daemon started */
	unsigned max_entries;	 /* the kernel table's real size */
	bool pinned;		 /* it outlives the daemon: only 'stop' resizes it */
};

/* "YYYY-MM-DD HH:MM:SS" */
void pdtt_format_timestamp(const struct tm *when, char out[20]);

/* Appends the README's block:
 *   === Network Statistics Report [YYYY-MM-DD HH:MM:SS] ===
 *   UID: N | Username: NAME
 *     Total: N bytes
 *   ---
 * for users[0..n) in their order, or with changed_only only those whose
 * counters changed in the last interval; a WARNING line follows when counts
 * were lost. */
void pdtt_format_log_block(struct pdtt_buf *b, const struct tm *when,
			   const struct pdtt_user_stat *const *users, size_t n,
			   const struct pdtt_lost_info *lost, bool changed_only);

/* The log's full-block schedule: a block lists the users whose totals
 * changed in its interval, and the first block of every clock hour (and of
 * the daemon, of a reopened file, after a failed write, and at exit) lists
 * everyone, so the last full list is never much more than an hour old. */
struct pdtt_log_schedule {
	bool need_full; /* set at start, after a reopen or a failed write */
	long full_hour; /* pdtt_clock_hour() of the last full block */
	double full_at; /* monotonic seconds of the last full block */
};

/* The local clock hour of *t as one number: differs between any two hours. */
long pdtt_clock_hour(const struct tm *t);
/* Whether the block written at clock hour 'hour', monotonic time 'now',
 * lists every user.  Also full when the clock stands still for an hour. */
bool pdtt_log_full_due(const struct pdtt_log_schedule *s, long hour, double now, bool final);
/* Records a full block written successfully. */
void pdtt_log_full_done(struct pdtt_log_schedule *s, long hour, double now);

/* What the console shows for one interval. */
struct pdtt_console_view {
	const struct pdtt_user_stat *const *users; /* the order to show them in */
	size_t n;				   /* users since start */
	size_t active;				   /* users whose counters changed */
	struct pdtt_value total, interval;	   /* all users together */
	const struct pdtt_lost_info *lost;
};

/* Console lines for pipes and journald: one key=value line for each of
 * users[0..n) (the callers pass those that changed), nothing else. */
void pdtt_format_console_users(struct pdtt_buf *b, const struct tm *when,
			       const struct pdtt_user_stat *const *users, size_t n);
/* The one summary line per interval, and a warning line when counts were lost:
 *   [YYYY-MM-DD HH:MM:SS] users=N active=N rx_bytes=N tx_bytes=N rx_packets=N
 *   tx_packets=N total_bytes=N interval_bytes=N */
void pdtt_format_console_summary(struct pdtt_buf *b, const struct tm *when,
				 const struct pdtt_console_view *v);

/* A terminal's size; 0 rows: no limit, 0 cols: lines never wrap. */
struct pdtt_screen {
	unsigned rows, cols;
};

/* Console table for terminals, 79 columns wide: totals since start in
 * human-readable sizes and per-second rates over the last interval of
 * interval_secs seconds; the first users that fit the screen (counting the
 * rows a line wraps into on a narrower one), a line counting the rest and a
 * TOTAL line with everyone's, its USER column the number of users. */
void pdtt_format_console_table(struct pdtt_buf *b, const struct tm *when, double interval_secs,
			       const struct pdtt_console_view *v, const struct pdtt_screen *scr);

/* "512 B", "1.5 KiB", "3.2 GiB" ... */
void pdtt_format_iec(uint64_t bytes, char *out, size_t len);
/* "512 B", "1.5 kB", "3.2 GB" ... (powers of 1000) */
void pdtt_format_si(uint64_t bytes, char *out, size_t len);

/* The warning text about lost counts (no newline), or "" when none. */
void pdtt_format_lost(const struct pdtt_lost_info *lost, char *out, size_t len);

#endif
