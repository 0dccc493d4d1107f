/*
 * bench_parse message set: the RFC 4475 (SIP torture tests) messages its
 * index marks valid, plus the realistic messages of bench/msgs/.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sx/util/mem.h>

#include "bench.h"

/** Longest path or index line we handle. */
#define BENCH_PATH_MAX 4096
/** Largest message file read (the UDP limit, RFC 3261 18.1.1). */
#define BENCH_FILE_MAX 65535

void bench_field_set(char *dst, const char *s, size_t len)
{
	if (!s)
		len = 0;
	if (len >= BENCH_FIELD_MAX)
		len = BENCH_FIELD_MAX - 1;
	if (len)
		memcpy(dst, s, len);
	dst[len] = '\0';
}

static int read_file(const char *path, char **pp, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	int err = 0;
	char *p = NULL;
	struct stat st;
	if (fstat(fileno(f), &st) || st.st_size <= 0 ||
	    st.st_size > BENCH_FILE_MAX) {
		err = -EINVAL;
		goto out;
	}
	p = sx_mem_alloc((size_t)st.st_size, NULL);
	if (!p) {
		err = -ENOMEM;
		goto out;
	}
	if (fread(p, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		err = -EIO;
		goto out;
	}
	*pp = p;
	*lenp = (size_t)st.st_size;
	p = NULL;
out:
	sx_mem_unref(p);
	fclose(f);
	return err;
}

static int set_add(struct bench_set *set, const char *path, const char *name)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		struct bench_msg *m =
		    sx_mem_realloc(set->msgs, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		set->msgs = m;
		set->cap = cap;
	}
	struct bench_msg *m = &set->msgs[set->n];
	int err = read_file(path, &m->p, &m->len);
	if (err) {
		fprintf(stderr, "bench_parse: %s: %s\n", path, strerror(-err));
		return err;
	}
	snprintf(m->name, sizeof(m->name), "%s", name);
	set->n++;
	return 0;
}

/* index.tsv columns: name file section class ... (header line first). */
static int load_rfc4475(struct bench_set *set, const char *shared_dir)
{
	char path[BENCH_PATH_MAX], line[BENCH_PATH_MAX];
	snprintf(path, sizeof(path), "%s/testdata/rfc4475/index.tsv",
	         shared_dir);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "bench_parse: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	int err = 0;
	bool header = true;
	while (!err && fgets(line, sizeof(line), f)) {
		char *save = NULL;
		char *name = strtok_r(line, "\t", &save);
		char *file = strtok_r(NULL, "\t", &save);
		char *section = strtok_r(NULL, "\t", &save);
		char *cls = strtok_r(NULL, "\t", &save);
		if (header || !name || !file || !section || !cls) {
			header = false;
			continue;
		}
		if (strcmp(cls, "valid"))
			continue;
		snprintf(path, sizeof(path), "%s/testdata/rfc4475/%s",
		         shared_dir, file);
		char label[64];
		snprintf(label, sizeof(label), "rfc4475/%s", name);
		err = set_add(set, path, label);
	}
	fclose(f);
	return err;
}

static int is_sip_file(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 4 && !strcmp(e->d_name + n - 4, ".sip");
}

static int load_dir(struct bench_set *set, const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, is_sip_file, alphasort);
	if (n < 0) {
		fprintf(stderr, "bench_parse: %s: %s\n", dir, strerror(errno));
		return -errno;
	}
	int err = 0;
	for (int i = 0; i < n; i++) {
		char path[BENCH_PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (!err)
			err = set_add(set, path, ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return err;
}

int bench_set_load(struct bench_set *set, const char *shared_dir,
                   const char *msgs_dir)
{
	int err = load_rfc4475(set, shared_dir);
	if (!err)
		err = load_dir(set, msgs_dir);
	return err;
}

void bench_set_remove(struct bench_set *set, size_t i)
{
	sx_mem_unref(set->msgs[i].p);
	memmove(&set->msgs[i], &set->msgs[i + 1],
	        (set->n - i - 1) * sizeof(set->msgs[0]));
	set->n--;
}

void bench_set_free(struct bench_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		sx_mem_unref(set->msgs[i].p);
	set->msgs = sx_mem_unref(set->msgs);
	set->n = set->cap = 0;
}
