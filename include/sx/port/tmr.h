/*
 * sx_tmr: one-shot timers on an sx_ev loop (STYLE.md 2.5, 2.9).
 *
 * A struct sx_tmr lives inside the object it times (a transaction, a
 * registration): arming only links it into the loop's 4-ary min-heap, so
 * start and stop are O(log n) and never allocate while the heap has room
 * (struct sx_ev_prm.tmr_capacity; past it the heap array doubles once).
 * Timers with the same deadline fire in the order they were armed.
 *
 * All calls are for the loop thread only.  A handler may stop or re-arm
 * any timer, its own included.  An object's destructor must stop its
 * timers; a zero-filled struct sx_tmr is a valid, stopped timer.
 */
#ifndef SX_PORT_TMR_H
#define SX_PORT_TMR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/util/compiler.h>

struct sx_ev;

/** Timer handler; runs on the loop thread after the timer has stopped. */
typedef void(sx_tmr_h)(void *arg);

/** An embeddable timer.  Fields are private to lib/port. */
struct sx_tmr {
	struct sx_ev *loop; /**< loop it is armed on (NULL = never armed) */
	sx_tmr_h *h;        /**< handler */
	void *arg;          /**< handler argument */
	uint64_t deadline;  /**< expiry on the loop clock, ms */
	uint64_t seq;       /**< arming sequence: FIFO among equal deadlines */
	uint32_t hidx;      /**< heap index + 1; 0 = not armed */
};

/** Make @tmr a stopped timer (same as zero-filling it). */
void sx_tmr_init(struct sx_tmr *tmr);

/**
 * Arm @tmr to call @h(@arg) @delay_ms from sx_ev_now(@loop).  A running
 * timer is re-armed (moved to the end of the FIFO for its new deadline).
 * Returns 0, -EINVAL, -ENOMEM (the heap had to grow and could not; the
 * timer is then unchanged) or -ENOSPC (SX_EV_TMR_MAX armed timers).
 */
int sx_tmr_start(struct sx_ev *loop, struct sx_tmr *tmr, uint64_t delay_ms,
                 sx_tmr_h *h, void *arg) SX_MUST_CHECK;

/** Disarm @tmr; no-op when it is not running (or NULL). */
void sx_tmr_stop(struct sx_tmr *tmr);

/** True while @tmr is armed and has not fired. */
bool sx_tmr_isrunning(const struct sx_tmr *tmr);

/** Milliseconds until @tmr fires (0 when stopped or already due). */
uint64_t sx_tmr_remaining(const struct sx_tmr *tmr);

/** Number of timers armed on @loop. */
size_t sx_ev_tmr_count(const struct sx_ev *loop);

#endif
