/*
 * Receiver state for one RTP source: RFC 3550 appendix A.1 (sequence
 * number validation with probation, wrap and restart), A.3 (expected,
 * lost, fraction lost), A.8 (interarrival jitter) and the report block
 * fields of section 6.4.1 (LSR, DLSR).  The code follows the RFC's
 * reference implementation closely, names included.
 */
#include <errno.h>

#include <sx/rtp/source.h>

#include "rtp_int.h"

#define US_PER_S 1000000ull
/* DLSR unit: 1/65536 s (RFC 3550 6.4.1). */
#define DLSR_UNITS_PER_S 65536ull

static void init_seq(struct sx_rtp_source *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = SX_RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

void sx_rtp_source_init(struct sx_rtp_source *s, uint32_t ssrc, uint16_t seq,
                        uint32_t clock_rate)
{
	*s = (struct sx_rtp_source){.ssrc = ssrc, .clock_rate = clock_rate};
	init_seq(s, seq);
	s->max_seq = (uint16_t)(seq - 1);
	s->probation = SX_RTP_MIN_SEQUENTIAL;
}

/* A.1 update_seq(): 0 valid, -EAGAIN on probation, -ERANGE rejected. */
static int update_seq(struct sx_rtp_source *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (s->probation) {
		/* packet is in sequence */
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				init_seq(s, seq);
				s->received++;
				return 0;
			}
		} else {
			s->probation = SX_RTP_MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return -EAGAIN;
	}
	if (udelta < SX_RTP_MAX_DROPOUT) {
		/* in order, with permissible gap */
		if (seq < s->max_seq)
			s->cycles += SX_RTP_SEQ_MOD; /* wrapped */
		s->max_seq = seq;
	} else if (udelta <= SX_RTP_SEQ_MOD - SX_RTP_MAX_MISORDER) {
		/* the sequence number made a very large jump */
		if (seq == s->bad_seq) {
			/* two sequential packets: assume the other side
			 * restarted without telling us */
			init_seq(s, seq);
			s->have_transit = false;
		} else {
			s->bad_seq = (seq + 1u) & (SX_RTP_SEQ_MOD - 1);
			return -ERANGE;
		}
	}
	/* else duplicate or reordered packet: counted, max unchanged */
	s->received++;
	return 0;
}

static void update_jitter(struct sx_rtp_source *s, uint32_t rtp_ts,
                          uint64_t arrival_us)
{
	/* A.8: arrival expressed in timestamp units */
	uint32_t transit =
	    sx_rtp__us_to_units(arrival_us, s->clock_rate) - rtp_ts;
	if (!s->have_transit) {
		s->have_transit = true;
		s->transit = transit;
		return;
	}
	int32_t d = (int32_t)(transit - s->transit);
	s->transit = transit;
	uint32_t ad = d < 0 ? -(uint32_t)d : (uint32_t)d;
	/* A.8: J += (|D| - J) / 16, kept scaled by 16 */
	s->jitter += ad - ((s->jitter + 8) >> 4);
}

int sx_rtp_source_recv(struct sx_rtp_source *s, uint16_t seq, uint32_t rtp_ts,
                       uint64_t arrival_us)
{
	int err = update_seq(s, seq);
	if (err)
		return err;
	update_jitter(s, rtp_ts, arrival_us);
	return 0;
}

uint32_t sx_rtp_source_ext_max(const struct sx_rtp_source *s)
{
	return s->cycles + s->max_seq;
}

int32_t sx_rtp_source_lost(const struct sx_rtp_source *s)
{
	/* A.3: expected = extended_max - base_seq + 1 */
	int64_t expected = (int64_t)sx_rtp_source_ext_max(s) - s->base_seq + 1;
	int64_t lost = expected - s->received;
	if (lost > SX_RTCP_LOST_MAX)
		lost = SX_RTCP_LOST_MAX;
	else if (lost < SX_RTCP_LOST_MIN)
		lost = SX_RTCP_LOST_MIN;
	return (int32_t)lost;
}

uint32_t sx_rtp_source_jitter(const struct sx_rtp_source *s)
{
	return s->jitter >> 4;
}

void sx_rtp_source_sr(struct sx_rtp_source *s, uint64_t ntp, uint64_t now_us)
{
	s->have_sr = true;
	s->lsr = sx_rtcp_ntp_mid(ntp);
	s->lsr_arrival_us = now_us;
}

/* A.3 fraction lost over the interval since the last report. */
static uint8_t fraction_lost(struct sx_rtp_source *s)
{
	uint32_t expected = sx_rtp_source_ext_max(s) - s->base_seq + 1;
	uint32_t expected_interval = expected - s->expected_prior;
	s->expected_prior = expected;
	uint32_t received_interval = s->received - s->received_prior;
	s->received_prior = s->received;
	int64_t lost_interval = (int64_t)expected_interval - received_interval;
	if (expected_interval == 0 || lost_interval <= 0)
		return 0;
	/* all lost would give 256: the 8-bit field saturates at 255 */
	int64_t fraction = (lost_interval << 8) / expected_interval;
	return (uint8_t)(fraction > UINT8_MAX ? UINT8_MAX : fraction);
}

void sx_rtp_source_report(struct sx_rtp_source *s, uint64_t now_us,
                          struct sx_rtcp_rb *rb)
{
	*rb = (struct sx_rtcp_rb){
	    .ssrc = s->ssrc,
	    .fraction = fraction_lost(s),
	    .lost = sx_rtp_source_lost(s),
	    .ext_seq = sx_rtp_source_ext_max(s),
	    .jitter = sx_rtp_source_jitter(s),
	};
	if (s->have_sr && now_us >= s->lsr_arrival_us) {
		rb->lsr = s->lsr;
		rb->dlsr = (uint32_t)((now_us - s->lsr_arrival_us) *
		                      DLSR_UNITS_PER_S / US_PER_S);
	}
}
