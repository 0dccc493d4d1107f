/*
 * Leveled logging with per-module levels (longest prefix wins) and
 * per-call-site rate limiting for network-caused messages.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sx/util/log.h>

#define MAX_RULES 32
#define MAX_NAME 48
#define MAX_LINE 1024

struct rule {
	char name[MAX_NAME];
	size_t len;
	int level;
};

static pthread_mutex_t rules_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rule rules[MAX_RULES];
static size_t nrules;
static _Atomic int default_level = SX_LOG_LVL_WARN;
/* Bumped on every settings change; 0 is never current, so caches start
 * stale. */
static _Atomic unsigned generation = 1;
static sx_log_sink_h *sink;
static void *sink_arg;

static const char *const level_names[] = {"none", "err", "warn", "info",
					  "debug"};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void sx_log_set_default(enum sx_log_level lvl)
{
	atomic_store(&default_level, (int)lvl);
	atomic_fetch_add(&generation, 1);
}

int sx_log_set_level(const char *mod, enum sx_log_level lvl)
{
	size_t len = strlen(mod);
	int err = 0;

	if (len >= MAX_NAME)
		return -EINVAL;
	pthread_mutex_lock(&rules_lock);
	size_t i;
	for (i = 0; i < nrules; i++)
		if (rules[i].len == len && !memcmp(rules[i].name, mod, len))
			break;
	if (i == nrules) {
		if (nrules == MAX_RULES) {
			err = -ENOMEM;
			goto out;
		}
		memcpy(rules[i].name, mod, len + 1);
		rules[i].len = len;
		nrules++;
	}
	rules[i].level = (int)lvl;
	atomic_fetch_add(&generation, 1);
out:
	pthread_mutex_unlock(&rules_lock);
	return err;
}

int sx_log_level_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(*level_names); i++)
		if (!strcmp(s, level_names[i]))
			return (int)i;
	if (!strcmp(s, "error"))
		return SX_LOG_LVL_ERR;
	if (!strcmp(s, "warning"))
		return SX_LOG_LVL_WARN;
	if (s[0] >= '0' && s[0] <= '4' && s[1] == '\0')
		return s[0] - '0';
	return -1;
}

void sx_log_set_sink(sx_log_sink_h *h, void *arg)
{
	sink = h;
	sink_arg = arg;
}

/* A rule "sip" matches "sip" and "sip.msg" but not "sipx". */
static int resolve(const char *name)
{
	size_t nlen = strlen(name), best = 0;
	int lvl = atomic_load(&default_level);

	pthread_mutex_lock(&rules_lock);
	for (size_t i = 0; i < nrules; i++) {
		const struct rule *r = &rules[i];
		if (r->len > nlen || memcmp(r->name, name, r->len))
			continue;
		if (r->len < nlen && name[r->len] != '.')
			continue;
		if (r->len >= best) {
			best = r->len;
			lvl = r->level;
		}
	}
	pthread_mutex_unlock(&rules_lock);
	return lvl;
}

int sx_log__enabled(struct sx_log_mod *m, enum sx_log_level lvl)
{
	unsigned g = atomic_load_explicit(&generation, memory_order_relaxed);
	if (atomic_load_explicit(&m->gen, memory_order_relaxed) != g) {
		atomic_store(&m->level, resolve(m->name));
		atomic_store(&m->gen, g);
	}
	return (int)lvl <= atomic_load_explicit(&m->level, memory_order_relaxed);
}

unsigned sx_log__rl_take(struct sx_log_rl *rl)
{
	uint64_t t = now_ms();
	uint64_t w = atomic_load(&rl->window_ms);

	if (t - w >= SX_LOG_RL_PERIOD_MS &&
	    atomic_compare_exchange_strong(&rl->window_ms, &w, t)) {
		unsigned over = atomic_exchange(&rl->count, 0);
		unsigned dropped = over > SX_LOG_RL_BURST
					   ? over - SX_LOG_RL_BURST
					   : 0;
		atomic_store(&rl->dropped, dropped);
	}
	unsigned n = atomic_fetch_add(&rl->count, 1);
	if (n >= SX_LOG_RL_BURST)
		return 0;
	/* the first line of a period reports what the last one dropped */
	return n == 0 ? atomic_exchange(&rl->dropped, 0) + 1 : 1;
}

void sx_log__write(struct sx_log_mod *m, enum sx_log_level lvl,
		   unsigned suppressed, const char *fmt, ...)
{
	char line[MAX_LINE];
	struct timespec ts;
	struct tm tm;
	size_t n;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ %s %s ",
			      ts.tv_nsec / 1000000,
			      level_names[lvl < 5 ? lvl : 0], m->name);
	va_start(ap, fmt);
	int k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (k > 0)
		n += (size_t)k;
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	if (suppressed && n < sizeof(line) - 1)
		n += (size_t)snprintf(line + n, sizeof(line) - n,
				      " (%u similar suppressed)", suppressed);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	line[n] = '\0';
	if (sink)
		sink(lvl, line, sink_arg);
	else
		fprintf(stderr, "%s\n", line);
}
