/* --metrics-auth: the credentials are read once, as root, before the
 * daemon drops its privileges; the file must be as private as a password. */
#include "metrics_auth.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_file.h"
#include "pdtt_exit.h"

void pdtt_metrics_auth_free(struct pdtt_metrics_auth *a)
{
	for (size_t i = 0; i < a->n; i++) {
		/* the passwords do not outlive their use in freed memory */
		memset(a->cred[i], 0, strlen(a->cred[i]));
		free(a->cred[i]);
	}
	free(a->cred);
	a->cred = NULL;
	a->n = 0;
}

int pdtt_metrics_auth_parse(const char *text, const char *name, struct pdtt_metrics_auth *a,
			    char *err, size_t errlen)
{
	const char *p = text;
	unsigned lineno = 0;

	a->cred = NULL;
	a->n = 0;
	while (*p) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p), *colon;
		size_t len;
		char **grown;

		lineno++;
		len = (size_t)(end - p);
		if (len && p[len - 1] == '\r')
			len--;
		colon = memchr(p, ':', len);
		if (len && *p != '#') {
			if (!colon || colon == p || colon == p + len - 1) {
				snprintf(err, errlen,
					 "%s:%u: not a USER:PASSWORD line (both non-empty); e.g. "
					 "prometheus:s3cret",
					 name, lineno);
				goto fail;
			}
			for (size_t i = 0; i < a->n; i++)
				if (!strncmp(a->cred[i], p, (size_t)(colon - p) + 1)) {
					snprintf(err, errlen,
						 "%s:%u: user '%.*s' given twice; keep one line",
						 name, lineno, (int)(colon - p), p);
					goto fail;
				}
			grown = realloc(a->cred, (a->n + 1) * sizeof(*grown));
			if (!grown || !(grown[a->n] = strndup(p, len))) {
				if (grown)
					a->cred = grown;
				snprintf(err, errlen, "%s: out of memory", name);
				goto fail;
			}
			a->cred = grown;
			a->n++;
		}
		p = nl ? nl + 1 : end;
	}
	if (!a->n) {
		snprintf(err, errlen, "%s: no USER:PASSWORD line; e.g. prometheus:s3cret", name);
		return -1;
	}
	return 0;
fail:
	pdtt_metrics_auth_free(a);
	return -1;
}

/* Equal in time that depends on the stored line's length only. */
static bool same(const char *stored, const char *given, size_t glen)
{
	size_t slen = strlen(stored);
	unsigned char diff = slen != glen;

	for (size_t i = 0; i < slen; i++)
		diff |= (unsigned char)stored[i] ^ (unsigned char)(i < glen ? given[i] : 0);
	return !diff;
}

bool pdtt_metrics_auth_check(const struct pdtt_metrics_auth *a, const char *user,
			     const char *password)
{
	size_t ulen, plen;
	char *given;
	bool ok = false;

	if (!user || !password)
		return false;
	ulen = strlen(user);
	plen = strlen(password);
	if (memchr(user, ':', ulen) || !(given = malloc(ulen + plen + 2)))
		return false;
	memcpy(given, user, ulen);
	given[ulen] = ':';
	memcpy(given + ulen + 1, password, plen + 1);
	for (size_t i = 0; i < a->n; i++)
		ok |= same(a->cred[i], given, ulen + plen + 1);
	memset(given, 0, ulen + plen + 1);
	free(given);
	return ok;
}

int pdtt_metrics_auth_load(const char *path, uid_t may_own, struct pdtt_metrics_auth *a, char *err,
			   size_t errlen)
{
	struct stat st;
	char *text;
	char why[512];
	int rc = pdtt_text_file_read(path, "metrics-auth", "a text file of USER:PASSWORD lines",
				     &text, &st, err, errlen);

	if (rc)
		return rc;
	if (st.st_mode & 077) {
		snprintf(err, errlen,
			 "metrics-auth '%s': mode %04o lets others read the passwords; chmod 600 "
			 "it",
			 path, (unsigned)(st.st_mode & 07777));
		rc = PDTT_EXIT_USAGE;
	} else if (st.st_uid != 0 && st.st_uid != may_own) {
		snprintf(err, errlen,
			 "metrics-auth '%s': owned by uid %ld, who could change the passwords; "
			 "chown it to root",
			 path, (long)st.st_uid);
		rc = PDTT_EXIT_USAGE;
	} else if (pdtt_metrics_auth_parse(text, path, a, why, sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		rc = PDTT_EXIT_USAGE;
	}
	memset(text, 0, strlen(text));
	free(text);
	return rc;
}
