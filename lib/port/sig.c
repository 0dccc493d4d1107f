/*
 * sx_ev signals through one signalfd per loop (signalfd(2)).  Handlers
 * run on the loop thread like any fd callback, so they may do anything;
 * no async-signal-safety rules apply.  The signal must be blocked in
 * every thread for the fd to see it, hence "main loop, before other
 * threads start".
 */
#define SX_LOG_MOD "port.sig"

#include <errno.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <sx/util/log.h>

#include "ev_int.h"

static void on_sigfd(int fd, uint32_t events, void *arg)
{
	struct sx_ev *loop = arg;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int signo = (int)si.ssi_signo;
		if (signo > 0 && signo < _NSIG && loop->sigs[signo].h)
			loop->sigs[signo].h(signo, loop->sigs[signo].arg);
	}
}

static bool catchable(int signo)
{
	return signo > 0 && signo < _NSIG && signo != SIGKILL &&
	       signo != SIGSTOP;
}

/* Point the signalfd at @mask, creating and watching it if needed. */
static int sigfd_update(struct sx_ev *loop, const sigset_t *mask)
{
	bool fresh = loop->sigfd < 0;
	int fd = signalfd(loop->sigfd, mask, SFD_NONBLOCK | SFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fresh) {
		int err = sx_ev_fd_add(loop, fd, SX_EV_READ, on_sigfd, loop);
		if (err) {
			close(fd);
			return err;
		}
		loop->sigfd = fd;
	}
	return 0;
}

int sx_ev_signal_add(struct sx_ev *loop, int signo, sx_ev_signal_h *h,
                     void *arg)
{
	sigset_t one, old, mask;

	if (!loop || !h || !catchable(signo))
		return -EINVAL;
	if (loop->sigs[signo].h)
		return -EEXIST;
	mask = loop->sigmask;
	sigaddset(&mask, signo);
	int err = sigfd_update(loop, &mask);
	if (err)
		return err;
	sigemptyset(&one);
	sigaddset(&one, signo);
	pthread_sigmask(SIG_BLOCK, &one, &old);
	loop->sigmask = mask;
	loop->sigs[signo] = (struct sx_ev__sig){
	    .h = h,
	    .arg = arg,
	    .unblock = !sigismember(&old, signo),
	};
	return 0;
}

static void sig_release(struct sx_ev *loop, int signo)
{
	sigset_t one;

	if (loop->sigs[signo].unblock) {
		sigemptyset(&one);
		sigaddset(&one, signo);
		pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	}
	loop->sigs[signo] = (struct sx_ev__sig){0};
	sigdelset(&loop->sigmask, signo);
}

int sx_ev_signal_del(struct sx_ev *loop, int signo)
{
	if (!loop || !catchable(signo))
		return -EINVAL;
	if (!loop->sigs[signo].h)
		return -ENOENT;
	sigset_t mask = loop->sigmask;
	sigdelset(&mask, signo);
	/* stop reading it before unblocking, or it could be lost */
	if (signalfd(loop->sigfd, &mask, SFD_NONBLOCK | SFD_CLOEXEC) < 0)
		SX_LOG_WARN("signalfd: %s", strerror(errno));
	sig_release(loop, signo);
	return 0;
}

void sx_ev__sig_fini(struct sx_ev *loop)
{
	if (loop->sigfd < 0)
		return;
	for (int s = 1; s < _NSIG; s++)
		if (loop->sigs[s].h)
			sig_release(loop, s);
	(void)sx_ev_fd_del(loop, loop->sigfd);
	close(loop->sigfd);
	loop->sigfd = -1;
}
