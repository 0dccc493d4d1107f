/*
 * SIP method names (RFC 3261 7.1, 27.4; RFC 3262 PRACK, 3265 SUBSCRIBE/
 * NOTIFY, 3903 PUBLISH, 6086 INFO, 3515 REFER, 3428 MESSAGE, 3311
 * UPDATE).  Methods are case-sensitive.
 */
#include <string.h>

#include <sx/sip/msg.h>

static const char *const method_names[] = {
	[SX_SIP_METHOD_INVITE] = "INVITE",
	[SX_SIP_METHOD_ACK] = "ACK",
	[SX_SIP_METHOD_BYE] = "BYE",
	[SX_SIP_METHOD_CANCEL] = "CANCEL",
	[SX_SIP_METHOD_REGISTER] = "REGISTER",
	[SX_SIP_METHOD_OPTIONS] = "OPTIONS",
	[SX_SIP_METHOD_PRACK] = "PRACK",
	[SX_SIP_METHOD_SUBSCRIBE] = "SUBSCRIBE",
	[SX_SIP_METHOD_NOTIFY] = "NOTIFY",
	[SX_SIP_METHOD_PUBLISH] = "PUBLISH",
	[SX_SIP_METHOD_INFO] = "INFO",
	[SX_SIP_METHOD_REFER] = "REFER",
	[SX_SIP_METHOD_MESSAGE] = "MESSAGE",
	[SX_SIP_METHOD_UPDATE] = "UPDATE",
};

static bool is(struct sx_sl s, enum sx_sip_method m)
{
	return !memcmp(s.p, method_names[m], s.len);
}

/* Dispatch on length and first byte, then one memcmp. */
enum sx_sip_method sx_sip_method_lookup(struct sx_sl s)
{
	enum sx_sip_method m = SX_SIP_METHOD_OTHER;

	switch (s.len) {
	case 3:
		m = s.p[0] == 'A' ? SX_SIP_METHOD_ACK : SX_SIP_METHOD_BYE;
		break;
	case 4:
		m = SX_SIP_METHOD_INFO;
		break;
	case 5:
		m = s.p[0] == 'P' ? SX_SIP_METHOD_PRACK : SX_SIP_METHOD_REFER;
		break;
	case 6:
		m = s.p[0] == 'I'   ? SX_SIP_METHOD_INVITE
		    : s.p[0] == 'C' ? SX_SIP_METHOD_CANCEL
		    : s.p[0] == 'N' ? SX_SIP_METHOD_NOTIFY
				    : SX_SIP_METHOD_UPDATE;
		break;
	case 7:
		m = s.p[0] == 'O'   ? SX_SIP_METHOD_OPTIONS
		    : s.p[0] == 'P' ? SX_SIP_METHOD_PUBLISH
				    : SX_SIP_METHOD_MESSAGE;
		break;
	case 8:
		m = SX_SIP_METHOD_REGISTER;
		break;
	case 9:
		m = SX_SIP_METHOD_SUBSCRIBE;
		break;
	default:
		return SX_SIP_METHOD_OTHER;
	}
	return is(s, m) ? m : SX_SIP_METHOD_OTHER;
}

const char *sx_sip_method_name(enum sx_sip_method m)
{
	if (m <= SX_SIP_METHOD_OTHER || (size_t)m >= SX_ARRAY_SIZE(method_names))
		return NULL;
	return method_names[m];
}
