/*
 * PROTOS c07-sip replay (the University of Oulu SIP test suite: 4527
 * INVITEs, each with one anomaly, see shared/testdata/protos).  Every
 * rendered case goes through the parser as a UDP datagram and through
 * stream framing (RFC 3261 18.3) from a guard-page copy.  A case passes
 * when nothing crashes, nothing leaks (sx_mem_blocks() back to zero), the
 * results are ones the API allows, and a parsed message prints back to
 * its own bytes; case 0 (the unmodified reference INVITE) must parse.
 * Prints parsed vs rejected counts by reply status and ends with
 * "N passed, N failed".
 *
 * Usage: protos_replay DIR [EXPECTED_CASES]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sx/sip/msg.h>
#include <sx/sip/print.h>
#include <sx/util/buf.h>
#include <sx/util/mem.h>

#include "corpus_io.h"

/** Status codes counted separately (0 = drop silently); others pooled. */
#define PROTOS_STATUS_MAX 700
/** The reference case of the suite: unmodified, must be accepted. */
#define PROTOS_REFERENCE "0000000.sip"

struct tally {
	unsigned long cases, passed, failed;
	unsigned long dg_parsed, dg_status[PROTOS_STATUS_MAX + 1];
	unsigned long dg_e2big;
	unsigned long st_parsed, st_rejected, st_eagain, st_ebadmsg, st_e2big;
};

static bool fail(const char *name, const char *what, int err)
{
	printf("FAIL %s: %s (%d %s)\n", name, what, err, strerror(-err));
	return false;
}

static bool roundtrip(const struct sx_sip_msg *msg)
{
	struct sx_buf b;
	sx_buf_init(&b, 0);
	bool ok = sx_sip_msg_print(msg, NULL, &b) == 0 &&
	          b.len == msg->wire.len && !memcmp(b.p, msg->wire.p, b.len);
	sx_buf_fini(&b);
	return ok;
}

static bool datagram(const char *name, const struct corpus_file *f,
                     struct tally *t)
{
	const struct sx_sip_parse_prm prm = {0};
	struct sx_sip_perr perr = {0};
	struct sx_sip_msg *msg = NULL;
	int err = sx_sip_msg_parse(&msg, f->p, f->len, &prm, &perr);
	bool ok = true;
	if (!err) {
		t->dg_parsed++;
		if (!roundtrip(msg))
			ok = fail(name, "print(parse(x)) != x", 0);
	} else if (err == -EBADMSG || err == -E2BIG) {
		t->dg_status[SX_MIN(perr.status, PROTOS_STATUS_MAX)]++;
		t->dg_e2big += err == -E2BIG;
		if (!strcmp(name, PROTOS_REFERENCE))
			ok = fail(name, "reference INVITE rejected", err);
	} else {
		ok = fail(name, "datagram parse", err);
	}
	sx_sip_msg_free(msg);
	return ok;
}

static bool stream(const char *name, const struct corpus_file *f,
                   struct tally *t)
{
	size_t skip = 0;
	ssize_t n = sx_sip_msg_frame(f->p, f->len, &skip);
	if (n == -EAGAIN || n == -EBADMSG || n == -E2BIG) {
		t->st_eagain += n == -EAGAIN;
		t->st_ebadmsg += n == -EBADMSG;
		t->st_e2big += n == -E2BIG;
		return true;
	}
	if (n <= 0 || (size_t)n > f->len || skip > (size_t)n)
		return fail(name, "frame result out of range", (int)n);
	const struct sx_sip_parse_prm prm = {.stream = true};
	struct sx_sip_msg *msg = NULL;
	int err =
	    sx_sip_msg_parse(&msg, f->p + skip, (size_t)n - skip, &prm, NULL);
	bool ok = true;
	if (!err) {
		t->st_parsed++;
		if (msg->wire.len != (size_t)n - skip || !roundtrip(msg))
			ok = fail(name, "framed message not used whole", 0);
	} else if (err == -EBADMSG || err == -E2BIG) {
		t->st_rejected++;
	} else {
		ok = fail(name, "stream parse", err);
	}
	sx_sip_msg_free(msg);
	return ok;
}

static int one_case(const char *path, const char *name, void *arg)
{
	struct tally *t = arg;
	struct corpus_file f;
	size_t blocks = sx_mem_blocks();
	corpus_set_current(name);
	int err = corpus_file_load(&f, path);
	bool ok = !err || fail(name, "load", err);
	if (!err) {
		ok = datagram(name, &f, t) && ok;
		ok = stream(name, &f, t) && ok;
		if (sx_mem_blocks() != blocks)
			ok = fail(name, "sx_mem blocks leaked", 0);
		corpus_file_free(&f);
	}
	t->cases++;
	if (ok)
		t->passed++;
	else
		t->failed++;
	return 0;
}

static void report(const struct tally *t)
{
	unsigned long rejected = t->cases - t->dg_parsed;
	printf("datagram: %lu parsed, %lu rejected", t->dg_parsed, rejected);
	const char *sep = " (by status:";
	for (unsigned s = 0; s <= PROTOS_STATUS_MAX; s++) {
		if (!t->dg_status[s])
			continue;
		printf("%s %s%u: %lu", sep, s == PROTOS_STATUS_MAX ? ">=" : "",
		       s, t->dg_status[s]);
		sep = ",";
	}
	printf("%s, %lu of them -E2BIG\n", rejected ? ")" : "", t->dg_e2big);
	printf("stream: %lu framed+parsed, %lu framed+rejected, frame "
	       "-EBADMSG %lu, -EAGAIN %lu, -E2BIG %lu\n",
	       t->st_parsed, t->st_rejected, t->st_ebadmsg, t->st_eagain,
	       t->st_e2big);
}

int main(int argc, char **argv)
{
	static struct tally t;
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s DIR [EXPECTED_CASES]\n", argv[0]);
		return 2;
	}
	corpus_crash_report_init();
	int n = corpus_dir_each(argv[1], ".sip", one_case, &t);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(-n));
		return 1;
	}
	if (argc == 3 && (unsigned long)atol(argv[2]) != t.cases) {
		printf("FAIL: %lu cases found, %s expected\n", t.cases,
		       argv[2]);
		t.failed++;
	}
	report(&t);
	printf("%lu passed, %lu failed\n", t.passed, t.failed);
	return t.failed ? 1 : 0;
}
