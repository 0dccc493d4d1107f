/*
 * kill -9 durability of the store (ARCHITECTURE.md section 3: "kill -9
 * at any moment loses nothing that was acknowledged").  A child process
 * keeps CHILD_WINDOW asynchronous binding upserts in flight and, from
 * each completion handler, writes the binding's number to a pipe: that
 * is the moment a registrar would send its 200 OK.  The parent kills the
 * child with SIGKILL after a seeded random number of acknowledgements
 * plus a random delay, reopens the database (SQLite recovers the WAL)
 * and checks that every acknowledged binding is stored, field by field.
 * Seed: $SX_TEST_SEED, else a fixed value; printed for replay.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/store/binding.h>
#include <sx/store/store.h>

#include "store_test.h"
#include "ut.h"

#define ROUNDS 5
/* Writes the child may issue in total, and keeps in flight. */
#define CHILD_MAX_WRITES 20000u
#define CHILD_WINDOW     64u
/* The kill comes after 1..KILL_ACKS_MAX acks and 0..KILL_DELAY_US_MAX. */
#define KILL_ACKS_MAX     3000u
#define KILL_DELAY_US_MAX 5000u
#define SEED_DEFAULT      20261127u

/* ---- child --------------------------------------------------------- */

struct child;

struct slot {
	struct child *c;
	uint32_t idx;
};

struct child {
	struct sx_store *st;
	struct sx_ev *loop;
	int fd; /* pipe to the parent */
	unsigned sent;
	unsigned done;
	char buf[TDB_BINDING_BUF];
	struct slot slots[CHILD_MAX_WRITES];
};

static void child_next(struct child *c);

static void child_done(int err, void *arg)
{
	struct slot *s = arg;
	struct child *c = s->c;

	c->done++;
	if (err) {
		fprintf(stderr, "  child: write %u failed: %d\n", s->idx, err);
		_exit(3);
	}
	/* the acknowledgement: 4 bytes, atomic on a pipe */
	if (write(c->fd, &s->idx, sizeof(s->idx)) != sizeof(s->idx))
		_exit(4);
	child_next(c);
}

static void child_next(struct child *c)
{
	struct sx_store_binding b;

	if (c->sent >= CHILD_MAX_WRITES)
		return;
	struct slot *s = &c->slots[c->sent];
	*s = (struct slot){c, c->sent};
	tdb_binding(&b, c->sent, c->buf);
	struct sx_store_cb cb = {c->loop, child_done, s};
	if (sx_store_binding_upsert(c->st, &b, &cb))
		_exit(5);
	c->sent++;
}

static int child_main(const char *path, int fd)
{
	static struct child c;
	struct sx_store_prm prm = {.path = path};

	c.fd = fd;
	if (sx_ev_alloc(&c.loop, NULL) || sx_store_open(&c.st, &prm))
		return 2;
	for (unsigned i = 0; i < CHILD_WINDOW; i++)
		child_next(&c);
	while (c.done < c.sent)
		if (sx_ev_run_once(c.loop, 1000) < 0)
			return 6;
	return 0; /* finished before the kill: the parent copes */
}

/* ---- parent -------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: reproducible from the printed seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

struct acks {
	unsigned n;
	unsigned char mark[CHILD_MAX_WRITES];
	unsigned char part[sizeof(uint32_t)];
	size_t npart;
};

/* Read what the pipe holds (blocking); 0 at EOF, else bytes read. */
static ssize_t acks_read(int fd, struct acks *a)
{
	unsigned char buf[4096];
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	for (ssize_t i = 0; i < n; i++) {
		a->part[a->npart++] = buf[i];
		if (a->npart < sizeof(a->part))
			continue;
		uint32_t idx;
		memcpy(&idx, a->part, sizeof(idx));
		a->npart = 0;
		if (idx < CHILD_MAX_WRITES && !a->mark[idx]) {
			a->mark[idx] = 1;
			a->n++;
		}
	}
	return n;
}

struct stored {
	unsigned n;
	unsigned bad;
	unsigned char mark[CHILD_MAX_WRITES];
};

static int stored_binding(const struct sx_store_binding *b, void *arg)
{
	struct stored *s = arg;
	unsigned i = b->cseq - 1;
	if (i >= CHILD_MAX_WRITES || tdb_binding_check(b, i))
		s->bad++;
	else
		s->mark[i] = 1;
	s->n++;
	return 0;
}

static int round_run(unsigned r)
{
	static struct acks acks;
	static struct stored stored;
	struct tdb t;
	struct sx_store *st = NULL;
	int fds[2] = {-1, -1};
	pid_t pid = -1;
	unsigned missing = 0;
	int err = tdb_make(&t);
	if (err)
		return err;

	memset(&acks, 0, sizeof(acks));
	memset(&stored, 0, sizeof(stored));
	unsigned kill_after = 1 + rng() % KILL_ACKS_MAX;
	unsigned delay_us = rng() % KILL_DELAY_US_MAX;
	UT_EQ(0, pipe(fds));
	/* this process has no threads here: the child may use them all */
	pid = fork();
	UT_TRUE(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(child_main(t.path, fds[1]));
	}
	close(fds[1]);
	fds[1] = -1;
	while (acks.n < kill_after && acks_read(fds[0], &acks) > 0)
		;
	struct timespec ts = {0, (long)delay_us * 1000};
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	/* acknowledgements written before the kill are still in the pipe */
	while (acks_read(fds[0], &acks) > 0)
		;
	int status;
	UT_EQ(pid, waitpid(pid, &status, 0));
	pid = -1;
	UT_TRUE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
	        (WIFEXITED(status) && WEXITSTATUS(status) == 0));
	UT_TRUE(acks.n > 0);

	UT_OK(tdb_open(&t, 0, &st));
	ssize_t n =
	    sx_store_binding_load(st, SX_SL_NULL, stored_binding, &stored);
	UT_TRUE(n >= 0);
	for (unsigned i = 0; i < CHILD_MAX_WRITES; i++)
		if (acks.mark[i] && !stored.mark[i])
			missing++;
	printf("  round %u: kill after %u acks + %u us: %u acknowledged, "
	       "%u stored, %u missing\n",
	       r, kill_after, delay_us, acks.n, stored.n, missing);
	fflush(stdout);
	UT_EQ(0, missing);
	UT_EQ(0, stored.bad);
	UT_TRUE(stored.n >= acks.n);
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	sx_store_close(st);
	tdb_remove(&t);
	return err;
}

static int test_kill9(void)
{
	const char *env = getenv("SX_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : SEED_DEFAULT;
	int err = 0;

	if (ut_oom_mode())
		return UT_SKIP;
	printf("  seed %" PRIu64 " (set SX_TEST_SEED to replay)\n", seed);
	fflush(stdout); /* before fork: the child must not inherit it */
	rng_state = seed ? seed : 1;
	for (unsigned r = 0; r < ROUNDS && !err; r++)
		err = round_run(r);
	return err;
}

UT_MAIN(UT_C(test_kill9))
