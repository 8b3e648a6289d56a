/* --config FILE: reading the file (the parsing is cli.c's, pure). */
#ifndef PDTT_CONFIG_FILE_H
#define PDTT_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define PDTT_CONFIG_MAX (1u << 20) /* far above any real file; a mistake otherwise */

/* Reads a small text file whole into a malloc'd, NUL-terminated *text (and
 * its fstat into *st unless NULL): refused, with "WHAT 'PATH': why; give
 * HINT" in err and PDTT_EXIT_USAGE, when missing, not a regular file (a
 * FIFO is not waited on), over 1 MiB or holding a NUL byte. */
int pdtt_text_file_read(const char *path, const char *what, const char *hint, char **text,
			struct stat *st, char *err, size_t errlen);

/* Reads FILE whole into a malloc'd, NUL-terminated *text.  Returns 0, or
 * PDTT_EXIT_USAGE with a one-line message in err (not found, not a regular
 * file, too large, binary). */
int pdtt_config_read(const char *path, char **text, char *err, size_t errlen);

/* For the commands that only need paths from the file (stop, check, report,
 * quota, audit): reads and checks the whole FILE, and copies its database
 * into db and its pin directory into pin, each unless NULL (the command line
 * gave it).  Returns 0, or PDTT_EXIT_USAGE with a one-line message in err
 * (also for no-db = yes when db is asked for). */
int pdtt_config_paths(const char *path, char *db, size_t dblen, char *pin, size_t pinlen, char *err,
		      size_t errlen);

/* The database of report, quota and audit: with --config FILE (conf not
 * NULL) the whole file is checked, and *db_path becomes its db (copied into
 * buf) unless the command line gave one (db_given).  Returns 0, or -1 after
 * a one-line message. */
int pdtt_config_db(const char *conf, bool db_given, const char **db_path, char *buf, size_t buflen);

#endif
