/* Calendar arithmetic for rollups, retention and sample spans.
 * Buckets follow the process's local time zone (TZ), so hours, days and
 * months are the ones the admin sees on the wall clock; bucket starts are
 * UTC epoch seconds.  Pure apart from reading TZ. */
#ifndef PDTT_TIMEBUCKET_H
#define PDTT_TIMEBUCKET_H

#include <stddef.h>
#include <stdint.h>

enum pdtt_res {
	PDTT_RES_HOUR,
	PDTT_RES_DAY,
	PDTT_RES_MONTH,
};

/* Start of the local hour/day/month containing t. */
int64_t pdtt_bucket_start(enum pdtt_res r, int64_t t);
/* Start of the bucket that follows the one starting at start. */
int64_t pdtt_bucket_next(enum pdtt_res r, int64_t start);
/* Local label of the bucket starting at start: "2026-10-25T02:00+0200",
 * "2026-10-25" or "2026-10". Hours carry the UTC offset so the repeated
 * hour at a DST fold has two distinct labels. */
void pdtt_bucket_label(enum pdtt_res r, int64_t start, char *out, size_t len);

/* Wall-clock span of the next sample: from where the last committed sample
 * ended to now (the time dated_now gives: steps are weeded out before).  A
 * clock set back by an adopted step dates the sample [now - 1, now], never
 * ahead of the clock.  In the same second as the last one the span is empty
 * (end == start): commit nothing yet, the counts wait in the kernel for the
 * next interval. */
struct pdtt_span {
	int64_t start, end;
};
struct pdtt_span pdtt_plan_sample(int64_t last_end, int64_t wall_now);

#endif
