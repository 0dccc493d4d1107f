/*
 * Registrar tests (RFC 3261 10.3, RFC 3327, RFC 5626 6): REGISTER over the
 * transaction layer and the loop transport, on a virtual clock, with a
 * temporary SQLite store.
 */
#include <stdlib.h>
#include <time.h>

#include <sx/store/user.h>

#include "reg_fixture.h"
#include "registrar_int.h"

#define C1 "Contact: <sip:alice@192.0.2.1:5060>\r\n"

static int test_register_basic(void)
{
	struct sx_registrar_cset *cs = NULL;
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_OK(rx_register("alice", "c1@rx", 1, C1 "Expires: 120\r\n"));
	UT_EQ(200, R.status);
	UT_TRUE(rx_has("Contact: <sip:alice@192.0.2.1:5060>;expires=120"));
	UT_TRUE(rx_has("\r\nDate: "));
	UT_EQ(1, sx_registrar_count(R.reg));
	UT_OK(sx_registrar_lookup(R.reg, SX_SL("sip:alice@EXAMPLE.com"), &cs));
	UT_EQ(1, cs->n);
	UT_STR_EQ("sip:alice@192.0.2.1:5060", cs->c[0].uri);
	UT_EQ(120, cs->c[0].expires);
	UT_STR_EQ("udp", cs->c[0].transport);
	UT_STR_EQ("127.0.0.2:5060", cs->c[0].received);
	/* a query (no Contact) lists the bindings */
	UT_OK(rx_register("alice", "c2@rx", 1, ""));
	UT_EQ(200, R.status);
	UT_EQ(1, rx_contacts());
out:
	sx_mem_unref(cs);
	rx_fini();
	return rx_result(err);
}

static int test_refresh_remove(void)
{
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_OK(rx_register("alice", "c1@rx", 1, C1 "Expires: 120\r\n"));
	UT_EQ(200, R.status);
	(void)sx_ev_clock_advance(R.loop, 30000);
	UT_OK(rx_register("alice", "c1@rx", 2, C1 "Expires: 300\r\n"));
	UT_EQ(200, R.status);
	UT_TRUE(rx_has(";expires=300"));
	UT_EQ(1, sx_registrar_count(R.reg));
	/* the expires param wins over the Expires header */
	UT_OK(rx_register("alice", "c1@rx", 3,
			  "Contact: <sip:alice@192.0.2.1:5060>;expires=0\r\n"
			  "Expires: 300\r\n"));
	UT_EQ(200, R.status);
	UT_EQ(0, rx_contacts());
	UT_EQ(0, sx_registrar_count(R.reg));
out:
	rx_fini();
	return rx_result(err);
}

static int test_multi_q(void)
{
	struct sx_registrar_cset *cs = NULL;
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_OK(rx_register("bob", "q@rx", 1,
			  "Contact: <sip:bob@192.0.2.1>;q=0.5, "
			  "<sip:bob@192.0.2.2>;q=0.9\r\n"
			  "Contact: <sip:bob@192.0.2.3>\r\n"));
	UT_EQ(200, R.status);
	UT_EQ(3, rx_contacts());
	UT_TRUE(rx_has("<sip:bob@192.0.2.1>;expires=3600;q=0.500"));
	UT_OK(sx_registrar_lookup(R.reg, SX_SL("sip:bob@example.com"), &cs));
	UT_EQ(3, cs->n);
	UT_STR_EQ("sip:bob@192.0.2.3", cs->c[0].uri); /* no q = 1.0 */
	UT_STR_EQ("sip:bob@192.0.2.2", cs->c[1].uri);
	UT_EQ(900, cs->c[1].q);
	UT_STR_EQ("sip:bob@192.0.2.1", cs->c[2].uri);
out:
	sx_mem_unref(cs);
	rx_fini();
	return rx_result(err);
}

static int test_wildcard(void)
{
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_OK(rx_register("bob", "w@rx", 1,
			  "Contact: <sip:bob@192.0.2.1>, <sip:bob@192.0.2.2>\r\n"));
	UT_EQ(2, sx_registrar_count(R.reg));
	/* RFC 3261 10.3 step 6: '*' needs Expires: 0 and no other contact */
	UT_OK(rx_register("bob", "w@rx", 2, "Contact: *\r\nExpires: 5\r\n"));
	UT_EQ(400, R.status);
	UT_OK(rx_register("bob", "w@rx", 3, "Contact: *\r\n"));
	UT_EQ(400, R.status);
	UT_OK(rx_register("bob", "w@rx", 4,
			  "Contact: *, <sip:bob@192.0.2.3>\r\nExpires: 0\r\n"));
	UT_EQ(400, R.status);
	UT_EQ(2, sx_registrar_count(R.reg));
	UT_OK(rx_register("bob", "w@rx", 5, "Contact: *\r\nExpires: 0\r\n"));
	UT_EQ(200, R.status);
	UT_EQ(0, rx_contacts());
	UT_EQ(0, sx_registrar_count(R.reg));
out:
	rx_fini();
	return rx_result(err);
}

static int test_interval_too_brief(void)
{
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_OK(rx_register("alice", "e@rx", 1, C1 "Expires: 10\r\n"));
	UT_EQ(423, R.status);
	UT_TRUE(rx_has("\r\nMin-Expires: 60\r\n"));
	UT_EQ(0, sx_registrar_count(R.reg));
	/* longer than the maximum is shortened */
	UT_OK(rx_register("alice", "e@rx", 2, C1 "Expires: 99999\r\n"));
	UT_EQ(200, R.status);
	UT_TRUE(rx_has(";expires=3600"));
	/* bad Expires value */
	UT_OK(rx_register("alice", "e@rx", 3, C1 "Expires: soon\r\n"));
	UT_EQ(400, R.status);
out:
	rx_fini();
	return rx_result(err);
}

static int test_cseq_order(void)
{
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_OK(rx_register("alice", "o@rx", 5, C1));
	UT_EQ(200, R.status);
	/* RFC 3261 10.3 step 7: same Call-ID, CSeq not higher: fails */
	UT_OK(rx_register("alice", "o@rx", 5, C1 "Expires: 0\r\n"));
	UT_EQ(500, R.status);
	UT_OK(rx_register("alice", "o@rx", 4, C1 "Expires: 0\r\n"));
	UT_EQ(500, R.status);
	UT_EQ(1, sx_registrar_count(R.reg));
	/* another Call-ID may have any CSeq */
	UT_OK(rx_register("alice", "other@rx", 1, C1 "Expires: 0\r\n"));
	UT_EQ(200, R.status);
	UT_EQ(0, sx_registrar_count(R.reg));
out:
	rx_fini();
	return rx_result(err);
}

static int test_max_bindings(void)
{
	struct sx_registrar_cfg cfg;
	rx_cfg_default(&cfg);
	cfg.max_bindings = 2;
	int err = rx_init(&cfg);
	if (err)
		goto out;
	UT_OK(rx_register("bob", "m@rx", 1,
			  "Contact: <sip:bob@192.0.2.1>, <sip:bob@192.0.2.2>\r\n"));
	UT_EQ(200, R.status);
	UT_OK(rx_register("bob", "m@rx", 2, "Contact: <sip:bob@192.0.2.3>\r\n"));
	UT_EQ(403, R.status);
	UT_EQ(2, sx_registrar_count(R.reg));
	/* replacing one is fine: the count does not grow */
	UT_OK(rx_register("bob", "m@rx", 3,
			  "Contact: <sip:bob@192.0.2.1>;expires=0, "
			  "<sip:bob@192.0.2.3>\r\n"));
	UT_EQ(200, R.status);
	UT_EQ(2, rx_contacts());
out:
	rx_fini();
	return rx_result(err);
}

static int test_path(void)
{
	struct sx_registrar_cset *cs = NULL;
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_OK(rx_register("alice", "p@rx", 1,
			  C1 "Path: <sip:edge1.example.net;lr>\r\n"
			     "Path: <sip:edge2.example.net;lr>\r\n"
			     "Supported: path\r\n"));
	UT_EQ(200, R.status);
	UT_TRUE(rx_has("\r\nPath: <sip:edge1.example.net;lr>, "
		       "<sip:edge2.example.net;lr>\r\n"));
	UT_OK(sx_registrar_lookup(R.reg, SX_SL("sip:alice@example.com"), &cs));
	UT_STR_EQ("<sip:edge1.example.net;lr>, <sip:edge2.example.net;lr>",
		  cs->c[0].path);
	cs = sx_mem_unref(cs);
	/* without Supported: path it is neither stored nor echoed */
	UT_OK(rx_register("bob", "p@rx", 1,
			  "Contact: <sip:bob@192.0.2.9>\r\n"
			  "Path: <sip:edge1.example.net;lr>\r\n"));
	UT_EQ(200, R.status);
	UT_TRUE(!rx_has("\r\nPath:"));
	UT_OK(sx_registrar_lookup(R.reg, SX_SL("sip:bob@example.com"), &cs));
	UT_STR_EQ("", cs->c[0].path);
	/* an unknown Require option tag gets 420 */
	UT_OK(rx_register("bob", "p@rx", 2, "Require: foo\r\n"));
	UT_EQ(420, R.status);
	UT_TRUE(rx_has("\r\nUnsupported: foo\r\n"));
out:
	sx_mem_unref(cs);
	rx_fini();
	return rx_result(err);
}

static int test_instance_replaces(void)
{
	struct sx_registrar_cset *cs = NULL;
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_OK(rx_register("alice", "i1@rx", 1,
			  "Contact: <sip:alice@192.0.2.1:5060>;reg-id=1;"
			  "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-"
			  "000A95A0E128>\"\r\nSupported: outbound\r\n"));
	UT_EQ(200, R.status);
	UT_TRUE(rx_has(";reg-id=1"));
	/* RFC 5626 6: same instance and reg-id from a new address */
	UT_OK(rx_register("alice", "i2@rx", 1,
			  "Contact: <sip:alice@198.51.100.7:40000>;reg-id=1;"
			  "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-"
			  "000A95A0E128>\"\r\n"));
	UT_EQ(200, R.status);
	UT_EQ(1, rx_contacts());
	UT_OK(sx_registrar_lookup(R.reg, SX_SL("sip:alice@example.com"), &cs));
	UT_EQ(1, cs->n);
	UT_STR_EQ("sip:alice@198.51.100.7:40000", cs->c[0].uri);
	UT_STR_EQ("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>",
		  cs->c[0].instance);
	UT_EQ(1, cs->c[0].reg_id);
out:
	sx_mem_unref(cs);
	rx_fini();
	return rx_result(err);
}

/* REGISTER for @aor_user with credentials of @user/@pw answering the
 * 401 in R.resp. */
static int register_auth(const char *aor_user, const char *user,
			 const char *pw, unsigned cseq)
{
	struct sx_sip_auth_client cl;
	struct sx_sip_msg *resp = NULL;
	struct sx_buf b;
	char hdrs[2048];
	int err;

	sx_sip_auth_client_init(&cl);
	sx_buf_init(&b, 0);
	err = sx_sip_msg_parse(&resp, R.resp, R.resp_len, NULL, NULL);
	if (!err)
		err = sx_sip_auth_client_set_msg(&cl, resp);
	struct sx_sip_auth_client_prm prm = {
	    .username = sx_sl_cstr(user),
	    .password = sx_sl_cstr(pw),
	    .method = SX_SL("REGISTER"),
	    .uri = SX_SL("sip:example.com"),
	};
	if (!err)
		err = sx_sip_auth_client_authorize(&cl, &prm, &b);
	if (!err) {
		snprintf(hdrs, sizeof(hdrs), C1 "%s: %s\r\n",
			 sx_sip_auth_client_hdr_name(&cl), b.p);
		err = rx_register(aor_user, "auth@rx", cseq, hdrs);
	}
	sx_sip_msg_free(resp);
	sx_buf_fini(&b);
	return err;
}

static int test_auth(void)
{
	struct sx_registrar_cfg cfg;
	rx_cfg_default(&cfg);
	cfg.authenticate = true;
	int err = rx_init(&cfg);
	if (err)
		goto out;
	UT_OK(rx_register("alice", "auth@rx", 1, C1));
	UT_EQ(401, R.status);
	UT_TRUE(rx_has("\r\nWWW-Authenticate: Digest "));
	UT_EQ(0, sx_registrar_count(R.reg));
	UT_OK(register_auth("alice", "alice", "alice-pw", 2));
	UT_EQ(200, R.status);
	UT_EQ(1, sx_registrar_count(R.reg));
	/* right credentials of another user: 403 (RFC 3261 10.3 step 4) */
	UT_OK(rx_register("bob", "auth@rx", 3, C1));
	UT_EQ(401, R.status);
	UT_OK(register_auth("bob", "alice", "alice-pw", 4));
	UT_EQ(403, R.status);
	/* wrong password: a new challenge */
	UT_OK(rx_register("alice", "auth@rx", 5, C1));
	UT_OK(register_auth("alice", "alice", "wrong", 6));
	UT_EQ(401, R.status);
out:
	rx_fini();
	return rx_result(err);
}

/* Whether the first WWW-Authenticate of the last response offers @alg. */
static bool first_challenge_is(const char *alg)
{
	char want[32];
	const char *h = strstr(R.resp, "\r\nWWW-Authenticate: Digest ");
	const char *eol = h ? strstr(h + 2, "\r\n") : NULL;
	snprintf(want, sizeof(want), "algorithm=%s,", alg);
	const char *a = h ? strstr(h, want) : NULL;
	return a && eol && a < eol;
}

/*
 * [registrar] md5_first = yes with [sip] digest_algorithms = sha-256, md5:
 * the registrar's engine (built as the service builds it) lists MD5
 * first (RFC 8760 2.4), and the client still picks and answers SHA-256;
 * an engine swapped in for md5_first = no (a reload) leads with SHA-256.
 */
static int test_auth_md5_first(void)
{
	struct sx_sip_auth_prm base = {
	    .realm = SX_SL("example.com"),
	    .lookup = rx_lookup,
	    .algs = SX_SIP_AUTH_F_SHA256 | SX_SIP_AUTH_F_MD5,
	};
	struct sx_sip_auth *auth = NULL;
	struct sx_registrar_cfg cfg;
	rx_cfg_default(&cfg);
	cfg.authenticate = true;
	cfg.md5_first = true;
	int err = rx_init(&cfg);
	if (err)
		goto out;
	UT_OK(sx_reg__auth_alloc(&auth, &base, &cfg));
	sx_reg__auth_set(R.reg, auth);
	UT_OK(rx_register("alice", "m5@rx", 1, C1));
	UT_EQ(401, R.status);
	UT_TRUE(first_challenge_is("MD5"));
	UT_TRUE(rx_has("algorithm=SHA-256,"));
	UT_OK(register_auth("alice", "alice", "alice-pw", 2));
	UT_EQ(200, R.status);
	/* md5_first = no: the engine's own order, SHA-256 first */
	cfg.md5_first = false;
	auth = sx_mem_unref(auth);
	UT_OK(sx_reg__auth_alloc(&auth, &base, &cfg));
	sx_reg__auth_set(R.reg, auth);
	UT_OK(rx_register("alice", "m5@rx", 3, C1));
	UT_EQ(401, R.status);
	UT_TRUE(first_challenge_is("SHA-256"));
	UT_TRUE(rx_has("algorithm=MD5,"));
out:
	sx_mem_unref(auth);
	rx_fini();
	return rx_result(err);
}

/* The 401 for an unknown user looks like the one for a known user. */
static int test_auth_unknown_same(void)
{
	struct sx_registrar_cfg cfg;
	char known[RX_MSG];
	rx_cfg_default(&cfg);
	cfg.authenticate = true;
	int err = rx_init(&cfg);
	if (err)
		goto out;
	UT_OK(rx_register("alice", "k@rx", 1, C1));
	UT_OK(register_auth("alice", "alice", "bad-pw", 2));
	UT_EQ(401, R.status);
	memcpy(known, R.resp, sizeof(known));
	UT_OK(rx_register("mallory", "k@rx", 3, C1));
	UT_OK(register_auth("mallory", "mallory", "bad-pw", 4));
	UT_EQ(401, R.status);
	/* same header names and the same challenge shape */
	const char *a = strstr(known, "WWW-Authenticate"), *b =
	    strstr(R.resp, "WWW-Authenticate");
	UT_TRUE(a && b);
	UT_EQ(strlen(a), strlen(b));
out:
	rx_fini();
	return rx_result(err);
}

static int count_h(const struct sx_store_binding *b, void *arg)
{
	(void)b;
	(*(int *)arg)++;
	return 0;
}

static int test_expiry(void)
{
	int nstored = 0;
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_OK(rx_register("alice", "x@rx", 1, C1 "Expires: 60\r\n"));
	UT_OK(rx_register("bob", "x@rx", 1,
			  "Contact: <sip:bob@192.0.2.1>\r\nExpires: 600\r\n"));
	UT_EQ(2, sx_registrar_count(R.reg));
	(void)sx_ev_clock_advance(R.loop, 59000);
	UT_EQ(2, sx_registrar_count(R.reg));
	(void)sx_ev_clock_advance(R.loop, 2000);
	UT_EQ(1, sx_registrar_count(R.reg));
	/* the store lost it too */
	UT_OK(sx_store_flush(R.st));
	(void)sx_ev_run_once(R.loop, 0);
	UT_EQ(1, sx_store_binding_load(R.st, SX_SL_NULL, count_h, &nstored));
	(void)sx_ev_clock_advance(R.loop, 540000);
	UT_EQ(0, sx_registrar_count(R.reg));
out:
	rx_fini();
	return rx_result(err);
}

static int test_reload_from_store(void)
{
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_OK(rx_register("alice", "l@rx", 1, C1));
	UT_OK(rx_register("bob", "l@rx", 1,
			  "Contact: <sip:bob@192.0.2.1>, <sip:bob@192.0.2.2>\r\n"));
	UT_EQ(200, R.status);
	sx_registrar_free(R.reg);
	R.reg = NULL;
	UT_OK(rx_reg_start());
	UT_EQ(3, sx_registrar_count(R.reg));
out:
	rx_fini();
	return rx_result(err);
}

static int test_domains(void)
{
	char buf[RX_MSG];
	int err = rx_init(NULL);
	if (err)
		goto out;
	/* RFC 4475 3.3.4 unksm2: the To must be a SIP or SIPS URI */
	int n = snprintf(buf, sizeof(buf),
			 "REGISTER sip:example.com SIP/2.0\r\n"
			 "To: isbn:2983792873\r\n"
			 "From: <http://www.example.com>;tag=3234233\r\n"
			 "Call-ID: unksm2.daksdj@hyphenated-host.example.com\r\n"
			 "CSeq: 234902 REGISTER\r\n"
			 "Max-Forwards: 70\r\n"
			 "Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw\r\n"
			 "Contact: <name:John_Smith>\r\n"
			 "l: 0\r\n\r\n");
	UT_OK(rx_send(buf, (size_t)n));
	UT_EQ(400, R.status);
	n = snprintf(buf, sizeof(buf),
		     "REGISTER sip:other.org SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bKdom1\r\n"
		     "To: <sip:alice@other.org>\r\n"
		     "From: <sip:alice@other.org>;tag=1\r\n"
		     "Call-ID: d1\r\nCSeq: 1 REGISTER\r\n"
		     "Content-Length: 0\r\n\r\n");
	UT_OK(rx_send(buf, (size_t)n));
	UT_EQ(403, R.status);
	n = snprintf(buf, sizeof(buf),
		     "REGISTER sip:example.com SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bKdom2\r\n"
		     "To: <sip:alice@other.org>\r\n"
		     "From: <sip:alice@other.org>;tag=1\r\n"
		     "Call-ID: d2\r\nCSeq: 1 REGISTER\r\n"
		     "Content-Length: 0\r\n\r\n");
	UT_OK(rx_send(buf, (size_t)n));
	UT_EQ(404, R.status);
	/* the Request-URI may name us by address (127.0.0.1) */
	n = snprintf(buf, sizeof(buf),
		     "REGISTER sip:127.0.0.1:5060 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bKdom3\r\n"
		     "To: <sip:alice@example.com>\r\n"
		     "From: <sip:alice@example.com>;tag=1\r\n"
		     "Call-ID: d3\r\nCSeq: 1 REGISTER\r\n" C1
		     "Content-Length: 0\r\n\r\n");
	UT_OK(rx_send(buf, (size_t)n));
	UT_EQ(200, R.status);
out:
	rx_fini();
	return rx_result(err);
}

static int test_redirect(void)
{
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_OK(rx_register("alice", "r@rx", 1,
			  "Contact: <sip:alice@192.0.2.1>;q=0.7\r\n"
			  "Expires: 600\r\n"));
	UT_OK(rx_invite("sip:alice@example.com"));
	UT_EQ(302, R.status);
	UT_TRUE(rx_has("\r\nContact: <sip:alice@192.0.2.1>;q=0.700;expires=600\r\n"));
	UT_OK(rx_invite("sip:bob@example.com"));
	UT_EQ(480, R.status);
	UT_OK(rx_invite("sip:nobody@example.com"));
	UT_EQ(404, R.status);
	UT_OK(rx_invite("tel:+15551234"));
	UT_EQ(416, R.status);
out:
	rx_fini();
	return rx_result(err);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -EIO : 0;
}

static const char mapping_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<mappings xmlns=\"http://www.sipfoundry.org/sipX/schema/xml/"
    "urlmap-00-00\">\n"
    " <hostMatch>\n"
    "  <hostPattern>example.com</hostPattern>\n"
    "  <userMatch>\n"
    "   <userPattern>8xxx</userPattern>\n"
    "   <permissionMatch><transform>\n"
    "    <url>&lt;sip:IVR@{mediaserver};mailbox={vdigits};"
    "action=deposit&gt;;q=0.1</url>\n"
    "   </transform></permissionMatch>\n"
    "  </userMatch>\n"
    "  <userMatch>\n"
    "   <userPattern>operator</userPattern><userPattern>0</userPattern>\n"
    "   <permissionMatch><transform>\n"
    "    <user>IVR</user><host>{mediaserver}</host>\n"
    "    <urlparams>action=autoattendant</urlparams>\n"
    "   </transform></permissionMatch>\n"
    "  </userMatch>\n"
    "  <userMatch>\n"
    "   <userPattern>9.</userPattern>\n"
    "   <permissionMatch><permission>LongDistance</permission>\n"
    "    <transform><host>gw.example.com</host></transform>\n"
    "   </permissionMatch>\n"
    "  </userMatch>\n"
    " </hostMatch>\n"
    "</mappings>\n";

static const char fallback_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<mappings>\n"
    " <hostMatch><hostPattern>example.com</hostPattern>\n"
    "  <userMatch><userPattern>.</userPattern>\n"
    "   <permissionMatch><transform>\n"
    "    <url>sip:{vdigits}@fallback.example.com</url>\n"
    "   </transform></permissionMatch>\n"
    "  </userMatch>\n"
    " </hostMatch>\n"
    "</mappings>\n";

static const char alias_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<items type=\"alias\">\n"
    " <item><identity>301@Example.com</identity>\n"
    "  <contact>\"John\"&lt;sip:john@192.0.2.5&gt;;q=0.8</contact></item>\n"
    " <item><identity>301@example.com</identity>\n"
    "  <contact>&lt;sip:jane@192.0.2.6&gt;;q=0.9;expires=30</contact></item>\n"
    " <item><identity>fwd@example.com</identity>\n"
    "  <contact>sip:alice@example.com</contact></item>\n"
    "</items>\n";

static int test_rules(void)
{
	struct sx_registrar_cfg cfg;
	char map[400], fb[400], al[400];
	struct tdb files;
	int err = tdb_make(&files);
	if (err)
		return err;
	snprintf(map, sizeof(map), "%s/mappingrules.xml", files.dir);
	snprintf(fb, sizeof(fb), "%s/fallbackrules.xml", files.dir);
	snprintf(al, sizeof(al), "%s/alias.xml", files.dir);
	rx_cfg_default(&cfg);
	cfg.mappingrules = map;
	cfg.aliases = al;
	cfg.mediaserver = "media.example.com";
	UT_OK(write_file(map, mapping_xml));
	UT_OK(write_file(fb, fallback_xml));
	UT_OK(write_file(al, alias_xml));
	err = rx_init(&cfg);
	if (err)
		goto out;
	UT_OK(rx_invite("sip:8123@example.com"));
	UT_EQ(302, R.status);
	UT_TRUE(rx_has("\r\nContact: <sip:IVR@media.example.com;mailbox=123;"
		       "action=deposit>;q=0.100\r\n"));
	UT_OK(rx_invite("sip:operator@example.com"));
	UT_EQ(302, R.status);
	UT_TRUE(rx_has("\r\nContact: <sip:IVR@media.example.com;"
		       "action=autoattendant>\r\n"));
	/* a listed permission is not held: the search stops (404) */
	UT_OK(rx_invite("sip:9555@example.com"));
	UT_EQ(404, R.status);
	/* aliases: several contacts, highest q first, per-contact expiry */
	UT_OK(rx_invite("sip:301@example.com"));
	UT_EQ(302, R.status);
	UT_EQ(2, rx_contacts());
	const char *jane = strstr(R.resp, "<sip:jane@192.0.2.6>;q=0.900;"
					  "expires=30");
	const char *john = strstr(R.resp, "<sip:john@192.0.2.5>;q=0.800");
	UT_TRUE(jane && john && jane < john);
	/* fallback only when nothing else matched, after a reload */
	cfg.fallbackrules = fb;
	UT_OK(sx_registrar_reload(R.reg, &cfg));
	UT_OK(rx_invite("sip:77@example.com"));
	UT_EQ(302, R.status);
	UT_TRUE(rx_has("Contact: <sip:77@fallback.example.com>\r\n"));
	UT_OK(rx_invite("sip:8123@example.com"));
	UT_EQ(1, rx_contacts());
out:
	rx_fini();
	remove(map);
	remove(fb);
	remove(al);
	tdb_remove(&files);
	return rx_result(err);
}

static int test_patterns(void)
{
	struct sx_sl v;
	int err = 0;
	UT_TRUE(sx_rules__match(SX_SL("8xxx"), SX_SL("8123"), &v));
	UT_SL_EQ("123", v);
	UT_TRUE(!sx_rules__match(SX_SL("8xxx"), SX_SL("81234"), &v));
	UT_TRUE(!sx_rules__match(SX_SL("8xxx"), SX_SL("812a"), &v));
	UT_TRUE(sx_rules__match(SX_SL("~~vm~."), SX_SL("~~vm~201"), &v));
	UT_SL_EQ("201", v);
	UT_TRUE(sx_rules__match(SX_SL("[1-3]xx"), SX_SL("201"), &v));
	UT_SL_EQ("201", v);
	UT_TRUE(!sx_rules__match(SX_SL("[1-3]xx"), SX_SL("401"), &v));
	UT_TRUE(sx_rules__match(SX_SL("operator"), SX_SL("operator"), &v));
	UT_SL_EQ("", v);
	UT_TRUE(sx_rules__match(SX_SL("9."), SX_SL("9"), &v));
out:
	return err;
}

/* ---- the store's user cache, which serves the HA1 lookups ---- */

#define HA1_A "0123456789abcdef0123456789abcdef"
#define HA1_B "fedcba9876543210fedcba9876543210"

static int user_put(struct sx_store *st, const char *name, const char *ha1)
{
	struct sx_store_user u = {.name = sx_sl_cstr(name),
				  .realm = SX_SL("rx"),
				  .ha1_md5 = sx_sl_cstr(ha1)};
	return sx_store_user_put(st, &u, NULL);
}

/* 0 when the cached HA1 of @name is @ha1; -ENOENT etc. otherwise. */
static int cached_is(struct sx_store *st, const char *name, const char *ha1)
{
	struct sx_store_user *u = NULL;
	int err = sx_store_user_get_cached(st, sx_sl_cstr(name), &u);
	if (!err && !sx_sl_eq_cstr(u->ha1_md5, ha1))
		err = -EINVAL;
	sx_mem_unref(u);
	return err;
}

/* Busy-wait (bounded) until the monotonic clock passed @ms more. */
static void pass_ms(unsigned ms)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < 100000000L; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		if ((b.tv_sec - a.tv_sec) * 1000 +
			(b.tv_nsec - a.tv_nsec) / 1000000 >
		    (long)ms)
			return;
	}
}

static int test_user_cache(void)
{
	struct sx_store *other = NULL, *quick = NULL;
	struct sx_store_prm prm = {.user_cache_ms = 1};
	int err = rx_init(NULL);
	if (err)
		goto out;
	UT_ERR(-ENOENT, cached_is(R.st, "carol", HA1_A));
	/* this store's writes are seen as soon as they completed */
	UT_OK(user_put(R.st, "carol", HA1_A));
	UT_OK(cached_is(R.st, "carol", HA1_A));
	UT_OK(user_put(R.st, "carol", HA1_B));
	UT_OK(cached_is(R.st, "carol", HA1_B));
	UT_ERR(-ENOENT, cached_is(R.st, "dave", HA1_A));
	/* another process's (another store's) within user_cache_ms */
	prm.path = R.db.path;
	UT_OK(sx_store_open(&other, &prm));
	UT_OK(sx_store_open(&quick, &prm));
	UT_OK(cached_is(quick, "carol", HA1_B));
	UT_OK(user_put(other, "dave", HA1_A));
	UT_OK(sx_store_user_delete(other, SX_SL("carol"), NULL));
	pass_ms(2);
	UT_OK(cached_is(quick, "dave", HA1_A));
	UT_ERR(-ENOENT, cached_is(quick, "carol", HA1_B));
	UT_ERR(-EINVAL, sx_store_user_get_cached(quick, SX_SL_NULL, NULL));
out:
	sx_store_close(other);
	sx_store_close(quick);
	rx_fini();
	return rx_result(err);
}

UT_MAIN(UT_C(test_register_basic), UT_C(test_refresh_remove),
	UT_C(test_multi_q), UT_C(test_wildcard), UT_C(test_interval_too_brief),
	UT_C(test_cseq_order), UT_C(test_max_bindings), UT_C(test_path),
	UT_C(test_instance_replaces), UT_C(test_auth),
	UT_C(test_auth_md5_first), UT_C(test_auth_unknown_same),
	UT_C(test_expiry), UT_C(test_reload_from_store), UT_C(test_domains),
	UT_C(test_redirect), UT_C(test_rules), UT_C(test_patterns),
	UT_C(test_user_cache))
