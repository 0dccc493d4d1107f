/*
 * Fuzz target: RTP packet parsing (RFC 3550 5.1), the demultiplexer, and
 * the telephone-event payload; a parsed packet is rebuilt and must parse
 * back to the same header and payload.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sx/rtp/dtmf.h>
#include <sx/rtp/rtp.h>

#define FUZZ_OUT_MAX 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[FUZZ_OUT_MAX];
	struct sx_rtp_pkt a, b;
	struct sx_dtmf_payload ev;

	(void)sx_rtp_demux(data, size);
	if (sx_rtp_parse(&a, data, size))
		return 0;
	if (sx_dtmf_payload_parse(&ev, a.payload, a.payload_len) == 0)
		(void)ev;
	ssize_t n =
	    sx_rtp_build(out, sizeof(out), &a.hdr, a.payload, a.payload_len);
	if (n < 0)
		return 0; /* larger than our buffer */
	if (sx_rtp_parse(&b, out, (size_t)n))
		abort();
	if (b.hdr.seq != a.hdr.seq || b.hdr.ts != a.hdr.ts ||
	    b.hdr.ssrc != a.hdr.ssrc || b.hdr.pt != a.hdr.pt ||
	    b.hdr.cc != a.hdr.cc || b.hdr.ext_len != a.hdr.ext_len ||
	    b.payload_len != a.payload_len ||
	    memcmp(b.payload, a.payload, a.payload_len))
		abort();
	return 0;
}
