/*
 * Helpers of the lazy header parsers on top of chars.h (RFC 3261 25.1
 * quoted-string, quoted-pair, generic-param lists), plus the public
 * quoted-string decoding and comma-list iteration of sx/sip/hdrs.h.
 */
#include <errno.h>

#include <sx/sip/hdrs.h>

#include "chars.h"
#include "hdr_lex.h"

int sx_sip__hl_qstr_end(struct sx_sl s, size_t i, size_t *endp)
{
	if (i >= s.len || s.p[i] != '"')
		return -EBADMSG;
	const char *q = sx_sip__quoted_skip(s.p + i, s.p + s.len);
	if (!q)
		return -EBADMSG;
	*endp = (size_t)(q - s.p);
	return 0;
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
	return s.len && sx_sip__sl_span(s, 0, SX_SIP_C_TOKEN) == s.len;
}
