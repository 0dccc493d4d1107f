/*
 * SIP transactions (RFC 3261 17, with the RFC 6026 corrections): client
 * and server INVITE and non-INVITE state machines, their timers, request
 * and response matching (17.1.3, 17.2.3 and the RFC 2543 fallback),
 * CANCEL (9), merged-request detection (8.2.2.2), the automatic 100
 * Trying (16.2, 17.2.1) and stateless replies.
 *
 * One layer per worker loop; everything runs on that loop's thread.  The
 * layer sends through one struct sx_sip_tport (a transport or a transport
 * set) and is fed received messages with sx_sip_tsx_layer_recv() (or by
 * installing sx_sip_tsx_tport_recv() / sx_sip_tsx_tport_err() as the
 * transport's handlers).
 *
 * Ownership: transactions are refcounted sx_mem objects.  The layer keeps
 * a reference while a transaction is live (in its tables) and one per
 * armed timer; sx_sip_tsx_request() gives the caller one more, which it
 * drops with sx_mem_unref() when it no longer needs the handle (the
 * transaction runs on without it).  Server transactions are lent to the
 * handlers: take sx_mem_ref() to keep one past the callback.  A handler
 * may call any function of this API, including on the transaction it was
 * given.  Freeing the layer (sx_mem_unref) terminates every transaction
 * without callbacks; handles still held then return -ENOTCONN.
 */
#ifndef SX_SIP_TSX_H
#define SX_SIP_TSX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/port/ev.h>
#include <sx/sip/msg.h>
#include <sx/sip/print.h>
#include <sx/sip/tport.h>
#include <sx/util/compiler.h>
#include <sx/util/sl.h>

/* -- RFC 3261 timer values (17.1.1.1 and Table 4), milliseconds -- */
/** T1: RTT estimate (RFC 3261 17.1.1.1). */
#define SX_SIP_T1_MS 500u
/** T2: longest retransmit interval of non-INVITE requests and INVITE
 *  responses (RFC 3261 17.1.2.2, Table 4). */
#define SX_SIP_T2_MS 4000u
/** T4: longest time a message stays in the network (Table 4). */
#define SX_SIP_T4_MS 5000u
/** Timer D over unreliable transports: "at least 32 s" (17.1.1.2). */
#define SX_SIP_TIMER_D_MS 32000u
/** Timer C, proxy INVITE: "greater than 3 minutes" (16.6 step 11). */
#define SX_SIP_TIMER_C_MS 181000u
/** Delay of the automatic 100 Trying for INVITE (17.2.1, 16.2). */
#define SX_SIP_TRYING_MS 200u
/** Default cap of live transactions per layer; over it new requests get
 *  a stateless 503 with Retry-After (local policy), as do requests whose
 *  hash chain is full (peer-chosen keys colliding on purpose). */
#define SX_SIP_TSX_MAX_DEFAULT 100000u
/** Retry-After of that 503, seconds (RFC 3261 20.33). */
#define SX_SIP_TSX_RETRY_AFTER_S 5u
/** Largest worker id a branch can carry (3 hex digits). */
#define SX_SIP_TSX_WORKER_MAX 0xfffu
/** Buffer size for sx_sip_branch_make() and tags (with NUL). */
#define SX_SIP_BRANCH_SIZE 48u

struct sx_sip_tsx_layer;
struct sx_sip_tsx;

enum sx_sip_tsx_state {
	SX_SIP_TSX_CALLING,    /**< client INVITE, request sent */
	SX_SIP_TSX_TRYING,     /**< non-INVITE, no response yet */
	SX_SIP_TSX_PROCEEDING, /**< provisional seen / server INVITE */
	SX_SIP_TSX_COMPLETED,  /**< final non-2xx (or non-INVITE final) */
	SX_SIP_TSX_ACCEPTED,   /**< INVITE 2xx (RFC 6026 7.1, 7.2) */
	SX_SIP_TSX_CONFIRMED,  /**< server INVITE, ACK received */
	SX_SIP_TSX_TERMINATED,
};

/** Why a transaction terminated (sx_sip_tsx_term_h). */
enum sx_sip_tsx_end {
	SX_SIP_TSX_END_NORMAL = 0, /**< its last timer ran (D, I, J, K, L,
	                                M) or a final arrived on a reliable
	                                transport */
	SX_SIP_TSX_END_TIMEOUT,    /**< B/F (408 given to the TU) or H (no
	                                ACK for a non-2xx final) */
	SX_SIP_TSX_END_TRANSPORT,  /**< transport error (client: 503 given
	                                to the TU) */
	SX_SIP_TSX_END_NOMEM,      /**< could not arm a timer or copy */
};

/**
 * New server transaction for @req (never ACK).  @stsx is lent for the
 * call; @peer stays valid while the transaction lives.  @req
 * (sx_sip_tsx_msg()) stays valid until the transaction has sent its
 * final response and the layer has received its next message: a
 * completed non-INVITE transaction over UDP then lets its request go
 * (it keeps what matches retransmissions for Timer J).  A TU that
 * reads the request after answering holds it with
 * sx_sip_tsx_hold_request().  Answer with sx_sip_tsx_reply() now or
 * later.
 */
typedef void(sx_sip_tsx_request_h)(struct sx_sip_tsx *stsx,
                                   const struct sx_sip_msg *req,
                                   const struct sx_sip_peer *peer, void *arg);

/**
 * A request that matches no transaction and creates none: ACK for a 2xx
 * (and any other unmatched ACK), an ACK matched to an INVITE server
 * transaction in the Accepted state (RFC 6026 7.1), and, when
 * prm.pass_unmatched_cancel is set, a CANCEL that matches nothing (a
 * proxy forwards it statelessly, RFC 3261 16.10).  @msg is lent.
 */
typedef void(sx_sip_tsx_stateless_h)(struct sx_sip_tsx_layer *layer,
                                     const struct sx_sip_msg *msg,
                                     const struct sx_sip_peer *peer, void *arg);

/**
 * A response that matches no client transaction (RFC 3261 17.1.3): a
 * proxy forwards it statelessly (16.7), a UA drops it.  @msg is lent.
 */
typedef void(sx_sip_tsx_stray_h)(struct sx_sip_tsx_layer *layer,
                                 const struct sx_sip_msg *msg,
                                 const struct sx_sip_peer *peer, void *arg);

/**
 * A CANCEL matched server INVITE transaction @invite that has not sent a
 * final response; the CANCEL itself has been answered 200 (RFC 3261
 * 9.2).  The TU should answer @invite (487 for a UAS).  Without this
 * handler the layer answers 487 itself.  CANCELs never reach request_h:
 * one for an answered INVITE or a non-INVITE only gets its 200 (9), one
 * that matches nothing a 481 (or stateless_h, see prm).
 */
typedef void(sx_sip_tsx_cancel_h)(struct sx_sip_tsx *invite,
                                  const struct sx_sip_msg *cancel, void *arg);

/**
 * Message owned by another worker: a response whose branch names worker
 * @owner (sx_sip_branch_owner()).  The handler takes @msg (it frees it
 * or hands it over with sx_sip_tsx_layer_handover()); the copy of @peer
 * is the caller's.
 */
typedef void(sx_sip_tsx_foreign_h)(struct sx_sip_tsx_layer *layer,
                                   struct sx_sip_msg *msg,
                                   const struct sx_sip_peer *peer, int owner,
                                   void *arg);

/** A transaction ended (after its last TU callback).  @tsx is lent. */
typedef void(sx_sip_tsx_term_h)(struct sx_sip_tsx *tsx, enum sx_sip_tsx_end why,
                                void *arg);

/**
 * Response for client transaction @ctsx: every provisional, the final
 * non-2xx once, and for INVITE every 2xx including retransmissions
 * received in the Accepted state (RFC 6026 7.2), so a proxy can forward
 * each.  @resp is NULL for a response the layer made up: 408 on Timer
 * B/F (or a CANCELled INVITE left unanswered, RFC 3261 9.1; Timer C
 * without a provisional, 16.8), 503 on a transport error (8.1.3.1).
 * @status is the status code in both cases.
 */
typedef void(sx_sip_tsx_response_h)(struct sx_sip_tsx *ctsx, uint16_t status,
                                    const struct sx_sip_msg *resp, void *arg);

/** Layer parameters; zero-initialise, then set what you need. */
struct sx_sip_tsx_layer_prm {
	uint32_t t1_ms;      /**< 0 = SX_SIP_T1_MS */
	uint32_t t2_ms;      /**< 0 = SX_SIP_T2_MS */
	uint32_t t4_ms;      /**< 0 = SX_SIP_T4_MS */
	uint32_t timer_c_ms; /**< 0 = SX_SIP_TIMER_C_MS */
	uint32_t trying_ms;  /**< 0 = SX_SIP_TRYING_MS */
	bool no_auto_trying; /**< never send 100 Trying by itself */
	size_t max_tsx;      /**< 0 = SX_SIP_TSX_MAX_DEFAULT */
	unsigned worker;     /**< owner id put in branches and tags
	                          (<= SX_SIP_TSX_WORKER_MAX) */
	/** RFC 3261 8.2.2.2: answer merged requests 482 (UAs; a proxy
	 *  leaves it off, 16.3 spirals look alike) */
	bool detect_merged;
	/** give unmatched CANCELs to stateless_h instead of a 481 */
	bool pass_unmatched_cancel;

	sx_sip_tsx_request_h *request_h;     /**< new server transactions */
	sx_sip_tsx_stateless_h *stateless_h; /**< NULL = drop */
	sx_sip_tsx_stray_h *stray_h;         /**< NULL = drop */
	sx_sip_tsx_cancel_h *cancel_h;       /**< NULL = automatic 487 */
	sx_sip_tsx_foreign_h *foreign_h;     /**< NULL = handle locally */
	sx_sip_tsx_term_h *term_h;           /**< NULL = not told */
	void *arg;                           /**< for all the above */
};

/**
 * Create a layer on @loop sending through @tp (neither is referenced:
 * both must outlive the layer).  Returns 0, -EINVAL (bad parameter,
 * e.g. worker too large) or -ENOMEM.  Free with sx_mem_unref().
 */
int sx_sip_tsx_layer_alloc(struct sx_sip_tsx_layer **layerp, struct sx_ev *loop,
                           struct sx_sip_tport *tp,
                           const struct sx_sip_tsx_layer_prm *prm)
    SX_MUST_CHECK;

/**
 * Feed a received message: matches it to a transaction, or creates a
 * server transaction, or passes it to the stateless/stray handlers.
 * Takes @msg (freed here or kept by a transaction).  Loop thread.
 */
void sx_sip_tsx_layer_recv(struct sx_sip_tsx_layer *layer,
                           struct sx_sip_msg *msg,
                           const struct sx_sip_peer *peer);

/**
 * Asynchronous transport failure towards @peer: client transactions
 * sending there that still wait for a final response get a 503 and end
 * (RFC 3261 8.1.3.1, 17.1.1.2, 17.1.2.2).
 */
void sx_sip_tsx_layer_tport_err(struct sx_sip_tsx_layer *layer,
                                const struct sx_sip_peer *peer, int err);

/** sx_sip_tport_recv_h adapter: @arg is the layer. */
void sx_sip_tsx_tport_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                           const struct sx_sip_peer *peer, void *arg);
/** sx_sip_tport_err_h adapter: @arg is the layer. */
void sx_sip_tsx_tport_err(struct sx_sip_tport *tp,
                          const struct sx_sip_peer *peer, int err, void *arg);

/**
 * Hand @msg, read by another worker, to layer @to (the owner named by the
 * response's branch; typically called from prm.foreign_h): it is posted
 * to @to's loop and fed to sx_sip_tsx_layer_recv() there, with a copy
 * of @peer.  The post holds a reference on @to.  If @stop is not NULL,
 * it is read on @to's loop when the message arrives and, when set, the
 * message is dropped instead (the owner is shutting down and its
 * transports may be gone).  Takes @msg in every case (freed on error).
 * Any thread.  Returns 0, -EINVAL, -ENOMEM or -ENOBUFS (owner's post
 * queue full, sx_ev_post()).
 */
int sx_sip_tsx_layer_handover(struct sx_sip_tsx_layer *to,
                              struct sx_sip_msg *msg,
                              const struct sx_sip_peer *peer,
                              const atomic_bool *stop);

/** Live transactions (client and server). */
size_t sx_sip_tsx_layer_count(const struct sx_sip_tsx_layer *layer);

/* -- branches and tags (ARCHITECTURE.md 4) -- */

/**
 * Write a new branch "z9hG4bK" "sx" <3 hex worker id> <24 hex random>
 * into @buf (SX_SIP_BRANCH_SIZE bytes, NUL-terminated).  Returns its
 * length.
 */
size_t sx_sip_branch_make(struct sx_sip_tsx_layer *layer, char *buf);

/** Worker id a branch made by sx_sip_branch_make() carries, else -1. */
int sx_sip_branch_owner(struct sx_sl branch);

/** A random tag carrying the worker id (same form without the cookie). */
size_t sx_sip_tag_make(struct sx_sip_tsx_layer *layer, char *buf);

/* -- client transactions (RFC 3261 17.1) -- */

/** sx_sip_tsx_request() parameters; zero-initialise. */
struct sx_sip_tsx_req_prm {
	const char *buf; /**< complete request; its top Via carries a
	                      branch from sx_sip_branch_make() */
	size_t len;
	struct sx_sip_peer dst; /**< resolved next hop */
	sx_sip_tsx_response_h *resp_h;
	void *arg;    /**< for resp_h, and sx_sip_tsx_arg() */
	bool timer_c; /**< proxy INVITE: run Timer C (16.6/16.8) */
};

/**
 * Start a client transaction: copy and check the request (no ACK: send
 * those with sx_sip_tsx_send_stateless()), send it, arm its timers.
 * *@tsxp gets a reference for the caller.  A failed send is reported
 * as a 503 to resp_h from the loop (RFC 3261 8.1.3.1), never from inside
 * this call.  Returns 0, -EINVAL (bad arguments, not a request, ACK, no
 * RFC 3261 branch), -EBADMSG (does not parse), -EEXIST (branch and
 * method already in use), -EBUSY (over prm.max_tsx) or -ENOMEM; on
 * error nothing is left running and resp_h is not called.
 */
int sx_sip_tsx_request(struct sx_sip_tsx **tsxp, struct sx_sip_tsx_layer *layer,
                       const struct sx_sip_tsx_req_prm *prm) SX_MUST_CHECK;

/**
 * CANCEL a client INVITE (RFC 3261 9.1): builds it from the INVITE
 * (Request-URI, Call-ID, To, From, CSeq number, top Via, Route) with
 * @extra header lines (CRLF-terminated, may be empty; e.g. Reason), and
 * sends it in its own transaction once a provisional response has
 * arrived (at once if one has).  If no final response follows within
 * 64*T1, the TU gets a 408.  Returns 0, -EINVAL (not an INVITE client
 * transaction), -EALREADY (final response received or already
 * cancelling), -ENOMEM, -ENOTCONN.
 */
int sx_sip_tsx_cancel(struct sx_sip_tsx *ctsx,
                      struct sx_sl extra) SX_MUST_CHECK;

/* -- server transactions (RFC 3261 17.2) -- */

/**
 * Answer server transaction @stsx (RFC 3261 8.2.6 via sx_sip_reply_print):
 * @code 100..699, @reason NULL for the default phrase, @extra complete
 * header lines (CRLF-terminated; may be empty), @ctype/@body an optional
 * body.  A To tag is added to responses other than 100 when the request
 * had none (sx_sip_tsx_to_tag()).  Returns 0, -EINVAL, -EALREADY (a final
 * response was sent; for INVITE only 2xx may be repeated, in Accepted),
 * -ENOMEM, -ENOTCONN, or the send error (the transaction then ends).
 */
int sx_sip_tsx_reply(struct sx_sip_tsx *stsx, uint16_t code, const char *reason,
                     struct sx_sl extra, struct sx_sl ctype,
                     struct sx_sl body) SX_MUST_CHECK;

/**
 * sx_sip_tsx_reply() of a final response to a non-INVITE request that
 * needs no retransmission by us, e.g. a digest challenge (RFC 3261 8.2.7
 * lets a UAS answer statelessly): the transaction ends once it is sent
 * instead of waiting in Completed for Timer J (32 s), and a retransmitted
 * request is answered afresh.  -EINVAL for INVITE or a code below 200;
 * otherwise as sx_sip_tsx_reply().
 */
int sx_sip_tsx_reply_once(struct sx_sip_tsx *stsx, uint16_t code,
                          const char *reason, struct sx_sl extra);

/**
 * Send a response built elsewhere (a proxy forwarding what it received,
 * with its own Via already removed) through @stsx's state machine: @buf
 * is copied and parsed for its status and To tag.  Returns as
 * sx_sip_tsx_reply(), plus -EBADMSG when @buf is not a response.
 */
int sx_sip_tsx_reply_raw(struct sx_sip_tsx *stsx, const char *buf,
                         size_t len) SX_MUST_CHECK;

/**
 * Set the To tag for @stsx's responses (before the first non-100 one;
 * the layer makes one with sx_sip_tag_make() otherwise).  0, -EINVAL,
 * -EALREADY, -ENOMEM.
 */
int sx_sip_tsx_set_to_tag(struct sx_sip_tsx *stsx,
                          struct sx_sl tag) SX_MUST_CHECK;

/** The To tag used by @stsx (empty before the first response). */
struct sx_sl sx_sip_tsx_to_tag(const struct sx_sip_tsx *stsx);

/* -- stateless sending -- */

/**
 * Reply to @req statelessly (RFC 3261 8.2.6, 16.3, 18.2.2 destination),
 * with @extra header lines.  Never answers ACK (returns 0).
 * Returns 0, -EINVAL, -ENOMEM, or the send error.
 */
int sx_sip_tsx_reply_stateless(struct sx_sip_tsx_layer *layer,
                               const struct sx_sip_msg *req,
                               const struct sx_sip_peer *peer, uint16_t code,
                               const char *reason,
                               struct sx_sl extra) SX_MUST_CHECK;

/**
 * Send bytes outside any transaction (ACK for a 2xx, a response or
 * request forwarded statelessly).  Returns the transport's result.
 */
int sx_sip_tsx_send_stateless(struct sx_sip_tsx_layer *layer,
                              const struct sx_sip_peer *dst, const char *buf,
                              size_t len) SX_MUST_CHECK;

/* -- accessors -- */

enum sx_sip_tsx_state sx_sip_tsx_state(const struct sx_sip_tsx *tsx);
bool sx_sip_tsx_is_client(const struct sx_sip_tsx *tsx);
/** Method of the transaction's request. */
enum sx_sip_method sx_sip_tsx_method(const struct sx_sip_tsx *tsx);
/** The request (client: our copy; server: the received one, NULL once
 *  a completed server transaction let it go, see sx_sip_tsx_request_h). */
const struct sx_sip_msg *sx_sip_tsx_msg(const struct sx_sip_tsx *tsx);
/**
 * Keep (@hold true) or stop keeping (false) the request of server
 * transaction @stsx beyond its final response; holds nest.  A TU that
 * keeps the request pointer in state outliving its answer (a proxy's
 * fork context) holds it for that state's life.  NULL is ignored.
 */
void sx_sip_tsx_hold_request(struct sx_sip_tsx *stsx, bool hold);
/** Client: the next hop; server: where the request came from. */
const struct sx_sip_peer *sx_sip_tsx_peer(const struct sx_sip_tsx *tsx);
/** Last status sent (server) or received (client); 0 if none. */
uint16_t sx_sip_tsx_status(const struct sx_sip_tsx *tsx);
/** The TU's pointer (client: prm.arg; server: NULL until set). */
void *sx_sip_tsx_arg(const struct sx_sip_tsx *tsx);
void sx_sip_tsx_set_arg(struct sx_sip_tsx *tsx, void *arg);
/** The layer, or NULL after the layer was freed. */
struct sx_sip_tsx_layer *sx_sip_tsx_layer(const struct sx_sip_tsx *tsx);
/** Name of a state ("Proceeding"). */
const char *sx_sip_tsx_state_name(enum sx_sip_tsx_state st);

#endif
