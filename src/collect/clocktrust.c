#include "clocktrust.h"

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static int64_t seconds(int64_t ms)
{
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

void pdtt_clock_anchor(struct pdtt_clock *c, int64_t wall_ms, int64_t boot_ms)
{
	c->anchored = true;
	c->wall_ms = wall_ms;
	c->boot_ms = boot_ms;
	c->stepping = false;
}

struct pdtt_clock_reading pdtt_clock_read(struct pdtt_clock *c, int64_t wall_ms, int64_t boot_ms)
{
	struct pdtt_clock_reading r = { seconds(wall_ms), wall_ms, PDTT_CLOCK_STEADY, 0, false };
	int64_t expected, off;

	if (!c->anchored) {
		pdtt_clock_anchor(c, wall_ms, boot_ms);
		return r;
	}
	expected = c->wall_ms + (boot_ms - c->boot_ms);
	off = wall_ms - expected;
	if (abs64(off) <= PDTT_CLOCK_TOLERANCE_MS) {
		if (c->stepping) {
			r.event = PDTT_CLOCK_STEP_GONE;
			r.step_ms = c->step_ms;
			/* back within the tolerance of the old anchor: keep it */
			c->stepping = false;
		}
		return r;
	}
	if (c->stepping && abs64(off - c->step_ms) <= PDTT_CLOCK_TOLERANCE_MS) {
		r.step_ms = c->step_ms;
		if (boot_ms - c->step_boot_ms >= PDTT_CLOCK_ADOPT_MS) {
			r.event = PDTT_CLOCK_STEP_ADOPTED;
			pdtt_clock_anchor(c, wall_ms, boot_ms);
			return r;
		}
		r.event = PDTT_CLOCK_STEPPING;
	} else {
		/* A new step, or one that changed: watched from now. */
		c->stepping = true;
		c->step_ms = off;
		c->step_boot_ms = boot_ms;
		r.event = PDTT_CLOCK_STEP_SEEN;
		r.step_ms = off;
	}
	r.now = seconds(expected);
	r.now_ms = expected;
	r.hold = c->step_ms < 0;
	return r;
}

int64_t pdtt_prune_reference(int64_t now, int64_t base, int64_t base_boot_ms, int64_t boot_ms)
{
	int64_t bound = base + (boot_ms - base_boot_ms) / 1000;

	return now < bound ? now : bound;
}
