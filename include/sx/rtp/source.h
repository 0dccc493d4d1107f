/*
 * sx_rtp_source: per-SSRC receiver state (RFC 3550 appendix A.1 sequence
 * validation, A.3 loss accounting, A.8 interarrival jitter) and the
 * report block it produces, with LSR/DLSR from the last SR received.
 *
 * The struct is embedded by its owner (no allocation).  Time is always
 * passed in by the caller (microseconds on any monotonic base); nothing
 * here reads a clock.  One thread at a time per source.
 */
#ifndef SX_RTP_SOURCE_H
#define SX_RTP_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include <sx/rtp/rtcp.h>

/* RFC 3550 A.1 constants. */
#define SX_RTP_MAX_DROPOUT    3000 /**< largest forward jump accepted */
#define SX_RTP_MAX_MISORDER   100  /**< largest backward step accepted */
#define SX_RTP_MIN_SEQUENTIAL 2    /**< in-order packets to leave probation */
#define SX_RTP_SEQ_MOD        (1u << 16)

/** Receiver state for one source (RFC 3550 A.1 `source`). */
struct sx_rtp_source {
	uint32_t ssrc;           /**< the source */
	uint32_t clock_rate;     /**< RTP clock rate, Hz */
	uint16_t max_seq;        /**< highest seq number seen */
	uint32_t cycles;         /**< shifted count of seq number cycles */
	uint32_t base_seq;       /**< base seq number */
	uint32_t bad_seq;        /**< last 'bad' seq number + 1 */
	uint32_t probation;      /**< sequ. packets till source is valid */
	uint32_t received;       /**< packets received */
	uint32_t expected_prior; /**< packet expected at last interval */
	uint32_t received_prior; /**< packet received at last interval */
	bool have_transit;       /**< transit holds a first sample */
	uint32_t transit;        /**< relative trans time for prev pkt */
	uint32_t jitter;         /**< estimated jitter, x16 (A.8) */
	bool have_sr;            /**< an SR has been received */
	uint32_t lsr;            /**< middle 32 bits of its NTP time */
	uint64_t lsr_arrival_us; /**< when it arrived (caller's clock) */
};

/**
 * Start tracking @ssrc whose first packet has sequence number @seq, at
 * @clock_rate Hz.  The source is in probation (A.1 init).
 */
void sx_rtp_source_init(struct sx_rtp_source *s, uint32_t ssrc, uint16_t seq,
                        uint32_t clock_rate);

/**
 * Account one arriving packet (A.1 update_seq, then A.8 jitter for valid
 * packets).  @arrival_us is the caller's clock.  Returns 0 when the packet
 * is valid and counted, -EAGAIN while the source is on probation, or
 * -ERANGE for a sequence jump the source rejects (a second packet in
 * sequence after such a jump restarts the source, A.1 bad_seq).
 */
int sx_rtp_source_recv(struct sx_rtp_source *s, uint16_t seq, uint32_t rtp_ts,
                       uint64_t arrival_us);

/** Extended highest sequence number received (cycles + max_seq). */
uint32_t sx_rtp_source_ext_max(const struct sx_rtp_source *s);

/** Cumulative lost (A.3), clamped to the signed 24-bit RTCP field. */
int32_t sx_rtp_source_lost(const struct sx_rtp_source *s);

/** Interarrival jitter in timestamp units (A.8: jitter >> 4). */
uint32_t sx_rtp_source_jitter(const struct sx_rtp_source *s);

/** Remember an SR from this source (its NTP time) arriving at @now_us. */
void sx_rtp_source_sr(struct sx_rtp_source *s, uint64_t ntp, uint64_t now_us);

/**
 * Fill a report block for this source at @now_us (A.3 fraction lost over
 * the interval since the previous call, which this call closes; DLSR from
 * the remembered SR).
 */
void sx_rtp_source_report(struct sx_rtp_source *s, uint64_t now_us,
                          struct sx_rtcp_rb *rb);

#endif
