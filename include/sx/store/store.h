/*
 * sx_store: durable records behind one small API per kind (ARCHITECTURE.md
 * section 3).  Services never see SQL: users (<sx/store/user.h>), location
 * bindings (<sx/store/binding.h>) and append-only call-event and CDR logs
 * (<sx/store/event.h>) are stored by a backend chosen at open time
 * (<sx/store/backend.h>; SQLite in WAL mode is the default).
 *
 * Writes: every write function copies its record, queues it to the
 * store's single writer thread and returns at once.  The writer takes
 * everything queued (at most prm.batch_max writes), applies it in ONE
 * transaction and commits with a durable commit (SQLite: WAL,
 * synchronous=FULL), so that many concurrent writes share one fsync
 * ("group commit").  Only after the commit returns is each write's
 * completion handler posted to the loop given in its struct sx_store_cb.
 * A write whose handler reported 0 survives kill -9 and power loss.
 *
 * Blocking: the write functions called with a NULL callback, the read
 * functions (get, list, count, load), sx_store_open(), sx_store_flush()
 * and sx_store_close() block the calling thread (on disk I/O, on SQLite
 * locks held by other processes up to prm.busy_timeout_ms, or on the
 * writer).  Use them at start-up, in command-line tools, or on a pool
 * thread; on a loop thread use only the asynchronous writes.
 *
 * Reads see committed data only: a write is visible to reads once its
 * handler runs (or its synchronous call returns).
 *
 * Errors: functions return 0 (or a count) or a negative errno.  Backend
 * failures are logged (rate-limited) with the backend's own message and
 * mapped: -EBUSY (locked by another process beyond the busy timeout),
 * -ENOSPC, -EROFS, -EACCES, -ENOMEM, -EIO (anything else).
 */
#ifndef SX_STORE_STORE_H
#define SX_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/util/compiler.h>

struct sx_ev;
struct sx_store;
struct sx_store_backend_ops;

/** Default and largest number of writes committed in one transaction. */
#define SX_STORE_BATCH_MAX_DEFAULT 256u
#define SX_STORE_BATCH_MAX         4096u
/** Default and largest number of writes waiting for their commit. */
#define SX_STORE_QUEUE_MAX_DEFAULT 16384u
#define SX_STORE_QUEUE_MAX         65536u
/** Default time to wait for a lock held by another process, ms. */
#define SX_STORE_BUSY_TIMEOUT_DEFAULT_MS 5000u
/** Default and largest staleness bound of the user cache, ms. */
#define SX_STORE_USER_CACHE_MS_DEFAULT 1000u
#define SX_STORE_USER_CACHE_MS_MAX     60000u
/** Largest commit interval (sx_store_prm.commit_interval_us), us. */
#define SX_STORE_COMMIT_INTERVAL_MAX_US 1000000u
/** Longest accepted database path/connection string. */
#define SX_STORE_PATH_MAX 4096u

/** Store parameters; zero-initialise, then set what you need. */
struct sx_store_prm {
	/** Database: a file path for SQLite (created if missing; the
	 *  -wal and -shm files live beside it).  Required. */
	const char *path;
	/** Backend (NULL = &sx_store_backend_sqlite). */
	const struct sx_store_backend_ops *backend;
	/** Writes per transaction, 1..SX_STORE_BATCH_MAX (0 = default). */
	unsigned batch_max;
	/** Writes queued or committing before writes fail with -ENOBUFS,
	 *  1..SX_STORE_QUEUE_MAX (0 = default). */
	unsigned queue_max;
	/** Wait for locks of other processes, ms (0 = default). */
	unsigned busy_timeout_ms;
	/** Longest time sx_store_user_get_cached() may miss a users change
	 *  that another process committed, ms, 1..SX_STORE_USER_CACHE_MS_MAX
	 *  (0 = SX_STORE_USER_CACHE_MS_DEFAULT). */
	unsigned user_cache_ms;
	/** Group commit window, us, 0..SX_STORE_COMMIT_INTERVAL_MAX_US:
	 *  under load (the previous transaction held more than one write) a
	 *  transaction starts no sooner than this after the previous one
	 *  started, unless batch_max writes are waiting.  This bounds the
	 *  commits (and fsyncs) per second and gathers more writes into
	 *  each; a write's completion may wait up to this long more.  An
	 *  idle store, or one writer waiting for each write in turn, commits
	 *  at once.  0 = commit as soon as the previous commit is done. */
	unsigned commit_interval_us;
};

/**
 * Write completion: runs once on the loop of the write's struct
 * sx_store_cb, after the transaction holding the write has committed
 * (@err == 0: durable) or failed.  @err is the write's result: 0,
 * -EEXIST, -ENOENT (see each write), or a backend error.
 */
typedef void(sx_store_done_h)(int err, void *arg);

/**
 * Where a write's completion goes.  Pass NULL instead to make the write
 * synchronous: the call then blocks until the commit and returns the
 * write's result.
 */
struct sx_store_cb {
	struct sx_ev *loop; /**< loop that runs @h (required) */
	sx_store_done_h *h; /**< completion handler (required) */
	void *arg;          /**< handler argument; keep it alive until @h */
};

/** Writer counters (sx_store_stats()). */
struct sx_store_stats {
	uint64_t commits;     /**< transactions committed */
	uint64_t writes;      /**< writes applied by committed transactions */
	uint64_t failed_txns; /**< transactions that failed (rolled back) */
	unsigned batch_peak;  /**< most writes seen in one transaction */
};

/**
 * Open (and create or migrate) the database and start the writer thread.
 * Blocks.  Returns 0, -EINVAL (bad @prm), -ENOMEM, -ENOTSUP (schema is
 * newer than this program), or a backend error (-EIO, -EACCES, -EBUSY).
 */
int sx_store_open(struct sx_store **stp,
                  const struct sx_store_prm *prm) SX_MUST_CHECK;

/**
 * Wait until every write queued before the call has committed (or
 * failed); their completions are then posted or about to be.  Blocks;
 * any thread, a completion handler included.  Returns 0 or -EINVAL.
 */
int sx_store_flush(struct sx_store *st);

/**
 * Stop accepting writes (they fail with -ESHUTDOWN), wait for the queued
 * ones to commit, stop the writer and close the database.  Completions
 * already posted still run on their loops afterwards (run each loop once
 * more before freeing it); they do not touch the store.  NULL is a
 * no-op.  Blocks; call once no other thread uses the store.
 */
void sx_store_close(struct sx_store *st);

/** Copy the writer counters.  Any thread. */
void sx_store_stats(struct sx_store *st, struct sx_store_stats *statsp);

#endif
