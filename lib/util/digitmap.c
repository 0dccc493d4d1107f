/*
 * Digit-map matching of sipXecs rule files (see <sx/util/digitmap.h>).
 */
#include <stdint.h>

#include <sx/util/digitmap.h>

/* Length of the pattern element at @p ('[...]' or one char). */
static size_t elem_len(struct sx_sl p)
{
	if (p.p[0] != '[')
		return 1;
	ssize_t close = sx_sl_chr(p, ']');
	return close < 0 ? 1 : (size_t)close + 1;
}

static bool class_has(struct sx_sl cls, char ch)
{
	for (size_t i = 1; i + 1 < cls.len; i++) {
		char lo = cls.p[i], hi = lo;
		if (i + 3 < cls.len && cls.p[i + 1] == '-') {
			hi = cls.p[i + 2];
			i += 2;
		}
		if (ch >= lo && ch <= hi)
			return true;
	}
	return false;
}

static bool elem_match(struct sx_sl e, char ch)
{
	if (e.len > 1)
		return class_has(e, ch);
	if (e.p[0] == 'x')
		return ch >= '0' && ch <= '9';
	return e.p[0] == ch;
}

/* Backtracking match; *vstartp gets where the first variable element
 * matched. */
static bool match_at(struct sx_sl pat, struct sx_sl user, size_t pos,
                     size_t *vstartp)
{
	if (!pat.len)
		return pos == user.len;
	size_t el = elem_len(pat);
	struct sx_sl e = sx_sl_sub(pat, 0, el), rest = sx_sl_sub(pat, el, pat.len);
	bool var = el > 1 || e.p[0] == 'x' || e.p[0] == '.';
	size_t vs = *vstartp;
	if (var && vs == SIZE_MAX)
		*vstartp = pos;
	if (el == 1 && e.p[0] == '.') {
		/* "." is the rest: zero or more of anything */
		for (size_t k = user.len + 1; k-- > pos;)
			if (match_at(rest, user, k, vstartp))
				return true;
	} else if (pos < user.len && elem_match(e, user.p[pos]) &&
	           match_at(rest, user, pos + 1, vstartp)) {
		return true;
	}
	*vstartp = vs;
	return false;
}

bool sx_digitmap_match(struct sx_sl pattern, struct sx_sl user,
                       struct sx_sl *vdigitsp)
{
	size_t vstart = SIZE_MAX;

	if (!match_at(pattern, user, 0, &vstart))
		return false;
	if (vdigitsp)
		*vdigitsp = vstart == SIZE_MAX
		                ? sx_sl_make(user.p + user.len, 0)
		                : sx_sl_sub(user, vstart, user.len);
	return true;
}
