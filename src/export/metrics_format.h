/* The Prometheus exposition of the committed history: the text format 0.0.4
 * and OpenMetrics 1.0, made from plain rows.  Pure: no I/O, no clock. */
#ifndef PDTT_METRICS_FORMAT_H
#define PDTT_METRICS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

enum pdtt_metrics_format {
	PDTT_METRICS_TEXT,	  /* text/plain; version=0.0.4 */
	PDTT_METRICS_OPENMETRICS, /* application/openmetrics-text; version=1.0.0 */
};

/* One user's lifetime totals (per interface with --metrics-per-interface:
 * then iface and netns are set, and a user has one row per interface). */
struct pdtt_metrics_user {
	uint32_t uid;
	char name[64]; /* "" when no passwd entry was ever seen */
	char iface[24], netns[24];
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
};

/* One quota in its current period (the daemon's quota check). */
struct pdtt_metrics_quota {
	uint32_t uid;
	const char *per; /* "day", "week", "month" */
	const char *dir; /* "total", "rx", "tx" */
	uint64_t limit, used;
};

/* The daemon's own state. */
struct pdtt_metrics_health {
	const char *version;
	int schema;
	int64_t start_time;	     /* the daemon's start, epoch seconds */
	int64_t last_commit;	     /* end of the last stored interval; 0: none yet */
	uint64_t commit_failures;    /* intervals whose commit failed, this run */
	uint64_t lost_bytes;	     /* not counted: the kernel table was full */
	uint64_t lost_packets;	     /* (since the map was made) */
	uint64_t table_entries;	     /* keys in the kernel table now */
	uint64_t table_max_entries;  /* its size */
	double interval_seconds;     /* -t */
	double interval_duration;    /* how long the last interval's work took */
	unsigned active_window_secs; /* users seen within this long are exported */
};

struct pdtt_metrics_view {
	const struct pdtt_metrics_user *users; /* sorted by uid (then interface) */
	size_t n_users;
	bool per_interface;
	const struct pdtt_metrics_quota *quotas;
	size_t n_quotas;
	const struct pdtt_metrics_health *health;
};

/* The format a scraper's Accept header asks for: OpenMetrics when it names
 * application/openmetrics-text with a q above 0 and at least that of
 * text/plain (or text/ *, * / *); else the text format (also for NULL, an
 * empty header or junk). */
enum pdtt_metrics_format pdtt_metrics_negotiate(const char *accept);
const char *pdtt_metrics_content_type(enum pdtt_metrics_format f);
/* Whether an Accept-Encoding header takes gzip (q above 0). */
bool pdtt_metrics_wants_gzip(const char *accept_encoding);

/* Appends a label value, escaped for both formats (\\, \" and \n), with
 * bytes that are not UTF-8 replaced by U+FFFD: one bad name must not make
 * the scrape fail. */
void pdtt_metrics_label(struct pdtt_buf *out, const char *value);

/* The whole exposition (OpenMetrics ends with '# EOF'). */
void pdtt_metrics_render(struct pdtt_buf *out, const struct pdtt_metrics_view *v,
			 enum pdtt_metrics_format f);

/* Series a user adds: 4 counters (per interface: 4 per interface), one
 * info, and 2 per quota kind that applies (README, Metrics). */
#define PDTT_METRICS_SERIES_PER_USER 5

#endif
