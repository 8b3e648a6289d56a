/* --retention specs: what parses keeps each resolution for whole hours (or
 * forever), and the cutoffs never make a coarser resolution give up what a
 * finer one still holds. */
#include "fuzz_common.h"
#include "retention.h"

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
	c = pdtt_retention_cutoffs(&r, FUZZ_NOW);
	PROPERTY(c.samples <= FUZZ_NOW && c.hourly <= FUZZ_NOW && c.daily <= FUZZ_NOW &&
			 c.monthly <= FUZZ_NOW,
		 "'%s': a cutoff in the future", s);
	free(s);
	return 0;
}
