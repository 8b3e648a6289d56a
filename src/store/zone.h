/* Time zones by name: the one a database records, the system's, and
 * whether two names are one zone.  A database's hours, days and months are
 * cut in the zone it records (README, Time zone), so every command that
 * buckets loads that zone here, and a zone glibc cannot load is an error
 * rather than glibc's silent fall-back to UTC. */
#ifndef PDTT_ZONE_H
#define PDTT_ZONE_H

#include <stdbool.h>
#include <stddef.h>

/* Where the zone files and the system's zone settings are; tests point
 * them into a temporary tree. */
struct pdtt_zone_env {
	const char *zoneinfo;  /* /usr/share/zoneinfo */
	const char *localtime; /* /etc/localtime */
	const char *timezone;  /* /etc/timezone (Debian's name for it) */
};

extern const struct pdtt_zone_env pdtt_zone_host;

/* The name as it is recorded: TZ's leading ':' and a zoneinfo path
 * prefix ("/usr/share/zoneinfo/", "posix/") dropped. */
void pdtt_zone_normalize(const struct pdtt_zone_env *env, const char *tz, char *out, size_t len);

/* 0 when glibc can load tz: a name with a file under zoneinfo, an absolute
 * path to a zone file, UTC, or a POSIX rule (CET-1CEST,M3.5.0,M10.5.0/3).
 * Otherwise -1 and why in err. */
int pdtt_zone_check(const struct pdtt_zone_env *env, const char *tz, char *err, size_t len);

/* Checks tz and makes it this process's zone (TZ, tzset). */
int pdtt_zone_apply(const struct pdtt_zone_env *env, const char *tz, char *err, size_t len);

/* Makes the zone a database records (recorded; "" for none: the system's)
 * this process's zone.  -1 with a one-line message naming db_path when this
 * machine cannot load it: cutting in UTC instead would put rows in the
 * wrong days. */
int pdtt_zone_use_recorded(const struct pdtt_zone_env *env, const char *recorded,
			   const char *db_path, char *err, size_t len);

/* The system's zone by name: $TZ, else what /etc/localtime links to, else
 * (a copied file, as containers have) /etc/timezone or the zone1970.tab
 * zone whose file has the same bytes; "" when it cannot be named. */
void pdtt_zone_system(const struct pdtt_zone_env *env, char *out, size_t len);

/* Whether a and b are one zone: the same name, UTC under any of its names,
 * or names of zone files with the same bytes (US/Eastern and
 * America/New_York, posix/Europe/Berlin and Europe/Berlin). */
bool pdtt_zone_same(const struct pdtt_zone_env *env, const char *a, const char *b);

#endif
