/*
 * Reference-counted allocation with leak counters and OOM injection
 * (libre mem.c model; SQLite memdebug_fail for the injection).
 */
#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sx/util/mem.h>

/* Header before every block; keeps max_align_t alignment for the payload. */
struct mem_hdr {
	alignas(max_align_t) _Atomic uint32_t nrefs;
	size_t size;
	sx_mem_destroy_h *dh;
};

static _Atomic size_t live_blocks;
static _Atomic uint64_t alloc_count;
/* Injection: allocations with index >= fail_at fail (UINT64_MAX = never). */
static _Atomic uint64_t fail_at = UINT64_MAX;
static _Atomic int fail_hit;

static inline struct mem_hdr *hdr_of(const void *obj)
{
	return (struct mem_hdr *)(void *)((char *)(uintptr_t)obj -
					  sizeof(struct mem_hdr));
}

static int inject_failure(void)
{
	uint64_t idx = atomic_fetch_add_explicit(&alloc_count, 1,
						 memory_order_relaxed);
	if (idx >= atomic_load_explicit(&fail_at, memory_order_relaxed)) {
		atomic_store(&fail_hit, 1);
		return 1;
	}
	return 0;
}

void *sx_mem_alloc(size_t size, sx_mem_destroy_h *dh)
{
	if (inject_failure() || size > SIZE_MAX - sizeof(struct mem_hdr))
		return NULL;
	struct mem_hdr *h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	atomic_init(&h->nrefs, 1);
	h->size = size;
	h->dh = dh;
	atomic_fetch_add_explicit(&live_blocks, 1, memory_order_relaxed);
	return h + 1;
}

void *sx_mem_zalloc(size_t size, sx_mem_destroy_h *dh)
{
	void *p = sx_mem_alloc(size, dh);
	if (p)
		memset(p, 0, size);
	return p;
}

void *sx_mem_realloc(void *obj, size_t size)
{
	if (!obj)
		return sx_mem_alloc(size, NULL);
	if (inject_failure() || size > SIZE_MAX - sizeof(struct mem_hdr))
		return NULL;
	struct mem_hdr *h = realloc(hdr_of(obj), sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	return h + 1;
}

char *sx_mem_strndup(const char *s, size_t len)
{
	if (len == SIZE_MAX)
		return NULL;
	char *p = sx_mem_alloc(len + 1, NULL);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void *sx_mem_ref(void *obj)
{
	if (obj)
		atomic_fetch_add_explicit(&hdr_of(obj)->nrefs, 1,
					  memory_order_relaxed);
	return obj;
}

void *sx_mem_unref(void *obj)
{
	if (!obj)
		return NULL;
	struct mem_hdr *h = hdr_of(obj);
	if (atomic_fetch_sub_explicit(&h->nrefs, 1, memory_order_acq_rel) != 1)
		return NULL;
	if (h->dh)
		h->dh(obj);
	atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
	free(h);
	return NULL;
}

uint32_t sx_mem_nrefs(const void *obj)
{
	return obj ? atomic_load(&hdr_of(obj)->nrefs) : 0;
}

size_t sx_mem_size(const void *obj)
{
	return obj ? hdr_of(obj)->size : 0;
}

size_t sx_mem_blocks(void)
{
	return atomic_load(&live_blocks);
}

uint64_t sx_mem_allocs(void)
{
	return atomic_load(&alloc_count);
}

void sx_mem_fail_after(uint64_t n)
{
	atomic_store(&fail_hit, 0);
	atomic_store(&fail_at, atomic_load(&alloc_count) + n);
}

void sx_mem_fail_reset(void)
{
	atomic_store(&fail_at, UINT64_MAX);
}

int sx_mem_failed(void)
{
	return atomic_load(&fail_hit);
}
