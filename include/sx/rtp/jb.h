/*
 * sx_jb: adaptive jitter buffer for one RTP stream (RFC 3550 A.8 transit
 * model).
 *
 * Packets go in as they arrive (sx_jb_put); the media tick pulls exactly
 * one frame per call (sx_jb_get).  Each frame is either a packet payload,
 * a "lost" frame (the decoder should run packet-loss concealment), or
 * "none" before playout has started.  Late, duplicate and reordered
 * packets are handled; playout delay follows the spread of packet transit
 * times over the recent history, within [min_delay, max_delay], by
 * stretching (a concealed frame) or skipping one frame at a time.
 *
 * All memory (a fixed ring of slots) is allocated at creation; put and get
 * never allocate.  Time is passed in by the caller (microseconds, any
 * monotonic base).  One thread at a time.  One packet carries one frame.
 */
#ifndef SX_RTP_JB_H
#define SX_RTP_JB_H

#include <stddef.h>
#include <stdint.h>

#include <sx/util/compiler.h>

struct sx_jb;

/** Creation parameters (zero-initialise; zero fields take defaults). */
struct sx_jb_prm {
	uint32_t clock_rate;   /**< RTP clock, Hz (default 8000) */
	uint32_t frame_ts;     /**< timestamp units per frame (default
	                            clock_rate / 50, i.e. 20 ms) */
	uint32_t slots;        /**< ring size in frames (default 50) */
	size_t max_payload;    /**< largest payload kept (default 1500) */
	uint32_t min_delay_ms; /**< lowest playout delay (default 40) */
	uint32_t max_delay_ms; /**< highest playout delay (default 400,
	                            capped to slots - 2 frames) */
};

/** What sx_jb_get() produced. */
enum sx_jb_kind {
	SX_JB_NONE = 0, /**< not playing yet: output silence */
	SX_JB_FRAME,    /**< a payload: decode it */
	SX_JB_LOST,     /**< no payload for this frame: run PLC */
};

/** One frame pulled from the buffer. */
struct sx_jb_frame {
	enum sx_jb_kind kind;   /**< see above */
	uint32_t ts;            /**< RTP timestamp of this frame */
	uint16_t seq;           /**< sequence number (FRAME only) */
	const uint8_t *payload; /**< FRAME: valid until the next put/get */
	size_t len;             /**< payload length */
};

/** Counters (monotonic since creation or reset). */
struct sx_jb_stats {
	uint64_t put;      /**< packets stored */
	uint64_t frames;   /**< FRAME results */
	uint64_t lost;     /**< LOST results (missing packet) */
	uint64_t late;     /**< packets that arrived after their playout */
	uint64_t dup;      /**< duplicates dropped */
	uint64_t stretch;  /**< LOST results inserted to grow the delay */
	uint64_t skip;     /**< frames dropped to shrink the delay */
	uint64_t resync;   /**< restarts after a timestamp jump */
	uint32_t delay_ms; /**< current target delay */
};

/**
 * Create a buffer.  @prm may be NULL for all defaults.  Returns 0,
 * -EINVAL for inconsistent parameters, -ENOMEM.  Free with sx_mem_unref.
 */
int sx_jb_alloc(struct sx_jb **jbp, const struct sx_jb_prm *prm) SX_MUST_CHECK;

/**
 * Store a packet received at @now_us.  Returns 0, -EALREADY (duplicate),
 * -ETIME (too late, its frame was played), -E2BIG (payload larger than
 * max_payload), -EINVAL.  A timestamp far outside the ring restarts the
 * buffer at that packet.
 */
int sx_jb_put(struct sx_jb *jb, uint16_t seq, uint32_t ts, const void *payload,
              size_t len, uint64_t now_us);

/** Pull the frame for the tick at @now_us (call once per frame time). */
void sx_jb_get(struct sx_jb *jb, uint64_t now_us, struct sx_jb_frame *f);

/** Drop all packets and wait for a new first packet (e.g. SSRC change). */
void sx_jb_reset(struct sx_jb *jb);

/** Copy the counters. */
void sx_jb_stats(const struct sx_jb *jb, struct sx_jb_stats *st);

#endif
