/*
 * Keep-alives on the transports (RFC 5626 3.5.1; RFC 3261 7.5) over
 * 127.0.0.1: on TCP a double-CRLF ping gets a single-CRLF pong even when
 * split over two writes, and a lone CRLF (a pong, or a stray line end
 * between messages) is ignored without tripping the slow-message
 * timeout; on UDP datagrams of only CR/LF or only NUL bytes are dropped
 * without a reply, a parse error or a delivery.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/port/udp.h>
#include <sx/sip/tp_stream.h>
#include <sx/sip/tp_udp.h>
#include <sx/sip/transport.h>

#include "test_tp_common.h"
#include "ut.h"

#define MSG_MS 5000

static int nrecv;

static void on_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                    const struct sx_sip_peer *peer, void *arg)
{
	(void)tp;
	(void)peer;
	(void)arg;
	nrecv++;
	sx_sip_msg_free(msg);
}

/* -- TCP -- */

struct tcp {
	struct sx_ev *loop;
	struct sx_sip_tp_stream *tp;
	int fd;
};

static int tcp_open(struct tcp *t)
{
	struct sx_sip_tp_stream_prm prm = {.proto = SX_SIP_PROTO_TCP,
	                                   .nlisten = 1,
	                                   .msg_ms = MSG_MS,
	                                   .recv_h = on_recv};
	struct sx_sa local;

	t->fd = -1;
	nrecv = 0;
	int err = sx_ev_alloc(&t->loop, NULL);
	if (!err)
		err = sx_ev_clock_set_virtual(t->loop, 1);
	if (!err)
		err = sx_sa_set_str(&local, SX_SL("127.0.0.1"), 0);
	prm.listen = &local;
	if (!err)
		err = sx_sip_tp_stream_alloc(&t->tp, t->loop, &prm);
	if (err)
		return err;
	const struct sx_sa *to = sx_sip_tp_stream_listen_addr(t->tp, 0);
	t->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (t->fd < 0 || connect(t->fd, &to->u.sa, to->len) ||
	    fcntl(t->fd, F_SETFL, O_NONBLOCK))
		return -errno;
	for (int i = 0; i < TP_WAIT_ITER; i++) {
		if (sx_sip_tp_stream_conn_count(t->tp) == 1)
			return 0;
		(void)sx_ev_run_once(t->loop, 1);
	}
	return sx_mem_failed() ? -ENOMEM : -ETIMEDOUT;
}

static void tcp_close(struct tcp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	sx_mem_unref(t->tp);
	sx_ev_free(t->loop);
}

static int tcp_write(const struct tcp *t, const char *p, size_t len)
{
	if (send(t->fd, p, len, MSG_NOSIGNAL) == (ssize_t)len)
		return 0;
	return sx_mem_failed() ? -ENOMEM : -EIO;
}

/* Run the loop until @want bytes arrived on the raw client (bounded);
 * they are compared with @expect. */
static int tcp_expect(const struct tcp *t, const char *expect, size_t want)
{
	char buf[64];
	size_t len = 0;

	for (int i = 0; i < TP_WAIT_ITER && len < want; i++) {
		(void)sx_ev_run_once(t->loop, 1);
		ssize_t n =
		    recv(t->fd, buf + len, sizeof(buf) - len, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
		if (n > 0)
			len += (size_t)n;
	}
	if (len == want && !memcmp(buf, expect, want))
		return 0;
	return sx_mem_failed() ? -ENOMEM : -EIO;
}

/* Nothing more arrives on the raw client. */
static bool tcp_quiet(const struct tcp *t)
{
	char c;

	tp_spin(t->loop, 3);
	return recv(t->fd, &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

static int test_tcp_ping_split_and_lone_crlf(void)
{
	struct tcp t = {0};
	struct sx_sip_tp_stream_stats st;
	char req[1024];
	int err = 0;

	UT_OK(tcp_open(&t));
	/* a lone CRLF waits (it may be half a ping) but is no message in
	 * progress: the slow-message timeout does not close the flow */
	UT_OK(tcp_write(&t, "\r\n", 2));
	tp_spin(t.loop, 3);
	(void)sx_ev_clock_advance(t.loop, MSG_MS + 1);
	TP_OOM_BAIL();
	UT_EQ(1, sx_sip_tp_stream_conn_count(t.tp));
	/* its second half makes a ping: one CRLF back (RFC 5626 3.5.1) */
	UT_OK(tcp_write(&t, "\r\n", 2));
	UT_OK(tcp_expect(&t, "\r\n", 2));
	UT_TRUE(tcp_quiet(&t));
	/* a stray CRLF before a message is skipped (RFC 3261 7.5) */
	int n = tp_request(req + 2, sizeof(req) - 2, "127.0.0.1", "", 1);
	UT_TRUE(n > 0);
	memcpy(req, "\r\n", 2);
	UT_OK(tcp_write(&t, req, (size_t)n + 2));
	UT_OK(tp_run_until(t.loop, &nrecv, 1));
	UT_TRUE(tcp_quiet(&t));
	sx_sip_tp_stream_stats(t.tp, &st);
	UT_EQ(1, st.keepalives);
	UT_EQ(0, st.timeouts);
	UT_EQ(0, st.rx_bad);
	UT_EQ(1, sx_sip_tp_stream_conn_count(t.tp));
out:
	tcp_close(&t);
	return err;
}

/* A partial message still trips the timeout once CRLFs precede it. */
static int test_tcp_crlf_then_partial_times_out(void)
{
	struct tcp t = {0};
	struct sx_sip_tp_stream_stats st;
	int err = 0;

	UT_OK(tcp_open(&t));
	UT_OK(tcp_write(&t, "\r\nOPTIONS sip:x SIP/2.0\r\n", 25));
	tp_spin(t.loop, 3);
	(void)sx_ev_clock_advance(t.loop, MSG_MS);
	tp_spin(t.loop, 3);
	TP_OOM_BAIL();
	UT_EQ(0, sx_sip_tp_stream_conn_count(t.tp));
	sx_sip_tp_stream_stats(t.tp, &st);
	UT_EQ(1, st.timeouts);
	UT_EQ(0, nrecv);
out:
	tcp_close(&t);
	return err;
}

/* -- UDP -- */

static int test_udp_keepalives_dropped(void)
{
	static const struct {
		const char *p;
		size_t len;
	} junk[] = {
	    {"\0\0\0\0", 4},     /* NAT keep-alive of NUL bytes */
	    {"\r\n", 2},         /* a pong / stray line end */
	    {"\r\n\r\n\r\n", 6}, /* more CRLFs than a ping */
	    {"\n\n\n\n", 4},     /* bare LFs */
	    {"", 0},             /* empty */
	};
	struct sx_ev *loop = NULL;
	struct sx_sip_tp_udp *srv = NULL;
	struct sx_udp *raw = NULL;
	struct sx_sa local;
	char buf[64];
	int err = 0;

	nrecv = 0;
	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(sx_sa_set_str(&local, SX_SL("127.0.0.1"), 0));
	struct sx_sip_tp_udp_prm prm = {
	    .local = &local, .nlocal = 1, .batch = 8, .recv_h = on_recv};
	UT_OK(sx_sip_tp_udp_alloc(&srv, loop, &prm));
	UT_OK(sx_udp_open(&raw, &local, NULL));
	const struct sx_sa *sa = sx_sip_tp_udp_local(srv, 0);
	for (size_t i = 0; i < SX_ARRAY_SIZE(junk); i++)
		UT_OK(sx_udp_send(raw, sa, junk[i].p, junk[i].len));
	tp_spin(loop, 5);
	TP_OOM_BAIL();
	struct sx_sip_tp_udp_stats st;
	sx_sip_tp_udp_stats(srv, &st);
	UT_EQ(SX_ARRAY_SIZE(junk), st.rx);
	UT_EQ(0, st.rx_bad);
	UT_EQ(0, st.err_replies);
	UT_EQ(0, st.keepalives);
	UT_EQ(0, nrecv);
	struct sx_udp_rx rx = {.buf = buf, .size = sizeof(buf)};
	UT_EQ(0, sx_udp_recv(raw, &rx, 1));
out:
	sx_udp_close(raw);
	sx_mem_unref(srv);
	sx_ev_free(loop);
	return err;
}

UT_MAIN(UT_C(test_tcp_ping_split_and_lone_crlf),
        UT_C(test_tcp_crlf_then_partial_times_out),
        UT_C(test_udp_keepalives_dropped))
