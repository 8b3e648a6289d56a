/* Prometheus: GET /metrics over HTTP (libmicrohttpd, its own thread) and a
 * textfile for node_exporter, both from the history's committed totals.
 * The accounting loop only renders a page after each interval and swaps
 * it in; the HTTP thread serves the last page and never touches SQLite. */
#ifndef PDTT_METRICS_H
#define PDTT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics_format.h"

struct pdtt_options;
struct pdtt_runas;
struct pdtt_audit_row;
struct sqlite3;
struct pdtt_metrics;

/* Before privileges are dropped: reads --metrics-auth, binds the listening
 * socket (an address that is not up yet too, with a warning),
 * checks the textfile's directory and group for runas (NULL: root).  *out
 * stays NULL when no metrics are asked for.  0, or a PDTT_EXIT_* status with
 * a one-line message in err (nothing is left open). */
int pdtt_metrics_open(struct pdtt_metrics **out, const struct pdtt_options *o,
		      const struct pdtt_runas *runas, char *err, size_t errlen);

/* The quota gauges: the daemon's last quota check (the rows are copied). */
void pdtt_metrics_set_quotas(struct pdtt_metrics *m, const struct pdtt_audit_row *rows, size_t n);

/* After an interval: the users are read again when committed (or never read
 * yet), the page is rendered and swapped in, the textfile rewritten.  now:
 * the interval's time, for the active window.  Failures are said once and
 * leave the last page served. */
void pdtt_metrics_update(struct pdtt_metrics *m, struct sqlite3 *db,
			 const struct pdtt_metrics_health *h, bool committed, int64_t now);

/* After the switch of user (the thread must not keep root's capabilities)
 * and the first update: starts serving.  0, or PDTT_EXIT_RUNTIME with err. */
int pdtt_metrics_start(struct pdtt_metrics *m, char *err, size_t errlen);

/* Stops the server and frees everything; NULL is fine. */
void pdtt_metrics_close(struct pdtt_metrics *m);

#endif
