/* The daemon's command line: the input split at NULs into argv.  Either
 * the options are accepted and within their documented ranges, or the
 * result is a documented exit status with a one-line message. */
#include "cli.h"
#include "fuzz_common.h"
#include "fuzz_options.h"
#include "pdtt_exit.h"
#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[66], err[1024];
	struct pdtt_options o;
	int argc = 1, rc;

	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "pdtt_xdp_user";
	for (size_t i = 0; i < size && argc < 64;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	rc = pdtt_parse_options(argc, argv, NULL, NULL, &o, err, sizeof(err));
	if (rc == 0 && o.action == PDTT_ACTION_RUN) {
		check_run_options(&o);
	} else if (rc > 0) {
		PROPERTY(rc == PDTT_EXIT_USAGE || rc == PDTT_EXIT_NO_IFACE, "status %d", rc);
		PROPERTY(one_line(err, sizeof(err)), "status %d, message '%s'", rc, err);
	}
	free(buf);
	return 0;
}
