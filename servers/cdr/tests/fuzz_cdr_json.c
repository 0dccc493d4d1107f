/*
 * libFuzzer target for the CDR record's JSON reader (RFC 8259 subset,
 * servers/cdr/record.c).  The input is parsed from an exact-size heap
 * copy (ASan catches over-reads); a record that parses is printed and
 * parsed again, and the two must agree field by field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sx/util/mem.h>

#include "cdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct sx_cdr *a, const struct sx_cdr *b)
{
	return sx_sl_eq(a->call_id, b->call_id) &&
	       sx_sl_eq(a->from_tag, b->from_tag) &&
	       sx_sl_eq(a->to_tag, b->to_tag) &&
	       sx_sl_eq(a->caller, b->caller) &&
	       sx_sl_eq(a->callee, b->callee) &&
	       sx_sl_eq(a->reason, b->reason) &&
	       sx_sl_eq(a->transfer_to, b->transfer_to) &&
	       a->start_ms == b->start_ms && a->connect_ms == b->connect_ms &&
	       a->end_ms == b->end_ms && a->term == b->term &&
	       a->status == b->status && a->dir == b->dir;
}

/* Valid UTF-8 survives the round trip unchanged; other bytes become
 * U+FFFD, so only inputs that are UTF-8 are compared. */
static bool utf8_clean(const struct sx_cdr *c)
{
	const struct sx_sl f[] = {c->call_id, c->from_tag, c->to_tag,
	                          c->caller,  c->callee,   c->reason,
	                          c->transfer_to};
	for (size_t i = 0; i < SX_ARRAY_SIZE(f); i++)
		for (size_t j = 0; j < f[i].len; j++)
			if ((unsigned char)f[i].p[j] >= 0x80)
				return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size ? size : 1);
	char *buf = malloc(size ? size : 1);
	char *buf2 = malloc(SX_CDR_JSON_MAX);
	struct sx_cdr c, d;
	struct sx_buf out;

	if (!in || !buf || !buf2)
		abort();
	memcpy(in, data, size);
	sx_buf_init(&out, SX_CDR_JSON_MAX);
	if (!sx_cdr_parse(&c, sx_sl_make(in, size), buf, size) &&
	    utf8_clean(&c)) {
		sx_cdr_print(&c, &out);
		if (!sx_buf_err(&out) &&
		    (sx_cdr_parse(&d, sx_buf_sl(&out), buf2, SX_CDR_JSON_MAX) ||
		     !same(&c, &d)))
			abort();
	}
	sx_buf_fini(&out);
	free(buf2);
	free(buf);
	free(in);
	return 0;
}
