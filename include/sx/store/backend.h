/*
 * sx_store backends: the interface between the generic store (queue,
 * writer thread, group commit, validation; lib/store/store.c) and a
 * database.  SQLite (lib/store/sqlite.c) is built in; a PostgreSQL
 * backend implements the same table and is selected with
 * sx_store_prm.backend, without any change to callers.
 *
 * Threads: open and close run on the thread that opens or closes the
 * store.  begin, write, commit and rollback run on the writer thread
 * only, one transaction at a time.  The read operations may be called
 * from any thread, concurrently with the writer and with each other;
 * the backend serialises them as it needs.  Records and slices passed to
 * a backend are valid during the call only.
 *
 * Errors: 0 or a negative errno (see <sx/store/store.h>); a backend logs
 * its own message (rate-limited) before returning -EIO and the like.
 */
#ifndef SX_STORE_BACKEND_H
#define SX_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sx/store/binding.h>
#include <sx/store/event.h>
#include <sx/store/store.h>
#include <sx/store/user.h>
#include <sx/util/sl.h>

/** The kinds of write a backend applies. */
enum sx_store_wr_kind {
	SX_STORE_WR_USER_ADD,           /**< u.user; -EEXIST if present */
	SX_STORE_WR_USER_PUT,           /**< u.user; insert or replace */
	SX_STORE_WR_USER_DELETE,        /**< u.key[0] = name; -ENOENT */
	SX_STORE_WR_USER_IMPORT,        /**< u.import; all or nothing */
	SX_STORE_WR_BINDING_UPSERT,     /**< u.binding */
	SX_STORE_WR_BINDING_DELETE,     /**< u.key = aor, contact; -ENOENT */
	SX_STORE_WR_BINDING_DELETE_AOR, /**< u.key[0] = aor */
	SX_STORE_WR_BINDING_EXPIRE,     /**< u.now: expires_at <= now */
	SX_STORE_WR_EVENT_APPEND,       /**< u.event */
};

/** One write, validated by the generic layer. */
struct sx_store_wr {
	enum sx_store_wr_kind kind;
	union {
		struct sx_store_user user;
		struct sx_store_binding binding;
		struct sx_sl key[2];
		int64_t now;
		struct {
			const struct sx_store_user *users;
			size_t n;
		} import;
		struct {
			enum sx_store_log log;
			struct sx_store_event ev;
		} event;
	} u;
};

/** A backend: a designated-initialiser table of operations. */
struct sx_store_backend_ops {
	const char *name; /**< "sqlite", "pgsql" */

	/**
	 * Connect to (and create or migrate) the database named by
	 * prm->path; set *bep to the backend's handle.  Returns 0,
	 * -ENOMEM, -ENOTSUP (schema newer than the program), or an error.
	 */
	int (*open)(void **bep, const struct sx_store_prm *prm);
	/** Disconnect and free (the writer has stopped). */
	void (*close)(void *be);

	/** Start a write transaction that takes the write lock at once. */
	int (*begin)(void *be);
	/**
	 * Apply @wr inside the transaction.  *resultp gets the write's own
	 * result (0, -EEXIST, -ENOENT, or an error that spoilt only this
	 * write, whose effects the backend has undone).  The return value
	 * is 0, or a negative errno when the transaction is lost and must
	 * be rolled back (the generic layer then retries the writes one
	 * transaction each).
	 */
	int (*write)(void *be, const struct sx_store_wr *wr, int *resultp);
	/** Commit durably (returns only once the data is on disk). */
	int (*commit)(void *be);
	/** Roll back the open transaction, if any. */
	void (*rollback)(void *be);

	/** Reads: see <sx/store/user.h>, <sx/store/binding.h>, event.h. */
	int (*user_get)(void *be, struct sx_sl name,
	                struct sx_store_user **userp);
	ssize_t (*user_list)(void *be, sx_store_user_h *fn, void *arg);
	ssize_t (*user_count)(void *be);
	/**
	 * The users generation: a counter that every committed change of
	 * the users (by any process) increases.  0 or an error.  Optional
	 * (NULL: sx_store_user_get_cached() reads through).
	 */
	int (*user_gen)(void *be, uint64_t *genp);
	ssize_t (*binding_load)(void *be, struct sx_sl aor,
	                        sx_store_binding_h *fn, void *arg);
	ssize_t (*event_list)(void *be, enum sx_store_log log, int64_t since_ms,
	                      size_t limit, sx_store_event_h *fn, void *arg);
	/* Records with id > @after_id in id order, at most @limit (0 =
	 * all); ids are assigned at commit, in commit order. */
	ssize_t (*event_list_after)(void *be, enum sx_store_log log,
	                            int64_t after_id, size_t limit,
	                            sx_store_event_h *fn, void *arg);
	/* Largest id of @log, 0 when empty. */
	int (*event_last_id)(void *be, enum sx_store_log log, int64_t *idp);
};

/** The built-in SQLite backend (WAL, synchronous=FULL). */
extern const struct sx_store_backend_ops sx_store_backend_sqlite;

/**
 * Copy @u into one new sx_mem block (struct and strings), for backends
 * implementing user_get.  Returns NULL on allocation failure.
 */
struct sx_store_user *
sx_store_user_dup(const struct sx_store_user *u) SX_MUST_CHECK;

#endif
