/*
 * Via processing of the transports (RFC 3261 18.2.1, 18.2.2; RFC 3581
 * 4): received/rport additions, their printing, and response destination
 * selection, including the cases that need DNS (-EAGAIN).
 */
#include <string.h>

#include <sx/sip/transport.h>

#include "test_tp_common.h"
#include "ut.h"

/* Parse a request whose top Via value is @via. */
static int parse_via(struct sx_sip_msg **msgp, char *buf, size_t size,
                     const char *via)
{
	int n = snprintf(buf, size,
	                 "OPTIONS sip:b@example.com SIP/2.0\r\n"
	                 "Via: %s\r\n"
	                 "From: <sip:a@example.com>;tag=1\r\n"
	                 "To: <sip:b@example.com>\r\n"
	                 "Call-ID: v@x\r\nCSeq: 1 OPTIONS\r\n"
	                 "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
	                 via);
	if (n < 0 || (size_t)n >= size)
		return -E2BIG;
	return sx_sip_msg_parse(msgp, buf, (size_t)n, NULL, NULL);
}

struct dst_case {
	const char *via;
	bool with_peer;   /* request came from 198.51.100.9:4000 */
	uint64_t conn_id; /* peer's connection (TCP) */
	int want_err;
	const char *want_dst; /* printed remote, NULL when unset */
	enum sx_sip_proto want_proto;
};

static const struct dst_case dst_cases[] = {
    /* UDP with the source known: received address, sent-by port */
    {"SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1", true, 0, 0,
     "198.51.100.9:5070", SX_SIP_PROTO_UDP},
    /* rport: source address and source port */
    {"SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1;rport", true, 0, 0,
     "198.51.100.9:4000", SX_SIP_PROTO_UDP},
    /* no source (stateless forward): received and rport params */
    {"SIP/2.0/UDP h.example;received=203.0.113.5;rport=7000;branch=z9", false,
     0, 0, "203.0.113.5:7000", SX_SIP_PROTO_UDP},
    {"SIP/2.0/UDP h.example;received=203.0.113.5;branch=z9", false, 0, 0,
     "203.0.113.5:5060", SX_SIP_PROTO_UDP},
    /* IPv6 received (RFC 5118 4.5: no brackets) */
    {"SIP/2.0/UDP [2001:db8::1];received=2001:db8::9;branch=z9", false, 0, 0,
     "[2001:db8::9]:5060", SX_SIP_PROTO_UDP},
    /* maddr wins over received/rport */
    {"SIP/2.0/UDP 192.0.2.1:5080;maddr=224.0.1.75;rport;branch=z9", true, 0, 0,
     "224.0.1.75:5080", SX_SIP_PROTO_UDP},
    /* sent-by literal, default ports per transport */
    {"SIP/2.0/UDP 192.0.2.1;branch=z9", false, 0, 0, "192.0.2.1:5060",
     SX_SIP_PROTO_UDP},
    {"SIP/2.0/TLS 192.0.2.1;branch=z9", false, 0, 0, "192.0.2.1:5061",
     SX_SIP_PROTO_TLS},
    /* host names need RFC 3263 section 5 */
    {"SIP/2.0/UDP pc.example.com;branch=z9", false, 0, -EAGAIN, NULL,
     SX_SIP_PROTO_UDP},
    {"SIP/2.0/UDP 192.0.2.1;maddr=mc.example.com;branch=z9", true, 0, -EAGAIN,
     NULL, SX_SIP_PROTO_UDP},
    /* reliable: the request's connection */
    {"SIP/2.0/TCP pc.example.com;branch=z9", true, 42, 0, "198.51.100.9:4000",
     SX_SIP_PROTO_TCP},
    /* a Via claiming TCP (or an unknown transport) on a request that
     * came over UDP is answered over UDP, to the source (RFC 4475
     * esc02, bext01 ...) */
    {"SIP/2.0/TCP pc.example.com:5090;rport;branch=z9", true, 0, 0,
     "198.51.100.9:4000", SX_SIP_PROTO_UDP},
    {"SIP/2.0/SCTP 192.0.2.1;branch=z9", true, 0, 0, "198.51.100.9:5060",
     SX_SIP_PROTO_UDP},
    /* without a request peer an unknown transport cannot be answered */
    {"SIP/2.0/SCTP 192.0.2.1;branch=z9", false, 0, -EPROTONOSUPPORT, NULL,
     SX_SIP_PROTO_NONE},
};

static int check_dst(const struct dst_case *c)
{
	struct sx_sip_msg *msg = NULL;
	struct sx_sip_peer req = {.conn_id = c->conn_id}, dst;
	char buf[1024], addr[SX_SA_STRLEN];
	int err = 0;

	UT_OK(parse_via(&msg, buf, sizeof(buf), c->via));
	req.proto = c->conn_id ? SX_SIP_PROTO_TCP : SX_SIP_PROTO_UDP;
	UT_OK(sx_sa_set_str(&req.remote, SX_SL("198.51.100.9"), 4000));
	UT_OK(sx_sa_set_str(&req.local, SX_SL("192.0.2.200"), 5060));
	memset(&dst, 0xff, sizeof(dst));
	int rc = sx_sip_via_response_dst(&msg->vias[0],
	                                 c->with_peer ? &req : NULL, &dst);
	if (rc != c->want_err)
		fprintf(stderr, "  case: %s\n", c->via);
	UT_EQ(c->want_err, rc);
	if (rc && rc != -EAGAIN)
		goto out;
	UT_EQ(c->want_proto, dst.proto);
	UT_EQ(c->conn_id, dst.conn_id);
	if (c->with_peer)
		UT_TRUE(sx_sa_eq(&dst.local, &req.local));
	if (!c->want_dst) {
		UT_TRUE(!sx_sa_isset(&dst.remote));
		goto out;
	}
	UT_TRUE(sx_sa_print(&dst.remote, addr, sizeof(addr)) > 0);
	UT_STR_EQ(c->want_dst, addr);
out:
	sx_sip_msg_free(msg);
	return err;
}

static int test_tp_via_response_dst(void)
{
	int err = 0;

	for (size_t i = 0; i < SX_ARRAY_SIZE(dst_cases); i++)
		UT_OK(check_dst(&dst_cases[i]));
	struct sx_sip_peer dst;
	UT_EQ(-EINVAL, sx_sip_via_response_dst(NULL, NULL, &dst));
out:
	return err;
}

struct print_case {
	const char *via;
	const char *want;
};

static const struct print_case print_cases[] = {
    {"SIP/2.0/UDP 198.51.100.9:4000;branch=z9hG4bK1",
     "SIP/2.0/UDP 198.51.100.9:4000;branch=z9hG4bK1"},
    {"SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1",
     "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;received=198.51.100.9"},
    {"SIP/2.0/UDP 198.51.100.9;rport;branch=z9hG4bK1",
     "SIP/2.0/UDP 198.51.100.9;rport=4000;branch=z9hG4bK1;"
     "received=198.51.100.9"},
    /* a received param from the sender is replaced */
    {"SIP/2.0/UDP h.example;received=1.2.3.4;branch=z9;x=\"q s\"",
     "SIP/2.0/UDP h.example;branch=z9;x=\"q s\";received=198.51.100.9"},
};

static int test_tp_via_print_rx(void)
{
	struct sx_sip_msg *msg = NULL;
	struct sx_sip_peer peer = {.proto = SX_SIP_PROTO_UDP};
	struct sx_buf b;
	char buf[1024];
	int err = 0;

	sx_buf_init(&b, 0);
	UT_OK(sx_sa_set_str(&peer.remote, SX_SL("198.51.100.9"), 4000));
	for (size_t i = 0; i < SX_ARRAY_SIZE(print_cases); i++) {
		UT_OK(parse_via(&msg, buf, sizeof(buf), print_cases[i].via));
		sx_buf_reset(&b);
		UT_OK(sx_sip_via_print_rx(&msg->vias[0], &peer, &b));
		UT_SL_EQ(print_cases[i].want, sx_buf_sl(&b));
		sx_sip_msg_free(msg);
		msg = NULL;
	}
	struct sx_sip_via_rx rx;
	UT_EQ(-EINVAL, sx_sip_via_rx_info(NULL, &peer, &rx));
out:
	sx_sip_msg_free(msg);
	sx_buf_fini(&b);
	return err;
}

static int test_tp_via_proto(void)
{
	int err = 0;

	UT_STR_EQ("TLS", sx_sip_proto_name(SX_SIP_PROTO_TLS));
	UT_STR_EQ("NONE", sx_sip_proto_name((enum sx_sip_proto)99));
	UT_EQ(SX_SIP_PROTO_TCP, sx_sip_proto_lookup(SX_SL("tcp")));
	UT_EQ(SX_SIP_PROTO_WSS, sx_sip_proto_lookup(SX_SL("WSS")));
	UT_EQ(SX_SIP_PROTO_NONE, sx_sip_proto_lookup(SX_SL("SCTP")));
	UT_EQ(5061, sx_sip_proto_default_port(SX_SIP_PROTO_TLS));
	UT_EQ(5060, sx_sip_proto_default_port(SX_SIP_PROTO_TCP));
out:
	return err;
}

UT_MAIN(UT_C(test_tp_via_response_dst), UT_C(test_tp_via_print_rx),
        UT_C(test_tp_via_proto))
