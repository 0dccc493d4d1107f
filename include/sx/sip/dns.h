/*
 * sx_sip_dns: locating SIP servers (RFC 3263) with c-ares on an sx_ev
 * loop, without threads.
 *
 * A resolver (struct sx_sip_dns) belongs to one loop: its c-ares sockets
 * are watched with sx_ev_fd_add() and c-ares timeouts are driven by an
 * sx_tmr.  It keeps a bounded TTL cache of the NAPTR, SRV, A and AAAA
 * answers it received (negative answers too, RFC 2308).
 *
 * sx_sip_resolve() turns a SIP or SIPS URI into an ordered list of
 * destinations (RFC 3263 4.1 transport, 4.2 address and port):
 *   - numeric host: that address, transport from the transport param
 *     (or the forced one), else UDP for sip and TLS for sips, port from
 *     the URI or sx_sip_proto_default_port() (5060, 5061 for TLS);
 *   - host name with explicit port: A/AAAA of the host;
 *   - transport known (param or forced), no port: SRV of that transport,
 *     then A/AAAA with the default port if there is no SRV;
 *   - otherwise NAPTR (SIP+D2U, SIP+D2T, SIPS+D2T; only SIPS+D2T for a
 *     sips URI), by order then preference, each to SRV; without usable
 *     NAPTR, SRV for _sip._udp, _sip._tcp and _sips._tcp (in that order;
 *     _sips._tcp only for sips); without SRV, A/AAAA with default port.
 * SRV records are ordered by priority, then by the RFC 2782 weighted
 * random selection.  The "maddr" URI parameter, when present, replaces
 * the host.  tel: URIs are not handled (ENUM is out of scope).
 *
 * Failover (RFC 3263 4.3): the result is a target list that the
 * transaction layer walks with sx_sip_dns_targets_next(): it sends to the
 * first destination and, when the request fails there with a transport
 * error, a transaction timeout (Timer B/F) or a 503 response, takes the
 * next one and sends again in a NEW client transaction (new Via branch).
 * -ENOENT from sx_sip_dns_targets_next() means the list is exhausted and
 * the request has failed.  Duplicates (same transport, address and port)
 * are removed, so no destination is tried twice.
 *
 * Threading: everything is for the loop thread of the resolver's loop.
 * Errors are 0 or a negative errno.
 */
#ifndef SX_SIP_DNS_H
#define SX_SIP_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/port/sa.h>
#include <sx/sip/tport.h>
#include <sx/sip/uri.h>
#include <sx/util/compiler.h>

struct sx_ev;
struct sx_sip_dns;
struct sx_sip_dns_query;
struct sx_sip_dns_targets;

/* -- limits (hostile answers are cut to these) ------------------------- */

/** Longest domain name in text form, without the trailing dot. */
#define SX_SIP_DNS_NAME_MAX 253
/** Records of one type kept from one answer (more are ignored). */
#define SX_SIP_DNS_RR_MAX 16
/** Usable NAPTR records followed for one resolution. */
#define SX_SIP_DNS_NAPTR_MAX 8
/** Distinct host names looked up for A/AAAA in one resolution. */
#define SX_SIP_DNS_HOSTS_MAX 16
/** Destinations in one target list. */
#define SX_SIP_DNS_TARGETS_MAX 64
/** CNAME links followed inside one answer. */
#define SX_SIP_DNS_CNAME_MAX 8

/* -- cache (RFC 1035 3.2.1 TTL, RFC 2308 negative caching) ------------- */

/** Positive answers are kept at least / at most this long (s). */
#define SX_SIP_DNS_TTL_MIN_S 5u
#define SX_SIP_DNS_TTL_MAX_S 86400u
/** Negative answers (NXDOMAIN, NODATA) with an SOA: clamp (s). */
#define SX_SIP_DNS_NEG_TTL_MIN_S 5u
#define SX_SIP_DNS_NEG_TTL_MAX_S 300u
/** Default and hard maximum of cached answers (LRU eviction). */
#define SX_SIP_DNS_CACHE_DEFAULT 1024u
#define SX_SIP_DNS_CACHE_MAX     65536u

/* -- defaults ---------------------------------------------------------- */

/** c-ares per-try timeout and number of tries per server. */
#define SX_SIP_DNS_TIMEOUT_MS_DEFAULT 2000u
#define SX_SIP_DNS_TRIES_DEFAULT      2u
/** Deadline for a whole resolution: the handler runs by then. */
#define SX_SIP_DNS_QUERY_TIMEOUT_MS_DEFAULT 32000u

/** Address families wanted, and their order within one host. */
enum sx_sip_dns_af {
	SX_SIP_DNS_AF_V4_V6 = 0, /**< A then AAAA (default) */
	SX_SIP_DNS_AF_V6_V4,     /**< AAAA then A */
	SX_SIP_DNS_AF_V4,        /**< A only */
	SX_SIP_DNS_AF_V6,        /**< AAAA only */
};

/** Random source for RFC 2782 weighted selection: any 32-bit value. */
typedef uint32_t(sx_sip_dns_rand_h)(void *arg);

/** Resolver parameters; zero-initialise, then set what you need. */
struct sx_sip_dns_prm {
	/** Name servers as c-ares CSV ("127.0.0.1:5353,[::1]:53"); NULL
	 *  uses /etc/resolv.conf. */
	const char *servers;
	/** Per-try timeout (ms); 0 = SX_SIP_DNS_TIMEOUT_MS_DEFAULT. */
	unsigned timeout_ms;
	/** Tries per server; 0 = SX_SIP_DNS_TRIES_DEFAULT. */
	unsigned tries;
	/** Deadline of one resolution (ms, loop clock); 0 = default. */
	unsigned query_timeout_ms;
	/** Cached answers; 0 = SX_SIP_DNS_CACHE_DEFAULT, at most
	 *  SX_SIP_DNS_CACHE_MAX. */
	size_t cache_size;
	/** Families and their order. */
	enum sx_sip_dns_af af;
	/** Transports we support, bits (1u << enum sx_sip_proto); 0 means
	 *  UDP, TCP and TLS.  NAPTR/SRV for others are skipped. */
	uint32_t protos;
	/** Random source (NULL = internal PRNG seeded by getrandom()). */
	sx_sip_dns_rand_h *rand_h;
	void *rand_arg;
};

/**
 * Create a resolver on @loop.  @prm may be NULL.  Returns 0, -EINVAL (bad
 * parameter or server list), -ENOMEM, or -EIO when c-ares cannot start.
 */
int sx_sip_dns_alloc(struct sx_sip_dns **dnsp, struct sx_ev *loop,
                     const struct sx_sip_dns_prm *prm) SX_MUST_CHECK;

/**
 * Destroy a resolver (NULL is a no-op): outstanding resolutions are
 * dropped without calling their handlers, and every query handle becomes
 * invalid.  Call it before freeing the loop; it may be called from a
 * resolve handler.
 */
void sx_sip_dns_free(struct sx_sip_dns *dns);

/** Drop every cached answer. */
void sx_sip_dns_cache_flush(struct sx_sip_dns *dns);

/** Number of cached answers (positive and negative). */
size_t sx_sip_dns_cache_count(const struct sx_sip_dns *dns);

/* -- resolution -------------------------------------------------------- */

/** How a target was found. */
enum sx_sip_dns_src {
	SX_SIP_DNS_SRC_NUMERIC = 0, /**< IP literal in the URI */
	SX_SIP_DNS_SRC_ADDR,        /**< A/AAAA of the host (no SRV) */
	SX_SIP_DNS_SRC_SRV,         /**< SRV, without NAPTR */
	SX_SIP_DNS_SRC_NAPTR,       /**< NAPTR, then SRV */
};

/** One destination. */
struct sx_sip_dns_target {
	enum sx_sip_proto proto;
	struct sx_sa addr; /**< address and port */
	enum sx_sip_dns_src src;
	uint16_t naptr_order; /**< NAPTR order/preference (0 if none) */
	uint16_t naptr_pref;
	uint16_t srv_prio; /**< SRV priority/weight (0 if none) */
	uint16_t srv_weight;
};

/**
 * Completion of sx_sip_resolve(): @err is 0 and @list holds at least one
 * target (the handler owns it: sx_mem_unref() when done), or @err is
 * negative and @list NULL: -ENOENT (no such host or no usable records),
 * -ETIMEDOUT, -EIO (server failure or bad answer), -ENOMEM.
 * It always runs from the loop (never inside sx_sip_resolve()).
 */
typedef void(sx_sip_dns_h)(int err, struct sx_sip_dns_targets *list, void *arg);

/**
 * Locate the servers for @target (RFC 3263 4).  @forced overrides the
 * transport (e.g. from an outbound proxy setting), SX_SIP_PROTO_NONE
 * otherwise.  @target's slices need only be valid during the call.
 * On 0 the handler will run exactly once, unless the query is cancelled;
 * *@queryp (may be NULL) receives a handle for sx_sip_dns_cancel(),
 * valid until the handler starts.  Returns 0, -EINVAL (not a sip/sips
 * URI, bad host or maddr), -EPROTONOSUPPORT (transport unknown or not in
 * prm.protos, sips over UDP), -ENOMEM.
 */
int sx_sip_resolve(struct sx_sip_dns *dns, const struct sx_sip_uri *target,
                   enum sx_sip_proto forced, sx_sip_dns_h *h, void *arg,
                   struct sx_sip_dns_query **queryp) SX_MUST_CHECK;

/**
 * Cancel an outstanding resolution: its handler will not be called.
 * DNS requests already sent still complete in the background (and fill
 * the cache).  NULL is a no-op.
 */
void sx_sip_dns_cancel(struct sx_sip_dns_query *query);

/* -- target lists (RFC 3263 4.3 failover) ------------------------------ */

/** Number of targets in @list. */
size_t sx_sip_dns_targets_count(const struct sx_sip_dns_targets *list);

/** Target @i (0-based), NULL past the end. */
const struct sx_sip_dns_target *
sx_sip_dns_targets_get(const struct sx_sip_dns_targets *list, size_t i);

/**
 * The next destination to try: fills @peerp (proto and remote; local
 * unset, conn_id 0) and advances.  The first call gives the first
 * target.  Returns 0, or -ENOENT when every target has been tried.
 */
int sx_sip_dns_targets_next(struct sx_sip_dns_targets *list,
                            struct sx_sip_peer *peerp) SX_MUST_CHECK;

#endif
