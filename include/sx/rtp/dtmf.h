/*
 * sx_dtmf: RFC 4733 telephone-events (DTMF digits in RTP).
 *
 * Payload codec (section 2.3), a sender that turns one digit into its
 * packet sequence (2.5.1: first packet with the marker bit, updates with
 * growing duration, the end packet sent three times, all with the event's
 * timestamp), and a receiver that reports each event once (2.5.2: packets
 * with the same timestamp are the same event; retransmitted end packets
 * are absorbed; events whose end never arrives are closed after a
 * timeout).
 *
 * No allocation and no clock reads: the caller passes `now` (microseconds,
 * any monotonic base).  Structs are embedded by their owner; one thread
 * at a time.
 */
#ifndef SX_RTP_DTMF_H
#define SX_RTP_DTMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sx/util/compiler.h>

/** Payload length of one event (RFC 4733 2.3). */
#define SX_DTMF_PAYLOAD_LEN 4
/** Events 0..15 are the DTMF digits (RFC 4733 3.2). */
#define SX_DTMF_EVENT_MAX 15
/** End packets sent per event (RFC 4733 2.5.1.4 recommends three). */
#define SX_DTMF_END_REPEATS 3
/** Default volume, -dBm0 (RFC 4733 2.3.4; 10 is a common choice). */
#define SX_DTMF_VOLUME_DEFAULT 10
/** Default receiver timeout for an event whose end never arrives. */
#define SX_DTMF_TIMEOUT_US_DEFAULT 2000000
/** Digits the receiver queues between two polls. */
#define SX_DTMF_RX_QUEUE 4

/** Decoded payload of one telephone-event packet. */
struct sx_dtmf_payload {
	uint8_t event;     /**< event code (0..15 for DTMF) */
	bool end;          /**< E bit */
	uint8_t volume;    /**< 0..63, -dBm0 */
	uint16_t duration; /**< in RTP timestamp units */
};

/** Event code for a digit in "0123456789*#ABCD" (either case); -EINVAL. */
int sx_dtmf_event_from_char(char c);

/** Digit for event 0..15, or '\0' for other codes. */
char sx_dtmf_event_char(uint8_t event);

/** Decode 4 bytes at @buf (@len must be >= 4).  0 or -EBADMSG. */
int sx_dtmf_payload_parse(struct sx_dtmf_payload *p, const void *buf,
                          size_t len) SX_MUST_CHECK;

/** Encode into @out (>= 4 bytes); returns 4, -EINVAL or -ENOSPC. */
ssize_t sx_dtmf_payload_build(void *out, size_t cap,
                              const struct sx_dtmf_payload *p) SX_MUST_CHECK;

/** One packet of a sender sequence. */
struct sx_dtmf_tx_pkt {
	bool marker; /**< RTP M bit (first only) */
	uint32_t ts; /**< RTP timestamp (event start) */
	uint8_t payload[SX_DTMF_PAYLOAD_LEN]; /**< the payload bytes */
};

/** Sender for one event at a time. */
struct sx_dtmf_tx {
	uint8_t event;  /**< event being sent */
	uint8_t volume; /**< its volume */
	uint32_t ts;    /**< its timestamp */
	uint16_t total; /**< full duration, timestamp units */
	uint16_t step;  /**< duration added per update packet */
	uint16_t cur;   /**< duration in the last packet */
	unsigned npkt;  /**< packets produced so far */
	unsigned nend;  /**< end packets produced so far */
	bool active;    /**< a sequence is in progress */
};

/**
 * Start sending digit @c at RTP timestamp @ts for @duration units, one
 * packet per @step units (e.g. 160 = 20 ms at 8 kHz).  Returns 0, or
 * -EINVAL (bad digit, zero step or duration; durations above 65535 units
 * would need RFC 4733 2.5.1.3 segments, which this sender does not do).
 */
int sx_dtmf_tx_start(struct sx_dtmf_tx *tx, char c, uint32_t ts,
                     uint32_t duration, uint16_t step) SX_MUST_CHECK;

/**
 * Produce the next packet of the sequence (call once per packet time).
 * Returns 0, or -ENOENT when the sequence is complete.
 */
int sx_dtmf_tx_next(struct sx_dtmf_tx *tx, struct sx_dtmf_tx_pkt *pkt);

/** A digit reported by the receiver. */
struct sx_dtmf_digit {
	char digit;        /**< '0'..'9', '*', '#', 'A'..'D', or '\0' */
	uint8_t event;     /**< event code */
	uint32_t ts;       /**< RTP timestamp identifying the event */
	uint32_t duration; /**< last duration seen, timestamp units */
	bool ended;        /**< an end packet arrived (else timed out or
	                     superseded by a newer event) */
};

/** Receiver for one stream. */
struct sx_dtmf_rx {
	uint64_t timeout_us;      /**< close an unended event after this */
	bool active;              /**< an event is in progress */
	struct sx_dtmf_digit cur; /**< the event in progress */
	uint64_t last_us;         /**< when its last packet arrived */
	bool have_done;           /**< done_ts is valid */
	uint32_t done_ts;         /**< timestamp of the last closed event */
	struct sx_dtmf_digit q[SX_DTMF_RX_QUEUE]; /**< reported digits */
	unsigned qhead;                           /**< first queued */
	unsigned qlen;                            /**< queued count */
	unsigned dropped; /**< digits lost to a full queue */
};

/** Initialise; @timeout_us 0 selects SX_DTMF_TIMEOUT_US_DEFAULT. */
void sx_dtmf_rx_init(struct sx_dtmf_rx *rx, uint64_t timeout_us);

/**
 * Feed one telephone-event packet (RTP timestamp @ts, payload @buf/@len)
 * received at @now_us.  Returns 0 or -EBADMSG for a short payload.
 */
int sx_dtmf_rx_input(struct sx_dtmf_rx *rx, uint32_t ts, const void *buf,
                     size_t len, uint64_t now_us);

/**
 * Take the next reported digit, first closing an event idle for longer
 * than the timeout at @now_us.  Returns 1 with @d filled, or 0 if none.
 */
int sx_dtmf_rx_poll(struct sx_dtmf_rx *rx, uint64_t now_us,
                    struct sx_dtmf_digit *d);

#endif
