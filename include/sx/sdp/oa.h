/*
 * SDP offer/answer (RFC 3264) for one session (one dialog's media).
 *
 * An sx_sdp_oa holds our capabilities (codecs per media type, ports,
 * telephone-event, ptime), our o= identity and what was negotiated so far
 * (the m= lines of the session and the payload type numbers in use).  It
 * writes our offers and answers as SDP text and turns the peer's offer or
 * answer into a per-stream result (struct sx_sdp_oa_stream) that a media
 * layer can use directly: codec, payload types both ways, remote RTP and
 * RTCP address, direction, telephone-event payload types.
 *
 * Rules applied (RFC 3264 sections in brackets):
 *  - An answer has the offer's m= lines in order [6]; a line is accepted
 *    when a capability of its media type is still free, the proto is
 *    RTP/AVP or RTP/AVPF, its port is not 0 and a codec is common;
 *    otherwise it gets port 0 [6].
 *  - Codecs match by encoding name (case-insensitive), clock rate and
 *    channels; a static payload type without rtpmap matches by its RFC
 *    3551 number.  The answer keeps the offerer's payload type numbers
 *    [6.1] and lists common codecs in the offer's order (or ours with
 *    prefer_local).  CN and telephone-event are never the chosen codec.
 *  - telephone-event (RFC 4733) is answered with the offerer's payload
 *    type, preferring the clock rate of the chosen codec, with our event
 *    list as fmtp ("0-16" by default).
 *  - Direction [6.1]: we send only if the peer receives and we want to
 *    send; we receive only if the peer sends and we want to receive.
 *    c=0.0.0.0 (RFC 2543 hold) means the peer does not receive [8.4].
 *  - o= [5, 8]: same username and session id for the whole session; the
 *    version goes up by one only when the SDP we send changes.
 *  - Re-offers keep every m= line negotiated before (rejected ones with
 *    port 0) and the payload type numbers in use [8.3.2].
 *
 * Not thread-safe: one oa belongs to one call on one worker.
 */
#ifndef SX_SDP_OA_H
#define SX_SDP_OA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/sdp/sdp.h>
#include <sx/util/buf.h>
#include <sx/util/compiler.h>

/** Most codecs in one capability. */
#define SX_SDP_OA_MAX_CODECS 16
/** Most capabilities (media types) per oa. */
#define SX_SDP_OA_MAX_CAPS 4
/** Longest fmtp value copied into a result, bytes. */
#define SX_SDP_OA_FMTP_MAX 255
/** Longest o= username and s= we keep, bytes. */
#define SX_SDP_OA_NAME_MAX 63
/** Default telephone-event fmtp (RFC 4733 7.1.1: DTMF 0-15 and flash). */
#define SX_SDP_OA_DTMF_EVENTS "0-16"
/** telephone-event clock rate when no codec rate matches (RFC 4733). */
#define SX_SDP_OA_DTMF_RATE 8000

/** One codec we can send and receive. */
struct sx_sdp_oa_codec {
	const char *name; /**< encoding name ("PCMU", "opus") */
	uint32_t rate;    /**< RTP clock rate */
	uint8_t channels; /**< 0 or 1 = mono */
	const char *fmtp; /**< our a=fmtp value, NULL for none */
	uint8_t pt;       /**< payload type we offer: static or 96..127 */
};

/** What we can do on one stream of a media type. */
struct sx_sdp_oa_cap {
	enum sx_sdp_mtype mtype;              /**< AUDIO, VIDEO ... */
	const struct sx_sdp_oa_codec *codecs; /**< our preference order */
	size_t ncodecs;
	uint16_t port;           /**< our RTP port for this stream */
	int dtmf_pt;             /**< telephone-event pt we offer; -1 = none */
	const char *dtmf_events; /**< its fmtp, NULL = SX_SDP_OA_DTMF_EVENTS */
	uint32_t ptime;          /**< a=ptime we ask for, 0 = none */
	bool rtcp_mux;           /**< offer and accept a=rtcp-mux */
};

/** Parameters of sx_sdp_oa_alloc(); zero-initialize, then fill. */
struct sx_sdp_oa_prm {
	const char *username;             /**< o= username, NULL = "-" */
	uint64_t sess_id;                 /**< o= sess-id (e.g. random) */
	uint64_t sess_version;            /**< first o= version */
	const char *addr;                 /**< our IP literal for o= and c= */
	const char *sess_name;            /**< s=, NULL = "-" */
	const struct sx_sdp_oa_cap *caps; /**< must outlive the oa */
	size_t ncaps;
	bool prefer_local; /**< answer in our codec order */
	bool single_codec; /**< answer one codec (+ telephone-event) */
};

/** Negotiated state of one m= line, from our point of view. */
struct sx_sdp_oa_stream {
	enum sx_sdp_mtype mtype;
	bool accepted; /**< false: port 0 (rejected / disabled) */
	const struct sx_sdp_oa_cap *cap; /**< capability used, or NULL */
	int codec;                       /**< index into cap->codecs, or -1 */
	int tx_pt;                       /**< payload type we send it with */
	int rx_pt;                       /**< payload type we receive it with */
	char fmtp[SX_SDP_OA_FMTP_MAX + 1]; /**< peer's fmtp for it, or "" */
	int tx_dtmf_pt;    /**< telephone-event pt we send, -1 = none */
	int rx_dtmf_pt;    /**< telephone-event pt we receive, -1 */
	enum sx_sdp_af af; /**< family of raddr (NONE: no address) */
	char raddr[SX_SDP_MAX_ADDR_LEN + 1];     /**< peer's RTP address */
	uint16_t rport;                          /**< peer's RTP port */
	char rtcp_addr[SX_SDP_MAX_ADDR_LEN + 1]; /**< peer's RTCP address */
	uint16_t rtcp_port;  /**< a=rtcp (RFC 3605), else rport + 1;
	                          rport when rtcp-mux is in use */
	bool rtcp_mux;       /**< RTP and RTCP share the port (RFC 5761) */
	enum sx_sdp_dir dir; /**< SENDONLY = we send and do not receive */
	bool remote_hold;    /**< peer does not receive (sendonly,
	                          inactive, or c=0.0.0.0) */
	uint32_t ptime;      /**< peer's a=ptime, 0 = codec default */
};

/** Result of answering an offer or processing an answer. */
struct sx_sdp_oa_result {
	struct sx_sdp_oa_stream streams[SX_SDP_MAX_MEDIA]; /**< per m= line */
	unsigned nstreams;                                 /**< m= lines */
	unsigned naccepted;  /**< streams with accepted == true */
	bool remote_changed; /**< peer's o= is new (first SDP, other
	                          session or other version) */
};

struct sx_sdp_oa;

/**
 * New offer/answer state.  Copies the strings of @prm; the caps array
 * and its codecs must outlive the oa.  Free with sx_mem_unref().
 * 0, -EINVAL (no addr, bad caps) or -ENOMEM.
 */
int sx_sdp_oa_alloc(struct sx_sdp_oa **oap,
                    const struct sx_sdp_oa_prm *prm) SX_MUST_CHECK;

/**
 * Set the direction we want for the next offer or answer: SENDRECV
 * (default), SENDONLY (we hold the peer), RECVONLY, INACTIVE.
 */
void sx_sdp_oa_set_dir(struct sx_sdp_oa *oa, enum sx_sdp_dir dir);

/**
 * Append our offer to @out: the session's m= lines so far (at first one
 * per capability), all our codecs with the payload types in use.
 * Afterwards an answer is expected (sx_sdp_oa_answer_process()).
 * 0, -EBUSY (an offer is outstanding), -ENOMEM or -E2BIG.
 */
int sx_sdp_oa_offer(struct sx_sdp_oa *oa, struct sx_buf *out) SX_MUST_CHECK;

/** Forget an outstanding offer (CANCEL, 491 glare, failed re-INVITE). */
void sx_sdp_oa_offer_cancel(struct sx_sdp_oa *oa);

/**
 * Answer the peer's @offer: append the answer SDP to @out and fill @res.
 * Rejecting every stream is not an error (res->naccepted == 0: the SIP
 * layer may prefer 488).  0, -EINVAL, -EBUSY (our offer is outstanding),
 * -ENOMEM or -E2BIG.
 */
int sx_sdp_oa_answer(struct sx_sdp_oa *oa, const struct sx_sdp *offer,
                     struct sx_buf *out,
                     struct sx_sdp_oa_result *res) SX_MUST_CHECK;

/**
 * Process the peer's @answer to our last offer and fill @res.
 * 0, -EINVAL (no offer outstanding), -EPROTO (m= lines do not match our
 * offer).  The offer stays outstanding on -EPROTO.
 */
int sx_sdp_oa_answer_process(struct sx_sdp_oa *oa, const struct sx_sdp *answer,
                             struct sx_sdp_oa_result *res) SX_MUST_CHECK;

/** Current o= version (for tests and logs). */
uint64_t sx_sdp_oa_version(const struct sx_sdp_oa *oa);

#endif
