/* Table sizing and idle reads: the default follows the possible CPUs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "table.h"

static void cost_grows_with_cpus(void **state)
{
	(void)state;
	/* 65536 entries x (2 x 32 + 16 + 72) bytes + 65536 x 16 of buckets */
	assert_int_equal(pdtt_table_cost(65536, 2), 65536ull * 152 + 65536ull * 16);
	/* buckets round up to a power of two */
	assert_int_equal(pdtt_table_cost(5000, 1), 5000ull * 120 + 8192ull * 16);
	assert_true(pdtt_table_cost(65536, 128) > 256ull << 20);
}

static void default_fits_the_budget(void **state)
{
	(void)state;
	assert_int_equal(pdtt_table_default_entries(2), 65536);
	assert_int_equal(pdtt_table_default_entries(64), 30720);
	assert_int_equal(pdtt_table_default_entries(128), 15360); /* about 64 MiB, not 256 */
	for (int cpus = 1; cpus <= 8192; cpus *= 2) {
		unsigned n = pdtt_table_default_entries(cpus);

		assert_int_equal(n % 1024, 0);
		assert_true(n >= PDTT_TABLE_MIN_DEFAULT && n <= PDTT_TABLE_MAX_DEFAULT);
		/* the largest that fits, unless held by a bound */
		if (n > PDTT_TABLE_MIN_DEFAULT)
			assert_true(pdtt_table_cost(n, cpus) <= PDTT_TABLE_BUDGET);
		if (n < PDTT_TABLE_MAX_DEFAULT)
			assert_true(pdtt_table_cost(n + 1024, cpus) > PDTT_TABLE_BUDGET);
	}
	assert_int_equal(pdtt_table_default_entries(8192), PDTT_TABLE_MIN_DEFAULT);
}

static void idle_reads_round_up(void **state)
{
	(void)state;
	assert_int_equal(pdtt_idle_reads(3600, 10), 360);
	assert_int_equal(pdtt_idle_reads(31, 10), 4);
	assert_int_equal(pdtt_idle_reads(30, 10), 3);
	assert_int_equal(pdtt_idle_reads(0, 10), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cost_grows_with_cpus),
		cmocka_unit_test(default_fits_the_budget),
		cmocka_unit_test(idle_reads_round_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
