/*
 * Digest hashing for RFC 7616 3.4 (H, KD and HA1 in lowercase hex over
 * MD5 or SHA-256), HMAC-SHA256 for nonces (RFC 2104), randomness from
 * getrandom(2), and base64url without padding (RFC 4648 5) for the
 * nonce and opaque values.
 *
 * Cost model (OpenSSL 3): the digests are fetched once per process and
 * each thread keeps one scratch EVP_MD_CTX, so a hash costs neither a
 * provider fetch nor a context allocation.  HMAC follows RFC 2104 by
 * hand: each thread keeps the SHA-256 states after the key^ipad and
 * key^opad blocks for the last key it used (the authenticator's secret,
 * so always the same one) and starts every MAC from copies of them.
 * Random bytes for nonces and cnonces come from a small per-thread
 * pool refilled by one getrandom(2) call, so a challenge makes no
 * system call most of the time; a forked child drops its pool.  Shared
 * state is written once under pthread_once and read-only after; the
 * per-thread contexts are freed and the pool wiped at thread exit.
 */
#define SX_LOG_MOD "sip.auth"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <sx/util/log.h>

#include "auth_int.h"

/** Raw digest bytes, the larger of MD5 and SHA-256. */
#define DIGEST_RAW_MAX 32
/** SHA-256 block size B (RFC 2104 2). */
#define HMAC_BLOCK 64
/** RFC 2104 2: inner and outer pad bytes. */
#define HMAC_IPAD 0x36
#define HMAC_OPAD 0x5c
/** getrandom() bytes a thread keeps; larger requests bypass the pool. */
#define RANDOM_POOL     256
#define RANDOM_POOL_MAX (RANDOM_POOL / 4)

/* Process-wide, set once by fetch_once(), read-only afterwards. */
static pthread_once_t fetch_ctl = PTHREAD_ONCE_INIT;
static EVP_MD *md_md5, *md_sha256;
static pthread_key_t tls_key;
static bool tls_key_ok, pool_ok;

/** One thread's digest contexts; lives in TLS, freed at thread exit. */
struct hash_tls {
	bool registered;   /**< tls_key points here: exit frees the contexts */
	EVP_MD_CTX *work;  /**< scratch for every digest and MAC */
	EVP_MD_CTX *inner; /**< SHA-256 after (key ^ ipad) */
	EVP_MD_CTX *outer; /**< SHA-256 after (key ^ opad) */
	bool keyed;        /**< inner / outer hold @key */
	size_t key_len;
	uint8_t key[HMAC_BLOCK]; /**< RFC 2104 K (hashed when longer than B) */
	size_t pool_left;        /**< unused bytes at the end of @pool */
	uint8_t pool[RANDOM_POOL]; /**< getrandom() output, used bytes wiped */
};

static _Thread_local struct hash_tls tls;

static void tls_free(void *p)
{
	struct hash_tls *t = p;

	EVP_MD_CTX_free(t->work);
	EVP_MD_CTX_free(t->inner);
	EVP_MD_CTX_free(t->outer);
	OPENSSL_cleanse(t, sizeof(*t));
}

/* The child of fork() must not hand out the parent's random bytes; it
 * runs on the forking thread, the only one it has. */
static void pool_drop(void)
{
	OPENSSL_cleanse(tls.pool, sizeof(tls.pool));
	tls.pool_left = 0;
}

/* A digest missing from the providers (MD5 under FIPS) stays NULL and
 * fails only its own algorithm. */
static void fetch_once(void)
{
	md_md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	tls_key_ok = !pthread_key_create(&tls_key, tls_free);
	pool_ok = tls_key_ok && !pthread_atfork(NULL, NULL, pool_drop);
}

/* This thread's state, registered for the exit wipe.  0, -ENOMEM or
 * -EIO. */
static int tls_attach(struct hash_tls **tp)
{
	struct hash_tls *t = &tls;

	if (pthread_once(&fetch_ctl, fetch_once) || !tls_key_ok)
		return -EIO;
	if (!t->registered) {
		if (pthread_setspecific(tls_key, t))
			return -ENOMEM;
		t->registered = true;
	}
	*tp = t;
	return 0;
}

/* This thread's contexts, created on first use.  0, -ENOMEM or -EIO. */
static int tls_get(struct hash_tls **tp)
{
	struct hash_tls *t;
	int err = tls_attach(&t);

	if (err)
		return err;
	if (!t->work)
		t->work = EVP_MD_CTX_new();
	if (!t->inner)
		t->inner = EVP_MD_CTX_new();
	if (!t->outer)
		t->outer = EVP_MD_CTX_new();
	if (!t->work || !t->inner || !t->outer)
		return -ENOMEM;
	*tp = t;
	return 0;
}

/* The fetched digest of a supported @alg (after tls_get()), or NULL. */
static const EVP_MD *alg_md(enum sx_sip_digest_alg alg)
{
	return alg == SX_SIP_ALG_SHA256 ? md_sha256 : md_md5;
}

bool sx_sip_auth__alg_ok(enum sx_sip_digest_alg alg)
{
	return alg == SX_SIP_ALG_NONE || alg == SX_SIP_ALG_MD5 ||
	       alg == SX_SIP_ALG_SHA256;
}

size_t sx_sip_auth__hex_len(enum sx_sip_digest_alg alg)
{
	if (alg == SX_SIP_ALG_SHA256)
		return SX_SIP_AUTH_SHA256_HEX_LEN;
	return sx_sip_auth__alg_ok(alg) ? SX_SIP_AUTH_MD5_HEX_LEN : 0;
}

static void to_hex(const uint8_t *raw, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 0xf];
	}
	hex[2 * n] = '\0';
}

static int digest_parts(EVP_MD_CTX *ctx, const EVP_MD *md,
                        const struct sx_sl *parts, size_t n, uint8_t *raw,
                        unsigned *rawlen)
{
	if (!EVP_DigestInit_ex(ctx, md, NULL))
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		/* RFC 7616 3.4.1: fields are joined with ':' */
		if (i && !EVP_DigestUpdate(ctx, ":", 1))
			return -EIO;
		if (parts[i].len &&
		    !EVP_DigestUpdate(ctx, parts[i].p, parts[i].len))
			return -EIO;
	}
	return EVP_DigestFinal_ex(ctx, raw, rawlen) ? 0 : -EIO;
}

int sx_sip_auth__hash_hex(enum sx_sip_digest_alg alg, const struct sx_sl *parts,
                          size_t n, char *hex)
{
	uint8_t raw[DIGEST_RAW_MAX];
	unsigned rawlen = 0;
	struct hash_tls *t;
	int err;

	if (!sx_sip_auth__alg_ok(alg) || !hex)
		return -EINVAL;
	err = tls_get(&t);
	if (!err && !alg_md(alg))
		err = -EIO;
	if (!err)
		err =
		    digest_parts(t->work, alg_md(alg), parts, n, raw, &rawlen);
	if (!err && rawlen > DIGEST_RAW_MAX)
		err = -EIO;
	if (err) {
		SX_LOG_ERR("digest computation failed: %s", strerror(-err));
		return err;
	}
	to_hex(raw, rawlen, hex);
	return 0;
}

int sx_sip_auth_ha1_hex(enum sx_sip_digest_alg alg, struct sx_sl user,
                        struct sx_sl realm, struct sx_sl password, char *out,
                        size_t cap)
{
	const struct sx_sl parts[] = {user, realm, password};
	char hex[SX_AUTH_HEX_MAX];
	size_t len = sx_sip_auth__hex_len(alg);
	int err;

	if (!len || !out || cap < len + 1)
		return -EINVAL;
	err = sx_sip_auth__hash_hex(alg, parts, SX_ARRAY_SIZE(parts), hex);
	if (!err)
		memcpy(out, hex, len + 1);
	return err;
}

int sx_sip_auth_ha1_compute(struct sx_sip_auth_ha1 *h, struct sx_sl user,
                            struct sx_sl realm, struct sx_sl password)
{
	int err;

	if (!h)
		return -EINVAL;
	err = sx_sip_auth_ha1_hex(SX_SIP_ALG_MD5, user, realm, password,
	                          h->ha1_md5, sizeof(h->ha1_md5));
	if (!err)
		err = sx_sip_auth_ha1_hex(SX_SIP_ALG_SHA256, user, realm,
		                          password, h->ha1_sha256,
		                          sizeof(h->ha1_sha256));
	return err;
}

/* RFC 2104 2: K is the key, or H(key) when longer than B. */
static int hmac_k(EVP_MD_CTX *ctx, const uint8_t *key, size_t key_len,
                  uint8_t k[HMAC_BLOCK], size_t *k_len)
{
	unsigned len = 0;

	if (key_len <= HMAC_BLOCK) {
		memcpy(k, key, key_len);
		*k_len = key_len;
		return 0;
	}
	if (!EVP_DigestInit_ex(ctx, md_sha256, NULL) ||
	    !EVP_DigestUpdate(ctx, key, key_len) ||
	    !EVP_DigestFinal_ex(ctx, k, &len))
		return -EIO;
	*k_len = len;
	return 0;
}

/* SHA-256 state after the block K ^ @pad. */
static int hmac_pad_state(EVP_MD_CTX *ctx, const uint8_t *k, size_t k_len,
                          uint8_t pad)
{
	uint8_t block[HMAC_BLOCK];
	int ok;

	for (size_t i = 0; i < HMAC_BLOCK; i++)
		block[i] = (uint8_t)((i < k_len ? k[i] : 0) ^ pad);
	ok = EVP_DigestInit_ex(ctx, md_sha256, NULL) &&
	     EVP_DigestUpdate(ctx, block, HMAC_BLOCK);
	OPENSSL_cleanse(block, sizeof(block));
	return ok ? 0 : -EIO;
}

/* Make t->inner / t->outer start HMACs under @key, unless they do. */
static int hmac_key(struct hash_tls *t, const uint8_t *key, size_t key_len)
{
	uint8_t k[HMAC_BLOCK];
	size_t k_len = 0;
	int err = hmac_k(t->work, key, key_len, k, &k_len);

	if (err || (t->keyed && t->key_len == k_len &&
	            !CRYPTO_memcmp(t->key, k, k_len)))
		goto out;
	t->keyed = false;
	err = hmac_pad_state(t->inner, k, k_len, HMAC_IPAD);
	if (!err)
		err = hmac_pad_state(t->outer, k, k_len, HMAC_OPAD);
	if (err)
		goto out;
	memcpy(t->key, k, k_len);
	t->key_len = k_len;
	t->keyed = true;
out:
	OPENSSL_cleanse(k, sizeof(k));
	return err;
}

/* RFC 2104 2: H(K ^ opad, H(K ^ ipad, text)) from the keyed states. */
static int hmac_run(struct hash_tls *t, const void *data, size_t len,
                    uint8_t mac[SX_AUTH_MAC_LEN])
{
	uint8_t in[SX_AUTH_MAC_LEN];
	unsigned in_len = 0, mac_len = 0;
	int ok;

	ok = EVP_MD_CTX_copy_ex(t->work, t->inner) &&
	     EVP_DigestUpdate(t->work, data, len) &&
	     EVP_DigestFinal_ex(t->work, in, &in_len) &&
	     in_len == SX_AUTH_MAC_LEN &&
	     EVP_MD_CTX_copy_ex(t->work, t->outer) &&
	     EVP_DigestUpdate(t->work, in, in_len) &&
	     EVP_DigestFinal_ex(t->work, mac, &mac_len) &&
	     mac_len == SX_AUTH_MAC_LEN;
	OPENSSL_cleanse(in, sizeof(in));
	return ok ? 0 : -EIO;
}

int sx_sip_auth__hmac(const uint8_t *key, size_t key_len, const void *data,
                      size_t len, uint8_t mac[SX_AUTH_MAC_LEN])
{
	struct hash_tls *t;
	int err = tls_get(&t);

	if (!err && !md_sha256)
		err = -EIO;
	if (!err)
		err = hmac_key(t, key, key_len);
	if (!err)
		err = hmac_run(t, data, len, mac);
	if (err)
		SX_LOG_ERR("HMAC-SHA256 failed: %s", strerror(-err));
	return err;
}

static int getrandom_all(uint8_t *b, size_t n)
{
	while (n) {
		ssize_t got = getrandom(b, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += got;
		n -= (size_t)got;
	}
	return 0;
}

int sx_sip_auth__random(void *p, size_t n)
{
	struct hash_tls *t;
	int err;

	if (n > RANDOM_POOL_MAX || tls_attach(&t) || !pool_ok)
		return getrandom_all(p, n);
	if (t->pool_left < n) {
		t->pool_left = 0;
		err = getrandom_all(t->pool, sizeof(t->pool));
		if (err)
			return err;
		t->pool_left = sizeof(t->pool);
	}
	/* each byte is handed out once, then wiped */
	uint8_t *from = t->pool + sizeof(t->pool) - t->pool_left;
	memcpy(p, from, n);
	OPENSSL_cleanse(from, n);
	t->pool_left -= n;
	return 0;
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t sx_sip_auth__b64url_enc(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		             in[i + 2];
		out[o++] = b64url[v >> 18];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
		out[o++] = b64url[v & 63];
	}
	if (n - i == 1) {
		out[o++] = b64url[in[i] >> 2];
		out[o++] = b64url[(in[i] & 3) << 4];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];
		out[o++] = b64url[v >> 10];
		out[o++] = b64url[v >> 4 & 63];
		out[o++] = b64url[(v & 15) << 2];
	}
	return o;
}

static int b64url_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	return c == '_' ? 63 : -1;
}

ssize_t sx_sip_auth__b64url_dec(struct sx_sl in, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	/* a lone trailing character carries no whole byte */
	if (in.len % 4 == 1)
		return -EBADMSG;
	for (size_t i = 0; i < in.len; i++) {
		int v = b64url_val(in.p[i]);
		if (v < 0)
			return -EBADMSG;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return -E2BIG;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* canonical form only: the unused low bits must be zero */
	if (acc)
		return -EBADMSG;
	return (ssize_t)o;
}

int sx_sip_auth_response_hex(const struct sx_sip_auth_digest *d, char *out,
                             size_t cap)
{
	size_t hlen = d ? sx_sip_auth__hex_len(d->alg) : 0;
	char ha2[SX_AUTH_HEX_MAX], resp[SX_AUTH_HEX_MAX];
	int err;

	if (!hlen || !out || cap < hlen + 1)
		return -EINVAL;
	const struct sx_sl a2[] = {d->method, d->uri};
	err = sx_sip_auth__hash_hex(d->alg, a2, SX_ARRAY_SIZE(a2), ha2);
	if (err)
		return err;
	struct sx_sl h2 = sx_sl_make(ha2, hlen);
	if (d->nc.p) {
		const struct sx_sl kd[] = {d->ha1,    d->nonce, d->nc,
		                           d->cnonce, d->qop,   h2};
		err =
		    sx_sip_auth__hash_hex(d->alg, kd, SX_ARRAY_SIZE(kd), resp);
	} else {
		const struct sx_sl kd[] = {d->ha1, d->nonce, h2};
		err =
		    sx_sip_auth__hash_hex(d->alg, kd, SX_ARRAY_SIZE(kd), resp);
	}
	if (!err)
		memcpy(out, resp, hlen + 1);
	return err;
}
