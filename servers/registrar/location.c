/*
 * The location index (RFC 3261 10.3 "location service"): bindings by
 * address-of-record in SX_REGISTRAR_SHARDS shards, each a chained hash
 * with its own mutex and its own min-heap of bindings keyed by expiry,
 * so expiring never scans the table: a sweep pops only due entries
 * (STYLE.md 2.9 "shared state in sharded hashes").
 */
#define SX_LOG_MOD "registrar.loc"

#include <errno.h>
#include <string.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "registrar_int.h"

uint32_t sx_loc__hash(struct sx_sl key)
{
	return sx_sl_hash(key);
}

struct loc_shard *sx_loc__shard(struct loc *loc, uint32_t hash)
{
	return &loc->shard[hash % SX_REGISTRAR_SHARDS];
}

static size_t bucket_of(uint32_t hash)
{
	return (hash / SX_REGISTRAR_SHARDS) % SX_LOC_BUCKETS;
}

int sx_loc__init(struct loc *loc)
{
	memset(loc, 0, sizeof(*loc));
	for (size_t i = 0; i < SX_REGISTRAR_SHARDS; i++) {
		int err = pthread_mutex_init(&loc->shard[i].lock, NULL);
		if (err) {
			while (i--)
				pthread_mutex_destroy(&loc->shard[i].lock);
			return -err;
		}
	}
	return 0;
}

static void aor_free_all(struct loc_aor *aor)
{
	while (aor->bindings) {
		struct loc_binding *b = aor->bindings;
		aor->bindings = b->next;
		sx_mem_unref(b);
	}
	sx_mem_unref(aor);
}

void sx_loc__fini(struct loc *loc)
{
	for (size_t i = 0; i < SX_REGISTRAR_SHARDS; i++) {
		struct loc_shard *sh = &loc->shard[i];
		for (size_t k = 0; k < SX_LOC_BUCKETS; k++) {
			while (sh->buckets[k]) {
				struct loc_aor *aor = sh->buckets[k];
				sh->buckets[k] = aor->next;
				aor_free_all(aor);
			}
		}
		sh->heap = sx_mem_unref(sh->heap);
		pthread_mutex_destroy(&sh->lock);
	}
}

struct loc_aor *sx_loc__find(struct loc_shard *sh, struct sx_sl key,
			     uint32_t hash)
{
	for (struct loc_aor *a = sh->buckets[bucket_of(hash)]; a; a = a->next)
		if (a->hash == hash && sx_sl_eq(a->key, key))
			return a;
	return NULL;
}

int sx_loc__get(struct loc_shard *sh, struct sx_sl key, uint32_t hash,
		struct loc_aor **aorp)
{
	struct loc_aor *a = sx_loc__find(sh, key, hash);
	if (a) {
		*aorp = a;
		return 0;
	}
	a = sx_mem_zalloc(sizeof(*a) + key.len + 1, NULL);
	if (!a)
		return -ENOMEM;
	char *k = (char *)(a + 1);
	memcpy(k, key.p, key.len);
	k[key.len] = '\0';
	a->key = sx_sl_make(k, key.len);
	a->hash = hash;
	size_t bk = bucket_of(hash);
	a->next = sh->buckets[bk];
	sh->buckets[bk] = a;
	*aorp = a;
	return 0;
}

/* Unlink an empty AOR record from its chain and free it. */
static void aor_drop(struct loc_shard *sh, struct loc_aor *aor)
{
	struct loc_aor **pp = &sh->buckets[bucket_of(aor->hash)];
	while (*pp != aor)
		pp = &(*pp)->next;
	*pp = aor->next;
	sx_mem_unref(aor);
}

/* -- expiry heap (binary min-heap on expires_at) ------------------------ */

static void heap_set(struct loc_shard *sh, size_t i, struct loc_binding *b)
{
	sh->heap[i] = b;
	b->hidx = i + 1;
}

static void heap_up(struct loc_shard *sh, size_t i)
{
	struct loc_binding *b = sh->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (sh->heap[parent]->expires_at <= b->expires_at)
			break;
		heap_set(sh, i, sh->heap[parent]);
		i = parent;
	}
	heap_set(sh, i, b);
}

static void heap_down(struct loc_shard *sh, size_t i)
{
	struct loc_binding *b = sh->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= sh->nheap)
			break;
		if (c + 1 < sh->nheap &&
		    sh->heap[c + 1]->expires_at < sh->heap[c]->expires_at)
			c++;
		if (b->expires_at <= sh->heap[c]->expires_at)
			break;
		heap_set(sh, i, sh->heap[c]);
		i = c;
	}
	heap_set(sh, i, b);
}

int sx_loc__reserve(struct loc_shard *sh, size_t n)
{
	if (sh->nheap + n <= sh->capheap)
		return 0;
	size_t cap = sh->capheap ? sh->capheap : SX_LOC_HEAP_INIT;
	while (cap < sh->nheap + n)
		cap *= 2;
	struct loc_binding **h;
	if (sh->heap)
		h = sx_mem_realloc(sh->heap, cap * sizeof(*h));
	else
		h = sx_mem_alloc(cap * sizeof(*h), NULL);
	if (!h)
		return -ENOMEM;
	sh->heap = h;
	sh->capheap = cap;
	return 0;
}

static void heap_remove(struct loc_shard *sh, struct loc_binding *b)
{
	size_t i = b->hidx - 1;
	b->hidx = 0;
	sh->nheap--;
	if (i == sh->nheap)
		return;
	heap_set(sh, i, sh->heap[sh->nheap]);
	heap_down(sh, i);
	heap_up(sh, sh->heap[i]->hidx - 1);
}

void sx_loc__insert(struct loc_shard *sh, struct loc_aor *aor,
		    struct loc_binding *b)
{
	b->aor = aor;
	b->next = aor->bindings;
	aor->bindings = b;
	aor->n++;
	sh->heap[sh->nheap] = b;
	b->hidx = ++sh->nheap;
	heap_up(sh, sh->nheap - 1);
}

bool sx_loc__remove(struct loc_shard *sh, struct loc_binding *b)
{
	struct loc_aor *aor = b->aor;
	struct loc_binding **pp = &aor->bindings;
	while (*pp != b)
		pp = &(*pp)->next;
	*pp = b->next;
	aor->n--;
	heap_remove(sh, b);
	sx_mem_unref(b);
	if (aor->n)
		return false;
	aor_drop(sh, aor);
	return true;
}

bool sx_loc__purge(struct loc_shard *sh, struct loc_aor *aor, int64_t now)
{
	struct loc_binding *b = aor->bindings;
	while (b) {
		struct loc_binding *next = b->next;
		if (b->expires_at <= now && sx_loc__remove(sh, b))
			return true;
		b = next;
	}
	return false;
}

/* -- bindings ------------------------------------------------------------ */

static struct sx_sl pack(char **dst, struct sx_sl s)
{
	char *p = *dst;
	if (s.len)
		memcpy(p, s.p, s.len);
	p[s.len] = '\0';
	*dst = p + s.len + 1;
	return sx_sl_make(p, s.len);
}

int sx_loc__binding_new(struct loc_binding **bp,
			const struct sx_store_binding *sb)
{
	size_t len = sb->contact.len + sb->call_id.len + sb->path.len +
		     sb->instance.len + sb->user_agent.len + sb->received.len +
		     sb->transport.len + 7;
	struct loc_binding *b = sx_mem_zalloc(sizeof(*b) + len, NULL);
	if (!b)
		return -ENOMEM;
	char *p = (char *)(b + 1);
	b->contact = pack(&p, sb->contact);
	b->call_id = pack(&p, sb->call_id);
	b->path = pack(&p, sb->path);
	b->instance = pack(&p, sb->instance);
	b->user_agent = pack(&p, sb->user_agent);
	b->received = pack(&p, sb->received);
	b->transport = pack(&p, sb->transport);
	b->q = sb->q;
	b->expires_at = sb->expires_at;
	b->updated_at = sb->updated_at;
	b->cseq = sb->cseq;
	b->reg_id = sb->reg_id;
	*bp = b;
	return 0;
}

void sx_loc__binding_view(const struct loc_binding *b, struct sx_sl aor,
			  struct sx_store_binding *sb)
{
	*sb = (struct sx_store_binding){
	    .aor = aor,
	    .contact = b->contact,
	    .q = b->q,
	    .expires_at = b->expires_at,
	    .call_id = b->call_id,
	    .cseq = b->cseq,
	    .path = b->path,
	    .instance = b->instance,
	    .reg_id = b->reg_id,
	    .user_agent = b->user_agent,
	    .received = b->received,
	    .transport = b->transport,
	    .updated_at = b->updated_at,
	};
}

/* -- whole-index operations ---------------------------------------------- */

size_t sx_loc__expire(struct loc *loc, int64_t now)
{
	size_t n = 0;
	for (size_t i = 0; i < SX_REGISTRAR_SHARDS; i++) {
		struct loc_shard *sh = &loc->shard[i];
		pthread_mutex_lock(&sh->lock);
		/* RFC 3261 10.3 step 7: expired bindings are removed */
		while (sh->nheap && sh->heap[0]->expires_at <= now) {
			(void)sx_loc__remove(sh, sh->heap[0]);
			n++;
		}
		pthread_mutex_unlock(&sh->lock);
	}
	return n;
}

size_t sx_loc__count(struct loc *loc)
{
	size_t n = 0;
	for (size_t i = 0; i < SX_REGISTRAR_SHARDS; i++) {
		struct loc_shard *sh = &loc->shard[i];
		pthread_mutex_lock(&sh->lock);
		n += sh->nheap;
		pthread_mutex_unlock(&sh->lock);
	}
	return n;
}

int sx_loc__lookup(struct loc *loc, struct sx_sl key, int64_t now,
		   struct sx_registrar_cset **csp)
{
	struct cset_item items[SX_REGISTRAR_CSET_MAX];
	size_t n = 0;
	uint32_t hash = sx_loc__hash(key);
	struct loc_shard *sh = sx_loc__shard(loc, hash);
	int err;

	pthread_mutex_lock(&sh->lock);
	struct loc_aor *aor = sx_loc__find(sh, key, hash);
	for (struct loc_binding *b = aor ? aor->bindings : NULL;
	     b && n < SX_REGISTRAR_CSET_MAX; b = b->next) {
		if (b->expires_at <= now)
			continue;
		items[n++] = (struct cset_item){
		    .uri = b->contact,
		    .path = b->path,
		    .instance = b->instance,
		    .received = b->received,
		    .transport = b->transport,
		    .q = b->q,
		    .expires = (uint32_t)(b->expires_at - now),
		    .reg_id = b->reg_id,
		};
	}
	/* copy while locked: the slices point into the bindings */
	err = sx_reg__cset_make(csp, items, n);
	pthread_mutex_unlock(&sh->lock);
	return err;
}
