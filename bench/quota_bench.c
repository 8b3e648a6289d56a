/* What the quota check costs on a big history, side by side in one run:
 *
 *   (a) the floor: one interval's commit of every user's row
 *       (pdtt_store_commit, the daemon's own path) at the end of the history;
 *   (b) the daemon's per-interval quota check after that commit
 *       (pdtt_audit_collect for the current day, ISO week and month, with a
 *       default quota of each kind for everyone), and its ratio to (a);
 *   (c) 'audit' for each period kind alone;
 *   (d) with -O, the same check through the correlated per-user query the
 *       daemon ran before (a peer, run once: it takes seconds);
 *   (e) the check again with an own quota of each kind for every other user.
 *
 * The history is a database written by history_bench -K (the simulated year).
 * The bench works on a copy it makes and removes.  It prints figures and
 * ratios; it never judges them.
 *
 *   usage: quota_bench YEAR_DB [-r RUNS] [-O]
 */
#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "quota.h"
#include "quota_cmd.h"
#include "store.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int copy_file(const char *from, const char *to)
{
	char cmd[20000];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", from, to, to, to);
	return system(cmd);
}

/* Every user of the history moves some bytes in one interval ending at end. */
static int commit_all(struct pdtt_store *s, int64_t start, int64_t end, int users,
		      uint32_t first_uid, int round, double *ms)
{
	struct pdtt_commit_row *rows = calloc((size_t)users, sizeof(*rows));
	struct pdtt_commit c = { .span = { start, end }, .boot_id = "quota-bench", .map_id = 1 };
	char err[256];
	double t0;
	int rc;

	if (!rows)
		return -1;
	for (int i = 0; i < users; i++) {
		struct pdtt_commit_row *r = &rows[i];

		r->key.uid = first_uid + (uint32_t)i;
		r->key.ifindex = 2;
		r->key.netns_cookie = 4096;
		r->delta = (struct pdtt_value){ 1000 + (uint64_t)i, 3, 500, 2 };
		r->cumulative = (struct pdtt_value){ (uint64_t)round * 1000000, 3, 500, 2 };
		r->iface_name = "eth0";
		r->netns = "host";
	}
	c.rows = rows;
	c.n_rows = (size_t)users;
	t0 = now_ms();
	rc = pdtt_store_commit(s, &c, err, sizeof(err));
	*ms = now_ms() - t0;
	if (rc)
		fprintf(stderr, "quota_bench: commit: %s\n", err);
	free(rows);
	return rc;
}

static int check(sqlite3 *db, const struct pdtt_window p[3], size_t *n, double *ms)
{
	struct pdtt_audit_row *rows;
	double t0 = now_ms();
	int rc = pdtt_audit_collect(db, p, &rows, n);

	*ms = now_ms() - t0;
	if (!rc)
		pdtt_audit_free(rows, *n);
	return rc;
}

/* The median of runs checks (times in ms_buf). */
static int check_runs(sqlite3 *db, const struct pdtt_window p[3], int runs, double *ms_buf,
		      size_t *n, double *med)
{
	for (int i = 0; i < runs; i++)
		if (check(db, p, n, &ms_buf[i]))
			return -1;
	*med = median(ms_buf, runs);
	return 0;
}

/* The daemon's check after a commit (pdtt_quota_watch_check): the first
 * reads the periods' sums from the history, the next ones only add rows. */
static double watch_check(sqlite3 *db, struct pdtt_quota_watch *w, int64_t at, size_t *n)
{
	struct pdtt_audit_row *rows;
	double t0 = now_ms();

	if (pdtt_quota_watch_check(w, db, NULL, 0, at, &rows, n)) {
		fprintf(stderr, "quota_bench: the daemon's check: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	pdtt_audit_free(rows, *n);
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	static const char *const per_names[3] = { "day", "week", "month" };
	int runs = 7, opt, users, rc = 1;
	bool peer = false;
	char copy[4200], err[512], side[4300];
	const char *hist;
	struct pdtt_store s = { 0 };
	double *commit_ms = NULL, *check_ms = NULL;
	int64_t last_end;
	double check_median = 0, commit_median = 1;
	struct pdtt_window at[3];
	uint32_t first_uid;
	size_t n = 0;

	while ((opt = getopt(argc, argv, "r:Oh")) != -1) {
		if (opt == 'r' && atoi(optarg) > 0)
			runs = atoi(optarg);
		else if (opt == 'O')
			peer = true;
		else {
			fprintf(stderr, "usage: quota_bench YEAR_DB [-r RUNS] [-O]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: quota_bench YEAR_DB [-r RUNS] [-O]\n");
		return 2;
	}
	hist = argv[optind]; /* 'quota set' below runs getopt again */
	snprintf(copy, sizeof(copy), "%s.quota-bench", hist);
	if (copy_file(hist, copy)) {
		fprintf(stderr, "quota_bench: cannot copy %s\n", hist);
		return 1;
	}
	if (pdtt_store_open(&s, copy, true, err, sizeof(err))) {
		fprintf(stderr, "quota_bench: %s\n", err);
		goto out;
	}
	users = (int)q_int(s.db, "SELECT count(*) FROM users");
	first_uid = (uint32_t)q_int(s.db, "SELECT min(uid) FROM users");
	last_end = q_int(s.db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_end'");
	if (users <= 0 || last_end <= 0) {
		fprintf(stderr, "quota_bench: %s holds no history\n", hist);
		goto out;
	}
	/* Default quotas of every kind, through 'quota set --all' itself. */
	for (int k = 0; k < 3; k++) {
		static const char *const limits[3] = { "1GB", "5GB", "20GB" };
		char *argv[] = {
			"quota", "set", "--all", (char *)limits[k], "--per", (char *)per_names[k],
			"--db",	 copy,	NULL
		};

		if (pdtt_quota_main(8, argv))
			goto out;
	}
	commit_ms = calloc((size_t)runs, sizeof(double));
	check_ms = calloc((size_t)runs, sizeof(double));
	if (!commit_ms || !check_ms)
		goto out;
	printf("history: %s, %d users, %lld samples, %lld rollup rows\n", hist, users,
	       (long long)q_int(s.db, "SELECT count(*) FROM samples"),
	       (long long)q_int(s.db,
				"SELECT (SELECT count(*) FROM rollup_hour) + (SELECT count(*) "
				"FROM rollup_day) + (SELECT count(*) FROM rollup_month)"));
	for (int i = 0; i < runs; i++) {
		int64_t end = last_end + 10 * (i + 1);

		pdtt_periods_of(end - 1, at); /* as the daemon after that commit */
		if (commit_all(&s, end - 10, end, users, first_uid, i + 1, &commit_ms[i]) ||
		    check(s.db, at, &n, &check_ms[i]))
			goto out;
	}
	commit_median = median(commit_ms, runs);
	check_median = median(check_ms, runs);
	printf("(a) commit of %d users' rows (floor):  %8.2f ms (median of %d)\n", users,
	       commit_median, runs);
	printf("(b) quota check, day+week+month:      %8.2f ms, %zu rows; check/commit = %.2f\n",
	       check_median, n, check_median / commit_median);
	/* From here on, the periods of the last commit. */
	pdtt_periods_of(last_end + 10 * runs - 1, at);
	for (int k = 0; k < 3; k++) {
		struct pdtt_window one[3] = { 0 };
		double ms;

		one[k] = at[k];
		if (check_runs(s.db, one, runs, check_ms, &n, &ms))
			goto out;
		printf("(c) audit, the %-5s only:             %8.2f ms, %zu rows\n", per_names[k],
		       ms, n);
	}
	if (peer) {
		struct pdtt_quota_watch w;
		double first, again;
		size_t n_first;

		pdtt_quota_watch_init(&w);
		first = watch_check(s.db, &w, last_end + 10 * runs, &n_first);
		again = first < 0 ? -1 : watch_check(s.db, &w, last_end + 10 * runs, &n);
		pdtt_quota_watch_free(&w);
		if (again < 0)
			goto out;
		printf("(d) the daemon's check: at start %8.2f ms, then %.3f ms, %zu rows (%s)\n",
		       first, again, n, n == n_first ? "the same" : "NOT the same");
	}
	/* Own quotas for every other user: found through the quotas' indexes. */
	if (sqlite3_exec(
		    s.db,
		    "INSERT INTO quotas (uid, per, dir, limit_bytes, warn_pct, updated) "
		    "SELECT uid, per, 'rx', 2000000000, 90, 0 FROM users, (SELECT 'day' AS per "
		    "UNION ALL SELECT 'week' UNION ALL SELECT 'month') WHERE uid % 2 = 0",
		    NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "quota_bench: own quotas: %s\n", sqlite3_errmsg(s.db));
		goto out;
	}
	{
		double ms;

		if (check_runs(s.db, at, runs, check_ms, &n, &ms))
			goto out;
		printf("(e) quota check, half own quotas:     %8.2f ms, %zu rows; check/commit = "
		       "%.2f\n",
		       ms, n, ms / commit_median);
	}
	rc = 0;
out:
	free(commit_ms);
	free(check_ms);
	if (s.db)
		pdtt_store_close(&s);
	unlink(copy);
	snprintf(side, sizeof(side), "%s-wal", copy);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", copy);
	unlink(side);
	return rc;
}
