/*
 * Target lists for RFC 3263 4.3 failover, and the RFC 2782 ordering of
 * SRV records that decides them: ascending priority, and within one
 * priority a weighted random selection (zero-weight records first, pick
 * the first record whose running weight sum reaches a random number in
 * [0, sum]; repeat without it).
 */
#include <errno.h>
#include <string.h>

#include <sx/util/mem.h>

#include "dns_int.h"

void sx_sip_dns__srv_order(struct sx_sip_dns *dns, const struct dns_srv *srv,
                           size_t n, unsigned *idx)
{
	unsigned by_prio[SX_SIP_DNS_RR_MAX];
	size_t out = 0;

	n = SX_MIN(n, (size_t)SX_SIP_DNS_RR_MAX);
	/* stable insertion sort by priority */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		for (; j > 0 && srv[by_prio[j - 1]].prio > srv[i].prio; j--)
			by_prio[j] = by_prio[j - 1];
		by_prio[j] = (unsigned)i;
	}
	for (size_t a = 0, b; a < n; a = b) {
		unsigned grp[SX_SIP_DNS_RR_MAX];
		size_t m = 0;
		for (b = a;
		     b < n && srv[by_prio[b]].prio == srv[by_prio[a]].prio; b++)
			;
		for (size_t i = a; i < b; i++)
			if (!srv[by_prio[i]].weight)
				grp[m++] = by_prio[i];
		for (size_t i = a; i < b; i++)
			if (srv[by_prio[i]].weight)
				grp[m++] = by_prio[i];
		while (m) {
			uint32_t sum = 0, run = 0;
			size_t j = 0;
			for (size_t k = 0; k < m; k++)
				sum += srv[grp[k]].weight;
			if (m > 1 && sum) {
				uint32_t r = sx_sip_dns__rand(dns) % (sum + 1);
				for (j = 0; j < m; j++) {
					run += srv[grp[j]].weight;
					if (run >= r)
						break;
				}
			}
			idx[out++] = grp[j];
			memmove(&grp[j], &grp[j + 1],
			        (m - j - 1) * sizeof(*grp));
			m--;
		}
	}
}

size_t sx_sip_dns__fam_order(enum sx_sip_dns_af af, unsigned fam[2])
{
	switch (af) {
	case SX_SIP_DNS_AF_V6_V4:
		fam[0] = 1;
		fam[1] = 0;
		return 2;
	case SX_SIP_DNS_AF_V4:
		fam[0] = 0;
		return 1;
	case SX_SIP_DNS_AF_V6:
		fam[0] = 1;
		return 1;
	default:
		fam[0] = 0;
		fam[1] = 1;
		return 2;
	}
}

static bool seen(const struct sx_sip_dns_target *t, size_t n,
                 const struct sx_sip_dns_target *x)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].proto == x->proto && sx_sa_eq(&t[i].addr, &x->addr))
			return true;
	return false;
}

/* Append the addresses of use @u to @t; false once the list is full. */
static bool add_use(const struct sx_sip_dns_query *q, const struct dns_use *u,
                    struct sx_sip_dns_target *t, size_t *np)
{
	const struct dns_host *h = &q->hosts[u->host];
	unsigned fam[2];
	size_t nf = sx_sip_dns__fam_order(q->dns->af, fam);

	for (size_t f = 0; f < nf; f++) {
		const struct dns_rrset *rr = h->rr[fam[f]];
		for (size_t i = 0; rr && !rr->status && i < rr->n; i++) {
			struct sx_sip_dns_target x = {
			    .proto = u->proto,
			    .addr = rr->addr[i],
			    .src = u->src,
			    .naptr_order = u->order,
			    .naptr_pref = u->pref,
			    .srv_prio = u->prio,
			    .srv_weight = u->weight,
			};
			sx_sa_set_port(&x.addr, u->port);
			if (seen(t, *np, &x))
				continue;
			if (*np == SX_SIP_DNS_TARGETS_MAX)
				return false;
			t[(*np)++] = x;
		}
	}
	return true;
}

int sx_sip_dns__targets_build(struct sx_sip_dns_query *q,
                              struct sx_sip_dns_targets **listp)
{
	struct sx_sip_dns_target t[SX_SIP_DNS_TARGETS_MAX];
	size_t n = 0;

	for (unsigned i = 0; i < q->nuse && add_use(q, &q->use[i], t, &n); i++)
		;
	if (!n)
		return -ENOENT;
	struct sx_sip_dns_targets *list =
	    sx_mem_zalloc(sizeof(*list) + n * sizeof(*t), NULL);
	if (!list)
		return -ENOMEM;
	list->n = n;
	memcpy(list->t, t, n * sizeof(*t));
	*listp = list;
	return 0;
}

size_t sx_sip_dns_targets_count(const struct sx_sip_dns_targets *list)
{
	return list ? list->n : 0;
}

const struct sx_sip_dns_target *
sx_sip_dns_targets_get(const struct sx_sip_dns_targets *list, size_t i)
{
	return list && i < list->n ? &list->t[i] : NULL;
}

int sx_sip_dns_targets_next(struct sx_sip_dns_targets *list,
                            struct sx_sip_peer *peerp)
{
	if (!list || !peerp)
		return -EINVAL;
	if (list->next >= list->n)
		return -ENOENT;
	const struct sx_sip_dns_target *t = &list->t[list->next++];
	memset(peerp, 0, sizeof(*peerp));
	peerp->proto = t->proto;
	peerp->remote = t->addr;
	sx_sa_init(&peerp->local);
	return 0;
}
