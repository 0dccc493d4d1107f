/*
 * The cdr service as hosted by servers/common (include/sx/server/
 * service.h): its [cdr] schema and one thread that runs the resolver
 * every poll_ms.  The resolver blocks on the store (reads, commits), so
 * it never runs on a worker's loop thread.  The service answers no SIP
 * (RFC 3261 8.2.1: a request reaching it gets 405).
 */
#define SX_LOG_MOD "cdr"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "cdr.h"

#define OFF(f) offsetof(struct sx_cdr_cfg, f)
#define STR(x) #x
#define NUM(x) STR(x)

const struct sx_conf_key sx_cdr_conf_keys[] = {
    {"poll_ms", SX_CONF_U32, OFF(poll_ms), NUM(SX_CDR_POLL_MS),
     SX_CDR_POLL_MS_MIN, SX_CDR_POLL_MS_MAX, true,
     "how often new call-state events are resolved into CDRs, ms"},
    {"open_max_s", SX_CONF_U32, OFF(open_max_s), NUM(SX_CDR_OPEN_MAX_S),
     SX_CDR_OPEN_MAX_S_MIN, SX_CDR_OPEN_MAX_S_MAX, false,
     "calls open longer than this are written with termination unknown"},
    {"max_open", SX_CONF_U32, OFF(max_open), NUM(SX_CDR_MAX_OPEN),
     SX_CDR_MAX_OPEN_MIN, SX_CDR_MAX_OPEN_MAX, false,
     "most calls followed at once (further calls get no CDR)"},
};
const size_t sx_cdr_conf_nkeys = SX_ARRAY_SIZE(sx_cdr_conf_keys);

struct cdr_svc {
	struct sx_cdr_resolver *r;
	pthread_t thread;
	bool thread_made;
	pthread_mutex_t mtx;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	bool stopping;
	_Atomic uint32_t poll_ms;
};

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep @ms unless stopped; true when stopping. */
static bool nap(struct cdr_svc *s, uint32_t ms)
{
	struct timespec ts;
	bool stop;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->mtx);
	while (!s->stopping &&
	       pthread_cond_timedwait(&s->cond, &s->mtx, &ts) != ETIMEDOUT)
		;
	stop = s->stopping;
	pthread_mutex_unlock(&s->mtx);
	return stop;
}

static void *run(void *arg)
{
	struct cdr_svc *s = arg;

	do {
		int err = sx_cdr_resolver_poll(s->r, wall_ms());
		if (err)
			SX_LOG_WARN_RL("resolving CDRs: %s (retrying)",
			               strerror(-err));
	} while (!nap(s, atomic_load(&s->poll_ms)));
	/* the last round: what the proxy committed before it stopped */
	(void)sx_cdr_resolver_poll(s->r, wall_ms());
	return NULL;
}

static void svc_destroy(void *arg)
{
	struct cdr_svc *s = arg;

	if (s->thread_made) {
		pthread_mutex_lock(&s->mtx);
		s->stopping = true;
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->mtx);
		pthread_join(s->thread, NULL);
	}
	sx_cdr_resolver_free(s->r);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->mtx);
}

static int cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t a;
	int err = pthread_condattr_init(&a);

	if (!err)
		err = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	if (!err)
		err = pthread_cond_init(cond, &a);
	pthread_condattr_destroy(&a);
	return -err;
}

static int svc_start(void **svcp, struct sx_host *host, const void *cfg)
{
	const struct sx_cdr_cfg *c = cfg;
	const struct sx_cdr_resolver_prm prm = {
	    .store = sx_host_store(host),
	    .domain = sx_host_domain(host),
	    .open_max_s = c->open_max_s,
	    .max_open = c->max_open,
	};
	struct cdr_svc *s;
	int err;

	if (!prm.store) {
		SX_LOG_ERR("no store: the cdr service needs [store]");
		return -EINVAL;
	}
	s = sx_mem_zalloc(sizeof(*s), NULL);
	if (!s)
		return -ENOMEM;
	atomic_store(&s->poll_ms, c->poll_ms);
	pthread_mutex_init(&s->mtx, NULL);
	err = cond_init(&s->cond);
	if (err) {
		pthread_mutex_destroy(&s->mtx);
		sx_mem_unref(s);
		return err;
	}
	err = sx_cdr_resolver_alloc(&s->r, &prm);
	if (!err)
		err = -pthread_create(&s->thread, NULL, run, s);
	s->thread_made = !err;
	if (err) {
		svc_destroy(s);
		sx_mem_unref(s);
		return err;
	}
	*svcp = s;
	return 0;
}

static void svc_request(void *svc, struct sx_worker *w, struct sx_sip_tsx *stsx,
                        const struct sx_sip_msg *msg,
                        const struct sx_sip_peer *peer)
{
	(void)svc, (void)w, (void)msg, (void)peer;
	if (sx_sip_tsx_reply(stsx, 405, NULL, SX_SL("Allow: OPTIONS\r\n"),
	                     SX_SL_NULL, SX_SL_NULL))
		SX_LOG_WARN_RL("cannot answer a request for the cdr service");
}

static int svc_reload(void *svc, const void *cfg)
{
	const struct sx_cdr_cfg *c = cfg;
	struct cdr_svc *s = svc;

	atomic_store(&s->poll_ms, c->poll_ms);
	return 0;
}

static void svc_stop(void *svc)
{
	struct cdr_svc *s = svc;

	svc_destroy(s);
	sx_mem_unref(s);
}

const struct sx_service_ops sx_cdr_service = {
    .name = "cdr",
    .keys = sx_cdr_conf_keys,
    .nkeys = SX_ARRAY_SIZE(sx_cdr_conf_keys),
    .cfg_size = sizeof(struct sx_cdr_cfg),
    .start = svc_start,
    .request = svc_request,
    .reload = svc_reload,
    .stop = svc_stop,
};
