#include "report_format.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void pdtt_format_timestamp(const struct tm *t, char out[20])
{
	if (!strftime(out, 20, "%Y-%m-%d %H:%M:%S", t))
		snprintf(out, 20, "0000-00-00 00:00:00");
}

/* bytes in units of base (1024 or 1000), one decimal from the first unit up */
static void format_scaled(uint64_t bytes, double base, const char *const units[6], char *out,
			  size_t len)
{
	double v = (double)bytes / base;
	int u = 0;

	if ((double)bytes < base) {
		snprintf(out, len, "%" PRIu64 " B", bytes);
		return;
	}
	while (v >= base && u < 5) {
		v /= base;
		u++;
	}
	snprintf(out, len, "%.1f %s", v, units[u]);
}

void pdtt_format_iec(uint64_t bytes, char *out, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

	format_scaled(bytes, 1024.0, units, out, len);
}

void pdtt_format_si(uint64_t bytes, char *out, size_t len)
{
	static const char *const units[] = { "kB", "MB", "GB", "TB", "PB", "EB" };

	format_scaled(bytes, 1000.0, units, out, len);
}

void pdtt_format_lost(const struct pdtt_lost_info *lost, char *out, size_t len)
{
	out[0] = '\0';
	if (!lost || (!lost->packets && !lost->bytes))
		return;
	snprintf(out, len,
		 "WARNING: %" PRIu64 " packets (%" PRIu64 " bytes) not counted since start: "
		 "per-user table full (%u entries); %s",
		 lost->packets, lost->bytes, lost->max_entries,
		 lost->pinned ? "run 'pdtt_xdp_user stop', then start again with a larger "
				"--max-entries (the pinned table keeps its size until stop)"
			      : "restart with a larger --max-entries");
}

static const char *user_name(const struct pdtt_user_stat *u)
{
	return u->name[0] ? u->name : PDTT_UNKNOWN_USER;
}

void pdtt_format_log_block(struct pdtt_buf *b, const struct tm *when,
			   const struct pdtt_user_stat *const *users, size_t n,
			   const struct pdtt_lost_info *lost, bool changed_only)
{
	char ts[20], warn[256];

	pdtt_format_timestamp(when, ts);
	pdtt_buf_printf(b, "=== Network Statistics Report [%s] ===\n", ts);
	for (size_t i = 0; i < n; i++)
		if (!changed_only || !pdtt_value_is_zero(&users[i]->interval))
			pdtt_buf_printf(b,
					"UID: %" PRIu32 " | Username: %s\n  Total: %" PRIu64
					" bytes\n---\n",
					users[i]->uid, user_name(users[i]),
					pdtt_value_total_bytes(&users[i]->total));
	pdtt_format_lost(lost, warn, sizeof(warn));
	if (warn[0])
		pdtt_buf_printf(b, "%s\n", warn);
}

long pdtt_clock_hour(const struct tm *t)
{
	return ((long)t->tm_year * 366 + t->tm_yday) * 24 + t->tm_hour;
}

bool pdtt_log_full_due(const struct pdtt_log_schedule *s, long hour, double now, bool final)
{
	return final || s->need_full || hour != s->full_hour || now - s->full_at >= 3600.0;
}

void pdtt_log_full_done(struct pdtt_log_schedule *s, long hour, double now)
{
	s->need_full = false;
	s->full_hour = hour;
	s->full_at = now;
}

void pdtt_format_console_users(struct pdtt_buf *b, const struct tm *when,
			       const struct pdtt_user_stat *const *users, size_t n)
{
	char ts[20];

	pdtt_format_timestamp(when, ts);
	for (size_t i = 0; i < n; i++) {
		const struct pdtt_value *v = &users[i]->total;

		pdtt_buf_printf(b,
				"[%s] uid=%" PRIu32 " user=%s rx_bytes=%" PRIu64
				" tx_bytes=%" PRIu64 " rx_packets=%" PRIu64 " tx_packets=%" PRIu64
				" total_bytes=%" PRIu64 "\n",
				ts, users[i]->uid, user_name(users[i]), (uint64_t)v->rx_bytes,
				(uint64_t)v->tx_bytes, (uint64_t)v->rx_packets,
				(uint64_t)v->tx_packets, pdtt_value_total_bytes(v));
	}
}

void pdtt_format_console_summary(struct pdtt_buf *b, const struct tm *when,
				 const struct pdtt_console_view *v)
{
	char ts[20], warn[256];

	pdtt_format_timestamp(when, ts);
	pdtt_buf_printf(b,
			"[%s] users=%zu active=%zu rx_bytes=%" PRIu64 " tx_bytes=%" PRIu64
			" rx_packets=%" PRIu64 " tx_packets=%" PRIu64 " total_bytes=%" PRIu64
			" interval_bytes=%" PRIu64 "\n",
			ts, v->n, v->active, (uint64_t)v->total.rx_bytes,
			(uint64_t)v->total.tx_bytes, (uint64_t)v->total.rx_packets,
			(uint64_t)v->total.tx_packets, pdtt_value_total_bytes(&v->total),
			pdtt_value_total_bytes(&v->interval));
	pdtt_format_lost(v->lost, warn, sizeof(warn));
	if (warn[0])
		pdtt_buf_printf(b, "[%s] %s\n", ts, warn);
}

static void rate(uint64_t bytes, double secs, char *out, size_t len)
{
	pdtt_format_iec(secs > 0 ? (uint64_t)((double)bytes / secs) : 0, out, len);
}

/* 79 columns: fits an 80-column terminal without wrapping. */
#define TABLE_ROW "%10s  %-12.12s %10s %10s %10s %10s %10s\n"
#define TABLE_WIDTH 79

static void table_row(struct pdtt_buf *b, const char *uid, const char *name,
		      const struct pdtt_value *total, const struct pdtt_value *interval,
		      double secs)
{
	char rx[32], tx[32], tot[32], rxr[32], txr[32];

	pdtt_format_iec(total->rx_bytes, rx, sizeof(rx));
	pdtt_format_iec(total->tx_bytes, tx, sizeof(tx));
	pdtt_format_iec(pdtt_value_total_bytes(total), tot, sizeof(tot));
	rate(interval->rx_bytes, secs, rxr, sizeof(rxr));
	rate(interval->tx_bytes, secs, txr, sizeof(txr));
	pdtt_buf_printf(b, TABLE_ROW, uid, name, rx, tx, tot, rxr, txr);
}

/* Screen rows a line of len characters takes on a terminal of cols columns. */
static unsigned rows_of(size_t len, unsigned cols)
{
	return !cols || len <= cols ? 1 : (unsigned)((len + cols - 1) / cols);
}

/* How many users fit: the title, a blank line, the column header, TOTAL, a
 * warning (blank line and text) and the cursor's last line are not users;
 * each line counts the rows it wraps into.  At least one user. */
static size_t table_user_rows(const struct pdtt_screen *scr, size_t n, size_t title_len,
			      size_t warn_len)
{
	unsigned per = rows_of(TABLE_WIDTH, scr->cols), fixed, room;

	if (!scr->rows)
		return n;
	fixed = rows_of(title_len, scr->cols) + 1 + 2 * per + 1;
	if (warn_len)
		fixed += 1 + rows_of(warn_len, scr->cols);
	room = scr->rows > fixed ? scr->rows - fixed : 0;
	if (n <= room / per)
		return n;
	room = room > 1 ? room - 1 : 0; /* one line says how many more */
	return room / per ? room / per : 1;
}

void pdtt_format_console_table(struct pdtt_buf *b, const struct tm *when, double interval_secs,
			       const struct pdtt_console_view *v, const struct pdtt_screen *scr)
{
	char ts[20], warn[256], uid[16], label[40], title[160];
	size_t shown;

	pdtt_format_timestamp(when, ts);
	pdtt_format_lost(v->lost, warn, sizeof(warn));
	snprintf(title, sizeof(title), "pdtt  %s  %zu user%s, %zu active  (rates over %.0f s)", ts,
		 v->n, v->n == 1 ? "" : "s", v->active, interval_secs);
	shown = table_user_rows(scr, v->n, strlen(title), strlen(warn));
	pdtt_buf_printf(b, "%s\n\n", title);
	pdtt_buf_printf(b, TABLE_ROW, "UID", "USER", "RX", "TX", "TOTAL", "RX/s", "TX/s");
	for (size_t i = 0; i < shown; i++) {
		snprintf(uid, sizeof(uid), "%" PRIu32, v->users[i]->uid);
		table_row(b, uid, user_name(v->users[i]), &v->users[i]->total,
			  &v->users[i]->interval, interval_secs);
	}
	if (shown < v->n)
		pdtt_buf_printf(b, "%10s  %zu more user%s\n", "...", v->n - shown,
				v->n - shown == 1 ? "" : "s");
	snprintf(label, sizeof(label), "(%zu)", v->n);
	table_row(b, "TOTAL", label, &v->total, &v->interval, interval_secs);
	if (warn[0])
		pdtt_buf_printf(b, "\n%s\n", warn);
}
