/*
 * Unit tests for media types (Content-Type, Accept: RFC 3261 20.1,
 * 20.15) and token lists (Require, Supported, Allow, Allow-Events,
 * Accept-Encoding ...) of sx/sip/hdrs.h.  Inputs sit against guard pages.
 */
#include <errno.h>

#include <sx/sip/hdrs.h>

#include "ut.h"

static int test_mtype(void)
{
	int err = 0;
	struct sx_sip_mtype m;
	struct sx_sl v;
	struct sx_sl s = ut_guard_sl("Multipart/Mixed ; "
			       "boundary=\"unique-boundary-1\";charset=UTF-8");

	UT_OK(sx_sip_mtype_parse(&m, s));
	UT_SL_EQ("Multipart", m.type);
	UT_SL_EQ("Mixed", m.subtype);
	UT_TRUE(sx_sip_mtype_eq(&m, "multipart", "mixed"));
	UT_TRUE(!sx_sip_mtype_eq(&m, "multipart", "related"));
	UT_OK(sx_sip_mtype_param(&m, "BOUNDARY", &v));
	UT_SL_EQ("unique-boundary-1", v);
	UT_OK(sx_sip_mtype_param(&m, "charset", &v));
	UT_SL_EQ("UTF-8", v);
	UT_EQ(-ENOENT, sx_sip_mtype_param(&m, "q", &v));
	ut_unguard_sl(&s);

	s = ut_guard_sl("application / sdp");
	UT_OK(sx_sip_mtype_parse(&m, s));
	UT_TRUE(sx_sip_mtype_eq(&m, "application", "sdp"));
	UT_TRUE(!m.params.p);
	UT_EQ(-ENOENT, sx_sip_mtype_param(&m, "charset", &v));
	ut_unguard_sl(&s);

	static const char *const bad[] = {
		"application",	      "application/",	   "/sdp",
		"application/sdp;",   "application/sdp;;a", "app lication/sdp",
		"application/sdp x",  "application/s/dp",  "",
		"text/plain;a=\"open", "text/plain;=1",	   "a@b/c",
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		ut_unguard_sl(&s);
		s = ut_guard_sl(bad[i]);
		int rc = sx_sip_mtype_parse(&m, s);
		if (rc != -EBADMSG)
			fprintf(stderr, "case %zu: %s -> %d\n", i, bad[i], rc);
		UT_EQ(-EBADMSG, rc);
	}
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_accept(void)
{
	int err = 0;
	struct sx_sip_list_iter it;
	struct sx_sip_mtype m;
	struct sx_sl q;
	struct sx_sl s = ut_guard_sl("application/sdp;level=1, application/*;q=0.5,"
			       " */*");

	sx_sip_list_iter_init(&it, s);
	UT_EQ(1, sx_sip_accept_next(&it, &m));
	UT_TRUE(sx_sip_mtype_match(&m, "application", "sdp"));
	UT_TRUE(!sx_sip_mtype_match(&m, "application", "pidf+xml"));
	UT_EQ(1, sx_sip_accept_next(&it, &m));
	UT_TRUE(sx_sip_mtype_match(&m, "application", "pidf+xml"));
	UT_TRUE(!sx_sip_mtype_match(&m, "text", "plain"));
	UT_OK(sx_sip_mtype_param(&m, "q", &q));
	UT_SL_EQ("0.5", q);
	UT_EQ(1, sx_sip_accept_next(&it, &m));
	UT_TRUE(sx_sip_mtype_match(&m, "text", "plain"));
	UT_EQ(0, sx_sip_accept_next(&it, &m));
	ut_unguard_sl(&s);

	/* an empty Accept: nothing is acceptable (RFC 3261 20.1) */
	s = ut_guard_sl("");
	sx_sip_list_iter_init(&it, s);
	UT_EQ(0, sx_sip_accept_next(&it, &m));
	ut_unguard_sl(&s);
	s = ut_guard_sl("application/sdp,");
	sx_sip_list_iter_init(&it, s);
	UT_EQ(-EBADMSG, sx_sip_accept_next(&it, &m));
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_tokens(void)
{
	int err = 0;
	struct sx_sip_list_iter it;
	struct sx_sl tok, params;
	struct sx_sl s = ut_guard_sl("100rel, timer ,\r\n\tpath,gruu");

	sx_sip_list_iter_init(&it, s);
	UT_EQ(1, sx_sip_token_next(&it, &tok, &params));
	UT_SL_EQ("100rel", tok);
	UT_TRUE(!params.p);
	UT_EQ(1, sx_sip_token_next(&it, &tok, NULL));
	UT_SL_EQ("timer", tok);
	UT_EQ(1, sx_sip_token_next(&it, &tok, NULL));
	UT_SL_EQ("path", tok);
	UT_EQ(1, sx_sip_token_next(&it, &tok, NULL));
	UT_EQ(0, sx_sip_token_next(&it, &tok, NULL));
	UT_EQ(1, sx_sip_token_list_has(s, SX_SL("TIMER")));
	UT_EQ(1, sx_sip_token_list_has(s, SX_SL("gruu")));
	UT_EQ(0, sx_sip_token_list_has(s, SX_SL("time")));
	ut_unguard_sl(&s);

	s = ut_guard_sl("gzip;q=1.0, identity; q=0.5, *;q=0");
	sx_sip_list_iter_init(&it, s);
	UT_EQ(1, sx_sip_token_next(&it, &tok, &params));
	UT_SL_EQ("gzip", tok);
	UT_SL_EQ("q=1.0", params);
	UT_EQ(1, sx_sip_token_next(&it, &tok, &params));
	UT_SL_EQ("q=0.5", params);
	UT_EQ(1, sx_sip_token_next(&it, &tok, &params));
	UT_SL_EQ("*", tok);
	ut_unguard_sl(&s);

	s = ut_guard_sl("presence, dialog, message-summary, presence.winfo");
	UT_EQ(1, sx_sip_token_list_has(s, SX_SL("presence.winfo")));
	ut_unguard_sl(&s);

	s = ut_guard_sl(" ");
	UT_EQ(0, sx_sip_token_list_has(s, SX_SL("x")));
	ut_unguard_sl(&s);

	static const char *const bad[] = {
		"a,,b", "a b", "a,",  ",a",	 "a;",
		"a;=1", "\"a\"", "a@b", "a;q=\"x",
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		ut_unguard_sl(&s);
		s = ut_guard_sl(bad[i]);
		int rc = sx_sip_token_list_has(s, SX_SL("zzz"));
		if (rc != -EBADMSG)
			fprintf(stderr, "case %zu: %s -> %d\n", i, bad[i], rc);
		UT_EQ(-EBADMSG, rc);
	}
	UT_TRUE(sx_sip_is_token(SX_SL("a-b.c!%*_+`'~9")));
	UT_TRUE(!sx_sip_is_token(SX_SL("")));
	UT_TRUE(!sx_sip_is_token(SX_SL("a/b")));
out:
	ut_unguard_sl(&s);
	return err;
}

UT_MAIN(UT_C(test_mtype), UT_C(test_accept), UT_C(test_tokens))
