/*
 * libFuzzer target for the authentication headers (sx/sip/hdrs.h; RFC
 * 3261 20.6-20.44, RFC 7616): Authorization / Proxy-Authorization,
 * WWW-Authenticate / Proxy-Authenticate, Authentication-Info, the raw
 * auth-param walk and quoted-string decoding.  The input is one header
 * value.  Result slices must lie inside it; decoding never grows.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <sx/sip/hdrs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

/** Decode buffer: small, so -E2BIG is exercised too. */
#define UNESC_CAP 64

static struct sx_sl in;

static bool inside(struct sx_sl s)
{
	return !s.len || (s.p >= in.p && s.len <= in.len &&
			  (size_t)(s.p - in.p) <= in.len - s.len);
}

/* A quoted-string's contents: decode and compare must agree. */
static void check_qstr(struct sx_sl s)
{
	char buf[UNESC_CAP];
	ssize_t n;

	CHECK(inside(s));
	n = sx_sip_qstr_unescape(s, buf, sizeof(buf));
	CHECK(n == -EBADMSG || n == -E2BIG || (n >= 0 && (size_t)n <= s.len));
	if (n >= 0)
		CHECK(sx_sip_qstr_eq(s, sx_sl_make(buf, (size_t)n)));
}

static void credentials(void)
{
	struct sx_sip_credentials cr;
	int rc = sx_sip_credentials_parse(&cr, in);

	CHECK(rc == 0 || rc == -EBADMSG || rc == -E2BIG);
	if (rc)
		return;
	CHECK(inside(cr.scheme_sl) && inside(cr.params));
	check_qstr(cr.username);
	check_qstr(cr.realm);
	check_qstr(cr.nonce);
	check_qstr(cr.uri);
	check_qstr(cr.response);
	check_qstr(cr.cnonce);
	check_qstr(cr.opaque);
	check_qstr(cr.qop);
	CHECK(inside(cr.algorithm_sl));
}

static void challenge(void)
{
	struct sx_sip_challenge ch;
	int rc = sx_sip_challenge_parse(&ch, in);

	CHECK(rc == 0 || rc == -EBADMSG || rc == -E2BIG);
	if (rc)
		return;
	check_qstr(ch.realm);
	check_qstr(ch.nonce);
	check_qstr(ch.opaque);
	check_qstr(ch.domain);
	check_qstr(ch.qop);
	rc = sx_sip_token_list_has(ch.qop, SX_SL("auth"));
	CHECK(rc == 0 || rc == 1 || rc == -EBADMSG || rc == -E2BIG);
}

static void auth_info(void)
{
	struct sx_sip_auth_info ai;
	int rc = sx_sip_auth_info_parse(&ai, in);

	CHECK(rc == 0 || rc == -EBADMSG || rc == -E2BIG);
	if (!rc) {
		check_qstr(ai.nextnonce);
		check_qstr(ai.rspauth);
	}
}

static void raw_params(void)
{
	struct sx_sip_auth_param_iter it;
	struct sx_sl name, val;
	unsigned n = 0;
	bool quoted;
	int rc;

	sx_sip_auth_param_iter_init(&it, in);
	while ((rc = sx_sip_auth_param_next(&it, &name, &val, &quoted)) == 1) {
		CHECK(++n <= SX_SIP_MAX_PARAMS);
		CHECK(sx_sip_is_token(name) && inside(val));
	}
	CHECK(rc == 0 || rc == -EBADMSG || rc == -E2BIG);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in = sx_sl_make((const char *)data, size);
	credentials();
	challenge();
	auth_info();
	raw_params();
	check_qstr(in);
	return 0;
}
