/*
 * Server transactions (RFC 3261 17.2): INVITE (17.2.1 with the RFC 6026
 * 7.1 Accepted state and Timer L), non-INVITE (17.2.2), absorption of
 * request retransmissions and of the ACK for non-2xx finals, the
 * automatic 100 Trying (17.2.1, 16.2), CANCEL (9.2), merged requests
 * (8.2.2.2) and the transaction limit (503 with Retry-After, 21.5.4).
 */
#define SX_LOG_MOD "sip.tsx"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "tsx_int.h"

/* Timers H, J, L: 64*T1 (Table 4). */
#define T1X_TIMEOUT 64u
/* Local policy: a non-INVITE server transaction its TU never answers
 * ends after twice the client's Timer F (no 17.2.2 timer covers it). */
#define T1X_NI_GUARD 128u

static bool is_final_sent(const struct sx_sip_tsx *t)
{
	return t->status >= 200;
}

static int send_out(struct sx_sip_tsx *t)
{
	return sx_sip__tsx_send(t->layer, &t->rdst, t->out, t->outlen);
}

/* Replies the layer makes itself: a failure is logged, the peer will
 * retransmit (or the transaction has ended on a send error). */
static void reply_code(struct sx_sip_tsx *t, uint16_t code)
{
	int err =
	    sx_sip_tsx_reply(t, code, NULL, SX_SL_NULL, SX_SL_NULL, SX_SL_NULL);
	if (err)
		SX_LOG_DBG("automatic %u not sent: %d", code, err);
}

static void reply_stateless(struct sx_sip_tsx_layer *l,
                            const struct sx_sip_msg *req,
                            const struct sx_sip_peer *peer, uint16_t code,
                            struct sx_sl extra)
{
	int err = sx_sip_tsx_reply_stateless(l, req, peer, code, NULL, extra);
	if (err)
		SX_LOG_DBG("stateless %u not sent: %d", code, err);
}

/* -- timers -- */

static void on_done(void *arg) /* I, J, L */
{
	struct sx_sip_tsx *t = arg;

	sx_sip__tsx_end(t, SX_SIP_TSX_END_NORMAL, true);
	sx_mem_unref(t);
}

static void on_timeout(void *arg) /* H, non-INVITE guard */
{
	struct sx_sip_tsx *t = arg;

	sx_sip__tsx_end(t, SX_SIP_TSX_END_TIMEOUT, true);
	sx_mem_unref(t);
}

/* G (17.2.1): resend the final, MIN(2G, T2). */
static void on_retx(void *arg)
{
	struct sx_sip_tsx *t = arg;

	if (send_out(t)) {
		sx_sip__tsx_end(t, SX_SIP_TSX_END_TRANSPORT, true);
		goto out;
	}
	t->retx_ms = SX_MIN(t->retx_ms * 2, t->layer->prm.t2_ms);
	if (sx_sip__tsx_arm(t, &t->t_retx, t->retx_ms, on_retx))
		sx_sip__tsx_end(t, SX_SIP_TSX_END_NOMEM, true);
out:
	sx_mem_unref(t);
}

/* 17.2.1: the TU has not answered within 200 ms. */
static void on_trying(void *arg)
{
	struct sx_sip_tsx *t = arg;

	if (t->state == SX_SIP_TSX_PROCEEDING && !t->status)
		reply_code(t, 100);
	sx_mem_unref(t);
}

/* -- responses -- */

static int may_send(const struct sx_sip_tsx *t, uint16_t code)
{
	if (!t->layer)
		return -ENOTCONN;
	switch (t->state) {
	case SX_SIP_TSX_TRYING:
	case SX_SIP_TSX_PROCEEDING:
		return 0;
	case SX_SIP_TSX_ACCEPTED:
		/* RFC 6026 7.1: the TU retransmits its 2xx */
		return code >= 200 && code < 300 ? 0 : -EALREADY;
	default:
		return -EALREADY;
	}
}

/*
 * Over UDP a completed non-INVITE server transaction lives on for Timer
 * J (32 s) only to answer retransmissions of its request (17.2.2): it
 * needs the key that matches them and its response, not the parsed
 * request (~4 KiB with its arena), which it lets go.  Not at once: the
 * TU may read the request right after answering, so this happens when
 * the layer receives its next message.  RFC 2543 transactions (no
 * magic cookie) keep their request, which their matching reads.
 */
static void compact_later(struct sx_sip_tsx *t)
{
	struct sx_sip_tsx_layer *l = t->layer;

	if (t->req_holds || t->compact_queued || !t->req || !l ||
	    !t->in_srv_tab || t->invite || t->reliable)
		return;
	t->compact_queued = true;
	t->compact_next = l->compact;
	l->compact = sx_mem_ref(t);
}

void sx_sip_tsx_hold_request(struct sx_sip_tsx *stsx, bool hold)
{
	if (!stsx || stsx->client)
		return;
	if (hold) {
		stsx->req_holds++;
		return;
	}
	if (stsx->req_holds && !--stsx->req_holds &&
	    stsx->state == SX_SIP_TSX_COMPLETED)
		compact_later(stsx);
}

/* Copy @t's key into a block of its own and free the request; on
 * allocation failure the transaction just keeps its request. */
static void compact(struct sx_sip_tsx *t)
{
	struct sx_sip__tsx_key *k = &t->key;
	struct sx_sl *f[] = {&t->branch,     &k->sent_by, &k->via_raw,
	                     &k->call_id,    &k->from_tag, &k->to_tag,
	                     &k->method_sl};
	size_t n = 0;

	if (!t->req || t->req_holds || t->state != SX_SIP_TSX_COMPLETED)
		return;
	for (size_t i = 0; i < SX_ARRAY_SIZE(f); i++)
		n += f[i]->len;
	char *p = sx_mem_alloc(n ? n : 1, NULL);
	if (!p)
		return;
	t->key_buf = p;
	for (size_t i = 0; i < SX_ARRAY_SIZE(f); i++) {
		if (f[i]->len)
			memcpy(p, f[i]->p, f[i]->len);
		f[i]->p = p;
		p += f[i]->len;
	}
	sx_sip_msg_free(t->req);
	t->req = NULL;
}

void sx_sip__tsx_compact_pending(struct sx_sip_tsx_layer *l)
{
	while (l->compact) {
		struct sx_sip_tsx *t = l->compact;
		l->compact = t->compact_next;
		t->compact_next = NULL;
		t->compact_queued = false;
		compact(t);
		sx_mem_unref(t);
	}
}

/* The state change after sending @t->status (17.2.1, 17.2.2). */
static int after_send(struct sx_sip_tsx *t)
{
	struct sx_sip_tsx_layer *l = t->layer;
	uint32_t t64 = sx_sip__tsx_tmr_ms(l, T1X_TIMEOUT);
	uint16_t sc = t->status;
	int err = 0;

	if (sc < 200) {
		if (!t->invite)
			t->state = SX_SIP_TSX_PROCEEDING;
		return 0;
	}
	if (t->invite && sc < 300) {
		if (t->state == SX_SIP_TSX_ACCEPTED)
			return 0;
		t->state = SX_SIP_TSX_ACCEPTED; /* RFC 6026 7.1, Timer L */
		return sx_sip__tsx_arm(t, &t->t_end, t64, on_done);
	}
	t->state = SX_SIP_TSX_COMPLETED;
	if (t->invite) {
		t->retx_ms = l->prm.t1_ms;
		if (!t->reliable)
			err =
			    sx_sip__tsx_arm(t, &t->t_retx, t->retx_ms, on_retx);
		if (!err)
			err = sx_sip__tsx_arm(t, &t->t_end, t64, on_timeout);
		return err;
	}
	if (t->reliable || t->once) { /* Timer J is 0, or not wanted */
		sx_sip__tsx_end(t, SX_SIP_TSX_END_NORMAL, true);
		return 0;
	}
	err = sx_sip__tsx_arm(t, &t->t_end, t64, on_done);
	if (!err)
		compact_later(t);
	return err;
}

/* Send @block (takes it) as @t's response with status @code. */
static int respond(struct sx_sip_tsx *t, uint16_t code, char *block, size_t len)
{
	int err = may_send(t, code);

	if (err) {
		sx_mem_unref(block);
		return err;
	}
	sx_mem_ref(t);
	sx_sip__tsx_disarm(t, &t->t_aux); /* no 100 Trying needed now */
	sx_mem_unref(t->out);
	t->out = block;
	t->outlen = len;
	t->status = code;
	err = send_out(t);
	if (err) {
		sx_sip__tsx_end(t, SX_SIP_TSX_END_TRANSPORT, true);
		goto out;
	}
	err = after_send(t);
	if (err)
		sx_sip__tsx_end(t, SX_SIP_TSX_END_NOMEM, true);
out:
	sx_mem_unref(t);
	return err;
}

/* The To tag of responses other than 100 to a request without one. */
static struct sx_sl reply_tag(struct sx_sip_tsx *t, uint16_t code)
{
	if (code == 100 || t->req->to_tag.len)
		return SX_SL_NULL;
	if (!t->to_tag_len)
		t->to_tag_len = sx_sip_tag_make(t->layer, t->to_tag);
	t->tag_sent = true;
	return sx_sl_make(t->to_tag, t->to_tag_len);
}

int sx_sip_tsx_reply(struct sx_sip_tsx *stsx, uint16_t code, const char *reason,
                     struct sx_sl extra, struct sx_sl ctype, struct sx_sl body)
{
	struct sx_buf b;
	size_t len = 0;
	int err;

	if (!stsx || stsx->client || code < 100 || code > 699)
		return -EINVAL;
	err = may_send(stsx, code);
	if (err)
		return err;
	sx_buf_init(&b, SX_SIP_TSX_BUILD_MAX);
	err = sx_sip__tsx_build_reply(stsx->req, code, reason,
	                              reply_tag(stsx, code), extra, ctype, body,
	                              &b);
	char *block = err ? NULL : sx_buf_detach(&b, &len);
	sx_buf_fini(&b);
	if (err)
		return err;
	return respond(stsx, code, block, len);
}

int sx_sip_tsx_reply_once(struct sx_sip_tsx *stsx, uint16_t code,
                          const char *reason, struct sx_sl extra)
{
	if (!stsx || stsx->client || stsx->invite || code < 200)
		return -EINVAL;
	stsx->once = true;
	int err = sx_sip_tsx_reply(stsx, code, reason, extra, SX_SL_NULL,
	                           SX_SL_NULL);
	if (err == -EALREADY || err == -EINVAL)
		stsx->once = false;
	return err;
}

int sx_sip_tsx_reply_raw(struct sx_sip_tsx *stsx, const char *buf, size_t len)
{
	struct sx_sip_parse_prm pp = {0};
	struct sx_sip_msg *resp = NULL;
	char *block = NULL;
	int err;

	if (!stsx || stsx->client || !buf || !len || len > SX_SIP_MAX_MSG_SIZE)
		return -EINVAL;
	block = sx_mem_alloc(len, NULL);
	if (!block)
		return -ENOMEM;
	memcpy(block, buf, len);
	pp.owner = block;
	err = sx_sip_msg_parse(&resp, block, len, &pp, NULL);
	if (err) {
		err = err == -ENOMEM ? -ENOMEM : -EBADMSG;
		goto out;
	}
	if (resp->is_request) {
		err = -EBADMSG;
		goto out;
	}
	uint16_t code = resp->status;
	err = may_send(stsx, code);
	if (err)
		goto out;
	/* remember the tag for RFC 2543 ACK matching */
	if (code > 100 && resp->to_tag.len < SX_SIP_TSX_TAG_MAX) {
		memcpy(stsx->to_tag, resp->to_tag.p, resp->to_tag.len);
		stsx->to_tag_len = resp->to_tag.len;
	}
	sx_sip_msg_free(resp);
	resp = NULL;
	err = respond(stsx, code, block, len);
	block = NULL;
out:
	sx_sip_msg_free(resp);
	sx_mem_unref(block);
	return err;
}

int sx_sip_tsx_set_to_tag(struct sx_sip_tsx *stsx, struct sx_sl tag)
{
	if (!stsx || stsx->client || !tag.len || tag.len >= SX_SIP_TSX_TAG_MAX)
		return -EINVAL;
	if (stsx->tag_sent)
		return -EALREADY;
	memcpy(stsx->to_tag, tag.p, tag.len);
	stsx->to_tag_len = tag.len;
	return 0;
}

struct sx_sl sx_sip_tsx_to_tag(const struct sx_sip_tsx *stsx)
{
	if (!stsx)
		return SX_SL_NULL;
	return sx_sl_make(stsx->to_tag, stsx->to_tag_len);
}

/* -- received requests -- */

/* 17.2.1 / 17.2.2: a retransmitted request gets the last response
 * again; before any (or after the ACK) it is absorbed. */
static void retransmission(struct sx_sip_tsx *t)
{
	bool resend = t->out && (t->state == SX_SIP_TSX_PROCEEDING ||
	                         t->state == SX_SIP_TSX_COMPLETED);
	if (resend && send_out(t))
		SX_LOG_DBG("response retransmission failed");
}

/* 17.2.1: ACK for a non-2xx ends Completed; RFC 6026 7.1: in Accepted it
 * goes to the TU. */
static void recv_ack(struct sx_sip_tsx_layer *l, struct sx_sip_msg *ack,
                     const struct sx_sip_peer *peer)
{
	struct sx_sip_tsx *t =
	    sx_sip__tsx_srv_find(l, ack, SX_SIP__TSX_FIND_ACK);

	if (!t || t->state == SX_SIP_TSX_ACCEPTED) {
		if (l->prm.stateless_h)
			l->prm.stateless_h(l, ack, peer, l->prm.arg);
	} else if (t->state == SX_SIP_TSX_COMPLETED) {
		sx_mem_ref(t);
		t->state = SX_SIP_TSX_CONFIRMED;
		sx_sip__tsx_disarm(t, &t->t_retx);
		sx_sip__tsx_disarm(t, &t->t_end);
		if (t->reliable) /* Timer I is 0 */
			sx_sip__tsx_end(t, SX_SIP_TSX_END_NORMAL, true);
		else if (sx_sip__tsx_arm(t, &t->t_end, l->prm.t4_ms, on_done))
			sx_sip__tsx_end(t, SX_SIP_TSX_END_NOMEM, true);
		sx_mem_unref(t);
	}
	sx_sip_msg_free(ack);
}

/* Timers a new server transaction starts with. */
static int arm_start(struct sx_sip_tsx *t)
{
	struct sx_sip_tsx_layer *l = t->layer;

	if (t->invite)
		return l->prm.no_auto_trying
		           ? 0
		           : sx_sip__tsx_arm(t, &t->t_aux, l->prm.trying_ms,
		                             on_trying);
	return sx_sip__tsx_arm(t, &t->t_end,
	                       sx_sip__tsx_tmr_ms(l, T1X_NI_GUARD), on_timeout);
}

/* A linked, armed server transaction for @req (taken in every case). */
static struct sx_sip_tsx *srv_create(struct sx_sip_tsx_layer *l,
                                     struct sx_sip_msg *req,
                                     const struct sx_sip_peer *peer)
{
	struct sx_sip_tsx *t = sx_sip__tsx_new(l, false, req, peer);

	if (!t) {
		sx_sip_msg_free(req);
		return NULL;
	}
	sx_sip__tsx_resp_dst(req, peer, &t->rdst);
	t->state = t->invite ? SX_SIP_TSX_PROCEEDING : SX_SIP_TSX_TRYING;
	sx_sip__tsx_link(t);
	if (arm_start(t)) {
		sx_sip__tsx_end(t, SX_SIP_TSX_END_NOMEM, false);
		t = sx_mem_unref(t);
	}
	return t;
}

static void reply_busy(struct sx_sip_tsx_layer *l, const struct sx_sip_msg *req,
                       const struct sx_sip_peer *peer)
{
	char extra[sizeof("Retry-After: 4294967295\r\n")];

	snprintf(extra, sizeof(extra), "Retry-After: %u\r\n",
	         SX_SIP_TSX_RETRY_AFTER_S);
	SX_LOG_WARN_RL("transaction limit (%zu, or a full hash chain): 503",
	               l->prm.max_tsx);
	reply_stateless(l, req, peer, 503, sx_sl_cstr(extra));
}

/* 9.2: answer the CANCEL in its own transaction, then tell the TU. */
static void recv_cancel(struct sx_sip_tsx_layer *l, struct sx_sip_msg *req,
                        const struct sx_sip_peer *peer)
{
	/* 9.2: matched like a request (17.2.3) to the transaction it
	 * targets, whatever its method */
	struct sx_sip_tsx *inv =
	    sx_sip__tsx_srv_find(l, req, SX_SIP__TSX_FIND_TARGET);
	if (!inv) {
		if (l->prm.pass_unmatched_cancel && l->prm.stateless_h)
			l->prm.stateless_h(l, req, peer, l->prm.arg);
		else
			reply_stateless(l, req, peer, 481, SX_SL_NULL);
		sx_sip_msg_free(req);
		return;
	}
	if (sx_sip__tsx_crowded(l, req)) {
		reply_busy(l, req, peer);
		sx_sip_msg_free(req);
		return;
	}
	struct sx_sip_tsx *c = srv_create(l, req, peer);
	if (!c)
		return; /* the CANCEL will be retransmitted */
	sx_mem_ref(inv);
	/* 9.2: the same To tag as the target's responses (the TU may
	 * still set its own before answering) */
	if (!inv->to_tag_len && !inv->key.to_tag.len)
		inv->to_tag_len = sx_sip_tag_make(l, inv->to_tag);
	memcpy(c->to_tag, inv->to_tag, inv->to_tag_len);
	c->to_tag_len = inv->to_tag_len;
	reply_code(c, 200);
	/* 9: cancelling a non-INVITE or an answered INVITE has no
	 * effect beyond the 200 */
	if (inv->invite && inv->state == SX_SIP_TSX_PROCEEDING &&
	    !is_final_sent(inv)) {
		if (l->prm.cancel_h)
			l->prm.cancel_h(inv, c->req, l->prm.arg);
		else
			reply_code(inv, 487);
	}
	sx_mem_unref(inv);
	sx_mem_unref(c);
}

static void recv_new(struct sx_sip_tsx_layer *l, struct sx_sip_msg *req,
                     const struct sx_sip_peer *peer)
{
	uint16_t code = 0;

	if (l->prm.detect_merged && sx_sip__tsx_merged(l, req))
		code = 482; /* 8.2.2.2 */
	else if (!l->prm.request_h)
		code = 501;
	if (code || l->count >= l->prm.max_tsx || sx_sip__tsx_crowded(l, req)) {
		if (code)
			reply_stateless(l, req, peer, code, SX_SL_NULL);
		else
			reply_busy(l, req, peer);
		sx_sip_msg_free(req);
		return;
	}
	struct sx_sip_tsx *t = srv_create(l, req, peer);
	if (!t)
		return; /* the request will be retransmitted */
	l->prm.request_h(t, t->req, &t->peer, l->prm.arg);
	sx_mem_unref(t);
}

void sx_sip__tsx_srv_recv(struct sx_sip_tsx_layer *l, struct sx_sip_msg *req,
                          const struct sx_sip_peer *peer)
{
	if (req->method == SX_SIP_METHOD_ACK) {
		recv_ack(l, req, peer);
		return;
	}
	struct sx_sip_tsx *t =
	    sx_sip__tsx_srv_find(l, req, SX_SIP__TSX_FIND_SAME);
	if (t) {
		retransmission(t);
		sx_sip_msg_free(req);
	} else if (req->method == SX_SIP_METHOD_CANCEL) {
		recv_cancel(l, req, peer);
	} else {
		recv_new(l, req, peer);
	}
}
