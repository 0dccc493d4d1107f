/*
 * Call-progress tone generator.  Cadences follow ANSI T1.401 / Telcordia
 * GR-506 (North America) and ITU-T E.180 (the 425 Hz set); levels are
 * per frequency in dBm0 (G.711 reference).  Each frequency is a 32-bit
 * phase accumulator read through a sine table with linear interpolation,
 * so the output is phase-continuous across frames and costs no
 * allocation or libm call per sample.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include <sx/media/tone.h>

#include "media_int.h"

/* Sine table: 2^SINE_BITS steps per cycle, plus one guard entry. */
#define SINE_BITS 10
#define SINE_LEN  (1u << SINE_BITS)
#define FRAC_BITS (32 - SINE_BITS)
#define PI_F      3.14159265358979f

static float sine_tab[SINE_LEN + 1];
static pthread_once_t sine_once = PTHREAD_ONCE_INIT;

static void sine_init(void)
{
	for (unsigned i = 0; i <= SINE_LEN; i++)
		sine_tab[i] = sinf(2.0f * PI_F * (float)i / (float)SINE_LEN);
}

static inline float sine_at(uint32_t phase)
{
	uint32_t i = phase >> FRAC_BITS;
	float frac =
	    (float)(phase & ((1u << FRAC_BITS) - 1)) / (float)(1u << FRAC_BITS);
	return sine_tab[i] + (sine_tab[i + 1] - sine_tab[i]) * frac;
}

/* The standard table.  Levels: T1.401 dial -13, ringback -19, busy and
 * reorder -24 dBm0 per frequency; E.180 recommends -10 +/- 5 dBm0. */
static const struct sx_media_tone_spec std_tones[SX_MEDIA_TONE_COUNT] = {
    [SX_MEDIA_TONE_DIAL] = {.seg = {{350, 440, 0, 0}},
                            .n_seg = 1,
                            .level_dbm0 = -13},
    [SX_MEDIA_TONE_RINGBACK] = {.seg = {{440, 480, 2000, 4000}},
                                .n_seg = 1,
                                .level_dbm0 = -19,
                                .repeat = true},
    [SX_MEDIA_TONE_BUSY] = {.seg = {{480, 620, 500, 500}},
                            .n_seg = 1,
                            .level_dbm0 = -24,
                            .repeat = true},
    [SX_MEDIA_TONE_REORDER] = {.seg = {{480, 620, 250, 250}},
                               .n_seg = 1,
                               .level_dbm0 = -24,
                               .repeat = true},
    [SX_MEDIA_TONE_CALL_WAITING] = {.seg = {{440, 0, 300, 9700}},
                                    .n_seg = 1,
                                    .level_dbm0 = -13,
                                    .repeat = true},
    [SX_MEDIA_TONE_BEEP] = {.seg = {{1000, 0, 200, 0}},
                            .n_seg = 1,
                            .level_dbm0 = -13},
    [SX_MEDIA_TONE_ITU_DIAL] = {.seg = {{425, 0, 0, 0}},
                                .n_seg = 1,
                                .level_dbm0 = -10},
    [SX_MEDIA_TONE_ITU_RINGBACK] = {.seg = {{425, 0, 1000, 4000}},
                                    .n_seg = 1,
                                    .level_dbm0 = -10,
                                    .repeat = true},
    [SX_MEDIA_TONE_ITU_BUSY] = {.seg = {{425, 0, 500, 500}},
                                .n_seg = 1,
                                .level_dbm0 = -10,
                                .repeat = true},
    [SX_MEDIA_TONE_ITU_CONGESTION] = {.seg = {{425, 0, 250, 250}},
                                      .n_seg = 1,
                                      .level_dbm0 = -10,
                                      .repeat = true},
};

/* A segment converted to samples and phase increments. */
struct tone_step {
	uint32_t on;     /* tone samples (ignored when continuous) */
	uint32_t off;    /* silence samples */
	uint32_t inc1;   /* phase increment of f1 per sample */
	uint32_t inc2;   /* phase increment of f2 per sample */
	bool continuous; /* tone forever */
};

struct tone {
	struct sx_media_port port;
	struct tone_step step[SX_MEDIA_TONE_SEGS_MAX];
	unsigned n_step;
	bool repeat;
	float amp;    /* peak per frequency */
	unsigned cur; /* current step */
	uint32_t pos; /* samples into the current step */
	uint32_t ph1; /* phase accumulators */
	uint32_t ph2;
	bool ended;
};

const struct sx_media_tone_spec *sx_media_tone_std(enum sx_media_tone_id id)
{
	if ((unsigned)id >= SX_MEDIA_TONE_COUNT)
		return NULL;
	return &std_tones[id];
}

static int seg_check(const struct sx_media_tone_seg *s, uint32_t clock_rate,
                     bool last)
{
	uint32_t fmax = SX_MIN(SX_MEDIA_TONE_FREQ_MAX, clock_rate / 2 - 1);
	if (s->f1_hz > fmax || s->f2_hz > fmax)
		return -EINVAL;
	if (s->on_ms > SX_MEDIA_TONE_MS_MAX || s->off_ms > SX_MEDIA_TONE_MS_MAX)
		return -EINVAL;
	/* A continuous step never ends, so nothing may follow it. */
	if (!s->on_ms && !last)
		return -EINVAL;
	return 0;
}

int sx_media_tone_spec_check(const struct sx_media_tone_spec *spec,
                             uint32_t clock_rate)
{
	if (!spec || !spec->n_seg || spec->n_seg > SX_MEDIA_TONE_SEGS_MAX)
		return -EINVAL;
	if (!sx_media_format_ok(clock_rate, 1))
		return -EINVAL;
	if (spec->level_dbm0 < SX_MEDIA_TONE_LEVEL_MIN ||
	    spec->level_dbm0 > SX_MEDIA_TONE_LEVEL_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < spec->n_seg; i++) {
		int err =
		    seg_check(&spec->seg[i], clock_rate, i + 1 == spec->n_seg);
		if (err)
			return err;
	}
	return 0;
}

static uint32_t phase_inc(uint32_t hz, uint32_t clock_rate)
{
	/* hz / rate cycles per sample, in units of 2^-32 cycle */
	return (uint32_t)(((uint64_t)hz << 32) / clock_rate);
}

static uint32_t ms_to_samples(uint32_t ms, uint32_t clock_rate)
{
	return (uint32_t)((uint64_t)ms * clock_rate / 1000);
}

/* Writes @k tone samples of step @st. */
static void gen_tone(struct tone *t, const struct tone_step *st, int16_t *pcm,
                     size_t k)
{
	for (size_t i = 0; i < k; i++) {
		float v = t->amp * (sine_at(t->ph1) + sine_at(t->ph2));
		pcm[i] = sx_media__sat16((int32_t)lrintf(v));
		t->ph1 += st->inc1;
		t->ph2 += st->inc2;
	}
}

/* Moves to the next step, or ends a finished non-repeating cadence. */
static void next_step(struct tone *t)
{
	t->pos = 0;
	if (++t->cur < t->n_step)
		return;
	t->cur = 0;
	t->ended = !t->repeat;
}

static int tone_get(struct sx_media_port *p, int16_t *pcm, size_t n)
{
	struct tone *t = (struct tone *)p;
	size_t i = 0;

	while (i < n && !t->ended) {
		const struct tone_step *st = &t->step[t->cur];
		size_t left = n - i;
		if (st->continuous) {
			gen_tone(t, st, pcm + i, left);
			i = n;
		} else if (t->pos < st->on) {
			size_t k = SX_MIN(left, (size_t)(st->on - t->pos));
			gen_tone(t, st, pcm + i, k);
			t->pos += (uint32_t)k;
			i += k;
		} else if (t->pos - st->on < st->off) {
			size_t k =
			    SX_MIN(left, (size_t)(st->on + st->off - t->pos));
			memset(pcm + i, 0, k * sizeof(*pcm));
			t->pos += (uint32_t)k;
			i += k;
		} else {
			next_step(t);
		}
	}
	if (i < n)
		memset(pcm + i, 0, (n - i) * sizeof(*pcm));
	return (int)i;
}

static const struct sx_media_port_vt tone_vt = {
    .name = "tone",
    .get_frame = tone_get,
};

int sx_media_tone_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                        uint32_t frame_samples,
                        const struct sx_media_tone_spec *spec)
{
	struct sx_media_port *p = NULL;
	int err = sx_media_tone_spec_check(spec, clock_rate);
	if (err)
		return err;
	err = sx_media_port_alloc(&p, sizeof(struct tone), &tone_vt, clock_rate,
	                          frame_samples);
	if (err)
		return err;
	pthread_once(&sine_once, sine_init);

	struct tone *t = (struct tone *)p;
	for (unsigned i = 0; i < spec->n_seg; i++) {
		const struct sx_media_tone_seg *s = &spec->seg[i];
		t->step[i] = (struct tone_step){
		    .on = ms_to_samples(s->on_ms, clock_rate),
		    .off = ms_to_samples(s->off_ms, clock_rate),
		    .inc1 = phase_inc(s->f1_hz, clock_rate),
		    .inc2 = phase_inc(s->f2_hz, clock_rate),
		    .continuous = !s->on_ms,
		};
	}
	t->n_step = spec->n_seg;
	t->repeat = spec->repeat;
	t->amp = sx_media__dbm0_peak(spec->level_dbm0);
	*pp = p;
	return 0;
}

int sx_media_tone_std_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                            uint32_t frame_samples, enum sx_media_tone_id id)
{
	const struct sx_media_tone_spec *spec = sx_media_tone_std(id);
	if (!spec)
		return -EINVAL;
	return sx_media_tone_alloc(pp, clock_rate, frame_samples, spec);
}
