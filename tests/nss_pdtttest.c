/* A test NSS source for passwd (tests/integration/names.sh): the names are
 * lines "name:uid" in $PDTT_TEST_NSS_DIR/passwd, read at every lookup so a
 * test can add a user later; $PDTT_TEST_NSS_DIR/delay holds milliseconds
 * each lookup takes (a slow LDAP server); each lookup appends "UID" to
 * $PDTT_TEST_NSS_DIR/calls as it starts and "UID found" or "UID missing"
 * as it answers.  Loaded by glibc as libnss_pdtttest.so.2 when
 * nsswitch.conf says "passwd: files pdtttest". */
#include <errno.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum nss_status _nss_pdtttest_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
					 int *errnop);

static FILE *open_in_dir(const char *name, const char *mode)
{
	const char *dir = getenv("PDTT_TEST_NSS_DIR");
	char path[4096];

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, mode);
}

static enum nss_status answer(uid_t uid, enum nss_status st)
{
	FILE *f = open_in_dir("calls", "ae");

	if (f) {
		fprintf(f, "%u %s\n", (unsigned)uid,
			st == NSS_STATUS_SUCCESS ? "found" : "missing");
		fclose(f);
	}
	return st;
}

enum nss_status _nss_pdtttest_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
					 int *errnop)
{
	char line[256];
	long delay = 0;
	FILE *f = open_in_dir("calls", "ae");

	if (f) {
		fprintf(f, "%u\n", (unsigned)uid);
		fclose(f);
	}
	f = open_in_dir("delay", "re");
	if (f) {
		if (fscanf(f, "%ld", &delay) != 1)
			delay = 0;
		fclose(f);
	}
	if (delay > 0)
		nanosleep(&(struct timespec){ delay / 1000, (delay % 1000) * 1000000L }, NULL);
	f = open_in_dir("passwd", "re");
	if (!f)
		return answer(uid, NSS_STATUS_NOTFOUND);
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		size_t n;

		if (!colon || strtoul(colon + 1, NULL, 10) != uid)
			continue;
		n = (size_t)(colon - line);
		fclose(f);
		if (n + 3 > len) {
			*errnop = ERANGE;
			return answer(uid, NSS_STATUS_TRYAGAIN);
		}
		memcpy(buf, line, n);
		buf[n] = '\0';
		buf[n + 1] = '\0'; /* password, gecos, dir and shell: "" */
		pw->pw_name = buf;
		pw->pw_passwd = buf + n + 1;
		pw->pw_uid = uid;
		pw->pw_gid = uid;
		pw->pw_gecos = buf + n + 1;
		pw->pw_dir = buf + n + 1;
		pw->pw_shell = buf + n + 1;
		return answer(uid, NSS_STATUS_SUCCESS);
	}
	fclose(f);
	return answer(uid, NSS_STATUS_NOTFOUND);
}
