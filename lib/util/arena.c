/*
 * Per-message bump allocator (STYLE.md 2.5 rule 1).
 */
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include <sx/util/arena.h>
#include <sx/util/mem.h>

struct sx_arena_chunk {
	struct sx_arena_chunk *next;
	alignas(max_align_t) char data[];
};

#define ALIGN (alignof(max_align_t))

void sx_arena_init(struct sx_arena *a, void *buf, size_t size, size_t limit)
{
	a->chunks = NULL;
	a->used = 0;
	a->limit = limit;
	if (buf && size) {
		uintptr_t p = ((uintptr_t)buf + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
		uintptr_t e = (uintptr_t)buf + size;
		a->cur = (char *)p;
		a->end = (char *)(p <= e ? e : p);
	} else {
		a->cur = a->end = NULL;
	}
}

void sx_arena_fini(struct sx_arena *a)
{
	struct sx_arena_chunk *c = a->chunks;
	while (c) {
		struct sx_arena_chunk *next = c->next;
		sx_mem_unref(c);
		c = next;
	}
	a->chunks = NULL;
	a->cur = a->end = NULL;
	a->used = 0;
}

void *sx_arena_alloc(struct sx_arena *a, size_t size)
{
	size_t need = (size + ALIGN - 1) & ~(ALIGN - 1);
	if (need < size)
		return NULL;
	if (a->limit && (need > a->limit || a->used > a->limit - need))
		return NULL;
	if ((size_t)(a->end - a->cur) < need || !a->cur) {
		size_t csz = need > SX_ARENA_CHUNK ? need : SX_ARENA_CHUNK;
		struct sx_arena_chunk *c =
			sx_mem_alloc(sizeof(*c) + csz, NULL);
		if (!c)
			return NULL;
		c->next = a->chunks;
		a->chunks = c;
		a->cur = c->data;
		a->end = c->data + csz;
	}
	void *p = a->cur;
	a->cur += need;
	a->used += need;
	return p;
}

void *sx_arena_zalloc(struct sx_arena *a, size_t size)
{
	void *p = sx_arena_alloc(a, size);
	if (p)
		memset(p, 0, size);
	return p;
}
