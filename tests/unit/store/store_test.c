/*
 * Store test helpers (see store_test.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/store/store.h>

#include "store_test.h"

int tdb_make(struct tdb *t)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(t->dir, sizeof(t->dir), "%s/sx_store_XXXXXX", tmp);
	if (!mkdtemp(t->dir))
		return -errno;
	snprintf(t->path, sizeof(t->path), "%s/test.db", t->dir);
	return 0;
}

void tdb_remove(struct tdb *t)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[sizeof(t->path) + 16];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, sfx[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

int tdb_open(struct tdb *t, unsigned batch_max, struct sx_store **stp)
{
	struct sx_store_prm prm = {.path = t->path, .batch_max = batch_max};
	return sx_store_open(stp, &prm);
}

uint64_t tdb_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int tdb_wait(struct sx_ev *loop, const unsigned *count, unsigned target)
{
	uint64_t deadline = tdb_now_ms() + TDB_WAIT_MAX_MS;

	while (*count < target) {
		if (tdb_now_ms() > deadline)
			return -ETIMEDOUT;
		int n = sx_ev_run_once(loop, 100);
		if (n < 0)
			return n;
	}
	return 0;
}

void tdb_teardown(struct sx_store *st, struct sx_ev *loop)
{
	sx_store_close(st);
	if (loop) {
		(void)sx_ev_run_once(loop, 0);
		sx_ev_free(loop);
	}
}

void tdb_binding(struct sx_store_binding *b, unsigned i, char *buf)
{
	int n1 = snprintf(buf, 128, "sip:user%u@example.com", i / 3);
	char *contact = buf + 128;
	int n2 =
	    snprintf(contact, 128, "<sip:user%u@192.0.2.%u:5060>", i, i % 250);
	char *call_id = buf + 256;
	int n3 = snprintf(call_id, 128, "call-%u@host", i);
	*b = (struct sx_store_binding){
	    .aor = sx_sl_make(buf, (size_t)n1),
	    .contact = sx_sl_make(contact, (size_t)n2),
	    .q = (uint16_t)(i % 1001),
	    .expires_at = 1700000000 + (int64_t)i,
	    .call_id = sx_sl_make(call_id, (size_t)n3),
	    .cseq = i + 1,
	    .path = i % 2 ? SX_SL("<sip:edge.example.com;lr>") : SX_SL_NULL,
	    .instance = SX_SL("\"<urn:uuid:00000000-0000-1000-8000-"
	                      "000a95a0e128>\""),
	    .reg_id = i % 4,
	    .user_agent = SX_SL("baresip"),
	    .received = SX_SL("192.0.2.1:5060"),
	    .transport = SX_SL("udp"),
	    .updated_at = 1699999000 + (int64_t)i,
	};
}

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "  binding %u: %s\n", i, #cond);       \
			return 1;                                              \
		}                                                              \
	} while (0)

int tdb_binding_check(const struct sx_store_binding *b, unsigned i)
{
	char buf[TDB_BINDING_BUF];
	struct sx_store_binding x;

	tdb_binding(&x, i, buf);
	CHECK(sx_sl_eq(b->aor, x.aor));
	CHECK(sx_sl_eq(b->contact, x.contact));
	CHECK(b->q == x.q);
	CHECK(b->expires_at == x.expires_at);
	CHECK(sx_sl_eq(b->call_id, x.call_id));
	CHECK(b->cseq == x.cseq);
	CHECK(sx_sl_eq(b->path, x.path) || (!b->path.len && !x.path.len));
	CHECK(sx_sl_eq(b->instance, x.instance));
	CHECK(b->reg_id == x.reg_id);
	CHECK(sx_sl_eq(b->user_agent, x.user_agent));
	CHECK(sx_sl_eq(b->received, x.received));
	CHECK(sx_sl_eq(b->transport, x.transport));
	CHECK(b->updated_at == x.updated_at);
	return 0;
}
