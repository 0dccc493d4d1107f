/*
 * DNS response parser for the RFC 3263 resolver: the records of one
 * (name, type) from an answer, following CNAMEs inside it, and the
 * negative-caching TTL of an NXDOMAIN/NODATA answer from its SOA
 * (RFC 1035 4.1, 3.3.13; RFC 2308 5; RFC 2782 SRV; RFC 3403 NAPTR;
 * RFC 3596 AAAA; RFC 3263 4.1 NAPTR services).
 *
 * Every answer is hostile input: reads are bounded by the message length,
 * compression pointers must point strictly backwards (no loops), names
 * are limited to 255 octets on the wire, CNAME chains to
 * SX_SIP_DNS_CNAME_MAX links, and at most SX_SIP_DNS_RR_MAX records are
 * kept.  Records with bad names or odd lengths are skipped; a structure
 * that runs past the message makes the whole answer -EBADMSG.
 */
#define SX_LOG_MOD "sip.dns"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sx/util/log.h>

#include "dns_int.h"

#define DNS_HDR_LEN       12u
#define DNS_LABEL_MAX     63u
#define DNS_WIRE_NAME_MAX 255u
/* Compression pointers followed in one name (each goes backwards, so
 * this only bounds work). */
#define DNS_PTR_MAX 64u
/* Answer and authority records examined at most. */
#define DNS_SECTION_RR_MAX 256u
#define DNS_RCODE_NXDOMAIN 3u
/* RFC 2181 8: a TTL with the top bit set counts as 0. */
#define DNS_TTL_TOPBIT 0x80000000u

struct rd {
	const unsigned char *p;
	size_t len;
};

struct rr {
	char name[DNS_NAME_SZ];
	uint16_t type;
	uint16_t cls;
	uint32_t ttl;
	size_t rdoff; /* rdata offset in the message */
	size_t rdlen;
};

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static bool host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/*
 * Expand the name at *offp into @out (lower case, dots, no final dot;
 * the root is "").  Bytes that are not host characters become '?', so
 * such a name never equals a valid one and fails name checks.  *offp
 * moves past the name as written.  0 or -EBADMSG.
 */
static int read_name(struct rd m, size_t *offp, char out[DNS_NAME_SZ])
{
	size_t off = *offp, wire = 0, o = 0;
	unsigned jumps = 0;
	bool jumped = false;

	for (;;) {
		if (off >= m.len)
			return -EBADMSG;
		unsigned char l = m.p[off];
		if ((l & 0xc0) == 0xc0) {
			if (off + 1 >= m.len || ++jumps > DNS_PTR_MAX)
				return -EBADMSG;
			size_t to = ((size_t)(l & 0x3f) << 8) | m.p[off + 1];
			/* RFC 1035 4.1.4: a prior occurrence only */
			if (to >= off)
				return -EBADMSG;
			if (!jumped)
				*offp = off + 2;
			jumped = true;
			off = to;
			continue;
		}
		if (l & 0xc0)
			return -EBADMSG; /* RFC 6891 extended labels: no */
		wire += 1u + l;
		if (wire > DNS_WIRE_NAME_MAX || off + 1 + l > m.len)
			return -EBADMSG;
		if (!l)
			break;
		if (o && o < DNS_NAME_SZ - 1)
			out[o++] = '.';
		for (size_t i = 0; i < l && o < DNS_NAME_SZ - 1; i++) {
			unsigned char c = lower(m.p[off + 1 + i]);
			out[o++] = host_char(c) ? (char)c : '?';
		}
		off += 1u + l;
	}
	out[o] = '\0';
	if (!jumped)
		*offp = off + 1;
	return 0;
}

/* A name we may look up: non-empty, host characters, labels 1..63. */
static bool name_ok(const char *s)
{
	size_t label = 0, n = 0;

	for (; s[n]; n++) {
		if (s[n] == '.') {
			if (!label)
				return false;
			label = 0;
		} else if (!host_char((unsigned char)s[n]) ||
		           ++label > DNS_LABEL_MAX) {
			return false;
		}
	}
	return n > 0 && n <= SX_SIP_DNS_NAME_MAX && label > 0;
}

int sx_sip_dns__name_norm(struct sx_sl in, char out[DNS_NAME_SZ])
{
	if (in.len && in.p[in.len - 1] == '.')
		in.len--;
	if (!in.len || in.len > SX_SIP_DNS_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < in.len; i++)
		out[i] = (char)lower((unsigned char)in.p[i]);
	out[in.len] = '\0';
	return name_ok(out) ? 0 : -EINVAL;
}

/* Read one resource record header at *offp and skip its rdata. */
static int read_rr(struct rd m, size_t *offp, struct rr *rr)
{
	int err = read_name(m, offp, rr->name);
	if (err)
		return err;
	size_t off = *offp;
	if (m.len - off < 10)
		return -EBADMSG;
	rr->type = get16(m.p + off);
	rr->cls = get16(m.p + off + 2);
	rr->ttl = get32(m.p + off + 4);
	if (rr->ttl & DNS_TTL_TOPBIT)
		rr->ttl = 0;
	rr->rdlen = get16(m.p + off + 8);
	rr->rdoff = off + 10;
	if (rr->rdlen > m.len - rr->rdoff)
		return -EBADMSG;
	*offp = rr->rdoff + rr->rdlen;
	return 0;
}

/* Section offsets and counts, found in one pass. */
struct layout {
	size_t an_off;
	size_t an_n;
	size_t ns_off;
	size_t ns_n;
};

static int skip_rrs(struct rd m, size_t *offp, size_t n)
{
	struct rr rr;

	for (size_t i = 0; i < n; i++) {
		int err = read_rr(m, offp, &rr);
		if (err)
			return err;
	}
	return 0;
}

static int layout(struct rd m, struct layout *lo)
{
	char qname[DNS_NAME_SZ];
	size_t off = DNS_HDR_LEN;

	if (m.len < DNS_HDR_LEN || !(m.p[2] & 0x80) || get16(m.p + 4) != 1)
		return -EBADMSG; /* not a response to one question */
	int err = read_name(m, &off, qname);
	if (err)
		return err;
	if (m.len - off < 4)
		return -EBADMSG;
	off += 4;
	lo->an_off = off;
	lo->an_n = SX_MIN(get16(m.p + 6), DNS_SECTION_RR_MAX);
	err = skip_rrs(m, &off, lo->an_n);
	if (err)
		return err;
	lo->ns_off = off;
	lo->ns_n = SX_MIN(get16(m.p + 8), DNS_SECTION_RR_MAX);
	/* the authority section may be cut in a truncated answer */
	if (get16(m.p + 6) > DNS_SECTION_RR_MAX || skip_rrs(m, &off, lo->ns_n))
		lo->ns_n = 0;
	return 0;
}

/* Follow CNAMEs from @name (in place); TTLs lower *ttlp. */
static int follow_cnames(struct rd m, const struct layout *lo,
                         char name[DNS_NAME_SZ], uint32_t *ttlp)
{
	struct rr rr;

	for (unsigned hop = 0; hop <= SX_SIP_DNS_CNAME_MAX; hop++) {
		size_t off = lo->an_off;
		bool moved = false;
		for (size_t i = 0; i < lo->an_n && !moved; i++) {
			if (read_rr(m, &off, &rr))
				return -EBADMSG;
			if (rr.type != DNS_T_CNAME || rr.cls != DNS_C_IN ||
			    strcmp(rr.name, name))
				continue;
			size_t t = rr.rdoff;
			if (read_name(m, &t, rr.name) ||
			    t > rr.rdoff + rr.rdlen || !name_ok(rr.name))
				return -EBADMSG;
			memcpy(name, rr.name, DNS_NAME_SZ);
			*ttlp = SX_MIN(*ttlp, rr.ttl);
			moved = true;
		}
		if (!moved)
			return 0;
	}
	SX_LOG_WARN_RL("CNAME chain longer than %u", SX_SIP_DNS_CNAME_MAX);
	return -EBADMSG;
}

/* A <character-string> (RFC 1035 3.3) at *offp within rdata end @end. */
static int read_cs(struct rd m, size_t *offp, size_t end, struct sx_sl *out)
{
	size_t off = *offp;
	if (off >= end)
		return -EBADMSG;
	size_t l = m.p[off];
	if (l > end - off - 1)
		return -EBADMSG;
	*out = sx_sl_make((const char *)m.p + off + 1, l);
	*offp = off + 1 + l;
	return 0;
}

/* RFC 3263 4.1 service field to transport; NONE if not ours. */
static enum sx_sip_proto naptr_service(struct sx_sl s)
{
	if (sx_sl_eq_cstr_nocase(s, "SIP+D2U"))
		return SX_SIP_PROTO_UDP;
	if (sx_sl_eq_cstr_nocase(s, "SIP+D2T"))
		return SX_SIP_PROTO_TCP;
	if (sx_sl_eq_cstr_nocase(s, "SIPS+D2T"))
		return SX_SIP_PROTO_TLS;
	return SX_SIP_PROTO_NONE;
}

/* Decode a NAPTR rdata; 1 when usable for SIP, 0 to skip. */
static int get_naptr(struct rd m, const struct rr *rr, struct dns_naptr *n)
{
	size_t off = rr->rdoff, end = rr->rdoff + rr->rdlen;
	struct sx_sl flags, services, regexp;

	if (rr->rdlen < 4)
		return 0;
	n->order = get16(m.p + off);
	n->pref = get16(m.p + off + 2);
	off += 4;
	if (read_cs(m, &off, end, &flags) || read_cs(m, &off, end, &services) ||
	    read_cs(m, &off, end, &regexp) || read_name(m, &off, n->repl) ||
	    off > end)
		return 0;
	/* RFC 3263 4.1: terminal "s" records with a replacement only */
	n->proto = naptr_service(services);
	return n->proto != SX_SIP_PROTO_NONE &&
	       sx_sl_eq_cstr_nocase(flags, "s") && regexp.len == 0 &&
	       name_ok(n->repl);
}

/* Decode an SRV rdata; 1 when usable, 0 to skip. */
static int get_srv(struct rd m, const struct rr *rr, struct dns_srv *s)
{
	size_t off = rr->rdoff;

	if (rr->rdlen < 7)
		return 0;
	s->prio = get16(m.p + off);
	s->weight = get16(m.p + off + 2);
	s->port = get16(m.p + off + 4);
	off += 6;
	if (read_name(m, &off, s->target) || off > rr->rdoff + rr->rdlen)
		return 0;
	/* "." (empty) means "no service here" and is kept as such */
	return s->target[0] == '\0' || name_ok(s->target);
}

static int get_addr(struct rd m, const struct rr *rr, struct sx_sa *sa)
{
	sx_sa_init(sa);
	if (rr->type == DNS_T_A && rr->rdlen == 4) {
		sa->u.in.sin_family = AF_INET;
		memcpy(&sa->u.in.sin_addr, m.p + rr->rdoff, 4);
		sa->len = sizeof(sa->u.in);
		return 1;
	}
	if (rr->type == DNS_T_AAAA && rr->rdlen == 16) {
		sa->u.in6.sin6_family = AF_INET6;
		memcpy(&sa->u.in6.sin6_addr, m.p + rr->rdoff, 16);
		sa->len = sizeof(sa->u.in6);
		return 1;
	}
	return 0;
}

static int get_record(struct rd m, const struct rr *rr, struct dns_answer *a)
{
	switch (rr->type) {
	case DNS_T_NAPTR:
		return get_naptr(m, rr, &a->rr.naptr[a->n]);
	case DNS_T_SRV:
		return get_srv(m, rr, &a->rr.srv[a->n]);
	default:
		return get_addr(m, rr, &a->rr.addr[a->n]);
	}
}

static int collect(struct rd m, const struct layout *lo, const char *name,
                   uint16_t qtype, struct dns_answer *a)
{
	struct rr rr;
	size_t off = lo->an_off;

	for (size_t i = 0; i < lo->an_n; i++) {
		if (read_rr(m, &off, &rr))
			return -EBADMSG;
		if (rr.type != qtype || rr.cls != DNS_C_IN ||
		    strcmp(rr.name, name))
			continue;
		if (a->n == SX_SIP_DNS_RR_MAX) {
			SX_LOG_WARN_RL("%s: more than %u records, rest ignored",
			               name, SX_SIP_DNS_RR_MAX);
			break;
		}
		if (get_record(m, &rr, a) == 1) {
			a->ttl = SX_MIN(a->ttl, rr.ttl);
			a->n++;
		}
	}
	return 0;
}

/* RFC 2308 5: negative TTL = min(SOA TTL, SOA MINIMUM). */
static void negative_ttl(struct rd m, const struct layout *lo,
                         struct dns_answer *a)
{
	struct rr rr;
	char skip[DNS_NAME_SZ];
	size_t off = lo->ns_off;

	for (size_t i = 0; i < lo->ns_n; i++) {
		if (read_rr(m, &off, &rr))
			return;
		if (rr.type != DNS_T_SOA || rr.cls != DNS_C_IN)
			continue;
		size_t t = rr.rdoff, end = rr.rdoff + rr.rdlen;
		if (read_name(m, &t, skip) || read_name(m, &t, skip) ||
		    t > end || end - t != 20)
			return;
		uint32_t min = get32(m.p + t + 16);
		if (min & DNS_TTL_TOPBIT)
			min = 0;
		a->ttl = SX_MIN(rr.ttl, min);
		a->has_ttl = true;
		return;
	}
}

int sx_sip_dns__parse(const unsigned char *buf, size_t len, const char *qname,
                      uint16_t qtype, struct dns_answer *out)
{
	struct rd m = {buf, len};
	struct layout lo;
	char name[DNS_NAME_SZ];

	memset(out, 0, sizeof(*out));
	out->ttl = UINT32_MAX;
	int err = layout(m, &lo);
	if (err)
		return err;
	snprintf(name, sizeof(name), "%s", qname);
	err = follow_cnames(m, &lo, name, &out->ttl);
	if (err)
		return err;
	err = collect(m, &lo, name, qtype, out);
	if (err)
		return err;
	if (out->n) {
		out->has_ttl = true;
		return 0;
	}
	/* negative: NXDOMAIN or NODATA (RFC 2308 2.1, 2.2) */
	out->status =
	    (m.p[3] & 0x0f) == DNS_RCODE_NXDOMAIN ? -ENOENT : -ENODATA;
	out->ttl = 0;
	negative_ttl(m, &lo, out);
	return 0;
}
