/*
 * SIP message parser (RFC 3261 7, 18.3, 20, 25.1; RFC 4475 torture
 * cases).  One pass splits the start line and header fields (memchr for
 * line ends, a 256-entry class table for names), a second pass over the
 * field array parses only what msg.h lists as eager (Via, From, To,
 * Call-ID, CSeq, Max-Forwards, Content-Length, Route).  Every product
 * lives in the message arena, whose first chunk sits in the same
 * allocation as the message, so a typical message costs one malloc.
 */
#define SX_LOG_MOD "sip.msg"

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include <sx/sip/msg.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "chars.h"
#include "msg_int.h"

/** Arena bytes inside the message allocation (typical parse products). */
#define SX_SIP_MSG_INLINE_ARENA 3072

/** A response is recognised by its first bytes (RFC 3261 7.2). */
#define SIP_VERSION "SIP/2.0"
#define SIP_VERSION_PREFIX "SIP/"
/** Status codes are 3 digits, 1xx to 6xx (RFC 3261 7.2, 21). */
#define STATUS_MIN 100
#define STATUS_MAX 699
#define MAX_FORWARDS_MAX 255 /* RFC 3261 20.22 (RFC 4475 3.1.2.4) */

struct msg_full {
	struct sx_sip_msg msg;
	alignas(max_align_t) char arena[SX_SIP_MSG_INLINE_ARENA];
};

/* Bits of pctx.seen, one per single-value field. */
enum once {
	ONCE_FROM = 1 << 0,
	ONCE_TO = 1 << 1,
	ONCE_CALL_ID = 1 << 2,
	ONCE_CSEQ = 1 << 3,
	ONCE_MAX_FORWARDS = 1 << 4,
	ONCE_CONTENT_LENGTH = 1 << 5,
};

struct pctx {
	struct sx_sip_msg *msg;
	struct sx_sip_perr *errp;
	bool stream;
	bool response;	 /* never answered: every error is a silent drop */
	const char *end; /* end of input */
	size_t nvia_fields, nroute_fields;
	unsigned seen;	 /* enum once */
	struct sx_sip_hdr hdrs[SX_SIP_MAX_HEADERS];
};

static int fail(struct pctx *c, int rc, uint16_t status, const char *why)
{
	if (c->errp) {
		c->errp->status = c->response ? 0 : status;
		c->errp->reason = why;
	}
	SX_LOG_DBG("parse error %d: %s", rc, why);
	return rc;
}

/* Errors from helpers: -E2BIG and -ENOMEM keep their meaning. */
static int fail_rc(struct pctx *c, int rc, const char *why)
{
	if (rc == -ENOMEM)
		return fail(c, rc, 500, "Out of Memory");
	return fail(c, rc, 400, why);
}

void *sx_sip__vec_push(struct sx_sip_msg *msg, struct sx_sip__vec *v,
		       int *errp)
{
	if (v->n == v->max) {
		*errp = -E2BIG;
		return NULL;
	}
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		cap = SX_MIN(cap, v->max);
		char *items = sx_arena_alloc(&msg->arena, cap * v->size);
		if (!items) {
			*errp = -ENOMEM;
			return NULL;
		}
		if (v->n)
			memcpy(items, v->items, v->n * v->size);
		v->items = items;
		v->cap = cap;
	}
	char *e = (char *)v->items + v->n * v->size;
	memset(e, 0, v->size);
	v->n++;
	return e;
}

/* -- start line ---------------------------------------------------------- */

static bool contains_sip_version(const char *p, const char *end)
{
	struct sx_sl pre = SX_SL(SIP_VERSION_PREFIX);
	for (; (size_t)(end - p) >= pre.len; p++)
		if (sx_sl_prefix_nocase(sx_sl_make(p, pre.len), pre))
			return true;
	return false;
}

static int bad_request_line(struct pctx *c)
{
	return fail(c, -EBADMSG, 400, "Bad Request-Line");
}

/* SIP-Version: "SIP/2.0" any case; other SIP/x.y is 505 (RFC 3261 8.2.2). */
static int check_version(struct pctx *c, struct sx_sl v)
{
	if (sx_sl_eq_cstr_nocase(v, SIP_VERSION))
		return 0;
	struct sx_sl pre = SX_SL(SIP_VERSION_PREFIX);
	if (!sx_sl_prefix_nocase(v, pre))
		return fail(c, -EBADMSG, 400, "Bad SIP-Version");
	/* 1*DIGIT "." 1*DIGIT */
	const char *p = v.p + pre.len, *end = v.p + v.len;
	const char *q = sx_sip__span(p, end, SX_SIP_C_DIGIT);
	if (q == p || q == end || *q != '.')
		return fail(c, -EBADMSG, 400, "Bad SIP-Version");
	p = ++q;
	q = sx_sip__span(q, end, SX_SIP_C_DIGIT);
	if (q == p || q != end)
		return fail(c, -EBADMSG, 400, "Bad SIP-Version");
	return fail(c, -EBADMSG, 505, "Version Not Supported");
}

/* Request-Line = Method SP Request-URI SP SIP-Version (single SPs) */
static int request_line(struct pctx *c, const char *ls, const char *le)
{
	struct sx_sip_msg *msg = c->msg;
	const char *p = sx_sip__span(ls, le, SX_SIP_C_TOKEN);

	if (p == ls || p == le || *p != ' ')
		return bad_request_line(c);
	msg->is_request = true;
	msg->method_sl = sx_sl_make(ls, (size_t)(p - ls));
	msg->method = sx_sip_method_lookup(msg->method_sl);
	const char *u = ++p;
	p = memchr(u, ' ', (size_t)(le - u));
	if (!p || p == u)
		return bad_request_line(c);
	msg->ruri_sl = sx_sl_make(u, (size_t)(p - u));
	msg->version = sx_sl_make(p + 1, (size_t)(le - p - 1));
	int err = check_version(c, msg->version);
	if (err)
		return err;
	err = sx_sip_uri_parse(&msg->ruri, msg->ruri_sl);
	if (err == -E2BIG)
		return fail(c, err, 414, "Request-URI Too Long");
	if (err)
		return fail(c, -EBADMSG, 400, "Bad Request-URI");
	return 0;
}

/* A start line without any "SIP/" is not SIP at all: dropped, not
 * answered. */
static int not_sip(struct pctx *c, int err, const char *ls, const char *le)
{
	if (err && c->errp && c->errp->status == 400 &&
	    !contains_sip_version(ls, le))
		fail(c, err, 0, "Not SIP");
	return err;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
static int status_line(struct pctx *c, const char *ls, const char *le)
{
	struct sx_sip_msg *msg = c->msg;
	const char *p = memchr(ls, ' ', (size_t)(le - ls));

	if (!p)
		return fail(c, -EBADMSG, 0, "Bad Status-Line");
	msg->version = sx_sl_make(ls, (size_t)(p - ls));
	if (!sx_sl_eq_cstr_nocase(msg->version, SIP_VERSION))
		return fail(c, -EBADMSG, 0, "Version Not Supported");
	p++;
	unsigned code = 0;
	for (int i = 0; i < 3; i++, p++) {
		if (p == le || !SX_SIP_CC(*p, SX_SIP_C_DIGIT))
			return fail(c, -EBADMSG, 0, "Bad Status-Code");
		code = code * 10 + (unsigned)(*p - '0');
	}
	if (code < STATUS_MIN || code > STATUS_MAX || (p < le && *p != ' '))
		return fail(c, -EBADMSG, 0, "Bad Status-Code");
	msg->status = (uint16_t)code;
	/* Reason-Phrase may be empty (RFC 4475 3.1.1.13) */
	if (p < le)
		p++;
	msg->reason = sx_sl_make(p, (size_t)(le - p));
	return 0;
}

/* Returns the first byte after the start line, or NULL (error set). */
static const char *start_line(struct pctx *c, const char *p, int *errp)
{
	const char *lf = memchr(p, '\n', (size_t)(c->end - p));
	if (!lf) {
		*errp = not_sip(c, fail(c, -EBADMSG, 400, "Missing Empty Line"),
				p, c->end);
		return NULL;
	}
	if ((size_t)(lf - p) > SX_SIP_MAX_LINE_LEN) {
		*errp = fail(c, -E2BIG, 400, "Start Line Too Long");
		return NULL;
	}
	const char *le = lf > p && lf[-1] == '\r' ? lf - 1 : lf;
	*errp = c->response ? status_line(c, p, le)
			    : not_sip(c, request_line(c, p, le), p, le);
	return *errp ? NULL : lf + 1;
}

/* -- header fields ------------------------------------------------------- */

/* The LF ending a field, following folds (CRLF + SP/HTAB); NULL if none. */
static const char *field_end(const char *p, const char *end)
{
	for (;;) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		if (!lf || lf + 1 == end || (lf[1] != ' ' && lf[1] != '\t'))
			return lf;
		p = lf + 2;
	}
}

/* One "name: value" field at @p into c->hdrs; returns the next line. */
static const char *split_field(struct pctx *c, const char *p, int *errp)
{
	const char *end = c->end, *name = p;
	const char *q = sx_sip__span(p, end, SX_SIP_C_TOKEN), *name_end = q;

	q = sx_sip__span(q, end, SX_SIP_C_WSP);
	if (name_end == name || q == end || *q != ':') {
		*errp = fail(c, -EBADMSG, 400, "Bad Header Field");
		return NULL;
	}
	const char *lf = field_end(q + 1, end);
	if (!lf) {
		*errp = fail(c, -EBADMSG, 400, "Missing Empty Line");
		return NULL;
	}
	if ((size_t)(lf + 1 - name) > SX_SIP_MAX_LINE_LEN) {
		*errp = fail(c, -E2BIG, 400, "Header Field Too Long");
		return NULL;
	}
	const char *v = sx_sip__span(q + 1, lf, SX_SIP_C_LWS);
	const char *ve = sx_sip__rspan(v, lf, SX_SIP_C_LWS);
	struct sx_sip_hdr *h = &c->hdrs[c->msg->nhdrs++];
	h->name = sx_sl_make(name, (size_t)(name_end - name));
	h->id = sx_sip_hdr_lookup(h->name);
	h->value = sx_sl_make(v, (size_t)(ve - v));
	h->raw = sx_sl_make(name, (size_t)(lf + 1 - name));
	c->nvia_fields += h->id == SX_SIP_HDR_VIA;
	c->nroute_fields += h->id == SX_SIP_HDR_ROUTE;
	return lf + 1;
}

/* Fields up to the empty line; returns the first body byte or NULL. */
static const char *split_fields(struct pctx *c, const char *p, int *errp)
{
	const char *end = c->end;

	for (;;) {
		if (p == end) {
			*errp = fail(c, -EBADMSG, 400, "Missing Empty Line");
			return NULL;
		}
		if (*p == '\n')
			return p + 1;
		if (*p == '\r' && end - p >= 2 && p[1] == '\n')
			return p + 2;
		if (c->msg->nhdrs == SX_SIP_MAX_HEADERS) {
			*errp = fail(c, -E2BIG, 400, "Too Many Header Fields");
			return NULL;
		}
		p = split_field(c, p, errp);
		if (!p)
			return NULL;
	}
}

/* -- eager fields -------------------------------------------------------- */

/* From / To: name-addr or addr-spec plus params, tag extracted. */
static int addr_field(struct pctx *c, const struct sx_sip_hdr *h,
		      struct sx_sip_addr *a, struct sx_sl *tagp,
		      const char *why)
{
	struct sx_sl tag;
	if (sx_sip_addr_parse(a, h->value))
		return fail(c, -EBADMSG, 400, why);
	int rc = sx_sip_param_find(a->params, SX_SL("tag"), &tag);
	if (rc == -ENOENT)
		return 0;
	if (rc || !tag.len)
		return fail(c, -EBADMSG, 400, why);
	*tagp = tag;
	return 0;
}

/* callid = word [ "@" word ] (RFC 3261 25.1) */
static int call_id(struct pctx *c, const struct sx_sip_hdr *h)
{
	struct sx_sl v = h->value;
	const char *at = v.len ? memchr(v.p, '@', v.len) : NULL;
	bool ok = v.len > 0 && at != v.p && at != v.p + v.len - 1;

	for (size_t i = 0; ok && i < v.len; i++)
		ok = SX_SIP_CC(v.p[i], SX_SIP_C_WORD) || v.p + i == at;
	if (!ok)
		return fail(c, -EBADMSG, 400, "Bad Call-ID");
	c->msg->call_id = v;
	return 0;
}

/* CSeq = 1*DIGIT LWS Method; the number fits 32 bits (RFC 4475 3.1.2.4) */
static int cseq(struct pctx *c, const struct sx_sip_hdr *h)
{
	struct sx_sip_msg *msg = c->msg;
	const char *p = h->value.p, *end = p + h->value.len;
	const char *q = sx_sip__span(p, end, SX_SIP_C_DIGIT);

	if (sx_sl_u32(sx_sl_make(p, (size_t)(q - p)), &msg->cseq) ||
	    q == end || !SX_SIP_CC(*q, SX_SIP_C_LWS))
		return fail(c, -EBADMSG, 400, "Bad CSeq");
	p = sx_sip__span(q, end, SX_SIP_C_LWS);
	q = sx_sip__span(p, end, SX_SIP_C_TOKEN);
	if (q == p || q != end)
		return fail(c, -EBADMSG, 400, "Bad CSeq");
	msg->cseq_method_sl = sx_sl_make(p, (size_t)(q - p));
	msg->cseq_method = sx_sip_method_lookup(msg->cseq_method_sl);
	return 0;
}

static int max_forwards(struct pctx *c, const struct sx_sip_hdr *h)
{
	uint32_t v;
	if (sx_sl_u32_max(h->value, MAX_FORWARDS_MAX, &v))
		return fail(c, -EBADMSG, 400, "Bad Max-Forwards");
	c->msg->max_forwards = (int)v;
	return 0;
}

/* Content-Length = 1*DIGIT: no sign (RFC 4475 3.1.2.3), 32 bits */
static int content_length(struct pctx *c, const struct sx_sip_hdr *h)
{
	if (sx_sl_u32(h->value, &c->msg->content_length))
		return fail(c, -EBADMSG, 400, "Bad Content-Length");
	c->msg->has_content_length = true;
	return 0;
}

/* Route: 1#route-param, each a name-addr with params */
static int route_field(struct pctx *c, struct sx_sip__vec *vec,
		       const struct sx_sip_hdr *h)
{
	struct sx_sl rest = h->value, e;
	unsigned index = 0;
	int rc, err;

	while ((rc = sx_sip_list_next(&rest, &e)) == 1) {
		struct sx_sip_route *r = sx_sip__vec_push(c->msg, vec, &err);
		if (!r)
			return fail_rc(c, err, "Too Many Route Values");
		r->hdr = h;
		r->index = index++;
		if (sx_sip_addr_parse(&r->addr, e))
			return fail(c, -EBADMSG, 400, "Bad Route");
	}
	if (rc < 0 || !index)
		return fail(c, -EBADMSG, 400, "Bad Route");
	return 0;
}

/* Single-value fields: a second occurrence is a 400 (RFC 4475 3.3.8). */
static const struct single {
	unsigned bit;
	const char *dup;
} singles[SX_SIP_HDR__COUNT] = {
	[SX_SIP_HDR_FROM] = {ONCE_FROM, "Duplicate From"},
	[SX_SIP_HDR_TO] = {ONCE_TO, "Duplicate To"},
	[SX_SIP_HDR_CALL_ID] = {ONCE_CALL_ID, "Duplicate Call-ID"},
	[SX_SIP_HDR_CSEQ] = {ONCE_CSEQ, "Duplicate CSeq"},
	[SX_SIP_HDR_MAX_FORWARDS] = {ONCE_MAX_FORWARDS,
				     "Duplicate Max-Forwards"},
	[SX_SIP_HDR_CONTENT_LENGTH] = {ONCE_CONTENT_LENGTH,
				       "Duplicate Content-Length"},
};

static int eager_field(struct pctx *c, struct sx_sip__vec *vias,
		       struct sx_sip__vec *routes, const struct sx_sip_hdr *h)
{
	struct sx_sip_msg *msg = c->msg;
	const struct single *s = &singles[h->id];
	const char *why;
	int err;

	if (s->bit) {
		if (c->seen & s->bit)
			return fail(c, -EBADMSG, 400, s->dup);
		c->seen |= s->bit;
	}
	switch (h->id) {
	case SX_SIP_HDR_VIA:
		err = sx_sip__via_parse_field(msg, vias, h, &why);
		return err ? fail_rc(c, err, why) : 0;
	case SX_SIP_HDR_ROUTE:
		return route_field(c, routes, h);
	case SX_SIP_HDR_FROM:
		return addr_field(c, h, &msg->from, &msg->from_tag, "Bad From");
	case SX_SIP_HDR_TO:
		return addr_field(c, h, &msg->to, &msg->to_tag, "Bad To");
	case SX_SIP_HDR_CALL_ID:
		return call_id(c, h);
	case SX_SIP_HDR_CSEQ:
		return cseq(c, h);
	case SX_SIP_HDR_MAX_FORWARDS:
		return max_forwards(c, h);
	case SX_SIP_HDR_CONTENT_LENGTH:
		return content_length(c, h);
	default:
		return 0;
	}
}

static int eager_fields(struct pctx *c)
{
	struct sx_sip_msg *msg = c->msg;
	struct sx_sip__vec vias = {.max = SX_SIP_MAX_VIA,
				   .size = sizeof(struct sx_sip_via)};
	struct sx_sip__vec routes = {.max = SX_SIP_MAX_ROUTE,
				     .size = sizeof(struct sx_sip_route)};
	int err = 0;

	/* one block sized by field count; multi-value fields may grow it */
	vias.cap = SX_MIN(c->nvia_fields, SX_SIP_MAX_VIA);
	routes.cap = SX_MIN(c->nroute_fields, SX_SIP_MAX_ROUTE);
	if ((vias.cap && !(vias.items = sx_arena_alloc(
				   &msg->arena, vias.cap * vias.size))) ||
	    (routes.cap && !(routes.items = sx_arena_alloc(
				     &msg->arena, routes.cap * routes.size))))
		return fail_rc(c, -ENOMEM, NULL);
	for (size_t i = 0; i < msg->nhdrs && !err; i++)
		err = eager_field(c, &vias, &routes, &msg->hdrs[i]);
	msg->vias = vias.items;
	msg->nvias = vias.n;
	msg->routes = routes.items;
	msg->nroutes = routes.n;
	return err;
}

/* RFC 3261 8.1.1: To, From, CSeq, Call-ID, Max-Forwards, Via; we let
 * Max-Forwards be absent for RFC 2543 peers (RFC 4475 3.4.1). */
static int mandatory_fields(struct pctx *c)
{
	struct sx_sip_msg *msg = c->msg;

	if (!(c->seen & ONCE_TO))
		return fail(c, -EBADMSG, 400, "Missing To");
	if (!(c->seen & ONCE_FROM))
		return fail(c, -EBADMSG, 400, "Missing From");
	if (!(c->seen & ONCE_CALL_ID))
		return fail(c, -EBADMSG, 400, "Missing Call-ID");
	if (!(c->seen & ONCE_CSEQ))
		return fail(c, -EBADMSG, 400, "Missing CSeq");
	if (!msg->nvias)
		return fail(c, -EBADMSG, 400, "Missing Via");
	/* RFC 4475 3.1.2.17 */
	if (msg->is_request && !sx_sl_eq(msg->method_sl, msg->cseq_method_sl))
		return fail(c, -EBADMSG, 400, "CSeq Method Mismatch");
	return 0;
}

/* RFC 3261 18.3: Content-Length frames the body; over UDP it may be
 * absent (the datagram's rest) and bytes after it are ignored. */
static int frame_body(struct pctx *c, const char *start, const char *body)
{
	struct sx_sip_msg *msg = c->msg;
	size_t avail = (size_t)(c->end - body), blen = avail;

	if (msg->has_content_length) {
		if (msg->content_length > avail)
			return fail(c, -EBADMSG, 400,
				    "Content-Length Exceeds Message");
		blen = msg->content_length;
	} else if (c->stream) {
		return fail(c, -EBADMSG, 400, "Missing Content-Length");
	}
	msg->body = sx_sl_make(body, blen);
	msg->wire = sx_sl_make(start, (size_t)(body + blen - start));
	return 0;
}

static int parse_msg(struct pctx *c, const char *p)
{
	struct sx_sip_msg *msg = c->msg;
	const char *start = p;
	int err = 0;

	p = start_line(c, p, &err);
	if (!p)
		return err;
	p = split_fields(c, p, &err);
	if (!p)
		return err;
	if (msg->nhdrs) {
		size_t sz = msg->nhdrs * sizeof(*msg->hdrs);
		msg->hdrs = sx_arena_alloc(&msg->arena, sz);
		if (!msg->hdrs)
			return fail_rc(c, -ENOMEM, NULL);
		memcpy(msg->hdrs, c->hdrs, sz);
	}
	err = eager_fields(c);
	if (!err)
		err = mandatory_fields(c);
	if (!err)
		err = frame_body(c, start, p);
	return err;
}

static bool is_response(const char *p, size_t len)
{
	struct sx_sl pre = SX_SL(SIP_VERSION_PREFIX);
	return len >= pre.len && sx_sl_prefix_nocase(sx_sl_make(p, len), pre);
}

int sx_sip_msg_parse(struct sx_sip_msg **msgp, const char *p, size_t len,
		     const struct sx_sip_parse_prm *prm,
		     struct sx_sip_perr *errp)
{
	struct pctx c; /* ~7 KiB: the field array, on the stack */
	struct msg_full *f;
	int err;

	if (!msgp || (!p && len))
		return -EINVAL;
	/* RFC 3261 7.5: ignore CRLFs before the start line */
	while (len && (*p == '\r' || *p == '\n')) {
		p++;
		len--;
	}
	c.errp = errp;
	c.response = is_response(p, len);
	if (!len)
		return fail(&c, -EBADMSG, 0, "Empty Message");
	if (len > SX_SIP_MAX_MSG_SIZE)
		return fail(&c, -E2BIG, 513, "Message Too Large");
	f = sx_mem_alloc(sizeof(*f), NULL);
	if (!f)
		return fail_rc(&c, -ENOMEM, NULL);
	memset(&f->msg, 0, sizeof(f->msg));
	sx_arena_init(&f->msg.arena, f->arena, sizeof(f->arena),
		      SX_SIP_MAX_ARENA);
	f->msg.max_forwards = -1;
	c.msg = &f->msg;
	c.end = p + len;
	c.stream = prm && prm->stream;
	c.nvia_fields = c.nroute_fields = 0;
	c.seen = 0;
	err = parse_msg(&c, p);
	if (err) {
		sx_sip_msg_free(&f->msg);
		return err;
	}
	if (prm && prm->owner)
		f->msg.owner = sx_mem_ref(prm->owner);
	*msgp = &f->msg;
	return 0;
}

void sx_sip_msg_free(struct sx_sip_msg *msg)
{
	if (!msg)
		return;
	sx_arena_fini(&msg->arena);
	sx_mem_unref(msg->owner);
	sx_mem_unref(SX_CONTAINER_OF(msg, struct msg_full, msg));
}

const struct sx_sip_hdr *sx_sip_msg_hdr_next(const struct sx_sip_msg *msg,
					     const struct sx_sip_hdr *prev,
					     enum sx_sip_hdr_id id)
{
	if (!msg)
		return NULL;
	size_t i = prev ? (size_t)(prev - msg->hdrs) + 1 : 0;
	for (; i < msg->nhdrs; i++)
		if (msg->hdrs[i].id == id)
			return &msg->hdrs[i];
	return NULL;
}

const struct sx_sip_hdr *sx_sip_msg_hdr(const struct sx_sip_msg *msg,
					enum sx_sip_hdr_id id)
{
	return sx_sip_msg_hdr_next(msg, NULL, id);
}

const struct sx_sip_hdr *sx_sip_msg_hdr_by_name(const struct sx_sip_msg *msg,
						struct sx_sl name)
{
	if (!msg)
		return NULL;
	for (size_t i = 0; i < msg->nhdrs; i++)
		if (sx_sl_eq_nocase(msg->hdrs[i].name, name))
			return &msg->hdrs[i];
	return NULL;
}

void *sx_sip_msg_alloc(struct sx_sip_msg *msg, size_t size)
{
	return msg ? sx_arena_alloc(&msg->arena, size) : NULL;
}
