/*
 * sx_udp: UDP (RFC 768) sockets with recvmmsg/sendmmsg batching and
 * IP_PKTINFO / IPV6_PKTINFO (RFC 3542 section 6) local addresses, the
 * SIP transport's hot path (STYLE.md 2.9).  Receive goes straight into
 * the caller's buffers; the send queue holds pointers, not copies.
 */
#define SX_LOG_MOD "port.udp"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sx/port/udp.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

/* Room for either pktinfo control message, suitably aligned. */
union ctl_buf {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct cmsghdr align;
};

struct sx_udp {
	int fd;
	struct sx_sa local;
	struct sx_udp_stats st;
	/* receive scratch, rebuilt on every call */
	struct mmsghdr rmsg[SX_UDP_BATCH];
	struct iovec riov[SX_UDP_BATCH];
	struct sockaddr_storage rsrc[SX_UDP_BATCH];
	union ctl_buf rctl[SX_UDP_BATCH];
	/* send queue, entries [0, tx_n) in order */
	struct mmsghdr tmsg[SX_UDP_BATCH];
	struct iovec tiov[SX_UDP_BATCH];
	struct sx_sa tdst[SX_UDP_BATCH];
	size_t tx_n;
};

static void udp_destroy(void *obj)
{
	struct sx_udp *u = obj;
	if (u->fd >= 0)
		close(u->fd);
}

static int set_int(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val)) ? -errno : 0;
}

static int set_options(int fd, int af, const struct sx_udp_prm *prm)
{
	int err = 0;

	if (prm->reuseport)
		err = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	if (!err && prm->rcvbuf > 0)
		err = set_int(fd, SOL_SOCKET, SO_RCVBUF, prm->rcvbuf);
	if (!err && prm->sndbuf > 0)
		err = set_int(fd, SOL_SOCKET, SO_SNDBUF, prm->sndbuf);
	if (err)
		return err;
	if (af == AF_INET)
		return set_int(fd, IPPROTO_IP, IP_PKTINFO, 1);
	err = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	if (!err)
		err = set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	return err;
}

static int open_bound(struct sx_udp *u, const struct sx_sa *local,
                      const struct sx_udp_prm *prm)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int af = sx_sa_af(local);

	u->fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->fd < 0)
		return -errno;
	int err = set_options(u->fd, af, prm);
	if (err)
		return err;
	if (bind(u->fd, &local->u.sa, local->len))
		return -errno;
	if (getsockname(u->fd, (struct sockaddr *)&ss, &len))
		return -errno;
	return sx_sa_set_sockaddr(&u->local, (struct sockaddr *)&ss, len);
}

int sx_udp_open(struct sx_udp **up, const struct sx_sa *local,
                const struct sx_udp_prm *prm)
{
	static const struct sx_udp_prm defaults;

	if (!up || !sx_sa_isset(local))
		return -EINVAL;
	struct sx_udp *u = sx_mem_zalloc(sizeof(*u), udp_destroy);
	if (!u)
		return -ENOMEM;
	u->fd = -1;
	int err = open_bound(u, local, prm ? prm : &defaults);
	if (err) {
		sx_mem_unref(u);
		return err;
	}
	*up = u;
	return 0;
}

void sx_udp_close(struct sx_udp *u)
{
	sx_mem_unref(u);
}

int sx_udp_fd(const struct sx_udp *u)
{
	return u ? u->fd : -1;
}

const struct sx_sa *sx_udp_local(const struct sx_udp *u)
{
	return u ? &u->local : NULL;
}

/* Local address of a received datagram from its pktinfo, if any. */
static void rx_local(const struct sx_udp *u, struct msghdr *mh,
                     struct sx_sa *dst)
{
	sx_sa_init(dst);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			dst->u.in.sin_family = AF_INET;
			dst->u.in.sin_addr = pi.ipi_addr;
			dst->len = sizeof(dst->u.in);
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
		           c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			dst->u.in6.sin6_family = AF_INET6;
			dst->u.in6.sin6_addr = pi.ipi6_addr;
			dst->len = sizeof(dst->u.in6);
		}
	}
	sx_sa_set_port(dst, sx_sa_port(&u->local));
}

static void rx_prepare(struct sx_udp *u, const struct sx_udp_rx *rx, size_t i)
{
	struct msghdr *mh = &u->rmsg[i].msg_hdr;

	u->riov[i] = (struct iovec){.iov_base = rx->buf, .iov_len = rx->size};
	memset(&u->rmsg[i], 0, sizeof(u->rmsg[i]));
	mh->msg_name = &u->rsrc[i];
	mh->msg_namelen = sizeof(u->rsrc[i]);
	mh->msg_iov = &u->riov[i];
	mh->msg_iovlen = 1;
	mh->msg_control = u->rctl[i].buf;
	mh->msg_controllen = sizeof(u->rctl[i].buf);
}

static void rx_finish(struct sx_udp *u, struct sx_udp_rx *rx, size_t i)
{
	struct msghdr *mh = &u->rmsg[i].msg_hdr;

	rx->len = SX_MIN((size_t)u->rmsg[i].msg_len, rx->size);
	rx->trunc = (mh->msg_flags & MSG_TRUNC) != 0;
	if (sx_sa_set_sockaddr(&rx->src, mh->msg_name, mh->msg_namelen))
		sx_sa_init(&rx->src);
	rx_local(u, mh, &rx->dst);
	u->st.rx++;
	if (rx->trunc)
		u->st.rx_trunc++;
}

ssize_t sx_udp_recv(struct sx_udp *u, struct sx_udp_rx *rx, size_t n)
{
	if (!u || !rx || !n)
		return -EINVAL;
	n = SX_MIN(n, (size_t)SX_UDP_BATCH);
	for (size_t i = 0; i < n; i++) {
		if (!rx[i].buf && rx[i].size)
			return -EINVAL;
		rx_prepare(u, &rx[i], i);
	}
	int r = recvmmsg(u->fd, u->rmsg, (unsigned)n, MSG_DONTWAIT, NULL);
	if (r < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK ||
		        errno == EINTR)
		           ? 0
		           : -errno;
	for (size_t i = 0; i < (size_t)r; i++)
		rx_finish(u, &rx[i], i);
	return r;
}

static bool tx_args_ok(const struct sx_sa *dst, const void *data, size_t len)
{
	return sx_sa_isset(dst) && (data || !len);
}

int sx_udp_send(struct sx_udp *u, const struct sx_sa *dst, const void *data,
                size_t len)
{
	if (!u || !tx_args_ok(dst, data, len))
		return -EINVAL;
	if (sendto(u->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, &dst->u.sa,
	           dst->len) < 0)
		return -errno;
	u->st.tx++;
	return 0;
}

/* Point queue entry i at its own destination and iovec. */
static void tx_link(struct sx_udp *u, size_t i)
{
	struct msghdr *mh = &u->tmsg[i].msg_hdr;

	memset(&u->tmsg[i], 0, sizeof(u->tmsg[i]));
	mh->msg_name = &u->tdst[i].u;
	mh->msg_namelen = u->tdst[i].len;
	mh->msg_iov = &u->tiov[i];
	mh->msg_iovlen = 1;
}

int sx_udp_queue(struct sx_udp *u, const struct sx_sa *dst, const void *data,
                 size_t len)
{
	if (!u || !tx_args_ok(dst, data, len))
		return -EINVAL;
	if (len > SX_UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (u->tx_n == SX_UDP_BATCH)
		(void)sx_udp_flush(u);
	if (u->tx_n == SX_UDP_BATCH)
		return -EAGAIN;
	size_t i = u->tx_n++;
	u->tdst[i] = *dst;
	u->tiov[i] =
	    (struct iovec){.iov_base = (void *)(uintptr_t)data, .iov_len = len};
	tx_link(u, i);
	return 0;
}

/* Move the unsent tail [off, tx_n) to the front. */
static void tx_compact(struct sx_udp *u, size_t off)
{
	size_t rest = u->tx_n - off;

	memmove(u->tdst, u->tdst + off, rest * sizeof(u->tdst[0]));
	memmove(u->tiov, u->tiov + off, rest * sizeof(u->tiov[0]));
	for (size_t i = 0; i < rest; i++)
		tx_link(u, i);
	u->tx_n = rest;
}

int sx_udp_flush(struct sx_udp *u)
{
	size_t off = 0;

	if (!u)
		return -EINVAL;
	while (off < u->tx_n) {
		int r =
		    sendmmsg(u->fd, &u->tmsg[off], (unsigned)(u->tx_n - off),
		             MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r > 0) {
			off += (size_t)r;
			u->st.tx += (uint64_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || errno == EAGAIN || errno == EWOULDBLOCK) {
			tx_compact(u, off);
			return -EAGAIN;
		}
		/* the first datagram failed on its own: drop it, go on */
		SX_LOG_WARN_RL("sendmmsg: %s", strerror(errno));
		u->st.tx_err++;
		off++;
	}
	u->tx_n = 0;
	return 0;
}

size_t sx_udp_queued(const struct sx_udp *u)
{
	return u ? u->tx_n : 0;
}

void sx_udp_discard(struct sx_udp *u)
{
	if (u)
		u->tx_n = 0;
}

void sx_udp_stats(const struct sx_udp *u, struct sx_udp_stats *st)
{
	if (u && st)
		*st = u->st;
}
