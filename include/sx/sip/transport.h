/*
 * Transport helpers shared by every SIP transport and by the layers above
 * (RFC 3261 18.2.1 and 18.2.2, RFC 3581): what a server records about the
 * top Via of a received request, how it prints it when forwarding, where
 * it sends a response, and the per-worker transport set that multiplexes
 * UDP, TCP, TLS (and the test loop transport) behind one struct
 * sx_sip_tport.
 *
 * Messages are zero-copy and read-only, so "adding received/rport" to a
 * received request is not an edit of its bytes: the values follow from
 * the top Via and the peer the request came from (sx_sip_via_rx_info()),
 * sx_sip_via_print_rx() prints the edited Via value for a forwarded
 * request, and sx_sip_via_response_dst() applies them when routing the
 * response.
 */
#ifndef SX_SIP_TRANSPORT_H
#define SX_SIP_TRANSPORT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include <sx/sip/msg.h>
#include <sx/sip/tport.h>
#include <sx/util/buf.h>
#include <sx/util/compiler.h>

/** Default SIP port (RFC 3261 19.1.2). */
#define SX_SIP_PORT 5060
/** Default SIPS / TLS port (RFC 3261 19.1.2). */
#define SX_SIP_PORT_TLS 5061

/** Default port of a protocol: 5061 for TLS (and WSS 443, WS 80), else
 *  5060. */
uint16_t sx_sip_proto_default_port(enum sx_sip_proto p);

/**
 * What a server adds to the top Via of a request received from a peer.
 * RFC 3261 18.2.1: "received" when the sent-by host is not the source
 * address; RFC 3581 4: with "rport", both rport=<source port> and
 * received=<source address> (even when equal to sent-by).
 */
struct sx_sip_via_rx {
	bool add_received;           /**< add received=addr */
	char addr[INET6_ADDRSTRLEN]; /**< source address, no brackets */
	bool fill_rport;             /**< set rport=port */
	uint16_t port;               /**< source port */
};

/**
 * Compute the received/rport additions for @via (the top Via of a request)
 * received from @peer (remote must be set).  Returns 0 or -EINVAL.
 */
int sx_sip_via_rx_info(const struct sx_sip_via *via,
                       const struct sx_sip_peer *peer,
                       struct sx_sip_via_rx *rx) SX_MUST_CHECK;

/**
 * Append @via's value to @out with the received/rport additions for
 * @peer applied: an existing received param is replaced, an empty rport
 * gets its value.  Use it when forwarding a request (a proxy puts its own
 * Via on top and this value below it; with struct sx_sip_edit:
 * pop_via plus push_via = "own-via, <this>").  Returns 0, -EINVAL,
 * -ENOMEM or -E2BIG (the buffer's error).
 */
int sx_sip_via_print_rx(const struct sx_sip_via *via,
                        const struct sx_sip_peer *peer,
                        struct sx_buf *out) SX_MUST_CHECK;

/**
 * RFC 3261 18.2.2 (with RFC 3581 4): where to send a response whose top
 * Via is @via.  @req_peer is the peer the request came from (NULL when
 * unknown, e.g. for a response forwarded statelessly, where the received
 * and rport params written by the previous hop are used instead).
 *
 *  - reliable transport and a connection (req_peer->conn_id): that
 *    connection, 0;
 *  - maddr: that address, sent-by port or the default port;
 *  - rport with a value or (with @req_peer) rport: the source address
 *    (received) and that port;
 *  - received or @req_peer: that address, sent-by port or default;
 *  - else the sent-by address and port (default port when absent).
 *
 * Fills @dst (proto from the Via transport, local from @req_peer) and
 * returns 0; -EAGAIN when the address is a host name that needs RFC 3263
 * section 5 resolution: @dst then has proto, local and conn_id 0 set and
 * remote unset; the name is via->maddr if set, else via->sent_by.host,
 * and the port is via->sent_by.port or sx_sip_proto_default_port().
 * -EPROTONOSUPPORT for an unknown Via transport, -EINVAL for bad
 * arguments or an unusable received/maddr value.
 */
int sx_sip_via_response_dst(const struct sx_sip_via *via,
                            const struct sx_sip_peer *req_peer,
                            struct sx_sip_peer *dst) SX_MUST_CHECK;

/* -- transport set: one per worker loop ------------------------------- */

struct sx_sip_tpset;

/**
 * A set of transports that looks like one struct sx_sip_tport: send()
 * picks the member for peer->proto, received messages and errors from
 * every member go to @recv_h / @err_h with @arg, and the tport argument
 * of the handlers is the set's (sx_sip_tpset_tport()).  Free with
 * sx_mem_unref() (drops the references on the members).
 * Returns 0, -EINVAL or -ENOMEM.
 */
int sx_sip_tpset_alloc(struct sx_sip_tpset **setp, sx_sip_tport_recv_h *recv_h,
                       sx_sip_tport_err_h *err_h, void *arg) SX_MUST_CHECK;

/**
 * Add transport @tp (an sx_mem object embedding struct sx_sip_tport
 * first: UDP, stream or loop transport) for protocol @proto.  The set
 * takes a reference and replaces the member's handlers with its own.
 * Returns 0, -EINVAL, -EEXIST (the protocol has a member).
 */
int sx_sip_tpset_add(struct sx_sip_tpset *set, enum sx_sip_proto proto,
                     struct sx_sip_tport *tp) SX_MUST_CHECK;

/** The set as a transport (ops send/local dispatch by protocol). */
struct sx_sip_tport *sx_sip_tpset_tport(struct sx_sip_tpset *set);

#endif
