/*
 * sx_store event logs: validation and copying of call-state events and
 * CDRs before they are appended, and the blocking listing.  The records
 * are opaque to the store (the cdr service defines their fields).
 */
#include <errno.h>
#include <string.h>

#include <sx/store/backend.h>
#include <sx/store/event.h>
#include <sx/util/mem.h>

#include "store_int.h"

static bool event_ok(const struct sx_store_event *ev)
{
	return ev &&
	       sx_store__sl_ok(ev->call_id, SX_STORE_EV_CALL_ID_MAX, true) &&
	       sx_store__sl_ok(ev->type, SX_STORE_EV_TYPE_MAX, true) &&
	       sx_store__sl_ok(ev->fields, SX_STORE_EV_FIELDS_MAX, false);
}

int sx_store_event_append(struct sx_store *st, enum sx_store_log log,
                          const struct sx_store_event *ev,
                          const struct sx_store_cb *cb)
{
	char *p;

	if (!st || (unsigned)log >= SX_STORE_LOG_COUNT || !event_ok(ev) ||
	    !sx_store__cb_ok(cb))
		return -EINVAL;
	size_t size = sx_store__sl_size(ev->call_id) +
	              sx_store__sl_size(ev->type) +
	              sx_store__sl_size(ev->fields);
	struct sx_store__op *op =
	    sx_store__op_alloc(SX_STORE_WR_EVENT_APPEND, size, &p);
	if (!op)
		return -ENOMEM;
	op->wr.u.event.log = log;
	struct sx_store_event *c = &op->wr.u.event.ev;
	c->id = 0;
	c->time_ms = ev->time_ms;
	c->call_id = sx_store__pack(&p, ev->call_id);
	c->type = sx_store__pack(&p, ev->type);
	c->fields = sx_store__pack(&p, ev->fields);
	return sx_store__submit(st, op, cb);
}

ssize_t sx_store_event_list(struct sx_store *st, enum sx_store_log log,
                            int64_t since_ms, size_t limit,
                            sx_store_event_h *fn, void *arg)
{
	if (!st || (unsigned)log >= SX_STORE_LOG_COUNT || !fn)
		return -EINVAL;
	return st->ops->event_list(st->be, log, since_ms, limit, fn, arg);
}

ssize_t sx_store_event_list_after(struct sx_store *st, enum sx_store_log log,
                                  int64_t after_id, size_t limit,
                                  sx_store_event_h *fn, void *arg)
{
	if (!st || (unsigned)log >= SX_STORE_LOG_COUNT || !fn || after_id < 0)
		return -EINVAL;
	if (!st->ops->event_list_after)
		return -ENOTSUP;
	return st->ops->event_list_after(st->be, log, after_id, limit, fn,
	                                 arg);
}

int sx_store_event_last_id(struct sx_store *st, enum sx_store_log log,
                           int64_t *idp)
{
	if (!st || (unsigned)log >= SX_STORE_LOG_COUNT || !idp)
		return -EINVAL;
	if (!st->ops->event_last_id)
		return -ENOTSUP;
	return st->ops->event_last_id(st->be, log, idp);
}
