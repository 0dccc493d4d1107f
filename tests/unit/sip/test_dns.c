/*
 * Unit tests for RFC 3263 server location (sx_sip_resolve) against a DNS
 * responder written here: a UDP socket on 127.0.0.1 (port picked by the
 * kernel) on the same sx_ev loop, answering from a table of hand-made
 * NAPTR, SRV, A, AAAA and CNAME records in RFC 1035 wire format, with
 * controllable TTLs, SOA-bearing negative answers (RFC 2308), drops and
 * raw (hostile) answers; answers too long for UDP are truncated and
 * served again over TCP (RFC 1035 4.2).  It logs every question, so tests count
 * the queries that reached it (cache hits send none).
 *
 * Cache expiry runs on the loop's virtual clock: c-ares keeps its own
 * real-time timeouts, but only the timeout test relies on them (200 ms,
 * one try).  The addresses in answers are documentation prefixes
 * (192.0.2.0/24, 2001:db8::/32): data only, nothing is sent to them.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/port/tmr.h>
#include <sx/sip/dns.h>
#include <sx/sip/uri.h>

#include "ut.h"

#define T_A     1
#define T_CNAME 5
#define T_SOA   6
#define T_AAAA  28
#define T_SRV   33
#define T_NAPTR 35

/* Loop iterations and their length while waiting for a handler. */
#define WAIT_ITER_MAX   400
#define WAIT_STEP_MS    25
#define PKT_MAX         4096
#define QLOG_MAX        128
#define TTL             300u
#define NEG_TTL         30u
#define LIST_STR_MAX    2048
#define VCLOCK_START_MS 1000u
#define MS              1000u
/* UDP answers above this are truncated (RFC 1035 4.2.1), TC set. */
#define UDP_MAX      512u
#define TCP_CONN_MAX 4
/* Attempts to find a port free for both UDP and TCP. */
#define PORT_TRIES 20
/* An fd number past the loop's initial fd table (64 slots). */
#define HIGH_FD 70
/* CNAME links the responder follows (more than the resolver does). */
#define CNAME_HOPS 12
/* Damaged answers in the mutation test, and bytes changed in each. */
#define MUT_RUNS      300
#define MUT_FLIPS_MAX 4

/* In --oom mode, stop once an allocation has failed: what follows
 * checks side effects that need every allocation to succeed. */
#define UT_OOM_STOP()                                                          \
	do {                                                                   \
		if (ut_oom_mode() && sx_mem_failed()) {                        \
			err = -ENOMEM;                                         \
			goto out;                                              \
		}                                                              \
	} while (0)

/* -- the responder ------------------------------------------------------ */

/* One record served: field use depends on the type. */
struct trr {
	const char *name; /* owner, lower case, no final dot */
	uint16_t type;
	uint32_t ttl;
	const char *data;   /* A/AAAA address, SRV/CNAME target, NAPTR repl */
	uint16_t n1, n2;    /* SRV priority/weight, NAPTR order/preference */
	uint16_t port;      /* SRV */
	const char *flags;  /* NAPTR */
	const char *svc;    /* NAPTR */
	const char *regexp; /* NAPTR */
};

#define RR_A(n, ip)                                                            \
	{                                                                      \
		.name = (n), .type = T_A, .ttl = TTL, .data = (ip)             \
	}
#define RR_AAAA(n, ip)                                                         \
	{                                                                      \
		.name = (n), .type = T_AAAA, .ttl = TTL, .data = (ip)          \
	}
#define RR_SRV(n, prio, w, p, t)                                               \
	{                                                                      \
		.name = (n), .type = T_SRV, .ttl = TTL, .n1 = (prio),          \
		.n2 = (w), .port = (p), .data = (t)                            \
	}
#define RR_NAPTR(n, o, pr, fl, s, re, t)                                       \
	{                                                                      \
		.name = (n), .type = T_NAPTR, .ttl = TTL, .n1 = (o),           \
		.n2 = (pr), .flags = (fl), .svc = (s), .regexp = (re),         \
		.data = (t)                                                    \
	}
#define RR_CNAME(n, t)                                                         \
	{                                                                      \
		.name = (n), .type = T_CNAME, .ttl = TTL, .data = (t)          \
	}

struct qlog {
	char name[256];
	uint16_t type;
};

struct resp;
/* Raw answer for a question: fills @out after the copied header and
 * question (at @off) and returns the total length. */
typedef size_t(raw_h)(struct resp *rs, uint8_t *out, size_t off,
                      const char *qname, uint16_t qtype);

/* A TCP client of the responder (RFC 1035 4.2.2: 2-byte length). */
struct tconn {
	int fd; /* -1 = free */
	size_t len;
	uint8_t buf[PKT_MAX];
};

struct resp {
	struct sx_ev *loop;
	int fd;  /* UDP */
	int lfd; /* TCP listener on the same port */
	struct tconn tc[TCP_CONN_MAX];
	uint16_t port;
	const struct trr *rr;
	size_t nrr;
	uint32_t neg_ttl; /* SOA TTL and MINIMUM; 0 = no SOA */
	bool drop;        /* never answer */
	raw_h *raw;
	unsigned nq;
	struct qlog log[QLOG_MAX];
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Uncompressed name; "" is the root. */
static size_t put_name(uint8_t *p, const char *name)
{
	size_t o = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		p[o++] = (uint8_t)l;
		memcpy(p + o, name, l);
		o += l;
		name += l + (dot ? 1 : 0);
	}
	p[o++] = 0;
	return o;
}

static size_t put_cs(uint8_t *p, const char *s)
{
	size_t l = strlen(s);

	p[0] = (uint8_t)l;
	memcpy(p + 1, s, l);
	return l + 1;
}

static size_t put_rdata(uint8_t *p, const struct trr *r)
{
	size_t o = 0;

	switch (r->type) {
	case T_A:
		inet_pton(AF_INET, r->data, p);
		return 4;
	case T_AAAA:
		inet_pton(AF_INET6, r->data, p);
		return 16;
	case T_SRV:
		put16(p, r->n1);
		put16(p + 2, r->n2);
		put16(p + 4, r->port);
		return 6 + put_name(p + 6, r->data);
	case T_NAPTR:
		put16(p, r->n1);
		put16(p + 2, r->n2);
		o = 4 + put_cs(p + 4, r->flags);
		o += put_cs(p + o, r->svc);
		o += put_cs(p + o, r->regexp);
		return o + put_name(p + o, r->data);
	default:
		return put_name(p, r->data);
	}
}

/* One RR; the owner is a pointer to the question name when it is it. */
static size_t put_rr(uint8_t *p, const struct trr *r, const char *qname)
{
	size_t o;

	if (!strcmp(r->name, qname)) {
		p[0] = 0xc0;
		p[1] = 12;
		o = 2;
	} else {
		o = put_name(p, r->name);
	}
	put16(p + o, r->type);
	put16(p + o + 2, 1);
	put32(p + o + 4, r->ttl);
	size_t l = put_rdata(p + o + 10, r);
	put16(p + o + 8, (uint16_t)l);
	return o + 10 + l;
}

static size_t put_soa(uint8_t *p, uint32_t ttl)
{
	size_t o = put_name(p, "test");
	put16(p + o, T_SOA);
	put16(p + o + 2, 1);
	put32(p + o + 4, ttl);
	size_t r = o + 10;
	r += put_name(p + r, "ns.test");
	r += put_name(p + r, "admin.test");
	for (int i = 0; i < 4; i++)
		put32(p + r + 4 * (size_t)i, 3600);
	put32(p + r + 16, ttl); /* MINIMUM */
	r += 20;
	put16(p + o + 8, (uint16_t)(r - o - 10));
	return r;
}

static bool name_exists(const struct resp *rs, const char *name)
{
	for (size_t i = 0; i < rs->nrr; i++)
		if (!strcmp(rs->rr[i].name, name))
			return true;
	return false;
}

/* Records of @name/@type (following one CNAME); returns the count. */
static unsigned answer_rrs(struct resp *rs, uint8_t *out, size_t *offp,
                           const char *qname, uint16_t qtype)
{
	const char *name = qname;
	unsigned an = 0;

	/* follow CNAMEs as a server would, loops included (bounded) */
	for (unsigned hop = 0; hop < CNAME_HOPS; hop++) {
		const struct trr *c = NULL;
		for (size_t i = 0; i < rs->nrr && !c; i++)
			if (!strcmp(rs->rr[i].name, name) &&
			    rs->rr[i].type == T_CNAME)
				c = &rs->rr[i];
		if (!c)
			break;
		*offp += put_rr(out + *offp, c, qname);
		an++;
		name = c->data;
	}
	for (size_t i = 0; i < rs->nrr && *offp < PKT_MAX - 600; i++) {
		const struct trr *r = &rs->rr[i];
		if (!strcmp(r->name, name) && r->type == qtype) {
			*offp += put_rr(out + *offp, r, qname);
			an++;
		}
	}
	return an;
}

static size_t table_answer(struct resp *rs, uint8_t *out, size_t off,
                           const char *qname, uint16_t qtype)
{
	unsigned an = answer_rrs(rs, out, &off, qname, qtype);

	put16(out + 6, (uint16_t)an);
	if (an)
		return off;
	if (!name_exists(rs, qname))
		out[3] |= 3; /* NXDOMAIN */
	if (rs->neg_ttl) {
		off += put_soa(out + off, rs->neg_ttl);
		put16(out + 8, 1);
	}
	return off;
}

/* Question name (lower case) and type; the question's end offset. */
static size_t parse_question(const uint8_t *q, size_t len, char *name,
                             uint16_t *typep)
{
	size_t o = 12, n = 0;

	while (o < len && q[o]) {
		size_t l = q[o];
		if (o + 1 + l >= len || n + l + 2 > 255)
			return 0;
		if (n)
			name[n++] = '.';
		for (size_t i = 0; i < l; i++) {
			char c = (char)q[o + 1 + i];
			name[n++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
		}
		o += 1 + l;
	}
	name[n] = '\0';
	if (o + 5 > len)
		return 0;
	*typep = (uint16_t)((q[o + 1] << 8) | q[o + 2]);
	return o + 5;
}

/* Log a query and build its answer in @out; 0 = no answer. */
static size_t answer(struct resp *rs, const uint8_t *q, size_t len,
                     uint8_t *out)
{
	char name[256];
	uint16_t type = 0;

	if (len < 12)
		return 0;
	size_t qend = parse_question(q, len, name, &type);
	if (!qend)
		return 0;
	if (rs->nq < QLOG_MAX) {
		snprintf(rs->log[rs->nq].name, sizeof(rs->log[0].name), "%s",
		         name);
		rs->log[rs->nq].type = type;
	}
	rs->nq++;
	if (rs->drop)
		return 0;
	memcpy(out, q, qend);
	out[2] = (uint8_t)(0x84 | (q[2] & 0x01)); /* QR, AA, RD */
	out[3] = 0x80;                            /* RA, NOERROR */
	memset(out + 6, 0, 6);
	return rs->raw ? rs->raw(rs, out, qend, name, type)
	               : table_answer(rs, out, qend, name, type);
}

static void on_udp(int fd, uint32_t events, void *arg)
{
	struct resp *rs = arg;
	uint8_t q[PKT_MAX], out[PKT_MAX + 600];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);

	(void)events;
	ssize_t len =
	    recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
	size_t olen = len > 0 ? answer(rs, q, (size_t)len, out) : 0;
	if (!olen)
		return;
	if (olen > UDP_MAX) {
		/* header and question only, TC: the client retries on TCP */
		size_t qend = 12;
		while (out[qend])
			qend += 1u + out[qend];
		olen = qend + 5;
		out[2] |= 0x02;
		memset(out + 6, 0, 6);
	}
	(void)sendto(fd, out, olen, 0, (struct sockaddr *)&from, flen);
}

static void tconn_close(struct resp *rs, struct tconn *c)
{
	(void)sx_ev_fd_del(rs->loop, c->fd);
	close(c->fd);
	c->fd = -1;
}

static void on_tcp(int fd, uint32_t events, void *arg)
{
	struct resp *rs = arg;
	struct tconn *c = NULL;
	uint8_t out[PKT_MAX + 600 + 2];

	(void)events;
	for (size_t i = 0; i < TCP_CONN_MAX && !c; i++)
		if (rs->tc[i].fd == fd)
			c = &rs->tc[i];
	if (!c)
		return;
	ssize_t n = read(fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n <= 0) {
		tconn_close(rs, c);
		return;
	}
	c->len += (size_t)n;
	while (c->len >= 2) {
		size_t ql = (size_t)((c->buf[0] << 8) | c->buf[1]);
		if (c->len < 2 + ql)
			return;
		size_t olen = answer(rs, c->buf + 2, ql, out + 2);
		if (olen) {
			put16(out, (uint16_t)olen);
			(void)!write(fd, out, olen + 2);
		}
		c->len -= 2 + ql;
		memmove(c->buf, c->buf + 2 + ql, c->len);
	}
}

static void on_accept(int fd, uint32_t events, void *arg)
{
	struct resp *rs = arg;

	(void)events;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	for (size_t i = 0; i < TCP_CONN_MAX; i++) {
		if (rs->tc[i].fd < 0) {
			rs->tc[i].fd = cfd;
			rs->tc[i].len = 0;
			if (!sx_ev_fd_add(rs->loop, cfd, SX_EV_READ, on_tcp,
			                  rs))
				return;
			rs->tc[i].fd = -1;
			break;
		}
	}
	close(cfd);
}

static void resp_close(struct resp *rs)
{
	for (size_t i = 0; i < TCP_CONN_MAX; i++)
		if (rs->tc[i].fd >= 0)
			tconn_close(rs, &rs->tc[i]);
	if (rs->fd >= 0) {
		(void)sx_ev_fd_del(rs->loop, rs->fd);
		close(rs->fd);
	}
	if (rs->lfd >= 0) {
		(void)sx_ev_fd_del(rs->loop, rs->lfd);
		close(rs->lfd);
	}
	rs->fd = rs->lfd = -1;
}

/* UDP on a kernel-chosen port of 127.0.0.1, then TCP on the same port
 * (c-ares uses one port for both); 0 or a negative errno. */
static int resp_bind(struct resp *rs)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t slen = sizeof(sin);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rs->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	rs->lfd =
	    socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (rs->fd < 0 || rs->lfd < 0)
		return -errno;
	if (bind(rs->fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(rs->fd, (struct sockaddr *)&sin, &slen))
		return -errno;
	if (bind(rs->lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(rs->lfd, TCP_CONN_MAX))
		return -errno;
	rs->port = ntohs(sin.sin_port);
	return 0;
}

static int resp_open(struct resp *rs, struct sx_ev *loop)
{
	int err = -EADDRINUSE;

	rs->loop = loop;
	for (size_t i = 0; i < TCP_CONN_MAX; i++)
		rs->tc[i].fd = -1;
	for (int i = 0; i < PORT_TRIES && err == -EADDRINUSE; i++) {
		resp_close(rs);
		err = resp_bind(rs);
	}
	if (!err)
		err = sx_ev_fd_add(loop, rs->fd, SX_EV_READ, on_udp, rs);
	if (!err)
		err = sx_ev_fd_add(loop, rs->lfd, SX_EV_READ, on_accept, rs);
	return err;
}

/* Questions of @type for @name seen so far. */
static unsigned resp_count(const struct resp *rs, const char *name,
                           uint16_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < rs->nq && i < QLOG_MAX; i++)
		if (rs->log[i].type == type && !strcmp(rs->log[i].name, name))
			n++;
	return n;
}

/* -- fixture ----------------------------------------------------------- */

struct fx {
	struct sx_ev *loop;
	struct resp rs;
	struct sx_sip_dns *dns;
	unsigned calls; /* handler runs */
	bool done;
	int err;
	struct sx_sip_dns_targets *list;
	char str[LIST_STR_MAX];
};

static void on_done(int err, struct sx_sip_dns_targets *list, void *arg)
{
	struct fx *f = arg;

	f->calls++;
	f->done = true;
	f->err = err;
	sx_mem_unref(f->list);
	f->list = list;
}

static int fx_open(struct fx *f, const struct trr *rr, size_t nrr,
                   const struct sx_sip_dns_prm *prm, bool virt)
{
	struct sx_sip_dns_prm p = {0};
	char servers[64];

	memset(f, 0, sizeof(*f));
	f->rs.fd = f->rs.lfd = -1;
	for (size_t i = 0; i < TCP_CONN_MAX; i++)
		f->rs.tc[i].fd = -1;
	f->rs.rr = rr;
	f->rs.nrr = nrr;
	f->rs.neg_ttl = NEG_TTL;
	int err = sx_ev_alloc(&f->loop, NULL);
	if (!err && virt)
		err = sx_ev_clock_set_virtual(f->loop, VCLOCK_START_MS);
	if (!err)
		err = resp_open(&f->rs, f->loop);
	if (err)
		return err;
	if (prm)
		p = *prm;
	snprintf(servers, sizeof(servers), "127.0.0.1:%u", f->rs.port);
	p.servers = servers;
	return sx_sip_dns_alloc(&f->dns, f->loop, &p);
}

static void fx_close(struct fx *f)
{
	f->list = sx_mem_unref(f->list);
	sx_sip_dns_free(f->dns);
	resp_close(&f->rs);
	sx_ev_free(f->loop);
}

static int fx_wait(struct fx *f)
{
	for (int i = 0; i < WAIT_ITER_MAX && !f->done; i++) {
		int n = sx_ev_run_once(f->loop, WAIT_STEP_MS);
		if (n < 0)
			return n;
	}
	return f->done ? f->err : -ETIME;
}

/* Run the loop until the responder has seen @n queries (or a handler
 * ran, or an injected allocation failure stopped the work). */
static int fx_wait_queries(struct fx *f, unsigned n)
{
	for (int i = 0; i < WAIT_ITER_MAX && f->rs.nq < n && !f->done; i++) {
		if (ut_oom_mode() && sx_mem_failed())
			return -ENOMEM;
		int r = sx_ev_run_once(f->loop, WAIT_STEP_MS);
		if (r < 0)
			return r;
	}
	return f->rs.nq >= n ? 0 : -ETIME;
}

static int fx_start(struct fx *f, const char *uri, enum sx_sip_proto forced,
                    struct sx_sip_dns_query **qp)
{
	struct sx_sip_uri u;

	int err = sx_sip_uri_parse(&u, sx_sl_cstr(uri));
	if (err)
		return err;
	f->done = false;
	f->list = sx_mem_unref(f->list);
	return sx_sip_resolve(f->dns, &u, forced, on_done, f, qp);
}

static int fx_resolve(struct fx *f, const char *uri, enum sx_sip_proto forced)
{
	int err = fx_start(f, uri, forced, NULL);
	return err ? err : fx_wait(f);
}

/* "UDP 192.0.2.1:5060, TLS [2001:db8::1]:5061" */
static const char *fx_str(struct fx *f)
{
	size_t o = 0;

	f->str[0] = '\0';
	for (size_t i = 0; i < sx_sip_dns_targets_count(f->list); i++) {
		const struct sx_sip_dns_target *t =
		    sx_sip_dns_targets_get(f->list, i);
		char sa[SX_SA_STRLEN];
		if (sx_sa_print(&t->addr, sa, sizeof(sa)) < 0)
			snprintf(sa, sizeof(sa), "?");
		o += (size_t)snprintf(f->str + o, sizeof(f->str) - o, "%s%s %s",
		                      i ? ", " : "",
		                      sx_sip_proto_name(t->proto), sa);
		if (o >= sizeof(f->str))
			break;
	}
	return f->str;
}

/* -- record tables ------------------------------------------------------ */

/* RFC 3263 section 4.1/4.2 example shape: NAPTR -> SRV -> A. */
static const struct trr naptr_zone[] = {
    RR_NAPTR("example.test", 10, 10, "s", "SIP+D2T", "",
             "_sip._tcp.example.test"),
    RR_NAPTR("example.test", 10, 20, "S", "sip+d2u", "",
             "_sip._udp.example.test"),
    RR_NAPTR("example.test", 20, 10, "s", "SIPS+D2T", "",
             "_sips._tcp.example.test"),
    RR_NAPTR("example.test", 5, 10, "s", "SIP+D2S", "",
             "_sip._sctp.example.test"), /* SCTP: not ours */
    RR_NAPTR("example.test", 5, 10, "u", "E2U+sip", "!^.*$!sip:x@y!", ""),
    RR_SRV("_sip._tcp.example.test", 0, 0, 5060, "a.example.test"),
    RR_SRV("_sip._udp.example.test", 0, 0, 5060, "a.example.test"),
    RR_SRV("_sips._tcp.example.test", 0, 0, 5061, "b.example.test"),
    RR_SRV("_sip._sctp.example.test", 0, 0, 5060, "a.example.test"),
    RR_A("a.example.test", "192.0.2.1"),
    RR_A("b.example.test", "192.0.2.2"),
    /* SRV only: the host exists (an A record) but has no NAPTR */
    RR_A("srv.test", "192.0.2.99"),
    RR_SRV("_sip._udp.srv.test", 10, 0, 5070, "s1.srv.test"),
    RR_SRV("_sips._tcp.srv.test", 10, 0, 5071, "s2.srv.test"),
    RR_A("s1.srv.test", "192.0.2.11"),
    RR_AAAA("s2.srv.test", "2001:db8::12"),
    /* A/AAAA only */
    RR_A("host.test", "192.0.2.50"),
    RR_AAAA("host.test", "2001:db8::50"),
    RR_A("pbx.test", "192.0.2.10"),
    RR_A("pbx.test", "192.0.2.20"),
    RR_AAAA("pbx.test", "2001:db8::10"),
    /* CNAME to an address */
    RR_CNAME("alias.test", "host.test"),
};

/* -- tests: RFC 3263 4.1 / 4.2 ------------------------------------------ */

static int test_dns_numeric(void)
{
	static const struct {
		const char *uri;
		enum sx_sip_proto forced;
		const char *want;
	} cases[] = {
	    {"sip:192.0.2.1", 0, "UDP 192.0.2.1:5060"},
	    {"sip:192.0.2.1:5070;transport=tcp", 0, "TCP 192.0.2.1:5070"},
	    {"sips:192.0.2.1", 0, "TLS 192.0.2.1:5061"},
	    {"sip:192.0.2.1;transport=TLS", 0, "TLS 192.0.2.1:5061"},
	    {"sip:[2001:db8::1]", 0, "UDP [2001:db8::1]:5060"},
	    {"sips:[2001:db8::1];transport=tcp", 0, "TLS [2001:db8::1]:5061"},
	    {"sip:192.0.2.1", SX_SIP_PROTO_TCP, "TCP 192.0.2.1:5060"},
	    {"sip:u@pbx.test;maddr=192.0.2.9", 0, "UDP 192.0.2.9:5060"},
	};
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	for (size_t i = 0; i < SX_ARRAY_SIZE(cases); i++) {
		UT_OK(fx_resolve(&f, cases[i].uri, cases[i].forced));
		UT_STR_EQ(cases[i].want, fx_str(&f));
		UT_EQ(SX_SIP_DNS_SRC_NUMERIC,
		      sx_sip_dns_targets_get(f.list, 0)->src);
	}
	UT_EQ(0, f.rs.nq); /* no DNS for numeric hosts */
	UT_EQ(SX_ARRAY_SIZE(cases), f.calls);
out:
	fx_close(&f);
	return err;
}

static int test_dns_explicit_port(void)
{
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	UT_OK(fx_resolve(&f, "sip:pbx.test:5080", 0));
	UT_STR_EQ("UDP 192.0.2.10:5080, UDP 192.0.2.20:5080, "
	          "UDP [2001:db8::10]:5080",
	          fx_str(&f));
	UT_EQ(SX_SIP_DNS_SRC_ADDR, sx_sip_dns_targets_get(f.list, 0)->src);
	/* RFC 3263 4.2: a port means no NAPTR and no SRV */
	UT_EQ(2, f.rs.nq);
	UT_EQ(1, resp_count(&f.rs, "pbx.test", T_A));
	UT_EQ(1, resp_count(&f.rs, "pbx.test", T_AAAA));
	UT_OK(fx_resolve(&f, "sips:pbx.test:5081", 0));
	UT_STR_EQ("TLS 192.0.2.10:5081, TLS 192.0.2.20:5081, "
	          "TLS [2001:db8::10]:5081",
	          fx_str(&f));
	UT_OK(fx_resolve(&f, "sip:PBX.test.:5082;transport=tcp", 0));
	UT_STR_EQ("TCP 192.0.2.10:5082, TCP 192.0.2.20:5082, "
	          "TCP [2001:db8::10]:5082",
	          fx_str(&f));
	UT_EQ(2, f.rs.nq); /* both from the cache */
out:
	fx_close(&f);
	return err;
}

static int test_dns_naptr_srv_a(void)
{
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	UT_OK(fx_resolve(&f, "sip:alice@example.test", 0));
	/* order 10 (pref 10 TCP, pref 20 UDP), then order 20 TLS; SCTP
	 * and the E2U record are not for us */
	UT_STR_EQ("TCP 192.0.2.1:5060, UDP 192.0.2.1:5060, TLS 192.0.2.2:5061",
	          fx_str(&f));
	const struct sx_sip_dns_target *t = sx_sip_dns_targets_get(f.list, 1);
	UT_EQ(SX_SIP_DNS_SRC_NAPTR, t->src);
	UT_EQ(10, t->naptr_order);
	UT_EQ(20, t->naptr_pref);
	UT_EQ(1, resp_count(&f.rs, "example.test", T_NAPTR));
	UT_EQ(1, resp_count(&f.rs, "_sip._tcp.example.test", T_SRV));
	UT_EQ(1, resp_count(&f.rs, "_sip._udp.example.test", T_SRV));
	UT_EQ(1, resp_count(&f.rs, "_sips._tcp.example.test", T_SRV));
	UT_EQ(0, resp_count(&f.rs, "_sip._sctp.example.test", T_SRV));
	UT_EQ(1, resp_count(&f.rs, "a.example.test", T_A)); /* looked up once */
	UT_EQ(8, f.rs.nq); /* NAPTR, 3 SRV, A+AAAA of a and b */
out:
	fx_close(&f);
	return err;
}

static int test_dns_srv_only(void)
{
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	UT_OK(fx_resolve(&f, "sip:srv.test", 0));
	UT_STR_EQ("UDP 192.0.2.11:5070, TLS [2001:db8::12]:5071", fx_str(&f));
	UT_EQ(SX_SIP_DNS_SRC_SRV, sx_sip_dns_targets_get(f.list, 0)->src);
	UT_EQ(10, sx_sip_dns_targets_get(f.list, 0)->srv_prio);
	/* RFC 3263 4.1: no NAPTR, so SRV of every transport we have */
	UT_EQ(1, resp_count(&f.rs, "_sip._udp.srv.test", T_SRV));
	UT_EQ(1, resp_count(&f.rs, "_sip._tcp.srv.test", T_SRV));
	UT_EQ(1, resp_count(&f.rs, "_sips._tcp.srv.test", T_SRV));
	/* known transport: that SRV only */
	UT_OK(fx_resolve(&f, "sip:srv.test;transport=udp", 0));
	UT_STR_EQ("UDP 192.0.2.11:5070", fx_str(&f));
	UT_OK(fx_resolve(&f, "sip:srv.test", SX_SIP_PROTO_TLS));
	UT_STR_EQ("TLS [2001:db8::12]:5071", fx_str(&f));
out:
	fx_close(&f);
	return err;
}

static int test_dns_a_only(void)
{
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	UT_OK(fx_resolve(&f, "sip:host.test", 0));
	/* RFC 3263 4.2: no SRV, A/AAAA with UDP and the default port */
	UT_STR_EQ("UDP 192.0.2.50:5060, UDP [2001:db8::50]:5060", fx_str(&f));
	UT_EQ(SX_SIP_DNS_SRC_ADDR, sx_sip_dns_targets_get(f.list, 0)->src);
	UT_OK(fx_resolve(&f, "sip:host.test;transport=tcp", 0));
	UT_STR_EQ("TCP 192.0.2.50:5060, TCP [2001:db8::50]:5060", fx_str(&f));
	UT_OK(fx_resolve(&f, "sip:alias.test:5060", 0));
	UT_STR_EQ("UDP 192.0.2.50:5060, UDP [2001:db8::50]:5060", fx_str(&f));
out:
	fx_close(&f);
	return err;
}

static int test_dns_aaaa(void)
{
	struct sx_sip_dns_prm v6first = {.af = SX_SIP_DNS_AF_V6_V4};
	struct sx_sip_dns_prm v6only = {.af = SX_SIP_DNS_AF_V6};
	struct fx f;
	int err = 0;

	UT_OK(
	    fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), &v6first, true));
	UT_OK(fx_resolve(&f, "sip:pbx.test:5060", 0));
	UT_STR_EQ("UDP [2001:db8::10]:5060, UDP 192.0.2.10:5060, "
	          "UDP 192.0.2.20:5060",
	          fx_str(&f));
	fx_close(&f);
	UT_OK(
	    fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), &v6only, true));
	UT_OK(fx_resolve(&f, "sip:pbx.test:5060", 0));
	UT_STR_EQ("UDP [2001:db8::10]:5060", fx_str(&f));
	UT_EQ(0, resp_count(&f.rs, "pbx.test", T_A));
	/* a host with no AAAA has no target then */
	UT_ERR(-ENOENT, fx_resolve(&f, "sip:b.example.test:5060", 0));
out:
	fx_close(&f);
	return err;
}

static int test_dns_sips(void)
{
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	/* RFC 3263 4.1: a SIPS URI uses SIPS+D2T NAPTR records only */
	UT_OK(fx_resolve(&f, "sips:bob@example.test", 0));
	UT_STR_EQ("TLS 192.0.2.2:5061", fx_str(&f));
	UT_EQ(0, resp_count(&f.rs, "_sip._udp.example.test", T_SRV));
	/* without NAPTR: _sips._tcp only */
	UT_OK(fx_resolve(&f, "sips:srv.test", 0));
	UT_STR_EQ("TLS [2001:db8::12]:5071", fx_str(&f));
	UT_EQ(0, resp_count(&f.rs, "_sip._udp.srv.test", T_SRV));
	/* and A/AAAA with TLS on 5061 */
	UT_OK(fx_resolve(&f, "sips:host.test", 0));
	UT_STR_EQ("TLS 192.0.2.50:5061, TLS [2001:db8::50]:5061", fx_str(&f));
out:
	fx_close(&f);
	return err;
}

static int test_dns_bad_args(void)
{
	static const struct {
		const char *uri;
		int err;
	} cases[] = {
	    {"tel:+15551234", -EINVAL},
	    {"sip:host.test;transport=sctp", -EPROTONOSUPPORT},
	    {"sips:host.test;transport=udp", -EPROTONOSUPPORT},
	    {"sip:host.test;maddr=other.test:5060", -EINVAL},
	    /* a label over 63 octets (RFC 1035 2.3.4) */
	    {"sip:"
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	     ".test",
	     -EINVAL},
	};
	struct sx_sip_dns_prm udp = {.protos = 1u << SX_SIP_PROTO_UDP};
	struct sx_sip_dns_prm bad = {.af = 99};
	struct sx_sip_dns *dns = NULL;
	struct sx_sip_uri u;
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), &udp, true));
	for (size_t i = 0; i < SX_ARRAY_SIZE(cases); i++)
		UT_ERR(cases[i].err, fx_start(&f, cases[i].uri, 0, NULL));
	/* transports outside prm.protos */
	UT_ERR(-EPROTONOSUPPORT, fx_start(&f, "sips:host.test", 0, NULL));
	UT_ERR(-EPROTONOSUPPORT,
	       fx_start(&f, "sip:192.0.2.1", SX_SIP_PROTO_TCP, NULL));
	UT_OK(sx_sip_uri_parse(&u, SX_SL("sip:host.test")));
	UT_EQ(-EINVAL, sx_sip_resolve(f.dns, &u, 0, NULL, NULL, NULL));
	UT_EQ(-EINVAL, sx_sip_dns_alloc(&dns, f.loop, &bad));
	bad = (struct sx_sip_dns_prm){.servers = "not a server list"};
	UT_ERR(-EINVAL, sx_sip_dns_alloc(&dns, f.loop, &bad));
	/* defaults: servers from /etc/resolv.conf (nothing is sent) */
	UT_OK(sx_sip_dns_alloc(&dns, f.loop, NULL));
	sx_sip_dns_free(dns);
	UT_EQ(0, f.calls);
	UT_EQ(-EINVAL, sx_sip_dns_targets_next(NULL, NULL));
out:
	fx_close(&f);
	return err;
}

/* -- tests: RFC 2782 ordering ------------------------------------------ */

static const struct trr weight_zone[] = {
    RR_SRV("_sip._udp.w.test", 10, 60, 5060, "a.w.test"),
    RR_SRV("_sip._udp.w.test", 10, 20, 5060, "b.w.test"),
    RR_SRV("_sip._udp.w.test", 10, 20, 5060, "c.w.test"),
    RR_SRV("_sip._udp.w.test", 20, 0, 5060, "d.w.test"),
    RR_SRV("_sip._udp.w.test", 30, 10, 5060, "f.w.test"),
    RR_SRV("_sip._udp.w.test", 30, 0, 5060, "e.w.test"),
    RR_SRV("_sip._udp.w.test", 5, 0, 5060, "."), /* no service */
    RR_A("a.w.test", "192.0.2.1"),
    RR_A("b.w.test", "192.0.2.2"),
    RR_A("c.w.test", "192.0.2.3"),
    RR_A("d.w.test", "192.0.2.4"),
    RR_A("e.w.test", "192.0.2.5"),
    RR_A("f.w.test", "192.0.2.6"),
};

struct fixed_rand {
	const uint32_t *v;
	size_t n, i;
};

static uint32_t fixed_rand(void *arg)
{
	struct fixed_rand *r = arg;
	return r->i < r->n ? r->v[r->i++] : 0;
}

static int test_dns_srv_weight_fixed(void)
{
	/* prio 10: sum 100, r = 70 -> b (60 < 70 <= 80); then a, c with
	 * sum 80, r = 0 -> a; prio 30: zero weight first, r = 5 -> f
	 * (e: 0 < 5, f: 10 >= 5) */
	static const uint32_t v[] = {70, 0, 5};
	struct fixed_rand r = {v, SX_ARRAY_SIZE(v), 0};
	struct sx_sip_dns_prm prm = {
	    .rand_h = fixed_rand, .rand_arg = &r, .af = SX_SIP_DNS_AF_V4};
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, weight_zone, SX_ARRAY_SIZE(weight_zone), &prm, true));
	UT_OK(fx_resolve(&f, "sip:w.test;transport=udp", 0));
	UT_STR_EQ("UDP 192.0.2.2:5060, UDP 192.0.2.1:5060, UDP 192.0.2.3:5060, "
	          "UDP 192.0.2.4:5060, UDP 192.0.2.6:5060, UDP 192.0.2.5:5060",
	          fx_str(&f));
	UT_EQ(3, r.i); /* one draw per choice among several */
	UT_EQ(10, sx_sip_dns_targets_get(f.list, 0)->srv_prio);
	UT_EQ(20, sx_sip_dns_targets_get(f.list, 0)->srv_weight);
	/* r = 0 in prio 30 picks the zero-weight record first */
	r.i = 0;
	r.n = 2; /* then 0, 0, 0 */
	UT_OK(fx_resolve(&f, "sip:w.test;transport=udp", 0));
	UT_STR_EQ("UDP 192.0.2.2:5060, UDP 192.0.2.1:5060, UDP 192.0.2.3:5060, "
	          "UDP 192.0.2.4:5060, UDP 192.0.2.5:5060, UDP 192.0.2.6:5060",
	          fx_str(&f));
out:
	fx_close(&f);
	return err;
}

/* Seeded LCG (Knuth MMIX) for the statistical test. */
static uint32_t lcg_rand(void *arg)
{
	uint64_t *s = arg;
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static int test_dns_srv_weight_stats(void)
{
	/* over many runs the first of a, b, c is picked 60/20/20 % */
	const unsigned runs = ut_oom_mode() ? 8 : 3000;
	uint64_t state = 42;
	struct sx_sip_dns_prm prm = {
	    .rand_h = lcg_rand, .rand_arg = &state, .af = SX_SIP_DNS_AF_V4};
	unsigned first[4] = {0};
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, weight_zone, SX_ARRAY_SIZE(weight_zone), &prm, true));
	for (unsigned i = 0; i < runs; i++) {
		UT_OK(fx_resolve(&f, "sip:w.test;transport=udp", 0));
		const struct sx_sip_dns_target *t =
		    sx_sip_dns_targets_get(f.list, 0);
		unsigned last = ntohl(t->addr.u.in.sin_addr.s_addr) & 0xff;
		UT_TRUE(last >= 1 && last <= 3);
		first[last]++;
		UT_EQ(6, sx_sip_dns_targets_count(f.list));
	}
	/* the cache answered all runs after the first */
	UT_EQ(7, f.rs.nq);
	if (!ut_oom_mode()) {
		/* 5 sigma: 1800 +- 134, 600 +- 110 */
		UT_TRUE(first[1] > 1666 && first[1] < 1934);
		UT_TRUE(first[2] > 490 && first[2] < 710);
		UT_TRUE(first[3] > 490 && first[3] < 710);
	}
out:
	fx_close(&f);
	return err;
}

/* -- tests: cache (RFC 1035 TTL, RFC 2308) ------------------------------ */

static int test_dns_cache_hit(void)
{
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	UT_OK(fx_resolve(&f, "sip:example.test", 0));
	unsigned nq = f.rs.nq;
	UT_EQ(8, nq);
	UT_EQ(8, sx_sip_dns_cache_count(f.dns));
	UT_OK(fx_resolve(&f, "sip:example.test", 0));
	UT_EQ(nq, f.rs.nq); /* no second query */
	UT_STR_EQ("TCP 192.0.2.1:5060, UDP 192.0.2.1:5060, TLS 192.0.2.2:5061",
	          fx_str(&f));
	sx_sip_dns_cache_flush(f.dns);
	UT_EQ(0, sx_sip_dns_cache_count(f.dns));
	UT_OK(fx_resolve(&f, "sip:example.test", 0));
	UT_EQ(2 * nq, f.rs.nq);
out:
	fx_close(&f);
	return err;
}

static const struct trr ttl_zone[] = {
    {.name = "t60.test", .type = T_A, .ttl = 60, .data = "192.0.2.60"},
    {.name = "t1.test", .type = T_A, .ttl = 1, .data = "192.0.2.1"},
    {.name = "tmax.test", .type = T_A, .ttl = 0x7fffffff, .data = "192.0.2.2"},
};

static int test_dns_ttl_expiry(void)
{
	struct sx_sip_dns_prm prm = {.af = SX_SIP_DNS_AF_V4};
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, ttl_zone, SX_ARRAY_SIZE(ttl_zone), &prm, true));
	UT_OK(fx_resolve(&f, "sip:t60.test:5060", 0));
	UT_EQ(1, f.rs.nq);
	UT_TRUE(sx_ev_clock_advance(f.loop, 59 * MS) >= 0);
	UT_OK(fx_resolve(&f, "sip:t60.test:5060", 0));
	UT_EQ(1, f.rs.nq);
	UT_TRUE(sx_ev_clock_advance(f.loop, 1 * MS) >= 0);
	UT_OK(fx_resolve(&f, "sip:t60.test:5060", 0));
	UT_EQ(2, f.rs.nq); /* expired at 60 s */
	/* TTL 1 s is held for SX_SIP_DNS_TTL_MIN_S */
	UT_OK(fx_resolve(&f, "sip:t1.test:5060", 0));
	UT_TRUE(sx_ev_clock_advance(f.loop, (SX_SIP_DNS_TTL_MIN_S - 1) * MS) >=
	        0);
	UT_OK(fx_resolve(&f, "sip:t1.test:5060", 0));
	UT_EQ(3, f.rs.nq);
	UT_TRUE(sx_ev_clock_advance(f.loop, 1 * MS) >= 0);
	UT_OK(fx_resolve(&f, "sip:t1.test:5060", 0));
	UT_EQ(4, f.rs.nq);
	/* a huge TTL is cut to SX_SIP_DNS_TTL_MAX_S */
	UT_OK(fx_resolve(&f, "sip:tmax.test:5060", 0));
	UT_TRUE(sx_ev_clock_advance(f.loop, SX_SIP_DNS_TTL_MAX_S * MS) >= 0);
	UT_OK(fx_resolve(&f, "sip:tmax.test:5060", 0));
	UT_EQ(6, f.rs.nq);
out:
	fx_close(&f);
	return err;
}

static int test_dns_nxdomain(void)
{
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	UT_ERR(-ENOENT, fx_resolve(&f, "sip:nothere.test", 0));
	UT_TRUE(f.list == NULL);
	/* RFC 8020: NXDOMAIN for the host, so no SRV or A queries */
	UT_EQ(1, f.rs.nq);
	/* RFC 2308: the negative answer is cached for its SOA TTL */
	UT_ERR(-ENOENT, fx_resolve(&f, "sip:nothere.test", 0));
	UT_EQ(1, f.rs.nq);
	UT_TRUE(sx_ev_clock_advance(f.loop, NEG_TTL * MS) >= 0);
	UT_ERR(-ENOENT, fx_resolve(&f, "sip:nothere.test", 0));
	UT_EQ(2, f.rs.nq);
	/* NXDOMAIN for A and AAAA with an explicit port */
	UT_ERR(-ENOENT, fx_resolve(&f, "sip:nothere.test:5060", 0));
	UT_EQ(4, f.rs.nq);
	/* without an SOA a negative answer is not cached (RFC 2308 5) */
	f.rs.neg_ttl = 0;
	UT_ERR(-ENOENT, fx_resolve(&f, "sip:gone.test:5060", 0));
	UT_ERR(-ENOENT, fx_resolve(&f, "sip:gone.test:5060", 0));
	UT_EQ(8, f.rs.nq);
out:
	fx_close(&f);
	return err;
}

static const struct trr lru_zone[] = {
    RR_A("h1.test", "192.0.2.1"),
    RR_A("h2.test", "192.0.2.2"),
    RR_A("h3.test", "192.0.2.3"),
};

static int test_dns_cache_lru(void)
{
	struct sx_sip_dns_prm prm = {.af = SX_SIP_DNS_AF_V4, .cache_size = 2};
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, lru_zone, SX_ARRAY_SIZE(lru_zone), &prm, true));
	UT_OK(fx_resolve(&f, "sip:h1.test:5060", 0));
	UT_OK(fx_resolve(&f, "sip:h2.test:5060", 0));
	UT_OK(fx_resolve(&f, "sip:h1.test:5060", 0)); /* h1 now recent */
	UT_EQ(2, f.rs.nq);
	UT_OK(fx_resolve(&f, "sip:h3.test:5060", 0)); /* evicts h2 */
	UT_EQ(2, sx_sip_dns_cache_count(f.dns));
	UT_OK(fx_resolve(&f, "sip:h1.test:5060", 0));
	UT_EQ(3, f.rs.nq);
	UT_OK(fx_resolve(&f, "sip:h2.test:5060", 0));
	UT_EQ(4, f.rs.nq);
out:
	fx_close(&f);
	return err;
}

/* -- tests: failover, errors, cancel ----------------------------------- */

static int test_dns_failover_order(void)
{
	struct sx_sip_peer peer;
	char sa[SX_SA_STRLEN];
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	UT_OK(fx_resolve(&f, "sip:example.test", 0));
	/* RFC 3263 4.3: first target, then the next after each failure */
	UT_OK(sx_sip_dns_targets_next(f.list, &peer));
	UT_EQ(SX_SIP_PROTO_TCP, peer.proto);
	UT_TRUE(sx_sa_print(&peer.remote, sa, sizeof(sa)) > 0);
	UT_STR_EQ("192.0.2.1:5060", sa);
	UT_TRUE(!sx_sa_isset(&peer.local));
	UT_EQ(0, peer.conn_id);
	UT_OK(sx_sip_dns_targets_next(f.list, &peer));
	UT_EQ(SX_SIP_PROTO_UDP, peer.proto);
	UT_OK(sx_sip_dns_targets_next(f.list, &peer));
	UT_EQ(SX_SIP_PROTO_TLS, peer.proto);
	UT_TRUE(sx_sa_print(&peer.remote, sa, sizeof(sa)) > 0);
	UT_STR_EQ("192.0.2.2:5061", sa);
	UT_EQ(-ENOENT, sx_sip_dns_targets_next(f.list, &peer));
	UT_EQ(-ENOENT, sx_sip_dns_targets_next(f.list, &peer));
	UT_TRUE(sx_sip_dns_targets_get(f.list, 3) == NULL);
out:
	fx_close(&f);
	return err;
}

static int test_dns_timeout(void)
{
	/* the one test on real time: c-ares gives up after 200 ms */
	struct sx_sip_dns_prm prm = {.timeout_ms = 200, .tries = 1};
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), &prm, false));
	f.rs.drop = true;
	uint64_t t0 = sx_ev_now(f.loop);
	UT_ERR(-ETIMEDOUT, fx_resolve(&f, "sip:pbx.test:5060", 0));
	UT_TRUE(sx_ev_now(f.loop) - t0 >= 150);
	UT_EQ(2, f.rs.nq); /* A and AAAA, one try each */
	UT_ERR(-ETIMEDOUT, fx_resolve(&f, "sip:example.test", 0));
	UT_EQ(0, sx_sip_dns_cache_count(f.dns)); /* failures not cached */
out:
	fx_close(&f);
	return err;
}

static int test_dns_deadline(void)
{
	/* the query deadline fires on the virtual clock */
	struct sx_sip_dns_prm prm = {.query_timeout_ms = 5000};
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), &prm, true));
	f.rs.drop = true;
	UT_OK(fx_start(&f, "sip:example.test", 0, NULL));
	UT_OK(fx_wait_queries(&f, 1));
	UT_OOM_STOP();
	UT_EQ(1, f.rs.nq);
	UT_TRUE(!f.done);
	UT_TRUE(sx_ev_clock_advance(f.loop, 4999) >= 0);
	UT_TRUE(!f.done);
	UT_TRUE(sx_ev_clock_advance(f.loop, 1) >= 0);
	UT_TRUE(f.done);
	UT_EQ(-ETIMEDOUT, f.err);
out:
	fx_close(&f);
	return err;
}

static int test_dns_cancel(void)
{
	struct sx_sip_dns_query *q = NULL;
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	/* cancelled while the NAPTR query is out */
	UT_OK(fx_start(&f, "sip:example.test", 0, &q));
	sx_sip_dns_cancel(q);
	UT_OK(fx_wait_queries(&f, 1));
	for (int i = 0; i < 4; i++)
		UT_TRUE(sx_ev_run_once(f.loop, WAIT_STEP_MS) >= 0);
	UT_OOM_STOP();
	UT_EQ(1, f.rs.nq); /* the answer came, nothing went on */
	UT_EQ(0, f.calls);
	UT_EQ(1, sx_sip_dns_cache_count(f.dns)); /* but it was cached */
	/* cancelled with the answer ready (numeric host) */
	UT_OK(fx_start(&f, "sip:192.0.2.1", 0, &q));
	sx_sip_dns_cancel(q);
	UT_TRUE(sx_ev_run_once(f.loop, 0) >= 0);
	UT_EQ(0, f.calls);
	/* still pending when the resolver goes: no handler either */
	UT_OK(fx_start(&f, "sip:host.test", 0, &q));
	UT_EQ(0, f.calls);
out:
	fx_close(&f);
	if (!err && f.calls)
		err = UT_FAIL; /* a handler ran on teardown */
	return err;
}

static void on_done_free(int err, struct sx_sip_dns_targets *list, void *arg)
{
	struct fx *f = arg;

	on_done(err, list, arg);
	sx_sip_dns_free(f->dns);
	f->dns = NULL;
}

static int test_dns_free_in_handler(void)
{
	struct sx_sip_uri u;
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	f.rs.drop = true;
	/* one query waits for DNS while the other completes and frees */
	UT_OK(fx_start(&f, "sip:example.test", 0, NULL));
	UT_OK(sx_sip_uri_parse(&u, SX_SL("sip:192.0.2.1")));
	UT_OK(sx_sip_resolve(f.dns, &u, 0, on_done_free, &f, NULL));
	UT_OK(fx_wait(&f));
	UT_TRUE(f.dns == NULL);
	UT_EQ(1, f.calls);
	for (int i = 0; i < 4; i++)
		UT_TRUE(sx_ev_run_once(f.loop, WAIT_STEP_MS) >= 0);
	UT_EQ(1, f.calls);
out:
	fx_close(&f);
	return err;
}

/* c-ares opens its socket above the loop's fd table, so watching it must
 * grow the table: in --oom mode that allocation fails at some step, and
 * the query must then end with -ENOMEM instead of waiting for a
 * timeout (resolver.c "settle"). */
static int test_dns_socket_watch(void)
{
	int fds[HIGH_FD + 1];
	size_t nfd = 0;
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), NULL, true));
	while (nfd < SX_ARRAY_SIZE(fds)) {
		fds[nfd] = dup(f.rs.fd);
		if (fds[nfd] < 0)
			break;
		if (fds[nfd++] >= HIGH_FD)
			break;
	}
	UT_TRUE(nfd && fds[nfd - 1] >= HIGH_FD);
	UT_OK(fx_resolve(&f, "sip:pbx.test:5060", 0));
	UT_EQ(3, sx_sip_dns_targets_count(f.list));
out:
	fx_close(&f);
	while (nfd)
		close(fds[--nfd]);
	return err;
}

/* -- tests: hostile answers --------------------------------------------- */

#define MANY 40
static char many_names[MANY][32];
static struct trr many_zone[2 * MANY + 1];

static void many_init(void)
{
	for (int i = 0; i < MANY; i++) {
		snprintf(many_names[i], sizeof(many_names[i]), "h%d.many.test",
		         i);
		many_zone[i] = (struct trr)RR_SRV("_sip._udp.many.test", 1, 0,
		                                  5060, many_names[i]);
		many_zone[MANY + i] =
		    (struct trr)RR_A("lots.test", "192.0.2.1");
	}
	many_zone[2 * MANY] = (struct trr)RR_A("h0.many.test", "192.0.2.77");
}

static int test_dns_bounds(void)
{
	struct sx_sip_dns_prm prm = {.af = SX_SIP_DNS_AF_V4};
	struct fx f;
	int err = 0;

	many_init();
	UT_OK(fx_open(&f, many_zone, SX_ARRAY_SIZE(many_zone), &prm, true));
	/* 40 SRV records (truncated on UDP, then over TCP):
	 * SX_SIP_DNS_RR_MAX kept, each host looked up */
	UT_OK(fx_resolve(&f, "sip:many.test;transport=udp", 0));
	UT_STR_EQ("UDP 192.0.2.77:5060", fx_str(&f));
	UT_EQ(2, resp_count(&f.rs, "_sip._udp.many.test", T_SRV));
	UT_EQ(2 + SX_SIP_DNS_RR_MAX, f.rs.nq);
	/* 40 equal A records: kept at most SX_SIP_DNS_RR_MAX, deduplicated */
	UT_OK(fx_resolve(&f, "sip:lots.test:5060", 0));
	UT_EQ(1, sx_sip_dns_targets_count(f.list));
out:
	fx_close(&f);
	return err;
}

static const struct trr odd_zone[] = {
    /* bad names are skipped, good ones kept */
    RR_SRV("_sip._udp.odd.test", 1, 0, 5060, "bad name.odd.test"),
    RR_SRV("_sip._udp.odd.test", 2, 0, 5060, "bad!.odd.test"),
    RR_SRV("_sip._udp.odd.test", 3, 0, 0, "good.odd.test"), /* port 0 */
    RR_SRV("_sip._udp.odd.test", 4, 0, 5062, "good.odd.test"),
    RR_A("good.odd.test", "192.0.2.40"),
    RR_A("odd.test", "192.0.2.41"),
    /* non-terminal and looping NAPTR: not followed (RFC 3263 4.1) */
    RR_NAPTR("loop.test", 1, 1, "", "SIP+D2U", "", "loop.test"),
    RR_NAPTR("loop.test", 2, 1, "s", "SIP+D2U", "", "bad_!name.test"),
    RR_A("loop.test", "192.0.2.42"),
    /* CNAME loop */
    RR_CNAME("c1.test", "c2.test"),
    RR_CNAME("c2.test", "c1.test"),
};

static int test_dns_odd_records(void)
{
	struct sx_sip_dns_prm prm = {.af = SX_SIP_DNS_AF_V4};
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, odd_zone, SX_ARRAY_SIZE(odd_zone), &prm, true));
	UT_OK(fx_resolve(&f, "sip:odd.test;transport=udp", 0));
	UT_STR_EQ("UDP 192.0.2.40:5062", fx_str(&f));
	UT_OK(fx_resolve(&f, "sip:loop.test", 0));
	UT_STR_EQ("UDP 192.0.2.42:5060", fx_str(&f));
	UT_EQ(1, resp_count(&f.rs, "loop.test", T_NAPTR));
	UT_ERR(-EIO, fx_resolve(&f, "sip:c1.test:5060", 0));
out:
	fx_close(&f);
	return err;
}

/* Raw answers: an A record whose owner is a compression loop, a record
 * running past the end, a pointer forward. */
static size_t raw_hostile(struct resp *rs, uint8_t *out, size_t off,
                          const char *qname, uint16_t qtype)
{
	(void)rs;
	(void)qtype;
	put16(out + 6, 1);
	if (!strncmp(qname, "ptrloop", 7)) {
		out[off] = 0xc0; /* points at itself */
		out[off + 1] = (uint8_t)off;
		off += 2;
	} else if (!strncmp(qname, "fwd", 3)) {
		out[off] = 0xc0; /* points forward */
		out[off + 1] = (uint8_t)(off + 2);
		off += 2;
	} else {
		out[off++] = 0xc0;
		out[off++] = 12;
		put16(out + off, T_A);
		put16(out + off + 2, 1);
		put32(out + off + 4, 60);
		put16(out + off + 8, 200); /* rdlength past the end */
		return off + 10 + 4;
	}
	put16(out + off, T_A);
	put16(out + off + 2, 1);
	put32(out + off + 4, 60);
	put16(out + off + 8, 4);
	memset(out + off + 10, 1, 4);
	return off + 14;
}

static int test_dns_hostile_wire(void)
{
	struct sx_sip_dns_prm prm = {.af = SX_SIP_DNS_AF_V4};
	static const char *const uris[] = {
	    "sip:ptrloop.test:5060",
	    "sip:fwd.test:5060",
	    "sip:cut.test:5060",
	};
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, NULL, 0, &prm, true));
	f.rs.raw = raw_hostile;
	for (size_t i = 0; i < SX_ARRAY_SIZE(uris); i++)
		UT_ERR(-EIO, fx_resolve(&f, uris[i], 0));
	UT_EQ(0, sx_sip_dns_cache_count(f.dns));
out:
	fx_close(&f);
	return err;
}

/* Seeded random damage to table answers: counts, records, lengths.  The
 * header id, flags and question stay intact so that c-ares accepts the
 * answer and hands it to our parser. */
static uint64_t mut_state;

static uint32_t mut_rand(void)
{
	return lcg_rand(&mut_state);
}

static size_t raw_mutated(struct resp *rs, uint8_t *out, size_t off,
                          const char *qname, uint16_t qtype)
{
	size_t len = table_answer(rs, out, off, qname, qtype);
	unsigned flips = 1 + mut_rand() % MUT_FLIPS_MAX;

	for (unsigned i = 0; i < flips; i++) {
		uint32_t r = mut_rand();
		size_t span = 6 + (len - off); /* counts, then the rest */
		size_t pos = r % span;
		pos = pos < 6 ? 6 + pos : off + (pos - 6);
		out[pos] = (r >> 16) % 2
		               ? (uint8_t)(r >> 8)
		               : (uint8_t)(out[pos] ^ (1u << (r % 8)));
	}
	if (mut_rand() % 4 == 0)
		len = off + mut_rand() % (len - off + 1);
	return len;
}

static int test_dns_mutated_answers(void)
{
	static const char *const uris[] = {
	    "sip:example.test",  "sip:srv.test",
	    "sip:host.test",     "sip:alias.test",
	    "sip:pbx.test:5060", "sips:example.test",
	    "sip:w.test",        "sip:srv.test;transport=udp",
	};
	const unsigned runs = ut_oom_mode() ? 4 : MUT_RUNS;
	struct sx_sip_dns_prm prm = {.timeout_ms = 100, .tries = 1};
	unsigned ok = 0;
	struct fx f;
	int err = 0;

	UT_OK(fx_open(&f, naptr_zone, SX_ARRAY_SIZE(naptr_zone), &prm, false));
	f.rs.raw = raw_mutated;
	mut_state = 7;
	for (unsigned i = 0; i < runs; i++) {
		sx_sip_dns_cache_flush(f.dns);
		int r = fx_resolve(&f, uris[i % SX_ARRAY_SIZE(uris)], 0);
		if (r == -ENOMEM && ut_oom_mode() && sx_mem_failed())
			UT_OK(r);
		UT_TRUE(r != -ETIME); /* the handler always ran */
		UT_TRUE((r == 0) == (f.list != NULL));
		UT_TRUE(sx_sip_dns_targets_count(f.list) <=
		        SX_SIP_DNS_TARGETS_MAX);
		ok += !r;
	}
	UT_TRUE(ut_oom_mode() || ok > 0);
out:
	fx_close(&f);
	return err;
}

UT_MAIN(UT_C(test_dns_numeric), UT_C(test_dns_explicit_port),
        UT_C(test_dns_naptr_srv_a), UT_C(test_dns_srv_only),
        UT_C(test_dns_a_only), UT_C(test_dns_aaaa), UT_C(test_dns_sips),
        UT_C(test_dns_bad_args), UT_C(test_dns_srv_weight_fixed),
        UT_C(test_dns_srv_weight_stats), UT_C(test_dns_cache_hit),
        UT_C(test_dns_ttl_expiry), UT_C(test_dns_nxdomain),
        UT_C(test_dns_cache_lru), UT_C(test_dns_failover_order),
        UT_C(test_dns_timeout), UT_C(test_dns_deadline), UT_C(test_dns_cancel),
        UT_C(test_dns_free_in_handler), UT_C(test_dns_socket_watch),
        UT_C(test_dns_bounds), UT_C(test_dns_odd_records),
        UT_C(test_dns_hostile_wire), UT_C(test_dns_mutated_answers))
