/*
 * Authentication header fields (RFC 3261 20.6, 20.7, 20.27, 20.28, 20.44
 * and 25.1; RFC 2617 3.2; RFC 7616 3.3-3.5): Authorization /
 * Proxy-Authorization credentials, WWW-Authenticate / Proxy-Authenticate
 * challenges and Authentication-Info.  Digest directives land in typed
 * fields through a table; each may appear once.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <sx/sip/hdrs.h>

#include "chars.h"
#include "hdr_lex.h"

/** nonce-count: exactly 8 LHEX (RFC 3261 25.1 nc-value). */
#define NC_DIGITS 8

enum slot_kind {
	SLOT_SL,   /* struct sx_sl at off */
	SLOT_BOOL, /* bool at off: "true" / "false" */
	SLOT_NC,   /* uint32_t at off, bool has_nc at off2 */
};

/** A directive name and where its value goes in the result struct. */
struct slot {
	const char *name;
	enum slot_kind kind;
	size_t off;
	size_t off2;
};

#define SL_SLOT(type, name, field) {name, SLOT_SL, offsetof(type, field), 0}
#define BOOL_SLOT(type, name, field) \
	{name, SLOT_BOOL, offsetof(type, field), 0}
#define NC_SLOT(type) \
	{"nc", SLOT_NC, offsetof(type, nc), offsetof(type, has_nc)}

static const struct slot cred_slots[] = {
	SL_SLOT(struct sx_sip_credentials, "username", username),
	SL_SLOT(struct sx_sip_credentials, "realm", realm),
	SL_SLOT(struct sx_sip_credentials, "nonce", nonce),
	SL_SLOT(struct sx_sip_credentials, "uri", uri),
	SL_SLOT(struct sx_sip_credentials, "response", response),
	SL_SLOT(struct sx_sip_credentials, "algorithm", algorithm_sl),
	SL_SLOT(struct sx_sip_credentials, "cnonce", cnonce),
	SL_SLOT(struct sx_sip_credentials, "opaque", opaque),
	SL_SLOT(struct sx_sip_credentials, "qop", qop),
	NC_SLOT(struct sx_sip_credentials),
	BOOL_SLOT(struct sx_sip_credentials, "userhash", userhash),
};

static const struct slot chal_slots[] = {
	SL_SLOT(struct sx_sip_challenge, "realm", realm),
	SL_SLOT(struct sx_sip_challenge, "nonce", nonce),
	SL_SLOT(struct sx_sip_challenge, "opaque", opaque),
	SL_SLOT(struct sx_sip_challenge, "domain", domain),
	SL_SLOT(struct sx_sip_challenge, "qop", qop),
	SL_SLOT(struct sx_sip_challenge, "algorithm", algorithm_sl),
	BOOL_SLOT(struct sx_sip_challenge, "stale", stale),
	BOOL_SLOT(struct sx_sip_challenge, "userhash", userhash),
};

static const struct slot ainfo_slots[] = {
	SL_SLOT(struct sx_sip_auth_info, "nextnonce", nextnonce),
	SL_SLOT(struct sx_sip_auth_info, "qop", qop),
	SL_SLOT(struct sx_sip_auth_info, "rspauth", rspauth),
	SL_SLOT(struct sx_sip_auth_info, "cnonce", cnonce),
	NC_SLOT(struct sx_sip_auth_info),
};

static const struct {
	const char *name;
	enum sx_sip_digest_alg alg;
} algs[] = {
	{"MD5", SX_SIP_ALG_MD5},
	{"MD5-sess", SX_SIP_ALG_MD5_SESS},
	{"SHA-256", SX_SIP_ALG_SHA256},
	{"SHA-256-sess", SX_SIP_ALG_SHA256_SESS},
	{"SHA-512-256", SX_SIP_ALG_SHA512_256},
	{"SHA-512-256-sess", SX_SIP_ALG_SHA512_256_SESS},
};

enum sx_sip_digest_alg sx_sip_digest_alg_lookup(struct sx_sl s)
{
	for (size_t i = 0; i < SX_ARRAY_SIZE(algs); i++)
		if (sx_sl_eq_cstr_nocase(s, algs[i].name))
			return algs[i].alg;
	return SX_SIP_ALG_OTHER;
}

/* An unquoted value: up to ',' or LWS (tokens, and lenient for peers
 * that leave a URI unquoted). */
static size_t skip_bare(struct sx_sl s, size_t i)
{
	while (i < s.len && s.p[i] != ',' && s.p[i] != '"' &&
	       !SX_SIP_CC(s.p[i], SX_SIP_C_LWS))
		i++;
	return i;
}

static int auth_value(struct sx_sl s, size_t *ip, struct sx_sl *valp,
		      bool *quotedp)
{
	size_t i = *ip, end;
	int err;

	*quotedp = i < s.len && s.p[i] == '"';
	if (*quotedp) {
		err = sx_sip__hl_qstr_end(s, i, &end);
		if (err)
			return err;
		*valp = sx_sl_make(s.p + i + 1, end - i - 2);
	} else {
		end = skip_bare(s, i);
		if (end == i)
			return -EBADMSG;
		*valp = sx_sl_make(s.p + i, end - i);
	}
	*ip = end;
	return 0;
}

/* After a value: end, or ',' followed by another auth-param. */
static int auth_sep(struct sx_sl s, size_t *ip)
{
	size_t i = sx_sip__sl_span(s, *ip, SX_SIP_C_LWS);

	if (i < s.len) {
		if (s.p[i] != ',')
			return -EBADMSG;
		i = sx_sip__sl_span(s, i + 1, SX_SIP_C_LWS);
		if (i == s.len)
			return -EBADMSG;
	}
	*ip = i;
	return 0;
}

int sx_sip_auth_param_next(struct sx_sip_auth_param_iter *it,
			   struct sx_sl *namep, struct sx_sl *valp,
			   bool *quotedp)
{
	struct sx_sl s = it->rest, val;
	size_t i = sx_sip__sl_span(s, 0, SX_SIP_C_LWS), j, k;
	bool quoted;
	int err;

	if (i == s.len)
		return 0;
	if (it->n >= SX_SIP_MAX_PARAMS)
		return -E2BIG;
	j = sx_sip__sl_span(s, i, SX_SIP_C_TOKEN);
	k = sx_sip__sl_span(s, j, SX_SIP_C_LWS);
	if (j == i || k == s.len || s.p[k] != '=')
		return -EBADMSG;
	k = sx_sip__sl_span(s, k + 1, SX_SIP_C_LWS);
	err = auth_value(s, &k, &val, &quoted);
	if (!err)
		err = auth_sep(s, &k);
	if (err)
		return err;
	it->rest = sx_sl_sub(s, k, s.len);
	it->n++;
	*namep = sx_sl_make(s.p + i, j - i);
	*valp = val;
	if (quotedp)
		*quotedp = quoted;
	return 1;
}

static int parse_nc(struct sx_sl v, uint32_t *ncp)
{
	uint32_t nc = 0;

	if (v.len != NC_DIGITS)
		return -EBADMSG;
	for (size_t i = 0; i < v.len; i++) {
		int d = sx_hexval((unsigned char)v.p[i]);
		if (d < 0)
			return -EBADMSG;
		nc = nc << 4 | (uint32_t)d;
	}
	*ncp = nc;
	return 0;
}

static int slot_set(void *obj, const struct slot *sl, struct sx_sl val)
{
	char *base = obj;

	switch (sl->kind) {
	case SLOT_SL:
		memcpy(base + sl->off, &val, sizeof(val));
		return 0;
	case SLOT_BOOL: {
		bool b = sx_sl_eq_cstr_nocase(val, "true");
		if (!b && !sx_sl_eq_cstr_nocase(val, "false"))
			return -EBADMSG;
		memcpy(base + sl->off, &b, sizeof(b));
		return 0;
	}
	case SLOT_NC: {
		uint32_t nc;
		bool has = true;
		int err = parse_nc(val, &nc);
		if (err)
			return err;
		memcpy(base + sl->off, &nc, sizeof(nc));
		memcpy(base + sl->off2, &has, sizeof(has));
		return 0;
	}
	}
	return -EINVAL;
}

/* The seen mask of walk_slots() has one bit per slot. */
_Static_assert(SX_ARRAY_SIZE(cred_slots) <= 32 &&
		       SX_ARRAY_SIZE(chal_slots) <= 32 &&
		       SX_ARRAY_SIZE(ainfo_slots) <= 32,
	       "slot tables fit the seen mask");

/* Walk auth-params into @obj through @tab; unknown names are skipped. */
static int walk_slots(void *obj, const struct slot *tab, size_t ntab,
		      struct sx_sl params)
{
	struct sx_sip_auth_param_iter it;
	struct sx_sl name, val;
	uint32_t seen = 0;
	int rc;

	sx_sip_auth_param_iter_init(&it, params);
	while ((rc = sx_sip_auth_param_next(&it, &name, &val, NULL)) == 1) {
		for (size_t k = 0; k < ntab; k++) {
			if (!sx_sl_eq_cstr_nocase(name, tab[k].name))
				continue;
			if (seen & (1u << k))
				return -EBADMSG;
			seen |= 1u << k;
			int err = slot_set(obj, &tab[k], val);
			if (err)
				return err;
			break;
		}
	}
	return rc;
}

/* "scheme LWS params": scheme token, then params (may be empty). */
static int split_scheme(struct sx_sl value, struct sx_sl *schemep,
			struct sx_sl *paramsp)
{
	struct sx_sl s = sx_sl_trim(value);
	size_t i = sx_sip__sl_span(s, 0, SX_SIP_C_TOKEN);

	if (!i || (i < s.len && !SX_SIP_CC(s.p[i], SX_SIP_C_LWS)))
		return -EBADMSG;
	*schemep = sx_sl_make(s.p, i);
	*paramsp = sx_sl_trim(sx_sl_sub(s, i, s.len));
	return 0;
}

/* Digest needs at least one directive; other schemes are kept raw. */
static int scheme_of(struct sx_sl scheme, struct sx_sl params,
		     enum sx_sip_auth_scheme *sp)
{
	*sp = sx_sl_eq_cstr_nocase(scheme, "Digest") ? SX_SIP_AUTH_DIGEST
						     : SX_SIP_AUTH_OTHER;
	if (*sp == SX_SIP_AUTH_DIGEST && !params.len)
		return -EBADMSG;
	return 0;
}

int sx_sip_credentials_parse(struct sx_sip_credentials *cr,
			     struct sx_sl value)
{
	int err;

	if (!cr)
		return -EINVAL;
	memset(cr, 0, sizeof(*cr));
	err = split_scheme(value, &cr->scheme_sl, &cr->params);
	if (!err)
		err = scheme_of(cr->scheme_sl, cr->params, &cr->scheme);
	if (err || cr->scheme != SX_SIP_AUTH_DIGEST)
		return err;
	err = walk_slots(cr, cred_slots, SX_ARRAY_SIZE(cred_slots), cr->params);
	if (!err && cr->algorithm_sl.p)
		cr->alg = sx_sip_digest_alg_lookup(cr->algorithm_sl);
	return err;
}

int sx_sip_challenge_parse(struct sx_sip_challenge *ch, struct sx_sl value)
{
	int err;

	if (!ch)
		return -EINVAL;
	memset(ch, 0, sizeof(*ch));
	err = split_scheme(value, &ch->scheme_sl, &ch->params);
	if (!err)
		err = scheme_of(ch->scheme_sl, ch->params, &ch->scheme);
	if (err || ch->scheme != SX_SIP_AUTH_DIGEST)
		return err;
	err = walk_slots(ch, chal_slots, SX_ARRAY_SIZE(chal_slots), ch->params);
	if (!err && ch->algorithm_sl.p)
		ch->alg = sx_sip_digest_alg_lookup(ch->algorithm_sl);
	return err;
}

int sx_sip_auth_info_parse(struct sx_sip_auth_info *ai, struct sx_sl value)
{
	struct sx_sl s = sx_sl_trim(value);

	if (!ai)
		return -EINVAL;
	memset(ai, 0, sizeof(*ai));
	if (!s.len)
		return -EBADMSG;
	return walk_slots(ai, ainfo_slots, SX_ARRAY_SIZE(ainfo_slots), s);
}
