/*
 * The proxy as a hosted service (include/sx/server/service.h): its
 * [proxy] config schema, the glue to the co-located registrar (RFC 3261
 * 16.5 target determination in process) and to the host's credentials
 * (RFC 3261 22.3: the proxy's own 407 engine looks HA1 up through
 * sx_host_ha1_lookup()).
 */
#define SX_LOG_MOD "proxy"

#include <errno.h>
#include <stddef.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "proxy_int.h"

#define OFF(f) offsetof(struct sx_proxy_cfg, f)

const struct sx_conf_key sx_proxy_conf_keys[] = {
    {"record_route", SX_CONF_BOOL, OFF(record_route), "yes", 0, 0, false,
     "Record-Route INVITE, SUBSCRIBE and REFER so in-dialog requests pass "
     "through the proxy"},
    {"authenticate", SX_CONF_BOOL, OFF(authenticate), "yes", 0, 0, false,
     "407-challenge INVITE, REFER, SUBSCRIBE, MESSAGE and PUBLISH from "
     "users of our domain (no = trust From, for benchmarks only)"},
    {"md5_first", SX_CONF_BOOL, OFF(md5_first), "yes", 0, 0, false,
     "offer the MD5 challenge before SHA-256 (phones that answer only "
     "the first one)"},
    {"trusted", SX_CONF_STR, OFF(trusted), NULL, 0, 0, false,
     "comma-separated IP addresses (gateways, media server) whose "
     "requests need no authentication and whose P-Asserted-Identity is "
     "kept"},
    {"authrules", SX_CONF_STR, OFF(authrules), NULL, 0, 0, false,
     "authrules.xml: permissions targets need (reloaded when it changes)"},
    {"permissions", SX_CONF_STR, OFF(permissions), NULL, 0, 0, false,
     "permission.xml: the permissions of each user (reloaded when it "
     "changes)"},
    {"forwardingrules", SX_CONF_STR, OFF(forwardingrules), NULL, 0, 0,
     false, "forwardingrules.xml: which service gets a request (reloaded "
     "when it changes)"},
    {"registrar", SX_CONF_STR, OFF(registrar), NULL, 0, 0, false,
     "ip:port of the registrar/redirect server when it runs in another "
     "process or host: REGISTER is forwarded there, calls to our domain "
     "get its 302 and the proxy follows the contacts (default: the "
     "registrar of this process)"},
    {"dns_servers", SX_CONF_STR, OFF(dns_servers), NULL, 0, 0, false,
     "name servers for RFC 3263 lookups of next hops, comma separated "
     "\"ip\", \"ip:port\" or \"[v6]:port\" (default: "
     "/etc/resolv.conf)"},
    {"serial_ring_s", SX_CONF_U32, OFF(serial_ring_s), "20", 1,
     SX_PROXY_SERIAL_TIMEOUT_MAX_MS / 1000u, false,
     "how long the contacts of one q value ring before the next lower q "
     "group is tried (serial forking), seconds"},
};
const size_t sx_proxy_conf_nkeys = SX_ARRAY_SIZE(sx_proxy_conf_keys);

static int svc_start(void **svcp, struct sx_host *host, const void *cfg)
{
	const struct sx_proxy_cfg *c = cfg;
	size_t secret_len = 0;
	const uint8_t *secret = sx_host_auth_secret(host, &secret_len);
	struct sx_proxy_prm prm = {
	    .domain = sx_host_domain(host),
	    .reg = sx_registrar_of_service(sx_host_service(host, "registrar")),
	    .record_route = c->record_route,
	    .store = sx_host_store(host),
	    .lookup = c->authenticate ? sx_host_ha1_lookup : NULL,
	    .lookup_arg = host,
	    .realm = sx_host_realm(host),
	    .md5_first = c->md5_first,
	    .algs = sx_host_digest_algs(host),
	    .secret = secret,
	    .secret_len = secret_len,
	    .trusted = c->trusted,
	    .authrules = c->authrules,
	    .permissions = c->permissions,
	    .forwardingrules = c->forwardingrules,
	    .remote_registrar = c->registrar,
	    .dns_servers = c->dns_servers,
	    .serial_ring_ms = c->serial_ring_s * 1000u,
	};
	struct sx_proxy *px = NULL;
	int err = sx_proxy_alloc(&px, &prm);

	if (!err && !prm.reg && !c->registrar)
		SX_LOG_WARN("no registrar in this process and no [proxy] "
			    "registrar: requests to %s get 480", prm.domain);
	if (err == -EINVAL && !prm.reg && c->registrar)
		SX_LOG_ERR("[proxy] registrar = %s: not an ip:port",
			   c->registrar);
	if (err == -EINVAL && c->dns_servers)
		SX_LOG_ERR("[proxy] dns_servers = %s: each item must be an "
			   "ip, ip:port or [v6]:port", c->dns_servers);
	if (!err && !c->authenticate)
		SX_LOG_WARN("[proxy] authenticate = no: callers of %s are "
			    "not authenticated", prm.domain);
	if (!err)
		*svcp = px;
	return err;
}

static void svc_request(void *svc, struct sx_worker *w, struct sx_sip_tsx *stsx,
			const struct sx_sip_msg *msg,
			const struct sx_sip_peer *peer)
{
	sx_proxy_request(svc, sx_worker_loop(w), stsx, msg, peer);
}

static void svc_stateless(void *svc, struct sx_worker *w,
			  const struct sx_sip_msg *msg,
			  const struct sx_sip_peer *peer)
{
	sx_proxy_stateless(svc, sx_worker_tsx(w), msg, peer);
}

static void svc_cancel(void *svc, struct sx_sip_tsx *invite,
		       const struct sx_sip_msg *cancel)
{
	(void)svc;
	sx_proxy_cancel(invite, cancel);
}

static void svc_stray(void *svc, struct sx_worker *w,
		      const struct sx_sip_msg *msg,
		      const struct sx_sip_peer *peer)
{
	(void)svc;
	sx_proxy_stray(sx_worker_tsx(w), msg, peer);
}

static void svc_stop(void *svc)
{
	sx_mem_unref(svc);
}

const struct sx_service_ops sx_proxy_service = {
    .name = "proxy",
    .keys = sx_proxy_conf_keys,
    .nkeys = SX_ARRAY_SIZE(sx_proxy_conf_keys),
    .cfg_size = sizeof(struct sx_proxy_cfg),
    .allow = "INVITE, ACK, BYE, CANCEL, REGISTER, SUBSCRIBE, NOTIFY, REFER, "
	     "MESSAGE, INFO, UPDATE, PRACK, PUBLISH",
    .start = svc_start,
    .request = svc_request,
    .stateless = svc_stateless,
    .cancel = svc_cancel,
    .stray = svc_stray,
    .stop = svc_stop,
};
