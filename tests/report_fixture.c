/* Writes a history database with known traffic through the store's own
 * commit and prune code, with a fake clock, for the report tests.
 *
 *   pdtt_report_fixture [--tz ZONE] DB
 *   pdtt_report_fixture --migrate DB   (only open it read-write: migrates an
 *                                       older schema, as the daemon would)
 *
 * Time zone Europe/Berlin, or ZONE.  Hourly samples from 2026-08-01 00:00 to
 * 2026-11-15 12:00 local; "now" is the end.  Per local hour:
 *   uid 1001 alice: rx 1000, tx 10 on eth0, every hour
 *   uid 1002 bob:   rx 2000 on eth0, only on Mondays to Fridays
 *   uid 1003 carol: tx 500 on lo, only in October
 * Retention at the end: samples 7d, hourly 30d, daily 60d, monthly forever,
 * so the window holds all four resolutions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "retention.h"
#include "store.h"
#include "timebucket.h"

static struct pdtt_commit_row row(__u32 uid, const char *name, const char *iface, __u64 rx,
				  __u64 tx, __u64 *cum)
{
	struct pdtt_commit_row r = {
		.key = { .uid = uid, .ifindex = iface[0] == 'l' ? 1 : 2, .netns_cookie = 1 },
		.delta = { rx, rx ? 1 : 0, tx, tx ? 1 : 0 },
		.user_name = name,
		.iface_name = iface,
		.netns = "host",
	};

	*cum += rx + tx;
	r.cumulative.rx_bytes = *cum;
	return r;
}

int main(int argc, char **argv)
{
	struct pdtt_store s;
	struct pdtt_retention ret = pdtt_retention_default();
	struct pdtt_cutoffs cut;
	struct tm tm = { .tm_year = 126, .tm_mon = 7, .tm_mday = 1, .tm_isdst = -1 };
	struct tm end_tm = {
		.tm_year = 126, .tm_mon = 10, .tm_mday = 15, .tm_hour = 12, .tm_isdst = -1
	};
	__u64 cum[3] = { 0 };
	const char *zone = "Europe/Berlin";
	char err[512];
	int64_t t, end;

	if (argc == 3 && !strcmp(argv[1], "--migrate")) {
		if (pdtt_store_open(&s, argv[2], true, err, sizeof(err))) {
			fprintf(stderr, "pdtt: %s\n", err);
			return 1;
		}
		pdtt_store_close(&s);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "--tz")) {
		zone = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s [--tz ZONE] DB | --migrate DB\n", argv[0]);
		return 2;
	}
	setenv("TZ", zone, 1);
	tzset();
	t = (int64_t)mktime(&tm);
	end = (int64_t)mktime(&end_tm);
	if (pdtt_store_open(&s, argv[1], true, err, sizeof(err)) ||
	    pdtt_store_set_timezone(&s, zone)) {
		fprintf(stderr, "fixture: %s\n", err);
		return 1;
	}
	for (; t < end; t = pdtt_bucket_next(PDTT_RES_HOUR, t)) {
		struct pdtt_commit_row rows[3];
		struct pdtt_commit c = { .rows = rows, .boot_id = "fixture", .map_id = 1 };
		time_t tt = (time_t)t;
		struct tm lt;
		size_t n = 0;

		localtime_r(&tt, &lt);
		rows[n++] = row(1001, "alice", "eth0", 1000, 10, &cum[0]);
		if (lt.tm_wday >= 1 && lt.tm_wday <= 5)
			rows[n++] = row(1002, "bob", "eth0", 2000, 0, &cum[1]);
		if (lt.tm_mon == 9)
			rows[n++] = row(1003, "carol", "lo", 0, 500, &cum[2]);
		c.n_rows = n;
		/* one sample per hour: [t, next hour), attributed to that hour */
		c.span.start = t;
		c.span.end = pdtt_bucket_next(PDTT_RES_HOUR, t);
		if (pdtt_store_commit(&s, &c, err, sizeof(err))) {
			fprintf(stderr, "fixture: commit: %s\n", err);
			return 1;
		}
	}
	ret.samples = 7 * 86400LL;
	ret.hourly = 30 * 86400LL;
	ret.daily = 60 * 86400LL;
	cut = pdtt_retention_cutoffs(&ret, end);
	if (pdtt_store_prune(&s, &cut, err, sizeof(err))) {
		fprintf(stderr, "fixture: prune: %s\n", err);
		return 1;
	}
	pdtt_store_close(&s);
	printf("samples_from=%lld hourly_from=%lld daily_from=%lld\n", (long long)cut.samples,
	       (long long)cut.hourly, (long long)cut.daily);
	return 0;
}
