/*
 * Shared skeleton of the sipx-uac and sipx-uas test tools (RFC 3261 17,
 * 18): N workers, each with its own sx_ev loop, a transport set (UDP,
 * TCP and TLS as asked) and a transaction layer whose branches carry
 * the worker id.  Worker 0 runs on the main thread, which also takes
 * SIGINT/SIGTERM; the others run on their own threads.  UDP sockets of
 * all workers share one port through SO_REUSEPORT, so a response may be
 * read by a worker that does not own its transaction: it is handed to
 * the owner with sx_ev_post() (sx_sip_branch_owner()).
 */
#ifndef SX_TOOL_H
#define SX_TOOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <sx/port/ev.h>
#include <sx/port/sa.h>
#include <sx/sip/tp_stream.h>
#include <sx/sip/tp_tls.h>
#include <sx/sip/tp_udp.h>
#include <sx/sip/transport.h>
#include <sx/sip/tsx.h>

/** Most worker threads of a tool. */
#define TOOL_WORKERS_MAX 16
/** Rounds over the loops when draining posted work at shutdown. */
#define TOOL_DRAIN_ROUNDS 64

struct tool;

/** One worker: a loop, its transports and its transaction layer. */
struct tool_worker {
	struct tool *tool;
	unsigned id;
	struct sx_ev *loop;
	struct sx_sip_tpset *set;
	struct sx_sip_tp_udp *udp;
	struct sx_sip_tp_stream *tcp;
	struct sx_sip_tp_stream *tls;
	struct sx_sip_tsx_layer *layer;
	pthread_t thread;
	bool running;
	void *app; /**< the tool's per-worker state */
};

/** What the tool sets up; zero-initialise, then fill. */
struct tool_prm {
	const char *name;     /**< program name for messages */
	struct sx_sa addr;    /**< local address; port 0 = any */
	uint16_t tls_port;    /**< TLS listen port (0 = any) */
	bool udp, tcp, tls;   /**< transports to create */
	bool listen;          /**< TCP/TLS listeners (servers) */
	const char *cert;     /**< TLS certificate (servers) */
	const char *key;      /**< TLS key */
	const char *ca;       /**< TLS trust anchors (clients) */
	unsigned nworkers;    /**< 1..TOOL_WORKERS_MAX */
	size_t udp_batch;     /**< recvmmsg slots, 0 = default */
	struct sx_sip_tsx_layer_prm layer; /**< handlers; .arg and .worker
	                                        are set per worker */
	/** per-worker set-up before the loops run; sets w->app */
	int (*worker_init)(struct tool_worker *w);
	/** per-worker tear-down after the loops stopped and drained */
	void (*worker_fini)(struct tool_worker *w);
	/** SIGINT/SIGTERM on the main loop (NULL = tool_stop()) */
	void (*on_signal)(struct tool *t, int signo);
};

struct tool {
	struct tool_prm prm;
	struct sx_sip_tls *tls_ctx;
	struct tool_worker *w[TOOL_WORKERS_MAX];
	unsigned nworkers;
	atomic_bool stopping;
	atomic_uint_fast64_t handovers; /**< responses passed between workers */
};

/**
 * Create the workers (sockets bound, layers ready; nothing runs yet).
 * @t is caller memory.  Returns 0 or a negative errno (logged).
 */
int tool_init(struct tool *t, const struct tool_prm *prm);

/**
 * Run every worker until tool_stop(): threads for workers 1.., worker 0
 * on the calling thread.  Then join, drain posted work and call
 * worker_fini.  Returns 0 or a negative errno.
 */
int tool_run(struct tool *t);

/** Make every loop return.  Any thread. */
void tool_stop(struct tool *t);

/** Free the workers and the TLS context (after tool_run()). */
void tool_fini(struct tool *t);

/** Local UDP address of worker @w (for Via and Contact). */
const struct sx_sa *tool_udp_local(const struct tool_worker *w);

/** The stream transport of @w for @proto (NULL when absent). */
struct sx_sip_tp_stream *tool_stream(const struct tool_worker *w,
                                     enum sx_sip_proto proto);

/** Parse "udp", "tcp", "tls" (case-insensitive); NONE if unknown. */
enum sx_sip_proto tool_proto_parse(const char *s);

/** Lower-case protocol name for URIs ("udp"). */
const char *tool_proto_lc(enum sx_sip_proto p);

/**
 * Parse "host[:port]" (IPv4 or bracketed IPv6 literal) with @defport
 * when the port is absent.  0 or -EINVAL.
 */
int tool_addr_parse(struct sx_sa *sa, const char *s, uint16_t defport);

/** Parse a decimal number into [@min, @max]; 0 or -EINVAL. */
int tool_num(const char *s, unsigned long min, unsigned long max,
             unsigned long *outp);

/** Monotonic wall time in ms (for rates and durations). */
uint64_t tool_now_ms(void);

#endif
