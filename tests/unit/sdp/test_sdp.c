/*
 * Unit tests for lib/sdp parse, print and builder (RFC 4566): tables of
 * valid and invalid descriptions (RFC 4317 and RFC 3264 10.1 examples,
 * RFC 5118 IPv6 bodies, SDPs as sent by sipp, baresip and desk phones),
 * the typed attribute view, guard-page runs, print round trips and the
 * builder's byte-exact output.
 */
#include <stdlib.h>

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

static int parse_cstr(struct sx_sdp **sdpp, const char *s)
{
	return sx_sdp_parse(sdpp, s, strlen(s), NULL);
}

/* -- test data ---------------------------------------------------------- */

/* RFC 4317 2.1: Alice's offer (audio PCMU/PCMA/iLBC, video H261/MPV). */
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

/* After RFC 4317 2.1: an answer taking PCMU and MPV. */
static const char rfc4317_answer[] =
    "v=0\r\n"
    "o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\n"
    "s=\r\n"
    "c=IN IP4 host.biloxi.example.com\r\n"
    "t=0 0\r\n"
    "m=audio 49174 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "m=video 49170 RTP/AVP 32\r\n"
    "a=rtpmap:32 MPV/90000\r\n";

/* After RFC 4317 3.1: a hold re-offer (sendonly, version bumped). */
static const char rfc4317_hold[] =
    "v=0\r\n"
    "o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\n"
    "s=\r\n"
    "c=IN IP4 host.atlanta.example.com\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 97\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:97 iLBC/8000\r\n"
    "a=sendonly\r\n";

/* RFC 3264 10.1: Bob's re-offer adding a recvonly events stream. */
static const char rfc3264_reoffer[] =
    "v=0\r\n"
    "o=bob 2890844730 2890844731 IN IP4 host.example.com\r\n"
    "s=\r\n"
    "c=IN IP4 host.example.com\r\n"
    "t=0 0\r\n"
    "m=audio 65422 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "m=video 0 RTP/AVP 31\r\n"
    "m=video 53000 RTP/AVP 32\r\n"
    "a=rtpmap:32 MPV/90000\r\n"
    "m=audio 51434 RTP/AVP 110\r\n"
    "a=rtpmap:110 telephone-events/8000\r\n"
    "a=recvonly\r\n";

/* sipp's uac-rtpstream offer. */
static const char sipp_offer[] =
    "v=0\r\n"
    "o=sipp 53655765 2353687637 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 6000 RTP/AVP 0 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=ptime:20\r\n";

/* baresip with opus, a=tool and session attributes after t=. */
static const char baresip_offer[] =
    "v=0\r\n"
    "o=- 3973070478 208142209 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "a=tool:baresip 3.10.1\r\n"
    "m=audio 34718 RTP/AVP 96 0 8 101\r\n"
    "b=AS:64\r\n"
    "a=rtpmap:96 opus/48000/2\r\n"
    "a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=sendrecv\r\n"
    "a=label:1\r\n"
    "a=rtcp-rsize\r\n"
    "a=ptime:20\r\n";

/* A desk phone (Polycom-like): c= after t=, static G.729 without
 * rtpmap, G.722, fmtp for G.729, a=rtcp with an address. */
static const char phone_offer[] =
    "v=0\r\n"
    "o=- 1700000001 1700000001 IN IP4 198.51.100.7\r\n"
    "s=Polycom IP Phone\r\n"
    "t=0 0\r\n"
    "c=IN IP4 198.51.100.7\r\n"
    "a=sendrecv\r\n"
    "m=audio 2222 RTP/AVP 9 0 8 18 127\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=fmtp:18 annexb=no\r\n"
    "a=rtpmap:127 telephone-event/8000\r\n"
    "a=rtcp:2223 IN IP4 198.51.100.8\r\n";

/* WebRTC-ish: UDP/TLS/RTP/SAVPF, rtcp-mux, mid, IPv6, b=TIAS. */
static const char webrtc_offer[] =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP6 2001:db8::5\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n"
    "c=IN IP6 2001:db8::5\r\n"
    "b=TIAS:64000\r\n"
    "a=rtcp:9 IN IP6 ::\r\n"
    "a=mid:0\r\n"
    "a=sendrecv\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

/* Every line type, multicast, repeat and zone lines (RFC 4566 5). */
static const char full_session[] =
    "v=0\r\n"
    "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\n"
    "s=SDP Seminar\r\n"
    "i=A Seminar on the session description protocol\r\n"
    "u=http://www.example.com/seminars/sdp.pdf\r\n"
    "e=j.doe@example.com (Jane Doe)\r\n"
    "p=+1 617 555-6011\r\n"
    "c=IN IP4 224.2.17.12/127\r\n"
    "b=CT:128\r\n"
    "t=2873397496 2873404696\r\n"
    "r=7d 1h 0 25h\r\n"
    "z=2882844526 -1h 2898848070 0\r\n"
    "k=prompt\r\n"
    "a=recvonly\r\n"
    "m=audio 49170 RTP/AVP 0\r\n"
    "i=audio line\r\n"
    "m=video 51372/2 RTP/AVP 99\r\n"
    "c=IN IP4 224.2.1.1/127/3\r\n"
    "b=AS:256\r\n"
    "k=clear:secret\r\n"
    "a=rtpmap:99 h263-1998/90000\r\n";

struct valid_case {
	const char *name;
	const char *sdp;
	unsigned nmedia;
	uint16_t port0;  /* port of the first m= */
	unsigned nfmts0; /* formats on the first m= */
};

static const struct valid_case valid[] = {
    {"rfc4317 offer", rfc4317_offer, 2, 49170, 3},
    {"rfc4317 answer", rfc4317_answer, 2, 49174, 1},
    {"rfc4317 hold", rfc4317_hold, 1, 49170, 2},
    {"rfc3264 re-offer", rfc3264_reoffer, 4, 65422, 1},
    {"sipp", sipp_offer, 1, 6000, 2},
    {"baresip", baresip_offer, 1, 34718, 4},
    {"phone", phone_offer, 1, 2222, 5},
    {"webrtc", webrtc_offer, 1, 9, 2},
    {"full", full_session, 2, 49170, 1},
    {"LF only, no final newline",
     "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\n"
     "m=audio 4000 RTP/AVP 8",
     1, 4000, 1},
    {"blank lines and single-space s=",
     "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns= \r\n\r\nt=0 0\r\n"
     "m=audio 4000 RTP/AVP 0\r\n\r\n\r\n",
     1, 4000, 1},
    {"no t= (old gateway)",
     "v=0\r\no=- 1 1 IN IP4 gw.example.net\r\ns=-\r\n"
     "c=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n",
     1, 4000, 1},
    {"rejected m= without fmt",
     "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
     "m=audio 4000 RTP/AVP 0\r\nm=video 0 RTP/AVP\r\n",
     2, 4000, 1},
    {"no media", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=x\r\nt=0 0\r\n", 0, 0,
     0},
    {"t38 image udptl",
     "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
     "t=0 0\r\nm=image 4002 udptl t38\r\na=T38FaxVersion:0\r\n",
     1, 4002, 1},
    {"huge sess-id, other nettype",
     "v=0\r\no=u 123456789012345678901234567890 7 ATM NSAP 47.0091\r\n"
     "s=-\r\nt=0 0\r\n",
     0, 0, 0},
    {"ptime with fraction",
     "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
     "m=audio 4000 RTP/AVP 0\r\na=ptime:20.0\r\n",
     1, 4000, 1},
};

struct invalid_case {
	const char *name;
	const char *sdp;
	int rc;
};

#define HEAD  "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
#define AUDIO "m=audio 4000 RTP/AVP 0\r\n"

static const struct invalid_case invalid[] = {
    {"empty", "", -EBADMSG},
    {"v=1", "v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n", -EBADMSG},
    {"no v", "o=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n", -EBADMSG},
    {"only v", "v=0\r\n", -EBADMSG},
    {"s before o", "v=0\r\ns=-\r\no=- 1 1 IN IP4 192.0.2.1\r\n", -EBADMSG},
    {"o five fields", "v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n", -EBADMSG},
    {"o seven fields", "v=0\r\no=- 1 1 IN IP4 a.b.c x\r\ns=-\r\n", -EBADMSG},
    {"o bad version", "v=0\r\no=- 1 x IN IP4 192.0.2.1\r\ns=-\r\n", -EBADMSG},
    {"o bad sess-id", "v=0\r\no=- 1a 1 IN IP4 192.0.2.1\r\ns=-\r\n", -EBADMSG},
    {"no s", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n", -EBADMSG},
    {"two s", HEAD "s=again\r\n", -EBADMSG},
    {"no =", HEAD "t 0 0\r\n", -EBADMSG},
    {"space before =", HEAD "t =0 0\r\n", -EBADMSG},
    {"upper type", HEAD "T=0 0\r\n", -EBADMSG},
    {"unknown type", HEAD "x=foo\r\n", -EBADMSG},
    {"two session c", HEAD "c=IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.2\r\n",
     -EBADMSG},
    {"two media c", HEAD AUDIO "c=IN IP4 192.0.2.1\r\nc=IN IP4 1.2.3.4\r\n",
     -EBADMSG},
    {"c two fields", HEAD "c=IN IP4\r\n", -EBADMSG},
    {"c bad host", HEAD "c=IN IP4 bad_host!\r\n", -EBADMSG},
    {"c bad ip6", HEAD "c=IN IP6 1:2:3\r\n", -EBADMSG},
    {"c ip6 3 colons", HEAD "c=IN IP6 2001:db8:::192.0.2.1\r\n", -EBADMSG},
    {"c unicast ttl", HEAD "c=IN IP4 192.0.2.1/127\r\n", -EBADMSG},
    {"c ttl > 255", HEAD "c=IN IP4 224.2.1.1/256\r\n", -EBADMSG},
    {"c ip6 ttl and count", HEAD "c=IN IP6 ff15::101/3/2\r\n", -EBADMSG},
    {"c count 0", HEAD "c=IN IP4 224.2.1.1/16/0\r\n", -EBADMSG},
    {"t one field", HEAD "t=0\r\n", -EBADMSG},
    {"t three fields", HEAD "t=0 0 0\r\n", -EBADMSG},
    {"r without t", HEAD "r=7d 1h 0\r\n", -EBADMSG},
    {"r too short", HEAD "t=0 0\r\nr=7d 1h\r\n", -EBADMSG},
    {"r bad unit", HEAD "t=0 0\r\nr=7w 1h 0\r\n", -EBADMSG},
    {"z odd", HEAD "t=0 0\r\nz=2882844526\r\n", -EBADMSG},
    {"b no colon", HEAD "b=AS\r\n", -EBADMSG},
    {"b bad value", HEAD "b=AS:x\r\n", -EBADMSG},
    {"b empty type", HEAD "b=:64\r\n", -EBADMSG},
    {"a empty name", HEAD "a=:x\r\n", -EBADMSG},
    {"a name with space", HEAD "a=send recv\r\n", -EBADMSG},
    {"m port range", HEAD "m=audio 70000 RTP/AVP 0\r\n", -EBADMSG},
    {"m port text", HEAD "m=audio abc RTP/AVP 0\r\n", -EBADMSG},
    {"m ports 0", HEAD "m=audio 4000/0 RTP/AVP 0\r\n", -EBADMSG},
    {"m no fmt", HEAD "m=audio 4000 RTP/AVP\r\n", -EBADMSG},
    {"m no proto", HEAD "m=audio 4000\r\n", -EBADMSG},
    {"m pt 128", HEAD "m=audio 4000 RTP/AVP 128\r\n", -EBADMSG},
    {"m pt text", HEAD "m=audio 4000 RTP/AVP PCMU\r\n", -EBADMSG},
    {"session line after m", HEAD AUDIO "s=late\r\n", -EBADMSG},
    {"t after m", HEAD AUDIO "t=0 0\r\n", -EBADMSG},
    {"bare CR", HEAD "t=0 0\rm=audio 4000 RTP/AVP 0\r\n", -EBADMSG},
    {"CR CR LF", HEAD "t=0 0\r\r\n", -EBADMSG},
    {"rtpmap no rate", HEAD AUDIO "a=rtpmap:0 PCMU\r\n", -EBADMSG},
    {"rtpmap rate 0", HEAD AUDIO "a=rtpmap:0 PCMU/0\r\n", -EBADMSG},
    {"rtpmap channels", HEAD AUDIO "a=rtpmap:0 PCMU/8000/x\r\n", -EBADMSG},
    {"ptime text", HEAD AUDIO "a=ptime:abc\r\n", -EBADMSG},
    {"rtcp port range", HEAD AUDIO "a=rtcp:99999\r\n", -EBADMSG},
    {"rtcp bad addr", HEAD AUDIO "a=rtcp:4001 IN IP4\r\n", -EBADMSG},
    {"fmtp no fmt", HEAD AUDIO "a=fmtp:\r\n", -EBADMSG},
};

/* -- cases --------------------------------------------------------------- */

static int test_parse_rfc4317(void)
{
	int err = 0;
	struct sx_sdp *sdp = NULL;

	UT_OK(parse_cstr(&sdp, rfc4317_offer));
	UT_SL_EQ("alice", sdp->origin.username);
	UT_SL_EQ("2890844526", sdp->origin.sess_id);
	UT_EQ(2890844526ULL, sdp->origin.sess_version);
	UT_EQ(SX_SDP_AF_IP4, sdp->origin.addr.af);
	UT_TRUE(sdp->origin.addr.fqdn);
	UT_SL_EQ("host.atlanta.example.com", sdp->conn.addr);
	UT_TRUE(sx_sl_isset(sdp->name) && sdp->name.len == 0);
	UT_EQ(1, sdp->ntimes);
	UT_EQ(0, sdp->times->start);
	UT_EQ(2, sdp->nmedia);
	const struct sx_sdp_media *a = sdp->media[0], *v = sdp->media[1];
	UT_EQ(SX_SDP_MEDIA_AUDIO, a->mtype);
	UT_EQ(SX_SDP_PROTO_RTP_AVP, a->proto);
	UT_EQ(3, a->nfmts);
	UT_EQ(97, a->fmts[2].pt);
	UT_SL_EQ("iLBC", a->fmts[2].name);
	UT_EQ(8000, a->fmts[2].rate);
	UT_TRUE(a->fmts[2].rtpmap);
	UT_EQ(SX_SDP_MEDIA_VIDEO, v->mtype);
	UT_EQ(51372, v->port);
	UT_SL_EQ("MPV", v->fmts[1].name);
	UT_EQ(90000, v->fmts[1].rate);
	UT_EQ(SX_SDP_DIR_SENDRECV, sx_sdp_media_dir(sdp, a));
	UT_TRUE(sx_sdp_media_conn(sdp, v) == &sdp->conn);
out:
	sx_mem_unref(sdp);
	return err;
}

static int test_parse_valid(void)
{
	int err = 0;
	struct sx_sdp *sdp = NULL;

	for (size_t i = 0; i < SX_ARRAY_SIZE(valid); i++) {
		const struct valid_case *c = &valid[i];
		size_t len = strlen(c->sdp);
		char *g = ut_guard_copy(c->sdp, len);
		UT_TRUE(g != NULL);
		int rc = sx_sdp_parse(&sdp, g, len, NULL);
		ut_guard_free(g, len);
		if (rc && rc != -ENOMEM)
			fprintf(stderr, "  case \"%s\": %d\n", c->name, rc);
		UT_OK(rc);
		UT_EQ(c->nmedia, sdp->nmedia);
		if (c->nmedia) {
			UT_EQ(c->port0, sdp->media[0]->port);
			UT_EQ(c->nfmts0, sdp->media[0]->nfmts);
		}
		sdp = sx_mem_unref(sdp);
	}
out:
	sx_mem_unref(sdp);
	return err;
}

static int test_parse_invalid(void)
{
	int err = 0;
	struct sx_sdp *sdp = NULL;

	for (size_t i = 0; i < SX_ARRAY_SIZE(invalid); i++) {
		const struct invalid_case *c = &invalid[i];
		size_t len = strlen(c->sdp);
		char *g = ut_guard_copy(c->sdp, len);
		UT_TRUE(g != NULL);
		int rc = sx_sdp_parse(&sdp, g, len, NULL);
		ut_guard_free(g, len);
		if (rc != c->rc && rc != -ENOMEM)
			fprintf(stderr, "  case \"%s\": %d\n", c->name, rc);
		EXPECT_RC(c->rc, rc);
		UT_TRUE(sdp == NULL);
	}
	/* NUL inside a line */
	static const char nul[] = HEAD "t=0\0 0\r\n";
	EXPECT_RC(-EBADMSG, sx_sdp_parse(&sdp, nul, sizeof(nul) - 1, NULL));
	EXPECT_RC(-EINVAL, sx_sdp_parse(NULL, nul, 3, NULL));
	EXPECT_RC(-EINVAL, sx_sdp_parse(&sdp, NULL, 3, NULL));
out:
	sx_mem_unref(sdp);
	return err;
}

/* Append @n copies of @line to @b. */
static void repeat(struct sx_buf *b, const char *line, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sx_buf_put_cstr(b, line);
}

static int test_parse_limits(void)
{
	int err = 0;
	struct sx_sdp *sdp = NULL;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	/* exactly SX_SDP_MAX_MEDIA m= lines pass, one more does not */
	sx_buf_put_cstr(&b, HEAD);
	repeat(&b, AUDIO, SX_SDP_MAX_MEDIA);
	UT_OK(sx_buf_err(&b));
	UT_OK(sx_sdp_parse(&sdp, b.p, b.len, NULL));
	sdp = sx_mem_unref(sdp);
	sx_buf_put_cstr(&b, AUDIO);
	EXPECT_RC(-E2BIG, sx_sdp_parse(&sdp, b.p, b.len, NULL));

	/* formats per m= */
	sx_buf_reset(&b);
	sx_buf_put_cstr(&b, HEAD "m=audio 4000 RTP/AVP");
	for (unsigned i = 0; i <= SX_SDP_MAX_FMTS; i++)
		sx_buf_printf(&b, " %u", i);
	sx_buf_put_cstr(&b, "\r\n");
	EXPECT_RC(-E2BIG, sx_sdp_parse(&sdp, b.p, b.len, NULL));

	/* attributes per level */
	sx_buf_reset(&b);
	sx_buf_put_cstr(&b, HEAD AUDIO);
	repeat(&b, "a=x\r\n", SX_SDP_MAX_ATTRS + 1);
	EXPECT_RC(-E2BIG, sx_sdp_parse(&sdp, b.p, b.len, NULL));

	/* b= lines per level */
	sx_buf_reset(&b);
	sx_buf_put_cstr(&b, HEAD);
	repeat(&b, "b=AS:1\r\n", SX_SDP_MAX_BW + 1);
	EXPECT_RC(-E2BIG, sx_sdp_parse(&sdp, b.p, b.len, NULL));

	/* line count */
	sx_buf_reset(&b);
	sx_buf_put_cstr(&b, HEAD);
	repeat(&b, "e=a@b\r\n", SX_SDP_MAX_LINES);
	EXPECT_RC(-E2BIG, sx_sdp_parse(&sdp, b.p, b.len, NULL));

	/* line length */
	sx_buf_reset(&b);
	sx_buf_put_cstr(&b, HEAD "i=");
	repeat(&b, "x", SX_SDP_MAX_LINE_LEN);
	sx_buf_put_cstr(&b, "\r\n");
	EXPECT_RC(-E2BIG, sx_sdp_parse(&sdp, b.p, b.len, NULL));

	/* body size (never read: the length alone decides) */
	EXPECT_RC(-E2BIG, sx_sdp_parse(&sdp, HEAD, SX_SDP_MAX_LEN + 1, NULL));
	UT_OK(sx_buf_err(&b));
out:
	sx_buf_fini(&b);
	sx_mem_unref(sdp);
	return err;
}

static int test_parse_typed_view(void)
{
	int err = 0;
	struct sx_sdp *sdp = NULL;
	const struct sx_sdp_media *m;
	const struct sx_sdp_fmt *f;

	UT_OK(parse_cstr(&sdp, phone_offer));
	m = sdp->media[0];
	UT_EQ(SX_SDP_DIR_NONE, m->dir);
	UT_EQ(SX_SDP_DIR_SENDRECV, sdp->dir);
	UT_EQ(SX_SDP_DIR_SENDRECV, sx_sdp_media_dir(sdp, m));
	f = sx_sdp_fmt_find(m, 18); /* static, no rtpmap */
	UT_TRUE(f != NULL);
	UT_SL_EQ("G729", f->name);
	UT_EQ(8000, f->rate);
	UT_TRUE(!f->rtpmap);
	UT_SL_EQ("annexb=no", f->params);
	UT_TRUE(m->has_rtcp);
	UT_EQ(2223, m->rtcp_port);
	UT_SL_EQ("198.51.100.8", m->rtcp_conn.addr);
	UT_TRUE(sx_sdp_fmt_find(m, 101) == NULL);
	sdp = sx_mem_unref(sdp);

	UT_OK(parse_cstr(&sdp, webrtc_offer));
	m = sdp->media[0];
	UT_EQ(SX_SDP_PROTO_UDP_TLS_RTP_SAVPF, m->proto);
	UT_EQ(SX_SDP_AF_IP6, m->conn.af);
	UT_TRUE(m->rtcp_mux);
	UT_SL_EQ("0", m->mid);
	UT_TRUE(m->rtcp_conn.any);
	UT_EQ(SX_SDP_BW_TIAS, m->bw->kind);
	UT_EQ(64000, m->bw->value);
	f = sx_sdp_fmt_find(m, 111);
	UT_EQ(2, f->channels);
	UT_EQ(48000, f->rate);
	UT_SL_EQ("minptime=10;useinbandfec=1", f->params);
	UT_TRUE(sx_sdp_attr_find(sdp->attrs, SX_SL("GROUP")) != NULL);
	sdp = sx_mem_unref(sdp);

	UT_OK(parse_cstr(&sdp, full_session));
	UT_TRUE(sdp->conn.multicast);
	UT_EQ(127, sdp->conn.ttl);
	UT_EQ(SX_SDP_BW_CT, sdp->bw->kind);
	UT_EQ(SX_SDP_DIR_RECVONLY, sx_sdp_media_dir(sdp, sdp->media[0]));
	UT_SL_EQ("7d 1h 0 25h", sdp->times->repeats->value);
	UT_SL_EQ("2882844526 -1h 2898848070 0", sdp->zone);
	UT_SL_EQ("prompt", sdp->key);
	UT_EQ(2, sdp->nemails + sdp->nphones);
	m = sdp->media[1];
	UT_EQ(2, m->nports);
	UT_EQ(3, m->conn.naddr);
	UT_SL_EQ("clear:secret", m->key);
	UT_SL_EQ("h263-1998", m->fmts[0].name);
	sdp = sx_mem_unref(sdp);

	UT_OK(parse_cstr(&sdp, HEAD "c=IN IP4 0.0.0.0\r\nt=0 0\r\n" AUDIO
	                            "a=ptime:30\r\na=maxptime:60\r\n"
	                            "a=inactive\r\n"));
	UT_TRUE(sdp->conn.any);
	UT_EQ(30, sdp->media[0]->ptime);
	UT_EQ(60, sdp->media[0]->maxptime);
	UT_EQ(SX_SDP_DIR_INACTIVE, sx_sdp_media_dir(sdp, sdp->media[0]));
out:
	sx_mem_unref(sdp);
	return err;
}

/* Bodies of the RFC 5118 IPv6 torture messages (4.6, 4.8, 4.9). */
static int test_parse_rfc5118(void)
{
	static const struct {
		const char *file;
		enum sx_sdp_af audio, video;
	} t[] = {
	    {"ipv6-in-sdp.sip", SX_SDP_AF_IP6, SX_SDP_AF_IP6},
	    {"mult-ip-in-sdp.sip", SX_SDP_AF_IP4, SX_SDP_AF_IP6},
	    {"ipv4-mapped-ipv6.sip", SX_SDP_AF_IP6, SX_SDP_AF_IP6},
	};
	int err = 0;
	struct sx_sdp *sdp = NULL;
	char *msg = NULL;

	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		char path[512];
		size_t len;
		snprintf(path, sizeof(path), "%s/testdata/rfc5118/wire/%s",
		         SX_SHARED_DIR, t[i].file);
		msg = ut_read_file(path, &len);
		if (!msg)
			return UT_SKIP;
		const char *body = strstr(msg, "\r\n\r\n");
		UT_TRUE(body != NULL);
		body += 4;
		UT_OK(parse_cstr(&sdp, body));
		UT_EQ(2, sdp->nmedia);
		UT_EQ(t[i].audio, sx_sdp_media_conn(sdp, sdp->media[0])->af);
		UT_EQ(t[i].video, sx_sdp_media_conn(sdp, sdp->media[1])->af);
		sdp = sx_mem_unref(sdp);
		free(msg);
		msg = NULL;
	}
out:
	free(msg);
	sx_mem_unref(sdp);
	return err;
}

/* Every prefix of a realistic body parses or fails cleanly. */
static int test_parse_truncated(void)
{
	int err = 0;
	size_t len = strlen(baresip_offer);
	/* OOM mode re-runs the case per allocation: sample the prefixes */
	size_t step = ut_oom_mode() ? 29 : 1;

	for (size_t n = 0; n <= len; n += step) {
		struct sx_sdp *sdp = NULL;
		char *g = ut_guard_copy(baresip_offer, n);
		UT_TRUE(g != NULL);
		int rc = sx_sdp_parse(&sdp, g, n, NULL);
		ut_guard_free(g, n);
		sx_mem_unref(sdp);
		if (rc == -ENOMEM && ut_oom_mode())
			return -ENOMEM;
		UT_TRUE(rc == 0 || rc == -EBADMSG);
	}
out:
	return err;
}

static int test_parse_owner(void)
{
	int err = 0;
	struct sx_sdp *sdp = NULL;
	size_t len = strlen(sipp_offer);
	char *body = sx_mem_alloc(len, NULL);

	if (!body)
		return -ENOMEM;
	memcpy(body, sipp_offer, len);
	UT_OK(sx_sdp_parse(&sdp, body, len, body));
	UT_EQ(2, sx_mem_nrefs(body));
	body = sx_mem_unref(body);
	UT_SL_EQ("sipp", sdp->origin.username); /* still alive */
out:
	sx_mem_unref(body);
	sx_mem_unref(sdp);
	return err;
}

/* print(parse(x)) == x for bodies already in canonical form. */
static int test_print_roundtrip(void)
{
	static const char *const t[] = {
	    rfc4317_offer, rfc4317_answer, rfc4317_hold, rfc3264_reoffer,
	    sipp_offer,    baresip_offer,  full_session,
	};
	int err = 0;
	struct sx_sdp *sdp = NULL;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		sx_buf_reset(&b);
		UT_OK(parse_cstr(&sdp, t[i]));
		UT_OK(sx_sdp_print(&b, sdp));
		UT_STR_EQ(t[i], b.p);
		sdp = sx_mem_unref(sdp);
	}
	/* LF in, CRLF out; lines go back into RFC order; t= supplied */
	sx_buf_reset(&b);
	UT_OK(parse_cstr(&sdp, "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\n"
	                       "a=x\nc=IN IP4 192.0.2.1\n"
	                       "m=audio 4000 RTP/AVP 8"));
	UT_OK(sx_sdp_print(&b, sdp));
	UT_STR_EQ("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
	          "c=IN IP4 192.0.2.1\r\nt=0 0\r\na=x\r\n"
	          "m=audio 4000 RTP/AVP 8\r\n",
	          b.p);
out:
	sx_buf_fini(&b);
	sx_mem_unref(sdp);
	return err;
}

static int test_build(void)
{
	int err = 0;
	struct sx_sdp *sdp = NULL;
	struct sx_sdp_media *a, *v;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(sx_sdp_alloc(&sdp));
	UT_OK(sx_sdp_origin_set(sdp, SX_SL(""), 42, 7, SX_SL("2001:db8::1")));
	UT_OK(sx_sdp_name_set(sdp, SX_SL("")));
	UT_OK(sx_sdp_conn_set(sdp, NULL, SX_SL("2001:db8::1")));
	UT_OK(sx_sdp_bw_add(sdp, NULL, SX_SL("CT"), 1000));
	UT_OK(
	    sx_sdp_media_add(sdp, &a, SX_SL("audio"), 5004, SX_SL("RTP/AVP")));
	UT_OK(sx_sdp_codec_add(sdp, a, 0, SX_SL("PCMU"), 8000, 1, SX_SL("")));
	UT_OK(sx_sdp_codec_add(sdp, a, 96, SX_SL("opus"), 48000, 2,
	                       SX_SL("useinbandfec=1")));
	UT_OK(sx_sdp_codec_add(sdp, a, 101, SX_SL("telephone-event"), 8000, 1,
	                       SX_SL("0-16")));
	EXPECT_RC(-EEXIST,
	          sx_sdp_codec_add(sdp, a, 96, SX_SL("x"), 8000, 1, SX_SL("")));
	EXPECT_RC(-EINVAL, sx_sdp_codec_add(sdp, a, 128, SX_SL("x"), 8000, 1,
	                                    SX_SL("")));
	UT_OK(sx_sdp_attr_add(sdp, a, SX_SL("ptime"), SX_SL("20")));
	UT_OK(sx_sdp_dir_set(sdp, a, SX_SDP_DIR_SENDRECV));
	UT_OK(sx_sdp_dir_set(sdp, a, SX_SDP_DIR_SENDONLY)); /* replaces */
	UT_OK(sx_sdp_attr_add(sdp, a, SX_SL("rtcp"), SX_SL("5005")));
	UT_OK(sx_sdp_media_add(sdp, &v, SX_SL("video"), 0, SX_SL("RTP/AVP")));
	UT_OK(sx_sdp_fmt_add(sdp, v, SX_SL("31")));
	UT_OK(sx_sdp_conn_set(sdp, v, SX_SL("192.0.2.9")));
	UT_OK(sx_sdp_time_add(sdp, 0, 0));
	EXPECT_RC(-EINVAL,
	          sx_sdp_attr_add(sdp, a, SX_SL("bad name"), SX_SL_NULL));
	EXPECT_RC(-EBADMSG,
	          sx_sdp_attr_add(sdp, a, SX_SL("ptime"), SX_SL("x")));
	EXPECT_RC(-EINVAL, sx_sdp_conn_set(sdp, NULL, SX_SL("not an addr")));
	{
		static char big[SX_SDP_MAX_LINE_LEN];
		memset(big, 'x', sizeof(big));
		EXPECT_RC(-E2BIG,
		          sx_sdp_attr_add(sdp, a, SX_SL("x"),
		                          sx_sl_make(big, sizeof(big))));
	}
	UT_EQ(SX_SDP_DIR_SENDONLY, a->dir);
	UT_EQ(20, a->ptime);
	UT_TRUE(a->has_rtcp);
	UT_SL_EQ("opus", sx_sdp_fmt_find(a, 96)->name);
	UT_SL_EQ("useinbandfec=1", sx_sdp_fmt_find(a, 96)->params);
	UT_OK(sx_sdp_print(&b, sdp));
	UT_STR_EQ("v=0\r\n"
	          "o=- 42 7 IN IP6 2001:db8::1\r\n"
	          "s=-\r\n"
	          "c=IN IP6 2001:db8::1\r\n"
	          "b=CT:1000\r\n"
	          "t=0 0\r\n"
	          "m=audio 5004 RTP/AVP 0 96 101\r\n"
	          "a=rtpmap:0 PCMU/8000\r\n"
	          "a=rtpmap:96 opus/48000/2\r\n"
	          "a=fmtp:96 useinbandfec=1\r\n"
	          "a=rtpmap:101 telephone-event/8000\r\n"
	          "a=fmtp:101 0-16\r\n"
	          "a=ptime:20\r\n"
	          "a=sendonly\r\n"
	          "a=rtcp:5005\r\n"
	          "m=video 0 RTP/AVP 31\r\n"
	          "c=IN IP4 192.0.2.9\r\n",
	          b.p);
	/* what we print parses back to the same text */
	struct sx_sdp *again = NULL;
	struct sx_buf b2;
	sx_buf_init(&b2, 0);
	err = sx_sdp_parse(&again, b.p, b.len, NULL);
	if (!err)
		err = sx_sdp_print(&b2, again);
	if (!err && strcmp(b.p, b2.p))
		err = ut__fail(__FILE__, __LINE__, "reprint differs");
	sx_buf_fini(&b2);
	sx_mem_unref(again);
	if (err && err != -ENOMEM)
		goto out;
	UT_OK(err);
	/* direction NONE removes it */
	UT_OK(sx_sdp_dir_set(sdp, a, SX_SDP_DIR_NONE));
	UT_TRUE(sx_sdp_attr_find(a->attrs, SX_SL("sendonly")) == NULL);
	UT_EQ(SX_SDP_DIR_NONE, a->dir);
out:
	sx_buf_fini(&b);
	sx_mem_unref(sdp);
	return err;
}

static int test_print_needs_origin(void)
{
	int err = 0;
	struct sx_sdp *sdp = NULL;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(sx_sdp_alloc(&sdp));
	EXPECT_RC(-EINVAL, sx_sdp_print(&b, sdp));
	UT_OK(sx_sdp_origin_set(sdp, SX_SL("u"), 1, 1, SX_SL("192.0.2.1")));
	UT_OK(sx_sdp_print(&b, sdp));
	UT_STR_EQ("v=0\r\no=u 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n", b.p);
	/* a growth cap on the buffer surfaces as -E2BIG */
	struct sx_buf small;
	sx_buf_init(&small, 8);
	EXPECT_RC(-E2BIG, sx_sdp_print(&small, sdp));
	sx_buf_fini(&small);
out:
	sx_buf_fini(&b);
	sx_mem_unref(sdp);
	return err;
}

static int test_static_pt(void)
{
	int err = 0;
	const char *name;
	uint32_t rate;
	uint8_t ch;

	UT_OK(sx_sdp_static_pt(9, &name, &rate, &ch));
	UT_STR_EQ("G722", name);
	UT_EQ(8000, rate); /* RFC 3551 4.5.2: 8000 by historical error */
	UT_OK(sx_sdp_static_pt(10, &name, &rate, &ch));
	UT_EQ(2, ch);
	UT_EQ(-ENOENT, sx_sdp_static_pt(96, &name, &rate, &ch));
	UT_EQ(-ENOENT, sx_sdp_static_pt(2, &name, &rate, &ch));
	UT_STR_EQ("inactive", sx_sdp_dir_name(SX_SDP_DIR_INACTIVE));
	UT_TRUE(sx_sdp_dir_name(SX_SDP_DIR_NONE) == NULL);
out:
	return err;
}

UT_MAIN(UT_C(test_parse_rfc4317), UT_C(test_parse_valid),
        UT_C(test_parse_invalid), UT_C(test_parse_limits),
        UT_C(test_parse_typed_view), UT_C(test_parse_rfc5118),
        UT_C(test_parse_truncated), UT_C(test_parse_owner),
        UT_C(test_print_roundtrip), UT_C(test_build),
        UT_C(test_print_needs_origin), UT_C(test_static_pt))
