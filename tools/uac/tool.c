/*
 * Skeleton of the sipx-uac / sipx-uas test tools: workers with a loop, a
 * transport set and a transaction layer each (RFC 3261 17, 18; RFC 3581
 * rport), signals on the main loop, and the hand-over of responses read
 * by the wrong worker (ARCHITECTURE.md 4: the owner id in the branch).
 */
#define SX_LOG_MOD "tool"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "tool.h"

static void tp_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                    const struct sx_sip_peer *peer, void *arg)
{
	struct tool_worker *w = arg;

	(void)tp;
	sx_sip_tsx_layer_recv(w->layer, msg, peer);
}

/* Transport failures are what a tool user needs to see (TLS above all). */
static void tp_err(struct sx_sip_tport *tp, const struct sx_sip_peer *peer,
                   int err, void *arg)
{
	struct tool_worker *w = arg;
	char addr[SX_SA_STRLEN] = "?";

	(void)tp;
	if (sx_sa_print(&peer->remote, addr, sizeof(addr)) < 0)
		strcpy(addr, "?");
	if (err == -EPROTO)
		SX_LOG_ERR_RL("%s: TLS handshake with %s failed (certificate "
		              "not trusted or name mismatch)",
		              w->tool->prm.name, addr);
	else
		SX_LOG_ERR_RL("%s: %s transport error towards %s: %s",
		              w->tool->prm.name, sx_sip_proto_name(peer->proto),
		              addr, strerror(-err));
	sx_sip_tsx_layer_tport_err(w->layer, peer, err);
}

/* sx_sip_tsx_foreign_h: a response whose branch names another worker. */
static void on_foreign(struct sx_sip_tsx_layer *layer, struct sx_sip_msg *msg,
                       const struct sx_sip_peer *peer, int owner, void *arg)
{
	struct tool_worker *w = arg;
	struct tool *t = w->tool;
	int err = -ENOENT;

	(void)layer;
	if (owner >= 0 && (unsigned)owner < t->nworkers) {
		err = sx_sip_tsx_layer_handover(t->w[owner]->layer, msg, peer,
		                                NULL);
		msg = NULL;
	}
	if (err) {
		SX_LOG_WARN_RL("worker %u: response for worker %d dropped: %s",
		               w->id, owner, strerror(-err));
		sx_sip_msg_free(msg);
		return;
	}
	atomic_fetch_add(&t->handovers, 1);
}

static int add_stream(struct tool_worker *w, enum sx_sip_proto proto,
                      struct sx_sa local, struct sx_sip_tp_stream **tpp)
{
	const struct tool_prm *tp = &w->tool->prm;
	struct sx_sip_tp_stream_prm prm = {
	    .proto = proto,
	    .tls = proto == SX_SIP_PROTO_TLS ? w->tool->tls_ctx : NULL,
	    .listen = &local,
	    .nlisten = tp->listen ? 1 : 0,
	    .reuseport = w->tool->prm.nworkers > 1,
	    .recv_h = tp_recv,
	    .err_h = tp_err,
	    .arg = w,
	};
	int err = sx_sip_tp_stream_alloc(tpp, w->loop, &prm);

	if (!err)
		err = sx_sip_tpset_add(w->set, proto,
		                       sx_sip_tp_stream_tport(*tpp));
	return err;
}

/* Later workers bind the ports worker 0 got. */
static struct sx_sa port_of(const struct tool *t, struct sx_sa sa,
                            enum sx_sip_proto proto)
{
	const struct tool_worker *w0 = t->nworkers ? t->w[0] : NULL;
	const struct sx_sa *got = NULL;

	if (!w0)
		return sa;
	if (proto == SX_SIP_PROTO_UDP && w0->udp)
		got = sx_sip_tp_udp_local(w0->udp, 0);
	else if (proto != SX_SIP_PROTO_UDP && tool_stream(w0, proto))
		got = sx_sip_tp_stream_listen_addr(tool_stream(w0, proto), 0);
	if (got)
		sx_sa_set_port(&sa, sx_sa_port(got));
	return sa;
}

static int worker_tports(struct tool_worker *w)
{
	struct tool *t = w->tool;
	struct sx_sa udp = port_of(t, t->prm.addr, SX_SIP_PROTO_UDP);
	struct sx_sip_tp_udp_prm uprm = {
	    .local = &udp,
	    .nlocal = 1,
	    .reuseport = t->prm.nworkers > 1,
	    .rcvbuf = SX_SIP_TP_UDP_RCVBUF,
	    .batch = t->prm.udp_batch,
	    .recv_h = tp_recv,
	    .err_h = tp_err,
	    .arg = w,
	};
	int err = sx_sip_tpset_alloc(&w->set, tp_recv, tp_err, w);

	/* a client always has UDP: its address goes into Via and Contact */
	if (!err)
		err = sx_sip_tp_udp_alloc(&w->udp, w->loop, &uprm);
	if (!err)
		err = sx_sip_tpset_add(w->set, SX_SIP_PROTO_UDP,
		                       sx_sip_tp_udp_tport(w->udp));
	if (!err && t->prm.tcp) {
		/* the TCP listener takes the UDP port (RFC 3261 18.2.1) */
		struct sx_sa a = *sx_sip_tp_udp_local(w->udp, 0);
		err = add_stream(w, SX_SIP_PROTO_TCP,
		                 port_of(t, a, SX_SIP_PROTO_TCP), &w->tcp);
	}
	if (!err && t->prm.tls) {
		struct sx_sa a = t->prm.addr;
		sx_sa_set_port(&a, t->prm.tls_port);
		err = add_stream(w, SX_SIP_PROTO_TLS,
		                 port_of(t, a, SX_SIP_PROTO_TLS), &w->tls);
	}
	return err;
}

static int worker_alloc(struct tool *t, unsigned id)
{
	struct tool_worker *w = sx_mem_zalloc(sizeof(*w), NULL);
	int err;

	if (!w)
		return -ENOMEM;
	w->tool = t;
	w->id = id;
	t->w[t->nworkers++] = w;
	err = sx_ev_alloc(&w->loop, NULL);
	if (!err)
		err = worker_tports(w);
	if (err)
		return err;
	struct sx_sip_tsx_layer_prm prm = t->prm.layer;
	prm.worker = id;
	prm.arg = w;
	prm.foreign_h = on_foreign;
	err = sx_sip_tsx_layer_alloc(&w->layer, w->loop,
	                             sx_sip_tpset_tport(w->set), &prm);
	if (!err && t->prm.worker_init)
		err = t->prm.worker_init(w);
	return err;
}

int tool_init(struct tool *t, const struct tool_prm *prm)
{
	int err = 0;

	memset(t, 0, sizeof(*t));
	t->prm = *prm;
	if (!prm->nworkers || prm->nworkers > TOOL_WORKERS_MAX)
		return -EINVAL;
	if (prm->tls) {
		struct sx_sip_tls_prm tprm = {.cert_file = prm->cert,
		                              .key_file = prm->key,
		                              .ca_file = prm->ca};
		err = sx_sip_tls_alloc(&t->tls_ctx, &tprm);
		if (err)
			SX_LOG_ERR("%s: TLS set-up failed: %s", prm->name,
			           strerror(-err));
	}
	for (unsigned i = 0; i < prm->nworkers && !err; i++)
		err = worker_alloc(t, i);
	if (err)
		SX_LOG_ERR("%s: cannot set up worker sockets: %s", prm->name,
		           strerror(-err));
	return err;
}

static void *worker_main(void *arg)
{
	struct tool_worker *w = arg;

	sx_ev_run(w->loop);
	return NULL;
}

static void on_signal(int signo, void *arg)
{
	struct tool *t = arg;

	if (t->prm.on_signal)
		t->prm.on_signal(t, signo);
	else
		tool_stop(t);
}

/* Posted work may post further: run the loops until quiet (bounded). */
static void drain(struct tool *t)
{
	bool more = true;

	for (unsigned round = 0; more && round < TOOL_DRAIN_ROUNDS; round++) {
		more = false;
		for (unsigned i = 0; i < t->nworkers; i++)
			if (sx_ev_run_once(t->w[i]->loop, 0) > 0)
				more = true;
	}
}

int tool_run(struct tool *t)
{
	struct sx_ev *main_loop = t->w[0]->loop;
	int err = sx_ev_signal_add(main_loop, SIGINT, on_signal, t);

	if (!err)
		err = sx_ev_signal_add(main_loop, SIGTERM, on_signal, t);
	for (unsigned i = 1; i < t->nworkers && !err; i++) {
		err = -pthread_create(&t->w[i]->thread, NULL, worker_main,
		                      t->w[i]);
		t->w[i]->running = !err;
	}
	if (!err)
		err = sx_ev_run(main_loop);
	tool_stop(t);
	for (unsigned i = 1; i < t->nworkers; i++)
		if (t->w[i]->running) {
			pthread_join(t->w[i]->thread, NULL);
			t->w[i]->running = false;
		}
	drain(t);
	for (unsigned i = 0; i < t->nworkers; i++)
		if (t->prm.worker_fini)
			t->prm.worker_fini(t->w[i]);
	(void)sx_ev_signal_del(main_loop, SIGINT);
	(void)sx_ev_signal_del(main_loop, SIGTERM);
	return err;
}

void tool_stop(struct tool *t)
{
	atomic_store(&t->stopping, true);
	for (unsigned i = 0; i < t->nworkers; i++)
		sx_ev_stop(t->w[i]->loop);
}

void tool_fini(struct tool *t)
{
	for (unsigned i = 0; i < t->nworkers; i++) {
		struct tool_worker *w = t->w[i];
		w->layer = sx_mem_unref(w->layer);
		w->set = sx_mem_unref(w->set);
		w->udp = sx_mem_unref(w->udp);
		w->tcp = sx_mem_unref(w->tcp);
		w->tls = sx_mem_unref(w->tls);
		sx_ev_free(w->loop);
		sx_mem_unref(w);
		t->w[i] = NULL;
	}
	t->nworkers = 0;
	t->tls_ctx = sx_mem_unref(t->tls_ctx);
}

const struct sx_sa *tool_udp_local(const struct tool_worker *w)
{
	return sx_sip_tp_udp_local(w->udp, 0);
}

struct sx_sip_tp_stream *tool_stream(const struct tool_worker *w,
                                     enum sx_sip_proto proto)
{
	if (proto == SX_SIP_PROTO_TCP)
		return w->tcp;
	return proto == SX_SIP_PROTO_TLS ? w->tls : NULL;
}

enum sx_sip_proto tool_proto_parse(const char *s)
{
	enum sx_sip_proto p = sx_sip_proto_lookup(sx_sl_cstr(s));

	return p == SX_SIP_PROTO_UDP || p == SX_SIP_PROTO_TCP ||
	               p == SX_SIP_PROTO_TLS
	           ? p
	           : SX_SIP_PROTO_NONE;
}

const char *tool_proto_lc(enum sx_sip_proto p)
{
	switch (p) {
	case SX_SIP_PROTO_TCP:
		return "tcp";
	case SX_SIP_PROTO_TLS:
		return "tls";
	default:
		return "udp";
	}
}

int tool_addr_parse(struct sx_sa *sa, const char *s, uint16_t defport)
{
	struct sx_sa tmp;

	if (!s || sx_sa_parse(&tmp, sx_sl_cstr(s)))
		return -EINVAL;
	if (!sx_sa_port(&tmp))
		sx_sa_set_port(&tmp, defport);
	*sa = tmp;
	return 0;
}

int tool_num(const char *s, unsigned long min, unsigned long max,
             unsigned long *outp)
{
	char *end = NULL;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*outp = v;
	return 0;
}

uint64_t tool_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
