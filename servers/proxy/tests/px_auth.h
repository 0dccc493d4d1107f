/*
 * Helpers of the proxy authentication tests (RFC 3261 22.3): the fixture
 * of px_fixture.h with a proxy that authenticates alice and bob
 * (password "secret", realm example.com), and a caller that answers
 * 407 challenges.
 */
#ifndef SX_TEST_PX_AUTH_H
#define SX_TEST_PX_AUTH_H

#include <sx/sip/auth.h>
#include <sx/sip/hdrs.h>

#include "proxy_int.h"
#include "px_fixture.h"

#define AUTH_REALM "example.com"

static inline int lookup(struct sx_sl user, struct sx_sl realm,
                         struct sx_sip_auth_ha1 *ha1p, void *arg)
{
	(void)arg;
	if (!sx_sl_eq_cstr(user, "alice") && !sx_sl_eq_cstr(user, "bob"))
		return -ENOENT;
	return sx_sip_auth_ha1_compute(ha1p, user, realm, SX_SL("secret"));
}

/* The fixture with a proxy of ours: @pp completed with the fixture's
 * domain, registrar and our lookup. */
static inline int auth_init_prm(struct sx_proxy_prm *pp)
{
	int err = px_init();
	if (err)
		return err;
	sx_mem_unref(P.px);
	P.px = NULL;
	pp->domain = "example.com";
	pp->reg = P.reg;
	pp->record_route = true;
	pp->lookup = lookup;
	return sx_proxy_alloc(&P.px, pp);
}

/* The fixture with an authenticating proxy; @trusted as [proxy] trusted. */
static inline int auth_init(const char *trusted)
{
	struct sx_proxy_prm pp = {.md5_first = true, .trusted = trusted};
	return auth_init_prm(&pp);
}

/* A request from @from (tag "a") to @ruri on a new transaction. */
static inline int send_from(const char *m, const char *from, const char *ruri,
                            const char *hdrs, unsigned cseq)
{
	char buf[PX_MSG];
	unsigned id = ++P.seq;
	int n = snprintf(buf, sizeof(buf),
	                 "%s %s SIP/2.0\r\n" CALLER_VIA "Max-Forwards: 70\r\n"
	                 "From: <%s>;tag=a\r\nTo: <%s>\r\n"
	                 "Call-ID: auth%u@px\r\nCSeq: %u %s\r\n%s"
	                 "Content-Length: 0\r\n\r\n",
	                 m, ruri, id, from, ruri, id, cseq, m, hdrs);
	return b_send_wait(buf, n);
}

/* Answer the 407 @resp for @user / @pass: a Proxy-Authorization line. */
static inline int answer_407(const struct sx_sip_msg *resp, const char *user,
                             const char *pass, const char *ruri,
                             const char *method, char *line, size_t cap)
{
	struct sx_sip_auth_client c;
	struct sx_buf v;
	int err;

	sx_sip_auth_client_init(&c);
	err = sx_sip_auth_client_set_msg(&c, resp);
	if (err)
		return err;
	struct sx_sip_auth_client_prm cp = {.username = sx_sl_cstr(user),
	                                    .password = sx_sl_cstr(pass),
	                                    .method = sx_sl_cstr(method),
	                                    .uri = sx_sl_cstr(ruri)};
	sx_buf_init(&v, PX_MSG);
	err = sx_sip_auth_client_authorize(&c, &cp, &v);
	if (!err)
		err = sx_buf_err(&v);
	int n = err ? 0
	            : snprintf(line, cap, "%s: %.*s\r\n",
	                       sx_sip_auth_client_hdr_name(&c),
	                       SX_SL_FMT(sx_buf_sl(&v)));
	sx_buf_fini(&v);
	if (!err && (n < 0 || (size_t)n >= cap))
		err = -E2BIG;
	return err;
}

/* @m from @from to @ruri, challenged, then sent again with @user /
 * @pass and @hdrs; leaves the answer (or the forwarded request) last. */
static inline int request_as(const char *m, const char *from, const char *ruri,
                             const char *user, const char *pass,
                             const char *hdrs)
{
	char h[PX_MSG / 2], cred[PX_MSG / 4];
	int err = send_from(m, from, ruri, hdrs, 1);
	if (err)
		return err;
	if (last()->status != 407)
		return -EPROTO;
	err = answer_407(last(), user, pass, ruri, m, cred, sizeof(cred));
	if (err)
		return err;
	snprintf(h, sizeof(h), "%s%s", cred, hdrs);
	return send_from(m, from, ruri, h, 2);
}

/* INVITE from alice to bob as @user / @pass. */
static inline int invite_as(const char *user, const char *pass,
                            const char *hdrs)
{
	return request_as("INVITE", "sip:alice@example.com",
	                  "sip:bob@example.com", user, pass, hdrs);
}

#endif
