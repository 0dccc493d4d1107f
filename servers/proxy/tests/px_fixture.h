/*
 * Fixture of the proxy tests (RFC 3261 16): the proxy and the co-located
 * registrar on side A of a loop-transport pair, side B playing the
 * caller and the callees (everything A sends arrives at B), on a virtual
 * clock with a temporary SQLite store.  Helpers send from B and wait
 * (bounded) for what A sends back.
 */
#ifndef SX_TEST_PX_FIXTURE_H
#define SX_TEST_PX_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include <sx/port/ev.h>
#include <sx/server/proxy.h>
#include <sx/server/registrar.h>
#include <sx/sip/print.h>
#include <sx/sip/tp_loop.h>
#include <sx/sip/tsx.h>
#include <sx/util/mem.h>

#include "store_test.h"
#include "ut.h"

#define PX_MSG 8192
/** Messages B keeps (more are dropped). */
#define PX_INBOX 64
/** Most loop iterations a wait for the store may take (<= 20 ms each). */
#define PX_STORE_ITER 300
#define PX_STORE_MS   20
/** Most loop iterations other waits take (virtual-time deliveries only,
 *  <= 1 ms each). */
#define PX_WAIT_ITER 30
#define PX_WAIT_MS   1

#define CALLER_VIA "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKc%u;rport\r\n"
#define OUR_ROUTE  "Route: <sip:127.0.0.1:5060;lr>\r\n"

struct px_t {
	struct sx_ev *loop;
	struct sx_sip_tp_loop *a, *b;
	struct sx_sip_tsx_layer *layer;
	struct sx_store *st;
	struct tdb db;
	bool db_made;
	struct sx_registrar *reg;
	struct sx_registrar_cfg cfg;
	struct sx_proxy *px;
	struct sx_sip_msg *in[PX_INBOX];
	size_t nin;
	unsigned seq;
};

static struct px_t P;

static inline int user_known(struct sx_sl name, void *arg)
{
	(void)arg;
	return sx_sl_eq_cstr(name, "alice") || sx_sl_eq_cstr(name, "bob");
}

static inline void on_request(struct sx_sip_tsx *stsx,
                              const struct sx_sip_msg *req,
                              const struct sx_sip_peer *peer, void *arg)
{
	(void)arg;
	sx_proxy_request(P.px, P.loop, stsx, req, peer);
}

static inline void on_stateless(struct sx_sip_tsx_layer *layer,
                                const struct sx_sip_msg *msg,
                                const struct sx_sip_peer *peer, void *arg)
{
	(void)arg;
	sx_proxy_stateless(P.px, layer, msg, peer);
}

static inline void on_stray(struct sx_sip_tsx_layer *layer,
                            const struct sx_sip_msg *msg,
                            const struct sx_sip_peer *peer, void *arg)
{
	(void)arg;
	sx_proxy_stray(layer, msg, peer);
}

static inline void on_cancel(struct sx_sip_tsx *invite,
                             const struct sx_sip_msg *c, void *arg)
{
	(void)arg;
	sx_proxy_cancel(invite, c);
}

static inline void b_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                          const struct sx_sip_peer *peer, void *arg)
{
	(void)tp;
	(void)peer;
	(void)arg;
	if (P.nin < PX_INBOX)
		P.in[P.nin++] = msg;
	else
		sx_sip_msg_free(msg);
}

static inline int px_init(void)
{
	struct sx_sip_tsx_layer_prm lp = {.request_h = on_request,
	                                  .stateless_h = on_stateless,
	                                  .stray_h = on_stray,
	                                  .cancel_h = on_cancel};
	int err;

	memset(&P, 0, sizeof(P));
	P.cfg = (struct sx_registrar_cfg){
	    .port = SX_REGISTRAR_PORT_DEFAULT,
	    .min_expires = SX_REGISTRAR_MIN_EXPIRES_DEFAULT,
	    .max_expires = SX_REGISTRAR_MAX_EXPIRES_DEFAULT,
	    .default_expires = SX_REGISTRAR_DEFAULT_EXPIRES_DEFAULT,
	    .max_bindings = SX_REGISTRAR_MAX_BINDINGS_DEFAULT,
	};
	err = tdb_make(&P.db);
	if (err)
		return err;
	P.db_made = true;
	err = sx_ev_alloc(&P.loop, NULL);
	if (!err)
		err = sx_ev_clock_set_virtual(P.loop, 0);
	if (!err)
		err = sx_sip_tp_loop_pair_alloc(&P.a, &P.b, P.loop, NULL);
	if (!err)
		err = sx_sip_tsx_layer_alloc(&P.layer, P.loop,
		                             sx_sip_tp_loop_tport(P.a), &lp);
	if (!err)
		err = tdb_open(&P.db, 0, &P.st);
	if (err)
		return err;
	struct sx_registrar_prm rp = {.cfg = &P.cfg,
	                              .store = P.st,
	                              .domain = "example.com",
	                              .expiry_loop = P.loop,
	                              .user_h = user_known};
	err = sx_registrar_alloc(&P.reg, &rp);
	if (err)
		return err;
	struct sx_proxy_prm pp = {
	    .domain = "example.com", .reg = P.reg, .record_route = true};
	err = sx_proxy_alloc(&P.px, &pp);
	if (err)
		return err;
	sx_sip_tp_loop_set_handlers(P.a, sx_sip_tsx_tport_recv,
	                            sx_sip_tsx_tport_err, P.layer);
	sx_sip_tp_loop_set_handlers(P.b, b_recv, NULL, NULL);
	return 0;
}

static inline void px_fini(void)
{
	sx_registrar_free(P.reg);
	if (P.st) {
		sx_store_close(P.st);
		if (P.loop)
			(void)sx_ev_run_once(P.loop, 0);
	}
	if (P.loop)
		(void)sx_ev_clock_advance(P.loop, 0);
	sx_mem_unref(P.layer);
	sx_mem_unref(P.px);
	sx_mem_unref(P.a);
	sx_mem_unref(P.b);
	for (size_t i = 0; i < P.nin; i++)
		sx_sip_msg_free(P.in[i]);
	sx_ev_free(P.loop);
	if (P.db_made)
		tdb_remove(&P.db);
	memset(&P, 0, sizeof(P));
}

static inline int px_result(int err)
{
	if (err && ut_oom_mode() && sx_mem_failed())
		return -ENOMEM;
	return err;
}

static inline void run_once(int ms)
{
	(void)sx_ev_clock_advance(P.loop, 0);
	(void)sx_ev_run_once(P.loop, ms);
}

/* Run the loop until B holds @n messages (bounded). */
static inline int wait_for(size_t n, int iter, int ms)
{
	for (int i = 0; i < iter && P.nin < n; i++)
		run_once(ms);
	return P.nin >= n ? 0 : -ETIMEDOUT;
}

static inline int wait_in(size_t n)
{
	return wait_for(n, PX_WAIT_ITER, PX_WAIT_MS);
}

static inline void settle(void)
{
	for (int i = 0; i < PX_WAIT_ITER; i++)
		run_once(0);
}

static inline int b_send(const char *buf, size_t len)
{
	struct sx_sip_peer p = {.proto = SX_SIP_PROTO_UDP,
	                        .remote = *sx_sip_tp_loop_addr(P.a)};
	return sx_sip_tport_send(sx_sip_tp_loop_tport(P.b), &p, buf, len);
}

/* Send and wait for one more message at B. */
static inline int b_send_wait(const char *buf, int n)
{
	size_t before = P.nin;
	if (n < 0 || n >= PX_MSG)
		return -E2BIG;
	int err = b_send(buf, (size_t)n);
	return err ? err : wait_in(before + 1);
}

/* Latest message at B: a request with @m, or a response with @status
 * (any final when 0) to a @m request. */
static inline const struct sx_sip_msg *find_req(enum sx_sip_method m,
                                                size_t skip)
{
	for (size_t i = P.nin; i-- > 0;)
		if (P.in[i]->is_request && P.in[i]->method == m && !skip--)
			return P.in[i];
	return NULL;
}

static inline const struct sx_sip_msg *find_resp(uint16_t status,
                                                 enum sx_sip_method m)
{
	for (size_t i = P.nin; i-- > 0;)
		if (!P.in[i]->is_request && P.in[i]->cseq_method == m &&
		    P.in[i]->status == status)
			return P.in[i];
	return NULL;
}

static inline size_t count_resp(uint16_t status, enum sx_sip_method m)
{
	size_t n = 0;
	for (size_t i = 0; i < P.nin; i++)
		n += !P.in[i]->is_request && P.in[i]->cseq_method == m &&
		     P.in[i]->status == status;
	return n;
}

static inline bool has(const struct sx_sip_msg *m, const char *text)
{
	return m && memmem(m->wire.p, m->wire.len, text, strlen(text));
}

/* B as the callee answers @req with @code (To tag "callee"); waits for
 * what the proxy relays when @wait. */
static inline int b_reply(const struct sx_sip_msg *req, unsigned code,
                          const char *extra, bool wait)
{
	struct sx_buf out;
	size_t before = P.nin;
	int err;

	sx_buf_init(&out, PX_MSG);
	err = sx_sip_reply_print(req, code, NULL, SX_SL("callee"),
	                         sx_sl_cstr(extra), &out);
	if (!err)
		err = sx_buf_err(&out);
	if (!err)
		err = b_send(out.p, out.len);
	sx_buf_fini(&out);
	if (!err && wait)
		err = wait_in(before + 1);
	return err;
}

static inline int b_answer(const struct sx_sip_msg *req, unsigned code,
                           const char *extra)
{
	return b_reply(req, code, extra, true);
}

static inline int do_register(const char *contacts)
{
	char buf[PX_MSG];
	unsigned id = ++P.seq;
	int n = snprintf(buf, sizeof(buf),
	                 "REGISTER sip:example.com SIP/2.0\r\n" CALLER_VIA
	                 "Max-Forwards: 70\r\n"
	                 "From: <sip:bob@example.com>;tag=r\r\n"
	                 "To: <sip:bob@example.com>\r\n"
	                 "Call-ID: reg@px\r\nCSeq: %u REGISTER\r\n"
	                 "Contact: %s\r\nContent-Length: 0\r\n\r\n",
	                 id, id, contacts);
	size_t before = P.nin;
	int err = n < 0 || n >= PX_MSG ? -E2BIG : b_send(buf, (size_t)n);
	if (!err) /* the 200 follows the store commit */
		err = wait_for(before + 1, PX_STORE_ITER, PX_STORE_MS);
	if (!err && !find_resp(200, SX_SIP_METHOD_REGISTER))
		err = -EPROTO;
	return err;
}

/* Caller's request (method @m to @ruri) with extra header lines. */
static inline int caller_send(const char *m, const char *ruri, const char *hdrs,
                              unsigned cseq)
{
	char buf[PX_MSG];
	unsigned id = ++P.seq;
	int n = snprintf(buf, sizeof(buf),
	                 "%s %s SIP/2.0\r\n" CALLER_VIA
	                 "From: <sip:alice@example.com>;tag=a\r\n"
	                 "Call-ID: call%u@px\r\nCSeq: %u %s\r\n%s"
	                 "Content-Length: 0\r\n\r\n",
	                 m, ruri, id, id, cseq, m, hdrs);
	return b_send_wait(buf, n);
}

static inline int invite(const char *ruri, const char *hdrs)
{
	char h[PX_MSG / 2];
	snprintf(h, sizeof(h), "To: <%s>\r\n%s", ruri, hdrs);
	return caller_send("INVITE", ruri, h, 1);
}

static inline const struct sx_sip_msg *last(void)
{
	return P.nin ? P.in[P.nin - 1] : NULL;
}

#endif
