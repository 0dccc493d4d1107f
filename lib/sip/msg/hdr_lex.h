/*
 * Private helpers shared by the lazy header parsers (hdr_*.c,
 * multipart.c): quoted values, "head ; params" splitting, parameter
 * limits and once-only fields (RFC 3261 25.1).  They build on the
 * character classes and scanners of chars.h.  Indexes are offsets into a
 * slice and never pass its end.
 */
#ifndef SX_SIP_MSG_HDR_LEX_H
#define SX_SIP_MSG_HDR_LEX_H

#include <stdbool.h>
#include <stdint.h>

#include <sx/sip/uri.h>
#include <sx/util/sl.h>

/**
 * sx_sip__quoted_skip() by offset: when @s.p[@i] is '"', sets *endp to
 * the index after the closing quote.  -EBADMSG when @i is not at a
 * quote, the quote is unterminated or a backslash ends the slice.
 */
int sx_sip__hl_qstr_end(struct sx_sl s, size_t i, size_t *endp);

/**
 * A param or auth value: a quoted-string gives its contents (checked),
 * anything else is returned as is.  *quotedp (may be NULL) tells which.
 */
int sx_sip__hl_unquote(struct sx_sl v, struct sx_sl *outp, bool *quotedp);

/** As sx_sip__hl_unquote() but the value must be a quoted-string. */
int sx_sip__hl_unquote_req(struct sx_sl v, struct sx_sl *outp);

/**
 * Split "head [; params]" at the first ';' outside quotes: *headp
 * trimmed, *paramsp after the ';' (trimmed) or SX_SL_NULL.  -EBADMSG on
 * an unterminated quote or a ';' with nothing after it.
 */
int sx_sip__hl_split_params(struct sx_sl s, struct sx_sl *headp,
			 struct sx_sl *paramsp);

/**
 * sx_sip_param_next() with the SX_SIP_MAX_PARAMS limit counted in *np
 * (-E2BIG beyond).
 */
int sx_sip__hl_param_next(struct sx_sip_param_iter *it, unsigned *np,
		       struct sx_sl *namep, struct sx_sl *valp);

/** delta-seconds: 1*DIGIT into uint32; -EBADMSG / -ERANGE. */
int sx_sip__hl_delta(struct sx_sl s, uint32_t *outp);

/** Store @v in *dst unless already set (duplicate: -EBADMSG). */
int sx_sip__hl_set_once(struct sx_sl *dst, struct sx_sl v);

/** Store a required value (not NULL) once: -EBADMSG otherwise. */
int sx_sip__hl_set_val_once(struct sx_sl *dst, struct sx_sl v);

#endif
