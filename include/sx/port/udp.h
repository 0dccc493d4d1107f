/*
 * sx_udp: nonblocking UDP sockets with batched I/O (RFC 768; STYLE.md 2.9).
 *
 * One socket per worker and listen address, optionally SO_REUSEPORT so
 * that several workers share a port.  Receive reads up to SX_UDP_BATCH
 * datagrams per recvmmsg() straight into caller buffers and reports, per
 * datagram, the source and the local (destination) address from
 * IP_PKTINFO / IPV6_PKTINFO, which matters when bound to the wildcard.
 * Send either goes out at once (sx_udp_send()) or is queued and flushed
 * with one sendmmsg() (sx_udp_queue() + sx_udp_flush()).
 *
 * The socket does not register itself with a loop: add sx_udp_fd() with
 * sx_ev_fd_add().  All calls on one socket from one thread.
 */
#ifndef SX_PORT_UDP_H
#define SX_PORT_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sx/port/sa.h>
#include <sx/util/compiler.h>

/** Most datagrams per recvmmsg()/sendmmsg() call. */
#define SX_UDP_BATCH 32
/** Largest UDP payload (RFC 768 length field less headers, rounded). */
#define SX_UDP_MAX_PAYLOAD 65535u

struct sx_udp;

/** Socket options; zero-initialise for defaults. */
struct sx_udp_prm {
	bool reuseport; /**< set SO_REUSEPORT before bind */
	int rcvbuf;     /**< SO_RCVBUF in bytes (0 = system default) */
	int sndbuf;     /**< SO_SNDBUF in bytes (0 = system default) */
};

/** One receive slot: the caller fills buf/size, recv fills the rest. */
struct sx_udp_rx {
	void *buf;        /**< in: where to put the datagram */
	size_t size;      /**< in: room in buf */
	size_t len;       /**< out: bytes stored (at most size) */
	bool trunc;       /**< out: datagram was longer than size (dropped
	                       bytes); treat as invalid */
	struct sx_sa src; /**< out: sender */
	struct sx_sa dst; /**< out: local address it was sent to (unset if
	                       the kernel gave no pktinfo) */
};

/** Counters since open. */
struct sx_udp_stats {
	uint64_t rx;       /**< datagrams received */
	uint64_t rx_trunc; /**< of which truncated */
	uint64_t tx;       /**< datagrams handed to the kernel */
	uint64_t tx_err;   /**< datagrams dropped on a send error */
};

/**
 * Open a nonblocking, close-on-exec UDP socket bound to @local (port 0
 * picks a free one; IPv6 sockets are IPV6_V6ONLY).  @prm may be NULL.
 * Returns 0, -EINVAL, -ENOMEM, or the errno of socket()/setsockopt()/
 * bind() (e.g. -EADDRINUSE, -EAFNOSUPPORT).
 */
int sx_udp_open(struct sx_udp **up, const struct sx_sa *local,
                const struct sx_udp_prm *prm) SX_MUST_CHECK;

/** Close the socket; queued datagrams are discarded.  NULL is a no-op. */
void sx_udp_close(struct sx_udp *u);

/** The socket's fd (for sx_ev_fd_add()). */
int sx_udp_fd(const struct sx_udp *u);

/** The bound local address, with the real port after binding to 0. */
const struct sx_sa *sx_udp_local(const struct sx_udp *u);

/**
 * Receive up to @n (capped at SX_UDP_BATCH) datagrams into @rx[0..n).
 * Returns the number received, 0 when none was waiting, or a negative
 * errno.  Does not block.
 */
ssize_t sx_udp_recv(struct sx_udp *u, struct sx_udp_rx *rx, size_t n);

/**
 * Send one datagram now.  Returns 0, -EINVAL, -EAGAIN (socket buffer
 * full: the datagram was not sent), or another errno of sendto()
 * (-EMSGSIZE, -ENETUNREACH, ...).
 */
int sx_udp_send(struct sx_udp *u, const struct sx_sa *dst, const void *data,
                size_t len);

/**
 * Queue one datagram for the next sx_udp_flush(); flushes first when
 * SX_UDP_BATCH are already queued.  @data is not copied: it must stay
 * valid until it has been flushed or discarded.  Returns 0, -EINVAL,
 * -EMSGSIZE (over SX_UDP_MAX_PAYLOAD), or -EAGAIN when the queue is full
 * and the socket buffer too (not queued).
 */
int sx_udp_queue(struct sx_udp *u, const struct sx_sa *dst, const void *data,
                 size_t len);

/**
 * Send the queued datagrams with sendmmsg().  A datagram the kernel
 * rejects (EMSGSIZE, ENETUNREACH, ...) is dropped and counted in tx_err.
 * Returns 0 when the queue is empty afterwards, or -EAGAIN when the
 * socket buffer filled up: the rest stay queued, in order (wait for
 * SX_EV_WRITE and flush again, or sx_udp_discard()).
 */
int sx_udp_flush(struct sx_udp *u);

/** Number of datagrams waiting in the send queue. */
size_t sx_udp_queued(const struct sx_udp *u);

/** Drop queued datagrams (before freeing their buffers). */
void sx_udp_discard(struct sx_udp *u);

/** Copy the counters. */
void sx_udp_stats(const struct sx_udp *u, struct sx_udp_stats *st);

#endif
