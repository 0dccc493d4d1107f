/*
 * bench_media: how many RTP audio channels one core carries in real time
 * through the whole media path of a conference server (RFC 3550 RTP,
 * RFC 3551 G.711, RFC 7587 Opus).
 *
 * Per 20 ms frame and channel: an incoming RTP packet (made in memory:
 * a per-channel packet whose sequence number and timestamp are rewritten
 * in place) goes through sx_media_rtp_input() - demux, RTP parse, source
 * statistics, jitter buffer put; then each 3-party conference mixer ticks,
 * pulling every channel (jitter buffer get, codec decode, reframing FIFO)
 * and pushing each its mix (codec encode, RTP stamp and build, and the
 * send hook, which sums the bytes into memory instead of a socket).
 * No syscalls: this measures our code, not the kernel's UDP path.
 *
 * CPU time (CLOCK_THREAD_CPUTIME_ID) over several rounds; the median
 * gives channels per core = 20 ms / (CPU time per frame per channel).
 * The last line is `g711_channels_per_core=N`.
 *
 * Usage: bench_media [--rounds N] [--frames N] [--g711 CH] [--opus CH]
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sx/codec/codec.h>
#include <sx/media/mixer.h>
#include <sx/media/rtp_port.h>
#include <sx/rtp/rtp.h>
#include <sx/util/mem.h>

#define PARTY          3     /* channels per conference */
#define FRAME_US       20000 /* 20 ms */
#define ROUNDS_DEFAULT 7
#define FRAMES_DEFAULT 250   /* 5 s of media per round */
#define G711_CH        600
#define OPUS_CH        30
#define WARM_FRAMES    10
#define PL_VARIANTS  16 /* different pre-encoded frames */
#define PI             3.14159265358979323846
#define NS_PER_S       1000000000.0

struct chan {
	struct sx_media_rtp *rtp;
	uint8_t pkt[SX_MEDIA_RTP_PKT_MAX]; /* incoming packet template */
	size_t len;
	uint16_t seq;
	uint32_t ts;
};

struct bench {
	const struct sx_codec *codec;
	int pt;
	unsigned nch;
	struct chan *ch;
	struct sx_media_mixer **mix;
	uint64_t now_us;
	uint64_t sent_bytes;
	/* incoming payloads: pre-encoded frames, one per channel in turn */
	uint8_t pl[PL_VARIANTS][SX_MEDIA_RTP_PKT_MAX];
	size_t pl_len[PL_VARIANTS];
};

static uint64_t bench_clock(void *arg)
{
	return ((struct bench *)arg)->now_us;
}

static int bench_send(const uint8_t *pkt, size_t len, bool rtcp,
                      const struct sx_sa *dst, void *arg)
{
	struct bench *b = arg;
	b->sent_bytes += len + pkt[len - 1];
	return 0;
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / NS_PER_S;
}

/* 20 ms of a two-tone signal at the codec's rate, phase @k. */
static void speechish(int16_t *pcm, unsigned n, uint32_t rate, unsigned k)
{
	for (unsigned i = 0; i < n; i++) {
		double t = (double)(k * n + i) / rate;
		pcm[i] = (int16_t)(6000 * sin(2 * PI * 440 * t) +
		                   3000 * sin(2 * PI * 1250 * t));
	}
}

/* The payloads the far ends "send": encoded once, at set-up. */
static int make_payloads(struct bench *b)
{
	struct sx_codec_inst *enc = NULL;
	int16_t pcm[SX_MEDIA_FRAME_MAX];
	const struct sx_codec *c = b->codec;
	int err = sx_codec_alloc(&enc, c);
	for (unsigned k = 0; !err && k < PL_VARIANTS; k++) {
		speechish(pcm, c->frame_samples, c->sample_rate, k);
		ssize_t n = sx_codec_encode(enc, pcm, c->frame_samples,
		                            b->pl[k],
		                            sizeof(b->pl[k]) -
		                                SX_RTP_HDR_LEN);
		if (n < 0)
			err = (int)n;
		else
			b->pl_len[k] = (size_t)n;
	}
	sx_mem_unref(enc);
	return err;
}

static int chan_init(struct bench *b, struct chan *ch, unsigned idx)
{
	struct sx_media_rtp_prm prm = {
	    .clock_rate = b->codec->sample_rate,
	    .send_h = bench_send,
	    .send_arg = b,
	    .clock_h = bench_clock,
	    .clock_arg = b,
	};
	struct sx_media_rtp_cfg cfg = {
	    .codec = b->codec,
	    .tx_pt = b->pt,
	    .rx_pt = b->pt,
	    .tx_dtmf_pt = 101,
	    .rx_dtmf_pt = 101,
	    .send = true,
	    .recv = true,
	};
	int err = sx_media_rtp_alloc(&ch->rtp, NULL, &prm);
	if (!err)
		err = sx_media_rtp_configure(ch->rtp, &cfg);
	if (err)
		return err;
	const uint8_t *pl = b->pl[idx % PL_VARIANTS];
	size_t plen = b->pl_len[idx % PL_VARIANTS];
	struct sx_rtp_hdr h = {.pt = (uint8_t)b->pt, .ssrc = 1000 + idx};
	ssize_t n = sx_rtp_build(ch->pkt, sizeof(ch->pkt), &h, pl, plen);
	if (n < 0)
		return (int)n;
	ch->len = (size_t)n;
	ch->seq = (uint16_t)(idx * 7);
	return 0;
}

static int bench_init(struct bench *b, const struct sx_codec *c, int pt,
                      unsigned nch)
{
	b->codec = c;
	b->pt = pt;
	b->nch = nch - nch % PARTY;
	b->now_us = 1000000;
	b->ch = sx_mem_zalloc(b->nch * sizeof(*b->ch), NULL);
	b->mix = sx_mem_zalloc(b->nch / PARTY * sizeof(*b->mix), NULL);
	if (!b->ch || !b->mix)
		return -ENOMEM;
	int err = make_payloads(b);
	for (unsigned i = 0; !err && i < b->nch; i++)
		err = chan_init(b, &b->ch[i], i);
	uint32_t frame = c->frame_samples;
	for (unsigned m = 0; !err && m < b->nch / PARTY; m++) {
		err = sx_media_mixer_alloc(&b->mix[m], c->sample_rate, frame,
		                           PARTY);
		for (unsigned k = 0; !err && k < PARTY; k++) {
			struct sx_media_port *p =
			    sx_media_rtp_port(b->ch[m * PARTY + k].rtp);
			uint32_t id;
			err = sx_media_mixer_add(b->mix[m], p, p, &id);
		}
	}
	return err;
}

static void bench_fini(struct bench *b)
{
	for (unsigned m = 0; b->mix && m < b->nch / PARTY; m++)
		sx_mem_unref(b->mix[m]);
	for (unsigned i = 0; b->ch && i < b->nch; i++)
		sx_media_rtp_unref(b->ch[i].rtp);
	sx_mem_unref(b->mix);
	sx_mem_unref(b->ch);
}

/* Rewrite sequence number and timestamp in place, as the wire would. */
static void chan_feed(struct bench *b, struct chan *ch)
{
	ch->seq++;
	ch->ts += b->codec->frame_samples * b->codec->clock_rate /
	          b->codec->sample_rate;
	ch->pkt[2] = (uint8_t)(ch->seq >> 8);
	ch->pkt[3] = (uint8_t)ch->seq;
	ch->pkt[4] = (uint8_t)(ch->ts >> 24);
	ch->pkt[5] = (uint8_t)(ch->ts >> 16);
	ch->pkt[6] = (uint8_t)(ch->ts >> 8);
	ch->pkt[7] = (uint8_t)ch->ts;
	(void)sx_media_rtp_input(ch->rtp, ch->pkt, ch->len, NULL, false);
}

static void run_frames(struct bench *b, unsigned frames)
{
	for (unsigned f = 0; f < frames; f++) {
		b->now_us += FRAME_US;
		for (unsigned i = 0; i < b->nch; i++)
			chan_feed(b, &b->ch[i]);
		for (unsigned m = 0; m < b->nch / PARTY; m++)
			(void)sx_media_mixer_tick(b->mix[m]);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Returns the median channels per core, or -1 on a set-up error. */
static long measure(const char *name, const struct sx_codec *c, int pt,
                    unsigned nch, unsigned rounds, unsigned frames)
{
	static struct bench b;
	double us[64];
	long cpc = -1;
	memset(&b, 0, sizeof(b));
	int err = bench_init(&b, c, pt, nch);
	if (err) {
		fprintf(stderr, "%s: set-up failed: %d\n", name, err);
		goto out;
	}
	run_frames(&b, WARM_FRAMES);
	uint64_t allocs = sx_mem_allocs();
	for (unsigned r = 0; r < rounds; r++) {
		double t0 = cpu_s();
		run_frames(&b, frames);
		us[r] = (cpu_s() - t0) * 1e6 / ((double)frames * b.nch);
	}
	qsort(us, rounds, sizeof(us[0]), cmp_double);
	double med = us[rounds / 2];
	cpc = (long)(FRAME_US / med);
	struct sx_media_rtp_stats st;
	sx_media_rtp_stats(b.ch[0].rtp, &st);
	printf("%-5s channels=%u (%u conferences of %d) rounds=%u x %u frames\n",
	       name, b.nch, b.nch / PARTY, PARTY, rounds, frames);
	printf("%-5s cpu per frame per channel: median %.3f us  min %.3f  "
	       "max %.3f\n", name, med, us[0], us[rounds - 1]);
	printf("%-5s channels per core (20 ms / median): %ld\n", name, cpc);
	printf("%-5s check: ch0 rx=%llu tx=%llu jb_lost=%llu decode_err=%llu "
	       "allocs_in_steady_state=%llu\n", name,
	       (unsigned long long)st.rx_packets,
	       (unsigned long long)st.tx_packets,
	       (unsigned long long)st.jb.lost,
	       (unsigned long long)st.decode_err,
	       (unsigned long long)(sx_mem_allocs() - allocs));
out:
	bench_fini(&b);
	return cpc;
}

int main(int argc, char **argv)
{
	unsigned rounds = ROUNDS_DEFAULT, frames = FRAMES_DEFAULT;
	unsigned g711 = G711_CH, opus = OPUS_CH;
	for (int i = 1; i + 1 < argc; i += 2) {
		unsigned v = (unsigned)strtoul(argv[i + 1], NULL, 10);
		if (!strcmp(argv[i], "--rounds"))
			rounds = v;
		else if (!strcmp(argv[i], "--frames"))
			frames = v;
		else if (!strcmp(argv[i], "--g711"))
			g711 = v;
		else if (!strcmp(argv[i], "--opus"))
			opus = v;
	}
	if (rounds < 1 || rounds > 63 || !frames || g711 < PARTY ||
	    opus < PARTY) {
		fprintf(stderr, "usage: bench_media [--rounds 1..63] "
		                "[--frames N] [--g711 CH] [--opus CH]\n");
		return 2;
	}
	printf("per 20 ms frame and channel: RTP in (parse, stats, jitter "
	       "buffer), decode, 3-party mix, encode, RTP out (to memory)\n");
	long g = measure("pcmu", &sx_codec_pcmu, 0, g711, rounds, frames);
	long o = measure("opus", &sx_codec_opus, 111, opus, rounds, frames);
	if (g < 0 || o < 0)
		return 1;
	printf("opus_channels_per_core=%ld\n", o);
	printf("g711_channels_per_core=%ld\n", g);
	return 0;
}
