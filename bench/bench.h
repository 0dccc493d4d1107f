/*
 * bench_parse internals: the message set and one adapter per SIP parser
 * (ours, libosip2, sofia-sip), each doing the same work per message:
 * parse, read the fields a proxy reads first (RFC 3261 16.3/17.2.3:
 * top Via branch, From/To tags, Call-ID, CSeq, first Contact URI,
 * Max-Forwards) and re-serialise.  Bench-only: osip2 and sofia-sip are
 * never linked into the product.
 */
#ifndef SX_BENCH_H
#define SX_BENCH_H

#include <stddef.h>
#include <stdint.h>

/** Longest Call-ID / method kept by the cross-check. */
#define BENCH_FIELD_MAX 128

/** One message of the benchmark set (bytes are an sx_mem block). */
struct bench_msg {
	char name[64];
	char *p;
	size_t len;
};

struct bench_set {
	struct bench_msg *msgs;
	size_t n;
	size_t cap;
};

/** Fields copied out once per message to check the parsers agree. */
struct bench_fields {
	char call_id[BENCH_FIELD_MAX];
	char cseq_method[BENCH_FIELD_MAX];
	uint32_t cseq;
	int max_forwards; /**< -1 when absent */
	int has_contact;
};

/**
 * A parser adapter.  run() parses @p/@len, reads the fields, prints the
 * message and returns a checksum of what it read (so the work cannot be
 * optimised away) or a negative value when the library rejected the
 * message.  With @f set it also copies the fields out.
 */
struct bench_parser {
	const char *name;
	int (*init)(void);
	void (*fini)(void);
	long (*run)(const char *p, size_t len, struct bench_fields *f);
};

extern const struct bench_parser bench_parser_sx;
extern const struct bench_parser bench_parser_osip;
extern const struct bench_parser bench_parser_sofia;

/** Copy a string of @len bytes into a fixed field (NUL-terminated). */
void bench_field_set(char *dst, const char *s, size_t len);

/**
 * Load the RFC 4475 "valid" messages (index.tsv under @shared_dir) and
 * every *.sip of @msgs_dir.  0 or negative errno.
 */
int bench_set_load(struct bench_set *set, const char *shared_dir,
                   const char *msgs_dir);

/** Drop message @i from the set (order of the others kept). */
void bench_set_remove(struct bench_set *set, size_t i);

void bench_set_free(struct bench_set *set);

#endif
