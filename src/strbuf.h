/* Growable text buffer for building reports before one write(). */
#ifndef PDTT_STRBUF_H
#define PDTT_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct pdtt_buf {
	char *p;
	size_t len, cap;
	bool oom; /* an append failed; the content is incomplete */
};

void pdtt_buf_init(struct pdtt_buf *b);
void pdtt_buf_free(struct pdtt_buf *b);
void pdtt_buf_reset(struct pdtt_buf *b);
void pdtt_buf_printf(struct pdtt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
