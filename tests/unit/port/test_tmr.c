/*
 * Unit tests for sx_tmr on the virtual clock: firing order as table
 * tests, cancellation and re-arming inside handlers, RFC 3261 Timer B
 * (64*T1 = 32 s) firing after a jump, and 100k timers under random
 * start/stop checked against a reference model.  No test sleeps.
 */
#include <sx/port/ev.h>
#include <sx/port/tmr.h>
#include <sx/util/compiler.h>

#include "ut.h"

/* RFC 3261 17.1.1.2: Timer B = 64*T1, T1 = 500 ms. */
#define T1_MS      500u
#define TIMER_B_MS (64u * T1_MS)
#define LOG_MAX    64

/* What fired, and when: filled by the handlers. */
struct fire_log {
	struct sx_ev *loop;
	size_t n;
	int id[LOG_MAX];
	uint64_t at[LOG_MAX];
};

struct tt {
	struct sx_tmr tmr;
	struct fire_log *log;
	int id;
	/* optional actions run by the handler */
	struct sx_tmr *stop; /* stop this timer */
	struct tt *arm;      /* arm this one ... */
	uint64_t arm_delay;  /* ... with this delay */
	unsigned rearm_left; /* re-arm itself this many times */
	uint64_t rearm_delay;
};

static void log_fire(struct fire_log *log, int id)
{
	if (log->n < LOG_MAX) {
		log->id[log->n] = id;
		log->at[log->n] = sx_ev_now(log->loop);
	}
	log->n++;
}

static void on_tt(void *arg)
{
	struct tt *t = arg;

	log_fire(t->log, t->id);
	if (t->stop)
		sx_tmr_stop(t->stop);
	if (t->arm && sx_tmr_start(t->log->loop, &t->arm->tmr, t->arm_delay,
	                           on_tt, t->arm))
		t->log->n += 1000; /* makes the test fail */
	if (t->rearm_left) {
		t->rearm_left--;
		if (sx_tmr_start(t->log->loop, &t->tmr, t->rearm_delay, on_tt,
		                 t))
			t->log->n += 1000;
	}
}

static int virt_loop(struct sx_ev **loopp, size_t cap)
{
	struct sx_ev_prm prm = {.tmr_capacity = cap};
	int err = sx_ev_alloc(loopp, &prm);
	if (err)
		return err;
	return sx_ev_clock_set_virtual(*loopp, 1000);
}

/* Table: delays armed in index order; expected firing order by id. */
static int test_tmr_order_table(void)
{
	static const struct {
		uint64_t delay[8];
		size_t n;
		int order[8];
	} t[] = {
	    {{30, 10, 20}, 3, {1, 2, 0}},
	    {{5, 5, 5, 5}, 4, {0, 1, 2, 3}}, /* FIFO on ties */
	    {{7, 0, 7, 0}, 4, {1, 3, 0, 2}},
	    {{TIMER_B_MS, T1_MS, 2 * T1_MS, 4 * T1_MS}, 4, {1, 2, 3, 0}},
	    {{1, 32000, 31999, 2, 1}, 5, {0, 4, 3, 2, 1}},
	};
	struct sx_ev *loop = NULL;
	struct fire_log log = {0};
	struct tt tts[8];
	int err = 0;

	UT_OK(virt_loop(&loop, 4));
	log.loop = loop;
	for (size_t c = 0; c < SX_ARRAY_SIZE(t); c++) {
		uint64_t t0 = sx_ev_now(loop);
		log.n = 0;
		memset(tts, 0, sizeof(tts));
		for (size_t i = 0; i < t[c].n; i++) {
			tts[i].log = &log;
			tts[i].id = (int)i;
			UT_OK(sx_tmr_start(loop, &tts[i].tmr, t[c].delay[i],
			                   on_tt, &tts[i]));
		}
		UT_EQ(t[c].n, sx_ev_clock_advance(loop, TIMER_B_MS));
		UT_EQ(t[c].n, log.n);
		for (size_t i = 0; i < t[c].n; i++) {
			int id = t[c].order[i];
			UT_EQ(id, log.id[i]);
			UT_EQ(t0 + t[c].delay[id], log.at[i]);
			UT_TRUE(!sx_tmr_isrunning(&tts[id].tmr));
		}
		UT_EQ(t0 + TIMER_B_MS, sx_ev_now(loop));
		UT_EQ(0, sx_ev_tmr_count(loop));
	}
out:
	sx_ev_free(loop);
	return err;
}

/* RFC 3261 Timer B: nothing at 32 s - 1 ms, fires exactly at 32 s. */
static int test_tmr_timer_b_jump(void)
{
	struct sx_ev *loop = NULL;
	struct fire_log log = {0};
	struct tt b = {.id = 7, .log = &log};
	int err = 0;

	UT_OK(virt_loop(&loop, 0));
	log.loop = loop;
	UT_OK(sx_tmr_start(loop, &b.tmr, TIMER_B_MS, on_tt, &b));
	UT_TRUE(sx_tmr_isrunning(&b.tmr));
	UT_EQ(TIMER_B_MS, sx_tmr_remaining(&b.tmr));
	UT_EQ(0, sx_ev_clock_advance(loop, TIMER_B_MS - 1));
	UT_EQ(1, sx_tmr_remaining(&b.tmr));
	UT_EQ(0, sx_ev_run_once(loop, 0)); /* virtual: no time passes */
	UT_EQ(1, sx_ev_clock_advance(loop, 1));
	UT_EQ(1, log.n);
	UT_EQ(1000 + TIMER_B_MS, log.at[0]);
	UT_TRUE(!sx_tmr_isrunning(&b.tmr));
	UT_EQ(0, sx_tmr_remaining(&b.tmr));
out:
	sx_ev_free(loop);
	return err;
}

/* Handlers stopping later timers, its own peer at the same deadline. */
static int test_tmr_cancel_in_handler(void)
{
	struct sx_ev *loop = NULL;
	struct fire_log log = {0};
	struct tt a = {.id = 0}, b = {.id = 1}, c = {.id = 2}, d = {.id = 3};
	int err = 0;

	UT_OK(virt_loop(&loop, 0));
	log.loop = loop;
	a.log = b.log = c.log = d.log = &log;
	a.stop = &b.tmr; /* same deadline, armed after a */
	d.stop = &c.tmr; /* d fires first and cancels c */
	UT_OK(sx_tmr_start(loop, &a.tmr, 10, on_tt, &a));
	UT_OK(sx_tmr_start(loop, &b.tmr, 10, on_tt, &b));
	UT_OK(sx_tmr_start(loop, &c.tmr, 20, on_tt, &c));
	UT_OK(sx_tmr_start(loop, &d.tmr, 15, on_tt, &d));
	UT_EQ(2, sx_ev_clock_advance(loop, 100));
	UT_EQ(2, log.n);
	UT_EQ(0, log.id[0]);
	UT_EQ(3, log.id[1]);
	UT_EQ(0, sx_ev_tmr_count(loop));
	/* stopping stopped timers is a no-op */
	sx_tmr_stop(&b.tmr);
	sx_tmr_stop(NULL);
out:
	sx_ev_free(loop);
	return err;
}

/*
 * Re-arm inside handlers: a 100 ms periodic timer three times, and a
 * handler arming a new zero-delay timer, which fires at the same virtual
 * instant after the timers already due then.
 */
static int test_tmr_rearm_in_handler(void)
{
	struct sx_ev *loop = NULL;
	struct fire_log log = {0};
	struct tt p = {.id = 0, .rearm_left = 3, .rearm_delay = 100};
	struct tt x = {.id = 1, .arm_delay = 0}, y = {.id = 2}, z = {.id = 3};
	int err = 0;

	UT_OK(virt_loop(&loop, 0));
	log.loop = loop;
	p.log = x.log = y.log = z.log = &log;
	x.arm = &z;
	UT_OK(sx_tmr_start(loop, &p.tmr, 100, on_tt, &p));
	UT_OK(sx_tmr_start(loop, &x.tmr, 250, on_tt, &x));
	UT_OK(sx_tmr_start(loop, &y.tmr, 250, on_tt, &y));
	UT_EQ(7, sx_ev_clock_advance(loop, 1000));
	static const int want_id[] = {0, 0, 1, 2, 3, 0, 0};
	static const uint64_t want_at[] = {1100, 1200, 1250, 1250,
	                                   1250, 1300, 1400};
	UT_EQ(SX_ARRAY_SIZE(want_id), log.n);
	for (size_t i = 0; i < log.n; i++) {
		UT_EQ(want_id[i], log.id[i]);
		UT_EQ(want_at[i], log.at[i]);
	}
	/* re-arming a running timer moves it */
	UT_OK(sx_tmr_start(loop, &y.tmr, 50, on_tt, &y));
	UT_OK(sx_tmr_start(loop, &y.tmr, 10, on_tt, &y));
	UT_EQ(1, sx_ev_tmr_count(loop));
	UT_EQ(10, sx_tmr_remaining(&y.tmr));
out:
	sx_ev_free(loop);
	return err;
}

static int test_tmr_args_and_clock(void)
{
	struct sx_ev *loop = NULL;
	struct sx_tmr t;
	int err = 0;

	sx_tmr_init(&t);
	UT_TRUE(!sx_tmr_isrunning(&t));
	UT_EQ(0, sx_tmr_remaining(&t));
	UT_OK(sx_ev_alloc(&loop, NULL));
	UT_EQ(-EINVAL, sx_tmr_start(NULL, &t, 1, on_tt, NULL));
	UT_EQ(-EINVAL, sx_tmr_start(loop, NULL, 1, on_tt, NULL));
	UT_EQ(-EINVAL, sx_tmr_start(loop, &t, 1, NULL, NULL));
	UT_EQ(-EINVAL, sx_ev_clock_advance(loop, 1)); /* real clock */
	UT_OK(sx_tmr_start(loop, &t, 5000, on_tt, NULL));
	UT_EQ(-EBUSY, sx_ev_clock_set_virtual(loop, 0));
	/* freeing the loop detaches armed timers */
	sx_ev_free(loop);
	loop = NULL;
	UT_TRUE(!sx_tmr_isrunning(&t));
	sx_tmr_stop(&t);
	UT_OK(virt_loop(&loop, 0));
	UT_EQ(-EINVAL, sx_ev_clock_advance(loop, UINT64_MAX));
out:
	sx_ev_free(loop);
	return err;
}

/* Real clock: a zero-delay timer is due in the same iteration. */
static int test_tmr_real_clock_zero_delay(void)
{
	struct sx_ev *loop = NULL;
	struct fire_log log = {0};
	struct tt a = {.id = 5, .rearm_left = 1, .rearm_delay = 0};
	int err = 0;

	UT_OK(sx_ev_alloc(&loop, NULL));
	log.loop = loop;
	a.log = &log;
	UT_OK(sx_tmr_start(loop, &a.tmr, 0, on_tt, &a));
	/* the self re-arm waits for the next iteration (no starvation) */
	UT_EQ(1, sx_ev_run_once(loop, 0));
	UT_EQ(1, log.n);
	UT_TRUE(sx_tmr_isrunning(&a.tmr));
	UT_EQ(1, sx_ev_run_once(loop, 0));
	UT_EQ(2, log.n);
out:
	sx_ev_free(loop);
	return err;
}

/* ---- 100k timers against a reference model ---------------------- */

#define MODEL_N             100000u
#define MODEL_ROUNDS        40u
#define MODEL_OPS_PER_ROUND 20000u
#define MODEL_MAX_DELAY     40000u

struct mt {
	struct sx_tmr tmr;
	bool armed;        /* model: armed? */
	uint64_t deadline; /* model deadline */
	uint64_t order;    /* model arming order */
};

struct model {
	struct sx_ev *loop;
	struct mt *t;
	uint64_t next_order;
	uint64_t last_deadline, last_order; /* previous firing */
	size_t fired;
	size_t bad;
};

static struct model *g_model;

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void on_mt(void *arg)
{
	struct model *m = g_model;
	struct mt *t = arg;
	uint64_t now = sx_ev_now(m->loop);

	/* fires at its deadline, in (deadline, arming order) order */
	if (!t->armed || t->deadline != now)
		m->bad++;
	if (m->fired &&
	    (t->deadline < m->last_deadline ||
	     (t->deadline == m->last_deadline && t->order <= m->last_order)))
		m->bad++;
	m->last_deadline = t->deadline;
	m->last_order = t->order;
	t->armed = false;
	m->fired++;
}

static int model_op(struct model *m, uint64_t *seed)
{
	struct mt *t = &m->t[rnd(seed) % MODEL_N];
	uint64_t r = rnd(seed) % 4;

	if (r == 0) {
		sx_tmr_stop(&t->tmr);
		t->armed = false;
		return 0;
	}
	uint64_t delay = rnd(seed) % MODEL_MAX_DELAY;
	int err = sx_tmr_start(m->loop, &t->tmr, delay, on_mt, t);
	if (err)
		return err;
	t->armed = true;
	t->deadline = sx_ev_now(m->loop) + delay;
	t->order = m->next_order++;
	return 0;
}

/* Model timers due by @target; also checks remaining/isrunning. */
static size_t model_due(struct model *m, uint64_t target)
{
	size_t due = 0;
	uint64_t now = sx_ev_now(m->loop);

	for (size_t i = 0; i < MODEL_N; i++) {
		struct mt *t = &m->t[i];
		if (sx_tmr_isrunning(&t->tmr) != t->armed)
			m->bad++;
		if (!t->armed)
			continue;
		if (sx_tmr_remaining(&t->tmr) != t->deadline - now)
			m->bad++;
		due += t->deadline <= target;
	}
	return due;
}

static size_t model_armed(const struct model *m)
{
	size_t n = 0;
	for (size_t i = 0; i < MODEL_N; i++)
		n += m->t[i].armed;
	return n;
}

static int test_tmr_100k_model(void)
{
	struct model m = {0};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int err = 0;

	g_model = &m;
	UT_OK(virt_loop(&m.loop, 0));
	m.t = sx_mem_zalloc(MODEL_N * sizeof(*m.t), NULL);
	if (!m.t) {
		err = -ENOMEM;
		goto out;
	}
	/* arm all first: 100k armed timers at once */
	for (size_t i = 0; i < MODEL_N; i++) {
		struct mt *t = &m.t[i];
		uint64_t delay = rnd(&seed) % MODEL_MAX_DELAY;
		UT_OK(sx_tmr_start(m.loop, &t->tmr, delay, on_mt, t));
		t->armed = true;
		t->deadline = sx_ev_now(m.loop) + delay;
		t->order = m.next_order++;
	}
	UT_EQ(MODEL_N, sx_ev_tmr_count(m.loop));
	for (unsigned round = 0; round < MODEL_ROUNDS; round++) {
		for (unsigned k = 0; k < MODEL_OPS_PER_ROUND; k++)
			UT_OK(model_op(&m, &seed));
		uint64_t step = rnd(&seed) % (MODEL_MAX_DELAY / 8);
		uint64_t target = sx_ev_now(m.loop) + step;
		size_t want = model_due(&m, target);
		size_t before = m.fired;
		m.fired = 0; /* order check restarts per advance */
		int n = sx_ev_clock_advance(m.loop, step);
		UT_EQ(want, n);
		UT_EQ(want, m.fired);
		m.fired += before;
		UT_EQ(model_armed(&m), sx_ev_tmr_count(m.loop));
		UT_EQ(0, m.bad);
	}
	m.fired = 0;
	size_t left = model_armed(&m);
	UT_EQ(left, sx_ev_clock_advance(m.loop, MODEL_MAX_DELAY));
	UT_EQ(left, m.fired);
	UT_EQ(0, sx_ev_tmr_count(m.loop));
	UT_EQ(0, m.bad);
out:
	sx_ev_free(m.loop); /* first: it detaches the armed timers */
	sx_mem_unref(m.t);
	g_model = NULL;
	return err;
}

UT_MAIN(UT_C(test_tmr_order_table), UT_C(test_tmr_timer_b_jump),
        UT_C(test_tmr_cancel_in_handler), UT_C(test_tmr_rearm_in_handler),
        UT_C(test_tmr_args_and_clock), UT_C(test_tmr_real_clock_zero_delay),
        UT_C(test_tmr_100k_model))
