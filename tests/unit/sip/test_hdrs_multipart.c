/*
 * Unit tests for multipart bodies (RFC 2046 5.1, RFC 4475 3.1.1.11
 * mpart01) in sx/sip/hdrs.h.  Bodies sit against guard pages.
 */
#include <errno.h>

#include <sx/sip/hdrs.h>

#include "ut.h"

static struct sx_sl guardn(const char *s, size_t n)
{
	return sx_sl_make(ut_guard_copy(s, n), n);
}

static struct sx_sl guard(const char *s)
{
	return guardn(s, strlen(s));
}

/* Free a guard copy; the slice becomes empty so a second call is a no-op. */
static void unguard(struct sx_sl *s)
{
	if (s->p)
		ut_guard_free((void *)s->p, s->len);
	*s = SX_SL_NULL;
}

static int test_multipart_basic(void)
{
	int err = 0;
	struct sx_sip_multipart_iter it;
	struct sx_sip_part part;
	struct sx_sl v, rest, name;
	struct sx_sl s = guard(
		"preamble to ignore\r\n"
		"--boundary42\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Disposition: session;\r\n handling=required\r\n"
		"\r\n"
		"v=0\r\n"
		"\r\n"
		"--boundary42   \r\n"
		"\r\n"
		"no headers here\r\n"
		"--boundary42x is not a delimiter\r\n"
		"--boundary42--\r\n"
		"epilogue --boundary42\r\n");

	UT_OK(sx_sip_multipart_init(&it, s, SX_SL("boundary42")));
	UT_EQ(1, sx_sip_multipart_next(&it, &part));
	UT_OK(sx_sip_part_hdr_find(&part, "content-type", &v));
	UT_SL_EQ("application/sdp", v);
	UT_OK(sx_sip_part_hdr_find(&part, "Content-Disposition", &v));
	UT_SL_EQ("session;\r\n handling=required", v);
	UT_EQ(-ENOENT, sx_sip_part_hdr_find(&part, "Content-ID", &v));
	UT_SL_EQ("v=0\r\n", part.body);
	rest = part.hdrs;
	UT_EQ(1, sx_sip_part_hdr_next(&rest, &name, &v));
	UT_SL_EQ("Content-Type", name);
	UT_EQ(1, sx_sip_part_hdr_next(&rest, &name, &v));
	UT_EQ(0, sx_sip_part_hdr_next(&rest, &name, &v));

	UT_EQ(1, sx_sip_multipart_next(&it, &part));
	UT_EQ(0, part.hdrs.len);
	UT_SL_EQ("no headers here\r\n--boundary42x is not a delimiter",
		 part.body);
	UT_EQ(0, sx_sip_multipart_next(&it, &part));
	UT_EQ(0, sx_sip_multipart_next(&it, &part));
out:
	unguard(&s);
	return err;
}

/* Binary parts with NULs and CR/LF inside (RFC 4475 mpart01). */
static int test_multipart_binary(void)
{
	int err = 0;
	static const char body[] =
		"--b\r\nContent-Type: application/octet-stream\r\n\r\n"
		"\0\x01\r\n-\0--b\0\r\n\xff"
		"\r\n--b--";
	struct sx_sip_multipart_iter it;
	struct sx_sip_part part;
	struct sx_sl s = guardn(body, sizeof(body) - 1);

	UT_OK(sx_sip_multipart_init(&it, s, SX_SL("b")));
	UT_EQ(1, sx_sip_multipart_next(&it, &part));
	UT_EQ(13, part.body.len);
	UT_MEM_EQ("\0\x01\r\n-\0--b\0\r\n\xff", part.body.p, 13);
	UT_EQ(0, sx_sip_multipart_next(&it, &part));
out:
	unguard(&s);
	return err;
}

static int test_multipart_lf(void)
{
	int err = 0;
	struct sx_sip_multipart_iter it;
	struct sx_sip_part part;
	struct sx_sl v;
	struct sx_sl s = guard("--xy\nContent-Type: text/plain\n\nhi\n--xy\n"
			       "\nbare\n--xy--");

	UT_OK(sx_sip_multipart_init(&it, s, SX_SL("xy")));
	UT_EQ(1, sx_sip_multipart_next(&it, &part));
	UT_OK(sx_sip_part_hdr_find(&part, "Content-Type", &v));
	UT_SL_EQ("text/plain", v);
	UT_SL_EQ("hi", part.body);
	UT_EQ(1, sx_sip_multipart_next(&it, &part));
	UT_SL_EQ("bare", part.body);
	UT_EQ(0, sx_sip_multipart_next(&it, &part));
out:
	unguard(&s);
	return err;
}

static int test_multipart_invalid(void)
{
	int err = 0;
	struct sx_sip_multipart_iter it;
	struct sx_sip_part part;
	struct sx_sl s = guard("--b\r\n\r\nbody\r\n--b\r\n\r\nmore\r\n");
	char longb[SX_SIP_MAX_BOUNDARY_LEN + 2];

	/* missing close delimiter */
	UT_OK(sx_sip_multipart_init(&it, s, SX_SL("b")));
	UT_EQ(1, sx_sip_multipart_next(&it, &part));
	UT_EQ(-EBADMSG, sx_sip_multipart_next(&it, &part));
	unguard(&s);

	s = guard("no delimiter at all");
	UT_EQ(-EBADMSG, sx_sip_multipart_init(&it, s, SX_SL("b")));
	UT_EQ(-EBADMSG, sx_sip_multipart_init(&it, s, SX_SL("")));
	memset(longb, 'a', sizeof(longb));
	UT_EQ(-EBADMSG, sx_sip_multipart_init(&it, s,
					      sx_sl_make(longb,
							 sizeof(longb) - 1)));
	unguard(&s);

	s = guard("--b");
	UT_OK(sx_sip_multipart_init(&it, s, SX_SL("b")));
	UT_EQ(-EBADMSG, sx_sip_multipart_next(&it, &part));
	unguard(&s);

	s = guard("--b--");
	UT_OK(sx_sip_multipart_init(&it, s, SX_SL("b")));
	UT_EQ(0, sx_sip_multipart_next(&it, &part));
	unguard(&s);

	/* header line without a colon */
	s = guard("--b\r\nno colon\r\n\r\nx\r\n--b--");
	UT_OK(sx_sip_multipart_init(&it, s, SX_SL("b")));
	UT_EQ(1, sx_sip_multipart_next(&it, &part));
	UT_EQ(-EBADMSG, sx_sip_part_hdr_find(&part, "Content-Type", NULL));
out:
	unguard(&s);
	return err;
}

static int test_multipart_limit(void)
{
	int err = 0;
	static char buf[(SX_SIP_MAX_PARTS + 2) * 8];
	struct sx_sip_multipart_iter it;
	struct sx_sip_part part;
	size_t n = 0;

	for (unsigned i = 0; i <= SX_SIP_MAX_PARTS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "--b\r\n\r\n");
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "--b--");
	UT_OK(sx_sip_multipart_init(&it, sx_sl_make(buf, n), SX_SL("b")));
	for (unsigned i = 0; i < SX_SIP_MAX_PARTS; i++)
		UT_EQ(1, sx_sip_multipart_next(&it, &part));
	UT_EQ(-E2BIG, sx_sip_multipart_next(&it, &part));
out:
	return err;
}

UT_MAIN(UT_C(test_multipart_basic), UT_C(test_multipart_binary),
	UT_C(test_multipart_lf), UT_C(test_multipart_invalid),
	UT_C(test_multipart_limit))
