/*
 * Checking digest credentials (RFC 3261 22.4, RFC 2617 3.2.2, RFC 7616
 * 3.4): realm, syntax, algorithm, digest-uri against the Request-URI
 * (RFC 2617 3.2.2.5), opaque, the stateless nonce, and
 *
 *   response = KD(HA1, nonce ":" nc ":" cnonce ":" qop ":" HA2)
 *   HA2      = H(method ":" digest-uri)
 *
 * (or KD(HA1, nonce ":" HA2) for RFC 2069 peers when allowed), compared
 * in constant time.  Unknown users run the same computation against a
 * dummy HA1 so that neither the answer nor its cost tells them apart.
 */
#define SX_LOG_MOD "sip.auth"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include <sx/util/log.h>

#include "auth_int.h"

/** Longest qop value we look at ("auth"; anything longer is refused). */
#define QOP_MAX 16
/** nonce-count: 8 hex digits (RFC 7616 3.4 nc-value). */
#define NC_LEN 8

/** The directives of one credentials field, decoded. */
struct digest {
	struct sx_sl user, nonce, uri, cnonce, qop, nc, response;
	enum sx_sip_digest_alg alg;
	char user_buf[SX_SIP_AUTH_MAX_USER_LEN];
	char nonce_buf[SX_SIP_AUTH_MAX_NONCE_LEN];
	char uri_buf[SX_SIP_MAX_URI_LEN];
	char cnonce_buf[SX_SIP_AUTH_MAX_CNONCE_LEN];
	char qop_buf[QOP_MAX];
	char resp_buf[SX_AUTH_HEX_MAX]; /**< the response, lowercased */
};

static void finish(const struct sx_sip_auth *a, struct sx_sip_auth_res *res,
                   enum sx_sip_auth_result r)
{
	res->result = r;
	res->stale = r == SX_SIP_AUTH_STALE || r == SX_SIP_AUTH_REPLAY;
	switch (r) {
	case SX_SIP_AUTH_OK:
		res->status = 0;
		break;
	case SX_SIP_AUTH_MALFORMED:
		res->status = 400;
		break;
	case SX_SIP_AUTH_THROTTLED:
		res->status = 403;
		break;
	default:
		res->status = a->proxy ? 407 : 401;
		break;
	}
}

/* Decode quoted-string contents (or a token) into @buf. */
static bool unq(struct sx_sl in, char *buf, size_t cap, struct sx_sl *outp)
{
	ssize_t n = sx_sip_qstr_unescape(in, buf, cap);

	if (n < 0)
		return false;
	*outp = sx_sl_make(buf, (size_t)n);
	return true;
}

/* The nc directive as written (the hash uses it verbatim). */
static struct sx_sl raw_nc(struct sx_sl params)
{
	struct sx_sip_auth_param_iter it;
	struct sx_sl name, val;

	sx_sip_auth_param_iter_init(&it, params);
	while (sx_sip_auth_param_next(&it, &name, &val, NULL) == 1)
		if (sx_sl_eq_cstr_nocase(name, "nc"))
			return val;
	return SX_SL_NULL;
}

/* The mandatory directives, decoded (false: MALFORMED). */
static bool decode(const struct sx_sip_credentials *cr, struct digest *d)
{
	if (!cr->username.p || !cr->nonce.p || !cr->uri.p || !cr->response.p)
		return false;
	if (!unq(cr->username, d->user_buf, sizeof(d->user_buf), &d->user) ||
	    !unq(cr->nonce, d->nonce_buf, sizeof(d->nonce_buf), &d->nonce) ||
	    !unq(cr->uri, d->uri_buf, sizeof(d->uri_buf), &d->uri))
		return false;
	d->alg = cr->alg;
	if (cr->cnonce.p &&
	    !unq(cr->cnonce, d->cnonce_buf, sizeof(d->cnonce_buf), &d->cnonce))
		return false;
	if (cr->qop.p && !unq(cr->qop, d->qop_buf, sizeof(d->qop_buf), &d->qop))
		return false;
	if (cr->has_nc)
		d->nc = raw_nc(cr->params);
	return true;
}

/* RFC 7616 3.4: qop=auth needs nc (from 1) and cnonce; no qop needs
 * neither.  Returns MALFORMED, BAD (qop we did not offer) or OK. */
static enum sx_sip_auth_result check_qop(const struct sx_sip_auth *a,
                                         const struct sx_sip_credentials *cr,
                                         const struct digest *d)
{
	if (!d->qop.p) {
		if (cr->has_nc || cr->cnonce.p)
			return SX_SIP_AUTH_MALFORMED;
		return a->allow_no_qop ? SX_SIP_AUTH_OK : SX_SIP_AUTH_BAD;
	}
	if (!cr->has_nc || !cr->nc || d->nc.len != NC_LEN || !d->cnonce.len)
		return SX_SIP_AUTH_MALFORMED;
	return sx_sl_eq_cstr_nocase(d->qop, "auth") ? SX_SIP_AUTH_OK
	                                            : SX_SIP_AUTH_BAD;
}

/* The response must be the algorithm's hex length; lowercase it. */
static bool response_syntax(const struct sx_sip_credentials *cr,
                            struct digest *d)
{
	size_t len = sx_sip_auth__hex_len(d->alg);
	struct sx_sl r = cr->response;

	if (r.len != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int v = sx_hexval((unsigned char)r.p[i]);
		if (v < 0)
			return false;
		d->resp_buf[i] = "0123456789abcdef"[v];
	}
	d->resp_buf[len] = '\0';
	d->response = sx_sl_make(d->resp_buf, len);
	return true;
}

/* RFC 2617 3.2.2.5: the digest-uri names the Request-URI.  Bytewise
 * after trimming LWS, else RFC 3261 19.1.4 equality of SIP URIs. */
static bool uri_matches(struct sx_sl duri, struct sx_sl ruri)
{
	struct sx_sip_uri u1, u2;

	duri = sx_sl_trim(duri);
	ruri = sx_sl_trim(ruri);
	if (sx_sl_eq(duri, ruri))
		return true;
	if (sx_sip_uri_parse(&u1, duri) || sx_sip_uri_parse(&u2, ruri))
		return false;
	if (u1.scheme != SX_SIP_URI_SIP && u1.scheme != SX_SIP_URI_SIPS)
		return false;
	return sx_sip_uri_eq(&u1, &u2);
}

static bool alg_enabled(const struct sx_sip_auth *a, enum sx_sip_digest_alg alg)
{
	if (alg == SX_SIP_ALG_SHA256)
		return a->algs & SX_SIP_AUTH_F_SHA256;
	if (alg == SX_SIP_ALG_MD5 || alg == SX_SIP_ALG_NONE)
		return a->algs & SX_SIP_AUTH_F_MD5;
	return false;
}

/* The user's HA1 for the algorithm, or the dummy one.  -ENOENT is not
 * an error: unknown users take the dummy path like everyone else. */
static int ha1_of(struct sx_sip_auth *a, const struct digest *d,
                  struct sx_sl *ha1p, struct sx_sip_auth_ha1 *store)
{
	bool sha = d->alg == SX_SIP_ALG_SHA256;
	size_t want = sx_sip_auth__hex_len(d->alg);
	int err = a->lookup(d->user, sx_sl_make(a->realm, a->realm_len), store,
	                    a->arg);
	const char *h;

	if (err && err != -ENOENT) {
		SX_LOG_WARN_RL("credential lookup failed: %s", strerror(-err));
		return err;
	}
	if (err)
		*store = a->dummy;
	h = sha ? store->ha1_sha256 : store->ha1_md5;
	/* no HA1 for this algorithm: it cannot match, like a wrong one */
	if (strnlen(h, want + 1) != want)
		h = sha ? a->dummy.ha1_sha256 : a->dummy.ha1_md5;
	*ha1p = sx_sl_make(h, want);
	return 0;
}

/* Response right for this user?  (*okp; error only from lookup/crypto) */
static int response_ok(struct sx_sip_auth *a, const struct sx_sip_auth_req *req,
                       const struct digest *d, bool *okp)
{
	struct sx_sip_auth_ha1 store;
	char want[SX_AUTH_HEX_MAX];
	struct sx_sl ha1;
	int err = ha1_of(a, d, &ha1, &store);

	if (!err) {
		const struct sx_sip_auth_digest in = {
		    .alg = d->alg,
		    .ha1 = ha1,
		    .nonce = d->nonce,
		    .nc = d->qop.p ? d->nc : SX_SL_NULL,
		    .cnonce = d->cnonce,
		    .qop = d->qop,
		    .method = req->method,
		    .uri = d->uri,
		};
		err = sx_sip_auth_response_hex(&in, want, sizeof(want));
	}
	if (!err)
		*okp = !CRYPTO_memcmp(want, d->response.p, d->response.len);
	OPENSSL_cleanse(&store, sizeof(store));
	return err;
}

/* Syntax and policy before any secret is touched. */
static enum sx_sip_auth_result precheck(const struct sx_sip_auth *a,
                                        const struct sx_sip_auth_req *req,
                                        struct digest *d)
{
	const struct sx_sip_credentials *cr = req->cr;
	enum sx_sip_auth_result r;

	if (!decode(cr, d))
		return SX_SIP_AUTH_MALFORMED;
	if (!alg_enabled(a, d->alg) || cr->userhash)
		return SX_SIP_AUTH_BAD;
	if (!response_syntax(cr, d) || !uri_matches(d->uri, req->ruri))
		return SX_SIP_AUTH_MALFORMED;
	r = check_qop(a, cr, d);
	if (r != SX_SIP_AUTH_OK)
		return r;
	if (a->opaque &&
	    !(cr->opaque.p &&
	      sx_sip_qstr_eq(cr->opaque, sx_sl_cstr(a->opaque_val))))
		return SX_SIP_AUTH_BAD;
	return SX_SIP_AUTH_OK;
}

static bool ours(const struct sx_sip_auth *a,
                 const struct sx_sip_credentials *cr)
{
	return cr && cr->scheme == SX_SIP_AUTH_DIGEST && cr->realm.p &&
	       sx_sip_qstr_eq(cr->realm, sx_sl_make(a->realm, a->realm_len));
}

/* After the digest proved right: stale nonce, replay, or success. */
static enum sx_sip_auth_result settle(struct sx_sip_auth *a,
                                      const struct sx_sip_auth_req *req,
                                      const struct digest *d,
                                      enum sx_auth_nonce_state ns, uint64_t ts,
                                      const uint8_t *nkey)
{
	uint8_t key[SX_AUTH_KEY_LEN];

	if (ns == SX_AUTH_NONCE_EXPIRED)
		return SX_SIP_AUTH_STALE;
	if (d->qop.p && !sx_sip_auth__nc_accept(a, nkey, ts, req->cr->nc))
		return SX_SIP_AUTH_REPLAY;
	if (!sx_sip_auth__src_key(a, req->src, key))
		sx_sip_auth__thr_clear(&a->thr_src, key);
	if (!sx_sip_auth__user_key(a, d->user, key))
		sx_sip_auth__thr_clear(&a->thr_user, key);
	return SX_SIP_AUTH_OK;
}

static void fail(struct sx_sip_auth *a, const struct sx_sip_auth_req *req,
                 const struct digest *d)
{
	uint8_t key[SX_AUTH_KEY_LEN];

	if (!sx_sip_auth__src_key(a, req->src, key))
		sx_sip_auth__thr_fail(a, &a->thr_src, key, req->now);
	if (!sx_sip_auth__user_key(a, d->user, key))
		sx_sip_auth__thr_fail(a, &a->thr_user, key, req->now);
}

/* Seconds the key of @src / @user stays blocked (0: not blocked). */
static uint32_t blocked_src(struct sx_sip_auth *a,
                            const struct sx_sip_auth_req *req)
{
	uint8_t key[SX_AUTH_KEY_LEN];

	if (sx_sip_auth__src_key(a, req->src, key))
		return 0;
	return sx_sip_auth__thr_blocked(&a->thr_src, key, req->now);
}

static uint32_t blocked_user(struct sx_sip_auth *a, struct sx_sl user,
                             uint64_t now)
{
	uint8_t key[SX_AUTH_KEY_LEN];

	if (sx_sip_auth__user_key(a, user, key))
		return 0;
	return sx_sip_auth__thr_blocked(&a->thr_user, key, now);
}

/* Everything after the throttle and realm gates. */
static int verify(struct sx_sip_auth *a, const struct sx_sip_auth_req *req,
                  struct digest *d, struct sx_sip_auth_res *res)
{
	enum sx_sip_auth_result r = precheck(a, req, d);
	enum sx_auth_nonce_state ns;
	uint8_t nkey[SX_AUTH_KEY_LEN];
	uint64_t ts = 0;
	bool ok = false;
	int err;

	res->alg = d->alg;
	if (r == SX_SIP_AUTH_MALFORMED)
		goto out;
	res->retry_after = blocked_user(a, d->user, req->now);
	if (res->retry_after) {
		r = SX_SIP_AUTH_THROTTLED;
		goto out;
	}
	if (r != SX_SIP_AUTH_OK)
		goto out;
	ns = sx_sip_auth__nonce_check(a, d->nonce, req->src, req->now, &ts,
	                              nkey);
	if (ns == SX_AUTH_NONCE_INVALID) {
		r = SX_SIP_AUTH_BAD;
		goto out;
	}
	err = response_ok(a, req, d, &ok);
	if (err)
		return err;
	if (!ok) {
		fail(a, req, d);
		r = SX_SIP_AUTH_BAD;
		goto out;
	}
	r = settle(a, req, d, ns, ts, nkey);
	if (r == SX_SIP_AUTH_OK) {
		memcpy(res->user, d->user.p, d->user.len);
		res->user[d->user.len] = '\0';
	}
out:
	finish(a, res, r);
	return 0;
}

int sx_sip_auth_check(struct sx_sip_auth *a, const struct sx_sip_auth_req *req,
                      struct sx_sip_auth_res *res)
{
	struct digest d;

	if (!a || !req || !res)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	res->retry_after = blocked_src(a, req);
	if (res->retry_after) {
		finish(a, res, SX_SIP_AUTH_THROTTLED);
		return 0;
	}
	/* credentials for another realm belong to someone else (22.3) */
	if (!ours(a, req->cr)) {
		finish(a, res, SX_SIP_AUTH_NO_CREDENTIALS);
		return 0;
	}
	memset(&d, 0, sizeof(d));
	return verify(a, req, &d, res);
}

int sx_sip_auth_check_msg(struct sx_sip_auth *a, const struct sx_sip_msg *msg,
                          const struct sx_sa *src, uint64_t now,
                          struct sx_sip_auth_res *res)
{
	enum sx_sip_hdr_id id;
	const struct sx_sip_hdr *h = NULL;
	struct sx_sip_credentials cr;
	struct sx_sip_auth_req req;
	bool broken = false, found = false;
	int err;

	if (!a || !msg || !res || !msg->is_request)
		return -EINVAL;
	id = a->proxy ? SX_SIP_HDR_PROXY_AUTHORIZATION
	              : SX_SIP_HDR_AUTHORIZATION;
	while (!found && (h = sx_sip_msg_hdr_next(msg, h, id))) {
		if (sx_sip_credentials_parse(&cr, h->value))
			broken = true;
		else
			found = ours(a, &cr);
	}
	req = (struct sx_sip_auth_req){
	    .method = msg->method_sl,
	    .ruri = msg->ruri_sl,
	    .cr = found ? &cr : NULL,
	    .src = src,
	    .now = now,
	};
	err = sx_sip_auth_check(a, &req, res);
	/* a field we could not read may have been ours: 400, not 401 */
	if (!err && broken && res->result == SX_SIP_AUTH_NO_CREDENTIALS)
		finish(a, res, SX_SIP_AUTH_MALFORMED);
	return err;
}
