/*
 * The registrar object (RFC 3261 10.3, ARCHITECTURE.md 1 and 3): settings,
 * start-up load of the location index from the store, the expiry sweep,
 * lookups, the watched rules/alias files (reloaded when their mtime
 * changes, like sipXecs RefreshingFileReader) and request dispatch.
 */
#define SX_LOG_MOD "registrar"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sx/port/tmr.h>
#include <sx/store/user.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "registrar_int.h"

/* -- clock and settings -------------------------------------------------- */

static int64_t clock_real(void *arg)
{
	struct timespec ts;
	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t sx_reg__now(struct sx_registrar *reg)
{
	return reg->clock(reg->clock_arg);
}

void sx_reg__settings_auth(struct sx_registrar *reg, struct reg_settings *s,
			   struct sx_sip_auth **authp)
{
	pthread_mutex_lock(&reg->cfg_lock);
	*s = reg->set;
	if (authp)
		*authp = s->authenticate ? sx_mem_ref(reg->auth) : NULL;
	pthread_mutex_unlock(&reg->cfg_lock);
}

void sx_reg__settings(struct sx_registrar *reg, struct reg_settings *s)
{
	sx_reg__settings_auth(reg, s, NULL);
}

int sx_reg__auth_alloc(struct sx_sip_auth **authp,
		       const struct sx_sip_auth_prm *base,
		       const struct sx_registrar_cfg *cfg)
{
	struct sx_sip_auth_prm prm = *base;
	prm.md5_first = cfg->md5_first;
	return sx_sip_auth_alloc(authp, &prm);
}

void sx_reg__auth_set(struct sx_registrar *reg, struct sx_sip_auth *auth)
{
	sx_mem_ref(auth);
	pthread_mutex_lock(&reg->cfg_lock);
	struct sx_sip_auth *old = reg->auth;
	reg->auth = auth;
	pthread_mutex_unlock(&reg->cfg_lock);
	sx_mem_unref(old);
}

bool sx_reg__is_ours(const struct reg_settings *s, struct sx_sl host)
{
	for (size_t i = 0; i < s->ndomains; i++)
		if (sx_sl_eq_cstr_nocase(host, s->domains[i]))
			return true;
	return false;
}

static void copy_cstr(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* [sip] domain first, then the comma-separated [registrar] domains. */
static void settings_fill(struct reg_settings *s, const char *domain,
			  const struct sx_registrar_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	s->min_expires = cfg->min_expires;
	s->max_expires = SX_MAX(cfg->max_expires, cfg->min_expires);
	s->default_expires = cfg->default_expires;
	s->max_bindings = cfg->max_bindings;
	s->authenticate = cfg->authenticate;
	copy_cstr(s->domains[s->ndomains++], SX_REG_DOMAIN_LEN, domain);
	struct sx_sl rest = sx_sl_cstr(cfg->domains), d;
	while (rest.len && s->ndomains < SX_REG_DOMAINS_MAX) {
		ssize_t comma = sx_sl_chr(rest, ',');
		size_t n = comma < 0 ? rest.len : (size_t)comma;
		d = sx_sl_trim(sx_sl_sub(rest, 0, n));
		rest = sx_sl_sub(rest, n + (comma >= 0), rest.len);
		if (!d.len || d.len >= SX_REG_DOMAIN_LEN)
			continue;
		memcpy(s->domains[s->ndomains], d.p, d.len);
		s->domains[s->ndomains++][d.len] = '\0';
	}
	copy_cstr(s->mediaserver, sizeof(s->mediaserver), cfg->mediaserver);
	copy_cstr(s->voicemail, sizeof(s->voicemail), cfg->voicemail);
	if (!s->mediaserver[0])
		copy_cstr(s->mediaserver, sizeof(s->mediaserver), domain);
	if (!s->voicemail[0])
		copy_cstr(s->voicemail, sizeof(s->voicemail), s->mediaserver);
}

/* -- watched files ------------------------------------------------------- */

static int load_rules(void **objp, const char *path)
{
	return sx_rules__load((struct rules **)objp, path);
}

static int load_aliases(void **objp, const char *path)
{
	return sx_aliases__load((struct aliases **)objp, path);
}

void *sx_reg__watched_get(struct sx_registrar *reg, struct sx_watched *w)
{
	pthread_mutex_lock(&reg->cfg_lock);
	void *obj = sx_watched_get(w);
	pthread_mutex_unlock(&reg->cfg_lock);
	return obj;
}

static int watched_apply(struct sx_registrar *reg,
			 const struct sx_registrar_cfg *cfg)
{
	struct {
		struct sx_watched *w;
		const char *path;
		sx_watched_load_h *load;
	} files[] = {
	    {&reg->mapping, cfg->mappingrules, load_rules},
	    {&reg->fallback, cfg->fallbackrules, load_rules},
	    {&reg->aliases, cfg->aliases, load_aliases},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(files); i++) {
		int err = sx_watched_set(files[i].w, files[i].path,
					 files[i].load,
					 SX_REGISTRAR_RULES_CHECK_MS);
		if (err)
			return err;
	}
	return 0;
}

/* -- start-up load and expiry -------------------------------------------- */

struct load_ctx {
	struct sx_registrar *reg;
	int64_t now;
};

static int load_one(const struct sx_store_binding *sb, void *arg)
{
	struct load_ctx *lc = arg;
	struct loc_binding *b = NULL;
	struct loc_aor *aor;
	int err;

	if (sb->expires_at <= lc->now)
		return 0; /* expired while we were down */
	uint32_t hash = sx_loc__hash(sb->aor);
	struct loc_shard *sh = sx_loc__shard(&lc->reg->loc, hash);
	err = sx_loc__binding_new(&b, sb);
	if (err)
		return err;
	pthread_mutex_lock(&sh->lock);
	err = sx_loc__reserve(sh, 1);
	if (!err)
		err = sx_loc__get(sh, sb->aor, hash, &aor);
	if (!err)
		sx_loc__insert(sh, aor, b);
	pthread_mutex_unlock(&sh->lock);
	if (err)
		sx_mem_unref(b);
	return err;
}

static void expired_done(int err, void *arg)
{
	(void)arg;
	if (err)
		SX_LOG_WARN("deleting expired bindings failed: %s",
			    strerror(-err));
}

size_t sx_registrar_expire(struct sx_registrar *reg)
{
	int64_t now = sx_reg__now(reg);
	size_t n = sx_loc__expire(&reg->loc, now);
	int err;

	if (!n)
		return 0;
	/* the store's rows expired at the same instant: one bulk delete */
	if (reg->expiry_loop) {
		struct sx_store_cb cb = {reg->expiry_loop, expired_done, NULL};
		err = sx_store_binding_delete_expired(reg->store, now, &cb);
	} else {
		err = sx_store_binding_delete_expired(reg->store, now, NULL);
	}
	if (err)
		SX_LOG_WARN("deleting expired bindings: %s", strerror(-err));
	SX_LOG_DBG("%zu bindings expired", n);
	return n;
}

static void sweep_h(void *arg)
{
	struct sx_registrar *reg = arg;
	(void)sx_registrar_expire(reg);
	if (sx_tmr_start(reg->expiry_loop, &reg->sweep, SX_REGISTRAR_SWEEP_MS,
			 sweep_h, reg))
		SX_LOG_ERR("cannot re-arm the expiry sweep");
}

/* -- life cycle ---------------------------------------------------------- */

static int user_known_store(struct sx_sl name, void *arg)
{
	struct sx_store_user *u = NULL;
	int err = sx_store_user_get(arg, name, &u);
	sx_mem_unref(u);
	if (err == -ENOENT || err == -EINVAL)
		return 0;
	return err ? err : 1;
}

static void reg_destroy(void *obj)
{
	struct sx_registrar *reg = obj;
	sx_tmr_stop(&reg->sweep);
	if (reg->loc_ready)
		sx_loc__fini(&reg->loc);
	sx_watched_fini(&reg->mapping);
	sx_watched_fini(&reg->fallback);
	sx_watched_fini(&reg->aliases);
	sx_mem_unref(reg->auth);
	if (reg->lock_ready)
		pthread_mutex_destroy(&reg->cfg_lock);
}

static int check_prm(const struct sx_registrar_prm *prm)
{
	if (!prm || !prm->cfg || !prm->store || !prm->domain || !*prm->domain)
		return -EINVAL;
	if (prm->cfg->authenticate && !prm->auth)
		return -EINVAL;
	if (strlen(prm->domain) >= SX_REG_DOMAIN_LEN)
		return -EINVAL;
	return 0;
}

int sx_registrar_alloc(struct sx_registrar **regp,
		       const struct sx_registrar_prm *prm)
{
	struct sx_registrar *reg;
	int err = check_prm(prm);
	if (err || !regp)
		return err ? err : -EINVAL;

	reg = sx_mem_zalloc(sizeof(*reg), reg_destroy);
	if (!reg)
		return -ENOMEM;
	err = sx_loc__init(&reg->loc);
	if (err)
		goto out;
	reg->loc_ready = true;
	err = -pthread_mutex_init(&reg->cfg_lock, NULL);
	if (err)
		goto out;
	reg->lock_ready = true;
	reg->store = prm->store;
	reg->auth = sx_mem_ref(prm->auth);
	reg->clock = prm->clock ? prm->clock : clock_real;
	reg->clock_arg = prm->clock_arg;
	reg->user_h = prm->user_h ? prm->user_h : user_known_store;
	reg->user_arg = prm->user_h ? prm->user_arg : prm->store;
	settings_fill(&reg->set, prm->domain, prm->cfg);

	err = watched_apply(reg, prm->cfg);
	if (err)
		goto out;
	struct load_ctx lc = {reg, sx_reg__now(reg)};
	ssize_t n = sx_store_binding_load(reg->store, SX_SL_NULL, load_one, &lc);
	if (n < 0) {
		err = (int)n;
		goto out;
	}
	if (prm->expiry_loop) {
		reg->expiry_loop = prm->expiry_loop;
		err = sx_tmr_start(reg->expiry_loop, &reg->sweep,
				   SX_REGISTRAR_SWEEP_MS, sweep_h, reg);
		if (err)
			goto out;
	}
	SX_LOG_INFO("%zu bindings loaded", sx_loc__count(&reg->loc));
	*regp = reg;
out:
	if (err)
		sx_mem_unref(reg);
	return err;
}

void sx_registrar_free(struct sx_registrar *reg)
{
	sx_mem_unref(reg);
}

int sx_registrar_reload(struct sx_registrar *reg,
			const struct sx_registrar_cfg *cfg)
{
	int err;
	if (!reg || !cfg)
		return -EINVAL;
	pthread_mutex_lock(&reg->cfg_lock);
	char domain[SX_REG_DOMAIN_LEN];
	memcpy(domain, reg->set.domains[0], sizeof(domain));
	settings_fill(&reg->set, domain, cfg);
	err = watched_apply(reg, cfg);
	pthread_mutex_unlock(&reg->cfg_lock);
	return err;
}

/* -- queries ------------------------------------------------------------- */

ssize_t sx_registrar_aor(const struct sx_sip_uri *uri, char *buf, size_t cap)
{
	if (!uri || (uri->scheme != SX_SIP_URI_SIP &&
		     uri->scheme != SX_SIP_URI_SIPS) ||
	    !uri->user.len || !uri->host.len)
		return -EINVAL;
	size_t len = 4 + uri->user.len + 1 + uri->host.len;
	if (len + 1 > cap || len > SX_REG_AOR_MAX)
		return -E2BIG;
	char *p = buf;
	memcpy(p, "sip:", 4);
	p += 4;
	memcpy(p, uri->user.p, uri->user.len);
	p += uri->user.len;
	*p++ = '@';
	for (size_t i = 0; i < uri->host.len; i++) {
		char c = uri->host.p[i];
		*p++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	*p = '\0';
	return (ssize_t)len;
}

int sx_registrar_lookup(struct sx_registrar *reg, struct sx_sl aor,
			struct sx_registrar_cset **csp)
{
	struct sx_sip_uri uri;
	char key[SX_REG_AOR_MAX + 1];

	if (!reg || !csp || sx_sip_uri_parse(&uri, sx_sl_trim(aor)))
		return -EINVAL;
	ssize_t n = sx_registrar_aor(&uri, key, sizeof(key));
	if (n < 0)
		return -EINVAL;
	return sx_loc__lookup(&reg->loc, sx_sl_make(key, (size_t)n),
			      sx_reg__now(reg), csp);
}

size_t sx_registrar_count(struct sx_registrar *reg)
{
	return reg ? sx_loc__count(&reg->loc) : 0;
}

void sx_registrar_request(struct sx_registrar *reg, struct sx_ev *loop,
			  struct sx_sip_tsx *stsx, const struct sx_sip_msg *msg,
			  const struct sx_sip_peer *peer)
{
	if (msg->method == SX_SIP_METHOD_REGISTER)
		sx_reg__register(reg, loop, stsx, msg, peer);
	else
		sx_reg__redirect_sip(reg, stsx, msg);
}
