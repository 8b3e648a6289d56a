/* What pdtt's history costs, measured side by side in one run:
 *
 *   (a) interval cost: the per-interval read of the kernel map
 *       (pdtt_collector_read), the diff against the last committed baseline
 *       (pdtt_snapshot_diff), the commit rows (as record_history in
 *       src/daemon.c builds them), the SQLite commit (pdtt_store_commit) and
 *       the quota check after it (pdtt_audit_collect, a default quota per
 *       day, week and month), for 1,000, 10,000 and 60,000 active keys.  The
 *       keys live in a real BPF_MAP_TYPE_PERCPU_HASH filled with direct
 *       per-CPU updates, no network; every key changes in every interval
 *       (the worst case).  The fake clock starts at 2026-01-31 23:58:20 UTC,
 *       so one interval opens a new hour, day and month.  Side by side, the
 *       commit floor: one transaction inserting the N rows with one prepared
 *       statement into a WITHOUT ROWID table plus N baseline upserts, WAL,
 *       synchronous=NORMAL, same directory.  Medians and the worst interval,
 *       as ratios to the floor.
 *   (b) a year: 5,000 users at the default retention through the store's own
 *       insert path (pdtt_store_commit, pdtt_store_prune) with a fake clock
 *       from 2026-01-01 local midnight; the file size and the rows and bytes
 *       of each table at the end.
 *
 * It prints figures and ratios; it never judges them.  Needs root (BPF map
 * creation).  Every file it creates lives in -d DIR (the year's in -y DIR)
 * and is removed again.
 *
 *   usage: history_bench [-d DIR] [-y DIR] [-p interval|year|all] [-n N,N,...]
 *                        [-k INTERVALS] [-u USERS] [-D DAYS] [-a HOURS]
 *                        [-z TZ,TZ,...] [-s SEED] [-P]
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <net/if.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "retention.h"
#include "snapshot.h"
#include "store.h"
#include "timebucket.h"
#include "quota.h"
#include "quota_cmd.h"

#define MAX_SIZES 8
#define INTERVAL_SECS 10    /* the daemon's default -t */
#define KEYS_PER_UID 4	    /* interval bench: 4 interfaces per uid */
#define BENCH_NETNS 4096ULL /* the netns cookie of every bench key */
#define FIRST_UID 1000u

static const char *const iface_names[] = { "eth0", "wlan0", "docker0", "wg0" };

struct options {
	const char *dir;
	const char *year_dir;
	bool run_interval, run_year;
	size_t sizes[MAX_SIZES];
	int n_sizes;
	int intervals;
	int users;
	int days;
	int hours;	 /* active hours per user and day */
	char zones[256]; /* comma-separated TZ values for the year */
	uint64_t seed;
	bool profile; /* -P: per-statement times (slows the commits down) */
	bool keep;    /* -K: keep the year's database (bench/report_latency.sh) */
};

/* --- small helpers ------------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t rng_state;

/* splitmix64: small, fast, reproducible from -s. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rnd_unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (long long)st.st_size;
}

static void remove_db(const char *path)
{
	char p[4200];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static int64_t q_int(struct sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "history_bench: %s: %s\n", sql, sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static double mib(long long bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

/* --- where a commit's time goes (-P): SQLite's own per-statement timer ---- */

static const char *const stmt_names[PDTT_ST_COUNT] = {
	[PDTT_ST_UPSERT_USER] = "upsert_user",	   [PDTT_ST_UPSERT_INTERFACE] = "upsert_interface",
	[PDTT_ST_INSERT_SAMPLE] = "insert_sample", [PDTT_ST_UPSERT_BASELINE] = "upsert_baseline",
	[PDTT_ST_LOAD_BASELINE] = "load_baseline", [PDTT_ST_CLEAR_BASELINE] = "clear_baseline",
	[PDTT_ST_GET_META] = "get_meta",	   [PDTT_ST_SET_META] = "set_meta",
	[PDTT_ST_PRUNE_SAMPLES] = "prune_samples", [PDTT_ST_PRUNE_HOURS] = "prune_hours",
	[PDTT_ST_PRUNE_DAYS] = "prune_days",	   [PDTT_ST_PRUNE_MONTHS] = "prune_months",
	[PDTT_ST_ROLL_SAMPLES] = "roll_samples",   [PDTT_ST_ROLL_HOURS] = "roll_hours",
	[PDTT_ST_ROLL_DAYS] = "roll_days",	   [PDTT_ST_NEXT_SAMPLE] = "next_sample",
	[PDTT_ST_NEXT_HOUR] = "next_hour",	   [PDTT_ST_NEXT_DAY] = "next_day",
};

#define PROF_OTHER 8 /* BEGIN, COMMIT, PRAGMA ...: by their SQL text */

struct profile {
	const struct pdtt_store *store;
	double ms[PDTT_ST_COUNT + PROF_OTHER];
	long long runs[PDTT_ST_COUNT + PROF_OTHER];
	char other[PROF_OTHER][40];
};

static int profile_cb(unsigned type, void *ctx, void *p, void *x)
{
	struct profile *pr = ctx;
	sqlite3_stmt *st = p;
	const char *sql;
	int i;

	if (type != SQLITE_TRACE_PROFILE)
		return 0;
	for (i = 0; i < PDTT_ST_COUNT; i++)
		if (pr->store->st[i] == st)
			break;
	if (i == PDTT_ST_COUNT) {
		sql = sqlite3_sql(st);
		for (int j = 0; j < PROF_OTHER; j++) {
			if (!pr->other[j][0])
				snprintf(pr->other[j], sizeof(pr->other[j]), "%s", sql ? sql : "?");
			if (!strncmp(pr->other[j], sql ? sql : "?", sizeof(pr->other[j]) - 1)) {
				i = PDTT_ST_COUNT + j;
				break;
			}
		}
		if (i == PDTT_ST_COUNT)
			return 0;
	}
	pr->ms[i] += (double)*(const int64_t *)x / 1e6;
	pr->runs[i]++;
	return 0;
}

static void profile_start(struct profile *pr, const struct pdtt_store *s)
{
	memset(pr, 0, sizeof(*pr));
	pr->store = s;
	sqlite3_trace_v2(s->db, SQLITE_TRACE_PROFILE, profile_cb, pr);
}

static void profile_print(struct profile *pr, long long rows)
{
	double total = 0;

	sqlite3_trace_v2(pr->store->db, 0, NULL, NULL);
	for (int i = 0; i < PDTT_ST_COUNT + PROF_OTHER; i++)
		total += pr->ms[i];
	printf("\nwhere the time of commits and prunes went (sqlite3_trace_v2 PROFILE, -P):\n\n"
	       "| statement | runs | total ms | µs per committed row | share |\n"
	       "|---|---:|---:|---:|---:|\n");
	for (int i = 0; i < PDTT_ST_COUNT + PROF_OTHER; i++) {
		char num[32];
		const char *name = i < PDTT_ST_COUNT ? stmt_names[i] : pr->other[i - PDTT_ST_COUNT];

		if (!pr->runs[i])
			continue;
		if (!name) { /* a statement newer than this bench */
			snprintf(num, sizeof(num), "statement %d", i);
			name = num;
		}
		printf("| %s | %lld | %.0f | %.2f | %.1f%% |\n", name, pr->runs[i], pr->ms[i],
		       pr->ms[i] * 1e3 / (double)rows, 100.0 * pr->ms[i] / total);
	}
	printf("\n");
}

/* --- (a) interval cost --------------------------------------------------- */

struct interval_result {
	size_t n;
	double read, diff, build, commit, quota; /* median ms per part, intervals 1..K */
	double median, worst;			 /* ms, the whole interval */
	int worst_at;				 /* which interval was the worst */
	double floor;				 /* ms: the commit floor's median */
	double first_commit;			 /* ms: interval 0, every row new */
	double rollup;				 /* ms: retention rolling all samples into hours */
	long long rolled;			 /* samples it rolled */
	double batch_read;			 /* ms: the same read via bpf_map_lookup_batch */
	long long db_bytes, wal_bytes;		 /* file sizes after the run */
};

static struct pdtt_key bench_key(size_t i);

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_of(const double *v, int n)
{
	double *c = malloc((size_t)n * sizeof(*c)), m;

	if (!c)
		return -1;
	memcpy(c, v, (size_t)n * sizeof(*c));
	qsort(c, (size_t)n, sizeof(*c), cmp_double);
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

/* The commit floor for n keys: what SQLite needs to store one interval's
 * rows and baselines in the plainest schema, measured like the store's own
 * commit (intervals 1..K after a first one; median ms). */
static int floor_one(const struct options *o, size_t n, double *median)
{
	static const char *const schema =
		"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		"CREATE TABLE s (interval INTEGER, uid INTEGER, netns INTEGER, ifindex INTEGER,"
		" rx_bytes INTEGER, tx_bytes INTEGER, rx_packets INTEGER, tx_packets INTEGER,"
		" PRIMARY KEY (interval, uid, netns, ifindex)) WITHOUT ROWID;"
		"CREATE TABLE b (uid INTEGER, netns INTEGER, ifindex INTEGER, rx_bytes INTEGER,"
		" tx_bytes INTEGER, rx_packets INTEGER, tx_packets INTEGER,"
		" PRIMARY KEY (uid, netns, ifindex)) WITHOUT ROWID;";
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL, *up = NULL;
	double *ms = calloc((size_t)o->intervals, sizeof(*ms));
	char path[4096];
	int rc = -1;

	snprintf(path, sizeof(path), "%s/floor-%zu.db", o->dir, n);
	remove_db(path);
	if (!ms || sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO s VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &ins,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
			       "INSERT INTO b VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE "
			       "SET rx_bytes = excluded.rx_bytes, tx_bytes = excluded.tx_bytes, "
			       "rx_packets = excluded.rx_packets, tx_packets = excluded.tx_packets",
			       -1, &up, NULL) != SQLITE_OK) {
		fprintf(stderr, "history_bench: the floor's database: %s\n",
			db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	for (int it = 0; it <= o->intervals; it++) {
		double a = now_ms();

		if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
		for (size_t i = 0; i < n; i++) {
			struct pdtt_key k = bench_key(i);
			int64_t v = (int64_t)(i + 1) * (it + 1);

			sqlite3_bind_int64(ins, 1, it);
			sqlite3_bind_int64(ins, 2, k.uid);
			sqlite3_bind_int64(ins, 3, (int64_t)k.netns_cookie);
			sqlite3_bind_int64(ins, 4, k.ifindex);
			for (int c = 5; c <= 8; c++)
				sqlite3_bind_int64(ins, c, v + c);
			sqlite3_bind_int64(up, 1, k.uid);
			sqlite3_bind_int64(up, 2, (int64_t)k.netns_cookie);
			sqlite3_bind_int64(up, 3, k.ifindex);
			for (int c = 4; c <= 7; c++)
				sqlite3_bind_int64(up, c, v * 7 + c);
			if (sqlite3_step(ins) != SQLITE_DONE || sqlite3_step(up) != SQLITE_DONE)
				goto fail;
			sqlite3_reset(ins);
			sqlite3_reset(up);
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
		if (it > 0)
			ms[it - 1] = now_ms() - a;
	}
	*median = median_of(ms, o->intervals);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "history_bench: the floor's commit: %s\n", sqlite3_errmsg(db));
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(up);
	sqlite3_close(db);
	remove_db(path);
	free(ms);
	return rc;
}

static struct pdtt_key bench_key(size_t i)
{
	struct pdtt_key k = {
		.uid = FIRST_UID + (__u32)(i / KEYS_PER_UID),
		.ifindex = 2 + (__u32)(i % KEYS_PER_UID),
		.netns_cookie = BENCH_NETNS,
	};
	return k;
}

/* Counters of key i on one CPU after `round` bumps: they only grow. */
static void bench_value(size_t i, int cpu, int round, struct pdtt_value *v)
{
	uint64_t r = (uint64_t)round + 1, base = 1000 + i % 977, c = (uint64_t)cpu + 1;

	v->rx_bytes = r * base * 1400 * c;
	v->rx_packets = r * base * c;
	v->tx_bytes = r * base * 90 * c;
	v->tx_packets = r * (base / 2 + 1) * c;
}

static int fill_map(int fd, size_t n, int ncpus, int round, struct pdtt_value *vals)
{
	for (size_t i = 0; i < n; i++) {
		struct pdtt_key k = bench_key(i);

		for (int c = 0; c < ncpus; c++)
			bench_value(i, c, round, &vals[c]);
		if (bpf_map_update_elem(fd, &k, vals, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* What pdtt_collector_read does, with one bpf_map_lookup_batch syscall per
 * 4096 keys instead of two syscalls per key.  Not used by pdtt; here only
 * to put a number on the difference. */
static int batch_read(int fd, int ncpus, size_t n, struct pdtt_snapshot *s)
{
	const __u32 chunk = 4096;
	struct pdtt_key *keys = calloc(chunk, sizeof(*keys));
	struct pdtt_value *vals = calloc((size_t)chunk * (size_t)ncpus, sizeof(*vals));
	__u32 in = 0, out = 0;
	bool first = true;
	int rc = -ENOMEM;

	if (!keys || !vals)
		goto cleanup;
	pdtt_snapshot_clear(s);
	for (;;) {
		__u32 count = chunk;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &count,
					       NULL);

		if (err && errno != ENOENT) {
			rc = -errno;
			goto cleanup;
		}
		for (__u32 j = 0; j < count; j++) {
			struct pdtt_value sum = { 0 };

			for (int c = 0; c < ncpus; c++) {
				const struct pdtt_value *p = &vals[(size_t)j * (size_t)ncpus + c];

				sum.rx_bytes += p->rx_bytes;
				sum.rx_packets += p->rx_packets;
				sum.tx_bytes += p->tx_bytes;
				sum.tx_packets += p->tx_packets;
			}
			if (pdtt_snapshot_append(s, &keys[j], &sum)) {
				rc = -ENOMEM;
				goto cleanup;
			}
		}
		if (err)
			break; /* ENOENT: that was the last batch */
		in = out;
		first = false;
	}
	pdtt_snapshot_sort(s);
	rc = s->n == n ? 0 : -EIO;
cleanup:
	free(keys);
	free(vals);
	return rc;
}

static int interval_one(const struct options *o, size_t n, struct interval_result *res)
{
	struct pdtt_collector col = { .stats_fd = -1, .lost_fd = -1, .lock_fd = -1 };
	struct pdtt_snapshot cur, committed, delta, batch;
	struct pdtt_commit_row *rows = NULL;
	struct pdtt_value *vals = NULL;
	struct pdtt_store store = { 0 };
	struct pdtt_quota_watch watch;
	struct profile prof;
	bool store_open = false;
	char path[4096], err[512], (*names)[24] = NULL;
	size_t n_uids = n / KEYS_PER_UID + 1;
	int64_t t0, last_end;
	/* 2026-01-31 23:58:20: interval 10 opens a new hour, day and month. */
	struct tm tm0 = { .tm_year = 126,
			  .tm_mon = 0,
			  .tm_mday = 31,
			  .tm_hour = 23,
			  .tm_min = 58,
			  .tm_sec = 20 };
	double *part[6] = { NULL }; /* read, diff, rows, commit, quota, whole: per interval */
	int rc = -1;

	pdtt_snapshot_init(&cur);
	pdtt_snapshot_init(&committed);
	pdtt_snapshot_init(&delta);
	pdtt_snapshot_init(&batch);
	pdtt_quota_watch_init(&watch);
	memset(res, 0, sizeof(*res));
	res->n = n;
	snprintf(path, sizeof(path), "%s/interval-%zu.db", o->dir, n);
	remove_db(path);

	col.ncpus = libbpf_num_possible_cpus();
	if (col.ncpus <= 0) {
		fprintf(stderr, "history_bench: possible CPUs: %s\n", strerror(-col.ncpus));
		goto cleanup;
	}
	col.percpu_buf = calloc((size_t)col.ncpus, sizeof(struct pdtt_value));
	vals = calloc((size_t)col.ncpus, sizeof(*vals));
	rows = calloc(n, sizeof(*rows));
	names = calloc(n_uids, sizeof(*names));
	for (int k = 0; k < 6; k++)
		part[k] = calloc((size_t)o->intervals, sizeof(double));
	if (!col.percpu_buf || !vals || !rows || !names || !part[0] || !part[1] || !part[2] ||
	    !part[3] || !part[4] || !part[5]) {
		fprintf(stderr, "history_bench: out of memory\n");
		goto cleanup;
	}
	for (size_t u = 0; u < n_uids; u++)
		snprintf(names[u], sizeof(names[u]), "user%u", (unsigned)u);

	col.stats_fd = bpf_map_create(
		BPF_MAP_TYPE_PERCPU_HASH, "bench_stats", sizeof(struct pdtt_key),
		sizeof(struct pdtt_value),
		n > PDTT_DEFAULT_MAX_ENTRIES ? (__u32)n : PDTT_DEFAULT_MAX_ENTRIES, NULL);
	if (col.stats_fd < 0) {
		fprintf(stderr, "history_bench: bpf_map_create: %s (root needed)\n",
			strerror(errno));
		goto cleanup;
	}
	if (fill_map(col.stats_fd, n, col.ncpus, 0, vals)) {
		fprintf(stderr, "history_bench: filling the map: %s\n", strerror(errno));
		goto cleanup;
	}
	if (pdtt_store_open(&store, path, true, err, sizeof(err))) {
		fprintf(stderr, "history_bench: %s\n", err);
		goto cleanup;
	}
	store_open = true;
	/* Default quotas for everyone, through 'quota set --all' itself. */
	for (int k = 0; k < 3; k++) {
		char *argv[] = { "quota", "set",   "--all",
				 "1TB",	  "--per", (char *)pdtt_per_name((enum pdtt_per)k),
				 "--db",  path,	   NULL };

		if (pdtt_quota_main(8, argv))
			goto cleanup;
	}

	t0 = (int64_t)timegm(&tm0);
	last_end = t0;
	/* Interval 0 commits every key for the first time; 1..K are steady state. */
	for (int it = 0; it <= o->intervals; it++) {
		struct pdtt_commit c = { 0 };
		struct pdtt_audit_row *audit;
		size_t n_audit;
		double a, b, d, e, f, g, h;

		if (it > 0 && fill_map(col.stats_fd, n, col.ncpus, it, vals)) {
			fprintf(stderr, "history_bench: bumping the map: %s\n", strerror(errno));
			goto cleanup;
		}
		a = now_ms();
		if (pdtt_collector_read(&col, &cur)) {
			fprintf(stderr, "history_bench: pdtt_collector_read failed\n");
			goto cleanup;
		}
		b = now_ms();
		if (pdtt_snapshot_diff(&committed, &cur, &delta))
			goto cleanup;
		d = now_ms();
		for (size_t i = 0; i < delta.n; i++) {
			struct pdtt_commit_row *r = &rows[i];
			const struct pdtt_entry *cum = pdtt_snapshot_find(&cur, &delta.e[i].key);

			r->key = delta.e[i].key;
			r->delta = delta.e[i].val;
			r->cumulative = cum->val;
			r->user_name = names[r->key.uid - FIRST_UID];
			r->iface_name = iface_names[(r->key.ifindex - 2) % KEYS_PER_UID];
			r->netns = "host";
		}
		c.span = pdtt_plan_sample(last_end, t0 + (int64_t)(it + 1) * INTERVAL_SECS);
		c.rows = rows;
		c.n_rows = delta.n;
		c.reset_baseline = it == 0;
		c.boot_id = "00000000-0000-0000-0000-000000000000";
		c.map_id = 1;
		e = now_ms();
		if (pdtt_store_commit(&store, &c, err, sizeof(err))) {
			fprintf(stderr, "history_bench: commit: %s\n", err);
			goto cleanup;
		}
		f = now_ms();
		if (pdtt_snapshot_copy(&committed, &cur))
			goto cleanup;
		g = now_ms();
		if (pdtt_quota_watch_check(&watch, store.db, c.rows, c.n_rows, c.span.end, &audit,
					   &n_audit)) {
			fprintf(stderr, "history_bench: quota check: %s\n",
				sqlite3_errmsg(store.db));
			goto cleanup;
		}
		pdtt_audit_free(audit, n_audit);
		h = now_ms();
		last_end = c.span.end;
		if (cur.n != n || delta.n != n) {
			fprintf(stderr, "history_bench: read %zu keys, %zu changed; expected %zu\n",
				cur.n, delta.n, n);
			goto cleanup;
		}
		if (it == 0) {
			res->first_commit = f - e;
			if (o->profile)
				profile_start(&prof, &store);
			continue;
		}
		part[0][it - 1] = b - a;
		part[1][it - 1] = d - b;
		part[2][it - 1] = (e - d) + (g - f);
		part[3][it - 1] = f - e;
		part[4][it - 1] = h - g;
		part[5][it - 1] = h - a;
		if (h - a > res->worst) {
			res->worst = h - a;
			res->worst_at = it;
		}
	}
	if (o->profile) {
		printf("N = %zu keys, intervals 1..%d:\n", n, o->intervals);
		profile_print(&prof, (long long)n * o->intervals);
	}
	res->read = median_of(part[0], o->intervals);
	res->diff = median_of(part[1], o->intervals);
	res->build = median_of(part[2], o->intervals);
	res->commit = median_of(part[3], o->intervals);
	res->quota = median_of(part[4], o->intervals);
	res->median = median_of(part[5], o->intervals);

	/* Sanity: one sample per key and interval, one baseline row per key. */
	if (q_int(store.db, "SELECT count(*) FROM samples") != (int64_t)n * (o->intervals + 1) ||
	    q_int(store.db, "SELECT count(*) FROM baseline") != (int64_t)n) {
		fprintf(stderr, "history_bench: the database does not hold what was committed\n");
		goto cleanup;
	}
	/* What retention then costs: every sample rolled into its hour (the
	 * daemon does this once an hour, for the hour that left the samples'
	 * retention). */
	{
		struct pdtt_cutoffs cut = { .samples = pdtt_bucket_next(PDTT_RES_HOUR, last_end),
					    .hourly = INT64_MIN,
					    .daily = INT64_MIN,
					    .monthly = INT64_MIN };
		int64_t rx = q_int(store.db, "SELECT sum(rx_bytes) FROM samples");
		double a = now_ms();

		res->rolled = q_int(store.db, "SELECT count(*) FROM samples");
		if (pdtt_store_prune(&store, &cut, err, sizeof(err))) {
			fprintf(stderr, "history_bench: prune: %s\n", err);
			goto cleanup;
		}
		res->rollup = now_ms() - a;
		if (q_int(store.db, "SELECT count(*) FROM samples") != 0 ||
		    q_int(store.db, "SELECT sum(rx_bytes) FROM rollup_hour") != rx) {
			fprintf(stderr, "history_bench: the roll-up lost or kept samples\n");
			goto cleanup;
		}
	}

	/* The alternative read, for comparison (median-free: mean of 5). */
	for (int i = 0; i < 5; i++) {
		double a = now_ms();

		if (batch_read(col.stats_fd, col.ncpus, n, &batch)) {
			fprintf(stderr, "history_bench: bpf_map_lookup_batch failed\n");
			goto cleanup;
		}
		res->batch_read += (now_ms() - a) / 5;
	}
	for (size_t i = 0; i < n && batch.n == n; i++)
		if (memcmp(&batch.e[i].key, &cur.e[i].key, sizeof(cur.e[i].key)) ||
		    memcmp(&batch.e[i].val, &cur.e[i].val, sizeof(cur.e[i].val)))
			batch.n = 0; /* compare keys and counters, not idle counts or padding */
	if (batch.n != n) {
		fprintf(stderr, "history_bench: batch read differs from pdtt_collector_read\n");
		goto cleanup;
	}
	{
		char wal[4200];

		snprintf(wal, sizeof(wal), "%s-wal", path);
		res->db_bytes = file_size(path);
		res->wal_bytes = file_size(wal);
	}
	rc = 0;
cleanup:
	if (store_open)
		pdtt_store_close(&store);
	pdtt_quota_watch_free(&watch);
	remove_db(path);
	if (col.stats_fd >= 0)
		close(col.stats_fd);
	free(col.percpu_buf);
	free(vals);
	free(rows);
	free(names);
	for (int k = 0; k < 6; k++)
		free(part[k]);
	pdtt_snapshot_free(&cur);
	pdtt_snapshot_free(&committed);
	pdtt_snapshot_free(&delta);
	pdtt_snapshot_free(&batch);
	return rc;
}

/* The daemon names each host interface with if_indextoname() for every row
 * of every commit (iface_labels in src/daemon.c); what one call costs. */
static double indextoname_us(void)
{
	char name[IF_NAMESIZE];
	const int calls = 20000;
	double a = now_ms();

	for (int i = 0; i < calls; i++)
		if (!if_indextoname(1, name))
			return -1;
	return (now_ms() - a) * 1e3 / calls;
}

static int interval_bench(const struct options *o)
{
	struct interval_result res[MAX_SIZES];
	double ifname_us;

	printf("== (a) interval cost: read + diff + rows + commit, every key changed ==\n");
	printf("BPF_MAP_TYPE_PERCPU_HASH, %d possible CPUs; %d keys per uid (%s, %s, %s, %s);\n"
	       "%d steady-state intervals of %d s (fake clock) after a first commit of all keys;\n"
	       "fresh database in %s for each N.\n\n",
	       libbpf_num_possible_cpus(), KEYS_PER_UID, iface_names[0], iface_names[1],
	       iface_names[2], iface_names[3], o->intervals, INTERVAL_SECS, o->dir);
	fflush(stdout);
	for (int i = 0; i < o->n_sizes; i++) {
		double a = now_ms();

		if (interval_one(o, o->sizes[i], &res[i]) ||
		    floor_one(o, o->sizes[i], &res[i].floor))
			return -1;
		fprintf(stderr, "history_bench: N=%zu done in %.1f s\n", o->sizes[i],
			(now_ms() - a) / 1e3);
	}
	printf("| keys | read ms | diff ms | rows ms | commit ms | quota ms | **median ms** | "
	       "worst ms (interval) | floor ms | **median / floor** | **worst / floor** | of %d s "
	       "| "
	       "commit µs/key | floor µs/key | first commit ms | db MiB | -wal MiB |\n",
	       INTERVAL_SECS);
	printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|--"
	       "-:|"
	       "\n");
	for (int i = 0; i < o->n_sizes; i++) {
		const struct interval_result *r = &res[i];

		printf("| %zu | %.2f | %.2f | %.2f | %.1f | %.1f | **%.1f** | %.1f (%d) | %.1f | "
		       "**%.2f** | **%.2f** | %.1f%% | %.1f | %.1f | %.1f | %.1f | %.1f |\n",
		       r->n, r->read, r->diff, r->build, r->commit, r->quota, r->median, r->worst,
		       r->worst_at, r->floor, r->median / r->floor, r->worst / r->floor,
		       r->median / (10.0 * INTERVAL_SECS), r->commit * 1e3 / (double)r->n,
		       r->floor * 1e3 / (double)r->n, r->first_commit, mib(r->db_bytes),
		       mib(r->wal_bytes));
	}
	printf("\nread: pdtt_collector_read (batched lookups, then qsort); diff:\n"
	       "pdtt_snapshot_diff; rows: commit rows as record_history builds them (bsearch\n"
	       "per row) plus the baseline copy; commit: pdtt_store_commit (one transaction);\n"
	       "quota: the daemon's check after it (pdtt_quota_watch_check: per-user sums\n"
	       "kept in memory, read from the history at start and when a period begins).\n"
	       "Parts and the whole are medians over\n"
	       "intervals 1..%d; interval 10 is the first of a new hour, day and month.\n"
	       "floor: the commit floor (see the top of bench/history_bench.c), median.\n\n",
	       o->intervals);

	printf("Retention's roll-up of those samples into hours (pdtt_store_prune), for\n"
	       "comparison; the daemon rolls one hour of samples once an hour:\n\n"
	       "| keys | samples rolled | roll-up ms | µs per sample | a full hour of every key "
	       "active (est. s) |\n|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < o->n_sizes; i++)
		printf("| %zu | %lld | %.1f | %.2f | %.1f |\n", res[i].n, res[i].rolled,
		       res[i].rollup, res[i].rollup * 1e3 / (double)res[i].rolled,
		       res[i].rollup / (double)res[i].rolled * (double)res[i].n *
			       (3600.0 / INTERVAL_SECS) / 1e3);
	printf("\n");
	printf("Reading the same map with bpf_map_lookup_batch, 4096 keys per call (pdtt uses\n"
	       "1024), for comparison:\n\n");
	printf("| keys | pdtt_collector_read ms | batch read ms | ratio "
	       "|\n|---:|---:|---:|---:|\n");
	for (int i = 0; i < o->n_sizes; i++)
		printf("| %zu | %.2f | %.2f | %.2f |\n", res[i].n, res[i].read, res[i].batch_read,
		       res[i].read / res[i].batch_read);
	ifname_us = indextoname_us();
	printf("\nif_indextoname(), which the daemon calls once per interface and interval: "
	       "%.2f µs per call,\n",
	       ifname_us);
	for (int i = 0; i < o->n_sizes; i++)
		printf("%s%.1f ms at %zu keys", i ? ", " : "", ifname_us * (double)res[i].n / 1e3,
		       res[i].n);
	printf(" (not included above).\n\n");
	fflush(stdout);
	return 0;
}

/* --- (b) a year ---------------------------------------------------------- */

struct year_key {
	struct pdtt_key key;
	struct pdtt_value cum;
	const char *iface;
};

/* Traffic of one key in one active hour: bytes log-uniform from 10 kB to
 * 1 GB received, a tenth to a half of that sent, ~1400 bytes a packet. */
static void hour_traffic(struct pdtt_value *d)
{
	double rx = 1e4 * pow(1e5, rnd_unit());
	double tx = rx * (0.1 + 0.4 * rnd_unit());

	d->rx_bytes = (uint64_t)rx;
	d->rx_packets = d->rx_bytes / 1400 + 1;
	d->tx_bytes = (uint64_t)tx;
	d->tx_packets = d->tx_bytes / 1000 + 1;
}

/* Every user picks `hours` distinct hours of each local day. */
static void pick_hours(uint32_t *mask, int users, int hours)
{
	for (int u = 0; u < users; u++) {
		uint32_t m = 0;

		for (int h = 0; h < hours && h < 24;) {
			uint32_t bit = 1u << (rnd() % 24);

			if (!(m & bit)) {
				m |= bit;
				h++;
			}
		}
		mask[u] = m;
	}
}

static void print_sizes(struct sqlite3 *db, const char *path)
{
	static const char *const counts[][2] = {
		{ "samples", "SELECT count(*) FROM samples" },
		{ "rollup_hour", "SELECT count(*) FROM rollup_hour" },
		{ "rollup_day", "SELECT count(*) FROM rollup_day" },
		{ "rollup_month", "SELECT count(*) FROM rollup_month" },
		{ "users", "SELECT count(*) FROM users" },
		{ "interfaces", "SELECT count(*) FROM interfaces" },
		{ "baseline", "SELECT count(*) FROM baseline" },
		{ "meta", "SELECT count(*) FROM meta" },
	};
	sqlite3_stmt *st = NULL;
	char wal[4200];

	snprintf(wal, sizeof(wal), "%s-wal", path);
	printf("\nfile after PRAGMA incremental_vacuum + wal_checkpoint(TRUNCATE): %.1f MiB "
	       "(%lld bytes), -wal %lld bytes;\npage_size %lld, page_count %lld, freelist %lld\n\n",
	       mib(file_size(path)), file_size(path), file_size(wal),
	       (long long)q_int(db, "PRAGMA page_size"), (long long)q_int(db, "PRAGMA page_count"),
	       (long long)q_int(db, "PRAGMA freelist_count"));

	printf("| rows | count |\n|---|---:|\n");
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		printf("| %s | %lld |\n", counts[i][0], (long long)q_int(db, counts[i][1]));

	if (sqlite3_prepare_v2(db,
			       "SELECT d.name, coalesce(s.tbl_name, d.name), count(*), "
			       "sum(d.pgsize), sum(d.payload), sum(d.unused) "
			       "FROM dbstat d LEFT JOIN sqlite_schema s ON s.name = d.name "
			       "GROUP BY d.name ORDER BY sum(d.pgsize) DESC",
			       -1, &st, NULL) != SQLITE_OK) {
		printf("\n(dbstat not available: %s)\n", sqlite3_errmsg(db));
		return;
	}
	printf("\n| b-tree (dbstat) | table | pages | MiB | payload MiB | unused MiB |\n"
	       "|---|---|---:|---:|---:|---:|\n");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("| %s | %s | %lld | %.1f | %.1f | %.1f |\n", sqlite3_column_text(st, 0),
		       sqlite3_column_text(st, 1), (long long)sqlite3_column_int64(st, 2),
		       mib(sqlite3_column_int64(st, 3)), mib(sqlite3_column_int64(st, 4)),
		       mib(sqlite3_column_int64(st, 5)));
	sqlite3_finalize(st);
}

/* The year at other activity levels: samples and hourly rows grow with the
 * active hours a day, daily and monthly rows do not (every key is active on
 * every day already). */
static void print_estimates(struct sqlite3 *db, const char *path, int hours)
{
	static const int levels[] = { 1, 4, 8, 24 };
	int64_t scaled, n_hour, n_samples;
	double per_hour_bytes, fixed;

	scaled = q_int(db, "SELECT sum(pgsize) FROM dbstat "
			   "WHERE name IN ('samples', 'rollup_hour')");
	n_hour = q_int(db, "SELECT count(*) FROM rollup_hour");
	n_samples = q_int(db, "SELECT count(*) FROM samples");
	if (scaled < 0)
		return;
	per_hour_bytes = (double)scaled / hours;
	fixed = (double)file_size(path) - (double)scaled;
	printf("\nThe same year with more active hours per user and day (hourly rows and\n"
	       "samples scale with the hours, %lld + %lld rows now; the rest does not):\n\n"
	       "| active hours a day | file MiB (est.) |\n|---:|---:|\n",
	       (long long)n_hour, (long long)n_samples);
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		printf("| %d%s | %.1f |\n", levels[i], levels[i] == hours ? " (measured)" : "",
		       mib((long long)(fixed + per_hour_bytes * levels[i])));
}

static int year_one(const struct options *o, const char *zone)
{
	const struct pdtt_retention ret = pdtt_retention_default();
	struct year_key *keys = NULL;
	struct pdtt_commit_row *rows = NULL;
	uint32_t *mask = NULL;
	int *last_day = NULL; /* per user: the last day it had traffic, 1-based */
	char(*names)[24] = NULL;
	struct pdtt_store store = { 0 };
	struct profile prof;
	bool store_open = false;
	char path[4096], wal[4300], err[512], label[40];
	size_t n_keys = 0;
	struct tm tm0 = { .tm_year = 126, .tm_mon = 0, .tm_mday = 1, .tm_isdst = -1 };
	struct tm tm;
	int64_t t, end, last_end;
	double commit_ms = 0, prune_ms = 0, start = now_ms(), max_commit = 0;
	long long total_rows = 0, commits = 0, prunes = 0;
	uint64_t committed[2] = { 0 }; /* rx and tx bytes: what the file must still hold */
	int cur_mday = -1, cur_mon = -1, day = 0, rc = -1;

	setenv("TZ", zone, 1);
	tzset();
	rng_state = o->seed;
	snprintf(path, sizeof(path), "%s/year.db", o->year_dir ? o->year_dir : o->dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	remove_db(path);

	/* uid 1000+u on eth0; every fifth user also on wg0. */
	keys = calloc((size_t)o->users * 2, sizeof(*keys));
	rows = calloc((size_t)o->users * 2, sizeof(*rows));
	mask = calloc((size_t)o->users, sizeof(*mask));
	last_day = calloc((size_t)o->users, sizeof(*last_day));
	names = calloc((size_t)o->users, sizeof(*names));
	if (!keys || !rows || !mask || !last_day || !names) {
		fprintf(stderr, "history_bench: out of memory\n");
		goto cleanup;
	}
	for (int u = 0; u < o->users; u++) {
		snprintf(names[u], sizeof(names[u]), "user%05d", u);
		for (int i = 0; i < (u % 5 ? 1 : 2); i++) {
			struct year_key *k = &keys[n_keys++];

			k->key.uid = FIRST_UID + (__u32)u;
			k->key.ifindex = 2 + (__u32)i;
			k->key.netns_cookie = BENCH_NETNS;
			k->iface = i ? "wg0" : "eth0";
		}
	}

	printf("== (b) a year: %d users, default retention, TZ=%s ==\n", o->users, zone);
	printf("%zu keys (uid on eth0, every fifth user also on wg0); each user active in %d\n"
	       "random distinct hours of every local day, traffic in each of them on each of its\n"
	       "keys; one commit per simulated hour (rows: the keys active that hour);\n"
	       "pdtt_store_prune after each local day with pdtt_retention_cutoffs;\n"
	       "%d days from 2026-01-01 00:00 local time (fake clock).\n\n",
	       n_keys, o->hours, o->days);
	if (pdtt_store_open(&store, path, true, err, sizeof(err))) {
		fprintf(stderr, "history_bench: %s\n", err);
		goto cleanup;
	}
	store_open = true;
	if (o->profile)
		profile_start(&prof, &store);

	t = (int64_t)mktime(&tm0);
	end = t + (int64_t)o->days * 86400;
	last_end = t;
	printf("| month | db MiB | -wal MiB | rows committed | commit ms (mean) | elapsed s |\n"
	       "|---|---:|---:|---:|---:|---:|\n");
	fflush(stdout);
	for (; t < end; t += 3600) {
		time_t tt = (time_t)t;
		struct pdtt_commit c = { 0 };
		size_t n = 0, k = 0;
		double a;

		localtime_r(&tt, &tm);
		if (tm.tm_mday != cur_mday) {
			if (cur_mday >= 0) { /* a local day ended at t */
				struct pdtt_cutoffs cut = pdtt_retention_cutoffs(&ret, t);

				a = now_ms();
				if (pdtt_store_prune(&store, &cut, err, sizeof(err))) {
					fprintf(stderr, "history_bench: prune: %s\n", err);
					goto cleanup;
				}
				prune_ms += now_ms() - a;
				prunes++;
			}
			if (tm.tm_mon != cur_mon && cur_mon >= 0) {
				pdtt_bucket_label(PDTT_RES_MONTH,
						  pdtt_bucket_start(PDTT_RES_MONTH, t - 1), label,
						  sizeof(label));
				printf("| %s | %.1f | %.1f | %lld | %.2f | %.0f |\n", label,
				       mib(file_size(path)), mib(file_size(wal)), total_rows,
				       commit_ms / (double)commits, (now_ms() - start) / 1e3);
				fflush(stdout);
			}
			cur_mday = tm.tm_mday;
			cur_mon = tm.tm_mon;
			day++;
			pick_hours(mask, o->users, o->hours);
		}
		for (int u = 0; u < o->users; u++) {
			bool active = mask[u] & (1u << tm.tm_hour);

			for (; k < n_keys && keys[k].key.uid == FIRST_UID + (__u32)u; k++) {
				struct pdtt_commit_row *r = &rows[n];
				struct year_key *yk = &keys[k];

				if (!active)
					continue;
				last_day[u] = day;
				hour_traffic(&r->delta);
				committed[0] += r->delta.rx_bytes;
				committed[1] += r->delta.tx_bytes;
				yk->cum.rx_bytes += r->delta.rx_bytes;
				yk->cum.rx_packets += r->delta.rx_packets;
				yk->cum.tx_bytes += r->delta.tx_bytes;
				yk->cum.tx_packets += r->delta.tx_packets;
				r->key = yk->key;
				r->cumulative = yk->cum;
				r->user_name = names[u];
				r->iface_name = yk->iface;
				r->netns = "host";
				n++;
			}
		}
		c.span = pdtt_plan_sample(last_end, t + 3600);
		c.rows = rows;
		c.n_rows = n;
		c.reset_baseline = commits == 0;
		c.boot_id = "00000000-0000-0000-0000-000000000000";
		c.map_id = 1;
		a = now_ms();
		if (pdtt_store_commit(&store, &c, err, sizeof(err))) {
			fprintf(stderr, "history_bench: commit: %s\n", err);
			goto cleanup;
		}
		a = now_ms() - a;
		commit_ms += a;
		if (a > max_commit)
			max_commit = a;
		last_end = c.span.end;
		total_rows += (long long)n;
		commits++;
	}
	{ /* the last day and month */
		struct pdtt_cutoffs cut = pdtt_retention_cutoffs(&ret, t);
		double a = now_ms();

		if (pdtt_store_prune(&store, &cut, err, sizeof(err))) {
			fprintf(stderr, "history_bench: prune: %s\n", err);
			goto cleanup;
		}
		prune_ms += now_ms() - a;
		prunes++;
		pdtt_bucket_label(PDTT_RES_MONTH, pdtt_bucket_start(PDTT_RES_MONTH, t - 1), label,
				  sizeof(label));
		printf("| %s | %.1f | %.1f | %lld | %.2f | %.0f |\n", label, mib(file_size(path)),
		       mib(file_size(wal)), total_rows, commit_ms / (double)commits,
		       (now_ms() - start) / 1e3);
	}
	printf("\n%lld commits, %lld rows (%.0f a commit), commit mean %.2f ms (max %.1f ms),\n"
	       "%.2f µs a row; %lld prunes, mean %.1f ms; the year took %.0f s.\n",
	       commits, total_rows, (double)total_rows / (double)commits,
	       commit_ms / (double)commits, max_commit, commit_ms * 1e3 / (double)total_rows,
	       prunes, prune_ms / (double)prunes, (now_ms() - start) / 1e3);
	printf("file as the daemon leaves it: %.1f MiB + -wal %.1f MiB\n", mib(file_size(path)),
	       mib(file_size(wal)));
	if (o->profile)
		profile_print(&prof, total_rows);

	if (sqlite3_exec(store.db, "PRAGMA incremental_vacuum", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(store.db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) !=
		    SQLITE_OK) {
		fprintf(stderr, "history_bench: checkpoint: %s\n", sqlite3_errmsg(store.db));
		goto cleanup;
	}
	print_sizes(store.db, path);
	/* Sanity: retention moved the traffic to coarser rows and lost none
	 * (monthly rows are kept forever), and each table holds only its span. */
	if (q_int(store.db, "SELECT sum(rx_bytes) FROM usage_finest") != (int64_t)committed[0] ||
	    q_int(store.db, "SELECT sum(tx_bytes) FROM usage_finest") != (int64_t)committed[1]) {
		fprintf(stderr, "history_bench: the file does not hold the committed bytes\n");
		goto cleanup;
	}
	if (q_int(store.db, "SELECT (SELECT count(*) FROM rollup_hour WHERE bucket_start >= "
			    "(SELECT value FROM meta WHERE key = 'pruned_samples_before')) + "
			    "(SELECT count(*) FROM rollup_day WHERE bucket_start >= "
			    "(SELECT value FROM meta WHERE key = 'pruned_hourly_before'))") != 0) {
		fprintf(stderr, "history_bench: rollup rows where finer rows are kept\n");
		goto cleanup;
	}
	{
		int64_t n_samples = q_int(store.db, "SELECT count(*) FROM samples");
		int64_t bytes = q_int(store.db, "SELECT sum(pgsize) FROM dbstat "
						"WHERE name = 'samples'");

		if (n_samples > 0)
			printf("\nsamples: %.1f bytes a row (the table; no index). The daemon\n"
			       "commits every %d s, not hourly: a user-hour with traffic in every\n"
			       "interval is %d sample rows instead of 1, which would make the 7 "
			       "days\n"
			       "of samples %.0f MiB instead of %.1f MiB (upper bound).\n",
			       (double)bytes / (double)n_samples, INTERVAL_SECS,
			       3600 / INTERVAL_SECS, mib(bytes) * (3600 / INTERVAL_SECS),
			       mib(bytes));
	}
	print_estimates(store.db, path, o->hours);
	printf("\n");
	fflush(stdout);
	rc = 0;
cleanup:
	if (store_open)
		pdtt_store_close(&store);
	if (!o->keep || rc)
		remove_db(path);
	free(keys);
	free(rows);
	free(mask);
	free(last_day);
	free(names);
	return rc;
}

static int year_bench(const struct options *o)
{
	char zones[256], *save = NULL;

	snprintf(zones, sizeof(zones), "%s", o->zones);
	for (char *z = strtok_r(zones, ",", &save); z; z = strtok_r(NULL, ",", &save))
		if (year_one(o, z))
			return -1;
	return 0;
}

/* --- main ---------------------------------------------------------------- */

static int parse_sizes(const char *arg, struct options *o)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	o->n_sizes = 0;
	for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		if (*end || !v || v > 1000000 || o->n_sizes == MAX_SIZES)
			return -1;
		o->sizes[o->n_sizes++] = v;
	}
	return o->n_sizes ? 0 : -1;
}

static int positive(const char *arg, int max, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || v < 1 || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: history_bench [-d DIR] [-y DIR] [-p interval|year|all] [-n N,N,...]\n"
		"                     [-k INTERVALS] [-u USERS] [-D DAYS] [-a HOURS]\n"
		"                     [-z TZ,TZ,...] [-s SEED] [-P]\n"
		"  -d DIR        where the temporary databases go (default /var/tmp); the\n"
		"                interval cost includes its fsyncs, so use a disk like\n"
		"                /var/lib/pdtt's\n"
		"  -y DIR        where the year's database goes (default: -d); only its size\n"
		"                is measured, so a tmpfs saves the fsync time\n"
		"  -p PART       interval, year or all (default all)\n"
		"  -n N,...      active keys for the interval cost (default 1000,10000,60000)\n"
		"  -k K          steady-state intervals per N (default 20)\n"
		"  -u USERS      users in the simulated year (default 5000)\n"
		"  -D DAYS       length of the simulated year (default 365)\n"
		"  -a HOURS      active hours per user and day, 1-24 (default 1)\n"
		"  -z TZ,...     time zones the year runs in, one after the other (default UTC)\n"
		"  -s SEED       random seed of the activity model (default 1)\n"
		"  -K            keep the year's database (DIR/year.db) for "
		"bench/report_latency.sh\n"
		"  -P            also print where the commit time goes, per SQL statement\n"
		"                (SQLite's profile hook; slows the commits a little)\n");
}

int main(int argc, char **argv)
{
	struct options o = {
		.dir = "/var/tmp",
		.run_interval = true,
		.run_year = true,
		.sizes = { 1000, 10000, 60000 },
		.n_sizes = 3,
		.intervals = 20,
		.users = 5000,
		.days = 365,
		.hours = 1,
		.zones = "UTC",
		.seed = 1,
	};
	int opt, rc = 1;

	while ((opt = getopt(argc, argv, "d:y:p:n:k:u:D:a:z:s:PKh")) != -1) {
		switch (opt) {
		case 'd':
			o.dir = optarg;
			break;
		case 'y':
			o.year_dir = optarg;
			break;
		case 'p':
			o.run_interval = !strcmp(optarg, "interval") || !strcmp(optarg, "all");
			o.run_year = !strcmp(optarg, "year") || !strcmp(optarg, "all");
			if (!o.run_interval && !o.run_year)
				goto bad;
			break;
		case 'n':
			if (parse_sizes(optarg, &o))
				goto bad;
			break;
		case 'k':
			if (positive(optarg, 10000, &o.intervals))
				goto bad;
			break;
		case 'u':
			if (positive(optarg, 1000000, &o.users))
				goto bad;
			break;
		case 'D':
			if (positive(optarg, 3660, &o.days))
				goto bad;
			break;
		case 'a':
			if (positive(optarg, 24, &o.hours))
				goto bad;
			break;
		case 'z':
			snprintf(o.zones, sizeof(o.zones), "%s", optarg);
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 10);
			break;
		case 'P':
			o.profile = true;
			break;
		case 'K':
			o.keep = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;

	printf("history_bench: SQLite %s, libbpf %u.%u\n\n", sqlite3_libversion(),
	       libbpf_major_version(), libbpf_minor_version());
	if (o.run_interval && interval_bench(&o))
		goto cleanup;
	if (o.run_year && year_bench(&o))
		goto cleanup;
	rc = 0;
cleanup:
	return rc;
bad:
	usage(stderr);
	return 2;
}
