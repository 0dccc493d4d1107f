/*
 * Stateful forwarding (RFC 3261 16.6): one client transaction per target,
 * parallel forking; response processing (16.7): provisional responses
 * but 100 relayed, every 2xx relayed at once with the other branches
 * cancelled, 6xx cancelling the rest, otherwise the best final response
 * once all branches ended (408 when they timed out); CANCEL from the
 * caller propagated to pending branches (16.10).
 */
#define SX_LOG_MOD "proxy"

#include <errno.h>
#include <string.h>

#include <sx/sip/print.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "proxy_int.h"

struct px_branch {
	struct px_fwd *fwd;
	struct sx_sip_tsx *ctsx; /**< reference while live */
	uint16_t status;	 /**< final status, 0 while pending */
};

/** Forwarding context of one server transaction (sx_mem object). */
struct px_fwd {
	struct sx_proxy *px;
	struct px_fwd *prev, *next; /**< in px->live */
	struct sx_sip_tsx *stsx; /**< reference until the end */
	bool answered;		 /**< a final response went upstream */
	uint16_t best;		 /**< best final so far (16.7) */
	char *best_buf;		 /**< its bytes, our Via popped; NULL when
				      the layer made it up */
	size_t best_len;
	size_t n, pending;
	struct px_branch b[SX_PROXY_FORK_MAX];
};

/** Reason of the CANCELs sent when another branch answered (RFC 3326). */
#define PX_REASON_ANSWERED                                                     \
	"Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n"

static void fwd_destroy(void *obj)
{
	struct px_fwd *f = obj;

	for (size_t i = 0; i < f->n; i++) {
		sx_sip_tsx_set_arg(f->b[i].ctsx, NULL);
		sx_mem_unref(f->b[i].ctsx);
	}
	sx_mem_unref(f->stsx);
	sx_mem_unref(f->best_buf);
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

static void relay(struct px_fwd *f, const struct sx_sip_msg *resp)
{
	char *buf = NULL;
	size_t len = 0;
	int err = print_up(resp, &buf, &len);

	if (!err)
		err = sx_sip_tsx_reply_raw(f->stsx, buf, len);
	if (err && err != -EALREADY)
		SX_LOG_WARN_RL("cannot relay %u: %s", resp->status,
			       strerror(-err));
	sx_mem_unref(buf);
}

static void cancel_pending(struct px_fwd *f, const char *extra)
{
	for (size_t i = 0; i < f->n; i++)
		if (!f->b[i].status &&
		    sx_sip_tsx_method(f->b[i].ctsx) == SX_SIP_METHOD_INVITE &&
		    sx_sip_tsx_cancel(f->b[i].ctsx, sx_sl_cstr(extra)) ==
			-ENOMEM)
			SX_LOG_WARN_RL("cannot cancel a branch: out of memory");
}

/* 16.7 step 6: 6xx first, else the lowest class; first one wins ties. */
static bool better(uint16_t st, uint16_t best)
{
	if (!best)
		return true;
	if (best >= 600)
		return false;
	return st >= 600 || st / 100 < best / 100;
}

static void consider(struct px_fwd *f, uint16_t st,
		     const struct sx_sip_msg *resp)
{
	char *buf = NULL;
	size_t len = 0;

	if (!better(st, f->best))
		return;
	if (resp && print_up(resp, &buf, &len))
		st = 500; /* could not keep it: answer 500 instead */
	sx_mem_unref(f->best_buf);
	f->best = st;
	f->best_buf = buf;
	f->best_len = len;
}

static void send_best(struct px_fwd *f)
{
	int err = 0;

	if (f->answered)
		return;
	f->answered = true;
	if (f->best_buf)
		err = sx_sip_tsx_reply_raw(f->stsx, f->best_buf, f->best_len);
	else
		px_reply(f->stsx, f->best ? f->best : 500, NULL, SX_SL_NULL);
	if (err)
		SX_LOG_WARN_RL("cannot send %u: %s", f->best, strerror(-err));
}

static void fwd_link(struct px_fwd *f)
{
	struct sx_proxy *px = f->px;

	pthread_mutex_lock(&px->lock);
	f->next = px->live;
	if (px->live)
		px->live->prev = f;
	px->live = f;
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
	pthread_mutex_unlock(&px->lock);
}

/* Detach from the server transaction and free the context. */
static void fwd_end(struct px_fwd *f)
{
	fwd_unlink(f);
	sx_sip_tsx_set_arg(f->stsx, NULL);
	sx_mem_unref(f);
}

void px_fwd_drop_all(struct sx_proxy *px)
{
	while (px->live)
		fwd_end(px->live);
}

/* A branch ended: the last one answers upstream and frees the context. */
static void branch_done(struct px_fwd *f)
{
	if (--f->pending)
		return;
	send_best(f);
	fwd_end(f);
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
		relay(f, resp); /* every 2xx, retransmissions too */
		f->answered = true;
		cancel_pending(f, PX_REASON_ANSWERED);
	} else if (!br->status) {
		consider(f, status, resp);
		if (status >= 600)
			cancel_pending(f, "");
	}
	if (br->status)
		return;
	br->status = status;
	branch_done(f);
}

/* Start the client transaction of target @t; 0 or a status to note. */
static uint16_t start_branch(struct px_fwd *f, const struct px_req *rq,
			     const struct px_target *t)
{
	struct sx_sip_tsx_layer *layer = sx_sip_tsx_layer(rq->stsx);
	struct px_branch *br = &f->b[f->n];
	char branch[SX_SIP_BRANCH_SIZE];
	struct sx_sip_tsx_req_prm prm = {.resp_h = on_response, .arg = br};
	struct sx_buf out;
	int err;

	if (!layer)
		return 500;
	if (px_target_hop(rq, t, &prm.dst))
		return 503; /* names needing DNS: not in this increment */
	sx_sip_branch_make(layer, branch);
	sx_buf_init(&out, SX_PROXY_MSG_MAX);
	err = px_print_fwd(rq, t, prm.dst.proto, branch, &out);
	if (!err) {
		prm.buf = out.p;
		prm.len = out.len;
		prm.timer_c = rq->msg->method == SX_SIP_METHOD_INVITE;
		err = sx_sip_tsx_request(&br->ctsx, layer, &prm);
	}
	sx_buf_fini(&out);
	if (err)
		return err == -ENOMEM ? 500 : 503;
	br->fwd = f;
	f->n++;
	f->pending++;
	return 0;
}

void px_fork(struct px_req *rq, const struct px_target *t, size_t n)
{
	struct px_fwd *f = sx_mem_zalloc(sizeof(*f), fwd_destroy);

	if (!f) {
		px_reply(rq->stsx, 500, NULL, SX_SL_NULL);
		return;
	}
	f->px = rq->px;
	f->stsx = sx_mem_ref(rq->stsx);
	/* the highest q group in parallel */
	for (size_t i = 0; i < n && i < SX_PROXY_FORK_MAX && t[i].q == t[0].q;
	     i++) {
		uint16_t st = start_branch(f, rq, &t[i]);
		if (st)
			consider(f, st, NULL);
	}
	if (!f->pending) {
		send_best(f);
		sx_mem_unref(f);
		return;
	}
	sx_sip_tsx_set_arg(rq->stsx, f);
	fwd_link(f);
}

void sx_proxy_cancel(struct sx_sip_tsx *invite, const struct sx_sip_msg *cancel)
{
	struct px_fwd *f = sx_sip_tsx_arg(invite);

	(void)cancel;
	if (!f) {
		px_reply(invite, 487, NULL, SX_SL_NULL);
		return;
	}
	cancel_pending(f, "");
}
