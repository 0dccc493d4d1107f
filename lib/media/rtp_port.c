/*
 * RTP session glue: one audio stream as a media port (RFC 3550 RTP and
 * RTCP with the A.7 interval, RFC 3551 audio profile, RFC 4733
 * telephone-events, RFC 4961 symmetric RTP with address latching,
 * RFC 5761 RTCP multiplexing).
 *
 * Receive: datagram -> demux -> RTP parse -> source (A.1/A.3/A.8) ->
 * jitter buffer; get_frame pulls jitter-buffer frames, decodes them (or
 * conceals a loss) into a PCM FIFO and hands out port frames.  Send:
 * put_frame fills a FIFO of one packet time, encodes it and sends it, or
 * a telephone-event packet instead while a digit is being sent.
 */
#define SX_LOG_MOD "media.rtp"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sx/media/rtp_port.h>
#include <sx/port/ev.h>
#include <sx/port/tmr.h>
#include <sx/port/udp.h>
#include <sx/rtp/rtp.h>
#include <sx/rtp/sender.h>
#include <sx/rtp/source.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#define RATE_DEFAULT      8000
#define US_PER_S          1000000u
#define US_PER_MS         1000u
#define MS_PER_S          1000u
#define PTIME_MIN_MS      10
#define PT_MAX            127
/* Jitter buffer sizing: ring = max delay in packets + spare slots. */
#define JB_MAX_MS_DEFAULT 400
#define JB_SLOTS_SPARE    6
/* Same new packet time seen this many times in a row: follow it. */
#define PTIME_ADAPT_PKTS  3
/* A.7: first guess of the average compound size, and IP + UDP bytes. */
#define RTCP_AVG_INIT     100.0
#define RTCP_IP_UDP_BYTES 28
/* Room for SR + one report block + SDES + BYE. */
#define RTCP_BUF          512
#define BITS_PER_BYTE     8

struct dtmf_req {
	char digit;     /* '0'..'9', '*', '#', 'A'..'D' */
	uint32_t units; /* duration in timestamp units */
};

struct sx_media_rtp {
	struct sx_media_port port; /* first: the stream is a port */
	struct sx_ev *loop;        /* NULL: fed by sx_media_rtp_input() */
	struct sx_media_rtp_prm prm;
	char cname[SX_MEDIA_RTP_CNAME_MAX + 1];
	struct sx_udp *rtp_sock;
	struct sx_udp *rtcp_sock; /* NULL with rtcp_mux */
	struct sx_sa local;
	struct sx_sa local_rtcp;
	struct sx_tmr rtcp_tmr;

	bool configured;
	struct sx_media_rtp_cfg cfg;
	struct sx_codec_inst *codec;
	struct sx_jb *jb;
	uint32_t rx_frame_ts;      /* timestamp units per received packet */
	uint32_t rx_frame_samples; /* PCM samples per received packet */
	uint32_t tx_frame_ts;
	uint32_t tx_frame_samples;

	/* receiving */
	bool have_src;
	struct sx_rtp_source src;
	bool have_prev;        /* prev_seq/prev_ts hold the last audio */
	uint16_t prev_seq;
	uint32_t prev_ts;
	uint32_t step_seen;    /* a packet time other than rx_frame_ts */
	unsigned step_count;   /* times in a row it was seen */
	bool peer_sent;        /* RTP arrived since the last report */
	struct sx_dtmf_rx dtmf_rx;
	int16_t *rx_pcm;       /* decoded FIFO, fifo_cap samples */
	size_t rx_off;         /* first unread sample */
	size_t rx_fill;        /* end of the samples */
	size_t fifo_cap;

	/* sending */
	struct sx_rtp_sender snd;
	bool tx_started;       /* first packet sent (marker bit) */
	uint32_t tx_media_ts;  /* media position of the next packet */
	int16_t *tx_pcm;       /* one packet time of PCM */
	size_t tx_fill;
	struct sx_dtmf_tx dtmf_tx;
	struct dtmf_req dq[SX_MEDIA_RTP_DTMF_QUEUE];
	unsigned dq_head;
	unsigned dq_len;
	unsigned dtmf_gap;     /* audio packets before the next digit */

	/* addresses and latching */
	struct sx_sa remote;
	struct sx_sa remote_rtcp;
	bool latched;
	struct sx_sa cand;     /* candidate new source */
	unsigned cand_n;       /* its packets in a row */

	/* RTCP */
	bool rtcp_initial;
	double avg_rtcp;
	uint32_t rnd;
	uint64_t mono_base_us;
	uint64_t wall_base_us;
	struct sx_rtcp_rb report;
	bool have_report;
	uint32_t rtt_us;
	bool have_rtt;
	bool bye;

	struct sx_media_rtp_stats st; /* plain counters */
	uint8_t rx_buf[SX_MEDIA_RTP_RX_BATCH][SX_MEDIA_RTP_PKT_MAX];
};

static inline struct sx_media_rtp *of_port(struct sx_media_port *p)
{
	return (struct sx_media_rtp *)p;
}

/* -- time ------------------------------------------------------------- */

static uint64_t now_us(const struct sx_media_rtp *s)
{
	if (s->prm.clock_h)
		return s->prm.clock_h(s->prm.clock_arg);
	return sx_ev_now(s->loop) * US_PER_MS;
}

static uint64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * US_PER_S + (uint64_t)ts.tv_nsec / 1000u;
}

/* NTP time on the stream's clock, anchored to the wall clock at start, so
 * LSR/DLSR arithmetic stays consistent with a virtual test clock. */
static uint64_t ntp_at(const struct sx_media_rtp *s, uint64_t now)
{
	return sx_rtcp_ntp_from_us(s->wall_base_us + (now - s->mono_base_us));
}

static uint32_t xorshift(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static uint32_t ms_to_units(uint32_t ms, uint32_t rate)
{
	return (uint32_t)((uint64_t)ms * rate / MS_PER_S);
}

/* PCM samples for @units timestamp units (G.722: 16 kHz PCM, 8 kHz clock). */
static uint32_t units_to_samples(const struct sx_codec *c, uint32_t units)
{
	return (uint32_t)((uint64_t)units * c->sample_rate / c->clock_rate);
}

/* -- output ----------------------------------------------------------- */

static void emit(struct sx_media_rtp *s, const uint8_t *pkt, size_t len,
                 bool rtcp, const struct sx_sa *dst)
{
	int err;
	if (s->prm.send_h) {
		err = s->prm.send_h(pkt, len, rtcp, dst, s->prm.send_arg);
	} else {
		struct sx_udp *u = rtcp && s->rtcp_sock && !s->cfg.rtcp_mux
		                       ? s->rtcp_sock
		                       : s->rtp_sock;
		err = u ? sx_udp_send(u, dst, pkt, len) : -ENOTCONN;
	}
	if (err) {
		s->st.tx_err++;
		SX_LOG_DBG("send: %d", err);
	}
}

static void emit_rtp(struct sx_media_rtp *s, struct sx_rtp_hdr *h,
                     uint32_t media_ts, const uint8_t *payload, size_t plen)
{
	uint8_t pkt[SX_MEDIA_RTP_PKT_MAX];
	sx_rtp_sender_stamp(&s->snd, h, media_ts, plen);
	ssize_t n = sx_rtp_build(pkt, sizeof(pkt), h, payload, plen);
	if (n < 0) {
		s->st.tx_err++;
		return;
	}
	emit(s, pkt, (size_t)n, false, &s->remote);
	s->tx_started = true;
	s->st.tx_packets++;
	s->st.tx_bytes += plen;
}

/* -- DTMF ------------------------------------------------------------- */

static void dtmf_poll(struct sx_media_rtp *s, uint64_t now)
{
	struct sx_dtmf_digit d;
	while (sx_dtmf_rx_poll(&s->dtmf_rx, now, &d) == 1) {
		s->st.dtmf_rx++;
		if (s->prm.dtmf_h)
			s->prm.dtmf_h(&d, s->prm.arg);
	}
}

/* Start the next queued digit when due; false when audio goes out. */
static bool dtmf_start(struct sx_media_rtp *s, uint32_t media_ts)
{
	if (s->dtmf_gap) {
		s->dtmf_gap--;
		return false;
	}
	if (!s->dq_len)
		return false;
	struct dtmf_req r = s->dq[s->dq_head];
	s->dq_head = (s->dq_head + 1) % SX_MEDIA_RTP_DTMF_QUEUE;
	s->dq_len--;
	return sx_dtmf_tx_start(&s->dtmf_tx, r.digit, media_ts, r.units,
	                        (uint16_t)s->tx_frame_ts) == 0;
}

/* Send a telephone-event packet for this packet time if one is due. */
static bool dtmf_send_pkt(struct sx_media_rtp *s, uint32_t media_ts)
{
	if (s->cfg.tx_dtmf_pt < 0)
		return false;
	if (!s->dtmf_tx.active && !dtmf_start(s, media_ts))
		return false;
	struct sx_dtmf_tx_pkt pk;
	if (sx_dtmf_tx_next(&s->dtmf_tx, &pk))
		return false;
	if (!s->dtmf_tx.active) {
		s->st.dtmf_tx++;
		s->dtmf_gap = SX_MEDIA_RTP_DTMF_GAP_MS * s->port.clock_rate /
		              MS_PER_S / s->tx_frame_samples;
	}
	struct sx_rtp_hdr h = {.pt = (uint8_t)s->cfg.tx_dtmf_pt,
	                       .marker = pk.marker};
	emit_rtp(s, &h, pk.ts, pk.payload, sizeof(pk.payload));
	return true;
}

int sx_media_rtp_dtmf_send(struct sx_media_rtp *s, const char *digits,
                           uint32_t duration_ms)
{
	if (!s || !digits)
		return -EINVAL;
	if (!duration_ms)
		duration_ms = SX_MEDIA_RTP_DTMF_MS_DEFAULT;
	if (duration_ms < SX_MEDIA_RTP_DTMF_MS_MIN ||
	    duration_ms > SX_MEDIA_RTP_DTMF_MS_MAX)
		return -EINVAL;
	if (!s->configured || s->cfg.tx_dtmf_pt < 0)
		return -ENOTCONN;
	uint32_t units = ms_to_units(duration_ms, s->cfg.codec->clock_rate);
	size_t n = strlen(digits);
	if (units > UINT16_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (sx_dtmf_event_from_char(digits[i]) < 0)
			return -EINVAL;
	if (n > SX_MEDIA_RTP_DTMF_QUEUE - s->dq_len)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++) {
		unsigned k = (s->dq_head + s->dq_len++) % SX_MEDIA_RTP_DTMF_QUEUE;
		s->dq[k] = (struct dtmf_req){.digit = digits[i], .units = units};
	}
	return 0;
}

/* -- send path (put_frame) -------------------------------------------- */

static void send_packet(struct sx_media_rtp *s)
{
	uint8_t payload[SX_MEDIA_RTP_PKT_MAX - SX_RTP_HDR_LEN];
	uint32_t media_ts = s->tx_media_ts;
	s->tx_media_ts += s->tx_frame_ts;
	if (!sx_sa_isset(&s->remote) && !s->prm.send_h)
		return;
	if (dtmf_send_pkt(s, media_ts))
		return;
	ssize_t n = sx_codec_encode(s->codec, s->tx_pcm, s->tx_frame_samples,
	                            payload, sizeof(payload));
	if (n < 0) {
		s->st.tx_err++;
		return;
	}
	struct sx_rtp_hdr h = {.pt = (uint8_t)s->cfg.tx_pt,
	                       .marker = !s->tx_started};
	emit_rtp(s, &h, media_ts, payload, (size_t)n);
}

static int rtp_put_frame(struct sx_media_port *p, const int16_t *pcm, size_t n)
{
	struct sx_media_rtp *s = of_port(p);
	if (!s->configured || !s->cfg.send)
		return 0;
	while (n) {
		size_t k = SX_MIN(n, s->tx_frame_samples - s->tx_fill);
		memcpy(s->tx_pcm + s->tx_fill, pcm, k * sizeof(*pcm));
		s->tx_fill += k;
		pcm += k;
		n -= k;
		if (s->tx_fill == s->tx_frame_samples) {
			send_packet(s);
			s->tx_fill = 0;
		}
	}
	return 0;
}

/* -- receive path: playout (get_frame) -------------------------------- */

/* Conceal one lost packet's worth of samples at the FIFO's end. */
static void conceal(struct sx_media_rtp *s)
{
	const struct sx_codec *c = s->cfg.codec;
	size_t left = s->rx_frame_samples;
	while (left) {
		size_t k = SX_MIN(left, c->frame_samples);
		int16_t *out = s->rx_pcm + s->rx_fill;
		if (sx_codec_plc(s->codec, out, k) != (ssize_t)k)
			memset(out, 0, k * sizeof(*out));
		s->rx_fill += k;
		left -= k;
	}
}

/* Decode one payload at the FIFO's end; -1 when the codec refused it. */
static int decode(struct sx_media_rtp *s, const struct sx_jb_frame *f)
{
	size_t room = s->fifo_cap - s->rx_fill;
	ssize_t n = f->len ? sx_codec_decode(s->codec, f->payload, f->len,
	                                     s->rx_pcm + s->rx_fill, room)
	                   : -EBADMSG;
	if (n < 0) {
		s->st.decode_err++;
		return -1;
	}
	s->rx_fill += (size_t)n;
	return 0;
}

/* Pull packets until @n samples are buffered or the buffer has none.
 * Each packet is asked for at the time it will start playing. */
static void fill_rx(struct sx_media_rtp *s, size_t n, uint64_t now)
{
	for (;;) {
		size_t avail = s->rx_fill - s->rx_off;
		if (avail >= n)
			return;
		if (s->rx_off) {
			memmove(s->rx_pcm, s->rx_pcm + s->rx_off,
			        avail * sizeof(*s->rx_pcm));
			s->rx_off = 0;
			s->rx_fill = avail;
		}
		if (s->fifo_cap - s->rx_fill < s->rx_frame_samples)
			return;
		struct sx_jb_frame f;
		uint64_t at = now + avail * US_PER_S / s->port.clock_rate;
		sx_jb_get(s->jb, at, &f);
		if (f.kind == SX_JB_NONE)
			return;
		if (f.kind != SX_JB_FRAME || decode(s, &f))
			conceal(s);
	}
}

static int rtp_get_frame(struct sx_media_port *p, int16_t *pcm, size_t n)
{
	struct sx_media_rtp *s = of_port(p);
	uint64_t now = now_us(s);
	dtmf_poll(s, now);
	if (s->configured && s->cfg.recv)
		fill_rx(s, n, now);
	size_t k = SX_MIN(n, s->rx_fill - s->rx_off);
	memcpy(pcm, s->rx_pcm + s->rx_off, k * sizeof(*pcm));
	memset(pcm + k, 0, (n - k) * sizeof(*pcm));
	s->rx_off += k;
	if (s->rx_off == s->rx_fill)
		s->rx_off = s->rx_fill = 0;
	return (int)n;
}

/* -- receive path: packets -------------------------------------------- */

static int jb_make(struct sx_media_rtp *s, const struct sx_codec *c,
                   uint32_t frame_ts, struct sx_jb **jbp)
{
	uint32_t ptime_ms = (uint32_t)((uint64_t)frame_ts * MS_PER_S /
	                               c->clock_rate);
	uint32_t max_ms = s->prm.jb_max_ms ? s->prm.jb_max_ms
	                                   : JB_MAX_MS_DEFAULT;
	/* room for the longest packet time, so a peer sending longer
	 * packets than negotiated is heard until adapt_ptime() follows */
	size_t payload =
	    c->max_payload * SX_MEDIA_PTIME_MAX_MS / SX_CODEC_PTIME_MS;
	struct sx_jb_prm jp = {
	    .clock_rate = c->clock_rate,
	    .frame_ts = frame_ts,
	    .slots = max_ms / (ptime_ms ? ptime_ms : 1) + JB_SLOTS_SPARE,
	    .max_payload = SX_MIN(payload, (size_t)SX_MEDIA_RTP_PKT_MAX -
	                                       SX_RTP_HDR_LEN),
	    .min_delay_ms = s->prm.jb_min_ms,
	    .max_delay_ms = max_ms,
	};
	return sx_jb_alloc(jbp, &jp);
}

static bool step_ok(const struct sx_media_rtp *s, uint32_t step)
{
	uint32_t rate = s->cfg.codec->clock_rate;
	return step >= ms_to_units(PTIME_MIN_MS, rate) &&
	       step <= ms_to_units(SX_MEDIA_PTIME_MAX_MS, rate);
}

/* Follow the peer's real packet time when it differs from the one
 * negotiated (consecutive sequence numbers, same timestamp step). */
static void adapt_ptime(struct sx_media_rtp *s, const struct sx_rtp_hdr *h)
{
	bool next = s->have_prev && h->seq == (uint16_t)(s->prev_seq + 1);
	uint32_t step = h->ts - s->prev_ts;
	s->have_prev = true;
	s->prev_seq = h->seq;
	s->prev_ts = h->ts;
	if (!next || step == s->rx_frame_ts || !step_ok(s, step)) {
		s->step_count = 0;
		return;
	}
	s->step_count = step == s->step_seen ? s->step_count + 1 : 1;
	s->step_seen = step;
	if (s->step_count < PTIME_ADAPT_PKTS)
		return;
	struct sx_jb *jb;
	if (jb_make(s, s->cfg.codec, step, &jb))
		return; /* keep the old one; retried on the next packet */
	SX_LOG_INFO("peer packet time %u units, was %u", step, s->rx_frame_ts);
	sx_mem_unref(s->jb);
	s->jb = jb;
	s->rx_frame_ts = step;
	s->rx_frame_samples = units_to_samples(s->cfg.codec, step);
	s->step_count = 0;
}

static void latch(struct sx_media_rtp *s, const struct sx_sa *src)
{
	if (!s->prm.symmetric_rtp || !src || !sx_sa_isset(src))
		return;
	if (sx_sa_eq(src, &s->remote)) {
		s->latched = true;
		s->cand_n = 0;
		return;
	}
	if (s->latched) {
		if (!sx_sa_eq(src, &s->cand)) {
			s->cand = *src;
			s->cand_n = 0;
		}
		if (++s->cand_n < SX_MEDIA_RTP_RELATCH_PKTS)
			return;
	}
	char a[SX_SA_STRLEN];
	if (sx_sa_print(src, a, sizeof(a)) > 0)
		SX_LOG_INFO_RL("latched RTP to %s", a);
	s->remote = *src;
	s->latched = true;
	s->cand_n = 0;
	s->st.latches++;
	s->remote_rtcp = *src;
	if (!s->cfg.rtcp_mux && s->rtcp_sock)
		sx_sa_set_port(&s->remote_rtcp, (uint16_t)(sx_sa_port(src) + 1));
}

/* The audio SSRC: the first seen, or a new one replacing it. */
static void track_ssrc(struct sx_media_rtp *s, const struct sx_rtp_hdr *h)
{
	if (s->have_src && h->ssrc == s->src.ssrc)
		return;
	if (s->have_src) {
		s->st.ssrc_changes++;
		sx_jb_reset(s->jb);
	}
	sx_rtp_source_init(&s->src, h->ssrc, h->seq, s->cfg.codec->clock_rate);
	s->have_src = true;
	s->have_prev = false;
}

static int rx_audio(struct sx_media_rtp *s, const struct sx_rtp_pkt *pkt,
                    uint64_t now)
{
	const struct sx_rtp_hdr *h = &pkt->hdr;
	track_ssrc(s, h);
	if (sx_rtp_source_recv(&s->src, h->seq, h->ts, now) == -ERANGE)
		return -ERANGE;
	adapt_ptime(s, h);
	return sx_jb_put(s->jb, h->seq, h->ts, pkt->payload, pkt->payload_len,
	                 now);
}

static int rx_event(struct sx_media_rtp *s, const struct sx_rtp_pkt *pkt,
                    uint64_t now)
{
	const struct sx_rtp_hdr *h = &pkt->hdr;
	struct sx_dtmf_payload ev;
	if (sx_dtmf_payload_parse(&ev, pkt->payload, pkt->payload_len))
		return -EBADMSG;
	/* events share the audio's sequence space when in its SSRC; the
	 * event's current end stands in for the timestamp (A.8 jitter) */
	if (s->have_src && h->ssrc == s->src.ssrc &&
	    sx_rtp_source_recv(&s->src, h->seq, h->ts + ev.duration, now) ==
	        -ERANGE)
		return -ERANGE;
	int err = sx_dtmf_rx_input(&s->dtmf_rx, h->ts, pkt->payload,
	                           pkt->payload_len, now);
	dtmf_poll(s, now);
	return err;
}

static int rtp_input(struct sx_media_rtp *s, const void *buf, size_t len,
                     const struct sx_sa *src, uint64_t now)
{
	struct sx_rtp_pkt pkt;
	if (sx_rtp_parse(&pkt, buf, len))
		return -EBADMSG;
	int pt = pkt.hdr.pt;
	int err;
	if (pt == s->cfg.rx_pt) {
		err = rx_audio(s, &pkt, now);
	} else if (pt == s->cfg.rx_dtmf_pt) {
		err = rx_event(s, &pkt, now);
	} else {
		s->st.rx_other_pt++;
		return 0;
	}
	if (err == -EBADMSG || err == -ERANGE)
		return -EBADMSG;
	latch(s, src);
	s->peer_sent = true;
	s->st.rx_packets++;
	s->st.rx_bytes += pkt.payload_len;
	return err;
}

/* -- RTCP ------------------------------------------------------------- */

static void rtcp_blocks(struct sx_media_rtp *s, const struct sx_rtcp_pkt *p,
                        uint64_t now)
{
	for (unsigned i = 0; i < p->count; i++) {
		const struct sx_rtcp_rb *rb = &p->u.rep.rb[i];
		if (rb->ssrc != s->snd.ssrc)
			continue;
		s->report = *rb;
		s->have_report = true;
		uint32_t rtt;
		if (!sx_rtcp_rtt(sx_rtcp_ntp_mid(ntp_at(s, now)), rb, &rtt)) {
			s->rtt_us = rtt;
			s->have_rtt = true;
		}
	}
}

static void rtcp_bye(struct sx_media_rtp *s, const struct sx_rtcp_pkt *p)
{
	for (unsigned i = 0; i < p->count; i++) {
		if (!s->have_src || p->u.bye.ssrc[i] != s->src.ssrc)
			continue;
		s->bye = true;
		if (s->prm.bye_h)
			s->prm.bye_h(p->u.bye.ssrc[i], s->prm.arg);
	}
}

static int rtcp_input(struct sx_media_rtp *s, const void *buf, size_t len,
                      const struct sx_sa *src, uint64_t now)
{
	struct sx_rtcp_iter it;
	struct sx_rtcp_pkt p;
	if (sx_rtcp_iter_init(&it, buf, len))
		return -EBADMSG;
	s->st.rtcp_rx++;
	/* RTCP follows the latest valid compound's source */
	if (s->prm.symmetric_rtp && src && sx_sa_isset(src))
		s->remote_rtcp = *src;
	while (sx_rtcp_iter_next(&it, &p) == 0) {
		if (p.pt == SX_RTCP_SR && s->have_src && p.ssrc == s->src.ssrc)
			sx_rtp_source_sr(&s->src, p.u.rep.si.ntp, now);
		if (p.pt == SX_RTCP_SR || p.pt == SX_RTCP_RR)
			rtcp_blocks(s, &p, now);
		else if (p.pt == SX_RTCP_BYE)
			rtcp_bye(s, &p);
	}
	return 0;
}

static int rtcp_send(struct sx_media_rtp *s, bool bye)
{
	uint8_t buf[RTCP_BUF];
	struct sx_rtcp_wr w;
	struct sx_rtcp_rb rb;
	size_t nrb = 0;
	uint64_t now = now_us(s);
	if (!sx_sa_isset(&s->remote_rtcp) && !s->prm.send_h)
		return -ENOTCONN;
	if (s->have_src) {
		sx_rtp_source_report(&s->src, now, &rb);
		nrb = 1;
	}
	sx_rtcp_wr_init(&w, buf, sizeof(buf));
	if (s->snd.sent) {
		struct sx_rtcp_sender_info si;
		sx_rtp_sender_info(&s->snd, ntp_at(s, now), s->tx_media_ts, &si);
		sx_rtcp_wr_sr(&w, s->snd.ssrc, &si, &rb, nrb);
	} else {
		sx_rtcp_wr_rr(&w, s->snd.ssrc, &rb, nrb);
	}
	sx_rtcp_wr_sdes_cname(&w, s->snd.ssrc, sx_sl_cstr(s->cname));
	if (bye)
		sx_rtcp_wr_bye(&w, &s->snd.ssrc, 1, SX_SL_NULL);
	ssize_t n = sx_rtcp_wr_finish(&w);
	if (n < 0)
		return (int)n;
	emit(s, buf, (size_t)n, true, &s->remote_rtcp);
	s->avg_rtcp =
	    sx_rtcp_avg_size(s->avg_rtcp, (size_t)n + RTCP_IP_UDP_BYTES);
	s->st.rtcp_tx++;
	return 0;
}

int sx_media_rtp_rtcp_send(struct sx_media_rtp *s)
{
	if (!s || !s->configured)
		return -EINVAL;
	return rtcp_send(s, false);
}

static uint64_t rtcp_interval_ms(struct sx_media_rtp *s)
{
	uint32_t bw = s->prm.session_bw ? s->prm.session_bw
	                                : SX_MEDIA_RTP_SESSION_BW_DEFAULT;
	bool we_sent = s->snd.sent;
	struct sx_rtcp_interval_prm ip = {
	    .members = s->have_src ? 2 : 1,
	    .senders = (unsigned)we_sent + (unsigned)s->peer_sent,
	    .rtcp_bw = (double)bw / BITS_PER_BYTE * SX_RTCP_BW_FRACTION,
	    .we_sent = we_sent,
	    .avg_rtcp_size = s->avg_rtcp,
	    .initial = s->rtcp_initial,
	};
	return sx_rtcp_interval_us(&ip, xorshift(&s->rnd)) / US_PER_MS;
}

static void rtcp_timer(void *arg)
{
	struct sx_media_rtp *s = arg;
	uint64_t next = rtcp_interval_ms(s);
	s->rtcp_initial = false;
	s->peer_sent = false;
	(void)rtcp_send(s, false);
	if (sx_tmr_start(s->loop, &s->rtcp_tmr, next, rtcp_timer, s))
		SX_LOG_WARN("RTCP timer could not be re-armed");
}

/* -- input and sockets ------------------------------------------------ */

int sx_media_rtp_input(struct sx_media_rtp *s, const void *buf, size_t len,
                       const struct sx_sa *src, bool rtcp)
{
	if (!s || (!buf && len))
		return -EINVAL;
	if (s->prm.drop_h && s->prm.drop_h(buf, len, rtcp, s->prm.drop_arg)) {
		s->st.rx_dropped++;
		return 0;
	}
	if (!s->configured)
		return -ENOTCONN;
	uint64_t now = now_us(s);
	int err;
	if (rtcp || sx_rtp_demux(buf, len) == SX_RTP_DEMUX_RTCP)
		err = rtcp_input(s, buf, len, src, now);
	else
		err = rtp_input(s, buf, len, src, now);
	if (err == -EBADMSG) {
		s->st.rx_bad++;
		SX_LOG_DBG("bad datagram of %zu bytes", len);
	}
	return err;
}

static void sock_read(struct sx_media_rtp *s, struct sx_udp *u, bool rtcp)
{
	struct sx_udp_rx rx[SX_MEDIA_RTP_RX_BATCH];
	for (unsigned round = 0; round < SX_MEDIA_RTP_RX_ROUNDS; round++) {
		for (size_t i = 0; i < SX_MEDIA_RTP_RX_BATCH; i++)
			rx[i] = (struct sx_udp_rx){.buf = s->rx_buf[i],
			                           .size = SX_MEDIA_RTP_PKT_MAX};
		ssize_t n = sx_udp_recv(u, rx, SX_MEDIA_RTP_RX_BATCH);
		for (ssize_t i = 0; i < n; i++) {
			if (rx[i].trunc)
				s->st.rx_bad++;
			else
				(void)sx_media_rtp_input(s, rx[i].buf,
				                         rx[i].len, &rx[i].src,
				                         rtcp);
		}
		if (n < SX_MEDIA_RTP_RX_BATCH)
			return;
	}
}

static void on_rtp(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	struct sx_media_rtp *s = arg;
	sock_read(s, s->rtp_sock, false);
}

static void on_rtcp(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	struct sx_media_rtp *s = arg;
	sock_read(s, s->rtcp_sock, true);
}

static void sock_close(struct sx_media_rtp *s, struct sx_udp **up)
{
	if (!*up)
		return;
	(void)sx_ev_fd_del(s->loop, sx_udp_fd(*up));
	sx_udp_close(*up);
	*up = NULL;
}

static int sock_open(struct sx_media_rtp *s, struct sx_udp **up,
                     const struct sx_sa *at, sx_ev_fd_h *h)
{
	int err = sx_udp_open(up, at, NULL);
	if (err)
		return err;
	err = sx_ev_fd_add(s->loop, sx_udp_fd(*up), SX_EV_READ, h, s);
	if (err) {
		sx_udp_close(*up);
		*up = NULL;
	}
	return err;
}

/* RTP on @port (0 = any) and, unless muxed, RTCP on the port above. */
static int open_at(struct sx_media_rtp *s, uint16_t port)
{
	struct sx_sa at = s->prm.local;
	sx_sa_set_port(&at, port);
	int err = sock_open(s, &s->rtp_sock, &at, on_rtp);
	if (err)
		return err;
	s->local = *sx_udp_local(s->rtp_sock);
	s->local_rtcp = s->local;
	if (s->prm.rtcp_mux)
		return 0;
	uint16_t rtp_port = sx_sa_port(&s->local);
	if (rtp_port % 2 || rtp_port == UINT16_MAX) {
		err = -EADDRINUSE; /* RFC 3550 11: RTP on an even port */
	} else {
		sx_sa_set_port(&at, (uint16_t)(rtp_port + 1));
		err = sock_open(s, &s->rtcp_sock, &at, on_rtcp);
	}
	if (err) {
		sock_close(s, &s->rtp_sock);
		return err;
	}
	s->local_rtcp = *sx_udp_local(s->rtcp_sock);
	return 0;
}

static int open_sockets(struct sx_media_rtp *s)
{
	uint16_t port = sx_sa_port(&s->prm.local);
	if (!sx_sa_isset(&s->prm.local))
		return -EINVAL;
	if (port || s->prm.rtcp_mux)
		return open_at(s, port);
	int err = -EADDRINUSE;
	for (unsigned i = 0; i < SX_MEDIA_RTP_BIND_TRIES && err == -EADDRINUSE;
	     i++)
		err = open_at(s, 0);
	return err;
}

/* -- configuration ---------------------------------------------------- */

static bool cfg_ok(const struct sx_media_rtp_cfg *c)
{
	return c->codec && c->tx_pt >= 0 && c->tx_pt <= PT_MAX &&
	       c->rx_pt >= 0 && c->rx_pt <= PT_MAX && c->tx_dtmf_pt >= -1 &&
	       c->tx_dtmf_pt <= PT_MAX && c->rx_dtmf_pt >= -1 &&
	       c->rx_dtmf_pt <= PT_MAX && c->rx_dtmf_pt != c->rx_pt;
}

/* Packet time in samples, within [PTIME_MIN_MS, PTIME_MAX_MS]; 0 if bad. */
static uint32_t ptime_samples(const struct sx_codec *c, uint32_t ms)
{
	if (!ms)
		ms = SX_CODEC_PTIME_MS;
	if (ms < PTIME_MIN_MS || ms > SX_MEDIA_PTIME_MAX_MS)
		return 0;
	return ms_to_units(ms, c->sample_rate);
}

static void set_remotes(struct sx_media_rtp *s,
                        const struct sx_media_rtp_cfg *cfg)
{
	if (s->prm.symmetric_rtp && s->latched)
		return; /* the latched address wins over the SDP's */
	s->remote = cfg->remote;
	if (sx_sa_isset(&cfg->remote_rtcp)) {
		s->remote_rtcp = cfg->remote_rtcp;
	} else if (cfg->rtcp_mux) {
		s->remote_rtcp = cfg->remote;
	} else {
		s->remote_rtcp = cfg->remote;
		if (sx_sa_isset(&cfg->remote))
			sx_sa_set_port(&s->remote_rtcp,
			               (uint16_t)(sx_sa_port(&cfg->remote) + 1));
	}
}

static void start_rtcp(struct sx_media_rtp *s)
{
	if (!s->loop || sx_tmr_isrunning(&s->rtcp_tmr))
		return;
	if (sx_tmr_start(s->loop, &s->rtcp_tmr, rtcp_interval_ms(s),
	                 rtcp_timer, s))
		SX_LOG_WARN("RTCP timer could not be armed");
}

int sx_media_rtp_configure(struct sx_media_rtp *s,
                           const struct sx_media_rtp_cfg *cfg)
{
	struct sx_codec_inst *ci = NULL;
	struct sx_jb *jb = NULL;
	int err = 0;
	if (!s || !cfg || !cfg_ok(cfg))
		return -EINVAL;
	const struct sx_codec *c = cfg->codec;
	if (c->sample_rate != s->port.clock_rate)
		return -ENOTSUP;
	uint32_t tx_n = ptime_samples(c, cfg->tx_ptime_ms);
	uint32_t rx_n = ptime_samples(c, cfg->rx_ptime_ms);
	if (!tx_n || !rx_n)
		return -EINVAL;
	uint32_t rx_ts = (uint32_t)((uint64_t)rx_n * c->clock_rate /
	                            c->sample_rate);
	bool new_codec = !s->codec || s->cfg.codec != c;
	bool new_jb = new_codec || rx_ts != s->rx_frame_ts;
	if (new_codec && (err = sx_codec_alloc(&ci, c)))
		goto out;
	if (new_jb && (err = jb_make(s, c, rx_ts, &jb)))
		goto out;
	if (ci) {
		sx_mem_unref(s->codec);
		s->codec = ci;
		ci = NULL;
		s->have_src = false;
	}
	if (jb) {
		sx_mem_unref(s->jb);
		s->jb = jb;
		jb = NULL;
		s->rx_off = s->rx_fill = 0;
		s->have_prev = false;
	}
	if (tx_n != s->tx_frame_samples || new_codec)
		s->tx_fill = 0;
	s->rx_frame_ts = rx_ts;
	s->rx_frame_samples = rx_n;
	s->tx_frame_samples = tx_n;
	s->tx_frame_ts = (uint32_t)((uint64_t)tx_n * c->clock_rate /
	                            c->sample_rate);
	s->cfg = *cfg;
	set_remotes(s, cfg);
	s->configured = true;
	start_rtcp(s);
out:
	sx_mem_unref(ci);
	sx_mem_unref(jb);
	return err;
}

int sx_media_rtp_cfg_from_sdp(struct sx_media_rtp_cfg *cfg,
                              const struct sx_sdp_oa_stream *st)
{
	if (!cfg || !st || !st->accepted || !st->cap || st->codec < 0 ||
	    (size_t)st->codec >= st->cap->ncodecs)
		return -EINVAL;
	const struct sx_sdp_oa_codec *oc = &st->cap->codecs[st->codec];
	const struct sx_codec *c = sx_codec_find(oc->name, oc->rate);
	if (!c)
		return -ENOTSUP;
	bool we_send = st->dir != SX_SDP_DIR_RECVONLY &&
	               st->dir != SX_SDP_DIR_INACTIVE && !st->remote_hold;
	bool we_recv = st->dir != SX_SDP_DIR_SENDONLY &&
	               st->dir != SX_SDP_DIR_INACTIVE;
	struct sx_media_rtp_cfg out = {
	    .codec = c,
	    .tx_pt = st->tx_pt,
	    .rx_pt = st->rx_pt,
	    .tx_dtmf_pt = st->tx_dtmf_pt,
	    .rx_dtmf_pt = st->rx_dtmf_pt,
	    .rtcp_mux = st->rtcp_mux,
	    .tx_ptime_ms = st->ptime,
	    .rx_ptime_ms = st->ptime ? st->ptime : st->cap->ptime,
	    .send = we_send,
	    .recv = we_recv,
	};
	if (st->raddr[0] && st->rport &&
	    sx_sa_set_str(&out.remote, sx_sl_cstr(st->raddr), st->rport))
		return -EINVAL;
	if (sx_sa_is_any(&out.remote))
		sx_sa_init(&out.remote); /* c=0.0.0.0: hold, no address */
	if (!st->rtcp_mux && st->rtcp_addr[0] && st->rtcp_port &&
	    sx_sa_set_str(&out.remote_rtcp, sx_sl_cstr(st->rtcp_addr),
	                  st->rtcp_port))
		return -EINVAL;
	*cfg = out;
	return 0;
}

/* -- lifetime --------------------------------------------------------- */

static void rtp_destroy(struct sx_media_port *p)
{
	struct sx_media_rtp *s = of_port(p);
	if (s->configured)
		(void)rtcp_send(s, true); /* RFC 3550 6.3.7: leaving */
	sx_tmr_stop(&s->rtcp_tmr);
	sock_close(s, &s->rtp_sock);
	sock_close(s, &s->rtcp_sock);
	s->jb = sx_mem_unref(s->jb);
	s->codec = sx_mem_unref(s->codec);
}

static const struct sx_media_port_vt rtp_vt = {
    .name = "rtp",
    .get_frame = rtp_get_frame,
    .put_frame = rtp_put_frame,
    .destroy = rtp_destroy,
};

static void set_cname(struct sx_media_rtp *s, const char *cname)
{
	if (cname)
		snprintf(s->cname, sizeof(s->cname), "%s", cname);
	else
		snprintf(s->cname, sizeof(s->cname), "%08x@sipxecs",
		         (unsigned)s->snd.ssrc);
}

int sx_media_rtp_alloc(struct sx_media_rtp **sp, struct sx_ev *loop,
                       const struct sx_media_rtp_prm *prm)
{
	struct sx_media_port *p = NULL;
	if (!sp || !prm || (!loop && (!prm->send_h || !prm->clock_h)))
		return -EINVAL;
	uint32_t rate = prm->clock_rate ? prm->clock_rate : RATE_DEFAULT;
	uint32_t frame = sx_media_frame_samples(rate, prm->ptime_ms);
	if (!frame)
		return -EINVAL;
	/* two of the longest packets: one being read, one decoded */
	size_t fifo_cap = 2 * (size_t)ms_to_units(SX_MEDIA_PTIME_MAX_MS, rate);
	size_t size = sizeof(struct sx_media_rtp) + 2 * fifo_cap * sizeof(int16_t);
	int err = sx_media_port_alloc(&p, size, &rtp_vt, rate, frame);
	if (err)
		return err;
	struct sx_media_rtp *s = of_port(p);
	s->loop = loop;
	s->prm = *prm;
	s->prm.cname = NULL;
	s->fifo_cap = fifo_cap;
	s->rx_pcm = (int16_t *)(s + 1);
	s->tx_pcm = s->rx_pcm + fifo_cap;
	s->avg_rtcp = RTCP_AVG_INIT;
	s->rtcp_initial = true;
	sx_dtmf_rx_init(&s->dtmf_rx, 0);
	err = sx_rtp_sender_init(&s->snd);
	if (err)
		goto out;
	s->rnd = (s->snd.ssrc ^ s->snd.ts_base) | 1; /* xorshift: non-zero */
	set_cname(s, prm->cname);
	s->mono_base_us = now_us(s);
	s->wall_base_us = wall_us();
	if (loop)
		err = open_sockets(s);
out:
	if (err) {
		sx_media_port_unref(p);
		return err;
	}
	*sp = s;
	return 0;
}

struct sx_media_rtp *sx_media_rtp_unref(struct sx_media_rtp *s)
{
	if (s)
		sx_media_port_unref(&s->port);
	return NULL;
}

struct sx_media_port *sx_media_rtp_port(struct sx_media_rtp *s)
{
	return s ? &s->port : NULL;
}

const struct sx_sa *sx_media_rtp_local(const struct sx_media_rtp *s)
{
	return &s->local;
}

const struct sx_sa *sx_media_rtp_local_rtcp(const struct sx_media_rtp *s)
{
	return &s->local_rtcp;
}

void sx_media_rtp_stats(struct sx_media_rtp *s, struct sx_media_rtp_stats *st)
{
	*st = s->st;
	st->ssrc = s->snd.ssrc;
	st->have_source = s->have_src;
	if (s->have_src) {
		st->rx_ssrc = s->src.ssrc;
		st->rx_lost = sx_rtp_source_lost(&s->src);
		st->rx_ext_max = sx_rtp_source_ext_max(&s->src);
		st->rx_jitter = sx_rtp_source_jitter(&s->src);
	}
	st->have_report = s->have_report;
	st->report = s->report;
	st->have_rtt = s->have_rtt;
	st->rtt_us = s->rtt_us;
	st->bye = s->bye;
	st->remote = s->remote;
	st->remote_rtcp = s->remote_rtcp;
	if (s->jb)
		sx_jb_stats(s->jb, &st->jb);
}
