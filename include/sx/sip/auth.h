/*
 * Digest authentication (RFC 3261 22, RFC 2617, RFC 7616, RFC 8760),
 * server and client side, shared by the registrar (401, WWW-Authenticate,
 * Authorization) and the proxy (407, Proxy-Authenticate,
 * Proxy-Authorization).
 *
 * Server side: one struct sx_sip_auth per realm and role.  It issues
 * stateless nonces (HMAC-SHA256 over time, randomness, realm and an
 * optional source-address binding: any process sharing the secret can
 * verify them), remembers the highest nonce-count per nonce in a bounded
 * LRU table (replay protection for qop=auth), throttles failed attempts
 * per source address and per username in bounded tables, and checks
 * credentials against HA1 values fetched through a lookup callback.  The
 * password itself is never stored or needed.  Time is always passed in
 * by the caller (seconds), nothing here reads a clock.
 *
 * Algorithms: MD5 and SHA-256 (no -sess variants, no SHA-512-256, no
 * userhash, no auth-int).  Challenges offer SHA-256 first, then MD5, one
 * header field per algorithm (RFC 7616 3.7, RFC 8760 2.4); with
 * sx_sip_auth_prm.md5_first MD5 comes first (RFC 8760 2.4 lets the
 * server order by its preference; many phones answer only the first).
 *
 * What a caller sends for each result (sx_sip_auth_reply_print() does it):
 *   OK                              -> go on with the request
 *   NO_CREDENTIALS, BAD             -> 401/407 with a fresh challenge
 *   STALE, REPLAY                   -> 401/407 with a challenge, stale=true
 *   MALFORMED                       -> 400
 *   THROTTLED                       -> 403 (see below)
 *
 * Throttling answers 403 Forbidden.  429 is not an option in SIP: there
 * it means "Provide Referrer Identity" (RFC 3892 5).  Retry-After is not
 * defined for 403 by RFC 3261 20.33, so it is not sent; res.retry_after
 * tells the caller how long the block lasts (for logs or a 503 policy).
 *
 * Thread safety: after sx_sip_auth_alloc() every function may be called
 * from any thread at once (the tables have their own locks).  The lookup
 * callback runs on the calling thread, inside sx_sip_auth_check(); it
 * must not block for long (serve it from a cache).
 */
#ifndef SX_SIP_AUTH_H
#define SX_SIP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/port/sa.h>
#include <sx/sip/hdrs.h>
#include <sx/sip/msg.h>
#include <sx/util/buf.h>
#include <sx/util/compiler.h>
#include <sx/util/sl.h>

/* -- limits and defaults (named, RFC 7616 3.3 and local policy) ---------- */
/** Default nonce lifetime: older nonces get stale=true. */
#define SX_SIP_AUTH_NONCE_LIFETIME_S 300
/** How far in the future a nonce's time may lie (clock skew of nodes). */
#define SX_SIP_AUTH_NONCE_SKEW_S 30
/** Bytes of a random server secret. */
#define SX_SIP_AUTH_SECRET_LEN 32
/** Shortest and longest configured secret accepted. */
#define SX_SIP_AUTH_SECRET_MIN 16
#define SX_SIP_AUTH_SECRET_MAX 64
/** Default size of the nonce-count table (nonces remembered). */
#define SX_SIP_AUTH_NC_ENTRIES 8192
/** Default size of each throttle table (sources, usernames). */
#define SX_SIP_AUTH_THROTTLE_ENTRIES 4096
/** Failures within the window that start a block. */
#define SX_SIP_AUTH_THROTTLE_FAILS 5
/** Window in which failures are counted. */
#define SX_SIP_AUTH_THROTTLE_WINDOW_S 60
/** First block length; each further block doubles it. */
#define SX_SIP_AUTH_THROTTLE_BASE_S 2
/** Longest block. */
#define SX_SIP_AUTH_THROTTLE_MAX_S 3600
/** Each quiet period this long lowers the escalation level by one. */
#define SX_SIP_AUTH_THROTTLE_DECAY_S 600
/** Longest realm we serve or answer. */
#define SX_SIP_AUTH_MAX_REALM_LEN 128
/** Longest username (decoded). */
#define SX_SIP_AUTH_MAX_USER_LEN 128
/** Longest nonce (decoded) a client keeps; ours are far shorter. */
#define SX_SIP_AUTH_MAX_NONCE_LEN 256
/** Longest cnonce (decoded) accepted. */
#define SX_SIP_AUTH_MAX_CNONCE_LEN 128
/** Longest opaque (decoded) a client keeps. */
#define SX_SIP_AUTH_MAX_OPAQUE_LEN 256
/** Random bytes in a cnonce we generate. */
#define SX_SIP_AUTH_CNONCE_BYTES 16
/** Hex lengths of the digests. */
#define SX_SIP_AUTH_MD5_HEX_LEN    32
#define SX_SIP_AUTH_SHA256_HEX_LEN 64

/* -- HA1 ----------------------------------------------------------------- */

/**
 * The stored form of a credential: HA1 = H(username ":" realm ":"
 * password) in lowercase hex, per algorithm (RFC 7616 3.4.2).  An empty
 * string means "not available for that algorithm" (e.g. a store that
 * only has the legacy MD5 passtoken).
 */
struct sx_sip_auth_ha1 {
	char ha1_md5[SX_SIP_AUTH_MD5_HEX_LEN + 1];
	char ha1_sha256[SX_SIP_AUTH_SHA256_HEX_LEN + 1];
};

/**
 * HA1 in hex for one algorithm (MD5, NONE meaning MD5, or SHA256) into
 * @out (capacity @cap >= hex length + 1, NUL-terminated).  Returns 0,
 * -EINVAL (other algorithm, short buffer) or -EIO (crypto failure).
 */
int sx_sip_auth_ha1_hex(enum sx_sip_digest_alg alg, struct sx_sl user,
                        struct sx_sl realm, struct sx_sl password, char *out,
                        size_t cap) SX_MUST_CHECK;

/** Both HA1 values of @user in @realm.  0, -EINVAL or -EIO. */
int sx_sip_auth_ha1_compute(struct sx_sip_auth_ha1 *h, struct sx_sl user,
                            struct sx_sl realm,
                            struct sx_sl password) SX_MUST_CHECK;

/** The inputs of one digest response (RFC 7616 3.4.1). */
struct sx_sip_auth_digest {
	enum sx_sip_digest_alg alg; /**< MD5 (or NONE) or SHA256 */
	struct sx_sl ha1;           /**< hex HA1 */
	struct sx_sl nonce;         /**< decoded */
	struct sx_sl nc;            /**< 8 hex digits as sent; SX_SL_NULL
	                                 without qop (RFC 2069 form) */
	struct sx_sl cnonce;        /**< decoded; with qop only */
	struct sx_sl qop;           /**< "auth" as sent; with nc only */
	struct sx_sl method;        /**< request method */
	struct sx_sl uri;           /**< digest-uri, decoded */
};

/**
 * response = KD(HA1, nonce:nc:cnonce:qop:HA2) with HA2 = H(method:uri),
 * or KD(HA1, nonce:HA2) when @d->nc is not set, in lowercase hex into
 * @out (@cap >= hex length + 1).  0, -EINVAL or -EIO.
 */
int sx_sip_auth_response_hex(const struct sx_sip_auth_digest *d, char *out,
                             size_t cap) SX_MUST_CHECK;

/* -- server side ---------------------------------------------------------- */

/**
 * Fetch the stored HA1 values of @user (decoded) in @realm into @ha1p.
 * Returns 0, -ENOENT for an unknown user (answered exactly like a wrong
 * password), or another negative errno (the check fails with it; the
 * caller replies 500).
 */
typedef int(sx_sip_auth_lookup_h)(struct sx_sl user, struct sx_sl realm,
                                  struct sx_sip_auth_ha1 *ha1p, void *arg);

/** Algorithms offered and accepted (sx_sip_auth_prm.algs). */
enum {
	SX_SIP_AUTH_F_SHA256 = 1 << 0,
	SX_SIP_AUTH_F_MD5 = 1 << 1,
};

/** Server configuration; zero-initialize, 0 picks the named default. */
struct sx_sip_auth_prm {
	struct sx_sl realm;           /**< required, copied */
	bool proxy;                   /**< 407 / Proxy-* headers, else 401 */
	sx_sip_auth_lookup_h *lookup; /**< required */
	void *arg;                    /**< for @lookup */
	const uint8_t *secret;        /**< NULL: random (getrandom); else at
	                                   SX_SIP_AUTH_SECRET_MIN..MAX bytes,
	                                   copied; share it between nodes */
	size_t secret_len;
	unsigned algs;              /**< SX_SIP_AUTH_F_*; 0 = both */
	uint32_t nonce_lifetime_s;  /**< SX_SIP_AUTH_NONCE_LIFETIME_S */
	bool bind_source;           /**< nonces valid only from the address
	                                 they were issued to (not the port) */
	bool opaque;                /**< send an opaque and require it back */
	bool allow_no_qop;          /**< accept RFC 2069 responses without qop
	                                 (no replay protection) */
	bool md5_first;             /**< challenges list MD5 before SHA-256
	                                 (phones that answer only the first
	                                 challenge and know no SHA-256) */
	uint32_t nc_entries;        /**< SX_SIP_AUTH_NC_ENTRIES */
	uint32_t throttle_entries;  /**< SX_SIP_AUTH_THROTTLE_ENTRIES */
	uint32_t throttle_fails;    /**< SX_SIP_AUTH_THROTTLE_FAILS */
	uint32_t throttle_window_s; /**< SX_SIP_AUTH_THROTTLE_WINDOW_S */
	uint32_t throttle_max_s;    /**< SX_SIP_AUTH_THROTTLE_MAX_S */
};

struct sx_sip_auth;

/**
 * Create an authenticator (an sx_mem object: release it with
 * sx_mem_unref()).  Returns 0, -EINVAL (no realm or lookup, realm over
 * SX_SIP_AUTH_MAX_REALM_LEN, short secret, unknown algs), -ENOMEM, or
 * the errno of getrandom / -EIO from the crypto library.
 */
int sx_sip_auth_alloc(struct sx_sip_auth **authp,
                      const struct sx_sip_auth_prm *prm) SX_MUST_CHECK;

enum sx_sip_auth_result {
	SX_SIP_AUTH_OK = 0,         /**< authenticated */
	SX_SIP_AUTH_NO_CREDENTIALS, /**< none for our realm: challenge */
	SX_SIP_AUTH_STALE,          /**< right digest, expired nonce */
	SX_SIP_AUTH_BAD,            /**< wrong user or password, foreign or
	                                 forged nonce, unsupported algorithm
	                                 or qop, missing opaque: challenge */
	SX_SIP_AUTH_MALFORMED,      /**< broken credentials, digest-uri not
	                                 the Request-URI: 400 */
	SX_SIP_AUTH_REPLAY,         /**< nonce-count not above the last one */
	SX_SIP_AUTH_THROTTLED,      /**< too many failures: 403 */
};

/** Short name of a result ("OK", "STALE" ...). */
const char *sx_sip_auth_result_name(enum sx_sip_auth_result r);

/** One request to check. */
struct sx_sip_auth_req {
	struct sx_sl method; /**< request method as on the wire (A2) */
	struct sx_sl ruri;   /**< Request-URI as on the wire */
	const struct sx_sip_credentials *cr; /**< credentials for our realm
	                                 (sx_sip_msg_credentials()), NULL
	                                 when there are none */
	const struct sx_sa *src; /**< source address, NULL if unknown */
	uint64_t now;            /**< seconds; wall clock when nodes share
	                              the secret */
};

/** Outcome of a check. */
struct sx_sip_auth_res {
	enum sx_sip_auth_result result;
	uint16_t status;            /**< reply: 0 (OK), 400, 401/407 or 403 */
	bool stale;                 /**< challenge with stale=true */
	uint32_t retry_after;       /**< THROTTLED: seconds the block lasts */
	enum sx_sip_digest_alg alg; /**< algorithm of the credentials */
	/** OK: the authenticated username, decoded, NUL-terminated */
	char user[SX_SIP_AUTH_MAX_USER_LEN + 1];
};

/**
 * Check one request's credentials (see the result table above).  Order:
 * source throttle, realm (credentials for another realm are ignored),
 * syntax, username throttle, algorithm, digest-uri, opaque, nonce, then
 * the response against the user's HA1 - or a dummy HA1 for an unknown
 * user, so both cost and answer the same - compared in constant time.
 * An expired nonce with a right response is STALE (RFC 7616 3.3).  With
 * qop=auth the nonce-count must grow (REPLAY otherwise).  A wrong
 * response counts as a failure for the source and the username; a
 * success clears both.
 *
 * digest-uri check (RFC 2617 3.2.2.5): the uri directive must equal the
 * Request-URI bytewise after trimming LWS, or, when both parse as SIP
 * URIs, by RFC 3261 19.1.4 URI equality; anything else is MALFORMED.
 *
 * The dummy path makes our own work identical for known and unknown
 * users; the lookup callback should keep its own cost alike too (e.g. a
 * hash table or an indexed query, not a scan that stops early).
 *
 * Returns 0 with @res filled, -EINVAL for bad arguments, or the lookup
 * callback's error (other than -ENOENT).  No sx_mem allocation (OpenSSL
 * allocates its digest contexts internally).
 */
int sx_sip_auth_check(struct sx_sip_auth *auth,
                      const struct sx_sip_auth_req *req,
                      struct sx_sip_auth_res *res) SX_MUST_CHECK;

/**
 * sx_sip_auth_check() for a parsed request: takes the method, the
 * Request-URI and the Authorization (Proxy-Authorization for a proxy)
 * credentials for our realm.  Fields of other schemes or realms are
 * ignored; when a field cannot be parsed and none is for us, the result
 * is MALFORMED.
 */
int sx_sip_auth_check_msg(struct sx_sip_auth *auth,
                          const struct sx_sip_msg *req, const struct sx_sa *src,
                          uint64_t now,
                          struct sx_sip_auth_res *res) SX_MUST_CHECK;

/**
 * Append the challenge header fields ("WWW-Authenticate: Digest ...\r\n"
 * or Proxy-Authenticate), one per algorithm, SHA-256 first (MD5 first
 * with sx_sip_auth_prm.md5_first), all with the same fresh nonce.  @src
 * is the requester (used with bind_source).
 * Returns 0 or the buffer's error (-ENOMEM, -E2BIG), or -EIO.
 */
int sx_sip_auth_challenge_print(struct sx_sip_auth *auth,
                                const struct sx_sa *src, uint64_t now,
                                bool stale, struct sx_buf *out) SX_MUST_CHECK;

/**
 * Append the whole reply to @req for a result that is not OK: 401/407
 * with challenges, 400 or 403 (sx_sip_reply_print(), @to_tag added when
 * To has none).  -EINVAL for OK; otherwise as the printers.
 */
int sx_sip_auth_reply_print(struct sx_sip_auth *auth,
                            const struct sx_sip_msg *req,
                            const struct sx_sip_auth_res *res,
                            const struct sx_sa *src, uint64_t now,
                            struct sx_sl to_tag,
                            struct sx_buf *out) SX_MUST_CHECK;

/* -- client side ---------------------------------------------------------- */

/**
 * What a UAC keeps of the last challenge it accepted: copies, so it
 * outlives the response.  Embed it and sx_sip_auth_client_init() it.
 * The nonce-count grows with every header built for the same nonce.
 */
struct sx_sip_auth_client {
	enum sx_sip_digest_alg alg; /**< MD5 or SHA256 */
	bool proxy;                 /**< from Proxy-Authenticate */
	bool qop;                   /**< qop=auth offered */
	uint32_t nc;                /**< last nonce-count used */
	size_t realm_len, nonce_len, opaque_len;
	bool has_opaque;
	char realm[SX_SIP_AUTH_MAX_REALM_LEN];   /**< decoded */
	char nonce[SX_SIP_AUTH_MAX_NONCE_LEN];   /**< decoded */
	char opaque[SX_SIP_AUTH_MAX_OPAQUE_LEN]; /**< decoded */
};

void sx_sip_auth_client_init(struct sx_sip_auth_client *c);

/**
 * Accept challenge @ch (parsed WWW-/Proxy-Authenticate; @proxy tells
 * which).  A new nonce restarts the nonce-count.  Returns 0, -ENOTSUP
 * (not Digest, algorithm other than MD5 / SHA-256, qop offered without
 * "auth"), -EBADMSG (no realm or nonce, bad escapes), -E2BIG (a field
 * over its limit).  On error @c is unchanged.
 */
int sx_sip_auth_client_set(struct sx_sip_auth_client *c,
                           const struct sx_sip_challenge *ch,
                           bool proxy) SX_MUST_CHECK;

/**
 * Pick the best challenge of a 401 / 407 response (SHA-256 before MD5,
 * then wire order) and accept it.  0, -ENOENT when none is usable,
 * -EINVAL for other responses.
 */
int sx_sip_auth_client_set_msg(struct sx_sip_auth_client *c,
                               const struct sx_sip_msg *resp) SX_MUST_CHECK;

/** What to answer with. */
struct sx_sip_auth_client_prm {
	struct sx_sl username;
	struct sx_sl password;             /**< used when @ha1 is NULL */
	const struct sx_sip_auth_ha1 *ha1; /**< stored HA1 for the realm */
	struct sx_sl method;               /**< "REGISTER" */
	struct sx_sl uri;                  /**< the Request-URI */
	struct sx_sl cnonce;               /**< NULL: random (tests fix it) */
};

/** "Authorization" or "Proxy-Authorization", as the challenge was. */
const char *sx_sip_auth_client_hdr_name(const struct sx_sip_auth_client *c);

/**
 * Append an Authorization / Proxy-Authorization VALUE ("Digest
 * username=...") answering the accepted challenge, with the next
 * nonce-count and a cnonce when qop=auth was offered.  Returns 0,
 * -EINVAL (no challenge accepted, no password nor HA1 for the
 * algorithm), -EIO, or the buffer's error (the nonce-count then stays).
 */
int sx_sip_auth_client_authorize(struct sx_sip_auth_client *c,
                                 const struct sx_sip_auth_client_prm *prm,
                                 struct sx_buf *out) SX_MUST_CHECK;

#endif
