/*
 * Private helpers of the SIP message parser: arena arrays of Via and
 * Route values, Via list parsing (RFC 3261 20.42).  Character classes and
 * scanners are in chars.h.  Not installed.
 */
#ifndef SX_SIP_MSG_INT_H
#define SX_SIP_MSG_INT_H

#include <stddef.h>

#include <sx/sip/msg.h>

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
