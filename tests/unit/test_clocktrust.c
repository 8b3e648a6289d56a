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

static void steady_and_slewing(void **state)
{
	struct pdtt_clock c = { 0 };
	int64_t drift = 0;

	(void)state;
	assert_int_equal(at(&c, 0, 0).now, REAL0 / S);
	/* NTP slews by up to 0.5 ms/s: 3 hours of 10-second ticks, 15 ms each */
	for (int64_t b = 10 * S; b < 3 * 3600 * S; b += 10 * S) {
		struct pdtt_clock_reading r;

		drift += 15;
		r = at(&c, b, drift);
		assert_int_equal(r.event, PDTT_CLOCK_STEADY);
		assert_int_equal(r.now, (REAL0 + b + drift) / S);
	}
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
		cmocka_unit_test(steady_and_slewing),
		cmocka_unit_test(jump_ahead_and_back_leaves_no_trace),
		cmocka_unit_test(a_step_that_holds_is_adopted),
		cmocka_unit_test(a_changing_step_restarts_the_wait),
		cmocka_unit_test(suspend_is_not_a_step),
		cmocka_unit_test(negative_times_round_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
