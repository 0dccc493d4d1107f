/*
 * The alias table of the redirect chain (sipXregistry 120-ALIAS,
 * SIPXECS-REFERENCE.md 1.3): alias.xml in the sipXecs IMDB format,
 * <items type="alias"><item><identity>301@dom</identity>
 * <contact>"John"&lt;sip:john@dom&gt;;q=0.8</contact></item>...</items>.
 * User aliases, call forwarding and hunt groups all compile into these
 * identity -> contact rows (several rows per identity give several
 * contacts, each with its q and expires).  Parsed with libxml2 into a
 * hash over an arena owned by one sx_mem object.
 */
#define SX_LOG_MOD "registrar.alias"

#include <errno.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <sx/util/arena.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "registrar_int.h"

/** Hash buckets of the alias table. */
#define SX_ALIAS_BUCKETS 1024u
/** Most bytes of aliases held in memory. */
#define SX_ALIAS_ARENA_MAX (16u * 1024u * 1024u)

struct alias_row {
	struct alias_row *next;
	struct sx_sl identity; /**< "user@domain", domain lowercase */
	struct sx_sl contact;
};

struct aliases {
	struct sx_arena arena;
	struct alias_row *bucket[SX_ALIAS_BUCKETS];
};

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

static int copy_text(struct aliases *a, const xmlNode *n, bool lower_domain,
		     struct sx_sl *outp)
{
	xmlChar *t = xmlNodeGetContent(n);
	if (!t)
		return -ENOMEM;
	struct sx_sl s = sx_sl_trim(sx_sl_cstr((const char *)t));
	char *p = sx_arena_alloc(&a->arena, s.len + 1);
	if (p) {
		bool dom = false;
		for (size_t i = 0; i < s.len; i++) {
			char c = s.p[i];
			dom |= c == '@';
			p[i] = (char)(lower_domain && dom && c >= 'A' && c <= 'Z'
					  ? c + 32
					  : c);
		}
		p[s.len] = '\0';
		*outp = sx_sl_make(p, s.len);
	}
	xmlFree(t);
	return p ? 0 : -ENOMEM;
}

static int parse_item(struct aliases *a, const xmlNode *item)
{
	struct alias_row *row = sx_arena_zalloc(&a->arena, sizeof(*row));
	int err = row ? 0 : -ENOMEM;
	for (const xmlNode *c = item->children; c && !err; c = c->next) {
		if (is_elem(c, "identity"))
			err = copy_text(a, c, true, &row->identity);
		else if (is_elem(c, "contact"))
			err = copy_text(a, c, false, &row->contact);
	}
	if (err || !row->identity.len || !row->contact.len)
		return err;
	/* keep file order within an identity: append to the chain */
	struct alias_row **pp =
	    &a->bucket[sx_sl_hash(row->identity) % SX_ALIAS_BUCKETS];
	while (*pp)
		pp = &(*pp)->next;
	*pp = row;
	return 0;
}

static void aliases_destroy(void *obj)
{
	struct aliases *a = obj;
	sx_arena_fini(&a->arena);
}

int sx_aliases__load(struct aliases **ap, const char *path)
{
	struct aliases *a = NULL;
	int err = 0;
	xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET |
						  XML_PARSE_NOERROR |
						  XML_PARSE_NOWARNING);
	if (!doc)
		return -EBADMSG;
	const xmlNode *root = xmlDocGetRootElement(doc);
	if (!root || !is_elem(root, "items")) {
		err = -EBADMSG;
		goto out;
	}
	a = sx_mem_zalloc(sizeof(*a), aliases_destroy);
	if (!a) {
		err = -ENOMEM;
		goto out;
	}
	sx_arena_init(&a->arena, NULL, 0, SX_ALIAS_ARENA_MAX);
	for (const xmlNode *c = root->children; c && !err; c = c->next)
		if (is_elem(c, "item"))
			err = parse_item(a, c);
	if (!err)
		*ap = sx_mem_ref(a);
out:
	sx_mem_unref(a);
	xmlFreeDoc(doc);
	return err;
}

ssize_t sx_aliases__get(const struct aliases *a, struct sx_sl key,
			int (*fn)(struct sx_sl contact, void *arg), void *arg)
{
	ssize_t n = 0;
	for (const struct alias_row *r =
		 a->bucket[sx_sl_hash(key) % SX_ALIAS_BUCKETS];
	     r; r = r->next) {
		if (!sx_sl_eq(r->identity, key))
			continue;
		int err = fn(r->contact, arg);
		if (err)
			return err;
		n++;
	}
	return n;
}
