/* 'pdtt_xdp_user report': per-user usage over a time window, from the
 * history database, with the named SQL reports of reports/. */
#ifndef PDTT_REPORT_H
#define PDTT_REPORT_H

/* argv[0] is "report".  Returns the exit status (documented in README.md):
 * 0 ok, 2 usage (bad option or time, empty window), 3 unknown user or
 * interface, 7 database missing, unreadable or of another schema version. */
int pdtt_report_main(int argc, char **argv);

#endif
