/*
 * sipx-uac internals: the options, the per-worker call slots and the
 * call state machine (RFC 3261 13.2, 15.1, 9.1, 22.2).
 */
#ifndef SX_UAC_H
#define SX_UAC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <sx/port/tmr.h>
#include <sx/sip/auth.h>
#include <sx/sip/tsx.h>
#include <sx/util/buf.h>

#include "tool.h"

/** Most calls in progress at once (all workers). */
#define UAC_CONCURRENCY_MAX 10000u
/** Rate timer tick (ms). */
#define UAC_TICK_MS 10u
/** Room for Call-ID, tags and similar tokens. */
#define UAC_ID_MAX 64u
/** Longest Authorization header value we build. */
#define UAC_AUTH_MAX 1024u
/** Failed calls reported one by one before the log is quiet. */
#define UAC_FAIL_LOG_MAX 10u

struct uac_worker;

enum uac_call_state {
	UAC_CALL_FREE = 0,
	UAC_CALL_INVITING, /**< INVITE sent, no final yet */
	UAC_CALL_UP,       /**< 2xx ACKed, pause before BYE */
	UAC_CALL_BYEING,   /**< BYE sent */
};

/** One call slot; slots are reused, transactions are checked against
 *  the slot's current ones. */
struct uac_call {
	struct uac_worker *uw;
	enum uac_call_state state;
	uint64_t seq;                 /**< call number, for logs */
	char call_id[UAC_ID_MAX];
	char from_tag[SX_SIP_BRANCH_SIZE];
	uint32_t cseq;
	struct sx_sip_tsx *inv, *bye; /**< referenced */
	bool cancel_sent;
	bool inv_auth_tried, bye_auth_tried;
	struct sx_sip_auth_client auth;
	struct sx_buf auth_hdr;       /**< "Authorization: ...\r\n" or empty */
	uint32_t inv_cseq;            /**< CSeq of the answered INVITE */
	struct sx_buf target;         /**< dialog remote target URI */
	struct sx_buf to;             /**< To value with the remote tag */
	struct sx_buf route;          /**< "Route: ...\r\n" or empty */
	struct sx_buf msg;            /**< scratch for building requests */
	struct sx_buf ack;            /**< the ACK for the 2xx, to repeat */
	struct sx_tmr tmr;            /**< pause before BYE */
};

struct uac;

struct uac_worker {
	struct tool_worker *w;
	struct uac *uac;
	struct uac_call *slots; /**< sx_mem array */
	size_t nslots, active;
	uint64_t to_place, placed, ok, failed;
	uint64_t first_ms;      /**< when this worker started placing */
	struct sx_tmr tick;     /**< rate timer */
	uint64_t conn_id;       /**< stream connection opened at start */
	char local[SX_SA_STRLEN]; /**< our UDP address, for Via/Contact */
	char local_addr[SX_SA_STRLEN]; /**< the same without port (SDP) */
	bool done;
};

/** Options and shared state. */
struct uac {
	struct tool tool;
	struct sx_sa target;
	enum sx_sip_proto proto;
	const char *tls_name;    /**< expected server name (and SNI) */
	char target_str[SX_SA_STRLEN];
	const char *ruri_user;
	const char *user, *password;
	uint64_t ncalls;
	unsigned concurrency;
	unsigned rate;           /**< calls/s, 0 = as fast as allowed */
	uint32_t pause_ms;
	uint32_t timeout_s;
	bool cancel;             /**< CANCEL each call after a provisional */
	atomic_uint running;     /**< workers still placing calls */
	atomic_uint fail_logged;
	bool timed_out;
};

/** Set up the slots of @uw (concurrency / workers).  0 or -ENOMEM. */
int uac_worker_setup(struct uac_worker *uw);

/** Start as many calls as the rate and free slots allow. */
void uac_launch(struct uac_worker *uw);

/** Free the slots (after the loops stopped). */
void uac_worker_release(struct uac_worker *uw);

#endif
