/* Label values and password files from any bytes: an escaped label is valid
 * UTF-8 with no raw newline and no unescaped quote (a user name must never
 * break a scrape); every line the auth file accepts checks, a changed
 * password does not; the exposition of any name stays well formed. */
#include "fuzz_common.h"
#include "metrics_auth.h"
#include "metrics_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Valid UTF-8, checked here independently of metrics_format.c: lead bytes,
 * continuation bytes, the shortest form, no surrogates, at most U+10FFFF. */
static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, min, cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c < 0xe0)
			need = 1, min = 0x80, cp = c & 0x1f;
		else if (c >= 0xe0 && c < 0xf0)
			need = 2, min = 0x800, cp = c & 0x0f;
		else if (c >= 0xf0 && c < 0xf5)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		for (unsigned k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
			return 0;
		i += need + 1;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), err[512];
	struct pdtt_metrics_auth a;
	struct pdtt_buf b;

	if (!s)
		return 0;
	pdtt_buf_init(&b);
	pdtt_metrics_label(&b, s);
	if (b.p) {
		PROPERTY(valid_utf8((const unsigned char *)b.p, b.len), "'%s' -> not UTF-8", s);
		PROPERTY(!memchr(b.p, '\n', b.len), "'%s' -> a raw newline", s);
		for (size_t i = 0; i < b.len; i++)
			if (b.p[i] == '\\')
				i++; /* an escape and what it escapes */
			else
				PROPERTY(b.p[i] != '"', "'%s' -> an unescaped quote", s);
	}
	pdtt_buf_free(&b);

	/* the exposition with the input as a user name: one info line per user */
	{
		struct pdtt_metrics_user u = { .uid = 1 };
		struct pdtt_metrics_health h = { .version = "v" };
		struct pdtt_metrics_view v = { .users = &u, .n_users = 1, .health = &h };
		size_t lines = 0;

		snprintf(u.name, sizeof(u.name), "%s", s);
		pdtt_buf_init(&b);
		pdtt_metrics_render(&b, &v, PDTT_METRICS_OPENMETRICS);
		for (size_t i = 0; b.p && i < b.len; i++)
			lines += b.p[i] == '\n';
		PROPERTY(b.p && !strcmp(b.p + b.len - 6, "# EOF\n"), "no # EOF for '%s'", s);
		pdtt_buf_free(&b);
		pdtt_buf_init(&b);
		u.name[0] = '\0';
		pdtt_metrics_render(&b, &v, PDTT_METRICS_OPENMETRICS);
		for (size_t i = 0; b.p && i < b.len; i++)
			lines -= b.p[i] == '\n';
		PROPERTY(lines == (s[0] ? 1 : 0), "'%s': %zu more lines than no name", s, lines);
		pdtt_buf_free(&b);
	}

	if (!pdtt_metrics_auth_parse(s, "F", &a, err, sizeof(err))) {
		for (size_t i = 0; i < a.n; i++) {
			char *c = strdup(a.cred[i]), *colon = c ? strchr(c, ':') : NULL;
			size_t plen;

			if (!colon) {
				free(c);
				continue;
			}
			*colon = '\0';
			plen = strlen(colon + 1);
			PROPERTY(pdtt_metrics_auth_check(&a, c, colon + 1), "line %zu refused", i);
			/* one bit of the password's last byte: a user has one line */
			colon[plen] ^= 1;
			PROPERTY(!pdtt_metrics_auth_check(&a, c, colon + 1),
				 "line %zu: a changed password passed", i);
			free(c);
		}
		pdtt_metrics_auth_free(&a);
	} else {
		PROPERTY(err[0] == 'F' && !strchr(err, '\n'), "message '%s'", err);
	}
	free(s);
	return 0;
}
