/* 'quota' and 'audit' subcommands, and the audit query the daemon shares. */
#ifndef PDTT_QUOTA_CMD_H
#define PDTT_QUOTA_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "quota.h"

struct sqlite3;

struct pdtt_audit_row {
	uint32_t uid;
	char *name; /* NULL: no passwd entry seen */
	enum pdtt_per per;
	enum pdtt_dir dir;
	struct pdtt_window period;
	uint64_t limit, used;
	unsigned warn_pct;
	int is_default;
	enum pdtt_quota_state state;
	double percent;
};

/* Usage against quotas for the given periods (index by enum pdtt_per; a
 * window with from == to skips that kind), sorted by percent, highest
 * first.  0 or an SQLite error code. */
int pdtt_audit_collect(struct sqlite3 *db, const struct pdtt_window periods[3],
		       struct pdtt_audit_row **rows, size_t *n);
void pdtt_audit_free(struct pdtt_audit_row *rows, size_t n);

/* argv[0] is "quota" / "audit"; the exit status is returned. */
int pdtt_quota_main(int argc, char **argv);
int pdtt_audit_main(int argc, char **argv);

#endif
