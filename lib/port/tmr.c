/*
 * sx_tmr: timers in a 4-ary min-heap keyed by (deadline, arming sequence)
 * (STYLE.md 2.9: never a list; libuv heap-inl.h for the idea).  Each
 * timer stores its heap index, so stop is O(log n) without a search, and
 * the sequence number keeps equal deadlines in FIFO order.  A 4-ary heap
 * is shallower than a binary one and its four children share cache lines.
 */
#include <errno.h>
#include <string.h>

#include <sx/util/mem.h>

#include "ev_int.h"

#define ARITY     4u
#define NOT_ARMED 0u

static bool tmr_less(const struct sx_tmr *a, const struct sx_tmr *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

static void heap_place(struct sx_ev *loop, size_t i, struct sx_tmr *t)
{
	loop->heap[i] = t;
	t->hidx = (uint32_t)(i + 1);
}

static void sift_up(struct sx_ev *loop, size_t i)
{
	struct sx_tmr *t = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / ARITY;
		if (!tmr_less(t, loop->heap[parent]))
			break;
		heap_place(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_place(loop, i, t);
}

static void sift_down(struct sx_ev *loop, size_t i)
{
	struct sx_tmr *t = loop->heap[i];
	size_t n = loop->heap_len;

	for (;;) {
		size_t first = i * ARITY + 1, best = i;
		struct sx_tmr *bt = t;
		for (size_t c = first; c < first + ARITY && c < n; c++) {
			if (tmr_less(loop->heap[c], bt)) {
				best = c;
				bt = loop->heap[c];
			}
		}
		if (best == i)
			break;
		heap_place(loop, i, bt);
		i = best;
	}
	heap_place(loop, i, t);
}

static void heap_remove(struct sx_ev *loop, struct sx_tmr *t)
{
	size_t i = t->hidx - 1;
	struct sx_tmr *last = loop->heap[--loop->heap_len];

	t->hidx = NOT_ARMED;
	if (last == t)
		return;
	heap_place(loop, i, last);
	if (i > 0 && tmr_less(last, loop->heap[(i - 1) / ARITY]))
		sift_up(loop, i);
	else
		sift_down(loop, i);
}

static int heap_reserve(struct sx_ev *loop, size_t need)
{
	if (need <= loop->heap_cap)
		return 0;
	if (need > SX_EV_TMR_MAX)
		return -ENOSPC;
	size_t cap = loop->heap_cap ? loop->heap_cap * 2 : need;
	if (cap > SX_EV_TMR_MAX)
		cap = SX_EV_TMR_MAX;
	struct sx_tmr **h = sx_mem_realloc(loop->heap, cap * sizeof(*h));
	if (!h)
		return -ENOMEM;
	loop->heap = h;
	loop->heap_cap = cap;
	return 0;
}

int sx_ev__tmr_init(struct sx_ev *loop, size_t capacity)
{
	return heap_reserve(loop, SX_MIN(capacity, (size_t)SX_EV_TMR_MAX));
}

void sx_ev__tmr_fini(struct sx_ev *loop)
{
	/* detach: the timers' owners may still call stop/isrunning */
	for (size_t i = 0; i < loop->heap_len; i++)
		loop->heap[i]->hidx = NOT_ARMED;
	loop->heap_len = 0;
	loop->heap = sx_mem_unref(loop->heap);
	loop->heap_cap = 0;
}

void sx_tmr_init(struct sx_tmr *tmr)
{
	if (tmr)
		memset(tmr, 0, sizeof(*tmr));
}

int sx_tmr_start(struct sx_ev *loop, struct sx_tmr *tmr, uint64_t delay_ms,
                 sx_tmr_h *h, void *arg)
{
	if (!loop || !tmr || !h)
		return -EINVAL;
	if (tmr->hidx == NOT_ARMED || tmr->loop != loop) {
		/* grow first, so that a failure leaves the timer as it was */
		int err = heap_reserve(loop, loop->heap_len + 1);
		if (err)
			return err;
	}
	sx_tmr_stop(tmr);
	tmr->loop = loop;
	tmr->h = h;
	tmr->arg = arg;
	tmr->deadline = delay_ms > UINT64_MAX - loop->now
	                    ? UINT64_MAX
	                    : loop->now + delay_ms;
	tmr->seq = loop->tmr_seq++;
	heap_place(loop, loop->heap_len++, tmr);
	sift_up(loop, loop->heap_len - 1);
	return 0;
}

void sx_tmr_stop(struct sx_tmr *tmr)
{
	if (tmr && tmr->hidx != NOT_ARMED)
		heap_remove(tmr->loop, tmr);
}

bool sx_tmr_isrunning(const struct sx_tmr *tmr)
{
	return tmr && tmr->hidx != NOT_ARMED;
}

uint64_t sx_tmr_remaining(const struct sx_tmr *tmr)
{
	if (!sx_tmr_isrunning(tmr) || tmr->deadline <= tmr->loop->now)
		return 0;
	return tmr->deadline - tmr->loop->now;
}

size_t sx_ev_tmr_count(const struct sx_ev *loop)
{
	return loop ? loop->heap_len : 0;
}

bool sx_ev__tmr_next(const struct sx_ev *loop, uint64_t *deadlinep)
{
	if (!loop->heap_len)
		return false;
	*deadlinep = loop->heap[0]->deadline;
	return true;
}

/* Pop the earliest timer and call it (it is stopped when h runs). */
static void fire_top(struct sx_ev *loop)
{
	struct sx_tmr *t = loop->heap[0];

	heap_remove(loop, t);
	t->h(t->arg);
}

int sx_ev__tmr_run_due(struct sx_ev *loop)
{
	/* timers armed by these handlers wait for the next iteration, so a
	 * zero-delay re-arm cannot starve fd events */
	uint64_t seq_end = loop->tmr_seq;
	int n = 0;

	while (loop->heap_len && loop->heap[0]->deadline <= loop->now &&
	       loop->heap[0]->seq < seq_end) {
		fire_top(loop);
		n++;
	}
	return n;
}

int sx_ev__tmr_advance(struct sx_ev *loop, uint64_t target)
{
	int n = 0;

	while (loop->heap_len && loop->heap[0]->deadline <= target) {
		if (loop->heap[0]->deadline > loop->now)
			loop->now = loop->heap[0]->deadline;
		fire_top(loop);
		if (n < INT32_MAX)
			n++;
	}
	loop->now = target;
	return n;
}
