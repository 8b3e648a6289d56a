/* The configuration file (--config): the input is the file's text, under a
 * command line of its first byte's choosing (none, -t 1, or -i lo).  Either
 * the options are accepted and within their documented ranges, or the
 * result is a usage error with a one-line message, which names the file and
 * a line the text has when the file is at fault. */
#include <stdlib.h>

#include "cli.h"
#include "fuzz_common.h"
#include "fuzz_options.h"
#include "pdtt_exit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv_t[] = { "pdtt_xdp_user", "-t", "1", NULL };
	char *argv_i[] = { "pdtt_xdp_user", "-i", "lo", NULL };
	char *argv_0[] = { "pdtt_xdp_user", NULL };
	char **argv = argv_0, *text, err[1024];
	struct pdtt_options o;
	unsigned lines = 1, at;
	int argc = 1, rc;

	if (!size)
		return 0;
	if (data[0] % 3 == 1)
		argv = argv_t, argc = 3;
	else if (data[0] % 3 == 2)
		argv = argv_i, argc = 3;
	text = fuzz_string(data + 1, size - 1);
	if (!text)
		return 0;
	/* a NUL in the input ends the text (pdtt_config_read refuses such a file) */
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	rc = pdtt_parse_options(argc, argv, text, "fuzz.conf", &o, err, sizeof(err));
	if (rc == 0 && o.action == PDTT_ACTION_RUN) {
		check_run_options(&o);
	} else {
		PROPERTY(rc == PDTT_EXIT_USAGE || rc == PDTT_EXIT_NO_IFACE, "status %d", rc);
		PROPERTY(one_line(err, sizeof(err)), "status %d, message '%s'", rc, err);
		/* -i lo alone always parses: any refusal is the file's, and names it */
		PROPERTY(argv != argv_i || !strncmp(err, "fuzz.conf:", 10), "'%s' without the file",
			 err);
		if (!strncmp(err, "fuzz.conf:", 10)) {
			at = (unsigned)strtoul(err + 10, NULL, 10);
			PROPERTY(at >= 1 && at <= lines, "line %u of %u: '%s'", at, lines, err);
		}
	}
	free(text);
	return 0;
}
