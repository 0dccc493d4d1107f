/*
 * SDP session descriptions (RFC 4566): parse, build and print.
 *
 * One struct serves both directions.  sx_sdp_parse() fills it with slices
 * into the caller's body (zero-copy; pass an sx_mem block as @owner to
 * have the description hold a reference on it).  The builder functions
 * (sx_sdp_alloc(), sx_sdp_media_add(), sx_sdp_codec_add() ...) fill it
 * from scratch, copying their strings into the description's arena.
 * sx_sdp_print() writes either form back, byte-exact, with CRLF endings.
 *
 * The attribute list of each level (struct sx_sdp_attr) is what gets
 * printed, in order.  The typed fields next to it (direction, ptime, rtcp,
 * the rtpmap/fmtp data of each format ...) are a view of that list kept up
 * to date by the parser and by every builder call.
 *
 * Parser choices (strict where it costs nothing, lenient where real phones
 * deviate):
 *  - v=0 must be the first line and o= must follow; s= is required but may
 *    be empty or a single space ("s=" as sent by some phones; RFC 5118 4.8).
 *  - Inside the session section, the lines after o= may come in any order
 *    (phones put c= or a= before t=, b= after t=), as may the lines after
 *    each m=; an r= line must follow a t= line.  i=, u=, c=, k=, z= appear
 *    at most once per level (RFC 4566 5: a second c= inside a media
 *    section, allowed only for layered multicast, is rejected).
 *  - t= may be missing (old gateways); sx_sdp_print() then writes "t=0 0".
 *  - A line type letter we do not know fails the parse (RFC 4566 5: such
 *    a description must be ignored completely).
 *  - Lines end with CRLF or a bare LF; a bare CR is an error.  Empty lines
 *    are skipped and the last line needs no terminator.
 *  - A missing c= is not an error here; offer/answer reports the stream
 *    without a remote address.
 *
 * Errors: -EINVAL for bad arguments, -EBADMSG for bad syntax, -E2BIG when
 * a limit below is exceeded, -ENOMEM.
 */
#ifndef SX_SDP_SDP_H
#define SX_SDP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/util/arena.h>
#include <sx/util/buf.h>
#include <sx/util/compiler.h>
#include <sx/util/sl.h>

/* -- limits (local policy) ------------------------------------------- */
/** Largest body accepted by the parser, bytes (one UDP SIP message). */
#define SX_SDP_MAX_LEN 65535
/** Most lines per description. */
#define SX_SDP_MAX_LINES 1024
/** Longest line, bytes without its terminator. */
#define SX_SDP_MAX_LINE_LEN 4096
/** Most m= sections. */
#define SX_SDP_MAX_MEDIA 16
/** Most formats on one m= line. */
#define SX_SDP_MAX_FMTS 32
/** Most a= lines per level (session or one media section). */
#define SX_SDP_MAX_ATTRS 128
/** Most b= lines per level. */
#define SX_SDP_MAX_BW 8
/** Most t= lines, and most r= lines per t=. */
#define SX_SDP_MAX_TIMES 8
/** Most e= or p= lines each. */
#define SX_SDP_MAX_CONTACTS 8
/** Longest connection address (an FQDN), bytes. */
#define SX_SDP_MAX_ADDR_LEN 255
/** Arena bytes per description (parse and builder products). */
#define SX_SDP_MAX_ARENA (512 * 1024)

/** Address families of c= and o= (RFC 4566 5.7, addrtype). */
enum sx_sdp_af {
	SX_SDP_AF_NONE = 0, /**< no address (line absent) */
	SX_SDP_AF_IP4,
	SX_SDP_AF_IP6,
	SX_SDP_AF_OTHER, /**< unknown nettype/addrtype, kept as text */
};

/** Media direction attributes (RFC 4566 6; RFC 3264 5.1). */
enum sx_sdp_dir {
	SX_SDP_DIR_NONE = 0, /**< no attribute at this level */
	SX_SDP_DIR_SENDRECV,
	SX_SDP_DIR_SENDONLY,
	SX_SDP_DIR_RECVONLY,
	SX_SDP_DIR_INACTIVE,
};

/** Transport protocols of m= (RFC 4566 5.14, RFC 3711, RFC 4585, 5764). */
enum sx_sdp_proto {
	SX_SDP_PROTO_OTHER = 0,
	SX_SDP_PROTO_RTP_AVP,
	SX_SDP_PROTO_RTP_SAVP,
	SX_SDP_PROTO_RTP_AVPF,
	SX_SDP_PROTO_RTP_SAVPF,
	SX_SDP_PROTO_UDP_TLS_RTP_SAVP,
	SX_SDP_PROTO_UDP_TLS_RTP_SAVPF,
	SX_SDP_PROTO_UDP,
};

/** Media types of m= (RFC 4566 5.14). */
enum sx_sdp_mtype {
	SX_SDP_MEDIA_OTHER = 0,
	SX_SDP_MEDIA_AUDIO,
	SX_SDP_MEDIA_VIDEO,
	SX_SDP_MEDIA_TEXT,
	SX_SDP_MEDIA_APPLICATION,
	SX_SDP_MEDIA_MESSAGE,
	SX_SDP_MEDIA_IMAGE,
};

/** A connection address (c=) or the address part of o=. */
struct sx_sdp_conn {
	struct sx_sl nettype;  /**< "IN" */
	struct sx_sl addrtype; /**< "IP4", "IP6" */
	struct sx_sl addr;     /**< address without /ttl and /count */
	enum sx_sdp_af af;     /**< NONE when the line is absent */
	bool fqdn;             /**< addr is a host name, not a literal */
	bool multicast;        /**< literal in 224/4 or ff00::/8 */
	bool any;              /**< 0.0.0.0 or :: (RFC 2543 style hold) */
	uint8_t ttl;           /**< IP4 multicast TTL, 0 when none */
	uint32_t naddr;        /**< number of addresses, 1 when absent */
};

/** o= (RFC 4566 5.2). */
struct sx_sdp_origin {
	struct sx_sl username;   /**< "-" when the host has no user ids */
	struct sx_sl sess_id;    /**< digits, kept as text (any length) */
	uint64_t sess_version;   /**< bumped on every change (RFC 3264 8) */
	struct sx_sdp_conn addr; /**< unicast address of the originator */
};

/** One line kept as text (e=, p=, r=), in order. */
struct sx_sdp_line {
	struct sx_sl value;
	struct sx_sdp_line *next;
};

/** Bandwidth types we interpret (RFC 4566 5.8, RFC 3890). */
enum sx_sdp_bwtype {
	SX_SDP_BW_OTHER = 0,
	SX_SDP_BW_CT,   /**< conference total, kbit/s */
	SX_SDP_BW_AS,   /**< application specific, kbit/s */
	SX_SDP_BW_TIAS, /**< transport independent, bit/s */
};

/** b= (RFC 4566 5.8). */
struct sx_sdp_bw {
	struct sx_sl type; /**< bwtype as written */
	enum sx_sdp_bwtype kind;
	uint32_t value; /**< kbit/s, or bit/s for TIAS */
	struct sx_sdp_bw *next;
};

/** t= with its r= lines (RFC 4566 5.9, 5.10). */
struct sx_sdp_time {
	uint64_t start, stop;        /**< NTP seconds, 0 = unbounded */
	struct sx_sdp_line *repeats; /**< r= values, syntax checked */
	struct sx_sdp_time *next;
};

/** a= (RFC 4566 5.13): "name" or "name:value". */
struct sx_sdp_attr {
	struct sx_sl name;
	struct sx_sl value; /**< unset (p == NULL) for a property attr */
	struct sx_sdp_attr *next;
};

/** One format of an m= line with its rtpmap/fmtp view (RFC 4566 6). */
struct sx_sdp_fmt {
	struct sx_sl id;     /**< fmt token as on the m= line */
	int pt;              /**< RTP payload type 0..127, -1 if not RTP */
	struct sx_sl name;   /**< encoding name (rtpmap, else RFC 3551) */
	uint32_t rate;       /**< clock rate, 0 when unknown */
	uint8_t channels;    /**< 1 unless rtpmap says otherwise */
	bool rtpmap;         /**< name/rate came from an a=rtpmap */
	struct sx_sl params; /**< a=fmtp value after "<fmt> ", may be unset */
};

/** One m= section (RFC 4566 5.14) and its lines. */
struct sx_sdp_media {
	struct sx_sl type; /**< "audio", "video" ... */
	enum sx_sdp_mtype mtype;
	uint16_t port;         /**< 0 = rejected / disabled stream */
	uint16_t nports;       /**< from "port/n", 0 when not written */
	struct sx_sl proto_sl; /**< "RTP/AVP" ... as written */
	enum sx_sdp_proto proto;
	struct sx_sdp_fmt fmts[SX_SDP_MAX_FMTS];
	unsigned nfmts;
	struct sx_sl info;         /**< i=, unset when absent */
	struct sx_sdp_conn conn;   /**< c=, af NONE when absent */
	struct sx_sdp_bw *bw;      /**< b= lines in order */
	struct sx_sl key;          /**< k=, unset when absent */
	struct sx_sdp_attr *attrs; /**< a= lines in order (what is printed) */
	/* typed view of attrs */
	enum sx_sdp_dir dir;          /**< direction attr at this level */
	uint32_t ptime;               /**< a=ptime ms, 0 when absent */
	uint32_t maxptime;            /**< a=maxptime ms, 0 when absent */
	bool has_rtcp;                /**< a=rtcp present (RFC 3605) */
	uint16_t rtcp_port;           /**< its port */
	struct sx_sdp_conn rtcp_conn; /**< its optional address */
	bool rtcp_mux;                /**< a=rtcp-mux (RFC 5761) */
	struct sx_sl mid;     /**< a=mid (RFC 5888), unset when absent */
	unsigned nattrs, nbw; /**< list lengths, for limits */
};

/** A whole session description. */
struct sx_sdp {
	struct sx_sdp_origin origin; /**< o= */
	struct sx_sl name;           /**< s= as written, may be empty */
	struct sx_sl info;           /**< i=, unset when absent */
	struct sx_sl uri;            /**< u=, unset when absent */
	struct sx_sdp_line *emails;  /**< e= lines */
	struct sx_sdp_line *phones;  /**< p= lines */
	struct sx_sdp_conn conn;     /**< session c=, af NONE if absent */
	struct sx_sdp_bw *bw;        /**< session b= lines */
	struct sx_sdp_time *times;   /**< t= lines; none = "t=0 0" */
	struct sx_sl zone;           /**< z=, unset when absent */
	struct sx_sl key;            /**< k=, unset when absent */
	struct sx_sdp_attr *attrs;   /**< session a= lines in order */
	enum sx_sdp_dir dir;         /**< session-level direction attr */
	struct sx_sdp_media *media[SX_SDP_MAX_MEDIA];
	unsigned nmedia;
	unsigned nattrs, nbw, ntimes, nemails, nphones;
	void *owner;           /**< sx_mem block referenced, or NULL */
	struct sx_arena arena; /**< all products (private) */
};

/**
 * Parse @len bytes at @buf.  On success *@sdpp is a new sx_mem block
 * (free with sx_mem_unref()) whose slices point into @buf; @buf must stay
 * valid as long as it, or be the sx_mem block @owner, which then gets a
 * reference.  Never reads past @len and needs no NUL.
 * Returns 0, -EINVAL, -EBADMSG, -E2BIG or -ENOMEM; *@sdpp is untouched on
 * error.  Any thread; the result is not shared.
 */
int sx_sdp_parse(struct sx_sdp **sdpp, const char *buf, size_t len,
                 void *owner) SX_MUST_CHECK;

/**
 * Append the description to @b: RFC 4566 line order, single spaces, CRLF
 * endings.  Returns 0, -EINVAL (no o= set) or the buffer's error
 * (-ENOMEM, -E2BIG).
 */
int sx_sdp_print(struct sx_buf *b, const struct sx_sdp *sdp) SX_MUST_CHECK;

/* -- builder ----------------------------------------------------------- */

/**
 * New empty description (sx_mem block, free with sx_mem_unref()).  The
 * builder calls below copy every string into it.  0 or -ENOMEM.
 */
int sx_sdp_alloc(struct sx_sdp **sdpp) SX_MUST_CHECK;

/**
 * Set o=: @username ("-" when empty), decimal @sess_id and @version, and
 * the unicast address literal @addr (IP4 or IP6 chosen from its form).
 * 0, -EINVAL (bad address) or -ENOMEM.
 */
int sx_sdp_origin_set(struct sx_sdp *sdp, struct sx_sl username,
                      uint64_t sess_id, uint64_t version,
                      struct sx_sl addr) SX_MUST_CHECK;

/** Set s= (an empty slice prints "s=-").  0, -EINVAL, -E2BIG, -ENOMEM. */
int sx_sdp_name_set(struct sx_sdp *sdp, struct sx_sl name) SX_MUST_CHECK;

/**
 * Set c= of the session (@m NULL) or of media @m to the address literal
 * or host name @addr (a host name is taken as IP4).
 * 0, -EINVAL or -ENOMEM.
 */
int sx_sdp_conn_set(struct sx_sdp *sdp, struct sx_sdp_media *m,
                    struct sx_sl addr) SX_MUST_CHECK;

/** Add a t= line (0 0 = permanent session).  0, -E2BIG or -ENOMEM. */
int sx_sdp_time_add(struct sx_sdp *sdp, uint64_t start,
                    uint64_t stop) SX_MUST_CHECK;

/** Add b=@type:@value to the session (@m NULL) or media @m. */
int sx_sdp_bw_add(struct sx_sdp *sdp, struct sx_sdp_media *m, struct sx_sl type,
                  uint32_t value) SX_MUST_CHECK;

/**
 * Add an m= section "@type @port @proto" with no formats yet; *@mp is
 * owned by @sdp.  0, -EINVAL, -E2BIG or -ENOMEM.
 */
int sx_sdp_media_add(struct sx_sdp *sdp, struct sx_sdp_media **mp,
                     struct sx_sl type, uint16_t port,
                     struct sx_sl proto) SX_MUST_CHECK;

/** Add a bare format token (non-RTP protos, rejected streams). */
int sx_sdp_fmt_add(struct sx_sdp *sdp, struct sx_sdp_media *m,
                   struct sx_sl id) SX_MUST_CHECK;

/**
 * Add RTP payload type @pt with a=rtpmap:@pt @name/@rate[/@channels]
 * (channels written when > 1) and, when @fmtp is not empty,
 * a=fmtp:@pt @fmtp.  0, -EINVAL, -EEXIST (pt already listed), -E2BIG or
 * -ENOMEM.
 */
int sx_sdp_codec_add(struct sx_sdp *sdp, struct sx_sdp_media *m, uint8_t pt,
                     struct sx_sl name, uint32_t rate, uint8_t channels,
                     struct sx_sl fmtp) SX_MUST_CHECK;

/**
 * Append a=@name[:@value] (an unset @value gives a property attribute) to
 * the session (@m NULL) or media @m and update the typed view; known
 * attributes are syntax checked (-EBADMSG); the line must stay below
 * SX_SDP_MAX_LINE_LEN (-E2BIG).  0, -EINVAL, -EBADMSG, -E2BIG or -ENOMEM.
 */
int sx_sdp_attr_add(struct sx_sdp *sdp, struct sx_sdp_media *m,
                    struct sx_sl name, struct sx_sl value) SX_MUST_CHECK;

/**
 * Replace the direction attribute of the session (@m NULL) or media @m
 * (NONE removes it).  0 or -ENOMEM.
 */
int sx_sdp_dir_set(struct sx_sdp *sdp, struct sx_sdp_media *m,
                   enum sx_sdp_dir dir) SX_MUST_CHECK;

/* -- helpers ------------------------------------------------------------ */

/** First attribute called @name (case-insensitive) in @list, or NULL. */
const struct sx_sdp_attr *sx_sdp_attr_find(const struct sx_sdp_attr *list,
                                           struct sx_sl name);

/** Format with payload type @pt in @m, or NULL. */
const struct sx_sdp_fmt *sx_sdp_fmt_find(const struct sx_sdp_media *m, int pt);

/**
 * Effective direction of @m: its own attribute, else the session's, else
 * sendrecv (RFC 3264 5.1).
 */
enum sx_sdp_dir sx_sdp_media_dir(const struct sx_sdp *sdp,
                                 const struct sx_sdp_media *m);

/** Effective connection of @m: its c=, else the session c= (may be NONE). */
const struct sx_sdp_conn *sx_sdp_media_conn(const struct sx_sdp *sdp,
                                            const struct sx_sdp_media *m);

/** Attribute name of a direction ("sendrecv" ...), NULL for NONE. */
const char *sx_sdp_dir_name(enum sx_sdp_dir dir);

/**
 * RFC 3551 6 static payload type: encoding name, clock rate and channels
 * of @pt.  0, or -ENOENT for dynamic / unassigned numbers.
 */
int sx_sdp_static_pt(int pt, const char **namep, uint32_t *ratep,
                     uint8_t *channelsp);

#endif
