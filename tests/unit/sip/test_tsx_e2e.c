/*
 * Two transaction layers talking over the loop transport with loss,
 * duplication and reordering (RFC 3261 17: retransmissions make the
 * exchange converge): every request reaches the server TU once, every
 * client TU sees exactly one final, INVITE non-2xx finals get ACKed.
 */
#include <errno.h>

#include "test_tsx_common.h"

struct e2e {
	struct sx_sip_tsx_layer *uas;
	uint16_t answer;
	int uas_req, uac_final, uas_term, uas_timeout;
	uint16_t final;
};
static struct e2e E;
static uint64_t dropped, duplicated; /* over a test's runs */

static void uas_request_h(struct sx_sip_tsx *stsx, const struct sx_sip_msg *req,
                          const struct sx_sip_peer *peer, void *arg)
{
	(void)req;
	(void)peer;
	(void)arg;
	E.uas_req++;
	if (sx_sip_tsx_reply(stsx, E.answer, NULL, SX_SL_NULL, SX_SL_NULL,
	                     SX_SL_NULL))
		E.uas_req += 100; /* visible failure */
}

static void uas_term_h(struct sx_sip_tsx *tsx, enum sx_sip_tsx_end why,
                       void *arg)
{
	(void)tsx;
	(void)arg;
	E.uas_term++;
	E.uas_timeout += why != SX_SIP_TSX_END_NORMAL;
}

static void uac_resp_h(struct sx_sip_tsx *ctsx, uint16_t status,
                       const struct sx_sip_msg *resp, void *arg)
{
	(void)ctsx;
	(void)resp;
	(void)arg;
	if (status >= 200) {
		E.uac_final++;
		E.final = status;
	}
}

static int run(const char *method, uint16_t answer, uint64_t seed,
               const struct sx_sip_tp_loop_imp *imp)
{
	struct sx_sip_tsx_layer_prm prm = fx_prm();
	struct sx_sip_tsx_layer_prm uprm = {.request_h = uas_request_h,
	                                    .term_h = uas_term_h};
	struct sx_sip_tsx *t = NULL;
	char buf[FX_MSG], branch[SX_SIP_BRANCH_SIZE];
	int err = 0;

	memset(&E, 0, sizeof(E));
	E.answer = answer;
	UT_OK(fx_init_seed(&prm, SX_SIP_PROTO_UDP, seed));
	UT_OK(sx_sip_tsx_layer_alloc(&E.uas, F.loop, sx_sip_tp_loop_tport(F.b),
	                             &uprm));
	sx_sip_tp_loop_set_handlers(F.b, sx_sip_tsx_tport_recv,
	                            sx_sip_tsx_tport_err, E.uas);
	UT_OK(sx_sip_tp_loop_set_imp(F.a, imp));
	UT_OK(sx_sip_tp_loop_set_imp(F.b, imp));
	int n = fx_client_req(buf, sizeof(buf), method, 1, branch);
	struct sx_sip_tsx_req_prm rp = {.buf = buf,
	                                .len = (size_t)n,
	                                .dst = fx_peer_b(),
	                                .resp_h = uac_resp_h};
	UT_OK(sx_sip_tsx_request(&t, F.layer, &rp));
	fx_run(100000);
	struct sx_sip_tp_loop_stats sa, sb;
	sx_sip_tp_loop_stats(F.a, &sa);
	sx_sip_tp_loop_stats(F.b, &sb);
	dropped += sa.dropped + sb.dropped;
	duplicated += sa.duplicated + sb.duplicated;
	UT_EQ(1, E.uas_req);
	UT_EQ(1, E.uac_final);
	UT_EQ(answer, E.final);
	UT_EQ(1, E.uas_term);
	UT_EQ(0, E.uas_timeout); /* an INVITE's non-2xx was ACKed */
	UT_EQ(0, sx_sip_tsx_layer_count(F.layer));
	UT_EQ(0, sx_sip_tsx_layer_count(E.uas));
out:
	sx_mem_unref(t);
	E.uas = sx_mem_unref(E.uas);
	fx_fini();
	return fx_result(err);
}

static const struct sx_sip_tp_loop_imp lossy = {
    .drop_pct = 30, .dup_pct = 20, .delay_ms = 10, .jitter_ms = 80};

static int test_e2e_perfect(void)
{
	static const struct sx_sip_tp_loop_imp none = {0};
	int err = run("OPTIONS", 200, 1, &none);
	if (!err)
		err = run("INVITE", 486, 1, &none);
	return err;
}

static int test_e2e_lossy_non_invite(void)
{
	int err = 0;

	dropped = duplicated = 0;
	for (uint64_t seed = 1; seed <= 4 && !err; seed++)
		err = run("REGISTER", 200, seed, &lossy);
	/* the impairments did happen */
	if (!err && (!dropped || !duplicated))
		err = UT_FAIL;
	return err;
}

static int test_e2e_lossy_invite_error(void)
{
	int err = 0;

	dropped = duplicated = 0;
	for (uint64_t seed = 1; seed <= 4 && !err; seed++)
		err = run("INVITE", 603, seed, &lossy);
	/* the impairments did happen */
	if (!err && (!dropped || !duplicated))
		err = UT_FAIL;
	return err;
}

UT_MAIN(UT_C(test_e2e_perfect), UT_C(test_e2e_lossy_non_invite),
        UT_C(test_e2e_lossy_invite_error))
