/*
 * sx_mem: the one allocator of the project (STYLE.md 2.5).
 *
 * Every block carries a reference count and an optional destructor
 * (libre's mem model).  All allocation goes through here so that tests can
 * count live blocks (leak check after each case) and make the n-th
 * allocation fail (OOM injection).  Counters and the reference count are
 * atomic, so blocks may be handed between worker threads.
 */
#ifndef SX_UTIL_MEM_H
#define SX_UTIL_MEM_H

#include <stddef.h>
#include <stdint.h>

#include <sx/util/compiler.h>

/** Destructor: called once, when the last reference goes, before free. */
typedef void(sx_mem_destroy_h)(void *obj);

/**
 * Allocate @size bytes with reference count 1.  Returns NULL on failure
 * (real or injected).  @dh may be NULL.
 */
void *sx_mem_alloc(size_t size, sx_mem_destroy_h *dh) SX_MUST_CHECK;

/** As sx_mem_alloc(), zero-filled. */
void *sx_mem_zalloc(size_t size, sx_mem_destroy_h *dh) SX_MUST_CHECK;

/**
 * Resize a block that has exactly one reference.  Returns the new pointer
 * or NULL (the old block is then untouched).
 */
void *sx_mem_realloc(void *obj, size_t size) SX_MUST_CHECK;

/** Copy @len bytes into a new NUL-terminated block. */
char *sx_mem_strndup(const char *s, size_t len) SX_MUST_CHECK;

/** Take a reference; returns @obj (NULL stays NULL). */
void *sx_mem_ref(void *obj);

/**
 * Drop a reference; the block is destroyed at zero.  Always returns NULL,
 * so the idiom is `x = sx_mem_unref(x);`.
 */
void *sx_mem_unref(void *obj);

/** Current reference count (for tests and debugging). */
uint32_t sx_mem_nrefs(const void *obj);

/** Usable size of a block. */
size_t sx_mem_size(const void *obj);

/** Number of live blocks in the process. */
size_t sx_mem_blocks(void);

/** Allocations attempted since start (successful or failed). */
uint64_t sx_mem_allocs(void);

/**
 * OOM injection: make the allocation with index @n (counting from the
 * moment of the call, 0 = the next one) and every later one fail, until
 * sx_mem_fail_reset().  Returns nothing; see sx_mem_failed().
 */
void sx_mem_fail_after(uint64_t n);

/** Stop injecting failures. */
void sx_mem_fail_reset(void);

/** True when an injected failure has been returned since fail_after(). */
int sx_mem_failed(void);

#endif
