/*
 * libFuzzer target for multipart bodies (sx/sip/hdrs.h; RFC 2046 5.1).
 * Input: the boundary on the first line, the body after the first LF.
 * Parts and their header fields must lie inside the body, the walk must
 * end within SX_SIP_MAX_PARTS, and only documented errors come back.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sx/sip/hdrs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

static struct sx_sl body;

static bool inside(struct sx_sl s)
{
	return !s.len || (s.p >= body.p && s.len <= body.len &&
			  (size_t)(s.p - body.p) <= body.len - s.len);
}

static void walk_hdrs(const struct sx_sip_part *part)
{
	struct sx_sl rest = part->hdrs, name, val;
	unsigned n = 0;
	int rc;

	while ((rc = sx_sip_part_hdr_next(&rest, &name, &val)) == 1) {
		CHECK(inside(name) && inside(val) && sx_sip_is_token(name));
		CHECK(++n <= part->hdrs.len);
	}
	CHECK(rc == 0 || rc == -EBADMSG);
	rc = sx_sip_part_hdr_find(part, "Content-Type", &val);
	CHECK(rc == 0 || rc == -ENOENT || rc == -EBADMSG || rc == -E2BIG);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *nl = size ? memchr(p, '\n', size) : NULL;
	struct sx_sip_multipart_iter it;
	struct sx_sip_part part;
	struct sx_sl boundary;
	unsigned n = 0;
	int rc;

	if (!nl)
		return 0;
	boundary = sx_sl_make(p, (size_t)(nl - p));
	body = sx_sl_make(nl + 1, size - (size_t)(nl - p) - 1);
	rc = sx_sip_multipart_init(&it, body, boundary);
	CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return 0;
	while ((rc = sx_sip_multipart_next(&it, &part)) == 1) {
		CHECK(++n <= SX_SIP_MAX_PARTS);
		CHECK(inside(part.hdrs) && inside(part.body));
		walk_hdrs(&part);
	}
	CHECK(rc == 0 || rc == -EBADMSG || rc == -E2BIG);
	return 0;
}
