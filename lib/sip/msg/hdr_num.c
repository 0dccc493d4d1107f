/*
 * Numeric header fields: Expires / Min-Expires delta-seconds (RFC 3261
 * 20.19, 20.23), Retry-After (20.33), Session-Expires / Min-SE (RFC 4028
 * 4, 5), RSeq / RAck (RFC 3262 7.1, 7.2) and Timestamp (RFC 3261 20.38).
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/hdrs.h>

#include "chars.h"
#include "hdr_lex.h"

/** Deepest nesting of comments in Retry-After we follow. */
#define COMMENT_MAX_DEPTH 8

int sx_sip_delta_parse(struct sx_sl value, uint32_t *secp)
{
	if (!secp)
		return -EINVAL;
	return sx_sip__hl_delta(sx_sl_trim(value), secp);
}

/* comment = "(" *(ctext / quoted-pair / comment) ")"; s.p[i] is '(' */
static int comment_end(struct sx_sl s, size_t i, size_t *endp)
{
	unsigned depth = 0;

	for (; i < s.len; i++) {
		if (s.p[i] == '\\') {
			i++;
		} else if (s.p[i] == '(') {
			if (++depth > COMMENT_MAX_DEPTH)
				return -EBADMSG;
		} else if (s.p[i] == ')') {
			if (--depth == 0) {
				*endp = i + 1;
				return 0;
			}
		}
	}
	return -EBADMSG;
}

/* After the leading part of a value: nothing, or ';' and params. */
static int tail_params(struct sx_sl s, size_t i, struct sx_sl *paramsp)
{
	i = sx_sip__sl_span(s, i, SX_SIP_C_LWS);
	*paramsp = SX_SL_NULL;
	if (i == s.len)
		return 0;
	if (s.p[i] != ';')
		return -EBADMSG;
	*paramsp = sx_sl_trim(sx_sl_sub(s, i + 1, s.len));
	return paramsp->len ? 0 : -EBADMSG;
}

static int retry_params(struct sx_sip_retry_after *ra)
{
	struct sx_sip_param_iter it;
	struct sx_sl name, val;
	unsigned n = 0;
	int rc;

	sx_sip_param_iter_init(&it, ra->params);
	while ((rc = sx_sip__hl_param_next(&it, &n, &name, &val)) == 1) {
		if (!sx_sl_eq_cstr_nocase(name, "duration"))
			continue;
		if (ra->has_duration)
			return -EBADMSG;
		int err = sx_sip__hl_delta(val, &ra->duration);
		if (err)
			return err;
		ra->has_duration = true;
	}
	return rc;
}

int sx_sip_retry_after_parse(struct sx_sip_retry_after *ra,
			     struct sx_sl value)
{
	struct sx_sl s = sx_sl_trim(value);
	size_t i = sx_sip__sl_span(s, 0, SX_SIP_C_DIGIT), end;
	int err;

	if (!ra)
		return -EINVAL;
	memset(ra, 0, sizeof(*ra));
	err = sx_sip__hl_delta(sx_sl_make(s.p, i), &ra->delta);
	if (err)
		return err;
	i = sx_sip__sl_span(s, i, SX_SIP_C_LWS);
	if (i < s.len && s.p[i] == '(') {
		err = comment_end(s, i, &end);
		if (err)
			return err;
		ra->comment = sx_sl_make(s.p + i + 1, end - i - 2);
		i = end;
	}
	err = tail_params(s, i, &ra->params);
	return err ? err : retry_params(ra);
}

static int se_params(struct sx_sip_session_expires *se)
{
	struct sx_sip_param_iter it;
	struct sx_sl name, val;
	unsigned n = 0;
	int rc;

	sx_sip_param_iter_init(&it, se->params);
	while ((rc = sx_sip__hl_param_next(&it, &n, &name, &val)) == 1) {
		if (!sx_sl_eq_cstr_nocase(name, "refresher"))
			continue;
		if (se->refresher != SX_SIP_REFRESHER_NONE)
			return -EBADMSG;
		if (sx_sl_eq_cstr_nocase(val, "uac"))
			se->refresher = SX_SIP_REFRESHER_UAC;
		else if (sx_sl_eq_cstr_nocase(val, "uas"))
			se->refresher = SX_SIP_REFRESHER_UAS;
		else
			return -EBADMSG;
	}
	return rc;
}

int sx_sip_session_expires_parse(struct sx_sip_session_expires *se,
				 struct sx_sl value)
{
	struct sx_sl s = sx_sl_trim(value);
	size_t i = sx_sip__sl_span(s, 0, SX_SIP_C_DIGIT);
	int err;

	if (!se)
		return -EINVAL;
	memset(se, 0, sizeof(*se));
	err = sx_sip__hl_delta(sx_sl_make(s.p, i), &se->delta);
	if (!err)
		err = tail_params(s, i, &se->params);
	return err ? err : se_params(se);
}

static int rseq_num(struct sx_sl s, uint32_t max, uint32_t *outp)
{
	int err = sx_sl_u32_max(s, max, outp);

	if (err == -EINVAL)
		return -EBADMSG;
	if (!err && !*outp)
		return -ERANGE;
	return err;
}

int sx_sip_rseq_parse(struct sx_sl value, uint32_t *rseqp)
{
	if (!rseqp)
		return -EINVAL;
	return rseq_num(sx_sl_trim(value), SX_SIP_RSEQ_MAX, rseqp);
}

/* Next LWS-separated word of @s from *ip. */
static struct sx_sl next_word(struct sx_sl s, size_t *ip)
{
	size_t i = sx_sip__sl_span(s, *ip, SX_SIP_C_LWS), j = i;

	while (j < s.len && !SX_SIP_CC(s.p[j], SX_SIP_C_LWS))
		j++;
	*ip = j;
	return sx_sl_make(s.p + i, j - i);
}

int sx_sip_rack_parse(struct sx_sip_rack *r, struct sx_sl value)
{
	struct sx_sl s = sx_sl_trim(value), rseq, cseq, method;
	size_t i = 0;
	int err;

	if (!r)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	rseq = next_word(s, &i);
	cseq = next_word(s, &i);
	method = next_word(s, &i);
	if (i != s.len || !sx_sip_is_token(method))
		return -EBADMSG;
	err = rseq_num(rseq, SX_SIP_RSEQ_MAX, &r->rseq);
	if (!err)
		err = sx_sip__hl_delta(cseq, &r->cseq);
	if (!err && r->cseq > SX_SIP_CSEQ_MAX)
		err = -ERANGE;
	if (err)
		return err;
	r->method_sl = method;
	r->method = sx_sip_method_lookup(method);
	return 0;
}

/* 1*DIGIT ["." *DIGIT] (first digit required when @need_int) */
static bool is_decimal(struct sx_sl s, bool need_int)
{
	size_t i = sx_sip__sl_span(s, 0, SX_SIP_C_DIGIT);

	if (need_int && i == 0)
		return false;
	if (i < s.len && s.p[i] == '.')
		i = sx_sip__sl_span(s, i + 1, SX_SIP_C_DIGIT);
	return i == s.len && s.len;
}

int sx_sip_timestamp_parse(struct sx_sip_timestamp *ts, struct sx_sl value)
{
	struct sx_sl s = sx_sl_trim(value), v, delay;
	size_t i = 0;

	if (!ts)
		return -EINVAL;
	memset(ts, 0, sizeof(*ts));
	v = next_word(s, &i);
	delay = next_word(s, &i);
	if (i != s.len || !is_decimal(v, true))
		return -EBADMSG;
	if (delay.len && !is_decimal(delay, false))
		return -EBADMSG;
	ts->value = v;
	ts->delay = delay.len ? delay : SX_SL_NULL;
	return 0;
}
