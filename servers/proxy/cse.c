/*
 * Call-state events: not recorded yet (the cdr service is being built);
 * px_cse_emit() reports -ENOSYS so that callers go on at once.
 */
#include <errno.h>

#include "cse.h"

int px_cse_emit(struct sx_proxy *px, struct sx_ev *loop,
		enum px_cse_type type, const struct sx_sip_msg *req,
		const struct sx_sip_msg *resp, px_cse_done_h *done, void *arg)
{
	(void)px, (void)loop, (void)type, (void)req, (void)resp, (void)done,
	    (void)arg;
	return -ENOSYS;
}
