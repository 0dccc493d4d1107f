/*
 * Request dispatch of the host process: each new server transaction goes
 * to the service owning the local port it arrived on, or to the front
 * service (the proxy when enabled, else the registrar) on the main port.
 * OPTIONS addressed to the host itself - a Request-URI without user part,
 * or Max-Forwards 0 (RFC 3261 11, 16.3 step 3) - is answered here with
 * 200, Allow, Accept and Supported (RFC 3261 11.2), which health checks
 * use.
 */
#define SX_LOG_MOD "host.dispatch"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sx/util/log.h>
#include <sx/util/sl.h>

#include "host_int.h"

/** Methods the host itself answers. */
#define HOST_ALLOW "OPTIONS"
/** Body types accepted (RFC 3261 11.2: Accept in OPTIONS answers). */
#define HOST_ACCEPT "application/sdp"
/** Room for the extra header lines of an OPTIONS answer. */
#define OPTIONS_HDRS_MAX (2 * SX_HOST_HDR_MAX + 64)

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

static void reply(struct sx_sip_tsx *stsx, uint16_t code, struct sx_sl extra)
{
	int err =
	    sx_sip_tsx_reply(stsx, code, NULL, extra, SX_SL_NULL, SX_SL_NULL);

	if (err)
		SX_LOG_WARN_RL("cannot send %u: %s", code, strerror(-err));
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
	if (options_for_host(req)) {
		reply_options(h, stsx);
		return;
	}
	struct sx_host_svc *svc = sx_host__service_for(h, peer);
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
