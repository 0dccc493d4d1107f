/*
 * Private parts of lib/codec: the generic waveform-repeat concealer used
 * by codecs without their own PLC, and argument checks shared by the
 * vtables.
 */
#ifndef SX_LIB_CODEC_INT_H
#define SX_LIB_CODEC_INT_H

#include <stddef.h>
#include <stdint.h>

/* Longest history the concealer repeats: 10 ms at 48 kHz. */
#define SX_CODEC__PLC_HIST_MAX 480

/*
 * Waveform repeat with fade: a lost stretch replays the last 10 ms of
 * good signal cyclically, at full level for the first 10 ms, then fading
 * linearly to silence over the next 50 ms (the shape spandsp's G.711 PLC
 * uses, without its pitch search).
 */
struct sx_codec__plc {
	int16_t hist[SX_CODEC__PLC_HIST_MAX]; /* last `period` good samples */
	size_t period;                        /* samples repeated: 10 ms */
	size_t fill;                          /* valid samples in hist */
	size_t pos;     /* next sample of hist to replay */
	size_t missing; /* samples concealed since the last good frame */
	size_t hold;    /* samples at full level before the fade */
	size_t fade;    /* samples of fade to silence */
};

void sx_codec__plc_init(struct sx_codec__plc *p, uint32_t rate);
/* Remember good decoded samples. */
void sx_codec__plc_good(struct sx_codec__plc *p, const int16_t *pcm, size_t n);
/* Write @n concealment samples. */
void sx_codec__plc_fill(struct sx_codec__plc *p, int16_t *out, size_t n);

#endif
