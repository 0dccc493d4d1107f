/*
 * ITU-T G.711 mu-law and A-law (RFC 3551 4.5.14: PCMU payload type 0,
 * PCMA payload type 8, 8 kHz).  Decoding reads 256-entry tables; encoding
 * finds the segment in an 8-entry table of segment ends and takes the
 * mantissa bits (the classic Sun reference layout).  Loss concealment is
 * spandsp's G.711 Appendix I style PLC.
 */
#include <errno.h>
#include <stdint.h>
/* spandsp headers need telephony.h (and stdint.h) first */
#include <spandsp/telephony.h>


#include <sx/codec/codec.h>
#include <sx/codec/g711.h>

#include "codec_int.h"

#define G711_RATE    8000
#define G711_FRAME   (G711_RATE * SX_CODEC_PTIME_MS / 1000)
#define G711_PT_PCMU 0
#define G711_PT_PCMA 8
#define ULAW_BIAS    0x84 /* 132: offsets the segments (14-bit: 33) */
#define ULAW_CLIP    8159 /* largest 14-bit magnitude before bias */
#define ALAW_TOGGLE  0x55 /* even bits inverted on the line */
#define SIGN_BIT     0x80
#define SEG_SHIFT    4
#define QUANT_MASK   0x0f
#define NSEGS        8

/* Decode tables, generated from the G.711 rules (see tests). */
/* One segment (16 codes) per two rows. */
/* clang-format off */
static const int16_t ulaw_to_linear[256] = {
	-32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956,
	-23932, -22908, -21884, -20860, -19836, -18812, -17788, -16764,
	-15996, -15484, -14972, -14460, -13948, -13436, -12924, -12412,
	-11900, -11388, -10876, -10364, -9852, -9340, -8828, -8316,
	-7932, -7676, -7420, -7164, -6908, -6652, -6396, -6140,
	-5884, -5628, -5372, -5116, -4860, -4604, -4348, -4092,
	-3900, -3772, -3644, -3516, -3388, -3260, -3132, -3004,
	-2876, -2748, -2620, -2492, -2364, -2236, -2108, -1980,
	-1884, -1820, -1756, -1692, -1628, -1564, -1500, -1436,
	-1372, -1308, -1244, -1180, -1116, -1052, -988, -924,
	-876, -844, -812, -780, -748, -716, -684, -652,
	-620, -588, -556, -524, -492, -460, -428, -396,
	-372, -356, -340, -324, -308, -292, -276, -260,
	-244, -228, -212, -196, -180, -164, -148, -132,
	-120, -112, -104, -96, -88, -80, -72, -64,
	-56, -48, -40, -32, -24, -16, -8, 0,
	32124, 31100, 30076, 29052, 28028, 27004, 25980, 24956,
	23932, 22908, 21884, 20860, 19836, 18812, 17788, 16764,
	15996, 15484, 14972, 14460, 13948, 13436, 12924, 12412,
	11900, 11388, 10876, 10364, 9852, 9340, 8828, 8316,
	7932, 7676, 7420, 7164, 6908, 6652, 6396, 6140,
	5884, 5628, 5372, 5116, 4860, 4604, 4348, 4092,
	3900, 3772, 3644, 3516, 3388, 3260, 3132, 3004,
	2876, 2748, 2620, 2492, 2364, 2236, 2108, 1980,
	1884, 1820, 1756, 1692, 1628, 1564, 1500, 1436,
	1372, 1308, 1244, 1180, 1116, 1052, 988, 924,
	876, 844, 812, 780, 748, 716, 684, 652,
	620, 588, 556, 524, 492, 460, 428, 396,
	372, 356, 340, 324, 308, 292, 276, 260,
	244, 228, 212, 196, 180, 164, 148, 132,
	120, 112, 104, 96, 88, 80, 72, 64,
	56, 48, 40, 32, 24, 16, 8, 0,
};

static const int16_t alaw_to_linear[256] = {
	-5504, -5248, -6016, -5760, -4480, -4224, -4992, -4736,
	-7552, -7296, -8064, -7808, -6528, -6272, -7040, -6784,
	-2752, -2624, -3008, -2880, -2240, -2112, -2496, -2368,
	-3776, -3648, -4032, -3904, -3264, -3136, -3520, -3392,
	-22016, -20992, -24064, -23040, -17920, -16896, -19968, -18944,
	-30208, -29184, -32256, -31232, -26112, -25088, -28160, -27136,
	-11008, -10496, -12032, -11520, -8960, -8448, -9984, -9472,
	-15104, -14592, -16128, -15616, -13056, -12544, -14080, -13568,
	-344, -328, -376, -360, -280, -264, -312, -296,
	-472, -456, -504, -488, -408, -392, -440, -424,
	-88, -72, -120, -104, -24, -8, -56, -40,
	-216, -200, -248, -232, -152, -136, -184, -168,
	-1376, -1312, -1504, -1440, -1120, -1056, -1248, -1184,
	-1888, -1824, -2016, -1952, -1632, -1568, -1760, -1696,
	-688, -656, -752, -720, -560, -528, -624, -592,
	-944, -912, -1008, -976, -816, -784, -880, -848,
	5504, 5248, 6016, 5760, 4480, 4224, 4992, 4736,
	7552, 7296, 8064, 7808, 6528, 6272, 7040, 6784,
	2752, 2624, 3008, 2880, 2240, 2112, 2496, 2368,
	3776, 3648, 4032, 3904, 3264, 3136, 3520, 3392,
	22016, 20992, 24064, 23040, 17920, 16896, 19968, 18944,
	30208, 29184, 32256, 31232, 26112, 25088, 28160, 27136,
	11008, 10496, 12032, 11520, 8960, 8448, 9984, 9472,
	15104, 14592, 16128, 15616, 13056, 12544, 14080, 13568,
	344, 328, 376, 360, 280, 264, 312, 296,
	472, 456, 504, 488, 408, 392, 440, 424,
	88, 72, 120, 104, 24, 8, 56, 40,
	216, 200, 248, 232, 152, 136, 184, 168,
	1376, 1312, 1504, 1440, 1120, 1056, 1248, 1184,
	1888, 1824, 2016, 1952, 1632, 1568, 1760, 1696,
	688, 656, 752, 720, 560, 528, 624, 592,
	944, 912, 1008, 976, 816, 784, 880, 848,
};
/* clang-format on */

/* Segment end points, 14-bit (mu) and 13-bit (A) magnitudes. */
static const int16_t seg_uend[NSEGS] = {0x3f,  0x7f,  0xff,  0x1ff,
                                        0x3ff, 0x7ff, 0xfff, 0x1fff};
static const int16_t seg_aend[NSEGS] = {0x1f,  0x3f,  0x7f,  0xff,
                                        0x1ff, 0x3ff, 0x7ff, 0xfff};

static unsigned segment(int v, const int16_t *ends)
{
	unsigned i = 0;
	while (i < NSEGS && v > ends[i])
		i++;
	return i;
}

int16_t sx_g711_ulaw_decode(uint8_t code)
{
	return ulaw_to_linear[code];
}

int16_t sx_g711_alaw_decode(uint8_t code)
{
	return alaw_to_linear[code];
}

uint8_t sx_g711_ulaw_encode(int16_t pcm)
{
	int v = pcm >> 2; /* 14-bit */
	uint8_t mask = 0xff;
	if (v < 0) {
		v = -v;
		mask = 0x7f;
	}
	if (v > ULAW_CLIP)
		v = ULAW_CLIP;
	v += ULAW_BIAS >> 2;
	unsigned seg = segment(v, seg_uend);
	if (seg >= NSEGS)
		return (uint8_t)(0x7f ^ mask);
	unsigned u = seg << SEG_SHIFT | ((unsigned)v >> (seg + 1) & QUANT_MASK);
	return (uint8_t)(u ^ mask);
}

uint8_t sx_g711_alaw_encode(int16_t pcm)
{
	int v = pcm >> 3; /* 13-bit */
	uint8_t mask = SIGN_BIT | ALAW_TOGGLE;
	if (v < 0) {
		v = -v - 1;
		mask = ALAW_TOGGLE;
	}
	unsigned seg = segment(v, seg_aend);
	if (seg >= NSEGS)
		return (uint8_t)(0x7f ^ mask);
	unsigned a = seg << SEG_SHIFT;
	a |= ((unsigned)v >> (seg < 2 ? 1 : seg)) & QUANT_MASK;
	return (uint8_t)(a ^ mask);
}

/* -- codec vtables ---------------------------------------------------- */

/* Our concealer rather than spandsp's plc: its plc_fillin() copies
 * overlapping history with memcpy (undefined behaviour, ASan reports it). */
struct g711_state {
	struct sx_codec__plc plc; /* history of decoded audio */
};

static int g711_init(void *st)
{
	struct g711_state *s = st;
	sx_codec__plc_init(&s->plc, G711_RATE);
	return 0;
}

static ssize_t g711_encode(const int16_t *pcm, size_t n, uint8_t *out,
                           size_t cap, uint8_t (*enc)(int16_t))
{
	if (n > cap)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++)
		out[i] = enc(pcm[i]);
	return (ssize_t)n;
}

static ssize_t g711_decode(struct g711_state *s, const uint8_t *in, size_t len,
                           int16_t *out, size_t cap, const int16_t *table)
{
	if (len > cap)
		return -ENOSPC;
	for (size_t i = 0; i < len; i++)
		out[i] = table[in[i]];
	sx_codec__plc_good(&s->plc, out, len);
	return (ssize_t)len;
}

static ssize_t pcmu_encode(void *st, const int16_t *pcm, size_t n, uint8_t *out,
                           size_t cap)
{
	return g711_encode(pcm, n, out, cap, sx_g711_ulaw_encode);
}

static ssize_t pcma_encode(void *st, const int16_t *pcm, size_t n, uint8_t *out,
                           size_t cap)
{
	return g711_encode(pcm, n, out, cap, sx_g711_alaw_encode);
}

static ssize_t pcmu_decode(void *st, const uint8_t *in, size_t len,
                           int16_t *out, size_t cap)
{
	return g711_decode(st, in, len, out, cap, ulaw_to_linear);
}

static ssize_t pcma_decode(void *st, const uint8_t *in, size_t len,
                           int16_t *out, size_t cap)
{
	return g711_decode(st, in, len, out, cap, alaw_to_linear);
}

static ssize_t g711_plc(void *st, int16_t *out, size_t n)
{
	struct g711_state *s = st;
	sx_codec__plc_fill(&s->plc, out, n);
	return (ssize_t)n;
}

const struct sx_codec sx_codec_pcmu = {
    .name = "PCMU",
    .pt = G711_PT_PCMU,
    .pt_default = G711_PT_PCMU,
    .clock_rate = G711_RATE,
    .sample_rate = G711_RATE,
    .channels = 1,
    .frame_samples = G711_FRAME,
    .max_payload = G711_FRAME,
    .state_size = sizeof(struct g711_state),
    .init = g711_init,
    .encode = pcmu_encode,
    .decode = pcmu_decode,
    .plc = g711_plc,
};

const struct sx_codec sx_codec_pcma = {
    .name = "PCMA",
    .pt = G711_PT_PCMA,
    .pt_default = G711_PT_PCMA,
    .clock_rate = G711_RATE,
    .sample_rate = G711_RATE,
    .channels = 1,
    .frame_samples = G711_FRAME,
    .max_payload = G711_FRAME,
    .state_size = sizeof(struct g711_state),
    .init = g711_init,
    .encode = pcma_encode,
    .decode = pcma_decode,
    .plc = g711_plc,
};
