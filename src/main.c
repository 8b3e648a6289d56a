/* pdtt_xdp_user (and its short name pdtt): entry point, the commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "config_file.h"
#include "daemon.h"
#include "errmsg.h"
#include "pdtt_exit.h"
#include "quota_cmd.h"
#include "report.h"
#include "version.h"

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
} commands[] = {
	{ "report", pdtt_report_main },
	{ "quota", pdtt_quota_main },
	{ "audit", pdtt_audit_main },
	{ "check", pdtt_check_main },
};

/* 'help' alone is --help; 'help COMMAND' is that command's --help. */
static int help(int argc, char **argv)
{
	char *args[] = { argc > 1 ? argv[1] : NULL, "--help", NULL };

	if (argc < 2) {
		pdtt_usage(stdout, pdtt_progname());
		return PDTT_EXIT_OK;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		pdtt_usage(stdout, pdtt_progname());
		return PDTT_EXIT_OK;
	}
	if (!strcmp(argv[1], "stop")) {
		pdtt_stop_usage(stdout, pdtt_progname());
		return PDTT_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(2, args);
	return pdtt_fail(PDTT_EXIT_USAGE,
			 "help '%s': no such command; the commands are stop, check, report, "
			 "quota and audit",
			 argv[1]);
}

static int run(int argc, char **argv)
{
	struct pdtt_options opts;
	const char *conf = pdtt_config_arg(argc, argv);
	char err[1024], *text = NULL;
	int rc;

	/* --help and --version answer even when the file is missing or bad */
	rc = pdtt_parse_options(argc, argv, NULL, NULL, &opts, err, sizeof(err));
	if (!conf ||
	    (!rc && (opts.action == PDTT_ACTION_HELP || opts.action == PDTT_ACTION_VERSION)))
		goto parsed;
	if ((rc = pdtt_config_read(conf, &text, err, sizeof(err)))) {
		pdtt_fail(rc, "%s", err);
		goto out;
	}
	rc = pdtt_parse_options(argc, argv, text, conf, &opts, err, sizeof(err));
parsed:
	if (rc) {
		pdtt_fail(rc, "%s", err);
		goto out;
	}
	switch (opts.action) {
	case PDTT_ACTION_HELP:
		if (opts.help_topic)
			pdtt_stop_usage(stdout, pdtt_progname());
		else
			pdtt_usage(stdout, pdtt_progname());
		rc = PDTT_EXIT_OK;
		break;
	case PDTT_ACTION_VERSION:
		printf("%s %s\n", pdtt_progname(), PDTT_VERSION);
		rc = PDTT_EXIT_OK;
		break;
	case PDTT_ACTION_STOP:
		rc = pdtt_stop(&opts);
		break;
	case PDTT_ACTION_RUN:
		rc = pdtt_daemon_run(&opts);
		break;
	}
out:
	free(text);
	return rc;
}

int main(int argc, char **argv)
{
	pdtt_set_progname(argv[0]);
	if (argc > 1 && !strcmp(argv[1], "help"))
		return help(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (argc > 1 && !strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	return run(argc, argv);
}
