/*
 * The redirect service (RFC 3261 8.3 redirect server; sipXregistry's
 * chain, SIPXECS-REFERENCE.md 1.3): registrations (110-REG), aliases
 * (120-ALIAS: user aliases, call forwarding, hunt groups), mapping rules
 * (130-MAPPING) and, when the set is still empty, fallback rules
 * (140-FALLBACK).  In process it returns a contact set; over SIP it
 * answers 302 with the contacts (q and expires, RFC 3261 20.10), 404
 * for unknown users and 480 for known users without a binding.
 */
#define SX_LOG_MOD "registrar.redirect"

#include <errno.h>
#include <string.h>

#include <sx/sip/hdrs.h>
#include <sx/sip/print.h>
#include <sx/store/user.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "registrar_int.h"

/** Bytes of contact text one redirect may collect. */
#define SX_REDIR_TEXT_MAX 32768u
/** Longest field-param list kept from a rule or alias contact. */
#define SX_REDIR_PARAMS_MAX 512u

/** Contacts collected along the chain (strings copied into text). */
struct collect {
	struct cset_item items[SX_REGISTRAR_CSET_MAX];
	size_t n;
	char *text; /**< sx_mem block of SX_REDIR_TEXT_MAX bytes */
	size_t used;
};

static int text_copy(struct collect *c, struct sx_sl in, struct sx_sl *outp)
{
	if (c->used + in.len > SX_REDIR_TEXT_MAX)
		return -E2BIG;
	if (in.len)
		memcpy(c->text + c->used, in.p, in.len);
	*outp = sx_sl_make(c->text + c->used, in.len);
	c->used += in.len;
	return 0;
}

static int collect_add(struct collect *c, const struct cset_item *it)
{
	struct cset_item x = *it;
	int err;

	if (c->n == SX_REGISTRAR_CSET_MAX)
		return -E2BIG;
	err = text_copy(c, it->uri, &x.uri);
	if (!err)
		err = text_copy(c, it->path, &x.path);
	if (!err)
		err = text_copy(c, it->instance, &x.instance);
	if (!err)
		err = text_copy(c, it->received, &x.received);
	if (!err)
		err = text_copy(c, it->transport, &x.transport);
	if (!err)
		err = text_copy(c, it->fieldparams, &x.fieldparams);
	if (!err)
		c->items[c->n++] = x;
	return err;
}

/* -- 110-REG ----------------------------------------------------------- */

static int from_registrations(struct sx_registrar *reg, struct collect *c,
			      struct sx_sl key)
{
	struct sx_registrar_cset *cs = NULL;
	int err = sx_loc__lookup(&reg->loc, key, sx_reg__now(reg), &cs);
	for (size_t i = 0; !err && i < cs->n; i++) {
		const struct sx_registrar_contact *k = &cs->c[i];
		struct cset_item it = {
		    .uri = sx_sl_cstr(k->uri),
		    .path = sx_sl_cstr(k->path),
		    .instance = sx_sl_cstr(k->instance),
		    .received = sx_sl_cstr(k->received),
		    .transport = sx_sl_cstr(k->transport),
		    .q = k->q,
		    .expires = k->expires,
		    .reg_id = k->reg_id,
		};
		err = collect_add(c, &it);
	}
	sx_mem_unref(cs);
	return err;
}

/* -- contacts written as text (aliases, rules) ----------------------------- */

/* Header params other than q and expires, ";a=b;c" form. */
static void params_keep(struct sx_sl params, char *out, size_t cap,
			size_t *lenp)
{
	struct sx_sip_param_iter it;
	struct sx_sl name, val;
	size_t len = 0;

	sx_sip_param_iter_init(&it, params);
	while (sx_sip_param_next(&it, &name, &val) > 0) {
		if (sx_sl_eq_cstr_nocase(name, "q") ||
		    sx_sl_eq_cstr_nocase(name, "expires"))
			continue;
		size_t need = 1 + name.len + (val.p ? 1 + val.len : 0);
		if (len + need > cap)
			break;
		out[len++] = ';';
		memcpy(out + len, name.p, name.len);
		len += name.len;
		if (val.p) {
			out[len++] = '=';
			memcpy(out + len, val.p, val.len);
			len += val.len;
		}
	}
	*lenp = len;
}

static int add_text_contact(struct collect *c, struct sx_sl text)
{
	struct sx_sip_contact k;
	char params[SX_REDIR_PARAMS_MAX];
	size_t plen;

	if (sx_sip_contact_parse(&k, sx_sl_trim(text)) || k.wildcard) {
		SX_LOG_WARN_RL("bad redirect contact '%.*s'", SX_SL_FMT(text));
		return 0;
	}
	params_keep(k.params, params, sizeof(params), &plen);
	struct cset_item it = {
	    .uri = k.addr.uri.raw,
	    .q = k.has_q ? k.q : SX_REGISTRAR_NO_Q,
	    .expires = k.has_expires ? k.expires : 0,
	    .fieldparams = sx_sl_make(params, plen),
	};
	return collect_add(c, &it);
}

static int alias_h(struct sx_sl contact, void *arg)
{
	return add_text_contact(arg, contact);
}

static int rule_h(const struct rules_out *o, void *arg)
{
	return add_text_contact(arg, sx_sl_make(o->text, o->len));
}

static int from_rules(struct sx_registrar *reg, struct sx_watched *w,
		      struct collect *c, const struct sx_sip_msg *msg,
		      const struct reg_settings *s)
{
	struct rules *r = sx_reg__watched_get(reg, w);
	struct rules_env env = {
	    .ruri = &msg->ruri,
	    .localhost = sx_sl_cstr(s->domains[0]),
	    .mediaserver = sx_sl_cstr(s->mediaserver),
	    .voicemail = sx_sl_cstr(s->voicemail),
	};
	ssize_t n = r ? sx_rules__apply(r, &env, rule_h, c) : 0;
	sx_mem_unref(r);
	return n < 0 ? (int)n : 0;
}

/* -- the chain ------------------------------------------------------------- */

static uint16_t status_empty(struct sx_registrar *reg, const struct sx_sip_msg *msg,
			     bool ours)
{
	char user[SX_STORE_USER_NAME_MAX + 1];
	if (!ours)
		return 404;
	ssize_t n = sx_sip_unescape(msg->ruri.user, user, sizeof(user) - 1);
	if (n <= 0)
		return 404;
	int known = reg->user_h(sx_sl_make(user, (size_t)n), reg->user_arg);
	if (known < 0)
		SX_LOG_WARN_RL("user lookup failed: %s", strerror(-known));
	return known > 0 ? 480 : 404;
}

static int chain(struct sx_registrar *reg, const struct sx_sip_msg *msg,
		 struct collect *c, bool *oursp)
{
	struct reg_settings s;
	char key[SX_REG_AOR_MAX + 1];
	int err = 0;

	sx_reg__settings(reg, &s);
	ssize_t n = sx_registrar_aor(&msg->ruri, key, sizeof(key));
	*oursp = n > 0 && sx_reg__is_ours(&s, msg->ruri.host);
	if (*oursp) {
		struct sx_sl k = sx_sl_make(key, (size_t)n);
		err = from_registrations(reg, c, k);
		struct aliases *a = sx_reg__watched_get(reg, &reg->aliases);
		if (!err && a) {
			/* alias identities are "user@domain" */
			ssize_t na = sx_aliases__get(a, sx_sl_sub(k, 4, k.len),
						     alias_h, c);
			err = na < 0 ? (int)na : 0;
		}
		sx_mem_unref(a);
	}
	if (!err)
		err = from_rules(reg, &reg->mapping, c, msg, &s);
	if (!err && !c->n)
		err = from_rules(reg, &reg->fallback, c, msg, &s);
	/* a full set is still a useful answer */
	return err == -E2BIG ? 0 : err;
}

int sx_registrar_redirect(struct sx_registrar *reg, const struct sx_sip_msg *msg,
			  struct sx_registrar_redirect_res *res)
{
	struct collect *c = NULL;
	bool ours = false;
	int err;

	if (!reg || !msg || !res || !msg->is_request)
		return -EINVAL;
	res->status = 0;
	res->cs = NULL;
	if (msg->ruri.scheme != SX_SIP_URI_SIP &&
	    msg->ruri.scheme != SX_SIP_URI_SIPS) {
		res->status = 416; /* RFC 3261 8.2.2.1 */
		return 0;
	}
	c = sx_mem_zalloc(sizeof(*c), NULL);
	if (!c)
		return -ENOMEM;
	c->text = sx_mem_alloc(SX_REDIR_TEXT_MAX, NULL);
	err = c->text ? chain(reg, msg, c, &ours) : -ENOMEM;
	if (!err && c->n) {
		err = sx_reg__cset_make(&res->cs, c->items, c->n);
		res->status = err ? 0 : 302;
	} else if (!err) {
		res->status = status_empty(reg, msg, ours);
	}
	sx_mem_unref(c->text);
	sx_mem_unref(c);
	return err;
}

/* -- over SIP -------------------------------------------------------------- */

static void print_contacts(struct sx_buf *b, const struct sx_registrar_cset *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		const struct sx_registrar_contact *k = &cs->c[i];
		sx_buf_printf(b, "Contact: <%s>", k->uri);
		if (k->q == SX_STORE_Q_MAX)
			sx_buf_put_cstr(b, ";q=1");
		else if (k->q != SX_REGISTRAR_NO_Q)
			sx_buf_printf(b, ";q=0.%03u", k->q);
		if (k->expires)
			sx_buf_printf(b, ";expires=%u", k->expires);
		sx_buf_printf(b, "%s\r\n", k->fieldparams);
	}
}

static void answer(struct sx_sip_tsx *stsx, uint16_t code, struct sx_sl extra)
{
	int err = sx_sip_tsx_reply(stsx, code, NULL, extra, SX_SL_NULL,
				   SX_SL_NULL);
	if (err)
		SX_LOG_WARN_RL("redirect reply %u failed: %s", code,
			       strerror(-err));
}

void sx_reg__redirect_sip(struct sx_registrar *reg, struct sx_sip_tsx *stsx,
			  const struct sx_sip_msg *msg)
{
	struct sx_registrar_redirect_res res;
	struct sx_buf b;

	/* OPTIONS to the server itself (no user part): we are alive */
	if (msg->method == SX_SIP_METHOD_OPTIONS && !msg->ruri.user.len) {
		answer(stsx, 200,
		       SX_SL("Allow: REGISTER, INVITE, ACK, CANCEL, OPTIONS, "
			     "BYE, SUBSCRIBE, NOTIFY, REFER, MESSAGE\r\n"));
		return;
	}
	if (sx_registrar_redirect(reg, msg, &res)) {
		answer(stsx, 500, SX_SL_NULL);
		return;
	}
	sx_buf_init(&b, SX_REG_REPLY_MAX);
	if (res.cs)
		print_contacts(&b, res.cs);
	if (sx_buf_err(&b))
		answer(stsx, 500, SX_SL_NULL);
	else
		answer(stsx, res.status, sx_buf_sl(&b));
	sx_buf_fini(&b);
	sx_mem_unref(res.cs);
}
