/*
 * REGISTER processing, RFC 3261 10.3 steps 1-8, with Path (RFC 3327 5.3)
 * and RFC 5626 instance/reg-id keyed bindings.  Validation and digest
 * authentication come first; then, under the AOR's shard lock, every
 * contact is checked (Call-ID/CSeq ordering, max bindings) before any
 * is applied, so the update is all or nothing (10.3 step 7).  The
 * changes are written to the store and the 200 OK, listing all current
 * bindings, is sent from the store's completion: an acknowledged
 * registration survives kill -9 (ARCHITECTURE.md 3).
 */
#define SX_LOG_MOD "registrar.reg"

#include <errno.h>
#include <string.h>

#include <sx/sip/auth.h>
#include <sx/sip/hdrs.h>
#include <sx/sip/print.h>
#include <sx/store/binding.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "registrar_int.h"

/** One Contact of the request and what to do with it. */
struct reg_contact {
	struct sx_sip_contact c;
	uint32_t expires;	  /**< granted; 0 removes */
	bool dup;		  /**< a later Contact names the same URI */
	struct loc_binding *old;  /**< binding it refreshes or replaces */
	struct loc_binding *nb;	  /**< new binding (expires > 0) */
};

/** The parsed REGISTER. */
struct reg_req {
	struct reg_settings set;
	struct sx_sip_auth *auth; /**< referenced, with set.authenticate */
	int64_t now;
	char aor[SX_REG_AOR_MAX + 1];
	struct sx_sl key;
	struct reg_contact rc[SX_REG_CONTACTS_MAX];
	size_t n;
	bool wildcard;
	bool path_ok; /**< Supported: path (RFC 3327 5.3) */
	char path[SX_STORE_BPATH_MAX];
	size_t path_len;
	char received[SX_SA_STRLEN];
	char transport[SX_STORE_TRANSPORT_MAX];
};

/** A REGISTER waiting for its store writes. */
struct reg_pending {
	struct sx_sip_tsx *stsx; /**< referenced */
	struct sx_buf extra;	 /**< Contact, Path, Date lines of the 200 */
	unsigned outstanding;
	int err;
};

static void reply(struct sx_sip_tsx *stsx, uint16_t code, const char *reason,
		  struct sx_sl extra)
{
	int err = sx_sip_tsx_reply(stsx, code, reason, extra, SX_SL_NULL,
				   SX_SL_NULL);
	if (err)
		SX_LOG_WARN_RL("REGISTER reply %u failed: %s", code,
			       strerror(-err));
}

/* A challenge is answered without transaction state (RFC 3261 8.2.7, as
 * Kamailio's sl_send_reply): a retransmitted REGISTER just gets a fresh
 * challenge, and no transaction lingers 32 s per registration attempt. */
static void reply_challenge(struct sx_sip_tsx *stsx, struct sx_sl extra)
{
	int err = sx_sip_tsx_reply_once(stsx, 401, NULL, extra);
	if (err)
		SX_LOG_WARN_RL("REGISTER reply 401 failed: %s", strerror(-err));
}

/* -- validation (steps 1, 2, 5, 6 and the expiry rules of 7) -------------- */

/* Step 1: the Request-URI names a domain we serve, or us by address. */
static bool ruri_ours(const struct reg_req *r, const struct sx_sip_msg *msg,
		      const struct sx_sip_peer *peer)
{
	char local[SX_SA_STRLEN];
	struct sx_sl host = msg->ruri.host;

	if (sx_reg__is_ours(&r->set, host))
		return true;
	ssize_t n = sx_sa_print_addr(&peer->local, local, sizeof(local));
	if (n <= 0)
		return false;
	if (host.len > 2 && host.p[0] == '[')
		host = sx_sl_sub(host, 1, host.len - 2);
	return sx_sl_eq_nocase(host, sx_sl_make(local, (size_t)n));
}

/* Step 2: option tags we do not support get 420 (RFC 3261 8.2.2.3). */
static int require_check(const struct sx_sip_msg *msg, struct sx_buf *unsup)
{
	struct sx_sip_msg_iter it;
	struct sx_sl elem;
	sx_sip_msg_iter_init(&it, msg, SX_SIP_HDR_REQUIRE);
	while (sx_sip_msg_iter_next(&it, &elem, NULL) > 0) {
		struct sx_sl tok = elem;
		ssize_t semi = sx_sl_chr(elem, ';');
		if (semi >= 0)
			tok = sx_sl_trim(sx_sl_sub(elem, 0, (size_t)semi));
		if (sx_sl_eq_cstr_nocase(tok, "path"))
			continue;
		sx_buf_printf(unsup, "Unsupported: %.*s\r\n", SX_SL_FMT(tok));
	}
	return unsup->len ? -ENOTSUP : 0;
}

/* Path values of all Path fields, comma joined (RFC 3327 5.3). */
static int path_collect(struct reg_req *r, const struct sx_sip_msg *msg)
{
	const struct sx_sip_hdr *h = NULL;
	r->path_len = 0;
	while ((h = sx_sip_msg_hdr_next(msg, h, SX_SIP_HDR_PATH))) {
		size_t need = h->value.len + (r->path_len ? 2 : 0);
		if (r->path_len + need >= sizeof(r->path))
			return -E2BIG;
		if (r->path_len) {
			memcpy(r->path + r->path_len, ", ", 2);
			r->path_len += 2;
		}
		memcpy(r->path + r->path_len, h->value.p, h->value.len);
		r->path_len += h->value.len;
	}
	return 0;
}

/* Contacts, '*' rules (step 6) and expiry per contact (step 7). */
static uint16_t contacts_parse(struct reg_req *r, const struct sx_sip_msg *msg,
			       const char **reasonp)
{
	struct sx_sip_msg_iter it;
	struct sx_sip_contact c;
	uint32_t hdr_exp = 0;
	int rc, has_hdr;

	has_hdr = sx_sip_msg_expires(msg, &hdr_exp);
	if (has_hdr && has_hdr != -ENOENT) {
		*reasonp = "Bad Expires";
		return 400;
	}
	sx_sip_msg_contact_iter_init(&it, msg);
	while ((rc = sx_sip_msg_contact_next(&it, &c)) > 0) {
		if (r->n == SX_REG_CONTACTS_MAX) {
			*reasonp = "Too Many Contacts";
			return 400;
		}
		r->wildcard |= c.wildcard;
		r->rc[r->n++] = (struct reg_contact){.c = c};
	}
	if (rc < 0) {
		*reasonp = "Bad Contact";
		return 400;
	}
	if (r->wildcard) {
		/* RFC 3261 10.3 step 6: '*' alone and with Expires: 0 */
		if (r->n != 1 || has_hdr || hdr_exp != 0) {
			*reasonp = "Bad Wildcard Contact";
			return 400;
		}
		return 0;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct reg_contact *x = &r->rc[i];
		uint32_t e = x->c.has_expires ? x->c.expires
			     : has_hdr == 0	  ? hdr_exp
						  : r->set.default_expires;
		/* RFC 3261 10.3 step 7: 423 below our minimum, clamp above */
		if (e && e < r->set.min_expires) {
			*reasonp = NULL;
			return 423;
		}
		x->expires = SX_MIN(e, r->set.max_expires);
	}
	return 0;
}

static uint16_t validate(struct reg_req *r, const struct sx_sip_msg *msg,
			 const struct sx_sip_peer *peer, struct sx_buf *extra,
			 const char **reasonp)
{
	*reasonp = NULL;
	if (msg->ruri.scheme != SX_SIP_URI_SIP &&
	    msg->ruri.scheme != SX_SIP_URI_SIPS)
		return 416;
	if (!ruri_ours(r, msg, peer)) {
		/* step 1: not a proxy, so we refuse a foreign domain */
		*reasonp = "Not Our Domain";
		return 403;
	}
	if (require_check(msg, extra))
		return 420;
	/* step 5 (RFC 4475 3.3.4): the AOR must be a SIP or SIPS URI */
	ssize_t n = sx_registrar_aor(&msg->to.uri, r->aor, sizeof(r->aor));
	if (n < 0) {
		*reasonp = "Bad To URI";
		return 400;
	}
	r->key = sx_sl_make(r->aor, (size_t)n);
	if (!sx_reg__is_ours(&r->set, msg->to.uri.host))
		return 404; /* step 3: AOR not valid for this domain */
	r->path_ok = sx_sip_msg_has_token(msg, SX_SIP_HDR_SUPPORTED,
					  SX_SL("path")) > 0;
	if (r->path_ok && path_collect(r, msg)) {
		*reasonp = "Path Too Long";
		return 400;
	}
	uint16_t code = contacts_parse(r, msg, reasonp);
	if (code == 423)
		sx_buf_printf(extra, "Min-Expires: %u\r\n", r->set.min_expires);
	return code;
}

/* -- authentication (steps 3 and 4) ----------------------------------------- */

/* 0: go on; else the reply was sent.  The engine orders the challenges
 * (MD5 first with [registrar] md5_first, RFC 8760 2.4). */
static int authenticate(struct reg_req *r, struct sx_sip_tsx *stsx,
			const struct sx_sip_msg *msg,
			const struct sx_sip_peer *peer)
{
	struct sx_sip_auth_res res;
	struct sx_buf extra;
	char user[SX_SIP_AUTH_MAX_USER_LEN + 1];
	int err;

	if (!r->set.authenticate)
		return 0;
	err = sx_sip_auth_check_msg(r->auth, msg, &peer->remote,
				    (uint64_t)r->now, &res);
	if (err) {
		reply(stsx, 500, NULL, SX_SL_NULL);
		return err;
	}
	if (res.result == SX_SIP_AUTH_OK) {
		/* step 4: the credentials must be those of the AOR's user */
		ssize_t n = sx_sip_unescape(msg->to.uri.user, user,
					    sizeof(user) - 1);
		if (n >= 0 && (size_t)n == strlen(res.user) &&
		    !memcmp(user, res.user, (size_t)n))
			return 0;
		reply(stsx, 403, "Not Authorized For This AOR", SX_SL_NULL);
		return -EPERM;
	}
	/* the engine's table: challenge, 400 or 403 (throttled) */
	uint16_t code = res.result == SX_SIP_AUTH_MALFORMED   ? 400
			: res.result == SX_SIP_AUTH_THROTTLED ? 403
							      : 401;
	sx_buf_init(&extra, 0);
	if (code == 401)
		err = sx_sip_auth_challenge_print(r->auth, &peer->remote,
						  (uint64_t)r->now, res.stale,
						  &extra);
	if (err || sx_buf_err(&extra))
		reply(stsx, 500, NULL, SX_SL_NULL);
	else if (code == 401)
		reply_challenge(stsx, sx_buf_sl(&extra));
	else
		reply(stsx, code, NULL, sx_buf_sl(&extra));
	sx_buf_fini(&extra);
	return -EACCES;
}

/* -- new bindings ---------------------------------------------------------- */

static struct sx_sl ua_of(const struct sx_sip_msg *msg)
{
	const struct sx_sip_hdr *h = sx_sip_msg_hdr(msg, SX_SIP_HDR_USER_AGENT);
	if (!h)
		return SX_SL_NULL;
	return sx_sl_sub(h->value, 0, SX_STORE_UA_MAX);
}

static void peer_text(struct reg_req *r, const struct sx_sip_peer *peer)
{
	const char *t = sx_sip_proto_name(peer->proto);
	size_t i = 0;
	if (sx_sa_print(&peer->remote, r->received, sizeof(r->received)) < 0)
		r->received[0] = '\0';
	for (; t && t[i] && i + 1 < sizeof(r->transport); i++)
		r->transport[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] + 32
								   : t[i]);
	r->transport[i] = '\0';
}

static int bindings_make(struct reg_req *r, const struct sx_sip_msg *msg)
{
	for (size_t i = 0; i < r->n; i++) {
		struct reg_contact *x = &r->rc[i];
		if (!x->expires)
			continue;
		struct sx_store_binding sb = {
		    .aor = r->key,
		    .contact = x->c.addr.uri.raw,
		    .q = x->c.has_q ? x->c.q : SX_STORE_Q_MAX,
		    .expires_at = r->now + x->expires,
		    .call_id = msg->call_id,
		    .cseq = msg->cseq,
		    .path = sx_sl_make(r->path, r->path_len),
		    .instance = x->c.instance,
		    .reg_id = x->c.has_reg_id ? x->c.reg_id : 0,
		    .user_agent = ua_of(msg),
		    .received = sx_sl_cstr(r->received),
		    .transport = sx_sl_cstr(r->transport),
		    .updated_at = r->now,
		};
		int err = sx_loc__binding_new(&x->nb, &sb);
		if (err)
			return err;
	}
	return 0;
}

static void bindings_drop(struct reg_req *r)
{
	for (size_t i = 0; i < r->n; i++)
		r->rc[i].nb = sx_mem_unref(r->rc[i].nb);
}

/* -- the update under the shard lock (step 7) ------------------------------ */

static bool same_uri(struct sx_sl a, const struct sx_sip_uri *b)
{
	struct sx_sip_uri ua;
	if (sx_sip_uri_parse(&ua, a))
		return false;
	return sx_sip_uri_eq(&ua, b);
}

/* RFC 5626 6: instance + reg-id identify the flow's binding. */
static bool same_flow(const struct loc_binding *b, const struct sx_sip_contact *c)
{
	return c->instance.len && c->has_reg_id && b->reg_id == c->reg_id &&
	       sx_sl_eq(b->instance, c->instance);
}

static struct loc_binding *match(struct loc_aor *aor,
				 const struct sx_sip_contact *c)
{
	for (struct loc_binding *b = aor ? aor->bindings : NULL; b; b = b->next)
		if (same_flow(b, c) || same_uri(b->contact, &c->addr.uri))
			return b;
	return NULL;
}

/* Call-ID / CSeq ordering of RFC 3261 10.3 step 7. */
static bool in_order(const struct loc_binding *b, const struct sx_sip_msg *msg)
{
	return !sx_sl_eq(b->call_id, msg->call_id) || msg->cseq > b->cseq;
}

/* Check everything before changing anything; 0 or the status. */
static uint16_t plan(struct reg_req *r, struct loc_aor *aor,
		     const struct sx_sip_msg *msg, const char **reasonp)
{
	size_t total = aor ? aor->n : 0, before = total;

	if (r->wildcard) {
		for (struct loc_binding *b = aor ? aor->bindings : NULL; b;
		     b = b->next)
			if (!in_order(b, msg))
				goto order;
		return 0;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct reg_contact *x = &r->rc[i];
		for (size_t j = i + 1; j < r->n && !x->dup; j++)
			x->dup = sx_sip_uri_eq(&x->c.addr.uri,
					       &r->rc[j].c.addr.uri);
		if (x->dup)
			continue;
		x->old = match(aor, &x->c);
		for (size_t j = 0; j < i && x->old; j++)
			x->dup |= r->rc[j].old == x->old; /* claimed already */
		if (x->dup) {
			x->old = NULL;
			continue;
		}
		if (x->old && !in_order(x->old, msg))
			goto order;
		total += x->expires ? 1 : 0;
		total -= x->old ? 1 : 0;
	}
	if (total > r->set.max_bindings && total > before) {
		*reasonp = "Too Many Bindings";
		return 403;
	}
	return 0;
order:
	/* "the update MUST be aborted and the request fails"; a failed
	 * update answers 500 (step 7) */
	*reasonp = "Out Of Order CSeq";
	return 500;
}

static void store_done(int err, void *arg);

static void queue_write(struct sx_registrar *reg, struct reg_pending *p,
			struct sx_ev *loop, int kind, struct sx_sl aor,
			const struct loc_binding *b)
{
	struct sx_store_cb cb = {loop, store_done, p};
	struct sx_store_binding sb;
	int err;

	if (p->err)
		return;
	if (kind == 'u') {
		sx_loc__binding_view(b, aor, &sb);
		err = sx_store_binding_upsert(reg->store, &sb, &cb);
	} else if (kind == 'd') {
		err = sx_store_binding_delete(reg->store, aor, b->contact, &cb);
	} else {
		err = sx_store_binding_delete_aor(reg->store, aor, &cb);
	}
	if (err)
		p->err = err;
	else
		p->outstanding++;
}

static void apply(struct sx_registrar *reg, struct reg_req *r,
		  struct loc_shard *sh, struct loc_aor *aor,
		  struct reg_pending *p, struct sx_ev *loop)
{
	if (r->wildcard) {
		if (aor) {
			queue_write(reg, p, loop, 'a', r->key, NULL);
			while (!sx_loc__remove(sh, aor->bindings))
				;
		}
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		struct reg_contact *x = &r->rc[i];
		if (x->dup)
			continue;
		/* a new key replaces the row; the same key is upserted */
		if (x->old && (!x->nb || !sx_sl_eq(x->old->contact,
						   x->nb->contact)))
			queue_write(reg, p, loop, 'd', r->key, x->old);
		if (x->old && sx_loc__remove(sh, x->old))
			aor = NULL;
		if (!x->nb)
			continue;
		if (!aor && sx_loc__get(sh, r->key, sx_loc__hash(r->key), &aor)) {
			p->err = -ENOMEM;
			return;
		}
		queue_write(reg, p, loop, 'u', r->key, x->nb);
		sx_loc__insert(sh, aor, x->nb);
		x->nb = NULL;
	}
}

/* "Contact: <uri>;expires=N[;q=..]" for every binding (step 8). */
static void list_bindings(struct sx_buf *out, const struct reg_req *r,
			  const struct loc_aor *aor)
{
	for (const struct loc_binding *b = aor ? aor->bindings : NULL; b;
	     b = b->next) {
		sx_buf_printf(out, "Contact: <%.*s>;expires=%lld",
			      SX_SL_FMT(b->contact),
			      (long long)(b->expires_at - r->now));
		if (b->q != SX_STORE_Q_MAX)
			sx_buf_printf(out, ";q=0.%03u", b->q);
		if (b->instance.len)
			sx_buf_printf(out, ";+sip.instance=\"%.*s\"",
				      SX_SL_FMT(b->instance));
		if (b->reg_id)
			sx_buf_printf(out, ";reg-id=%u", b->reg_id);
		sx_buf_put_cstr(out, "\r\n");
	}
	if (r->path_len)
		sx_buf_printf(out, "Path: %.*s\r\n", (int)r->path_len, r->path);
	char date[SX_SIP_DATE_LEN + 1];
	if (!sx_sip_date_print((time_t)r->now, date, sizeof(date)))
		sx_buf_printf(out, "Date: %s\r\n", date);
}

/* -- completion ------------------------------------------------------------ */

static void pending_destroy(void *obj)
{
	struct reg_pending *p = obj;
	sx_buf_fini(&p->extra);
	sx_mem_unref(p->stsx);
}

static void pending_finish(struct reg_pending *p)
{
	if (p->err || sx_buf_err(&p->extra)) {
		SX_LOG_WARN_RL("REGISTER not stored: %s",
			       strerror(-(p->err ? p->err : sx_buf_err(&p->extra))));
		reply(p->stsx, 500, NULL, SX_SL_NULL);
	} else {
		reply(p->stsx, 200, NULL, sx_buf_sl(&p->extra));
	}
	sx_mem_unref(p);
}

static void store_done(int err, void *arg)
{
	struct reg_pending *p = arg;
	if (err && !p->err)
		p->err = err;
	if (--p->outstanding == 0)
		pending_finish(p);
}

/* -- entry point ----------------------------------------------------------- */

static uint16_t update(struct sx_registrar *reg, struct reg_req *r,
		       const struct sx_sip_msg *msg, struct reg_pending *p,
		       struct sx_ev *loop, const char **reasonp)
{
	uint32_t hash = sx_loc__hash(r->key);
	struct loc_shard *sh = sx_loc__shard(&reg->loc, hash);
	size_t grow = 0;
	uint16_t code;

	for (size_t i = 0; i < r->n; i++)
		grow += r->rc[i].nb != NULL;
	pthread_mutex_lock(&sh->lock);
	struct loc_aor *aor = sx_loc__find(sh, r->key, hash);
	if (aor && sx_loc__purge(sh, aor, r->now))
		aor = NULL;
	code = plan(r, aor, msg, reasonp);
	if (!code && sx_loc__reserve(sh, grow))
		code = 500;
	if (!code) {
		apply(reg, r, sh, aor, p, loop);
		list_bindings(&p->extra, r, sx_loc__find(sh, r->key, hash));
	}
	pthread_mutex_unlock(&sh->lock);
	return code;
}

/*
 * Only the scalar fields: the arrays are filled as far as n and
 * path_len say, and each rc[] entry is written whole when parsed.
 */
static void req_init(struct reg_req *r, struct sx_registrar *reg)
{
	sx_reg__settings_auth(reg, &r->set, &r->auth);
	r->now = sx_reg__now(reg);
	r->key = SX_SL_NULL;
	r->n = 0;
	r->wildcard = false;
	r->path_ok = false;
	r->path_len = 0;
	r->received[0] = '\0';
	r->transport[0] = '\0';
}

void sx_reg__register(struct sx_registrar *reg, struct sx_ev *loop,
		      struct sx_sip_tsx *stsx, const struct sx_sip_msg *msg,
		      const struct sx_sip_peer *peer)
{
	/* on the stack, not zeroed (~15 KiB): as a heap block it was
	 * carved from the top of the worker's growing heap on every
	 * REGISTER, so each one paid fresh pages and a 15 KiB memset */
	struct reg_req req;
	struct reg_req *r = &req;
	struct reg_pending *p = NULL;
	struct sx_buf extra;
	const char *reason = NULL;
	uint16_t code;

	sx_buf_init(&extra, 0);
	req_init(r, reg);
	code = validate(r, msg, peer, &extra, &reason);
	if (code) {
		reply(stsx, code, reason,
		      sx_buf_err(&extra) ? SX_SL_NULL : sx_buf_sl(&extra));
		goto out;
	}
	if (authenticate(r, stsx, msg, peer))
		goto out;
	peer_text(r, peer);
	p = sx_mem_zalloc(sizeof(*p), pending_destroy);
	if (!p || bindings_make(r, msg)) {
		reply(stsx, 500, NULL, SX_SL_NULL);
		goto out;
	}
	sx_buf_init(&p->extra, SX_REG_REPLY_MAX);
	p->stsx = sx_mem_ref(stsx);
	code = update(reg, r, msg, p, loop, &reason);
	if (code) {
		reply(stsx, code, reason, SX_SL_NULL);
		goto out;
	}
	/* answer from the last store completion, or now if none is due */
	p->outstanding++;
	store_done(0, p);
	p = NULL;
out:
	bindings_drop(r);
	sx_mem_unref(r->auth);
	sx_mem_unref(p);
	sx_buf_fini(&extra);
}
