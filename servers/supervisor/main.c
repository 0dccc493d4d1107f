/*
 * sipxsupervisor: starts, watches and restarts the PBX processes and
 * serves the XML-RPC management API (SIPXECS-REFERENCE 1.5, the sipXpbx
 * watchdog and sipXsupervisor; ARCHITECTURE.md 1 and 5).
 *
 *   sipxsupervisor [-c FILE] [-q] [--check-config]
 *
 * Runs in the foreground; SIGTERM or Ctrl-C stops every child and exits,
 * SIGHUP is forwarded to the children.  Exit codes: 0 stopped cleanly,
 * 1 failed, 2 bad command line.
 */
#define SX_LOG_MOD "sup"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/util/log.h>

#include "sup.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: sipxsupervisor [-c FILE] [-q] [--check-config]\n"
	        "  -c FILE         configuration (default %s, then %s)\n"
	        "  -q              do not echo the children's output\n"
	        "  --check-config  load the configuration and the process\n"
	        "                  definitions, report errors, exit\n"
	        "exit codes: 0 stopped cleanly, 1 failed, 2 bad command line\n",
	        SX_SUP_CONF_LOCAL, SX_SUP_CONF_SYSTEM);
}

struct opts {
	const char *conf;
	bool quiet;
	bool check;
};

static int parse_args(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			o->conf = argv[++i];
		else if (!strcmp(argv[i], "-q"))
			o->quiet = true;
		else if (!strcmp(argv[i], "--check-config"))
			o->check = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 1;
		} else {
			fprintf(stderr, "sipxsupervisor: bad argument '%s'\n",
			        argv[i]);
			usage(stderr);
			return 2;
		}
	}
	return 0;
}

static void banner(const struct sx_sup_cfg *cfg, struct sx_sup_api *api)
{
	char addr[SX_SA_STRLEN];

	fprintf(stderr, "sipxsupervisor %ld: %zu process%s from %s\n",
	        (long)getpid(), cfg->nprocs, cfg->nprocs == 1 ? "" : "es",
	        cfg->path ? cfg->path : "built-in defaults");
	for (size_t i = 0; i < cfg->nprocs; i++) {
		const struct sx_sup_procdef *d = &cfg->procs[i];
		fprintf(stderr, "  %s:", d->name);
		for (char **a = d->argv; *a; a++)
			fprintf(stderr, " %s", *a);
		if (sx_sa_isset(&d->health_sa) &&
		    sx_sa_print(&d->health_sa, addr, sizeof(addr)) > 0)
			fprintf(stderr, " (OPTIONS to %s)", addr);
		fputc('\n', stderr);
	}
	fprintf(stderr, "  logs and alarms in %s\n", cfg->log_dir);
	if (api)
		fprintf(stderr,
		        "  management API http://%s:%u/RPC2 (Basic auth, "
		        "password in %s)\n"
		        "  process status: sipxctl%s%s status\n",
		        cfg->api_bind, sx_sup_api_port(api), cfg->secret_file,
		        cfg->path ? " -s " : "", cfg->path ? cfg->path : "");
	fprintf(stderr, "  stop everything with Ctrl-C (SIGTERM); SIGHUP "
	                "reloads the children\n");
}

static int run(const struct sx_sup_cfg *cfg, bool quiet)
{
	struct sx_ev *loop = NULL;
	struct sx_sup *sup = NULL;
	struct sx_sup_api *api = NULL;
	struct sx_sup_prm prm = {.cfg = cfg, .echo = !quiet};

	int err = sx_ev_alloc(&loop, NULL);
	if (!err)
		err = sx_sup_alloc(&sup, loop, &prm);
	if (!err && cfg->api_port)
		err = sx_sup_api_alloc(&api, sup, loop, cfg);
	if (!err) {
		banner(cfg, api);
		err = sx_sup_start_all(sup);
	}
	if (!err)
		err = sx_ev_run(loop);
	if (err)
		fprintf(stderr, "sipxsupervisor: %s\n", strerror(-err));
	else
		SX_LOG_INFO("all processes stopped");
	sx_sup_api_free(api);
	sx_sup_free(sup);
	sx_ev_free(loop);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct sx_sup_cfg *cfg = NULL;
	struct sx_conf_err e = {0};

	sx_log_set_default(SX_LOG_LVL_INFO);
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	int err = sx_sup_cfg_load(&cfg, o.conf, true, &e);
	if (err) {
		if (e.msg[0])
			fprintf(stderr, "sipxsupervisor: %s%s%.0u: %s\n",
			        e.file, e.line ? ":" : "", e.line, e.msg);
		else
			fprintf(stderr, "sipxsupervisor: %s\n", strerror(-err));
		return 1;
	}
	if (o.check) {
		printf("%s: ok, %zu processes\n",
		       cfg->path ? cfg->path : "defaults", cfg->nprocs);
		sx_sup_cfg_free(cfg);
		return 0;
	}
	rc = run(cfg, o.quiet);
	sx_sup_cfg_free(cfg);
	return rc;
}
