/*
 * Compiler helpers shared by every layer.
 */
#ifndef SX_UTIL_COMPILER_H
#define SX_UTIL_COMPILER_H

#define SX_MUST_CHECK __attribute__((warn_unused_result))
#define SX_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define SX_LIKELY(x) __builtin_expect(!!(x), 1)
#define SX_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SX_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SX_MAX(a, b) ((a) > (b) ? (a) : (b))
#define SX_CONTAINER_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - __builtin_offsetof(type, member)))

#endif
