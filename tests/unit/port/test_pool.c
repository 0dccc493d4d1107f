/*
 * Unit tests for sx_pool: work runs on pool threads and its completion
 * comes back on the loop thread; shutdown waits for running work and
 * cancels queued work with -ECANCELED; argument checks.  Threads meet on
 * semaphores and bounded epoll waits, never on sleeps.
 */
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>

#include <sx/port/ev.h>
#include <sx/port/pool.h>

#include "ut.h"

#define WAIT_MS      2000
#define MAX_ITER     1000
#define NJOBS        200
#define NJOBS_OOM    8
#define POOL_THREADS 4

struct job_state {
	pthread_t loop_thread;
	atomic_uint on_loop_thread; /* work that wrongly ran on the loop */
	unsigned done;
	unsigned done_bad;
	int results[NJOBS];
};

struct job {
	struct job_state *st;
	int in;
};

static int square_work(void *arg)
{
	struct job *j = arg;
	if (pthread_equal(pthread_self(), j->st->loop_thread))
		atomic_fetch_add(&j->st->on_loop_thread, 1);
	return j->in * j->in;
}

static void square_done(int err, void *arg)
{
	struct job *j = arg;
	if (!pthread_equal(pthread_self(), j->st->loop_thread))
		j->st->done_bad++;
	j->st->results[j->in] = err;
	j->st->done++;
}

static int run_until(struct sx_ev *loop, const unsigned *counter, unsigned want)
{
	for (int it = 0; it < MAX_ITER && *counter < want; it++) {
		int n = sx_ev_run_once(loop, WAIT_MS);
		if (n < 0)
			return n;
	}
	return *counter == want ? 0 : -ETIMEDOUT;
}

static int test_pool_work_posts_back(void)
{
	static struct job_state st;
	static struct job jobs[NJOBS];
	struct sx_ev *loop = NULL;
	struct sx_pool *pool = NULL;
	unsigned n = ut_oom_mode() ? NJOBS_OOM : NJOBS, submitted = 0;
	int err = 0;

	memset(&st, 0, sizeof(st));
	st.loop_thread = pthread_self();
	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(sx_pool_alloc(&pool, POOL_THREADS));
	for (; submitted < n; submitted++) {
		jobs[submitted] = (struct job){&st, (int)submitted};
		UT_OK(sx_pool_submit(pool, square_work, square_done,
		                     &jobs[submitted], loop));
	}
	UT_OK(run_until(loop, &st.done, n));
	UT_EQ(0, atomic_load(&st.on_loop_thread));
	UT_EQ(0, st.done_bad);
	for (unsigned i = 0; i < n; i++)
		UT_EQ((int)(i * i), st.results[i]);
out:
	sx_pool_free(pool);
	/* completions of work submitted before a failure still arrive */
	if (run_until(loop, &st.done, submitted) && !err)
		err = ut__fail(__FILE__, __LINE__, "lost completions");
	sx_ev_free(loop);
	return err;
}

/* ---- shutdown: running work finishes, queued work is cancelled ---- */

struct block {
	sem_t started;
	sem_t release;
	unsigned done;
	int blocker_err;
	unsigned cancelled;
	unsigned other;
};

static int block_work(void *arg)
{
	struct block *b = arg;
	sem_post(&b->started);
	while (sem_wait(&b->release) && errno == EINTR)
		;
	return 42;
}

static void block_done(int err, void *arg)
{
	struct block *b = arg;
	b->blocker_err = err;
	b->done++;
}

static int noop_work(void *arg)
{
	return 0;
}

static void noop_done(int err, void *arg)
{
	struct block *b = arg;
	if (err == -ECANCELED)
		b->cancelled++;
	else
		b->other++;
	b->done++;
}

static int post_started(void *arg)
{
	struct block *b = arg;
	sem_post(&b->started);
	return 0;
}

static void *freer(void *arg)
{
	sx_pool_free(arg);
	return NULL;
}

static int test_pool_shutdown_cancels(void)
{
	static struct block b;
	struct sx_ev *loop = NULL;
	struct sx_pool *pool = NULL;
	pthread_t ft;
	bool freeing = false, released = false;
	unsigned queued = 0, expected = 0; /* completions to wait for */
	int err = 0, rc;

	memset(&b, 0, sizeof(b));
	sem_init(&b.started, 0, 0);
	sem_init(&b.release, 0, 0);
	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(sx_pool_alloc(&pool, 1));
	UT_OK(sx_pool_submit(pool, block_work, block_done, &b, loop));
	expected++;
	while (sem_wait(&b.started) && errno == EINTR)
		;
	/* the only thread is busy: these stay queued */
	UT_OK(sx_pool_submit(pool, noop_work, noop_done, &b, loop));
	queued++;
	expected++;
	UT_EQ(0, pthread_create(&ft, NULL, freer, pool));
	freeing = true;
	/* keep queueing until the pool reports it is shutting down */
	while ((rc = sx_pool_submit(pool, noop_work, noop_done, &b, loop)) !=
	       -ESHUTDOWN) {
		if (rc != -ENOBUFS) {
			UT_OK(rc);
			queued++;
			expected++;
		}
		sched_yield(); /* let the freer get in */
	}
	sem_post(&b.release);
	released = true;
	pthread_join(ft, NULL);
	freeing = false;
	pool = NULL;
	UT_OK(run_until(loop, &b.done, expected));
	UT_EQ(42, b.blocker_err); /* the running work completed */
	UT_EQ(queued, b.cancelled);
	UT_EQ(0, b.other);
out:
	if (!released)
		sem_post(&b.release);
	if (freeing)
		pthread_join(ft, NULL);
	else
		sx_pool_free(pool);
	(void)run_until(loop, &b.done, expected);
	sx_ev_free(loop);
	sem_destroy(&b.started);
	sem_destroy(&b.release);
	return err;
}

/* Work without a done handler: runs, and nothing is posted. */
static int test_pool_no_done(void)
{
	static struct block b;
	struct sx_pool *pool = NULL;
	int err = 0;

	memset(&b, 0, sizeof(b));
	sem_init(&b.started, 0, 0);
	UT_OK(sx_pool_alloc(&pool, 2));
	UT_OK(sx_pool_submit(pool, post_started, NULL, &b, NULL));
	while (sem_wait(&b.started) && errno == EINTR)
		;
out:
	sx_pool_free(pool);
	sem_destroy(&b.started);
	return err;
}

static int test_pool_args(void)
{
	struct sx_pool *pool = NULL;
	struct sx_ev *loop = NULL;
	int err = 0;

	UT_EQ(-EINVAL, sx_pool_alloc(&pool, 0));
	UT_EQ(-EINVAL, sx_pool_alloc(&pool, SX_POOL_THREADS_MAX + 1));
	UT_EQ(-EINVAL, sx_pool_alloc(NULL, 1));
	UT_OK(sx_pool_alloc(&pool, 1));
	UT_EQ(-EINVAL, sx_pool_submit(pool, NULL, NULL, NULL, NULL));
	UT_EQ(-EINVAL, sx_pool_submit(pool, noop_work, noop_done, NULL, loop));
	UT_EQ(-EINVAL, sx_pool_submit(NULL, noop_work, NULL, NULL, NULL));
	sx_pool_free(NULL);
out:
	sx_pool_free(pool);
	return err;
}

UT_MAIN(UT_C(test_pool_work_posts_back), UT_C(test_pool_shutdown_cancels),
        UT_C(test_pool_no_done), UT_C(test_pool_args))
