/*
 * libFuzzer target for the other lazy headers (sx/sip/hdrs.h): numbers
 * (Expires, Retry-After, Session-Expires, RSeq, RAck, Timestamp), media
 * types (Content-Type, Accept), token lists, Replaces, Reason, Warning.
 * The input is one header value; results must lie inside it and only
 * documented error codes may come back.
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

static bool parse_rc(int rc)
{
	return rc == 0 || rc == -EBADMSG || rc == -ERANGE || rc == -E2BIG;
}

static void numbers(void)
{
	struct sx_sip_retry_after ra;
	struct sx_sip_session_expires se;
	struct sx_sip_rack rack;
	struct sx_sip_timestamp ts;
	uint32_t v;
	int rc;

	CHECK(parse_rc(sx_sip_delta_parse(in, &v)));
	rc = sx_sip_rseq_parse(in, &v);
	CHECK(parse_rc(rc) && (rc || (v && v <= SX_SIP_RSEQ_MAX)));
	rc = sx_sip_retry_after_parse(&ra, in);
	CHECK(parse_rc(rc) && (rc || (inside(ra.comment) &&
				      inside(ra.params))));
	rc = sx_sip_session_expires_parse(&se, in);
	CHECK(parse_rc(rc) && (rc || inside(se.params)));
	rc = sx_sip_rack_parse(&rack, in);
	CHECK(parse_rc(rc) && (rc || sx_sip_is_token(rack.method_sl)));
	rc = sx_sip_timestamp_parse(&ts, in);
	CHECK(parse_rc(rc) && (rc || (inside(ts.value) && inside(ts.delay))));
}

static void media(void)
{
	struct sx_sip_list_iter it;
	struct sx_sip_mtype m;
	struct sx_sl v;
	unsigned n = 0;
	int rc = sx_sip_mtype_parse(&m, in);

	CHECK(parse_rc(rc));
	if (!rc) {
		CHECK(sx_sip_is_token(m.type) && sx_sip_is_token(m.subtype));
		rc = sx_sip_mtype_param(&m, "boundary", &v);
		CHECK(rc == 0 || rc == -ENOENT || rc == -EBADMSG);
		CHECK(rc || inside(v));
	}
	sx_sip_list_iter_init(&it, in);
	while ((rc = sx_sip_accept_next(&it, &m)) != 0) {
		CHECK(rc == 1 || parse_rc(rc));
		CHECK(++n <= SX_SIP_MAX_LIST_ELEMS + 1);
	}
	rc = sx_sip_token_list_has(in, SX_SL("100rel"));
	CHECK(rc == 1 || parse_rc(rc));
}

static void dialog(void)
{
	struct sx_sip_replaces r;
	struct sx_sip_list_iter it;
	struct sx_sip_reason rs;
	struct sx_sip_warning w;
	unsigned n = 0;
	int rc = sx_sip_replaces_parse(&r, in);

	CHECK(parse_rc(rc));
	CHECK(rc || (r.call_id.len && r.to_tag.p && r.from_tag.p));
	sx_sip_list_iter_init(&it, in);
	while ((rc = sx_sip_reason_next(&it, &rs)) != 0) {
		CHECK(rc == 1 || parse_rc(rc));
		CHECK(++n <= SX_SIP_MAX_LIST_ELEMS + 1);
		CHECK(rc != 1 || (inside(rs.text) && inside(rs.protocol)));
	}
	n = 0;
	sx_sip_list_iter_init(&it, in);
	while ((rc = sx_sip_warning_next(&it, &w)) != 0) {
		CHECK(rc == 1 || parse_rc(rc));
		CHECK(++n <= SX_SIP_MAX_LIST_ELEMS + 1);
		CHECK(rc != 1 || (w.code <= 999 && inside(w.agent) &&
				  inside(w.text)));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in = sx_sl_make((const char *)data, size);
	numbers();
	media();
	dialog();
	return 0;
}
