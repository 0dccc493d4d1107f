/*
 * Address headers: Contact (RFC 3261 20.10 with q and expires, RFC 5626
 * 4.1 +sip.instance and reg-id, RFC 5627 3.4 pub-gruu / temp-gruu),
 * Route / Record-Route / Path (RFC 3261 20.30, 20.34, RFC 3327 4),
 * P-Asserted-Identity / P-Preferred-Identity (RFC 3325 9), and the
 * single-address Refer-To / Referred-By (RFC 3515 2.1, RFC 3892 3).
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/hdrs.h>

#include "chars.h"
#include "hdr_lex.h"

/** Decimals a qvalue may have (RFC 3261 25.1). */
#define QVALUE_MAX_DECIMALS 3

enum contact_seen {
	SEEN_Q = 1 << 0,
	SEEN_EXPIRES = 1 << 1,
	SEEN_REG_ID = 1 << 2,
};

int sx_sip_qvalue_parse(struct sx_sl s, uint16_t *qp)
{
	unsigned v, scale = 100;
	size_t i;

	if (!s.len || !SX_SIP_CC(s.p[0], SX_SIP_C_DIGIT))
		return -EBADMSG;
	v = (unsigned)(s.p[0] - '0') * 1000;
	i = 1;
	if (i < s.len) {
		if (s.p[i] != '.')
			return -EBADMSG;
		for (i++; i < s.len; i++) {
			if (!SX_SIP_CC(s.p[i], SX_SIP_C_DIGIT) || !scale)
				return -EBADMSG;
			v += (unsigned)(s.p[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (v > SX_SIP_Q_MAX)
		return -ERANGE;
	*qp = (uint16_t)v;
	return 0;
}

static int seen_once(unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return -EBADMSG;
	*seen |= bit;
	return 0;
}

static int contact_num(struct sx_sip_contact *c, struct sx_sl name,
		       struct sx_sl val, unsigned *seen)
{
	int err;

	if (sx_sl_eq_cstr_nocase(name, "q")) {
		err = seen_once(seen, SEEN_Q);
		if (!err)
			err = sx_sip_qvalue_parse(val, &c->q);
		c->has_q = !err;
	} else if (sx_sl_eq_cstr_nocase(name, "expires")) {
		err = seen_once(seen, SEEN_EXPIRES);
		if (!err)
			err = sx_sip__hl_delta(val, &c->expires);
		c->has_expires = !err;
	} else {
		err = seen_once(seen, SEEN_REG_ID);
		if (!err)
			err = sx_sl_u32_max(val, SX_SIP_REG_ID_MAX, &c->reg_id);
		if (err == -EINVAL)
			err = -EBADMSG;
		if (!err && !c->reg_id)
			err = -ERANGE;
		c->has_reg_id = !err;
	}
	return err;
}

static int contact_quoted(struct sx_sl *dst, struct sx_sl val)
{
	struct sx_sl v;
	int err = sx_sip__hl_unquote_req(val, &v);

	return err ? err : sx_sip__hl_set_once(dst, v);
}

static int contact_param(struct sx_sip_contact *c, struct sx_sl name,
			 struct sx_sl val, unsigned *seen)
{
	if (sx_sl_eq_cstr_nocase(name, "q") ||
	    sx_sl_eq_cstr_nocase(name, "expires") ||
	    sx_sl_eq_cstr_nocase(name, "reg-id"))
		return contact_num(c, name, val, seen);
	if (sx_sl_eq_cstr_nocase(name, "+sip.instance"))
		return contact_quoted(&c->instance, val);
	if (sx_sl_eq_cstr_nocase(name, "pub-gruu"))
		return contact_quoted(&c->pub_gruu, val);
	if (sx_sl_eq_cstr_nocase(name, "temp-gruu"))
		return contact_quoted(&c->temp_gruu, val);
	return 0;
}

/* A number out of range is reported after the walk, so that everything
 * else is filled in (RFC 4475 3.1.2.2: treat as the default). */
static int contact_params(struct sx_sip_contact *c)
{
	struct sx_sip_param_iter it;
	struct sx_sl name, val;
	unsigned n = 0, seen = 0;
	int rc, range = 0;

	sx_sip_param_iter_init(&it, c->params);
	while ((rc = sx_sip__hl_param_next(&it, &n, &name, &val)) == 1) {
		int err = contact_param(c, name, val, &seen);
		if (err == -ERANGE)
			range = err;
		else if (err)
			return err;
	}
	return rc < 0 ? rc : range;
}

int sx_sip_contact_parse(struct sx_sip_contact *c, struct sx_sl elem)
{
	int err;

	if (!c)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	elem = sx_sl_trim(elem);
	if (sx_sl_eq_cstr(elem, "*")) {
		c->wildcard = true;
		return 0;
	}
	err = sx_sip_addr_parse(&c->addr, elem);
	if (err)
		return err;
	c->params = c->addr.params;
	return contact_params(c);
}

int sx_sip_contact_next(struct sx_sip_list_iter *it, struct sx_sip_contact *c)
{
	struct sx_sl elem;
	int rc = sx_sip_list_iter_next(it, &elem);

	if (rc != 1)
		return rc;
	rc = sx_sip_contact_parse(c, elem);
	return rc ? rc : 1;
}

int sx_sip_addr_next(struct sx_sip_list_iter *it, struct sx_sip_addr *a)
{
	struct sx_sl elem;
	int rc = sx_sip_list_iter_next(it, &elem);

	if (rc != 1)
		return rc;
	rc = sx_sip_addr_parse(a, elem);
	return rc ? rc : 1;
}

int sx_sip_route_next(struct sx_sip_list_iter *it, struct sx_sip_addr *a)
{
	int rc = sx_sip_addr_next(it, a);

	if (rc == 1 && !a->name_addr)
		return -EBADMSG;
	return rc;
}

int sx_sip_addr1_parse(struct sx_sip_addr *a, struct sx_sl value)
{
	struct sx_sip_list_iter it;
	struct sx_sl elem;
	int rc;

	sx_sip_list_iter_init(&it, value);
	rc = sx_sip_list_iter_next(&it, &elem);
	if (rc != 1)
		return rc ? rc : -EBADMSG;
	rc = sx_sip_list_iter_next(&it, &(struct sx_sl){0});
	if (rc)
		return rc < 0 ? rc : -EBADMSG;
	return sx_sip_addr_parse(a, elem);
}
