/*
 * Client transactions (RFC 3261 17.1): INVITE (17.1.1, with the RFC 6026
 * 7.2 Accepted state and Timer M), non-INVITE (17.1.2), the ACK for
 * non-2xx finals (17.1.1.3), CANCEL (9.1), Timer C for proxies (16.6
 * step 11, 16.7 step 2, 16.8) and transport errors as 503 (8.1.3.1).
 */
#define SX_LOG_MOD "sip.tsx"

#include <errno.h>
#include <string.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "tsx_int.h"

/* Timers B, F, M and the CANCEL wait run 64*T1 (Table 4, 9.1). */
#define T1X_TIMEOUT 64u

static void deliver(struct sx_sip_tsx *t, uint16_t status,
                    const struct sx_sip_msg *m)
{
	t->status = status;
	if (t->resp_h)
		t->resp_h(t, status, m, t->arg);
}

/* Still sending the request (17.1.1.2 Calling, 17.1.2.2 Trying or
 * Proceeding): what a transport error interrupts. */
bool sx_sip__tsx_cli_waiting(const struct sx_sip_tsx *t)
{
	if (t->invite)
		return t->state == SX_SIP_TSX_CALLING;
	return t->state == SX_SIP_TSX_TRYING ||
	       t->state == SX_SIP_TSX_PROCEEDING;
}

static bool before_final(const struct sx_sip_tsx *t)
{
	return t->state == SX_SIP_TSX_CALLING ||
	       t->state == SX_SIP_TSX_TRYING ||
	       t->state == SX_SIP_TSX_PROCEEDING;
}

/* End with a made-up final for the TU (408, 503) if it has none yet. */
void sx_sip__tsx_cli_fail(struct sx_sip_tsx *t, uint16_t status,
                          enum sx_sip_tsx_end why)
{
	if (before_final(t))
		deliver(t, status, NULL);
	sx_sip__tsx_end(t, why, true);
}

static void arm_or_fail(struct sx_sip_tsx *t, struct sx_tmr *tm, uint64_t ms,
                        sx_tmr_h *h)
{
	if (t->state == SX_SIP_TSX_TERMINATED)
		return;
	if (sx_sip__tsx_arm(t, tm, ms, h))
		sx_sip__tsx_cli_fail(t, 503, SX_SIP_TSX_END_NOMEM);
}

/* -- timers -- */

/* A (17.1.1.2: doubling) and E (17.1.2.2: MIN(2E, T2), T2 once
 * Proceeding). */
static void on_retx(void *arg)
{
	struct sx_sip_tsx *t = arg;
	const struct sx_sip_tsx_layer_prm *p = &t->layer->prm;

	if (sx_sip__tsx_send(t->layer, &t->peer, t->req->wire.p,
	                     t->req->wire.len)) {
		sx_sip__tsx_cli_fail(t, 503, SX_SIP_TSX_END_TRANSPORT);
		goto out;
	}
	if (t->invite)
		t->retx_ms *= 2;
	else if (t->state == SX_SIP_TSX_PROCEEDING)
		t->retx_ms = p->t2_ms;
	else
		t->retx_ms = SX_MIN(t->retx_ms * 2, p->t2_ms);
	arm_or_fail(t, &t->t_retx, t->retx_ms, on_retx);
out:
	sx_mem_unref(t);
}

/* B and F: no final response in time (17.1.1.2, 17.1.2.2); also the
 * 64*T1 wait after a CANCEL (9.1). */
static void on_timeout(void *arg)
{
	struct sx_sip_tsx *t = arg;

	sx_sip__tsx_cli_fail(t, 408, SX_SIP_TSX_END_TIMEOUT);
	sx_mem_unref(t);
}

/* D, K, M: the Completed/Accepted wait is over. */
static void on_done(void *arg)
{
	struct sx_sip_tsx *t = arg;

	sx_sip__tsx_end(t, SX_SIP_TSX_END_NORMAL, true);
	sx_mem_unref(t);
}

static int cancel_start(struct sx_sip_tsx *t, struct sx_sl extra);

/* Timer C (16.8): CANCEL after a provisional, else act as on a 408. */
static void on_timer_c(void *arg)
{
	struct sx_sip_tsx *t = arg;

	if (!t->got_prov) {
		sx_sip__tsx_cli_fail(t, 408, SX_SIP_TSX_END_TIMEOUT);
	} else if (!t->cancelling) {
		if (cancel_start(t, SX_SL_NULL))
			SX_LOG_WARN("Timer C: CANCEL not sent");
		/* 9.1: whatever happened, give up 64*T1 from now */
		if (!sx_tmr_isrunning(&t->t_end))
			arm_or_fail(t, &t->t_end,
			            sx_sip__tsx_tmr_ms(t->layer, T1X_TIMEOUT),
			            on_timeout);
	}
	sx_mem_unref(t);
}

/* -- CANCEL (9.1) -- */

/* Send the built CANCEL in its own transaction and wait 64*T1 for the
 * INVITE's final response. */
static int send_cancel(struct sx_sip_tsx *t)
{
	struct sx_sip_tsx_req_prm prm = {.dst = t->peer};
	struct sx_sip_tsx *c = NULL;
	char *block = t->cancel;

	t->cancel = NULL;
	int err = sx_sip__tsx_cli_start(&c, t->layer, block, t->cancel_len,
	                                &prm, true);
	sx_mem_unref(c);
	if (err)
		return err;
	return sx_sip__tsx_arm(t, &t->t_end,
	                       sx_sip__tsx_tmr_ms(t->layer, T1X_TIMEOUT),
	                       on_timeout);
}

/* Build the CANCEL; send it now, or on the first provisional. */
static int cancel_start(struct sx_sip_tsx *t, struct sx_sl extra)
{
	struct sx_buf b;

	sx_buf_init(&b, SX_SIP_TSX_BUILD_MAX);
	int err = sx_sip__tsx_build_cancel(t->req, extra, &b);
	if (!err) {
		t->cancel = sx_buf_detach(&b, &t->cancel_len);
		t->cancelling = true;
		if (t->got_prov)
			err = send_cancel(t);
	}
	sx_buf_fini(&b);
	return err;
}

int sx_sip_tsx_cancel(struct sx_sip_tsx *ctsx, struct sx_sl extra)
{
	int err;

	if (!ctsx || !ctsx->client || !ctsx->invite)
		return -EINVAL;
	if (!ctsx->layer)
		return -ENOTCONN;
	if (!before_final(ctsx) || ctsx->status >= 200 || ctsx->cancelling)
		return -EALREADY;
	sx_mem_ref(ctsx);
	err = cancel_start(ctsx, extra);
	if (err) {
		/* nothing happened: the TU may try again */
		sx_sip__tsx_disarm(ctsx, &ctsx->t_end);
		ctsx->cancel = sx_mem_unref(ctsx->cancel);
		ctsx->cancelling = false;
	}
	sx_mem_unref(ctsx);
	return err;
}

/* -- responses -- */

static void inv_provisional(struct sx_sip_tsx *t, const struct sx_sip_msg *m)
{
	if (t->state == SX_SIP_TSX_CALLING) {
		/* 17.1.1.2: stop retransmitting; Timer B only guards
		 * Calling */
		t->state = SX_SIP_TSX_PROCEEDING;
		sx_sip__tsx_disarm(t, &t->t_retx);
		sx_sip__tsx_disarm(t, &t->t_end);
	}
	t->got_prov = true;
	/* 16.7 step 2: 101-199 reset Timer C */
	if (t->timer_c && m->status > 100)
		arm_or_fail(t, &t->t_aux, t->layer->prm.timer_c_ms, on_timer_c);
	/* the queued CANCEL goes now (9.1); if it cannot, still give up
	 * 64*T1 from now */
	if (t->cancel && send_cancel(t) && !sx_tmr_isrunning(&t->t_end))
		arm_or_fail(t, &t->t_end,
		            sx_sip__tsx_tmr_ms(t->layer, T1X_TIMEOUT),
		            on_timeout);
	if (t->state != SX_SIP_TSX_TERMINATED)
		deliver(t, m->status, m);
}

/* 17.1.1.3: ACK the non-2xx final, keep the ACK for retransmissions. */
static void inv_final_error(struct sx_sip_tsx *t, const struct sx_sip_msg *m)
{
	struct sx_buf b;

	t->state = SX_SIP_TSX_COMPLETED;
	sx_buf_init(&b, SX_SIP_TSX_BUILD_MAX);
	if (!sx_sip__tsx_build_ack(t->req, m, &b)) {
		t->out = sx_buf_detach(&b, &t->outlen);
		(void)sx_sip__tsx_send(t->layer, &t->peer, t->out, t->outlen);
	}
	sx_buf_fini(&b);
	deliver(t, m->status, m);
	if (!t->out)
		sx_sip__tsx_end(t, SX_SIP_TSX_END_NOMEM, true);
	else if (t->reliable)
		sx_sip__tsx_end(t, SX_SIP_TSX_END_NORMAL, true);
	else
		arm_or_fail(t, &t->t_end, SX_SIP_TIMER_D_MS, on_done);
}

static void inv_recv(struct sx_sip_tsx *t, const struct sx_sip_msg *m)
{
	uint16_t sc = m->status;

	switch (t->state) {
	case SX_SIP_TSX_CALLING:
	case SX_SIP_TSX_PROCEEDING:
		if (sc < 200) {
			inv_provisional(t, m);
			return;
		}
		sx_sip__tsx_disarm(t, &t->t_retx);
		sx_sip__tsx_disarm(t, &t->t_end);
		sx_sip__tsx_disarm(t, &t->t_aux);
		if (sc >= 300) {
			inv_final_error(t, m);
			return;
		}
		/* RFC 6026 7.2: Accepted, Timer M */
		t->state = SX_SIP_TSX_ACCEPTED;
		deliver(t, sc, m);
		arm_or_fail(t, &t->t_end,
		            sx_sip__tsx_tmr_ms(t->layer, T1X_TIMEOUT), on_done);
		return;
	case SX_SIP_TSX_ACCEPTED:
		/* every 2xx retransmission goes up (RFC 6026 7.2) */
		if (sc >= 200 && sc < 300)
			deliver(t, sc, m);
		return;
	case SX_SIP_TSX_COMPLETED:
		/* 17.1.1.2: a retransmitted final gets the ACK again */
		if (sc >= 300 && t->out)
			(void)sx_sip__tsx_send(t->layer, &t->peer, t->out,
			                       t->outlen);
		return;
	default:
		return;
	}
}

static void ni_recv(struct sx_sip_tsx *t, const struct sx_sip_msg *m)
{
	if (t->state != SX_SIP_TSX_TRYING && t->state != SX_SIP_TSX_PROCEEDING)
		return; /* 17.1.2.2: Completed absorbs retransmissions */
	if (m->status < 200) {
		t->state = SX_SIP_TSX_PROCEEDING;
		deliver(t, m->status, m);
		return;
	}
	t->state = SX_SIP_TSX_COMPLETED;
	sx_sip__tsx_disarm(t, &t->t_retx);
	sx_sip__tsx_disarm(t, &t->t_end);
	deliver(t, m->status, m);
	if (t->reliable)
		sx_sip__tsx_end(t, SX_SIP_TSX_END_NORMAL, true);
	else
		arm_or_fail(t, &t->t_end, t->layer ? t->layer->prm.t4_ms : 0,
		            on_done);
}

/* Caller holds a reference on @t. */
void sx_sip__tsx_cli_recv(struct sx_sip_tsx *t, const struct sx_sip_msg *resp)
{
	if (t->invite)
		inv_recv(t, resp);
	else
		ni_recv(t, resp);
}

/* -- start -- */

static int arm_start(struct sx_sip_tsx *t)
{
	struct sx_sip_tsx_layer *l = t->layer;
	int err = 0;

	t->retx_ms = l->prm.t1_ms;
	if (!t->reliable)
		err = sx_sip__tsx_arm(t, &t->t_retx, t->retx_ms, on_retx);
	if (!err)
		err = sx_sip__tsx_arm(t, &t->t_end,
		                      sx_sip__tsx_tmr_ms(l, T1X_TIMEOUT),
		                      on_timeout);
	if (!err && t->timer_c)
		err = sx_sip__tsx_arm(t, &t->t_aux, l->prm.timer_c_ms,
		                      on_timer_c);
	return err;
}

static void on_send_failed(void *arg)
{
	struct sx_sip_tsx *t = arg;

	sx_sip__tsx_cli_fail(t, 503, SX_SIP_TSX_END_TRANSPORT);
	sx_mem_unref(t);
}

/* 8.1.3.1: the first send failed; the TU hears it as a 503 from the
 * loop, like every other transport error, not from inside
 * sx_sip_tsx_request(). */
static int fail_later(struct sx_sip_tsx *t)
{
	sx_sip__tsx_disarm(t, &t->t_retx);
	sx_sip__tsx_disarm(t, &t->t_aux);
	return sx_sip__tsx_arm(t, &t->t_end, 0, on_send_failed);
}

static int check_request(const struct sx_sip_msg *req)
{
	if (!req->is_request || req->method == SX_SIP_METHOD_ACK ||
	    !req->nvias || !sx_sip__tsx_cookie(req->vias[0].branch))
		return -EINVAL;
	return 0;
}

/* Takes @block (an sx_mem block of @len request bytes) in every case. */
int sx_sip__tsx_cli_start(struct sx_sip_tsx **tsxp, struct sx_sip_tsx_layer *l,
                          char *block, size_t len,
                          const struct sx_sip_tsx_req_prm *prm, bool internal)
{
	struct sx_sip_parse_prm pp = {.owner = block};
	struct sx_sip_msg *req = NULL;
	struct sx_sip_tsx *t = NULL;
	int err;

	err = block ? sx_sip_msg_parse(&req, block, len, &pp, NULL) : -ENOMEM;
	sx_mem_unref(block); /* the message holds it now */
	if (err) {
		err = err == -ENOMEM ? -ENOMEM : -EBADMSG;
		goto out;
	}
	err = check_request(req);
	if (err)
		goto out;
	if (!internal && l->count >= l->prm.max_tsx) {
		err = -EBUSY;
		goto out;
	}
	if (sx_sip__tsx_cli_find(l, req->vias[0].branch, req->method,
	                         req->method_sl)) {
		err = -EEXIST;
		goto out;
	}
	t = sx_sip__tsx_new(l, true, req, &prm->dst);
	if (!t) {
		err = -ENOMEM;
		goto out;
	}
	req = NULL;
	t->resp_h = prm->resp_h;
	t->arg = prm->arg;
	t->timer_c = prm->timer_c && t->invite;
	t->state = t->invite ? SX_SIP_TSX_CALLING : SX_SIP_TSX_TRYING;
	sx_sip__tsx_link(t);
	err = arm_start(t);
	if (!err &&
	    sx_sip__tsx_send(l, &t->peer, t->req->wire.p, t->req->wire.len))
		err = fail_later(t);
	if (err) {
		sx_sip__tsx_end(t, SX_SIP_TSX_END_NOMEM, false);
		goto out;
	}
	*tsxp = t;
	t = NULL;
out:
	sx_sip_msg_free(req);
	sx_mem_unref(t);
	return err;
}

int sx_sip_tsx_request(struct sx_sip_tsx **tsxp, struct sx_sip_tsx_layer *layer,
                       const struct sx_sip_tsx_req_prm *prm)
{
	if (!tsxp || !layer || !prm || !prm->buf || !prm->len ||
	    prm->len > SX_SIP_MAX_MSG_SIZE)
		return -EINVAL;
	char *block = sx_mem_alloc(prm->len, NULL);
	if (block)
		memcpy(block, prm->buf, prm->len);
	return sx_sip__tsx_cli_start(tsxp, layer, block, prm->len, prm, false);
}
