/*
 * libFuzzer target for name-addr / addr-spec, generic parameters and
 * comma lists (RFC 3261 20.10, 25.1, 7.3.1).  The input is split as a
 * header list; each element is parsed as an address; the whole input is
 * also walked as a parameter list.  Checks:
 *  - every slice inside the input, elements non-empty and trimmed;
 *  - a parsed address's URI equals itself and its params walk cleanly;
 *  - the list and parameter walks always end (bounded by the input).
 * Any violation calls abort() so libFuzzer keeps the input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <sx/sip/uri.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

static bool inside(struct sx_sl s, const char *p, size_t len)
{
	if (!s.len)
		return true;
	sink += (unsigned char)s.p[0] + (unsigned char)s.p[s.len - 1];
	return s.p >= p && s.len <= len && (size_t)(s.p - p) <= len - s.len;
}

/* Walk a parameter list; returns the iterator's final code. */
static int walk_params(struct sx_sl params, const char *p, size_t len)
{
	struct sx_sip_param_iter it;
	struct sx_sl n, v;
	int rc;
	size_t count = 0;

	sx_sip_param_iter_init(&it, params);
	while ((rc = sx_sip_param_next(&it, &n, &v)) == 1) {
		CHECK(n.len && inside(n, p, len) && inside(v, p, len));
		CHECK(++count <= len);
	}
	CHECK(rc == 0 || rc == -EBADMSG);
	return rc;
}

static void check_addr(struct sx_sl elem, const char *p, size_t len)
{
	struct sx_sip_addr a;
	int rc = sx_sip_addr_parse(&a, elem);

	CHECK(rc == 0 || rc == -EBADMSG || rc == -E2BIG);
	if (rc)
		return;
	CHECK(inside(a.display, p, len) && inside(a.params, p, len) &&
	      inside(a.raw, p, len) && inside(a.uri.raw, p, len));
	CHECK(a.uri.raw.len && sx_sip_uri_eq(&a.uri, &a.uri));
	CHECK(walk_params(a.params, p, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct sx_sl rest = sx_sl_make(p, size), elem;
	size_t count = 0;
	int rc;

	while ((rc = sx_sip_list_next(&rest, &elem)) == 1) {
		CHECK(elem.len && inside(elem, p, size));
		CHECK(elem.p[0] != ' ' && elem.p[elem.len - 1] != ' ');
		CHECK(++count <= size);
		check_addr(elem, p, size);
	}
	CHECK(rc == 0 || rc == -EBADMSG);
	check_addr(sx_sl_make(p, size), p, size);
	walk_params(sx_sl_make(p, size), p, size);
	return 0;
}
