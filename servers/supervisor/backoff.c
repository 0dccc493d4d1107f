/*
 * Restart back-off of the supervisor (SIPXECS-REFERENCE 1.5: the watchdog
 * restarted failed processes; nginx ngx_reap_children respawns workers).
 * A process that dies is restarted at once; if it keeps dying the delay
 * doubles up to a cap, and after SX_SUP_GIVEUP_FAILS failures in a row
 * the supervisor gives up.  A run of SX_SUP_STABLE_MS or more forgives
 * the earlier failures.
 */
#include "sup.h"

unsigned sx_sup_backoff_fails(unsigned fails, uint64_t uptime_ms)
{
	if (uptime_ms >= SX_SUP_STABLE_MS)
		return 1;
	return fails < SX_SUP_GIVEUP_FAILS ? fails + 1 : SX_SUP_GIVEUP_FAILS;
}

uint64_t sx_sup_backoff_delay(unsigned fails)
{
	/* Enough doublings to pass the cap: the shift never overflows. */
	const unsigned max_shift = 31;

	if (fails <= 1)
		return 0;
	unsigned shift = fails - 2;
	if (shift > max_shift)
		shift = max_shift;
	uint64_t d = (uint64_t)SX_SUP_BACKOFF_BASE_MS << shift;
	return d < SX_SUP_BACKOFF_MAX_MS ? d : SX_SUP_BACKOFF_MAX_MS;
}

bool sx_sup_backoff_giveup(unsigned fails)
{
	return fails >= SX_SUP_GIVEUP_FAILS;
}
