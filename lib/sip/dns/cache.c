/*
 * The resolver's answer cache: one entry per (name, type), kept for the
 * answer's TTL (RFC 1035 3.2.1) clamped to [SX_SIP_DNS_TTL_MIN_S,
 * SX_SIP_DNS_TTL_MAX_S]; NXDOMAIN and NODATA answers for their RFC 2308
 * negative TTL, clamped to [SX_SIP_DNS_NEG_TTL_MIN_S,
 * SX_SIP_DNS_NEG_TTL_MAX_S], and not at all without an SOA (RFC 2308 5).
 * The number of entries is bounded; the least recently used entry goes
 * first.  Expired entries are dropped when met.  Times are the loop's
 * clock, so tests on a virtual clock see expiry without sleeping.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sx/util/mem.h>

#include "dns_int.h"

#define MS_PER_S 1000u

static uint32_t key_hash(const char *name, uint16_t type)
{
	return sx_sl_hash(sx_sl_cstr(name)) ^ ((uint32_t)type * 0x9e3779b1u);
}

int sx_sip_dns__cache_init(struct dns_cache *c, size_t max)
{
	size_t n = 1;

	memset(c, 0, sizeof(*c));
	while (n < max)
		n <<= 1;
	c->bucket = sx_mem_zalloc(n * sizeof(*c->bucket), NULL);
	if (!c->bucket)
		return -ENOMEM;
	c->nbucket = n;
	c->max = max;
	return 0;
}

static void lru_unlink(struct dns_cache *c, struct dns_rrset *rr)
{
	if (rr->lprev)
		rr->lprev->lnext = rr->lnext;
	else
		c->lru_head = rr->lnext;
	if (rr->lnext)
		rr->lnext->lprev = rr->lprev;
	else
		c->lru_tail = rr->lprev;
	rr->lprev = rr->lnext = NULL;
}

static void lru_push(struct dns_cache *c, struct dns_rrset *rr)
{
	rr->lprev = NULL;
	rr->lnext = c->lru_head;
	if (c->lru_head)
		c->lru_head->lprev = rr;
	else
		c->lru_tail = rr;
	c->lru_head = rr;
}

static void entry_remove(struct dns_cache *c, struct dns_rrset *rr)
{
	struct dns_rrset **pp = &c->bucket[rr->hash & (c->nbucket - 1)];

	while (*pp != rr)
		pp = &(*pp)->hnext;
	*pp = rr->hnext;
	rr->hnext = NULL;
	lru_unlink(c, rr);
	rr->cached = false;
	c->count--;
	sx_mem_unref(rr);
}

void sx_sip_dns__cache_flush(struct dns_cache *c)
{
	while (c->lru_head)
		entry_remove(c, c->lru_head);
}

void sx_sip_dns__cache_fini(struct dns_cache *c)
{
	if (!c->bucket)
		return;
	sx_sip_dns__cache_flush(c);
	c->bucket = sx_mem_unref(c->bucket);
}

static struct dns_rrset *find(struct dns_cache *c, const char *name,
                              uint16_t type, uint32_t hash)
{
	struct dns_rrset *rr = c->bucket[hash & (c->nbucket - 1)];

	for (; rr; rr = rr->hnext)
		if (rr->hash == hash && rr->type == type &&
		    !strcmp(rr->name, name))
			return rr;
	return NULL;
}

struct dns_rrset *sx_sip_dns__cache_get(struct dns_cache *c, const char *name,
                                        uint16_t type, uint64_t now)
{
	struct dns_rrset *rr = find(c, name, type, key_hash(name, type));

	if (!rr)
		return NULL;
	if (rr->expires <= now) {
		entry_remove(c, rr);
		return NULL;
	}
	lru_unlink(c, rr);
	lru_push(c, rr);
	return rr;
}

void sx_sip_dns__cache_put(struct dns_cache *c, struct dns_rrset *rr)
{
	struct dns_rrset *old = find(c, rr->name, rr->type, rr->hash);

	if (old)
		entry_remove(c, old);
	if (c->count >= c->max)
		entry_remove(c, c->lru_tail);
	struct dns_rrset **head = &c->bucket[rr->hash & (c->nbucket - 1)];
	rr->hnext = *head;
	*head = rr;
	lru_push(c, rr);
	rr->cached = true;
	c->count++;
	sx_mem_ref(rr);
}

static uint32_t clamp_ttl(const struct dns_answer *a)
{
	if (a->status == 0)
		return SX_MAX(SX_MIN(a->ttl, SX_SIP_DNS_TTL_MAX_S),
		              SX_SIP_DNS_TTL_MIN_S);
	return SX_MAX(SX_MIN(a->ttl, SX_SIP_DNS_NEG_TTL_MAX_S),
	              SX_SIP_DNS_NEG_TTL_MIN_S);
}

static size_t rec_size(uint16_t type)
{
	switch (type) {
	case DNS_T_NAPTR:
		return sizeof(struct dns_naptr);
	case DNS_T_SRV:
		return sizeof(struct dns_srv);
	default:
		return sizeof(struct sx_sa);
	}
}

struct dns_rrset *sx_sip_dns__rrset_new(const char *name, uint16_t type,
                                        const struct dns_answer *a,
                                        uint64_t now)
{
	size_t size = rec_size(type) * a->n;
	struct dns_rrset *rr = sx_mem_zalloc(sizeof(*rr) + size, NULL);

	if (!rr)
		return NULL;
	snprintf(rr->name, sizeof(rr->name), "%s", name);
	rr->type = type;
	rr->hash = key_hash(rr->name, type);
	rr->status = a->status;
	rr->n = a->n;
	rr->expires = now + (uint64_t)clamp_ttl(a) * MS_PER_S;
	memcpy(rr->data, &a->rr, size);
	if (type == DNS_T_NAPTR)
		rr->naptr = (const struct dns_naptr *)(void *)rr->data;
	else if (type == DNS_T_SRV)
		rr->srv = (const struct dns_srv *)(void *)rr->data;
	else
		rr->addr = (const struct sx_sa *)(void *)rr->data;
	return rr;
}
