/*
 * ut harness runner: one child process per case, leak check after each,
 * OOM injection mode, "N passed, N failed" closing line.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ut.h"

/* Upper bound on OOM iterations per case: a case needing more is a bug. */
#define UT_OOM_MAX_STEPS 200000

static bool oom_mode;
static bool verbose;

bool ut_oom_mode(void)
{
	return oom_mode;
}

int ut__fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	if (oom_mode && sx_mem_failed() && !verbose)
		return UT_FAIL; /* reported by the runner with the step */
	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return UT_FAIL;
}

int ut__check_err(const char *file, int line, const char *expr, int err)
{
	if (oom_mode && err == -ENOMEM && sx_mem_failed())
		return -ENOMEM;
	return ut__fail(file, line, "%s failed: %d (%s)", expr, err,
			strerror(err < 0 ? -err : err));
}

/* Runs one case in this process; returns 0 on pass, 77 on skip. */
static int run_case(const struct ut_case *c)
{
	size_t before = sx_mem_blocks();
	int rc;

	if (!oom_mode) {
		rc = c->fn();
		if (rc == UT_SKIP)
			return UT_SKIP;
		if (rc)
			return UT_FAIL;
		if (sx_mem_blocks() != before) {
			fprintf(stderr, "  leak: %zu block(s) not freed\n",
				sx_mem_blocks() - before);
			return UT_FAIL;
		}
		return 0;
	}
	for (uint64_t k = 0; k < UT_OOM_MAX_STEPS; k++) {
		sx_mem_fail_after(k);
		rc = c->fn();
		bool hit = sx_mem_failed();
		sx_mem_fail_reset();
		if (rc == UT_SKIP)
			return UT_SKIP;
		if (sx_mem_blocks() != before) {
			fprintf(stderr, "  oom step %llu: leak of %zu block(s)\n",
				(unsigned long long)k,
				sx_mem_blocks() - before);
			return UT_FAIL;
		}
		if (!hit)
			return rc ? UT_FAIL : 0;
		if (rc != 0 && rc != -ENOMEM) {
			fprintf(stderr,
				"  oom step %llu: case returned %d, "
				"expected 0 or -ENOMEM\n",
				(unsigned long long)k, rc);
			return UT_FAIL;
		}
	}
	fprintf(stderr, "  oom: more than %d allocation steps\n",
		UT_OOM_MAX_STEPS);
	return UT_FAIL;
}

static int run_forked(const struct ut_case *c)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return run_case(c);
	if (pid == 0)
		_exit(run_case(c));
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return UT_FAIL;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	fprintf(stderr, "  killed by signal %d (%s)\n", WTERMSIG(st),
		strsignal(WTERMSIG(st)));
	return UT_FAIL;
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-l] [--oom] [--no-fork] [-v] [CASE...]\n"
		"  -l         list cases\n"
		"  --oom      re-run each case with allocation k failing\n"
		"  --no-fork  run cases in this process (for gdb)\n",
		argv0);
}

int ut_main(int argc, char **argv, const struct ut_case *cases)
{
	bool fork_cases = true, list = false;
	int npass = 0, nfail = 0, nskip = 0, nsel = 0;
	char **sel = calloc((size_t)argc, sizeof(*sel));

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-l"))
			list = true;
		else if (!strcmp(argv[i], "--oom"))
			oom_mode = true;
		else if (!strcmp(argv[i], "--no-fork"))
			fork_cases = false;
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (argv[i][0] == '-') {
			usage(argv[0]);
			free(sel);
			return 2;
		} else
			sel[nsel++] = argv[i];
	}
	for (const struct ut_case *c = cases; c->name; c++) {
		if (list) {
			printf("%s\n", c->name);
			continue;
		}
		if (nsel) {
			bool want = false;
			for (int i = 0; i < nsel; i++)
				want |= !strcmp(sel[i], c->name);
			if (!want)
				continue;
		}
		int rc = fork_cases ? run_forked(c) : run_case(c);
		if (rc == UT_SKIP) {
			printf("skip %s%s\n", c->name, oom_mode ? " (oom)" : "");
			nskip++;
		} else if (rc == 0) {
			printf("ok   %s%s\n", c->name, oom_mode ? " (oom)" : "");
			npass++;
		} else {
			printf("FAIL %s%s\n", c->name, oom_mode ? " (oom)" : "");
			nfail++;
		}
		fflush(stdout);
	}
	free(sel);
	if (list)
		return 0;
	if (nskip)
		printf("%d passed, %d failed, %d skipped\n", npass, nfail,
		       nskip);
	else
		printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}

char *ut_read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *p = malloc(cap + 1);
	while (p) {
		size_t n = fread(p + len, 1, cap - len, f);
		len += n;
		if (len < cap)
			break;
		cap *= 2;
		char *q = realloc(p, cap + 1);
		if (!q) {
			free(p);
			p = NULL;
		}
		p = q;
	}
	fclose(f);
	if (p) {
		p[len] = '\0';
		*lenp = len;
	}
	return p;
}

void *ut_guard_copy(const void *data, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t npages = (len + pg - 1) / pg + 1;
	char *base = mmap(NULL, npages * pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	char *guard = base + (npages - 1) * pg;
	if (mprotect(guard, pg, PROT_NONE)) {
		munmap(base, npages * pg);
		return NULL;
	}
	char *p = guard - len;
	if (len)
		memcpy(p, data, len);
	return p;
}

void ut_guard_free(void *p, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t npages = (len + pg - 1) / pg + 1;
	char *guard = (char *)p + len;
	munmap(guard - (npages - 1) * pg, npages * pg);
}

struct sx_sl ut_guard_sl(const char *s)
{
	size_t n = strlen(s);
	return sx_sl_make(ut_guard_copy(s, n), n);
}

void ut_unguard_sl(struct sx_sl *s)
{
	if (s->p)
		ut_guard_free((void *)(uintptr_t)s->p, s->len);
	*s = SX_SL_NULL;
}
