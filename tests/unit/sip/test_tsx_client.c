/*
 * Client transactions (RFC 3261 17.1, RFC 6026 7.2): the timers of Table
 * 4 as tables for UDP and TCP, the ACK for non-2xx finals, 2xx
 * retransmissions through Accepted, transport errors as 503, branches
 * carrying the owner worker, stray and foreign responses.
 */
#include <errno.h>

#include "test_tsx_common.h"

#define MAXT 24

/* Retransmission and timeout times of a request nobody answers. */
struct timeout_case {
	const char *name;
	enum sx_sip_proto proto;
	const char *method;
	enum sx_sip_method mid;
	int nsend;
	uint64_t sends[MAXT];
	uint64_t timeout_at; /* 408 to the TU */
	uint32_t t1, t2;     /* 0 = defaults */
};

/* clang-format off */
static const struct timeout_case timeout_cases[] = {
	/* Timer A doubling from T1, Timer B = 64*T1 (17.1.1.2) */
	{"INVITE/UDP", SX_SIP_PROTO_UDP, "INVITE", SX_SIP_METHOD_INVITE,
	 7, {0, 500, 1500, 3500, 7500, 15500, 31500}, 32000, 0, 0},
	{"INVITE/TCP", SX_SIP_PROTO_TCP, "INVITE", SX_SIP_METHOD_INVITE,
	 1, {0}, 32000, 0, 0},
	/* Timer E = MIN(T1 << n, T2), Timer F = 64*T1 (17.1.2.2) */
	{"OPTIONS/UDP", SX_SIP_PROTO_UDP, "OPTIONS", SX_SIP_METHOD_OPTIONS,
	 11, {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500,
	      31500}, 32000, 0, 0},
	{"OPTIONS/TCP", SX_SIP_PROTO_TCP, "OPTIONS", SX_SIP_METHOD_OPTIONS,
	 1, {0}, 32000, 0, 0},
	/* configured T1/T2 */
	{"INVITE/UDP T1=100", SX_SIP_PROTO_UDP, "INVITE", SX_SIP_METHOD_INVITE,
	 7, {0, 100, 300, 700, 1500, 3100, 6300}, 6400, 100, 400},
	{"OPTIONS/UDP T1=250 T2=1000", SX_SIP_PROTO_UDP, "OPTIONS",
	 SX_SIP_METHOD_OPTIONS,
	 18, {0, 250, 750, 1750, 2750, 3750, 4750, 5750, 6750, 7750, 8750,
	      9750, 10750, 11750, 12750, 13750, 14750, 15750}, 16000, 250, 1000},
};
/* clang-format on */

static int run_timeout_case(const struct timeout_case *tc)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL;
	uint64_t at[MAXT];
	int err = 0;

	prm.t1_ms = tc->t1;
	prm.t2_ms = tc->t2;
	UT_OK(fx_init(&prm, tc->proto));
	UT_OK(fx_client_start(&t, tc->method, false));
	UT_EQ(tc->mid == SX_SIP_METHOD_INVITE ? SX_SIP_TSX_CALLING
	                                      : SX_SIP_TSX_TRYING,
	      sx_sip_tsx_state(t));
	fx_run(40000);
	int n = fx_times(tc->mid, 0, at, MAXT);
	if (n != tc->nsend && !sx_mem_failed())
		fprintf(stderr, "  %s: %d sends\n", tc->name, n);
	UT_EQ(tc->nsend, n);
	for (int i = 0; i < n; i++)
		UT_EQ(tc->sends[i], at[i]);
	UT_EQ(1, F.nresp);
	UT_EQ(408, F.resp[0].status);
	UT_TRUE(F.resp[0].synth);
	UT_EQ(tc->timeout_at, F.resp[0].at);
	UT_EQ(1, F.nterm);
	UT_EQ(SX_SIP_TSX_END_TIMEOUT, F.term_why[0]);
	UT_EQ(SX_SIP_TSX_TERMINATED, sx_sip_tsx_state(t));
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
out:
	sx_mem_unref(t);
	fx_fini();
	return fx_result(err);
}

static int test_client_timeouts(void)
{
	int err = 0;
	for (size_t i = 0; i < SX_ARRAY_SIZE(timeout_cases); i++) {
		err = run_timeout_case(&timeout_cases[i]);
		if (err)
			break;
	}
	return err;
}

/* The wait after a final response: Timer D (32 s / 0), K (T4 / 0), M
 * (64*T1 for both, RFC 6026). */
struct final_case {
	const char *name;
	enum sx_sip_proto proto;
	const char *method;
	enum sx_sip_method mid;
	uint16_t code;
	uint64_t end_at; /* answered at 1000 */
	int nack;        /* ACKs B sees (incl. one for a retransmission) */
};

/* clang-format off */
static const struct final_case final_cases[] = {
	{"D/UDP", SX_SIP_PROTO_UDP, "INVITE", SX_SIP_METHOD_INVITE, 486,
	 1000 + 32000, 2},
	{"D/TCP", SX_SIP_PROTO_TCP, "INVITE", SX_SIP_METHOD_INVITE, 486,
	 1000, 1},
	{"M/UDP", SX_SIP_PROTO_UDP, "INVITE", SX_SIP_METHOD_INVITE, 200,
	 1000 + 32000, 0},
	{"M/TCP", SX_SIP_PROTO_TCP, "INVITE", SX_SIP_METHOD_INVITE, 200,
	 1000 + 32000, 0},
	{"K/UDP", SX_SIP_PROTO_UDP, "OPTIONS", SX_SIP_METHOD_OPTIONS, 200,
	 1000 + 5000, 0},
	{"K/TCP", SX_SIP_PROTO_TCP, "OPTIONS", SX_SIP_METHOD_OPTIONS, 404,
	 1000, 0},
};
/* clang-format on */

static int run_final_case(const struct final_case *fc)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL;
	uint64_t at[MAXT];
	int err = 0;
	bool retx_possible = !sx_sip_proto_reliable(fc->proto);

	UT_OK(fx_init(&prm, fc->proto));
	UT_OK(fx_client_start(&t, fc->method, false));
	fx_run(1000);
	UT_OK(fx_b_reply(fc->mid, fc->code, "tb1"));
	UT_EQ(1, F.nresp);
	UT_EQ(fc->code, F.resp[0].status);
	UT_TRUE(!F.resp[0].synth);
	/* the peer retransmits its final: absorbed (non-2xx: ACKed again;
	 * INVITE 2xx: passed up, RFC 6026 7.2) */
	fx_run(500);
	if (sx_sip_tsx_state(t) != SX_SIP_TSX_TERMINATED) {
		UT_OK(fx_b_reply(fc->mid, fc->code, "tb1"));
		bool up = fc->mid == SX_SIP_METHOD_INVITE && fc->code < 300;
		UT_EQ(up ? 2 : 1, F.nresp);
	}
	fx_run(100000);
	UT_EQ(1, F.nterm);
	UT_EQ(SX_SIP_TSX_END_NORMAL, F.term_why[0]);
	UT_EQ(fc->end_at, F.term[0].at);
	UT_EQ(fc->nack, fx_times(SX_SIP_METHOD_ACK, 0, at, MAXT));
	/* the INVITE was not retransmitted after the final */
	int n = fx_times(fc->mid, 0, at, MAXT);
	UT_TRUE(n >= 1);
	UT_TRUE(at[n - 1] <= 1000);
	UT_TRUE(retx_possible || n == 1);
out:
	sx_mem_unref(t);
	fx_fini();
	return fx_result(err);
}

static int test_client_final_timers(void)
{
	int err = 0;
	for (size_t i = 0; i < SX_ARRAY_SIZE(final_cases); i++) {
		err = run_final_case(&final_cases[i]);
		if (err) {
			if (err != -ENOMEM)
				fprintf(stderr, "  case %s\n",
				        final_cases[i].name);
			break;
		}
	}
	return err;
}

/* 17.1.1.3: the ACK has the INVITE's Request-URI, top Via (branch),
 * Route, From, Call-ID, CSeq number, and the response's To. */
static int test_client_ack_for_non2xx(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL;
	struct sx_sip_msg *ack = NULL, *inv = NULL;
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_client_start(&t, "INVITE", false));
	fx_run(0);
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 180, "tb1"));
	UT_EQ(SX_SIP_TSX_PROCEEDING, sx_sip_tsx_state(t));
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 603, "tb1"));
	UT_EQ(SX_SIP_TSX_COMPLETED, sx_sip_tsx_state(t));
	UT_EQ(2, F.nresp);
	UT_EQ(180, F.resp[0].status);
	UT_EQ(603, F.resp[1].status);
	UT_TRUE(F.b_last_len[SX_SIP_METHOD_ACK] > 0);
	UT_OK(sx_sip_msg_parse(&ack, F.b_last[SX_SIP_METHOD_ACK],
	                       F.b_last_len[SX_SIP_METHOD_ACK], NULL, NULL));
	UT_OK(sx_sip_msg_parse(&inv, F.b_last[SX_SIP_METHOD_INVITE],
	                       F.b_last_len[SX_SIP_METHOD_INVITE], NULL, NULL));
	UT_EQ(SX_SIP_METHOD_ACK, ack->method);
	UT_TRUE(sx_sl_eq(ack->ruri_sl, inv->ruri_sl));
	UT_EQ(1, ack->nvias);
	UT_TRUE(sx_sl_eq(ack->vias[0].raw, inv->vias[0].raw));
	UT_EQ(1, ack->nroutes);
	UT_SL_EQ("tb1", ack->to_tag);
	UT_SL_EQ("cl1", ack->from_tag);
	UT_TRUE(sx_sl_eq(ack->call_id, inv->call_id));
	UT_EQ(inv->cseq, ack->cseq);
	UT_EQ(SX_SIP_METHOD_ACK, ack->cseq_method);
	UT_EQ(0, F.nstray);
out:
	sx_sip_msg_free(ack);
	sx_sip_msg_free(inv);
	sx_mem_unref(t);
	fx_fini();
	return fx_result(err);
}

/* RFC 6026 7.2: each 2xx retransmission reaches the TU (a proxy
 * forwards them), also 2xx from other forks with other tags. */
static int test_client_accepted_2xx(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL;
	uint64_t at[MAXT];
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_client_start(&t, "INVITE", false));
	fx_run(0);
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 200, "fork1"));
	UT_EQ(SX_SIP_TSX_ACCEPTED, sx_sip_tsx_state(t));
	fx_run(500);
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 200, "fork1"));
	fx_run(1000);
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 200, "fork2"));
	/* a late non-2xx in Accepted is dropped */
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 486, "fork3"));
	UT_EQ(3, F.nresp);
	for (int i = 0; i < 3; i++)
		UT_EQ(200, F.resp[i].status);
	/* the transaction never ACKs a 2xx and stopped retransmitting */
	UT_EQ(0, fx_times(SX_SIP_METHOD_ACK, 0, at, MAXT));
	UT_EQ(1, fx_times(SX_SIP_METHOD_INVITE, 0, at, MAXT));
	fx_run(40000);
	UT_EQ(3, F.nresp);
	UT_EQ(SX_SIP_TSX_TERMINATED, sx_sip_tsx_state(t));
	/* after Timer M a 2xx is stray (a proxy forwards it) */
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 200, "fork1"));
	UT_EQ(1, F.nstray);
out:
	sx_mem_unref(t);
	fx_fini();
	return fx_result(err);
}

/* 17.1.2.2: a provisional moves to Proceeding, where E restarts at T2
 * (Trying would give 0, 500, 1500, 3500, 7500, ...). */
static int test_client_ni_proceeding(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL;
	uint64_t at[MAXT];
	static const uint64_t want[] = {0, 500, 1500, 5500, 9500, 13500};
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_client_start(&t, "OPTIONS", false));
	fx_run(600);
	UT_OK(fx_b_reply(SX_SIP_METHOD_OPTIONS, 100, ""));
	UT_EQ(SX_SIP_TSX_PROCEEDING, sx_sip_tsx_state(t));
	fx_run(14000 - 600);
	UT_EQ(6, fx_times(SX_SIP_METHOD_OPTIONS, 0, at, MAXT));
	for (size_t i = 0; i < SX_ARRAY_SIZE(want); i++)
		UT_EQ(want[i], at[i]);
	UT_OK(fx_b_reply(SX_SIP_METHOD_OPTIONS, 200, "x"));
	UT_OK(fx_b_reply(SX_SIP_METHOD_OPTIONS, 200, "x"));
	UT_EQ(2, F.nresp);
	UT_EQ(SX_SIP_TSX_COMPLETED, sx_sip_tsx_state(t));
out:
	sx_mem_unref(t);
	fx_fini();
	return fx_result(err);
}

/* 8.1.3.1: transport errors become a 503 for the TU. */
static int test_client_transport_error(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL, *t2 = NULL;
	struct sx_sip_tp_loop_imp fail = {.fail_pct = 100};
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	/* synchronous failure: a 503 from the loop, not from the call */
	UT_OK(sx_sip_tp_loop_set_imp(F.a, &fail));
	UT_OK(fx_client_start(&t, "INVITE", false));
	UT_EQ(0, F.nresp);
	fx_run(0);
	UT_EQ(1, F.nresp);
	UT_EQ(503, F.resp[0].status);
	UT_TRUE(F.resp[0].synth);
	UT_EQ(SX_SIP_TSX_END_TRANSPORT, F.term_why[0]);
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
	t = sx_mem_unref(t);
	/* failure of a retransmission (Timer A) */
	UT_OK(sx_sip_tp_loop_set_imp(F.a, &(struct sx_sip_tp_loop_imp){0}));
	UT_OK(fx_client_start(&t, "INVITE", false));
	UT_OK(sx_sip_tp_loop_set_imp(F.a, &fail));
	fx_run(600);
	UT_EQ(2, F.nresp);
	UT_EQ(503, F.resp[1].status);
	UT_TRUE(F.resp[1].synth);
	UT_EQ(500, F.resp[1].at);
	UT_EQ(SX_SIP_TSX_END_TRANSPORT, F.term_why[1]);
	/* asynchronous error for the destination (err_h) */
	UT_OK(sx_sip_tp_loop_set_imp(F.a, &(struct sx_sip_tp_loop_imp){0}));
	UT_OK(fx_client_start(&t2, "OPTIONS", false));
	struct sx_sip_peer other = fx_peer_b();
	sx_sa_set_port(&other.remote, 5999);
	sx_sip_tsx_layer_tport_err(F.layer, &other, -ECONNREFUSED);
	UT_EQ(2, F.nresp);
	struct sx_sip_peer dst = fx_peer_b();
	sx_sip_tsx_layer_tport_err(F.layer, &dst, -ECONNREFUSED);
	UT_EQ(3, F.nresp);
	UT_EQ(503, F.resp[2].status);
	UT_TRUE(F.resp[2].tsx == t2);
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
out:
	sx_mem_unref(t);
	sx_mem_unref(t2);
	fx_fini();
	return fx_result(err);
}

/* Timer C (16.6 step 11, 16.7, 16.8): a proxy INVITE answered only
 * provisionally is CANCELled when C fires; 101-199 reset it, 100 not. */
static int test_client_timer_c(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL;
	uint64_t at[MAXT];
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_client_start(&t, "INVITE", true));
	fx_run(100);
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 100, ""));
	fx_run(900);
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 180, "tb"));
	fx_run(60000 - 1000);
	UT_OK(fx_b_reply(SX_SIP_METHOD_INVITE, 183, "tb"));
	/* C restarted at 60000: nothing before 241000 */
	fx_run(240999 - 60000);
	UT_EQ(0, fx_times(SX_SIP_METHOD_CANCEL, 0, at, MAXT));
	fx_run(1);
	UT_EQ(1, fx_times(SX_SIP_METHOD_CANCEL, 0, at, MAXT));
	UT_EQ(SX_SIP_TIMER_C_MS + 60000, at[0]);
	/* nobody answers the CANCEL or the INVITE: 408 after 64*T1 */
	fx_run(40000);
	UT_EQ(4, F.nresp);
	UT_EQ(408, F.resp[3].status);
	UT_TRUE(F.resp[3].synth);
	UT_EQ(241000 + 32000, F.resp[3].at);
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
out:
	sx_mem_unref(t);
	fx_fini();
	return fx_result(err);
}

/* Owner worker in branches (ARCHITECTURE.md 4) and foreign responses. */
static struct sx_sip_msg *foreign_msg;
static void foreign_h(struct sx_sip_tsx_layer *layer, struct sx_sip_msg *msg,
                      const struct sx_sip_peer *peer, int owner, void *arg)
{
	(void)layer;
	(void)peer;
	(void)arg;
	F.nforeign += owner == 7;
	sx_sip_msg_free(foreign_msg);
	foreign_msg = msg;
}

static int test_branch_owner(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx_layer *other = NULL;
	struct sx_sip_tsx *t = NULL;
	char b1[SX_SIP_BRANCH_SIZE], b2[SX_SIP_BRANCH_SIZE];
	char tag[SX_SIP_BRANCH_SIZE];
	int err = 0;

	prm.worker = 3;
	prm.foreign_h = foreign_h;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	size_t n = sx_sip_branch_make(F.layer, b1);
	UT_TRUE(n < SX_SIP_BRANCH_SIZE);
	UT_EQ(n, strlen(b1));
	UT_TRUE(!strncmp(b1, "z9hG4bK", 7));
	sx_sip_branch_make(F.layer, b2);
	UT_TRUE(strcmp(b1, b2) != 0);
	UT_EQ(3, sx_sip_branch_owner(sx_sl_cstr(b1)));
	UT_EQ(-1, sx_sip_branch_owner(SX_SL("z9hG4bK776asdhds")));
	UT_EQ(-1, sx_sip_branch_owner(SX_SL("")));
	b2[10] = 'g'; /* not hex */
	UT_EQ(-1, sx_sip_branch_owner(sx_sl_cstr(b2)));
	n = sx_sip_tag_make(F.layer, tag);
	UT_EQ(n, strlen(tag));
	UT_TRUE(n > 8);
	UT_EQ(-EINVAL, sx_sip_tsx_layer_alloc(
	                   &other, F.loop, sx_sip_tp_loop_tport(F.a),
	                   &(struct sx_sip_tsx_layer_prm){.worker = 0x1000}));
	/* a response whose branch names worker 7 goes to foreign_h */
	prm.worker = 7;
	UT_OK(sx_sip_tsx_layer_alloc(&other, F.loop, sx_sip_tp_loop_tport(F.a),
	                             &prm));
	struct sx_sip_tsx_layer *mine = F.layer;
	F.layer = other;
	err = fx_client_start(&t, "OPTIONS", false);
	F.layer = mine;
	UT_OK(err);
	fx_run(0);
	UT_OK(fx_b_reply(SX_SIP_METHOD_OPTIONS, 200, "x"));
	UT_EQ(1, F.nforeign);
	UT_TRUE(foreign_msg != NULL);
	/* the owner feeds it to its own layer */
	sx_sip_tsx_layer_recv(other, foreign_msg, &(struct sx_sip_peer){0});
	foreign_msg = NULL;
	UT_EQ(1, F.nresp);
	UT_EQ(200, F.resp[0].status);
	/* a response matching nothing is stray */
	UT_OK(fx_b_reply(SX_SIP_METHOD_OPTIONS, 200, "x"));
	UT_EQ(2, F.nforeign);
	UT_EQ(0, F.nstray);
out:
	sx_sip_msg_free(foreign_msg);
	foreign_msg = NULL;
	sx_mem_unref(t);
	sx_mem_unref(other);
	fx_fini();
	return fx_result(err);
}

/* Bad requests are refused; the limit applies to client transactions. */
static int test_client_request_checks(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL, *t2 = NULL;
	char buf[FX_MSG], branch[SX_SIP_BRANCH_SIZE];
	int err = 0;

	prm.max_tsx = 1;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	int n = fx_client_req(buf, sizeof(buf), "ACK", 1, branch);
	struct sx_sip_tsx_req_prm rp = {
	    .buf = buf, .len = (size_t)n, .dst = fx_peer_b()};
	UT_EQ(-EINVAL, sx_sip_tsx_request(&t, F.layer, &rp));
	rp.len = 10;
	UT_EQ(-EBADMSG, sx_sip_tsx_request(&t, F.layer, &rp));
	n = fx_client_req(buf, sizeof(buf), "OPTIONS", 1, branch);
	rp.len = (size_t)n;
	UT_OK(sx_sip_tsx_request(&t, F.layer, &rp));
	UT_EQ(-EBUSY, fx_client_start(&t2, "OPTIONS", false));
	UT_EQ(-EINVAL, sx_sip_tsx_cancel(t, SX_SL_NULL));
	UT_EQ(1, sx_sip_tsx_layer_count(F.layer));
	UT_TRUE(sx_sip_tsx_is_client(t));
	UT_EQ(SX_SIP_METHOD_OPTIONS, sx_sip_tsx_method(t));
	UT_STR_EQ("Trying", sx_sip_tsx_state_name(sx_sip_tsx_state(t)));
	/* freeing the layer detaches held handles */
	F.layer = sx_mem_unref(F.layer);
	UT_EQ(SX_SIP_TSX_TERMINATED, sx_sip_tsx_state(t));
	UT_TRUE(sx_sip_tsx_layer(t) == NULL);
	UT_EQ(0, F.nterm);
out:
	sx_mem_unref(t);
	sx_mem_unref(t2);
	fx_fini();
	return fx_result(err);
}

UT_MAIN(UT_C(test_client_timeouts), UT_C(test_client_final_timers),
        UT_C(test_client_ack_for_non2xx), UT_C(test_client_accepted_2xx),
        UT_C(test_client_ni_proceeding), UT_C(test_client_transport_error),
        UT_C(test_client_timer_c), UT_C(test_branch_owner),
        UT_C(test_client_request_checks))
