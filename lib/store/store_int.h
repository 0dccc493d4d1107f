/*
 * Private state of the generic store, shared by store.c (queue, writer,
 * group commit) and the per-kind front ends user.c, binding.c, event.c.
 */
#ifndef SX_STORE_STORE_INT_H
#define SX_STORE_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <sx/store/backend.h>
#include <sx/store/store.h>
#include <sx/util/sl.h>

struct sx_pool;

/* A queued write: one sx_mem block, the copied strings follow it. */
struct sx_store__op {
	struct sx_store__op *next; /* queue link */
	struct sx_store *st;
	uint64_t seq;       /* enqueue order, from 1 */
	sx_store_done_h *h; /* NULL: a synchronous caller waits */
	void *arg;
	int err;        /* the write's result, once done */
	bool done;      /* committed or failed; under mtx */
	bool job_ended; /* its writer job returned; under mtx */
	struct sx_store_wr wr;
	/* copies of the record's strings (and import arrays) follow */
};

struct sx_store__utab;

/* The in-memory copy of the users table (user.c). */
struct sx_store__ucache {
	pthread_mutex_t mtx;
	struct sx_store__utab *tab; /* NULL: not loaded, or too many users */
	bool loaded;                /* gen is the generation of tab */
	bool too_many;              /* the last load found too many users */
	uint64_t gen;               /* users generation of the load */
	uint64_t checked_ms;        /* monotonic time of the last check */
	unsigned max_age_ms;        /* recheck interval */
	atomic_bool stale;          /* this store committed a user write */
};

struct sx_store {
	const struct sx_store_backend_ops *ops;
	void *be;
	struct sx_pool *pool; /* one thread: the writer */
	pthread_mutex_t mtx;
	pthread_cond_t cond;       /* signalled after every transaction */
	struct sx_store__op *head; /* queued, not yet taken by the writer */
	struct sx_store__op *tail;
	size_t pending; /* submitted writes whose job has not ended */
	size_t queue_max;
	unsigned batch_max;
	size_t queued;              /* ops in head..tail */
	uint64_t commit_interval_ns; /* sx_store_prm.commit_interval_us */
	uint64_t last_commit_ns;     /* CLOCK_MONOTONIC start of the last */
	size_t last_batch_n;         /* writes in the last transaction */
	bool writer_waiting;         /* in the commit window, on cond_win */
	pthread_cond_t cond_win;     /* batch_max writes are queued */
	uint64_t seq_enq;  /* last sequence number given */
	uint64_t seq_done; /* every write up to it is done */
	bool closing;
	struct sx_store_stats stats;
	struct sx_store__ucache uc;
};

/*
 * Allocate a write of @kind with @extra bytes of storage after it;
 * *datap points to that storage.  NULL on allocation failure.
 */
struct sx_store__op *sx_store__op_alloc(enum sx_store_wr_kind kind,
                                        size_t extra, char **datap);

/*
 * Queue @op (always consumed).  With @cb: returns 0 once queued, and
 * cb->h will run on cb->loop; or a negative errno and it will not.
 * Without: blocks and returns the write's result.
 */
int sx_store__submit(struct sx_store *st, struct sx_store__op *op,
                     const struct sx_store_cb *cb);

/* Set up / free the user cache (user.c). */
void sx_store__ucache_init(struct sx_store__ucache *uc, unsigned max_age_ms);
void sx_store__ucache_fini(struct sx_store__ucache *uc);

/* Whether @kind changes the users table. */
static inline bool sx_store__is_user_write(enum sx_store_wr_kind kind)
{
	return kind == SX_STORE_WR_USER_ADD || kind == SX_STORE_WR_USER_PUT ||
	       kind == SX_STORE_WR_USER_DELETE ||
	       kind == SX_STORE_WR_USER_IMPORT;
}

/* Check a callback argument: NULL (synchronous) or loop and handler. */
static inline bool sx_store__cb_ok(const struct sx_store_cb *cb)
{
	return !cb || (cb->loop && cb->h);
}

/* A slice is well-formed, at most @max bytes, and non-empty if @need. */
static inline bool sx_store__sl_ok(struct sx_sl s, size_t max, bool need)
{
	if (s.len && !s.p)
		return false;
	return s.len <= max && (!need || s.len);
}

/* Bytes a slice takes when packed (with its NUL). */
static inline size_t sx_store__sl_size(struct sx_sl s)
{
	return s.len + 1;
}

/* Copy @s to *pp as a NUL-terminated string; returns the copy. */
static inline struct sx_sl sx_store__pack(char **pp, struct sx_sl s)
{
	char *p = *pp;
	if (s.len)
		memcpy(p, s.p, s.len);
	p[s.len] = '\0';
	*pp = p + s.len + 1;
	return sx_sl_make(p, s.len);
}

#endif
