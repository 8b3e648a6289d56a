/* --config FILE: the file read whole, its errors said once; cli.c parses. */
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

int pdtt_config_read(const char *path, char **text)
{
	struct stat st = { 0 };
	char *buf = NULL;
	size_t have = 0;
	ssize_t n;
	int fd;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return pdtt_fail(PDTT_EXIT_USAGE,
				 "config '%s': %s; give an existing file, e.g. --config "
				 "/etc/pdtt.conf",
				 path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > PDTT_CONFIG_MAX) {
		const char *why = !S_ISREG(st.st_mode) ? "not a regular file" : "larger than 1 MiB";

		close(fd);
		return pdtt_fail(PDTT_EXIT_USAGE,
				 "config '%s': %s; give a text file of key = value lines", path,
				 why);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return pdtt_fail(PDTT_EXIT_RUNTIME, "config '%s': out of memory", path);
	}
	/* a file that grows while read is cut at the size fstat saw */
	while (have < (size_t)st.st_size &&
	       (n = read(fd, buf + have, (size_t)st.st_size - have)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			free(buf);
			return pdtt_fail(PDTT_EXIT_USAGE, "config '%s': %s", path, strerror(e));
		}
		have += (size_t)n;
	}
	close(fd);
	buf[have] = '\0';
	if (memchr(buf, '\0', have)) {
		free(buf);
		return pdtt_fail(PDTT_EXIT_USAGE,
				 "config '%s': a NUL byte: not a text file of key = value lines",
				 path);
	}
	*text = buf;
	return 0;
}

static void copy(char *dst, size_t len, const char *src)
{
	if (dst && len)
		snprintf(dst, len, "%s", src ? src : "");
}

int pdtt_config_paths(const char *path, char *db, size_t dblen, char *pin, size_t pinlen)
{
	struct pdtt_options o;
	char err[1024], *text;
	int rc = pdtt_config_read(path, &text);

	if (rc)
		return rc;
	rc = pdtt_config_parse(text, path, &o, err, sizeof(err));
	if (rc) {
		free(text);
		return pdtt_fail(rc, "%s", err);
	}
	if ((db && o.db_path && strlen(o.db_path) >= dblen) ||
	    (pin && strlen(o.pin_root) >= pinlen)) {
		free(text);
		return pdtt_fail(PDTT_EXIT_USAGE, "config '%s': its db or pin-dir path is too long",
				 path);
	}
	if (db && !o.db_path) {
		free(text);
		return pdtt_fail(
			PDTT_EXIT_USAGE,
			"config '%s': no-db = yes: that daemon keeps no history; give --db "
			"FILE",
			path);
	}
	copy(db, dblen, o.db_path);
	copy(pin, pinlen, o.pin_root);
	free(text);
	return 0;
}
