/* Option parsing: the original command line, its defaults, every bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "cli.h"
#include "pdtt_exit.h"

static struct pdtt_options o;
static char err[512];

#define PARSE(...)                                                                              \
	({                                                                                      \
		char *argv[] = { "pdtt_xdp_user", __VA_ARGS__, NULL };                          \
		pdtt_parse_options((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv, NULL, NULL, \
				   &o, err, sizeof(err));                                       \
	})

static void readme_defaults(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-i", "eth0"), 0);
	assert_int_equal(o.action, PDTT_ACTION_RUN);
	assert_int_equal(o.n_ifaces, 1);
	assert_string_equal(o.ifaces[0], "eth0");
	assert_string_equal(o.log_path, "/var/log/pdtt_stats.log");
	assert_int_equal(o.interval, 10);
	assert_false(o.all_ifaces);
}

static void readme_example_with_all_options(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-i", "wlan0", "-l", "/tmp/traffic.log", "-t", "5"), 0);
	assert_string_equal(o.ifaces[0], "wlan0");
	assert_string_equal(o.log_path, "/tmp/traffic.log");
	assert_int_equal(o.interval, 5);
}

static void long_forms_and_repeats(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--interface", "lo", "--interface=eth0", "--log", "/x.log",
			       "--interval=60", "-i", "lo", "--max-entries", "1024"),
			 0);
	assert_int_equal(o.n_ifaces, 2); /* duplicate lo folded */
	assert_string_equal(o.ifaces[1], "eth0");
	assert_string_equal(o.log_path, "/x.log");
	assert_int_equal(o.interval, 60);
	assert_int_equal(o.max_entries, 1024);
}

static void all_interfaces(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-i", "lo", "-i", "all"), 0);
	assert_true(o.all_ifaces);
	assert_int_equal(o.n_ifaces, 0);
}

static void help_and_version(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-h"), 0);
	assert_int_equal(o.action, PDTT_ACTION_HELP);
	assert_int_equal(PARSE("--help"), 0);
	assert_int_equal(o.action, PDTT_ACTION_HELP);
	assert_int_equal(PARSE("--version"), 0);
	assert_int_equal(o.action, PDTT_ACTION_VERSION);
}

static void missing_interface(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-t", "5"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "ip link show"));
	assert_null(strchr(err, '\n'));
}

static void bad_intervals(void **state)
{
	static const char *const bad[] = { "0",	  "-1", "abc",	 "10s",
					   "",	  " 5", "86401", "99999999999999999999",
					   "1.5", "+3" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(PARSE("-i", "lo", "-t", (char *)bad[i]), PDTT_EXIT_USAGE);
		assert_non_null(strstr(err, "interval"));
	}
	assert_int_equal(PARSE("-i", "lo", "-t", "86400"), 0);
	assert_int_equal(PARSE("-i", "lo", "-t", "1"), 0);
}

static void bad_interface_names(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-i", ""), PDTT_EXIT_USAGE);
	assert_int_equal(PARSE("-i", "a/b"), PDTT_EXIT_USAGE);
	assert_int_equal(PARSE("-i", "name-longer-than-15"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "ip link show"));
}

static void unknown_and_incomplete_options(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-i", "lo", "-x"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "-x"));
	assert_int_equal(PARSE("-i", "lo", "--bogus"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(PARSE("-i"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "missing"));
	assert_int_equal(PARSE("-i", "lo", "-l"), PDTT_EXIT_USAGE);
	assert_int_equal(PARSE("-i", "lo", "-l", ""), PDTT_EXIT_USAGE);
	assert_int_equal(PARSE("-i", "lo", "extra"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "extra"));
	assert_int_equal(PARSE("-i", "lo", "--max-entries", "0"), PDTT_EXIT_USAGE);
}

static void idle_after(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-i", "lo"), 0);
	assert_int_equal(o.idle_secs, 3600);
	assert_int_equal(o.max_entries, 0); /* sized for the CPUs */
	assert_int_equal(PARSE("-i", "lo", "--idle-after", "90"), 0);
	assert_int_equal(o.idle_secs, 90);
	assert_int_equal(PARSE("-i", "lo", "--idle-after", "30m"), 0);
	assert_int_equal(o.idle_secs, 1800);
	assert_int_equal(PARSE("-i", "lo", "--idle-after", "2h"), 0);
	assert_int_equal(o.idle_secs, 7200);
	assert_int_equal(PARSE("-i", "lo", "--idle-after", "1d"), 0);
	assert_int_equal(o.idle_secs, 86400);
	assert_int_equal(PARSE("-i", "lo", "--idle-after", "0"), 0);
	assert_int_equal(o.idle_secs, 0);
	/* at least three intervals */
	assert_int_equal(PARSE("-i", "lo", "-t", "5", "--idle-after", "15"), 0);
	assert_int_equal(PARSE("-i", "lo", "-t", "5", "--idle-after", "14"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "at least --idle-after 15"));
	/* the default follows a long interval */
	assert_int_equal(PARSE("-i", "lo", "-t", "3600"), 0);
	assert_int_equal(o.idle_secs, 3 * 3600);
	const char *bad[] = { "", "h", "1x", "1hh", "-1", "1.5h", "367d", "9999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = {
			"pdtt_xdp_user", "-i", "lo", "--idle-after", (char *)bad[i], NULL
		};

		assert_int_equal(pdtt_parse_options(5, argv, NULL, NULL, &o, err, sizeof(err)),
				 PDTT_EXIT_USAGE);
		assert_non_null(strstr(err, "idle-after"));
	}
}

static void console_modes(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-i", "lo"), 0);
	assert_int_equal(o.console, PDTT_CONSOLE_AUTO);
	assert_int_equal(PARSE("-i", "lo", "--console", "table"), 0);
	assert_int_equal(o.console, PDTT_CONSOLE_TABLE);
	assert_int_equal(PARSE("-i", "lo", "--console", "summary"), 0);
	assert_int_equal(o.console, PDTT_CONSOLE_SUMMARY);
	assert_int_equal(PARSE("-i", "lo", "--console", "users"), 0);
	assert_int_equal(o.console, PDTT_CONSOLE_USERS);
	assert_int_equal(PARSE("-i", "lo", "--console=off"), 0);
	assert_int_equal(o.console, PDTT_CONSOLE_OFF);
	assert_int_equal(PARSE("-i", "lo", "--console", "users", "--console", "auto"), 0);
	assert_int_equal(o.console, PDTT_CONSOLE_AUTO); /* the last one wins */
	assert_int_equal(PARSE("-i", "lo", "--console", "lines"), PDTT_EXIT_USAGE);
	assert_string_equal(err, "console 'lines': not a mode; give auto, table, summary, users or "
				 "off, e.g. --console summary");
	assert_int_equal(PARSE("-i", "lo", "--console", ""), PDTT_EXIT_USAGE);
	assert_int_equal(PARSE("-i", "lo", "--console"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "missing its value"));
}

/* A configuration file's text (copied: the parser writes into it), then
 * the command line over it. */
static char conf_buf[4096];
#define PARSE_CONF(text, ...)                                                                 \
	({                                                                                    \
		char *argv[] = { "pdtt_xdp_user", __VA_ARGS__, NULL };                        \
		snprintf(conf_buf, sizeof(conf_buf), "%s", text);                             \
		pdtt_parse_options((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv, conf_buf, \
				   "/etc/pdtt.conf", &o, err, sizeof(err));                   \
	})

static void config_file_values(void **state)
{
	(void)state;
	/* every kind of key; comments, blank lines, CRLF, blanks around '=' */
	assert_int_equal(PARSE_CONF("# pdtt\n\n  interface = eth0, ib0\r\ninterval=5\n"
				    "log = /var/log/pdtt/pdtt.log\ndb = \"/srv/pdtt db\"\n"
				    "\t# indented comment\nmax-entries = 4096\nidle-after = 2h\n"
				    "tz = UTC\nretention = samples=1d\npin-dir = /sys/fs/bpf/x\n"
				    "quota-exec = /usr/bin/true\nquota-exec-timeout = 30\n"
				    "console = off\nuser = pdtt\nallow-missing = yes\n",
				    "--console", "table"),
			 0);
	assert_int_equal(o.action, PDTT_ACTION_RUN);
	assert_int_equal(o.n_ifaces, 2);
	assert_string_equal(o.ifaces[0], "eth0");
	assert_string_equal(o.ifaces[1], "ib0");
	assert_int_equal(o.interval, 5);
	assert_string_equal(o.log_path, "/var/log/pdtt/pdtt.log");
	assert_string_equal(o.db_path, "/srv/pdtt db");
	assert_int_equal(o.max_entries, 4096);
	assert_int_equal(o.idle_secs, 7200);
	assert_string_equal(o.tz, "UTC");
	assert_int_equal(o.retention.samples, 86400);
	assert_string_equal(o.pin_root, "/sys/fs/bpf/x");
	assert_string_equal(o.quota_exec, "/usr/bin/true");
	assert_int_equal(o.quota_exec_timeout, 30);
	assert_int_equal(o.console, PDTT_CONSOLE_TABLE); /* the command line wins */
	assert_string_equal(o.user, "pdtt");
	assert_true(o.allow_missing);
	/* a quoted value may hold ' #'; a byte order mark is not part of the key */
	assert_int_equal(
		PARSE_CONF("\xef\xbb\xbfinterface = lo\nlog = \"/tmp/a #1.log\"\n", "-t", "1"), 0);
	assert_string_equal(o.log_path, "/tmp/a #1.log");
	/* the command line's idle-after is not the file's: no file:line */
	assert_int_equal(PARSE_CONF("interface = lo\n", "--idle-after", "10s"), PDTT_EXIT_USAGE);
	assert_memory_equal(err, "idle-after '10s'", 16);
	/* the default written out is no conflict */
	assert_int_equal(PARSE_CONF("interface = lo\nno-db = no\ndb = /x.db\n", "-t", "1"), 0);
	assert_string_equal(o.db_path, "/x.db");
	/* the file alone is enough: its interface satisfies -i */
	assert_int_equal(PARSE_CONF("interface = all\n", "-t", "7"), 0);
	assert_true(o.all_ifaces);
	assert_int_equal(o.interval, 7);
	/* no file: the seed's defaults */
	assert_int_equal(PARSE_CONF("", "-i", "lo"), 0);
	assert_string_equal(o.log_path, "/var/log/pdtt_stats.log");
	assert_string_equal(o.db_path, "/var/lib/pdtt/pdtt.db");
	/* booleans: no keeps the default, no-db = yes drops the history */
	assert_int_equal(
		PARSE_CONF("interface = lo\nallow-missing = off\nno-db = true\n", "-t", "1"), 0);
	assert_false(o.allow_missing);
	assert_null(o.db_path);
	assert_int_equal(PARSE_CONF("interface = lo\nno-db = no\n", "-t", "1"), 0);
	assert_string_equal(o.db_path, "/var/lib/pdtt/pdtt.db");
	/* the command line's -d after the file's no-db */
	assert_int_equal(PARSE_CONF("interface = lo\nno-db = yes\n", "-d", "/tmp/x.db"), 0);
	assert_string_equal(o.db_path, "/tmp/x.db");
}

static void config_interface_lists(void **state)
{
	(void)state;
	/* repeated lines add up; blanks and commas both separate */
	assert_int_equal(PARSE_CONF("interface = eth0\ninterface = ib0 ib1,, eth0\n", "-t", "1"),
			 0);
	assert_int_equal(o.n_ifaces, 3);
	assert_string_equal(o.ifaces[2], "ib1");
	/* -i on the command line replaces the file's whole list, 'all' too */
	assert_int_equal(PARSE_CONF("interface = eth0 ib0\n", "-i", "lo", "-i", "veth1"), 0);
	assert_int_equal(o.n_ifaces, 2);
	assert_string_equal(o.ifaces[0], "lo");
	assert_string_equal(o.ifaces[1], "veth1");
	assert_int_equal(PARSE_CONF("interface = all\n", "-i", "lo"), 0);
	assert_false(o.all_ifaces);
	assert_int_equal(o.n_ifaces, 1);
	assert_int_equal(PARSE_CONF("interface = eth0\n", "-i", "all"), 0);
	assert_true(o.all_ifaces);
	assert_int_equal(o.n_ifaces, 0);
	assert_int_equal(PARSE_CONF("interface =\n", "-t", "1"), PDTT_EXIT_USAGE);
	assert_string_equal(err, "/etc/pdtt.conf:1: interface: no names; e.g. interface = eth0, "
				 "ib0 (or all)");
	assert_int_equal(PARSE_CONF("interface = eth0 a/b\n", "-t", "1"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "/etc/pdtt.conf:1: interface 'a/b': not a valid interface"));
	/* no interface anywhere */
	assert_int_equal(PARSE_CONF("interval = 5\n", "-t", "1"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "interface: none given"));
}

static void config_file_errors(void **state)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "interface = lo\n\n# x\nintervall = 5\n",
		  "/etc/pdtt.conf:4: 'intervall': not a configuration key; the keys are the long "
		  "options, e.g. interval = 10 (see --help)" },
		{ "interface = lo\ninterval 5\n",
		  "/etc/pdtt.conf:2: 'interval 5': not a 'key = value' line; e.g. interval = 10" },
		{ "interval = 5\ninterval = 6\n",
		  "/etc/pdtt.conf:2: interval: given twice; keep one line" },
		{ "interface = lo\ndb = # the default\n",
		  "/etc/pdtt.conf:2: db '# the default': a comment where the value goes; give the "
		  "value itself, or in double quotes" },
		{ "interface = lo\nlog = '/var/log/x.log'\n",
		  "/etc/pdtt.conf:2: log ''/var/log/x.log'': single quotes stay part of it; give "
		  "the "
		  "value itself, or in double quotes" },
		{ "interface = lo\nno-db = yes\ndb = /x.db\n",
		  "/etc/pdtt.conf:3: db and no-db: both given; keep one" },
		{ "interval = 0\n", "/etc/pdtt.conf:1: interval '0': not a whole number of seconds "
				    "from 1 to 86400; e.g. -t 10" },
		{ "interval = 10 # seconds\n",
		  "/etc/pdtt.conf:1: interval '10 # seconds': a comment after the value; put it on "
		  "a line of its own" },
		{ "interface = eth0\t# uplink\n", "/etc/pdtt.conf:1: interface 'eth0\t# uplink': a "
						  "comment after the value" },
		{ "interface = \"eth0\", \"ib0\"\n",
		  "/etc/pdtt.conf:1: interface 'eth0\"': not a valid interface name" },
		{ "interface = lo\rinterval = 5\r\n",
		  "/etc/pdtt.conf:1: interface 'lo\rinterval': not a valid interface name" },
		{ "interface = eth0:1\n", "/etc/pdtt.conf:1: interface 'eth0:1': not a valid" },
		{ "interface = ..\n", "/etc/pdtt.conf:1: interface '..': not a valid" },
		{ "db = /a.db\n\nno-db = yes\n", "/etc/pdtt.conf:3: db and no-db: both given" },
		{ "no-db = yes\nno-db = yes\n", "/etc/pdtt.conf:2: no-db: given twice" },
		{ "\n\nidle-after = 10s\n", "/etc/pdtt.conf:3: idle-after '10s': shorter than 3 "
					    "intervals of 9 s; give at least --idle-after 27" },
		{ "allow-missing = maybe\n",
		  "/etc/pdtt.conf:1: allow-missing 'maybe': not yes or no; e.g. allow-missing = "
		  "yes" },
		{ "help = yes\n", "/etc/pdtt.conf:1: 'help': not a configuration key; the keys are "
				  "the long options, e.g. interval = 10 (see --help)" },
		{ "config = /etc/other.conf\n",
		  "/etc/pdtt.conf:1: 'config': not a configuration key; the keys are the long "
		  "options, e.g. interval = 10 (see --help)" },
		{ "-i = lo\n", "/etc/pdtt.conf:1: '-i': not a configuration key; the keys are the "
			       "long options, e.g. interval = 10 (see --help)" },
		{ "retention = samples=1x\n", "/etc/pdtt.conf:1: retention" },
		{ "tz =\n",
		  "/etc/pdtt.conf:1: tz '': no zone; e.g. --tz Europe/Berlin or --tz UTC" },
		{ "log = \"\"\n", "/etc/pdtt.conf:1: log file '': empty path" },
		{ "quota-exec = notify\n", "/etc/pdtt.conf:1: quota-exec 'notify': not an absolute "
					   "path" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* refused even when the command line would override the key */
		assert_int_equal(PARSE_CONF(bad[i].text, "-i", "lo", "-t", "9"), PDTT_EXIT_USAGE);
		assert_memory_equal(err, bad[i].err, strlen(bad[i].err));
	}
}

static void config_for_stop(void **state)
{
	(void)state;
	/* stop takes pin-dir from the file; other keys are checked, not needed */
	assert_int_equal(PARSE_CONF("interface = all\npin-dir = /sys/fs/bpf/y\n", "stop"), 0);
	assert_int_equal(o.action, PDTT_ACTION_STOP);
	assert_string_equal(o.pin_root, "/sys/fs/bpf/y");
	assert_int_equal(
		PARSE_CONF("pin-dir = /sys/fs/bpf/y\n", "stop", "--pin-dir", "/sys/fs/bpf/z"), 0);
	assert_string_equal(o.pin_root, "/sys/fs/bpf/z");
	assert_int_equal(PARSE_CONF("pin-dir = y\n", "stop"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "/etc/pdtt.conf:1: pin directory 'y'"));
	assert_int_equal(PARSE("stop", "--help"), 0);
	assert_int_equal(o.action, PDTT_ACTION_HELP);
	assert_string_equal(o.help_topic, "stop");
	assert_int_equal(PARSE("--help"), 0);
	assert_null(o.help_topic);
	assert_int_equal(PARSE("stop", "-t", "5"), PDTT_EXIT_USAGE);
}

static void config_arg(void **state)
{
	char *a[] = { "pdtt_xdp_user", "-i", "lo", "--config", "/a", "--conf=/b", NULL };
	char *b[] = { "pdtt_xdp_user", "stop", "--config", "/c", NULL };
	char *c[] = { "pdtt_xdp_user", "-i", "lo", "--", "--config", NULL };

	(void)state;
	assert_string_equal(pdtt_config_arg(6, a), "/b"); /* the last, abbreviations too */
	assert_string_equal(pdtt_config_arg(4, b), "/c");
	assert_null(pdtt_config_arg(5, c));
}

static void metrics_options(void **state)
{
	struct sockaddr_storage ss;
	unsigned len;
	char why[256];

	(void)state;
	assert_int_equal(PARSE("-i", "lo", "--metrics", "127.0.0.1:9977", "--metrics-auth",
			       "/etc/pdtt/metrics.auth", "--metrics-textfile", "/var/x/pdtt.prom",
			       "--metrics-textfile-group", "prometheus", "--metrics-active", "2d",
			       "--metrics-per-interface"),
			 0);
	assert_string_equal(o.metrics_listen, "127.0.0.1:9977");
	assert_string_equal(o.metrics_auth, "/etc/pdtt/metrics.auth");
	assert_string_equal(o.metrics_textfile, "/var/x/pdtt.prom");
	assert_string_equal(o.metrics_group, "prometheus");
	assert_int_equal(o.metrics_active_secs, 2 * 86400);
	assert_true(o.metrics_per_iface);
	assert_false(o.metrics_public);
	assert_int_equal(PARSE("-i", "lo"), 0);
	assert_int_equal(o.metrics_active_secs, 35 * 86400);
	assert_null(o.metrics_listen);
	/* never every user's figures to anyone without being told so */
	assert_int_equal(PARSE("-i", "lo", "--metrics", "127.0.0.1:9977"), PDTT_EXIT_USAGE);
	assert_non_null(strstr(err, "give --metrics-auth FILE, or --metrics-public"));
	assert_int_equal(PARSE("-i", "lo", "--metrics", "[::1]:9977", "--metrics-public"), 0);
	assert_true(o.metrics_public);
	assert_int_equal(PARSE("-i", "lo", "--metrics", "*:9977", "--metrics-public",
			       "--metrics-auth", "/a"),
			 PDTT_EXIT_USAGE);
	assert_string_equal(err, "metrics-auth and metrics-public: both given; keep "
				 "--metrics-auth to ask for a password");
	assert_int_equal(PARSE("-i", "lo", "--metrics-auth", "/a"), PDTT_EXIT_USAGE);
	assert_memory_equal(err, "metrics-auth: no --metrics", 26);
	assert_int_equal(PARSE("-i", "lo", "--metrics-public", "--no-db", "--metrics", "*:1"),
			 PDTT_EXIT_USAGE);
	assert_memory_equal(err, "metrics: the metrics are the history's", 38);
	assert_int_equal(PARSE("-i", "lo", "--no-db", "--metrics-textfile", "/x/p.prom"),
			 PDTT_EXIT_USAGE);
	assert_int_equal(PARSE("-i", "lo", "--metrics-textfile-group", "adm"), PDTT_EXIT_USAGE);
	/* node_exporter reads *.prom only */
	assert_int_equal(PARSE("-i", "lo", "--metrics-textfile", "/x/pdtt.txt"), PDTT_EXIT_USAGE);
	assert_int_equal(PARSE("-i", "lo", "--metrics-textfile", "/x/.prom"), PDTT_EXIT_USAGE);
	assert_int_equal(PARSE("-i", "lo", "--metrics-textfile", "p.prom"), 0);
	assert_int_equal(PARSE("-i", "lo", "--metrics-active", "0"), PDTT_EXIT_USAGE);
	assert_int_equal(PARSE("-i", "lo", "--metrics-active", "367d"), PDTT_EXIT_USAGE);
	assert_int_equal(PARSE("-i", "lo", "--metrics-textfile-group", "a:b"), PDTT_EXIT_USAGE);
	/* the addresses */
	assert_int_equal(pdtt_parse_listen("127.0.0.1:9977", &ss, &len, why, sizeof(why)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9977);
	assert_int_equal(pdtt_parse_listen("[::1]:80", &ss, &len, why, sizeof(why)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(pdtt_parse_listen("*:65535", &ss, &len, why, sizeof(why)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr));
	assert_int_equal(pdtt_parse_listen("0.0.0.0:1", &ss, &len, why, sizeof(why)), 0);
	static const char *const bad[] = {
		"localhost:9977", "127.0.0.1",	  "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
		"127.0.0.1:+80",  "::1:9977",	  "[::1]",	"[]:80",       "[127.0.0.1]:80",
		":9977",	  "1.2.3.4.5:80", "[::1]x:80"
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pdtt_parse_listen(bad[i], &ss, &len, why, sizeof(why)), -1);
		assert_int_equal(PARSE("-i", "lo", "--metrics", (char *)bad[i], "--metrics-public"),
				 PDTT_EXIT_USAGE);
		assert_non_null(strstr(err, "e.g. --metrics 127.0.0.1:9977"));
	}
	/* the file's keys, booleans included */
	assert_int_equal(PARSE_CONF("interface = lo\nmetrics = 127.0.0.1:9977\n"
				    "metrics-public = yes\nmetrics-per-interface = on\n"
				    "metrics-active = 12h\n",
				    "-t", "1"),
			 0);
	assert_true(o.metrics_public);
	assert_true(o.metrics_per_iface);
	assert_int_equal(o.metrics_active_secs, 12 * 3600);
	/* a pair the file got wrong names its line */
	assert_int_equal(PARSE_CONF("interface = lo\n\nmetrics-public = yes\n", "-t", "1"),
			 PDTT_EXIT_USAGE);
	assert_memory_equal(err, "/etc/pdtt.conf:3: metrics-public: no --metrics", 46);
	assert_int_equal(PARSE_CONF("interface = lo\nmetrics = *:1\n", "-t", "1"), PDTT_EXIT_USAGE);
	assert_memory_equal(err, "/etc/pdtt.conf:2: metrics '*:1': every user's", 45);
	assert_int_equal(PARSE_CONF("interface = lo\nmetrics = *:1\n", "--metrics-public"), 0);
	assert_int_equal(PARSE_CONF("interface = lo\nmetrics = nowhere\n", "-t", "1"),
			 PDTT_EXIT_USAGE);
	assert_string_equal(err, "/etc/pdtt.conf:2: metrics 'nowhere': not ADDRESS:PORT with a "
				 "port from 1 to 65535; e.g. --metrics 127.0.0.1:9977");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idle_after),
		cmocka_unit_test(console_modes),
		cmocka_unit_test(readme_defaults),
		cmocka_unit_test(readme_example_with_all_options),
		cmocka_unit_test(long_forms_and_repeats),
		cmocka_unit_test(all_interfaces),
		cmocka_unit_test(help_and_version),
		cmocka_unit_test(missing_interface),
		cmocka_unit_test(bad_intervals),
		cmocka_unit_test(bad_interface_names),
		cmocka_unit_test(unknown_and_incomplete_options),
		cmocka_unit_test(config_file_values),
		cmocka_unit_test(config_interface_lists),
		cmocka_unit_test(config_file_errors),
		cmocka_unit_test(config_for_stop),
		cmocka_unit_test(config_arg),
		cmocka_unit_test(metrics_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
