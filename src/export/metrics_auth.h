/* --metrics-auth FILE: the USER:PASSWORD lines HTTP basic auth checks. */
#ifndef PDTT_METRICS_AUTH_H
#define PDTT_METRICS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pdtt_metrics_auth {
	char **cred; /* "user:password", as the lines give them */
	size_t n;
};

/* Parses the file's text: one USER:PASSWORD per line (the password may
 * hold ':'), blank lines and lines starting with '#' skipped.  A line
 * without ':', an empty user or password, a user given twice or no line at
 * all is refused with "NAME:LINE: why" in err.  0 or -1. */
int pdtt_metrics_auth_parse(const char *text, const char *name, struct pdtt_metrics_auth *a,
			    char *err, size_t errlen);

/* Whether user and password match a line; the time taken depends only on
 * the lines, not on how much of a guess is right. */
bool pdtt_metrics_auth_check(const struct pdtt_metrics_auth *a, const char *user,
			     const char *password);

/* Reads and parses FILE, refused unless only its owner may read it (no
 * group or other bits) and that owner is root or may_own (the --user
 * account; (uid_t)-1: none).  0, or PDTT_EXIT_USAGE with a message. */
int pdtt_metrics_auth_load(const char *path, uid_t may_own, struct pdtt_metrics_auth *a, char *err,
			   size_t errlen);

void pdtt_metrics_auth_free(struct pdtt_metrics_auth *a);

#endif
