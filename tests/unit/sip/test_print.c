/*
 * Unit tests for the SIP printer (lib/sip/msg/print.c, reply.c):
 * byte-exact re-emission, every edit and its round trip through the
 * parser, from-scratch printers, responses per RFC 3261 8.2.6 and the
 * reason phrase table.
 */
#include <sx/sip/print.h>
#include <sx/util/buf.h>

#include "ut.h"

#define CRLF "\r\n"

static const char req[] =
	"INVITE sip:bob@biloxi.com SIP/2.0" CRLF
	"Route: <sip:p1.example.com;lr>,  <sip:p2.example.com;lr>" CRLF
	"v: SIP/2.0/UDP a.example.com;branch=z9hG4bKa ,SIP/2.0/TCP "
	"b.example.com;branch=z9hG4bKb" CRLF
	"Via: SIP/2.0/UDP c.example.com;branch=z9hG4bKc" CRLF
	"Max-Forwards:   70" CRLF
	"To: Bob <sip:bob@biloxi.com>" CRLF
	"From: Alice <sip:alice@atlanta.com>;tag=1928301774" CRLF
	"Call-ID: a84b4c76e66710@pc33.atlanta.com" CRLF
	"CSeq: 314159 INVITE" CRLF
	"Timestamp: 54" CRLF
	"Subject: folded" CRLF " line" CRLF
	"Route: <sip:p3.example.com;lr>" CRLF
	"Content-Type: text/plain" CRLF
	"Content-Length: 5" CRLF CRLF
	"hello";

static int parse(const char *s, struct sx_sip_msg **mp)
{
	return sx_sip_msg_parse(mp, s, strlen(s), NULL, NULL);
}

/* Print @m with @ed, check the bytes equal @want and parse back. */
static int print_eq(const struct sx_sip_msg *m, const struct sx_sip_edit *ed,
		    const char *want)
{
	int err = 0;
	struct sx_buf b;
	struct sx_sip_msg *back = NULL;

	sx_buf_init(&b, 0);
	UT_OK(sx_sip_msg_print(m, ed, &b));
	if (b.len != strlen(want) || memcmp(b.p, want, b.len)) {
		err = ut__fail(__FILE__, __LINE__, "got:\n%.*s\nwant:\n%s",
			       (int)b.len, b.p, want);
		goto out;
	}
	UT_OK(sx_sip_msg_parse(&back, b.p, b.len, NULL, NULL));
out:
	sx_sip_msg_free(back);
	sx_buf_fini(&b);
	return err;
}

static int test_print_identity(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	struct sx_sip_edit none = {0};
	static const char *const msgs[] = {
		req,
		"SIP/2.0 200 OK\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1\n"
		"To: <sip:u@h>;tag=2\nFrom: <sip:a@h>;tag=1\n"
		"Call-ID: x\nCSeq: 1 INVITE\n\n",
		"OPTIONS sip:u@h SIP/2.0" CRLF
		"TO :" CRLF " sip:u@h ;   tag    = 19n" CRLF
		"f: <sip:a@h>;tag=1" CRLF "i: x" CRLF "CSeq: 1 OPTIONS" CRLF
		"v: SIP / 2.0 / UDP h" CRLF CRLF "no length body",
	};

	for (size_t i = 0; i < SX_ARRAY_SIZE(msgs); i++) {
		UT_OK(parse(msgs[i], &m));
		UT_OK(print_eq(m, NULL, msgs[i]));
		UT_OK(print_eq(m, &none, msgs[i]));
		sx_sip_msg_free(m);
		m = NULL;
	}
out:
	sx_sip_msg_free(m);
	return err;
}

/* UDP: bytes after Content-Length are not printed. */
static int test_print_trailing(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char s[] =
		"BYE sip:u@h SIP/2.0" CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK1"
		CRLF "To: <sip:u@h>;tag=2" CRLF "From: <sip:a@h>;tag=1" CRLF
		"Call-ID: x" CRLF "CSeq: 1 BYE" CRLF "l: 0" CRLF CRLF
		"INVITE sip:junk SIP/2.0" CRLF;

	UT_OK(parse(s, &m));
	UT_OK(print_eq(m, NULL, "BYE sip:u@h SIP/2.0" CRLF
			       "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
			       "To: <sip:u@h>;tag=2" CRLF
			       "From: <sip:a@h>;tag=1" CRLF "Call-ID: x" CRLF
			       "CSeq: 1 BYE" CRLF "l: 0" CRLF CRLF));
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_print_ruri_via(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	struct sx_sip_edit ed = {
		.ruri = SX_SL("sip:bob@192.0.2.4:5070;transport=tcp"),
		.push_via = SX_SL("SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp"),
	};
	static const char s[] =
		"ACK sip:bob@biloxi.com SIP/2.0" CRLF
		"Via: SIP/2.0/UDP c;branch=z9hG4bKc" CRLF "To: <sip:u@h>" CRLF
		"From: <sip:a@h>;tag=1" CRLF "Call-ID: x" CRLF "CSeq: 1 ACK"
		CRLF CRLF;

	UT_OK(parse(s, &m));
	UT_OK(print_eq(m, &ed,
		       "ACK sip:bob@192.0.2.4:5070;transport=tcp SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp"
		       CRLF "Via: SIP/2.0/UDP c;branch=z9hG4bKc" CRLF
		       "To: <sip:u@h>" CRLF "From: <sip:a@h>;tag=1" CRLF
		       "Call-ID: x" CRLF "CSeq: 1 ACK" CRLF CRLF));
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_print_pop_via(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL, *m2 = NULL;
	struct sx_sip_edit ed = {.pop_via = true};
	struct sx_buf b, b2;

	sx_buf_init(&b, 0);
	sx_buf_init(&b2, 0);
	UT_OK(parse(req, &m));
	/* two values in the top field: only the first goes */
	UT_OK(sx_sip_msg_print(m, &ed, &b));
	UT_OK(sx_sip_msg_parse(&m2, b.p, b.len, NULL, NULL));
	UT_EQ(2, m2->nvias);
	UT_SL_EQ("b.example.com", m2->vias[0].sent_by.host);
	UT_SL_EQ("v: SIP/2.0/TCP b.example.com;branch=z9hG4bKb" CRLF,
		 m2->vias[0].hdr->raw);
	UT_SL_EQ("c.example.com", m2->vias[1].sent_by.host);
	UT_EQ(strlen(req) - strlen("SIP/2.0/UDP a.example.com;branch=z9hG4bKa"
				   " ,"),
	      b.len);
	/* pop again: the field had one value left and disappears */
	UT_OK(sx_sip_msg_print(m2, &ed, &b2));
	sx_sip_msg_free(m2);
	m2 = NULL;
	UT_OK(sx_sip_msg_parse(&m2, b2.p, b2.len, NULL, NULL));
	UT_EQ(1, m2->nvias);
	UT_SL_EQ("c.example.com", m2->vias[0].sent_by.host);
	UT_TRUE(!sx_sip_msg_hdr_by_name(m2, SX_SL("v")));
	/* push and pop together: a proxy replacing nothing but the top */
	ed.push_via = SX_SL("SIP/2.0/UDP new;branch=z9hG4bKn");
	sx_buf_reset(&b);
	UT_OK(sx_sip_msg_print(m2, &ed, &b));
	sx_sip_msg_free(m2);
	m2 = NULL;
	UT_OK(sx_sip_msg_parse(&m2, b.p, b.len, NULL, NULL));
	UT_EQ(1, m2->nvias);
	UT_SL_EQ("new", m2->vias[0].sent_by.host);
out:
	sx_sip_msg_free(m);
	sx_sip_msg_free(m2);
	sx_buf_fini(&b);
	sx_buf_fini(&b2);
	return err;
}

static int test_print_pop_route(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL, *m2 = NULL;
	struct sx_sip_edit ed = {.pop_route = true};
	struct sx_buf bufs[2], b;

	sx_buf_init(&bufs[0], 0);
	sx_buf_init(&bufs[1], 0);
	sx_buf_init(&b, 0);
	UT_OK(parse(req, &m));
	UT_EQ(3, m->nroutes);
	for (int left = 2; left >= 0; left--) {
		struct sx_buf *o = &bufs[left & 1];
		sx_buf_reset(o);
		UT_OK(sx_sip_msg_print(m2 ? m2 : m, &ed, o));
		sx_sip_msg_free(m2);
		m2 = NULL;
		UT_OK(sx_sip_msg_parse(&m2, o->p, o->len, NULL, NULL));
		UT_EQ(left, m2->nroutes);
		if (left == 2) {
			UT_SL_EQ("Route: <sip:p2.example.com;lr>" CRLF,
				 m2->routes[0].hdr->raw);
			UT_SL_EQ("p3.example.com",
				 m2->routes[1].addr.uri.host);
		}
	}
	UT_EQ(3, m2->nvias);
	/* nothing left to pop */
	UT_EQ(-EINVAL, sx_sip_msg_print(m2, &ed, &b));
out:
	sx_sip_msg_free(m);
	sx_sip_msg_free(m2);
	sx_buf_fini(&b);
	sx_buf_fini(&bufs[0]);
	sx_buf_fini(&bufs[1]);
	return err;
}

static int test_print_remove_add(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char s[] =
		"OPTIONS sip:u@h SIP/2.0" CRLF
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
		"Proxy-Authorization: Digest a=1" CRLF "To: <sip:u@h>" CRLF
		"From: <sip:a@h>;tag=1" CRLF "X-A: 1" CRLF "Call-ID: x" CRLF
		"X-A: 2" CRLF "CSeq: 1 OPTIONS" CRLF "Supported: path" CRLF
		CRLF;

	UT_OK(parse(s, &m));
	struct sx_sip_edit ed = {
		.remove = {sx_sip_msg_hdr_by_name(m, SX_SL("x-a"))},
		.nremove = 1,
		.remove_id = {SX_SIP_HDR_PROXY_AUTHORIZATION,
			      SX_SIP_HDR_SUPPORTED},
		.nremove_id = 2,
		.prepend = {{SX_SL("Record-Route"), SX_SL("<sip:p;lr>")}},
		.nprepend = 1,
		.add = {{SX_SL("X-B"), SX_SL("3")},
			{SX_SL("Supported"), SX_SL("timer")}},
		.nadd = 2,
	};
	UT_OK(print_eq(m, &ed,
		       "OPTIONS sip:u@h SIP/2.0" CRLF
		       "Record-Route: <sip:p;lr>" CRLF
		       "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
		       "To: <sip:u@h>" CRLF "From: <sip:a@h>;tag=1" CRLF
		       "Call-ID: x" CRLF "X-A: 2" CRLF "CSeq: 1 OPTIONS" CRLF
		       "X-B: 3" CRLF "Supported: timer" CRLF CRLF));
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_print_max_forwards(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	struct sx_sip_edit ed = {.set_max_forwards = true, .max_forwards = 69};
	static const char without[] =
		"OPTIONS sip:u@h SIP/2.0" CRLF
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF "To: <sip:u@h>" CRLF
		"From: <sip:a@h>;tag=1" CRLF "Call-ID: x" CRLF
		"CSeq: 1 OPTIONS" CRLF CRLF;

	UT_OK(parse(req, &m));
	char want[sizeof(req)];
	memcpy(want, req, sizeof(req));
	char *p = strstr(want, "Max-Forwards:   70");
	UT_TRUE(p != NULL);
	memcpy(p, "Max-Forwards:   69", 18);
	UT_OK(print_eq(m, &ed, want));
	sx_sip_msg_free(m);
	m = NULL;
	UT_OK(parse(without, &m));
	UT_OK(print_eq(m, &ed,
		       "OPTIONS sip:u@h SIP/2.0" CRLF
		       "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
		       "To: <sip:u@h>" CRLF "From: <sip:a@h>;tag=1" CRLF
		       "Call-ID: x" CRLF "CSeq: 1 OPTIONS" CRLF
		       "Max-Forwards: 69" CRLF CRLF));
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_print_body(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL, *m2 = NULL;
	struct sx_sip_edit ed = {.set_body = true,
				 .body = SX_SL("a longer body\r\n")};
	struct sx_buf b;
	static const char nocl[] =
		"MESSAGE sip:u@h SIP/2.0\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1\n" "To: <sip:u@h>\n"
		"From: <sip:a@h>;tag=1\n" "Call-ID: x\n" "CSeq: 1 MESSAGE\n"
		"\nold";

	sx_buf_init(&b, 0);
	UT_OK(parse(req, &m));
	UT_OK(sx_sip_msg_print(m, &ed, &b));
	UT_OK(sx_sip_msg_parse(&m2, b.p, b.len, NULL, NULL));
	UT_SL_EQ("a longer body\r\n", m2->body);
	UT_EQ(15, m2->content_length);
	UT_SL_EQ("Content-Length: 15" CRLF,
		 sx_sip_msg_hdr(m2, SX_SIP_HDR_CONTENT_LENGTH)->raw);
	sx_sip_msg_free(m);
	m = NULL;
	/* no Content-Length before: one is added */
	UT_OK(parse(nocl, &m));
	ed.body = SX_SL("");
	UT_OK(print_eq(m, &ed,
		       "MESSAGE sip:u@h SIP/2.0\n"
		       "Via: SIP/2.0/UDP h;branch=z9hG4bK1\n"
		       "To: <sip:u@h>\n" "From: <sip:a@h>;tag=1\n"
		       "Call-ID: x\n" "CSeq: 1 MESSAGE\n"
		       "Content-Length: 0\r\n\n"));
out:
	sx_sip_msg_free(m);
	sx_sip_msg_free(m2);
	sx_buf_fini(&b);
	return err;
}

/* A proxy forwarding step (RFC 3261 16.6) in one print. */
static int test_print_forward(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL, *m2 = NULL;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(parse(req, &m));
	struct sx_sip_edit ed = {
		.ruri = SX_SL("sip:bob@192.0.2.7"),
		.push_via = SX_SL("SIP/2.0/UDP px;branch=z9hG4bKpx"),
		.pop_route = true,
		.set_max_forwards = true,
		.max_forwards = (uint32_t)m->max_forwards - 1,
		.prepend = {{SX_SL("Record-Route"), SX_SL("<sip:px;lr>")}},
		.nprepend = 1,
	};
	UT_OK(sx_sip_msg_print(m, &ed, &b));
	UT_OK(sx_sip_msg_parse(&m2, b.p, b.len, NULL, NULL));
	UT_SL_EQ("192.0.2.7", m2->ruri.host);
	UT_EQ(4, m2->nvias);
	UT_SL_EQ("z9hG4bKpx", m2->vias[0].branch);
	UT_SL_EQ("z9hG4bKa", m2->vias[1].branch);
	UT_EQ(2, m2->nroutes);
	UT_EQ(69, m2->max_forwards);
	UT_SL_EQ("<sip:px;lr>",
		 sx_sip_msg_hdr(m2, SX_SIP_HDR_RECORD_ROUTE)->value);
	UT_SL_EQ("folded" CRLF " line",
		 sx_sip_msg_hdr(m2, SX_SIP_HDR_SUBJECT)->value);
	UT_SL_EQ("hello", m2->body);
out:
	sx_sip_msg_free(m);
	sx_sip_msg_free(m2);
	sx_buf_fini(&b);
	return err;
}

static int test_print_invalid(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	struct sx_buf b;
	struct sx_sip_edit ed = {.ruri = SX_SL("sip:x")};
	static const char resp[] =
		"SIP/2.0 200 OK" CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
		"To: <sip:u@h>;tag=2" CRLF "From: <sip:a@h>;tag=1" CRLF
		"Call-ID: x" CRLF "CSeq: 1 INVITE" CRLF CRLF;

	sx_buf_init(&b, 0);
	UT_OK(parse(resp, &m));
	UT_EQ(-EINVAL, sx_sip_msg_print(m, &ed, &b));
	UT_EQ(-EINVAL, sx_sip_msg_print(NULL, NULL, &b));
	UT_EQ(-EINVAL, sx_sip_msg_print(m, NULL, NULL));
	ed = (struct sx_sip_edit){.nadd = SX_SIP_EDIT_MAX + 1};
	UT_EQ(-EINVAL, sx_sip_msg_print(m, &ed, &b));
	ed = (struct sx_sip_edit){.pop_route = true};
	UT_EQ(-EINVAL, sx_sip_msg_print(m, &ed, &b));
	UT_EQ(0, b.len);
	/* a capped buffer reports -E2BIG */
	sx_buf_fini(&b);
	sx_buf_init(&b, 16);
	UT_EQ(-E2BIG, sx_sip_msg_print(m, NULL, &b));
out:
	sx_sip_msg_free(m);
	sx_buf_fini(&b);
	return err;
}

static int test_print_scratch(void)
{
	int err = 0;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	sx_sip_print_request_line(&b, SX_SL("OPTIONS"), SX_SL("sip:u@h"));
	sx_sip_print_hdr(&b, SX_SL("Via"), SX_SL("SIP/2.0/UDP h"));
	sx_sip_print_hdrf(&b, "CSeq", "%u %s", 7u, "OPTIONS");
	sx_sip_print_body(&b, SX_SL("text/plain"), SX_SL("hi"));
	UT_OK(sx_buf_err(&b));
	UT_SL_EQ("OPTIONS sip:u@h SIP/2.0" CRLF "Via: SIP/2.0/UDP h" CRLF
		 "CSeq: 7 OPTIONS" CRLF "Content-Type: text/plain" CRLF
		 "Content-Length: 2" CRLF CRLF "hi",
		 sx_buf_sl(&b));
	sx_buf_reset(&b);
	sx_sip_print_status_line(&b, 486, SX_SL("Busy Here"));
	sx_sip_print_body(&b, SX_SL_NULL, SX_SL_NULL);
	UT_OK(sx_buf_err(&b));
	UT_SL_EQ("SIP/2.0 486 Busy Here" CRLF "Content-Length: 0" CRLF CRLF,
		 sx_buf_sl(&b));
out:
	sx_buf_fini(&b);
	return err;
}

static int test_reason(void)
{
	int err = 0;
	static const struct {
		unsigned code;
		const char *text;
	} t[] = {
		{100, "Trying"},
		{180, "Ringing"},
		{181, "Call Is Being Forwarded"},
		{182, "Queued"},
		{183, "Session Progress"},
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
		{420, "Bad Extension"},
		{421, "Extension Required"},
		{422, "Session Interval Too Small"},
		{423, "Interval Too Brief"},
		{428, "Use Identity Header"},
		{429, "Provide Referrer Identity"},
		{433, "Anonymity Disallowed"},
		{439, "First Hop Lacks Outbound Support"},
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
		{580, "Precondition Failure"},
		{600, "Busy Everywhere"},
		{603, "Decline"},
		{604, "Does Not Exist Anywhere"},
		{606, "Not Acceptable"},
		{299, "Success"},
		{499, "Client Error"},
		{699, "Global Failure"},
		{99, "Unknown"},
		{700, "Unknown"},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++)
		UT_STR_EQ(t[i].text, sx_sip_reason(t[i].code));
out:
	return err;
}

static int test_reply(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL, *r = NULL;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(parse(req, &m));
	UT_OK(sx_sip_reply_print(m, 486, NULL, SX_SL("as8"),
				 SX_SL("Retry-After: 30" CRLF), &b));
	static const char want[] =
		"SIP/2.0 486 Busy Here" CRLF
		"v: SIP/2.0/UDP a.example.com;branch=z9hG4bKa ,SIP/2.0/TCP "
		"b.example.com;branch=z9hG4bKb" CRLF
		"Via: SIP/2.0/UDP c.example.com;branch=z9hG4bKc" CRLF
		"From: Alice <sip:alice@atlanta.com>;tag=1928301774" CRLF
		"To: Bob <sip:bob@biloxi.com>;tag=as8" CRLF
		"Call-ID: a84b4c76e66710@pc33.atlanta.com" CRLF
		"CSeq: 314159 INVITE" CRLF "Retry-After: 30" CRLF
		"Content-Length: 0" CRLF CRLF;
	UT_SL_EQ(want, sx_buf_sl(&b));
	UT_OK(sx_sip_msg_parse(&r, b.p, b.len, NULL, NULL));
	UT_EQ(486, r->status);
	UT_EQ(3, r->nvias);
	UT_SL_EQ("as8", r->to_tag);
	UT_SL_EQ("1928301774", r->from_tag);
	/* 100 Trying: own reason, no tag, Timestamp echoed */
	sx_buf_reset(&b);
	UT_OK(sx_sip_reply_print(m, 100, "Trying Hard", SX_SL_NULL,
				 SX_SL_NULL, &b));
	UT_TRUE(strstr(b.p, "SIP/2.0 100 Trying Hard" CRLF) == b.p);
	UT_TRUE(strstr(b.p, "To: Bob <sip:bob@biloxi.com>" CRLF) != NULL);
	UT_TRUE(strstr(b.p, "Timestamp: 54" CRLF) != NULL);
out:
	sx_sip_msg_free(m);
	sx_sip_msg_free(r);
	sx_buf_fini(&b);
	return err;
}

/* An existing To tag stays; the new one is not added. */
static int test_reply_keeps_tag(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL, *r = NULL;
	struct sx_buf b;
	static const char bye[] =
		"BYE sip:u@h SIP/2.0\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1;rport\n"
		"t: <sip:u@h>;tag=old\nf: <sip:a@h>;tag=1\n"
		"i: x\nCSeq: 2 BYE\n\n";

	sx_buf_init(&b, 0);
	UT_OK(parse(bye, &m));
	UT_OK(sx_sip_reply_print(m, 200, NULL, SX_SL("new"), SX_SL_NULL, &b));
	UT_SL_EQ("SIP/2.0 200 OK" CRLF
		 "Via: SIP/2.0/UDP h;branch=z9hG4bK1;rport" CRLF
		 "f: <sip:a@h>;tag=1" CRLF "t: <sip:u@h>;tag=old" CRLF
		 "i: x" CRLF "CSeq: 2 BYE" CRLF "Content-Length: 0" CRLF CRLF,
		 sx_buf_sl(&b));
	UT_OK(sx_sip_msg_parse(&r, b.p, b.len, NULL, NULL));
	UT_SL_EQ("old", r->to_tag);
	/* bad arguments */
	UT_EQ(-EINVAL, sx_sip_reply_print(m, 99, NULL, SX_SL_NULL, SX_SL_NULL,
					  &b));
	UT_EQ(-EINVAL, sx_sip_reply_print(m, 700, NULL, SX_SL_NULL,
					  SX_SL_NULL, &b));
	UT_EQ(-EINVAL, sx_sip_reply_print(r, 200, NULL, SX_SL_NULL,
					  SX_SL_NULL, &b));
	UT_EQ(-EINVAL, sx_sip_reply_print(NULL, 200, NULL, SX_SL_NULL,
					  SX_SL_NULL, &b));
out:
	sx_sip_msg_free(m);
	sx_sip_msg_free(r);
	sx_buf_fini(&b);
	return err;
}

/* A reply with a body: Content-Type, the body's length and the body
 * follow @extra; the wrapper without one ends in Content-Length: 0. */
static int test_reply_body(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL, *r = NULL;
	struct sx_buf b, e;
	static const char sdp[] = "v=0" CRLF "o=- 1 1 IN IP4 h" CRLF;
	static const char no_body[] = "Content-Length: 0" CRLF CRLF;
	static const char bye[] = "BYE sip:u@h SIP/2.0\n"
				  "Via: SIP/2.0/UDP h;branch=z9hG4bK1\n"
				  "t: <sip:u@h>\nf: <sip:a@h>;tag=1\n"
				  "i: x\nCSeq: 2 BYE\n\n";

	sx_buf_init(&b, 0);
	sx_buf_init(&e, 0);
	UT_OK(parse(bye, &m));
	UT_OK(sx_sip_reply_print_body(m, 200, NULL, SX_SL("t2"),
				      SX_SL("Allow: BYE" CRLF),
				      SX_SL("application/sdp"), SX_SL(sdp),
				      &b));
	UT_SL_EQ("SIP/2.0 200 OK" CRLF
		 "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
		 "f: <sip:a@h>;tag=1" CRLF "t: <sip:u@h>;tag=t2" CRLF
		 "i: x" CRLF "CSeq: 2 BYE" CRLF "Allow: BYE" CRLF
		 "Content-Type: application/sdp" CRLF
		 "Content-Length: 23" CRLF CRLF "v=0" CRLF
		 "o=- 1 1 IN IP4 h" CRLF,
		 sx_buf_sl(&b));
	UT_OK(sx_sip_msg_parse(&r, b.p, b.len, NULL, NULL));
	UT_SL_EQ(sdp, r->body);
	UT_SL_EQ("t2", r->to_tag);
	/* no body: byte for byte what sx_sip_reply_print() gives */
	sx_buf_reset(&b);
	UT_OK(sx_sip_reply_print_body(m, 487, NULL, SX_SL("t2"), SX_SL_NULL,
				      SX_SL_NULL, SX_SL_NULL, &b));
	UT_OK(sx_sip_reply_print(m, 487, NULL, SX_SL("t2"), SX_SL_NULL, &e));
	UT_TRUE(b.len > sizeof(no_body) - 1);
	UT_SL_EQ(no_body, sx_sl_make(b.p + b.len - (sizeof(no_body) - 1),
				     sizeof(no_body) - 1));
	UT_EQ(e.len, b.len);
	UT_MEM_EQ(e.p, b.p, b.len);
	UT_EQ(-EINVAL, sx_sip_reply_print_body(r, 200, NULL, SX_SL_NULL,
					       SX_SL_NULL, SX_SL("text/plain"),
					       SX_SL("x"), &b));
	UT_EQ(-EINVAL, sx_sip_reply_print_body(m, 700, NULL, SX_SL_NULL,
					       SX_SL_NULL, SX_SL_NULL,
					       SX_SL_NULL, &b));
out:
	sx_sip_msg_free(m);
	sx_sip_msg_free(r);
	sx_buf_fini(&b);
	sx_buf_fini(&e);
	return err;
}

UT_MAIN(UT_C(test_print_identity), UT_C(test_print_trailing),
	UT_C(test_print_ruri_via), UT_C(test_print_pop_via),
	UT_C(test_print_pop_route), UT_C(test_print_remove_add),
	UT_C(test_print_max_forwards), UT_C(test_print_body),
	UT_C(test_print_forward), UT_C(test_print_invalid),
	UT_C(test_print_scratch), UT_C(test_reason), UT_C(test_reply),
	UT_C(test_reply_keeps_tag), UT_C(test_reply_body))
