/*
 * sx_watched: configuration files reloaded when their mtime changes
 * (sipXecs' rule files are rewritten by the configuration server while
 * the servers run).
 */
#define SX_LOG_MOD "util.watched"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>
#include <sx/util/watched.h>

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Reload @w when its file changed (@force: whatever the interval and
 * the mtime). */
static void refresh(struct sx_watched *w, bool force)
{
	uint64_t now = mono_ms();
	struct stat st;
	void *obj = NULL;

	if (!w->path || (!force && w->checked_ms &&
	                 now - w->checked_ms < w->interval_ms))
		return;
	w->checked_ms = now;
	if (stat(w->path, &st)) {
		if (w->obj)
			SX_LOG_WARN("%s: %s; rules dropped", w->path,
			            strerror(errno));
		w->obj = sx_mem_unref(w->obj);
		memset(&w->mtime, 0, sizeof(w->mtime));
		return;
	}
	if (!force && w->obj && st.st_mtim.tv_sec == w->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == w->mtime.tv_nsec)
		return;
	int err = w->load(&obj, w->path);
	if (err) {
		SX_LOG_WARN("%s: cannot load (%s); keeping the old rules",
		            w->path, strerror(-err));
		return;
	}
	sx_mem_unref(w->obj);
	w->obj = obj;
	w->mtime = st.st_mtim;
	SX_LOG_INFO("%s loaded", w->path);
}

int sx_watched_set(struct sx_watched *w, const char *path,
                   sx_watched_load_h *load, uint32_t interval_ms)
{
	char *p = NULL;

	if (path && *path) {
		p = sx_mem_strndup(path, strlen(path));
		if (!p)
			return -ENOMEM;
	}
	sx_mem_unref(w->path);
	w->path = p;
	w->obj = sx_mem_unref(w->obj);
	memset(&w->mtime, 0, sizeof(w->mtime));
	w->checked_ms = 0;
	w->interval_ms = interval_ms;
	w->load = load;
	refresh(w, true);
	return 0;
}

void *sx_watched_get(struct sx_watched *w)
{
	if (!w->path)
		return NULL;
	refresh(w, false);
	return sx_mem_ref(w->obj);
}

void sx_watched_recheck(struct sx_watched *w)
{
	w->checked_ms = 0;
}

void sx_watched_fini(struct sx_watched *w)
{
	w->obj = sx_mem_unref(w->obj);
	w->path = sx_mem_unref(w->path);
}
