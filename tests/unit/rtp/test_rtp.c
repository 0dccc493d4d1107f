/*
 * Unit tests for RTP packets (RFC 3550 5.1), RTCP compounds (RFC 3550 6,
 * A.2) and RTP/RTCP demultiplexing (RFC 5761 4).
 */
#include <sx/rtp/rtcp.h>
#include <sx/rtp/rtp.h>

#include "ut.h"

/* V=2 P=1 X=1 CC=2, M=1 PT=0, seq 0x1234, ts 0xdeadbeef, ssrc 0x01020304,
 * two CSRCs, an extension of one word, 3 payload bytes, 2 padding bytes. */
static const uint8_t full_pkt[] = {
    0xb2, 0x80, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03,
    0x04, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x0b, 0xbe, 0xde,
    0x00, 0x01, 0x11, 0x22, 0x33, 0x44, 0xaa, 0xbb, 0xcc, 0x00, 0x02,
};

/* Parse @len bytes placed against a guard page. */
static int parse_guarded(struct sx_rtp_pkt *pkt, const void *data, size_t len)
{
	void *g = ut_guard_copy(data, len);
	if (!g)
		return -ENOMEM;
	int rc = sx_rtp_parse(pkt, g, len);
	ut_guard_free(g, len);
	return rc;
}

static int test_rtp_parse_full(void)
{
	int err = 0;
	struct sx_rtp_pkt pkt;
	UT_OK(sx_rtp_parse(&pkt, full_pkt, sizeof(full_pkt)));
	UT_TRUE(pkt.hdr.marker);
	UT_EQ(0, pkt.hdr.pt);
	UT_EQ(0x1234, pkt.hdr.seq);
	UT_EQ(0xdeadbeef, pkt.hdr.ts);
	UT_EQ(0x01020304, pkt.hdr.ssrc);
	UT_EQ(2, pkt.hdr.cc);
	UT_EQ(0x0a, pkt.hdr.csrc[0]);
	UT_EQ(0x0b, pkt.hdr.csrc[1]);
	UT_TRUE(pkt.hdr.ext);
	UT_EQ(0xbede, pkt.hdr.ext_profile);
	UT_EQ(4, pkt.hdr.ext_len);
	UT_EQ(0x11, pkt.hdr.ext_data[0]);
	UT_EQ(3, pkt.payload_len);
	UT_EQ(0xaa, pkt.payload[0]);
	UT_EQ(2, pkt.pad_len);
out:
	return err;
}

static int test_rtp_build_roundtrip(void)
{
	int err = 0;
	struct sx_rtp_pkt pkt;
	uint8_t out[64];
	UT_OK(sx_rtp_parse(&pkt, full_pkt, sizeof(full_pkt)));
	ssize_t n = sx_rtp_build(out, sizeof(out), &pkt.hdr, pkt.payload,
	                         pkt.payload_len);
	/* same bytes except the P bit and the padding */
	UT_EQ(sizeof(full_pkt) - 2, n);
	UT_EQ(0x92, out[0]);
	UT_MEM_EQ(full_pkt + 1, out + 1, (size_t)n - 1);
	UT_EQ(-ENOSPC, sx_rtp_build(out, (size_t)n - 1, &pkt.hdr, pkt.payload,
	                            pkt.payload_len));
	pkt.hdr.pt = 128;
	UT_EQ(-EINVAL, sx_rtp_build(out, sizeof(out), &pkt.hdr, NULL, 0));
	pkt.hdr.pt = 8;
	pkt.hdr.ext_len = 3;
	UT_EQ(-EINVAL, sx_rtp_build(out, sizeof(out), &pkt.hdr, NULL, 0));

	/* minimal header, 12 bytes, empty payload */
	struct sx_rtp_hdr h = {.pt = 96, .seq = 65535, .ts = 1, .ssrc = 2};
	UT_EQ(SX_RTP_HDR_LEN, sx_rtp_build(out, sizeof(out), &h, NULL, 0));
	UT_OK(sx_rtp_parse(&pkt, out, SX_RTP_HDR_LEN));
	UT_EQ(96, pkt.hdr.pt);
	UT_EQ(65535, pkt.hdr.seq);
	UT_EQ(0, pkt.payload_len);
	UT_TRUE(!pkt.hdr.marker && !pkt.hdr.ext && pkt.hdr.cc == 0);
out:
	return err;
}

static int test_rtp_hostile(void)
{
	int err = 0;
	struct sx_rtp_pkt pkt;
	uint8_t b[sizeof(full_pkt)];

	/* every truncation of the full packet is rejected, never over-read */
	for (size_t len = 0; len < sizeof(full_pkt); len++) {
		int rc = parse_guarded(&pkt, full_pkt, len);
		UT_EQ(-EBADMSG, rc);
	}
	UT_OK(parse_guarded(&pkt, full_pkt, sizeof(full_pkt)));

	memcpy(b, full_pkt, sizeof(b));
	b[0] = 0x72; /* version 1 */
	UT_EQ(-EBADMSG, sx_rtp_parse(&pkt, b, sizeof(b)));
	memcpy(b, full_pkt, sizeof(b));
	b[sizeof(b) - 1] = 0; /* zero padding count */
	UT_EQ(-EBADMSG, sx_rtp_parse(&pkt, b, sizeof(b)));
	b[sizeof(b) - 1] = 6; /* padding into the extension */
	UT_EQ(-EBADMSG, sx_rtp_parse(&pkt, b, sizeof(b)));
	b[sizeof(b) - 1] = 5; /* padding eats the whole payload: legal */
	UT_OK(sx_rtp_parse(&pkt, b, sizeof(b)));
	UT_EQ(0, pkt.payload_len);
	memcpy(b, full_pkt, sizeof(b));
	b[23] = 0x10; /* extension of 16 words: past the end */
	UT_EQ(-EBADMSG, parse_guarded(&pkt, b, sizeof(b)));
	memcpy(b, full_pkt, sizeof(b));
	b[0] = 0x8f; /* 15 CSRCs: 60 bytes past a 33-byte packet */
	UT_EQ(-EBADMSG, parse_guarded(&pkt, b, sizeof(b)));
	UT_EQ(-EINVAL, sx_rtp_parse(NULL, b, sizeof(b)));
out:
	return err;
}

static int test_rtp_demux(void)
{
	int err = 0;
	static const struct {
		uint8_t b0, b1;
		enum sx_rtp_demux want;
	} t[] = {
	    {0x80, 0, SX_RTP_DEMUX_RTP},        /* PCMU */
	    {0x80, 0x80 | 8, SX_RTP_DEMUX_RTP}, /* PCMA, marker */
	    {0x80, 63, SX_RTP_DEMUX_RTP},
	    {0x80, 200, SX_RTP_DEMUX_RTCP}, /* SR: PT 72 with M */
	    {0x81, 201, SX_RTP_DEMUX_RTCP}, /* RR */
	    {0x80, 64, SX_RTP_DEMUX_RTCP},  /* 192 (FIR) */
	    {0x80, 95, SX_RTP_DEMUX_RTCP},  /* 223 */
	    {0x80, 96, SX_RTP_DEMUX_RTP},   /* first dynamic PT */
	    {0x80, 0x80 | 96, SX_RTP_DEMUX_RTP},
	    {0x00, 0x01, SX_RTP_DEMUX_OTHER}, /* STUN binding */
	    {0x16, 0xfe, SX_RTP_DEMUX_OTHER}, /* DTLS handshake */
	    {0x40, 0x00, SX_RTP_DEMUX_OTHER}, /* version 1 */
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		uint8_t b[2] = {t[i].b0, t[i].b1};
		UT_EQ(t[i].want, sx_rtp_demux(b, 2));
	}
	UT_EQ(SX_RTP_DEMUX_OTHER, sx_rtp_demux(full_pkt, 1));
out:
	return err;
}

/* -- RTCP --------------------------------------------------------------- */

static int build_compound(uint8_t *buf, size_t cap, ssize_t *lenp)
{
	struct sx_rtcp_wr w;
	struct sx_rtcp_sender_info si = {
	    .ntp = 0xb705200012345678ull,
	    .rtp_ts = 160000,
	    .packets = 1000,
	    .octets = 160000,
	};
	struct sx_rtcp_rb rb[2] = {
	    {.ssrc = 0xaaaa,
	     .fraction = 51,
	     .lost = 2,
	     .ext_seq = 65538,
	     .jitter = 4,
	     .lsr = 0xb7052000,
	     .dlsr = 0x54000},
	    {.ssrc = 0xbbbb, .fraction = 255, .lost = -3, .ext_seq = 7},
	};
	uint32_t bye[2] = {0x11111111, 0x22222222};
	sx_rtcp_wr_init(&w, buf, cap);
	sx_rtcp_wr_sr(&w, 0x11111111, &si, rb, 2);
	sx_rtcp_wr_sdes_cname(&w, 0x11111111, SX_SL("user@host"));
	sx_rtcp_wr_bye(&w, bye, 2, SX_SL("done"));
	*lenp = sx_rtcp_wr_finish(&w);
	return *lenp < 0 ? (int)*lenp : 0;
}

static int test_rtcp_roundtrip(void)
{
	int err = 0;
	uint8_t buf[512];
	ssize_t len;
	struct sx_rtcp_iter it;
	struct sx_rtcp_pkt pkt;

	UT_OK(build_compound(buf, sizeof(buf), &len));
	/* SR 4+4+20+48=76, SDES 4+4+2+9 -> 20 (padded), BYE 4+8+8=20 */
	UT_EQ(116, len);
	UT_OK(sx_rtcp_iter_init(&it, buf, (size_t)len));

	UT_OK(sx_rtcp_iter_next(&it, &pkt));
	UT_EQ(SX_RTCP_SR, pkt.pt);
	UT_EQ(2, pkt.count);
	UT_EQ(0x11111111, pkt.ssrc);
	UT_TRUE(pkt.u.rep.si.ntp == 0xb705200012345678ull);
	UT_EQ(160000, pkt.u.rep.si.rtp_ts);
	UT_EQ(1000, pkt.u.rep.si.packets);
	UT_EQ(160000, pkt.u.rep.si.octets);
	UT_EQ(0xaaaa, pkt.u.rep.rb[0].ssrc);
	UT_EQ(51, pkt.u.rep.rb[0].fraction);
	UT_EQ(2, pkt.u.rep.rb[0].lost);
	UT_EQ(65538, pkt.u.rep.rb[0].ext_seq);
	UT_EQ(4, pkt.u.rep.rb[0].jitter);
	UT_EQ(0xb7052000, pkt.u.rep.rb[0].lsr);
	UT_EQ(0x54000, pkt.u.rep.rb[0].dlsr);
	UT_EQ(255, pkt.u.rep.rb[1].fraction);
	UT_EQ(-3, pkt.u.rep.rb[1].lost); /* 24-bit sign extension */

	UT_OK(sx_rtcp_iter_next(&it, &pkt));
	UT_EQ(SX_RTCP_SDES, pkt.pt);
	UT_EQ(1, pkt.count);
	UT_EQ(0x11111111, pkt.u.sdes[0].ssrc);
	UT_SL_EQ("user@host", pkt.u.sdes[0].cname);

	UT_OK(sx_rtcp_iter_next(&it, &pkt));
	UT_EQ(SX_RTCP_BYE, pkt.pt);
	UT_EQ(2, pkt.count);
	UT_EQ(0x22222222, pkt.u.bye.ssrc[1]);
	UT_SL_EQ("done", pkt.u.bye.reason);

	UT_EQ(-ENOENT, sx_rtcp_iter_next(&it, &pkt));

	/* the writer refuses what does not fit and bad arguments */
	struct sx_rtcp_wr w;
	sx_rtcp_wr_init(&w, buf, 7);
	sx_rtcp_wr_rr(&w, 1, NULL, 0);
	UT_EQ(-ENOSPC, sx_rtcp_wr_finish(&w));
	sx_rtcp_wr_init(&w, buf, sizeof(buf));
	sx_rtcp_wr_rr(&w, 1, NULL, 32);
	UT_EQ(-EINVAL, sx_rtcp_wr_finish(&w));
out:
	return err;
}

static int test_rtcp_invalid(void)
{
	int err = 0;
	uint8_t buf[512], b[512];
	ssize_t len;
	struct sx_rtcp_iter it;

	UT_OK(build_compound(buf, sizeof(buf), &len));
	size_t n = (size_t)len;
	/* every truncation fails (lengths must add up), against a guard,
	 * except at packet boundaries: SR alone (76), SR + SDES (96) */
	for (size_t l = 0; l < n; l++) {
		void *g = ut_guard_copy(buf, l);
		UT_TRUE(g != NULL);
		int rc = sx_rtcp_iter_init(&it, g, l);
		ut_guard_free(g, l);
		UT_EQ(l == 76 || l == 96 ? 0 : -EBADMSG, rc);
	}
	/* first packet must be SR or RR: the SDES alone is rejected */
	UT_EQ(-EBADMSG, sx_rtcp_iter_init(&it, buf + 76, n - 76));
	/* version 1 in the second packet */
	memcpy(b, buf, n);
	b[76] = (uint8_t)((b[76] & 0x3f) | 0x40);
	UT_EQ(-EBADMSG, sx_rtcp_iter_init(&it, b, n));
	/* P bit on a packet that is not the last */
	memcpy(b, buf, n);
	b[76] |= 0x20;
	UT_EQ(-EBADMSG, sx_rtcp_iter_init(&it, b, n));
	/* RC larger than the SR holds */
	memcpy(b, buf, n);
	b[0] = (uint8_t)((b[0] & 0xe0) | 3);
	UT_EQ(-EBADMSG, sx_rtcp_iter_init(&it, b, n));
	/* SDES item length past the chunk */
	memcpy(b, buf, n);
	b[76 + 9] = 200;
	UT_EQ(-EBADMSG, sx_rtcp_iter_init(&it, b, n));
	/* BYE reason length past the packet */
	memcpy(b, buf, n);
	b[96 + 12] = 9;
	UT_EQ(-EBADMSG, sx_rtcp_iter_init(&it, b, n));
	/* trailing garbage beyond the packets */
	memcpy(b, buf, n);
	b[n] = 0x80;
	UT_EQ(-EBADMSG, sx_rtcp_iter_init(&it, b, n + 1));
	UT_OK(sx_rtcp_iter_init(&it, buf, n));
out:
	return err;
}

static int test_rtcp_app_and_padding(void)
{
	int err = 0;
	/* RR (no blocks), APP "test" with 4 data bytes, then an unknown
	 * type 206 padded with 4 bytes (P set, last packet) */
	static const uint8_t c[] = {
	    0x80, 201,  0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x80,
	    204,  0x00, 0x03, 0x00, 0x00, 0x00, 0x07, 't',  'e',
	    's',  't',  1,    2,    3,    4,    0xa1, 206,  0x00,
	    0x02, 9,    9,    9,    9,    0x00, 0x00, 0x00, 0x04,
	};
	struct sx_rtcp_iter it;
	struct sx_rtcp_pkt pkt;
	UT_OK(sx_rtcp_iter_init(&it, c, sizeof(c)));
	UT_OK(sx_rtcp_iter_next(&it, &pkt));
	UT_EQ(SX_RTCP_RR, pkt.pt);
	UT_EQ(0, pkt.count);
	UT_EQ(7, pkt.ssrc);
	UT_OK(sx_rtcp_iter_next(&it, &pkt));
	UT_EQ(SX_RTCP_APP, pkt.pt);
	UT_MEM_EQ("test", pkt.u.app_name, 4);
	UT_EQ(12, pkt.body_len);
	UT_OK(sx_rtcp_iter_next(&it, &pkt));
	UT_EQ(206, pkt.pt);
	UT_EQ(4, pkt.body_len); /* padding excluded */
	UT_EQ(-ENOENT, sx_rtcp_iter_next(&it, &pkt));
out:
	return err;
}

static int test_rtcp_rtt(void)
{
	int err = 0;
	/* RFC 3550 6.4.1 example: A = 0xb710:8000 (46864.500 s), LSR =
	 * 0xb705:2000 (46853.125 s), DLSR = 0x0005:4000 (5.250 s); the
	 * delay is 0x0006:2000 = 6.125 s. */
	struct sx_rtcp_rb rb = {.lsr = 0xb7052000, .dlsr = 0x00054000};
	uint32_t rtt;
	UT_OK(sx_rtcp_rtt(0xb7108000, &rb, &rtt));
	UT_EQ(6125000, rtt);
	rb.lsr = 0;
	UT_EQ(-ENODATA, sx_rtcp_rtt(0xb7108000, &rb, &rtt));
	/* 1970-01-01 + 1.5 s is NTP 2208988801.5 */
	uint64_t ntp = sx_rtcp_ntp_from_us(1500000);
	UT_TRUE(ntp == (2208988801ull << 32 | 0x80000000u));
	UT_EQ((uint32_t)(2208988801ull << 16 | 0x8000), sx_rtcp_ntp_mid(ntp));
out:
	return err;
}

UT_MAIN(UT_C(test_rtp_parse_full), UT_C(test_rtp_build_roundtrip),
        UT_C(test_rtp_hostile), UT_C(test_rtp_demux), UT_C(test_rtcp_roundtrip),
        UT_C(test_rtcp_invalid), UT_C(test_rtcp_app_and_padding),
        UT_C(test_rtcp_rtt))
