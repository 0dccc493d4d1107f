/*
 * String slices: comparison, trimming and checked number conversion
 * (STYLE.md 2.4; Part 3 #3: conversions that can fail say so).
 */
#include <errno.h>

#include <sx/util/sl.h>

static inline unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

bool sx_sl_eq(struct sx_sl a, struct sx_sl b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool sx_sl_eq_nocase(struct sx_sl a, struct sx_sl b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++)
		if (lower((unsigned char)a.p[i]) != lower((unsigned char)b.p[i]))
			return false;
	return true;
}

bool sx_sl_eq_cstr(struct sx_sl a, const char *s)
{
	return sx_sl_eq(a, sx_sl_cstr(s));
}

bool sx_sl_eq_cstr_nocase(struct sx_sl a, const char *s)
{
	return sx_sl_eq_nocase(a, sx_sl_cstr(s));
}

bool sx_sl_prefix_nocase(struct sx_sl s, struct sx_sl prefix)
{
	return s.len >= prefix.len &&
	       sx_sl_eq_nocase(sx_sl_make(s.p, prefix.len), prefix);
}

int sx_sl_cmp(struct sx_sl a, struct sx_sl b)
{
	size_t n = SX_MIN(a.len, b.len);
	int r = n ? memcmp(a.p, b.p, n) : 0;
	if (r)
		return r;
	return (a.len > b.len) - (a.len < b.len);
}

ssize_t sx_sl_chr(struct sx_sl s, char c)
{
	if (!s.len)
		return -1;
	const char *q = memchr(s.p, c, s.len);
	return q ? q - s.p : -1;
}

static inline bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct sx_sl sx_sl_trim(struct sx_sl s)
{
	while (s.len && is_ws(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && is_ws(s.p[s.len - 1]))
		s.len--;
	return s;
}

struct sx_sl sx_sl_sub(struct sx_sl s, size_t from, size_t len)
{
	if (from >= s.len)
		return sx_sl_make(s.len ? s.p + s.len : s.p, 0);
	if (len > s.len - from)
		len = s.len - from;
	return sx_sl_make(s.p + from, len);
}

int sx_sl_u64(struct sx_sl s, uint64_t *outp)
{
	uint64_t v = 0;

	if (!s.len)
		return -EINVAL;
	for (size_t i = 0; i < s.len; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';
		if (d > 9)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / 10) {
			/* keep scanning: a bad digit later is -EINVAL */
			for (size_t j = i + 1; j < s.len; j++)
				if ((unsigned)((unsigned char)s.p[j] - '0') > 9)
					return -EINVAL;
			return -ERANGE;
		}
		v = v * 10 + d;
	}
	*outp = v;
	return 0;
}

int sx_sl_u32_max(struct sx_sl s, uint32_t max, uint32_t *outp)
{
	uint64_t v;
	int err = sx_sl_u64(s, &v);
	if (err)
		return err;
	if (v > max)
		return -ERANGE;
	*outp = (uint32_t)v;
	return 0;
}

int sx_sl_u32(struct sx_sl s, uint32_t *outp)
{
	return sx_sl_u32_max(s, UINT32_MAX, outp);
}

int sx_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

uint32_t sx_sl_hash(struct sx_sl s)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < s.len; i++)
		h = (h ^ (unsigned char)s.p[i]) * 16777619u;
	return h;
}

uint32_t sx_sl_hash_nocase(struct sx_sl s)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < s.len; i++)
		h = (h ^ lower((unsigned char)s.p[i])) * 16777619u;
	return h;
}
