/*
 * Process definitions of the supervisor (procdef.c): the [process]
 * section, the command splitter (quotes, escapes, ${VAR}, limits), the
 * health address, and the checks across definitions (unique names,
 * known dependencies, no cycle).  Hostile inputs must fail cleanly.
 */
#include <stdlib.h>

#include "ut.h"

#include "sup.h"

/* An expected error; an injected -ENOMEM ends the case (OOM mode). */
#define EXPECT_ERR(want, expr)                                                 \
	do {                                                                   \
		int r_ = (expr);                                               \
		if (r_ == -ENOMEM && ut_oom_mode()) {                          \
			err = r_;                                              \
			goto out;                                              \
		}                                                              \
		UT_EQ(want, r_);                                               \
	} while (0)

static int load(struct sx_sup_procdef *d, const char *text,
                struct sx_conf_err *e)
{
	return sx_sup_procdef_load_buf(d, "test.conf", text, strlen(text), e);
}

static int test_full_definition(void)
{
	int err = 0;
	struct sx_sup_procdef d = {0};
	struct sx_conf_err e = {0};

	UT_OK(setenv("SX_TEST_BIN", "/opt/sx bin", 1));
	UT_OK(load(&d,
	           "[process]\n"
	           "name = sipxecs\n"
	           "command = ${SX_TEST_BIN}/sipxecs -c \"a b.conf\" x\\ y\n"
	           "services = registrar, proxy\n"
	           "after = db\n"
	           "health = 127.0.0.1:5060\n"
	           "health_interval_ms = 200\n"
	           "health_timeout_ms = 100\n"
	           "health_failures = 2\n"
	           "stop_timeout_ms = 3000\n",
	           &e));
	UT_TRUE(!strcmp(d.name, "sipxecs"));
	UT_TRUE(!strcmp(d.argv[0], "/opt/sx bin/sipxecs"));
	UT_TRUE(!strcmp(d.argv[1], "-c"));
	UT_TRUE(!strcmp(d.argv[2], "a b.conf"));
	UT_TRUE(!strcmp(d.argv[3], "x y"));
	UT_TRUE(d.argv[4] == NULL);
	UT_EQ(5060, sx_sa_port(&d.health_sa));
	UT_EQ(200, d.health_interval_ms);
	UT_EQ(100, d.health_timeout_ms);
	UT_EQ(2, d.health_failures);
	UT_EQ(SX_SUP_START_TIMEOUT_MS_DEFAULT, d.start_timeout_ms);
	UT_EQ(3000, d.stop_timeout_ms);
	UT_TRUE(sx_sup_list_has(d.services, "proxy", 5));
	UT_TRUE(!sx_sup_list_has(d.services, "prox", 4));
out:
	sx_sup_procdef_fini(&d);
	unsetenv("SX_TEST_BIN");
	return err;
}

static int test_defaults_no_health(void)
{
	int err = 0;
	struct sx_sup_procdef d = {0};
	struct sx_conf_err e = {0};

	UT_OK(load(&d, "[process]\nname = a\ncommand = /bin/true\n", &e));
	UT_TRUE(!sx_sa_isset(&d.health_sa));
	UT_EQ(SX_SUP_HEALTH_INTERVAL_MS_DEFAULT, d.health_interval_ms);
	UT_EQ(SX_SUP_HEALTH_FAILURES_DEFAULT, d.health_failures);
out:
	sx_sup_procdef_fini(&d);
	return err;
}

/* Every entry must be refused with -EINVAL and nothing leaked. */
static int test_bad_definitions(void)
{
	static const char *const bad[] = {
	    "",
	    "[process]\ncommand = /bin/true\n",
	    "[process]\nname = a\n",
	    "[process]\nname = a b\ncommand = x\n",
	    "[process]\nname = a/b\ncommand = x\n",
	    "[process]\nname = a\ncommand = \"x\n",
	    "[process]\nname = a\ncommand = x\\\n",
	    "[process]\nname = a\ncommand = ${SX_TEST_UNSET_VAR}\n",
	    "[process]\nname = a\ncommand = ${}\n",
	    "[process]\nname = a\ncommand = $HOME\n",
	    "[process]\nname = a\ncommand = ${A-B}\n",
	    "[process]\nname = a\ncommand = ${HOME\n",
	    "[process]\nname = a\ncommand = \"\"\"\n",
	    "[process]\nname = a\ncommand = x\nhealth = nohost\n",
	    "[process]\nname = a\ncommand = x\nhealth = 127.0.0.1\n",
	    "[process]\nname = a\ncommand = x\nhealth = 0.0.0.0:5060\n",
	    "[process]\nname = a\ncommand = x\nhealth_interval_ms = 1\n",
	    "[process]\nname = a\ncommand = x\nbogus = 1\n",
	    "[other]\nname = a\n",
	};
	int err = 0;

	unsetenv("SX_TEST_UNSET_VAR");
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		struct sx_sup_procdef d = {0};
		struct sx_conf_err e = {0};
		int r = load(&d, bad[i], &e);
		if (r == -ENOMEM)
			continue;
		if (r != -EINVAL) {
			err = ut__fail(__FILE__, __LINE__,
			               "case %zu: expected -EINVAL, got %d", i,
			               r);
			sx_sup_procdef_fini(&d);
			goto out;
		}
		UT_TRUE(e.msg[0] != '\0');
		UT_TRUE(d.argv == NULL && d.name == NULL);
	}
out:
	return err;
}

static int test_split_limits(void)
{
	int err = 0;
	char **argv = NULL;
	const char *why = NULL;
	char big[SX_SUP_ARG_MAX + 2];
	char many[SX_SUP_ARGV_MAX * 2 + 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	int r = sx_sup_cmd_split(&argv, big, strlen(big), &why);
	UT_TRUE(r == -E2BIG || r == -ENOMEM);
	for (size_t i = 0; i < SX_SUP_ARGV_MAX; i++) {
		many[2 * i] = 'x';
		many[2 * i + 1] = ' ';
	}
	many[2 * SX_SUP_ARGV_MAX] = '\0';
	r = sx_sup_cmd_split(&argv, many, strlen(many), &why);
	UT_TRUE(r == -E2BIG || r == -ENOMEM);
	/* one fewer fits (argv[] keeps room for the NULL) */
	many[2 * (SX_SUP_ARGV_MAX - 1)] = '\0';
	UT_OK(sx_sup_cmd_split(&argv, many, strlen(many), &why));
	UT_TRUE(argv[SX_SUP_ARGV_MAX - 2] && !argv[SX_SUP_ARGV_MAX - 1]);
	argv = sx_mem_unref(argv);
	UT_EQ(-EINVAL, sx_sup_cmd_split(&argv, "  \t ", 4, &why));
	UT_TRUE(why != NULL);
	/* length-bounded: bytes after @len are never read */
	UT_OK(sx_sup_cmd_split(&argv, "ab cd", 2, &why));
	UT_TRUE(!strcmp(argv[0], "ab") && !argv[1]);
	argv = sx_mem_unref(argv);
	EXPECT_ERR(-EINVAL, sx_sup_cmd_split(&argv, "a\0b", 3, &why));
	UT_EQ(-EINVAL, sx_sup_cmd_split(NULL, "a", 1, &why));
out:
	sx_mem_unref(argv);
	return err;
}

static int test_set_checks(void)
{
	int err = 0;
	struct sx_sup_procdef d[3] = {{0}};
	struct sx_conf_err e = {0};

	UT_OK(load(&d[0], "[process]\nname = a\ncommand = x\n", &e));
	UT_OK(load(&d[1], "[process]\nname = b\ncommand = x\nafter = a\n", &e));
	UT_OK(load(&d[2], "[process]\nname = c\ncommand = x\nafter = a, b\n",
	           &e));
	UT_OK(sx_sup_procdefs_check(d, 3, &e));
	/* unknown dependency */
	sx_sup_procdef_fini(&d[2]);
	UT_OK(
	    load(&d[2], "[process]\nname = c\ncommand = x\nafter = zz\n", &e));
	EXPECT_ERR(-EINVAL, sx_sup_procdefs_check(d, 3, &e));
	/* cycle a -> c -> b -> a */
	sx_sup_procdef_fini(&d[0]);
	sx_sup_procdef_fini(&d[2]);
	UT_OK(load(&d[0], "[process]\nname = a\ncommand = x\nafter = c\n", &e));
	UT_OK(load(&d[2], "[process]\nname = c\ncommand = x\nafter = b\n", &e));
	EXPECT_ERR(-EINVAL, sx_sup_procdefs_check(d, 3, &e));
	UT_TRUE(strstr(e.msg, "cycle") != NULL);
	/* duplicate names */
	sx_sup_procdef_fini(&d[2]);
	UT_OK(load(&d[2], "[process]\nname = b\ncommand = x\n", &e));
	EXPECT_ERR(-EINVAL, sx_sup_procdefs_check(d, 3, &e));
out:
	for (size_t i = 0; i < 3; i++)
		sx_sup_procdef_fini(&d[i]);
	return err;
}

UT_MAIN(UT_C(test_full_definition), UT_C(test_defaults_no_health),
        UT_C(test_bad_definitions), UT_C(test_split_limits),
        UT_C(test_set_checks))
