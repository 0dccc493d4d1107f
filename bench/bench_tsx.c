/*
 * bench_tsx: transaction-layer throughput over real UDP on loopback
 * (RFC 3261 17: non-INVITE and INVITE client and server transactions;
 * 13.2.2.4: the ACK for the 2xx), in transactions per CPU second.
 *
 * A forked server process runs our UDP transport and transaction layer
 * and answers every request 200 (INVITE with a To tag; its ACK goes to
 * the TU).  The parent is the load generator: its own transport and
 * layer keep a window of transactions in flight, start a new one for
 * each final response and ACK each INVITE 2xx.  Per round the server's
 * CPU time (utime+stime from /proc) and the generator's
 * (CLOCK_PROCESS_CPUTIME_ID) are measured over a fixed wall time; the
 * medians of several rounds are reported for OPTIONS and INVITE, with
 * UDP batching (recvmmsg/sendmmsg) on and off (off = one receive slot
 * and a direct sendto() per message).
 *
 * Anchor: when kamailio is installed, the same generator sends OPTIONS
 * to a kamailio (config written to a temp dir, one UDP worker) that
 * answers with sl_send_reply (stateless) and, second, with t_newtran +
 * t_reply (stateful, tm), and the last line is `ratio tsx=X tm=Y`: our
 * server's OPTIONS transactions per CPU second (batching on) over
 * kamailio's (all its processes).
 *
 * Timers are scaled down (T1 20 ms, T4 100 ms) so that finished
 * transactions leave the tables within 1.3 s instead of 32 s; the work
 * per transaction is the same.
 *
 * Usage: bench_tsx [--rounds N] [--time-ms MS] [--window N]
 *                  [--no-kamailio]
 */
#define SX_LOG_MOD "bench.tsx"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/port/udp.h>
#include <sx/sip/tp_udp.h>
#include <sx/sip/tsx.h>
#include <sx/util/buf.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#define ROUNDS_DEFAULT 5
#define ROUNDS_MAX 51
#define TIME_MS_DEFAULT 1000
#define WARM_MS 300
#define WINDOW_DEFAULT 64
#define WINDOW_MAX 4096
#define T1_MS 20
#define T4_MS 100
#define MAX_TSX 400000
#define MSG_MAX 2048
#define KAM_START_MS 5000
#define KAM_MODULES "/usr/lib/x86_64-linux-gnu/kamailio/modules"
#define KAM_BIN "/usr/sbin/kamailio"

/* -- a transport that sends each message at once (batching off) -- */

struct direct_tp {
	struct sx_sip_tport base; /* first */
	struct sx_sip_tp_udp *udp;
};

static int direct_send(struct sx_sip_tport *tp, const struct sx_sip_peer *peer,
                       const char *buf, size_t len)
{
	return sx_sip_tp_udp_send_direct(((struct direct_tp *)tp)->udp, peer,
	                                 buf, len);
}

static int direct_local(struct sx_sip_tport *tp, enum sx_sip_proto proto,
                        struct sx_sa *localp)
{
	struct sx_sip_tport *u = sx_sip_tp_udp_tport(((struct direct_tp *)tp)->udp);

	return u->ops->local(u, proto, localp);
}

static const struct sx_sip_tport_ops direct_ops = {.send = direct_send,
                                                   .local = direct_local};

/* One side: loop, UDP transport, transaction layer. */
struct side {
	struct sx_ev *loop;
	struct sx_sip_tp_udp *udp;
	struct direct_tp direct;
	struct sx_sip_tsx_layer *layer;
};

static int side_open(struct side *s, bool batch,
                     const struct sx_sip_tsx_layer_prm *lprm)
{
	struct sx_sa local;
	struct sx_sip_tp_udp_prm uprm = {.local = &local,
	                                 .nlocal = 1,
	                                 .rcvbuf = SX_SIP_TP_UDP_RCVBUF,
	                                 .sndbuf = SX_SIP_TP_UDP_RCVBUF,
	                                 .batch = batch ? 0 : 1,
	                                 .recv_h = sx_sip_tsx_tport_recv};
	struct sx_sip_tsx_layer_prm prm = *lprm;
	int err = sx_sa_set_str(&local, SX_SL("127.0.0.1"), 0);

	prm.t1_ms = T1_MS;
	prm.t4_ms = T4_MS;
	prm.max_tsx = MAX_TSX;
	if (!err)
		err = sx_ev_alloc(&s->loop, NULL);
	if (!err)
		err = sx_sip_tp_udp_alloc(&s->udp, s->loop, &uprm);
	if (err)
		return err;
	struct sx_sip_tport *tp = sx_sip_tp_udp_tport(s->udp);
	if (!batch) {
		s->direct = (struct direct_tp){{.ops = &direct_ops}, s->udp};
		tp = &s->direct.base;
	}
	err = sx_sip_tsx_layer_alloc(&s->layer, s->loop, tp, &prm);
	if (!err)
		sx_sip_tp_udp_tport(s->udp)->arg = s->layer;
	return err;
}

static void side_close(struct side *s)
{
	s->layer = sx_mem_unref(s->layer);
	s->udp = sx_mem_unref(s->udp);
	sx_ev_free(s->loop);
	s->loop = NULL;
}

/* -- the server process -- */

static void srv_request(struct sx_sip_tsx *stsx, const struct sx_sip_msg *req,
                        const struct sx_sip_peer *peer, void *arg)
{
	(void)req;
	(void)peer;
	(void)arg;
	if (sx_sip_tsx_reply(stsx, 200, NULL,
	                     SX_SL("Contact: <sip:bench@127.0.0.1>\r\n"),
	                     SX_SL_NULL, SX_SL_NULL))
		SX_LOG_WARN_RL("reply failed");
}

static void srv_stop(int signo, void *arg)
{
	(void)signo;
	sx_ev_stop(arg);
}

/* Child: serve until SIGTERM; the bound port goes to @fd. */
static void server_main(bool batch, int fd)
{
	struct sx_sip_tsx_layer_prm prm = {.request_h = srv_request};
	struct side s = {0};
	uint16_t port = 0;
	int err = side_open(&s, batch, &prm);

	if (!err)
		err = sx_ev_signal_add(s.loop, SIGTERM, srv_stop, s.loop);
	if (!err)
		port = sx_sa_port(sx_sip_tp_udp_local(s.udp, 0));
	if (write(fd, &port, sizeof(port)) != sizeof(port) || err)
		_exit(1);
	close(fd);
	sx_ev_run(s.loop);
	(void)sx_ev_signal_del(s.loop, SIGTERM);
	side_close(&s);
	_exit(0);
}

/* Block SIGTERM first so that it is not lost before signalfd exists. */
static pid_t server_start(bool batch, uint16_t *portp)
{
	int p[2];
	sigset_t set, old;

	if (pipe(p))
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		server_main(batch, p[1]);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (pid > 0 && read(p[0], portp, sizeof(*portp)) != sizeof(*portp)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(p[0]);
	return pid;
}

static void proc_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* -- CPU time -- */

static double proc_cpu_s(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long ut = 0, st = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	                        "%lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static pid_t proc_ppid(pid_t pid)
{
	char path[64], buf[512];
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

/* CPU of @pid and its direct children (kamailio's processes). */
static double tree_cpu_s(pid_t pid)
{
	double sum = proc_cpu_s(pid);
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		pid_t c = (pid_t)atoi(e->d_name);
		if (c > 0 && proc_ppid(c) == pid)
			sum += proc_cpu_s(c);
	}
	if (d)
		closedir(d);
	return sum;
}

static double self_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* -- the load generator -- */

struct gen {
	struct side s;
	struct sx_sip_peer dst;
	bool invite;
	const char *ruri_user;
	uint64_t done, failed;
	uint32_t cseq;
	bool running;
	char local[SX_SA_STRLEN];
};

static void gen_resp(struct sx_sip_tsx *ctsx, uint16_t status,
                     const struct sx_sip_msg *resp, void *arg);

static int gen_print(struct gen *g, const char *method, struct sx_sl to,
                     uint32_t cseq, char *buf)
{
	char branch[SX_SIP_BRANCH_SIZE];

	sx_sip_branch_make(g->s.layer, branch);
	return snprintf(buf, MSG_MAX,
	                "%s sip:%s@%s SIP/2.0\r\n"
	                "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n"
	                "Max-Forwards: 70\r\n"
	                "From: <sip:bench@%s>;tag=b%u\r\n"
	                "To: %.*s\r\n"
	                "Call-ID: %u-bench@%s\r\n"
	                "CSeq: %u %s\r\n"
	                "Content-Length: 0\r\n\r\n",
	                method, g->ruri_user, g->local, g->local, branch,
	                g->local, cseq, SX_SL_FMT(to), cseq, g->local, cseq,
	                method);
}

static void gen_start(struct gen *g)
{
	char buf[MSG_MAX], to[SX_SA_STRLEN + 32];
	struct sx_sip_tsx *t = NULL;
	const char *m = g->invite ? "INVITE" : "OPTIONS";

	snprintf(to, sizeof(to), "<sip:%s@%s>", g->ruri_user, g->local);
	int n = gen_print(g, m, sx_sl_cstr(to), ++g->cseq, buf);
	struct sx_sip_tsx_req_prm prm = {.buf = buf,
	                                 .len = (size_t)n,
	                                 .dst = g->dst,
	                                 .resp_h = gen_resp,
	                                 .arg = g};
	if (sx_sip_tsx_request(&t, g->s.layer, &prm))
		g->failed++;
	sx_mem_unref(t);
}

/* RFC 3261 13.2.2.4: ACK the 2xx outside the transaction. */
static void gen_ack(struct gen *g, const struct sx_sip_msg *resp)
{
	char buf[MSG_MAX];
	const struct sx_sip_hdr *to = sx_sip_msg_hdr(resp, SX_SIP_HDR_TO);

	if (!to)
		return;
	int n = gen_print(g, "ACK", to->value, resp->cseq, buf);
	/* same Call-ID and tag as the INVITE: gen_print derives them
	 * from the CSeq number */
	if (sx_sip_tsx_send_stateless(g->s.layer, &g->dst, buf, (size_t)n))
		g->failed++;
}

static void gen_resp(struct sx_sip_tsx *ctsx, uint16_t status,
                     const struct sx_sip_msg *resp, void *arg)
{
	struct gen *g = arg;

	(void)ctsx;
	if (status < 200)
		return;
	if (g->invite && status < 300 && resp)
		gen_ack(g, resp); /* the server sends each 2xx once */
	g->done++;
	g->failed += status >= 300;
	if (g->running)
		gen_start(g);
}

struct sample {
	double srv_rate;  /* transactions per server CPU second */
	double pair_rate; /* per server + generator CPU second */
};

/* One round against @pid (CPU of the tree when @tree). */
static struct sample gen_round(struct gen *g, pid_t pid, bool tree,
                               unsigned time_ms)
{
	uint64_t end = wall_ms() + WARM_MS;

	while (wall_ms() < end)
		(void)sx_ev_run_once(g->s.loop, 10);
	uint64_t d0 = g->done;
	double s0 = tree ? tree_cpu_s(pid) : proc_cpu_s(pid);
	double c0 = self_cpu_s();
	end = wall_ms() + time_ms;
	while (wall_ms() < end)
		(void)sx_ev_run_once(g->s.loop, 10);
	double srv = (tree ? tree_cpu_s(pid) : proc_cpu_s(pid)) - s0;
	double cli = self_cpu_s() - c0;
	double n = (double)(g->done - d0);
	return (struct sample){srv > 0 ? n / srv : 0,
	                       srv + cli > 0 ? n / (srv + cli) : 0};
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

struct result {
	double srv, pair, srv_min, srv_max;
	uint64_t failed;
};

static int measure(pid_t pid, bool tree, uint16_t port, bool invite,
                   bool batch, const char *user, unsigned window, int rounds,
                   unsigned time_ms, struct result *res)
{
	struct sx_sip_tsx_layer_prm prm = {0};
	struct gen g = {.invite = invite, .ruri_user = user};
	double srv[ROUNDS_MAX], pair[ROUNDS_MAX];
	int err = side_open(&g.s, batch, &prm);

	if (err)
		goto out;
	g.dst.proto = SX_SIP_PROTO_UDP;
	err = sx_sa_set_str(&g.dst.remote, SX_SL("127.0.0.1"), port);
	if (err ||
	    sx_sa_print(sx_sip_tp_udp_local(g.s.udp, 0), g.local,
	                sizeof(g.local)) < 0)
		goto out;
	g.running = true;
	for (unsigned i = 0; i < window; i++)
		gen_start(&g);
	for (int r = 0; r < rounds; r++) {
		struct sample s = gen_round(&g, pid, tree, time_ms);
		srv[r] = s.srv_rate;
		pair[r] = s.pair_rate;
	}
	g.running = false;
	/* let the last transactions end before the layer goes */
	uint64_t end = wall_ms() + 200;
	while (wall_ms() < end)
		(void)sx_ev_run_once(g.s.loop, 10);
	res->failed = g.failed;
	res->pair = median(pair, rounds);
	res->srv = median(srv, rounds);
	res->srv_min = srv[0];
	res->srv_max = srv[rounds - 1];
out:
	side_close(&g.s);
	return err;
}

static void print_row(const char *name, const struct result *r)
{
	printf("%-26s %12.0f %12.0f %12.0f %14.0f %6llu\n", name, r->srv,
	       r->srv_min, r->srv_max, r->pair, (unsigned long long)r->failed);
	fflush(stdout);
}

/* -- kamailio -- */

static const char kam_cfg[] =
    "#!KAMAILIO\n"
    "debug=-1\nlog_stderror=yes\nchildren=1\nauto_aliases=no\n"
    "listen=udp:127.0.0.1:%u\n"
    "mpath=\"" KAM_MODULES "\"\n"
    "loadmodule \"sl.so\"\nloadmodule \"tm.so\"\nloadmodule \"pv.so\"\n"
    "request_route {\n"
    "\tif ($rU == \"tm\") {\n"
    "\t\tif (!t_newtran()) { sl_send_reply(\"500\", \"Error\"); exit; }\n"
    "\t\tt_reply(\"200\", \"OK\");\n\t\texit;\n\t}\n"
    "\tsl_send_reply(\"200\", \"OK\");\n"
    "}\n";

static uint16_t free_port(void)
{
	struct sx_udp_prm prm = {0};
	struct sx_udp *u = NULL;
	struct sx_sa sa;
	uint16_t port = 0;

	if (!sx_sa_set_str(&sa, SX_SL("127.0.0.1"), 0) &&
	    !sx_udp_open(&u, &sa, &prm))
		port = sx_sa_port(sx_udp_local(u));
	sx_udp_close(u);
	return port;
}

/* Answered an OPTIONS within the start-up time? */
static bool kam_ready(uint16_t port)
{
	struct gen g = {.ruri_user = "sl"};
	struct sx_sip_tsx_layer_prm prm = {0};
	bool ok = false;

	if (side_open(&g.s, true, &prm))
		goto out;
	g.dst.proto = SX_SIP_PROTO_UDP;
	if (sx_sa_set_str(&g.dst.remote, SX_SL("127.0.0.1"), port) ||
	    sx_sa_print(sx_sip_tp_udp_local(g.s.udp, 0), g.local,
	                sizeof(g.local)) < 0)
		goto out;
	gen_start(&g);
	uint64_t end = wall_ms() + KAM_START_MS;
	while (!g.done && wall_ms() < end)
		(void)sx_ev_run_once(g.s.loop, 10);
	ok = g.done && !g.failed;
out:
	side_close(&g.s);
	return ok;
}

static pid_t kam_start(char *dir, uint16_t *portp)
{
	char cfg[512];
	uint16_t port = free_port();

	if (!port || !mkdtemp(dir))
		return -1;
	snprintf(cfg, sizeof(cfg), "%s/kamailio.cfg", dir);
	FILE *f = fopen(cfg, "w");
	if (!f)
		return -1;
	fprintf(f, kam_cfg, port);
	fclose(f);
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr) ||
		    !freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(KAM_BIN, "kamailio", "-f", cfg, "-DD", "-E", "-m", "512",
		      "-M", "8", "-Y", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0 && !kam_ready(port)) {
		proc_stop(pid);
		return -1;
	}
	*portp = port;
	return pid;
}

static void kam_cleanup(const char *dir)
{
	char path[512];
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int run_ours(bool invite, bool batch, unsigned window, int rounds,
                    unsigned time_ms, struct result *res)
{
	uint16_t port = 0;
	pid_t pid = server_start(batch, &port);

	if (pid < 0)
		return -ECHILD;
	int err = measure(pid, false, port, invite, batch, "bench", window,
	                  rounds, time_ms, res);
	proc_stop(pid);
	return err;
}

static int parse_args(int argc, char **argv, int *rounds, unsigned *time_ms,
                      unsigned *window, bool *kam)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--no-kamailio")) {
			*kam = false;
			continue;
		}
		if (!v)
			return -EINVAL;
		long n = strtol(v, NULL, 10);
		i++;
		if (!strcmp(a, "--rounds") && n >= 1 && n <= ROUNDS_MAX)
			*rounds = (int)n;
		else if (!strcmp(a, "--time-ms") && n >= 10 && n <= 60000)
			*time_ms = (unsigned)n;
		else if (!strcmp(a, "--window") && n >= 1 && n <= WINDOW_MAX)
			*window = (unsigned)n;
		else
			return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = ROUNDS_DEFAULT;
	unsigned time_ms = TIME_MS_DEFAULT, window = WINDOW_DEFAULT;
	bool kam = true;
	struct result ours_opt = {0}, r;
	int err = 0;

	if (parse_args(argc, argv, &rounds, &time_ms, &window, &kam)) {
		fprintf(stderr, "usage: bench_tsx [--rounds N] [--time-ms MS] "
		                "[--window N] [--no-kamailio]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	printf("bench_tsx: UDP loopback, window %u, %d rounds x %u ms, "
	       "T1 %u ms, T4 %u ms\n",
	       window, rounds, time_ms, T1_MS, T4_MS);
	printf("%-26s %12s %12s %12s %14s %6s\n", "server / transaction",
	       "tsx/CPU-s", "min", "max", "pair tsx/CPU-s", "failed");
	static const struct {
		const char *name;
		bool invite, batch;
	} cases[] = {{"sipxecs OPTIONS batch", false, true},
	             {"sipxecs OPTIONS nobatch", false, false},
	             {"sipxecs INVITE batch", true, true},
	             {"sipxecs INVITE nobatch", true, false}};
	for (size_t i = 0; i < SX_ARRAY_SIZE(cases) && !err; i++) {
		err = run_ours(cases[i].invite, cases[i].batch, window, rounds,
		               time_ms, &r);
		if (!err)
			print_row(cases[i].name, &r);
		if (i == 0)
			ours_opt = r;
	}
	if (err) {
		fprintf(stderr, "bench_tsx: %s\n", strerror(-err));
		return 1;
	}
	if (!kam || access(KAM_BIN, X_OK)) {
		printf("kamailio: not measured (%s)\n",
		       kam ? "not installed" : "--no-kamailio");
		return 0;
	}
	char dir[] = "/tmp/bench_tsx_kam.XXXXXX";
	uint16_t port = 0;
	pid_t pid = kam_start(dir, &port);
	if (pid < 0) {
		printf("kamailio: did not start, not measured\n");
		kam_cleanup(dir);
		return 0;
	}
	struct result sl = {0}, tm = {0};
	err = measure(pid, true, port, false, true, "sl", window, rounds,
	              time_ms, &sl);
	if (!err)
		err = measure(pid, true, port, false, true, "tm", window,
		              rounds, time_ms, &tm);
	proc_stop(pid);
	kam_cleanup(dir);
	if (err) {
		fprintf(stderr, "bench_tsx: kamailio: %s\n", strerror(-err));
		return 1;
	}
	print_row("kamailio OPTIONS sl", &sl);
	print_row("kamailio OPTIONS tm", &tm);
	printf("ratio tsx=%.2f tm=%.2f\n",
	       sl.srv > 0 ? ours_opt.srv / sl.srv : 0,
	       tm.srv > 0 ? ours_opt.srv / tm.srv : 0);
	return 0;
}
