/*
 * Generic packet-loss concealment by waveform repetition with fade (in
 * the spirit of ITU-T G.711 Appendix I, without its pitch estimation):
 * used by G.722 and L16, which have no concealer of their own.
 */
#include <string.h>

#include "codec_int.h"

#define PLC_PERIOD_MS 10
#define PLC_HOLD_MS   10
#define PLC_FADE_MS   50
#define MS_PER_S      1000

void sx_codec__plc_init(struct sx_codec__plc *p, uint32_t rate)
{
	*p = (struct sx_codec__plc){
	    .period = (size_t)rate * PLC_PERIOD_MS / MS_PER_S,
	    .hold = (size_t)rate * PLC_HOLD_MS / MS_PER_S,
	    .fade = (size_t)rate * PLC_FADE_MS / MS_PER_S,
	};
	if (p->period > SX_CODEC__PLC_HIST_MAX)
		p->period = SX_CODEC__PLC_HIST_MAX;
}

void sx_codec__plc_good(struct sx_codec__plc *p, const int16_t *pcm, size_t n)
{
	p->missing = 0;
	p->pos = 0;
	if (n >= p->period) {
		memcpy(p->hist, pcm + n - p->period, p->period * sizeof(*pcm));
		p->fill = p->period;
		return;
	}
	/* shorter than the period: slide the history left by n */
	size_t keep = p->fill < p->period - n ? p->fill : p->period - n;
	memmove(p->hist, p->hist + p->fill - keep, keep * sizeof(*pcm));
	memcpy(p->hist + keep, pcm, n * sizeof(*pcm));
	p->fill = keep + n;
}

void sx_codec__plc_fill(struct sx_codec__plc *p, int16_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++, p->missing++) {
		if (p->fill == 0 || p->missing >= p->hold + p->fade) {
			out[i] = 0;
			continue;
		}
		int32_t v = p->hist[p->pos];
		p->pos = (p->pos + 1) % p->fill;
		if (p->missing >= p->hold)
			v = v * (int32_t)(p->hold + p->fade - p->missing) /
			    (int32_t)p->fade;
		out[i] = (int16_t)v;
	}
}
