/*
 * Private state of the host process: the host, its workers and the
 * functions shared between host.c, worker.c, dispatch.c and secret.c.
 */
#ifndef SX_SERVERS_HOST_INT_H
#define SX_SERVERS_HOST_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <sx/port/ev.h>
#include <sx/sip/tp_stream.h>
#include <sx/sip/tp_udp.h>
#include <sx/sip/transport.h>
#include <sx/sip/tsx.h>
#include <sx/store/store.h>

#include "host.h"

/** Longest Allow / Supported value the host prints. */
#define SX_HOST_HDR_MAX 512
/** Most listen ports: main, TLS, and one per service. */
#define SX_HOST_MAX_PORTS (2 + SX_HOST_MAX_SERVICES)
/** Longest wait for the workers to come up, ms. */
#define SX_HOST_START_WAIT_MS 10000

/** A running service. */
struct sx_host_svc {
	const struct sx_service_ops *ops;
	void *svc;     /**< from ops->start */
	uint16_t port; /**< own port (resolved), 0 = none */
	bool started;
};

/** One worker thread: loop, transports, transaction layer. */
struct sx_worker {
	struct sx_host *host;
	unsigned id;
	struct sx_ev *loop;
	struct sx_sip_tpset *tpset;
	struct sx_sip_tp_udp *udp;
	struct sx_sip_tp_stream *tcp;
	struct sx_sip_tp_stream *tls;
	struct sx_sip_tsx_layer *tsx;
	pthread_t thread;
	bool running; /**< thread created */
};

struct sx_host {
	struct sx_host_cfg *cfg; /**< current generation */
	struct sx_ev *loop;      /**< main thread: signals */
	struct sx_store *store;
	/** the nonce secret of the services' digest engines (registrar
	 *  401, proxy 407): from its file, so that nonces survive restarts,
	 *  or random for this run */
	uint8_t auth_secret[SX_SIP_AUTH_SECRET_MAX];
	size_t auth_secret_len;
	struct sx_sip_tls *tls;

	struct sx_host_svc svc[SX_HOST_MAX_SERVICES];
	size_t nsvc;
	struct sx_host_svc *front; /**< gets the main port's requests */

	uint16_t port;     /**< main UDP/TCP port (resolved) */
	uint16_t tls_port; /**< 0 when TLS is off */

	struct sx_worker *workers[SX_HOST_WORKERS_MAX];
	unsigned nworkers;

	/* worker start-up handshake */
	pthread_mutex_t mtx;
	pthread_cond_t cond;
	unsigned nready; /**< workers that finished worker_start */
	int start_err;   /**< first worker_start failure */

	atomic_bool stopping; /**< shutting down: refuse new requests */

	char allow[SX_HOST_HDR_MAX];     /**< Allow value of OPTIONS */
	char supported[SX_HOST_HDR_MAX]; /**< Supported value */
};

/** Create the workers (loops, transports, layers) on the main thread;
 *  resolves port 0.  0 or a negative errno (logged). */
int sx_host__workers_alloc(struct sx_host *h);
/** Start the worker threads and wait until each ran worker_start. */
int sx_host__workers_start(struct sx_host *h);
/** Stop and join the threads (idempotent). */
void sx_host__workers_join(struct sx_host *h);
/** Run pending callbacks of every worker loop on the calling thread. */
void sx_host__workers_drain(struct sx_host *h);
/** Free layers, transports and loops (threads joined). */
void sx_host__workers_free(struct sx_host *h);

/** Build h->allow and h->supported from the running services. */
void sx_host__dispatch_init(struct sx_host *h);
/** sx_sip_tsx_request_h of every worker's layer (@arg: the worker). */
struct sx_host_svc *sx_host__service_for(struct sx_host *h,
                                         const struct sx_sip_peer *peer);
void sx_host__on_stateless(struct sx_sip_tsx_layer *layer,
                           const struct sx_sip_msg *msg,
                           const struct sx_sip_peer *peer, void *arg);
void sx_host__on_cancel(struct sx_sip_tsx *invite,
                        const struct sx_sip_msg *cancel, void *arg);
void sx_host__on_stray(struct sx_sip_tsx_layer *layer,
                       const struct sx_sip_msg *msg,
                       const struct sx_sip_peer *peer, void *arg);
void sx_host__on_request(struct sx_sip_tsx *stsx, const struct sx_sip_msg *req,
                         const struct sx_sip_peer *peer, void *arg);

/** Load or create the digest secret (h->auth_secret).  0 or -errno
 *  (logged). */
int sx_host__auth_open(struct sx_host *h);

#endif
