/*
 * libFuzzer target for the SIP message parser and printer (RFC 3261 7,
 * 18.3, 25).  Each input is parsed as a UDP datagram and as the first
 * framed message of a TCP stream.  A parsed message must then hold:
 *  - every header slice inside the input, ids matching their names;
 *  - print(parse(x)) == x's message bytes;
 *  - an edited print (push a Via, pop the top Via, new Request-URI) parses
 *    again with the edits visible and the rest unchanged;
 *  - no sx_mem block left once everything is freed.
 * Any violation calls abort() so libFuzzer keeps the input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sx/sip/msg.h>
#include <sx/sip/print.h>
#include <sx/sip/uri.h>
#include <sx/util/buf.h>
#include <sx/util/mem.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Via value and Request-URI the edit puts in. */
#define FUZZ_VIA    "SIP/2.0/UDP fuzz.invalid;branch=z9hG4bKfuzzedit"
#define FUZZ_BRANCH "z9hG4bKfuzzedit"
#define FUZZ_RURI   "sip:fuzz@fuzz.invalid"

static volatile size_t sink;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

/* Reads both ends of a slice so ASan sees a bad one. */
static void touch(struct sx_sl s)
{
	if (s.len)
		sink += (unsigned char)s.p[0] + (unsigned char)s.p[s.len - 1];
}

static bool inside(struct sx_sl s, const char *p, size_t len)
{
	return !s.len ||
	       (s.p >= p && s.len <= len && (size_t)(s.p - p) <= len - s.len);
}

static void check_hdrs(const struct sx_sip_msg *msg, const char *p, size_t len)
{
	for (size_t i = 0; i < msg->nhdrs; i++) {
		const struct sx_sip_hdr *h = &msg->hdrs[i];
		CHECK(inside(h->raw, p, len) && inside(h->name, p, len) &&
		      inside(h->value, p, len));
		CHECK(sx_sip_hdr_lookup(h->name) == h->id);
		CHECK(sx_sip_msg_hdr_by_name(msg, h->name) != NULL);
		size_t n = 0, want = 0;
		for (const struct sx_sip_hdr *x = NULL;
		     (x = sx_sip_msg_hdr_next(msg, x, h->id)) != NULL;)
			n++;
		for (size_t j = 0; j < msg->nhdrs; j++)
			want += msg->hdrs[j].id == h->id;
		CHECK(h->id == SX_SIP_HDR_OTHER || n == want);
	}
}

/* The eager fields, and the URI/addr code over every Contact element. */
static void read_fields(const struct sx_sip_msg *msg)
{
	touch(msg->method_sl);
	touch(msg->ruri_sl);
	touch(msg->ruri.host);
	touch(msg->reason);
	touch(msg->version);
	for (size_t i = 0; i < msg->nvias; i++) {
		touch(msg->vias[i].branch);
		touch(msg->vias[i].sent_by.host);
		touch(msg->vias[i].received);
		touch(msg->vias[i].raw);
	}
	touch(msg->from.uri.raw);
	touch(msg->to.uri.raw);
	touch(msg->from_tag);
	touch(msg->to_tag);
	touch(msg->call_id);
	touch(msg->cseq_method_sl);
	for (size_t i = 0; i < msg->nroutes; i++)
		touch(msg->routes[i].addr.uri.raw);
	touch(msg->body);
	sink += msg->cseq + (size_t)msg->max_forwards + msg->content_length;
	for (const struct sx_sip_hdr *h = NULL;
	     (h = sx_sip_msg_hdr_next(msg, h, SX_SIP_HDR_CONTACT)) != NULL;) {
		struct sx_sl rest = h->value, elem;
		while (sx_sip_list_next(&rest, &elem) == 1) {
			struct sx_sip_addr a;
			if (sx_sip_addr_parse(&a, elem) == 0)
				touch(a.uri.host);
		}
	}
}

static void check_roundtrip(const struct sx_sip_msg *msg)
{
	struct sx_buf b;
	sx_buf_init(&b, 0);
	CHECK(sx_sip_msg_print(msg, NULL, &b) == 0);
	CHECK(b.len == msg->wire.len && !memcmp(b.p, msg->wire.p, b.len));
	sx_buf_fini(&b);
}

/* Proxy-style edit, then the result must parse with the edits in. */
static void check_edit(const struct sx_sip_msg *msg, bool stream)
{
	struct sx_sip_edit edit = {0};
	struct sx_buf b;
	struct sx_sip_msg *again = NULL;
	edit.push_via = SX_SL(FUZZ_VIA);
	edit.pop_via = msg->nvias > 0;
	if (msg->is_request)
		edit.ruri = SX_SL(FUZZ_RURI);
	sx_buf_init(&b, 0);
	CHECK(sx_sip_msg_print(msg, &edit, &b) == 0);
	const struct sx_sip_parse_prm prm = {.stream = stream};
	int err = sx_sip_msg_parse(&again, b.p, b.len, &prm, NULL);
	/* the pushed Via may cross a size or count limit, nothing else */
	CHECK(err == 0 || err == -E2BIG);
	if (!err) {
		CHECK(again->nvias == msg->nvias - edit.pop_via + 1);
		CHECK(sx_sl_eq_cstr(again->vias[0].branch, FUZZ_BRANCH));
		CHECK(!msg->is_request ||
		      sx_sl_eq_cstr(again->ruri_sl, FUZZ_RURI));
		CHECK(again->is_request == msg->is_request);
		CHECK(sx_sl_eq(again->call_id, msg->call_id));
		CHECK(again->cseq == msg->cseq);
		CHECK(sx_sl_eq(again->body, msg->body));
	}
	sx_sip_msg_free(again);
	sx_buf_fini(&b);
}

static void one(const char *p, size_t len, bool stream)
{
	const struct sx_sip_parse_prm prm = {.stream = stream};
	struct sx_sip_msg *msg = NULL;
	struct sx_sip_perr perr = {0};
	int err = sx_sip_msg_parse(&msg, p, len, &prm, &perr);
	if (err) {
		CHECK(err == -EBADMSG || err == -E2BIG);
		CHECK(msg == NULL);
		return;
	}
	CHECK(inside(msg->wire, p, len) && inside(msg->body, p, len));
	/* a framed stream message is used whole (RFC 3261 18.3) */
	CHECK(!stream || msg->wire.len == len);
	check_hdrs(msg, p, len);
	read_fields(msg);
	check_roundtrip(msg);
	check_edit(msg, stream);
	sx_sip_msg_free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	one(p, size, false);
	size_t skip = 0;
	ssize_t n = sx_sip_msg_frame(p, size, &skip);
	CHECK(n == -EAGAIN || n == -EBADMSG || n == -E2BIG ||
	      (n > 0 && (size_t)n <= size && skip <= (size_t)n));
	if (n > 0 && (size_t)n > skip)
		one(p + skip, (size_t)n - skip, true);
	CHECK(sx_mem_blocks() == 0);
	return 0;
}
