/*
 * The media port: a refcounted frame source and/or sink with a vtable
 * (pjmedia_port model), plus the silence port.  Frame sizes follow the
 * RFC 3551 4.5 packetisation rule (20 ms default).
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <sx/media/port.h>
#include <sx/util/mem.h>

#include "media_int.h"

int sx_media_format_ok(uint32_t clock_rate, uint32_t frame_samples)
{
	if (clock_rate != 8000 && clock_rate != 16000 && clock_rate != 48000)
		return 0;
	return frame_samples >= 1 && frame_samples <= SX_MEDIA_FRAME_MAX;
}

uint32_t sx_media_frame_samples(uint32_t clock_rate, uint32_t ptime_ms)
{
	if (!ptime_ms)
		ptime_ms = SX_MEDIA_PTIME_MS;
	if (ptime_ms > SX_MEDIA_PTIME_MAX_MS)
		return 0;
	uint32_t n = (uint32_t)((uint64_t)clock_rate * ptime_ms / 1000);
	return sx_media_format_ok(clock_rate, n) ? n : 0;
}

float sx_media__dbm0_peak(int dbm0)
{
	return SX_MEDIA_DBM0_PEAK * powf(10.0f, (float)dbm0 / 20.0f);
}

static void port_destroy(void *obj)
{
	struct sx_media_port *p = obj;
	if (p->vt->destroy)
		p->vt->destroy(p);
}

int sx_media_port_alloc(struct sx_media_port **pp, size_t size,
                        const struct sx_media_port_vt *vt, uint32_t clock_rate,
                        uint32_t frame_samples)
{
	if (!pp || !vt || size < sizeof(struct sx_media_port) ||
	    !sx_media_format_ok(clock_rate, frame_samples))
		return -EINVAL;
	struct sx_media_port *p = sx_mem_zalloc(size, port_destroy);
	if (!p)
		return -ENOMEM;
	p->vt = vt;
	p->clock_rate = clock_rate;
	p->frame_samples = frame_samples;
	*pp = p;
	return 0;
}

struct sx_media_port *sx_media_port_ref(struct sx_media_port *p)
{
	return sx_mem_ref(p);
}

struct sx_media_port *sx_media_port_unref(struct sx_media_port *p)
{
	return sx_mem_unref(p);
}

int sx_media_port_get(struct sx_media_port *p, int16_t *pcm, size_t n)
{
	if (!p || !pcm || !n || n > SX_MEDIA_FRAME_MAX)
		return -EINVAL;
	if (!p->vt->get_frame)
		return -ENOTSUP;
	return p->vt->get_frame(p, pcm, n);
}

int sx_media_port_put(struct sx_media_port *p, const int16_t *pcm, size_t n)
{
	if (!p || !pcm || !n || n > SX_MEDIA_FRAME_MAX)
		return -EINVAL;
	if (!p->vt->put_frame)
		return -ENOTSUP;
	return p->vt->put_frame(p, pcm, n);
}

int sx_media_port_is_source(const struct sx_media_port *p)
{
	return p && p->vt->get_frame;
}

int sx_media_port_is_sink(const struct sx_media_port *p)
{
	return p && p->vt->put_frame;
}

/* -- the silence port ----------------------------------------------- */

static int silence_get(struct sx_media_port *p, int16_t *pcm, size_t n)
{
	memset(pcm, 0, n * sizeof(*pcm));
	return (int)n;
}

static int silence_put(struct sx_media_port *p, const int16_t *pcm, size_t n)
{
	return 0;
}

static const struct sx_media_port_vt silence_vt = {
    .name = "silence",
    .get_frame = silence_get,
    .put_frame = silence_put,
};

int sx_media_silence_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                           uint32_t frame_samples)
{
	return sx_media_port_alloc(pp, sizeof(struct sx_media_port),
	                           &silence_vt, clock_rate, frame_samples);
}
