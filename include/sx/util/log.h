/*
 * sx_log: leveled logging with per-module levels and rate limiting.
 *
 * Each .c file defines SX_LOG_MOD (e.g. "sip.msg") before including this
 * header.  The macros test the module's level before evaluating any
 * argument (redis serverLog).  Warnings caused by network input use the
 * _RL forms, which allow SX_LOG_RL_BURST lines per SX_LOG_RL_PERIOD_MS per
 * call site and then report how many were suppressed, so a flood of bad
 * packets cannot become a log storm (STYLE.md 2.7).
 *
 * Line format: "ts level module msg" on stderr (or the configured sink).
 */
#ifndef SX_UTIL_LOG_H
#define SX_UTIL_LOG_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>

#include <sx/util/compiler.h>

enum sx_log_level {
	SX_LOG_LVL_NONE = 0,
	SX_LOG_LVL_ERR,
	SX_LOG_LVL_WARN,
	SX_LOG_LVL_INFO,
	SX_LOG_LVL_DBG,
};

/** Lines allowed per call site and period before suppression. */
#define SX_LOG_RL_BURST 10
#define SX_LOG_RL_PERIOD_MS 1000

/** Per-file module handle; the level is cached and refreshed on change. */
struct sx_log_mod {
	const char *name;
	_Atomic unsigned gen; /**< settings generation the cache is for */
	_Atomic int level;    /**< cached effective level */
};

/** Per-call-site token bucket for the _RL macros. */
struct sx_log_rl {
	_Atomic uint64_t window_ms; /**< start of the current period */
	_Atomic unsigned count;     /**< lines in this period */
	_Atomic unsigned dropped;   /**< lines suppressed in the last period */
};

/** Sink for formatted lines (default: stderr). */
typedef void(sx_log_sink_h)(enum sx_log_level lvl, const char *line,
			    void *arg);

/** Default level for modules without their own (initially WARN). */
void sx_log_set_default(enum sx_log_level lvl);

/**
 * Level for a module name or prefix ("sip" covers "sip.msg"); the longest
 * matching prefix wins.  Returns -ENOMEM when the table is full.
 */
int sx_log_set_level(const char *mod, enum sx_log_level lvl);

/** Parse "err", "warn", "info", "debug" (or digits); -1 if unknown. */
int sx_log_level_parse(const char *s);

void sx_log_set_sink(sx_log_sink_h *sink, void *arg);

/** True when @lvl is enabled for @m (cheap when cached). */
int sx_log__enabled(struct sx_log_mod *m, enum sx_log_level lvl);

/** Returns 0 if the line must be dropped; else the number of lines
 *  suppressed before it (+1, so 1 means none). */
unsigned sx_log__rl_take(struct sx_log_rl *rl);

void sx_log__write(struct sx_log_mod *m, enum sx_log_level lvl,
		   unsigned suppressed, const char *fmt, ...) SX_PRINTF(4, 5);

#ifndef SX_LOG_MOD
#define SX_LOG_MOD "sx"
#endif

#define SX__LOG_MODVAR                                                         \
	static struct sx_log_mod sx__logmod_ = {SX_LOG_MOD, 0, 0}

#define SX__LOG(lvl, ...)                                                      \
	do {                                                                   \
		SX__LOG_MODVAR;                                                \
		if (sx_log__enabled(&sx__logmod_, lvl))                        \
			sx_log__write(&sx__logmod_, lvl, 0, __VA_ARGS__);      \
	} while (0)

#define SX__LOG_RL(lvl, ...)                                                   \
	do {                                                                   \
		SX__LOG_MODVAR;                                                \
		static struct sx_log_rl sx__rl_;                               \
		unsigned sx__n_;                                               \
		if (sx_log__enabled(&sx__logmod_, lvl) &&                      \
		    (sx__n_ = sx_log__rl_take(&sx__rl_)) != 0)                  \
			sx_log__write(&sx__logmod_, lvl, sx__n_ - 1,           \
				      __VA_ARGS__);                            \
	} while (0)

#define SX_LOG_ERR(...) SX__LOG(SX_LOG_LVL_ERR, __VA_ARGS__)
#define SX_LOG_WARN(...) SX__LOG(SX_LOG_LVL_WARN, __VA_ARGS__)
#define SX_LOG_INFO(...) SX__LOG(SX_LOG_LVL_INFO, __VA_ARGS__)
#define SX_LOG_DBG(...) SX__LOG(SX_LOG_LVL_DBG, __VA_ARGS__)
/* Rate-limited forms for anything a network peer can trigger. */
#define SX_LOG_WARN_RL(...) SX__LOG_RL(SX_LOG_LVL_WARN, __VA_ARGS__)
#define SX_LOG_INFO_RL(...) SX__LOG_RL(SX_LOG_LVL_INFO, __VA_ARGS__)
#define SX_LOG_ERR_RL(...) SX__LOG_RL(SX_LOG_LVL_ERR, __VA_ARGS__)

#endif
