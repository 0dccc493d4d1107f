/*
 * The call resolver (SIPXECS-REFERENCE.md 1.2, sipXcallResolver): reads
 * the call-state events of the store's call-event log, follows each call
 * (Call-ID + caller tag, the dialog of RFC 3261 12) from its INVITE to
 * its BYE or final failure, and writes one CDR per call to the CDR log.
 *
 * Reading the log: ids are assigned at commit, in commit order (one
 * writer at a time per database), so each round lists the records after
 * the last id applied: however late a record is committed after its
 * timestamp, it is read.  Only the first round after a start lists by
 * time (the replay below); the log's last id taken before it bounds
 * what later rounds read.
 *
 * Restart safety: nothing but the two logs is kept.  The first round
 * loads the keys of the CDRs of the last open_max_s (+ the late margin)
 * and replays the events of the same window, ignoring calls that already
 * have a CDR; every completed call is thus written exactly once
 * (docs/cdr.md, "Durability").
 */
#define SX_LOG_MOD "cdr"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sx/port/ev.h>
#include <sx/sip/uri.h>
#include <sx/store/event.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "cdr.h"
#include "cdr_int.h"

/** Hash buckets of the open calls (chains beyond). */
#define CALL_BUCKETS 8192u
/** First size of the written-call set (grows by doubling). */
#define DONE_CAP_MIN 1024u
/** Loop rounds waiting for the CDR writes' completions, and their
 *  length in ms (a bound: they follow a durable commit). */
#define WRITE_WAIT_ITER 3000
#define WRITE_WAIT_MS   10

enum ev_type { EV_REQUEST, EV_SETUP, EV_FAILURE, EV_END, EV_TRANSFER };

/** A call-state event, strings unescaped into the resolver's scratch. */
struct ev_info {
	enum ev_type type;
	struct sx_sl call_id;
	struct sx_sl from, from_tag, to, to_tag;
	struct sx_sl reason, refer_to;
	int64_t status;
	int64_t time_ms;
};

/** A call being followed. */
struct call {
	struct call *next; /* bucket chain */
	struct sx_cdr_resolver *r;
	uint64_t key;
	struct sx_sl call_id, tag, caller, callee; /* into data */
	int64_t start_ms, connect_ms, end_ms, last_ms;
	uint16_t status;
	bool caller_in, callee_in; /* in our domain */
	bool transferred, complete, writing;
	enum sx_cdr_term term;
	struct sx_sl to_tag, reason, transfer_to; /* into their arrays */
	char to_tag_b[SX_CDR_TAG_MAX];
	char reason_b[SX_CDR_REASON_MAX];
	char transfer_b[SX_CDR_URI_MAX];
	char data[];
};

struct done_slot {
	uint64_t key; /* 0 = empty */
	int64_t last_ms;
};

struct sx_cdr_resolver {
	struct sx_store *store;
	struct sx_ev *loop; /* runs our CDR writes' completions */
	char *domain;
	int64_t open_max_ms;
	uint32_t max_open;
	bool started;
	bool replayed;     /* the first round's listing by time is done */
	int64_t base_id;   /* last id of the log before that listing */
	int64_t cursor_ms; /* newest event time seen */
	int64_t seen_id;   /* every id up to it is applied */
	int64_t round_id;  /* newest id of the round's listing */
	struct call *buckets[CALL_BUCKETS];
	struct done_slot *done;
	size_t done_cap, done_n;
	unsigned pending; /* CDR writes not completed */
	int err;          /* first error of this round */
	struct sx_cdr_stats stats;
	char scratch[SX_STORE_EV_FIELDS_MAX];
};

/* -- keys ---------------------------------------------------------------- */

/* FNV-1a 64 of call id and tag; never 0 (the empty slot). */
static uint64_t call_key(struct sx_sl call_id, struct sx_sl tag)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < call_id.len; i++)
		h = (h ^ (unsigned char)call_id.p[i]) * 0x100000001b3ull;
	h = (h ^ 0xff) * 0x100000001b3ull;
	for (size_t i = 0; i < tag.len; i++)
		h = (h ^ (unsigned char)tag.p[i]) * 0x100000001b3ull;
	return h ? h : 1;
}

static void note_err(struct sx_cdr_resolver *r, int err)
{
	if (!r->err)
		r->err = err;
}

/* -- the written-call set (linear probing) ------------------------------- */

static struct done_slot *done_find(struct sx_cdr_resolver *r, uint64_t key)
{
	for (size_t i = key & (r->done_cap - 1);;
	     i = (i + 1) & (r->done_cap - 1)) {
		if (r->done[i].key == key)
			return &r->done[i];
		if (!r->done[i].key)
			return NULL;
	}
}

static void done_put(struct done_slot *t, size_t cap, uint64_t key,
                     int64_t last_ms)
{
	size_t i = key & (cap - 1);

	while (t[i].key && t[i].key != key)
		i = (i + 1) & (cap - 1);
	t[i].key = key;
	if (t[i].last_ms < last_ms)
		t[i].last_ms = last_ms;
}

/* Move the members with last_ms >= @keep_ms into a table of @cap. */
static int done_rehash(struct sx_cdr_resolver *r, size_t cap, int64_t keep_ms)
{
	struct done_slot *t = sx_mem_zalloc(cap * sizeof(*t), NULL);
	size_t n = 0;

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < r->done_cap; i++)
		if (r->done[i].key && r->done[i].last_ms >= keep_ms) {
			done_put(t, cap, r->done[i].key, r->done[i].last_ms);
			n++;
		}
	sx_mem_unref(r->done);
	r->done = t;
	r->done_cap = cap;
	r->done_n = n;
	return 0;
}

static int done_add(struct sx_cdr_resolver *r, uint64_t key, int64_t last_ms)
{
	struct done_slot *s = done_find(r, key);

	if (s) {
		s->last_ms = last_ms > s->last_ms ? last_ms : s->last_ms;
		return 0;
	}
	if ((r->done_n + 1) * 4 > r->done_cap * 3) {
		if (r->done_cap * 2 > SX_CDR_DONE_MAX) {
			SX_LOG_WARN_RL("more than %u written calls to "
			               "remember: a restart may repeat CDRs",
			               SX_CDR_DONE_MAX);
			return -ENOSPC;
		}
		int err = done_rehash(r, r->done_cap * 2, INT64_MIN);
		if (err)
			return err;
	}
	done_put(r->done, r->done_cap, key, last_ms);
	r->done_n++;
	return 0;
}

/* Forget the calls written and quiet since @before_ms. */
static void done_prune(struct sx_cdr_resolver *r, int64_t before_ms)
{
	size_t keep = 0, cap = DONE_CAP_MIN;

	for (size_t i = 0; i < r->done_cap; i++)
		keep += r->done[i].key && r->done[i].last_ms >= before_ms;
	if (keep == r->done_n)
		return;
	while (keep * 4 > cap * 3 / 2)
		cap *= 2;
	(void)done_rehash(r, cap, before_ms); /* on -ENOMEM: keep them */
}

/* -- open calls ---------------------------------------------------------- */

static struct call **bucket(struct sx_cdr_resolver *r, uint64_t key)
{
	return &r->buckets[key % CALL_BUCKETS];
}

static struct call *call_find(struct sx_cdr_resolver *r, struct sx_sl call_id,
                              struct sx_sl tag)
{
	uint64_t key = call_key(call_id, tag);

	for (struct call *c = *bucket(r, key); c; c = c->next)
		if (c->key == key && sx_sl_eq(c->call_id, call_id) &&
		    sx_sl_eq(c->tag, tag))
			return c;
	return NULL;
}

static void call_free(struct call *c)
{
	struct call **pp = bucket(c->r, c->key);

	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	c->r->stats.open--;
	sx_mem_unref(c);
}

/* The AOR of a From/To URI: "scheme:user@host" (RFC 3261 10.2: no port,
 * parameters or headers); the text itself when it does not parse. */
static struct sx_sl aor_of(struct sx_sl uri_text, bool *hostp,
                           const char *domain, char *out)
{
	struct sx_sip_uri u;
	size_t n;

	*hostp = false;
	if (sx_sip_uri_parse(&u, uri_text) ||
	    (u.scheme != SX_SIP_URI_SIP && u.scheme != SX_SIP_URI_SIPS)) {
		n = uri_text.len < SX_CDR_AOR_MAX ? uri_text.len
		                                  : SX_CDR_AOR_MAX;
		memcpy(out, uri_text.p, n);
		return sx_sl_make(out, n);
	}
	*hostp = sx_sl_eq_cstr_nocase(u.host, domain);
	int len = snprintf(out, SX_CDR_AOR_MAX + 1, "%.*s:%.*s%s%.*s",
	                   SX_SL_FMT(u.scheme_sl), SX_SL_FMT(u.user),
	                   u.has_user ? "@" : "", SX_SL_FMT(u.host));
	n = len < 0 ? 0 : (size_t)len;
	return sx_sl_make(out, n < SX_CDR_AOR_MAX ? n : SX_CDR_AOR_MAX);
}

/* Copy at most @cap bytes of @v into @buf. */
static struct sx_sl keep(char *buf, size_t cap, struct sx_sl v)
{
	size_t n = v.len < cap ? v.len : cap;

	if (n)
		memcpy(buf, v.p, n);
	return sx_sl_make(buf, n);
}

static struct call *call_new(struct sx_cdr_resolver *r, const struct ev_info *e)
{
	char caller[SX_CDR_AOR_MAX + 1], callee[SX_CDR_AOR_MAX + 1];
	bool caller_in, callee_in;
	struct sx_sl a = aor_of(e->from, &caller_in, r->domain, caller);
	struct sx_sl b = aor_of(e->to, &callee_in, r->domain, callee);
	size_t len = e->call_id.len + e->from_tag.len + a.len + b.len;
	struct call *c = sx_mem_zalloc(sizeof(*c) + len, NULL);

	if (!c)
		return NULL;
	char *p = c->data;
	c->call_id = keep(p, e->call_id.len, e->call_id);
	c->tag = keep(p += e->call_id.len, e->from_tag.len, e->from_tag);
	c->caller = keep(p += e->from_tag.len, a.len, a);
	c->callee = keep(p += a.len, b.len, b);
	c->r = r;
	c->key = call_key(e->call_id, e->from_tag);
	c->start_ms = c->last_ms = e->time_ms;
	c->caller_in = caller_in;
	c->callee_in = callee_in;
	c->next = *bucket(r, c->key);
	*bucket(r, c->key) = c;
	r->stats.open++;
	return c;
}

/* -- applying events ----------------------------------------------------- */

static void complete(struct call *c, enum sx_cdr_term term, int64_t end_ms)
{
	c->complete = true;
	c->term = term;
	c->end_ms = end_ms;
}

static void on_request(struct sx_cdr_resolver *r, const struct ev_info *e)
{
	struct call *c = call_find(r, e->call_id, e->from_tag);

	if (c) { /* a spiral, or the INVITE answering a challenge: the
		  * earliest INVITE is the start */
		if (e->time_ms < c->start_ms)
			c->start_ms = e->time_ms;
		if (c->status && e->time_ms >= c->end_ms) {
			c->status = 0;
			c->reason = SX_SL_NULL;
		}
		return;
	}
	if (r->stats.open >= r->max_open) {
		SX_LOG_WARN_RL("%u calls open: call %.*s not recorded",
		               r->stats.open, SX_SL_FMT(e->call_id));
		r->stats.dropped++;
		return;
	}
	if (!call_new(r, e)) {
		SX_LOG_WARN_RL("out of memory: call %.*s not recorded",
		               SX_SL_FMT(e->call_id));
		r->stats.dropped++;
		note_err(r, -ENOMEM);
	}
}

static void apply(struct sx_cdr_resolver *r, const struct ev_info *e)
{
	struct call *c;

	if (e->type == EV_REQUEST) {
		on_request(r, e);
		return;
	}
	/* in-dialog requests come from either side (RFC 3261 12.2) */
	c = call_find(r, e->call_id, e->from_tag);
	if (!c && (e->type == EV_END || e->type == EV_TRANSFER))
		c = call_find(r, e->call_id, e->to_tag);
	if (!c || c->complete)
		return;
	c->last_ms = e->time_ms > c->last_ms ? e->time_ms : c->last_ms;
	switch (e->type) {
	case EV_SETUP: /* forks: the first 2xx wins */
		if (!c->connect_ms) {
			c->connect_ms = e->time_ms;
			c->status = 0;
			c->reason = SX_SL_NULL;
			c->to_tag =
			    keep(c->to_tag_b, sizeof(c->to_tag_b), e->to_tag);
		}
		break;
	case EV_FAILURE: /* a failure after a 2xx is a lost fork */
		if (c->connect_ms)
			break;
		c->status = (uint16_t)e->status;
		c->reason = keep(c->reason_b, sizeof(c->reason_b), e->reason);
		c->end_ms = e->time_ms;
		/* a challenge: the caller may send credentials on the same
		 * dialog (RFC 3261 22.2); failed only if it never does */
		if (e->status == 401 || e->status == 407)
			break;
		complete(c, e->status == 487 ? SX_CDR_ABANDONED : SX_CDR_FAILED,
		         e->time_ms);
		break;
	case EV_END:
		complete(c,
		         !c->connect_ms   ? SX_CDR_UNKNOWN
		         : c->transferred ? SX_CDR_TRANSFERRED
		                          : SX_CDR_COMPLETED,
		         e->time_ms);
		break;
	case EV_TRANSFER:
		c->transferred = true;
		c->transfer_to =
		    keep(c->transfer_b, sizeof(c->transfer_b), e->refer_to);
		break;
	case EV_REQUEST:
		break;
	}
}

static int ev_type_of(struct sx_sl t, enum ev_type *tp)
{
	static const char *const names[] = {
	    [EV_REQUEST] = SX_CDR_EV_REQUEST,   [EV_SETUP] = SX_CDR_EV_SETUP,
	    [EV_FAILURE] = SX_CDR_EV_FAILURE,   [EV_END] = SX_CDR_EV_END,
	    [EV_TRANSFER] = SX_CDR_EV_TRANSFER,
	};

	for (size_t i = 0; i < SX_ARRAY_SIZE(names); i++)
		if (sx_sl_eq_cstr(t, names[i])) {
			*tp = (enum ev_type)i;
			return 0;
		}
	return -ENOENT;
}

/* The fields the resolver reads (docs/cdr.md, "Call-state events"). */
static int ev_parse(struct sx_cdr_resolver *r, struct sx_sl fields,
                    struct ev_info *e)
{
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
	    {"from", offsetof(struct ev_info, from)},
	    {"from_tag", offsetof(struct ev_info, from_tag)},
	    {"to", offsetof(struct ev_info, to)},
	    {"to_tag", offsetof(struct ev_info, to_tag)},
	    {"reason", offsetof(struct ev_info, reason)},
	    {"refer_to", offsetof(struct ev_info, refer_to)},
	};
	struct sx_cdr_jit it;
	struct sx_cdr_jval v;
	struct sx_sl key;
	size_t used = 0;
	int n;

	sx_cdr__json_begin(&it, fields);
	while ((n = sx_cdr__json_next(&it, &key, &v)) > 0) {
		if (sx_sl_eq_cstr(key, "status") && v.type == SX_CDR_J_NUM)
			e->status = v.num;
		for (size_t i = 0; i < SX_ARRAY_SIZE(strs); i++) {
			if (!sx_sl_eq_cstr(key, strs[i].key) ||
			    v.type != SX_CDR_J_STR)
				continue;
			struct sx_sl *dst =
			    (struct sx_sl *)((char *)e + strs[i].off);
			size_t len;
			int err = sx_cdr__json_unescape(
			    v.raw, r->scratch + used, sizeof(r->scratch) - used,
			    &len);
			if (err)
				return err;
			*dst = sx_sl_make(r->scratch + used, len);
			used += len;
		}
	}
	return n;
}

static int on_event(const struct sx_store_event *ev, void *arg)
{
	struct sx_cdr_resolver *r = arg;
	struct ev_info e = {.call_id = ev->call_id, .time_ms = ev->time_ms};

	/* ids rise with commits, the listing goes by time: only ids up to
	 * those of earlier rounds are known to be applied */
	if (ev->id <= r->seen_id)
		return 0;
	if (ev->id > r->round_id)
		r->round_id = ev->id;
	if (ev->time_ms > r->cursor_ms)
		r->cursor_ms = ev->time_ms;
	if (ev_type_of(ev->type, &e.type))
		return 0;
	if (ev_parse(r, ev->fields, &e) || !e.from_tag.len) {
		SX_LOG_WARN_RL("call event %lld: bad fields, skipped",
		               (long long)ev->id);
		return 0;
	}
	/* a call already written: only remember it is still talked of */
	struct done_slot *d = done_find(r, call_key(e.call_id, e.from_tag));
	if (!d && (e.type == EV_END || e.type == EV_TRANSFER))
		d = done_find(r, call_key(e.call_id, e.to_tag));
	if (d) {
		d->last_ms = e.time_ms > d->last_ms ? e.time_ms : d->last_ms;
		return 0;
	}
	r->stats.events++;
	apply(r, &e);
	return 0;
}

/* -- writing CDRs -------------------------------------------------------- */

static void on_written(int err, void *arg)
{
	struct call *c = arg;
	struct sx_cdr_resolver *r = c->r;

	r->pending--;
	c->writing = false;
	if (err) {
		SX_LOG_WARN_RL("CDR of %.*s not written (%s): retrying",
		               SX_SL_FMT(c->call_id), strerror(-err));
		note_err(r, err);
		return;
	}
	r->stats.written++;
	if (done_add(r, c->key, c->last_ms))
		note_err(r, -ENOMEM);
	call_free(c);
}

static void cdr_of(const struct sx_cdr_resolver *r, const struct call *c,
                   struct sx_cdr *d)
{
	*d = (struct sx_cdr){
	    .call_id = c->call_id,
	    .from_tag = c->tag,
	    .to_tag = c->to_tag,
	    .caller = c->caller,
	    .callee = c->callee,
	    .start_ms = c->start_ms,
	    .connect_ms = c->connect_ms,
	    .end_ms = c->end_ms,
	    .term = c->term,
	    .status = c->status,
	    .reason = c->reason,
	    .dir = !c->caller_in   ? SX_CDR_INCOMING
	           : !c->callee_in ? SX_CDR_OUTGOING
	                           : SX_CDR_INTERNAL,
	    .transfer_to = c->transfer_to,
	};
	(void)r;
}

/* Queue the CDR of completed call @c; its completion frees @c. */
static void write_cdr(struct sx_cdr_resolver *r, struct call *c)
{
	struct sx_cdr d;
	struct sx_buf b;
	int err;

	cdr_of(r, c, &d);
	sx_buf_init(&b, SX_CDR_JSON_MAX);
	sx_cdr_print(&d, &b);
	err = sx_buf_err(&b);
	if (!err) {
		const struct sx_store_event ev = {
		    .call_id = c->call_id,
		    .type = sx_sl_cstr(sx_cdr_term_name(c->term)),
		    .time_ms = c->start_ms,
		    .fields = sx_buf_sl(&b),
		};
		const struct sx_store_cb cb = {r->loop, on_written, c};
		err = sx_store_event_append(r->store, SX_STORE_LOG_CDRS, &ev,
		                            &cb);
	}
	sx_buf_fini(&b);
	if (err) {
		note_err(r, err);
		return;
	}
	c->writing = true;
	r->pending++;
}

/* A call open too long: failed if its last word was a challenge, else
 * its end is unknown. */
static void expire(struct call *c)
{
	if (c->status && !c->connect_ms)
		complete(c, SX_CDR_FAILED, c->end_ms);
	else
		complete(c, SX_CDR_UNKNOWN, 0);
}

/* Complete the calls open too long, queue every completed call. */
static void write_completed(struct sx_cdr_resolver *r, int64_t now_ms)
{
	for (size_t i = 0; i < CALL_BUCKETS; i++)
		for (struct call *c = r->buckets[i]; c; c = c->next) {
			if (!c->complete &&
			    c->start_ms < now_ms - r->open_max_ms)
				expire(c);
			if (c->complete && !c->writing)
				write_cdr(r, c);
		}
}

/* Wait (bounded) for the completions of the writes queued. */
static int wait_writes(struct sx_cdr_resolver *r)
{
	if (!r->pending)
		return 0;
	(void)sx_store_flush(r->store);
	for (int i = 0; i < WRITE_WAIT_ITER && r->pending; i++)
		(void)sx_ev_run_once(r->loop, WRITE_WAIT_MS);
	return r->pending ? -ETIMEDOUT : 0;
}

/* -- rounds -------------------------------------------------------------- */

static int load_written(const struct sx_store_event *ev, void *arg)
{
	struct sx_cdr_resolver *r = arg;
	struct sx_cdr d;
	int err = sx_cdr_parse(&d, ev->fields, r->scratch, sizeof(r->scratch));

	if (err) {
		SX_LOG_WARN_RL("CDR %lld unreadable, ignored",
		               (long long)ev->id);
		return 0;
	}
	err = done_add(r, call_key(d.call_id, d.from_tag), ev->time_ms);
	return err == -ENOSPC ? 0 : err;
}

/* First round: the window that may still hold open calls. */
static int restart(struct sx_cdr_resolver *r, int64_t now_ms)
{
	int64_t from = now_ms - r->open_max_ms - SX_CDR_LATE_MS;
	/* first: a record committed after this is read after the replay */
	int err = sx_store_event_last_id(r->store, SX_STORE_LOG_CALL_EVENTS,
	                                 &r->base_id);
	if (err)
		return err;
	ssize_t n = sx_store_event_list(r->store, SX_STORE_LOG_CDRS, from, 0,
	                                load_written, r);

	if (n < 0)
		return (int)n;
	r->cursor_ms = from + SX_CDR_LATE_MS;
	r->started = true;
	SX_LOG_INFO("resolving calls since %lld (%zu CDRs already written)",
	            (long long)from, r->done_n);
	return 0;
}

int sx_cdr_resolver_poll(struct sx_cdr_resolver *r, int64_t now_ms)
{
	int err = 0;

	if (!r)
		return -EINVAL;
	r->err = 0;
	if (!r->started)
		err = restart(r, now_ms);
	if (!err) {
		ssize_t n =
		    r->replayed
		        ? sx_store_event_list_after(r->store,
		                                    SX_STORE_LOG_CALL_EVENTS,
		                                    r->seen_id, 0, on_event, r)
		        : sx_store_event_list(r->store, SX_STORE_LOG_CALL_EVENTS,
		                              r->cursor_ms - SX_CDR_LATE_MS, 0,
		                              on_event, r);
		err = n < 0 ? (int)n : 0;
		/* a listing cut short is read again (applying is
		 * idempotent) */
		if (!err) {
			if (r->round_id > r->seen_id)
				r->seen_id = r->round_id;
			if (!r->replayed && r->base_id > r->seen_id)
				r->seen_id = r->base_id;
			r->replayed = true;
		}
	}
	if (r->started) {
		write_completed(r, now_ms);
		int werr = wait_writes(r);
		err = err ? err : werr;
		done_prune(r, now_ms - SX_CDR_DONE_KEEP_MS);
	}
	return err ? err : r->err;
}

void sx_cdr_resolver_stats(const struct sx_cdr_resolver *r,
                           struct sx_cdr_stats *sp)
{
	*sp = r->stats;
}

/* -- life cycle ---------------------------------------------------------- */

static void resolver_destroy(void *arg)
{
	struct sx_cdr_resolver *r = arg;

	for (size_t i = 0; i < CALL_BUCKETS; i++)
		while (r->buckets[i])
			call_free(r->buckets[i]);
	sx_mem_unref(r->done);
	sx_mem_unref(r->domain);
	sx_ev_free(r->loop);
}

int sx_cdr_resolver_alloc(struct sx_cdr_resolver **rp,
                          const struct sx_cdr_resolver_prm *prm)
{
	struct sx_cdr_resolver *r;
	int err;

	if (!rp || !prm || !prm->store || !prm->domain)
		return -EINVAL;
	r = sx_mem_zalloc(sizeof(*r), resolver_destroy);
	if (!r)
		return -ENOMEM;
	r->store = prm->store;
	r->open_max_ms =
	    (int64_t)(prm->open_max_s ? prm->open_max_s : SX_CDR_OPEN_MAX_S) *
	    1000;
	r->max_open = prm->max_open ? prm->max_open : SX_CDR_MAX_OPEN;
	r->domain = sx_mem_strndup(prm->domain, strlen(prm->domain));
	r->done = sx_mem_zalloc(DONE_CAP_MIN * sizeof(*r->done), NULL);
	r->done_cap = DONE_CAP_MIN;
	err = r->domain && r->done ? sx_ev_alloc(&r->loop, NULL) : -ENOMEM;
	if (err) {
		sx_mem_unref(r);
		return err;
	}
	*rp = r;
	return 0;
}

void sx_cdr_resolver_free(struct sx_cdr_resolver *r)
{
	if (!r)
		return;
	/* completions must not outlive the calls they point to */
	while (wait_writes(r))
		SX_LOG_ERR("CDR writes still committing: waiting");
	sx_mem_unref(r);
}
