/*
 * Unit tests for the numeric and diagnostic headers of sx/sip/hdrs.h:
 * Expires, Retry-After, Session-Expires / Min-SE, RSeq / RAck,
 * Timestamp, Replaces, Reason, Warning.  Inputs sit against guard pages.
 */
#include <errno.h>

#include <sx/sip/hdrs.h>

#include "ut.h"

static int test_delta(void)
{
	int err = 0;
	static const struct {
		const char *in;
		int rc;
		uint32_t v;
	} t[] = {
		{"3600", 0, 3600},
		{" 0 ", 0, 0},
		{"4294967295", 0, 4294967295u},
		{"4294967296", -ERANGE, 0},
		{"99999999999999999999", -ERANGE, 0},
		{"", -EBADMSG, 0},
		{"-1", -EBADMSG, 0},
		{"1 2", -EBADMSG, 0},
		{"Thu, 01 Dec 1994 16:00:00 GMT", -EBADMSG, 0},
		{"0x10", -EBADMSG, 0},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		struct sx_sl s = ut_guard_sl(t[i].in);
		uint32_t v = 7;
		int rc = sx_sip_delta_parse(s, &v);
		ut_unguard_sl(&s);
		UT_EQ(t[i].rc, rc);
		UT_EQ(rc ? 7 : t[i].v, v);
	}
out:
	return err;
}

static int test_retry_after(void)
{
	int err = 0;
	struct sx_sip_retry_after ra;
	struct sx_sl s = ut_guard_sl("18000;duration=3600");

	UT_OK(sx_sip_retry_after_parse(&ra, s));
	UT_EQ(18000, ra.delta);
	UT_TRUE(ra.has_duration);
	UT_EQ(3600, ra.duration);
	UT_TRUE(!ra.comment.p);
	ut_unguard_sl(&s);

	s = ut_guard_sl("120 (I'm in a meeting (really; busy)) ;duration=60;x=y");
	UT_OK(sx_sip_retry_after_parse(&ra, s));
	UT_EQ(120, ra.delta);
	UT_SL_EQ("I'm in a meeting (really; busy)", ra.comment);
	UT_EQ(60, ra.duration);
	UT_SL_EQ("duration=60;x=y", ra.params);
	ut_unguard_sl(&s);

	static const struct {
		const char *in;
		int rc;
	} bad[] = {
		{"120 (unterminated", -EBADMSG},
		{"120 (a))", -EBADMSG},
		{"120;duration=1;duration=2", -EBADMSG},
		{"120;duration=4294967296", -ERANGE},
		{"4294967296", -ERANGE},
		{"120;", -EBADMSG},
		{"120 x", -EBADMSG},
		{"(c) 120", -EBADMSG},
		{"1 ((((((((((deep))))))))))", -EBADMSG},
		{"1 (a\\", -EBADMSG},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		ut_unguard_sl(&s);
		s = ut_guard_sl(bad[i].in);
		UT_EQ(bad[i].rc, sx_sip_retry_after_parse(&ra, s));
	}
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_session_expires(void)
{
	int err = 0;
	struct sx_sip_session_expires se;
	struct sx_sl s = ut_guard_sl("4000;refresher=UAC");

	UT_OK(sx_sip_session_expires_parse(&se, s));
	UT_EQ(4000, se.delta);
	UT_EQ(SX_SIP_REFRESHER_UAC, se.refresher);
	ut_unguard_sl(&s);
	s = ut_guard_sl("90");
	UT_OK(sx_sip_session_expires_parse(&se, s));
	UT_EQ(SX_SIP_REFRESHER_NONE, se.refresher);
	UT_TRUE(!se.params.p);
	ut_unguard_sl(&s);
	s = ut_guard_sl("1800 ; refresher = uas ; x");
	UT_OK(sx_sip_session_expires_parse(&se, s));
	UT_EQ(SX_SIP_REFRESHER_UAS, se.refresher);
	ut_unguard_sl(&s);
	s = ut_guard_sl("1800;refresher=proxy");
	UT_EQ(-EBADMSG, sx_sip_session_expires_parse(&se, s));
	ut_unguard_sl(&s);
	s = ut_guard_sl("1800;refresher=uac;refresher=uas");
	UT_EQ(-EBADMSG, sx_sip_session_expires_parse(&se, s));
	ut_unguard_sl(&s);
	s = ut_guard_sl(";refresher=uac");
	UT_EQ(-EBADMSG, sx_sip_session_expires_parse(&se, s));
	ut_unguard_sl(&s);
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_rseq_rack(void)
{
	int err = 0;
	struct sx_sip_rack r;
	uint32_t v = 0;
	struct sx_sl s = ut_guard_sl("776656 1 INVITE");

	UT_OK(sx_sip_rack_parse(&r, s));
	UT_EQ(776656, r.rseq);
	UT_EQ(1, r.cseq);
	UT_SL_EQ("INVITE", r.method_sl);
	ut_unguard_sl(&s);
	static const char *const bad[] = {
		"776656 1", "0 1 INVITE", "2147483648 1 INVITE",
		"1 2147483648 INVITE", "1 1 INVITE x", "a 1 INVITE",
		"1 1 INV@ITE", "",
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		ut_unguard_sl(&s);
		s = ut_guard_sl(bad[i]);
		int rc = sx_sip_rack_parse(&r, s);
		UT_TRUE(rc == -EBADMSG || rc == -ERANGE);
	}
	ut_unguard_sl(&s);
	s = ut_guard_sl(" 988789 ");
	UT_OK(sx_sip_rseq_parse(s, &v));
	UT_EQ(988789, v);
	ut_unguard_sl(&s);
	s = ut_guard_sl("0");
	UT_EQ(-ERANGE, sx_sip_rseq_parse(s, &v));
	ut_unguard_sl(&s);
	s = ut_guard_sl("2147483648");
	UT_EQ(-ERANGE, sx_sip_rseq_parse(s, &v));
	ut_unguard_sl(&s);
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_timestamp(void)
{
	int err = 0;
	struct sx_sip_timestamp ts;
	struct sx_sl s = ut_guard_sl("54.21 0.3");

	UT_OK(sx_sip_timestamp_parse(&ts, s));
	UT_SL_EQ("54.21", ts.value);
	UT_SL_EQ("0.3", ts.delay);
	ut_unguard_sl(&s);
	s = ut_guard_sl("54");
	UT_OK(sx_sip_timestamp_parse(&ts, s));
	UT_TRUE(!ts.delay.p);
	ut_unguard_sl(&s);
	static const char *const bad[] = {".5", "5 x", "5 1 2", "", "5..1"};
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		ut_unguard_sl(&s);
		s = ut_guard_sl(bad[i]);
		UT_EQ(-EBADMSG, sx_sip_timestamp_parse(&ts, s));
	}
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_replaces(void)
{
	int err = 0;
	struct sx_sip_replaces r;
	struct sx_sl s = ut_guard_sl("425928@bobster.example.org;to-tag=7743;"
			       "from-tag=6472;early-only");

	UT_OK(sx_sip_replaces_parse(&r, s));
	UT_SL_EQ("425928@bobster.example.org", r.call_id);
	UT_SL_EQ("7743", r.to_tag);
	UT_SL_EQ("6472", r.from_tag);
	UT_TRUE(r.early_only);
	ut_unguard_sl(&s);
	static const char *const bad[] = {
		"abc",
		"abc;to-tag=1",
		"abc;from-tag=1",
		"abc;to-tag=1;from-tag=2;to-tag=3",
		"abc;to-tag;from-tag=2",
		"abc;to-tag=1;from-tag=2;early-only;early-only",
		"abc;to-tag=1;from-tag=2;early-only=yes",
		";to-tag=1;from-tag=2",
		"a b;to-tag=1;from-tag=2",
		"abc;to-tag=1;from-tag=2;",
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		ut_unguard_sl(&s);
		s = ut_guard_sl(bad[i]);
		UT_EQ(-EBADMSG, sx_sip_replaces_parse(&r, s));
	}
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_reason(void)
{
	int err = 0;
	struct sx_sip_list_iter it;
	struct sx_sip_reason r;
	struct sx_sl s = ut_guard_sl("SIP ;cause=200 ;text=\"Call completed "
			       "elsewhere\", Q.850;cause=16;text=\"a\\\"b\"");

	sx_sip_list_iter_init(&it, s);
	UT_EQ(1, sx_sip_reason_next(&it, &r));
	UT_SL_EQ("SIP", r.protocol);
	UT_TRUE(r.has_cause);
	UT_EQ(200, r.cause);
	UT_SL_EQ("Call completed elsewhere", r.text);
	UT_EQ(1, sx_sip_reason_next(&it, &r));
	UT_SL_EQ("Q.850", r.protocol);
	UT_EQ(16, r.cause);
	UT_SL_EQ("a\\\"b", r.text);
	UT_EQ(0, sx_sip_reason_next(&it, &r));
	ut_unguard_sl(&s);
	s = ut_guard_sl("preemption ;cause=1");
	UT_OK(sx_sip_reason_parse(&r, s));
	UT_TRUE(!r.text.p);
	ut_unguard_sl(&s);
	static const struct {
		const char *in;
		int rc;
	} bad[] = {
		{"SIP;cause=1;cause=2", -EBADMSG},
		{"SIP;cause=x", -EBADMSG},
		{"SIP;cause=99999999999", -ERANGE},
		{"SIP;text=unquoted", -EBADMSG},
		{"SIP;text=\"open", -EBADMSG},
		{"SIP;text=\"a\";text=\"b\"", -EBADMSG},
		{"S I P", -EBADMSG},
		{";cause=1", -EBADMSG},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		ut_unguard_sl(&s);
		s = ut_guard_sl(bad[i].in);
		UT_EQ(bad[i].rc, sx_sip_reason_parse(&r, s));
	}
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_warning(void)
{
	int err = 0;
	struct sx_sip_list_iter it;
	struct sx_sip_warning w;
	struct sx_sl s = ut_guard_sl("307 isi.edu \"Session parameter 'foo' not "
			       "understood\", 301 [2001:db8::1]:5060 \"a, b\"");

	sx_sip_list_iter_init(&it, s);
	UT_EQ(1, sx_sip_warning_next(&it, &w));
	UT_EQ(307, w.code);
	UT_SL_EQ("isi.edu", w.agent);
	UT_SL_EQ("Session parameter 'foo' not understood", w.text);
	UT_EQ(1, sx_sip_warning_next(&it, &w));
	UT_EQ(301, w.code);
	UT_SL_EQ("[2001:db8::1]:5060", w.agent);
	UT_SL_EQ("a, b", w.text);
	UT_EQ(0, sx_sip_warning_next(&it, &w));
	static const char *const bad[] = {
		"30 isi.edu \"x\"",	 "3077 isi.edu \"x\"",
		"307 isi.edu x",	 "307 isi.edu \"x",
		"307 \"x\"",		 "307isi.edu \"x\"",
		"307 isi.edu\"x\"",	 "307 isi.edu \"x\" y",
		"",			 "abc isi.edu \"x\"",
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		ut_unguard_sl(&s);
		s = ut_guard_sl(bad[i]);
		UT_EQ(-EBADMSG, sx_sip_warning_parse(&w, s));
	}
out:
	ut_unguard_sl(&s);
	return err;
}

UT_MAIN(UT_C(test_delta), UT_C(test_retry_after), UT_C(test_session_expires),
	UT_C(test_rseq_rack), UT_C(test_timestamp), UT_C(test_replaces),
	UT_C(test_reason), UT_C(test_warning))
