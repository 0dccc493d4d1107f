/*
 * sx_store event logs: append-only journals for call-state events (the
 * proxy's output, sipXproxy's CSE table) and Call Detail Records (the cdr
 * service's output).  A record is a call id, a type, a time and a small
 * opaque text of fields (JSON or key=value; the store does not parse it).
 * Minimal on purpose: the CDR service extends it.
 *
 * Appends are asynchronous with a struct sx_store_cb, synchronous with
 * NULL (see <sx/store/store.h>).  Listing blocks the calling thread.
 */
#ifndef SX_STORE_EVENT_H
#define SX_STORE_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sx/store/store.h>
#include <sx/util/compiler.h>
#include <sx/util/sl.h>

/** Field length limits, bytes. */
#define SX_STORE_EV_CALL_ID_MAX 256u
#define SX_STORE_EV_TYPE_MAX    64u
#define SX_STORE_EV_FIELDS_MAX  16384u

/** The append-only logs. */
enum sx_store_log {
	SX_STORE_LOG_CALL_EVENTS = 0, /**< call-state events */
	SX_STORE_LOG_CDRS,            /**< call detail records */
	SX_STORE_LOG_COUNT
};

/** A log record.  Slices are read during the call only (copied). */
struct sx_store_event {
	int64_t id;           /**< assigned by the store, increasing (output) */
	struct sx_sl call_id; /**< Call-ID; non-empty */
	struct sx_sl type;    /**< e.g. "setup", "connect", "end"; non-empty */
	int64_t time_ms;      /**< unix time in milliseconds */
	struct sx_sl fields;  /**< opaque text, may be empty */
};

/**
 * List handler: @ev and its slices are valid during the call only.
 * Return 0 to go on or a negative errno to stop.  Must not call the
 * store's read functions.
 */
typedef int(sx_store_event_h)(const struct sx_store_event *ev, void *arg);

/**
 * Append @ev (its id is ignored) to @log.  Write result: 0.  Returns 0
 * (queued), -EINVAL, -ENOMEM, -ENOBUFS, -ESHUTDOWN; synchronously the
 * result.
 */
int sx_store_event_append(struct sx_store *st, enum sx_store_log log,
                          const struct sx_store_event *ev,
                          const struct sx_store_cb *cb) SX_MUST_CHECK;

/**
 * Call @fn for the records of @log with time_ms >= @since_ms, oldest
 * first (ties by id), at most @limit of them (0 = all).  Blocks.  Returns
 * the number visited, the handler's negative value, -EINVAL, or a
 * backend error.
 */
ssize_t sx_store_event_list(struct sx_store *st, enum sx_store_log log,
                            int64_t since_ms, size_t limit,
                            sx_store_event_h *fn, void *arg);

/**
 * Call @fn for the records of @log with id > @after_id, in id order, at
 * most @limit of them (0 = all).  Ids are assigned in commit order (one
 * writer at a time per database), so a reader that remembers the last id
 * it saw misses no record however late it was committed.  Blocks.
 * Returns as sx_store_event_list(), or -ENOTSUP for a backend without it.
 */
ssize_t sx_store_event_list_after(struct sx_store *st, enum sx_store_log log,
                                  int64_t after_id, size_t limit,
                                  sx_store_event_h *fn, void *arg);

/** *@idp = the largest id of @log (0 when empty).  0, -EINVAL, -ENOTSUP
 *  or a backend error. */
int sx_store_event_last_id(struct sx_store *st, enum sx_store_log log,
                           int64_t *idp);

#endif
