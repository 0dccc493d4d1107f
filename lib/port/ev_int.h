/*
 * Private state of an sx_ev loop, shared by ev.c, tmr.c, post.c, sig.c
 * and pool.c.  Not a public header.
 */
#ifndef SX_PORT_EV_INT_H
#define SX_PORT_EV_INT_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/port/ev.h>
#include <sx/port/tmr.h>

/* One slot per fd number; gen tells a stale epoll event from a live one. */
struct sx_ev__fd {
	sx_ev_fd_h *h; /* NULL = not watched */
	void *arg;
	uint32_t events;
	uint32_t gen;
};

/*
 * A queued cross-thread callback.  Always the start of an sx_mem block,
 * which the loop unrefs after running it (pool jobs embed one first).
 */
struct sx_ev__post {
	struct sx_ev__post *next;
	sx_ev_post_h *fn;
	void *arg;
};

struct sx_ev__sig {
	sx_ev_signal_h *h;
	void *arg;
	bool unblock; /* we blocked it, so unblock on del */
};

struct sx_ev {
	int epfd;
	int wakefd; /* eventfd: posts and stop requests */
	int sigfd;  /* signalfd, -1 until the first signal */
	atomic_bool stop;

	struct sx_ev__fd *fds; /* sx_mem array indexed by fd */
	size_t nfds;

	/* clock */
	bool virt;
	uint64_t now;

	/* timers: 4-ary min-heap ordered by (deadline, seq) */
	struct sx_tmr **heap; /* sx_mem array */
	size_t heap_len;
	size_t heap_cap;
	uint64_t tmr_seq;

	/* cross-thread posts: mutex-protected FIFO */
	pthread_mutex_t post_mtx;
	struct sx_ev__post *post_head;
	struct sx_ev__post *post_tail;
	atomic_size_t post_len; /* written under post_mtx */
	size_t post_max;
	bool post_signalled; /* wakefd written since the last drain */
	bool post_ready;     /* post_mtx initialised */

	/* signals */
	sigset_t sigmask;
	struct sx_ev__sig sigs[_NSIG];
};

/* tmr.c */
int sx_ev__tmr_init(struct sx_ev *loop, size_t capacity);
void sx_ev__tmr_fini(struct sx_ev *loop);
/* Earliest armed deadline; false when none is armed. */
bool sx_ev__tmr_next(const struct sx_ev *loop, uint64_t *deadlinep);
/* Run timers due at loop->now armed before this call; returns count. */
int sx_ev__tmr_run_due(struct sx_ev *loop);
/* Virtual clock: run everything due up to @target, moving now. */
int sx_ev__tmr_advance(struct sx_ev *loop, uint64_t target);

/* post.c */
int sx_ev__post_init(struct sx_ev *loop, size_t max);
void sx_ev__post_fini(struct sx_ev *loop);
/* Run what is queued now; returns count. */
int sx_ev__post_drain(struct sx_ev *loop);
/* Queue a preallocated node; never fails and ignores the bound. */
void sx_ev__post_node(struct sx_ev *loop, struct sx_ev__post *node);
/* Write the eventfd so that a waiting loop wakes up. */
void sx_ev__wake(struct sx_ev *loop);

/* sig.c */
void sx_ev__sig_fini(struct sx_ev *loop);

#endif
