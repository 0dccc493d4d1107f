/*
 * sx_store bindings: validation and copying of location-service records
 * (RFC 3261 section 10.3; RFC 5626 instance and reg-id; RFC 3327 Path)
 * before they are queued, and the blocking load.
 */
#include <errno.h>
#include <string.h>

#include <sx/store/backend.h>
#include <sx/store/binding.h>
#include <sx/util/mem.h>

#include "store_int.h"

static bool binding_ok(const struct sx_store_binding *b)
{
	return b && sx_store__sl_ok(b->aor, SX_STORE_AOR_MAX, true) &&
	       sx_store__sl_ok(b->contact, SX_STORE_CONTACT_MAX, true) &&
	       b->q <= SX_STORE_Q_MAX &&
	       sx_store__sl_ok(b->call_id, SX_STORE_CALL_ID_MAX, false) &&
	       sx_store__sl_ok(b->path, SX_STORE_BPATH_MAX, false) &&
	       sx_store__sl_ok(b->instance, SX_STORE_INSTANCE_MAX, false) &&
	       sx_store__sl_ok(b->user_agent, SX_STORE_UA_MAX, false) &&
	       sx_store__sl_ok(b->received, SX_STORE_RECEIVED_MAX, false) &&
	       sx_store__sl_ok(b->transport, SX_STORE_TRANSPORT_MAX, false);
}

int sx_store_binding_upsert(struct sx_store *st,
                            const struct sx_store_binding *b,
                            const struct sx_store_cb *cb)
{
	char *p;

	if (!st || !binding_ok(b) || !sx_store__cb_ok(cb))
		return -EINVAL;
	size_t size =
	    sx_store__sl_size(b->aor) + sx_store__sl_size(b->contact) +
	    sx_store__sl_size(b->call_id) + sx_store__sl_size(b->path) +
	    sx_store__sl_size(b->instance) + sx_store__sl_size(b->user_agent) +
	    sx_store__sl_size(b->received) + sx_store__sl_size(b->transport);
	struct sx_store__op *op =
	    sx_store__op_alloc(SX_STORE_WR_BINDING_UPSERT, size, &p);
	if (!op)
		return -ENOMEM;
	struct sx_store_binding *c = &op->wr.u.binding;
	*c = *b;
	c->aor = sx_store__pack(&p, b->aor);
	c->contact = sx_store__pack(&p, b->contact);
	c->call_id = sx_store__pack(&p, b->call_id);
	c->path = sx_store__pack(&p, b->path);
	c->instance = sx_store__pack(&p, b->instance);
	c->user_agent = sx_store__pack(&p, b->user_agent);
	c->received = sx_store__pack(&p, b->received);
	c->transport = sx_store__pack(&p, b->transport);
	return sx_store__submit(st, op, cb);
}

/* Queue a write keyed by @k0 (required) and @k1 (unless empty). */
static int key_write(struct sx_store *st, enum sx_store_wr_kind kind,
                     struct sx_sl k0, struct sx_sl k1,
                     const struct sx_store_cb *cb)
{
	char *p;

	struct sx_store__op *op = sx_store__op_alloc(
	    kind, sx_store__sl_size(k0) + sx_store__sl_size(k1), &p);
	if (!op)
		return -ENOMEM;
	op->wr.u.key[0] = sx_store__pack(&p, k0);
	op->wr.u.key[1] = sx_store__pack(&p, k1);
	return sx_store__submit(st, op, cb);
}

int sx_store_binding_delete(struct sx_store *st, struct sx_sl aor,
                            struct sx_sl contact, const struct sx_store_cb *cb)
{
	if (!st || !sx_store__sl_ok(aor, SX_STORE_AOR_MAX, true) ||
	    !sx_store__sl_ok(contact, SX_STORE_CONTACT_MAX, true) ||
	    !sx_store__cb_ok(cb))
		return -EINVAL;
	return key_write(st, SX_STORE_WR_BINDING_DELETE, aor, contact, cb);
}

int sx_store_binding_delete_aor(struct sx_store *st, struct sx_sl aor,
                                const struct sx_store_cb *cb)
{
	if (!st || !sx_store__sl_ok(aor, SX_STORE_AOR_MAX, true) ||
	    !sx_store__cb_ok(cb))
		return -EINVAL;
	return key_write(st, SX_STORE_WR_BINDING_DELETE_AOR, aor, SX_SL_NULL,
	                 cb);
}

int sx_store_binding_delete_expired(struct sx_store *st, int64_t now,
                                    const struct sx_store_cb *cb)
{
	char *p;

	if (!st || !sx_store__cb_ok(cb))
		return -EINVAL;
	struct sx_store__op *op =
	    sx_store__op_alloc(SX_STORE_WR_BINDING_EXPIRE, 0, &p);
	if (!op)
		return -ENOMEM;
	op->wr.u.now = now;
	return sx_store__submit(st, op, cb);
}

ssize_t sx_store_binding_load(struct sx_store *st, struct sx_sl aor,
                              sx_store_binding_h *fn, void *arg)
{
	if (!st || !fn || !sx_store__sl_ok(aor, SX_STORE_AOR_MAX, false))
		return -EINVAL;
	return st->ops->binding_load(st->be, aor, fn, arg);
}
