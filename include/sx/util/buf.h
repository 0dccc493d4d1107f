/*
 * sx_buf: a growable byte buffer for printers.
 *
 * Memory comes from sx_mem.  A failed append leaves the buffer as it was
 * and sets the sticky error, so a printer may append many pieces and check
 * once at the end (sx_buf_err()).
 */
#ifndef SX_UTIL_BUF_H
#define SX_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include <sx/util/compiler.h>
#include <sx/util/sl.h>

struct sx_buf {
	char *p;     /**< bytes, sx_mem block; NUL-terminated when p != NULL */
	size_t len;  /**< bytes used, not counting the NUL */
	size_t cap;  /**< bytes allocated */
	size_t max;  /**< growth cap, 0 = unlimited */
	int err;     /**< first error (-ENOMEM, -E2BIG), sticky */
};

void sx_buf_init(struct sx_buf *b, size_t max);
void sx_buf_fini(struct sx_buf *b);
void sx_buf_reset(struct sx_buf *b);

/** Make room for @n more bytes.  0 or -ENOMEM / -E2BIG. */
int sx_buf_reserve(struct sx_buf *b, size_t n);

void sx_buf_put(struct sx_buf *b, const void *p, size_t n);
void sx_buf_put_sl(struct sx_buf *b, struct sx_sl s);
void sx_buf_put_cstr(struct sx_buf *b, const char *s);
void sx_buf_put_u64(struct sx_buf *b, unsigned long long v);
void sx_buf_printf(struct sx_buf *b, const char *fmt, ...) SX_PRINTF(2, 3);
void sx_buf_vprintf(struct sx_buf *b, const char *fmt, va_list ap)
	SX_PRINTF(2, 0);

static inline int sx_buf_err(const struct sx_buf *b)
{
	return b->err;
}

static inline struct sx_sl sx_buf_sl(const struct sx_buf *b)
{
	return sx_sl_make(b->p, b->len);
}

/** Hand the bytes to the caller (an sx_mem block) and empty the buffer. */
char *sx_buf_detach(struct sx_buf *b, size_t *lenp);

#endif
