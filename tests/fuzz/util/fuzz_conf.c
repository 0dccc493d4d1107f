/*
 * Fuzz target: the configuration parser with a small schema.
 */
#include <stddef.h>
#include <stdint.h>

#include <sx/util/conf.h>
#include <sx/util/mem.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cfg {
	char *s;
	uint32_t n;
	bool b;
};

static const struct sx_conf_key keys[] = {
	{"s", SX_CONF_STR, offsetof(struct cfg, s), "x", 0, 0, false, ""},
	{"n", SX_CONF_U32, offsetof(struct cfg, n), "1", 0, 100, false, ""},
	{"b", SX_CONF_BOOL, offsetof(struct cfg, b), "no", 0, 0, false, ""},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg a = {0}, b = {0};
	struct sx_conf_section secs[] = {
		{"a", keys, 3, &a, false},
		{"b", keys, 3, &b, false},
	};
	struct sx_conf_err e;
	if (!sx_conf_defaults(secs, 2, &e) &&
	    sx_conf_load_buf("fuzz", (const char *)data, size, secs, 2, &e))
		e.line = 0; /* errors are expected; only crashes matter */
	sx_conf_free(secs, 2);
	return 0;
}
