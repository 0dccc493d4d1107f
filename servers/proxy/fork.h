/*
 * Limits of stateful forwarding (RFC 3261 16.6 serial and parallel
 * forking, 16.5 recursion on 3xx, 16.8 Timer C), shared by fork.c and
 * its tests.
 */
#ifndef SX_PROXY_FORK_H
#define SX_PROXY_FORK_H

#include "cse.h"

/** Redirections (3xx) followed below one target of the registrar
 *  (RFC 3261 16.5: recursion must stay bounded). */
#define SX_PROXY_RECURSE_DEPTH_MAX 3u
/** Contact values read from one 3xx response. */
#define SX_PROXY_RECURSE_CONTACTS_MAX 32u

/** Signature of px_cse_emit() (cse.h). */
typedef int(px_cse_emit_h)(struct sx_proxy *px, struct sx_ev *loop,
                           enum px_cse_type type, const struct sx_sip_msg *req,
                           const struct sx_sip_msg *resp, px_cse_done_h *done,
                           void *arg);

/**
 * Test seam: the call-state event sink fork.c uses (NULL restores
 * px_cse_emit).  Only for unit tests, before any request is handled;
 * not thread-safe.
 */
void px_fork_set_cse(px_cse_emit_h *emit);

#endif
