/* 'pdtt_xdp_user report': per-user usage over a time window, from the
 * history database; the named SQL reports of reports/ list the same rows. */
#ifndef PDTT_REPORT_H
#define PDTT_REPORT_H

#include <stdint.h>

/* argv[0] is "report".  Returns the exit status (documented in README.md):
 * 0 ok, 2 usage (bad option or time, empty window), 3 unknown user or
 * interface, 7 database missing, unreadable or of another schema version. */
int pdtt_report_main(int argc, char **argv);

struct sqlite3;
/* A user name (the database's users first, then NSS) or a numeric uid.
 * 0, or -1 when unknown. */
int pdtt_resolve_user(struct sqlite3 *db, const char *user, int64_t *uid);

#endif
