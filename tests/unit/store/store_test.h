/*
 * Helpers shared by the store tests: temporary database folders, a loop
 * that runs until a counter reaches its target (bounded in time), and
 * binding fixtures.
 */
#ifndef SX_TESTS_STORE_TEST_H
#define SX_TESTS_STORE_TEST_H

#include <stdint.h>

#include <sx/store/binding.h>
#include <sx/store/store.h>

struct sx_ev;

/** Longest wait for completions before a test gives up, ms. */
#define TDB_WAIT_MAX_MS 60000

/** A temporary folder holding one database file. */
struct tdb {
	char dir[256];
	char path[300];
};

/** Create a folder under $TMPDIR (or /tmp); 0 or -errno. */
int tdb_make(struct tdb *t);

/** Remove the database, its -wal and -shm files and the folder. */
void tdb_remove(struct tdb *t);

/** Open a store on @t with default parameters (or @batch_max). */
int tdb_open(struct tdb *t, unsigned batch_max, struct sx_store **stp);

/**
 * Run @loop until *@count >= @target; -ETIMEDOUT after TDB_WAIT_MAX_MS
 * of real time (a bound, not a delay: completions need real fsyncs).
 */
int tdb_wait(struct sx_ev *loop, const unsigned *count, unsigned target);

/**
 * Close @st, then run @loop once so that completions posted while
 * closing run and release their writes; then free the loop.
 */
void tdb_teardown(struct sx_store *st, struct sx_ev *loop);

/** Monotonic clock, ms. */
uint64_t tdb_now_ms(void);

/**
 * Fill @b with the fixture binding number @i; the strings go into @buf
 * (at least TDB_BINDING_BUF bytes), which must outlive @b.
 */
#define TDB_BINDING_BUF 512
void tdb_binding(struct sx_store_binding *b, unsigned i, char *buf);

/** Compare @b with fixture @i; 0 when equal, else 1 (and print why). */
int tdb_binding_check(const struct sx_store_binding *b, unsigned i);

#endif
