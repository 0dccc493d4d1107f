/*
 * Loop transport for tests (pjsip sip_transport_loop.c): a pair of
 * in-process transports delivering to each other through sx_tmr timers,
 * with seeded loss, duplication, delay and jitter, so transaction tests
 * (RFC 3261 17) can exercise retransmission under a virtual clock.
 */
#define SX_LOG_MOD "sip.tp.loop"

#include <errno.h>
#include <string.h>

#include <sx/port/tmr.h>
#include <sx/sip/tp_loop.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "tport_int.h"

/* One message copy in flight, linked into its receiver's list. */
struct pkt {
	struct pkt *next, *prev;
	struct sx_sip_tp_loop *dst;
	struct sx_tmr tmr;
	struct sx_sa src;
	size_t len;
	char data[];
};

struct sx_sip_tp_loop {
	struct sx_sip_tport base; /* first: the object is its tport */
	struct sx_ev *loop;
	struct sx_sip_tp_loop *other; /* NULL once the other side is gone */
	enum sx_sip_proto proto;
	struct sx_sa addr;
	uint64_t conn_id; /* shared by the pair; reported when reliable */
	uint64_t rng;
	struct sx_sip_tp_loop_imp imp;
	unsigned drop_next;
	struct pkt *inflight; /* towards this side */
	size_t ninflight;
	struct sx_sip_tp_loop_stats st;
};

/* splitmix64: small, seedable, good enough for test impairments. */
static uint64_t rng_next(struct sx_sip_tp_loop *tp)
{
	uint64_t z = (tp->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool roll(struct sx_sip_tp_loop *tp, unsigned pct)
{
	return pct && rng_next(tp) % 100 < pct;
}

static void pkt_unlink(struct pkt *k)
{
	struct sx_sip_tp_loop *dst = k->dst;

	if (k->prev)
		k->prev->next = k->next;
	else
		dst->inflight = k->next;
	if (k->next)
		k->next->prev = k->prev;
	dst->ninflight--;
	sx_tmr_stop(&k->tmr);
}

static void on_pkt(void *arg)
{
	struct pkt *k = arg;
	struct sx_sip_tp_loop *dst = k->dst;
	struct sx_sip_parse_prm prm = {
	    .stream = sx_sip_proto_reliable(dst->proto), .owner = k};
	struct sx_sip_msg *msg = NULL;

	pkt_unlink(k);
	int err = sx_sip_msg_parse(&msg, k->data, k->len, &prm, NULL);
	struct sx_sip_peer peer = {
	    .proto = dst->proto,
	    .remote = k->src,
	    .local = dst->addr,
	    .conn_id = sx_sip_proto_reliable(dst->proto) ? dst->conn_id : 0};
	sx_mem_unref(k);
	if (err) {
		dst->st.bad++;
		SX_LOG_DBG("dropped a copy that does not parse (%d)", err);
		return;
	}
	dst->st.delivered++;
	if (dst->base.recv_h)
		dst->base.recv_h(&dst->base, msg, &peer, dst->base.arg);
	else
		sx_sip_msg_free(msg);
}

/* Put one copy in flight towards @dst. */
static int enqueue(struct sx_sip_tp_loop *tp, struct sx_sip_tp_loop *dst,
                   const char *buf, size_t len)
{
	if (dst->ninflight >= SX_SIP_TP_LOOP_INFLIGHT_MAX) {
		tp->st.dropped++;
		return 0;
	}
	struct pkt *k = sx_mem_zalloc(sizeof(*k) + len, NULL);
	if (!k)
		return -ENOMEM;
	k->dst = dst;
	k->src = tp->addr;
	k->len = len;
	memcpy(k->data, buf, len);
	uint64_t delay = tp->imp.delay_ms;
	if (tp->imp.jitter_ms)
		delay += rng_next(tp) % ((uint64_t)tp->imp.jitter_ms + 1);
	int err = sx_tmr_start(tp->loop, &k->tmr, delay, on_pkt, k);
	if (err) {
		sx_mem_unref(k);
		return err;
	}
	k->next = dst->inflight;
	if (k->next)
		k->next->prev = k;
	dst->inflight = k;
	dst->ninflight++;
	return 0;
}

static int loop_send(struct sx_sip_tport *base, const struct sx_sip_peer *peer,
                     const char *buf, size_t len)
{
	struct sx_sip_tp_loop *tp = (struct sx_sip_tp_loop *)base;
	int err = 0;

	(void)peer;
	if (!tp || !buf || !len)
		return -EINVAL;
	if (len > SX_SIP_MAX_MSG_SIZE)
		err = -EMSGSIZE;
	else if (!tp->other)
		err = -ENOTCONN;
	else if (roll(tp, tp->imp.fail_pct))
		err = -ENETUNREACH;
	if (err)
		goto out;
	if (tp->drop_next || roll(tp, tp->imp.drop_pct)) {
		tp->drop_next -= tp->drop_next ? 1 : 0;
		tp->st.dropped++;
		goto out;
	}
	bool dup = roll(tp, tp->imp.dup_pct);
	err = enqueue(tp, tp->other, buf, len);
	/* a duplicate that cannot be queued is simply not made */
	if (!err && dup && !enqueue(tp, tp->other, buf, len))
		tp->st.duplicated++;
out:
	if (err)
		tp->st.failed++;
	else
		tp->st.sent++;
	return err;
}

static int loop_local(struct sx_sip_tport *base, enum sx_sip_proto proto,
                      struct sx_sa *localp)
{
	struct sx_sip_tp_loop *tp = (struct sx_sip_tp_loop *)base;

	(void)proto;
	if (!tp || !localp)
		return -EINVAL;
	*localp = tp->addr;
	return 0;
}

static const struct sx_sip_tport_ops loop_ops = {
    .send = loop_send,
    .local = loop_local,
};

static void loop_destroy(void *obj)
{
	struct sx_sip_tp_loop *tp = obj;

	if (tp->other)
		tp->other->other = NULL;
	while (tp->inflight) {
		struct pkt *k = tp->inflight;
		pkt_unlink(k);
		sx_mem_unref(k);
	}
}

static int side_alloc(struct sx_sip_tp_loop **tpp, struct sx_ev *loop,
                      const struct sx_sip_tp_loop_prm *prm,
                      const struct sx_sa *addr, const char *dflt, uint64_t seed)
{
	struct sx_sip_tp_loop *tp = sx_mem_zalloc(sizeof(*tp), loop_destroy);

	if (!tp)
		return -ENOMEM;
	tp->base.ops = &loop_ops;
	tp->loop = loop;
	tp->proto = prm->proto ? prm->proto : SX_SIP_PROTO_UDP;
	tp->rng = seed;
	if (sx_sa_isset(addr))
		tp->addr = *addr;
	else if (sx_sa_set_str(&tp->addr, sx_sl_cstr(dflt), 5060))
		SX_LOG_ERR("bad default address %s", dflt);
	*tpp = tp;
	return 0;
}

int sx_sip_tp_loop_pair_alloc(struct sx_sip_tp_loop **ap,
                              struct sx_sip_tp_loop **bp, struct sx_ev *loop,
                              const struct sx_sip_tp_loop_prm *prm)
{
	static const struct sx_sip_tp_loop_prm defaults;
	struct sx_sip_tp_loop *a = NULL, *b = NULL;

	if (!ap || !bp || !loop)
		return -EINVAL;
	if (!prm)
		prm = &defaults;
	if (side_alloc(&a, loop, prm, &prm->addr_a, "127.0.0.1", prm->seed) ||
	    side_alloc(&b, loop, prm, &prm->addr_b, "127.0.0.2", ~prm->seed)) {
		sx_mem_unref(a);
		return -ENOMEM;
	}
	a->other = b;
	b->other = a;
	a->conn_id = b->conn_id = sx_sip__conn_id_next();
	*ap = a;
	*bp = b;
	return 0;
}

struct sx_sip_tport *sx_sip_tp_loop_tport(struct sx_sip_tp_loop *tp)
{
	return tp ? &tp->base : NULL;
}

void sx_sip_tp_loop_set_handlers(struct sx_sip_tp_loop *tp,
                                 sx_sip_tport_recv_h *recv_h,
                                 sx_sip_tport_err_h *err_h, void *arg)
{
	if (!tp)
		return;
	tp->base.recv_h = recv_h;
	tp->base.err_h = err_h;
	tp->base.arg = arg;
}

int sx_sip_tp_loop_set_imp(struct sx_sip_tp_loop *tp,
                           const struct sx_sip_tp_loop_imp *imp)
{
	if (!tp || !imp || imp->drop_pct > 100 || imp->dup_pct > 100 ||
	    imp->fail_pct > 100)
		return -EINVAL;
	tp->imp = *imp;
	return 0;
}

void sx_sip_tp_loop_drop_next(struct sx_sip_tp_loop *tp, unsigned n)
{
	if (tp)
		tp->drop_next = n;
}

const struct sx_sa *sx_sip_tp_loop_addr(const struct sx_sip_tp_loop *tp)
{
	return tp ? &tp->addr : NULL;
}

size_t sx_sip_tp_loop_inflight(const struct sx_sip_tp_loop *tp)
{
	return tp ? tp->ninflight : 0;
}

void sx_sip_tp_loop_stats(const struct sx_sip_tp_loop *tp,
                          struct sx_sip_tp_loop_stats *st)
{
	if (tp && st)
		*st = tp->st;
}
