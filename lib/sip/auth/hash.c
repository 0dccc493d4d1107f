/*
 * Digest hashing for RFC 7616 3.4 (H, KD and HA1 in lowercase hex over
 * MD5 or SHA-256), HMAC-SHA256 for nonces (RFC 2104), randomness from
 * getrandom(2), and base64url without padding (RFC 4648 5) for the
 * nonce and opaque values.
 */
#define SX_LOG_MOD "sip.auth"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <sx/util/log.h>

#include "auth_int.h"

/** Raw digest bytes, the larger of MD5 and SHA-256. */
#define DIGEST_RAW_MAX 32

static const EVP_MD *alg_md(enum sx_sip_digest_alg alg)
{
	switch (alg) {
	case SX_SIP_ALG_NONE:
	case SX_SIP_ALG_MD5:
		return EVP_md5();
	case SX_SIP_ALG_SHA256:
		return EVP_sha256();
	default:
		return NULL;
	}
}

bool sx_sip_auth__alg_ok(enum sx_sip_digest_alg alg)
{
	return alg_md(alg) != NULL;
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
	const EVP_MD *md = alg_md(alg);
	uint8_t raw[DIGEST_RAW_MAX];
	unsigned rawlen = 0;
	EVP_MD_CTX *ctx;
	int err;

	if (!md || !hex)
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -EIO;
	err = digest_parts(ctx, md, parts, n, raw, &rawlen);
	EVP_MD_CTX_free(ctx);
	if (!err && rawlen > DIGEST_RAW_MAX)
		err = -EIO;
	if (err) {
		SX_LOG_ERR("digest computation failed");
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

int sx_sip_auth__hmac(const uint8_t *key, size_t key_len, const void *data,
                      size_t len, uint8_t mac[SX_AUTH_MAC_LEN])
{
	unsigned maclen = 0;

	if (!HMAC(EVP_sha256(), key, (int)key_len, data, len, mac, &maclen) ||
	    maclen != SX_AUTH_MAC_LEN) {
		SX_LOG_ERR("HMAC-SHA256 failed");
		return -EIO;
	}
	return 0;
}

int sx_sip_auth__random(void *p, size_t n)
{
	uint8_t *b = p;

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
