#include "zone.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const struct pdtt_zone_env pdtt_zone_host = {
	.zoneinfo = "/usr/share/zoneinfo",
	.localtime = "/etc/localtime",
	.timezone = "/etc/timezone",
};

/* Zone files are a few KB; anything larger is not one. */
#define ZONE_FILE_MAX (1 << 20)
/* What meta.timezone holds at most (and TZ names are far shorter). */
#define ZONE_NAME_MAX 255

/* glibc looks in $TZDIR when it is set (NixOS, Guix): so does the host. */
static const char *zoneinfo(const struct pdtt_zone_env *env)
{
	const char *dir = env == &pdtt_zone_host ? getenv("TZDIR") : NULL;

	return dir && *dir ? dir : env->zoneinfo;
}

static void zone_path(const struct pdtt_zone_env *env, const char *z, char *out, size_t len)
{
	if (z[0] == '/')
		snprintf(out, len, "%s", z);
	else
		snprintf(out, len, "%s/%s", zoneinfo(env), z);
}

static bool is_utc(const char *z)
{
	/* the zones whose days are UTC's, whatever their abbreviation */
	static const char *const names[] = {
		"UTC",	     "Etc/UTC",	      "UCT",   "Etc/UCT",   "Zulu",	 "Etc/Zulu",
		"Universal", "Etc/Universal", "GMT",   "Etc/GMT",   "GMT0",	 "Etc/GMT0",
		"GMT+0",     "Etc/GMT+0",     "GMT-0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(z, names[i]))
			return true;
	return false;
}

/* A POSIX rule as glibc parses one: a name of three or more letters (or
 * <...>), then an offset.  "5" or "123" would be cut in UTC without a word. */
static bool is_rule(const char *z)
{
	const char *p = z;

	if (*p == '<') {
		const char *end = strchr(p, '>');

		if (!end || end - p < 4)
			return false;
		p = end + 1;
	} else {
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			p++;
		if (p - z < 3)
			return false;
	}
	if (*p == '+' || *p == '-')
		p++;
	return *p >= '0' && *p <= '9' && !memchr(z, '/', strcspn(z, ","));
}

/* The whole of a regular file of at most ZONE_FILE_MAX bytes; NULL if not. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > ZONE_FILE_MAX)
		goto out;
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf)
		goto out;
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != (size_t)sb.st_size) {
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[got] = '\0';
	*len = got;
out:
	close(fd);
	return buf;
}

static bool is_zone_file(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat sb;
	bool ok;

	if (fd < 0)
		return false;
	ok = !fstat(fd, &sb) && S_ISREG(sb.st_mode) && read(fd, magic, 4) == 4 &&
	     !memcmp(magic, "TZif", 4);
	close(fd);
	return ok;
}

static bool same_bytes(const char *p, const char *q)
{
	size_t lp = 0, lq = 0;
	char *a = slurp(p, &lp), *b = a ? slurp(q, &lq) : NULL;
	bool same = a && b && lp == lq && lp >= 4 && !memcmp(a, "TZif", 4) && !memcmp(a, b, lp);

	free(a);
	free(b);
	return same;
}

/* The first zone1970.tab zone whose file is the same as path. */
static void name_by_bytes(const struct pdtt_zone_env *env, const char *path, char *out, size_t len)
{
	char tab[1024], line[1024], zpath[1024];
	FILE *f;

	snprintf(tab, sizeof(tab), "%s/zone1970.tab", zoneinfo(env));
	f = fopen(tab, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *cc, *coord, *zone, *save = NULL;

		if (line[0] == '#')
			continue;
		cc = strtok_r(line, "\t\n", &save);
		coord = cc ? strtok_r(NULL, "\t\n", &save) : NULL;
		zone = coord ? strtok_r(NULL, "\t\n", &save) : NULL;
		if (!zone || strstr(zone, ".."))
			continue;
		zone_path(env, zone, zpath, sizeof(zpath));
		if (same_bytes(path, zpath)) {
			snprintf(out, len, "%s", zone);
			break;
		}
	}
	fclose(f);
}

/* The name of a zone file's path: where it lies under zoneinfo once every
 * link is resolved (chains, relative links), else the zone1970.tab zone
 * with the same bytes; "" when neither. */
static void name_of_path(const struct pdtt_zone_env *env, const char *path, char *out, size_t len)
{
	char real[PATH_MAX], dir[PATH_MAX];
	size_t n;

	out[0] = '\0';
	if (!realpath(path, real) || !is_zone_file(real))
		return;
	if (realpath(zoneinfo(env), dir)) {
		n = strlen(dir);
		if (!strncmp(real, dir, n) && real[n] == '/') {
			pdtt_zone_normalize(env, real + n + 1, out, len);
			return;
		}
	}
	name_by_bytes(env, real, out, len);
}

void pdtt_zone_normalize(const struct pdtt_zone_env *env, const char *tz, char *out, size_t len)
{
	const char *dir = zoneinfo(env);
	size_t n = strlen(dir);

	tz += tz[0] == ':';
	if (!strncmp(tz, dir, n) && tz[n] == '/')
		tz += n + 1;
	else if (tz[0] == '/') { /* /etc/localtime, a link or a copy: by its file */
		name_of_path(env, tz, out, len);
		if (out[0])
			return;
	}
	if (!strncmp(tz, "posix/", 6))
		tz += 6;
	snprintf(out, len, "%s", tz);
}

/* Why name (normalized) is no zone glibc can load, into why; 0 if it is. */
static int why_not(const struct pdtt_zone_env *env, const char *name, char *why, size_t len)
{
	char path[1024];

	if (!name[0] || strstr(name, "..")) {
		snprintf(why, len, "not a zone name");
		return -1;
	}
	if (is_utc(name) || is_rule(name))
		return 0;
	if (name[0] == '/') {
		snprintf(why, len, "a file that matches no zone under %s", zoneinfo(env));
		return -1;
	}
	zone_path(env, name, path, sizeof(path));
	if (is_zone_file(path))
		return 0;
	snprintf(why, len, "%s is not a zone file", path);
	return -1;
}

int pdtt_zone_check(const struct pdtt_zone_env *env, const char *tz, char *err, size_t len)
{
	char name[ZONE_NAME_MAX + 1], why[1100];

	if (strlen(tz) > ZONE_NAME_MAX) {
		snprintf(err, len, "time zone '%.32s...': longer than %d characters", tz,
			 ZONE_NAME_MAX);
		return -1;
	}
	pdtt_zone_normalize(env, tz, name, sizeof(name));
	if (!why_not(env, name, why, sizeof(why)))
		return 0;
	snprintf(err, len,
		 "time zone '%s': unknown (%s); use a name from %s (e.g. Europe/Berlin), UTC, or "
		 "a POSIX rule, and check that tzdata is installed",
		 tz, why, zoneinfo(env));
	return -1;
}

int pdtt_zone_apply(const struct pdtt_zone_env *env, const char *tz, char *err, size_t len)
{
	if (pdtt_zone_check(env, tz, err, len))
		return -1;
	setenv("TZ", tz, 1);
	tzset();
	return 0;
}

int pdtt_zone_use_recorded(const struct pdtt_zone_env *env, const char *recorded,
			   const char *db_path, char *err, size_t len)
{
	char why[1100];

	if (!recorded || !recorded[0]) {
		/* none recorded: what the daemon then used, the system's zone */
		unsetenv("TZ");
		tzset();
		return 0;
	}
	if (!why_not(env, recorded, why, sizeof(why))) {
		setenv("TZ", recorded, 1);
		tzset();
		return 0;
	}
	snprintf(err, len,
		 "database '%s': records the time zone '%s', which this machine cannot load "
		 "(%s); install it (apt-get install tzdata), or read the database where it exists",
		 db_path, recorded, why);
	return -1;
}

/* Follows the links from path one at a time; the first target that lies
 * in dir (a real path) and is a zone file gives the name below dir. */
static void link_name(const char *dir, const char *path, char *out, size_t len)
{
	char cur[PATH_MAX], link[PATH_MAX], parent[PATH_MAX], abs[2 * PATH_MAX];
	size_t n = strlen(dir);

	snprintf(cur, sizeof(cur), "%s", path);
	for (int hop = 0; hop < 8; hop++) {
		ssize_t r = readlink(cur, link, sizeof(link) - 1);
		char *slash;

		if (r <= 0)
			return;
		link[r] = '\0';
		if (link[0] == '/') {
			snprintf(abs, sizeof(abs), "%s", link);
		} else {
			snprintf(parent, sizeof(parent), "%s", cur);
			slash = strrchr(parent, '/');
			if (slash)
				*slash = '\0';
			snprintf(abs, sizeof(abs), "%s/%s", slash ? parent : ".", link);
		}
		/* the directories resolved, the last name kept as the link gives it */
		slash = strrchr(abs, '/');
		if (!slash)
			return;
		*slash = '\0';
		if (!realpath(abs[0] ? abs : "/", parent))
			return;
		snprintf(cur, sizeof(cur), "%.*s/%s", PATH_MAX / 2, parent, slash + 1);
		if (!strncmp(cur, dir, n) && cur[n] == '/' && is_zone_file(cur)) {
			snprintf(out, len, "%s", cur + n + 1);
			if (!strncmp(out, "posix/", 6))
				memmove(out, out + 6, strlen(out + 6) + 1);
			return;
		}
	}
}

void pdtt_zone_system(const struct pdtt_zone_env *env, char *out, size_t len)
{
	const char *tz = getenv("TZ");
	char real[PATH_MAX], dir[PATH_MAX], path[1024];
	struct stat sb;
	size_t n = 0;
	char *name;

	out[0] = '\0';
	if (tz) {
		/* TZ="" is UTC to glibc; a path no zone matches cannot be named */
		if (!*tz || !strcmp(tz, ":"))
			snprintf(out, len, "UTC");
		else
			pdtt_zone_normalize(env, tz, out, len);
		if (out[0] == '/')
			out[0] = '\0';
		return;
	}
	/* glibc cuts in UTC without /etc/localtime, or with a dangling link */
	if (lstat(env->localtime, &sb) || !realpath(env->localtime, real)) {
		snprintf(out, len, "UTC");
		return;
	}
	/* a link (a chain, a relative one) into zoneinfo: the name it gives
	 * there (US/Eastern stays US/Eastern), else where it ends up */
	if (realpath(zoneinfo(env), dir)) {
		link_name(dir, env->localtime, out, len);
		if (out[0])
			return;
		n = strlen(dir);
		if (!strncmp(real, dir, n) && real[n] == '/' && is_zone_file(real)) {
			pdtt_zone_normalize(env, real + n + 1, out, len);
			return;
		}
	}
	/* A copied file: Debian's /etc/timezone if it names the same zone. */
	name = slurp(env->timezone, &n);
	if (name) {
		name[strcspn(name, " \t\n")] = '\0';
		zone_path(env, name, path, sizeof(path));
		if (name[0] && name[0] != '/' && !strstr(name, "..") && same_bytes(real, path))
			pdtt_zone_normalize(env, name, out, len);
		free(name);
		if (out[0])
			return;
	}
	name_by_bytes(env, real, out, len);
}

bool pdtt_zone_same(const struct pdtt_zone_env *env, const char *a, const char *b)
{
	char na[512], nb[512], pa[1024], pb[1024];

	pdtt_zone_normalize(env, a, na, sizeof(na));
	pdtt_zone_normalize(env, b, nb, sizeof(nb));
	if (!strcmp(na, nb) || (is_utc(na) && is_utc(nb)))
		return true;
	if (!na[0] || !nb[0] || is_rule(na) || is_rule(nb) || strstr(na, "..") || strstr(nb, ".."))
		return false;
	zone_path(env, na, pa, sizeof(pa));
	zone_path(env, nb, pb, sizeof(pb));
	return same_bytes(pa, pb);
}
