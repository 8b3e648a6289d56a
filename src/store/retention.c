#include "retention.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timebucket.h"

struct pdtt_retention pdtt_retention_default(void)
{
	struct pdtt_retention r = {
		.samples = 7 * 86400LL,
		.hourly = 90 * 86400LL,
		.daily = 3LL * 365 * 86400,
		.monthly = PDTT_FOREVER,
	};
	return r;
}

static int parse_duration(const char *v, size_t len, int64_t *out)
{
	char buf[32], *end;
	long long n;
	int64_t unit;

	if (len == 7 && !strncmp(v, "forever", 7)) {
		*out = PDTT_FOREVER;
		return 0;
	}
	if (len < 2 || len >= sizeof(buf))
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	switch (buf[len - 1]) {
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7LL * 86400;
		break;
	case 'm':
		unit = 30LL * 86400;
		break;
	case 'y':
		unit = 365LL * 86400;
		break;
	default:
		return -1;
	}
	buf[len - 1] = '\0';
	if (strspn(buf, "0123456789") != len - 1)
		return -1;
	errno = 0;
	n = strtoll(buf, &end, 10);
	if (errno || *end || n <= 0 || n > 1000LL * 365 * 86400 / unit)
		return -1;
	*out = n * unit;
	return 0;
}

int pdtt_retention_parse(const char *spec, struct pdtt_retention *r, char *err, size_t errlen)
{
	static const char *const names[] = { "samples", "hourly", "daily", "monthly" };
	struct pdtt_retention out = *r;
	int64_t *fields[] = { &out.samples, &out.hourly, &out.daily, &out.monthly };
	const char *p = spec;

	if (!*spec) {
		snprintf(
			err, errlen,
			"retention '': empty; e.g. samples=7d,hourly=90d,daily=3y,monthly=forever");
		return -1;
	}
	while (*p) {
		const char *comma = strchr(p, ','), *eq;
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int i;

		eq = memchr(p, '=', len);
		for (i = 0; eq && i < 4; i++)
			if ((size_t)(eq - p) == strlen(names[i]) &&
			    !strncmp(p, names[i], (size_t)(eq - p)))
				break;
		if (!eq || i == 4) {
			snprintf(err, errlen,
				 "retention '%.*s': unknown resolution; use samples, hourly, daily "
				 "or monthly",
				 (int)len, p);
			return -1;
		}
		if (parse_duration(eq + 1, len - (size_t)(eq + 1 - p), fields[i])) {
			snprintf(err, errlen,
				 "retention '%.*s': not a duration; use e.g. 36h, 7d, 8w, 18m, 3y "
				 "or forever",
				 (int)len, p);
			return -1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	/* Each coarser resolution must outlive the finer one: the rows of a
	 * period are otherwise in neither or in two of them (usage_finest). */
	for (int i = 0; i < 3; i++) {
		int64_t a = *fields[i], b = *fields[i + 1];

		if (b != PDTT_FOREVER && (a == PDTT_FOREVER || a > b)) {
			snprintf(err, errlen,
				 "retention '%s': %s would be kept longer than %s; keep samples <= "
				 "hourly "
				 "<= daily <= monthly",
				 spec, names[i], names[i + 1]);
			return -1;
		}
	}
	*r = out;
	return 0;
}

static int64_t cutoff(int64_t keep, int64_t now, enum pdtt_res align)
{
	if (keep == PDTT_FOREVER)
		return INT64_MIN;
	return pdtt_bucket_start(align, now - keep);
}

struct pdtt_cutoffs pdtt_retention_cutoffs(const struct pdtt_retention *r, int64_t now)
{
	struct pdtt_cutoffs c = {
		.samples = cutoff(r->samples, now, PDTT_RES_HOUR),
		.hourly = cutoff(r->hourly, now, PDTT_RES_DAY),
		.daily = cutoff(r->daily, now, PDTT_RES_MONTH),
		.monthly = cutoff(r->monthly, now, PDTT_RES_MONTH),
	};
	return c;
}
