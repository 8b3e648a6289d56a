/* What every accepted daemon command line (and configuration file) must
 * give: options within their documented ranges. */
#ifndef PDTT_FUZZ_OPTIONS_H
#define PDTT_FUZZ_OPTIONS_H

#include <sys/socket.h>

#include "cli.h"
#include "fuzz_common.h"
#include "table.h"

static inline void check_run_options(const struct pdtt_options *opts)
{
	const struct pdtt_options o = *opts;

	PROPERTY(o.n_ifaces > 0 || o.all_ifaces, "no interface");
	PROPERTY(o.interval >= 1 && o.interval <= 86400, "interval %u", o.interval);
	PROPERTY(o.n_ifaces <= PDTT_MAX_IFACES, "%d interfaces", o.n_ifaces);
	for (int i = 0; i < o.n_ifaces; i++)
		PROPERTY(o.ifaces[i][0] && memchr(o.ifaces[i], '\0', PDTT_IFNAME_MAX),
			 "interface %d", i);
	PROPERTY(o.log_path && o.log_path[0], "empty log path");
	PROPERTY(o.quota_exec_timeout >= 1 && o.quota_exec_timeout <= 3600, "timeout %u",
		 o.quota_exec_timeout);
	/* idle keys go after several quiet reads, never within one interval */
	PROPERTY(o.idle_secs == 0 || (o.idle_secs >= PDTT_MIN_IDLE_INTERVALS * o.interval &&
				      o.idle_secs <= 366u * 86400),
		 "idle %u s at -t %u", o.idle_secs, o.interval);
	PROPERTY(!o.quota_exec || o.quota_exec[0] == '/', "quota-exec '%s'", o.quota_exec);
	PROPERTY(o.pin_root && o.pin_root[0] == '/', "pin dir '%s'", o.pin_root);
	/* per-user figures are never served without a password or the admin's word */
	PROPERTY(!o.metrics_listen || o.metrics_auth || o.metrics_public, "metrics open");
	PROPERTY(!(o.metrics_auth && o.metrics_public), "auth and public");
	PROPERTY(!(o.metrics_listen || o.metrics_textfile) || o.db_path, "metrics without db");
	PROPERTY(o.metrics_active_secs >= 1 && o.metrics_active_secs <= 366u * 86400,
		 "metrics-active %u", o.metrics_active_secs);
	if (o.metrics_listen) {
		struct sockaddr_storage ss;
		unsigned len;
		char why[256];

		PROPERTY(!pdtt_parse_listen(o.metrics_listen, &ss, &len, why, sizeof(why)),
			 "listen '%s'", o.metrics_listen);
	}
	if (o.metrics_textfile) {
		size_t n = strlen(o.metrics_textfile);

		PROPERTY(n > 5 && !strcmp(o.metrics_textfile + n - 5, ".prom"), "textfile '%s'",
			 o.metrics_textfile);
	}
	{
		const int64_t *keep = &o.retention.samples;

		for (int i = 0; i < 3; i++)
			PROPERTY(keep[i + 1] == PDTT_FOREVER ||
					 (keep[i] != PDTT_FOREVER && keep[i] <= keep[i + 1]),
				 "retention %d kept longer than %d", i, i + 1);
	}
}

#endif
