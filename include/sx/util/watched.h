/*
 * sx_watched: a configuration file (rules, aliases) loaded into an
 * sx_mem object and reloaded when its mtime changes, checked at most
 * once per interval.  A failed reload keeps the previous object; a
 * file that disappears drops it.  Not locked: the owner serialises the
 * calls (the registrar's and the proxy's lock around their files).
 */
#ifndef SX_UTIL_WATCHED_H
#define SX_UTIL_WATCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/** Parse @path into a new sx_mem object *@objp; 0 or -errno. */
typedef int(sx_watched_load_h)(void **objp, const char *path);

struct sx_watched {
	char *path;             /**< sx_mem string; NULL = not configured */
	void *obj;              /**< loaded object (sx_mem), NULL = none */
	struct timespec mtime;  /**< of the loaded version */
	uint64_t checked_ms;    /**< monotonic time of the last stat, 0 = due */
	uint32_t interval_ms;   /**< least time between two stats */
	sx_watched_load_h *load;
};

/**
 * (Re)configure @w: copy @path (NULL or "" = none), drop the loaded
 * object, and load the file at once.  A file that cannot be loaded is
 * logged and retried at the next check.  0 or -ENOMEM.
 */
int sx_watched_set(struct sx_watched *w, const char *path,
                   sx_watched_load_h *load, uint32_t interval_ms);

/** A reference on the current object, reloaded first when the check
 *  is due and the file changed; NULL when there is none. */
void *sx_watched_get(struct sx_watched *w);

/** Check at the next sx_watched_get() whatever the interval. */
void sx_watched_recheck(struct sx_watched *w);

/** Free the path and the object. */
void sx_watched_fini(struct sx_watched *w);

#endif
