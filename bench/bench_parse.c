/*
 * bench_parse: SIP message parse + read + print throughput of our parser
 * (RFC 3261 7, 25) against libosip2 and sofia-sip on the same messages in
 * the same run.  Rounds alternate the parsers (rotating which goes first)
 * and the median messages per CPU second per parser is reported; the last line
 * is "ratio osip2=X sofia=Y" (ours divided by theirs).  Messages any of the
 * three libraries rejects are dropped for all three.
 *
 * Usage: bench_parse [--rounds N] [--time-ms MS]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sx/util/compiler.h>
#include <sx/util/mem.h>

#include "bench.h"

/** Rounds per parser (odd, so the median is one sample). */
#define BENCH_ROUNDS 7
/** Time per parser per round. */
#define BENCH_TIME_MS 500
/** Upper bound on --rounds. */
#define BENCH_ROUNDS_MAX 101

static const struct bench_parser *const parsers[] = {
    &bench_parser_sx,
    &bench_parser_osip,
    &bench_parser_sofia,
};
#define NPARSERS SX_ARRAY_SIZE(parsers)

static volatile long sink;

/*
 * CPU time of this thread: the machine may be shared, and CPU seconds
 * keep the rates comparable when other processes take turns on it.
 */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Name of the first field two parsers read differently, or NULL. */
static const char *differs(const struct bench_fields *a,
                           const struct bench_fields *b)
{
	if (strcmp(a->call_id, b->call_id))
		return "Call-ID";
	if (a->cseq != b->cseq || strcmp(a->cseq_method, b->cseq_method))
		return "CSeq";
	if (a->max_forwards != b->max_forwards)
		return "Max-Forwards";
	if (a->has_contact != b->has_contact)
		return "Contact";
	return NULL;
}

/*
 * Runs every parser once over each message; drops the messages any of
 * them rejects and counts field disagreements with ours
 * (parsers[0]).  Returns the number dropped.
 */
static size_t validate(struct bench_set *set, size_t *mismatchp)
{
	size_t dropped = 0;
	*mismatchp = 0;
	for (size_t i = 0; i < set->n;) {
		struct bench_fields f[NPARSERS];
		bool ok = true;
		memset(f, 0, sizeof(f));
		for (size_t k = 0; k < NPARSERS; k++) {
			if (parsers[k]->run(set->msgs[i].p, set->msgs[i].len,
			                    &f[k]) < 0) {
				printf("  excluded %-28s rejected by %s\n",
				       set->msgs[i].name, parsers[k]->name);
				ok = false;
			}
		}
		if (!ok) {
			bench_set_remove(set, i);
			dropped++;
			continue;
		}
		for (size_t k = 1; k < NPARSERS; k++) {
			const char *what = differs(&f[0], &f[k]);
			if (what) {
				printf("  note: %s: %s and %s read %s "
				       "differently\n",
				       set->msgs[i].name, parsers[0]->name,
				       parsers[k]->name, what);
				++*mismatchp;
			}
		}
		i++;
	}
	return dropped;
}

/* Parses the whole set repeatedly for @secs; returns messages/s. */
static double measure(const struct bench_parser *bp,
                      const struct bench_set *set, double secs)
{
	double t0 = now_s(), t;
	unsigned long n = 0;
	long sum = 0;
	do {
		for (size_t i = 0; i < set->n; i++)
			sum += bp->run(set->msgs[i].p, set->msgs[i].len, NULL);
		n += set->n;
		t = now_s();
	} while (t - t0 < secs);
	sink += sum;
	return (double)n / (t - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void run_rounds(const struct bench_set *set, int rounds, double secs,
                       double rates[][BENCH_ROUNDS_MAX])
{
	for (int r = 0; r < rounds; r++) {
		for (size_t j = 0; j < NPARSERS; j++) {
			size_t k = (j + (size_t)r) % NPARSERS;
			rates[k][r] = measure(parsers[k], set, secs);
		}
	}
}

static void report(int rounds, double rates[][BENCH_ROUNDS_MAX])
{
	double med[NPARSERS];
	printf("%-8s %14s %14s %14s\n", "parser", "median msg/s", "min", "max");
	for (size_t k = 0; k < NPARSERS; k++) {
		qsort(rates[k], (size_t)rounds, sizeof(double), cmp_double);
		med[k] = rates[k][rounds / 2];
		printf("%-8s %14.0f %14.0f %14.0f\n", parsers[k]->name, med[k],
		       rates[k][0], rates[k][rounds - 1]);
	}
	printf("ratio osip2=%.2f sofia=%.2f\n", med[0] / med[1],
	       med[0] / med[2]);
}

static int parse_args(int argc, char **argv, int *roundsp, int *msp)
{
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--rounds")) {
			*roundsp = atoi(argv[++i]);
		} else if (i + 1 < argc && !strcmp(argv[i], "--time-ms")) {
			*msp = atoi(argv[++i]);
		} else {
			fprintf(stderr,
			        "usage: %s [--rounds N] "
			        "[--time-ms MS]\n",
			        argv[0]);
			return -EINVAL;
		}
	}
	if (*roundsp < 1 || *roundsp > BENCH_ROUNDS_MAX || *msp < 1)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = BENCH_ROUNDS, ms = BENCH_TIME_MS;
	struct bench_set set = {0};
	static double rates[NPARSERS][BENCH_ROUNDS_MAX];
	int err = parse_args(argc, argv, &rounds, &ms);
	if (err)
		return 2;
	for (size_t k = 0; k < NPARSERS; k++) {
		if (parsers[k]->init && parsers[k]->init()) {
			fprintf(stderr, "bench_parse: %s init failed\n",
			        parsers[k]->name);
			return 1;
		}
	}
	err = bench_set_load(&set, SX_SHARED_DIR, SX_SOURCE_DIR "/bench/msgs");
	if (err)
		goto out;
	size_t loaded = set.n, mismatch = 0;
	printf("bench_parse: parse + read 8 fields + print, %d rounds x "
	       "%d ms CPU per parser\n",
	       rounds, ms);
	size_t dropped = validate(&set, &mismatch);
	printf("messages: %zu loaded (RFC 4475 valid + bench/msgs), "
	       "%zu excluded (rejected by a parser), %zu used; "
	       "%zu field disagreements\n",
	       loaded, dropped, set.n, mismatch);
	if (!set.n) {
		err = -ENOENT;
		goto out;
	}
	run_rounds(&set, rounds, ms / 1000.0, rates);
	report(rounds, rates);
out:
	bench_set_free(&set);
	for (size_t k = 0; k < NPARSERS; k++)
		if (parsers[k]->fini)
			parsers[k]->fini();
	return err ? 1 : 0;
}
