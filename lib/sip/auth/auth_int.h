/*
 * Private parts of digest authentication (sx/sip/auth.h): hashing
 * helpers, stateless nonces, the bounded LRU tables behind nonce-counts
 * and throttling, and the authenticator object.  Not installed.
 */
#ifndef SX_SIP_AUTH_INT_H
#define SX_SIP_AUTH_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/sip/auth.h>

/** Bytes of an HMAC-SHA256. */
#define SX_AUTH_MAC_LEN 32
/** Random bytes per nonce. */
#define SX_AUTH_NONCE_RND_LEN 16
/** Raw nonce: 8-byte time, random, MAC. */
#define SX_AUTH_NONCE_RAW_LEN (8 + SX_AUTH_NONCE_RND_LEN + SX_AUTH_MAC_LEN)
/** base64url length of a raw nonce, without padding. */
#define SX_AUTH_NONCE_LEN ((SX_AUTH_NONCE_RAW_LEN * 4 + 2) / 3)
/** Bytes of an LRU table key (pseudo-random: MAC bytes). */
#define SX_AUTH_KEY_LEN 24
/** Bytes of the opaque's MAC, before base64url. */
#define SX_AUTH_OPAQUE_RAW_LEN 16
/** Longest hex digest, plus NUL. */
#define SX_AUTH_HEX_MAX (SX_SIP_AUTH_SHA256_HEX_LEN + 1)

/* -- hashing (hash.c) ------------------------------------------------------ */

/** True for the algorithms we implement (NONE means MD5). */
bool sx_sip_auth__alg_ok(enum sx_sip_digest_alg alg);

/** Hex length of @alg's digest (0 when unsupported). */
size_t sx_sip_auth__hex_len(enum sx_sip_digest_alg alg);

/**
 * H(parts[0] ":" parts[1] ":" ...) in lowercase hex into @hex (room for
 * SX_AUTH_HEX_MAX).  Any thread; uses the calling thread's context.
 * 0, -EINVAL, -ENOMEM (context allocation) or -EIO.
 */
int sx_sip_auth__hash_hex(enum sx_sip_digest_alg alg, const struct sx_sl *parts,
                          size_t n, char *hex);

/**
 * HMAC-SHA256(@key, @data) into @mac (RFC 2104).  Any thread: each
 * thread keeps the keyed states of the last key it used, so repeated
 * MACs under one key (the authenticator's secret) skip the key setup.
 * 0, -ENOMEM (context allocation) or -EIO.
 */
int sx_sip_auth__hmac(const uint8_t *key, size_t key_len, const void *data,
                      size_t len, uint8_t mac[SX_AUTH_MAC_LEN]);

/**
 * @n bytes from getrandom(); small requests (nonces, cnonces, secrets)
 * are served from a per-thread pool that one getrandom() call refills,
 * each byte handed out once.  Any thread.  0 or a negative errno.
 */
int sx_sip_auth__random(void *p, size_t n);

/** base64url without padding; @out needs (n * 4 + 2) / 3 bytes. */
size_t sx_sip_auth__b64url_enc(const uint8_t *in, size_t n, char *out);

/**
 * Decode base64url without padding into @out (capacity @cap).  Returns
 * the byte count, or -EBADMSG on a bad character, length or trailing
 * bits, -E2BIG when @out is short.
 */
ssize_t sx_sip_auth__b64url_dec(struct sx_sl in, uint8_t *out, size_t cap);

/** Append @s as a quoted-string, escaping '"' and '\\'. */
void sx_sip_auth__put_qstr(struct sx_buf *b, struct sx_sl s);

/** "SHA-256" or "MD5" (the token of the algorithm directive). */
const char *sx_sip_auth__alg_name(enum sx_sip_digest_alg alg);

/* -- bounded LRU table (lru.c) --------------------------------------------- */

/** Per-key throttle state. */
struct sx_auth_thr {
	uint64_t window_start;  /**< first failure of the current window */
	uint64_t blocked_until; /**< no attempts before this time */
	uint64_t calm_since;    /**< decay counts from here */
	uint32_t fails;         /**< failures in the window */
	uint32_t level;         /**< blocks so far (after decay) */
};

/** Per-nonce count state. */
struct sx_auth_nc {
	uint64_t ts; /**< the nonce's issue time */
	uint32_t nc; /**< highest nonce-count accepted */
};

union sx_auth_val {
	struct sx_auth_thr thr;
	struct sx_auth_nc nc;
};

struct sx_auth_ent;

/**
 * Fixed-capacity hash table with LRU eviction, allocated once.  The
 * caller holds @lock around every call and any use of returned pointers.
 */
struct sx_auth_lru {
	pthread_mutex_t lock;
	struct sx_auth_ent *ents; /**< @cap entries (sx_mem block) */
	uint32_t *buckets;        /**< @mask + 1 heads (sx_mem block) */
	uint32_t cap, mask, count;
	uint32_t head, tail; /**< most / least recently used */
};

int sx_sip_auth__lru_init(struct sx_auth_lru *t, uint32_t cap);
void sx_sip_auth__lru_fini(struct sx_auth_lru *t);

/** The value of @key, now most recently used; NULL when absent. */
union sx_auth_val *sx_sip_auth__lru_get(struct sx_auth_lru *t,
                                        const uint8_t key[SX_AUTH_KEY_LEN]);

/**
 * Insert @key (absent) with a zeroed value.  When the table is full the
 * least recently used entry goes; its value is copied to *@oldp (if
 * given) and *@evictedp set.  Never fails.
 */
union sx_auth_val *sx_sip_auth__lru_put(struct sx_auth_lru *t,
                                        const uint8_t key[SX_AUTH_KEY_LEN],
                                        union sx_auth_val *oldp,
                                        bool *evictedp);

/** Remove @key if present. */
void sx_sip_auth__lru_del(struct sx_auth_lru *t,
                          const uint8_t key[SX_AUTH_KEY_LEN]);

/* -- the authenticator ------------------------------------------------------
 */

struct sx_sip_auth {
	char realm[SX_SIP_AUTH_MAX_REALM_LEN];
	size_t realm_len;
	bool proxy, bind_source, opaque, allow_no_qop, md5_first;
	unsigned algs;
	uint32_t lifetime_s;
	uint32_t thr_fails, thr_window_s, thr_max_s;
	sx_sip_auth_lookup_h *lookup;
	void *arg;
	uint8_t secret[SX_SIP_AUTH_SECRET_MAX];
	size_t secret_len;
	char opaque_val[(SX_AUTH_OPAQUE_RAW_LEN * 4 + 2) / 3 + 1];
	struct sx_sip_auth_ha1 dummy; /**< for unknown users */
	struct sx_auth_lru nc;        /**< nonce-counts */
	struct sx_auth_lru thr_src;   /**< failures per source address */
	struct sx_auth_lru thr_user;  /**< failures per username */
	/** nonces issued up to this time are stale when not in @nc (their
	 *  count was evicted) */
	uint64_t nc_evicted_ts;
};

/* -- nonces (nonce.c) -------------------------------------------------------
 */

enum sx_auth_nonce_state {
	SX_AUTH_NONCE_VALID,
	SX_AUTH_NONCE_EXPIRED, /**< ours, authentic, too old */
	SX_AUTH_NONCE_INVALID, /**< not ours, forged, bound elsewhere */
};

/** A fresh nonce for @src at @now into @out (SX_AUTH_NONCE_LEN + 1). */
int sx_sip_auth__nonce_make(const struct sx_sip_auth *a,
                            const struct sx_sa *src, uint64_t now, char *out);

/**
 * Verify @nonce (decoded).  VALID or EXPIRED fill *@tsp and @key (the
 * nonce's table key).
 */
enum sx_auth_nonce_state sx_sip_auth__nonce_check(const struct sx_sip_auth *a,
                                                  struct sx_sl nonce,
                                                  const struct sx_sa *src,
                                                  uint64_t now, uint64_t *tsp,
                                                  uint8_t key[SX_AUTH_KEY_LEN]);

/* -- throttling (throttle.c) ------------------------------------------------
 */

/** Table key of a source address (address only, not port). */
int sx_sip_auth__src_key(const struct sx_sip_auth *a, const struct sx_sa *src,
                         uint8_t key[SX_AUTH_KEY_LEN]);

/** Table key of a username. */
int sx_sip_auth__user_key(const struct sx_sip_auth *a, struct sx_sl user,
                          uint8_t key[SX_AUTH_KEY_LEN]);

/** Seconds @key stays blocked at @now (0 = not blocked). */
uint32_t sx_sip_auth__thr_blocked(struct sx_auth_lru *t,
                                  const uint8_t key[SX_AUTH_KEY_LEN],
                                  uint64_t now);

/** Count a failure of @key at @now. */
void sx_sip_auth__thr_fail(struct sx_sip_auth *a, struct sx_auth_lru *t,
                           const uint8_t key[SX_AUTH_KEY_LEN], uint64_t now);

/** A success: forget @key. */
void sx_sip_auth__thr_clear(struct sx_auth_lru *t,
                            const uint8_t key[SX_AUTH_KEY_LEN]);

/* -- nonce-counts (throttle.c) ----------------------------------------------
 */

/**
 * Accept nonce-count @nc for the nonce with @key issued at @ts: true
 * when it is above the last one accepted (and records it).  A nonce
 * whose entry was evicted is refused (false), so eviction never
 * reopens a replay.
 */
bool sx_sip_auth__nc_accept(struct sx_sip_auth *a,
                            const uint8_t key[SX_AUTH_KEY_LEN], uint64_t ts,
                            uint32_t nc);

#endif
