/* Shared by the libFuzzer targets: the input as a C string, the zone the
 * calendar properties are checked in, and a property failure that stops
 * the fuzzer with the input saved (abort: libFuzzer writes crash-*). */
#ifndef PDTT_FUZZ_COMMON_H
#define PDTT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROPERTY(cond, ...)                                              \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "property failed: %s: ", #cond); \
			fprintf(stderr, __VA_ARGS__);                    \
			fputc('\n', stderr);                             \
			abort();                                         \
		}                                                        \
	} while (0)

/* The input without NULs, NUL-terminated; NULL when too long to matter. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 4096)
		return NULL;
	s = malloc(size + 1);
	if (!s)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* One fixed "now" and a zone with DST (and a Troll-like oddity is covered by
 * the unit tests): Europe/Berlin unless PDTT_FUZZ_TZ says otherwise. */
static inline void fuzz_zone(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	setenv("TZ", getenv("PDTT_FUZZ_TZ") ? getenv("PDTT_FUZZ_TZ") : "Europe/Berlin", 1);
	tzset();
}

#define FUZZ_NOW 1793487600 /* 2026-11-01 00:00 CET */

#include "errmsg.h"

/* A message that prints as one line: not empty, NUL-terminated within len,
 * and without a line break once pdtt_say has made it one line. */
static inline int one_line(const char *err, size_t len)
{
	char copy[4096];

	if (!err[0] || !memchr(err, '\0', len))
		return 0;
	snprintf(copy, sizeof(copy), "%s", err);
	pdtt_one_line(copy);
	return !strchr(copy, '\n') && !strchr(copy, '\r');
}

#endif
