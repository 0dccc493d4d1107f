/*
 * sx_store SQLite backend: WAL journal with synchronous=FULL, so COMMIT
 * returns once the transaction is in the fsync'd write-ahead log
 * (sqlite.org/wal.html), and several processes (the servers and
 * sipxctl) share the file, waiting for each other's write lock up to the
 * busy timeout.  Two connections: the writer's, used by the store's
 * writer thread only, and a reader's, shared by the blocking reads under
 * a mutex.  Statements are prepared once per connection (on first use)
 * and every value is bound as a parameter: no text is ever formatted
 * into SQL.  The schema carries a version row; migrations[] brings any
 * older file up to date at open.
 */
#define SX_LOG_MOD "store.sqlite"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

#include <sx/store/backend.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

/*
 * Schema migrations: migrations[i] turns version i into i + 1.  Append
 * only; never edit a released entry (add a new one, e.g. ALTER TABLE
 * users ADD COLUMN aliases ...).
 */
/* clang-format off */
static const char *const migrations[] = {
	/* 1: users, bindings, call-event and CDR logs */
	"CREATE TABLE users("
	" name TEXT PRIMARY KEY NOT NULL,"
	" realm TEXT NOT NULL,"
	" ha1_md5 TEXT NOT NULL,"
	" ha1_sha256 TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE bindings("
	" aor TEXT NOT NULL,"
	" contact TEXT NOT NULL,"
	" q INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" call_id TEXT NOT NULL,"
	" cseq INTEGER NOT NULL,"
	" path TEXT NOT NULL,"
	" instance TEXT NOT NULL,"
	" reg_id INTEGER NOT NULL,"
	" user_agent TEXT NOT NULL,"
	" received TEXT NOT NULL,"
	" transport TEXT NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" PRIMARY KEY(aor, contact)"
	");"
	"CREATE INDEX bindings_expires_at ON bindings(expires_at);"
	"CREATE TABLE call_events("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" call_id TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" time_ms INTEGER NOT NULL,"
	" fields TEXT NOT NULL"
	");"
	"CREATE INDEX call_events_time ON call_events(time_ms);"
	"CREATE INDEX call_events_call_id ON call_events(call_id);"
	"CREATE TABLE cdrs("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" call_id TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" time_ms INTEGER NOT NULL,"
	" fields TEXT NOT NULL"
	");"
	"CREATE INDEX cdrs_time ON cdrs(time_ms);"
	"CREATE INDEX cdrs_call_id ON cdrs(call_id);",
	/* 2: a users generation that every change of users bumps, whichever
	 * process makes it (sx_store_user_get_cached() watches it) */
	"CREATE TABLE users_gen("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" gen INTEGER NOT NULL);"
	"INSERT INTO users_gen(id, gen) VALUES(1, 0);"
	"CREATE TRIGGER users_gen_insert AFTER INSERT ON users BEGIN"
	" UPDATE users_gen SET gen = gen + 1 WHERE id = 1; END;"
	"CREATE TRIGGER users_gen_update AFTER UPDATE ON users BEGIN"
	" UPDATE users_gen SET gen = gen + 1 WHERE id = 1; END;"
	"CREATE TRIGGER users_gen_delete AFTER DELETE ON users BEGIN"
	" UPDATE users_gen SET gen = gen + 1 WHERE id = 1; END;",
};
/* clang-format on */

/* The schema version this program writes. */
#define SCHEMA_VERSION ((int)SX_ARRAY_SIZE(migrations))

#define BINDING_COLS                                                           \
	"aor, contact, q, expires_at, call_id, cseq, path, instance, "         \
	"reg_id, user_agent, received, transport, updated_at"
#define EVENT_COLS "id, call_id, type, time_ms, fields"

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_SCHEMA_GET,
	ST_SCHEMA_SET,
	ST_USER_ADD,
	ST_USER_PUT,
	ST_USER_DELETE,
	ST_USER_GET,
	ST_USER_LIST,
	ST_USER_COUNT,
	ST_USER_GEN,
	ST_BINDING_UPSERT,
	ST_BINDING_DELETE,
	ST_BINDING_DELETE_AOR,
	ST_BINDING_EXPIRE,
	ST_BINDING_LOAD,
	ST_BINDING_LOAD_AOR,
	ST_CALL_EVENT_APPEND,
	ST_CDR_APPEND,
	ST_CALL_EVENT_LIST,
	ST_CDR_LIST,
	ST_CALL_EVENT_AFTER,
	ST_CDR_AFTER,
	ST_CALL_EVENT_LAST,
	ST_CDR_LAST,
	ST_COUNT
};

/* clang-format off */
static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT sx_write",
	[ST_RELEASE] = "RELEASE sx_write",
	[ST_ROLLBACK_TO] = "ROLLBACK TO sx_write",
	[ST_SCHEMA_GET] = "SELECT version FROM sx_schema WHERE id = 1",
	[ST_SCHEMA_SET] = "INSERT INTO sx_schema(id, version) VALUES(1, ?1) "
			  "ON CONFLICT(id) DO UPDATE SET version = ?1",
	[ST_USER_ADD] = "INSERT INTO users(name, realm, ha1_md5, ha1_sha256) "
			"VALUES(?1, ?2, ?3, ?4)",
	[ST_USER_PUT] = "INSERT INTO users(name, realm, ha1_md5, ha1_sha256) "
			"VALUES(?1, ?2, ?3, ?4) ON CONFLICT(name) DO UPDATE "
			"SET realm = ?2, ha1_md5 = ?3, ha1_sha256 = ?4",
	[ST_USER_DELETE] = "DELETE FROM users WHERE name = ?1",
	[ST_USER_GET] = "SELECT name, realm, ha1_md5, ha1_sha256 FROM users "
			"WHERE name = ?1",
	[ST_USER_LIST] = "SELECT name, realm, ha1_md5, ha1_sha256 FROM users "
			 "ORDER BY name",
	[ST_USER_COUNT] = "SELECT count(*) FROM users",
	[ST_USER_GEN] = "SELECT gen FROM users_gen WHERE id = 1",
	[ST_BINDING_UPSERT] =
		"INSERT INTO bindings(" BINDING_COLS ") VALUES(?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
		"ON CONFLICT(aor, contact) DO UPDATE SET q = ?3, "
		"expires_at = ?4, call_id = ?5, cseq = ?6, path = ?7, "
		"instance = ?8, reg_id = ?9, user_agent = ?10, "
		"received = ?11, transport = ?12, updated_at = ?13",
	[ST_BINDING_DELETE] =
		"DELETE FROM bindings WHERE aor = ?1 AND contact = ?2",
	[ST_BINDING_DELETE_AOR] = "DELETE FROM bindings WHERE aor = ?1",
	[ST_BINDING_EXPIRE] = "DELETE FROM bindings WHERE expires_at <= ?1",
	[ST_BINDING_LOAD] = "SELECT " BINDING_COLS " FROM bindings "
			    "ORDER BY aor, contact",
	[ST_BINDING_LOAD_AOR] = "SELECT " BINDING_COLS " FROM bindings "
				"WHERE aor = ?1 ORDER BY contact",
	[ST_CALL_EVENT_APPEND] = "INSERT INTO call_events(call_id, type, "
				 "time_ms, fields) VALUES(?1, ?2, ?3, ?4)",
	[ST_CDR_APPEND] = "INSERT INTO cdrs(call_id, type, time_ms, fields) "
			  "VALUES(?1, ?2, ?3, ?4)",
	[ST_CALL_EVENT_LIST] = "SELECT " EVENT_COLS " FROM call_events "
			       "WHERE time_ms >= ?1 ORDER BY time_ms, id "
			       "LIMIT ?2",
	[ST_CDR_LIST] = "SELECT " EVENT_COLS " FROM cdrs WHERE time_ms >= ?1 "
			"ORDER BY time_ms, id LIMIT ?2",
	[ST_CALL_EVENT_AFTER] = "SELECT " EVENT_COLS " FROM call_events "
				"WHERE id > ?1 ORDER BY id LIMIT ?2",
	[ST_CDR_AFTER] = "SELECT " EVENT_COLS " FROM cdrs WHERE id > ?1 "
			 "ORDER BY id LIMIT ?2",
	[ST_CALL_EVENT_LAST] = "SELECT COALESCE(MAX(id), 0) FROM call_events",
	[ST_CDR_LAST] = "SELECT COALESCE(MAX(id), 0) FROM cdrs",
};
/* clang-format on */

/* A connection with its statement cache. */
struct conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT]; /* prepared on first use */
};

struct sqlite_be {
	struct conn w;        /* writer thread only (open: opening thread) */
	pthread_mutex_t rmtx; /* serialises the reads */
	struct conn r;        /* reads, under rmtx */
};

/* Map an SQLite result code to a negative errno. */
static int rc_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
	case SQLITE_CANTOPEN:
		return -EACCES;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* Log a failure (rate-limited) and map it; constraints are results. */
static int db_err(struct conn *c, int rc, const char *what)
{
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		SX_LOG_DBG("%s: %s", what, sqlite3_errmsg(c->db));
	else
		SX_LOG_ERR_RL("%s: %s (%s, %d)", what, sqlite3_errmsg(c->db),
		              sqlite3_errstr(rc), rc);
	return rc_errno(rc);
}

static int stmt_get(struct conn *c, enum stmt_id id, sqlite3_stmt **sp)
{
	if (!c->stmt[id]) {
		int rc = sqlite3_prepare_v3(c->db, stmt_sql[id], -1,
		                            SQLITE_PREPARE_PERSISTENT,
		                            &c->stmt[id], NULL);
		if (rc != SQLITE_OK)
			return db_err(c, rc, "prepare");
	}
	*sp = c->stmt[id];
	return 0;
}

/* Make a statement reusable and drop its references to bound data. */
static void stmt_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Binds values to ?1, ?2, ... in turn and keeps the first failure. */
struct binder {
	sqlite3_stmt *s;
	int idx;
	int rc;
};

static void bind_sl(struct binder *b, struct sx_sl v)
{
	/* an empty slice binds '' (NOT NULL columns); the data outlives
	 * the statement's use, so SQLite need not copy it */
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_text(b->s, ++b->idx, v.len ? v.p : "",
		                          (int)v.len, SQLITE_STATIC);
}

static void bind_i64(struct binder *b, int64_t v)
{
	if (b->rc == SQLITE_OK)
		b->rc = sqlite3_bind_int64(b->s, ++b->idx, v);
}

static struct sx_sl col_sl(sqlite3_stmt *s, int i)
{
	const unsigned char *p = sqlite3_column_text(s, i);
	int n = sqlite3_column_bytes(s, i);
	return p ? sx_sl_make((const char *)p, (size_t)n) : SX_SL_NULL;
}

/* Run a statement without parameters or rows (BEGIN, COMMIT...). */
static int run_plain(struct conn *c, enum stmt_id id, const char *what)
{
	sqlite3_stmt *s = NULL;
	int err = stmt_get(c, id, &s);
	if (err)
		return err;
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		err = db_err(c, rc, what);
	stmt_done(s);
	return err;
}

/* ---- connections, schema ------------------------------------------ */

static void conn_close(struct conn *c)
{
	for (size_t i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(c->stmt[i]);
	memset(c->stmt, 0, sizeof(c->stmt));
	if (c->db && sqlite3_close(c->db) != SQLITE_OK)
		SX_LOG_ERR("close: %s", sqlite3_errmsg(c->db));
	c->db = NULL;
}

static int conn_open(struct conn *c, const char *path, unsigned busy_ms)
{
	int rc = sqlite3_open_v2(path, &c->db,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                             SQLITE_OPEN_NOMUTEX,
	                         NULL);
	if (rc != SQLITE_OK) {
		int err = c->db ? db_err(c, rc, path) : -ENOMEM;
		sqlite3_close(c->db);
		c->db = NULL;
		return err;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, busy_ms > INT_MAX ? INT_MAX : (int)busy_ms);
	return 0;
}

/* Run constant SQL (pragmas, migrations): never user data. */
static int exec_const(struct conn *c, const char *sql, const char *what)
{
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : db_err(c, rc, what);
}

/* Switch to WAL; the mode is persistent in the file. */
static int wal_enable(struct conn *c)
{
	sqlite3_stmt *s = NULL;
	int err = 0;

	int rc =
	    sqlite3_prepare_v2(c->db, "PRAGMA journal_mode=WAL", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		err = db_err(c, rc, "journal_mode");
		goto out;
	}
	const unsigned char *mode = sqlite3_column_text(s, 0);
	if (!mode || strcmp((const char *)mode, "wal")) {
		SX_LOG_ERR("journal_mode: got %s, want wal",
		           mode ? (const char *)mode : "?");
		err = -EIO;
	}
out:
	sqlite3_finalize(s);
	return err;
}

/* Read the version row; 0 for a new file. */
static int schema_get(struct conn *c, int *versionp)
{
	sqlite3_stmt *s = NULL;
	int err = stmt_get(c, ST_SCHEMA_GET, &s);
	if (err)
		return err;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*versionp = sqlite3_column_int(s, 0);
	else if (rc == SQLITE_DONE)
		*versionp = 0;
	else
		err = db_err(c, rc, "schema version");
	stmt_done(s);
	return err;
}

static int schema_set(struct conn *c, int version)
{
	sqlite3_stmt *s = NULL;
	int err = stmt_get(c, ST_SCHEMA_SET, &s);
	if (err)
		return err;
	int rc = sqlite3_bind_int(s, 1, version);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		err = db_err(c, rc, "schema version");
	stmt_done(s);
	return err;
}

/* Bring the schema to SCHEMA_VERSION in one transaction. */
static int migrate(struct conn *c)
{
	int version = 0;
	int err = run_plain(c, ST_BEGIN, "begin");
	if (err)
		return err;
	err = exec_const(c,
	                 "CREATE TABLE IF NOT EXISTS sx_schema("
	                 "id INTEGER PRIMARY KEY CHECK (id = 1),"
	                 "version INTEGER NOT NULL)",
	                 "schema table");
	if (!err)
		err = schema_get(c, &version);
	if (!err && version > SCHEMA_VERSION) {
		SX_LOG_ERR("schema version %d is newer than %d", version,
		           SCHEMA_VERSION);
		err = -ENOTSUP;
	}
	for (int v = version; !err && v < SCHEMA_VERSION; v++) {
		SX_LOG_INFO("migrating schema to version %d", v + 1);
		err = exec_const(c, migrations[v], "migration");
	}
	if (!err && version < SCHEMA_VERSION)
		err = schema_set(c, SCHEMA_VERSION);
	if (!err)
		err = run_plain(c, ST_COMMIT, "commit");
	if (err && !sqlite3_get_autocommit(c->db))
		(void)run_plain(c, ST_ROLLBACK, "rollback");
	return err;
}

static int writer_open(struct conn *c, const struct sx_store_prm *prm)
{
	int err = conn_open(c, prm->path, prm->busy_timeout_ms);
	if (!err)
		err = wal_enable(c);
	/* FULL: the WAL is fsync'd at every commit, so a commit is durable
	 * when COMMIT returns (NORMAL would only survive a process crash) */
	if (!err)
		err = exec_const(c, "PRAGMA synchronous=FULL", "synchronous");
	if (!err)
		err = migrate(c);
	return err;
}

static int reader_open(struct conn *c, const struct sx_store_prm *prm)
{
	int err = conn_open(c, prm->path, prm->busy_timeout_ms);
	if (!err)
		err = exec_const(c, "PRAGMA query_only=1", "query_only");
	return err;
}

static void be_close(void *arg)
{
	struct sqlite_be *be = arg;

	if (!be)
		return;
	conn_close(&be->r);
	conn_close(&be->w);
	pthread_mutex_destroy(&be->rmtx);
	sx_mem_unref(be);
}

static int be_open(void **bep, const struct sx_store_prm *prm)
{
	struct sqlite_be *be = sx_mem_zalloc(sizeof(*be), NULL);
	if (!be)
		return -ENOMEM;
	pthread_mutex_init(&be->rmtx, NULL);
	int err = writer_open(&be->w, prm);
	if (!err)
		err = reader_open(&be->r, prm);
	if (err) {
		be_close(be);
		return err;
	}
	*bep = be;
	return 0;
}

/* ---- writes (writer thread) --------------------------------------- */

static int be_begin(void *arg)
{
	struct sqlite_be *be = arg;
	return run_plain(&be->w, ST_BEGIN, "begin");
}

static int be_commit(void *arg)
{
	struct sqlite_be *be = arg;
	return run_plain(&be->w, ST_COMMIT, "commit");
}

static void be_rollback(void *arg)
{
	struct sqlite_be *be = arg;
	if (!sqlite3_get_autocommit(be->w.db))
		(void)run_plain(&be->w, ST_ROLLBACK, "rollback");
}

/*
 * Step a bound write statement to its end.  *resultp gets the write's
 * result; the return value is non-zero only when SQLite rolled the whole
 * transaction back (I/O error, disk full...).
 */
static int step_write(struct conn *c, struct binder *b, int *resultp)
{
	int rc = b->rc == SQLITE_OK ? sqlite3_step(b->s) : b->rc;
	int err = rc == SQLITE_DONE ? 0 : db_err(c, rc, "write");

	stmt_done(b->s);
	if (err && sqlite3_get_autocommit(c->db))
		return err;
	*resultp = err;
	return 0;
}

/* As step_write(), then -ENOENT when no row changed. */
static int step_delete(struct conn *c, struct binder *b, int *resultp)
{
	int err = step_write(c, b, resultp);
	if (!err && !*resultp && !sqlite3_changes(c->db))
		*resultp = -ENOENT;
	return err;
}

static int write_user(struct conn *c, enum stmt_id id,
                      const struct sx_store_user *u, int *resultp)
{
	struct binder b = {0};
	int err = stmt_get(c, id, &b.s);
	if (err)
		return err;
	bind_sl(&b, u->name);
	bind_sl(&b, u->realm);
	bind_sl(&b, u->ha1_md5);
	bind_sl(&b, u->ha1_sha256);
	return step_write(c, &b, resultp);
}

/* All users or none: a savepoint inside the batch's transaction. */
static int write_import(struct conn *c, const struct sx_store_user *users,
                        size_t n, int *resultp)
{
	int err = run_plain(c, ST_SAVEPOINT, "savepoint");
	if (err)
		return err;
	*resultp = 0;
	for (size_t i = 0; i < n && !err && !*resultp; i++)
		err = write_user(c, ST_USER_PUT, &users[i], resultp);
	if (err)
		return err; /* the transaction is gone */
	if (*resultp)
		err = run_plain(c, ST_ROLLBACK_TO, "rollback to");
	if (!err)
		err = run_plain(c, ST_RELEASE, "release");
	return err;
}

static int write_binding(struct conn *c, const struct sx_store_binding *bd,
                         int *resultp)
{
	struct binder b = {0};
	int err = stmt_get(c, ST_BINDING_UPSERT, &b.s);
	if (err)
		return err;
	bind_sl(&b, bd->aor);
	bind_sl(&b, bd->contact);
	bind_i64(&b, bd->q);
	bind_i64(&b, bd->expires_at);
	bind_sl(&b, bd->call_id);
	bind_i64(&b, bd->cseq);
	bind_sl(&b, bd->path);
	bind_sl(&b, bd->instance);
	bind_i64(&b, bd->reg_id);
	bind_sl(&b, bd->user_agent);
	bind_sl(&b, bd->received);
	bind_sl(&b, bd->transport);
	bind_i64(&b, bd->updated_at);
	return step_write(c, &b, resultp);
}

/* A delete keyed by @nkey slices; with @must_exist the write's result
 * is -ENOENT when nothing matched. */
static int write_delete(struct conn *c, enum stmt_id id,
                        const struct sx_sl *key, size_t nkey, bool must_exist,
                        int *resultp)
{
	struct binder b = {0};
	int err = stmt_get(c, id, &b.s);
	if (err)
		return err;
	for (size_t i = 0; i < nkey; i++)
		bind_sl(&b, key[i]);
	return must_exist ? step_delete(c, &b, resultp)
	                  : step_write(c, &b, resultp);
}

static int write_expire(struct conn *c, int64_t now, int *resultp)
{
	struct binder b = {0};
	int err = stmt_get(c, ST_BINDING_EXPIRE, &b.s);
	if (err)
		return err;
	bind_i64(&b, now);
	return step_write(c, &b, resultp);
}

static int write_event(struct conn *c, enum sx_store_log log,
                       const struct sx_store_event *ev, int *resultp)
{
	enum stmt_id id =
	    log == SX_STORE_LOG_CDRS ? ST_CDR_APPEND : ST_CALL_EVENT_APPEND;
	struct binder b = {0};
	int err = stmt_get(c, id, &b.s);
	if (err)
		return err;
	bind_sl(&b, ev->call_id);
	bind_sl(&b, ev->type);
	bind_i64(&b, ev->time_ms);
	bind_sl(&b, ev->fields);
	return step_write(c, &b, resultp);
}

static int be_write(void *arg, const struct sx_store_wr *wr, int *resultp)
{
	struct sqlite_be *be = arg;
	struct conn *c = &be->w;

	*resultp = 0;
	switch (wr->kind) {
	case SX_STORE_WR_USER_ADD:
		return write_user(c, ST_USER_ADD, &wr->u.user, resultp);
	case SX_STORE_WR_USER_PUT:
		return write_user(c, ST_USER_PUT, &wr->u.user, resultp);
	case SX_STORE_WR_USER_DELETE:
		return write_delete(c, ST_USER_DELETE, wr->u.key, 1, true,
		                    resultp);
	case SX_STORE_WR_USER_IMPORT:
		return write_import(c, wr->u.import.users, wr->u.import.n,
		                    resultp);
	case SX_STORE_WR_BINDING_UPSERT:
		return write_binding(c, &wr->u.binding, resultp);
	case SX_STORE_WR_BINDING_DELETE:
		return write_delete(c, ST_BINDING_DELETE, wr->u.key, 2, true,
		                    resultp);
	case SX_STORE_WR_BINDING_DELETE_AOR:
		return write_delete(c, ST_BINDING_DELETE_AOR, wr->u.key, 1,
		                    false, resultp);
	case SX_STORE_WR_BINDING_EXPIRE:
		return write_expire(c, wr->u.now, resultp);
	case SX_STORE_WR_EVENT_APPEND:
		return write_event(c, wr->u.event.log, &wr->u.event.ev,
		                   resultp);
	}
	*resultp = -EINVAL;
	return 0;
}

/* ---- reads (any thread, under rmtx) ------------------------------- */

/* Decodes one row for a read; non-zero stops the read with that value. */
typedef int(row_h)(sqlite3_stmt *s, void *ctx);

/* Step a bound read statement, @row for each row; count or -errno. */
static ssize_t read_rows(struct conn *c, struct binder *b, row_h *row,
                         void *ctx)
{
	ssize_t n = 0;
	int rc = b->rc;

	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(b->s)) == SQLITE_ROW) {
			int e = row(b->s, ctx);
			if (e) {
				n = e;
				goto out;
			}
			n++;
		}
	}
	if (rc != SQLITE_DONE)
		n = db_err(c, rc, "read");
out:
	stmt_done(b->s);
	return n;
}

/* Run read @id with @key bound (if set) under the read lock. */
static ssize_t read_locked(struct sqlite_be *be, enum stmt_id id,
                           struct sx_sl key, row_h *row, void *ctx)
{
	struct binder b = {0};
	ssize_t n;

	pthread_mutex_lock(&be->rmtx);
	n = stmt_get(&be->r, id, &b.s);
	if (!n) {
		if (key.len)
			bind_sl(&b, key);
		n = read_rows(&be->r, &b, row, ctx);
	}
	pthread_mutex_unlock(&be->rmtx);
	return n;
}

static struct sx_store_user user_row(sqlite3_stmt *s)
{
	return (struct sx_store_user){
	    .name = col_sl(s, 0),
	    .realm = col_sl(s, 1),
	    .ha1_md5 = col_sl(s, 2),
	    .ha1_sha256 = col_sl(s, 3),
	};
}

static int user_get_row(sqlite3_stmt *s, void *ctx)
{
	struct sx_store_user **userp = ctx;
	struct sx_store_user u = user_row(s);

	*userp = sx_store_user_dup(&u);
	return *userp ? 0 : -ENOMEM;
}

static int be_user_get(void *arg, struct sx_sl name,
                       struct sx_store_user **userp)
{
	struct sx_store_user *u = NULL;
	ssize_t n = read_locked(arg, ST_USER_GET, name, user_get_row, &u);
	if (n < 0)
		return (int)n;
	if (!n)
		return -ENOENT;
	*userp = u;
	return 0;
}

struct user_iter {
	sx_store_user_h *fn;
	void *arg;
};

static int user_list_row(sqlite3_stmt *s, void *ctx)
{
	struct user_iter *it = ctx;
	struct sx_store_user u = user_row(s);
	return it->fn(&u, it->arg);
}

static ssize_t be_user_list(void *arg, sx_store_user_h *fn, void *fnarg)
{
	struct user_iter it = {fn, fnarg};
	return read_locked(arg, ST_USER_LIST, SX_SL_NULL, user_list_row, &it);
}

static int count_row(sqlite3_stmt *s, void *ctx)
{
	*(int64_t *)ctx = sqlite3_column_int64(s, 0);
	return 0;
}

static ssize_t be_user_count(void *arg)
{
	int64_t count = 0;
	ssize_t n =
	    read_locked(arg, ST_USER_COUNT, SX_SL_NULL, count_row, &count);
	return n < 0 ? n : (ssize_t)count;
}

static int be_user_gen(void *arg, uint64_t *genp)
{
	int64_t gen = 0;
	ssize_t n = read_locked(arg, ST_USER_GEN, SX_SL_NULL, count_row, &gen);
	if (n < 0)
		return (int)n;
	if (!n)
		return -EIO; /* the row migration 2 made is gone */
	*genp = (uint64_t)gen;
	return 0;
}

struct binding_iter {
	sx_store_binding_h *fn;
	void *arg;
};

static int binding_row(sqlite3_stmt *s, void *ctx)
{
	struct binding_iter *it = ctx;
	struct sx_store_binding b = {
	    .aor = col_sl(s, 0),
	    .contact = col_sl(s, 1),
	    .q = (uint16_t)sqlite3_column_int(s, 2),
	    .expires_at = sqlite3_column_int64(s, 3),
	    .call_id = col_sl(s, 4),
	    .cseq = (uint32_t)sqlite3_column_int64(s, 5),
	    .path = col_sl(s, 6),
	    .instance = col_sl(s, 7),
	    .reg_id = (uint32_t)sqlite3_column_int64(s, 8),
	    .user_agent = col_sl(s, 9),
	    .received = col_sl(s, 10),
	    .transport = col_sl(s, 11),
	    .updated_at = sqlite3_column_int64(s, 12),
	};
	return it->fn(&b, it->arg);
}

static ssize_t be_binding_load(void *arg, struct sx_sl aor,
                               sx_store_binding_h *fn, void *fnarg)
{
	struct binding_iter it = {fn, fnarg};
	return read_locked(arg, aor.len ? ST_BINDING_LOAD_AOR : ST_BINDING_LOAD,
	                   aor, binding_row, &it);
}

struct event_iter {
	sx_store_event_h *fn;
	void *arg;
};

static int event_row(sqlite3_stmt *s, void *ctx)
{
	struct event_iter *it = ctx;
	struct sx_store_event ev = {
	    .id = sqlite3_column_int64(s, 0),
	    .call_id = col_sl(s, 1),
	    .type = col_sl(s, 2),
	    .time_ms = sqlite3_column_int64(s, 3),
	    .fields = col_sl(s, 4),
	};
	return it->fn(&ev, it->arg);
}

static ssize_t be_event_list(void *arg, enum sx_store_log log, int64_t since_ms,
                             size_t limit, sx_store_event_h *fn, void *fnarg)
{
	struct sqlite_be *be = arg;
	struct event_iter it = {fn, fnarg};
	struct binder b = {0};
	ssize_t n;

	pthread_mutex_lock(&be->rmtx);
	n = stmt_get(
	    &be->r, log == SX_STORE_LOG_CDRS ? ST_CDR_LIST : ST_CALL_EVENT_LIST,
	    &b.s);
	if (!n) {
		bind_i64(&b, since_ms);
		/* LIMIT -1: no limit */
		bind_i64(&b, limit && limit <= INT64_MAX ? (int64_t)limit : -1);
		n = read_rows(&be->r, &b, event_row, &it);
	}
	pthread_mutex_unlock(&be->rmtx);
	return n;
}

static ssize_t be_event_list_after(void *arg, enum sx_store_log log,
                                   int64_t after_id, size_t limit,
                                   sx_store_event_h *fn, void *fnarg)
{
	struct sqlite_be *be = arg;
	struct event_iter it = {fn, fnarg};
	struct binder b = {0};
	ssize_t n;

	pthread_mutex_lock(&be->rmtx);
	n = stmt_get(&be->r,
	             log == SX_STORE_LOG_CDRS ? ST_CDR_AFTER : ST_CALL_EVENT_AFTER,
	             &b.s);
	if (!n) {
		bind_i64(&b, after_id);
		/* LIMIT -1: no limit */
		bind_i64(&b, limit && limit <= INT64_MAX ? (int64_t)limit : -1);
		n = read_rows(&be->r, &b, event_row, &it);
	}
	pthread_mutex_unlock(&be->rmtx);
	return n;
}

static int be_event_last_id(void *arg, enum sx_store_log log, int64_t *idp)
{
	struct sqlite_be *be = arg;
	sqlite3_stmt *s = NULL;
	int err;

	pthread_mutex_lock(&be->rmtx);
	err = stmt_get(&be->r,
	               log == SX_STORE_LOG_CDRS ? ST_CDR_LAST : ST_CALL_EVENT_LAST,
	               &s);
	if (!err) {
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*idp = sqlite3_column_int64(s, 0);
		else
			err = db_err(&be->r, rc, "last event id");
		stmt_done(s);
	}
	pthread_mutex_unlock(&be->rmtx);
	return err;
}

const struct sx_store_backend_ops sx_store_backend_sqlite = {
    .name = "sqlite",
    .open = be_open,
    .close = be_close,
    .begin = be_begin,
    .write = be_write,
    .commit = be_commit,
    .rollback = be_rollback,
    .user_get = be_user_get,
    .user_list = be_user_list,
    .user_count = be_user_count,
    .user_gen = be_user_gen,
    .binding_load = be_binding_load,
    .event_list = be_event_list,
    .event_list_after = be_event_list_after,
    .event_last_id = be_event_last_id,
};
