/*
 * Workers of the host process (ARCHITECTURE.md 4, STYLE.md 2.9): N
 * threads, each with its own event loop, a transport set (UDP on every
 * listen address with SO_REUSEPORT so that the kernel spreads the
 * traffic, TCP listeners likewise, TLS when configured; RFC 3261 18) and
 * a transaction layer (RFC 3261 17) whose branches carry the worker id.
 * A response that reaches the wrong worker is handed to its owner's layer
 * with sx_sip_tsx_layer_handover().  Connections stay on the worker that
 * accepted them.
 */
#define SX_LOG_MOD "host.worker"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sx/port/udp.h>
#include <sx/sip/tp_tls.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "host_int.h"

/** Most addresses one transport listens on (bind x ports). */
#define LISTEN_MAX SX_MIN(SX_SIP_TP_UDP_MAX_SOCKS, SX_SIP_TP_STREAM_MAX_LISTEN)
/** Most rounds over the worker loops when draining at shutdown. */
#define DRAIN_ROUNDS 64

static void tp_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                    const struct sx_sip_peer *peer, void *arg)
{
	struct sx_worker *w = arg;

	(void)tp;
	sx_sip_tsx_layer_recv(w->tsx, msg, peer);
}

static void tp_err(struct sx_sip_tport *tp, const struct sx_sip_peer *peer,
                   int err, void *arg)
{
	struct sx_worker *w = arg;

	(void)tp;
	sx_sip_tsx_layer_tport_err(w->tsx, peer, err);
}

/* sx_sip_tsx_foreign_h: a response whose branch names another worker.
 * The stop flag is checked on the owner's loop: at shutdown the drain
 * runs queued hand-overs after the transports' users have stopped. */
static void on_foreign(struct sx_sip_tsx_layer *layer, struct sx_sip_msg *msg,
                       const struct sx_sip_peer *peer, int owner, void *arg)
{
	struct sx_worker *w = arg;
	struct sx_host *h = w->host;
	int err = -ENOENT;

	(void)layer;
	if (owner >= 0 && (unsigned)owner < h->nworkers) {
		err = sx_sip_tsx_layer_handover(h->workers[owner]->tsx, msg,
		                                peer, &h->stopping);
		msg = NULL;
	}
	if (err) {
		SX_LOG_WARN_RL("worker %u: response for worker %d dropped: %s",
		               w->id, owner, strerror(-err));
		sx_sip_msg_free(msg);
	}
}

/* Every bind address with every port of @ports. */
static size_t listen_addrs(const struct sx_host *h, const uint16_t *ports,
                           size_t nports, struct sx_sa *out)
{
	size_t n = 0;

	for (size_t p = 0; p < nports; p++)
		for (size_t b = 0; b < h->cfg->nbind; b++) {
			out[n] = h->cfg->bind[b];
			sx_sa_set_port(&out[n++], ports[p]);
		}
	return n;
}

static int add_stream(struct sx_worker *w, enum sx_sip_proto proto,
                      const struct sx_sa *addrs, size_t n,
                      struct sx_sip_tp_stream **tpp)
{
	struct sx_sip_tp_stream_prm prm = {
	    .proto = proto,
	    .tls = proto == SX_SIP_PROTO_TLS ? w->host->tls : NULL,
	    .listen = addrs,
	    .nlisten = n,
	    .reuseport = true,
	    .recv_h = tp_recv,
	    .err_h = tp_err,
	    .arg = w,
	};
	int err = sx_sip_tp_stream_alloc(tpp, w->loop, &prm);

	if (!err)
		err = sx_sip_tpset_add(w->tpset, proto,
		                       sx_sip_tp_stream_tport(*tpp));
	return err;
}

static int worker_tports(struct sx_worker *w)
{
	struct sx_host *h = w->host;
	uint16_t ports[SX_HOST_MAX_PORTS];
	struct sx_sa addrs[LISTEN_MAX * 2];
	size_t nports = 0;

	ports[nports++] = h->port;
	for (size_t i = 0; i < h->nsvc; i++)
		if (h->svc[i].port)
			ports[nports++] = h->svc[i].port;
	if (nports * h->cfg->nbind > LISTEN_MAX)
		return -E2BIG;
	size_t n = listen_addrs(h, ports, nports, addrs);
	struct sx_sip_tp_udp_prm uprm = {
	    .local = addrs,
	    .nlocal = n,
	    .reuseport = true,
	    .rcvbuf = (int)h->cfg->sip.udp_rcvbuf,
	    .recv_h = tp_recv,
	    .err_h = tp_err,
	    .arg = w,
	};
	int err = sx_sip_tpset_alloc(&w->tpset, tp_recv, tp_err, w);
	if (!err)
		err = sx_sip_tp_udp_alloc(&w->udp, w->loop, &uprm);
	if (!err)
		err = sx_sip_tpset_add(w->tpset, SX_SIP_PROTO_UDP,
		                       sx_sip_tp_udp_tport(w->udp));
	if (!err && h->cfg->sip.tcp)
		err = add_stream(w, SX_SIP_PROTO_TCP, addrs, n, &w->tcp);
	if (!err && h->tls) {
		n = listen_addrs(h, &h->tls_port, 1, addrs);
		err = add_stream(w, SX_SIP_PROTO_TLS, addrs, n, &w->tls);
	}
	return err;
}

static int worker_alloc(struct sx_host *h, unsigned id)
{
	const struct sx_host_sip_cfg *sc = &h->cfg->sip;
	struct sx_worker *w = sx_mem_zalloc(sizeof(*w), NULL);
	int err;

	if (!w)
		return -ENOMEM;
	w->host = h;
	w->id = id;
	h->workers[h->nworkers++] = w;
	err = sx_ev_alloc(&w->loop, NULL);
	if (!err)
		err = worker_tports(w);
	if (err)
		return err;
	struct sx_sip_tsx_layer_prm prm = {
	    .t1_ms = sc->t1_ms,
	    .t2_ms = sc->t2_ms,
	    .t4_ms = sc->t4_ms,
	    .worker = id,
	    .request_h = sx_host__on_request,
	    .stateless_h = sx_host__on_stateless,
	    .cancel_h = sx_host__on_cancel,
	    .stray_h = sx_host__on_stray,
	    .foreign_h = on_foreign,
	    /* a forwarding front service (proxy) relays unmatched CANCELs */
	    .pass_unmatched_cancel = h->front && h->front->ops->stateless,
	    .arg = w,
	};
	return sx_sip_tsx_layer_alloc(&w->tsx, w->loop,
	                              sx_sip_tpset_tport(w->tpset), &prm);
}

/*
 * [sip] port 0 means "any free port": hold a SO_REUSEPORT socket on it while
 * the workers bind the same number, so that they all agree.
 */
static int resolve_port(struct sx_host *h, uint16_t *portp,
                        struct sx_udp **holdp)
{
	struct sx_udp_prm prm = {.reuseport = true};
	struct sx_sa sa = h->cfg->bind[0];

	if (*portp)
		return 0;
	int err = sx_udp_open(holdp, &sa, &prm);
	if (!err)
		*portp = sx_sa_port(sx_udp_local(*holdp));
	return err;
}

static void log_listen_err(const struct sx_host *h, int err)
{
	char ports[SX_HOST_MAX_PORTS * 8] = "", addr[SX_SA_STRLEN] = "?";
	size_t len = 0;

	len += (size_t)snprintf(ports, sizeof(ports), "%u", h->port);
	if (h->tls)
		len += (size_t)snprintf(ports + len, sizeof(ports) - len,
		                        ", %u (tls)", h->tls_port);
	for (size_t i = 0; i < h->nsvc; i++)
		if (h->svc[i].port && len < sizeof(ports))
			len +=
			    (size_t)snprintf(ports + len, sizeof(ports) - len,
			                     ", %u", h->svc[i].port);
	if (sx_sa_print_addr(&h->cfg->bind[0], addr, sizeof(addr)) < 0)
		addr[0] = '\0';
	SX_LOG_ERR("cannot listen on %s%s port %s: %s", addr,
	           h->cfg->nbind > 1 ? " (and the other bind addresses)" : "",
	           ports, strerror(-err));
}

int sx_host__workers_alloc(struct sx_host *h)
{
	struct sx_udp *hold[SX_HOST_MAX_PORTS] = {NULL};
	size_t nhold = 0;
	int err = resolve_port(h, &h->port, &hold[nhold++]);

	if (!err && h->tls)
		err = resolve_port(h, &h->tls_port, &hold[nhold++]);
	for (unsigned i = 0; i < h->cfg->nworkers && !err; i++)
		err = worker_alloc(h, i);
	if (err)
		log_listen_err(h, err);
	for (size_t i = 0; i < nhold; i++)
		sx_udp_close(hold[i]);
	return err;
}

/* Worker thread: the services' per-worker set-up, then the loop. */
static void *worker_main(void *arg)
{
	struct sx_worker *w = arg;
	struct sx_host *h = w->host;
	int err = 0;

	for (size_t i = 0; i < h->nsvc && !err; i++)
		if (h->svc[i].ops->worker_start)
			err = h->svc[i].ops->worker_start(h->svc[i].svc, w);
	pthread_mutex_lock(&h->mtx);
	h->nready++;
	if (err && !h->start_err)
		h->start_err = err;
	pthread_cond_signal(&h->cond);
	pthread_mutex_unlock(&h->mtx);
	if (err)
		SX_LOG_ERR("worker %u: service set-up failed: %s", w->id,
		           strerror(-err));
	else
		sx_ev_run(w->loop);
	return NULL;
}

/* Wait (bounded) until every started thread reported. */
static int wait_ready(struct sx_host *h, unsigned nthreads)
{
	struct timespec until;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += SX_HOST_START_WAIT_MS / 1000;
	pthread_mutex_lock(&h->mtx);
	while (h->nready < nthreads && !err)
		err = -pthread_cond_timedwait(&h->cond, &h->mtx, &until);
	if (!err)
		err = h->start_err;
	pthread_mutex_unlock(&h->mtx);
	return err;
}

int sx_host__workers_start(struct sx_host *h)
{
	unsigned started = 0;
	int err = 0;

	for (unsigned i = 0; i < h->nworkers && !err; i++) {
		err = -pthread_create(&h->workers[i]->thread, NULL, worker_main,
		                      h->workers[i]);
		if (!err) {
			h->workers[i]->running = true;
			started++;
		}
	}
	int werr = wait_ready(h, started);
	if (err || werr)
		SX_LOG_ERR("workers did not start: %s",
		           strerror(-(err ? err : werr)));
	return err ? err : werr;
}

void sx_host__workers_join(struct sx_host *h)
{
	for (unsigned i = 0; i < h->nworkers; i++)
		if (h->workers[i]->running)
			sx_ev_stop(h->workers[i]->loop);
	for (unsigned i = 0; i < h->nworkers; i++) {
		if (!h->workers[i]->running)
			continue;
		pthread_join(h->workers[i]->thread, NULL);
		h->workers[i]->running = false;
	}
}

void sx_host__workers_drain(struct sx_host *h)
{
	bool more = true;

	/* A posted callback may post to another worker: loop until quiet.
	 * The threads are joined, so only the sockets bring new work (each
	 * request then gets a 503); the bound keeps a flood from holding
	 * the shutdown. */
	for (unsigned round = 0; more && round < DRAIN_ROUNDS; round++) {
		more = false;
		for (unsigned i = 0; i < h->nworkers; i++)
			if (h->workers[i]->loop &&
			    sx_ev_run_once(h->workers[i]->loop, 0) > 0)
				more = true;
	}
}

void sx_host__workers_free(struct sx_host *h)
{
	for (unsigned i = 0; i < h->nworkers; i++) {
		struct sx_worker *w = h->workers[i];
		w->tsx = sx_mem_unref(w->tsx);
		w->tpset = sx_mem_unref(w->tpset);
		w->udp = sx_mem_unref(w->udp);
		w->tcp = sx_mem_unref(w->tcp);
		w->tls = sx_mem_unref(w->tls);
		sx_ev_free(w->loop);
		sx_mem_unref(w);
		h->workers[i] = NULL;
	}
	h->nworkers = 0;
}

/* -- service.h accessors --------------------------------------------------
 */

struct sx_ev *sx_worker_loop(struct sx_worker *w)
{
	return w ? w->loop : NULL;
}

struct sx_sip_tsx_layer *sx_worker_tsx(struct sx_worker *w)
{
	return w ? w->tsx : NULL;
}

unsigned sx_worker_id(const struct sx_worker *w)
{
	return w ? w->id : 0;
}
