/* check's judgement: each fact's status, the worst one wins, the default
 * limits follow the interval, and the plugin line carries perfdata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "health.h"

static const struct pdtt_health_limits defaults = { -1, -1, 80, 95, 3600 };

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
			    "entries (0.0%); nothing lost lately | "
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
	f.holder_pid = -1; /* in a PID namespace we cannot see: held all the same */
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_OK);
	f.holder_pid = -2; /* /proc/locks unreadable: we do not know */
	pdtt_health_judge(&f, &defaults, &h);
	assert_int_equal(h.status, PDTT_HEALTH_UNKNOWN);

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
	assert_non_null(strstr(line, "3 packets (300 bytes) not counted lately"));
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
	struct pdtt_health_limits l = { 5, 20, 80, 95, 3600 };
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

/* A loss warns for the whole window, however often it is checked, then
 * clears; a new map starts from zero; the mark survives its text form. */
static void a_loss_warns_for_its_window(void **state)
{
	struct pdtt_lost_mark none = { 7, 0, 0, 0 }, m, back;
	uint64_t p, b;
	char text[96];

	(void)state;
	pdtt_lost_since(&none, 7, 0, 0, 1000, 3600, &m, &p, &b);
	assert_true(p == 0 && b == 0 && m.seen == 0);
	/* 3 packets lost: warned at once and at every check within the window */
	pdtt_lost_since(&m, 7, 3, 300, 1060, 3600, &m, &p, &b);
	assert_true(p == 3 && b == 300 && m.seen == 1060 && m.packets == 0);
	pdtt_lost_since(&m, 7, 3, 300, 1120, 3600, &m, &p, &b); /* a retry */
	assert_true(p == 3 && b == 300 && m.seen == 1060);
	pdtt_lost_since(&m, 7, 5, 500, 4000, 3600, &m, &p, &b); /* more, still in it */
	assert_true(p == 5 && b == 500 && m.seen == 1060);
	/* the window is over: measured from here, quiet again */
	pdtt_lost_since(&m, 7, 5, 500, 4660, 3600, &m, &p, &b);
	assert_true(p == 0 && b == 0 && m.packets == 5 && m.bytes == 500 && m.seen == 0);
	pdtt_lost_since(&m, 7, 5, 500, 4720, 3600, &m, &p, &b);
	assert_true(p == 0 && m.seen == 0);
	/* a new map: its counters from zero */
	pdtt_lost_since(&m, 8, 2, 200, 4780, 3600, &m, &p, &b);
	assert_true(p == 2 && b == 200 && m.map_id == 8 && m.seen == 4780);
	/* no mark yet (first check): everything the map lost */
	pdtt_lost_since(NULL, 8, 2, 200, 4780, 3600, &m, &p, &b);
	assert_true(p == 2 && b == 200);
	/* counters below the mark (it was another map's): from zero */
	back = (struct pdtt_lost_mark){ 8, 10, 1000, 0 };
	pdtt_lost_since(&back, 8, 2, 200, 4780, 3600, &m, &p, &b);
	assert_true(p == 2 && b == 200 && m.packets == 0);

	m = (struct pdtt_lost_mark){ 4294967295u, 18446744073709551615ull, 12, 1796281626 };
	pdtt_lost_mark_format(&m, text, sizeof(text));
	assert_string_equal(text, "4294967295:18446744073709551615:12:1796281626");
	assert_int_equal(pdtt_lost_mark_parse(text, &back), 0);
	assert_true(back.map_id == m.map_id && back.packets == m.packets && back.bytes == m.bytes &&
		    back.seen == m.seen);
	assert_int_equal(pdtt_lost_mark_parse("7:1:2", &back), -1); /* the old form */
	assert_int_equal(pdtt_lost_mark_parse("7:1:2:3x", &back), -1);
	assert_int_equal(pdtt_lost_mark_parse(NULL, &back), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_well_is_ok),
		cmocka_unit_test(each_fact_has_its_status),
		cmocka_unit_test(worst_wins_and_comes_first),
		cmocka_unit_test(a_loss_warns_for_its_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
