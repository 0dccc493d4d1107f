/*
 * Lazily parsed SIP header fields (RFC 3261 20, 25.1 and the extension
 * RFCs cited per section): typed parsers over a header VALUE slice, as
 * found in struct sx_sip_hdr.value.
 *
 * Zero-copy: every result slice points into the value given, which the
 * caller keeps alive (normally the message's receive buffer).  Nothing
 * here allocates.  Comma lists are walked with iterators
 * (struct sx_sip_list_iter) instead of being collected into arrays.
 *
 * Quoted strings are returned as their CONTENTS (without the quotes) with
 * any backslash escapes left in place; sx_sip_qstr_unescape() decodes
 * them into a caller buffer and sx_sip_qstr_eq() compares decoded.
 *
 * An optional field that is absent is an SX_SL_NULL slice (p == NULL);
 * an empty one ("") has p != NULL and len 0.
 *
 * Return codes: 0 (or 1 for "an element was produced" from iterators),
 * -EBADMSG on bad syntax or a duplicated single-valued parameter,
 * -ERANGE on a number out of its range, -ENOENT when a header or
 * parameter is absent, -E2BIG past a named limit, -EINVAL for bad
 * arguments from the caller.
 */
#ifndef SX_SIP_HDRS_H
#define SX_SIP_HDRS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <sx/sip/hdr.h>
#include <sx/sip/msg.h>
#include <sx/sip/uri.h>
#include <sx/util/compiler.h>
#include <sx/util/sl.h>

/* -- limits --------------------------------------------------------------- */
/** Most comma-separated elements one header field may hold. */
#define SX_SIP_MAX_LIST_ELEMS 256
/** Most parameters walked per element (;a=b or auth-param). */
#define SX_SIP_MAX_PARAMS 64
/** Largest qvalue, 1.000 scaled by 1000 (RFC 3261 25.1 qvalue). */
#define SX_SIP_Q_MAX 1000
/** Largest reg-id (RFC 5626 4.1: 1 to 2^31-1). */
#define SX_SIP_REG_ID_MAX 2147483647u
/** Largest RSeq / RAck response-num (RFC 3262 7.1: 1 to 2^31-1). */
#define SX_SIP_RSEQ_MAX 2147483647u
/** Largest CSeq number (RFC 3261 8.1.1.5: below 2^31). */
#define SX_SIP_CSEQ_MAX 2147483647u

/* -- quoted strings ------------------------------------------------------- */

/**
 * Decode the backslash escapes (quoted-pair, RFC 3261 25.1) of a
 * quoted-string's contents @in into @out (capacity @cap, no NUL added).
 * Returns the decoded length, -EBADMSG on a trailing lone backslash,
 * -E2BIG when @out is too small.
 */
ssize_t sx_sip_qstr_unescape(struct sx_sl in, char *out, size_t cap);

/** True when quoted-string contents @in decode to exactly @plain. */
bool sx_sip_qstr_eq(struct sx_sl in, struct sx_sl plain);

/* -- comma lists ---------------------------------------------------------- */

/**
 * Iterator over the comma-separated elements of one header value.  Each
 * typed *_next() below takes one element, advances past it even when the
 * element itself is bad (so a caller may skip it), and returns 1 with the
 * result filled, 0 at the end, or a negative errno.  A broken list (an
 * empty element, unbalanced quote or '<') ends the walk.  More than
 * SX_SIP_MAX_LIST_ELEMS elements give -E2BIG.
 */
struct sx_sip_list_iter {
	struct sx_sl rest; /**< not yet visited */
	unsigned n;	   /**< elements produced so far */
};

static inline void sx_sip_list_iter_init(struct sx_sip_list_iter *it,
					 struct sx_sl value)
{
	it->rest = value;
	it->n = 0;
}

/** Next raw element, trimmed (1 / 0 / -EBADMSG / -E2BIG). */
int sx_sip_list_iter_next(struct sx_sip_list_iter *it, struct sx_sl *elemp);

/* -- Contact (RFC 3261 20.10, RFC 5626 4.1, RFC 5627 3.4) ----------------- */

struct sx_sip_contact {
	bool wildcard;		/**< the element was "*" (nothing else set) */
	struct sx_sip_addr addr; /**< name-addr / addr-spec with params */
	bool has_q;
	uint16_t q;		/**< qvalue * 1000: 0..SX_SIP_Q_MAX */
	bool has_expires;
	uint32_t expires;	/**< expires param, delta-seconds */
	struct sx_sl instance;	/**< +sip.instance contents ("<urn:...>") */
	bool has_reg_id;
	uint32_t reg_id;	/**< 1..SX_SIP_REG_ID_MAX */
	struct sx_sl pub_gruu;	/**< pub-gruu contents (RFC 5627) */
	struct sx_sl temp_gruu;	/**< temp-gruu contents */
	struct sx_sl params;	/**< all header params (= addr.params); look
				     others up with sx_sip_param_find() */
};

/**
 * Parse one Contact element.  A duplicated q, expires, +sip.instance,
 * reg-id, pub-gruu or temp-gruu is -EBADMSG; a qvalue with more than 3
 * decimals or bad digits -EBADMSG, above 1 -ERANGE; expires above
 * UINT32_MAX -ERANGE (everything else is still filled, has_expires false,
 * so a registrar may apply its default as RFC 4475 3.1.2.2 suggests); an
 * unquoted +sip.instance/pub-gruu/temp-gruu -EBADMSG.  Whether "*" may be
 * mixed with other contacts is the registrar's decision.
 */
int sx_sip_contact_parse(struct sx_sip_contact *c, struct sx_sl elem)
	SX_MUST_CHECK;

/** Next Contact element (see struct sx_sip_list_iter). */
int sx_sip_contact_next(struct sx_sip_list_iter *it, struct sx_sip_contact *c);

/**
 * Parse a qvalue (RFC 3261 25.1: "0"["."0*3DIGIT] / "1"["."0*3"0"]) into
 * 0..1000.  -EBADMSG on bad syntax, -ERANGE above 1.
 */
int sx_sip_qvalue_parse(struct sx_sl s, uint16_t *qp) SX_MUST_CHECK;

/* -- Route, Record-Route, Path, P-Asserted-Identity ... ------------------- */

/**
 * Next Route / Record-Route / Path element (RFC 3261 20.30, 20.34;
 * RFC 3327 4): name-addr only, an addr-spec is -EBADMSG.
 */
int sx_sip_route_next(struct sx_sip_list_iter *it, struct sx_sip_addr *a);

/**
 * Next P-Asserted-Identity / P-Preferred-Identity element (RFC 3325
 * 9.1, 9.2) or any other list of name-addr / addr-spec.
 */
int sx_sip_addr_next(struct sx_sip_list_iter *it, struct sx_sip_addr *a);

/**
 * A header that holds exactly one name-addr / addr-spec with params:
 * Refer-To (RFC 3515 2.1; an embedded Replaces stays escaped in
 * a->uri.headers), Referred-By (RFC 3892 3), Reply-To.  A comma list is
 * -EBADMSG.
 */
int sx_sip_addr1_parse(struct sx_sip_addr *a, struct sx_sl value)
	SX_MUST_CHECK;

/* -- numbers -------------------------------------------------------------- */

/**
 * delta-seconds (RFC 3261 25.1) with surrounding LWS: Expires,
 * Min-Expires (20.19, 20.23).  -EBADMSG unless 1*DIGIT, -ERANGE above
 * UINT32_MAX.
 */
int sx_sip_delta_parse(struct sx_sl value, uint32_t *secp) SX_MUST_CHECK;

/** Retry-After (RFC 3261 20.33): delta [comment] *(;duration=|param). */
struct sx_sip_retry_after {
	uint32_t delta;
	struct sx_sl comment;	/**< inside the parentheses, as written */
	bool has_duration;
	uint32_t duration;
	struct sx_sl params;	/**< all params, after the first ';' */
};

int sx_sip_retry_after_parse(struct sx_sip_retry_after *ra,
			     struct sx_sl value) SX_MUST_CHECK;

enum sx_sip_refresher {
	SX_SIP_REFRESHER_NONE = 0, /**< no refresher param */
	SX_SIP_REFRESHER_UAC,
	SX_SIP_REFRESHER_UAS,
};

/**
 * Session-Expires and Min-SE (RFC 4028 4, 5): delta-seconds then params;
 * refresher=uac|uas (other values -EBADMSG; Min-SE defines no refresher,
 * callers ignore it there).
 */
struct sx_sip_session_expires {
	uint32_t delta;
	enum sx_sip_refresher refresher;
	struct sx_sl params;
};

int sx_sip_session_expires_parse(struct sx_sip_session_expires *se,
				 struct sx_sl value) SX_MUST_CHECK;

/** RSeq (RFC 3262 7.1): 1..SX_SIP_RSEQ_MAX. */
int sx_sip_rseq_parse(struct sx_sl value, uint32_t *rseqp) SX_MUST_CHECK;

/** RAck (RFC 3262 7.2): response-num LWS CSeq-num LWS Method. */
struct sx_sip_rack {
	uint32_t rseq;
	uint32_t cseq;
	enum sx_sip_method method;
	struct sx_sl method_sl;
};

int sx_sip_rack_parse(struct sx_sip_rack *r, struct sx_sl value)
	SX_MUST_CHECK;

/** Timestamp (RFC 3261 20.38): numbers kept as written. */
struct sx_sip_timestamp {
	struct sx_sl value; /**< 1*DIGIT ["." *DIGIT] */
	struct sx_sl delay; /**< optional delay, SX_SL_NULL when absent */
};

int sx_sip_timestamp_parse(struct sx_sip_timestamp *ts, struct sx_sl value)
	SX_MUST_CHECK;

/* -- media types: Content-Type, Accept (RFC 3261 20.1, 20.15) ------------ */

struct sx_sip_mtype {
	struct sx_sl type;    /**< "application", "*" */
	struct sx_sl subtype; /**< "sdp", "*" */
	struct sx_sl params;  /**< after the first ';', SX_SL_NULL if none */
};

/** Parse type "/" subtype *(;param); -EBADMSG on bad syntax. */
int sx_sip_mtype_parse(struct sx_sip_mtype *m, struct sx_sl value)
	SX_MUST_CHECK;

/** Next Accept element (a media-range); an empty Accept yields 0. */
int sx_sip_accept_next(struct sx_sip_list_iter *it, struct sx_sip_mtype *m);

/** Case-insensitive type/subtype equality ("application", "SDP"). */
bool sx_sip_mtype_eq(const struct sx_sip_mtype *m, const char *type,
		     const char *subtype);

/** As sx_sip_mtype_eq() honouring "*" / "type/ *" ranges in @range. */
bool sx_sip_mtype_match(const struct sx_sip_mtype *range, const char *type,
			const char *subtype);

/**
 * Value of parameter @name (case-insensitive), unquoted when quoted:
 * charset, boundary, q ...  0, -ENOENT or -EBADMSG.
 */
int sx_sip_mtype_param(const struct sx_sip_mtype *m, const char *name,
		       struct sx_sl *valp) SX_MUST_CHECK;

/* -- token lists: Require, Supported, Allow, Allow-Events ... ------------- */

/**
 * Next element of a token list (Require, Proxy-Require, Supported,
 * Unsupported, Allow, Allow-Events, Accept-Encoding, Accept-Language,
 * Content-Encoding): the token and its params (SX_SL_NULL if none, e.g.
 * "q=0.5").  An empty value yields 0 at once.
 */
int sx_sip_token_next(struct sx_sip_list_iter *it, struct sx_sl *tokp,
		      struct sx_sl *paramsp);

/**
 * Whether the token list @value holds @token (case-insensitive): 1 / 0,
 * or a negative errno from the walk.
 */
int sx_sip_token_list_has(struct sx_sl value, struct sx_sl token);

/** Whether every byte of @s is a token char (RFC 3261 25.1), len > 0. */
bool sx_sip_is_token(struct sx_sl s);

/* -- authentication (RFC 3261 22, 25.1; RFC 2617; RFC 7616) --------------- */

enum sx_sip_auth_scheme {
	SX_SIP_AUTH_OTHER = 0, /**< unknown scheme: only scheme_sl, params */
	SX_SIP_AUTH_DIGEST,
};

enum sx_sip_digest_alg {
	SX_SIP_ALG_NONE = 0, /**< no algorithm directive (means MD5) */
	SX_SIP_ALG_MD5,
	SX_SIP_ALG_MD5_SESS,
	SX_SIP_ALG_SHA256,
	SX_SIP_ALG_SHA256_SESS,
	SX_SIP_ALG_SHA512_256,
	SX_SIP_ALG_SHA512_256_SESS,
	SX_SIP_ALG_OTHER, /**< see algorithm_sl */
};

/** Algorithm id of a token (case-insensitive, RFC 7616 6.1). */
enum sx_sip_digest_alg sx_sip_digest_alg_lookup(struct sx_sl s);

/**
 * Iterator over auth-params "name = token / quoted-string", comma
 * separated (RFC 3261 25.1 auth-param), after the scheme.
 */
struct sx_sip_auth_param_iter {
	struct sx_sl rest;
	unsigned n;
};

static inline void
sx_sip_auth_param_iter_init(struct sx_sip_auth_param_iter *it,
			    struct sx_sl params)
{
	it->rest = params;
	it->n = 0;
}

/**
 * Next auth-param: 1 with *namep, *valp (quoted-string contents, escapes
 * kept) and *quotedp (may be NULL); 0 at the end; -EBADMSG; -E2BIG past
 * SX_SIP_MAX_PARAMS.
 */
int sx_sip_auth_param_next(struct sx_sip_auth_param_iter *it,
			   struct sx_sl *namep, struct sx_sl *valp,
			   bool *quotedp);

/**
 * Authorization / Proxy-Authorization (RFC 3261 20.7, 20.28).  For Digest
 * every directive named here is parsed (values are quoted-string
 * contents); a directive given twice is -EBADMSG; nc must be 8 hex
 * digits.  Absent directives are SX_SL_NULL; which are mandatory is the
 * authenticator's check.  Another scheme (RFC 4475 3.1.2.11 regaut01)
 * parses to SX_SIP_AUTH_OTHER with its raw params and is not an error.
 */
struct sx_sip_credentials {
	enum sx_sip_auth_scheme scheme;
	struct sx_sl scheme_sl;
	struct sx_sl username;
	struct sx_sl realm;
	struct sx_sl nonce;
	struct sx_sl uri;	/**< digest-uri contents, not parsed */
	struct sx_sl response;
	enum sx_sip_digest_alg alg;
	struct sx_sl algorithm_sl;
	struct sx_sl cnonce;
	struct sx_sl opaque;
	struct sx_sl qop;	/**< "auth" / "auth-int" (quoted accepted) */
	bool has_nc;
	uint32_t nc;
	bool userhash;		/**< userhash=true (RFC 7616 3.4.4) */
	struct sx_sl params;	/**< everything after the scheme */
};

int sx_sip_credentials_parse(struct sx_sip_credentials *cr,
			     struct sx_sl value) SX_MUST_CHECK;

/** WWW-Authenticate / Proxy-Authenticate (RFC 3261 20.27, 20.44). */
struct sx_sip_challenge {
	enum sx_sip_auth_scheme scheme;
	struct sx_sl scheme_sl;
	struct sx_sl realm;
	struct sx_sl nonce;
	struct sx_sl opaque;
	struct sx_sl domain;	/**< space-separated URIs, not parsed */
	struct sx_sl qop;	/**< qop-options contents: "auth,auth-int";
				     test with sx_sip_token_list_has() */
	bool stale;		/**< stale=true (case-insensitive) */
	enum sx_sip_digest_alg alg;
	struct sx_sl algorithm_sl;
	bool userhash;
	struct sx_sl params;
};

int sx_sip_challenge_parse(struct sx_sip_challenge *ch, struct sx_sl value)
	SX_MUST_CHECK;

/** Authentication-Info (RFC 3261 20.6). */
struct sx_sip_auth_info {
	struct sx_sl nextnonce;
	struct sx_sl qop;
	struct sx_sl rspauth;
	struct sx_sl cnonce;
	bool has_nc;
	uint32_t nc;
};

int sx_sip_auth_info_parse(struct sx_sip_auth_info *ai, struct sx_sl value)
	SX_MUST_CHECK;

/* -- events (RFC 6665 8.2) ------------------------------------------------ */

/** Event (RFC 6665 8.2.1): package[.template] *(;id=|param). */
struct sx_sip_event {
	struct sx_sl package; /**< event-type, e.g. "presence.winfo" */
	struct sx_sl id;      /**< id param, SX_SL_NULL if none */
	struct sx_sl params;
};

int sx_sip_event_parse(struct sx_sip_event *e, struct sx_sl value)
	SX_MUST_CHECK;

enum sx_sip_substate {
	SX_SIP_SUBSTATE_OTHER = 0, /**< extension-substate, see state_sl */
	SX_SIP_SUBSTATE_ACTIVE,
	SX_SIP_SUBSTATE_PENDING,
	SX_SIP_SUBSTATE_TERMINATED,
};

/** Subscription-State (RFC 6665 8.2.3). */
struct sx_sip_sub_state {
	enum sx_sip_substate state;
	struct sx_sl state_sl;
	struct sx_sl reason;	/**< "deactivated", "timeout" ... or NULL */
	bool has_expires;
	uint32_t expires;
	bool has_retry_after;
	uint32_t retry_after;
	struct sx_sl params;
};

int sx_sip_sub_state_parse(struct sx_sip_sub_state *ss, struct sx_sl value)
	SX_MUST_CHECK;

/* -- dialogs and diagnostics ---------------------------------------------- */

/** Replaces (RFC 3891 6.1): to-tag and from-tag required, once each. */
struct sx_sip_replaces {
	struct sx_sl call_id;
	struct sx_sl to_tag;
	struct sx_sl from_tag;
	bool early_only;
	struct sx_sl params;
};

int sx_sip_replaces_parse(struct sx_sip_replaces *r, struct sx_sl value)
	SX_MUST_CHECK;

/** One Reason value (RFC 3326 2): protocol;cause=N;text="...". */
struct sx_sip_reason {
	struct sx_sl protocol; /**< "SIP", "Q.850" or another token */
	bool has_cause;
	uint32_t cause;
	struct sx_sl text;     /**< text param contents, or NULL */
	struct sx_sl params;
};

int sx_sip_reason_parse(struct sx_sip_reason *r, struct sx_sl elem)
	SX_MUST_CHECK;

/** Next Reason value. */
int sx_sip_reason_next(struct sx_sip_list_iter *it, struct sx_sip_reason *r);

/** One Warning value (RFC 3261 20.43): code SP agent SP "text". */
struct sx_sip_warning {
	uint16_t code;	    /**< warn-code, exactly 3 digits */
	struct sx_sl agent; /**< hostport or pseudonym */
	struct sx_sl text;  /**< quoted-string contents */
};

int sx_sip_warning_parse(struct sx_sip_warning *w, struct sx_sl elem)
	SX_MUST_CHECK;

/** Next Warning value. */
int sx_sip_warning_next(struct sx_sip_list_iter *it,
			struct sx_sip_warning *w);

/* -- Date (RFC 3261 20.17, RFC 1123 / RFC 2616 3.3.1) --------------------- */

/** Length of "Sun, 06 Nov 1994 08:49:37 GMT". */
#define SX_SIP_DATE_LEN 29

/**
 * Parse an rfc1123-date in GMT into seconds since the epoch.  Any other
 * zone (RFC 4475 3.1.2.16 baddate), a bad field or a day that does not
 * exist in its month is -EBADMSG.  The weekday name must be one of the
 * seven but is not checked against the date.
 */
int sx_sip_date_parse(struct sx_sl value, time_t *tp) SX_MUST_CHECK;

/**
 * Print @t as an rfc1123-date into @buf (SX_SIP_DATE_LEN + 1 bytes,
 * NUL-terminated).  -ERANGE for times before 1970 or after year 9999.
 */
int sx_sip_date_print(time_t t, char *buf, size_t cap) SX_MUST_CHECK;

/* -- multipart bodies (RFC 2046 5.1) -------------------------------------- */

/** Longest boundary (RFC 2046 5.1.1: 1 to 70 characters). */
#define SX_SIP_MAX_BOUNDARY_LEN 70
/** Most body parts walked in one multipart body. */
#define SX_SIP_MAX_PARTS 64
/** Most header fields walked per body part. */
#define SX_SIP_MAX_PART_HDRS 32

/** Iterator over the parts of a multipart body. */
struct sx_sip_multipart_iter {
	struct sx_sl rest;     /**< after the last delimiter line */
	struct sx_sl boundary;
	unsigned n;
	bool done;	       /**< the close delimiter was seen */
};

struct sx_sip_part {
	struct sx_sl hdrs; /**< header block, without the empty line; walk
			      with sx_sip_part_hdr_next() */
	struct sx_sl body; /**< any bytes, NULs included */
};

/**
 * Start walking @body split at @boundary (from the Content-Type boundary
 * param).  The preamble is skipped.  -EBADMSG when the boundary is empty,
 * longer than SX_SIP_MAX_BOUNDARY_LEN or never found.
 */
int sx_sip_multipart_init(struct sx_sip_multipart_iter *it, struct sx_sl body,
			  struct sx_sl boundary) SX_MUST_CHECK;

/**
 * Next part: 1 and *partp filled, 0 after the close delimiter (the
 * epilogue is ignored), -EBADMSG when the body ends without one, -E2BIG
 * past SX_SIP_MAX_PARTS.
 */
int sx_sip_multipart_next(struct sx_sip_multipart_iter *it,
			  struct sx_sip_part *partp);

/**
 * Next header field of a part's header block (@rest starts as part.hdrs
 * and advances; folded lines continue a value).  1 with *namep / *valp
 * (value trimmed), 0 at the end, -EBADMSG on a line without ':'.
 */
int sx_sip_part_hdr_next(struct sx_sl *rest, struct sx_sl *namep,
			 struct sx_sl *valp);

/** Value of the part's header @name (case-insensitive); -ENOENT. */
int sx_sip_part_hdr_find(const struct sx_sip_part *part, const char *name,
			 struct sx_sl *valp) SX_MUST_CHECK;

/* -- convenience over a parsed message ------------------------------------ */

/**
 * Walks every element of every header field with id @id, in wire order
 * (e.g. all Contact values over several Contact fields).
 */
struct sx_sip_msg_iter {
	const struct sx_sip_msg *msg;
	const struct sx_sip_hdr *hdr; /**< field being walked, NULL first */
	enum sx_sip_hdr_id id;
	struct sx_sip_list_iter list;
	bool started;
};

void sx_sip_msg_iter_init(struct sx_sip_msg_iter *it,
			  const struct sx_sip_msg *msg, enum sx_sip_hdr_id id);

/**
 * Next raw element over all fields (1 / 0 / negative errno; an error in
 * one field ends that field, the next call goes on with the next field).
 * *hdrp (may be NULL) gets the field the element came from.
 */
int sx_sip_msg_iter_next(struct sx_sip_msg_iter *it, struct sx_sl *elemp,
			 const struct sx_sip_hdr **hdrp);

/** Walk all Contact values of @msg. */
static inline void sx_sip_msg_contact_iter_init(struct sx_sip_msg_iter *it,
						const struct sx_sip_msg *msg)
{
	sx_sip_msg_iter_init(it, msg, SX_SIP_HDR_CONTACT);
}

/** Next Contact value of the message (as sx_sip_contact_next()). */
int sx_sip_msg_contact_next(struct sx_sip_msg_iter *it,
			    struct sx_sip_contact *c);

/**
 * Next address of a Record-Route / Path / Route (name-addr required) or
 * P-Asserted-Identity / P-Preferred-Identity (any form) walk.
 */
int sx_sip_msg_addr_next(struct sx_sip_msg_iter *it, struct sx_sip_addr *a);

/** Expires header field (first one); -ENOENT when absent. */
int sx_sip_msg_expires(const struct sx_sip_msg *msg, uint32_t *secp)
	SX_MUST_CHECK;

/** Min-Expires header field; -ENOENT when absent. */
int sx_sip_msg_min_expires(const struct sx_sip_msg *msg, uint32_t *secp)
	SX_MUST_CHECK;

/** Content-Type (first field); -ENOENT when absent. */
int sx_sip_msg_content_type(const struct sx_sip_msg *msg,
			    struct sx_sip_mtype *m) SX_MUST_CHECK;

/** Event header field; -ENOENT when absent. */
int sx_sip_msg_event(const struct sx_sip_msg *msg, struct sx_sip_event *e)
	SX_MUST_CHECK;

/**
 * Whether any field with @id (Require, Supported ...) lists @token
 * (case-insensitive): 1 / 0 / negative errno.
 */
int sx_sip_msg_has_token(const struct sx_sip_msg *msg, enum sx_sip_hdr_id id,
			 struct sx_sl token);

/**
 * The Digest credentials of field @id (AUTHORIZATION or
 * PROXY_AUTHORIZATION) whose realm equals @realm (decoded, case-
 * sensitive; any realm when @realm.p is NULL).  Fields of other schemes
 * and unparsable fields are skipped.  0 or -ENOENT.
 */
int sx_sip_msg_credentials(const struct sx_sip_msg *msg, enum sx_sip_hdr_id id,
			   struct sx_sl realm, struct sx_sip_credentials *cr)
	SX_MUST_CHECK;

/**
 * Start walking the message body as multipart: Content-Type must be
 * multipart/ * with a boundary.  -ENOENT without Content-Type or when it
 * is not multipart, -EBADMSG otherwise.
 */
int sx_sip_msg_multipart_init(struct sx_sip_multipart_iter *it,
			      const struct sx_sip_msg *msg) SX_MUST_CHECK;

#endif
