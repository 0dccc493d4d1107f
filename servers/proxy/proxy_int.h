/*
 * Private structures of the proxy (RFC 3261 16): the proxy object, the
 * outcome of request processing (16.3 - 16.5) and the forwarding
 * context of one server transaction with its client branches (16.6,
 * 16.7).
 */
#ifndef SX_PROXY_INT_H
#define SX_PROXY_INT_H

#include <pthread.h>

#include <sx/port/sa.h>
#include <sx/server/proxy.h>
#include <sx/server/registrar.h>
#include <sx/util/buf.h>

/** Room for a printed "host:port" of ours. */
#define PX_HOSTPORT_MAX 64u
/** Room for a Via value we push (before the previous one). */
#define PX_VIA_MAX 256u

struct sx_proxy {
	char *domain;
	struct sx_registrar *reg;
	bool record_route;
	struct sx_store *store; /**< call-state events (cse.h), may be NULL */
	/** forwarding contexts still waiting for branches, freed with the
	 *  proxy (the layers end transactions without callbacks) */
	pthread_mutex_t lock;
	bool lock_made;
	struct px_fwd *live;
};

/** One target of a forward: URI, Path routes, resolved next hop. */
struct px_target {
	struct sx_sl uri;  /**< new Request-URI, empty = keep */
	struct sx_sl path; /**< Path values to put as Route, may be empty */
	uint16_t q;	   /**< q-value x 1000 (RFC 3261 16.6: serial
			        forking by q groups) */
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
};

struct px_fwd; /* fork.c */

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

/** Free the forwarding contexts still live (proxy teardown). */
void px_fwd_drop_all(struct sx_proxy *px);

/** Answer @stsx with @code, logging a failure. */
void px_reply(struct sx_sip_tsx *stsx, uint16_t code, const char *reason,
	      struct sx_sl extra);

#endif
