/*
 * sipx-uac: a test SIP user agent client on our stack (RFC 3261 13.2,
 * 15, 9.1, 22.2; TLS per RFC 5922 with server name verification).  It
 * places N calls to a target over UDP, TCP or TLS - INVITE, ACK, pause,
 * BYE - with a bound on calls in progress and an optional rate, answers
 * digest challenges when given a user and password, and reports the
 * successful and failed calls; the exit status is non-zero when any
 * call failed.  Run `sipx-uac -h` for the options.
 */
#define SX_LOG_MOD "uac"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "uac.h"

/** Default calls in progress at once. */
#define UAC_CONCURRENCY_DEFAULT 10u
/** Default overall time limit (s). */
#define UAC_TIMEOUT_DEFAULT_S 60u
/** Longest time limit and pause accepted. */
#define UAC_TIMEOUT_MAX_S 86400u
#define UAC_PAUSE_MAX_MS 3600000u
/** Most calls of one run. */
#define UAC_CALLS_MAX 100000000u
/** Highest rate (calls/s). */
#define UAC_RATE_MAX 100000u

static struct sx_tmr timeout_tmr;

static int worker_init(struct tool_worker *w)
{
	struct uac *uac = SX_CONTAINER_OF(w->tool, struct uac, tool);
	struct uac_worker *uw = sx_mem_zalloc(sizeof(*uw), NULL);
	unsigned nw = w->tool->prm.nworkers;
	int err = 0;

	if (!uw)
		return -ENOMEM;
	w->app = uw;
	uw->w = w;
	uw->uac = uac;
	uw->to_place = uac->ncalls / nw + (w->id < uac->ncalls % nw);
	if (sx_sa_print(tool_udp_local(w), uw->local, sizeof(uw->local)) < 0 ||
	    sx_sa_print_addr(tool_udp_local(w), uw->local_addr,
	                     sizeof(uw->local_addr)) < 0)
		return -EINVAL;
	if (uac->proto != SX_SIP_PROTO_UDP && uw->to_place)
		/* RFC 5922 7.2: the name the certificate must match */
		err = sx_sip_tp_stream_connect(
		    tool_stream(w, uac->proto), &uac->target,
		    uac->proto == SX_SIP_PROTO_TLS ? uac->tls_name : NULL,
		    &uw->conn_id);
	if (!err)
		err = uac_worker_setup(uw);
	if (!err && !uw->to_place)
		uw->done = true;
	else if (!err)
		atomic_fetch_add(&uac->running, 1);
	return err;
}

static void worker_fini(struct tool_worker *w)
{
	struct uac_worker *uw = w->app;

	if (uw)
		uac_worker_release(uw);
}

static void on_timeout(void *arg)
{
	struct uac *uac = arg;

	uac->timed_out = true;
	tool_stop(&uac->tool);
}

static int report(struct uac *uac, uint64_t elapsed_ms)
{
	uint64_t ok = 0, failed = 0;

	for (unsigned i = 0; i < uac->tool.nworkers; i++) {
		struct uac_worker *uw = uac->tool.w[i]->app;
		if (uw) {
			ok += uw->ok;
			failed += uw->failed;
		}
	}
	uint64_t unfinished = uac->ncalls - ok - failed;
	double s = (double)elapsed_ms / 1000.0;
	printf("sipx-uac: calls=%" PRIu64 " successful=%" PRIu64
	       " failed=%" PRIu64 " unfinished=%" PRIu64
	       " elapsed=%.3fs rate=%.1f/s\n",
	       uac->ncalls, ok, failed, unfinished, s,
	       s > 0 ? (double)(ok + failed) / s : 0.0);
	if (uac->tool.nworkers > 1)
		printf("sipx-uac: workers=%u handovers=%" PRIu64 "\n",
		       uac->tool.nworkers,
		       (uint64_t)atomic_load(&uac->tool.handovers));
	fflush(stdout);
	if (uac->timed_out)
		fprintf(stderr, "sipx-uac: timed out after %" PRIu32 " s\n",
		        uac->timeout_s);
	if (failed || unfinished) {
		fprintf(stderr, "sipx-uac: %" PRIu64 " of %" PRIu64
		                " calls did not succeed\n",
		        failed + unfinished, uac->ncalls);
		return 1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: sipx-uac [options] TARGET (host[:port], IP literal)\n"
	        "  -t PROTO       udp (default), tcp or tls\n"
	        "  -n N           calls to place (default 1)\n"
	        "  -c N           calls in progress at once (default %u)\n"
	        "  -r N           calls started per second (default: no "
	        "limit)\n"
	        "  -d MS          pause between ACK and BYE (default 0)\n"
	        "  -s USER        user part of the Request-URI (default "
	        "service)\n"
	        "  -u USER        digest user name (and From user)\n"
	        "  -P PASSWORD    digest password\n"
	        "  -C             CANCEL each call after its first "
	        "provisional (487 = success)\n"
	        "  -a ADDR        local address (default 127.0.0.1)\n"
	        "  --ca FILE      TLS trust anchors (PEM)\n"
	        "  --tls-name N   name the server certificate must match "
	        "(and SNI)\n"
	        "  -T S           overall time limit in seconds (default %u)\n"
	        "  -w N           worker threads sharing the UDP port "
	        "(default 1)\n"
	        "  -v             verbose log\n",
	        UAC_CONCURRENCY_DEFAULT, UAC_TIMEOUT_DEFAULT_S);
}

enum { OPT_CA = 256, OPT_TLS_NAME };

static int parse_opt(struct uac *uac, struct tool_prm *tp, int c,
                     const char *arg)
{
	unsigned long v = 0;
	int err = 0;

	switch (c) {
	case 't':
		uac->proto = tool_proto_parse(arg);
		return uac->proto == SX_SIP_PROTO_NONE ? -EINVAL : 0;
	case 'n':
		err = tool_num(arg, 1, UAC_CALLS_MAX, &v);
		uac->ncalls = v;
		return err;
	case 'c':
		err = tool_num(arg, 1, UAC_CONCURRENCY_MAX, &v);
		uac->concurrency = (unsigned)v;
		return err;
	case 'r':
		err = tool_num(arg, 0, UAC_RATE_MAX, &v);
		uac->rate = (unsigned)v;
		return err;
	case 'd':
		err = tool_num(arg, 0, UAC_PAUSE_MAX_MS, &v);
		uac->pause_ms = (uint32_t)v;
		return err;
	case 'T':
		err = tool_num(arg, 1, UAC_TIMEOUT_MAX_S, &v);
		uac->timeout_s = (uint32_t)v;
		return err;
	case 'w':
		err = tool_num(arg, 1, TOOL_WORKERS_MAX, &v);
		tp->nworkers = (unsigned)v;
		return err;
	case 's':
		uac->ruri_user = arg;
		return 0;
	case 'u':
		uac->user = arg;
		return 0;
	case 'P':
		uac->password = arg;
		return 0;
	case 'C':
		uac->cancel = true;
		return 0;
	case 'a':
		return sx_sa_set_str(&tp->addr, sx_sl_cstr(arg), 0) ? -EINVAL
		                                                    : 0;
	case OPT_CA:
		tp->ca = arg;
		return 0;
	case OPT_TLS_NAME:
		uac->tls_name = arg;
		return 0;
	case 'v':
		sx_log_set_default(SX_LOG_LVL_INFO);
		return 0;
	default:
		return -EINVAL;
	}
}

static int parse_args(struct uac *uac, struct tool_prm *tp, int argc,
                      char **argv)
{
	static const struct option lopts[] = {
	    {"ca", required_argument, NULL, OPT_CA},
	    {"tls-name", required_argument, NULL, OPT_TLS_NAME},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int c, err = 0;

	while (!err && (c = getopt_long(argc, argv, "t:n:c:r:d:s:u:P:Ca:T:w:vh",
	                                lopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		err = parse_opt(uac, tp, c, optarg);
	}
	if (err || optind != argc - 1)
		return -EINVAL;
	uint16_t defport = uac->proto == SX_SIP_PROTO_TLS ? SX_SIP_PORT_TLS
	                                                 : SX_SIP_PORT;
	if (tool_addr_parse(&uac->target, argv[optind], defport) ||
	    sx_sa_print(&uac->target, uac->target_str,
	                sizeof(uac->target_str)) < 0)
		return -EINVAL;
	if (sx_sa_af(&tp->addr) != sx_sa_af(&uac->target))
		return -EAFNOSUPPORT;
	if (!uac->user != !uac->password)
		return -EINVAL;
	tp->tcp = uac->proto == SX_SIP_PROTO_TCP;
	tp->tls = uac->proto == SX_SIP_PROTO_TLS;
	return 0;
}

int main(int argc, char **argv)
{
	static struct uac uac; /* large; lives for the whole run */
	struct tool_prm tp = {
	    .name = "sipx-uac",
	    .udp = true,
	    .nworkers = 1,
	    .layer = {.detect_merged = true},
	    .worker_init = worker_init,
	    .worker_fini = worker_fini,
	};
	int err, rc = 1;

	uac.proto = SX_SIP_PROTO_UDP;
	uac.ncalls = 1;
	uac.concurrency = UAC_CONCURRENCY_DEFAULT;
	uac.timeout_s = UAC_TIMEOUT_DEFAULT_S;
	uac.ruri_user = "service";
	if (sx_sa_set_str(&tp.addr, SX_SL("127.0.0.1"), 0) ||
	    parse_args(&uac, &tp, argc, argv)) {
		usage(stderr);
		return 2;
	}
	if (tp.nworkers > uac.concurrency)
		tp.nworkers = uac.concurrency;
	signal(SIGPIPE, SIG_IGN); /* TLS writes (sx/sip/tp_tls.h) */
	uint64_t t0 = tool_now_ms();
	err = tool_init(&uac.tool, &tp);
	if (!err)
		err = sx_tmr_start(uac.tool.w[0]->loop, &timeout_tmr,
		                   (uint64_t)uac.timeout_s * 1000u, on_timeout,
		                   &uac);
	if (!err && atomic_load(&uac.running))
		err = tool_run(&uac.tool);
	sx_tmr_stop(&timeout_tmr);
	if (err)
		fprintf(stderr, "sipx-uac: %s\n", strerror(-err));
	else
		rc = report(&uac, tool_now_ms() - t0);
	for (unsigned i = 0; i < uac.tool.nworkers; i++) {
		if (err)
			worker_fini(uac.tool.w[i]);
		sx_mem_unref(uac.tool.w[i]->app);
	}
	tool_fini(&uac.tool);
	return rc;
}
