/*
 * Proxy authentication and asserted identity tests (RFC 3261 22.3 407
 * challenges of local callers, RFC 3325 P-Asserted-Identity, Privacy:
 * id), through the fixture in px_fixture.h with a proxy of our own that
 * authenticates (alice / "secret" in realm example.com).
 */
#include "px_auth.h"

static int test_challenge(void)
{
	int err = auth_init(NULL);
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(send_from("INVITE", "sip:alice@example.com",
	                "sip:bob@example.com", "", 1));
	UT_EQ(407, last()->status);
	/* md5_first: MD5 leads (RFC 8760 2.4 server preference) */
	const struct sx_sip_hdr *ch =
	    sx_sip_msg_hdr(last(), SX_SIP_HDR_PROXY_AUTHENTICATE);
	UT_TRUE(ch != NULL);
	struct sx_sip_challenge c;
	UT_OK(sx_sip_challenge_parse(&c, ch->value));
	UT_EQ(SX_SIP_ALG_MD5, c.alg);
	UT_SL_EQ(AUTH_REALM, c.realm);
	UT_TRUE(has(last(), "algorithm=SHA-256"));
	/* each method that needs it */
	static const char *const ms[] = {"REFER", "SUBSCRIBE", "MESSAGE",
	                                 "PUBLISH"};
	for (size_t i = 0; i < SX_ARRAY_SIZE(ms); i++) {
		UT_OK(send_from(ms[i], "sip:alice@example.com",
		                "sip:bob@example.com", "Event: presence\r\n",
		                1));
		UT_EQ(407, last()->status);
	}
	/* OPTIONS is not challenged */
	UT_OK(send_from("OPTIONS", "sip:alice@example.com",
	                "sip:bob@example.com", "", 1));
	UT_TRUE(last()->is_request);
	UT_OK(b_answer(last(), 200, ""));
out:
	px_fini();
	return px_result(err);
}

static int test_authenticated(void)
{
	const struct sx_sip_msg *inv;
	int err = auth_init(NULL);
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(invite_as("alice", "secret",
	                "P-Asserted-Identity: <sip:ceo@example.com>\r\n"
	                "P-Preferred-Identity: <sip:cfo@example.com>\r\n"
	                "Proxy-Authorization: Digest username=\"x\", "
	                "realm=\"other.org\", nonce=\"n\", uri=\"sip:b\", "
	                "response=\"0\"\r\n"));
	inv = last();
	UT_TRUE(inv->is_request && inv->method == SX_SIP_METHOD_INVITE);
	UT_SL_EQ("sip:bob@127.0.0.2:5062", inv->ruri_sl);
	/* our credentials consumed, the other realm's kept (22.3) */
	UT_TRUE(!has(inv, "realm=\"example.com\""));
	UT_TRUE(has(inv, "realm=\"other.org\""));
	/* the identity we assert replaces the caller's */
	UT_TRUE(has(inv, "P-Asserted-Identity: <sip:alice@example.com>\r\n"));
	UT_TRUE(!has(inv, "ceo@"));
	UT_TRUE(!has(inv, "P-Preferred-Identity"));
	UT_OK(b_answer(inv, 486, ""));
	UT_EQ(486, last()->status);
out:
	px_fini();
	return px_result(err);
}

static int test_bad_credentials(void)
{
	char cred[PX_MSG / 4], h[PX_MSG / 2];
	int err = auth_init(NULL);
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	/* wrong password and unknown user: the same 407 */
	UT_OK(invite_as("alice", "wrong", ""));
	UT_EQ(407, last()->status);
	UT_OK(invite_as("mallory", "secret", ""));
	UT_EQ(407, last()->status);
	/* malformed credentials: 400 */
	UT_OK(send_from("INVITE", "sip:alice@example.com",
	                "sip:bob@example.com",
	                "Proxy-Authorization: Digest username=\"alice\", "
	                "realm=\"example.com\", nonce=\"n\", uri=\"sip:other"
	                "@example.com\", response=\"00\", qop=auth, nc=1\r\n",
	                1));
	UT_EQ(400, last()->status);
	/* credentials for another request's URI are malformed too */
	UT_OK(send_from("INVITE", "sip:alice@example.com",
	                "sip:bob@example.com", "", 1));
	UT_EQ(407, last()->status);
	UT_OK(answer_407(last(), "alice", "secret", "sip:carol@example.com",
	                 "INVITE", cred, sizeof(cred)));
	snprintf(h, sizeof(h), "%s", cred);
	UT_OK(send_from("INVITE", "sip:alice@example.com",
	                "sip:bob@example.com", h, 2));
	UT_EQ(400, last()->status);
out:
	px_fini();
	return px_result(err);
}

/* Failures from one source: throttled with 403 after the limit. */
static int test_throttle(void)
{
	int err = auth_init(NULL);
	if (err)
		goto out;
	for (unsigned i = 0; i < SX_SIP_AUTH_THROTTLE_FAILS; i++) {
		UT_OK(invite_as("alice", "wrong", ""));
		UT_EQ(407, last()->status);
	}
	UT_OK(send_from("INVITE", "sip:alice@example.com",
	                "sip:bob@example.com", "", 1));
	UT_EQ(403, last()->status);
out:
	px_fini();
	return px_result(err);
}

/* Outside callers reach local users unchallenged; their PAI is dropped;
 * outside to outside stays refused. */
static int test_outside(void)
{
	int err = auth_init(NULL);
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(send_from("INVITE", "sip:carol@other.org", "sip:bob@example.com",
	                "P-Asserted-Identity: <sip:alice@example.com>\r\n", 1));
	UT_TRUE(last()->is_request);
	UT_TRUE(!has(last(), "P-Asserted-Identity"));
	UT_OK(b_answer(last(), 486, ""));
	UT_OK(send_from("INVITE", "sip:carol@other.org", "sip:dave@other.org",
	                "", 1));
	UT_EQ(403, last()->status);
	/* nor by a pre-loaded Route, behind ours or alone */
	UT_OK(send_from("INVITE", "sip:carol@other.org", "sip:dave@other.org",
	                OUR_ROUTE, 1));
	UT_EQ(403, last()->status);
	UT_SL_EQ("Relaying Denied", last()->reason);
	UT_OK(send_from("INVITE", "sip:carol@other.org", "sip:bob@example.com",
	                "Route: <sip:127.0.0.9:5060;lr>\r\n", 1));
	UT_EQ(403, last()->status);
	UT_SL_EQ("Relaying Denied", last()->reason);
	/* a local caller to another domain: challenged, then refused */
	UT_OK(send_from("INVITE", "sip:alice@example.com", "sip:dave@other.org",
	                "", 1));
	UT_EQ(407, last()->status);
out:
	px_fini();
	return px_result(err);
}

/* Trusted sources need no credentials and keep their PAI. */
static int test_trusted(void)
{
	int err = auth_init("10.0.0.1, 127.0.0.2");
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(send_from("INVITE", "sip:alice@example.com",
	                "sip:bob@example.com",
	                "P-Asserted-Identity: <sip:gw@example.com>\r\n", 1));
	UT_TRUE(last()->is_request);
	UT_TRUE(has(last(), "P-Asserted-Identity: <sip:gw@example.com>"));
	UT_OK(b_answer(last(), 486, ""));
out:
	px_fini();
	return px_result(err);
}

static int test_trusted_bad(void)
{
	int err = 0;
	struct sx_proxy *px = NULL;
	struct sx_proxy_prm pp = {.domain = "example.com",
	                          .lookup = lookup,
	                          .trusted = "10.0.0.1,gateway.example.com"};
	UT_ERR(-EINVAL, sx_proxy_alloc(&px, &pp));
	pp.trusted = " ,[::1], 10.0.0.2,";
	UT_OK(sx_proxy_alloc(&px, &pp));
	UT_EQ(2, px->ntrusted);
out:
	sx_mem_unref(px);
	return err;
}

/* In-dialog requests (To tag) are not challenged. */
static int test_in_dialog(void)
{
	int err = auth_init(NULL);
	if (err)
		goto out;
	UT_OK(caller_send("INVITE", "sip:bob@127.0.0.2:5062",
	                  "Max-Forwards: 70\r\n" OUR_ROUTE
	                  "To: <sip:bob@example.com>;tag=callee\r\n",
	                  3));
	UT_TRUE(last()->is_request);
	UT_TRUE(!has(last(), "P-Asserted-Identity"));
	UT_OK(b_answer(last(), 200, "Contact: <sip:bob@127.0.0.2:5062>\r\n"));
out:
	px_fini();
	return px_result(err);
}

/* RFC 3325 7: Privacy: id hides the identity from untrusted targets. */
static int test_privacy(void)
{
	int err = auth_init(NULL);
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(invite_as("alice", "secret", "Privacy: header; id\r\n"));
	UT_TRUE(last()->is_request);
	UT_TRUE(!has(last(), "P-Asserted-Identity"));
	UT_OK(b_answer(last(), 486, ""));
	px_fini();
	/* a trusted target sees it */
	err = auth_init("127.0.0.9, 127.0.0.2");
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(send_from("INVITE", "sip:carol@other.org", "sip:bob@example.com",
	                "P-Asserted-Identity: <sip:carol@example.com>\r\n"
	                "Privacy: id\r\n",
	                1));
	UT_TRUE(last()->is_request);
	UT_TRUE(has(last(), "P-Asserted-Identity: <sip:carol@example.com>"));
	UT_OK(b_answer(last(), 486, ""));
out:
	px_fini();
	return px_result(err);
}

UT_MAIN(UT_C(test_challenge), UT_C(test_authenticated),
        UT_C(test_bad_credentials), UT_C(test_throttle), UT_C(test_outside),
        UT_C(test_trusted), UT_C(test_trusted_bad), UT_C(test_in_dialog),
        UT_C(test_privacy))
