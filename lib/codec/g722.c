/*
 * G.722 at 64 kbit/s through spandsp (RFC 3551 4.5.2: payload type 9,
 * 16 kHz audio but an RTP clock of 8000 for historical reasons).  Two
 * samples make one octet.  Loss concealment: generic waveform repeat.
 */
#include <errno.h>
#include <stdint.h>
/* spandsp headers need telephony.h (and stdint.h) first */
#include <spandsp/telephony.h>

#include <spandsp/g722.h>
#include <spandsp/private/g722.h>

#include <sx/codec/codec.h>

#include "codec_int.h"

#define G722_RATE              16000
#define G722_RTP_CLOCK         8000
#define G722_BITRATE           64000
#define G722_PT                9
#define G722_FRAME             (G722_RATE * SX_CODEC_PTIME_MS / 1000)
#define G722_SAMPLES_PER_OCTET 2

struct g722_state {
	g722_encode_state_t enc;  /* spandsp encoder, in place */
	g722_decode_state_t dec;  /* spandsp decoder, in place */
	struct sx_codec__plc plc; /* concealer */
};

static int g722_init(void *st)
{
	struct g722_state *s = st;
	if (!g722_encode_init(&s->enc, G722_BITRATE, 0) ||
	    !g722_decode_init(&s->dec, G722_BITRATE, 0))
		return -EINVAL;
	sx_codec__plc_init(&s->plc, G722_RATE);
	return 0;
}

static ssize_t g722_enc(void *st, const int16_t *pcm, size_t n, uint8_t *out,
                        size_t cap)
{
	struct g722_state *s = st;
	if (n % G722_SAMPLES_PER_OCTET || n > G722_FRAME * 8)
		return -EINVAL;
	if (n / G722_SAMPLES_PER_OCTET > cap)
		return -ENOSPC;
	return g722_encode(&s->enc, out, pcm, (int)n);
}

static ssize_t g722_dec(void *st, const uint8_t *in, size_t len, int16_t *out,
                        size_t cap)
{
	struct g722_state *s = st;
	if (len > cap / G722_SAMPLES_PER_OCTET)
		return -ENOSPC;
	int n = g722_decode(&s->dec, out, in, (int)len);
	if (n < 0)
		return -EBADMSG;
	sx_codec__plc_good(&s->plc, out, (size_t)n);
	return n;
}

static ssize_t g722_plc(void *st, int16_t *out, size_t n)
{
	struct g722_state *s = st;
	sx_codec__plc_fill(&s->plc, out, n);
	return (ssize_t)n;
}

const struct sx_codec sx_codec_g722 = {
    .name = "G722",
    .pt = G722_PT,
    .pt_default = G722_PT,
    .clock_rate = G722_RTP_CLOCK,
    .sample_rate = G722_RATE,
    .channels = 1,
    .frame_samples = G722_FRAME,
    .max_payload = G722_FRAME / G722_SAMPLES_PER_OCTET,
    .state_size = sizeof(struct g722_state),
    .init = g722_init,
    .encode = g722_enc,
    .decode = g722_dec,
    .plc = g722_plc,
};
