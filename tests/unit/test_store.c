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

static void creates_with_modes_and_schema(void **state)
{
	struct pdtt_store s;
	struct stat st;
	char err[256], d[128];

	(void)state;
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
	pdtt_store_close(&s);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640 & ~0); /* umask 022 keeps 0640 */
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

/* Sums per bucket at two resolutions agree wherever both still exist. */
static void assert_resolutions_agree(void)
{
	/* samples vs hours, for hours fully covered by samples */
	assert_int_equal(q(path, "SELECT count(*) FROM (SELECT r.bucket_start, r.uid, r.iface_id, "
				 "r.rx_bytes + r.tx_bytes AS t,"
				 " (SELECT sum(rx_bytes + tx_bytes) FROM samples s WHERE s.uid = "
				 "r.uid AND s.iface_id = r.iface_id"
				 "  AND s.period_end - 1 >= r.bucket_start AND s.period_end - 1 < "
				 "r.bucket_start + 3600) AS st"
				 " FROM rollups r WHERE r.resolution = 'hour'"
				 " AND r.bucket_start >= (SELECT min(period_end) - 1 FROM "
				 "samples)) WHERE t IS NOT st"),
			 0);
	/* hours vs days, days vs months: every coarse bucket either has all its
	 * finer buckets or none (aligned pruning), and then the sums match */
	assert_int_equal(
		q(path,
		  "SELECT count(*) FROM rollups d WHERE d.resolution = 'day' AND"
		  " d.bucket_start >= (SELECT min(bucket_start) FROM rollups WHERE resolution = "
		  "'hour') AND"
		  " d.rx_bytes + d.tx_bytes IS NOT (SELECT sum(h.rx_bytes + h.tx_bytes) FROM "
		  "rollups h"
		  "  WHERE h.resolution = 'hour' AND h.uid = d.uid AND h.iface_id = d.iface_id AND"
		  "  h.bucket_start >= d.bucket_start AND h.bucket_start < d.bucket_start + 90000 "
		  "AND"
		  "  substr(h.label, 1, 10) = d.label)"),
		0);
	assert_int_equal(
		q(path,
		  "SELECT count(*) FROM rollups m WHERE m.resolution = 'month' AND"
		  " m.bucket_start >= (SELECT min(bucket_start) FROM rollups WHERE resolution = "
		  "'day') AND"
		  " m.rx_bytes + m.tx_bytes IS NOT (SELECT sum(d.rx_bytes + d.tx_bytes) FROM "
		  "rollups d"
		  "  WHERE d.resolution = 'day' AND d.uid = m.uid AND d.iface_id = m.iface_id AND"
		  "  substr(d.label, 1, 7) = m.label)"),
		0);
}

static void rollups_and_retention_keep_totals(void **state)
{
	struct pdtt_store s;
	struct pdtt_retention ret = pdtt_retention_default();
	struct pdtt_cutoffs c;
	char err[256];
	int64_t t = T0 - 3 * D, month_total, grand;
	__u64 cum[3] = { 0 };

	(void)state;
	ret.samples = 2 * D;
	ret.hourly = 20 * D;
	ret.daily = 60 * D;
	srand(7);
	assert_int_equal(pdtt_store_open(&s, path, true, err, sizeof(err)), 0);
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
	grand = q(path, "SELECT sum(rx_bytes + tx_bytes) FROM samples");
	assert_true(grand == (int64_t)(cum[0] + cum[1] + cum[2]));
	assert_int_equal(
		q(path, "SELECT sum(rx_bytes + tx_bytes) FROM rollups WHERE resolution = 'month'"),
		grand);
	assert_int_equal(
		q(path, "SELECT sum(rx_bytes + tx_bytes) FROM rollups WHERE resolution = 'day'"),
		grand);
	assert_int_equal(
		q(path, "SELECT sum(rx_bytes + tx_bytes) FROM rollups WHERE resolution = 'hour'"),
		grand);
	assert_resolutions_agree();
	month_total = q(path, "SELECT sum(total_bytes) FROM usage_monthly WHERE month = '2026-03'");
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM usage_finest"), grand);
	assert_int_equal(q(path, "SELECT count(DISTINCT resolution) FROM usage_finest"),
			 1); /* samples only */

	c = pdtt_retention_cutoffs(&ret, t);
	assert_int_equal(pdtt_store_prune(&s, &c, err, sizeof(err)), 0);
	pdtt_store_close(&s);
	assert_int_equal(q(path,
			   "SELECT count(*) FROM samples WHERE period_end <= " /* none left */
			   "(SELECT min(bucket_start) FROM rollups WHERE resolution = 'hour') - 1"),
			 0);
	assert_true(q(path, "SELECT min(period_end) FROM samples") > t - 2 * D - H);
	assert_true(q(path, "SELECT min(bucket_start) FROM rollups WHERE resolution = 'hour'") >=
		    t - 21 * D);
	assert_true(q(path, "SELECT min(bucket_start) FROM rollups WHERE resolution = 'day'") >=
		    t - 92 * D);
	/* the finest retained detail still adds up to everything, without overlap */
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM usage_finest"), grand);
	assert_int_equal(q(path, "SELECT count(DISTINCT resolution) FROM usage_finest"), 4);
	assert_int_equal(q(path, "SELECT sum(rx_bytes + tx_bytes) FROM usage_finest WHERE t >= "
				 "CAST(strftime('%s', '2026-03-01 00:00', 'utc') AS INTEGER) AND t "
				 "< CAST(strftime('%s', '2026-04-01 00:00', 'utc') AS INTEGER)"),
			 month_total);
	assert_true(
		q(path,
		  "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_samples_before'") ==
		c.samples);
	/* pruning never changes a coarser total */
	assert_int_equal(
		q(path, "SELECT sum(rx_bytes + tx_bytes) FROM rollups WHERE resolution = 'month'"),
		grand);
	assert_int_equal(
		q(path, "SELECT sum(total_bytes) FROM usage_monthly WHERE month = '2026-03'"),
		month_total);
	assert_resolutions_agree();
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
	char err[256], p[160];

	(void)state;
	snprintf(p, sizeof(p), "%s/v1.db", dir);
	write_v1(p);
	assert_int_equal(pdtt_store_open(&s, p, true, err, sizeof(err)), 0);
	pdtt_store_close(&s);
	assert_int_equal(q(p, "PRAGMA user_version"), PDTT_SCHEMA_VERSION);
	assert_int_equal(q(p, "SELECT count(*) FROM rollups WHERE resolution = 'hour'"), 3);
	assert_int_equal(q(p, "SELECT count(*) FROM rollups WHERE label = '2026-10-25T02:00+0200'"),
			 1);
	assert_int_equal(q(p, "SELECT count(*) FROM rollups WHERE label = '2026-10-25T02:00+0100'"),
			 1);
	assert_int_equal(
		q(p,
		  "SELECT rx_bytes FROM rollups WHERE resolution = 'day' AND label = '2026-10-25'"),
		150);
	assert_int_equal(q(p, "SELECT total_bytes FROM usage_monthly WHERE month = '2026-10'"),
			 157);
	/* the backfill puts buckets where the daemon's own code would */
	assert_int_equal(q(p, "SELECT bucket_start FROM rollups WHERE resolution = 'day' AND label "
			      "= '2026-10-25'"),
			 pdtt_bucket_start(PDTT_RES_DAY, 1792888209));
	assert_int_equal(
		q(p, "SELECT bucket_start FROM rollups WHERE label = '2026-10-25T02:00+0100'"),
		pdtt_bucket_start(PDTT_RES_HOUR, 1792891809));
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
		struct pdtt_commit_row many[200];

		for (int i = 0; i < 200; i++)
			many[i] = row(2000 + (__u32)i, 2, 1000, 1000, 1000, 1000);
		assert_int_equal(commit(&s, T0, T0 + 10, many, 200), SQLITE_FULL);
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

/* 'first_start': the first commit's start, kept on later commits, and
 * seeded from the oldest sample for a file written before it was kept. */
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
	pdtt_store_close(&s);
	assert_int_equal(q(path, "SELECT value FROM meta WHERE key = 'first_start'"), T0 + 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(creates_with_modes_and_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(commits_resume_state_and_views, setup, teardown),
		cmocka_unit_test_setup_teardown(removed_keys_lose_their_baseline, setup, teardown),
		cmocka_unit_test_setup_teardown(first_start_marks_where_history_begins, setup,
						teardown),
		cmocka_unit_test_setup_teardown(rollups_and_retention_keep_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(migrates_version_1, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_foreign_corrupt_and_newer, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_and_full_commits_write_nothing, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
