/*
 * Private helpers of the SIP message parser and printer (RFC 3261 25.1
 * character classes, Via list parsing).  Not installed.
 */
#ifndef SX_SIP_MSG_INT_H
#define SX_SIP_MSG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/sip/msg.h>
#include <sx/util/sl.h>

/* Character classes (RFC 3261 25.1), one byte per octet. */
enum {
	SX_SIP__C_TOKEN = 1 << 0, /**< token: alphanum -.!%*_+`'~ */
	SX_SIP__C_WS = 1 << 1,	  /**< SP, HTAB */
	SX_SIP__C_DIGIT = 1 << 2, /**< 0-9 */
	SX_SIP__C_WORD = 1 << 3,  /**< word (Call-ID): token + ()<>:\"/[]?{} */
	SX_SIP__C_LWS = 1 << 4,	  /**< SP, HTAB, CR, LF (trim set) */
};

extern const uint8_t sx_sip__msg_ctab[256];

static inline bool msgi_is(char c, uint8_t cls)
{
	return (sx_sip__msg_ctab[(uint8_t)c] & cls) != 0;
}

/** Skip SP, HTAB, CR and LF (LWS with folds inside a header value). */
static inline const char *msgi_skip_lws(const char *p, const char *end)
{
	while (p < end && msgi_is(*p, SX_SIP__C_LWS))
		p++;
	return p;
}

/** Skip a run of token characters. */
static inline const char *msgi_skip_token(const char *p, const char *end)
{
	while (p < end && msgi_is(*p, SX_SIP__C_TOKEN))
		p++;
	return p;
}

/** Drop trailing SP, HTAB, CR and LF. */
static inline const char *msgi_rtrim(const char *start, const char *end)
{
	while (end > start && msgi_is(end[-1], SX_SIP__C_LWS))
		end--;
	return end;
}

/**
 * Growable array of Via or Route values inside the message arena.
 * Growth doubles and copies (the old block stays in the arena and goes
 * with it).
 */
struct sx_sip__vec {
	void *items;
	size_t n;
	size_t cap;
	size_t max;  /**< SX_SIP_MAX_VIA / SX_SIP_MAX_ROUTE */
	size_t size; /**< sizeof one element */
};

/**
 * Room for one more element: returns it zeroed (the count grows), or
 * NULL with *errp = -ENOMEM, or -E2BIG when @v already holds max.
 */
void *sx_sip__vec_push(struct sx_sip_msg *msg, struct sx_sip__vec *v,
		       int *errp);

/**
 * Parse every Via value of header field @h (RFC 3261 20.42, 25.1
 * via-parm) into @v.  Returns 0, -EBADMSG (with *whyp set to a static
 * reason), -E2BIG over SX_SIP_MAX_VIA, or -ENOMEM.
 */
int sx_sip__via_parse_field(struct sx_sip_msg *msg, struct sx_sip__vec *v,
			    const struct sx_sip_hdr *h, const char **whyp);

#endif
