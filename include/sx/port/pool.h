/*
 * sx_pool: a small thread pool for blocking work (STYLE.md 2.9).
 *
 * SQLite queries, voicemail file I/O and the like run on pool threads;
 * their completion is posted back to the loop that owns the requesting
 * object (libre re_thread_async).  The completion node is allocated at
 * submit time, so posting the result back can never fail.
 */
#ifndef SX_PORT_POOL_H
#define SX_PORT_POOL_H

#include <stddef.h>

#include <sx/util/compiler.h>

struct sx_ev;
struct sx_pool;

/** Most threads a pool may have. */
#define SX_POOL_THREADS_MAX 64u
/** Most jobs waiting in the queue; sx_pool_submit() fails beyond it. */
#define SX_POOL_QUEUE_MAX 65536u

/** Work run on a pool thread; its return value goes to the done handler. */
typedef int(sx_pool_work_h)(void *arg);
/**
 * Completion, run on the target loop's thread with the work's return
 * value, or -ECANCELED when the pool was freed before the work started
 * (the work then never ran).
 */
typedef void(sx_pool_done_h)(int err, void *arg);

/**
 * Start a pool of @nthreads (1..SX_POOL_THREADS_MAX) threads.
 * Returns 0, -EINVAL, -ENOMEM, or the errno of pthread_create().
 */
int sx_pool_alloc(struct sx_pool **poolp, unsigned nthreads) SX_MUST_CHECK;

/**
 * Queue @work(@arg) on a pool thread; then, if @done is given, post
 * @done(err, @arg) to @loop (required with @done).  Any thread.  The
 * caller keeps @arg alive until @done runs (hold a reference for it).
 * Returns 0, -EINVAL, -ENOMEM, -ENOBUFS (queue full), -ESHUTDOWN.
 */
int sx_pool_submit(struct sx_pool *pool, sx_pool_work_h *work,
                   sx_pool_done_h *done, void *arg,
                   struct sx_ev *loop) SX_MUST_CHECK;

/**
 * Shut down: wait for work that is running to finish (its done handler
 * is posted as usual), cancel queued work (done gets -ECANCELED, posted),
 * join the threads, free the pool.  NULL is a no-op.  Not from a pool
 * thread.  The target loops must outlive this call.
 */
void sx_pool_free(struct sx_pool *pool);

#endif
