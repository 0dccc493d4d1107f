/*
 * sx_watched: a file is loaded at once, reloaded when its mtime
 * changes (checked at most once per interval, or at once after a
 * recheck), kept when a reload fails, dropped when the file goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sx/util/mem.h>
#include <sx/util/watched.h>

#include "ut.h"

/* A long interval: only sx_watched_recheck() makes a check due. */
#define INTERVAL_MS 3600000u

/* The object: the file's first byte; 'x' fails to load. */
static int load_byte(void **objp, const char *path)
{
	char c = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	size_t n = fread(&c, 1, 1, f);
	fclose(f);
	if (n != 1 || c == 'x')
		return -EINVAL;
	char *o = sx_mem_alloc(1, NULL);
	if (!o)
		return -ENOMEM;
	*o = c;
	*objp = o;
	return 0;
}

/* Write @c to @path with mtime @sec (distinct mtimes without sleeping). */
static int put(const char *path, char c, time_t sec)
{
	FILE *f = fopen(path, "w");
	if (!f || fwrite(&c, 1, 1, f) != 1) {
		if (f)
			fclose(f);
		return -EIO;
	}
	fclose(f);
	struct timespec ts[2] = {{sec, 0}, {sec, 0}};
	return utimensat(AT_FDCWD, path, ts, 0) ? -errno : 0;
}

/* The first byte of the current object, 0 for none. */
static char current(struct sx_watched *w)
{
	char *o = sx_watched_get(w);
	char c = o ? *o : 0;
	sx_mem_unref(o);
	return c;
}

/* (No OOM run: a loader's failure is logged and swallowed by design.) */
static int test_reload(void)
{
	char dir[] = "/tmp/sx_watched_XXXXXX", path[64];
	struct sx_watched w = {0};
	int err = 0;

	UT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/rules", dir);
	UT_OK(put(path, 'a', 1000));
	UT_OK(sx_watched_set(&w, path, load_byte, INTERVAL_MS));
	UT_EQ('a', current(&w));
	/* changed, but not checked before the interval */
	UT_OK(put(path, 'b', 2000));
	UT_EQ('a', current(&w));
	sx_watched_recheck(&w);
	UT_EQ('b', current(&w));
	/* a bad version keeps the good one */
	UT_OK(put(path, 'x', 3000));
	sx_watched_recheck(&w);
	UT_EQ('b', current(&w));
	/* gone: dropped */
	UT_OK(unlink(path) ? -errno : 0);
	sx_watched_recheck(&w);
	UT_EQ(0, current(&w));
	/* unconfigured: nothing */
	UT_OK(sx_watched_set(&w, NULL, load_byte, INTERVAL_MS));
	UT_EQ(0, current(&w));
out:
	sx_watched_fini(&w);
	unlink(path);
	rmdir(dir);
	return err;
}

UT_MAIN(UT_C(test_reload))
