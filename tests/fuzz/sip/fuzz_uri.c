/*
 * libFuzzer target for the URI parser (RFC 3261 19.1, 25.1; RFC 3966;
 * RFC 5118/5954 IPv6).  Each input is parsed as a URI and as a host:port.
 * A parsed URI must then hold:
 *  - every slice inside the input;
 *  - equality with itself (RFC 3261 19.1.4 comparison is reflexive);
 *  - its params walk cleanly (they were validated) and its user unescapes;
 *  - its host alone parses as a host:port of the same type.
 * Any violation calls abort() so libFuzzer keeps the input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <sx/sip/uri.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

/* Inside the input, with both ends read so ASan sees a bad slice. */
static bool inside(struct sx_sl s, const char *p, size_t len)
{
	if (!s.len)
		return true;
	sink += (unsigned char)s.p[0] + (unsigned char)s.p[s.len - 1];
	return s.p >= p && s.len <= len && (size_t)(s.p - p) <= len - s.len;
}

static void check_uri(const struct sx_sip_uri *u, const char *p, size_t len)
{
	const struct sx_sl parts[] = {u->scheme_sl, u->user,   u->password,
	                              u->host,      u->params, u->headers,
	                              u->opaque,    u->raw};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		CHECK(inside(parts[i], p, len));
	CHECK(sx_sip_uri_eq(u, u));

	struct sx_sip_param_iter it;
	struct sx_sl n, v;
	int rc;
	sx_sip_param_iter_init(&it, u->params);
	while ((rc = sx_sip_param_next(&it, &n, &v)) == 1)
		CHECK(inside(n, p, len) && inside(v, p, len));
	CHECK(rc == 0);

	char buf[SX_SIP_MAX_URI_LEN];
	CHECK(sx_sip_unescape(u->user, buf, sizeof(buf)) >= 0);

	if (u->host.len) {
		struct sx_sip_uri hp;
		CHECK(sx_sip_hostport_parse(&hp, u->host) == 0);
		CHECK(hp.host_type == u->host_type && !hp.has_port);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct sx_sl s = sx_sl_make(p, size);
	struct sx_sip_uri u;

	int rc = sx_sip_uri_parse(&u, s);
	CHECK(rc == 0 || rc == -EBADMSG || rc == -E2BIG);
	if (rc == 0)
		check_uri(&u, p, size);

	rc = sx_sip_hostport_parse(&u, s);
	CHECK(rc == 0 || rc == -EBADMSG);
	if (rc == 0)
		CHECK(inside(u.host, p, size) && u.host.len &&
		      u.host_type != SX_SIP_HOST_NONE);
	return 0;
}
