/*
 * Unit tests for lib/sip/msg/uri.c: SIP/SIPS/tel/other URIs (RFC 3261
 * 19.1, 25.1; RFC 3966), IPv6 references (RFC 5118, RFC 5954), host:port,
 * unescaping and RFC 3261 19.1.4 equality.  Every input is parsed from a
 * copy that ends at a PROT_NONE page, so an over-read faults.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sx/sip/uri.h>

#include "ut.h"

#define NOPORT (-1)

/* Parse @s from a guard-page copy; the copy lives until guard_release. */
struct guarded {
	char *p;
	size_t len;
};

static int parse_guarded(struct guarded *g, const char *s, struct sx_sip_uri *u)
{
	g->len = strlen(s);
	g->p = ut_guard_copy(s, g->len);
	if (!g->p)
		return -ENOMEM;
	return sx_sip_uri_parse(u, sx_sl_make(g->p, g->len));
}

static void guard_release(struct guarded *g)
{
	if (g->p)
		ut_guard_free(g->p, g->len);
	g->p = NULL;
}

static const struct {
	const char *in;
	enum sx_sip_uri_scheme scheme;
	const char *user, *password, *host;
	enum sx_sip_host_type htype;
	int port;
	const char *params, *headers;
} valid[] = {
    {"sip:alice@atlanta.com", SX_SIP_URI_SIP, "alice", "", "atlanta.com",
     SX_SIP_HOST_NAME, NOPORT, "", ""},
    {"SIP:Alice@AtLanTa.CoM", SX_SIP_URI_SIP, "Alice", "", "AtLanTa.CoM",
     SX_SIP_HOST_NAME, NOPORT, "", ""},
    {"sips:bob@biloxi.com:5061", SX_SIP_URI_SIPS, "bob", "", "biloxi.com",
     SX_SIP_HOST_NAME, 5061, "", ""},
    {"sip:alice:secretword@atlanta.com;transport=tcp", SX_SIP_URI_SIP, "alice",
     "secretword", "atlanta.com", SX_SIP_HOST_NAME, NOPORT, "transport=tcp",
     ""},
    {"sips:alice@atlanta.com?subject=project%20x&priority=urgent",
     SX_SIP_URI_SIPS, "alice", "", "atlanta.com", SX_SIP_HOST_NAME, NOPORT, "",
     "subject=project%20x&priority=urgent"},
    {"sip:+1-212-555-1212:1234@gateway.com;user=phone", SX_SIP_URI_SIP,
     "+1-212-555-1212", "1234", "gateway.com", SX_SIP_HOST_NAME, NOPORT,
     "user=phone", ""},
    {"sips:1212@gateway.com", SX_SIP_URI_SIPS, "1212", "", "gateway.com",
     SX_SIP_HOST_NAME, NOPORT, "", ""},
    {"sip:alice@192.0.2.4", SX_SIP_URI_SIP, "alice", "", "192.0.2.4",
     SX_SIP_HOST_IPV4, NOPORT, "", ""},
    {"sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", SX_SIP_URI_SIP,
     "", "", "atlanta.com", SX_SIP_HOST_NAME, NOPORT, "method=REGISTER",
     "to=alice%40atlanta.com"},
    {"sip:alice;day=tuesday@atlanta.com", SX_SIP_URI_SIP, "alice;day=tuesday",
     "", "atlanta.com", SX_SIP_HOST_NAME, NOPORT, "", ""},
    /* RFC 4475 3.1.1.9 semiuri: the user contains ';' */
    {"sip:user;par=u%40example.net@example.com", SX_SIP_URI_SIP,
     "user;par=u%40example.net", "", "example.com", SX_SIP_HOST_NAME, NOPORT,
     "", ""},
    /* RFC 4475 3.1.1.3 esc01 */
    {"sip:sips%3Auser%40example.com@example.net", SX_SIP_URI_SIP,
     "sips%3Auser%40example.com", "", "example.net", SX_SIP_HOST_NAME, NOPORT,
     "", ""},
    {"sip:%75se%72@example.com", SX_SIP_URI_SIP, "%75se%72", "", "example.com",
     SX_SIP_HOST_NAME, NOPORT, "", ""},
    {"sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31",
     SX_SIP_URI_SIP, "cal%6Cer", "", "host5.example.net", SX_SIP_HOST_NAME,
     NOPORT, "%6C%72;n%61me=v%61lue%25%34%31", ""},
    /* RFC 4475 3.1.1.4 escnull */
    {"sip:null-%00-null@example.com", SX_SIP_URI_SIP, "null-%00-null", "",
     "example.com", SX_SIP_HOST_NAME, NOPORT, "", ""},
    /* RFC 4475 3.1.1.2 intmeth: user and password of unusual chars */
    {"sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!"
     "*pas$wo~d_too.(doesn't-it)@example.com",
     SX_SIP_URI_SIP, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*",
     "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", "example.com",
     SX_SIP_HOST_NAME, NOPORT, "", ""},
    /* RFC 4475 3.1.1.1 wsinv and 3.3.14 regescrt */
    {"sip:services.example.com;lr;unknownwith=value;unknown-no-value",
     SX_SIP_URI_SIP, "", "", "services.example.com", SX_SIP_HOST_NAME, NOPORT,
     "lr;unknownwith=value;unknown-no-value", ""},
    {"sip:user@example.com?Route=%3Csip:sip.example.com%3E", SX_SIP_URI_SIP,
     "user", "", "example.com", SX_SIP_HOST_NAME, NOPORT, "",
     "Route=%3Csip:sip.example.com%3E"},
    /* RFC 5118 */
    {"sip:[2001:db8::10]", SX_SIP_URI_SIP, "", "", "[2001:db8::10]",
     SX_SIP_HOST_IPV6, NOPORT, "", ""},
    {"sip:[2001:db8::10]:5070", SX_SIP_URI_SIP, "", "", "[2001:db8::10]",
     SX_SIP_HOST_IPV6, 5070, "", ""},
    {"sip:[2001:db8::10:5070]", SX_SIP_URI_SIP, "", "", "[2001:db8::10:5070]",
     SX_SIP_HOST_IPV6, NOPORT, "", ""},
    {"sip:ted@[::ffff:192.0.2.2]", SX_SIP_URI_SIP, "ted", "",
     "[::ffff:192.0.2.2]", SX_SIP_HOST_IPV6, NOPORT, "", ""},
    {"sip:user@[2001:db8::192.0.2.1];transport=udp", SX_SIP_URI_SIP, "user", "",
     "[2001:db8::192.0.2.1]", SX_SIP_HOST_IPV6, NOPORT, "transport=udp", ""},
    {"sip:[::1]:0", SX_SIP_URI_SIP, "", "", "[::1]", SX_SIP_HOST_IPV6, 0, "",
     ""},
    {"sip:h.example.com.:65535", SX_SIP_URI_SIP, "", "", "h.example.com.",
     SX_SIP_HOST_NAME, 65535, "", ""},
    {"sip:a-b.c0m:00005060", SX_SIP_URI_SIP, "", "", "a-b.c0m",
     SX_SIP_HOST_NAME, 5060, "", ""},
    {"sip:u:@h", SX_SIP_URI_SIP, "u", "", "h", SX_SIP_HOST_NAME, NOPORT, "",
     ""},
    {"sip:@h", SX_SIP_URI_SIP, "", "", "h", SX_SIP_HOST_NAME, NOPORT, "", ""},
    {"sip:h;maddr=[2001:db8::1];x=a/b:c&d+$", SX_SIP_URI_SIP, "", "", "h",
     SX_SIP_HOST_NAME, NOPORT, "maddr=[2001:db8::1];x=a/b:c&d+$", ""},
    {"sip:h?a=&b=[x]/?:+$", SX_SIP_URI_SIP, "", "", "h", SX_SIP_HOST_NAME,
     NOPORT, "", "a=&b=[x]/?:+$"},
    {"sip:1.example.com", SX_SIP_URI_SIP, "", "", "1.example.com",
     SX_SIP_HOST_NAME, NOPORT, "", ""},
    /* RFC 3966 tel URIs: the number is the user */
    {"tel:+1-201-555-0123", SX_SIP_URI_TEL, "+1-201-555-0123", "", "",
     SX_SIP_HOST_NONE, NOPORT, "", ""},
    {"TEL:7042;phone-context=example.com", SX_SIP_URI_TEL, "7042", "", "",
     SX_SIP_HOST_NONE, NOPORT, "phone-context=example.com", ""},
    {"tel:863-1234;phone-context=+1-914-555", SX_SIP_URI_TEL, "863-1234", "",
     "", SX_SIP_HOST_NONE, NOPORT, "phone-context=+1-914-555", ""},
    {"tel:+1(201)555.0123;ext=1234;isub=ab", SX_SIP_URI_TEL, "+1(201)555.0123",
     "", "", SX_SIP_HOST_NONE, NOPORT, "ext=1234;isub=ab", ""},
    {"tel:*31#;phone-context=x.example", SX_SIP_URI_TEL, "*31#", "", "",
     SX_SIP_HOST_NONE, NOPORT, "phone-context=x.example", ""},
};

static int test_uri_valid(void)
{
	int err = 0;
	struct guarded g = {0};
	struct sx_sip_uri u;

	for (size_t i = 0; i < SX_ARRAY_SIZE(valid); i++) {
		int rc = parse_guarded(&g, valid[i].in, &u);
		if (rc)
			err = ut__fail(__FILE__, __LINE__, "%s: %d",
			               valid[i].in, rc);
		UT_OK(rc);
		UT_EQ(valid[i].scheme, u.scheme);
		UT_SL_EQ(valid[i].user, u.user);
		UT_SL_EQ(valid[i].password, u.password);
		UT_SL_EQ(valid[i].host, u.host);
		UT_EQ(valid[i].htype, u.host_type);
		UT_EQ(valid[i].port != NOPORT, u.has_port);
		UT_EQ(valid[i].port == NOPORT ? 0 : valid[i].port, u.port);
		UT_SL_EQ(valid[i].params, u.params);
		UT_SL_EQ(valid[i].headers, u.headers);
		UT_SL_EQ(valid[i].in, u.raw);
		UT_EQ(0, u.opaque.len);
		guard_release(&g);
	}
out:
	guard_release(&g);
	return err;
}

static const char *const invalid[] = {
    "",
    "sip",
    "sip:",
    "sip:@",
    ":sip@h",
    "1sip:h",
    "s_p:h",
    "sip:user@",
    "sip:user@:5060",
    "sip:user@host:",
    "sip:user@host:65536",
    "sip:user@host:99999999999999999999",
    "sip:user@host:-1",
    "sip:user@host:50a",
    "sip:user@host:5060:5061",
    "sip:user@ho st",
    "sip:us er@host",
    "sip: user@host",
    "sip:user@host ",
    "sip:user@host;transport=tcp x",
    "sip:user@host\r\n",
    "sip:user@host\t",
    "<sip:user@host>",
    "sip:<user@host>",
    "sip:user@host>",
    "sip:user@h<st",
    "sip:us%er@host",
    "sip:user%4@host",
    "sip:user%@host",
    "sip:user@host;a=%4",
    "sip:user@host;a=%zz",
    "sip:user@host?a=%G0",
    "sip:user@host;%",
    "sip:us\"er@host",
    "sip:a:b:c@host",
    "sip:a@b@host",
    "sip:user@-host.com",
    "sip:user@host-.com",
    "sip:user@ho..st",
    "sip:user@.host",
    "sip:user@host..",
    "sip:user@.",
    "sip:user@123",
    "sip:user@1.2.3",
    "sip:user@1.2.3.256",
    "sip:user@1.2.3.4.5",
    "sip:user@1.2.3.4.",
    "sip:user@example.123",
    "sip:user@ex_ample.com",
    "sip:user@host;",
    "sip:user@host;;lr",
    "sip:user@host;=x",
    "sip:user@host;a=",
    "sip:user@host;a=b=c",
    "sip:user@host;a=\"b\"",
    "sip:user@host;a=b,c",
    "sip:user@host?",
    "sip:user@host?a",
    "sip:user@host?=b",
    "sip:user@host?a=b&",
    "sip:user@host?a=b&&c=d",
    "sip:user@host?a=b;c",
    "sip:user@host#frag",
    "sip:2001:db8::10",
    "sip:[2001:db8::10",
    "sip:2001:db8::10]",
    "sip:[]",
    "sip:[:]",
    "sip:[:::]",
    "sip:[1:2:3:4:5:6:7:8:9]",
    "sip:[1:2:3:4:5:6:7]",
    "sip:[1:2:3:4:5:6:7:8::]",
    "sip:[::1:2:3:4:5:6:7:8]",
    "sip:[1::2::3]",
    "sip:[2001:db8:::192.0.2.1]",
    "sip:[12345::1]",
    "sip:[g::1]",
    "sip:[1:]",
    "sip:[:1]",
    "sip:[1:2:3:4:5:6:7:1.2.3.4]",
    "sip:[::1.2.3]",
    "sip:[::1.2.3.4.5]",
    "sip:[::256.1.1.1]",
    "sip:[::1.2.3.4:5]",
    "sip:[::1]x",
    "sip:[::1]:",
    "sip:[::1%eth0]",
    "sip:[::1]]",
    "sip:[[::1]]",
    "tel:",
    "tel:+",
    "tel:-",
    "tel:+-()",
    "tel:+12a",
    "tel:12 34",
    "tel:+1;",
    "tel:+1;a=",
    "tel:+1?a=b",
    "tel:+1@h",
    "mailto:",
    "http://a b",
    "http://a%zz",
    "x:<y>",
    "x:\"y\"",
    "x:y#z",
    "x:{y}",
    "x:\x80",
    "sip:\x80@h",
};

static int test_uri_invalid(void)
{
	int err = 0;
	struct guarded g = {0};
	struct sx_sip_uri u;

	for (size_t i = 0; i < SX_ARRAY_SIZE(invalid); i++) {
		int rc = parse_guarded(&g, invalid[i], &u);
		if (rc != -EBADMSG)
			err = ut__fail(__FILE__, __LINE__, "\"%s\": %d",
			               invalid[i], rc);
		UT_EQ(-EBADMSG, rc);
		guard_release(&g);
	}
	/* an embedded NUL is a byte like any other: rejected in a host */
	static const char nul[] = "sip:user@h\0st";
	UT_EQ(-EBADMSG, sx_sip_uri_parse(&u, sx_sl_make(nul, sizeof(nul) - 1)));
	/* a prefix that is itself valid must not be read further */
	UT_OK(sx_sip_uri_parse(&u, sx_sl_make("sip:h:5060x", 10)));
	UT_EQ(5060, u.port);
out:
	guard_release(&g);
	return err;
}

/* Every prefix of each valid URI parses or fails, and never over-reads. */
static int test_uri_prefixes(void)
{
	int err = 0;
	struct sx_sip_uri u;

	for (size_t i = 0; i < SX_ARRAY_SIZE(valid); i++) {
		size_t len = strlen(valid[i].in);
		for (size_t n = 0; n <= len; n++) {
			char *p = ut_guard_copy(valid[i].in, n);
			UT_TRUE(p != NULL);
			int rc = sx_sip_uri_parse(&u, sx_sl_make(p, n));
			ut_guard_free(p, n);
			UT_TRUE(rc == 0 || rc == -EBADMSG);
		}
	}
out:
	return err;
}

static int test_uri_other(void)
{
	int err = 0;
	struct sx_sip_uri u;
	static const struct {
		const char *in, *scheme, *opaque;
	} t[] = {
	    {"soap.beep://192.0.2.103:3002", "soap.beep", "//192.0.2.103:3002"},
	    {"isbn:2983792873", "isbn", "2983792873"},
	    {"http://www.example.com", "http", "//www.example.com"},
	    {"name:John_Smith", "name", "John_Smith"},
	    {"mailto:alice@example.com?subject=hi%20there", "mailto",
	     "alice@example.com?subject=hi%20there"},
	    {"cid:my%ffheader2@example.org", "cid", "my%ffheader2@example.org"},
	    {"urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF", "urn",
	     "uuid:00000000-0000-1000-8000-AABBCCDDEEFF"},
	    {"x-1+a.b:[::1]", "x-1+a.b", "[::1]"},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		UT_OK(sx_sip_uri_parse(&u, sx_sl_cstr(t[i].in)));
		UT_EQ(SX_SIP_URI_OTHER, u.scheme);
		UT_SL_EQ(t[i].scheme, u.scheme_sl);
		UT_SL_EQ(t[i].opaque, u.opaque);
		UT_EQ(SX_SIP_HOST_NONE, u.host_type);
	}
	UT_OK(sx_sip_uri_parse(&u, SX_SL("SiPs:h")));
	UT_EQ(SX_SIP_URI_SIPS, u.scheme);
	UT_SL_EQ("SiPs", u.scheme_sl);
out:
	return err;
}

static int test_uri_limits(void)
{
	int err = 0;
	struct sx_sip_uri u;
	static char big[SX_SIP_MAX_URI_LEN + 2];

	memset(big, 'a', sizeof(big));
	memcpy(big, "sip:", 4);
	UT_OK(sx_sip_uri_parse(&u, sx_sl_make(big, SX_SIP_MAX_URI_LEN)));
	UT_EQ(SX_SIP_MAX_URI_LEN - 4, u.host.len);
	UT_EQ(-E2BIG,
	      sx_sip_uri_parse(&u, sx_sl_make(big, SX_SIP_MAX_URI_LEN + 1)));
	UT_EQ(-EINVAL, sx_sip_uri_parse(NULL, SX_SL("sip:h")));
	UT_EQ(-EINVAL, sx_sip_uri_parse(&u, sx_sl_make(NULL, 3)));
	UT_EQ(-EBADMSG, sx_sip_uri_parse(&u, SX_SL_NULL));
out:
	return err;
}

static int test_hostport(void)
{
	int err = 0;
	struct sx_sip_uri u;
	static const struct {
		const char *in;
		int rc;
		const char *host;
		enum sx_sip_host_type type;
		int port;
	} t[] = {
	    {"192.0.2.2", 0, "192.0.2.2", SX_SIP_HOST_IPV4, NOPORT},
	    {"spindle.example.com", 0, "spindle.example.com", SX_SIP_HOST_NAME,
	     NOPORT},
	    {"192.0.2.21:5060", 0, "192.0.2.21", SX_SIP_HOST_IPV4, 5060},
	    {"[2001:db8::9:1]:6050", 0, "[2001:db8::9:1]", SX_SIP_HOST_IPV6,
	     6050},
	    {"[::ffff:192.0.2.10]:19823", 0, "[::ffff:192.0.2.10]",
	     SX_SIP_HOST_IPV6, 19823},
	    {"host : 5060", 0, "host", SX_SIP_HOST_NAME, 5060},
	    {"host\r\n :\t5060", 0, "host", SX_SIP_HOST_NAME, 5060},
	    {"host:", -EBADMSG, "", SX_SIP_HOST_NONE, NOPORT},
	    {"host:70000", -EBADMSG, "", SX_SIP_HOST_NONE, NOPORT},
	    {"host ", -EBADMSG, "", SX_SIP_HOST_NONE, NOPORT},
	    {"", -EBADMSG, "", SX_SIP_HOST_NONE, NOPORT},
	    {":5060", -EBADMSG, "", SX_SIP_HOST_NONE, NOPORT},
	    {"2001:db8::9:255", -EBADMSG, "", SX_SIP_HOST_NONE, NOPORT},
	    {"[2001:db8:::192.0.2.1]", -EBADMSG, "", SX_SIP_HOST_NONE, NOPORT},
	    {"host;branch=1", -EBADMSG, "", SX_SIP_HOST_NONE, NOPORT},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		size_t len = strlen(t[i].in);
		char *p = ut_guard_copy(t[i].in, len);
		UT_TRUE(p != NULL);
		int rc = sx_sip_hostport_parse(&u, sx_sl_make(p, len));
		bool ok =
		    rc == t[i].rc &&
		    (rc || (sx_sl_eq_cstr(u.host, t[i].host) &&
		            u.host_type == t[i].type &&
		            u.has_port == (t[i].port != NOPORT) &&
		            (t[i].port == NOPORT || u.port == t[i].port)));
		ut_guard_free(p, len);
		if (!ok)
			err = ut__fail(__FILE__, __LINE__, "\"%s\": %d",
			               t[i].in, rc);
		UT_TRUE(ok);
	}
out:
	return err;
}

static int test_unescape(void)
{
	int err = 0;
	char buf[32];

	UT_EQ(4, sx_sip_unescape(SX_SL("%75se%72"), buf, sizeof(buf)));
	UT_MEM_EQ("user", buf, 4);
	UT_EQ(3, sx_sip_unescape(SX_SL("a%00b"), buf, sizeof(buf)));
	UT_MEM_EQ("a\0b", buf, 3);
	UT_EQ(8, sx_sip_unescape(SX_SL("v%61lue%25%34%31"), buf, sizeof(buf)));
	UT_MEM_EQ("value%41", buf, 8);
	UT_EQ(1, sx_sip_unescape(SX_SL("%fF"), buf, sizeof(buf)));
	UT_EQ(0xff, (unsigned char)buf[0]);
	UT_EQ(0, sx_sip_unescape(SX_SL_NULL, NULL, 0));
	UT_EQ(-EBADMSG, sx_sip_unescape(SX_SL("a%4"), buf, sizeof(buf)));
	UT_EQ(-EBADMSG, sx_sip_unescape(SX_SL("%"), buf, sizeof(buf)));
	UT_EQ(-EBADMSG, sx_sip_unescape(SX_SL("%g0"), buf, sizeof(buf)));
	UT_EQ(-E2BIG, sx_sip_unescape(SX_SL("abc"), buf, 2));
	UT_EQ(2, sx_sip_unescape(SX_SL("%41b"), buf, 2));
	UT_EQ(-EINVAL, sx_sip_unescape(SX_SL("a"), NULL, 1));
	/* the escape is checked against the slice, not a NUL after it */
	char *p = ut_guard_copy("a%4", 3);
	UT_TRUE(p != NULL);
	ssize_t n = sx_sip_unescape(sx_sl_make(p, 3), buf, sizeof(buf));
	ut_guard_free(p, 3);
	UT_EQ(-EBADMSG, n);
out:
	return err;
}

static int eq_check(const char *a, const char *b, bool expect)
{
	int err = 0;
	struct sx_sip_uri ua, ub;

	UT_OK(sx_sip_uri_parse(&ua, sx_sl_cstr(a)));
	UT_OK(sx_sip_uri_parse(&ub, sx_sl_cstr(b)));
	if (sx_sip_uri_eq(&ua, &ub) != expect ||
	    sx_sip_uri_eq(&ub, &ua) != expect)
		err = ut__fail(__FILE__, __LINE__, "%s %s %s", a,
		               expect ? "!=" : "==", b);
out:
	return err;
}

static int test_uri_eq(void)
{
	int err = 0;
	static const struct {
		const char *a, *b;
		bool eq;
	} t[] = {
	    /* RFC 3261 19.1.4: equivalent */
	    {"sip:%61lice@atlanta.com;transport=TCP",
	     "sip:alice@AtLanTa.CoM;Transport=tcp", true},
	    {"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5", true},
	    {"sip:carol@chicago.com", "sip:carol@chicago.com;security=on",
	     true},
	    {"sip:carol@chicago.com;newparam=5",
	     "sip:carol@chicago.com;security=on", true},
	    {"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi."
	     "com",
	     "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi."
	     "com",
	     true},
	    {"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
	     "sip:alice@atlanta.com?priority=urgent&subject=project%20x", true},
	    /* RFC 3261 19.1.4: not equivalent */
	    {"SIP:ALICE@AtLanTa.CoM;Transport=udp",
	     "sip:alice@AtLanTa.CoM;Transport=UDP", false},
	    {"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", false},
	    {"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp", false},
	    {"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp",
	     false},
	    {"sip:carol@chicago.com",
	     "sip:carol@chicago.com?Subject=next%20meeting", false},
	    {"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4", false},
	    /* more */
	    {"sip:alice@atlanta.com", "sips:alice@atlanta.com", false},
	    {"sip:alice:pw@h", "sip:alice:PW@h", false},
	    {"sip:alice:p%77@h", "sip:alice:pw@h", true},
	    {"sip:alice:pw@h", "sip:alice@h", false},
	    {"sip:h", "sip:@h", false},
	    {"sip:h;user=phone", "sip:h", false},
	    {"sip:h;ttl=1", "sip:h;ttl=2", false},
	    {"sip:h;ttl=1", "sip:h", false},
	    {"sip:h;maddr=239.255.255.1", "sip:h", false},
	    {"sip:h;method=INVITE", "sip:h;METHOD=invite", true},
	    {"sip:h;lr", "sip:h;lr=on", false},
	    {"sip:h;lr", "sip:h;LR", true},
	    {"sip:h;foo=a", "sip:h;foo=b", false},
	    {"sip:h;foo=%61", "sip:h;foo=A", true},
	    {"sip:h?a=b", "sip:h?a=b&c=d", false},
	    {"sip:h?a=b", "sip:h?A=B", true},
	    {"sip:h?a=b", "sip:h?a=c", false},
	    /* escaped reserved chars differ from the raw ones */
	    {"sip:a%3bb@h", "sip:a;b@h", false},
	    {"sip:a%3bb@h", "sip:a%3Bb@h", true},
	    {"sip:user@[2001:db8::1]", "sip:user@[2001:DB8:0::1]", true},
	    {"sip:user@[::ffff:192.0.2.1]", "sip:user@[::ffff:c000:201]", true},
	    {"sip:user@[2001:db8::1]", "sip:user@[2001:db8::2]", false},
	    {"sip:user@[::1]:5060", "sip:user@[::1]", false},
	    {"sip:user@h:5060", "sip:user@h:5061", false},
	    {"sip:%00@h", "sip:%00%00@h", false},
	    {"sip:h;a=1;a=2", "sip:h;a=1;a=2", true},
	    {"sip:h;a=1;a=2", "sip:h;a=1", true},
	    {"sip:h;a=1;a=2", "sip:h;a=2", false},
	    {"sip:h;transport=tcp;transport=udp", "sip:h;transport=tcp", true},
	    {"sip:[::]", "sip:[0:0:0:0:0:0:0:0]", true},
	    {"sip:[::1.2.3.4]", "sip:[::102:304]", true},
	    {"sip:[1::]", "sip:[1:0:0:0:0:0:0:0]", true},
	    {"sip:[1::]", "sip:[::1]", false},
	    {"sip:192.0.2.1", "sip:[::ffff:192.0.2.1]", false},
	    {"sip:h.example.com", "sip:H.EXAMPLE.COM", true},
	    {"sip:h?a=1&a=2", "sip:h?a=2&a=1", true},
	    {"sip:%41@h", "sip:a@h", false},
	    {"sip:a@h;x=%3b", "sip:a@h;x=%3B", true},
	    {"tel:+1-201-555-0123", "tel:+12015550123", true},
	    {"tel:+1-201-555-0123", "tel:+1-201-555-0124", false},
	    {"tel:7042;phone-context=example.com",
	     "tel:7042;Phone-Context=EXAMPLE.com", true},
	    {"tel:7042;phone-context=example.com", "tel:7042", false},
	    {"tel:1234", "sip:1234@h", false},
	    {"http://a/b", "HTTP://a/b", true},
	    {"http://a/b", "http://a/B", false},
	    {"http://a/b", "mailto://a/b", false},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		err = eq_check(t[i].a, t[i].b, t[i].eq);
		if (err)
			goto out;
	}
	UT_TRUE(!sx_sip_uri_eq(NULL, NULL));
out:
	return err;
}

/* Request-URI of a message file: between the first and the last SP of
 * its first line (so stray LWS stays inside and must be rejected). */
static int ruri_of(const char *path, char *out, size_t cap, size_t *lenp)
{
	size_t len;
	char *msg = ut_read_file(path, &len);
	if (!msg)
		return -ENOENT;
	char *eol = memchr(msg, '\r', len);
	size_t line = eol ? (size_t)(eol - msg) : len;
	char *sp1 = memchr(msg, ' ', line);
	char *sp2 = sp1 ? memrchr(msg, ' ', line) : NULL;
	int rc = -EINVAL;
	if (sp1 && sp2 > sp1 && (size_t)(sp2 - sp1 - 1) <= cap) {
		*lenp = (size_t)(sp2 - sp1 - 1);
		memcpy(out, sp1 + 1, *lenp);
		rc = 0;
	}
	free(msg);
	return rc;
}

/* The Request-URIs of the RFC 4475 and RFC 5118 messages. */
static int test_uri_rfc_messages(void)
{
	int err = 0;
	static const struct {
		const char *file;
		int rc;
	} t[] = {
	    {"rfc4475/esc01.sip", 0},
	    {"rfc4475/esc02.sip", 0},
	    {"rfc4475/escruri.sip", 0}, /* valid URI, bad message */
	    {"rfc4475/intmeth.sip", 0},
	    {"rfc4475/inv2543.sip", 0},
	    {"rfc4475/novelsc.sip", 0},
	    {"rfc4475/semiuri.sip", 0},
	    {"rfc4475/unkscm.sip", 0},
	    {"rfc4475/wsinv.sip", 0},
	    {"rfc4475/ltgtruri.sip", -EBADMSG},
	    {"rfc4475/lwsruri.sip", -EBADMSG},
	    {"rfc4475/lwsstart.sip", -EBADMSG},
	    {"rfc4475/trws.sip", -EBADMSG},
	    {"rfc5118/wire/ipv6-good.sip", 0},
	    {"rfc5118/wire/ipv6-bad.sip", -EBADMSG},
	    {"rfc5118/wire/port-ambiguous.sip", 0},
	    {"rfc5118/wire/port-unambiguous.sip", 0},
	    {"rfc5118/wire/ipv6-bug-abnf-3-colons.sip", -EBADMSG},
	    {"rfc5118/wire/ipv6-correct-abnf-2-colons.sip", 0},
	    {"rfc5118/wire/ipv4-mapped-ipv6.sip", 0},
	};
	char path[512], uri[SX_SIP_MAX_URI_LEN];
	struct sx_sip_uri u;

	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		size_t len = 0;
		snprintf(path, sizeof(path), "%s/testdata/%s", SX_SHARED_DIR,
		         t[i].file);
		int rc = ruri_of(path, uri, sizeof(uri), &len);
		if (rc == -ENOENT)
			return UT_SKIP; /* no shared test data here */
		UT_OK(rc);
		char *p = ut_guard_copy(uri, len);
		UT_TRUE(p != NULL);
		rc = sx_sip_uri_parse(&u, sx_sl_make(p, len));
		ut_guard_free(p, len);
		if (rc != t[i].rc)
			err = ut__fail(__FILE__, __LINE__, "%s: [%.*s] %d",
			               t[i].file, (int)len, uri, rc);
		UT_EQ(t[i].rc, rc);
	}
out:
	return err;
}

UT_MAIN(UT_C(test_uri_valid), UT_C(test_uri_invalid), UT_C(test_uri_prefixes),
        UT_C(test_uri_other), UT_C(test_uri_limits), UT_C(test_hostport),
        UT_C(test_unescape), UT_C(test_uri_eq), UT_C(test_uri_rfc_messages))
