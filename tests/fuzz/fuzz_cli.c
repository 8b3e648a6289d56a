/* The daemon's command line: the input split at NULs into argv.  Either
 * the options are accepted and within their documented ranges, or the
 * result is a documented exit status with a one-line message. */
#include "cli.h"
#include "fuzz_common.h"
#include "pdtt_exit.h"
#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[66], err[1024];
	struct pdtt_options o;
	int argc = 1, rc;

	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "pdtt_xdp_user";
	for (size_t i = 0; i < size && argc < 64;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	rc = pdtt_parse_options(argc, argv, &o, err, sizeof(err));
	if (rc == 0 && o.action == PDTT_ACTION_RUN) {
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
		{
			const int64_t *keep = &o.retention.samples;

			for (int i = 0; i < 3; i++)
				PROPERTY(keep[i + 1] == PDTT_FOREVER || (keep[i] != PDTT_FOREVER &&
									 keep[i] <= keep[i + 1]),
					 "retention %d kept longer than %d", i, i + 1);
		}
	} else if (rc > 0) {
		PROPERTY(rc == PDTT_EXIT_USAGE || rc == PDTT_EXIT_NO_IFACE, "status %d", rc);
		PROPERTY(one_line(err, sizeof(err)), "status %d, message '%s'", rc, err);
	}
	free(buf);
	return 0;
}
