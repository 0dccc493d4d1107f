/*
 * sipxctl reg: the current (unexpired) location bindings of the
 * registrar (RFC 3261 10.3), read from the store.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sx/store/binding.h>

#include "ctl.h"

/** q-values are stored times this (RFC 3261 20.10: up to 3 decimals). */
#define Q_SCALE 1000

struct reg_list {
	int64_t now;     /**< unix seconds */
	bool count_only; /**< --count */
	size_t n;        /**< live bindings seen */
};

static int print_binding(const struct sx_store_binding *b, void *arg)
{
	struct reg_list *rl = arg;

	if (b->expires_at <= rl->now)
		return 0;
	rl->n++;
	if (rl->count_only)
		return 0;
	printf("%.*s\t%.*s\texpires=%lld\tq=%u.%03u\t%.*s\t%.*s\t%.*s\n",
	       SX_SL_FMT(b->aor), SX_SL_FMT(b->contact),
	       (long long)(b->expires_at - rl->now), b->q / Q_SCALE,
	       b->q % Q_SCALE, SX_SL_FMT(b->transport), SX_SL_FMT(b->received),
	       SX_SL_FMT(b->user_agent));
	return 0;
}

int ctl_reg(struct ctl *c, int argc, char **argv)
{
	struct reg_list rl = {.now = (int64_t)time(NULL)};

	if (argc < 1 || strcmp(argv[0], "list") ||
	    (argc == 2 && strcmp(argv[1], "--count")) || argc > 2)
		return ctl_usage("reg list [--count]");
	rl.count_only = argc == 2;
	ssize_t n =
	    sx_store_binding_load(c->store, SX_SL_NULL, print_binding, &rl);
	if (n < 0)
		return ctl_fail("cannot read bindings: %s", strerror((int)-n));
	if (rl.count_only)
		printf("%zu\n", rl.n);
	return CTL_OK;
}
