/* Which wall time rows are dated with, under steps of the wall clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clocktrust.h"

#define S 1000LL
#define DAY (86400 * S)
#define REAL0 (1796000000LL * S) /* the real present, in ms */

/* One tick: the boot clock at boot, the wall clock at real + skew. */
static struct pdtt_clock_reading at(struct pdtt_clock *c, int64_t boot, int64_t skew)
{
	return pdtt_clock_read(c, REAL0 + boot + skew, boot);
}

static void steady_and_creeping(void **state)
{
	struct pdtt_clock c = { 0 };
	struct pdtt_clock_reading r;

	(void)state;
	assert_int_equal(at(&c, 0, 0).now, REAL0 / S);
	/* NTP slews both clocks alike: three hours of 10-second ticks, steady */
	for (int64_t b = 10 * S; b < 3 * 3600 * S; b += 10 * S) {
		r = at(&c, b, 0);
		assert_int_equal(r.event, PDTT_CLOCK_STEADY);
		assert_int_equal(r.now, (REAL0 + b) / S);
		assert_false(r.hold);
	}
	/* Steps under the tolerance that creep add up and are caught. */
	c = (struct pdtt_clock){ 0 };
	at(&c, 0, 0);
	assert_int_equal(at(&c, 10 * S, 1500).event, PDTT_CLOCK_STEADY);
	r = at(&c, 20 * S, 3000);
	assert_int_equal(r.event, PDTT_CLOCK_STEP_SEEN);
	assert_int_equal(r.now, (REAL0 + 20 * S) / S);
}

static void jump_ahead_and_back_leaves_no_trace(void **state)
{
	struct pdtt_clock c = { 0 };
	struct pdtt_clock_reading r;

	(void)state;
	at(&c, 0, 0);
	r = at(&c, 1 * S, 400 * DAY);
	assert_int_equal(r.event, PDTT_CLOCK_STEP_SEEN);
	assert_true(r.step_ms == 400 * DAY);
	assert_int_equal(r.now, (REAL0 + 1 * S) / S); /* the real present */
	for (int64_t b = 2 * S; b <= 5 * S; b += S) {
		r = at(&c, b, 400 * DAY);
		assert_int_equal(r.event, PDTT_CLOCK_STEPPING);
		assert_int_equal(r.now, (REAL0 + b) / S);
	}
	r = at(&c, 6 * S, 0);
	assert_int_equal(r.event, PDTT_CLOCK_STEP_GONE);
	assert_int_equal(r.now, (REAL0 + 6 * S) / S);
	assert_int_equal(at(&c, 7 * S, 0).event, PDTT_CLOCK_STEADY);
}

static void a_step_that_holds_is_adopted(void **state)
{
	struct pdtt_clock c = { 0 };
	struct pdtt_clock_reading r;
	int64_t b;

	(void)state;
	at(&c, 0, 0);
	assert_int_equal(at(&c, 10 * S, -3600 * S).event, PDTT_CLOCK_STEP_SEEN);
	for (b = 20 * S; b < 10 * S + PDTT_CLOCK_ADOPT_MS; b += 10 * S) {
		r = at(&c, b, -3600 * S);
		assert_int_equal(r.event, PDTT_CLOCK_STEPPING);
		assert_int_equal(r.now, (REAL0 + b) / S);
	}
	r = at(&c, b, -3600 * S);
	assert_int_equal(r.event, PDTT_CLOCK_STEP_ADOPTED);
	assert_true(r.step_ms == -3600 * S);
	assert_int_equal(r.now, (REAL0 + b - 3600 * S) / S);
	r = at(&c, b + 10 * S, -3600 * S);
	assert_int_equal(r.event, PDTT_CLOCK_STEADY);
	assert_int_equal(r.now, (REAL0 + b + 10 * S - 3600 * S) / S);
}

static void a_step_back_holds_commits(void **state)
{
	struct pdtt_clock c = { 0 };
	struct pdtt_clock_reading r;

	(void)state;
	at(&c, 0, 0);
	r = at(&c, 10 * S, -7200 * S);
	assert_int_equal(r.event, PDTT_CLOCK_STEP_SEEN);
	assert_true(r.hold);
	assert_true(at(&c, 40 * S, -7200 * S).hold);
	r = at(&c, 70 * S, -7200 * S);
	assert_int_equal(r.event, PDTT_CLOCK_STEP_ADOPTED);
	assert_false(r.hold);
	/* a step ahead is dated around, not held */
	assert_false(at(&c, 80 * S, -7200 * S + DAY).hold);
}

static void prune_never_outruns_the_boot_clock(void **state)
{
	(void)state;
	/* last commit at 1000 s, found at boottime 5 s; now 20 s of boot later */
	assert_int_equal(pdtt_prune_reference(1020, 1000, 5 * S, 25 * S), 1020);
	/* the clock 400 days ahead after a reboot: the history has seen 20 s */
	assert_int_equal(pdtt_prune_reference(1000 + 400 * 86400, 1000, 5 * S, 25 * S), 1020);
	/* a clock behind: now */
	assert_int_equal(pdtt_prune_reference(900, 1000, 5 * S, 25 * S), 900);
}

static void a_changing_step_restarts_the_wait(void **state)
{
	struct pdtt_clock c = { 0 };

	(void)state;
	at(&c, 0, 0);
	assert_int_equal(at(&c, 10 * S, DAY).event, PDTT_CLOCK_STEP_SEEN);
	assert_int_equal(at(&c, 50 * S, 2 * DAY).event, PDTT_CLOCK_STEP_SEEN);
	/* 60 s after the first step, but only 20 s after the second one */
	assert_int_equal(at(&c, 70 * S, 2 * DAY).event, PDTT_CLOCK_STEPPING);
	assert_int_equal(at(&c, 110 * S, 2 * DAY).event, PDTT_CLOCK_STEP_ADOPTED);
}

static void suspend_is_not_a_step(void **state)
{
	struct pdtt_clock c = { 0 };

	(void)state;
	at(&c, 0, 0);
	/* CLOCK_BOOTTIME counts the 8 hours suspended, as the wall clock does */
	assert_int_equal(at(&c, 8 * 3600 * S, 0).event, PDTT_CLOCK_STEADY);
	assert_int_equal(at(&c, 8 * 3600 * S + 10 * S, 0).now, (REAL0 + 8 * 3600 * S + 10 * S) / S);
}

static void negative_times_round_down(void **state)
{
	struct pdtt_clock c = { 0 };

	(void)state;
	assert_int_equal(pdtt_clock_read(&c, -1500, 0).now, -2);
	assert_int_equal(pdtt_clock_read(&c, -500, 1000).now, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(steady_and_creeping),
		cmocka_unit_test(jump_ahead_and_back_leaves_no_trace),
		cmocka_unit_test(a_step_that_holds_is_adopted),
		cmocka_unit_test(a_changing_step_restarts_the_wait),
		cmocka_unit_test(a_step_back_holds_commits),
		cmocka_unit_test(prune_never_outruns_the_boot_clock),
		cmocka_unit_test(suspend_is_not_a_step),
		cmocka_unit_test(negative_times_round_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
