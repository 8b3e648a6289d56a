/* --config FILE: reading the file (the parsing is cli.c's, pure). */
#ifndef PDTT_CONFIG_FILE_H
#define PDTT_CONFIG_FILE_H

#include <stddef.h>

#define PDTT_CONFIG_MAX (1u << 20) /* far above any real file; a mistake otherwise */

/* Reads FILE whole into a malloc'd, NUL-terminated *text.  Returns 0, or
 * PDTT_EXIT_USAGE after a one-line message (not found, not a regular file,
 * too large, binary). */
int pdtt_config_read(const char *path, char **text);

/* For the commands that only need paths from the file (stop, check, report,
 * quota, audit): reads and checks FILE, and copies its database into db
 * (empty with no-db = yes) and its pin directory into pin (either may be
 * NULL).  Returns 0 or PDTT_EXIT_USAGE after a one-line message. */
int pdtt_config_paths(const char *path, char *db, size_t dblen, char *pin, size_t pinlen);

#endif
