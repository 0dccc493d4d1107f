/*
 * Request dispatch of the host process: each new server transaction goes
 * to the service owning the local port it arrived on, or to the front
 * service (the proxy when enabled, else the registrar) on the main port.
 * OPTIONS addressed to the host itself - a Request-URI without user part,
 * or Max-Forwards 0 (RFC 3261 11, 16.3 step 3) - is answered here with
 * 200, Allow, Accept and Supported (RFC 3261 11.2), which health checks
 * use.  Before any service sees a request the host runs the checks of
 * RFC 3261 8.2.2 and 8.2.3 that need no service state (RFC 4475 3.1.2.11,
 * 3.1.2.12, 3.3.2, 3.3.3, 3.3.5, 3.3.6, 3.3.15): headers in the
 * Request-URI (400, 19.1.1), an unknown URI scheme (416, also for a proxy,
 * 16.3 step 2) and, where the host or the service acts as a UAS rather
 * than forwarding, a Date not in GMT (400, 20.17; not for REGISTER),
 * unknown Require option tags (420), and for INVITE a body type it
 * cannot read (415) or an Accept without SDP (406).
 */
#define SX_LOG_MOD "host.dispatch"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sx/sip/hdrs.h>
#include <sx/util/log.h>
#include <sx/util/sl.h>

#include "host_int.h"

/** Methods the host itself answers. */
#define HOST_ALLOW "OPTIONS"
/** Body types accepted (RFC 3261 11.2: Accept in OPTIONS answers). */
#define HOST_ACCEPT "application/sdp"
/** Room for the extra header lines of an OPTIONS answer. */
#define OPTIONS_HDRS_MAX (2 * SX_HOST_HDR_MAX + 64)
/** Room for the extra header lines of a rejection (Unsupported, Accept). */
#define REJECT_HDRS_MAX (SX_HOST_HDR_MAX + 64)
/** Body types of an INVITE a UAS here reads (RFC 3261 8.2.3), as the
 *  Accept value of a 415: SDP, alone or in a multipart body (RFC 5621). */
#define HOST_BODY_ACCEPT "application/sdp, multipart/mixed"
/** Warning of a 406 (RFC 3261 20.43: 399 miscellaneous). */
#define NO_SDP_WARNING "399 sipxecs \"Accept does not allow SDP\""

/** A rejection found by the checks before dispatch. */
struct reject {
	uint16_t code;      /**< 0 = none */
	const char *reason; /**< NULL = the default phrase */
	char hdrs[REJECT_HDRS_MAX];
	size_t len; /**< of hdrs */
};

/* Does the comma-separated @list already hold @tok? */
static bool list_has(const char *list, struct sx_sl tok)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ", ");
		if (n && n == tok.len && strncasecmp(p, tok.p, n) == 0)
			return true;
		p += n;
		p += strspn(p, ", ");
	}
	return false;
}

/* Append the tokens of @add to @list (size @cap) without duplicates. */
static void list_merge(char *list, size_t cap, const char *add)
{
	const char *p = add ? add : "";

	while (*p) {
		p += strspn(p, ", \t");
		size_t n = strcspn(p, ", \t");
		struct sx_sl tok = sx_sl_make(p, n);
		size_t len = strlen(list);
		if (n && !list_has(list, tok) && len + n + 3 < cap)
			snprintf(list + len, cap - len, "%s%.*s",
			         len ? ", " : "", (int)n, p);
		p += n;
	}
}

void sx_host__dispatch_init(struct sx_host *h)
{
	snprintf(h->allow, sizeof(h->allow), "%s", HOST_ALLOW);
	h->supported[0] = '\0';
	for (size_t i = 0; i < h->nsvc; i++) {
		list_merge(h->allow, sizeof(h->allow), h->svc[i].ops->allow);
		list_merge(h->supported, sizeof(h->supported),
		           h->svc[i].ops->supported);
	}
}

/* RFC 3261 11: OPTIONS for the host rather than a user behind it. */
static bool options_for_host(const struct sx_sip_msg *req)
{
	return req->method == SX_SIP_METHOD_OPTIONS &&
	       (req->max_forwards == 0 || !req->ruri.has_user ||
	        !req->ruri.user.len);
}

static void reply_reason(struct sx_sip_tsx *stsx, uint16_t code,
                         const char *reason, struct sx_sl extra)
{
	int err =
	    sx_sip_tsx_reply(stsx, code, reason, extra, SX_SL_NULL, SX_SL_NULL);

	if (err)
		SX_LOG_WARN_RL("cannot send %u: %s", code, strerror(-err));
}

static void reply(struct sx_sip_tsx *stsx, uint16_t code, struct sx_sl extra)
{
	reply_reason(stsx, code, NULL, extra);
}

/* Append a header line to @rj (dropped, not cut, when out of room). */
static void reject_hdr(struct reject *rj, const char *name, struct sx_sl v)
{
	size_t room = sizeof(rj->hdrs) - rj->len;
	int n = snprintf(rj->hdrs + rj->len, room, "%s: %.*s\r\n", name,
	                 SX_SL_FMT(v));

	if (n > 0 && (size_t)n < room)
		rj->len += (size_t)n;
}

/* RFC 3261 8.2.2.3: one Unsupported line per Require tag not in
 * @supported (a comma-separated list).  True when there was one. */
static bool unsupported_tags(const struct sx_sip_msg *req,
                             const char *supported, struct reject *rj)
{
	struct sx_sip_msg_iter it;
	struct sx_sl elem;
	bool any = false;

	sx_sip_msg_iter_init(&it, req, SX_SIP_HDR_REQUIRE);
	while (sx_sip_msg_iter_next(&it, &elem, NULL) > 0) {
		ssize_t semi = sx_sl_chr(elem, ';');
		struct sx_sl tok = sx_sl_trim(
		    semi < 0 ? elem : sx_sl_sub(elem, 0, (size_t)semi));
		if (!tok.len || list_has(supported, tok))
			continue;
		reject_hdr(rj, "Unsupported", tok);
		any = true;
	}
	return any;
}

/* RFC 3261 20.11: a body marked handling=optional may be ignored. */
static bool body_optional(const struct sx_sip_msg *req)
{
	const struct sx_sip_hdr *cd =
	    sx_sip_msg_hdr(req, SX_SIP_HDR_CONTENT_DISPOSITION);
	struct sx_sl val;

	if (!cd)
		return false;
	ssize_t semi = sx_sl_chr(cd->value, ';');
	if (semi < 0)
		return false;
	struct sx_sl params = sx_sl_sub(cd->value, (size_t)semi + 1,
	                                cd->value.len - (size_t)semi - 1);
	return sx_sip_param_find(params, SX_SL("handling"), &val) == 0 &&
	       sx_sl_eq_cstr_nocase(val, "optional");
}

/* RFC 3261 8.2.3: can a UAS here read the INVITE's body? */
static bool body_readable(const struct sx_sip_msg *req)
{
	const struct sx_sip_hdr *ct =
	    sx_sip_msg_hdr(req, SX_SIP_HDR_CONTENT_TYPE);
	struct sx_sip_mtype m;

	if (!req->body.len || body_optional(req))
		return true;
	if (!ct || sx_sip_mtype_parse(&m, ct->value))
		return false;
	return sx_sip_mtype_eq(&m, "application", "sdp") ||
	       sx_sl_eq_cstr_nocase(m.type, "multipart");
}

/* RFC 3261 20.1: no Accept means application/sdp; else one range must
 * match it, as the answer to an INVITE carries SDP (RFC 4475 3.3.15). */
static bool accepts_sdp(const struct sx_sip_msg *req)
{
	struct sx_sip_msg_iter it;
	struct sx_sip_mtype m;
	struct sx_sl elem;
	bool seen = false;

	sx_sip_msg_iter_init(&it, req, SX_SIP_HDR_ACCEPT);
	while (sx_sip_msg_iter_next(&it, &elem, NULL) > 0) {
		seen = true;
		if (!sx_sip_mtype_parse(&m, elem) &&
		    sx_sip_mtype_match(&m, "application", "sdp"))
			return true;
	}
	return !seen;
}

/* A Date in any zone but GMT, or unreadable (RFC 3261 20.17). */
static bool bad_date(const struct sx_sip_msg *req)
{
	const struct sx_sip_hdr *d = sx_sip_msg_hdr(req, SX_SIP_HDR_DATE);
	time_t t;

	return d && sx_sip_date_parse(d->value, &t) != 0;
}

/* The checks a UAS runs before the method's own (RFC 3261 8.2.2, 8.2.3);
 * @supported lists its option tags. */
static void check_uas(const struct sx_sip_msg *req, const char *supported,
                      struct reject *rj)
{
	/* a registrar never reads the client's Date (RFC 3261 10.3 step 8
	 * sends its own): a phone with a broken clock format may register */
	if (req->method != SX_SIP_METHOD_REGISTER && bad_date(req)) {
		*rj = (struct reject){.code = 400, .reason = "Bad Date"};
	} else if (unsupported_tags(req, supported, rj)) {
		rj->code = 420;
	} else if (req->method == SX_SIP_METHOD_INVITE && !body_readable(req)) {
		rj->code = 415;
		reject_hdr(rj, "Accept", SX_SL(HOST_BODY_ACCEPT));
	} else if (req->method == SX_SIP_METHOD_INVITE && !accepts_sdp(req)) {
		rj->code = 406;
		reject_hdr(rj, "Warning", SX_SL(NO_SDP_WARNING));
	}
}

/*
 * Checks before dispatch.  @svc is the service the request goes to (NULL
 * if none); @for_host: the host answers it itself.  A service that
 * forwards (a proxy, ops->stateless) checks Proxy-Require and the rest
 * itself (RFC 3261 16.3); Require is end-to-end for it.
 */
static void check_request(const struct sx_host *h,
                          const struct sx_host_svc *svc,
                          const struct sx_sip_msg *req, bool for_host,
                          struct reject *rj)
{
	rj->code = 0;
	rj->reason = NULL;
	rj->len = 0;
	if (req->ruri.scheme != SX_SIP_URI_OTHER && req->ruri.headers.len) {
		/* RFC 3261 19.1.1: headers are not allowed in a Request-URI */
		rj->code = 400;
		rj->reason = "Headers in Request-URI";
	} else if (req->ruri.scheme == SX_SIP_URI_OTHER) {
		rj->code = 416; /* RFC 3261 8.2.2.1, 16.3 step 2 */
	} else if (for_host) {
		check_uas(req, h->supported, rj);
	} else if (svc && !svc->ops->stateless) {
		check_uas(req, svc->ops->supported ? svc->ops->supported : "",
		          rj);
	}
}

static void reply_options(struct sx_host *h, struct sx_sip_tsx *stsx)
{
	char hdrs[OPTIONS_HDRS_MAX];
	int n = snprintf(hdrs, sizeof(hdrs),
	                 "Allow: %s\r\nAccept: %s\r\nSupported: %s\r\n",
	                 h->allow, HOST_ACCEPT, h->supported);

	reply(stsx, 200, sx_sl_make(hdrs, (size_t)n));
}

/* The service owning the local port, else the front service. */
struct sx_host_svc *sx_host__service_for(struct sx_host *h,
                                         const struct sx_sip_peer *peer)
{
	uint16_t port = sx_sa_port(&peer->local);

	for (size_t i = 0; i < h->nsvc; i++)
		if (h->svc[i].port && h->svc[i].port == port)
			return &h->svc[i];
	return h->front;
}

void sx_host__on_request(struct sx_sip_tsx *stsx, const struct sx_sip_msg *req,
                         const struct sx_sip_peer *peer, void *arg)
{
	struct sx_worker *w = arg;
	struct sx_host *h = w->host;
	char allow[SX_HOST_HDR_MAX + 16];

	if (atomic_load(&h->stopping)) {
		reply(stsx, 503, SX_SL_NULL);
		return;
	}
	struct sx_host_svc *svc = sx_host__service_for(h, peer);
	bool for_host = options_for_host(req);
	struct reject rj;
	check_request(h, svc, req, for_host, &rj);
	if (rj.code) {
		reply_reason(stsx, rj.code, rj.reason,
		             sx_sl_make(rj.hdrs, rj.len));
		return;
	}
	if (for_host) {
		reply_options(h, stsx);
		return;
	}
	if (svc) {
		svc->ops->request(svc->svc, w, stsx, req, peer);
		return;
	}
	/* RFC 3261 8.2.1: no service here handles it */
	int n = snprintf(allow, sizeof(allow), "Allow: %s\r\n", h->allow);
	reply(stsx, 405, sx_sl_make(allow, (size_t)n));
}

/* sx_sip_tsx_stateless_h: ACK for a 2xx, unmatched requests. */
void sx_host__on_stateless(struct sx_sip_tsx_layer *layer,
                           const struct sx_sip_msg *msg,
                           const struct sx_sip_peer *peer, void *arg)
{
	struct sx_worker *w = arg;
	struct sx_host_svc *svc = sx_host__service_for(w->host, peer);

	(void)layer;
	if (svc && svc->ops->stateless && !atomic_load(&w->host->stopping))
		svc->ops->stateless(svc->svc, w, msg, peer);
}

/* sx_sip_tsx_cancel_h: to the service that got the INVITE. */
void sx_host__on_cancel(struct sx_sip_tsx *invite,
                        const struct sx_sip_msg *cancel, void *arg)
{
	struct sx_worker *w = arg;
	struct sx_host_svc *svc =
	    sx_host__service_for(w->host, sx_sip_tsx_peer(invite));

	if (svc && svc->ops->cancel)
		svc->ops->cancel(svc->svc, invite, cancel);
}

/* sx_sip_tsx_stray_h: responses for no client transaction of ours. */
void sx_host__on_stray(struct sx_sip_tsx_layer *layer,
                       const struct sx_sip_msg *msg,
                       const struct sx_sip_peer *peer, void *arg)
{
	struct sx_worker *w = arg;
	struct sx_host_svc *svc = w->host->front;

	(void)layer;
	if (svc && svc->ops->stray && !atomic_load(&w->host->stopping))
		svc->ops->stray(svc->svc, w, msg, peer);
}
