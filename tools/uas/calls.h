/*
 * sipx-uas call table: the calls one worker is answering, found by
 * Call-ID (RFC 3261 12: the UAS side of an INVITE dialog is identified
 * by Call-ID and tags; a test UAS only needs the Call-ID).
 */
#ifndef SX_UAS_CALLS_H
#define SX_UAS_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/port/tmr.h>
#include <sx/sip/tsx.h>
#include <sx/util/buf.h>
#include <sx/util/sl.h>

/** Hash buckets per worker. */
#define UAS_BUCKETS 16384u
/** Most calls one worker keeps at once (over it: 503). */
#define UAS_CALLS_MAX 100000u

enum uas_call_state {
	UAS_CALL_RINGING,  /**< provisional sent, final pending */
	UAS_CALL_ANSWERED, /**< 2xx sent, waiting for the ACK */
	UAS_CALL_CONFIRMED /**< ACK received, waiting for BYE */
};

struct uas_worker;

/** One call (an sx_mem object owned by the table). */
struct uas_call {
	struct uas_call *next; /**< bucket chain */
	struct uas_worker *uw;
	char *call_id;         /**< copy (sx_mem) */
	size_t call_id_len;
	enum uas_call_state state;
	struct sx_sip_tsx *invite; /**< referenced until ACK or give-up */
	struct sx_buf extra;       /**< header lines of the 2xx */
	struct sx_tmr tmr;         /**< answer delay or 2xx retransmission */
	uint32_t interval_ms;      /**< current 2xx retransmission interval */
	uint64_t answered_at;      /**< loop time of the first 2xx */
};

/** The table of one worker. */
struct uas_calls {
	struct uas_call **bucket; /**< UAS_BUCKETS chains (sx_mem) */
	size_t n;
};

/** Allocate the buckets.  0 or -ENOMEM. */
int uas_calls_init(struct uas_calls *c);

/** Free every call and the buckets. */
void uas_calls_fini(struct uas_calls *c);

/** The call with this Call-ID, or NULL. */
struct uas_call *uas_calls_find(struct uas_calls *c, struct sx_sl call_id);

/**
 * New call for @call_id in the table (state RINGING, no transaction).
 * Returns 0, -ENOSPC (UAS_CALLS_MAX) or -ENOMEM.
 */
int uas_calls_add(struct uas_calls *c, struct uas_worker *uw,
                  struct sx_sl call_id, struct uas_call **callp);

/** Remove @call from the table and free it (stops its timer). */
void uas_calls_del(struct uas_calls *c, struct uas_call *call);

#endif
