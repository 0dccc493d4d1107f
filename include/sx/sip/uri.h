/*
 * SIP, SIPS and tel URIs (RFC 3261 19.1, 25.1; RFC 3966), name-addr /
 * addr-spec (RFC 3261 20.10, 25.1), generic parameters and comma lists.
 *
 * Everything here is zero-copy: results are slices into the input, which
 * the caller keeps alive.  Escapes (%HH) are left as written; use
 * sx_sip_unescape() to decode.  IPv6 references follow RFC 5118 (host
 * keeps its brackets).  URIs of other schemes are kept opaque.
 */
#ifndef SX_SIP_URI_H
#define SX_SIP_URI_H

#include <stdbool.h>
#include <stdint.h>

#include <sx/util/compiler.h>
#include <sx/util/sl.h>

/** Longest URI we accept (bytes). */
#define SX_SIP_MAX_URI_LEN 4096

enum sx_sip_uri_scheme {
	SX_SIP_URI_OTHER = 0, /**< kept opaque in .opaque */
	SX_SIP_URI_SIP,
	SX_SIP_URI_SIPS,
	SX_SIP_URI_TEL,
};

enum sx_sip_host_type {
	SX_SIP_HOST_NONE = 0,
	SX_SIP_HOST_NAME, /**< hostname (RFC 3261 25.1 hostname) */
	SX_SIP_HOST_IPV4,
	SX_SIP_HOST_IPV6, /**< IPv6reference, brackets kept in .host */
};

struct sx_sip_uri {
	enum sx_sip_uri_scheme scheme;
	struct sx_sl scheme_sl; /**< scheme as written, without ':' */
	struct sx_sl user;	/**< user part as written (escaped); tel: the
				     number; empty when absent */
	struct sx_sl password;	/**< after ':' in userinfo; empty if absent */
	bool has_user;		/**< userinfo '@' present (user may be "") */
	struct sx_sl host;	/**< host as written; IPv6 with [ ] */
	enum sx_sip_host_type host_type;
	uint16_t port;		/**< 0 when absent */
	bool has_port;
	struct sx_sl params;	/**< uri-parameters after the first ';',
				     without it ("transport=tcp;lr") */
	struct sx_sl headers;	/**< after '?', without it */
	struct sx_sl opaque;	/**< other schemes: all after "scheme:" */
	struct sx_sl raw;	/**< the whole URI */
};

/**
 * Parse a URI (no surrounding <>, no LWS).  Returns 0 or -EBADMSG;
 * -E2BIG over SX_SIP_MAX_URI_LEN.  Unknown schemes with a valid
 * "scheme ':' rest" shape parse as SX_SIP_URI_OTHER.
 */
int sx_sip_uri_parse(struct sx_sip_uri *u, struct sx_sl s) SX_MUST_CHECK;

/**
 * RFC 3261 19.1.4 URI equality for sip/sips (user and password
 * case-sensitive after unescaping, host case-insensitive, params rules,
 * headers).  Other schemes compare bytewise.
 */
bool sx_sip_uri_eq(const struct sx_sip_uri *a, const struct sx_sip_uri *b);

/**
 * Parse a host[:port] (e.g. a Via sent-by): fills host, host_type, port,
 * has_port of @u.  0 or -EBADMSG.
 */
int sx_sip_hostport_parse(struct sx_sip_uri *u, struct sx_sl s) SX_MUST_CHECK;

/**
 * Decode %HH escapes of @in into @out (capacity @cap).  Returns the
 * decoded length, -EBADMSG on a bad escape, -E2BIG if @out is short.
 */
ssize_t sx_sip_unescape(struct sx_sl in, char *out, size_t cap);

/* -- parameters: ;name[=value] lists ----------------------------------- */

/**
 * Iterator over a parameter list as found in sx_sip_uri.params or a
 * header's params: "a=b;c;d=\"q s\"".  LWS around ';' and '=' is allowed
 * (header params); values may be tokens, hosts or quoted strings (kept
 * with their quotes).
 */
struct sx_sip_param_iter {
	struct sx_sl rest;
};

static inline void sx_sip_param_iter_init(struct sx_sip_param_iter *it,
					  struct sx_sl params)
{
	it->rest = params;
}

/**
 * Next parameter: 1 and *namep, *valp set (value empty with .p == NULL
 * when the parameter has no '='), 0 at the end, -EBADMSG on bad syntax.
 */
int sx_sip_param_next(struct sx_sip_param_iter *it, struct sx_sl *namep,
		      struct sx_sl *valp);

/**
 * Find a parameter by name (case-insensitive).  0 and *valp set, or
 * -ENOENT, or -EBADMSG.  @valp may be NULL to test for presence.
 */
int sx_sip_param_find(struct sx_sl params, struct sx_sl name,
		      struct sx_sl *valp);

/* -- name-addr / addr-spec ---------------------------------------------- */

struct sx_sip_addr {
	struct sx_sl display; /**< display name without quotes, as written
				   (escapes kept); empty if absent */
	bool quoted;	      /**< display name was a quoted-string */
	bool name_addr;	      /**< URI was inside < > */
	struct sx_sip_uri uri;
	struct sx_sl params;  /**< header params after the address, without
				   the first ';' ("tag=a;expires=3") */
	struct sx_sl raw;     /**< the whole element, trimmed */
};

/**
 * Parse one From/To/Contact/Route/Record-Route element (RFC 3261 25.1:
 * name-addr or addr-spec, then *( SEMI param )).  Per 20.10 an addr-spec
 * holding ',', ';' or '?' ends its URI at the first ';' (so params
 * belong to the header).  0 or -EBADMSG.
 */
int sx_sip_addr_parse(struct sx_sip_addr *a, struct sx_sl s) SX_MUST_CHECK;

/**
 * Split comma-separated header values, honouring quoted strings and
 * <...>: sets *elemp to the next trimmed element.  1 on an element, 0 at
 * the end, -EBADMSG on an empty element or unbalanced quote/bracket.
 */
int sx_sip_list_next(struct sx_sl *rest, struct sx_sl *elemp);

#endif
