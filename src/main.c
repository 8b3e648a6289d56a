/* pdtt_xdp_user: entry point. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "daemon.h"
#include "pdtt_exit.h"
#include "quota_cmd.h"
#include "report.h"
#include "version.h"

int main(int argc, char **argv)
{
	struct pdtt_options opts;
	char err[512];
	int rc;

	if (argc > 1 && !strcmp(argv[1], "report"))
		return pdtt_report_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "quota"))
		return pdtt_quota_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "audit"))
		return pdtt_audit_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "check"))
		return pdtt_check_main(argc - 1, argv + 1);
	rc = pdtt_parse_options(argc, argv, &opts, err, sizeof(err));

	if (rc) {
		fprintf(stderr, "pdtt: %s\n", err);
		return rc;
	}
	switch (opts.action) {
	case PDTT_ACTION_HELP:
		pdtt_usage(stdout, "pdtt_xdp_user");
		return PDTT_EXIT_OK;
	case PDTT_ACTION_VERSION:
		printf("pdtt_xdp_user %s\n", PDTT_VERSION);
		return PDTT_EXIT_OK;
	case PDTT_ACTION_STOP:
		return pdtt_stop(&opts);
	case PDTT_ACTION_RUN:
		break;
	}
	return pdtt_daemon_run(&opts);
}
