/*
 * cdr tests (SIPXECS-REFERENCE.md 1.2): the CDR record's JSON form
 * (RFC 8259) and the resolver on synthetic call-state event sequences
 * (completed, failed, abandoned, forked, transferred, expired, late
 * commits, restart idempotence) over a temporary SQLite store.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sx/store/event.h>
#include <sx/util/conf.h>
#include <sx/util/mem.h>

#include "cdr.h"
#include "store_test.h"
#include "ut.h"

/** A base wall time for the synthetic events, ms. */
#define T0 1700000000000ll
/** Most CDRs a test reads back. */
#define CDRS_MAX 32
#define CDR_TEXT 2048

/* CDRs read back from the log. */
struct cdrs {
	size_t n;
	struct sx_cdr c[CDRS_MAX];
	char buf[CDRS_MAX][CDR_TEXT];
	char type[CDRS_MAX][32];
	int64_t time_ms[CDRS_MAX];
};

static struct cdrs got;

struct fx {
	struct tdb db;
	bool db_made;
	struct sx_store *st;
	struct sx_cdr_resolver *r;
};

static int fx_open(struct fx *f)
{
	int err;

	memset(f, 0, sizeof(*f));
	err = tdb_make(&f->db);
	if (err)
		return err;
	f->db_made = true;
	return tdb_open(&f->db, 0, &f->st);
}

static int fx_resolver(struct fx *f, uint32_t open_max_s, uint32_t max_open)
{
	const struct sx_cdr_resolver_prm prm = {.store = f->st,
	                                        .domain = "example.com",
	                                        .open_max_s = open_max_s,
	                                        .max_open = max_open};
	sx_cdr_resolver_free(f->r);
	f->r = NULL;
	return sx_cdr_resolver_alloc(&f->r, &prm);
}

static void fx_close(struct fx *f)
{
	sx_cdr_resolver_free(f->r);
	sx_store_close(f->st);
	if (f->db_made)
		tdb_remove(&f->db);
}

/* Append one event synchronously; @fmt gives the JSON fields. */
static int ev(struct fx *f, const char *call_id, const char *type, int64_t t,
              const char *fmt, ...)
{
	char fields[1024];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(fields, sizeof(fields), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(fields))
		return -E2BIG;
	const struct sx_store_event e = {.call_id = sx_sl_cstr(call_id),
	                                 .type = sx_sl_cstr(type),
	                                 .time_ms = t,
	                                 .fields =
	                                     sx_sl_make(fields, (size_t)n)};
	return sx_store_event_append(f->st, SX_STORE_LOG_CALL_EVENTS, &e, NULL);
}

/* Common event shapes: alice@example.com (tag a) calls @to. */
#define FROM_ALICE "\"from\":\"sip:alice@example.com\",\"from_tag\":\"a\""

static int invite(struct fx *f, const char *cid, int64_t t, const char *to)
{
	return ev(f, cid, SX_CDR_EV_REQUEST, t,
	          "{" FROM_ALICE ",\"to\":\"%s\",\"to_tag\":\"\",\"cseq\":1}",
	          to);
}

static int answer(struct fx *f, const char *cid, int64_t t, const char *tag)
{
	return ev(f, cid, SX_CDR_EV_SETUP, t,
	          "{" FROM_ALICE ",\"to\":\"sip:bob@example.com\","
	          "\"to_tag\":\"%s\",\"status\":200,\"reason\":\"OK\"}",
	          tag);
}

static int fail(struct fx *f, const char *cid, int64_t t, int status,
                const char *reason)
{
	return ev(f, cid, SX_CDR_EV_FAILURE, t,
	          "{" FROM_ALICE ",\"to\":\"sip:bob@example.com\","
	          "\"to_tag\":\"x\",\"status\":%d,\"reason\":\"%s\"}",
	          status, reason);
}

/* BYE from the callee: From and To swapped (RFC 3261 12.2.1.1). */
static int bye_from_callee(struct fx *f, const char *cid, int64_t t,
                           const char *tag)
{
	return ev(f, cid, SX_CDR_EV_END, t,
	          "{\"from\":\"sip:bob@example.com\",\"from_tag\":\"%s\","
	          "\"to\":\"sip:alice@example.com\",\"to_tag\":\"a\"}",
	          tag);
}

static int collect(const struct sx_store_event *e, void *arg)
{
	(void)arg;
	if (got.n >= CDRS_MAX)
		return -E2BIG;
	size_t i = got.n;
	snprintf(got.type[i], sizeof(got.type[i]), "%.*s", SX_SL_FMT(e->type));
	got.time_ms[i] = e->time_ms;
	int err =
	    sx_cdr_parse(&got.c[i], e->fields, got.buf[i], sizeof(got.buf[i]));
	if (err)
		return err;
	got.n++;
	return 0;
}

static int read_cdrs(struct fx *f)
{
	memset(&got, 0, sizeof(got));
	ssize_t n =
	    sx_store_event_list(f->st, SX_STORE_LOG_CDRS, 0, 0, collect, NULL);
	return n < 0 ? (int)n : 0;
}

static const struct sx_cdr *cdr_of(const char *call_id)
{
	for (size_t i = 0; i < got.n; i++)
		if (sx_sl_eq_cstr(got.c[i].call_id, call_id))
			return &got.c[i];
	return NULL;
}

/* -- the record ------------------------------------------------------- */

static int test_record_roundtrip(void)
{
	int err = 0;
	struct sx_buf b;
	char buf[CDR_TEXT];
	struct sx_cdr in =
	                  {
	                      .call_id = SX_SL("c1@h\"x\\y"),
	                      .from_tag = SX_SL("a"),
	                      .caller = SX_SL("sip:alice@example.com"),
	                      .callee = SX_SL("sip:b\x01ob@example.com"),
	                      .start_ms = T0,
	                      .connect_ms = T0 + 1000,
	                      .end_ms = T0 + 61000,
	                      .term = SX_CDR_TRANSFERRED,
	                      .reason = SX_SL("caf\xc3\xa9 \xff"),
	                      .dir = SX_CDR_OUTGOING,
	                  },
	              out;

	sx_buf_init(&b, SX_CDR_JSON_MAX);
	sx_cdr_print(&in, &b);
	UT_OK(sx_buf_err(&b));
	UT_TRUE(strstr(b.p, "\"duration_ms\":60000"));
	UT_TRUE(strstr(b.p, "\"termination\":\"transferred\""));
	UT_TRUE(strstr(b.p, "\"c1@h\\\"x\\\\y\""));
	UT_TRUE(strstr(b.p, "b\\u0001ob"));
	UT_TRUE(strstr(b.p, "caf\xc3\xa9 \\ufffd")); /* not UTF-8 replaced */
	UT_TRUE(strstr(b.p, "\"failure_status\":null"));
	UT_OK(sx_cdr_parse(&out, sx_buf_sl(&b), buf, sizeof(buf)));
	UT_SL_EQ("c1@h\"x\\y", out.call_id);
	UT_SL_EQ("sip:b\x01ob@example.com", out.callee);
	UT_SL_EQ("caf\xc3\xa9 \xef\xbf\xbd", out.reason);
	UT_EQ(T0 + 1000, out.connect_ms);
	UT_EQ(SX_CDR_TRANSFERRED, out.term);
	UT_EQ(SX_CDR_OUTGOING, out.dir);
	UT_EQ(0, out.status);
	UT_EQ(60000, sx_cdr_duration_ms(&out));
out:
	sx_buf_fini(&b);
	return err;
}

static int test_record_bad(void)
{
	static const char *const bad[] = {
	    "",
	    "{",
	    "[]",
	    "{\"call_id\":\"x\"}",             /* no termination */
	    "{\"termination\":\"completed\"}", /* no call id */
	    "{\"call_id\":\"x\",\"termination\":\"nope\"}",
	    "{\"call_id\":\"x\",\"termination\":\"completed\"} x",
	    "{\"call_id\":\"x\",\"termination\":\"completed\",}",
	    "{\"call_id\":\"x\\q\",\"termination\":\"completed\"}",
	    "{\"call_id\":\"\\ud800\",\"termination\":\"completed\"}",
	    "{\"call_id\":\"\\udc00x\",\"termination\":\"completed\"}",
	    "{\"call_id\":\"\\u12\",\"termination\":\"completed\"}",
	    "{\"call_id\":\"x\",\"termination\":\"completed\",\"a\":{}}",
	    "{\"call_id\":\"x\",\"termination\":\"completed\","
	    "\"start_ms\":99999999999999999999}",
	    "{\"call_id\":\"x\",\"termination\":\"completed\","
	    "\"failure_status\":1000}",
	    "{\"call_id\":\"x\",\"termination\":\"completed\","
	    "\"start_ms\":\"1\"}",
	    "{\"call_id\":\"x\x01\",\"termination\":\"completed\"}",
	    "{\"call_id\":\"x",
	};
	int err = 0;
	char buf[256];
	struct sx_cdr c;

	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		struct sx_sl s = ut_guard_sl(bad[i]);
		int r = sx_cdr_parse(&c, s, buf, sizeof(buf));
		ut_unguard_sl(&s);
		if (r != -EBADMSG) {
			err =
			    ut__fail(__FILE__, __LINE__, "case %zu: %d", i, r);
			goto out;
		}
	}
	/* surrogate pairs and a small buffer */
	struct sx_sl ok = SX_SL("{\"call_id\":\"\\ud83d\\ude00\","
	                        "\"termination\":\"failed\","
	                        "\"failure_status\":486, \"extra\":true}");
	UT_OK(sx_cdr_parse(&c, ok, buf, sizeof(buf)));
	UT_SL_EQ("\xf0\x9f\x98\x80", c.call_id);
	UT_EQ(486, c.status);
	UT_EQ(-E2BIG, sx_cdr_parse(&c, ok, buf, 2));
out:
	return err;
}

/* -- the resolver ----------------------------------------------------- */

static int test_completed(void)
{
	int err = 0;
	struct fx f;
	const struct sx_cdr *c;

	UT_OK(fx_open(&f));
	UT_OK(fx_resolver(&f, 0, 0));
	UT_OK(invite(&f, "c1", T0, "sip:bob@example.com;user=phone"));
	UT_OK(answer(&f, "c1", T0 + 2000, "b"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 3000));
	UT_OK(read_cdrs(&f));
	UT_EQ(0, got.n); /* in progress: not written */
	UT_OK(bye_from_callee(&f, "c1", T0 + 62000, "b"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 63000));
	UT_OK(read_cdrs(&f));
	UT_EQ(1, got.n);
	UT_TRUE((c = cdr_of("c1")));
	UT_STR_EQ("completed", got.type[0]);
	UT_EQ(T0, got.time_ms[0]);
	UT_SL_EQ("sip:alice@example.com", c->caller);
	UT_SL_EQ("sip:bob@example.com", c->callee);
	UT_SL_EQ("a", c->from_tag);
	UT_SL_EQ("b", c->to_tag);
	UT_EQ(T0, c->start_ms);
	UT_EQ(T0 + 2000, c->connect_ms);
	UT_EQ(T0 + 62000, c->end_ms);
	UT_EQ(SX_CDR_COMPLETED, c->term);
	UT_EQ(SX_CDR_INTERNAL, c->dir);
	UT_EQ(0, c->status);
	/* a BYE retransmission changes nothing */
	UT_OK(bye_from_callee(&f, "c1", T0 + 62500, "b"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 64000));
	UT_OK(read_cdrs(&f));
	UT_EQ(1, got.n);
out:
	fx_close(&f);
	return err;
}

static int test_failed_abandoned(void)
{
	int err = 0;
	struct fx f;
	const struct sx_cdr *c;

	UT_OK(fx_open(&f));
	UT_OK(fx_resolver(&f, 0, 0));
	UT_OK(invite(&f, "busy", T0, "sip:bob@example.com"));
	UT_OK(fail(&f, "busy", T0 + 1000, 486, "Busy Here"));
	UT_OK(invite(&f, "gone", T0 + 10, "sip:carol@example.com"));
	UT_OK(fail(&f, "gone", T0 + 5000, 487, "Request Terminated"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 6000));
	UT_OK(read_cdrs(&f));
	UT_EQ(2, got.n);
	UT_TRUE((c = cdr_of("busy")));
	UT_EQ(SX_CDR_FAILED, c->term);
	UT_EQ(486, c->status);
	UT_SL_EQ("Busy Here", c->reason);
	UT_EQ(0, c->connect_ms);
	UT_EQ(T0 + 1000, c->end_ms);
	UT_TRUE((c = cdr_of("gone")));
	UT_EQ(SX_CDR_ABANDONED, c->term);
	UT_EQ(487, c->status);
	UT_SL_EQ("sip:carol@example.com", c->callee);
out:
	fx_close(&f);
	return err;
}

/* Forks: the first 2xx wins; a failure after it is a lost branch. */
static int test_forked(void)
{
	int err = 0;
	struct fx f;
	const struct sx_cdr *c;

	UT_OK(fx_open(&f));
	UT_OK(fx_resolver(&f, 0, 0));
	UT_OK(invite(&f, "fork", T0, "sip:bob@example.com"));
	UT_OK(invite(&f, "fork", T0 + 5, "sip:bob@example.com")); /* spiral */
	UT_OK(answer(&f, "fork", T0 + 1000, "b1"));
	UT_OK(answer(&f, "fork", T0 + 1001, "b2"));
	UT_OK(fail(&f, "fork", T0 + 1002, 486, "Busy Here"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 2000));
	UT_OK(bye_from_callee(&f, "fork", T0 + 9000, "b1"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 10000));
	UT_OK(read_cdrs(&f));
	UT_EQ(1, got.n);
	UT_TRUE((c = cdr_of("fork")));
	UT_EQ(SX_CDR_COMPLETED, c->term);
	UT_SL_EQ("b1", c->to_tag);
	UT_EQ(T0, c->start_ms);
	UT_EQ(T0 + 1000, c->connect_ms);
	UT_EQ(0, c->status);
out:
	fx_close(&f);
	return err;
}

static int test_transfer_direction(void)
{
	int err = 0;
	struct fx f;
	const struct sx_cdr *c;

	UT_OK(fx_open(&f));
	UT_OK(fx_resolver(&f, 0, 0));
	UT_OK(invite(&f, "xfer", T0, "sip:bob@example.com"));
	UT_OK(answer(&f, "xfer", T0 + 1000, "b"));
	UT_OK(ev(&f, "xfer", SX_CDR_EV_TRANSFER, T0 + 2000,
	         "{\"from\":\"sip:bob@example.com\",\"from_tag\":\"b\","
	         "\"to\":\"sip:alice@example.com\",\"to_tag\":\"a\","
	         "\"refer_to\":\"<sip:carol@example.com>\"}"));
	UT_OK(ev(&f, "xfer", SX_CDR_EV_END, T0 + 3000,
	         "{" FROM_ALICE ",\"to\":\"sip:bob@example.com\","
	         "\"to_tag\":\"b\"}"));
	/* outgoing: callee outside our domain; incoming: caller outside */
	UT_OK(invite(&f, "out", T0, "sip:dave@elsewhere.net"));
	UT_OK(fail(&f, "out", T0 + 100, 404, "Not Found"));
	UT_OK(ev(&f, "in", SX_CDR_EV_REQUEST, T0,
	         "{\"from\":\"sips:eve@Elsewhere.net:5061;transport=tls\","
	         "\"from_tag\":\"e\",\"to\":\"sip:bob@EXAMPLE.com\"}"));
	UT_OK(ev(&f, "in", SX_CDR_EV_FAILURE, T0 + 100,
	         "{\"from\":\"sips:eve@elsewhere.net\",\"from_tag\":\"e\","
	         "\"status\":480,\"reason\":\"Temporarily Unavailable\"}"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 4000));
	UT_OK(read_cdrs(&f));
	UT_EQ(3, got.n);
	UT_TRUE((c = cdr_of("xfer")));
	UT_EQ(SX_CDR_TRANSFERRED, c->term);
	UT_SL_EQ("<sip:carol@example.com>", c->transfer_to);
	UT_EQ(SX_CDR_INTERNAL, c->dir);
	UT_TRUE((c = cdr_of("out")));
	UT_EQ(SX_CDR_OUTGOING, c->dir);
	UT_TRUE((c = cdr_of("in")));
	UT_EQ(SX_CDR_INCOMING, c->dir);
	UT_SL_EQ("sips:eve@Elsewhere.net", c->caller);
out:
	fx_close(&f);
	return err;
}

/* A 407 challenge is not the end: the authenticated INVITE follows. */
static int test_auth_challenge(void)
{
	int err = 0;
	struct fx f;
	const struct sx_cdr *c;

	UT_OK(fx_open(&f));
	UT_OK(fx_resolver(&f, 3600, 0));
	UT_OK(invite(&f, "auth", T0, "sip:bob@example.com"));
	UT_OK(fail(&f, "auth", T0 + 10, 407, "Proxy Authentication Required"));
	UT_OK(invite(&f, "auth", T0 + 20, "sip:bob@example.com"));
	UT_OK(answer(&f, "auth", T0 + 1000, "b"));
	UT_OK(bye_from_callee(&f, "auth", T0 + 2000, "b"));
	/* a caller that gives up after the challenge: failed on expiry */
	UT_OK(invite(&f, "quit", T0, "sip:bob@example.com"));
	UT_OK(fail(&f, "quit", T0 + 10, 407, "Proxy Authentication Required"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 3000));
	UT_OK(read_cdrs(&f));
	UT_EQ(1, got.n);
	UT_TRUE((c = cdr_of("auth")));
	UT_EQ(SX_CDR_COMPLETED, c->term);
	UT_EQ(0, c->status);
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 3600 * 1000 + 1));
	UT_OK(read_cdrs(&f));
	UT_EQ(2, got.n);
	UT_TRUE((c = cdr_of("quit")));
	UT_EQ(SX_CDR_FAILED, c->term);
	UT_EQ(407, c->status);
	UT_EQ(T0 + 10, c->end_ms);
out:
	fx_close(&f);
	return err;
}

/* Calls open longer than open_max_s are written "unknown". */
static int test_expired(void)
{
	int err = 0;
	struct fx f;
	const struct sx_cdr *c;

	UT_OK(fx_open(&f));
	UT_OK(fx_resolver(&f, 60, 0));
	UT_OK(invite(&f, "long", T0, "sip:bob@example.com"));
	UT_OK(answer(&f, "long", T0 + 1000, "b"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 59000));
	UT_OK(read_cdrs(&f));
	UT_EQ(0, got.n);
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 61000));
	UT_OK(read_cdrs(&f));
	UT_EQ(1, got.n);
	UT_TRUE((c = cdr_of("long")));
	UT_EQ(SX_CDR_UNKNOWN, c->term);
	UT_EQ(T0 + 1000, c->connect_ms);
	UT_EQ(0, c->end_ms);
	/* its BYE, much later, does not write it again */
	UT_OK(bye_from_callee(&f, "long", T0 + 62000, "b"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 63000));
	UT_OK(read_cdrs(&f));
	UT_EQ(1, got.n);
out:
	fx_close(&f);
	return err;
}

/* An event committed after a round but stamped before its newest event
 * still counts (within SX_CDR_LATE_MS). */
static int test_late_commit(void)
{
	int err = 0;
	struct fx f;

	UT_OK(fx_open(&f));
	UT_OK(fx_resolver(&f, 0, 0));
	UT_OK(invite(&f, "a1", T0, "sip:bob@example.com"));
	UT_OK(invite(&f, "a2", T0 + 5000, "sip:bob@example.com"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 5100));
	UT_OK(fail(&f, "a1", T0 + 4000, 486, "Busy Here"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 5200));
	UT_OK(read_cdrs(&f));
	UT_EQ(1, got.n);
	UT_TRUE(cdr_of("a1"));
out:
	fx_close(&f);
	return err;
}

/* However late an event is committed after its timestamp, the next
 * round reads it (rounds list by id, not by time). */
static int test_very_late_commit(void)
{
	int err = 0;
	struct fx f;

	UT_OK(fx_open(&f));
	UT_OK(fx_resolver(&f, 0, 0));
	UT_OK(invite(&f, "a1", T0, "sip:bob@example.com"));
	UT_OK(invite(&f, "a2", T0 + 60000, "sip:bob@example.com"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 60100));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 60150)); /* nothing new */
	UT_OK(fail(&f, "a1", T0 + 1000, 486, "Busy Here"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 60200));
	UT_OK(read_cdrs(&f));
	UT_EQ(1, got.n);
	UT_TRUE(cdr_of("a1"));
out:
	fx_close(&f);
	return err;
}

/* Events older than the restart window are not replayed, nor read by
 * the rounds after it. */
static int test_restart_skips_old(void)
{
	int err = 0;
	struct fx f;

	UT_OK(fx_open(&f));
	UT_OK(invite(&f, "old", T0, "sip:bob@example.com"));
	UT_OK(fail(&f, "old", T0 + 1000, 486, "Busy Here"));
	UT_OK(fx_resolver(&f, 0, 0));
	int64_t later = T0 + 48LL * 3600 * 1000;
	UT_OK(sx_cdr_resolver_poll(f.r, later));
	UT_OK(sx_cdr_resolver_poll(f.r, later + 1000));
	UT_OK(invite(&f, "new", later + 1500, "sip:bob@example.com"));
	UT_OK(fail(&f, "new", later + 1600, 486, "Busy Here"));
	UT_OK(sx_cdr_resolver_poll(f.r, later + 2000));
	UT_OK(read_cdrs(&f));
	UT_EQ(1, got.n);
	UT_TRUE(cdr_of("new"));
out:
	fx_close(&f);
	return err;
}

/* Bounded: calls beyond max_open are not followed. */
static int test_max_open(void)
{
	int err = 0;
	struct fx f;
	struct sx_cdr_stats s;
	char cid[32];

	UT_OK(fx_open(&f));
	UT_OK(fx_resolver(&f, 0, SX_CDR_MAX_OPEN_MIN));
	for (unsigned i = 0; i < SX_CDR_MAX_OPEN_MIN + 4; i++) {
		snprintf(cid, sizeof(cid), "m%u", i);
		UT_OK(invite(&f, cid, T0 + i, "sip:bob@example.com"));
	}
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 1000));
	sx_cdr_resolver_stats(f.r, &s);
	UT_EQ(SX_CDR_MAX_OPEN_MIN, s.open);
	UT_EQ(4, s.dropped);
out:
	fx_close(&f);
	return err;
}

/* kill -9 at any point: a new resolver writes each call exactly once. */
static int test_restart(void)
{
	int err = 0;
	struct fx f;
	struct sx_cdr_stats s;

	UT_OK(fx_open(&f));
	UT_OK(fx_resolver(&f, 0, 0));
	UT_OK(invite(&f, "r1", T0, "sip:bob@example.com"));
	UT_OK(fail(&f, "r1", T0 + 100, 486, "Busy Here"));
	UT_OK(invite(&f, "r2", T0 + 200, "sip:bob@example.com"));
	UT_OK(answer(&f, "r2", T0 + 300, "b"));
	UT_OK(bye_from_callee(&f, "r2", T0 + 400, "b"));
	UT_OK(invite(&f, "r3", T0 + 500, "sip:bob@example.com"));
	UT_OK(answer(&f, "r3", T0 + 600, "b"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 1000));
	UT_OK(read_cdrs(&f));
	UT_EQ(2, got.n);
	/* "restart": a fresh resolver; r3 ends while it is down */
	UT_OK(fx_resolver(&f, 0, 0));
	UT_OK(bye_from_callee(&f, "r3", T0 + 700, "b"));
	UT_OK(invite(&f, "r4", T0 + 800, "sip:bob@example.com"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 2000));
	UT_OK(read_cdrs(&f));
	UT_EQ(3, got.n);
	UT_TRUE(cdr_of("r3"));
	sx_cdr_resolver_stats(f.r, &s);
	UT_EQ(1, s.open); /* r4 rebuilt from the log */
	/* and again: nothing new */
	UT_OK(fx_resolver(&f, 0, 0));
	UT_OK(fail(&f, "r4", T0 + 900, 487, "Request Terminated"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 3000));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 4000));
	UT_OK(read_cdrs(&f));
	UT_EQ(4, got.n);
	UT_EQ(SX_CDR_ABANDONED, cdr_of("r4")->term);
out:
	fx_close(&f);
	return err;
}

static int test_bad_events(void)
{
	int err = 0;
	struct fx f;

	UT_OK(fx_open(&f));
	UT_OK(fx_resolver(&f, 0, 0));
	UT_OK(ev(&f, "b1", SX_CDR_EV_REQUEST, T0, "not json"));
	UT_OK(ev(&f, "b2", SX_CDR_EV_REQUEST, T0, "{\"from\":\"x\"}"));
	UT_OK(ev(&f, "b3", "mystery", T0, "{}"));
	UT_OK(ev(&f, "b4", SX_CDR_EV_END, T0, "{" FROM_ALICE "}"));
	UT_OK(ev(&f, "b5", SX_CDR_EV_REQUEST, T0,
	         "{" FROM_ALICE ",\"to\":\"\\ud800\"}"));
	UT_OK(sx_cdr_resolver_poll(f.r, T0 + 1000));
	UT_OK(read_cdrs(&f));
	UT_EQ(0, got.n);
	UT_EQ(-EINVAL, sx_cdr_resolver_poll(NULL, 0));
out:
	fx_close(&f);
	return err;
}

/* The [cdr] schema: defaults parse, values and bounds apply. */
static int test_config(void)
{
	static const char good[] = "[cdr]\npoll_ms = 50\nmax_open = 100\n";
	static const char low[] = "[cdr]\npoll_ms = 1\n";
	int err = 0;
	struct sx_cdr_cfg cfg;
	struct sx_conf_section sec = {"cdr", sx_cdr_conf_keys,
	                              sx_cdr_conf_nkeys, &cfg, false};
	struct sx_conf_err e;

	memset(&cfg, 0, sizeof(cfg));
	UT_OK(sx_conf_defaults(&sec, 1, &e));
	UT_EQ(SX_CDR_POLL_MS, cfg.poll_ms);
	UT_EQ(SX_CDR_OPEN_MAX_S, cfg.open_max_s);
	UT_EQ(SX_CDR_MAX_OPEN, cfg.max_open);
	UT_OK(sx_conf_load_buf("t", good, sizeof(good) - 1, &sec, 1, &e));
	UT_EQ(50, cfg.poll_ms);
	UT_EQ(100, cfg.max_open);
	UT_ERR(-EINVAL,
	       sx_conf_load_buf("t", low, sizeof(low) - 1, &sec, 1, &e));
out:
	sx_conf_free(&sec, 1);
	return err;
}

UT_MAIN(UT_C(test_config), UT_C(test_record_roundtrip), UT_C(test_record_bad),
        UT_C(test_completed), UT_C(test_failed_abandoned), UT_C(test_forked),
        UT_C(test_transfer_direction), UT_C(test_auth_challenge),
        UT_C(test_expired), UT_C(test_late_commit),
        UT_C(test_very_late_commit), UT_C(test_restart_skips_old),
        UT_C(test_max_open),
        UT_C(test_restart), UT_C(test_bad_events))
