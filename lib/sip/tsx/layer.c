/*
 * SIP transaction layer core (RFC 3261 17): the per-worker layer, its
 * transaction tables and matching rules (17.1.3 for responses, 17.2.3
 * for requests, with the RFC 2543 fallback), message dispatch, branch
 * and tag generation carrying the owner worker id (ARCHITECTURE.md 4),
 * timers-hold-references bookkeeping (STYLE.md 2.5) and termination.
 */
#define SX_LOG_MOD "sip.tsx"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <sx/port/ev.h>
#include <sx/port/tmr.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "tsx_int.h"

/* Our branches: cookie, marker, 3 hex digits of worker id, random. */
#define BRANCH_MARK      "sx"
#define OWNER_DIGITS     3u
#define BRANCH_RND_BYTES 12u
#define TAG_RND_BYTES    8u

/* -- timers: whoever arms one holds a reference (STYLE.md 2.5) -- */

/* @t1x multiples of T1 (64 for B, F, H, J, L, M). */
uint32_t sx_sip__tsx_tmr_ms(const struct sx_sip_tsx_layer *l, uint32_t t1x)
{
	return l->prm.t1_ms * t1x;
}

int sx_sip__tsx_arm(struct sx_sip_tsx *t, struct sx_tmr *tm, uint64_t ms,
                    sx_tmr_h *h)
{
	if (!t->layer)
		return -ENOTCONN;
	bool was = sx_tmr_isrunning(tm);
	int err = sx_tmr_start(t->layer->loop, tm, ms, h, t);
	if (!err && !was)
		sx_mem_ref(t);
	return err;
}

/* Caller holds its own reference: this may drop the timer's. */
void sx_sip__tsx_disarm(struct sx_sip_tsx *t, struct sx_tmr *tm)
{
	if (!sx_tmr_isrunning(tm))
		return;
	sx_tmr_stop(tm);
	sx_mem_unref(t);
}

static void disarm_all(struct sx_sip_tsx *t)
{
	sx_sip__tsx_disarm(t, &t->t_retx);
	sx_sip__tsx_disarm(t, &t->t_end);
	sx_sip__tsx_disarm(t, &t->t_aux);
}

/* -- lists and tables -- */

static void list_add(struct sx_sip_tsx **head, struct sx_sip_tsx *t, size_t off)
{
	struct sx_sip_tsx_link *ln = (void *)((char *)t + off);
	ln->prev = NULL;
	ln->next = *head;
	if (*head)
		((struct sx_sip_tsx_link *)((char *)*head + off))->prev = t;
	*head = t;
}

static void list_del(struct sx_sip_tsx **head, struct sx_sip_tsx *t, size_t off)
{
	struct sx_sip_tsx_link *ln = (void *)((char *)t + off);
	if (ln->prev)
		((struct sx_sip_tsx_link *)((char *)ln->prev + off))->next =
		    ln->next;
	else
		*head = ln->next;
	if (ln->next)
		((struct sx_sip_tsx_link *)((char *)ln->next + off))->prev =
		    ln->prev;
	ln->next = ln->prev = NULL;
}

#define HL offsetof(struct sx_sip_tsx, hl)
#define RL offsetof(struct sx_sip_tsx, rl)
#define AL offsetof(struct sx_sip_tsx, al)

static uint32_t branch_key(const struct sx_sip_tsx_layer *l,
                           struct sx_sl branch)
{
	return sx_sl_hash_nocase(branch) & l->mask;
}

/* Server branches are the peer's: sent-by is part of the key (17.2.3). */
static uint32_t srv_key(const struct sx_sip_tsx_layer *l,
                        const struct sx_sip_via *via)
{
	uint32_t h = sx_sl_hash_nocase(via->branch) ^
	             sx_sl_hash_nocase(via->sent_by.host);
	return (h ^ (via->sent_by.port * 2654435761u)) & l->mask;
}

/* Call-ID, From tag and CSeq number: shared by a request, its
 * retransmissions, its CANCEL and (RFC 2543) its ACK. */
static uint32_t req_key(const struct sx_sip_tsx_layer *l,
                        const struct sx_sip_msg *m)
{
	uint32_t h = sx_sl_hash(m->call_id) ^ sx_sl_hash(m->from_tag);
	return (h ^ (m->cseq * 2654435761u)) & l->mask;
}

bool sx_sip__tsx_cookie(struct sx_sl branch)
{
	return sx_sl_prefix_nocase(branch, SX_SL(SX_SIP_MAGIC_COOKIE));
}

void sx_sip__tsx_link(struct sx_sip_tsx *t)
{
	struct sx_sip_tsx_layer *l = t->layer;

	if (t->client) {
		t->hkey = branch_key(l, t->branch);
		list_add(&l->cli_tab[t->hkey], t, HL);
	} else {
		if (sx_sip__tsx_cookie(t->branch)) {
			t->hkey = srv_key(l, &t->req->vias[0]);
			list_add(&l->srv_tab[t->hkey], t, HL);
			t->in_srv_tab = true;
		}
		t->rkey = req_key(l, t->req);
		list_add(&l->req_tab[t->rkey], t, RL);
	}
	list_add(&l->all, t, AL);
	l->count++;
	sx_mem_ref(t); /* the tables' reference */
}

static void unlink_tsx(struct sx_sip_tsx *t)
{
	struct sx_sip_tsx_layer *l = t->layer;

	if (t->client) {
		list_del(&l->cli_tab[t->hkey], t, HL);
	} else {
		if (t->in_srv_tab)
			list_del(&l->srv_tab[t->hkey], t, HL);
		list_del(&l->req_tab[t->rkey], t, RL);
	}
	list_del(&l->all, t, AL);
	l->count--;
}

/* Caller holds a reference of its own. */
void sx_sip__tsx_end(struct sx_sip_tsx *t, enum sx_sip_tsx_end why, bool notify)
{
	if (t->state == SX_SIP_TSX_TERMINATED)
		return;
	t->state = SX_SIP_TSX_TERMINATED;
	disarm_all(t);
	if (!t->layer)
		return;
	struct sx_sip_tsx_layer *l = t->layer;
	unlink_tsx(t);
	SX_LOG_DBG("%s %s terminated (%d)", t->client ? "client" : "server",
	           sx_sip_method_name(t->method) ? sx_sip_method_name(t->method)
	                                         : "other",
	           (int)why);
	if (notify && l->prm.term_h)
		l->prm.term_h(t, why, l->prm.arg);
	sx_mem_unref(t);
}

/* -- matching (RFC 3261 17.1.3, 17.2.3) -- */

bool sx_sip__tsx_method_eq(const struct sx_sip_tsx *t, enum sx_sip_method m,
                           struct sx_sl m_sl)
{
	if (t->method != m)
		return false;
	return m != SX_SIP_METHOD_OTHER || sx_sl_eq(t->key.method_sl, m_sl);
}

struct sx_sip_tsx *sx_sip__tsx_cli_find(struct sx_sip_tsx_layer *l,
                                        struct sx_sl branch,
                                        enum sx_sip_method m, struct sx_sl m_sl)
{
	for (struct sx_sip_tsx *t = l->cli_tab[branch_key(l, branch)]; t;
	     t = t->hl.next)
		if (sx_sl_eq_nocase(t->branch, branch) &&
		    sx_sip__tsx_method_eq(t, m, m_sl))
			return t;
	return NULL;
}

static bool sent_by_eq(const struct sx_sip__tsx_key *k,
                       const struct sx_sip_via *v)
{
	return sx_sl_eq_nocase(k->sent_by, v->sent_by.host) &&
	       k->sent_by_has_port == v->sent_by.has_port &&
	       k->sent_by_port == v->sent_by.port;
}

static bool method_ok(const struct sx_sip_tsx *t, const struct sx_sip_msg *r,
                      enum sx_sip__tsx_find mode)
{
	switch (mode) {
	case SX_SIP__TSX_FIND_ACK:
		return t->invite;
	case SX_SIP__TSX_FIND_TARGET:
		return t->method != SX_SIP_METHOD_CANCEL;
	default:
		return sx_sip__tsx_method_eq(t, r->method, r->method_sl);
	}
}

/*
 * 17.2.3: branch + sent-by + method (ACK matching INVITE).  A
 * retransmission, its ACK and its CANCEL (9.1) also carry the same
 * Call-ID and CSeq number; a request that reuses a live branch with
 * another Call-ID or CSeq is a different request from a client that
 * generates branches badly (RFC 4475's messages share branches), so it
 * gets a transaction of its own instead of the other one's response.
 */
static struct sx_sip_tsx *srv_find_cookie(struct sx_sip_tsx_layer *l,
                                          const struct sx_sip_msg *req,
                                          enum sx_sip__tsx_find mode)
{
	const struct sx_sip_via *via = &req->vias[0];

	for (struct sx_sip_tsx *t = l->srv_tab[srv_key(l, via)]; t;
	     t = t->hl.next)
		if (sx_sl_eq_nocase(t->branch, via->branch) &&
		    sent_by_eq(&t->key, via) && method_ok(t, req, mode) &&
		    t->key.cseq == req->cseq &&
		    sx_sl_eq(t->key.call_id, req->call_id))
			return t;
	return NULL;
}

/* RFC 2543 matching (17.2.3 last paragraphs, 9.2 for CANCEL); these
 * transactions keep their request to the end. */
static bool match_2543(const struct sx_sip_tsx *t, const struct sx_sip_msg *r,
                       enum sx_sip__tsx_find mode)
{
	const struct sx_sip_msg *o = t->req;

	if (!o)
		return false;

	if (!sx_sl_eq(o->call_id, r->call_id) || o->cseq != r->cseq ||
	    !sx_sl_eq(o->from_tag, r->from_tag) ||
	    !sx_sl_eq(o->vias[0].raw, r->vias[0].raw) ||
	    !sx_sip_uri_eq(&o->ruri, &r->ruri) || !method_ok(t, r, mode))
		return false;
	if (mode == SX_SIP__TSX_FIND_ACK)
		/* the ACK carries the To tag of our response */
		return sx_sl_eq(o->to_tag.len
		                    ? o->to_tag
		                    : sx_sl_make(t->to_tag, t->to_tag_len),
		                r->to_tag);
	return sx_sl_eq(o->to_tag, r->to_tag);
}

struct sx_sip_tsx *sx_sip__tsx_srv_find(struct sx_sip_tsx_layer *l,
                                        const struct sx_sip_msg *req,
                                        enum sx_sip__tsx_find mode)
{
	if (sx_sip__tsx_cookie(req->vias[0].branch))
		return srv_find_cookie(l, req, mode);
	for (struct sx_sip_tsx *t = l->req_tab[req_key(l, req)]; t;
	     t = t->rl.next)
		if (!t->in_srv_tab && match_2543(t, req, mode))
			return t;
	return NULL;
}

/* RFC 3261 8.2.2.2: same From tag, Call-ID and CSeq as a live server
 * transaction, but another transaction (different top Via). */
bool sx_sip__tsx_merged(struct sx_sip_tsx_layer *l,
                        const struct sx_sip_msg *req)
{
	if (req->to_tag.len)
		return false;
	for (struct sx_sip_tsx *t = l->req_tab[req_key(l, req)]; t;
	     t = t->rl.next) {
		const struct sx_sip__tsx_key *k = &t->key;
		if (sx_sl_eq(k->call_id, req->call_id) &&
		    k->cseq == req->cseq &&
		    sx_sl_eq(k->from_tag, req->from_tag) &&
		    sx_sip__tsx_method_eq(t, req->method, req->method_sl) &&
		    !sx_sl_eq(k->via_raw, req->vias[0].raw))
			return true;
	}
	return false;
}

static bool chain_full(const struct sx_sip_tsx *t, size_t off)
{
	unsigned n = 0;
	for (; t && n < SX_SIP_TSX_CHAIN_MAX; n++)
		t = ((const struct sx_sip_tsx_link *)((const char *)t + off))
		        ->next;
	return n >= SX_SIP_TSX_CHAIN_MAX;
}

bool sx_sip__tsx_crowded(const struct sx_sip_tsx_layer *l,
                         const struct sx_sip_msg *req)
{
	if (sx_sip__tsx_cookie(req->vias[0].branch) &&
	    chain_full(l->srv_tab[srv_key(l, &req->vias[0])], HL))
		return true;
	return chain_full(l->req_tab[req_key(l, req)], RL);
}

/* -- objects -- */

static void tsx_destroy(void *obj)
{
	struct sx_sip_tsx *t = obj;

	sx_tmr_stop(&t->t_retx);
	sx_tmr_stop(&t->t_end);
	sx_tmr_stop(&t->t_aux);
	sx_sip_msg_free(t->req);
	sx_mem_unref(t->key_buf);
	sx_mem_unref(t->out);
	sx_mem_unref(t->cancel);
}

/* The key of @t's request, pointing into it. */
static void key_set(struct sx_sip_tsx *t)
{
	const struct sx_sip_msg *req = t->req;
	const struct sx_sip_via *via = &req->vias[0];
	struct sx_sip__tsx_key *k = &t->key;

	k->sent_by = via->sent_by.host;
	k->sent_by_port = via->sent_by.port;
	k->sent_by_has_port = via->sent_by.has_port;
	k->via_raw = via->raw;
	k->call_id = req->call_id;
	k->from_tag = req->from_tag;
	k->to_tag = req->to_tag;
	k->method_sl = req->method_sl;
	k->cseq = req->cseq;
}

/* A transaction for @req (taken on success), not yet linked. */
struct sx_sip_tsx *sx_sip__tsx_new(struct sx_sip_tsx_layer *l, bool client,
                                   struct sx_sip_msg *req,
                                   const struct sx_sip_peer *peer)
{
	struct sx_sip_tsx *t = sx_mem_zalloc(sizeof(*t), tsx_destroy);
	if (!t)
		return NULL;
	t->layer = l;
	t->client = client;
	t->req = req;
	t->method = req->method;
	t->invite = req->method == SX_SIP_METHOD_INVITE;
	t->branch = req->vias[0].branch;
	key_set(t);
	t->peer = *peer;
	t->reliable = sx_sip_proto_reliable(peer->proto);
	return t;
}

int sx_sip__tsx_send(struct sx_sip_tsx_layer *l, const struct sx_sip_peer *dst,
                     const char *buf, size_t len)
{
	int err = sx_sip_tport_send(l->tp, dst, buf, len);
	if (err)
		SX_LOG_DBG("send of %zu bytes failed: %d", len, err);
	return err;
}

/* -- layer -- */

static void layer_destroy(void *obj)
{
	struct sx_sip_tsx_layer *l = obj;

	/* terminate everything without callbacks; held handles stay
	 * valid but detached */
	while (l->all) {
		struct sx_sip_tsx *t = sx_mem_ref(l->all);
		t->state = SX_SIP_TSX_TERMINATED;
		unlink_tsx(t);
		disarm_all(t);
		t->layer = NULL;
		sx_mem_unref(t); /* the tables' reference */
		sx_mem_unref(t);
	}
	while (l->compact) {
		struct sx_sip_tsx *t = l->compact;
		l->compact = t->compact_next;
		sx_mem_unref(t);
	}
	sx_mem_unref(l->cli_tab);
}

static void fill_defaults(struct sx_sip_tsx_layer_prm *p)
{
	p->t1_ms = p->t1_ms ? p->t1_ms : SX_SIP_T1_MS;
	p->t2_ms = p->t2_ms ? p->t2_ms : SX_SIP_T2_MS;
	p->t4_ms = p->t4_ms ? p->t4_ms : SX_SIP_T4_MS;
	p->timer_c_ms = p->timer_c_ms ? p->timer_c_ms : SX_SIP_TIMER_C_MS;
	p->trying_ms = p->trying_ms ? p->trying_ms : SX_SIP_TRYING_MS;
	p->max_tsx = p->max_tsx ? p->max_tsx : SX_SIP_TSX_MAX_DEFAULT;
}

int sx_sip_tsx_layer_alloc(struct sx_sip_tsx_layer **layerp, struct sx_ev *loop,
                           struct sx_sip_tport *tp,
                           const struct sx_sip_tsx_layer_prm *prm)
{
	struct sx_sip_tsx_layer *l = NULL;
	int err = 0;

	if (!layerp || !loop || !tp || !tp->ops || !tp->ops->send)
		return -EINVAL;
	if (prm && (prm->worker > SX_SIP_TSX_WORKER_MAX ||
	            prm->t1_ms > UINT32_MAX / 64))
		return -EINVAL;
	l = sx_mem_zalloc(sizeof(*l), layer_destroy);
	if (!l)
		return -ENOMEM;
	l->loop = loop;
	l->tp = tp;
	if (prm)
		l->prm = *prm;
	fill_defaults(&l->prm);
	size_t nb = SX_SIP_TSX_BUCKETS_MIN;
	while (nb < SX_SIP_TSX_BUCKETS_MAX && nb < l->prm.max_tsx / 2)
		nb *= 2;
	l->mask = (uint32_t)nb - 1;
	l->cli_tab = sx_mem_zalloc(3 * nb * sizeof(*l->cli_tab), NULL);
	if (!l->cli_tab) {
		err = -ENOMEM;
		goto out;
	}
	l->srv_tab = l->cli_tab + nb;
	l->req_tab = l->srv_tab + nb;
	l->rnd_pos = sizeof(l->rnd);
	*layerp = l;
out:
	if (err)
		sx_mem_unref(l);
	return err;
}

size_t sx_sip_tsx_layer_count(const struct sx_sip_tsx_layer *layer)
{
	return layer ? layer->count : 0;
}

/* -- random, branches, tags -- */

void sx_sip__tsx_rnd(struct sx_sip_tsx_layer *l, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (l->rnd_pos == sizeof(l->rnd)) {
			ssize_t got = getrandom(l->rnd, sizeof(l->rnd), 0);
			if (got != (ssize_t)sizeof(l->rnd))
				/* no entropy source: the serial below still
				 * keeps branches unique */
				memset(l->rnd, 0x5a, sizeof(l->rnd));
			l->rnd_pos = 0;
		}
		out[i] = l->rnd[l->rnd_pos++];
	}
}

static size_t put_hex(char *p, const uint8_t *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		p[2 * i] = hex[b[i] >> 4];
		p[2 * i + 1] = hex[b[i] & 15];
	}
	return 2 * n;
}

/* "<prefix>sx<owner><random><serial>", NUL-terminated. */
static size_t make_id(struct sx_sip_tsx_layer *l, char *buf, const char *pfx,
                      size_t nrnd)
{
	uint8_t rnd[BRANCH_RND_BYTES];
	int n = snprintf(buf, SX_SIP_BRANCH_SIZE, "%s" BRANCH_MARK "%03x", pfx,
	                 l->prm.worker);
	size_t len = (size_t)n;

	sx_sip__tsx_rnd(l, rnd, nrnd);
	/* fold in a serial so two ids never repeat within a layer */
	uint64_t s = ++l->serial;
	for (size_t i = 0; i < sizeof(s) && i < nrnd; i++)
		rnd[i] ^= (uint8_t)(s >> (8 * i));
	len += put_hex(buf + len, rnd, nrnd);
	buf[len] = '\0';
	return len;
}

size_t sx_sip_branch_make(struct sx_sip_tsx_layer *layer, char *buf)
{
	return make_id(layer, buf, SX_SIP_MAGIC_COOKIE, BRANCH_RND_BYTES);
}

size_t sx_sip_tag_make(struct sx_sip_tsx_layer *layer, char *buf)
{
	return make_id(layer, buf, "", TAG_RND_BYTES);
}

int sx_sip_branch_owner(struct sx_sl branch)
{
	const size_t pfx = sizeof(SX_SIP_MAGIC_COOKIE BRANCH_MARK) - 1;
	int owner = 0;

	if (branch.len != pfx + OWNER_DIGITS + 2 * BRANCH_RND_BYTES ||
	    memcmp(branch.p, SX_SIP_MAGIC_COOKIE BRANCH_MARK, pfx))
		return -1;
	for (size_t i = 0; i < OWNER_DIGITS; i++) {
		int v = sx_hexval(branch.p[pfx + i]);
		if (v < 0)
			return -1;
		owner = owner * 16 + v;
	}
	return owner;
}

/* -- dispatch -- */

static void recv_response(struct sx_sip_tsx_layer *l, struct sx_sip_msg *msg,
                          const struct sx_sip_peer *peer)
{
	struct sx_sl branch = msg->vias[0].branch;
	int owner = sx_sip_branch_owner(branch);

	if (owner >= 0 && (unsigned)owner != l->prm.worker &&
	    l->prm.foreign_h) {
		l->prm.foreign_h(l, msg, peer, owner, l->prm.arg);
		return;
	}
	/* 17.1.3: branch of the top Via and the CSeq method */
	struct sx_sip_tsx *t = sx_sip__tsx_cli_find(l, branch, msg->cseq_method,
	                                            msg->cseq_method_sl);
	if (t) {
		sx_mem_ref(t);
		sx_sip__tsx_cli_recv(t, msg);
		sx_mem_unref(t);
	} else if (l->prm.stray_h) {
		l->prm.stray_h(l, msg, peer, l->prm.arg);
	}
	sx_sip_msg_free(msg);
}

void sx_sip_tsx_layer_recv(struct sx_sip_tsx_layer *layer,
                           struct sx_sip_msg *msg,
                           const struct sx_sip_peer *peer)
{
	if (!layer || !msg || !peer) {
		sx_sip_msg_free(msg);
		return;
	}
	if (!msg->nvias) {
		SX_LOG_INFO_RL("message without Via dropped");
		sx_sip_msg_free(msg);
		return;
	}
	sx_sip__tsx_compact_pending(layer);
	if (msg->is_request)
		sx_sip__tsx_srv_recv(layer, msg, peer);
	else
		recv_response(layer, msg, peer);
}

void sx_sip_tsx_tport_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                           const struct sx_sip_peer *peer, void *arg)
{
	(void)tp;
	sx_sip_tsx_layer_recv(arg, msg, peer);
}

/*
 * Does the transport error for @err_peer hit a transaction sending to
 * @dst?  RFC 3261 8.1.3.1 and 17.1.4 speak of a failure of the
 * destination, not of one connection: a stream send whose conn_id was
 * already closed goes out on a new connection to the same address, and
 * that connection's error carries its own conn_id.  So the same
 * connection matches, and otherwise proto + remote address do.  Matching
 * here rather than having the transport report the conn_id it was asked
 * for keeps the rule in one place: a fallback connection is shared by
 * every sender to that address, whatever stale conn_id each one named.
 */
static bool same_dst(const struct sx_sip_peer *dst,
                     const struct sx_sip_peer *err_peer)
{
	if (dst->proto != err_peer->proto)
		return false;
	if (dst->conn_id && dst->conn_id == err_peer->conn_id)
		return true;
	return sx_sa_isset(&err_peer->remote) &&
	       sx_sa_eq(&dst->remote, &err_peer->remote);
}

/* Mark first (no callbacks run while walking), then fail one marked
 * transaction at a time from the head: handlers may end others. */
void sx_sip_tsx_layer_tport_err(struct sx_sip_tsx_layer *layer,
                                const struct sx_sip_peer *peer, int err)
{
	if (!layer || !peer)
		return;
	SX_LOG_DBG("transport error %d", err);
	for (struct sx_sip_tsx *t = layer->all; t; t = t->al.next)
		t->err_mark = t->client && sx_sip__tsx_cli_waiting(t) &&
		              same_dst(&t->peer, peer);
	for (;;) {
		struct sx_sip_tsx *t = layer->all;
		while (t && !t->err_mark)
			t = t->al.next;
		if (!t)
			break;
		t->err_mark = false;
		sx_mem_ref(t);
		sx_sip__tsx_cli_fail(t, 503, SX_SIP_TSX_END_TRANSPORT);
		sx_mem_unref(t);
	}
}

void sx_sip_tsx_tport_err(struct sx_sip_tport *tp,
                          const struct sx_sip_peer *peer, int err, void *arg)
{
	(void)tp;
	sx_sip_tsx_layer_tport_err(arg, peer, err);
}

int sx_sip_tsx_send_stateless(struct sx_sip_tsx_layer *layer,
                              const struct sx_sip_peer *dst, const char *buf,
                              size_t len)
{
	if (!layer || !dst || !buf || !len)
		return -EINVAL;
	return sx_sip__tsx_send(layer, dst, buf, len);
}

int sx_sip_tsx_reply_stateless(struct sx_sip_tsx_layer *layer,
                               const struct sx_sip_msg *req,
                               const struct sx_sip_peer *peer, uint16_t code,
                               const char *reason, struct sx_sl extra)
{
	char tag[SX_SIP_BRANCH_SIZE];
	struct sx_sip_peer dst;
	struct sx_buf b;
	int err;

	if (!layer || !req || !peer || !req->is_request || !req->nvias ||
	    code < 100 || code > 699)
		return -EINVAL;
	if (req->method == SX_SIP_METHOD_ACK)
		return 0; /* RFC 3261 17: an ACK is never answered */
	sx_sip__tsx_stateless_tag(layer, req, tag);
	sx_buf_init(&b, SX_SIP_TSX_BUILD_MAX);
	err = sx_sip__tsx_build_reply(req, code, reason,
	                              code > 100 ? sx_sl_cstr(tag) : SX_SL_NULL,
	                              extra, SX_SL_NULL, SX_SL_NULL, &b);
	if (err)
		goto out;
	sx_sip__tsx_resp_dst(req, peer, &dst);
	err = sx_sip__tsx_send(layer, &dst, b.p, b.len);
out:
	sx_buf_fini(&b);
	return err;
}

/* -- accessors -- */

enum sx_sip_tsx_state sx_sip_tsx_state(const struct sx_sip_tsx *tsx)
{
	return tsx ? tsx->state : SX_SIP_TSX_TERMINATED;
}

bool sx_sip_tsx_is_client(const struct sx_sip_tsx *tsx)
{
	return tsx && tsx->client;
}

enum sx_sip_method sx_sip_tsx_method(const struct sx_sip_tsx *tsx)
{
	return tsx ? tsx->method : SX_SIP_METHOD_OTHER;
}

const struct sx_sip_msg *sx_sip_tsx_msg(const struct sx_sip_tsx *tsx)
{
	return tsx ? tsx->req : NULL;
}

const struct sx_sip_peer *sx_sip_tsx_peer(const struct sx_sip_tsx *tsx)
{
	return tsx ? &tsx->peer : NULL;
}

uint16_t sx_sip_tsx_status(const struct sx_sip_tsx *tsx)
{
	return tsx ? tsx->status : 0;
}

void *sx_sip_tsx_arg(const struct sx_sip_tsx *tsx)
{
	return tsx ? tsx->arg : NULL;
}

void sx_sip_tsx_set_arg(struct sx_sip_tsx *tsx, void *arg)
{
	if (tsx)
		tsx->arg = arg;
}

struct sx_sip_tsx_layer *sx_sip_tsx_layer(const struct sx_sip_tsx *tsx)
{
	return tsx ? tsx->layer : NULL;
}

const char *sx_sip_tsx_state_name(enum sx_sip_tsx_state st)
{
	static const char *const names[] = {
	    [SX_SIP_TSX_CALLING] = "Calling",
	    [SX_SIP_TSX_TRYING] = "Trying",
	    [SX_SIP_TSX_PROCEEDING] = "Proceeding",
	    [SX_SIP_TSX_COMPLETED] = "Completed",
	    [SX_SIP_TSX_ACCEPTED] = "Accepted",
	    [SX_SIP_TSX_CONFIRMED] = "Confirmed",
	    [SX_SIP_TSX_TERMINATED] = "Terminated",
	};
	if ((unsigned)st >= SX_ARRAY_SIZE(names))
		return "?";
	return names[st];
}
