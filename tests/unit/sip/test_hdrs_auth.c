/*
 * Unit tests for the authentication headers of sx/sip/hdrs.h (RFC 3261
 * 20.6, 20.7, 20.27, 20.28, 20.44; RFC 2617; RFC 7616; RFC 4475
 * 3.1.2.11 regaut01).  Every input sits against a guard page.
 */
#include <errno.h>

#include <sx/sip/hdrs.h>

#include "ut.h"

static int test_credentials(void)
{
	int err = 0;
	struct sx_sip_credentials cr;
	struct sx_sl s = ut_guard_sl(
		"Digest username=\"bob\", realm=\"example.com\", "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
		"uri=\"sip:registrar.example.com\", qop=auth, nc=0000000a, "
		"cnonce=\"0a4f113b\",\r\n "
		"response=\"6629fae49393a05397450978507c4ef1\", "
		"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", "
		"algorithm=MD5-sess, x-ext=\"y\"");

	UT_OK(sx_sip_credentials_parse(&cr, s));
	UT_EQ(SX_SIP_AUTH_DIGEST, cr.scheme);
	UT_SL_EQ("Digest", cr.scheme_sl);
	UT_SL_EQ("bob", cr.username);
	UT_SL_EQ("example.com", cr.realm);
	UT_SL_EQ("dcd98b7102dd2f0e8b11d0f600bfb0c093", cr.nonce);
	UT_SL_EQ("sip:registrar.example.com", cr.uri);
	UT_SL_EQ("auth", cr.qop);
	UT_TRUE(cr.has_nc);
	UT_EQ(10, cr.nc);
	UT_SL_EQ("0a4f113b", cr.cnonce);
	UT_SL_EQ("6629fae49393a05397450978507c4ef1", cr.response);
	UT_SL_EQ("5ccc069c403ebaf9f0171e9517f40e41", cr.opaque);
	UT_EQ(SX_SIP_ALG_MD5_SESS, cr.alg);
	UT_TRUE(!cr.userhash);
	ut_unguard_sl(&s);

	/* minimal, lowercase scheme, SHA-256, userhash, escapes kept */
	s = ut_guard_sl("digest username = \"a\\\"b\" ,realm=\"r\",algorithm=SHA-256,"
		  "userhash=true, qop=\"auth-int\", nc=FFFFFFFF");
	UT_OK(sx_sip_credentials_parse(&cr, s));
	UT_EQ(SX_SIP_AUTH_DIGEST, cr.scheme);
	UT_SL_EQ("a\\\"b", cr.username);
	UT_TRUE(sx_sip_qstr_eq(cr.username, SX_SL("a\"b")));
	UT_EQ(SX_SIP_ALG_SHA256, cr.alg);
	UT_TRUE(cr.userhash);
	UT_SL_EQ("auth-int", cr.qop);
	UT_EQ(0xffffffffu, cr.nc);
	UT_TRUE(!cr.nonce.p);
	ut_unguard_sl(&s);

	/* empty quoted value is set, not absent */
	s = ut_guard_sl("Digest username=\"\", realm=\"r\"");
	UT_OK(sx_sip_credentials_parse(&cr, s));
	UT_TRUE(cr.username.p != NULL);
	UT_EQ(0, cr.username.len);
	ut_unguard_sl(&s);
out:
	ut_unguard_sl(&s);
	return err;
}

/* RFC 4475 3.1.2.11 regaut01: an unknown scheme must not fail. */
static int test_credentials_other_scheme(void)
{
	int err = 0;
	struct sx_sip_credentials cr;
	struct sx_sl s = ut_guard_sl("NoOneKnowsThisScheme opaque-data=here");

	UT_OK(sx_sip_credentials_parse(&cr, s));
	UT_EQ(SX_SIP_AUTH_OTHER, cr.scheme);
	UT_SL_EQ("NoOneKnowsThisScheme", cr.scheme_sl);
	UT_SL_EQ("opaque-data=here", cr.params);
	UT_TRUE(!cr.username.p);
	ut_unguard_sl(&s);
	s = ut_guard_sl("Bearer eyJhbGciOi==");
	UT_OK(sx_sip_credentials_parse(&cr, s));
	UT_EQ(SX_SIP_AUTH_OTHER, cr.scheme);
	ut_unguard_sl(&s);
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_credentials_invalid(void)
{
	int err = 0;
	static const struct {
		const char *in;
		int rc;
	} t[] = {
		{"Digest username=\"a\", username=\"b\"", -EBADMSG},
		{"Digest realm=\"a\", REALM=\"a\"", -EBADMSG},
		{"Digest nc=00000001, nc=00000002", -EBADMSG},
		{"Digest nc=0000001", -EBADMSG},
		{"Digest nc=000000001", -EBADMSG},
		{"Digest nc=0000000g", -EBADMSG},
		{"Digest username=\"bob", -EBADMSG},
		{"Digest username=\"bob\\", -EBADMSG},
		{"Digest username=", -EBADMSG},
		{"Digest username", -EBADMSG},
		{"Digest username=\"a\",", -EBADMSG},
		{"Digest username=\"a\",,realm=\"b\"", -EBADMSG},
		{"Digest username=\"a\" realm=\"b\"", -EBADMSG},
		{"Digest =\"a\"", -EBADMSG},
		{"Digest", -EBADMSG},
		{"Digest userhash=maybe", -EBADMSG},
		{"", -EBADMSG},
		{"Digest,username=\"a\"", -EBADMSG},
		{"\"Digest\" username=\"a\"", -EBADMSG},
	};
	struct sx_sip_credentials cr;

	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		struct sx_sl s = ut_guard_sl(t[i].in);
		int rc = sx_sip_credentials_parse(&cr, s);
		ut_unguard_sl(&s);
		if (rc != t[i].rc)
			fprintf(stderr, "case %zu: %s -> %d\n", i, t[i].in, rc);
		UT_EQ(t[i].rc, rc);
	}
out:
	return err;
}

static int test_auth_param_limit(void)
{
	int err = 0;
	static char buf[(SX_SIP_MAX_PARAMS + 1) * 8 + 16];
	struct sx_sip_credentials cr;
	size_t n = (size_t)snprintf(buf, sizeof(buf), "Digest ");

	for (unsigned i = 0; i <= SX_SIP_MAX_PARAMS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sx%u=1",
				      i ? "," : "", i % 10);
	UT_EQ(-E2BIG, sx_sip_credentials_parse(&cr, sx_sl_make(buf, n)));
out:
	return err;
}

static int test_challenge(void)
{
	int err = 0;
	struct sx_sip_challenge ch;
	struct sx_sl s = ut_guard_sl(
		"Digest realm=\"atlanta.example.com\", qop=\"auth,auth-int\", "
		"nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", opaque=\"\", "
		"stale=FALSE, algorithm=MD5, "
		"domain=\"sip:a.example.com sip:b.example.com\"");

	UT_OK(sx_sip_challenge_parse(&ch, s));
	UT_EQ(SX_SIP_AUTH_DIGEST, ch.scheme);
	UT_SL_EQ("atlanta.example.com", ch.realm);
	UT_SL_EQ("auth,auth-int", ch.qop);
	UT_EQ(1, sx_sip_token_list_has(ch.qop, SX_SL("auth-int")));
	UT_EQ(0, sx_sip_token_list_has(ch.qop, SX_SL("auth-conf")));
	UT_SL_EQ("ea9c8e88df84f1cec4341ae6cbe5a359", ch.nonce);
	UT_TRUE(ch.opaque.p && !ch.opaque.len);
	UT_TRUE(!ch.stale);
	UT_EQ(SX_SIP_ALG_MD5, ch.alg);
	UT_SL_EQ("sip:a.example.com sip:b.example.com", ch.domain);
	ut_unguard_sl(&s);

	s = ut_guard_sl("Digest realm=\"r\", nonce=\"n\", stale=true, "
		  "algorithm=SHA-512-256-sess, userhash=true");
	UT_OK(sx_sip_challenge_parse(&ch, s));
	UT_TRUE(ch.stale);
	UT_TRUE(ch.userhash);
	UT_EQ(SX_SIP_ALG_SHA512_256_SESS, ch.alg);
	UT_TRUE(!ch.qop.p);
	ut_unguard_sl(&s);

	s = ut_guard_sl("Digest realm=\"r\", algorithm=ROT13");
	UT_OK(sx_sip_challenge_parse(&ch, s));
	UT_EQ(SX_SIP_ALG_OTHER, ch.alg);
	UT_SL_EQ("ROT13", ch.algorithm_sl);
	ut_unguard_sl(&s);

	s = ut_guard_sl("Digest realm=\"r\", stale=true, stale=false");
	UT_EQ(-EBADMSG, sx_sip_challenge_parse(&ch, s));
	ut_unguard_sl(&s);
	s = ut_guard_sl("Digest realm=\"r\", nonce=\"unterminated");
	UT_EQ(-EBADMSG, sx_sip_challenge_parse(&ch, s));
	ut_unguard_sl(&s);
	s = ut_guard_sl("Basic realm=\"r\"");
	UT_OK(sx_sip_challenge_parse(&ch, s));
	UT_EQ(SX_SIP_AUTH_OTHER, ch.scheme);
	ut_unguard_sl(&s);
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_auth_info(void)
{
	int err = 0;
	struct sx_sip_auth_info ai;
	struct sx_sl s = ut_guard_sl("nextnonce=\"47364c23432d2e131a5fb210812c\", "
			       "qop=auth, rspauth=\"abcd\", cnonce=\"c\", "
			       "nc=00000001");

	UT_OK(sx_sip_auth_info_parse(&ai, s));
	UT_SL_EQ("47364c23432d2e131a5fb210812c", ai.nextnonce);
	UT_SL_EQ("auth", ai.qop);
	UT_SL_EQ("abcd", ai.rspauth);
	UT_SL_EQ("c", ai.cnonce);
	UT_TRUE(ai.has_nc);
	UT_EQ(1, ai.nc);
	ut_unguard_sl(&s);
	s = ut_guard_sl("nextnonce=\"a\", nextnonce=\"b\"");
	UT_EQ(-EBADMSG, sx_sip_auth_info_parse(&ai, s));
	ut_unguard_sl(&s);
	s = ut_guard_sl(" ");
	UT_EQ(-EBADMSG, sx_sip_auth_info_parse(&ai, s));
	ut_unguard_sl(&s);
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_qstr(void)
{
	int err = 0;
	char buf[8];

	UT_EQ(3, sx_sip_qstr_unescape(SX_SL("a\\\"b"), buf, sizeof(buf)));
	UT_MEM_EQ("a\"b", buf, 3);
	UT_EQ(2, sx_sip_qstr_unescape(SX_SL("\\\\\\x"), buf, sizeof(buf)));
	UT_MEM_EQ("\\x", buf, 2);
	UT_EQ(-EBADMSG, sx_sip_qstr_unescape(SX_SL("ab\\"), buf, sizeof(buf)));
	UT_EQ(-E2BIG, sx_sip_qstr_unescape(SX_SL("123456789"), buf, 8));
	UT_EQ(8, sx_sip_qstr_unescape(SX_SL("12345678"), buf, 8));
	UT_EQ(0, sx_sip_qstr_unescape(SX_SL_NULL, buf, 0));
	UT_TRUE(sx_sip_qstr_eq(SX_SL("r\\ealm"), SX_SL("realm")));
	UT_TRUE(!sx_sip_qstr_eq(SX_SL("realm"), SX_SL("realm2")));
	UT_TRUE(!sx_sip_qstr_eq(SX_SL("realm\\"), SX_SL("realm")));
	UT_TRUE(sx_sip_qstr_eq(SX_SL_NULL, SX_SL("")));
out:
	return err;
}

static int test_alg_lookup(void)
{
	int err = 0;
	UT_EQ(SX_SIP_ALG_MD5, sx_sip_digest_alg_lookup(SX_SL("md5")));
	UT_EQ(SX_SIP_ALG_SHA256_SESS,
	      sx_sip_digest_alg_lookup(SX_SL("SHA-256-sess")));
	UT_EQ(SX_SIP_ALG_OTHER, sx_sip_digest_alg_lookup(SX_SL("SHA-1")));
	UT_EQ(SX_SIP_ALG_OTHER, sx_sip_digest_alg_lookup(SX_SL_NULL));
out:
	return err;
}

UT_MAIN(UT_C(test_credentials), UT_C(test_credentials_other_scheme),
	UT_C(test_credentials_invalid), UT_C(test_auth_param_limit),
	UT_C(test_challenge), UT_C(test_auth_info), UT_C(test_qstr),
	UT_C(test_alg_lookup))
