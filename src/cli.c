/* Command-line parsing for the daemon (the original tool's -i/-l/-t/-h). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "pdtt.h"
#include "pdtt_exit.h"
#include "version.h"

enum { OPT_MAX_ENTRIES = 0x100 };

static const struct option long_options[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "log", required_argument, NULL, 'l' },
	{ "interval", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
	{ NULL, 0, NULL, 0 },
};

void pdtt_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s -i <interface> [-l <logfile>] [-t <interval>] [-h]\n"
		"\n"
		"Per-User Data Transfer Tracker: counts IP traffic per user with eBPF.\n"
		"\n"
		"Options:\n"
		"  -i, --interface IFACE  interface to monitor (required; repeatable;\n"
		"                         'all' counts every interface in every netns)\n"
		"  -l, --log FILE         log file (default: %s)\n"
		"  -t, --interval SECS    statistics interval, 1-%u seconds (default: %u)\n"
		"      --max-entries N    size of the kernel's per-user table (default: %u)\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n"
		"Exit status: 0 ok, 1 runtime error, 2 usage error, 3 interface not found,\n"
		"4 log file not writable, 5 insufficient privileges, 6 unsupported system.\n",
		prog, PDTT_DEFAULT_LOG, PDTT_MAX_INTERVAL, PDTT_DEFAULT_INTERVAL,
		PDTT_DEFAULT_MAX_ENTRIES);
}

/* Strict unsigned parse: digits only, no sign, no trailing junk. */
static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int add_iface(struct pdtt_options *o, const char *name, char *err, size_t errlen)
{
	if (!strcmp(name, "all")) {
		o->all_ifaces = true;
		return 0;
	}
	if (!*name || strlen(name) >= PDTT_IFNAME_MAX || strchr(name, '/') || strchr(name, ' ')) {
		snprintf(err, errlen,
			 "interface '%s': not a valid interface name; 'ip link show' lists them",
			 name);
		return PDTT_EXIT_USAGE;
	}
	for (int i = 0; i < o->n_ifaces; i++)
		if (!strcmp(o->ifaces[i], name))
			return 0;
	if (o->n_ifaces >= PDTT_MAX_IFACES) {
		snprintf(err, errlen, "interface '%s': more than %d interfaces given; use -i all",
			 name, PDTT_MAX_IFACES);
		return PDTT_EXIT_USAGE;
	}
	memcpy(o->ifaces[o->n_ifaces++], name, strlen(name) + 1);
	return 0;
}

int pdtt_parse_options(int argc, char **argv, struct pdtt_options *o, char *err, size_t errlen)
{
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->action = PDTT_ACTION_RUN;
	o->log_path = PDTT_DEFAULT_LOG;
	o->interval = PDTT_DEFAULT_INTERVAL;
	o->max_entries = PDTT_DEFAULT_MAX_ENTRIES;
	err[0] = '\0';

	optind = 0; /* full re-initialisation, so the parser can be called again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:l:t:hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'i':
			rc = add_iface(o, optarg, err, errlen);
			if (rc)
				return rc;
			break;
		case 'l':
			if (!*optarg) {
				snprintf(err, errlen,
					 "log file '': empty path; e.g. -l /tmp/traffic.log");
				return PDTT_EXIT_USAGE;
			}
			o->log_path = optarg;
			break;
		case 't':
			if (parse_uint(optarg, 1, PDTT_MAX_INTERVAL, &o->interval)) {
				snprintf(err, errlen,
					 "interval '%s': not a whole number of seconds from 1 to "
					 "%u; e.g. -t 10",
					 optarg, PDTT_MAX_INTERVAL);
				return PDTT_EXIT_USAGE;
			}
			break;
		case OPT_MAX_ENTRIES:
			if (parse_uint(optarg, PDTT_MIN_MAX_ENTRIES, PDTT_MAX_MAX_ENTRIES,
				       &o->max_entries)) {
				snprintf(err, errlen,
					 "max-entries '%s': not a whole number from %u to %u; e.g. "
					 "--max-entries 65536",
					 optarg, PDTT_MIN_MAX_ENTRIES, PDTT_MAX_MAX_ENTRIES);
				return PDTT_EXIT_USAGE;
			}
			break;
		case 'h':
			o->action = PDTT_ACTION_HELP;
			return 0;
		case 'V':
			o->action = PDTT_ACTION_VERSION;
			return 0;
		case ':':
			snprintf(err, errlen, "option '%s': missing its value; see --help",
				 argv[optind - 1]);
			return PDTT_EXIT_USAGE;
		default:
			if (optopt)
				snprintf(err, errlen, "option '-%c': unknown; see --help", optopt);
			else
				snprintf(err, errlen, "option '%s': unknown; see --help",
					 argv[optind - 1]);
			return PDTT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "argument '%s': unexpected; see --help", argv[optind]);
		return PDTT_EXIT_USAGE;
	}
	if (!o->n_ifaces && !o->all_ifaces) {
		snprintf(err, errlen,
			 "interface: none given; use -i IFACE (e.g. -i lo; 'ip link show' lists "
			 "them) or -i all");
		return PDTT_EXIT_USAGE;
	}
	if (o->all_ifaces)
		o->n_ifaces = 0; /* 'all' subsumes named interfaces */
	return 0;
}
