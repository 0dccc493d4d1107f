/*
 * Host configuration (STYLE.md 2.8): the schemas of [sip], [store], [log]
 * and [services], the built-in services' own sections, and the defaults
 * that follow from other keys (domain from the bind address, realm from
 * the domain, workers from the core count, the secret file beside the
 * database).  Listen ports and timers follow RFC 3261 (19.1.2, 17.1.1.1).
 */
#define SX_LOG_MOD "host.config"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sx/sip/auth.h>
#include <sx/sip/tp_udp.h>
#include <sx/sip/transport.h>
#include <sx/sip/tsx.h>
#include <sx/store/store.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>
#include <sx/util/sl.h>

#include "host.h"

#define SIP_OFF(f) offsetof(struct sx_host_sip_cfg, f)
#define U16_MAX    65535u
/** Bounds of the UDP receive buffer (bytes) and of the timers (ms). */
#define RCVBUF_MIN   65536u
#define RCVBUF_MAX   (256u * 1024 * 1024)
#define TIMER_MIN_MS 10u
#define TIMER_MAX_MS 600000u
#define STR_(x)      #x
#define STR(x)       STR_(x)

static const struct sx_conf_key sip_keys[] = {
    {"bind", SX_CONF_STR, SIP_OFF(bind), "127.0.0.1", 0, 0, false,
     "listen addresses, comma separated (IPv4 or IPv6 literals)"},
    {"port", SX_CONF_U32, SIP_OFF(port), STR(SX_SIP_PORT), 0, U16_MAX, false,
     "UDP and TCP port (0 = a free port, for tests)"},
    {"tcp", SX_CONF_BOOL, SIP_OFF(tcp), "yes", 0, 0, false,
     "listen on TCP as well as UDP"},
    {"tls_port", SX_CONF_U32, SIP_OFF(tls_port), STR(SX_SIP_PORT_TLS), 0,
     U16_MAX, false, "TLS port, used when tls_cert is set"},
    {"tls_cert", SX_CONF_STR, SIP_OFF(tls_cert), NULL, 0, 0, false,
     "PEM certificate chain; setting it enables TLS"},
    {"tls_key", SX_CONF_STR, SIP_OFF(tls_key), NULL, 0, 0, false,
     "PEM private key of tls_cert"},
    {"tls_ca", SX_CONF_STR, SIP_OFF(tls_ca), NULL, 0, 0, false,
     "PEM trust anchors for peers (default: system store)"},
    {"domain", SX_CONF_STR, SIP_OFF(domain), NULL, 0, 0, false,
     "SIP domain (default: the first bind address)"},
    {"realm", SX_CONF_STR, SIP_OFF(realm), NULL, 0, 0, false,
     "digest realm (default: the domain)"},
    {"workers", SX_CONF_U32, SIP_OFF(workers), "0", 0, SX_HOST_WORKERS_MAX,
     false, "worker threads (0 = one per core)"},
    {"udp_rcvbuf", SX_CONF_U32, SIP_OFF(udp_rcvbuf), STR(SX_SIP_TP_UDP_RCVBUF),
     RCVBUF_MIN, RCVBUF_MAX, false, "SO_RCVBUF of each UDP socket, bytes"},
    {"t1", SX_CONF_U32, SIP_OFF(t1_ms), "500", TIMER_MIN_MS, TIMER_MAX_MS,
     false, "RFC 3261 T1, ms"},
    {"t2", SX_CONF_U32, SIP_OFF(t2_ms), "4000", TIMER_MIN_MS, TIMER_MAX_MS,
     false, "RFC 3261 T2, ms"},
    {"t4", SX_CONF_U32, SIP_OFF(t4_ms), "5000", TIMER_MIN_MS, TIMER_MAX_MS,
     false, "RFC 3261 T4, ms"},
    {"auth_secret_file", SX_CONF_STR, SIP_OFF(auth_secret_file), NULL, 0, 0,
     false,
     "digest nonce secret (default: auth.secret beside the "
     "database)"},
    {"digest_algorithms", SX_CONF_STR, SIP_OFF(digest_algorithms), "md5", 0,
     0, false,
     "digest algorithms challenged with: md5, sha-256 or both (RFC 8760; "
     "many phones, baresip among them, fail on any SHA-256 challenge)"},
};

static const struct sx_conf_key store_keys[] = {
    {"path", SX_CONF_STR, offsetof(struct sx_host_store_cfg, path),
     SX_HOST_STORE_PATH, 0, 0, false, "SQLite database file"},
    {"commit_interval_ms", SX_CONF_U32,
     offsetof(struct sx_host_store_cfg, commit_interval_ms),
     STR(SX_HOST_COMMIT_INTERVAL_MS), 0,
     SX_STORE_COMMIT_INTERVAL_MAX_US / 1000u, false,
     "group commit window: under load a transaction starts at most this "
     "often, ms (0 = as soon as the previous one is done)"},
};

static const struct sx_conf_key log_keys[] = {
    {"level", SX_CONF_STR, offsetof(struct sx_host_log_cfg, level), "info", 0,
     0, true, "err, warn, info or debug"},
    {"modules", SX_CONF_STR, offsetof(struct sx_host_log_cfg, modules), NULL, 0,
     0, true, "per-module levels: \"sip.tsx=debug, store=warn\""},
};

static const struct sx_conf_key services_keys[] = {
    {"enable", SX_CONF_STR, offsetof(struct sx_host_services_cfg, enable), NULL,
     0, 0, false, "services to run, comma separated (default: all)"},
};

/* Separators of list values: commas and blanks. */
static bool is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

/* Next list item of @s from *@posp, or an unset slice at the end. */
static struct sx_sl next_item(const char *s, size_t *posp)
{
	size_t i = *posp, len = s ? strlen(s) : 0;

	while (i < len && is_sep(s[i]))
		i++;
	size_t start = i;
	while (i < len && !is_sep(s[i]))
		i++;
	*posp = i;
	return i > start ? sx_sl_make(s + start, i - start)
	                 : sx_sl_make(NULL, 0);
}

static int derr(struct sx_conf_err *e, const struct sx_host_cfg *cfg,
                const char *fmt, ...) SX_PRINTF(3, 4);

/* An error found after parsing: tied to the file, not to a line. */
static int derr(struct sx_conf_err *e, const struct sx_host_cfg *cfg,
                const char *fmt, ...)
{
	va_list ap;

	snprintf(e->file, sizeof(e->file), "%s",
	         cfg->path ? cfg->path : "(defaults)");
	e->line = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int set_str(char **dst, const char *src, size_t len)
{
	char *s = sx_mem_strndup(src, len);

	if (!s)
		return -ENOMEM;
	sx_mem_unref(*dst);
	*dst = s;
	return 0;
}

static int derive_bind(struct sx_host_cfg *cfg, struct sx_conf_err *e)
{
	size_t pos = 0;
	struct sx_sl item;

	while ((item = next_item(cfg->sip.bind, &pos)).p) {
		if (cfg->nbind == SX_HOST_MAX_BIND)
			return derr(e, cfg,
			            "[sip] bind: more than %d addresses",
			            SX_HOST_MAX_BIND);
		struct sx_sa *sa = &cfg->bind[cfg->nbind];
		if (sx_sa_parse(sa, item) || sx_sa_port(sa))
			return derr(e, cfg,
			            "[sip] bind: '%.*s' is not an IP address "
			            "(ports go in 'port')",
			            SX_SL_FMT(item));
		cfg->nbind++;
	}
	if (!cfg->nbind)
		return derr(e, cfg, "[sip] bind: no address");
	return 0;
}

/* Default domain: the first bind address, or the host name for "any". */
static int derive_domain(struct sx_host_cfg *cfg)
{
	char name[SX_HOST_NAME_MAX + 1];

	if (cfg->sip.domain && *cfg->sip.domain)
		return 0;
	if (sx_sa_is_any(&cfg->bind[0])) {
		if (gethostname(name, sizeof(name)) < 0)
			snprintf(name, sizeof(name), "localhost");
		name[SX_HOST_NAME_MAX] = '\0';
	} else if (sx_sa_print_addr(&cfg->bind[0], name, sizeof(name)) < 0) {
		return -EINVAL;
	}
	return set_str(&cfg->sip.domain, name, strlen(name));
}

/* "md5, sha-256" -> SX_SIP_AUTH_F_* flags; 0 for anything else. */
static unsigned parse_algs(const char *list)
{
	struct sx_sl rest = sx_sl_cstr(list);
	unsigned algs = 0;

	while (rest.len) {
		ssize_t comma = sx_sl_chr(rest, ',');
		size_t n = comma < 0 ? rest.len : (size_t)comma;
		struct sx_sl item = sx_sl_trim(sx_sl_sub(rest, 0, n));
		if (sx_sl_eq_cstr_nocase(item, "md5"))
			algs |= SX_SIP_AUTH_F_MD5;
		else if (sx_sl_eq_cstr_nocase(item, "sha-256"))
			algs |= SX_SIP_AUTH_F_SHA256;
		else
			return 0;
		rest = sx_sl_sub(rest, comma < 0 ? n : n + 1, rest.len);
	}
	return algs;
}

static int derive_sip(struct sx_host_cfg *cfg, struct sx_conf_err *e)
{
	struct sx_host_sip_cfg *s = &cfg->sip;
	int err = derive_bind(cfg, e);

	if (!err)
		err = derive_domain(cfg);
	if (!err && !(s->realm && *s->realm))
		err = set_str(&s->realm, s->domain, strlen(s->domain));
	if (err)
		return err;
	if (strlen(s->domain) > SX_HOST_NAME_MAX ||
	    strlen(s->realm) > SX_HOST_NAME_MAX)
		return derr(e, cfg, "[sip] domain/realm longer than %d bytes",
		            SX_HOST_NAME_MAX);
	if (!s->tls_cert != !s->tls_key)
		return derr(e, cfg, "[sip] tls_cert and tls_key go together");
	s->digest_algs = parse_algs(s->digest_algorithms);
	if (!s->digest_algs)
		return derr(e, cfg, "[sip] digest_algorithms: md5, sha-256 "
		            "or both, not '%s'", s->digest_algorithms);
	if (s->t1_ms > s->t2_ms)
		return derr(e, cfg, "[sip] t1 (%u ms) exceeds t2 (%u ms)",
		            s->t1_ms, s->t2_ms);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	cfg->nworkers =
	    s->workers
	        ? s->workers
	        : (unsigned)SX_MAX(1, SX_MIN(cores, SX_HOST_WORKERS_MAX));
	return 0;
}

/* Default secret file: SX_HOST_SECRET_NAME in the database's folder. */
static int derive_secret(struct sx_host_cfg *cfg)
{
	const char *db = cfg->store.path, *slash = strrchr(db, '/');
	const char *file = cfg->sip.auth_secret_file;
	char path[SX_CONF_MAX_LINE];

	if (file && *file)
		return set_str(&cfg->secret_path, file, strlen(file));
	int n = slash ? snprintf(path, sizeof(path), "%.*s/%s",
	                         (int)(slash - db), db, SX_HOST_SECRET_NAME)
	              : snprintf(path, sizeof(path), "%s", SX_HOST_SECRET_NAME);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return set_str(&cfg->secret_path, path, (size_t)n);
}

/* Parse "mod=level" items; with @apply, install them. */
static int log_modules(const struct sx_host_cfg *cfg, bool apply,
                       struct sx_conf_err *e)
{
	size_t pos = 0, n = 0;
	struct sx_sl item;
	char mod[SX_HOST_NAME_MAX + 1], lvl[16];

	while ((item = next_item(cfg->log.modules, &pos)).p) {
		ssize_t eq = sx_sl_chr(item, '=');
		if (eq <= 0 || (size_t)eq >= sizeof(mod) ||
		    item.len - (size_t)eq - 1 >= sizeof(lvl) ||
		    ++n > SX_HOST_MAX_LOG_MODULES)
			return derr(e, cfg, "[log] modules: bad item '%.*s'",
			            SX_SL_FMT(item));
		snprintf(mod, sizeof(mod), "%.*s", (int)eq, item.p);
		snprintf(lvl, sizeof(lvl), "%.*s", (int)(item.len - eq - 1),
		         item.p + eq + 1);
		int level = sx_log_level_parse(lvl);
		if (level < 0)
			return derr(e, cfg, "[log] modules: bad level '%s'",
			            lvl);
		if (apply && sx_log_set_level(mod, (enum sx_log_level)level))
			return -ENOMEM;
	}
	return 0;
}

static int derive_log(struct sx_host_cfg *cfg, struct sx_conf_err *e)
{
	int level = sx_log_level_parse(cfg->log.level);

	if (level < 0)
		return derr(e, cfg,
		            "[log] level: '%s' is not err, warn, "
		            "info or debug",
		            cfg->log.level);
	cfg->log_level = (enum sx_log_level)level;
	return log_modules(cfg, false, e);
}

static struct sx_host_svc_cfg *svc_find(struct sx_host_cfg *cfg,
                                        struct sx_sl name)
{
	for (size_t i = 0; i < cfg->nsvc; i++)
		if (sx_sl_eq_cstr(name, cfg->svc[i].ops->name))
			return &cfg->svc[i];
	return NULL;
}

static int derive_services(struct sx_host_cfg *cfg, struct sx_conf_err *e)
{
	size_t pos = 0;
	struct sx_sl item;
	const char *list = cfg->services.enable;

	for (size_t i = 0; i < cfg->nsvc; i++)
		cfg->svc[i].enabled = !list;
	while ((item = next_item(list, &pos)).p) {
		struct sx_host_svc_cfg *sc = svc_find(cfg, item);
		if (!sc)
			return derr(e, cfg,
			            "[services] enable: unknown service '%.*s'",
			            SX_SL_FMT(item));
		sc->enabled = true;
	}
	for (size_t i = 0; i < cfg->nsvc; i++) {
		struct sx_host_svc_cfg *sc = &cfg->svc[i];
		sc->port = sc->ops->port ? sc->ops->port(sc->cfg) : 0;
		if (!sc->enabled || !sc->port)
			continue;
		if (sc->port == cfg->sip.port ||
		    (cfg->sip.tls_cert && sc->port == cfg->sip.tls_port))
			return derr(e, cfg, "[%s] port %u is the [sip] port",
			            sc->ops->name, sc->port);
		for (size_t j = 0; j < i; j++)
			if (cfg->svc[j].enabled && cfg->svc[j].port == sc->port)
				return derr(e, cfg,
				            "[%s] and [%s] both use port %u",
				            cfg->svc[j].ops->name,
				            sc->ops->name, sc->port);
	}
	return 0;
}

static void add_section(struct sx_host_cfg *cfg, const char *name,
                        const struct sx_conf_key *keys, size_t nkeys,
                        void *target)
{
	cfg->secs[cfg->nsecs++] = (struct sx_conf_section){
	    .name = name, .keys = keys, .nkeys = nkeys, .target = target};
}

static int add_services(struct sx_host_cfg *cfg,
                        const struct sx_service_ops *const *svcs, size_t n)
{
	if (n > SX_HOST_MAX_SERVICES)
		return -E2BIG;
	for (size_t i = 0; i < n; i++) {
		struct sx_host_svc_cfg *sc = &cfg->svc[cfg->nsvc++];
		sc->ops = svcs[i];
		sc->cfg = sx_mem_zalloc(SX_MAX(svcs[i]->cfg_size, 1), NULL);
		if (!sc->cfg)
			return -ENOMEM;
		add_section(cfg, svcs[i]->name, svcs[i]->keys, svcs[i]->nkeys,
		            sc->cfg);
	}
	return 0;
}

/* The file to read: @path, else the first default that exists. */
static const char *pick_path(const char *path)
{
	if (path)
		return path;
	if (access(SX_HOST_CONF_LOCAL, R_OK) == 0)
		return SX_HOST_CONF_LOCAL;
	if (access(SX_HOST_CONF_SYSTEM, R_OK) == 0)
		return SX_HOST_CONF_SYSTEM;
	return NULL;
}

static int derive(struct sx_host_cfg *cfg, struct sx_conf_err *e)
{
	int err = derive_sip(cfg, e);

	if (!err)
		err = derive_log(cfg, e);
	if (!err)
		err = derive_services(cfg, e);
	if (!err)
		err = derive_secret(cfg);
	return err;
}

int sx_host_cfg_load(struct sx_host_cfg **cfgp, const char *path,
                     const struct sx_service_ops *const *svcs, size_t nsvcs,
                     struct sx_conf_err *errp)
{
	struct sx_conf_err dummy;
	struct sx_conf_err *e = errp ? errp : &dummy;
	struct sx_host_cfg *cfg = NULL;
	const char *file = pick_path(path);
	int err;

	memset(e, 0, sizeof(*e));
	if (!cfgp || (nsvcs && !svcs))
		return -EINVAL;
	cfg = sx_mem_zalloc(sizeof(*cfg), NULL);
	if (!cfg)
		return -ENOMEM;
	if (file && !(cfg->path = sx_mem_strndup(file, strlen(file)))) {
		err = -ENOMEM;
		goto out;
	}
	add_section(cfg, "sip", sip_keys, SX_ARRAY_SIZE(sip_keys), &cfg->sip);
	add_section(cfg, "store", store_keys, SX_ARRAY_SIZE(store_keys),
	            &cfg->store);
	add_section(cfg, "log", log_keys, SX_ARRAY_SIZE(log_keys), &cfg->log);
	add_section(cfg, "services", services_keys,
	            SX_ARRAY_SIZE(services_keys), &cfg->services);
	err = add_services(cfg, svcs, nsvcs);
	if (!err)
		err = sx_conf_defaults(cfg->secs, cfg->nsecs, e);
	if (!err && file)
		err = sx_conf_load_file(file, cfg->secs, cfg->nsecs, e);
	if (err == -ENOMEM)
		snprintf(e->msg, sizeof(e->msg), "out of memory");
	if (!err)
		err = derive(cfg, e);
out:
	if (err) {
		sx_host_cfg_free(cfg);
		return err;
	}
	*cfgp = cfg;
	return 0;
}

void sx_host_cfg_free(struct sx_host_cfg *cfg)
{
	while (cfg) {
		struct sx_host_cfg *prev = cfg->prev;
		sx_conf_free(cfg->secs, cfg->nsecs);
		for (size_t i = 0; i < cfg->nsvc; i++)
			sx_mem_unref(cfg->svc[i].cfg);
		sx_mem_unref(cfg->secret_path);
		sx_mem_unref(cfg->path);
		sx_mem_unref(cfg);
		cfg = prev;
	}
}

int sx_host_cfg_apply_log(const struct sx_host_cfg *cfg)
{
	struct sx_conf_err e;

	sx_log_set_default(cfg->log_level);
	return log_modules(cfg, true, &e);
}

void sx_host_conf_err_print(const struct sx_conf_err *err)
{
	if (err->line)
		fprintf(stderr, "%s:%u: %s\n", err->file, err->line, err->msg);
	else
		fprintf(stderr, "%s: %s\n", err->file, err->msg);
}

static bool key_equal(const struct sx_conf_key *k, const void *a, const void *b)
{
	const char *fa = (const char *)a + k->offset;
	const char *fb = (const char *)b + k->offset;

	switch (k->type) {
	case SX_CONF_STR: {
		const char *sa = *(char *const *)(const void *)fa;
		const char *sb = *(char *const *)(const void *)fb;
		return sa == sb || (sa && sb && !strcmp(sa, sb));
	}
	case SX_CONF_U32:
		return !memcmp(fa, fb, sizeof(uint32_t));
	case SX_CONF_BOOL:
		return *(const bool *)(const void *)fa ==
		       *(const bool *)(const void *)fb;
	}
	return false;
}

size_t sx_host_cfg_boot_changes(const struct sx_host_cfg *old,
                                const struct sx_host_cfg *cfg)
{
	size_t n = 0;

	for (size_t s = 0; s < old->nsecs && s < cfg->nsecs; s++) {
		const struct sx_conf_section *a = &old->secs[s];
		const struct sx_conf_section *b = &cfg->secs[s];
		for (size_t i = 0; i < a->nkeys; i++) {
			if (a->keys[i].reloadable ||
			    key_equal(&a->keys[i], a->target, b->target))
				continue;
			SX_LOG_WARN("[%s] %s changed: applied at the next "
			            "restart",
			            a->name, a->keys[i].name);
			n++;
		}
	}
	return n;
}
