#include "errmsg.h"

#include <stdarg.h>
#include <stdio.h>

static void line(const char *fmt, va_list ap)
{
	fputs("pdtt: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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
