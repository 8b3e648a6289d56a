#include "report_format.h"

#include <inttypes.h>
#include <stdio.h>

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
			   const struct pdtt_lost_info *lost)
{
	char ts[20], warn[256];

	pdtt_format_timestamp(when, ts);
	pdtt_buf_printf(b, "=== Network Statistics Report [%s] ===\n", ts);
	for (size_t i = 0; i < n; i++)
		pdtt_buf_printf(
			b, "UID: %" PRIu32 " | Username: %s\n  Total: %" PRIu64 " bytes\n---\n",
			users[i]->uid, user_name(users[i]),
			pdtt_value_total_bytes(&users[i]->total));
	pdtt_format_lost(lost, warn, sizeof(warn));
	if (warn[0])
		pdtt_buf_printf(b, "%s\n", warn);
}

void pdtt_format_console_lines(struct pdtt_buf *b, const struct tm *when,
			       const struct pdtt_user_stat *const *users, size_t n,
			       const struct pdtt_lost_info *lost)
{
	char ts[20], warn[256];

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
	if (!n)
		pdtt_buf_printf(b, "[%s] no traffic counted yet\n", ts);
	pdtt_format_lost(lost, warn, sizeof(warn));
	if (warn[0])
		pdtt_buf_printf(b, "[%s] %s\n", ts, warn);
}

static void rate(uint64_t bytes, double secs, char *out, size_t len)
{
	char h[32];

	pdtt_format_iec(secs > 0 ? (uint64_t)((double)bytes / secs) : 0, h, sizeof(h));
	snprintf(out, len, "%s/s", h);
}

void pdtt_format_console_table(struct pdtt_buf *b, const struct tm *when, double interval_secs,
			       const struct pdtt_user_stat *const *users, size_t n,
			       const struct pdtt_lost_info *lost)
{
	char ts[20], rx[32], tx[32], tot[32], rxr[40], txr[40], warn[256];

	pdtt_format_timestamp(when, ts);
	pdtt_buf_printf(b, "pdtt  %s  %zu user%s  (totals since start, rates over %.0f s)\n\n", ts,
			n, n == 1 ? "" : "s", interval_secs);
	pdtt_buf_printf(b, "%10s  %-16s %11s %11s %11s %13s %13s\n", "UID", "USER", "RX", "TX",
			"TOTAL", "RX RATE", "TX RATE");
	for (size_t i = 0; i < n; i++) {
		const struct pdtt_user_stat *u = users[i];

		pdtt_format_iec(u->total.rx_bytes, rx, sizeof(rx));
		pdtt_format_iec(u->total.tx_bytes, tx, sizeof(tx));
		pdtt_format_iec(pdtt_value_total_bytes(&u->total), tot, sizeof(tot));
		rate(u->interval.rx_bytes, interval_secs, rxr, sizeof(rxr));
		rate(u->interval.tx_bytes, interval_secs, txr, sizeof(txr));
		pdtt_buf_printf(b, "%10" PRIu32 "  %-16.16s %11s %11s %11s %13s %13s\n", u->uid,
				user_name(u), rx, tx, tot, rxr, txr);
	}
	pdtt_format_lost(lost, warn, sizeof(warn));
	if (warn[0])
		pdtt_buf_printf(b, "\n%s\n", warn);
}
