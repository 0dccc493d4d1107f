/*
 * Stateless digest nonces (RFC 7616 3.3, RFC 2617 3.2.1 "nonce"):
 *
 *   nonce = base64url( time(8, big-endian) | random(16) | MAC(32) )
 *   MAC   = HMAC-SHA256(secret, "sx-nonce-1" | time | random |
 *                       len(realm) | realm | binding)
 *
 * The binding is the requester's address (family byte and address
 * bytes, no port) when bind_source is set, else empty.  Any process
 * holding the secret verifies a nonce without state; its age decides
 * between VALID and EXPIRED (RFC 7616 3.3 stale).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "auth_int.h"

/** Domain separation for the nonce MAC. */
#define NONCE_TAG "sx-nonce-1"
/** MAC input: tag, time, random, realm length, realm, binding. */
#define MAC_IN_MAX                                                             \
	(sizeof(NONCE_TAG) + 8 + SX_AUTH_NONCE_RND_LEN + 2 +                   \
	 SX_SIP_AUTH_MAX_REALM_LEN + 1 + 16)

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Family byte and address bytes of @src, or nothing. */
static size_t binding(const struct sx_sip_auth *a, const struct sx_sa *src,
                      uint8_t *out)
{
	if (!a->bind_source || !src)
		return 0;
	switch (sx_sa_af(src)) {
	case AF_INET:
		out[0] = 4;
		memcpy(out + 1, &src->u.in.sin_addr, 4);
		return 5;
	case AF_INET6:
		out[0] = 6;
		memcpy(out + 1, &src->u.in6.sin6_addr, 16);
		return 17;
	default:
		return 0;
	}
}

/* MAC over time|random (the first 24 raw bytes), realm and binding. */
static int nonce_mac(const struct sx_sip_auth *a, const struct sx_sa *src,
                     const uint8_t *head, uint8_t mac[SX_AUTH_MAC_LEN])
{
	uint8_t in[MAC_IN_MAX];
	size_t n = 0;

	memcpy(in, NONCE_TAG, sizeof(NONCE_TAG));
	n += sizeof(NONCE_TAG);
	memcpy(in + n, head, 8 + SX_AUTH_NONCE_RND_LEN);
	n += 8 + SX_AUTH_NONCE_RND_LEN;
	in[n++] = (uint8_t)(a->realm_len >> 8);
	in[n++] = (uint8_t)a->realm_len;
	memcpy(in + n, a->realm, a->realm_len);
	n += a->realm_len;
	n += binding(a, src, in + n);
	return sx_sip_auth__hmac(a->secret, a->secret_len, in, n, mac);
}

int sx_sip_auth__nonce_make(const struct sx_sip_auth *a,
                            const struct sx_sa *src, uint64_t now, char *out)
{
	uint8_t raw[SX_AUTH_NONCE_RAW_LEN];
	int err;

	put_be64(raw, now);
	err = sx_sip_auth__random(raw + 8, SX_AUTH_NONCE_RND_LEN);
	if (!err)
		err = nonce_mac(a, src, raw, raw + 8 + SX_AUTH_NONCE_RND_LEN);
	if (err)
		return err;
	out[sx_sip_auth__b64url_enc(raw, sizeof(raw), out)] = '\0';
	return 0;
}

enum sx_auth_nonce_state sx_sip_auth__nonce_check(const struct sx_sip_auth *a,
                                                  struct sx_sl nonce,
                                                  const struct sx_sa *src,
                                                  uint64_t now, uint64_t *tsp,
                                                  uint8_t key[SX_AUTH_KEY_LEN])
{
	uint8_t raw[SX_AUTH_NONCE_RAW_LEN], mac[SX_AUTH_MAC_LEN];
	const uint8_t *got = raw + 8 + SX_AUTH_NONCE_RND_LEN;
	uint64_t ts;

	if (nonce.len != SX_AUTH_NONCE_LEN ||
	    sx_sip_auth__b64url_dec(nonce, raw, sizeof(raw)) !=
	        (ssize_t)sizeof(raw) ||
	    nonce_mac(a, src, raw, mac) ||
	    CRYPTO_memcmp(mac, got, SX_AUTH_MAC_LEN))
		return SX_AUTH_NONCE_INVALID;
	ts = get_be64(raw);
	/* from the future beyond the allowed skew: not one we issued */
	if (ts > now + SX_SIP_AUTH_NONCE_SKEW_S)
		return SX_AUTH_NONCE_INVALID;
	*tsp = ts;
	memcpy(key, got, SX_AUTH_KEY_LEN);
	return now - SX_MIN(ts, now) > a->lifetime_s ? SX_AUTH_NONCE_EXPIRED
	                                             : SX_AUTH_NONCE_VALID;
}
