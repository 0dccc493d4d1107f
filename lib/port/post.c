/*
 * sx_ev_post: callbacks posted from any thread, run on the loop thread in
 * FIFO order (STYLE.md 2.9; eventfd(2)).  A mutex-protected singly linked
 * list: posting is rare next to I/O, and a lock keeps the ordering
 * argument simple and ThreadSanitizer-visible.  The eventfd is written
 * only when the queue goes from "drained" to "pending", so a burst of
 * posts costs one wake-up.
 */
#define SX_LOG_MOD "port.ev"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "ev_int.h"

int sx_ev__post_init(struct sx_ev *loop, size_t max)
{
	int err = pthread_mutex_init(&loop->post_mtx, NULL);
	if (err)
		return -err;
	loop->post_ready = true;
	loop->post_max = max;
	return 0;
}

void sx_ev__post_fini(struct sx_ev *loop)
{
	if (!loop->post_ready)
		return;
	/* discarded without running: see sx_ev_free() */
	struct sx_ev__post *p = loop->post_head;
	while (p) {
		struct sx_ev__post *next = p->next;
		sx_mem_unref(p);
		p = next;
	}
	loop->post_head = loop->post_tail = NULL;
	pthread_mutex_destroy(&loop->post_mtx);
	loop->post_ready = false;
}

void sx_ev__wake(struct sx_ev *loop)
{
	uint64_t one = 1;
	/* EAGAIN only if the counter is saturated: a wake-up is pending */
	if (write(loop->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		SX_LOG_ERR("eventfd write: %s", strerror(errno));
}

/* Append under the lock; returns true when the loop must be woken. */
static bool enqueue(struct sx_ev *loop, struct sx_ev__post *node)
{
	bool wake = !loop->post_signalled;

	node->next = NULL;
	if (loop->post_tail)
		loop->post_tail->next = node;
	else
		loop->post_head = node;
	loop->post_tail = node;
	atomic_fetch_add_explicit(&loop->post_len, 1, memory_order_relaxed);
	loop->post_signalled = true;
	return wake;
}

int sx_ev_post(struct sx_ev *loop, sx_ev_post_h *fn, void *arg)
{
	if (!loop || !fn)
		return -EINVAL;
	/* unlocked early check: a full queue reports -ENOBUFS, not -ENOMEM */
	if (atomic_load_explicit(&loop->post_len, memory_order_relaxed) >=
	    loop->post_max)
		return -ENOBUFS;
	struct sx_ev__post *node = sx_mem_alloc(sizeof(*node), NULL);
	if (!node)
		return -ENOMEM;
	node->fn = fn;
	node->arg = arg;
	pthread_mutex_lock(&loop->post_mtx);
	if (atomic_load_explicit(&loop->post_len, memory_order_relaxed) >=
	    loop->post_max) {
		pthread_mutex_unlock(&loop->post_mtx);
		sx_mem_unref(node);
		return -ENOBUFS;
	}
	bool wake = enqueue(loop, node);
	pthread_mutex_unlock(&loop->post_mtx);
	if (wake)
		sx_ev__wake(loop);
	return 0;
}

void sx_ev__post_node(struct sx_ev *loop, struct sx_ev__post *node)
{
	pthread_mutex_lock(&loop->post_mtx);
	bool wake = enqueue(loop, node);
	pthread_mutex_unlock(&loop->post_mtx);
	if (wake)
		sx_ev__wake(loop);
}

int sx_ev__post_drain(struct sx_ev *loop)
{
	uint64_t cnt;
	int n = 0;

	/* clear the eventfd before taking the list: a post that lands after
	 * the take writes it again, so no wake-up is lost */
	if (read(loop->wakefd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		SX_LOG_ERR("eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&loop->post_mtx);
	struct sx_ev__post *p = loop->post_head;
	loop->post_head = loop->post_tail = NULL;
	atomic_store_explicit(&loop->post_len, 0, memory_order_relaxed);
	loop->post_signalled = false;
	pthread_mutex_unlock(&loop->post_mtx);
	/* posts made by these callbacks run in the next iteration */
	while (p) {
		struct sx_ev__post *next = p->next;
		p->fn(p->arg);
		sx_mem_unref(p);
		p = next;
		n++;
	}
	return n;
}
