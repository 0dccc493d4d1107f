/*
 * sx_ev: our own small Linux epoll event loop (STYLE.md 2.9).
 *
 * One loop per worker thread.  Everything registered with a loop (fd
 * callbacks, timers from <sx/port/tmr.h>, posted callbacks, signal
 * handlers) runs on the thread that calls sx_ev_run()/sx_ev_run_once(),
 * the "loop thread".  Only sx_ev_post() and sx_ev_stop() may be called
 * from other threads.
 *
 * Time: the loop reads a monotonic millisecond clock once per iteration
 * (sx_ev_now()).  Tests switch a loop to a virtual clock that only moves
 * when sx_ev_clock_advance() is called, so a test can jump 32 s ahead and
 * watch Timer B fire at once, without sleeping.
 *
 * Errors: functions return 0 or a negative errno.
 */
#ifndef SX_PORT_EV_H
#define SX_PORT_EV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/util/compiler.h>

struct sx_ev;

/** Event mask bits for fd callbacks. */
enum sx_ev_flags {
	SX_EV_READ = 1u << 0,  /**< readable (EPOLLIN) */
	SX_EV_WRITE = 1u << 1, /**< writable (EPOLLOUT) */
	SX_EV_ERROR = 1u << 2, /**< error or hang-up (EPOLLERR/EPOLLHUP);
	                            reported even when not requested */
};

/** Default capacity of the timer heap (grows by doubling when full). */
#define SX_EV_TMR_CAP_DEFAULT 1024u
/** Hard limit of armed timers per loop. */
#define SX_EV_TMR_MAX (1u << 24)
/** Default bound of the cross-thread post queue (see sx_ev_post()). */
#define SX_EV_POST_MAX_DEFAULT 65536u
/** Largest accepted fd number (bounds the loop's fd table). */
#define SX_EV_FD_MAX (1 << 20)
/** epoll events fetched per wait. */
#define SX_EV_BATCH 64

/** Loop parameters; zero-initialise, then set what you need. */
struct sx_ev_prm {
	/** Timers the heap holds before it must grow (0 = default).  Size
	 *  it for the expected peak so that arming never allocates. */
	size_t tmr_capacity;
	/** Maximum queued posts (0 = SX_EV_POST_MAX_DEFAULT). */
	size_t post_max;
};

/** fd callback: @events is a mask of enum sx_ev_flags. */
typedef void(sx_ev_fd_h)(int fd, uint32_t events, void *arg);
/** Posted callback (sx_ev_post()). */
typedef void(sx_ev_post_h)(void *arg);
/** Signal callback (sx_ev_signal_add()). */
typedef void(sx_ev_signal_h)(int signo, void *arg);

/**
 * Create a loop with an epoll instance and a wake-up eventfd.  @prm may be
 * NULL for defaults.  Returns 0, -EINVAL, -ENOMEM, or the errno of
 * epoll_create1()/eventfd().
 */
int sx_ev_alloc(struct sx_ev **loopp,
                const struct sx_ev_prm *prm) SX_MUST_CHECK;

/**
 * Destroy a loop (NULL is a no-op).  Registered fds are not closed;
 * armed timers are detached (they report not running); queued posts are
 * discarded without running their callbacks, so drain with
 * sx_ev_run_once() first if their arguments hold references.  Signals
 * blocked by sx_ev_signal_add() are unblocked in the calling thread.
 * No other thread may post to the loop any more.  Loop thread only, not
 * from inside a callback.
 */
void sx_ev_free(struct sx_ev *loop);

/**
 * Watch @fd for @events (SX_EV_READ and/or SX_EV_WRITE), level-triggered;
 * @h(fd, events, arg) runs on the loop thread while the condition holds.
 * The fd stays owned by the caller.  Returns 0, -EINVAL, -EEXIST (already
 * watched), -ENOMEM, or the errno of epoll_ctl().
 */
int sx_ev_fd_add(struct sx_ev *loop, int fd, uint32_t events, sx_ev_fd_h *h,
                 void *arg) SX_MUST_CHECK;

/** Change the watched events of @fd.  Returns 0, -EINVAL, -ENOENT. */
int sx_ev_fd_mod(struct sx_ev *loop, int fd, uint32_t events) SX_MUST_CHECK;

/**
 * Stop watching @fd (does not close it).  Safe from any callback: an
 * event for @fd already fetched in the current batch is not delivered.
 * Call it before close(fd).  Returns 0, -EINVAL or -ENOENT.
 */
int sx_ev_fd_del(struct sx_ev *loop, int fd);

/**
 * Run until sx_ev_stop().  Returns 0 when stopped, or a negative errno if
 * epoll_wait() fails.  The stop request is consumed on return.
 */
int sx_ev_run(struct sx_ev *loop);

/**
 * One iteration: wait up to @timeout_ms (-1 = until an event or the next
 * timer, 0 = poll) for fd events, then run the fd callbacks and posted
 * callbacks, then the timers due now.  Timers armed during this pass
 * wait for the next one, so a zero-delay re-arm cannot starve I/O.  On a
 * virtual clock a future timer never shortens the wait (time does not
 * pass while waiting); timers already due make it a poll.  Returns the
 * number of callbacks run (>= 0) or a negative errno.
 */
int sx_ev_run_once(struct sx_ev *loop, int timeout_ms);

/** Make sx_ev_run() return after the current iteration.  Any thread. */
void sx_ev_stop(struct sx_ev *loop);

/**
 * Queue @fn(@arg) to run on the loop thread.  Any thread; callbacks run
 * in FIFO order per posting thread (and globally in enqueue order).  The
 * queue holds at most prm.post_max entries: beyond that the call fails
 * with -ENOBUFS instead of growing without bound, so a stalled loop
 * pushes back on its producers.  Each post allocates one node through
 * sx_mem (-ENOMEM on failure); on error @fn will not run.
 * Returns 0, -EINVAL, -ENOMEM, -ENOBUFS.
 */
int sx_ev_post(struct sx_ev *loop, sx_ev_post_h *fn, void *arg) SX_MUST_CHECK;

/**
 * Deliver @signo to @h on this loop through a signalfd.  Blocks the signal
 * in the calling thread, so call it from the main thread before other
 * threads start (they inherit the mask); use it on the main loop only.
 * Returns 0, -EINVAL (bad or uncatchable signal), -EEXIST, -ENOMEM, or
 * the errno of signalfd().
 */
int sx_ev_signal_add(struct sx_ev *loop, int signo, sx_ev_signal_h *h,
                     void *arg) SX_MUST_CHECK;

/** Undo sx_ev_signal_add() (unblocks if it blocked).  0 or -ENOENT. */
int sx_ev_signal_del(struct sx_ev *loop, int signo);

/** The loop's current time in ms (monotonic or virtual).  Loop thread. */
uint64_t sx_ev_now(const struct sx_ev *loop);

/**
 * Switch @loop to a virtual clock reading @start_ms.  Call before any
 * timer is armed.  Returns 0, -EINVAL, or -EBUSY when timers are armed.
 */
int sx_ev_clock_set_virtual(struct sx_ev *loop, uint64_t start_ms);

/**
 * Move the virtual clock @ms ahead, running every timer that falls due on
 * the way in (deadline, arming order) order; the clock reads each timer's
 * deadline while its handler runs, so timers armed by handlers fire at
 * their exact virtual time if that is within the jump.  A handler that
 * re-arms itself with delay 0 would loop forever.  Fd events and posts
 * are not processed (use sx_ev_run_once(loop, 0)).  Returns the number of
 * timers run, or -EINVAL on a real-clock loop.
 */
int sx_ev_clock_advance(struct sx_ev *loop, uint64_t ms);

#endif
