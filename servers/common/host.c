/*
 * The host process (ARCHITECTURE.md 1, 4; STYLE.md 2.8, 2.9): command
 * line, start-up (store, digest engine, TLS context, services, workers),
 * the banner, signals on the main loop (SIGTERM/SIGINT stop, SIGHUP
 * reloads the reloadable keys, SIGPIPE ignored) and the clean shutdown
 * that frees everything.  SIP itself (RFC 3261) lives in the workers.
 */
#define SX_LOG_MOD "host"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sx/sip/auth.h>
#include <sx/sip/tp_tls.h>
#include <sx/store/store.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "host_int.h"

#ifndef SX_VERSION
#define SX_VERSION "0.0.0"
#endif
/** Exit codes of sx_host_main(). */
#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2
/** Mode of a database folder the host creates. */
#define VAR_DIR_MODE 0750

/** Everything sx_host_main() owns besides the host. */
struct host_run {
	struct sx_host host;
	const struct sx_service_ops *const *svcs; /**< built-in services */
	size_t nsvcs;
	struct sx_host_cfg *latest; /**< newest generation (owns the chain) */
	const char *prog;
};

/* -- service.h accessors --------------------------------------------------
 */

struct sx_store *sx_host_store(struct sx_host *h)
{
	return h ? h->store : NULL;
}

const char *sx_host_domain(const struct sx_host *h)
{
	return h ? h->cfg->sip.domain : NULL;
}

const char *sx_host_realm(const struct sx_host *h)
{
	return h ? h->cfg->sip.realm : NULL;
}

const uint8_t *sx_host_auth_secret(const struct sx_host *h, size_t *lenp)
{
	*lenp = h ? h->auth_secret_len : 0;
	return *lenp ? h->auth_secret : NULL;
}

unsigned sx_host_digest_algs(const struct sx_host *h)
{
	return h ? h->cfg->sip.digest_algs : 0;
}

void *sx_host_service(struct sx_host *h, const char *name)
{
	for (size_t i = 0; h && name && i < h->nsvc; i++)
		if (h->svc[i].started && !strcmp(h->svc[i].ops->name, name))
			return h->svc[i].svc;
	return NULL;
}

/* -- reload ---------------------------------------------------------------
 */

static void reload_services(struct sx_host *h, const struct sx_host_cfg *cfg)
{
	for (size_t i = 0; i < h->nsvc; i++) {
		const struct sx_service_ops *ops = h->svc[i].ops;
		for (size_t j = 0; ops->reload && j < cfg->nsvc; j++) {
			if (cfg->svc[j].ops != ops)
				continue;
			int err = ops->reload(h->svc[i].svc, cfg->svc[j].cfg);
			if (err)
				SX_LOG_ERR("reload of %s failed: %s", ops->name,
				           strerror(-err));
		}
	}
}

/* SIGHUP: load the file again; apply reloadable keys, warn about the
 * others.  Each generation stays alive until exit (services may keep
 * pointers into the config they were given). */
static void reload(struct host_run *r)
{
	struct sx_host *h = &r->host;
	struct sx_host_cfg *cfg = NULL;
	struct sx_conf_err e;
	int err =
	    sx_host_cfg_load(&cfg, r->latest->path, r->svcs, r->nsvcs, &e);

	if (err) {
		char line[16] = "";
		if (e.line)
			snprintf(line, sizeof(line), ":%u", e.line);
		SX_LOG_ERR("reload: %s%s: %s (keeping the running "
		           "configuration)",
		           e.file, line, e.msg);
		return;
	}
	sx_host_cfg_boot_changes(r->latest, cfg);
	if (sx_host_cfg_apply_log(cfg))
		SX_LOG_ERR("reload: out of memory for log levels");
	reload_services(h, cfg);
	cfg->prev = r->latest;
	r->latest = cfg;
	SX_LOG_INFO("configuration reloaded from %s",
	            cfg->path ? cfg->path : "(defaults)");
}

static void on_signal(int signo, void *arg)
{
	struct host_run *r = arg;

	if (signo == SIGHUP) {
		reload(r);
		return;
	}
	SX_LOG_INFO("%s: shutting down", strsignal(signo));
	sx_ev_stop(r->host.loop);
}

/* -- start-up -------------------------------------------------------------
 */

static int signals_add(struct host_run *r)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	int err = 0;

	signal(SIGPIPE, SIG_IGN); /* TLS writes with write(): tp_tls.h */
	for (size_t i = 0; i < SX_ARRAY_SIZE(sigs) && !err; i++)
		err = sx_ev_signal_add(r->host.loop, sigs[i], on_signal, r);
	return err;
}

/* Create the database's folder when it is missing (one level). */
static void make_db_dir(const char *path)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", path);
	char *d = dirname(dir);
	if (access(d, F_OK) != 0 && mkdir(d, VAR_DIR_MODE) != 0)
		SX_LOG_WARN("cannot create %s: %s", d, strerror(errno));
}

static int store_open(struct sx_host *h)
{
	struct sx_store_prm prm = {
	    .path = h->cfg->store.path,
	    .commit_interval_us = h->cfg->store.commit_interval_ms * 1000u,
	};

	make_db_dir(prm.path);
	int err = sx_store_open(&h->store, &prm);
	if (err)
		SX_LOG_ERR("cannot open the database %s: %s", prm.path,
		           strerror(-err));
	return err;
}

static int tls_open(struct sx_host *h)
{
	const struct sx_host_sip_cfg *sc = &h->cfg->sip;
	struct sx_sip_tls_prm prm = {
	    .cert_file = sc->tls_cert,
	    .key_file = sc->tls_key,
	    .ca_file = sc->tls_ca,
	};

	if (!sc->tls_cert)
		return 0;
	h->tls_port = (uint16_t)sc->tls_port;
	int err = sx_sip_tls_alloc(&h->tls, &prm);
	if (err)
		SX_LOG_ERR("TLS: cannot load %s / %s: %s", sc->tls_cert,
		           sc->tls_key, strerror(-err));
	return err;
}

/* The front service takes the main port: proxy, else registrar, else the
 * first one enabled. */
static void pick_front(struct sx_host *h)
{
	static const char *const prefer[] = {"proxy", "registrar"};

	for (size_t p = 0; p < SX_ARRAY_SIZE(prefer) && !h->front; p++)
		for (size_t i = 0; i < h->nsvc; i++)
			if (!strcmp(h->svc[i].ops->name, prefer[p]))
				h->front = &h->svc[i];
	if (!h->front && h->nsvc)
		h->front = &h->svc[0];
}

static int services_start(struct sx_host *h)
{
	const struct sx_host_cfg *cfg = h->cfg;

	for (size_t i = 0; i < cfg->nsvc; i++) {
		if (!cfg->svc[i].enabled)
			continue;
		struct sx_host_svc *s = &h->svc[h->nsvc++];
		s->ops = cfg->svc[i].ops;
		s->port = cfg->svc[i].port;
		int err = s->ops->start(&s->svc, h, cfg->svc[i].cfg);
		if (err) {
			SX_LOG_ERR("service %s did not start: %s", s->ops->name,
			           strerror(-err));
			return err;
		}
		s->started = true;
	}
	pick_front(h);
	sx_host__dispatch_init(h);
	return 0;
}

static void print_listen(const struct sx_host *h, const char *what,
                         const char *protos, uint16_t port)
{
	char addr[SX_SA_STRLEN];

	for (size_t b = 0; b < h->cfg->nbind; b++) {
		struct sx_sa sa = h->cfg->bind[b];
		sx_sa_set_port(&sa, port);
		if (sx_sa_print(&sa, addr, sizeof(addr)) < 0)
			continue;
		fprintf(stderr, "  %-10s %-9s %s\n", what, protos, addr);
	}
}

/* Path of sipxctl beside our own binary, for the banner's hint. */
static void ctl_path(char *buf, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		snprintf(buf, size, "sipxctl");
		return;
	}
	self[n] = '\0';
	const char *dir = dirname(self);
	/* shorter when run from the checkout: build/release/bin/sipxctl */
	char cwd[PATH_MAX];
	size_t clen = getcwd(cwd, sizeof(cwd)) ? strlen(cwd) : 0;
	if (clen > 1 && !strncmp(dir, cwd, clen) && dir[clen] == '/')
		dir += clen + 1;
	snprintf(buf, size, "%s/sipxctl", dir);
}

static void banner(const struct host_run *r)
{
	const struct sx_host *h = &r->host;
	const struct sx_host_cfg *cfg = h->cfg;
	const char *main_protos = cfg->sip.tcp ? "udp+tcp" : "udp";
	char ctl[PATH_MAX + 16];

	fprintf(stderr, "%s %s: %u worker%s, config %s\n", r->prog, SX_VERSION,
	        h->nworkers, h->nworkers == 1 ? "" : "s",
	        cfg->path ? cfg->path : "(built-in defaults)");
	print_listen(h, h->front ? h->front->ops->name : "host", main_protos,
	             h->port);
	if (h->tls)
		print_listen(h, h->front ? h->front->ops->name : "host", "tls",
		             h->tls_port);
	for (size_t i = 0; i < h->nsvc; i++)
		if (h->svc[i].port)
			print_listen(h, h->svc[i].ops->name, main_protos,
			             h->svc[i].port);
	if (!h->nsvc)
		fprintf(stderr, "  no service enabled: only OPTIONS is "
		                "answered\n");
	fprintf(stderr, "  domain %s, realm %s\n", cfg->sip.domain,
	        cfg->sip.realm);
	fprintf(stderr, "  database %s\n", cfg->store.path);
	ctl_path(ctl, sizeof(ctl));
	fprintf(stderr,
	        "  add a user: %s%s%s user add alice --password "
	        "secret\n",
	        ctl, cfg->path ? " -c " : "", cfg->path ? cfg->path : "");
	fprintf(stderr,
	        "  stop with Ctrl-C (SIGTERM), reload with "
	        "kill -HUP %ld\n",
	        (long)getpid());
}

static int host_start(struct host_run *r)
{
	struct sx_host *h = &r->host;
	int err = sx_ev_alloc(&h->loop, NULL);

	if (!err)
		err = signals_add(r);
	if (!err)
		err = store_open(h);
	if (!err)
		err = sx_host__auth_open(h);
	if (!err)
		err = tls_open(h);
	if (!err)
		err = services_start(h);
	h->port = (uint16_t)h->cfg->sip.port;
	if (!err)
		err = sx_host__workers_alloc(h);
	if (!err)
		err = sx_host__workers_start(h);
	return err;
}

/* Stop in the order that keeps every callback's object alive: workers,
 * pending store completions, services, store, transports, loops. */
static void host_stop(struct sx_host *h)
{
	atomic_store(&h->stopping, true);
	sx_host__workers_join(h);
	if (h->store)
		sx_store_flush(h->store);
	sx_host__workers_drain(h);
	for (size_t i = h->nsvc; i-- > 0;)
		if (h->svc[i].started)
			h->svc[i].ops->stop(h->svc[i].svc);
	sx_store_close(h->store);
	h->store = NULL;
	sx_host__workers_drain(h);
	sx_host__workers_free(h);
	explicit_bzero(h->auth_secret, sizeof(h->auth_secret));
	h->tls = sx_mem_unref(h->tls);
	sx_ev_free(h->loop);
	h->loop = NULL;
}

static int serve(struct host_run *r)
{
	struct sx_host *h = &r->host;
	int err;

	pthread_mutex_init(&h->mtx, NULL);
	pthread_cond_init(&h->cond, NULL);
	err = host_start(r);
	if (!err) {
		banner(r);
		err = sx_ev_run(h->loop);
	}
	host_stop(h);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->mtx);
	return err;
}

/* -- command line ---------------------------------------------------------
 */

static void usage(const char *prog, FILE *f)
{
	fprintf(f,
	        "usage: %s [-c FILE] [--check-config]\n"
	        "  -c, --config FILE   configuration file (default %s,\n"
	        "                      then %s, else built-in defaults)\n"
	        "  -t, --check-config  validate the configuration and exit\n"
	        "  -h, --help          this text\n"
	        "  -V, --version       print the version\n",
	        prog, SX_HOST_CONF_LOCAL, SX_HOST_CONF_SYSTEM);
}

int sx_host_main(int argc, char **argv, const char *prog,
                 const struct sx_service_ops *const *svcs, size_t nsvcs)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check-config", no_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct host_run r = {.svcs = svcs, .nsvcs = nsvcs, .prog = prog};
	const char *path = NULL;
	bool check = false;
	struct sx_conf_err e;
	int c;

	while ((c = getopt_long(argc, argv, "c:thV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'h':
			usage(prog, stdout);
			return EXIT_OK;
		case 'V':
			printf("%s %s\n", prog, SX_VERSION);
			return EXIT_OK;
		default:
			usage(prog, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(prog, stderr);
		return EXIT_USAGE;
	}
	if (sx_host_cfg_load(&r.latest, path, svcs, nsvcs, &e)) {
		sx_host_conf_err_print(&e);
		return EXIT_FAIL;
	}
	r.host.cfg = r.latest;
	int err = sx_host_cfg_apply_log(r.latest);
	if (check && !err)
		printf("%s: configuration OK\n",
		       r.latest->path ? r.latest->path : "(built-in defaults)");
	else if (!err)
		err = serve(&r);
	sx_host_cfg_free(r.latest);
	return err ? EXIT_FAIL : EXIT_OK;
}
