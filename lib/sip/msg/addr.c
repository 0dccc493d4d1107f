/*
 * name-addr / addr-spec with header parameters (RFC 3261 20.10 and 25.1:
 * From, To, Contact, Route, Record-Route, Reply-To ...).  The display
 * name is a quoted-string or *(token LWS); LWS before '<' is optional
 * (RFC 4475 3.1.1.6).  Zero-copy; never reads past the slice.
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/uri.h>

#include "chars.h"

/* Bytes that end an addr-spec URI: its header params or trailing LWS. */
static bool addr_spec_stop(char c)
{
	return c == ';' || SX_SIP_CC(c, SX_SIP_C_LWS);
}

/*
 * Display name before '<': a quoted-string (stored without its quotes)
 * or a run of tokens separated by LWS.  Returns the position of '<', or
 * NULL when this is not a name-addr.
 */
static const char *display_parse(struct sx_sip_addr *a, const char *p,
                                 const char *end)
{
	if (*p == '"') {
		const char *q = sx_sip__quoted_end(p, end);
		if (!q)
			return NULL;
		a->display = sx_sl_make(p + 1, (size_t)(q - p - 2));
		a->quoted = true;
		q = sx_sip__skip_lws(q, end);
		return q < end && *q == '<' ? q : NULL;
	}
	const char *q = p, *last = p;
	for (;;) {
		const char *t = q;
		while (q < end && SX_SIP_CC(*q, SX_SIP_C_TOKEN))
			q++;
		if (q == t)
			break;
		last = q;
		q = sx_sip__skip_lws(q, end);
	}
	if (q == end || *q != '<')
		return NULL;
	a->display = sx_sl_make(p, (size_t)(last - p));
	return q;
}

/* *( SEMI generic-param ) after the address; validates every param. */
static int header_params_parse(struct sx_sip_addr *a, const char *p,
                               const char *end)
{
	p = sx_sip__skip_lws(p, end);
	if (p == end)
		return 0;
	if (*p != ';')
		return -EBADMSG;
	p = sx_sip__skip_lws(p + 1, end);
	if (p == end)
		return -EBADMSG;
	a->params = sx_sl_make(p, (size_t)(end - p));

	struct sx_sip_param_iter it;
	struct sx_sl n, v;
	int rc;
	sx_sip_param_iter_init(&it, a->params);
	while ((rc = sx_sip_param_next(&it, &n, &v)) == 1)
		;
	return rc;
}

/* "<" addr-spec ">" starting at @lt. */
static int name_addr_parse(struct sx_sip_addr *a, const char *lt,
                           const char *end)
{
	const char *gt = memchr(lt, '>', (size_t)(end - lt));
	if (!gt)
		return -EBADMSG;
	a->name_addr = true;
	if (sx_sip_uri_parse(&a->uri,
	                     sx_sl_make(lt + 1, (size_t)(gt - lt - 1))))
		return -EBADMSG;
	return header_params_parse(a, gt + 1, end);
}

/*
 * addr-spec without < >: RFC 3261 20.10 says its URI may not hold ',',
 * ';' or '?', so the URI ends at the first ';' and what follows are
 * header params.
 */
static int addr_spec_parse(struct sx_sip_addr *a, const char *p,
                           const char *end)
{
	const char *q = p;
	while (q < end && !addr_spec_stop(*q)) {
		if (*q == ',' || *q == '?')
			return -EBADMSG;
		q++;
	}
	if (sx_sip_uri_parse(&a->uri, sx_sl_make(p, (size_t)(q - p))))
		return -EBADMSG;
	return header_params_parse(a, q, end);
}

int sx_sip_addr_parse(struct sx_sip_addr *a, struct sx_sl s)
{
	if (!a || (!s.p && s.len))
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	if (!s.len)
		return -EBADMSG;

	/* trim SP, HTAB, CR and LF on both ends, as sx_sl_trim() does */
	const char *p = s.p, *end = s.p + s.len;
	while (p < end && SX_SIP_CC(*p, SX_SIP_C_LWS))
		p++;
	while (end > p && SX_SIP_CC(end[-1], SX_SIP_C_LWS))
		end--;
	a->raw = sx_sl_make(p, (size_t)(end - p));
	if (p == end)
		return -EBADMSG;

	const char *lt = display_parse(a, p, end);
	if (lt)
		return name_addr_parse(a, lt, end);
	/* a quoted display name must be followed by < > */
	if (*p == '"')
		return -EBADMSG;
	return addr_spec_parse(a, p, end);
}
