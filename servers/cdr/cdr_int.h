/*
 * Private parts of the cdr service: the flat JSON reader (RFC 8259
 * subset: one object of strings, integers, true/false/null) shared by the
 * CDR record and the resolver's event reader.
 */
#ifndef SX_SERVERS_CDR_INT_H
#define SX_SERVERS_CDR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/util/sl.h>

enum sx_cdr_jtype {
	SX_CDR_J_STR,  /**< raw: the text between the quotes, escaped */
	SX_CDR_J_NUM,  /**< num */
	SX_CDR_J_BOOL, /**< num: 1 or 0 */
	SX_CDR_J_NULL,
};

/** A value of the flat object. */
struct sx_cdr_jval {
	enum sx_cdr_jtype type;
	struct sx_sl raw; /**< strings: escaped body */
	int64_t num;      /**< numbers and booleans */
};

/** Iterator over the members of one flat JSON object. */
struct sx_cdr_jit {
	struct sx_sl rest;
	bool started, ended;
};

/** Start iterating @json (borrowed for the iteration). */
void sx_cdr__json_begin(struct sx_cdr_jit *it, struct sx_sl json);

/**
 * Next member: its raw key and value.  1 on a member, 0 at the end (the
 * object closed and only whitespace followed), -EBADMSG on anything
 * else (nested values included).
 */
int sx_cdr__json_next(struct sx_cdr_jit *it, struct sx_sl *keyp,
                      struct sx_cdr_jval *v);

/**
 * Unescape a string body into @out (at most @cap bytes; @cap >= raw.len
 * always suffices); *@lenp gets the length.  0, -EBADMSG, -E2BIG.
 */
int sx_cdr__json_unescape(struct sx_sl raw, char *out, size_t cap,
                          size_t *lenp);

#endif
