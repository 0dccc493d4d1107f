/*
 * Unit tests for the throttling of failed digest authentications
 * (sx/sip/auth.h; brute-force protection, RFC 7616 5.4): per source
 * address and per username, the failure window, exponential blocks with
 * their cap, decay, reset on success, bounded tables.  The clock is the
 * caller's, so the tests jump through time without sleeping.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <sx/sip/auth.h>

#include "ut.h"

#define REALM "example.com"
#define T0    1700000000ull

static const uint8_t secret[SX_SIP_AUTH_SECRET_LEN] =
    "0123456789abcdef0123456789abcde";

/* Only alice / wonderland exists; counts calls. */
static int lookup(struct sx_sl user, struct sx_sl realm,
                  struct sx_sip_auth_ha1 *h, void *arg)
{
	unsigned *calls = arg;

	++*calls;
	if (!sx_sl_eq_cstr(user, "alice"))
		return -ENOENT;
	return sx_sip_auth_ha1_compute(h, user, realm, SX_SL("wonderland"));
}

static unsigned lookups;
/** One buffer for all attempts of a case: few allocations, so the OOM
 *  run stays short. */
static struct sx_buf scratch;
/** Room for a challenge pair or one Authorization value. */
#define SCRATCH_LEN 1024

/* The authenticator of a case, and the scratch buffer; see done(). */
static int make(struct sx_sip_auth **ap, uint32_t max_s, uint32_t entries)
{
	struct sx_sip_auth_prm p = {
	    .realm = SX_SL(REALM),
	    .lookup = lookup,
	    .arg = &lookups,
	    .secret = secret,
	    .secret_len = sizeof(secret),
	    .throttle_max_s = max_s,
	    .throttle_entries = entries,
	};

	int err;

	sx_buf_init(&scratch, 0);
	err = sx_buf_reserve(&scratch, SCRATCH_LEN);
	return err ? err : sx_sip_auth_alloc(ap, &p);
}

static void done(struct sx_sip_auth *a)
{
	sx_mem_unref(a);
	sx_buf_fini(&scratch);
}

/* 127.0.0.n */
static struct sx_sa host(unsigned n)
{
	char buf[32];
	struct sx_sa a;

	snprintf(buf, sizeof(buf), "127.0.0.%u:5060", n);
	sx_sa_init(&a);
	if (sx_sa_parse(&a, sx_sl_cstr(buf)))
		abort();
	return a;
}

/* Fresh SHA-256 challenge at @now, answered as @user/@pw, checked. */
static int attempt(struct sx_sip_auth *a, const char *user, const char *pw,
                   const struct sx_sa *src, uint64_t now,
                   struct sx_sip_auth_res *res)
{
	struct sx_sip_auth_client c;
	struct sx_sip_auth_client_prm cp = {
	    .username = sx_sl_cstr(user),
	    .password = sx_sl_cstr(pw),
	    .method = SX_SL("REGISTER"),
	    .uri = SX_SL("sip:" REALM),
	};
	struct sx_sip_challenge ch;
	struct sx_sip_credentials cr;
	struct sx_buf *b = &scratch;
	int err;

	sx_sip_auth_client_init(&c);
	sx_buf_reset(b);
	err = sx_sip_auth_challenge_print(a, src, now, false, b);
	/* the first line is SHA-256: "WWW-Authenticate: " ... CRLF */
	if (!err)
		err = sx_sip_challenge_parse(
		    &ch, sx_sl_sub(sx_buf_sl(b), 18,
		                   (size_t)sx_sl_chr(sx_buf_sl(b), '\r') - 18));
	if (!err)
		err = sx_sip_auth_client_set(&c, &ch, false);
	sx_buf_reset(b);
	if (!err)
		err = sx_sip_auth_client_authorize(&c, &cp, b);
	if (!err)
		err = sx_sip_credentials_parse(&cr, sx_buf_sl(b));
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
	return err;
}

/* @n failures from @src, each with a different unknown user (so only
 * the source counts); *@lastp gets the last result. */
static int fail_n(struct sx_sip_auth *a, const struct sx_sa *src, uint64_t now,
                  int n, struct sx_sip_auth_res *lastp)
{
	static unsigned serial;
	char user[32];

	for (int i = 0; i < n; i++) {
		snprintf(user, sizeof(user), "u%u", serial++);
		int err = attempt(a, user, "guess", src, now, lastp);
		if (err)
			return err;
	}
	return 0;
}

/* Five failures from one source block it, not others; it ends. */
static int test_throttle_source(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_res res;
	struct sx_sa s1 = host(1), s2 = host(2);
	unsigned before;

	UT_OK(make(&a, 0, 0));
	UT_OK(fail_n(a, &s1, T0, SX_SIP_AUTH_THROTTLE_FAILS - 1, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	UT_OK(fail_n(a, &s1, T0, 1, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	/* blocked now, whatever the password; no lookup is made */
	before = lookups;
	UT_OK(attempt(a, "alice", "wonderland", &s1, T0, &res));
	UT_EQ(SX_SIP_AUTH_THROTTLED, res.result);
	UT_EQ(403, res.status);
	UT_EQ(SX_SIP_AUTH_THROTTLE_BASE_S, res.retry_after);
	UT_EQ(before, lookups);
	/* even without credentials */
	struct sx_sip_auth_req req = {.method = SX_SL("REGISTER"),
	                              .ruri = SX_SL("sip:" REALM),
	                              .src = &s1,
	                              .now = T0 + 1};
	UT_OK(sx_sip_auth_check(a, &req, &res));
	UT_EQ(SX_SIP_AUTH_THROTTLED, res.result);
	UT_EQ(1, res.retry_after);
	/* another source is not affected */
	UT_OK(attempt(a, "alice", "wonderland", &s2, T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	/* the block ends */
	UT_OK(attempt(a, "alice", "wonderland", &s1,
	              T0 + SX_SIP_AUTH_THROTTLE_BASE_S, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
out:
	done(a);
	return err;
}

/* Failures spread over more than the window do not add up. */
static int test_throttle_window(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_res res;
	struct sx_sa s1 = host(1);
	uint64_t t = T0 + SX_SIP_AUTH_THROTTLE_WINDOW_S;

	UT_OK(make(&a, 0, 0));
	UT_OK(fail_n(a, &s1, T0, SX_SIP_AUTH_THROTTLE_FAILS - 1, &res));
	UT_OK(fail_n(a, &s1, t, SX_SIP_AUTH_THROTTLE_FAILS - 1, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	UT_OK(attempt(a, "alice", "wonderland", &s1, t, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
out:
	done(a);
	return err;
}

/* A success clears the counters. */
static int test_throttle_success_resets(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_res res;
	struct sx_sa s1 = host(1);

	UT_OK(make(&a, 0, 0));
	for (int round = 0; round < 3; round++) {
		UT_OK(fail_n(a, &s1, T0, SX_SIP_AUTH_THROTTLE_FAILS - 1, &res));
		UT_OK(attempt(a, "alice", "wonderland", &s1, T0, &res));
		UT_EQ(SX_SIP_AUTH_OK, res.result);
	}
out:
	done(a);
	return err;
}

/* Blocks double up to the cap; quiet periods lower the level. */
static int test_throttle_escalation(void)
{
	static const uint32_t expect[] = {2, 4, 8, 16, 16};
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_res res;
	struct sx_sa s1 = host(1);
	uint64_t t = T0;

	UT_OK(make(&a, 16, 0));
	for (size_t i = 0; i < SX_ARRAY_SIZE(expect); i++) {
		UT_OK(fail_n(a, &s1, t, SX_SIP_AUTH_THROTTLE_FAILS, &res));
		UT_OK(fail_n(a, &s1, t, 1, &res));
		UT_EQ(SX_SIP_AUTH_THROTTLED, res.result);
		UT_EQ(expect[i], res.retry_after);
		t += res.retry_after;
	}
	/* level 5; three quiet decay periods bring it to 2: next 2^3 */
	t += 3 * SX_SIP_AUTH_THROTTLE_DECAY_S;
	UT_OK(fail_n(a, &s1, t, SX_SIP_AUTH_THROTTLE_FAILS, &res));
	UT_OK(fail_n(a, &s1, t, 1, &res));
	UT_EQ(8, res.retry_after);
	/* level 3, two periods after the block: 1, next 2^2 */
	t += res.retry_after + 2 * SX_SIP_AUTH_THROTTLE_DECAY_S;
	UT_OK(fail_n(a, &s1, t, SX_SIP_AUTH_THROTTLE_FAILS, &res));
	UT_OK(fail_n(a, &s1, t, 1, &res));
	UT_EQ(4, res.retry_after);
	/* a period not yet over changes nothing: level 2, next 2^3 */
	t += res.retry_after + SX_SIP_AUTH_THROTTLE_DECAY_S - 1;
	UT_OK(fail_n(a, &s1, t, SX_SIP_AUTH_THROTTLE_FAILS, &res));
	UT_OK(fail_n(a, &s1, t, 1, &res));
	UT_EQ(8, res.retry_after);
	/* long quiet: back to the first block length */
	t += res.retry_after + 10 * SX_SIP_AUTH_THROTTLE_DECAY_S;
	UT_OK(fail_n(a, &s1, t, SX_SIP_AUTH_THROTTLE_FAILS, &res));
	UT_OK(fail_n(a, &s1, t, 1, &res));
	UT_EQ(SX_SIP_AUTH_THROTTLE_BASE_S, res.retry_after);
out:
	done(a);
	return err;
}

/* Failures for one username from many sources block that username. */
static int test_throttle_user(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_res res;
	struct sx_sa s9 = host(9);

	UT_OK(make(&a, 0, 0));
	for (unsigned i = 1; i <= SX_SIP_AUTH_THROTTLE_FAILS; i++) {
		struct sx_sa s = host(i);
		UT_OK(attempt(a, "alice", "guess", &s, T0, &res));
		UT_EQ(SX_SIP_AUTH_BAD, res.result);
	}
	UT_OK(attempt(a, "alice", "wonderland", &s9, T0, &res));
	UT_EQ(SX_SIP_AUTH_THROTTLED, res.result);
	UT_EQ(SX_SIP_AUTH_THROTTLE_BASE_S, res.retry_after);
	/* other users from that source go on */
	UT_OK(attempt(a, "bob", "x", &s9, T0, &res));
	UT_EQ(SX_SIP_AUTH_BAD, res.result);
	/* unknown users are throttled alike */
	for (unsigned i = 1; i < SX_SIP_AUTH_THROTTLE_FAILS; i++) {
		struct sx_sa s = host(20 + i);
		UT_OK(attempt(a, "bob", "x", &s, T0, &res));
	}
	UT_OK(attempt(a, "bob", "x", &s9, T0, &res));
	UT_EQ(SX_SIP_AUTH_THROTTLED, res.result);
	UT_OK(attempt(a, "alice", "wonderland", &s9,
	              T0 + SX_SIP_AUTH_THROTTLE_BASE_S, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
out:
	done(a);
	return err;
}

/* A flood of sources fills a small table by eviction, never beyond. */
static int test_throttle_bounded(void)
{
	int err = 0;
	struct sx_sip_auth *a = NULL;
	struct sx_sip_auth_res res;
	struct sx_sa s;

	UT_OK(make(&a, 0, 4));
	for (unsigned i = 1; i <= 20; i++) {
		s = host(i);
		UT_OK(fail_n(a, &s, T0, SX_SIP_AUTH_THROTTLE_FAILS + 1, &res));
		UT_EQ(SX_SIP_AUTH_THROTTLED, res.result);
	}
	/* the oldest sources were forgotten, the newest are remembered */
	s = host(1);
	UT_OK(attempt(a, "alice", "wonderland", &s, T0, &res));
	UT_EQ(SX_SIP_AUTH_OK, res.result);
	s = host(20);
	UT_OK(attempt(a, "alice", "wonderland", &s, T0, &res));
	UT_EQ(SX_SIP_AUTH_THROTTLED, res.result);
out:
	done(a);
	return err;
}

UT_MAIN(UT_C(test_throttle_source), UT_C(test_throttle_window),
        UT_C(test_throttle_success_resets), UT_C(test_throttle_escalation),
        UT_C(test_throttle_user), UT_C(test_throttle_bounded))
