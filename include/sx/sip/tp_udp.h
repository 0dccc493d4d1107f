/*
 * SIP over UDP (RFC 3261 18.1.1, 18.2.1; RFC 5626 3.5.1 keep-alives).
 *
 * One transport per worker loop owns one or more UDP sockets (one per
 * listen address; SO_REUSEPORT lets N workers each own a socket on the
 * same port).  Datagrams are read in batches with recvmmsg() into a pool
 * of sx_mem blocks; each is parsed in place and the message keeps its
 * block (zero-copy), so a delivered message costs one block of its own
 * size.  Received requests and responses go to recv_h with peer
 * {UDP, source, local address, conn_id 0}.
 *
 * Bad input: a request the parser rejects with a status gets a stateless
 * error reply (e.g. "400 Bad CSeq") sent back to its source when the
 * fields a response needs can be found; anything else is dropped with a
 * rate-limited log.  A "\r\n\r\n" datagram is answered with "\r\n".
 *
 * Sending: ops->send copies the datagram into a queue that is flushed
 * with sendmmsg() once per loop iteration (a zero-delay timer);
 * sx_sip_tp_udp_send_direct() sends at once.  Loop thread only.
 */
#ifndef SX_SIP_TP_UDP_H
#define SX_SIP_TP_UDP_H

#include <stddef.h>
#include <stdint.h>

#include <sx/port/ev.h>
#include <sx/port/sa.h>
#include <sx/sip/tport.h>
#include <sx/util/compiler.h>

/** Most sockets (listen addresses) per UDP transport. */
#define SX_SIP_TP_UDP_MAX_SOCKS 16
/** Suggested SO_RCVBUF for a busy server (bytes). */
#define SX_SIP_TP_UDP_RCVBUF 4194304
/** recvmmsg() batches read per readable event before yielding. */
#define SX_SIP_TP_UDP_RX_ROUNDS 4

struct sx_sip_tp_udp;

/** Parameters; zero-initialise, then set what you need. */
struct sx_sip_tp_udp_prm {
	const struct sx_sa *local; /**< addresses to bind (port 0 = any) */
	size_t nlocal;             /**< 1..SX_SIP_TP_UDP_MAX_SOCKS */
	bool reuseport;            /**< SO_REUSEPORT on every socket */
	int rcvbuf;                /**< SO_RCVBUF bytes, 0 = system default */
	int sndbuf;                /**< SO_SNDBUF bytes, 0 = system default */
	/** receive slots per socket (1..SX_UDP_BATCH, 0 = SX_UDP_BATCH);
	 *  each holds an SX_UDP_MAX_PAYLOAD block */
	size_t batch;
	sx_sip_tport_recv_h *recv_h; /**< required */
	sx_sip_tport_err_h *err_h;   /**< optional (not used by UDP today) */
	void *arg;
};

/** Counters since creation (all sockets). */
struct sx_sip_tp_udp_stats {
	uint64_t rx;          /**< datagrams read */
	uint64_t rx_msgs;     /**< messages delivered to recv_h */
	uint64_t rx_bad;      /**< rejected by the parser (or truncated) */
	uint64_t rx_nomem;    /**< dropped for lack of memory */
	uint64_t err_replies; /**< stateless error replies sent */
	uint64_t keepalives;  /**< CRLF pings answered */
	uint64_t tx;          /**< datagrams handed to the kernel or queued */
	uint64_t tx_err;      /**< sends that failed */
};

/**
 * Create the transport, bind its sockets and register them with @loop.
 * The result is an sx_mem object whose first member is struct
 * sx_sip_tport; free it with sx_mem_unref() (closes the sockets; queued
 * datagrams are discarded).  Returns 0, -EINVAL, -ENOMEM, or a socket
 * errno (-EADDRINUSE, -EAFNOSUPPORT ...).
 */
int sx_sip_tp_udp_alloc(struct sx_sip_tp_udp **tpp, struct sx_ev *loop,
                        const struct sx_sip_tp_udp_prm *prm) SX_MUST_CHECK;

/** The transport's struct sx_sip_tport. */
struct sx_sip_tport *sx_sip_tp_udp_tport(struct sx_sip_tp_udp *tp);

/** Bound address of socket @i (real port after binding port 0), or
 *  NULL when @i is out of range. */
const struct sx_sa *sx_sip_tp_udp_local(const struct sx_sip_tp_udp *tp,
                                        size_t i);

/**
 * Send one datagram now (no queue).  The socket is chosen by
 * peer->local (exact, then same address, then same family).  Returns 0,
 * -EINVAL, -EMSGSIZE, -EAFNOSUPPORT (no socket of that family), -EAGAIN
 * (socket buffer full) or another sendto() errno.
 */
int sx_sip_tp_udp_send_direct(struct sx_sip_tp_udp *tp,
                              const struct sx_sip_peer *peer, const char *buf,
                              size_t len);

/** Flush the send queues now (normally done once per loop iteration). */
void sx_sip_tp_udp_flush(struct sx_sip_tp_udp *tp);

/** Copy the counters. */
void sx_sip_tp_udp_stats(const struct sx_sip_tp_udp *tp,
                         struct sx_sip_tp_udp_stats *st);

#endif
