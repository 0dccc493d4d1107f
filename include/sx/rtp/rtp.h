/*
 * sx_rtp: RTP packet parse and build (RFC 3550 section 5.1) and the
 * RTP/RTCP/other demultiplexer for one port (RFC 5761 section 4,
 * RFC 7983).
 *
 * Parsing never allocates and never writes to the packet: the result
 * points into the caller's buffer, which must outlive it.  Building writes
 * into a caller buffer of known capacity.  All functions may be called
 * from any thread; they keep no state.
 */
#ifndef SX_RTP_RTP_H
#define SX_RTP_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sx/util/compiler.h>

/** RTP version carried in every packet (RFC 3550 5.1). */
#define SX_RTP_VERSION 2
/** Fixed header length in bytes (RFC 3550 5.1). */
#define SX_RTP_HDR_LEN 12
/** Most CSRC identifiers a header can carry (4-bit CC). */
#define SX_RTP_CSRC_MAX 15
/** Header extension preamble: profile (16) + length in words (16). */
#define SX_RTP_EXT_HDR_LEN 4

/** A parsed or to-be-built RTP header. */
struct sx_rtp_hdr {
	bool marker;                    /**< M bit */
	uint8_t pt;                     /**< payload type, 0..127 */
	uint16_t seq;                   /**< sequence number */
	uint32_t ts;                    /**< media timestamp */
	uint32_t ssrc;                  /**< synchronization source */
	uint8_t cc;                     /**< CSRC count, 0..15 */
	uint32_t csrc[SX_RTP_CSRC_MAX]; /**< contributing sources */
	bool ext;                       /**< X bit: extension present */
	uint16_t ext_profile;           /**< "defined by profile" field */
	const uint8_t *ext_data;        /**< extension body (words) */
	size_t ext_len;                 /**< body length in bytes, %4 == 0 */
};

/** A parsed RTP packet: header plus payload slice into the buffer. */
struct sx_rtp_pkt {
	struct sx_rtp_hdr hdr;  /**< decoded header */
	const uint8_t *payload; /**< first payload byte (inside the buffer) */
	size_t payload_len;     /**< payload bytes, padding excluded */
	uint8_t pad_len;        /**< padding bytes removed (P bit), 0 if none */
};

/**
 * Parse one RTP packet of @len bytes at @buf.  Checks version, CSRC list,
 * extension and padding lengths against @len.  Returns 0, -EINVAL for
 * NULL arguments, or -EBADMSG for anything malformed (nothing is read past
 * @len).  @pkt points into @buf afterwards.
 */
int sx_rtp_parse(struct sx_rtp_pkt *pkt, const void *buf,
                 size_t len) SX_MUST_CHECK;

/**
 * Serialize @hdr followed by @plen payload bytes into @out (capacity
 * @cap).  The extension is written when hdr->ext is set (ext_len must be a
 * multiple of 4).  No padding is added.  Returns the byte count, -EINVAL
 * for bad header fields, or -ENOSPC when @cap is too small.
 */
ssize_t sx_rtp_build(void *out, size_t cap, const struct sx_rtp_hdr *hdr,
                     const void *payload, size_t plen) SX_MUST_CHECK;

/** What a datagram on a shared RTP/RTCP port is. */
enum sx_rtp_demux {
	SX_RTP_DEMUX_OTHER = 0, /**< neither (STUN, DTLS, garbage) */
	SX_RTP_DEMUX_RTP,       /**< RTP: version 2, PT outside 64..95 */
	SX_RTP_DEMUX_RTCP,      /**< RTCP: version 2, PT byte 192..223 */
};

/**
 * Classify a datagram received on a muxed port (RFC 5761 4: the second
 * byte, marker bit masked off, in 64..95 means RTCP; RFC 7983 first-byte
 * ranges keep STUN and DTLS out).  Looks at most at 2 bytes.
 */
enum sx_rtp_demux sx_rtp_demux(const void *buf, size_t len);

#endif
