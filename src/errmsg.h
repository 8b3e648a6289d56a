/* One-line messages on stderr: "pdtt: <what>: <why>; <hint>". */
#ifndef PDTT_ERRMSG_H
#define PDTT_ERRMSG_H

/* Control characters (a newline in an argument or a file name) become '?',
 * so a message stays one line. */
void pdtt_one_line(char *s);

/* Prints the line and returns status, for `return pdtt_fail(2, ...)`. */
int pdtt_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pdtt_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The name the program was called by (pdtt_xdp_user, or the short pdtt),
 * for the usage texts. */
void pdtt_set_progname(const char *argv0);
const char *pdtt_progname(void);

#endif
