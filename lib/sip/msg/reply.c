/*
 * Responses built from a request (RFC 3261 8.2.6) and the standard reason
 * phrases (RFC 3261 21 and the IANA SIP response code registry: RFC
 * 3265, 3329, 3903, 4028, 4412, 5079, 5360, 5393, 6086, 6442, 6585,
 * 8224, 8599, 8876).
 */
#include <errno.h>

#include <sx/sip/print.h>

struct reason {
	uint16_t code;
	const char *text;
};

/* Sorted by code. */
static const struct reason reasons[] = {
	{100, "Trying"},
	{180, "Ringing"},
	{181, "Call Is Being Forwarded"},
	{182, "Queued"},
	{183, "Session Progress"},
	{199, "Early Dialog Terminated"},
	{200, "OK"},
	{202, "Accepted"},
	{204, "No Notification"},
	{300, "Multiple Choices"},
	{301, "Moved Permanently"},
	{302, "Moved Temporarily"},
	{305, "Use Proxy"},
	{380, "Alternative Service"},
	{400, "Bad Request"},
	{401, "Unauthorized"},
	{402, "Payment Required"},
	{403, "Forbidden"},
	{404, "Not Found"},
	{405, "Method Not Allowed"},
	{406, "Not Acceptable"},
	{407, "Proxy Authentication Required"},
	{408, "Request Timeout"},
	{410, "Gone"},
	{412, "Conditional Request Failed"},
	{413, "Request Entity Too Large"},
	{414, "Request-URI Too Long"},
	{415, "Unsupported Media Type"},
	{416, "Unsupported URI Scheme"},
	{417, "Unknown Resource-Priority"},
	{420, "Bad Extension"},
	{421, "Extension Required"},
	{422, "Session Interval Too Small"},
	{423, "Interval Too Brief"},
	{424, "Bad Location Information"},
	{428, "Use Identity Header"},
	{429, "Provide Referrer Identity"},
	{430, "Flow Failed"},
	{433, "Anonymity Disallowed"},
	{436, "Bad Identity Info"},
	{437, "Unsupported Credential"},
	{438, "Invalid Identity Header"},
	{439, "First Hop Lacks Outbound Support"},
	{440, "Max-Breadth Exceeded"},
	{469, "Bad Info Package"},
	{470, "Consent Needed"},
	{480, "Temporarily Unavailable"},
	{481, "Call/Transaction Does Not Exist"},
	{482, "Loop Detected"},
	{483, "Too Many Hops"},
	{484, "Address Incomplete"},
	{485, "Ambiguous"},
	{486, "Busy Here"},
	{487, "Request Terminated"},
	{488, "Not Acceptable Here"},
	{489, "Bad Event"},
	{491, "Request Pending"},
	{493, "Undecipherable"},
	{494, "Security Agreement Required"},
	{500, "Server Internal Error"},
	{501, "Not Implemented"},
	{502, "Bad Gateway"},
	{503, "Service Unavailable"},
	{504, "Server Time-out"},
	{505, "Version Not Supported"},
	{513, "Message Too Large"},
	{555, "Push Notification Service Not Supported"},
	{580, "Precondition Failure"},
	{600, "Busy Everywhere"},
	{603, "Decline"},
	{604, "Does Not Exist Anywhere"},
	{606, "Not Acceptable"},
	{607, "Unwanted"},
	{608, "Rejected"},
};

/* Class names for codes without their own phrase (RFC 3261 8.1.3.2). */
static const char *const class_reasons[] = {
	NULL, "Provisional", "Success", "Redirection", "Client Error",
	"Server Error", "Global Failure",
};

const char *sx_sip_reason(unsigned code)
{
	size_t lo = 0, hi = SX_ARRAY_SIZE(reasons);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (reasons[mid].code == code)
			return reasons[mid].text;
		if (reasons[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (code >= 100 && code <= 699)
		return class_reasons[code / 100];
	return "Unknown";
}

/* "Name: value" of a field of @req, normalised to CRLF. */
static void copy_field(struct sx_buf *out, const struct sx_sip_hdr *h)
{
	sx_sip_print_hdr(out, h->name, h->value);
}

static void copy_first(struct sx_buf *out, const struct sx_sip_msg *req,
		       enum sx_sip_hdr_id id)
{
	const struct sx_sip_hdr *h = sx_sip_msg_hdr(req, id);
	if (h)
		copy_field(out, h);
}

int sx_sip_reply_print_body(const struct sx_sip_msg *req, unsigned code,
			    const char *reason, struct sx_sl to_tag,
			    struct sx_sl extra, struct sx_sl ctype,
			    struct sx_sl body, struct sx_buf *out)
{
	if (!req || !out || !req->is_request || code < 100 || code > 699)
		return -EINVAL;
	sx_sip_print_status_line(out, code,
				 sx_sl_cstr(reason ? reason
						   : sx_sip_reason(code)));
	/* RFC 3261 8.2.6.2: every Via field, in order */
	for (const struct sx_sip_hdr *h = NULL;
	     (h = sx_sip_msg_hdr_next(req, h, SX_SIP_HDR_VIA));)
		copy_field(out, h);
	copy_first(out, req, SX_SIP_HDR_FROM);
	const struct sx_sip_hdr *to = sx_sip_msg_hdr(req, SX_SIP_HDR_TO);
	if (to) {
		sx_buf_put_sl(out, to->name);
		sx_buf_put(out, ": ", 2);
		sx_buf_put_sl(out, to->value);
		if (!req->to_tag.len && to_tag.len) {
			sx_buf_put_cstr(out, ";tag=");
			sx_buf_put_sl(out, to_tag);
		}
		sx_buf_put(out, "\r\n", 2);
	}
	copy_first(out, req, SX_SIP_HDR_CALL_ID);
	copy_first(out, req, SX_SIP_HDR_CSEQ);
	/* RFC 3261 8.2.6.1: a 100 echoes Timestamp */
	if (code == 100)
		copy_first(out, req, SX_SIP_HDR_TIMESTAMP);
	sx_buf_put_sl(out, extra);
	sx_sip_print_body(out, ctype, body);
	return sx_buf_err(out);
}

int sx_sip_reply_print(const struct sx_sip_msg *req, unsigned code,
		       const char *reason, struct sx_sl to_tag,
		       struct sx_sl extra, struct sx_buf *out)
{
	return sx_sip_reply_print_body(req, code, reason, to_tag, extra,
				       SX_SL_NULL, SX_SL_NULL, out);
}
