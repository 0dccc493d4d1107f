/*
 * Private helpers of lib/rtp: big-endian loads and stores.
 */
#ifndef SX_LIB_RTP_INT_H
#define SX_LIB_RTP_INT_H

#include <stdint.h>

static inline uint16_t sx_rtp__be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t sx_rtp__be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void sx_rtp__put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void sx_rtp__put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A time in microseconds as RTP timestamp units at @rate Hz, mod 2^32. */
static inline uint32_t sx_rtp__us_to_units(uint64_t us, uint32_t rate)
{
	const uint64_t us_per_s = 1000000;
	return (uint32_t)(us / us_per_s * rate +
	                  us % us_per_s * rate / us_per_s);
}

#endif
