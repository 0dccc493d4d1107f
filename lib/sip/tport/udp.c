/*
 * SIP over UDP (RFC 3261 18.1.1, 18.2.1; RFC 5626 3.5.1): batched
 * receive into a pool of blocks, zero-copy parse, stateless error
 * replies, CRLF keep-alive answers, and a send queue flushed with
 * sendmmsg() once per loop iteration.
 *
 * Pool: every receive slot is an SX_UDP_MAX_PAYLOAD sx_mem block, kept
 * for the socket's life.  A datagram that becomes a message is copied
 * into a block of its own length, handed to the message (owner): the
 * slots are not given away, so the allocator never has to provide
 * (and the kernel map) fresh 64 KiB blocks per datagram.
 */
#define SX_LOG_MOD "sip.tp.udp"

#include <errno.h>
#include <string.h>

#include <sx/port/tmr.h>
#include <sx/port/udp.h>
#include <sx/sip/print.h>
#include <sx/sip/tp_udp.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "tport_int.h"

struct udp_sock {
	struct sx_sip_tp_udp *tp;
	struct sx_udp *u;
	bool registered;          /* fd added to the loop */
	bool want_write;          /* SX_EV_WRITE requested: queue blocked */
	void *pool[SX_UDP_BATCH]; /* receive blocks, NULL = to refill */
	struct sx_udp_rx rx[SX_UDP_BATCH];
	void *txc[SX_UDP_BATCH]; /* copies of queued datagrams, in order */
	size_t ntxc;
};

struct sx_sip_tp_udp {
	struct sx_sip_tport base; /* first: the object is its tport */
	struct sx_ev *loop;
	struct udp_sock socks[SX_SIP_TP_UDP_MAX_SOCKS];
	size_t nsocks;
	size_t batch;
	struct sx_tmr flush_tmr;
	struct sx_sip_tp_udp_stats st;
	char drop_buf[SX_UDP_MAX_PAYLOAD]; /* drains a datagram when the
	                                      pool cannot be refilled */
};

/* Free the copies of datagrams that left sx_udp's queue. */
static void tx_sync(struct udp_sock *s)
{
	size_t sent = s->ntxc - SX_MIN(s->ntxc, sx_udp_queued(s->u));

	for (size_t i = 0; i < sent; i++)
		sx_mem_unref(s->txc[i]);
	memmove(s->txc, s->txc + sent, (s->ntxc - sent) * sizeof(s->txc[0]));
	s->ntxc -= sent;
}

static void want_write(struct udp_sock *s, bool on)
{
	if (s->want_write == on || !s->registered)
		return;
	uint32_t ev = SX_EV_READ | (on ? SX_EV_WRITE : 0);
	if (!sx_ev_fd_mod(s->tp->loop, sx_udp_fd(s->u), ev))
		s->want_write = on;
}

static void flush_sock(struct udp_sock *s)
{
	if (!s->ntxc)
		return;
	int r = sx_udp_flush(s->u);
	tx_sync(s);
	want_write(s, r == -EAGAIN);
}

void sx_sip_tp_udp_flush(struct sx_sip_tp_udp *tp)
{
	if (!tp)
		return;
	for (size_t i = 0; i < tp->nsocks; i++)
		flush_sock(&tp->socks[i]);
}

static void on_flush_tmr(void *arg)
{
	sx_sip_tp_udp_flush(arg);
}

/* -- receive ------------------------------------------------------------ */

/* Refill empty slots; returns how many leading slots hold a block. */
static size_t pool_fill(struct udp_sock *s)
{
	size_t i;

	for (i = 0; i < s->tp->batch; i++) {
		if (!s->pool[i])
			s->pool[i] = sx_mem_alloc(SX_UDP_MAX_PAYLOAD, NULL);
		if (!s->pool[i])
			break;
	}
	return i;
}

/* A datagram without a message: only CR/LF bytes (keep-alives and stray
 * line ends, RFC 5626 3.5.1, RFC 3261 7.5) or only NUL bytes (the 4-byte
 * NAT keep-alive some proxies send).  Empty counts too.  The first byte
 * decides for a message, so this costs nothing on the hot path. */
static bool is_keepalive(const char *p, size_t len)
{
	bool nul = len && p[0] == '\0';

	for (size_t i = 0; i < len; i++)
		if (nul ? p[i] != '\0' : (p[i] != '\r' && p[i] != '\n'))
			return false;
	return true;
}

/* RFC 3261 18.2.1 / 16.3: answer a malformed request statelessly. */
static void err_reply(struct udp_sock *s, const struct sx_udp_rx *rx,
                      const char *p, const struct sx_sip_perr *perr)
{
	struct sx_buf out;
	char src[SX_SA_STRLEN];

	if (sx_sa_print(&rx->src, src, sizeof(src)) < 0)
		src[0] = '\0';
	SX_LOG_WARN_RL("bad message from %s: %u %s", src, perr->status,
	               perr->reason ? perr->reason : "");
	sx_buf_init(&out, SX_UDP_MAX_PAYLOAD);
	if (!sx_sip__err_reply(p, rx->len, perr, &out) &&
	    !sx_udp_send(s->u, &rx->src, out.p, out.len))
		s->tp->st.err_replies++;
	sx_buf_fini(&out);
}

static void peer_of(const struct udp_sock *s, const struct sx_udp_rx *rx,
                    struct sx_sip_peer *peer)
{
	*peer =
	    (struct sx_sip_peer){.proto = SX_SIP_PROTO_UDP, .remote = rx->src};
	peer->local = sx_sa_isset(&rx->dst) ? rx->dst : *sx_udp_local(s->u);
}

/* Parse a copy of slot @i's datagram; the copy goes with the message. */
static void parse_slot(struct udp_sock *s, size_t i)
{
	struct sx_sip_tp_udp *tp = s->tp;
	const struct sx_udp_rx *rx = &s->rx[i];
	struct sx_sip_parse_prm prm = {.stream = false};
	struct sx_sip_perr perr = {0};
	struct sx_sip_msg *msg = NULL;
	struct sx_sip_peer peer;

	char *blk = sx_mem_alloc(rx->len, NULL);
	if (!blk) {
		tp->st.rx_nomem++;
		return;
	}
	memcpy(blk, s->pool[i], rx->len);
	prm.owner = blk;
	int err = sx_sip_msg_parse(&msg, blk, rx->len, &prm, &perr);
	if (err == -ENOMEM) {
		tp->st.rx_nomem++;
	} else if (err) {
		tp->st.rx_bad++;
		err_reply(s, rx, blk, &perr);
	}
	sx_mem_unref(blk);
	if (err)
		return;
	peer_of(s, rx, &peer);
	tp->st.rx_msgs++;
	tp->base.recv_h(&tp->base, msg, &peer, tp->base.arg);
}

static void on_datagram(struct udp_sock *s, size_t i)
{
	struct sx_sip_tp_udp *tp = s->tp;
	const struct sx_udp_rx *rx = &s->rx[i];
	const char *p = s->pool[i];

	tp->st.rx++;
	if (rx->trunc || !sx_sa_isset(&rx->src)) {
		tp->st.rx_bad++;
		SX_LOG_WARN_RL("dropped a truncated or sourceless datagram");
		return;
	}
	if (is_keepalive(p, rx->len)) {
		/* dropped without a log line or a 400; a CRLF ping gets a
		 * CRLF pong (RFC 5626 3.5.1) */
		if (sx_sip__is_ping(p, rx->len) &&
		    !sx_udp_send(s->u, &rx->src, "\r\n", 2))
			tp->st.keepalives++;
		return;
	}
	parse_slot(s, i);
}

/* No block for a slot: read one datagram into scratch and drop it, so a
 * level-triggered socket cannot spin. */
static void drain_one(struct udp_sock *s)
{
	struct sx_udp_rx rx = {.buf = s->tp->drop_buf,
	                       .size = sizeof(s->tp->drop_buf)};

	if (sx_udp_recv(s->u, &rx, 1) <= 0)
		return;
	s->tp->st.rx++;
	s->tp->st.rx_nomem++;
	SX_LOG_WARN_RL("out of memory: dropped a datagram");
}

/* Read one batch; true when the socket may hold more. */
static bool read_batch(struct udp_sock *s)
{
	size_t n = pool_fill(s);

	if (!n) {
		drain_one(s);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		s->rx[i] = (struct sx_udp_rx){.buf = s->pool[i],
		                              .size = SX_UDP_MAX_PAYLOAD};
	ssize_t r = sx_udp_recv(s->u, s->rx, n);
	if (r < 0)
		SX_LOG_DBG("recvmmsg: %s", strerror((int)-r));
	for (ssize_t i = 0; i < r; i++)
		on_datagram(s, (size_t)i);
	return r == (ssize_t)n;
}

static void on_fd(int fd, uint32_t events, void *arg)
{
	struct udp_sock *s = arg;

	(void)fd;
	if (events & SX_EV_WRITE)
		flush_sock(s);
	if (!(events & (SX_EV_READ | SX_EV_ERROR)))
		return;
	for (int round = 0; round < SX_SIP_TP_UDP_RX_ROUNDS; round++)
		if (!read_batch(s))
			break;
}

/* -- send --------------------------------------------------------------- */

static struct udp_sock *pick_sock(struct sx_sip_tp_udp *tp,
                                  const struct sx_sip_peer *peer)
{
	struct udp_sock *addr_match = NULL, *af_match = NULL;
	int af = sx_sa_af(&peer->remote);

	for (size_t i = 0; i < tp->nsocks; i++) {
		struct udp_sock *s = &tp->socks[i];
		const struct sx_sa *l = sx_udp_local(s->u);
		if (sx_sa_af(l) != af)
			continue;
		if (sx_sa_eq(l, &peer->local))
			return s;
		if (!addr_match && sx_sa_eq_addr(l, &peer->local))
			addr_match = s;
		if (!af_match)
			af_match = s;
	}
	return addr_match ? addr_match : af_match;
}

static int check_send(struct sx_sip_tp_udp *tp, const struct sx_sip_peer *peer,
                      const char *buf, size_t len, struct udp_sock **sp)
{
	if (!tp || !peer || !buf || !len || !sx_sa_isset(&peer->remote))
		return -EINVAL;
	if (peer->proto != SX_SIP_PROTO_UDP && peer->proto != SX_SIP_PROTO_NONE)
		return -EPROTONOSUPPORT;
	if (len > SX_UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	*sp = pick_sock(tp, peer);
	return *sp ? 0 : -EAFNOSUPPORT;
}

int sx_sip_tp_udp_send_direct(struct sx_sip_tp_udp *tp,
                              const struct sx_sip_peer *peer, const char *buf,
                              size_t len)
{
	struct udp_sock *s;
	int err = check_send(tp, peer, buf, len, &s);

	if (!err)
		err = sx_udp_send(s->u, &peer->remote, buf, len);
	if (tp && err)
		tp->st.tx_err++;
	else if (tp)
		tp->st.tx++;
	return err;
}

static int udp_send(struct sx_sip_tport *base, const struct sx_sip_peer *peer,
                    const char *buf, size_t len)
{
	struct sx_sip_tp_udp *tp = (struct sx_sip_tp_udp *)base;
	struct udp_sock *s;
	int err = check_send(tp, peer, buf, len, &s);

	if (err)
		return err;
	/* A full batch is sent before queueing more: sx_udp_queue() would
	 * flush it by itself and the copies in txc[] would lose their
	 * order.  If the socket still cannot take it, send directly (a
	 * datagram lost here is retransmitted by the transaction layer). */
	if (s->ntxc == SX_UDP_BATCH)
		flush_sock(s);
	char *c = s->ntxc < SX_UDP_BATCH ? sx_mem_alloc(len, NULL) : NULL;
	if (!c)
		return sx_sip_tp_udp_send_direct(tp, peer, buf, len);
	memcpy(c, buf, len);
	err = sx_udp_queue(s->u, &peer->remote, c, len);
	if (err) {
		sx_mem_unref(c);
		tx_sync(s);
		tp->st.tx_err++;
		return err;
	}
	s->txc[s->ntxc++] = c;
	tx_sync(s);
	tp->st.tx++;
	if (!sx_tmr_isrunning(&tp->flush_tmr) &&
	    sx_tmr_start(tp->loop, &tp->flush_tmr, 0, on_flush_tmr, tp))
		flush_sock(s); /* no timer slot: send now */
	return 0;
}

static int udp_local(struct sx_sip_tport *base, enum sx_sip_proto proto,
                     struct sx_sa *localp)
{
	struct sx_sip_tp_udp *tp = (struct sx_sip_tp_udp *)base;

	if (!tp || !localp || proto != SX_SIP_PROTO_UDP || !tp->nsocks)
		return -EINVAL;
	*localp = *sx_udp_local(tp->socks[0].u);
	return 0;
}

static const struct sx_sip_tport_ops udp_ops = {
    .send = udp_send,
    .local = udp_local,
};

/* -- life cycle --------------------------------------------------------- */

static void sock_fini(struct udp_sock *s)
{
	if (s->registered)
		(void)sx_ev_fd_del(s->tp->loop, sx_udp_fd(s->u));
	sx_udp_discard(s->u);
	for (size_t i = 0; i < s->ntxc; i++)
		sx_mem_unref(s->txc[i]);
	for (size_t i = 0; i < SX_UDP_BATCH; i++)
		sx_mem_unref(s->pool[i]);
	sx_udp_close(s->u);
}

static void udp_destroy(void *obj)
{
	struct sx_sip_tp_udp *tp = obj;

	sx_tmr_stop(&tp->flush_tmr);
	for (size_t i = 0; i < tp->nsocks; i++)
		sock_fini(&tp->socks[i]);
}

static int sock_open(struct sx_sip_tp_udp *tp, const struct sx_sa *local,
                     const struct sx_sip_tp_udp_prm *prm)
{
	struct udp_sock *s = &tp->socks[tp->nsocks];
	struct sx_udp_prm uprm = {.reuseport = prm->reuseport,
	                          .rcvbuf = prm->rcvbuf,
	                          .sndbuf = prm->sndbuf};

	int err = sx_udp_open(&s->u, local, &uprm);
	if (err)
		return err;
	s->tp = tp;
	tp->nsocks++;
	err = sx_ev_fd_add(tp->loop, sx_udp_fd(s->u), SX_EV_READ, on_fd, s);
	if (!err)
		s->registered = true;
	return err;
}

int sx_sip_tp_udp_alloc(struct sx_sip_tp_udp **tpp, struct sx_ev *loop,
                        const struct sx_sip_tp_udp_prm *prm)
{
	struct sx_sip_tp_udp *tp;
	int err = 0;

	if (!tpp || !loop || !prm || !prm->recv_h || !prm->local ||
	    !prm->nlocal || prm->nlocal > SX_SIP_TP_UDP_MAX_SOCKS ||
	    prm->batch > SX_UDP_BATCH)
		return -EINVAL;
	tp = sx_mem_zalloc(sizeof(*tp), udp_destroy);
	if (!tp)
		return -ENOMEM;
	tp->base = (struct sx_sip_tport){.ops = &udp_ops,
	                                 .recv_h = prm->recv_h,
	                                 .err_h = prm->err_h,
	                                 .arg = prm->arg};
	tp->loop = loop;
	tp->batch = prm->batch ? prm->batch : SX_UDP_BATCH;
	for (size_t i = 0; i < prm->nlocal && !err; i++)
		err = sock_open(tp, &prm->local[i], prm);
	if (err) {
		sx_mem_unref(tp);
		return err;
	}
	*tpp = tp;
	return 0;
}

struct sx_sip_tport *sx_sip_tp_udp_tport(struct sx_sip_tp_udp *tp)
{
	return tp ? &tp->base : NULL;
}

const struct sx_sa *sx_sip_tp_udp_local(const struct sx_sip_tp_udp *tp,
                                        size_t i)
{
	return tp && i < tp->nsocks ? sx_udp_local(tp->socks[i].u) : NULL;
}

void sx_sip_tp_udp_stats(const struct sx_sip_tp_udp *tp,
                         struct sx_sip_tp_udp_stats *st)
{
	if (tp && st)
		*st = tp->st;
}
