#include "zone.h"

#include <errno.h>
#include <fcntl.h>
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

void pdtt_zone_normalize(const struct pdtt_zone_env *env, const char *tz, char *out, size_t len)
{
	size_t n = strlen(env->zoneinfo);

	tz += tz[0] == ':';
	if (!strncmp(tz, env->zoneinfo, n) && tz[n] == '/')
		tz += n + 1;
	if (!strncmp(tz, "posix/", 6))
		tz += 6;
	snprintf(out, len, "%s", tz);
}

static bool is_utc(const char *z)
{
	static const char *const names[] = { "UTC",  "Etc/UTC",	 "UCT",	      "Etc/UCT",
					     "Zulu", "Etc/Zulu", "Universal", "Etc/Universal" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(z, names[i]))
			return true;
	return false;
}

/* A POSIX rule's '/' only follows a ','; a name has no digit or a '/'. */
static bool is_rule(const char *z)
{
	size_t head = strcspn(z, ",");

	return z[0] != '/' && !memchr(z, '/', head) && strpbrk(z, "0123456789");
}

static void zone_path(const struct pdtt_zone_env *env, const char *z, char *out, size_t len)
{
	if (z[0] == '/')
		snprintf(out, len, "%s", z);
	else
		snprintf(out, len, "%s/%s", env->zoneinfo, z);
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

int pdtt_zone_check(const struct pdtt_zone_env *env, const char *tz, char *err, size_t len)
{
	char name[512], path[1024];

	pdtt_zone_normalize(env, tz, name, sizeof(name));
	if (!name[0] || strstr(name, "..")) {
		snprintf(err, len, "time zone '%s': not a zone name", tz);
		return -1;
	}
	if (is_utc(name) || is_rule(name))
		return 0;
	zone_path(env, name, path, sizeof(path));
	if (is_zone_file(path))
		return 0;
	snprintf(err, len,
		 "time zone '%s': unknown (%s is not a zone file); use a name from %s (e.g. "
		 "Europe/Berlin), UTC, or a POSIX rule, and check that tzdata is installed",
		 tz, path, env->zoneinfo);
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
	char why[1024];

	if (!recorded || !recorded[0]) {
		tzset();
		return 0;
	}
	if (!pdtt_zone_apply(env, recorded, why, sizeof(why)))
		return 0;
	snprintf(err, len,
		 "database '%s': records the time zone '%s', which this machine cannot load; "
		 "install it (apt-get install tzdata), or read the database where it exists",
		 db_path, recorded);
	return -1;
}

/* The first zone1970.tab zone whose file is the same as path. */
static void name_by_bytes(const struct pdtt_zone_env *env, const char *path, char *out, size_t len)
{
	char tab[1024], line[1024], zpath[1024];
	FILE *f;

	snprintf(tab, sizeof(tab), "%s/zone1970.tab", env->zoneinfo);
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

void pdtt_zone_system(const struct pdtt_zone_env *env, char *out, size_t len)
{
	const char *tz = getenv("TZ"), *z;
	char link[1024], path[1024];
	struct stat sb;
	size_t n = 0;
	ssize_t r;
	char *name;

	out[0] = '\0';
	if (tz && *tz) {
		pdtt_zone_normalize(env, tz, out, len);
		return;
	}
	if (lstat(env->localtime, &sb))
		goto utc; /* glibc's zone without /etc/localtime */
	r = readlink(env->localtime, link, sizeof(link) - 1);
	if (r > 0) {
		link[r] = '\0';
		n = strlen(env->zoneinfo);
		if (!strncmp(link, env->zoneinfo, n) && link[n] == '/')
			pdtt_zone_normalize(env, link, out, len);
		else if ((z = strstr(link, "zoneinfo/"))) /* ../usr/share/zoneinfo/X */
			pdtt_zone_normalize(env, z + strlen("zoneinfo/"), out, len);
		return;
	}
	/* A copied file: Debian's /etc/timezone if it names the same zone. */
	name = slurp(env->timezone, &n);
	if (name) {
		name[strcspn(name, " \t\n")] = '\0';
		zone_path(env, name, path, sizeof(path));
		if (name[0] && !strstr(name, "..") && same_bytes(env->localtime, path))
			pdtt_zone_normalize(env, name, out, len);
		free(name);
		if (out[0])
			return;
	}
	name_by_bytes(env, env->localtime, out, len);
	return;
utc:
	snprintf(out, len, "UTC");
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
