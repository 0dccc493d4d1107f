/*
 * Unit tests for lib/sip/msg/addr.c and param.c: name-addr / addr-spec
 * (RFC 3261 20.10, 25.1), generic parameters with LWS and quoted values,
 * and comma-separated lists, with the RFC 4475 and RFC 5118 header
 * values.  Inputs are parsed from copies ending at a PROT_NONE page.
 */
#include <errno.h>

#include <sx/sip/uri.h>

#include "ut.h"

/* A guard-page copy of a C string, released with guard_free(). */
static struct sx_sl guard(const char *s)
{
	size_t len = strlen(s);
	return sx_sl_make(ut_guard_copy(s, len), len);
}

static void guard_free(struct sx_sl s)
{
	if (s.p)
		ut_guard_free((void *)s.p, s.len);
}

/* -- parameters ------------------------------------------------------- */

/* Expected params of one list, as "name=value|name|..." ('|' separated,
 * a name alone means no '='). */
static int params_check(const char *in, const char *expect)
{
	int err = 0;
	struct sx_sl s = guard(in), n, v;
	struct sx_sip_param_iter it;
	char got[512] = "";
	size_t off = 0;
	int rc;

	UT_TRUE(s.p != NULL);
	sx_sip_param_iter_init(&it, s);
	while ((rc = sx_sip_param_next(&it, &n, &v)) == 1) {
		int k = snprintf(got + off, sizeof(got) - off, "%s%.*s%s%.*s",
		                 off ? "|" : "", SX_SL_FMT(n), v.p ? "=" : "",
		                 (int)v.len, v.p ? v.p : "");
		UT_TRUE(k > 0 && (size_t)k < sizeof(got) - off);
		off += (size_t)k;
	}
	if (expect ? rc != 0 || strcmp(expect, got) : rc != -EBADMSG)
		err = ut__fail(__FILE__, __LINE__, "[%s]: rc %d, got [%s]", in,
		               rc, got);
out:
	guard_free(s);
	return err;
}

static int test_param_next(void)
{
	int err = 0;
	static const struct {
		const char *in, *expect; /* NULL: -EBADMSG */
	} t[] = {
	    {"", ""},
	    {"   ", ""},
	    {"transport=tcp;lr", "transport=tcp|lr"},
	    {"lr", "lr"},
	    {"tag=1;expires = 3;+sip.instance=\"<urn:uuid:00000000-0000-1000-"
	     "8000-AABBCCDDEEFF>\"",
	     "tag=1|expires=3|+sip.instance=\"<urn:uuid:00000000-0000-1000-"
	     "8000-AABBCCDDEEFF>\""},
	    {"tag    = 1918181833n", "tag=1918181833n"},
	    {" newparam =\r\n      newvalue ;\r\n  secondparam ; q = 0.33",
	     "newparam=newvalue|secondparam|q=0.33"},
	    {"received=[2001:db8::9:255];branch=z9hG4bKas3-111",
	     "received=[2001:db8::9:255]|branch=z9hG4bKas3-111"},
	    {"received=2001:db8::9:255;branch=z9hG4bKas3",
	     "received=2001:db8::9:255|branch=z9hG4bKas3"},
	    {"branch=z9hG4bK-.!%66*_+`'~", "branch=z9hG4bK-.!%66*_+`'~"},
	    {"fromParam''~+*_!.-%=\"\xd1\x80\xd0\xb0\";tag=_token~1'+`*%!-.",
	     "fromParam''~+*_!.-%=\"\xd1\x80\xd0\xb0\"|tag=_token~1'+`*%!-."},
	    {"q=\"a\\\"b;c\"", "q=\"a\\\"b;c\""},
	    {"%6C%72;n%61me=v%61lue%25%34%31",
	     "%6C%72|n%61me=v%61lue%25%34%31"},
	    {"maddr=239.255.255.1;ttl=15", "maddr=239.255.255.1|ttl=15"},
	    {"x=a/b:c&d+$[]", "x=a/b:c&d+$[]"},
	    {"a=\"\"", "a=\"\""},
	    {";", NULL},
	    {"a;", NULL},
	    {"a; ", NULL},
	    {"a;;b", NULL},
	    {";a", NULL},
	    {"=b", NULL},
	    {"a=", NULL},
	    {"a= ;b", NULL},
	    {"a=b c", NULL},
	    {"a b", NULL},
	    {"a=\"b", NULL},
	    {"a=\"b\\", NULL},
	    {"a=\"b\"c", NULL},
	    {"a=b,c", NULL},
	    {"a=<b>", NULL},
	    {"a@b", NULL},
	    {"a=\"x\r\ny\"", NULL},
	    {"a\r\n", NULL},
	    {"a=b\r\n;c", NULL},
	    {"a=b\r\n ;\n\tc", "a=b|c"},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++)
		if ((err = params_check(t[i].in, t[i].expect)))
			goto out;
out:
	return err;
}

static int test_param_find(void)
{
	int err = 0;
	struct sx_sl v;
	struct sx_sl ps = SX_SL("tag=a; Expires = 3600;lr;q=\"0.5\"");

	UT_OK(sx_sip_param_find(ps, SX_SL("TAG"), &v));
	UT_SL_EQ("a", v);
	UT_OK(sx_sip_param_find(ps, SX_SL("expires"), &v));
	UT_SL_EQ("3600", v);
	UT_OK(sx_sip_param_find(ps, SX_SL("lr"), &v));
	UT_TRUE(v.p == NULL && v.len == 0);
	UT_OK(sx_sip_param_find(ps, SX_SL("lr"), NULL));
	UT_OK(sx_sip_param_find(ps, SX_SL("q"), &v));
	UT_SL_EQ("\"0.5\"", v);
	UT_EQ(-ENOENT, sx_sip_param_find(ps, SX_SL("branch"), &v));
	UT_EQ(-ENOENT, sx_sip_param_find(ps, SX_SL("ta"), &v));
	UT_EQ(-ENOENT, sx_sip_param_find(SX_SL_NULL, SX_SL("x"), &v));
	UT_EQ(-EBADMSG, sx_sip_param_find(SX_SL("a;;b"), SX_SL("b"), &v));
	UT_EQ(-EINVAL, sx_sip_param_next(NULL, &v, &v));
out:
	return err;
}

/* -- lists ------------------------------------------------------------- */

static int list_check(const char *in, const char *expect)
{
	int err = 0;
	struct sx_sl s = guard(in), rest = s, e;
	char got[512] = "";
	size_t off = 0;
	int rc;

	UT_TRUE(s.p != NULL);
	while ((rc = sx_sip_list_next(&rest, &e)) == 1) {
		int k = snprintf(got + off, sizeof(got) - off, "%s%.*s",
		                 off ? "|" : "", SX_SL_FMT(e));
		UT_TRUE(k > 0 && (size_t)k < sizeof(got) - off);
		off += (size_t)k;
	}
	if (expect ? rc != 0 || strcmp(expect, got) : rc != -EBADMSG)
		err = ut__fail(__FILE__, __LINE__, "[%s]: rc %d, got [%s]", in,
		               rc, got);
out:
	guard_free(s);
	return err;
}

static int test_list_next(void)
{
	int err = 0;
	static const struct {
		const char *in, *expect;
	} t[] = {
	    {"", ""},
	    {" \r\n ", ""},
	    {"a", "a"},
	    {"a,b", "a|b"},
	    {" a , b ,\r\n c ", "a|b|c"},
	    {"\"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=43, "
	     "<sip:b@c>",
	     "\"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=43|"
	     "<sip:b@c>"},
	    {"\"a\\\",b\" <sip:x>", "\"a\\\",b\" <sip:x>"},
	    {"<sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example."
	     "com>, <sip:x@y>",
	     "<sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example."
	     "com>|<sip:x@y>"},
	    {"SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   "
	     "z9hG4bK9ikj8  ,\r\n SIP  /    2.0   / UDP  192.168.255.111   ; "
	     "branch=\r\n z9hG4bK30239",
	     "SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   "
	     "z9hG4bK9ikj8|SIP  /    2.0   / UDP  192.168.255.111   ; "
	     "branch=\r\n z9hG4bK30239"},
	    {"a;x=\"<,>\",b", "a;x=\"<,>\"|b"},
	    {",", NULL},
	    {",a", NULL},
	    {"a,", NULL},
	    {"a, ", NULL},
	    {"a,,b", NULL},
	    {"a, ,b", NULL},
	    {"\"a,b", NULL},
	    {"<sip:a,b", NULL},
	    {"a \"b\\", NULL},
	    {";;,,;;,;", NULL},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++)
		if ((err = list_check(t[i].in, t[i].expect)))
			goto out;
out:
	return err;
}

/* -- name-addr / addr-spec --------------------------------------------- */

static const struct {
	const char *in;
	const char *display; /* without quotes */
	bool quoted, name_addr;
	const char *uri, *params;
	const char *user, *host;
} addrs[] = {
    {"<sip:a@b>;tag=x", "", false, true, "sip:a@b", "tag=x", "a", "b"},
    {"sip:a@b;tag=x", "", false, false, "sip:a@b", "tag=x", "a", "b"},
    {"sip:a@b", "", false, false, "sip:a@b", "", "a", "b"},
    {"Bob <sips:bob@biloxi.com>;tag=a6c85cf", "Bob", false, true,
     "sips:bob@biloxi.com", "tag=a6c85cf", "bob", "biloxi.com"},
    {"\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n"
     "  tag = 98asjd8",
     "J Rosenberg \\\\\\\"", true, true, "sip:jdrosen@example.com",
     "tag = 98asjd8", "jdrosen", "example.com"},
    {"\r\n sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n", "",
     false, false, "sip:vivekg@chair-dnrc.example.com", "tag    = 1918181833n",
     "vivekg", "chair-dnrc.example.com"},
    {"\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n"
     "      newvalue ;\r\n  secondparam ; q = 0.33",
     "Quoted string \\\"\\\"", true, true, "sip:jdrosen@example.com",
     "newparam =\r\n      newvalue ;\r\n  secondparam ; q = 0.33", "jdrosen",
     "example.com"},
    /* RFC 4475 3.1.1.6 lwsdisp: no LWS before '<' */
    {"caller<sip:caller@example.com>;tag=323", "caller", false, true,
     "sip:caller@example.com", "tag=323", "caller", "example.com"},
    {"\"caller\"<sip:caller@example.com>", "caller", true, true,
     "sip:caller@example.com", "", "caller", "example.com"},
    {"token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;"
     "fromParam''~+*_!.-%=\"\xd1\x80\xd0\xb0\";tag=_token~1'+`*%!-.",
     "token1~` token2'+_ token3*%!.-", false, true, "sip:mundane@example.com",
     "fromParam''~+*_!.-%=\"\xd1\x80\xd0\xb0\";tag=_token~1'+`*%!-.", "mundane",
     "example.com"},
    {"<sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>", "",
     false, true,
     "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com", "",
     "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", "example.com"},
    /* RFC 4475 3.3.12 cparam01 / 3.3.13 cparam02 */
    {"<sip:+19725552222@gw1.example.net;unknownparam>", "", false, true,
     "sip:+19725552222@gw1.example.net;unknownparam", "", "+19725552222",
     "gw1.example.net"},
    {"sip:+19725552222@gw1.example.net;unknownparam", "", false, false,
     "sip:+19725552222@gw1.example.net", "unknownparam", "+19725552222",
     "gw1.example.net"},
    /* RFC 4475 3.1.1.9 semiuri, 3.3.14 regescrt, 3.1.1.3 esc01 */
    {"<sip:user;par=u%40example.net@example.com>", "", false, true,
     "sip:user;par=u%40example.net@example.com", "", "user;par=u%40example.net",
     "example.com"},
    {"<sip:user@example.com?Route=%3Csip:sip.example.com%3E>", "", false, true,
     "sip:user@example.com?Route=%3Csip:sip.example.com%3E", "", "user",
     "example.com"},
    {"<sip:I%20have%20spaces@example.net>;tag=938", "", false, true,
     "sip:I%20have%20spaces@example.net", "tag=938", "I%20have%20spaces",
     "example.net"},
    /* RFC 4475 3.3.4 unksm2 */
    {"isbn:2983792873", "", false, false, "isbn:2983792873", "", "", ""},
    {"<http://www.example.com>;tag=3234233", "", false, true,
     "http://www.example.com", "tag=3234233", "", ""},
    {"<name:John_Smith>", "", false, true, "name:John_Smith", "", "", ""},
    /* RFC 5118 */
    {"\"T. desk phone\" <sip:ted@[::ffff:192.0.2.2]>", "T. desk phone", true,
     true, "sip:ted@[::ffff:192.0.2.2]", "", "ted", "[::ffff:192.0.2.2]"},
    {"sip:user@[2001:db8::10];tag=1", "", false, false,
     "sip:user@[2001:db8::10]", "tag=1", "user", "[2001:db8::10]"},
    {"<sip:a@b>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-"
     "AABBCCDDEEFF>\";expires=3",
     "", false, true, "sip:a@b",
     "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";"
     "expires=3",
     "a", "b"},
    {"<tel:+1-201-555-0123>", "", false, true, "tel:+1-201-555-0123", "",
     "+1-201-555-0123", ""},
    {"\"\" <sip:a@b>", "", true, true, "sip:a@b", "", "a", "b"},
    {"A  B\tC <sip:a@b>", "A  B\tC", false, true, "sip:a@b", "", "a", "b"},
    {"  <sip:a@b>  ", "", false, true, "sip:a@b", "", "a", "b"},
    {"\r\n<sip:a@b>\r\n", "", false, true, "sip:a@b", "", "a", "b"},
    {"sip:a@b ; tag=1", "", false, false, "sip:a@b", "tag=1", "a", "b"},
};

static int addr_check(size_t i)
{
	int err = 0;
	struct sx_sip_addr a;
	struct sx_sl s = guard(addrs[i].in);
	UT_TRUE(s.p != NULL);
	int rc = sx_sip_addr_parse(&a, s);
	if (rc)
		err = ut__fail(__FILE__, __LINE__, "[%s]: %d", addrs[i].in, rc);
	UT_OK(rc);
	UT_SL_EQ(addrs[i].display, a.display);
	UT_EQ(addrs[i].quoted, a.quoted);
	UT_EQ(addrs[i].name_addr, a.name_addr);
	UT_SL_EQ(addrs[i].uri, a.uri.raw);
	UT_SL_EQ(addrs[i].params, a.params);
	UT_SL_EQ(addrs[i].user, a.uri.user);
	UT_SL_EQ(addrs[i].host, a.uri.host);
	UT_TRUE(a.raw.len && a.raw.p[0] != ' ' && a.raw.p[0] != '\r' &&
	        a.raw.p[a.raw.len - 1] != ' ');
out:
	guard_free(s);
	return err;
}

static int test_addr_valid(void)
{
	int err = 0;
	for (size_t i = 0; i < SX_ARRAY_SIZE(addrs); i++)
		if ((err = addr_check(i)))
			goto out;
out:
	return err;
}

static int test_addr_embedded_nul(void)
{
	int err = 0;
	struct sx_sip_addr a;
	/* RFC 4475 3.1.1.2: quoted-pairs of BEL, NUL and DEL */
	static const char in[] =
	    "\"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f\" <sip:x@example.com>";
	char *p = ut_guard_copy(in, sizeof(in) - 1);

	UT_TRUE(p != NULL);
	UT_OK(sx_sip_addr_parse(&a, sx_sl_make(p, sizeof(in) - 1)));
	UT_EQ(20, a.display.len);
	UT_TRUE(a.quoted);
	UT_SL_EQ("sip:x@example.com", a.uri.raw);
out:
	if (p)
		ut_guard_free(p, sizeof(in) - 1);
	return err;
}

static int test_addr_invalid(void)
{
	int err = 0;
	struct sx_sip_addr a;
	static const char *const t[] = {
	    "",
	    "   ",
	    "*",
	    " * ",
	    "<*>",
	    "<>",
	    "<sip:a@b",
	    "sip:a@b>",
	    "<<sip:a@b>>",
	    "< sip:a@b>",
	    "<sip:a@b >",
	    "<sip:a@b> x",
	    "<sip:a@b>;",
	    "<sip:a@b>; ",
	    "<sip:a@b>;;tag=1",
	    "<sip:a@b>;tag=",
	    "<sip:a@b>;tag=\"x",
	    "<sip:a@b><sip:c@d>",
	    "sip:a@b <sip:c@d>",
	    "sip:a@b c",
	    "sip:a@b, sip:c@d",
	    "\"unterminated <sip:a@b>",
	    "\"Bob\" sip:a@b",
	    "\"Bob\"",
	    "Bob",
	    "Bob Smith",
	    "Bob, Alexander <sip:a.g.bell@example.com>;tag=43",
	    "Bell, Alexander <sip:a.g.bell@example.com>;tag=43",
	    "J@Rosenberg <sip:a@b>",
	    "\"Watson, Thomas\" < sip:t.watson@example.org >",
	    "sip:t.watson @example.org",
	    "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
	    "sip:user@example.com,x",
	    "<sip:user@example.com> <sip:x@y>",
	    "<sip:a@[2001:db8:::192.0.2.1]>",
	    "sip:[2001:db8::10",
	    "\xc3\xa9 <sip:a@b>",
	    "<sip:a@b>\"x\"",
	    "\"a\"\"b\" <sip:a@b>",
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		struct sx_sl s = guard(t[i]);
		UT_TRUE(s.p != NULL || !s.len);
		int rc = sx_sip_addr_parse(&a, s);
		guard_free(s);
		if (rc != -EBADMSG)
			err =
			    ut__fail(__FILE__, __LINE__, "[%s]: %d", t[i], rc);
		UT_EQ(-EBADMSG, rc);
	}
	UT_EQ(-EINVAL, sx_sip_addr_parse(NULL, SX_SL("sip:a@b")));
	UT_EQ(-EBADMSG, sx_sip_addr_parse(&a, SX_SL_NULL));
out:
	return err;
}

/* Every prefix of every valid address parses or fails cleanly. */
static int test_addr_prefixes(void)
{
	int err = 0;
	struct sx_sip_addr a;

	for (size_t i = 0; i < SX_ARRAY_SIZE(addrs); i++) {
		size_t len = strlen(addrs[i].in);
		for (size_t n = 0; n <= len; n++) {
			char *p = ut_guard_copy(addrs[i].in, n);
			UT_TRUE(p != NULL);
			int rc = sx_sip_addr_parse(&a, sx_sl_make(p, n));
			ut_guard_free(p, n);
			UT_TRUE(rc == 0 || rc == -EBADMSG);
		}
	}
out:
	return err;
}

UT_MAIN(UT_C(test_param_next), UT_C(test_param_find), UT_C(test_list_next),
        UT_C(test_addr_valid), UT_C(test_addr_embedded_nul),
        UT_C(test_addr_invalid), UT_C(test_addr_prefixes))
