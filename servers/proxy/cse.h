/*
 * Call-state events (SIPXECS-REFERENCE.md 1.2): what the proxy records
 * of each call for the cdr service, which resolves them into Call Detail
 * Records.  Events go to the store's call-event log
 * (SX_STORE_LOG_CALL_EVENTS).
 */
#ifndef SX_PROXY_CSE_H
#define SX_PROXY_CSE_H

#include <sx/port/ev.h>
#include <sx/sip/msg.h>

struct sx_proxy;

/** Kinds of call-state event (sipXproxy's CSE types). */
enum px_cse_type {
	PX_CSE_REQUEST,  /**< initial INVITE forwarded */
	PX_CSE_SETUP,    /**< 2xx to the INVITE relayed */
	PX_CSE_FAILURE,  /**< final >= 300 to the INVITE relayed */
	PX_CSE_END,      /**< BYE forwarded */
	PX_CSE_TRANSFER, /**< REFER forwarded */
};

/** Completion: the event is durable (@err 0) or could not be stored. */
typedef void(px_cse_done_h)(int err, void *arg);

/**
 * Record the event @type of request @req (the INVITE, BYE or REFER) and,
 * for SETUP and FAILURE, of the final response @resp (NULL otherwise).
 * With @done, the event is written durably and @done(err, @arg) runs on
 * @loop once it is (the caller holds back the response it relays until
 * then, so no acknowledged call is lost on kill -9); without, it is
 * queued and forgotten.  Returns 0 (queued: @done will run) or a
 * negative errno (nothing queued, @done will not run: go on at once).
 * Messages are read during the call only.
 */
int px_cse_emit(struct sx_proxy *px, struct sx_ev *loop,
		enum px_cse_type type, const struct sx_sip_msg *req,
		const struct sx_sip_msg *resp, px_cse_done_h *done, void *arg);

#endif
