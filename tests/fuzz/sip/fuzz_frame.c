/*
 * libFuzzer target for SIP stream framing (RFC 3261 18.3: Content-Length
 * delimits messages on TCP/TLS/WS; CRLF keep-alives, RFC 5626 4.4.1).
 * The input is a byte stream.  Framing it whole gives the reference list
 * of messages; it is then delivered in chunks of pseudo-random sizes
 * (seeded by the input's last bytes) to a receive buffer the way a
 * connection reader would, and the messages framed from the pieces must
 * be the same, with the same final verdict.  Every framing call sees an
 * exact-size heap copy of its window, so ASan catches over-reads.  Each
 * framed message is also parsed in stream mode and must use all its
 * bytes when it parses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sx/sip/msg.h>
#include <sx/util/mem.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Most messages compared per input. */
#define FRAME_MAX_MSGS 256
/** Largest chunk delivered at once. */
#define FRAME_MAX_CHUNK 97

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

/* Messages found: offset and length of each (CRLF keep-alives left out). */
struct frames {
	size_t off[FRAME_MAX_MSGS];
	size_t len[FRAME_MAX_MSGS];
	size_t n;
	ssize_t verdict; /* last framing result: -EAGAIN or an error */
};

/* Frames the window [start, start+len) of @p through an exact copy. */
static ssize_t frame_copy(const char *p, size_t len, size_t *skipp)
{
	char *copy = malloc(len ? len : 1);
	CHECK(copy != NULL);
	if (len)
		memcpy(copy, p, len);
	*skipp = 0;
	ssize_t n = sx_sip_msg_frame(copy, len, skipp);
	free(copy);
	CHECK(n == -EAGAIN || n == -EBADMSG || n == -E2BIG ||
	      (n > 0 && (size_t)n <= len && *skipp <= (size_t)n));
	return n;
}

static void parse_framed(const char *p, size_t len)
{
	const struct sx_sip_parse_prm prm = {.stream = true};
	struct sx_sip_msg *msg = NULL;
	int err = sx_sip_msg_parse(&msg, p, len, &prm, NULL);
	CHECK(err == 0 || err == -EBADMSG || err == -E2BIG);
	CHECK(err || msg->wire.len == len);
	sx_sip_msg_free(msg);
}

/*
 * Consumes every complete message of @p[*startp, have), appending each
 * to @fr, and returns what stops the reader: -EAGAIN (wait for more),
 * -EBADMSG or -E2BIG (close the connection).
 */
static ssize_t drain(const char *p, size_t have, size_t *startp,
                     struct frames *fr, bool parse)
{
	for (;;) {
		size_t skip, start = *startp;
		ssize_t n = frame_copy(p + start, have - start, &skip);
		if (n < 0)
			return n;
		if ((size_t)n > skip && fr->n < FRAME_MAX_MSGS) {
			fr->off[fr->n] = start + skip;
			fr->len[fr->n] = (size_t)n - skip;
			fr->n++;
			if (parse)
				parse_framed(p + start + skip,
				             (size_t)n - skip);
		}
		*startp = start + (size_t)n;
	}
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static uint32_t split_seed(const uint8_t *data, size_t size)
{
	uint32_t seed = 2463534242u;
	for (size_t i = size > 4 ? size - 4 : 0; i < size; i++)
		seed = seed * 31 + data[i];
	return seed ? seed : 1;
}

/* Delivers @data in pieces; stops at the first error, as a reader would. */
static void chunked(const uint8_t *data, size_t size, struct frames *fr)
{
	uint32_t rng = split_seed(data, size);
	size_t have = 0, start = 0;
	fr->verdict = -EAGAIN;
	while (have < size) {
		size_t step = 1 + xorshift(&rng) % FRAME_MAX_CHUNK;
		have += SX_MIN(step, size - have);
		fr->verdict =
		    drain((const char *)data, have, &start, fr, false);
		if (fr->verdict != -EAGAIN)
			return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frames whole, parts;
	size_t start = 0;
	memset(&whole, 0, sizeof(whole));
	memset(&parts, 0, sizeof(parts));
	whole.verdict = drain((const char *)data, size, &start, &whole, true);
	chunked(data, size, &parts);
	/*
	 * Once all bytes are in, the reader holds what framing the whole
	 * stream saw; stopping earlier on an error is right only where the
	 * whole stream fails too.  Either way the results are identical.
	 */
	CHECK(parts.verdict == whole.verdict && parts.n == whole.n);
	for (size_t i = 0; i < whole.n; i++)
		CHECK(parts.off[i] == whole.off[i] &&
		      parts.len[i] == whole.len[i]);
	CHECK(sx_mem_blocks() == 0);
	return 0;
}
