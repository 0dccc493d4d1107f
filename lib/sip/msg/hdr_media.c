/*
 * Media types and token lists: Content-Type / Accept (RFC 3261 20.15,
 * 20.1; RFC 2045 5.1 media-type), and the option-tag / method / event
 * token lists Require, Proxy-Require, Supported, Unsupported, Allow,
 * Allow-Events, Accept-Encoding, Accept-Language (RFC 3261 20.2-20.40,
 * RFC 6665 8.2.2).
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/hdrs.h>

#include "chars.h"
#include "hdr_lex.h"

/* Every parameter of a list must parse; bounded by SX_SIP_MAX_PARAMS. */
static int params_check(struct sx_sl params)
{
	struct sx_sip_param_iter it;
	struct sx_sl name, val;
	unsigned n = 0;
	int rc;

	sx_sip_param_iter_init(&it, params);
	while ((rc = sx_sip__hl_param_next(&it, &n, &name, &val)) == 1)
		;
	return rc;
}

int sx_sip_mtype_parse(struct sx_sip_mtype *m, struct sx_sl value)
{
	struct sx_sl head, params;
	size_t i, j;
	int err;

	if (!m)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	err = sx_sip__hl_split_params(value, &head, &params);
	if (err)
		return err;
	i = sx_sip__sl_span(head, 0, SX_SIP_C_TOKEN);
	j = sx_sip__sl_span(head, i, SX_SIP_C_LWS);
	if (!i || j >= head.len || head.p[j] != '/')
		return -EBADMSG;
	j = sx_sip__sl_span(head, j + 1, SX_SIP_C_LWS);
	struct sx_sl sub = sx_sl_sub(head, j, head.len);
	if (!sx_sip_is_token(sub))
		return -EBADMSG;
	err = params_check(params);
	if (err)
		return err;
	m->type = sx_sl_make(head.p, i);
	m->subtype = sub;
	m->params = params;
	return 0;
}

int sx_sip_accept_next(struct sx_sip_list_iter *it, struct sx_sip_mtype *m)
{
	struct sx_sl elem;
	int rc = sx_sip_list_iter_next(it, &elem);

	if (rc != 1)
		return rc;
	rc = sx_sip_mtype_parse(m, elem);
	return rc ? rc : 1;
}

bool sx_sip_mtype_eq(const struct sx_sip_mtype *m, const char *type,
		     const char *subtype)
{
	return sx_sl_eq_cstr_nocase(m->type, type) &&
	       sx_sl_eq_cstr_nocase(m->subtype, subtype);
}

bool sx_sip_mtype_match(const struct sx_sip_mtype *range, const char *type,
			const char *subtype)
{
	if (sx_sl_eq_cstr(range->type, "*"))
		return sx_sl_eq_cstr(range->subtype, "*");
	if (!sx_sl_eq_cstr_nocase(range->type, type))
		return false;
	return sx_sl_eq_cstr(range->subtype, "*") ||
	       sx_sl_eq_cstr_nocase(range->subtype, subtype);
}

int sx_sip_mtype_param(const struct sx_sip_mtype *m, const char *name,
		       struct sx_sl *valp)
{
	struct sx_sl v;
	int err;

	if (!m || !name)
		return -EINVAL;
	err = sx_sip_param_find(m->params, sx_sl_cstr(name), &v);
	if (err)
		return err;
	err = sx_sip__hl_unquote(v, &v, NULL);
	if (!err && valp)
		*valp = v;
	return err;
}

int sx_sip_token_next(struct sx_sip_list_iter *it, struct sx_sl *tokp,
		      struct sx_sl *paramsp)
{
	struct sx_sl elem, head, params;
	int rc = sx_sip_list_iter_next(it, &elem);

	if (rc != 1)
		return rc;
	rc = sx_sip__hl_split_params(elem, &head, &params);
	if (!rc && !sx_sip_is_token(head))
		rc = -EBADMSG;
	if (!rc)
		rc = params_check(params);
	if (rc)
		return rc;
	*tokp = head;
	if (paramsp)
		*paramsp = params;
	return 1;
}

int sx_sip_token_list_has(struct sx_sl value, struct sx_sl token)
{
	struct sx_sip_list_iter it;
	struct sx_sl tok;
	int rc;

	sx_sip_list_iter_init(&it, value);
	while ((rc = sx_sip_token_next(&it, &tok, NULL)) == 1)
		if (sx_sl_eq_nocase(tok, token))
			return 1;
	return rc;
}
