/*
 * sx_store unit tests: open/migrate, each record kind's operations
 * (synchronous and asynchronous), validation, and the generic writer's
 * failure handling through a fault-injecting wrapper of the SQLite
 * backend.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include <sx/port/ev.h>
#include <sx/store/backend.h>
#include <sx/store/binding.h>
#include <sx/store/event.h>
#include <sx/store/store.h>
#include <sx/store/user.h>

#include "store_test.h"
#include "ut.h"

#define MD5_A "0123456789abcdef0123456789abcdef"
#define SHA_A                                                                  \
	"0123456789abcdef0123456789abcdef"                                     \
	"0123456789abcdef0123456789abcdef"

static struct sx_store_user user_fixture(const char *name)
{
	return (struct sx_store_user){
	    .name = sx_sl_cstr(name),
	    .realm = SX_SL("example.com"),
	    .ha1_md5 = SX_SL(MD5_A),
	    .ha1_sha256 = SX_SL(SHA_A),
	};
}

/* Async completions land here. */
struct done_log {
	unsigned n;
	int err[64];
};

static void on_done(int err, void *arg)
{
	struct done_log *d = arg;
	if (d->n < SX_ARRAY_SIZE(d->err))
		d->err[d->n] = err;
	d->n++;
}

static int test_open_close(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_store_prm prm = {0};
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_EQ(-EINVAL, sx_store_open(&st, NULL));
	UT_EQ(-EINVAL, sx_store_open(&st, &prm));
	prm.path = t.path;
	prm.batch_max = SX_STORE_BATCH_MAX + 1;
	UT_EQ(-EINVAL, sx_store_open(&st, &prm));
	prm.batch_max = 0;
	prm.path = "/nonexistent-dir/sub/x.db";
	UT_TRUE(sx_store_open(&st, &prm) < 0);
	UT_OK(tdb_open(&t, 0, &st));
	UT_EQ(0, sx_store_user_count(st));
	sx_store_close(st);
	st = NULL;
	/* a second open finds the schema current and migrates nothing */
	UT_OK(tdb_open(&t, 0, &st));
	UT_EQ(0, sx_store_user_count(st));
	UT_OK(sx_store_flush(st));
	sx_store_close(st);
	st = NULL;
	/* every SQLite statement and connection was released */
	UT_EQ(0, sqlite3_memory_used());
out:
	sx_store_close(st);
	tdb_remove(&t);
	return err;
}

/* A database written by a newer program is refused, not damaged. */
static int test_schema_newer(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	sqlite3 *db = NULL;
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_OK(tdb_open(&t, 0, &st));
	sx_store_close(st);
	st = NULL;
	UT_EQ(SQLITE_OK, sqlite3_open(t.path, &db));
	UT_EQ(SQLITE_OK, sqlite3_exec(db, "UPDATE sx_schema SET version = 999",
	                              NULL, NULL, NULL));
	sqlite3_close(db);
	db = NULL;
	UT_ERR(-ENOTSUP, tdb_open(&t, 0, &st));
out:
	sqlite3_close(db);
	sx_store_close(st);
	tdb_remove(&t);
	return err;
}

struct name_list {
	unsigned n;
	char names[8][32];
};

static int collect_user(const struct sx_store_user *u, void *arg)
{
	struct name_list *l = arg;
	if (l->n < SX_ARRAY_SIZE(l->names))
		snprintf(l->names[l->n], sizeof(l->names[0]), "%.*s",
		         SX_SL_FMT(u->name));
	l->n++;
	return 0;
}

static int stop_at_first(const struct sx_store_user *u, void *arg)
{
	(void)u;
	(void)arg;
	return -ECANCELED;
}

static int test_user_crud(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_store_user *got = NULL;
	struct sx_store_user u = user_fixture("bob");
	struct name_list l = {0};
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_OK(tdb_open(&t, 0, &st));
	UT_OK(sx_store_user_add(st, &u, NULL));
	UT_ERR(-EEXIST, sx_store_user_add(st, &u, NULL));
	u = user_fixture("alice");
	u.ha1_md5 = SX_SL("0123456789ABCDEF0123456789ABCDEF");
	u.ha1_sha256 = SX_SL_NULL;
	UT_OK(sx_store_user_add(st, &u, NULL));
	UT_OK(sx_store_user_get(st, SX_SL("alice"), &got));
	UT_SL_EQ("alice", got->name);
	UT_SL_EQ("example.com", got->realm);
	UT_SL_EQ(MD5_A, got->ha1_md5); /* stored lowercase */
	UT_EQ(0, got->ha1_sha256.len);
	got = sx_mem_unref(got);
	UT_ERR(-ENOENT, sx_store_user_get(st, SX_SL("carol"), &got));
	/* put replaces */
	u.realm = SX_SL("other.org");
	UT_OK(sx_store_user_put(st, &u, NULL));
	UT_OK(sx_store_user_get(st, SX_SL("alice"), &got));
	UT_SL_EQ("other.org", got->realm);
	got = sx_mem_unref(got);
	UT_EQ(2, sx_store_user_count(st));
	UT_EQ(2, sx_store_user_list(st, collect_user, &l));
	UT_STR_EQ("alice", l.names[0]);
	UT_STR_EQ("bob", l.names[1]);
	UT_EQ(-ECANCELED, sx_store_user_list(st, stop_at_first, NULL));
	UT_OK(sx_store_user_delete(st, SX_SL("bob"), NULL));
	UT_ERR(-ENOENT, sx_store_user_delete(st, SX_SL("bob"), NULL));
	UT_EQ(1, sx_store_user_count(st));
out:
	sx_mem_unref(got);
	sx_store_close(st);
	tdb_remove(&t);
	return err;
}

static int test_user_invalid(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_store_user u;
	struct sx_store_cb cb = {NULL, on_done, NULL};
	char longname[SX_STORE_USER_NAME_MAX + 1];
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_OK(tdb_open(&t, 0, &st));
	u = user_fixture("");
	UT_ERR(-EINVAL, sx_store_user_add(st, &u, NULL));
	u = user_fixture("x");
	u.realm = SX_SL_NULL;
	UT_ERR(-EINVAL, sx_store_user_add(st, &u, NULL));
	u = user_fixture("x");
	u.ha1_md5 = SX_SL("0123456789abcdef0123456789abcdeg");
	UT_ERR(-EINVAL, sx_store_user_add(st, &u, NULL));
	u.ha1_md5 = SX_SL("0123");
	UT_ERR(-EINVAL, sx_store_user_add(st, &u, NULL));
	memset(longname, 'a', sizeof(longname));
	u = user_fixture("x");
	u.name = sx_sl_make(longname, sizeof(longname));
	UT_ERR(-EINVAL, sx_store_user_add(st, &u, NULL));
	u.name = sx_sl_make(NULL, 3);
	UT_ERR(-EINVAL, sx_store_user_add(st, &u, NULL));
	u = user_fixture("x");
	UT_ERR(-EINVAL, sx_store_user_add(st, &u, &cb)); /* cb without loop */
	UT_ERR(-EINVAL, sx_store_user_add(NULL, &u, NULL));
	UT_ERR(-EINVAL, sx_store_user_get(st, SX_SL_NULL, NULL));
	UT_EQ(-EINVAL, sx_store_user_import(st, &u, 0, NULL));
	UT_EQ(0, sx_store_user_count(st));
out:
	sx_store_close(st);
	tdb_remove(&t);
	return err;
}

#define IMPORT_N 40

static int test_user_import(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_store_user users[IMPORT_N];
	char names[IMPORT_N][16];
	int err = tdb_make(&t);
	if (err)
		return err;

	for (unsigned i = 0; i < IMPORT_N; i++) {
		snprintf(names[i], sizeof(names[i]), "u%03u", i);
		users[i] = user_fixture(names[i]);
	}
	UT_OK(tdb_open(&t, 0, &st));
	/* one invalid record rejects the whole import */
	users[IMPORT_N - 1].ha1_md5 = SX_SL("zz");
	UT_EQ(-EINVAL, sx_store_user_import(st, users, IMPORT_N, NULL));
	users[IMPORT_N - 1].ha1_md5 = SX_SL(MD5_A);
	UT_OK(sx_store_user_import(st, users, IMPORT_N, NULL));
	UT_EQ(IMPORT_N, sx_store_user_count(st));
	/* importing again replaces (no -EEXIST) */
	users[0].realm = SX_SL("new.example.com");
	UT_OK(sx_store_user_import(st, users, IMPORT_N, NULL));
	UT_EQ(IMPORT_N, sx_store_user_count(st));
out:
	sx_store_close(st);
	tdb_remove(&t);
	return err;
}

struct bind_list {
	unsigned n;
	unsigned bad;
	unsigned idx[16];
};

/* Collect fixture numbers (from the cseq) and check every field. */
static int collect_binding(const struct sx_store_binding *b, void *arg)
{
	struct bind_list *l = arg;
	unsigned i = b->cseq - 1;
	if (l->n < SX_ARRAY_SIZE(l->idx))
		l->idx[l->n] = i;
	l->n++;
	l->bad += (unsigned)tdb_binding_check(b, i);
	return 0;
}

/* Collect q values. */
static int collect_q(const struct sx_store_binding *b, void *arg)
{
	struct bind_list *l = arg;
	if (l->n < SX_ARRAY_SIZE(l->idx))
		l->idx[l->n] = b->q;
	l->n++;
	return 0;
}

static int test_binding_crud(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_store_binding b;
	struct bind_list l = {0};
	char buf[TDB_BINDING_BUF];
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_OK(tdb_open(&t, 0, &st));
	/* fixtures 0..5: aor user0 has 0,1,2; user1 has 3,4,5 */
	for (unsigned i = 0; i < 6; i++) {
		tdb_binding(&b, i, buf);
		UT_OK(sx_store_binding_upsert(st, &b, NULL));
	}
	UT_EQ(6, sx_store_binding_load(st, SX_SL_NULL, collect_binding, &l));
	UT_EQ(0, l.bad);
	/* same key, new q: replaced, not added */
	tdb_binding(&b, 1, buf);
	b.q = 999;
	UT_OK(sx_store_binding_upsert(st, &b, NULL));
	l = (struct bind_list){0};
	UT_EQ(3, sx_store_binding_load(st, SX_SL("sip:user0@example.com"),
	                               collect_q, &l));
	UT_EQ(999, l.idx[1]);
	tdb_binding(&b, 0, buf);
	UT_OK(sx_store_binding_delete(st, b.aor, b.contact, NULL));
	UT_ERR(-ENOENT, sx_store_binding_delete(st, b.aor, b.contact, NULL));
	UT_OK(sx_store_binding_delete_aor(st, SX_SL("sip:user0@example.com"),
	                                  NULL));
	UT_OK(sx_store_binding_delete_aor(st, SX_SL("sip:nobody@x"), NULL));
	l = (struct bind_list){0};
	UT_EQ(3, sx_store_binding_load(st, SX_SL_NULL, collect_binding, &l));
	UT_EQ(3, l.idx[0]);
	/* expiry: fixture i expires at 1700000000 + i */
	UT_OK(sx_store_binding_delete_expired(st, 1700000004, NULL));
	l = (struct bind_list){0};
	UT_EQ(1, sx_store_binding_load(st, SX_SL_NULL, collect_binding, &l));
	UT_EQ(5, l.idx[0]);
	UT_EQ(0, l.bad);
	tdb_binding(&b, 7, buf);
	b.q = SX_STORE_Q_MAX + 1;
	UT_ERR(-EINVAL, sx_store_binding_upsert(st, &b, NULL));
	b.q = 0;
	b.contact = SX_SL_NULL;
	UT_ERR(-EINVAL, sx_store_binding_upsert(st, &b, NULL));
out:
	sx_store_close(st);
	tdb_remove(&t);
	return err;
}

struct ev_list {
	unsigned n;
	int64_t last_id;
	int64_t times[8];
	char types[8][16];
};

static int collect_event(const struct sx_store_event *ev, void *arg)
{
	struct ev_list *l = arg;
	if (ev->id <= l->last_id)
		return -EILSEQ;
	l->last_id = ev->id;
	if (l->n < SX_ARRAY_SIZE(l->times)) {
		l->times[l->n] = ev->time_ms;
		snprintf(l->types[l->n], sizeof(l->types[0]), "%.*s",
		         SX_SL_FMT(ev->type));
	}
	l->n++;
	return 0;
}

static int test_event_log(void)
{
	static const char *const types[] = {"setup", "ringing", "connect",
	                                    "end"};
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_ev *loop = NULL;
	struct done_log d = {0};
	struct ev_list l = {0};
	unsigned sent = 0;
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(tdb_open(&t, 0, &st));
	struct sx_store_cb cb = {loop, on_done, &d};
	for (unsigned i = 0; i < 4; i++) {
		struct sx_store_event ev = {
		    .call_id = SX_SL("abc@host"),
		    .type = sx_sl_cstr(types[i]),
		    .time_ms = 1000 * (int64_t)(i + 1),
		    .fields = SX_SL("{\"from\":\"sip:a@x\"}"),
		};
		UT_OK(sx_store_event_append(st, SX_STORE_LOG_CALL_EVENTS, &ev,
		                            &cb));
		sent++;
	}
	struct sx_store_event cdr = {
	    .call_id = SX_SL("abc@host"),
	    .type = SX_SL("cdr"),
	    .time_ms = 5000,
	};
	UT_OK(sx_store_event_append(st, SX_STORE_LOG_CDRS, &cdr, &cb));
	sent++;
	UT_OK(tdb_wait(loop, &d.n, sent));
	for (unsigned i = 0; i < sent; i++)
		UT_EQ(0, d.err[i]);
	UT_EQ(3, sx_store_event_list(st, SX_STORE_LOG_CALL_EVENTS, 2000, 0,
	                             collect_event, &l));
	UT_EQ(2000, l.times[0]);
	UT_STR_EQ("end", l.types[2]);
	l = (struct ev_list){0};
	UT_EQ(2, sx_store_event_list(st, SX_STORE_LOG_CALL_EVENTS, 0, 2,
	                             collect_event, &l));
	UT_STR_EQ("setup", l.types[0]);
	l = (struct ev_list){0};
	UT_EQ(1, sx_store_event_list(st, SX_STORE_LOG_CDRS, 0, 0, collect_event,
	                             &l));
	UT_STR_EQ("cdr", l.types[0]);
	/* by id, in commit order, whatever the times */
	int64_t last = -1;
	UT_OK(sx_store_event_last_id(st, SX_STORE_LOG_CALL_EVENTS, &last));
	UT_EQ(4, last);
	l = (struct ev_list){0};
	UT_EQ(2, sx_store_event_list_after(st, SX_STORE_LOG_CALL_EVENTS, 2, 0,
	                                   collect_event, &l));
	UT_STR_EQ("connect", l.types[0]);
	UT_STR_EQ("end", l.types[1]);
	l = (struct ev_list){0};
	UT_EQ(1, sx_store_event_list_after(st, SX_STORE_LOG_CALL_EVENTS, 0, 1,
	                                   collect_event, &l));
	UT_STR_EQ("setup", l.types[0]);
	UT_EQ(0, sx_store_event_list_after(st, SX_STORE_LOG_CDRS, 1, 0,
	                                   collect_event, &l));
	UT_ERR(-EINVAL, sx_store_event_list_after(st, SX_STORE_LOG_CDRS, -1, 0,
	                                          collect_event, &l));
	UT_ERR(-EINVAL,
	       sx_store_event_last_id(st, SX_STORE_LOG_COUNT, &last));
	UT_ERR(-EINVAL,
	       sx_store_event_append(st, SX_STORE_LOG_COUNT, &cdr, NULL));
	cdr.type = SX_SL_NULL;
	UT_ERR(-EINVAL,
	       sx_store_event_append(st, SX_STORE_LOG_CDRS, &cdr, NULL));
out:
	/* completions not yet run are delivered by the teardown */
	tdb_teardown(st, loop);
	tdb_remove(&t);
	return err;
}

/* Asynchronous writes report their own results through the loop. */
static int test_async_results(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_ev *loop = NULL;
	struct done_log d = {0};
	struct sx_store_user u = user_fixture("dave");
	unsigned sent = 0;
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(tdb_open(&t, 0, &st));
	struct sx_store_cb cb = {loop, on_done, &d};
	UT_OK(sx_store_user_add(st, &u, &cb));
	sent++;
	UT_OK(sx_store_user_add(st, &u, &cb));
	sent++;
	UT_OK(sx_store_user_delete(st, SX_SL("erin"), &cb));
	sent++;
	UT_OK(sx_store_binding_delete_expired(st, 0, &cb));
	sent++;
	UT_OK(tdb_wait(loop, &d.n, sent));
	UT_EQ(0, d.err[0]);
	UT_EQ(-EEXIST, d.err[1]);
	UT_EQ(-ENOENT, d.err[2]);
	UT_EQ(0, d.err[3]);
out:
	tdb_teardown(st, loop);
	tdb_remove(&t);
	return err;
}

/* Data written before close is there after a reopen. */
static int test_reopen_persists(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_store_binding b;
	struct bind_list l = {0};
	char buf[TDB_BINDING_BUF];
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_OK(tdb_open(&t, 0, &st));
	tdb_binding(&b, 9, buf);
	UT_OK(sx_store_binding_upsert(st, &b, NULL));
	sx_store_close(st);
	st = NULL;
	UT_OK(tdb_open(&t, 0, &st));
	UT_EQ(1, sx_store_binding_load(st, SX_SL_NULL, collect_binding, &l));
	UT_EQ(0, l.bad);
out:
	sx_store_close(st);
	tdb_remove(&t);
	return err;
}

/*
 * Fault wrapper around the SQLite backend: a write whose aor is "bad"
 * loses the transaction; the next commit (or the next one of a
 * transaction with several writes) can be made to fail; begin can be
 * held closed (the gate) so that writes queue up deterministically.
 */
enum fail_commit { FAIL_NONE, FAIL_NEXT, FAIL_NEXT_BATCH };

static struct {
	pthread_mutex_t mtx;
	pthread_cond_t cond;
	bool gate_closed;
	enum fail_commit fail_commit;
	unsigned begins;
	unsigned in_txn;        /* writes in the open transaction */
	unsigned fail_begin_at; /* begin number that fails (0 = none) */
} fault = {
    .mtx = PTHREAD_MUTEX_INITIALIZER,
    .cond = PTHREAD_COND_INITIALIZER,
};

static void fail_commit_set(enum fail_commit f)
{
	pthread_mutex_lock(&fault.mtx);
	fault.fail_commit = f;
	pthread_mutex_unlock(&fault.mtx);
}

static int fault_begin(void *be)
{
	pthread_mutex_lock(&fault.mtx);
	fault.begins++;
	fault.in_txn = 0;
	pthread_cond_broadcast(&fault.cond);
	while (fault.gate_closed)
		pthread_cond_wait(&fault.cond, &fault.mtx);
	bool fail = fault.begins == fault.fail_begin_at;
	pthread_mutex_unlock(&fault.mtx);
	return fail ? -EBUSY : sx_store_backend_sqlite.begin(be);
}

static int fault_write(void *be, const struct sx_store_wr *wr, int *resultp)
{
	pthread_mutex_lock(&fault.mtx);
	fault.in_txn++;
	pthread_mutex_unlock(&fault.mtx);
	if (wr->kind == SX_STORE_WR_BINDING_UPSERT &&
	    sx_sl_eq_cstr(wr->u.binding.aor, "bad"))
		return -EIO;
	return sx_store_backend_sqlite.write(be, wr, resultp);
}

static int fault_commit(void *be)
{
	pthread_mutex_lock(&fault.mtx);
	bool fail = fault.fail_commit == FAIL_NEXT ||
	            (fault.fail_commit == FAIL_NEXT_BATCH && fault.in_txn > 1);
	if (fail)
		fault.fail_commit = FAIL_NONE;
	pthread_mutex_unlock(&fault.mtx);
	return fail ? -EIO : sx_store_backend_sqlite.commit(be);
}

static void gate_set(bool closed)
{
	pthread_mutex_lock(&fault.mtx);
	fault.gate_closed = closed;
	pthread_cond_broadcast(&fault.cond);
	pthread_mutex_unlock(&fault.mtx);
}

static unsigned begins_get(void)
{
	pthread_mutex_lock(&fault.mtx);
	unsigned n = fault.begins;
	pthread_mutex_unlock(&fault.mtx);
	return n;
}

/* Wait until the writer has entered begin @n times (it is then held). */
static void gate_wait_begins(unsigned n)
{
	pthread_mutex_lock(&fault.mtx);
	while (fault.begins < n)
		pthread_cond_wait(&fault.cond, &fault.mtx);
	pthread_mutex_unlock(&fault.mtx);
}

static int fault_open(struct tdb *t, unsigned queue_max,
                      struct sx_store_backend_ops *ops, struct sx_store **stp)
{
	*ops = sx_store_backend_sqlite;
	ops->name = "fault";
	ops->begin = fault_begin;
	ops->write = fault_write;
	ops->commit = fault_commit;
	fault.begins = 0;
	fault.fail_begin_at = 0;
	fail_commit_set(FAIL_NONE);
	struct sx_store_prm prm = {
	    .path = t->path, .backend = ops, .queue_max = queue_max};
	return sx_store_open(stp, &prm);
}

/*
 * A lost transaction (bad write, failed commit) is rolled back and its
 * writes retried one by one: only the bad write fails.  The gate holds
 * the writer so the five writes are one batch.
 */
static int test_batch_failure(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_ev *loop = NULL;
	struct sx_store_backend_ops ops;
	struct sx_store_binding b;
	struct sx_store_stats stats;
	struct done_log d = {0};
	struct bind_list l = {0};
	char buf[TDB_BINDING_BUF];
	unsigned sent = 0;
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(fault_open(&t, 0, &ops, &st));
	struct sx_store_cb cb = {loop, on_done, &d};
	gate_set(true);
	/* the writer takes write 0 alone and waits at the gate */
	tdb_binding(&b, 0, buf);
	UT_OK(sx_store_binding_upsert(st, &b, &cb));
	sent++;
	gate_wait_begins(1);
	for (unsigned i = 1; i < 5; i++) {
		tdb_binding(&b, i, buf);
		if (i == 2)
			b.aor = SX_SL("bad");
		UT_OK(sx_store_binding_upsert(st, &b, &cb));
		sent++;
	}
	gate_set(false);
	UT_OK(tdb_wait(loop, &d.n, sent));
	UT_EQ(0, d.err[0]);
	UT_EQ(0, d.err[1]);
	UT_EQ(-EIO, d.err[2]);
	UT_EQ(0, d.err[3]);
	UT_EQ(0, d.err[4]);
	sx_store_stats(st, &stats);
	UT_EQ(2, stats.failed_txns); /* the batch, then "bad" alone */
	UT_EQ(4, stats.writes);
	/* a batch whose commit fails: both writes retried alone, succeed */
	gate_set(true);
	unsigned begins = begins_get();
	tdb_binding(&b, 5, buf);
	UT_OK(sx_store_binding_upsert(st, &b, &cb));
	sent++;
	gate_wait_begins(begins + 1);
	fail_commit_set(FAIL_NEXT_BATCH);
	for (unsigned i = 6; i < 8; i++) {
		tdb_binding(&b, i, buf);
		UT_OK(sx_store_binding_upsert(st, &b, &cb));
		sent++;
	}
	gate_set(false);
	UT_OK(tdb_wait(loop, &d.n, sent));
	UT_EQ(0, d.err[5]);
	UT_EQ(0, d.err[6]);
	UT_EQ(0, d.err[7]);
	/* a lone write whose commit fails gets the error */
	fail_commit_set(FAIL_NEXT);
	tdb_binding(&b, 8, buf);
	UT_ERR(-EIO, sx_store_binding_upsert(st, &b, NULL));
	sx_store_stats(st, &stats);
	UT_EQ(4, stats.failed_txns);
	UT_EQ(7, stats.writes);
	UT_EQ(7, sx_store_binding_load(st, SX_SL_NULL, collect_binding, &l));
	UT_EQ(0, l.bad);
out:
	gate_set(false);
	fail_commit_set(FAIL_NONE);
	tdb_teardown(st, loop);
	tdb_remove(&t);
	return err;
}

/*
 * A batch whose transaction cannot even begin (the write lock stays with
 * another process) fails as a whole: retrying write by write would only
 * wait out the busy timeout again for each.
 */
static int test_begin_failure(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_ev *loop = NULL;
	struct sx_store_backend_ops ops;
	struct sx_store_binding b;
	struct sx_store_stats stats;
	struct done_log d = {0};
	char buf[TDB_BINDING_BUF];
	unsigned sent = 0;
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(fault_open(&t, 0, &ops, &st));
	struct sx_store_cb cb = {loop, on_done, &d};
	gate_set(true);
	tdb_binding(&b, 0, buf);
	UT_OK(sx_store_binding_upsert(st, &b, &cb));
	sent++;
	gate_wait_begins(1);
	pthread_mutex_lock(&fault.mtx);
	fault.fail_begin_at = 2; /* the batch after write 0 */
	pthread_mutex_unlock(&fault.mtx);
	for (unsigned i = 1; i < 4; i++) {
		tdb_binding(&b, i, buf);
		UT_OK(sx_store_binding_upsert(st, &b, &cb));
		sent++;
	}
	gate_set(false);
	UT_OK(tdb_wait(loop, &d.n, sent));
	UT_EQ(0, d.err[0]);
	for (unsigned i = 1; i < 4; i++)
		UT_EQ(-EBUSY, d.err[i]);
	sx_store_stats(st, &stats);
	UT_EQ(1, stats.failed_txns);
	UT_EQ(1, stats.commits);
out:
	gate_set(false);
	tdb_teardown(st, loop);
	tdb_remove(&t);
	return err;
}

/* The queue bound pushes back with -ENOBUFS instead of growing. */
static int test_queue_full(void)
{
	struct tdb t;
	struct sx_store *st = NULL;
	struct sx_ev *loop = NULL;
	struct sx_store_backend_ops ops;
	struct sx_store_binding b;
	struct done_log d = {0};
	char buf[TDB_BINDING_BUF];
	unsigned sent = 0;
	int err = tdb_make(&t);
	if (err)
		return err;

	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_OK(fault_open(&t, 2, &ops, &st));
	struct sx_store_cb cb = {loop, on_done, &d};
	gate_set(true);
	tdb_binding(&b, 0, buf);
	UT_OK(sx_store_binding_upsert(st, &b, &cb));
	sent++;
	gate_wait_begins(1);
	tdb_binding(&b, 1, buf);
	UT_OK(sx_store_binding_upsert(st, &b, &cb));
	sent++;
	tdb_binding(&b, 2, buf);
	UT_ERR(-ENOBUFS, sx_store_binding_upsert(st, &b, &cb));
	gate_set(false);
	UT_OK(tdb_wait(loop, &d.n, sent));
	UT_EQ(0, d.err[0]);
	UT_EQ(0, d.err[1]);
	UT_OK(sx_store_binding_upsert(st, &b, &cb));
	sent++;
	UT_OK(tdb_wait(loop, &d.n, sent));
out:
	gate_set(false);
	tdb_teardown(st, loop);
	tdb_remove(&t);
	return err;
}

UT_MAIN(UT_C(test_open_close), UT_C(test_schema_newer), UT_C(test_user_crud),
        UT_C(test_user_invalid), UT_C(test_user_import),
        UT_C(test_binding_crud), UT_C(test_event_log), UT_C(test_async_results),
        UT_C(test_reopen_persists), UT_C(test_batch_failure),
        UT_C(test_begin_failure), UT_C(test_queue_full))
