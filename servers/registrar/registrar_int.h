/*
 * Private structures of the registrar service: the sharded location
 * index (RFC 3261 10.3 bindings), the per-shard expiry heaps, the
 * compiled redirect rules (SIPXECS-REFERENCE.md 1.3) and the registrar
 * object itself.
 */
#ifndef SX_REGISTRAR_INT_H
#define SX_REGISTRAR_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <sx/port/tmr.h>
#include <sx/server/registrar.h>
#include <sx/sip/auth.h>
#include <sx/store/binding.h>
#include <sx/util/watched.h>
#include <sx/util/buf.h>
#include <sx/util/sl.h>

/** Hash buckets per shard (chained). */
#define SX_LOC_BUCKETS 1024u
/** Initial expiry heap capacity of a shard (doubles when full). */
#define SX_LOC_HEAP_INIT 64u
/** Longest canonical AOR key ("sip:" user "@" host). */
#define SX_REG_AOR_MAX SX_STORE_AOR_MAX
/** Most Contact values one REGISTER may carry (local policy). */
#define SX_REG_CONTACTS_MAX 32u
/** Most domains served ([sip] domain + [registrar] domains). */
#define SX_REG_DOMAINS_MAX 16u
/** Longest domain name. */
#define SX_REG_DOMAIN_LEN 128u
/** Largest 200 OK header block we build, bytes. */
#define SX_REG_REPLY_MAX 32768u

/* -- location index ------------------------------------------------------ */

struct loc_aor;

/** One binding: a single sx_mem block, strings packed after it. */
struct loc_binding {
	struct loc_binding *next; /**< in its AOR's list */
	struct loc_aor *aor;	  /**< owner, NULL while not indexed */
	size_t hidx;		  /**< expiry heap index + 1, 0 = none */
	int64_t expires_at;	  /**< unix seconds */
	int64_t updated_at;
	uint32_t cseq;
	uint32_t reg_id;
	uint16_t q;
	struct sx_sl contact, call_id, path, instance, user_agent, received,
	    transport; /**< into this block, NUL-terminated */
};

/** All bindings of one AOR (an sx_mem block with its key after it). */
struct loc_aor {
	struct loc_aor *next; /**< hash chain */
	struct loc_binding *bindings;
	unsigned n;
	uint32_t hash;
	struct sx_sl key; /**< canonical AOR, into this block */
};

struct loc_shard {
	pthread_mutex_t lock;
	struct loc_aor *buckets[SX_LOC_BUCKETS];
	struct loc_binding **heap; /**< min-heap on expires_at (sx_mem) */
	size_t nheap, capheap;
};

struct loc {
	struct loc_shard shard[SX_REGISTRAR_SHARDS];
};

int sx_loc__init(struct loc *loc);
void sx_loc__fini(struct loc *loc);
/** Shard of a key hash. */
struct loc_shard *sx_loc__shard(struct loc *loc, uint32_t hash);
uint32_t sx_loc__hash(struct sx_sl key);
/** Under the shard lock: the AOR record or NULL. */
struct loc_aor *sx_loc__find(struct loc_shard *sh, struct sx_sl key,
			     uint32_t hash);
/** Under the lock: find or create (-ENOMEM). */
int sx_loc__get(struct loc_shard *sh, struct sx_sl key, uint32_t hash,
		struct loc_aor **aorp);
/** Under the lock: make room in the heap for @n more entries. */
int sx_loc__reserve(struct loc_shard *sh, size_t n);
/** Under the lock, after reserve: link @b (reference taken over). */
void sx_loc__insert(struct loc_shard *sh, struct loc_aor *aor,
		    struct loc_binding *b);
/** Under the lock: unlink @b and drop it; frees the AOR when empty
 *  (returns true then). */
bool sx_loc__remove(struct loc_shard *sh, struct loc_binding *b);
/** Under the lock: drop @aor's bindings that expired by @now; true
 *  when the AOR record went away. */
bool sx_loc__purge(struct loc_shard *sh, struct loc_aor *aor, int64_t now);
/** New unlinked binding copied from @sb (a new sx_mem block). */
int sx_loc__binding_new(struct loc_binding **bp,
			const struct sx_store_binding *sb);
/** Store view of @b (slices into @b). */
void sx_loc__binding_view(const struct loc_binding *b, struct sx_sl aor,
			  struct sx_store_binding *sb);
/** Remove everything expired by @now; returns the count. */
size_t sx_loc__expire(struct loc *loc, int64_t now);
/** Live bindings. */
size_t sx_loc__count(struct loc *loc);
/** Copy the live bindings of @key into a new contact set. */
int sx_loc__lookup(struct loc *loc, struct sx_sl key, int64_t now,
		   struct sx_registrar_cset **csp);

/* -- contact sets ---------------------------------------------------------- */

/** A contact being collected (slices valid during the build). */
struct cset_item {
	struct sx_sl uri, path, instance, received, transport, fieldparams;
	uint16_t q;
	uint32_t expires;
	uint32_t reg_id;
};

/** Pack @n items into one block, sorted by q (highest first). */
int sx_reg__cset_make(struct sx_registrar_cset **csp,
		      const struct cset_item *items, size_t n);

/* -- rules (mappingrules.xml / fallbackrules.xml) -------------------------- */

struct rules;

/** Values the transforms substitute. */
struct rules_env {
	const struct sx_sip_uri *ruri;
	struct sx_sl localhost, mediaserver, voicemail;
};

/** A contact a rule produced: "<uri>;params" text and its q. */
struct rules_out {
	char text[SX_STORE_CONTACT_MAX];
	size_t len;
};

/**
 * Parse a rules file into a new sx_mem object (*@rp).  0, -ENOENT,
 * -EBADMSG (not the urlmap format), -ENOMEM.
 */
int sx_rules__load(struct rules **rp, const char *path);
/**
 * Apply @r to @env: call @fn for each contact of the first matching
 * hostMatch/userMatch (sipXecs: the first userMatch that matches wins).
 * Returns the number produced or a negative errno.
 */
ssize_t sx_rules__apply(const struct rules *r, const struct rules_env *env,
			int (*fn)(const struct rules_out *o, void *arg),
			void *arg);
/** sipXecs digit pattern match: 'x' digit, '.' rest, [..] class. */
bool sx_rules__match(struct sx_sl pattern, struct sx_sl user,
		     struct sx_sl *vdigitsp);

/* -- aliases (alias.xml) --------------------------------------------------- */

struct aliases;

int sx_aliases__load(struct aliases **ap, const char *path);
/**
 * Call @fn for every contact of identity @key ("user@domain").
 * Returns the number visited or a negative errno.
 */
ssize_t sx_aliases__get(const struct aliases *a, struct sx_sl key,
			int (*fn)(struct sx_sl contact, void *arg), void *arg);

/* -- the registrar --------------------------------------------------------- */

/** Reloadable settings, copied under cfg_lock per request. */
struct reg_settings {
	uint32_t min_expires, max_expires, default_expires, max_bindings;
	bool authenticate;
	size_t ndomains;
	char domains[SX_REG_DOMAINS_MAX][SX_REG_DOMAIN_LEN];
	char mediaserver[SX_REG_DOMAIN_LEN];
	char voicemail[SX_REG_DOMAIN_LEN];
};

struct sx_registrar {
	struct loc loc;
	struct sx_store *store;
	struct sx_sip_auth *auth; /**< referenced; cfg_lock (swapped by
				       sx_reg__auth_set()) */
	sx_registrar_clock_h *clock;
	void *clock_arg;
	sx_registrar_user_h *user_h;
	void *user_arg;
	struct sx_ev *expiry_loop;
	struct sx_tmr sweep;
	bool loc_ready, lock_ready; /**< for the destructor */

	pthread_mutex_t cfg_lock; /**< settings and watched files */
	struct reg_settings set;
	struct sx_watched mapping, fallback, aliases; /**< files */
};

int64_t sx_reg__now(struct sx_registrar *reg);
void sx_reg__settings(struct sx_registrar *reg, struct reg_settings *s);
/**
 * The settings and, when they say authenticate, the digest engine with
 * a reference (*@authp; NULL when none), read together under cfg_lock.
 */
void sx_reg__settings_auth(struct sx_registrar *reg, struct reg_settings *s,
			   struct sx_sip_auth **authp);
/**
 * A digest engine for the registrar: @base (realm, HA1 lookup,
 * algorithms, nonce secret) with the challenge order of @cfg->md5_first
 * (RFC 8760 2.4: MD5 first for phones that answer only the first
 * challenge).  Returns as sx_sip_auth_alloc().
 */
int sx_reg__auth_alloc(struct sx_sip_auth **authp,
		       const struct sx_sip_auth_prm *base,
		       const struct sx_registrar_cfg *cfg) SX_MUST_CHECK;
/**
 * Use @auth (a reference is taken) for the next REGISTERs; the old
 * engine goes when the last request holding it is done.
 */
void sx_reg__auth_set(struct sx_registrar *reg, struct sx_sip_auth *auth);
/** Whether @host is one of our domains (case-insensitive). */
bool sx_reg__is_ours(const struct reg_settings *s, struct sx_sl host);
/** Current rules / aliases with a reference (NULL when none). */
void *sx_reg__watched_get(struct sx_registrar *reg, struct sx_watched *w);

/** REGISTER (register.c). */
void sx_reg__register(struct sx_registrar *reg, struct sx_ev *loop,
		      struct sx_sip_tsx *stsx, const struct sx_sip_msg *msg,
		      const struct sx_sip_peer *peer);
/** Any other request: the redirect service over SIP (redirect.c). */
void sx_reg__redirect_sip(struct sx_registrar *reg, struct sx_sip_tsx *stsx,
			  const struct sx_sip_msg *msg);

#endif
