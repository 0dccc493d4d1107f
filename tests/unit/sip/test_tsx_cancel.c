/*
 * CANCEL (RFC 3261 9): the client builds it from the INVITE and sends it
 * only after a provisional (9.1), races with final responses, the server
 * answers it in its own transaction and tells the TU (9.2), 481 when it
 * matches nothing; end to end between two layers over a lossy loop.
 */
#include <errno.h>

#include "test_tsx_common.h"

#define MAXT 16

static int b_msg(enum sx_sip_method m, struct sx_sip_msg **msgp)
{
	return sx_sip_msg_parse(msgp, F.b_last[m], F.b_last_len[m], NULL, NULL);
}

/* 9.1: the CANCEL copies Request-URI, Call-ID, To, From, CSeq number,
 * the top Via and Route of the INVITE. */
static int test_cancel_after_provisional(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL;
	struct sx_sip_msg *c = NULL, *inv = NULL;
	uint64_t at[MAXT];
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_client_start(&t, "INVITE", false));
	fx_run(100);
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 180, "tb"));
	fx_run(100);
	UT_OK(sx_sip_tsx_cancel(t, SX_SL("Reason: SIP;cause=487\r\n")));
	UT_EQ(-EALREADY, sx_sip_tsx_cancel(t, SX_SL_NULL));
	fx_run(0);
	UT_EQ(1, fx_times(SX_SIP_METHOD_CANCEL, 0, at, MAXT));
	UT_EQ(200, at[0]);
	UT_OK(b_msg(SX_SIP_METHOD_CANCEL, &c));
	UT_OK(b_msg(SX_SIP_METHOD_INVITE, &inv));
	UT_TRUE(sx_sl_eq(c->ruri_sl, inv->ruri_sl));
	UT_EQ(1, c->nvias);
	UT_TRUE(sx_sl_eq(c->vias[0].raw, inv->vias[0].raw));
	UT_EQ(1, c->nroutes);
	UT_TRUE(sx_sl_eq(c->call_id, inv->call_id));
	UT_TRUE(sx_sl_eq(c->from.raw, inv->from.raw));
	UT_TRUE(sx_sl_eq(c->to.raw, inv->to.raw));
	UT_EQ(inv->cseq, c->cseq);
	UT_EQ(SX_SIP_METHOD_CANCEL, c->cseq_method);
	UT_TRUE(sx_sip_msg_hdr(c, SX_SIP_HDR_REASON) != NULL);
	UT_EQ(2, sx_sip_tsx_layer_count(F.layer));
	/* the CANCEL's 200 is its transaction's; the 487 is the INVITE's */
	UT_OK(fx_b_reply(SX_SIP_METHOD_CANCEL, 200, "tb"));
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 487, "tb"));
	UT_EQ(2, F.nresp);
	UT_EQ(180, F.resp[0].status);
	UT_EQ(487, F.resp[1].status);
	UT_EQ(1, fx_times(SX_SIP_METHOD_ACK, 0, at, MAXT));
	UT_EQ(-EALREADY, sx_sip_tsx_cancel(t, SX_SL_NULL));
	fx_run(40000);
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
	UT_EQ(2, F.nresp);
out:
	sx_sip_msg_free(c);
	sx_sip_msg_free(inv);
	sx_mem_unref(t);
	fx_fini();
	return fx_result(err);
}

/* 9.1: before a provisional the CANCEL waits; 64*T1 after sending it
 * without a final response the TU gets a 408. */
static int test_cancel_before_provisional(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL;
	uint64_t at[MAXT];
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_client_start(&t, "INVITE", false));
	fx_run(100);
	UT_OK(sx_sip_tsx_cancel(t, SX_SL_NULL));
	fx_run(900);
	UT_EQ(0, fx_times(SX_SIP_METHOD_CANCEL, 0, at, MAXT));
	UT_EQ(2, fx_times(SX_SIP_METHOD_INVITE, 0, at, MAXT));
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 100, ""));
	UT_EQ(1, fx_times(SX_SIP_METHOD_CANCEL, 0, at, MAXT));
	UT_EQ(1000, at[0]);
	fx_run(40000);
	UT_EQ(2, F.nresp);
	UT_EQ(408, F.resp[1].status);
	UT_TRUE(F.resp[1].synth);
	UT_EQ(1000 + 32000, F.resp[1].at);
	/* the CANCEL was retransmitted on Timer E */
	UT_TRUE(fx_times(SX_SIP_METHOD_CANCEL, 0, at, MAXT) > 5);
	UT_EQ(2, fx_times(SX_SIP_METHOD_INVITE, 0, at, MAXT));
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
out:
	sx_mem_unref(t);
	fx_fini();
	return fx_result(err);
}

/* A 2xx crossing the CANCEL wins (9.1, RFC 6026 7.2); a final before
 * any provisional means the CANCEL is never sent. */
static int test_cancel_race_final(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL;
	uint64_t at[MAXT];
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_client_start(&t, "INVITE", false));
	fx_run(100);
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 180, "tb"));
	UT_OK(sx_sip_tsx_cancel(t, SX_SL_NULL));
	fx_run(0);
	UT_EQ(1, fx_times(SX_SIP_METHOD_CANCEL, 0, at, MAXT));
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 200, "tb"));
	UT_EQ(SX_SIP_TSX_ACCEPTED, sx_sip_tsx_state(t));
	UT_OK(fx_b_reply(SX_SIP_METHOD_CANCEL, 200, "tb"));
	fx_run(40000);
	UT_EQ(2, F.nresp);
	UT_EQ(200, F.resp[1].status);
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
	for (int i = 0; i < F.nterm; i++)
		UT_EQ(SX_SIP_TSX_END_NORMAL, F.term_why[i]);
	t = sx_mem_unref(t);
	fx_fini();

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_client_start(&t, "INVITE", false));
	UT_OK(sx_sip_tsx_cancel(t, SX_SL_NULL));
	fx_run(100);
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 486, "tb"));
	fx_run(40000);
	UT_EQ(0, fx_times(SX_SIP_METHOD_CANCEL, 0, at, MAXT));
	UT_EQ(1, fx_times(SX_SIP_METHOD_ACK, 0, at, MAXT));
	UT_EQ(1, F.nresp);
	UT_EQ(486, F.resp[0].status);
out:
	sx_mem_unref(t);
	fx_fini();
	return fx_result(err);
}

/* 9.2: 200 for the CANCEL with the INVITE's To tag, the TU answers the
 * INVITE 487, retransmitted CANCELs get the 200 again. */
static int test_cancel_server(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_msg *m200 = NULL, *m487 = NULL;
	uint64_t at[MAXT];
	int err = 0;

	prm.no_auto_trying = true;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	F.cancel_reply = 487;
	UT_OK(fx_b_req("INVITE", "z9hG4bKc1", "f1", NULL, 1));
	UT_OK(fx_b_req("CANCEL", "z9hG4bKc1", "f1", NULL, 1));
	UT_EQ(1, F.ncancel);
	UT_EQ(1, fx_times(SX_SIP_METHOD_CANCEL, 200, at, MAXT));
	UT_EQ(1, fx_times(SX_SIP_METHOD_INVITE, 487, at, MAXT));
	UT_OK(sx_sip_msg_parse(&m200, F.b_resp_m[SX_SIP_METHOD_CANCEL],
	                       F.b_resp_m_len[SX_SIP_METHOD_CANCEL], NULL,
	                       NULL));
	UT_OK(sx_sip_msg_parse(&m487, F.b_resp_m[SX_SIP_METHOD_INVITE],
	                       F.b_resp_m_len[SX_SIP_METHOD_INVITE], NULL,
	                       NULL));
	UT_EQ(487, m487->status);
	UT_TRUE(m200->to_tag.len > 0);
	UT_TRUE(sx_sl_eq(m200->to_tag, m487->to_tag));
	UT_OK(fx_b_req("CANCEL", "z9hG4bKc1", "f1", NULL, 1));
	UT_EQ(2, fx_times(SX_SIP_METHOD_CANCEL, 200, at, MAXT));
	UT_EQ(1, F.ncancel);
	UT_OK(fx_b_req("ACK", "z9hG4bKc1", "f1", "x", 1));
	UT_EQ(0, F.nstateless);
	UT_EQ(SX_SIP_TSX_CONFIRMED, sx_sip_tsx_state(F.srv[0]));
	UT_EQ(1, F.nsrv); /* the CANCEL is not a new request for the TU */
out:
	sx_sip_msg_free(m200);
	sx_sip_msg_free(m487);
	fx_fini();
	return fx_result(err);
}

/* Without a cancel handler the layer answers 487; after a final the
 * CANCEL gets its 200 and changes nothing. */
static int test_cancel_server_auto(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	int err = 0;

	prm.cancel_h = NULL;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "z9hG4bKc1", "f1", NULL, 1));
	UT_OK(fx_b_req("CANCEL", "z9hG4bKc1", "f1", NULL, 1));
	UT_EQ(1, fx_times(SX_SIP_METHOD_INVITE, 487, at, MAXT));
	UT_EQ(1, fx_times(SX_SIP_METHOD_CANCEL, 200, at, MAXT));
	fx_fini();

	prm = fx_prm();
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	F.auto_reply = 486;
	UT_OK(fx_b_req("INVITE", "z9hG4bKc2", "f1", NULL, 1));
	UT_OK(fx_b_req("CANCEL", "z9hG4bKc2", "f1", NULL, 1));
	UT_EQ(1, fx_times(SX_SIP_METHOD_CANCEL, 200, at, MAXT));
	UT_EQ(0, F.ncancel);
	UT_EQ(0, fx_times(SX_SIP_METHOD_INVITE, 487, at, MAXT));
	/* a CANCEL of a pending non-INVITE: 200, no effect (9) */
	F.auto_reply = 0;
	UT_OK(fx_b_req("OPTIONS", "z9hG4bKc3", "f1", NULL, 2));
	UT_OK(fx_b_req("CANCEL", "z9hG4bKc3", "f1", NULL, 2));
	UT_EQ(2, fx_times(SX_SIP_METHOD_CANCEL, 200, at, MAXT));
	UT_EQ(0, F.ncancel);
	UT_EQ(SX_SIP_TSX_TRYING, sx_sip_tsx_state(F.srv[1]));
out:
	fx_fini();
	return fx_result(err);
}

/* 9.2: no match -> 481; a proxy takes it statelessly instead (16.10). */
static int test_cancel_unmatched(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "z9hG4bKu1", "f1", NULL, 1));
	UT_OK(fx_b_req("CANCEL", "z9hG4bKu2", "f1", NULL, 1));
	UT_EQ(1, fx_times(SX_SIP_METHOD_CANCEL, 481, at, MAXT));
	UT_EQ(0, F.ncancel);
	UT_EQ(1, F.nsrv);
	fx_fini();

	prm.pass_unmatched_cancel = true;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("CANCEL", "z9hG4bKu3", "f1", NULL, 1));
	UT_EQ(1, F.nstateless);
	UT_EQ(SX_SIP_METHOD_CANCEL, F.stateless_method);
	UT_EQ(0, F.nbrx);
out:
	fx_fini();
	return fx_result(err);
}

/* -- end to end: UAC layer on A, UAS layer on B -- */

struct e2e {
	struct sx_sip_tsx_layer *uas;
	int uas_req, uas_cancel, uac_final, uac_prov, cancel_err;
	uint16_t final;
};
static struct e2e E;

static void uas_request_h(struct sx_sip_tsx *stsx, const struct sx_sip_msg *req,
                          const struct sx_sip_peer *peer, void *arg)
{
	(void)req;
	(void)peer;
	(void)arg;
	E.uas_req++;
	if (sx_sip_tsx_reply(stsx, 180, NULL, SX_SL_NULL, SX_SL_NULL,
	                     SX_SL_NULL))
		E.cancel_err++;
}

static void uas_cancel_h(struct sx_sip_tsx *invite,
                         const struct sx_sip_msg *cancel, void *arg)
{
	(void)cancel;
	(void)arg;
	E.uas_cancel++;
	if (sx_sip_tsx_reply(invite, 487, NULL, SX_SL_NULL, SX_SL_NULL,
	                     SX_SL_NULL))
		E.cancel_err++;
}

/* The UAC TU cancels from inside its response handler. */
static void uac_resp_h(struct sx_sip_tsx *ctsx, uint16_t status,
                       const struct sx_sip_msg *resp, void *arg)
{
	(void)resp;
	(void)arg;
	if (status >= 200) {
		E.uac_final++;
		E.final = status;
	} else if (!E.uac_prov++ && sx_sip_tsx_cancel(ctsx, SX_SL_NULL)) {
		E.cancel_err++;
	}
}

static int run_e2e(unsigned drop, unsigned dup, uint32_t jitter)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx_layer_prm uprm = {.request_h = uas_request_h,
	                                    .cancel_h = uas_cancel_h};
	struct sx_sip_tp_loop_imp imp = {
	    .drop_pct = drop, .dup_pct = dup, .jitter_ms = jitter};
	struct sx_sip_tsx *t = NULL;
	char buf[FX_MSG], branch[SX_SIP_BRANCH_SIZE];
	int err = 0;

	memset(&E, 0, sizeof(E));
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(sx_sip_tsx_layer_alloc(&E.uas, F.loop, sx_sip_tp_loop_tport(F.b),
	                             &uprm));
	sx_sip_tp_loop_set_handlers(F.b, sx_sip_tsx_tport_recv,
	                            sx_sip_tsx_tport_err, E.uas);
	UT_OK(sx_sip_tp_loop_set_imp(F.a, &imp));
	UT_OK(sx_sip_tp_loop_set_imp(F.b, &imp));
	int n = fx_client_req(buf, sizeof(buf), "INVITE", 1, branch);
	struct sx_sip_tsx_req_prm rp = {.buf = buf,
	                                .len = (size_t)n,
	                                .dst = fx_peer_b(),
	                                .resp_h = uac_resp_h};
	UT_OK(sx_sip_tsx_request(&t, F.layer, &rp));
	fx_run(100000);
	UT_EQ(0, E.cancel_err);
	UT_EQ(1, E.uas_req);
	UT_EQ(1, E.uas_cancel);
	UT_EQ(1, E.uac_final);
	UT_EQ(487, E.final);
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
	UT_EQ(0, sx_sip_tsx_layer_count(E.uas));
out:
	sx_mem_unref(t);
	E.uas = sx_mem_unref(E.uas);
	fx_fini();
	return fx_result(err);
}

static int test_cancel_end_to_end(void)
{
	int err = run_e2e(0, 0, 0);
	if (!err)
		err = run_e2e(25, 25, 40);
	return err;
}

UT_MAIN(UT_C(test_cancel_after_provisional),
        UT_C(test_cancel_before_provisional), UT_C(test_cancel_race_final),
        UT_C(test_cancel_server), UT_C(test_cancel_server_auto),
        UT_C(test_cancel_unmatched), UT_C(test_cancel_end_to_end))
