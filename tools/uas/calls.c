/*
 * sipx-uas call table (RFC 3261 12, 13.3): chained hash by Call-ID with
 * a bound on the number of calls, so a flood of INVITEs cannot grow it
 * without limit.
 */
#include <errno.h>
#include <string.h>

#include <sx/util/mem.h>

#include "calls.h"

static void call_destroy(void *obj)
{
	struct uas_call *call = obj;

	sx_tmr_stop(&call->tmr);
	call->invite = sx_mem_unref(call->invite);
	sx_buf_fini(&call->extra);
	call->call_id = sx_mem_unref(call->call_id);
}

int uas_calls_init(struct uas_calls *c)
{
	c->n = 0;
	c->bucket = sx_mem_zalloc(UAS_BUCKETS * sizeof(*c->bucket), NULL);
	return c->bucket ? 0 : -ENOMEM;
}

void uas_calls_fini(struct uas_calls *c)
{
	if (!c->bucket)
		return;
	for (size_t i = 0; i < UAS_BUCKETS; i++)
		while (c->bucket[i])
			uas_calls_del(c, c->bucket[i]);
	c->bucket = sx_mem_unref(c->bucket);
}

static struct uas_call **slot(struct uas_calls *c, struct sx_sl call_id)
{
	return &c->bucket[sx_sl_hash(call_id) % UAS_BUCKETS];
}

struct uas_call *uas_calls_find(struct uas_calls *c, struct sx_sl call_id)
{
	for (struct uas_call *call = *slot(c, call_id); call; call = call->next)
		if (sx_sl_eq(sx_sl_make(call->call_id, call->call_id_len),
		             call_id))
			return call;
	return NULL;
}

int uas_calls_add(struct uas_calls *c, struct uas_worker *uw,
                  struct sx_sl call_id, struct uas_call **callp)
{
	struct uas_call *call = NULL;
	int err = 0;

	if (c->n >= UAS_CALLS_MAX)
		return -ENOSPC;
	call = sx_mem_zalloc(sizeof(*call), call_destroy);
	if (!call) {
		err = -ENOMEM;
		goto out;
	}
	sx_buf_init(&call->extra, 0);
	call->uw = uw;
	call->call_id = sx_mem_strndup(call_id.p, call_id.len);
	if (!call->call_id) {
		err = -ENOMEM;
		goto out;
	}
	call->call_id_len = call_id.len;
	struct uas_call **head = slot(c, call_id);
	call->next = *head;
	*head = call;
	c->n++;
	*callp = call;
	call = NULL;
out:
	sx_mem_unref(call);
	return err;
}

void uas_calls_del(struct uas_calls *c, struct uas_call *call)
{
	struct uas_call **pp =
	    slot(c, sx_sl_make(call->call_id, call->call_id_len));

	while (*pp && *pp != call)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = call->next;
		c->n--;
	}
	sx_mem_unref(call);
}
