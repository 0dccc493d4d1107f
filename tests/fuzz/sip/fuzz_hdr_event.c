/*
 * libFuzzer target for the event headers (sx/sip/hdrs.h; RFC 6665 8.2):
 * Event, Subscription-State and the Allow-Events token list.  The input
 * is one header value; results must lie inside it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <sx/sip/hdrs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

static struct sx_sl in;

static bool inside(struct sx_sl s)
{
	return !s.len || (s.p >= in.p && s.len <= in.len &&
			  (size_t)(s.p - in.p) <= in.len - s.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sx_sip_event e;
	struct sx_sip_sub_state ss;
	struct sx_sip_list_iter it;
	struct sx_sl tok, params;
	unsigned n = 0;
	int rc;

	in = sx_sl_make((const char *)data, size);
	rc = sx_sip_event_parse(&e, in);
	CHECK(rc == 0 || rc == -EBADMSG || rc == -E2BIG);
	if (!rc)
		CHECK(sx_sip_is_token(e.package) && inside(e.id) &&
		      inside(e.params));
	rc = sx_sip_sub_state_parse(&ss, in);
	CHECK(rc == 0 || rc == -EBADMSG || rc == -ERANGE || rc == -E2BIG);
	if (!rc)
		CHECK(sx_sip_is_token(ss.state_sl) && inside(ss.reason) &&
		      inside(ss.params));
	sx_sip_list_iter_init(&it, in);
	while ((rc = sx_sip_token_next(&it, &tok, &params)) != 0) {
		CHECK(rc == 1 || rc == -EBADMSG || rc == -E2BIG);
		CHECK(++n <= SX_SIP_MAX_LIST_ELEMS + 1);
		if (rc == 1)
			CHECK(sx_sip_is_token(tok) && inside(params));
	}
	return 0;
}
