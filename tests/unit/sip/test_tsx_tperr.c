/*
 * Transport errors reaching client transactions (RFC 3261 8.1.3.1,
 * 17.1.4): which transactions an error for a destination fails.  A
 * stream send whose connection was already closed falls back to a new
 * connection to the same address, so the error names another conn_id
 * than the transaction's destination; it must still fail at once with a
 * 503 instead of waiting for Timer B/F.
 */
#include <errno.h>

#include "test_tsx_common.h"

/* Stale connection the transaction was told to use, and the one the
 * transport opened instead. */
#define CONN_STALE    7u
#define CONN_FALLBACK 8u
#define OTHER_PORT    5999u

/* Start an OPTIONS client transaction towards B through @conn_id. */
static int start_on_conn(struct sx_sip_tsx **tsxp, uint64_t conn_id)
{
	char buf[FX_MSG], branch[SX_SIP_BRANCH_SIZE];
	int n = fx_client_req(buf, sizeof(buf), "OPTIONS", 1, branch);
	if (n < 0)
		return -EINVAL;
	struct sx_sip_tsx_req_prm prm = {.buf = buf,
	                                 .len = (size_t)n,
	                                 .dst = fx_peer_b(),
	                                 .resp_h = fx_resp_h};
	prm.dst.conn_id = conn_id;
	return sx_sip_tsx_request(tsxp, F.layer, &prm);
}

/* The transport reports @err for @peer through the err_h adapter. */
static void report(const struct sx_sip_peer *peer)
{
	sx_sip_tsx_tport_err(sx_sip_tp_loop_tport(F.a), peer, -ECONNREFUSED,
	                     F.layer);
}

/* The regression: conn N closed, the send went out on M, M fails. */
static int test_tperr_fallback_conn(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL;
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_TCP));
	UT_OK(start_on_conn(&t, CONN_STALE));
	struct sx_sip_peer m = fx_peer_b();
	m.conn_id = CONN_FALLBACK;
	report(&m);
	UT_EQ(1, F.nresp);
	UT_EQ(503, F.resp[0].status);
	UT_TRUE(F.resp[0].synth);
	UT_TRUE(F.resp[0].tsx == t);
	UT_EQ(0, F.resp[0].at); /* at once, not after Timer F */
	UT_EQ(SX_SIP_TSX_END_TRANSPORT, F.term_why[0]);
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
out:
	sx_mem_unref(t);
	fx_fini();
	return fx_result(err);
}

/* Errors for other destinations leave the transaction alone. */
static int test_tperr_other_dst(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL;
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_TCP));
	UT_OK(start_on_conn(&t, CONN_STALE));
	/* another connection to another port of the same host */
	struct sx_sip_peer p = fx_peer_b();
	p.conn_id = CONN_FALLBACK;
	sx_sa_set_port(&p.remote, OTHER_PORT);
	report(&p);
	/* same address and port, other protocol */
	p = fx_peer_b();
	p.proto = SX_SIP_PROTO_TLS;
	p.conn_id = CONN_STALE;
	report(&p);
	/* an error without an address for another connection */
	p = (struct sx_sip_peer){.proto = SX_SIP_PROTO_TCP,
	                         .conn_id = CONN_FALLBACK};
	report(&p);
	UT_EQ(0, F.nresp);
	UT_EQ(1, sx_sip_tsx_layer_count(F.layer));
	UT_EQ(SX_SIP_TSX_TRYING, sx_sip_tsx_state(t));
out:
	sx_mem_unref(t);
	fx_fini();
	return fx_result(err);
}

/* The same connection matches whatever address the error carries, and
 * a transaction sent by address matches any connection to it. */
static int test_tperr_same_conn_or_addr(void)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx *t = NULL, *t2 = NULL;
	int err = 0;

	UT_OK(fx_init(&prm, SX_SIP_PROTO_TCP));
	UT_OK(start_on_conn(&t, CONN_STALE));
	struct sx_sip_peer p = {.proto = SX_SIP_PROTO_TCP,
	                        .conn_id = CONN_STALE};
	report(&p);
	UT_EQ(1, F.nresp);
	UT_TRUE(F.resp[0].tsx == t);
	UT_OK(start_on_conn(&t2, 0));
	p = fx_peer_b();
	p.conn_id = CONN_FALLBACK;
	report(&p);
	UT_EQ(2, F.nresp);
	UT_EQ(503, F.resp[1].status);
	UT_TRUE(F.resp[1].tsx == t2);
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
out:
	sx_mem_unref(t);
	sx_mem_unref(t2);
	fx_fini();
	return fx_result(err);
}

UT_MAIN(UT_C(test_tperr_fallback_conn), UT_C(test_tperr_other_dst),
        UT_C(test_tperr_same_conn_or_addr))
