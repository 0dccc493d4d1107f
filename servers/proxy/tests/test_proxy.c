/*
 * Proxy tests (RFC 3261 16): the proxy and the co-located registrar on
 * side A of a loop-transport pair, side B playing the caller and the
 * callees (everything A sends arrives at B), on a virtual clock with a
 * temporary SQLite store.
 */
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
#define PX_STORE_MS 20
/** Most loop iterations other waits take (virtual-time deliveries only,
 *  <= 1 ms each). */
#define PX_WAIT_ITER 30
#define PX_WAIT_MS 1

#define CALLER_VIA "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKc%u;rport\r\n"
#define OUR_ROUTE "Route: <sip:127.0.0.1:5060;lr>\r\n"

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

static int user_known(struct sx_sl name, void *arg)
{
	(void)arg;
	return sx_sl_eq_cstr(name, "alice") || sx_sl_eq_cstr(name, "bob");
}

static void on_request(struct sx_sip_tsx *stsx, const struct sx_sip_msg *req,
		       const struct sx_sip_peer *peer, void *arg)
{
	(void)arg;
	sx_proxy_request(P.px, P.loop, stsx, req, peer);
}

static void on_stateless(struct sx_sip_tsx_layer *layer,
			 const struct sx_sip_msg *msg,
			 const struct sx_sip_peer *peer, void *arg)
{
	(void)arg;
	sx_proxy_stateless(P.px, layer, msg, peer);
}

static void on_stray(struct sx_sip_tsx_layer *layer,
		     const struct sx_sip_msg *msg,
		     const struct sx_sip_peer *peer, void *arg)
{
	(void)arg;
	sx_proxy_stray(layer, msg, peer);
}

static void on_cancel(struct sx_sip_tsx *invite, const struct sx_sip_msg *c,
		      void *arg)
{
	(void)arg;
	sx_proxy_cancel(invite, c);
}

static void b_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
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

static int px_init(void)
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

static void px_fini(void)
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

static int px_result(int err)
{
	if (err && ut_oom_mode() && sx_mem_failed())
		return -ENOMEM;
	return err;
}

static void run_once(int ms)
{
	(void)sx_ev_clock_advance(P.loop, 0);
	(void)sx_ev_run_once(P.loop, ms);
}

/* Run the loop until B holds @n messages (bounded). */
static int wait_for(size_t n, int iter, int ms)
{
	for (int i = 0; i < iter && P.nin < n; i++)
		run_once(ms);
	return P.nin >= n ? 0 : -ETIMEDOUT;
}

static int wait_in(size_t n)
{
	return wait_for(n, PX_WAIT_ITER, PX_WAIT_MS);
}

static void settle(void)
{
	for (int i = 0; i < PX_WAIT_ITER; i++)
		run_once(0);
}

static int b_send(const char *buf, size_t len)
{
	struct sx_sip_peer p = {.proto = SX_SIP_PROTO_UDP,
				.remote = *sx_sip_tp_loop_addr(P.a)};
	return sx_sip_tport_send(sx_sip_tp_loop_tport(P.b), &p, buf, len);
}

/* Send and wait for one more message at B. */
static int b_send_wait(const char *buf, int n)
{
	size_t before = P.nin;
	if (n < 0 || n >= PX_MSG)
		return -E2BIG;
	int err = b_send(buf, (size_t)n);
	return err ? err : wait_in(before + 1);
}

/* Latest message at B: a request with @m, or a response with @status
 * (any final when 0) to a @m request. */
static const struct sx_sip_msg *find_req(enum sx_sip_method m, size_t skip)
{
	for (size_t i = P.nin; i-- > 0;)
		if (P.in[i]->is_request && P.in[i]->method == m && !skip--)
			return P.in[i];
	return NULL;
}

static const struct sx_sip_msg *find_resp(uint16_t status, enum sx_sip_method m)
{
	for (size_t i = P.nin; i-- > 0;)
		if (!P.in[i]->is_request && P.in[i]->cseq_method == m &&
		    P.in[i]->status == status)
			return P.in[i];
	return NULL;
}

static size_t count_resp(uint16_t status, enum sx_sip_method m)
{
	size_t n = 0;
	for (size_t i = 0; i < P.nin; i++)
		n += !P.in[i]->is_request && P.in[i]->cseq_method == m &&
		     P.in[i]->status == status;
	return n;
}

static bool has(const struct sx_sip_msg *m, const char *text)
{
	return m && memmem(m->wire.p, m->wire.len, text, strlen(text));
}

/* B as the callee answers @req with @code (To tag "callee"); waits for
 * what the proxy relays when @wait. */
static int b_reply(const struct sx_sip_msg *req, unsigned code,
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

static int b_answer(const struct sx_sip_msg *req, unsigned code,
		    const char *extra)
{
	return b_reply(req, code, extra, true);
}

static int do_register(const char *contacts)
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
static int caller_send(const char *m, const char *ruri, const char *hdrs,
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

static int invite(const char *ruri, const char *hdrs)
{
	char h[PX_MSG / 2];
	snprintf(h, sizeof(h), "To: <%s>\r\n%s", ruri, hdrs);
	return caller_send("INVITE", ruri, h, 1);
}

static const struct sx_sip_msg *last(void)
{
	return P.nin ? P.in[P.nin - 1] : NULL;
}

static int test_validate(void)
{
	int err = px_init();
	if (err)
		goto out;
	UT_OK(invite("sip:bob@example.com", "Max-Forwards: 0\r\n"));
	UT_EQ(483, last()->status);
	UT_OK(invite("mailto:bob@example.com", "Max-Forwards: 70\r\n"));
	UT_EQ(416, last()->status);
	UT_OK(invite("sip:bob@example.com",
		     "Max-Forwards: 70\r\nProxy-Require: foo\r\n"));
	UT_EQ(420, last()->status);
	UT_TRUE(has(last(), "\r\nUnsupported: foo\r\n"));
	UT_OK(invite("sip:bob@other.org", "Max-Forwards: 70\r\n"));
	UT_EQ(403, last()->status);
	UT_TRUE(has(last(), "Relaying Denied"));
out:
	px_fini();
	return px_result(err);
}

static int test_not_found(void)
{
	int err = px_init();
	if (err)
		goto out;
	UT_OK(invite("sip:nobody@example.com", "Max-Forwards: 70\r\n"));
	UT_EQ(404, last()->status);
	UT_OK(invite("sip:alice@example.com", "Max-Forwards: 70\r\n"));
	UT_EQ(480, last()->status);
out:
	px_fini();
	return px_result(err);
}

static int test_call(void)
{
	const struct sx_sip_msg *inv, *m;
	char ack[PX_MSG];
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(invite("sip:bob@example.com", "Max-Forwards: 70\r\n"));
	inv = last();
	UT_TRUE(inv->is_request && inv->method == SX_SIP_METHOD_INVITE);
	UT_SL_EQ("sip:bob@127.0.0.2:5062", inv->ruri_sl);
	UT_EQ(69, inv->max_forwards);
	UT_TRUE(has(inv, "Record-Route: <sip:127.0.0.1:5060;lr>\r\n"));
	UT_EQ(2, inv->nvias);
	UT_TRUE(has(inv, "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKsx"));
	UT_TRUE(sx_sl_eq_cstr(inv->vias[1].received, "127.0.0.2"));
	UT_EQ(5060, inv->vias[1].rport_val);
	/* 180 and 200 come back with our Via popped */
	UT_OK(b_answer(inv, 180, ""));
	m = last();
	UT_EQ(180, m->status);
	UT_EQ(1, m->nvias);
	UT_TRUE(has(m, "branch=z9hG4bKc"));
	UT_OK(b_answer(inv, 200, "Contact: <sip:bob@127.0.0.2:5062>\r\n"));
	UT_EQ(200, last()->status);
	UT_EQ(1, last()->nvias);
	/* the ACK for the 2xx follows our Record-Route */
	int n = snprintf(ack, sizeof(ack),
			 "ACK sip:bob@127.0.0.2:5062 SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKack\r\n"
			 "Max-Forwards: 70\r\n" OUR_ROUTE
			 "From: <sip:alice@example.com>;tag=a\r\n"
			 "To: <sip:bob@example.com>;tag=callee\r\n"
			 "Call-ID: %.*s\r\nCSeq: 1 ACK\r\n"
			 "Content-Length: 0\r\n\r\n",
			 SX_SL_FMT(inv->call_id));
	UT_OK(b_send_wait(ack, n));
	m = last();
	UT_TRUE(m->is_request && m->method == SX_SIP_METHOD_ACK);
	UT_SL_EQ("sip:bob@127.0.0.2:5062", m->ruri_sl);
	UT_EQ(0, m->nroutes);
	UT_EQ(2, m->nvias);
	/* BYE routed by its Route */
	UT_OK(caller_send("BYE", "sip:bob@127.0.0.2:5062",
			  "Max-Forwards: 70\r\n" OUR_ROUTE
			  "To: <sip:bob@example.com>;tag=callee\r\n",
			  2));
	m = last();
	UT_TRUE(m->is_request && m->method == SX_SIP_METHOD_BYE);
	UT_EQ(0, m->nroutes);
	UT_TRUE(!has(m, "Record-Route"));
	UT_OK(b_answer(m, 200, ""));
	UT_EQ(200, last()->status);
	UT_EQ(SX_SIP_METHOD_BYE, last()->cseq_method);
out:
	px_fini();
	return px_result(err);
}

static int test_cancel(void)
{
	const struct sx_sip_msg *inv;
	char buf[PX_MSG];
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(invite("sip:bob@example.com", "Max-Forwards: 70\r\n"));
	inv = last();
	UT_OK(b_answer(inv, 180, ""));
	UT_EQ(180, last()->status);
	/* the caller cancels: same Via branch as its INVITE */
	int n = snprintf(buf, sizeof(buf),
			 "CANCEL sip:bob@example.com SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKc%u;"
			 "rport\r\nMax-Forwards: 70\r\n"
			 "From: <sip:alice@example.com>;tag=a\r\n"
			 "To: <sip:bob@example.com>\r\n"
			 "Call-ID: call%u@px\r\nCSeq: 1 CANCEL\r\n"
			 "Content-Length: 0\r\n\r\n",
			 P.seq, P.seq);
	UT_OK(b_send(buf, (size_t)n));
	settle();
	UT_TRUE(find_resp(200, SX_SIP_METHOD_CANCEL) != NULL);
	const struct sx_sip_msg *c = find_req(SX_SIP_METHOD_CANCEL, 0);
	UT_TRUE(c != NULL);
	UT_SL_EQ("sip:bob@127.0.0.2:5062", c->ruri_sl);
	UT_OK(b_reply(c, 200, "", false));
	UT_OK(b_answer(inv, 487, ""));
	UT_TRUE(find_resp(487, SX_SIP_METHOD_INVITE) != NULL);
	UT_EQ(1, find_resp(487, SX_SIP_METHOD_INVITE)->nvias);
out:
	px_fini();
	return px_result(err);
}

static int test_fork(void)
{
	const struct sx_sip_msg *i1, *i2;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>, <sip:bob@127.0.0.2:5064>"));
	UT_OK(invite("sip:bob@example.com", "Max-Forwards: 70\r\n"));
	settle();
	i1 = find_req(SX_SIP_METHOD_INVITE, 1);
	i2 = find_req(SX_SIP_METHOD_INVITE, 0);
	UT_TRUE(i1 && i2);
	UT_TRUE(!sx_sl_eq(i1->ruri_sl, i2->ruri_sl));
	UT_TRUE(!sx_sl_eq(i1->vias[0].branch, i2->vias[0].branch));
	UT_OK(b_answer(i2, 180, ""));
	UT_OK(b_answer(i1, 180, ""));
	UT_OK(b_answer(i2, 200, "Contact: <sip:bob@127.0.0.2:5064>\r\n"));
	settle();
	UT_EQ(1, count_resp(200, SX_SIP_METHOD_INVITE));
	const struct sx_sip_msg *c = find_req(SX_SIP_METHOD_CANCEL, 0);
	UT_TRUE(c != NULL);
	UT_TRUE(sx_sl_eq(c->ruri_sl, i1->ruri_sl));
	UT_TRUE(has(c, "Reason: SIP;cause=200"));
	UT_OK(b_reply(c, 200, "", false));
	UT_OK(b_reply(i1, 487, "", false));
	settle();
	/* the caller sees only the 200 */
	UT_EQ(0, count_resp(487, SX_SIP_METHOD_INVITE));
out:
	px_fini();
	return px_result(err);
}

static int test_loop(void)
{
	char buf[PX_MSG];
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@127.0.0.2:5062>"));
	UT_OK(invite("sip:bob@example.com", "Max-Forwards: 70\r\n"));
	const struct sx_sip_msg *inv = last();
	/* the callee sends it back unchanged but for its own Via */
	const char *rest = memchr(inv->wire.p, '\n', inv->wire.len);
	UT_TRUE(rest != NULL);
	rest++;
	int n = snprintf(buf, sizeof(buf),
			 "INVITE sip:bob@example.com SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.2:5062;branch=z9hG4bKloop\r\n"
			 "%.*s",
			 (int)(inv->wire.len - (size_t)(rest - inv->wire.p)),
			 rest);
	UT_OK(b_send_wait(buf, n));
	UT_EQ(482, last()->status);
	/* end the first call so nothing is left pending */
	UT_OK(b_answer(inv, 486, ""));
	UT_EQ(486, last()->status);
out:
	px_fini();
	return px_result(err);
}

UT_MAIN(UT_C(test_validate), UT_C(test_not_found), UT_C(test_call),
	UT_C(test_cancel), UT_C(test_fork), UT_C(test_loop))
