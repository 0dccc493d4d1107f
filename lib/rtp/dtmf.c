/*
 * RFC 4733 telephone-events: payload format (section 2.3), the sender's
 * packet sequence (2.5.1) and a receiver that reports one digit per event
 * (2.5.2): the RTP timestamp identifies an event, so retransmitted end
 * packets and repeated updates collapse into one report, and a newer
 * timestamp or a timeout closes an event whose end packets were lost.
 */
#include <errno.h>

#include <sx/rtp/dtmf.h>

#include "rtp_int.h"

#define DTMF_END_BIT     0x80
#define DTMF_VOLUME_MASK 0x3f

static const char dtmf_chars[] = "0123456789*#ABCD";

int sx_dtmf_event_from_char(char c)
{
	if (c >= 'a' && c <= 'd')
		c = (char)(c - 'a' + 'A');
	for (int i = 0; i <= SX_DTMF_EVENT_MAX; i++)
		if (dtmf_chars[i] == c)
			return i;
	return -EINVAL;
}

char sx_dtmf_event_char(uint8_t event)
{
	return event <= SX_DTMF_EVENT_MAX ? dtmf_chars[event] : '\0';
}

int sx_dtmf_payload_parse(struct sx_dtmf_payload *p, const void *buf,
                          size_t len)
{
	const uint8_t *b = buf;
	if (!p || !b || len < SX_DTMF_PAYLOAD_LEN)
		return -EBADMSG;
	*p = (struct sx_dtmf_payload){
	    .event = b[0],
	    .end = (b[1] & DTMF_END_BIT) != 0,
	    .volume = b[1] & DTMF_VOLUME_MASK,
	    .duration = sx_rtp__be16(b + 2),
	};
	return 0;
}

ssize_t sx_dtmf_payload_build(void *out, size_t cap,
                              const struct sx_dtmf_payload *p)
{
	uint8_t *b = out;
	if (!b || !p || p->volume > DTMF_VOLUME_MASK)
		return -EINVAL;
	if (cap < SX_DTMF_PAYLOAD_LEN)
		return -ENOSPC;
	b[0] = p->event;
	b[1] = (uint8_t)((p->end ? DTMF_END_BIT : 0) | p->volume);
	sx_rtp__put16(b + 2, p->duration);
	return SX_DTMF_PAYLOAD_LEN;
}

/* -- sender ---------------------------------------------------------- */

int sx_dtmf_tx_start(struct sx_dtmf_tx *tx, char c, uint32_t ts,
                     uint32_t duration, uint16_t step)
{
	int ev = sx_dtmf_event_from_char(c);
	if (!tx || ev < 0 || step == 0 || duration == 0 ||
	    duration > UINT16_MAX)
		return -EINVAL;
	*tx = (struct sx_dtmf_tx){
	    .event = (uint8_t)ev,
	    .volume = SX_DTMF_VOLUME_DEFAULT,
	    .ts = ts,
	    .total = (uint16_t)duration,
	    .step = step,
	    .active = true,
	};
	return 0;
}

int sx_dtmf_tx_next(struct sx_dtmf_tx *tx, struct sx_dtmf_tx_pkt *pkt)
{
	if (!tx || !pkt || !tx->active)
		return -ENOENT;
	struct sx_dtmf_payload p = {.event = tx->event, .volume = tx->volume};
	/* 2.5.1.4: once the duration is reached, the end packet (E bit,
	 * final duration) goes out three times */
	if (tx->nend > 0 || (uint32_t)tx->cur + tx->step >= tx->total) {
		tx->cur = tx->total;
		p.end = true;
		if (++tx->nend == SX_DTMF_END_REPEATS)
			tx->active = false;
	} else {
		tx->cur = (uint16_t)(tx->cur + tx->step);
	}
	p.duration = tx->cur;
	/* 2.5.1.2: the marker bit is set on the event's first packet */
	pkt->marker = tx->npkt++ == 0;
	pkt->ts = tx->ts;
	ssize_t n =
	    sx_dtmf_payload_build(pkt->payload, sizeof(pkt->payload), &p);
	return n < 0 ? (int)n : 0;
}

/* -- receiver -------------------------------------------------------- */

void sx_dtmf_rx_init(struct sx_dtmf_rx *rx, uint64_t timeout_us)
{
	*rx = (struct sx_dtmf_rx){
	    .timeout_us = timeout_us ? timeout_us : SX_DTMF_TIMEOUT_US_DEFAULT,
	};
}

static void rx_close(struct sx_dtmf_rx *rx)
{
	rx->active = false;
	rx->have_done = true;
	rx->done_ts = rx->cur.ts;
	if (rx->qlen == SX_DTMF_RX_QUEUE) {
		rx->dropped++;
		return;
	}
	rx->q[(rx->qhead + rx->qlen) % SX_DTMF_RX_QUEUE] = rx->cur;
	rx->qlen++;
}

/* True for a packet of an event already closed (or older). */
static bool rx_is_stale(const struct sx_dtmf_rx *rx, uint32_t ts)
{
	if (rx->have_done && (int32_t)(ts - rx->done_ts) <= 0)
		return true;
	return rx->active && (int32_t)(ts - rx->cur.ts) < 0;
}

int sx_dtmf_rx_input(struct sx_dtmf_rx *rx, uint32_t ts, const void *buf,
                     size_t len, uint64_t now_us)
{
	struct sx_dtmf_payload p;
	int err = sx_dtmf_payload_parse(&p, buf, len);
	if (err)
		return err;
	if (rx_is_stale(rx, ts))
		return 0; /* retransmitted end or late packet */
	if (rx->active && ts != rx->cur.ts)
		rx_close(rx); /* a newer event: the old one lost its end */
	if (!rx->active) {
		/* the first packet seen may be an update: the start (with
		 * the marker) can be lost, the timestamp still names it */
		rx->active = true;
		rx->cur = (struct sx_dtmf_digit){
		    .digit = sx_dtmf_event_char(p.event),
		    .event = p.event,
		    .ts = ts,
		};
	}
	/* updates may arrive reordered: keep the longest duration */
	if (p.duration > rx->cur.duration)
		rx->cur.duration = p.duration;
	rx->last_us = now_us;
	if (p.end) {
		rx->cur.ended = true;
		rx_close(rx);
	}
	return 0;
}

int sx_dtmf_rx_poll(struct sx_dtmf_rx *rx, uint64_t now_us,
                    struct sx_dtmf_digit *d)
{
	if (rx->active && now_us >= rx->last_us &&
	    now_us - rx->last_us >= rx->timeout_us)
		rx_close(rx);
	if (rx->qlen == 0)
		return 0;
	*d = rx->q[rx->qhead];
	rx->qhead = (rx->qhead + 1) % SX_DTMF_RX_QUEUE;
	rx->qlen--;
	return 1;
}
