/*
 * SIP printer (RFC 3261 7, 16.6 request forwarding, 18.2.1 Via
 * insertion): re-emit a parsed message with edits, copying every
 * untouched byte range with one memcpy, and small from-scratch printers.
 */
#include <errno.h>
#include <stdarg.h>

#include <sx/sip/print.h>

/* A contiguous range of original bytes waiting to be copied. */
struct run {
	const char *p, *end;
};

static void run_flush(struct run *r, struct sx_buf *out)
{
	if (r->p != r->end)
		sx_buf_put(out, r->p, (size_t)(r->end - r->p));
	r->p = r->end = NULL;
}

static void run_add(struct run *r, struct sx_buf *out, const char *p,
		    const char *end)
{
	if (r->end != p) {
		run_flush(r, out);
		r->p = p;
	}
	r->end = end;
}

static const char *sl_end(struct sx_sl s)
{
	return s.p + s.len;
}

/* First byte after the start line's line break. */
static const char *start_line_end(const struct sx_sip_msg *msg)
{
	if (msg->nhdrs)
		return msg->hdrs[0].raw.p;
	const char *e = msg->is_request ? sl_end(msg->version)
					: sl_end(msg->reason);
	const char *wend = sl_end(msg->wire);
	if (e < wend && *e == '\r')
		e++;
	if (e < wend && *e == '\n')
		e++;
	return e;
}

static bool removed(const struct sx_sip_edit *ed, const struct sx_sip_hdr *h)
{
	for (size_t i = 0; i < ed->nremove; i++)
		if (ed->remove[i] == h)
			return true;
	for (size_t i = 0; i < ed->nremove_id; i++)
		if (ed->remove_id[i] == h->id)
			return true;
	return false;
}

/* The field with its value replaced by a number, name and CRLF kept. */
static void put_number_field(struct sx_buf *out, const struct sx_sip_hdr *h,
			     unsigned long long v)
{
	sx_buf_put(out, h->raw.p, (size_t)(h->value.p - h->raw.p));
	sx_buf_put_u64(out, v);
	sx_buf_put(out, sl_end(h->value),
		   (size_t)(sl_end(h->raw) - sl_end(h->value)));
}

/* The field without its first value: "Via: " then the second value on. */
static void put_rest_field(struct sx_buf *out, const struct sx_sip_hdr *h,
			   const char *second)
{
	sx_buf_put(out, h->raw.p, (size_t)(h->value.p - h->raw.p));
	sx_buf_put(out, second, (size_t)(sl_end(h->raw) - second));
}

struct pstate {
	const struct sx_sip_msg *msg;
	const struct sx_sip_edit *ed;
	struct sx_buf *out;
	bool mf_done, cl_done;
};

enum action { KEEP, DROP, POP_VIA, POP_ROUTE, SET_MF, SET_CL };

static enum action classify(const struct pstate *s, const struct sx_sip_hdr *h)
{
	const struct sx_sip_msg *msg = s->msg;
	const struct sx_sip_edit *ed = s->ed;

	if (removed(ed, h))
		return DROP;
	if (ed->pop_via && h == msg->vias[0].hdr)
		return POP_VIA;
	if (ed->pop_route && h == msg->routes[0].hdr)
		return POP_ROUTE;
	if (ed->set_max_forwards && h->id == SX_SIP_HDR_MAX_FORWARDS)
		return SET_MF;
	if (ed->set_body && h->id == SX_SIP_HDR_CONTENT_LENGTH)
		return SET_CL;
	return KEEP;
}

/* Emit one edited field (pop keeps the field's other values). */
static void put_edited(struct pstate *s, const struct sx_sip_hdr *h,
		       enum action act)
{
	const struct sx_sip_msg *msg = s->msg;

	switch (act) {
	case POP_VIA:
		if (msg->nvias > 1 && msg->vias[1].hdr == h)
			put_rest_field(s->out, h, msg->vias[1].raw.p);
		break;
	case POP_ROUTE:
		if (msg->nroutes > 1 && msg->routes[1].hdr == h)
			put_rest_field(s->out, h, msg->routes[1].addr.raw.p);
		break;
	case SET_MF:
		put_number_field(s->out, h, s->ed->max_forwards);
		s->mf_done = true;
		break;
	case SET_CL:
		put_number_field(s->out, h, s->ed->body.len);
		s->cl_done = true;
		break;
	default:
		break;
	}
}

static void put_fields(struct pstate *s)
{
	const struct sx_sip_msg *msg = s->msg;
	const struct sx_sip_edit *ed = s->ed;
	bool edits = ed->nremove || ed->nremove_id || ed->pop_via ||
		     ed->pop_route || ed->set_max_forwards || ed->set_body;
	struct run r = {NULL, NULL};

	for (size_t i = 0; i < msg->nhdrs; i++) {
		const struct sx_sip_hdr *h = &msg->hdrs[i];
		enum action act = edits ? classify(s, h) : KEEP;
		if (act == KEEP) {
			run_add(&r, s->out, h->raw.p, sl_end(h->raw));
			continue;
		}
		run_flush(&r, s->out);
		put_edited(s, h, act);
	}
	run_flush(&r, s->out);
}

static bool edit_valid(const struct sx_sip_msg *msg,
		       const struct sx_sip_edit *ed)
{
	return (!ed->ruri.len || msg->is_request) &&
	       (!ed->pop_via || msg->nvias) &&
	       (!ed->pop_route || msg->nroutes) &&
	       ed->nremove <= SX_SIP_EDIT_MAX &&
	       ed->nremove_id <= SX_SIP_EDIT_MAX &&
	       ed->nadd <= SX_SIP_EDIT_MAX && ed->nprepend <= SX_SIP_EDIT_MAX;
}

int sx_sip_msg_print(const struct sx_sip_msg *msg,
		     const struct sx_sip_edit *ed, struct sx_buf *out)
{
	if (!msg || !out)
		return -EINVAL;
	if (!ed) {
		sx_buf_put_sl(out, msg->wire);
		return sx_buf_err(out);
	}
	if (!edit_valid(msg, ed))
		return -EINVAL;

	struct pstate s = {.msg = msg, .ed = ed, .out = out};
	const char *w = msg->wire.p, *hstart = start_line_end(msg);
	const char *hend = msg->nhdrs ? sl_end(msg->hdrs[msg->nhdrs - 1].raw)
				      : hstart;

	/* RFC 3261 16.6 step 2: the Request-URI may be replaced */
	if (ed->ruri.len) {
		sx_buf_put(out, w, (size_t)(msg->ruri_sl.p - w));
		sx_buf_put_sl(out, ed->ruri);
		sx_buf_put(out, sl_end(msg->ruri_sl),
			   (size_t)(hstart - sl_end(msg->ruri_sl)));
	} else {
		sx_buf_put(out, w, (size_t)(hstart - w));
	}
	/* RFC 3261 16.6 step 8: our Via goes on top */
	if (ed->push_via.len)
		sx_sip_print_hdr(out, SX_SL("Via"), ed->push_via);
	for (size_t i = 0; i < ed->nprepend; i++)
		sx_sip_print_hdr(out, ed->prepend[i].name, ed->prepend[i].value);
	put_fields(&s);
	if (ed->set_max_forwards && !s.mf_done)
		sx_sip_print_hdrf(out, "Max-Forwards", "%u", ed->max_forwards);
	if (ed->set_body && !s.cl_done)
		sx_sip_print_hdrf(out, "Content-Length", "%zu", ed->body.len);
	for (size_t i = 0; i < ed->nadd; i++)
		sx_sip_print_hdr(out, ed->add[i].name, ed->add[i].value);
	/* the empty line as it was, then the body */
	sx_buf_put(out, hend, (size_t)(msg->body.p - hend));
	sx_buf_put_sl(out, ed->set_body ? ed->body : msg->body);
	return sx_buf_err(out);
}

/* -- from scratch -------------------------------------------------------- */

void sx_sip_print_request_line(struct sx_buf *out, struct sx_sl method,
			       struct sx_sl uri)
{
	sx_buf_put_sl(out, method);
	sx_buf_put(out, " ", 1);
	sx_buf_put_sl(out, uri);
	sx_buf_put_cstr(out, " SIP/2.0\r\n");
}

void sx_sip_print_status_line(struct sx_buf *out, unsigned code,
			      struct sx_sl reason)
{
	sx_buf_put_cstr(out, "SIP/2.0 ");
	sx_buf_put_u64(out, code);
	sx_buf_put(out, " ", 1);
	sx_buf_put_sl(out, reason);
	sx_buf_put(out, "\r\n", 2);
}

void sx_sip_print_hdr(struct sx_buf *out, struct sx_sl name,
		      struct sx_sl value)
{
	sx_buf_put_sl(out, name);
	sx_buf_put(out, ": ", 2);
	sx_buf_put_sl(out, value);
	sx_buf_put(out, "\r\n", 2);
}

void sx_sip_print_hdrf(struct sx_buf *out, const char *name, const char *fmt,
		       ...)
{
	va_list ap;

	sx_buf_put_cstr(out, name);
	sx_buf_put(out, ": ", 2);
	va_start(ap, fmt);
	sx_buf_vprintf(out, fmt, ap);
	va_end(ap);
	sx_buf_put(out, "\r\n", 2);
}

void sx_sip_print_body(struct sx_buf *out, struct sx_sl ctype,
		       struct sx_sl body)
{
	if (ctype.len)
		sx_sip_print_hdr(out, SX_SL("Content-Type"), ctype);
	sx_buf_put_cstr(out, "Content-Length: ");
	sx_buf_put_u64(out, body.len);
	sx_buf_put(out, "\r\n\r\n", 4);
	sx_buf_put_sl(out, body);
}
