/*
 * The digest authenticator object and its challenges (RFC 3261 22.2 and
 * 22.3, RFC 7616 3.3 and 3.7, RFC 8760 2.4): configuration, the server
 * secret, WWW-Authenticate / Proxy-Authenticate fields offering SHA-256
 * then MD5, and the 400 / 401 / 403 / 407 replies.  Checking credentials
 * is in verify.c.
 */
#define SX_LOG_MOD "sip.auth"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include <sx/sip/print.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "auth_int.h"

/** Domain separation of the opaque MAC. */
#define OPAQUE_TAG "sx-opaque-1"
/** Random bytes behind the dummy HA1 of unknown users. */
#define DUMMY_SEED_LEN 32
/** Cap on one reply's extra header bytes (two challenges). */
#define CHALLENGE_BUF_MAX 2048

static void auth_destroy(void *obj)
{
	struct sx_sip_auth *a = obj;

	sx_sip_auth__lru_fini(&a->nc);
	sx_sip_auth__lru_fini(&a->thr_src);
	sx_sip_auth__lru_fini(&a->thr_user);
	OPENSSL_cleanse(a->secret, sizeof(a->secret));
}

/* Printable ASCII only: the realm goes into header fields. */
static bool realm_ok(struct sx_sl realm)
{
	if (!realm.len || realm.len > SX_SIP_AUTH_MAX_REALM_LEN)
		return false;
	for (size_t i = 0; i < realm.len; i++)
		if ((unsigned char)realm.p[i] < 0x20 || realm.p[i] == 0x7f)
			return false;
	return true;
}

static bool prm_ok(const struct sx_sip_auth_prm *prm)
{
	if (!prm->lookup || !realm_ok(prm->realm))
		return false;
	if (prm->algs & ~(unsigned)(SX_SIP_AUTH_F_SHA256 | SX_SIP_AUTH_F_MD5))
		return false;
	return !prm->secret || (prm->secret_len >= SX_SIP_AUTH_SECRET_MIN &&
	                        prm->secret_len <= SX_SIP_AUTH_SECRET_MAX);
}

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

static void configure(struct sx_sip_auth *a, const struct sx_sip_auth_prm *prm)
{
	memcpy(a->realm, prm->realm.p, prm->realm.len);
	a->realm_len = prm->realm.len;
	a->proxy = prm->proxy;
	a->bind_source = prm->bind_source;
	a->opaque = prm->opaque;
	a->allow_no_qop = prm->allow_no_qop;
	a->md5_first = prm->md5_first;
	a->algs =
	    prm->algs ? prm->algs : SX_SIP_AUTH_F_SHA256 | SX_SIP_AUTH_F_MD5;
	a->lifetime_s =
	    or_default(prm->nonce_lifetime_s, SX_SIP_AUTH_NONCE_LIFETIME_S);
	a->thr_fails =
	    or_default(prm->throttle_fails, SX_SIP_AUTH_THROTTLE_FAILS);
	a->thr_window_s =
	    or_default(prm->throttle_window_s, SX_SIP_AUTH_THROTTLE_WINDOW_S);
	a->thr_max_s =
	    or_default(prm->throttle_max_s, SX_SIP_AUTH_THROTTLE_MAX_S);
	a->lookup = prm->lookup;
	a->arg = prm->arg;
}

static int secret_init(struct sx_sip_auth *a, const struct sx_sip_auth_prm *prm)
{
	if (prm->secret) {
		memcpy(a->secret, prm->secret, prm->secret_len);
		a->secret_len = prm->secret_len;
		return 0;
	}
	a->secret_len = SX_SIP_AUTH_SECRET_LEN;
	return sx_sip_auth__random(a->secret, a->secret_len);
}

/* An HA1 nobody knows: unknown users are checked against it. */
static int dummy_init(struct sx_sip_auth *a)
{
	uint8_t seed[DUMMY_SEED_LEN] = {0};
	struct sx_sl part = sx_sl_make((const char *)seed, sizeof(seed));
	int err = sx_sip_auth__random(seed, sizeof(seed));

	if (!err)
		err = sx_sip_auth__hash_hex(SX_SIP_ALG_MD5, &part, 1,
		                            a->dummy.ha1_md5);
	if (!err)
		err = sx_sip_auth__hash_hex(SX_SIP_ALG_SHA256, &part, 1,
		                            a->dummy.ha1_sha256);
	return err;
}

/* Same secret and realm, same opaque: every node agrees on it. */
static int opaque_init(struct sx_sip_auth *a)
{
	uint8_t in[sizeof(OPAQUE_TAG) + SX_SIP_AUTH_MAX_REALM_LEN];
	uint8_t mac[SX_AUTH_MAC_LEN];
	int err;

	memcpy(in, OPAQUE_TAG, sizeof(OPAQUE_TAG));
	memcpy(in + sizeof(OPAQUE_TAG), a->realm, a->realm_len);
	err = sx_sip_auth__hmac(a->secret, a->secret_len, in,
	                        sizeof(OPAQUE_TAG) + a->realm_len, mac);
	if (!err)
		a->opaque_val[sx_sip_auth__b64url_enc(
		    mac, SX_AUTH_OPAQUE_RAW_LEN, a->opaque_val)] = '\0';
	return err;
}

static int tables_init(struct sx_sip_auth *a, const struct sx_sip_auth_prm *prm)
{
	uint32_t nthr =
	    or_default(prm->throttle_entries, SX_SIP_AUTH_THROTTLE_ENTRIES);
	int err = sx_sip_auth__lru_init(
	    &a->nc, or_default(prm->nc_entries, SX_SIP_AUTH_NC_ENTRIES));

	if (!err)
		err = sx_sip_auth__lru_init(&a->thr_src, nthr);
	if (!err)
		err = sx_sip_auth__lru_init(&a->thr_user, nthr);
	return err;
}

int sx_sip_auth_alloc(struct sx_sip_auth **authp,
                      const struct sx_sip_auth_prm *prm)
{
	struct sx_sip_auth *a;
	int err;

	if (!authp || !prm || !prm_ok(prm))
		return -EINVAL;
	a = sx_mem_zalloc(sizeof(*a), auth_destroy);
	if (!a)
		return -ENOMEM;
	configure(a, prm);
	err = secret_init(a, prm);
	if (!err)
		err = dummy_init(a);
	if (!err && a->opaque)
		err = opaque_init(a);
	if (!err)
		err = tables_init(a, prm);
	if (err)
		goto out;
	*authp = a;
	a = NULL;
out:
	sx_mem_unref(a);
	return err;
}

const char *sx_sip_auth_result_name(enum sx_sip_auth_result r)
{
	static const char *const names[] = {
	    [SX_SIP_AUTH_OK] = "OK",
	    [SX_SIP_AUTH_NO_CREDENTIALS] = "NO_CREDENTIALS",
	    [SX_SIP_AUTH_STALE] = "STALE",
	    [SX_SIP_AUTH_BAD] = "BAD",
	    [SX_SIP_AUTH_MALFORMED] = "MALFORMED",
	    [SX_SIP_AUTH_REPLAY] = "REPLAY",
	    [SX_SIP_AUTH_THROTTLED] = "THROTTLED",
	};

	if ((unsigned)r >= SX_ARRAY_SIZE(names) || !names[r])
		return "?";
	return names[r];
}

/* -- challenges ----------------------------------------------------------- */

/* A quoted-string with '"' and '\' escaped (RFC 3261 25.1 quoted-pair). */
void sx_sip_auth__put_qstr(struct sx_buf *b, struct sx_sl s)
{
	size_t from = 0;

	sx_buf_put(b, "\"", 1);
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] != '"' && s.p[i] != '\\')
			continue;
		sx_buf_put(b, s.p + from, i - from);
		sx_buf_put(b, "\\", 1);
		from = i;
	}
	sx_buf_put(b, s.p + from, s.len - from);
	sx_buf_put(b, "\"", 1);
}

const char *sx_sip_auth__alg_name(enum sx_sip_digest_alg alg)
{
	return alg == SX_SIP_ALG_SHA256 ? "SHA-256" : "MD5";
}

static void put_challenge(const struct sx_sip_auth *a,
                          enum sx_sip_digest_alg alg, const char *nonce,
                          bool stale, struct sx_buf *b)
{
	sx_buf_put_cstr(b, a->proxy ? "Proxy-Authenticate: "
	                            : "WWW-Authenticate: ");
	sx_buf_put_cstr(b, "Digest realm=");
	sx_sip_auth__put_qstr(b, sx_sl_make(a->realm, a->realm_len));
	sx_buf_printf(b, ", nonce=\"%s\"", nonce);
	if (a->opaque)
		sx_buf_printf(b, ", opaque=\"%s\"", a->opaque_val);
	sx_buf_printf(b, ", algorithm=%s, qop=\"auth\"%s\r\n",
	              sx_sip_auth__alg_name(alg), stale ? ", stale=true" : "");
}

int sx_sip_auth_challenge_print(struct sx_sip_auth *a, const struct sx_sa *src,
                                uint64_t now, bool stale, struct sx_buf *out)
{
	char nonce[SX_AUTH_NONCE_LEN + 1];
	int err;

	if (!a || !out)
		return -EINVAL;
	err = sx_sip_auth__nonce_make(a, src, now, nonce);
	if (err)
		return err;
	/* RFC 7616 3.7: most preferred algorithm first */
	if ((a->algs & SX_SIP_AUTH_F_MD5) && a->md5_first)
		put_challenge(a, SX_SIP_ALG_MD5, nonce, stale, out);
	if (a->algs & SX_SIP_AUTH_F_SHA256)
		put_challenge(a, SX_SIP_ALG_SHA256, nonce, stale, out);
	if ((a->algs & SX_SIP_AUTH_F_MD5) && !a->md5_first)
		put_challenge(a, SX_SIP_ALG_MD5, nonce, stale, out);
	return sx_buf_err(out);
}

int sx_sip_auth_reply_print(struct sx_sip_auth *a, const struct sx_sip_msg *req,
                            const struct sx_sip_auth_res *res,
                            const struct sx_sa *src, uint64_t now,
                            struct sx_sl to_tag, struct sx_buf *out)
{
	struct sx_buf extra;
	int err;

	if (!a || !req || !res || !out || res->result == SX_SIP_AUTH_OK ||
	    !res->status)
		return -EINVAL;
	sx_buf_init(&extra, CHALLENGE_BUF_MAX);
	if (res->status == 401 || res->status == 407)
		err = sx_sip_auth_challenge_print(a, src, now, res->stale,
		                                  &extra);
	else
		err = 0;
	if (!err)
		err = sx_sip_reply_print(req, res->status, NULL, to_tag,
		                         sx_buf_sl(&extra), out);
	sx_buf_fini(&extra);
	return err;
}
