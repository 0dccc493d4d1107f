/*
 * sipx-uac calls: INVITE (RFC 3261 13.2.1) with an SDP offer (RFC
 * 3264), the ACK for a 2xx built by the UAC core and repeated for each
 * 2xx retransmission (13.2.2.4, 17.1.1.3, RFC 6026 7.2), the dialog's
 * remote target and route set (12.1.2), BYE (15.1.1), CANCEL after a
 * provisional (9.1), and digest credentials after 401/407 (22.2).
 */
#define SX_LOG_MOD "uac"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sx/sip/hdrs.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "uac.h"

/** Max-Forwards of our requests (RFC 3261 8.1.1.6). */
#define UAC_MAX_FORWARDS 70

static const char sdp_fmt[] = "v=0\r\n"
                              "o=sipx-uac %" PRIu64 " 1 IN IP%c %s\r\n"
                              "s=-\r\n"
                              "c=IN IP%c %s\r\n"
                              "t=0 0\r\n"
                              "m=audio 9 RTP/AVP 0\r\n"
                              "a=rtpmap:0 PCMU/8000\r\n";

static void inv_resp(struct sx_sip_tsx *ctsx, uint16_t status,
                     const struct sx_sip_msg *resp, void *arg);
static void bye_resp(struct sx_sip_tsx *ctsx, uint16_t status,
                     const struct sx_sip_msg *resp, void *arg);

/* -- building requests -- */

static const char *from_user(const struct uac *uac)
{
	return uac->user ? uac->user : "sipx-uac";
}

/* Request-URI of the INVITE: the target, with its transport. */
static void print_ruri(struct sx_buf *out, const struct uac *uac)
{
	sx_buf_printf(out, "sip:%s@%s", uac->ruri_user, uac->target_str);
	if (uac->proto != SX_SIP_PROTO_UDP)
		sx_buf_printf(out, ";transport=%s", tool_proto_lc(uac->proto));
}

/* The common part of every request of the call (RFC 3261 8.1.1). */
static void print_head(struct uac_call *call, const char *method,
                       struct sx_sl ruri, struct sx_sl to, uint32_t cseq,
                       struct sx_buf *out)
{
	struct uac_worker *uw = call->uw;
	const struct uac *uac = uw->uac;
	char branch[SX_SIP_BRANCH_SIZE];

	sx_sip_branch_make(uw->w->layer, branch);
	sx_buf_printf(out, "%s %.*s SIP/2.0\r\n", method, SX_SL_FMT(ruri));
	sx_buf_printf(out, "Via: SIP/2.0/%s %s;branch=%s;rport\r\n",
	              sx_sip_proto_name(uac->proto), uw->local, branch);
	sx_buf_printf(out, "Max-Forwards: %d\r\n", UAC_MAX_FORWARDS);
	sx_buf_printf(out, "From: <sip:%s@%s>;tag=%s\r\n", from_user(uac),
	              uw->local, call->from_tag);
	sx_buf_printf(out, "To: %.*s\r\n", SX_SL_FMT(to));
	sx_buf_printf(out, "Call-ID: %s\r\n", call->call_id);
	sx_buf_printf(out, "CSeq: %" PRIu32 " %s\r\n", cseq, method);
}

/* Credentials for the accepted challenge (RFC 3261 22.2), or none. */
static int print_auth(struct uac_call *call, const char *method,
                      struct sx_sl uri)
{
	const struct uac *uac = call->uw->uac;
	struct sx_sip_auth_client_prm prm = {
	    .username = sx_sl_cstr(uac->user),
	    .password = sx_sl_cstr(uac->password),
	    .method = sx_sl_cstr(method),
	    .uri = uri,
	};

	sx_buf_reset(&call->auth_hdr);
	if (!call->auth.nonce_len)
		return 0;
	sx_buf_printf(&call->auth_hdr,
	              "%s: ", sx_sip_auth_client_hdr_name(&call->auth));
	int err = sx_sip_auth_client_authorize(&call->auth, &prm,
	                                       &call->auth_hdr);
	sx_buf_put_cstr(&call->auth_hdr, "\r\n");
	return err ? err : sx_buf_err(&call->auth_hdr);
}

/* No conn_id: the stream transport reuses the connection opened at
 * start (verified against --tls-name) by address, and a transport error
 * on any connection to the target then fails our transactions (the
 * layer matches errors by conn_id when both sides have one). */
static struct sx_sip_peer target_peer(const struct uac_worker *uw)
{
	return (struct sx_sip_peer){.proto = uw->uac->proto,
	                            .remote = uw->uac->target};
}

static int send_request(struct uac_call *call, struct sx_sip_tsx **tsxp,
                        sx_sip_tsx_response_h *resp_h)
{
	struct sx_sip_tsx_req_prm prm = {
	    .buf = call->msg.p,
	    .len = call->msg.len,
	    .dst = target_peer(call->uw),
	    .resp_h = resp_h,
	    .arg = call,
	};

	*tsxp = sx_mem_unref(*tsxp);
	return sx_sip_tsx_request(tsxp, call->uw->w->layer, &prm);
}

static int send_invite(struct uac_call *call)
{
	struct uac_worker *uw = call->uw;
	struct sx_buf *m = &call->msg;
	char sdp[512], ruri[SX_SA_STRLEN + 128], to[SX_SA_STRLEN + 160];
	char v = sx_sa_af(&uw->uac->target) == AF_INET6 ? '6' : '4';
	struct sx_buf rb;
	int n, err;

	sx_buf_init(&rb, sizeof(ruri));
	print_ruri(&rb, uw->uac);
	err = sx_buf_err(&rb);
	if (!err)
		snprintf(ruri, sizeof(ruri), "%s", rb.p);
	sx_buf_fini(&rb);
	if (err)
		return err;
	snprintf(to, sizeof(to), "<sip:%s@%s>", uw->uac->ruri_user,
	         uw->uac->target_str);
	n = snprintf(sdp, sizeof(sdp), sdp_fmt, call->seq, v, uw->local_addr,
	             v, uw->local_addr);
	err = print_auth(call, "INVITE", sx_sl_cstr(ruri));
	if (err)
		return err;
	sx_buf_reset(m);
	print_head(call, "INVITE", sx_sl_cstr(ruri), sx_sl_cstr(to),
	           call->cseq, m);
	sx_buf_printf(m, "Contact: <sip:uac@%s;transport=%s>\r\n", uw->local,
	              tool_proto_lc(uw->uac->proto));
	sx_buf_put_sl(m, sx_buf_sl(&call->auth_hdr));
	sx_buf_put_cstr(m, "Content-Type: application/sdp\r\n");
	sx_buf_printf(m, "Content-Length: %d\r\n\r\n%s", n, sdp);
	err = sx_buf_err(m);
	call->inv_cseq = call->cseq;
	return err ? err : send_request(call, &call->inv, inv_resp);
}

static int send_bye(struct uac_call *call)
{
	struct sx_buf *m = &call->msg;
	struct sx_sl target = sx_buf_sl(&call->target);
	int err = print_auth(call, "BYE", target);

	if (err)
		return err;
	sx_buf_reset(m);
	print_head(call, "BYE", target, sx_buf_sl(&call->to), ++call->cseq, m);
	sx_buf_put_sl(m, sx_buf_sl(&call->route));
	sx_buf_put_sl(m, sx_buf_sl(&call->auth_hdr));
	sx_buf_put_cstr(m, "Content-Length: 0\r\n\r\n");
	err = sx_buf_err(m);
	return err ? err : send_request(call, &call->bye, bye_resp);
}

/* -- the dialog (RFC 3261 12.1.2) -- */

/* Route set: the Record-Route values of the 2xx in reverse order. */
static int dialog_routes(struct uac_call *call, const struct sx_sip_msg *resp)
{
	struct sx_sl rr[SX_SIP_MAX_ROUTE];
	struct sx_sip_msg_iter it;
	struct sx_sip_addr a;
	size_t n = 0;
	int rc;

	sx_sip_msg_iter_init(&it, resp, SX_SIP_HDR_RECORD_ROUTE);
	while ((rc = sx_sip_msg_addr_next(&it, &a)) == 1 &&
	       n < SX_ARRAY_SIZE(rr))
		rr[n++] = a.raw;
	if (rc < 0 || n == SX_ARRAY_SIZE(rr))
		return -EBADMSG;
	sx_buf_reset(&call->route);
	for (size_t i = n; i-- > 0;)
		sx_buf_printf(&call->route, "%s%.*s%s",
		              i == n - 1 ? "Route: " : "", SX_SL_FMT(rr[i]),
		              i ? ", " : "\r\n");
	return sx_buf_err(&call->route);
}

static int dialog_set(struct uac_call *call, const struct sx_sip_msg *resp)
{
	const struct sx_sip_hdr *to = sx_sip_msg_hdr(resp, SX_SIP_HDR_TO);
	struct sx_sip_msg_iter it;
	struct sx_sip_contact c;

	sx_sip_msg_contact_iter_init(&it, resp);
	if (!to || !resp->to_tag.len || sx_sip_msg_contact_next(&it, &c) != 1)
		return -EBADMSG; /* 12.1.2: the 2xx must carry both */
	sx_buf_reset(&call->target);
	sx_buf_reset(&call->to);
	sx_buf_put_sl(&call->target, c.addr.uri.raw);
	sx_buf_put_sl(&call->to, to->value);
	int err = sx_buf_err(&call->target);
	if (!err)
		err = sx_buf_err(&call->to);
	return err ? err : dialog_routes(call, resp);
}

/* RFC 3261 13.2.2.4: the ACK for the 2xx, outside any transaction. */
static int build_ack(struct uac_call *call)
{
	struct sx_buf *m = &call->ack;
	struct sx_sl target = sx_buf_sl(&call->target);

	sx_buf_reset(m);
	print_head(call, "ACK", target, sx_buf_sl(&call->to), call->inv_cseq,
	           m);
	sx_buf_put_sl(m, sx_buf_sl(&call->route));
	/* 22.1: the same credentials as the INVITE */
	sx_buf_put_sl(m, sx_buf_sl(&call->auth_hdr));
	sx_buf_put_cstr(m, "Content-Length: 0\r\n\r\n");
	return sx_buf_err(m);
}

static int send_ack(struct uac_call *call)
{
	struct sx_sip_peer dst = target_peer(call->uw);

	return sx_sip_tsx_send_stateless(call->uw->w->layer, &dst,
	                                 call->ack.p, call->ack.len);
}

/* -- call life -- */

static void call_reset(struct uac_call *call)
{
	call->inv = sx_mem_unref(call->inv);
	call->bye = sx_mem_unref(call->bye);
	sx_tmr_stop(&call->tmr);
	call->state = UAC_CALL_FREE;
}

static void worker_check_done(struct uac_worker *uw)
{
	if (uw->done || uw->placed < uw->to_place || uw->active)
		return;
	uw->done = true;
	if (atomic_fetch_sub(&uw->uac->running, 1) == 1)
		tool_stop(&uw->uac->tool);
}

/* Book-keeping of a finished call; the caller launches more. */
static void call_end(struct uac_call *call, bool ok, uint16_t status,
                     const char *what)
{
	struct uac_worker *uw = call->uw;

	if (ok) {
		uw->ok++;
	} else {
		uw->failed++;
		if (atomic_fetch_add(&uw->uac->fail_logged, 1) <
		    UAC_FAIL_LOG_MAX)
			SX_LOG_ERR("call %" PRIu64 " (%s) failed: %s %u",
			           call->seq, call->call_id, what, status);
	}
	call_reset(call);
	uw->active--;
}

static void call_done(struct uac_call *call, bool ok, uint16_t status,
                      const char *what)
{
	struct uac_worker *uw = call->uw;

	call_end(call, ok, status, what);
	uac_launch(uw);
	worker_check_done(uw);
}

static void pause_done(void *arg)
{
	struct uac_call *call = arg;
	int err = send_bye(call);

	if (err)
		call_done(call, false, 0, "BYE not sent");
	else
		call->state = UAC_CALL_BYEING;
}

static void answered(struct uac_call *call, const struct sx_sip_msg *resp)
{
	struct uac_worker *uw = call->uw;
	int err;

	if (call->ack.len) {
		/* 13.2.2.4: a retransmitted 2xx gets the same ACK */
		if (send_ack(call))
			SX_LOG_WARN_RL("ACK retransmission failed");
		return;
	}
	err = dialog_set(call, resp);
	if (!err)
		err = build_ack(call);
	if (!err)
		err = send_ack(call);
	if (err) {
		call_done(call, false, 200, "cannot ACK the 2xx");
		return;
	}
	call->state = UAC_CALL_UP;
	if (sx_tmr_start(uw->w->loop, &call->tmr, uw->uac->pause_ms,
	                 pause_done, call))
		call_done(call, false, 200, "no timer for the BYE");
}

/* 401/407: answer the challenge once per request (RFC 3261 22.2). */
static bool challenged(struct uac_call *call, uint16_t status,
                       const struct sx_sip_msg *resp, bool *triedp)
{
	const struct uac *uac = call->uw->uac;

	if ((status != 401 && status != 407) || !resp || !uac->user ||
	    !uac->password || *triedp)
		return false;
	*triedp = true;
	return sx_sip_auth_client_set_msg(&call->auth, resp) == 0;
}

static void inv_resp(struct sx_sip_tsx *ctsx, uint16_t status,
                     const struct sx_sip_msg *resp, void *arg)
{
	struct uac_call *call = arg;
	struct uac *uac = call->uw->uac;

	if (ctsx != call->inv || call->state == UAC_CALL_FREE)
		return; /* a transaction of an earlier call in this slot */
	if (status < 200) {
		if (uac->cancel && !call->cancel_sent) {
			call->cancel_sent = true;
			if (sx_sip_tsx_cancel(ctsx, SX_SL_NULL))
				call_done(call, false, status, "CANCEL failed");
		}
		return;
	}
	if (status < 300) {
		if (resp)
			answered(call, resp);
		return;
	}
	if (call->state != UAC_CALL_INVITING)
		return;
	if (challenged(call, status, resp, &call->inv_auth_tried)) {
		call->cseq++;
		if (send_invite(call))
			call_done(call, false, status, "INVITE with credentials");
		return;
	}
	if (uac->cancel && status == 487)
		call_done(call, true, status, "");
	else
		call_done(call, false, status, "INVITE answered");
}

static void bye_resp(struct sx_sip_tsx *ctsx, uint16_t status,
                     const struct sx_sip_msg *resp, void *arg)
{
	struct uac_call *call = arg;

	if (ctsx != call->bye || call->state != UAC_CALL_BYEING ||
	    status < 200)
		return;
	if (status < 300) {
		call_done(call, true, status, "");
		return;
	}
	if (challenged(call, status, resp, &call->bye_auth_tried)) {
		if (send_bye(call))
			call_done(call, false, status, "BYE with credentials");
		return;
	}
	call_done(call, false, status, "BYE answered");
}

static int call_start(struct uac_call *call)
{
	struct uac_worker *uw = call->uw;

	call->seq = uw->placed * uw->uac->tool.nworkers + uw->w->id;
	call->cseq = 1;
	call->cancel_sent = false;
	call->inv_auth_tried = call->bye_auth_tried = false;
	sx_sip_auth_client_init(&call->auth);
	sx_buf_reset(&call->auth_hdr);
	sx_buf_reset(&call->ack);
	sx_sip_tag_make(uw->w->layer, call->from_tag);
	char rnd[SX_SIP_BRANCH_SIZE];
	sx_sip_tag_make(uw->w->layer, rnd);
	snprintf(call->call_id, sizeof(call->call_id), "%s-%" PRIu64 "@sipx-uac",
	         rnd, call->seq);
	call->state = UAC_CALL_INVITING;
	uw->placed++;
	uw->active++;
	return send_invite(call);
}

/* Calls this worker may start now under the rate limit. */
static uint64_t allowance(struct uac_worker *uw)
{
	const struct uac *uac = uw->uac;
	uint64_t left = uw->to_place - uw->placed;

	if (!uac->rate)
		return left;
	unsigned share = SX_MAX(1u, uac->rate / uac->tool.nworkers);
	uint64_t due = share * (tool_now_ms() - uw->first_ms) / 1000u + 1;
	return due > uw->placed ? SX_MIN(left, due - uw->placed) : 0;
}

void uac_launch(struct uac_worker *uw)
{
	uint64_t n = allowance(uw);

	for (size_t i = 0; i < uw->nslots && n && !uw->done; i++) {
		struct uac_call *call = &uw->slots[i];
		if (call->state != UAC_CALL_FREE)
			continue;
		n--;
		int err = call_start(call);
		if (err)
			call_end(call, false, 0, strerror(-err));
	}
	worker_check_done(uw);
}

static void tick(void *arg)
{
	struct uac_worker *uw = arg;

	uac_launch(uw);
	if (uw->uac->rate && uw->placed < uw->to_place &&
	    sx_tmr_start(uw->w->loop, &uw->tick, UAC_TICK_MS, tick, uw))
		SX_LOG_ERR("cannot arm the rate timer");
}

int uac_worker_setup(struct uac_worker *uw)
{
	struct uac *uac = uw->uac;
	unsigned nw = uac->tool.nworkers ? uac->tool.nworkers : 1;
	size_t n = SX_MAX(1u, uac->concurrency / nw);

	uw->slots = sx_mem_zalloc(n * sizeof(*uw->slots), NULL);
	if (!uw->slots)
		return -ENOMEM;
	uw->nslots = n;
	for (size_t i = 0; i < n; i++) {
		struct uac_call *c = &uw->slots[i];
		c->uw = uw;
		sx_buf_init(&c->auth_hdr, UAC_AUTH_MAX);
		sx_buf_init(&c->target, SX_SIP_MAX_LINE_LEN);
		sx_buf_init(&c->to, SX_SIP_MAX_LINE_LEN);
		sx_buf_init(&c->route, SX_SIP_MAX_LINE_LEN);
		sx_buf_init(&c->msg, SX_SIP_MAX_MSG_SIZE);
		sx_buf_init(&c->ack, SX_SIP_MAX_MSG_SIZE);
	}
	uw->first_ms = tool_now_ms();
	return sx_tmr_start(uw->w->loop, &uw->tick, 0, tick, uw);
}

void uac_worker_release(struct uac_worker *uw)
{
	sx_tmr_stop(&uw->tick);
	for (size_t i = 0; uw->slots && i < uw->nslots; i++) {
		struct uac_call *c = &uw->slots[i];
		call_reset(c);
		sx_buf_fini(&c->auth_hdr);
		sx_buf_fini(&c->target);
		sx_buf_fini(&c->to);
		sx_buf_fini(&c->route);
		sx_buf_fini(&c->msg);
		sx_buf_fini(&c->ack);
	}
	uw->slots = sx_mem_unref(uw->slots);
}
