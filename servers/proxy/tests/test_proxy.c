/*
 * Proxy tests (RFC 3261 16): validation, location lookups, a call with
 * Record-Route, CANCEL, parallel forking and loop detection, through the
 * fixture in px_fixture.h.
 */
#include "px_fixture.h"

static int test_validate(void)
{
	int err = px_init();
	if (err)
		goto out;
	UT_OK(invite("sip:bob@example.com", "Max-Forwards: 0\r\n"));
	UT_EQ(483, last()->status);
	UT_OK(invite("mailto:bob@example.com", "Max-Forwards: 70\r\n"));
	UT_EQ(416, last()->status);
	UT_OK(invite("sip:bob@example.com",
		     "Max-Forwards: 70\r\nProxy-Require: foo\r\n"));
	UT_EQ(420, last()->status);
	UT_TRUE(has(last(), "\r\nUnsupported: foo\r\n"));
	UT_OK(invite("sip:bob@other.org", "Max-Forwards: 70\r\n"));
	UT_EQ(403, last()->status);
	UT_TRUE(has(last(), "Relaying Denied"));
out:
	px_fini();
	return px_result(err);
}

/* [proxy] dns_servers: IP literals with optional ports, or nothing. */
static int test_dns_servers_prm(void)
{
	static const char *const good[] = {"127.0.0.1", "127.0.0.1:5353",
	                                   "127.0.0.1:53, [::1]:5353", "::1"};
	static const char *const bad[] = {"",       "ns.example.com",
	                                  "1.2.3.4:", "1.2.3.4,",
	                                  "1.2.3.4:99999", "1.2.3.4,,5.6.7.8"};
	struct sx_proxy *px = NULL;
	int err = 0;

	for (size_t i = 0; i < SX_ARRAY_SIZE(good); i++) {
		struct sx_proxy_prm prm = {.domain = "example.com",
		                           .dns_servers = good[i]};
		UT_OK(sx_proxy_alloc(&px, &prm));
		px = sx_mem_unref(px);
	}
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		struct sx_proxy_prm prm = {.domain = "example.com",
		                           .dns_servers = bad[i]};
		UT_ERR(-EINVAL, sx_proxy_alloc(&px, &prm));
	}
out:
	sx_mem_unref(px);
	return err;
}

static int test_not_found(void)
{
	int err = px_init();
	if (err)
		goto out;
	UT_OK(invite("sip:nobody@example.com", "Max-Forwards: 70\r\n"));
	UT_EQ(404, last()->status);
	UT_OK(invite("sip:alice@example.com", "Max-Forwards: 70\r\n"));
	UT_EQ(480, last()->status);
out:
	px_fini();
	return px_result(err);
}

static int test_call(void)
{
	const struct sx_sip_msg *inv, *m;
	char ack[PX_MSG];
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(invite("sip:bob@example.com", "Max-Forwards: 70\r\n"));
	inv = last();
	UT_TRUE(inv->is_request && inv->method == SX_SIP_METHOD_INVITE);
	UT_SL_EQ("sip:bob@127.0.0.2:5062", inv->ruri_sl);
	UT_EQ(69, inv->max_forwards);
	UT_TRUE(has(inv, "Record-Route: <sip:127.0.0.1:5060;lr>\r\n"));
	UT_EQ(2, inv->nvias);
	UT_TRUE(has(inv, "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKsx"));
	UT_TRUE(sx_sl_eq_cstr(inv->vias[1].received, "127.0.0.2"));
	UT_EQ(5060, inv->vias[1].rport_val);
	/* 180 and 200 come back with our Via popped */
	UT_OK(b_answer(inv, 180, ""));
	m = last();
	UT_EQ(180, m->status);
	UT_EQ(1, m->nvias);
	UT_TRUE(has(m, "branch=z9hG4bKc"));
	UT_OK(b_answer(inv, 200, "Contact: <sip:bob@127.0.0.2:5062>\r\n"));
	UT_EQ(200, last()->status);
	UT_EQ(1, last()->nvias);
	/* the ACK for the 2xx follows our Record-Route */
	int n = snprintf(ack, sizeof(ack),
			 "ACK sip:bob@127.0.0.2:5062 SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKack\r\n"
			 "Max-Forwards: 70\r\n" OUR_ROUTE
			 "From: <sip:alice@example.com>;tag=a\r\n"
			 "To: <sip:bob@example.com>;tag=callee\r\n"
			 "Call-ID: %.*s\r\nCSeq: 1 ACK\r\n"
			 "Content-Length: 0\r\n\r\n",
			 SX_SL_FMT(inv->call_id));
	UT_OK(b_send_wait(ack, n));
	m = last();
	UT_TRUE(m->is_request && m->method == SX_SIP_METHOD_ACK);
	UT_SL_EQ("sip:bob@127.0.0.2:5062", m->ruri_sl);
	UT_EQ(0, m->nroutes);
	UT_EQ(2, m->nvias);
	/* BYE routed by its Route */
	UT_OK(caller_send("BYE", "sip:bob@127.0.0.2:5062",
			  "Max-Forwards: 70\r\n" OUR_ROUTE
			  "To: <sip:bob@example.com>;tag=callee\r\n",
			  2));
	m = last();
	UT_TRUE(m->is_request && m->method == SX_SIP_METHOD_BYE);
	UT_EQ(0, m->nroutes);
	UT_TRUE(!has(m, "Record-Route"));
	UT_OK(b_answer(m, 200, ""));
	UT_EQ(200, last()->status);
	UT_EQ(SX_SIP_METHOD_BYE, last()->cseq_method);
out:
	px_fini();
	return px_result(err);
}

static int test_cancel(void)
{
	const struct sx_sip_msg *inv;
	char buf[PX_MSG];
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(invite("sip:bob@example.com", "Max-Forwards: 70\r\n"));
	inv = last();
	UT_OK(b_answer(inv, 180, ""));
	UT_EQ(180, last()->status);
	/* the caller cancels: same Via branch as its INVITE */
	int n = snprintf(buf, sizeof(buf),
			 "CANCEL sip:bob@example.com SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKc%u;"
			 "rport\r\nMax-Forwards: 70\r\n"
			 "From: <sip:alice@example.com>;tag=a\r\n"
			 "To: <sip:bob@example.com>\r\n"
			 "Call-ID: call%u@px\r\nCSeq: 1 CANCEL\r\n"
			 "Content-Length: 0\r\n\r\n",
			 P.seq, P.seq);
	UT_OK(b_send(buf, (size_t)n));
	settle();
	UT_TRUE(find_resp(200, SX_SIP_METHOD_CANCEL) != NULL);
	const struct sx_sip_msg *c = find_req(SX_SIP_METHOD_CANCEL, 0);
	UT_TRUE(c != NULL);
	UT_SL_EQ("sip:bob@127.0.0.2:5062", c->ruri_sl);
	UT_OK(b_reply(c, 200, "", false));
	UT_OK(b_answer(inv, 487, ""));
	UT_TRUE(find_resp(487, SX_SIP_METHOD_INVITE) != NULL);
	UT_EQ(1, find_resp(487, SX_SIP_METHOD_INVITE)->nvias);
out:
	px_fini();
	return px_result(err);
}

static int test_fork(void)
{
	const struct sx_sip_msg *i1, *i2;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>, <sip:bob@127.0.0.2:5064>"));
	UT_OK(invite("sip:bob@example.com", "Max-Forwards: 70\r\n"));
	settle();
	i1 = find_req(SX_SIP_METHOD_INVITE, 1);
	i2 = find_req(SX_SIP_METHOD_INVITE, 0);
	UT_TRUE(i1 && i2);
	UT_TRUE(!sx_sl_eq(i1->ruri_sl, i2->ruri_sl));
	UT_TRUE(!sx_sl_eq(i1->vias[0].branch, i2->vias[0].branch));
	UT_OK(b_answer(i2, 180, ""));
	UT_OK(b_answer(i1, 180, ""));
	UT_OK(b_answer(i2, 200, "Contact: <sip:bob@127.0.0.2:5064>\r\n"));
	settle();
	UT_EQ(1, count_resp(200, SX_SIP_METHOD_INVITE));
	const struct sx_sip_msg *c = find_req(SX_SIP_METHOD_CANCEL, 0);
	UT_TRUE(c != NULL);
	UT_TRUE(sx_sl_eq(c->ruri_sl, i1->ruri_sl));
	UT_TRUE(has(c, "Reason: SIP;cause=200"));
	UT_OK(b_reply(c, 200, "", false));
	UT_OK(b_reply(i1, 487, "", false));
	settle();
	/* the caller sees only the 200 */
	UT_EQ(0, count_resp(487, SX_SIP_METHOD_INVITE));
out:
	px_fini();
	return px_result(err);
}

static int test_loop(void)
{
	char buf[PX_MSG];
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(invite("sip:bob@example.com", "Max-Forwards: 70\r\n"));
	const struct sx_sip_msg *inv = last();
	/* the callee sends it back unchanged but for its own Via */
	const char *rest = memchr(inv->wire.p, '\n', inv->wire.len);
	UT_TRUE(rest != NULL);
	rest++;
	int n = snprintf(buf, sizeof(buf),
			 "INVITE sip:bob@example.com SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.2:5062;branch=z9hG4bKloop\r\n"
			 "%.*s",
			 (int)(inv->wire.len - (size_t)(rest - inv->wire.p)),
			 rest);
	UT_OK(b_send_wait(buf, n));
	UT_EQ(482, last()->status);
	/* end the first call so nothing is left pending */
	UT_OK(b_answer(inv, 486, ""));
	UT_EQ(486, last()->status);
out:
	px_fini();
	return px_result(err);
}

UT_MAIN(UT_C(test_validate), UT_C(test_dns_servers_prm),
        UT_C(test_not_found), UT_C(test_call),
	UT_C(test_cancel), UT_C(test_fork), UT_C(test_loop))
