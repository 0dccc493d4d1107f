/*
 * Sending side of an RTP stream (RFC 3550 5.1: random SSRC, initial
 * sequence number and timestamp; 6.4.1 sender counts) and the RTCP
 * transmission interval of RFC 3550 6.3.1 / appendix A.7.
 */
#include <errno.h>
#include <sys/random.h>

#include <sx/rtp/sender.h>

#define US_PER_S 1000000.0
/* A.7: compensation for timer reconsideration converging low. */
#define RTCP_COMPENSATION (2.71828 - 1.5)
/* A.7: weight of a new sample in the average RTCP size. */
#define RTCP_AVG_WEIGHT 16.0

struct rand_init {
	uint32_t ssrc;
	uint32_t ts;
	uint16_t seq;
};

int sx_rtp_sender_init(struct sx_rtp_sender *s)
{
	struct rand_init r;
	if (!s)
		return -EINVAL;
	ssize_t n = getrandom(&r, sizeof(r), 0);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(r))
		return -EIO;
	*s = (struct sx_rtp_sender){
	    .ssrc = r.ssrc,
	    .seq = r.seq,
	    .ts_base = r.ts,
	};
	return 0;
}

void sx_rtp_sender_stamp(struct sx_rtp_sender *s, struct sx_rtp_hdr *h,
                         uint32_t media_ts, size_t payload_len)
{
	h->ssrc = s->ssrc;
	h->seq = s->seq++;
	h->ts = s->ts_base + media_ts;
	/* the SR counts wrap modulo 2^32 (RFC 3550 6.4.1) */
	s->packets++;
	s->octets += (uint32_t)payload_len;
	s->sent = true;
}

void sx_rtp_sender_info(struct sx_rtp_sender *s, uint64_t ntp,
                        uint32_t media_ts_now, struct sx_rtcp_sender_info *si)
{
	*si = (struct sx_rtcp_sender_info){
	    .ntp = ntp,
	    .rtp_ts = s->ts_base + media_ts_now,
	    .packets = s->packets,
	    .octets = s->octets,
	};
	s->sent = false;
}

uint64_t sx_rtcp_interval_us(const struct sx_rtcp_interval_prm *p, uint32_t rnd)
{
	double rtcp_min_time = SX_RTCP_MIN_TIME_US / US_PER_S;
	double n = p->members ? p->members : 1;
	double rtcp_bw = p->rtcp_bw;

	/* A.7: halve the minimum before the first report */
	if (p->initial)
		rtcp_min_time /= 2;
	/* if senders are at most a quarter of the members, they share a
	 * quarter of the bandwidth and receivers the rest */
	if (p->senders > 0 && p->senders <= n * SX_RTCP_SENDER_BW_FRACTION) {
		if (p->we_sent) {
			rtcp_bw *= SX_RTCP_SENDER_BW_FRACTION;
			n = p->senders;
		} else {
			rtcp_bw *= SX_RTCP_RCVR_BW_FRACTION;
			n -= p->senders;
		}
	}
	double t = rtcp_bw > 0 ? p->avg_rtcp_size * n / rtcp_bw : 0;
	if (t < rtcp_min_time)
		t = rtcp_min_time;
	/* randomise to [0.5, 1.5) of the deterministic interval */
	t = t * (0.5 + rnd / 4294967296.0);
	t = t / RTCP_COMPENSATION;
	return (uint64_t)(t * US_PER_S);
}

double sx_rtcp_avg_size(double avg, size_t pkt_size)
{
	return avg + ((double)pkt_size - avg) / RTCP_AVG_WEIGHT;
}
