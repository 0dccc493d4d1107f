/*
 * Server-side Via processing: the "received" parameter (RFC 3261 18.2.1),
 * the "rport" parameter (RFC 3581 4) and response destination selection
 * (RFC 3261 18.2.2 with RFC 3581 4).  Received messages are read-only, so
 * the additions are computed from the Via and the source peer rather than
 * written into the message.
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/transport.h>

/* An IP literal host (IPv6 with or without brackets) with @port. */
static int host_sa(struct sx_sl host, uint16_t port, struct sx_sa *sa)
{
	if (host.len >= 2 && host.p[0] == '[' && host.p[host.len - 1] == ']')
		host = sx_sl_make(host.p + 1, host.len - 2);
	return sx_sa_set_str(sa, host, port);
}

int sx_sip_via_rx_info(const struct sx_sip_via *via,
                       const struct sx_sip_peer *peer, struct sx_sip_via_rx *rx)
{
	struct sx_sa sent_by;

	if (!via || !peer || !rx || !sx_sa_isset(&peer->remote))
		return -EINVAL;
	memset(rx, 0, sizeof(*rx));
	if (sx_sa_print_addr(&peer->remote, rx->addr, sizeof(rx->addr)) < 0)
		return -EINVAL;
	rx->port = sx_sa_port(&peer->remote);
	bool same = !host_sa(via->sent_by.host, 0, &sent_by) &&
	            sx_sa_eq_addr(&sent_by, &peer->remote);
	rx->fill_rport = via->rport;
	/* RFC 3581 4: with rport, received is added even when identical */
	rx->add_received = !same || via->rport;
	return 0;
}

int sx_sip_via_print_rx(const struct sx_sip_via *via,
                        const struct sx_sip_peer *peer, struct sx_buf *out)
{
	struct sx_sip_via_rx rx;
	struct sx_sip_param_iter it;
	struct sx_sl name, val;
	int rc;

	if (!out)
		return -EINVAL;
	rc = sx_sip_via_rx_info(via, peer, &rx);
	if (rc)
		return rc;
	ssize_t semi = sx_sl_chr(via->raw, ';');
	sx_buf_put(out, via->raw.p, semi < 0 ? via->raw.len : (size_t)semi);
	sx_sip_param_iter_init(&it, via->params);
	while ((rc = sx_sip_param_next(&it, &name, &val)) == 1) {
		if (rx.add_received && sx_sl_eq_cstr_nocase(name, "received"))
			continue;
		if (rx.fill_rport && sx_sl_eq_cstr_nocase(name, "rport")) {
			sx_buf_printf(out, ";rport=%u", rx.port);
			continue;
		}
		sx_buf_put(out, ";", 1);
		sx_buf_put_sl(out, name);
		if (val.p) {
			sx_buf_put(out, "=", 1);
			sx_buf_put_sl(out, val);
		}
	}
	if (rc < 0)
		return rc;
	if (rx.add_received)
		sx_buf_printf(out, ";received=%s", rx.addr);
	return sx_buf_err(out);
}

/* Same connection for a reliable request (RFC 3261 18.2.2, first rule). */
static bool reuse_conn(const struct sx_sip_peer *req_peer)
{
	return req_peer && req_peer->conn_id &&
	       sx_sip_proto_reliable(req_peer->proto);
}

/* The rport to answer to, 0 when none applies (RFC 3581 4). */
static uint16_t rport_of(const struct sx_sip_via *via,
                         const struct sx_sip_peer *req_peer, bool have_src)
{
	if (!via->rport)
		return 0;
	if (via->rport_val && via->rport_val <= UINT16_MAX)
		return (uint16_t)via->rport_val;
	return have_src ? sx_sa_port(&req_peer->remote) : 0;
}

int sx_sip_via_response_dst(const struct sx_sip_via *via,
                            const struct sx_sip_peer *req_peer,
                            struct sx_sip_peer *dst)
{
	if (!via || !dst)
		return -EINVAL;
	/* A response leaves over the transport its request really used:
	 * a Via claiming TCP or TLS on a datagram that came over UDP gets
	 * its answer over UDP (we hold no connection to answer on). */
	enum sx_sip_proto proto = req_peer && req_peer->proto
	                              ? req_peer->proto
	                              : sx_sip_proto_lookup(via->transport);
	if (proto == SX_SIP_PROTO_NONE)
		return -EPROTONOSUPPORT;
	if (reuse_conn(req_peer)) {
		*dst = *req_peer;
		return 0;
	}
	struct sx_sip_peer d = {.proto = proto};
	bool have_src = req_peer && sx_sa_isset(&req_peer->remote);
	uint16_t port = via->sent_by.has_port
	                    ? via->sent_by.port
	                    : sx_sip_proto_default_port(proto);
	int err = 0;

	if (req_peer)
		d.local = req_peer->local;
	if (via->maddr.len) {
		err = host_sa(via->maddr, port, &d.remote) ? -EAGAIN : 0;
		goto out;
	}
	if (!sx_sip_proto_reliable(proto)) {
		uint16_t rport = rport_of(via, req_peer, have_src);
		port = rport ? rport : port;
	}
	if (have_src) {
		d.remote = req_peer->remote;
		sx_sa_set_port(&d.remote, port);
	} else if (via->received.len) {
		err = host_sa(via->received, port, &d.remote) ? -EINVAL : 0;
	} else {
		err = host_sa(via->sent_by.host, port, &d.remote) ? -EAGAIN : 0;
	}
out:
	if (err == -EAGAIN)
		sx_sa_init(&d.remote);
	if (!err || err == -EAGAIN)
		*dst = d;
	return err;
}
