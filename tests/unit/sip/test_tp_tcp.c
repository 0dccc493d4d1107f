/*
 * TCP transport tests (RFC 3261 18.3 framing, 18.2.2 connection reuse;
 * RFC 5626 3.5.1 keep-alives) over 127.0.0.1: split and pipelined
 * writes, keep-alive, idle and slow-message timeouts on a virtual clock,
 * the per-source limit, the buffered-bytes cap, an oversized message,
 * bad messages, a refused connect reported to err_h, and a response
 * going back over the request's connection.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/sip/print.h>
#include <sx/sip/tp_stream.h>
#include <sx/sip/transport.h>

#include "test_tp_common.h"
#include "ut.h"

#define IDLE_MS 120000
#define MSG_MS  5000

struct rec {
	int n;    /* messages */
	int errs; /* err_h calls */
	int last_err;
	unsigned cseq[8];
	struct sx_sip_peer peer;
	bool reply; /* answer requests with 200 via the Via rules */
	int err;
};

static void on_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                    const struct sx_sip_peer *peer, void *arg)
{
	struct rec *r = arg;

	if (r->n < 8)
		r->cseq[r->n] = msg->cseq;
	r->n++;
	r->peer = *peer;
	if (r->reply && msg->is_request) {
		struct sx_sip_peer dst;
		struct sx_buf b;
		sx_buf_init(&b, 0);
		r->err = sx_sip_via_response_dst(&msg->vias[0], peer, &dst);
		if (!r->err)
			r->err = sx_sip_reply_print(msg, 200, NULL, SX_SL("t"),
			                            SX_SL(""), &b);
		if (!r->err)
			r->err = sx_sip_tport_send(tp, &dst, b.p, b.len);
		sx_buf_fini(&b);
	}
	sx_sip_msg_free(msg);
}

static void on_err(struct sx_sip_tport *tp, const struct sx_sip_peer *peer,
                   int err, void *arg)
{
	struct rec *r = arg;

	(void)tp;
	(void)peer;
	r->errs++;
	r->last_err = err;
}

struct srv {
	struct sx_ev *loop;
	struct sx_sip_tp_stream *tp;
	struct rec r;
	int fds[4]; /* raw client sockets */
};

static int srv_open(struct srv *s, struct sx_sip_tp_stream_prm *prm, bool virt)
{
	struct sx_sa local;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < SX_ARRAY_SIZE(s->fds); i++)
		s->fds[i] = -1;
	int err = sx_ev_alloc(&s->loop, NULL);
	if (!err && virt)
		err = sx_ev_clock_set_virtual(s->loop, 1);
	if (!err)
		err = sx_sa_set_str(&local, SX_SL("127.0.0.1"), 0);
	if (err)
		return err;
	prm->proto = SX_SIP_PROTO_TCP;
	prm->listen = &local;
	prm->nlisten = 1;
	prm->recv_h = on_recv;
	prm->err_h = on_err;
	prm->arg = &s->r;
	return sx_sip_tp_stream_alloc(&s->tp, s->loop, prm);
}

static void srv_close(struct srv *s)
{
	for (size_t i = 0; i < SX_ARRAY_SIZE(s->fds); i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	sx_mem_unref(s->tp);
	sx_ev_free(s->loop);
}

/* Blocking connect of a raw client (loopback completes at once), then
 * non-blocking for reads. */
static int raw_connect(struct srv *s, size_t i)
{
	const struct sx_sa *to = sx_sip_tp_stream_listen_addr(s->tp, 0);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	s->fds[i] = fd;
	if (connect(fd, &to->u.sa, to->len))
		return -errno;
	return fcntl(fd, F_SETFL, O_NONBLOCK) ? -errno : 0;
}

static int raw_write(int fd, const char *p, size_t len)
{
	if (send(fd, p, len, MSG_NOSIGNAL) == (ssize_t)len)
		return 0;
	/* in OOM mode the server may have dropped the connection */
	return sx_mem_failed() ? -ENOMEM : -EIO;
}

/* Read from a raw client until @want shows up; 1 on EOF/reset first. */
static int raw_expect(struct srv *s, int fd, const char *want)
{
	char buf[4096];
	size_t len = 0;

	for (int i = 0; i < TP_WAIT_ITER; i++) {
		(void)sx_ev_run_once(s->loop, 1);
		ssize_t n =
		    recv(fd, buf + len, sizeof(buf) - 1 - len, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return !want ? 0 : sx_mem_failed() ? -ENOMEM : 1;
		if (n > 0)
			len += (size_t)n;
		buf[len] = '\0';
		if (want && strstr(buf, want))
			return 0;
	}
	return sx_mem_failed() ? -ENOMEM : -ETIMEDOUT;
}

/* Run until the transport has @n connections. */
static int wait_conns(struct srv *s, size_t n)
{
	for (int i = 0; i < TP_WAIT_ITER; i++) {
		if (sx_sip_tp_stream_conn_count(s->tp) == n)
			return 0;
		if (sx_mem_failed())
			return -ENOMEM;
		(void)sx_ev_run_once(s->loop, 1);
	}
	return sx_mem_failed() ? -ENOMEM : -ETIMEDOUT;
}

static int test_tp_tcp_split_and_pipelined(void)
{
	struct srv s;
	struct sx_sip_tp_stream_prm prm = {0};
	char req[1024], three[3072];
	int err = 0;

	UT_OK(srv_open(&s, &prm, false));
	UT_OK(raw_connect(&s, 0));
	int n = tp_request(req, sizeof(req), "127.0.0.1", "", 1);
	/* one byte at a time, the loop running between them */
	for (int i = 0; i < n; i++) {
		UT_OK(raw_write(s.fds[0], req + i, 1));
		(void)sx_ev_run_once(s.loop, i + 1 == n ? 50 : 1);
	}
	UT_OK(tp_run_until(s.loop, &s.r.n, 1));
	UT_EQ(1, s.r.cseq[0]);
	UT_EQ(SX_SIP_PROTO_TCP, s.r.peer.proto);
	UT_TRUE(s.r.peer.conn_id != 0);
	/* three messages and a ping in one write */
	size_t len = 0;
	for (unsigned c = 2; c <= 4; c++)
		len += (size_t)tp_request(three + len, sizeof(three) - len,
		                          "127.0.0.1", "", c);
	memcpy(three + len, "\r\n\r\n", 4);
	UT_OK(raw_write(s.fds[0], three, len + 4));
	UT_OK(tp_run_until(s.loop, &s.r.n, 4));
	UT_EQ(2, s.r.cseq[1]);
	UT_EQ(4, s.r.cseq[3]);
	UT_OK(raw_expect(&s, s.fds[0], "\r\n"));
	struct sx_sip_tp_stream_stats st;
	sx_sip_tp_stream_stats(s.tp, &st);
	UT_EQ(1, st.keepalives);
	UT_EQ(1, st.accepted);
out:
	srv_close(&s);
	return err;
}

static int test_tp_tcp_idle_timeout(void)
{
	struct srv s;
	struct sx_sip_tp_stream_prm prm = {.idle_ms = IDLE_MS};
	int err = 0;

	UT_OK(srv_open(&s, &prm, true));
	UT_OK(raw_connect(&s, 0));
	UT_OK(wait_conns(&s, 1));
	(void)sx_ev_clock_advance(s.loop, IDLE_MS - 1);
	UT_EQ(1, sx_sip_tp_stream_conn_count(s.tp));
	(void)sx_ev_clock_advance(s.loop, 1);
	UT_EQ(0, sx_sip_tp_stream_conn_count(s.tp));
	UT_OK(raw_expect(&s, s.fds[0], NULL)); /* EOF */
	UT_EQ(0, s.r.errs);                    /* nothing was lost */
out:
	srv_close(&s);
	return err;
}

static int test_tp_tcp_per_source_limit(void)
{
	struct srv s;
	struct sx_sip_tp_stream_prm prm = {.max_per_ip = 2};
	int err = 0;

	UT_OK(srv_open(&s, &prm, false));
	for (size_t i = 0; i < 3; i++)
		UT_OK(raw_connect(&s, i));
	tp_spin(s.loop, 5);
	TP_OOM_BAIL();
	UT_EQ(2, sx_sip_tp_stream_conn_count(s.tp));
	struct sx_sip_tp_stream_stats st;
	sx_sip_tp_stream_stats(s.tp, &st);
	UT_EQ(1, st.rejected);
	UT_OK(raw_expect(&s, s.fds[2], NULL)); /* the third was closed */
out:
	srv_close(&s);
	return err;
}

static int test_tp_tcp_slow_sender(void)
{
	struct srv s;
	struct sx_sip_tp_stream_prm prm = {.rx_max = 1024, .msg_ms = MSG_MS};
	char hdr[2048];
	int err = 0;

	UT_OK(srv_open(&s, &prm, true));
	/* over rx_max without completing a message: closed */
	UT_OK(raw_connect(&s, 0));
	memset(hdr, 'a', sizeof(hdr));
	memcpy(hdr, "OPTIONS sip:x SIP/2.0\r\nX: ", 26);
	UT_OK(raw_write(s.fds[0], hdr, sizeof(hdr)));
	UT_OK(raw_expect(&s, s.fds[0], NULL));
	UT_OK(wait_conns(&s, 0));
	/* a trickle that never completes: closed after msg_ms */
	UT_OK(raw_connect(&s, 1));
	UT_OK(raw_write(s.fds[1], hdr, 30));
	UT_OK(wait_conns(&s, 1));
	tp_spin(s.loop, 3);
	(void)sx_ev_clock_advance(s.loop, MSG_MS);
	UT_OK(wait_conns(&s, 0));
	TP_OOM_BAIL();
	struct sx_sip_tp_stream_stats st;
	sx_sip_tp_stream_stats(s.tp, &st);
	UT_EQ(1, st.overflows);
	UT_EQ(1, st.timeouts);
	UT_EQ(0, s.r.n);
out:
	srv_close(&s);
	return err;
}

static int test_tp_tcp_oversized(void)
{
	struct srv s;
	struct sx_sip_tp_stream_prm prm = {0};
	static const char big[] =
	    "MESSAGE sip:b@example.com SIP/2.0\r\n"
	    "Via: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKbig\r\n"
	    "From: <sip:a@example.com>;tag=1\r\n"
	    "To: <sip:b@example.com>\r\nCall-ID: big@x\r\n"
	    "CSeq: 1 MESSAGE\r\nContent-Length: 70000\r\n\r\n";
	int err = 0;

	UT_OK(srv_open(&s, &prm, false));
	UT_OK(raw_connect(&s, 0));
	UT_OK(raw_write(s.fds[0], big, sizeof(big) - 1));
	UT_OK(raw_expect(&s, s.fds[0], "SIP/2.0 413 "));
	UT_OK(raw_expect(&s, s.fds[0], NULL));
	UT_OK(wait_conns(&s, 0));
out:
	srv_close(&s);
	return err;
}

static const char bad_cseq[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
                               "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKx\r\n"
                               "From: <sip:alice@example.com>;tag=a\r\n"
                               "To: <sip:bob@example.com>\r\n"
                               "Call-ID: bad1@example.com\r\n"
                               "CSeq: x INVITE\r\n"
                               "Content-Length: 0\r\n\r\n";
static const char no_length[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
                                "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKy\r\n"
                                "From: <sip:alice@example.com>;tag=a\r\n"
                                "To: <sip:bob@example.com>\r\n"
                                "Call-ID: bad2@example.com\r\n"
                                "CSeq: 1 INVITE\r\n\r\n";

static int test_tp_tcp_bad_messages(void)
{
	struct srv s;
	struct sx_sip_tp_stream_prm prm = {0};
	int err = 0;

	UT_OK(srv_open(&s, &prm, false));
	UT_OK(raw_connect(&s, 0));
	/* well framed but unparsable: 400, the connection stays */
	UT_OK(raw_write(s.fds[0], bad_cseq, sizeof(bad_cseq) - 1));
	UT_OK(raw_expect(&s, s.fds[0], "Call-ID: bad1@example.com\r\n"));
	UT_EQ(1, sx_sip_tp_stream_conn_count(s.tp));
	/* framing lost (no Content-Length): 400, then closed */
	UT_OK(raw_write(s.fds[0], no_length, sizeof(no_length) - 1));
	UT_OK(raw_expect(&s, s.fds[0], "SIP/2.0 400 "));
	UT_OK(wait_conns(&s, 0));
	UT_EQ(0, s.r.n);
out:
	srv_close(&s);
	return err;
}

static int test_tp_tcp_reuse_for_response(void)
{
	struct srv s;
	struct sx_sip_tp_stream_prm prm = {0};
	struct sx_sip_tp_stream *cli = NULL;
	struct rec rc = {0};
	char req[1024];
	int err = 0;

	UT_OK(srv_open(&s, &prm, false));
	s.r.reply = true;
	struct sx_sip_tp_stream_prm cprm = {.proto = SX_SIP_PROTO_TCP,
	                                    .recv_h = on_recv,
	                                    .err_h = on_err,
	                                    .arg = &rc};
	UT_OK(sx_sip_tp_stream_alloc(&cli, s.loop, &cprm));
	struct sx_sip_peer to = {.proto = SX_SIP_PROTO_TCP,
	                         .remote =
	                             *sx_sip_tp_stream_listen_addr(s.tp, 0)};
	/* sent-by names a port nobody listens on: only the connection
	 * can carry the response back */
	for (unsigned i = 1; i <= 2; i++) {
		int n = tp_request(req, sizeof(req), "127.0.0.1:9", "", i);
		UT_OK(sx_sip_tport_send(sx_sip_tp_stream_tport(cli), &to, req,
		                        (size_t)n));
		UT_OK(tp_run_until(s.loop, &rc.n, (int)i));
		UT_OK(s.r.err);
	}
	UT_EQ(1, sx_sip_tp_stream_conn_count(cli));
	UT_EQ(1, sx_sip_tp_stream_conn_count(s.tp));
	UT_EQ(2, s.r.n);
	UT_TRUE(rc.peer.conn_id != 0);
	UT_TRUE(sx_sa_eq(&rc.peer.remote, &to.remote));
	UT_OK(sx_sip_tp_stream_close(cli, rc.peer.conn_id));
	UT_EQ(-ENOENT, sx_sip_tp_stream_close(cli, rc.peer.conn_id));
	UT_OK(wait_conns(&s, 0));
out:
	sx_mem_unref(cli);
	srv_close(&s);
	return err;
}

static int test_tp_tcp_connect_refused(void)
{
	struct srv s;
	struct sx_sip_tp_stream_prm prm = {0};
	char req[1024];
	int err = 0;

	UT_OK(srv_open(&s, &prm, false));
	/* a port that was free a moment ago: our own listener's, closed */
	struct sx_sip_peer to = {.proto = SX_SIP_PROTO_TCP,
	                         .remote =
	                             *sx_sip_tp_stream_listen_addr(s.tp, 0)};
	sx_mem_unref(s.tp);
	s.tp = NULL;
	struct sx_sip_tp_stream_prm cprm = {.proto = SX_SIP_PROTO_TCP,
	                                    .recv_h = on_recv,
	                                    .err_h = on_err,
	                                    .arg = &s.r};
	UT_OK(sx_sip_tp_stream_alloc(&s.tp, s.loop, &cprm));
	int n = tp_request(req, sizeof(req), "127.0.0.1", "", 1);
	UT_OK(sx_sip_tport_send(sx_sip_tp_stream_tport(s.tp), &to, req,
	                        (size_t)n));
	UT_OK(tp_run_until(s.loop, &s.r.errs, 1));
	UT_EQ(-ECONNREFUSED, s.r.last_err);
	UT_EQ(0, sx_sip_tp_stream_conn_count(s.tp));
	UT_EQ(-EMSGSIZE, sx_sip_tport_send(sx_sip_tp_stream_tport(s.tp), &to,
	                                   req, SX_SIP_MAX_MSG_SIZE + 1));
out:
	srv_close(&s);
	return err;
}

UT_MAIN(UT_C(test_tp_tcp_split_and_pipelined), UT_C(test_tp_tcp_idle_timeout),
        UT_C(test_tp_tcp_per_source_limit), UT_C(test_tp_tcp_slow_sender),
        UT_C(test_tp_tcp_oversized), UT_C(test_tp_tcp_bad_messages),
        UT_C(test_tp_tcp_reuse_for_response), UT_C(test_tp_tcp_connect_refused))
