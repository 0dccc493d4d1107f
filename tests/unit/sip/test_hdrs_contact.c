/*
 * Unit tests for the lazy address headers of sx/sip/hdrs.h: Contact
 * (RFC 3261 20.10, RFC 5626, RFC 5627), Route / Record-Route / Path,
 * P-Asserted-Identity, Refer-To.  Every input sits against a guard page.
 */
#include <errno.h>

#include <sx/sip/hdrs.h>

#include "ut.h"

static int test_qvalue(void)
{
	int err = 0;
	static const struct {
		const char *in;
		int rc;
		uint16_t q;
	} t[] = {
		{"0", 0, 0},
		{"0.", 0, 0},
		{"0.5", 0, 500},
		{"0.123", 0, 123},
		{"1", 0, 1000},
		{"1.000", 0, 1000},
		{"1.", 0, 1000},
		{"0.05", 0, 50},
		{"1.0001", -EBADMSG, 0},
		{"0.1234", -EBADMSG, 0},
		{"1.5", -ERANGE, 0},
		{"2", -ERANGE, 0},
		{"", -EBADMSG, 0},
		{".5", -EBADMSG, 0},
		{"01", -EBADMSG, 0},
		{"0.5x", -EBADMSG, 0},
		{"-0", -EBADMSG, 0},
		{"1.001", -ERANGE, 0},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		struct sx_sl s = ut_guard_sl(t[i].in);
		uint16_t q = 7;
		int rc = sx_sip_qvalue_parse(s, &q);
		ut_unguard_sl(&s);
		if (rc != t[i].rc)
			fprintf(stderr, "case %zu: %s\n", i, t[i].in);
		UT_EQ(t[i].rc, rc);
		UT_EQ(rc ? 7 : t[i].q, q);
	}
out:
	return err;
}

static int test_contact_valid(void)
{
	int err = 0;
	struct sx_sip_contact c;
	struct sx_sl s = SX_SL_NULL;

	s = ut_guard_sl("\"Alice\" <sip:alice@a.example.com>;q=0.7;expires=3600");
	UT_OK(sx_sip_contact_parse(&c, s));
	UT_TRUE(!c.wildcard);
	UT_TRUE(c.addr.name_addr);
	UT_SL_EQ("Alice", c.addr.display);
	UT_SL_EQ("a.example.com", c.addr.uri.host);
	UT_TRUE(c.has_q);
	UT_EQ(700, c.q);
	UT_TRUE(c.has_expires);
	UT_EQ(3600, c.expires);
	UT_TRUE(!c.has_reg_id);
	UT_TRUE(!c.instance.p);
	UT_SL_EQ("q=0.7;expires=3600", c.params);
	ut_unguard_sl(&s);

	s = ut_guard_sl("<sip:b@host;transport=tcp>;+sip.instance=\"<urn:uuid:"
		  "00000000-0000-1000-8000-000A95A0E128>\";reg-id=1;"
		  "expires=4294967295;foo=bar;lr");
	UT_OK(sx_sip_contact_parse(&c, s));
	UT_SL_EQ("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>",
		 c.instance);
	UT_TRUE(c.has_reg_id);
	UT_EQ(1, c.reg_id);
	UT_EQ(4294967295u, c.expires);
	UT_SL_EQ("transport=tcp", c.addr.uri.params);
	UT_TRUE(!c.has_q);
	ut_unguard_sl(&s);

	/* addr-spec: the params belong to the header (RFC 3261 20.10) */
	s = ut_guard_sl("sip:c@host;q=1");
	UT_OK(sx_sip_contact_parse(&c, s));
	UT_TRUE(!c.addr.name_addr);
	UT_EQ(1000, c.q);
	ut_unguard_sl(&s);

	s = ut_guard_sl("<sip:d@h>;pub-gruu=\"sip:d@h;gr=urn:uuid:1\";"
		  "temp-gruu=\"sip:tgruu.7hs==@h;gr\"");
	UT_OK(sx_sip_contact_parse(&c, s));
	UT_SL_EQ("sip:d@h;gr=urn:uuid:1", c.pub_gruu);
	UT_SL_EQ("sip:tgruu.7hs==@h;gr", c.temp_gruu);
	ut_unguard_sl(&s);

	s = ut_guard_sl(" * ");
	UT_OK(sx_sip_contact_parse(&c, s));
	UT_TRUE(c.wildcard);
	UT_TRUE(!c.addr.uri.host.p);
	ut_unguard_sl(&s);

	s = ut_guard_sl("<sip:e@h>;Q=0.1;EXPIRES=0");
	UT_OK(sx_sip_contact_parse(&c, s));
	UT_EQ(100, c.q);
	UT_TRUE(c.has_expires);
	UT_EQ(0, c.expires);
	ut_unguard_sl(&s);
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_contact_invalid(void)
{
	int err = 0;
	static const struct {
		const char *in;
		int rc;
	} t[] = {
		{"<sip:a@b>;q=1.0001", -EBADMSG},
		{"<sip:a@b>;q=1.5", -ERANGE},
		{"<sip:a@b>;q=", -EBADMSG},
		{"<sip:a@b>;q", -EBADMSG},
		{"<sip:a@b>;q=abc", -EBADMSG},
		{"<sip:a@b>;q=0.5;q=0.5", -EBADMSG},
		{"<sip:a@b>;expires=4294967296", -ERANGE},
		{"<sip:a@b>;expires=99999999999999999999999", -ERANGE},
		{"<sip:a@b>;expires=-1", -EBADMSG},
		{"<sip:a@b>;expires=1;expires=2", -EBADMSG},
		{"<sip:a@b>;expires=", -EBADMSG},
		{"<sip:a@b>;+sip.instance=urn", -EBADMSG},
		{"<sip:a@b>;+sip.instance", -EBADMSG},
		{"<sip:a@b>;+sip.instance=\"<urn:a>", -EBADMSG},
		{"<sip:a@b>;+sip.instance=\"a\";+sip.instance=\"b\"", -EBADMSG},
		{"<sip:a@b>;reg-id=0", -ERANGE},
		{"<sip:a@b>;reg-id=2147483648", -ERANGE},
		{"<sip:a@b>;reg-id=x", -EBADMSG},
		{"<sip:a@b>;reg-id=1;reg-id=1", -EBADMSG},
		{"<sip:a@b>;pub-gruu=sip:x", -EBADMSG},
		{"<sip:a@b", -EBADMSG},
		{"\"Alice <sip:a@b>", -EBADMSG},
		{"<sip:a@b>;", -EBADMSG},
		{"<sip:a@b>;;q=1", -EBADMSG},
		{"", -EBADMSG},
	};
	struct sx_sip_contact c;

	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		struct sx_sl s = ut_guard_sl(t[i].in);
		int rc = sx_sip_contact_parse(&c, s);
		ut_unguard_sl(&s);
		if (rc != t[i].rc)
			fprintf(stderr, "case %zu: %s -> %d\n", i, t[i].in, rc);
		UT_EQ(t[i].rc, rc);
	}
out:
	return err;
}

/* RFC 4475 3.1.2.2: an overlarge expires leaves the rest usable. */
static int test_contact_range_rest(void)
{
	int err = 0;
	struct sx_sip_contact c;
	struct sx_sl s = ut_guard_sl("<sip:a@b>;expires=280297596632815;q=0.5");

	UT_EQ(-ERANGE, sx_sip_contact_parse(&c, s));
	UT_TRUE(!c.has_expires);
	UT_TRUE(c.has_q);
	UT_EQ(500, c.q);
	UT_SL_EQ("b", c.addr.uri.host);
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_contact_list(void)
{
	int err = 0;
	struct sx_sip_list_iter it;
	struct sx_sip_contact c;
	struct sx_sl s = ut_guard_sl("\"A, B\" <sip:a@b>;q=0.5 ,\r\n <sip:c@d>, *");

	sx_sip_list_iter_init(&it, s);
	UT_EQ(1, sx_sip_contact_next(&it, &c));
	UT_SL_EQ("A, B", c.addr.display);
	UT_EQ(500, c.q);
	UT_EQ(1, sx_sip_contact_next(&it, &c));
	UT_SL_EQ("d", c.addr.uri.host);
	UT_EQ(1, sx_sip_contact_next(&it, &c));
	UT_TRUE(c.wildcard);
	UT_EQ(0, sx_sip_contact_next(&it, &c));
	UT_EQ(0, sx_sip_contact_next(&it, &c));
	ut_unguard_sl(&s);

	/* a bad element is skipped over; a broken list ends the walk */
	s = ut_guard_sl("<sip:a@b>;q=7, <sip:c@d>");
	sx_sip_list_iter_init(&it, s);
	UT_EQ(-ERANGE, sx_sip_contact_next(&it, &c));
	UT_EQ(1, sx_sip_contact_next(&it, &c));
	UT_EQ(0, sx_sip_contact_next(&it, &c));
	ut_unguard_sl(&s);

	s = ut_guard_sl("<sip:a@b>,,<sip:c@d>");
	sx_sip_list_iter_init(&it, s);
	int rc = 1;
	for (int i = 0; i < 3 && rc == 1; i++)
		rc = sx_sip_contact_next(&it, &c);
	UT_EQ(-EBADMSG, rc);
	UT_EQ(0, sx_sip_contact_next(&it, &c));
	ut_unguard_sl(&s);

	s = ut_guard_sl("<sip:a@b>, \"unterminated <sip:c@d>");
	sx_sip_list_iter_init(&it, s);
	rc = 1;
	for (int i = 0; i < 3 && rc == 1; i++)
		rc = sx_sip_contact_next(&it, &c);
	UT_EQ(-EBADMSG, rc);
	ut_unguard_sl(&s);
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_list_limit(void)
{
	int err = 0;
	static char buf[(SX_SIP_MAX_LIST_ELEMS + 1) * 10];
	struct sx_sip_list_iter it;
	struct sx_sl elem;
	size_t n = 0;
	int rc;

	for (unsigned i = 0; i <= SX_SIP_MAX_LIST_ELEMS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s<sip:%u>",
				      i ? "," : "", i % 10);
	sx_sip_list_iter_init(&it, sx_sl_make(buf, n));
	for (unsigned i = 0; i < SX_SIP_MAX_LIST_ELEMS; i++)
		UT_EQ(1, sx_sip_list_iter_next(&it, &elem));
	rc = sx_sip_list_iter_next(&it, &elem);
	UT_EQ(-E2BIG, rc);
	UT_EQ(0, sx_sip_list_iter_next(&it, &elem));
out:
	return err;
}

static int test_route(void)
{
	int err = 0;
	struct sx_sip_list_iter it;
	struct sx_sip_addr a;
	struct sx_sl s = ut_guard_sl("<sip:p1.example.com;lr>,<sip:p2.example.com;"
			       "lr>;foo=1");

	sx_sip_list_iter_init(&it, s);
	UT_EQ(1, sx_sip_route_next(&it, &a));
	UT_SL_EQ("p1.example.com", a.uri.host);
	UT_SL_EQ("lr", a.uri.params);
	UT_EQ(1, sx_sip_route_next(&it, &a));
	UT_SL_EQ("foo=1", a.params);
	UT_EQ(0, sx_sip_route_next(&it, &a));
	ut_unguard_sl(&s);

	s = ut_guard_sl("sip:p1.example.com;lr");
	sx_sip_list_iter_init(&it, s);
	UT_EQ(-EBADMSG, sx_sip_route_next(&it, &a));
	ut_unguard_sl(&s);

	/* P-Asserted-Identity: name-addr or addr-spec (RFC 3325 9.1) */
	s = ut_guard_sl("\"Cullen Jennings\" <sip:fluffy@cisco.com>, "
		  "tel:+14085264000");
	sx_sip_list_iter_init(&it, s);
	UT_EQ(1, sx_sip_addr_next(&it, &a));
	UT_SL_EQ("fluffy", a.uri.user);
	UT_EQ(1, sx_sip_addr_next(&it, &a));
	UT_EQ(SX_SIP_URI_TEL, a.uri.scheme);
	UT_EQ(0, sx_sip_addr_next(&it, &a));
	ut_unguard_sl(&s);
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_refer_to(void)
{
	int err = 0;
	struct sx_sip_addr a;
	struct sx_sl s = ut_guard_sl("<sip:bob@b.example?Replaces=12345%40192.168."
			       "118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>"
			       ";x=1");

	UT_OK(sx_sip_addr1_parse(&a, s));
	UT_SL_EQ("Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag"
		 "%3D5FFE-3994", a.uri.headers);
	UT_SL_EQ("x=1", a.params);
	ut_unguard_sl(&s);

	s = ut_guard_sl("<sip:a@b>, <sip:c@d>");
	UT_EQ(-EBADMSG, sx_sip_addr1_parse(&a, s));
	ut_unguard_sl(&s);
	s = ut_guard_sl("  ");
	UT_EQ(-EBADMSG, sx_sip_addr1_parse(&a, s));
	ut_unguard_sl(&s);
	s = ut_guard_sl("<sip:a@b>,");
	UT_EQ(-EBADMSG, sx_sip_addr1_parse(&a, s));
	ut_unguard_sl(&s);
out:
	ut_unguard_sl(&s);
	return err;
}

UT_MAIN(UT_C(test_qvalue), UT_C(test_contact_valid),
	UT_C(test_contact_invalid), UT_C(test_contact_range_rest),
	UT_C(test_contact_list), UT_C(test_list_limit), UT_C(test_route),
	UT_C(test_refer_to))
