/*
 * sx_rtp_sender: the sending side of an RTP stream (RFC 3550 5.1: random
 * SSRC and random initial sequence number and timestamp; 6.4.1 packet and
 * octet counts for the SR) and the RTCP transmission interval (RFC 3550
 * 6.3.1 and appendix A.7).
 *
 * Embedded by its owner, no allocation.  One thread at a time.
 */
#ifndef SX_RTP_SENDER_H
#define SX_RTP_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/rtp/rtcp.h>
#include <sx/rtp/rtp.h>
#include <sx/util/compiler.h>

/** Sender state for one outgoing stream. */
struct sx_rtp_sender {
	uint32_t ssrc;    /**< our SSRC (random) */
	uint16_t seq;     /**< next sequence number (random start) */
	uint32_t ts_base; /**< timestamp of media position 0 (random) */
	uint32_t packets; /**< packets sent (wraps, as in the SR) */
	uint32_t octets;  /**< payload octets sent (wraps) */
	bool sent;        /**< sent anything since the last report */
};

/**
 * Initialise with random SSRC, sequence number and timestamp base from
 * getrandom(2).  Returns 0 or a negative errno from getrandom.
 */
int sx_rtp_sender_init(struct sx_rtp_sender *s) SX_MUST_CHECK;

/**
 * Complete @h for the next packet: SSRC, sequence number (post-increment)
 * and timestamp = ts_base + @media_ts (the media position in clock
 * units), and count @payload_len octets.  pt and marker stay the caller's.
 */
void sx_rtp_sender_stamp(struct sx_rtp_sender *s, struct sx_rtp_hdr *h,
                         uint32_t media_ts, size_t payload_len);

/**
 * Fill SR sender info for the instant with NTP time @ntp and media
 * position @media_ts_now; clears the `sent` flag.
 */
void sx_rtp_sender_info(struct sx_rtp_sender *s, uint64_t ntp,
                        uint32_t media_ts_now, struct sx_rtcp_sender_info *si);

/** RTCP interval constants (RFC 3550 6.2, A.7). */
#define SX_RTCP_MIN_TIME_US        5000000 /**< 5 s minimum interval */
#define SX_RTCP_SENDER_BW_FRACTION 0.25
#define SX_RTCP_RCVR_BW_FRACTION   (1 - SX_RTCP_SENDER_BW_FRACTION)
/** Share of session bandwidth given to RTCP (RFC 3550 6.2: 5%). */
#define SX_RTCP_BW_FRACTION 0.05

/** Inputs of the interval computation (A.7 rtcp_interval()). */
struct sx_rtcp_interval_prm {
	unsigned members;     /**< current member estimate (>= 1) */
	unsigned senders;     /**< of which senders */
	double rtcp_bw;       /**< RTCP bandwidth, octets per second */
	bool we_sent;         /**< we sent data since the 2nd-last report */
	double avg_rtcp_size; /**< average compound size, octets (A.7) */
	bool initial;         /**< no RTCP sent yet (halves the minimum) */
};

/**
 * The RFC 3550 A.7 deterministic interval, randomised by a factor in
 * [0.5, 1.5) derived from @rnd (a uniform random value the caller draws),
 * divided by e - 3/2 for timer reconsideration.  Returns microseconds.
 * Simplification: reverse reconsideration and the BYE back-off are left
 * to the caller's scheduler.
 */
uint64_t sx_rtcp_interval_us(const struct sx_rtcp_interval_prm *p,
                             uint32_t rnd);

/** A.7 running average of compound sizes: avg += (size - avg) / 16. */
double sx_rtcp_avg_size(double avg, size_t pkt_size);

#endif
