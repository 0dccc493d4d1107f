/*
 * sipXecs URL mapping rules: mappingrules.xml and fallbackrules.xml in
 * the urlmap-00-00 format (SIPXECS-REFERENCE.md 1.3 and 1.7 digitmaps):
 * mappings/hostMatch(hostPattern*, userMatch(userPattern*,
 * permissionMatch(permission*, transform*))).  A transform is a full
 * `url` or parts (user, host, urlparams, headerparams, fieldparams) with
 * the {digits} {vdigits} {host} ... substitution tokens.  Parsed with
 * libxml2 into an arena owned by one sx_mem object.
 */
#define SX_LOG_MOD "registrar.rules"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <sx/util/arena.h>
#include <sx/util/digitmap.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "registrar_int.h"

/** Longest pattern, host pattern or transform text kept. */
#define SX_RULES_TEXT_MAX 2048u
/** Most bytes of compiled rules held in memory. */
#define SX_RULES_ARENA_MAX (8u * 1024u * 1024u)

struct str_node {
	struct str_node *next;
	struct sx_sl s;
};

struct r_transform {
	struct r_transform *next;
	struct sx_sl url, user, host, urlparams, headerparams, fieldparams;
};

struct r_perm {
	struct r_perm *next;
	struct str_node *perms; /**< required permissions (none = any) */
	struct r_transform *tf;
};

struct r_user {
	struct r_user *next;
	struct str_node *patterns;
	struct r_perm *pm;
};

struct r_host {
	struct r_host *next;
	struct str_node *hosts;
	struct r_user *um;
};

struct rules {
	struct sx_arena arena;
	struct r_host *hm;
};

/* -- XML to arena ------------------------------------------------------- */

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

/* Trimmed text content of @n copied into the arena. */
static int text_of(struct rules *r, const xmlNode *n, struct sx_sl *outp)
{
	xmlChar *t = xmlNodeGetContent(n);
	int err = 0;
	if (!t)
		return -ENOMEM;
	struct sx_sl s = sx_sl_trim(sx_sl_cstr((const char *)t));
	if (s.len > SX_RULES_TEXT_MAX) {
		err = -E2BIG;
		goto out;
	}
	char *p = sx_arena_alloc(&r->arena, s.len + 1);
	if (!p) {
		err = -ENOMEM;
		goto out;
	}
	if (s.len)
		memcpy(p, s.p, s.len);
	p[s.len] = '\0';
	*outp = sx_sl_make(p, s.len);
out:
	xmlFree(t);
	return err;
}

static int str_add(struct rules *r, struct str_node **headp, const xmlNode *n)
{
	struct str_node *s = sx_arena_zalloc(&r->arena, sizeof(*s));
	if (!s)
		return -ENOMEM;
	int err = text_of(r, n, &s->s);
	if (err)
		return err;
	while (*headp)
		headp = &(*headp)->next;
	*headp = s;
	return 0;
}

#define APPEND(headp, x)                                                       \
	do {                                                                   \
		__typeof__(headp) pp_ = (headp);                               \
		while (*pp_)                                                   \
			pp_ = &(*pp_)->next;                                   \
		*pp_ = (x);                                                    \
	} while (0)

static int parse_transform(struct rules *r, struct r_perm *pm, const xmlNode *x)
{
	struct r_transform *t = sx_arena_zalloc(&r->arena, sizeof(*t));
	int err = t ? 0 : -ENOMEM;
	for (const xmlNode *c = x ? x->children : NULL; c && !err; c = c->next) {
		struct sx_sl *dst = is_elem(c, "url")		? &t->url
				    : is_elem(c, "user")	? &t->user
				    : is_elem(c, "host")	? &t->host
				    : is_elem(c, "urlparams")	? &t->urlparams
				    : is_elem(c, "headerparams") ? &t->headerparams
				    : is_elem(c, "fieldparams") ? &t->fieldparams
								: NULL;
		if (dst)
			err = text_of(r, c, dst);
	}
	if (!err)
		APPEND(&pm->tf, t);
	return err;
}

static int parse_perm(struct rules *r, struct r_user *um, const xmlNode *x)
{
	struct r_perm *pm = sx_arena_zalloc(&r->arena, sizeof(*pm));
	int err = pm ? 0 : -ENOMEM;
	for (const xmlNode *c = x ? x->children : NULL; c && !err; c = c->next) {
		if (is_elem(c, "permission"))
			err = str_add(r, &pm->perms, c);
		else if (is_elem(c, "transform"))
			err = parse_transform(r, pm, c);
	}
	if (!err)
		APPEND(&um->pm, pm);
	return err;
}

static int parse_user(struct rules *r, struct r_host *hm, const xmlNode *x)
{
	struct r_user *um = sx_arena_zalloc(&r->arena, sizeof(*um));
	int err = um ? 0 : -ENOMEM;
	for (const xmlNode *c = x ? x->children : NULL; c && !err; c = c->next) {
		if (is_elem(c, "userPattern"))
			err = str_add(r, &um->patterns, c);
		else if (is_elem(c, "permissionMatch"))
			err = parse_perm(r, um, c);
	}
	if (!err)
		APPEND(&hm->um, um);
	return err;
}

static int parse_host(struct rules *r, const xmlNode *x)
{
	struct r_host *hm = sx_arena_zalloc(&r->arena, sizeof(*hm));
	int err = hm ? 0 : -ENOMEM;
	for (const xmlNode *c = x->children; c && !err; c = c->next) {
		if (is_elem(c, "hostPattern"))
			err = str_add(r, &hm->hosts, c);
		else if (is_elem(c, "userMatch"))
			err = parse_user(r, hm, c);
	}
	if (!err)
		APPEND(&r->hm, hm);
	return err;
}

static void rules_destroy(void *obj)
{
	struct rules *r = obj;
	sx_arena_fini(&r->arena);
}

int sx_rules__load(struct rules **rp, const char *path)
{
	struct rules *r = NULL;
	xmlDoc *doc;
	int err = 0;

	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
					  XML_PARSE_NOWARNING);
	if (!doc)
		return -EBADMSG;
	const xmlNode *root = xmlDocGetRootElement(doc);
	if (!root || !is_elem(root, "mappings")) {
		err = -EBADMSG;
		goto out;
	}
	r = sx_mem_zalloc(sizeof(*r), rules_destroy);
	if (!r) {
		err = -ENOMEM;
		goto out;
	}
	sx_arena_init(&r->arena, NULL, 0, SX_RULES_ARENA_MAX);
	for (const xmlNode *c = root->children; c && !err; c = c->next)
		if (is_elem(c, "hostMatch"))
			err = parse_host(r, c);
	if (!err)
		*rp = sx_mem_ref(r);
out:
	sx_mem_unref(r);
	xmlFreeDoc(doc);
	return err;
}

/* -- patterns (sipXcommserverLib digitmaps) ----------------------------- */

bool sx_rules__match(struct sx_sl pattern, struct sx_sl user,
		     struct sx_sl *vdigitsp)
{
	return pattern.len <= SX_RULES_TEXT_MAX &&
	       sx_digitmap_match(pattern, user, vdigitsp);
}

static bool host_match(const struct r_host *hm, const struct sx_sip_uri *u)
{
	for (const struct str_node *h = hm->hosts; h; h = h->next) {
		struct sx_sip_uri hp;
		if (sx_sip_hostport_parse(&hp, h->s))
			continue;
		if (!sx_sl_eq_nocase(hp.host, u->host))
			continue;
		if (!hp.has_port || hp.port == (u->has_port ? u->port : 5060))
			return true;
	}
	return false;
}

/* -- transforms ---------------------------------------------------------- */

struct subst {
	const struct rules_env *env;
	struct sx_sl user, vdigits;
	char host[SX_REG_DOMAIN_LEN + 8];
};

static void put_escaped(struct sx_buf *b, struct sx_sl s)
{
	static const char unreserved[] = "-_.!~*'()&=+$,;?/";
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c && strchr(unreserved, c)))
			sx_buf_put(b, &c, 1);
		else
			sx_buf_printf(b, "%%%02X", c);
	}
}

static bool token(struct sx_buf *b, const struct subst *sv, struct sx_sl name)
{
	const struct rules_env *e = sv->env;
	struct {
		const char *name;
		struct sx_sl val;
		bool esc;
	} tab[] = {
	    {"digits", sv->user, false},
	    {"user", sv->user, false},
	    {"user-escaped", sv->user, true},
	    {"vdigits", sv->vdigits, false},
	    {"vdigits-escaped", sv->vdigits, true},
	    {"host", sx_sl_cstr(sv->host), false},
	    {"headerparams", e->ruri->headers, false},
	    {"urlparams", e->ruri->params, false},
	    {"uri", e->ruri->raw, false},
	    {"localhost", e->localhost, false},
	    {"mediaserver", e->mediaserver, false},
	    {"voicemail", e->voicemail, false},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(tab); i++) {
		if (!sx_sl_eq_cstr(name, tab[i].name))
			continue;
		if (tab[i].esc)
			put_escaped(b, tab[i].val);
		else
			sx_buf_put_sl(b, tab[i].val);
		return true;
	}
	return false;
}

/* Copy @in with {tokens} replaced; unknown tokens stay as written. */
static void subst_put(struct sx_buf *b, const struct subst *sv, struct sx_sl in)
{
	for (size_t i = 0; i < in.len; i++) {
		if (in.p[i] == '{') {
			struct sx_sl rest = sx_sl_sub(in, i + 1, in.len);
			ssize_t close = sx_sl_chr(rest, '}');
			if (close > 0 &&
			    token(b, sv, sx_sl_sub(rest, 0, (size_t)close))) {
				i += (size_t)close + 1;
				continue;
			}
		}
		sx_buf_put(b, &in.p[i], 1);
	}
}

static void params_put(struct sx_buf *b, const struct subst *sv, char sep,
		       struct sx_sl existing, struct sx_sl add)
{
	if (existing.len) {
		sx_buf_put(b, &sep, 1);
		sx_buf_put_sl(b, existing);
		sep = sep == '?' ? '&' : sep;
	}
	if (add.len) {
		sx_buf_put(b, &sep, 1);
		subst_put(b, sv, add);
	}
}

static void transform_print(struct sx_buf *b, const struct r_transform *t,
			    const struct subst *sv)
{
	const struct sx_sip_uri *u = sv->env->ruri;
	if (t->url.len) {
		bool addr = t->url.p[0] == '<' || t->url.p[0] == '"';
		sx_buf_put_cstr(b, addr ? "" : "<");
		subst_put(b, sv, t->url);
		sx_buf_put_cstr(b, addr ? "" : ">");
	} else {
		sx_buf_printf(b, "<%.*s:", SX_SL_FMT(u->scheme_sl));
		subst_put(b, sv, t->user.len ? t->user : u->user);
		sx_buf_put_cstr(b, "@");
		if (t->host.len)
			subst_put(b, sv, t->host);
		else
			sx_buf_put_cstr(b, sv->host);
		params_put(b, sv, ';', u->params, t->urlparams);
		params_put(b, sv, '?', u->headers, t->headerparams);
		sx_buf_put_cstr(b, ">");
	}
	if (t->fieldparams.len) {
		sx_buf_put_cstr(b, ";");
		subst_put(b, sv, t->fieldparams);
	}
}

static ssize_t emit(const struct r_perm *pm, const struct subst *sv,
		    int (*fn)(const struct rules_out *o, void *arg), void *arg)
{
	struct rules_out *o = sx_mem_alloc(sizeof(*o), NULL);
	struct sx_buf b;
	ssize_t n = 0;
	if (!o)
		return -ENOMEM;
	sx_buf_init(&b, sizeof(o->text) - 1);
	for (const struct r_transform *t = pm->tf; t; t = t->next) {
		sx_buf_reset(&b);
		transform_print(&b, t, sv);
		int err = sx_buf_err(&b);
		if (err == -E2BIG)
			continue; /* too long for a contact: skip it */
		if (!err) {
			memcpy(o->text, b.p, b.len);
			o->len = b.len;
			err = fn(o, arg);
		}
		if (err) {
			n = err;
			break;
		}
		n++;
	}
	sx_buf_fini(&b);
	sx_mem_unref(o);
	return n;
}

ssize_t sx_rules__apply(const struct rules *r, const struct rules_env *env,
			int (*fn)(const struct rules_out *o, void *arg),
			void *arg)
{
	struct subst sv = {.env = env, .user = env->ruri->user};
	const struct sx_sip_uri *u = env->ruri;

	snprintf(sv.host, sizeof(sv.host), "%.*s", SX_SL_FMT(u->host));
	if (u->has_port)
		snprintf(sv.host + strlen(sv.host),
			 sizeof(sv.host) - strlen(sv.host), ":%u", u->port);
	for (const struct r_host *hm = r->hm; hm; hm = hm->next) {
		if (!host_match(hm, u))
			continue;
		for (const struct r_user *um = hm->um; um; um = um->next) {
			const struct str_node *p = um->patterns;
			while (p && !sx_rules__match(p->s, sv.user, &sv.vdigits))
				p = p->next;
			if (!p)
				continue;
			/* the first userMatch that matches decides; listed
			 * permissions are not held (no permission table yet),
			 * so such a permissionMatch ends the search */
			for (const struct r_perm *pm = um->pm; pm; pm = pm->next)
				if (!pm->perms)
					return emit(pm, &sv, fn, arg);
			return 0;
		}
	}
	return 0;
}
