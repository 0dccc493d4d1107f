/*
 * Unit tests for sx_udp on loopback (127.0.0.1 and ::1, ports bound to
 * 0): batched send and receive with source and local addresses, the
 * pktinfo local address on a wildcard socket, truncation, a datagram the
 * kernel rejects inside a batch, SO_REUSEPORT and buffer sizes.  Waits
 * are bounded epoll timeouts through the sx_ev loop.
 */
#include <limits.h>
#include <stdio.h>
#include <sys/socket.h>

#include <sx/port/ev.h>
#include <sx/port/udp.h>

#include "port_test.h"

#define WAIT_MS   2000
#define MAX_WAITS 50
#define NDGRAMS   40 /* more than one batch */
#define DGRAM_MAX 64

struct rxstate {
	struct sx_udp *u;
	struct sx_udp_rx rx[SX_UDP_BATCH];
	char bufs[NDGRAMS][DGRAM_MAX];
	struct sx_udp_rx got[NDGRAMS];
	char data[NDGRAMS][DGRAM_MAX];
	size_t n;
	ssize_t max_batch;
	int err;
};

static void on_readable(int fd, uint32_t events, void *arg)
{
	struct rxstate *s = arg;

	for (size_t i = 0; i < SX_UDP_BATCH; i++)
		s->rx[i] =
		    (struct sx_udp_rx){.buf = s->bufs[i], .size = DGRAM_MAX};
	ssize_t n = sx_udp_recv(s->u, s->rx, SX_UDP_BATCH);
	if (n < 0) {
		s->err = (int)n;
		return;
	}
	s->max_batch = SX_MAX(s->max_batch, n);
	for (ssize_t i = 0; i < n && s->n < NDGRAMS; i++, s->n++) {
		s->got[s->n] = s->rx[i];
		memcpy(s->data[s->n], s->bufs[i], s->rx[i].len);
	}
}

/* Run the loop until @want datagrams arrived (bounded). */
static int wait_rx(struct sx_ev *loop, struct rxstate *s, size_t want)
{
	for (int i = 0; i < MAX_WAITS && s->n < want && !s->err; i++) {
		int n = sx_ev_run_once(loop, WAIT_MS);
		if (n < 0)
			return n;
	}
	if (s->err)
		return s->err;
	return s->n == want ? 0 : -ETIMEDOUT;
}

/* Open on @addr:0; UT_SKIP when the family is not available. */
static int open_or_skip(struct sx_udp **up, const char *addr,
                        const struct sx_udp_prm *prm)
{
	struct sx_sa sa;
	int err = sx_sa_parse(&sa, sx_sl_cstr(addr));
	if (err)
		return err;
	err = sx_udp_open(up, &sa, prm);
	if (err == -EAFNOSUPPORT || err == -EADDRNOTAVAIL)
		return UT_SKIP;
	return err;
}

/* Queue NDGRAMS from a to b, flush, receive them in batches, in order. */
static int batch_roundtrip(const char *addr)
{
	static struct rxstate s;
	struct sx_ev *loop = NULL;
	struct sx_udp *a = NULL;
	char out[NDGRAMS][DGRAM_MAX];
	int err = 0;

	memset(&s, 0, sizeof(s));
	err = open_or_skip(&a, addr, NULL);
	if (err)
		goto out;
	UT_OK(open_or_skip(&s.u, addr, NULL));
	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(sx_ev_fd_add(loop, sx_udp_fd(s.u), SX_EV_READ, on_readable, &s));
	UT_TRUE(sx_sa_port(sx_udp_local(s.u)) != 0);
	for (int i = 0; i < NDGRAMS; i++) {
		int len = snprintf(out[i], sizeof(out[i]), "dgram %d", i);
		/* the 33rd queue call flushes the first 32 */
		UT_OK(sx_udp_queue(a, sx_udp_local(s.u), out[i], (size_t)len));
	}
	UT_EQ(NDGRAMS - SX_UDP_BATCH, sx_udp_queued(a));
	UT_OK(sx_udp_flush(a));
	UT_EQ(0, sx_udp_queued(a));
	UT_OK(wait_rx(loop, &s, NDGRAMS));
	UT_TRUE(s.max_batch > 1); /* really batched */
	for (int i = 0; i < NDGRAMS; i++) {
		UT_EQ(strlen(out[i]), s.got[i].len);
		UT_MEM_EQ(out[i], s.data[i], s.got[i].len);
		UT_TRUE(!s.got[i].trunc);
		UT_TRUE(sx_sa_eq(&s.got[i].src, sx_udp_local(a)));
		UT_TRUE(sx_sa_eq(&s.got[i].dst, sx_udp_local(s.u)));
	}
	struct sx_udp_stats st;
	sx_udp_stats(a, &st);
	UT_EQ(NDGRAMS, st.tx);
	UT_EQ(0, st.tx_err);
	sx_udp_stats(s.u, &st);
	UT_EQ(NDGRAMS, st.rx);
out:
	sx_ev_free(loop);
	sx_udp_close(a);
	sx_udp_close(s.u);
	return err;
}

static int test_udp_batch_v4(void)
{
	return batch_roundtrip("127.0.0.1:0");
}

static int test_udp_batch_v6(void)
{
	return batch_roundtrip("[::1]:0");
}

/*
 * Wildcard socket: pktinfo reports 127.0.0.1 as the local address; a
 * single send; a long datagram is flagged truncated.
 */
static int test_udp_pktinfo_trunc(void)
{
	static struct rxstate s;
	struct sx_ev *loop = NULL;
	struct sx_udp *a = NULL;
	struct sx_sa to, lo;
	char big[DGRAM_MAX * 2];
	int err = 0;

	memset(&s, 0, sizeof(s));
	memset(big, 'b', sizeof(big));
	UT_OK(open_or_skip(&s.u, "0.0.0.0:0", NULL));
	UT_OK(open_or_skip(&a, "127.0.0.1:0", NULL));
	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(sx_ev_fd_add(loop, sx_udp_fd(s.u), SX_EV_READ, on_readable, &s));
	UT_OK(sx_sa_set_str(&to, SX_SL("127.0.0.1"),
	                    sx_sa_port(sx_udp_local(s.u))));
	UT_OK(sx_udp_send(a, &to, "hello", 5));
	UT_OK(sx_udp_send(a, &to, big, sizeof(big)));
	UT_OK(sx_udp_send(a, &to, NULL, 0)); /* empty datagram is valid */
	UT_OK(wait_rx(loop, &s, 3));
	UT_OK(sx_sa_parse(&lo, SX_SL("127.0.0.1")));
	UT_TRUE(sx_sa_eq_addr(&s.got[0].dst, &lo));
	UT_EQ(sx_sa_port(sx_udp_local(s.u)), sx_sa_port(&s.got[0].dst));
	UT_MEM_EQ("hello", s.data[0], 5);
	UT_TRUE(s.got[1].trunc);
	UT_EQ(DGRAM_MAX, s.got[1].len);
	UT_EQ(0, s.got[2].len);
	UT_TRUE(!s.got[2].trunc);
	struct sx_udp_stats st;
	sx_udp_stats(s.u, &st);
	UT_EQ(1, st.rx_trunc);
out:
	sx_ev_free(loop);
	sx_udp_close(a);
	sx_udp_close(s.u);
	return err;
}

/* An IPv6 destination on an IPv4 socket fails alone; the rest go out. */
static int test_udp_flush_drops_bad(void)
{
	static struct rxstate s;
	struct sx_ev *loop = NULL;
	struct sx_udp *a = NULL;
	struct sx_sa v6;
	int err = 0;

	memset(&s, 0, sizeof(s));
	UT_OK(open_or_skip(&s.u, "127.0.0.1:0", NULL));
	UT_OK(open_or_skip(&a, "127.0.0.1:0", NULL));
	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(sx_ev_fd_add(loop, sx_udp_fd(s.u), SX_EV_READ, on_readable, &s));
	UT_OK(sx_sa_parse(&v6, SX_SL("[::1]:9")));
	UT_OK(sx_udp_queue(a, sx_udp_local(s.u), "one", 3));
	UT_OK(sx_udp_queue(a, &v6, "bad", 3));
	UT_OK(sx_udp_queue(a, sx_udp_local(s.u), "two", 3));
	UT_OK(sx_udp_flush(a));
	UT_OK(wait_rx(loop, &s, 2));
	UT_MEM_EQ("one", s.data[0], 3);
	UT_MEM_EQ("two", s.data[1], 3);
	struct sx_udp_stats st;
	sx_udp_stats(a, &st);
	UT_EQ(2, st.tx);
	UT_EQ(1, st.tx_err);
	/* argument checks; discard empties the queue */
	UT_EQ(-EINVAL, sx_udp_queue(a, NULL, "x", 1));
	UT_EQ(-EINVAL, sx_udp_send(a, &v6, NULL, 1));
	UT_EQ(-EMSGSIZE, sx_udp_queue(a, &v6, "x", SX_UDP_MAX_PAYLOAD + 1));
	UT_OK(sx_udp_queue(a, &v6, "x", 1));
	sx_udp_discard(a);
	UT_EQ(0, sx_udp_queued(a));
	UT_EQ(0, sx_udp_recv(a, s.rx, 1)); /* nothing waiting */
out:
	sx_ev_free(loop);
	sx_udp_close(a);
	sx_udp_close(s.u);
	return err;
}

/* /proc/sys/net/core/@name, or INT_MAX when unreadable. */
static int sysctl_int(const char *name)
{
	char path[128];
	int v = INT_MAX;
	snprintf(path, sizeof(path), "/proc/sys/net/core/%s", name);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = INT_MAX;
		fclose(f);
	}
	return v;
}

static int test_udp_reuseport_bufs(void)
{
	struct sx_udp_prm prm = {
	    .reuseport = true, .rcvbuf = 1 << 18, .sndbuf = 1 << 17};
	struct sx_udp *a = NULL, *b = NULL, *c = NULL;
	int val = 0, err = 0;
	socklen_t len = sizeof(val);

	UT_OK(open_or_skip(&a, "127.0.0.1:0", &prm));
	/* same port again: fine with SO_REUSEPORT on both, busy without */
	UT_OK(sx_udp_open(&b, sx_udp_local(a), &prm));
	UT_TRUE(sx_sa_eq(sx_udp_local(a), sx_udp_local(b)));
	UT_ERR(-EADDRINUSE, sx_udp_open(&c, sx_udp_local(a), NULL));
	/* Linux doubles the request, capped at net.core.rmem_max/wmem_max */
	UT_OK(getsockopt(sx_udp_fd(a), SOL_SOCKET, SO_RCVBUF, &val, &len));
	UT_EQ(2 * SX_MIN(prm.rcvbuf, sysctl_int("rmem_max")), val);
	UT_OK(getsockopt(sx_udp_fd(a), SOL_SOCKET, SO_SNDBUF, &val, &len));
	UT_EQ(2 * SX_MIN(prm.sndbuf, sysctl_int("wmem_max")), val);
	struct sx_sa unset;
	sx_sa_init(&unset);
	UT_EQ(-EINVAL, sx_udp_open(&c, &unset, NULL));
	UT_EQ(-EINVAL, sx_udp_open(NULL, sx_udp_local(a), NULL));
out:
	sx_udp_close(a);
	sx_udp_close(b);
	sx_udp_close(c);
	return err;
}

UT_MAIN(UT_C(test_udp_batch_v4), UT_C(test_udp_batch_v6),
        UT_C(test_udp_pktinfo_trunc), UT_C(test_udp_flush_drops_bad),
        UT_C(test_udp_reuseport_bufs))
