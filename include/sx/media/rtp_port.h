/*
 * sx_media_rtp: one RTP audio stream as a media port (RFC 3550, RFC 3551,
 * RFC 4733, RFC 4961, RFC 5761).
 *
 * The stream owns a UDP socket (and a second one for RTCP on port + 1
 * unless RTCP is muxed) on an sx_ev loop, and is itself a media port:
 *
 *   receive:  RTP -> source stats (RFC 3550 A.1/A.3/A.8) -> jitter buffer
 *             -> codec decode (concealment on loss) -> get_frame
 *   send:     put_frame -> codec encode -> RTP (sender state) -> socket
 *
 * RFC 4733 telephone-events are received (each digit reported once to a
 * callback) and sent (a digit string, audio suppressed while an event is
 * on).  RTCP: SR or RR plus SDES CNAME at the RFC 3550 A.7 interval,
 * incoming SR/RR/BYE processed, round-trip time from LSR/DLSR, BYE sent
 * when the stream stops.  Symmetric RTP (option symmetric_rtp): the
 * remote address latches to where the peer's packets come from, for
 * phones behind NAT (RFC 4961 makes peers send from the port they
 * receive on; we always do).
 *
 * The PCM side runs at the port's clock rate, which must equal the
 * codec's sample rate (no resampling here).  Packet time on the wire and
 * the port's frame length are independent: small FIFOs reframe.
 *
 * Memory: everything is allocated by sx_media_rtp_alloc() and
 * sx_media_rtp_configure(); receiving, get_frame, put_frame, DTMF and
 * RTCP never allocate.  (One exception: when the peer's packets carry a
 * different packet time than negotiated, the jitter buffer is rebuilt
 * once for it.)  Time comes from the loop's clock (ms resolution) or a
 * clock callback.  One thread: the loop's.
 */
#ifndef SX_MEDIA_RTP_PORT_H
#define SX_MEDIA_RTP_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/codec/codec.h>
#include <sx/media/port.h>
#include <sx/port/sa.h>
#include <sx/rtp/dtmf.h>
#include <sx/rtp/jb.h>
#include <sx/rtp/rtcp.h>
#include <sx/sdp/oa.h>
#include <sx/util/compiler.h>

struct sx_ev;
struct sx_media_rtp;

/** Largest datagram we receive or build (Ethernet MTU). */
#define SX_MEDIA_RTP_PKT_MAX 1500
/** Datagrams read per recvmmsg() on a stream's socket. */
#define SX_MEDIA_RTP_RX_BATCH 4
/** Batches read per readable event before yielding to the loop. */
#define SX_MEDIA_RTP_RX_ROUNDS 4
/** Digits that may wait in the DTMF send queue. */
#define SX_MEDIA_RTP_DTMF_QUEUE 32
/** Default and limits of one sent digit's duration, ms. */
#define SX_MEDIA_RTP_DTMF_MS_DEFAULT 100
#define SX_MEDIA_RTP_DTMF_MS_MIN 40
#define SX_MEDIA_RTP_DTMF_MS_MAX 5000
/** Audio between two sent digits, ms. */
#define SX_MEDIA_RTP_DTMF_GAP_MS 60
/** Packets in a row from a new address before a latched stream moves. */
#define SX_MEDIA_RTP_RELATCH_PKTS 4
/** Attempts to find an even port with port + 1 free for RTCP. */
#define SX_MEDIA_RTP_BIND_TRIES 32
/** Longest CNAME we send (RFC 3550 6.5.1 allows 255). */
#define SX_MEDIA_RTP_CNAME_MAX 64
/** Session bandwidth assumed for the RTCP interval, bit/s (G.711 + IP). */
#define SX_MEDIA_RTP_SESSION_BW_DEFAULT 80000

/*
 * Handlers run on the loop thread from inside the stream (packet input or
 * get_frame); they must not release the stream.
 */

/** A digit received as RFC 4733 telephone-events, reported once. */
typedef void(sx_media_rtp_dtmf_h)(const struct sx_dtmf_digit *d, void *arg);
/** The peer's SSRC left with an RTCP BYE. */
typedef void(sx_media_rtp_bye_h)(uint32_t ssrc, void *arg);
/**
 * Test hook run on every received datagram before processing: return
 * true to drop it (e.g. to induce loss).  @rtcp: it came to the RTCP
 * socket or demuxed as RTCP.
 */
typedef bool(sx_media_rtp_drop_h)(const uint8_t *pkt, size_t len, bool rtcp,
                                  void *arg);
/**
 * Replaces the sockets for output (benchmarks, tests): called with each
 * built datagram.  Returns 0 or a negative errno (counted as tx_err).
 */
typedef int(sx_media_rtp_send_h)(const uint8_t *pkt, size_t len, bool rtcp,
                                 const struct sx_sa *dst, void *arg);
/** Clock in microseconds on any monotonic base. */
typedef uint64_t(sx_media_rtp_clock_h)(void *arg);

/** Creation parameters; zero-initialise, then set what you need. */
struct sx_media_rtp_prm {
	/** Local address; port 0 picks an even free port (with port + 1
	 *  free for RTCP unless rtcp_mux).  Ignored without a loop. */
	struct sx_sa local;
	uint32_t clock_rate;  /**< port PCM rate (0 = 8000) */
	uint32_t ptime_ms;    /**< port frame length (0 = 20 ms) */
	bool symmetric_rtp;   /**< latch the remote to the packets' source */
	bool rtcp_mux;        /**< open no RTCP socket (RFC 5761 only) */
	const char *cname;    /**< RTCP CNAME (copied), NULL = generated */
	uint32_t jb_min_ms;   /**< jitter buffer lower delay (0 = default) */
	uint32_t jb_max_ms;   /**< jitter buffer upper delay (0 = default) */
	uint32_t session_bw;  /**< bit/s for the RTCP interval, 0 = default */
	sx_media_rtp_dtmf_h *dtmf_h;   /**< received digits, may be NULL */
	sx_media_rtp_bye_h *bye_h;     /**< peer's BYE, may be NULL */
	void *arg;                     /**< for dtmf_h and bye_h */
	sx_media_rtp_send_h *send_h;   /**< output hook instead of sockets */
	void *send_arg;
	sx_media_rtp_clock_h *clock_h; /**< clock (NULL = the loop's) */
	void *clock_arg;
	sx_media_rtp_drop_h *drop_h;   /**< test hook, may be NULL */
	void *drop_arg;
};

/** What was negotiated for the stream (see sx_media_rtp_cfg_from_sdp()). */
struct sx_media_rtp_cfg {
	const struct sx_codec *codec; /**< sample rate = the port's */
	int tx_pt;                    /**< payload type we send */
	int rx_pt;                    /**< payload type we receive */
	int tx_dtmf_pt;               /**< telephone-event we send, -1 none */
	int rx_dtmf_pt;               /**< telephone-event we take, -1 none */
	struct sx_sa remote;          /**< peer's RTP address (may be unset
	                                   with symmetric_rtp) */
	struct sx_sa remote_rtcp;     /**< unset = remote port + 1 (or the
	                                   RTP address when muxed) */
	bool rtcp_mux;                /**< RTCP on the RTP port (RFC 5761) */
	uint32_t tx_ptime_ms;         /**< packet time we send (0 = 20) */
	uint32_t rx_ptime_ms;         /**< packet time expected (0 = 20) */
	bool send;                    /**< we send media */
	bool recv;                    /**< we play what we receive */
};

/** Counters and RTCP state (sx_media_rtp_stats()). */
struct sx_media_rtp_stats {
	uint32_t ssrc;         /**< our SSRC */
	uint64_t rx_packets;   /**< RTP accepted (audio and events) */
	uint64_t rx_bytes;     /**< their payload bytes */
	uint64_t rx_bad;       /**< malformed or rejected datagrams */
	uint64_t rx_dropped;   /**< dropped by the test hook */
	uint64_t rx_other_pt;  /**< unexpected payload types (e.g. CN) */
	uint64_t tx_packets;   /**< RTP sent */
	uint64_t tx_bytes;     /**< their payload bytes */
	uint64_t tx_err;       /**< send failures */
	uint64_t decode_err;   /**< payloads the codec refused */
	uint64_t rtcp_rx;      /**< valid RTCP compounds received */
	uint64_t rtcp_tx;      /**< compounds sent */
	uint64_t dtmf_rx;      /**< digits reported */
	uint64_t dtmf_tx;      /**< digits sent completely */
	uint32_t ssrc_changes; /**< times the peer's audio SSRC changed */
	uint32_t latches;      /**< times the remote address moved */
	bool have_source;      /**< rx_* source fields are valid */
	uint32_t rx_ssrc;      /**< peer's audio SSRC */
	int32_t rx_lost;       /**< cumulative lost (RFC 3550 A.3) */
	uint32_t rx_ext_max;   /**< extended highest sequence number */
	uint32_t rx_jitter;    /**< interarrival jitter, timestamp units */
	bool have_report;      /**< the peer reported on our stream */
	struct sx_rtcp_rb report; /**< its last report block about us */
	bool have_rtt;         /**< rtt_us is valid */
	uint32_t rtt_us;       /**< round-trip time from LSR/DLSR */
	bool bye;              /**< the peer sent an RTCP BYE */
	struct sx_sa remote;   /**< where RTP goes now */
	struct sx_sa remote_rtcp; /**< where RTCP goes now */
	struct sx_jb_stats jb; /**< jitter buffer counters */
};

/**
 * Create a stream on @loop (sockets bound, registered for reading, RTCP
 * timer ready).  @loop may be NULL when prm->send_h and prm->clock_h are
 * given: the stream then has no socket and is fed through
 * sx_media_rtp_input() (benchmarks).  Returns 0, -EINVAL, -ENOMEM, or an
 * errno of socket set-up (-EADDRINUSE ...).  Release with
 * sx_media_rtp_unref() (or sx_media_port_unref() on its port).
 */
int sx_media_rtp_alloc(struct sx_media_rtp **sp, struct sx_ev *loop,
                       const struct sx_media_rtp_prm *prm) SX_MUST_CHECK;

/** Stop (sends BYE) and drop a reference; always returns NULL. */
struct sx_media_rtp *sx_media_rtp_unref(struct sx_media_rtp *s);

/** The stream as a media port (source and sink); not a new reference. */
struct sx_media_port *sx_media_rtp_port(struct sx_media_rtp *s);

/** Bound RTP address (unset without a loop). */
const struct sx_sa *sx_media_rtp_local(const struct sx_media_rtp *s);

/** Bound RTCP address (the RTP one with rtcp_mux; unset without a loop). */
const struct sx_sa *sx_media_rtp_local_rtcp(const struct sx_media_rtp *s);

/**
 * Fill @cfg from an offer/answer result stream.  The codec is found by
 * the negotiated name and clock rate.  Returns 0, -EINVAL (stream
 * rejected, bad address) or -ENOTSUP (codec we cannot run).
 */
int sx_media_rtp_cfg_from_sdp(struct sx_media_rtp_cfg *cfg,
                              const struct sx_sdp_oa_stream *st) SX_MUST_CHECK;

/**
 * Apply @cfg (first time or after a re-negotiation): codec instance and
 * jitter buffer are (re)created when the codec or packet time changes.
 * Starts the RTCP timer.  Returns 0, -EINVAL, -ENOTSUP (codec rate is not
 * the port's), -ENOMEM (the old configuration stays).
 */
int sx_media_rtp_configure(struct sx_media_rtp *s,
                           const struct sx_media_rtp_cfg *cfg) SX_MUST_CHECK;

/**
 * Queue @digits ("0-9*#A-D") for sending as RFC 4733 events of
 * @duration_ms each (0 = SX_MEDIA_RTP_DTMF_MS_DEFAULT).  Events go out on
 * the put_frame clock.  Returns 0, -EINVAL (bad digit or duration),
 * -ENOTCONN (no telephone-event negotiated) or -ENOSPC (queue full;
 * nothing queued).
 */
int sx_media_rtp_dtmf_send(struct sx_media_rtp *s, const char *digits,
                           uint32_t duration_ms) SX_MUST_CHECK;

/**
 * Process one datagram as if it had arrived on the RTP socket (@rtcp
 * false) or the RTCP socket (@rtcp true) from @src (may be NULL).  The
 * socket callbacks use this; benchmarks feed packets through it.
 * Returns 0, -EBADMSG (malformed), -ENOTCONN (not configured), or a
 * jitter buffer result (-ETIME late, -EALREADY duplicate).
 */
int sx_media_rtp_input(struct sx_media_rtp *s, const void *buf, size_t len,
                       const struct sx_sa *src, bool rtcp);

/**
 * Send an RTCP report now (the timer does this periodically).  Returns
 * 0, -ENOTCONN (no remote yet) or a send error.
 */
int sx_media_rtp_rtcp_send(struct sx_media_rtp *s);

/** Copy counters and RTCP state into @st. */
void sx_media_rtp_stats(struct sx_media_rtp *s, struct sx_media_rtp_stats *st);

#endif
