/*
 * SIP over TCP and TLS (RFC 3261 18.3 framing, 18.2.2 connection reuse
 * for responses; RFC 5626 3.5.1 CRLF keep-alives; RFC 5246 / RFC 8446
 * via OpenSSL with a non-blocking handshake driven by the loop).
 *
 * Connections live in two hash tables (by conn_id, by remote IP) and a
 * list.  A connection is an sx_mem object: the tables hold one reference,
 * and every handler that may close it holds another while it runs, so a
 * close from inside recv_h/err_h never frees memory still in use.
 */
#define SX_LOG_MOD "sip.tp.stream"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sx/port/tmr.h>
#include <sx/sip/tp_stream.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "tls_int.h"
#include "tport_int.h"

/* Hash buckets: the next power of two >= max_conns, within these. */
#define BUCKETS_MIN 64u
#define BUCKETS_MAX 65536u

enum conn_state {
	CONN_CONNECTING, /* TCP connect in progress */
	CONN_HANDSHAKE,  /* TLS handshake in progress */
	CONN_OPEN,
	CONN_CLOSED,
};

/* A queued chunk of outgoing bytes. */
struct txb {
	struct txb *next;
	size_t len, off;
	char data[];
};

struct conn {
	struct sx_sip_tp_stream *tp;
	struct conn *id_next, *ip_next; /* hash chains */
	struct conn *prev, *next;       /* all connections */
	uint64_t id;
	int fd;
	enum conn_state state;
	bool server;         /* accepted */
	bool ssl_want_write; /* OpenSSL needs the socket writable */
	uint32_t events;     /* interest registered with the loop */
	SSL *ssl;
	struct sx_sa remote, local;
	char *rx; /* sx_mem block */
	size_t rx_len, rx_cap;
	struct txb *txq, *txq_tail;
	size_t txq_bytes;
	struct sx_tmr idle_tmr;
	struct sx_tmr msg_tmr; /* message completion, connect, handshake */
};

struct listener {
	struct sx_sip_tp_stream *tp;
	int fd;
	struct sx_sa local;
};

struct sx_sip_tp_stream {
	struct sx_sip_tport base; /* first: the object is its tport */
	struct sx_ev *loop;
	enum sx_sip_proto proto;
	struct sx_sip_tls *tls;
	struct listener lis[SX_SIP_TP_STREAM_MAX_LISTEN];
	size_t nlis;
	size_t max_conns, max_per_ip, rx_max, txq_max;
	uint32_t idle_ms, msg_ms;
	struct conn **by_id, **by_ip;
	size_t mask;
	struct conn *all;
	size_t nconns;
	struct sx_sip_tp_stream_stats st;
};

/* -- tables ------------------------------------------------------------- */

static size_t ip_bucket(const struct sx_sip_tp_stream *tp,
                        const struct sx_sa *sa)
{
	struct sx_sa a = *sa;
	sx_sa_set_port(&a, 0);
	return sx_sa_hash(&a) & tp->mask;
}

static void conn_link(struct conn *c)
{
	struct sx_sip_tp_stream *tp = c->tp;
	size_t ib = c->id & tp->mask, pb = ip_bucket(tp, &c->remote);

	c->id_next = tp->by_id[ib];
	tp->by_id[ib] = c;
	c->ip_next = tp->by_ip[pb];
	tp->by_ip[pb] = c;
	c->next = tp->all;
	if (tp->all)
		tp->all->prev = c;
	tp->all = c;
	tp->nconns++;
}

static void conn_unlink(struct conn *c)
{
	struct sx_sip_tp_stream *tp = c->tp;
	struct conn **pp;

	for (pp = &tp->by_id[c->id & tp->mask]; *pp != c; pp = &(*pp)->id_next)
		;
	*pp = c->id_next;
	for (pp = &tp->by_ip[ip_bucket(tp, &c->remote)]; *pp != c;
	     pp = &(*pp)->ip_next)
		;
	*pp = c->ip_next;
	if (c->prev)
		c->prev->next = c->next;
	else
		tp->all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	tp->nconns--;
}

static struct conn *find_id(struct sx_sip_tp_stream *tp, uint64_t id)
{
	struct conn *c = tp->by_id[id & tp->mask];
	while (c && c->id != id)
		c = c->id_next;
	return c;
}

/* An open (preferably) or opening connection to exactly @remote. */
static struct conn *find_remote(struct sx_sip_tp_stream *tp,
                                const struct sx_sa *remote)
{
	struct conn *best = NULL;

	for (struct conn *c = tp->by_ip[ip_bucket(tp, remote)]; c;
	     c = c->ip_next) {
		if (!sx_sa_eq(&c->remote, remote))
			continue;
		if (c->state == CONN_OPEN)
			return c;
		best = best ? best : c;
	}
	return best;
}

static size_t accepted_from(struct sx_sip_tp_stream *tp,
                            const struct sx_sa *remote)
{
	size_t n = 0;

	for (struct conn *c = tp->by_ip[ip_bucket(tp, remote)]; c;
	     c = c->ip_next)
		n += c->server && sx_sa_eq_addr(&c->remote, remote);
	return n;
}

/* -- close -------------------------------------------------------------- */

static void peer_of(const struct conn *c, struct sx_sip_peer *peer)
{
	*peer = (struct sx_sip_peer){.proto = c->tp->proto,
	                             .remote = c->remote,
	                             .local = c->local,
	                             .conn_id = c->id};
}

static void txq_free(struct conn *c)
{
	while (c->txq) {
		struct txb *b = c->txq;
		c->txq = b->next;
		sx_mem_unref(b);
	}
	c->txq_tail = NULL;
	c->txq_bytes = 0;
}

/*
 * Close @c and drop the tables' reference.  err_h hears of it when @err
 * is set and the close loses something: a connection that never opened,
 * or unsent bytes.
 */
static void conn_close(struct conn *c, int err)
{
	struct sx_sip_tp_stream *tp = c->tp;
	struct sx_sip_peer peer;

	if (c->state == CONN_CLOSED)
		return;
	bool notify = err && tp->base.err_h &&
	              ((!c->server && c->state != CONN_OPEN) || c->txq);
	c->state = CONN_CLOSED;
	conn_unlink(c);
	sx_tmr_stop(&c->idle_tmr);
	sx_tmr_stop(&c->msg_tmr);
	(void)sx_ev_fd_del(tp->loop, c->fd);
	txq_free(c);
	tp->st.closed++;
	if (notify) {
		peer_of(c, &peer);
		tp->base.err_h(&tp->base, &peer, err, tp->base.arg);
	}
	sx_mem_unref(c);
}

static void conn_destroy(void *obj)
{
	struct conn *c = obj;

	SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	txq_free(c);
	sx_mem_unref(c->rx);
}

/* -- I/O ---------------------------------------------------------------- */

/* Map an OpenSSL result: -EAGAIN to wait, 0 for EOF, else an errno. */
static ssize_t ssl_result(struct conn *c, int r)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_WRITE:
		c->ssl_want_write = true;
		return -EAGAIN;
	case SSL_ERROR_WANT_READ:
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		sx_sip__tls_log_errors("TLS I/O");
		return -ECONNRESET;
	}
}

static ssize_t io_read(struct conn *c, char *buf, size_t n)
{
	if (c->ssl) {
		c->ssl_want_write = false;
		int r =
		    SSL_read(c->ssl, buf, (int)SX_MIN(n, (size_t)INT32_MAX));
		return r > 0 ? r : ssl_result(c, r);
	}
	ssize_t r = recv(c->fd, buf, n, MSG_DONTWAIT);
	if (r >= 0)
		return r;
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
	           ? -EAGAIN
	           : -errno;
}

static ssize_t io_write(struct conn *c, const char *buf, size_t n)
{
	if (c->ssl) {
		c->ssl_want_write = false;
		int r =
		    SSL_write(c->ssl, buf, (int)SX_MIN(n, (size_t)INT32_MAX));
		return r > 0 ? r : ssl_result(c, r);
	}
	ssize_t r = send(c->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r >= 0)
		return r;
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
	           ? -EAGAIN
	           : -errno;
}

/* Register the interest the connection's state calls for. */
static void conn_interest(struct conn *c)
{
	uint32_t ev;

	if (c->state == CONN_CLOSED)
		return;
	if (c->state == CONN_CONNECTING)
		ev = SX_EV_WRITE;
	else if (c->state == CONN_HANDSHAKE)
		ev = c->ssl_want_write ? SX_EV_WRITE : SX_EV_READ;
	else
		ev = SX_EV_READ |
		     (c->txq || c->ssl_want_write ? SX_EV_WRITE : 0);
	if (ev != c->events && !sx_ev_fd_mod(c->tp->loop, c->fd, ev))
		c->events = ev;
}

static void on_idle(void *arg)
{
	struct conn *c = arg;

	c->tp->st.timeouts++;
	SX_LOG_DBG("connection %llu idle, closing", (unsigned long long)c->id);
	conn_close(c, -ETIMEDOUT);
}

static void on_msg_timeout(void *arg)
{
	struct conn *c = arg;

	c->tp->st.timeouts++;
	SX_LOG_WARN_RL("connection %llu: %s too slow, closing",
	               (unsigned long long)c->id,
	               c->state == CONN_OPEN ? "message" : "connection setup");
	conn_close(c, -ETIMEDOUT);
}

static void touch(struct conn *c)
{
	if (sx_tmr_start(c->tp->loop, &c->idle_tmr, c->tp->idle_ms, on_idle, c))
		SX_LOG_WARN_RL("no timer for the idle timeout");
}

/* Write queued bytes until done or the socket is full. */
static int flush_txq(struct conn *c)
{
	while (c->txq) {
		struct txb *b = c->txq;
		ssize_t n = io_write(c, b->data + b->off, b->len - b->off);
		if (n == -EAGAIN)
			break;
		if (n <= 0)
			return n ? (int)n : -ECONNRESET;
		touch(c);
		b->off += (size_t)n;
		c->txq_bytes -= (size_t)n;
		if (b->off < b->len)
			continue;
		c->txq = b->next;
		if (!c->txq)
			c->txq_tail = NULL;
		sx_mem_unref(b);
	}
	conn_interest(c);
	return 0;
}

static int txq_append(struct conn *c, const char *buf, size_t len)
{
	struct txb *b = sx_mem_alloc(sizeof(*b) + len, NULL);

	if (!b)
		return -ENOMEM;
	b->next = NULL;
	b->len = len;
	b->off = 0;
	memcpy(b->data, buf, len);
	if (c->txq_tail)
		c->txq_tail->next = b;
	else
		c->txq = b;
	c->txq_tail = b;
	c->txq_bytes += len;
	return 0;
}

/* Queue @buf behind what waits, then write what the socket takes. */
static int conn_send(struct conn *c, const char *buf, size_t len)
{
	if (c->txq_bytes + len > c->tp->txq_max)
		return -ENOBUFS;
	int err = txq_append(c, buf, len);
	if (err)
		return err;
	if (c->state != CONN_OPEN) {
		conn_interest(c);
		return 0;
	}
	err = flush_txq(c);
	if (err)
		conn_close(c, err);
	return err;
}

/* -- receive ------------------------------------------------------------ */

/* A framing or parse error: answer 400 (or the parser's status). */
static void bad_message(struct conn *c, const char *p, size_t len,
                        const struct sx_sip_perr *perr)
{
	struct sx_buf out;

	c->tp->st.rx_bad++;
	SX_LOG_WARN_RL("connection %llu: bad message: %u %s",
	               (unsigned long long)c->id, perr->status,
	               perr->reason ? perr->reason : "");
	sx_buf_init(&out, SX_SIP_MAX_MSG_SIZE);
	if (!sx_sip__err_reply(p, len, perr, &out))
		(void)conn_send(c, out.p, out.len);
	sx_buf_fini(&out);
}

/* Parse one framed message from its own copy and deliver it. */
static void deliver(struct conn *c, const char *p, size_t len)
{
	struct sx_sip_tp_stream *tp = c->tp;
	struct sx_sip_perr perr = {0};
	struct sx_sip_msg *msg = NULL;
	struct sx_sip_peer peer;

	char *blk = sx_mem_alloc(len, NULL);
	if (!blk) {
		SX_LOG_WARN_RL("out of memory: dropped a message");
		return;
	}
	memcpy(blk, p, len);
	struct sx_sip_parse_prm prm = {.stream = true, .owner = blk};
	int err = sx_sip_msg_parse(&msg, blk, len, &prm, &perr);
	if (err && err != -ENOMEM)
		bad_message(c, blk, len, &perr);
	sx_mem_unref(blk);
	if (err)
		return;
	tp->st.rx_msgs++;
	peer_of(c, &peer);
	tp->base.recv_h(&tp->base, msg, &peer, tp->base.arg);
}

/* Leading CR/LF bytes: answer pings, skip pongs.  Returns the bytes
 * consumed; 0 with *waitp when they might be half a ping. */
static size_t keepalives(struct conn *c, const char *p, size_t len, bool *waitp)
{
	size_t k = 0;

	if (len >= 4 && sx_sip__is_ping(p, 4)) {
		/* RFC 5626 3.5.1: the pong is a single CRLF */
		c->tp->st.keepalives++;
		(void)conn_send(c, "\r\n", 2);
		return 4;
	}
	while (k < len && (p[k] == '\r' || p[k] == '\n'))
		k++;
	if (k < len)
		return k;
	*waitp = k < 4;
	return *waitp ? 0 : 1;
}

/* Frame and deliver what is buffered; false when @c was closed. */
static bool process(struct conn *c)
{
	size_t off = 0;

	while (off < c->rx_len && c->state == CONN_OPEN) {
		const char *p = c->rx + off;
		size_t len = c->rx_len - off, skip;
		bool wait = false;

		if (*p == '\r' || *p == '\n') {
			size_t k = keepalives(c, p, len, &wait);
			if (wait)
				break;
			off += k;
			continue;
		}
		ssize_t n = sx_sip_msg_frame(p, len, &skip);
		if (n == -EAGAIN)
			break;
		if (n < 0) {
			struct sx_sip_perr perr = {n == -E2BIG ? 413 : 400,
			                           n == -E2BIG
			                               ? "Message Too Large"
			                               : "Bad Message Framing"};
			if (n == -E2BIG)
				c->tp->st.overflows++;
			bad_message(c, p, len, &perr);
			conn_close(c, -EBADMSG);
			return false;
		}
		deliver(c, p, (size_t)n);
		off += (size_t)n;
	}
	if (c->state != CONN_OPEN)
		return false;
	memmove(c->rx, c->rx + off, c->rx_len - off);
	c->rx_len -= off;
	/* What is left is part of a message, or CR/LF bytes that may be
	 * half a ping (keepalives() waits only on those): a lone pong
	 * or stray CRLF (RFC 3261 7.5) must not trip the message timeout. */
	if (!c->rx_len || c->rx[0] == '\r' || c->rx[0] == '\n')
		sx_tmr_stop(&c->msg_tmr);
	else if (!sx_tmr_isrunning(&c->msg_tmr) &&
	         sx_tmr_start(c->tp->loop, &c->msg_tmr, c->tp->msg_ms,
	                      on_msg_timeout, c))
		SX_LOG_WARN_RL("no timer for the message timeout");
	return true;
}

/* Room for the next read: 0, -EMSGSIZE when rx_max bytes wait
 * incomplete, -ENOMEM. */
static int rx_room(struct conn *c)
{
	if (c->rx_len < c->rx_cap)
		return 0;
	if (c->rx_cap >= c->tp->rx_max) {
		c->tp->st.overflows++;
		SX_LOG_WARN_RL("connection %llu: %zu bytes without a "
		               "complete message, closing",
		               (unsigned long long)c->id, c->rx_len);
		return -EMSGSIZE;
	}
	size_t cap = c->rx_cap ? c->rx_cap * 2 : SX_SIP_TP_STREAM_RX_INIT;
	cap = SX_MIN(cap, c->tp->rx_max);
	char *rx = sx_mem_realloc(c->rx, cap);
	if (!rx) {
		SX_LOG_WARN_RL("out of memory: closing a connection");
		return -ENOMEM;
	}
	c->rx = rx;
	c->rx_cap = cap;
	return 0;
}

static void conn_read(struct conn *c)
{
	for (int round = 0; round < SX_SIP_TP_STREAM_READ_ROUNDS ||
	                    (c->ssl && SSL_pending(c->ssl) > 0);
	     round++) {
		int err = rx_room(c);
		if (err) {
			conn_close(c, err);
			return;
		}
		ssize_t n =
		    io_read(c, c->rx + c->rx_len, c->rx_cap - c->rx_len);
		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			conn_close(c, n ? (int)n : -ECONNRESET);
			return;
		}
		c->rx_len += (size_t)n;
		touch(c);
		if (!process(c))
			return;
	}
	conn_interest(c);
}

/* -- connection set-up -------------------------------------------------- */

/* The socket's local address into *@sa (left alone on failure). */
static void sock_local(int fd, struct sx_sa *sa)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct sx_sa tmp;

	if (!getsockname(fd, (struct sockaddr *)&ss, &len) &&
	    !sx_sa_set_sockaddr(&tmp, (struct sockaddr *)&ss, len))
		*sa = tmp;
}

static void conn_opened(struct conn *c)
{
	c->state = CONN_OPEN;
	sx_tmr_stop(&c->msg_tmr);
	int err = flush_txq(c);
	if (err)
		conn_close(c, err);
}

static void handshake(struct conn *c)
{
	c->ssl_want_write = false;
	int r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		conn_opened(c);
		return;
	}
	if (ssl_result(c, r) == -EAGAIN) {
		conn_interest(c);
		return;
	}
	c->tp->st.tls_fail++;
	long v = SSL_get_verify_result(c->ssl);
	SX_LOG_WARN_RL("connection %llu: TLS handshake failed (%s)",
	               (unsigned long long)c->id,
	               v == X509_V_OK ? "protocol"
	                              : X509_verify_cert_error_string(v));
	conn_close(c, -EPROTO);
}

static void connected(struct conn *c)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl))
		soerr = errno;
	if (soerr) {
		conn_close(c, -soerr);
		return;
	}
	sock_local(c->fd, &c->local);
	c->tp->st.connected++;
	if (c->ssl) {
		c->state = CONN_HANDSHAKE;
		handshake(c);
		return;
	}
	conn_opened(c);
}

static void on_conn_fd(int fd, uint32_t events, void *arg)
{
	struct conn *c = sx_mem_ref(arg);

	(void)fd;
	switch (c->state) {
	case CONN_CONNECTING:
		connected(c);
		break;
	case CONN_HANDSHAKE:
		handshake(c);
		break;
	case CONN_OPEN:
		if (events & SX_EV_WRITE) {
			int err = flush_txq(c);
			if (err)
				conn_close(c, err);
		}
		if (c->state == CONN_OPEN &&
		    (events & (SX_EV_READ | SX_EV_ERROR)))
			conn_read(c);
		break;
	case CONN_CLOSED:
		break;
	}
	sx_mem_unref(c);
}

/* A connection object for @fd, linked and watched.  Takes @fd. */
static int conn_new(struct sx_sip_tp_stream *tp, int fd, bool server,
                    const struct sx_sa *remote, const char *host,
                    struct conn **cp)
{
	struct conn *c = sx_mem_zalloc(sizeof(*c), conn_destroy);
	int err = 0;

	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	c->tp = tp;
	c->server = server;
	c->remote = *remote;
	c->id = sx_sip__conn_id_next();
	c->state = server ? CONN_OPEN : CONN_CONNECTING;
	if (tp->tls) {
		c->ssl = sx_sip__tls_ssl(tp->tls, fd, server, host, remote);
		if (!c->ssl) {
			err = -ENOMEM;
			goto out;
		}
		c->state = server ? CONN_HANDSHAKE : c->state;
	}
	c->events = server ? SX_EV_READ : SX_EV_WRITE;
	err = sx_ev_fd_add(tp->loop, fd, c->events, on_conn_fd, c);
	if (err)
		goto out;
	uint32_t setup_ms = c->state == CONN_OPEN ? 0 : tp->msg_ms;
	if (setup_ms)
		err = sx_tmr_start(tp->loop, &c->msg_tmr, setup_ms,
		                   on_msg_timeout, c);
	if (!err)
		err = sx_tmr_start(tp->loop, &c->idle_tmr, tp->idle_ms, on_idle,
		                   c);
	if (err) {
		(void)sx_ev_fd_del(tp->loop, fd);
		goto out;
	}
	conn_link(c);
	*cp = c;
out:
	if (err) {
		sx_tmr_stop(&c->msg_tmr);
		sx_mem_unref(c);
	}
	return err;
}

static int sock_stream(int af)
{
	int fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		                 sizeof(one));
	return fd;
}

static int conn_connect(struct sx_sip_tp_stream *tp, const struct sx_sa *remote,
                        const char *host, struct conn **cp)
{
	if (!sx_sa_isset(remote) || !sx_sa_port(remote))
		return -EINVAL;
	if (tp->nconns >= tp->max_conns)
		return -EMFILE;
	int fd = sock_stream(sx_sa_af(remote));
	if (fd < 0)
		return -errno;
	if (connect(fd, &remote->u.sa, remote->len) && errno != EINPROGRESS) {
		int err = -errno;
		close(fd);
		return err;
	}
	return conn_new(tp, fd, false, remote, host, cp);
}

int sx_sip_tp_stream_connect(struct sx_sip_tp_stream *tp,
                             const struct sx_sa *remote, const char *host,
                             uint64_t *conn_idp)
{
	struct conn *c;

	if (!tp || !remote)
		return -EINVAL;
	int err = conn_connect(tp, remote, host, &c);
	if (!err && conn_idp)
		*conn_idp = c->id;
	return err;
}

/* Accept one connection; false when there is none (or no fd). */
static bool accept_one(struct listener *l)
{
	struct sx_sip_tp_stream *tp = l->tp;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct sx_sa remote;
	struct conn *c;

	int fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
	                 SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			SX_LOG_WARN_RL("accept: %s", strerror(errno));
		return false;
	}
	if (sx_sa_set_sockaddr(&remote, (struct sockaddr *)&ss, len) ||
	    tp->nconns >= tp->max_conns ||
	    accepted_from(tp, &remote) >= tp->max_per_ip) {
		tp->st.rejected++;
		SX_LOG_WARN_RL("connection limit reached, refusing one");
		close(fd);
		return true;
	}
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (conn_new(tp, fd, true, &remote, NULL, &c)) {
		SX_LOG_WARN_RL("out of memory: refused a connection");
		return true;
	}
	c->local = l->local;
	sock_local(fd, &c->local);
	tp->st.accepted++;
	return true;
}

static void on_listen_fd(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	for (int i = 0; i < SX_SIP_TP_STREAM_ACCEPT_ROUNDS; i++)
		if (!accept_one(arg))
			break;
}

/* -- ops ---------------------------------------------------------------- */

static int stream_send(struct sx_sip_tport *base,
                       const struct sx_sip_peer *peer, const char *buf,
                       size_t len)
{
	struct sx_sip_tp_stream *tp = (struct sx_sip_tp_stream *)base;
	struct conn *c = NULL;

	if (!tp || !peer || !buf || !len)
		return -EINVAL;
	if (peer->proto != tp->proto && peer->proto != SX_SIP_PROTO_NONE)
		return -EPROTONOSUPPORT;
	if (len > SX_SIP_MAX_MSG_SIZE)
		return -EMSGSIZE;
	if (peer->conn_id)
		c = find_id(tp, peer->conn_id);
	if (!c && sx_sa_isset(&peer->remote))
		c = find_remote(tp, &peer->remote);
	if (!c) {
		int err = conn_connect(tp, &peer->remote, NULL, &c);
		if (err)
			return err;
	}
	return conn_send(c, buf, len);
}

static int stream_local(struct sx_sip_tport *base, enum sx_sip_proto proto,
                        struct sx_sa *localp)
{
	struct sx_sip_tp_stream *tp = (struct sx_sip_tp_stream *)base;

	if (!tp || !localp || proto != tp->proto || !tp->nlis)
		return -EINVAL;
	*localp = tp->lis[0].local;
	return 0;
}

static const struct sx_sip_tport_ops stream_ops = {
    .send = stream_send,
    .local = stream_local,
};

/* -- life cycle --------------------------------------------------------- */

static void stream_destroy(void *obj)
{
	struct sx_sip_tp_stream *tp = obj;

	tp->base.err_h = NULL; /* no reports while tearing down */
	while (tp->all)
		conn_close(tp->all, 0);
	for (size_t i = 0; i < tp->nlis; i++) {
		(void)sx_ev_fd_del(tp->loop, tp->lis[i].fd);
		close(tp->lis[i].fd);
	}
	sx_mem_unref(tp->by_id);
	sx_mem_unref(tp->by_ip);
	sx_mem_unref(tp->tls);
}

static int listen_open(struct sx_sip_tp_stream *tp, const struct sx_sa *local,
                       bool reuseport)
{
	struct listener *l = &tp->lis[tp->nlis];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int one = 1;

	int fd = sock_stream(sx_sa_af(local));
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sx_sa_af(local) == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		                 sizeof(one));
	if ((reuseport &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) ||
	    bind(fd, &local->u.sa, local->len) ||
	    listen(fd, SX_SIP_TP_STREAM_BACKLOG) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		int err = -errno;
		close(fd);
		return err;
	}
	l->fd = fd;
	l->tp = tp;
	tp->nlis++;
	int err = sx_sa_set_sockaddr(&l->local, (struct sockaddr *)&ss, len);
	if (!err)
		err = sx_ev_fd_add(tp->loop, fd, SX_EV_READ, on_listen_fd, l);
	if (err) { /* not watched: stop the destructor from removing it */
		tp->nlis--;
		close(fd);
	}
	return err;
}

static size_t buckets_for(size_t max_conns)
{
	size_t n = BUCKETS_MIN;
	while (n < max_conns && n < BUCKETS_MAX)
		n *= 2;
	return n;
}

static bool prm_ok(const struct sx_sip_tp_stream_prm *prm)
{
	if (!prm || !prm->recv_h ||
	    prm->nlisten > SX_SIP_TP_STREAM_MAX_LISTEN ||
	    (prm->nlisten && !prm->listen))
		return false;
	if (prm->proto == SX_SIP_PROTO_TLS)
		return prm->tls != NULL;
	return prm->proto == SX_SIP_PROTO_TCP && !prm->tls;
}

static void set_limits(struct sx_sip_tp_stream *tp,
                       const struct sx_sip_tp_stream_prm *prm)
{
	tp->max_conns =
	    prm->max_conns ? prm->max_conns : SX_SIP_TP_STREAM_MAX_CONNS;
	tp->max_per_ip =
	    prm->max_per_ip ? prm->max_per_ip : SX_SIP_TP_STREAM_MAX_PER_IP;
	tp->idle_ms = prm->idle_ms ? prm->idle_ms : SX_SIP_TP_STREAM_IDLE_MS;
	tp->msg_ms = prm->msg_ms ? prm->msg_ms : SX_SIP_TP_STREAM_MSG_MS;
	tp->rx_max = prm->rx_max ? prm->rx_max : SX_SIP_TP_STREAM_RX_MAX;
	tp->txq_max = prm->txq_max ? prm->txq_max : SX_SIP_TP_STREAM_TXQ_MAX;
}

int sx_sip_tp_stream_alloc(struct sx_sip_tp_stream **tpp, struct sx_ev *loop,
                           const struct sx_sip_tp_stream_prm *prm)
{
	struct sx_sip_tp_stream *tp;
	int err = 0;

	if (!tpp || !loop || !prm_ok(prm))
		return -EINVAL;
	tp = sx_mem_zalloc(sizeof(*tp), stream_destroy);
	if (!tp)
		return -ENOMEM;
	tp->base = (struct sx_sip_tport){.ops = &stream_ops,
	                                 .recv_h = prm->recv_h,
	                                 .err_h = prm->err_h,
	                                 .arg = prm->arg};
	tp->loop = loop;
	tp->proto = prm->proto;
	tp->tls = sx_mem_ref(prm->tls);
	set_limits(tp, prm);
	size_t nb = buckets_for(tp->max_conns);
	tp->mask = nb - 1;
	tp->by_id = sx_mem_zalloc(nb * sizeof(*tp->by_id), NULL);
	tp->by_ip = sx_mem_zalloc(nb * sizeof(*tp->by_ip), NULL);
	if (!tp->by_id || !tp->by_ip)
		err = -ENOMEM;
	for (size_t i = 0; i < prm->nlisten && !err; i++)
		err = listen_open(tp, &prm->listen[i], prm->reuseport);
	if (err) {
		sx_mem_unref(tp);
		return err;
	}
	*tpp = tp;
	return 0;
}

struct sx_sip_tport *sx_sip_tp_stream_tport(struct sx_sip_tp_stream *tp)
{
	return tp ? &tp->base : NULL;
}

const struct sx_sa *
sx_sip_tp_stream_listen_addr(const struct sx_sip_tp_stream *tp, size_t i)
{
	return tp && i < tp->nlis ? &tp->lis[i].local : NULL;
}

int sx_sip_tp_stream_close(struct sx_sip_tp_stream *tp, uint64_t conn_id)
{
	struct conn *c = tp && conn_id ? find_id(tp, conn_id) : NULL;

	if (!c)
		return -ENOENT;
	conn_close(c, 0);
	return 0;
}

size_t sx_sip_tp_stream_conn_count(const struct sx_sip_tp_stream *tp)
{
	return tp ? tp->nconns : 0;
}

void sx_sip_tp_stream_stats(const struct sx_sip_tp_stream *tp,
                            struct sx_sip_tp_stream_stats *st)
{
	if (tp && st)
		*st = tp->st;
}
