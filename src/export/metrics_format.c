/* Prometheus text format 0.0.4 and OpenMetrics 1.0: the two differ in the
 * TYPE/UNIT lines (a counter's family drops _total in OpenMetrics, an info
 * is a gauge in the text format) and in the closing '# EOF'. */
#include "metrics_format.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum kind { COUNTER, GAUGE, INFO };

const char *pdtt_metrics_content_type(enum pdtt_metrics_format f)
{
	return f == PDTT_METRICS_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; "
					       "charset=utf-8"
					     : "text/plain; version=0.0.4; charset=utf-8";
}

/* The q of one media range's parameters ("; q=0.5; version=1.0.0"): 1
 * unless given; a junk q counts as 0. */
static double range_q(const char *params, size_t len)
{
	const char *p = params, *end = params + len;

	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *s = p;

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (end - s > 2 && (s[0] == 'q' || s[0] == 'Q') && s[1] == '=') {
			char num[16];
			size_t n = (size_t)((semi ? semi : end) - (s + 2));
			char *stop;
			double q;

			if (!n || n >= sizeof(num))
				return 0;
			memcpy(num, s + 2, n);
			num[n] = '\0';
			q = strtod(num, &stop);
			while (*stop == ' ' || *stop == '\t')
				stop++;
			return *stop || q < 0 || q > 1 ? 0 : q;
		}
		p = semi ? semi + 1 : end;
	}
	return 1;
}

/* Calls each(type, len, q) for the media ranges (or codings) of an Accept
 * (or Accept-Encoding) header, and returns the highest q of the ones it
 * matched (match returns true); 0 when none did. */
static double best_q(const char *header, bool (*match)(const char *type, size_t len))
{
	const char *p = header;
	double best = 0;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *s = p, *end = p + len, *type_end;

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		type_end = s;
		while (type_end < end && *type_end != ';' && *type_end != ' ' && *type_end != '\t')
			type_end++;
		if (match(s, (size_t)(type_end - s))) {
			double q = range_q(type_end, (size_t)(end - type_end));

			if (q > best)
				best = q;
		}
		p = comma ? comma + 1 : NULL;
	}
	return best;
}

static bool is(const char *s, size_t len, const char *want)
{
	return len == strlen(want) && !strncasecmp(s, want, len);
}

static bool openmetrics_range(const char *s, size_t len)
{
	return is(s, len, "application/openmetrics-text");
}

static bool text_range(const char *s, size_t len)
{
	return is(s, len, "text/plain") || is(s, len, "text/*") || is(s, len, "*/*");
}

static bool gzip_coding(const char *s, size_t len)
{
	return is(s, len, "gzip") || is(s, len, "x-gzip");
}

enum pdtt_metrics_format pdtt_metrics_negotiate(const char *accept)
{
	double om = best_q(accept, openmetrics_range), text = best_q(accept, text_range);

	/* a tie goes to OpenMetrics: what a scraper names outright */
	return om > 0 && om >= text ? PDTT_METRICS_OPENMETRICS : PDTT_METRICS_TEXT;
}

bool pdtt_metrics_wants_gzip(const char *accept_encoding)
{
	return best_q(accept_encoding, gzip_coding) > 0;
}

/* The length of the valid UTF-8 sequence at s (1-4), or 0 (overlong forms,
 * surrogates and code points past U+10FFFF are not valid). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void pdtt_metrics_label(struct pdtt_buf *out, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;

	while (*s) {
		size_t n = utf8_len(s);

		if (*s == '\\' || *s == '"')
			pdtt_buf_printf(out, "\\%c", *s);
		else if (*s == '\n')
			pdtt_buf_printf(out, "\\n");
		else if (!n)
			pdtt_buf_printf(out, "\xef\xbf\xbd"); /* U+FFFD */
		else
			pdtt_buf_printf(out, "%.*s", (int)n, (const char *)s);
		s += n ? n : 1;
	}
}

/* A family's HELP, TYPE (and UNIT) lines.  base is the OpenMetrics family
 * name; the text format names a counter base_total and an info base_info. */
static void family(struct pdtt_buf *out, enum pdtt_metrics_format f, const char *base, enum kind k,
		   const char *unit, const char *help)
{
	static const char *const om_type[] = { "counter", "gauge", "info" };
	static const char *const suffix[] = { "_total", "", "_info" };

	if (f == PDTT_METRICS_OPENMETRICS) {
		pdtt_buf_printf(out, "# TYPE %s %s\n", base, om_type[k]);
		if (unit)
			pdtt_buf_printf(out, "# UNIT %s %s\n", base, unit);
		pdtt_buf_printf(out, "# HELP %s %s\n", base, help);
		return;
	}
	pdtt_buf_printf(out, "# HELP %s%s %s\n", base, suffix[k], help);
	pdtt_buf_printf(out, "# TYPE %s%s %s\n", base, suffix[k],
			k == COUNTER ? "counter" : "gauge");
}

static void user_labels(struct pdtt_buf *out, const struct pdtt_metrics_view *v,
			const struct pdtt_metrics_user *u)
{
	pdtt_buf_printf(out, "{uid=\"%" PRIu32 "\"", u->uid);
	if (v->per_interface) {
		pdtt_buf_printf(out, ",interface=\"");
		pdtt_metrics_label(out, u->iface);
		pdtt_buf_printf(out, "\",netns=\"");
		pdtt_metrics_label(out, u->netns);
		pdtt_buf_printf(out, "\"");
	}
	pdtt_buf_printf(out, "}");
}

static void user_counters(struct pdtt_buf *out, const struct pdtt_metrics_view *v,
			  enum pdtt_metrics_format f)
{
	static const struct {
		const char *base, *unit, *help;
		size_t off;
	} c[] = {
		{ "pdtt_user_receive_bytes", "bytes",
		  "IP-layer bytes the user's sockets received, as committed to the history",
		  offsetof(struct pdtt_metrics_user, rx_bytes) },
		{ "pdtt_user_transmit_bytes", "bytes",
		  "IP-layer bytes the user's sockets sent, as committed to the history",
		  offsetof(struct pdtt_metrics_user, tx_bytes) },
		{ "pdtt_user_receive_packets", NULL,
		  "Packets the user's sockets received, as committed to the history",
		  offsetof(struct pdtt_metrics_user, rx_packets) },
		{ "pdtt_user_transmit_packets", NULL,
		  "Packets the user's sockets sent, as committed to the history",
		  offsetof(struct pdtt_metrics_user, tx_packets) },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		family(out, f, c[i].base, COUNTER, c[i].unit, c[i].help);
		for (size_t j = 0; j < v->n_users; j++) {
			const struct pdtt_metrics_user *u = &v->users[j];
			uint64_t n;

			memcpy(&n, (const char *)u + c[i].off, sizeof(n));
			pdtt_buf_printf(out, "%s_total", c[i].base);
			user_labels(out, v, u);
			pdtt_buf_printf(out, " %" PRIu64 "\n", n);
		}
	}
}

/* One info series per named user, also with per-interface rows. */
static void user_info(struct pdtt_buf *out, const struct pdtt_metrics_view *v,
		      enum pdtt_metrics_format f)
{
	family(out, f, "pdtt_user", INFO, NULL,
	       "The user name of a uid (join on uid; the counters carry only the uid)");
	for (size_t j = 0; j < v->n_users; j++) {
		const struct pdtt_metrics_user *u = &v->users[j];

		if (!u->name[0] || (j && v->users[j - 1].uid == u->uid))
			continue;
		pdtt_buf_printf(out, "pdtt_user_info{uid=\"%" PRIu32 "\",user=\"", u->uid);
		pdtt_metrics_label(out, u->name);
		pdtt_buf_printf(out, "\"} 1\n");
	}
}

static void quotas(struct pdtt_buf *out, const struct pdtt_metrics_view *v,
		   enum pdtt_metrics_format f)
{
	for (int used = 0; used < 2; used++) {
		const char *base = used ? "pdtt_quota_used_bytes" : "pdtt_quota_limit_bytes";

		family(out, f, base, GAUGE, "bytes",
		       used ? "Bytes the user moved in the quota's current period"
			    : "The user's quota in its current period (own or the default)");
		for (size_t i = 0; i < v->n_quotas; i++) {
			const struct pdtt_metrics_quota *q = &v->quotas[i];

			pdtt_buf_printf(
				out, "%s{uid=\"%" PRIu32 "\",per=\"%s\",dir=\"%s\"} %" PRIu64 "\n",
				base, q->uid, q->per, q->dir, used ? q->used : q->limit);
		}
	}
}

static void gauge_u64(struct pdtt_buf *out, enum pdtt_metrics_format f, const char *name,
		      const char *unit, const char *help, uint64_t value)
{
	family(out, f, name, GAUGE, unit, help);
	pdtt_buf_printf(out, "%s %" PRIu64 "\n", name, value);
}

static void counter_u64(struct pdtt_buf *out, enum pdtt_metrics_format f, const char *base,
			const char *unit, const char *help, uint64_t value)
{
	family(out, f, base, COUNTER, unit, help);
	pdtt_buf_printf(out, "%s_total %" PRIu64 "\n", base, value);
}

static void health(struct pdtt_buf *out, const struct pdtt_metrics_view *v,
		   enum pdtt_metrics_format f)
{
	const struct pdtt_metrics_health *h = v->health;
	size_t users = 0;

	for (size_t j = 0; j < v->n_users; j++)
		users += !j || v->users[j - 1].uid != v->users[j].uid;
	family(out, f, "pdtt_build", INFO, NULL, "The daemon's version and database schema");
	pdtt_buf_printf(out, "pdtt_build_info{version=\"");
	pdtt_metrics_label(out, h->version);
	pdtt_buf_printf(out, "\",schema=\"%d\"} 1\n", h->schema);
	gauge_u64(out, f, "pdtt_start_time_seconds", "seconds",
		  "When the daemon started, in seconds since the epoch", (uint64_t)h->start_time);
	family(out, f, "pdtt_last_commit_timestamp_seconds", GAUGE, "seconds",
	       "End of the last interval stored in the history, in seconds since the epoch");
	if (h->last_commit > 0)
		pdtt_buf_printf(out, "pdtt_last_commit_timestamp_seconds %" PRId64 "\n",
				h->last_commit);
	counter_u64(out, f, "pdtt_commit_failures", NULL,
		    "Intervals the history could not store since the daemon started (each is "
		    "carried into the next commit)",
		    h->commit_failures);
	counter_u64(out, f, "pdtt_lost_bytes", "bytes",
		    "Bytes not counted because the kernel table was full", h->lost_bytes);
	counter_u64(out, f, "pdtt_lost_packets", NULL,
		    "Packets not counted because the kernel table was full", h->lost_packets);
	gauge_u64(out, f, "pdtt_kernel_table_entries", NULL,
		  "Keys (user, interface, network namespace) in the kernel table",
		  h->table_entries);
	gauge_u64(out, f, "pdtt_kernel_table_max_entries", NULL,
		  "Keys the kernel table can hold (--max-entries)", h->table_max_entries);
	family(out, f, "pdtt_interval_seconds", GAUGE, "seconds", "The statistics interval (-t)");
	pdtt_buf_printf(out, "pdtt_interval_seconds %.9g\n", h->interval_seconds);
	family(out, f, "pdtt_interval_duration_seconds", GAUGE, "seconds",
	       "How long the last interval's read, commit and report took");
	pdtt_buf_printf(out, "pdtt_interval_duration_seconds %.9g\n", h->interval_duration);
	gauge_u64(out, f, "pdtt_exported_users", NULL,
		  "Users with series here: those that moved data within the active window", users);
	gauge_u64(out, f, "pdtt_active_window_seconds", "seconds",
		  "Users seen within this long are exported (--metrics-active)",
		  h->active_window_secs);
}

void pdtt_metrics_render(struct pdtt_buf *out, const struct pdtt_metrics_view *v,
			 enum pdtt_metrics_format f)
{
	user_counters(out, v, f);
	user_info(out, v, f);
	quotas(out, v, f);
	health(out, v, f);
	if (f == PDTT_METRICS_OPENMETRICS)
		pdtt_buf_printf(out, "# EOF\n");
}
