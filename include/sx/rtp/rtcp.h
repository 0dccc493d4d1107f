/*
 * sx_rtcp: RTCP compound packet parse and build (RFC 3550 section 6):
 * SR, RR with report blocks, SDES (CNAME), BYE; APP and unknown types are
 * handed over as a raw body for the caller to skip.  Validity checks are
 * those of RFC 3550 appendix A.2, applied to the whole compound before any
 * packet is returned, so a bad compound is rejected as a unit.
 *
 * Nothing here allocates: parse results point into the caller's buffer
 * and the writer fills a caller buffer.  Stateless; any thread.
 */
#ifndef SX_RTP_RTCP_H
#define SX_RTP_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sx/util/compiler.h>
#include <sx/util/sl.h>

/** RTCP packet types (RFC 3550 12.1). */
enum sx_rtcp_type {
	SX_RTCP_SR = 200,
	SX_RTCP_RR = 201,
	SX_RTCP_SDES = 202,
	SX_RTCP_BYE = 203,
	SX_RTCP_APP = 204,
};

/** SDES item types we read or write (RFC 3550 6.5). */
#define SX_RTCP_SDES_END   0
#define SX_RTCP_SDES_CNAME 1

/** Common header length in bytes (V/P/count, PT, length). */
#define SX_RTCP_HDR_LEN 4
/** Largest count field (5 bits): report blocks, SDES chunks, BYE SSRCs. */
#define SX_RTCP_COUNT_MAX 31
/** Report block length in bytes (RFC 3550 6.4.1). */
#define SX_RTCP_RB_LEN 24
/** Sender info length in bytes (NTP 8, RTP ts 4, packets 4, octets 4). */
#define SX_RTCP_SENDER_INFO_LEN 20
/** Longest SDES item text or BYE reason (8-bit length). */
#define SX_RTCP_TEXT_MAX 255
/** Cumulative loss is a signed 24-bit field; these are its bounds. */
#define SX_RTCP_LOST_MAX 0x7fffff
#define SX_RTCP_LOST_MIN (-0x800000)

/** One reception report block (RFC 3550 6.4.1). */
struct sx_rtcp_rb {
	uint32_t ssrc;    /**< source this block reports on */
	uint8_t fraction; /**< fraction lost since last report, /256 */
	int32_t lost;     /**< cumulative packets lost (signed 24-bit) */
	uint32_t ext_seq; /**< extended highest sequence number received */
	uint32_t jitter;  /**< interarrival jitter, timestamp units */
	uint32_t lsr;     /**< middle 32 bits of the last SR's NTP time */
	uint32_t dlsr;    /**< delay since that SR, 1/65536 s */
};

/** SR sender information (RFC 3550 6.4.1). */
struct sx_rtcp_sender_info {
	uint64_t ntp;     /**< NTP timestamp, 32.32 fixed point */
	uint32_t rtp_ts;  /**< RTP timestamp of the same instant */
	uint32_t packets; /**< sender's packet count */
	uint32_t octets;  /**< sender's payload octet count */
};

/** One SDES chunk: its SSRC and the CNAME, when present. */
struct sx_rtcp_sdes_chunk {
	uint32_t ssrc;      /**< SSRC/CSRC the items describe */
	struct sx_sl cname; /**< CNAME text (into the buffer), or empty */
};

/** One packet of a compound, as returned by sx_rtcp_iter_next(). */
struct sx_rtcp_pkt {
	uint8_t pt;          /**< packet type (enum sx_rtcp_type or other) */
	uint8_t count;       /**< the 5-bit count field */
	uint32_t ssrc;       /**< sender SSRC (SR, RR, APP); 0 otherwise */
	const uint8_t *body; /**< bytes after the 4-byte header */
	size_t body_len;     /**< their count, padding excluded */
	union {
		struct {
			struct sx_rtcp_sender_info si; /**< SR only */
			struct sx_rtcp_rb rb[SX_RTCP_COUNT_MAX];
		} rep; /**< SR and RR: rb[0..count) */
		struct sx_rtcp_sdes_chunk sdes[SX_RTCP_COUNT_MAX];
		struct {
			uint32_t ssrc[SX_RTCP_COUNT_MAX]; /**< [0..count) */
			struct sx_sl reason; /**< optional, may be empty */
		} bye;
		char app_name[4]; /**< APP: 4 ASCII chars, no NUL */
	} u;
};

/** Iterator over a validated compound packet. */
struct sx_rtcp_iter {
	const uint8_t *p; /**< compound start (caller's buffer) */
	size_t len;       /**< compound length */
	size_t off;       /**< next packet offset */
};

/**
 * Validate the compound of @len bytes at @buf (RFC 3550 A.2: version 2,
 * first packet SR or RR without padding, padding only in the last packet,
 * lengths add up exactly, every packet's body well formed) and set @it to
 * its first packet.  Returns 0, -EINVAL for NULL arguments or -EBADMSG.
 */
int sx_rtcp_iter_init(struct sx_rtcp_iter *it, const void *buf,
                      size_t len) SX_MUST_CHECK;

/**
 * Decode the next packet into @pkt (pointing into the buffer).  Returns 0,
 * or -ENOENT after the last one.  Types other than SR, RR, SDES and BYE
 * come back with only pt, count, body and (APP) ssrc/name filled in.
 */
int sx_rtcp_iter_next(struct sx_rtcp_iter *it, struct sx_rtcp_pkt *pkt);

/** Compound writer over a caller buffer; errors are sticky. */
struct sx_rtcp_wr {
	uint8_t *p; /**< output buffer (caller's) */
	size_t cap; /**< its capacity */
	size_t len; /**< bytes written */
	int err;    /**< first error: -EINVAL or -ENOSPC */
};

/** Start a compound in @buf of @cap bytes. */
void sx_rtcp_wr_init(struct sx_rtcp_wr *w, void *buf, size_t cap);

/** Append an SR with @nrb (<= 31) report blocks. */
void sx_rtcp_wr_sr(struct sx_rtcp_wr *w, uint32_t ssrc,
                   const struct sx_rtcp_sender_info *si,
                   const struct sx_rtcp_rb *rb, size_t nrb);

/** Append an RR with @nrb (<= 31) report blocks. */
void sx_rtcp_wr_rr(struct sx_rtcp_wr *w, uint32_t ssrc,
                   const struct sx_rtcp_rb *rb, size_t nrb);

/** Append an SDES packet with one chunk carrying a CNAME (<= 255). */
void sx_rtcp_wr_sdes_cname(struct sx_rtcp_wr *w, uint32_t ssrc,
                           struct sx_sl cname);

/** Append a BYE for @n (1..31) SSRCs with an optional reason (<= 255). */
void sx_rtcp_wr_bye(struct sx_rtcp_wr *w, const uint32_t *ssrc, size_t n,
                    struct sx_sl reason);

/** Compound length, or the first error (-EINVAL, -ENOSPC). */
ssize_t sx_rtcp_wr_finish(const struct sx_rtcp_wr *w) SX_MUST_CHECK;

/**
 * NTP 32.32 timestamp for a wall-clock time in microseconds since the
 * Unix epoch (the caller reads the clock).
 */
uint64_t sx_rtcp_ntp_from_us(uint64_t unix_us);

/** The middle 32 bits of an NTP timestamp (the LSR/DLSR time base). */
static inline uint32_t sx_rtcp_ntp_mid(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

/**
 * Round-trip time from a report block about our stream (RFC 3550 6.4.1:
 * A - LSR - DLSR), where @arrival_mid is sx_rtcp_ntp_mid() of the time
 * the report arrived.  Writes microseconds to @rtt_usp (0 if the result
 * is negative, e.g. after a clock step).  -ENODATA when the block has no
 * LSR (the peer has not seen an SR from us yet).
 */
int sx_rtcp_rtt(uint32_t arrival_mid, const struct sx_rtcp_rb *rb,
                uint32_t *rtt_usp) SX_MUST_CHECK;

#endif
