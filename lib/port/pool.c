/*
 * sx_pool: worker threads for blocking work, completions posted back to
 * the owner's loop (STYLE.md 2.9; libre re_thread_async).  A job is one
 * sx_mem block that starts with the loop's post node, so completing it
 * is an enqueue that cannot fail; the loop frees the job after done runs.
 */
#define SX_LOG_MOD "port.pool"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <sx/port/pool.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "ev_int.h"

struct job {
	struct sx_ev__post post; /* first: the loop unrefs it as the block */
	sx_pool_work_h *work;
	sx_pool_done_h *done;
	void *arg;
	struct sx_ev *loop;
	int err;
};

static_assert(offsetof(struct job, post) == 0, "post node must come first");

struct sx_pool {
	pthread_mutex_t mtx;
	pthread_cond_t cond;
	struct sx_ev__post *head; /* queued jobs, linked by post.next */
	struct sx_ev__post *tail;
	size_t queued;
	bool stopping;
	pthread_t *threads; /* sx_mem array */
	unsigned nthreads;  /* started */
};

static void job_done(void *arg)
{
	struct job *j = arg;
	j->done(j->err, j->arg);
}

/* Hand a job to its loop (or free it when nobody waits for it). */
static void job_complete(struct job *j, int err)
{
	if (!j->done) {
		sx_mem_unref(j);
		return;
	}
	j->err = err;
	j->post.fn = job_done;
	j->post.arg = j;
	sx_ev__post_node(j->loop, &j->post);
}

static struct job *pop_locked(struct sx_pool *pool)
{
	struct sx_ev__post *p = pool->head;
	if (!p)
		return NULL;
	pool->head = p->next;
	if (!pool->head)
		pool->tail = NULL;
	pool->queued--;
	return (struct job *)(void *)p;
}

static void *worker(void *arg)
{
	struct sx_pool *pool = arg;

	for (;;) {
		pthread_mutex_lock(&pool->mtx);
		while (!pool->stopping && !pool->head)
			pthread_cond_wait(&pool->cond, &pool->mtx);
		struct job *j = pool->stopping ? NULL : pop_locked(pool);
		pthread_mutex_unlock(&pool->mtx);
		if (!j)
			return NULL;
		job_complete(j, j->work(j->arg));
	}
}

/* Stop the threads (after their current job), cancel the queue, free. */
static void pool_shutdown(struct sx_pool *pool)
{
	struct job *j;

	pthread_mutex_lock(&pool->mtx);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->cond);
	pthread_mutex_unlock(&pool->mtx);
	/* waits for work in progress */
	for (unsigned i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	while ((j = pop_locked(pool)))
		job_complete(j, -ECANCELED);
	sx_mem_unref(pool->threads);
	pthread_cond_destroy(&pool->cond);
	pthread_mutex_destroy(&pool->mtx);
	sx_mem_unref(pool);
}

int sx_pool_alloc(struct sx_pool **poolp, unsigned nthreads)
{
	struct sx_pool *pool;
	int err = 0;

	if (!poolp || !nthreads || nthreads > SX_POOL_THREADS_MAX)
		return -EINVAL;
	pool = sx_mem_zalloc(sizeof(*pool), NULL);
	if (!pool)
		return -ENOMEM;
	pool->threads = sx_mem_zalloc(nthreads * sizeof(pthread_t), NULL);
	if (!pool->threads) {
		sx_mem_unref(pool);
		return -ENOMEM;
	}
	pthread_mutex_init(&pool->mtx, NULL);
	pthread_cond_init(&pool->cond, NULL);
	for (; pool->nthreads < nthreads; pool->nthreads++) {
		err = -pthread_create(&pool->threads[pool->nthreads], NULL,
		                      worker, pool);
		if (err)
			break;
	}
	if (err) {
		SX_LOG_ERR("pthread_create: %d", err);
		pool_shutdown(pool); /* joins the threads that did start */
		return err;
	}
	*poolp = pool;
	return 0;
}

void sx_pool_free(struct sx_pool *pool)
{
	if (pool)
		pool_shutdown(pool);
}

int sx_pool_submit(struct sx_pool *pool, sx_pool_work_h *work,
                   sx_pool_done_h *done, void *arg, struct sx_ev *loop)
{
	int err = 0;

	if (!pool || !work || (done && !loop))
		return -EINVAL;
	struct job *j = sx_mem_zalloc(sizeof(*j), NULL);
	if (!j)
		return -ENOMEM;
	*j = (struct job){.work = work, .done = done, .arg = arg, .loop = loop};
	pthread_mutex_lock(&pool->mtx);
	if (pool->stopping)
		err = -ESHUTDOWN;
	else if (pool->queued >= SX_POOL_QUEUE_MAX)
		err = -ENOBUFS;
	if (!err) {
		if (pool->tail)
			pool->tail->next = &j->post;
		else
			pool->head = &j->post;
		pool->tail = &j->post;
		pool->queued++;
		pthread_cond_signal(&pool->cond);
	}
	pthread_mutex_unlock(&pool->mtx);
	if (err)
		sx_mem_unref(j);
	return err;
}
