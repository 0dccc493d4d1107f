/*
 * Unit tests for the sx_ev loop: fd callbacks on pipes and eventfds
 * (level-triggered, removal inside callbacks, hang-up), posts in FIFO
 * order from one and from four threads, the post bound, stop from
 * another thread, and signal delivery through signalfd.  Waits are
 * bounded epoll timeouts; nothing sleeps.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/port/tmr.h>

#include "port_test.h"

/* Longest a test waits for an event that is already pending. */
#define WAIT_MS 2000
/* Upper bound on loop iterations in the threaded tests. */
#define MAX_ITER             100000
#define NTHREADS             4
#define POSTS_PER_THREAD     10000
#define POSTS_PER_THREAD_OOM 20

struct fdrec {
	struct sx_ev *loop;
	int calls;
	uint32_t events;
	int del_fd; /* fd to remove from the callback, or -1 */
	int deleted;
};

static void on_fd(int fd, uint32_t events, void *arg)
{
	struct fdrec *r = arg;

	r->calls++;
	r->events |= events;
	if (r->del_fd >= 0 && !sx_ev_fd_del(r->loop, r->del_fd))
		r->deleted++;
}

static int test_ev_pipe_level(void)
{
	struct sx_ev *loop = NULL;
	struct fdrec r = {.del_fd = -1};
	int p[2] = {-1, -1}, err = 0;
	char c = 'x';

	UT_OK(sx_ev_alloc(&loop, NULL));
	r.loop = loop;
	UT_OK(pipe(p));
	UT_OK(sx_ev_fd_add(loop, p[0], SX_EV_READ, on_fd, &r));
	UT_EQ(-EEXIST, sx_ev_fd_add(loop, p[0], SX_EV_READ, on_fd, &r));
	UT_EQ(0, sx_ev_run_once(loop, 0));
	UT_EQ(1, write(p[1], &c, 1));
	UT_EQ(1, sx_ev_run_once(loop, WAIT_MS));
	UT_EQ(SX_EV_READ, r.events);
	/* level-triggered: still readable, reported again */
	UT_EQ(1, sx_ev_run_once(loop, 0));
	UT_EQ(2, r.calls);
	UT_EQ(1, read(p[0], &c, 1));
	UT_EQ(0, sx_ev_run_once(loop, 0));
	/* mod: watch the write end for writability instead */
	UT_OK(sx_ev_fd_add(loop, p[1], 0, on_fd, &r));
	UT_EQ(0, sx_ev_run_once(loop, 0));
	r.events = 0;
	UT_OK(sx_ev_fd_mod(loop, p[1], SX_EV_WRITE));
	UT_EQ(1, sx_ev_run_once(loop, WAIT_MS));
	UT_EQ(SX_EV_WRITE, r.events);
	UT_OK(sx_ev_fd_del(loop, p[1]));
	/* hang-up: closing the writer makes the reader report ERROR */
	close(p[1]);
	p[1] = -1;
	r.events = 0;
	UT_EQ(1, sx_ev_run_once(loop, WAIT_MS));
	UT_TRUE(r.events & SX_EV_ERROR);
	UT_OK(sx_ev_fd_del(loop, p[0]));
	UT_EQ(-ENOENT, sx_ev_fd_del(loop, p[0]));
	UT_EQ(-ENOENT, sx_ev_fd_mod(loop, p[0], SX_EV_READ));
	UT_EQ(-EINVAL, sx_ev_fd_add(loop, p[0], 0x80, on_fd, &r));
	UT_EQ(-EINVAL, sx_ev_fd_add(loop, -1, SX_EV_READ, on_fd, &r));
	UT_EQ(-EINVAL, sx_ev_fd_add(loop, p[0], SX_EV_READ, NULL, &r));
	UT_ERR(-EBADF, sx_ev_fd_add(loop, 999, SX_EV_READ, on_fd, &r));
out:
	sx_ev_free(loop);
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	return err;
}

/*
 * Two ready eventfds whose callbacks each remove the other: whichever
 * runs first, the second's already fetched event must not be delivered.
 */
static int test_ev_del_in_callback(void)
{
	struct sx_ev *loop = NULL;
	struct fdrec a = {.del_fd = -1}, b = {.del_fd = -1};
	int ea = -1, eb = -1, err = 0;
	uint64_t one = 1;

	UT_OK(sx_ev_alloc(&loop, NULL));
	ea = eventfd(0, EFD_NONBLOCK);
	eb = eventfd(0, EFD_NONBLOCK);
	UT_TRUE(ea >= 0 && eb >= 0);
	a = (struct fdrec){.loop = loop, .del_fd = eb};
	b = (struct fdrec){.loop = loop, .del_fd = ea};
	UT_OK(sx_ev_fd_add(loop, ea, SX_EV_READ, on_fd, &a));
	UT_OK(sx_ev_fd_add(loop, eb, SX_EV_READ, on_fd, &b));
	UT_EQ(8, write(ea, &one, 8));
	UT_EQ(8, write(eb, &one, 8));
	/* both are ready before the wait, so one epoll batch holds both */
	UT_EQ(1, sx_ev_run_once(loop, WAIT_MS));
	UT_EQ(1, a.calls + b.calls);
	UT_EQ(1, a.deleted + b.deleted);
	/* the survivor removes itself */
	int live = a.calls ? ea : eb;
	struct fdrec *lr = a.calls ? &a : &b;
	lr->del_fd = live;
	UT_EQ(1, sx_ev_run_once(loop, WAIT_MS));
	UT_EQ(2, a.deleted + b.deleted);
	UT_EQ(0, sx_ev_run_once(loop, 0));
out:
	sx_ev_free(loop);
	if (ea >= 0)
		close(ea);
	if (eb >= 0)
		close(eb);
	return err;
}

/* ---- posts -------------------------------------------------------- */

struct seqlog {
	int err; /* error of a post made from a callback */
	int n;
	int v[8];
};

struct post_arg {
	struct seqlog *log;
	int v;
	struct sx_ev *loop;
	struct post_arg *chain; /* post this from the callback */
};

static void on_post(void *arg)
{
	struct post_arg *a = arg;

	if (a->log->n < (int)SX_ARRAY_SIZE(a->log->v))
		a->log->v[a->log->n] = a->v;
	a->log->n++;
	if (a->chain && !a->log->err)
		a->log->err = sx_ev_post(a->loop, on_post, a->chain);
}

static int test_ev_post_fifo(void)
{
	struct sx_ev *loop = NULL;
	struct seqlog log = {0};
	struct post_arg p[4];
	int err = 0;

	UT_OK(sx_ev_alloc(&loop, NULL));
	for (int i = 0; i < 4; i++)
		p[i] = (struct post_arg){&log, i, loop, NULL};
	p[1].chain = &p[3]; /* posted from a callback: runs next round */
	UT_OK(sx_ev_post(loop, on_post, &p[0]));
	UT_OK(sx_ev_post(loop, on_post, &p[1]));
	UT_OK(sx_ev_post(loop, on_post, &p[2]));
	UT_EQ(3, sx_ev_run_once(loop, WAIT_MS));
	UT_OK(log.err);
	UT_EQ(3, log.n);
	UT_EQ(1, sx_ev_run_once(loop, WAIT_MS));
	UT_EQ(4, log.n);
	static const int want[] = {0, 1, 2, 3};
	for (int i = 0; i < 4; i++)
		UT_EQ(want[i], log.v[i]);
	UT_EQ(-EINVAL, sx_ev_post(loop, NULL, NULL));
	UT_EQ(-EINVAL, sx_ev_post(NULL, on_post, NULL));
out:
	sx_ev_free(loop);
	return err;
}

/* The queue bound pushes back; queued posts are dropped on free. */
static int test_ev_post_bound(void)
{
	struct sx_ev_prm prm = {.post_max = 2};
	struct sx_ev *loop = NULL;
	struct seqlog log = {0};
	struct post_arg p = {&log, 7, NULL, NULL};
	int err = 0;

	UT_OK(sx_ev_alloc(&loop, &prm));
	p.loop = loop;
	UT_OK(sx_ev_post(loop, on_post, &p));
	UT_OK(sx_ev_post(loop, on_post, &p));
	UT_EQ(-ENOBUFS, sx_ev_post(loop, on_post, &p));
	UT_EQ(2, sx_ev_run_once(loop, WAIT_MS));
	UT_OK(sx_ev_post(loop, on_post, &p));
	/* freed with one post queued: no leak, callback not run */
out:
	sx_ev_free(loop);
	if (!err && log.n != 2)
		err = ut__fail(__FILE__, __LINE__, "ran %d posts", log.n);
	return err;
}

/* ---- 4 threads x 10k posts --------------------------------------- */

struct mt_post {
	struct sx_ev *loop;
	unsigned per_thread;
	atomic_uint posted;   /* successful posts, all threads */
	atomic_uint finished; /* threads done posting */
	atomic_int fail;      /* first post error */
	int donefd;           /* eventfd: a poster finished */
	/* loop thread only */
	unsigned received;
	unsigned next[NTHREADS];
	unsigned out_of_order;
};

struct mt_thread {
	struct mt_post *mp;
	unsigned id;
};

static struct mt_post *g_mp;

static void on_mt_post(void *arg)
{
	uintptr_t v = (uintptr_t)arg;
	unsigned tid = (unsigned)(v >> 20), seq = (unsigned)(v & 0xfffff);

	if (tid >= NTHREADS || g_mp->next[tid] != seq)
		g_mp->out_of_order++;
	else
		g_mp->next[tid]++;
	g_mp->received++;
}

static void on_poster_done(int fd, uint32_t events, void *arg)
{
	uint64_t cnt;
	if (read(fd, &cnt, sizeof(cnt)) < 0)
		g_mp->out_of_order++;
}

static void *mt_poster(void *arg)
{
	struct mt_thread *t = arg;
	struct mt_post *mp = t->mp;

	for (unsigned i = 0; i < mp->per_thread; i++) {
		uintptr_t v = ((uintptr_t)t->id << 20) | i;
		int e = sx_ev_post(mp->loop, on_mt_post, (void *)v);
		if (e) {
			int z = 0;
			atomic_compare_exchange_strong(&mp->fail, &z, e);
			break;
		}
		atomic_fetch_add(&mp->posted, 1);
	}
	atomic_fetch_add(&mp->finished, 1);
	uint64_t one = 1;
	if (write(mp->donefd, &one, sizeof(one)) != sizeof(one))
		atomic_store(&mp->fail, -EIO);
	return NULL;
}

static int test_ev_post_threads(void)
{
	static struct mt_post mp;
	struct mt_thread th[NTHREADS];
	pthread_t tids[NTHREADS];
	unsigned started = 0;
	int err = 0;

	memset(&mp, 0, sizeof(mp));
	g_mp = &mp;
	mp.donefd = eventfd(0, EFD_NONBLOCK);
	UT_TRUE(mp.donefd >= 0);
	mp.per_thread = ut_oom_mode() ? POSTS_PER_THREAD_OOM : POSTS_PER_THREAD;
	UT_OK(sx_ev_alloc(&mp.loop, NULL));
	UT_OK(
	    sx_ev_fd_add(mp.loop, mp.donefd, SX_EV_READ, on_poster_done, NULL));
	for (; started < NTHREADS; started++) {
		th[started] = (struct mt_thread){&mp, started};
		UT_EQ(0, pthread_create(&tids[started], NULL, mt_poster,
		                        &th[started]));
	}
	for (int it = 0; it < MAX_ITER; it++) {
		if (atomic_load(&mp.finished) == NTHREADS &&
		    mp.received == atomic_load(&mp.posted))
			break;
		int n = sx_ev_run_once(mp.loop, WAIT_MS);
		UT_TRUE(n >= 0);
	}
	UT_EQ(atomic_load(&mp.posted), mp.received);
	UT_EQ(0, mp.out_of_order);
	UT_OK(atomic_load(&mp.fail));
	UT_EQ(NTHREADS * mp.per_thread, mp.received);
out:
	while (started)
		pthread_join(tids[--started], NULL);
	sx_ev_free(mp.loop);
	if (mp.donefd >= 0)
		close(mp.donefd);
	return err;
}

/* ---- stop from another thread ------------------------------------ */

static void *stopper(void *arg)
{
	sx_ev_stop(arg);
	return NULL;
}

static int test_ev_stop_cross_thread(void)
{
	struct sx_ev *loop = NULL;
	pthread_t t;
	bool joined = true;
	int err = 0;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_EQ(0, pthread_create(&t, NULL, stopper, loop));
	joined = false;
	/* returns whether the stop lands before or during the run */
	UT_OK(sx_ev_run(loop));
	pthread_join(t, NULL);
	joined = true;
	/* the request was consumed: a fresh stop is needed again */
	sx_ev_stop(loop);
	UT_OK(sx_ev_run(loop));
out:
	if (!joined)
		pthread_join(t, NULL);
	sx_ev_free(loop);
	return err;
}

/* ---- signals ------------------------------------------------------ */

struct sigrec {
	int calls;
	int signo;
};

static void on_sig(int signo, void *arg)
{
	struct sigrec *r = arg;
	r->calls++;
	r->signo = signo;
}

static bool sig_blocked(int signo)
{
	sigset_t cur;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, signo);
}

static int test_ev_signal(void)
{
	struct sx_ev *loop = NULL;
	struct sigrec r = {0}, r2 = {0};
	int err = 0;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_EQ(-EINVAL, sx_ev_signal_add(loop, SIGKILL, on_sig, &r));
	UT_EQ(-EINVAL, sx_ev_signal_add(loop, 0, on_sig, &r));
	UT_EQ(-ENOENT, sx_ev_signal_del(loop, SIGUSR1));
	UT_OK(sx_ev_signal_add(loop, SIGUSR1, on_sig, &r));
	UT_EQ(-EEXIST, sx_ev_signal_add(loop, SIGUSR1, on_sig, &r));
	UT_TRUE(sig_blocked(SIGUSR1));
	UT_OK(sx_ev_signal_add(loop, SIGUSR2, on_sig, &r2));
	UT_EQ(0, raise(SIGUSR1));
	UT_EQ(1, sx_ev_run_once(loop, WAIT_MS));
	UT_EQ(1, r.calls);
	UT_EQ(SIGUSR1, r.signo);
	UT_EQ(0, r2.calls);
	UT_EQ(0, raise(SIGUSR2));
	UT_EQ(1, sx_ev_run_once(loop, WAIT_MS));
	UT_EQ(1, r2.calls);
	UT_EQ(SIGUSR2, r2.signo);
	UT_OK(sx_ev_signal_del(loop, SIGUSR1));
	UT_TRUE(!sig_blocked(SIGUSR1));
out:
	/* free unblocks SIGUSR2 again */
	sx_ev_free(loop);
	if (!err && sig_blocked(SIGUSR2))
		err = ut__fail(__FILE__, __LINE__, "SIGUSR2 still blocked");
	return err;
}

UT_MAIN(UT_C(test_ev_pipe_level), UT_C(test_ev_del_in_callback),
        UT_C(test_ev_post_fifo), UT_C(test_ev_post_bound),
        UT_C(test_ev_post_threads), UT_C(test_ev_stop_cross_thread),
        UT_C(test_ev_signal))
