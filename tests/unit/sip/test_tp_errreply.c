/*
 * Stateless 400s for requests the parser rejects (RFC 3261 8.2.6.2,
 * 18.2.1) over UDP on 127.0.0.1: a request lacking From, To and Call-ID
 * still gets a 400 carrying its Via and CSeq (RFC 4475 3.3.1 insuf),
 * while one without a CSeq, which no client could match, gets nothing.
 */
#include <string.h>

#include <sx/port/ev.h>
#include <sx/port/udp.h>
#include <sx/sip/tp_udp.h>
#include <sx/sip/transport.h>

#include "test_tp_common.h"
#include "ut.h"

static const char no_ids[] = "INVITE sip:user@example.com SIP/2.0\r\n"
                             "CSeq: 193942 INVITE\r\n"
                             "Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKi\r\n"
                             "Content-Length: 0\r\n\r\n";

static const char no_cseq[] = "OPTIONS sip:user@example.com SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKj\r\n"
                              "Content-Length: 0\r\n\r\n";

static void on_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                    const struct sx_sip_peer *peer, void *arg)
{
	(void)tp;
	(void)peer;
	(*(int *)arg)++;
	sx_sip_msg_free(msg);
}

/* One datagram back on @raw within the bounded wait, else -ETIMEDOUT. */
static int raw_recv(struct sx_ev *loop, struct sx_udp *raw, char *buf,
                    size_t size)
{
	struct sx_udp_rx rx = {.buf = buf, .size = size - 1};

	for (int i = 0; i < TP_WAIT_ITER; i++) {
		if (sx_mem_failed())
			return -ENOMEM;
		if (sx_udp_recv(raw, &rx, 1) == 1) {
			buf[rx.len] = '\0';
			return 0;
		}
		(void)sx_ev_run_once(loop, 1);
	}
	return sx_mem_failed() ? -ENOMEM : -ETIMEDOUT;
}

static int test_errreply_missing_ids(void)
{
	struct sx_ev *loop = NULL;
	struct sx_sip_tp_udp *srv = NULL;
	struct sx_udp *raw = NULL;
	struct sx_sa local;
	char buf[2048];
	int nrecv = 0, err = 0;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(sx_sa_set_str(&local, SX_SL("127.0.0.1"), 0));
	struct sx_sip_tp_udp_prm prm = {
	    .local = &local, .nlocal = 1, .recv_h = on_recv, .arg = &nrecv};
	UT_OK(sx_sip_tp_udp_alloc(&srv, loop, &prm));
	UT_OK(sx_udp_open(&raw, &local, NULL));
	const struct sx_sa *sa = sx_sip_tp_udp_local(srv, 0);
	UT_OK(sx_udp_send(raw, sa, no_ids, sizeof(no_ids) - 1));
	UT_OK(raw_recv(loop, raw, buf, sizeof(buf)));
	UT_TRUE(!strncmp(buf, "SIP/2.0 400 ", 12));
	UT_TRUE(strstr(buf, "\r\nVia: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKi"
	                    "\r\n") != NULL);
	UT_TRUE(strstr(buf, "\r\nCSeq: 193942 INVITE\r\n") != NULL);
	UT_TRUE(strstr(buf, "\r\nTo:") == NULL);
	UT_TRUE(strstr(buf, "\r\nCall-ID:") == NULL);
	/* without a CSeq nothing comes back */
	UT_OK(sx_udp_send(raw, sa, no_cseq, sizeof(no_cseq) - 1));
	tp_spin(loop, 5);
	TP_OOM_BAIL();
	struct sx_udp_rx rx = {.buf = buf, .size = sizeof(buf)};
	UT_EQ(0, sx_udp_recv(raw, &rx, 1));
	struct sx_sip_tp_udp_stats st;
	sx_sip_tp_udp_stats(srv, &st);
	UT_EQ(2, st.rx_bad);
	UT_EQ(1, st.err_replies);
	UT_EQ(0, nrecv);
out:
	sx_udp_close(raw);
	sx_mem_unref(srv);
	sx_ev_free(loop);
	return err;
}

UT_MAIN(UT_C(test_errreply_missing_ids))
