/*
 * Adaptive jitter buffer.  Transit times (arrival minus RTP timestamp,
 * the RFC 3550 A.8 quantity) of the recent packets give the playout
 * point: the frame with timestamp T plays at T + min(transit) + target,
 * where target covers the spread of transits (plus one frame for the
 * tick quantisation), clamped to [min_delay, max_delay].  Each tick plays
 * one frame, or stretches (a concealed frame, not advancing) when the
 * buffer runs early by a frame, or skips one frame when it runs late by
 * two: the delay moves at most one frame per tick.
 *
 * Storage is one sx_mem block: the struct, the slot ring and the payload
 * bytes.  A slot is addressed relative to the playout position, so
 * timestamp wrap needs no care.
 */
#define SX_LOG_MOD "rtp.jb"
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <sx/rtp/jb.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "rtp_int.h"

#define JB_CLOCK_RATE_DEFAULT   8000
#define JB_FRAMES_PER_S         50 /* 20 ms frames */
#define JB_SLOTS_DEFAULT        50
#define JB_SLOTS_MIN            4
#define JB_SLOTS_MAX            1000
#define JB_PAYLOAD_DEFAULT      1500
#define JB_PAYLOAD_MAX          65536
#define JB_MIN_DELAY_MS_DEFAULT 40
#define JB_MAX_DELAY_MS_DEFAULT 400
/* Packets whose transit times make up the history (2.56 s at 20 ms). */
#define JB_HIST 128
/* Playing late by this many frames triggers a skip. */
#define JB_SKIP_FRAMES 2
#define MS_PER_S       1000

struct jb_slot {
	bool used;     /* holds a packet */
	uint16_t seq;  /* its sequence number */
	uint32_t ts;   /* its timestamp */
	size_t len;    /* payload bytes */
	uint8_t *data; /* max_payload bytes inside the block */
};

struct sx_jb {
	uint32_t rate;        /* clock rate, Hz */
	uint32_t frame_ts;    /* timestamp units per frame */
	uint32_t nslots;      /* ring size */
	size_t max_payload;   /* bytes per slot */
	uint32_t min_delay;   /* timestamp units */
	uint32_t max_delay;   /* timestamp units */
	struct jb_slot *slot; /* ring, nslots entries */

	bool started;          /* a first packet set the time base */
	bool playing;          /* frames are being played */
	bool was_playing;      /* playing before a resync: no NONE */
	uint32_t play_ts;      /* timestamp of the next frame to play */
	uint32_t play_pos;     /* its slot */
	uint32_t transit_ref;  /* first packet's transit */
	int32_t hist[JB_HIST]; /* transits relative to transit_ref */
	unsigned hist_n;       /* entries filled */
	unsigned hist_pos;     /* next to overwrite */
	int32_t tmin;          /* smallest transit in hist */
	uint32_t target;       /* playout delay over tmin, units */
	struct sx_jb_stats st; /* counters */
};

static uint32_t ms_to_units(uint32_t ms, uint32_t rate)
{
	return (uint32_t)((uint64_t)ms * rate / MS_PER_S);
}

static int resolve_prm(struct sx_jb_prm *p, const struct sx_jb_prm *in)
{
	*p = in ? *in : (struct sx_jb_prm){0};
	if (!p->clock_rate)
		p->clock_rate = JB_CLOCK_RATE_DEFAULT;
	if (!p->frame_ts)
		p->frame_ts = p->clock_rate / JB_FRAMES_PER_S;
	if (!p->slots)
		p->slots = JB_SLOTS_DEFAULT;
	if (!p->max_payload)
		p->max_payload = JB_PAYLOAD_DEFAULT;
	if (!p->min_delay_ms)
		p->min_delay_ms = JB_MIN_DELAY_MS_DEFAULT;
	if (!p->max_delay_ms)
		p->max_delay_ms = JB_MAX_DELAY_MS_DEFAULT;
	if (!p->frame_ts || p->slots < JB_SLOTS_MIN ||
	    p->slots > JB_SLOTS_MAX || p->max_payload > JB_PAYLOAD_MAX ||
	    p->min_delay_ms > p->max_delay_ms)
		return -EINVAL;
	return 0;
}

int sx_jb_alloc(struct sx_jb **jbp, const struct sx_jb_prm *prm)
{
	struct sx_jb_prm p;
	if (!jbp)
		return -EINVAL;
	int err = resolve_prm(&p, prm);
	if (err)
		return err;
	/* bounded by JB_SLOTS_MAX * JB_PAYLOAD_MAX: no overflow */
	size_t ring = p.slots * sizeof(struct jb_slot);
	size_t size = sizeof(struct sx_jb) + ring + p.slots * p.max_payload;
	struct sx_jb *jb = sx_mem_zalloc(size, NULL);
	if (!jb)
		return -ENOMEM;
	jb->rate = p.clock_rate;
	jb->frame_ts = p.frame_ts;
	jb->nslots = p.slots;
	jb->max_payload = p.max_payload;
	/* leave two slots of room above the largest delay */
	uint32_t cap = (p.slots - 2) * p.frame_ts;
	jb->max_delay = SX_MIN(ms_to_units(p.max_delay_ms, p.clock_rate), cap);
	jb->min_delay =
	    SX_MIN(ms_to_units(p.min_delay_ms, p.clock_rate), jb->max_delay);
	jb->slot = (struct jb_slot *)(jb + 1);
	uint8_t *store = (uint8_t *)(jb->slot + p.slots);
	for (uint32_t i = 0; i < p.slots; i++)
		jb->slot[i].data = store + i * p.max_payload;
	jb->target = jb->min_delay;
	*jbp = jb;
	return 0;
}

void sx_jb_reset(struct sx_jb *jb)
{
	for (uint32_t i = 0; i < jb->nslots; i++)
		jb->slot[i].used = false;
	jb->was_playing = jb->was_playing || jb->playing;
	jb->started = false;
	jb->playing = false;
	jb->hist_n = 0;
	jb->hist_pos = 0;
	jb->tmin = 0;
	jb->target = jb->min_delay;
}

static void start(struct sx_jb *jb, uint32_t ts, uint32_t arrival)
{
	jb->started = true;
	jb->play_ts = ts;
	jb->play_pos = 0;
	jb->transit_ref = arrival - ts;
}

/* Record a transit and recompute the lowest one and the target. */
static void add_transit(struct sx_jb *jb, int32_t transit)
{
	jb->hist[jb->hist_pos] = transit;
	jb->hist_pos = (jb->hist_pos + 1) % JB_HIST;
	if (jb->hist_n < JB_HIST)
		jb->hist_n++;
	int32_t lo = jb->hist[0], hi = jb->hist[0];
	for (unsigned i = 1; i < jb->hist_n; i++) {
		lo = SX_MIN(lo, jb->hist[i]);
		hi = SX_MAX(hi, jb->hist[i]);
	}
	jb->tmin = lo;
	uint64_t want = (uint64_t)((int64_t)hi - lo) + jb->frame_ts;
	want = SX_MAX(want, jb->min_delay);
	jb->target = (uint32_t)SX_MIN(want, jb->max_delay);
	jb->st.delay_ms =
	    (uint32_t)((uint64_t)jb->target * MS_PER_S / jb->rate);
}

static bool in_window(const struct sx_jb *jb, int32_t d)
{
	int64_t span = (int64_t)jb->nslots * jb->frame_ts;
	return d > -span && d < span;
}

int sx_jb_put(struct sx_jb *jb, uint16_t seq, uint32_t ts, const void *payload,
              size_t len, uint64_t now_us)
{
	if (!jb || (len && !payload))
		return -EINVAL;
	if (len > jb->max_payload)
		return -E2BIG;
	uint32_t arrival = sx_rtp__us_to_units(now_us, jb->rate);
	if (!jb->started)
		start(jb, ts, arrival);
	int32_t d = (int32_t)(ts - jb->play_ts);
	if (!in_window(jb, d)) {
		/* a timestamp jump (new talker, reset peer): start over */
		SX_LOG_INFO_RL("resync: ts %u, playing %u", ts, jb->play_ts);
		sx_jb_reset(jb);
		jb->st.resync++;
		start(jb, ts, arrival);
		d = 0;
	}
	add_transit(jb, (int32_t)(arrival - ts - jb->transit_ref));
	if (d < 0) {
		jb->st.late++;
		return -ETIME;
	}
	uint32_t idx = (jb->play_pos + (uint32_t)d / jb->frame_ts) % jb->nslots;
	struct jb_slot *s = &jb->slot[idx];
	if (s->used && s->ts == ts) {
		jb->st.dup++;
		return -EALREADY;
	}
	*s = (struct jb_slot){
	    .used = true, .seq = seq, .ts = ts, .len = len, .data = s->data};
	if (len)
		memcpy(s->data, payload, len);
	jb->st.put++;
	return 0;
}

/* Drop what sits at the playout position and move on one frame. */
static void advance(struct sx_jb *jb)
{
	jb->slot[jb->play_pos].used = false;
	jb->play_ts += jb->frame_ts;
	jb->play_pos = (jb->play_pos + 1) % jb->nslots;
}

void sx_jb_get(struct sx_jb *jb, uint64_t now_us, struct sx_jb_frame *f)
{
	*f = (struct sx_jb_frame){.kind = SX_JB_NONE};
	if (!jb->started) {
		if (jb->was_playing)
			f->kind = SX_JB_LOST;
		return;
	}
	/* the timestamp that should be playing now */
	uint32_t now = sx_rtp__us_to_units(now_us, jb->rate);
	uint32_t due = now - jb->transit_ref - (uint32_t)jb->tmin - jb->target;
	int32_t ahead = (int32_t)(jb->play_ts - due);
	f->ts = jb->play_ts;

	if (!jb->playing) {
		if (ahead > 0) {
			if (jb->was_playing)
				f->kind = SX_JB_LOST;
			return;
		}
		jb->playing = true;
	} else if (ahead >= (int32_t)jb->frame_ts) {
		jb->st.stretch++;
		f->kind = SX_JB_LOST;
		return;
	} else if (ahead <= -(int32_t)(JB_SKIP_FRAMES * jb->frame_ts)) {
		jb->st.skip++;
		advance(jb);
		f->ts = jb->play_ts;
	}

	struct jb_slot *s = &jb->slot[jb->play_pos];
	if (s->used && s->ts == jb->play_ts) {
		f->kind = SX_JB_FRAME;
		f->seq = s->seq;
		f->payload = s->data;
		f->len = s->len;
		jb->st.frames++;
	} else {
		f->kind = SX_JB_LOST;
		jb->st.lost++;
	}
	advance(jb);
}

void sx_jb_stats(const struct sx_jb *jb, struct sx_jb_stats *st)
{
	*st = jb->st;
}
