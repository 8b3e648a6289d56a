/* quota set|list|rm and audit: quotas stored in the history database. */
#include "quota_cmd.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config_file.h"
#include "errmsg.h"
#include "pdtt_exit.h"
#include "report.h"
#include "report_format.h"
#include "sql_embedded.h"
#include "store.h"
#include "zone.h"

/* audit's exit statuses: the monitoring-plugin convention */
enum { AUDIT_OK = 0, AUDIT_WARN = 1, AUDIT_CRIT = 2, AUDIT_UNKNOWN = 3 };

int pdtt_audit_collect(sqlite3 *db, const struct pdtt_window periods[3],
		       struct pdtt_audit_row **rows, size_t *n)
{
	static const char *const from_names[] = { ":day_from", ":week_from", ":month_from" };
	static const char *const to_names[] = { ":day_to", ":week_to", ":month_to" };
	struct pdtt_audit_row *out = NULL; /* local until done: *rows only on success */
	sqlite3_stmt *st;
	size_t cap = 0, cnt = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(db, pdtt_sql_audit, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	for (int k = 0; k < 3; k++) {
		if (periods[k].from == periods[k].to)
			continue;
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, from_names[k]),
				   periods[k].from);
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, to_names[k]),
				   periods[k].to);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pdtt_audit_row *r;
		const unsigned char *name = sqlite3_column_text(st, 1);

		if (cnt == cap) {
			struct pdtt_audit_row *nr =
				realloc(out, (cap = cap ? cap * 2 : 32) * sizeof(*nr));

			if (!nr) {
				rc = SQLITE_NOMEM;
				break;
			}
			out = nr;
		}
		r = &out[cnt++];
		memset(r, 0, sizeof(*r));
		r->uid = (uint32_t)sqlite3_column_int64(st, 0);
		pdtt_per_parse((const char *)sqlite3_column_text(st, 2), &r->per);
		r->period.from = sqlite3_column_int64(st, 3);
		r->period.to = sqlite3_column_int64(st, 4);
		pdtt_dir_parse((const char *)sqlite3_column_text(st, 5), &r->dir);
		r->limit = (uint64_t)sqlite3_column_int64(st, 6);
		r->warn_pct = (unsigned)sqlite3_column_int(st, 7);
		r->is_default = sqlite3_column_int(st, 8);
		r->used = (uint64_t)sqlite3_column_int64(st, 9);
		r->state = pdtt_quota_state_of(r->used, r->limit, r->warn_pct);
		r->percent = pdtt_quota_percent(r->used, r->limit);
		if (name)
			snprintf(r->name, sizeof(r->name), "%s", (const char *)name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		/* a period that failed half-way: no rows at all, none leaked */
		pdtt_audit_free(out, cnt);
		return rc;
	}
	*rows = out;
	*n = cnt;
	pdtt_audit_sort(*rows, *n);
	return SQLITE_OK;
}

char *pdtt_user_name(sqlite3 *db, uint32_t uid)
{
	sqlite3_stmt *st;
	char *name = NULL;

	if (sqlite3_prepare_v2(db, "SELECT name FROM users WHERE uid = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, uid);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		name = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return name;
}

void pdtt_quota_watch_init(struct pdtt_quota_watch *w)
{
	memset(w, 0, sizeof(*w));
	pdtt_usage_init(&w->usage);
}

void pdtt_quota_watch_free(struct pdtt_quota_watch *w)
{
	pdtt_usage_free(&w->usage);
	free(w->adds);
	memset(w, 0, sizeof(*w));
}

void pdtt_quota_watch_forget(struct pdtt_quota_watch *w)
{
	for (int k = 0; k < 3; k++)
		pdtt_usage_reset(&w->usage, (enum pdtt_per)k, (struct pdtt_window){ 0 });
}

/* The commit's rows as one add per user (rows of one uid are adjacent). */
static int commit_adds(struct pdtt_quota_watch *w, const struct pdtt_commit_row *rows, size_t n,
		       size_t *na)
{
	*na = 0;
	if (w->cap < n) {
		struct pdtt_usage_add *a = realloc(w->adds, n * sizeof(*a));

		if (!a)
			return -1;
		w->adds = a;
		w->cap = n;
	}
	for (size_t i = 0; i < n; i++) {
		if (*na && w->adds[*na - 1].uid == rows[i].key.uid) {
			w->adds[*na - 1].rx += rows[i].delta.rx_bytes;
			w->adds[*na - 1].tx += rows[i].delta.tx_bytes;
			continue;
		}
		w->adds[*na].uid = rows[i].key.uid;
		w->adds[*na].rx = rows[i].delta.rx_bytes;
		w->adds[(*na)++].tx = rows[i].delta.tx_bytes;
	}
	return 0;
}

int pdtt_quota_watch_check(struct pdtt_quota_watch *w, sqlite3 *db,
			   const struct pdtt_commit_row *rows, size_t n, int64_t at,
			   struct pdtt_audit_row **out, size_t *nout)
{
	struct pdtt_window periods[3];
	struct pdtt_quota_def *defs = NULL;
	unsigned add = 0;
	size_t na = 0, ndefs = 0;
	int rc = SQLITE_OK;

	*out = NULL;
	*nout = 0;
	pdtt_periods_of(at - 1, periods);
	/* A kind whose period is the one summed takes the commit's rows; a new
	 * period (or one never read) is read whole, this commit included. */
	for (int k = 0; k < 3; k++) {
		const struct pdtt_window *had = &w->usage.periods[k];

		if (had->from == periods[k].from && had->to == periods[k].to &&
		    had->from != had->to)
			add |= 1u << k;
		else if ((rc = pdtt_usage_load(db, &w->usage, (enum pdtt_per)k, periods[k])))
			break;
	}
	if (rc == SQLITE_OK && add &&
	    (commit_adds(w, rows, n, &na) || pdtt_usage_add_sorted(&w->usage, add, w->adds, na)))
		rc = SQLITE_NOMEM;
	if (rc) {
		/* Some sums now miss this commit: all are read again next time. */
		pdtt_quota_watch_forget(w);
		return rc;
	}
	rc = pdtt_quota_defs_load(db, &defs, &ndefs);
	if (rc == SQLITE_OK && pdtt_usage_check(&w->usage, defs, ndefs, out, nout))
		rc = SQLITE_NOMEM;
	free(defs);
	return rc;
}

int pdtt_quota_defs_load(sqlite3 *db, struct pdtt_quota_def **defs, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*defs = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(db, pdtt_sql_list, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pdtt_quota_def *q;

		if (*n == cap) {
			struct pdtt_quota_def *nd =
				realloc(*defs, (cap = cap ? cap * 2 : 16) * sizeof(*nd));

			if (!nd) {
				rc = SQLITE_NOMEM;
				break;
			}
			*defs = nd;
		}
		q = &(*defs)[(*n)++];
		q->uid = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1
								   : sqlite3_column_int64(st, 0);
		pdtt_per_parse((const char *)sqlite3_column_text(st, 2), &q->per);
		pdtt_dir_parse((const char *)sqlite3_column_text(st, 3), &q->dir);
		q->limit = (uint64_t)sqlite3_column_int64(st, 4);
		q->warn_pct = (unsigned)sqlite3_column_int(st, 5);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*defs);
		*defs = NULL;
		*n = 0;
		return rc;
	}
	return SQLITE_OK;
}

int pdtt_usage_load(sqlite3 *db, struct pdtt_usage *u, enum pdtt_per per, struct pdtt_window w)
{
	struct pdtt_usage_add *a = NULL;
	sqlite3_stmt *st;
	size_t n = 0, cap = 0;
	int rc;

	pdtt_usage_reset(u, per, (struct pdtt_window){ 0, 0 });
	rc = sqlite3_prepare_v2(db, pdtt_sql_usage, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":from"), w.from);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":to"), w.to);
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":months"), per == PDTT_PER_MONTH);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			struct pdtt_usage_add *na =
				realloc(a, (cap = cap ? cap * 2 : 256) * sizeof(*a));

			if (!na) {
				rc = SQLITE_NOMEM;
				break;
			}
			a = na;
		}
		a[n].uid = (uint32_t)sqlite3_column_int64(st, 0);
		a[n].rx = (uint64_t)sqlite3_column_int64(st, 1);
		a[n++].tx = (uint64_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		rc = pdtt_usage_add_sorted(u, 1u << per, a, n) ? SQLITE_NOMEM : SQLITE_OK;
	free(a);
	if (rc == SQLITE_OK)
		u->periods[per] = w;
	return rc;
}

/* Quota changes write: refuse early and clearly without write access. */
static int open_for_write(struct pdtt_store *s, const char *path)
{
	char err[512];
	int rc;

	if (!access(path, F_OK) && access(path, W_OK))
		return pdtt_fail(PDTT_EXIT_DB,
				 "database '%s': quota changes need write access to it (%s); "
				 "run as root or as its owner",
				 path, strerror(errno));
	rc = pdtt_store_open(s, path, true, err, sizeof(err));
	return rc ? pdtt_fail(rc, "%s", err) : 0;
}

static void quota_usage(FILE *out)
{
	const char *p = pdtt_progname();

	fprintf(out,
		"Usage: %s quota set USER|--all LIMIT --per day|week|month [--dir rx|tx|total]\n"
		"                      [--warn PCT] [--db FILE | --config FILE]\n"
		"       %s quota list [--db FILE | --config FILE]\n"
		"       %s quota rm USER|--all [--per day|week|month] [--db FILE | --config FILE]\n"
		"\n"
		"Per-user traffic quotas in the history database; the daemon checks them\n"
		"each interval (and runs --quota-exec), 'audit' reports them.\n"
		"LIMIT: bytes with an SI or IEC suffix, e.g. 50GiB, 50G, 1.5TB.\n"
		"--warn PCT: warn from PCT percent of the limit (default: %d).\n"
		"--config FILE takes the database from the daemon's configuration file.\n"
		"Exit status: 0 ok, 2 usage, 3 unknown user, 7 database unusable or not "
		"writable.\n",
		p, p, p, PDTT_DEFAULT_WARN_PCT);
}

static int quota_set_rm(bool set, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "per", required_argument, NULL, 'p' },
		{ "dir", required_argument, NULL, 'r' },
		{ "warn", required_argument, NULL, 'w' },
		{ "db", required_argument, NULL, 'd' },
		{ "all", no_argument, NULL, 'a' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_path = PDTT_DEFAULT_DB, *user = NULL, *limit_s = NULL, *conf = NULL;
	char db_buf[4096] = "";
	enum pdtt_per per = PDTT_PER_MONTH;
	enum pdtt_dir dir = PDTT_DIR_TOTAL;
	bool all = false, have_per = false, db_given = false;
	long warn = PDTT_DEFAULT_WARN_PCT;
	struct pdtt_store s = { 0 };
	uint64_t limit = 0;
	int64_t uid = -1;
	sqlite3_stmt *st = NULL;
	char err[512], *end;
	const char *tail;
	int c, rc;

	/* getopt would take a negative limit for options */
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9')
			return pdtt_fail(PDTT_EXIT_USAGE,
					 "limit '%s': must be more than zero bytes; e.g. 50GiB",
					 argv[i]);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (pdtt_per_parse(optarg, &per))
				return pdtt_fail(
					PDTT_EXIT_USAGE,
					"--per '%s': unknown period; use day, week or month",
					optarg);
			have_per = true;
			break;
		case 'r':
			if (!set || pdtt_dir_parse(optarg, &dir))
				return pdtt_fail(PDTT_EXIT_USAGE,
						 "--dir '%s': unknown; use rx, tx or total",
						 optarg);
			break;
		case 'w':
			errno = 0;
			warn = strtol(optarg, &end, 10);
			if (!set || errno || *end || !isdigit((unsigned char)optarg[0]) ||
			    warn < 1 || warn > 100)
				return pdtt_fail(PDTT_EXIT_USAGE,
						 "--warn '%s': not a percentage from 1 to 100",
						 optarg);
			break;
		case 'd':
			db_path = optarg;
			db_given = true;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			quota_usage(stdout);
			return 0;
		case ':':
			return pdtt_fail(PDTT_EXIT_USAGE,
					 "option '%s': missing its value; see quota --help",
					 argv[optind - 1]);
		default:
			if (optopt)
				return pdtt_fail(PDTT_EXIT_USAGE,
						 "option '-%c': unknown; see quota --help", optopt);
			return pdtt_fail(PDTT_EXIT_USAGE, "option '%s': unknown; see quota --help",
					 argv[optind - 1]);
		}
	}
	if (!all && optind < argc)
		user = argv[optind++];
	if (set && optind < argc)
		limit_s = argv[optind++];
	if (optind < argc)
		return pdtt_fail(PDTT_EXIT_USAGE, "argument '%s': unexpected; see quota --help",
				 argv[optind]);
	if (pdtt_config_db(conf, db_given, &db_path, db_buf, sizeof(db_buf)))
		return PDTT_EXIT_USAGE;
	if (!all && !user)
		return pdtt_fail(PDTT_EXIT_USAGE,
				 "quota %s: give a USER (name or uid) or --all; see quota --help",
				 set ? "set" : "rm");
	if (set && !limit_s)
		return pdtt_fail(PDTT_EXIT_USAGE, "quota set: give a LIMIT, e.g. 50GiB");
	if (set && !have_per)
		return pdtt_fail(PDTT_EXIT_USAGE, "quota set: give --per day, week or month");
	if (set && pdtt_parse_limit(limit_s, &limit, err, sizeof(err)))
		return pdtt_fail(PDTT_EXIT_USAGE, "%s", err);

	rc = open_for_write(&s, db_path);
	if (rc)
		return rc;
	if (user && pdtt_resolve_user(s.db, user, &uid)) {
		rc = pdtt_fail(PDTT_EXIT_NO_IFACE,
			       "user '%s': unknown (not in the database, not in passwd); "
			       "give a user name or a numeric uid",
			       user);
		goto out;
	}
	rc = sqlite3_exec(s.db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (tail = set ? pdtt_sql_set : pdtt_sql_rm; rc == SQLITE_OK && tail && *tail;) {
		rc = sqlite3_prepare_v2(s.db, tail, -1, &st, &tail);
		if (rc != SQLITE_OK || !st)
			break;
		for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
			const char *n = sqlite3_bind_parameter_name(st, i);

			if (!strcmp(n, ":uid") && uid >= 0)
				sqlite3_bind_int64(st, i, uid);
			else if (!strcmp(n, ":per") && (set || have_per))
				sqlite3_bind_text(st, i, pdtt_per_name(per), -1, SQLITE_STATIC);
			else if (!strcmp(n, ":dir"))
				sqlite3_bind_text(st, i, pdtt_dir_name(dir), -1, SQLITE_STATIC);
			else if (!strcmp(n, ":limit_bytes"))
				sqlite3_bind_int64(st, i, (int64_t)limit);
			else if (!strcmp(n, ":warn_pct"))
				sqlite3_bind_int64(st, i, warn);
		}
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(s.db);
		sqlite3_finalize(st);
		st = NULL;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s.db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		pdtt_fail(PDTT_EXIT_DB, "database '%s': %s%s", db_path, sqlite3_errmsg(s.db),
			  rc == SQLITE_READONLY ? "; quota changes need write access" : "");
		sqlite3_exec(s.db, "ROLLBACK", NULL, NULL, NULL);
		rc = PDTT_EXIT_DB;
	}
out:
	pdtt_store_close(&s);
	return rc;
}

static int quota_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_path = PDTT_DEFAULT_DB, *conf = NULL;
	struct pdtt_store s = { 0 };
	sqlite3_stmt *st;
	char err[512], lim[32], db_buf[4096] = "";
	bool db_given = false;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		if (c == 'd') {
			db_path = optarg;
			db_given = true;
		} else if (c == 'c') {
			conf = optarg;
		} else if (c == 'h') {
			quota_usage(stdout);
			return PDTT_EXIT_OK;
		} else
			return pdtt_fail(PDTT_EXIT_USAGE,
					 "quota list: '%s': only --db FILE or --config FILE is "
					 "allowed; see quota --help",
					 argv[optind - 1]);
	}
	if (optind < argc)
		return pdtt_fail(PDTT_EXIT_USAGE,
				 "quota list: argument '%s': unexpected; see quota --help",
				 argv[optind]);
	if (pdtt_config_db(conf, db_given, &db_path, db_buf, sizeof(db_buf)))
		return PDTT_EXIT_USAGE;
	rc = pdtt_store_open(&s, db_path, false, err, sizeof(err));
	if (rc)
		return pdtt_fail(rc, "%s", err);
	if (sqlite3_prepare_v2(s.db, pdtt_sql_list, -1, &st, NULL) != SQLITE_OK) {
		rc = pdtt_fail(PDTT_EXIT_DB, "database: %s", sqlite3_errmsg(s.db));
		goto out;
	}
	printf("%-16s %10s %-6s %-6s %14s %5s\n", "USER", "UID", "PER", "DIR", "LIMIT", "WARN");
	while (sqlite3_step(st) == SQLITE_ROW) {
		bool is_default = sqlite3_column_type(st, 0) == SQLITE_NULL;
		const unsigned char *name = sqlite3_column_text(st, 1);
		char uid[16];

		snprintf(uid, sizeof(uid), "%lld", (long long)sqlite3_column_int64(st, 0));
		pdtt_format_iec((uint64_t)sqlite3_column_int64(st, 4), lim, sizeof(lim));
		printf("%-16s %10s %-6s %-6s %14s %4d%%\n",
		       is_default ? "(all users)"
		       : name	  ? (const char *)name
				  : "(unknown)",
		       is_default ? "*" : uid, sqlite3_column_text(st, 2),
		       sqlite3_column_text(st, 3), lim, sqlite3_column_int(st, 5));
	}
	sqlite3_finalize(st);
out:
	pdtt_store_close(&s);
	return rc;
}

int pdtt_quota_main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		quota_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? PDTT_EXIT_USAGE : PDTT_EXIT_OK;
	}
	if (!strcmp(argv[1], "set"))
		return quota_set_rm(true, argc - 1, argv + 1);
	if (!strcmp(argv[1], "rm"))
		return quota_set_rm(false, argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return quota_list(argc - 1, argv + 1);
	return pdtt_fail(PDTT_EXIT_USAGE, "quota '%s': unknown command; use set, list or rm",
			 argv[1]);
}

static void audit_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s audit [--db FILE | --config FILE]\n"
		"         [--period current|previous|YYYY-MM|YYYY-MM-DD|YYYY-Www]\n"
		"         [--format table|csv|json] [--nagios]\n"
		"\n"
		"Every quota's use in the period (default: the current one): ok, warn or over.\n"
		"--nagios prints one line with perfdata.  --config FILE takes the database\n"
		"from the daemon's configuration file.\n"
		"Exit status (monitoring-plugin convention): 0 all ok, 1 some warn, 2 some "
		"over, 3 error.\n",
		pdtt_progname());
}

static const char *user_label(const struct pdtt_audit_row *r, char *buf, size_t len)
{
	if (r->name[0])
		return r->name;
	snprintf(buf, len, "%" PRIu32, r->uid);
	return buf;
}

static void print_audit_table(const struct pdtt_audit_row *rows, size_t n)
{
	char used[32], lim[32], period[32], ub[24];

	printf("%-16s %10s %-6s %-10s %-5s %12s %12s %8s %s\n", "USER", "UID", "PER", "PERIOD",
	       "DIR", "USED", "LIMIT", "PERCENT", "STATE");
	for (size_t i = 0; i < n; i++) {
		const struct pdtt_audit_row *r = &rows[i];

		pdtt_format_iec(r->used, used, sizeof(used));
		pdtt_format_iec(r->limit, lim, sizeof(lim));
		pdtt_period_label(r->per, r->period.from, period, sizeof(period));
		printf("%-16.16s %10" PRIu32 " %-6s %-10s %-5s %12s %12s %7.1f%% %s%s\n",
		       user_label(r, ub, sizeof(ub)), r->uid, pdtt_per_name(r->per), period,
		       pdtt_dir_name(r->dir), used, lim, r->percent, pdtt_state_name(r->state),
		       r->is_default ? " (default quota)" : "");
	}
}

static void print_audit_csv(const struct pdtt_audit_row *rows, size_t n)
{
	char period[32];

	fputs("user,uid,per,period,dir,used_bytes,limit_bytes,percent,state,default\r\n", stdout);
	for (size_t i = 0; i < n; i++) {
		const struct pdtt_audit_row *r = &rows[i];

		pdtt_period_label(r->per, r->period.from, period, sizeof(period));
		/* user names cannot hold commas, quotes or line breaks (useradd) */
		printf("%s,%" PRIu32 ",%s,%s,%s,%" PRIu64 ",%" PRIu64 ",%.2f,%s,%d\r\n", r->name,
		       r->uid, pdtt_per_name(r->per), period, pdtt_dir_name(r->dir), r->used,
		       r->limit, r->percent, pdtt_state_name(r->state), r->is_default);
	}
}

/* JSON, version 1: the rows go through a temporary table so SQLite's JSON
 * functions build the whole document. */
static int print_audit_json(sqlite3 *db, const struct pdtt_audit_row *rows, size_t n,
			    const int count[3])
{
	sqlite3_stmt *st = NULL;
	char period[32];
	int rc = sqlite3_exec(
		db,
		"CREATE TEMP TABLE audit_rows (ord INTEGER, user TEXT, uid INTEGER, per TEXT, "
		"period TEXT, period_start INTEGER, period_end INTEGER, dir TEXT, used_bytes "
		"INTEGER, "
		"limit_bytes INTEGER, warn_pct INTEGER, percent REAL, state TEXT, is_default "
		"INTEGER)",
		NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
			db, "INSERT INTO audit_rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st,
			NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		const struct pdtt_audit_row *r = &rows[i];

		pdtt_period_label(r->per, r->period.from, period, sizeof(period));
		sqlite3_bind_int64(st, 1, (int64_t)i);
		if (r->name[0])
			sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 2);
		sqlite3_bind_int64(st, 3, r->uid);
		sqlite3_bind_text(st, 4, pdtt_per_name(r->per), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, period, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 6, r->period.from);
		sqlite3_bind_int64(st, 7, r->period.to);
		sqlite3_bind_text(st, 8, pdtt_dir_name(r->dir), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, (int64_t)r->used);
		sqlite3_bind_int64(st, 10, (int64_t)r->limit);
		sqlite3_bind_int64(st, 11, r->warn_pct);
		sqlite3_bind_double(st, 12, (double)(int64_t)(r->percent * 100 + 0.5) / 100);
		sqlite3_bind_text(st, 13, pdtt_state_name(r->state), -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 14, r->is_default);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db,
					"SELECT json_object('version', 1, 'summary', "
					"json_object('ok', ?, 'warn', ?, 'over', ?), "
					"'rows', (SELECT json_group_array(json_object('user', "
					"user, 'uid', uid, 'per', per, "
					"'period', period, 'period_start', period_start, "
					"'period_end', period_end, 'dir', dir, "
					"'used_bytes', used_bytes, 'limit_bytes', limit_bytes, "
					"'warn_pct', warn_pct, "
					"'percent', percent, 'state', state, 'default_quota', "
					"json(iif(is_default, 'true', 'false')))) "
					"FROM (SELECT * FROM audit_rows ORDER BY ord)))",
					-1, &st, NULL);
	for (int i = 0; rc == SQLITE_OK && i < 3; i++)
		sqlite3_bind_int(st, i + 1, count[i]);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		printf("%s\n", sqlite3_column_text(st, 0));
	else
		rc = rc ? rc : sqlite3_errcode(db);
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Nagios/Icinga plugin output: one line, perfdata in bytes. */
static void print_nagios(const struct pdtt_audit_row *rows, size_t n, const int count[3])
{
	static const char *const status[] = { "OK", "WARNING", "CRITICAL" };
	int worst = count[PDTT_QUOTA_OVER] ? 2 : count[PDTT_QUOTA_WARN] ? 1 : 0;
	char ub[24];

	printf("PDTT QUOTA %s - %d over, %d warn, %d ok", status[worst], count[PDTT_QUOTA_OVER],
	       count[PDTT_QUOTA_WARN], count[PDTT_QUOTA_OK]);
	for (size_t i = 0; i < n && worst; i++)
		if (rows[i].state != PDTT_QUOTA_OK) {
			printf("; %s %.0f%% of its %s quota", user_label(&rows[i], ub, sizeof(ub)),
			       rows[i].percent, pdtt_per_name(rows[i].per));
			break;
		}
	printf(" |");
	for (size_t i = 0; i < n; i++) {
		const struct pdtt_audit_row *r = &rows[i];

		printf(" '%s_%s'=%" PRIu64 "B;%" PRIu64 ";%" PRIu64 ";0;%" PRIu64,
		       user_label(r, ub, sizeof(ub)), pdtt_per_name(r->per), r->used,
		       (uint64_t)((unsigned __int128)r->limit * r->warn_pct / 100), r->limit,
		       r->limit);
	}
	printf("\n");
}

int pdtt_audit_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "period", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "nagios", no_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db_path = PDTT_DEFAULT_DB, *period = "current", *format = "table";
	const char *conf = NULL;
	char db_buf[4096] = "";
	bool db_given = false;
	struct pdtt_window periods[3] = { { 0, 0 }, { 0, 0 }, { 0, 0 } }, w;
	struct pdtt_audit_row *rows = NULL;
	struct pdtt_store s = { 0 };
	int64_t now = (int64_t)time(NULL);
	enum pdtt_per per = PDTT_PER_MONTH;
	int count[3] = { 0, 0, 0 }, c, rc;
	bool nagios = false, any;
	char err[512], tz[256] = "";
	size_t n = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db_path = optarg;
			db_given = true;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'p':
			period = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'n':
			nagios = true;
			break;
		case 'h':
			audit_usage(stdout);
			return AUDIT_OK;
		case ':':
			return pdtt_fail(AUDIT_UNKNOWN,
					 "option '%s': missing its value; see audit --help",
					 argv[optind - 1]);
		default:
			if (optopt)
				return pdtt_fail(AUDIT_UNKNOWN,
						 "option '-%c': unknown; see audit --help", optopt);
			return pdtt_fail(AUDIT_UNKNOWN, "option '%s': unknown; see audit --help",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return pdtt_fail(AUDIT_UNKNOWN, "argument '%s': unexpected; see audit --help",
				 argv[optind]);
	if (pdtt_config_db(conf, db_given, &db_path, db_buf, sizeof(db_buf)))
		return AUDIT_UNKNOWN;
	if (strcmp(format, "table") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "json") != 0)
		return pdtt_fail(AUDIT_UNKNOWN, "--format '%s': unknown; use table, csv or json",
				 format);
	if (pdtt_store_open(&s, db_path, false, err, sizeof(err)))
		return pdtt_fail(AUDIT_UNKNOWN, "%s", err);
	/* periods are the daemon's days, weeks and months */
	{
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(s.db, "SELECT value FROM meta WHERE key = 'timezone'", -1,
				       &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(tz, sizeof(tz), "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		if (pdtt_zone_use_recorded(&pdtt_zone_host, tz, db_path, err, sizeof(err))) {
			rc = pdtt_fail(AUDIT_UNKNOWN, "%s", err);
			goto out;
		}
	}
	if (pdtt_period_parse(period, now, &any, &per, &w, err, sizeof(err))) {
		rc = pdtt_fail(AUDIT_UNKNOWN, "%s", err);
		goto out;
	}
	for (int k = 0; k < 3; k++) {
		if (any) {
			periods[k] = pdtt_period_of((enum pdtt_per)k, now);
			if (!strcmp(period, "previous"))
				periods[k] = pdtt_period_before((enum pdtt_per)k, &periods[k]);
		} else if ((enum pdtt_per)k == per) {
			periods[k] = w;
		}
	}
	if (pdtt_audit_collect(s.db, periods, &rows, &n)) {
		rc = pdtt_fail(AUDIT_UNKNOWN, "database '%s': audit query: %s", db_path,
			       sqlite3_errmsg(s.db));
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		count[rows[i].state]++;
	rc = count[PDTT_QUOTA_OVER] ? AUDIT_CRIT : count[PDTT_QUOTA_WARN] ? AUDIT_WARN : AUDIT_OK;
	if (nagios)
		print_nagios(rows, n, count);
	else if (!strcmp(format, "csv"))
		print_audit_csv(rows, n);
	else if (!strcmp(format, "json"))
		rc = print_audit_json(s.db, rows, n, count)
			     ? pdtt_fail(AUDIT_UNKNOWN, "audit: JSON: %s", sqlite3_errmsg(s.db))
			     : rc;
	else
		print_audit_table(rows, n);
out:
	/* a plugin's UNKNOWN goes to standard output too */
	if (nagios && rc == AUDIT_UNKNOWN)
		printf("PDTT QUOTA UNKNOWN - the audit failed; see its error message\n");
	pdtt_audit_free(rows, n);
	pdtt_store_close(&s);
	return rc;
}
