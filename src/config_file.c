/* --config FILE: the file read whole, its errors in one line; cli.c parses. */
#include "config_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "errmsg.h"
#include "pdtt_exit.h"

int pdtt_text_file_read(const char *path, const char *what, const char *hint, char **text,
			struct stat *st_out, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t have = 0;
	ssize_t n = 0;
	int fd;

	*text = NULL;
	/* O_NONBLOCK: a FIFO given by mistake must not hang the open */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s '%s': %s; %s", what, path, strerror(errno),
			 errno == ENOENT ? "give an existing file"
					 : "it must be readable by the user running this");
		return PDTT_EXIT_USAGE;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s '%s': not a regular file; give %s", what, path, hint);
		return PDTT_EXIT_USAGE;
	}
	/* to the end, whatever st_size says (a file that grows, or reports 0),
	 * up to the limit */
	buf = malloc(PDTT_CONFIG_MAX + 2);
	while (buf && have <= PDTT_CONFIG_MAX &&
	       ((n = read(fd, buf + have, PDTT_CONFIG_MAX + 1 - have)) > 0 ||
		(n < 0 && errno == EINTR)))
		have += n > 0 ? (size_t)n : 0;
	if (!buf || n < 0 || have > PDTT_CONFIG_MAX) {
		int e = errno;

		if (!buf)
			snprintf(err, errlen, "%s '%s': out of memory", what, path);
		else if (n < 0)
			snprintf(err, errlen, "%s '%s': %s", what, path, strerror(e));
		else
			snprintf(err, errlen, "%s '%s': larger than 1 MiB; give %s", what, path,
				 hint);
		close(fd);
		free(buf);
		return PDTT_EXIT_USAGE;
	}
	close(fd);
	buf[have] = '\0';
	if (memchr(buf, '\0', have)) {
		free(buf);
		snprintf(err, errlen, "%s '%s': a NUL byte: not %s", what, path, hint);
		return PDTT_EXIT_USAGE;
	}
	if (st_out)
		*st_out = st;
	*text = buf;
	return 0;
}

int pdtt_config_read(const char *path, char **text, char *err, size_t errlen)
{
	int rc = pdtt_text_file_read(path, "config", "a text file of key = value lines", text, NULL,
				     err, errlen);

	/* the one hint worth its words for the file most often mistyped */
	if (rc && access(path, F_OK) && errno == ENOENT)
		snprintf(err, errlen,
			 "config '%s': No such file or directory; give an existing file, e.g. "
			 "--config /etc/pdtt.conf",
			 path);
	return rc;
}

int pdtt_config_paths(const char *path, char *db, size_t dblen, char *pin, size_t pinlen, char *err,
		      size_t errlen)
{
	struct pdtt_options o;
	char *text;
	int rc = pdtt_config_read(path, &text, err, errlen);

	if (rc)
		return rc;
	rc = pdtt_config_parse(text, path, &o, err, errlen);
	if (!rc && db && !o.db_path) {
		snprintf(err, errlen,
			 "config '%s': no-db = yes: that daemon keeps no history; give --db FILE",
			 path);
		rc = PDTT_EXIT_USAGE;
	}
	if (!rc && ((db && strlen(o.db_path) >= dblen) || (pin && strlen(o.pin_root) >= pinlen))) {
		snprintf(err, errlen, "config '%s': its db or pin-dir path is too long", path);
		rc = PDTT_EXIT_USAGE;
	}
	if (!rc && db)
		snprintf(db, dblen, "%s", o.db_path);
	if (!rc && pin)
		snprintf(pin, pinlen, "%s", o.pin_root);
	free(text);
	return rc;
}

int pdtt_config_db(const char *conf, bool db_given, const char **db_path, char *buf, size_t buflen)
{
	char err[1024];

	if (!conf)
		return 0;
	if (pdtt_config_paths(conf, db_given ? NULL : buf, buflen, NULL, 0, err, sizeof(err))) {
		pdtt_fail(PDTT_EXIT_USAGE, "%s", err);
		return -1;
	}
	if (!db_given)
		*db_path = buf;
	return 0;
}
