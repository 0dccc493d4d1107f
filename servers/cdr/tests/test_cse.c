/*
 * The proxy's call-state event writer (servers/proxy/cse.c,
 * SIPXECS-REFERENCE.md 1.2): each event type built from parsed SIP
 * messages (RFC 3261 INVITE, 2xx, 486, BYE; RFC 3515 REFER), appended
 * to a temporary store and read back field by field.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sx/port/ev.h>
#include <sx/server/proxy.h>
#include <sx/store/event.h>
#include <sx/util/mem.h>

#include "cdr.h"
#include "cdr_int.h"
#include "cse.h"
#include "store_test.h"
#include "ut.h"

#define HDRS                                                                   \
	"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"                   \
	"Call-ID: cse-1@10.0.0.1\r\n"

static const char INVITE[] =
    "INVITE sip:bob@example.com SIP/2.0\r\n" HDRS
    "From: \"Al \\\"A\\\"\" <sip:alice@example.com>;tag=a1\r\n"
    "To: <sip:bob@example.com>\r\nCSeq: 7 INVITE\r\n"
    "Contact: <sip:alice@10.0.0.1:5060>\r\nContent-Length: 0\r\n\r\n";
static const char OK200[] =
    "SIP/2.0 200 OK\r\n" HDRS
    "From: \"Al \\\"A\\\"\" <sip:alice@example.com>;tag=a1\r\n"
    "To: <sip:bob@example.com>;tag=b1\r\nCSeq: 7 INVITE\r\n"
    "Contact: <sip:bob@10.0.0.2:5062>\r\nContent-Length: 0\r\n\r\n";
static const char BUSY[] =
    "SIP/2.0 486 Busy \xc3\xa9\x01\r\n" HDRS
    "From: <sip:alice@example.com>;tag=a1\r\n"
    "To: <sip:bob@example.com>;tag=b2\r\nCSeq: 7 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";
static const char BYE[] =
    "BYE sip:alice@10.0.0.1:5060 SIP/2.0\r\n" HDRS
    "From: <sip:bob@example.com>;tag=b1\r\n"
    "To: <sip:alice@example.com>;tag=a1\r\nCSeq: 1 BYE\r\n"
    "Content-Length: 0\r\n\r\n";
static const char REFER[] =
    "REFER sip:alice@10.0.0.1:5060 SIP/2.0\r\n" HDRS
    "From: <sip:bob@example.com>;tag=b1\r\n"
    "To: <sip:alice@example.com>;tag=a1\r\nCSeq: 2 REFER\r\n"
    "Refer-To: <sip:carol@example.com>\r\n"
    "Referred-By: <sip:bob@example.com>\r\n"
    "Content-Length: 0\r\n\r\n";

/** Events read back. */
#define READ_MAX  8
#define READ_TEXT 2048

static struct {
	size_t n;
	char type[READ_MAX][32];
	char call_id[READ_MAX][64];
	char fields[READ_MAX][READ_TEXT];
} rd;

static unsigned done_count;
static int done_err;

static void on_done(int err, void *arg)
{
	(void)arg;
	done_count++;
	if (err && !done_err)
		done_err = err;
}

static int collect(const struct sx_store_event *e, void *arg)
{
	(void)arg;
	if (rd.n >= READ_MAX)
		return -E2BIG;
	snprintf(rd.type[rd.n], sizeof(rd.type[0]), "%.*s", SX_SL_FMT(e->type));
	snprintf(rd.call_id[rd.n], sizeof(rd.call_id[0]), "%.*s",
	         SX_SL_FMT(e->call_id));
	snprintf(rd.fields[rd.n], sizeof(rd.fields[0]), "%.*s",
	         SX_SL_FMT(e->fields));
	rd.n++;
	return 0;
}

/* The unescaped string, or the number printed, of @key in event @i. */
static int field(size_t i, const char *key, char *out, size_t cap)
{
	struct sx_cdr_jit it;
	struct sx_cdr_jval v;
	struct sx_sl k;
	size_t len;
	int r;

	sx_cdr__json_begin(&it, sx_sl_cstr(rd.fields[i]));
	while ((r = sx_cdr__json_next(&it, &k, &v)) > 0) {
		if (!sx_sl_eq_cstr(k, key))
			continue;
		if (v.type == SX_CDR_J_NUM) {
			snprintf(out, cap, "%lld", (long long)v.num);
			return 0;
		}
		r = sx_cdr__json_unescape(v.raw, out, cap - 1, &len);
		if (!r)
			out[len] = '\0';
		return r;
	}
	return r ? r : -ENOENT;
}

#define UT_FIELD(i, key, want)                                                 \
	do {                                                                   \
		char f_[256];                                                  \
		UT_OK(field((i), (key), f_, sizeof(f_)));                      \
		UT_STR_EQ((want), f_);                                         \
	} while (0)

static int parse(struct sx_sip_msg **mp, const char *text)
{
	return sx_sip_msg_parse(mp, text, strlen(text), NULL, NULL);
}

struct fx {
	struct tdb db;
	bool db_made;
	struct sx_store *st;
	struct sx_ev *loop;
	struct sx_proxy *px;
	struct sx_sip_msg *m[5];
};

static int fx_open(struct fx *f)
{
	static const char *const texts[] = {INVITE, OK200, BUSY, BYE, REFER};
	int err;

	memset(f, 0, sizeof(*f));
	memset(&rd, 0, sizeof(rd));
	done_count = 0;
	done_err = 0;
	err = tdb_make(&f->db);
	if (err)
		return err;
	f->db_made = true;
	err = sx_ev_alloc(&f->loop, NULL);
	if (!err)
		err = tdb_open(&f->db, 0, &f->st);
	const struct sx_proxy_prm prm = {.domain = "example.com",
	                                 .store = f->st};
	if (!err)
		err = sx_proxy_alloc(&f->px, &prm);
	for (size_t i = 0; !err && i < SX_ARRAY_SIZE(texts); i++)
		err = parse(&f->m[i], texts[i]);
	return err;
}

static void fx_close(struct fx *f)
{
	for (size_t i = 0; i < SX_ARRAY_SIZE(f->m); i++)
		sx_sip_msg_free(f->m[i]);
	sx_mem_unref(f->px);
	if (f->st)
		tdb_teardown(f->st, f->loop);
	else
		sx_ev_free(f->loop); /* the store did not open */
	if (f->db_made)
		tdb_remove(&f->db);
}

static int test_emit_all(void)
{
	int err = 0;
	struct fx f;

	UT_OK(fx_open(&f));
	struct sx_sip_msg *inv = f.m[0], *ok = f.m[1], *busy = f.m[2];
	UT_OK(px_cse_emit(f.px, f.loop, PX_CSE_REQUEST, inv, NULL, NULL, NULL));
	UT_OK(px_cse_emit(f.px, f.loop, PX_CSE_SETUP, inv, ok, on_done, NULL));
	UT_OK(px_cse_emit(f.px, f.loop, PX_CSE_FAILURE, inv, busy, on_done,
	                  NULL));
	UT_OK(
	    px_cse_emit(f.px, f.loop, PX_CSE_END, f.m[3], NULL, on_done, NULL));
	UT_OK(px_cse_emit(f.px, f.loop, PX_CSE_TRANSFER, f.m[4], NULL, on_done,
	                  NULL));
	UT_OK(tdb_wait(f.loop, &done_count, 4));
	UT_OK(done_err);
	UT_OK(sx_store_flush(f.st));
	ssize_t n = sx_store_event_list(f.st, SX_STORE_LOG_CALL_EVENTS, 0, 0,
	                                collect, NULL);
	UT_OK(n < 0 ? (int)n : 0);
	UT_EQ(5, rd.n);
	/* same time stamps possible: find each by type */
	static const char *const order[] = {"request", "setup", "failure",
	                                    "end", "transfer"};
	size_t at[5];
	for (size_t t = 0; t < 5; t++) {
		at[t] = READ_MAX;
		for (size_t i = 0; i < rd.n; i++)
			if (!strcmp(rd.type[i], order[t]))
				at[t] = i;
		UT_TRUE(at[t] < rd.n);
		UT_STR_EQ("cse-1@10.0.0.1", rd.call_id[at[t]]);
		UT_FIELD(at[t], "observer", "example.com");
	}
	UT_FIELD(at[0], "from", "sip:alice@example.com");
	UT_FIELD(at[0], "from_tag", "a1");
	UT_FIELD(at[0], "to", "sip:bob@example.com");
	UT_FIELD(at[0], "to_tag", "");
	UT_FIELD(at[0], "cseq", "7");
	UT_FIELD(at[0], "ruri", "sip:bob@example.com");
	UT_FIELD(at[0], "contact", "<sip:alice@10.0.0.1:5060>");
	UT_FIELD(at[1], "to_tag", "b1");
	UT_FIELD(at[1], "status", "200");
	UT_FIELD(at[1], "reason", "OK");
	UT_FIELD(at[1], "contact", "<sip:bob@10.0.0.2:5062>");
	UT_FIELD(at[2], "status", "486");
	UT_FIELD(at[2], "reason", "Busy \xc3\xa9\x01");
	UT_FIELD(at[2], "to_tag", "b2");
	UT_FIELD(at[3], "from_tag", "b1");
	UT_FIELD(at[3], "to_tag", "a1");
	UT_FIELD(at[4], "refer_to", "<sip:carol@example.com>");
	UT_FIELD(at[4], "referred_by", "<sip:bob@example.com>");
out:
	fx_close(&f);
	return err;
}

static int test_emit_errors(void)
{
	int err = 0;
	struct fx f;
	struct sx_proxy *bare = NULL;
	const struct sx_proxy_prm prm = {.domain = "example.com"};

	UT_OK(fx_open(&f));
	struct sx_sip_msg *inv = f.m[0], *ok = f.m[1];
	/* no store: nothing recorded, callers go on */
	UT_OK(sx_proxy_alloc(&bare, &prm));
	UT_EQ(-ENOSYS, px_cse_emit(bare, f.loop, PX_CSE_REQUEST, inv, NULL,
	                           on_done, NULL));
	UT_EQ(-EINVAL, px_cse_emit(NULL, f.loop, PX_CSE_REQUEST, inv, NULL,
	                           NULL, NULL));
	UT_EQ(-EINVAL, px_cse_emit(f.px, f.loop, PX_CSE_SETUP, inv, NULL, NULL,
	                           NULL)); /* SETUP needs the response */
	UT_EQ(-EINVAL,
	      px_cse_emit(f.px, f.loop, PX_CSE_END, inv, ok, NULL, NULL));
	UT_EQ(-EINVAL, px_cse_emit(f.px, f.loop, PX_CSE_SETUP, ok, ok, NULL,
	                           NULL)); /* not a request */
	UT_EQ(-EINVAL, px_cse_emit(f.px, NULL, PX_CSE_REQUEST, inv, NULL,
	                           on_done, NULL));
	UT_EQ(-EINVAL, px_cse_emit(f.px, f.loop, (enum px_cse_type)99, inv,
	                           NULL, NULL, NULL));
	UT_EQ(0, done_count);
out:
	sx_mem_unref(bare);
	fx_close(&f);
	return err;
}

/* The events the proxy writes resolve into the expected CDR. */
static int test_emit_resolve(void)
{
	int err = 0;
	struct fx f;
	struct sx_cdr_resolver *r = NULL;
	struct sx_cdr_stats s;

	UT_OK(fx_open(&f));
	UT_OK(px_cse_emit(f.px, f.loop, PX_CSE_REQUEST, f.m[0], NULL, on_done,
	                  NULL));
	UT_OK(px_cse_emit(f.px, f.loop, PX_CSE_SETUP, f.m[0], f.m[1], on_done,
	                  NULL));
	UT_OK(
	    px_cse_emit(f.px, f.loop, PX_CSE_END, f.m[3], NULL, on_done, NULL));
	UT_OK(tdb_wait(f.loop, &done_count, 3));
	UT_OK(done_err);
	const struct sx_cdr_resolver_prm prm = {.store = f.st,
	                                        .domain = "example.com"};
	UT_OK(sx_cdr_resolver_alloc(&r, &prm));
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	UT_OK(sx_cdr_resolver_poll(r, (int64_t)ts.tv_sec * 1000 + 1000));
	sx_cdr_resolver_stats(r, &s);
	UT_EQ(1, s.written);
	UT_EQ(0, s.open);
out:
	sx_cdr_resolver_free(r);
	fx_close(&f);
	return err;
}

UT_MAIN(UT_C(test_emit_all), UT_C(test_emit_errors), UT_C(test_emit_resolve))
