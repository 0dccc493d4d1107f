/*
 * Proxy request processing (RFC 3261 16.3 validation, 16.4 Route
 * processing, 22.3 authentication (auth.c), permissions and forwarding
 * rules (rules.c), 16.5 target determination through the co-located
 * registrar with NAT received routing, 16.11 stateless forwarding of
 * ACK and stray responses).  Stateful forwarding and response selection
 * are in fork.c.
 */
#define SX_LOG_MOD "proxy"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sx/sip/hdrs.h>
#include <sx/sip/print.h>
#include <sx/sip/transport.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "proxy_int.h"

/** Room for the Unsupported lines of a 420. */
#define PX_UNSUPPORTED_MAX 1024u
/** Room for a 403 reason naming a permission. */
#define PX_REASON_MAX 160u
/** Room for a P-Asserted-Identity value we add. */
#define PX_PAI_MAX (3u * SX_SIP_AUTH_MAX_USER_LEN + PX_HOSTPORT_MAX + 16u)
/** Room for a Route a forwarding rule pushes. */
#define PX_FWD_ROUTE_MAX 320u

static void proxy_destroy(void *obj)
{
	struct sx_proxy *px = obj;
	if (px->lock_made) {
		px_fwd_drop_all(px);
		pthread_mutex_destroy(&px->lock);
	}
	if (px->rules_lock_made) {
		px_rules_fini(px);
		pthread_mutex_destroy(&px->rules_lock);
	}
	sx_mem_unref(px->auth);
	sx_mem_unref(px->remote_reg);
	sx_mem_unref(px->dns_servers_buf);
	sx_mem_unref(px->realm);
	sx_mem_unref(px->domain);
}

/* The Route towards a registrar on another host: an IP literal with a
 * port ("10.0.0.2:5060", "[::1]:5060"); names would need DNS at start. */
static int remote_reg_init(struct sx_proxy *px, const char *hostport)
{
	char uri[PX_HOSTPORT_MAX + 16];
	struct sx_sip_uri u;
	int n = snprintf(uri, sizeof(uri), "sip:%s;lr", hostport);

	if (n < 0 || (size_t)n >= sizeof(uri) ||
	    sx_sip_uri_parse(&u, sx_sl_make(uri, (size_t)n)) ||
	    u.user.len || u.host_type == SX_SIP_HOST_NAME)
		return -EINVAL;
	px->remote_reg = sx_mem_zalloc((size_t)n + 3, NULL);
	if (!px->remote_reg)
		return -ENOMEM;
	snprintf(px->remote_reg, (size_t)n + 3, "<%s>", uri);
	return 0;
}

/* [proxy] dns_servers: every comma-separated item an IP literal with an
 * optional port (what c-ares takes, checked here rather than at the
 * first lookup); copied. */
static int dns_servers_init(struct sx_proxy *px, const char *csv)
{
	struct sx_sl rest = sx_sl_cstr(csv);
	struct sx_sa sa;

	if (!rest.len || rest.len > PX_DNS_SERVERS_MAX)
		return -EINVAL;
	while (rest.len) {
		ssize_t comma = sx_sl_chr(rest, ',');
		size_t end = comma < 0 ? rest.len : (size_t)comma;
		struct sx_sl item = sx_sl_trim(sx_sl_sub(rest, 0, end));
		if (sx_sa_parse(&sa, item))
			return -EINVAL;
		rest = comma < 0 ? SX_SL_NULL
		                 : sx_sl_sub(rest, (size_t)comma + 1, rest.len);
		if (comma >= 0 && !rest.len)
			return -EINVAL;
	}
	px->dns_servers_buf = sx_mem_strndup(csv, strlen(csv));
	if (!px->dns_servers_buf)
		return -ENOMEM;
	px->dns_servers = px->dns_servers_buf;
	return 0;
}

int sx_proxy_alloc(struct sx_proxy **proxyp, const struct sx_proxy_prm *prm)
{
	struct sx_proxy *px;

	if (!proxyp || !prm || !prm->domain || !*prm->domain ||
	    prm->serial_ring_ms > SX_PROXY_SERIAL_TIMEOUT_MAX_MS)
		return -EINVAL;
	px = sx_mem_zalloc(sizeof(*px), proxy_destroy);
	if (!px)
		return -ENOMEM;
	int err = -pthread_mutex_init(&px->lock, NULL);
	if (err) {
		sx_mem_unref(px);
		return err;
	}
	px->lock_made = true;
	err = -pthread_mutex_init(&px->rules_lock, NULL);
	if (err) {
		sx_mem_unref(px);
		return err;
	}
	px->rules_lock_made = true;
	px->reg = prm->reg;
	if (!px->reg && prm->remote_registrar) {
		err = remote_reg_init(px, prm->remote_registrar);
		if (err) {
			sx_mem_unref(px);
			return err;
		}
	}
	if (prm->dns_servers) {
		err = dns_servers_init(px, prm->dns_servers);
		if (err) {
			sx_mem_unref(px);
			return err;
		}
	}
	px->serial_ms = prm->serial_ring_ms ? prm->serial_ring_ms
	                                    : SX_PROXY_SERIAL_TIMEOUT_MS;
	px->record_route = prm->record_route;
	px->store = prm->store;
	px->domain = sx_mem_strndup(prm->domain, strlen(prm->domain));
	err = px->domain ? px_auth_init(px, prm) : -ENOMEM;
	if (!err)
		err = px_rules_init(px, prm);
	if (err) {
		sx_mem_unref(px);
		return err;
	}
	*proxyp = px;
	return 0;
}

void px_reply(struct sx_sip_tsx *stsx, uint16_t code, const char *reason,
	      struct sx_sl extra)
{
	int err = sx_sip_tsx_reply(stsx, code, reason, extra, SX_SL_NULL,
				   SX_SL_NULL);
	if (err)
		SX_LOG_WARN_RL("cannot send %u: %s", code, strerror(-err));
}

int px_self(const struct sx_sip_peer *peer, char *buf, size_t cap)
{
	ssize_t n = sx_sa_print(&peer->local, buf, cap);
	return n < 0 ? (int)n : 0;
}

static uint16_t uri_port(const struct sx_sip_uri *uri)
{
	if (uri->has_port)
		return uri->port;
	return uri->scheme == SX_SIP_URI_SIPS ? SX_SIP_PORT_TLS : SX_SIP_PORT;
}

/* Is host:port (port 0 = default) the address @self ("a:p")? */
static bool hostport_is(struct sx_sl host, uint16_t port, const char *self)
{
	char hp[PX_HOSTPORT_MAX];
	int n = snprintf(hp, sizeof(hp), "%.*s:%u", SX_SL_FMT(host),
			 port ? port : SX_SIP_PORT);
	return n > 0 && (size_t)n < sizeof(hp) && !strcmp(hp, self);
}

bool px_uri_is_us(const struct sx_proxy *px, const struct sx_sip_uri *uri,
		  const char *self)
{
	if (uri->scheme != SX_SIP_URI_SIP && uri->scheme != SX_SIP_URI_SIPS)
		return false;
	if (hostport_is(uri->host, uri_port(uri), self))
		return true;
	return !uri->user.len && sx_sl_eq_cstr_nocase(uri->host, px->domain);
}

/*
 * A Request-URI the location service resolves: our domain, and no port
 * or the port the request reached us on.  With the domain set to our
 * address, sip:uas@127.0.0.1:38090 is a device's contact (a remote
 * target), not an address-of-record of ours.
 */
bool px_uri_in_domain(const struct sx_proxy *px, const struct sx_sip_uri *u,
		      const struct sx_sip_peer *in)
{
	if ((u->scheme != SX_SIP_URI_SIP && u->scheme != SX_SIP_URI_SIPS) ||
	    !sx_sl_eq_cstr_nocase(u->host, px->domain))
		return false;
	return !u->has_port || u->port == sx_sa_port(&in->local);
}

int px_next_hop(const struct sx_sip_uri *uri, const struct sx_sip_peer *in,
		struct sx_sip_peer *dst)
{
	struct sx_sl host = uri->host, tp;
	enum sx_sip_proto proto = uri->scheme == SX_SIP_URI_SIPS
				      ? SX_SIP_PROTO_TLS
				      : SX_SIP_PROTO_UDP;

	if (uri->host_type == SX_SIP_HOST_NAME)
		return -EAGAIN;
	if (uri->host_type == SX_SIP_HOST_IPV6 && host.len >= 2)
		host = sx_sl_sub(host, 1, host.len - 2);
	if (sx_sip_param_find(uri->params, SX_SL("transport"), &tp) == 0) {
		proto = sx_sip_proto_lookup(tp);
		if (proto == SX_SIP_PROTO_NONE)
			return -EINVAL;
	}
	memset(dst, 0, sizeof(*dst));
	dst->proto = proto;
	dst->local = in->local;
	uint16_t port = uri->has_port ? uri->port
				      : sx_sip_proto_default_port(proto);
	return sx_sa_set_str(&dst->remote, host, port);
}

/* -- 16.3 validation ------------------------------------------------------ */

static uint32_t hash_mix(uint32_t h, struct sx_sl s)
{
	return (h * 16777619u) ^ sx_sl_hash(s);
}

/* 16.6 step 8: what identifies this request before we touch it. */
static uint32_t loop_hash(const struct sx_sip_msg *msg)
{
	char cseq[16];
	int n = snprintf(cseq, sizeof(cseq), "%u", msg->cseq);
	uint32_t h = sx_sl_hash(msg->ruri_sl);

	h = hash_mix(h, msg->from_tag);
	h = hash_mix(h, msg->to_tag);
	h = hash_mix(h, msg->call_id);
	h = hash_mix(h, sx_sl_make(cseq, n > 0 ? (size_t)n : 0));
	for (size_t i = 0; i < msg->nroutes; i++)
		h = hash_mix(h, msg->routes[i].addr.raw);
	const struct sx_sip_hdr *hd = NULL;
	while ((hd = sx_sip_msg_hdr_next(msg, hd, SX_SIP_HDR_PROXY_REQUIRE)))
		h = hash_mix(h, hd->value);
	return h;
}

/* 16.3 step 4: one of our Vias carrying the same loop hash. */
static bool is_loop(const struct px_req *rq)
{
	char want[16];
	int n = snprintf(want, sizeof(want), "%08x", rq->loop_hash);

	for (size_t i = 0; i < rq->msg->nvias; i++) {
		const struct sx_sip_via *v = &rq->msg->vias[i];
		struct sx_sl val;
		if (sx_sip_param_find(v->params, SX_SL(SX_PROXY_LOOP_PARAM),
				      &val) == 0 &&
		    sx_sl_eq(val, sx_sl_make(want, (size_t)n)) &&
		    hostport_is(v->sent_by.host, v->sent_by.port, rq->self))
			return true;
	}
	return false;
}

/* 16.3 step 5: we support no option tags, so any is unsupported. */
static int proxy_require(const struct sx_sip_msg *msg, char *buf, size_t cap)
{
	size_t len = 0;

	for (const struct sx_sip_hdr *hd = NULL;
	     (hd = sx_sip_msg_hdr_next(msg, hd, SX_SIP_HDR_PROXY_REQUIRE));) {
		int n = snprintf(buf + len, cap - len, "Unsupported: %.*s\r\n",
				 SX_SL_FMT(hd->value));
		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
	return (int)len;
}

/* Returns the status to answer with, 0 when the request is valid. */
static uint16_t validate(const struct px_req *rq, const char **reason,
			 char *extra, size_t cap, size_t *extra_len)
{
	const struct sx_sip_msg *msg = rq->msg;
	int n;

	*reason = NULL;
	if (msg->ruri.scheme == SX_SIP_URI_OTHER)
		return 416;
	if (msg->max_forwards == 0)
		return 483;
	n = proxy_require(msg, extra, cap);
	if (n > 0) {
		*extra_len = (size_t)n;
		return 420;
	}
	if (is_loop(rq)) {
		*reason = "Loop Detected";
		return 482;
	}
	return 0;
}

/* -- 16.4 Route processing ------------------------------------------------ */

/* Pop our top Route, or undo a strict router's rewrite.  0 or a status. */
static uint16_t process_route(struct px_req *rq)
{
	const struct sx_sip_msg *msg = rq->msg;

	if (msg->nroutes && px_uri_is_us(rq->px, &msg->routes[0].addr.uri,
					 rq->self)) {
		rq->pop_route = true;
		return 0;
	}
	if (!msg->nroutes || !px_uri_is_us(rq->px, &msg->ruri, rq->self))
		return 0;
	/* strict routing: the last Route is the real Request-URI */
	const struct sx_sip_route *last = &msg->routes[msg->nroutes - 1];
	if (last->index != 0 ||
	    (msg->nroutes > 1 && msg->routes[msg->nroutes - 2].hdr == last->hdr))
		return 400;
	rq->strict_rm = last->hdr;
	return 0;
}

/* Routes left after Route processing. */
static size_t routes_left(const struct px_req *rq)
{
	return rq->msg->nroutes - (rq->pop_route ? 1 : 0) -
	       (rq->strict_rm ? 1 : 0);
}

const struct sx_sip_uri *px_request_uri(const struct px_req *rq)
{
	const struct sx_sip_msg *msg = rq->msg;
	if (rq->strict_rm)
		return &msg->routes[msg->nroutes - 1].addr.uri;
	return &msg->ruri;
}

/* -- NAT (received routing) ---------------------------------------------- */

/* RFC 1918, RFC 6598 shared, link-local; IPv6 ULA and link-local. */
static bool private_addr(const struct sx_sa *sa)
{
	char buf[SX_SA_STRLEN];
	unsigned a = 0, b = 0;

	if (sx_sa_print_addr(sa, buf, sizeof(buf)) < 0)
		return false;
	if (sx_sa_af(sa) == AF_INET6)
		return !strncasecmp(buf, "fc", 2) || !strncasecmp(buf, "fd", 2) ||
		       !strncasecmp(buf, "fe8", 3) ||
		       !strncasecmp(buf, "fe9", 3) ||
		       !strncasecmp(buf, "fea", 3) || !strncasecmp(buf, "feb", 3);
	if (sscanf(buf, "%u.%u.", &a, &b) != 2)
		return false;
	return a == 10 || (a == 172 && b >= 16 && b <= 31) ||
	       (a == 192 && b == 168) || (a == 100 && b >= 64 && b <= 127) ||
	       (a == 169 && b == 254) || a == 0;
}

bool px_nat_received(const struct sx_sip_uri *uri, struct sx_sl received,
		     struct sx_sl transport)
{
	struct sx_sa rcv, contact;
	struct sx_sl host = uri->host;

	if (!received.len || sx_sa_parse(&rcv, received))
		return false;
	if (uri->host_type == SX_SIP_HOST_IPV6 && host.len >= 2)
		host = sx_sl_sub(host, 1, host.len - 2);
	bool connection = transport.len && !sx_sl_eq_cstr_nocase(transport,
								   "udp");
	if (uri->host_type == SX_SIP_HOST_NAME)
		return connection;
	if (sx_sa_set_str(&contact, host,
			  uri->has_port ? uri->port : SX_SIP_PORT))
		return false;
	if (sx_sa_eq(&contact, &rcv))
		return false;
	return connection || private_addr(&contact);
}

static int received_hop(const struct px_target *t,
			const struct sx_sip_peer *in, struct sx_sip_peer *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->proto = t->transport.len ? sx_sip_proto_lookup(t->transport)
				      : SX_SIP_PROTO_UDP;
	if (dst->proto == SX_SIP_PROTO_NONE)
		dst->proto = SX_SIP_PROTO_UDP;
	dst->local = in->local;
	int err = sx_sa_parse(&dst->remote, t->received);
	if (!err && !sx_sa_port(&dst->remote))
		sx_sa_set_port(&dst->remote,
			       sx_sip_proto_default_port(dst->proto));
	return err;
}

int px_target_hop(const struct px_req *rq, const struct px_target *t,
		  struct sx_sip_peer *dst)
{
	const struct sx_sip_msg *msg = rq->msg;
	struct sx_sip_uri uri;

	if (t->path.len) {
		struct sx_sl rest = t->path, elem;
		struct sx_sip_addr a;
		if (sx_sip_list_next(&rest, &elem) != 1 ||
		    sx_sip_addr_parse(&a, elem))
			return -EINVAL;
		return px_next_hop(&a.uri, rq->peer, dst);
	}
	if (t->received.len && !routes_left(rq))
		return received_hop(t, rq->peer, dst);
	if (routes_left(rq))
		return px_next_hop(&msg->routes[rq->pop_route ? 1 : 0].addr.uri,
				   rq->peer, dst);
	if (t->uri.len) {
		int err = sx_sip_uri_parse(&uri, t->uri);
		return err ? err : px_next_hop(&uri, rq->peer, dst);
	}
	return px_next_hop(px_request_uri(rq), rq->peer, dst);
}

/* -- 16.6 printing -------------------------------------------------------- */

static bool record_routes(const struct px_req *rq)
{
	enum sx_sip_method m = rq->msg->method;
	return rq->px->record_route && !rq->msg->to_tag.len &&
	       (m == SX_SIP_METHOD_INVITE || m == SX_SIP_METHOD_SUBSCRIBE ||
		m == SX_SIP_METHOD_REFER);
}

static void add_prepend(struct sx_sip_edit *e, const char *name,
			struct sx_sl value)
{
	e->prepend[e->nprepend++] =
	    (struct sx_sip_hdr_add){sx_sl_cstr(name), value};
}

int px_print_fwd(const struct px_req *rq, const struct px_target *t,
		 enum sx_sip_proto proto, const char *branch, struct sx_buf *out)
{
	const struct sx_sip_msg *msg = rq->msg;
	struct sx_sip_edit e = {.pop_via = true,
				.pop_route = rq->pop_route,
				.set_max_forwards = true};
	char rr[PX_HOSTPORT_MAX + 32], pai[PX_PAI_MAX];
	struct sx_buf via;
	int err;

	sx_buf_init(&via, SX_PROXY_MSG_MAX);
	sx_buf_printf(&via, "SIP/2.0/%s %s;branch=%s;" SX_PROXY_LOOP_PARAM
		      "=%08x, ", sx_sip_proto_name(proto), rq->self, branch,
		      rq->loop_hash);
	err = sx_sip_via_print_rx(&msg->vias[0], rq->peer, &via);
	if (err)
		goto out;
	e.push_via = sx_buf_sl(&via);
	e.max_forwards = msg->max_forwards < 0 ? SX_PROXY_MAX_FORWARDS
					       : (uint32_t)msg->max_forwards - 1;
	if (t->uri.len)
		e.ruri = t->uri;
	if (rq->strict_rm) {
		e.ruri = px_request_uri(rq)->raw;
		e.remove[e.nremove++] = rq->strict_rm;
	}
	int n = snprintf(rr, sizeof(rr), "<sip:%s;lr%s%s>", rq->self,
			 proto == SX_SIP_PROTO_UDP ? "" : ";transport=",
			 proto == SX_SIP_PROTO_UDP ? "" : sx_sip_proto_name(proto));
	if (record_routes(rq) && n > 0 && (size_t)n < sizeof(rr))
		add_prepend(&e, "Record-Route", sx_sl_make(rr, (size_t)n));
	if (t->path.len)
		add_prepend(&e, "Route", t->path);
	px_identity_edit(rq, t, &e, pai, sizeof(pai));
	err = sx_sip_msg_print(msg, &e, out);
	if (!err)
		err = sx_buf_err(out);
out:
	sx_buf_fini(&via);
	return err;
}

/* -- 16.5 targets --------------------------------------------------------- */

/* A registrar contact as a target; NAT bindings are sent to their
 * source address (the Request-URI stays the contact). */
static int contact_target(const struct sx_registrar_contact *c,
			  struct px_target *t)
{
	struct sx_sip_uri uri;
	int err = sx_sip_uri_parse(&uri, sx_sl_cstr(c->uri));

	if (err)
		return err;
	*t = (struct px_target){
	    .uri = sx_sl_cstr(c->uri), .path = sx_sl_cstr(c->path), .q = c->q};
	if (px_nat_received(&uri, sx_sl_cstr(c->received),
			    sx_sl_cstr(c->transport))) {
		t->received = sx_sl_cstr(c->received);
		t->transport = sx_sl_cstr(c->transport);
	}
	return 0;
}

/* No registrar in this process: the one on another host answers a
 * request to our domain with 3xx, and fork.c recurses on its contacts
 * (16.5: "the proxy MAY ... use a redirect server"); REGISTER goes there
 * as it is.  480 when none is configured. */
static void to_remote_registrar(struct px_req *rq)
{
	if (!rq->px->remote_reg) {
		px_reject(rq, 480, NULL);
		return;
	}
	struct px_target t = {.path = sx_sl_cstr(rq->px->remote_reg)};
	px_fork(rq, &t, 1);
}

/* Targets of a request to our domain, highest q first (16.6); targets
 * needing a permission the caller lacks are left out. */
static void to_registrar(struct px_req *rq)
{
	struct sx_registrar_redirect_res res = {0};
	struct px_target t[SX_PROXY_FORK_MAX];
	char reason[PX_REASON_MAX] = "";
	uint16_t denied = 0;
	size_t n = 0;
	int err;

	if (!rq->px->reg) {
		to_remote_registrar(rq);
		return;
	}
	err = sx_registrar_redirect(rq->px->reg, rq->msg, &res);
	if (err) {
		px_reply(rq->stsx, err == -ENOMEM ? 500 : 400, NULL,
			 SX_SL_NULL);
		return;
	}
	if (res.status != 302 || !res.cs || !res.cs->n) {
		px_reject(rq, res.status == 302 ? 480 : res.status, NULL);
		goto out;
	}
	for (size_t i = 0; i < res.cs->n && n < SX_PROXY_FORK_MAX; i++) {
		uint16_t st;
		if (contact_target(&res.cs->c[i], &t[n]))
			continue;
		struct sx_sip_uri uri;
		if (!sx_sip_uri_parse(&uri, t[n].uri) &&
		    (st = px_permission_check(rq, &uri, reason,
					      sizeof(reason)))) {
			denied = st;
			continue;
		}
		n++;
	}
	if (!n)
		px_reject(rq, denied ? denied : 480, denied ? reason : NULL);
	else
		px_fork(rq, t, n);
out:
	sx_mem_unref(res.cs);
}

/* forwardingrules.xml: 1 when a rule routed the request elsewhere. */
static int by_forwarding_rules(struct px_req *rq)
{
	char route[PX_FWD_ROUTE_MAX];
	int r = px_forward_route(rq, route, sizeof(route));

	if (r == 1) {
		struct px_target t = {.path = sx_sl_cstr(route)};
		px_fork(rq, &t, 1);
	}
	return r == 1;
}

static void route_request(struct px_req *rq)
{
	static const struct px_target keep = {.q = 0};
	char reason[PX_REASON_MAX];

	bool ours = px_uri_in_domain(rq->px, px_request_uri(rq), rq->peer);
	bool routed = rq->pop_route || rq->strict_rm;
	bool in_dialog = rq->msg->to_tag.len;
	bool known = rq->authed || rq->trusted;
	uint16_t st;

	/* no relaying for callers we do not know: neither by the
	 * Request-URI nor by a pre-loaded Route */
	if (!in_dialog && !known && (!ours || routes_left(rq))) {
		px_reply(rq->stsx, 403, "Relaying Denied", SX_SL_NULL);
		return;
	}
	st = px_permission_check(rq, px_request_uri(rq), reason,
				 sizeof(reason));
	if (st) {
		px_reject(rq, st, reason);
		return;
	}
	/* 16.4/12.2: a mid-dialog request routed through us carries the
	 * remote target in its Request-URI: no location lookup */
	if (routes_left(rq) || (routed && (!ours || in_dialog))) {
		px_fork(rq, &keep, 1);
		return;
	}
	if (by_forwarding_rules(rq))
		return;
	if (ours)
		to_registrar(rq);
	else
		px_reply(rq->stsx, 403, "Relaying Denied", SX_SL_NULL);
}

static int req_init(struct px_req *rq, struct sx_proxy *px,
		    const struct sx_sip_msg *msg, const struct sx_sip_peer *peer)
{
	memset(rq, 0, sizeof(*rq));
	rq->px = px;
	rq->msg = msg;
	rq->peer = peer;
	rq->loop_hash = loop_hash(msg);
	rq->trusted = px_is_trusted(px, &peer->remote);
	return px_self(peer, rq->self, sizeof(rq->self));
}

void sx_proxy_request(struct sx_proxy *px, struct sx_ev *loop,
		      struct sx_sip_tsx *stsx, const struct sx_sip_msg *msg,
		      const struct sx_sip_peer *peer)
{
	char extra[PX_UNSUPPORTED_MAX];
	size_t extra_len = 0;
	const char *reason;
	struct px_req rq;
	uint16_t st;

	if (msg->method == SX_SIP_METHOD_REGISTER && px->reg) {
		sx_registrar_request(px->reg, loop, stsx, msg, peer);
		return;
	}
	if (req_init(&rq, px, msg, peer) || !msg->nvias) {
		px_reply(stsx, 500, NULL, SX_SL_NULL);
		return;
	}
	rq.stsx = stsx;
	rq.loop = loop;
	st = validate(&rq, &reason, extra, sizeof(extra), &extra_len);
	if (!st)
		st = process_route(&rq);
	if (st) {
		px_reply(stsx, st, reason, sx_sl_make(extra, extra_len));
		return;
	}
	if (!px_authenticate(&rq))
		route_request(&rq);
}

/* -- 16.11 stateless ------------------------------------------------------ */

void sx_proxy_stateless(struct sx_proxy *px, struct sx_sip_tsx_layer *layer,
			const struct sx_sip_msg *msg,
			const struct sx_sip_peer *peer)
{
	static const struct px_target keep = {.q = 0};
	char branch[SX_SIP_BRANCH_SIZE];
	struct sx_sip_peer dst;
	struct px_req rq;
	struct sx_buf out;
	int err;

	if (msg->method != SX_SIP_METHOD_ACK || !msg->nvias ||
	    msg->max_forwards == 0 || req_init(&rq, px, msg, peer))
		return;
	if (process_route(&rq) || !(rq.pop_route || rq.strict_rm))
		return; /* not routed through us: nothing to forward */
	if (px_target_hop(&rq, &keep, &dst))
		return;
	/* 16.11: the same ACK always gets the same branch */
	snprintf(branch, sizeof(branch), "z9hG4bKsxsl%08x",
		 sx_sl_hash(msg->vias[0].branch) ^ rq.loop_hash);
	sx_buf_init(&out, SX_PROXY_MSG_MAX);
	err = px_print_fwd(&rq, &keep, dst.proto, branch, &out);
	if (!err)
		err = sx_sip_tsx_send_stateless(layer, &dst, out.p, out.len);
	if (err)
		SX_LOG_WARN_RL("cannot forward ACK: %s", strerror(-err));
	sx_buf_fini(&out);
}

static bool via_is_ours(const struct sx_sip_via *v, const char *self)
{
	return sx_sip_param_find(v->params, SX_SL(SX_PROXY_LOOP_PARAM),
				 NULL) == 0 &&
	       hostport_is(v->sent_by.host, v->sent_by.port, self);
}

void px_forward_response(struct sx_sip_tsx_layer *layer,
			 const struct sx_sip_msg *msg)
{
	struct sx_sip_edit e = {.pop_via = true};
	struct sx_sip_peer dst;
	struct sx_buf out;
	int err;

	if (msg->nvias < 2 ||
	    sx_sip_via_response_dst(&msg->vias[1], NULL, &dst))
		return; /* names needing DNS are not resolved here yet */
	sx_buf_init(&out, SX_PROXY_MSG_MAX);
	err = sx_sip_msg_print(msg, &e, &out);
	if (!err)
		err = sx_buf_err(&out);
	if (!err)
		err = sx_sip_tsx_send_stateless(layer, &dst, out.p, out.len);
	if (err)
		SX_LOG_WARN_RL("cannot forward %u: %s", msg->status,
			       strerror(-err));
	sx_buf_fini(&out);
}

void sx_proxy_stray(struct sx_sip_tsx_layer *layer, const struct sx_sip_msg *msg,
		    const struct sx_sip_peer *peer)
{
	char self[PX_HOSTPORT_MAX];

	if (!msg->nvias || px_self(peer, self, sizeof(self)) ||
	    !via_is_ours(&msg->vias[0], self))
		return;
	px_forward_response(layer, msg);
}
