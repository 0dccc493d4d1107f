/*
 * Size-rotated log files of the supervisor (SIPXECS-REFERENCE 1.5: the
 * watchdog kept each process's stdout/stderr in a log file).  NAME.log is
 * renamed NAME.log.1 when it would pass SX_SUP_LOG_MAX_BYTES; older files
 * shift up to NAME.log.SX_SUP_LOG_KEEP, and the oldest is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sx/util/mem.h>

#include "sup.h"

/** Mode of log files. */
#define LOG_FILE_MODE 0640

static int reopen(struct sx_sup_logf *lf)
{
	struct stat st;

	lf->fd = open(lf->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	              LOG_FILE_MODE);
	if (lf->fd < 0)
		return -errno;
	lf->size = fstat(lf->fd, &st) == 0 ? (size_t)st.st_size : 0;
	return 0;
}

int sx_sup_logf_open(struct sx_sup_logf *lf, const char *dir, const char *name)
{
	char path[PATH_MAX];

	lf->fd = -1;
	lf->size = 0;
	int n = snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	lf->path = sx_mem_strndup(path, (size_t)n);
	if (!lf->path)
		return -ENOMEM;
	int err = reopen(lf);
	if (err)
		lf->path = sx_mem_unref(lf->path);
	return err;
}

/* NAME.log.k -> NAME.log.k+1 for k = KEEP-1 .. 1, NAME.log -> .1. */
static int rotate(struct sx_sup_logf *lf)
{
	char from[PATH_MAX], to[PATH_MAX];

	close(lf->fd);
	lf->fd = -1;
	for (unsigned k = SX_SUP_LOG_KEEP; k > 1; k--) {
		snprintf(from, sizeof(from), "%s.%u", lf->path, k - 1);
		snprintf(to, sizeof(to), "%s.%u", lf->path, k);
		if (rename(from, to) != 0 && errno != ENOENT)
			return -errno;
	}
	snprintf(to, sizeof(to), "%s.1", lf->path);
	if (rename(lf->path, to) != 0 && errno != ENOENT)
		return -errno;
	return reopen(lf);
}

int sx_sup_logf_write(struct sx_sup_logf *lf, const void *p, size_t n)
{
	const char *s = p;

	if (lf->fd < 0)
		return -EBADF;
	if (lf->size > 0 && lf->size + n > SX_SUP_LOG_MAX_BYTES) {
		int err = rotate(lf);
		if (err)
			return err;
	}
	while (n > 0) {
		ssize_t w = write(lf->fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		s += w;
		n -= (size_t)w;
		lf->size += (size_t)w;
	}
	return 0;
}

void sx_sup_logf_close(struct sx_sup_logf *lf)
{
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
	lf->path = sx_mem_unref(lf->path);
}
