/*
 * Loop transport tests (the pjsip-style test transport used by the
 * RFC 3261 17 transaction tests): delivery through the loop, loss,
 * duplication, delay on a virtual clock, jitter reordering that repeats
 * with the seed, forced losses, send failures, and freeing a side with
 * messages in flight.
 */
#include <string.h>

#include <sx/port/ev.h>
#include <sx/sip/tp_loop.h>
#include <sx/sip/transport.h>

#include "test_tp_common.h"
#include "ut.h"

#define ORDER_N 20

struct rec {
	int n;
	struct sx_sip_peer peer;
	unsigned order[ORDER_N]; /* CSeq numbers in arrival order */
};

static void on_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                    const struct sx_sip_peer *peer, void *arg)
{
	struct rec *r = arg;

	(void)tp;
	if (r->n < ORDER_N)
		r->order[r->n] = msg->cseq;
	r->n++;
	r->peer = *peer;
	sx_sip_msg_free(msg);
}

static int send_req(struct sx_sip_tp_loop *tp, unsigned cseq)
{
	char req[1024];
	int n = tp_request(req, sizeof(req), "127.0.0.1", "", cseq);
	struct sx_sip_peer any = {0};

	return sx_sip_tport_send(sx_sip_tp_loop_tport(tp), &any, req,
	                         (size_t)n);
}

struct pair {
	struct sx_ev *loop;
	struct sx_sip_tp_loop *a, *b;
	struct rec ra, rb;
};

static int pair_open(struct pair *p, const struct sx_sip_tp_loop_prm *prm)
{
	memset(p, 0, sizeof(*p));
	int err = sx_ev_alloc(&p->loop, NULL);
	if (!err)
		err = sx_ev_clock_set_virtual(p->loop, 1000);
	if (!err)
		err = sx_sip_tp_loop_pair_alloc(&p->a, &p->b, p->loop, prm);
	if (err)
		return err;
	sx_sip_tp_loop_set_handlers(p->a, on_recv, NULL, &p->ra);
	sx_sip_tp_loop_set_handlers(p->b, on_recv, NULL, &p->rb);
	return 0;
}

static void pair_close(struct pair *p)
{
	sx_mem_unref(p->a);
	sx_mem_unref(p->b);
	sx_ev_free(p->loop);
}

static int test_tp_loop_deliver(void)
{
	struct pair p;
	int err = 0;

	UT_OK(pair_open(&p, NULL));
	UT_OK(send_req(p.a, 1));
	UT_EQ(0, p.rb.n); /* only through the loop */
	UT_EQ(1, sx_sip_tp_loop_inflight(p.b));
	UT_EQ(1, sx_ev_run_once(p.loop, 0));
	TP_OOM_BAIL();
	UT_EQ(1, p.rb.n);
	UT_EQ(SX_SIP_PROTO_UDP, p.rb.peer.proto);
	UT_EQ(0, p.rb.peer.conn_id);
	UT_TRUE(sx_sa_eq(&p.rb.peer.remote, sx_sip_tp_loop_addr(p.a)));
	UT_TRUE(sx_sa_eq(&p.rb.peer.local, sx_sip_tp_loop_addr(p.b)));
	/* and back */
	UT_OK(send_req(p.b, 2));
	UT_OK(tp_run_until(p.loop, &p.ra.n, 1));
	UT_EQ(2, p.ra.order[0]);
	struct sx_sip_tp_loop_stats st;
	sx_sip_tp_loop_stats(p.a, &st);
	UT_EQ(1, st.sent);
	UT_EQ(1, st.delivered);
out:
	pair_close(&p);
	return err;
}

static int test_tp_loop_drop_dup(void)
{
	struct pair p;
	struct sx_sip_tp_loop_stats st;
	int err = 0;

	UT_OK(pair_open(&p, &(struct sx_sip_tp_loop_prm){.seed = 7}));
	UT_OK(sx_sip_tp_loop_set_imp(
	    p.a, &(struct sx_sip_tp_loop_imp){.drop_pct = 100}));
	for (unsigned i = 0; i < 5; i++)
		UT_OK(send_req(p.a, i));
	UT_EQ(0, sx_sip_tp_loop_inflight(p.b));
	UT_OK(sx_sip_tp_loop_set_imp(
	    p.a, &(struct sx_sip_tp_loop_imp){.dup_pct = 100}));
	UT_OK(send_req(p.a, 9));
	UT_OK(tp_run_until(p.loop, &p.rb.n, 2));
	UT_EQ(9, p.rb.order[0]);
	UT_EQ(9, p.rb.order[1]);
	sx_sip_tp_loop_stats(p.a, &st);
	UT_EQ(5, st.dropped);
	UT_EQ(1, st.duplicated);
	UT_EQ(6, st.sent);
	/* forced losses come first, then the percentage */
	UT_OK(sx_sip_tp_loop_set_imp(p.a, &(struct sx_sip_tp_loop_imp){0}));
	sx_sip_tp_loop_drop_next(p.a, 2);
	for (unsigned i = 10; i < 13; i++)
		UT_OK(send_req(p.a, i));
	UT_OK(tp_run_until(p.loop, &p.rb.n, 3));
	UT_EQ(12, p.rb.order[2]);
	/* send failures */
	UT_OK(sx_sip_tp_loop_set_imp(
	    p.a, &(struct sx_sip_tp_loop_imp){.fail_pct = 100}));
	UT_EQ(-ENETUNREACH, send_req(p.a, 20));
	UT_EQ(-EINVAL, sx_sip_tp_loop_set_imp(
	                   p.a, &(struct sx_sip_tp_loop_imp){.drop_pct = 101}));
out:
	pair_close(&p);
	return err;
}

static int test_tp_loop_delay(void)
{
	struct pair p;
	int err = 0;

	UT_OK(pair_open(&p, NULL));
	UT_OK(sx_sip_tp_loop_set_imp(
	    p.a, &(struct sx_sip_tp_loop_imp){.delay_ms = 500}));
	UT_OK(send_req(p.a, 1));
	UT_EQ(0, sx_ev_clock_advance(p.loop, 499));
	UT_EQ(0, p.rb.n);
	UT_EQ(1, sx_ev_clock_advance(p.loop, 1));
	TP_OOM_BAIL();
	UT_EQ(1, p.rb.n);
out:
	pair_close(&p);
	return err;
}

/* Send ORDER_N messages with jitter; record the arrival order. */
static int jitter_run(uint64_t seed, unsigned *order)
{
	struct pair p;
	int err = 0;

	UT_OK(pair_open(&p, &(struct sx_sip_tp_loop_prm){.seed = seed}));
	UT_OK(sx_sip_tp_loop_set_imp(
	    p.a,
	    &(struct sx_sip_tp_loop_imp){.delay_ms = 10, .jitter_ms = 200}));
	for (unsigned i = 0; i < ORDER_N; i++)
		UT_OK(send_req(p.a, i));
	(void)sx_ev_clock_advance(p.loop, 300);
	TP_OOM_BAIL();
	UT_EQ(ORDER_N, p.rb.n);
	memcpy(order, p.rb.order, sizeof(p.rb.order));
out:
	pair_close(&p);
	return err;
}

static int test_tp_loop_reorder(void)
{
	unsigned o1[ORDER_N], o2[ORDER_N];
	int err = 0;

	UT_OK(jitter_run(42, o1));
	UT_OK(jitter_run(42, o2));
	UT_MEM_EQ(o1, o2, sizeof(o1)); /* same seed, same run */
	bool reordered = false;
	for (unsigned i = 1; i < ORDER_N; i++)
		reordered |= o1[i] < o1[i - 1];
	UT_TRUE(reordered);
out:
	return err;
}

static int test_tp_loop_reliable_free(void)
{
	struct pair p;
	int err = 0;

	UT_OK(pair_open(
	    &p, &(struct sx_sip_tp_loop_prm){.proto = SX_SIP_PROTO_TCP}));
	UT_OK(send_req(p.a, 1));
	UT_OK(tp_run_until(p.loop, &p.rb.n, 1));
	UT_EQ(SX_SIP_PROTO_TCP, p.rb.peer.proto);
	UT_TRUE(p.rb.peer.conn_id != 0);
	/* free B with a message in flight: A's sends then fail */
	UT_OK(send_req(p.a, 2));
	p.b = sx_mem_unref(p.b);
	UT_EQ(-ENOTCONN, send_req(p.a, 3));
	tp_spin(p.loop, 2);
out:
	pair_close(&p);
	return err;
}

/* The transport set dispatches by protocol and forwards receptions. */
static int test_tp_loop_set(void)
{
	struct pair p;
	struct sx_sip_tpset *set = NULL;
	struct rec rs = {0};
	char req[1024];
	int err = 0;

	UT_OK(pair_open(&p, NULL));
	UT_OK(sx_sip_tpset_alloc(&set, on_recv, NULL, &rs));
	UT_OK(
	    sx_sip_tpset_add(set, SX_SIP_PROTO_UDP, sx_sip_tp_loop_tport(p.a)));
	UT_EQ(-EEXIST, sx_sip_tpset_add(set, SX_SIP_PROTO_UDP,
	                                sx_sip_tp_loop_tport(p.b)));
	struct sx_sip_tport *tp = sx_sip_tpset_tport(set);
	int n = tp_request(req, sizeof(req), "127.0.0.1", "", 5);
	struct sx_sip_peer udp = {.proto = SX_SIP_PROTO_UDP};
	struct sx_sip_peer tcp = {.proto = SX_SIP_PROTO_TCP};
	UT_EQ(-EPROTONOSUPPORT, sx_sip_tport_send(tp, &tcp, req, (size_t)n));
	UT_OK(sx_sip_tport_send(tp, &udp, req, (size_t)n));
	UT_OK(tp_run_until(p.loop, &p.rb.n, 1));
	UT_OK(send_req(p.b, 6));
	UT_OK(tp_run_until(p.loop, &rs.n, 1));
	UT_EQ(6, rs.order[0]);
	struct sx_sa local;
	UT_OK(tp->ops->local(tp, SX_SIP_PROTO_UDP, &local));
	UT_TRUE(sx_sa_eq(&local, sx_sip_tp_loop_addr(p.a)));
	/* A outlives the set: what it receives later is freed quietly */
	set = sx_mem_unref(set);
	UT_OK(send_req(p.b, 7));
	tp_spin(p.loop, 2);
out:
	sx_mem_unref(set);
	pair_close(&p);
	return err;
}

UT_MAIN(UT_C(test_tp_loop_deliver), UT_C(test_tp_loop_set),
        UT_C(test_tp_loop_drop_dup), UT_C(test_tp_loop_delay),
        UT_C(test_tp_loop_reorder), UT_C(test_tp_loop_reliable_free))
