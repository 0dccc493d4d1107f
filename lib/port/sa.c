/*
 * sx_sa: IPv4/IPv6 socket address parsing, printing and comparison.
 * Text forms: dotted quad and RFC 4291 section 2.2 IPv6 literals, the
 * latter in brackets when a port follows (RFC 3986 section 3.2.2, as SIP
 * uses them in RFC 3261 section 25.1 "hostport").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sx/port/sa.h>

/* FNV-1a, 32 bit. */
#define FNV_OFFSET 2166136261u
#define FNV_PRIME  16777619u
/* Highest port number. */
#define PORT_MAX 65535u

void sx_sa_init(struct sx_sa *sa)
{
	if (sa)
		memset(sa, 0, sizeof(*sa));
}

int sx_sa_af(const struct sx_sa *sa)
{
	return sa && sa->len ? sa->u.sa.sa_family : AF_UNSPEC;
}

bool sx_sa_isset(const struct sx_sa *sa)
{
	int af = sx_sa_af(sa);
	return af == AF_INET || af == AF_INET6;
}

int sx_sa_set_str(struct sx_sa *sa, struct sx_sl addr, uint16_t port)
{
	char tmp[INET6_ADDRSTRLEN];
	struct sx_sa n = {0};

	if (!sa || !addr.len || addr.len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, addr.p, addr.len);
	tmp[addr.len] = '\0';
	if (memchr(tmp, '\0', addr.len))
		return -EINVAL; /* embedded NUL would truncate the literal */
	if (memchr(tmp, ':', addr.len)) {
		if (inet_pton(AF_INET6, tmp, &n.u.in6.sin6_addr) != 1)
			return -EINVAL;
		n.u.in6.sin6_family = AF_INET6;
		n.u.in6.sin6_port = htons(port);
		n.len = sizeof(n.u.in6);
	} else {
		if (inet_pton(AF_INET, tmp, &n.u.in.sin_addr) != 1)
			return -EINVAL;
		n.u.in.sin_family = AF_INET;
		n.u.in.sin_port = htons(port);
		n.len = sizeof(n.u.in);
	}
	*sa = n;
	return 0;
}

static int parse_port(struct sx_sl s, uint16_t *portp)
{
	uint32_t v;
	int err = sx_sl_u32_max(s, PORT_MAX, &v);
	if (err)
		return -EINVAL;
	*portp = (uint16_t)v;
	return 0;
}

/* "[v6]" or "[v6]:port" */
static int parse_bracketed(struct sx_sa *sa, struct sx_sl s)
{
	ssize_t close = sx_sl_chr(s, ']');
	uint16_t port = 0;

	if (close < 2)
		return -EINVAL;
	struct sx_sl host = sx_sl_sub(s, 1, (size_t)close - 1);
	struct sx_sl rest = sx_sl_sub(s, (size_t)close + 1, s.len);
	if (rest.len && (rest.p[0] != ':' ||
	                 parse_port(sx_sl_sub(rest, 1, rest.len), &port)))
		return -EINVAL;
	if (!memchr(host.p, ':', host.len))
		return -EINVAL; /* brackets are for IPv6 only */
	return sx_sa_set_str(sa, host, port);
}

int sx_sa_parse(struct sx_sa *sa, struct sx_sl s)
{
	uint16_t port = 0;

	if (!sa || !s.p || !s.len)
		return -EINVAL;
	if (s.p[0] == '[')
		return parse_bracketed(sa, s);
	ssize_t colon = sx_sl_chr(s, ':');
	if (colon < 0)
		return sx_sa_set_str(sa, s, 0);
	struct sx_sl rest = sx_sl_sub(s, (size_t)colon + 1, s.len);
	if (sx_sl_chr(rest, ':') >= 0) /* bare IPv6 literal, no port */
		return sx_sa_set_str(sa, s, 0);
	if (parse_port(rest, &port))
		return -EINVAL;
	return sx_sa_set_str(sa, sx_sl_sub(s, 0, (size_t)colon), port);
}

int sx_sa_set_sockaddr(struct sx_sa *sa, const struct sockaddr *addr,
                       socklen_t len)
{
	if (!sa || !addr)
		return -EINVAL;
	if (addr->sa_family == AF_INET) {
		if (len < (socklen_t)sizeof(struct sockaddr_in))
			return -EINVAL;
		len = sizeof(struct sockaddr_in);
	} else if (addr->sa_family == AF_INET6) {
		if (len < (socklen_t)sizeof(struct sockaddr_in6))
			return -EINVAL;
		len = sizeof(struct sockaddr_in6);
	} else {
		return -EAFNOSUPPORT;
	}
	memset(sa, 0, sizeof(*sa));
	memcpy(&sa->u, addr, len);
	sa->len = len;
	return 0;
}

uint16_t sx_sa_port(const struct sx_sa *sa)
{
	switch (sx_sa_af(sa)) {
	case AF_INET:
		return ntohs(sa->u.in.sin_port);
	case AF_INET6:
		return ntohs(sa->u.in6.sin6_port);
	default:
		return 0;
	}
}

void sx_sa_set_port(struct sx_sa *sa, uint16_t port)
{
	switch (sx_sa_af(sa)) {
	case AF_INET:
		sa->u.in.sin_port = htons(port);
		break;
	case AF_INET6:
		sa->u.in6.sin6_port = htons(port);
		break;
	default:
		break;
	}
}

/* Address bytes in network order; length 0 when unset. */
static const void *addr_bytes(const struct sx_sa *sa, size_t *lenp)
{
	switch (sx_sa_af(sa)) {
	case AF_INET:
		*lenp = sizeof(sa->u.in.sin_addr);
		return &sa->u.in.sin_addr;
	case AF_INET6:
		*lenp = sizeof(sa->u.in6.sin6_addr);
		return &sa->u.in6.sin6_addr;
	default:
		*lenp = 0;
		return NULL;
	}
}

static int cmp_addr(const struct sx_sa *a, const struct sx_sa *b)
{
	int fa = sx_sa_af(a), fb = sx_sa_af(b);
	size_t la, lb;

	if (fa != fb)
		return fa < fb ? -1 : 1;
	const void *pa = addr_bytes(a, &la), *pb = addr_bytes(b, &lb);
	return la ? memcmp(pa, pb, la) : 0;
}

int sx_sa_cmp(const struct sx_sa *a, const struct sx_sa *b)
{
	int c = cmp_addr(a, b);
	if (c)
		return c;
	uint16_t pa = sx_sa_port(a), pb = sx_sa_port(b);
	return pa == pb ? 0 : (pa < pb ? -1 : 1);
}

bool sx_sa_eq(const struct sx_sa *a, const struct sx_sa *b)
{
	return sx_sa_cmp(a, b) == 0;
}

bool sx_sa_eq_addr(const struct sx_sa *a, const struct sx_sa *b)
{
	return cmp_addr(a, b) == 0;
}

uint32_t sx_sa_hash(const struct sx_sa *sa)
{
	size_t len;
	const uint8_t *p = addr_bytes(sa, &len);
	uint16_t port = sx_sa_port(sa);
	uint32_t h = FNV_OFFSET ^ (uint32_t)sx_sa_af(sa);

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	h = (h ^ (port >> 8)) * FNV_PRIME;
	return (h ^ (port & 0xffu)) * FNV_PRIME;
}

bool sx_sa_is_loopback(const struct sx_sa *sa)
{
	switch (sx_sa_af(sa)) {
	case AF_INET:
		return (ntohl(sa->u.in.sin_addr.s_addr) >> 24) == 127;
	case AF_INET6:
		return IN6_IS_ADDR_LOOPBACK(&sa->u.in6.sin6_addr);
	default:
		return false;
	}
}

bool sx_sa_is_any(const struct sx_sa *sa)
{
	switch (sx_sa_af(sa)) {
	case AF_INET:
		return sa->u.in.sin_addr.s_addr == htonl(INADDR_ANY);
	case AF_INET6:
		return IN6_IS_ADDR_UNSPECIFIED(&sa->u.in6.sin6_addr);
	default:
		return false;
	}
}

ssize_t sx_sa_print_addr(const struct sx_sa *sa, char *buf, size_t size)
{
	size_t len;
	const void *p = addr_bytes(sa, &len);

	if (!p || !buf)
		return -EINVAL;
	if (!inet_ntop(sx_sa_af(sa), p, buf,
	               (socklen_t)SX_MIN(size, (size_t)INT32_MAX)))
		return -ENOSPC;
	return (ssize_t)strlen(buf);
}

ssize_t sx_sa_print(const struct sx_sa *sa, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	ssize_t n = sx_sa_print_addr(sa, a, sizeof(a));

	if (n < 0)
		return n;
	if (!buf)
		return -EINVAL;
	bool v6 = sx_sa_af(sa) == AF_INET6;
	int w = snprintf(buf, size, v6 ? "[%s]:%u" : "%s:%u", a,
	                 (unsigned)sx_sa_port(sa));
	if (w < 0 || (size_t)w >= size)
		return -ENOSPC;
	return w;
}
