/*
 * Unit tests for stream framing (lib/sip/msg/frame.c, RFC 3261 18.3):
 * keep-alive CRLFs, split input at every byte, pipelined messages,
 * Content-Length rules and the size limit.
 */
#include <sx/sip/msg.h>

#include "ut.h"

#define CRLF "\r\n"

#define HDRS                                                                   \
	"Via: SIP/2.0/TCP h;branch=z9hG4bK1" CRLF "To: <sip:u@h>" CRLF         \
	"From: <sip:a@h>;tag=1" CRLF "Call-ID: x" CRLF "CSeq: 1 MESSAGE" CRLF

static const char msg1[] = "MESSAGE sip:u@h SIP/2.0" CRLF HDRS
			   "Content-Length: 5" CRLF CRLF "hello";
static const char msg2[] = "MESSAGE sip:u@h SIP/2.0\n" HDRS
			   "l:\n 0\n\n";

static int test_frame_one(void)
{
	int err = 0;
	size_t skip = 99;

	UT_EQ(strlen(msg1), sx_sip_msg_frame(msg1, strlen(msg1), &skip));
	UT_EQ(0, skip);
	UT_EQ(strlen(msg2), sx_sip_msg_frame(msg2, strlen(msg2), NULL));
out:
	return err;
}

static int test_frame_keepalive(void)
{
	int err = 0;
	char buf[256];
	size_t skip = 0;

	UT_EQ(-EAGAIN, sx_sip_msg_frame("\r\n\r\n", 4, &skip));
	UT_EQ(4, skip);
	UT_EQ(-EAGAIN, sx_sip_msg_frame("\r\n", 2, &skip));
	UT_EQ(2, skip);
	UT_EQ(-EAGAIN, sx_sip_msg_frame("", 0, &skip));
	UT_EQ(0, skip);
	int n = snprintf(buf, sizeof(buf), "\r\n\r\n%s", msg1);
	UT_EQ(n, sx_sip_msg_frame(buf, (size_t)n, &skip));
	UT_EQ(4, skip);
	/* the framed bytes parse as a stream message */
	struct sx_sip_msg *m = NULL;
	struct sx_sip_parse_prm prm = {.stream = true};
	UT_OK(sx_sip_msg_parse(&m, buf + skip, (size_t)n - skip, &prm, NULL));
	UT_SL_EQ("hello", m->body);
	sx_sip_msg_free(m);
out:
	return err;
}

/* Every split point: -EAGAIN until the last byte, never an error. */
static int test_frame_split(void)
{
	int err = 0;
	const char *const msgs[] = {msg1, msg2};

	for (size_t k = 0; k < SX_ARRAY_SIZE(msgs); k++) {
		size_t len = strlen(msgs[k]);
		for (size_t n = 0; n < len; n++) {
			char *g = ut_guard_copy(msgs[k], n);
			UT_TRUE(g != NULL);
			ssize_t rc = sx_sip_msg_frame(g, n, NULL);
			ut_guard_free(g, n);
			UT_EQ(-EAGAIN, rc);
		}
		char *g = ut_guard_copy(msgs[k], len);
		UT_TRUE(g != NULL);
		ssize_t rc = sx_sip_msg_frame(g, len, NULL);
		ut_guard_free(g, len);
		UT_EQ(len, rc);
	}
out:
	return err;
}

/* Pipelined messages come out one at a time. */
static int test_frame_pipeline(void)
{
	int err = 0;
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%s\r\n\r\n%s%s", msg1, msg2, msg1);
	size_t off = 0, skip;
	size_t want[] = {strlen(msg1), 4 + strlen(msg2), strlen(msg1)};

	for (size_t i = 0; i < SX_ARRAY_SIZE(want); i++) {
		ssize_t rc = sx_sip_msg_frame(buf + off, (size_t)n - off, &skip);
		UT_EQ(want[i], rc);
		off += (size_t)rc;
	}
	UT_EQ(n, off);
	UT_EQ(-EAGAIN, sx_sip_msg_frame(buf + off, 0, &skip));
out:
	return err;
}

static int test_frame_errors(void)
{
	int err = 0;
	static const struct {
		const char *s;
		ssize_t rc;
	} t[] = {
		/* Content-Length is mandatory on streams */
		{"OPTIONS sip:u@h SIP/2.0" CRLF HDRS CRLF, -EBADMSG},
		{"OPTIONS sip:u@h SIP/2.0" CRLF HDRS "Content-Length: -1" CRLF
		 CRLF, -EBADMSG},
		{"OPTIONS sip:u@h SIP/2.0" CRLF HDRS "Content-Length: x" CRLF
		 CRLF, -EBADMSG},
		{"OPTIONS sip:u@h SIP/2.0" CRLF HDRS "Content-Length" CRLF
		 CRLF, -EBADMSG},
		{"OPTIONS sip:u@h SIP/2.0" CRLF HDRS
		 "Content-Length: 99999999999" CRLF CRLF, -EBADMSG},
		{"OPTIONS sip:u@h SIP/2.0" CRLF HDRS "Content-Length: 1" CRLF
		 "l: 2" CRLF CRLF "ab", -EBADMSG},
		/* the same value twice frames; the parser rejects later */
		{"OPTIONS sip:u@h SIP/2.0" CRLF HDRS "Content-Length: 1" CRLF
		 "l: 1" CRLF CRLF "a", 0},
		{"OPTIONS sip:u@h SIP/2.0" CRLF HDRS "Content-Length: 9999" CRLF
		 CRLF "short", -EAGAIN},
		{"OPTIONS sip:u@h SIP/2.0" CRLF HDRS
		 "Content-Length: 70000" CRLF CRLF, -E2BIG},
		/* not a Content-Length: a longer name */
		{"OPTIONS sip:u@h SIP/2.0" CRLF HDRS "Content-Lengthy: 3" CRLF
		 "l: 0" CRLF CRLF, 0},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		size_t len = strlen(t[i].s);
		ssize_t rc = sx_sip_msg_frame(t[i].s, len, NULL);
		if (rc != (t[i].rc ? t[i].rc : (ssize_t)len))
			return ut__fail(__FILE__, __LINE__,
					"case %zu: got %zd", i, rc);
	}
	UT_EQ(-EINVAL, sx_sip_msg_frame(NULL, 3, NULL));
out:
	return err;
}

/* No end of headers within SX_SIP_MAX_MSG_SIZE: -E2BIG, not -EAGAIN. */
static int test_frame_limit(void)
{
	int err = 0;
	static char big[SX_SIP_MAX_MSG_SIZE + 100];
	int n = snprintf(big, sizeof(big), "OPTIONS sip:u@h SIP/2.0" CRLF
					    "X: ");

	memset(big + n, 'a', sizeof(big) - (size_t)n);
	UT_EQ(-EAGAIN, sx_sip_msg_frame(big, SX_SIP_MAX_MSG_SIZE - 1, NULL));
	UT_EQ(-E2BIG, sx_sip_msg_frame(big, SX_SIP_MAX_MSG_SIZE, NULL));
	UT_EQ(-E2BIG, sx_sip_msg_frame(big, sizeof(big), NULL));
	/* a message of exactly the limit frames (5-digit length) */
#define LTOP "OPTIONS sip:u@h SIP/2.0" CRLF "Content-Length: %05d" CRLF CRLF
	int hl = snprintf(big, sizeof(big), LTOP, 0);
	int body = SX_SIP_MAX_MSG_SIZE - hl;
	snprintf(big, sizeof(big), LTOP, body);
	memset(big + hl, 'b', (size_t)body + 1);
	UT_EQ(SX_SIP_MAX_MSG_SIZE,
	      sx_sip_msg_frame(big, SX_SIP_MAX_MSG_SIZE + 1, NULL));
	snprintf(big, sizeof(big), LTOP, body + 1);
	big[hl - 1] = '\n'; /* snprintf's NUL */
	UT_EQ(-E2BIG, sx_sip_msg_frame(big, sizeof(big), NULL));
#undef LTOP
out:
	return err;
}

UT_MAIN(UT_C(test_frame_one), UT_C(test_frame_keepalive),
	UT_C(test_frame_split), UT_C(test_frame_pipeline),
	UT_C(test_frame_errors), UT_C(test_frame_limit))
