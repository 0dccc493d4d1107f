/*
 * sx_store group commit under load: a burst of asynchronous upserts from
 * one loop, a sustained window of writes in flight (measured and printed,
 * not judged on timing), and two processes writing the same database
 * through WAL as the servers and sipxctl do, and the group commit
 * window.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/store/binding.h>
#include <sx/store/store.h>
#include <sx/store/user.h>

#include "store_test.h"
#include "ut.h"

/* Writes of the burst (a few in OOM mode, where each step reruns it). */
#define BURST_N     1000u
#define BURST_N_OOM 8u
/* Sustained load: total writes and writes kept in flight. */
#define LOAD_N      4000u
#define LOAD_WINDOW 128
#define STR_(x)     #x
#define STR(x)      STR_(x)
/* Synchronous baseline: one write per commit. */
#define SYNC_N 30u
/* Users each of the two processes writes. */
#define PROC_USERS 60u

struct burst {
	unsigned done;
	unsigned failed;
};

static void burst_done(int err, void *arg)
{
	struct burst *bu = arg;
	bu->done++;
	if (err)
		bu->failed++;
}

struct seen {
	unsigned n;
	unsigned bad;
	unsigned char *mark;
	unsigned max;
};

static int seen_binding(const struct sx_store_binding *b, void *arg)
{
	struct seen *s = arg;
	unsigned i = b->cseq - 1;
	s->n++;
	if (i >= s->max || s->mark[i] || tdb_binding_check(b, i))
		s->bad++;
	else
		s->mark[i] = 1;
	return 0;
}

static void print_rate(const char *what, const struct sx_store_stats *a,
                       const struct sx_store_stats *b, uint64_t ms)
{
	uint64_t commits = b->commits - a->commits;
	uint64_t writes = b->writes - a->writes;
	double s = ms ? (double)ms / 1000.0 : 0.001;

	printf("  %s: %" PRIu64 " writes, %" PRIu64 " commits in %" PRIu64
	       " ms: %.1f writes/commit, %.0f commits/s, %.0f writes/s, "
	       "peak batch %u\n",
	       what, writes, commits, ms,
	       commits ? (double)writes / (double)commits : 0.0,
	       (double)commits / s, (double)writes / s, b->batch_peak);
	fflush(stdout); /* the harness ends cases with _exit() */
}

/* 1000 upserts queued at once complete, share commits, and are stored. */
static int test_burst(void)
{
	unsigned n = ut_oom_mode() ? BURST_N_OOM : BURST_N;
	unsigned char mark[BURST_N] = {0};
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_ev *loop = NULL;
	struct burst bu = {0};
	struct seen seen = {0, 0, mark, BURST_N};
	struct sx_store_stats s0 = {0}, s1;
	char buf[TDB_BINDING_BUF];
	unsigned sent = 0;
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(tdb_open(&t, 0, &st));
	struct sx_store_cb cb = {loop, burst_done, &bu};
	uint64_t t0 = tdb_now_ms();
	for (; sent < n; sent++) {
		struct sx_store_binding b;
		tdb_binding(&b, sent, buf);
		UT_OK(sx_store_binding_upsert(st, &b, &cb));
	}
	UT_OK(tdb_wait(loop, &bu.done, n));
	uint64_t ms = tdb_now_ms() - t0;
	UT_EQ(0, bu.failed);
	sx_store_stats(st, &s1);
	UT_EQ(n, s1.writes);
	UT_TRUE(s1.commits < s1.writes); /* more than one write per commit */
	if (!ut_oom_mode())
		print_rate("burst", &s0, &s1, ms);
	UT_EQ(n, sx_store_binding_load(st, SX_SL_NULL, seen_binding, &seen));
	UT_EQ(0, seen.bad);
out:
	/* on failure, wait for what was queued before tearing down */
	if (sent && bu.done < sent)
		(void)tdb_wait(loop, &bu.done, sent);
	tdb_teardown(st, loop);
	tdb_remove(&t);
	return err;
}

/* Sustained load: each completion queues the next write. */
struct load {
	struct sx_store *st;
	struct sx_store_cb cb;
	unsigned sent;
	unsigned done;
	unsigned failed;
	char buf[TDB_BINDING_BUF];
};

static void load_next(struct load *ld);

static void load_done(int err, void *arg)
{
	struct load *ld = arg;
	ld->done++;
	if (err)
		ld->failed++;
	load_next(ld);
}

static void load_next(struct load *ld)
{
	struct sx_store_binding b;

	if (ld->sent >= LOAD_N)
		return;
	tdb_binding(&b, ld->sent, ld->buf);
	if (sx_store_binding_upsert(ld->st, &b, &ld->cb)) {
		ld->failed++;
		ld->sent = LOAD_N; /* stop; the case reports it */
		return;
	}
	ld->sent++;
}

/*
 * Throughput with LOAD_WINDOW writes in flight, against the synchronous
 * baseline of one write per commit.  Printed, not judged.
 */
static int test_load_measure(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_ev *loop = NULL;
	struct sx_store_stats s0, s1;
	struct load ld = {0};
	char buf[TDB_BINDING_BUF];
	int err;

	if (ut_oom_mode())
		return UT_SKIP; /* a measurement, covered by test_burst */
	err = tdb_make(&t);
	if (err)
		return err;
	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(tdb_open(&t, 0, &st));
	sx_store_stats(st, &s0);
	uint64_t t0 = tdb_now_ms();
	for (unsigned i = 0; i < SYNC_N; i++) {
		struct sx_store_binding b;
		tdb_binding(&b, LOAD_N + i, buf);
		UT_OK(sx_store_binding_upsert(st, &b, NULL));
	}
	sx_store_stats(st, &s1);
	print_rate("synchronous, 1 in flight", &s0, &s1, tdb_now_ms() - t0);

	ld.st = st;
	ld.cb = (struct sx_store_cb){loop, load_done, &ld};
	s0 = s1;
	t0 = tdb_now_ms();
	for (unsigned i = 0; i < LOAD_WINDOW; i++)
		load_next(&ld);
	UT_OK(tdb_wait(loop, &ld.done, LOAD_N));
	sx_store_stats(st, &s1);
	print_rate("async, window of " STR(LOAD_WINDOW), &s0, &s1,
	           tdb_now_ms() - t0);
	UT_EQ(0, ld.failed);
	UT_TRUE(s1.writes - s0.writes > s1.commits - s0.commits);
out:
	if (ld.done < ld.sent)
		(void)tdb_wait(loop, &ld.done, ld.sent);
	tdb_teardown(st, loop);
	tdb_remove(&t);
	return err;
}

/* Commit window of test_window: long, so that a wrongly applied window
 * shows as seconds where the right behaviour takes milliseconds. */
#define WINDOW_US SX_STORE_COMMIT_INTERVAL_MAX_US
#define WINDOW_SYNC_N 5u
#define WINDOW_BATCH 8u
#define WINDOW_BURST 64u
/* Far below what a window applied per write or per batch would take
 * (WINDOW_SYNC_N - 1, or WINDOW_BURST / WINDOW_BATCH, windows). */
#define WINDOW_BOUND_MS (2u * WINDOW_US / 1000u)

/*
 * The group commit window waits only under load: one writer waiting for
 * each write in turn never waits for it, and a full batch (batch_max
 * queued) cuts it short.  Bounds on elapsed time tell a behaviour, not
 * a speed: the wrong behaviour costs several whole windows.
 */
static int test_window(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_ev *loop = NULL;
	struct burst bu = {0};
	char buf[TDB_BINDING_BUF];
	unsigned sent = 0;
	int err;

	if (ut_oom_mode())
		return UT_SKIP; /* behaviour in time; allocation is test_burst's */
	err = tdb_make(&t);
	if (err)
		return err;
	struct sx_store_prm prm = {.path = t.path,
	                           .batch_max = WINDOW_BATCH,
	                           .commit_interval_us = WINDOW_US};
	prm.commit_interval_us = WINDOW_US + 1;
	UT_EQ(-EINVAL, sx_store_open(&st, &prm));
	prm.commit_interval_us = WINDOW_US;
	UT_OK(sx_store_open(&st, &prm));
	UT_OK(sx_ev_alloc(&loop, NULL));
	uint64_t t0 = tdb_now_ms();
	for (unsigned i = 0; i < WINDOW_SYNC_N; i++) {
		struct sx_store_binding b;
		tdb_binding(&b, i, buf);
		UT_OK(sx_store_binding_upsert(st, &b, NULL));
	}
	UT_TRUE(tdb_now_ms() - t0 < WINDOW_BOUND_MS);

	struct sx_store_cb cb = {loop, burst_done, &bu};
	t0 = tdb_now_ms();
	for (; sent < WINDOW_BURST; sent++) {
		struct sx_store_binding b;
		tdb_binding(&b, WINDOW_SYNC_N + sent, buf);
		UT_OK(sx_store_binding_upsert(st, &b, &cb));
	}
	UT_OK(tdb_wait(loop, &bu.done, WINDOW_BURST));
	UT_EQ(0, bu.failed);
	UT_TRUE(tdb_now_ms() - t0 < WINDOW_BOUND_MS);
	struct sx_store_stats s;
	sx_store_stats(st, &s);
	UT_EQ(WINDOW_SYNC_N + WINDOW_BURST, s.writes);
	UT_TRUE(s.batch_peak <= WINDOW_BATCH);
out:
	if (sent && bu.done < sent)
		(void)tdb_wait(loop, &bu.done, sent);
	tdb_teardown(st, loop);
	tdb_remove(&t);
	return err;
}

/* Write PROC_USERS users named @prefix%u one transaction each. */
static int write_users(const char *path, const char *prefix)
{
	struct sx_store_prm prm = {.path = path};
	struct sx_store *st;
	char name[32];
	int err = sx_store_open(&st, &prm);
	if (err)
		return err;
	for (unsigned i = 0; i < PROC_USERS && !err; i++) {
		int n = snprintf(name, sizeof(name), "%s%u", prefix, i);
		struct sx_store_user u = {
		    .name = sx_sl_make(name, (size_t)n),
		    .realm = SX_SL("example.com"),
		    .ha1_md5 = SX_SL("0123456789abcdef0123456789abcdef"),
		};
		err = sx_store_user_add(st, &u, NULL);
	}
	sx_store_close(st);
	return err;
}

/*
 * Two processes (as a server and sipxctl) write one database at the same
 * time: WAL plus the busy timeout serialise them without errors.
 */
static int test_two_processes(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_store_user *u = NULL;
	pid_t pid = -1;
	int err;

	if (ut_oom_mode())
		return UT_SKIP; /* the child's allocations are not counted */
	err = tdb_make(&t);
	if (err)
		return err;
	/* create the schema first, so both only write rows */
	UT_OK(tdb_open(&t, 0, &st));
	sx_store_close(st);
	st = NULL;
	/* fork while this process has no threads */
	pid = fork();
	UT_TRUE(pid >= 0);
	if (pid == 0)
		_exit(write_users(t.path, "child") ? 1 : 0);
	UT_OK(write_users(t.path, "parent"));
	int status;
	UT_EQ(pid, waitpid(pid, &status, 0));
	pid = -1;
	UT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	UT_OK(tdb_open(&t, 0, &st));
	UT_EQ(2 * PROC_USERS, sx_store_user_count(st));
	UT_OK(sx_store_user_get(st, SX_SL("child7"), &u));
	UT_SL_EQ("example.com", u->realm);
out:
	if (pid > 0)
		waitpid(pid, NULL, 0);
	sx_mem_unref(u);
	sx_store_close(st);
	tdb_remove(&t);
	return err;
}

UT_MAIN(UT_C(test_burst), UT_C(test_load_measure), UT_C(test_window),
        UT_C(test_two_processes))
