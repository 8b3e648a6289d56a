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
 * users busiest first; a WARNING line follows when counts were lost. */
void pdtt_format_log_block(struct pdtt_buf *b, const struct tm *when,
			   const struct pdtt_user_stat *const *users, size_t n,
			   const struct pdtt_lost_info *lost);

/* Console lines for pipes and journald: one key=value line per user. */
void pdtt_format_console_lines(struct pdtt_buf *b, const struct tm *when,
			       const struct pdtt_user_stat *const *users, size_t n,
			       const struct pdtt_lost_info *lost);

/* Console table for terminals: human-readable sizes and per-second rates
 * over the last interval of interval_secs seconds. */
void pdtt_format_console_table(struct pdtt_buf *b, const struct tm *when, double interval_secs,
			       const struct pdtt_user_stat *const *users, size_t n,
			       const struct pdtt_lost_info *lost);

/* "512 B", "1.5 KiB", "3.2 GiB" ... */
void pdtt_format_iec(uint64_t bytes, char *out, size_t len);
/* "512 B", "1.5 kB", "3.2 GB" ... (powers of 1000) */
void pdtt_format_si(uint64_t bytes, char *out, size_t len);

/* The warning text about lost counts (no newline), or "" when none. */
void pdtt_format_lost(const struct pdtt_lost_info *lost, char *out, size_t len);

#endif
