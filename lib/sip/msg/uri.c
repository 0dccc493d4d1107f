/*
 * SIP, SIPS and tel URI parsing (RFC 3261 19.1.1 and 25.1, RFC 3966),
 * IPv6 references as corrected by RFC 5954 (RFC 5118 test cases), other
 * schemes kept opaque (RFC 2396 absoluteURI).  One pass over (p, len),
 * zero-copy, table-driven; never reads past the input.
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/uri.h>

#include "chars.h"

/* RFC 4291 2.2: eight 16-bit groups; an IPv4 tail stands for two. */
#define IPV6_GROUPS       8
#define IPV6_GROUP_DIGITS 4
#define IPV4_OCTETS       4
#define IPV4_OCTET_DIGITS 3
#define IPV4_OCTET_MAX    255
#define PORT_MAX          65535

/*
 * Consume bytes of class @cls or valid escapes.  Returns the count of
 * source bytes taken, or -EBADMSG on a '%' without two hex digits.
 * Stops at the first other byte.
 */
static int scan_escaped(const char **pp, const char *end, uint32_t cls)
{
	const char *p = *pp, *start = p;
	while (p < end) {
		if (SX_SIP_CC(*p, cls)) {
			p++;
		} else if (*p == '%') {
			if (!sx_sip__is_escape(p, end))
				return -EBADMSG;
			p += 3;
		} else {
			break;
		}
	}
	*pp = p;
	return (int)(p - start);
}

/* True when all of [p, end) is class @cls or escapes, and not empty. */
static bool all_escaped(const char *p, const char *end, uint32_t cls)
{
	return scan_escaped(&p, end, cls) > 0 && p == end;
}

/* dec-octet "." dec-octet "." dec-octet "." dec-octet, values <= 255. */
static int ipv4_parse(const char *p, const char *end, uint8_t out[4])
{
	for (int i = 0; i < IPV4_OCTETS; i++) {
		unsigned v = 0, n = 0;
		if (i && (p == end || *p++ != '.'))
			return -EBADMSG;
		while (p < end && SX_SIP_CC(*p, SX_SIP_C_DIGIT) &&
		       n < IPV4_OCTET_DIGITS) {
			v = v * 10 + (unsigned)(*p++ - '0');
			n++;
		}
		if (!n || v > IPV4_OCTET_MAX)
			return -EBADMSG;
		out[i] = (uint8_t)v;
	}
	return p == end ? 0 : -EBADMSG;
}

/* Up to 4 hex digits; returns the digit count (5 means too many). */
static unsigned hex_group(const char **pp, const char *end, unsigned *valp)
{
	const char *p = *pp;
	unsigned v = 0, n = 0;
	while (p < end && SX_SIP_CC(*p, SX_SIP_C_HEX) &&
	       n <= IPV6_GROUP_DIGITS) {
		v = (v << 4) | (unsigned)sx_hexval((unsigned char)*p++);
		n++;
	}
	*pp = p;
	*valp = v;
	return n;
}

/* Place the groups before and after "::" into 16 bytes. */
static void ipv6_expand(const uint16_t *g, int n, int dbl, uint8_t out[16])
{
	uint16_t full[IPV6_GROUPS] = {0};
	int head = dbl < 0 ? n : dbl;
	for (int i = 0; i < head; i++)
		full[i] = g[i];
	for (int i = head; i < n; i++)
		full[IPV6_GROUPS - (n - i)] = g[i];
	for (int i = 0; i < IPV6_GROUPS; i++) {
		out[2 * i] = (uint8_t)(full[i] >> 8);
		out[2 * i + 1] = (uint8_t)full[i];
	}
}

static int ipv6_parse(const char *p, const char *end, uint8_t out[16])
{
	uint16_t g[IPV6_GROUPS];
	int n = 0, dbl = -1;

	if (end - p >= 2 && p[0] == ':' && p[1] == ':') {
		dbl = 0;
		p += 2;
	}
	while (p < end) {
		const char *gs = p;
		unsigned v;
		unsigned nd = hex_group(&p, end, &v);
		if (p < end && *p == '.') {
			/* RFC 5954: ls32 may be an IPv4address tail */
			uint8_t v4[4];
			if (n > IPV6_GROUPS - 2 || ipv4_parse(gs, end, v4))
				return -EBADMSG;
			g[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
			g[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
			p = end;
			break;
		}
		if (!nd || nd > IPV6_GROUP_DIGITS || n == IPV6_GROUPS)
			return -EBADMSG;
		g[n++] = (uint16_t)v;
		if (p == end)
			break;
		if (*p++ != ':' || p == end)
			return -EBADMSG;
		if (*p == ':') {
			if (dbl >= 0)
				return -EBADMSG;
			dbl = n;
			p++;
		}
	}
	/* "::" stands for at least one zero group (RFC 4291 2.2) */
	if (dbl < 0 ? n != IPV6_GROUPS : n > IPV6_GROUPS - 1)
		return -EBADMSG;
	ipv6_expand(g, n, dbl, out);
	return 0;
}

/*
 * hostname = *( domainlabel "." ) toplabel [ "." ]; a dotted quad of
 * digits is an IPv4address.  Labels start and end with alphanum; the
 * top label starts with ALPHA.
 */
static int host_classify(const char *p, const char *end,
                         enum sx_sip_host_type *typep)
{
	const char *label = p, *top = p;
	uint8_t v4[4];

	if (p < end && !ipv4_parse(p, end, v4)) {
		*typep = SX_SIP_HOST_IPV4;
		return 0;
	}
	if (end > p && end[-1] == '.')
		end--; /* one trailing dot is allowed */
	if (p == end)
		return -EBADMSG;
	for (const char *q = p; q <= end; q++) {
		if (q < end && *q != '.')
			continue;
		if (q == label || !SX_SIP_CC(*label, SX_SIP_C_ALNUM) ||
		    !SX_SIP_CC(q[-1], SX_SIP_C_ALNUM))
			return -EBADMSG;
		top = label;
		label = q + 1;
	}
	if (!SX_SIP_CC(*top, SX_SIP_C_ALPHA))
		return -EBADMSG;
	*typep = SX_SIP_HOST_NAME;
	return 0;
}

/* host = hostname / IPv4address / IPv6reference; sets u->host. */
static int host_parse(struct sx_sip_uri *u, const char **pp, const char *end)
{
	const char *p = *pp, *start = p;
	enum sx_sip_host_type type;

	if (p < end && *p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));
		uint8_t a6[16];
		if (!rb || ipv6_parse(p + 1, rb, a6))
			return -EBADMSG;
		p = rb + 1;
		type = SX_SIP_HOST_IPV6;
	} else {
		while (p < end && SX_SIP_CC(*p, SX_SIP_C_HOST))
			p++;
		if (host_classify(start, p, &type))
			return -EBADMSG;
	}
	u->host = sx_sl_make(start, (size_t)(p - start));
	u->host_type = type;
	*pp = p;
	return 0;
}

/* port = 1*DIGIT, at most 65535. */
static int port_parse(struct sx_sip_uri *u, const char **pp, const char *end)
{
	const char *p = *pp;
	uint32_t v = 0;

	if (p == end || !SX_SIP_CC(*p, SX_SIP_C_DIGIT))
		return -EBADMSG;
	while (p < end && SX_SIP_CC(*p, SX_SIP_C_DIGIT)) {
		v = v * 10 + (uint32_t)(*p++ - '0');
		if (v > PORT_MAX)
			return -EBADMSG;
	}
	u->port = (uint16_t)v;
	u->has_port = true;
	*pp = p;
	return 0;
}

/*
 * uri-parameters = *( ";" uri-parameter ), entered after the first ';':
 * pname [ "=" pvalue ], both 1*paramchar.  Stops before '?' or the end.
 */
static int uri_params_scan(const char **pp, const char *end)
{
	const char *p = *pp;
	for (;;) {
		if (scan_escaped(&p, end, SX_SIP_C_PARAM) <= 0)
			return -EBADMSG;
		if (p < end && *p == '=') {
			p++;
			if (scan_escaped(&p, end, SX_SIP_C_PARAM) <= 0)
				return -EBADMSG;
		}
		if (p == end || *p == '?')
			break;
		if (*p++ != ';')
			return -EBADMSG;
	}
	*pp = p;
	return 0;
}

/* headers = header *( "&" header ); header = hname "=" hvalue. */
static int uri_headers_check(const char *p, const char *end)
{
	for (;;) {
		if (scan_escaped(&p, end, SX_SIP_C_HNV) <= 0)
			return -EBADMSG;
		if (p == end || *p++ != '=')
			return -EBADMSG;
		if (scan_escaped(&p, end, SX_SIP_C_HNV) < 0)
			return -EBADMSG;
		if (p == end)
			return 0;
		if (*p++ != '&')
			return -EBADMSG;
	}
}

/*
 * userinfo = ( user / telephone-subscriber ) [ ":" password ] "@".  The
 * user may hold ';', '?' and '/', so the userinfo is whatever runs of
 * user/password bytes end in '@'; without one there is no userinfo.
 */
static int userinfo_parse(struct sx_sip_uri *u, const char **pp,
                          const char *end)
{
	const char *p = *pp, *q = p;

	while (q < end && (SX_SIP_CC(*q, SX_SIP_C_USER | SX_SIP_C_PASS) ||
	                   *q == ':' || *q == '%'))
		q++;
	if (q == end || *q != '@')
		return 0;
	const char *colon = memchr(p, ':', (size_t)(q - p));
	const char *uend = colon ? colon : q;
	const char *t = p;
	if (scan_escaped(&t, uend, SX_SIP_C_USER) < 0 || t != uend)
		return -EBADMSG;
	u->user = sx_sl_make(p, (size_t)(uend - p));
	if (colon) {
		t = colon + 1;
		if (scan_escaped(&t, q, SX_SIP_C_PASS) < 0 || t != q)
			return -EBADMSG;
		u->password = sx_sl_make(colon + 1, (size_t)(q - colon - 1));
	}
	u->has_user = true;
	*pp = q + 1;
	return 0;
}

/* hostport [ uri-parameters ] [ headers ] after "sip:" userinfo. */
static int sip_rest_parse(struct sx_sip_uri *u, const char *p, const char *end)
{
	if (userinfo_parse(u, &p, end) || host_parse(u, &p, end))
		return -EBADMSG;
	if (p < end && *p == ':') {
		p++;
		if (port_parse(u, &p, end))
			return -EBADMSG;
	}
	if (p < end && *p == ';') {
		const char *ps = ++p;
		if (uri_params_scan(&p, end))
			return -EBADMSG;
		u->params = sx_sl_make(ps, (size_t)(p - ps));
	}
	if (p < end && *p == '?') {
		p++;
		if (uri_headers_check(p, end))
			return -EBADMSG;
		u->headers = sx_sl_make(p, (size_t)(end - p));
		p = end;
	}
	return p == end ? 0 : -EBADMSG;
}

/*
 * RFC 3966 3: global-number-digits = "+" *phonedigit DIGIT *phonedigit;
 * local-number-digits = *phonedigit-hex (HEXDIG / "*" / "#")
 * *phonedigit-hex; then *par with pname = 1*( alphanum / "-" ).
 */
static int tel_parse(struct sx_sip_uri *u, const char *p, const char *end)
{
	const char *start = p;
	bool global = p < end && *p == '+';
	bool digit = false;

	if (global)
		p++;
	for (; p < end && SX_SIP_CC(*p, SX_SIP_C_PHONE); p++) {
		if (global && !SX_SIP_CC(*p, SX_SIP_C_DIGIT | SX_SIP_C_VISUAL))
			return -EBADMSG;
		digit = digit || !SX_SIP_CC(*p, SX_SIP_C_VISUAL);
	}
	if (!digit)
		return -EBADMSG;
	u->user = sx_sl_make(start, (size_t)(p - start));
	u->has_user = true;
	if (p < end && *p == ';') {
		const char *ps = ++p;
		if (uri_params_scan(&p, end) || p != end)
			return -EBADMSG;
		u->params = sx_sl_make(ps, (size_t)(end - ps));
	}
	return p == end ? 0 : -EBADMSG;
}

/* absoluteURI rest: 1*uric (RFC 2396 3), escapes checked. */
static int opaque_parse(struct sx_sip_uri *u, const char *p, const char *end)
{
	if (!all_escaped(p, end, SX_SIP_C_URIC))
		return -EBADMSG;
	u->opaque = sx_sl_make(p, (size_t)(end - p));
	return 0;
}

/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
static int scheme_parse(struct sx_sip_uri *u, const char **pp, const char *end)
{
	const char *p = *pp, *start = p;

	if (p == end || !SX_SIP_CC(*p, SX_SIP_C_ALPHA))
		return -EBADMSG;
	while (p < end && SX_SIP_CC(*p, SX_SIP_C_SCHEME))
		p++;
	if (p == end || *p != ':')
		return -EBADMSG;
	u->scheme_sl = sx_sl_make(start, (size_t)(p - start));
	if (sx_sl_eq_cstr_nocase(u->scheme_sl, "sip"))
		u->scheme = SX_SIP_URI_SIP;
	else if (sx_sl_eq_cstr_nocase(u->scheme_sl, "sips"))
		u->scheme = SX_SIP_URI_SIPS;
	else if (sx_sl_eq_cstr_nocase(u->scheme_sl, "tel"))
		u->scheme = SX_SIP_URI_TEL;
	else
		u->scheme = SX_SIP_URI_OTHER;
	*pp = p + 1;
	return 0;
}

int sx_sip_uri_parse(struct sx_sip_uri *u, struct sx_sl s)
{
	if (!u || (!s.p && s.len))
		return -EINVAL;
	memset(u, 0, sizeof(*u));
	u->raw = s;
	if (s.len > SX_SIP_MAX_URI_LEN)
		return -E2BIG;
	if (!s.len)
		return -EBADMSG;

	const char *p = s.p, *end = s.p + s.len;
	int err = scheme_parse(u, &p, end);
	if (err)
		return err;
	switch (u->scheme) {
	case SX_SIP_URI_SIP:
	case SX_SIP_URI_SIPS:
		return sip_rest_parse(u, p, end);
	case SX_SIP_URI_TEL:
		return tel_parse(u, p, end);
	case SX_SIP_URI_OTHER:
		break;
	}
	return opaque_parse(u, p, end);
}

int sx_sip_hostport_parse(struct sx_sip_uri *u, struct sx_sl s)
{
	if (!u || (!s.p && s.len))
		return -EINVAL;
	memset(u, 0, sizeof(*u));
	u->raw = s;
	if (!s.len)
		return -EBADMSG;

	const char *p = s.p, *end = s.p + s.len;
	if (host_parse(u, &p, end))
		return -EBADMSG;
	/* Via sent-by: host [ COLON port ], COLON = SWS ":" SWS */
	const char *q = sx_sip__skip_lws(p, end);
	if (q < end && *q == ':') {
		p = sx_sip__skip_lws(q + 1, end);
		if (port_parse(u, &p, end))
			return -EBADMSG;
	}
	return p == end ? 0 : -EBADMSG;
}

ssize_t sx_sip_unescape(struct sx_sl in, char *out, size_t cap)
{
	size_t n = 0;

	if ((!in.p && in.len) || (!out && cap))
		return -EINVAL;
	for (size_t i = 0; i < in.len; n++) {
		char c = in.p[i];
		if (c == '%') {
			if (!sx_sip__is_escape(in.p + i, in.p + in.len))
				return -EBADMSG;
			c = (char)(sx_hexval((unsigned char)in.p[i + 1]) << 4 |
			           sx_hexval((unsigned char)in.p[i + 2]));
			i += 3;
		} else {
			i++;
		}
		if (n == cap)
			return -E2BIG;
		out[n] = c;
	}
	return (ssize_t)n;
}

/* -- RFC 3261 19.1.4 comparison ------------------------------------------ */

static inline int fold(int c)
{
	return (c >= 'A' && c <= 'Z') ? c | 0x20 : c;
}

/* Next byte of @s at *ip, decoding a valid escape (*escp tells which). */
static int esc_char(struct sx_sl s, size_t *ip, bool *escp)
{
	const char *p = s.p + *ip;
	*escp = sx_sip__is_escape(p, s.p + s.len);
	if (!*escp) {
		++*ip;
		return (unsigned char)*p;
	}
	*ip += 3;
	return sx_hexval((unsigned char)p[1]) << 4 |
	       sx_hexval((unsigned char)p[2]);
}

/*
 * Equality after unescaping: bytes outside the reserved set equal their
 * %HH form; reserved ones only match in the same form.
 */
static bool esc_eq(struct sx_sl a, struct sx_sl b, bool nocase)
{
	size_t i = 0, j = 0;
	while (i < a.len && j < b.len) {
		bool ea, eb;
		int ca = esc_char(a, &i, &ea), cb = esc_char(b, &j, &eb);
		if (nocase) {
			ca = fold(ca);
			cb = fold(cb);
		}
		if (ca != cb || (ea != eb && SX_SIP_CC(ca, SX_SIP_C_RESERVED)))
			return false;
	}
	return i == a.len && j == b.len;
}

/* Values of two parameters: both absent, or equal ignoring case. */
static bool pval_eq(struct sx_sl a, struct sx_sl b)
{
	if (!a.p || !b.p)
		return !a.p && !b.p;
	return esc_eq(a, b, true);
}

/*
 * 1 when @params holds @name, with *namep and *valp of its first
 * occurrence; 0 if not (or on bad syntax).
 */
static int param_lookup(struct sx_sl params, struct sx_sl name,
                        struct sx_sl *namep, struct sx_sl *valp)
{
	struct sx_sip_param_iter it;
	struct sx_sl n, v;

	sx_sip_param_iter_init(&it, params);
	while (sx_sip_param_next(&it, &n, &v) == 1) {
		if (esc_eq(n, name, true)) {
			*namep = n;
			*valp = v;
			return 1;
		}
	}
	return 0;
}

/* RFC 3261 19.1.4: these must appear in both URIs or in neither. */
static bool param_must_match(struct sx_sl name)
{
	static const char *const names[] = {"user", "ttl", "method", "maddr",
	                                    "transport"};
	for (size_t i = 0; i < SX_ARRAY_SIZE(names); i++)
		if (sx_sl_eq_cstr_nocase(name, names[i]))
			return true;
	return false;
}

/*
 * Every parameter of @a present in @b has the same value; one missing
 * from @b is allowed unless @all or it is a must-match parameter.  Only
 * the first of repeated names counts, so a URI always equals itself.
 */
static bool params_cover(struct sx_sl a, struct sx_sl b, bool all)
{
	struct sx_sip_param_iter it;
	struct sx_sl n, v, fn, fv;

	sx_sip_param_iter_init(&it, a);
	while (sx_sip_param_next(&it, &n, &v) == 1) {
		if (param_lookup(a, n, &fn, &fv) && fn.p != n.p)
			continue;
		if (param_lookup(b, n, &fn, &fv)) {
			if (!pval_eq(v, fv))
				return false;
		} else if (all || param_must_match(n)) {
			return false;
		}
	}
	return true;
}

/* Next "hname=hvalue" of a validated headers slice; false at the end. */
static bool header_next(struct sx_sl *rest, struct sx_sl *np, struct sx_sl *vp)
{
	if (!rest->len)
		return false;
	ssize_t amp = sx_sl_chr(*rest, '&');
	size_t len = amp < 0 ? rest->len : (size_t)amp;
	struct sx_sl h = sx_sl_make(rest->p, len);
	ssize_t eq = sx_sl_chr(h, '=');
	size_t nlen = eq < 0 ? len : (size_t)eq;
	*np = sx_sl_make(h.p, nlen);
	*vp = sx_sl_sub(h, nlen + 1, len);
	*rest = sx_sl_sub(*rest, len + 1, rest->len);
	return true;
}

/* Every header of @a is in @b with an equal value. */
static bool headers_cover(struct sx_sl a, struct sx_sl b)
{
	struct sx_sl n, v, bn, bv;

	while (header_next(&a, &n, &v)) {
		struct sx_sl rest = b;
		bool found = false;
		while (!found && header_next(&rest, &bn, &bv))
			found = esc_eq(n, bn, true) && esc_eq(v, bv, true);
		if (!found)
			return false;
	}
	return true;
}

static bool host_eq(const struct sx_sip_uri *a, const struct sx_sip_uri *b)
{
	uint8_t a6[16], b6[16];

	if (a->host_type != b->host_type)
		return false;
	if (a->host_type != SX_SIP_HOST_IPV6)
		return sx_sl_eq_nocase(a->host, b->host);
	/* compare addresses, so "[::1]" equals "[0:0::1]" */
	if (a->host.len < 2 || b->host.len < 2 ||
	    ipv6_parse(a->host.p + 1, a->host.p + a->host.len - 1, a6) ||
	    ipv6_parse(b->host.p + 1, b->host.p + b->host.len - 1, b6))
		return false;
	return memcmp(a6, b6, sizeof(a6)) == 0;
}

static bool sip_eq(const struct sx_sip_uri *a, const struct sx_sip_uri *b)
{
	return a->has_user == b->has_user && esc_eq(a->user, b->user, false) &&
	       esc_eq(a->password, b->password, false) && host_eq(a, b) &&
	       a->has_port == b->has_port && a->port == b->port &&
	       params_cover(a->params, b->params, false) &&
	       params_cover(b->params, a->params, false) &&
	       headers_cover(a->headers, b->headers) &&
	       headers_cover(b->headers, a->headers);
}

/* RFC 3966 4: numbers equal without visual separators, ignoring case. */
static bool tel_number_eq(struct sx_sl a, struct sx_sl b)
{
	size_t i = 0, j = 0;
	for (;;) {
		while (i < a.len && SX_SIP_CC(a.p[i], SX_SIP_C_VISUAL))
			i++;
		while (j < b.len && SX_SIP_CC(b.p[j], SX_SIP_C_VISUAL))
			j++;
		if (i == a.len || j == b.len)
			return i == a.len && j == b.len;
		if (fold((unsigned char)a.p[i++]) !=
		    fold((unsigned char)b.p[j++]))
			return false;
	}
}

bool sx_sip_uri_eq(const struct sx_sip_uri *a, const struct sx_sip_uri *b)
{
	if (!a || !b || a->scheme != b->scheme)
		return false;
	switch (a->scheme) {
	case SX_SIP_URI_SIP:
	case SX_SIP_URI_SIPS:
		return sip_eq(a, b);
	case SX_SIP_URI_TEL:
		/* RFC 3966 4: all parameters must be in both */
		return tel_number_eq(a->user, b->user) &&
		       params_cover(a->params, b->params, true) &&
		       params_cover(b->params, a->params, true);
	case SX_SIP_URI_OTHER:
		break;
	}
	return sx_sl_eq_nocase(a->scheme_sl, b->scheme_sl) &&
	       sx_sl_eq(a->opaque, b->opaque);
}
