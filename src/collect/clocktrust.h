/* Which wall-clock time rows are dated with.  The wall clock can step (an
 * NTP step, a bad RTC, 'date -s'); CLOCK_BOOTTIME cannot, and it counts
 * suspend, so a resume is not a step.  While the wall clock disagrees with
 * the last trusted wall time plus the boottime elapsed since, rows are
 * dated by that extrapolation; a step that holds for PDTT_CLOCK_ADOPT_MS is
 * adopted, one that reverts earlier leaves no trace.  Pure: the caller
 * passes both clocks in milliseconds. */
#ifndef PDTT_CLOCKTRUST_H
#define PDTT_CLOCKTRUST_H

#include <stdbool.h>
#include <stdint.h>

/* Disagreement below this is rounding and NTP slewing, not a step. */
#define PDTT_CLOCK_TOLERANCE_MS 2000
/* A step that holds this long is a correction, not a glitch. */
#define PDTT_CLOCK_ADOPT_MS 60000

struct pdtt_clock {
	int64_t wall_ms, boot_ms; /* trusted wall time at boottime boot_ms */
	int64_t step_ms;	  /* wall minus extrapolation when first seen */
	int64_t step_boot_ms;	  /* boottime when first seen */
	bool anchored;
	bool stepping; /* a step is being watched */
};

enum pdtt_clock_event {
	PDTT_CLOCK_STEADY,	 /* the wall clock is trusted */
	PDTT_CLOCK_STEP_SEEN,	 /* a new step: dated by extrapolation */
	PDTT_CLOCK_STEPPING,	 /* the step still holds, not yet adopted */
	PDTT_CLOCK_STEP_GONE,	 /* the wall clock agrees again */
	PDTT_CLOCK_STEP_ADOPTED, /* held long enough: the wall clock is trusted again */
};

struct pdtt_clock_reading {
	int64_t now;	/* seconds to date with */
	int64_t now_ms; /* the same in milliseconds */
	enum pdtt_clock_event event;
	int64_t step_ms; /* the step (wall minus extrapolation), when there is one */
	/* A step back is being watched: commit nothing yet.  Rows dated by the
	 * old clock would be ahead of the clock if the step is adopted; the
	 * counts wait in the kernel until it is adopted or gone. */
	bool hold;
};

/* Anchors at a trusted wall time (a start, or the last commit of this boot). */
void pdtt_clock_anchor(struct pdtt_clock *c, int64_t wall_ms, int64_t boot_ms);
/* Reads both clocks' values now and says what to date with.  The anchor
 * moves only when a step is gone or adopted: NTP's slewing moves the wall
 * clock and CLOCK_BOOTTIME together, so small steps that creep add up and
 * are caught. */
struct pdtt_clock_reading pdtt_clock_read(struct pdtt_clock *c, int64_t wall_ms, int64_t boot_ms);

/* The time retention prunes against: now, but never more than the boot
 * time elapsed past base (the last commit's end as the start found it, at
 * boottime base_boot_ms).  A clock far ahead after a reboot, or a wrong
 * step that was adopted, then prunes nothing within retention of the time
 * the history has seen pass; a long downtime only makes pruning late. */
int64_t pdtt_prune_reference(int64_t now, int64_t base, int64_t base_boot_ms, int64_t boot_ms);

#endif
