/*
 * rtp_peer: a minimal SIP UAS (RFC 3261, over plain UDP, test use only)
 * in front of our RTP session glue, for interop tests with real phones.
 *
 * It answers one INVITE with an SDP answer from our offer/answer code
 * (RFC 3264), runs the call's media through sx_media_rtp (RFC 3550,
 * RFC 4733), records what it hears to a WAV file, optionally sends a
 * tone and DTMF, and ends on BYE or after a time limit.  Everything it
 * learns goes to stdout as "KEY value" lines:
 *
 *   SIP_PORT 5xxxx          (first line: where to send the INVITE)
 *   ESTABLISHED             (INVITE answered)
 *   DTMF 1 ended=1 dur=...  (each RFC 4733 digit, once)
 *   BYE                     (the peer hung up)
 *   DIGITS 123#             (all digits, at exit)
 *   STATS rx_packets=...    (RTP/RTCP counters, at exit)
 *
 * Usage: rtp_peer --record FILE [--tone HZ] [--seconds N] [--dtmf DIGITS]
 */
#define SX_LOG_MOD "rtp_peer"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sx/media/rtp_port.h>
#include <sx/media/tone.h>
#include <sx/media/wav.h>
#include <sx/port/ev.h>
#include <sx/port/tmr.h>
#include <sx/port/udp.h>
#include <sx/sdp/oa.h>
#include <sx/sip/msg.h>
#include <sx/sip/print.h>
#include <sx/util/buf.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#define FRAME_MS        20
#define FRAME8          160
#define SECONDS_DEFAULT 30
#define HANGUP_MS       300 /* media drain after BYE */
#define DTMF_DELAY_MS   1000
#define DTMF_MS         120
#define TONE_DBM0       (-10)
#define DIGITS_MAX      64
#define TO_TAG          "sxpeer1"
#define PT_DTMF         101
#define SIP_BUF         65536

static const struct sx_sdp_oa_codec codecs[] = {
    {"PCMU", 8000, 1, NULL, 0},
    {"PCMA", 8000, 1, NULL, 8},
};

struct peer {
	struct sx_ev *loop;
	struct sx_udp *sip;
	struct sx_media_rtp *rtp;
	struct sx_media_port *rec;
	struct sx_media_port *tone;
	struct sx_sdp_oa *oa;
	struct sx_sdp_oa_cap cap;
	struct sx_tmr tick;
	struct sx_tmr stop;
	struct sx_tmr dtmf;
	uint64_t t0_ms;
	uint64_t frames;
	bool in_call;
	struct sx_buf ok200;    /* our 200 OK, resent on a retransmission */
	struct sx_sa peer_sa;   /* where SIP responses go */
	char call_id[256];
	char digits[DIGITS_MAX + 1];
	size_t ndigits;
	const char *send_dtmf;
	int rc;
	char sipbuf[SIP_BUF];
};

static void on_digit(const struct sx_dtmf_digit *d, void *arg)
{
	struct peer *p = arg;
	printf("DTMF %c ended=%d dur=%u\n", d->digit, d->ended, d->duration);
	fflush(stdout);
	if (p->ndigits < DIGITS_MAX)
		p->digits[p->ndigits++] = d->digit;
}

static void on_stop(void *arg)
{
	struct peer *p = arg;
	sx_ev_stop(p->loop);
}

/* One 20 ms media tick on a drift-free schedule. */
static void on_tick(void *arg)
{
	struct peer *p = arg;
	int16_t pcm[FRAME8] = {0};
	struct sx_media_port *rtp = sx_media_rtp_port(p->rtp);
	if (p->tone)
		(void)sx_media_port_get(p->tone, pcm, FRAME8);
	(void)sx_media_port_put(rtp, pcm, FRAME8);
	if (sx_media_port_get(rtp, pcm, FRAME8) > 0)
		(void)sx_media_port_put(p->rec, pcm, FRAME8);
	p->frames++;
	uint64_t next = p->t0_ms + p->frames * FRAME_MS;
	uint64_t now = sx_ev_now(p->loop);
	if (sx_tmr_start(p->loop, &p->tick, next > now ? next - now : 0,
	                 on_tick, p))
		p->rc = 1;
}

static void on_dtmf(void *arg)
{
	struct peer *p = arg;
	int err = sx_media_rtp_dtmf_send(p->rtp, p->send_dtmf, DTMF_MS);
	if (err)
		fprintf(stderr, "dtmf send: %d\n", err);
}

static void sip_send(struct peer *p, const struct sx_buf *b)
{
	if (!sx_buf_err(b) && b->len)
		(void)sx_udp_send(p->sip, &p->peer_sa, b->p, b->len);
}

/* 200 OK with our SDP answer.  sx_sip_reply_print() ends with an empty
 * body; we cut that and add ours (this tool has no SIP stack). */
static int build_200(struct peer *p, const struct sx_sip_msg *req,
                     struct sx_sl sdp)
{
	static const char no_body[] = "Content-Length: 0\r\n\r\n";
	char extra[128];
	const struct sx_sa *l = sx_udp_local(p->sip);
	snprintf(extra, sizeof(extra), "Contact: <sip:peer@127.0.0.1:%u>\r\n",
	         (unsigned)sx_sa_port(l));
	sx_buf_reset(&p->ok200);
	int err = sx_sip_reply_print(req, 200, NULL, SX_SL(TO_TAG),
	                             sx_sl_cstr(extra), &p->ok200);
	if (err)
		return err;
	p->ok200.len -= sizeof(no_body) - 1;
	sx_sip_print_body(&p->ok200, SX_SL("application/sdp"), sdp);
	return sx_buf_err(&p->ok200);
}

static int answer_invite(struct peer *p, const struct sx_sip_msg *req)
{
	struct sx_sdp *offer = NULL;
	struct sx_buf ans;
	struct sx_sdp_oa_result res;
	struct sx_media_rtp_cfg cfg;
	sx_buf_init(&ans, 0);
	int err = sx_sdp_parse(&offer, req->body.p, req->body.len, NULL);
	if (!err)
		err = sx_sdp_oa_answer(p->oa, offer, &ans, &res);
	if (!err && res.naccepted == 0)
		err = -ENOTSUP;
	if (!err)
		err = sx_media_rtp_cfg_from_sdp(&cfg, &res.streams[0]);
	if (!err)
		err = sx_media_rtp_configure(p->rtp, &cfg);
	if (!err)
		err = build_200(p, req, sx_buf_sl(&ans));
	sx_mem_unref(offer);
	sx_buf_fini(&ans);
	return err;
}

static void on_invite(struct peer *p, const struct sx_sip_msg *req)
{
	if (p->in_call) {
		if (sx_sl_eq_cstr(req->call_id, p->call_id))
			sip_send(p, &p->ok200); /* retransmission */
		return;
	}
	int err = answer_invite(p, req);
	if (err) {
		fprintf(stderr, "cannot answer the INVITE: %d\n", err);
		p->rc = 1;
		return;
	}
	snprintf(p->call_id, sizeof(p->call_id), "%.*s",
	         SX_SL_FMT(req->call_id));
	sip_send(p, &p->ok200);
	p->in_call = true;
	p->t0_ms = sx_ev_now(p->loop);
	printf("ESTABLISHED\n");
	fflush(stdout);
	if (sx_tmr_start(p->loop, &p->tick, FRAME_MS, on_tick, p) ||
	    (p->send_dtmf && sx_tmr_start(p->loop, &p->dtmf, DTMF_DELAY_MS,
	                                  on_dtmf, p)))
		p->rc = 1;
}

static void on_request(struct peer *p, const struct sx_sip_msg *req)
{
	struct sx_buf out;
	sx_buf_init(&out, 0);
	switch (req->method) {
	case SX_SIP_METHOD_INVITE:
		on_invite(p, req);
		break;
	case SX_SIP_METHOD_ACK:
		break;
	case SX_SIP_METHOD_BYE:
		(void)sx_sip_reply_print(req, 200, NULL, SX_SL(TO_TAG),
		                         SX_SL(""), &out);
		sip_send(p, &out);
		printf("BYE\n");
		fflush(stdout);
		if (sx_tmr_start(p->loop, &p->stop, HANGUP_MS, on_stop, p))
			sx_ev_stop(p->loop);
		break;
	default:
		(void)sx_sip_reply_print(req, 405, NULL, SX_SL(TO_TAG),
		                         SX_SL("Allow: INVITE, ACK, BYE\r\n"),
		                         &out);
		sip_send(p, &out);
		break;
	}
	sx_buf_fini(&out);
}

static void on_sip(int fd, uint32_t events, void *arg)
{
	struct peer *p = arg;
	struct sx_udp_rx rx = {.buf = p->sipbuf, .size = sizeof(p->sipbuf)};
	struct sx_sip_msg *msg = NULL;
	struct sx_sip_perr perr;
	(void)fd;
	(void)events;
	while (sx_udp_recv(p->sip, &rx, 1) == 1) {
		if (rx.trunc || sx_sip_msg_parse(&msg, rx.buf, rx.len, NULL,
		                                 &perr))
			continue;
		p->peer_sa = rx.src;
		if (msg->is_request)
			on_request(p, msg);
		sx_sip_msg_free(msg);
		msg = NULL;
	}
}

static int peer_init(struct peer *p, const char *record, unsigned tone_hz)
{
	struct sx_sa lo;
	int err = sx_ev_alloc(&p->loop, NULL);
	if (!err)
		err = sx_sa_set_str(&lo, SX_SL("127.0.0.1"), 0);
	if (!err)
		err = sx_udp_open(&p->sip, &lo, NULL);
	if (!err)
		err = sx_ev_fd_add(p->loop, sx_udp_fd(p->sip), SX_EV_READ,
		                   on_sip, p);
	struct sx_media_rtp_prm prm = {
	    .local = lo, .symmetric_rtp = true, .dtmf_h = on_digit, .arg = p};
	if (!err)
		err = sx_media_rtp_alloc(&p->rtp, p->loop, &prm);
	if (!err)
		err = sx_media_wav_recorder_alloc(&p->rec, record, 8000, FRAME8,
		                                  NULL);
	struct sx_media_tone_spec spec = {
	    .seg = {{.f1_hz = (uint16_t)tone_hz}},
	    .n_seg = 1,
	    .level_dbm0 = TONE_DBM0,
	};
	if (!err && tone_hz)
		err = sx_media_tone_alloc(&p->tone, 8000, FRAME8, &spec);
	if (err)
		return err;
	p->cap = (struct sx_sdp_oa_cap){
	    .mtype = SX_SDP_MEDIA_AUDIO,
	    .codecs = codecs,
	    .ncodecs = SX_ARRAY_SIZE(codecs),
	    .port = sx_sa_port(sx_media_rtp_local(p->rtp)),
	    .dtmf_pt = PT_DTMF,
	};
	struct sx_sdp_oa_prm oprm = {
	    .sess_id = 4242,
	    .sess_version = 1,
	    .addr = "127.0.0.1",
	    .caps = &p->cap,
	    .ncaps = 1,
	};
	return sx_sdp_oa_alloc(&p->oa, &oprm);
}

static void peer_report(struct peer *p)
{
	struct sx_media_rtp_stats st;
	sx_media_rtp_stats(p->rtp, &st);
	p->digits[p->ndigits] = '\0';
	printf("DIGITS %s\n", p->digits);
	printf("STATS rx_packets=%llu rx_bad=%llu lost=%d jitter=%u "
	       "jb_lost=%llu jb_late=%llu tx_packets=%llu rtcp_rx=%llu "
	       "rtcp_tx=%llu latches=%u rtt_us=%u frames=%llu\n",
	       (unsigned long long)st.rx_packets,
	       (unsigned long long)st.rx_bad, st.rx_lost, st.rx_jitter,
	       (unsigned long long)st.jb.lost, (unsigned long long)st.jb.late,
	       (unsigned long long)st.tx_packets,
	       (unsigned long long)st.rtcp_rx, (unsigned long long)st.rtcp_tx,
	       st.latches, st.have_rtt ? st.rtt_us : 0,
	       (unsigned long long)p->frames);
}

static void peer_fini(struct peer *p)
{
	sx_tmr_stop(&p->tick);
	sx_tmr_stop(&p->stop);
	sx_tmr_stop(&p->dtmf);
	p->rtp = sx_media_rtp_unref(p->rtp);
	sx_media_port_unref(p->rec);
	sx_media_port_unref(p->tone);
	sx_mem_unref(p->oa);
	sx_buf_fini(&p->ok200);
	if (p->sip) {
		(void)sx_ev_fd_del(p->loop, sx_udp_fd(p->sip));
		sx_udp_close(p->sip);
	}
	sx_ev_free(p->loop);
}

int main(int argc, char **argv)
{
	static struct peer peer;
	struct peer *p = &peer;
	const char *record = NULL;
	unsigned tone_hz = 0, seconds = SECONDS_DEFAULT;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--record"))
			record = argv[i + 1];
		else if (!strcmp(argv[i], "--tone"))
			tone_hz = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--dtmf"))
			p->send_dtmf = argv[i + 1];
	}
	if (!record) {
		fprintf(stderr, "usage: rtp_peer --record FILE [--tone HZ] "
		                "[--seconds N] [--dtmf DIGITS]\n");
		return 2;
	}
	sx_buf_init(&p->ok200, 0);
	int err = peer_init(p, record, tone_hz);
	if (!err)
		err = sx_tmr_start(p->loop, &p->stop,
		                   (uint64_t)seconds * 1000u, on_stop, p);
	if (err) {
		fprintf(stderr, "rtp_peer: set-up failed: %d\n", err);
		peer_fini(p);
		return 2;
	}
	printf("SIP_PORT %u\n", (unsigned)sx_sa_port(sx_udp_local(p->sip)));
	fflush(stdout);
	err = sx_ev_run(p->loop);
	peer_report(p);
	peer_fini(p);
	return err ? 2 : p->rc;
}
