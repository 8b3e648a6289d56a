#include "errmsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void pdtt_one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* One write per message; what came from outside (an argument, a file
 * name) cannot break it into several lines. */
static void line(const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	pdtt_one_line(buf);
	fprintf(stderr, "pdtt: %s\n", buf);
}

int pdtt_fail(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line(fmt, ap);
	va_end(ap);
	return status;
}

void pdtt_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line(fmt, ap);
	va_end(ap);
}

static const char *progname = "pdtt_xdp_user";

void pdtt_set_progname(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	if (base && *base)
		progname = base;
}

const char *pdtt_progname(void)
{
	return progname;
}
