/*
 * Contact sets: the copied-out result of a location lookup or of the
 * redirect chain (RFC 3261 8.1.3.4 "contact set", 16.5), one sx_mem
 * block with its strings, ordered by q as a proxy forks them (RFC 3261
 * 16.6: highest q first).
 */
#include <errno.h>
#include <string.h>

#include <sx/util/mem.h>

#include "registrar_int.h"

static const char *put(char **dst, struct sx_sl s)
{
	char *p = *dst;
	if (s.len)
		memcpy(p, s.p, s.len);
	p[s.len] = '\0';
	*dst = p + s.len + 1;
	return p;
}

static size_t item_len(const struct cset_item *it)
{
	return it->uri.len + it->path.len + it->instance.len +
	       it->received.len + it->transport.len + it->fieldparams.len + 6;
}

/* Effective q for ordering: no q counts as 1.0. */
static uint16_t q_of(uint16_t q)
{
	return q == SX_REGISTRAR_NO_Q ? SX_STORE_Q_MAX : q;
}

int sx_reg__cset_make(struct sx_registrar_cset **csp,
		      const struct cset_item *items, size_t n)
{
	size_t strs = 0;
	if (n > SX_REGISTRAR_CSET_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		strs += item_len(&items[i]);
	size_t head = sizeof(struct sx_registrar_cset) +
		      n * sizeof(struct sx_registrar_contact);
	struct sx_registrar_cset *cs = sx_mem_zalloc(head + strs, NULL);
	if (!cs)
		return -ENOMEM;
	char *p = (char *)cs + head;
	for (size_t i = 0; i < n; i++) {
		const struct cset_item *it = &items[i];
		/* insertion sort: stable, highest q first */
		size_t k = cs->n;
		while (k > 0 && q_of(cs->c[k - 1].q) < q_of(it->q)) {
			cs->c[k] = cs->c[k - 1];
			k--;
		}
		cs->c[k] = (struct sx_registrar_contact){
		    .uri = put(&p, it->uri),
		    .q = it->q,
		    .expires = it->expires,
		    .path = put(&p, it->path),
		    .instance = put(&p, it->instance),
		    .reg_id = it->reg_id,
		    .received = put(&p, it->received),
		    .transport = put(&p, it->transport),
		    .fieldparams = put(&p, it->fieldparams),
		};
		cs->n++;
	}
	*csp = cs;
	return 0;
}
