/*
 * sipxecs-echo: the host process (servers/common) with one test service,
 * "echo", to exercise what the host does for any service (RFC 3261 8.2,
 * 17): its config section, its own port, dispatch, SIGHUP reload, and the
 * hand-over of responses between workers.
 *
 * [echo] port = N (0 = none), code = S (reloadable; default 200).
 * Every request is answered S with "X-Echo-Worker: <id>".  A request
 * with "X-Echo-Relay: ip:port" first sends an OPTIONS there in a client
 * transaction of the worker that got it, and answers with that
 * transaction's final status plus "X-Echo-Worker: <id of the worker that
 * saw the response>"; the response may reach any worker (SO_REUSEPORT),
 * so the test sees whether the host hands it to the owner.
 */
#define SX_LOG_MOD "test.echo"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <sx/server/service.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "host.h"

/** Room for the relayed request and the reply header. */
#define ECHO_MSG_MAX 1024
#define ECHO_HDR_MAX 64

struct echo_cfg {
	uint32_t port;
	uint32_t code;
};

struct echo {
	_Atomic uint32_t code; /**< reloadable */
};

static const struct sx_conf_key echo_keys[] = {
    {"port", SX_CONF_U32, offsetof(struct echo_cfg, port), "0", 0, 65535, false,
     "own SIP port (0 = none)"},
    {"code", SX_CONF_U32, offsetof(struct echo_cfg, code), "200", 200, 699,
     true, "status of the answers"},
};

static int echo_start(void **svcp, struct sx_host *host, const void *cfg)
{
	const struct echo_cfg *c = cfg;
	struct echo *e = sx_mem_zalloc(sizeof(*e), NULL);

	(void)host;
	if (!e)
		return -ENOMEM;
	atomic_store(&e->code, c->code);
	*svcp = e;
	return 0;
}

static void reply(struct sx_sip_tsx *stsx, struct sx_worker *w, uint16_t code)
{
	char hdr[ECHO_HDR_MAX];
	int n = snprintf(hdr, sizeof(hdr), "X-Echo-Worker: %u\r\n",
	                 sx_worker_id(w));

	if (sx_sip_tsx_reply(stsx, code, NULL, sx_sl_make(hdr, (size_t)n),
	                     SX_SL_NULL, SX_SL_NULL))
		SX_LOG_WARN("echo: reply failed");
}

/* What a relay waits with: the original transaction and its worker. */
struct relay {
	struct sx_sip_tsx *stsx;
	struct sx_worker *w;
};

static void relay_resp(struct sx_sip_tsx *ctsx, uint16_t status,
                       const struct sx_sip_msg *resp, void *arg)
{
	struct relay *r = arg;

	(void)ctsx;
	(void)resp;
	if (status < 200)
		return;
	reply(r->stsx, r->w, status);
	sx_mem_unref(r->stsx);
	sx_mem_unref(r);
}

static int relay_send(struct sx_worker *w, struct sx_sip_tsx *stsx,
                      struct sx_sl target, const struct sx_sip_peer *peer)
{
	struct sx_sip_tsx_layer *layer = sx_worker_tsx(w);
	char branch[SX_SIP_BRANCH_SIZE], local[SX_SA_STRLEN], buf[ECHO_MSG_MAX];
	struct sx_sip_tsx_req_prm prm = {
	    .dst = {.proto = SX_SIP_PROTO_UDP, .local = peer->local}};
	struct sx_sip_tsx *ctsx = NULL;

	if (sx_sa_parse(&prm.dst.remote, target) ||
	    sx_sa_print(&peer->local, local, sizeof(local)) < 0)
		return -EINVAL;
	sx_sip_branch_make(layer, branch);
	int n = snprintf(buf, sizeof(buf),
	                 "OPTIONS sip:%.*s SIP/2.0\r\n"
	                 "Via: SIP/2.0/UDP %s;branch=%s\r\n"
	                 "Max-Forwards: 70\r\n"
	                 "From: <sip:echo@%s>;tag=%s\r\n"
	                 "To: <sip:%.*s>\r\n"
	                 "Call-ID: %s\r\n"
	                 "CSeq: 1 OPTIONS\r\n"
	                 "Content-Length: 0\r\n\r\n",
	                 SX_SL_FMT(target), local, branch, local, branch + 7,
	                 SX_SL_FMT(target), branch);
	struct relay *r = sx_mem_zalloc(sizeof(*r), NULL);
	if (!r)
		return -ENOMEM;
	*r = (struct relay){sx_mem_ref(stsx), w};
	prm.buf = buf;
	prm.len = (size_t)n;
	prm.resp_h = relay_resp;
	prm.arg = r;
	int err = sx_sip_tsx_request(&ctsx, layer, &prm);
	if (err) {
		sx_mem_unref(r->stsx);
		sx_mem_unref(r);
		return err;
	}
	sx_mem_unref(ctsx);
	return 0;
}

static void echo_request(void *svc, struct sx_worker *w,
                         struct sx_sip_tsx *stsx, const struct sx_sip_msg *msg,
                         const struct sx_sip_peer *peer)
{
	struct echo *e = svc;
	const struct sx_sip_hdr *relay =
	    sx_sip_msg_hdr_by_name(msg, SX_SL("X-Echo-Relay"));

	if (!relay) {
		reply(stsx, w, (uint16_t)atomic_load(&e->code));
		return;
	}
	if (relay_send(w, stsx, relay->value, peer))
		reply(stsx, w, 500);
}

static int echo_reload(void *svc, const void *cfg)
{
	struct echo *e = svc;
	const struct echo_cfg *c = cfg;

	atomic_store(&e->code, c->code);
	return 0;
}

static void echo_stop(void *svc)
{
	sx_mem_unref(svc);
}

static uint16_t echo_port(const void *cfg)
{
	return (uint16_t)((const struct echo_cfg *)cfg)->port;
}

static const struct sx_service_ops echo_service = {
    .name = "echo",
    .keys = echo_keys,
    .nkeys = SX_ARRAY_SIZE(echo_keys),
    .cfg_size = sizeof(struct echo_cfg),
    .start = echo_start,
    .request = echo_request,
    .reload = echo_reload,
    .stop = echo_stop,
    .allow = "MESSAGE, INFO",
    .supported = "path",
    .port = echo_port,
};

int main(int argc, char **argv)
{
	static const struct sx_service_ops *const svcs[] = {&echo_service};

	return sx_host_main(argc, argv, "sipxecs-echo", svcs, 1);
}
