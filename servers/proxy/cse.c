/*
 * Call-state events (SIPXECS-REFERENCE.md 1.2, sipXproxy's CSE
 * observer): what the proxy saw of a call's INVITE (RFC 3261 13),
 * final response, BYE (15.1) and REFER (RFC 3515), appended to the
 * store's call-event log for the cdr service.  A record is the Call-ID,
 * the type ("request", "setup", "failure", "end", "transfer"), the wall
 * time and a flat JSON object of fields (docs/cdr.md, "Call-state
 * events").
 */
#define SX_LOG_MOD "proxy.cse"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sx/sip/hdr.h>
#include <sx/store/event.h>
#include <sx/util/buf.h>
#include <sx/util/log.h>

#include "cse.h"
#include "proxy_int.h"

static const char *const type_names[] = {
    [PX_CSE_REQUEST] = "request",   [PX_CSE_SETUP] = "setup",
    [PX_CSE_FAILURE] = "failure",   [PX_CSE_END] = "end",
    [PX_CSE_TRANSFER] = "transfer",
};

/* Length of the valid UTF-8 sequence at @p (RFC 3629 4), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len = p[0] < 0x80   ? 1
	             : p[0] < 0xc2 ? 0
	             : p[0] < 0xe0 ? 2
	             : p[0] < 0xf0 ? 3
	             : p[0] < 0xf5 ? 4
	                           : 0;
	unsigned cp = p[0] & (0x7fu >> len);

	if (len <= 1 || n < len)
		return len == 1 ? 1 : 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* RFC 8259 7: a quoted string; control characters are \u-escaped and
 * bytes that are not UTF-8 (SIP text should be, RFC 3261 25.1, but a
 * peer's may not) become U+FFFD, so the reader always gets valid JSON. */
static void put_str(struct sx_buf *b, const char *key, struct sx_sl v)
{
	const unsigned char *p = (const unsigned char *)v.p;

	sx_buf_printf(b, ",\"%s\":\"", key);
	for (size_t i = 0, n; i < v.len; i += n ? n : 1) {
		n = utf8_len(p + i, v.len - i);
		if (p[i] == '"' || p[i] == '\\')
			sx_buf_printf(b, "\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] == 0x7f)
			sx_buf_printf(b, "\\u%04x", p[i]);
		else if (!n)
			sx_buf_put_cstr(b, "\\ufffd");
		else
			sx_buf_put(b, p + i, n);
	}
	sx_buf_put(b, "\"", 1);
}

/* The value of the first @id field, empty when absent. */
static struct sx_sl hdr_value(const struct sx_sip_msg *m, enum sx_sip_hdr_id id)
{
	const struct sx_sip_hdr *h = m ? sx_sip_msg_hdr(m, id) : NULL;

	return h ? h->value : SX_SL_NULL;
}

static void put_fields(struct sx_buf *b, const struct sx_proxy *px,
                       enum px_cse_type type, const struct sx_sip_msg *req,
                       const struct sx_sip_msg *resp)
{
	/* the response carries the To tag the callee chose */
	const struct sx_sip_msg *dlg = resp ? resp : req;

	sx_buf_printf(b, "{\"cseq\":%lu", (unsigned long)req->cseq);
	put_str(b, "observer", sx_sl_cstr(px->domain));
	put_str(b, "from", dlg->from.uri.raw);
	put_str(b, "from_tag", dlg->from_tag);
	put_str(b, "to", dlg->to.uri.raw);
	put_str(b, "to_tag", dlg->to_tag);
	put_str(b, "ruri", req->ruri_sl);
	put_str(b, "contact", hdr_value(dlg, SX_SIP_HDR_CONTACT));
	if (resp) {
		sx_buf_printf(b, ",\"status\":%u", resp->status);
		put_str(b, "reason", resp->reason);
	}
	if (type == PX_CSE_TRANSFER) {
		put_str(b, "refer_to", hdr_value(req, SX_SIP_HDR_REFER_TO));
		put_str(b, "referred_by",
		        hdr_value(req, SX_SIP_HDR_REFERRED_BY));
	}
	sx_buf_put(b, "}", 1);
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Completion of an event nobody waits for. */
static void forgotten(int err, void *arg)
{
	(void)arg;
	if (err)
		SX_LOG_WARN_RL("call-state event lost: %s", strerror(-err));
}

static bool args_ok(enum px_cse_type type, const struct sx_sip_msg *req,
                    const struct sx_sip_msg *resp, px_cse_done_h *done,
                    struct sx_ev *loop)
{
	bool needs_resp = type == PX_CSE_SETUP || type == PX_CSE_FAILURE;

	return (unsigned)type < SX_ARRAY_SIZE(type_names) && req &&
	       req->is_request && needs_resp == (resp != NULL) &&
	       (!resp || !resp->is_request) && loop && req->call_id.len &&
	       req->call_id.len <= SX_STORE_EV_CALL_ID_MAX;
}

int px_cse_emit(struct sx_proxy *px, struct sx_ev *loop, enum px_cse_type type,
                const struct sx_sip_msg *req, const struct sx_sip_msg *resp,
                px_cse_done_h *done, void *arg)
{
	struct sx_buf b;
	int err;

	if (px && !px->store)
		return -ENOSYS; /* nothing recorded: callers go on */
	if (!px || !args_ok(type, req, resp, done, loop))
		return -EINVAL;
	sx_buf_init(&b, SX_STORE_EV_FIELDS_MAX);
	put_fields(&b, px, type, req, resp);
	err = sx_buf_err(&b);
	if (!err) {
		const struct sx_store_event ev = {
		    .call_id = req->call_id,
		    .type = sx_sl_cstr(type_names[type]),
		    .time_ms = wall_ms(),
		    .fields = sx_buf_sl(&b),
		};
		const struct sx_store_cb cb = {loop, done, arg};
		/* without @done: queued and forgotten, never blocking */
		const struct sx_store_cb forget = {loop, forgotten, NULL};
		err = sx_store_event_append(px->store, SX_STORE_LOG_CALL_EVENTS,
		                            &ev, done ? &cb : &forget);
	}
	sx_buf_fini(&b);
	return err;
}
