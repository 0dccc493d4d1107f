/*
 * Stateful forwarding (RFC 3261 16.6): one client transaction per target;
 * targets arrive sorted by q and are forked group by group, each group in
 * parallel, the next group starting when every branch of the current one
 * ended without a 2xx or 6xx or when its ring time
 * ([proxy] serial_ring_s) ran out; a 3xx adds its Contacts as new
 * targets (16.5 recursion).  Response processing (16.7): provisional
 * responses but 100 relayed, every 2xx relayed at once with the other
 * branches cancelled, 6xx cancelling the rest, otherwise the best final
 * response over all groups once every branch ended (503 becomes 500, a
 * branch that timed out counts as 408).  CANCEL from the caller goes to
 * pending branches (16.10).  Timer C (16.8) is the transaction layer's.
 * Next hops named by host name are looked up (RFC 3263) on a resolver of
 * the worker loop, a 503, timeout or transport error moving the branch
 * to the next destination (4.3).  Call-state events (cse.h) are recorded as
 * requests are forwarded; the 2xx and final failure responses of an initial
 * INVITE wait until their event is durable.
 */
#define SX_LOG_MOD "proxy"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sx/port/tmr.h>
#include <sx/sip/dns.h>
#include <sx/sip/hdrs.h>
#include <sx/sip/print.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "fork.h"
#include "proxy_int.h"

/** One target and its client transaction. */
struct px_branch {
	struct px_fwd *fwd;
	struct sx_sip_tsx *ctsx; /**< reference once started */
	struct px_target t;      /**< slices into mem */
	char *mem;               /**< copy of the URI and Path (sx_mem) */
	uint8_t depth;           /**< redirections that led here */
	bool started;            /**< tried (ctsx set unless it failed) */
	bool cancelled;          /**< we sent CANCEL: no failover */
	uint16_t status;         /**< final status, 0 while pending */
	struct sx_sip_dns_query *query; /**< RFC 3263 lookup running */
	struct sx_sip_dns_targets *dl;  /**< its destinations (4.3) */
};

/** Worker loops that get a resolver of their own. */
#define PX_DNS_LOOPS_MAX 64u

/** The RFC 3263 resolvers of a proxy, one per worker loop. */
struct px_dns {
	size_t n;
	struct {
		struct sx_ev *loop;
		struct sx_sip_dns *dns;
	} s[PX_DNS_LOOPS_MAX];
};

/** Forwarding context of one server transaction (sx_mem object).  It
 *  holds one reference while linked in px->live, one while the serial
 *  timer runs, one per DNS lookup and one while a call-state event is
 *  being stored. */
struct px_fwd {
	struct sx_proxy *px;        /**< not touched once unlinked */
	struct px_fwd *prev, *next; /**< in px->live */
	bool linked;
	struct px_req rq;        /**< copy; msg and peer are stsx's */
	struct sx_ev *loop;      /**< worker loop, may be NULL */
	struct sx_sip_tsx *stsx; /**< reference until the end */
	struct sx_tmr serial;    /**< ring time of the current group */
	uint32_t serial_ms;      /**< that ring time ([proxy] serial_ring_s) */
	bool answered;           /**< a final response went (or waits) up */
	bool stop;               /**< 2xx, 6xx or CANCEL: no new branches */
	bool caller_cancel;      /**< the caller sent CANCEL */
	bool got_2xx;
	bool cse_wait;  /**< a response waits for its event */
	bool ended;     /**< every branch ended: end after the wait */
	bool req_event; /**< REQUEST/END/TRANSFER recorded */
	char *held;     /**< the response that waits */
	size_t held_len;
	uint16_t held_status;
	uint16_t best;  /**< best final so far (16.7) */
	/** reason phrase of our own answer (px_reject), "" = default */
	char reason[PX_REJECT_REASON_MAX];
	char *best_buf; /**< its bytes, our Via popped; NULL when
	                     we make it up */
	size_t best_len;
	size_t n, pending;
	struct px_branch b[SX_PROXY_FORK_MAX];
};

/** Reason of the CANCELs sent when another branch answered (RFC 3326). */
#define PX_REASON_ANSWERED                                                     \
	"Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n"

static px_cse_emit_h *cse_emit = px_cse_emit;

void px_fork_set_cse(px_cse_emit_h *emit)
{
	cse_emit = emit ? emit : px_cse_emit;
}

static void fwd_destroy(void *obj)
{
	struct px_fwd *f = obj;

	sx_tmr_stop(&f->serial);
	for (size_t i = 0; i < f->n; i++) {
		sx_sip_tsx_set_arg(f->b[i].ctsx, NULL);
		sx_mem_unref(f->b[i].ctsx);
		sx_mem_unref(f->b[i].mem);
		sx_mem_unref(f->b[i].dl);
	}
	sx_sip_tsx_hold_request(f->stsx, false);
	sx_mem_unref(f->stsx);
	sx_mem_unref(f->best_buf);
	sx_mem_unref(f->held);
}

static bool initial_invite(const struct px_fwd *f)
{
	return f->rq.msg->method == SX_SIP_METHOD_INVITE &&
	       !f->rq.msg->to_tag.len;
}

/* Print @resp without our Via into a new sx_mem block. */
static int print_up(const struct sx_sip_msg *resp, char **bufp, size_t *lenp)
{
	struct sx_sip_edit e = {.pop_via = true};
	struct sx_buf out;
	int err;

	sx_buf_init(&out, SX_PROXY_MSG_MAX);
	err = sx_sip_msg_print(resp, &e, &out);
	if (!err)
		err = sx_buf_err(&out);
	if (!err)
		*bufp = sx_buf_detach(&out, lenp);
	sx_buf_fini(&out);
	return err;
}

static void send_raw(struct px_fwd *f, const char *buf, size_t len,
                     uint16_t status)
{
	int err = sx_sip_tsx_reply_raw(f->stsx, buf, len);

	if (err && err != -EALREADY)
		SX_LOG_WARN_RL("cannot relay %u: %s", status, strerror(-err));
}

static void relay(struct px_fwd *f, const struct sx_sip_msg *resp)
{
	char *buf = NULL;
	size_t len = 0;
	int err = print_up(resp, &buf, &len);

	if (err)
		SX_LOG_WARN_RL("cannot relay %u: %s", resp->status,
		               strerror(-err));
	else
		send_raw(f, buf, len, resp->status);
	sx_mem_unref(buf);
}

/* 16.7 step 6: 6xx first, else the lowest class; within a class the
 * first one wins, but any real answer beats a timeout (408). */
static bool better(uint16_t st, uint16_t best)
{
	if (!best)
		return true;
	if (best >= 600)
		return false;
	if (st >= 600)
		return true;
	if (st / 100 != best / 100)
		return st / 100 < best / 100;
	return best == 408 && st != 408;
}

static void consider(struct px_fwd *f, uint16_t st,
                     const struct sx_sip_msg *resp)
{
	char *buf = NULL;
	size_t len = 0;

	if (st == 503) { /* 16.7 step 6: a 503 is not forwarded */
		st = 500;
		resp = NULL;
	}
	if (!better(st, f->best))
		return;
	if (resp && print_up(resp, &buf, &len))
		st = 500; /* could not keep it: answer 500 instead */
	sx_mem_unref(f->best_buf);
	f->best = st;
	f->best_buf = buf;
	f->best_len = len;
}

static void dns_abort(struct px_fwd *f, struct px_branch *br);

/* CANCEL every pending branch (16.10); one still resolving its next hop
 * ends here, as a CANCELled one would (408 unless the caller cancelled). */
static void cancel_pending(struct px_fwd *f, const char *extra)
{
	for (size_t i = 0; i < f->n; i++) {
		struct px_branch *br = &f->b[i];
		if (!br->started || br->status)
			continue;
		br->cancelled = true;
		if (br->query) {
			dns_abort(f, br);
			br->status = 487;
			consider(f, f->caller_cancel ? 487 : 408, NULL);
			f->pending--;
		} else if (br->ctsx &&
		           sx_sip_tsx_method(br->ctsx) ==
		               SX_SIP_METHOD_INVITE &&
		           sx_sip_tsx_cancel(br->ctsx, sx_sl_cstr(extra)) ==
		               -ENOMEM) {
			SX_LOG_WARN_RL("cannot cancel a branch: out of memory");
		}
	}
}

/* -- call-state events (cse.h) ------------------------------------------- */

static void fwd_end(struct px_fwd *f);

static void cse_done(int err, void *arg)
{
	struct px_fwd *f = arg;
	char *buf = f->held;

	if (err)
		SX_LOG_WARN_RL("call-state event not stored: %s",
		               strerror(-err));
	f->held = NULL;
	f->cse_wait = false;
	if (buf) {
		send_raw(f, buf, f->held_len, f->held_status);
		sx_mem_unref(buf);
	}
	if (f->ended)
		fwd_end(f);
	sx_mem_unref(f);
}

/*
 * Record @type for response @resp and hold its bytes @buf (taken) until
 * the event is durable.  False when nothing was queued: the caller
 * relays @buf at once and keeps it.
 */
static bool cse_hold(struct px_fwd *f, enum px_cse_type type,
                     const struct sx_sip_msg *resp, char *buf, size_t len)
{
	f->held = buf;
	f->held_len = len;
	f->held_status = resp->status;
	f->cse_wait = true;
	sx_mem_ref(f);
	/* END describes the BYE alone (cse.h): the response only waits */
	if (!cse_emit(f->px, f->loop, type, f->rq.msg,
	              type == PX_CSE_END ? NULL : resp, cse_done, f))
		return true; /* cse_done may even have run already */
	f->held = NULL;
	f->cse_wait = false;
	sx_mem_unref(f);
	return false;
}

/* The same for bytes we hold but have not parsed (a final response). */
static bool cse_hold_raw(struct px_fwd *f, enum px_cse_type type, char *buf,
                         size_t len)
{
	struct sx_sip_msg *m = NULL;
	bool held;

	if (sx_sip_msg_parse(&m, buf, len, NULL, NULL))
		return false;
	held = cse_hold(f, type, m, buf, len);
	sx_sip_msg_free(m);
	return held;
}

/* REQUEST or TRANSFER once the request went out (not waited for); END
 * goes with the BYE's final response (bye_final()). */
static void cse_forwarded(struct px_fwd *f)
{
	const struct sx_sip_msg *m = f->rq.msg;
	enum px_cse_type type;

	if (f->req_event || m->method == SX_SIP_METHOD_BYE)
		return;
	f->req_event = true;
	if (initial_invite(f))
		type = PX_CSE_REQUEST;
	else if (m->method == SX_SIP_METHOD_REFER)
		type = PX_CSE_TRANSFER;
	else
		return;
	int err = cse_emit(f->px, f->loop, type, m, NULL, NULL, NULL);
	if (err && err != -ENOSYS)
		SX_LOG_WARN_RL("call-state event lost: %s", strerror(-err));
}

/* -- answering upstream ---------------------------------------------------- */

static const char *own_reason(const struct px_fwd *f)
{
	return f->reason[0] ? f->reason : NULL;
}

/* A final response of our own for @st with a fresh To tag (sx_mem). */
static int made_up(struct px_fwd *f, uint16_t st, char **bufp, size_t *lenp)
{
	struct sx_sip_tsx_layer *layer = sx_sip_tsx_layer(f->stsx);
	char tag[SX_SIP_BRANCH_SIZE];
	struct sx_buf out;
	int err;

	if (!layer)
		return -ENOTCONN;
	sx_sip_tag_make(layer, tag);
	sx_buf_init(&out, SX_PROXY_MSG_MAX);
	err = sx_sip_reply_print(f->rq.msg, st, own_reason(f), sx_sl_cstr(tag),
	                         SX_SL_NULL, &out);
	if (!err)
		err = sx_buf_err(&out);
	if (!err)
		*bufp = sx_buf_detach(&out, lenp);
	sx_buf_fini(&out);
	return err;
}

/* The end of a call is recorded before the BYE's final response goes
 * back: once the caller (or callee) knows the call ended, its CDR
 * survives kill -9.  True when @buf (taken) is held for the event. */
static bool bye_final(struct px_fwd *f, char *buf, size_t len)
{
	if (f->rq.msg->method != SX_SIP_METHOD_BYE || f->req_event)
		return false;
	f->req_event = true;
	return cse_hold_raw(f, PX_CSE_END, buf, len);
}

static void send_best(struct px_fwd *f)
{
	uint16_t st = f->best ? f->best : 500;
	char *buf = f->best_buf;
	size_t len = f->best_len;

	if (f->answered)
		return;
	f->answered = true;
	f->best_buf = NULL;
	bool event = initial_invite(f) && f->req_event; /* a call went out */
	bool bye = f->rq.msg->method == SX_SIP_METHOD_BYE && !f->req_event;

	if (!buf && (!(event || bye) || made_up(f, st, &buf, &len))) {
		px_reply(f->stsx, st, own_reason(f), SX_SL_NULL);
		return;
	}
	/* a failed call is recorded before the caller learns of it */
	if (event && cse_hold_raw(f, PX_CSE_FAILURE, buf, len))
		return;
	if (bye && bye_final(f, buf, len))
		return;
	send_raw(f, buf, len, st);
	sx_mem_unref(buf);
}

/* Every 2xx goes up at once (16.7 step 5), but the first one to an
 * initial INVITE waits for its SETUP event; 2xx arriving meanwhile are
 * dropped: the UAS retransmits them until it gets an ACK (13.3.1.4). */
static void relay_2xx(struct px_fwd *f, const struct sx_sip_msg *resp)
{
	char *buf = NULL;
	size_t len = 0;

	if (f->cse_wait)
		return;
	f->answered = true;
	f->stop = true;
	if (!f->got_2xx && initial_invite(f)) {
		f->got_2xx = true;
		if (!print_up(resp, &buf, &len) &&
		    cse_hold(f, PX_CSE_SETUP, resp, buf, len))
			return;
		if (buf)
			send_raw(f, buf, len, resp->status);
		else
			relay(f, resp);
		sx_mem_unref(buf);
		return;
	}
	f->got_2xx = true;
	if (f->rq.msg->method == SX_SIP_METHOD_BYE && !f->req_event &&
	    !print_up(resp, &buf, &len)) {
		if (bye_final(f, buf, len))
			return;
		send_raw(f, buf, len, resp->status);
		sx_mem_unref(buf);
		return;
	}
	relay(f, resp);
}

/* -- the context's life ---------------------------------------------------- */

static void fwd_link(struct px_fwd *f)
{
	struct sx_proxy *px = f->px;

	pthread_mutex_lock(&px->lock);
	f->next = px->live;
	if (px->live)
		px->live->prev = f;
	px->live = f;
	f->linked = true;
	pthread_mutex_unlock(&px->lock);
}

static void fwd_unlink(struct px_fwd *f)
{
	struct sx_proxy *px = f->px;

	pthread_mutex_lock(&px->lock);
	if (f->prev)
		f->prev->next = f->next;
	else
		px->live = f->next;
	if (f->next)
		f->next->prev = f->prev;
	f->prev = f->next = NULL;
	f->linked = false;
	pthread_mutex_unlock(&px->lock);
}

static void serial_stop(struct px_fwd *f)
{
	if (!sx_tmr_isrunning(&f->serial))
		return;
	sx_tmr_stop(&f->serial);
	sx_mem_unref(f);
}

/* Detach from the transactions and drop the live reference (once). */
static void fwd_end(struct px_fwd *f)
{
	if (!f->linked)
		return;
	fwd_unlink(f);
	serial_stop(f);
	sx_sip_tsx_set_arg(f->stsx, NULL);
	for (size_t i = 0; i < f->n; i++) { /* late 2xx go on statelessly */
		sx_sip_tsx_set_arg(f->b[i].ctsx, NULL);
		if (f->b[i].query)
			dns_abort(f, &f->b[i]);
	}
	sx_mem_unref(f);
}

void px_fwd_drop_all(struct sx_proxy *px)
{
	while (px->live)
		fwd_end(px->live);
	if (!px->dns)
		return;
	for (size_t i = 0; i < px->dns->n; i++)
		sx_sip_dns_free(px->dns->s[i].dns);
	px->dns = sx_mem_unref(px->dns);
}

/* Every branch ended: answer upstream and end (after a held event). */
static void finish(struct px_fwd *f)
{
	serial_stop(f);
	send_best(f);
	if (f->cse_wait)
		f->ended = true;
	else
		fwd_end(f);
}

static void on_response(struct sx_sip_tsx *ctsx, uint16_t status,
                        const struct sx_sip_msg *resp, void *arg);

/* Send @br's request to @dst in a new client transaction; 0 or a
 * status to note. */
static uint16_t send_branch(struct px_fwd *f, struct px_branch *br,
                            const struct sx_sip_peer *dst)
{
	struct sx_sip_tsx_layer *layer = sx_sip_tsx_layer(f->stsx);
	char branch[SX_SIP_BRANCH_SIZE];
	struct sx_sip_tsx_req_prm prm = {
	    .dst = *dst, .resp_h = on_response, .arg = br};
	struct sx_buf out;
	int err;

	if (!layer)
		return 500;
	sx_sip_branch_make(layer, branch);
	sx_buf_init(&out, SX_PROXY_MSG_MAX);
	err = px_print_fwd(&f->rq, &br->t, prm.dst.proto, branch, &out);
	if (!err) {
		prm.buf = out.p;
		prm.len = out.len;
		prm.timer_c = f->rq.msg->method == SX_SIP_METHOD_INVITE;
		err = sx_sip_tsx_request(&br->ctsx, layer, &prm);
	}
	sx_buf_fini(&out);
	if (err)
		return err == -ENOMEM ? 500 : 503;
	cse_forwarded(f);
	return 0;
}

/* -- next hops by DNS (RFC 3263) ------------------------------------------- */

/* The resolver of the context's worker loop, made on first use. */
static struct sx_sip_dns *dns_for(struct px_fwd *f)
{
	struct sx_proxy *px = f->px;
	struct sx_sip_dns *dns = NULL;

	if (!f->loop)
		return NULL;
	pthread_mutex_lock(&px->lock);
	if (!px->dns)
		px->dns = sx_mem_zalloc(sizeof(*px->dns), NULL);
	for (size_t i = 0; px->dns && i < px->dns->n; i++)
		if (px->dns->s[i].loop == f->loop)
			dns = px->dns->s[i].dns;
	if (!dns && px->dns && px->dns->n < PX_DNS_LOOPS_MAX) {
		struct sx_sip_dns_prm prm = {.servers = px->dns_servers};
		if (!sx_sip_dns_alloc(&dns, f->loop, &prm)) {
			px->dns->s[px->dns->n].loop = f->loop;
			px->dns->s[px->dns->n++].dns = dns;
		} else {
			dns = NULL;
		}
	}
	pthread_mutex_unlock(&px->lock);
	return dns;
}

/* The URI whose host is the next hop (as px_target_hop() picks it): the
 * first Path, else the next Route, else the target. */
static int hop_uri(const struct px_req *rq, const struct px_target *t,
                   struct sx_sip_uri *u)
{
	const struct sx_sip_msg *msg = rq->msg;
	size_t routes =
	    msg->nroutes - (rq->pop_route ? 1 : 0) - (rq->strict_rm ? 1 : 0);

	if (t->path.len) {
		struct sx_sl rest = t->path, elem;
		struct sx_sip_addr a;
		if (sx_sip_list_next(&rest, &elem) != 1 ||
		    sx_sip_addr_parse(&a, elem))
			return -EINVAL;
		*u = a.uri;
		return 0;
	}
	if (routes) {
		*u = msg->routes[rq->pop_route ? 1 : 0].addr.uri;
		return 0;
	}
	if (t->uri.len)
		return sx_sip_uri_parse(u, t->uri);
	*u = *px_request_uri(rq);
	return 0;
}

static void dns_abort(struct px_fwd *f, struct px_branch *br)
{
	sx_sip_dns_cancel(br->query);
	br->query = NULL;
	sx_mem_unref(f); /* the lookup's reference; never the last one */
}

/* Send to the next destination of the lookup (4.3); 0 or a status. */
static uint16_t try_next(struct px_fwd *f, struct px_branch *br)
{
	struct sx_sip_peer dst;
	uint16_t st = 503;

	while (sx_sip_dns_targets_next(br->dl, &dst) == 0) {
		dst.local = f->rq.peer->local;
		st = send_branch(f, br, &dst);
		if (st != 503)
			break;
	}
	return st;
}

static void branch_end(struct px_fwd *f, struct px_branch *br, uint16_t st);
static void on_failure(struct px_fwd *f, struct px_branch *br, uint16_t st,
                       const struct sx_sip_msg *resp);

static void on_resolved(int err, struct sx_sip_dns_targets *list, void *arg)
{
	struct px_branch *br = arg;
	struct px_fwd *f = br->fwd; /* the lookup's reference is ours */
	uint16_t st = 503;

	br->query = NULL;
	br->dl = list;
	if (err)
		SX_LOG_DBG("next hop not found: %s", strerror(-err));
	else
		st = try_next(f, br);
	if (st) {
		on_failure(f, br, st, NULL);
		branch_end(f, br, st);
	}
	sx_mem_unref(f);
}

/* Look the next hop of @br up; 0 (pending) or a status. */
static uint16_t resolve(struct px_fwd *f, struct px_branch *br)
{
	struct sx_sip_dns *dns = dns_for(f);
	struct sx_sip_uri u;
	int err;

	if (!dns || hop_uri(&f->rq, &br->t, &u))
		return dns ? 503 : 500;
	err = sx_sip_resolve(dns, &u, SX_SIP_PROTO_NONE, on_resolved, br,
	                     &br->query);
	if (err)
		return err == -ENOMEM ? 500 : 503;
	sx_mem_ref(f);
	return 0;
}

/*
 * RFC 3263 4.3: a transport error, a timeout or a 503 from one
 * destination sends the request to the next one in a new transaction
 * (not after our own CANCEL).  True when it went out.
 */
static bool failover(struct px_fwd *f, struct px_branch *br, uint16_t st,
                     const struct sx_sip_msg *resp)
{
	if (!br->dl || br->cancelled || f->stop ||
	    !(st == 503 || (st == 408 && !resp)))
		return false;
	sx_sip_tsx_set_arg(br->ctsx, NULL);
	br->ctsx = sx_mem_unref(br->ctsx);
	return try_next(f, br) == 0;
}

/* -- branches -------------------------------------------------------------- */

static void start_branch(struct px_fwd *f, struct px_branch *br)
{
	struct sx_sip_peer dst;
	int err = px_target_hop(&f->rq, &br->t, &dst);
	uint16_t st;

	br->started = true;
	if (err == -EAGAIN)
		st = resolve(f, br);
	else
		st = err ? 503 : send_branch(f, br, &dst);
	if (st) {
		br->status = st;
		consider(f, st, NULL);
		return;
	}
	f->pending++;
}

/* Copy @s into @mem at *@at. */
static struct sx_sl copy_sl(char *mem, size_t *at, struct sx_sl s)
{
	struct sx_sl c = sx_sl_make(mem + *at, s.len);

	if (s.len)
		memcpy(mem + *at, s.p, s.len);
	*at += s.len;
	return c;
}

/* Add a copy of target @src; -ENOSPC past SX_PROXY_FORK_MAX. */
static int target_add(struct px_fwd *f, const struct px_target *src,
                      uint8_t depth)
{
	struct px_branch *br;
	size_t at = 0;
	char *mem;

	if (f->n >= SX_PROXY_FORK_MAX)
		return -ENOSPC;
	mem = sx_mem_alloc(src->uri.len + src->path.len + src->received.len +
	                       src->transport.len + 1,
	                   NULL);
	if (!mem)
		return -ENOMEM;
	br = &f->b[f->n++];
	*br =
	    (struct px_branch){.fwd = f, .t = *src, .mem = mem, .depth = depth};
	br->t.uri = copy_sl(mem, &at, src->uri);
	br->t.path = copy_sl(mem, &at, src->path);
	br->t.received = copy_sl(mem, &at, src->received);
	br->t.transport = copy_sl(mem, &at, src->transport);
	return 0;
}

static struct px_branch *next_unstarted(struct px_fwd *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (!f->b[i].started)
			return &f->b[i];
	return NULL;
}

static void on_serial_timeout(void *arg);

/* The group's ring time, when a lower group follows. */
static void serial_arm(struct px_fwd *f)
{
	bool running = sx_tmr_isrunning(&f->serial);

	if (!f->loop || !next_unstarted(f))
		return;
	if (sx_tmr_start(f->loop, &f->serial, f->serial_ms, on_serial_timeout,
	                 f)) {
		SX_LOG_WARN_RL("no ring timer: the group rings until it ends");
		return;
	}
	if (!running)
		sx_mem_ref(f);
}

/* Start the next q group in parallel (16.6 serial forking by q); a
 * group none of whose branches could start gives way to the next. */
static void start_group(struct px_fwd *f)
{
	struct px_branch *first;

	while (!f->stop && (first = next_unstarted(f))) {
		uint16_t q = first->t.q;
		for (struct px_branch *br = first; br < f->b + f->n; br++)
			if (!br->started && br->t.q == q)
				start_branch(f, br);
		if (f->pending) {
			serial_arm(f);
			return;
		}
	}
}

/* The ring time ran out: CANCEL the group (its 487s count as 408) and
 * go on with the next one. */
static void on_serial_timeout(void *arg)
{
	struct px_fwd *f = arg; /* the timer's reference is ours now */

	cancel_pending(f, "");
	start_group(f);
	if (!f->pending)
		finish(f);
	sx_mem_unref(f);
}

/* Is @uri already a target? */
static bool target_known(const struct px_fwd *f, const struct sx_sip_uri *uri)
{
	struct sx_sip_uri u;

	for (size_t i = 0; i < f->n; i++) {
		if (!f->b[i].t.uri.len) {
			if (sx_sip_uri_eq(&f->rq.msg->ruri, uri))
				return true;
		} else if (!sx_sip_uri_parse(&u, f->b[i].t.uri) &&
		           sx_sip_uri_eq(&u, uri)) {
			return true;
		}
	}
	return false;
}

/*
 * 16.5/16.7 step 4: the sip/sips Contacts of 3xx @resp to @br become new
 * targets, started at once in the current group (bounded in depth and
 * count, no duplicates, and only those the caller's permissions allow,
 * as for registered contacts).  Returns how many were started.
 */
/* authrules.xml/permission.xml allow the caller to reach @u. */
static bool permitted(struct px_fwd *f, const struct sx_sip_uri *u)
{
	char reason[PX_REJECT_REASON_MAX];

	return !px_permission_check(&f->rq, u, reason, sizeof(reason));
}

static size_t recurse(struct px_fwd *f, struct px_branch *br,
                      const struct sx_sip_msg *resp)
{
	struct sx_sip_msg_iter it;
	struct sx_sip_contact c;
	uint8_t depth = br->depth + 1;
	size_t added = 0;
	int rc;

	if (br->depth >= SX_PROXY_RECURSE_DEPTH_MAX)
		return 0;
	sx_sip_msg_contact_iter_init(&it, resp);
	for (unsigned i = 0; i < SX_PROXY_RECURSE_CONTACTS_MAX &&
	                     (rc = sx_sip_msg_contact_next(&it, &c)) != 0;
	     i++) {
		const struct sx_sip_uri *u = &c.addr.uri;
		if (rc < 0 || c.wildcard ||
		    (u->scheme != SX_SIP_URI_SIP &&
		     u->scheme != SX_SIP_URI_SIPS) ||
		    target_known(f, u) || !permitted(f, u))
			continue;
		struct px_target t = {.uri = u->raw, .q = br->t.q};
		if (target_add(f, &t, depth))
			break;
		start_branch(f, &f->b[f->n - 1]);
		added++;
	}
	return added;
}

/* A final non-2xx response (or one made up by the layer) of @br. */
static void on_failure(struct px_fwd *f, struct px_branch *br, uint16_t st,
                       const struct sx_sip_msg *resp)
{
	if (st == 487 && !f->caller_cancel) { /* our CANCEL: Timer C, ring
		                                 time or another answer */
		consider(f, 408, NULL);
		return;
	}
	/* a 3xx we recursed on is not a response to the caller */
	if (st < 400 && resp && !f->stop && recurse(f, br, resp))
		return;
	consider(f, st, resp);
	if (st >= 600) {
		f->stop = true;
		serial_stop(f);
		cancel_pending(f, "");
	}
}

/* @br ended with @st: the last branch of a group starts the next one
 * or answers upstream. */
static void branch_end(struct px_fwd *f, struct px_branch *br, uint16_t st)
{
	if (br->status)
		return;
	br->status = st;
	if (--f->pending)
		return;
	start_group(f);
	if (!f->pending)
		finish(f);
}

static void on_response(struct sx_sip_tsx *ctsx, uint16_t status,
                        const struct sx_sip_msg *resp, void *arg)
{
	struct px_branch *br = arg;
	struct px_fwd *f;

	if (!br) { /* context gone: late 2xx go on statelessly (16.7) */
		if (resp && status < 300)
			px_forward_response(sx_sip_tsx_layer(ctsx), resp);
		return;
	}
	f = br->fwd;
	if (status < 200) {
		if (status != 100 && resp && !f->answered)
			relay(f, resp);
		return;
	}
	if (status < 300 && resp) {
		relay_2xx(f, resp); /* every 2xx, retransmissions too */
		serial_stop(f);
		cancel_pending(f, PX_REASON_ANSWERED);
	} else if (!br->status) {
		if (failover(f, br, status, resp))
			return;
		on_failure(f, br, status, resp);
	}
	branch_end(f, br, status);
}

void px_fork(struct px_req *rq, const struct px_target *t, size_t n)
{
	struct px_fwd *f = sx_mem_zalloc(sizeof(*f), fwd_destroy);

	if (!f) {
		px_reply(rq->stsx, 500, NULL, SX_SL_NULL);
		return;
	}
	f->px = rq->px;
	f->rq = *rq;
	f->loop = rq->loop;
	f->stsx = sx_mem_ref(rq->stsx);
	f->serial_ms = rq->px->serial_ms;
	/* f->rq.msg is the transaction's request: keep it while f lives */
	sx_sip_tsx_hold_request(f->stsx, true);
	sx_tmr_init(&f->serial);
	for (size_t i = 0; i < n && i < SX_PROXY_FORK_MAX; i++)
		if (target_add(f, &t[i], 0)) {
			px_reply(rq->stsx, 500, NULL, SX_SL_NULL);
			sx_mem_unref(f);
			return;
		}
	sx_sip_tsx_set_arg(rq->stsx, f);
	fwd_link(f);
	start_group(f);
	if (!f->pending)
		finish(f);
}

void px_reject(struct px_req *rq, uint16_t st, const char *reason)
{
	const struct sx_sip_msg *m = rq->msg;
	struct px_fwd *f = NULL;

	if (m->method == SX_SIP_METHOD_INVITE && !m->to_tag.len &&
	    rq->px->store)
		f = sx_mem_zalloc(sizeof(*f), fwd_destroy);
	if (!f) {
		px_reply(rq->stsx, st, reason, SX_SL_NULL);
		return;
	}
	f->px = rq->px;
	f->rq = *rq;
	f->loop = rq->loop;
	f->stsx = sx_mem_ref(rq->stsx);
	f->serial_ms = rq->px->serial_ms;
	/* f->rq.msg is the transaction's request: keep it while f lives */
	sx_sip_tsx_hold_request(f->stsx, true);
	sx_tmr_init(&f->serial);
	f->best = st;
	snprintf(f->reason, sizeof(f->reason), "%s", reason ? reason : "");
	sx_sip_tsx_set_arg(rq->stsx, f);
	fwd_link(f);
	cse_forwarded(f); /* REQUEST; FAILURE goes with the answer */
	finish(f);
}

void sx_proxy_cancel(struct sx_sip_tsx *invite, const struct sx_sip_msg *cancel)
{
	struct px_fwd *f = sx_sip_tsx_arg(invite);

	(void)cancel;
	if (!f) {
		px_reply(invite, 487, NULL, SX_SL_NULL);
		return;
	}
	f->stop = true;
	f->caller_cancel = true;
	serial_stop(f);
	cancel_pending(f, "");
	if (!f->pending) /* only lookups were pending */
		finish(f);
}
