/* audit --period: a calendar period starts before it ends, its label parses
 * back to the same period, and the one before it ends where it starts. */
#include "fuzz_common.h"
#include "quota.h"
#include "window.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), err[512], label[32];
	struct pdtt_window w = { 0, 0 }, back, before;
	enum pdtt_per per = PDTT_PER_MONTH, per2;
	bool any = false, any2;

	fuzz_zone();
	if (!s)
		return 0;
	err[0] = '\0';
	if (pdtt_period_parse(s, FUZZ_NOW, &any, &per, &w, err, sizeof(err))) {
		PROPERTY(one_line(err, sizeof(err)), "'%s': message '%s'", s, err);
		free(s);
		return 0;
	}
	if (!any) {
		PROPERTY(w.from < w.to, "'%s': [%lld, %lld)", s, (long long)w.from,
			 (long long)w.to);
		pdtt_period_label(per, w.from, label, sizeof(label));
		PROPERTY(!pdtt_period_parse(label, FUZZ_NOW, &any2, &per2, &back, err,
					    sizeof(err)) &&
				 !any2 && per2 == per && back.from == w.from && back.to == w.to,
			 "'%s' -> '%s' is not the same period", s, label);
		before = pdtt_period_before(per, &w);
		PROPERTY(before.to == w.from && before.from < before.to,
			 "'%s': the period before is [%lld, %lld)", s, (long long)before.from,
			 (long long)before.to);
		back = pdtt_period_of(per, w.from);
		PROPERTY(back.from == w.from && back.to == w.to,
			 "'%s': the period of its start is another one", s);
	}
	free(s);
	return 0;
}
