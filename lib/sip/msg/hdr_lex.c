/*
 * Lexical primitives of RFC 3261 25.1 (token, LWS, quoted-string,
 * quoted-pair, generic-param lists) for the lazy header parsers, plus the
 * public quoted-string decoding and comma-list iteration of sx/sip/hdrs.h.
 */
#include <errno.h>

#include <sx/sip/hdrs.h>

#include "hdr_lex.h"

#define T(c) [(unsigned char)(c)] = 1
const unsigned char sx_sip__hl_tokc[256] = {
	T('a'), T('b'), T('c'), T('d'), T('e'), T('f'), T('g'), T('h'),
	T('i'), T('j'), T('k'), T('l'), T('m'), T('n'), T('o'), T('p'),
	T('q'), T('r'), T('s'), T('t'), T('u'), T('v'), T('w'), T('x'),
	T('y'), T('z'), T('A'), T('B'), T('C'), T('D'), T('E'), T('F'),
	T('G'), T('H'), T('I'), T('J'), T('K'), T('L'), T('M'), T('N'),
	T('O'), T('P'), T('Q'), T('R'), T('S'), T('T'), T('U'), T('V'),
	T('W'), T('X'), T('Y'), T('Z'), T('0'), T('1'), T('2'), T('3'),
	T('4'), T('5'), T('6'), T('7'), T('8'), T('9'), T('-'), T('.'),
	T('!'), T('%'), T('*'), T('_'), T('+'), T('`'), T('\''), T('~'),
};
#undef T

size_t sx_sip__hl_lws(struct sx_sl s, size_t i)
{
	while (i < s.len && sx_sip__hl_is_lws(s.p[i]))
		i++;
	return i;
}

size_t sx_sip__hl_token(struct sx_sl s, size_t i)
{
	while (i < s.len && sx_sip__hl_is_tokc(s.p[i]))
		i++;
	return i;
}

int sx_sip__hl_qstr_end(struct sx_sl s, size_t i, size_t *endp)
{
	if (i >= s.len || s.p[i] != '"')
		return -EBADMSG;
	for (i++; i < s.len; i++) {
		if (s.p[i] == '\\') {
			if (++i >= s.len)
				return -EBADMSG;
		} else if (s.p[i] == '"') {
			*endp = i + 1;
			return 0;
		}
	}
	return -EBADMSG;
}

int sx_sip__hl_unquote(struct sx_sl v, struct sx_sl *outp, bool *quotedp)
{
	bool quoted = v.len && v.p[0] == '"';
	size_t end;

	if (quoted) {
		int err = sx_sip__hl_qstr_end(v, 0, &end);
		if (err)
			return err;
		if (end != v.len)
			return -EBADMSG;
		*outp = sx_sl_make(v.p + 1, v.len - 2);
	} else {
		*outp = v;
	}
	if (quotedp)
		*quotedp = quoted;
	return 0;
}

int sx_sip__hl_unquote_req(struct sx_sl v, struct sx_sl *outp)
{
	bool quoted = false;
	struct sx_sl out;
	int err = sx_sip__hl_unquote(v, &out, &quoted);

	if (err)
		return err;
	if (!quoted)
		return -EBADMSG;
	*outp = out;
	return 0;
}

int sx_sip__hl_split_params(struct sx_sl s, struct sx_sl *headp,
			 struct sx_sl *paramsp)
{
	size_t i = 0;

	while (i < s.len && s.p[i] != ';') {
		if (s.p[i] == '"') {
			int err = sx_sip__hl_qstr_end(s, i, &i);
			if (err)
				return err;
		} else {
			i++;
		}
	}
	*headp = sx_sl_trim(sx_sl_make(s.p, i));
	if (i == s.len) {
		*paramsp = SX_SL_NULL;
		return 0;
	}
	struct sx_sl params = sx_sl_trim(sx_sl_sub(s, i + 1, s.len));
	if (!params.len)
		return -EBADMSG;
	*paramsp = params;
	return 0;
}

int sx_sip__hl_param_next(struct sx_sip_param_iter *it, unsigned *np,
		       struct sx_sl *namep, struct sx_sl *valp)
{
	int rc = sx_sip_param_next(it, namep, valp);

	if (rc == 1 && ++*np > SX_SIP_MAX_PARAMS)
		return -E2BIG;
	return rc;
}

int sx_sip__hl_delta(struct sx_sl s, uint32_t *outp)
{
	int err = sx_sl_u32(s, outp);
	return err == -EINVAL ? -EBADMSG : err;
}

int sx_sip__hl_set_once(struct sx_sl *dst, struct sx_sl v)
{
	if (dst->p)
		return -EBADMSG;
	*dst = v;
	return 0;
}

int sx_sip__hl_set_val_once(struct sx_sl *dst, struct sx_sl v)
{
	if (!v.p)
		return -EBADMSG;
	return sx_sip__hl_set_once(dst, v);
}

/* -- public ---------------------------------------------------------------- */

ssize_t sx_sip_qstr_unescape(struct sx_sl in, char *out, size_t cap)
{
	size_t n = 0;

	if (!out && cap)
		return -EINVAL;
	for (size_t i = 0; i < in.len; i++) {
		char c = in.p[i];
		if (c == '\\') {
			if (++i >= in.len)
				return -EBADMSG;
			c = in.p[i];
		}
		if (n >= cap)
			return -E2BIG;
		out[n++] = c;
	}
	return (ssize_t)n;
}

bool sx_sip_qstr_eq(struct sx_sl in, struct sx_sl plain)
{
	size_t n = 0;

	for (size_t i = 0; i < in.len; i++) {
		char c = in.p[i];
		if (c == '\\') {
			if (++i >= in.len)
				return false;
			c = in.p[i];
		}
		if (n >= plain.len || plain.p[n] != c)
			return false;
		n++;
	}
	return n == plain.len;
}

int sx_sip_list_iter_next(struct sx_sip_list_iter *it, struct sx_sl *elemp)
{
	struct sx_sl elem;
	int rc;

	if (!it->rest.len)
		return 0;
	rc = sx_sip_list_next(&it->rest, &elem);
	if (rc == 1 && it->n >= SX_SIP_MAX_LIST_ELEMS)
		rc = -E2BIG;
	if (rc < 0) {
		it->rest = SX_SL_NULL;
		return rc;
	}
	if (rc == 0)
		return 0;
	it->n++;
	*elemp = elem;
	return 1;
}

bool sx_sip_is_token(struct sx_sl s)
{
	return s.len && sx_sip__hl_token(s, 0) == s.len;
}
