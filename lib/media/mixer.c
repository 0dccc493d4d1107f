/*
 * N-party conference mixer (sipXmediaLib MprBridge, pjmedia conf bridge).
 * Linear PCM frames (RFC 3551 L16 semantics, host order) are summed in
 * 32 bits; each output is the total minus its own contribution, scaled by
 * its gain and saturated to int16.  Gains are Q12 fixed point.
 */
#define SX_LOG_MOD "media.mixer"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <sx/media/mixer.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "media_int.h"

/* Gains are Q12: 4096 = unity. */
#define GAIN_ONE 4096

struct part {
	uint32_t id;               /* 0 = free slot */
	struct sx_media_port *in;  /* what it says, or NULL */
	struct sx_media_port *out; /* what it hears, or NULL */
	int32_t in_gain;           /* Q12 */
	int32_t out_gain;          /* Q12 */
	bool spoke;                /* contributed to this frame */
};

struct sx_media_mixer {
	uint32_t clock_rate;
	uint32_t frame; /* samples per frame */
	unsigned cap;
	unsigned count;
	uint32_t last_id;
	struct part *part; /* cap slots */
	int32_t *contrib;  /* cap rows of frame: each one's scaled input */
	int32_t *sum;      /* frame: the total of this frame */
	int16_t pcm[SX_MEDIA_FRAME_MAX]; /* scratch */
};

static void part_clear(struct part *pt)
{
	sx_media_port_unref(pt->in);
	sx_media_port_unref(pt->out);
	memset(pt, 0, sizeof(*pt));
}

static void mixer_destroy(void *obj)
{
	struct sx_media_mixer *m = obj;
	for (unsigned i = 0; m->part && i < m->cap; i++)
		part_clear(&m->part[i]);
	sx_mem_unref(m->part);
	sx_mem_unref(m->contrib);
}

int sx_media_mixer_alloc(struct sx_media_mixer **mp, uint32_t clock_rate,
                         uint32_t frame_samples, unsigned capacity)
{
	if (!mp || !sx_media_format_ok(clock_rate, frame_samples) ||
	    !capacity || capacity > SX_MEDIA_MIXER_MAX)
		return -EINVAL;
	struct sx_media_mixer *m = sx_mem_zalloc(sizeof(*m), mixer_destroy);
	if (!m)
		return -ENOMEM;
	m->clock_rate = clock_rate;
	m->frame = frame_samples;
	m->cap = capacity;
	m->part = sx_mem_zalloc(capacity * sizeof(*m->part), NULL);
	/* One block: cap contribution rows, then the sum row. */
	m->contrib = sx_mem_zalloc(
	    (size_t)(capacity + 1) * frame_samples * sizeof(int32_t), NULL);
	if (!m->part || !m->contrib) {
		sx_mem_unref(m);
		return -ENOMEM;
	}
	m->sum = m->contrib + (size_t)capacity * frame_samples;
	*mp = m;
	return 0;
}

static int port_fits(const struct sx_media_mixer *m,
                     const struct sx_media_port *p,
                     int (*role)(const struct sx_media_port *))
{
	return !p ||
	       (role(p) && sx_media__port_fmt_eq(p, m->clock_rate, m->frame));
}

static struct part *part_find(struct sx_media_mixer *m, uint32_t id)
{
	for (unsigned i = 0; id && i < m->cap; i++)
		if (m->part[i].id == id)
			return &m->part[i];
	return NULL;
}

int sx_media_mixer_add(struct sx_media_mixer *m, struct sx_media_port *in,
                       struct sx_media_port *out, uint32_t *idp)
{
	if (!m || !idp || (!in && !out) ||
	    !port_fits(m, in, sx_media_port_is_source) ||
	    !port_fits(m, out, sx_media_port_is_sink))
		return -EINVAL;
	struct part *pt = NULL;
	for (unsigned i = 0; !pt && i < m->cap; i++)
		if (!m->part[i].id)
			pt = &m->part[i];
	if (!pt)
		return -ENOSPC;
	/* Ids count up and skip 0 and ids still in use after a wrap. */
	do
		m->last_id++;
	while (!m->last_id || part_find(m, m->last_id));
	*pt = (struct part){
	    .id = m->last_id,
	    .in = sx_media_port_ref(in),
	    .out = sx_media_port_ref(out),
	    .in_gain = GAIN_ONE,
	    .out_gain = GAIN_ONE,
	};
	m->count++;
	*idp = pt->id;
	return 0;
}

int sx_media_mixer_remove(struct sx_media_mixer *m, uint32_t id)
{
	struct part *pt = m ? part_find(m, id) : NULL;
	if (!pt)
		return -ENOENT;
	part_clear(pt);
	m->count--;
	return 0;
}

static int gain_q12(float g, int32_t *q)
{
	if (!(g >= 0.0f && g <= SX_MEDIA_MIXER_GAIN_MAX))
		return -EINVAL; /* also refuses NaN */
	*q = (int32_t)lrintf(g * GAIN_ONE);
	return 0;
}

int sx_media_mixer_gain_set(struct sx_media_mixer *m, uint32_t id,
                            float in_gain, float out_gain)
{
	int32_t qi, qo;
	if (!m || gain_q12(in_gain, &qi) || gain_q12(out_gain, &qo))
		return -EINVAL;
	struct part *pt = part_find(m, id);
	if (!pt)
		return -ENOENT;
	pt->in_gain = qi;
	pt->out_gain = qo;
	return 0;
}

unsigned sx_media_mixer_count(const struct sx_media_mixer *m)
{
	return m ? m->count : 0;
}

void sx_media__mixer_format(const struct sx_media_mixer *m,
                            uint32_t *clock_rate, uint32_t *frame_samples)
{
	*clock_rate = m->clock_rate;
	*frame_samples = m->frame;
}

/* Pulls participant @i's input into its contribution row and the sum. */
static void mix_in(struct sx_media_mixer *m, unsigned i)
{
	struct part *pt = &m->part[i];
	int32_t *c = m->contrib + (size_t)i * m->frame;

	pt->spoke = false;
	if (!pt->in || sx_media_port_get(pt->in, m->pcm, m->frame) <= 0)
		return; /* ended or failed: silence */
	for (uint32_t k = 0; k < m->frame; k++) {
		c[k] = pt->in_gain == GAIN_ONE
		           ? m->pcm[k]
		           : m->pcm[k] * pt->in_gain / GAIN_ONE;
		m->sum[k] += c[k];
	}
	pt->spoke = true;
}

/* Pushes participant @i its mix: everyone but itself. */
static int mix_out(struct sx_media_mixer *m, unsigned i)
{
	const struct part *pt = &m->part[i];
	const int32_t *c = m->contrib + (size_t)i * m->frame;

	for (uint32_t k = 0; k < m->frame; k++) {
		int64_t v = m->sum[k] - (pt->spoke ? c[k] : 0);
		if (pt->out_gain != GAIN_ONE)
			v = v * pt->out_gain / GAIN_ONE;
		m->pcm[k] = sx_media__sat16(v);
	}
	return sx_media_port_put(pt->out, m->pcm, m->frame);
}

int sx_media_mixer_tick(struct sx_media_mixer *m)
{
	int first = 0;
	if (!m)
		return -EINVAL;
	memset(m->sum, 0, m->frame * sizeof(*m->sum));
	for (unsigned i = 0; i < m->cap; i++)
		if (m->part[i].id)
			mix_in(m, i);
	for (unsigned i = 0; i < m->cap; i++) {
		if (!m->part[i].id || !m->part[i].out)
			continue;
		int err = mix_out(m, i);
		if (err && !first)
			first = err;
		if (err)
			SX_LOG_DBG("participant %u: put failed: %d",
			           m->part[i].id, err);
	}
	return first;
}
