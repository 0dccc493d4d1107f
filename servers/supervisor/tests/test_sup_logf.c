/*
 * Size-rotated log files of the supervisor (logf.c): NAME.log grows to
 * SX_SUP_LOG_MAX_BYTES, then shifts to NAME.log.1 .. .SX_SUP_LOG_KEEP and
 * the oldest is dropped; appends survive a reopen.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ut.h"

#include "sup.h"

/** Bytes per write: a child's typical chunk. */
#define CHUNK 65536u

/** Template of the temporary folder (mkdtemp rewrites the copy). */
#define DIR_TEMPLATE "/tmp/sx-logf-XXXXXX"

static char dir[sizeof(DIR_TEMPLATE)];

static long long file_size(const char *suffix)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/p.log%s", dir, suffix);
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void cleanup(void)
{
	char path[256];

	for (unsigned k = 0; k <= SX_SUP_LOG_KEEP + 1; k++) {
		if (k)
			snprintf(path, sizeof(path), "%s/p.log.%u", dir, k);
		else
			snprintf(path, sizeof(path), "%s/p.log", dir);
		unlink(path);
	}
	rmdir(dir);
}

static int test_rotation(void)
{
	static char chunk[CHUNK];
	struct sx_sup_logf lf = {.fd = -1};
	int err = 0;
	char sfx[16];

	memcpy(dir, DIR_TEMPLATE, sizeof(dir));
	UT_TRUE(mkdtemp(dir) != NULL);
	memset(chunk, 'x', sizeof(chunk));
	UT_OK(sx_sup_logf_open(&lf, dir, "p"));
	/* fill KEEP + 2 files: the first two are rotated away */
	size_t per_file = SX_SUP_LOG_MAX_BYTES / CHUNK;
	for (size_t i = 0; i < per_file * (SX_SUP_LOG_KEEP + 2); i++) {
		chunk[0] = (char)('a' + i / per_file);
		UT_OK(sx_sup_logf_write(&lf, chunk, sizeof(chunk)));
	}
	UT_EQ(SX_SUP_LOG_MAX_BYTES, file_size(""));
	for (unsigned k = 1; k <= SX_SUP_LOG_KEEP; k++) {
		snprintf(sfx, sizeof(sfx), ".%u", k);
		UT_EQ(SX_SUP_LOG_MAX_BYTES, file_size(sfx));
	}
	snprintf(sfx, sizeof(sfx), ".%u", SX_SUP_LOG_KEEP + 1);
	UT_EQ(-1, file_size(sfx));
	/* appending after a reopen keeps counting the existing bytes */
	sx_sup_logf_close(&lf);
	UT_OK(sx_sup_logf_open(&lf, dir, "p"));
	UT_EQ(SX_SUP_LOG_MAX_BYTES, (long long)lf.size);
	UT_OK(sx_sup_logf_write(&lf, "y", 1));
	UT_EQ(1, file_size(""));
out:
	sx_sup_logf_close(&lf);
	cleanup();
	return err;
}

static int test_open_errors(void)
{
	struct sx_sup_logf lf = {.fd = -1};
	int err = 0;

	int r = sx_sup_logf_open(&lf, "/nonexistent/sx-logf", "p");
	if (r == -ENOMEM && ut_oom_mode()) {
		err = r;
		goto out;
	}
	UT_EQ(-ENOENT, r);
	UT_EQ(-1, lf.fd);
	UT_TRUE(lf.path == NULL);
	UT_EQ(-EBADF, sx_sup_logf_write(&lf, "x", 1));
	sx_sup_logf_close(&lf);
out:
	return err;
}

UT_MAIN(UT_C(test_rotation), UT_C(test_open_errors))
