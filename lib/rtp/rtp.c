/*
 * RTP packet parse and build (RFC 3550 section 5.1, 5.3.1 extension,
 * padding) and the one-port RTP/RTCP demultiplexer (RFC 5761 section 4,
 * RFC 7983 section 7).
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include <sx/rtp/rtp.h>

#include "rtp_int.h"

/* The fixed header as laid out on the wire (RFC 3550 5.1). */
struct rtp_wire_hdr {
	uint8_t vpxcc;
	uint8_t mpt;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
};
static_assert(sizeof(struct rtp_wire_hdr) == SX_RTP_HDR_LEN,
              "RTP fixed header is 12 bytes");

#define RTP_PAD_BIT    0x20
#define RTP_EXT_BIT    0x10
#define RTP_CC_MASK    0x0f
#define RTP_MARKER_BIT 0x80
#define RTP_PT_MASK    0x7f
#define RTP_PT_MAX     127

/* RFC 5761 4: payload types 64..95 collide with RTCP types 192..223. */
#define RTCP_PT_MUX_MIN 64
#define RTCP_PT_MUX_MAX 95
/* RFC 7983 7: first byte 128..191 is RTP/RTCP. */
#define RTP_FIRST_BYTE_MIN 128
#define RTP_FIRST_BYTE_MAX 191

static int parse_ext(struct sx_rtp_hdr *h, const uint8_t *p, size_t avail,
                     size_t *usedp)
{
	if (avail < SX_RTP_EXT_HDR_LEN)
		return -EBADMSG;
	size_t words = sx_rtp__be16(p + 2);
	size_t body = words * 4;
	if (body > avail - SX_RTP_EXT_HDR_LEN)
		return -EBADMSG;
	h->ext_profile = sx_rtp__be16(p);
	h->ext_data = p + SX_RTP_EXT_HDR_LEN;
	h->ext_len = body;
	*usedp = SX_RTP_EXT_HDR_LEN + body;
	return 0;
}

int sx_rtp_parse(struct sx_rtp_pkt *pkt, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	if (!pkt || !buf)
		return -EINVAL;
	if (len < SX_RTP_HDR_LEN || p[0] >> 6 != SX_RTP_VERSION)
		return -EBADMSG;

	struct sx_rtp_hdr *h = &pkt->hdr;
	*pkt = (struct sx_rtp_pkt){0};
	h->marker = (p[1] & RTP_MARKER_BIT) != 0;
	h->pt = p[1] & RTP_PT_MASK;
	h->seq = sx_rtp__be16(p + 2);
	h->ts = sx_rtp__be32(p + 4);
	h->ssrc = sx_rtp__be32(p + 8);
	h->cc = p[0] & RTP_CC_MASK;

	size_t off = SX_RTP_HDR_LEN;
	if ((size_t)h->cc * 4 > len - off)
		return -EBADMSG;
	for (unsigned i = 0; i < h->cc; i++, off += 4)
		h->csrc[i] = sx_rtp__be32(p + off);

	h->ext = (p[0] & RTP_EXT_BIT) != 0;
	if (h->ext) {
		size_t used;
		int err = parse_ext(h, p + off, len - off, &used);
		if (err)
			return err;
		off += used;
	}

	size_t end = len;
	if (p[0] & RTP_PAD_BIT) {
		/* RFC 3550 5.1: the last octet counts the padding, itself
		 * included; it cannot be 0 nor reach into the header. */
		uint8_t pad = p[len - 1];
		if (pad == 0 || pad > len - off)
			return -EBADMSG;
		pkt->pad_len = pad;
		end -= pad;
	}
	pkt->payload = p + off;
	pkt->payload_len = end - off;
	return 0;
}

static size_t hdr_len(const struct sx_rtp_hdr *h)
{
	size_t n = SX_RTP_HDR_LEN + (size_t)h->cc * 4;
	if (h->ext)
		n += SX_RTP_EXT_HDR_LEN + h->ext_len;
	return n;
}

static bool hdr_valid(const struct sx_rtp_hdr *h)
{
	if (h->pt > RTP_PT_MAX || h->cc > SX_RTP_CSRC_MAX)
		return false;
	if (!h->ext)
		return true;
	/* the length field counts 32-bit words in 16 bits */
	return h->ext_len % 4 == 0 && h->ext_len / 4 <= UINT16_MAX &&
	       (h->ext_len == 0 || h->ext_data);
}

ssize_t sx_rtp_build(void *out, size_t cap, const struct sx_rtp_hdr *hdr,
                     const void *payload, size_t plen)
{
	if (!out || !hdr || (plen && !payload) || !hdr_valid(hdr))
		return -EINVAL;
	size_t hl = hdr_len(hdr);
	if (plen > cap || hl > cap - plen)
		return -ENOSPC;

	uint8_t *p = out;
	p[0] = (uint8_t)(SX_RTP_VERSION << 6 | (hdr->ext ? RTP_EXT_BIT : 0) |
	                 hdr->cc);
	p[1] = (uint8_t)((hdr->marker ? RTP_MARKER_BIT : 0) | hdr->pt);
	sx_rtp__put16(p + 2, hdr->seq);
	sx_rtp__put32(p + 4, hdr->ts);
	sx_rtp__put32(p + 8, hdr->ssrc);
	size_t off = SX_RTP_HDR_LEN;
	for (unsigned i = 0; i < hdr->cc; i++, off += 4)
		sx_rtp__put32(p + off, hdr->csrc[i]);
	if (hdr->ext) {
		sx_rtp__put16(p + off, hdr->ext_profile);
		sx_rtp__put16(p + off + 2, (uint16_t)(hdr->ext_len / 4));
		off += SX_RTP_EXT_HDR_LEN;
		if (hdr->ext_len)
			memcpy(p + off, hdr->ext_data, hdr->ext_len);
		off += hdr->ext_len;
	}
	if (plen)
		memcpy(p + off, payload, plen);
	return (ssize_t)(off + plen);
}

enum sx_rtp_demux sx_rtp_demux(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	if (!p || len < 2)
		return SX_RTP_DEMUX_OTHER;
	if (p[0] < RTP_FIRST_BYTE_MIN || p[0] > RTP_FIRST_BYTE_MAX)
		return SX_RTP_DEMUX_OTHER;
	unsigned pt = p[1] & RTP_PT_MASK;
	if (pt >= RTCP_PT_MUX_MIN && pt <= RTCP_PT_MUX_MAX)
		return SX_RTP_DEMUX_RTCP;
	return SX_RTP_DEMUX_RTP;
}
