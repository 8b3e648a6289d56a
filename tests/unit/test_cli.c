/* Option parsing: the original command line, its defaults, every bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"
#include "pdtt_exit.h"

static struct pdtt_options o;
static char err[512];

#define PARSE(...)                                                                           \
	({                                                                                   \
		char *argv[] = { "pdtt_xdp_user", __VA_ARGS__, NULL };                       \
		pdtt_parse_options((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv, &o, err, \
				   sizeof(err));                                             \
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

		assert_int_equal(pdtt_parse_options(5, argv, &o, err, sizeof(err)),
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
