/* The audit statement (sql/quota/audit.sql) on a real database written by
 * the store: own quotas override the default of their kind, an own quota is
 * listed without traffic, the default only for users with traffic, rx/tx/
 * total, and only the period's days count.  The expected figures are the
 * bytes this test committed, summed here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "quota.h"
#include "quota_cmd.h"
#include "retention.h"
#include "scratch_db.h"
#include "store.h"

#define D 86400LL
#define T0 1796083200LL /* 2026-12-01T00:00:00Z, a Tuesday */

static void commit_day(struct pdtt_store *s, int64_t day, __u32 uid, __u64 rx, __u64 tx)
{
	struct pdtt_commit_row r = {
		.key = { .uid = uid, .ifindex = 2, .netns_cookie = 9 },
		.delta = { rx, 1, tx, 1 },
		.cumulative = { rx, 1, tx, 1 },
		.user_name = uid == 1001 ? "alice" : NULL,
		.iface_name = "eth0",
		.netns = "host",
	};
	struct pdtt_commit c = { .span = { day + 3600, day + 3610 },
				 .rows = &r,
				 .n_rows = 1,
				 .boot_id = "b",
				 .map_id = 1 };
	char err[256];

	assert_int_equal(pdtt_store_commit(s, &c, err, sizeof(err)), 0);
}

/* A sample of [start, end): it belongs to the period of its last second. */
static void commit_span(struct pdtt_store *s, int64_t start, int64_t end, __u32 uid, __u64 rx)
{
	struct pdtt_commit_row r = {
		.key = { .uid = uid, .ifindex = 2, .netns_cookie = 9 },
		.delta = { rx, 1, 0, 0 },
		.cumulative = { rx, 1, 0, 0 },
		.iface_name = "eth0",
		.netns = "host",
	};
	struct pdtt_commit c = {
		.span = { start, end }, .rows = &r, .n_rows = 1, .boot_id = "b", .map_id = 1
	};
	char err[256];

	assert_int_equal(pdtt_store_commit(s, &c, err, sizeof(err)), 0);
}

static const struct pdtt_audit_row *find(const struct pdtt_audit_row *rows, size_t n, __u32 uid,
					 enum pdtt_per per)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].uid == uid && rows[i].per == per)
			return &rows[i];
	return NULL;
}

static void assert_period(const struct pdtt_audit_row *r, int64_t from, int64_t to)
{
	assert_int_equal(r->period.from, from);
	assert_int_equal(r->period.to, to);
}

/* Traffic on each side of every period bound of Fri 4 December 2026, and
 * quotas: own ones, and defaults of every kind. */
static void write_history(struct pdtt_store *s)
{
	const int64_t month_end = T0 + 31 * D;
	char err[256];

	assert_int_equal(pdtt_store_open(s, path, true, err, sizeof(err)), 0);
	commit_day(s, T0 - 2 * D, 1001, 55555, 55555); /* Sun 29 Nov: nothing */
	commit_day(s, T0 - D, 1001, 7777, 7777);       /* Mon 30 Nov: the week only */
	for (int d = 0; d < 4; d++) {
		commit_day(s, T0 + d * D, 1001, 100 * (d + 1), 10);
		commit_day(s, T0 + d * D, 1002, 1000, 2000 * (d + 1));
	}
	commit_day(s, T0 + 4 * D, 1001, 30000, 30000); /* Sat 5th: week and month */
	commit_day(s, T0 + 6 * D, 1001, 40000, 40000); /* Mon 7th: the month only */
	commit_day(s, month_end, 1001, 90000, 90000);  /* 1 Jan: nothing */
	commit_day(s, T0 + 3 * D, 1003, 5, 5);	       /* the day: 10 */
	commit_day(s, T0 - D, 1005, 3, 3);	       /* Mon 30 Nov: the week only */
	commit_day(s, T0 + 3 * D, 1006, 50, 0);	       /* rx only */
	commit_day(s, T0 + 20 * D, 1007, 1, 1);	       /* the month only */
	/* at the day's bounds: ending as the 4th begins is the 3rd's; ending
	 * as it ends, the 4th's (its last second is 23:59:59) */
	commit_span(s, T0 + 3 * D - 10, T0 + 3 * D, 1009, 7);
	commit_span(s, T0 + 4 * D - 10, T0 + 4 * D, 1009, 11);
	assert_int_equal(sqlite3_exec(s->db,
				      "INSERT INTO users (uid, name, first_seen, last_seen) "
				      "VALUES (1004, 'dave', 0, 0); "
				      "INSERT INTO quotas (uid, per, dir, limit_bytes, warn_pct, "
				      "updated) VALUES (1001, 'day', 'rx', 1000, 60, 0), "
				      "(1004, 'month', 'total', 1000, 90, 0), "
				      "(NULL, 'day', 'total', 100000, 80, 0), "
				      "(NULL, 'week', 'tx', 200000, 70, 0), "
				      "(NULL, 'month', 'total', 300000, 50, 0)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
}

/* The figures are the same whatever resolution holds the traffic. */
static void check_audit(struct pdtt_store *sp)
{
	struct pdtt_store s = *sp;
	struct pdtt_audit_row *rows;
	struct pdtt_window p[3];
	const struct pdtt_audit_row *r;
	const int64_t week = T0 - D, month_end = T0 + 31 * D;
	size_t n;

	/* The audit is for Fri 4 December 2026: the day [4th, 5th), the ISO
	 * week [Mon 30 Nov, Mon 7 Dec), the month [1 Dec, 1 Jan). */
	pdtt_periods_of(T0 + 3 * D + 7200, p);
	assert_int_equal(pdtt_audit_collect(s.db, p, &rows, &n), 0);

	/* 1001: its own day quota (rx of the 4th), the default week (tx from
	 * Mon 30 Nov to Sat 5th) and month (total, 1st to 7th) */
	r = find(rows, n, 1001, PDTT_PER_DAY);
	assert_non_null(r);
	assert_int_equal(r->used, 400);
	assert_int_equal(r->is_default, 0);
	assert_int_equal(r->limit, 1000);
	assert_int_equal(r->warn_pct, 60);
	assert_int_equal(r->dir, PDTT_DIR_RX);
	assert_string_equal(r->name, "alice");
	assert_period(r, T0 + 3 * D, T0 + 4 * D);
	r = find(rows, n, 1001, PDTT_PER_WEEK);
	assert_non_null(r);
	assert_int_equal(r->used, 7777 + 4 * 10 + 30000);
	assert_int_equal(r->is_default, 1);
	assert_int_equal(r->limit, 200000);
	assert_int_equal(r->warn_pct, 70);
	assert_int_equal(r->dir, PDTT_DIR_TX);
	assert_period(r, week, week + 7 * D);
	r = find(rows, n, 1001, PDTT_PER_MONTH);
	assert_non_null(r);
	assert_int_equal(r->used, 100 + 200 + 300 + 400 + 4 * 10 + 60000 + 80000);
	assert_int_equal(r->warn_pct, 50);
	assert_int_equal(r->dir, PDTT_DIR_TOTAL);
	assert_period(r, T0, month_end);
	/* 1002: defaults only, no name */
	r = find(rows, n, 1002, PDTT_PER_DAY);
	assert_non_null(r);
	assert_int_equal(r->used, 1000 + 8000);
	assert_string_equal(r->name, "");
	r = find(rows, n, 1002, PDTT_PER_WEEK);
	assert_non_null(r);
	assert_int_equal(r->used, 2000 + 4000 + 6000 + 8000);
	/* 1003: traffic on the 4th only */
	r = find(rows, n, 1003, PDTT_PER_DAY);
	assert_non_null(r);
	assert_int_equal(r->used, 10);
	/* 1004: a known user with its own month quota and no traffic: listed
	 * with 0; no default rows without traffic */
	r = find(rows, n, 1004, PDTT_PER_MONTH);
	assert_non_null(r);
	assert_int_equal(r->used, 0);
	assert_int_equal(r->warn_pct, 90);
	assert_string_equal(r->name, "dave");
	assert_null(find(rows, n, 1004, PDTT_PER_DAY));
	assert_null(find(rows, n, 1004, PDTT_PER_WEEK));
	/* 1005: the week's default only (its traffic is before the day and
	 * the month) */
	r = find(rows, n, 1005, PDTT_PER_WEEK);
	assert_non_null(r);
	assert_int_equal(r->used, 3);
	assert_null(find(rows, n, 1005, PDTT_PER_DAY));
	assert_null(find(rows, n, 1005, PDTT_PER_MONTH));
	/* 1006: received only: the tx default of the week lists nothing */
	assert_non_null(find(rows, n, 1006, PDTT_PER_DAY));
	assert_null(find(rows, n, 1006, PDTT_PER_WEEK));
	/* 1007: the month only */
	assert_non_null(find(rows, n, 1007, PDTT_PER_MONTH));
	assert_null(find(rows, n, 1007, PDTT_PER_DAY));
	/* 1009: only the sample whose last second is in the 4th counts for the
	 * day; both for the month */
	r = find(rows, n, 1009, PDTT_PER_DAY);
	assert_non_null(r);
	assert_int_equal(r->used, 11);
	r = find(rows, n, 1009, PDTT_PER_MONTH);
	assert_non_null(r);
	assert_int_equal(r->used, 18);
	/* days: 1001-1003, 1006, 1009; weeks (tx): 1001-1003, 1005; months:
	 * 1001-1003, 1004, 1006, 1007, 1009 */
	assert_int_equal(n, 5 + 4 + 7);
	pdtt_audit_free(rows, n);

	/* A period kind left out is not listed. */
	p[0].to = p[0].from;
	p[1].to = p[1].from;
	assert_int_equal(pdtt_audit_collect(s.db, p, &rows, &n), 0);
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rows[i].per, PDTT_PER_MONTH);
	pdtt_audit_free(rows, n);
}

static int64_t q_count(struct pdtt_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void own_quotas_defaults_and_periods(void **state)
{
	struct pdtt_store s;

	(void)state;
	write_history(&s);
	check_audit(&s);
	pdtt_store_close(&s);
}

/* The same history after retention: 29 Nov in a daily row, 30 Nov to 3 Dec
 * in hourly rows, the 4th on as samples. */
static void every_resolution_counts(void **state)
{
	struct pdtt_cutoffs cut = {
		.samples = T0 + 3 * D, .hourly = T0 - D, .daily = INT64_MIN, .monthly = INT64_MIN
	};
	struct pdtt_store s;
	char err[256];

	(void)state;
	write_history(&s);
	assert_int_equal(pdtt_store_prune(&s, &cut, err, sizeof(err)), 0);
	assert_true(
		q_count(&s, "SELECT count(*) FROM rollup_hour WHERE bucket_start < 1796083200") >
		0);
	assert_true(q_count(&s, "SELECT count(*) FROM rollup_day") > 0);
	check_audit(&s);
	pdtt_store_close(&s);
}

/* The daemon's check (sums kept in memory, brought forward by commits)
 * gives the audit statement's rows, figure for figure. */
static void assert_same_rows(struct pdtt_store *s, struct pdtt_quota_watch *w,
			     const struct pdtt_commit_row *added, size_t n_added, int64_t at)
{
	struct pdtt_audit_row *a, *b;
	struct pdtt_window p[3];
	size_t na, nb;

	pdtt_periods_of(at - 1, p);
	assert_int_equal(pdtt_audit_collect(s->db, p, &a, &na), 0);
	assert_int_equal(pdtt_quota_watch_check(w, s->db, added, n_added, at, &b, &nb), 0);
	assert_int_equal(na, nb);
	assert_true(na > 0);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(a[i].uid, b[i].uid);
		assert_int_equal(a[i].per, b[i].per);
		assert_int_equal(a[i].dir, b[i].dir);
		assert_int_equal(a[i].period.from, b[i].period.from);
		assert_int_equal(a[i].period.to, b[i].period.to);
		assert_int_equal(a[i].limit, b[i].limit);
		assert_int_equal(a[i].used, b[i].used);
		assert_int_equal(a[i].warn_pct, b[i].warn_pct);
		assert_int_equal(a[i].is_default, b[i].is_default);
		assert_int_equal(a[i].state, b[i].state);
	}
	pdtt_audit_free(a, na);
	pdtt_audit_free(b, nb);
}

static void watch_agrees_with_the_audit(void **state)
{
	struct pdtt_store s;
	struct pdtt_quota_watch w;
	struct pdtt_commit_row r[3] = {
		{ .key = { .uid = 1002, .ifindex = 2, .netns_cookie = 9 },
		  .delta = { 500, 1, 70000, 1 },
		  .iface_name = "eth0",
		  .netns = "host" },
		{ .key = { .uid = 1002, .ifindex = 3, .netns_cookie = 9 },
		  .delta = { 1, 1, 2, 1 },
		  .iface_name = "wg0",
		  .netns = "host" },
		{ .key = { .uid = 1008, .ifindex = 2, .netns_cookie = 9 },
		  .delta = { 250000, 1, 1, 1 },
		  .iface_name = "eth0",
		  .netns = "host" },
	};
	struct pdtt_commit c = { .rows = r, .n_rows = 3, .boot_id = "b", .map_id = 1 };
	struct pdtt_cutoffs cut = { .daily = INT64_MIN, .monthly = INT64_MIN };
	const int64_t at = T0 + 3 * D + 7200;
	char err[256];

	(void)state;
	write_history(&s);
	pdtt_quota_watch_init(&w);
	/* At start: read from the history. */
	assert_same_rows(&s, &w, NULL, 0, at);
	/* The next commits: two rows of one user, a new user, in the same
	 * periods, then in the next day (a new day period, the same week). */
	for (int i = 0; i < 3; i++)
		r[i].cumulative = r[i].delta;
	c.span = (struct pdtt_span){ at, at + 10 };
	assert_int_equal(pdtt_store_commit(&s, &c, err, sizeof(err)), 0);
	assert_same_rows(&s, &w, r, 3, at + 10);
	c.span = (struct pdtt_span){ at + 10, at + 20 };
	assert_int_equal(pdtt_store_commit(&s, &c, err, sizeof(err)), 0);
	assert_same_rows(&s, &w, r, 3, at + 20);
	c.span = (struct pdtt_span){ T0 + 4 * D + 100, T0 + 4 * D + 110 };
	assert_int_equal(pdtt_store_commit(&s, &c, err, sizeof(err)), 0);
	assert_same_rows(&s, &w, r, 3, T0 + 4 * D + 110);
	/* Retention turning the samples into hours and days changes no figure. */
	cut.samples = T0 + 4 * D;
	cut.hourly = T0 + 4 * D;
	assert_int_equal(pdtt_store_prune(&s, &cut, err, sizeof(err)), 0);
	assert_same_rows(&s, &w, NULL, 0, T0 + 4 * D + 110); /* the sums kept across it */
	pdtt_quota_watch_forget(&w);
	assert_same_rows(&s, &w, NULL, 0, T0 + 4 * D + 110); /* and read again */
	assert_same_rows(&s, &w, NULL, 0, at + 20);
	pdtt_quota_watch_free(&w);
	pdtt_store_close(&s);
}

static int setup(void **state)
{
	(void)state;
	scratch_db_make("pdtt-audit", "pdtt.db", "UTC");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(own_quotas_defaults_and_periods, setup, teardown),
		cmocka_unit_test_setup_teardown(every_resolution_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(watch_agrees_with_the_audit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
