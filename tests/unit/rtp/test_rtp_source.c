/*
 * Unit tests for receiver statistics (RFC 3550 A.1, A.3, A.8), LSR/DLSR,
 * sender state and the RTCP interval (A.7).  Expected values are worked
 * out by hand in the comments.
 */
#include <sx/rtp/sender.h>
#include <sx/rtp/source.h>

#include "ut.h"

#define RATE        8000
#define US_PER_UNIT 125 /* one 8 kHz timestamp unit */

static int test_source_probation(void)
{
	int err = 0;
	struct sx_rtp_source s;
	/* A.1: the first packet sets max_seq = 99 and probation 2; 100
	 * brings it to 1 (still on probation), 101 to 0: valid, and
	 * init_seq(101) makes 101 the base with one packet received. */
	sx_rtp_source_init(&s, 42, 100, RATE);
	UT_EQ(-EAGAIN, sx_rtp_source_recv(&s, 100, 0, 0));
	UT_OK(sx_rtp_source_recv(&s, 101, 160, 20000));
	UT_EQ(101, s.base_seq);
	UT_EQ(1, s.received);
	/* out of order during probation restarts it */
	sx_rtp_source_init(&s, 42, 100, RATE);
	UT_EQ(-EAGAIN, sx_rtp_source_recv(&s, 100, 0, 0));
	UT_EQ(-EAGAIN, sx_rtp_source_recv(&s, 105, 0, 0));
	UT_OK(sx_rtp_source_recv(&s, 106, 0, 0));
	UT_EQ(106, s.base_seq);
out:
	return err;
}

static int test_source_wrap(void)
{
	int err = 0;
	struct sx_rtp_source s;
	/* 65534 (probation), 65535 (valid, base), then 0, 1, 2: the wrap
	 * adds one cycle, so ext_max = 65536 + 2 = 65538, expected =
	 * 65538 - 65535 + 1 = 4 = received, lost 0. */
	sx_rtp_source_init(&s, 1, 65534, RATE);
	UT_EQ(-EAGAIN, sx_rtp_source_recv(&s, 65534, 0, 0));
	UT_OK(sx_rtp_source_recv(&s, 65535, 0, 0));
	UT_OK(sx_rtp_source_recv(&s, 0, 0, 0));
	UT_OK(sx_rtp_source_recv(&s, 1, 0, 0));
	UT_OK(sx_rtp_source_recv(&s, 2, 0, 0));
	UT_EQ(65536, s.cycles);
	UT_EQ(65538, sx_rtp_source_ext_max(&s));
	UT_EQ(4, s.received);
	UT_EQ(0, sx_rtp_source_lost(&s));
	/* a late 65535 after the wrap is a misordered packet: counted,
	 * no extra cycle (received 5 > expected 4: lost -1, as in A.3) */
	UT_OK(sx_rtp_source_recv(&s, 65535, 0, 0));
	UT_EQ(65536, s.cycles);
	UT_EQ(-1, sx_rtp_source_lost(&s));
out:
	return err;
}

static int recv_seqs(struct sx_rtp_source *s, const uint16_t *seq, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = sx_rtp_source_recv(s, seq[i], 0, 0);
		if (rc && rc != -EAGAIN)
			return rc;
	}
	return 0;
}

static int test_source_loss_trace(void)
{
	int err = 0;
	struct sx_rtp_source s;
	struct sx_rtcp_rb rb;
	/* Interval 1: 1000 is probation, base = 1001.  Received 1001 1002
	 * 1004 1005 1007 1008 1009 1010 (1003 and 1006 lost): 8 packets.
	 * ext_max = 1010, expected = 1010 - 1001 + 1 = 10, lost = 2,
	 * fraction = (2 << 8) / 10 = 51. */
	static const uint16_t i1[] = {1000, 1001, 1002, 1004, 1005,
	                              1007, 1008, 1009, 1010};
	/* Interval 2: 1011 1012 1014 1015 1015(dup) 1017 1016 1018 1019
	 * 1020; 1013 lost.  A.1 counts the duplicate, so received in the
	 * interval = 10 = expected (1020 - 1010): fraction 0, and the
	 * cumulative lost = 20 - 18 = 2 (the duplicate hides the loss,
	 * exactly as the RFC's arithmetic does). */
	static const uint16_t i2[] = {1011, 1012, 1014, 1015, 1015,
	                              1017, 1016, 1018, 1019, 1020};
	/* Interval 3: 1021..1024 all lost, 1025 arrives: expected 5,
	 * received 1, lost 4, fraction = (4 << 8) / 5 = 204; cumulative
	 * expected 25, received 19: lost 6. */
	static const uint16_t i3[] = {1025};

	sx_rtp_source_init(&s, 7, 1000, RATE);
	UT_OK(recv_seqs(&s, i1, SX_ARRAY_SIZE(i1)));
	sx_rtp_source_report(&s, 0, &rb);
	UT_EQ(7, rb.ssrc);
	UT_EQ(1010, rb.ext_seq);
	UT_EQ(2, rb.lost);
	UT_EQ(51, rb.fraction);
	UT_EQ(0, rb.lsr);
	UT_EQ(0, rb.dlsr);

	UT_OK(recv_seqs(&s, i2, SX_ARRAY_SIZE(i2)));
	sx_rtp_source_report(&s, 0, &rb);
	UT_EQ(1020, rb.ext_seq);
	UT_EQ(2, rb.lost);
	UT_EQ(0, rb.fraction);

	UT_OK(recv_seqs(&s, i3, SX_ARRAY_SIZE(i3)));
	sx_rtp_source_report(&s, 0, &rb);
	UT_EQ(6, rb.lost);
	UT_EQ(204, rb.fraction);

	/* nothing arrives: expected_interval 0 -> fraction 0 */
	sx_rtp_source_report(&s, 0, &rb);
	UT_EQ(0, rb.fraction);
out:
	return err;
}

static int test_source_bad_seq(void)
{
	int err = 0;
	struct sx_rtp_source s;
	sx_rtp_source_init(&s, 7, 10, RATE);
	UT_EQ(-EAGAIN, sx_rtp_source_recv(&s, 10, 0, 0));
	UT_OK(sx_rtp_source_recv(&s, 11, 0, 0));
	UT_OK(sx_rtp_source_recv(&s, 12, 0, 0));
	/* jump of 4988 >= MAX_DROPOUT: rejected, bad_seq = 5001 */
	UT_EQ(-ERANGE, sx_rtp_source_recv(&s, 5000, 0, 0));
	UT_EQ(5001, s.bad_seq);
	/* a packet 50 back (within MAX_MISORDER) is accepted */
	UT_OK(sx_rtp_source_recv(&s, (uint16_t)(12 - 50), 0, 0));
	UT_EQ(3, s.received);
	/* 5001 follows the bad one: the source restarted, re-based */
	UT_OK(sx_rtp_source_recv(&s, 5001, 0, 0));
	UT_EQ(5001, s.base_seq);
	UT_EQ(1, s.received);
	UT_EQ(0, sx_rtp_source_lost(&s));
out:
	return err;
}

static int test_source_jitter(void)
{
	int err = 0;
	struct sx_rtp_source s;
	/* 8 kHz, 20 ms packets; timestamps start just below 2^32 so they
	 * wrap.  Arrivals in units (125 us): 0 (probation, ignored), then
	 * the valid packets at 160, 320, 520 (5 ms late), 640, 800 with
	 * timestamps T+160 .. T+800, so transits (minus a constant) are
	 * 0, 0, 40, 0, 0.  A.8 integer form, J scaled by 16:
	 *   first valid: sets transit only       J = 0
	 *   D = 0:  J += 0  - ((0 + 8) >> 4)     J = 0
	 *   D = 40: J += 40 - ((0 + 8) >> 4)     J = 40
	 *   D = 40: J += 40 - ((40 + 8) >> 4)    J = 77
	 *   D = 0:  J += 0  - ((77 + 8) >> 4)    J = 72
	 * reported jitter = 72 >> 4 = 4 units (float form: 4.54). */
	static const uint32_t arr[] = {0, 160, 320, 520, 640, 800};
	uint32_t t0 = 0xffffff00u;
	sx_rtp_source_init(&s, 9, 500, RATE);
	for (unsigned i = 0; i < SX_ARRAY_SIZE(arr); i++) {
		int rc =
		    sx_rtp_source_recv(&s, (uint16_t)(500 + i), t0 + 160 * i,
		                       (uint64_t)arr[i] * US_PER_UNIT);
		UT_EQ(i == 0 ? -EAGAIN : 0, rc);
	}
	UT_EQ(72, s.jitter);
	UT_EQ(4, sx_rtp_source_jitter(&s));
out:
	return err;
}

static int test_source_lsr_dlsr(void)
{
	int err = 0;
	struct sx_rtp_source s;
	struct sx_rtcp_rb rb;
	/* SR with NTP 0x0000b705:20000000 arrives at t = 1 s; the report
	 * at t = 6.25 s carries LSR 0xb7052000 and DLSR 5.25 s =
	 * 0x0005:4000.  The sender then sees it at A = 0xb7108000: RTT =
	 * A - LSR - DLSR = 0x0006:2000 = 6.125 s (RFC 3550 6.4.1). */
	sx_rtp_source_init(&s, 3, 0, RATE);
	sx_rtp_source_sr(&s, 0x0000b70520000000ull, 1000000);
	sx_rtp_source_report(&s, 6250000, &rb);
	UT_EQ(0xb7052000, rb.lsr);
	UT_EQ(0x00054000, rb.dlsr);
	uint32_t rtt;
	UT_OK(sx_rtcp_rtt(0xb7108000, &rb, &rtt));
	UT_EQ(6125000, rtt);
out:
	return err;
}

static int test_sender(void)
{
	int err = 0;
	struct sx_rtp_sender a, b;
	UT_OK(sx_rtp_sender_init(&a));
	UT_OK(sx_rtp_sender_init(&b));
	/* 80 random bits agreeing by chance: practically impossible */
	UT_TRUE(a.ssrc != b.ssrc || a.seq != b.seq || a.ts_base != b.ts_base);
	uint16_t seq0 = a.seq;
	struct sx_rtp_hdr h = {.pt = 0};
	sx_rtp_sender_stamp(&a, &h, 0, 160);
	UT_EQ(seq0, h.seq);
	UT_EQ(a.ts_base, h.ts);
	UT_EQ(a.ssrc, h.ssrc);
	sx_rtp_sender_stamp(&a, &h, 160, 160);
	UT_EQ((uint16_t)(seq0 + 1), h.seq);
	UT_EQ(a.ts_base + 160, h.ts);
	UT_TRUE(a.sent);
	struct sx_rtcp_sender_info si;
	sx_rtp_sender_info(&a, 0x1234, 320, &si);
	UT_EQ(2, si.packets);
	UT_EQ(320, si.octets);
	UT_EQ(a.ts_base + 320, si.rtp_ts);
	UT_TRUE(!a.sent);
	UT_EQ(-EINVAL, sx_rtp_sender_init(NULL));
out:
	return err;
}

static int test_rtcp_interval(void)
{
	int err = 0;
	/* Two members, one sender (us), 64 kbit/s session: RTCP bandwidth
	 * 5% = 400 octets/s; senders (1) > members/4 (0.5), so no split.
	 * T = 100 * 2 / 400 = 0.5 s, below the 5 s minimum -> 5 s; rnd
	 * 2^31 gives factor 1.0; / (e - 1.5) = 5 / 1.21828 = 4.104146 s. */
	struct sx_rtcp_interval_prm p = {
	    .members = 2,
	    .senders = 1,
	    .rtcp_bw = 400,
	    .we_sent = true,
	    .avg_rtcp_size = 100,
	};
	uint64_t t = sx_rtcp_interval_us(&p, 0x80000000u);
	UT_TRUE(t >= 4104140 && t <= 4104150);
	/* initial: the minimum is halved -> 2.05208 s */
	p.initial = true;
	t = sx_rtcp_interval_us(&p, 0x80000000u);
	UT_TRUE(t >= 2052070 && t <= 2052080);
	/* 1000 members, 10 senders, we only receive: receivers get 75% =
	 * 300 octets/s for n = 990: T = 100 * 990 / 300 = 330 s; rnd 0 is
	 * factor 0.5 -> 165 s / 1.21828 = 135.437 s. */
	p = (struct sx_rtcp_interval_prm){
	    .members = 1000,
	    .senders = 10,
	    .rtcp_bw = 400,
	    .avg_rtcp_size = 100,
	};
	t = sx_rtcp_interval_us(&p, 0);
	UT_TRUE(t >= 135436000 && t <= 135438000);
	/* avg size: 100 + (260 - 100) / 16 = 110 */
	UT_TRUE(sx_rtcp_avg_size(100, 260) == 110.0);
out:
	return err;
}

UT_MAIN(UT_C(test_source_probation), UT_C(test_source_wrap),
        UT_C(test_source_loss_trace), UT_C(test_source_bad_seq),
        UT_C(test_source_jitter), UT_C(test_source_lsr_dlsr), UT_C(test_sender),
        UT_C(test_rtcp_interval))
