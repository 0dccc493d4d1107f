/*
 * The resolver object: a c-ares channel driven by an sx_ev loop, without
 * threads (RFC 3263 server location runs on top of it, locate.c).
 *
 * c-ares reports the sockets it wants watched through its sock_state
 * callback; we watch them with sx_ev_fd_add() and call ares_process_fd()
 * when they are ready.  ares_timeout() tells how long until the next
 * retransmission or timeout; one sx_tmr is armed for it after every call
 * into c-ares.  Answers are parsed by wire.c (not by c-ares, to get TTLs
 * and bounded, validated records) and kept in the TTL cache (cache.c).
 *
 * A failure to watch a socket (out of memory) cannot be reported from
 * inside c-ares, so it is noted and "settle" cancels every outstanding
 * request once control is back outside c-ares: their queries fail with
 * that error instead of waiting for a timeout.
 */
#define SX_LOG_MOD "sip.dns"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "dns_int.h"

#define MS_PER_S  1000u
#define US_PER_MS 1000u

/* One DNS request in flight; holds a reference on its query. */
struct dns_req {
	struct sx_sip_dns_query *q;
	uint16_t type;
	unsigned tag;
	char name[DNS_NAME_SZ];
};

/* -- randomness (RFC 2782 weights) --------------------------------------- */

static uint64_t seed(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
		s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return s ? s : 0x9e3779b97f4a7c15ull;
}

uint32_t sx_sip_dns__rand(struct sx_sip_dns *dns)
{
	if (dns->rand_h)
		return dns->rand_h(dns->rand_arg);
	/* xorshift64* (Vigna) */
	dns->prng ^= dns->prng >> 12;
	dns->prng ^= dns->prng << 25;
	dns->prng ^= dns->prng >> 27;
	return (uint32_t)((dns->prng * 0x2545f4914f6cdd1dull) >> 32);
}

/* -- sockets and timeouts ---------------------------------------------- */

static void on_fd(int fd, uint32_t events, void *arg)
{
	struct sx_sip_dns *dns = arg;
	ares_socket_t r =
	    (events & (SX_EV_READ | SX_EV_ERROR)) ? fd : ARES_SOCKET_BAD;
	ares_socket_t w = (events & SX_EV_WRITE) ? fd : ARES_SOCKET_BAD;

	dns->depth++;
	ares_process_fd(dns->channel, r, w);
	dns->depth--;
	sx_sip_dns__settle(dns);
}

static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct sx_sip_dns *dns = data;
	uint32_t ev =
	    (readable ? SX_EV_READ : 0) | (writable ? SX_EV_WRITE : 0);

	if (!ev) {
		(void)sx_ev_fd_del(dns->loop, fd);
		return;
	}
	int err = sx_ev_fd_mod(dns->loop, fd, ev);
	if (err == -ENOENT)
		err = sx_ev_fd_add(dns->loop, fd, ev, on_fd, dns);
	if (err && !dns->fatal) {
		SX_LOG_ERR("cannot watch DNS socket %d: %s", fd,
		           strerror(-err));
		dns->fatal = err;
	}
}

static void on_timeout(void *arg)
{
	struct sx_sip_dns *dns = arg;

	dns->depth++;
	ares_process_fd(dns->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns->depth--;
	sx_sip_dns__settle(dns);
}

static void rearm(struct sx_sip_dns *dns)
{
	struct timeval tv;

	if (!ares_timeout(dns->channel, NULL, &tv)) {
		sx_tmr_stop(&dns->tmr);
		return;
	}
	uint64_t ms = (uint64_t)tv.tv_sec * MS_PER_S +
	              ((uint64_t)tv.tv_usec + US_PER_MS - 1) / US_PER_MS;
	/* at least 1 ms: a 0 ms re-arm would spin a virtual clock */
	ms = SX_MAX(ms, 1u);
	int err = sx_tmr_start(dns->loop, &dns->tmr, ms, on_timeout, dns);
	if (err && !dns->fatal)
		dns->fatal = err;
}

/* Fail every outstanding request with the noted fatal error. */
static void cancel_all(struct sx_sip_dns *dns)
{
	dns->failing = dns->fatal;
	dns->fatal = 0;
	dns->depth++;
	ares_cancel(dns->channel);
	dns->depth--;
	dns->failing = 0;
}

void sx_sip_dns__settle(struct sx_sip_dns *dns)
{
	if (dns->depth || dns->destroying)
		return;
	if (dns->fatal)
		cancel_all(dns);
	rearm(dns);
	/* without its timer c-ares would never time out: give up too (with
	 * nothing outstanding the re-arm only stops the timer) */
	if (dns->fatal) {
		cancel_all(dns);
		rearm(dns);
	}
}

/* -- requests ---------------------------------------------------------- */

static int map_status(struct sx_sip_dns *dns, int status)
{
	switch (status) {
	case ARES_ENOTFOUND:
		return -ENOENT;
	case ARES_ENODATA:
		return -ENODATA;
	case ARES_ETIMEOUT:
		return -ETIMEDOUT;
	case ARES_ENOMEM:
		return -ENOMEM;
	case ARES_ECONNREFUSED:
		return -ECONNREFUSED;
	case ARES_ECANCELLED:
		return dns->failing ? dns->failing : -ECANCELED;
	default:
		return -EIO;
	}
}

/* Parse and cache an answer; 0 and *rrp, or a negative errno. */
static int take_answer(struct sx_sip_dns *dns, const struct dns_req *req,
                       const unsigned char *abuf, int alen,
                       struct dns_rrset **rrp)
{
	struct dns_answer a;

	int err =
	    sx_sip_dns__parse(abuf, (size_t)alen, req->name, req->type, &a);
	if (err) {
		SX_LOG_WARN_RL("bad answer for %s type %u", req->name,
		               req->type);
		return -EIO;
	}
	*rrp = sx_sip_dns__rrset_new(req->name, req->type, &a,
	                             sx_ev_now(dns->loop));
	if (!*rrp)
		return -ENOMEM;
	if (a.has_ttl)
		sx_sip_dns__cache_put(&dns->cache, *rrp);
	return 0;
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
                      int alen)
{
	struct dns_req *req = arg;
	struct sx_sip_dns_query *q = req->q;
	struct sx_sip_dns *dns = q->dns;
	struct dns_rrset *rr = NULL;
	int err;

	(void)timeouts;
	if (status == ARES_EDESTRUCTION || dns->destroying) {
		/* the resolver is going: its queries were dropped */
		sx_mem_unref(req);
		return;
	}
	if (abuf && alen > 0 &&
	    (status == ARES_SUCCESS || status == ARES_ENOTFOUND ||
	     status == ARES_ENODATA)) {
		err = take_answer(dns, req, abuf, alen, &rr);
	} else {
		err = map_status(dns, status);
	}
	sx_sip_dns__query_answer(q, req->tag, err, rr);
	sx_mem_unref(rr);
	sx_mem_unref(req);
}

static void req_destroy(void *obj)
{
	struct dns_req *req = obj;

	sx_mem_unref(req->q);
}

int sx_sip_dns__lookup(struct sx_sip_dns_query *q, const char *name,
                       uint16_t type, unsigned tag)
{
	struct sx_sip_dns *dns = q->dns;
	struct dns_rrset *rr = sx_sip_dns__cache_get(&dns->cache, name, type,
	                                             sx_ev_now(dns->loop));

	if (rr) {
		q->pending++;
		sx_sip_dns__query_answer(q, tag, 0, rr);
		return 0;
	}
	struct dns_req *req = sx_mem_zalloc(sizeof(*req), req_destroy);
	if (!req)
		return -ENOMEM;
	req->q = sx_mem_ref(q);
	req->type = type;
	req->tag = tag;
	snprintf(req->name, sizeof(req->name), "%s", name);
	/* each lookup ends in exactly one sx_sip_dns__query_answer() */
	q->pending++;
	/* may answer at once (c-ares errors), which unrefs req */
	ares_query(dns->channel, req->name, DNS_C_IN, type, on_answer, req);
	return 0;
}

/* -- resolver ---------------------------------------------------------- */

static int channel_init(struct sx_sip_dns *dns, const struct sx_sip_dns_prm *p)
{
	struct ares_options o = {
	    .timeout = p->timeout_ms ? (int)p->timeout_ms
	                             : (int)SX_SIP_DNS_TIMEOUT_MS_DEFAULT,
	    .tries = p->tries ? (int)p->tries : (int)SX_SIP_DNS_TRIES_DEFAULT,
	    .flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES,
	    .sock_state_cb = sock_state,
	    .sock_state_cb_data = dns,
	};
	int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS |
	           ARES_OPT_SOCK_STATE_CB;

	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return -EIO;
	int st = ares_init_options(&dns->channel, &o, mask);
	if (st != ARES_SUCCESS) {
		ares_library_cleanup();
		return st == ARES_ENOMEM ? -ENOMEM : -EIO;
	}
	dns->channel_ok = true;
	if (p->servers) {
		st = ares_set_servers_ports_csv(dns->channel, p->servers);
		if (st != ARES_SUCCESS)
			return st == ARES_ENOMEM ? -ENOMEM : -EINVAL;
	}
	return 0;
}

static const uint32_t default_protos = (1u << SX_SIP_PROTO_UDP) |
                                       (1u << SX_SIP_PROTO_TCP) |
                                       (1u << SX_SIP_PROTO_TLS);

int sx_sip_dns_alloc(struct sx_sip_dns **dnsp, struct sx_ev *loop,
                     const struct sx_sip_dns_prm *prm)
{
	static const struct sx_sip_dns_prm defaults;
	const struct sx_sip_dns_prm *p = prm ? prm : &defaults;

	if (!dnsp || !loop || p->cache_size > SX_SIP_DNS_CACHE_MAX ||
	    p->af > SX_SIP_DNS_AF_V6 || p->timeout_ms > INT32_MAX ||
	    p->tries > INT32_MAX)
		return -EINVAL;
	struct sx_sip_dns *dns = sx_mem_zalloc(sizeof(*dns), NULL);
	if (!dns)
		return -ENOMEM;
	dns->loop = loop;
	dns->af = p->af;
	dns->protos = p->protos ? p->protos : default_protos;
	dns->query_timeout_ms = p->query_timeout_ms
	                            ? p->query_timeout_ms
	                            : SX_SIP_DNS_QUERY_TIMEOUT_MS_DEFAULT;
	dns->rand_h = p->rand_h;
	dns->rand_arg = p->rand_arg;
	dns->prng = seed();
	int err = sx_sip_dns__cache_init(
	    &dns->cache,
	    p->cache_size ? p->cache_size : SX_SIP_DNS_CACHE_DEFAULT);
	if (!err)
		err = channel_init(dns, p);
	if (err) {
		sx_sip_dns_free(dns);
		return err;
	}
	*dnsp = dns;
	return 0;
}

void sx_sip_dns_free(struct sx_sip_dns *dns)
{
	if (!dns)
		return;
	while (dns->queries)
		sx_sip_dns__query_drop(dns->queries);
	dns->destroying = true;
	if (dns->channel_ok) {
		/* runs on_answer with ARES_EDESTRUCTION for what is left */
		ares_destroy(dns->channel);
		ares_library_cleanup();
	}
	sx_tmr_stop(&dns->tmr);
	sx_sip_dns__cache_fini(&dns->cache);
	sx_mem_unref(dns);
}

void sx_sip_dns_cache_flush(struct sx_sip_dns *dns)
{
	if (dns)
		sx_sip_dns__cache_flush(&dns->cache);
}

size_t sx_sip_dns_cache_count(const struct sx_sip_dns *dns)
{
	return dns ? dns->cache.count : 0;
}
