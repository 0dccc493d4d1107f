/*
 * sx_store users: SIP credentials (ARCHITECTURE.md section 3, section 6).
 * Only digest HA1 values are stored, never a password: HA1 =
 * H(user ":" realm ":" password) with MD5 (RFC 2617 section 3.2.2.2) and
 * SHA-256 (RFC 7616 section 3.4.2), as lowercase hex.
 *
 * Writes are asynchronous with a struct sx_store_cb, synchronous with
 * NULL (see <sx/store/store.h>).  Reads block the calling thread.
 */
#ifndef SX_STORE_USER_H
#define SX_STORE_USER_H

#include <stddef.h>
#include <sys/types.h>

#include <sx/store/store.h>
#include <sx/util/compiler.h>
#include <sx/util/sl.h>

/** Longest user name (AOR user part) and realm, bytes. */
#define SX_STORE_USER_NAME_MAX 128u
#define SX_STORE_REALM_MAX     256u
/** HA1 lengths in hex digits. */
#define SX_STORE_HA1_MD5_LEN    32u
#define SX_STORE_HA1_SHA256_LEN 64u
/** Most users in one sx_store_user_import(). */
#define SX_STORE_IMPORT_MAX 100000u

/** A user record.  Slices are read during the call only (copied). */
struct sx_store_user {
	struct sx_sl name;       /**< AOR user part; the key; non-empty */
	struct sx_sl realm;      /**< digest realm; non-empty */
	struct sx_sl ha1_md5;    /**< 32 hex digits, or empty if none */
	struct sx_sl ha1_sha256; /**< 64 hex digits, or empty if none */
};

/**
 * Iteration handler for sx_store_user_list(): @u and its slices are valid
 * during the call only.  Return 0 to go on or a negative errno to stop
 * (the list call then returns it).  Must not call the store's read
 * functions.
 */
typedef int(sx_store_user_h)(const struct sx_store_user *u, void *arg);

/**
 * Add @u.  Hex digits are stored lowercase.  Write result: 0, or -EEXIST
 * when the name exists.  Returns 0 (queued), -EINVAL (bad field),
 * -ENOMEM, -ENOBUFS (queue full), -ESHUTDOWN; synchronously the result.
 */
int sx_store_user_add(struct sx_store *st, const struct sx_store_user *u,
                      const struct sx_store_cb *cb) SX_MUST_CHECK;

/** As sx_store_user_add(), but replaces an existing user's fields. */
int sx_store_user_put(struct sx_store *st, const struct sx_store_user *u,
                      const struct sx_store_cb *cb) SX_MUST_CHECK;

/** Delete user @name.  Write result: 0, or -ENOENT.  Returns as add. */
int sx_store_user_delete(struct sx_store *st, struct sx_sl name,
                         const struct sx_store_cb *cb) SX_MUST_CHECK;

/**
 * Put @n users (1..SX_STORE_IMPORT_MAX) in one transaction: all of them
 * are stored (existing names replaced) or none.  Write result: 0 or a
 * backend error.  Returns as add (-EINVAL names the whole import).
 */
int sx_store_user_import(struct sx_store *st, const struct sx_store_user *users,
                         size_t n, const struct sx_store_cb *cb) SX_MUST_CHECK;

/**
 * Fetch user @name into a new sx_mem block (*userp; the slices point
 * into the same block; release with sx_mem_unref()).  Blocks.  Returns
 * 0, -ENOENT, -EINVAL, -ENOMEM, or a backend error.
 */
int sx_store_user_get(struct sx_store *st, struct sx_sl name,
                      struct sx_store_user **userp) SX_MUST_CHECK;

/** Most users the cache of sx_store_user_get_cached() holds. */
#define SX_STORE_USER_CACHE_MAX 200000u

/**
 * As sx_store_user_get(), but served from an in-memory copy of the users
 * table, for lookups on a request path (digest authentication): *userp
 * is a reference to the cached record (release with sx_mem_unref(); it
 * is never changed).  The copy is (re)loaded whole, on the calling
 * thread, when the users generation has moved: at once after a user
 * write of this store has committed, and at most prm.user_cache_ms
 * later for a change committed by another process (sipxctl) - the
 * staleness bound.  Between loads a lookup reads no database.  With
 * more than SX_STORE_USER_CACHE_MAX users, or when a load fails, it
 * falls back to sx_store_user_get().  Blocks (only while loading or
 * checking the generation).  Any thread.  Returns as sx_store_user_get().
 */
int sx_store_user_get_cached(struct sx_store *st, struct sx_sl name,
                             struct sx_store_user **userp) SX_MUST_CHECK;

/**
 * Call @fn for every user, ordered by name.  Blocks.  Returns the number
 * of users visited, the handler's negative value, or a backend error.
 */
ssize_t sx_store_user_list(struct sx_store *st, sx_store_user_h *fn, void *arg);

/** Number of users.  Blocks.  Returns the count or a negative errno. */
ssize_t sx_store_user_count(struct sx_store *st);

#endif
