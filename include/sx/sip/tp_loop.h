/*
 * Loop transport for tests (pjsip's sip_transport_loop.h): two in-process
 * transports, A and B, wired to each other.  Whatever one sends is
 * delivered to the other through the event loop, parsed as received from
 * the sender's address, with impairments applied per sending side:
 * loss, duplication, delay and jitter (which reorders), from a seeded
 * deterministic PRNG, so a run repeats exactly.  Deliveries are timers
 * (sx_tmr), so a virtual clock drives them: after a send, deliver with
 * sx_ev_run_once(loop, 0) (zero delay) or sx_ev_clock_advance().
 *
 * Typical transaction-layer test:
 *
 *	struct sx_sip_tp_loop *a, *b;
 *	struct sx_sip_tp_loop_prm prm = {.seed = 1};
 *	sx_sip_tp_loop_pair_alloc(&a, &b, loop, &prm);
 *	sx_sip_tp_loop_set_handlers(b, on_recv, NULL, ctx);
 *	sx_sip_tp_loop_set_imp(a, &(struct sx_sip_tp_loop_imp){
 *		.drop_pct = 30, .delay_ms = 20, .jitter_ms = 50});
 *	... tsx layer sends through sx_sip_tp_loop_tport(a) ...
 *	sx_ev_clock_advance(loop, 100);
 *	sx_mem_unref(a); sx_mem_unref(b);
 *
 * Peers: messages arrive with {proto, remote = sender's address, local =
 * receiver's address, conn_id = the pair's id for a reliable proto, else
 * 0}.  Send ignores peer->remote: everything goes to the other side.
 * Loop thread only.
 */
#ifndef SX_SIP_TP_LOOP_H
#define SX_SIP_TP_LOOP_H

#include <stdint.h>

#include <sx/port/ev.h>
#include <sx/port/sa.h>
#include <sx/sip/tport.h>
#include <sx/util/compiler.h>

/** Most messages in flight towards one side; more are dropped. */
#define SX_SIP_TP_LOOP_INFLIGHT_MAX 4096

struct sx_sip_tp_loop;

/** Pair parameters; zero-initialise, then set what you need. */
struct sx_sip_tp_loop_prm {
	/** proto reported in peers and Via-wise reliability
	 *  (NONE = UDP; TCP/TLS give a conn_id) */
	enum sx_sip_proto proto;
	struct sx_sa addr_a; /**< A's address (unset = 127.0.0.1:5060) */
	struct sx_sa addr_b; /**< B's address (unset = 127.0.0.2:5060) */
	uint64_t seed;       /**< PRNG seed (same seed, same run) */
};

/** Impairments of the messages one side sends (all zero = perfect). */
struct sx_sip_tp_loop_imp {
	unsigned drop_pct;  /**< 0..100: chance a message is lost */
	unsigned dup_pct;   /**< 0..100: chance it arrives twice */
	unsigned fail_pct;  /**< 0..100: chance send() fails at once with
	                         -ENETUNREACH (nothing is delivered) */
	uint32_t delay_ms;  /**< delivery delay of every copy */
	uint32_t jitter_ms; /**< plus a uniform 0..jitter_ms per copy;
	                         copies may overtake each other */
};

/** Counters of one side. */
struct sx_sip_tp_loop_stats {
	uint64_t sent;       /**< send() calls accepted */
	uint64_t failed;     /**< send() calls failed (fail_pct or errors) */
	uint64_t dropped;    /**< messages lost (drop_pct, drop_next, limit) */
	uint64_t duplicated; /**< extra copies created */
	uint64_t delivered;  /**< messages this side received (recv_h) */
	uint64_t bad;        /**< copies this side received that failed to
	                          parse (not delivered) */
};

/**
 * Create a connected pair on @loop.  Both start without impairments and
 * without handlers (messages arriving before sx_sip_tp_loop_set_handlers()
 * are counted as delivered and freed).  Each side is an sx_mem object
 * embedding struct sx_sip_tport first; free each with sx_mem_unref() (in
 * any order: sends towards a freed side fail with -ENOTCONN, its
 * in-flight messages are discarded).  @prm may be NULL.
 * Returns 0, -EINVAL or -ENOMEM (nothing allocated).
 */
int sx_sip_tp_loop_pair_alloc(
    struct sx_sip_tp_loop **ap, struct sx_sip_tp_loop **bp, struct sx_ev *loop,
    const struct sx_sip_tp_loop_prm *prm) SX_MUST_CHECK;

/** The side's struct sx_sip_tport. */
struct sx_sip_tport *sx_sip_tp_loop_tport(struct sx_sip_tp_loop *tp);

/** Set the handlers that receive what the other side sends. */
void sx_sip_tp_loop_set_handlers(struct sx_sip_tp_loop *tp,
                                 sx_sip_tport_recv_h *recv_h,
                                 sx_sip_tport_err_h *err_h, void *arg);

/** Set the impairments of what @tp sends.  0 or -EINVAL (pct > 100). */
int sx_sip_tp_loop_set_imp(struct sx_sip_tp_loop *tp,
                           const struct sx_sip_tp_loop_imp *imp) SX_MUST_CHECK;

/** Lose the next @n messages @tp sends (deterministic, before drop_pct). */
void sx_sip_tp_loop_drop_next(struct sx_sip_tp_loop *tp, unsigned n);

/** The side's address (what the other side sees as remote). */
const struct sx_sa *sx_sip_tp_loop_addr(const struct sx_sip_tp_loop *tp);

/** Messages in flight towards @tp. */
size_t sx_sip_tp_loop_inflight(const struct sx_sip_tp_loop *tp);

/** Copy the counters. */
void sx_sip_tp_loop_stats(const struct sx_sip_tp_loop *tp,
                          struct sx_sip_tp_loop_stats *st);

#endif
