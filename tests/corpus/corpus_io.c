/*
 * Guard-page file loading, folder walks and crash attribution for the
 * corpus-driven parser tests (see corpus_io.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus_io.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORPUS_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CORPUS_ASAN 1
#endif
#ifdef CORPUS_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

/** Longest case name kept for the crash report. */
#define CORPUS_NAME_MAX 256
/** Longest path built by the folder walk. */
#define CORPUS_PATH_MAX 4096

static char current[CORPUS_NAME_MAX];

int corpus_file_load(struct corpus_file *f, const char *path)
{
	int err = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) || st.st_size < 0) {
		err = -EIO;
		goto out;
	}
	size_t len = (size_t)st.st_size;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t maplen = ((len + pg - 1) / pg + 1) * pg;
	char *base = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
	                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	char *guard = base + maplen - pg;
	char *p = guard - len;
	for (size_t got = 0; got < len;) {
		ssize_t n = read(fd, p + got, len - got);
		if (n <= 0) {
			munmap(base, maplen);
			err = n < 0 ? -errno : -EIO;
			goto out;
		}
		got += (size_t)n;
	}
	mprotect(guard, pg, PROT_NONE);
	*f = (struct corpus_file){
	    .p = p, .len = len, .map = base, .maplen = maplen};
out:
	close(fd);
	return err;
}

void corpus_file_free(struct corpus_file *f)
{
	if (f->map)
		munmap(f->map, f->maplen);
	f->map = NULL;
}

static bool wanted(const char *name, const char *suffix)
{
	size_t n = strlen(name);
	if (name[0] == '.')
		return false;
	if (!suffix)
		return true;
	size_t s = strlen(suffix);
	return n >= s && !strcmp(name + n - s, suffix);
}

int corpus_dir_each(const char *dir, const char *suffix, corpus_file_h *fn,
                    void *arg)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return -errno;
	int count = 0, err = 0;
	for (int i = 0; i < n; i++) {
		char path[CORPUS_PATH_MAX];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (!err && wanted(ents[i]->d_name, suffix) &&
		    !stat(path, &st) && S_ISREG(st.st_mode)) {
			err = fn(path, ents[i]->d_name, arg);
			count++;
		}
		free(ents[i]);
	}
	free(ents);
	return err ? err : count;
}

void corpus_set_current(const char *name)
{
	snprintf(current, sizeof(current), "%s", name);
}

static void say_current(void)
{
	static const char pre[] = "crashed in case ";
	if (write(2, pre, sizeof(pre) - 1) < 0 ||
	    write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0)
		return;
}

#ifndef CORPUS_ASAN
static void on_signal(int sig)
{
	say_current();
	signal(sig, SIG_DFL);
	raise(sig);
}
#endif

void corpus_crash_report_init(void)
{
#ifdef CORPUS_ASAN
	/* keep ASan's own SEGV report; it calls us before dying */
	__sanitizer_set_death_callback(say_current);
#else
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_signal);
#endif
}
