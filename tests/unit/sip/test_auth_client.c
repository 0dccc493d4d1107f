/*
 * Unit tests for the digest computations and the client side of
 * sx/sip/auth.h against the published examples: RFC 2617 3.5 (Mufasa,
 * "Circle Of Life") and RFC 7616 3.9.1 (SHA-256 and MD5, "Circle of
 * Life"), plus nonce-count, cnonce, HA1 use, escaping and errors.
 */
#include <errno.h>

#include <sx/sip/auth.h>

#include "ut.h"

/* RFC 2617 3.5 */
#define R2617_REALM    "testrealm@host.com"
#define R2617_NONCE    "dcd98b7102dd2f0e8b11d0f600bfb0c093"
#define R2617_OPAQUE   "5ccc069c403ebaf9f0171e9517f40e41"
#define R2617_HA1      "939e7578ed9e3c518a452acee763bce9"
#define R2617_RESPONSE "6629fae49393a05397450978507c4ef1"

/* RFC 7616 3.9.1 */
#define R7616_REALM  "http-auth@example.org"
#define R7616_NONCE  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define R7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define R7616_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define R7616_SHA256                                                           \
	"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
#define R7616_MD5     "8ca523f5e9506fed4657c9700eebdbec"
#define R7616_HA1_MD5 "3d78807defe7de2157e2b0b6573a855f"
#define R7616_HA1_SHA256                                                       \
	"7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232"

#define R7616_CHALLENGE(alg)                                                   \
	"Digest realm=\"" R7616_REALM "\", qop=\"auth, auth-int\", "           \
	"algorithm=" alg ", nonce=\"" R7616_NONCE "\", "                       \
	"opaque=\"" R7616_OPAQUE "\""

static int test_ha1_vectors(void)
{
	int err = 0;
	char hex[SX_SIP_AUTH_SHA256_HEX_LEN + 1];
	struct sx_sip_auth_ha1 h;

	UT_OK(sx_sip_auth_ha1_hex(SX_SIP_ALG_MD5, SX_SL("Mufasa"),
	                          SX_SL(R2617_REALM), SX_SL("Circle Of Life"),
	                          hex, sizeof(hex)));
	UT_STR_EQ(R2617_HA1, hex);
	UT_OK(sx_sip_auth_ha1_compute(&h, SX_SL("Mufasa"), SX_SL(R7616_REALM),
	                              SX_SL("Circle of Life")));
	UT_STR_EQ(R7616_HA1_MD5, h.ha1_md5);
	UT_STR_EQ(R7616_HA1_SHA256, h.ha1_sha256);
	UT_EQ(-EINVAL,
	      sx_sip_auth_ha1_hex(SX_SIP_ALG_SHA512_256, SX_SL("a"), SX_SL("b"),
	                          SX_SL("c"), hex, sizeof(hex)));
	UT_EQ(-EINVAL,
	      sx_sip_auth_ha1_hex(SX_SIP_ALG_SHA256, SX_SL("a"), SX_SL("b"),
	                          SX_SL("c"), hex, SX_SIP_AUTH_SHA256_HEX_LEN));
out:
	return err;
}

static int test_response_vectors(void)
{
	int err = 0;
	char hex[SX_SIP_AUTH_SHA256_HEX_LEN + 1];
	struct sx_sip_auth_digest d = {
	    .alg = SX_SIP_ALG_NONE, /* RFC 2617: no algorithm = MD5 */
	    .ha1 = SX_SL(R2617_HA1),
	    .nonce = SX_SL(R2617_NONCE),
	    .nc = SX_SL("00000001"),
	    .cnonce = SX_SL("0a4f113b"),
	    .qop = SX_SL("auth"),
	    .method = SX_SL("GET"),
	    .uri = SX_SL("/dir/index.html"),
	};

	UT_OK(sx_sip_auth_response_hex(&d, hex, sizeof(hex)));
	UT_STR_EQ(R2617_RESPONSE, hex);
	d.alg = SX_SIP_ALG_SHA256;
	d.ha1 = SX_SL(R7616_HA1_SHA256);
	d.nonce = SX_SL(R7616_NONCE);
	d.cnonce = SX_SL(R7616_CNONCE);
	UT_OK(sx_sip_auth_response_hex(&d, hex, sizeof(hex)));
	UT_STR_EQ(R7616_SHA256, hex);
	d.alg = SX_SIP_ALG_MD5;
	d.ha1 = SX_SL(R7616_HA1_MD5);
	UT_OK(sx_sip_auth_response_hex(&d, hex, sizeof(hex)));
	UT_STR_EQ(R7616_MD5, hex);
	/* RFC 2069 form: KD(HA1, nonce:HA2), another value */
	d.nc = SX_SL_NULL;
	UT_OK(sx_sip_auth_response_hex(&d, hex, sizeof(hex)));
	UT_TRUE(strcmp(R7616_MD5, hex) != 0);
	UT_EQ(-EINVAL, sx_sip_auth_response_hex(&d, hex, 8));
out:
	return err;
}

/* Answer @chal as @user/@pw into @b and parse it back into @cr. */
static int answer(struct sx_sip_auth_client *c, const char *chal,
                  const struct sx_sip_auth_client_prm *cp, struct sx_buf *b,
                  struct sx_sip_credentials *cr)
{
	struct sx_sip_challenge ch;
	int err = 0;

	if (chal)
		err = sx_sip_challenge_parse(&ch, sx_sl_cstr(chal));
	if (!err && chal)
		err = sx_sip_auth_client_set(c, &ch, false);
	sx_buf_reset(b);
	if (!err)
		err = sx_sip_auth_client_authorize(c, cp, b);
	if (!err)
		err = sx_sip_credentials_parse(cr, sx_buf_sl(b));
	return err;
}

/* RFC 2617 3.5, from the challenge to the Authorization value. */
static int test_client_rfc2617(void)
{
	int err = 0;
	struct sx_sip_auth_client c;
	struct sx_sip_credentials cr;
	struct sx_buf b;
	struct sx_sip_auth_client_prm cp = {
	    .username = SX_SL("Mufasa"),
	    .password = SX_SL("Circle Of Life"),
	    .method = SX_SL("GET"),
	    .uri = SX_SL("/dir/index.html"),
	    .cnonce = SX_SL("0a4f113b"),
	};

	sx_buf_init(&b, 0);
	sx_sip_auth_client_init(&c);
	UT_OK(answer(&c,
	             "Digest realm=\"" R2617_REALM "\", qop=\"auth,auth-int\", "
	             "nonce=\"" R2617_NONCE "\", opaque=\"" R2617_OPAQUE "\"",
	             &cp, &b, &cr));
	UT_STR_EQ("Authorization", sx_sip_auth_client_hdr_name(&c));
	UT_SL_EQ("Mufasa", cr.username);
	UT_SL_EQ(R2617_REALM, cr.realm);
	UT_SL_EQ(R2617_NONCE, cr.nonce);
	UT_SL_EQ("/dir/index.html", cr.uri);
	UT_SL_EQ("auth", cr.qop);
	UT_EQ(1, cr.nc);
	UT_SL_EQ("0a4f113b", cr.cnonce);
	UT_SL_EQ(R2617_RESPONSE, cr.response);
	UT_SL_EQ(R2617_OPAQUE, cr.opaque);
	UT_EQ(SX_SIP_ALG_MD5, cr.alg);
	/* the next request on that nonce counts on */
	UT_OK(answer(&c, NULL, &cp, &b, &cr));
	UT_EQ(2, cr.nc);
	UT_TRUE(!sx_sl_eq(cr.response, SX_SL(R2617_RESPONSE)));
out:
	sx_buf_fini(&b);
	return err;
}

/* RFC 7616 3.9.1, both algorithms, password and stored HA1. */
static int test_client_rfc7616(void)
{
	int err = 0;
	struct sx_sip_auth_client c;
	struct sx_sip_credentials cr;
	struct sx_sip_auth_ha1 h = {R7616_HA1_MD5, R7616_HA1_SHA256};
	struct sx_buf b;
	struct sx_sip_auth_client_prm cp = {
	    .username = SX_SL("Mufasa"),
	    .password = SX_SL("Circle of Life"),
	    .method = SX_SL("GET"),
	    .uri = SX_SL("/dir/index.html"),
	    .cnonce = SX_SL(R7616_CNONCE),
	};

	sx_buf_init(&b, 0);
	sx_sip_auth_client_init(&c);
	UT_OK(answer(&c, R7616_CHALLENGE("SHA-256"), &cp, &b, &cr));
	UT_SL_EQ(R7616_SHA256, cr.response);
	UT_EQ(SX_SIP_ALG_SHA256, cr.alg);
	UT_SL_EQ(R7616_OPAQUE, cr.opaque);
	UT_OK(answer(&c, R7616_CHALLENGE("MD5"), &cp, &b, &cr));
	/* same nonce: the count goes on, so nc=2 here; restart it */
	UT_EQ(2, cr.nc);
	sx_sip_auth_client_init(&c);
	UT_OK(answer(&c, R7616_CHALLENGE("MD5"), &cp, &b, &cr));
	UT_SL_EQ(R7616_MD5, cr.response);
	UT_EQ(SX_SIP_ALG_MD5, cr.alg);

	/* from the stored HA1 instead of the password */
	cp.password = SX_SL_NULL;
	cp.ha1 = &h;
	sx_sip_auth_client_init(&c);
	UT_OK(answer(&c, R7616_CHALLENGE("SHA-256"), &cp, &b, &cr));
	UT_SL_EQ(R7616_SHA256, cr.response);
	h.ha1_sha256[0] = '\0';
	UT_EQ(-EINVAL, answer(&c, NULL, &cp, &b, &cr));
	cp.ha1 = NULL;
	UT_EQ(-EINVAL, answer(&c, NULL, &cp, &b, &cr));
out:
	sx_buf_fini(&b);
	return err;
}

/* A new nonce restarts the count; random cnonces differ. */
static int test_client_nc_cnonce(void)
{
	int err = 0;
	struct sx_sip_auth_client c;
	struct sx_sip_credentials cr;
	struct sx_buf b;
	char first[2 * SX_SIP_AUTH_CNONCE_BYTES + 1];
	struct sx_sip_auth_client_prm cp = {
	    .username = SX_SL("u"),
	    .password = SX_SL("p"),
	    .method = SX_SL("REGISTER"),
	    .uri = SX_SL("sip:example.com"),
	};

	sx_buf_init(&b, 0);
	sx_sip_auth_client_init(&c);
	UT_OK(answer(&c, "Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"", &cp,
	             &b, &cr));
	UT_EQ(2 * SX_SIP_AUTH_CNONCE_BYTES, cr.cnonce.len);
	memcpy(first, cr.cnonce.p, cr.cnonce.len);
	first[cr.cnonce.len] = '\0';
	UT_OK(answer(&c, NULL, &cp, &b, &cr));
	UT_EQ(2, cr.nc);
	UT_TRUE(!sx_sl_eq(cr.cnonce, sx_sl_cstr(first)));
	UT_OK(answer(&c, "Digest realm=\"r\", nonce=\"n2\", qop=\"auth\"", &cp,
	             &b, &cr));
	UT_EQ(1, cr.nc);
	/* no qop offered: the RFC 2069 form, without nc / cnonce / qop */
	UT_OK(answer(&c, "Digest realm=\"r\", nonce=\"n3\"", &cp, &b, &cr));
	UT_TRUE(!cr.has_nc && !cr.cnonce.p && !cr.qop.p && !cr.opaque.p);
	UT_EQ(SX_SIP_AUTH_MD5_HEX_LEN, cr.response.len);
out:
	sx_buf_fini(&b);
	return err;
}

/* Quotes and backslashes in fields are escaped and come back intact. */
static int test_client_escaping(void)
{
	int err = 0;
	struct sx_sip_auth_client c;
	struct sx_sip_credentials cr;
	struct sx_buf b;
	struct sx_sip_auth_client_prm cp = {
	    .username = SX_SL("a\"b\\c"),
	    .password = SX_SL("p"),
	    .method = SX_SL("REGISTER"),
	    .uri = SX_SL("sip:example.com"),
	};

	sx_buf_init(&b, 0);
	sx_sip_auth_client_init(&c);
	UT_OK(answer(&c, "Digest realm=\"r\\\"q\", nonce=\"n\\\\1\"", &cp, &b,
	             &cr));
	UT_EQ(3, c.realm_len);
	UT_TRUE(sx_sip_qstr_eq(cr.username, SX_SL("a\"b\\c")));
	UT_TRUE(sx_sip_qstr_eq(cr.realm, SX_SL("r\"q")));
	UT_TRUE(sx_sip_qstr_eq(cr.nonce, SX_SL("n\\1")));
out:
	sx_buf_fini(&b);
	return err;
}

static int set_str(struct sx_sip_auth_client *c, const char *chal)
{
	struct sx_sip_challenge ch;
	int err = sx_sip_challenge_parse(&ch, sx_sl_cstr(chal));

	return err ? err : sx_sip_auth_client_set(c, &ch, false);
}

static int test_client_errors(void)
{
	int err = 0;
	struct sx_sip_auth_client c;
	struct sx_buf b;
	char big[SX_SIP_AUTH_MAX_REALM_LEN + 64];
	struct sx_sip_auth_client_prm cp = {
	    .username = SX_SL("u"),
	    .password = SX_SL("p"),
	    .method = SX_SL("REGISTER"),
	    .uri = SX_SL("sip:example.com"),
	};

	sx_buf_init(&b, 0);
	sx_sip_auth_client_init(&c);
	UT_EQ(-EINVAL, sx_sip_auth_client_authorize(&c, &cp, &b));
	UT_EQ(-ENOTSUP, set_str(&c, "Basic realm=\"r\""));
	UT_EQ(-ENOTSUP, set_str(&c, "Digest realm=\"r\", nonce=\"n\", "
	                            "algorithm=MD5-sess"));
	UT_EQ(-ENOTSUP, set_str(&c, "Digest realm=\"r\", nonce=\"n\", "
	                            "algorithm=SHA-512-256"));
	UT_EQ(-ENOTSUP,
	      set_str(&c, "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""));
	UT_EQ(-EBADMSG, set_str(&c, "Digest realm=\"r\""));
	UT_EQ(-EBADMSG, set_str(&c, "Digest nonce=\"n\""));
	snprintf(big, sizeof(big), "Digest nonce=\"n\", realm=\"%0*d\"",
	         SX_SIP_AUTH_MAX_REALM_LEN + 1, 5);
	UT_EQ(-E2BIG, set_str(&c, big));
	/* errors leave the client as it was */
	UT_EQ(SX_SIP_ALG_NONE, c.alg);
	UT_OK(set_str(&c, "Digest realm=\"r\", nonce=\"n\""));
	UT_EQ(SX_SIP_ALG_MD5, c.alg);
	c.nc = UINT32_MAX;
	UT_EQ(-EOVERFLOW, sx_sip_auth_client_authorize(&c, &cp, &b));
out:
	sx_buf_fini(&b);
	return err;
}

/* Best challenge of a 401: SHA-256 over MD5, unusable ones skipped. */
static int test_client_set_msg(void)
{
	static const char resp401[] =
	    "SIP/2.0 401 Unauthorized\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1\r\n"
	    "From: <sip:a@example.com>;tag=1\r\n"
	    "To: <sip:a@example.com>;tag=2\r\n"
	    "Call-ID: x\r\n"
	    "CSeq: 1 REGISTER\r\n"
	    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", "
	    "algorithm=MD5-sess\r\n"
	    "WWW-Authenticate: Digest realm=\"r\", nonce=\"m\", "
	    "algorithm=MD5, qop=\"auth\"\r\n"
	    "WWW-Authenticate: Digest realm=\"r\", nonce=\"s\", "
	    "algorithm=SHA-256, qop=\"auth\"\r\n"
	    "WWW-Authenticate: Digest broken=\"\r\n"
	    "Content-Length: 0\r\n\r\n";
	static const char resp407[] =
	    "SIP/2.0 407 Proxy Authentication Required\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1\r\n"
	    "From: <sip:a@example.com>;tag=1\r\n"
	    "To: <sip:a@example.com>;tag=2\r\n"
	    "Call-ID: x\r\n"
	    "CSeq: 1 INVITE\r\n"
	    "WWW-Authenticate: Digest realm=\"r\", nonce=\"w\"\r\n"
	    "Proxy-Authenticate: Digest realm=\"p\", nonce=\"m\"\r\n"
	    "Content-Length: 0\r\n\r\n";
	int err = 0;
	struct sx_sip_msg *m = NULL;
	struct sx_sip_auth_client c;

	sx_sip_auth_client_init(&c);
	UT_OK(sx_sip_msg_parse(&m, resp401, sizeof(resp401) - 1, NULL, NULL));
	UT_OK(sx_sip_auth_client_set_msg(&c, m));
	UT_EQ(SX_SIP_ALG_SHA256, c.alg);
	UT_EQ(1, c.nonce_len);
	UT_EQ('s', c.nonce[0]);
	UT_TRUE(!c.proxy && c.qop);
	sx_sip_msg_free(m);
	m = NULL;

	UT_OK(sx_sip_msg_parse(&m, resp407, sizeof(resp407) - 1, NULL, NULL));
	UT_OK(sx_sip_auth_client_set_msg(&c, m));
	UT_TRUE(c.proxy && !c.qop);
	UT_EQ('p', c.realm[0]);
	UT_STR_EQ("Proxy-Authorization", sx_sip_auth_client_hdr_name(&c));
	m->status = 200;
	UT_EQ(-EINVAL, sx_sip_auth_client_set_msg(&c, m));
	sx_sip_msg_free(m);
	m = NULL;
	UT_OK(sx_sip_msg_parse(&m, resp401, sizeof(resp401) - 1, NULL, NULL));
	m->status = 407; /* no Proxy-Authenticate in this one */
	UT_EQ(-ENOENT, sx_sip_auth_client_set_msg(&c, m));
out:
	sx_sip_msg_free(m);
	return err;
}

UT_MAIN(UT_C(test_ha1_vectors), UT_C(test_response_vectors),
        UT_C(test_client_rfc2617), UT_C(test_client_rfc7616),
        UT_C(test_client_nc_cnonce), UT_C(test_client_escaping),
        UT_C(test_client_errors), UT_C(test_client_set_msg))
