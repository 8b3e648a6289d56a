/* A scratch directory for the tests on real database files: made before
 * each test, removed after it, the database path inside it, the zone set. */
#ifndef PDTT_TEST_SCRATCH_DB_H
#define PDTT_TEST_SCRATCH_DB_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static char dir[64], path[128];

/* name: "/tmp/NAME.XXXXXX"; file: the database's path below it; tz: TZ. */
static void scratch_db_make(const char *name, const char *file, const char *tz)
{
	snprintf(dir, sizeof(dir), "/tmp/%s.XXXXXX", name);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	setenv("TZ", tz, 1);
	tzset();
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

#endif
