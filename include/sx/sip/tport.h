/*
 * The seam between SIP transports and the layers above (transactions,
 * stateless proxying, the transport-user).
 *
 * A transport endpoint ("tport") sends bytes to a peer and delivers
 * parsed messages with their peer information.  UDP, TCP, TLS, WebSocket
 * and the test loop transport all implement struct sx_sip_tport_ops, so
 * the transaction layer never knows which one it talks to.
 */
#ifndef SX_SIP_TPORT_H
#define SX_SIP_TPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/port/sa.h>
#include <sx/sip/msg.h>
#include <sx/util/compiler.h>

enum sx_sip_proto {
	SX_SIP_PROTO_NONE = 0,
	SX_SIP_PROTO_UDP,
	SX_SIP_PROTO_TCP,
	SX_SIP_PROTO_TLS,
	SX_SIP_PROTO_WS,
	SX_SIP_PROTO_WSS,
};

/** Reliable (stream) protocols: no retransmission timers A/E/G, Timer K
 *  and others are zero (RFC 3261 17.1.2.2). */
static inline bool sx_sip_proto_reliable(enum sx_sip_proto p)
{
	return p != SX_SIP_PROTO_UDP && p != SX_SIP_PROTO_NONE;
}

/** Via transport token of a protocol ("UDP", "TCP", "TLS", "WS", "WSS"). */
const char *sx_sip_proto_name(enum sx_sip_proto p);

/** Protocol of a Via transport token (case-insensitive); NONE if unknown. */
enum sx_sip_proto sx_sip_proto_lookup(struct sx_sl name);

/** Where a message came from or goes to. */
struct sx_sip_peer {
	enum sx_sip_proto proto;
	struct sx_sa remote;  /**< peer address and port */
	struct sx_sa local;   /**< our address it arrived on / leaves from */
	uint64_t conn_id;     /**< stream connection, 0 = none/any; lets
				   responses reuse the request's connection
				   (RFC 3261 18.2.2) */
};

struct sx_sip_tport;

/**
 * Receive handler: @msg is handed over (the handler frees it with
 * sx_sip_msg_free()); @peer is valid during the call only.
 */
typedef void(sx_sip_tport_recv_h)(struct sx_sip_tport *tp,
				  struct sx_sip_msg *msg,
				  const struct sx_sip_peer *peer, void *arg);

/**
 * Asynchronous transport failure for a destination (connection refused,
 * reset, TLS handshake failure): the transaction layer turns it into a
 * 503 for the client transaction (RFC 3261 8.1.3.1).
 */
typedef void(sx_sip_tport_err_h)(struct sx_sip_tport *tp,
				 const struct sx_sip_peer *peer, int err,
				 void *arg);

struct sx_sip_tport_ops {
	/**
	 * Send @len bytes of a complete SIP message to @peer.  For streams
	 * an existing connection (conn_id or matching remote) is reused,
	 * else one is opened.  0 when handed to the kernel or queued,
	 * negative errno on immediate failure.
	 */
	int (*send)(struct sx_sip_tport *tp, const struct sx_sip_peer *peer,
		    const char *buf, size_t len);
	/** Our address for Via/Contact when sending to @peer's proto. */
	int (*local)(struct sx_sip_tport *tp, enum sx_sip_proto proto,
		     struct sx_sa *localp);
};

/** Base struct every transport embeds first. */
struct sx_sip_tport {
	const struct sx_sip_tport_ops *ops;
	sx_sip_tport_recv_h *recv_h;
	sx_sip_tport_err_h *err_h;
	void *arg;
};

static inline int sx_sip_tport_send(struct sx_sip_tport *tp,
				    const struct sx_sip_peer *peer,
				    const char *buf, size_t len)
{
	return tp->ops->send(tp, peer, buf, len);
}

#endif
