/*
 * Unit tests for the 8/16/48 kHz resampler: a 1 kHz sine keeps its
 * frequency (zero-crossing count) and the output length follows the
 * rate ratio.
 */
#include <math.h>

#include <sx/codec/resamp.h>

#include "ut.h"

#define SINE_HZ     1000.0
#define BLOCK_MS    20
#define SECONDS     1
#define FREQ_TOL_HZ 2.0

static int16_t in[48000 * SECONDS], out[48000 * SECONDS + 64];

/* Frequency from upward zero crossings over [from, n). */
static double freq(const int16_t *x, size_t from, size_t n, uint32_t rate)
{
	size_t first = 0, last = 0, count = 0;
	for (size_t i = from + 1; i < n; i++) {
		if (x[i - 1] < 0 && x[i] >= 0) {
			if (!count)
				first = i;
			last = i;
			count++;
		}
	}
	if (count < 2)
		return 0;
	return (double)(count - 1) * rate / (double)(last - first);
}

static int convert(uint32_t from, uint32_t to)
{
	int err = 0;
	struct sx_resamp *r = NULL;
	size_t n = from * SECONDS, blk = from * BLOCK_MS / 1000, total = 0;
	for (size_t i = 0; i < n; i++)
		in[i] =
		    (int16_t)lrint(8000 * sin(2 * M_PI * SINE_HZ * i / from));
	UT_OK(sx_resamp_alloc(&r, from, to));
	uint64_t allocs = sx_mem_allocs();
	for (size_t off = 0; off < n; off += blk) {
		ssize_t got = sx_resamp_process(r, in + off, blk, out + total,
		                                SX_ARRAY_SIZE(out) - total);
		UT_TRUE(got >= 0);
		total += (size_t)got;
	}
	UT_EQ(allocs, sx_mem_allocs());
	/* the filter holds back its latency; the rest comes out */
	size_t want = (size_t)to * SECONDS;
	UT_TRUE(total <= want && total + 2 * (size_t)to / 100 >= want);
	double f = freq(out, to / 50, total, to);
	fprintf(stderr,
	        "  %u -> %u Hz: %zu samples, latency %u, 1 kHz -> %.2f Hz\n",
	        from, to, total, sx_resamp_latency(r), f);
	UT_TRUE(fabs(f - SINE_HZ) <= FREQ_TOL_HZ);
out:
	sx_mem_unref(r);
	return err;
}

static int test_resamp_up(void)
{
	int err = 0;
	UT_OK(convert(8000, 16000));
	UT_OK(convert(8000, 48000));
	UT_OK(convert(16000, 48000));
out:
	return err;
}

static int test_resamp_down(void)
{
	int err = 0;
	UT_OK(convert(48000, 8000));
	UT_OK(convert(48000, 16000));
	UT_OK(convert(16000, 8000));
out:
	return err;
}

static int test_resamp_args(void)
{
	int err = 0;
	struct sx_resamp *r = NULL;
	int16_t x[160] = {0}, y[10];
	UT_EQ(-EINVAL, sx_resamp_alloc(&r, 44100, 8000));
	UT_EQ(-EINVAL, sx_resamp_alloc(&r, 8000, 0));
	UT_OK(sx_resamp_alloc(&r, 8000, 48000));
	UT_EQ(-ENOSPC, sx_resamp_process(r, x, 160, y, SX_ARRAY_SIZE(y)));
out:
	sx_mem_unref(r);
	return err;
}

UT_MAIN(UT_C(test_resamp_up), UT_C(test_resamp_down), UT_C(test_resamp_args))
