/*
 * Transport protocol names as written in the Via sent-protocol (RFC 3261
 * 18, 20.42; RFC 7118 for WS/WSS) and their default ports (RFC 3261
 * 19.1.2, RFC 7118 5).
 */
#include <sx/sip/transport.h>

static const char *const names[] = {
    [SX_SIP_PROTO_UDP] = "UDP", [SX_SIP_PROTO_TCP] = "TCP",
    [SX_SIP_PROTO_TLS] = "TLS", [SX_SIP_PROTO_WS] = "WS",
    [SX_SIP_PROTO_WSS] = "WSS",
};

const char *sx_sip_proto_name(enum sx_sip_proto p)
{
	if ((size_t)p >= SX_ARRAY_SIZE(names) || !names[p])
		return "NONE";
	return names[p];
}

enum sx_sip_proto sx_sip_proto_lookup(struct sx_sl name)
{
	for (size_t i = 0; i < SX_ARRAY_SIZE(names); i++)
		if (names[i] && sx_sl_eq_cstr_nocase(name, names[i]))
			return (enum sx_sip_proto)i;
	return SX_SIP_PROTO_NONE;
}

uint16_t sx_sip_proto_default_port(enum sx_sip_proto p)
{
	switch (p) {
	case SX_SIP_PROTO_TLS:
		return SX_SIP_PORT_TLS;
	case SX_SIP_PROTO_WS:
		return 80;
	case SX_SIP_PROTO_WSS:
		return 443;
	default:
		return SX_SIP_PORT;
	}
}
