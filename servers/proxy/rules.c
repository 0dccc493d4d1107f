/*
 * The proxy's rule files in the sipXecs formats (SIPXECS-REFERENCE.md
 * 1.1), parsed with libxml2 (as servers/registrar/rules.c) into an arena
 * owned by one sx_mem object, reloaded when their mtime changes:
 *
 * - authrules.xml (urlauth-00-00, sipXproxy EnforceAuthRules):
 *   mappings/hostMatch(hostPattern*, userMatch*(userPattern*,
 *   permissionMatch(permission*))).  A request whose target matches a
 *   hostPattern and a userPattern needs one of the permissions listed.
 * - permission.xml (the sipXecs IMDB "permission" table export):
 *   items/item(identity, permission): identity "user@domain" holds the
 *   permission (one item per pair).
 * - forwardingrules.xml (forwardingrules-00-00): routes/route(routeFrom*,
 *   routeIPv4subnet*, routeDnsWildcard*, methodMatch*(methodPattern*,
 *   fieldMatch*(fieldPattern*, routeTo), routeTo?), routeTo?).  The first
 *   route whose domain matchers match the Request-URI decides where the
 *   request goes: a routeTo host gets it through a loose Route (RFC 3261
 *   16.6 step 7), an empty routeTo (or one naming us) leaves it to the
 *   registrar.  fieldPattern is a POSIX extended regex, anchored.
 *
 * The files come from the administrator, but are still read as hostile:
 * size, text and count limits, no network, no entity expansion.
 */
#define SX_LOG_MOD "proxy.rules"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <sx/sip/hdrs.h>
#include <sx/sip/transport.h>
#include <sx/util/arena.h>
#include <sx/util/digitmap.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "proxy_int.h"

/** Largest rules file read, bytes. */
#define PX_RULES_FILE_MAX (8u * 1024u * 1024u)
/** Most bytes of parsed rules held in memory, per file. */
#define PX_RULES_ARENA_MAX (16u * 1024u * 1024u)
/** Longest pattern, permission, identity or routeTo text. */
#define PX_RULES_TEXT_MAX 256u
/** Most identity / permission pairs in permission.xml. */
#define PX_PERM_ITEMS_MAX 200000u
/** Most compiled fieldPattern regexes in forwardingrules.xml. */
#define PX_FWD_REGEX_MAX 256u
/** How often a rules file's mtime is looked at, ms. */
#define PX_RULES_CHECK_MS 1000u
/** Longest "user@domain" identity looked up. */
#define PX_IDENTITY_MAX (2u * PX_RULES_TEXT_MAX)

struct str_node {
	struct str_node *next;
	struct sx_sl s;
};

/* -- common XML helpers ---------------------------------------------------- */

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

/* Trimmed text content of @n copied into @a. */
static int text_of(struct sx_arena *a, const xmlNode *n, struct sx_sl *outp)
{
	xmlChar *t = xmlNodeGetContent(n);
	int err = 0;

	if (!t)
		return -ENOMEM;
	struct sx_sl s = sx_sl_trim(sx_sl_cstr((const char *)t));
	if (s.len > PX_RULES_TEXT_MAX) {
		err = -E2BIG;
		goto out;
	}
	char *p = sx_arena_alloc(a, s.len + 1);
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

static int str_add(struct sx_arena *a, struct str_node **headp,
                   const xmlNode *n)
{
	struct str_node *s = sx_arena_zalloc(a, sizeof(*s));
	if (!s)
		return -ENOMEM;
	int err = text_of(a, n, &s->s);
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

/* Read @path (bounded) into a libxml2 document with root @root. */
static int doc_read(const char *path, const char *root, xmlDoc **docp)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (st.st_size < 0 || (uint64_t)st.st_size > PX_RULES_FILE_MAX)
		return -EFBIG;
	xmlDoc *doc = xmlReadFile(path, NULL,
	                          XML_PARSE_NONET | XML_PARSE_NOERROR |
	                              XML_PARSE_NOWARNING);
	if (!doc)
		return -EBADMSG;
	const xmlNode *r = xmlDocGetRootElement(doc);
	if (!r || !is_elem(r, root)) {
		xmlFreeDoc(doc);
		return -EBADMSG;
	}
	*docp = doc;
	return 0;
}

/*
 * A rule-list file format: the root element @root holds rules @elem,
 * each parsed by @parse into an sx_mem object of @size bytes whose first
 * member is the arena holding them (@destroy releases it).
 */
struct rules_fmt {
	const char *root, *elem;
	size_t size;
	void (*destroy)(void *obj);
	int (*parse)(void *obj, const xmlNode *x);
};

/* Read @path in format @fmt into a new object (*@objp referenced). */
static int rules_load(void **objp, const char *path,
                      const struct rules_fmt *fmt)
{
	void *r = NULL;
	xmlDoc *doc = NULL;
	int err = doc_read(path, fmt->root, &doc);

	if (err)
		return err;
	r = sx_mem_zalloc(fmt->size, fmt->destroy);
	if (!r) {
		err = -ENOMEM;
		goto out;
	}
	sx_arena_init(r, NULL, 0, PX_RULES_ARENA_MAX);
	for (const xmlNode *c = xmlDocGetRootElement(doc)->children; c && !err;
	     c = c->next)
		if (is_elem(c, fmt->elem))
			err = fmt->parse(r, c);
	if (!err)
		*objp = sx_mem_ref(r);
out:
	sx_mem_unref(r);
	xmlFreeDoc(doc);
	return err;
}

/* -- host patterns (url, IPv4subnet, DnsWildcard) -------------------------- */

enum host_fmt { HOST_URL, HOST_SUBNET, HOST_WILDCARD };

struct host_pat {
	struct host_pat *next;
	enum host_fmt fmt;
	struct sx_sl s;
};

static uint16_t uri_port(const struct sx_sip_uri *u)
{
	if (u->has_port)
		return u->port;
	return u->scheme == SX_SIP_URI_SIPS ? SX_SIP_PORT_TLS : SX_SIP_PORT;
}

static bool subnet_match(struct sx_sl pat, struct sx_sl host)
{
	char net[INET_ADDRSTRLEN], h[INET_ADDRSTRLEN];
	struct in_addr a, b;
	ssize_t slash = sx_sl_chr(pat, '/');
	uint32_t bits = 32;

	if (slash >= 0) {
		struct sx_sl nb = sx_sl_sub(pat, (size_t)slash + 1, pat.len);
		if (!nb.len || nb.len > 2 || sx_sl_u32(nb, &bits) || bits > 32)
			return false;
		pat = sx_sl_sub(pat, 0, (size_t)slash);
	}
	if (pat.len >= sizeof(net) || host.len >= sizeof(h))
		return false;
	memcpy(net, pat.p, pat.len);
	net[pat.len] = '\0';
	memcpy(h, host.p, host.len);
	h[host.len] = '\0';
	if (inet_pton(AF_INET, net, &a) != 1 || inet_pton(AF_INET, h, &b) != 1)
		return false;
	uint32_t mask = bits ? ~0u << (32 - bits) : 0;
	return (ntohl(a.s_addr) & mask) == (ntohl(b.s_addr) & mask);
}

static bool wildcard_match(struct sx_sl pat, struct sx_sl host)
{
	if (pat.len >= 2 && pat.p[0] == '*' && pat.p[1] == '.') {
		struct sx_sl suffix = sx_sl_sub(pat, 1, pat.len);
		return host.len > suffix.len &&
		       sx_sl_eq_nocase(
		           sx_sl_sub(host, host.len - suffix.len, host.len),
		           suffix);
	}
	return sx_sl_eq_nocase(pat, host);
}

static bool host_pat_match(const struct host_pat *hp,
                           const struct sx_sip_uri *u)
{
	struct sx_sip_uri p;

	switch (hp->fmt) {
	case HOST_SUBNET:
		return u->host_type == SX_SIP_HOST_IPV4 &&
		       subnet_match(hp->s, u->host);
	case HOST_WILDCARD:
		return wildcard_match(hp->s, u->host);
	case HOST_URL:
	default:
		if (sx_sip_hostport_parse(&p, hp->s) ||
		    !sx_sl_eq_nocase(p.host, u->host))
			return false;
		return !p.has_port || p.port == uri_port(u);
	}
}

static bool hosts_match(const struct host_pat *h, const struct sx_sip_uri *u)
{
	for (; h; h = h->next)
		if (host_pat_match(h, u))
			return true;
	return false;
}

static int host_add(struct sx_arena *a, struct host_pat **headp,
                    const xmlNode *n, enum host_fmt fmt)
{
	struct host_pat *h = sx_arena_zalloc(a, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->fmt = fmt;
	int err = text_of(a, n, &h->s);
	if (err)
		return err;
	APPEND(headp, h);
	return 0;
}

/* hostPattern format="url|IPv4subnet|DnsWildcard" (authrules.xsd). */
static enum host_fmt host_fmt_attr(const xmlNode *n)
{
	xmlChar *f = xmlGetProp(n, (const xmlChar *)"format");
	enum host_fmt fmt = HOST_URL;

	if (f && !strcmp((const char *)f, "IPv4subnet"))
		fmt = HOST_SUBNET;
	else if (f && !strcmp((const char *)f, "DnsWildcard"))
		fmt = HOST_WILDCARD;
	xmlFree(f);
	return fmt;
}

/* -- authrules.xml --------------------------------------------------------- */

struct ar_user {
	struct ar_user *next;
	struct str_node *patterns;
	struct str_node *perms; /**< one of them needed; none = no rule */
};

struct ar_host {
	struct ar_host *next;
	struct host_pat *hosts;
	struct ar_user *um;
};

struct authrules {
	struct sx_arena arena;
	struct ar_host *hm;
};

static void authrules_destroy(void *obj)
{
	struct authrules *r = obj;
	sx_arena_fini(&r->arena);
}

static int ar_parse_user(struct authrules *r, struct ar_host *hm,
                         const xmlNode *x)
{
	struct ar_user *um = sx_arena_zalloc(&r->arena, sizeof(*um));
	int err = um ? 0 : -ENOMEM;

	for (const xmlNode *c = x->children; c && !err; c = c->next) {
		if (is_elem(c, "userPattern")) {
			err = str_add(&r->arena, &um->patterns, c);
		} else if (is_elem(c, "permissionMatch")) {
			for (const xmlNode *p = c->children; p && !err;
			     p = p->next)
				if (is_elem(p, "permission"))
					err = str_add(&r->arena, &um->perms, p);
		}
	}
	if (!err)
		APPEND(&hm->um, um);
	return err;
}

static int ar_parse_host(void *obj, const xmlNode *x)
{
	struct authrules *r = obj;
	struct ar_host *hm = sx_arena_zalloc(&r->arena, sizeof(*hm));
	int err = hm ? 0 : -ENOMEM;

	for (const xmlNode *c = x->children; c && !err; c = c->next) {
		if (is_elem(c, "hostPattern"))
			err = host_add(&r->arena, &hm->hosts, c,
			               host_fmt_attr(c));
		else if (is_elem(c, "userMatch"))
			err = ar_parse_user(r, hm, c);
	}
	if (!err)
		APPEND(&r->hm, hm);
	return err;
}

static_assert(offsetof(struct authrules, arena) == 0, "arena first");

static int authrules_load(void **objp, const char *path)
{
	static const struct rules_fmt fmt = {
	    .root = "mappings",
	    .elem = "hostMatch",
	    .size = sizeof(struct authrules),
	    .destroy = authrules_destroy,
	    .parse = ar_parse_host,
	};
	return rules_load(objp, path, &fmt);
}

/* The permissions the first matching userMatch asks for, or NULL. */
static const struct str_node *ar_required(const struct authrules *r,
                                          const struct sx_sip_uri *u)
{
	for (const struct ar_host *hm = r->hm; hm; hm = hm->next) {
		if (!hosts_match(hm->hosts, u))
			continue;
		for (const struct ar_user *um = hm->um; um; um = um->next)
			for (const struct str_node *p = um->patterns; p;
			     p = p->next)
				if (sx_digitmap_match(p->s, u->user, NULL))
					return um->perms;
	}
	return NULL;
}

/* -- permission.xml -------------------------------------------------------- */

struct perm_item {
	struct sx_sl identity, perm;
};

struct permissions {
	struct sx_arena arena;
	struct perm_item *items; /**< sorted by identity (bsearch) */
	size_t n;
};

static void permissions_destroy(void *obj)
{
	struct permissions *p = obj;
	sx_arena_fini(&p->arena);
}

static int sl_cmp(struct sx_sl a, struct sx_sl b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? memcmp(a.p, b.p, n) : 0;
	return c ? c : (a.len > b.len) - (a.len < b.len);
}

static int item_cmp(const void *x, const void *y)
{
	const struct perm_item *a = x, *b = y;
	return sl_cmp(a->identity, b->identity);
}

static int perm_parse_item(struct permissions *p, const xmlNode *x)
{
	struct perm_item *it = &p->items[p->n];
	int err = 0;

	*it = (struct perm_item){SX_SL_NULL, SX_SL_NULL};
	for (const xmlNode *c = x->children; c && !err; c = c->next) {
		if (is_elem(c, "identity"))
			err = text_of(&p->arena, c, &it->identity);
		else if (is_elem(c, "permission"))
			err = text_of(&p->arena, c, &it->perm);
	}
	if (!err && it->identity.len && it->perm.len)
		p->n++;
	return err;
}

static size_t count_items(const xmlNode *root)
{
	size_t n = 0;
	for (const xmlNode *c = root->children; c; c = c->next)
		n += is_elem(c, "item");
	return n;
}

static int permissions_load(void **objp, const char *path)
{
	struct permissions *p = NULL;
	xmlDoc *doc = NULL;
	int err = doc_read(path, "items", &doc);

	if (err)
		return err;
	const xmlNode *root = xmlDocGetRootElement(doc);
	size_t max = count_items(root);
	if (max > PX_PERM_ITEMS_MAX) {
		err = -E2BIG;
		goto out;
	}
	p = sx_mem_zalloc(sizeof(*p), permissions_destroy);
	if (!p) {
		err = -ENOMEM;
		goto out;
	}
	sx_arena_init(&p->arena, NULL, 0, PX_RULES_ARENA_MAX);
	p->items =
	    sx_arena_zalloc(&p->arena, (max ? max : 1) * sizeof(*p->items));
	if (!p->items)
		err = -ENOMEM;
	for (const xmlNode *c = root->children; c && !err; c = c->next)
		if (is_elem(c, "item"))
			err = perm_parse_item(p, c);
	if (!err) {
		qsort(p->items, p->n, sizeof(*p->items), item_cmp);
		*objp = sx_mem_ref(p);
	}
out:
	sx_mem_unref(p);
	xmlFreeDoc(doc);
	return err;
}

static bool perm_held(const struct permissions *p, struct sx_sl identity,
                      struct sx_sl perm)
{
	size_t lo = 0, hi = p ? p->n : 0;

	while (lo < hi) { /* first item of @identity */
		size_t mid = lo + (hi - lo) / 2;
		if (sl_cmp(p->items[mid].identity, identity) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo;
	     p && i < p->n && sx_sl_eq(p->items[i].identity, identity); i++)
		if (sx_sl_eq_nocase(p->items[i].perm, perm))
			return true;
	return false;
}

/* -- forwardingrules.xml --------------------------------------------------- */

struct fw_regex {
	struct fw_regex *next;  /**< all of the file's (for regfree) */
	struct fw_regex *fnext; /**< the same field's */
	regex_t re;
};

struct fw_field {
	struct fw_field *next;
	struct sx_sl name;
	struct fw_regex *patterns; /**< any of them, anchored */
	struct sx_sl route_to;
	bool has_route_to, auth_required;
};

struct fw_method {
	struct fw_method *next;
	struct str_node *methods; /**< none = any method */
	struct fw_field *fields;
	struct sx_sl route_to;
	bool has_route_to, auth_required;
};

struct fw_route {
	struct fw_route *next;
	struct host_pat *from;
	struct fw_method *mm;
	struct sx_sl route_to;
	bool has_route_to, auth_required;
};

struct fwdrules {
	struct sx_arena arena;
	struct fw_route *routes;
	struct fw_regex *regexes; /**< all compiled ones, for regfree */
	size_t nregex;
};

static void fwdrules_destroy(void *obj)
{
	struct fwdrules *r = obj;
	for (struct fw_regex *x = r->regexes; x; x = x->next)
		regfree(&x->re);
	sx_arena_fini(&r->arena);
}

static bool attr_true(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	bool yes = v && !strcmp((const char *)v, "true");
	xmlFree(v);
	return yes;
}

static int route_to_parse(struct fwdrules *r, const xmlNode *n,
                          struct sx_sl *to, bool *has, bool *auth)
{
	*has = true;
	*auth = attr_true(n, "authRequired");
	return text_of(&r->arena, n, to);
}

/* Compile "^(pattern)$" (sipXecs fieldPattern is anchored PCRE; POSIX
 * extended covers what the generated files use). */
static int regex_add(struct fwdrules *r, struct fw_field *f, const xmlNode *n)
{
	struct sx_sl pat;
	char anchored[PX_RULES_TEXT_MAX + 8];
	int err = text_of(&r->arena, n, &pat);

	if (err)
		return err;
	if (r->nregex >= PX_FWD_REGEX_MAX)
		return -E2BIG;
	struct fw_regex *x = sx_arena_zalloc(&r->arena, sizeof(*x));
	if (!x)
		return -ENOMEM;
	snprintf(anchored, sizeof(anchored), "^(%.*s)$", SX_SL_FMT(pat));
	int rc = regcomp(&x->re, anchored, REG_EXTENDED | REG_NOSUB);
	if (rc)
		return rc == REG_ESPACE ? -ENOMEM : -EBADMSG;
	x->next = r->regexes;
	r->regexes = x;
	r->nregex++;
	struct fw_regex **pp = &f->patterns;
	while (*pp)
		pp = &(*pp)->fnext;
	*pp = x;
	return 0;
}

static int fw_parse_field(struct fwdrules *r, struct fw_method *mm,
                          const xmlNode *x)
{
	struct fw_field *f = sx_arena_zalloc(&r->arena, sizeof(*f));
	if (!f)
		return -ENOMEM;
	xmlChar *name = xmlGetProp(x, (const xmlChar *)"fieldName");
	int err = 0;
	if (name) {
		struct sx_sl n = sx_sl_cstr((const char *)name);
		char *p = n.len <= PX_RULES_TEXT_MAX
		              ? sx_arena_alloc(&r->arena, n.len + 1)
		              : NULL;
		if (p) {
			memcpy(p, n.p, n.len + 1);
			f->name = sx_sl_make(p, n.len);
		} else {
			err = n.len > PX_RULES_TEXT_MAX ? -E2BIG : -ENOMEM;
		}
		xmlFree(name);
	}
	for (const xmlNode *c = x->children; c && !err; c = c->next) {
		if (is_elem(c, "fieldPattern"))
			err = regex_add(r, f, c);
		else if (is_elem(c, "routeTo"))
			err =
			    route_to_parse(r, c, &f->route_to, &f->has_route_to,
			                   &f->auth_required);
	}
	if (!err)
		APPEND(&mm->fields, f);
	return err;
}

static int fw_parse_method(struct fwdrules *r, struct fw_route *rt,
                           const xmlNode *x)
{
	struct fw_method *mm = sx_arena_zalloc(&r->arena, sizeof(*mm));
	int err = mm ? 0 : -ENOMEM;

	for (const xmlNode *c = x->children; c && !err; c = c->next) {
		if (is_elem(c, "methodPattern"))
			err = str_add(&r->arena, &mm->methods, c);
		else if (is_elem(c, "fieldMatch"))
			err = fw_parse_field(r, mm, c);
		else if (is_elem(c, "routeTo"))
			err = route_to_parse(r, c, &mm->route_to,
			                     &mm->has_route_to,
			                     &mm->auth_required);
	}
	if (!err)
		APPEND(&rt->mm, mm);
	return err;
}

static int fw_parse_route(void *obj, const xmlNode *x)
{
	struct fwdrules *r = obj;
	struct fw_route *rt = sx_arena_zalloc(&r->arena, sizeof(*rt));
	int err = rt ? 0 : -ENOMEM;

	for (const xmlNode *c = x->children; c && !err; c = c->next) {
		if (is_elem(c, "routeFrom"))
			err = host_add(&r->arena, &rt->from, c, HOST_URL);
		else if (is_elem(c, "routeIPv4subnet"))
			err = host_add(&r->arena, &rt->from, c, HOST_SUBNET);
		else if (is_elem(c, "routeDnsWildcard"))
			err = host_add(&r->arena, &rt->from, c, HOST_WILDCARD);
		else if (is_elem(c, "methodMatch"))
			err = fw_parse_method(r, rt, c);
		else if (is_elem(c, "routeTo"))
			err = route_to_parse(r, c, &rt->route_to,
			                     &rt->has_route_to,
			                     &rt->auth_required);
	}
	if (!err)
		APPEND(&r->routes, rt);
	return err;
}

static_assert(offsetof(struct fwdrules, arena) == 0, "arena first");

static int fwdrules_load(void **objp, const char *path)
{
	static const struct rules_fmt fmt = {
	    .root = "routes",
	    .elem = "route",
	    .size = sizeof(struct fwdrules),
	    .destroy = fwdrules_destroy,
	    .parse = fw_parse_route,
	};
	return rules_load(objp, path, &fmt);
}

/* -- watched files --------------------------------------------------------- */

/* A reference on @w's current rules (NULL = none). */
static void *watched_get(struct sx_proxy *px, struct sx_watched *w)
{
	if (!w->path)
		return NULL;
	pthread_mutex_lock(&px->rules_lock);
	void *obj = sx_watched_get(w);
	pthread_mutex_unlock(&px->rules_lock);
	return obj;
}

int px_rules_init(struct sx_proxy *px, const struct sx_proxy_prm *prm)
{
	int err = sx_watched_set(&px->authrules, prm->authrules,
	                         authrules_load, PX_RULES_CHECK_MS);
	if (!err)
		err = sx_watched_set(&px->permissions, prm->permissions,
		                     permissions_load, PX_RULES_CHECK_MS);
	if (!err)
		err = sx_watched_set(&px->fwdrules, prm->forwardingrules,
		                     fwdrules_load, PX_RULES_CHECK_MS);
	return err;
}

void px_rules_recheck(struct sx_proxy *px)
{
	pthread_mutex_lock(&px->rules_lock);
	sx_watched_recheck(&px->authrules);
	sx_watched_recheck(&px->permissions);
	sx_watched_recheck(&px->fwdrules);
	pthread_mutex_unlock(&px->rules_lock);
}

void px_rules_fini(struct sx_proxy *px)
{
	sx_watched_fini(&px->authrules);
	sx_watched_fini(&px->permissions);
	sx_watched_fini(&px->fwdrules);
}

/* -- permission check ------------------------------------------------------ */

/*
 * Whose permissions count: the authenticated user; with authentication
 * off, the From user of our domain.  Empty = nobody (outside callers).
 */
static size_t caller_identity(const struct px_req *rq, char *buf, size_t cap)
{
	const struct sx_sip_uri *from = &rq->msg->from.uri;
	int n = 0;

	if (rq->authed)
		n = snprintf(buf, cap, "%s@%s", rq->user, rq->px->domain);
	else if (!rq->px->auth && px_uri_in_domain(rq->px, from, rq->peer))
		n = snprintf(buf, cap, "%.*s@%s", SX_SL_FMT(from->user),
		             rq->px->domain);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

uint16_t px_permission_check(struct px_req *rq, const struct sx_sip_uri *ruri,
                             char *reason, size_t cap)
{
	struct authrules *ar;
	struct permissions *pm;
	char id[PX_IDENTITY_MAX];
	uint16_t st = 0;

	if (rq->trusted || rq->msg->to_tag.len ||
	    !(ar = watched_get(rq->px, &rq->px->authrules)))
		return 0;
	pm = watched_get(rq->px, &rq->px->permissions);
	const struct str_node *need = ar_required(ar, ruri);
	size_t idlen = caller_identity(rq, id, sizeof(id));
	if (need) {
		st = 403;
		for (const struct str_node *p = need; p && st; p = p->next)
			if (idlen && perm_held(pm, sx_sl_make(id, idlen), p->s))
				st = 0;
		if (st)
			snprintf(reason, cap, "%.*s Required",
			         SX_SL_FMT(need->s));
	}
	sx_mem_unref(pm);
	sx_mem_unref(ar);
	return st;
}

/* -- forwarding ------------------------------------------------------------ */

/* Value of the first header field named @name matching one of @pats. */
static bool field_match(const struct sx_sip_msg *msg, const struct fw_field *f)
{
	char val[PX_RULES_TEXT_MAX * 4];

	for (size_t i = 0; i < msg->nhdrs; i++) {
		const struct sx_sip_hdr *hd = &msg->hdrs[i];
		if (!sx_sl_eq_nocase(hd->name, f->name) ||
		    hd->value.len >= sizeof(val))
			continue;
		memcpy(val, hd->value.p, hd->value.len);
		val[hd->value.len] = '\0';
		if (!f->patterns)
			return true;
		for (const struct fw_regex *x = f->patterns; x; x = x->fnext)
			if (!regexec(&x->re, val, 0, NULL, 0))
				return true;
	}
	return false;
}

static bool method_match(const struct fw_method *mm, struct sx_sl method)
{
	if (!mm->methods)
		return true;
	for (const struct str_node *m = mm->methods; m; m = m->next)
		if (sx_sl_eq_nocase(m->s, method))
			return true;
	return false;
}

struct fw_pick {
	struct sx_sl to;
	bool auth_required;
};

/* The routeTo of route @rt for @msg: fieldMatch, then methodMatch, then
 * the route's own.  False when none applies. */
static bool route_pick(const struct fw_route *rt, const struct sx_sip_msg *msg,
                       struct fw_pick *pk)
{
	for (const struct fw_method *mm = rt->mm; mm; mm = mm->next) {
		if (!method_match(mm, msg->method_sl))
			continue;
		for (const struct fw_field *f = mm->fields; f; f = f->next)
			if (f->has_route_to && field_match(msg, f)) {
				*pk = (struct fw_pick){f->route_to,
				                       f->auth_required};
				return true;
			}
		if (mm->has_route_to) {
			*pk = (struct fw_pick){mm->route_to, mm->auth_required};
			return true;
		}
	}
	if (!rt->has_route_to)
		return false;
	*pk = (struct fw_pick){rt->route_to, rt->auth_required};
	return true;
}

/* A routeTo value is host[:port][;params]: nothing that could end a
 * header field or the URI. */
static bool route_to_ok(struct sx_sl to)
{
	for (size_t i = 0; i < to.len; i++) {
		unsigned char c = (unsigned char)to.p[i];
		if (c <= ' ' || c >= 0x7f || strchr("<>\"',?\\", c))
			return false;
	}
	return true;
}

static int route_print(struct px_req *rq, struct sx_sl to, char *buf,
                       size_t cap)
{
	struct sx_sip_addr a;
	int n;

	if (!route_to_ok(to))
		return -EINVAL;
	n = snprintf(buf, cap, "<sip:%.*s;lr>", SX_SL_FMT(to));
	if (n < 0 || (size_t)n >= cap)
		return -E2BIG;
	if (sx_sip_addr_parse(&a, sx_sl_make(buf, (size_t)n)))
		return -EINVAL;
	/* a rule naming ourselves leaves the request to the registrar */
	return px_uri_is_us(rq->px, &a.uri, rq->self) ? 0 : 1;
}

int px_forward_route(struct px_req *rq, char *buf, size_t cap)
{
	struct fwdrules *r = watched_get(rq->px, &rq->px->fwdrules);
	const struct sx_sip_uri *ruri = px_request_uri(rq);
	struct fw_pick pk;
	int res = 0;

	for (const struct fw_route *rt = r ? r->routes : NULL; rt;
	     rt = rt->next) {
		if (!hosts_match(rt->from, ruri))
			continue;
		if (!route_pick(rt, rq->msg, &pk) ||
		    (pk.auth_required && !rq->authed && !rq->trusted) ||
		    !pk.to.len)
			break;
		res = route_print(rq, pk.to, buf, cap);
		if (res < 0)
			SX_LOG_WARN_RL("forwardingrules: bad routeTo '%.*s'",
			               SX_SL_FMT(pk.to));
		break;
	}
	sx_mem_unref(r);
	return res;
}
