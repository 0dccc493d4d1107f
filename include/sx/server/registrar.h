/*
 * The registrar service (ARCHITECTURE.md 1, SIPXECS-REFERENCE.md 1.3):
 * REGISTER handling (RFC 3261 10.3, RFC 3327 Path, RFC 5626 instance and
 * reg-id), the location index shared by all workers, and the redirect
 * service (registrations -> aliases -> mapping rules -> fallback rules)
 * callable in process or over SIP (302 / 404 / 480).
 *
 * The host process runs it through sx_registrar_service (its [registrar]
 * config section is struct sx_registrar_cfg).  Tests and other hosts use
 * the core API below directly: sx_registrar_alloc() with explicit store,
 * digest engine, clock and expiry loop.
 *
 * Threads: sx_registrar_request() runs on any worker loop thread;
 * lookups and redirects may be called from any thread at once (the
 * index is sharded with one mutex per shard).  alloc/free and the expiry
 * timer belong to the loop given as prm.expiry_loop.
 */
#ifndef SX_SERVER_REGISTRAR_H
#define SX_SERVER_REGISTRAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sx/port/ev.h>
#include <sx/server/service.h>
#include <sx/sip/msg.h>
#include <sx/sip/tport.h>
#include <sx/sip/tsx.h>
#include <sx/util/compiler.h>
#include <sx/util/sl.h>

struct sx_store;
struct sx_sip_auth;
struct sx_registrar;

/* -- defaults and limits (local policy unless an RFC is cited) ---------- */
/** SIP port of the registrar / redirect server (ARCHITECTURE.md 1). */
#define SX_REGISTRAR_PORT_DEFAULT 5070
/** Shortest registration accepted; shorter gets 423 (RFC 3261 10.3 7). */
#define SX_REGISTRAR_MIN_EXPIRES_DEFAULT 60
/** Longest registration granted; longer requests are clamped. */
#define SX_REGISTRAR_MAX_EXPIRES_DEFAULT 3600
/** Expiry when the REGISTER names none (RFC 3261 10.2.1.1). */
#define SX_REGISTRAR_DEFAULT_EXPIRES_DEFAULT 3600
/** Bindings per address-of-record. */
#define SX_REGISTRAR_MAX_BINDINGS_DEFAULT 10
/** Hard bounds of the above (config schema min/max). */
#define SX_REGISTRAR_EXPIRES_MAX 604800u
#define SX_REGISTRAR_BINDINGS_MAX 1000u
/** Number of shards of the location index (one mutex each). */
#define SX_REGISTRAR_SHARDS 64u
/** Period of the expiry sweep, ms (pops due heap entries only). */
#define SX_REGISTRAR_SWEEP_MS 1000u
/** Most contacts in one lookup / redirect result. */
#define SX_REGISTRAR_CSET_MAX 64u
/** Rules files are checked for a new mtime at most this often, ms. */
#define SX_REGISTRAR_RULES_CHECK_MS 1000u

/** [registrar] configuration (filled by the host from the schema). */
struct sx_registrar_cfg {
	uint32_t port;		  /**< SIP port of the service */
	uint32_t min_expires;	  /**< 423 below this */
	uint32_t max_expires;	  /**< clamp above this */
	uint32_t default_expires; /**< when the REGISTER names none */
	uint32_t max_bindings;	  /**< per AOR; more get 403 */
	bool authenticate;	  /**< digest-authenticate REGISTER */
	bool md5_first;		  /**< MD5 challenge before SHA-256: the order
				       of the engine sx_registrar_service
				       builds; core-API callers set
				       sx_sip_auth_prm.md5_first on prm.auth */
	char *domains;		  /**< extra domains served, comma separated
				       ([sip] domain always is) */
	char *mappingrules;	  /**< mappingrules.xml path or NULL */
	char *fallbackrules;	  /**< fallbackrules.xml path or NULL */
	char *aliases;		  /**< alias.xml path or NULL */
	char *mediaserver;	  /**< {mediaserver} of the rules */
	char *voicemail;	  /**< {voicemail} of the rules */
};

/** The config schema of [registrar] (also in sx_registrar_service). */
extern const struct sx_conf_key sx_registrar_conf_keys[];
extern const size_t sx_registrar_conf_nkeys;

/** The service the host process runs ("registrar"). */
extern const struct sx_service_ops sx_registrar_service;

/** Wall clock in unix seconds (tests pass a virtual one). */
typedef int64_t(sx_registrar_clock_h)(void *arg);

/**
 * Whether user @name (AOR user part) exists: 1, 0 or a negative errno.
 * Used to tell 480 (known user, no binding) from 404.
 */
typedef int(sx_registrar_user_h)(struct sx_sl name, void *arg);

/** sx_registrar_alloc() parameters; zero-initialise. */
struct sx_registrar_prm {
	const struct sx_registrar_cfg *cfg; /**< required; copied (strings
					         too), reload with
					         sx_registrar_reload() */
	struct sx_store *store;	 /**< required; must outlive the registrar */
	struct sx_sip_auth *auth; /**< required when cfg->authenticate;
				       the registrar takes a reference */
	const char *domain;	 /**< our SIP domain (required) */
	struct sx_ev *expiry_loop; /**< runs the expiry sweep; NULL: call
				        sx_registrar_expire() yourself */
	sx_registrar_clock_h *clock; /**< NULL = CLOCK_REALTIME */
	void *clock_arg;
	sx_registrar_user_h *user_h; /**< NULL = sx_store_user_get() */
	void *user_arg;
};

/**
 * Create the registrar: copies the config, loads every unexpired binding
 * from the store into the index (blocks), loads the rules files, arms
 * the expiry sweep on prm.expiry_loop.  Free with sx_registrar_free() on
 * that loop's thread.  Returns 0, -EINVAL, -ENOMEM or a store error.
 * A rules file that fails to load is logged and treated as empty.
 */
int sx_registrar_alloc(struct sx_registrar **regp,
		       const struct sx_registrar_prm *prm) SX_MUST_CHECK;

/**
 * Stop the sweep and free the index, on the expiry loop's thread (or
 * after it stopped).  REGISTERs still waiting for their store commit do
 * not use the registrar any more: they are answered from the worker
 * loops once the store posts their completion (run those loops once
 * more after sx_store_flush()).  NULL is a no-op.
 */
void sx_registrar_free(struct sx_registrar *reg);

/**
 * Apply the reloadable keys of @cfg (expiry bounds, max_bindings,
 * authenticate, domains, rules and alias files).  0 or -ENOMEM.
 */
int sx_registrar_reload(struct sx_registrar *reg,
			const struct sx_registrar_cfg *cfg) SX_MUST_CHECK;

/**
 * Handle server transaction @stsx (lent, as sx_service_ops.request) on
 * worker loop @loop: REGISTER goes to the registrar (the 200 is sent
 * from the store's completion, holding a reference on @stsx); any other
 * request to the redirect service (302 / 404 / 480; OPTIONS to the
 * server itself gets 200).
 */
void sx_registrar_request(struct sx_registrar *reg, struct sx_ev *loop,
			  struct sx_sip_tsx *stsx, const struct sx_sip_msg *msg,
			  const struct sx_sip_peer *peer);

/* -- location and redirect results ---------------------------------------- */

/** One contact of a result; strings are NUL-terminated ("" when none). */
struct sx_registrar_contact {
	const char *uri;       /**< contact URI (no <>) */
	uint16_t q;	       /**< q x 1000; SX_REGISTRAR_NO_Q when none */
	uint32_t expires;      /**< seconds left; 0 = no expiry given */
	const char *path;      /**< Path header values (RFC 3327) */
	const char *instance;  /**< +sip.instance contents */
	uint32_t reg_id;       /**< RFC 5626 reg-id, 0 = none */
	const char *received;  /**< source address "ip:port" */
	const char *transport; /**< "udp", "tcp" ... */
	const char *fieldparams; /**< extra Contact params (rules), "" */
};

/** q not given (redirect contacts from rules without q). */
#define SX_REGISTRAR_NO_Q 0xffffu

/** A contact set: one sx_mem block; release with sx_mem_unref(). */
struct sx_registrar_cset {
	size_t n;
	struct sx_registrar_contact c[]; /**< highest q first */
};

/**
 * Copy the live bindings of @aor into a new contact set (*@csp; n may be
 * 0).  @aor is an AOR URI ("sip:alice@example.com"; sips, port, params
 * and host case do not matter).  Any thread.  Returns 0, -EINVAL (not a
 * sip/sips URI with a user) or -ENOMEM.
 */
int sx_registrar_lookup(struct sx_registrar *reg, struct sx_sl aor,
			struct sx_registrar_cset **csp) SX_MUST_CHECK;

/** Outcome of the redirect chain. */
struct sx_registrar_redirect_res {
	uint16_t status;	       /**< 302, 404, 480 (or 400, 416) */
	struct sx_registrar_cset *cs; /**< with 302: the contacts (owned
					   by the caller), else NULL */
};

/**
 * Run the redirect chain for request @msg: registrations, aliases,
 * mapping rules, then fallback rules when nothing matched.  Any thread.
 * Returns 0 with @res filled, -EINVAL or -ENOMEM.
 */
int sx_registrar_redirect(struct sx_registrar *reg, const struct sx_sip_msg *msg,
			  struct sx_registrar_redirect_res *res) SX_MUST_CHECK;

/**
 * Canonical AOR key of @uri ("sip:" user "@" lowercase host) into @buf
 * (NUL-terminated).  Returns its length, -EINVAL (not sip/sips or no
 * user) or -E2BIG.
 */
ssize_t sx_registrar_aor(const struct sx_sip_uri *uri, char *buf, size_t cap);

/** Number of live bindings in the index.  Any thread. */
size_t sx_registrar_count(struct sx_registrar *reg);

/**
 * Remove every binding that expired by now from the index and the store
 * (the sweep timer calls it every SX_REGISTRAR_SWEEP_MS).  Expiry loop
 * thread.  Returns the number removed.
 */
size_t sx_registrar_expire(struct sx_registrar *reg);

/** The registrar behind the registrar service's handle (from
 *  sx_host_service(host, "registrar")), for co-located callers such as the
 *  proxy; NULL for NULL. */
struct sx_registrar *sx_registrar_of_service(void *svc);

#endif
