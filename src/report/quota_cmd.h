/* 'quota' and 'audit' subcommands, and the audit query the daemon shares. */
#ifndef PDTT_QUOTA_CMD_H
#define PDTT_QUOTA_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "quota.h"

struct sqlite3;

/* Usage against quotas for the given periods (index by enum pdtt_per; a
 * window with from == to skips that kind), sorted by percent, highest
 * first.  0 or an SQLite error code. */
int pdtt_audit_collect(struct sqlite3 *db, const struct pdtt_window periods[3],
		       struct pdtt_audit_row **rows, size_t *n);

/* For the daemon's check: every quota (uid -1 for a default), and one
 * period kind's per-user traffic read from the history (the same rows
 * audit.sql sums) into u.  0 or an SQLite error code. */
int pdtt_quota_defs_load(struct sqlite3 *db, struct pdtt_quota_def **defs, size_t *n);
int pdtt_usage_load(struct sqlite3 *db, struct pdtt_usage *u, enum pdtt_per per,
		    struct pdtt_window w);

/* The daemon's quota check: per-user sums of the current day, week and
 * month, read from the history at start and when a period begins, then
 * brought forward by each commit's rows. */
struct pdtt_commit_row;
struct pdtt_quota_watch {
	struct pdtt_usage usage;
	struct pdtt_usage_add *adds;
	size_t cap;
};

void pdtt_quota_watch_init(struct pdtt_quota_watch *w);
void pdtt_quota_watch_free(struct pdtt_quota_watch *w);
/* Drops the sums, so the next check reads them from the history again:
 * after a failed check, and after retention moved rows of the current
 * periods to a table a period kind does not count (months, for days and
 * weeks). */
void pdtt_quota_watch_forget(struct pdtt_quota_watch *w);
/* After a commit ending at `at` that stored rows[0..n) (sorted by uid):
 * the audit rows of the periods holding at - 1, as pdtt_audit_collect would
 * give them (names NULL).  0 or an SQLite error code; the sums of a period
 * that could not be read are read again at the next check. */
int pdtt_quota_watch_check(struct pdtt_quota_watch *w, struct sqlite3 *db,
			   const struct pdtt_commit_row *rows, size_t n, int64_t at,
			   struct pdtt_audit_row **out, size_t *nout);

/* The user's name as the database last saw it (malloc'd), or NULL. */
char *pdtt_user_name(struct sqlite3 *db, uint32_t uid);

/* argv[0] is "quota" / "audit"; the exit status is returned. */
int pdtt_quota_main(int argc, char **argv);
int pdtt_audit_main(int argc, char **argv);

#endif
