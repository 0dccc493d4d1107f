/*
 * sipxctl cdr: the Call Detail Records written by the cdr service
 * (SIPXECS-REFERENCE.md 1.2), read from the store's CDR log.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sx/store/event.h>

#include "ctl.h"

static int print_cdr(const struct sx_store_event *ev, void *arg)
{
	(void)arg;
	printf("%lld\t%.*s\t%.*s\t%.*s\n", (long long)ev->time_ms,
	       SX_SL_FMT(ev->call_id), SX_SL_FMT(ev->type),
	       SX_SL_FMT(ev->fields));
	return 0;
}

int ctl_cdr(struct ctl *c, int argc, char **argv)
{
	if (argc != 1 || strcmp(argv[0], "list"))
		return ctl_usage("cdr list");
	ssize_t n = sx_store_event_list(c->store, SX_STORE_LOG_CDRS, 0, 0,
	                                print_cdr, NULL);
	if (n < 0)
		return ctl_fail("cannot read CDRs: %s", strerror((int)-n));
	return CTL_OK;
}
