/*
 * Opus through libopus (RFC 7587: dynamic payload type, RTP clock 48000,
 * SDP always says /2 channels; we encode mono, 20 ms frames).  Encoder
 * and decoder state live in sx_mem blocks sized by libopus and set up
 * with opus_*_init(), so libopus itself never allocates.  Loss
 * concealment is libopus's own (decode with no data).
 */
#include <errno.h>
#include <opus.h>

#include <sx/codec/codec.h>
#include <sx/util/mem.h>

#define OPUS_RATE       48000
#define OPUS_CHANNELS   1
#define OPUS_FRAME      (OPUS_RATE * SX_CODEC_PTIME_MS / 1000)
#define OPUS_PT_DEFAULT 111
#define OPUS_BITRATE    32000
/* Largest Opus packet (RFC 6716 3.2.1). */
#define OPUS_MAX_PACKET 1275
/* PLC works in 2.5 ms steps. */
#define OPUS_PLC_STEP (OPUS_RATE / 400)

struct opus_state {
	OpusEncoder *enc; /* sx_mem block */
	OpusDecoder *dec; /* sx_mem block */
};

static void opus_fini(void *st)
{
	struct opus_state *s = st;
	s->enc = sx_mem_unref(s->enc);
	s->dec = sx_mem_unref(s->dec);
}

static int opus_init(void *st)
{
	struct opus_state *s = st;
	int err = -ENOMEM;
	s->enc =
	    sx_mem_zalloc((size_t)opus_encoder_get_size(OPUS_CHANNELS), NULL);
	s->dec =
	    sx_mem_zalloc((size_t)opus_decoder_get_size(OPUS_CHANNELS), NULL);
	if (!s->enc || !s->dec)
		goto out;
	err = -EINVAL;
	if (opus_encoder_init(s->enc, OPUS_RATE, OPUS_CHANNELS,
	                      OPUS_APPLICATION_VOIP) != OPUS_OK ||
	    opus_decoder_init(s->dec, OPUS_RATE, OPUS_CHANNELS) != OPUS_OK)
		goto out;
	if (opus_encoder_ctl(s->enc, OPUS_SET_BITRATE(OPUS_BITRATE)) != OPUS_OK)
		goto out;
	err = 0;
out:
	if (err)
		opus_fini(s);
	return err;
}

static ssize_t opus_enc(void *st, const int16_t *pcm, size_t n, uint8_t *out,
                        size_t cap)
{
	struct opus_state *s = st;
	if (n != OPUS_FRAME)
		return -EINVAL;
	if (cap > OPUS_MAX_PACKET)
		cap = OPUS_MAX_PACKET;
	opus_int32 r = opus_encode(s->enc, pcm, (int)n, out, (opus_int32)cap);
	if (r == OPUS_BUFFER_TOO_SMALL)
		return -ENOSPC;
	return r < 0 ? -EINVAL : r;
}

static ssize_t opus_dec(void *st, const uint8_t *in, size_t len, int16_t *out,
                        size_t cap)
{
	struct opus_state *s = st;
	if (len > OPUS_MAX_PACKET)
		return -EBADMSG;
	int r = opus_decode(s->dec, in, (opus_int32)len, out, (int)cap, 0);
	if (r == OPUS_BUFFER_TOO_SMALL)
		return -ENOSPC;
	return r < 0 ? -EBADMSG : r;
}

static ssize_t opus_plc(void *st, int16_t *out, size_t n)
{
	struct opus_state *s = st;
	if (n % OPUS_PLC_STEP)
		return -EINVAL;
	int r = opus_decode(s->dec, NULL, 0, out, (int)n, 0);
	return r < 0 ? -EINVAL : r;
}

const struct sx_codec sx_codec_opus = {
    .name = "opus",
    .pt = SX_CODEC_PT_DYNAMIC,
    .pt_default = OPUS_PT_DEFAULT,
    .clock_rate = OPUS_RATE,
    .sample_rate = OPUS_RATE,
    .channels = OPUS_CHANNELS,
    .frame_samples = OPUS_FRAME,
    .max_payload = OPUS_MAX_PACKET,
    .state_size = sizeof(struct opus_state),
    .init = opus_init,
    .fini = opus_fini,
    .encode = opus_enc,
    .decode = opus_dec,
    .plc = opus_plc,
};
