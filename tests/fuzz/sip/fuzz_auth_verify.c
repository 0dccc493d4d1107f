/*
 * libFuzzer target for digest verification (sx/sip/auth.h; RFC 3261 22,
 * RFC 7616): the input is one flags byte, then an Authorization header
 * value.  The flags pick the authenticator's options and the clock; the
 * value is checked twice (the second time must never succeed again with
 * qop=auth: the nonce-count was used), then also fed to the client side
 * as a challenge.  The secret and the clock are fixed so that corpus
 * files can carry valid nonces (alice / wonderland in example.com, for
 * REGISTER sip:example.com from 127.0.0.1).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sx/sip/auth.h>
#include <sx/util/mem.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

/** The corpus nonces were issued at this time. */
#define FUZZ_T0 1700000000ull
/** Clock steps selectable by the flags (some beyond the lifetime). */
#define FUZZ_STEP_S 50
/** Small tables: eviction paths are reached quickly. */
#define FUZZ_ENTRIES 8

enum {
	F_NO_QOP = 1 << 0, /* allow_no_qop */
	F_OPAQUE = 1 << 1, /* opaque */
	F_BIND = 1 << 2,   /* bind_source */
	F_MD5_ONLY = 1 << 3,
	F_PROXY = 1 << 4,
	F_CLOCK_SHIFT = 5, /* bits 5-7: clock = T0 + n * FUZZ_STEP_S */
};

static const uint8_t secret[SX_SIP_AUTH_SECRET_LEN] =
    "fuzz-secret-fuzz-secret-fuzz-se";

static int lookup(struct sx_sl user, struct sx_sl realm,
                  struct sx_sip_auth_ha1 *h, void *arg)
{
	(void)arg;
	if (!sx_sl_eq_cstr(user, "alice"))
		return -ENOENT;
	return sx_sip_auth_ha1_compute(h, user, realm, SX_SL("wonderland"));
}

static void check_res(const struct sx_sip_auth_res *res, bool proxy)
{
	CHECK((unsigned)res->result <= SX_SIP_AUTH_THROTTLED);
	switch (res->result) {
	case SX_SIP_AUTH_OK:
		CHECK(res->status == 0 && !strcmp(res->user, "alice"));
		break;
	case SX_SIP_AUTH_MALFORMED:
		CHECK(res->status == 400);
		break;
	case SX_SIP_AUTH_THROTTLED:
		CHECK(res->status == 403);
		break;
	default:
		CHECK(res->status == (proxy ? 407 : 401));
		break;
	}
}

static void server(uint8_t flags, struct sx_sl value)
{
	struct sx_sip_auth_prm p = {
	    .realm = SX_SL("example.com"),
	    .lookup = lookup,
	    .secret = secret,
	    .secret_len = sizeof(secret),
	    .allow_no_qop = flags & F_NO_QOP,
	    .opaque = flags & F_OPAQUE,
	    .bind_source = flags & F_BIND,
	    .algs = flags & F_MD5_ONLY ? SX_SIP_AUTH_F_MD5 : 0,
	    .proxy = flags & F_PROXY,
	    .nc_entries = FUZZ_ENTRIES,
	    .throttle_entries = FUZZ_ENTRIES,
	};
	struct sx_sip_auth *a = NULL;
	struct sx_sip_credentials cr;
	struct sx_sip_auth_res r1, r2;
	struct sx_sa src;
	int err;

	sx_sa_init(&src);
	CHECK(!sx_sa_parse(&src, SX_SL("127.0.0.1:5060")));
	if (sx_sip_credentials_parse(&cr, value))
		return;
	CHECK(!sx_sip_auth_alloc(&a, &p));
	struct sx_sip_auth_req req = {
	    .method = SX_SL("REGISTER"),
	    .ruri = SX_SL("sip:example.com"),
	    .cr = &cr,
	    .src = &src,
	    .now = FUZZ_T0 + (uint64_t)(flags >> F_CLOCK_SHIFT) * FUZZ_STEP_S,
	};
	err = sx_sip_auth_check(a, &req, &r1);
	CHECK(!err);
	check_res(&r1, p.proxy);
	err = sx_sip_auth_check(a, &req, &r2);
	CHECK(!err);
	check_res(&r2, p.proxy);
	/* a used nonce-count never authenticates twice */
	if (r1.result == SX_SIP_AUTH_OK && cr.qop.p)
		CHECK(r2.result == SX_SIP_AUTH_REPLAY);
	sx_mem_unref(a);
}

static void client(struct sx_sl value)
{
	struct sx_sip_challenge ch;
	struct sx_sip_auth_client c;
	struct sx_buf b;
	struct sx_sip_auth_client_prm cp = {
	    .username = SX_SL("alice"),
	    .password = SX_SL("wonderland"),
	    .method = SX_SL("REGISTER"),
	    .uri = SX_SL("sip:example.com"),
	};

	sx_sip_auth_client_init(&c);
	if (sx_sip_challenge_parse(&ch, value) ||
	    sx_sip_auth_client_set(&c, &ch, false))
		return;
	sx_buf_init(&b, 0);
	CHECK(!sx_sip_auth_client_authorize(&c, &cp, &b));
	CHECK(b.len > 0);
	sx_buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t blocks = sx_mem_blocks();
	struct sx_sl value;

	if (!size)
		return 0;
	value = sx_sl_make((const char *)data + 1, size - 1);
	server(data[0], value);
	client(value);
	CHECK(sx_mem_blocks() == blocks);
	return 0;
}
