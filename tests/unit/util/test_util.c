/*
 * Unit tests for lib/util: slices and checked conversions, mem refcounts
 * and injection, arena, buf, log levels and rate limiting.
 */
#include <sx/util/arena.h>
#include <sx/util/buf.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>
#include <sx/util/sl.h>

#include "ut.h"

static int test_sl_u32(void)
{
	int err = 0;
	uint32_t v = 7;
	static const struct {
		const char *in;
		int rc;
		uint32_t v;
	} t[] = {
		{"0", 0, 0},
		{"4294967295", 0, 4294967295u},
		{"4294967296", -ERANGE, 0},
		{"99999999999999999999999", -ERANGE, 0},
		{"99999999999999999999999x", -EINVAL, 0},
		{"", -EINVAL, 0},
		{"12a", -EINVAL, 0},
		{"-1", -EINVAL, 0},
		{" 1", -EINVAL, 0},
		{"000123", 0, 123},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		v = 7;
		int rc = sx_sl_u32(sx_sl_cstr(t[i].in), &v);
		UT_EQ(t[i].rc, rc);
		UT_EQ(rc ? 7 : t[i].v, v);
	}
	UT_EQ(-ERANGE, sx_sl_u32_max(SX_SL("256"), 255, &v));
	UT_OK(sx_sl_u32_max(SX_SL("255"), 255, &v));
	UT_EQ(255, v);
out:
	return err;
}

static int test_sl_cmp(void)
{
	int err = 0;
	UT_TRUE(sx_sl_eq_nocase(SX_SL("Via"), SX_SL("vIA")));
	UT_TRUE(!sx_sl_eq_nocase(SX_SL("Via"), SX_SL("Vi")));
	UT_TRUE(sx_sl_eq(SX_SL_NULL, SX_SL("")));
	UT_TRUE(sx_sl_prefix_nocase(SX_SL("z9hG4bK776"), SX_SL("Z9HG4BK")));
	UT_SL_EQ("a b", sx_sl_trim(SX_SL(" \t a b\r\n")));
	UT_SL_EQ("", sx_sl_trim(SX_SL("   ")));
	UT_EQ(2, sx_sl_chr(SX_SL("ab:c"), ':'));
	UT_EQ(-1, sx_sl_chr(SX_SL("abc"), ':'));
	UT_SL_EQ("bc", sx_sl_sub(SX_SL("abc"), 1, 99));
	UT_SL_EQ("", sx_sl_sub(SX_SL("abc"), 5, 1));
	UT_TRUE(sx_sl_cmp(SX_SL("ab"), SX_SL("abc")) < 0);
	UT_EQ(sx_sl_hash_nocase(SX_SL("CALL-ID")),
	      sx_sl_hash_nocase(SX_SL("call-id")));
	UT_EQ(10, sx_hexval('a'));
	UT_EQ(-1, sx_hexval('g'));
out:
	return err;
}

static int destroyed;
static void on_destroy(void *p)
{
	(void)p;
	destroyed++;
}

static int test_mem_refcount(void)
{
	int err = 0;
	size_t before = sx_mem_blocks();
	char *p = sx_mem_zalloc(10, on_destroy);
	UT_TRUE(p != NULL);
	UT_EQ(before + 1, sx_mem_blocks());
	UT_EQ(1, sx_mem_nrefs(p));
	UT_TRUE(sx_mem_ref(p) == p);
	destroyed = 0;
	UT_TRUE(sx_mem_unref(p) == NULL);
	UT_EQ(0, destroyed);
	sx_mem_unref(p);
	UT_EQ(1, destroyed);
	UT_EQ(before, sx_mem_blocks());
out:
	return err;
}

static int test_mem_inject(void)
{
	int err = 0;
	void *a = NULL, *b = NULL;
	sx_mem_fail_after(1);
	a = sx_mem_alloc(8, NULL);
	b = sx_mem_alloc(8, NULL);
	sx_mem_fail_reset();
	UT_TRUE(a != NULL);
	UT_TRUE(b == NULL);
	UT_TRUE(sx_mem_failed());
out:
	sx_mem_unref(a);
	sx_mem_unref(b);
	return err;
}

static int test_arena(void)
{
	int err = 0;
	char inline_buf[256];
	struct sx_arena a;
	sx_arena_init(&a, inline_buf, sizeof(inline_buf), 0);
	size_t before = sx_mem_blocks();
	void *p = sx_arena_alloc(&a, 100);
	UT_TRUE(p != NULL);
	UT_EQ(before, sx_mem_blocks()); /* served from caller storage */
	for (int i = 0; i < 100; i++) {
		char *q = sx_arena_zalloc(&a, 100);
		if (!q) {
			err = -ENOMEM;
			goto out;
		}
		UT_EQ(0, q[99]);
	}
	UT_TRUE(sx_mem_blocks() > before);
	sx_arena_fini(&a);
	UT_EQ(before, sx_mem_blocks());
	sx_arena_init(&a, NULL, 0, 64);
	UT_TRUE(sx_arena_alloc(&a, 65) == NULL); /* over the limit */
out:
	sx_arena_fini(&a);
	return err;
}

static int test_buf(void)
{
	int err = 0;
	struct sx_buf b;
	sx_buf_init(&b, 0);
	sx_buf_put_cstr(&b, "SIP/2.0 ");
	sx_buf_put_u64(&b, 200);
	sx_buf_printf(&b, " %s", "OK");
	UT_OK(sx_buf_err(&b));
	UT_SL_EQ("SIP/2.0 200 OK", sx_buf_sl(&b));
	sx_buf_fini(&b);
	sx_buf_init(&b, 4);
	sx_buf_put_cstr(&b, "12345");
	UT_EQ(-E2BIG, sx_buf_err(&b));
	UT_EQ(0, b.len);
out:
	sx_buf_fini(&b);
	return err;
}

static int lines;
static void count_sink(enum sx_log_level lvl, const char *line, void *arg)
{
	(void)lvl;
	(void)arg;
	(void)line;
	lines++;
}

#undef SX_LOG_MOD
#define SX_LOG_MOD "test.log"
static int test_log_levels(void)
{
	int err = 0;
	sx_log_set_sink(count_sink, NULL);
	lines = 0;
	SX_LOG_INFO("hidden %d", 1);
	UT_EQ(0, lines);
	UT_OK(sx_log_set_level("test", SX_LOG_LVL_INFO));
	SX_LOG_INFO("shown %d", 2);
	UT_EQ(1, lines);
	UT_OK(sx_log_set_level("test.log", SX_LOG_LVL_ERR));
	SX_LOG_INFO("hidden again");
	UT_EQ(1, lines);
	UT_OK(sx_log_set_level("test.log", SX_LOG_LVL_WARN));
	for (int i = 0; i < 1000; i++)
		SX_LOG_WARN_RL("flood %d", i);
	UT_EQ(1 + SX_LOG_RL_BURST, lines);
	UT_EQ(SX_LOG_LVL_DBG, sx_log_level_parse("debug"));
	UT_EQ(-1, sx_log_level_parse("loud"));
out:
	sx_log_set_sink(NULL, NULL);
	return err;
}

UT_MAIN(UT_C(test_sl_u32), UT_C(test_sl_cmp), UT_C(test_mem_refcount),
	UT_C(test_mem_inject), UT_C(test_arena), UT_C(test_buf),
	UT_C(test_log_levels))
