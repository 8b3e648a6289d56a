/* The report subcommand: options, read-only database access, the window's
 * buckets and their rows (sql/report/window_rows.sql), summed per user by
 * report_sums.c, and table / CSV / JSON output.  Time parsing and the
 * honest-resolution plan are pure (window.c). */
#include "report.h"

#include <ctype.h>
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

#include "config_file.h"
#include "errmsg.h"
#include "pdtt_exit.h"
#include "report_format.h"
#include "report_sums.h"
#include "sql_embedded.h"
#include "store.h"
#include "strbuf.h"
#include "window.h"
#include "zone.h"

#define MAX_FILTERS 64

enum units { UNITS_IEC, UNITS_SI, UNITS_BYTES };
enum format { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON };

struct report_opts {
	const char *db_path;
	char db_buf[4096]; /* the --config file's db */
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

/* A user's name as the report prints it, and as a JSON string. */
struct user_name {
	uint32_t uid;
	char *name, *json;
};

struct report_row {
	size_t bucket; /* index of its label; NO_BUCKET with --by total */
	int64_t bucket_start;
	const struct user_name *user; /* NULL: not in the users table */
	uint32_t uid;
	uint64_t rx, tx, total, packets;
	double share;
	bool has_share; /* false: the window moved no bytes */
};

#define NO_BUCKET SIZE_MAX

/* The whole window's totals, whatever --top lists. */
struct window_totals {
	uint64_t rx, tx, total, packets, users;
};

/* What the report lists: its rows, the labels of their buckets, the names
 * they point to and the window's totals. */
struct report_result {
	struct report_row *rows;
	size_t n, cap;
	char (*labels)[40];
	size_t nlabels, labels_cap;
	struct user_name *names; /* sorted by uid */
	size_t nnames;
	struct window_totals all;
};

static const char *const by_names[] = { "total", "hour", "day", "week", "month" };

static void report_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s report [--db FILE | --config FILE] [--from T] [--to T] [--last DUR]\n"
		"         [--month YYYY-MM] [--day YYYY-MM-DD] [--user NAME|UID]... [--iface "
		"NAME]...\n"
		"         [--by total|hour|day|week|month] [--top N] [--format table|csv|json]\n"
		"         [--bytes | --iec | --si] [--utc]\n"
		"\n"
		"Per-user traffic over [from, to); with no window, the current month.\n"
		"T: 2026-10-03, 2026-10-03T14:00[:SS][Z|+02:00], today, yesterday, now, -7d, "
		"-12h.\n"
		"Times are in the daemon's time zone unless --utc or an explicit offset.\n"
		"--config FILE takes the database from the daemon's configuration file.\n"
		"Exit status: 0 ok, 2 usage, 3 unknown user or interface, 7 database unusable.\n",
		pdtt_progname());
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
		O_UTC,
		O_CONFIG
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
		{ "config", required_argument, NULL, O_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "table", "csv", "json" };
	const char *conf = NULL;
	bool db_given = false;
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
			db_given = true;
			break;
		case O_CONFIG:
			conf = optarg;
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
			if (errno || *end || !isdigit((unsigned char)optarg[0]) || o->top < 1 ||
			    o->top > 1000000)
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
	if (pdtt_config_db(conf, db_given, &o->db_path, o->db_buf, sizeof(o->db_buf)))
		return PDTT_EXIT_USAGE;
	if ((o->last || o->month || o->day) && (o->from || o->to))
		return pdtt_fail(
			PDTT_EXIT_USAGE,
			"window: --last, --month and --day cannot be combined with --from/--to");
	if (!!o->last + !!o->month + !!o->day > 1)
		return pdtt_fail(PDTT_EXIT_USAGE,
				 "window: give only one of --last, --month and --day");
	return 0;
}

static int64_t meta_mark(sqlite3 *db, const char *key)
{
	return pdtt_store_meta_int(db, key, INT64_MIN);
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

struct binds {
	int64_t from, to;
	long top;
	bool utc;
	const char *uids, *ifaces;
};

static void bind_named(sqlite3_stmt *st, const char *name, const char *text)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i)
		sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
}

/* Every user's name, and the name as a JSON string (escaped by SQLite). */
static int load_names(sqlite3 *db, struct report_result *res)
{
	/* CAST: a name stored as a BLOB prints as its bytes, as the named
	 * reports print it, and json_quote() accepts it */
	static const char sql[] = "SELECT uid, CAST(name AS TEXT), json_quote(CAST(name AS TEXT)) "
				  "FROM users WHERE name IS NOT NULL "
				  "AND uid BETWEEN 0 AND 4294967295 ORDER BY uid";
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return pdtt_fail(PDTT_EXIT_DB, "database: users: %s", sqlite3_errmsg(db));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *name = sqlite3_column_text(st, 1);
		const unsigned char *json = sqlite3_column_text(st, 2);
		struct user_name *u;

		if (res->nnames == cap) {
			struct user_name *nv =
				realloc(res->names, (cap = cap ? 2 * cap : 256) * sizeof(*nv));

			if (!nv) {
				rc = SQLITE_NOMEM;
				break;
			}
			res->names = nv;
		}
		u = &res->names[res->nnames];
		u->uid = (uint32_t)sqlite3_column_int64(st, 0);
		/* NULL here is SQLite out of memory: the query keeps no NULL names */
		u->name = name ? strdup((const char *)name) : NULL;
		u->json = json ? strdup((const char *)json) : NULL;
		if (!u->name || !u->json) {
			free(u->name);
			free(u->json);
			rc = SQLITE_NOMEM;
			break;
		}
		res->nnames++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pdtt_fail(PDTT_EXIT_DB, "database: users: %s",
				 rc == SQLITE_NOMEM ? sqlite3_errstr(rc) : sqlite3_errmsg(db));
	return 0;
}

static int by_uid(const void *key, const void *elem)
{
	uint32_t uid = *(const uint32_t *)key, other = ((const struct user_name *)elem)->uid;

	return uid < other ? -1 : uid > other;
}

static const struct user_name *find_name(const struct report_result *res, uint32_t uid)
{
	return res->nnames ? bsearch(&uid, res->names, res->nnames, sizeof(*res->names), by_uid)
			   : NULL;
}

static int add_label(struct report_result *res, enum pdtt_by by, int64_t start, bool utc)
{
	struct tm tm;
	time_t tt = (time_t)start;

	if (res->nlabels == res->labels_cap) {
		size_t cap = res->labels_cap ? 2 * res->labels_cap : 64;
		char(*nl)[40] = realloc(res->labels, cap * sizeof(*nl));

		if (!nl)
			return -1;
		res->labels = nl;
		res->labels_cap = cap;
	}
	/* the offset SQLite's 'localtime' sees at the bucket's start; a time
	 * localtime_r cannot convert (far outside time_t's years) as UTC */
	if (utc || !localtime_r(&tt, &tm))
		tm.tm_gmtoff = 0;
	pdtt_report_label(by, start, tm.tm_gmtoff, res->labels[res->nlabels],
			  sizeof(res->labels[0]));
	res->nlabels++;
	return 0;
}

/* The bucket's users, busiest first (the first 'top' with --top). */
static int list_bucket(struct report_result *res, const struct pdtt_sums *s, size_t bucket,
		       int64_t start, long top)
{
	size_t n = top && (size_t)top < s->n ? (size_t)top : s->n;

	if (res->n + n > res->cap) {
		size_t cap = res->cap ? res->cap : 256;
		struct report_row *nr;

		while (cap < res->n + n)
			cap *= 2;
		nr = realloc(res->rows, cap * sizeof(*nr));
		if (!nr)
			return -1;
		res->rows = nr;
		res->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pdtt_user_sum *u = &s->v[i];

		res->rows[res->n++] = (struct report_row){
			.bucket = bucket,
			.bucket_start = start,
			.user = find_name(res, u->uid),
			.uid = u->uid,
			.rx = u->rx,
			.tx = u->tx,
			.total = pdtt_sum_total(u),
			.packets = u->packets,
		};
	}
	return 0;
}

/* Reads one bucket's rows, [lo, hi), into s. */
static int read_bucket(sqlite3 *db, sqlite3_stmt *st, int64_t lo, int64_t hi, struct pdtt_sums *s)
{
	int rc;

	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":lo"), lo);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":hi"), hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (pdtt_sums_add(s, (uint32_t)sqlite3_column_int64(st, 0),
				  (uint64_t)sqlite3_column_int64(st, 1),
				  (uint64_t)sqlite3_column_int64(st, 2),
				  (uint64_t)sqlite3_column_int64(st, 3))) {
			rc = SQLITE_NOMEM;
			break;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pdtt_fail(PDTT_EXIT_DB, "database: report query: %s",
				 rc == SQLITE_NOMEM ? sqlite3_errstr(rc) : sqlite3_errmsg(db));
	return 0;
}

/* The report's rows: the window's buckets walked in C (the calendar the
 * daemon rolls up by), each bucket's rows read through the tables' keys
 * (sql/report/window_rows.sql) and summed per user here, which is several
 * times faster than SQLite's GROUP BY and ORDER BY over the same rows.
 * reports/NAME.sql list the same rows; tests/integration/report.sh compares. */
static int collect_rows(sqlite3 *db, enum pdtt_by by, const struct binds *b,
			struct report_result *res)
{
	struct pdtt_sums bucket, users;
	sqlite3_stmt *st = NULL;
	int64_t start, next;
	int rc = load_names(db, res);

	pdtt_sums_init(&bucket);
	pdtt_sums_init(&users);
	if (rc)
		goto out;
	if (sqlite3_prepare_v2(db, pdtt_sql_window_rows, -1, &st, NULL) != SQLITE_OK) {
		rc = pdtt_fail(PDTT_EXIT_DB, "database: report query: %s", sqlite3_errmsg(db));
		goto out;
	}
	bind_named(st, ":uids", b->uids);
	bind_named(st, ":ifaces", b->ifaces);
	for (start = by == PDTT_BY_TOTAL ? b->from : pdtt_group_start(by, b->from, b->utc);
	     start < b->to; start = next) {
		int64_t lo = start > b->from ? start : b->from;

		next = by == PDTT_BY_TOTAL ? b->to : pdtt_group_next(by, start, b->utc);
		if (next < start + 1800) /* as reports/NAME.sql: always advance */
			next = start + 1800;
		rc = read_bucket(db, st, lo, next < b->to ? next : b->to, &bucket);
		if (rc)
			goto out;
		if (!bucket.n)
			continue;
		for (size_t i = 0; i < bucket.n; i++) {
			const struct pdtt_user_sum *u = &bucket.v[i];

			if (pdtt_sums_add(&users, u->uid, u->rx, u->tx, u->packets))
				goto oom;
		}
		pdtt_sums_rank(&bucket);
		if (by != PDTT_BY_TOTAL && add_label(res, by, start, b->utc))
			goto oom;
		if (list_bucket(res, &bucket, by == PDTT_BY_TOTAL ? NO_BUCKET : res->nlabels - 1,
				start, b->top))
			goto oom;
		pdtt_sums_clear(&bucket);
	}
	for (size_t i = 0; i < users.n; i++) {
		res->all.rx += users.v[i].rx;
		res->all.tx += users.v[i].tx;
		res->all.packets += users.v[i].packets;
	}
	res->all.total = res->all.rx + res->all.tx;
	res->all.users = users.n;
	for (size_t i = 0; i < res->n; i++)
		res->rows[i].has_share =
			pdtt_share_pct(res->rows[i].total, res->all.total, &res->rows[i].share);
	rc = 0;
	goto out;
oom:
	rc = pdtt_fail(PDTT_EXIT_DB, "report: out of memory");
out:
	sqlite3_finalize(st);
	pdtt_sums_free(&bucket);
	pdtt_sums_free(&users);
	return rc;
}

static void free_result(struct report_result *res)
{
	for (size_t i = 0; i < res->nnames; i++) {
		free(res->names[i].name);
		free(res->names[i].json);
	}
	free(res->names);
	free(res->labels);
	free(res->rows);
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

static const char *row_user(const struct report_row *r)
{
	return r->user ? r->user->name : NULL;
}

static const char *row_label(const struct report_result *res, const struct report_row *r)
{
	return r->bucket == NO_BUCKET ? NULL : res->labels[r->bucket];
}

/* What --top leaves out of the window's total (over all buckets).  The
 * rows are a part of the totals: never negative. */
static struct window_totals others_of(const struct report_result *res)
{
	struct window_totals o = res->all;

	for (size_t i = 0; i < res->n; i++) {
		o.rx -= res->rows[i].rx;
		o.tx -= res->rows[i].tx;
		o.total -= res->rows[i].total;
		o.packets -= res->rows[i].packets;
	}
	return o;
}

/* OTHERS' share, rounded half up like every user's (0 for an empty window). */
static double others_share(const struct report_result *res)
{
	double pct = 0.0;

	pdtt_share_pct(others_of(res).total, res->all.total, &pct);
	return pct;
}

static void print_table(const struct report_opts *o, const struct pdtt_plan *plan,
			const char *window_text, const struct report_result *res)
{
	const struct window_totals *all = &res->all;
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
	for (size_t i = 0; i < res->n; i++) {
		const struct report_row *r = &res->rows[i];

		size_text(r->rx, o->units, a, sizeof(a));
		size_text(r->tx, o->units, b, sizeof(b));
		size_text(r->total, o->units, c, sizeof(c));
		if (bucketed)
			printf("%-22s ", row_label(res, r));
		printf("%-16.16s %10" PRIu32 " %12s %12s %12s %12" PRIu64 " %6.2f%%\n",
		       r->user ? r->user->name : "(unknown)", r->uid, a, b, c, r->packets,
		       r->share);
	}
	if (o->top) {
		struct window_totals rest = others_of(res);

		size_text(rest.rx, o->units, a, sizeof(a));
		size_text(rest.tx, o->units, b, sizeof(b));
		size_text(rest.total, o->units, c, sizeof(c));
		if (bucketed)
			printf("%-22s ", "(all buckets)");
		printf("%-16s %10s %12s %12s %12s %12" PRIu64 " %6.2f%%\n", "OTHERS", "", a, b, c,
		       rest.packets, others_share(res));
	}
	size_text(all->rx, o->units, a, sizeof(a));
	size_text(all->tx, o->units, b, sizeof(b));
	size_text(all->total, o->units, c, sizeof(c));
	if (bucketed)
		printf("%-22s ", "");
	printf("%-16s %10s %12s %12s %12s %12" PRIu64 " %7s\n", "TOTAL", "", a, b, c, all->packets,
	       res->n ? "100.00%" : "");
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

static void print_csv(const struct report_opts *o, const struct report_result *res)
{
	if (o->by != PDTT_BY_TOTAL)
		fputs("bucket,bucket_start,", stdout);
	fputs("user,uid,rx_bytes,tx_bytes,total_bytes,packets,share_pct\r\n", stdout);
	for (size_t i = 0; i < res->n; i++) {
		const struct report_row *r = &res->rows[i];

		if (o->by != PDTT_BY_TOTAL)
			printf("%s,%" PRId64 ",", row_label(res, r), r->bucket_start);
		csv_field(row_user(r), false);
		printf("%" PRIu32 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.2f\r\n",
		       r->uid, r->rx, r->tx, r->total, r->packets, r->share);
	}
}

/* The rows as a JSON array, numbers and NULLs as SQLite's json_object()
 * writes them (its "%!0.15g" for the share), names as json_quote() did. */
static int rows_json(const struct report_result *res, struct pdtt_buf *out)
{
	char share[40], bucket[64];

	pdtt_buf_printf(out, "[");
	for (size_t i = 0; i < res->n && !out->oom; i++) {
		const struct report_row *r = &res->rows[i];

		if (r->bucket == NO_BUCKET)
			snprintf(bucket, sizeof(bucket), "null,\"bucket_start\":null");
		else
			snprintf(bucket, sizeof(bucket), "\"%s\",\"bucket_start\":%" PRId64,
				 res->labels[r->bucket], r->bucket_start);
		if (r->has_share)
			sqlite3_snprintf(sizeof(share), share, "%!0.15g", r->share);
		else
			snprintf(share, sizeof(share), "null");
		pdtt_buf_printf(out,
				"%s{\"bucket\":%s,\"user\":%s,\"uid\":%" PRIu32
				",\"rx_bytes\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
				",\"total_bytes\":%" PRIu64 ",\"packets\":%" PRIu64
				",\"share_pct\":%s}",
				i ? "," : "", bucket, r->user ? r->user->json : "null", r->uid,
				r->rx, r->tx, r->total, r->packets, share);
	}
	pdtt_buf_printf(out, "]");
	return out->oom ? -1 : 0;
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

/* JSON, version 1 (docs/REPORT.md): the envelope assembled by SQLite's
 * JSON functions around the rows. */
static int print_json(sqlite3 *db, const struct report_opts *o, const struct pdtt_plan *plan,
		      const char *tz, const struct report_result *res)
{
	static const char sql[] =
		"SELECT json_object('version', 1, "
		"'window', json_object('from', :from_iso, 'to', :to_iso, 'from_epoch', :from, "
		"'to_epoch', :to, 'requested_from', :rfrom_iso, 'requested_to', :rto_iso, "
		"'timezone', :tz), "
		"'by', :by, 'notes', json(:notes), 'rows', json(:rows), "
		"'totals', json_object('rx_bytes', :t_rx, 'tx_bytes', :t_tx, 'total_bytes', "
		":t_total, 'packets', :t_packets, 'users', :t_users), "
		"'others', iif(:top, json_object('rx_bytes', :o_rx, 'tx_bytes', :o_tx, "
		"'total_bytes', :o_total, 'packets', :o_packets, 'share_pct', "
		":o_share), NULL))";
	const struct window_totals *all = &res->all;
	struct window_totals rest = others_of(res);
	char *notes_json = NULL;
	struct pdtt_buf rows;
	sqlite3_stmt *st = NULL;
	int rc = PDTT_EXIT_DB;
	char from_iso[40], to_iso[40], rfrom_iso[40], rto_iso[40];
	const struct {
		const char *name;
		int64_t v;
	} ints[] = {
		{ ":from", plan->window.from },
		{ ":to", plan->window.to },
		{ ":top", o->top },
		{ ":t_rx", (int64_t)all->rx },
		{ ":t_tx", (int64_t)all->tx },
		{ ":t_total", (int64_t)all->total },
		{ ":t_packets", (int64_t)all->packets },
		{ ":t_users", (int64_t)all->users },
		{ ":o_rx", (int64_t)rest.rx },
		{ ":o_tx", (int64_t)rest.tx },
		{ ":o_total", (int64_t)rest.total },
		{ ":o_packets", (int64_t)rest.packets },
	};

	pdtt_buf_init(&rows);
	if (plan_notes_json(db, plan, &notes_json) || rows_json(res, &rows)) {
		pdtt_fail(PDTT_EXIT_DB, "report: out of memory");
		goto out;
	}
	pdtt_format_time(plan->window.from, o->utc, from_iso, sizeof(from_iso));
	pdtt_format_time(plan->window.to, o->utc, to_iso, sizeof(to_iso));
	pdtt_format_time(plan->asked.from, o->utc, rfrom_iso, sizeof(rfrom_iso));
	pdtt_format_time(plan->asked.to, o->utc, rto_iso, sizeof(rto_iso));
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		pdtt_fail(PDTT_EXIT_DB, "database: report query: %s", sqlite3_errmsg(db));
		goto out;
	}
	bind_named(st, ":from_iso", from_iso);
	bind_named(st, ":to_iso", to_iso);
	bind_named(st, ":rfrom_iso", rfrom_iso);
	bind_named(st, ":rto_iso", rto_iso);
	bind_named(st, ":tz", tz);
	bind_named(st, ":by", by_names[o->by]);
	bind_named(st, ":notes", notes_json);
	bind_named(st, ":rows", rows.p);
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ints[i].name), ints[i].v);
	sqlite3_bind_double(st, sqlite3_bind_parameter_index(st, ":o_share"), others_share(res));
	if (sqlite3_step(st) != SQLITE_ROW) {
		pdtt_fail(PDTT_EXIT_DB, "database: report query: %s", sqlite3_errmsg(db));
		goto out;
	}
	printf("%s\n", sqlite3_column_text(st, 0));
	rc = 0;
out:
	sqlite3_finalize(st);
	pdtt_buf_free(&rows);
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
	struct report_result res = { 0 };
	struct binds b = { 0 };
	char err[512], *tz = NULL, *ifaces = NULL, window_text[160], f[40], t[40];
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
	tz = pdtt_store_meta(store.db, "timezone");
	if (pdtt_zone_use_recorded(&pdtt_zone_host, tz, o.db_path, err, sizeof(err))) {
		rc = pdtt_fail(PDTT_EXIT_DB, "%s", err);
		goto out;
	}

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

	rc = collect_rows(store.db, o.by, &b, &res);
	if (rc)
		goto out;
	if (o.format == FORMAT_JSON) {
		rc = print_json(store.db, &o, &plan, tz && *tz ? tz : "system", &res);
		goto out;
	}
	pdtt_format_time(plan.window.from, o.utc, f, sizeof(f));
	pdtt_format_time(plan.window.to, o.utc, t, sizeof(t));
	snprintf(window_text, sizeof(window_text), "[%s, %s) by %s", f, t, by_names[o.by]);
	if (o.format == FORMAT_CSV) {
		char notes[2048];

		pdtt_plan_describe(&plan, notes, sizeof(notes));
		for (char *line = strtok(notes, "\n"); line; line = strtok(NULL, "\n"))
			fprintf(stderr, "pdtt: note: %s\n", line);
		print_csv(&o, &res);
	} else {
		print_table(&o, &plan, window_text, &res);
	}
out:
	free_result(&res);
	free(tz);
	free(ifaces);
	pdtt_buf_free(&uids);
	if (store.db && !sqlite3_get_autocommit(store.db))
		sqlite3_exec(store.db, "COMMIT", NULL, NULL, NULL);
	pdtt_store_close(&store);
	return rc;
}
