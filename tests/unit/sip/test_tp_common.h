/*
 * Shared helpers of the transport tests (test_tp_*.c): bounded waits on
 * a loop and canned requests.
 */
#ifndef SX_TEST_TEST_TP_COMMON_H
#define SX_TEST_TEST_TP_COMMON_H

#include <errno.h>
#include <stdio.h>

#include <sx/port/ev.h>
#include <sx/sip/msg.h>
#include <sx/util/mem.h>

/* Loop iterations a wait may take, and the epoll wait of each (ms). */
#define TP_WAIT_ITER 400
#define TP_WAIT_MS   5

/*
 * Run @loop until *@cnt >= @want.  -ENOMEM as soon as an injected
 * allocation failure happened (OOM mode: nothing can proceed after it),
 * -ETIMEDOUT after TP_WAIT_ITER iterations.
 */
static inline int tp_run_until(struct sx_ev *loop, const int *cnt, int want)
{
	for (int i = 0; i < TP_WAIT_ITER && *cnt < want; i++) {
		if (sx_mem_failed())
			return -ENOMEM;
		int r = sx_ev_run_once(loop, TP_WAIT_MS);
		if (r < 0)
			return r;
	}
	if (*cnt >= want)
		return 0;
	return sx_mem_failed() ? -ENOMEM : -ETIMEDOUT;
}

/* In OOM mode, once an allocation failed nothing after it is reliable. */
#define TP_OOM_BAIL()                                                          \
	do {                                                                   \
		if (sx_mem_failed()) {                                         \
			err = -ENOMEM;                                         \
			goto out;                                              \
		}                                                              \
	} while (0)

/* Run @loop for @n idle iterations (letting pending events through). */
static inline void tp_spin(struct sx_ev *loop, int n)
{
	for (int i = 0; i < n; i++)
		(void)sx_ev_run_once(loop, 1);
}

/* An OPTIONS request with Via sent-by @sent_by and params @via_params. */
static inline int tp_request(char *buf, size_t size, const char *sent_by,
                             const char *via_params, unsigned cseq)
{
	int n = snprintf(buf, size,
	                 "OPTIONS sip:bob@example.com SIP/2.0\r\n"
	                 "Via: SIP/2.0/UDP %s;branch=z9hG4bK%u%s\r\n"
	                 "Max-Forwards: 70\r\n"
	                 "From: <sip:alice@example.com>;tag=a1\r\n"
	                 "To: <sip:bob@example.com>\r\n"
	                 "Call-ID: c%u@example.com\r\n"
	                 "CSeq: %u OPTIONS\r\n"
	                 "Content-Length: 0\r\n\r\n",
	                 sent_by, cseq, via_params, cseq, cseq);
	return n > 0 && (size_t)n < size ? n : -1;
}

#endif
