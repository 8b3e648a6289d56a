/* Time zones by name, on a temporary zoneinfo tree of stand-in zone files
 * (only their first bytes, "TZif", and their equality matter here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "zone.h"

static char root[] = "/tmp/pdtt-test-zone.XXXXXX";
static char zoneinfo[512], localtime_path[512], timezone_path[512];
static struct pdtt_zone_env env;

static void put(const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
	char path[1024];

	(void)state;
	if (!mkdtemp(root))
		return -1;
	dir("zi");
	dir("zi/America");
	dir("zi/Europe");
	dir("zi/US");
	dir("zi/posix");
	dir("zi/posix/Europe");
	dir("etc");
	put("zi/America/New_York", "TZif2 new york");
	put("zi/Europe/Berlin", "TZif2 berlin");
	put("zi/posix/Europe/Berlin", "TZif2 berlin");
	put("zi/Europe/Paris", "TZif2 paris");
	put("zi/Europe/Notzone", "# not a zone file");
	put("zi/zone1970.tab",
	    "# comment\nUS\t+404251-0740023\tAmerica/New_York\tEastern\n"
	    "FR,MC\t+4852+00220\tEurope/Paris\nDE\t+5230+01322\tEurope/Berlin\n");
	snprintf(path, sizeof(path), "%s/zi/US/Eastern", root);
	if (symlink("../America/New_York", path))
		return -1;
	snprintf(zoneinfo, sizeof(zoneinfo), "%s/zi", root);
	snprintf(localtime_path, sizeof(localtime_path), "%s/etc/localtime", root);
	snprintf(timezone_path, sizeof(timezone_path), "%s/etc/timezone", root);
	env.zoneinfo = zoneinfo;
	env.localtime = localtime_path;
	env.timezone = timezone_path;
	unsetenv("TZ");
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void normalizes_names(void **state)
{
	char out[256], path[600];

	(void)state;
	pdtt_zone_normalize(&env, ":Europe/Berlin", out, sizeof(out));
	assert_string_equal(out, "Europe/Berlin");
	snprintf(path, sizeof(path), ":%s/posix/Europe/Berlin", zoneinfo);
	pdtt_zone_normalize(&env, path, out, sizeof(out));
	assert_string_equal(out, "Europe/Berlin");
	pdtt_zone_normalize(&env, "CET-1CEST,M3.5.0,M10.5.0/3", out, sizeof(out));
	assert_string_equal(out, "CET-1CEST,M3.5.0,M10.5.0/3");
	/* a path outside zoneinfo: named by its bytes, else it stays a path */
	put("etc/copy", "TZif2 paris");
	snprintf(path, sizeof(path), ":%s/etc/copy", root);
	pdtt_zone_normalize(&env, path, out, sizeof(out));
	assert_string_equal(out, "Europe/Paris");
	put("etc/copy", "TZif2 nowhere");
	pdtt_zone_normalize(&env, path, out, sizeof(out));
	assert_string_equal(out, path + 1);
	unlink(path + 1);
}

static void one_zone_under_several_names(void **state)
{
	char path[600];

	(void)state;
	assert_true(pdtt_zone_same(&env, "US/Eastern", "America/New_York"));
	assert_true(pdtt_zone_same(&env, "posix/Europe/Berlin", "Europe/Berlin"));
	assert_true(pdtt_zone_same(&env, "UTC", ":Etc/Zulu"));
	snprintf(path, sizeof(path), "%s/Europe/Berlin", zoneinfo);
	assert_true(pdtt_zone_same(&env, path, "Europe/Berlin"));
	assert_true(pdtt_zone_same(&env, "EST5EDT", "EST5EDT"));
	assert_false(pdtt_zone_same(&env, "Europe/Berlin", "Europe/Paris"));
	assert_false(pdtt_zone_same(&env, "Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3"));
	assert_false(pdtt_zone_same(&env, "Europe/Berlin", ""));
	assert_false(pdtt_zone_same(&env, "UTC", "Europe/Berlin"));
	assert_true(pdtt_zone_same(&env, "Etc/GMT", "UTC")); /* the same days */
	/* two missing zones are not one zone by their (missing) bytes */
	assert_false(pdtt_zone_same(&env, "Nowhere/A", "Nowhere/B"));
	assert_false(pdtt_zone_same(&env, "Europe/Notzone", "Europe/Notzone/../Notzone"));
}

static void only_loadable_zones_pass(void **state)
{
	char err[1024], path[600];

	(void)state;
	assert_int_equal(pdtt_zone_check(&env, "Europe/Berlin", err, sizeof(err)), 0);
	assert_int_equal(pdtt_zone_check(&env, "US/Eastern", err, sizeof(err)), 0);
	assert_int_equal(pdtt_zone_check(&env, "UTC", err, sizeof(err)), 0);
	assert_int_equal(pdtt_zone_check(&env, "CET-1CEST,M3.5.0,M10.5.0/3", err, sizeof(err)), 0);
	assert_int_equal(pdtt_zone_check(&env, "Mars/Olympus", err, sizeof(err)), -1);
	if (!strstr(err, "'Mars/Olympus'") || !strstr(err, "tzdata"))
		fail_msg("message: %s", err);
	assert_int_equal(pdtt_zone_check(&env, "Europe/Notzone", err, sizeof(err)), -1);
	assert_int_equal(pdtt_zone_check(&env, "../etc/passwd", err, sizeof(err)), -1);
	assert_int_equal(pdtt_zone_check(&env, "", err, sizeof(err)), -1);
	/* what glibc would read as UTC without a word */
	assert_int_equal(pdtt_zone_check(&env, "1", err, sizeof(err)), -1);
	assert_int_equal(pdtt_zone_check(&env, "123", err, sizeof(err)), -1);
	assert_int_equal(pdtt_zone_check(&env, "AB5", err, sizeof(err)), -1);
	assert_int_equal(pdtt_zone_check(&env, "EST5EDT", err, sizeof(err)), 0);
	assert_int_equal(pdtt_zone_check(&env, "<+0330>-3:30", err, sizeof(err)), 0);
	/* a file no zone matches cannot be recorded by name */
	put("etc/custom", "TZif2 custom");
	snprintf(path, sizeof(path), "%s/etc/custom", root);
	assert_int_equal(pdtt_zone_check(&env, path, err, sizeof(err)), -1);
	if (!strstr(err, "matches no zone"))
		fail_msg("message: %s", err);
	unlink(path);
	memset(path, 'A', 300);
	path[300] = '\0';
	assert_int_equal(pdtt_zone_check(&env, path, err, sizeof(err)), -1);
	if (!strstr(err, "longer than"))
		fail_msg("message: %s", err);
	assert_int_equal(pdtt_zone_use_recorded(&env, "", "/x.db", err, sizeof(err)), 0);
	assert_int_equal(pdtt_zone_use_recorded(&env, "Mars/Olympus", "/x.db", err, sizeof(err)),
			 -1);
	if (!strstr(err, "database '/x.db'") || !strstr(err, "'Mars/Olympus'") ||
	    !strstr(err, "Mars/Olympus is not a zone file"))
		fail_msg("message: %s", err);
}

static void names_the_system_zone(void **state)
{
	char out[256], target[600];

	(void)state;
	/* no /etc/localtime: glibc cuts in UTC */
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "UTC");
	/* a link into zoneinfo */
	snprintf(target, sizeof(target), "%s/US/Eastern", zoneinfo);
	assert_int_equal(symlink(target, localtime_path), 0);
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "US/Eastern");
	unlink(localtime_path);
	/* a relative link, and a chain of links */
	assert_int_equal(symlink("../zi/Europe/Paris", localtime_path), 0);
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "Europe/Paris");
	unlink(localtime_path);
	snprintf(target, sizeof(target), "%s/etc/tzcur", root);
	assert_int_equal(symlink("../zi/posix/Europe/Berlin", target), 0);
	assert_int_equal(symlink("tzcur", localtime_path), 0);
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "Europe/Berlin");
	unlink(localtime_path);
	unlink(target);
	/* a dangling link: glibc cuts in UTC */
	assert_int_equal(symlink("../zi/Mars/Olympus", localtime_path), 0);
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "UTC");
	unlink(localtime_path);
	/* TZ="" is UTC to glibc */
	setenv("TZ", "", 1);
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "UTC");
	unsetenv("TZ");
	/* a copied file (containers): /etc/timezone when it agrees ... */
	put("etc/localtime", "TZif2 berlin");
	put("etc/timezone", "Europe/Berlin\n");
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "Europe/Berlin");
	/* ... else the zone1970.tab zone with the same bytes */
	put("etc/timezone", "Europe/Paris\n");
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "Europe/Berlin");
	unlink(timezone_path);
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "Europe/Berlin");
	/* TZ=:/etc/localtime names the zone of the file, not the path */
	snprintf(target, sizeof(target), ":%s", localtime_path);
	setenv("TZ", target, 1);
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "Europe/Berlin");
	unsetenv("TZ");
	/* a file no zone matches cannot be named, also through TZ */
	put("etc/localtime", "TZif2 somewhere else");
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "");
	setenv("TZ", target, 1);
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "");
	unsetenv("TZ");
	unlink(localtime_path);
	/* TZ wins */
	setenv("TZ", ":Europe/Paris", 1);
	pdtt_zone_system(&env, out, sizeof(out));
	assert_string_equal(out, "Europe/Paris");
	unsetenv("TZ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalizes_names),
		cmocka_unit_test(one_zone_under_several_names),
		cmocka_unit_test(only_loadable_zones_pass),
		cmocka_unit_test(names_the_system_zone),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
