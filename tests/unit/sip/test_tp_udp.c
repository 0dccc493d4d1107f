/*
 * UDP transport tests (RFC 3261 18.1.1, 18.2.1, 18.2.2; RFC 3581; RFC
 * 5626 3.5.1) over 127.0.0.1 with ports picked by the kernel: request and
 * response with received/rport, CRLF keep-alive, a batch of 100
 * datagrams, a stateless 400 to a bad request, garbage dropped.
 */
#include <string.h>

#include <sx/port/ev.h>
#include <sx/port/udp.h>
#include <sx/sip/print.h>
#include <sx/sip/tp_udp.h>
#include <sx/sip/transport.h>

#include "test_tp_common.h"
#include "ut.h"

#define BATCH_N 100

struct rec {
	int n;
	struct sx_sip_tport *tp;
	struct sx_sip_peer peer;
	char via[256]; /* top Via printed with received/rport */
	bool reply;    /* answer requests with 200 */
	int err;
};

static void on_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                    const struct sx_sip_peer *peer, void *arg)
{
	struct rec *r = arg;
	struct sx_buf b;

	r->n++;
	r->peer = *peer;
	r->tp = tp;
	sx_buf_init(&b, 0);
	if (msg->is_request && msg->nvias) {
		r->err = sx_sip_via_print_rx(&msg->vias[0], peer, &b);
		if (!r->err)
			snprintf(r->via, sizeof(r->via), "%s", b.p);
	}
	sx_buf_reset(&b);
	if (r->reply && msg->is_request) {
		struct sx_sip_peer dst;
		r->err = sx_sip_via_response_dst(&msg->vias[0], peer, &dst);
		if (!r->err)
			r->err = sx_sip_reply_print(msg, 200, NULL, SX_SL("t"),
			                            SX_SL(""), &b);
		if (!r->err)
			r->err = sx_sip_tport_send(tp, &dst, b.p, b.len);
	}
	sx_buf_fini(&b);
	sx_sip_msg_free(msg);
}

static int loopback(struct sx_sa *sa)
{
	return sx_sa_set_str(sa, SX_SL("127.0.0.1"), 0);
}

static int open_tp(struct sx_sip_tp_udp **tpp, struct sx_ev *loop,
                   struct rec *r)
{
	struct sx_sa local;
	int err = loopback(&local);
	struct sx_sip_tp_udp_prm prm = {.local = &local,
	                                .nlocal = 1,
	                                .reuseport = true,
	                                .rcvbuf = SX_SIP_TP_UDP_RCVBUF,
	                                .batch = 8,
	                                .recv_h = on_recv,
	                                .arg = r};
	return err ? err : sx_sip_tp_udp_alloc(tpp, loop, &prm);
}

/* A raw socket receives one datagram (bounded wait). */
static int raw_recv(struct sx_ev *loop, struct sx_udp *u, char *buf,
                    size_t size, size_t *lenp)
{
	struct sx_udp_rx rx = {.buf = buf, .size = size - 1};

	for (int i = 0; i < TP_WAIT_ITER; i++) {
		if (sx_mem_failed())
			return -ENOMEM;
		ssize_t n = sx_udp_recv(u, &rx, 1);
		if (n == 1) {
			buf[rx.len] = '\0';
			*lenp = rx.len;
			return 0;
		}
		(void)sx_ev_run_once(loop, 1);
	}
	return sx_mem_failed() ? -ENOMEM : -ETIMEDOUT;
}

static int test_tp_udp_request_response(void)
{
	struct sx_ev *loop = NULL;
	struct sx_sip_tp_udp *srv = NULL, *cli = NULL;
	struct rec rs = {.reply = true}, rc = {0};
	char req[1024], want[128];
	int err = 0;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(open_tp(&srv, loop, &rs));
	UT_OK(open_tp(&cli, loop, &rc));
	const struct sx_sa *sa = sx_sip_tp_udp_local(srv, 0);
	const struct sx_sa *ca = sx_sip_tp_udp_local(cli, 0);
	UT_TRUE(sx_sa_port(sa) != 0);
	UT_TRUE(sx_sip_tp_udp_local(srv, 1) == NULL);
	/* sent-by is not the source and has rport: both are added */
	int n = tp_request(req, sizeof(req), "192.0.2.7:5999", ";rport", 1);
	UT_TRUE(n > 0);
	struct sx_sip_peer to = {.proto = SX_SIP_PROTO_UDP, .remote = *sa};
	UT_OK(sx_sip_tport_send(sx_sip_tp_udp_tport(cli), &to, req, (size_t)n));
	UT_OK(tp_run_until(loop, &rs.n, 1));
	UT_OK(rs.err);
	UT_TRUE(sx_sa_eq(&rs.peer.remote, ca));
	UT_EQ(SX_SIP_PROTO_UDP, rs.peer.proto);
	UT_EQ(0, rs.peer.conn_id);
	UT_EQ(sx_sa_port(sa), sx_sa_port(&rs.peer.local));
	snprintf(want, sizeof(want),
	         "SIP/2.0/UDP 192.0.2.7:5999;branch=z9hG4bK1;rport=%u;"
	         "received=127.0.0.1",
	         sx_sa_port(ca));
	UT_STR_EQ(want, rs.via);
	/* the 200 went to received:rport, i.e. back to the client */
	UT_OK(tp_run_until(loop, &rc.n, 1));
	UT_TRUE(sx_sa_eq(&rc.peer.remote, sa));
	struct sx_sip_tp_udp_stats st;
	sx_sip_tp_udp_stats(srv, &st);
	UT_EQ(1, st.rx_msgs);
	UT_EQ(1, st.tx);
out:
	sx_mem_unref(cli);
	sx_mem_unref(srv);
	sx_ev_free(loop);
	return err;
}

static int test_tp_udp_received_only(void)
{
	struct sx_ev *loop = NULL;
	struct sx_sip_tp_udp *srv = NULL, *cli = NULL;
	struct rec rs = {0}, rc = {0};
	char req[1024];
	int err = 0;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(open_tp(&srv, loop, &rs));
	UT_OK(open_tp(&cli, loop, &rc));
	/* sent-by equals the source, no rport: the Via stays as it was */
	int n = tp_request(req, sizeof(req), "127.0.0.1:5999", "", 2);
	struct sx_sip_peer to = {.remote = *sx_sip_tp_udp_local(srv, 0)};
	UT_OK(sx_sip_tp_udp_send_direct(cli, &to, req, (size_t)n));
	UT_OK(tp_run_until(loop, &rs.n, 1));
	UT_OK(rs.err);
	UT_STR_EQ("SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK2", rs.via);
	/* a host name always differs from the source */
	n = tp_request(req, sizeof(req), "pc.example.com", "", 3);
	UT_OK(sx_sip_tp_udp_send_direct(cli, &to, req, (size_t)n));
	UT_OK(tp_run_until(loop, &rs.n, 2));
	UT_OK(rs.err);
	UT_STR_EQ("SIP/2.0/UDP pc.example.com;branch=z9hG4bK3;"
	          "received=127.0.0.1",
	          rs.via);
out:
	sx_mem_unref(cli);
	sx_mem_unref(srv);
	sx_ev_free(loop);
	return err;
}

static int test_tp_udp_keepalive(void)
{
	struct sx_ev *loop = NULL;
	struct sx_sip_tp_udp *srv = NULL;
	struct sx_udp *raw = NULL;
	struct rec rs = {0};
	struct sx_sa local;
	char buf[64];
	size_t len = 0;
	int err = 0;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(open_tp(&srv, loop, &rs));
	UT_OK(loopback(&local));
	UT_OK(sx_udp_open(&raw, &local, NULL));
	UT_OK(sx_udp_send(raw, sx_sip_tp_udp_local(srv, 0), "\r\n\r\n", 4));
	UT_OK(raw_recv(loop, raw, buf, sizeof(buf), &len));
	UT_EQ(2, len);
	UT_STR_EQ("\r\n", buf);
	/* a single CRLF (a pong) is not answered, nor delivered */
	UT_OK(sx_udp_send(raw, sx_sip_tp_udp_local(srv, 0), "\r\n", 2));
	tp_spin(loop, 3);
	TP_OOM_BAIL();
	struct sx_sip_tp_udp_stats st;
	sx_sip_tp_udp_stats(srv, &st);
	UT_EQ(1, st.keepalives);
	UT_EQ(0, rs.n);
out:
	sx_udp_close(raw);
	sx_mem_unref(srv);
	sx_ev_free(loop);
	return err;
}

static int test_tp_udp_batch(void)
{
	struct sx_ev *loop = NULL;
	struct sx_sip_tp_udp *srv = NULL, *cli = NULL;
	struct rec rs = {0}, rc = {0};
	char req[1024];
	int err = 0;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(open_tp(&srv, loop, &rs));
	UT_OK(open_tp(&cli, loop, &rc));
	struct sx_sip_peer to = {.proto = SX_SIP_PROTO_UDP,
	                         .remote = *sx_sip_tp_udp_local(srv, 0)};
	/* queued sends go out with sendmmsg at the end of the iteration;
	 * 50 per iteration crosses the 32-datagram batch (a full batch is
	 * flushed before the next one is queued) */
	for (unsigned i = 0; i < BATCH_N; i++) {
		int n = tp_request(req, sizeof(req), "127.0.0.1", "", i);
		UT_OK(sx_sip_tport_send(sx_sip_tp_udp_tport(cli), &to, req,
		                        (size_t)n));
		if (i % 50 == 49)
			(void)sx_ev_run_once(loop, 0);
	}
	UT_OK(tp_run_until(loop, &rs.n, BATCH_N));
	UT_EQ(BATCH_N, rs.n);
	struct sx_sip_tp_udp_stats st;
	sx_sip_tp_udp_stats(srv, &st);
	UT_EQ(BATCH_N, st.rx);
	UT_EQ(0, st.rx_bad);
out:
	sx_mem_unref(cli);
	sx_mem_unref(srv);
	sx_ev_free(loop);
	return err;
}

static const char bad_cseq[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
                               "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\r\n"
                               "Max-Forwards: 70\r\n"
                               "From: <sip:alice@example.com>;tag=a\r\n"
                               "To: <sip:bob@example.com>\r\n"
                               "Call-ID: bad1@example.com\r\n"
                               "CSeq: notanumber INVITE\r\n"
                               "Content-Length: 0\r\n\r\n";

static int test_tp_udp_bad_request(void)
{
	struct sx_ev *loop = NULL;
	struct sx_sip_tp_udp *srv = NULL;
	struct sx_udp *raw = NULL;
	struct rec rs = {0};
	struct sx_sa local;
	char buf[2048];
	size_t len = 0;
	int err = 0;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(open_tp(&srv, loop, &rs));
	UT_OK(loopback(&local));
	UT_OK(sx_udp_open(&raw, &local, NULL));
	const struct sx_sa *sa = sx_sip_tp_udp_local(srv, 0);
	UT_OK(sx_udp_send(raw, sa, bad_cseq, sizeof(bad_cseq) - 1));
	UT_OK(raw_recv(loop, raw, buf, sizeof(buf), &len));
	UT_TRUE(!strncmp(buf, "SIP/2.0 400 ", 12));
	UT_TRUE(strlen(buf) > 14 && buf[12] != '\r'); /* a reason */
	UT_TRUE(strstr(buf, "\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx"
	                    "\r\n") != NULL);
	UT_TRUE(strstr(buf, "\r\nCall-ID: bad1@example.com\r\n") != NULL);
	UT_TRUE(strstr(buf, "To: <sip:bob@example.com>;tag=") != NULL);
	UT_TRUE(strstr(buf, "\r\nCSeq: notanumber INVITE\r\n") != NULL);
	/* garbage and a bad response are dropped without a reply */
	UT_OK(sx_udp_send(raw, sa, "hello world\r\n\r\n", 15));
	UT_OK(sx_udp_send(raw, sa, "SIP/2.0 abc\r\n\r\n", 15));
	tp_spin(loop, 5);
	TP_OOM_BAIL();
	struct sx_sip_tp_udp_stats st;
	sx_sip_tp_udp_stats(srv, &st);
	UT_EQ(3, st.rx_bad);
	UT_EQ(1, st.err_replies);
	UT_EQ(0, rs.n);
	struct sx_udp_rx rx = {.buf = buf, .size = sizeof(buf)};
	UT_EQ(0, sx_udp_recv(raw, &rx, 1));
out:
	sx_udp_close(raw);
	sx_mem_unref(srv);
	sx_ev_free(loop);
	return err;
}

static int test_tp_udp_args(void)
{
	struct sx_ev *loop = NULL;
	struct sx_sip_tp_udp *tp = NULL;
	struct sx_sip_tp_udp_prm prm = {0};
	int err = 0;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_EQ(-EINVAL, sx_sip_tp_udp_alloc(&tp, loop, &prm));
	UT_EQ(-EINVAL, sx_sip_tp_udp_alloc(&tp, NULL, &prm));
	struct rec r = {0};
	UT_OK(open_tp(&tp, loop, &r));
	struct sx_sip_peer v6 = {0};
	UT_OK(sx_sa_set_str(&v6.remote, SX_SL("::1"), 5060));
	UT_EQ(-EAFNOSUPPORT,
	      sx_sip_tport_send(sx_sip_tp_udp_tport(tp), &v6, "x", 1));
	UT_EQ(-EINVAL, sx_sip_tport_send(sx_sip_tp_udp_tport(tp),
	                                 &(struct sx_sip_peer){0}, "x", 1));
out:
	sx_mem_unref(tp);
	sx_ev_free(loop);
	return err;
}

UT_MAIN(UT_C(test_tp_udp_request_response), UT_C(test_tp_udp_received_only),
        UT_C(test_tp_udp_keepalive), UT_C(test_tp_udp_batch),
        UT_C(test_tp_udp_bad_request), UT_C(test_tp_udp_args))
