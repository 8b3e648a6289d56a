/* --from/--to times, --last durations, --month and --day: what parses is
 * well-ordered and round-trips through pdtt_format_time. */
#include "fuzz_common.h"
#include "window.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, err[512], shown[64];
	struct pdtt_duration d;
	struct pdtt_window w;
	int64_t t, back;

	fuzz_zone();
	s = fuzz_string(data, size);
	if (!s)
		return 0;
	for (int utc = 0; utc < 2; utc++) {
		err[0] = '\0';
		if (!pdtt_parse_time(s, FUZZ_NOW, utc, &t, err, sizeof(err))) {
			/* a time shows as text that means the same instant ('@N'
			 * beyond the calendar's years included) */
			pdtt_format_time(t, utc, shown, sizeof(shown));
			PROPERTY(!pdtt_parse_time(shown, FUZZ_NOW, utc, &back, err, sizeof(err)),
				 "'%s' -> %lld -> '%s' does not parse: %s", s, (long long)t, shown,
				 err);
			PROPERTY(back == t, "'%s' -> %lld -> '%s' -> %lld", s, (long long)t, shown,
				 (long long)back);
		} else {
			PROPERTY(one_line(err, sizeof(err)), "'%s': message '%s'", s, err);
		}
		err[0] = '\0';
		if (!pdtt_window_last(s, FUZZ_NOW, utc, &w, err, sizeof(err))) {
			PROPERTY(w.from < w.to && w.to == FUZZ_NOW, "--last '%s': [%lld, %lld)", s,
				 (long long)w.from, (long long)w.to);
			/* the start a report shows parses back */
			pdtt_format_time(w.from, utc, shown, sizeof(shown));
			PROPERTY(!pdtt_parse_time(shown, FUZZ_NOW, utc, &back, err, sizeof(err)) &&
					 back == w.from,
				 "--last '%s' starts at '%s', which does not parse back", s, shown);
		} else {
			PROPERTY(one_line(err, sizeof(err)), "--last '%s': message '%s'", s, err);
		}
		err[0] = '\0';
		if (!pdtt_window_month(s, utc, &w, err, sizeof(err))) {
			int64_t len = w.to - w.from;

			PROPERTY(len >= 28 * 86400 - 7200 && len <= 31 * 86400 + 7200,
				 "--month '%s': %lld s", s, (long long)len);
		} else {
			PROPERTY(one_line(err, sizeof(err)), "--month '%s': message '%s'", s, err);
		}
		err[0] = '\0';
		if (!pdtt_window_day(s, utc, &w, err, sizeof(err))) {
			int64_t len = w.to - w.from;

			/* 23 to 25 h at DST changes; 22 and 26 h in Troll; a whole day
			 * skipped (Samoa 2011) is none */
			PROPERTY(len >= 22 * 3600 && len <= 26 * 3600, "--day '%s': %lld s", s,
				 (long long)len);
		} else {
			PROPERTY(one_line(err, sizeof(err)), "--day '%s': message '%s'", s, err);
		}
	}
	err[0] = '\0';
	if (!pdtt_parse_duration(s, &d, err, sizeof(err))) {
		PROPERTY(d.count >= 1, "duration '%s': count %lld", s, (long long)d.count);
		for (int utc = 0; utc < 2; utc++)
			PROPERTY(pdtt_time_add(FUZZ_NOW, &d, -1, utc) < FUZZ_NOW &&
					 pdtt_time_add(FUZZ_NOW, &d, 1, utc) > FUZZ_NOW,
				 "duration '%s' does not move the time", s);
	}
	free(s);
	return 0;
}
