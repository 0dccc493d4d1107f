/*
 * Unit tests for the SIP message parser (lib/sip/msg/parse.c, via.c,
 * hdrid.c, method.c): start lines, header splitting (folding, compact
 * forms, bare LF), eager fields, every 400 reason, limits at N and N+1,
 * responses dropped silently, guard-page truncation sweeps.
 */
#include <stdlib.h>

#include <sx/sip/msg.h>
#include <sx/util/mem.h>

#include "ut.h"

#define CRLF "\r\n"

/* A valid request; tests derive variants from it. */
#define INVITE_HDRS                                                            \
	"Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds" CRLF       \
	"Max-Forwards: 70" CRLF                                                \
	"To: Bob <sip:bob@biloxi.com>" CRLF                                    \
	"From: Alice <sip:alice@atlanta.com>;tag=1928301774" CRLF              \
	"Call-ID: a84b4c76e66710@pc33.atlanta.com" CRLF                        \
	"CSeq: 314159 INVITE" CRLF                                             \
	"Contact: <sip:alice@pc33.atlanta.com>" CRLF                           \
	"Content-Type: application/sdp" CRLF

static const char invite[] =
	"INVITE sip:bob@biloxi.com SIP/2.0" CRLF INVITE_HDRS
	"Content-Length: 5" CRLF CRLF "v=0" CRLF;

/* Parse a C string as a datagram. */
static int parse(const char *s, struct sx_sip_msg **mp,
		 struct sx_sip_perr *pe)
{
	return sx_sip_msg_parse(mp, s, strlen(s), NULL, pe);
}

/*
 * Expect a parse failure with @rc and @status; under OOM injection the
 * parser may fail with -ENOMEM first, which ends the case.
 */
#define UT_PERR(s_, rc_, st_)                                                 \
	do {                                                                   \
		struct sx_sip_msg *m_ = NULL;                                  \
		struct sx_sip_perr pe_ = {999, NULL};                          \
		int r_ = parse((s_), &m_, &pe_);                                \
		if (r_ == -ENOMEM && ut_oom_mode()) {                          \
			err = -ENOMEM;                                         \
			goto out;                                              \
		}                                                              \
		if (r_ == 0)                                                   \
			sx_sip_msg_free(m_);                                   \
		UT_EQ((rc_), r_);                                              \
		UT_EQ((st_), pe_.status);                                      \
		UT_TRUE(pe_.reason != NULL);                                   \
	} while (0)

static int test_parse_invite(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;

	UT_OK(parse(invite, &m, NULL));
	UT_TRUE(m->is_request);
	UT_EQ(SX_SIP_METHOD_INVITE, m->method);
	UT_SL_EQ("INVITE", m->method_sl);
	UT_SL_EQ("sip:bob@biloxi.com", m->ruri_sl);
	UT_EQ(SX_SIP_URI_SIP, m->ruri.scheme);
	UT_SL_EQ("bob", m->ruri.user);
	UT_SL_EQ("biloxi.com", m->ruri.host);
	UT_SL_EQ("SIP/2.0", m->version);
	UT_EQ(9, m->nhdrs);
	UT_EQ(SX_SIP_HDR_VIA, m->hdrs[0].id);
	UT_SL_EQ("Via", m->hdrs[0].name);
	UT_SL_EQ("SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds",
		 m->hdrs[0].value);
	UT_SL_EQ("Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds"
		 CRLF, m->hdrs[0].raw);
	UT_EQ(1, m->nvias);
	UT_SL_EQ("SIP/2.0", m->vias[0].proto);
	UT_SL_EQ("UDP", m->vias[0].transport);
	UT_SL_EQ("pc33.atlanta.com", m->vias[0].sent_by.host);
	UT_TRUE(!m->vias[0].sent_by.has_port);
	UT_SL_EQ("z9hG4bK776asdhds", m->vias[0].branch);
	UT_TRUE(m->vias[0].hdr == &m->hdrs[0]);
	UT_EQ(0, m->vias[0].index);
	UT_EQ(70, m->max_forwards);
	UT_SL_EQ("bob", m->to.uri.user);
	UT_SL_EQ("Bob", m->to.display);
	UT_SL_EQ("", m->to_tag);
	UT_SL_EQ("alice", m->from.uri.user);
	UT_SL_EQ("1928301774", m->from_tag);
	UT_SL_EQ("a84b4c76e66710@pc33.atlanta.com", m->call_id);
	UT_EQ(314159, m->cseq);
	UT_EQ(SX_SIP_METHOD_INVITE, m->cseq_method);
	UT_SL_EQ("INVITE", m->cseq_method_sl);
	UT_TRUE(m->has_content_length);
	UT_EQ(5, m->content_length);
	UT_SL_EQ("v=0" CRLF, m->body);
	UT_EQ(strlen(invite), m->wire.len);
	UT_TRUE(m->wire.p == invite);
	UT_EQ(0, m->nroutes);
	UT_TRUE(m->owner == NULL);
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_response(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char s[] =
		"SIP/2.0 180 Ringing Now" CRLF
		"Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds"
		";received=192.0.2.1" CRLF
		"To: Bob <sip:bob@biloxi.com>;tag=a6c85cf" CRLF
		"From: Alice <sip:alice@atlanta.com>;tag=1928301774" CRLF
		"Call-ID: a84b4c76e66710" CRLF
		"CSeq: 314159 INVITE" CRLF
		"Content-Length: 0" CRLF CRLF;

	UT_OK(parse(s, &m, NULL));
	UT_TRUE(!m->is_request);
	UT_EQ(180, m->status);
	UT_SL_EQ("Ringing Now", m->reason);
	UT_SL_EQ("SIP/2.0", m->version);
	UT_SL_EQ("a6c85cf", m->to_tag);
	UT_SL_EQ("192.0.2.1", m->vias[0].received);
	UT_EQ(-1, m->max_forwards);
	UT_EQ(0, m->body.len);
	UT_EQ(strlen(s), m->wire.len);
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_empty_reason(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char s[] =
		"sip/2.0 100 " CRLF
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
		"To: <sip:b@h>" CRLF "From: <sip:a@h>;tag=1" CRLF
		"Call-ID: x" CRLF "CSeq: 1 INVITE" CRLF CRLF;

	UT_OK(parse(s, &m, NULL));
	UT_EQ(100, m->status);
	UT_EQ(0, m->reason.len);
	UT_SL_EQ("sip/2.0", m->version);
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_folding(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char s[] =
		"OPTIONS sip:u@h SIP/2.0" CRLF
		"TO :" CRLF " sip:u@h ;   tag    = 19n" CRLF
		"from   : \"J R\" <sip:j@h>" CRLF "  ;" CRLF "  tag = 98" CRLF
		"cseq: 0009" CRLF "  OPTIONS" CRLF
		"Via  : SIP  /   2.0" CRLF " /UDP" CRLF
		"    192.0.2.2;branch=z9hG4bKa" CRLF
		"Call-ID: c1" CRLF
		"Subject:" CRLF "\tfolded" CRLF "\t line" CRLF
		"s :" CRLF
		"X-Empty:" CRLF CRLF;

	UT_OK(parse(s, &m, NULL));
	UT_SL_EQ("19n", m->to_tag);
	UT_SL_EQ("98", m->from_tag);
	UT_EQ(9, m->cseq);
	UT_SL_EQ("OPTIONS", m->cseq_method_sl);
	UT_SL_EQ("SIP/2.0", m->vias[0].proto);
	UT_SL_EQ("UDP", m->vias[0].transport);
	UT_SL_EQ("192.0.2.2", m->vias[0].sent_by.host);
	UT_SL_EQ("z9hG4bKa", m->vias[0].branch);
	const struct sx_sip_hdr *h = sx_sip_msg_hdr(m, SX_SIP_HDR_SUBJECT);
	UT_TRUE(h != NULL);
	UT_SL_EQ("folded" CRLF "\t line", h->value);
	UT_SL_EQ("Subject:" CRLF "\tfolded" CRLF "\t line" CRLF, h->raw);
	h = sx_sip_msg_hdr_next(m, h, SX_SIP_HDR_SUBJECT);
	UT_TRUE(h != NULL);
	UT_SL_EQ("s", h->name);
	UT_EQ(0, h->value.len);
	UT_TRUE(!sx_sip_msg_hdr_next(m, h, SX_SIP_HDR_SUBJECT));
	h = sx_sip_msg_hdr_by_name(m, SX_SL("x-empty"));
	UT_TRUE(h != NULL);
	UT_EQ(SX_SIP_HDR_OTHER, h->id);
	UT_EQ(0, h->value.len);
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_compact(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char s[] =
		"MESSAGE sip:u@h SIP/2.0" CRLF
		"v: SIP/2.0/TCP h1:5061;branch=z9hG4bK1" CRLF
		"V: SIP/2.0/TCP h2;branch=z9hG4bK2" CRLF
		"t: <sip:u@h>" CRLF "F: <sip:a@h>;tag=t1" CRLF
		"i: id1" CRLF "m: <sip:a@c>" CRLF "c: text/plain" CRLF
		"k: 100rel" CRLF "s: hi" CRLF "e: gzip" CRLF "o: x" CRLF
		"u: y" CRLF "r: <sip:r@h>" CRLF "b: <sip:b@h>" CRLF
		"x: 90" CRLF "CSEQ: 2 MESSAGE" CRLF "l: 2" CRLF CRLF "hi";

	UT_OK(parse(s, &m, NULL));
	UT_EQ(2, m->nvias);
	UT_EQ(5061, m->vias[0].sent_by.port);
	UT_TRUE(m->vias[0].sent_by.has_port);
	UT_SL_EQ("h2", m->vias[1].sent_by.host);
	UT_SL_EQ("t1", m->from_tag);
	UT_SL_EQ("id1", m->call_id);
	UT_SL_EQ("hi", m->body);
	static const enum sx_sip_hdr_id ids[] = {
		SX_SIP_HDR_VIA,		     SX_SIP_HDR_VIA,
		SX_SIP_HDR_TO,		     SX_SIP_HDR_FROM,
		SX_SIP_HDR_CALL_ID,	     SX_SIP_HDR_CONTACT,
		SX_SIP_HDR_CONTENT_TYPE,     SX_SIP_HDR_SUPPORTED,
		SX_SIP_HDR_SUBJECT,	     SX_SIP_HDR_CONTENT_ENCODING,
		SX_SIP_HDR_EVENT,	     SX_SIP_HDR_ALLOW_EVENTS,
		SX_SIP_HDR_REFER_TO,	     SX_SIP_HDR_REFERRED_BY,
		SX_SIP_HDR_SESSION_EXPIRES,  SX_SIP_HDR_CSEQ,
		SX_SIP_HDR_CONTENT_LENGTH,
	};
	UT_EQ(SX_ARRAY_SIZE(ids), m->nhdrs);
	for (size_t i = 0; i < SX_ARRAY_SIZE(ids); i++)
		UT_EQ(ids[i], m->hdrs[i].id);
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_lf_only(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char s[] =
		"BYE sip:u@h SIP/2.0\n"
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1\n"
		"To: <sip:u@h>;tag=2\n"
		"From: <sip:a@h>;tag=1\n"
		"Subject: a\n b\n"
		"Call-ID: lf\n"
		"CSeq: 3 BYE\n"
		"Content-Length: 3\n\nxyz";

	UT_OK(parse(s, &m, NULL));
	UT_EQ(SX_SIP_METHOD_BYE, m->method);
	UT_SL_EQ("lf", m->call_id);
	UT_SL_EQ("Call-ID: lf\n", m->hdrs[4].raw);
	UT_SL_EQ("a\n b", m->hdrs[3].value);
	UT_SL_EQ("xyz", m->body);
	UT_EQ(strlen(s), m->wire.len);
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_leading_crlf(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	char s[sizeof(invite) + 4] = "\r\n\r\n";

	memcpy(s + 4, invite, sizeof(invite));
	UT_OK(parse(s, &m, NULL));
	UT_TRUE(m->wire.p == s + 4);
	UT_EQ(strlen(invite), m->wire.len);
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_unknown(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char s[] =
		"!interesting-Method0123456789_*+`.%indeed'~ sip:u@h SIP/2.0"
		CRLF "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
		"To: <sip:u@h>" CRLF "From: <sip:a@h>;tag=1" CRLF
		"Call-ID: x@y" CRLF
		"CSeq: 1 !interesting-Method0123456789_*+`.%indeed'~" CRLF
		"extensionHeader-!.%*+_`'~: \xef\xbb\xbf\xe5\xa4\xa7" CRLF
		"UnknownHeaderWithUnusualValue: ;;,,;;,;" CRLF CRLF;

	UT_OK(parse(s, &m, NULL));
	UT_EQ(SX_SIP_METHOD_OTHER, m->method);
	UT_EQ(SX_SIP_METHOD_OTHER, m->cseq_method);
	const struct sx_sip_hdr *h =
		sx_sip_msg_hdr_by_name(m, SX_SL("EXTENSIONHEADER-!.%*+_`'~"));
	UT_TRUE(h != NULL);
	UT_SL_EQ("\xef\xbb\xbf\xe5\xa4\xa7", h->value);
	h = sx_sip_msg_hdr_by_name(m, SX_SL("unknownheaderwithunusualvalue"));
	UT_TRUE(h != NULL);
	UT_SL_EQ(";;,,;;,;", h->value);
	UT_TRUE(!sx_sip_msg_hdr_by_name(m, SX_SL("Nope")));
	UT_TRUE(!sx_sip_msg_hdr(m, SX_SIP_HDR_CONTACT));
	UT_EQ(-1, m->max_forwards);
	UT_TRUE(!m->has_content_length);
	UT_EQ(0, m->body.len);
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_via_list(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char s[] =
		"OPTIONS sip:u@h SIP/2.0" CRLF
		"v:  SIP  / 2.0  / TCP     spindle.example.com   ;" CRLF
		"  branch  =   z9hG4bK9ikj8  ," CRLF
		" SIP  /    2.0   / UDP  192.168.255.111   ; branch=" CRLF
		" z9hG4bK30239" CRLF
		"Via: SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKa;rport,"
		" SIP/2.0/TLS h3 : 5071 ;rport=5090;received=[2001:db8::9:255]"
		";maddr=239.1.1.1;ttl=1, SIP/2.0/WS h4" CRLF
		"To: <sip:u@h>" CRLF "From: <sip:a@h>;tag=1" CRLF
		"Call-ID: x" CRLF "CSeq: 1 OPTIONS" CRLF CRLF;

	UT_OK(parse(s, &m, NULL));
	UT_EQ(5, m->nvias);
	UT_SL_EQ("SIP/2.0", m->vias[0].proto);
	UT_SL_EQ("TCP", m->vias[0].transport);
	UT_SL_EQ("spindle.example.com", m->vias[0].sent_by.host);
	UT_SL_EQ("z9hG4bK9ikj8", m->vias[0].branch);
	UT_EQ(0, m->vias[0].index);
	UT_SL_EQ("192.168.255.111", m->vias[1].sent_by.host);
	UT_EQ(SX_SIP_HOST_IPV4, m->vias[1].sent_by.host_type);
	UT_SL_EQ("z9hG4bK30239", m->vias[1].branch);
	UT_EQ(1, m->vias[1].index);
	UT_TRUE(m->vias[1].hdr == m->vias[0].hdr);
	UT_SL_EQ("[2001:db8::9:1]", m->vias[2].sent_by.host);
	UT_EQ(SX_SIP_HOST_IPV6, m->vias[2].sent_by.host_type);
	UT_EQ(6050, m->vias[2].sent_by.port);
	UT_TRUE(m->vias[2].rport);
	UT_EQ(0, m->vias[2].rport_val);
	UT_EQ(0, m->vias[2].index);
	UT_SL_EQ("SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKa;rport",
		 m->vias[2].raw);
	UT_SL_EQ("branch=z9hG4bKa;rport", m->vias[2].params);
	UT_SL_EQ("h3", m->vias[3].sent_by.host);
	UT_EQ(5071, m->vias[3].sent_by.port);
	UT_TRUE(m->vias[3].rport);
	UT_EQ(5090, m->vias[3].rport_val);
	UT_SL_EQ("[2001:db8::9:255]", m->vias[3].received);
	UT_SL_EQ("239.1.1.1", m->vias[3].maddr);
	UT_SL_EQ("", m->vias[3].branch);
	UT_SL_EQ("WS", m->vias[4].transport);
	UT_SL_EQ("h4", m->vias[4].sent_by.host);
	UT_EQ(2, m->vias[4].index);
	UT_EQ(0, m->vias[4].params.len);
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_routes(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char s[] =
		"BYE sip:u@h SIP/2.0" CRLF
		"Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>" CRLF
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
		"Route:" CRLF " <sip:p3.example.com;lr;unknownwith=value>"
		CRLF
		"To: <sip:u@h>;tag=2" CRLF "From: <sip:a@h>;tag=1" CRLF
		"Call-ID: x" CRLF "CSeq: 1 BYE" CRLF CRLF;

	UT_OK(parse(s, &m, NULL));
	UT_EQ(3, m->nroutes);
	UT_SL_EQ("p1.example.com", m->routes[0].addr.uri.host);
	UT_SL_EQ("<sip:p2.example.com;lr>", m->routes[1].addr.raw);
	UT_EQ(1, m->routes[1].index);
	UT_TRUE(m->routes[1].hdr == &m->hdrs[0]);
	UT_SL_EQ("p3.example.com", m->routes[2].addr.uri.host);
	UT_TRUE(m->routes[2].hdr == &m->hdrs[2]);
	UT_EQ(0, m->routes[2].index);
out:
	sx_sip_msg_free(m);
	return err;
}

/* Each request defect and the reason/status it must give. */
static int test_parse_errors(void)
{
	int err = 0;
	static const struct {
		const char *msg;
		int rc;
		uint16_t status;
		const char *reason;
	} t[] = {
#define H_VIA "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
#define H_TO "To: <sip:u@h>" CRLF
#define H_FROM "From: <sip:a@h>;tag=1" CRLF
#define H_CID "Call-ID: x" CRLF
#define H_CSEQ "CSeq: 1 OPTIONS" CRLF
#define OPT "OPTIONS sip:u@h SIP/2.0" CRLF
#define ALL H_VIA H_TO H_FROM H_CID H_CSEQ
		{OPT H_VIA H_FROM H_CID H_CSEQ CRLF, -EBADMSG, 400,
		 "Missing To"},
		{OPT H_VIA H_TO H_CID H_CSEQ CRLF, -EBADMSG, 400,
		 "Missing From"},
		{OPT H_VIA H_TO H_FROM H_CSEQ CRLF, -EBADMSG, 400,
		 "Missing Call-ID"},
		{OPT H_VIA H_TO H_FROM H_CID CRLF, -EBADMSG, 400,
		 "Missing CSeq"},
		{OPT H_TO H_FROM H_CID H_CSEQ CRLF, -EBADMSG, 400,
		 "Missing Via"},
		{OPT ALL H_TO CRLF, -EBADMSG, 400, "Duplicate To"},
		{OPT ALL H_FROM CRLF, -EBADMSG, 400, "Duplicate From"},
		{OPT ALL "i: y" CRLF CRLF, -EBADMSG, 400, "Duplicate Call-ID"},
		{OPT ALL H_CSEQ CRLF, -EBADMSG, 400, "Duplicate CSeq"},
		{OPT ALL "Max-Forwards: 1" CRLF "Max-Forwards: 1" CRLF CRLF,
		 -EBADMSG, 400, "Duplicate Max-Forwards"},
		{OPT ALL "l: 0" CRLF "Content-Length: 0" CRLF CRLF, -EBADMSG,
		 400, "Duplicate Content-Length"},
		{OPT ALL "Content-Length: 13" CRLF "l: 5" CRLF CRLF
			 "There's no way",
		 -EBADMSG, 400, "Duplicate Content-Length"},
		{OPT ALL "Content-Length: -999" CRLF CRLF, -EBADMSG, 400,
		 "Bad Content-Length"},
		{OPT ALL "Content-Length: 4294967296" CRLF CRLF, -EBADMSG, 400,
		 "Bad Content-Length"},
		{OPT ALL "Content-Length: 1x" CRLF CRLF, -EBADMSG, 400,
		 "Bad Content-Length"},
		{OPT ALL "Content-Length: 5" CRLF CRLF "abcd", -EBADMSG, 400,
		 "Content-Length Exceeds Message"},
		{OPT ALL "Max-Forwards: 256" CRLF CRLF, -EBADMSG, 400,
		 "Bad Max-Forwards"},
		{OPT ALL "Max-Forwards: -1" CRLF CRLF, -EBADMSG, 400,
		 "Bad Max-Forwards"},
		{OPT ALL "Max-Forwards:" CRLF CRLF, -EBADMSG, 400,
		 "Bad Max-Forwards"},
		{OPT H_VIA H_TO H_FROM H_CID "CSeq: 4294967296 OPTIONS" CRLF
			 CRLF,
		 -EBADMSG, 400, "Bad CSeq"},
		{OPT H_VIA H_TO H_FROM H_CID "CSeq: 1OPTIONS" CRLF CRLF,
		 -EBADMSG, 400, "Bad CSeq"},
		{OPT H_VIA H_TO H_FROM H_CID "CSeq: 1" CRLF CRLF, -EBADMSG, 400,
		 "Bad CSeq"},
		{OPT H_VIA H_TO H_FROM H_CID "CSeq: OPTIONS" CRLF CRLF,
		 -EBADMSG, 400, "Bad CSeq"},
		{OPT H_VIA H_TO H_FROM H_CID "CSeq: 1 OPTIONS x" CRLF CRLF,
		 -EBADMSG, 400, "Bad CSeq"},
		{OPT H_VIA H_TO H_FROM H_CID "CSeq: 8 INVITE" CRLF CRLF,
		 -EBADMSG, 400, "CSeq Method Mismatch"},
		{OPT H_VIA H_TO H_FROM H_CID "CSeq: 8 options" CRLF CRLF,
		 -EBADMSG, 400, "CSeq Method Mismatch"},
		{OPT H_VIA H_TO H_FROM "Call-ID:" CRLF H_CSEQ CRLF, -EBADMSG,
		 400, "Bad Call-ID"},
		{OPT H_VIA H_TO H_FROM "Call-ID: a b" CRLF H_CSEQ CRLF,
		 -EBADMSG, 400, "Bad Call-ID"},
		{OPT H_VIA H_TO H_FROM "Call-ID: a@b@c" CRLF H_CSEQ CRLF,
		 -EBADMSG, 400, "Bad Call-ID"},
		{OPT H_VIA H_TO H_FROM "Call-ID: @b" CRLF H_CSEQ CRLF,
		 -EBADMSG, 400, "Bad Call-ID"},
		{OPT H_VIA "To: \"Mr. J. User <sip:j@h>" CRLF H_FROM H_CID
			 H_CSEQ CRLF,
		 -EBADMSG, 400, "Bad To"},
		{OPT H_VIA H_TO "From: <sip:a@h>;tag" CRLF H_CID H_CSEQ CRLF,
		 -EBADMSG, 400, "Bad From"},
		{OPT H_VIA H_TO "From:" CRLF H_CID H_CSEQ CRLF, -EBADMSG, 400,
		 "Bad From"},
		{OPT "Via: SIP/2.0/UDP 192.0.2.15;;,;,," CRLF H_TO H_FROM H_CID
			 H_CSEQ CRLF,
		 -EBADMSG, 400, "Bad Via"},
		{OPT "Via: SIP/2.0/UDP" CRLF H_TO H_FROM H_CID H_CSEQ CRLF,
		 -EBADMSG, 400, "Bad Via"},
		{OPT "Via: SIP/2.0 h" CRLF H_TO H_FROM H_CID H_CSEQ CRLF,
		 -EBADMSG, 400, "Bad Via"},
		{OPT "Via: SIP/2.0/UDP h x" CRLF H_TO H_FROM H_CID H_CSEQ CRLF,
		 -EBADMSG, 400, "Bad Via"},
		{OPT "Via: SIP/2.0/UDP h;branch" CRLF H_TO H_FROM H_CID H_CSEQ
			 CRLF,
		 -EBADMSG, 400, "Bad Via"},
		{OPT "Via: SIP/2.0/UDP h;rport=70000" CRLF H_TO H_FROM H_CID
			 H_CSEQ CRLF,
		 -EBADMSG, 400, "Bad Via"},
		{OPT "Via: SIP/2.0/UDP h:5060 : 5061" CRLF H_TO H_FROM H_CID
			 H_CSEQ CRLF,
		 -EBADMSG, 400, "Bad Via"},
		{OPT "Via:" CRLF H_TO H_FROM H_CID H_CSEQ CRLF, -EBADMSG, 400,
		 "Bad Via"},
		{OPT ALL "Route: sip:x@h," CRLF CRLF, -EBADMSG, 400,
		 "Bad Route"},
		{OPT ALL "Route:" CRLF CRLF, -EBADMSG, 400, "Bad Route"},
		{OPT ALL "Bad Name: x" CRLF CRLF, -EBADMSG, 400,
		 "Bad Header Field"},
		{OPT ALL ": x" CRLF CRLF, -EBADMSG, 400, "Bad Header Field"},
		{OPT " Leading: ws" CRLF ALL CRLF, -EBADMSG, 400,
		 "Bad Header Field"},
		{OPT ALL "NoColon" CRLF CRLF, -EBADMSG, 400,
		 "Bad Header Field"},
		{OPT ALL "X: y\rz" CRLF "\r" CRLF, -EBADMSG, 400,
		 "Bad Header Field"},
		{OPT ALL, -EBADMSG, 400, "Missing Empty Line"},
		{OPT ALL "X: unterminated", -EBADMSG, 400,
		 "Missing Empty Line"},
		{"OPTIONS sip:u@h SIP/2.0", -EBADMSG, 400,
		 "Missing Empty Line"},
		{"OPTIONS sip:u@h SIP/7.0" CRLF ALL CRLF, -EBADMSG, 505,
		 "Version Not Supported"},
		{"OPTIONS sip:u@h SIP/2.00" CRLF ALL CRLF, -EBADMSG, 505,
		 "Version Not Supported"},
		{"OPTIONS sip:u@h SIP/2.0 " CRLF ALL CRLF, -EBADMSG, 400,
		 "Bad SIP-Version"},
		{"OPTIONS sip:u@h SIP/2" CRLF ALL CRLF, -EBADMSG, 400,
		 "Bad SIP-Version"},
		{"OPTIONS sip:u@h SIP/.0" CRLF ALL CRLF, -EBADMSG, 400,
		 "Bad SIP-Version"},
		{"OPTIONS sip:u@h HTTP/1.1" CRLF ALL CRLF, -EBADMSG, 0,
		 "Not SIP"},
		{"OPTIONS sip:u@h; lr SIP/2.0" CRLF ALL CRLF, -EBADMSG, 400,
		 "Bad SIP-Version"},
		{"OPTIONS  sip:u@h SIP/2.0" CRLF ALL CRLF, -EBADMSG, 400,
		 "Bad Request-Line"},
		{"OPTIONS sip:u@h" CRLF ALL CRLF, -EBADMSG, 0, "Not SIP"},
		{"OPTIONS sip:u@h" CRLF ALL "X: SIP/2.0" CRLF CRLF, -EBADMSG, 0,
		 "Not SIP"},
		{"OPTIONS\tsip:u@h SIP/2.0" CRLF ALL CRLF, -EBADMSG, 400,
		 "Bad Request-Line"},
		{"OPT:ONS sip:u@h SIP/2.0" CRLF ALL CRLF, -EBADMSG, 400,
		 "Bad Request-Line"},
		{"GET / HTTP/1.1" CRLF "Host: x" CRLF CRLF, -EBADMSG, 0,
		 "Not SIP"},
		{"\x16\x03\x01\x02\x00\x01" CRLF CRLF, -EBADMSG, 0,
		 "Not SIP"},
		{"OPTIONS <sip:u@h> SIP/2.0" CRLF ALL CRLF, -EBADMSG, 400,
		 "Bad Request-URI"},
		{"OPTIONS nocolon SIP/2.0" CRLF ALL CRLF, -EBADMSG, 400,
		 "Bad Request-URI"},
		{"\r\n\r\n", -EBADMSG, 0, "Empty Message"},
		{"", -EBADMSG, 0, "Empty Message"},
#undef H_VIA
#undef H_TO
#undef H_FROM
#undef H_CID
#undef H_CSEQ
#undef OPT
#undef ALL
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		struct sx_sip_msg *m = NULL;
		struct sx_sip_perr pe = {999, NULL};
		int rc = parse(t[i].msg, &m, &pe);
		if (rc == -ENOMEM && ut_oom_mode())
			return -ENOMEM;
		if (rc != t[i].rc || pe.status != t[i].status ||
		    !pe.reason || strcmp(pe.reason, t[i].reason)) {
			sx_sip_msg_free(m);
			return ut__fail(__FILE__, __LINE__,
					"case %zu: got %d %u \"%s\", want %d %u "
					"\"%s\" for:\n%s",
					i, rc, pe.status,
					pe.reason ? pe.reason : "(null)",
					t[i].rc, t[i].status, t[i].reason,
					t[i].msg);
		}
	}
	return err;
}

/* Defective responses are never answered: status 0. */
static int test_parse_response_errors(void)
{
	int err = 0;
#define RH "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF "To: <sip:u@h>" CRLF    \
	   "From: <sip:a@h>;tag=1" CRLF "Call-ID: x" CRLF
	static const char *const t[] = {
		"SIP/2.0 4294967301 better not break" CRLF RH
		"CSeq: 1 INVITE" CRLF CRLF,
		"SIP/2.0 099 Low" CRLF RH "CSeq: 1 INVITE" CRLF CRLF,
		"SIP/2.0 700 High" CRLF RH "CSeq: 1 INVITE" CRLF CRLF,
		"SIP/2.0 20 OK" CRLF RH "CSeq: 1 INVITE" CRLF CRLF,
		"SIP/2.0 2x0 OK" CRLF RH "CSeq: 1 INVITE" CRLF CRLF,
		"SIP/2.0 200OK" CRLF RH "CSeq: 1 INVITE" CRLF CRLF,
		"SIP/2.0" CRLF RH "CSeq: 1 INVITE" CRLF CRLF,
		"SIP/3.0 200 OK" CRLF RH "CSeq: 1 INVITE" CRLF CRLF,
		"SIP/2.0 503 Service Unavailable" CRLF RH
		"CSeq: 9292394834772304023312 OPTIONS" CRLF CRLF,
		"SIP/2.0 200 OK" CRLF RH CRLF,
		"SIP/2.0 200 OK" CRLF RH "CSeq: 1 INVITE" CRLF
		"Content-Length: 10" CRLF CRLF "short",
		"SIP/2.0 200 OK" CRLF RH "CSeq: 1 INVITE" CRLF RH CRLF,
	};
#undef RH
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++)
		UT_PERR(t[i], -EBADMSG, 0);
out:
	return err;
}

/* Status codes at the edges of 100..699 are accepted. */
static int test_parse_status_range(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char *const t[] = {"100", "699", "200", "487"};
	char buf[512];

	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		snprintf(buf, sizeof(buf),
			 "SIP/2.0 %s X" CRLF
			 "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
			 "To: <sip:u@h>;tag=2" CRLF "From: <sip:a@h>;tag=1" CRLF
			 "Call-ID: x" CRLF "CSeq: 1 INVITE" CRLF CRLF,
			 t[i]);
		UT_OK(parse(buf, &m, NULL));
		UT_EQ(atoi(t[i]), m->status);
		sx_sip_msg_free(m);
		m = NULL;
	}
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_scalars(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	static const char s[] =
		"OPTIONS sip:u@h SIP/2.0" CRLF
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
		"To: <sip:u@h>" CRLF "From: <sip:a@h>;tag=1" CRLF
		"Call-ID: x" CRLF "CSeq: 4294967295 OPTIONS" CRLF
		"Max-Forwards: 0255" CRLF "Content-Length: 0000" CRLF CRLF;

	UT_OK(parse(s, &m, NULL));
	UT_EQ(4294967295u, m->cseq);
	UT_EQ(255, m->max_forwards);
	UT_EQ(0, m->content_length);
	sx_sip_msg_free(m);
	m = NULL;
	static const char z[] =
		"OPTIONS sip:u@h SIP/2.0" CRLF
		"Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF
		"To: <sip:u@h>" CRLF "From: <sip:a@h>;tag=1" CRLF
		"Call-ID: x" CRLF "CSeq: 0 OPTIONS" CRLF
		"Max-Forwards: 0" CRLF CRLF;
	UT_OK(parse(z, &m, NULL));
	UT_EQ(0, m->cseq);
	UT_EQ(0, m->max_forwards);
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_content_length(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	struct sx_sip_perr pe = {0};
	struct sx_sip_parse_prm stream = {.stream = true};
#define REQ                                                                    \
	"MESSAGE sip:u@h SIP/2.0" CRLF                                         \
	"Via: SIP/2.0/TCP h;branch=z9hG4bK1" CRLF "To: <sip:u@h>" CRLF         \
	"From: <sip:a@h>;tag=1" CRLF "Call-ID: x" CRLF                         \
	"CSeq: 1 MESSAGE" CRLF
	static const char nocl[] = REQ CRLF "body\r\n";
	static const char trailing[] = REQ "l: 2" CRLF CRLF "body\r\n";

	/* UDP without Content-Length: the body is the rest (18.3) */
	UT_OK(parse(nocl, &m, NULL));
	UT_SL_EQ("body\r\n", m->body);
	UT_TRUE(!m->has_content_length);
	sx_sip_msg_free(m);
	m = NULL;
	/* a stream requires it */
	int rc = sx_sip_msg_parse(&m, nocl, strlen(nocl), &stream, &pe);
	if (rc == -ENOMEM && ut_oom_mode()) {
		err = rc;
		goto out;
	}
	UT_EQ(-EBADMSG, rc);
	UT_EQ(400, pe.status);
	UT_STR_EQ("Missing Content-Length", pe.reason);
	/* bytes after Content-Length are not part of the message */
	UT_OK(parse(trailing, &m, NULL));
	UT_SL_EQ("bo", m->body);
	UT_EQ(strlen(trailing) - 4, m->wire.len);
	sx_sip_msg_free(m);
	m = NULL;
	UT_OK(sx_sip_msg_parse(&m, trailing, strlen(trailing), &stream, NULL));
	UT_SL_EQ("bo", m->body);
#undef REQ
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_parse_owner(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	char *buf = sx_mem_alloc(sizeof(invite), NULL);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, invite, sizeof(invite));
	struct sx_sip_parse_prm prm = {.owner = buf};

	UT_OK(sx_sip_msg_parse(&m, buf, sizeof(invite) - 1, &prm, NULL));
	UT_TRUE(m->owner == buf);
	UT_EQ(2, sx_mem_nrefs(buf));
	sx_sip_msg_free(m);
	m = NULL;
	UT_EQ(1, sx_mem_nrefs(buf));
	void *p = sx_sip_msg_alloc(NULL, 8);
	UT_TRUE(p == NULL);
out:
	sx_sip_msg_free(m);
	sx_mem_unref(buf);
	return err;
}

static int test_parse_args(void)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;

	UT_EQ(-EINVAL, sx_sip_msg_parse(NULL, invite, 10, NULL, NULL));
	UT_EQ(-EINVAL, sx_sip_msg_parse(&m, NULL, 10, NULL, NULL));
	UT_TRUE(sx_sip_msg_hdr(NULL, SX_SIP_HDR_VIA) == NULL);
	UT_TRUE(sx_sip_msg_hdr_by_name(NULL, SX_SL("Via")) == NULL);
	sx_sip_msg_free(NULL);
	/* lazy parsers allocate from the message arena */
	UT_OK(parse(invite, &m, NULL));
	char *p = sx_sip_msg_alloc(m, 100000);
	if (!p) {
		err = -ENOMEM;
		goto out;
	}
	memset(p, 0x5a, 100000);
	UT_TRUE(sx_sip_msg_alloc(m, SX_SIP_MAX_ARENA) == NULL);
out:
	sx_sip_msg_free(m);
	return err;
}

/* -- limits -------------------------------------------------------------- */

/* Request with @n extra lines made by @line(i) appended to @buf. */
static size_t build(char *buf, size_t cap, const char *top, size_t n,
		    void (*line)(char *, size_t, size_t), const char *tail)
{
	size_t len = (size_t)snprintf(buf, cap, "%s", top);
	for (size_t i = 0; i < n && len < cap; i++) {
		line(buf + len, cap - len, i);
		len += strlen(buf + len);
	}
	len += (size_t)snprintf(buf + len, cap - len, "%s", tail);
	return len;
}

#define LTOP "OPTIONS sip:u@h SIP/2.0" CRLF
#define LBASE                                                                  \
	"To: <sip:u@h>" CRLF "From: <sip:a@h>;tag=1" CRLF "Call-ID: x" CRLF    \
	"CSeq: 1 OPTIONS" CRLF
#define LVIA "Via: SIP/2.0/UDP h;branch=z9hG4bK1" CRLF

static void x_line(char *p, size_t cap, size_t i)
{
	snprintf(p, cap, "X-%zu: y" CRLF, i);
}

static void via_line(char *p, size_t cap, size_t i)
{
	snprintf(p, cap, "Via: SIP/2.0/UDP h%zu;branch=z9hG4bK%zu" CRLF, i, i);
}

static void route_line(char *p, size_t cap, size_t i)
{
	snprintf(p, cap, "Route: <sip:p%zu;lr>" CRLF, i);
}

static char big[2 * SX_SIP_MAX_MSG_SIZE];

static int expect_limit(size_t len, int ok, uint16_t status, const char *why)
{
	int err = 0;
	struct sx_sip_msg *m = NULL;
	struct sx_sip_perr pe = {0};
	int rc = sx_sip_msg_parse(&m, big, len, NULL, &pe);

	if (rc == -ENOMEM && ut_oom_mode())
		return rc;
	if (ok) {
		UT_OK(rc);
	} else {
		UT_EQ(-E2BIG, rc);
		UT_EQ(status, pe.status);
		UT_STR_EQ(why, pe.reason);
	}
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_limit_headers(void)
{
	int err = 0;
	/* 5 base fields + Via; the rest fills up to the limit */
	size_t n = SX_SIP_MAX_HEADERS - 5;
	size_t len = build(big, sizeof(big), LTOP LVIA LBASE, n, x_line, CRLF);

	UT_OK(expect_limit(len, 1, 0, NULL));
	len = build(big, sizeof(big), LTOP LVIA LBASE, n + 1, x_line, CRLF);
	UT_OK(expect_limit(len, 0, 400, "Too Many Header Fields"));
out:
	return err;
}

static int test_limit_line(void)
{
	int err = 0;
	char val[SX_SIP_MAX_LINE_LEN + 1];
	size_t hdr = strlen("X: ") + 2; /* name, colon, SP, CRLF */

	memset(val, 'a', sizeof(val));
	val[SX_SIP_MAX_LINE_LEN - hdr] = '\0';
	int len = snprintf(big, sizeof(big), LTOP LVIA LBASE "X: %s" CRLF CRLF,
			   val);
	UT_OK(expect_limit((size_t)len, 1, 0, NULL));
	val[SX_SIP_MAX_LINE_LEN - hdr] = 'a';
	val[SX_SIP_MAX_LINE_LEN - hdr + 1] = '\0';
	len = snprintf(big, sizeof(big), LTOP LVIA LBASE "X: %s" CRLF CRLF,
		       val);
	UT_OK(expect_limit((size_t)len, 0, 400, "Header Field Too Long"));
	/* the start line has the same limit (without its line break) */
	memset(val, 'a', sizeof(val));
	hdr = strlen("OPTIONS sip:@h SIP/2.0");
	val[SX_SIP_MAX_LINE_LEN - hdr + 1] = '\0';
	len = snprintf(big, sizeof(big),
		       "OPTIONS sip:%s@h SIP/2.0" CRLF LVIA LBASE CRLF, val);
	UT_OK(expect_limit((size_t)len, 0, 400, "Start Line Too Long"));
out:
	return err;
}

static int test_limit_via(void)
{
	int err = 0;
	size_t len = build(big, sizeof(big), LTOP LBASE, SX_SIP_MAX_VIA,
			   via_line, CRLF);
	struct sx_sip_msg *m = NULL;

	UT_OK(sx_sip_msg_parse(&m, big, len, NULL, NULL));
	UT_EQ(SX_SIP_MAX_VIA, m->nvias);
	UT_SL_EQ("h63", m->vias[63].sent_by.host);
	UT_SL_EQ("z9hG4bK0", m->vias[0].branch);
	sx_sip_msg_free(m);
	m = NULL;
	len = build(big, sizeof(big), LTOP LBASE, SX_SIP_MAX_VIA + 1, via_line,
		    CRLF);
	UT_OK(expect_limit(len, 0, 400, "Too Many Via Values"));
	/* the same limit when the values share one field */
	len = (size_t)snprintf(big, sizeof(big), LTOP LBASE "Via: ");
	for (int i = 0; i <= SX_SIP_MAX_VIA; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len,
					"%sSIP/2.0/UDP h%d", i ? ", " : "", i);
	len += (size_t)snprintf(big + len, sizeof(big) - len, CRLF CRLF);
	UT_OK(expect_limit(len, 0, 400, "Too Many Via Values"));
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_limit_route(void)
{
	int err = 0;
	size_t len = build(big, sizeof(big), LTOP LVIA LBASE, SX_SIP_MAX_ROUTE,
			   route_line, CRLF);
	struct sx_sip_msg *m = NULL;

	UT_OK(sx_sip_msg_parse(&m, big, len, NULL, NULL));
	UT_EQ(SX_SIP_MAX_ROUTE, m->nroutes);
	sx_sip_msg_free(m);
	m = NULL;
	len = build(big, sizeof(big), LTOP LVIA LBASE, SX_SIP_MAX_ROUTE + 1,
		    route_line, CRLF);
	UT_OK(expect_limit(len, 0, 400, "Too Many Route Values"));
out:
	sx_sip_msg_free(m);
	return err;
}

static int test_limit_size(void)
{
	int err = 0;
	size_t len = (size_t)snprintf(big, sizeof(big), LTOP LVIA LBASE CRLF);
	size_t body = SX_SIP_MAX_MSG_SIZE - len;

	memset(big + len, 'b', body + 1);
	UT_OK(expect_limit(SX_SIP_MAX_MSG_SIZE, 1, 0, NULL));
	UT_OK(expect_limit(SX_SIP_MAX_MSG_SIZE + 1, 0, 513,
			   "Message Too Large"));
out:
	return err;
}

/* -- lookups ------------------------------------------------------------- */

static int test_hdr_lookup(void)
{
	int err = 0;

	for (int id = 1; id < SX_SIP_HDR__COUNT; id++) {
		const char *name = sx_sip_hdr_name((enum sx_sip_hdr_id)id);
		UT_TRUE(name != NULL);
		UT_EQ(id, sx_sip_hdr_lookup(sx_sl_cstr(name)));
		char up[64];
		size_t n = strlen(name);
		for (size_t i = 0; i < n; i++)
			up[i] = (char)(name[i] ^ (((name[i] | 0x20) >= 'a' &&
						   (name[i] | 0x20) <= 'z')
							  ? 0x20
							  : 0));
		UT_EQ(id, sx_sip_hdr_lookup(sx_sl_make(up, n)));
		/* a prefix or an extension is another header */
		UT_TRUE((int)sx_sip_hdr_lookup(sx_sl_make(name, n - 1)) != id ||
			n <= 2);
	}
	static const struct {
		const char *c;
		enum sx_sip_hdr_id id;
	} compact[] = {
		{"i", SX_SIP_HDR_CALL_ID},	    {"m", SX_SIP_HDR_CONTACT},
		{"e", SX_SIP_HDR_CONTENT_ENCODING}, {"l", SX_SIP_HDR_CONTENT_LENGTH},
		{"c", SX_SIP_HDR_CONTENT_TYPE},	    {"f", SX_SIP_HDR_FROM},
		{"s", SX_SIP_HDR_SUBJECT},	    {"k", SX_SIP_HDR_SUPPORTED},
		{"t", SX_SIP_HDR_TO},		    {"v", SX_SIP_HDR_VIA},
		{"o", SX_SIP_HDR_EVENT},	    {"u", SX_SIP_HDR_ALLOW_EVENTS},
		{"r", SX_SIP_HDR_REFER_TO},	    {"b", SX_SIP_HDR_REFERRED_BY},
		{"x", SX_SIP_HDR_SESSION_EXPIRES},  {"V", SX_SIP_HDR_VIA},
		{"L", SX_SIP_HDR_CONTENT_LENGTH},   {"a", SX_SIP_HDR_OTHER},
		{"call-id", SX_SIP_HDR_CALL_ID},    {"CSEQ", SX_SIP_HDR_CSEQ},
		{"Vias", SX_SIP_HDR_OTHER},	    {"C%6Fntact", SX_SIP_HDR_OTHER},
		{"", SX_SIP_HDR_OTHER},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(compact); i++)
		UT_EQ(compact[i].id, sx_sip_hdr_lookup(sx_sl_cstr(compact[i].c)));
	UT_TRUE(sx_sip_hdr_name(SX_SIP_HDR_OTHER) == NULL);
	UT_TRUE(sx_sip_hdr_name(SX_SIP_HDR__COUNT) == NULL);
	UT_STR_EQ("Call-ID", sx_sip_hdr_name(SX_SIP_HDR_CALL_ID));
	UT_STR_EQ("WWW-Authenticate",
		  sx_sip_hdr_name(SX_SIP_HDR_WWW_AUTHENTICATE));
out:
	return err;
}

static int test_method_lookup(void)
{
	int err = 0;

	for (int m = SX_SIP_METHOD_INVITE; m <= SX_SIP_METHOD_UPDATE; m++) {
		const char *name = sx_sip_method_name((enum sx_sip_method)m);
		UT_TRUE(name != NULL);
		UT_EQ(m, sx_sip_method_lookup(sx_sl_cstr(name)));
	}
	UT_EQ(SX_SIP_METHOD_OTHER, sx_sip_method_lookup(SX_SL("invite")));
	UT_EQ(SX_SIP_METHOD_OTHER, sx_sip_method_lookup(SX_SL("INVITEX")));
	UT_EQ(SX_SIP_METHOD_OTHER, sx_sip_method_lookup(SX_SL("ABC")));
	UT_EQ(SX_SIP_METHOD_OTHER, sx_sip_method_lookup(SX_SL("")));
	UT_EQ(SX_SIP_METHOD_OTHER, sx_sip_method_lookup(SX_SL("RE%47IST%45R")));
	UT_TRUE(sx_sip_method_name(SX_SIP_METHOD_OTHER) == NULL);
	UT_TRUE(sx_sip_method_name((enum sx_sip_method)99) == NULL);
out:
	return err;
}

/* -- hostile input ------------------------------------------------------- */

/* Every prefix of a message, placed against a guard page: no over-read,
 * a clean accept or reject.  OOM mode re-runs the whole case once per
 * allocation, so it samples prefixes. */
static int sweep(const char *s, size_t len)
{
	int err = 0;
	size_t step = ut_oom_mode() ? 31 : 1;

	for (size_t n = 0; n <= len; n += step) {
		char *g = ut_guard_copy(s, n);
		UT_TRUE(g != NULL);
		struct sx_sip_msg *m = NULL;
		struct sx_sip_perr pe = {0};
		int rc = sx_sip_msg_parse(&m, g, n, NULL, &pe);
		sx_sip_msg_free(m);
		ut_guard_free(g, n);
		if (rc == -ENOMEM && ut_oom_mode())
			return rc;
		UT_TRUE(rc == 0 || rc == -EBADMSG);
		UT_TRUE(rc == 0 || pe.reason != NULL);
	}
out:
	return err;
}

static int test_guard_sweep(void)
{
	int err = 0;
	static const char lf[] =
		"INVITE sip:u@[2001:db8::1]:5060 SIP/2.0\n"
		"v: SIP / 2.0 / UDP [::1]:5 ;branch=z9hG4bK1;rport\n"
		"t: \"x\" <sip:u@h>\n f: <sip:a@h>;tag=1\n"
		"i: q\nCSeq: 1\n INVITE\nl: 1\n\nx";

	UT_OK(sweep(invite, strlen(invite)));
	UT_OK(sweep(lf, strlen(lf)));
out:
	return err;
}

/* Random byte flips over a valid message: never a crash or a leak. */
static int test_mutations(void)
{
	int err = 0;
	char buf[sizeof(invite)];
	unsigned seed = 12345;
	static const char pool[] = "\r\n :;,<>\"@/\t\\=0";

	for (int round = 0; round < (ut_oom_mode() ? 20 : 3000); round++) {
		memcpy(buf, invite, sizeof(invite));
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % (sizeof(invite) - 1);
			seed = seed * 1103515245u + 12345u;
			buf[at] = (seed & 1) ? pool[(seed >> 9) % (sizeof(pool) - 1)]
					     : (char)(seed >> 16);
		}
		struct sx_sip_msg *m = NULL;
		struct sx_sip_perr pe = {0};
		int rc = sx_sip_msg_parse(&m, buf, sizeof(invite) - 1, NULL,
					  &pe);
		sx_sip_msg_free(m);
		if (rc == -ENOMEM && ut_oom_mode())
			return rc;
		UT_TRUE(rc == 0 || rc == -EBADMSG || rc == -E2BIG);
	}
out:
	return err;
}

UT_MAIN(UT_C(test_parse_invite), UT_C(test_parse_response),
	UT_C(test_parse_empty_reason), UT_C(test_parse_folding),
	UT_C(test_parse_compact), UT_C(test_parse_lf_only),
	UT_C(test_parse_leading_crlf), UT_C(test_parse_unknown),
	UT_C(test_parse_via_list), UT_C(test_parse_routes),
	UT_C(test_parse_errors), UT_C(test_parse_response_errors),
	UT_C(test_parse_status_range), UT_C(test_parse_scalars),
	UT_C(test_parse_content_length), UT_C(test_parse_owner),
	UT_C(test_parse_args), UT_C(test_limit_headers),
	UT_C(test_limit_line), UT_C(test_limit_via), UT_C(test_limit_route),
	UT_C(test_limit_size), UT_C(test_hdr_lookup),
	UT_C(test_method_lookup), UT_C(test_guard_sweep),
	UT_C(test_mutations))
