/*
 * Unit tests for the event headers of sx/sip/hdrs.h (RFC 6665 8.2.1
 * Event, 8.2.3 Subscription-State).  Inputs sit against guard pages.
 */
#include <errno.h>

#include <sx/sip/hdrs.h>

#include "ut.h"

static int test_event(void)
{
	int err = 0;
	struct sx_sip_event e;
	struct sx_sl s = ut_guard_sl("presence.winfo ; id=1234 ;x=y");

	UT_OK(sx_sip_event_parse(&e, s));
	UT_SL_EQ("presence.winfo", e.package);
	UT_SL_EQ("1234", e.id);
	UT_SL_EQ("id=1234 ;x=y", e.params);
	ut_unguard_sl(&s);
	s = ut_guard_sl("dialog");
	UT_OK(sx_sip_event_parse(&e, s));
	UT_SL_EQ("dialog", e.package);
	UT_TRUE(!e.id.p);
	UT_TRUE(!e.params.p);
	ut_unguard_sl(&s);
	static const char *const bad[] = {
		"",	      "pres ence",	  "presence;id=1;id=2",
		"presence;id", "presence;",	  ".presence",
		"presence.",  "presence;id=\"x", "pres@ence",
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		ut_unguard_sl(&s);
		s = ut_guard_sl(bad[i]);
		UT_EQ(-EBADMSG, sx_sip_event_parse(&e, s));
	}
out:
	ut_unguard_sl(&s);
	return err;
}

static int test_sub_state(void)
{
	int err = 0;
	struct sx_sip_sub_state ss;
	struct sx_sl s = ut_guard_sl("active;expires=600");

	UT_OK(sx_sip_sub_state_parse(&ss, s));
	UT_EQ(SX_SIP_SUBSTATE_ACTIVE, ss.state);
	UT_TRUE(ss.has_expires);
	UT_EQ(600, ss.expires);
	UT_TRUE(!ss.reason.p);
	ut_unguard_sl(&s);

	s = ut_guard_sl("Terminated ;reason=timeout;retry-after=30");
	UT_OK(sx_sip_sub_state_parse(&ss, s));
	UT_EQ(SX_SIP_SUBSTATE_TERMINATED, ss.state);
	UT_SL_EQ("timeout", ss.reason);
	UT_TRUE(ss.has_retry_after);
	UT_EQ(30, ss.retry_after);
	UT_TRUE(!ss.has_expires);
	ut_unguard_sl(&s);

	s = ut_guard_sl("pending");
	UT_OK(sx_sip_sub_state_parse(&ss, s));
	UT_EQ(SX_SIP_SUBSTATE_PENDING, ss.state);
	ut_unguard_sl(&s);

	s = ut_guard_sl("waiting;foo");
	UT_OK(sx_sip_sub_state_parse(&ss, s));
	UT_EQ(SX_SIP_SUBSTATE_OTHER, ss.state);
	UT_SL_EQ("waiting", ss.state_sl);
	ut_unguard_sl(&s);

	static const struct {
		const char *in;
		int rc;
	} bad[] = {
		{"active;expires=4294967296", -ERANGE},
		{"active;expires=1;expires=2", -EBADMSG},
		{"active;expires=", -EBADMSG},
		{"active;expires", -EBADMSG},
		{"terminated;reason", -EBADMSG},
		{"terminated;reason=a;reason=b", -EBADMSG},
		{"terminated;reason=\"quoted\"", -EBADMSG},
		{"terminated;retry-after=x", -EBADMSG},
		{"", -EBADMSG},
		{"act ive", -EBADMSG},
		{"active;", -EBADMSG},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		ut_unguard_sl(&s);
		s = ut_guard_sl(bad[i].in);
		int rc = sx_sip_sub_state_parse(&ss, s);
		if (rc != bad[i].rc)
			fprintf(stderr, "case %zu: %s -> %d\n", i, bad[i].in,
				rc);
		UT_EQ(bad[i].rc, rc);
	}
out:
	ut_unguard_sl(&s);
	return err;
}

UT_MAIN(UT_C(test_event), UT_C(test_sub_state))
