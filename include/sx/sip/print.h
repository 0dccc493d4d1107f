/*
 * SIP printer: build messages from scratch, and re-emit a parsed message
 * with edits, copying untouched bytes as they were.
 *
 * print(parse(x)) with no edits yields x's message bytes (trailing bytes
 * beyond Content-Length over UDP excluded).  Edits change only what they
 * name; Content-Length is rewritten only when the body changes.
 */
#ifndef SX_SIP_PRINT_H
#define SX_SIP_PRINT_H

#include <sx/sip/msg.h>
#include <sx/util/buf.h>

/** Most headers an edit adds or removes. */
#define SX_SIP_EDIT_MAX 16

/** Header to add: printed as "name: value\r\n". */
struct sx_sip_hdr_add {
	struct sx_sl name;
	struct sx_sl value;
};

/** Edits applied while re-emitting (zero-initialize, set what you need). */
struct sx_sip_edit {
	struct sx_sl ruri;	  /**< new Request-URI if set */
	struct sx_sl push_via;	  /**< Via value to put on top if set */
	bool pop_via;		  /**< drop the top Via value */
	bool pop_route;		  /**< drop the top Route value */
	/** specific header fields (pointers into the message) to drop */
	const struct sx_sip_hdr *remove[SX_SIP_EDIT_MAX];
	size_t nremove;
	/** drop every field with these ids (up to SX_SIP_EDIT_MAX) */
	enum sx_sip_hdr_id remove_id[SX_SIP_EDIT_MAX];
	size_t nremove_id;
	/** fields to add; prepend ones go before the first header,
	 *  the others after the last */
	struct sx_sip_hdr_add add[SX_SIP_EDIT_MAX];
	size_t nadd;
	struct sx_sip_hdr_add prepend[SX_SIP_EDIT_MAX];
	size_t nprepend;
	bool set_max_forwards;	  /**< rewrite Max-Forwards (or add it) */
	uint32_t max_forwards;
	bool set_body;		  /**< replace the body (Content-Length follows) */
	struct sx_sl body;
};

/** Re-emit @msg with optional edits (NULL = none) into @out (appends). */
int sx_sip_msg_print(const struct sx_sip_msg *msg,
		     const struct sx_sip_edit *edit, struct sx_buf *out);

/* -- from scratch ------------------------------------------------------- */

/** "METHOD uri SIP/2.0\r\n" */
void sx_sip_print_request_line(struct sx_buf *out, struct sx_sl method,
			       struct sx_sl uri);
/** "SIP/2.0 code reason\r\n" */
void sx_sip_print_status_line(struct sx_buf *out, unsigned code,
			      struct sx_sl reason);
/** "name: value\r\n" */
void sx_sip_print_hdr(struct sx_buf *out, struct sx_sl name,
		      struct sx_sl value);
/** "name: <printf>\r\n" */
void sx_sip_print_hdrf(struct sx_buf *out, const char *name,
		       const char *fmt, ...) SX_PRINTF(3, 4);
/** Content-Type (if @ctype set), Content-Length, CRLF, body. */
void sx_sip_print_body(struct sx_buf *out, struct sx_sl ctype,
		       struct sx_sl body);

/** Default reason phrase of a status code ("Not Found"). */
const char *sx_sip_reason(unsigned code);

/**
 * A response to @req per RFC 3261 8.2.6.2: copies Via fields, From,
 * Call-ID, CSeq and To (adding @to_tag when To has none and @to_tag is
 * set), then @extra (complete header lines, CRLF-terminated, may be
 * empty) and Content-Length: 0.  @reason NULL uses sx_sip_reason().
 */
int sx_sip_reply_print(const struct sx_sip_msg *req, unsigned code,
		       const char *reason, struct sx_sl to_tag,
		       struct sx_sl extra, struct sx_buf *out);

/**
 * sx_sip_reply_print() with a body: the same header fields, then
 * Content-Type @ctype (when set), Content-Length and @body (both may be
 * empty; RFC 3261 20.15 requires @ctype with a non-empty body, which is
 * the caller's duty).  Appends to @out; 0, -EINVAL for a bad @req or
 * @code, or the buffer's error (-ENOMEM, -E2BIG).
 */
int sx_sip_reply_print_body(const struct sx_sip_msg *req, unsigned code,
			    const char *reason, struct sx_sl to_tag,
			    struct sx_sl extra, struct sx_sl ctype,
			    struct sx_sl body, struct sx_buf *out);

#endif
