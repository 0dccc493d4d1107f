/*
 * sipxctl: manage users and inspect registrations from scripts
 * (ARCHITECTURE.md 5).  Credentials are stored as digest HA1 values only
 * (RFC 7616 3.4.2), computed with the configured realm.
 *
 *   sipxctl [-c FILE] user add NAME [--password PW]
 *   sipxctl [-c FILE] user import FILE.csv
 *   sipxctl [-c FILE] user list
 *   sipxctl [-c FILE] user del NAME
 *   sipxctl [-c FILE] reg list [--count]
 *   sipxctl [-c FILE] cdr list [--since T] [--format text|csv|json]
 *   sipxctl [-s FILE] status
 *   sipxctl [-s FILE] start|stop|restart NAME...
 *
 * user, reg and cdr work on the store directly (-c: the sipxecs
 * configuration); status, start, stop and restart ask the supervisor over
 * its XML-RPC API (-s: the supervisor configuration, for the API address
 * and the secret file).
 *
 * Exit codes: 0 done, 1 failed, 2 bad command line.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sx/util/log.h>

#include "builtin.h"
#include "ctl.h"
#include "sup.h"

/** Mode of a database folder sipxctl creates. */
#define VAR_DIR_MODE 0750

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: sipxctl [-c FILE] [-s FILE] COMMAND\n"
	        "  user add NAME [--password PW]  add a user (password read "
	        "from stdin\n"
	        "                                 when not given)\n"
	        "  user import FILE.csv           add or replace users from "
	        "name,password\n"
	        "                                 lines, all in one "
	        "transaction\n"
	        "  user list                      list users\n"
	        "  user del NAME                  delete a user\n"
	        "  reg list [--count]             current registrations\n"
	        "  cdr list [--since T] [--format text|csv|json]\n"
	        "                                 call detail records (T: unix "
	        "seconds\n"
	        "                                 or ISO 8601 UTC)\n"
	        "  status                         state of every process "
	        "(supervisor)\n"
	        "  start|stop|restart NAME...     control processes "
	        "(supervisor)\n"
	        "  -c FILE  configuration file (default %s, then %s)\n"
	        "  -s FILE  supervisor configuration, for the API address "
	        "and secret\n"
	        "           (default %s, then %s)\n"
	        "exit codes: 0 done, 1 failed, 2 bad command line\n",
	        SX_HOST_CONF_LOCAL, SX_HOST_CONF_SYSTEM, SX_SUP_CONF_LOCAL,
	        SX_SUP_CONF_SYSTEM);
}

int ctl_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("sipxctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CTL_FAIL;
}

int ctl_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("sipxctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	return CTL_USAGE;
}

static int store_open(struct ctl *c)
{
	struct sx_store_prm prm = {.path = c->cfg->store.path};
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", prm.path);
	char *d = dirname(dir);
	if (access(d, F_OK) != 0 && mkdir(d, VAR_DIR_MODE) != 0)
		return ctl_fail("cannot create %s: %s", d, strerror(errno));
	int err = sx_store_open(&c->store, &prm);
	if (err)
		return ctl_fail("cannot open the database %s: %s", prm.path,
		                strerror(-err));
	return CTL_OK;
}

static int run(struct ctl *c, int argc, char **argv)
{
	int rc = store_open(c);

	if (rc)
		return rc;
	if (!strcmp(argv[0], "user"))
		rc = ctl_user(c, argc - 1, argv + 1);
	else if (!strcmp(argv[0], "reg"))
		rc = ctl_reg(c, argc - 1, argv + 1);
	else
		rc = ctl_cdr(c, argc - 1, argv + 1);
	sx_store_close(c->store);
	return rc;
}

static bool is_proc_cmd(const char *cmd)
{
	return !strcmp(cmd, "status") || !strcmp(cmd, "start") ||
	       !strcmp(cmd, "stop") || !strcmp(cmd, "restart");
}

int main(int argc, char **argv)
{
	struct ctl c = {0};
	struct sx_host_cfg *cfg = NULL;
	struct sx_conf_err e;
	const char *path = NULL, *sup_path = NULL;
	size_t nsvcs;
	const struct sx_service_ops *const *svcs = sx_builtin_services(&nsvcs);
	int i = 1;

	if (argc > 1 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return CTL_OK;
	}
	while (i < argc && (!strcmp(argv[i], "-c") || !strcmp(argv[i], "-s"))) {
		if (i + 1 >= argc)
			return ctl_usage("%s needs a file", argv[i]);
		*(argv[i][1] == 'c' ? &path : &sup_path) = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		return ctl_usage("no command");
	if (is_proc_cmd(argv[i]))
		return ctl_proc(sup_path, argc - i, argv + i);
	if (strcmp(argv[i], "user") && strcmp(argv[i], "reg") &&
	    strcmp(argv[i], "cdr"))
		return ctl_usage("unknown command '%s'", argv[i]);
	sx_log_set_default(SX_LOG_LVL_WARN);
	if (sx_host_cfg_load(&cfg, path, svcs, nsvcs, &e)) {
		sx_host_conf_err_print(&e);
		return CTL_FAIL;
	}
	c.cfg = cfg;
	int rc = run(&c, argc - i, argv + i);
	sx_host_cfg_free(cfg);
	return rc;
}
