/* check's judgement: each fact's status, the worst one wins, the default
 * limits follow the interval, and the plugin line carries perfdata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "health.h"

static const struct pdtt_health_limits defaults = { -1, -1, 80, 95 };

static struct pdtt_health_facts healthy(void)
{
	struct pdtt_health_facts f = {
		.db_path = "/var/lib/pdtt/pdtt.db",
		.holder_pid = 1234,
		.now = 1000000,
		.last_end = 1000000 - 4,
		.interval = 10,
		.links_attached = 8,
		.links_pinned = 8,
		.entries = 12,
		.max_entries = 65536,
	};
	return f;
}

static void all_well_is_ok(void **state)
{
	struct pdtt_health_facts f = healthy();
	struct pdtt_health h;
	char line[1024];

	(void)state;
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_OK);
	assert_int_equal(h.warn_age, 2 * 10 + 90);
	assert_int_equal(h.crit_age, 10 * 10 + 300);
	pdtt_health_nagios(&h, &f, &defaults, line, sizeof(line));
	assert_string_equal(line,
			    "PDTT OK - daemon pid 1234 holds /var/lib/pdtt/pdtt.db; 8 programs "
			    "attached; last commit 4 s ago (interval 10 s); table 12 of 65536 "
			    "entries (0.0%); nothing lost since the last check | "
			    "commit_age=4s;110;400;0 table_fill=0.02%;80;95;0;100 "
			    "table_entries=12;;;0;65536 lost_packets=0c lost_bytes=0c");
}

static void each_fact_has_its_status(void **state)
{
	struct pdtt_health_facts f;
	struct pdtt_health h;
	char line[1024];

	(void)state;
	f = healthy();
	f.holder_pid = 0; /* the daemon was killed */
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_CRITICAL);
	pdtt_health_nagios(&h, &f, &defaults, line, sizeof(line));
	assert_non_null(strstr(line, "PDTT CRITICAL - no daemon holds /var/lib/pdtt/pdtt.db; "));

	f = healthy();
	snprintf(f.cgroup_missing, sizeof(f.cgroup_missing), "ingress");
	f.links_attached = 7;
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_CRITICAL);

	f = healthy();
	f.links_attached = 7; /* an owner program gone: users less exact */
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_WARNING);

	f = healthy();
	f.nothing_pinned = true;
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_CRITICAL);

	/* the commit's age at the limits: over warn is WARNING, over crit CRITICAL */
	f = healthy();
	f.last_end = f.now - 110;
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_OK);
	f.last_end = f.now - 111;
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_WARNING);
	f.last_end = f.now - 401;
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_CRITICAL);
	f.last_end = 0; /* nothing ever stored */
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_CRITICAL);

	/* the table: 80% warns, 95% is critical */
	f = healthy();
	f.max_entries = 10;
	f.entries = 7;
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_OK);
	f.entries = 8;
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_WARNING);
	pdtt_health_nagios(&h, &f, &defaults, line, sizeof(line));
	assert_non_null(strstr(line, "PDTT WARNING - table 8 of 10 entries (80.0%); new users"));
	assert_non_null(strstr(line, "table_fill=80.00%;80;95;0;100"));
	f.entries = 10;
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_CRITICAL);

	/* lost since the last check warns */
	f = healthy();
	f.lost_packets = 9;
	f.lost_new_packets = 3;
	f.lost_new_bytes = 300;
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_WARNING);
	pdtt_health_nagios(&h, &f, &defaults, line, sizeof(line));
	assert_non_null(strstr(line, "3 packets (300 bytes) not counted since the last check"));
	assert_non_null(strstr(line, "lost_packets=9c"));

	/* a failed test write is critical */
	f = healthy();
	f.store_error = "a test write failed: disk I/O error";
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_CRITICAL);
}

/* CRITICAL > WARNING > UNKNOWN > OK, and problems are listed first. */
static void worst_wins_and_comes_first(void **state)
{
	struct pdtt_health_facts f = healthy();
	struct pdtt_health h;
	struct pdtt_health_limits l = { 5, 20, 80, 95 };
	char line[1024];

	(void)state;
	f.table_error = "cannot open the map: Permission denied";
	pdtt_health_judge(&f, &l, &h);
	assert_int_equal(h.status, PDTT_HEALTH_UNKNOWN);
	f.last_end = f.now - 6; /* over the given warn limit */
	pdtt_health_judge(&f, &l, &h);
	assert_int_equal(h.status, PDTT_HEALTH_WARNING);
	pdtt_health_nagios(&h, &f, &l, line, sizeof(line));
	assert_non_null(strstr(line,
			       "PDTT WARNING - last commit 6 s ago (interval 10 s), over 5 s; "
			       "kernel table: cannot open"));
	/* no table figures in the perfdata when the table was not read */
	assert_null(strstr(line, "table_fill"));
	f.holder_pid = 0;
	pdtt_health_judge(&f, &l, &h);
	assert_int_equal(h.status, PDTT_HEALTH_CRITICAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_well_is_ok),
		cmocka_unit_test(each_fact_has_its_status),
		cmocka_unit_test(worst_wins_and_comes_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
