/*
 * RTCP compound packets (RFC 3550 section 6): validation as in appendix
 * A.2, decoding of SR, RR, SDES and BYE, a writer for the same, and the
 * NTP/LSR/DLSR arithmetic of section 6.4.1.
 */
#include <errno.h>
#include <string.h>

#include <sx/rtp/rtcp.h>
#include <sx/rtp/rtp.h>

#include "rtp_int.h"

#define RTCP_PAD_BIT    0x20
#define RTCP_COUNT_MASK 0x1f
#define RTCP_WORD       4
/* Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
#define NTP_UNIX_OFFSET 2208988800ull
#define US_PER_S        1000000ull

/* Bytes of one packet starting at @p: (length field + 1) words. */
static size_t pkt_len(const uint8_t *p)
{
	return ((size_t)sx_rtp__be16(p + 2) + 1) * RTCP_WORD;
}

static void parse_rb(struct sx_rtcp_rb *rb, const uint8_t *p)
{
	rb->ssrc = sx_rtp__be32(p);
	rb->fraction = p[4];
	/* sign-extend the 24-bit cumulative loss */
	uint32_t lost = (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	rb->lost = (int32_t)(lost ^ 0x800000u) - 0x800000;
	rb->ext_seq = sx_rtp__be32(p + 8);
	rb->jitter = sx_rtp__be32(p + 12);
	rb->lsr = sx_rtp__be32(p + 16);
	rb->dlsr = sx_rtp__be32(p + 20);
}

/* SR (with sender info) or RR: SSRC then count report blocks. */
static int parse_report(struct sx_rtcp_pkt *pkt, bool sr)
{
	const uint8_t *b = pkt->body;
	size_t need = RTCP_WORD + (sr ? SX_RTCP_SENDER_INFO_LEN : 0) +
	              (size_t)pkt->count * SX_RTCP_RB_LEN;
	/* RFC 3550 6.4.1: profile extensions may follow the blocks */
	if (pkt->body_len < need)
		return -EBADMSG;
	pkt->ssrc = sx_rtp__be32(b);
	size_t off = RTCP_WORD;
	if (sr) {
		struct sx_rtcp_sender_info *si = &pkt->u.rep.si;
		si->ntp = (uint64_t)sx_rtp__be32(b + off) << 32 |
		          sx_rtp__be32(b + off + 4);
		si->rtp_ts = sx_rtp__be32(b + off + 8);
		si->packets = sx_rtp__be32(b + off + 12);
		si->octets = sx_rtp__be32(b + off + 16);
		off += SX_RTCP_SENDER_INFO_LEN;
	}
	for (unsigned i = 0; i < pkt->count; i++, off += SX_RTCP_RB_LEN)
		parse_rb(&pkt->u.rep.rb[i], b + off);
	return 0;
}

/* One SDES chunk at @off: SSRC, items up to a null item, pad to a word. */
static int parse_sdes_chunk(struct sx_rtcp_sdes_chunk *c, const uint8_t *b,
                            size_t len, size_t *offp)
{
	size_t off = *offp;
	if (len - off < RTCP_WORD)
		return -EBADMSG;
	c->ssrc = sx_rtp__be32(b + off);
	c->cname = SX_SL_NULL;
	off += RTCP_WORD;
	for (;;) {
		if (off >= len)
			return -EBADMSG;
		uint8_t type = b[off];
		if (type == SX_RTCP_SDES_END)
			break;
		if (len - off < 2 || b[off + 1] > len - off - 2)
			return -EBADMSG;
		size_t ilen = b[off + 1];
		if (type == SX_RTCP_SDES_CNAME)
			c->cname = sx_sl_make((const char *)b + off + 2, ilen);
		off += 2 + ilen;
	}
	/* the null item plus padding to the next 32-bit boundary */
	off = (off / RTCP_WORD + 1) * RTCP_WORD;
	if (off > len)
		return -EBADMSG;
	*offp = off;
	return 0;
}

static int parse_sdes(struct sx_rtcp_pkt *pkt)
{
	size_t off = 0;
	for (unsigned i = 0; i < pkt->count; i++) {
		int err = parse_sdes_chunk(&pkt->u.sdes[i], pkt->body,
		                           pkt->body_len, &off);
		if (err)
			return err;
	}
	return 0;
}

static int parse_bye(struct sx_rtcp_pkt *pkt)
{
	const uint8_t *b = pkt->body;
	size_t off = (size_t)pkt->count * RTCP_WORD;
	if (off > pkt->body_len)
		return -EBADMSG;
	for (unsigned i = 0; i < pkt->count; i++)
		pkt->u.bye.ssrc[i] = sx_rtp__be32(b + i * RTCP_WORD);
	pkt->u.bye.reason = SX_SL_NULL;
	if (off < pkt->body_len) {
		size_t rlen = b[off];
		if (rlen > pkt->body_len - off - 1)
			return -EBADMSG;
		pkt->u.bye.reason = sx_sl_make((const char *)b + off + 1, rlen);
	}
	return 0;
}

static int parse_app(struct sx_rtcp_pkt *pkt)
{
	if (pkt->body_len < 2 * RTCP_WORD)
		return -EBADMSG;
	pkt->ssrc = sx_rtp__be32(pkt->body);
	memcpy(pkt->u.app_name, pkt->body + RTCP_WORD, RTCP_WORD);
	return 0;
}

static int parse_body(struct sx_rtcp_pkt *pkt)
{
	switch (pkt->pt) {
	case SX_RTCP_SR:
		return parse_report(pkt, true);
	case SX_RTCP_RR:
		return parse_report(pkt, false);
	case SX_RTCP_SDES:
		return parse_sdes(pkt);
	case SX_RTCP_BYE:
		return parse_bye(pkt);
	case SX_RTCP_APP:
		return parse_app(pkt);
	default:
		return 0; /* unknown type: the caller skips the raw body */
	}
}

/* Frame and decode the packet at it->off (already checked to fit). */
static int decode_at(const struct sx_rtcp_iter *it, struct sx_rtcp_pkt *pkt,
                     size_t *nextp)
{
	const uint8_t *p = it->p + it->off;
	size_t avail = it->len - it->off;
	if (avail < SX_RTCP_HDR_LEN || p[0] >> 6 != SX_RTP_VERSION)
		return -EBADMSG;
	size_t plen = pkt_len(p);
	if (plen > avail)
		return -EBADMSG;
	size_t body_len = plen - SX_RTCP_HDR_LEN;
	if (p[0] & RTCP_PAD_BIT) {
		/* A.2: only the last packet of a compound may be padded */
		if (plen != avail)
			return -EBADMSG;
		uint8_t pad = p[plen - 1];
		if (pad == 0 || pad > body_len)
			return -EBADMSG;
		body_len -= pad;
	}
	*pkt = (struct sx_rtcp_pkt){
	    .pt = p[1],
	    .count = p[0] & RTCP_COUNT_MASK,
	    .body = p + SX_RTCP_HDR_LEN,
	    .body_len = body_len,
	};
	*nextp = it->off + plen;
	return parse_body(pkt);
}

int sx_rtcp_iter_init(struct sx_rtcp_iter *it, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	if (!it || !buf)
		return -EINVAL;
	/* A.2: the first packet is an unpadded SR or RR */
	if (len < SX_RTCP_HDR_LEN || (p[0] & RTCP_PAD_BIT) ||
	    (p[1] != SX_RTCP_SR && p[1] != SX_RTCP_RR))
		return -EBADMSG;

	*it = (struct sx_rtcp_iter){.p = p, .len = len};
	/* decode every packet once, so a bad compound fails as a whole */
	struct sx_rtcp_pkt pkt;
	while (it->off < len) {
		size_t next;
		int err = decode_at(it, &pkt, &next);
		if (err)
			return err;
		it->off = next;
	}
	it->off = 0;
	return 0;
}

int sx_rtcp_iter_next(struct sx_rtcp_iter *it, struct sx_rtcp_pkt *pkt)
{
	if (!it || !pkt || it->off >= it->len)
		return -ENOENT;
	size_t next;
	int err = decode_at(it, pkt, &next);
	if (err) /* cannot happen after iter_init; stop rather than loop */
		return -ENOENT;
	it->off = next;
	return 0;
}

/* -- writer ---------------------------------------------------------- */

void sx_rtcp_wr_init(struct sx_rtcp_wr *w, void *buf, size_t cap)
{
	*w = (struct sx_rtcp_wr){.p = buf, .cap = cap};
	if (!buf)
		w->err = -EINVAL;
}

/* Reserve @n bytes (a multiple of 4); NULL with w->err set on failure. */
static uint8_t *wr_take(struct sx_rtcp_wr *w, size_t n)
{
	if (w->err)
		return NULL;
	if (n > w->cap - w->len) {
		w->err = -ENOSPC;
		return NULL;
	}
	uint8_t *p = w->p + w->len;
	memset(p, 0, n);
	w->len += n;
	return p;
}

static void put_hdr(uint8_t *p, unsigned count, uint8_t pt, size_t len)
{
	p[0] = (uint8_t)(SX_RTP_VERSION << 6 | count);
	p[1] = pt;
	sx_rtp__put16(p + 2, (uint16_t)(len / RTCP_WORD - 1));
}

static void put_rb(uint8_t *p, const struct sx_rtcp_rb *rb)
{
	int32_t lost = rb->lost;
	if (lost > SX_RTCP_LOST_MAX)
		lost = SX_RTCP_LOST_MAX;
	if (lost < SX_RTCP_LOST_MIN)
		lost = SX_RTCP_LOST_MIN;
	sx_rtp__put32(p, rb->ssrc);
	sx_rtp__put32(p + 4, (uint32_t)rb->fraction << 24 |
	                         ((uint32_t)lost & 0xffffffu));
	sx_rtp__put32(p + 8, rb->ext_seq);
	sx_rtp__put32(p + 12, rb->jitter);
	sx_rtp__put32(p + 16, rb->lsr);
	sx_rtp__put32(p + 20, rb->dlsr);
}

static void wr_report(struct sx_rtcp_wr *w, uint32_t ssrc,
                      const struct sx_rtcp_sender_info *si,
                      const struct sx_rtcp_rb *rb, size_t nrb)
{
	if (!w->err && (nrb > SX_RTCP_COUNT_MAX || (nrb && !rb)))
		w->err = -EINVAL;
	size_t len = SX_RTCP_HDR_LEN + RTCP_WORD +
	             (si ? SX_RTCP_SENDER_INFO_LEN : 0) + nrb * SX_RTCP_RB_LEN;
	uint8_t *p = wr_take(w, len);
	if (!p)
		return;
	put_hdr(p, (unsigned)nrb, si ? SX_RTCP_SR : SX_RTCP_RR, len);
	sx_rtp__put32(p + 4, ssrc);
	size_t off = 8;
	if (si) {
		sx_rtp__put32(p + off, (uint32_t)(si->ntp >> 32));
		sx_rtp__put32(p + off + 4, (uint32_t)si->ntp);
		sx_rtp__put32(p + off + 8, si->rtp_ts);
		sx_rtp__put32(p + off + 12, si->packets);
		sx_rtp__put32(p + off + 16, si->octets);
		off += SX_RTCP_SENDER_INFO_LEN;
	}
	for (size_t i = 0; i < nrb; i++, off += SX_RTCP_RB_LEN)
		put_rb(p + off, &rb[i]);
}

void sx_rtcp_wr_sr(struct sx_rtcp_wr *w, uint32_t ssrc,
                   const struct sx_rtcp_sender_info *si,
                   const struct sx_rtcp_rb *rb, size_t nrb)
{
	if (!si && !w->err)
		w->err = -EINVAL;
	wr_report(w, ssrc, si, rb, nrb);
}

void sx_rtcp_wr_rr(struct sx_rtcp_wr *w, uint32_t ssrc,
                   const struct sx_rtcp_rb *rb, size_t nrb)
{
	wr_report(w, ssrc, NULL, rb, nrb);
}

void sx_rtcp_wr_sdes_cname(struct sx_rtcp_wr *w, uint32_t ssrc,
                           struct sx_sl cname)
{
	if (!w->err &&
	    (cname.len > SX_RTCP_TEXT_MAX || (cname.len && !cname.p)))
		w->err = -EINVAL;
	/* SSRC, CNAME item, then a null item and padding to a word */
	size_t chunk = RTCP_WORD + 2 + cname.len;
	chunk = (chunk / RTCP_WORD + 1) * RTCP_WORD;
	size_t len = SX_RTCP_HDR_LEN + chunk;
	uint8_t *p = wr_take(w, len);
	if (!p)
		return;
	put_hdr(p, 1, SX_RTCP_SDES, len);
	sx_rtp__put32(p + 4, ssrc);
	p[8] = SX_RTCP_SDES_CNAME;
	p[9] = (uint8_t)cname.len;
	if (cname.len)
		memcpy(p + 10, cname.p, cname.len);
}

void sx_rtcp_wr_bye(struct sx_rtcp_wr *w, const uint32_t *ssrc, size_t n,
                    struct sx_sl reason)
{
	if (!w->err &&
	    (!ssrc || n == 0 || n > SX_RTCP_COUNT_MAX ||
	     reason.len > SX_RTCP_TEXT_MAX || (reason.len && !reason.p)))
		w->err = -EINVAL;
	size_t rlen = reason.len ? 1 + reason.len : 0;
	rlen = (rlen + RTCP_WORD - 1) / RTCP_WORD * RTCP_WORD;
	size_t len = SX_RTCP_HDR_LEN + n * RTCP_WORD + rlen;
	uint8_t *p = wr_take(w, len);
	if (!p)
		return;
	put_hdr(p, (unsigned)n, SX_RTCP_BYE, len);
	for (size_t i = 0; i < n; i++)
		sx_rtp__put32(p + 4 + i * RTCP_WORD, ssrc[i]);
	if (reason.len) {
		uint8_t *r = p + 4 + n * RTCP_WORD;
		r[0] = (uint8_t)reason.len;
		memcpy(r + 1, reason.p, reason.len);
	}
}

ssize_t sx_rtcp_wr_finish(const struct sx_rtcp_wr *w)
{
	return w->err ? w->err : (ssize_t)w->len;
}

/* -- time ------------------------------------------------------------ */

uint64_t sx_rtcp_ntp_from_us(uint64_t unix_us)
{
	uint64_t sec = unix_us / US_PER_S + NTP_UNIX_OFFSET;
	uint64_t frac = ((unix_us % US_PER_S) << 32) / US_PER_S;
	return sec << 32 | frac;
}

int sx_rtcp_rtt(uint32_t arrival_mid, const struct sx_rtcp_rb *rb,
                uint32_t *rtt_usp)
{
	if (!rb || !rtt_usp)
		return -EINVAL;
	if (rb->lsr == 0)
		return -ENODATA;
	/* RFC 3550 6.4.1: RTT = A - LSR - DLSR, in 1/65536 s, mod 2^32 */
	int32_t rtt = (int32_t)(arrival_mid - rb->lsr - rb->dlsr);
	if (rtt < 0)
		rtt = 0;
	*rtt_usp = (uint32_t)(((uint64_t)rtt * US_PER_S) >> 16);
	return 0;
}
