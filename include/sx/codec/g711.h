/*
 * sx_g711: ITU-T G.711 mu-law and A-law sample conversion, table driven
 * (decode: 256-entry tables; encode: segment search on the magnitude).
 * The PCMU/PCMA codecs in codec.h use these.  Pure functions; any thread.
 */
#ifndef SX_CODEC_G711_H
#define SX_CODEC_G711_H

#include <stdint.h>

/** Linear value of a mu-law code (G.711 table 2a, 14-bit scaled to 16). */
int16_t sx_g711_ulaw_decode(uint8_t code);

/** mu-law code for a linear sample. */
uint8_t sx_g711_ulaw_encode(int16_t pcm);

/** Linear value of an A-law code (G.711 table 1a, 13-bit scaled to 16). */
int16_t sx_g711_alaw_decode(uint8_t code);

/** A-law code for a linear sample (even bits inverted, as sent). */
uint8_t sx_g711_alaw_encode(int16_t pcm);

#endif
