/*
 * L16: uncompressed 16-bit linear PCM in network byte order (RFC 3551
 * 4.5.11), mono, at 8 and 16 kHz with dynamic payload types.  Loss
 * concealment: generic waveform repeat.
 */
#include <errno.h>

#include <sx/codec/codec.h>

#include "codec_int.h"

#define L16_PT_8K  118
#define L16_PT_16K 119
#define L16_BYTES  2

struct l16_state {
	struct sx_codec__plc plc; /* concealer */
};

static int l16_init_rate(void *st, uint32_t rate)
{
	struct l16_state *s = st;
	sx_codec__plc_init(&s->plc, rate);
	return 0;
}

static int l16_init_8k(void *st)
{
	return l16_init_rate(st, 8000);
}

static int l16_init_16k(void *st)
{
	return l16_init_rate(st, 16000);
}

static ssize_t l16_enc(void *st, const int16_t *pcm, size_t n, uint8_t *out,
                       size_t cap)
{
	if (n > cap / L16_BYTES)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++) {
		uint16_t v = (uint16_t)pcm[i];
		out[2 * i] = (uint8_t)(v >> 8);
		out[2 * i + 1] = (uint8_t)v;
	}
	return (ssize_t)(n * L16_BYTES);
}

static ssize_t l16_dec(void *st, const uint8_t *in, size_t len, int16_t *out,
                       size_t cap)
{
	struct l16_state *s = st;
	if (len % L16_BYTES)
		return -EBADMSG;
	size_t n = len / L16_BYTES;
	if (n > cap)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++)
		out[i] = (int16_t)(uint16_t)((unsigned)in[2 * i] << 8 |
		                             in[2 * i + 1]);
	sx_codec__plc_good(&s->plc, out, n);
	return (ssize_t)n;
}

static ssize_t l16_plc(void *st, int16_t *out, size_t n)
{
	struct l16_state *s = st;
	sx_codec__plc_fill(&s->plc, out, n);
	return (ssize_t)n;
}

#define L16_CODEC(rate, ptd, initfn)                                           \
	{                                                                      \
		.name = "L16", .pt = SX_CODEC_PT_DYNAMIC, .pt_default = (ptd), \
		.clock_rate = (rate), .sample_rate = (rate), .channels = 1,    \
		.frame_samples = (rate)*SX_CODEC_PTIME_MS / 1000,              \
		.max_payload = (rate)*SX_CODEC_PTIME_MS / 1000 * L16_BYTES,    \
		.state_size = sizeof(struct l16_state), .init = (initfn),      \
		.encode = l16_enc, .decode = l16_dec, .plc = l16_plc,          \
	}

const struct sx_codec sx_codec_l16_8k = L16_CODEC(8000, L16_PT_8K, l16_init_8k);
const struct sx_codec sx_codec_l16_16k =
    L16_CODEC(16000, L16_PT_16K, l16_init_16k);
