/*
 * sx_store bindings: the registrar's location service records (RFC 3261
 * section 10.3, RFC 5626 section 6 for instance and reg-id, RFC 3327 for
 * Path).  A binding is keyed by (aor, contact).  The registrar keeps its
 * own in-memory index, loaded at start with sx_store_binding_load(), and
 * writes every change through here before it answers the REGISTER: the
 * 200 OK is sent from the write's completion, so an acknowledged
 * registration survives kill -9.
 *
 * Writes are asynchronous with a struct sx_store_cb, synchronous with
 * NULL (see <sx/store/store.h>).  Loads block the calling thread.
 */
#ifndef SX_STORE_BINDING_H
#define SX_STORE_BINDING_H

#include <stdint.h>
#include <sys/types.h>

#include <sx/store/store.h>
#include <sx/util/compiler.h>
#include <sx/util/sl.h>

/** Field length limits, bytes. */
#define SX_STORE_AOR_MAX       512u
#define SX_STORE_CONTACT_MAX   2048u
#define SX_STORE_CALL_ID_MAX   256u
#define SX_STORE_BPATH_MAX     4096u
#define SX_STORE_INSTANCE_MAX  256u
#define SX_STORE_UA_MAX        256u
#define SX_STORE_RECEIVED_MAX  128u
#define SX_STORE_TRANSPORT_MAX 16u
/** Highest q value (q=1.0 is 1000). */
#define SX_STORE_Q_MAX 1000u

/** A binding.  Slices are read during the call only (copied). */
struct sx_store_binding {
	struct sx_sl aor;        /**< address-of-record (key); non-empty */
	struct sx_sl contact;    /**< Contact URI (key); non-empty */
	uint16_t q;              /**< q-value x 1000, 0..SX_STORE_Q_MAX */
	int64_t expires_at;      /**< absolute expiry, unix seconds */
	struct sx_sl call_id;    /**< Call-ID of the REGISTER */
	uint32_t cseq;           /**< CSeq number of the REGISTER */
	struct sx_sl path;       /**< Path header values, may be empty */
	struct sx_sl instance;   /**< +sip.instance, may be empty */
	uint32_t reg_id;         /**< RFC 5626 reg-id, 0 = none */
	struct sx_sl user_agent; /**< User-Agent, may be empty */
	struct sx_sl received;   /**< source address text, may be empty */
	struct sx_sl transport;  /**< "udp", "tcp", "tls", "ws"... */
	int64_t updated_at;      /**< unix seconds of this change */
};

/**
 * Load handler: @b and its slices are valid during the call only.
 * Return 0 to go on or a negative errno to stop (the load returns it).
 * Must not call the store's read functions.
 */
typedef int(sx_store_binding_h)(const struct sx_store_binding *b, void *arg);

/**
 * Insert @b, or replace every field of the binding with the same (aor,
 * contact).  Write result: 0.  Returns 0 (queued), -EINVAL, -ENOMEM,
 * -ENOBUFS (queue full), -ESHUTDOWN; synchronously the result.
 */
int sx_store_binding_upsert(struct sx_store *st,
                            const struct sx_store_binding *b,
                            const struct sx_store_cb *cb) SX_MUST_CHECK;

/** Delete one binding.  Write result: 0 or -ENOENT.  Returns as upsert. */
int sx_store_binding_delete(struct sx_store *st, struct sx_sl aor,
                            struct sx_sl contact,
                            const struct sx_store_cb *cb) SX_MUST_CHECK;

/** Delete every binding of @aor.  Write result: 0. */
int sx_store_binding_delete_aor(struct sx_store *st, struct sx_sl aor,
                                const struct sx_store_cb *cb) SX_MUST_CHECK;

/** Delete bindings with expires_at <= @now (unix seconds).  Result: 0. */
int sx_store_binding_delete_expired(struct sx_store *st, int64_t now,
                                    const struct sx_store_cb *cb) SX_MUST_CHECK;

/**
 * Call @fn for every binding (ordered by aor, then contact), or only for
 * those of @aor when @aor is set.  Blocks.  Returns the number visited,
 * the handler's negative value, -EINVAL, or a backend error.
 */
ssize_t sx_store_binding_load(struct sx_store *st, struct sx_sl aor,
                              sx_store_binding_h *fn, void *arg);

#endif
