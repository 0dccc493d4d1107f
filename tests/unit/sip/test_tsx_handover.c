/*
 * Hand-over of responses between the transaction layers of two loops
 * (sx_sip_tsx_layer_handover(), ARCHITECTURE.md 4): the reader's layer
 * sees a branch owned by another worker (RFC 3261 17.1.3 matching needs
 * the owner's table), posts the message to the owner's loop, and the
 * owner's client transaction gets it there; a set stop flag drops it.
 * Both loops run in this thread: the thread tests cover the real case.
 */
#include <errno.h>

#include "test_tsx_common.h"

#define OWNER_ID 7u

static struct sx_sip_msg *foreign_msg;

static void foreign_h(struct sx_sip_tsx_layer *layer, struct sx_sip_msg *msg,
                      const struct sx_sip_peer *peer, int owner, void *arg)
{
	(void)layer;
	(void)peer;
	(void)arg;
	F.nforeign += owner == (int)OWNER_ID;
	sx_sip_msg_free(foreign_msg);
	foreign_msg = msg;
}

/* The captured message, handed on (the callee takes it). */
static struct sx_sip_msg *take_msg(void)
{
	struct sx_sip_msg *msg = foreign_msg;

	foreign_msg = NULL;
	return msg;
}

/* The owner: a layer on its own loop, sending through side A. */
struct owner {
	struct sx_ev *loop;
	struct sx_sip_tsx_layer *layer;
	struct sx_sip_tsx *tsx;
};

static void owner_fini(struct owner *o)
{
	sx_mem_unref(o->tsx);
	sx_mem_unref(o->layer);
	sx_ev_free(o->loop);
}

/* F's layer reads; @o owns an OPTIONS client transaction that B answers
 * 200: the answer lands in foreign_msg. */
static int setup(struct owner *o)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	int err;

	prm.foreign_h = foreign_h;
	err = fx_init(&prm, SX_SIP_PROTO_UDP);
	if (!err)
		err = sx_ev_alloc(&o->loop, NULL);
	if (!err)
		err = sx_ev_clock_set_virtual(o->loop, 0);
	prm.worker = OWNER_ID;
	if (!err)
		err = sx_sip_tsx_layer_alloc(&o->layer, o->loop,
		                             sx_sip_tp_loop_tport(F.a), &prm);
	if (err)
		return err;
	struct sx_sip_tsx_layer *reader = F.layer;
	F.layer = o->layer;
	err = fx_client_start(&o->tsx, "OPTIONS", false);
	F.layer = reader;
	fx_run(0);
	if (!err)
		err = fx_b_reply(SX_SIP_METHOD_OPTIONS, 200, "x");
	if (!err && (F.nforeign != 1 || !foreign_msg))
		err = -ENOENT;
	return err;
}

static int test_handover_feeds_owner(void)
{
	struct owner o = {0};
	struct sx_sip_peer peer;
	int err = 0;

	UT_OK(setup(&o));
	peer = fx_peer_b();
	err = sx_sip_tsx_layer_handover(o.layer, take_msg(), &peer, NULL);
	UT_OK(err);
	/* nothing happens before the owner's loop runs; the post holds
	 * a reference on the owner's layer */
	UT_EQ(0, F.nresp);
	UT_EQ(2, sx_mem_nrefs(o.layer));
	UT_TRUE(sx_ev_run_once(o.loop, 0) > 0);
	UT_EQ(1, F.nresp);
	UT_EQ(200, F.resp[0].status);
	UT_TRUE(F.resp[0].tsx == o.tsx);
	UT_EQ(1, sx_mem_nrefs(o.layer));
out:
	sx_sip_msg_free(foreign_msg);
	foreign_msg = NULL;
	owner_fini(&o);
	fx_fini();
	return fx_result(err);
}

/* The stop flag is read when the message arrives, not when posted. */
static int test_handover_stopped_drops(void)
{
	struct owner o = {0};
	struct sx_sip_peer peer;
	atomic_bool stop = false;
	int err = 0;

	UT_OK(setup(&o));
	peer = fx_peer_b();
	err = sx_sip_tsx_layer_handover(o.layer, take_msg(), &peer, &stop);
	UT_OK(err);
	atomic_store(&stop, true);
	UT_TRUE(sx_ev_run_once(o.loop, 0) > 0);
	UT_EQ(0, F.nresp);
	UT_EQ(SX_SIP_TSX_TRYING, sx_sip_tsx_state(o.tsx));
	UT_EQ(1, sx_mem_nrefs(o.layer));
out:
	sx_sip_msg_free(foreign_msg);
	foreign_msg = NULL;
	owner_fini(&o);
	fx_fini();
	return fx_result(err);
}

/* Bad arguments: -EINVAL, and the message is still taken (freed). */
static int test_handover_bad_args(void)
{
	struct owner o = {0};
	struct sx_sip_peer peer;
	int err = 0;

	UT_OK(setup(&o));
	peer = fx_peer_b();
	UT_EQ(-EINVAL, sx_sip_tsx_layer_handover(o.layer, NULL, &peer, NULL));
	UT_EQ(-EINVAL,
	      sx_sip_tsx_layer_handover(o.layer, take_msg(), NULL, NULL));
	UT_EQ(0, sx_ev_run_once(o.loop, 0));
	UT_EQ(0, F.nresp);
	UT_EQ(1, sx_mem_nrefs(o.layer));
out:
	sx_sip_msg_free(foreign_msg);
	foreign_msg = NULL;
	owner_fini(&o);
	fx_fini();
	return fx_result(err);
}

UT_MAIN(UT_C(test_handover_feeds_owner), UT_C(test_handover_stopped_drops),
        UT_C(test_handover_bad_args))
