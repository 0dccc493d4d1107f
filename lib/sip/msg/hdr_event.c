/*
 * Event notification header fields (RFC 6665 8.2): Event (8.2.1,
 * package[.template] with the id param) and Subscription-State (8.2.3,
 * substate with reason / expires / retry-after).  Allow-Events (8.2.2) is
 * a token list (sx_sip_token_next()).
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/hdrs.h>

#include "hdr_lex.h"

static int event_params(struct sx_sip_event *e)
{
	struct sx_sip_param_iter it;
	struct sx_sl name, val;
	unsigned n = 0;
	int rc;

	sx_sip_param_iter_init(&it, e->params);
	while ((rc = sx_sip__hl_param_next(&it, &n, &name, &val)) == 1) {
		if (!sx_sl_eq_cstr_nocase(name, "id"))
			continue;
		int err = sx_sip__hl_set_val_once(&e->id, val);
		if (err)
			return err;
	}
	return rc;
}

int sx_sip_event_parse(struct sx_sip_event *e, struct sx_sl value)
{
	struct sx_sl head;
	int err;

	if (!e)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	err = sx_sip__hl_split_params(value, &head, &e->params);
	if (err)
		return err;
	if (!sx_sip_is_token(head) || head.p[0] == '.' ||
	    head.p[head.len - 1] == '.')
		return -EBADMSG;
	e->package = head;
	return event_params(e);
}

static const struct {
	const char *name;
	enum sx_sip_substate state;
} substates[] = {
	{"active", SX_SIP_SUBSTATE_ACTIVE},
	{"pending", SX_SIP_SUBSTATE_PENDING},
	{"terminated", SX_SIP_SUBSTATE_TERMINATED},
};

static int delta_once(bool *has, uint32_t *v, struct sx_sl val)
{
	int err;

	if (*has)
		return -EBADMSG;
	err = sx_sip__hl_delta(val, v);
	*has = !err;
	return err;
}

static int sub_state_param(struct sx_sip_sub_state *ss, struct sx_sl name,
			   struct sx_sl val)
{
	if (sx_sl_eq_cstr_nocase(name, "reason")) {
		if (!sx_sip_is_token(val))
			return -EBADMSG;
		return sx_sip__hl_set_val_once(&ss->reason, val);
	}
	if (sx_sl_eq_cstr_nocase(name, "expires"))
		return delta_once(&ss->has_expires, &ss->expires, val);
	if (sx_sl_eq_cstr_nocase(name, "retry-after"))
		return delta_once(&ss->has_retry_after, &ss->retry_after,
				  val);
	return 0;
}

int sx_sip_sub_state_parse(struct sx_sip_sub_state *ss, struct sx_sl value)
{
	struct sx_sip_param_iter it;
	struct sx_sl name, val;
	unsigned n = 0;
	int err, rc;

	if (!ss)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	err = sx_sip__hl_split_params(value, &ss->state_sl, &ss->params);
	if (err)
		return err;
	if (!sx_sip_is_token(ss->state_sl))
		return -EBADMSG;
	for (size_t i = 0; i < SX_ARRAY_SIZE(substates); i++)
		if (sx_sl_eq_cstr_nocase(ss->state_sl, substates[i].name))
			ss->state = substates[i].state;
	sx_sip_param_iter_init(&it, ss->params);
	while ((rc = sx_sip__hl_param_next(&it, &n, &name, &val)) == 1) {
		err = sub_state_param(ss, name, val);
		if (err)
			return err;
	}
	return rc;
}
