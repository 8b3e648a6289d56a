/* The report subcommand: options, read-only database access, the named SQL
 * report for the requested grouping, and table / CSV / JSON output.  Time
 * parsing and the honest-resolution plan are pure (window.c). */
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errmsg.h"
#include "pdtt_exit.h"
#include "report_format.h"
#include "sql_embedded.h"
#include "store.h"
#include "strbuf.h"
#include "window.h"

#define MAX_FILTERS 64

enum units { UNITS_IEC, UNITS_SI, UNITS_BYTES };
enum format { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON };

struct report_opts {
	const char *db_path;
	const char *from, *to, *last, *month, *day;
	const char *users[MAX_FILTERS];
	int n_users;
	const char *ifaces[MAX_FILTERS];
	int n_ifaces;
	enum pdtt_by by;
	long top; /* 0: all */
	enum format format;
	enum units units;
	bool utc;
};

struct report_row {
	char *bucket, *user;
	int64_t bucket_start;
	uint32_t uid;
	uint64_t rx, tx, total, packets;
	double share;
};

static const char *const by_names[] = { "total", "hour", "day", "week", "month" };

static void report_usage(FILE *out)
{
	fprintf(out,
		"Usage: pdtt_xdp_user report [--db FILE] [--from T] [--to T] [--last DUR]\n"
		"         [--month YYYY-MM] [--day YYYY-MM-DD] [--user NAME|UID]... [--iface "
		"NAME]...\n"
		"         [--by total|hour|day|week|month] [--top N] [--format table|csv|json]\n"
		"         [--bytes | --iec | --si] [--utc]\n"
		"\n"
		"Per-user traffic over [from, to); with no window, the current month.\n"
		"T: 2026-10-03, 2026-10-03T14:00[:SS][Z|+02:00], today, yesterday, now, -7d, "
		"-12h.\n"
		"Times are in the daemon's time zone unless --utc or an explicit offset.\n"
		"Exit status: 0 ok, 2 usage, 3 unknown user or interface, 7 database unusable.\n");
}

static int pick(const char *arg, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(arg, names[i]))
			return i;
	return -1;
}

static int parse_report_opts(int argc, char **argv, struct report_opts *o)
{
	enum {
		O_FROM = 0x100,
		O_TO,
		O_LAST,
		O_MONTH,
		O_DAY,
		O_USER,
		O_IFACE,
		O_BY,
		O_TOP,
		O_FORMAT,
		O_BYTES,
		O_IEC,
		O_SI,
		O_UTC
	};
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "last", required_argument, NULL, O_LAST },
		{ "month", required_argument, NULL, O_MONTH },
		{ "day", required_argument, NULL, O_DAY },
		{ "user", required_argument, NULL, O_USER },
		{ "iface", required_argument, NULL, O_IFACE },
		{ "by", required_argument, NULL, O_BY },
		{ "top", required_argument, NULL, O_TOP },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "bytes", no_argument, NULL, O_BYTES },
		{ "iec", no_argument, NULL, O_IEC },
		{ "si", no_argument, NULL, O_SI },
		{ "utc", no_argument, NULL, O_UTC },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "table", "csv", "json" };
	int c, v;
	char *end;

	memset(o, 0, sizeof(*o));
	o->db_path = PDTT_DEFAULT_DB;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->db_path = optarg;
			break;
		case O_FROM:
			o->from = optarg;
			break;
		case O_TO:
			o->to = optarg;
			break;
		case O_LAST:
			o->last = optarg;
			break;
		case O_MONTH:
			o->month = optarg;
			break;
		case O_DAY:
			o->day = optarg;
			break;
		case O_USER:
		case O_IFACE:
			if ((c == O_USER ? o->n_users : o->n_ifaces) >= MAX_FILTERS)
				return pdtt_fail(PDTT_EXIT_USAGE,
						 "report: more than %d --user/--iface filters",
						 MAX_FILTERS);
			if (c == O_USER)
				o->users[o->n_users++] = optarg;
			else
				o->ifaces[o->n_ifaces++] = optarg;
			break;
		case O_BY:
			v = pick(optarg, by_names, 5);
			if (v < 0)
				return pdtt_fail(
					PDTT_EXIT_USAGE,
					"--by '%s': unknown; use total, hour, day, week or month",
					optarg);
			o->by = (enum pdtt_by)v;
			break;
		case O_TOP:
			errno = 0;
			o->top = strtol(optarg, &end, 10);
			if (errno || *end || !*optarg || o->top < 1 || o->top > 1000000)
				return pdtt_fail(PDTT_EXIT_USAGE,
						 "--top '%s': not a whole number from 1 to 1000000",
						 optarg);
			break;
		case O_FORMAT:
			v = pick(optarg, formats, 3);
			if (v < 0)
				return pdtt_fail(PDTT_EXIT_USAGE,
						 "--format '%s': unknown; use table, csv or json",
						 optarg);
			o->format = (enum format)v;
			break;
		case O_BYTES:
			o->units = UNITS_BYTES;
			break;
		case O_IEC:
			o->units = UNITS_IEC;
			break;
		case O_SI:
			o->units = UNITS_SI;
			break;
		case O_UTC:
			o->utc = true;
			break;
		case 'h':
			report_usage(stdout);
			return -1;
		case ':':
			return pdtt_fail(PDTT_EXIT_USAGE,
					 "option '%s': missing its value; see report --help",
					 argv[optind - 1]);
		default:
			return pdtt_fail(PDTT_EXIT_USAGE, "option '%s': unknown; see report --help",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return pdtt_fail(PDTT_EXIT_USAGE, "argument '%s': unexpected; see report --help",
				 argv[optind]);
	if ((o->last || o->month || o->day) && (o->from || o->to))
		return pdtt_fail(
			PDTT_EXIT_USAGE,
			"window: --last, --month and --day cannot be combined with --from/--to");
	if (!!o->last + !!o->month + !!o->day > 1)
		return pdtt_fail(PDTT_EXIT_USAGE,
				 "window: give only one of --last, --month and --day");
	return 0;
}

static char *meta_value(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static int64_t meta_mark(sqlite3 *db, const char *key)
{
	char *v = meta_value(db, key);
	int64_t t = v ? strtoll(v, NULL, 10) : INT64_MIN;

	free(v);
	return t;
}

int pdtt_resolve_user(sqlite3 *db, const char *u, int64_t *uid)
{
	sqlite3_stmt *st;

	*uid = -1;
	if (*u && strspn(u, "0123456789") == strlen(u) && strlen(u) < 11) {
		*uid = strtoll(u, NULL, 10);
	} else if (sqlite3_prepare_v2(db, "SELECT uid FROM users WHERE name = ?", -1, &st, NULL) ==
		   SQLITE_OK) {
		sqlite3_bind_text(st, 1, u, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			*uid = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (*uid < 0) {
		struct passwd pw, *res = NULL;
		char buf[4096];

		if (!getpwnam_r(u, &pw, buf, sizeof(buf), &res) && res)
			*uid = res->pw_uid;
	}
	return *uid >= 0 && *uid <= UINT32_MAX ? 0 : -1;
}

/* The uids of --user NAME|UID as a JSON array of integers. */
static int resolve_users(sqlite3 *db, const struct report_opts *o, struct pdtt_buf *json)
{
	pdtt_buf_printf(json, "[");
	for (int i = 0; i < o->n_users; i++) {
		int64_t uid;

		if (pdtt_resolve_user(db, o->users[i], &uid))
			return pdtt_fail(PDTT_EXIT_NO_IFACE,
					 "user '%s': unknown (not in the database, not in passwd); "
					 "give a user name or a numeric uid",
					 o->users[i]);
		pdtt_buf_printf(json, "%s%" PRId64, i ? "," : "", uid);
	}
	pdtt_buf_printf(json, "]");
	return 0;
}

/* --iface names as a JSON array built by SQLite (so names are escaped). */
/* A JSON array of strings, escaped by SQLite's json_array(); malloc'd, or
 * NULL on error. */
static char *json_text_array(sqlite3 *db, const char *const *items, int n)
{
	struct pdtt_buf sql;
	sqlite3_stmt *st = NULL;
	char *out = NULL;
	int rc;

	pdtt_buf_init(&sql);
	pdtt_buf_printf(&sql, "SELECT json_array(");
	for (int i = 0; i < n; i++)
		pdtt_buf_printf(&sql, "%s?", i ? "," : "");
	pdtt_buf_printf(&sql, ")");
	rc = sql.oom ? SQLITE_NOMEM : sqlite3_prepare_v2(db, sql.p, -1, &st, NULL);
	pdtt_buf_free(&sql);
	for (int i = 0; rc == SQLITE_OK && i < n; i++)
		sqlite3_bind_text(st, i + 1, items[i], -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static int resolve_ifaces(sqlite3 *db, const struct report_opts *o, char **json)
{
	sqlite3_stmt *st;
	int rc = 0;

	for (int i = 0; i < o->n_ifaces; i++) {
		if (sqlite3_prepare_v2(db, "SELECT 1 FROM interfaces WHERE name = ?", -1, &st,
				       NULL) != SQLITE_OK)
			return pdtt_fail(PDTT_EXIT_DB, "database: %s", sqlite3_errmsg(db));
		sqlite3_bind_text(st, 1, o->ifaces[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (!rc)
			return pdtt_fail(PDTT_EXIT_NO_IFACE,
					 "interface '%s': never seen in this database; "
					 "'SELECT name FROM interfaces' lists the known ones",
					 o->ifaces[i]);
	}
	*json = json_text_array(db, o->ifaces, o->n_ifaces);
	return *json ? 0 : pdtt_fail(PDTT_EXIT_DB, "database: %s", sqlite3_errmsg(db));
}

static const char *report_sql(enum pdtt_by by)
{
	switch (by) {
	case PDTT_BY_HOUR:
		return pdtt_sql_hourly;
	case PDTT_BY_DAY:
		return pdtt_sql_daily;
	case PDTT_BY_WEEK:
		return pdtt_sql_weekly;
	case PDTT_BY_MONTH:
		return pdtt_sql_monthly;
	case PDTT_BY_TOTAL:
		break;
	}
	return pdtt_sql_top_users;
}

/* The report's SELECT without its final ';', to nest it in the JSON query. */
static char *as_subquery(const char *sql)
{
	size_t n = strlen(sql);
	char *s;

	while (n && (sql[n - 1] == ';' || sql[n - 1] == '\n' || sql[n - 1] == ' '))
		n--;
	s = malloc(n + 1);
	if (s) {
		memcpy(s, sql, n);
		s[n] = '\0';
	}
	return s;
}

struct binds {
	int64_t from, to;
	long top;
	bool utc;
	const char *uids, *ifaces;
};

static void bind_report(sqlite3_stmt *st, const struct binds *b)
{
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
		const char *n = sqlite3_bind_parameter_name(st, i);

		if (!n)
			continue;
		if (!strcmp(n, ":from"))
			sqlite3_bind_int64(st, i, b->from);
		else if (!strcmp(n, ":to"))
			sqlite3_bind_int64(st, i, b->to);
		else if (!strcmp(n, ":top") && b->top)
			sqlite3_bind_int64(st, i, b->top);
		else if (!strcmp(n, ":utc"))
			sqlite3_bind_int(st, i, b->utc);
		else if (!strcmp(n, ":uids") && b->uids)
			sqlite3_bind_text(st, i, b->uids, -1, SQLITE_STATIC);
		else if (!strcmp(n, ":ifaces") && b->ifaces)
			sqlite3_bind_text(st, i, b->ifaces, -1, SQLITE_STATIC);
	}
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

static int fetch_rows(sqlite3 *db, const char *sql, const struct binds *b, struct report_row **rows,
		      size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return pdtt_fail(PDTT_EXIT_DB, "database: report query: %s", sqlite3_errmsg(db));
	bind_report(st, b);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_row *r;

		if (*n == cap) {
			struct report_row *nr =
				realloc(*rows, (cap = cap ? 2 * cap : 64) * sizeof(**rows));

			if (!nr) {
				rc = SQLITE_NOMEM;
				break;
			}
			*rows = nr;
		}
		r = &(*rows)[(*n)++];
		r->bucket = dup_col(st, 0);
		r->bucket_start = sqlite3_column_int64(st, 1);
		r->user = dup_col(st, 2);
		r->uid = (uint32_t)sqlite3_column_int64(st, 3);
		r->rx = (uint64_t)sqlite3_column_int64(st, 4);
		r->tx = (uint64_t)sqlite3_column_int64(st, 5);
		r->total = (uint64_t)sqlite3_column_int64(st, 6);
		r->packets = (uint64_t)sqlite3_column_int64(st, 7);
		r->share = sqlite3_column_double(st, 8);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pdtt_fail(PDTT_EXIT_DB, "database: report query: %s", sqlite3_errstr(rc));
	return 0;
}

/* The whole window's totals, whatever --top lists: the report's own query
 * without its limit, summed by SQLite. */
struct window_totals {
	uint64_t rx, tx, total, packets, users;
};

static int fetch_totals(sqlite3 *db, const char *sql, const struct binds *b,
			struct window_totals *t)
{
	char *sub = as_subquery(sql);
	struct binds all = *b;
	struct pdtt_buf q;
	sqlite3_stmt *st = NULL;
	int rc = PDTT_EXIT_DB;

	memset(t, 0, sizeof(*t));
	pdtt_buf_init(&q);
	all.top = 0;
	if (sub)
		pdtt_buf_printf(&q,
				"SELECT coalesce(sum(rx_bytes), 0), coalesce(sum(tx_bytes), 0), "
				"coalesce(sum(total_bytes), 0), coalesce(sum(packets), 0), "
				"count(DISTINCT uid) FROM (%s)",
				sub);
	if (!sub || q.oom || sqlite3_prepare_v2(db, q.p, -1, &st, NULL) != SQLITE_OK) {
		pdtt_fail(PDTT_EXIT_DB, "database: report totals: %s", sqlite3_errmsg(db));
		goto out;
	}
	bind_report(st, &all);
	if (sqlite3_step(st) != SQLITE_ROW) {
		pdtt_fail(PDTT_EXIT_DB, "database: report totals: %s", sqlite3_errmsg(db));
		goto out;
	}
	t->rx = (uint64_t)sqlite3_column_int64(st, 0);
	t->tx = (uint64_t)sqlite3_column_int64(st, 1);
	t->total = (uint64_t)sqlite3_column_int64(st, 2);
	t->packets = (uint64_t)sqlite3_column_int64(st, 3);
	t->users = (uint64_t)sqlite3_column_int64(st, 4);
	rc = 0;
out:
	sqlite3_finalize(st);
	pdtt_buf_free(&q);
	free(sub);
	return rc;
}

static void size_text(uint64_t v, enum units u, char *out, size_t len)
{
	if (u == UNITS_IEC)
		pdtt_format_iec(v, out, len);
	else if (u == UNITS_SI)
		pdtt_format_si(v, out, len);
	else
		snprintf(out, len, "%" PRIu64, v);
}

static void print_table(const struct report_opts *o, const struct pdtt_plan *plan,
			const char *window_text, const struct report_row *rows, size_t n,
			const struct window_totals *all)
{
	uint64_t rx = 0, tx = 0, total = 0, packets = 0;
	char a[32], b[32], c[32], notes[2048];
	bool bucketed = o->by != PDTT_BY_TOTAL;

	printf("pdtt report %s\n", window_text);
	pdtt_plan_describe(plan, notes, sizeof(notes));
	for (char *line = strtok(notes, "\n"); line; line = strtok(NULL, "\n"))
		printf("note: %s\n", line);
	printf("\n");
	if (bucketed)
		printf("%-22s ", "BUCKET");
	printf("%-16s %10s %12s %12s %12s %12s %7s\n", "USER", "UID", "RX", "TX", "TOTAL",
	       "PACKETS", "SHARE");
	for (size_t i = 0; i < n; i++) {
		const struct report_row *r = &rows[i];

		size_text(r->rx, o->units, a, sizeof(a));
		size_text(r->tx, o->units, b, sizeof(b));
		size_text(r->total, o->units, c, sizeof(c));
		if (bucketed)
			printf("%-22s ", r->bucket ? r->bucket : "");
		printf("%-16.16s %10" PRIu32 " %12s %12s %12s %12" PRIu64 " %6.2f%%\n",
		       r->user ? r->user : "(unknown)", r->uid, a, b, c, r->packets, r->share);
		rx += r->rx;
		tx += r->tx;
		total += r->total;
		packets += r->packets;
	}
	/* With --top, what the listed rows leave out of the window's total
	 * (over all buckets).  The same read transaction: never negative. */
	if (o->top) {
		uint64_t orx = all->rx > rx ? all->rx - rx : 0,
			 otx = all->tx > tx ? all->tx - tx : 0;
		uint64_t ototal = all->total > total ? all->total - total : 0;

		size_text(orx, o->units, a, sizeof(a));
		size_text(otx, o->units, b, sizeof(b));
		size_text(ototal, o->units, c, sizeof(c));
		if (bucketed)
			printf("%-22s ", "(all buckets)");
		printf("%-16s %10s %12s %12s %12s %12" PRIu64 " %6.2f%%\n", "OTHERS", "", a, b, c,
		       all->packets > packets ? all->packets - packets : 0,
		       all->total ? 100.0 * (double)ototal / (double)all->total : 0.0);
	}
	size_text(all->rx, o->units, a, sizeof(a));
	size_text(all->tx, o->units, b, sizeof(b));
	size_text(all->total, o->units, c, sizeof(c));
	if (bucketed)
		printf("%-22s ", "");
	printf("%-16s %10s %12s %12s %12s %12" PRIu64 " %7s\n", "TOTAL", "", a, b, c, all->packets,
	       n ? "100.00%" : "");
}

/* RFC 4180: CRLF line ends; fields with a comma, quote or line break quoted. */
static void csv_field(const char *s, bool last)
{
	if (s && strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else if (s) {
		fputs(s, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
}

static void print_csv(const struct report_opts *o, const struct report_row *rows, size_t n)
{
	char num[32];

	if (o->by != PDTT_BY_TOTAL)
		fputs("bucket,bucket_start,", stdout);
	fputs("user,uid,rx_bytes,tx_bytes,total_bytes,packets,share_pct\r\n", stdout);
	for (size_t i = 0; i < n; i++) {
		const struct report_row *r = &rows[i];

		if (o->by != PDTT_BY_TOTAL) {
			csv_field(r->bucket, false);
			printf("%" PRId64 ",", r->bucket_start);
		}
		csv_field(r->user, false);
		printf("%" PRIu32 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",", r->uid,
		       r->rx, r->tx, r->total, r->packets);
		snprintf(num, sizeof(num), "%.2f", r->share);
		csv_field(num, true);
	}
}

/* The plan's notes as a JSON array of strings, escaped by SQLite. */
static int plan_notes_json(sqlite3 *db, const struct pdtt_plan *plan, char **out)
{
	char notes[2048];
	const char *line[PDTT_PLAN_MAX_NOTES];
	int n = 0;

	pdtt_plan_describe(plan, notes, sizeof(notes));
	for (char *l = strtok(notes, "\n"); l && n < PDTT_PLAN_MAX_NOTES; l = strtok(NULL, "\n"))
		line[n++] = l;
	*out = json_text_array(db, line, n);
	return *out ? 0 : -1;
}

/* JSON, version 1 (docs/REPORT.md), assembled by SQLite's JSON functions. */
static int print_json(sqlite3 *db, const struct report_opts *o, const struct pdtt_plan *plan,
		      const struct binds *b, const char *tz, const struct window_totals *all)
{
	char *sub = as_subquery(report_sql(o->by)), *notes_json = NULL;
	struct pdtt_buf q;
	sqlite3_stmt *st = NULL;
	int rc = PDTT_EXIT_DB;
	char from_iso[40], to_iso[40], rfrom_iso[40], rto_iso[40];

	pdtt_buf_init(&q);
	if (!sub)
		goto out;
	if (plan_notes_json(db, plan, &notes_json))
		goto out;
	pdtt_format_time(plan->window.from, o->utc, from_iso, sizeof(from_iso));
	pdtt_format_time(plan->window.to, o->utc, to_iso, sizeof(to_iso));
	pdtt_format_time(plan->asked.from, o->utc, rfrom_iso, sizeof(rfrom_iso));
	pdtt_format_time(plan->asked.to, o->utc, rto_iso, sizeof(rto_iso));
	pdtt_buf_printf(
		&q,
		"SELECT json_object('version', 1, "
		"'window', json_object('from', :from_iso, 'to', :to_iso, 'from_epoch', :from, "
		"'to_epoch', :to, 'requested_from', :rfrom_iso, 'requested_to', :rto_iso, "
		"'timezone', :tz), "
		"'by', :by, 'notes', json(:notes), "
		"'rows', (SELECT json_group_array(json_object('bucket', bucket, 'bucket_start', "
		"bucket_start, 'user', user, 'uid', uid, 'rx_bytes', rx_bytes, 'tx_bytes', "
		"tx_bytes, "
		"'total_bytes', total_bytes, 'packets', packets, 'share_pct', share_pct)) FROM "
		"(%s)), "
		"'totals', json_object('rx_bytes', :t_rx, 'tx_bytes', :t_tx, 'total_bytes', "
		":t_total, 'packets', :t_packets, 'users', :t_users), "
		"'others', %s%s%s)",
		sub,
		o->top ? "(SELECT json_object('rx_bytes', max(0, :t_rx - "
			 "coalesce(sum(rx_bytes), 0)), 'tx_bytes', max(0, :t_tx - "
			 "coalesce(sum(tx_bytes), 0)), 'total_bytes', max(0, :t_total - "
			 "coalesce(sum(total_bytes), 0)), 'packets', max(0, :t_packets - "
			 "coalesce(sum(packets), 0)), 'share_pct', coalesce(round(100.0 * "
			 "max(0, :t_total - coalesce(sum(total_bytes), 0)) / nullif(:t_total, "
			 "0), 2), 0.0)) FROM ("
		       : "NULL",
		o->top ? sub : "", o->top ? "))" : "");
	if (q.oom || sqlite3_prepare_v2(db, q.p, -1, &st, NULL) != SQLITE_OK) {
		pdtt_fail(PDTT_EXIT_DB, "database: report query: %s", sqlite3_errmsg(db));
		goto out;
	}
	bind_report(st, b);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":from_iso"), from_iso, -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":to_iso"), to_iso, -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":rfrom_iso"), rfrom_iso, -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":rto_iso"), rto_iso, -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":tz"), tz, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":by"), by_names[o->by], -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":notes"), notes_json, -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":t_rx"), (int64_t)all->rx);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":t_tx"), (int64_t)all->tx);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":t_total"), (int64_t)all->total);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":t_packets"),
			   (int64_t)all->packets);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":t_users"), (int64_t)all->users);
	if (sqlite3_step(st) != SQLITE_ROW) {
		pdtt_fail(PDTT_EXIT_DB, "database: report query: %s", sqlite3_errmsg(db));
		goto out;
	}
	printf("%s\n", sqlite3_column_text(st, 0));
	rc = 0;
out:
	sqlite3_finalize(st);
	pdtt_buf_free(&q);
	free(sub);
	free(notes_json);
	return rc;
}

/* The window the options ask for; the current month when none is given. */
static int window_from_options(const struct report_opts *o, int64_t now, struct pdtt_window *w,
			       char *err, size_t errlen)
{
	if (o->last)
		return pdtt_window_last(o->last, now, o->utc, w, err, errlen);
	if (o->month)
		return pdtt_window_month(o->month, o->utc, w, err, errlen);
	if (o->day)
		return pdtt_window_day(o->day, o->utc, w, err, errlen);
	if (!o->from && !o->to) {
		*w = pdtt_window_current_month(now, o->utc);
		return 0;
	}
	w->from = 0; /* --to alone: everything before it */
	w->to = now; /* --from alone: up to now */
	if (o->from && pdtt_parse_time(o->from, now, o->utc, &w->from, err, errlen))
		return -1;
	if (o->to && pdtt_parse_time(o->to, now, o->utc, &w->to, err, errlen))
		return -1;
	return pdtt_window_check(w, o->utc, err, errlen);
}

int pdtt_report_main(int argc, char **argv)
{
	struct report_opts o;
	struct pdtt_store store = { 0 };
	struct pdtt_coverage cov;
	struct pdtt_window win;
	struct pdtt_plan plan;
	struct pdtt_buf uids;
	struct report_row *rows = NULL;
	struct binds b = { 0 };
	struct window_totals all = { 0 };
	char err[512], *tz = NULL, *ifaces = NULL, window_text[160], f[40], t[40];
	size_t n = 0;
	int64_t now = (int64_t)time(NULL);
	int rc = parse_report_opts(argc, argv, &o);

	if (rc)
		return rc < 0 ? PDTT_EXIT_OK : rc;
	pdtt_buf_init(&uids);
	rc = pdtt_store_open(&store, o.db_path, false, err, sizeof(err));
	if (rc) {
		pdtt_fail(rc, "%s", err);
		goto out;
	}
	/* The rollups are buckets of the daemon's zone: work in it ("local"),
	 * and show or group in UTC only where --utc asks for it. */
	/* One read transaction: the rows, the totals and the notes all see the
	 * same commits, even while the daemon writes. */
	if (sqlite3_exec(store.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		rc = pdtt_fail(PDTT_EXIT_DB, "database: %s", sqlite3_errmsg(store.db));
		goto out;
	}
	tz = meta_value(store.db, "timezone");
	if (tz && *tz)
		setenv("TZ", tz, 1);
	tzset();

	if (window_from_options(&o, now, &win, err, sizeof(err))) {
		rc = pdtt_fail(PDTT_EXIT_USAGE, "%s", err);
		goto out;
	}
	cov.samples_from = meta_mark(store.db, "pruned_samples_before");
	cov.hourly_from = meta_mark(store.db, "pruned_hourly_before");
	cov.daily_from = meta_mark(store.db, "pruned_daily_before");
	cov.monthly_from = meta_mark(store.db, "pruned_monthly_before");
	/* What the history holds; -1: nothing was ever stored.  A file from
	 * before 'first_start' was kept: estimated from its oldest rows. */
	cov.history_to = meta_mark(store.db, "last_end");
	cov.history_from = meta_mark(store.db, "first_start");
	cov.now = now;
	if (cov.history_to <= 0)
		cov.history_from = cov.history_to = -1;
	else if (cov.history_from == INT64_MIN &&
		 pdtt_store_history_start(store.db, &cov.history_from))
		cov.history_from = cov.history_to;
	if (pdtt_plan_window(&win, &cov, o.by, o.utc, &plan, err, sizeof(err))) {
		rc = pdtt_fail(PDTT_EXIT_DB, "%s", err);
		goto out;
	}

	rc = o.n_users ? resolve_users(store.db, &o, &uids) : 0;
	if (!rc && o.n_ifaces)
		rc = resolve_ifaces(store.db, &o, &ifaces);
	if (rc)
		goto out;
	b.from = plan.window.from;
	b.to = plan.window.to;
	b.top = o.top;
	b.utc = o.utc;
	b.uids = o.n_users ? uids.p : NULL;
	b.ifaces = ifaces;

	/* The window's totals: a second run of the query only where --top
	 * leaves rows out or JSON does not fetch them; else the rows' sum. */
	rc = o.format == FORMAT_JSON || (o.format == FORMAT_TABLE && o.top)
		     ? fetch_totals(store.db, report_sql(o.by), &b, &all)
		     : 0;
	if (rc)
		goto out;
	if (o.format == FORMAT_JSON) {
		rc = print_json(store.db, &o, &plan, &b, tz && *tz ? tz : "system", &all);
		goto out;
	}
	rc = fetch_rows(store.db, report_sql(o.by), &b, &rows, &n);
	if (rc)
		goto out;
	for (size_t i = 0; !o.top && i < n; i++) {
		all.rx += rows[i].rx;
		all.tx += rows[i].tx;
		all.total += rows[i].total;
		all.packets += rows[i].packets;
	}
	pdtt_format_time(plan.window.from, o.utc, f, sizeof(f));
	pdtt_format_time(plan.window.to, o.utc, t, sizeof(t));
	snprintf(window_text, sizeof(window_text), "[%s, %s) by %s", f, t, by_names[o.by]);
	if (o.format == FORMAT_CSV) {
		char notes[2048];

		pdtt_plan_describe(&plan, notes, sizeof(notes));
		for (char *line = strtok(notes, "\n"); line; line = strtok(NULL, "\n"))
			fprintf(stderr, "pdtt: note: %s\n", line);
		print_csv(&o, rows, n);
	} else {
		print_table(&o, &plan, window_text, rows, n, &all);
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(rows[i].bucket);
		free(rows[i].user);
	}
	free(rows);
	free(tz);
	free(ifaces);
	pdtt_buf_free(&uids);
	if (store.db && !sqlite3_get_autocommit(store.db))
		sqlite3_exec(store.db, "COMMIT", NULL, NULL, NULL);
	pdtt_store_close(&store);
	return rc;
}
