/* The daemon's name cache: the retry schedule, and the lookup thread
 * against this machine's own NSS (uid 0 is root everywhere; uid
 * 4000000000 is nobody's).  HANG_UID's lookup hangs until the test lets it
 * go (getpwuid_r below takes the place of glibc's in this program). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "names.h"

#define HANG_UID 4242u

static sem_t hang_entered, hang_release, hang_left;

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
	static int (*real)(uid_t, struct passwd *, char *, size_t, struct passwd **);

	if (uid == HANG_UID) {
		sem_post(&hang_entered);
		while (sem_wait(&hang_release) && errno == EINTR)
			;
		sem_post(&hang_left);
		*res = NULL;
		return 0; /* no such user */
	}
	if (!real)
		real = (int (*)(uid_t, struct passwd *, char *, size_t, struct passwd **))dlsym(
			RTLD_NEXT, "getpwuid_r");
	return real(uid, pw, buf, len, res);
}

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000L + (b->tv_nsec - a->tv_nsec) / 1000000L;
}

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
	struct pdtt_names *n;
	struct pdtt_name_change *c;
	char name[PDTT_NAME_MAX];
	size_t k;

	(void)state;
	assert_int_equal(pdtt_names_start(&n), 0);
	pdtt_names_get(n, 0, name, sizeof(name)); /* asks; never waits */
	pdtt_names_get(n, 4000000000u, name, sizeof(name));
	pdtt_names_settle(n, 5000);
	pdtt_names_get(n, 0, name, sizeof(name));
	assert_string_equal(name, "root");
	pdtt_names_get(n, 4000000000u, name, sizeof(name));
	assert_string_equal(name, "");
	/* the name that appeared is handed back once, and again if not stored */
	k = pdtt_names_take_changed(n, &c);
	assert_int_equal(k, 1);
	assert_int_equal(c[0].uid, 0);
	assert_string_equal(c[0].name, "root");
	pdtt_names_untake(n, c, k);
	free(c);
	k = pdtt_names_take_changed(n, &c);
	assert_int_equal(k, 1);
	free(c);
	assert_int_equal(pdtt_names_take_changed(n, &c), 0);
	assert_null(c);
	pdtt_names_stop(&n);
	assert_null(n);
	pdtt_names_stop(&n); /* twice is harmless */
}

/* A lookup that hangs past the stop: the stop returns after its 2 s and
 * the thread, once the lookup ends, frees the cache itself (under ASan a
 * stop that freed it, or a thread that then read the caller's memory,
 * fails here; a stop that waited for the lookup never returns). */
static void a_hung_lookup_does_not_hold_the_stop(void **state)
{
	struct pdtt_names *n;
	char name[PDTT_NAME_MAX];
	struct timespec a, b;

	(void)state;
	assert_int_equal(pdtt_names_start(&n), 0);
	pdtt_names_get(n, HANG_UID, name, sizeof(name));
	while (sem_wait(&hang_entered) && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pdtt_names_settle(n, 50); /* waits its 50 ms for the hung lookup, and returns */
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(ms_between(&a, &b) >= 45);
	pdtt_names_get(n, 0, name, sizeof(name)); /* queued behind it */
	clock_gettime(CLOCK_MONOTONIC, &a);
	pdtt_names_stop(&n);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_null(n);
	/* it did wait its 2 s for the lookup */
	assert_true(ms_between(&a, &b) >= 1900);
	sem_post(&hang_release);
	while (sem_wait(&hang_left) && errno == EINTR)
		;
	/* the thread now ends on its own and frees the cache; give it the
	 * time to do so before the program (and ASan's leak check) ends */
	nanosleep(&(struct timespec){ 0, 300L * 1000L * 1000L }, NULL);
}

/* The stop of an idle thread is at once: it is woken, not timed out. */
static void an_idle_stop_is_prompt(void **state)
{
	struct pdtt_names *n;
	struct timespec a, b;

	(void)state;
	assert_int_equal(pdtt_names_start(&n), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	pdtt_names_stop(&n);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(ms_between(&a, &b) < 1000);
	pdtt_names_settle(NULL, 10); /* no cache: nothing to do */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(retries_back_off),
		cmocka_unit_test(names_come_from_the_thread),
		cmocka_unit_test(a_hung_lookup_does_not_hold_the_stop),
		cmocka_unit_test(an_idle_stop_is_prompt),
	};

	sem_init(&hang_entered, 0, 0);
	sem_init(&hang_release, 0, 0);
	sem_init(&hang_left, 0, 0);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
