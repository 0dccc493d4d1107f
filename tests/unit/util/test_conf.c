/*
 * Tests for the configuration parser: schema defaults, values, and every
 * error naming its line.
 */
#include <stddef.h>

#include <sx/util/conf.h>

#include "ut.h"

struct reg_cfg {
	char *bind;
	uint32_t max_bindings;
	bool gruu;
	char *realm;
};

static const struct sx_conf_key reg_keys[] = {
	{"bind", SX_CONF_STR, offsetof(struct reg_cfg, bind),
	 "127.0.0.1:5070", 0, 0, false, "listen address"},
	{"max_bindings", SX_CONF_U32, offsetof(struct reg_cfg, max_bindings),
	 "10", 1, 1000, true, "bindings per AOR"},
	{"gruu", SX_CONF_BOOL, offsetof(struct reg_cfg, gruu), "no", 0, 0,
	 false, "issue GRUUs"},
	{"realm", SX_CONF_STR, offsetof(struct reg_cfg, realm), NULL, 0, 0,
	 true, "digest realm"},
};

static int load(const char *text, struct reg_cfg *cfg,
		struct sx_conf_err *e)
{
	struct sx_conf_section secs[] = {
		{"registrar", reg_keys, SX_ARRAY_SIZE(reg_keys), cfg, false},
	};
	int err = sx_conf_defaults(secs, 1, e);
	if (!err)
		err = sx_conf_load_buf("test.conf", text, strlen(text), secs,
				       1, e);
	return err;
}

static void cfg_free(struct reg_cfg *cfg)
{
	struct sx_conf_section secs[] = {
		{"registrar", reg_keys, SX_ARRAY_SIZE(reg_keys), cfg, false},
	};
	sx_conf_free(secs, 1);
}

static int test_conf_values(void)
{
	int err = 0;
	struct reg_cfg cfg = {0};
	struct sx_conf_err e;
	UT_OK(load("# sipxecs\n"
		   "[registrar]\n"
		   "  max_bindings = 20   # per AOR\n"
		   "gruu=yes\n"
		   "realm = \"example #1 ; x\" ; comment\n",
		   &cfg, &e));
	UT_STR_EQ("127.0.0.1:5070", cfg.bind);
	UT_EQ(20, cfg.max_bindings);
	UT_TRUE(cfg.gruu);
	UT_STR_EQ("example #1 ; x", cfg.realm);
out:
	cfg_free(&cfg);
	return err;
}

static int test_conf_errors(void)
{
	int err = 0;
	static const struct {
		const char *text;
		unsigned line;
		const char *msg;
	} t[] = {
		{"[registrar]\nbogus = 1\n", 2, "unknown key 'bogus' in [registrar]"},
		{"[proxy]\n", 1, "unknown section [proxy]"},
		{"max_bindings = 1\n", 1, "key 'max_bindings' outside a [section]"},
		{"[registrar]\nmax_bindings = 0\n", 2, "max_bindings: value out of range"},
		{"[registrar]\nmax_bindings = 99999999999\n", 2, "max_bindings: value out of range"},
		{"[registrar]\nmax_bindings = x\n", 2, "max_bindings: not a number"},
		{"[registrar]\ngruu = maybe\n", 2, "gruu: not a boolean (yes/no)"},
		{"[registrar]\ngruu = no\ngruu = yes\n", 3, "duplicate key 'gruu'"},
		{"[registrar\n", 1, "section header without ']'"},
		{"[registrar]\nrealm = \"open\n", 2, "unterminated quote"},
		{"[registrar]\njust words\n", 2, "expected 'key = value'"},
	};
	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		struct reg_cfg cfg = {0};
		struct sx_conf_err e = {0};
		int rc = load(t[i].text, &cfg, &e);
		cfg_free(&cfg);
		if (rc == -ENOMEM) {
			err = rc;
			goto out;
		}
		UT_EQ(-EINVAL, rc);
		UT_EQ(t[i].line, e.line);
		UT_STR_EQ(t[i].msg, e.msg);
		UT_STR_EQ("test.conf", e.file);
	}
out:
	return err;
}

static int test_conf_file_missing(void)
{
	int err = 0;
	struct reg_cfg cfg = {0};
	struct sx_conf_err e = {0};
	struct sx_conf_section secs[] = {
		{"registrar", reg_keys, SX_ARRAY_SIZE(reg_keys), &cfg, false},
	};
	UT_EQ(-ENOENT, sx_conf_load_file("/nonexistent/sipxecs.conf", secs, 1,
					 &e));
	UT_TRUE(strstr(e.msg, "cannot open") != NULL);
out:
	return err;
}

UT_MAIN(UT_C(test_conf_values), UT_C(test_conf_errors),
	UT_C(test_conf_file_missing))
