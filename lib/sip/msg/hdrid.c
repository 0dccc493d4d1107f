/*
 * Header name <-> id (RFC 3261 7.3.3 compact forms, 20 header fields).
 * Lookup goes through the gperf table generated from hdr_names.gperf;
 * names are case-insensitive (RFC 3261 7.3.1).
 */
#include <stddef.h>
#include <string.h>

#include <sx/sip/hdr.h>

/* gperf marks its switch fall-throughs with comments clang ignores */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include "hdr_names.inc"
#pragma GCC diagnostic pop

enum sx_sip_hdr_id sx_sip_hdr_lookup(struct sx_sl name)
{
	if (!name.len)
		return SX_SIP_HDR_OTHER;
	const struct sx_sip__hdr_ent *e = sx_sip__hdr_gperf(name.p, name.len);
	return e ? e->id : SX_SIP_HDR_OTHER;
}

static const char *const hdr_names[SX_SIP_HDR__COUNT] = {
	[SX_SIP_HDR_ACCEPT] = "Accept",
	[SX_SIP_HDR_ACCEPT_ENCODING] = "Accept-Encoding",
	[SX_SIP_HDR_ACCEPT_LANGUAGE] = "Accept-Language",
	[SX_SIP_HDR_ALERT_INFO] = "Alert-Info",
	[SX_SIP_HDR_ALLOW] = "Allow",
	[SX_SIP_HDR_ALLOW_EVENTS] = "Allow-Events",
	[SX_SIP_HDR_AUTHENTICATION_INFO] = "Authentication-Info",
	[SX_SIP_HDR_AUTHORIZATION] = "Authorization",
	[SX_SIP_HDR_CALL_ID] = "Call-ID",
	[SX_SIP_HDR_CALL_INFO] = "Call-Info",
	[SX_SIP_HDR_CONTACT] = "Contact",
	[SX_SIP_HDR_CONTENT_DISPOSITION] = "Content-Disposition",
	[SX_SIP_HDR_CONTENT_ENCODING] = "Content-Encoding",
	[SX_SIP_HDR_CONTENT_LANGUAGE] = "Content-Language",
	[SX_SIP_HDR_CONTENT_LENGTH] = "Content-Length",
	[SX_SIP_HDR_CONTENT_TYPE] = "Content-Type",
	[SX_SIP_HDR_CSEQ] = "CSeq",
	[SX_SIP_HDR_DATE] = "Date",
	[SX_SIP_HDR_ERROR_INFO] = "Error-Info",
	[SX_SIP_HDR_EVENT] = "Event",
	[SX_SIP_HDR_EXPIRES] = "Expires",
	[SX_SIP_HDR_FROM] = "From",
	[SX_SIP_HDR_IN_REPLY_TO] = "In-Reply-To",
	[SX_SIP_HDR_MAX_FORWARDS] = "Max-Forwards",
	[SX_SIP_HDR_MIME_VERSION] = "MIME-Version",
	[SX_SIP_HDR_MIN_EXPIRES] = "Min-Expires",
	[SX_SIP_HDR_MIN_SE] = "Min-SE",
	[SX_SIP_HDR_ORGANIZATION] = "Organization",
	[SX_SIP_HDR_P_ASSERTED_IDENTITY] = "P-Asserted-Identity",
	[SX_SIP_HDR_P_PREFERRED_IDENTITY] = "P-Preferred-Identity",
	[SX_SIP_HDR_PATH] = "Path",
	[SX_SIP_HDR_PRIORITY] = "Priority",
	[SX_SIP_HDR_PROXY_AUTHENTICATE] = "Proxy-Authenticate",
	[SX_SIP_HDR_PROXY_AUTHORIZATION] = "Proxy-Authorization",
	[SX_SIP_HDR_PROXY_REQUIRE] = "Proxy-Require",
	[SX_SIP_HDR_RACK] = "RAck",
	[SX_SIP_HDR_REASON] = "Reason",
	[SX_SIP_HDR_RECORD_ROUTE] = "Record-Route",
	[SX_SIP_HDR_REFER_TO] = "Refer-To",
	[SX_SIP_HDR_REFERRED_BY] = "Referred-By",
	[SX_SIP_HDR_REPLACES] = "Replaces",
	[SX_SIP_HDR_REPLY_TO] = "Reply-To",
	[SX_SIP_HDR_REQUIRE] = "Require",
	[SX_SIP_HDR_RETRY_AFTER] = "Retry-After",
	[SX_SIP_HDR_ROUTE] = "Route",
	[SX_SIP_HDR_RSEQ] = "RSeq",
	[SX_SIP_HDR_SERVER] = "Server",
	[SX_SIP_HDR_SESSION_EXPIRES] = "Session-Expires",
	[SX_SIP_HDR_SIP_ETAG] = "SIP-ETag",
	[SX_SIP_HDR_SIP_IF_MATCH] = "SIP-If-Match",
	[SX_SIP_HDR_SUBJECT] = "Subject",
	[SX_SIP_HDR_SUBSCRIPTION_STATE] = "Subscription-State",
	[SX_SIP_HDR_SUPPORTED] = "Supported",
	[SX_SIP_HDR_TIMESTAMP] = "Timestamp",
	[SX_SIP_HDR_TO] = "To",
	[SX_SIP_HDR_UNSUPPORTED] = "Unsupported",
	[SX_SIP_HDR_USER_AGENT] = "User-Agent",
	[SX_SIP_HDR_VIA] = "Via",
	[SX_SIP_HDR_WARNING] = "Warning",
	[SX_SIP_HDR_WWW_AUTHENTICATE] = "WWW-Authenticate",
};

const char *sx_sip_hdr_name(enum sx_sip_hdr_id id)
{
	if ((unsigned)id >= SX_SIP_HDR__COUNT)
		return NULL;
	return hdr_names[id];
}
