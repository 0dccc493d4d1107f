/*
 * Unit tests for RFC 4733 telephone-events: payload codec, the sender's
 * sequence, and the receiver (dedupe, lost start, lost end, timeout).
 */
#include <sx/rtp/dtmf.h>

#include "ut.h"

#define STEP    160  /* 20 ms at 8 kHz */
#define MS      1000 /* microseconds */
#define TIMEOUT (500 * MS)

static int test_dtmf_chars(void)
{
	int err = 0;
	static const char all[] = "0123456789*#ABCD";
	for (int i = 0; i < 16; i++) {
		UT_EQ(i, sx_dtmf_event_from_char(all[i]));
		UT_EQ(all[i], sx_dtmf_event_char((uint8_t)i));
	}
	UT_EQ(12, sx_dtmf_event_from_char('a'));
	UT_EQ(-EINVAL, sx_dtmf_event_from_char('E'));
	UT_EQ(-EINVAL, sx_dtmf_event_from_char('\0'));
	UT_EQ('\0', sx_dtmf_event_char(16)); /* flash: not a digit */
out:
	return err;
}

static int test_dtmf_payload(void)
{
	int err = 0;
	/* event 5, E, volume 10, duration 800 = 05 8a 03 20 */
	static const uint8_t want[] = {0x05, 0x8a, 0x03, 0x20};
	struct sx_dtmf_payload p = {
	    .event = 5, .end = true, .volume = 10, .duration = 800};
	uint8_t b[4];
	UT_EQ(4, sx_dtmf_payload_build(b, sizeof(b), &p));
	UT_MEM_EQ(want, b, 4);
	struct sx_dtmf_payload q;
	UT_OK(sx_dtmf_payload_parse(&q, want, sizeof(want)));
	UT_TRUE(q.end && q.event == 5 && q.volume == 10 && q.duration == 800);
	UT_EQ(-EBADMSG, sx_dtmf_payload_parse(&q, want, 3));
	UT_EQ(-ENOSPC, sx_dtmf_payload_build(b, 3, &p));
	p.volume = 64;
	UT_EQ(-EINVAL, sx_dtmf_payload_build(b, 4, &p));
out:
	return err;
}

/* Collect the packets of digit @c, @dur units long, starting at @ts. */
static int make_seq(char c, uint32_t ts, uint32_t dur,
                    struct sx_dtmf_tx_pkt *pk, size_t cap, size_t *np)
{
	struct sx_dtmf_tx tx;
	int err = sx_dtmf_tx_start(&tx, c, ts, dur, STEP);
	if (err)
		return err;
	size_t n = 0;
	while (n < cap && sx_dtmf_tx_next(&tx, &pk[n]) == 0)
		n++;
	*np = n;
	return 0;
}

static int test_dtmf_tx_sequence(void)
{
	int err = 0;
	struct sx_dtmf_tx_pkt pk[16];
	size_t n;
	/* 100 ms = 800 units in 160-unit steps: updates at 160, 320, 480,
	 * 640, then the end (800) three times; one timestamp, marker on
	 * the first packet only. */
	static const uint16_t dur[] = {160, 320, 480, 640, 800, 800, 800};
	UT_OK(make_seq('#', 1000, 800, pk, SX_ARRAY_SIZE(pk), &n));
	UT_EQ(SX_ARRAY_SIZE(dur), n);
	for (size_t i = 0; i < n; i++) {
		struct sx_dtmf_payload p;
		UT_OK(sx_dtmf_payload_parse(&p, pk[i].payload, 4));
		UT_EQ(11, p.event);
		UT_EQ(dur[i], p.duration);
		UT_EQ(i >= 4, p.end);
		UT_EQ(i == 0, pk[i].marker);
		UT_EQ(1000, pk[i].ts);
	}
	/* a 10 ms tone is one end packet (with marker) sent three times */
	UT_OK(make_seq('1', 5, 80, pk, SX_ARRAY_SIZE(pk), &n));
	UT_EQ(3, n);
	UT_TRUE(pk[0].marker && !pk[1].marker);
	struct sx_dtmf_tx tx;
	UT_EQ(-EINVAL, sx_dtmf_tx_start(&tx, 'x', 0, 800, STEP));
	UT_EQ(-EINVAL, sx_dtmf_tx_start(&tx, '1', 0, 70000, STEP));
	UT_EQ(-EINVAL, sx_dtmf_tx_start(&tx, '1', 0, 800, 0));
out:
	return err;
}

static int feed(struct sx_dtmf_rx *rx, const struct sx_dtmf_tx_pkt *pk,
                size_t from, size_t to, uint64_t *now)
{
	for (size_t i = from; i < to; i++, *now += 20 * MS) {
		int rc = sx_dtmf_rx_input(rx, pk[i].ts, pk[i].payload, 4, *now);
		if (rc)
			return rc;
	}
	return 0;
}

static int test_dtmf_rx_one_digit(void)
{
	int err = 0;
	struct sx_dtmf_tx_pkt pk[16];
	struct sx_dtmf_rx rx;
	struct sx_dtmf_digit d;
	size_t n;
	uint64_t now = 0;
	sx_dtmf_rx_init(&rx, TIMEOUT);
	UT_OK(make_seq('7', 4000, 800, pk, SX_ARRAY_SIZE(pk), &n));
	UT_OK(feed(&rx, pk, 0, n, &now));
	UT_EQ(1, sx_dtmf_rx_poll(&rx, now, &d));
	UT_EQ('7', d.digit);
	UT_EQ(800, d.duration);
	UT_EQ(4000, d.ts);
	UT_TRUE(d.ended);
	/* the whole sequence again (retransmission, redundancy): absorbed */
	UT_OK(feed(&rx, pk, 0, n, &now));
	UT_EQ(0, sx_dtmf_rx_poll(&rx, now + 10 * TIMEOUT, &d));
	UT_EQ(-EBADMSG, sx_dtmf_rx_input(&rx, 1, pk[0].payload, 2, now));
out:
	return err;
}

static int test_dtmf_rx_lost_start(void)
{
	int err = 0;
	struct sx_dtmf_tx_pkt pk[16];
	struct sx_dtmf_rx rx;
	struct sx_dtmf_digit d;
	size_t n;
	uint64_t now = 0;
	sx_dtmf_rx_init(&rx, TIMEOUT);
	UT_OK(make_seq('9', 100, 800, pk, SX_ARRAY_SIZE(pk), &n));
	/* packets 0 (marker) and 1 lost; the rest identify the event */
	UT_OK(feed(&rx, pk, 2, n, &now));
	UT_EQ(1, sx_dtmf_rx_poll(&rx, now, &d));
	UT_EQ('9', d.digit);
	UT_EQ(800, d.duration);
	UT_TRUE(d.ended);
	UT_EQ(0, sx_dtmf_rx_poll(&rx, now, &d));
out:
	return err;
}

static int test_dtmf_rx_never_ends(void)
{
	int err = 0;
	struct sx_dtmf_tx_pkt pk[16];
	struct sx_dtmf_rx rx;
	struct sx_dtmf_digit d;
	size_t n;
	uint64_t now = 1000 * MS;
	sx_dtmf_rx_init(&rx, TIMEOUT);
	UT_OK(make_seq('*', 100, 800, pk, SX_ARRAY_SIZE(pk), &n));
	/* only the four updates arrive: last at now0 + 60 ms */
	UT_OK(feed(&rx, pk, 0, 4, &now));
	uint64_t last = now - 20 * MS;
	UT_EQ(0, sx_dtmf_rx_poll(&rx, last + TIMEOUT - 1, &d));
	UT_EQ(1, sx_dtmf_rx_poll(&rx, last + TIMEOUT, &d));
	UT_EQ('*', d.digit);
	UT_EQ(640, d.duration);
	UT_TRUE(!d.ended);
	/* its end packets turning up afterwards are absorbed */
	UT_OK(feed(&rx, pk, 4, n, &now));
	UT_EQ(0, sx_dtmf_rx_poll(&rx, now, &d));
out:
	return err;
}

static int test_dtmf_rx_lost_end_then_next(void)
{
	int err = 0;
	struct sx_dtmf_tx_pkt a[16], b[16];
	struct sx_dtmf_rx rx;
	struct sx_dtmf_digit d;
	size_t na, nb;
	uint64_t now = 0;
	sx_dtmf_rx_init(&rx, 0);
	UT_EQ(SX_DTMF_TIMEOUT_US_DEFAULT, rx.timeout_us);
	UT_OK(make_seq('1', 1000, 800, a, SX_ARRAY_SIZE(a), &na));
	UT_OK(make_seq('2', 3000, 480, b, SX_ARRAY_SIZE(b), &nb));
	/* '1' loses all three end packets; '2' arrives complete, with its
	 * updates reordered (480-unit event: 160, 320, end x3) */
	UT_OK(feed(&rx, a, 0, 3, &now));
	UT_OK(feed(&rx, b, 1, 2, &now));
	UT_OK(feed(&rx, b, 0, 1, &now));
	/* a straggler of the closed '1' is ignored */
	UT_OK(feed(&rx, a, 3, 4, &now));
	UT_OK(feed(&rx, b, 2, nb, &now));
	UT_EQ(1, sx_dtmf_rx_poll(&rx, now, &d));
	UT_EQ('1', d.digit);
	UT_EQ(480, d.duration);
	UT_TRUE(!d.ended);
	UT_EQ(1, sx_dtmf_rx_poll(&rx, now, &d));
	UT_EQ('2', d.digit);
	UT_EQ(480, d.duration);
	UT_TRUE(d.ended);
	UT_EQ(0, sx_dtmf_rx_poll(&rx, now, &d));
out:
	return err;
}

static int test_dtmf_rx_queue_full(void)
{
	int err = 0;
	struct sx_dtmf_tx_pkt pk[16];
	struct sx_dtmf_rx rx;
	struct sx_dtmf_digit d;
	size_t n;
	uint64_t now = 0;
	sx_dtmf_rx_init(&rx, TIMEOUT);
	/* five digits close before anyone polls: the queue keeps four */
	for (uint32_t i = 0; i < 5; i++) {
		UT_OK(make_seq((char)('1' + i), 1000 * (i + 1), 320, pk,
		               SX_ARRAY_SIZE(pk), &n));
		UT_OK(feed(&rx, pk, 0, n, &now));
	}
	UT_EQ(1, rx.dropped);
	for (int i = 0; i < 4; i++) {
		UT_EQ(1, sx_dtmf_rx_poll(&rx, now, &d));
		UT_EQ('1' + i, d.digit);
	}
	UT_EQ(0, sx_dtmf_rx_poll(&rx, now, &d));
out:
	return err;
}

UT_MAIN(UT_C(test_dtmf_chars), UT_C(test_dtmf_payload),
        UT_C(test_dtmf_tx_sequence), UT_C(test_dtmf_rx_one_digit),
        UT_C(test_dtmf_rx_lost_start), UT_C(test_dtmf_rx_never_ends),
        UT_C(test_dtmf_rx_lost_end_then_next), UT_C(test_dtmf_rx_queue_full))
