/*
 * Private helpers shared by the sx_media sources.
 */
#ifndef SX_MEDIA_INT_H
#define SX_MEDIA_INT_H

#include <stdint.h>

#include <sx/media/mixer.h>
#include <sx/media/port.h>

/*
 * Peak of a 0 dBm0 sine in 16-bit linear PCM: the G.711 digital milliwatt
 * (ITU-T G.711 table 5/6) sits 3.14 dB below a full-scale sine.
 */
#define SX_MEDIA_DBM0_PEAK 22786.0f

/** Clamp a sum into int16 range. */
static inline int16_t sx_media__sat16(int64_t v)
{
	if (v > INT16_MAX)
		return INT16_MAX;
	if (v < INT16_MIN)
		return INT16_MIN;
	return (int16_t)v;
}

/** Peak amplitude of a sine at @dbm0. */
float sx_media__dbm0_peak(int dbm0);

/** True when @p is non-NULL and of the type with vtable @vt. */
static inline int sx_media__port_is(const struct sx_media_port *p,
                                    const struct sx_media_port_vt *vt)
{
	return p && p->vt == vt;
}

/** True when @p has exactly @clock_rate and @frame_samples. */
static inline int sx_media__port_fmt_eq(const struct sx_media_port *p,
                                        uint32_t clock_rate,
                                        uint32_t frame_samples)
{
	return p->clock_rate == clock_rate && p->frame_samples == frame_samples;
}

/** The mixer's format, for the graph's checks. */
void sx_media__mixer_format(const struct sx_media_mixer *m,
                            uint32_t *clock_rate, uint32_t *frame_samples);

#endif
