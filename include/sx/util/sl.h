/*
 * sx_sl: the string slice used everywhere (STYLE.md 2.4).
 *
 * A slice points into someone else's buffer.  It is never NUL-terminated
 * and never written through; its length is unsigned.  Conversions that can
 * fail return 0 or a negative errno (-EINVAL for bad digits, -ERANGE for
 * overflow), never a silent 0.
 */
#ifndef SX_UTIL_SL_H
#define SX_UTIL_SL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <sx/util/compiler.h>

struct sx_sl {
	const char *p; /**< first byte, may be NULL when len == 0 */
	size_t len;    /**< byte count */
};

#define SX_SL(lit) ((struct sx_sl){(lit), sizeof(lit) - 1})
#define SX_SL_NULL ((struct sx_sl){NULL, 0})
#define SX_SL_FMT(s) (int)(s).len, (s).p /* use with "%.*s" */

static inline struct sx_sl sx_sl_make(const char *p, size_t len)
{
	return (struct sx_sl){p, len};
}

/** Slice of a NUL-terminated string (NULL gives an empty slice). */
static inline struct sx_sl sx_sl_cstr(const char *s)
{
	return (struct sx_sl){s, s ? strlen(s) : 0};
}

static inline bool sx_sl_isset(struct sx_sl s)
{
	return s.p != NULL;
}

/** Case-sensitive equality. */
bool sx_sl_eq(struct sx_sl a, struct sx_sl b);

/** ASCII case-insensitive equality. */
bool sx_sl_eq_nocase(struct sx_sl a, struct sx_sl b);

/** Case-sensitive equality with a C string. */
bool sx_sl_eq_cstr(struct sx_sl a, const char *s);

/** ASCII case-insensitive equality with a C string. */
bool sx_sl_eq_cstr_nocase(struct sx_sl a, const char *s);

/** ASCII case-insensitive prefix test. */
bool sx_sl_prefix_nocase(struct sx_sl s, struct sx_sl prefix);

/** Three-way compare, bytewise then by length. */
int sx_sl_cmp(struct sx_sl a, struct sx_sl b);

/** First index of @c in @s, or -1. */
ssize_t sx_sl_chr(struct sx_sl s, char c);

/** Drop leading and trailing SP, HTAB, CR and LF. */
struct sx_sl sx_sl_trim(struct sx_sl s);

/** Bytes [from, from+len) clipped to the slice. */
struct sx_sl sx_sl_sub(struct sx_sl s, size_t from, size_t len);

/**
 * Decimal conversions: the whole slice must be digits (no sign, no
 * spaces, at least one digit).  -EINVAL on a bad digit or empty slice,
 * -ERANGE on overflow; *outp is untouched on error.
 */
int sx_sl_u32(struct sx_sl s, uint32_t *outp) SX_MUST_CHECK;
int sx_sl_u64(struct sx_sl s, uint64_t *outp) SX_MUST_CHECK;

/** As sx_sl_u32() with an upper bound; -ERANGE above @max. */
int sx_sl_u32_max(struct sx_sl s, uint32_t max, uint32_t *outp) SX_MUST_CHECK;

/** Hexadecimal digit value, or -1. */
int sx_hexval(int c);

/** FNV-1a hash; the _nocase form folds ASCII letters. */
uint32_t sx_sl_hash(struct sx_sl s);
uint32_t sx_sl_hash_nocase(struct sx_sl s);

#endif
