/*
 * Unit tests for digest authentication, server side (sx/sip/auth.h;
 * RFC 3261 22, RFC 2617, RFC 7616): challenges, stateless nonces and
 * their expiry (stale), tampering, nonce-count replays, realm and
 * digest-uri checks, unknown users answered like wrong passwords,
 * malformed credentials, whole REGISTER / INVITE exchanges through the
 * message layer; nonce and opaque bytes against values computed outside
 * (so a nonce stays valid across versions and nodes), engines with
 * different secrets in turn, one engine from several threads.  Time is
 * passed in, so nothing sleeps.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include <sx/sip/auth.h>

#include "ut.h"

#define REALM "example.com"

/* An expected error, letting an injected -ENOMEM through in OOM mode. */
#define EXPECT_ERR(want, expr)                                                 \
	do {                                                                   \
		int rc_ = (expr);                                              \
		if (rc_ == -ENOMEM && ut_oom_mode()) {                         \
			err = rc_;                                             \
			goto out;                                              \
		}                                                              \
		UT_EQ(want, rc_);                                              \
	} while (0)
#define T0 1700000000ull

/*
 * Known answers, computed outside with Python's hmac/hashlib from the
 * layout in lib/sip/auth/nonce.c: @secret, realm REALM, time T0, random
 * bytes 0x10..0x1f; KAT_NONCE_BOUND bound to 192.0.2.7.  Responses are
 * alice / wonderland, MD5, REGISTER sip:example.com, nc=00000001,
 * cnonce 0a4f113b.  KAT_OPAQUE is the opaque of @secret and REALM.
 */
/* base64url of time | random, then of the MAC (43 characters) */
#define KAT_HEAD           "AAAAAGVT8QAQERITFBUWFxgZGhscHR4f"
#define KAT_NONCE          KAT_HEAD "6QoyBP7iTkbvj2hPwF0FUTF-dHN0GVavHSrKDBpPLEs"
#define KAT_RESPONSE       "f9e4970d51cde2039912e4e64f6b98ca"
#define KAT_NONCE_BOUND    KAT_HEAD "A-HieKw-KS2JP8Szn95ruWZDLYXkxbDK3IxMZBubAZg"
#define KAT_RESPONSE_BOUND "84dd40971eb570586167d35a7ed30240"
#define KAT_OPAQUE         "I5IEIgEZ4RGHGEqAm3wiQw"
#define KAT_CREDENTIALS(nonce, response)                                       \
	"Digest username=\"alice\", realm=\"" REALM "\", nonce=\"" nonce       \
	"\", uri=\"sip:" REALM "\", response=\"" response "\", "               \
	"algorithm=MD5, qop=auth, nc=00000001, cnonce=\"0a4f113b\""
/** Threads and exchanges per thread of the concurrent case. */
#define AUTH_THREADS 4
#define AUTH_ROUNDS  50

/* 32 bytes, shared by "two nodes" in the tests. */
static const uint8_t secret[SX_SIP_AUTH_SECRET_LEN] =
    "0123456789abcdef0123456789abcde";

/* alice / wonderland; md5only has no SHA-256 HA1; broken fails. */
static int lookup(struct sx_sl user, struct sx_sl realm,
                  struct sx_sip_auth_ha1 *h, void *arg)
{
	int err;

	(void)arg;
	if (sx_sl_eq_cstr(user, "broken"))
		return -EIO;
	if (!sx_sl_eq_cstr(user, "alice") && !sx_sl_eq_cstr(user, "md5only"))
		return -ENOENT;
	err = sx_sip_auth_ha1_compute(h, user, realm, SX_SL("wonderland"));
	if (sx_sl_eq_cstr(user, "md5only"))
		h->ha1_sha256[0] = '\0';
	return err;
}

static void base_prm(struct sx_sip_auth_prm *p)
{
	memset(p, 0, sizeof(*p));
	p->realm = SX_SL(REALM);
	p->lookup = lookup;
	p->secret = secret;
	p->secret_len = sizeof(secret);
}

static struct sx_sa sa(const char *s)
{
	struct sx_sa a;

	sx_sa_init(&a);
	if (sx_sa_parse(&a, sx_sl_cstr(s)))
		abort();
	return a;
}

/* Accept the challenge line of @alg among those in @b. */
static int take_line(struct sx_sl b, enum sx_sip_digest_alg alg,
                     struct sx_sip_auth_client *c)
{
	while (b.len) {
		ssize_t colon = sx_sl_chr(b, ':'), eol = sx_sl_chr(b, '\r');
		struct sx_sip_challenge ch;
		if (colon < 0 || eol < colon)
			return -EBADMSG;
		struct sx_sl name = sx_sl_sub(b, 0, (size_t)colon);
		struct sx_sl val = sx_sl_trim(
		    sx_sl_sub(b, (size_t)colon + 1, (size_t)(eol - colon - 1)));
		b = sx_sl_sub(b, (size_t)eol + 2, b.len);
		if (sx_sip_challenge_parse(&ch, val))
			return -EBADMSG;
		if (ch.alg == alg)
			return sx_sip_auth_client_set(
			    c, &ch, sx_sl_eq_cstr(name, "Proxy-Authenticate"));
	}
	return -ENOENT;
}

/* A fresh challenge of @a for @src at @now, accepted by @c. */
static int challenge(struct sx_sip_auth *a, const struct sx_sa *src,
                     uint64_t now, enum sx_sip_digest_alg alg,
                     struct sx_sip_auth_client *c)
{
	struct sx_buf b;
	int err;

	sx_buf_init(&b, 0);
	err = sx_sip_auth_challenge_print(a, src, now, false, &b);
	if (!err)
		err = take_line(sx_buf_sl(&b), alg, c);
	sx_buf_fini(&b);
	return err;
}

/* Answer @c as @user/@pw for REGISTER sip:example.com, then check it. */
static int attempt_uri(struct sx_sip_auth *a, struct sx_sip_auth_client *c,
                       const char *user, const char *pw, const char *uri,
                       const struct sx_sa *src, uint64_t now,
                       struct sx_sip_auth_res *res)
{
	struct sx_sip_auth_client_prm cp = {
	    .username = sx_sl_cstr(user),
	    .password = sx_sl_cstr(pw),
	    .method = SX_SL("REGISTER"),
	    .uri = sx_sl_cstr(uri),
	};
	struct sx_sip_credentials cr;
	struct sx_buf b;
	int err;

	sx_buf_init(&b, 0);
	err = sx_sip_auth_client_authorize(c, &cp, &b);
	if (!err)
		err = sx_sip_credentials_parse(&cr, sx_buf_sl(&b));
	if (!err) {
		struct sx_sip_auth_req req = {
		    .method = SX_SL("REGISTER"),
		    .ruri = SX_SL("sip:" REALM),
		    .cr = &cr,
		    .src = src,
		    .now = now,
		};
		err = sx_sip_auth_check(a, &req, res);
	}
	sx_buf_fini(&b);
	return err;
}

static int attempt(struct sx_sip_auth *a, struct sx_sip_auth_client *c,
                   const char *user, const char *pw, const struct sx_sa *src,
                   uint64_t now, struct sx_sip_auth_res *res)
{
	return attempt_uri(a, c, user, pw, "sip:" REALM, src, now, res);
}

/* Check a hand-written credentials value. */
static int check_value(struct sx_sip_auth *a, const char *value,
                       const struct sx_sa *src, uint64_t now,
                       struct sx_sip_auth_res *res)
{
	struct sx_sip_credentials cr;
	struct sx_sip_auth_req req = {
	    .method = SX_SL("REGISTER"),
	    .ruri = SX_SL("sip:" REALM),
	    .cr = &cr,
	    .src = src,
	    .now = now,
	};
	int err = sx_sip_credentials_parse(&cr, sx_sl_cstr(value));

	return err ? err : sx_sip_auth_check(a, &req, res);
}

static int test_alloc_args(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_prm p;

	base_prm(&p);
	UT_EQ(-EINVAL, sx_sip_auth_alloc(NULL, &p));
	UT_EQ(-EINVAL, sx_sip_auth_alloc(&a, NULL));
	p.realm = SX_SL("");
	UT_EQ(-EINVAL, sx_sip_auth_alloc(&a, &p));
	p.realm = SX_SL("bad\r\nrealm");
	UT_EQ(-EINVAL, sx_sip_auth_alloc(&a, &p));
	base_prm(&p);
	p.lookup = NULL;
	UT_EQ(-EINVAL, sx_sip_auth_alloc(&a, &p));
	base_prm(&p);
	p.secret_len = SX_SIP_AUTH_SECRET_MIN - 1;
	UT_EQ(-EINVAL, sx_sip_auth_alloc(&a, &p));
	base_prm(&p);
	p.algs = 1u << 5;
	UT_EQ(-EINVAL, sx_sip_auth_alloc(&a, &p));
	UT_TRUE(a == NULL);
	/* a random secret works too */
	base_prm(&p);
	p.secret = NULL;
	UT_OK(sx_sip_auth_alloc(&a, &p));
out:
	sx_mem_unref(a);
	return err;
}

/* One field per algorithm, SHA-256 first (MD5 with md5_first), same
 * nonce (RFC 7616 3.7). */
static int test_challenge_format(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_prm p;
	struct sx_buf b;
	struct sx_sip_challenge c1, c2;
	struct sx_sl s, l1, l2;
	ssize_t eol;

	sx_buf_init(&b, 0);
	base_prm(&p);
	p.opaque = true;
	UT_OK(sx_sip_auth_alloc(&a, &p));
	UT_OK(sx_sip_auth_challenge_print(a, NULL, T0, true, &b));
	s = sx_buf_sl(&b);
	UT_TRUE(sx_sl_prefix_nocase(s, SX_SL("WWW-Authenticate: Digest ")));
	eol = sx_sl_chr(s, '\r');
	UT_TRUE(eol > 0);
	l1 = sx_sl_sub(s, 18, (size_t)eol - 18);
	l2 = sx_sl_sub(s, (size_t)eol + 2 + 18, s.len);
	l2 = sx_sl_sub(l2, 0, l2.len - 2);
	UT_OK(sx_sip_challenge_parse(&c1, l1));
	UT_OK(sx_sip_challenge_parse(&c2, l2));
	UT_EQ(SX_SIP_ALG_SHA256, c1.alg);
	UT_EQ(SX_SIP_ALG_MD5, c2.alg);
	UT_SL_EQ(REALM, c1.realm);
	UT_SL_EQ("auth", c1.qop);
	UT_TRUE(c1.stale && c2.stale);
	UT_TRUE(sx_sl_eq(c1.nonce, c2.nonce));
	UT_TRUE(c1.opaque.len > 0 && sx_sl_eq(c1.opaque, c2.opaque));
	sx_mem_unref(a);
	a = NULL;

	/* a proxy, SHA-256 only, not stale, no opaque */
	sx_buf_reset(&b);
	base_prm(&p);
	p.proxy = true;
	p.algs = SX_SIP_AUTH_F_SHA256;
	UT_OK(sx_sip_auth_alloc(&a, &p));
	UT_OK(sx_sip_auth_challenge_print(a, NULL, T0, false, &b));
	s = sx_buf_sl(&b);
	UT_TRUE(sx_sl_prefix_nocase(s, SX_SL("Proxy-Authenticate: Digest ")));
	UT_EQ(s.len - 2, (size_t)sx_sl_chr(s, '\r'));
	UT_OK(sx_sip_challenge_parse(&c1, sx_sl_sub(s, 20, s.len - 22)));
	UT_TRUE(!c1.stale && !c1.opaque.p);
	sx_mem_unref(a);
	a = NULL;

	/* md5_first: MD5 leads (RFC 8760 2.4 server preference) */
	sx_buf_reset(&b);
	base_prm(&p);
	p.md5_first = true;
	UT_OK(sx_sip_auth_alloc(&a, &p));
	UT_OK(sx_sip_auth_challenge_print(a, NULL, T0, false, &b));
	s = sx_buf_sl(&b);
	eol = sx_sl_chr(s, '\r');
	UT_TRUE(eol > 0);
	l1 = sx_sl_sub(s, 18, (size_t)eol - 18);
	l2 = sx_sl_sub(s, (size_t)eol + 2 + 18, s.len);
	l2 = sx_sl_sub(l2, 0, l2.len - 2);
	UT_OK(sx_sip_challenge_parse(&c1, l1));
	UT_OK(sx_sip_challenge_parse(&c2, l2));
	UT_EQ(SX_SIP_ALG_MD5, c1.alg);
	UT_EQ(SX_SIP_ALG_SHA256, c2.alg);
	UT_TRUE(sx_sl_eq(c1.nonce, c2.nonce));
out:
	sx_buf_fini(&b);
	sx_mem_unref(a);
	return err;
}

/* Both algorithms end to end; the username comes back on OK. */
static int test_roundtrip(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL, *b = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c;
	struct sx_sip_auth_res res;
	struct sx_sa src = sa("127.0.0.1:5060");

	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&a, &p));
	sx_sip_auth_client_init(&c);
	UT_OK(challenge(a, &src, T0, SX_SIP_ALG_SHA256, &c));
	UT_OK(attempt(a, &c, "alice", "wonderland", &src, T0 + 1, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	UT_EQ(0, res.status);
	UT_EQ(SX_SIP_ALG_SHA256, res.alg);
	UT_STR_EQ("alice", res.user);

	UT_OK(challenge(a, &src, T0, SX_SIP_ALG_MD5, &c));
	UT_OK(attempt(a, &c, "alice", "wonderland", &src, T0 + 1, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	UT_EQ(SX_SIP_ALG_MD5, res.alg);

	/* a store without SHA-256 HA1: SHA-256 fails, MD5 works */
	UT_OK(challenge(a, &src, T0, SX_SIP_ALG_SHA256, &c));
	UT_OK(attempt(a, &c, "md5only", "wonderland", &src, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	UT_OK(challenge(a, &src, T0, SX_SIP_ALG_MD5, &c));
	UT_OK(attempt(a, &c, "md5only", "wonderland", &src, T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);

	/* another node with the same secret accepts the nonce */
	UT_OK(sx_sip_auth_alloc(&b, &p));
	UT_OK(challenge(a, &src, T0, SX_SIP_ALG_SHA256, &c));
	UT_OK(attempt(b, &c, "alice", "wonderland", &src, T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
out:
	sx_mem_unref(a);
	sx_mem_unref(b);
	return err;
}

/* RFC 7616 3.3: an expired but authentic nonce gives stale=true, and
 * only when the digest was right. */
static int test_nonce_expiry(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c;
	struct sx_sip_auth_res res;

	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&a, &p));
	sx_sip_auth_client_init(&c);
	UT_OK(challenge(a, NULL, T0, SX_SIP_ALG_SHA256, &c));
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL,
	              T0 + SX_SIP_AUTH_NONCE_LIFETIME_S, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL,
	              T0 + SX_SIP_AUTH_NONCE_LIFETIME_S + 1, &res));
	UT_EQ(SX_SIP_AUTH_STALE, res.result);
	UT_EQ(401, res.status);
	UT_TRUE(res.stale);
	UT_OK(attempt(a, &c, "alice", "wrong", NULL,
	              T0 + SX_SIP_AUTH_NONCE_LIFETIME_S + 1, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	UT_TRUE(!res.stale);
	sx_mem_unref(a);
	a = NULL;

	/* a configured lifetime */
	p.nonce_lifetime_s = 10;
	UT_OK(sx_sip_auth_alloc(&a, &p));
	UT_OK(challenge(a, NULL, T0, SX_SIP_ALG_MD5, &c));
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0 + 11, &res));
	UT_EQ(SX_SIP_AUTH_STALE, res.result);
out:
	sx_mem_unref(a);
	return err;
}

/* Forged, foreign, future and wrongly bound nonces are refused. */
static int test_nonce_tampered(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL, *other = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c;
	struct sx_sip_auth_res res;
	struct sx_sa s1 = sa("127.0.0.1:5060"), s2 = sa("[::1]:5060");

	base_prm(&p);
	p.bind_source = true;
	UT_OK(sx_sip_auth_alloc(&a, &p));
	sx_sip_auth_client_init(&c);

	/* one character changed */
	UT_OK(challenge(a, &s1, T0, SX_SIP_ALG_SHA256, &c));
	c.nonce[10] = c.nonce[10] == 'A' ? 'B' : 'A';
	UT_OK(attempt(a, &c, "alice", "wonderland", &s1, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	UT_TRUE(!res.stale);

	/* bound to s1, used from s2 (same port does not matter) */
	UT_OK(challenge(a, &s1, T0, SX_SIP_ALG_SHA256, &c));
	UT_OK(attempt(a, &c, "alice", "wonderland", &s2, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	struct sx_sa s1b = sa("127.0.0.1:6000");
	UT_OK(attempt(a, &c, "alice", "wonderland", &s1b, T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);

	/* issued in the future beyond the skew */
	UT_OK(challenge(a, &s1, T0 + SX_SIP_AUTH_NONCE_SKEW_S + 1,
	                SX_SIP_ALG_SHA256, &c));
	UT_OK(attempt(a, &c, "alice", "wonderland", &s1, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);

	/* another secret */
	p.secret = NULL;
	UT_OK(sx_sip_auth_alloc(&other, &p));
	UT_OK(challenge(other, &s1, T0, SX_SIP_ALG_SHA256, &c));
	UT_OK(attempt(a, &c, "alice", "wonderland", &s1, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);

	/* a nonce that is not even ours in shape */
	c.nonce_len = 4;
	UT_OK(attempt(a, &c, "alice", "wonderland", &s1, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
out:
	sx_mem_unref(other);
	sx_mem_unref(a);
	return err;
}

/* qop=auth: the nonce-count must grow per nonce. */
static int test_nc_replay(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c, keep;
	struct sx_sip_auth_res res;

	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&a, &p));
	sx_sip_auth_client_init(&c);
	UT_OK(challenge(a, NULL, T0, SX_SIP_ALG_SHA256, &c));
	keep = c;
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	UT_EQ(1, c.nc);
	/* the same nc again */
	c = keep;
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_REPLAY, res.result);
	UT_EQ(401, res.status);
	UT_TRUE(res.stale);
	/* higher: accepted, gaps allowed */
	c.nc = 4;
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	/* lower than the highest, then equal to it */
	c.nc = 2;
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_REPLAY, res.result);
	c.nc = 4;
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_REPLAY, res.result);
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	UT_EQ(6, c.nc);
	/* a replay with a wrong password stays BAD (not REPLAY) */
	c.nc = 0;
	UT_OK(attempt(a, &c, "alice", "nope", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
out:
	sx_mem_unref(a);
	return err;
}

/* A nonce whose count was evicted can never be replayed. */
static int test_nc_eviction(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c1, c2, c3;
	struct sx_sip_auth_res res;

	base_prm(&p);
	p.nc_entries = 2;
	UT_OK(sx_sip_auth_alloc(&a, &p));
	sx_sip_auth_client_init(&c1);
	sx_sip_auth_client_init(&c2);
	sx_sip_auth_client_init(&c3);
	UT_OK(challenge(a, NULL, T0, SX_SIP_ALG_MD5, &c1));
	UT_OK(challenge(a, NULL, T0 + 1, SX_SIP_ALG_MD5, &c2));
	UT_OK(challenge(a, NULL, T0 + 2, SX_SIP_ALG_MD5, &c3));
	UT_OK(attempt(a, &c1, "alice", "wonderland", NULL, T0 + 2, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	UT_OK(attempt(a, &c2, "alice", "wonderland", NULL, T0 + 2, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	UT_OK(attempt(a, &c3, "alice", "wonderland", NULL, T0 + 2, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	/* c1's entry went: refused with stale=true, a new nonce follows */
	UT_OK(attempt(a, &c1, "alice", "wonderland", NULL, T0 + 2, &res));
	UT_EQ(SX_SIP_AUTH_REPLAY, res.result);
	UT_TRUE(res.stale);
	UT_OK(attempt(a, &c2, "alice", "wonderland", NULL, T0 + 2, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	UT_OK(attempt(a, &c3, "alice", "wonderland", NULL, T0 + 2, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
out:
	sx_mem_unref(a);
	return err;
}

static int test_wrong_realm(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL, *b = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c;
	struct sx_sip_auth_res res;

	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&a, &p));
	p.realm = SX_SL("other.example.org");
	UT_OK(sx_sip_auth_alloc(&b, &p));
	sx_sip_auth_client_init(&c);
	UT_OK(challenge(b, NULL, T0, SX_SIP_ALG_SHA256, &c));
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_NO_CREDENTIALS, res.result);
	UT_EQ(401, res.status);
	/* no credentials at all, and another scheme */
	struct sx_sip_auth_req req = {.method = SX_SL("REGISTER"),
	                              .ruri = SX_SL("sip:" REALM),
	                              .now = T0};
	UT_OK(sx_sip_auth_check(a, &req, &res));
	UT_EQ(SX_SIP_AUTH_NO_CREDENTIALS, res.result);
	UT_OK(check_value(a, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", NULL, T0,
	                  &res));
	UT_EQ(SX_SIP_AUTH_NO_CREDENTIALS, res.result);
	UT_EQ(-EINVAL, sx_sip_auth_check(NULL, &req, &res));
out:
	sx_mem_unref(a);
	sx_mem_unref(b);
	return err;
}

/* RFC 2617 3.2.2.5: the digest-uri must name the Request-URI. */
static int test_uri_mismatch(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c;
	struct sx_sip_auth_res res;

	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&a, &p));
	sx_sip_auth_client_init(&c);
	UT_OK(challenge(a, NULL, T0, SX_SIP_ALG_SHA256, &c));
	UT_OK(attempt_uri(a, &c, "alice", "wonderland", "sip:evil.example.org",
	                  NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_MALFORMED, res.result);
	UT_EQ(400, res.status);
	/* equal as SIP URIs (host case) is accepted */
	UT_OK(attempt_uri(a, &c, "alice", "wonderland", "sip:EXAMPLE.com", NULL,
	                  T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	/* a parameter the Request-URI lacks is another URI */
	UT_OK(attempt_uri(a, &c, "alice", "wonderland",
	                  "sip:" REALM ";transport=tcp", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_MALFORMED, res.result);
out:
	sx_mem_unref(a);
	return err;
}

/* An unknown user gets exactly what a wrong password gets. */
static int test_unknown_user(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c;
	struct sx_sip_auth_res r1, r2;
	struct sx_sa s1 = sa("127.0.0.1"), s2 = sa("127.0.0.2");

	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&a, &p));
	sx_sip_auth_client_init(&c);
	for (int alg = 0; alg < 2; alg++) {
		enum sx_sip_digest_alg al =
		    alg ? SX_SIP_ALG_MD5 : SX_SIP_ALG_SHA256;
		UT_OK(challenge(a, &s1, T0, al, &c));
		UT_OK(attempt(a, &c, "alice", "wrong", &s1, T0, &r1));
		UT_OK(challenge(a, &s2, T0, al, &c));
		UT_OK(attempt(a, &c, "mallory", "wrong", &s2, T0, &r2));
		UT_EQ(SX_SIP_AUTH_BAD, r1.result);
		UT_EQ(0, memcmp(&r1, &r2, sizeof(r1)));
	}
	/* both count toward throttling in the same way: the sixth attempt
	 * of each is refused */
	for (int i = 0; i < 4; i++) {
		UT_OK(attempt(a, &c, "alice", "wrong", &s1, T0, &r1));
		UT_OK(attempt(a, &c, "mallory", "wrong", &s2, T0, &r2));
		UT_EQ(0, memcmp(&r1, &r2, sizeof(r1)));
	}
	UT_EQ(SX_SIP_AUTH_THROTTLED, r1.result);
	UT_EQ(0, memcmp(&r1, &r2, sizeof(r1)));
	/* a lookup failure is an error, not an answer */
	EXPECT_ERR(-EIO, attempt(a, &c, "broken", "x", NULL, T0 + 100, &r1));
out:
	sx_mem_unref(a);
	return err;
}

/* Broken credentials are MALFORMED (400), never a crash. */
static int test_malformed(void)
{
	static const char *const bad[] = {
	    /* no nonce */
	    "Digest username=\"alice\", realm=\"" REALM "\", "
	    "uri=\"sip:" REALM "\", response=\"00\"",
	    /* no response */
	    "Digest username=\"alice\", realm=\"" REALM "\", nonce=\"x\", "
	    "uri=\"sip:" REALM "\"",
	    /* no username, no uri */
	    "Digest realm=\"" REALM "\", nonce=\"x\", "
	    "response=\"0123456789abcdef0123456789abcdef\"",
	    /* response of the wrong length for MD5 */
	    "Digest username=\"alice\", realm=\"" REALM "\", nonce=\"x\", "
	    "uri=\"sip:" REALM "\", response=\"0123\"",
	    /* not hex */
	    "Digest username=\"alice\", realm=\"" REALM "\", nonce=\"x\", "
	    "uri=\"sip:" REALM "\", "
	    "response=\"0123456789abcdef0123456789abcdeZ\"",
	    /* qop=auth without nc */
	    "Digest username=\"alice\", realm=\"" REALM "\", nonce=\"x\", "
	    "uri=\"sip:" REALM "\", qop=auth, cnonce=\"c\", "
	    "response=\"0123456789abcdef0123456789abcdef\"",
	    /* qop=auth without cnonce */
	    "Digest username=\"alice\", realm=\"" REALM "\", nonce=\"x\", "
	    "uri=\"sip:" REALM "\", qop=auth, nc=00000001, "
	    "response=\"0123456789abcdef0123456789abcdef\"",
	    /* nc 0 */
	    "Digest username=\"alice\", realm=\"" REALM "\", nonce=\"x\", "
	    "uri=\"sip:" REALM "\", qop=auth, nc=00000000, cnonce=\"c\", "
	    "response=\"0123456789abcdef0123456789abcdef\"",
	    /* nc without qop */
	    "Digest username=\"alice\", realm=\"" REALM "\", nonce=\"x\", "
	    "uri=\"sip:" REALM "\", nc=00000001, "
	    "response=\"0123456789abcdef0123456789abcdef\"",
	};
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_res res;
	size_t nchecked = 0;

	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&a, &p));
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		int rc = check_value(a, bad[i], NULL, T0, &res);
		if (rc == -EBADMSG)
			continue; /* refused by the header parser already */
		UT_OK(rc);
		nchecked++;
		if (res.result != SX_SIP_AUTH_MALFORMED)
			fprintf(stderr, "  case %zu: %s\n", i,
			        sx_sip_auth_result_name(res.result));
		UT_EQ(SX_SIP_AUTH_MALFORMED, res.result);
		UT_EQ(400, res.status);
	}
	UT_EQ(SX_ARRAY_SIZE(bad), nchecked);
	/* a username over SX_SIP_AUTH_MAX_USER_LEN */
	char big[SX_SIP_AUTH_MAX_USER_LEN + 200];
	snprintf(big, sizeof(big),
	         "Digest username=\"%0*d\", realm=\"" REALM "\", nonce=\"x\", "
	         "uri=\"sip:" REALM "\", "
	         "response=\"0123456789abcdef0123456789abcdef\"",
	         SX_SIP_AUTH_MAX_USER_LEN + 1, 7);
	UT_OK(check_value(a, big, NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_MALFORMED, res.result);
	/* unsupported algorithm or qop: challenge again */
	UT_OK(check_value(a,
	                  "Digest username=\"alice\", realm=\"" REALM "\", "
	                  "nonce=\"x\", uri=\"sip:" REALM "\", "
	                  "algorithm=MD5-sess, "
	                  "response=\"0123456789abcdef0123456789abcdef\"",
	                  NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	UT_OK(check_value(a,
	                  "Digest username=\"alice\", realm=\"" REALM "\", "
	                  "nonce=\"x\", uri=\"sip:" REALM "\", qop=auth-int, "
	                  "nc=00000001, cnonce=\"c\", "
	                  "response=\"0123456789abcdef0123456789abcdef\"",
	                  NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
out:
	sx_mem_unref(a);
	return err;
}

/* RFC 2069 responses (no qop) only when configured; opaque enforced. */
static int test_no_qop_and_opaque(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c;
	struct sx_sip_auth_res res;

	base_prm(&p);
	p.opaque = true;
	UT_OK(sx_sip_auth_alloc(&a, &p));
	sx_sip_auth_client_init(&c);
	UT_OK(challenge(a, NULL, T0, SX_SIP_ALG_MD5, &c));
	UT_TRUE(c.has_opaque);
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	c.opaque[0] ^= 1;
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	c.has_opaque = false;
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	c.has_opaque = true;
	c.opaque[0] ^= 1;

	/* an RFC 2069 client */
	c.qop = false;
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	sx_mem_unref(a);
	a = NULL;
	p.allow_no_qop = true;
	UT_OK(sx_sip_auth_alloc(&a, &p));
	UT_OK(attempt(a, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
out:
	sx_mem_unref(a);
	return err;
}

/* A disabled algorithm is neither offered nor accepted. */
static int test_algs(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL, *sha = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c;
	struct sx_sip_auth_res res;

	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&a, &p));
	p.algs = SX_SIP_AUTH_F_SHA256;
	UT_OK(sx_sip_auth_alloc(&sha, &p));
	sx_sip_auth_client_init(&c);
	EXPECT_ERR(-ENOENT, challenge(sha, NULL, T0, SX_SIP_ALG_MD5, &c));
	UT_OK(challenge(a, NULL, T0, SX_SIP_ALG_MD5, &c));
	UT_OK(attempt(sha, &c, "alice", "wonderland", NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	UT_STR_EQ("BAD", sx_sip_auth_result_name(res.result));
out:
	sx_mem_unref(a);
	sx_mem_unref(sha);
	return err;
}

/* -- through the message layer --------------------------------------- */

#define REQ_HEAD(method, ruri)                                                 \
	method " " ruri " SIP/2.0\r\n"                                         \
	       "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK776\r\n"         \
	       "Max-Forwards: 70\r\n"                                          \
	       "From: <sip:alice@" REALM ">;tag=a1\r\n"                        \
	       "To: <sip:alice@" REALM ">\r\n"                                 \
	       "Call-ID: c1@127.0.0.1\r\n"                                     \
	       "CSeq: 1 " method "\r\n"

static int parse(const char *text, size_t len, struct sx_sip_msg **msgp)
{
	return sx_sip_msg_parse(msgp, text, len, NULL, NULL);
}

/* Request @head + optional @hdr line + end, parsed into *msgp (@buf
 * keeps the bytes). */
static int build_req(struct sx_buf *buf, const char *head, const char *name,
                     struct sx_sl value, struct sx_sip_msg **msgp)
{
	sx_buf_reset(buf);
	sx_buf_put_cstr(buf, head);
	if (name)
		sx_buf_printf(buf, "%s: %.*s\r\n", name, SX_SL_FMT(value));
	sx_buf_put_cstr(buf, "Content-Length: 0\r\n\r\n");
	if (sx_buf_err(buf))
		return sx_buf_err(buf);
	return parse(buf->p, buf->len, msgp);
}

/* 401 -> Authorization -> OK, for a registrar and a proxy. */
static int exchange(bool proxy, const char *head, const char *ruri)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c;
	struct sx_sip_auth_res res;
	struct sx_sip_msg *req = NULL, *resp = NULL;
	struct sx_buf rb, out, val;
	struct sx_sa src = sa("127.0.0.1:5062");

	sx_buf_init(&rb, 0);
	sx_buf_init(&out, 0);
	sx_buf_init(&val, 0);
	base_prm(&p);
	p.proxy = proxy;
	UT_OK(sx_sip_auth_alloc(&a, &p));
	UT_OK(build_req(&rb, head, NULL, SX_SL_NULL, &req));
	UT_OK(sx_sip_auth_check_msg(a, req, &src, T0, &res));
	UT_EQ(SX_SIP_AUTH_NO_CREDENTIALS, res.result);
	UT_EQ(proxy ? 407 : 401, res.status);
	UT_OK(
	    sx_sip_auth_reply_print(a, req, &res, &src, T0, SX_SL("t1"), &out));
	UT_OK(parse(out.p, out.len, &resp));
	UT_EQ(proxy ? 407 : 401, resp->status);

	sx_sip_auth_client_init(&c);
	UT_OK(sx_sip_auth_client_set_msg(&c, resp));
	UT_EQ(SX_SIP_ALG_SHA256, c.alg);
	UT_EQ(proxy, c.proxy);
	struct sx_sip_auth_client_prm cp = {
	    .username = SX_SL("alice"),
	    .password = SX_SL("wonderland"),
	    .method = req->method_sl,
	    .uri = sx_sl_cstr(ruri),
	};
	UT_OK(sx_sip_auth_client_authorize(&c, &cp, &val));
	sx_sip_msg_free(req);
	req = NULL;
	UT_OK(build_req(&rb, head, sx_sip_auth_client_hdr_name(&c),
	                sx_buf_sl(&val), &req));
	UT_OK(sx_sip_auth_check_msg(a, req, &src, T0 + 1, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	UT_STR_EQ("alice", res.user);
	UT_EQ(-EINVAL, sx_sip_auth_reply_print(a, req, &res, &src, T0,
	                                       SX_SL_NULL, &out));
out:
	sx_sip_msg_free(req);
	sx_sip_msg_free(resp);
	sx_buf_fini(&rb);
	sx_buf_fini(&out);
	sx_buf_fini(&val);
	sx_mem_unref(a);
	return err;
}

static int test_register_exchange(void)
{
	return exchange(false, REQ_HEAD("REGISTER", "sip:" REALM),
	                "sip:" REALM);
}

static int test_invite_exchange(void)
{
	return exchange(true, REQ_HEAD("INVITE", "sip:bob@" REALM),
	                "sip:bob@" REALM);
}

/* An unreadable Authorization field: 400, and the reply says so. */
static int test_msg_malformed(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_res res;
	struct sx_sip_msg *req = NULL, *resp = NULL;
	struct sx_buf rb, out;
	const char *head = REQ_HEAD("REGISTER", "sip:" REALM);

	sx_buf_init(&rb, 0);
	sx_buf_init(&out, 0);
	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&a, &p));
	UT_OK(build_req(
	    &rb, head, "Authorization",
	    SX_SL("Digest username=\"alice\", realm=\"" REALM "\", nc=zz"),
	    &req));
	UT_OK(sx_sip_auth_check_msg(a, req, NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_MALFORMED, res.result);
	UT_OK(
	    sx_sip_auth_reply_print(a, req, &res, NULL, T0, SX_SL("t"), &out));
	UT_OK(parse(out.p, out.len, &resp));
	UT_EQ(400, resp->status);
	UT_TRUE(!sx_sip_msg_hdr(resp, SX_SIP_HDR_WWW_AUTHENTICATE));
	sx_sip_msg_free(req);
	req = NULL;
	/* credentials for another realm only: ignored, challenge */
	UT_OK(build_req(&rb, head, "Authorization",
	                SX_SL("Digest username=\"alice\", realm=\"x.org\", "
	                      "nonce=\"n\", uri=\"sip:x.org\", response=\"r\""),
	                &req));
	UT_OK(sx_sip_auth_check_msg(a, req, NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_NO_CREDENTIALS, res.result);
	/* a registrar ignores Proxy-Authorization */
	sx_sip_msg_free(req);
	req = NULL;
	UT_OK(build_req(&rb, head, "Proxy-Authorization", SX_SL("garbage \""),
	                &req));
	UT_OK(sx_sip_auth_check_msg(a, req, NULL, T0, &res));
	UT_EQ(SX_SIP_AUTH_NO_CREDENTIALS, res.result);
out:
	sx_sip_msg_free(req);
	sx_sip_msg_free(resp);
	sx_buf_fini(&rb);
	sx_buf_fini(&out);
	sx_mem_unref(a);
	return err;
}

/* Nonce MACs and the opaque are the same bytes as computed outside. */
static int test_known_answers(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL, *bound = NULL, *op = NULL;
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_res res;
	struct sx_sa src = sa("192.0.2.7:5060");
	struct sx_buf b;

	sx_buf_init(&b, 0);
	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&a, &p));
	UT_OK(check_value(a, KAT_CREDENTIALS(KAT_NONCE, KAT_RESPONSE), &src, T0,
	                  &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);

	p.bind_source = true;
	UT_OK(sx_sip_auth_alloc(&bound, &p));
	UT_OK(check_value(bound,
	                  KAT_CREDENTIALS(KAT_NONCE_BOUND, KAT_RESPONSE_BOUND),
	                  &src, T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	/* the unbound nonce's MAC does not hold for a bound engine */
	UT_OK(check_value(bound, KAT_CREDENTIALS(KAT_NONCE, KAT_RESPONSE), &src,
	                  T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);

	base_prm(&p);
	p.opaque = true;
	UT_OK(sx_sip_auth_alloc(&op, &p));
	UT_OK(sx_sip_auth_challenge_print(op, &src, T0, false, &b));
	UT_TRUE(strstr(b.p, ", opaque=\"" KAT_OPAQUE "\", ") != NULL);
out:
	sx_buf_fini(&b);
	sx_mem_unref(op);
	sx_mem_unref(bound);
	sx_mem_unref(a);
	return err;
}

/* Engines with different secrets in turn on one thread: each MAC is
 * under its own engine's secret, whatever the thread used before. */
static int test_secrets_in_turn(void)
{
	int err = 0;
	struct sx_sip_auth *e[2] = {NULL, NULL};
	struct sx_sip_auth_prm p;
	struct sx_sip_auth_client c;
	struct sx_sip_auth_res res;
	struct sx_sa src = sa("127.0.0.1:5060");

	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&e[0], &p));
	p.secret = NULL; /* a random one */
	UT_OK(sx_sip_auth_alloc(&e[1], &p));
	for (int i = 0; i < 4; i++) {
		struct sx_sip_auth *mine = e[i % 2], *other = e[(i + 1) % 2];
		sx_sip_auth_client_init(&c);
		UT_OK(challenge(mine, &src, T0, SX_SIP_ALG_MD5, &c));
		UT_OK(
		    attempt(other, &c, "alice", "wonderland", &src, T0, &res));
		UT_EQ(SX_SIP_AUTH_BAD, res.result);
		UT_OK(attempt(mine, &c, "alice", "wonderland", &src, T0, &res));
		UT_EQ(SX_SIP_AUTH_OK, res.result);
	}
out:
	sx_mem_unref(e[0]);
	sx_mem_unref(e[1]);
	return err;
}

struct auth_worker {
	struct sx_sip_auth *a;
	pthread_t th;
	int err; /* 0, the first error, or -EPROTO for a wrong result */
};

/* Challenge and answer AUTH_ROUNDS times, both algorithms in turn. */
static void *auth_worker(void *arg)
{
	struct auth_worker *w = arg;
	struct sx_sa src = sa("127.0.0.1:5060");
	struct sx_sip_auth_client c;
	struct sx_sip_auth_res res;

	for (int i = 0; i < AUTH_ROUNDS && !w->err; i++) {
		enum sx_sip_digest_alg alg =
		    i % 2 ? SX_SIP_ALG_MD5 : SX_SIP_ALG_SHA256;
		sx_sip_auth_client_init(&c);
		w->err = challenge(w->a, &src, T0, alg, &c);
		if (!w->err)
			w->err = attempt(w->a, &c, "alice", "wonderland", &src,
			                 T0, &res);
		if (!w->err && res.result != SX_SIP_AUTH_OK)
			w->err = -EPROTO;
	}
	return NULL;
}

/* One engine, several worker threads at once (STYLE.md 2.9). */
static int test_threads(void)
{
	int err = 0;
	struct sx_sip_auth_prm p;
	struct auth_worker w[AUTH_THREADS] = {{0}};
	struct sx_sip_auth *a = NULL;
	int started = 0;

	base_prm(&p);
	UT_OK(sx_sip_auth_alloc(&a, &p));
	for (; started < AUTH_THREADS; started++) {
		w[started].a = a;
		UT_OK(-pthread_create(&w[started].th, NULL, auth_worker,
		                      &w[started]));
	}
out:
	for (int i = 0; i < started; i++) {
		pthread_join(w[i].th, NULL);
		if (!err && w[i].err)
			err = ut__check_err(__FILE__, __LINE__, "auth_worker",
			                    w[i].err);
	}
	sx_mem_unref(a);
	return err;
}

UT_MAIN(UT_C(test_alloc_args), UT_C(test_challenge_format),
        UT_C(test_known_answers), UT_C(test_secrets_in_turn),
        UT_C(test_threads), UT_C(test_roundtrip), UT_C(test_nonce_expiry),
        UT_C(test_nonce_tampered), UT_C(test_nc_replay), UT_C(test_nc_eviction),
        UT_C(test_wrong_realm), UT_C(test_uri_mismatch),
        UT_C(test_unknown_user), UT_C(test_malformed),
        UT_C(test_no_qop_and_opaque), UT_C(test_algs),
        UT_C(test_register_exchange), UT_C(test_invite_exchange),
        UT_C(test_msg_malformed))
