/*
 * SIP over TCP and TLS (RFC 3261 18.3, 18.2.2; RFC 5626 3.5.1 CRLF
 * keep-alives; TLS per <sx/sip/tp_tls.h>).
 *
 * One transport per worker loop and protocol holds listening sockets and
 * connections, accepted or opened on demand.  Bytes are framed with
 * sx_sip_msg_frame() (partial reads and pipelined messages); each
 * framed message is copied into its own block and parsed zero-copy from
 * there.  Messages go to recv_h with peer {TCP|TLS, remote, local,
 * conn_id}; sending to a peer with that conn_id reuses the connection
 * (responses, RFC 3261 18.2.2), else an open connection to the same
 * remote address is reused, else one is opened (asynchronously: sends
 * queue meanwhile; failure goes to err_h).
 *
 * Defences (all named limits below, most overridable in the prm): a
 * global and a per-source-IP connection limit for accepted connections,
 * an idle timeout, a cap on bytes buffered before a message completes
 * and a time limit for completing it (slow senders), a write-queue cap
 * (send() returns -ENOBUFS: backpressure), messages over
 * SX_SIP_MAX_MSG_SIZE close the connection.  A message with broken
 * framing gets a stateless 400 (when its fields can be found) and the
 * connection is closed; a well-framed message that fails to parse gets
 * the 400 and the connection stays open.  "\r\n\r\n" is answered with
 * "\r\n".
 *
 * Errors reported to err_h: -ECONNREFUSED, -ETIMEDOUT, -ECONNRESET ...
 * for an outgoing connection that failed before it was open or for any
 * connection closed with unsent data; -EPROTO for a TLS handshake or
 * certificate failure.  The peer passed has the connection's remote
 * address and conn_id.  Loop thread only; do not free the transport from
 * inside its own handlers.
 */
#ifndef SX_SIP_TP_STREAM_H
#define SX_SIP_TP_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include <sx/port/ev.h>
#include <sx/port/sa.h>
#include <sx/sip/tp_tls.h>
#include <sx/sip/tport.h>
#include <sx/util/compiler.h>

/** Most listening sockets per transport. */
#define SX_SIP_TP_STREAM_MAX_LISTEN 8
/** listen() backlog. */
#define SX_SIP_TP_STREAM_BACKLOG 128
/** Default limit of connections (accepted and opened). */
#define SX_SIP_TP_STREAM_MAX_CONNS 4096
/** Default limit of accepted connections from one IP address. */
#define SX_SIP_TP_STREAM_MAX_PER_IP 64
/** Default idle timeout: no byte in either direction (ms). */
#define SX_SIP_TP_STREAM_IDLE_MS 120000
/** Default time a started message has to complete (ms); also bounds
 *  connect + TLS handshake. */
#define SX_SIP_TP_STREAM_MSG_MS 32000
/** Default cap of bytes buffered before a message completes. */
#define SX_SIP_TP_STREAM_RX_MAX SX_SIP_MAX_MSG_SIZE
/** Default cap of bytes queued for writing per connection. */
#define SX_SIP_TP_STREAM_TXQ_MAX (1024 * 1024)
/** First size of a connection's receive buffer (it grows to rx_max). */
#define SX_SIP_TP_STREAM_RX_INIT 4096
/** Reads per readable event before yielding to other connections. */
#define SX_SIP_TP_STREAM_READ_ROUNDS 8
/** Connections accepted per readable event of a listener. */
#define SX_SIP_TP_STREAM_ACCEPT_ROUNDS 16

struct sx_sip_tp_stream;

/** Parameters; zero-initialise, then set what you need. */
struct sx_sip_tp_stream_prm {
	enum sx_sip_proto proto;    /**< SX_SIP_PROTO_TCP or _TLS */
	struct sx_sip_tls *tls;     /**< required for TLS (referenced) */
	const struct sx_sa *listen; /**< addresses to listen on (port 0 =
	                                 any); may be empty (client only) */
	size_t nlisten;
	bool reuseport;              /**< SO_REUSEPORT on listeners */
	size_t max_conns;            /**< 0 = SX_SIP_TP_STREAM_MAX_CONNS */
	size_t max_per_ip;           /**< 0 = SX_SIP_TP_STREAM_MAX_PER_IP */
	uint32_t idle_ms;            /**< 0 = SX_SIP_TP_STREAM_IDLE_MS */
	uint32_t msg_ms;             /**< 0 = SX_SIP_TP_STREAM_MSG_MS */
	size_t rx_max;               /**< 0 = SX_SIP_TP_STREAM_RX_MAX */
	size_t txq_max;              /**< 0 = SX_SIP_TP_STREAM_TXQ_MAX */
	sx_sip_tport_recv_h *recv_h; /**< required */
	sx_sip_tport_err_h *err_h;   /**< optional */
	void *arg;
};

/** Counters since creation. */
struct sx_sip_tp_stream_stats {
	uint64_t accepted;   /**< connections accepted */
	uint64_t rejected;   /**< accepts refused by a connection limit */
	uint64_t connected;  /**< outgoing connections opened */
	uint64_t closed;     /**< connections closed, any reason */
	uint64_t rx_msgs;    /**< messages delivered */
	uint64_t rx_bad;     /**< bad messages or framing */
	uint64_t keepalives; /**< CRLF pings answered */
	uint64_t overflows;  /**< closed for rx_max / oversize */
	uint64_t timeouts;   /**< closed for idle or slow messages */
	uint64_t tls_fail;   /**< TLS handshakes that failed */
};

/**
 * Create the transport and its listeners on @loop.  An sx_mem object
 * whose first member is struct sx_sip_tport; sx_mem_unref() closes every
 * connection (without err_h calls) and listener.  Returns 0, -EINVAL,
 * -ENOMEM or a socket errno (-EADDRINUSE ...).
 */
int sx_sip_tp_stream_alloc(struct sx_sip_tp_stream **tpp, struct sx_ev *loop,
                           const struct sx_sip_tp_stream_prm *prm)
    SX_MUST_CHECK;

/** The transport's struct sx_sip_tport. */
struct sx_sip_tport *sx_sip_tp_stream_tport(struct sx_sip_tp_stream *tp);

/** Address of listener @i (real port after binding 0), or NULL. */
const struct sx_sa *
sx_sip_tp_stream_listen_addr(const struct sx_sip_tp_stream *tp, size_t i);

/**
 * Open a connection to @remote now (sends can then use *@conn_idp).
 * For TLS, @host is the name (or address literal) the server certificate
 * must match and the SNI sent (RFC 5922 7.2; NULL = @remote's address,
 * without SNI).  Completion is asynchronous; failure goes to err_h.
 * Returns 0, -EINVAL, -ENOMEM, -EMFILE (max_conns) or a socket errno.
 */
int sx_sip_tp_stream_connect(struct sx_sip_tp_stream *tp,
                             const struct sx_sa *remote, const char *host,
                             uint64_t *conn_idp) SX_MUST_CHECK;

/** Close connection @conn_id (no err_h call).  0 or -ENOENT. */
int sx_sip_tp_stream_close(struct sx_sip_tp_stream *tp, uint64_t conn_id);

/** Number of connections. */
size_t sx_sip_tp_stream_conn_count(const struct sx_sip_tp_stream *tp);

/** Copy the counters. */
void sx_sip_tp_stream_stats(const struct sx_sip_tp_stream *tp,
                            struct sx_sip_tp_stream_stats *st);

#endif
