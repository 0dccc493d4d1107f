/*
 * Sample-rate conversion for 8/16/48 kHz mono through speexdsp's
 * polyphase resampler (the wideband bridge between G.711, G.722 and
 * Opus legs).
 */
#include <errno.h>
#include <speex/speex_resampler.h>
#include <stdbool.h>

#include <sx/codec/resamp.h>
#include <sx/util/mem.h>

struct sx_resamp {
	SpeexResamplerState *st; /* speexdsp state (libc heap) */
	uint32_t in_rate;        /* input rate, Hz */
	uint32_t out_rate;       /* output rate, Hz */
};

static bool rate_ok(uint32_t r)
{
	return r == 8000 || r == 16000 || r == 48000;
}

static void resamp_destroy(void *obj)
{
	struct sx_resamp *r = obj;
	if (r->st)
		speex_resampler_destroy(r->st);
}

int sx_resamp_alloc(struct sx_resamp **rp, uint32_t in_rate, uint32_t out_rate)
{
	if (!rp || !rate_ok(in_rate) || !rate_ok(out_rate))
		return -EINVAL;
	struct sx_resamp *r = sx_mem_zalloc(sizeof(*r), resamp_destroy);
	if (!r)
		return -ENOMEM;
	int err = 0;
	r->in_rate = in_rate;
	r->out_rate = out_rate;
	r->st =
	    speex_resampler_init(1, in_rate, out_rate, SX_RESAMP_QUALITY, &err);
	if (!r->st) {
		sx_mem_unref(r);
		return err == RESAMPLER_ERR_ALLOC_FAILED ? -ENOMEM : -EINVAL;
	}
	/* start without the filter's ramp-up of zeros */
	speex_resampler_skip_zeros(r->st);
	*rp = r;
	return 0;
}

ssize_t sx_resamp_process(struct sx_resamp *r, const int16_t *in, size_t n,
                          int16_t *out, size_t cap)
{
	if (!r || !in || !out || n > UINT32_MAX || cap > UINT32_MAX)
		return -EINVAL;
	spx_uint32_t in_len = (spx_uint32_t)n, out_len = (spx_uint32_t)cap;
	if (speex_resampler_process_int(r->st, 0, in, &in_len, out, &out_len) !=
	    RESAMPLER_ERR_SUCCESS)
		return -EINVAL;
	if (in_len != n)
		return -ENOSPC;
	return (ssize_t)out_len;
}

unsigned sx_resamp_latency(const struct sx_resamp *r)
{
	return (unsigned)speex_resampler_get_input_latency(r->st);
}
