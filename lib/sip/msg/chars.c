/*
 * The SIP character-class table (RFC 3261 25.1; RFC 2396 uric; RFC 3966
 * phonedigit).  Each entry is computed at compile time from the class
 * definitions below, written as in the RFC, so the table cannot drift
 * from the grammar (sqlite aiClass[], picohttpparser token table).
 */
#include "chars.h"

#define IS_ALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_HEX(c)                                                              \
	(IS_DIGIT(c) || ((c) >= 'a' && (c) <= 'f') ||                          \
	 ((c) >= 'A' && (c) <= 'F'))
#define IS_ALNUM(c) (IS_ALPHA(c) || IS_DIGIT(c))
/* mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")" */
#define IS_MARK(c)                                                             \
	((c) == '-' || (c) == '_' || (c) == '.' || (c) == '!' || (c) == '~' || \
	 (c) == '*' || (c) == '\'' || (c) == '(' || (c) == ')')
#define IS_UNRES(c) (IS_ALNUM(c) || IS_MARK(c))
/* reserved = ";" / "/" / "?" / ":" / "@" / "&" / "=" / "+" / "$" / "," */
#define IS_RESERVED(c)                                                         \
	((c) == ';' || (c) == '/' || (c) == '?' || (c) == ':' || (c) == '@' || \
	 (c) == '&' || (c) == '=' || (c) == '+' || (c) == '$' || (c) == ',')
/* user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/" */
#define IS_USER_UNRES(c)                                                       \
	((c) == '&' || (c) == '=' || (c) == '+' || (c) == '$' || (c) == ',' || \
	 (c) == ';' || (c) == '?' || (c) == '/')
/* password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
#define IS_PASS_EXTRA(c)                                                       \
	((c) == '&' || (c) == '=' || (c) == '+' || (c) == '$' || (c) == ',')
/* param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$" */
#define IS_PARAM_UNRES(c)                                                      \
	((c) == '[' || (c) == ']' || (c) == '/' || (c) == ':' || (c) == '&' || \
	 (c) == '+' || (c) == '$')
/* hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$" */
#define IS_HNV_UNRES(c)                                                        \
	((c) == '[' || (c) == ']' || (c) == '/' || (c) == '?' || (c) == ':' || \
	 (c) == '+' || (c) == '$')
/* token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" /
 *            "'" / "~" ) */
#define IS_TOKEN(c)                                                            \
	(IS_ALNUM(c) || (c) == '-' || (c) == '.' || (c) == '!' ||              \
	 (c) == '%' || (c) == '*' || (c) == '_' || (c) == '+' || (c) == '`' || \
	 (c) == '\'' || (c) == '~')
/* word adds "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" /
 * "]" / "?" / "{" / "}" */
#define IS_WORD(c)                                                             \
	(IS_TOKEN(c) || (c) == '(' || (c) == ')' || (c) == '<' ||              \
	 (c) == '>' || (c) == ':' || (c) == '\\' || (c) == '"' ||              \
	 (c) == '/' || (c) == '[' || (c) == ']' || (c) == '?' || (c) == '{' || \
	 (c) == '}')
#define IS_HOST(c) (IS_ALNUM(c) || (c) == '-' || (c) == '.')
#define IS_WSP(c)  ((c) == ' ' || (c) == '\t')
#define IS_LWS(c)  (IS_WSP(c) || (c) == '\r' || (c) == '\n')
#define IS_QDTEXT(c)                                                           \
	((c) == 0x21 || ((c) >= 0x23 && (c) <= 0x5b) ||                        \
	 ((c) >= 0x5d && (c) <= 0x7e) || (c) >= 0x80)
#define IS_URIC(c)   (IS_RESERVED(c) || IS_UNRES(c) || (c) == '[' || (c) == ']')
#define IS_SCHEME(c) (IS_ALNUM(c) || (c) == '+' || (c) == '-' || (c) == '.')
#define IS_VISUAL(c) ((c) == '-' || (c) == '.' || (c) == '(' || (c) == ')')
#define IS_PHONE(c)  (IS_HEX(c) || (c) == '*' || (c) == '#' || IS_VISUAL(c))
#define IS_PARAM(c)  (IS_PARAM_UNRES(c) || IS_UNRES(c))

#define BIT(cond, bit) ((cond) ? (uint32_t)(bit) : 0u)
#define CC(c)                                                                  \
	(BIT(IS_ALPHA(c), SX_SIP_C_ALPHA) | BIT(IS_DIGIT(c), SX_SIP_C_DIGIT) | \
	 BIT(IS_HEX(c), SX_SIP_C_HEX) | BIT(IS_ALNUM(c), SX_SIP_C_ALNUM) |     \
	 BIT(IS_MARK(c), SX_SIP_C_MARK) | BIT(IS_UNRES(c), SX_SIP_C_UNRES) |   \
	 BIT(IS_RESERVED(c), SX_SIP_C_RESERVED) |                              \
	 BIT(IS_UNRES(c) || IS_USER_UNRES(c), SX_SIP_C_USER) |                 \
	 BIT(IS_UNRES(c) || IS_PASS_EXTRA(c), SX_SIP_C_PASS) |                 \
	 BIT(IS_PARAM(c), SX_SIP_C_PARAM) |                                    \
	 BIT(IS_UNRES(c) || IS_HNV_UNRES(c), SX_SIP_C_HNV) |                   \
	 BIT(IS_TOKEN(c), SX_SIP_C_TOKEN) | BIT(IS_WORD(c), SX_SIP_C_WORD) |   \
	 BIT(IS_HOST(c), SX_SIP_C_HOST) | BIT(IS_LWS(c), SX_SIP_C_LWS) |       \
	 BIT(IS_WSP(c), SX_SIP_C_WSP) | BIT(IS_QDTEXT(c), SX_SIP_C_QDTEXT) |   \
	 BIT(IS_URIC(c), SX_SIP_C_URIC) | BIT(IS_SCHEME(c), SX_SIP_C_SCHEME) | \
	 BIT(IS_PHONE(c), SX_SIP_C_PHONE) |                                    \
	 BIT(IS_VISUAL(c), SX_SIP_C_VISUAL) |                                  \
	 BIT(IS_TOKEN(c) || IS_PARAM(c), SX_SIP_C_PCHAR))

#define CC4(n)  CC(n), CC((n) + 1), CC((n) + 2), CC((n) + 3)
#define CC16(n) CC4(n), CC4((n) + 4), CC4((n) + 8), CC4((n) + 12)
#define CC64(n) CC16(n), CC16((n) + 16), CC16((n) + 32), CC16((n) + 48)

const uint32_t sx_sip__cc[256] = {CC64(0), CC64(64), CC64(128), CC64(192)};
