/*
 * ut: the unit-test harness (STYLE.md 2.11; libuv task.h, libre retest).
 *
 * A test module is one executable with a table of cases.  Each case runs
 * in its own child process, is followed by a leak check on the sx_mem
 * counters, and in --oom mode is re-run with allocation k failing for
 * k = 0, 1, ... until it completes without reaching the failure point; it
 * must then return 0, or -ENOMEM with nothing leaked.  The last line of
 * output is "N passed, N failed" and the exit status is non-zero on any
 * failure.
 *
 * Case shape (libre style, one exit label):
 *
 *	static int test_x(void)
 *	{
 *		int err = 0;
 *		struct x *x = NULL;
 *		UT_OK(x_alloc(&x));
 *		UT_EQ(3, x->n);
 *	out:
 *		sx_mem_unref(x);
 *		return err;
 *	}
 *	UT_MAIN(UT_C(test_x))
 */
#ifndef SX_TESTS_UT_H
#define SX_TESTS_UT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <sx/util/mem.h>
#include <sx/util/sl.h>

struct ut_case {
	const char *name;
	int (*fn)(void);
};

/** Returned by a case that decides to skip (e.g. a missing tool). */
#define UT_SKIP 77
/** Generic assertion failure. */
#define UT_FAIL 1

int ut_main(int argc, char **argv, const struct ut_case *cases);

/** True while the harness runs a case in OOM mode. */
bool ut_oom_mode(void);

/** Report an error; returns the value the case should give back. */
int ut__fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** Checks an fallible call's result: -ENOMEM under injection is allowed. */
int ut__check_err(const char *file, int line, const char *expr, int err);

#define UT_C(fn) {#fn, fn}
#define UT_MAIN(...)                                                           \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		static const struct ut_case ut_cases_[] = {__VA_ARGS__,        \
							   {NULL, NULL}};      \
		return ut_main(argc, argv, ut_cases_);                         \
	}

/* Every assertion sets `err` and jumps to `out` on failure. */
#define UT_OK(expr)                                                            \
	do {                                                                   \
		int ut_e_ = (expr);                                            \
		if (ut_e_) {                                                   \
			err = ut__check_err(__FILE__, __LINE__, #expr, ut_e_); \
			goto out;                                              \
		}                                                              \
	} while (0)

#define UT_TRUE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			err = ut__fail(__FILE__, __LINE__, "expected: %s",     \
				       #cond);                                 \
			goto out;                                              \
		}                                                              \
	} while (0)

#define UT_EQ(expected, actual)                                                \
	do {                                                                   \
		long long ut_x_ = (long long)(expected);                       \
		long long ut_a_ = (long long)(actual);                         \
		if (ut_x_ != ut_a_) {                                          \
			err = ut__fail(__FILE__, __LINE__,                     \
				       "%s == %s: expected %lld, got %lld",    \
				       #expected, #actual, ut_x_, ut_a_);      \
			goto out;                                              \
		}                                                              \
	} while (0)

#define UT_STR_EQ(expected, actual)                                            \
	do {                                                                   \
		const char *ut_x_ = (expected), *ut_a_ = (actual);             \
		if (!ut_a_ || strcmp(ut_x_, ut_a_)) {                          \
			err = ut__fail(__FILE__, __LINE__,                     \
				       "%s: expected \"%s\", got \"%s\"",      \
				       #actual, ut_x_,                         \
				       ut_a_ ? ut_a_ : "(null)");              \
			goto out;                                              \
		}                                                              \
	} while (0)

/* Compare a slice with a C string literal/pointer. */
#define UT_SL_EQ(expected, sl)                                                 \
	do {                                                                   \
		const char *ut_x_ = (expected);                                \
		struct sx_sl ut_s_ = (sl);                                     \
		if (!sx_sl_eq(ut_s_, sx_sl_cstr(ut_x_))) {                     \
			err = ut__fail(__FILE__, __LINE__,                     \
				       "%s: expected \"%s\", got \"%.*s\"",    \
				       #sl, ut_x_, SX_SL_FMT(ut_s_));          \
			goto out;                                              \
		}                                                              \
	} while (0)

#define UT_MEM_EQ(expected, actual, n)                                         \
	do {                                                                   \
		if (memcmp((expected), (actual), (n))) {                       \
			err = ut__fail(__FILE__, __LINE__,                     \
				       "%s and %s differ in %zu bytes",        \
				       #expected, #actual, (size_t)(n));       \
			goto out;                                              \
		}                                                              \
	} while (0)

/* Expect error @want from @expr; an injected -ENOMEM ends the case
 * cleanly in OOM mode (and fails it otherwise). */
#define UT_ERR(want, expr)                                                     \
	do {                                                                   \
		int ut_ee_ = (expr);                                           \
		if (ut_ee_ == -ENOMEM && (want) != -ENOMEM)                    \
			UT_OK(ut_ee_);                                         \
		UT_EQ(want, ut_ee_);                                           \
	} while (0)

/* -- helpers for data-driven tests ---------------------------------- */

/** Read a whole file (malloc'd, outside sx_mem counting); NULL on error. */
char *ut_read_file(const char *path, size_t *lenp);

/**
 * Copy @len bytes so that the last byte sits just before a PROT_NONE
 * page: any over-read faults at once (picohttpparser test.c).
 */
void *ut_guard_copy(const void *data, size_t len);
void ut_guard_free(void *p, size_t len);

/** A guard-page copy of a C string as a slice (p NULL if mmap failed). */
struct sx_sl ut_guard_sl(const char *s);
/** Free a ut_guard_sl() copy; the slice becomes empty (a second call is a
 *  no-op). */
void ut_unguard_sl(struct sx_sl *s);

#endif
