/*
 * RFC 3263 4 "Locating a SIP Server": from a SIP/SIPS URI to an ordered
 * list of (transport, address, port) destinations.
 *
 * A query moves through up to three stages, each a set of lookups run in
 * parallel (answers come from the cache at once or from c-ares later):
 *   NAPTR  the host's NAPTR records (4.1), when neither transport nor
 *          port nor a numeric host decide;
 *   SRV    one lookup per NAPTR replacement, or _sip._udp, _sip._tcp,
 *          _sips._tcp of the host without NAPTR, or the SRV of a known
 *          transport (4.1, 4.2);
 *   ADDR   A and AAAA of every distinct SRV target, or of the host itself
 *          when there is no SRV or the port is explicit (4.2).
 * The handler always runs from the query's timer, never from inside
 * c-ares or sx_sip_resolve(); the same timer is the query's deadline.
 * NXDOMAIN for the host ends the query at once (RFC 8020: nothing exists
 * below a name that does not exist, so neither do its SRV names).
 */
#define SX_LOG_MOD "sip.dns"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sx/port/ev.h>
#include <sx/sip/transport.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "dns_int.h"

/* Where the URI points, after maddr and transport rules (RFC 3263 4.1). */
struct where {
	enum sx_sip_host_type type;
	struct sx_sl host;
	char name[DNS_NAME_SZ]; /* normalised host name */
	uint16_t port;
	bool has_port;
	enum sx_sip_proto proto; /* NONE = to be found */
};

static bool proto_ok(const struct sx_sip_dns *dns, enum sx_sip_proto p)
{
	return p < 32 && (dns->protos & (1u << p));
}

/* Errors after which the rest of a resolution is pointless. */
static bool hard_error(int err)
{
	return err && err != -ENOENT && err != -ENODATA && err != -ETIMEDOUT &&
	       err != -EIO && err != -ECONNREFUSED;
}

/* -- life cycle -------------------------------------------------------- */

static void unlink_query(struct sx_sip_dns_query *q)
{
	struct sx_sip_dns *dns = q->dns;

	if (!q->linked)
		return;
	if (q->prev)
		q->prev->next = q->next;
	else
		dns->queries = q->next;
	if (q->next)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
	q->linked = false;
}

static void query_destroy(void *obj)
{
	struct sx_sip_dns_query *q = obj;

	sx_tmr_stop(&q->tmr);
	sx_mem_unref(q->naptr);
	for (unsigned i = 0; i < q->nslot; i++)
		sx_mem_unref(q->slot[i].rr);
	for (unsigned i = 0; i < q->nhost; i++) {
		sx_mem_unref(q->hosts[i].rr[0]);
		sx_mem_unref(q->hosts[i].rr[1]);
	}
	sx_mem_unref(q->list);
}

/* The query timer: the deadline, or re-armed to 0 ms by finish(). */
static void on_qtmr(void *arg)
{
	struct sx_sip_dns_query *q = arg;

	if (q->stage != DNS_STAGE_DONE) {
		q->stage = DNS_STAGE_DONE;
		q->result = -ETIMEDOUT;
	}
	sx_sip_dns_h *h = q->h;
	void *harg = q->arg;
	int result = q->result;
	struct sx_sip_dns_targets *list = q->list;
	q->list = NULL;
	unlink_query(q);
	sx_mem_unref(q);
	h(result, list, harg);
}

static void finish(struct sx_sip_dns_query *q, int err,
                   struct sx_sip_dns_targets *list)
{
	if (q->stage == DNS_STAGE_DONE) {
		sx_mem_unref(list);
		return;
	}
	q->stage = DNS_STAGE_DONE;
	q->result = err;
	q->list = list;
	/* the deadline is armed, so re-arming cannot allocate or fail */
	if (sx_tmr_start(q->dns->loop, &q->tmr, 0, on_qtmr, q))
		SX_LOG_ERR("cannot schedule DNS completion");
}

void sx_sip_dns__query_drop(struct sx_sip_dns_query *q)
{
	sx_tmr_stop(&q->tmr);
	q->stage = DNS_STAGE_DONE;
	unlink_query(q);
	sx_mem_unref(q);
}

void sx_sip_dns_cancel(struct sx_sip_dns_query *query)
{
	if (query && query->linked)
		sx_sip_dns__query_drop(query);
}

/* -- issuing lookups --------------------------------------------------- */

static void issue(struct sx_sip_dns_query *q, const char *name, uint16_t type,
                  unsigned tag)
{
	if (q->stage == DNS_STAGE_DONE)
		return;
	int err = sx_sip_dns__lookup(q, name, type, tag);
	if (err)
		finish(q, err, NULL);
}

static void stage_done(struct sx_sip_dns_query *q);

/* A stage holds one extra "pending" while it issues, so answers from the
 * cache cannot end it before all its lookups are out. */
static void issue_begin(struct sx_sip_dns_query *q, enum dns_stage stage)
{
	q->stage = stage;
	q->pending++;
}

static void issue_end(struct sx_sip_dns_query *q)
{
	if (q->stage != DNS_STAGE_DONE && --q->pending == 0)
		stage_done(q);
}

/* A host for A/AAAA and one way to use it; false when a bound is hit. */
static bool add_use(struct sx_sip_dns_query *q, const char *host,
                    const struct dns_use *tmpl)
{
	unsigned h = 0;

	while (h < q->nhost && strcmp(q->hosts[h].name, host))
		h++;
	if (q->nuse == SX_SIP_DNS_TARGETS_MAX ||
	    (h == q->nhost && q->nhost == SX_SIP_DNS_HOSTS_MAX))
		return false;
	if (h == q->nhost)
		snprintf(q->hosts[q->nhost++].name, DNS_NAME_SZ, "%s", host);
	q->use[q->nuse] = *tmpl;
	q->use[q->nuse++].host = (uint8_t)h;
	return true;
}

static void start_addr(struct sx_sip_dns_query *q)
{
	unsigned fam[2];
	size_t nf = sx_sip_dns__fam_order(q->dns->af, fam);

	issue_begin(q, DNS_STAGE_ADDR);
	for (unsigned h = 0; h < q->nhost; h++)
		for (size_t f = 0; f < nf; f++)
			issue(q, q->hosts[h].name,
			      fam[f] ? DNS_T_AAAA : DNS_T_A, h * 2 + fam[f]);
	issue_end(q);
}

static void start_srv(struct sx_sip_dns_query *q)
{
	issue_begin(q, DNS_STAGE_SRV);
	for (unsigned i = 0; i < q->nslot; i++)
		issue(q, q->slot[i].name, DNS_T_SRV, i);
	issue_end(q);
}

/* RFC 3263 4.1: the SRV owner prefix of a transport (none for WS). */
static const char *srv_prefix(enum sx_sip_proto p)
{
	switch (p) {
	case SX_SIP_PROTO_UDP:
		return "_sip._udp.";
	case SX_SIP_PROTO_TCP:
		return "_sip._tcp.";
	case SX_SIP_PROTO_TLS:
		return "_sips._tcp.";
	default:
		return NULL;
	}
}

static void add_slot(struct sx_sip_dns_query *q, enum sx_sip_proto proto,
                     enum sx_sip_dns_src src, uint16_t order, uint16_t pref,
                     const char *prefix, const char *name)
{
	if (q->nslot == SX_SIP_DNS_NAPTR_MAX)
		return;
	struct dns_slot *s = &q->slot[q->nslot];
	int n = snprintf(s->name, sizeof(s->name), "%s%s", prefix, name);
	/* a name too long with the prefix has no SRV */
	if (n < 0 || (size_t)n > SX_SIP_DNS_NAME_MAX)
		return;
	s->proto = proto;
	s->src = src;
	s->order = order;
	s->pref = pref;
	q->nslot++;
}

/* -- stage results ----------------------------------------------------- */

static bool naptr_wanted(const struct sx_sip_dns_query *q,
                         const struct dns_naptr *n)
{
	if (!proto_ok(q->dns, n->proto) ||
	    (q->sips && n->proto != SX_SIP_PROTO_TLS))
		return false;
	for (unsigned i = 0; i < q->nslot; i++)
		if (q->slot[i].proto == n->proto &&
		    !strcmp(q->slot[i].name, n->repl))
			return false; /* the same service twice */
	return true;
}

static void naptr_done(struct sx_sip_dns_query *q)
{
	const struct dns_rrset *rr = q->naptr;
	unsigned idx[SX_SIP_DNS_RR_MAX];

	if (!rr) {
		finish(q, q->err, NULL);
		return;
	}
	if (rr->status == -ENOENT) {
		finish(q, -ENOENT, NULL);
		return;
	}
	/* RFC 3403 4.1: by order, then preference (stable) */
	for (size_t i = 0; i < rr->n; i++) {
		size_t j = i;
		const struct dns_naptr *a = &rr->naptr[i];
		for (; j > 0; j--) {
			const struct dns_naptr *b = &rr->naptr[idx[j - 1]];
			if (b->order < a->order ||
			    (b->order == a->order && b->pref <= a->pref))
				break;
			idx[j] = idx[j - 1];
		}
		idx[j] = (unsigned)i;
	}
	for (size_t i = 0; i < rr->n; i++) {
		const struct dns_naptr *n = &rr->naptr[idx[i]];
		if (naptr_wanted(q, n))
			add_slot(q, n->proto, SX_SIP_DNS_SRC_NAPTR, n->order,
			         n->pref, "", n->repl);
	}
	/* RFC 3263 4.1: no usable NAPTR, SRV for each transport we have */
	static const enum sx_sip_proto order[] = {
	    SX_SIP_PROTO_UDP, SX_SIP_PROTO_TCP, SX_SIP_PROTO_TLS};
	bool none = !q->nslot;
	for (size_t i = 0; none && i < SX_ARRAY_SIZE(order); i++)
		if (proto_ok(q->dns, order[i]) &&
		    (!q->sips || order[i] == SX_SIP_PROTO_TLS))
			add_slot(q, order[i], SX_SIP_DNS_SRC_SRV, 0, 0,
			         srv_prefix(order[i]), q->host);
	if (!q->nslot) {
		finish(q, -EPROTONOSUPPORT, NULL);
		return;
	}
	start_srv(q);
}

static void srv_uses(struct sx_sip_dns_query *q, const struct dns_slot *s)
{
	const struct dns_rrset *rr = s->rr;
	unsigned idx[SX_SIP_DNS_RR_MAX];

	sx_sip_dns__srv_order(q->dns, rr->srv, rr->n, idx);
	for (size_t k = 0; k < rr->n; k++) {
		const struct dns_srv *v = &rr->srv[idx[k]];
		/* RFC 2782: target "." means no service; port 0 is unusable */
		if (!v->target[0] || !v->port)
			continue;
		struct dns_use u = {
		    .proto = s->proto,
		    .src = s->src,
		    .port = v->port,
		    .order = s->order,
		    .pref = s->pref,
		    .prio = v->prio,
		    .weight = v->weight,
		};
		if (!add_use(q, v->target, &u))
			return;
	}
}

static void srv_done(struct sx_sip_dns_query *q)
{
	bool found = false, negative = false;

	for (unsigned i = 0; i < q->nslot; i++) {
		const struct dns_slot *s = &q->slot[i];
		if (s->rr && !s->rr->status) {
			found = true;
			srv_uses(q, s);
		} else if (s->rr) {
			negative = true;
		}
	}
	if (!found && !negative) {
		finish(q, q->err, NULL); /* every SRV lookup failed */
		return;
	}
	if (!found) {
		/* RFC 3263 4.2: no SRV, A/AAAA of the host, default port */
		struct dns_use u = {
		    .proto = q->slot[0].proto,
		    .src = SX_SIP_DNS_SRC_ADDR,
		    .port = sx_sip_proto_default_port(q->slot[0].proto),
		};
		add_use(q, q->host, &u);
	}
	start_addr(q);
}

static void addr_done(struct sx_sip_dns_query *q)
{
	struct sx_sip_dns_targets *list = NULL;
	int err = sx_sip_dns__targets_build(q, &list);

	if (err == -ENOENT && q->err)
		err = q->err;
	finish(q, err, list);
}

static void stage_done(struct sx_sip_dns_query *q)
{
	switch (q->stage) {
	case DNS_STAGE_NAPTR:
		naptr_done(q);
		break;
	case DNS_STAGE_SRV:
		srv_done(q);
		break;
	case DNS_STAGE_ADDR:
		addr_done(q);
		break;
	default:
		break;
	}
}

void sx_sip_dns__query_answer(struct sx_sip_dns_query *q, unsigned tag, int err,
                              struct dns_rrset *rr)
{
	if (q->stage == DNS_STAGE_DONE)
		return;
	q->pending--;
	if (hard_error(err)) {
		finish(q, err, NULL);
		return;
	}
	if (err && err != -ENOENT && err != -ENODATA && !q->err)
		q->err = err;
	switch (q->stage) {
	case DNS_STAGE_NAPTR:
		q->naptr = sx_mem_ref(rr);
		break;
	case DNS_STAGE_SRV:
		q->slot[tag].rr = sx_mem_ref(rr);
		q->slot[tag].err = err;
		break;
	default:
		q->hosts[tag / 2].rr[tag % 2] = sx_mem_ref(rr);
		q->hosts[tag / 2].err[tag % 2] = err;
		break;
	}
	if (!q->pending)
		stage_done(q);
}

/* -- entry ------------------------------------------------------------- */

static int where_host(struct where *w, const struct sx_sip_uri *u)
{
	struct sx_sl v;

	w->type = u->host_type;
	w->host = u->host;
	int err = sx_sip_param_find(u->params, SX_SL("maddr"), &v);
	if (err == 0) {
		/* RFC 3263 4: maddr, when present, is the target */
		struct sx_sip_uri m;
		memset(&m, 0, sizeof(m));
		if (sx_sip_hostport_parse(&m, v) || m.has_port)
			return -EINVAL;
		w->type = m.host_type;
		w->host = m.host;
	} else if (err != -ENOENT) {
		return -EINVAL;
	}
	if (w->type == SX_SIP_HOST_NAME)
		return sx_sip_dns__name_norm(w->host, w->name);
	return w->type == SX_SIP_HOST_NONE ? -EINVAL : 0;
}

static int where_proto(struct where *w, const struct sx_sip_dns *dns,
                       const struct sx_sip_uri *u, enum sx_sip_proto forced)
{
	bool sips = u->scheme == SX_SIP_URI_SIPS;
	struct sx_sl v;

	w->proto = forced;
	if (!w->proto) {
		int err = sx_sip_param_find(u->params, SX_SL("transport"), &v);
		if (err == 0) {
			w->proto = sx_sip_proto_lookup(v);
			if (!w->proto)
				return -EPROTONOSUPPORT;
		} else if (err != -ENOENT) {
			return -EINVAL;
		}
	}
	/* RFC 3263 4.1: sips means TLS (and secure WebSocket) */
	if (sips && w->proto == SX_SIP_PROTO_UDP)
		return -EPROTONOSUPPORT;
	if (sips && w->proto == SX_SIP_PROTO_TCP)
		w->proto = SX_SIP_PROTO_TLS;
	if (sips && w->proto == SX_SIP_PROTO_WS)
		w->proto = SX_SIP_PROTO_WSS;
	/* numeric host or explicit port: UDP for sip, TLS for sips */
	if (!w->proto && (w->type != SX_SIP_HOST_NAME || w->has_port))
		w->proto = sips ? SX_SIP_PROTO_TLS : SX_SIP_PROTO_UDP;
	if (w->proto && !proto_ok(dns, w->proto))
		return -EPROTONOSUPPORT;
	if (sips && !proto_ok(dns, SX_SIP_PROTO_TLS))
		return -EPROTONOSUPPORT;
	return 0;
}

/* A numeric host gives its one target directly. */
static void start_numeric(struct sx_sip_dns_query *q, const struct where *w)
{
	struct sx_sl a = w->host;
	struct sx_sip_dns_targets *list = NULL;

	if (w->type == SX_SIP_HOST_IPV6 && a.len >= 2)
		a = sx_sl_sub(a, 1, a.len - 2); /* strip [ ] */
	uint16_t port =
	    w->has_port ? w->port : sx_sip_proto_default_port(w->proto);
	list = sx_mem_zalloc(sizeof(*list) + sizeof(list->t[0]), NULL);
	if (!list) {
		finish(q, -ENOMEM, NULL);
		return;
	}
	list->n = 1;
	list->t[0].proto = w->proto;
	list->t[0].src = SX_SIP_DNS_SRC_NUMERIC;
	int err = sx_sa_set_str(&list->t[0].addr, a, port);
	if (err)
		list = sx_mem_unref(list);
	finish(q, err, list);
}

static void start(struct sx_sip_dns_query *q, const struct where *w)
{
	if (w->type != SX_SIP_HOST_NAME) {
		start_numeric(q, w);
		return;
	}
	snprintf(q->host, sizeof(q->host), "%s", w->name);
	if (w->has_port || (w->proto && !srv_prefix(w->proto))) {
		/* RFC 3263 4.2: a port means A/AAAA only */
		struct dns_use u = {
		    .proto = w->proto,
		    .src = SX_SIP_DNS_SRC_ADDR,
		    .port = w->has_port ? w->port
		                        : sx_sip_proto_default_port(w->proto),
		};
		add_use(q, q->host, &u);
		start_addr(q);
	} else if (w->proto) {
		add_slot(q, w->proto, SX_SIP_DNS_SRC_SRV, 0, 0,
		         srv_prefix(w->proto), q->host);
		if (!q->nslot) {
			finish(q, -ENOENT, NULL);
			return;
		}
		start_srv(q);
	} else {
		issue_begin(q, DNS_STAGE_NAPTR);
		issue(q, q->host, DNS_T_NAPTR, 0);
		issue_end(q);
	}
}

int sx_sip_resolve(struct sx_sip_dns *dns, const struct sx_sip_uri *target,
                   enum sx_sip_proto forced, sx_sip_dns_h *h, void *arg,
                   struct sx_sip_dns_query **queryp)
{
	struct where w;

	if (!dns || !target || !h ||
	    (target->scheme != SX_SIP_URI_SIP &&
	     target->scheme != SX_SIP_URI_SIPS))
		return -EINVAL;
	memset(&w, 0, sizeof(w));
	w.port = target->port;
	w.has_port = target->has_port;
	int err = where_host(&w, target);
	if (!err)
		err = where_proto(&w, dns, target, forced);
	if (err)
		return err;
	struct sx_sip_dns_query *q = sx_mem_zalloc(sizeof(*q), query_destroy);
	if (!q)
		return -ENOMEM;
	q->dns = dns;
	q->h = h;
	q->arg = arg;
	q->sips = target->scheme == SX_SIP_URI_SIPS;
	err =
	    sx_tmr_start(dns->loop, &q->tmr, dns->query_timeout_ms, on_qtmr, q);
	if (err) {
		sx_mem_unref(q);
		return err;
	}
	q->next = dns->queries;
	if (q->next)
		q->next->prev = q;
	dns->queries = q;
	q->linked = true;
	if (queryp)
		*queryp = q;
	start(q, &w);
	sx_sip_dns__settle(dns);
	return 0;
}
