/*
 * Generic parameters (RFC 3261 25.1: generic-param = token [ EQUAL
 * gen-value ], uri-parameter = pname [ "=" pvalue ]) and comma-separated
 * header lists (RFC 3261 7.3.1).  LWS, including line folds, may sit
 * around ';', '=' and ','.  Zero-copy; never reads past the slice.
 */
#include <errno.h>

#include <sx/sip/uri.h>

#include "chars.h"

/* gen-value = token / host / quoted-string; returns its end or NULL. */
static const char *pvalue_end(const char *p, const char *end)
{
	if (p < end && *p == '"')
		return sx_sip__quoted_end(p, end);
	const char *q = p;
	while (q < end && SX_SIP_CC(*q, SX_SIP_C_PCHAR))
		q++;
	return q == p ? NULL : q;
}

int sx_sip_param_next(struct sx_sip_param_iter *it, struct sx_sl *namep,
                      struct sx_sl *valp)
{
	if (!it || !namep || !valp || (!it->rest.p && it->rest.len))
		return -EINVAL;
	if (!it->rest.len)
		return 0;

	const char *end = it->rest.p + it->rest.len;
	const char *p = sx_sip__skip_lws(it->rest.p, end);
	if (p == end) {
		it->rest = sx_sl_make(end, 0);
		return 0;
	}

	const char *name = p;
	while (p < end && SX_SIP_CC(*p, SX_SIP_C_PCHAR))
		p++;
	if (p == name)
		return -EBADMSG;
	struct sx_sl n = sx_sl_make(name, (size_t)(p - name));
	struct sx_sl v = SX_SL_NULL;

	const char *q = sx_sip__skip_lws(p, end);
	if (q < end && *q == '=') {
		const char *val = sx_sip__skip_lws(q + 1, end);
		p = pvalue_end(val, end);
		if (!p)
			return -EBADMSG;
		v = sx_sl_make(val, (size_t)(p - val));
		q = sx_sip__skip_lws(p, end);
	}
	if (q < end) {
		/* SEMI = SWS ";" SWS, and another parameter must follow */
		if (*q != ';')
			return -EBADMSG;
		q = sx_sip__skip_lws(q + 1, end);
		if (q == end)
			return -EBADMSG;
	}
	it->rest = sx_sl_make(q, (size_t)(end - q));
	*namep = n;
	*valp = v;
	return 1;
}

int sx_sip_param_find(struct sx_sl params, struct sx_sl name,
                      struct sx_sl *valp)
{
	struct sx_sip_param_iter it;
	struct sx_sl n, v;
	int rc;

	sx_sip_param_iter_init(&it, params);
	while ((rc = sx_sip_param_next(&it, &n, &v)) == 1) {
		if (sx_sl_eq_nocase(n, name)) {
			if (valp)
				*valp = v;
			return 0;
		}
	}
	return rc ? rc : -ENOENT;
}

/* Trim LWS (folds included) from both ends of [p, end). */
static struct sx_sl lws_trim(const char *p, const char *end)
{
	p = sx_sip__skip_lws(p, end);
	while (end > p && SX_SIP_CC(end[-1], SX_SIP_C_LWS))
		end--;
	return sx_sl_make(p, (size_t)(end - p));
}

/* End of one list element: the ',' outside quotes and <>, or @end. */
static const char *element_end(const char *p, const char *end)
{
	while (p < end && *p != ',') {
		if (*p == '"') {
			p = sx_sip__quoted_end(p, end);
		} else if (*p == '<') {
			p = memchr(p, '>', (size_t)(end - p));
			p = p ? p + 1 : NULL;
		} else {
			p++;
		}
		if (!p)
			return NULL;
	}
	return p;
}

int sx_sip_list_next(struct sx_sl *rest, struct sx_sl *elemp)
{
	if (!rest || !elemp || (!rest->p && rest->len))
		return -EINVAL;
	if (!rest->len)
		return 0;

	const char *end = rest->p + rest->len;
	const char *p = sx_sip__skip_lws(rest->p, end);
	if (p == end) {
		*rest = sx_sl_make(end, 0);
		return 0;
	}
	const char *e = element_end(p, end);
	if (!e)
		return -EBADMSG;
	struct sx_sl elem = lws_trim(p, e);
	if (!elem.len)
		return -EBADMSG;
	if (e < end) {
		/* a ',' must be followed by another element */
		e = sx_sip__skip_lws(e + 1, end);
		if (e == end || *e == ',')
			return -EBADMSG;
	}
	*rest = sx_sl_make(e, (size_t)(end - e));
	*elemp = elem;
	return 1;
}
