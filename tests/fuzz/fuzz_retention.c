/* --retention specs: what parses keeps each resolution for whole hours (or
 * forever), and the cutoffs never make a coarser resolution give up what a
 * finer one still holds. */
#include "fuzz_common.h"
#include "retention.h"
#include "timebucket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), err[512];
	struct pdtt_retention r = pdtt_retention_default(), again;
	struct pdtt_cutoffs c;
	const int64_t *keep = &r.samples;

	fuzz_zone();
	if (!s)
		return 0;
	err[0] = '\0';
	if (pdtt_retention_parse(s, &r, err, sizeof(err))) {
		PROPERTY(one_line(err, sizeof(err)), "'%s': message '%s'", s, err);
		free(s);
		return 0;
	}
	for (int i = 0; i < 4; i++)
		PROPERTY(keep[i] == PDTT_FOREVER || (keep[i] > 0 && keep[i] % 3600 == 0),
			 "'%s': resolution %d kept %lld s", s, i, (long long)keep[i]);
	/* the same spec over the result changes nothing */
	again = r;
	PROPERTY(!pdtt_retention_parse(s, &again, err, sizeof(err)) &&
			 !memcmp(&again, &r, sizeof(r)),
		 "'%s' does not parse the same twice", s);
	/* a coarser resolution keeps at least as long as a finer one */
	for (int i = 0; i < 3; i++)
		PROPERTY(keep[i + 1] == PDTT_FOREVER ||
				 (keep[i] != PDTT_FOREVER && keep[i] <= keep[i + 1]),
			 "'%s': resolution %d kept %lld s, the coarser %d only %lld s", s, i,
			 (long long)keep[i], i + 1, (long long)keep[i + 1]);
	c = pdtt_retention_cutoffs(&r, FUZZ_NOW);
	PROPERTY(c.samples <= FUZZ_NOW && c.hourly <= FUZZ_NOW && c.daily <= FUZZ_NOW &&
			 c.monthly <= FUZZ_NOW,
		 "'%s': a cutoff in the future", s);
	/* ... so it never gives up what a finer one still holds, and each cutoff
	 * is a bucket start of the next coarser resolution */
	PROPERTY(c.samples >= c.hourly && c.hourly >= c.daily && c.daily >= c.monthly,
		 "'%s': cutoffs out of order", s);
	PROPERTY(c.samples == INT64_MIN || pdtt_bucket_start(PDTT_RES_HOUR, c.samples) == c.samples,
		 "'%s': samples cut inside an hour", s);
	PROPERTY(c.hourly == INT64_MIN || pdtt_bucket_start(PDTT_RES_DAY, c.hourly) == c.hourly,
		 "'%s': hours cut inside a day", s);
	PROPERTY(c.daily == INT64_MIN || pdtt_bucket_start(PDTT_RES_MONTH, c.daily) == c.daily,
		 "'%s': days cut inside a month", s);
	free(s);
	return 0;
}
