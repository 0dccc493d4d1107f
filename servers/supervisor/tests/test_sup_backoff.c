/*
 * Restart back-off of the supervisor (backoff.c): immediate first
 * restart, doubling delays up to the cap, reset after a stable run, give
 * up after SX_SUP_GIVEUP_FAILS.
 */
#include "ut.h"

#include "sup.h"

static int test_delay_doubles_to_cap(void)
{
	int err = 0;

	UT_EQ(0, (long long)sx_sup_backoff_delay(0));
	UT_EQ(0, (long long)sx_sup_backoff_delay(1));
	UT_EQ(SX_SUP_BACKOFF_BASE_MS, (long long)sx_sup_backoff_delay(2));
	UT_EQ(2 * SX_SUP_BACKOFF_BASE_MS, (long long)sx_sup_backoff_delay(3));
	UT_EQ(4 * SX_SUP_BACKOFF_BASE_MS, (long long)sx_sup_backoff_delay(4));
	for (unsigned f = 2; f < 100; f++) {
		UT_TRUE(sx_sup_backoff_delay(f) <= SX_SUP_BACKOFF_MAX_MS);
		UT_TRUE(sx_sup_backoff_delay(f) >= sx_sup_backoff_delay(f - 1));
	}
	UT_EQ(SX_SUP_BACKOFF_MAX_MS, (long long)sx_sup_backoff_delay(40));
	UT_EQ(SX_SUP_BACKOFF_MAX_MS, (long long)sx_sup_backoff_delay(~0u));
out:
	return err;
}

static int test_fails_count_and_reset(void)
{
	int err = 0;
	unsigned f = 0;

	f = sx_sup_backoff_fails(f, 10);
	UT_EQ(1, f);
	f = sx_sup_backoff_fails(f, 10);
	UT_EQ(2, f);
	f = sx_sup_backoff_fails(f, SX_SUP_STABLE_MS - 1);
	UT_EQ(3, f);
	/* a stable run forgives: this failure is the first again */
	f = sx_sup_backoff_fails(f, SX_SUP_STABLE_MS);
	UT_EQ(1, f);
	UT_EQ(0, (long long)sx_sup_backoff_delay(f));
out:
	return err;
}

static int test_giveup_bounded(void)
{
	int err = 0;
	unsigned f = 0;
	unsigned n = 0;
	uint64_t total = 0;

	while (!sx_sup_backoff_giveup(f) && n < 1000) {
		f = sx_sup_backoff_fails(f, 0);
		total += sx_sup_backoff_delay(f);
		n++;
	}
	UT_EQ(SX_SUP_GIVEUP_FAILS, n);
	UT_TRUE(sx_sup_backoff_giveup(SX_SUP_GIVEUP_FAILS));
	UT_TRUE(!sx_sup_backoff_giveup(SX_SUP_GIVEUP_FAILS - 1));
	/* the count saturates */
	UT_EQ(SX_SUP_GIVEUP_FAILS,
	      sx_sup_backoff_fails(SX_SUP_GIVEUP_FAILS, 0));
	UT_TRUE(total <= (uint64_t)SX_SUP_GIVEUP_FAILS * SX_SUP_BACKOFF_MAX_MS);
out:
	return err;
}

UT_MAIN(UT_C(test_delay_doubles_to_cap), UT_C(test_fails_count_and_reset),
        UT_C(test_giveup_bounded))
