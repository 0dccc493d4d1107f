/*
 * Private helpers shared by the sx_sdp sources (not installed).
 */
#ifndef SX_SDP_INT_H
#define SX_SDP_INT_H

#include <sx/sdp/sdp.h>

/** Split the next token off @rest at spaces (runs of SP skipped). */
struct sx_sl sx_sdp__tok(struct sx_sl *rest);

/** Copy @s into the arena of @sdp; -ENOMEM. */
int sx_sdp__dup(struct sx_sdp *sdp, struct sx_sl s, struct sx_sl *outp);

/**
 * Fill @c from nettype, addrtype and address fields.  @suffix allows the
 * multicast "/ttl/n" forms (c=, not o=).  0 or -EBADMSG.
 */
int sx_sdp__conn_parse(struct sx_sdp_conn *c, struct sx_sl nettype,
                       struct sx_sl addrtype, struct sx_sl addr, bool suffix);

/** Parse the value of a c= line ("IN IP4 addr").  0 or -EBADMSG. */
int sx_sdp__conn_line(struct sx_sdp_conn *c, struct sx_sl v);

/**
 * Link a new attribute to the session (@m NULL) or media @m and update
 * the typed view.  Slices must already live long enough.
 * 0, -EBADMSG, -E2BIG or -ENOMEM.
 */
int sx_sdp__attr_append(struct sx_sdp *sdp, struct sx_sdp_media *m,
                        struct sx_sl name, struct sx_sl value);

/** Append b=@type:@value (slice kept as is).  -E2BIG, -ENOMEM. */
int sx_sdp__bw_append(struct sx_sdp *sdp, struct sx_sdp_media *m,
                      struct sx_sl type, uint32_t value);

/** Append t=@start @stop.  -E2BIG, -ENOMEM. */
int sx_sdp__time_append(struct sx_sdp *sdp, uint64_t start, uint64_t stop);

/** Fill a format's id/pt and its RFC 3551 defaults.  0 or -EBADMSG. */
int sx_sdp__fmt_init(struct sx_sdp_fmt *f, struct sx_sl id, bool rtp);

/** Media type and proto enums of their tokens. */
enum sx_sdp_mtype sx_sdp__mtype(struct sx_sl s);
enum sx_sdp_proto sx_sdp__proto(struct sx_sl s);

/** True for the RTP profiles (their fmts are payload type numbers). */
bool sx_sdp__proto_is_rtp(enum sx_sdp_proto p);

/** New description with its arena; -ENOMEM. */
int sx_sdp__new(struct sx_sdp **sdpp);

#endif
