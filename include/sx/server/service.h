/*
 * The seam between the host process (servers/common) and the services
 * it hosts (registrar, proxy, publisher, cdr ...), ARCHITECTURE.md 1.
 *
 * One binary hosts any subset of services chosen by configuration.  The
 * host owns the workers (one event loop, transport set and transaction
 * layer each), the store and the digest engine; a service declares its
 * config schema and receives the server transactions addressed to it.
 * Co-located services call each other through their own public headers
 * (e.g. the proxy asks the registrar's redirect function directly);
 * remote ones get the same request over SIP.
 */
#ifndef SX_SERVER_SERVICE_H
#define SX_SERVER_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include <sx/port/ev.h>
#include <sx/sip/auth.h>
#include <sx/sip/msg.h>
#include <sx/sip/tport.h>
#include <sx/sip/tsx.h>
#include <sx/util/conf.h>

struct sx_host;
struct sx_worker;
struct sx_store;
struct sx_sip_auth;

struct sx_service_ops {
	const char *name; /**< also its config section, e.g. "registrar" */
	const struct sx_conf_key *keys; /**< schema of [name] */
	size_t nkeys;
	size_t cfg_size;  /**< size of the struct the keys fill */

	/**
	 * Create the service once, on the main thread, before the workers
	 * run.  @cfg is its filled config struct (valid until stop).
	 * Returns 0 or a negative errno (start-up fails).
	 */
	int (*start)(void **svcp, struct sx_host *host, const void *cfg);

	/** Per worker set-up on that worker's thread (optional). */
	int (*worker_start)(void *svc, struct sx_worker *w);

	/**
	 * A new server transaction for this service, on worker @w's
	 * thread.  The service answers through sx_sip_tsx_reply() now or
	 * later (taking a reference on @stsx while it waits).
	 */
	void (*request)(void *svc, struct sx_worker *w, struct sx_sip_tsx *stsx,
			const struct sx_sip_msg *msg,
			const struct sx_sip_peer *peer);

	/** Apply reloadable keys after SIGHUP (optional). */
	int (*reload)(void *svc, const void *cfg);

	/** Tear down, main thread, after the workers stopped. */
	void (*stop)(void *svc);

	/* Optional members read by the host (servers/common). */

	/** Methods it handles, listed in the host's Allow header of its
	 *  OPTIONS answer, e.g. "REGISTER"; NULL = none. */
	const char *allow;
	/** Option tags it supports, listed in Supported, e.g. "path";
	 *  NULL = none. */
	const char *supported;
	/**
	 * Its own SIP port, read from its filled config (e.g. the
	 * registrar's 5070): the host listens on it (UDP and TCP, on every
	 * bind address) besides the main port and gives every request
	 * arriving there to this service.  0 = none (the service only gets
	 * the main port's requests when it is the front service).
	 */
	uint16_t (*port)(const void *cfg);

	/*
	 * Optional hooks of a service that forwards requests (the proxy),
	 * on the worker's thread; the message is lent for the call.
	 */
	/** ACK for a 2xx, or a request matching no transaction, arriving
	 *  for this service; its presence also makes unmatched CANCELs come
	 *  here (a proxy forwards them, RFC 3261 16.10) instead of 481. */
	void (*stateless)(void *svc, struct sx_worker *w,
			  const struct sx_sip_msg *msg,
			  const struct sx_sip_peer *peer);
	/** The caller cancelled server INVITE @invite (RFC 3261 9.2). */
	void (*cancel)(void *svc, struct sx_sip_tsx *invite,
		       const struct sx_sip_msg *cancel);
	/** A response matching no client transaction (RFC 3261 16.7). */
	void (*stray)(void *svc, struct sx_worker *w,
		      const struct sx_sip_msg *msg,
		      const struct sx_sip_peer *peer);
};

/** The host's loop, transaction layer and id of a worker. */
struct sx_ev *sx_worker_loop(struct sx_worker *w);
struct sx_sip_tsx_layer *sx_worker_tsx(struct sx_worker *w);
unsigned sx_worker_id(const struct sx_worker *w);

/** Shared services of the host process. */
struct sx_store *sx_host_store(struct sx_host *h);
/**
 * The host's HA1 lookup (an sx_sip_auth_lookup_h; @host is the struct
 * sx_host) for the services' digest engines (the registrar's 401, the
 * proxy's 407).  May block on the store.
 */
int sx_host_ha1_lookup(struct sx_sl user, struct sx_sl realm,
		       struct sx_sip_auth_ha1 *ha1p, void *host);
/** SIP domain and digest realm ([sip] domain / realm). */
const char *sx_host_domain(const struct sx_host *h);
const char *sx_host_realm(const struct sx_host *h);
/** Digest algorithms to challenge with ([sip] digest_algorithms):
 *  SX_SIP_AUTH_F_* flags for struct sx_sip_auth_prm.algs. */
unsigned sx_host_digest_algs(const struct sx_host *h);
/** The host's digest nonce secret ([sip] auth_secret_file, or random
 *  for this run when the file cannot be had), shared by the services'
 *  engines so that each verifies the others' nonces. */
const uint8_t *sx_host_auth_secret(const struct sx_host *h, size_t *lenp);
/** A service hosted in this process, or NULL (for in-process calls). */
void *sx_host_service(struct sx_host *h, const char *name);

#endif
