/*
 * sx_ev core: epoll set, fd table, the run loop and the clock
 * (STYLE.md 2.9; epoll(7), eventfd(2)).  Timers live in tmr.c, the
 * cross-thread queue in post.c, signals in sig.c.
 */
#define SX_LOG_MOD "port.ev"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "ev_int.h"

/* epoll data of the wake-up eventfd; real fds use (gen << 32 | fd). */
#define WAKE_TAG UINT64_MAX
/* First size of the fd table. */
#define FD_TABLE_MIN 64u

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void loop_destroy(void *obj)
{
	struct sx_ev *loop = obj;

	sx_ev__sig_fini(loop);
	sx_ev__post_fini(loop);
	sx_ev__tmr_fini(loop);
	loop->fds = sx_mem_unref(loop->fds);
	if (loop->wakefd >= 0)
		close(loop->wakefd);
	if (loop->epfd >= 0)
		close(loop->epfd);
}

static int open_fds(struct sx_ev *loop)
{
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		return -errno;
	loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->wakefd < 0)
		return -errno;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = WAKE_TAG};
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ev))
		return -errno;
	return 0;
}

int sx_ev_alloc(struct sx_ev **loopp, const struct sx_ev_prm *prm)
{
	static const struct sx_ev_prm defaults;
	struct sx_ev *loop;
	int err;

	if (!loopp)
		return -EINVAL;
	if (!prm)
		prm = &defaults;
	loop = sx_mem_zalloc(sizeof(*loop), loop_destroy);
	if (!loop)
		return -ENOMEM;
	loop->epfd = loop->wakefd = loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	loop->now = mono_ms();
	/* the destructor copes with any prefix of these steps */
	err = sx_ev__post_init(loop, prm->post_max ? prm->post_max
	                                           : SX_EV_POST_MAX_DEFAULT);
	if (err) {
		sx_mem_unref(loop);
		return err;
	}
	err = sx_ev__tmr_init(loop, prm->tmr_capacity ? prm->tmr_capacity
	                                              : SX_EV_TMR_CAP_DEFAULT);
	if (!err)
		err = open_fds(loop);
	if (err) {
		sx_mem_unref(loop);
		return err;
	}
	*loopp = loop;
	return 0;
}

void sx_ev_free(struct sx_ev *loop)
{
	sx_mem_unref(loop);
}

static uint32_t to_epoll(uint32_t events)
{
	return ((events & SX_EV_READ) ? EPOLLIN : 0) |
	       ((events & SX_EV_WRITE) ? EPOLLOUT : 0);
}

static uint32_t from_epoll(uint32_t ev)
{
	return ((ev & EPOLLIN) ? SX_EV_READ : 0) |
	       ((ev & EPOLLOUT) ? SX_EV_WRITE : 0) |
	       ((ev & (EPOLLERR | EPOLLHUP)) ? SX_EV_ERROR : 0);
}

static int fd_table_reserve(struct sx_ev *loop, int fd)
{
	size_t need = (size_t)fd + 1, cap = loop->nfds;

	if (need <= cap)
		return 0;
	cap = cap ? cap : FD_TABLE_MIN;
	while (cap < need)
		cap *= 2;
	struct sx_ev__fd *t = sx_mem_realloc(loop->fds, cap * sizeof(*t));
	if (!t)
		return -ENOMEM;
	memset(t + loop->nfds, 0, (cap - loop->nfds) * sizeof(*t));
	loop->fds = t;
	loop->nfds = cap;
	return 0;
}

static struct sx_ev__fd *fd_slot(struct sx_ev *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nfds || !loop->fds[fd].h)
		return NULL;
	return &loop->fds[fd];
}

static int epoll_set(struct sx_ev *loop, int op, int fd,
                     const struct sx_ev__fd *f)
{
	struct epoll_event ev = {
	    .events = to_epoll(f->events),
	    .data.u64 = ((uint64_t)f->gen << 32) | (uint32_t)fd,
	};
	return epoll_ctl(loop->epfd, op, fd, &ev) ? -errno : 0;
}

int sx_ev_fd_add(struct sx_ev *loop, int fd, uint32_t events, sx_ev_fd_h *h,
                 void *arg)
{
	if (!loop || fd < 0 || fd >= SX_EV_FD_MAX || !h ||
	    (events & ~(uint32_t)(SX_EV_READ | SX_EV_WRITE)))
		return -EINVAL;
	if (fd_slot(loop, fd))
		return -EEXIST;
	int err = fd_table_reserve(loop, fd);
	if (err)
		return err;
	struct sx_ev__fd *f = &loop->fds[fd];
	/* a new generation makes events fetched for an old owner stale */
	f->gen++;
	f->events = events;
	err = epoll_set(loop, EPOLL_CTL_ADD, fd, f);
	if (err)
		return err;
	f->h = h;
	f->arg = arg;
	return 0;
}

int sx_ev_fd_mod(struct sx_ev *loop, int fd, uint32_t events)
{
	if (!loop || (events & ~(uint32_t)(SX_EV_READ | SX_EV_WRITE)))
		return -EINVAL;
	struct sx_ev__fd *f = fd_slot(loop, fd);
	if (!f)
		return -ENOENT;
	uint32_t old = f->events;
	f->events = events;
	int err = epoll_set(loop, EPOLL_CTL_MOD, fd, f);
	if (err)
		f->events = old;
	return err;
}

int sx_ev_fd_del(struct sx_ev *loop, int fd)
{
	if (!loop)
		return -EINVAL;
	struct sx_ev__fd *f = fd_slot(loop, fd);
	if (!f)
		return -ENOENT;
	/* may fail if the caller already closed fd: the kernel dropped it */
	(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	f->h = NULL;
	f->arg = NULL;
	f->gen++;
	return 0;
}

/* How long epoll_wait() may sleep given the caller's limit and timers. */
static int wait_ms(const struct sx_ev *loop, int timeout_ms)
{
	uint64_t deadline;

	if (timeout_ms == 0 || !sx_ev__tmr_next(loop, &deadline))
		return timeout_ms;
	if (deadline <= loop->now)
		return 0;
	if (loop->virt)
		return timeout_ms; /* virtual time does not pass by waiting */
	uint64_t rel = deadline - loop->now;
	if (timeout_ms > 0 && rel > (uint64_t)timeout_ms)
		return timeout_ms;
	return rel > INT_MAX ? INT_MAX : (int)rel;
}

static int dispatch(struct sx_ev *loop, const struct epoll_event *ev)
{
	if (ev->data.u64 == WAKE_TAG)
		return sx_ev__post_drain(loop);
	int fd = (int)(uint32_t)ev->data.u64;
	uint32_t gen = (uint32_t)(ev->data.u64 >> 32);
	struct sx_ev__fd *f = fd_slot(loop, fd);
	/* removed (or replaced) by an earlier callback of this batch */
	if (!f || f->gen != gen)
		return 0;
	f->h(fd, from_epoll(ev->events), f->arg);
	return 1;
}

int sx_ev_run_once(struct sx_ev *loop, int timeout_ms)
{
	struct epoll_event evs[SX_EV_BATCH];

	if (!loop)
		return -EINVAL;
	int n =
	    epoll_wait(loop->epfd, evs, SX_EV_BATCH, wait_ms(loop, timeout_ms));
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}
	if (!loop->virt)
		loop->now = mono_ms();
	int count = 0;
	for (int i = 0; i < n; i++)
		count += dispatch(loop, &evs[i]);
	return count + sx_ev__tmr_run_due(loop);
}

int sx_ev_run(struct sx_ev *loop)
{
	int err = 0;

	if (!loop)
		return -EINVAL;
	while (!atomic_load_explicit(&loop->stop, memory_order_acquire)) {
		int n = sx_ev_run_once(loop, -1);
		if (n < 0) {
			SX_LOG_ERR("epoll_wait: %s", strerror(-n));
			err = n;
			break;
		}
	}
	atomic_store_explicit(&loop->stop, false, memory_order_relaxed);
	return err;
}

void sx_ev_stop(struct sx_ev *loop)
{
	if (!loop)
		return;
	atomic_store_explicit(&loop->stop, true, memory_order_release);
	sx_ev__wake(loop);
}

uint64_t sx_ev_now(const struct sx_ev *loop)
{
	return loop ? loop->now : 0;
}

int sx_ev_clock_set_virtual(struct sx_ev *loop, uint64_t start_ms)
{
	if (!loop)
		return -EINVAL;
	if (loop->heap_len)
		return -EBUSY;
	loop->virt = true;
	loop->now = start_ms;
	return 0;
}

int sx_ev_clock_advance(struct sx_ev *loop, uint64_t ms)
{
	if (!loop || !loop->virt || ms > UINT64_MAX - loop->now)
		return -EINVAL;
	return sx_ev__tmr_advance(loop, loop->now + ms);
}
