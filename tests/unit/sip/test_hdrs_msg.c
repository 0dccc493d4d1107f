/*
 * Unit tests for the message-level convenience layer of sx/sip/hdrs.h:
 * fields found with sx_sip_msg_hdr*() and parsed lazily, including
 * several fields of one header (RFC 3261 7.3.1) and RFC 4475 messages
 * (mpart01, baddate, regaut01).
 */
#include <errno.h>
#include <stdlib.h>

#include <sx/sip/hdrs.h>

#include "ut.h"

#define RFC4475_DIR SX_SHARED_DIR "/testdata/rfc4475/"

static const char reg_msg[] =
	"REGISTER sip:registrar.example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bKnashds7\r\n"
	"Max-Forwards: 70\r\n"
	"From: Bob <sip:bob@example.com>;tag=456248\r\n"
	"To: Bob <sip:bob@example.com>\r\n"
	"Call-ID: 843817637684230@998sdasdh09\r\n"
	"CSeq: 1826 REGISTER\r\n"
	"Contact: <sip:bob@192.0.2.4>;q=0.5, \"B\" <sip:bob@h2>\r\n"
	"Supported: path\r\n"
	"Contact: <sip:bob@h3>;expires=60\r\n"
	"Expires: 7200\r\n"
	"Path: <sip:p1.example.com;lr>\r\n"
	"Path: <sip:p2.example.com;lr>,<sip:p3.example.com;lr>\r\n"
	"Supported: gruu, outbound\r\n"
	"Proxy-Authorization: Digest username=\"bob\", realm=\"other\", "
	"nonce=\"1\", uri=\"sip:r\", response=\"x\"\r\n"
	"Proxy-Authorization: Digest username=\"bob\", realm=\"example.com\", "
	"nonce=\"2\", uri=\"sip:r\", response=\"y\"\r\n"
	"Event: reg\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

static int parse(struct sx_sip_msg **msgp, const char *p, size_t len)
{
	struct sx_sip_parse_prm prm = {0};
	return sx_sip_msg_parse(msgp, p, len, &prm, NULL);
}

static int test_msg_contacts(void)
{
	int err = 0;
	struct sx_sip_msg *msg = NULL;
	struct sx_sip_msg_iter it;
	struct sx_sip_contact c;
	struct sx_sip_addr a;

	UT_OK(parse(&msg, reg_msg, sizeof(reg_msg) - 1));
	sx_sip_msg_contact_iter_init(&it, msg);
	UT_EQ(1, sx_sip_msg_contact_next(&it, &c));
	UT_SL_EQ("192.0.2.4", c.addr.uri.host);
	UT_EQ(500, c.q);
	UT_EQ(1, sx_sip_msg_contact_next(&it, &c));
	UT_SL_EQ("h2", c.addr.uri.host);
	UT_EQ(1, sx_sip_msg_contact_next(&it, &c));
	UT_SL_EQ("h3", c.addr.uri.host);
	UT_EQ(60, c.expires);
	UT_EQ(0, sx_sip_msg_contact_next(&it, &c));
	UT_EQ(0, sx_sip_msg_contact_next(&it, &c));

	sx_sip_msg_iter_init(&it, msg, SX_SIP_HDR_PATH);
	UT_EQ(1, sx_sip_msg_addr_next(&it, &a));
	UT_SL_EQ("p1.example.com", a.uri.host);
	UT_EQ(1, sx_sip_msg_addr_next(&it, &a));
	UT_SL_EQ("p2.example.com", a.uri.host);
	UT_EQ(1, sx_sip_msg_addr_next(&it, &a));
	UT_SL_EQ("p3.example.com", a.uri.host);
	UT_EQ(0, sx_sip_msg_addr_next(&it, &a));

	sx_sip_msg_iter_init(&it, msg, SX_SIP_HDR_RECORD_ROUTE);
	UT_EQ(0, sx_sip_msg_addr_next(&it, &a));
out:
	sx_sip_msg_free(msg);
	return err;
}

static int test_msg_fields(void)
{
	int err = 0;
	struct sx_sip_msg *msg = NULL;
	struct sx_sip_credentials cr;
	struct sx_sip_event e;
	struct sx_sip_mtype m;
	uint32_t v = 0;

	UT_OK(parse(&msg, reg_msg, sizeof(reg_msg) - 1));
	UT_OK(sx_sip_msg_expires(msg, &v));
	UT_EQ(7200, v);
	UT_EQ(-ENOENT, sx_sip_msg_min_expires(msg, &v));
	UT_EQ(1, sx_sip_msg_has_token(msg, SX_SIP_HDR_SUPPORTED,
				      SX_SL("outbound")));
	UT_EQ(1, sx_sip_msg_has_token(msg, SX_SIP_HDR_SUPPORTED,
				      SX_SL("PATH")));
	UT_EQ(0, sx_sip_msg_has_token(msg, SX_SIP_HDR_SUPPORTED,
				      SX_SL("100rel")));
	UT_EQ(0, sx_sip_msg_has_token(msg, SX_SIP_HDR_REQUIRE,
				      SX_SL("path")));
	UT_OK(sx_sip_msg_credentials(msg, SX_SIP_HDR_PROXY_AUTHORIZATION,
				     SX_SL("example.com"), &cr));
	UT_SL_EQ("2", cr.nonce);
	UT_OK(sx_sip_msg_credentials(msg, SX_SIP_HDR_PROXY_AUTHORIZATION,
				     SX_SL_NULL, &cr));
	UT_SL_EQ("1", cr.nonce);
	UT_EQ(-ENOENT,
	      sx_sip_msg_credentials(msg, SX_SIP_HDR_PROXY_AUTHORIZATION,
				     SX_SL("nowhere"), &cr));
	UT_EQ(-ENOENT, sx_sip_msg_credentials(msg, SX_SIP_HDR_AUTHORIZATION,
					      SX_SL_NULL, &cr));
	UT_OK(sx_sip_msg_event(msg, &e));
	UT_SL_EQ("reg", e.package);
	UT_EQ(-ENOENT, sx_sip_msg_content_type(msg, &m));
out:
	sx_sip_msg_free(msg);
	return err;
}

static int test_rfc4475_mpart01(void)
{
	int err = 0;
	size_t len = 0;
	char *raw = ut_read_file(RFC4475_DIR "mpart01.sip", &len);
	struct sx_sip_msg *msg = NULL;
	struct sx_sip_multipart_iter it;
	struct sx_sip_part part;
	struct sx_sl v;

	UT_TRUE(raw != NULL);
	UT_OK(parse(&msg, raw, len));
	UT_OK(sx_sip_msg_multipart_init(&it, msg));
	UT_EQ(1, sx_sip_multipart_next(&it, &part));
	UT_OK(sx_sip_part_hdr_find(&part, "Content-Type", &v));
	UT_SL_EQ("text/plain", v);
	UT_SL_EQ("Hello", part.body);
	UT_EQ(1, sx_sip_multipart_next(&it, &part));
	UT_OK(sx_sip_part_hdr_find(&part, "Content-Type", &v));
	UT_SL_EQ("application/octet-stream", v);
	UT_TRUE(part.body.len > 100);
	UT_TRUE(memchr(part.body.p, '\0', part.body.len) != NULL);
	UT_EQ(0, sx_sip_multipart_next(&it, &part));
out:
	sx_sip_msg_free(msg);
	free(raw);
	return err;
}

static int test_rfc4475_baddate_regaut01(void)
{
	int err = 0;
	size_t len = 0;
	char *raw = ut_read_file(RFC4475_DIR "baddate.sip", &len);
	struct sx_sip_msg *msg = NULL;
	struct sx_sip_credentials cr;
	struct sx_sip_multipart_iter it;
	const struct sx_sip_hdr *h;
	time_t t;

	UT_TRUE(raw != NULL);
	UT_OK(parse(&msg, raw, len));
	h = sx_sip_msg_hdr(msg, SX_SIP_HDR_DATE);
	UT_TRUE(h != NULL);
	UT_EQ(-EBADMSG, sx_sip_date_parse(h->value, &t));
	/* application/sdp is not multipart */
	UT_EQ(-ENOENT, sx_sip_msg_multipart_init(&it, msg));
	sx_sip_msg_free(msg);
	msg = NULL;
	free(raw);

	raw = ut_read_file(RFC4475_DIR "regaut01.sip", &len);
	UT_TRUE(raw != NULL);
	UT_OK(parse(&msg, raw, len));
	h = sx_sip_msg_hdr(msg, SX_SIP_HDR_AUTHORIZATION);
	UT_TRUE(h != NULL);
	UT_OK(sx_sip_credentials_parse(&cr, h->value));
	UT_EQ(SX_SIP_AUTH_OTHER, cr.scheme);
	UT_EQ(-ENOENT, sx_sip_msg_credentials(msg, SX_SIP_HDR_AUTHORIZATION,
					      SX_SL_NULL, &cr));
out:
	sx_sip_msg_free(msg);
	free(raw);
	return err;
}

UT_MAIN(UT_C(test_msg_contacts), UT_C(test_msg_fields),
	UT_C(test_rfc4475_mpart01), UT_C(test_rfc4475_baddate_regaut01))
