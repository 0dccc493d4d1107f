/*
 * SIP messages (RFC 3261 7, 25): parse requests and responses.
 *
 * Zero-copy: every slice points into the bytes given to the parser, which
 * the caller keeps alive (pass an sx_mem block as @owner to have the
 * message hold a reference on it).  Parse products live in the message's
 * arena and go with sx_sip_msg_free().
 *
 * Eager: start line, Via (all values), From, To (+ tags), Call-ID, CSeq,
 * Max-Forwards, Content-Length, Route; everything else is kept as a
 * {id, name, value} entry and parsed on demand (sx/sip/hdrs.h).
 *
 * Errors come with the status a server puts into its reply (400, 505,
 * 413 ...) and a short reason text (struct sx_sip_perr).
 */
#ifndef SX_SIP_MSG_H
#define SX_SIP_MSG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <sx/sip/hdr.h>
#include <sx/sip/uri.h>
#include <sx/util/arena.h>
#include <sx/util/compiler.h>
#include <sx/util/sl.h>

/* -- limits (named, RFC 3261 18.1.1 and local policy) ------------------- */
/** Largest message (UDP datagram or framed stream message), bytes. */
#define SX_SIP_MAX_MSG_SIZE 65535
/** Most header fields (lines, after unfolding) per message. */
#define SX_SIP_MAX_HEADERS 128
/** Longest header field including folded continuation lines. */
#define SX_SIP_MAX_LINE_LEN 8192
/** Most Via values per message. */
#define SX_SIP_MAX_VIA 64
/** Most Route values per message. */
#define SX_SIP_MAX_ROUTE 32
/** Arena bytes per message (parse products). */
#define SX_SIP_MAX_ARENA (256 * 1024)

enum sx_sip_method {
	SX_SIP_METHOD_OTHER = 0, /**< extension method, see method_sl */
	SX_SIP_METHOD_INVITE,
	SX_SIP_METHOD_ACK,
	SX_SIP_METHOD_BYE,
	SX_SIP_METHOD_CANCEL,
	SX_SIP_METHOD_REGISTER,
	SX_SIP_METHOD_OPTIONS,
	SX_SIP_METHOD_PRACK,
	SX_SIP_METHOD_SUBSCRIBE,
	SX_SIP_METHOD_NOTIFY,
	SX_SIP_METHOD_PUBLISH,
	SX_SIP_METHOD_INFO,
	SX_SIP_METHOD_REFER,
	SX_SIP_METHOD_MESSAGE,
	SX_SIP_METHOD_UPDATE,
};

/** Method id of a token (case-sensitive, RFC 3261 7.1). */
enum sx_sip_method sx_sip_method_lookup(struct sx_sl s);
/** Name of a method id; NULL for OTHER. */
const char *sx_sip_method_name(enum sx_sip_method m);

/** Why parsing failed: the reply a server should send. */
struct sx_sip_perr {
	uint16_t status;    /**< 400, 505, 413, 416 ...; 0 = drop silently
				 (e.g. garbage that is not SIP at all) */
	const char *reason; /**< static text, e.g. "Bad CSeq" */
};

/** One header field as it appears on the wire. */
struct sx_sip_hdr {
	enum sx_sip_hdr_id id;
	struct sx_sl name;  /**< as written (compact forms kept) */
	struct sx_sl value; /**< trimmed; folded lines stay inside */
	struct sx_sl raw;   /**< the whole field from name to its CRLF
				 inclusive, for byte-exact re-emission */
};

/** One Via value (RFC 3261 20.42). */
struct sx_sip_via {
	struct sx_sl proto;	/**< "SIP/2.0" as written (LWS stripped) */
	struct sx_sl transport; /**< "UDP", "TCP", "TLS", "WS" ... */
	struct sx_sip_uri sent_by; /**< host, host_type, port, has_port */
	struct sx_sl params;	/**< after the first ';' */
	struct sx_sl branch;	/**< branch param value, empty if none */
	struct sx_sl received;	/**< received param, empty if none */
	struct sx_sl maddr;
	bool rport;		/**< rport param present */
	uint32_t rport_val;	/**< its value, 0 when empty */
	struct sx_sl raw;	/**< the value, trimmed */
	const struct sx_sip_hdr *hdr; /**< the header field it came from */
	unsigned index;		/**< position within that field (0 = first) */
};

/** A Route value (RFC 3261 20.34). */
struct sx_sip_route {
	struct sx_sip_addr addr;
	const struct sx_sip_hdr *hdr;
	unsigned index;
};

struct sx_sip_msg {
	struct sx_sl wire;     /**< all bytes of this message */
	void *owner;	       /**< sx_mem block referenced, or NULL */
	bool is_request;

	/* request line */
	enum sx_sip_method method;
	struct sx_sl method_sl;
	struct sx_sl ruri_sl;
	struct sx_sip_uri ruri;

	/* status line */
	uint16_t status;
	struct sx_sl reason;

	struct sx_sl version;  /**< "SIP/2.0" */

	/* header fields in wire order */
	struct sx_sip_hdr *hdrs;
	size_t nhdrs;

	/* eager fields */
	struct sx_sip_via *vias; /**< all Via values, top first */
	size_t nvias;
	struct sx_sip_addr from, to;
	struct sx_sl from_tag, to_tag; /**< empty when absent */
	struct sx_sl call_id;
	uint32_t cseq;
	enum sx_sip_method cseq_method;
	struct sx_sl cseq_method_sl;
	int max_forwards;	/**< -1 when absent (RFC 2543 peers) */
	bool has_content_length;
	uint32_t content_length;
	struct sx_sip_route *routes;
	size_t nroutes;

	struct sx_sl body;

	struct sx_arena arena;	/**< parse products; private */
};

struct sx_sip_parse_prm {
	bool stream;  /**< from TCP/TLS/WS: Content-Length required and
			   frames the body (RFC 3261 18.3) */
	void *owner;  /**< sx_mem block holding the bytes; referenced */
};

/**
 * Parse one message from @p/@len.  On success *msgp is a new message
 * (free with sx_sip_msg_free()).  On error returns -EBADMSG (or -E2BIG
 * for a limit, -ENOMEM) and fills *errp when given.  Over UDP (not
 * stream), bytes after Content-Length are ignored (RFC 3261 18.3,
 * RFC 4475 3.1.1.8); a Content-Length larger than the rest is an error.
 */
int sx_sip_msg_parse(struct sx_sip_msg **msgp, const char *p, size_t len,
		     const struct sx_sip_parse_prm *prm,
		     struct sx_sip_perr *errp) SX_MUST_CHECK;

void sx_sip_msg_free(struct sx_sip_msg *msg);

/**
 * Stream framing (RFC 3261 18.3): length of the first complete message
 * in @p/@len, skipping leading CRLFs (keep-alives) which are counted in
 * the result.  -EAGAIN when more bytes are needed, -EBADMSG when the
 * header is malformed or Content-Length missing/bad, -E2BIG over
 * SX_SIP_MAX_MSG_SIZE.  *skipp receives the count of leading CRLF bytes.
 */
ssize_t sx_sip_msg_frame(const char *p, size_t len, size_t *skipp);

/** First header with @id, or NULL. */
const struct sx_sip_hdr *sx_sip_msg_hdr(const struct sx_sip_msg *msg,
					enum sx_sip_hdr_id id);

/** Next header with @id after @prev (NULL starts at the first). */
const struct sx_sip_hdr *sx_sip_msg_hdr_next(const struct sx_sip_msg *msg,
					     const struct sx_sip_hdr *prev,
					     enum sx_sip_hdr_id id);

/** First header with this name (case-insensitive, for unknown ones). */
const struct sx_sip_hdr *sx_sip_msg_hdr_by_name(const struct sx_sip_msg *msg,
						struct sx_sl name);

/** Allocate from the message's arena (for lazy parse products). */
void *sx_sip_msg_alloc(struct sx_sip_msg *msg, size_t size) SX_MUST_CHECK;

#endif
