/*
 * Dialog and diagnostic header fields: Replaces (RFC 3891 6.1), Reason
 * (RFC 3326 2) and Warning (RFC 3261 20.43).
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/hdrs.h>

#include "chars.h"
#include "hdr_lex.h"

/** Digits of a warn-code (RFC 3261 25.1). */
#define WARN_CODE_DIGITS 3

/* Call-ID: word ["@" word]; bytes that cannot occur are LWS ; , */
static bool is_callid(struct sx_sl s)
{
	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];
		if (SX_SIP_CC(c, SX_SIP_C_LWS) || c == ',' || c == ';' ||
		    (unsigned char)c < 0x21 || (unsigned char)c > 0x7e)
			return false;
	}
	return true;
}

static int tag_once(struct sx_sl *dst, struct sx_sl val)
{
	if (!sx_sip_is_token(val))
		return -EBADMSG;
	return sx_sip__hl_set_once(dst, val);
}

static int replaces_param(struct sx_sip_replaces *r, struct sx_sl name,
			  struct sx_sl val)
{
	if (sx_sl_eq_cstr_nocase(name, "to-tag"))
		return tag_once(&r->to_tag, val);
	if (sx_sl_eq_cstr_nocase(name, "from-tag"))
		return tag_once(&r->from_tag, val);
	if (!sx_sl_eq_cstr_nocase(name, "early-only"))
		return 0;
	if (r->early_only || val.p)
		return -EBADMSG;
	r->early_only = true;
	return 0;
}

int sx_sip_replaces_parse(struct sx_sip_replaces *r, struct sx_sl value)
{
	struct sx_sl s = sx_sl_trim(value), name, val;
	struct sx_sip_param_iter it;
	ssize_t semi = sx_sl_chr(s, ';');
	unsigned n = 0;
	int rc;

	if (!r)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	if (semi < 0)
		return -EBADMSG;
	r->call_id = sx_sl_trim(sx_sl_make(s.p, (size_t)semi));
	r->params = sx_sl_trim(sx_sl_sub(s, (size_t)semi + 1, s.len));
	if (!is_callid(r->call_id))
		return -EBADMSG;
	sx_sip_param_iter_init(&it, r->params);
	while ((rc = sx_sip__hl_param_next(&it, &n, &name, &val)) == 1) {
		int err = replaces_param(r, name, val);
		if (err)
			return err;
	}
	if (!rc && (!r->to_tag.p || !r->from_tag.p))
		rc = -EBADMSG;
	return rc;
}

static int reason_param(struct sx_sip_reason *r, struct sx_sl name,
			struct sx_sl val)
{
	struct sx_sl text;
	int err;

	if (sx_sl_eq_cstr_nocase(name, "cause")) {
		if (r->has_cause)
			return -EBADMSG;
		err = sx_sip__hl_delta(val, &r->cause);
		r->has_cause = !err;
		return err;
	}
	if (!sx_sl_eq_cstr_nocase(name, "text"))
		return 0;
	err = sx_sip__hl_unquote_req(val, &text);
	return err ? err : sx_sip__hl_set_once(&r->text, text);
}

int sx_sip_reason_parse(struct sx_sip_reason *r, struct sx_sl elem)
{
	struct sx_sip_param_iter it;
	struct sx_sl name, val;
	unsigned n = 0;
	int err, rc;

	if (!r)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	err = sx_sip__hl_split_params(elem, &r->protocol, &r->params);
	if (err)
		return err;
	if (!sx_sip_is_token(r->protocol))
		return -EBADMSG;
	sx_sip_param_iter_init(&it, r->params);
	while ((rc = sx_sip__hl_param_next(&it, &n, &name, &val)) == 1) {
		err = reason_param(r, name, val);
		if (err)
			return err;
	}
	return rc;
}

int sx_sip_reason_next(struct sx_sip_list_iter *it, struct sx_sip_reason *r)
{
	struct sx_sl elem;
	int rc = sx_sip_list_iter_next(it, &elem);

	if (rc != 1)
		return rc;
	rc = sx_sip_reason_parse(r, elem);
	return rc ? rc : 1;
}

int sx_sip_warning_parse(struct sx_sip_warning *w, struct sx_sl elem)
{
	struct sx_sl s = sx_sl_trim(elem);
	size_t i, j, end;
	unsigned code = 0;
	int err;

	if (!w)
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	for (i = 0; i < WARN_CODE_DIGITS; i++) {
		if (i >= s.len || !SX_SIP_CC(s.p[i], SX_SIP_C_DIGIT))
			return -EBADMSG;
		code = code * 10 + (unsigned)(s.p[i] - '0');
	}
	j = sx_sip__sl_span(s, i, SX_SIP_C_LWS);
	if (j == i)
		return -EBADMSG;
	for (i = j;
	     j < s.len && !SX_SIP_CC(s.p[j], SX_SIP_C_LWS) && s.p[j] != '"';)
		j++;
	if (j == i)
		return -EBADMSG;
	w->agent = sx_sl_make(s.p + i, j - i);
	i = sx_sip__sl_span(s, j, SX_SIP_C_LWS);
	if (i == j)
		return -EBADMSG;
	err = sx_sip__hl_qstr_end(s, i, &end);
	if (err)
		return err;
	if (end != s.len)
		return -EBADMSG;
	w->code = (uint16_t)code;
	w->text = sx_sl_make(s.p + i + 1, end - i - 2);
	return 0;
}

int sx_sip_warning_next(struct sx_sip_list_iter *it, struct sx_sip_warning *w)
{
	struct sx_sl elem;
	int rc = sx_sip_list_iter_next(it, &elem);

	if (rc != 1)
		return rc;
	rc = sx_sip_warning_parse(w, elem);
	return rc ? rc : 1;
}
