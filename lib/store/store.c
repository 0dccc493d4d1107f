/*
 * sx_store generic layer: the write queue, the single writer thread and
 * group commit (ARCHITECTURE.md section 3: "a success response is sent
 * only after the write is durable").
 *
 * Each write is one sx_mem block (struct sx_store__op) appended to the
 * store's FIFO, plus one job on a one-thread sx_pool: that thread is the
 * writer.  A job takes everything queued (at most batch_max writes),
 * applies it in one backend transaction and commits; the jobs of writes
 * that an earlier job already committed just return their result.  The
 * pool posts every job's completion to the caller's loop through a node
 * allocated when the write was submitted, so once a write is committed
 * its completion cannot fail to be delivered for want of memory.
 *
 * A transaction that fails as a whole is rolled back and its writes are
 * retried one transaction each, so that one bad write cannot fail its
 * neighbours.
 */
#define SX_LOG_MOD "store"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include <sx/port/pool.h>
#include <sx/store/backend.h>
#include <sx/store/store.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "store_int.h"

/* Each queued write holds one pool job: the pool's bound must not bite. */
static_assert(SX_STORE_QUEUE_MAX <= SX_POOL_QUEUE_MAX,
              "store queue larger than the pool queue");

struct sx_store__op *sx_store__op_alloc(enum sx_store_wr_kind kind,
                                        size_t extra, char **datap)
{
	struct sx_store__op *op;

	if (extra > SIZE_MAX - sizeof(*op))
		return NULL;
	op = sx_mem_zalloc(sizeof(*op) + extra, NULL);
	if (!op)
		return NULL;
	op->wr.kind = kind;
	*datap = (char *)(op + 1);
	return op;
}

/*
 * Apply @n writes from @first in one transaction; 0 when committed.
 * *begunp tells whether the transaction started (a failed begin, such as
 * a lock held by another process past the busy timeout, is not worth
 * retrying write by write).
 */
static int txn_run(struct sx_store *st, struct sx_store__op *first, size_t n,
                   bool *begunp)
{
	int err = st->ops->begin(st->be);
	*begunp = !err;
	if (err)
		return err;
	struct sx_store__op *op = first;
	for (size_t i = 0; i < n; i++, op = op->next) {
		err = st->ops->write(st->be, &op->wr, &op->err);
		if (err)
			goto out;
	}
	err = st->ops->commit(st->be);
out:
	if (err)
		st->ops->rollback(st->be);
	return err;
}

/* Record a transaction's outcome in the counters (writer thread). */
static void stats_add(struct sx_store *st, size_t n, int err)
{
	pthread_mutex_lock(&st->mtx);
	if (err) {
		st->stats.failed_txns++;
	} else {
		st->stats.commits++;
		st->stats.writes += n;
		if (n > st->stats.batch_peak)
			st->stats.batch_peak = (unsigned)n;
	}
	pthread_mutex_unlock(&st->mtx);
}

/*
 * Commit a batch; when the transaction fails after it began, retry each
 * write in its own transaction so that the writes that can succeed do.
 */
static void batch_run(struct sx_store *st, struct sx_store__op *first, size_t n)
{
	bool begun;
	int err = txn_run(st, first, n, &begun);

	/* before any completion is posted: the writer's own user changes
	 * reach sx_store_user_get_cached() at once */
	for (struct sx_store__op *op = first; op; op = op->next)
		if (sx_store__is_user_write(op->wr.kind))
			atomic_store(&st->uc.stale, true);

	stats_add(st, n, err);
	if (!err)
		return;
	if (n == 1 || !begun) {
		for (struct sx_store__op *op = first; op; op = op->next)
			op->err = err;
		return;
	}
	SX_LOG_WARN_RL("transaction of %zu writes failed (%d); "
	               "retrying one by one",
	               n, err);
	for (struct sx_store__op *op = first; op; op = op->next) {
		err = txn_run(st, op, 1, &begun);
		stats_add(st, 1, err);
		if (err)
			op->err = err;
	}
}

/* Detach up to batch_max queued writes (under mtx); returns the count. */
static size_t batch_take(struct sx_store *st, struct sx_store__op **firstp)
{
	struct sx_store__op *first = st->head, *last = NULL;
	size_t n = 0;

	for (struct sx_store__op *op = first; op && n < st->batch_max;
	     op = op->next) {
		last = op;
		n++;
	}
	if (last) {
		st->queued -= n;
		st->head = last->next;
		if (!st->head)
			st->tail = NULL;
		last->next = NULL;
	}
	*firstp = first;
	return n;
}

/* Mark a committed batch done and wake synchronous waiters (under mtx). */
static void batch_done(struct sx_store *st, struct sx_store__op *first)
{
	for (struct sx_store__op *op = first, *next; op; op = next) {
		next = op->next;
		op->next = NULL;
		op->done = true;
		st->seq_done = op->seq;
	}
	pthread_cond_broadcast(&st->cond);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The group commit window (under mtx): wait until commit_interval has
 * passed since the last transaction began, unless batch_max writes are
 * queued or the store is closing.  Each commit costs an fsync and a
 * few WAL pages whatever the number of writes in it, so under load
 * fewer, larger commits cost less per write.  Only under load: when
 * the last transaction held a single write (an idle store, or one
 * writer waiting for each write in turn) the next one starts at once.
 */
static void window_wait(struct sx_store *st)
{
	uint64_t now = mono_ns();

	if (st->commit_interval_ns && st->last_batch_n > 1) {
		uint64_t due = st->last_commit_ns + st->commit_interval_ns;
		while (now < due && st->queued < st->batch_max &&
		       !st->closing) {
			struct timespec ts = {
			    .tv_sec = (time_t)(due / 1000000000u),
			    .tv_nsec = (long)(due % 1000000000u),
			};
			st->writer_waiting = true;
			int rc = pthread_cond_timedwait(&st->cond_win,
			                                &st->mtx, &ts);
			st->writer_waiting = false;
			now = rc == ETIMEDOUT ? due : mono_ns();
		}
	}
	st->last_commit_ns = now;
}

/*
 * Writer job of @op (pool thread): run batches until @op is done.  In a
 * burst the first job commits the writes of many later ones.
 */
static int writer_job(void *arg)
{
	struct sx_store__op *op = arg;
	struct sx_store *st = op->st;
	int err;

	pthread_mutex_lock(&st->mtx);
	while (!op->done) {
		struct sx_store__op *first;
		window_wait(st);
		/* one writer thread: an op not done is still queued */
		size_t n = batch_take(st, &first);
		assert(n > 0);
		st->last_batch_n = n;
		pthread_mutex_unlock(&st->mtx);
		batch_run(st, first, n);
		pthread_mutex_lock(&st->mtx);
		batch_done(st, first);
	}
	err = op->err;
	op->job_ended = true;
	st->pending--;
	pthread_cond_broadcast(&st->cond);
	/* a synchronous owner frees op after this unlock */
	pthread_mutex_unlock(&st->mtx);
	return err;
}

/*
 * Completion of an asynchronous write, on the caller's loop.  @err is the
 * job's value, or -ECANCELED when the pool was freed before the job ran;
 * by then sx_store_close() has flushed, so op->err is final either way.
 */
static void op_complete(int err, void *arg)
{
	struct sx_store__op *op = arg;

	(void)err;
	op->h(op->err, op->arg);
	sx_mem_unref(op);
}

/* Append to the FIFO and number the write (under mtx). */
static void op_enqueue(struct sx_store *st, struct sx_store__op *op)
{
	op->seq = ++st->seq_enq;
	if (st->tail)
		st->tail->next = op;
	else
		st->head = op;
	st->tail = op;
	st->pending++;
	if (++st->queued >= st->batch_max && st->writer_waiting)
		pthread_cond_signal(&st->cond_win);
}

int sx_store__submit(struct sx_store *st, struct sx_store__op *op,
                     const struct sx_store_cb *cb)
{
	int err = 0;

	op->st = st;
	if (cb) {
		op->h = cb->h;
		op->arg = cb->arg;
	}
	pthread_mutex_lock(&st->mtx);
	if (st->closing)
		err = -ESHUTDOWN;
	else if (st->pending >= st->queue_max)
		err = -ENOBUFS;
	else
		/* under mtx: the job cannot look for op before it is queued */
		err = sx_pool_submit(st->pool, writer_job,
		                     cb ? op_complete : NULL, op,
		                     cb ? cb->loop : NULL);
	if (!err) {
		op_enqueue(st, op);
		if (cb) {
			op = NULL; /* its job owns it now */
		} else {
			while (!op->job_ended)
				pthread_cond_wait(&st->cond, &st->mtx);
			err = op->err;
		}
	}
	pthread_mutex_unlock(&st->mtx);
	sx_mem_unref(op);
	return err;
}

int sx_store_flush(struct sx_store *st)
{
	if (!st)
		return -EINVAL;
	pthread_mutex_lock(&st->mtx);
	uint64_t target = st->seq_enq;
	while (st->seq_done < target)
		pthread_cond_wait(&st->cond, &st->mtx);
	pthread_mutex_unlock(&st->mtx);
	return 0;
}

void sx_store_stats(struct sx_store *st, struct sx_store_stats *statsp)
{
	if (!st || !statsp)
		return;
	pthread_mutex_lock(&st->mtx);
	*statsp = st->stats;
	pthread_mutex_unlock(&st->mtx);
}

/* Free a store whose writer is stopped (pool already freed or never
 * started); the backend is closed when it was opened. */
static void store_free(struct sx_store *st)
{
	if (st->be)
		st->ops->close(st->be);
	sx_store__ucache_fini(&st->uc);
	pthread_cond_destroy(&st->cond_win);
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->mtx);
	sx_mem_unref(st);
}

static int prm_check(const struct sx_store_prm *prm)
{
	if (!prm || !prm->path || !prm->path[0])
		return -EINVAL;
	if (strnlen(prm->path, SX_STORE_PATH_MAX) >= SX_STORE_PATH_MAX)
		return -EINVAL;
	if (prm->batch_max > SX_STORE_BATCH_MAX ||
	    prm->queue_max > SX_STORE_QUEUE_MAX ||
	    prm->user_cache_ms > SX_STORE_USER_CACHE_MS_MAX ||
	    prm->commit_interval_us > SX_STORE_COMMIT_INTERVAL_MAX_US)
		return -EINVAL;
	return 0;
}

int sx_store_open(struct sx_store **stp, const struct sx_store_prm *prm)
{
	struct sx_store *st;
	int err;

	if (!stp)
		return -EINVAL;
	err = prm_check(prm);
	if (err)
		return err;
	st = sx_mem_zalloc(sizeof(*st), NULL);
	if (!st)
		return -ENOMEM;
	pthread_mutex_init(&st->mtx, NULL);
	pthread_cond_init(&st->cond, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st->cond_win, &ca);
	pthread_condattr_destroy(&ca);
	st->commit_interval_ns = (uint64_t)prm->commit_interval_us * 1000u;
	sx_store__ucache_init(&st->uc, prm->user_cache_ms
	                                   ? prm->user_cache_ms
	                                   : SX_STORE_USER_CACHE_MS_DEFAULT);
	struct sx_store_prm eff = *prm;
	if (!eff.backend)
		eff.backend = &sx_store_backend_sqlite;
	if (!eff.batch_max)
		eff.batch_max = SX_STORE_BATCH_MAX_DEFAULT;
	if (!eff.queue_max)
		eff.queue_max = SX_STORE_QUEUE_MAX_DEFAULT;
	if (!eff.busy_timeout_ms)
		eff.busy_timeout_ms = SX_STORE_BUSY_TIMEOUT_DEFAULT_MS;
	st->ops = eff.backend;
	st->batch_max = eff.batch_max;
	st->queue_max = eff.queue_max;
	err = st->ops->open(&st->be, &eff);
	if (err)
		goto out;
	err = sx_pool_alloc(&st->pool, 1);
	if (err)
		goto out;
	SX_LOG_INFO("opened %s (%s)", eff.path, st->ops->name);
	*stp = st;
out:
	if (err) {
		SX_LOG_ERR("cannot open %s: %s", prm->path, strerror(-err));
		store_free(st);
	}
	return err;
}

void sx_store_close(struct sx_store *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->mtx);
	st->closing = true;
	pthread_cond_signal(&st->cond_win); /* no window while closing */
	pthread_mutex_unlock(&st->mtx);
	(void)sx_store_flush(st);
	/* every write is done: the jobs still queued only post completions */
	sx_pool_free(st->pool);
	store_free(st);
}
