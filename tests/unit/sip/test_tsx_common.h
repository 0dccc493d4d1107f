/*
 * Fixture of the transaction tests (test_tsx_*.c): a virtual-clock loop,
 * a loop-transport pair whose side A carries the transaction layer under
 * test and whose side B is a scripted raw peer, and recorders for what B
 * receives and what the TU is told.  One static fixture per process
 * (each case runs in its own child; --oom re-runs reset it).
 */
#ifndef SX_TEST_TSX_COMMON_H
#define SX_TEST_TSX_COMMON_H

#include <stdio.h>
#include <string.h>

#include <sx/port/ev.h>
#include <sx/sip/print.h>
#include <sx/sip/tp_loop.h>
#include <sx/sip/tsx.h>
#include <sx/util/mem.h>

#include "ut.h"

#define FX_MAX     80   /* records of each kind */
#define FX_MSG     4096 /* bytes kept of a received message */
#define FX_METHODS 16   /* enum sx_sip_method range */

/* What side B received. */
struct fx_brec {
	uint64_t at;
	bool req;
	enum sx_sip_method method; /* request method or CSeq method */
	uint16_t status;
};

/* What the TU was told (responses, terminations). */
struct fx_tu {
	uint64_t at;
	uint16_t status;
	bool synth;
	struct sx_sip_tsx *tsx;
};

struct fx {
	struct sx_ev *loop;
	struct sx_sip_tp_loop *a, *b;
	struct sx_sip_tsx_layer *layer;
	enum sx_sip_proto proto;

	struct fx_brec brx[FX_MAX];
	int nbrx;
	char b_last[FX_METHODS][FX_MSG]; /* last request per method */
	size_t b_last_len[FX_METHODS];
	char b_resp[FX_MSG]; /* last response */
	size_t b_resp_len;
	char b_resp_m[FX_METHODS][FX_MSG]; /* last response per CSeq method */
	size_t b_resp_m_len[FX_METHODS];

	struct fx_tu resp[FX_MAX]; /* client TU: responses */
	int nresp;
	struct fx_tu term[FX_MAX]; /* terminations */
	enum sx_sip_tsx_end term_why[FX_MAX];
	int nterm;

	struct sx_sip_tsx *srv[FX_MAX]; /* server tsx given to the TU (ref) */
	int nsrv;
	uint16_t auto_reply; /* reply this at once, 0 = none */
	int nstateless, nstray, ncancel, nforeign;
	enum sx_sip_method stateless_method;
	uint16_t cancel_reply; /* answer the INVITE on CANCEL */
};

static struct fx F;

static inline uint64_t fx_now(void)
{
	return sx_ev_now(F.loop);
}

static inline void fx_b_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                             const struct sx_sip_peer *peer, void *arg)
{
	(void)tp;
	(void)peer;
	(void)arg;
	if (F.nbrx < FX_MAX) {
		struct fx_brec *r = &F.brx[F.nbrx++];
		r->at = fx_now();
		r->req = msg->is_request;
		r->method = msg->is_request ? msg->method : msg->cseq_method;
		r->status = msg->status;
	}
	size_t n = SX_MIN(msg->wire.len, (size_t)FX_MSG);
	if (msg->is_request && (unsigned)msg->method < FX_METHODS) {
		memcpy(F.b_last[msg->method], msg->wire.p, n);
		F.b_last_len[msg->method] = n;
	} else if (!msg->is_request) {
		memcpy(F.b_resp, msg->wire.p, n);
		F.b_resp_len = n;
		if ((unsigned)msg->cseq_method < FX_METHODS) {
			memcpy(F.b_resp_m[msg->cseq_method], msg->wire.p, n);
			F.b_resp_m_len[msg->cseq_method] = n;
		}
	}
	sx_sip_msg_free(msg);
}

static inline void fx_resp_h(struct sx_sip_tsx *ctsx, uint16_t status,
                             const struct sx_sip_msg *resp, void *arg)
{
	(void)arg;
	if (F.nresp < FX_MAX)
		F.resp[F.nresp++] =
		    (struct fx_tu){fx_now(), status, !resp, ctsx};
}

static inline void fx_term_h(struct sx_sip_tsx *tsx, enum sx_sip_tsx_end why,
                             void *arg)
{
	(void)arg;
	if (F.nterm < FX_MAX) {
		F.term_why[F.nterm] = why;
		F.term[F.nterm++] = (struct fx_tu){fx_now(), 0, false, tsx};
	}
}

static inline void fx_request_h(struct sx_sip_tsx *stsx,
                                const struct sx_sip_msg *req,
                                const struct sx_sip_peer *peer, void *arg)
{
	(void)req;
	(void)peer;
	(void)arg;
	if (F.nsrv < FX_MAX)
		F.srv[F.nsrv++] = sx_mem_ref(stsx);
	if (F.auto_reply &&
	    sx_sip_tsx_reply(stsx, F.auto_reply, NULL, SX_SL_NULL, SX_SL_NULL,
	                     SX_SL_NULL))
		return;
}

static inline void fx_stateless_h(struct sx_sip_tsx_layer *layer,
                                  const struct sx_sip_msg *msg,
                                  const struct sx_sip_peer *peer, void *arg)
{
	(void)layer;
	(void)peer;
	(void)arg;
	F.nstateless++;
	F.stateless_method = msg->method;
}

static inline void fx_stray_h(struct sx_sip_tsx_layer *layer,
                              const struct sx_sip_msg *msg,
                              const struct sx_sip_peer *peer, void *arg)
{
	(void)layer;
	(void)msg;
	(void)peer;
	(void)arg;
	F.nstray++;
}

static inline void fx_cancel_h(struct sx_sip_tsx *invite,
                               const struct sx_sip_msg *cancel, void *arg)
{
	(void)cancel;
	(void)arg;
	F.ncancel++;
	if (F.cancel_reply &&
	    sx_sip_tsx_reply(invite, F.cancel_reply, NULL, SX_SL_NULL,
	                     SX_SL_NULL, SX_SL_NULL))
		return;
}

/* The handlers above; callers change what they need. */
static inline struct sx_sip_tsx_layer_prm fx_prm(void)
{
	return (struct sx_sip_tsx_layer_prm){
	    .request_h = fx_request_h,
	    .stateless_h = fx_stateless_h,
	    .stray_h = fx_stray_h,
	    .cancel_h = fx_cancel_h,
	    .term_h = fx_term_h,
	};
}

/* Set up F; @seed drives the loop transport's impairments. */
static inline int fx_init_seed(const struct sx_sip_tsx_layer_prm *prm,
                               enum sx_sip_proto proto, uint64_t seed)
{
	struct sx_sip_tp_loop_prm lp = {.proto = proto, .seed = seed};
	int err;

	memset(&F, 0, sizeof(F));
	F.proto = proto;
	err = sx_ev_alloc(&F.loop, NULL);
	if (!err)
		err = sx_ev_clock_set_virtual(F.loop, 0);
	if (!err)
		err = sx_sip_tp_loop_pair_alloc(&F.a, &F.b, F.loop, &lp);
	if (!err)
		err = sx_sip_tsx_layer_alloc(&F.layer, F.loop,
		                             sx_sip_tp_loop_tport(F.a), prm);
	if (err)
		return err;
	sx_sip_tp_loop_set_handlers(F.a, sx_sip_tsx_tport_recv,
	                            sx_sip_tsx_tport_err, F.layer);
	sx_sip_tp_loop_set_handlers(F.b, fx_b_recv, NULL, NULL);
	return 0;
}

static inline int fx_init(const struct sx_sip_tsx_layer_prm *prm,
                          enum sx_sip_proto proto)
{
	return fx_init_seed(prm, proto, 1);
}

static inline void fx_fini(void)
{
	for (int i = 0; i < F.nsrv; i++)
		sx_mem_unref(F.srv[i]);
	sx_mem_unref(F.layer);
	sx_mem_unref(F.a);
	sx_mem_unref(F.b);
	sx_ev_free(F.loop);
	memset(&F, 0, sizeof(F));
}

/* Case result: under --oom a failure after an injected allocation
 * failure is the expected -ENOMEM. */
static inline int fx_result(int err)
{
	if (err && ut_oom_mode() && sx_mem_failed())
		return -ENOMEM;
	return err;
}

static inline void fx_run(uint64_t ms)
{
	(void)sx_ev_clock_advance(F.loop, ms);
}

/* The peer address B sends from / the layer sends to. */
static inline struct sx_sip_peer fx_peer_b(void)
{
	return (struct sx_sip_peer){.proto = F.proto,
	                            .remote = *sx_sip_tp_loop_addr(F.b)};
}

/* Send raw bytes from B to the layer and deliver them. */
static inline int fx_b_send(const char *buf, size_t len)
{
	struct sx_sip_peer p = {.proto = F.proto,
	                        .remote = *sx_sip_tp_loop_addr(F.a)};
	int err = sx_sip_tport_send(sx_sip_tp_loop_tport(F.b), &p, buf, len);
	fx_run(0);
	return err;
}

/*
 * A request as B sends it.  @branch "" leaves the branch out (RFC 2543
 * peer); @to_tag NULL for none.
 */
static inline int fx_mkreq(char *buf, size_t size, const char *method,
                           const char *branch, const char *from_tag,
                           const char *to_tag, unsigned cseq)
{
	int n =
	    snprintf(buf, size,
	             "%s sip:bob@example.com SIP/2.0\r\n"
	             "Via: SIP/2.0/%s 127.0.0.2:5060%s%s\r\n"
	             "Max-Forwards: 70\r\n"
	             "From: <sip:alice@example.com>;tag=%s\r\n"
	             "To: <sip:bob@example.com>%s%s\r\n"
	             "Call-ID: call-1@example.com\r\n"
	             "CSeq: %u %s\r\n"
	             "Content-Length: 0\r\n\r\n",
	             method, sx_sip_proto_name(F.proto),
	             *branch ? ";branch=" : "", branch, from_tag,
	             to_tag ? ";tag=" : "", to_tag ? to_tag : "", cseq, method);
	return n > 0 && (size_t)n < size ? n : -1;
}

/* B sends a request built by fx_mkreq(). */
static inline int fx_b_req(const char *method, const char *branch,
                           const char *from_tag, const char *to_tag,
                           unsigned cseq)
{
	char buf[FX_MSG];
	int n =
	    fx_mkreq(buf, sizeof(buf), method, branch, from_tag, to_tag, cseq);
	if (n < 0)
		return -EINVAL;
	return fx_b_send(buf, (size_t)n);
}

/* B answers the last @method request it received with @code (To tag
 * @tag unless empty). */
static inline int fx_b_reply(enum sx_sip_method method, uint16_t code,
                             const char *tag)
{
	struct sx_sip_msg *req = NULL;
	struct sx_buf b;
	int err;

	sx_buf_init(&b, 0);
	err = sx_sip_msg_parse(&req, F.b_last[method], F.b_last_len[method],
	                       NULL, NULL);
	if (!err)
		err = sx_sip_reply_print(req, code, NULL, sx_sl_cstr(tag),
		                         SX_SL_NULL, &b);
	if (!err)
		err = fx_b_send(b.p, b.len);
	sx_sip_msg_free(req);
	sx_buf_fini(&b);
	return err;
}

/* Times at which B received @method requests (or responses with
 * @status when @status != 0). */
static inline int fx_times(enum sx_sip_method method, uint16_t status,
                           uint64_t *out, int max)
{
	int n = 0;
	for (int i = 0; i < F.nbrx && n < max; i++) {
		const struct fx_brec *r = &F.brx[i];
		if (r->method != method || r->req != !status ||
		    (status && r->status != status))
			continue;
		out[n++] = r->at;
	}
	return n;
}

/* A request from the layer's side (our branch), for client tests. */
static inline int fx_client_req(char *buf, size_t size, const char *method,
                                unsigned cseq, char *branch)
{
	sx_sip_branch_make(F.layer, branch);
	int n =
	    snprintf(buf, size,
	             "%s sip:bob@example.com SIP/2.0\r\n"
	             "Via: SIP/2.0/%s 127.0.0.1:5060;branch=%s\r\n"
	             "Route: <sip:p1.example.com;lr>\r\n"
	             "Max-Forwards: 70\r\n"
	             "From: <sip:alice@example.com>;tag=cl1\r\n"
	             "To: <sip:bob@example.com>\r\n"
	             "Call-ID: cli-1@example.com\r\n"
	             "CSeq: %u %s\r\n"
	             "Content-Length: 0\r\n\r\n",
	             method, sx_sip_proto_name(F.proto), branch, cseq, method);
	return n > 0 && (size_t)n < size ? n : -1;
}

/* Start a client transaction for @method; *tsxp gets a reference. */
static inline int fx_client_start(struct sx_sip_tsx **tsxp, const char *method,
                                  bool timer_c)
{
	char buf[FX_MSG], branch[SX_SIP_BRANCH_SIZE];
	int n = fx_client_req(buf, sizeof(buf), method, 1, branch);
	if (n < 0)
		return -EINVAL;
	struct sx_sip_tsx_req_prm prm = {.buf = buf,
	                                 .len = (size_t)n,
	                                 .dst = fx_peer_b(),
	                                 .resp_h = fx_resp_h,
	                                 .timer_c = timer_c};
	return sx_sip_tsx_request(tsxp, F.layer, &prm);
}

#endif
