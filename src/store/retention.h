/* Retention policy: how long each resolution is kept.  Pure. */
#ifndef PDTT_RETENTION_H
#define PDTT_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#define PDTT_FOREVER 0

/* Seconds to keep each resolution; PDTT_FOREVER keeps it for good. */
struct pdtt_retention {
	int64_t samples, hourly, daily, monthly;
};

/* Defaults: samples 7 days, hourly 90 days, daily 3 years, monthly forever. */
struct pdtt_retention pdtt_retention_default(void);

/* Parses "samples=7d,hourly=90d,daily=3y,monthly=forever" (any subset, over
 * the defaults in *r).  Units: h, d, w, m (30 days), y (365 days), or
 * "forever".  0 or -1 with a message in err. */
int pdtt_retention_parse(const char *spec, struct pdtt_retention *r, char *err, size_t errlen);

/* Rows older than these are deleted.  Each cutoff is aligned down to a
 * bucket boundary of the next coarser resolution, so a coarser bucket is
 * either fully covered by the finer one or not at all; INT64_MIN means keep
 * everything. */
struct pdtt_cutoffs {
	int64_t samples; /* delete samples with period_end <= this */
	int64_t hourly;	 /* delete hour buckets starting before this */
	int64_t daily;
	int64_t monthly;
};
struct pdtt_cutoffs pdtt_retention_cutoffs(const struct pdtt_retention *r, int64_t now);

#endif
