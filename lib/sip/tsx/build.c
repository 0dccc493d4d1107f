/*
 * Messages the transaction layer builds itself: the ACK for a non-2xx
 * final response (RFC 3261 17.1.1.3), CANCEL (9.1), responses with an
 * optional body (8.2.6 through sx_sip_reply_print_body), To tags for
 * stateless replies (8.2.6.2: identical requests get the same tag) and
 * the response destination (18.2.2).
 */
#define SX_LOG_MOD "sip.tsx"

#include <stdio.h>

#include <sx/sip/transport.h>
#include <sx/util/log.h>

#include "tsx_int.h"

/* End of the header of a message without a body (ACK, CANCEL). */
#define EMPTY_BODY_TRAILER "Content-Length: 0\r\n\r\n"

static void put_field(struct sx_buf *out, const struct sx_sip_msg *m,
                      enum sx_sip_hdr_id id, const char *name)
{
	const struct sx_sip_hdr *h = sx_sip_msg_hdr(m, id);
	if (h)
		sx_sip_print_hdr(out, sx_sl_cstr(name), h->value);
}

/* Start line, the single top Via, Route fields and Max-Forwards shared
 * by ACK (17.1.1.3) and CANCEL (9.1). */
static void put_common(struct sx_buf *out, const struct sx_sip_msg *req,
                       const char *method)
{
	sx_sip_print_request_line(out, sx_sl_cstr(method), req->ruri_sl);
	sx_sip_print_hdr(out, SX_SL("Via"), req->vias[0].raw);
	for (const struct sx_sip_hdr *h = NULL;
	     (h = sx_sip_msg_hdr_next(req, h, SX_SIP_HDR_ROUTE));)
		sx_sip_print_hdr(out, SX_SL("Route"), h->value);
	sx_sip_print_hdrf(out, "Max-Forwards", "%u", SX_SIP_TSX_MAX_FORWARDS);
	put_field(out, req, SX_SIP_HDR_FROM, "From");
}

int sx_sip__tsx_build_ack(const struct sx_sip_msg *req,
                          const struct sx_sip_msg *resp, struct sx_buf *out)
{
	put_common(out, req, "ACK");
	/* 17.1.1.3: To equals the response's (it carries the tag) */
	put_field(out, resp, SX_SIP_HDR_TO, "To");
	put_field(out, req, SX_SIP_HDR_CALL_ID, "Call-ID");
	sx_sip_print_hdrf(out, "CSeq", "%u ACK", (unsigned)req->cseq);
	sx_buf_put_cstr(out, EMPTY_BODY_TRAILER);
	return sx_buf_err(out);
}

int sx_sip__tsx_build_cancel(const struct sx_sip_msg *req, struct sx_sl extra,
                             struct sx_buf *out)
{
	put_common(out, req, "CANCEL");
	put_field(out, req, SX_SIP_HDR_TO, "To");
	put_field(out, req, SX_SIP_HDR_CALL_ID, "Call-ID");
	sx_sip_print_hdrf(out, "CSeq", "%u CANCEL", (unsigned)req->cseq);
	sx_buf_put_sl(out, extra);
	sx_buf_put_cstr(out, EMPTY_BODY_TRAILER);
	return sx_buf_err(out);
}

int sx_sip__tsx_build_reply(const struct sx_sip_msg *req, uint16_t code,
                            const char *reason, struct sx_sl to_tag,
                            struct sx_sl extra, struct sx_sl ctype,
                            struct sx_sl body, struct sx_buf *out)
{
	return sx_sip_reply_print_body(req, code, reason, to_tag, extra, ctype,
	                               body, out);
}

/* 8.2.6.2 / 8.2.7: the tag of a stateless reply is a function of the
 * request, so its retransmissions get the same one. */
void sx_sip__tsx_stateless_tag(struct sx_sip_tsx_layer *l,
                               const struct sx_sip_msg *req, char *buf)
{
	uint32_t a = sx_sl_hash(req->call_id) ^ req->cseq;
	uint32_t b =
	    sx_sl_hash(req->vias[0].branch) ^ sx_sl_hash(req->from_tag);

	snprintf(buf, SX_SIP_BRANCH_SIZE, "sx%03x%08x%08x", l->prm.worker, a,
	         b);
}

/* 18.2.2 destination of responses to @req received from @peer; the
 * source address when the Via names a host to resolve or is unusable. */
void sx_sip__tsx_resp_dst(const struct sx_sip_msg *req,
                          const struct sx_sip_peer *peer,
                          struct sx_sip_peer *dst)
{
	int err = sx_sip_via_response_dst(&req->vias[0], peer, dst);
	if (err) {
		SX_LOG_DBG("response to the source address (%d)", err);
		*dst = *peer;
	}
}
