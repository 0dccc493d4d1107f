/*
 * Allocation-failure injection over the parser corpora: the RFC 4475
 * torture messages, the RFC 5118 IPv6 messages (wire form) and the
 * committed fuzz_msg corpus.  For each message and each mode (UDP
 * datagram; stream framing, RFC 3261 18.3) parse + print runs with
 * allocation k failing, k = 0, 1, ... until a run completes without
 * reaching the injected failure.  A run that hit it must return -ENOMEM;
 * the last run must give the same result as an uninjected one; no run
 * may leave an sx_mem block behind (sx_mem_blocks() unchanged).
 * Ends with "N passed, N failed" (one unit = one message in one mode).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sx/sip/msg.h>
#include <sx/sip/print.h>
#include <sx/util/buf.h>
#include <sx/util/mem.h>

#include "corpus_io.h"

/** Injection points tried per message before giving up (a loop bug). */
#define OOM_MAX_STEPS 100000

struct tally {
	unsigned long passed, failed, steps;
};

/* Parse + print once; 0, a parse/print error, or -ENOMEM. */
static int run_once(const struct corpus_file *f, bool stream)
{
	const char *p = f->p;
	size_t len = f->len;
	if (stream) {
		size_t skip = 0;
		ssize_t n = sx_sip_msg_frame(p, len, &skip);
		if (n < 0)
			return (int)n;
		p += skip;
		len = (size_t)n - skip;
	}
	const struct sx_sip_parse_prm prm = {.stream = stream};
	struct sx_sip_msg *msg = NULL;
	int err = sx_sip_msg_parse(&msg, p, len, &prm, NULL);
	if (err)
		return err;
	struct sx_buf b;
	sx_buf_init(&b, 0);
	err = sx_sip_msg_print(msg, NULL, &b);
	sx_buf_fini(&b);
	sx_sip_msg_free(msg);
	return err;
}

static bool check_file(const char *name, const struct corpus_file *f,
                       bool stream, struct tally *t)
{
	const char *mode = stream ? "stream" : "datagram";
	size_t blocks = sx_mem_blocks();
	int want = run_once(f, stream);
	if (want == -ENOMEM || sx_mem_blocks() != blocks) {
		printf("FAIL %s (%s): uninjected run: %d, %zu blocks left\n",
		       name, mode, want, sx_mem_blocks() - blocks);
		return false;
	}
	for (uint64_t k = 0; k < OOM_MAX_STEPS; k++) {
		sx_mem_fail_after(k);
		int err = run_once(f, stream);
		bool hit = sx_mem_failed();
		sx_mem_fail_reset();
		t->steps++;
		if (sx_mem_blocks() != blocks) {
			printf("FAIL %s (%s): allocation %llu failing leaks "
			       "%zu blocks\n",
			       name, mode, (unsigned long long)k,
			       sx_mem_blocks() - blocks);
			return false;
		}
		if (hit && err != -ENOMEM) {
			printf("FAIL %s (%s): allocation %llu failing gives "
			       "%d, not -ENOMEM\n",
			       name, mode, (unsigned long long)k, err);
			return false;
		}
		if (!hit) {
			if (err == want)
				return true;
			printf("FAIL %s (%s): %d after %llu steps, %d "
			       "without injection\n",
			       name, mode, err, (unsigned long long)k, want);
			return false;
		}
	}
	printf("FAIL %s (%s): no end after %d steps\n", name, mode,
	       OOM_MAX_STEPS);
	return false;
}

static int one_file(const char *path, const char *name, void *arg)
{
	struct tally *t = arg;
	struct corpus_file f;
	corpus_set_current(name);
	int err = corpus_file_load(&f, path);
	if (err) {
		printf("FAIL %s: %s\n", path, strerror(-err));
		t->failed++;
		return 0;
	}
	for (int stream = 0; stream < 2; stream++) {
		if (check_file(name, &f, stream, t))
			t->passed++;
		else
			t->failed++;
	}
	corpus_file_free(&f);
	return 0;
}

static void run_set(const char *label, const char *dir, const char *suffix,
                    struct tally *t)
{
	struct tally before = *t;
	int n = corpus_dir_each(dir, suffix, one_file, t);
	if (n <= 0) {
		printf("FAIL %s: no messages in %s (%s)\n", label, dir,
		       n ? strerror(-n) : "empty");
		t->failed++;
		return;
	}
	printf("%-8s %3d messages, %6lu injection runs, %lu passed, "
	       "%lu failed\n",
	       label, n, t->steps - before.steps, t->passed - before.passed,
	       t->failed - before.failed);
}

int main(void)
{
	struct tally t = {0};
	corpus_crash_report_init();
	run_set("rfc4475", SX_SHARED_DIR "/testdata/rfc4475", ".sip", &t);
	run_set("rfc5118", SX_SHARED_DIR "/testdata/rfc5118/wire", ".sip", &t);
	run_set("fuzz_msg", SX_SOURCE_DIR "/tests/fuzz/corpus/fuzz_msg", NULL,
	        &t);
	printf("%lu passed, %lu failed\n", t.passed, t.failed);
	return t.failed ? 1 : 0;
}
