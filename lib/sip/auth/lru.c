/*
 * Bounded hash table with least-recently-used eviction, the memory
 * behind digest nonce-counts (RFC 7616 3.3, RFC 2617 3.2.2) and
 * authentication throttling.  Everything is allocated once: entries live
 * in one array linked by 32-bit indices (hash chains and the LRU list),
 * so no request ever allocates and a flood can only evict, never grow.
 * Keys are MAC bytes (pseudo-random even for attacker-chosen input), so
 * their first four bytes serve as the hash.
 */
#include <errno.h>
#include <string.h>

#include <sx/util/mem.h>

#include "auth_int.h"

/** "No entry" in index links. */
#define NIL UINT32_MAX
/** Largest table (indices must stay below NIL). */
#define LRU_CAP_MAX (1u << 24)

struct sx_auth_ent {
	uint8_t key[SX_AUTH_KEY_LEN];
	uint32_t hnext;      /**< next in the bucket chain */
	uint32_t prev, next; /**< LRU list, head = most recent */
	union sx_auth_val val;
};

static uint32_t key_hash(const uint8_t *key)
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return h;
}

int sx_sip_auth__lru_init(struct sx_auth_lru *t, uint32_t cap)
{
	uint32_t nb = 1;

	memset(t, 0, sizeof(*t));
	if (!cap || cap > LRU_CAP_MAX)
		return -EINVAL;
	/* about two buckets per entry keeps chains short */
	while (nb < cap * 2)
		nb <<= 1;
	t->ents = sx_mem_alloc((size_t)cap * sizeof(*t->ents), NULL);
	t->buckets = sx_mem_alloc((size_t)nb * sizeof(*t->buckets), NULL);
	if (!t->ents || !t->buckets || pthread_mutex_init(&t->lock, NULL)) {
		t->ents = sx_mem_unref(t->ents);
		t->buckets = sx_mem_unref(t->buckets);
		return -ENOMEM;
	}
	memset(t->buckets, 0xff, (size_t)nb * sizeof(*t->buckets));
	t->cap = cap;
	t->mask = nb - 1;
	t->head = t->tail = NIL;
	return 0;
}

void sx_sip_auth__lru_fini(struct sx_auth_lru *t)
{
	if (!t->ents)
		return;
	pthread_mutex_destroy(&t->lock);
	t->ents = sx_mem_unref(t->ents);
	t->buckets = sx_mem_unref(t->buckets);
}

static void list_unlink(struct sx_auth_lru *t, uint32_t i)
{
	struct sx_auth_ent *e = &t->ents[i];

	if (e->prev != NIL)
		t->ents[e->prev].next = e->next;
	else
		t->head = e->next;
	if (e->next != NIL)
		t->ents[e->next].prev = e->prev;
	else
		t->tail = e->prev;
}

static void list_push_head(struct sx_auth_lru *t, uint32_t i)
{
	struct sx_auth_ent *e = &t->ents[i];

	e->prev = NIL;
	e->next = t->head;
	if (t->head != NIL)
		t->ents[t->head].prev = i;
	t->head = i;
	if (t->tail == NIL)
		t->tail = i;
}

/* Index of @key and the link that points at it. */
static uint32_t find(struct sx_auth_lru *t, const uint8_t *key,
                     uint32_t **linkp)
{
	uint32_t *link = &t->buckets[key_hash(key) & t->mask];

	while (*link != NIL) {
		struct sx_auth_ent *e = &t->ents[*link];
		if (!memcmp(e->key, key, SX_AUTH_KEY_LEN))
			break;
		link = &e->hnext;
	}
	if (linkp)
		*linkp = link;
	return *link;
}

static void remove_at(struct sx_auth_lru *t, uint32_t i)
{
	uint32_t *link;

	find(t, t->ents[i].key, &link);
	*link = t->ents[i].hnext;
	list_unlink(t, i);
}

union sx_auth_val *sx_sip_auth__lru_get(struct sx_auth_lru *t,
                                        const uint8_t key[SX_AUTH_KEY_LEN])
{
	uint32_t i = find(t, key, NULL);

	if (i == NIL)
		return NULL;
	list_unlink(t, i);
	list_push_head(t, i);
	return &t->ents[i].val;
}

union sx_auth_val *sx_sip_auth__lru_put(struct sx_auth_lru *t,
                                        const uint8_t key[SX_AUTH_KEY_LEN],
                                        union sx_auth_val *oldp, bool *evictedp)
{
	uint32_t i, *link;
	struct sx_auth_ent *e;

	if (evictedp)
		*evictedp = false;
	if (t->count < t->cap) {
		i = t->count++;
	} else {
		/* full: reuse the least recently used entry */
		i = t->tail;
		if (oldp)
			*oldp = t->ents[i].val;
		if (evictedp)
			*evictedp = true;
		remove_at(t, i);
	}
	e = &t->ents[i];
	memcpy(e->key, key, SX_AUTH_KEY_LEN);
	memset(&e->val, 0, sizeof(e->val));
	find(t, key, &link);
	e->hnext = NIL;
	*link = i;
	list_push_head(t, i);
	return &e->val;
}

void sx_sip_auth__lru_del(struct sx_auth_lru *t,
                          const uint8_t key[SX_AUTH_KEY_LEN])
{
	uint32_t i = find(t, key, NULL), last;

	if (i == NIL)
		return;
	remove_at(t, i);
	/* keep entries dense: move the last one into the hole */
	last = --t->count;
	if (i == last)
		return;
	uint32_t *link;
	find(t, t->ents[last].key, &link);
	*link = i;
	t->ents[i] = t->ents[last];
	if (t->ents[i].prev != NIL)
		t->ents[t->ents[i].prev].next = i;
	else
		t->head = i;
	if (t->ents[i].next != NIL)
		t->ents[t->ents[i].next].prev = i;
	else
		t->tail = i;
}
