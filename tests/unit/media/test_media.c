/*
 * Unit tests for lib/media: ports, tone frequencies and cadences, WAV
 * play/record, the conference mixer, fan-out, DTMF with noise and speech,
 * the graph runner, and the allocation-free frame path.
 */
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sx/media/dtmf.h>
#include <sx/media/fanout.h>
#include <sx/media/graph.h>
#include <sx/media/mixer.h>
#include <sx/media/port.h>
#include <sx/media/tone.h>
#include <sx/media/wav.h>
#include <sx/util/mem.h>

#include "ut.h"

#define FRAME8 160 /* 20 ms at 8 kHz */
#define PI     3.14159265358979323846

/*
 * An expected error from a call that allocates first: under OOM
 * injection -ENOMEM comes before it, which is a pass.
 */
#define EXPECT_ERR(expected, expr)                                             \
	do {                                                                   \
		int rc_ = (expr);                                              \
		if (rc_ == -ENOMEM && sx_mem_failed()) {                       \
			err = -ENOMEM;                                         \
			goto out;                                              \
		}                                                              \
		UT_EQ(expected, rc_);                                          \
	} while (0)

/* -- a probe port: constant source and capturing sink ---------------- */

/* Written the way an RTP adapter would be: the head embedded first. */
struct probe {
	struct sx_media_port port;
	int16_t value;                    /* what get_frame produces */
	int16_t last[SX_MEDIA_FRAME_MAX]; /* last frame put */
	unsigned frames;                  /* frames put */
	unsigned gets;                    /* frames taken */
	unsigned limit; /* end after this many gets (0 = never) */
	int put_err;    /* what put_frame returns */
};

static int probe_get(struct sx_media_port *p, int16_t *pcm, size_t n)
{
	struct probe *pr = (struct probe *)p;
	if (pr->limit && pr->gets >= pr->limit) {
		memset(pcm, 0, n * sizeof(*pcm));
		return 0;
	}
	pr->gets++;
	for (size_t i = 0; i < n; i++)
		pcm[i] = pr->value;
	return (int)n;
}

static int probe_put(struct sx_media_port *p, const int16_t *pcm, size_t n)
{
	struct probe *pr = (struct probe *)p;
	memcpy(pr->last, pcm, n * sizeof(*pcm));
	pr->frames++;
	return pr->put_err;
}

static const struct sx_media_port_vt probe_vt = {
    .name = "probe",
    .get_frame = probe_get,
    .put_frame = probe_put,
};

static int probe_alloc(struct probe **pp, uint32_t rate, int16_t value)
{
	struct sx_media_port *p = NULL;
	int err = sx_media_port_alloc(&p, sizeof(struct probe), &probe_vt, rate,
	                              sx_media_frame_samples(rate, 0));
	if (err)
		return err;
	((struct probe *)p)->value = value;
	*pp = (struct probe *)p;
	return 0;
}

static void probe_unref(struct probe *pr)
{
	if (pr)
		sx_media_port_unref(&pr->port);
}

static void probes_unref(struct probe **pr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		probe_unref(pr[i]);
}

/* True when every sample of the probe's last frame equals @v. */
static bool probe_heard(const struct probe *pr, int16_t v)
{
	for (uint32_t i = 0; i < pr->port.frame_samples; i++)
		if (pr->last[i] != v)
			return false;
	return pr->frames > 0;
}

/* -- signal helpers --------------------------------------------------- */

/* |X(f)|^2 of @x by the Goertzel recurrence. */
static double goertzel(const int16_t *x, size_t n, double f, double fs)
{
	double c = 2.0 * cos(2.0 * PI * f / fs), s1 = 0, s2 = 0;
	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - c * s1 * s2;
}

static double energy(const int16_t *x, size_t n)
{
	double e = 0;
	for (size_t i = 0; i < n; i++)
		e += (double)x[i] * x[i];
	return e;
}

/* Share of the energy of @x at @f (1.0 for a pure bin-aligned sine). */
static double share(const int16_t *x, size_t n, double f, double fs)
{
	return 2.0 * goertzel(x, n, f, fs) / ((double)n * energy(x, n));
}

/* Deterministic noise: xorshift64* and Box-Muller. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double rng_unit(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	uint64_t r = rng_state * 0x2545f4914f6cdd1dull;
	return ((double)(r >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_gauss(void)
{
	double u1 = rng_unit(), u2 = rng_unit();
	return sqrt(-2.0 * log(u1)) * cos(2.0 * PI * u2);
}

static int16_t clamp16(double v)
{
	if (v > 32767.0)
		return 32767;
	if (v < -32768.0)
		return -32768;
	return (int16_t)lrint(v);
}

/* Pulls up to @max samples in frames from @p; returns samples read. */
static size_t pull_all(struct sx_media_port *p, int16_t *buf, size_t max)
{
	size_t got = 0;
	while (got + p->frame_samples <= max) {
		int r = sx_media_port_get(p, buf + got, p->frame_samples);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static void tmp_path(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "%s/test_media.%ld.%s", SX_BINARY_DIR,
	         (long)getpid(), tag);
}

/* -- ports ------------------------------------------------------------ */

static int test_port_basics(void)
{
	int err = 0;
	struct sx_media_port *s = NULL, *fo = NULL;
	int16_t pcm[SX_MEDIA_FRAME_MAX];

	UT_TRUE(sx_media_format_ok(8000, 160));
	UT_TRUE(sx_media_format_ok(48000, SX_MEDIA_FRAME_MAX));
	UT_TRUE(!sx_media_format_ok(44100, 882));
	UT_TRUE(!sx_media_format_ok(8000, 0));
	UT_TRUE(!sx_media_format_ok(8000, SX_MEDIA_FRAME_MAX + 1));
	UT_EQ(160, sx_media_frame_samples(8000, 0));
	UT_EQ(320, sx_media_frame_samples(16000, 20));
	UT_EQ(960, sx_media_frame_samples(48000, 20));
	UT_EQ(0, sx_media_frame_samples(8000, SX_MEDIA_PTIME_MAX_MS + 1));
	UT_EQ(0, sx_media_frame_samples(11025, 20));
	UT_EQ(-EINVAL, sx_media_silence_alloc(&s, 8000, 0));

	UT_OK(sx_media_silence_alloc(&s, 8000, FRAME8));
	UT_TRUE(sx_media_port_is_source(s) && sx_media_port_is_sink(s));
	pcm[0] = 5;
	UT_EQ(FRAME8, sx_media_port_get(s, pcm, FRAME8));
	UT_EQ(0, pcm[0]);
	UT_OK(sx_media_port_put(s, pcm, FRAME8));
	UT_EQ(-EINVAL, sx_media_port_get(s, pcm, 0));
	UT_EQ(-EINVAL, sx_media_port_get(s, pcm, SX_MEDIA_FRAME_MAX + 1));
	UT_EQ(2, sx_mem_nrefs(sx_media_port_ref(s)));
	sx_media_port_unref(s);

	/* A pure sink refuses get_frame. */
	UT_OK(sx_media_fanout_alloc(&fo, 8000, FRAME8, 2));
	UT_TRUE(!sx_media_port_is_source(fo));
	UT_EQ(-ENOTSUP, sx_media_port_get(fo, pcm, FRAME8));
out:
	sx_media_port_unref(s);
	sx_media_port_unref(fo);
	return err;
}

/* -- tones ------------------------------------------------------------ */

/* One second of @id at @rate must put >= 97% of its energy at f1+f2 and
 * under 0.1% at the probe frequencies. */
static int tone_freq_check(uint32_t rate, enum sx_media_tone_id id, double f1,
                           double f2)
{
	static int16_t buf[SX_MEDIA_RATE_MAX];
	static const double off[] = {300, 400, 500, 700, 1000, 1400, 2000};
	struct sx_media_port *p = NULL;
	int err = 0;

	UT_OK(sx_media_tone_std_alloc(&p, rate, sx_media_frame_samples(rate, 0),
	                              id));
	UT_EQ(rate, pull_all(p, buf, rate));
	double on = share(buf, rate, f1, rate) +
	            (f2 > 0 ? share(buf, rate, f2, rate) : 0);
	UT_TRUE(on > 0.97 && on < 1.03);
	for (size_t i = 0; i < SX_ARRAY_SIZE(off); i++)
		if (off[i] != f1 && off[i] != f2)
			UT_TRUE(share(buf, rate, off[i], rate) < 0.001);
out:
	sx_media_port_unref(p);
	return err;
}

static int test_tone_frequency(void)
{
	static const uint32_t rates[] = {8000, 16000, 48000};
	int err = 0;
	for (size_t i = 0; i < SX_ARRAY_SIZE(rates); i++) {
		UT_OK(tone_freq_check(rates[i], SX_MEDIA_TONE_DIAL, 350, 440));
		UT_OK(
		    tone_freq_check(rates[i], SX_MEDIA_TONE_ITU_DIAL, 425, 0));
	}
out:
	return err;
}

/* Energy per 20 ms frame, for @frames frames of @id at 8 kHz. */
static int tone_frames(enum sx_media_tone_id id, unsigned frames, double *e,
                       int *rets)
{
	struct sx_media_port *p = NULL;
	int16_t pcm[FRAME8];
	int err = 0;

	UT_OK(sx_media_tone_std_alloc(&p, 8000, FRAME8, id));
	for (unsigned f = 0; f < frames; f++) {
		rets[f] = sx_media_port_get(p, pcm, FRAME8);
		e[f] = energy(pcm, FRAME8);
	}
out:
	sx_media_port_unref(p);
	return err;
}

/* Frames [from, to) are on (energy) or off (exact silence) as told. */
static bool frames_are(const double *e, unsigned from, unsigned to, bool on)
{
	for (unsigned f = from; f < to; f++)
		if ((e[f] > 0) != on)
			return false;
	return true;
}

static int test_tone_cadence(void)
{
	static double e[700];
	static int rets[700];
	int err = 0;

	/* Ringback: 2 s on (100 frames), 4 s off (200), repeating. */
	UT_OK(tone_frames(SX_MEDIA_TONE_RINGBACK, 700, e, rets));
	UT_TRUE(frames_are(e, 0, 100, true));
	UT_TRUE(frames_are(e, 100, 300, false));
	UT_TRUE(frames_are(e, 300, 400, true));
	UT_TRUE(frames_are(e, 400, 600, false));
	UT_TRUE(frames_are(e, 600, 700, true));
	UT_EQ(FRAME8, rets[699]);

	/* Busy 0.5/0.5 s and reorder 0.25/0.25 s. */
	UT_OK(tone_frames(SX_MEDIA_TONE_BUSY, 100, e, rets));
	UT_TRUE(frames_are(e, 0, 25, true) && frames_are(e, 25, 50, false) &&
	        frames_are(e, 50, 75, true) && frames_are(e, 75, 100, false));
	UT_OK(tone_frames(SX_MEDIA_TONE_REORDER, 50, e, rets));
	UT_TRUE(frames_are(e, 0, 12, true) && frames_are(e, 13, 25, false) &&
	        frames_are(e, 25, 37, true) && frames_are(e, 38, 50, false));

	/* Beep: 200 ms of tone, then the end of the stream. */
	UT_OK(tone_frames(SX_MEDIA_TONE_BEEP, 12, e, rets));
	UT_TRUE(frames_are(e, 0, 10, true));
	UT_EQ(FRAME8, rets[9]);
	UT_EQ(0, rets[10]);
	UT_EQ(0, rets[11]);
	UT_TRUE(e[10] == 0);

	/* Call waiting: 300 ms on, then silence for the rest of 10 s. */
	UT_OK(tone_frames(SX_MEDIA_TONE_CALL_WAITING, 520, e, rets));
	UT_TRUE(frames_are(e, 0, 15, true) && frames_are(e, 15, 500, false) &&
	        frames_are(e, 500, 515, true));
out:
	return err;
}

/* Zero samples in [from, to). */
static unsigned zeros(const int16_t *x, size_t from, size_t to)
{
	unsigned z = 0;
	for (size_t i = from; i < to; i++)
		z += x[i] == 0;
	return z;
}

static int test_tone_custom_cadence(void)
{
	struct sx_media_tone_spec spec = {
	    /* Frequencies off the 8 kHz grid, so few samples are 0. */
	    .seg = {{1130, 0, 25, 15}, {1270, 2130, 10, 5}},
	    .n_seg = 2,
	    .level_dbm0 = -10,
	};
	struct sx_media_port *p = NULL;
	int16_t buf[4 * FRAME8];
	int err = 0;

	/* 25 ms = 200 samples on, 120 off, 80 on, 40 off: 440 in all. */
	UT_OK(sx_media_tone_alloc(&p, 8000, FRAME8, &spec));
	UT_EQ(FRAME8, sx_media_port_get(p, buf, FRAME8));
	UT_EQ(FRAME8, sx_media_port_get(p, buf + FRAME8, FRAME8));
	UT_EQ(120, sx_media_port_get(p, buf + 2 * FRAME8, FRAME8));
	UT_EQ(0, sx_media_port_get(p, buf + 3 * FRAME8, FRAME8));
	UT_TRUE(zeros(buf, 0, 200) <= 2);
	UT_TRUE(buf[199] != 0);
	UT_EQ(120, zeros(buf, 200, 320));
	UT_TRUE(buf[320] != 0 && buf[399] != 0);
	UT_TRUE(zeros(buf, 320, 400) <= 2);
	UT_EQ(4 * FRAME8 - 400, zeros(buf, 400, 4 * FRAME8));
	sx_media_port_unref(p);
	p = NULL;

	/* Bad specs. */
	spec.seg[0].on_ms = 0; /* continuous, yet not last */
	UT_EQ(-EINVAL, sx_media_tone_alloc(&p, 8000, FRAME8, &spec));
	spec.seg[0].on_ms = 25;
	spec.seg[1].f2_hz = 4000; /* at Nyquist for 8 kHz */
	UT_EQ(-EINVAL, sx_media_tone_alloc(&p, 8000, FRAME8, &spec));
	spec.seg[1].f2_hz = 2130;
	spec.n_seg = SX_MEDIA_TONE_SEGS_MAX + 1;
	UT_EQ(-EINVAL, sx_media_tone_alloc(&p, 8000, FRAME8, &spec));
	spec.n_seg = 2;
	spec.level_dbm0 = 3;
	UT_EQ(-EINVAL, sx_media_tone_alloc(&p, 8000, FRAME8, &spec));
	spec.level_dbm0 = -10;
	spec.seg[1].off_ms = SX_MEDIA_TONE_MS_MAX + 1;
	UT_EQ(-EINVAL, sx_media_tone_alloc(&p, 8000, FRAME8, &spec));
	UT_EQ(-EINVAL,
	      sx_media_tone_std_alloc(&p, 8000, FRAME8, SX_MEDIA_TONE_COUNT));
	UT_TRUE(sx_media_tone_std(SX_MEDIA_TONE_COUNT) == NULL);
out:
	sx_media_port_unref(p);
	return err;
}

/* Frame size does not change the waveform: phases carry across frames. */
static int test_tone_phase_continuous(void)
{
	static int16_t a[8000], b[8000];
	struct sx_media_port *pa = NULL, *pb = NULL;
	int err = 0;

	UT_OK(sx_media_tone_std_alloc(&pa, 8000, FRAME8, SX_MEDIA_TONE_DIAL));
	UT_OK(sx_media_tone_std_alloc(&pb, 8000, FRAME8, SX_MEDIA_TONE_DIAL));
	UT_EQ(8000, pull_all(pa, a, 8000));
	for (size_t got = 0, k = 37; got < 8000; got += k)
		UT_TRUE(sx_media_port_get(pb, b + got, SX_MIN(k, 8000 - got)) >
		        0);
	UT_MEM_EQ(a, b, sizeof(a));
	/* No jumps: the slope never exceeds that of the two sines. */
	double amp = 22786.0 * pow(10.0, -13.0 / 20.0);
	double slope = amp * 2 * PI * (350.0 + 440.0) / 8000.0 + 2.0;
	for (size_t i = 1; i < 8000; i++)
		UT_TRUE(fabs((double)a[i] - a[i - 1]) <= slope);
out:
	sx_media_port_unref(pa);
	sx_media_port_unref(pb);
	return err;
}

/* -- WAV -------------------------------------------------------------- */

/* Records @n samples of a pseudo-random pattern at @rate to @path. */
static int record_pattern(const char *path, uint32_t rate, int16_t *ref,
                          size_t n)
{
	struct sx_media_port *rec = NULL;
	uint32_t frame = sx_media_frame_samples(rate, 0);
	int err = 0;

	for (size_t i = 0; i < n; i++)
		ref[i] = (int16_t)((int32_t)((i * 7919u) % 65536u) - 32768);
	UT_OK(sx_media_wav_recorder_alloc(&rec, path, rate, frame, NULL));
	for (size_t i = 0; i < n; i += frame)
		UT_OK(sx_media_port_put(rec, ref + i, frame));
	UT_EQ(n, sx_media_wav_recorder_samples(rec));
	UT_OK(sx_media_wav_recorder_close(rec));
	UT_OK(sx_media_wav_recorder_close(rec));
	UT_EQ(-EBADF, sx_media_port_put(rec, ref, frame));
out:
	sx_media_port_unref(rec);
	return err;
}

static int wav_roundtrip(uint32_t rate)
{
	static int16_t ref[24000], got[24000 + 960];
	struct sx_media_port *pl = NULL;
	struct sx_media_wav_player_prm prm = {.loop = true};
	size_t n = rate / 1000 * 500; /* 0.5 s */
	char path[512];
	int err = 0;

	tmp_path(path, sizeof(path), "rt.wav");
	UT_OK(record_pattern(path, rate, ref, n));
	UT_OK(sx_media_wav_player_alloc(&pl, path, NULL));
	UT_EQ(rate, pl->clock_rate);
	UT_EQ(rate / 50, pl->frame_samples);
	UT_EQ(n, pull_all(pl, got, SX_ARRAY_SIZE(got)));
	UT_MEM_EQ(ref, got, n * sizeof(*ref));
	UT_TRUE(sx_media_wav_player_eof(pl));
	UT_EQ(0, sx_media_port_get(pl, got, pl->frame_samples));
	pl = sx_media_port_unref(pl);

	/* Looping: the second pass follows the first without a gap. */
	UT_OK(sx_media_wav_player_alloc(&pl, path, &prm));
	UT_EQ(n, pull_all(pl, got, n));
	UT_EQ(pl->frame_samples, pull_all(pl, got, pl->frame_samples));
	UT_MEM_EQ(ref, got, pl->frame_samples * sizeof(*ref));
	UT_TRUE(!sx_media_wav_player_eof(pl));
out:
	sx_media_port_unref(pl);
	unlink(path);
	return err;
}

static int test_wav_roundtrip(void)
{
	int err = 0;
	UT_OK(wav_roundtrip(8000));
	UT_OK(wav_roundtrip(16000));
	UT_OK(wav_roundtrip(48000));
out:
	return err;
}

static int test_wav_limit(void)
{
	int16_t pcm[FRAME8] = {1, 2, 3};
	int16_t buf[2 * 400];
	struct sx_media_port *rec = NULL, *pl = NULL;
	struct sx_media_wav_recorder_prm prm = {.max_ms = 50}; /* 400 */
	char path[512];
	int err = 0;

	tmp_path(path, sizeof(path), "limit.wav");
	UT_OK(sx_media_wav_recorder_alloc(&rec, path, 8000, FRAME8, &prm));
	UT_OK(sx_media_port_put(rec, pcm, FRAME8));
	UT_OK(sx_media_port_put(rec, pcm, FRAME8));
	UT_EQ(-EFBIG, sx_media_port_put(rec, pcm, FRAME8));
	UT_EQ(-EFBIG, sx_media_port_put(rec, pcm, FRAME8));
	UT_EQ(400, sx_media_wav_recorder_samples(rec));
	/* Finalised by the destructor alone. */
	rec = sx_media_port_unref(rec);
	UT_OK(sx_media_wav_player_alloc(&pl, path, NULL));
	UT_EQ(400, pull_all(pl, buf, SX_ARRAY_SIZE(buf)));
	UT_EQ(3, buf[162]);
out:
	sx_media_port_unref(rec);
	sx_media_port_unref(pl);
	unlink(path);
	return err;
}

/* Writes @n samples of @pcm with libsndfile as @format at @rate. */
static int write_sf(const char *path, int format, int rate, int channels,
                    const int16_t *pcm, size_t n)
{
	SF_INFO info = {
	    .samplerate = rate, .channels = channels, .format = format};
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
	if (!sf)
		return -EIO;
	sf_count_t w = sf_writef_short(sf, pcm, (sf_count_t)n / channels);
	sf_close(sf);
	return w == (sf_count_t)n / channels ? 0 : -EIO;
}

static int test_wav_g711(void)
{
	static const int subtypes[] = {SF_FORMAT_ULAW, SF_FORMAT_ALAW};
	int16_t ref[1600], got[1600];
	struct sx_media_port *pl = NULL;
	char path[512];
	int err = 0;

	for (size_t i = 0; i < SX_ARRAY_SIZE(ref); i++)
		ref[i] = (int16_t)(20000.0 *
		                   sin(2 * PI * 440.0 * (double)i / 8000.0));
	tmp_path(path, sizeof(path), "g711.wav");
	for (size_t t = 0; t < SX_ARRAY_SIZE(subtypes); t++) {
		UT_OK(write_sf(path, SF_FORMAT_WAV | subtypes[t], 8000, 1, ref,
		               SX_ARRAY_SIZE(ref)));
		UT_OK(sx_media_wav_player_alloc(&pl, path, NULL));
		UT_EQ(SX_ARRAY_SIZE(ref),
		      pull_all(pl, got, SX_ARRAY_SIZE(got)));
		/* G.711 keeps 4 mantissa bits: error under 1/32 of the value.
		 */
		for (size_t i = 0; i < SX_ARRAY_SIZE(ref); i++)
			UT_TRUE(abs(got[i] - ref[i]) <= abs(ref[i]) / 16 + 32);
		pl = sx_media_port_unref(pl);
	}
out:
	sx_media_port_unref(pl);
	unlink(path);
	return err;
}

static int test_wav_refused(void)
{
	int16_t pcm[160] = {0};
	struct sx_media_port *pl = NULL;
	char path[512];
	int err = 0;

	tmp_path(path, sizeof(path), "bad.wav");
	UT_EQ(-ENOENT, sx_media_wav_player_alloc(&pl, path, NULL));
	FILE *f = fopen(path, "w");
	UT_TRUE(f != NULL);
	fputs("RIFF, but not really a WAVE file at all\n", f);
	fclose(f);
	UT_EQ(-EBADMSG, sx_media_wav_player_alloc(&pl, path, NULL));
	UT_OK(write_sf(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 2, pcm,
	               160));
	UT_EQ(-ENOTSUP, sx_media_wav_player_alloc(&pl, path, NULL));
	UT_OK(write_sf(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050, 1, pcm,
	               160));
	UT_EQ(-ENOTSUP, sx_media_wav_player_alloc(&pl, path, NULL));
	UT_OK(
	    write_sf(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, 1, pcm, 160));
	UT_EQ(-ENOTSUP, sx_media_wav_player_alloc(&pl, path, NULL));
	UT_OK(
	    write_sf(path, SF_FORMAT_AU | SF_FORMAT_PCM_16, 8000, 1, pcm, 160));
	UT_EQ(-ENOTSUP, sx_media_wav_player_alloc(&pl, path, NULL));
	EXPECT_ERR(-ENOENT, sx_media_wav_recorder_alloc(
	                        &pl, SX_BINARY_DIR "/no/such/dir/x.wav", 8000,
	                        FRAME8, NULL));
	UT_EQ(-EINVAL,
	      sx_media_wav_recorder_alloc(&pl, path, 11025, 220, NULL));
	UT_EQ(-EINVAL, sx_media_wav_recorder_close(pl));
out:
	sx_media_port_unref(pl);
	unlink(path);
	return err;
}

/* -- mixer ------------------------------------------------------------ */

/* Three probes speaking @vals joined to @m; ids in @id. */
static int mixer_three(struct sx_media_mixer *m, struct probe **pr,
                       uint32_t *id, const int16_t *vals)
{
	int err = 0;
	for (int i = 0; i < 3; i++) {
		UT_OK(probe_alloc(&pr[i], 8000, vals[i]));
		UT_OK(
		    sx_media_mixer_add(m, &pr[i]->port, &pr[i]->port, &id[i]));
	}
out:
	return err;
}

static int test_mixer_three_party(void)
{
	static const int16_t vals[3] = {100, 1000, 10000};
	struct sx_media_mixer *m = NULL;
	struct probe *pr[4] = {0};
	uint32_t id[4];
	int err = 0;

	UT_OK(sx_media_mixer_alloc(&m, 8000, FRAME8, 4));
	UT_OK(mixer_three(m, pr, id, vals));
	UT_EQ(3, sx_media_mixer_count(m));
	UT_OK(sx_media_mixer_tick(m));
	/* Each hears exactly the other two. */
	UT_TRUE(probe_heard(pr[0], 11000));
	UT_TRUE(probe_heard(pr[1], 10100));
	UT_TRUE(probe_heard(pr[2], 1100));

	/* A listen-only recorder-like sink hears everyone. */
	UT_OK(probe_alloc(&pr[3], 8000, 0));
	UT_OK(sx_media_mixer_add(m, NULL, &pr[3]->port, &id[3]));
	UT_OK(sx_media_mixer_tick(m));
	UT_TRUE(probe_heard(pr[3], 11100));
	UT_EQ(2, pr[0]->frames);

	/* Removal between frames; gains. */
	UT_OK(sx_media_mixer_remove(m, id[1]));
	UT_EQ(-ENOENT, sx_media_mixer_remove(m, id[1]));
	UT_OK(sx_media_mixer_gain_set(m, id[2], 0.5f, 1.0f));
	UT_OK(sx_media_mixer_gain_set(m, id[0], 1.0f, 2.0f));
	UT_OK(sx_media_mixer_tick(m));
	UT_TRUE(probe_heard(pr[0], 10000)); /* 5000 at out gain 2 */
	UT_TRUE(probe_heard(pr[2], 100));
	UT_TRUE(probe_heard(pr[3], 5100));
	UT_EQ(2, pr[1]->frames);
	UT_EQ(-EINVAL, sx_media_mixer_gain_set(m, id[0], -1.0f, 1.0f));
	UT_EQ(-EINVAL, sx_media_mixer_gain_set(m, id[0], NAN, 1.0f));
	UT_EQ(-ENOENT, sx_media_mixer_gain_set(m, id[1], 1.0f, 1.0f));
out:
	probes_unref(pr, 4);
	sx_mem_unref(m);
	return err;
}

static int test_mixer_saturation(void)
{
	static const int16_t vals[3] = {30000, 30000, -5};
	static const int16_t neg[3] = {-30000, -30000, 5};
	struct sx_media_mixer *m = NULL;
	struct probe *pr[6] = {0};
	uint32_t id[6];
	int err = 0;

	UT_OK(sx_media_mixer_alloc(&m, 8000, FRAME8, 3));
	UT_OK(mixer_three(m, pr, id, vals));
	UT_OK(sx_media_mixer_tick(m));
	UT_TRUE(probe_heard(pr[0], 29995));
	UT_TRUE(probe_heard(pr[2], INT16_MAX));
	/* Full: a fourth is refused. */
	UT_EQ(-ENOSPC, sx_media_mixer_add(m, &pr[0]->port, NULL, &id[3]));
	for (int i = 0; i < 3; i++)
		UT_OK(sx_media_mixer_remove(m, id[i]));
	UT_OK(mixer_three(m, pr + 3, id + 3, neg));
	UT_OK(sx_media_mixer_tick(m));
	UT_TRUE(probe_heard(pr[5], INT16_MIN));
	UT_TRUE(probe_heard(pr[3], -29995));
	/* Gain may push a single voice past the limit too. */
	UT_OK(sx_media_mixer_gain_set(m, id[5], 8.0f, 8.0f));
	UT_OK(sx_media_mixer_tick(m));
	UT_TRUE(probe_heard(pr[3], -29960));
	UT_TRUE(probe_heard(pr[5], INT16_MIN));
out:
	probes_unref(pr, 6);
	sx_mem_unref(m);
	return err;
}

static int test_mixer_refused(void)
{
	struct sx_media_mixer *m = NULL;
	struct sx_media_port *fo = NULL, *tone = NULL, *s16 = NULL;
	uint32_t id;
	int err = 0;

	UT_EQ(-EINVAL, sx_media_mixer_alloc(&m, 8000, FRAME8, 0));
	UT_EQ(-EINVAL,
	      sx_media_mixer_alloc(&m, 8000, FRAME8, SX_MEDIA_MIXER_MAX + 1));
	UT_OK(sx_media_mixer_alloc(&m, 8000, FRAME8, 2));
	UT_OK(sx_media_fanout_alloc(&fo, 8000, FRAME8, 1));
	UT_OK(sx_media_tone_std_alloc(&tone, 8000, FRAME8, SX_MEDIA_TONE_DIAL));
	UT_OK(sx_media_silence_alloc(&s16, 16000, 320));
	UT_EQ(-EINVAL, sx_media_mixer_add(m, NULL, NULL, &id));
	UT_EQ(-EINVAL, sx_media_mixer_add(m, fo, NULL, &id));   /* no source */
	UT_EQ(-EINVAL, sx_media_mixer_add(m, NULL, tone, &id)); /* no sink */
	UT_EQ(-EINVAL, sx_media_mixer_add(m, s16, NULL, &id));  /* rate */
	UT_EQ(0, sx_media_mixer_count(m));
	/* Speak-only music and listen-only fan-out are fine. */
	UT_OK(sx_media_mixer_add(m, tone, fo, &id));
	UT_OK(sx_media_mixer_tick(m));
out:
	sx_mem_unref(m);
	sx_media_port_unref(fo);
	sx_media_port_unref(tone);
	sx_media_port_unref(s16);
	return err;
}

/* -- fan-out ---------------------------------------------------------- */

static int test_fanout(void)
{
	struct sx_media_port *fo = NULL, *fo2 = NULL, *tone = NULL;
	struct probe *pr[3] = {0};
	uint32_t id[3], id2;
	int16_t ref[FRAME8];
	int err = 0;

	UT_OK(sx_media_fanout_alloc(&fo, 8000, FRAME8, 3));
	UT_OK(sx_media_fanout_alloc(&fo2, 8000, FRAME8, 1));
	UT_OK(sx_media_tone_std_alloc(&tone, 8000, FRAME8,
	                              SX_MEDIA_TONE_RINGBACK));
	for (int i = 0; i < 3; i++) {
		UT_OK(probe_alloc(&pr[i], 8000, 0));
		UT_OK(sx_media_fanout_add(fo, &pr[i]->port, &id[i]));
	}
	UT_EQ(3, sx_media_fanout_count(fo));
	UT_EQ(-ENOSPC, sx_media_fanout_add(fo, fo2, &id2));
	UT_EQ(FRAME8, sx_media_port_get(tone, ref, FRAME8));
	UT_OK(sx_media_port_put(fo, ref, FRAME8));
	for (int i = 0; i < 3; i++)
		UT_MEM_EQ(ref, pr[i]->last, sizeof(ref));

	/* Remove one; cycles and non-sinks are refused. */
	UT_OK(sx_media_fanout_remove(fo, id[1]));
	UT_EQ(-ENOENT, sx_media_fanout_remove(fo, id[1]));
	UT_OK(sx_media_port_put(fo, ref, FRAME8));
	UT_EQ(2, pr[0]->frames);
	UT_EQ(1, pr[1]->frames);
	UT_EQ(-EINVAL, sx_media_fanout_add(fo, fo, &id2));
	UT_OK(sx_media_fanout_add(fo, fo2, &id2));
	UT_EQ(-EINVAL, sx_media_fanout_add(fo2, fo, &id2));
	UT_EQ(-EINVAL, sx_media_fanout_add(fo, tone, &id2));
	/* A failing sink is reported; the others are still served. */
	pr[0]->put_err = -EIO;
	UT_EQ(-EIO, sx_media_port_put(fo, ref, FRAME8));
	UT_EQ(3, pr[2]->frames);
out:
	probes_unref(pr, 3);
	sx_media_port_unref(fo);
	sx_media_port_unref(fo2);
	sx_media_port_unref(tone);
	return err;
}

/* -- DTMF ------------------------------------------------------------- */

struct digits {
	char d[64];
	size_t n;
};

static void on_digit(char digit, void *arg)
{
	struct digits *dg = arg;
	if (dg->n + 1 < sizeof(dg->d))
		dg->d[dg->n++] = digit;
	dg->d[dg->n] = '\0';
}

static int test_dtmf_noise(void)
{
	static const char all[] = "0123456789*#ABCD";
	static int16_t buf[16 * 1280 + 20 * FRAME8];
	struct sx_media_port *pl = NULL, *det = NULL;
	struct digits dg = {.n = 0};
	int err = 0;

	UT_OK(sx_media_dtmf_player_alloc(&pl, 8000, FRAME8, all,
	                                 sizeof(all) - 1, NULL));
	size_t n = pull_all(pl, buf, SX_ARRAY_SIZE(buf));
	UT_EQ(16 * 1280, n); /* 16 x (80 ms on + 80 ms off) */
	UT_EQ(0, sx_media_port_get(pl, buf + n, FRAME8));

	/* White noise 20 dB below the power of the tone bursts. */
	double p = 0;
	size_t on = 0;
	for (size_t i = 0; i < n; i++)
		if (buf[i]) {
			p += (double)buf[i] * buf[i];
			on++;
		}
	double sigma = sqrt(p / (double)on / 100.0);
	for (size_t i = 0; i < SX_ARRAY_SIZE(buf); i++)
		buf[i] = clamp16(buf[i] + sigma * rng_gauss());

	UT_OK(sx_media_dtmf_detector_alloc(&det, 8000, FRAME8, on_digit, &dg));
	for (size_t i = 0; i < SX_ARRAY_SIZE(buf); i += FRAME8)
		UT_OK(sx_media_port_put(det, buf + i, FRAME8));
	UT_STR_EQ(all, dg.d);
out:
	sx_media_port_unref(pl);
	sx_media_port_unref(det);
	return err;
}

static int test_dtmf_player(void)
{
	static int16_t buf[8000];
	struct sx_media_port *pl = NULL, *det = NULL;
	struct sx_media_dtmf_prm prm = {
	    .on_ms = 40, .off_ms = 60, .level_dbm0 = -20};
	struct digits dg = {.n = 0};
	char many[SX_MEDIA_DTMF_DIGITS_MAX + 1];
	int err = 0;

	UT_EQ(-ENOTSUP,
	      sx_media_dtmf_player_alloc(&pl, 16000, 320, "1", 1, NULL));
	UT_EQ(-ENOTSUP,
	      sx_media_dtmf_detector_alloc(&det, 48000, 960, on_digit, &dg));
	UT_EQ(-EINVAL,
	      sx_media_dtmf_player_alloc(&pl, 8000, FRAME8, "1x", 2, NULL));
	memset(many, '5', sizeof(many));
	UT_EQ(-EINVAL, sx_media_dtmf_player_alloc(&pl, 8000, FRAME8, many,
	                                          sizeof(many), NULL));
	prm.on_ms = 10;
	UT_EQ(-EINVAL,
	      sx_media_dtmf_player_alloc(&pl, 8000, FRAME8, "1", 1, &prm));
	prm.on_ms = 40;

	/* Lower case, short timing, low level; then more digits later. */
	UT_OK(sx_media_dtmf_player_alloc(&pl, 8000, FRAME8, "a1", 2, &prm));
	UT_OK(sx_media_dtmf_detector_alloc(&det, 8000, FRAME8, on_digit, &dg));
	size_t n = pull_all(pl, buf, SX_ARRAY_SIZE(buf));
	UT_EQ(2 * 800, n);
	UT_OK(sx_media_dtmf_player_put(pl, "#", 1));
	UT_EQ(-EINVAL, sx_media_dtmf_player_put(pl, "e", 1));
	UT_EQ(-ENOSPC, sx_media_dtmf_player_put(pl, many, sizeof(many)));
	n += pull_all(pl, buf + n, SX_ARRAY_SIZE(buf) - n);
	UT_EQ(3 * 800, n);
	for (size_t i = 0; i < SX_ARRAY_SIZE(buf); i += FRAME8)
		UT_OK(sx_media_port_put(det, buf + i, FRAME8));
	UT_STR_EQ("A1#", dg.d);
	UT_EQ(-EINVAL, sx_media_dtmf_player_put(det, "1", 1));
out:
	sx_media_port_unref(pl);
	sx_media_port_unref(det);
	return err;
}

/* Graph end handler: counts ends and keeps the last error. */
struct ends {
	unsigned n;
	int err;
	uint32_t id;
};

static void on_end(uint32_t id, int err, void *arg)
{
	struct ends *e = arg;
	e->n++;
	e->err = err;
	e->id = id;
}

/* Speaks @text with espeak-ng, converts it to 8 kHz with sox into
 * @path.  Returns 0 or UT_SKIP when a tool is missing. */
static int speech_make(const char *path, const char *voice, const char *text)
{
	char raw[600], cmd[2048];
	if (system("command -v espeak-ng >/dev/null 2>&1 && "
	           "command -v sox >/dev/null 2>&1") != 0)
		return UT_SKIP;
	snprintf(raw, sizeof(raw), "%s.raw.wav", path);
	snprintf(cmd, sizeof(cmd),
	         "espeak-ng -v %s -w '%s' '%s' && "
	         "sox -V1 '%s' -r 8000 -c 1 -b 16 -e signed-integer '%s' "
	         "gain -3",
	         voice, raw, text, raw, path);
	int rc = system(cmd);
	unlink(raw);
	return rc == 0 ? 0 : UT_FAIL;
}

/* Speech through the graph into the detector: no digit. */
static int speech_check(const char *voice)
{
	static const char text[] =
	    "Welcome to the voice mail system. Please leave a message "
	    "after the tone. Press one for sales, two for support, or "
	    "stay on the line for the operator. The quick brown fox jumps "
	    "over the lazy dog; she sells sea shells by the sea shore.";
	struct sx_media_port *pl = NULL, *det = NULL;
	struct sx_media_graph *g = NULL;
	struct digits dg = {.n = 0};
	struct ends ends = {0};
	char path[512];
	int err = 0;

	tmp_path(path, sizeof(path), "speech.wav");
	err = speech_make(path, voice, text);
	if (err)
		goto out;
	UT_OK(sx_media_wav_player_alloc(&pl, path, NULL));
	UT_OK(sx_media_dtmf_detector_alloc(&det, 8000, FRAME8, on_digit, &dg));
	UT_OK(sx_media_graph_alloc(&g, 8000, FRAME8, 2));
	UT_OK(sx_media_graph_connect(g, pl, det, on_end, &ends, NULL));
	unsigned frames = 0;
	while (!ends.n && frames < 50 * 60) {
		UT_OK(sx_media_graph_tick(g, 1));
		frames++;
	}
	UT_EQ(1, ends.n);
	UT_EQ(0, ends.err);
	UT_TRUE(frames > 50 * 5); /* at least 5 s of speech */
	UT_STR_EQ("", dg.d);
out:
	sx_media_port_unref(pl);
	sx_media_port_unref(det);
	sx_mem_unref(g);
	unlink(path);
	return err;
}

static int test_dtmf_speech(void)
{
	int err = speech_check("en");
	return err ? err : speech_check("en+f3");
}

/* -- graph ------------------------------------------------------------ */

static int test_graph(void)
{
	struct sx_media_graph *g = NULL;
	struct sx_media_port *tone = NULL, *s16 = NULL;
	struct probe *src = NULL, *sink = NULL, *sink2 = NULL;
	struct ends ends = {0};
	uint32_t id1, id2;
	int err = 0;

	UT_EQ(-EINVAL, sx_media_graph_alloc(&g, 8000, FRAME8, 0));
	UT_OK(sx_media_graph_alloc(&g, 8000, FRAME8, 2));
	UT_OK(probe_alloc(&src, 8000, 42));
	UT_OK(probe_alloc(&sink, 8000, 0));
	UT_OK(probe_alloc(&sink2, 8000, 0));
	UT_OK(sx_media_tone_std_alloc(&tone, 8000, FRAME8, SX_MEDIA_TONE_BEEP));
	UT_OK(sx_media_silence_alloc(&s16, 16000, 320));
	UT_EQ(-EINVAL,
	      sx_media_graph_connect(g, s16, &sink->port, NULL, NULL, NULL));
	UT_EQ(-EINVAL,
	      sx_media_graph_connect(g, &src->port, s16, NULL, NULL, NULL));

	/* The beep ends after 10 frames and reports it. */
	UT_OK(
	    sx_media_graph_connect(g, tone, &sink2->port, on_end, &ends, &id2));
	src->limit = 25;
	UT_OK(sx_media_graph_connect(g, &src->port, &sink->port, on_end, &ends,
	                             &id1));
	UT_EQ(-ENOSPC,
	      sx_media_graph_connect(g, tone, &sink->port, NULL, NULL, NULL));
	UT_EQ(2, sx_media_graph_count(g));
	UT_OK(sx_media_graph_tick(g, 12));
	UT_EQ(1, ends.n);
	UT_EQ(id2, ends.id);
	UT_EQ(0, ends.err);
	UT_EQ(10, sink2->frames);
	UT_EQ(12, sink->frames);
	UT_TRUE(probe_heard(sink, 42));
	UT_EQ(1, sx_media_graph_count(g));

	/* A failing sink ends its link with the error. */
	sink->put_err = -EPIPE;
	UT_OK(sx_media_graph_tick(g, 1));
	UT_EQ(2, ends.n);
	UT_EQ(id1, ends.id);
	UT_EQ(-EPIPE, ends.err);
	UT_EQ(0, sx_media_graph_count(g));
	UT_EQ(-ENOENT, sx_media_graph_remove(g, id1));

	/* Removal by id does not call the handler. */
	UT_OK(sx_media_graph_connect(g, &src->port, &sink2->port, on_end, &ends,
	                             &id1));
	UT_TRUE(id1 != id2);
	UT_OK(sx_media_graph_remove(g, id1));
	UT_OK(sx_media_graph_tick(g, 3));
	UT_EQ(2, ends.n);
	UT_EQ(10, sink2->frames);
out:
	sx_mem_unref(g);
	sx_media_port_unref(tone);
	sx_media_port_unref(s16);
	probe_unref(src);
	probe_unref(sink);
	probe_unref(sink2);
	return err;
}

static int test_graph_mixer(void)
{
	static const int16_t vals[3] = {1, 2, 4};
	struct sx_media_graph *g = NULL, *g16 = NULL;
	struct sx_media_mixer *m = NULL;
	struct probe *pr[3] = {0};
	uint32_t id[3], mid;
	int err = 0;

	UT_OK(sx_media_graph_alloc(&g, 8000, FRAME8, 4));
	UT_OK(sx_media_graph_alloc(&g16, 16000, 320, 1));
	UT_OK(sx_media_mixer_alloc(&m, 8000, FRAME8, 3));
	UT_OK(mixer_three(m, pr, id, vals));
	UT_EQ(-EINVAL, sx_media_graph_add_mixer(g16, m, &mid));
	UT_OK(sx_media_graph_add_mixer(g, m, &mid));
	pr[1]->put_err = -EAGAIN; /* does not stop the conference */
	UT_OK(sx_media_graph_tick(g, 5));
	UT_EQ(5, pr[0]->frames);
	UT_TRUE(probe_heard(pr[0], 6));
	UT_TRUE(probe_heard(pr[2], 3));
	UT_OK(sx_media_graph_remove(g, mid));
	UT_OK(sx_media_graph_tick(g, 1));
	UT_EQ(5, pr[0]->frames);
out:
	probes_unref(pr, 3);
	sx_mem_unref(m);
	sx_mem_unref(g);
	sx_mem_unref(g16);
	return err;
}

/* Everything wired together: ticking must not allocate. */
static int test_frame_path_no_alloc(void)
{
	static const int16_t vals[3] = {10, 20, 30};
	struct sx_media_graph *g = NULL;
	struct sx_media_mixer *m = NULL;
	struct sx_media_port *tone = NULL, *fo = NULL, *det = NULL,
	                     *dtmf = NULL, *rec = NULL;
	struct probe *pr[4] = {0};
	struct digits dg = {.n = 0};
	uint32_t id[4];
	char path[512];
	int err = 0;

	tmp_path(path, sizeof(path), "noalloc.wav");
	UT_OK(sx_media_graph_alloc(&g, 8000, FRAME8, 8));
	UT_OK(sx_media_mixer_alloc(&m, 8000, FRAME8, 8));
	UT_OK(mixer_three(m, pr, id, vals));
	UT_OK(sx_media_tone_std_alloc(&tone, 8000, FRAME8,
	                              SX_MEDIA_TONE_RINGBACK));
	UT_OK(sx_media_fanout_alloc(&fo, 8000, FRAME8, 4));
	UT_OK(sx_media_dtmf_detector_alloc(&det, 8000, FRAME8, on_digit, &dg));
	UT_OK(sx_media_dtmf_player_alloc(&dtmf, 8000, FRAME8, "159#", 4, NULL));
	UT_OK(sx_media_wav_recorder_alloc(&rec, path, 8000, FRAME8, NULL));
	UT_OK(probe_alloc(&pr[3], 8000, 0));
	UT_OK(sx_media_fanout_add(fo, det, &id[3]));
	UT_OK(sx_media_fanout_add(fo, rec, &id[3]));
	UT_OK(sx_media_fanout_add(fo, &pr[3]->port, &id[3]));
	UT_OK(sx_media_mixer_add(m, tone, NULL, &id[3]));
	UT_OK(sx_media_graph_add_mixer(g, m, NULL));
	UT_OK(sx_media_graph_connect(g, dtmf, fo, NULL, NULL, NULL));

	uint64_t before = sx_mem_allocs();
	UT_OK(sx_media_graph_tick(g, 100));
	UT_EQ(before, sx_mem_allocs());
	UT_STR_EQ("159#", dg.d);
	UT_EQ(100, pr[0]->frames);
	UT_EQ(32, pr[3]->frames); /* 4 x 160 ms of DTMF, then its end */
out:
	probes_unref(pr, 4);
	sx_mem_unref(m);
	sx_mem_unref(g);
	sx_media_port_unref(tone);
	sx_media_port_unref(fo);
	sx_media_port_unref(det);
	sx_media_port_unref(dtmf);
	sx_media_port_unref(rec);
	unlink(path);
	return err;
}

UT_MAIN(UT_C(test_port_basics), UT_C(test_tone_frequency),
        UT_C(test_tone_cadence), UT_C(test_tone_custom_cadence),
        UT_C(test_tone_phase_continuous), UT_C(test_wav_roundtrip),
        UT_C(test_wav_limit), UT_C(test_wav_g711), UT_C(test_wav_refused),
        UT_C(test_mixer_three_party), UT_C(test_mixer_saturation),
        UT_C(test_mixer_refused), UT_C(test_fanout), UT_C(test_dtmf_noise),
        UT_C(test_dtmf_player), UT_C(test_dtmf_speech), UT_C(test_graph),
        UT_C(test_graph_mixer), UT_C(test_frame_path_no_alloc))
