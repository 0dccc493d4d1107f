/*
 * Private state of the SIP transaction layer (RFC 3261 17): the layer,
 * the transaction object and the functions shared between layer.c,
 * client.c, server.c and build.c.
 */
#ifndef SX_SIP_TSX_INT_H
#define SX_SIP_TSX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <sx/port/tmr.h>
#include <sx/sip/tsx.h>
#include <sx/util/buf.h>

/** Hash buckets per table: the power of two at or above max_tsx / 2,
 *  within these bounds. */
#define SX_SIP_TSX_BUCKETS_MIN 64u
#define SX_SIP_TSX_BUCKETS_MAX (1u << 20)
/** Longest bucket chain a new server transaction may join; beyond it the
 *  request gets a 503 (keys are peer-chosen strings: this bounds every
 *  lookup even under deliberate collisions). */
#define SX_SIP_TSX_CHAIN_MAX 64u
/** Longest To tag a server transaction remembers (RFC 2543 ACK match). */
#define SX_SIP_TSX_TAG_MAX 64u
/** Largest message the layer builds (ACK, CANCEL, replies). */
#define SX_SIP_TSX_BUILD_MAX SX_SIP_MAX_MSG_SIZE
/** Max-Forwards of the requests the layer builds (RFC 3261 8.1.1.6). */
#define SX_SIP_TSX_MAX_FORWARDS 70u
/** The RFC 3261 branch magic cookie (8.1.1.7). */
#define SX_SIP_MAGIC_COOKIE "z9hG4bK"
/** Random bytes fetched from getrandom() at a time. */
#define SX_SIP_TSX_RND_POOL 256u

/* Intrusive doubly linked list link. */
struct sx_sip_tsx_link {
	struct sx_sip_tsx *next, *prev;
};

/*
 * What matches later requests to a transaction (17.2.3, 9.2, 8.2.2.2),
 * besides sx_sip_tsx.branch.  The slices point into the request until a
 * completed non-INVITE server transaction lets its request go
 * (server.c): then they point into one block of copies.
 */
struct sx_sip__tsx_key {
	struct sx_sl sent_by; /* top Via sent-by host */
	uint16_t sent_by_port;
	bool sent_by_has_port;
	struct sx_sl via_raw; /* top Via value */
	struct sx_sl call_id, from_tag, to_tag, method_sl;
	uint32_t cseq;
};

struct sx_sip_tsx_layer {
	struct sx_ev *loop;
	struct sx_sip_tport *tp;
	struct sx_sip_tsx_layer_prm prm; /* defaults filled in */
	/* client transactions by branch; server ones by branch (magic
	 * cookie) and all server ones by Call-ID/From tag/CSeq */
	struct sx_sip_tsx **cli_tab, **srv_tab, **req_tab;
	uint32_t mask;          /* buckets - 1 */
	struct sx_sip_tsx *all; /* every live transaction */
	size_t count;
	uint64_t serial; /* makes generated branches unique */
	uint8_t rnd[SX_SIP_TSX_RND_POOL];
	size_t rnd_pos;
	/* completed server transactions whose request goes at the next
	 * received message (referenced) */
	struct sx_sip_tsx *compact;
};

struct sx_sip_tsx {
	struct sx_sip_tsx_layer *layer; /* NULL once the layer is gone */
	struct sx_sip_tsx_link hl;      /* cli_tab or srv_tab bucket */
	struct sx_sip_tsx_link rl;      /* req_tab bucket (server) */
	struct sx_sip_tsx_link al;      /* layer->all */
	uint32_t hkey, rkey;            /* bucket indexes */
	bool in_srv_tab;                /* server with magic cookie */
	bool client, invite, reliable;
	bool err_mark; /* tport_err sweep */
	enum sx_sip_tsx_state state;
	enum sx_sip_method method;
	struct sx_sip_msg *req;  /* owns the request bytes; NULL once a
	                            completed server tsx let it go */
	struct sx_sl branch;     /* top Via branch (into req or key_buf) */
	struct sx_sip__tsx_key key;
	char *key_buf;                  /* the key's copies, without req */
	struct sx_sip_tsx *compact_next; /* layer->compact list */
	bool compact_queued;             /* in layer->compact */
	unsigned req_holds;              /* sx_sip_tsx_hold_request() */
	struct sx_sip_peer peer; /* client: next hop; server: source */
	struct sx_sip_peer rdst; /* server: where responses go */
	char *out;               /* client: ACK; server: last response */
	size_t outlen;
	uint16_t status;
	uint32_t retx_ms;     /* current Timer A/E/G interval */
	struct sx_tmr t_retx; /* A, E, G */
	struct sx_tmr t_end;  /* B, D, F, H, I, J, K, L, M, guards */
	struct sx_tmr t_aux;  /* 100 Trying (server), C (client) */
	sx_sip_tsx_response_h *resp_h;
	void *arg;
	/* client INVITE */
	bool timer_c, got_prov, cancelling;
	char *cancel; /* built CANCEL waiting for a 1xx */
	size_t cancel_len;
	/* server */
	char to_tag[SX_SIP_TSX_TAG_MAX];
	size_t to_tag_len;
	bool tag_sent; /* a response carried to_tag */
	bool once;     /* sx_sip_tsx_reply_once(): no Timer J */
};

/* -- layer.c -- */
uint32_t sx_sip__tsx_tmr_ms(const struct sx_sip_tsx_layer *l, uint32_t t1x);
int sx_sip__tsx_arm(struct sx_sip_tsx *t, struct sx_tmr *tm, uint64_t ms,
                    sx_tmr_h *h) SX_MUST_CHECK;
void sx_sip__tsx_disarm(struct sx_sip_tsx *t, struct sx_tmr *tm);
void sx_sip__tsx_end(struct sx_sip_tsx *t, enum sx_sip_tsx_end why,
                     bool notify);
struct sx_sip_tsx *sx_sip__tsx_new(struct sx_sip_tsx_layer *l, bool client,
                                   struct sx_sip_msg *req,
                                   const struct sx_sip_peer *peer);
void sx_sip__tsx_link(struct sx_sip_tsx *t);
/* Best effort where a loss is covered by retransmission: not MUST_CHECK. */
int sx_sip__tsx_send(struct sx_sip_tsx_layer *l, const struct sx_sip_peer *dst,
                     const char *buf, size_t len);
bool sx_sip__tsx_cookie(struct sx_sl branch);
bool sx_sip__tsx_method_eq(const struct sx_sip_tsx *t, enum sx_sip_method m,
                           struct sx_sl m_sl);
struct sx_sip_tsx *sx_sip__tsx_cli_find(struct sx_sip_tsx_layer *l,
                                        struct sx_sl branch,
                                        enum sx_sip_method m,
                                        struct sx_sl m_sl);
/* What a server transaction lookup is for (RFC 3261 17.2.3, 9.2). */
enum sx_sip__tsx_find {
	SX_SIP__TSX_FIND_SAME,   /* same method: a retransmission */
	SX_SIP__TSX_FIND_ACK,    /* the INVITE an ACK belongs to */
	SX_SIP__TSX_FIND_TARGET, /* the request a CANCEL is for */
};
struct sx_sip_tsx *sx_sip__tsx_srv_find(struct sx_sip_tsx_layer *l,
                                        const struct sx_sip_msg *req,
                                        enum sx_sip__tsx_find mode);
bool sx_sip__tsx_merged(struct sx_sip_tsx_layer *l,
                        const struct sx_sip_msg *req);
bool sx_sip__tsx_crowded(const struct sx_sip_tsx_layer *l,
                         const struct sx_sip_msg *req);
void sx_sip__tsx_rnd(struct sx_sip_tsx_layer *l, uint8_t *out, size_t n);

/* -- client.c -- */
void sx_sip__tsx_cli_recv(struct sx_sip_tsx *t, const struct sx_sip_msg *resp);
void sx_sip__tsx_cli_fail(struct sx_sip_tsx *t, uint16_t status,
                          enum sx_sip_tsx_end why);
bool sx_sip__tsx_cli_waiting(const struct sx_sip_tsx *t);
int sx_sip__tsx_cli_start(struct sx_sip_tsx **tsxp, struct sx_sip_tsx_layer *l,
                          char *block, size_t len,
                          const struct sx_sip_tsx_req_prm *prm,
                          bool internal) SX_MUST_CHECK;

/* -- server.c -- */
void sx_sip__tsx_compact_pending(struct sx_sip_tsx_layer *l);
void sx_sip__tsx_srv_recv(struct sx_sip_tsx_layer *l, struct sx_sip_msg *req,
                          const struct sx_sip_peer *peer);

/* -- build.c -- */
int sx_sip__tsx_build_ack(const struct sx_sip_msg *req,
                          const struct sx_sip_msg *resp,
                          struct sx_buf *out) SX_MUST_CHECK;
int sx_sip__tsx_build_cancel(const struct sx_sip_msg *req, struct sx_sl extra,
                             struct sx_buf *out) SX_MUST_CHECK;
int sx_sip__tsx_build_reply(const struct sx_sip_msg *req, uint16_t code,
                            const char *reason, struct sx_sl to_tag,
                            struct sx_sl extra, struct sx_sl ctype,
                            struct sx_sl body,
                            struct sx_buf *out) SX_MUST_CHECK;
void sx_sip__tsx_stateless_tag(struct sx_sip_tsx_layer *l,
                               const struct sx_sip_msg *req, char *buf);
void sx_sip__tsx_resp_dst(const struct sx_sip_msg *req,
                          const struct sx_sip_peer *peer,
                          struct sx_sip_peer *dst);

#endif
