/* LD_PRELOAD shim for tests/integration/plans.sh: before the first step of
 * every distinct statement a process runs, writes to $PDTT_PLAN_LOG
 *   STATEMENT <the SQL on one line>
 *   PLAN <each line of its EXPLAIN QUERY PLAN>
 *   PLAN-ERROR <why>   when the plan could not be had
 * Statements are not changed and run as they would without the shim. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*step_fn)(sqlite3_stmt *);

static step_fn real_step;
static char *seen[512];
static int n_seen;

static int already_seen(const char *sql)
{
	for (int i = 0; i < n_seen; i++)
		if (!strcmp(seen[i], sql))
			return 1;
	if (n_seen < (int)(sizeof(seen) / sizeof(seen[0])))
		seen[n_seen++] = strdup(sql);
	return 0;
}

static void one_line(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\n' || *s == '\t' ? ' ' : *s, f);
	fputc('\n', f);
}

/* Prepares PREFIX + sql on db; NULL when it does not prepare (the caller's
 * own step reports the real error). */
static sqlite3_stmt *prepare_prefixed(sqlite3 *db, const char *prefix, const char *sql)
{
	size_t n = strlen(prefix) + strlen(sql) + 1;
	char *q = malloc(n);
	sqlite3_stmt *st = NULL;

	if (!q)
		return NULL;
	snprintf(q, n, "%s%s", prefix, sql);
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		st = NULL;
	free(q);
	return st;
}

static void explain(sqlite3_stmt *stmt, FILE *f)
{
	sqlite3 *db = sqlite3_db_handle(stmt);
	const char *sql = sqlite3_sql(stmt);
	sqlite3_stmt *st;

	fputs("STATEMENT ", f);
	one_line(f, sql);
	st = prepare_prefixed(db, "EXPLAIN QUERY PLAN ", sql);
	if (!st) /* fail closed: plans.sh rejects a statement it cannot see */
		fprintf(f, "PLAN-ERROR %s\n", sqlite3_errmsg(db));
	while (st && real_step(st) == SQLITE_ROW)
		fprintf(f, "PLAN %s\n", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
}

int sqlite3_step(sqlite3_stmt *stmt)
{
	const char *log = getenv("PDTT_PLAN_LOG");

	if (!real_step)
		real_step = (step_fn)dlsym(RTLD_NEXT, "sqlite3_step");
	if (log && stmt && sqlite3_sql(stmt) && !sqlite3_stmt_busy(stmt) &&
	    !already_seen(sqlite3_sql(stmt))) {
		FILE *f = fopen(log, "a");

		if (f) {
			explain(stmt, f);
			fclose(f);
		}
	}
	return real_step(stmt);
}
