/*
 * Unit tests for lib/sdp offer/answer (RFC 3264): answers to offers as
 * sent by sipp, baresip, desk phones and the RFC 4317 examples (audio
 * only, audio+video with video rejected, no common codec, dynamic payload
 * type mapping, telephone-event present/absent, hold/resume, re-offer
 * version rules) and processing answers to our offers.
 */
#include <sx/sdp/oa.h>
#include <sx/sdp/sdp.h>
#include <sx/util/buf.h>
#include <sx/util/mem.h>

#include "ut.h"

/* A failing call under OOM injection ends the case with -ENOMEM. */
#define EXPECT_RC(expected, expr)                                              \
	do {                                                                   \
		int rc_ = (expr);                                              \
		if (rc_ == -ENOMEM && ut_oom_mode()) {                         \
			err = -ENOMEM;                                         \
			goto out;                                              \
		}                                                              \
		UT_EQ(expected, rc_);                                          \
	} while (0)

static const struct sx_sdp_oa_codec audio_codecs[] = {
    {"PCMU", 8000, 1, NULL, 0},
    {"PCMA", 8000, 1, NULL, 8},
    {"opus", 48000, 2, "useinbandfec=1", 96},
    {"G722", 8000, 1, NULL, 9},
};

static const struct sx_sdp_oa_cap audio_cap[] = {{
    .mtype = SX_SDP_MEDIA_AUDIO,
    .codecs = audio_codecs,
    .ncodecs = SX_ARRAY_SIZE(audio_codecs),
    .port = 20000,
    .dtmf_pt = 101,
    .ptime = 20,
}};

static const struct sx_sdp_oa_codec pcma_only[] = {{"PCMA", 8000, 1, NULL, 8}};

static const struct sx_sdp_oa_cap pcma_nodtmf_cap[] = {{
    .mtype = SX_SDP_MEDIA_AUDIO,
    .codecs = pcma_only,
    .ncodecs = 1,
    .port = 20000,
    .dtmf_pt = -1,
}};

static const struct sx_sdp_oa_codec ulaw_only[] = {{"PCMU", 8000, 1, NULL, 0}};

static const struct sx_sdp_oa_cap mux_cap[] = {{
    .mtype = SX_SDP_MEDIA_AUDIO,
    .codecs = ulaw_only,
    .ncodecs = 1,
    .port = 20000,
    .dtmf_pt = 101,
    .dtmf_events = "0-15",
    .rtcp_mux = true,
}};

#define SDP_HEAD                                                               \
	"v=0\r\no=sipxecs 1000 1000 IN IP4 10.0.0.1\r\ns=-\r\n"                \
	"c=IN IP4 10.0.0.1\r\nt=0 0\r\n"
#define SDP_HEAD_V(v)                                                          \
	"v=0\r\no=sipxecs 1000 " v " IN IP4 10.0.0.1\r\ns=-\r\n"               \
	"c=IN IP4 10.0.0.1\r\nt=0 0\r\n"

/* An offer from sipp with a direction line and o= version. */
#define SIPP(ver, extra)                                                       \
	"v=0\r\no=sipp 53655765 " ver " IN IP4 127.0.0.1\r\ns=-\r\n"           \
	"c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0 101\r\n"        \
	"a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"        \
	"a=fmtp:101 0-15\r\na=ptime:20\r\n" extra

/* RFC 4317 2.1 offer. */
static const char rfc4317_offer[] =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n"
    "s=\r\n"
    "c=IN IP4 host.atlanta.example.com\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 97\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:97 iLBC/8000\r\n"
    "m=video 51372 RTP/AVP 31 32\r\n"
    "a=rtpmap:31 H261/90000\r\n"
    "a=rtpmap:32 MPV/90000\r\n";

/* Our offer with audio_cap, version @v, direction @dir. */
#define OUR_OFFER(v, dir)                                                      \
	SDP_HEAD_V(v)                                                          \
	"m=audio 20000 RTP/AVP 0 8 96 9 101\r\n"                               \
	"a=rtpmap:0 PCMU/8000\r\n"                                             \
	"a=rtpmap:8 PCMA/8000\r\n"                                             \
	"a=rtpmap:96 opus/48000/2\r\n"                                         \
	"a=fmtp:96 useinbandfec=1\r\n"                                         \
	"a=rtpmap:9 G722/8000\r\n"                                             \
	"a=rtpmap:101 telephone-event/8000\r\n"                                \
	"a=fmtp:101 0-16\r\n"                                                  \
	"a=ptime:20\r\n"                                                       \
	"a=" dir "\r\n"

/* A baresip-style answer to OUR_OFFER. */
#define PEER_ANSWER(ver, extra)                                                \
	"v=0\r\no=- 77 " ver " IN IP4 192.0.2.50\r\ns=-\r\n"                   \
	"c=IN IP4 192.0.2.50\r\nt=0 0\r\n"                                     \
	"m=audio 30000 RTP/AVP 109 120\r\n"                                    \
	"a=rtpmap:109 opus/48000/2\r\n"                                        \
	"a=rtpmap:120 telephone-event/8000\r\n" extra

static int oa_new(struct sx_sdp_oa **oap, const struct sx_sdp_oa_cap *caps,
                  size_t ncaps, bool prefer_local, bool single)
{
	struct sx_sdp_oa_prm prm = {
	    .username = "sipxecs",
	    .sess_id = 1000,
	    .sess_version = 1000,
	    .addr = "10.0.0.1",
	    .caps = caps,
	    .ncaps = ncaps,
	    .prefer_local = prefer_local,
	    .single_codec = single,
	};
	return sx_sdp_oa_alloc(oap, &prm);
}

/* Parse @offer and answer it into @out (reset first). */
static int answer_cstr(struct sx_sdp_oa *oa, const char *offer,
                       struct sx_buf *out, struct sx_sdp_oa_result *res)
{
	struct sx_sdp *sdp = NULL;
	int err = sx_sdp_parse(&sdp, offer, strlen(offer), NULL);
	sx_buf_reset(out);
	if (!err)
		err = sx_sdp_oa_answer(oa, sdp, out, res);
	sx_mem_unref(sdp);
	return err;
}

static int process_cstr(struct sx_sdp_oa *oa, const char *answer,
                        struct sx_sdp_oa_result *res)
{
	struct sx_sdp *sdp = NULL;
	int err = sx_sdp_parse(&sdp, answer, strlen(answer), NULL);
	if (!err)
		err = sx_sdp_oa_answer_process(oa, sdp, res);
	sx_mem_unref(sdp);
	return err;
}

static int offer_into(struct sx_sdp_oa *oa, struct sx_buf *out)
{
	sx_buf_reset(out);
	return sx_sdp_oa_offer(oa, out);
}

/* -- cases --------------------------------------------------------------- */

static int test_oa_audio_only(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(oa_new(&oa, audio_cap, 1, false, false));
	UT_OK(answer_cstr(oa, SIPP("1", ""), &b, &res));
	UT_STR_EQ(SDP_HEAD "m=audio 20000 RTP/AVP 0 101\r\n"
	                   "a=rtpmap:0 PCMU/8000\r\n"
	                   "a=rtpmap:101 telephone-event/8000\r\n"
	                   "a=fmtp:101 0-16\r\n"
	                   "a=ptime:20\r\n"
	                   "a=sendrecv\r\n",
	          b.p);
	UT_EQ(1, res.nstreams);
	UT_EQ(1, res.naccepted);
	UT_TRUE(res.remote_changed);
	const struct sx_sdp_oa_stream *st = &res.streams[0];
	UT_TRUE(st->accepted);
	UT_TRUE(st->cap == &audio_cap[0]);
	UT_EQ(0, st->codec);
	UT_EQ(0, st->tx_pt);
	UT_EQ(0, st->rx_pt);
	UT_EQ(101, st->tx_dtmf_pt);
	UT_EQ(101, st->rx_dtmf_pt);
	UT_EQ(SX_SDP_AF_IP4, st->af);
	UT_STR_EQ("127.0.0.1", st->raddr);
	UT_EQ(6000, st->rport);
	UT_EQ(6001, st->rtcp_port);
	UT_STR_EQ("127.0.0.1", st->rtcp_addr);
	UT_EQ(SX_SDP_DIR_SENDRECV, st->dir);
	UT_TRUE(!st->remote_hold);
	UT_EQ(20, st->ptime);
	UT_EQ(1000, sx_sdp_oa_version(oa));
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

static int test_oa_video_rejected(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(oa_new(&oa, audio_cap, 1, false, false));
	UT_OK(answer_cstr(oa, rfc4317_offer, &b, &res));
	UT_STR_EQ(SDP_HEAD "m=audio 20000 RTP/AVP 0 8\r\n"
	                   "a=rtpmap:0 PCMU/8000\r\n"
	                   "a=rtpmap:8 PCMA/8000\r\n"
	                   "a=ptime:20\r\n"
	                   "a=sendrecv\r\n"
	                   "m=video 0 RTP/AVP 31\r\n",
	          b.p);
	UT_EQ(2, res.nstreams);
	UT_EQ(1, res.naccepted);
	UT_EQ(-1, res.streams[0].tx_dtmf_pt); /* none offered */
	UT_STR_EQ("host.atlanta.example.com", res.streams[0].raddr);
	UT_EQ(49171, res.streams[0].rtcp_port);
	UT_TRUE(!res.streams[1].accepted);
	UT_EQ(SX_SDP_MEDIA_VIDEO, res.streams[1].mtype);
	UT_EQ(-1, res.streams[1].codec);
	UT_TRUE(res.streams[1].cap == NULL);

	/* the re-offer keeps the rejected line and the numbers in use */
	UT_OK(offer_into(oa, &b));
	UT_STR_EQ(SDP_HEAD_V("1001") "m=audio 20000 RTP/AVP 0 8 96 9 101\r\n"
	                             "a=rtpmap:0 PCMU/8000\r\n"
	                             "a=rtpmap:8 PCMA/8000\r\n"
	                             "a=rtpmap:96 opus/48000/2\r\n"
	                             "a=fmtp:96 useinbandfec=1\r\n"
	                             "a=rtpmap:9 G722/8000\r\n"
	                             "a=rtpmap:101 telephone-event/8000\r\n"
	                             "a=fmtp:101 0-16\r\n"
	                             "a=ptime:20\r\n"
	                             "a=sendrecv\r\n"
	                             "m=video 0 RTP/AVP 31\r\n",
	          b.p);
	/* an answer must have both m= lines */
	EXPECT_RC(-EPROTO, process_cstr(oa, PEER_ANSWER("1", ""), &res));
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

static int test_oa_no_common_codec(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(oa_new(&oa, audio_cap, 1, false, false));
	/* G.729 and G.723 by static number only; CN alone is no codec */
	UT_OK(answer_cstr(oa,
	                  "v=0\r\no=- 5 5 IN IP4 192.0.2.7\r\ns=-\r\n"
	                  "c=IN IP4 192.0.2.7\r\nt=0 0\r\n"
	                  "m=audio 4000 RTP/AVP 18 4 13 101\r\n"
	                  "a=rtpmap:101 telephone-event/8000\r\n",
	                  &b, &res));
	UT_STR_EQ(SDP_HEAD "m=audio 0 RTP/AVP 18\r\n", b.p);
	UT_EQ(0, res.naccepted);
	UT_TRUE(!res.streams[0].accepted);
	/* SRTP and a disabled stream are rejected too */
	UT_OK(answer_cstr(oa,
	                  "v=0\r\no=- 5 6 IN IP4 192.0.2.7\r\ns=-\r\n"
	                  "c=IN IP4 192.0.2.7\r\nt=0 0\r\n"
	                  "m=audio 4000 RTP/SAVP 0\r\n"
	                  "m=audio 0 RTP/AVP 0\r\n"
	                  "m=audio 4002 RTP/AVP 0\r\n",
	                  &b, &res));
	UT_STR_EQ(SDP_HEAD_V("1001") "m=audio 0 RTP/SAVP 0\r\n"
	                             "m=audio 0 RTP/AVP 0\r\n"
	                             "m=audio 20000 RTP/AVP 0\r\n"
	                             "a=rtpmap:0 PCMU/8000\r\n"
	                             "a=ptime:20\r\n"
	                             "a=sendrecv\r\n",
	          b.p);
	UT_EQ(1, res.naccepted);
	UT_TRUE(res.streams[2].accepted);
	UT_EQ(4002, res.streams[2].rport);
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

/* Two audio m= lines and one audio capability: the second is rejected. */
static int test_oa_two_audio_streams(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(oa_new(&oa, pcma_nodtmf_cap, 1, false, false));
	UT_OK(answer_cstr(oa,
	                  "v=0\r\no=- 5 5 IN IP4 192.0.2.7\r\ns=-\r\n"
	                  "c=IN IP4 192.0.2.7\r\nt=0 0\r\n"
	                  "m=audio 4000 RTP/AVP 8\r\n"
	                  "m=audio 4002 RTP/AVP 8\r\n",
	                  &b, &res));
	UT_STR_EQ(SDP_HEAD "m=audio 20000 RTP/AVP 8\r\n"
	                   "a=rtpmap:8 PCMA/8000\r\n"
	                   "a=sendrecv\r\n"
	                   "m=audio 0 RTP/AVP 8\r\n",
	          b.p);
	UT_EQ(1, res.naccepted);
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

static int test_oa_dynamic_pt(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;
	static const char offer[] = "v=0\r\no=- 9 9 IN IP4 192.0.2.8\r\ns=-\r\n"
	                            "c=IN IP4 192.0.2.8\r\nt=0 0\r\n"
	                            "m=audio 5000 RTP/AVP 111 0 101 100\r\n"
	                            "a=rtpmap:111 OPUS/48000/2\r\n"
	                            "a=fmtp:111 minptime=10\r\n"
	                            "a=rtpmap:0 PCMU/8000\r\n"
	                            "a=rtpmap:101 telephone-event/8000\r\n"
	                            "a=rtpmap:100 telephone-event/48000\r\n";

	sx_buf_init(&b, 0);
	/* offer order: opus (as 111, name matched case-insensitively) */
	UT_OK(oa_new(&oa, audio_cap, 1, false, false));
	UT_OK(answer_cstr(oa, offer, &b, &res));
	UT_STR_EQ(SDP_HEAD "m=audio 20000 RTP/AVP 111 0 100\r\n"
	                   "a=rtpmap:111 OPUS/48000/2\r\n"
	                   "a=fmtp:111 useinbandfec=1\r\n"
	                   "a=rtpmap:0 PCMU/8000\r\n"
	                   "a=rtpmap:100 telephone-event/48000\r\n"
	                   "a=fmtp:100 0-16\r\n"
	                   "a=ptime:20\r\n"
	                   "a=sendrecv\r\n",
	          b.p);
	const struct sx_sdp_oa_stream *st = &res.streams[0];
	UT_EQ(2, st->codec); /* opus in audio_codecs */
	UT_EQ(111, st->tx_pt);
	UT_EQ(111, st->rx_pt);
	UT_STR_EQ("minptime=10", st->fmtp);
	UT_EQ(100, st->tx_dtmf_pt);
	sx_mem_unref(oa);
	oa = NULL;

	/* our order: PCMU first, telephone-event at its 8000 Hz */
	UT_OK(oa_new(&oa, audio_cap, 1, true, false));
	UT_OK(answer_cstr(oa, offer, &b, &res));
	UT_STR_EQ(SDP_HEAD "m=audio 20000 RTP/AVP 0 111 101\r\n"
	                   "a=rtpmap:0 PCMU/8000\r\n"
	                   "a=rtpmap:111 OPUS/48000/2\r\n"
	                   "a=fmtp:111 useinbandfec=1\r\n"
	                   "a=rtpmap:101 telephone-event/8000\r\n"
	                   "a=fmtp:101 0-16\r\n"
	                   "a=ptime:20\r\n"
	                   "a=sendrecv\r\n",
	          b.p);
	UT_EQ(0, res.streams[0].codec);
	UT_EQ(101, res.streams[0].rx_dtmf_pt);
	sx_mem_unref(oa);
	oa = NULL;

	/* one codec only */
	UT_OK(oa_new(&oa, audio_cap, 1, true, true));
	UT_OK(answer_cstr(oa, offer, &b, &res));
	UT_STR_EQ(SDP_HEAD "m=audio 20000 RTP/AVP 0 101\r\n"
	                   "a=rtpmap:0 PCMU/8000\r\n"
	                   "a=rtpmap:101 telephone-event/8000\r\n"
	                   "a=fmtp:101 0-16\r\n"
	                   "a=ptime:20\r\n"
	                   "a=sendrecv\r\n",
	          b.p);
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

/* A static codec under a dynamic number, and static numbers without
 * rtpmap (RFC 3551 table). */
static int test_oa_static_pt(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(oa_new(&oa, pcma_nodtmf_cap, 1, false, false));
	UT_OK(answer_cstr(oa,
	                  "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=-\r\n"
	                  "c=IN IP4 192.0.2.7\r\nt=0 0\r\n"
	                  "m=audio 4000 RTP/AVP 18 8 101\r\n"
	                  "a=rtpmap:101 telephone-event/8000\r\n",
	                  &b, &res));
	UT_STR_EQ(SDP_HEAD "m=audio 20000 RTP/AVP 8\r\n"
	                   "a=rtpmap:8 PCMA/8000\r\n"
	                   "a=sendrecv\r\n",
	          b.p);
	UT_EQ(8, res.streams[0].tx_pt);
	UT_EQ(-1, res.streams[0].tx_dtmf_pt); /* we have no DTMF */
	UT_OK(answer_cstr(oa,
	                  "v=0\r\no=- 1 2 IN IP4 192.0.2.7\r\ns=-\r\n"
	                  "c=IN IP4 192.0.2.7\r\nt=0 0\r\n"
	                  "m=audio 4000 RTP/AVP 98\r\n"
	                  "a=rtpmap:98 pcma/8000\r\n",
	                  &b, &res));
	UT_STR_EQ(SDP_HEAD_V("1001") "m=audio 20000 RTP/AVP 98\r\n"
	                             "a=rtpmap:98 pcma/8000\r\n"
	                             "a=sendrecv\r\n",
	          b.p);
	UT_EQ(98, res.streams[0].rx_pt);
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

static int test_oa_telephone_event(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	/* present, answered with our event list and rtcp-mux */
	UT_OK(oa_new(&oa, mux_cap, 1, false, false));
	UT_OK(answer_cstr(oa, SIPP("1", "a=rtcp-mux\r\n"), &b, &res));
	UT_STR_EQ(SDP_HEAD "m=audio 20000 RTP/AVP 0 101\r\n"
	                   "a=rtpmap:0 PCMU/8000\r\n"
	                   "a=rtpmap:101 telephone-event/8000\r\n"
	                   "a=fmtp:101 0-15\r\n"
	                   "a=rtcp-mux\r\n"
	                   "a=sendrecv\r\n",
	          b.p);
	UT_TRUE(res.streams[0].rtcp_mux);
	UT_EQ(6000, res.streams[0].rtcp_port);
	UT_EQ(101, res.streams[0].rx_dtmf_pt);
	/* absent: a re-offer without it */
	UT_OK(answer_cstr(oa,
	                  "v=0\r\no=sipp 53655765 2 IN IP4 127.0.0.1\r\n"
	                  "s=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	                  "m=audio 6000 RTP/AVP 0\r\n",
	                  &b, &res));
	UT_STR_EQ(SDP_HEAD_V("1001") "m=audio 20000 RTP/AVP 0\r\n"
	                             "a=rtpmap:0 PCMU/8000\r\n"
	                             "a=sendrecv\r\n",
	          b.p);
	UT_EQ(-1, res.streams[0].tx_dtmf_pt);
	UT_EQ(-1, res.streams[0].rx_dtmf_pt);
	UT_TRUE(!res.streams[0].rtcp_mux);
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

/* The peer holds us and resumes (RFC 3264 8.4, RFC 4317 3.1). */
static int test_oa_remote_hold(void)
{
	static const struct {
		const char *offer;
		const char *dir; /* our answer's direction */
		const char *ver; /* our o= version */
		enum sx_sdp_dir res_dir;
		bool hold, changed;
	} t[] = {
	    {SIPP("1", ""), "sendrecv", "1000", SX_SDP_DIR_SENDRECV, false,
	     true},
	    {SIPP("2", "a=sendonly\r\n"), "recvonly", "1001",
	     SX_SDP_DIR_RECVONLY, true, true},
	    /* same version again: same answer, no bump */
	    {SIPP("2", "a=sendonly\r\n"), "recvonly", "1001",
	     SX_SDP_DIR_RECVONLY, true, false},
	    /* RFC 2543 hold: c=0.0.0.0, same answer as above */
	    {"v=0\r\no=sipp 53655765 3 IN IP4 127.0.0.1\r\ns=-\r\n"
	     "c=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0 101\r\n"
	     "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
	     "a=fmtp:101 0-15\r\na=ptime:20\r\n",
	     "recvonly", "1001", SX_SDP_DIR_RECVONLY, true, true},
	    {SIPP("4", "a=inactive\r\n"), "inactive", "1002",
	     SX_SDP_DIR_INACTIVE, true, true},
	    {SIPP("5", "a=recvonly\r\n"), "sendonly", "1003",
	     SX_SDP_DIR_SENDONLY, false, true},
	    {SIPP("6", "a=sendrecv\r\n"), "sendrecv", "1004",
	     SX_SDP_DIR_SENDRECV, false, true},
	};
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b, want;

	sx_buf_init(&b, 0);
	sx_buf_init(&want, 0);
	UT_OK(oa_new(&oa, audio_cap, 1, false, false));
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		UT_OK(answer_cstr(oa, t[i].offer, &b, &res));
		sx_buf_reset(&want);
		sx_buf_printf(&want,
		              "v=0\r\no=sipxecs 1000 %s IN IP4 10.0.0.1\r\n"
		              "s=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
		              "m=audio 20000 RTP/AVP 0 101\r\n"
		              "a=rtpmap:0 PCMU/8000\r\n"
		              "a=rtpmap:101 telephone-event/8000\r\n"
		              "a=fmtp:101 0-16\r\na=ptime:20\r\na=%s\r\n",
		              t[i].ver, t[i].dir);
		UT_OK(sx_buf_err(&want));
		UT_STR_EQ(want.p, b.p);
		UT_EQ(t[i].res_dir, res.streams[0].dir);
		UT_EQ(t[i].hold, res.streams[0].remote_hold);
		UT_EQ(t[i].changed, res.remote_changed);
	}
out:
	sx_buf_fini(&want);
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

/* We offer, hold the peer, resume: the version moves only on change. */
static int test_oa_local_hold_reoffer(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(oa_new(&oa, audio_cap, 1, false, false));
	UT_OK(offer_into(oa, &b));
	UT_STR_EQ(OUR_OFFER("1000", "sendrecv"), b.p);
	EXPECT_RC(-EBUSY, offer_into(oa, &b));
	UT_OK(process_cstr(oa, PEER_ANSWER("1", ""), &res));
	UT_EQ(SX_SDP_DIR_SENDRECV, res.streams[0].dir);

	/* unchanged re-offer (session refresh): same version */
	UT_OK(offer_into(oa, &b));
	UT_STR_EQ(OUR_OFFER("1000", "sendrecv"), b.p);
	UT_OK(process_cstr(oa, PEER_ANSWER("1", ""), &res));
	UT_TRUE(!res.remote_changed);

	/* hold: sendonly, version + 1, same session id */
	sx_sdp_oa_set_dir(oa, SX_SDP_DIR_SENDONLY);
	UT_OK(offer_into(oa, &b));
	UT_STR_EQ(OUR_OFFER("1001", "sendonly"), b.p);
	UT_OK(process_cstr(oa, PEER_ANSWER("2", "a=recvonly\r\n"), &res));
	UT_EQ(SX_SDP_DIR_SENDONLY, res.streams[0].dir);
	UT_TRUE(!res.streams[0].remote_hold);
	UT_TRUE(res.remote_changed);

	/* resume */
	sx_sdp_oa_set_dir(oa, SX_SDP_DIR_SENDRECV);
	UT_OK(offer_into(oa, &b));
	UT_STR_EQ(OUR_OFFER("1002", "sendrecv"), b.p);
	UT_OK(process_cstr(oa, PEER_ANSWER("3", "a=sendrecv\r\n"), &res));
	UT_EQ(SX_SDP_DIR_SENDRECV, res.streams[0].dir);
	UT_EQ(1002, sx_sdp_oa_version(oa));
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

/* The peer answers with its own numbers (RFC 3264 6.1 "SHOULD"). */
static int test_oa_answer_remapped(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(oa_new(&oa, audio_cap, 1, false, false));
	UT_OK(offer_into(oa, &b));
	UT_OK(process_cstr(oa,
	                   PEER_ANSWER("1", "a=fmtp:109 stereo=1\r\n"
	                                    "a=rtcp:40000 IN IP4 192.0.2.99\r\n"
	                                    "a=ptime:40\r\n"),
	                   &res));
	const struct sx_sdp_oa_stream *st = &res.streams[0];
	UT_TRUE(st->accepted);
	UT_EQ(2, st->codec);
	UT_EQ(109, st->tx_pt);
	UT_EQ(96, st->rx_pt);
	UT_STR_EQ("stereo=1", st->fmtp);
	UT_EQ(120, st->tx_dtmf_pt);
	UT_EQ(101, st->rx_dtmf_pt);
	UT_STR_EQ("192.0.2.50", st->raddr);
	UT_EQ(30000, st->rport);
	UT_STR_EQ("192.0.2.99", st->rtcp_addr);
	UT_EQ(40000, st->rtcp_port);
	UT_EQ(40, st->ptime);
	/* no offer outstanding any more */
	EXPECT_RC(-EINVAL, process_cstr(oa, PEER_ANSWER("1", ""), &res));
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

/* A rejecting answer, or one without any codec of ours. */
static int test_oa_answer_rejected(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(oa_new(&oa, audio_cap, 1, false, false));
	UT_OK(offer_into(oa, &b));
	UT_OK(process_cstr(oa,
	                   "v=0\r\no=- 1 1 IN IP4 192.0.2.50\r\ns=-\r\n"
	                   "t=0 0\r\nm=audio 0 RTP/AVP 0\r\n",
	                   &res));
	UT_EQ(0, res.naccepted);
	UT_OK(offer_into(oa, &b));
	UT_OK(process_cstr(oa,
	                   "v=0\r\no=- 1 2 IN IP4 192.0.2.50\r\ns=-\r\n"
	                   "t=0 0\r\nm=audio 3000 RTP/AVP 18\r\n",
	                   &res));
	UT_EQ(0, res.naccepted);
	/* wrong media type on the line: protocol error, offer stays */
	UT_OK(offer_into(oa, &b));
	EXPECT_RC(-EPROTO, process_cstr(oa,
	                                "v=0\r\no=- 1 3 IN IP4 192.0.2.50\r\n"
	                                "s=-\r\nt=0 0\r\n"
	                                "m=video 3000 RTP/AVP 31\r\n",
	                                &res));
	EXPECT_RC(-EBUSY, answer_cstr(oa, SIPP("1", ""), &b, &res));
	sx_sdp_oa_offer_cancel(oa);
	UT_OK(answer_cstr(oa, SIPP("1", ""), &b, &res));
	UT_EQ(1, res.naccepted);
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

/* Numbers the peer gave to other codecs stay theirs in our re-offer. */
static int test_oa_reoffer_pt_reserved(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(oa_new(&oa, audio_cap, 1, false, false));
	UT_OK(answer_cstr(oa,
	                  "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=-\r\n"
	                  "c=IN IP4 192.0.2.7\r\nt=0 0\r\n"
	                  "m=audio 4000 RTP/AVP 0 96\r\n"
	                  "a=rtpmap:96 telephone-event/8000\r\n",
	                  &b, &res));
	UT_EQ(96, res.streams[0].tx_dtmf_pt);
	UT_OK(offer_into(oa, &b));
	UT_STR_EQ(SDP_HEAD_V("1001") "m=audio 20000 RTP/AVP 0 8 97 9 96\r\n"
	                             "a=rtpmap:0 PCMU/8000\r\n"
	                             "a=rtpmap:8 PCMA/8000\r\n"
	                             "a=rtpmap:97 opus/48000/2\r\n"
	                             "a=fmtp:97 useinbandfec=1\r\n"
	                             "a=rtpmap:9 G722/8000\r\n"
	                             "a=rtpmap:96 telephone-event/8000\r\n"
	                             "a=fmtp:96 0-16\r\n"
	                             "a=ptime:20\r\n"
	                             "a=sendrecv\r\n",
	          b.p);
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

/* Hostile offers: the same number twice, no address, IPv6. */
static int test_oa_odd_offers(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_result res;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(oa_new(&oa, audio_cap, 1, false, false));
	UT_OK(answer_cstr(oa,
	                  "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=-\r\nt=0 0\r\n"
	                  "m=audio 4000 RTP/AVP 0 0 8\r\n"
	                  "a=rtpmap:0 telephone-event/8000\r\n",
	                  &b, &res));
	UT_STR_EQ(SDP_HEAD "m=audio 20000 RTP/AVP 0 8\r\n"
	                   "a=rtpmap:0 PCMU/8000\r\n"
	                   "a=rtpmap:8 PCMA/8000\r\n"
	                   "a=ptime:20\r\n"
	                   "a=sendrecv\r\n",
	          b.p);
	UT_EQ(SX_SDP_AF_NONE, res.streams[0].af);
	UT_STR_EQ("", res.streams[0].raddr);
	UT_OK(
	    answer_cstr(oa,
	                "v=0\r\no=- 1 2 IN IP6 2001:db8::7\r\ns=-\r\nt=0 0\r\n"
	                "m=audio 65535 RTP/AVP 8\r\nc=IN IP6 2001:db8::7\r\n",
	                &b, &res));
	UT_EQ(SX_SDP_AF_IP6, res.streams[0].af);
	UT_STR_EQ("2001:db8::7", res.streams[0].raddr);
	UT_EQ(0, res.streams[0].rtcp_port); /* no port + 1 */
out:
	sx_buf_fini(&b);
	sx_mem_unref(oa);
	return err;
}

static int test_oa_bad_args(void)
{
	int err = 0;
	struct sx_sdp_oa *oa = NULL;
	struct sx_sdp_oa_prm prm = {
	    .addr = "10.0.0.1", .caps = audio_cap, .ncaps = 1};
	static const struct sx_sdp_oa_codec bad_codec[] = {
	    {NULL, 8000, 1, NULL, 0}};
	struct sx_sdp_oa_cap bad_cap = audio_cap[0];

	EXPECT_RC(-EINVAL, sx_sdp_oa_alloc(NULL, &prm));
	prm.addr = NULL;
	EXPECT_RC(-EINVAL, sx_sdp_oa_alloc(&oa, &prm));
	prm.addr = "not an address";
	UT_OK(sx_sdp_oa_alloc(&oa, &prm));
	struct sx_buf b;
	sx_buf_init(&b, 0);
	err = sx_sdp_oa_offer(oa, &b); /* the builder refuses the address */
	sx_buf_fini(&b);
	if (err == -ENOMEM)
		goto out;
	UT_EQ(-EINVAL, err);
	err = 0;
	oa = sx_mem_unref(oa);
	prm.addr = "10.0.0.1";
	prm.ncaps = 0;
	EXPECT_RC(-EINVAL, sx_sdp_oa_alloc(&oa, &prm));
	bad_cap.codecs = bad_codec;
	bad_cap.ncodecs = 1;
	prm.caps = &bad_cap;
	prm.ncaps = 1;
	EXPECT_RC(-EINVAL, sx_sdp_oa_alloc(&oa, &prm));
	UT_TRUE(oa == NULL);
out:
	sx_mem_unref(oa);
	return err;
}

UT_MAIN(UT_C(test_oa_audio_only), UT_C(test_oa_video_rejected),
        UT_C(test_oa_no_common_codec), UT_C(test_oa_two_audio_streams),
        UT_C(test_oa_dynamic_pt), UT_C(test_oa_static_pt),
        UT_C(test_oa_telephone_event), UT_C(test_oa_remote_hold),
        UT_C(test_oa_local_hold_reoffer), UT_C(test_oa_answer_remapped),
        UT_C(test_oa_answer_rejected), UT_C(test_oa_reoffer_pt_reserved),
        UT_C(test_oa_odd_offers), UT_C(test_oa_bad_args))
