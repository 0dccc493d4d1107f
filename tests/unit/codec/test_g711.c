/*
 * Unit tests for G.711 (ITU-T G.711 tables 1a/2a): every code decodes to
 * the value the standard's rules give, encode inverts decode, known
 * sample points, and the PCMU/PCMA codec vtables.
 */
#include <sx/codec/codec.h>
#include <sx/codec/g711.h>

#include "ut.h"

/* mu-law by the rule: code complemented; sign bit 1 = positive; segment
 * e and mantissa m give the 14-bit magnitude ((2m + 33) << e) - 33,
 * scaled by 4 to 16 bits. */
static int ulaw_rule(uint8_t c)
{
	unsigned u = (uint8_t)~c;
	unsigned e = (u >> 4) & 7, m = u & 15;
	int mag = (int)(((2 * m + 33) << e) - 33) * 4;
	return (u & 0x80) ? -mag : mag;
}

/* A-law by the rule: even bits toggled (xor 0x55); sign bit 1 =
 * positive; 13-bit magnitude 2m + 1 in segment 0, else (2m + 33) <<
 * (e - 1), scaled by 8 to 16 bits. */
static int alaw_rule(uint8_t c)
{
	unsigned a = c ^ 0x55u;
	unsigned e = (a >> 4) & 7, m = a & 15;
	int mag = (int)(e == 0 ? 2 * m + 1 : (2 * m + 33) << (e - 1)) * 8;
	return (a & 0x80) ? mag : -mag;
}

static int test_g711_decode_all_codes(void)
{
	int err = 0;
	for (int c = 0; c < 256; c++) {
		UT_EQ(ulaw_rule((uint8_t)c), sx_g711_ulaw_decode((uint8_t)c));
		UT_EQ(alaw_rule((uint8_t)c), sx_g711_alaw_decode((uint8_t)c));
	}
out:
	return err;
}

static int test_g711_roundtrip_codes(void)
{
	int err = 0;
	for (int c = 0; c < 256; c++) {
		/* mu-law 0x7f is "negative zero": it decodes to 0, which
		 * encodes as positive zero 0xff (the only exception) */
		uint8_t u =
		    sx_g711_ulaw_encode(sx_g711_ulaw_decode((uint8_t)c));
		UT_EQ(c == 0x7f ? 0xff : c, u);
		UT_EQ(c, sx_g711_alaw_encode(sx_g711_alaw_decode((uint8_t)c)));
	}
out:
	return err;
}

static int test_g711_sample_points(void)
{
	int err = 0;
	/* decode extremes and zero */
	UT_EQ(0, sx_g711_ulaw_decode(0xff));
	UT_EQ(0, sx_g711_ulaw_decode(0x7f));
	UT_EQ(32124, sx_g711_ulaw_decode(0x80));
	UT_EQ(-32124, sx_g711_ulaw_decode(0x00));
	UT_EQ(8, sx_g711_alaw_decode(0xd5));
	UT_EQ(-8, sx_g711_alaw_decode(0x55));
	UT_EQ(32256, sx_g711_alaw_decode(0xaa));
	UT_EQ(-32256, sx_g711_alaw_decode(0x2a));
	/* encode: silence, clipping, and a mid-range value */
	UT_EQ(0xff, sx_g711_ulaw_encode(0));
	UT_EQ(0xd5, sx_g711_alaw_encode(0));
	UT_EQ(0x80, sx_g711_ulaw_encode(32767));
	UT_EQ(0x00, sx_g711_ulaw_encode(-32768));
	UT_EQ(0xaa, sx_g711_alaw_encode(32767));
	UT_EQ(0x2a, sx_g711_alaw_encode(-32768));
	/* 1000 -> 14-bit 250 + bias 33 = 283: segment 3 (255 < 283 <=
	 * 511), mantissa (283 >> 4) & 15 = 1: 0x31, complemented 0xce,
	 * which decodes to ((2 + 33) << 3 - 33) * 4 = 988 */
	UT_EQ(0xce, sx_g711_ulaw_encode(1000));
	UT_EQ(988, sx_g711_ulaw_decode(0xce));
	/* A-law 1000 -> 13-bit 125: segment 2 (63 < 125 <= 127),
	 * mantissa (125 >> 2) & 15 = 15: 0xaf with sign, ^ 0x55 = 0xfa;
	 * decodes to (30 + 33) << 1 = 126, * 8 = 1008 */
	UT_EQ(0xfa, sx_g711_alaw_encode(1000));
	UT_EQ(1008, sx_g711_alaw_decode(0xfa));
	/* monotonic: larger input never gives a smaller decoded value */
	int prev_u = -40000, prev_a = -40000;
	for (int v = -32768; v <= 32767; v += 7) {
		int du = sx_g711_ulaw_decode(sx_g711_ulaw_encode((int16_t)v));
		int da = sx_g711_alaw_decode(sx_g711_alaw_encode((int16_t)v));
		UT_TRUE(du >= prev_u && da >= prev_a);
		prev_u = du;
		prev_a = da;
	}
out:
	return err;
}

static int test_g711_codec(void)
{
	int err = 0;
	struct sx_codec_inst *u = NULL;
	int16_t pcm[160], out[160];
	uint8_t pl[160];
	UT_OK(sx_codec_alloc(&u, &sx_codec_pcmu));
	for (int i = 0; i < 160; i++)
		pcm[i] = (int16_t)((i % 20 - 10) * 1000);
	UT_EQ(160, sx_codec_encode(u, pcm, 160, pl, sizeof(pl)));
	UT_EQ(-ENOSPC, sx_codec_encode(u, pcm, 160, pl, 100));
	UT_EQ(160, sx_codec_decode(u, pl, 160, out, 160));
	for (int i = 0; i < 160; i++)
		UT_EQ(sx_g711_ulaw_decode(sx_g711_ulaw_encode(pcm[i])), out[i]);
	/* concealment continues the signal, then fades out */
	UT_EQ(160, sx_codec_plc(u, out, 160));
	int energy = 0;
	for (int i = 0; i < 160; i++)
		energy |= out[i];
	UT_TRUE(energy != 0);
	for (int k = 0; k < 5; k++)
		UT_EQ(160, sx_codec_plc(u, out, 160));
	for (int i = 0; i < 160; i++)
		UT_EQ(0, out[i]);
	UT_EQ(-EINVAL, sx_codec_plc(u, out, 161));
out:
	sx_mem_unref(u);
	return err;
}

UT_MAIN(UT_C(test_g711_decode_all_codes), UT_C(test_g711_roundtrip_codes),
        UT_C(test_g711_sample_points), UT_C(test_g711_codec))
