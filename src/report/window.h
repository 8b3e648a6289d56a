/* Report windows: parsing --from/--to/--last/--month/--day, week and group
 * buckets, and the plan of which stored resolution serves which part of a
 * window.  Pure: "now" is a parameter and nothing is read but TZ.
 *
 * Times are UTC epoch seconds.  Calendar fields are read and shown in the
 * process's local time zone (TZ), or in UTC when a function's utc flag is
 * set.  The database's rollups are always buckets of the process's local
 * zone, which must be the daemon's (--tz); so the planner aligns to local
 * buckets even for --utc and says so when that matters.
 *
 * Errors are one line, "<what>: <why>; <hint>", written to err; the caller
 * prefixes "pdtt: ". */
#ifndef PDTT_WINDOW_H
#define PDTT_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* [from, to), UTC epoch seconds. */
struct pdtt_window {
	int64_t from, to;
};

/* A point in time for --from/--to:
 *   2026-10-03                    start of that day (a day whose midnight
 *                                 is skipped starts at the first instant
 *                                 that exists, e.g. 01:00 in Santiago)
 *   2026-10-03T14:00[:05]         also with a space instead of the T
 *   ...Z, ...+02:00, ...+0200, ...-05   explicit offset (date-times only)
 *   now, today, yesterday         now; start of today; start of yesterday
 *   -7d, +1d, -12h, -30m, -2w     relative to now (within the years 1900 to 9999)
 *   @1793487600                   epoch seconds (what pdtt_format_time shows
 *                                 beyond the calendar's years)
 * Fields are checked strictly (month 1-12, day within the month, hour 0-23,
 * minute and second 0-59, years 1900-9999, nothing trailing).
 *
 * Local time unless utc is set or an offset is given.  A local time that
 * clocks skip (02:30 on a spring-forward day) is an error; one that happens
 * twice (02:30 on a fall-back day) means the first occurrence, still in
 * summer time.  Relative days and weeks are calendar days: the same clock
 * time that many days away, so -1d across a DST change is 23 or 25 hours;
 * if that clock time is skipped, the result is moved forward by the length
 * of the skip (02:30 becomes 03:30), and a repeated one is its first
 * occurrence.  Minutes and hours are exact.  0 or -1 with err. */
int pdtt_parse_time(const char *s, int64_t now, bool utc, int64_t *out, char *err, size_t errlen);

enum pdtt_unit {
	PDTT_UNIT_MINUTE,
	PDTT_UNIT_HOUR,
	PDTT_UNIT_DAY,
	PDTT_UNIT_WEEK,
};

/* "30m", "12h", "7d", "2w": a count from 1 up to 200 years' worth. */
struct pdtt_duration {
	int64_t count;
	enum pdtt_unit unit;
};
int pdtt_parse_duration(const char *s, struct pdtt_duration *d, char *err, size_t errlen);

/* t moved by sign * d (sign is 1 or -1), by the calendar rules above. */
int64_t pdtt_time_add(int64_t t, const struct pdtt_duration *d, int sign, bool utc);

/* --last 30d: [now - 30 calendar days, now). */
int pdtt_window_last(const char *dur, int64_t now, bool utc, struct pdtt_window *w, char *err,
		     size_t errlen);
/* --month 2026-10: [Oct 1 00:00, Nov 1 00:00). */
int pdtt_window_month(const char *yyyy_mm, bool utc, struct pdtt_window *w, char *err,
		      size_t errlen);
/* --day 2026-10-25: that whole day (23 to 25 hours where DST changes, 22 to 26 in Troll). */
int pdtt_window_day(const char *yyyy_mm_dd, bool utc, struct pdtt_window *w, char *err,
		    size_t errlen);
/* The month containing now: the window when none is given. */
struct pdtt_window pdtt_window_current_month(int64_t now, bool utc);
/* 0, or -1 with "empty window: --to is not after --from ..." */
int pdtt_window_check(const struct pdtt_window *w, bool utc, char *err, size_t errlen);

/* "2026-10-03T14:00+0200", with ":SS" only when the seconds are not zero;
 * "+0000" for utc.  Accepted back by pdtt_parse_time.  Outside years 1 to
 * 9999 (INT64_MIN ...) "@<epoch seconds>". */
void pdtt_format_time(int64_t t, bool utc, char *out, size_t len);

/* --by: how the report groups rows. */
enum pdtt_by {
	PDTT_BY_TOTAL,
	PDTT_BY_HOUR,
	PDTT_BY_DAY,
	PDTT_BY_WEEK,
	PDTT_BY_MONTH,
};

/* ISO 8601 weeks: start of the Monday (00:00, or the day's first instant)
 * of t's week, and its label "2026-W44" (the ISO week-numbering year, so
 * 2026-12-28 is in 2026-W53 and 2027-01-01 too). */
int64_t pdtt_week_start(int64_t t, bool utc);
void pdtt_week_label(int64_t start, bool utc, char *out, size_t len);

/* Group buckets for by != PDTT_BY_TOTAL, in local time or UTC: start of the
 * group containing t, start of the next one, and the label ("2026-10-25T02:00+0200",
 * "2026-10-25", "2026-W44", "2026-10").  For PDTT_BY_TOTAL start returns t,
 * next INT64_MAX and the label is "total". */
int64_t pdtt_group_start(enum pdtt_by by, int64_t t, bool utc);
int64_t pdtt_group_next(enum pdtt_by by, int64_t start, bool utc);
void pdtt_group_label(enum pdtt_by by, int64_t start, bool utc, char *out, size_t len);

/* What the database still holds: data of a resolution exists at or after
 * its cutoff (INT64_MIN: never pruned).  Cutoffs are local bucket
 * boundaries (samples_from an hour, hourly_from a day, daily_from and
 * monthly_from a month) and samples_from >= hourly_from >= daily_from >=
 * monthly_from; see retention.h. */
struct pdtt_coverage {
	int64_t samples_from, hourly_from, daily_from, monthly_from;
	/* What the history holds: from its first commit's start to its last
	 * commit's end; both -1 when nothing was ever committed, history_to 0
	 * when it is not known (no note then). */
	int64_t history_from, history_to;
	/* The present: a history that ends less than an hour before it (a
	 * daemon that is running) is not said to end early.  0: not given. */
	int64_t now;
};

/* Finest first. */
enum pdtt_source {
	PDTT_SRC_SAMPLES,
	PDTT_SRC_HOUR,
	PDTT_SRC_DAY,
	PDTT_SRC_MONTH,
};

/* A part of the window read from one resolution.  Rollup segments start
 * and end on that resolution's local bucket boundaries. */
struct pdtt_segment {
	enum pdtt_source src;
	int64_t from, to;
};

enum pdtt_note_kind {
	/* The window's from (to) fell inside a bucket that only src still
	 * holds; it moved down (up) from was to is.  until: where finer data
	 * starts. */
	PDTT_NOTE_FROM_WIDENED,
	PDTT_NOTE_TO_WIDENED,
	/* --by asks for finer groups than segment [from, to) of src has. */
	PDTT_NOTE_COARSER_THAN_BY,
	/* --utc groups over [from, to), whose src buckets are local ones that
	 * do not line up with UTC ones. */
	PDTT_NOTE_LOCAL_BUCKETS,
	/* [from, to) of the window lies before monthly_from (until): nothing
	 * is kept there. */
	PDTT_NOTE_NO_DATA,
	/* The window reaches before the first commit (from) or after the last
	 * one (to): the history holds [from, to) only.  Both -1: no commit. */
	PDTT_NOTE_OUTSIDE_HISTORY,
};

struct pdtt_note {
	enum pdtt_note_kind kind;
	enum pdtt_source src;
	int64_t was, is, until; /* widened notes; until also for no data */
	int64_t from, to;	/* the part of the window a note is about */
};

#define PDTT_PLAN_MAX_NOTES 8

/* Segments in time order, contiguous, tiling window except its part before
 * monthly_from (a PDTT_NOTE_NO_DATA note); no segments when all of it is. */
struct pdtt_plan {
	struct pdtt_window asked, window; /* as given; widened to whole buckets */
	enum pdtt_by by;
	bool utc; /* how notes show times */
	int nsegments, nnotes;
	struct pdtt_segment segment[4];
	struct pdtt_note note[PDTT_PLAN_MAX_NOTES];
};

/* Plans w over c: each part is read from the finest resolution still kept
 * there, and a from or to inside a bucket only a rollup still holds is
 * widened outwards to that bucket's boundary, with a note.  Splits fall on
 * the cutoffs.  -1 with err for an empty window or a coverage that breaks
 * the invariants above (e.g. a database written in another time zone). */
int pdtt_plan_window(const struct pdtt_window *w, const struct pdtt_coverage *c, enum pdtt_by by,
		     bool utc, struct pdtt_plan *p, char *err, size_t errlen);

/* One line per note, no newline: e.g. "from widened to 2026-10-03T00:00+0200
 * (asked 2026-10-03T14:25+0200): only daily totals are kept before 2026-11-01". */
void pdtt_note_describe(const struct pdtt_plan *p, const struct pdtt_note *n, char *out,
			size_t len);
/* All notes, each ending in a newline; returns how many. */
int pdtt_plan_describe(const struct pdtt_plan *p, char *out, size_t len);

#endif
