/*
 * libFuzzer target for SDP offer/answer (RFC 3264): the input is parsed
 * and used both as a peer's offer (we answer) and as the peer's answer to
 * our offer.  Every SDP we write must parse back.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <sx/sdp/oa.h>
#include <sx/sdp/sdp.h>
#include <sx/util/buf.h>
#include <sx/util/mem.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct sx_sdp_oa_codec codecs[] = {
    {"PCMU", 8000, 1, NULL, 0},
    {"PCMA", 8000, 1, NULL, 8},
    {"opus", 48000, 2, "useinbandfec=1", 96},
    {"G722", 8000, 1, NULL, 9},
    {"CN", 8000, 1, NULL, 13},
};

static const struct sx_sdp_oa_codec vcodecs[] = {
    {"H264", 90000, 1, "packetization-mode=1", 97},
};

static const struct sx_sdp_oa_cap caps[] = {
    {.mtype = SX_SDP_MEDIA_AUDIO,
     .codecs = codecs,
     .ncodecs = 5,
     .port = 20000,
     .dtmf_pt = 101,
     .ptime = 20,
     .rtcp_mux = true},
    {.mtype = SX_SDP_MEDIA_VIDEO,
     .codecs = vcodecs,
     .ncodecs = 1,
     .port = 20002,
     .dtmf_pt = -1},
};

/* Our output must always be valid SDP. */
static void check_ours(const struct sx_buf *b)
{
	struct sx_sdp *sdp = NULL;
	if (sx_sdp_parse(&sdp, b->p, b->len, NULL))
		abort();
	sx_mem_unref(sdp);
}

static void run(const struct sx_sdp *peer, bool as_offer)
{
	struct sx_sdp_oa_prm prm = {.username = "fuzz",
	                            .sess_id = 1,
	                            .addr = "192.0.2.1",
	                            .caps = caps,
	                            .ncaps = 2,
	                            .prefer_local = !as_offer};
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	if (sx_sdp_oa_alloc(&oa, &prm))
		goto out;
	if (as_offer) {
		if (!sx_sdp_oa_answer(oa, peer, &b, &res))
			check_ours(&b);
		sx_buf_reset(&b);
		/* then a re-offer from us must be consistent */
		if (!sx_sdp_oa_offer(oa, &b))
			check_ours(&b);
	} else if (!sx_sdp_oa_offer(oa, &b)) {
		check_ours(&b);
		int rc = sx_sdp_oa_answer_process(oa, peer, &res);
		if (rc && rc != -EPROTO)
			abort();
		if (!rc && res.naccepted > res.nstreams)
			abort();
	}
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sx_sdp *peer = NULL;

	if (sx_sdp_parse(&peer, (const char *)data, size, NULL))
		return 0;
	run(peer, true);
	run(peer, false);
	sx_mem_unref(peer);
	return 0;
}
