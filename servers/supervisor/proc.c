/*
 * The supervisor's children (SIPXECS-REFERENCE 1.5: the sipXpbx watchdog
 * and sipXsupervisor; STYLE.md 2.9 "Processes").  Each process definition
 * is spawned in dependency order with its output on a pipe (logged to
 * NAME.log, echoed to our stderr), watched through SIGCHLD and, when it
 * names a SIP address, probed with OPTIONS (RFC 3261 11: any final
 * response proves the server is alive).  A process that dies or stops
 * answering is restarted at once, then with exponential back-off
 * (backoff.c), and given up after SX_SUP_GIVEUP_FAILS failures in a row.
 * Everything is driven by the sx_ev loop: signalfd, timers and fds; a
 * crash-looping child costs one fork per back-off period, never a spin.
 */
#define SX_LOG_MOD "sup"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "sup.h"

/** Mode of the log folder when the supervisor creates it. */
#define LOG_DIR_MODE 0750
/** Bytes of one OPTIONS probe or of a received answer we look at. */
#define PROBE_MAX 1024u
/** Bytes of one alarm line. */
#define ALARM_MAX 1024u

/** What happens when a process we stopped has exited. */
enum after_stop {
	AFTER_STAY,    /**< stay stopped */
	AFTER_RESTART, /**< manual restart: spawn again, no failure counted */
	AFTER_FAIL,    /**< we killed it as unhealthy: count a failure */
};

struct proc {
	struct sx_sup *sup;
	const struct sx_sup_procdef *def;
	enum sx_sup_state st;
	enum after_stop after;
	pid_t pid;  /**< 0 when not running */
	int out_fd; /**< read end of the output pipe, -1 */
	struct sx_sup_logf log;
	struct sx_tmr tmr;    /**< back-off, start or stop deadline */
	struct sx_tmr hc_tmr; /**< next probe, or the probe's deadline */
	int hc_fd;            /**< UDP socket connected to the health address */
	bool hc_pending;      /**< a probe waits for its answer */
	uint32_t hc_seq;
	unsigned hc_missed;  /**< probes missed in a row */
	unsigned fails;      /**< failures in a row (back-off) */
	uint64_t started_ms; /**< loop time of the last spawn */
};

struct sx_sup {
	struct sx_ev *loop;
	const struct sx_sup_cfg *cfg;
	bool echo;
	bool shutting_down;
	struct proc procs[SX_SUP_PROC_MAX];
	size_t nprocs;
	int alarm_fd;
	pid_t hooks[SX_SUP_HOOKS_MAX]; /**< running notification hooks */
};

static const char *const state_names[] = {
    [SX_SUP_STOPPED] = "Stopped",   [SX_SUP_WAITING] = "Waiting",
    [SX_SUP_STARTING] = "Starting", [SX_SUP_RUNNING] = "Running",
    [SX_SUP_STOPPING] = "Stopping", [SX_SUP_RESTARTING] = "Restarting",
    [SX_SUP_FAILED] = "Failed",
};

const char *sx_sup_state_str(enum sx_sup_state st)
{
	if ((size_t)st >= SX_ARRAY_SIZE(state_names))
		return "Undefined";
	return state_names[st];
}

static void spawn(struct proc *p);
static void failed(struct proc *p, const char *why);
static void stop_proc(struct proc *p, enum after_stop after);
static void shutdown_step(struct sx_sup *sup);

/* -- alarms -----------------------------------------------------------------
 */

static void hook_run(struct sx_sup *sup, const char *text)
{
	size_t slot = 0;

	while (slot < SX_SUP_HOOKS_MAX && sup->hooks[slot])
		slot++;
	if (slot == SX_SUP_HOOKS_MAX) {
		SX_LOG_WARN("alarm hook: %u already running, skipped",
		            SX_SUP_HOOKS_MAX);
		return;
	}
	const char *cmd = sup->cfg->alarm_command;
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		closefrom(STDERR_FILENO + 1);
		execlp(cmd, cmd, text, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		SX_LOG_WARN("alarm hook %s: fork: %s", cmd, strerror(errno));
	else
		sup->hooks[slot] = pid;
}

void sx_sup_alarm(struct sx_sup *sup, const char *id, const char *fmt, ...)
{
	char text[ALARM_MAX], line[ALARM_MAX + 64], ts[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	int n = snprintf(line, sizeof(line), "%s %s %s\n", ts, id, text);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	SX_LOG_WARN("alarm %s: %s", id, text);
	if (sup->alarm_fd >= 0 && write(sup->alarm_fd, line, (size_t)n) != n)
		SX_LOG_ERR("alarms.log: %s", strerror(errno));
	if (sup->cfg->alarm_command && *sup->cfg->alarm_command) {
		line[n - 1] = '\0';
		hook_run(sup, line);
	}
}

/* -- output and health ------------------------------------------------------
 */

static void out_close(struct proc *p)
{
	if (p->out_fd < 0)
		return;
	(void)sx_ev_fd_del(p->sup->loop, p->out_fd);
	close(p->out_fd);
	p->out_fd = -1;
}

/* Copy one chunk; false at EOF or on error (the pipe is then closed). */
static bool out_read(struct proc *p)
{
	char buf[SX_SUP_PIPE_CHUNK];
	ssize_t n = read(p->out_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (n <= 0) {
		out_close(p);
		return false;
	}
	int err = sx_sup_logf_write(&p->log, buf, (size_t)n);
	if (err)
		SX_LOG_WARN_RL("%s.log: %s", p->def->name, strerror(-err));
	if (p->sup->echo && write(STDERR_FILENO, buf, (size_t)n) < 0)
		p->sup->echo = false;
	return true;
}

static void on_output(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	out_read(arg);
}

static void probe_send(struct proc *p)
{
	char msg[PROBE_MAX], host[SX_SA_STRLEN], local[SX_SA_STRLEN];
	struct sx_sa la;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(p->hc_fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    sx_sa_set_sockaddr(&la, (struct sockaddr *)&ss, sl) ||
	    sx_sa_print(&la, local, sizeof(local)) < 0 ||
	    sx_sa_print(&p->def->health_sa, host, sizeof(host)) < 0)
		return;
	p->hc_seq++;
	int n =
	    snprintf(msg, sizeof(msg),
	             "OPTIONS sip:%s SIP/2.0\r\n"
	             "Via: SIP/2.0/UDP %s;branch=z9hG4bKsup%ld.%u;rport\r\n"
	             "Max-Forwards: 70\r\n"
	             "From: <sip:sipxsupervisor@%s>;tag=sup%u\r\n"
	             "To: <sip:%s>\r\n"
	             "Call-ID: sup-%ld-%u@%s\r\n"
	             "CSeq: %u OPTIONS\r\n"
	             "User-Agent: sipxsupervisor\r\n"
	             "Content-Length: 0\r\n\r\n",
	             host, local, (long)getpid(), p->hc_seq, local, p->hc_seq,
	             host, (long)getpid(), p->hc_seq, local, p->hc_seq);
	if (n > 0 && (size_t)n < sizeof(msg))
		(void)send(p->hc_fd, msg, (size_t)n, MSG_NOSIGNAL);
	p->hc_pending = true;
}

static void hc_fire(void *arg);

static void hc_arm(struct proc *p, uint64_t ms)
{
	if (sx_tmr_start(p->sup->loop, &p->hc_tmr, ms, hc_fire, p))
		SX_LOG_ERR("%s: cannot arm the health timer", p->def->name);
}

static void became_running(struct proc *p)
{
	struct sx_sup *sup = p->sup;

	p->st = SX_SUP_RUNNING;
	sx_tmr_stop(&p->tmr);
	SX_LOG_INFO("%s running (pid %ld)", p->def->name, (long)p->pid);
	for (size_t i = 0; i < sup->nprocs; i++)
		if (sup->procs[i].st == SX_SUP_WAITING)
			spawn(&sup->procs[i]);
}

/* The probed address as text, for messages. */
static const char *health_addr(const struct proc *p, char *buf, size_t size)
{
	if (sx_sa_print(&p->def->health_sa, buf, size) < 0)
		snprintf(buf, size, "?");
	return buf;
}

static void unhealthy(struct proc *p)
{
	char addr[SX_SA_STRLEN];

	sx_sup_alarm(p->sup, "PROCESS_UNHEALTHY",
	             "%s (pid %ld) missed %u OPTIONS probes to %s",
	             p->def->name, (long)p->pid, p->hc_missed,
	             health_addr(p, addr, sizeof(addr)));
	stop_proc(p, AFTER_FAIL);
}

static void hc_fire(void *arg)
{
	struct proc *p = arg;

	if (p->st == SX_SUP_STARTING) {
		probe_send(p);
		hc_arm(p, SX_SUP_START_PROBE_MS);
		return;
	}
	if (p->st != SX_SUP_RUNNING)
		return;
	if (p->hc_pending) {
		p->hc_pending = false;
		if (++p->hc_missed >= p->def->health_failures) {
			unhealthy(p);
			return;
		}
		hc_arm(p, p->def->health_interval_ms);
		return;
	}
	probe_send(p);
	hc_arm(p, p->def->health_timeout_ms);
}

/* Any SIP response on the connected socket comes from the process. */
static void on_probe_answer(int fd, uint32_t events, void *arg)
{
	struct proc *p = arg;
	char buf[PROBE_MAX];
	static const char sipver[] = "SIP/2.0 ";

	(void)events;
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < (ssize_t)sizeof(sipver) - 1 ||
	    memcmp(buf, sipver, sizeof(sipver) - 1) != 0)
		return;
	p->hc_pending = false;
	p->hc_missed = 0;
	if (p->st == SX_SUP_STARTING) {
		became_running(p);
		hc_arm(p, p->def->health_interval_ms);
	} else if (p->st == SX_SUP_RUNNING)
		hc_arm(p, p->def->health_interval_ms);
}

static int hc_open(struct proc *p)
{
	const struct sx_sa *sa = &p->def->health_sa;

	p->hc_fd =
	    socket(sx_sa_af(sa), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->hc_fd < 0)
		return -errno;
	if (connect(p->hc_fd, &sa->u.sa, sa->len) != 0)
		return -errno;
	return sx_ev_fd_add(p->sup->loop, p->hc_fd, SX_EV_READ, on_probe_answer,
	                    p);
}

/* -- spawning and reaping ---------------------------------------------------
 */

static void child_exec(struct proc *p, int wfd, pid_t parent)
{
	sigset_t none;
	int null = open("/dev/null", O_RDONLY);

	/* Own process group: Ctrl-C reaches the supervisor only, which then
	 * stops the children in order.  They die with us (PDEATHSIG). */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent) /* we died before prctl() took effect */
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	dup2(wfd, STDOUT_FILENO);
	dup2(wfd, STDERR_FILENO);
	closefrom(STDERR_FILENO + 1);
	execvp(p->def->argv[0], p->def->argv);
	dprintf(STDERR_FILENO, "sipxsupervisor: exec %s: %s\n", p->def->argv[0],
	        strerror(errno));
	_exit(127);
}

static bool deps_running(const struct proc *p)
{
	const struct sx_sup *sup = p->sup;

	for (size_t i = 0; i < sup->nprocs; i++) {
		const char *n = sup->procs[i].def->name;
		if (sx_sup_list_has(p->def->after, n, strlen(n)) &&
		    sup->procs[i].st != SX_SUP_RUNNING)
			return false;
	}
	return true;
}

static void start_timeout(void *arg)
{
	struct proc *p = arg;
	char addr[SX_SA_STRLEN];

	sx_sup_alarm(p->sup, "PROCESS_UNHEALTHY",
	             "%s (pid %ld) did not answer OPTIONS on %s within %u ms",
	             p->def->name, (long)p->pid,
	             health_addr(p, addr, sizeof(addr)),
	             p->def->start_timeout_ms);
	stop_proc(p, AFTER_FAIL);
}

static int fork_child(struct proc *p)
{
	int pfd[2];

	if (pipe2(pfd, O_CLOEXEC) != 0)
		return -errno;
	pid_t self = getpid();
	pid_t pid = fork();
	if (pid == 0)
		child_exec(p, pfd[1], self);
	int err = pid < 0 ? -errno : 0;
	close(pfd[1]);
	if (!err && fcntl(pfd[0], F_SETFL, O_NONBLOCK) != 0)
		err = -errno;
	if (!err)
		err = sx_ev_fd_add(p->sup->loop, pfd[0], SX_EV_READ, on_output,
		                   p);
	if (err) {
		close(pfd[0]);
		if (pid > 0) { /* we cannot watch it: do not leave it behind */
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return err;
	}
	p->out_fd = pfd[0];
	p->pid = pid;
	return 0;
}

static void spawn(struct proc *p)
{
	if (p->sup->shutting_down)
		return;
	if (!deps_running(p)) {
		p->st = SX_SUP_WAITING;
		return;
	}
	p->started_ms = sx_ev_now(p->sup->loop);
	int err = fork_child(p);
	if (err) {
		failed(p, strerror(-err));
		return;
	}
	SX_LOG_INFO("%s started (pid %ld)", p->def->name, (long)p->pid);
	p->st = SX_SUP_STARTING;
	p->hc_missed = 0;
	p->hc_pending = false;
	if (p->hc_fd < 0) {
		became_running(p);
		return;
	}
	hc_arm(p, 0);
	if (sx_tmr_start(p->sup->loop, &p->tmr, p->def->start_timeout_ms,
	                 start_timeout, p))
		SX_LOG_ERR("%s: cannot arm the start timer", p->def->name);
}

static void restart_fire(void *arg)
{
	struct proc *p = arg;

	sx_sup_alarm(p->sup, "PROCESS_RESTARTED",
	             "%s restarted after failure %u", p->def->name, p->fails);
	spawn(p);
}

static void failed(struct proc *p, const char *why)
{
	uint64_t up = sx_ev_now(p->sup->loop) - p->started_ms;

	p->fails = sx_sup_backoff_fails(p->fails, up);
	sx_sup_alarm(p->sup, "PROCESS_FAILED",
	             "%s %s after %llu ms (failure %u in a row)", p->def->name,
	             why, (unsigned long long)up, p->fails);
	if (p->sup->shutting_down) {
		p->st = SX_SUP_STOPPED;
		return;
	}
	if (sx_sup_backoff_giveup(p->fails)) {
		p->st = SX_SUP_FAILED;
		sx_sup_alarm(p->sup, "PROCESS_GAVE_UP",
		             "%s failed %u times in a row; not restarted until "
		             "started by hand",
		             p->def->name, p->fails);
		return;
	}
	uint64_t delay = sx_sup_backoff_delay(p->fails);
	p->st = SX_SUP_RESTARTING;
	if (delay == 0) {
		restart_fire(p);
		return;
	}
	SX_LOG_INFO("%s: restart in %llu ms", p->def->name,
	            (unsigned long long)delay);
	if (sx_tmr_start(p->sup->loop, &p->tmr, delay, restart_fire, p))
		SX_LOG_ERR("%s: cannot arm the restart timer", p->def->name);
}

static bool all_down(const struct sx_sup *sup)
{
	for (size_t i = 0; i < sup->nprocs; i++)
		if (sup->procs[i].pid)
			return false;
	return true;
}

static void describe(int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "exited with status %d",
		         WEXITSTATUS(status));
}

static void exited(struct proc *p, int status)
{
	char why[64];

	while (p->out_fd >= 0 && out_read(p))
		;
	out_close(p);
	p->pid = 0;
	sx_tmr_stop(&p->tmr);
	sx_tmr_stop(&p->hc_tmr);
	describe(status, why, sizeof(why));
	if (p->st != SX_SUP_STOPPING) {
		failed(p, why);
	} else if (p->after == AFTER_FAIL) {
		failed(p, "stopped as unhealthy");
	} else if (p->after == AFTER_RESTART && !p->sup->shutting_down) {
		p->fails = 0;
		spawn(p);
	} else {
		SX_LOG_INFO("%s stopped (%s)", p->def->name, why);
		p->st = SX_SUP_STOPPED;
	}
}

static void reap(struct sx_sup *sup)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < SX_SUP_HOOKS_MAX; i++)
			if (sup->hooks[i] == pid)
				sup->hooks[i] = 0;
		for (size_t i = 0; i < sup->nprocs; i++)
			if (sup->procs[i].pid == pid)
				exited(&sup->procs[i], status);
	}
	if (sup->shutting_down)
		shutdown_step(sup);
}

/* -- stopping ---------------------------------------------------------------
 */

static void stop_timeout(void *arg)
{
	struct proc *p = arg;

	SX_LOG_WARN("%s (pid %ld) ignored SIGTERM for %u ms: SIGKILL",
	            p->def->name, (long)p->pid, p->def->stop_timeout_ms);
	kill(p->pid, SIGKILL);
}

static void stop_proc(struct proc *p, enum after_stop after)
{
	p->after = after;
	if (!p->pid) {
		sx_tmr_stop(&p->tmr);
		if (after == AFTER_RESTART)
			spawn(p);
		else
			p->st = SX_SUP_STOPPED;
		return;
	}
	if (p->st == SX_SUP_STOPPING)
		return;
	p->st = SX_SUP_STOPPING;
	sx_tmr_stop(&p->hc_tmr);
	kill(p->pid, SIGTERM);
	if (sx_tmr_start(p->sup->loop, &p->tmr, p->def->stop_timeout_ms,
	                 stop_timeout, p))
		kill(p->pid, SIGKILL);
}

/* True while a running process lists @p in its "after". */
static bool has_live_dependent(const struct sx_sup *sup, const struct proc *p)
{
	for (size_t i = 0; i < sup->nprocs; i++) {
		const struct proc *q = &sup->procs[i];
		if (q->pid && sx_sup_list_has(q->def->after, p->def->name,
		                              strlen(p->def->name)))
			return true;
	}
	return false;
}

/* Shutdown runs the start order backwards: a process gets SIGTERM once
 * nothing running depends on it.  Called again after each exit. */
static void shutdown_step(struct sx_sup *sup)
{
	for (size_t i = 0; i < sup->nprocs; i++) {
		struct proc *p = &sup->procs[i];
		if (!p->pid)
			stop_proc(p, AFTER_STAY);
		else if (p->st != SX_SUP_STOPPING &&
		         !has_live_dependent(sup, p))
			stop_proc(p, AFTER_STAY);
	}
	if (all_down(sup))
		sx_ev_stop(sup->loop);
}

void sx_sup_shutdown(struct sx_sup *sup)
{
	if (sup->shutting_down) { /* second request: do not wait */
		for (size_t i = 0; i < sup->nprocs; i++)
			if (sup->procs[i].pid)
				kill(sup->procs[i].pid, SIGKILL);
		return;
	}
	sup->shutting_down = true;
	SX_LOG_INFO("stopping %zu processes", sup->nprocs);
	shutdown_step(sup);
}

int sx_sup_control(struct sx_sup *sup, const char *name, enum sx_sup_action act)
{
	struct proc *p = NULL;

	for (size_t i = 0; i < sup->nprocs && !p; i++)
		if (!strcmp(sup->procs[i].def->name, name))
			p = &sup->procs[i];
	if (!p)
		return -ENOENT;
	if (sup->shutting_down)
		return -ESHUTDOWN;
	SX_LOG_INFO("%s: %s requested", name,
	            act == SX_SUP_START  ? "start"
	            : act == SX_SUP_STOP ? "stop"
	                                 : "restart");
	if (act == SX_SUP_STOP) {
		stop_proc(p, AFTER_STAY);
		return 0;
	}
	p->fails = 0;
	if (p->st == SX_SUP_STOPPING) { /* start again once it has exited */
		p->after = AFTER_RESTART;
		return 0;
	}
	if (act == SX_SUP_RESTART && p->pid) {
		stop_proc(p, AFTER_RESTART);
		return 0;
	}
	if (p->st == SX_SUP_STOPPED || p->st == SX_SUP_FAILED ||
	    p->st == SX_SUP_RESTARTING) {
		sx_tmr_stop(&p->tmr);
		spawn(p);
	}
	return 0;
}

/* -- signals and life cycle -------------------------------------------------
 */

static void on_signal(int signo, void *arg)
{
	struct sx_sup *sup = arg;

	if (signo == SIGCHLD) {
		reap(sup);
	} else if (signo == SIGHUP) {
		SX_LOG_INFO("SIGHUP: forwarded to the children (reload)");
		for (size_t i = 0; i < sup->nprocs; i++)
			if (sup->procs[i].pid &&
			    sup->procs[i].st != SX_SUP_STOPPING)
				kill(sup->procs[i].pid, SIGHUP);
	} else {
		sx_sup_shutdown(sup);
	}
}

size_t sx_sup_count(const struct sx_sup *sup)
{
	return sup->nprocs;
}

const char *sx_sup_name(const struct sx_sup *sup, size_t i)
{
	return i < sup->nprocs ? sup->procs[i].def->name : NULL;
}

enum sx_sup_state sx_sup_state(const struct sx_sup *sup, size_t i)
{
	return i < sup->nprocs ? sup->procs[i].st : SX_SUP_STOPPED;
}

int sx_sup_start_all(struct sx_sup *sup)
{
	for (size_t i = 0; i < sup->nprocs; i++)
		if (sup->procs[i].st == SX_SUP_STOPPED)
			sup->procs[i].st = SX_SUP_WAITING;
	for (size_t i = 0; i < sup->nprocs; i++)
		if (sup->procs[i].st == SX_SUP_WAITING)
			spawn(&sup->procs[i]);
	return 0;
}

static int open_logs(struct sx_sup *sup)
{
	const char *dir = sup->cfg->log_dir;
	char path[SX_SUP_ARG_MAX];

	if (mkdir(dir, LOG_DIR_MODE) != 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/alarms.log", dir);
	sup->alarm_fd =
	    open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (sup->alarm_fd < 0)
		return -errno;
	for (size_t i = 0; i < sup->nprocs; i++) {
		int err = sx_sup_logf_open(&sup->procs[i].log, dir,
		                           sup->procs[i].def->name);
		if (err)
			return err;
	}
	return 0;
}

static int procs_init(struct sx_sup *sup)
{
	static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP};

	for (size_t i = 0; i < sup->nprocs; i++) {
		struct proc *p = &sup->procs[i];
		p->sup = sup;
		p->def = &sup->cfg->procs[i];
		if (sx_sa_isset(&p->def->health_sa)) {
			int err = hc_open(p);
			if (err)
				return err;
		}
	}
	for (size_t i = 0; i < SX_ARRAY_SIZE(sigs); i++) {
		int err = sx_ev_signal_add(sup->loop, sigs[i], on_signal, sup);
		if (err)
			return err;
	}
	return open_logs(sup);
}

int sx_sup_alloc(struct sx_sup **supp, struct sx_ev *loop,
                 const struct sx_sup_prm *prm)
{
	struct sx_sup *sup;

	if (!supp || !loop || !prm || !prm->cfg ||
	    prm->cfg->nprocs > SX_SUP_PROC_MAX)
		return -EINVAL;
	sup = sx_mem_zalloc(sizeof(*sup), NULL);
	if (!sup)
		return -ENOMEM;
	sup->loop = loop;
	sup->cfg = prm->cfg;
	sup->echo = prm->echo;
	sup->alarm_fd = -1;
	sup->nprocs = prm->cfg->nprocs;
	for (size_t i = 0; i < sup->nprocs; i++)
		sup->procs[i].out_fd = sup->procs[i].hc_fd =
		    sup->procs[i].log.fd = -1;
	int err = procs_init(sup);
	if (err) {
		sx_sup_free(sup);
		return err;
	}
	*supp = sup;
	return 0;
}

void sx_sup_free(struct sx_sup *sup)
{
	static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP};

	if (!sup)
		return;
	for (size_t i = 0; i < sup->nprocs; i++) {
		struct proc *p = &sup->procs[i];
		if (p->pid) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
		}
		sx_tmr_stop(&p->tmr);
		sx_tmr_stop(&p->hc_tmr);
		out_close(p);
		if (p->hc_fd >= 0) {
			(void)sx_ev_fd_del(sup->loop, p->hc_fd);
			close(p->hc_fd);
		}
		sx_sup_logf_close(&p->log);
	}
	for (size_t i = 0; i < SX_ARRAY_SIZE(sigs); i++)
		(void)sx_ev_signal_del(sup->loop, sigs[i]);
	if (sup->alarm_fd >= 0)
		close(sup->alarm_fd);
	sx_mem_unref(sup);
}
