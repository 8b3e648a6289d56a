/* Quota limits: what parses is 1 to 2^63 - 1 bytes, and parses back to
 * itself when written as bytes, in an exact IEC unit, or (to within the
 * one decimal shown) as pdtt_format_iec prints it. */
#include <inttypes.h>

#include "fuzz_common.h"
#include "quota.h"
#include "report_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t must_parse(const char *orig, const char *text)
{
	char err[512];
	uint64_t v = 0;

	PROPERTY(!pdtt_parse_limit(text, &v, err, sizeof(err)), "'%s' as '%s': %s", orig, text,
		 err);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const iec[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	char *s = fuzz_string(data, size), err[512], text[64];
	uint64_t v = 0, unit = 1024;

	if (!s)
		return 0;
	err[0] = '\0';
	if (pdtt_parse_limit(s, &v, err, sizeof(err))) {
		PROPERTY(one_line(err, sizeof(err)), "'%s': message '%s'", s, err);
		free(s);
		return 0;
	}
	PROPERTY(v >= 1 && v <= INT64_MAX, "'%s' -> %" PRIu64, s, v);
	snprintf(text, sizeof(text), "%" PRIu64, v);
	PROPERTY(must_parse(s, text) == v, "'%s' -> %" PRIu64 " -> '%s'", s, v, text);
	snprintf(text, sizeof(text), "%" PRIu64 "B", v);
	PROPERTY(must_parse(s, text) == v, "'%s' -> %" PRIu64 " -> '%s'", s, v, text);
	for (int i = 0; i < 6 && v % unit == 0; i++, unit *= 1024) {
		snprintf(text, sizeof(text), "%" PRIu64 "%s", v / unit, iec[i]);
		PROPERTY(must_parse(s, text) == v, "'%s' -> %" PRIu64 " -> '%s'", s, v, text);
		if (i == 5)
			break;
	}
	/* "1.5 KiB": one decimal, so within 5 % (the space is the table's) */
	pdtt_format_iec(v, text, sizeof(text));
	{
		char *sp = strchr(text, ' ');
		uint64_t back;
		double rel;

		if (sp)
			memmove(sp, sp + 1, strlen(sp));
		/* just below 2^63 it shows as 8.0 EiB, which is past the maximum */
		if (v > (uint64_t)INT64_MAX / 100 * 95) {
			free(s);
			return 0;
		}
		back = must_parse(s, text);
		rel = ((double)back - (double)v) / (double)v;
		PROPERTY(rel > -0.051 && rel < 0.051, "'%s' -> %" PRIu64 " -> '%s' -> %" PRIu64, s,
			 v, text, back);
	}
	free(s);
	return 0;
}
