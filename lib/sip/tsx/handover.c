/*
 * Hand-over of a received response between the transaction layers of two
 * worker loops (ARCHITECTURE.md 4, STYLE.md 2.9).  With SO_REUSEPORT the
 * kernel hashes datagrams by 4-tuple, so a response can reach a worker
 * whose layer does not hold the client transaction it matches (RFC 3261
 * 17.1.3 matching needs the owner's table).  The branch names the owner
 * (sx_sip_branch_owner()); the reader posts the message to the owner's
 * loop, where it is fed to the owner's layer as if read there.
 */
#include <errno.h>

#include <sx/util/mem.h>

#include "tsx_int.h"

/* One message in flight between two loops. */
struct handover {
	struct sx_sip_tsx_layer *to; /* referenced until run */
	struct sx_sip_msg *msg;      /* owned until fed to @to */
	struct sx_sip_peer peer;
	const atomic_bool *stop; /* optional: drop instead of feeding */
};

static void handover_destroy(void *obj)
{
	struct handover *ho = obj;

	sx_sip_msg_free(ho->msg);
	sx_mem_unref(ho->to);
}

/* On the owner's loop.  The stop flag is read here, not when posting:
 * the owner may have begun shutting down (its transports freed) while
 * the message waited in the queue. */
static void handover_run(void *arg)
{
	struct handover *ho = arg;

	if (!ho->stop || !atomic_load(ho->stop)) {
		struct sx_sip_msg *msg = ho->msg;
		ho->msg = NULL;
		sx_sip_tsx_layer_recv(ho->to, msg, &ho->peer);
	}
	sx_mem_unref(ho);
}

int sx_sip_tsx_layer_handover(struct sx_sip_tsx_layer *to,
                              struct sx_sip_msg *msg,
                              const struct sx_sip_peer *peer,
                              const atomic_bool *stop)
{
	struct handover *ho = NULL;
	int err = -EINVAL;

	if (!to || !msg || !peer)
		goto out;
	ho = sx_mem_zalloc(sizeof(*ho), handover_destroy);
	if (!ho) {
		err = -ENOMEM;
		goto out;
	}
	*ho = (struct handover){sx_mem_ref(to), msg, *peer, stop};
	msg = NULL;
	err = sx_ev_post(to->loop, handover_run, ho);
out:
	if (err) {
		sx_mem_unref(ho);
		sx_sip_msg_free(msg);
	}
	return err;
}
