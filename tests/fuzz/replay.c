/*
 * Corpus replay driver: links a libFuzzer target (LLVMFuzzerTestOneInput)
 * into a plain executable that feeds it every file of the folders (or
 * files) named on the command line, so gcc/ASan builds and CTest replay
 * the corpus as a regression test.  Each input is placed against a
 * PROT_NONE guard page so that over-reads crash.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long nrun;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) || st.st_size < 0) {
		fclose(f);
		return -1;
	}
	size_t len = (size_t)st.st_size;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t npages = (len + pg - 1) / pg + 1;
	char *base = mmap(NULL, npages * pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		fclose(f);
		return -1;
	}
	char *guard = base + (npages - 1) * pg;
	char *p = guard - len;
	if (len && fread(p, 1, len, f) != len) {
		fclose(f);
		munmap(base, npages * pg);
		return -1;
	}
	fclose(f);
	mprotect(guard, pg, PROT_NONE);
	LLVMFuzzerTestOneInput((const uint8_t *)p, len);
	munmap(base, npages * pg);
	nrun++;
	return 0;
}

static int run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	struct dirent **ents;
	int n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return -1;
	}
	int err = 0;
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' && !err) {
			char sub[4096];
			snprintf(sub, sizeof(sub), "%s/%s", path,
				 ents[i]->d_name);
			err = run_path(sub);
		}
		free(ents[i]);
	}
	free(ents);
	return err;
}

int main(int argc, char **argv)
{
	int failed = 0;
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i]))
			failed = 1;
	printf("replayed %lu inputs\n", nrun);
	printf("%lu passed, %d failed\n", nrun, failed);
	return failed;
}
