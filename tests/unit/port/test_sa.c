/*
 * Unit tests for sx_sa: parse/print round trips as a table (IPv4, IPv6
 * with brackets, defaults), rejects, comparison and hashing, loopback and
 * wildcard tests, and parsing against a guard page (no over-read).
 */
#include <arpa/inet.h>

#include <sx/port/sa.h>

#include "ut.h"

static int test_sa_parse_print(void)
{
	static const struct {
		const char *in;
		int af;
		uint16_t port;
		const char *out;
	} t[] = {
	    {"127.0.0.1:5060", AF_INET, 5060, "127.0.0.1:5060"},
	    {"10.0.0.1", AF_INET, 0, "10.0.0.1:0"},
	    {"255.255.255.255:65535", AF_INET, 65535, "255.255.255.255:65535"},
	    {"[::1]:5060", AF_INET6, 5060, "[::1]:5060"},
	    {"[::1]", AF_INET6, 0, "[::1]:0"},
	    {"::1", AF_INET6, 0, "[::1]:0"},
	    {"[2001:DB8::0:1]:5061", AF_INET6, 5061, "[2001:db8::1]:5061"},
	    {"[::ffff:192.0.2.1]:1", AF_INET6, 1, "[::ffff:192.0.2.1]:1"},
	    {"0.0.0.0:00080", AF_INET, 80, "0.0.0.0:80"},
	};
	char buf[SX_SA_STRLEN];
	int err = 0;

	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		struct sx_sa sa;
		UT_OK(sx_sa_parse(&sa, sx_sl_cstr(t[i].in)));
		UT_EQ(t[i].af, sx_sa_af(&sa));
		UT_EQ(t[i].port, sx_sa_port(&sa));
		ssize_t n = sx_sa_print(&sa, buf, sizeof(buf));
		UT_EQ(strlen(t[i].out), n);
		UT_STR_EQ(t[i].out, buf);
		/* the printed form parses back to the same address */
		struct sx_sa back;
		UT_OK(sx_sa_parse(&back, sx_sl_cstr(buf)));
		UT_TRUE(sx_sa_eq(&sa, &back));
	}
out:
	return err;
}

static int test_sa_reject(void)
{
	static const char *const bad[] = {
	    "",
	    ":",
	    ":5060",
	    "127.0.0.1:",
	    "127.0.0.1:65536",
	    "127.0.0.1:-1",
	    "127.0.0.1:+1",
	    "127.0.0.1:50a",
	    "1.2.3",
	    "1.2.3.4.5",
	    "256.0.0.1",
	    "01.2.3.4x",
	    "[::1",
	    "[::1]x",
	    "[::1]:",
	    "[]",
	    "[127.0.0.1]:5060",
	    "::1:5060:",
	    "[::1]:99999",
	    "example.com:5060",
	    "[fe80::1%eth0]:5060",
	    " 1.2.3.4",
	    "1.2.3.4 ",
	    "[:::]",
	    "1.2.3.4:5060:1",
	};
	struct sx_sa sa, keep;
	int err = 0;

	UT_OK(sx_sa_parse(&keep, SX_SL("192.0.2.7:9")));
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		sa = keep;
		int rc = sx_sa_parse(&sa, sx_sl_cstr(bad[i]));
		if (rc != -EINVAL) {
			err = ut__fail(__FILE__, __LINE__, "\"%s\" gave %d",
			               bad[i], rc);
			goto out;
		}
		UT_TRUE(sx_sa_eq(&sa, &keep)); /* untouched on error */
	}
	/* an embedded NUL is not the end of the input */
	UT_EQ(-EINVAL, sx_sa_parse(&sa, sx_sl_make("1.2.3.4\0:5", 10)));
	UT_EQ(-EINVAL, sx_sa_parse(NULL, SX_SL("1.2.3.4")));
	UT_EQ(-EINVAL, sx_sa_parse(&sa, SX_SL_NULL));
out:
	return err;
}

/* Each input copied to the end of a page followed by PROT_NONE. */
static int test_sa_guard_page(void)
{
	static const char *const in[] = {
	    "127.0.0.1:5060", "[::1]:5060", "[::1", "1.2.3.4:", "::", "[", "9",
	    "[::1]:6553",
	};
	int err = 0;

	for (size_t i = 0; i < SX_ARRAY_SIZE(in); i++) {
		size_t len = strlen(in[i]);
		char *p = ut_guard_copy(in[i], len);
		UT_TRUE(p != NULL);
		struct sx_sa sa;
		int rc = sx_sa_parse(&sa, sx_sl_make(p, len));
		ut_guard_free(p, len);
		UT_TRUE(rc == 0 || rc == -EINVAL);
	}
out:
	return err;
}

static int test_sa_cmp_hash(void)
{
	struct sx_sa a, b, c, d, u;
	int err = 0;

	sx_sa_init(&u);
	UT_TRUE(!sx_sa_isset(&u));
	UT_EQ(0, sx_sa_port(&u));
	UT_OK(sx_sa_parse(&a, SX_SL("10.0.0.1:5060")));
	UT_OK(sx_sa_parse(&b, SX_SL("10.0.0.1:5061")));
	UT_OK(sx_sa_parse(&c, SX_SL("[::1]:5060")));
	UT_OK(sx_sa_set_str(&d, SX_SL("10.0.0.1"), 5060));
	UT_TRUE(sx_sa_eq(&a, &d));
	UT_EQ(sx_sa_hash(&a), sx_sa_hash(&d));
	UT_TRUE(!sx_sa_eq(&a, &b));
	UT_TRUE(sx_sa_eq_addr(&a, &b));
	UT_TRUE(sx_sa_cmp(&a, &b) < 0);
	UT_TRUE(sx_sa_cmp(&b, &a) > 0);
	UT_TRUE(sx_sa_hash(&a) != sx_sa_hash(&b));
	UT_TRUE(!sx_sa_eq_addr(&a, &c));
	UT_TRUE(sx_sa_cmp(&u, &a) < 0);
	UT_TRUE(sx_sa_cmp(&a, &c) < 0); /* AF_INET before AF_INET6 */
	sx_sa_set_port(&b, 5060);
	UT_TRUE(sx_sa_eq(&a, &b));
	sx_sa_set_port(&c, 7);
	UT_EQ(7, sx_sa_port(&c));
	/* from a kernel sockaddr */
	struct sockaddr_in sin = {.sin_family = AF_INET,
	                          .sin_port = htons(5060)};
	sin.sin_addr.s_addr = htonl(0x0a000001);
	UT_OK(sx_sa_set_sockaddr(&d, (struct sockaddr *)&sin, sizeof(sin)));
	UT_TRUE(sx_sa_eq(&a, &d));
	UT_EQ(-EINVAL, sx_sa_set_sockaddr(&d, (struct sockaddr *)&sin, 4));
	struct sockaddr un = {.sa_family = AF_UNIX};
	UT_EQ(-EAFNOSUPPORT, sx_sa_set_sockaddr(&d, &un, sizeof(un)));
out:
	return err;
}

static int test_sa_kinds_and_print(void)
{
	static const struct {
		const char *in;
		bool loop, any;
	} t[] = {
	    {"127.0.0.1", true, false},  {"127.255.0.9", true, false},
	    {"128.0.0.1", false, false}, {"0.0.0.0", false, true},
	    {"::1", true, false},        {"::", false, true},
	    {"::2", false, false},
	};
	char small[6], buf[SX_SA_STRLEN];
	struct sx_sa sa, u;
	int err = 0;

	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		UT_OK(sx_sa_parse(&sa, sx_sl_cstr(t[i].in)));
		UT_EQ(t[i].loop, sx_sa_is_loopback(&sa));
		UT_EQ(t[i].any, sx_sa_is_any(&sa));
	}
	UT_OK(sx_sa_parse(&sa, SX_SL("[2001:db8::1]:5060")));
	UT_EQ(-ENOSPC, sx_sa_print(&sa, small, sizeof(small)));
	UT_EQ(-ENOSPC, sx_sa_print_addr(&sa, small, sizeof(small)));
	UT_EQ(11, sx_sa_print_addr(&sa, buf, sizeof(buf)));
	UT_STR_EQ("2001:db8::1", buf);
	sx_sa_init(&u);
	UT_EQ(-EINVAL, sx_sa_print(&u, buf, sizeof(buf)));
	UT_TRUE(!sx_sa_is_loopback(&u) && !sx_sa_is_any(&u));
out:
	return err;
}

UT_MAIN(UT_C(test_sa_parse_print), UT_C(test_sa_reject),
        UT_C(test_sa_guard_page), UT_C(test_sa_cmp_hash),
        UT_C(test_sa_kinds_and_print))
