/*
 * The registrar as a hosted service (include/sx/server/service.h): its
 * [registrar] config schema (STYLE.md 2.8) and the glue to the host's
 * store, credentials and workers.  Its digest engine (RFC 7616) is its
 * own, built from the host's realm, HA1 lookup, [sip] digest_algorithms
 * and nonce secret with the challenge order of [registrar] md5_first
 * (RFC 8760 2.4), and rebuilt when a reload changes that order.  The
 * expiry sweep runs on a small loop thread of its own, so it does not
 * depend on any worker's life.
 */
#define SX_LOG_MOD "registrar"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include <sx/server/registrar.h>
#include <sx/store/store.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "registrar_int.h"

#define OFF(f) offsetof(struct sx_registrar_cfg, f)
#define STR(x) #x
#define NUM(x) STR(x)

const struct sx_conf_key sx_registrar_conf_keys[] = {
    {"port", SX_CONF_U32, OFF(port), NUM(SX_REGISTRAR_PORT_DEFAULT), 0, 65535,
     false, "SIP port of the registrar and redirect server"},
    {"min_expires", SX_CONF_U32, OFF(min_expires),
     NUM(SX_REGISTRAR_MIN_EXPIRES_DEFAULT), 1, SX_REGISTRAR_EXPIRES_MAX, true,
     "shortest registration, seconds; shorter ones get 423 with Min-Expires"},
    {"max_expires", SX_CONF_U32, OFF(max_expires),
     NUM(SX_REGISTRAR_MAX_EXPIRES_DEFAULT), 1, SX_REGISTRAR_EXPIRES_MAX, true,
     "longest registration granted, seconds; longer requests are shortened"},
    {"default_expires", SX_CONF_U32, OFF(default_expires),
     NUM(SX_REGISTRAR_DEFAULT_EXPIRES_DEFAULT), 1, SX_REGISTRAR_EXPIRES_MAX,
     true, "expiry when the REGISTER gives neither Expires nor expires="},
    {"max_bindings", SX_CONF_U32, OFF(max_bindings),
     NUM(SX_REGISTRAR_MAX_BINDINGS_DEFAULT), 1, SX_REGISTRAR_BINDINGS_MAX,
     true, "contacts per address-of-record; more are refused with 403"},
    {"authenticate", SX_CONF_BOOL, OFF(authenticate), "yes", 0, 0, true,
     "challenge REGISTER with digest authentication (401)"},
    {"md5_first", SX_CONF_BOOL, OFF(md5_first), "yes", 0, 0, true,
     "offer the MD5 challenge before SHA-256 (phones and sipp that answer "
     "only the first one)"},
    {"domains", SX_CONF_STR, OFF(domains), NULL, 0, 0, true,
     "more SIP domains served, comma separated ([sip] domain always is)"},
    {"mappingrules", SX_CONF_STR, OFF(mappingrules), NULL, 0, 0, true,
     "mappingrules.xml of the redirect service (reloaded when it changes)"},
    {"fallbackrules", SX_CONF_STR, OFF(fallbackrules), NULL, 0, 0, true,
     "fallbackrules.xml, used when nothing else matched"},
    {"aliases", SX_CONF_STR, OFF(aliases), NULL, 0, 0, true,
     "alias.xml: aliases, call forwarding and hunt groups"},
    {"mediaserver", SX_CONF_STR, OFF(mediaserver), NULL, 0, 0, true,
     "{mediaserver} of the rules (default: the SIP domain)"},
    {"voicemail", SX_CONF_STR, OFF(voicemail), NULL, 0, 0, true,
     "{voicemail} of the rules (default: mediaserver)"},
};
const size_t sx_registrar_conf_nkeys = SX_ARRAY_SIZE(sx_registrar_conf_keys);

struct reg_svc {
	struct sx_registrar *reg;
	struct sx_host *host;
	bool md5_first; /**< order of the registrar's digest engine */
	struct sx_store *store;
	struct sx_ev *loop; /**< expiry sweep */
	pthread_t thread;
	bool running;
};

static void *expiry_main(void *arg)
{
	struct reg_svc *s = arg;
	int err = sx_ev_run(s->loop);
	if (err)
		SX_LOG_ERR("expiry loop failed: %s", strerror(-err));
	return NULL;
}

static void svc_stop(void *svc)
{
	struct reg_svc *s = svc;
	if (!s)
		return;
	if (s->running) {
		/* our bulk deletes must be posted before the loop goes */
		(void)sx_store_flush(s->store);
		sx_ev_stop(s->loop);
		pthread_join(s->thread, NULL);
	}
	sx_registrar_free(s->reg);
	if (s->loop) {
		(void)sx_ev_run_once(s->loop, 0);
		sx_ev_free(s->loop);
	}
	sx_mem_unref(s);
}

/* The digest engine for @cfg, on the host's credentials. */
static int auth_alloc(struct sx_sip_auth **authp, struct sx_host *host,
		      const struct sx_registrar_cfg *cfg)
{
	struct sx_sip_auth_prm base = {
	    .realm = sx_sl_cstr(sx_host_realm(host)),
	    .lookup = sx_host_ha1_lookup,
	    .arg = host,
	    .algs = sx_host_digest_algs(host),
	};
	base.secret = sx_host_auth_secret(host, &base.secret_len);
	return sx_reg__auth_alloc(authp, &base, cfg);
}

static int svc_start(void **svcp, struct sx_host *host, const void *cfg)
{
	const struct sx_registrar_cfg *c = cfg;
	struct sx_sip_auth *auth = NULL;
	struct reg_svc *s = sx_mem_zalloc(sizeof(*s), NULL);
	int err;
	if (!s)
		return -ENOMEM;
	s->host = host;
	s->md5_first = c->md5_first;
	s->store = sx_host_store(host);
	err = auth_alloc(&auth, host, c);
	if (err)
		goto out;
	err = sx_ev_alloc(&s->loop, NULL);
	if (err)
		goto out;
	struct sx_registrar_prm prm = {
	    .cfg = c,
	    .store = s->store,
	    .auth = auth,
	    .domain = sx_host_domain(host),
	    .expiry_loop = s->loop,
	};
	err = sx_registrar_alloc(&s->reg, &prm);
	if (err)
		goto out;
	err = -pthread_create(&s->thread, NULL, expiry_main, s);
	if (err)
		goto out;
	s->running = true;
	*svcp = s;
out:
	sx_mem_unref(auth); /* the registrar holds its own reference */
	if (err)
		svc_stop(s);
	return err;
}

static void svc_request(void *svc, struct sx_worker *w, struct sx_sip_tsx *stsx,
			const struct sx_sip_msg *msg,
			const struct sx_sip_peer *peer)
{
	struct reg_svc *s = svc;
	sx_registrar_request(s->reg, sx_worker_loop(w), stsx, msg, peer);
}

static int svc_reload(void *svc, const void *cfg)
{
	const struct sx_registrar_cfg *c = cfg;
	struct reg_svc *s = svc;
	if (c->md5_first != s->md5_first) {
		struct sx_sip_auth *auth = NULL;
		int err = auth_alloc(&auth, s->host, c);
		if (err)
			return err;
		sx_reg__auth_set(s->reg, auth);
		sx_mem_unref(auth);
		s->md5_first = c->md5_first;
	}
	return sx_registrar_reload(s->reg, cfg);
}

static uint16_t svc_port(const void *cfg)
{
	return (uint16_t)((const struct sx_registrar_cfg *)cfg)->port;
}

const struct sx_service_ops sx_registrar_service = {
    .name = "registrar",
    .keys = sx_registrar_conf_keys,
    .nkeys = SX_ARRAY_SIZE(sx_registrar_conf_keys),
    .cfg_size = sizeof(struct sx_registrar_cfg),
    .allow = "REGISTER",
    .supported = "path",
    .port = svc_port,
    .start = svc_start,
    .request = svc_request,
    .reload = svc_reload,
    .stop = svc_stop,
};

struct sx_registrar *sx_registrar_of_service(void *svc)
{
	return svc ? ((struct reg_svc *)svc)->reg : NULL;
}
