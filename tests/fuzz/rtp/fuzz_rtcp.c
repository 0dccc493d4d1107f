/*
 * Fuzz target: RTCP compound validation and decoding (RFC 3550 6, A.2).
 * Every packet of an accepted compound is decoded, and the decoded text
 * slices must lie inside the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include <sx/rtp/rtcp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_in(const uint8_t *data, size_t size, struct sx_sl s)
{
	if (s.len && ((const uint8_t *)s.p < data ||
	              (const uint8_t *)s.p + s.len > data + size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sx_rtcp_iter it;
	struct sx_rtcp_pkt pkt;

	if (sx_rtcp_iter_init(&it, data, size))
		return 0;
	while (sx_rtcp_iter_next(&it, &pkt) == 0) {
		if (pkt.pt == SX_RTCP_SDES)
			for (unsigned i = 0; i < pkt.count; i++)
				check_in(data, size, pkt.u.sdes[i].cname);
		if (pkt.pt == SX_RTCP_BYE)
			check_in(data, size, pkt.u.bye.reason);
	}
	return 0;
}
