/*
 * sx_resamp: sample-rate conversion between 8, 16 and 48 kHz (mono int16)
 * through speexdsp's resampler.
 *
 * The object is created once per stream; process() does not allocate.
 * Note: speexdsp allocates its own filter state with libc at creation,
 * outside sx_mem (only the wrapper block is counted and OOM-injected).
 * One thread at a time.
 */
#ifndef SX_CODEC_RESAMP_H
#define SX_CODEC_RESAMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sx/util/compiler.h>

struct sx_resamp;

/** speexdsp quality used (0..10; 5 is "VoIP", 3 is its default). */
#define SX_RESAMP_QUALITY 5

/**
 * Create a converter from @in_rate to @out_rate (each 8000, 16000 or
 * 48000).  Returns 0, -EINVAL or -ENOMEM.  Free with sx_mem_unref.
 */
int sx_resamp_alloc(struct sx_resamp **rp, uint32_t in_rate,
                    uint32_t out_rate) SX_MUST_CHECK;

/**
 * Convert @n input samples into @out (capacity @cap samples; give at
 * least n * out_rate / in_rate + 1).  Returns samples written, or -ENOSPC
 * if the input could not all be consumed, or -EINVAL.
 */
ssize_t sx_resamp_process(struct sx_resamp *r, const int16_t *in, size_t n,
                          int16_t *out, size_t cap) SX_MUST_CHECK;

/** Input-side delay of the filter, in input samples. */
unsigned sx_resamp_latency(const struct sx_resamp *r);

#endif
