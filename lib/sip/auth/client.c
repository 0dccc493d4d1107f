/*
 * Digest authentication, client side (RFC 3261 22.2 and 22.3, RFC 7616
 * 3.4, RFC 8760 2.4): keep the accepted challenge, then build
 * Authorization / Proxy-Authorization values with a random cnonce and a
 * nonce-count that grows per request on the same nonce.  For our UAC
 * tools and the server tests.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth_int.h"

/** Rank of a challenge's algorithm: higher is preferred (RFC 8760). */
#define RANK_MD5    1
#define RANK_SHA256 2

void sx_sip_auth_client_init(struct sx_sip_auth_client *c)
{
	if (c)
		memset(c, 0, sizeof(*c));
}

/* Decode @in into @buf (@cap), length to *@lenp. */
static int copy_unq(struct sx_sl in, char *buf, size_t cap, size_t *lenp)
{
	ssize_t n = sx_sip_qstr_unescape(in, buf, cap);

	if (n < 0)
		return (int)n;
	*lenp = (size_t)n;
	return 0;
}

/* MD5 or SHA256 (NONE means MD5); anything else is not ours to answer. */
static int challenge_alg(const struct sx_sip_challenge *ch,
                         enum sx_sip_digest_alg *algp)
{
	int rc;

	if (ch->scheme != SX_SIP_AUTH_DIGEST)
		return -ENOTSUP;
	*algp = ch->alg == SX_SIP_ALG_NONE ? SX_SIP_ALG_MD5 : ch->alg;
	if (*algp != SX_SIP_ALG_MD5 && *algp != SX_SIP_ALG_SHA256)
		return -ENOTSUP;
	if (!ch->realm.p || !ch->nonce.p)
		return -EBADMSG;
	if (!ch->qop.p)
		return 0;
	rc = sx_sip_token_list_has(ch->qop, SX_SL("auth"));
	if (rc < 0)
		return -EBADMSG;
	return rc ? 0 : -ENOTSUP;
}

int sx_sip_auth_client_set(struct sx_sip_auth_client *c,
                           const struct sx_sip_challenge *ch, bool proxy)
{
	struct sx_sip_auth_client n;
	int err;

	if (!c || !ch)
		return -EINVAL;
	memset(&n, 0, sizeof(n));
	err = challenge_alg(ch, &n.alg);
	if (!err)
		err =
		    copy_unq(ch->realm, n.realm, sizeof(n.realm), &n.realm_len);
	if (!err)
		err =
		    copy_unq(ch->nonce, n.nonce, sizeof(n.nonce), &n.nonce_len);
	n.has_opaque = ch->opaque.p != NULL;
	if (!err && n.has_opaque)
		err = copy_unq(ch->opaque, n.opaque, sizeof(n.opaque),
		               &n.opaque_len);
	if (err)
		return err;
	n.proxy = proxy;
	n.qop = ch->qop.p != NULL;
	/* the same nonce again (e.g. a repeated challenge) keeps counting */
	if (n.nonce_len == c->nonce_len &&
	    !memcmp(n.nonce, c->nonce, n.nonce_len))
		n.nc = c->nc;
	*c = n;
	return 0;
}

static int rank_of(const struct sx_sip_challenge *ch)
{
	enum sx_sip_digest_alg alg;

	if (challenge_alg(ch, &alg))
		return 0;
	return alg == SX_SIP_ALG_SHA256 ? RANK_SHA256 : RANK_MD5;
}

int sx_sip_auth_client_set_msg(struct sx_sip_auth_client *c,
                               const struct sx_sip_msg *resp)
{
	const struct sx_sip_hdr *h = NULL, *best = NULL;
	struct sx_sip_challenge ch;
	enum sx_sip_hdr_id id;
	int best_rank = 0;
	bool proxy;

	if (!c || !resp || resp->is_request ||
	    (resp->status != 401 && resp->status != 407))
		return -EINVAL;
	proxy = resp->status == 407;
	id =
	    proxy ? SX_SIP_HDR_PROXY_AUTHENTICATE : SX_SIP_HDR_WWW_AUTHENTICATE;
	while ((h = sx_sip_msg_hdr_next(resp, h, id))) {
		int rank;
		if (sx_sip_challenge_parse(&ch, h->value))
			continue;
		rank = rank_of(&ch);
		if (rank > best_rank) {
			best_rank = rank;
			best = h;
		}
	}
	if (!best || sx_sip_challenge_parse(&ch, best->value))
		return -ENOENT;
	return sx_sip_auth_client_set(c, &ch, proxy) ? -ENOENT : 0;
}

const char *sx_sip_auth_client_hdr_name(const struct sx_sip_auth_client *c)
{
	return c && c->proxy ? "Proxy-Authorization" : "Authorization";
}

/* HA1 from the store or from the password, into @out. */
static int client_ha1(const struct sx_sip_auth_client *c,
                      const struct sx_sip_auth_client_prm *prm, char *out)
{
	size_t want = sx_sip_auth__hex_len(c->alg);
	const char *h;

	if (prm->ha1) {
		h = c->alg == SX_SIP_ALG_SHA256 ? prm->ha1->ha1_sha256
		                                : prm->ha1->ha1_md5;
		if (strnlen(h, want + 1) != want)
			return -EINVAL;
		memcpy(out, h, want + 1);
		return 0;
	}
	if (!prm->password.p)
		return -EINVAL;
	return sx_sip_auth_ha1_hex(c->alg, prm->username,
	                           sx_sl_make(c->realm, c->realm_len),
	                           prm->password, out, SX_AUTH_HEX_MAX);
}

/* The caller's cnonce, or SX_SIP_AUTH_CNONCE_BYTES random ones in hex. */
static int make_cnonce(const struct sx_sip_auth_client_prm *prm, char *buf,
                       struct sx_sl *cnoncep)
{
	uint8_t rnd[SX_SIP_AUTH_CNONCE_BYTES];
	int err;

	if (prm->cnonce.p) {
		*cnoncep = prm->cnonce;
		return 0;
	}
	err = sx_sip_auth__random(rnd, sizeof(rnd));
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(buf + 2 * i, 3, "%02x", rnd[i]);
	*cnoncep = sx_sl_make(buf, 2 * sizeof(rnd));
	return 0;
}

/* KD(HA1, nonce[:nc:cnonce:qop]:HA2) in hex. */
static int client_response(const struct sx_sip_auth_client *c,
                           const struct sx_sip_auth_client_prm *prm,
                           struct sx_sl ha1, struct sx_sl nc,
                           struct sx_sl cnonce, char *out)
{
	const struct sx_sip_auth_digest in = {
	    .alg = c->alg,
	    .ha1 = ha1,
	    .nonce = sx_sl_make(c->nonce, c->nonce_len),
	    .nc = c->qop ? nc : SX_SL_NULL,
	    .cnonce = cnonce,
	    .qop = SX_SL("auth"),
	    .method = prm->method,
	    .uri = prm->uri,
	};

	return sx_sip_auth_response_hex(&in, out, SX_AUTH_HEX_MAX);
}

static void put_param(struct sx_buf *b, const char *name, struct sx_sl v)
{
	sx_buf_printf(b, ", %s=", name);
	sx_sip_auth__put_qstr(b, v);
}

static void print_value(const struct sx_sip_auth_client *c,
                        const struct sx_sip_auth_client_prm *prm,
                        const char *resp, struct sx_sl nc, struct sx_sl cnonce,
                        struct sx_buf *b)
{
	sx_buf_put_cstr(b, "Digest username=");
	sx_sip_auth__put_qstr(b, prm->username);
	put_param(b, "realm", sx_sl_make(c->realm, c->realm_len));
	put_param(b, "nonce", sx_sl_make(c->nonce, c->nonce_len));
	put_param(b, "uri", prm->uri);
	put_param(b, "response", sx_sl_cstr(resp));
	sx_buf_printf(b, ", algorithm=%s", sx_sip_auth__alg_name(c->alg));
	if (c->qop) {
		put_param(b, "cnonce", cnonce);
		sx_buf_printf(b, ", qop=auth, nc=%.*s", SX_SL_FMT(nc));
	}
	if (c->has_opaque)
		put_param(b, "opaque", sx_sl_make(c->opaque, c->opaque_len));
}

int sx_sip_auth_client_authorize(struct sx_sip_auth_client *c,
                                 const struct sx_sip_auth_client_prm *prm,
                                 struct sx_buf *out)
{
	char ha1[SX_AUTH_HEX_MAX], resp[SX_AUTH_HEX_MAX];
	char ncbuf[9], cbuf[2 * SX_SIP_AUTH_CNONCE_BYTES + 1];
	struct sx_sl cnonce = SX_SL_NULL;
	int err;

	if (!c || !prm || !out || c->alg == SX_SIP_ALG_NONE)
		return -EINVAL;
	if (c->nc == UINT32_MAX)
		return -EOVERFLOW;
	snprintf(ncbuf, sizeof(ncbuf), "%08x", c->nc + 1);
	err = client_ha1(c, prm, ha1);
	if (!err && c->qop)
		err = make_cnonce(prm, cbuf, &cnonce);
	if (!err)
		err = client_response(
		    c, prm, sx_sl_make(ha1, sx_sip_auth__hex_len(c->alg)),
		    sx_sl_make(ncbuf, 8), cnonce, resp);
	OPENSSL_cleanse(ha1, sizeof(ha1));
	if (err)
		return err;
	print_value(c, prm, resp, sx_sl_make(ncbuf, 8), cnonce, out);
	err = sx_buf_err(out);
	if (!err)
		c->nc++;
	return err;
}
