/*
 * Character classes of the SIP grammar (RFC 3261 25.1, RFC 2396, RFC
 * 3966) as one 256-entry table of bit masks, plus the scanners every
 * parser file needs (class runs, LWS with folding, quoted-string).  The
 * one lexical layer of lib/sip/msg: the start-line and field splitter,
 * the eager parsers (URI, name-addr, params, Via) and the lazy header
 * parsers all test bytes here, with one load and a mask, never a call.
 * Private to lib/sip.
 */
#ifndef SX_SIP_MSG_CHARS_H
#define SX_SIP_MSG_CHARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/util/sl.h>

/* One bit per class; a byte may belong to many. */
enum sx_sip_cclass {
	SX_SIP_C_ALPHA = 1u << 0,    /**< ALPHA */
	SX_SIP_C_DIGIT = 1u << 1,    /**< DIGIT */
	SX_SIP_C_HEX = 1u << 2,      /**< HEXDIG (either case) */
	SX_SIP_C_ALNUM = 1u << 3,    /**< alphanum */
	SX_SIP_C_MARK = 1u << 4,     /**< mark: - _ . ! ~ * ' ( ) */
	SX_SIP_C_UNRES = 1u << 5,    /**< unreserved = alphanum / mark */
	SX_SIP_C_RESERVED = 1u << 6, /**< reserved: ; / ? : @ & = + $ , */
	SX_SIP_C_USER = 1u << 7,     /**< unreserved / user-unreserved */
	SX_SIP_C_PASS = 1u << 8,  /**< password chars: unreserved / & = + $ , */
	SX_SIP_C_PARAM = 1u << 9, /**< paramchar: param-unreserved /
	                             unreserved (escapes apart) */
	SX_SIP_C_HNV = 1u << 10,  /**< hnv-unreserved / unreserved */
	SX_SIP_C_TOKEN = 1u << 11,  /**< token */
	SX_SIP_C_WORD = 1u << 12,   /**< word (Call-ID) */
	SX_SIP_C_HOST = 1u << 13,   /**< hostname/IPv4 chars: alphanum - . */
	SX_SIP_C_LWS = 1u << 14,    /**< SP HTAB CR LF (the trim set) */
	SX_SIP_C_WSP = 1u << 15,    /**< SP HTAB */
	SX_SIP_C_QDTEXT = 1u << 16, /**< qdtext without LWS: %x21 / %x23-5B /
	                               %x5D-7E / UTF8-NONASCII */
	SX_SIP_C_URIC = 1u << 17,   /**< uric (RFC 2396) plus [ ] (RFC 2732) */
	SX_SIP_C_SCHEME = 1u << 18, /**< ALPHA / DIGIT / + - . */
	SX_SIP_C_PHONE = 1u << 19,  /**< tel phonedigit-hex: HEXDIG * # and
	                               visual separators - . ( ) */
	SX_SIP_C_VISUAL = 1u << 20, /**< tel visual-separator: - . ( ) */
	SX_SIP_C_PCHAR = 1u << 21,  /**< generic parameter name or unquoted
	                               value: token / paramchar (covers host
	                               and IPv6 forms) */
};

/** The table, indexed by byte value (lib/sip/msg/chars.c). */
extern const uint32_t sx_sip__cc[256];

/** True when byte @c is in any of the classes of mask @m. */
#define SX_SIP_CC(c, m) ((sx_sip__cc[(unsigned char)(c)] & (m)) != 0)

/** True when [p, end) starts with a valid escape "%" HEXDIG HEXDIG. */
static inline bool sx_sip__is_escape(const char *p, const char *end)
{
	return end - p >= 3 && p[0] == '%' && SX_SIP_CC(p[1], SX_SIP_C_HEX) &&
	       SX_SIP_CC(p[2], SX_SIP_C_HEX);
}

/** First byte of [p, end) in none of the classes of @m, or @end. */
static inline const char *sx_sip__span(const char *p, const char *end,
                                       uint32_t m)
{
	while (p < end && SX_SIP_CC(*p, m))
		p++;
	return p;
}

/** @end moved back over the trailing bytes of [start, end) in @m. */
static inline const char *sx_sip__rspan(const char *start, const char *end,
                                        uint32_t m)
{
	while (end > start && SX_SIP_CC(end[-1], m))
		end--;
	return end;
}

/**
 * sx_sip__span() by offset, for parsers that walk a slice by index: the
 * first index >= @i whose byte is in none of the classes of @m, or
 * @s.len (@i itself when @i >= @s.len).
 */
static inline size_t sx_sip__sl_span(struct sx_sl s, size_t i, uint32_t m)
{
	while (i < s.len && SX_SIP_CC(s.p[i], m))
		i++;
	return i;
}

/**
 * Skip LWS (RFC 3261 25.1: [*WSP CRLF] 1*WSP): spaces, tabs and line
 * folds (CRLF or a bare LF followed by SP/HTAB).  A CR or LF that does
 * not start a fold is not skipped.  Returns the first other byte or @end.
 */
static inline const char *sx_sip__skip_lws(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t') {
			p++;
		} else if (*p == '\r' && end - p >= 3 && p[1] == '\n' &&
		           (p[2] == ' ' || p[2] == '\t')) {
			p += 3;
		} else if (*p == '\n' && end - p >= 2 &&
		           (p[1] == ' ' || p[1] == '\t')) {
			p += 2;
		} else {
			break;
		}
	}
	return p;
}

/*
 * The one quoted-string scanner behind sx_sip__quoted_end() and
 * sx_sip__quoted_skip(); @strict is a constant at every call, so each
 * inlined copy keeps only its own branch.
 */
static inline const char *sx_sip__quoted_scan(const char *p, const char *end,
                                              bool strict)
{
	for (p++; p < end;) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c == '\\') {
			/* quoted-pair: any byte, but not CR or LF if strict */
			if (end - p < 2 ||
			    (strict && (p[1] == '\r' || p[1] == '\n')))
				return NULL;
			p += 2;
		} else if (!strict ||
		           SX_SIP_CC(c, SX_SIP_C_QDTEXT | SX_SIP_C_WSP)) {
			p++;
		} else {
			const char *q = sx_sip__skip_lws(p, end);
			if (q == p)
				return NULL;
			p = q;
		}
	}
	return NULL;
}

/**
 * End of the quoted-string starting at @p (which must be '"'): the byte
 * after the closing quote, or NULL when it is unterminated or holds a
 * byte that qdtext and quoted-pair forbid (RFC 3261 25.1).  Folds
 * inside count as LWS.
 */
static inline const char *sx_sip__quoted_end(const char *p, const char *end)
{
	return sx_sip__quoted_scan(p, end, true);
}

/**
 * Delimit the quoted-string starting at @p (which must be '"') without
 * checking its bytes: a backslash takes the next byte whatever it is.
 * The byte after the closing quote, or NULL when unterminated.  For the
 * lazy header parsers, which accept any value they can delimit.
 */
static inline const char *sx_sip__quoted_skip(const char *p, const char *end)
{
	return sx_sip__quoted_scan(p, end, false);
}

#endif
