/*
 * Via header values (RFC 3261 20.42, 25.1 via-parm; RFC 3581 rport):
 * sent-protocol, sent-by and the parameters a transaction layer needs
 * (branch, received, rport, maddr).  Zero-copy except for a
 * sent-protocol written with LWS around its slashes, which is copied
 * into the arena without the LWS.
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/uri.h>

#include "chars.h"
#include "msg_int.h"

#define RPORT_MAX 65535

/* Parameter name test without strlen: length first, then the bytes. */
#define NAME_IS(name, lit)                                                     \
	((name).len == sizeof(lit) - 1 && sx_sl_eq_nocase((name), SX_SL(lit)))

/* SLASH = SWS "/" SWS (RFC 3261 25.1) */
static const char *slash(const char *p, const char *end)
{
	p = sx_sip__span(p, end, SX_SIP_C_LWS);
	if (p == end || *p != '/')
		return NULL;
	return sx_sip__span(p + 1, end, SX_SIP_C_LWS);
}

/* "SIP/2.0" as a slice: into the input when written without LWS. */
static int set_proto(struct sx_sip_msg *msg, struct sx_sip_via *v,
		     struct sx_sl name, struct sx_sl ver)
{
	if (ver.p == name.p + name.len + 1) {
		v->proto = sx_sl_make(name.p, name.len + 1 + ver.len);
		return 0;
	}
	char *s = sx_arena_alloc(&msg->arena, name.len + 1 + ver.len);
	if (!s)
		return -ENOMEM;
	memcpy(s, name.p, name.len);
	s[name.len] = '/';
	memcpy(s + name.len + 1, ver.p, ver.len);
	v->proto = sx_sl_make(s, name.len + 1 + ver.len);
	return 0;
}

/* sent-protocol LWS: fills proto and transport; returns the next byte. */
static const char *sent_protocol(struct sx_sip_msg *msg, struct sx_sip_via *v,
				 const char *p, const char *end, int *errp)
{
	const char *q = sx_sip__span(p, end, SX_SIP_C_TOKEN);
	struct sx_sl name = sx_sl_make(p, (size_t)(q - p));
	if (!name.len || !(p = slash(q, end)))
		return NULL;
	q = sx_sip__span(p, end, SX_SIP_C_TOKEN);
	struct sx_sl ver = sx_sl_make(p, (size_t)(q - p));
	if (!ver.len || !(p = slash(q, end)))
		return NULL;
	q = sx_sip__span(p, end, SX_SIP_C_TOKEN);
	v->transport = sx_sl_make(p, (size_t)(q - p));
	/* LWS between sent-protocol and sent-by is mandatory */
	if (!v->transport.len || q == end || !SX_SIP_CC(*q, SX_SIP_C_LWS))
		return NULL;
	*errp = set_proto(msg, v, name, ver);
	return *errp ? NULL : sx_sip__span(q, end, SX_SIP_C_LWS);
}

/* sent-by = host [ COLON port ], COLON = SWS ":" SWS */
static const char *sent_by(struct sx_sip_via *v, const char *p,
			   const char *end)
{
	const char *q = p;
	if (q < end && *q == '[') {
		q = memchr(q, ']', (size_t)(end - q));
		if (!q)
			return NULL;
	}
	while (q < end && *q != ';' && !SX_SIP_CC(*q, SX_SIP_C_LWS))
		q++;
	if (sx_sip_hostport_parse(&v->sent_by, sx_sl_make(p, (size_t)(q - p))))
		return NULL;
	p = sx_sip__span(q, end, SX_SIP_C_LWS);
	if (p == end || *p != ':')
		return p;
	/* "host : port" with SWS around the colon */
	if (v->sent_by.has_port)
		return NULL;
	p = sx_sip__span(p + 1, end, SX_SIP_C_LWS);
	uint32_t port = 0;
	q = sx_sip__span(p, end, SX_SIP_C_DIGIT);
	if (sx_sl_u32_max(sx_sl_make(p, (size_t)(q - p)), RPORT_MAX, &port))
		return NULL;
	v->sent_by.port = (uint16_t)port;
	v->sent_by.has_port = true;
	return sx_sip__span(q, end, SX_SIP_C_LWS);
}

/* via-params: pick branch, received, maddr, rport; check the syntax. */
static int via_params(struct sx_sip_via *v)
{
	struct sx_sip_param_iter it;
	struct sx_sl name, val;
	int rc;

	sx_sip_param_iter_init(&it, v->params);
	while ((rc = sx_sip_param_next(&it, &name, &val)) == 1) {
		if (NAME_IS(name, "branch")) {
			if (!val.len)
				return -EBADMSG;
			v->branch = val;
		} else if (NAME_IS(name, "received")) {
			if (!val.len)
				return -EBADMSG;
			v->received = val;
		} else if (NAME_IS(name, "maddr")) {
			if (!val.len)
				return -EBADMSG;
			v->maddr = val;
		} else if (NAME_IS(name, "rport")) {
			v->rport = true;
			if (val.len && sx_sl_u32_max(val, RPORT_MAX,
						     &v->rport_val))
				return -EBADMSG;
		}
	}
	return rc < 0 ? -EBADMSG : 0;
}

static int via_value(struct sx_sip_msg *msg, struct sx_sip_via *v,
		     struct sx_sl e)
{
	const char *p = e.p, *end = e.p + e.len;
	int err = -EBADMSG;

	v->raw = e;
	p = sent_protocol(msg, v, p, end, &err);
	if (!p)
		return err;
	p = sent_by(v, p, end);
	if (!p)
		return -EBADMSG;
	if (p == end)
		return 0;
	if (*p != ';')
		return -EBADMSG;
	v->params = sx_sl_make(p + 1, (size_t)(end - p - 1));
	v->params.p = sx_sip__span(v->params.p, end, SX_SIP_C_LWS);
	v->params.len = (size_t)(end - v->params.p);
	return via_params(v);
}

int sx_sip__via_parse_field(struct sx_sip_msg *msg, struct sx_sip__vec *vec,
			    const struct sx_sip_hdr *h, const char **whyp)
{
	struct sx_sl rest = h->value, e;
	unsigned index = 0;
	int rc, err;

	while ((rc = sx_sip_list_next(&rest, &e)) == 1) {
		struct sx_sip_via *v = sx_sip__vec_push(msg, vec, &err);
		if (!v) {
			*whyp = err == -E2BIG ? "Too Many Via Values"
					      : "Out of Memory";
			return err;
		}
		v->hdr = h;
		v->index = index++;
		err = via_value(msg, v, e);
		if (err) {
			*whyp = err == -ENOMEM ? "Out of Memory" : "Bad Via";
			return err;
		}
	}
	if (rc < 0 || !index) {
		*whyp = "Bad Via";
		return -EBADMSG;
	}
	return 0;
}
