/* The history store on real SQLite files with a fake clock: exact totals,
 * rollup invariants, retention, migrations, refusal of foreign files, and
 * all-or-nothing commits under a held lock or a full disk. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "pdtt_exit.h"
#include "retention.h"
#include "sql_embedded.h"
#include "scratch_db.h"
#include "store.h"

#define H 3600LL
#define D 86400LL
#define T0 1767225600LL /* 2026-01-01T00:00:00Z */

static int setup(void **state)
{
	(void)state;
	scratch_db_make("pdtt-store", "db/pdtt.db", "Europe/Berlin");
	return 0;
}

static int64_t q(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static struct pdtt_commit_row row(__u32 uid, __u32 ifindex, __u64 rx, __u64 tx, __u64 cum_rx,
				  __u64 cum_tx)
{
	struct pdtt_commit_row r = {
		.key = { .uid = uid, .ifindex = ifindex, .netns_cookie = 42 },
		.delta = { rx, rx ? 1 : 0, tx, tx ? 1 : 0 },
		.cumulative = { cum_rx, 0, cum_tx, 0 },
		.user_name = uid == 1000 ? "john" : NULL,
		.iface_name = ifindex == 1 ? "lo" : "eth0",
		.netns = "host",
	};
	return r;
}

static int commit(struct pdtt_store *s, int64_t start, int64_t end,
		  const struct pdtt_commit_row *rows, size_t n)
{
	struct pdtt_commit c = {
		.span = { start, end }, .rows = rows, .n_rows = n, .boot_id = "boot-1", .map_id = 7
	};
	char err[256];

	return pdtt_store_commit(s, &c, err, sizeof(err));
}

/* A recreated map (reboot, 'stop'): the commit that resets forgets every
 * old baseline, also of keys it does not carry, and stores the new map's
 * counters as they are, even when they exceed the old ones (where the
 * daemon's "counter went down" fallback could not hide a kept baseline). */
static void reset_forgets_the_old_baseline(void **state)
{
	struct pdtt_store s;
	struct pdtt_store_state st;
	struct pdtt_snapshot base;
	struct pdtt_commit_row before[] = { row(1000, 2, 3250, 3250, 3250, 3250),
					    row(4242, 1, 10, 10, 10, 10) };
	struct pdtt_commit_row after[] = { row(1000, 2, 5000, 4000, 5000, 4000) };
	struct pdtt_commit c = { .span = { T0 + 10, T0 + 20 },
				 .rows = after,
				 .n_rows = 1,
				 .reset_baseline = true,
				 .boot_id = "boot-2",
				 .map_id = 8 };
	char err[256];

	(void)state;
	pdtt_snapshot_init(&base);
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	assert_int_equal(commit(&s, T0, T0 + 10, before, 2), 0);
	assert_int_equal(pdtt_store_commit(&s, &c, err, sizeof(err)), 0);
	assert_int_equal(pdtt_store_load(&s, &st, &base), 0);
	assert_string_equal(st.boot_id, "boot-2");
	assert_true(st.map_id == 8);
	/* 4242's old baseline is gone; 1000's is the new map's, not 3250's */
	assert_int_equal(base.n, 1);
	assert_true(base.e[0].key.uid == 1000 && base.e[0].val.rx_bytes == 5000 &&
		    base.e[0].val.tx_bytes == 4000);
	pdtt_store_close(&s);
	pdtt_snapshot_free(&base);
	/* every byte of both maps is stored once: 3250 + 5000 rx, 3250 + 4000 tx */
	assert_int_equal(q(path, "SELECT sum(rx_bytes) FROM samples WHERE uid = 1000"), 8250);
	assert_int_equal(q(path, "SELECT sum(tx_bytes) FROM samples WHERE uid = 1000"), 7250);
}

static void creates_with_modes_and_schema(void **state)
{
	struct pdtt_store s;
	struct stat st;
	char err[256], d[128];

	mode_t old;

	(void)state;
	old = umask(077); /* systemd's UMask=0077: the documented modes all the same */
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	umask(old);
	pdtt_store_close(&s);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	snprintf(d, sizeof(d), "%s/db", dir);
	assert_int_equal(stat(d, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);
	assert_int_equal(q(path, "PRAGMA user_version"), PDTT_SCHEMA_VERSION);
	assert_int_equal(q(path, "PRAGMA application_id"), PDTT_APPLICATION_ID);
	assert_int_equal(q(path, "PRAGMA auto_vacuum"), 2); /* incremental */
	assert_int_equal(
		q(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	/* reopening an up-to-date file changes nothing */
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	pdtt_store_close(&s);
}

static void commits_resume_state_and_views(void **state)
{
	struct pdtt_store s;
	struct pdtt_store_state st;
	struct pdtt_snapshot base;
	struct pdtt_commit_row r1[] = { row(1000, 2, 100, 50, 100, 50),
					row(4242, 1, 10, 10, 10, 10) };
	struct pdtt_commit_row r2[] = { row(1000, 2, 1, 2, 101, 52) };
	char err[256];

	(void)state;
	pdtt_snapshot_init(&base);
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	assert_int_equal(pdtt_store_load(&s, &st, &base), 0);
	assert_string_equal(st.boot_id, "");
	assert_int_equal(st.last_end, 0);
	assert_int_equal(base.n, 0);

	assert_int_equal(commit(&s, T0, T0 + 10, r1, 2), 0);
	assert_int_equal(commit(&s, T0 + 10, T0 + 20, r2, 1), 0);
	assert_int_equal(commit(&s, T0 + 20, T0 + 30, NULL, 0), 0); /* idle interval */
	assert_int_equal(pdtt_store_load(&s, &st, &base), 0);
	assert_string_equal(st.boot_id, "boot-1");
	assert_true(st.map_id == 7);
	assert_true(st.last_end == T0 + 30);
	assert_int_equal(base.n, 2);
	assert_true(base.e[0].key.uid == 1000 && base.e[0].val.rx_bytes == 101 &&
		    base.e[0].val.tx_bytes == 52 && base.e[0].key.netns_cookie == 42);
	pdtt_store_close(&s);
	pdtt_snapshot_free(&base);

	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM samples WHERE uid = 1000"),
			 153);
	assert_int_equal(q(path, "SELECT count(*) FROM samples"), 3);
	assert_int_equal(
		q(path,
		  "SELECT total_bytes FROM usage_daily WHERE uid = 1000 AND day = '2026-01-01'"),
		153);
	assert_int_equal(
		q(path,
		  "SELECT total_bytes FROM usage_monthly WHERE uid = 4242 AND month = '2026-01'"),
		20);
	assert_int_equal(q(path, "SELECT count(*) FROM usage_monthly WHERE user = 'john'"), 1);
	assert_int_equal(q(path, "SELECT count(*) FROM users WHERE uid = 4242 AND name IS NULL"),
			 1);
	assert_int_equal(q(path, "SELECT count(*) FROM interfaces"), 2);
	assert_int_equal(q(path, "SELECT last_seen FROM users WHERE uid = 1000"), T0 + 20);
}

static void exec_sql(const char *db_path, const char *sql)
{
	sqlite3 *db;
	char *e = NULL;

	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK)
		fail_msg("%s: %s", sql, e);
	sqlite3_close(db);
}

/* Every stretch of time is in exactly one table: each resolution holds
 * only what its finer one no longer covers (meta 'pruned_*_before'), and
 * every rollup row sits on a bucket boundary of the process's zone. */
static void assert_one_resolution_each(void)
{
	static const char *const tables[] = { "rollup_hour", "rollup_day", "rollup_month" };
	static const enum pdtt_res res[] = { PDTT_RES_HOUR, PDTT_RES_DAY, PDTT_RES_MONTH };
	sqlite3 *db;
	sqlite3_stmt *st;
	char sql[128];

	assert_int_equal(
		q(path,
		  "SELECT count(*) FROM samples WHERE period_end <= coalesce("
		  "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_samples_before'), "
		  "-9223372036854775808)"),
		0);
	assert_int_equal(
		q(path,
		  "SELECT count(*) FROM rollup_hour WHERE bucket_start >= coalesce("
		  "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_samples_before'), "
		  "-9223372036854775808) OR bucket_start < coalesce((SELECT CAST(value AS "
		  "INTEGER) FROM meta WHERE key = 'pruned_hourly_before'), -9223372036854775808)"),
		0);
	assert_int_equal(
		q(path,
		  "SELECT count(*) FROM rollup_day WHERE bucket_start >= coalesce("
		  "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_hourly_before'), "
		  "-9223372036854775808) OR bucket_start < coalesce((SELECT CAST(value AS "
		  "INTEGER) FROM meta WHERE key = 'pruned_daily_before'), -9223372036854775808)"),
		0);
	assert_int_equal(
		q(path,
		  "SELECT count(*) FROM rollup_month WHERE bucket_start >= coalesce("
		  "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_daily_before'), "
		  "-9223372036854775808)"),
		0);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	for (int i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql), "SELECT DISTINCT bucket_start FROM %s", tables[i]);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t b = sqlite3_column_int64(st, 0);

			assert_true(pdtt_bucket_start(res[i], b) == b);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

/* Rows of before.X that the view no longer has, or has with other totals. */
#define CHANGED(view, key, where)                                                           \
	"SELECT count(*) FROM before_" view " b LEFT JOIN " view " a USING (" key ", uid) " \
	"WHERE (" where ") AND (a.total_bytes IS NOT b.total_bytes OR a.packets IS NOT b.packets)"

static void rollups_and_retention_keep_totals(void **state)
{
	struct pdtt_store s;
	struct pdtt_retention ret = pdtt_retention_default();
	struct pdtt_cutoffs c;
	char err[256], where[160];
	int64_t t = T0 - 3 * D, grand, n_months, n_days;
	__u64 cum[3] = { 0 };

	(void)state;
	ret.samples = 2 * D;
	ret.hourly = 20 * D;
	ret.daily = 60 * D;
	srand(7);
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	assert_int_equal(pdtt_store_interface_totals(&s, true, err, sizeof(err)), 0);
	/* 120 days of irregular intervals (including downtimes and a DST change)
	 * for three users, straddling month and year ends. */
	while (t < T0 + 117 * D) {
		int64_t len = (rand() % 50 == 0) ? (rand() % (2 * D)) + 1 : 600 + rand() % 300;
		struct pdtt_commit_row rows[3];

		for (int u = 0; u < 3; u++) {
			__u64 rx = (__u64)(rand() % 100000), tx = (__u64)(rand() % 5000);

			cum[u] += rx + tx;
			rows[u] = row(1000 + (__u32)u, 2, rx, tx, cum[u], 0);
		}
		assert_int_equal(commit(&s, t, t + len, rows, 3), 0);
		t += len;
	}
	/* A commit writes samples only: rollups are made by retention. */
	grand = q(path, "SELECT sum(rx_bytes + tx_bytes) FROM samples");
	assert_true(grand == (int64_t)(cum[0] + cum[1] + cum[2]));
	assert_int_equal(q(path, "SELECT (SELECT count(*) FROM rollup_hour) + (SELECT count(*) "
				 "FROM rollup_day) + (SELECT count(*) FROM rollup_month)"),
			 0);
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM usage_finest"), grand);
	assert_int_equal(q(path, "SELECT count(DISTINCT resolution) FROM usage_finest"), 1);
	/* the lifetime totals grow with every commit: per user, and (asked for)
	 * per user and interface */
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM users"), grand);
	assert_int_equal(q(path, "SELECT rx_bytes + tx_bytes FROM users WHERE uid = 1000"),
			 (int64_t)cum[0]);
	assert_int_equal(q(path, "SELECT sum(rx_packets + tx_packets) FROM users"),
			 q(path, "SELECT sum(rx_packets + tx_packets) FROM samples"));
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM totals"), grand);
	assert_int_equal(q(path, "SELECT count(*) FROM totals"), 3);
	assert_int_equal(q(path, "SELECT sum(total_bytes) FROM usage_monthly"), grand);
	/* Totals per month, day and hour as the samples give them. */
	exec_sql(path, "CREATE TABLE before_usage_monthly AS SELECT * FROM usage_monthly;"
		       "CREATE TABLE before_usage_daily AS SELECT * FROM usage_daily;"
		       "CREATE VIEW usage_hourly AS SELECT t - t % 3600 AS hour, uid, "
		       "sum(rx_bytes + tx_bytes) AS total_bytes, sum(rx_packets + tx_packets) AS "
		       "packets FROM usage_finest GROUP BY hour, uid;"
		       "CREATE TABLE before_usage_hourly AS SELECT * FROM usage_hourly;");
	n_months = q(path, "SELECT count(*) FROM before_usage_monthly");
	n_days = q(path, "SELECT count(*) FROM before_usage_daily");
	assert_true(n_months >= 4 && n_days > 100);

	c = pdtt_retention_cutoffs(&ret, t);
	assert_int_equal(pdtt_store_prune(&s, &c, err, sizeof(err)), 0);
	/* A second run finds nothing more to do and changes nothing. */
	assert_int_equal(pdtt_store_prune(&s, &c, err, sizeof(err)), 0);
	pdtt_store_close(&s);
	/* retention moved and dropped rows: the totals stay what was counted */
	assert_true(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM samples") < grand / 2);
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM totals"), grand);
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM users"), grand);
	assert_true(q(path, "SELECT min(period_end) FROM samples") > t - 2 * D - H);
	assert_true(q(path, "SELECT min(bucket_start) FROM rollup_hour") >= t - 21 * D);
	assert_true(q(path, "SELECT min(bucket_start) FROM rollup_day") >= t - 92 * D);
	assert_true(q(path, "SELECT count(*) FROM rollup_month") > 0);
	assert_true(
		q(path,
		  "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_samples_before'") ==
		c.samples);
	/* Nothing was lost or doubled, and each stretch has one resolution. */
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM usage_finest"), grand);
	assert_int_equal(q(path, "SELECT count(DISTINCT resolution) FROM usage_finest"), 4);
	assert_one_resolution_each();
	/* Pruning never changes a coarser total: every month, every day that
	 * is still kept at day detail or finer, every hour still kept at hour
	 * detail or finer. */
	assert_int_equal(q(path, CHANGED("usage_monthly", "month", "1")), 0);
	assert_int_equal(q(path, "SELECT count(*) FROM usage_monthly"), n_months);
	snprintf(where, sizeof(where), "b.day >= date(%lld, 'unixepoch', 'localtime')",
		 (long long)c.daily);
	assert_true(q(path, "SELECT count(*) FROM before_usage_daily WHERE day >= date((SELECT "
			    "value FROM meta WHERE key = 'pruned_daily_before'), 'unixepoch', "
			    "'localtime')") > 30);
	{
		char sql[512];

		snprintf(sql, sizeof(sql), CHANGED("usage_daily", "day", "%s"), where);
		assert_int_equal(q(path, sql), 0);
		snprintf(where, sizeof(where), "b.hour >= %lld", (long long)c.hourly);
		snprintf(sql, sizeof(sql), CHANGED("usage_hourly", "hour", "%s"), where);
		assert_int_equal(q(path, sql), 0);
	}
	assert_int_equal(q(path, "SELECT count(*) FROM usage_daily WHERE day < date((SELECT value "
				 "FROM meta WHERE key = 'pruned_daily_before'), 'unixepoch', "
				 "'localtime')"),
			 0); /* months kept as monthly totals only are not days */
}

/* Zones whose calendar is odd (Lord Howe's 30-minute DST) and a cutoff
 * inside a bucket: every byte is rolled once, none is lost or doubled, and
 * the rest of a cut bucket joins the same row later. */
static void odd_zones_and_cutoffs_keep_every_byte(void **state)
{
	struct pdtt_store s;
	struct pdtt_cutoffs c = { .hourly = INT64_MIN, .daily = INT64_MIN, .monthly = INT64_MIN };
	const int64_t t0 = 1790942400LL; /* 2026-10-02T12:00Z; DST begins 10-03T15:30Z */
	char err[256], sql[200], one[120];
	__u64 cum = 0;
	int64_t t = t0, grand, cut_hour;

	(void)state;
	setenv("TZ", "Australia/Lord_Howe", 1);
	tzset();
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	for (int i = 0; i < 6 * 24 * 4; i++, t += 600) {
		struct pdtt_commit_row r =
			row(1000, 2, 1000 + (__u64)i, 7, cum += 1007 + (__u64)i, 0);

		assert_int_equal(commit(&s, t, t + 600, &r, 1), 0);
	}
	grand = q(path, "SELECT sum(rx_bytes + tx_bytes) FROM samples");
	/* A samples cutoff half an hour into an hour, then the rest of it. */
	c.samples = pdtt_bucket_start(PDTT_RES_HOUR, t0 + 2 * D) + 1800;
	snprintf(sql, sizeof(sql),
		 "SELECT sum(rx_bytes + tx_bytes) FROM usage_finest WHERE t >= %lld AND t < %lld",
		 (long long)(c.samples - 1800), (long long)(c.samples + 1800));
	cut_hour = q(path, sql);
	assert_true(cut_hour > 0);
	assert_int_equal(pdtt_store_prune(&s, &c, err, sizeof(err)), 0);
	/* that hour: half a row, half samples, the same bytes */
	assert_int_equal(q(path, sql), cut_hour);
	snprintf(one, sizeof(one), "SELECT count(*) FROM rollup_hour WHERE bucket_start = %lld",
		 (long long)(c.samples - 1800));
	assert_int_equal(q(path, one), 1);
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM usage_finest"), grand);
	assert_int_equal(q(path, "SELECT count(*) FROM samples WHERE period_end <= (SELECT value "
				 "FROM meta WHERE key = 'pruned_samples_before')"),
			 0);
	c.samples = pdtt_bucket_start(PDTT_RES_HOUR, t - 3 * H);
	c.hourly = pdtt_bucket_start(PDTT_RES_DAY, t - D);
	assert_int_equal(pdtt_store_prune(&s, &c, err, sizeof(err)), 0);
	assert_int_equal(pdtt_store_prune(&s, &c, err, sizeof(err)), 0);
	pdtt_store_close(&s);
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM usage_finest"), grand);
	assert_true(q(path, "SELECT count(*) FROM rollup_day") > 0);
	assert_true(q(path, "SELECT count(*) FROM rollup_hour") > 0);
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
}

static void write_v1(const char *p)
{
	sqlite3 *db;
	char *e = NULL;

	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	if (sqlite3_exec(db, pdtt_sql_001_base, NULL, NULL, &e) != SQLITE_OK)
		fail_msg("v1 schema: %s", e);
	assert_int_equal(
		sqlite3_exec(
			db,
			"PRAGMA user_version = 1; PRAGMA application_id = 1885631604;"
			"INSERT INTO users VALUES (1000, 'john', 1, 2);"
			"INSERT INTO interfaces VALUES (1, 'eth0', 'host', 1, 2);"
			/* 2026-10-25 00:30Z = 02:30 CEST and 01:30Z = 02:30 CET */
			"INSERT INTO samples VALUES (1792888200, 1792888210, 1000, 1, 100, 1, 0, "
			"0);"
			"INSERT INTO samples VALUES (1792891800, 1792891810, 1000, 1, 50, 1, 0, 0);"
			"INSERT INTO samples VALUES (1793000000, 1793000010, 1000, 1, 7, 1, 0, 0);",
			NULL, NULL, &e),
		SQLITE_OK);
	sqlite3_close(db);
}

static void migrates_version_1(void **state)
{
	struct pdtt_store s;
	struct pdtt_cutoffs c;
	char err[256], p[160];
	int64_t hour1 = pdtt_bucket_start(PDTT_RES_HOUR, 1792888209),
		hour2 = pdtt_bucket_start(PDTT_RES_HOUR, 1792891809),
		day = pdtt_bucket_start(PDTT_RES_DAY, 1792888209);

	(void)state;
	snprintf(p, sizeof(p), "%s/v1.db", dir);
	write_v1(p);
	assert_int_equal(pdtt_store_open(&s, p, true, err, sizeof(err)), 0);
	assert_int_equal(q(p, "PRAGMA user_version"), PDTT_SCHEMA_VERSION);
	/* Nothing was pruned: the samples hold it all, no rollup is needed. */
	assert_int_equal(q(p, "SELECT (SELECT count(*) FROM rollup_hour) + (SELECT count(*) FROM "
			      "rollup_day) + (SELECT count(*) FROM rollup_month)"),
			 0);
	assert_int_equal(q(p, "SELECT total_bytes FROM usage_monthly WHERE month = '2026-10'"),
			 157);
	/* schema 8 starts the lifetime totals from the retained history; the
	 * per-interface ones only when asked for */
	assert_int_equal(q(p, "SELECT rx_bytes * 1000 + rx_packets FROM users WHERE uid = 1000"),
			 157003);
	assert_int_equal(q(p, "SELECT count(*) FROM totals"), 0);
	assert_int_equal(q(p, "SELECT total_bytes FROM usage_daily WHERE day = '2026-10-25'"), 150);
	/* Retention then puts buckets where the daemon's own code says: the
	 * two 02:00 hours of the DST fold apart, 25 October as one day. */
	c = (struct pdtt_cutoffs){ .samples = pdtt_bucket_next(PDTT_RES_HOUR, 1793000009),
				   .hourly = pdtt_bucket_next(PDTT_RES_DAY, day),
				   .daily = INT64_MIN,
				   .monthly = INT64_MIN };
	/* retention's cutoffs: hourly only as far as a day boundary allows */
	assert_int_equal(pdtt_store_prune(&s, &c, err, sizeof(err)), 0);
	pdtt_store_close(&s);
	assert_true(hour1 != hour2);
	assert_int_equal(q(p, "SELECT count(*) FROM samples"), 0);
	assert_int_equal(q(p, "SELECT count(*) FROM rollup_hour"), 1); /* 26 Oct */
	assert_int_equal(q(p, "SELECT bucket_start FROM rollup_hour"),
			 pdtt_bucket_start(PDTT_RES_HOUR, 1792999999 + 10));
	assert_int_equal(q(p, "SELECT count(*) FROM rollup_day"), 1);
	assert_int_equal(q(p, "SELECT bucket_start FROM rollup_day"), day);
	assert_int_equal(q(p, "SELECT rx_bytes FROM rollup_day"), 150);
	assert_int_equal(q(p, "SELECT rx_packets FROM rollup_day"), 2);
	assert_int_equal(q(p, "SELECT total_bytes FROM usage_monthly WHERE month = '2026-10'"),
			 157);
}

/* The DST fold's two 02:00 hours stay two hourly rows. */
static void rolls_the_dst_fold_into_two_hours(void **state)
{
	struct pdtt_store s;
	struct pdtt_cutoffs c = { .hourly = INT64_MIN, .daily = INT64_MIN, .monthly = INT64_MIN };
	char err[256], p[160];

	(void)state;
	snprintf(p, sizeof(p), "%s/v1.db", dir);
	write_v1(p);
	assert_int_equal(pdtt_store_open(&s, p, true, err, sizeof(err)), 0);
	c.samples = pdtt_bucket_next(PDTT_RES_HOUR, 1793000009);
	assert_int_equal(pdtt_store_prune(&s, &c, err, sizeof(err)), 0);
	pdtt_store_close(&s);
	assert_int_equal(q(p, "SELECT count(*) FROM rollup_hour"), 3);
	assert_int_equal(q(p, "SELECT rx_bytes FROM rollup_hour WHERE bucket_start = 1792886400"),
			 100); /* 00:00Z: 02:00 CEST */
	assert_int_equal(q(p, "SELECT rx_bytes FROM rollup_hour WHERE bucket_start = 1792890000"),
			 50); /* 01:00Z: 02:00 CET */
	assert_int_equal(q(p, "SELECT total_bytes FROM usage_daily WHERE day = '2026-10-25'"), 150);
}

static void file_bytes(const char *p, char *buf, size_t len)
{
	int fd = open(p, O_RDONLY);

	assert_true(fd >= 0);
	memset(buf, 0, len);
	assert_true(read(fd, buf, len) >= 0);
	close(fd);
}

static void refuses_foreign_corrupt_and_newer(void **state)
{
	struct pdtt_store s;
	char err[256], p[160], before[4096], after[4096];
	sqlite3 *db;
	FILE *f;

	(void)state;
	snprintf(p, sizeof(p), "%s/foreign.db", dir);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1);", NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	file_bytes(p, before, sizeof(before));
	assert_int_equal(pdtt_store_open(&s, p, true, err, sizeof(err)), PDTT_EXIT_DB);
	assert_non_null(strstr(err, "not a pdtt database"));
	file_bytes(p, after, sizeof(after));
	assert_memory_equal(before, after, sizeof(before));

	snprintf(p, sizeof(p), "%s/corrupt.db", dir);
	f = fopen(p, "w");
	fputs("this is not a database, but someone's notes\n", f);
	fclose(f);
	file_bytes(p, before, sizeof(before));
	assert_int_equal(pdtt_store_open(&s, p, true, err, sizeof(err)), PDTT_EXIT_DB);
	assert_non_null(strstr(err, "not an SQLite database"));
	file_bytes(p, after, sizeof(after));
	assert_memory_equal(before, after, sizeof(before));

	snprintf(p, sizeof(p), "%s/newer.db", dir);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db,
			     "PRAGMA application_id = 1885631604; PRAGMA user_version = 99;"
			     "CREATE TABLE future (x);",
			     NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(pdtt_store_open(&s, p, true, err, sizeof(err)), PDTT_EXIT_DB);
	assert_non_null(strstr(err, "newer"));
}

static void busy_and_full_commits_write_nothing(void **state)
{
	struct pdtt_store s;
	struct pdtt_commit_row r[] = { row(1000, 2, 100, 50, 100, 50) };
	char err[256];
	sqlite3 *admin;

	(void)state;
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	/* an admin holds the write lock in the sqlite3 shell */
	assert_int_equal(sqlite3_open(path, &admin), SQLITE_OK);
	assert_int_equal(sqlite3_exec(admin, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(commit(&s, T0, T0 + 10, r, 1), SQLITE_BUSY);
	assert_int_equal(sqlite3_exec(admin, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(q(path, "SELECT count(*) FROM samples"), 0);
	assert_int_equal(q(path, "SELECT count(*) FROM baseline"), 0);
	sqlite3_close(admin);

	/* a full disk, simulated by capping the file at its current size */
	assert_int_equal(sqlite3_exec(s.db, "PRAGMA max_page_count = 1", NULL, NULL, NULL),
			 SQLITE_OK);
	{
		static struct pdtt_commit_row many[2000];

		for (int i = 0; i < 2000; i++)
			many[i] = row(2000 + (__u32)i, 2, 1000, 1000, 1000, 1000);
		assert_int_equal(commit(&s, T0, T0 + 10, many, 2000), SQLITE_FULL);
	}
	assert_int_equal(q(path, "SELECT count(*) FROM samples"), 0);
	assert_int_equal(q(path, "SELECT count(*) FROM meta WHERE key = 'last_end'"), 0);
	assert_int_equal(sqlite3_exec(s.db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(commit(&s, T0, T0 + 10, r, 1), 0);
	assert_int_equal(q(path, "SELECT sum(rx_bytes) FROM samples"), 100);
	pdtt_store_close(&s);
}

/* A removed key's last delta is stored and its baseline goes; a key that
 * came back stores its new counters as the baseline. */
static void removed_keys_lose_their_baseline(void **state)
{
	struct pdtt_store s;
	struct pdtt_store_state st;
	struct pdtt_snapshot base;
	struct pdtt_commit_row r1[] = { row(1000, 2, 100, 50, 100, 50), row(2000, 2, 7, 7, 7, 7),
					row(3000, 2, 9, 9, 9, 9) };
	struct pdtt_commit_row r2[] = { row(1000, 2, 5, 0, 0, 0), row(2000, 2, 3, 3, 3, 3) };
	struct pdtt_entry removed_e[] = { { .key = r1[0].key }, { .key = r1[1].key } };
	struct pdtt_snapshot removed = { .e = removed_e, .n = 2, .cap = 2 };
	struct pdtt_commit c = {
		.span = { 1000, 1060 }, .rows = r1, .n_rows = 3, .boot_id = "boot-1", .map_id = 7
	};
	char err[256];

	(void)state;
	pdtt_snapshot_init(&base);
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	assert_int_equal(pdtt_store_commit(&s, &c, err, sizeof(err)), 0);
	/* 1000 was removed (+5 at the end) and is gone; 2000 was removed and
	 * came back with 3/3 */
	r2[0].gone = true;
	c = (struct pdtt_commit){ .span = { 1060, 1120 },
				  .rows = r2,
				  .n_rows = 2,
				  .removed = &removed,
				  .boot_id = "boot-1",
				  .map_id = 7 };
	assert_int_equal(pdtt_store_commit(&s, &c, err, sizeof(err)), 0);
	assert_int_equal(pdtt_store_load(&s, &st, &base), 0);
	assert_int_equal(base.n, 2);
	assert_int_equal(base.e[0].key.uid, 2000);
	assert_int_equal(base.e[0].val.rx_bytes, 3);
	assert_int_equal(base.e[1].key.uid, 3000);
	assert_int_equal(base.e[1].val.rx_bytes, 9);
	pdtt_store_close(&s);
	assert_int_equal(q(path, "SELECT sum(rx_bytes) FROM samples WHERE uid = 1000"), 105);
	assert_int_equal(q(path, "SELECT sum(rx_bytes) FROM samples WHERE uid = 2000"), 10);
	pdtt_snapshot_free(&base);
}

/* 'first_start': the earliest committed start (a later commit that starts
 * earlier lowers it), seeded from the oldest sample for a file written
 * before it was kept. */
static void first_start_marks_where_history_begins(void **state)
{
	struct pdtt_store s;
	struct pdtt_commit_row r[] = { row(1000, 2, 10, 10, 10, 10) };
	char err[256];
	int64_t t;

	(void)state;
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	assert_int_equal(pdtt_store_history_start(s.db, &t), -1); /* no data */
	assert_int_equal(commit(&s, T0 + 100, T0 + 110, r, 1), 0);
	assert_int_equal(commit(&s, T0 + 110, T0 + 120, r, 1), 0);
	pdtt_store_close(&s);
	assert_int_equal(q(path, "SELECT value FROM meta WHERE key = 'first_start'"), T0 + 100);
	/* an older file: the mark is missing; the daemon's open seeds it */
	assert_int_equal(sqlite3_open(path, &s.db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(s.db, "DELETE FROM meta WHERE key = 'first_start'", NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(s.db);
	assert_int_equal(pdtt_store_open(&s, path, false, err, sizeof(err)), 0);
	assert_int_equal(pdtt_store_history_start(s.db, &t), 0);
	assert_int_equal(t, T0 + 100);
	pdtt_store_close(&s);
	assert_int_equal(q(path, "SELECT count(*) FROM meta WHERE key = 'first_start'"), 0);
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	/* a clock adopted back dates rows before the first commit: the mark
	 * follows them down (reopened, so the lowering does not rely on state
	 * kept since the first commit), and a later row leaves it */
	assert_int_equal(commit(&s, T0 - 2 * H, T0 - 2 * H + 10, r, 1), 0);
	assert_int_equal(commit(&s, T0 + 200, T0 + 210, r, 1), 0);
	pdtt_store_close(&s);
	assert_int_equal(q(path, "SELECT value FROM meta WHERE key = 'first_start'"), T0 - 2 * H);
	/* the same with the mark read back from the file at open */
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	assert_true(s.first_start == T0 - 2 * H);
	assert_int_equal(commit(&s, T0 - 3 * H, T0 - 3 * H + 10, r, 1), 0);
	assert_int_equal(commit(&s, T0 + 300, T0 + 310, r, 1), 0);
	pdtt_store_close(&s);
	assert_int_equal(q(path, "SELECT value FROM meta WHERE key = 'first_start'"), T0 - 3 * H);
}

/* Per-interface totals: kept only while asked for; turned on, filled from
 * the history (also what was committed while they were off); turned off,
 * emptied. */
static void interface_totals_follow_the_option(void **state)
{
	struct pdtt_store s;
	struct pdtt_commit_row r[2] = { row(1000, 1, 10, 20, 10, 20), row(1001, 2, 5, 0, 5, 0) };
	char err[256];

	(void)state;
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	assert_int_equal(pdtt_store_interface_totals(&s, false, err, sizeof(err)), 0);
	assert_int_equal(commit(&s, T0, T0 + 10, r, 2), 0);
	assert_int_equal(q(path, "SELECT count(*) FROM totals"), 0);
	assert_int_equal(pdtt_store_interface_totals(&s, true, err, sizeof(err)), 0);
	assert_int_equal(q(path, "SELECT rx_bytes * 100 + tx_bytes FROM totals WHERE uid = 1000"),
			 1020);
	r[0] = row(1000, 1, 1, 2, 11, 22);
	assert_int_equal(commit(&s, T0 + 10, T0 + 20, r, 2), 0);
	assert_int_equal(q(path, "SELECT rx_bytes * 100 + tx_bytes FROM totals WHERE uid = 1000"),
			 1122);
	assert_int_equal(q(path, "SELECT rx_bytes FROM totals WHERE uid = 1001"), 10);
	assert_int_equal(q(path, "SELECT last_seen FROM totals WHERE uid = 1000"), T0 + 20);
	/* on again: nothing is added twice */
	assert_int_equal(pdtt_store_interface_totals(&s, true, err, sizeof(err)), 0);
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM totals"), 43);
	assert_int_equal(q(path, "SELECT value FROM meta WHERE key = 'interface_totals'"), 1);
	/* off: the table stays, commits leave it */
	assert_int_equal(pdtt_store_interface_totals(&s, false, err, sizeof(err)), 0);
	assert_int_equal(q(path, "SELECT value FROM meta WHERE key = 'interface_totals'"), 0);
	assert_int_equal(commit(&s, T0 + 20, T0 + 30, r, 2), 0);
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM totals"), 43);
	/* on: what came while off is taken from the history ... */
	assert_int_equal(pdtt_store_interface_totals(&s, true, err, sizeof(err)), 0);
	assert_int_equal(q(path, "SELECT rx_bytes * 100 + tx_bytes FROM totals WHERE uid = 1000"),
			 1224);
	assert_int_equal(q(path, "SELECT last_seen FROM totals WHERE uid = 1000"), T0 + 30);
	/* ... but history that retention dropped while off never lowers a row */
	assert_int_equal(pdtt_store_interface_totals(&s, false, err, sizeof(err)), 0);
	assert_int_equal(sqlite3_exec(s.db, "DELETE FROM samples", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(pdtt_store_interface_totals(&s, true, err, sizeof(err)), 0);
	assert_int_equal(q(path, "SELECT rx_bytes * 100 + tx_bytes FROM totals WHERE uid = 1000"),
			 1224);
	assert_int_equal(q(path, "SELECT rx_bytes FROM totals WHERE uid = 1001"), 15);
	/* the per-user totals never stopped */
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM users"), 51);
	pdtt_store_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(creates_with_modes_and_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(commits_resume_state_and_views, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_forgets_the_old_baseline, setup, teardown),
		cmocka_unit_test_setup_teardown(removed_keys_lose_their_baseline, setup, teardown),
		cmocka_unit_test_setup_teardown(first_start_marks_where_history_begins, setup,
						teardown),
		cmocka_unit_test_setup_teardown(rollups_and_retention_keep_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(interface_totals_follow_the_option, setup,
						teardown),
		cmocka_unit_test_setup_teardown(rolls_the_dst_fold_into_two_hours, setup, teardown),
		cmocka_unit_test_setup_teardown(odd_zones_and_cutoffs_keep_every_byte, setup,
						teardown),
		cmocka_unit_test_setup_teardown(migrates_version_1, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_foreign_corrupt_and_newer, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_and_full_commits_write_nothing, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
