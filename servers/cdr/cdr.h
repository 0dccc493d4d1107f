/*
 * The cdr service (ARCHITECTURE.md 1, SIPXECS-REFERENCE.md 1.2): the
 * call resolver that turns the proxy's call-state events (store log
 * SX_STORE_LOG_CALL_EVENTS, written by servers/proxy/cse.c) into Call
 * Detail Records (SX_STORE_LOG_CDRS), one per call, as sipXcallResolver
 * does.  docs/cdr.md describes the records, the termination codes and
 * the durability guarantees.
 *
 * Three parts:
 *  - the CDR record and its JSON form (struct sx_cdr, sx_cdr_print(),
 *    sx_cdr_parse()), shared with sipxctl;
 *  - the resolver (struct sx_cdr_resolver), driven by sx_cdr_resolver_poll()
 *    from one thread that may block on the store;
 *  - the host service "cdr" (sx_cdr_service, [cdr] section) that runs the
 *    resolver on a thread of its own every poll_ms.
 */
#ifndef SX_SERVERS_CDR_H
#define SX_SERVERS_CDR_H

#include <stdbool.h>
#include <stdint.h>

#include <sx/server/service.h>
#include <sx/util/buf.h>
#include <sx/util/compiler.h>
#include <sx/util/sl.h>

struct sx_store;

/* -- call-state event types (the "type" of SX_STORE_LOG_CALL_EVENTS) ---- */

#define SX_CDR_EV_REQUEST  "request"  /**< initial INVITE forwarded */
#define SX_CDR_EV_SETUP    "setup"    /**< 2xx to the INVITE relayed */
#define SX_CDR_EV_FAILURE  "failure"  /**< final >= 300 relayed */
#define SX_CDR_EV_END      "end"      /**< BYE forwarded */
#define SX_CDR_EV_TRANSFER "transfer" /**< REFER forwarded */

/* -- the CDR record ------------------------------------------------------ */

/** How a call ended (sipXcallResolver's termination codes). */
enum sx_cdr_term {
	SX_CDR_COMPLETED = 0, /**< answered, then ended by BYE */
	SX_CDR_FAILED,        /**< final failure response (not 487) */
	SX_CDR_ABANDONED,     /**< the caller cancelled (487) */
	SX_CDR_TRANSFERRED,   /**< answered, REFERred, then ended */
	SX_CDR_UNKNOWN,       /**< end never seen within open_max_s, or BYE
	                           without a 2xx */
	SX_CDR_TERM_COUNT
};

/** Who is inside our domain. */
enum sx_cdr_dir {
	SX_CDR_INTERNAL = 0, /**< caller and callee in our domain */
	SX_CDR_INCOMING,     /**< caller outside */
	SX_CDR_OUTGOING,     /**< caller inside, callee outside */
	SX_CDR_DIR_COUNT
};

/** Longest text fields a CDR keeps (longer values are truncated). */
#define SX_CDR_AOR_MAX    256u
#define SX_CDR_TAG_MAX    128u
#define SX_CDR_REASON_MAX 128u
#define SX_CDR_URI_MAX    256u
/** Largest CDR JSON text. */
#define SX_CDR_JSON_MAX 4096u

/** One Call Detail Record.  Slices are borrowed (see each function). */
struct sx_cdr {
	struct sx_sl call_id;     /**< Call-ID */
	struct sx_sl from_tag;    /**< caller's tag (with call_id: the call) */
	struct sx_sl to_tag;      /**< answering callee's tag, may be empty */
	struct sx_sl caller;      /**< caller AOR, "sip:alice@example.com" */
	struct sx_sl callee;      /**< callee AOR (To of the INVITE) */
	int64_t start_ms;         /**< INVITE seen, unix ms */
	int64_t connect_ms;       /**< 2xx seen, unix ms; 0 = never */
	int64_t end_ms;           /**< BYE or failure seen; 0 = unknown */
	enum sx_cdr_term term;    /**< termination */
	uint16_t status;          /**< failure status, 0 = none */
	struct sx_sl reason;      /**< failure reason phrase, may be empty */
	enum sx_cdr_dir dir;      /**< direction */
	struct sx_sl transfer_to; /**< Refer-To of a transfer, may be empty */
};

/** "completed", "failed", ... ; NULL when out of range. */
const char *sx_cdr_term_name(enum sx_cdr_term t);
/** "internal", "incoming", "outgoing"; NULL when out of range. */
const char *sx_cdr_dir_name(enum sx_cdr_dir d);

/** Call duration in ms: end - connect, 0 when either is unknown. */
int64_t sx_cdr_duration_ms(const struct sx_cdr *c);

/**
 * Append the JSON object of @c to @out (its sticky error reports
 * failures: -ENOMEM, -E2BIG).  Strings are escaped (RFC 8259 7).
 */
void sx_cdr_print(const struct sx_cdr *c, struct sx_buf *out);

/**
 * Parse the JSON object @json (a CDR log record's fields) into @c.
 * String values are unescaped into @buf (@cap >= @json.len is always
 * enough); @c's slices point into @buf.  Unknown keys are skipped.
 * Returns 0, -EBADMSG (not a flat JSON object, bad escape, missing
 * call_id or termination), -E2BIG (@buf too small).  Reads exactly
 * @json.len bytes; no allocation.
 */
int sx_cdr_parse(struct sx_cdr *c, struct sx_sl json, char *buf,
                 size_t cap) SX_MUST_CHECK;

/** Append @s as a quoted JSON string (RFC 8259 7) to @out. */
void sx_cdr_json_str(struct sx_buf *out, struct sx_sl s);

/* -- the resolver -------------------------------------------------------- */

/** Defaults and bounds of the [cdr] keys. */
#define SX_CDR_POLL_MS        1000 /**< poll interval */
#define SX_CDR_POLL_MS_MIN    10
#define SX_CDR_POLL_MS_MAX    60000
#define SX_CDR_OPEN_MAX_S     28800 /**< longest call (sipX MAX_CALL_LEN) */
#define SX_CDR_OPEN_MAX_S_MIN 60
#define SX_CDR_OPEN_MAX_S_MAX 604800
#define SX_CDR_MAX_OPEN       65536 /**< most calls open at once */
#define SX_CDR_MAX_OPEN_MIN   16
#define SX_CDR_MAX_OPEN_MAX   1048576
/** Events may commit this late after their time stamp and still count
 *  (each poll re-reads this much of the log; see docs/cdr.md). */
#define SX_CDR_LATE_MS 10000
/** How long a written call is remembered to ignore its straggling
 *  events (a BYE after the failure, a late spiral), ms. */
#define SX_CDR_DONE_KEEP_MS 120000
/** Most written calls remembered (restart: all CDRs of the last
 *  open_max_s); beyond, a restart may write a call twice. */
#define SX_CDR_DONE_MAX (1u << 21)

struct sx_cdr_resolver;

/** sx_cdr_resolver_alloc() parameters; zero-initialise. */
struct sx_cdr_resolver_prm {
	struct sx_store *store; /**< reads events, writes CDRs (required) */
	const char *domain;     /**< our SIP domain, for the direction
	                             (required, copied) */
	uint32_t open_max_s;    /**< 0 = SX_CDR_OPEN_MAX_S */
	uint32_t max_open;      /**< 0 = SX_CDR_MAX_OPEN */
};

/** Resolver counters. */
struct sx_cdr_stats {
	uint64_t events;  /**< events applied */
	uint64_t written; /**< CDRs durably written */
	uint64_t dropped; /**< calls not tracked (max_open or memory) */
	unsigned open;    /**< calls open now */
};

/**
 * Create a resolver (no store access yet).  Free with
 * sx_cdr_resolver_free().  Returns 0, -EINVAL or -ENOMEM.
 */
int sx_cdr_resolver_alloc(struct sx_cdr_resolver **rp,
                          const struct sx_cdr_resolver_prm *prm) SX_MUST_CHECK;

/**
 * One round at wall time @now_ms: the first call rebuilds the state from
 * the logs of the last open_max_s (the CDRs already written and the
 * events since); every call then reads the events committed since the
 * previous round, writes the CDRs of the calls that completed (and of
 * those open longer than open_max_s, as "unknown"), and waits for their
 * durable commit.  Blocks on the store: never on a loop thread.  Returns
 * 0 or a negative errno (store errors, -ENOMEM, -ETIMEDOUT); what failed
 * is retried by the next round.
 */
int sx_cdr_resolver_poll(struct sx_cdr_resolver *r, int64_t now_ms);

/** Copy the counters.  The polling thread, or after it stopped. */
void sx_cdr_resolver_stats(const struct sx_cdr_resolver *r,
                           struct sx_cdr_stats *sp);

/**
 * Free @r (NULL is a no-op), waiting for its CDR writes still
 * committing.  The store must still be open.
 */
void sx_cdr_resolver_free(struct sx_cdr_resolver *r);

/* -- the service --------------------------------------------------------- */

/** [cdr] configuration (filled by the host from the schema). */
struct sx_cdr_cfg {
	uint32_t poll_ms;    /**< poll interval, ms */
	uint32_t open_max_s; /**< calls open longer are written "unknown" */
	uint32_t max_open;   /**< most calls tracked at once */
};

/** The config schema of [cdr]. */
extern const struct sx_conf_key sx_cdr_conf_keys[];
extern const size_t sx_cdr_conf_nkeys;

/** The service the host process runs ("cdr"). */
extern const struct sx_service_ops sx_cdr_service;

#endif
