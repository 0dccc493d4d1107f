/*
 * Growable output buffer with a sticky error, for printers.
 */
#include <errno.h>
#include <stdio.h>

#include <sx/util/buf.h>
#include <sx/util/mem.h>

void sx_buf_init(struct sx_buf *b, size_t max)
{
	*b = (struct sx_buf){.max = max};
}

void sx_buf_fini(struct sx_buf *b)
{
	sx_mem_unref(b->p);
	*b = (struct sx_buf){.max = b->max};
}

void sx_buf_reset(struct sx_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->p)
		b->p[0] = '\0';
}

int sx_buf_reserve(struct sx_buf *b, size_t n)
{
	if (b->err)
		return b->err;
	if (n > SIZE_MAX / 2 - b->len - 1)
		return b->err = -E2BIG;
	size_t need = b->len + n + 1;
	if (b->max && need > b->max + 1)
		return b->err = -E2BIG;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if (b->max && cap > b->max + 1)
		cap = b->max + 1;
	char *p = sx_mem_realloc(b->p, cap);
	if (!p)
		return b->err = -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

void sx_buf_put(struct sx_buf *b, const void *p, size_t n)
{
	if (sx_buf_reserve(b, n))
		return;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sx_buf_put_sl(struct sx_buf *b, struct sx_sl s)
{
	sx_buf_put(b, s.p, s.len);
}

void sx_buf_put_cstr(struct sx_buf *b, const char *s)
{
	sx_buf_put(b, s, strlen(s));
}

void sx_buf_put_u64(struct sx_buf *b, unsigned long long v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sx_buf_put(b, tmp + i, sizeof(tmp) - i);
}

void sx_buf_vprintf(struct sx_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	if (sx_buf_reserve(b, (size_t)n))
		return;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sx_buf_printf(struct sx_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sx_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *sx_buf_detach(struct sx_buf *b, size_t *lenp)
{
	char *p = b->p;
	if (lenp)
		*lenp = b->len;
	*b = (struct sx_buf){.max = b->max};
	return p;
}
