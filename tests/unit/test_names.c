/* The daemon's name cache: the retry schedule, and the lookup thread
 * against this machine's own NSS (uid 0 is root everywhere; uid
 * 4000000000 is nobody's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "names.h"

static void retries_back_off(void **state)
{
	(void)state;
	assert_int_equal(pdtt_name_retry_ms(true, 0), 3600 * 1000);
	assert_int_equal(pdtt_name_retry_ms(false, 1), 5000);
	assert_int_equal(pdtt_name_retry_ms(false, 2), 10000);
	assert_int_equal(pdtt_name_retry_ms(false, 3), 20000);
	assert_int_equal(pdtt_name_retry_ms(false, 8), 600000); /* capped at 10 min */
	assert_int_equal(pdtt_name_retry_ms(false, 4000000000u), 600000);
}

static void names_come_from_the_thread(void **state)
{
	struct pdtt_names n;
	struct pdtt_name_change *c;
	char name[PDTT_NAME_MAX];
	size_t k;

	(void)state;
	assert_int_equal(pdtt_names_start(&n), 0);
	pdtt_names_get(&n, 0, name, sizeof(name)); /* asks; never waits */
	pdtt_names_get(&n, 4000000000u, name, sizeof(name));
	pdtt_names_settle(&n, 5000);
	pdtt_names_get(&n, 0, name, sizeof(name));
	assert_string_equal(name, "root");
	pdtt_names_get(&n, 4000000000u, name, sizeof(name));
	assert_string_equal(name, "");
	/* the name that appeared is handed back once, and again if not stored */
	k = pdtt_names_take_changed(&n, &c);
	assert_int_equal(k, 1);
	assert_int_equal(c[0].uid, 0);
	assert_string_equal(c[0].name, "root");
	pdtt_names_untake(&n, c, k);
	free(c);
	k = pdtt_names_take_changed(&n, &c);
	assert_int_equal(k, 1);
	free(c);
	assert_int_equal(pdtt_names_take_changed(&n, &c), 0);
	assert_null(c);
	pdtt_names_stop(&n);
	pdtt_names_stop(&n); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(retries_back_off),
		cmocka_unit_test(names_come_from_the_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
