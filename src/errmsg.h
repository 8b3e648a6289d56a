/* One-line messages on stderr: "pdtt: <what>: <why>; <hint>". */
#ifndef PDTT_ERRMSG_H
#define PDTT_ERRMSG_H

/* Prints the line and returns status, for `return pdtt_fail(2, ...)`. */
int pdtt_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pdtt_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
