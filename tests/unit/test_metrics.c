/* The Prometheus exposition (both formats), content negotiation, label
 * escaping, and the --metrics-auth file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "metrics_auth.h"
#include "metrics_format.h"

static const struct pdtt_metrics_health health = {
	.version = "9.9.9",
	.schema = 8,
	.start_time = 1700000000,
	.last_commit = 1700000100,
	.commit_failures = 2,
	.lost_bytes = 3,
	.lost_packets = 1,
	.table_entries = 4,
	.table_max_entries = 65536,
	.interval_seconds = 10,
	.interval_duration = 0.25,
	.active_window_secs = 3024000,
};

static char *render(const struct pdtt_metrics_view *v, enum pdtt_metrics_format f)
{
	struct pdtt_buf b;

	pdtt_buf_init(&b);
	pdtt_metrics_render(&b, v, f);
	assert_false(b.oom);
	return b.p;
}

/* Prometheus 2.42 sends this, and gets OpenMetrics; curl's */
static void negotiation(void **state)
{
	(void)state;
	assert_int_equal(pdtt_metrics_negotiate("application/openmetrics-text;version=1.0.0,"
						"application/openmetrics-text;version=0.0.1;q=0.75,"
						"text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
			 PDTT_METRICS_OPENMETRICS);
	assert_int_equal(pdtt_metrics_negotiate("*/*"), PDTT_METRICS_TEXT);
	assert_int_equal(pdtt_metrics_negotiate(NULL), PDTT_METRICS_TEXT);
	assert_int_equal(pdtt_metrics_negotiate(""), PDTT_METRICS_TEXT);
	assert_int_equal(pdtt_metrics_negotiate("text/plain;version=0.0.4"), PDTT_METRICS_TEXT);
	assert_int_equal(pdtt_metrics_negotiate("text/plain, Application/OpenMetrics-Text"),
			 PDTT_METRICS_OPENMETRICS);
	assert_int_equal(pdtt_metrics_negotiate("application/openmetrics-text; q=0"),
			 PDTT_METRICS_TEXT);
	assert_int_equal(pdtt_metrics_negotiate("application/openmetrics-text;q=junk"),
			 PDTT_METRICS_TEXT);
	assert_int_equal(pdtt_metrics_negotiate("application/openmetrics-textual"),
			 PDTT_METRICS_TEXT);
	assert_int_equal(pdtt_metrics_negotiate(",,;,"), PDTT_METRICS_TEXT);
	/* the q values decide: a scraper that prefers the text format gets it */
	assert_int_equal(
		pdtt_metrics_negotiate("text/plain;q=1,application/openmetrics-text;q=0.1"),
		PDTT_METRICS_TEXT);
	assert_int_equal(pdtt_metrics_negotiate("application/openmetrics-text;q=0.5,*/*;q=0.6"),
			 PDTT_METRICS_TEXT);
	assert_int_equal(pdtt_metrics_negotiate("text/*;q=0.2, application/openmetrics-text;q=0.3"),
			 PDTT_METRICS_OPENMETRICS);
	/* gzip by its q */
	assert_true(pdtt_metrics_wants_gzip("gzip"));
	assert_true(pdtt_metrics_wants_gzip("deflate, gzip;q=0.5"));
	assert_true(pdtt_metrics_wants_gzip("br;q=1.0, GZIP"));
	assert_false(pdtt_metrics_wants_gzip("gzip;q=0"));
	assert_false(pdtt_metrics_wants_gzip("gzip; q=0.0"));
	assert_false(pdtt_metrics_wants_gzip("identity"));
	assert_false(pdtt_metrics_wants_gzip("gzipx"));
	assert_false(pdtt_metrics_wants_gzip(NULL));
	assert_string_equal(pdtt_metrics_content_type(PDTT_METRICS_TEXT),
			    "text/plain; version=0.0.4; charset=utf-8");
}

static void expect_label(const char *in, const char *want)
{
	struct pdtt_buf b;

	pdtt_buf_init(&b);
	pdtt_metrics_label(&b, in);
	assert_string_equal(b.p ? b.p : "", want);
	pdtt_buf_free(&b);
}

static void label_escaping(void **state)
{
	(void)state;
	expect_label("alice", "alice");
	expect_label("a\"b\\c\nd", "a\\\"b\\\\c\\nd");
	expect_label("J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80",
		     "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80");
	/* not UTF-8: a Latin-1 name, a stray continuation, overlong, surrogate,
	 * past U+10FFFF, cut short at the end */
	expect_label("J\xfcrgen", "J\xef\xbf\xbdrgen");
	expect_label("\x80x", "\xef\xbf\xbdx");
	expect_label("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
	expect_label("\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_label("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_label("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_label("ab\xe2\x82", "ab\xef\xbf\xbd\xef\xbf\xbd");
	expect_label("", "");
}

static const struct pdtt_metrics_user two[] = {
	{ .uid = 1001,
	  .name = "alice",
	  .rx_bytes = 100,
	  .rx_packets = 2,
	  .tx_bytes = 300,
	  .tx_packets = 4 },
	{ .uid = 1002, .name = "", .rx_bytes = 5, .rx_packets = 1, .tx_bytes = 0, .tx_packets = 0 },
};
static const struct pdtt_metrics_quota quota[] = {
	{ .uid = 1001, .per = "month", .dir = "total", .limit = 1000, .used = 400 },
};

static void text_format(void **state)
{
	struct pdtt_metrics_view v = {
		.users = two, .n_users = 2, .quotas = quota, .n_quotas = 1, .health = &health
	};
	char *t = render(&v, PDTT_METRICS_TEXT);

	(void)state;
	assert_non_null(strstr(t, "# HELP pdtt_user_receive_bytes_total IP-layer bytes"));
	assert_non_null(strstr(t, "# TYPE pdtt_user_receive_bytes_total counter\n"
				  "pdtt_user_receive_bytes_total{uid=\"1001\"} 100\n"
				  "pdtt_user_receive_bytes_total{uid=\"1002\"} 5\n"
				  "# HELP pdtt_user_transmit_bytes_total"));
	assert_non_null(strstr(t, "pdtt_user_transmit_bytes_total{uid=\"1001\"} 300\n"));
	assert_non_null(strstr(t, "pdtt_user_receive_packets_total{uid=\"1001\"} 2\n"));
	assert_non_null(strstr(t, "pdtt_user_transmit_packets_total{uid=\"1001\"} 4\n"));
	assert_non_null(strstr(t, "pdtt_user_transmit_packets_total{uid=\"1002\"} 0\n"));
	/* the name only in the info series, and only where one is known */
	assert_non_null(strstr(t, "# TYPE pdtt_user_info gauge\n"
				  "pdtt_user_info{uid=\"1001\",user=\"alice\"} 1\n# HELP"));
	assert_null(strstr(t, "uid=\"1002\",user"));
	assert_non_null(strstr(t,
			       "# TYPE pdtt_quota_limit_bytes gauge\n"
			       "pdtt_quota_limit_bytes{uid=\"1001\",per=\"month\",dir=\"total\"} "
			       "1000\n"));
	assert_non_null(strstr(t, "pdtt_quota_used_bytes{uid=\"1001\",per=\"month\",dir=\"total\"} "
				  "400\n"));
	assert_non_null(strstr(t, "# TYPE pdtt_build_info gauge\n"
				  "pdtt_build_info{version=\"9.9.9\",schema=\"8\"} 1\n"));
	assert_non_null(strstr(t, "\npdtt_last_commit_timestamp_seconds 1700000100\n"));
	assert_non_null(strstr(t, "\npdtt_commit_failures_total 2\n"));
	assert_non_null(strstr(t, "\npdtt_lost_bytes_total 3\n"));
	assert_non_null(strstr(t, "\npdtt_lost_packets_total 1\n"));
	assert_non_null(strstr(t, "\npdtt_kernel_table_entries 4\n"));
	assert_non_null(strstr(t, "\npdtt_kernel_table_max_entries 65536\n"));
	assert_non_null(strstr(t, "\npdtt_interval_seconds 10\n"));
	assert_non_null(strstr(t, "\npdtt_interval_duration_seconds 0.25\n"));
	assert_non_null(strstr(t, "\npdtt_exported_users 2\n"));
	assert_non_null(strstr(t, "\npdtt_start_time_seconds 1700000000\n"));
	assert_null(strstr(t, "# EOF"));
	assert_null(strstr(t, "# UNIT"));
	assert_int_equal(t[strlen(t) - 1], '\n');
	free(t);
}

static void openmetrics_format(void **state)
{
	struct pdtt_metrics_view v = {
		.users = two, .n_users = 2, .quotas = quota, .n_quotas = 1, .health = &health
	};
	char *t = render(&v, PDTT_METRICS_OPENMETRICS);
	size_t n = strlen(t);

	(void)state;
	/* a counter's family has no _total, its samples do; units named */
	assert_non_null(strstr(t, "# TYPE pdtt_user_receive_bytes counter\n"
				  "# UNIT pdtt_user_receive_bytes bytes\n"
				  "# HELP pdtt_user_receive_bytes IP-layer"));
	assert_non_null(strstr(t, "\npdtt_user_receive_bytes_total{uid=\"1001\"} 100\n"));
	assert_non_null(strstr(t, "# TYPE pdtt_user_receive_packets counter\n# HELP"));
	assert_non_null(strstr(t, "# TYPE pdtt_user info\n# HELP pdtt_user The user name"));
	assert_non_null(strstr(t, "\npdtt_user_info{uid=\"1001\",user=\"alice\"} 1\n"));
	assert_non_null(strstr(t, "# TYPE pdtt_build info\n"));
	assert_non_null(strstr(t, "# TYPE pdtt_commit_failures counter\n"));
	assert_non_null(strstr(t, "# TYPE pdtt_quota_used_bytes gauge\n"
				  "# UNIT pdtt_quota_used_bytes bytes\n"));
	assert_non_null(strstr(t, "# UNIT pdtt_last_commit_timestamp_seconds seconds\n"));
	assert_true(n > 6);
	assert_string_equal(t + n - 6, "# EOF\n");
	assert_null(strstr(t, "_total counter"));
	free(t);
}

static void per_interface_and_empty(void **state)
{
	static const struct pdtt_metrics_user rows[] = {
		{ .uid = 7, .name = "bob", .iface = "eth0", .netns = "host", .rx_bytes = 1 },
		{ .uid = 7, .name = "bob", .iface = "if3", .netns = "netns:4096", .rx_bytes = 2 },
	};
	struct pdtt_metrics_health h = health;
	struct pdtt_metrics_view v = {
		.users = rows, .n_users = 2, .per_interface = true, .health = &h
	};
	char *t = render(&v, PDTT_METRICS_TEXT);

	(void)state;
	assert_non_null(strstr(t, "pdtt_user_receive_bytes_total{uid=\"7\",interface=\"eth0\","
				  "netns=\"host\"} 1\n"));
	assert_non_null(strstr(t, "pdtt_user_receive_bytes_total{uid=\"7\",interface=\"if3\","
				  "netns=\"netns:4096\"} 2\n"));
	/* one info and one exported user, whatever the interfaces */
	assert_non_null(strstr(t, "pdtt_user_info{uid=\"7\",user=\"bob\"} 1\n# HELP"));
	assert_non_null(strstr(t, "\npdtt_exported_users 1\n"));
	free(t);
	/* nothing yet: the families are there, no commit time is made up */
	h.last_commit = 0;
	v = (struct pdtt_metrics_view){ .health = &h };
	t = render(&v, PDTT_METRICS_OPENMETRICS);
	assert_non_null(strstr(t, "# HELP pdtt_last_commit_timestamp_seconds"));
	assert_null(strstr(t, "\npdtt_last_commit_timestamp_seconds "));
	assert_non_null(strstr(t, "\npdtt_exported_users 0\n"));
	free(t);
}

static void auth_lines(void **state)
{
	struct pdtt_metrics_auth a;
	char err[256];

	(void)state;
	assert_int_equal(pdtt_metrics_auth_parse("# scrapers\nprom:s3cret\r\n\nthanos:a:b:c\n", "F",
						 &a, err, sizeof(err)),
			 0);
	assert_int_equal(a.n, 2);
	assert_true(pdtt_metrics_auth_check(&a, "prom", "s3cret"));
	assert_true(pdtt_metrics_auth_check(&a, "thanos", "a:b:c"));
	assert_false(pdtt_metrics_auth_check(&a, "prom", "s3cre"));
	assert_false(pdtt_metrics_auth_check(&a, "prom", "s3cret!"));
	assert_false(pdtt_metrics_auth_check(&a, "prom", ""));
	assert_false(pdtt_metrics_auth_check(&a, "thanos", "s3cret"));
	assert_false(pdtt_metrics_auth_check(&a, "pro", "m:s3cret"));
	assert_false(pdtt_metrics_auth_check(&a, "prom:s3cret", ""));
	assert_false(pdtt_metrics_auth_check(&a, NULL, "s3cret"));
	assert_false(pdtt_metrics_auth_check(&a, "prom", NULL));
	pdtt_metrics_auth_free(&a);
	assert_int_equal(a.n, 0);
	/* the last line needs no newline */
	assert_int_equal(pdtt_metrics_auth_parse("u:p", "F", &a, err, sizeof(err)), 0);
	assert_true(pdtt_metrics_auth_check(&a, "u", "p"));
	pdtt_metrics_auth_free(&a);
}

static void expect_auth_error(const char *text, const char *want)
{
	struct pdtt_metrics_auth a;
	char err[256];

	assert_int_equal(
		pdtt_metrics_auth_parse(text, "/etc/pdtt/metrics.auth", &a, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_int_equal(a.n, 0);
	assert_null(a.cred);
}

static void auth_errors(void **state)
{
	(void)state;
	expect_auth_error("prom\n", "/etc/pdtt/metrics.auth:1: not a USER:PASSWORD line (both "
				    "non-empty); e.g. prometheus:s3cret");
	expect_auth_error("a:b\n:x\n", "/etc/pdtt/metrics.auth:2: not a USER:PASSWORD line (both "
				       "non-empty); e.g. prometheus:s3cret");
	expect_auth_error("# c\nprom:\n", "/etc/pdtt/metrics.auth:2: not a USER:PASSWORD line "
					  "(both non-empty); e.g. prometheus:s3cret");
	expect_auth_error("prom:a\nprom:b\n",
			  "/etc/pdtt/metrics.auth:2: user 'prom' given twice; keep one line");
	expect_auth_error("# only a comment\n\n",
			  "/etc/pdtt/metrics.auth: no USER:PASSWORD line; e.g. prometheus:s3cret");
	expect_auth_error("", "/etc/pdtt/metrics.auth: no USER:PASSWORD line; e.g. "
			      "prometheus:s3cret");
}

/* The file itself: only its owner may read it, and that owner is root or
 * the daemon's account. */
static void auth_file(void **state)
{
	char dir[] = "/tmp/pdtt-auth.XXXXXX", path[64], err[512];
	struct pdtt_metrics_auth a;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/metrics.auth", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("prom:pw\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	/* owned by the caller: fine when that is root or the account */
	assert_int_equal(pdtt_metrics_auth_load(path, getuid(), &a, err, sizeof(err)), 0);
	assert_true(pdtt_metrics_auth_check(&a, "prom", "pw"));
	pdtt_metrics_auth_free(&a);
	/* group or others may read, or only write: refused */
	for (unsigned i = 0; i < 3; i++) {
		static const mode_t modes[] = { 0640, 0604, 0620 };

		assert_int_equal(chmod(path, modes[i]), 0);
		assert_int_equal(pdtt_metrics_auth_load(path, getuid(), &a, err, sizeof(err)), 2);
		assert_non_null(strstr(err, "lets others read the passwords; chmod 600 it"));
	}
	assert_int_equal(chmod(path, 0400), 0);
	/* another owner (as root: a chown; else the caller is not root and not
	 * the account given) */
	if (getuid() == 0)
		assert_int_equal(chown(path, 12345, (gid_t)-1), 0);
	assert_int_equal(pdtt_metrics_auth_load(path, 999999, &a, err, sizeof(err)), 2);
	assert_non_null(strstr(err, "who could change the passwords; chown it to root"));
	/* missing, a directory */
	assert_int_equal(pdtt_metrics_auth_load(dir, 0, &a, err, sizeof(err)), 2);
	assert_non_null(strstr(err, "not a regular file"));
	unlink(path);
	assert_int_equal(pdtt_metrics_auth_load(path, 0, &a, err, sizeof(err)), 2);
	assert_non_null(strstr(err, "No such file or directory"));
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(negotiation),
		cmocka_unit_test(label_escaping),
		cmocka_unit_test(text_format),
		cmocka_unit_test(openmetrics_format),
		cmocka_unit_test(per_interface_and_empty),
		cmocka_unit_test(auth_lines),
		cmocka_unit_test(auth_errors),
		cmocka_unit_test(auth_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
