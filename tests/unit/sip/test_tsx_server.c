/*
 * Server transactions (RFC 3261 17.2, RFC 6026 7.1): Timers G, H, I, J,
 * L as tables for UDP and TCP, absorption of retransmitted requests and
 * of ACKs, the automatic 100 Trying, 2xx through Accepted, RFC 2543
 * matching, merged requests (8.2.2.2), the transaction limit, responses
 * with bodies and pre-built responses.
 */
#include <errno.h>

#include <sx/sip/hdrs.h>

#include "test_tsx_common.h"

#define MAXT 16

struct srv_case {
	const char *name;
	enum sx_sip_proto proto;
	const char *method;
	enum sx_sip_method mid;
	uint16_t code;
	uint64_t ack_at; /* 0 = never ACKed */
	int nsend;
	uint64_t sends[MAXT];
	uint64_t end_at;
	enum sx_sip_tsx_end why;
};

/* clang-format off */
static const struct srv_case srv_cases[] = {
	/* G = MIN(T1 << n, T2) until H = 64*T1 (17.2.1) */
	{"G+H/UDP", SX_SIP_PROTO_UDP, "INVITE", SX_SIP_METHOD_INVITE, 486, 0,
	 11, {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500,
	      31500}, 32000, SX_SIP_TSX_END_TIMEOUT},
	{"H/TCP", SX_SIP_PROTO_TCP, "INVITE", SX_SIP_METHOD_INVITE, 486, 0,
	 1, {0}, 32000, SX_SIP_TSX_END_TIMEOUT},
	/* ACK stops G; I = T4 (UDP) or 0 */
	{"G+I/UDP", SX_SIP_PROTO_UDP, "INVITE", SX_SIP_METHOD_INVITE, 404, 600,
	 2, {0, 500}, 600 + 5000, SX_SIP_TSX_END_NORMAL},
	{"I/TCP", SX_SIP_PROTO_TCP, "INVITE", SX_SIP_METHOD_INVITE, 404, 600,
	 1, {0}, 600, SX_SIP_TSX_END_NORMAL},
	/* J = 64*T1 (UDP) or 0 (17.2.2) */
	{"J/UDP", SX_SIP_PROTO_UDP, "OPTIONS", SX_SIP_METHOD_OPTIONS, 200, 0,
	 1, {0}, 32000, SX_SIP_TSX_END_NORMAL},
	{"J/TCP", SX_SIP_PROTO_TCP, "OPTIONS", SX_SIP_METHOD_OPTIONS, 200, 0,
	 1, {0}, 0, SX_SIP_TSX_END_NORMAL},
	/* L = 64*T1 (RFC 6026 7.1), no retransmission of the 2xx */
	{"L/UDP", SX_SIP_PROTO_UDP, "INVITE", SX_SIP_METHOD_INVITE, 200, 0,
	 1, {0}, 32000, SX_SIP_TSX_END_NORMAL},
	{"L/TCP", SX_SIP_PROTO_TCP, "INVITE", SX_SIP_METHOD_INVITE, 200, 0,
	 1, {0}, 32000, SX_SIP_TSX_END_NORMAL},
};
/* clang-format on */

static int run_srv_case(const struct srv_case *sc)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	int err = 0;

	UT_OK(fx_init(&prm, sc->proto));
	F.auto_reply = sc->code;
	UT_OK(fx_b_req(sc->method, "z9hG4bKs1", "f1", NULL, 1));
	UT_EQ(1, F.nsrv);
	if (sc->ack_at) {
		fx_run(sc->ack_at);
		UT_OK(fx_b_req("ACK", "z9hG4bKs1", "f1", "x", 1));
		UT_EQ(sc->proto == SX_SIP_PROTO_TCP ? SX_SIP_TSX_TERMINATED
		                                    : SX_SIP_TSX_CONFIRMED,
		      sx_sip_tsx_state(F.srv[0]));
	}
	fx_run(40000);
	int n = fx_times(sc->mid, sc->code, at, MAXT);
	UT_EQ(sc->nsend, n);
	for (int i = 0; i < n; i++)
		UT_EQ(sc->sends[i], at[i]);
	UT_EQ(1, F.nterm);
	UT_EQ(sc->end_at, F.term[0].at);
	UT_EQ(sc->why, F.term_why[0]);
	UT_EQ(0, F.nstateless); /* the ACK was absorbed */
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
out:
	fx_fini();
	return fx_result(err);
}

static int test_server_timers(void)
{
	int err = 0;
	for (size_t i = 0; i < SX_ARRAY_SIZE(srv_cases); i++) {
		err = run_srv_case(&srv_cases[i]);
		if (err) {
			if (!sx_mem_failed())
				fprintf(stderr, "  case %s\n",
				        srv_cases[i].name);
			break;
		}
	}
	return err;
}

/* Answer and deliver to B. */
static int reply(struct sx_sip_tsx *t, uint16_t code)
{
	int err =
	    sx_sip_tsx_reply(t, code, NULL, SX_SL_NULL, SX_SL_NULL, SX_SL_NULL);
	fx_run(0);
	return err;
}

/* 17.2.1: retransmitted INVITEs get the last response again, or nothing
 * before the first; ACKs and everything after them are absorbed. */
static int test_server_invite_retransmissions(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "z9hG4bKr1", "f1", NULL, 1));
	fx_run(100);
	UT_OK(fx_b_req("INVITE", "z9hG4bKr1", "f1", NULL, 1));
	UT_EQ(0, F.nbrx);
	fx_run(100); /* 200: automatic 100 Trying */
	fx_run(100);
	UT_OK(fx_b_req("INVITE", "z9hG4bKr1", "f1", NULL, 1));
	fx_run(100);
	UT_OK(reply(F.srv[0], 180));
	fx_run(100);
	UT_OK(fx_b_req("INVITE", "z9hG4bKr1", "f1", NULL, 1));
	fx_run(100);
	UT_OK(reply(F.srv[0], 486));
	UT_EQ(-EALREADY, reply(F.srv[0], 487));
	fx_run(100);
	UT_OK(fx_b_req("INVITE", "z9hG4bKr1", "f1", NULL, 1));
	fx_run(100);
	UT_OK(fx_b_req("ACK", "z9hG4bKr1", "f1", "t", 1));
	UT_EQ(SX_SIP_TSX_CONFIRMED, sx_sip_tsx_state(F.srv[0]));
	fx_run(100);
	UT_OK(fx_b_req("ACK", "z9hG4bKr1", "f1", "t", 1));
	UT_OK(fx_b_req("INVITE", "z9hG4bKr1", "f1", NULL, 1));
	fx_run(10000);
	UT_EQ(1, F.nsrv);
	UT_EQ(0, F.nstateless);
	UT_EQ(2, fx_times(SX_SIP_METHOD_INVITE, 100, at, MAXT));
	UT_EQ(200, at[0]);
	UT_EQ(300, at[1]);
	UT_EQ(2, fx_times(SX_SIP_METHOD_INVITE, 180, at, MAXT));
	UT_EQ(400, at[0]);
	UT_EQ(500, at[1]);
	UT_EQ(2, fx_times(SX_SIP_METHOD_INVITE, 486, at, MAXT));
	UT_EQ(600, at[0]);
	UT_EQ(700, at[1]);
	UT_EQ(6, F.nbrx);
	UT_EQ(SX_SIP_TSX_END_NORMAL, F.term_why[0]);
	UT_EQ(900 - 100 + 5000, F.term[0].at); /* I from the first ACK */
out:
	fx_fini();
	return fx_result(err);
}

/* 17.2.2: absorbed in Trying, last response resent afterwards. */
static int test_server_ni_retransmissions(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("REGISTER", "z9hG4bKn1", "f1", NULL, 1));
	UT_OK(fx_b_req("REGISTER", "z9hG4bKn1", "f1", NULL, 1));
	UT_EQ(0, F.nbrx);
	fx_run(1000); /* no 100 Trying for non-INVITE */
	UT_EQ(0, F.nbrx);
	UT_EQ(SX_SIP_TSX_TRYING, sx_sip_tsx_state(F.srv[0]));
	UT_OK(reply(F.srv[0], 100));
	UT_EQ(SX_SIP_TSX_PROCEEDING, sx_sip_tsx_state(F.srv[0]));
	UT_OK(fx_b_req("REGISTER", "z9hG4bKn1", "f1", NULL, 1));
	UT_OK(reply(F.srv[0], 401));
	UT_OK(fx_b_req("REGISTER", "z9hG4bKn1", "f1", NULL, 1));
	fx_run(500);
	UT_OK(fx_b_req("REGISTER", "z9hG4bKn1", "f1", NULL, 1));
	UT_EQ(1, F.nsrv);
	UT_EQ(2, fx_times(SX_SIP_METHOD_REGISTER, 100, at, MAXT));
	UT_EQ(3, fx_times(SX_SIP_METHOD_REGISTER, 401, at, MAXT));
	UT_EQ(1500, at[2]);
	/* another branch is another transaction */
	UT_OK(fx_b_req("REGISTER", "z9hG4bKn2", "f1", NULL, 2));
	UT_EQ(2, F.nsrv);
	/* a TU that never answers: the local guard ends it (2*64*T1) */
	fx_run(64000);
	UT_EQ(2, F.nterm);
	UT_EQ(SX_SIP_TSX_END_TIMEOUT, F.term_why[1]);
	UT_EQ(1500 + 64000, F.term[1].at);
out:
	fx_fini();
	return fx_result(err);
}

/* A completed non-INVITE transaction lets its request go at the next
 * received message and still matches retransmissions, CANCELs and
 * merged requests through its key (17.2.2, 9.2, 8.2.2.2). */
static int test_server_ni_compacted(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	int err = 0;

	prm.detect_merged = true;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("REGISTER", "z9hG4bKc1", "f1", NULL, 7));
	UT_OK(reply(F.srv[0], 200));
	/* the TU may still read its request right after answering */
	UT_TRUE(sx_sip_tsx_msg(F.srv[0]) != NULL);
	UT_OK(fx_b_req("OPTIONS", "z9hG4bKc2", "f2", NULL, 1));
	UT_EQ(2, F.nsrv);
	UT_TRUE(sx_sip_tsx_msg(F.srv[0]) == NULL);
	UT_EQ(SX_SIP_TSX_COMPLETED, sx_sip_tsx_state(F.srv[0]));
	/* a retransmission gets the response again */
	fx_run(100);
	UT_OK(fx_b_req("REGISTER", "z9hG4bKc1", "f1", NULL, 7));
	UT_EQ(2, F.nsrv);
	UT_EQ(2, fx_times(SX_SIP_METHOD_REGISTER, 200, at, MAXT));
	UT_EQ(100, at[1]);
	/* the same request by another path is merged (482) */
	UT_OK(fx_b_req("REGISTER", "z9hG4bKc3", "f1", NULL, 7));
	UT_EQ(2, F.nsrv);
	UT_EQ(1, fx_times(SX_SIP_METHOD_REGISTER, 482, at, MAXT));
	/* a CANCEL of it matches and gets 200 (9.2), nothing else */
	UT_OK(fx_b_req("CANCEL", "z9hG4bKc1", "f1", NULL, 7));
	UT_EQ(1, fx_times(SX_SIP_METHOD_CANCEL, 200, at, MAXT));
	UT_EQ(0, fx_times(SX_SIP_METHOD_CANCEL, 481, at, MAXT));
	/* a TU holding the request keeps it past its answer */
	UT_OK(fx_b_req("MESSAGE", "z9hG4bKc4", "f4", NULL, 1));
	UT_EQ(3, F.nsrv);
	sx_sip_tsx_hold_request(F.srv[2], true);
	UT_OK(reply(F.srv[2], 202));
	UT_OK(fx_b_req("OPTIONS", "z9hG4bKc5", "f5", NULL, 1));
	UT_TRUE(sx_sip_tsx_msg(F.srv[2]) != NULL);
	sx_sip_tsx_hold_request(F.srv[2], false);
	UT_TRUE(sx_sip_tsx_msg(F.srv[2]) != NULL);
	UT_OK(fx_b_req("MESSAGE", "z9hG4bKc4", "f4", NULL, 1));
	UT_TRUE(sx_sip_tsx_msg(F.srv[2]) == NULL);
	UT_EQ(2, fx_times(SX_SIP_METHOD_MESSAGE, 202, at, MAXT));
	sx_sip_tsx_hold_request(NULL, true);
	/* Timer J still ends it */
	fx_run(32000);
	UT_EQ(SX_SIP_TSX_TERMINATED, sx_sip_tsx_state(F.srv[0]));
out:
	fx_fini();
	return fx_result(err);
}

/* sx_sip_tsx_reply_once(): the transaction ends with its response (no
 * Timer J); a retransmission is a new request, answered afresh. */
static int test_server_reply_once(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("REGISTER", "z9hG4bKo1", "f1", NULL, 1));
	UT_EQ(1, F.nsrv);
	UT_OK(sx_sip_tsx_reply_once(F.srv[0], 401, NULL, SX_SL_NULL));
	fx_run(10);
	UT_EQ(1, fx_times(SX_SIP_METHOD_REGISTER, 401, at, MAXT));
	UT_EQ(1, F.nterm);
	UT_EQ(SX_SIP_TSX_END_NORMAL, F.term_why[0]);
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
	UT_OK(fx_b_req("REGISTER", "z9hG4bKo1", "f1", NULL, 1));
	UT_EQ(2, F.nsrv);
	/* not for INVITE (its final needs retransmission) nor provisionals */
	UT_OK(fx_b_req("INVITE", "z9hG4bKo2", "f2", NULL, 1));
	UT_EQ(3, F.nsrv);
	UT_EQ(-EINVAL, sx_sip_tsx_reply_once(F.srv[2], 486, NULL, SX_SL_NULL));
	UT_EQ(-EINVAL, sx_sip_tsx_reply_once(F.srv[1], 180, NULL, SX_SL_NULL));
out:
	fx_fini();
	return fx_result(err);
}

/* 17.2.1 / 16.2: 100 Trying when the TU is silent for 200 ms. */
static int test_server_auto_trying(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	int err = 0;

	prm.trying_ms = 50;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "z9hG4bKt1", "f1", NULL, 1));
	fx_run(1000);
	UT_EQ(1, fx_times(SX_SIP_METHOD_INVITE, 100, at, MAXT));
	UT_EQ(50, at[0]);
	/* the 100 carries no To tag (8.2.6.1 / 8.2.6.2) */
	struct sx_sip_msg *m = NULL;
	UT_OK(sx_sip_msg_parse(&m, F.b_resp, F.b_resp_len, NULL, NULL));
	bool notag = m->to_tag.len == 0;
	sx_sip_msg_free(m);
	UT_TRUE(notag);
	/* answered early: no 100 */
	UT_OK(fx_b_req("INVITE", "z9hG4bKt2", "f2", NULL, 1));
	fx_run(20);
	UT_OK(reply(F.srv[1], 180));
	fx_run(1000);
	UT_EQ(1, fx_times(SX_SIP_METHOD_INVITE, 100, at, MAXT));
	fx_fini();

	/* default delay 200 ms, or switched off */
	prm = fx_prm();
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "z9hG4bKt3", "f1", NULL, 1));
	fx_run(1000);
	UT_EQ(1, fx_times(SX_SIP_METHOD_INVITE, 100, at, MAXT));
	UT_EQ(SX_SIP_TRYING_MS, at[0]);
	fx_fini();
	prm.no_auto_trying = true;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "z9hG4bKt4", "f1", NULL, 1));
	fx_run(1000);
	UT_EQ(0, F.nbrx);
out:
	fx_fini();
	return fx_result(err);
}

/* RFC 6026 7.1: 2xx retransmissions come from the TU, INVITE
 * retransmissions are absorbed, ACKs go to the TU. */
static int test_server_accepted(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	F.auto_reply = 200;
	UT_OK(fx_b_req("INVITE", "z9hG4bKa1", "f1", NULL, 1));
	UT_EQ(SX_SIP_TSX_ACCEPTED, sx_sip_tsx_state(F.srv[0]));
	UT_OK(fx_b_req("INVITE", "z9hG4bKa1", "f1", NULL, 1));
	fx_run(500);
	UT_OK(reply(F.srv[0], 200));
	UT_EQ(-EALREADY, reply(F.srv[0], 486));
	UT_EQ(-EALREADY, reply(F.srv[0], 180));
	UT_EQ(2, fx_times(SX_SIP_METHOD_INVITE, 200, at, MAXT));
	UT_EQ(500, at[1]);
	/* ACK for the 2xx: new branch, not a transaction's */
	UT_OK(fx_b_req("ACK", "z9hG4bKa2", "f1", "t", 1));
	UT_EQ(1, F.nstateless);
	UT_EQ(SX_SIP_METHOD_ACK, F.stateless_method);
	/* even one matching the transaction goes up in Accepted */
	UT_OK(fx_b_req("ACK", "z9hG4bKa1", "f1", "t", 1));
	UT_EQ(2, F.nstateless);
	fx_run(40000);
	UT_EQ(2, fx_times(SX_SIP_METHOD_INVITE, 200, at, MAXT));
	UT_EQ(32000, F.term[0].at);
	UT_EQ(1, F.nsrv);
out:
	fx_fini();
	return fx_result(err);
}

/* 8.2.2.2: same From tag, Call-ID, CSeq, other branch, no To tag. */
static int test_server_merged(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	int err = 0;

	prm.detect_merged = true;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "z9hG4bKm1", "f1", NULL, 1));
	UT_OK(fx_b_req("INVITE", "z9hG4bKm2", "f1", NULL, 1));
	UT_EQ(1, F.nsrv);
	UT_EQ(1, fx_times(SX_SIP_METHOD_INVITE, 482, at, MAXT));
	/* another CSeq or From tag is a new request */
	UT_OK(fx_b_req("INVITE", "z9hG4bKm3", "f1", NULL, 2));
	UT_OK(fx_b_req("INVITE", "z9hG4bKm4", "f2", NULL, 1));
	UT_EQ(3, F.nsrv);
	fx_fini();

	/* off (a proxy: spirals look alike) */
	prm.detect_merged = false;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "z9hG4bKm1", "f1", NULL, 1));
	UT_OK(fx_b_req("INVITE", "z9hG4bKm2", "f1", NULL, 1));
	UT_EQ(2, F.nsrv);
	UT_EQ(0, fx_times(SX_SIP_METHOD_INVITE, 482, at, MAXT));
out:
	fx_fini();
	return fx_result(err);
}

/* 17.2.3: peers without the magic cookie are matched on Request-URI,
 * tags, Call-ID, CSeq and top Via; their ACK on our To tag. */
static int test_server_rfc2543(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	char tag[64];
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "", "f1", NULL, 1));
	UT_OK(fx_b_req("INVITE", "", "f1", NULL, 1));
	UT_EQ(1, F.nsrv);
	UT_OK(reply(F.srv[0], 486));
	struct sx_sl t = sx_sip_tsx_to_tag(F.srv[0]);
	UT_TRUE(t.len > 0 && t.len < sizeof(tag));
	memcpy(tag, t.p, t.len);
	tag[t.len] = '\0';
	UT_OK(fx_b_req("INVITE", "", "f1", NULL, 1));
	UT_EQ(2, fx_times(SX_SIP_METHOD_INVITE, 486, at, MAXT));
	/* an ACK with another To tag is not ours */
	UT_OK(fx_b_req("ACK", "", "f1", "other", 1));
	UT_EQ(1, F.nstateless);
	UT_EQ(SX_SIP_TSX_COMPLETED, sx_sip_tsx_state(F.srv[0]));
	UT_OK(fx_b_req("ACK", "", "f1", tag, 1));
	UT_EQ(SX_SIP_TSX_CONFIRMED, sx_sip_tsx_state(F.srv[0]));
	UT_EQ(1, F.nstateless);
	/* a branch without the cookie is RFC 2543 too; a different
	 * From tag is another transaction */
	UT_OK(fx_b_req("OPTIONS", "1234", "f2", NULL, 5));
	UT_OK(fx_b_req("OPTIONS", "1234", "f2", NULL, 5));
	UT_OK(fx_b_req("OPTIONS", "1234", "f3", NULL, 5));
	UT_EQ(3, F.nsrv);
	/* and an RFC 2543 CANCEL finds its INVITE */
	UT_OK(fx_b_req("INVITE", "", "f9", NULL, 7));
	UT_EQ(4, F.nsrv);
	UT_OK(fx_b_req("CANCEL", "", "f9", NULL, 7));
	UT_EQ(1, F.ncancel);
	UT_EQ(1, fx_times(SX_SIP_METHOD_CANCEL, 200, at, MAXT));
out:
	fx_fini();
	return fx_result(err);
}

/* Over the limit: 503 with Retry-After, statelessly (ACK never). */
static int test_server_limit(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_msg *m = NULL;
	uint64_t at[MAXT];
	int err = 0;

	prm.max_tsx = 1;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "z9hG4bKl1", "f1", NULL, 1));
	UT_OK(fx_b_req("OPTIONS", "z9hG4bKl2", "f1", NULL, 2));
	UT_EQ(1, F.nsrv);
	UT_EQ(1, fx_times(SX_SIP_METHOD_OPTIONS, 503, at, MAXT));
	UT_OK(sx_sip_msg_parse(&m, F.b_resp, F.b_resp_len, NULL, NULL));
	const struct sx_sip_hdr *ra = sx_sip_msg_hdr(m, SX_SIP_HDR_RETRY_AFTER);
	UT_TRUE(ra != NULL);
	UT_SL_EQ("5", ra->value);
	UT_TRUE(m->to_tag.len > 0);
	/* a retransmission gets the same stateless tag (8.2.7) */
	char tag1[64];
	UT_TRUE(m->to_tag.len < sizeof(tag1));
	memcpy(tag1, m->to_tag.p, m->to_tag.len);
	tag1[m->to_tag.len] = '\0';
	sx_sip_msg_free(m);
	m = NULL;
	UT_OK(fx_b_req("OPTIONS", "z9hG4bKl2", "f1", NULL, 2));
	UT_OK(sx_sip_msg_parse(&m, F.b_resp, F.b_resp_len, NULL, NULL));
	UT_SL_EQ(tag1, m->to_tag);
	int before = F.nbrx;
	UT_OK(fx_b_req("ACK", "z9hG4bKl3", "f1", "x", 3));
	UT_EQ(before, F.nbrx);
	UT_EQ(1, F.nstateless);
out:
	sx_sip_msg_free(m);
	fx_fini();
	return fx_result(err);
}

/* A peer piling requests onto one hash chain (same Call-ID, From tag
 * and CSeq, new branch each time) is stopped at SX_SIP_TSX_CHAIN_MAX
 * (64, lib/sip/tsx/tsx_int.h) with a 503. */
static int test_server_chain_limit(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	char branch[32];
	uint64_t at[MAXT];
	int err = 0;

	prm.no_auto_trying = true;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	for (int i = 0; i < 64; i++) {
		snprintf(branch, sizeof(branch), "z9hG4bKc%d", i);
		UT_OK(fx_b_req("INVITE", branch, "f1", NULL, 1));
	}
	UT_EQ(64, F.nsrv);
	UT_EQ(0, F.nbrx);
	UT_OK(fx_b_req("INVITE", "z9hG4bKlast", "f1", NULL, 1));
	UT_EQ(64, F.nsrv);
	UT_EQ(1, fx_times(SX_SIP_METHOD_INVITE, 503, at, MAXT));
	/* other keys are not affected */
	UT_OK(fx_b_req("INVITE", "z9hG4bKother", "f2", NULL, 1));
	UT_EQ(65, F.nsrv);
out:
	fx_fini();
	return fx_result(err);
}

/* Bodies, extra headers, pre-built responses, To tags. */
static int test_server_reply_forms(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_msg *m = NULL;
	struct sx_buf b;
	uint64_t at[MAXT];
	int err = 0;

	sx_buf_init(&b, 0);
	prm.no_auto_trying = true;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "z9hG4bKf1", "f1", NULL, 1));
	UT_OK(sx_sip_tsx_set_to_tag(F.srv[0], SX_SL("mytag")));
	UT_OK(sx_sip_tsx_reply(F.srv[0], 183, "Progress",
	                       SX_SL("Contact: <sip:b@127.0.0.1>\r\n"),
	                       SX_SL("application/sdp"), SX_SL("v=0\r\n")));
	fx_run(0);
	UT_EQ(-EALREADY, sx_sip_tsx_set_to_tag(F.srv[0], SX_SL("late")));
	UT_OK(sx_sip_msg_parse(&m, F.b_resp, F.b_resp_len, NULL, NULL));
	UT_EQ(183, m->status);
	UT_SL_EQ("Progress", m->reason);
	UT_SL_EQ("mytag", m->to_tag);
	UT_SL_EQ("v=0\r\n", m->body);
	UT_TRUE(sx_sip_msg_hdr(m, SX_SIP_HDR_CONTACT) != NULL);
	const struct sx_sip_hdr *ct =
	    sx_sip_msg_hdr(m, SX_SIP_HDR_CONTENT_TYPE);
	UT_TRUE(ct != NULL);
	UT_SL_EQ("application/sdp", ct->value);
	sx_sip_msg_free(m);
	m = NULL;
	/* a proxy forwards a response it built elsewhere */
	const struct sx_sip_msg *req = sx_sip_tsx_msg(F.srv[0]);
	UT_OK(
	    sx_sip_reply_print(req, 480, NULL, SX_SL("down1"), SX_SL_NULL, &b));
	UT_EQ(-EBADMSG,
	      sx_sip_tsx_reply_raw(F.srv[0], req->wire.p, req->wire.len));
	UT_OK(sx_sip_tsx_reply_raw(F.srv[0], b.p, b.len));
	fx_run(0);
	UT_EQ(480, sx_sip_tsx_status(F.srv[0]));
	UT_EQ(SX_SIP_TSX_COMPLETED, sx_sip_tsx_state(F.srv[0]));
	UT_EQ(1, fx_times(SX_SIP_METHOD_INVITE, 480, at, MAXT));
	UT_SL_EQ("down1", sx_sip_tsx_to_tag(F.srv[0]));
	/* bad arguments */
	UT_EQ(-EINVAL, reply(F.srv[0], 99));
	UT_EQ(-EINVAL, reply(F.srv[0], 700));
	UT_EQ(-EINVAL, reply(NULL, 200));
out:
	sx_buf_fini(&b);
	sx_sip_msg_free(m);
	fx_fini();
	return fx_result(err);
}

/* A failed send ends the transaction (17.2.4); no TU: 501. */
static int test_server_send_error(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	uint64_t at[MAXT];
	int err = 0;

	prm.no_auto_trying = true;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("INVITE", "z9hG4bKe1", "f1", NULL, 1));
	UT_OK(sx_sip_tp_loop_set_imp(
	    F.a, &(struct sx_sip_tp_loop_imp){.fail_pct = 100}));
	UT_EQ(-ENETUNREACH, reply(F.srv[0], 486));
	UT_EQ(SX_SIP_TSX_TERMINATED, sx_sip_tsx_state(F.srv[0]));
	UT_EQ(SX_SIP_TSX_END_TRANSPORT, F.term_why[0]);
	UT_EQ(-EALREADY, reply(F.srv[0], 486));
	fx_fini();

	prm.request_h = NULL;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	UT_OK(fx_b_req("MESSAGE", "z9hG4bKe2", "f1", NULL, 1));
	UT_EQ(1, fx_times(SX_SIP_METHOD_MESSAGE, 501, at, MAXT));
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
out:
	fx_fini();
	return fx_result(err);
}

/* Odd but parseable messages and random corruptions of valid ones: no
 * crash, no leak, every transaction ends (ASan/UBSan run this). */
static int test_server_hostile(void)
{
	static const char *const odd[] = {
	    /* CSeq method differs from the request method */
	    "INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKo1\r\n"
	    "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: o1\r\n"
	    "CSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n",
	    /* the bare cookie as branch, unknown transport */
	    "OPTIONS sip:b@h SIP/2.0\r\nVia: SIP/2.0/SCTP h;branch=z9hG4bK\r\n"
	    "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: o2\r\n"
	    "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
	    /* response matching nothing, without branch */
	    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\n"
	    "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: o3\r\n"
	    "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
	    /* ACK and CANCEL without tags or branch */
	    "ACK sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
	    "From: <sip:a@h>\r\nTo: <sip:b@h>\r\nCall-ID: o4\r\n"
	    "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
	    "CANCEL sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;maddr=x.invalid\r\n"
	    "From: <sip:a@h>\r\nTo: <sip:b@h>\r\nCall-ID: o5\r\n"
	    "CSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n",
	    /* extension method */
	    "FOO sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKo6\r\n"
	    "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: o6\r\n"
	    "CSeq: 1 FOO\r\nContent-Length: 0\r\n\r\n",
	};
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	char buf[FX_MSG];
	uint64_t rng = 12345;
	int err = 0;

	prm.detect_merged = true;
	UT_OK(fx_init(&prm, SX_SIP_PROTO_UDP));
	F.auto_reply = 486;
	for (size_t i = 0; i < SX_ARRAY_SIZE(odd); i++) {
		UT_OK(fx_b_send(odd[i], strlen(odd[i])));
		UT_OK(fx_b_send(odd[i], strlen(odd[i])));
	}
	int n = fx_mkreq(buf, sizeof(buf), "INVITE", "z9hG4bKh", "f1", NULL, 1);
	UT_TRUE(n > 0);
	for (int round = 0; round < 120; round++) {
		char mut[FX_MSG];
		memcpy(mut, buf, (size_t)n);
		for (int k = 0; k < 3; k++) {
			rng = rng * 6364136223846793005ull +
			      1442695040888963407ull;
			mut[(rng >> 33) % (uint64_t)n] = (char)(rng >> 25);
		}
		UT_OK(fx_b_send(mut, (size_t)n));
		fx_run(7);
	}
	fx_run(200000);
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
out:
	fx_fini();
	return fx_result(err);
}

UT_MAIN(UT_C(test_server_timers), UT_C(test_server_invite_retransmissions),
        UT_C(test_server_ni_compacted),
        UT_C(test_server_ni_retransmissions), UT_C(test_server_reply_once),
        UT_C(test_server_auto_trying), UT_C(test_server_accepted),
        UT_C(test_server_merged), UT_C(test_server_rfc2543),
        UT_C(test_server_limit), UT_C(test_server_reply_forms),
        UT_C(test_server_send_error), UT_C(test_server_hostile),
        UT_C(test_server_chain_limit))
