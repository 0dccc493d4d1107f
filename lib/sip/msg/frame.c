/*
 * Stream framing (RFC 3261 18.3, 7.5; RFC 5626 3.5.1 CRLF keep-alives):
 * find where the first message in a TCP/TLS byte stream ends.  The
 * header block runs to the first empty line and Content-Length (or its
 * compact form "l") gives the body size; it is mandatory on streams.
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/msg.h>

#include "chars.h"

/* Content-Length from one field [p, lf): 1 if it is one, 0 if not,
 * -EBADMSG when its value is not 1*DIGIT within 32 bits. */
static int cl_field(const char *p, const char *lf, uint32_t *clp)
{
	const char *q = sx_sip__span(p, lf, SX_SIP_C_TOKEN);
	struct sx_sl name = sx_sl_make(p, (size_t)(q - p));

	if (!sx_sl_eq_cstr_nocase(name, "l") &&
	    !sx_sl_eq_cstr_nocase(name, "Content-Length"))
		return 0;
	q = sx_sip__span(q, lf, SX_SIP_C_WSP);
	if (q == lf || *q != ':')
		return -EBADMSG;
	q = sx_sip__span(q + 1, lf, SX_SIP_C_LWS);
	const char *ve = sx_sip__rspan(q, lf, SX_SIP_C_LWS);
	struct sx_sl v = sx_sl_make(q, (size_t)(ve - q));
	return sx_sl_u32(v, clp) ? -EBADMSG : 1;
}

/* True when the field at @lf + 1 continues the current one (a fold). */
static bool folded(const char *lf, const char *end)
{
	return lf + 1 < end && (lf[1] == ' ' || lf[1] == '\t');
}

/*
 * Scan the header block from @p: on success returns the offset of the
 * first body byte and sets *clp (and *has_clp).  -EAGAIN when the empty
 * line is not there yet.
 */
static ssize_t header_block(const char *p, const char *end, uint32_t *clp,
			    bool *has_clp)
{
	const char *start = p, *field = NULL;

	for (;;) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		if (!lf)
			return -EAGAIN;
		if (lf + 1 == end)
			return -EAGAIN; /* cannot tell a fold from a field */
		if (field && !folded(lf, end)) {
			uint32_t cl;
			int rc = cl_field(field, lf, &cl);
			if (rc < 0 || (rc && *has_clp && cl != *clp))
				return -EBADMSG;
			if (rc) {
				*clp = cl;
				*has_clp = true;
			}
			field = NULL;
		}
		p = lf + 1;
		/* the empty line: CRLF or a bare LF */
		if (*p == '\n')
			return p + 1 - start;
		if (*p == '\r') {
			if (p + 1 == end)
				return -EAGAIN;
			if (p[1] == '\n')
				return p + 2 - start;
		}
		if (!field && !folded(lf, end))
			field = p;
	}
}

ssize_t sx_sip_msg_frame(const char *p, size_t len, size_t *skipp)
{
	size_t skip = 0;
	uint32_t cl = 0;
	bool has_cl = false;

	if (!p && len)
		return -EINVAL;
	while (skip < len && (p[skip] == '\r' || p[skip] == '\n'))
		skip++;
	if (skipp)
		*skipp = skip;
	if (skip == len)
		return -EAGAIN;
	const char *msg = p + skip, *end = p + len;
	size_t avail = SX_MIN(len - skip, (size_t)SX_SIP_MAX_MSG_SIZE);
	ssize_t hlen = header_block(msg, msg + avail, &cl, &has_cl);
	if (hlen == -EAGAIN && len - skip >= SX_SIP_MAX_MSG_SIZE)
		return -E2BIG;
	if (hlen < 0)
		return hlen;
	if (!has_cl)
		return -EBADMSG;
	if ((size_t)hlen + cl > SX_SIP_MAX_MSG_SIZE)
		return -E2BIG;
	if ((size_t)(end - msg) < (size_t)hlen + cl)
		return -EAGAIN;
	return (ssize_t)(skip + (size_t)hlen + cl);
}
