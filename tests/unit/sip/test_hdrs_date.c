/*
 * Unit tests for the Date header of sx/sip/hdrs.h (RFC 3261 20.17,
 * rfc1123-date in GMT; RFC 4475 3.1.2.16 baddate).  Inputs sit against
 * guard pages.
 */
#include <errno.h>

#include <sx/sip/hdrs.h>

#include "ut.h"

static int test_date_valid(void)
{
	int err = 0;
	static const struct {
		const char *in;
		long long t;
	} t[] = {
		{"Sat, 13 Nov 2010 23:29:00 GMT", 1289690940},
		{"Thu, 01 Jan 1970 00:00:00 GMT", 0},
		{"Sat, 15 Oct 2005 04:44:56 GMT", 1129351496},
		{"Tue, 29 Feb 2000 12:00:00 GMT", 951825600},
		{"Fri, 31 Dec 9999 23:59:59 GMT", 253402300799},
		{"  sun,  06 nov 1994 08:49:37 gmt ", 784111777},
		{"Sun, 06 Nov 1994\r\n 08:49:37 GMT", 784111777},
		{"Wed, 31 Dec 2008 23:59:60 GMT", 1230768000},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		struct sx_sl s = ut_guard_sl(t[i].in);
		time_t v = 0;
		int rc = sx_sip_date_parse(s, &v);
		ut_unguard_sl(&s);
		if (rc)
			fprintf(stderr, "case %zu: %s -> %d\n", i, t[i].in, rc);
		UT_OK(rc);
		UT_EQ(t[i].t, v);
	}
out:
	return err;
}

static int test_date_invalid(void)
{
	int err = 0;
	static const char *const t[] = {
		"Fri, 01 Jan 2010 16:00:00 EST", /* RFC 4475 baddate */
		"Fri, 01 Jan 2010 16:00:00 UTC",
		"Fri, 01 Jan 2010 16:00:00 +0000",
		"Fri, 01 Jan 2010 16:00:00",
		"Fri, 01 Jan 2010 16:00:00 GMTX",
		"Fri, 01 Jan 2010 16:00 GMT",
		"Fri 01 Jan 2010 16:00:00 GMT",
		"Fry, 01 Jan 2010 16:00:00 GMT",
		"Fri, 1 Jan 2010 16:00:00 GMT",
		"Fri, 01 Jan 10 16:00:00 GMT",
		"Fri, 01 Foo 2010 16:00:00 GMT",
		"Fri, 00 Jan 2010 16:00:00 GMT",
		"Fri, 32 Jan 2010 16:00:00 GMT",
		"Fri, 29 Feb 2010 16:00:00 GMT",
		"Fri, 29 Feb 1900 16:00:00 GMT",
		"Fri, 31 Apr 2010 16:00:00 GMT",
		"Fri, 01 Jan 2010 24:00:00 GMT",
		"Fri, 01 Jan 2010 16:60:00 GMT",
		"Fri, 01 Jan 2010 16:00:61 GMT",
		"Fri, 01 Jan 2010 16:00:0x GMT",
		"Friday, 01-Jan-10 16:00:00 GMT",
		"Fri Jan  1 16:00:00 2010",
		"",
		"Fri,",
		"Fri, 01 Jan 2010 16:00:00 G",
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		struct sx_sl s = ut_guard_sl(t[i]);
		time_t v = 7;
		int rc = sx_sip_date_parse(s, &v);
		ut_unguard_sl(&s);
		if (rc != -EBADMSG)
			fprintf(stderr, "case %zu: %s -> %d\n", i, t[i], rc);
		UT_EQ(-EBADMSG, rc);
		UT_EQ(7, v);
	}
out:
	return err;
}

static int test_date_print(void)
{
	int err = 0;
	char buf[SX_SIP_DATE_LEN + 1];
	time_t t = 0;

	UT_OK(sx_sip_date_print(784111777, buf, sizeof(buf)));
	UT_STR_EQ("Sun, 06 Nov 1994 08:49:37 GMT", buf);
	UT_OK(sx_sip_date_parse(sx_sl_cstr(buf), &t));
	UT_EQ(784111777, t);
	UT_OK(sx_sip_date_print(0, buf, sizeof(buf)));
	UT_STR_EQ("Thu, 01 Jan 1970 00:00:00 GMT", buf);
	UT_EQ(-EINVAL, sx_sip_date_print(0, buf, SX_SIP_DATE_LEN));
	UT_EQ(-ERANGE, sx_sip_date_print(-1, buf, sizeof(buf)));
	UT_EQ(-ERANGE, sx_sip_date_print((time_t)253402300800, buf,
					 sizeof(buf)));
	/* round trip over a spread of times */
	for (long long x = 0; x < 253402300799LL; x += 7777777LL * 97) {
		time_t back = 0;
		UT_OK(sx_sip_date_print((time_t)x, buf, sizeof(buf)));
		UT_OK(sx_sip_date_parse(sx_sl_cstr(buf), &back));
		UT_EQ(x, back);
	}
out:
	return err;
}

UT_MAIN(UT_C(test_date_valid), UT_C(test_date_invalid),
	UT_C(test_date_print))
