/*
 * Authentication of local callers and asserted identity (RFC 3261 22.3
 * proxy authentication with 407 / Proxy-Authenticate / Proxy-
 * Authorization, RFC 3325 P-Asserted-Identity and Privacy: id).
 *
 * A dialog-creating or out-of-dialog INVITE, REFER, SUBSCRIBE, MESSAGE
 * or PUBLISH whose From is an address of our domain must carry valid
 * credentials for our realm, unless it comes from a trusted address
 * ([proxy] trusted: gateways, the media server).  The proxy consumes its
 * own credentials and asserts the authenticated user towards the
 * targets; identities asserted by anybody else but a trusted host are
 * dropped.
 */
#define SX_LOG_MOD "proxy"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sx/sip/hdrs.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "proxy_int.h"

/** Room for the Proxy-Authenticate lines of a 407 (two challenges). */
#define PX_CHALLENGE_MAX 1024u
/** Longest address in [proxy] trusted. */
#define PX_TRUSTED_ADDR_MAX 64u

/* -- set-up ---------------------------------------------------------------- */

static int trusted_add(struct sx_proxy *px, struct sx_sl addr)
{
	addr = sx_sl_trim(addr);
	if (!addr.len)
		return 0;
	if (addr.len >= 2 && addr.p[0] == '[' && addr.p[addr.len - 1] == ']')
		addr = sx_sl_sub(addr, 1, addr.len - 2);
	if (px->ntrusted >= SX_PROXY_TRUSTED_MAX ||
	    addr.len > PX_TRUSTED_ADDR_MAX ||
	    sx_sa_set_str(&px->trusted[px->ntrusted], addr, 0)) {
		SX_LOG_ERR("[proxy] trusted: bad or too many addresses "
		           "(at most %u IP addresses)",
		           SX_PROXY_TRUSTED_MAX);
		return -EINVAL;
	}
	px->ntrusted++;
	return 0;
}

static int trusted_parse(struct sx_proxy *px, const char *list)
{
	struct sx_sl rest = sx_sl_cstr(list);

	while (rest.len) {
		ssize_t comma = sx_sl_chr(rest, ',');
		size_t end = comma < 0 ? rest.len : (size_t)comma;
		int err = trusted_add(px, sx_sl_sub(rest, 0, end));
		if (err)
			return err;
		rest =
		    comma < 0 ? SX_SL_NULL : sx_sl_sub(rest, end + 1, rest.len);
	}
	return 0;
}

int px_auth_init(struct sx_proxy *px, const struct sx_proxy_prm *prm)
{
	int err = trusted_parse(px, prm->trusted);

	if (err || !prm->lookup)
		return err;
	const char *realm =
	    prm->realm && *prm->realm ? prm->realm : prm->domain;
	px->realm = sx_mem_strndup(realm, strlen(realm));
	if (!px->realm)
		return -ENOMEM;
	struct sx_sip_auth_prm ap = {
	    .realm = sx_sl_cstr(px->realm),
	    .proxy = true,
	    .lookup = prm->lookup,
	    .arg = prm->lookup_arg,
	    .md5_first = prm->md5_first,
	    .algs = prm->algs,
	    .secret = prm->secret,
	    .secret_len = prm->secret_len,
	};
	return sx_sip_auth_alloc(&px->auth, &ap);
}

bool px_is_trusted(const struct sx_proxy *px, const struct sx_sa *addr)
{
	for (size_t i = 0; i < px->ntrusted; i++)
		if (sx_sa_eq_addr(&px->trusted[i], addr))
			return true;
	return false;
}

/* -- 22.3 authentication --------------------------------------------------- */

static bool method_needs_auth(enum sx_sip_method m)
{
	return m == SX_SIP_METHOD_INVITE || m == SX_SIP_METHOD_REFER ||
	       m == SX_SIP_METHOD_SUBSCRIBE || m == SX_SIP_METHOD_MESSAGE ||
	       m == SX_SIP_METHOD_PUBLISH;
}

static bool needs_auth(const struct px_req *rq)
{
	const struct sx_sip_msg *msg = rq->msg;

	return rq->px->auth && !rq->trusted && !msg->to_tag.len &&
	       method_needs_auth(msg->method) &&
	       px_uri_in_domain(rq->px, &msg->from.uri, rq->peer);
}

static uint64_t wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

/* 407 with fresh challenges (stale=true after a stale or replayed nonce). */
static void challenge(const struct px_req *rq, bool stale, uint64_t now)
{
	struct sx_buf ch;
	int err;

	sx_buf_init(&ch, PX_CHALLENGE_MAX);
	err = sx_sip_auth_challenge_print(rq->px->auth, &rq->peer->remote, now,
	                                  stale, &ch);
	if (!err)
		err = sx_buf_err(&ch);
	if (err)
		px_reply(rq->stsx, 500, NULL, SX_SL_NULL);
	else
		px_reply(rq->stsx, 407, NULL, sx_buf_sl(&ch));
	sx_buf_fini(&ch);
}

bool px_authenticate(struct px_req *rq)
{
	struct sx_sip_auth_res res;
	uint64_t now = wall_now();
	int err;

	if (!needs_auth(rq))
		return false;
	err = sx_sip_auth_check_msg(rq->px->auth, rq->msg, &rq->peer->remote,
	                            now, &res);
	if (err) {
		SX_LOG_WARN_RL("credential lookup failed: %s", strerror(-err));
		px_reply(rq->stsx, 500, NULL, SX_SL_NULL);
		return true;
	}
	switch (res.status) {
	case 0:
		rq->authed = true;
		memcpy(rq->user, res.user, sizeof(rq->user));
		return false;
	case 401:
	case 407:
		challenge(rq, res.stale, now);
		return true;
	default: /* 400 malformed, 403 throttled */
		if (res.result == SX_SIP_AUTH_THROTTLED)
			SX_LOG_INFO_RL("authentication throttled for %us",
			               res.retry_after);
		px_reply(rq->stsx, res.status, NULL, SX_SL_NULL);
		return true;
	}
}

/* -- RFC 3325 identity ----------------------------------------------------- */

static void remove_id(struct sx_sip_edit *e, enum sx_sip_hdr_id id)
{
	for (size_t i = 0; i < e->nremove_id; i++)
		if (e->remove_id[i] == id)
			return;
	if (e->nremove_id < SX_SIP_EDIT_MAX)
		e->remove_id[e->nremove_id++] = id;
}

/* 22.3: the Proxy-Authorization fields for our realm are ours to consume. */
static void remove_our_credentials(const struct px_req *rq,
                                   struct sx_sip_edit *e)
{
	const struct sx_sip_msg *msg = rq->msg;
	struct sx_sl realm = sx_sl_cstr(rq->px->realm);

	for (const struct sx_sip_hdr *hd = NULL;
	     e->nremove < SX_SIP_EDIT_MAX &&
	     (hd = sx_sip_msg_hdr_next(msg, hd,
	                               SX_SIP_HDR_PROXY_AUTHORIZATION));) {
		struct sx_sip_credentials cr;
		if (!sx_sip_credentials_parse(&cr, hd->value) &&
		    cr.scheme == SX_SIP_AUTH_DIGEST &&
		    sx_sl_eq(cr.realm, realm))
			e->remove[e->nremove++] = hd;
	}
}

/* RFC 3323 4.2 / RFC 3325 7: "Privacy: id" (any field, any position). */
static bool privacy_id(const struct sx_sip_msg *msg)
{
	for (size_t i = 0; i < msg->nhdrs; i++) {
		const struct sx_sip_hdr *hd = &msg->hdrs[i];
		struct sx_sl rest = hd->value, tok;
		if (!sx_sl_eq_cstr_nocase(hd->name, "Privacy"))
			continue;
		while (rest.len) {
			ssize_t semi = sx_sl_chr(rest, ';');
			size_t end = semi < 0 ? rest.len : (size_t)semi;
			tok = sx_sl_trim(sx_sl_sub(rest, 0, end));
			if (sx_sl_eq_cstr_nocase(tok, "id"))
				return true;
			rest = semi < 0 ? SX_SL_NULL
			                : sx_sl_sub(rest, end + 1, rest.len);
		}
	}
	return false;
}

/* Is target @t inside our trust domain (our domain or a trusted hop)? */
static bool target_trusted(const struct px_req *rq, const struct px_target *t)
{
	struct sx_sip_uri uri;
	struct sx_sip_peer hop;

	if (t->uri.len && !sx_sip_uri_parse(&uri, t->uri)) {
		if (sx_sl_eq_cstr_nocase(uri.host, rq->px->domain))
			return true;
	} else if (!t->uri.len && sx_sl_eq_cstr_nocase(px_request_uri(rq)->host,
	                                               rq->px->domain)) {
		return true;
	}
	return !px_target_hop(rq, t, &hop) &&
	       px_is_trusted(rq->px, &hop.remote);
}

/* RFC 3261 25.1 user part: unreserved and user-unreserved kept. */
static size_t user_escape(struct sx_sl user, char *out, size_t cap)
{
	static const char keep[] = "-_.!~*'()&=+$,;?/";
	size_t n = 0;

	for (size_t i = 0; i < user.len; i++) {
		unsigned char c = (unsigned char)user.p[i];
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		             (c >= '0' && c <= '9') || (c && strchr(keep, c));
		int w = plain ? snprintf(out + n, cap - n, "%c", c)
		              : snprintf(out + n, cap - n, "%%%02X", c);
		if (w < 0 || (size_t)w >= cap - n)
			return 0;
		n += (size_t)w;
	}
	return n;
}

static void assert_identity(const struct px_req *rq, struct sx_sip_edit *e,
                            char *buf, size_t cap)
{
	char user[3 * SX_SIP_AUTH_MAX_USER_LEN + 1];
	size_t ulen = user_escape(sx_sl_cstr(rq->user), user, sizeof(user));
	int n = snprintf(buf, cap, "<sip:%.*s@%s>", (int)ulen, user,
	                 rq->px->domain);

	if (!ulen || n < 0 || (size_t)n >= cap || e->nadd >= SX_SIP_EDIT_MAX)
		return;
	e->add[e->nadd++] = (struct sx_sip_hdr_add){
	    SX_SL("P-Asserted-Identity"), sx_sl_make(buf, (size_t)n)};
}

void px_identity_edit(const struct px_req *rq, const struct px_target *t,
                      struct sx_sip_edit *e, char *buf, size_t cap)
{
	bool hide = privacy_id(rq->msg) && !target_trusted(rq, t);

	if (rq->px->auth)
		remove_our_credentials(rq, e);
	if (rq->authed) {
		remove_id(e, SX_SIP_HDR_P_ASSERTED_IDENTITY);
		remove_id(e, SX_SIP_HDR_P_PREFERRED_IDENTITY);
		if (!hide)
			assert_identity(rq, e, buf, cap);
	} else if (!rq->trusted || hide) {
		remove_id(e, SX_SIP_HDR_P_ASSERTED_IDENTITY);
	}
}
