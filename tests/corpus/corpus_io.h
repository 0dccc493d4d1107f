/*
 * Helpers of the corpus-driven parser tests: message files placed against
 * a PROT_NONE guard page (picohttpparser's test trick: any read past the
 * end faults at once), folder walks, and naming the case under test when
 * a crash kills the process.
 */
#ifndef SX_TESTS_CORPUS_IO_H
#define SX_TESTS_CORPUS_IO_H

#include <stddef.h>

/** A file's bytes, ending exactly at a guard page. */
struct corpus_file {
	const char *p; /**< first byte */
	size_t len;    /**< byte count */
	void *map;     /**< the mapping (private) */
	size_t maplen;
};

/** Map @path into a guarded copy.  0 or negative errno. */
int corpus_file_load(struct corpus_file *f, const char *path);

void corpus_file_free(struct corpus_file *f);

/** Called for each file of a folder; non-zero stops the walk. */
typedef int(corpus_file_h)(const char *path, const char *name, void *arg);

/**
 * Call @fn for each regular file of @dir (not recursing), in name order,
 * whose name ends in @suffix (NULL = every file not starting with '.').
 * Returns the count of files visited, or a negative errno (or @fn's
 * non-zero result).
 */
int corpus_dir_each(const char *dir, const char *suffix, corpus_file_h *fn,
                    void *arg);

/**
 * Remember the case under test: a fatal signal or a sanitizer report
 * then ends with "crashed in case <name>" on stderr.
 */
void corpus_set_current(const char *name);

/** Install the crash reporter (once, at start). */
void corpus_crash_report_init(void);

#endif
