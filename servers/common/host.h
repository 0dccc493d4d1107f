/*
 * sx_host: the host process of the SIP servers (ARCHITECTURE.md 1, 4;
 * STYLE.md 2.8, 2.9).  What a server binary (sipxecs) and the command
 * line tool (sipxctl) call; services only see <sx/server/service.h>.
 *
 * One configuration file holds [sip], [store], [log], [services] and one
 * section per built-in service (its schema is the service's ops->keys).
 * Unknown sections and keys are errors naming the file and line.
 */
#ifndef SX_SERVERS_HOST_H
#define SX_SERVERS_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/port/sa.h>
#include <sx/server/service.h>
#include <sx/util/compiler.h>
#include <sx/util/conf.h>
#include <sx/util/log.h>

/** Most listen addresses in [sip] bind. */
#define SX_HOST_MAX_BIND 4
/** Most services built into one binary. */
#define SX_HOST_MAX_SERVICES 12
/** Most worker threads ([sip] workers; 0 = one per core). */
#define SX_HOST_WORKERS_MAX 64
/** Most per-module entries in [log] modules. */
#define SX_HOST_MAX_LOG_MODULES 32
/** Longest domain or realm. */
#define SX_HOST_NAME_MAX 128
/** Default configuration files, tried in order when none is given. */
#define SX_HOST_CONF_LOCAL  "./etc/sipxecs.conf"
#define SX_HOST_CONF_SYSTEM "/etc/sipxecs/sipxecs.conf"
/** Default SQLite database. */
#define SX_HOST_STORE_PATH "./var/sipxecs.db"
/** Default group commit window, ms ([store] commit_interval_ms). */
#define SX_HOST_COMMIT_INTERVAL_MS 10
/** Name of the digest secret file, beside the database by default. */
#define SX_HOST_SECRET_NAME "auth.secret"

/** [sip]: listen addresses, identity, workers, timers. */
struct sx_host_sip_cfg {
	char *bind;          /**< listen addresses, comma separated */
	uint32_t port;       /**< UDP and TCP port (0 = any free one) */
	bool tcp;            /**< listen on TCP too */
	uint32_t tls_port;   /**< TLS port when tls_cert is set */
	char *tls_cert;      /**< PEM chain; enables TLS */
	char *tls_key;       /**< PEM key of tls_cert */
	char *tls_ca;        /**< PEM trust anchors (NULL = system) */
	char *domain;        /**< SIP domain (default: first bind address) */
	char *realm;         /**< digest realm (default: domain) */
	uint32_t workers;    /**< worker threads, 0 = one per core */
	uint32_t udp_rcvbuf; /**< SO_RCVBUF of the UDP sockets, bytes */
	uint32_t t1_ms, t2_ms, t4_ms; /**< RFC 3261 timers */
	char *auth_secret_file;       /**< digest nonce secret (default: beside
	                                   the database) */
	char *digest_algorithms;      /**< "md5", "sha-256" or both */
	unsigned digest_algs;         /**< derived: SX_SIP_AUTH_F_* */
};

/** [store] */
struct sx_host_store_cfg {
	char *path;                  /**< SQLite database file */
	unsigned commit_interval_ms; /**< group commit window */
};

/** [log] */
struct sx_host_log_cfg {
	char *level;   /**< err, warn, info, debug */
	char *modules; /**< "sip.tsx=debug, store=info" */
};

/** [services] */
struct sx_host_services_cfg {
	char *enable; /**< names, comma separated; NULL = all built-in */
};

/** One built-in service's configuration. */
struct sx_host_svc_cfg {
	const struct sx_service_ops *ops;
	void *cfg;     /**< its struct (ops->cfg_size bytes), filled */
	bool enabled;  /**< listed in [services] enable */
	uint16_t port; /**< ops->port(cfg), 0 = none */
};

/** A loaded configuration.  Read-only once loaded. */
struct sx_host_cfg {
	char *path; /**< file it came from, NULL for built-in defaults */
	struct sx_host_sip_cfg sip;
	struct sx_host_store_cfg store;
	struct sx_host_log_cfg log;
	struct sx_host_services_cfg services;

	/* derived by sx_host_cfg_load() */
	struct sx_sa bind[SX_HOST_MAX_BIND]; /**< ports 0 */
	size_t nbind;
	unsigned nworkers; /**< resolved worker count */
	enum sx_log_level log_level;
	char *secret_path; /**< resolved auth_secret_file */

	struct sx_host_svc_cfg svc[SX_HOST_MAX_SERVICES];
	size_t nsvc;

	struct sx_conf_section secs[4 + SX_HOST_MAX_SERVICES];
	size_t nsecs;
	struct sx_host_cfg *prev; /**< older generation kept alive (reload) */
};

/**
 * Load @path (NULL: SX_HOST_CONF_LOCAL, then SX_HOST_CONF_SYSTEM, then
 * built-in defaults) with the schemas of the @nsvcs built-in services
 * @svcs, and derive the defaults that depend on other keys.  On error
 * *@errp names the file and line (0 when the error is not tied to one).
 * Returns 0, -EINVAL (bad file: see *@errp), -ENOENT (@path missing),
 * -ENOMEM, -E2BIG (too many services).
 */
int sx_host_cfg_load(struct sx_host_cfg **cfgp, const char *path,
                     const struct sx_service_ops *const *svcs, size_t nsvcs,
                     struct sx_conf_err *errp) SX_MUST_CHECK;

/** Free a configuration and its older generations (NULL is a no-op). */
void sx_host_cfg_free(struct sx_host_cfg *cfg);

/**
 * Compare @cfg with the running generation @old (same services) and log
 * a warning for each boot-only key that differs: those apply only at the
 * next start.  Returns how many differ.
 */
size_t sx_host_cfg_boot_changes(const struct sx_host_cfg *old,
                                const struct sx_host_cfg *cfg);

/** Apply [log] level and modules (process-wide).  0 or -ENOMEM. */
int sx_host_cfg_apply_log(const struct sx_host_cfg *cfg);

/** Print "file:line: message" (or "file: message") for @err to stderr. */
void sx_host_conf_err_print(const struct sx_conf_err *err);

/**
 * The whole server: load the configuration, open the store and the
 * digest engine, start the enabled services and the workers, print the
 * banner, serve until SIGTERM/SIGINT (SIGHUP reloads), then shut down
 * cleanly.  Command line: [-c FILE] [--check-config] [-h] [--version].
 * Returns the process exit code: 0 (clean stop, or config OK), 1 (bad
 * configuration or start-up failure), 2 (usage).
 */
int sx_host_main(int argc, char **argv, const char *prog,
                 const struct sx_service_ops *const *svcs, size_t nsvcs);

#endif
