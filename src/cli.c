/* Command-line parsing for the daemon (the original tool's -i/-l/-t/-h). */
#include "cli.h"

#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "pdtt.h"
#include "pdtt_exit.h"
#include "store.h"
#include "table.h"
#include "version.h"

enum {
	OPT_MAX_ENTRIES = 0x100,
	OPT_NO_DB,
	OPT_TZ,
	OPT_RETENTION,
	OPT_PIN_DIR,
	OPT_QUOTA_EXEC,
	OPT_QUOTA_TIMEOUT,
	OPT_ALLOW_MISSING,
	OPT_IDLE_AFTER,
	OPT_CONSOLE,
	OPT_USER,
	OPT_CONFIG,
	OPT_METRICS,
	OPT_METRICS_AUTH,
	OPT_METRICS_PUBLIC,
	OPT_METRICS_TEXTFILE,
	OPT_METRICS_GROUP,
	OPT_METRICS_ACTIVE,
	OPT_METRICS_PER_IFACE,
};

static const char short_options[] = ":i:l:t:d:hV";
static const struct option long_options[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "log", required_argument, NULL, 'l' },
	{ "interval", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
	{ "db", required_argument, NULL, 'd' },
	{ "no-db", no_argument, NULL, OPT_NO_DB },
	{ "allow-missing", no_argument, NULL, OPT_ALLOW_MISSING },
	{ "idle-after", required_argument, NULL, OPT_IDLE_AFTER },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "retention", required_argument, NULL, OPT_RETENTION },
	{ "pin-dir", required_argument, NULL, OPT_PIN_DIR },
	{ "quota-exec", required_argument, NULL, OPT_QUOTA_EXEC },
	{ "quota-exec-timeout", required_argument, NULL, OPT_QUOTA_TIMEOUT },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "metrics-auth", required_argument, NULL, OPT_METRICS_AUTH },
	{ "metrics-public", no_argument, NULL, OPT_METRICS_PUBLIC },
	{ "metrics-textfile", required_argument, NULL, OPT_METRICS_TEXTFILE },
	{ "metrics-textfile-group", required_argument, NULL, OPT_METRICS_GROUP },
	{ "metrics-active", required_argument, NULL, OPT_METRICS_ACTIVE },
	{ "metrics-per-interface", no_argument, NULL, OPT_METRICS_PER_IFACE },
	{ NULL, 0, NULL, 0 },
};

void pdtt_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s -i <interface> [-l <logfile>] [-t <interval>] [-h]\n"
		"       %s COMMAND [OPTIONS]   (%s COMMAND --help for its options)\n"
		"\n"
		"Per-User Data Transfer Tracker: counts IP traffic per user with eBPF and\n"
		"keeps the history in SQLite.  Without a command it is the daemon.\n"
		"\n"
		"Commands:\n"
		"  stop     remove the pinned programs and maps: nothing is counted any more\n"
		"  check    is accounting happening? (for Nagios and the like: check --nagios)\n"
		"  report   per-user traffic over a window, from the history database\n"
		"  quota    set, list or remove per-user traffic quotas\n"
		"  audit    who is over or near a quota in a period (monitoring-plugin exit)\n"
		"  help     this text; 'help COMMAND' shows a command's\n"
		"\n"
		"Daemon options:\n"
		"  -i, --interface IFACE  interface to monitor (required; repeatable;\n"
		"                         'all' counts every interface in every netns)\n"
		"      --allow-missing    -i names that do not exist yet are counted once they do\n"
		"  -l, --log FILE         log file (default: %s)\n"
		"  -t, --interval SECS    statistics interval, 1-%u seconds (default: %u)\n"
		"      --max-entries N    size of the kernel's per-user table (default: as many\n"
		"                         as fit 64 MiB for the possible CPUs, %u-%u)\n"
		"      --idle-after TIME  remove table keys unchanged for TIME, e.g. 30m, 2h;\n"
		"                         0 never; at least 3 intervals (default: 1h)\n"
		"  -d, --db FILE          history database (default: %s)\n"
		"      --no-db            keep no history: totals in memory, nothing pinned\n"
		"      --tz ZONE          time zone of hours/days/months (default: the system's)\n"
		"      --retention SPEC   e.g. samples=7d,hourly=90d,daily=3y,monthly=forever\n"
		"      --pin-dir DIR      where programs and maps are pinned (default: %s)\n"
		"      --quota-exec PROG  run PROG (absolute path) when a user crosses a quota\n"
		"      --quota-exec-timeout SECS  kill a hook still running after SECS (default: "
		"10)\n"
		"      --console MODE     table, summary (one line per interval), users (a line\n"
		"                         per user that changed, then the summary), off, or\n"
		"                         auto (default: table on a terminal, else summary)\n"
		"      --user NAME        once attached, run as NAME with no capabilities left\n"
		"                         (the database and log become NAME's; default: root)\n"
		"      --config FILE      read 'key = value' lines first (the keys are these\n"
		"                         long options); the command line wins; no file is\n"
		"                         read without it (the package's: /etc/pdtt.conf)\n"
		"    Prometheus metrics (they need the history database):\n"
		"      --metrics ADDR:PORT  serve GET /metrics there, e.g. 127.0.0.1:9977,\n"
		"                         [::1]:9977 or *:9977; needs one of the next two\n"
		"      --metrics-auth FILE  require HTTP basic auth: USER:PASSWORD lines, the\n"
		"                         file readable by its owner (root or --user) only\n"
		"      --metrics-public   serve every user's figures to anyone who connects\n"
		"      --metrics-textfile FILE  write the same metrics to FILE (*.prom, for\n"
		"                         node_exporter's textfile collector) every interval\n"
		"      --metrics-textfile-group GROUP  the file's group (mode 0640; default:\n"
		"                         the daemon's)\n"
		"      --metrics-active TIME  export users that moved data within TIME\n"
		"                         (default: 35d, up to 366d)\n"
		"      --metrics-per-interface  counters per interface and netns too\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n"
		"Exit status: 0 ok, 1 runtime error, 2 usage error, 3 interface not found,\n"
		"4 log file not writable, 5 insufficient privileges, 6 unsupported system,\n"
		"7 database unusable.  See %s(8) and pdtt.db(5).\n",
		prog, prog, prog, PDTT_DEFAULT_LOG, PDTT_MAX_INTERVAL, PDTT_DEFAULT_INTERVAL,
		PDTT_TABLE_MIN_DEFAULT, PDTT_TABLE_MAX_DEFAULT, PDTT_DEFAULT_DB,
		PDTT_DEFAULT_PIN_ROOT, "pdtt_xdp_user");
}

void pdtt_stop_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s stop [--pin-dir DIR] [--config FILE]\n"
		"\n"
		"Removes the pinned programs and maps (of every map layout) for good:\n"
		"nothing is counted until the daemon starts again.  Stopping the daemon\n"
		"(SIGTERM) keeps them, so the kernel counts on until the next start.\n"
		"It refuses while a daemon is running: stop that first.  Needs root\n"
		"unless nothing is pinned.\n"
		"\n"
		"      --pin-dir DIR  where the daemon pins (default: %s)\n"
		"      --config FILE  take pin-dir from FILE (--pin-dir wins)\n"
		"\n"
		"Exit status: 0 stopped, 1 a pin could not be removed, 2 usage error,\n"
		"5 insufficient privileges.\n",
		prog, PDTT_DEFAULT_PIN_ROOT);
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

/* Whole seconds with an optional unit: s, m (minutes), h or d. */
static int parse_idle(const char *s, unsigned *out)
{
	static const struct {
		char unit;
		unsigned secs;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	size_t digits = strspn(s, "0123456789");
	unsigned long long v, mult = 1;

	if (!digits || digits > 9 || (s[digits] && s[digits + 1]))
		return -1;
	if (s[digits]) {
		mult = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (s[digits] == units[i].unit)
				mult = units[i].secs;
		if (!mult)
			return -1;
	}
	v = strtoull(s, NULL, 10) * mult;
	if (v > 366ull * 86400)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_console(const char *s, enum pdtt_console *out)
{
	static const struct {
		const char *name;
		enum pdtt_console mode;
	} modes[] = { { "auto", PDTT_CONSOLE_AUTO },
		      { "table", PDTT_CONSOLE_TABLE },
		      { "summary", PDTT_CONSOLE_SUMMARY },
		      { "users", PDTT_CONSOLE_USERS },
		      { "off", PDTT_CONSOLE_OFF } };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(s, modes[i].name)) {
			*out = modes[i].mode;
			return 0;
		}
	return -1;
}

static int add_iface(struct pdtt_options *o, const char *name, char *err, size_t errlen)
{
	if (!strcmp(name, "all")) {
		o->all_ifaces = true;
		return 0;
	}
	/* what the kernel's dev_valid_name() refuses: '/', ':', blanks, . and .. */
	bool bad = !*name || strlen(name) >= PDTT_IFNAME_MAX || !strcmp(name, ".") ||
		   !strcmp(name, "..") || strpbrk(name, "/:\"#");

	for (const char *p = name; *p && !bad; p++)
		bad = (unsigned char)*p <= ' ' || *p == 0x7f;
	if (bad) {
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

/* What one parse remembers besides the options. */
struct parse_state {
	bool idle_given;       /* --idle-after given (else it follows -t) */
	bool from_cli;	       /* applying the command line, after the file */
	bool cli_ifaces;       /* the command line's first -i replaced the file's list */
	const char *conf_name; /* the file, and the line its idle-after was on (0: none) */
	unsigned idle_line;
	unsigned lineno; /* the file's line being applied */
	/* the file's line of each metrics option (0: none, or the command line's) */
	unsigned metrics_line[OPT_METRICS_PER_IFACE - OPT_METRICS + 1];
};

/* Applies one option, from the command line or the file, to *o. */
static int apply_option(struct pdtt_options *o, struct parse_state *st, int c, char *val, char *err,
			size_t errlen)
{
	int rc;

	if (c >= OPT_METRICS && c <= OPT_METRICS_PER_IFACE)
		st->metrics_line[c - OPT_METRICS] = st->from_cli ? 0 : st->lineno;
	switch (c) {
	case 'i':
		if (st->from_cli && !st->cli_ifaces) {
			o->n_ifaces = 0;
			o->all_ifaces = false;
			st->cli_ifaces = true;
		}
		rc = add_iface(o, val, err, errlen);
		if (rc)
			return rc;
		break;
	case 'l':
		if (!*val) {
			snprintf(err, errlen, "log file '': empty path; e.g. -l /tmp/traffic.log");
			return PDTT_EXIT_USAGE;
		}
		o->log_path = val;
		break;
	case 't':
		if (parse_uint(val, 1, PDTT_MAX_INTERVAL, &o->interval)) {
			snprintf(err, errlen,
				 "interval '%s': not a whole number of seconds from 1 to "
				 "%u; e.g. -t 10",
				 val, PDTT_MAX_INTERVAL);
			return PDTT_EXIT_USAGE;
		}
		break;
	case OPT_MAX_ENTRIES:
		if (parse_uint(val, PDTT_MIN_MAX_ENTRIES, PDTT_MAX_MAX_ENTRIES, &o->max_entries)) {
			snprintf(err, errlen,
				 "max-entries '%s': not a whole number from %u to %u; e.g. "
				 "--max-entries 65536",
				 val, PDTT_MIN_MAX_ENTRIES, PDTT_MAX_MAX_ENTRIES);
			return PDTT_EXIT_USAGE;
		}
		break;
	case 'd':
		if (!*val) {
			snprintf(err, errlen,
				 "database '': empty path; e.g. -d /var/lib/pdtt/pdtt.db");
			return PDTT_EXIT_USAGE;
		}
		o->db_path = val;
		break;
	case OPT_ALLOW_MISSING:
		o->allow_missing = true;
		break;
	case OPT_IDLE_AFTER:
		st->idle_line = st->from_cli ? 0 : st->lineno;
		if (parse_idle(val, &o->idle_secs)) {
			snprintf(err, errlen,
				 "idle-after '%s': not a time up to 366d; give seconds or "
				 "a number with s, m, h or d, e.g. --idle-after 2h (0: "
				 "never)",
				 val);
			return PDTT_EXIT_USAGE;
		}
		st->idle_given = true;
		break;
	case OPT_NO_DB:
		o->db_path = NULL;
		break;
	case OPT_TZ:
		if (!*val) {
			snprintf(err, errlen,
				 "tz '': no zone; e.g. --tz Europe/Berlin or --tz UTC");
			return PDTT_EXIT_USAGE;
		}
		o->tz = val;
		break;
	case OPT_RETENTION:
		if (pdtt_retention_parse(val, &o->retention, err, errlen))
			return PDTT_EXIT_USAGE;
		break;
	case OPT_QUOTA_EXEC:
		if (val[0] != '/') {
			snprintf(err, errlen,
				 "quota-exec '%s': not an absolute path; e.g. --quota-exec "
				 "/usr/local/bin/notify",
				 val);
			return PDTT_EXIT_USAGE;
		}
		o->quota_exec = val;
		break;
	case OPT_QUOTA_TIMEOUT:
		if (parse_uint(val, 1, 3600, &o->quota_exec_timeout)) {
			snprintf(err, errlen,
				 "quota-exec-timeout '%s': not a whole number of seconds "
				 "from 1 to 3600",
				 val);
			return PDTT_EXIT_USAGE;
		}
		break;
	case OPT_CONSOLE:
		if (parse_console(val, &o->console)) {
			snprintf(err, errlen,
				 "console '%s': not a mode; give auto, table, summary, "
				 "users "
				 "or off, e.g. --console summary",
				 val);
			return PDTT_EXIT_USAGE;
		}
		break;
	case OPT_USER:
		if (!*val || strchr(val, '/') || strlen(val) >= PDTT_USER_NAME_MAX) {
			snprintf(err, errlen,
				 "user '%s': not a user name; give a system user such as "
				 "--user pdtt",
				 val);
			return PDTT_EXIT_USAGE;
		}
		o->user = val;
		break;
	case OPT_PIN_DIR:
		if (val[0] != '/') {
			snprintf(err, errlen,
				 "pin directory '%s': not an absolute path; e.g. --pin-dir "
				 "/sys/fs/bpf/pdtt",
				 val);
			return PDTT_EXIT_USAGE;
		}
		o->pin_root = val;
		break;
	case OPT_CONFIG:
		break; /* the caller read the file (pdtt_config_arg) before this parse */
	case OPT_METRICS: {
		struct sockaddr_storage ss;
		unsigned len;
		char why[256];

		if (pdtt_parse_listen(val, &ss, &len, why, sizeof(why))) {
			snprintf(err, errlen, "metrics '%s': %s; e.g. --metrics 127.0.0.1:9977",
				 val, why);
			return PDTT_EXIT_USAGE;
		}
		o->metrics_listen = val;
		break;
	}
	case OPT_METRICS_AUTH:
		if (!*val) {
			snprintf(err, errlen,
				 "metrics-auth '': empty path; e.g. --metrics-auth "
				 "/etc/pdtt/metrics.auth");
			return PDTT_EXIT_USAGE;
		}
		o->metrics_auth = val;
		break;
	case OPT_METRICS_PUBLIC:
		o->metrics_public = true;
		break;
	case OPT_METRICS_TEXTFILE: {
		size_t n = strlen(val);

		/* node_exporter reads *.prom only: anything else would never be seen */
		if (n < 6 || strcmp(val + n - 5, ".prom") != 0 || val[n - 6] == '/') {
			snprintf(err, errlen,
				 "metrics-textfile '%s': node_exporter reads only FILE.prom; e.g. "
				 "--metrics-textfile /var/lib/prometheus/node-exporter/pdtt.prom",
				 val);
			return PDTT_EXIT_USAGE;
		}
		o->metrics_textfile = val;
		break;
	}
	case OPT_METRICS_GROUP:
		if (!*val || strchr(val, '/') || strchr(val, ':')) {
			snprintf(err, errlen,
				 "metrics-textfile-group '%s': not a group name; e.g. "
				 "--metrics-textfile-group prometheus",
				 val);
			return PDTT_EXIT_USAGE;
		}
		o->metrics_group = val;
		break;
	case OPT_METRICS_ACTIVE:
		if (parse_idle(val, &o->metrics_active_secs) || !o->metrics_active_secs) {
			snprintf(err, errlen,
				 "metrics-active '%s': not a time from 1s to 366d; e.g. "
				 "--metrics-active 35d",
				 val);
			return PDTT_EXIT_USAGE;
		}
		break;
	case OPT_METRICS_PER_IFACE:
		o->metrics_per_iface = true;
		break;
	}
	return 0;
}

int pdtt_parse_listen(const char *s, struct sockaddr_storage *ss, unsigned *sslen, char *err,
		      size_t errlen)
{
	const char *colon = strrchr(s, ':');
	char host[64];
	size_t hlen;
	unsigned port;

	memset(ss, 0, sizeof(*ss));
	if (!colon || parse_uint(colon + 1, 1, 65535, &port)) {
		snprintf(err, errlen, "not ADDRESS:PORT with a port from 1 to 65535");
		return -1;
	}
	hlen = (size_t)(colon - s);
	if (hlen >= sizeof(host)) {
		snprintf(err, errlen, "the address is too long");
		return -1;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (!strcmp(host, "*") || (hlen > 2 && host[0] == '[' && host[hlen - 1] == ']')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*a);
		if (host[0] == '*') /* in6addr_any: IPv4 too, unless bindv6only */
			return 0;
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1) {
			snprintf(err, errlen, "'%s' is not an IPv6 address", host + 1);
			return -1;
		}
		return 0;
	}
	{
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
			snprintf(err, errlen,
				 "'%s' is not an IPv4 address, [IPv6] or *; names are not looked "
				 "up",
				 host);
			return -1;
		}
		*sslen = sizeof(*a);
	}
	return 0;
}

/* "FILE:LINE: " of the first of two metrics options the file gave, or "". */
static const char *file_at(const struct parse_state *st, int c1, int c2, char *buf, size_t len)
{
	unsigned l1 = st->metrics_line[c1 - OPT_METRICS],
		 l2 = c2 ? st->metrics_line[c2 - OPT_METRICS] : 0;

	buf[0] = '\0';
	if (l1 || l2)
		snprintf(buf, len, "%s:%u: ", st->conf_name, l1 ? l1 : l2);
	return buf;
}

/* The metrics options that only make sense together: per-user figures are
 * never served to anyone without the admin saying so. */
static int check_metrics(const struct pdtt_options *o, const struct parse_state *st, char *err,
			 size_t errlen)
{
	char at[256];

	if ((o->metrics_listen || o->metrics_textfile) && !o->db_path) {
		int c = o->metrics_listen ? OPT_METRICS : OPT_METRICS_TEXTFILE;

		snprintf(err, errlen,
			 "%s%s: the metrics are the history's committed totals; drop --no-db",
			 file_at(st, c, 0, at, sizeof(at)),
			 o->metrics_listen ? "metrics" : "metrics-textfile");
		return PDTT_EXIT_USAGE;
	}
	if (o->metrics_auth && o->metrics_public) {
		snprintf(err, errlen,
			 "%smetrics-auth and metrics-public: both given; keep --metrics-auth to "
			 "ask for a password",
			 file_at(st, OPT_METRICS_PUBLIC, OPT_METRICS_AUTH, at, sizeof(at)));
		return PDTT_EXIT_USAGE;
	}
	if (o->metrics_listen && !o->metrics_auth && !o->metrics_public) {
		snprintf(err, errlen,
			 "%smetrics '%s': every user's traffic would be readable by anyone who can "
			 "connect (on a login node: every user); give --metrics-auth FILE, or "
			 "--metrics-public if that is intended",
			 file_at(st, OPT_METRICS, 0, at, sizeof(at)), o->metrics_listen);
		return PDTT_EXIT_USAGE;
	}
	if (!o->metrics_listen && (o->metrics_auth || o->metrics_public)) {
		snprintf(err, errlen,
			 "%s%s: no --metrics ADDR:PORT to serve; e.g. --metrics 127.0.0.1:9977",
			 file_at(st, o->metrics_auth ? OPT_METRICS_AUTH : OPT_METRICS_PUBLIC, 0, at,
				 sizeof(at)),
			 o->metrics_auth ? "metrics-auth" : "metrics-public");
		return PDTT_EXIT_USAGE;
	}
	if (o->metrics_group && !o->metrics_textfile) {
		snprintf(err, errlen,
			 "%smetrics-textfile-group: no --metrics-textfile FILE to give the group",
			 file_at(st, OPT_METRICS_GROUP, 0, at, sizeof(at)));
		return PDTT_EXIT_USAGE;
	}
	return 0;
}

void pdtt_options_defaults(struct pdtt_options *o)
{
	memset(o, 0, sizeof(*o));
	o->action = PDTT_ACTION_RUN;
	o->log_path = PDTT_DEFAULT_LOG;
	o->interval = PDTT_DEFAULT_INTERVAL;
	o->max_entries = 0;
	o->idle_secs = PDTT_DEFAULT_IDLE_SECS;
	o->db_path = PDTT_DEFAULT_DB;
	o->pin_root = PDTT_DEFAULT_PIN_ROOT;
	o->retention = pdtt_retention_default();
	o->quota_exec_timeout = 10;
	o->metrics_active_secs = PDTT_DEFAULT_METRICS_ACTIVE;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no",
										       "false",
										       "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]))
			return *out = true, 0;
		if (!strcmp(s, no[i]))
			return *out = false, 0;
	}
	return -1;
}

static bool config_key(const struct option *opt)
{
	return opt->val != 'h' && opt->val != 'V' && opt->val != OPT_CONFIG;
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* One 'key = value' line of the file, applied to *o; seen[] marks the keys
 * given so far (only interface may be repeated). */
static int apply_config_line(struct pdtt_options *o, struct parse_state *st, char *line, bool *seen,
			     char *err, size_t errlen)
{
	char *eq = strchr(line, '='), *key, *val, *item;
	const struct option *opt = NULL;
	size_t n;
	bool on, quoted;
	int rc;

	if (!eq) {
		snprintf(err, errlen, "'%s': not a 'key = value' line; e.g. interval = 10", line);
		return PDTT_EXIT_USAGE;
	}
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	n = strlen(val);
	quoted = n >= 2 && val[0] == '"' && val[n - 1] == '"';
	if (quoted) {
		val[n - 1] = '\0';
		val++;
	}
	if (!quoted && (val[0] == '#' || (n >= 2 && val[0] == '\'' && val[n - 1] == '\''))) {
		snprintf(err, errlen, "%s '%s': %s; give the value itself, or in double quotes",
			 key, val,
			 val[0] == '#' ? "a comment where the value goes"
				       : "single quotes stay part of it");
		return PDTT_EXIT_USAGE;
	}
	if (!quoted && (strstr(val, " #") || strstr(val, "\t#"))) {
		snprintf(err, errlen,
			 "%s '%s': a comment after the value; put it on a line of its own", key,
			 val);
		return PDTT_EXIT_USAGE;
	}
	for (const struct option *p = long_options; p->name; p++)
		if (config_key(p) && !strcmp(p->name, key))
			opt = p;
	if (!opt) {
		snprintf(err, errlen,
			 "'%s': not a configuration key; the keys are the long options, e.g. "
			 "interval = 10 (see --help)",
			 key);
		return PDTT_EXIT_USAGE;
	}
	if (opt->val != 'i' && seen[opt - long_options]) {
		snprintf(err, errlen, "%s: given twice; keep one line", key);
		return PDTT_EXIT_USAGE;
	}
	/* no-db = no is the default written out: it conflicts with no db */
	seen[opt - long_options] = opt->val != OPT_NO_DB || parse_bool(val, &on) || on;
	/* which of the two wins would depend on the lines' order */
	for (const struct option *p = long_options; p->name; p++)
		if (seen[p - long_options] && p != opt &&
		    ((opt->val == 'd' && p->val == OPT_NO_DB) ||
		     (opt->val == OPT_NO_DB && p->val == 'd'))) {
			snprintf(err, errlen, "db and no-db: both given; keep one");
			return PDTT_EXIT_USAGE;
		}
	if (opt->has_arg == no_argument) {
		if (parse_bool(val, &on)) {
			snprintf(err, errlen, "%s '%s': not yes or no; e.g. %s = yes", key, val,
				 key);
			return PDTT_EXIT_USAGE;
		}
		if (opt->val == OPT_ALLOW_MISSING)
			o->allow_missing = on;
		else if (opt->val == OPT_METRICS_PUBLIC)
			o->metrics_public = on,
			st->metrics_line[OPT_METRICS_PUBLIC - OPT_METRICS] = st->lineno;
		else if (opt->val == OPT_METRICS_PER_IFACE)
			o->metrics_per_iface = on;
		else if (on) /* no-db */
			o->db_path = NULL;
		return 0;
	}
	if (opt->val != 'i')
		return apply_option(o, st, opt->val, val, err, errlen);
	/* a list: commas or blanks between the names */
	if (!*val) {
		snprintf(err, errlen, "interface: no names; e.g. interface = eth0, ib0 (or all)");
		return PDTT_EXIT_USAGE;
	}
	while ((item = strsep(&val, ", \t")))
		if (*item && (rc = apply_option(o, st, 'i', item, err, errlen)))
			return rc;
	return 0;
}

static int apply_config(struct pdtt_options *o, struct parse_state *st, char *text,
			const char *name, char *err, size_t errlen)
{
	bool seen[sizeof(long_options) / sizeof(long_options[0])] = { false };
	char msg[512], *line;
	unsigned lineno = 0;
	int rc;

	while ((line = strsep(&text, "\n"))) {
		char *s = trim(line);

		lineno++;
		st->lineno = lineno;
		if (lineno == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
			s = trim(s + 3); /* a UTF-8 byte order mark, as some editors write */
		if (!*s || *s == '#')
			continue;
		rc = apply_config_line(o, st, s, seen, msg, sizeof(msg));
		if (rc) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, msg);
			return rc;
		}
	}
	return 0;
}

int pdtt_config_parse(char *text, const char *name, struct pdtt_options *o, char *err,
		      size_t errlen)
{
	struct parse_state st = { 0 };

	pdtt_options_defaults(o);
	err[0] = '\0';
	return apply_config(o, &st, text, name, err, errlen);
}

const char *pdtt_config_arg(int argc, char **argv)
{
	const char *path = NULL;
	int c;

	if (argc > 1 && !strcmp(argv[1], "stop")) {
		argc--;
		argv++;
	}
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1)
		if (c == OPT_CONFIG)
			path = optarg;
	return path;
}

int pdtt_parse_options(int argc, char **argv, char *conf_text, const char *conf_name,
		       struct pdtt_options *o, char *err, size_t errlen)
{
	struct parse_state st = { 0 };
	int c, rc;

	pdtt_options_defaults(o);
	err[0] = '\0';

	if (argc > 1 && !strcmp(argv[1], "stop")) {
		o->action = PDTT_ACTION_STOP;
		argc--;
		argv++;
	}
	st.conf_name = conf_name;
	if (conf_text && (rc = apply_config(o, &st, conf_text, conf_name, err, errlen)))
		return rc;
	st.from_cli = true;

	optind = 0; /* full re-initialisation, so the parser can be called again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
		if (o->action == PDTT_ACTION_STOP && c != OPT_PIN_DIR && c != OPT_CONFIG &&
		    c != 'h') {
			snprintf(err, errlen,
				 "stop: only --pin-dir and --config are allowed; see stop --help");
			return PDTT_EXIT_USAGE;
		}
		switch (c) {
		case 'h':
			o->help_topic = o->action == PDTT_ACTION_STOP ? "stop" : NULL;
			o->action = PDTT_ACTION_HELP;
			return 0;
		case 'V':
			o->action = PDTT_ACTION_VERSION;
			return 0;
		case ':':
			snprintf(err, errlen, "option '%s': missing its value; see --help",
				 argv[optind - 1]);
			return PDTT_EXIT_USAGE;
		case '?':
			if (optopt)
				snprintf(err, errlen, "option '-%c': unknown; see --help", optopt);
			else
				snprintf(err, errlen, "option '%s': unknown; see --help",
					 argv[optind - 1]);
			return PDTT_EXIT_USAGE;
		default:
			rc = apply_option(o, &st, c, optarg, err, errlen);
			if (rc)
				return rc;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "argument '%s': unexpected; see --help", argv[optind]);
		return PDTT_EXIT_USAGE;
	}
	if (o->action == PDTT_ACTION_STOP)
		return 0;
	if (!o->n_ifaces && !o->all_ifaces) {
		snprintf(err, errlen,
			 "interface: none given; use -i IFACE (e.g. -i lo; 'ip link show' lists "
			 "them) or -i all");
		return PDTT_EXIT_USAGE;
	}
	if (o->all_ifaces)
		o->n_ifaces = 0; /* 'all' subsumes named interfaces */
	/* A key must stay unchanged for several reads: one quiet interval is
	 * no sign that its user is gone. */
	if (o->idle_secs && o->idle_secs < PDTT_MIN_IDLE_INTERVALS * o->interval) {
		if (st.idle_given) {
			char at[256] = "";

			if (st.idle_line)
				snprintf(at, sizeof(at), "%s:%u: ", st.conf_name, st.idle_line);
			snprintf(err, errlen,
				 "%sidle-after '%us': shorter than %u intervals of %u s; give at "
				 "least --idle-after %u, or 0 to keep idle keys",
				 at, o->idle_secs, PDTT_MIN_IDLE_INTERVALS, o->interval,
				 PDTT_MIN_IDLE_INTERVALS * o->interval);
			return PDTT_EXIT_USAGE;
		}
		o->idle_secs = PDTT_MIN_IDLE_INTERVALS * o->interval;
	}
	return check_metrics(o, &st, err, errlen);
}
