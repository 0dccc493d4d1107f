/*
 * Private helpers shared by the transports in lib/sip/tport.
 */
#ifndef SX_SIP_TPORT_INT_H
#define SX_SIP_TPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/sip/msg.h>
#include <sx/util/buf.h>

/** Most bytes of copied field values in a stateless error reply. */
#define SX_SIP__ERR_REPLY_MAX 8192

/**
 * Stateless error reply (RFC 3261 8.2.6.2, 16.3, 18.2.1) to a request
 * that sx_sip_msg_parse() rejected with @perr: the header fields a
 * response needs (Via, From, To, Call-ID, CSeq) are taken from the raw
 * bytes @p/@len, since the parser keeps nothing of a failed message.
 * Appends the reply to @out.  -EBADMSG when it cannot be answered (not a
 * request, ACK, status 0, a field missing or unprintable), else 0 or
 * the buffer's error.
 */
int sx_sip__err_reply(const char *p, size_t len, const struct sx_sip_perr *perr,
                      struct sx_buf *out);

/** A double CRLF keep-alive ping (RFC 5626 3.5.1). */
static inline bool sx_sip__is_ping(const char *p, size_t len)
{
	return len == 4 && p[0] == '\r' && p[1] == '\n' && p[2] == '\r' &&
	       p[3] == '\n';
}

/** A fresh, process-wide unique, nonzero connection id. */
uint64_t sx_sip__conn_id_next(void);

#endif
