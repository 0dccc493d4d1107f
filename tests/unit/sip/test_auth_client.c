/*
 * Unit tests for the digest computations and the client side of
 * sx/sip/auth.h against the published examples: RFC 2617 3.5 (Mufasa,
 * "Circle Of Life") and RFC 7616 3.9.1 (SHA-256 and MD5, "Circle of
 * Life"), plus nonce-count, cnonce, HA1 use, escaping and errors; the
 * HMAC-SHA256 behind nonces against RFC 4231 4.2, 4.3 and 4.7, one key
 * after another (each thread caches the last key's states) and from
 * several threads at once; random bytes from the per-thread pool never
 * repeat, across refills and across fork().
 */
#include <errno.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sx/sip/auth.h>

#include "../../../lib/sip/auth/auth_int.h"
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

/* RFC 4231 4.2 (test case 1), 4.3 (2) and 4.7 (6: key longer than
 * the block, hashed first) */
#define R4231_1_KEY_LEN 20 /* bytes 0x0b */
#define R4231_1_DATA    "Hi There"
#define R4231_1_MAC                                                            \
	"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
#define R4231_2_KEY  "Jefe"
#define R4231_2_DATA "what do ya want for nothing?"
#define R4231_2_MAC                                                            \
	"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
#define R4231_6_KEY_LEN 131
#define R4231_6_DATA    "Test Using Larger Than Block-Size Key - Hash Key First"
#define R4231_6_MAC                                                            \
	"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
/** Threads and rounds of the concurrent hashing case. */
#define HASH_THREADS 4
#define HASH_ROUNDS  200
/** Draws of the random case: several pool refills. */
#define RANDOM_DRAWS 64
#define RANDOM_LEN   16

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

/* HMAC-SHA256(@key, @data) in hex, compared with @want. */
static bool hmac_is(const void *key, size_t key_len, const char *data,
                    const char *want)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t mac[SX_AUTH_MAC_LEN];
	char hex[2 * SX_AUTH_MAC_LEN + 1];

	if (sx_sip_auth__hmac(key, key_len, data, strlen(data), mac))
		return false;
	for (size_t i = 0; i < sizeof(mac); i++) {
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 0xf];
	}
	hex[sizeof(hex) - 1] = '\0';
	return !strcmp(hex, want);
}

/* The three RFC 4231 cases in turn, so every MAC changes the key. */
static bool hmac_vectors_ok(void)
{
	uint8_t key[R4231_1_KEY_LEN], long_key[R4231_6_KEY_LEN];

	memset(key, 0x0b, sizeof(key));
	memset(long_key, 0xaa, sizeof(long_key));
	return hmac_is(key, sizeof(key), R4231_1_DATA, R4231_1_MAC) &&
	       hmac_is(R4231_2_KEY, sizeof(R4231_2_KEY) - 1, R4231_2_DATA,
	               R4231_2_MAC) &&
	       hmac_is(long_key, sizeof(long_key), R4231_6_DATA, R4231_6_MAC);
}

static int test_hmac_vectors(void)
{
	int err = 0;

	UT_TRUE(hmac_vectors_ok());
	/* the same key twice (cached states), then the others again */
	UT_TRUE(hmac_is(R4231_2_KEY, sizeof(R4231_2_KEY) - 1, R4231_2_DATA,
	                R4231_2_MAC));
	UT_TRUE(hmac_vectors_ok());
	/* a prefix of the cached key is another key, and so is a longer one */
	UT_TRUE(hmac_is(R4231_2_KEY, sizeof(R4231_2_KEY) - 1, R4231_2_DATA,
	                R4231_2_MAC));
	UT_TRUE(!hmac_is("Jef", 3, R4231_2_DATA, R4231_2_MAC));
	UT_TRUE(!hmac_is("Jefe!", 5, R4231_2_DATA, R4231_2_MAC));
	UT_TRUE(hmac_is(R4231_2_KEY, sizeof(R4231_2_KEY) - 1, R4231_2_DATA,
	                R4231_2_MAC));
out:
	return err;
}

/* One worker: digests and MACs with changing keys, all checked. */
static void *hash_worker(void *arg)
{
	char hex[SX_SIP_AUTH_MD5_HEX_LEN + 1];
	bool *okp = arg;

	*okp = true;
	for (int i = 0; i < HASH_ROUNDS && *okp; i++) {
		*okp = hmac_vectors_ok() &&
		       !sx_sip_auth_ha1_hex(
		           SX_SIP_ALG_MD5, SX_SL("Mufasa"), SX_SL(R2617_REALM),
		           SX_SL("Circle Of Life"), hex, sizeof(hex)) &&
		       !strcmp(hex, R2617_HA1);
	}
	return NULL;
}

/* Each thread has its own contexts: concurrent use gives the vectors,
 * and threads that end free theirs (ASan would see a double free). */
static int test_hash_threads(void)
{
	int err = 0;
	pthread_t th[HASH_THREADS];
	bool ok[HASH_THREADS] = {false};
	int started = 0;

	for (; started < HASH_THREADS; started++)
		UT_OK(-pthread_create(&th[started], NULL, hash_worker,
		                      &ok[started]));
out:
	for (int i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		if (!err && !ok[i])
			err =
			    ut__fail(__FILE__, __LINE__, "thread %d failed", i);
	}
	return err;
}

/* Draws of odd sizes (one over the pool's limit) between fixed ones:
 * no two fixed-size draws are equal. */
static int test_random_unique(void)
{
	int err = 0;
	static const size_t odd[] = {1, 7, 63, 64, 65, 300};
	uint8_t got[RANDOM_DRAWS][RANDOM_LEN], scratch[300];

	for (size_t i = 0; i < RANDOM_DRAWS; i++) {
		UT_OK(sx_sip_auth__random(got[i], RANDOM_LEN));
		UT_OK(
		    sx_sip_auth__random(scratch, odd[i % SX_ARRAY_SIZE(odd)]));
	}
	for (size_t i = 0; i < RANDOM_DRAWS; i++)
		for (size_t j = i + 1; j < RANDOM_DRAWS; j++)
			UT_TRUE(memcmp(got[i], got[j], RANDOM_LEN) != 0);
out:
	return err;
}

/* After fork() parent and child draw different bytes (the child drops
 * the pool it inherited). */
static int test_random_fork(void)
{
	int err = 0;
	uint8_t mine[RANDOM_LEN], theirs[RANDOM_LEN];
	int fds[2] = {-1, -1}, status = 0;
	pid_t pid = -1;

	UT_OK(sx_sip_auth__random(mine, sizeof(mine))); /* pool filled */
	UT_OK(pipe(fds) ? -errno : 0);
	pid = fork();
	UT_TRUE(pid >= 0);
	if (pid == 0) {
		bool ok = !sx_sip_auth__random(theirs, sizeof(theirs)) &&
		          write(fds[1], theirs, sizeof(theirs)) ==
		              (ssize_t)sizeof(theirs);
		_exit(ok ? 0 : 1);
	}
	/* a child that fails gives EOF, not a hang */
	close(fds[1]);
	fds[1] = -1;
	UT_EQ(sizeof(theirs), read(fds[0], theirs, sizeof(theirs)));
	UT_OK(sx_sip_auth__random(mine, sizeof(mine)));
	UT_TRUE(memcmp(mine, theirs, sizeof(mine)) != 0);
out:
	if (pid > 0) {
		waitpid(pid, &status, 0);
		if (!err && (!WIFEXITED(status) || WEXITSTATUS(status)))
			err = ut__fail(__FILE__, __LINE__, "child failed");
	}
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return err;
}

UT_MAIN(UT_C(test_ha1_vectors), UT_C(test_response_vectors),
        UT_C(test_hmac_vectors), UT_C(test_hash_threads),
        UT_C(test_random_unique), UT_C(test_random_fork),
        UT_C(test_client_rfc2617), UT_C(test_client_rfc7616),
        UT_C(test_client_nc_cnonce), UT_C(test_client_escaping),
        UT_C(test_client_errors), UT_C(test_client_set_msg))
