/*
 * sipx-uas: a test SIP user agent server on our stack (RFC 3261 13.3,
 * 15, 17.2, 9.2; RFC 6026 for the 2xx and its ACK; RFC 3264 for a
 * minimal SDP answer).  It listens on UDP, TCP and TLS, answers INVITE
 * with 180 and 200 (or 486, or never, or after a delay), keeps
 * retransmitting the 2xx until the ACK arrives (13.3.1.4), answers BYE,
 * CANCEL (487 for the INVITE), OPTIONS and a few other methods, and
 * prints its counters when it exits (SIGINT, SIGTERM, or -m calls).
 * Run `sipx-uas -h` for the options.
 */
#define SX_LOG_MOD "uas"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sx/port/tmr.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "tool.h"
#include "calls.h"

/** Methods we answer (RFC 3261 20.5). */
#define UAS_ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, MESSAGE, UPDATE"
/** Time given to peers' retransmissions after -m calls (ms). */
#define UAS_LINGER_MS 2000u
/** Longest answer delay (ms). */
#define UAS_DELAY_MAX_MS 600000u
/** Room for the Contact and Allow lines of a reply. */
#define UAS_HDRS_MAX 512

/* How INVITEs are answered. */
enum uas_answer {
	UAS_ANSWER_200,
	UAS_ANSWER_486,
	UAS_ANSWER_NONE, /* 180, then wait for CANCEL */
};

struct uas_count {
	uint64_t invites, answered, rejected, cancelled, acks, byes;
	uint64_t completed, no_ack, bye_unknown, options, other, busy;
	uint64_t retrans_2xx, ack_unknown;
};

struct uas {
	struct tool tool;
	enum uas_answer answer;
	uint32_t delay_ms;
	bool ring;
	uint64_t max_calls; /* 0 = run until a signal */
	uint32_t linger_ms;
	atomic_uint_fast64_t ended;
};

struct uas_worker {
	struct tool_worker *w;
	struct uas *uas;
	struct uas_calls calls;
	struct uas_count n;
	struct sx_tmr linger;
};

static const char sdp_fmt[] = "v=0\r\n"
                              "o=sipx-uas 1 1 IN IP%c %s\r\n"
                              "s=-\r\n"
                              "c=IN IP%c %s\r\n"
                              "t=0 0\r\n"
                              "m=audio 9 RTP/AVP 0\r\n"
                              "a=rtpmap:0 PCMU/8000\r\n";

static void reply(struct sx_sip_tsx *stsx, uint16_t code, struct sx_sl extra,
                  struct sx_sl ctype, struct sx_sl body)
{
	int err = sx_sip_tsx_reply(stsx, code, NULL, extra, ctype, body);

	if (err && err != -ENOTCONN)
		SX_LOG_WARN_RL("cannot send %u: %s", code, strerror(-err));
}

static void reply0(struct sx_sip_tsx *stsx, uint16_t code, const char *hdrs)
{
	reply(stsx, code, sx_sl_cstr(hdrs), SX_SL_NULL, SX_SL_NULL);
}

static void linger_done(void *arg)
{
	struct uas_worker *uw = arg;

	tool_stop(&uw->uas->tool);
}

/* A call ended one way or another: -m counts these. */
static void call_ended(struct uas_worker *uw)
{
	uint64_t n = atomic_fetch_add(&uw->uas->ended, 1) + 1;

	if (uw->uas->max_calls && n == uw->uas->max_calls &&
	    sx_tmr_start(uw->w->loop, &uw->linger, uw->uas->linger_ms,
	                 linger_done, uw))
		tool_stop(&uw->uas->tool);
}

static void call_drop(struct uas_call *call)
{
	struct uas_worker *uw = call->uw;

	if (call->invite)
		sx_sip_tsx_set_arg(call->invite, NULL);
	uas_calls_del(&uw->calls, call);
}

/* The SDP answer for the address the request arrived on. */
static int sdp_answer(const struct sx_sa *local, char *buf, size_t cap)
{
	char addr[SX_SA_STRLEN];
	char v = sx_sa_af(local) == AF_INET6 ? '6' : '4';

	if (sx_sa_print_addr(local, addr, sizeof(addr)) < 0)
		strcpy(addr, "127.0.0.1");
	int n = snprintf(buf, cap, sdp_fmt, v, addr, v, addr);
	return n > 0 && (size_t)n < cap ? n : -ENOSPC;
}

static const struct sx_sa *local_of(struct uas_worker *uw,
                                    const struct sx_sip_peer *peer)
{
	return sx_sa_isset(&peer->local) ? &peer->local
	                                 : tool_udp_local(uw->w);
}

/* RFC 3261 12.1.1: Record-Route copied into the 2xx, and a Contact. */
static int answer_hdrs(struct uas_worker *uw, const struct sx_sip_msg *req,
                       const struct sx_sip_peer *peer, struct sx_buf *out)
{
	char addr[SX_SA_STRLEN];
	const struct sx_sip_hdr *rr = NULL;

	if (sx_sa_print(local_of(uw, peer), addr, sizeof(addr)) < 0)
		return -EINVAL;
	sx_buf_printf(out, "Contact: <sip:uas@%s;transport=%s>\r\n", addr,
	              tool_proto_lc(peer->proto));
	sx_buf_printf(out, "Allow: %s\r\n", UAS_ALLOW);
	while ((rr = sx_sip_msg_hdr_next(req, rr, SX_SIP_HDR_RECORD_ROUTE)))
		sx_buf_put_sl(out, rr->raw);
	return sx_buf_err(out);
}

static void send_2xx(struct uas_call *call)
{
	char sdp[512];
	const struct sx_sip_peer *peer = sx_sip_tsx_peer(call->invite);
	int n = sdp_answer(local_of(call->uw, peer), sdp, sizeof(sdp));

	if (n < 0)
		return;
	reply(call->invite, 200, sx_buf_sl(&call->extra),
	      SX_SL("application/sdp"), sx_sl_make(sdp, (size_t)n));
}

/* RFC 3261 13.3.1.4: the UAS core retransmits the 2xx, T1 doubling up
 * to T2, until the ACK; without one after 64*T1 the call is over. */
static void retrans_2xx(void *arg)
{
	struct uas_call *call = arg;
	struct uas_worker *uw = call->uw;
	uint64_t now = sx_ev_now(uw->w->loop);

	if (now - call->answered_at >= 64u * SX_SIP_T1_MS) {
		uw->n.no_ack++;
		SX_LOG_WARN_RL("no ACK for the 2xx of call %.*s",
		               (int)call->call_id_len, call->call_id);
		call_drop(call);
		call_ended(uw);
		return;
	}
	send_2xx(call);
	uw->n.retrans_2xx++;
	call->interval_ms = SX_MIN(call->interval_ms * 2, SX_SIP_T2_MS);
	if (sx_tmr_start(uw->w->loop, &call->tmr, call->interval_ms,
	                 retrans_2xx, call))
		SX_LOG_WARN_RL("cannot arm the 2xx retransmission");
}

static void answer(struct uas_call *call)
{
	struct uas_worker *uw = call->uw;

	if (uw->uas->answer == UAS_ANSWER_486) {
		reply0(call->invite, 486, "");
		uw->n.rejected++;
		call_drop(call);
		call_ended(uw);
		return;
	}
	send_2xx(call);
	uw->n.answered++;
	call->state = UAS_CALL_ANSWERED;
	call->answered_at = sx_ev_now(uw->w->loop);
	call->interval_ms = SX_SIP_T1_MS;
	if (sx_tmr_start(uw->w->loop, &call->tmr, call->interval_ms,
	                 retrans_2xx, call))
		SX_LOG_WARN_RL("cannot arm the 2xx retransmission");
}

static void delayed_answer(void *arg)
{
	answer(arg);
}

static void on_invite(struct uas_worker *uw, struct sx_sip_tsx *stsx,
                      const struct sx_sip_msg *req,
                      const struct sx_sip_peer *peer)
{
	struct uas_call *call = uas_calls_find(&uw->calls, req->call_id);
	int err;

	uw->n.invites++;
	if (call || req->to_tag.len) {
		/* re-INVITE (RFC 3261 14.2): the same answer again */
		reply0(stsx, call ? 200 : 481, "");
		return;
	}
	err = uas_calls_add(&uw->calls, uw, req->call_id, &call);
	if (!err)
		err = answer_hdrs(uw, req, peer, &call->extra);
	if (err) {
		uw->n.busy++;
		reply0(stsx, err == -EINVAL ? 500 : 503, "Retry-After: 1\r\n");
		if (call)
			call_drop(call);
		return;
	}
	call->invite = sx_mem_ref(stsx);
	sx_sip_tsx_set_arg(stsx, call);
	if (uw->uas->ring || uw->uas->answer == UAS_ANSWER_NONE)
		reply0(stsx, 180, "");
	if (uw->uas->answer == UAS_ANSWER_NONE)
		return;
	if (!uw->uas->delay_ms) {
		answer(call);
		return;
	}
	if (sx_tmr_start(uw->w->loop, &call->tmr, uw->uas->delay_ms,
	                 delayed_answer, call))
		answer(call);
}

static void on_bye(struct uas_worker *uw, struct sx_sip_tsx *stsx,
                   const struct sx_sip_msg *req)
{
	struct uas_call *call = uas_calls_find(&uw->calls, req->call_id);

	uw->n.byes++;
	if (!call) {
		/* RFC 3261 15.1.2: no such dialog */
		uw->n.bye_unknown++;
		reply0(stsx, 481, "");
		return;
	}
	reply0(stsx, 200, "");
	if (call->state == UAS_CALL_RINGING)
		reply0(call->invite, 487, ""); /* 15.1.2 */
	uw->n.completed++;
	call_drop(call);
	call_ended(uw);
}

static void on_request(struct sx_sip_tsx *stsx, const struct sx_sip_msg *req,
                       const struct sx_sip_peer *peer, void *arg)
{
	struct tool_worker *w = arg;
	struct uas_worker *uw = w->app;

	switch (req->method) {
	case SX_SIP_METHOD_INVITE:
		on_invite(uw, stsx, req, peer);
		break;
	case SX_SIP_METHOD_BYE:
		on_bye(uw, stsx, req);
		break;
	case SX_SIP_METHOD_OPTIONS:
		uw->n.options++;
		reply0(stsx, 200,
		       "Allow: " UAS_ALLOW "\r\nAccept: application/sdp\r\n");
		break;
	case SX_SIP_METHOD_INFO:
	case SX_SIP_METHOD_MESSAGE:
	case SX_SIP_METHOD_UPDATE:
		uw->n.other++;
		reply0(stsx, 200, "");
		break;
	default:
		uw->n.other++;
		reply0(stsx, 405, "Allow: " UAS_ALLOW "\r\n");
		break;
	}
}

/* ACK for a 2xx (RFC 6026 7.1: it reaches the TU). */
static void on_stateless(struct sx_sip_tsx_layer *layer,
                         const struct sx_sip_msg *msg,
                         const struct sx_sip_peer *peer, void *arg)
{
	struct tool_worker *w = arg;
	struct uas_worker *uw = w->app;
	struct uas_call *call;

	(void)layer;
	(void)peer;
	if (msg->method != SX_SIP_METHOD_ACK)
		return;
	call = uas_calls_find(&uw->calls, msg->call_id);
	if (!call || call->state != UAS_CALL_ANSWERED) {
		uw->n.ack_unknown += !call;
		return; /* a retransmitted ACK, or a stray one */
	}
	uw->n.acks++;
	sx_tmr_stop(&call->tmr);
	call->state = UAS_CALL_CONFIRMED;
	sx_sip_tsx_set_arg(call->invite, NULL);
	call->invite = sx_mem_unref(call->invite);
}

/* RFC 3261 9.2: the CANCEL got its 200; answer the INVITE 487. */
static void on_cancel(struct sx_sip_tsx *invite, const struct sx_sip_msg *cancel,
                      void *arg)
{
	struct tool_worker *w = arg;
	struct uas_worker *uw = w->app;
	struct uas_call *call = sx_sip_tsx_arg(invite);

	(void)cancel;
	reply0(invite, 487, "");
	uw->n.cancelled++;
	if (call) {
		call_drop(call);
		call_ended(uw);
	}
}

static int worker_init(struct tool_worker *w)
{
	struct uas *uas = SX_CONTAINER_OF(w->tool, struct uas, tool);
	struct uas_worker *uw = sx_mem_zalloc(sizeof(*uw), NULL);

	if (!uw)
		return -ENOMEM;
	uw->w = w;
	uw->uas = uas;
	w->app = uw;
	return uas_calls_init(&uw->calls);
}

static void worker_fini(struct tool_worker *w)
{
	struct uas_worker *uw = w->app;

	if (!uw)
		return;
	sx_tmr_stop(&uw->linger);
	uas_calls_fini(&uw->calls);
}

static void print_counters(struct uas *uas)
{
	struct uas_count s = {0};

	for (unsigned i = 0; i < uas->tool.nworkers; i++) {
		struct uas_worker *uw = uas->tool.w[i]->app;
		if (!uw)
			continue;
		const uint64_t *a = (const uint64_t *)&uw->n;
		uint64_t *sum = (uint64_t *)&s;
		for (size_t k = 0; k < sizeof(s) / sizeof(uint64_t); k++)
			sum[k] += a[k];
	}
	printf("sipx-uas: invites=%llu answered=%llu rejected=%llu "
	       "cancelled=%llu acks=%llu byes=%llu completed=%llu "
	       "no_ack=%llu bye_unknown=%llu ack_unknown=%llu options=%llu "
	       "other=%llu busy=%llu retrans_2xx=%llu\n",
	       (unsigned long long)s.invites, (unsigned long long)s.answered,
	       (unsigned long long)s.rejected, (unsigned long long)s.cancelled,
	       (unsigned long long)s.acks, (unsigned long long)s.byes,
	       (unsigned long long)s.completed, (unsigned long long)s.no_ack,
	       (unsigned long long)s.bye_unknown,
	       (unsigned long long)s.ack_unknown, (unsigned long long)s.options,
	       (unsigned long long)s.other, (unsigned long long)s.busy,
	       (unsigned long long)s.retrans_2xx);
	fflush(stdout);
}

/* "listening udp=... tcp=... tls=..." so that scripts can use port 0. */
static void print_ready(struct uas *uas)
{
	struct tool_worker *w = uas->tool.w[0];
	char a[SX_SA_STRLEN];

	printf("sipx-uas: listening");
	if (sx_sa_print(tool_udp_local(w), a, sizeof(a)) > 0 &&
	    uas->tool.prm.udp)
		printf(" udp=%s", a);
	for (enum sx_sip_proto p = SX_SIP_PROTO_TCP; p <= SX_SIP_PROTO_TLS;
	     p++) {
		struct sx_sip_tp_stream *s = tool_stream(w, p);
		const struct sx_sa *l =
		    s ? sx_sip_tp_stream_listen_addr(s, 0) : NULL;
		if (l && sx_sa_print(l, a, sizeof(a)) > 0)
			printf(" %s=%s", tool_proto_lc(p), a);
	}
	printf("\n");
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: sipx-uas [options]\n"
	        "  -a ADDR        listen address (default 127.0.0.1)\n"
	        "  -p PORT        UDP/TCP port (default 5060, 0 = any)\n"
	        "  -t LIST        transports: udp,tcp,tls (default udp,tcp)\n"
	        "  --tls-port N   TLS port (default 5061, 0 = any)\n"
	        "  --cert FILE    TLS certificate (PEM)\n"
	        "  --key FILE     TLS private key (PEM)\n"
	        "  -A ANSWER      200 (default), 486, or none (never answer:\n"
	        "                 180 and wait for CANCEL)\n"
	        "  -D MS          answer after MS milliseconds\n"
	        "  -n             no 180 Ringing before the answer\n"
	        "  -m N           exit after N calls (BYE, CANCEL, 486)\n"
	        "  --linger MS    after -m, time for retransmissions "
	        "(default %u)\n"
	        "  -w N           worker threads (SO_REUSEPORT, default 1)\n"
	        "  -v             verbose log\n",
	        UAS_LINGER_MS);
}

static int parse_transports(struct tool_prm *tp, const char *list)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", list);
	tp->udp = tp->tcp = tp->tls = false;
	for (char *save, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		switch (tool_proto_parse(tok)) {
		case SX_SIP_PROTO_UDP:
			tp->udp = true;
			break;
		case SX_SIP_PROTO_TCP:
			tp->tcp = true;
			break;
		case SX_SIP_PROTO_TLS:
			tp->tls = true;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_answer(struct uas *uas, const char *s)
{
	if (!strcmp(s, "200"))
		uas->answer = UAS_ANSWER_200;
	else if (!strcmp(s, "486"))
		uas->answer = UAS_ANSWER_486;
	else if (!strcmp(s, "none"))
		uas->answer = UAS_ANSWER_NONE;
	else
		return -EINVAL;
	return 0;
}

enum { OPT_TLS_PORT = 256, OPT_CERT, OPT_KEY, OPT_LINGER };

static int parse_args(struct uas *uas, struct tool_prm *tp, int argc,
                      char **argv)
{
	static const struct option lopts[] = {
	    {"tls-port", required_argument, NULL, OPT_TLS_PORT},
	    {"cert", required_argument, NULL, OPT_CERT},
	    {"key", required_argument, NULL, OPT_KEY},
	    {"linger", required_argument, NULL, OPT_LINGER},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *addr = "127.0.0.1";
	unsigned long port = SX_SIP_PORT, tls_port = SX_SIP_PORT_TLS, v;
	int c, err = 0;

	while (!err &&
	       (c = getopt_long(argc, argv, "a:p:t:A:D:nm:w:vh", lopts,
	                        NULL)) != -1) {
		switch (c) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			err = tool_num(optarg, 0, 65535, &port);
			break;
		case OPT_TLS_PORT:
			err = tool_num(optarg, 0, 65535, &tls_port);
			break;
		case 't':
			err = parse_transports(tp, optarg);
			break;
		case OPT_CERT:
			tp->cert = optarg;
			break;
		case OPT_KEY:
			tp->key = optarg;
			break;
		case 'A':
			err = parse_answer(uas, optarg);
			break;
		case 'D':
			err = tool_num(optarg, 0, UAS_DELAY_MAX_MS, &v);
			uas->delay_ms = (uint32_t)v;
			break;
		case 'n':
			uas->ring = false;
			break;
		case 'm':
			err = tool_num(optarg, 1, UINT32_MAX, &v);
			uas->max_calls = v;
			break;
		case OPT_LINGER:
			err = tool_num(optarg, 0, UAS_DELAY_MAX_MS, &v);
			uas->linger_ms = (uint32_t)v;
			break;
		case 'w':
			err = tool_num(optarg, 1, TOOL_WORKERS_MAX, &v);
			tp->nworkers = (unsigned)v;
			break;
		case 'v':
			sx_log_set_default(SX_LOG_LVL_INFO);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			err = -EINVAL;
		}
	}
	if (!err && (optind != argc || (tp->tls && (!tp->cert || !tp->key))))
		err = -EINVAL;
	if (!err && sx_sa_set_str(&tp->addr, sx_sl_cstr(addr), (uint16_t)port))
		err = -EINVAL;
	tp->tls_port = (uint16_t)tls_port;
	return err;
}

int main(int argc, char **argv)
{
	static struct uas uas; /* large; lives for the whole run */
	struct tool_prm tp = {
	    .name = "sipx-uas",
	    .udp = true,
	    .tcp = true,
	    .listen = true,
	    .nworkers = 1,
	    .layer = {.detect_merged = true,
	              .request_h = on_request,
	              .stateless_h = on_stateless,
	              .cancel_h = on_cancel},
	    .worker_init = worker_init,
	    .worker_fini = worker_fini,
	};
	int err;

	uas.ring = true;
	uas.linger_ms = UAS_LINGER_MS;
	if (parse_args(&uas, &tp, argc, argv)) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN); /* TLS writes (sx/sip/tp_tls.h) */
	err = tool_init(&uas.tool, &tp);
	if (!err) {
		print_ready(&uas);
		err = tool_run(&uas.tool);
		print_counters(&uas);
	}
	for (unsigned i = 0; i < uas.tool.nworkers; i++) {
		worker_fini(uas.tool.w[i]); /* again: a no-op after a run */
		sx_mem_unref(uas.tool.w[i]->app);
	}
	tool_fini(&uas.tool);
	return err ? 1 : 0;
}
