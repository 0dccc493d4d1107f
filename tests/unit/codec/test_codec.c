/*
 * Unit tests for the codec registry and the G.722, Opus and L16 codecs:
 * round trips of a 1 kHz sine with an SNR floor measured after aligning
 * the codec delay, byte order, concealment.
 */
#include <math.h>

#include <sx/codec/codec.h>

#include "ut.h"

#define SINE_HZ      1000.0
#define SINE_AMP     10000.0
#define SECONDS      1
#define MAX_RATE     48000
#define MAX_DELAY    600 /* samples searched for the codec delay */
#define WARMUP_MS    100 /* adaptation time left out of the SNR */
#define G722_SNR_MIN 20.0
#define OPUS_SNR_MIN 15.0

static int16_t ref[MAX_RATE * SECONDS], dec[MAX_RATE * SECONDS];

static void sine(int16_t *x, size_t n, uint32_t rate)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (int16_t)lrint(
		    SINE_AMP * sin(2 * M_PI * SINE_HZ * (double)i / rate));
}

/* SNR in dB of @y against @x, y delayed by the best d in [0, MAX_DELAY]. */
static double snr_aligned(const int16_t *x, const int16_t *y, size_t n,
                          size_t skip, size_t *delayp)
{
	double best_err = -1, sig = 0;
	for (size_t d = 0; d <= MAX_DELAY; d++) {
		double e = 0, s = 0;
		for (size_t i = skip; i + MAX_DELAY < n; i++) {
			double diff = (double)x[i] - y[i + d];
			e += diff * diff;
			s += (double)x[i] * x[i];
		}
		if (best_err < 0 || e < best_err) {
			best_err = e;
			sig = s;
			*delayp = d;
		}
	}
	return best_err > 0 ? 10 * log10(sig / best_err) : 99.0;
}

/* Encode and decode one second of sine frame by frame. */
static int run_codec(const struct sx_codec *c, double *snrp, size_t *delayp)
{
	int err = 0;
	struct sx_codec_inst *ci = NULL;
	uint8_t pl[1500];
	size_t n = (size_t)c->sample_rate * SECONDS, f = c->frame_samples;
	sine(ref, n, c->sample_rate);
	UT_OK(sx_codec_alloc(&ci, c));
	uint64_t allocs = sx_mem_allocs();
	for (size_t off = 0; off + f <= n; off += f) {
		ssize_t len = sx_codec_encode(ci, ref + off, f, pl, sizeof(pl));
		UT_TRUE(len > 0 && (size_t)len <= c->max_payload);
		ssize_t got =
		    sx_codec_decode(ci, pl, (size_t)len, dec + off, f);
		UT_EQ(f, got);
	}
	/* per-frame paths do not allocate */
	UT_EQ(allocs, sx_mem_allocs());
	*snrp =
	    snr_aligned(ref, dec, n, c->sample_rate * WARMUP_MS / 1000, delayp);
out:
	sx_mem_unref(ci);
	return err;
}

static int test_g722_sine(void)
{
	int err = 0;
	double snr;
	size_t delay;
	UT_OK(run_codec(&sx_codec_g722, &snr, &delay));
	fprintf(stderr,
	        "  G.722 1 kHz sine: SNR %.1f dB at delay %zu samples\n", snr,
	        delay);
	UT_TRUE(snr >= G722_SNR_MIN);
out:
	return err;
}

static int test_opus_sine(void)
{
	int err = 0;
	double snr;
	size_t delay;
	UT_OK(run_codec(&sx_codec_opus, &snr, &delay));
	fprintf(stderr, "  Opus 1 kHz sine: SNR %.1f dB at delay %zu samples\n",
	        snr, delay);
	UT_TRUE(snr >= OPUS_SNR_MIN);
out:
	return err;
}

static int test_l16(void)
{
	int err = 0;
	struct sx_codec_inst *ci = NULL;
	int16_t pcm[320] = {0x0102, -2}, out[320];
	uint8_t pl[640];
	UT_OK(sx_codec_alloc(&ci, &sx_codec_l16_16k));
	UT_EQ(640, sx_codec_encode(ci, pcm, 320, pl, sizeof(pl)));
	/* network byte order */
	UT_EQ(0x01, pl[0]);
	UT_EQ(0x02, pl[1]);
	UT_EQ(0xff, pl[2]);
	UT_EQ(0xfe, pl[3]);
	UT_EQ(320, sx_codec_decode(ci, pl, 640, out, 320));
	UT_MEM_EQ(pcm, out, sizeof(pcm));
	UT_EQ(-EBADMSG, sx_codec_decode(ci, pl, 3, out, 320));
	UT_EQ(-ENOSPC, sx_codec_decode(ci, pl, 640, out, 100));
	UT_EQ(-ENOSPC, sx_codec_encode(ci, pcm, 320, pl, 639));
out:
	sx_mem_unref(ci);
	return err;
}

/* Decode a sine, then conceal: full level at first, silence after the
 * fade (10 ms hold + 50 ms fade for the generic concealer). */
static int test_plc_generic(void)
{
	int err = 0;
	struct sx_codec_inst *ci = NULL;
	const struct sx_codec *c = &sx_codec_l16_8k;
	int16_t pcm[160], out[160];
	uint8_t pl[320];
	sine(pcm, 160, 8000);
	UT_OK(sx_codec_alloc(&ci, c));
	UT_EQ(320, sx_codec_encode(ci, pcm, 160, pl, sizeof(pl)));
	UT_EQ(160, sx_codec_decode(ci, pl, 320, out, 160));
	UT_EQ(160, sx_codec_plc(ci, out, 160));
	/* 10 ms of 1 kHz is whole periods: the repeat is seamless */
	for (int i = 0; i < 80; i++)
		UT_EQ(pcm[80 + i], out[i]);
	/* frames 2..4 (20..80 ms): the fade ends at 60 ms */
	for (int k = 0; k < 3; k++)
		UT_EQ(160, sx_codec_plc(ci, out, 160));
	for (int i = 0; i < 160; i++)
		UT_EQ(0, out[i]);
	/* good audio again resets it */
	UT_EQ(160, sx_codec_decode(ci, pl, 320, out, 160));
	UT_EQ(160, sx_codec_plc(ci, out, 160));
	UT_EQ(pcm[80], out[0]);
out:
	sx_mem_unref(ci);
	return err;
}

static int test_opus_plc(void)
{
	int err = 0;
	struct sx_codec_inst *ci = NULL;
	int16_t out[960];
	uint8_t pl[1500];
	sine(ref, 960, 48000);
	UT_OK(sx_codec_alloc(&ci, &sx_codec_opus));
	ssize_t len = sx_codec_encode(ci, ref, 960, pl, sizeof(pl));
	UT_TRUE(len > 0);
	UT_EQ(960, sx_codec_decode(ci, pl, (size_t)len, out, 960));
	UT_EQ(960, sx_codec_plc(ci, out, 960));
	UT_EQ(-EINVAL, sx_codec_plc(ci, out, 100)); /* not 2.5 ms steps */
	UT_EQ(-EINVAL, sx_codec_encode(ci, ref, 480, pl, sizeof(pl)));
	UT_EQ(-EBADMSG, sx_codec_decode(ci, pl, 1276, out, 960));
out:
	sx_mem_unref(ci);
	return err;
}

static int test_registry(void)
{
	int err = 0;
	UT_TRUE(sx_codec_find("pcmu", 8000) == &sx_codec_pcmu);
	UT_TRUE(sx_codec_find("PCMA", 8000) == &sx_codec_pcma);
	UT_TRUE(sx_codec_find("G722", 8000) == &sx_codec_g722);
	UT_TRUE(sx_codec_find("opus", 48000) == &sx_codec_opus);
	UT_TRUE(sx_codec_find("L16", 8000) == &sx_codec_l16_8k);
	UT_TRUE(sx_codec_find("L16", 16000) == &sx_codec_l16_16k);
	UT_TRUE(sx_codec_find("G722", 16000) == NULL);
	UT_TRUE(sx_codec_find(NULL, 8000) == NULL);
	UT_TRUE(sx_codec_find_pt(0) == &sx_codec_pcmu);
	UT_TRUE(sx_codec_find_pt(8) == &sx_codec_pcma);
	UT_TRUE(sx_codec_find_pt(9) == &sx_codec_g722);
	UT_TRUE(sx_codec_find_pt(111) == NULL); /* dynamic */
	size_t i = 0;
	for (const struct sx_codec *c; (c = sx_codec_at(i)); i++) {
		UT_TRUE(c->name && c->init && c->encode && c->decode && c->plc);
		UT_EQ(c->sample_rate * SX_CODEC_PTIME_MS / 1000,
		      c->frame_samples);
		UT_EQ(1, c->channels);
		UT_TRUE(c->pt_default >= 0 && c->pt_default < 128);
		struct sx_codec_inst *ci = NULL;
		UT_OK(sx_codec_alloc(&ci, c));
		UT_TRUE(sx_codec_of(ci) == c);
		sx_mem_unref(ci);
	}
	UT_EQ(6, i);
	struct sx_codec_inst *ci = NULL;
	UT_EQ(-EINVAL, sx_codec_alloc(&ci, NULL));
out:
	return err;
}

UT_MAIN(UT_C(test_g722_sine), UT_C(test_opus_sine), UT_C(test_l16),
        UT_C(test_plc_generic), UT_C(test_opus_plc), UT_C(test_registry))
