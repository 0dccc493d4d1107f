/*
 * The proxy service (ARCHITECTURE.md 1, SIPXECS-REFERENCE.md 1.1): a
 * stateful RFC 3261 section 16 proxy in front of the registrar.  It
 * validates requests (16.3), processes Route (16.4), asks the registrar
 * for the targets of requests to our domain (16.5: in process when
 * co-located, else over SIP, recursing on the redirect server's 3xx),
 * forks statefully: q groups in series with a ring time, each group in
 * parallel, 3xx recursion, RFC 3263 next hops (16.6), picks the best
 * response (16.7), propagates CANCEL (16.10) and forwards ACK for 2xx
 * and late 2xx statelessly (16.11).  REGISTER goes to the registrar
 * (in process, or forwarded).  Callers of our domain authenticate with
 * 407 (RFC 3261 22.3) and get a P-Asserted-Identity (RFC 3325); other
 * domains are reached only by authenticated or trusted callers through
 * forwardingrules.xml (403 otherwise: no relaying); authrules.xml and
 * permission.xml restrict targets (docs/proxy.md).  Call-state events
 * for the cdr service are written to the store (cse.h).
 *
 * The host process runs it through sx_proxy_service ([proxy] section,
 * struct sx_proxy_cfg).  Tests wire the core API below to a transaction
 * layer of their own: request_h -> sx_proxy_request(), stateless_h ->
 * sx_proxy_stateless(), cancel_h -> sx_proxy_cancel(), stray_h ->
 * sx_proxy_stray().
 *
 * Threads: one proxy object serves every worker; each call runs on the
 * thread of the loop owning the transaction layer it is given.
 */
#ifndef SX_SERVER_PROXY_H
#define SX_SERVER_PROXY_H

#include <stdbool.h>

#include <sx/port/ev.h>
#include <sx/server/service.h>
#include <sx/sip/auth.h>
#include <sx/sip/msg.h>
#include <sx/sip/tport.h>
#include <sx/sip/tsx.h>
#include <sx/util/compiler.h>

struct sx_registrar;
struct sx_proxy;
struct sx_store;

/** Max-Forwards put on requests that carry none (RFC 3261 8.1.1.6). */
#define SX_PROXY_MAX_FORWARDS 70u
/** Via parameter carrying our loop hash (RFC 3261 16.6 step 8, kept
 *  outside the branch, whose form the transaction layer owns). */
#define SX_PROXY_LOOP_PARAM "sxlh"
/** Most targets forked to in parallel. */
#define SX_PROXY_FORK_MAX 16u
/** Default ring time of one q group when a lower group follows: its
 *  branches are CANCELled and the next group starts (sipXecs' 20 s). */
#define SX_PROXY_SERIAL_TIMEOUT_MS 20000u
/** Longest ring time of a q group ([proxy] serial_ring_s), ms. */
#define SX_PROXY_SERIAL_TIMEOUT_MAX_MS 600000u
/** Largest forwarded message we build, bytes. */
#define SX_PROXY_MSG_MAX 65535u

/** Most addresses in [proxy] trusted. */
#define SX_PROXY_TRUSTED_MAX 32u

/** [proxy] configuration (filled by the host from the schema). */
struct sx_proxy_cfg {
	bool record_route; /**< Record-Route dialog-creating requests */
	bool authenticate; /**< 407-challenge local callers (RFC 3261 22.3) */
	bool md5_first;	   /**< MD5 challenge before SHA-256 */
	char *trusted;	   /**< "ip[,ip...]" needing no authentication */
	char *authrules;   /**< authrules.xml path or NULL */
	char *permissions; /**< permission.xml path or NULL */
	char *forwardingrules; /**< forwardingrules.xml path or NULL */
	char *registrar; /**< "host:port" of a registrar elsewhere, or NULL */
	char *dns_servers; /**< "ip[:port],..." name servers, or NULL */
	unsigned serial_ring_s; /**< ring time of a q group, seconds */
};

/** The config schema of [proxy]. */
extern const struct sx_conf_key sx_proxy_conf_keys[];
extern const size_t sx_proxy_conf_nkeys;

/** The service the host process runs ("proxy"). */
extern const struct sx_service_ops sx_proxy_service;

/** sx_proxy_alloc() parameters; zero-initialise. */
struct sx_proxy_prm {
	const char *domain;	   /**< our SIP domain (required, copied) */
	struct sx_registrar *reg;  /**< co-located registrar, NULL = none
				        (requests to our domain get 480) */
	bool record_route;	   /**< see struct sx_proxy_cfg */
	struct sx_store *store;	   /**< call-state events go here (cse.h);
				        NULL = none recorded */
	/** HA1 lookup of the proxy's own 407 engine (RFC 3261 22.3): set,
	 *  requests from callers of our domain must authenticate; NULL =
	 *  no authentication */
	sx_sip_auth_lookup_h *lookup;
	void *lookup_arg;	   /**< for @lookup */
	const char *realm;	   /**< digest realm; NULL = @domain */
	const uint8_t *secret;	   /**< nonce secret (copied), NULL =
				        random: nonces then do not survive a
				        restart nor verify on another node */
	size_t secret_len;
	bool md5_first;		   /**< see struct sx_proxy_cfg */
	unsigned algs;		   /**< SX_SIP_AUTH_F_* offered; 0 = all */
	const char *trusted;	   /**< "ip[,ip...]": sources needing no
				        authentication, whose
				        P-Asserted-Identity is kept, and
				        targets that may see it; NULL */
	const char *authrules;	   /**< authrules.xml (urlauth-00-00) */
	const char *permissions;   /**< permission.xml (identity ->
				        permission items) */
	const char *forwardingrules; /**< forwardingrules.xml */
	/** registrar/redirect server on another host ("ip:port"), used
	 *  when @reg is NULL: REGISTER is forwarded to it and requests to
	 *  our domain are sent to it for a 3xx whose contacts the proxy
	 *  recurses on (RFC 3261 16.5, 16.7 step 3); NULL = none */
	const char *remote_registrar;
	/** name servers for RFC 3263 lookups of next hops, comma-separated
	 *  "ip", "ip:port" or "[v6]:port"; NULL = /etc/resolv.conf */
	const char *dns_servers;
	/** ring time of a q group when a lower one follows (RFC 3261 16.6
	 *  serial forking), ms, up to SX_PROXY_SERIAL_TIMEOUT_MAX_MS;
	 *  0 = SX_PROXY_SERIAL_TIMEOUT_MS (20 s) */
	uint32_t serial_ring_ms;
};

/**
 * Create a proxy.  Free with sx_mem_unref() once no worker uses it.
 * Returns 0, -EINVAL (no domain, a bad address in @prm->trusted, a bad
 * realm) or -ENOMEM.  Rule files that cannot be read are logged and
 * tried again when they change.
 */
int sx_proxy_alloc(struct sx_proxy **proxyp,
		   const struct sx_proxy_prm *prm) SX_MUST_CHECK;

/**
 * Handle new server transaction @stsx (lent, as sx_service_ops.request)
 * on worker loop @loop: answered at once (errors, 403, 404/480) or
 * forwarded, the proxy holding a reference on @stsx until it answers.
 */
void sx_proxy_request(struct sx_proxy *px, struct sx_ev *loop,
		      struct sx_sip_tsx *stsx, const struct sx_sip_msg *msg,
		      const struct sx_sip_peer *peer);

/**
 * sx_sip_tsx_stateless_h body (@msg lent): an ACK for a 2xx (or an
 * unmatched CANCEL) is forwarded statelessly by its Route / Request-URI.
 */
void sx_proxy_stateless(struct sx_proxy *px, struct sx_sip_tsx_layer *layer,
			const struct sx_sip_msg *msg,
			const struct sx_sip_peer *peer);

/**
 * sx_sip_tsx_cancel_h body: the caller cancelled server INVITE @invite;
 * every branch still pending is cancelled (RFC 3261 16.10) and the best
 * final response (487) goes back when they end.
 */
void sx_proxy_cancel(struct sx_sip_tsx *invite, const struct sx_sip_msg *cancel);

/**
 * sx_sip_tsx_stray_h body: a response matching no client transaction
 * whose top Via is ours is forwarded statelessly by the next Via
 * (RFC 3261 16.7, 2xx retransmissions); others are dropped.
 */
void sx_proxy_stray(struct sx_sip_tsx_layer *layer, const struct sx_sip_msg *msg,
		    const struct sx_sip_peer *peer);

#endif
