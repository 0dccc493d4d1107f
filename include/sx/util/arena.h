/*
 * sx_arena: bump allocator owning the parse products of one message.
 *
 * Everything allocated from an arena is freed together by
 * sx_arena_fini() (nginx's request pool).  The first chunk may be caller
 * storage (e.g. inside the message struct), so parsing a typical message
 * allocates nothing; further chunks come from sx_mem, so OOM injection
 * reaches them.
 */
#ifndef SX_UTIL_ARENA_H
#define SX_UTIL_ARENA_H

#include <stddef.h>

#include <sx/util/compiler.h>

struct sx_arena_chunk;

struct sx_arena {
	char *cur;		      /**< next free byte of the current chunk */
	char *end;		      /**< end of the current chunk */
	struct sx_arena_chunk *chunks; /**< heap chunks, newest first */
	size_t used;		      /**< bytes handed out, for limits */
	size_t limit;		      /**< max bytes, 0 = unlimited */
};

/** Default size of a heap chunk. */
#define SX_ARENA_CHUNK 4096

/**
 * Start an arena on optional caller storage @buf of @size bytes (NULL, 0
 * for none).  @limit caps the total handed out (0 = no cap).
 */
void sx_arena_init(struct sx_arena *a, void *buf, size_t size, size_t limit);

/** Release every heap chunk; the arena may be reused after init. */
void sx_arena_fini(struct sx_arena *a);

/**
 * Allocate @size bytes aligned for any object.  NULL when out of memory
 * or over the limit.
 */
void *sx_arena_alloc(struct sx_arena *a, size_t size) SX_MUST_CHECK;

/** As sx_arena_alloc(), zero-filled. */
void *sx_arena_zalloc(struct sx_arena *a, size_t size) SX_MUST_CHECK;

#endif
