/*
 * Private structures of the proxy (RFC 3261 16): the proxy object, the
 * outcome of request processing (16.3 - 16.5) and the forwarding
 * context of one server transaction with its client branches (16.6,
 * 16.7).
 */
#ifndef SX_PROXY_INT_H
#define SX_PROXY_INT_H

#include <pthread.h>
#include <time.h>

#include <sx/port/sa.h>
#include <sx/server/proxy.h>
#include <sx/server/registrar.h>
#include <sx/sip/print.h>
#include <sx/util/buf.h>
#include <sx/util/watched.h>

/** Room for a printed "host:port" of ours. */
#define PX_HOSTPORT_MAX 64u
/** Longest [proxy] dns_servers value. */
#define PX_DNS_SERVERS_MAX 1024u
/** Room for a Via value we push (before the previous one). */
#define PX_VIA_MAX 256u

struct sx_proxy {
	char *domain;
	struct sx_sip_auth *auth; /**< 407 engine, NULL = no authentication */
	char *realm;		  /**< its realm (with @auth) */
	struct sx_sa trusted[SX_PROXY_TRUSTED_MAX];
	size_t ntrusted;
	/** authrules.xml, permission.xml, forwardingrules.xml */
	pthread_mutex_t rules_lock;
	bool rules_lock_made;
	struct sx_watched authrules, permissions, fwdrules; /**< rules.c */
	struct sx_registrar *reg;
	/** "<sip:host:port;lr>" of the remote registrar (Route we push),
	 *  NULL when co-located or none */
	char *remote_reg;
	bool record_route;
	struct sx_store *store; /**< call-state events (cse.h), may be NULL */
	/** forwarding contexts still waiting for branches, freed with the
	 *  proxy (the layers end transactions without callbacks) */
	pthread_mutex_t lock;
	bool lock_made;
	struct px_fwd *live;
	/** RFC 3263 resolvers, one per worker loop (fork.c, under @lock) */
	struct px_dns *dns;
	/** their name servers (c-ares CSV), NULL = resolv.conf */
	const char *dns_servers;
	char *dns_servers_buf; /**< [proxy] dns_servers, owned */
	/** ring time of a q group followed by another (fork.c), ms */
	uint32_t serial_ms;
};

/** One target of a forward: URI, Path routes, resolved next hop. */
struct px_target {
	struct sx_sl uri;  /**< new Request-URI, empty = keep */
	struct sx_sl path; /**< Path values to put as Route, may be empty */
	uint16_t q;	   /**< q-value x 1000 (RFC 3261 16.6: serial
			        forking by q groups) */
	/** NAT: the binding's source "ip:port" to send to instead of the
	 *  URI's host (px_nat_received()), empty = the URI decides */
	struct sx_sl received;
	struct sx_sl transport; /**< the binding's transport ("udp"...) */
};

/** A received request, as the proxy sees it after 16.3 / 16.4. */
struct px_req {
	struct sx_proxy *px;
	const struct sx_sip_msg *msg;
	const struct sx_sip_peer *peer;
	struct sx_sip_tsx *stsx;	    /**< NULL when stateless */
	char self[PX_HOSTPORT_MAX]; /**< our "addr:port" it arrived on */
	bool pop_route;		    /**< top Route was ours */
	uint32_t loop_hash;
	/** strict routing (16.4): Route field to drop, its URI the new
	 *  Request-URI; NULL when loose */
	const struct sx_sip_hdr *strict_rm;
	bool trusted;	/**< source listed in [proxy] trusted */
	bool authed;	/**< Proxy-Authorization checked OK (22.3) */
	char user[SX_SIP_AUTH_MAX_USER_LEN + 1]; /**< authenticated user */
	/** worker loop of the request (fork.c: ring timers, call-state
	 *  events); NULL = none */
	struct sx_ev *loop;
};

struct px_fwd; /* fork.c */

/* -- proxy.c ------------------------------------------------------------- */

/** Is @u an address-of-record of our domain (no port or @in's port)? */
bool px_uri_in_domain(const struct sx_proxy *px, const struct sx_sip_uri *u,
		      const struct sx_sip_peer *in);

/** The Request-URI after Route processing (strict routing undone). */
const struct sx_sip_uri *px_request_uri(const struct px_req *rq);

/**
 * NAT (like Kamailio nathelper fix_nated_register): should a binding
 * with contact @uri, source @received ("ip:port") and @transport be
 * reached at @received?  Yes when they differ and the contact host is
 * a private or unroutable address, or the binding came over a
 * connection (tcp, tls, ws, wss).
 */
bool px_nat_received(const struct sx_sip_uri *uri, struct sx_sl received,
		     struct sx_sl transport);

/* -- auth.c: authentication and identity (RFC 3261 22.3, RFC 3325) ------ */

/** Set up the 407 engine and the trusted list from @prm.  0, -EINVAL,
 *  -ENOMEM or the engine's error. */
int px_auth_init(struct sx_proxy *px, const struct sx_proxy_prm *prm);

/** Is @addr (port ignored) in [proxy] trusted? */
bool px_is_trusted(const struct sx_proxy *px, const struct sx_sa *addr);

/**
 * Authenticate @rq when it needs it (a dialog-creating or out-of-dialog
 * INVITE, REFER, SUBSCRIBE, MESSAGE or PUBLISH from our domain, from an
 * untrusted source): sets rq->authed and rq->user on success.  Returns
 * true when the request was answered (407, 400, 403 or 500).
 */
bool px_authenticate(struct px_req *rq);

/**
 * Identity edits for forwarding @rq to @t (RFC 3325, RFC 3261 22.3):
 * our realm's Proxy-Authorization removed; P-Asserted-Identity /
 * P-Preferred-Identity replaced by ours (in @buf of @cap bytes) for an
 * authenticated caller, untrusted PAI dropped, PAI dropped towards an
 * untrusted target outside our domain when Privacy: id.
 */
void px_identity_edit(const struct px_req *rq, const struct px_target *t,
		      struct sx_sip_edit *e, char *buf, size_t cap);

/* -- rules.c: authrules.xml, permission.xml, forwardingrules.xml --------- */

/** Set the rule files of @prm and load them.  0 or -ENOMEM. */
int px_rules_init(struct sx_proxy *px, const struct sx_proxy_prm *prm);

/** Look at the rule files' mtimes on their next use, whenever they were
 *  looked at last (tests; the files are polled once a second). */
void px_rules_recheck(struct sx_proxy *px);

/** Drop the loaded rules (teardown). */
void px_rules_fini(struct sx_proxy *px);

/**
 * authrules.xml / permission.xml (sipXecs EnforceAuthRules): does
 * the request of @rq to @ruri need a permission its caller lacks?
 * Returns 0 when allowed, else a status (403) with the missing
 * permission's name in @reason (@cap bytes: "<Name> Required").
 */
uint16_t px_permission_check(struct px_req *rq, const struct sx_sip_uri *ruri,
			     char *reason, size_t cap);

/**
 * forwardingrules.xml: the host[:port] a rule routes @rq to, printed
 * as a loose Route "<sip:HOST;lr>" into @buf (@cap bytes).  Returns 1
 * when a rule routes it elsewhere, 0 when the registrar decides (no
 * rule, or a rule routing to ourselves), -E2BIG.
 */
int px_forward_route(struct px_req *rq, char *buf, size_t cap);

/** Our "addr:port" of @peer's local address into @buf. */
int px_self(const struct sx_sip_peer *peer, char *buf, size_t cap);

/** Does @uri name us (@self or our domain without a user)? */
bool px_uri_is_us(const struct sx_proxy *px, const struct sx_sip_uri *uri,
		  const char *self);

/** Next hop of @uri (IP literal only).  0, -EAGAIN (needs DNS), -EINVAL. */
int px_next_hop(const struct sx_sip_uri *uri, const struct sx_sip_peer *in,
		struct sx_sip_peer *dst);

/**
 * Print @rq's request towards target @t with our Via (@branch) on top:
 * new Request-URI, Max-Forwards - 1, optional Record-Route, Path routes.
 */
int px_print_fwd(const struct px_req *rq, const struct px_target *t,
		 enum sx_sip_proto proto, const char *branch, struct sx_buf *out);

/** Next hop of target @t of @rq: first Path, next Route or the URI. */
int px_target_hop(const struct px_req *rq, const struct px_target *t,
		  struct sx_sip_peer *dst);

/** Pop our Via off response @msg and send it by the next Via (16.7). */
void px_forward_response(struct sx_sip_tsx_layer *layer,
			 const struct sx_sip_msg *msg);

/** Fork @rq to targets @t[0..n), sorted by q descending, statefully
 *  (16.6); answers on error. */
void px_fork(struct px_req *rq, const struct px_target *t, size_t n);

/** Longest reason phrase px_reject() keeps. */
#define PX_REJECT_REASON_MAX 160u

/**
 * Answer @rq ourselves with final @st (>= 300) and @reason (NULL =
 * default): an initial INVITE is still a call attempt, so with a store
 * its REQUEST and FAILURE events are recorded, the latter durably before
 * the answer goes out, and the cdr service writes a "failed" CDR.
 */
void px_reject(struct px_req *rq, uint16_t st, const char *reason);

/** Free the forwarding contexts still live (proxy teardown). */
void px_fwd_drop_all(struct sx_proxy *px);

/** Answer @stsx with @code, logging a failure. */
void px_reply(struct sx_sip_tsx *stsx, uint16_t code, const char *reason,
	      struct sx_sl extra);

#endif
