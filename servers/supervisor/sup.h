/*
 * sipxsupervisor: the process supervisor (SIPXECS-REFERENCE 1.5, the
 * sipXpbx watchdog and sipXsupervisor; ARCHITECTURE.md 1 and 5).
 *
 * The library behind the sipxsupervisor binary: configuration and process
 * definitions (procdef.c), restart back-off arithmetic (backoff.c),
 * children and their health (proc.c), log files and alarms (logf.c), the
 * XML-RPC management API (api.c) and its client (client.c, used by
 * sipxctl).  Everything runs on one sx_ev loop; functions are for the loop
 * thread unless stated otherwise.  Errors are 0 or a negative errno.
 */
#ifndef SX_SUPERVISOR_SUP_H
#define SX_SUPERVISOR_SUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sx/port/sa.h>
#include <sx/port/tmr.h>
#include <sx/util/compiler.h>
#include <sx/util/conf.h>

/* -- limits and defaults -------------------------------------------------- */

/** Supervisor configuration looked up when none is given. */
#define SX_SUP_CONF_LOCAL  "./etc/supervisor.conf"
#define SX_SUP_CONF_SYSTEM "/etc/sipxecs/supervisor.conf"

/** Process definitions per supervisor. */
#define SX_SUP_PROC_MAX 32u
/** Arguments of one command (argv[0] included). */
#define SX_SUP_ARGV_MAX 64u
/** Bytes of one argument after ${VAR} expansion. */
#define SX_SUP_ARG_MAX 4096u
/** Bytes of a process name (alias). */
#define SX_SUP_NAME_MAX 64u
/** Services and dependencies listed per process. */
#define SX_SUP_LIST_MAX 16u

/** Restart back-off: the first failure restarts at once, later ones wait
 *  BASE << (n - 2), capped at MAX (nginx ngx_reap_children, made bounded). */
#define SX_SUP_BACKOFF_BASE_MS 250u
#define SX_SUP_BACKOFF_MAX_MS  16000u
/** A process up this long has its failure count reset. */
#define SX_SUP_STABLE_MS 10000u
/** Consecutive failures after which the supervisor gives up (Failed). */
#define SX_SUP_GIVEUP_FAILS 10u

/** Defaults of a process definition (all overridable per process; no
 *  suffix: they are stringified into the schema). */
#define SX_SUP_HEALTH_INTERVAL_MS_DEFAULT 5000
#define SX_SUP_HEALTH_TIMEOUT_MS_DEFAULT  2000
#define SX_SUP_HEALTH_FAILURES_DEFAULT    3
#define SX_SUP_START_TIMEOUT_MS_DEFAULT   30000
#define SX_SUP_STOP_TIMEOUT_MS_DEFAULT    5000
/** OPTIONS probe period while a process starts (it is Running once one
 *  is answered). */
#define SX_SUP_START_PROBE_MS 50u
/** Bounds of the millisecond keys. */
#define SX_SUP_MS_MIN 10u
#define SX_SUP_MS_MAX 3600000u

/** Log files: rotate NAME.log at this size, keep NAME.log.1 .. .KEEP. */
#define SX_SUP_LOG_MAX_BYTES (4u * 1024u * 1024u)
#define SX_SUP_LOG_KEEP      5u
/** Bytes read from a child's output per readiness event. */
#define SX_SUP_PIPE_CHUNK 16384u
/** Notification hooks running at once; more alarms skip the hook. */
#define SX_SUP_HOOKS_MAX 4u

/** Management API defaults. */
#define SX_SUP_API_BIND_DEFAULT    "127.0.0.1"
#define SX_SUP_API_PORT_DEFAULT    8092
#define SX_SUP_SECRET_FILE_DEFAULT "./var/supervisor.secret"
/** Random bytes of a new secret (written as hex). */
#define SX_SUP_SECRET_BYTES 24u
/** Longest secret accepted from the file. */
#define SX_SUP_SECRET_MAX 256u

/* -- configuration ----------------------------------------------------------
 */

/** One process definition (etc/process.d/NAME.conf, section [process]). */
struct sx_sup_procdef {
	char *name;     /**< alias used by the API and sipxctl */
	char *command;  /**< command line as written (${VAR} allowed) */
	char *services; /**< services it hosts, comma separated (info) */
	char *after;    /**< names started (and healthy) before it */
	char *health;   /**< "host:port" answering SIP OPTIONS, or NULL */
	uint32_t health_interval_ms;
	uint32_t health_timeout_ms;
	uint32_t health_failures;  /**< missed probes in a row = unhealthy */
	uint32_t start_timeout_ms; /**< Starting longer = failed */
	uint32_t stop_timeout_ms;  /**< SIGTERM, then SIGKILL after this */

	/* derived */
	char **argv;            /**< expanded command, NULL-terminated */
	struct sx_sa health_sa; /**< unset when no health check */
	char *src;              /**< file it came from (messages) */
};

/** The supervisor's own file (etc/supervisor.conf). */
struct sx_sup_cfg {
	/* [supervisor] */
	char *processes;     /**< process definition files, comma separated */
	char *log_dir;       /**< NAME.log and alarms.log */
	char *alarm_command; /**< run with the alarm text as argument */
	/* [api] */
	char *api_bind;
	uint32_t api_port; /**< 0 = API disabled */
	char *secret_file;
	char *store; /**< SQLite store for Registrar.bindings */

	char *path; /**< file it came from, NULL for defaults */
	struct sx_sup_procdef *procs; /**< sx_mem array of nprocs */
	size_t nprocs;
	struct sx_conf_section secs[2];
};

/**
 * Split and expand a command line: words separated by blanks, "double
 * quotes" keep blanks, a backslash escapes the next character, ${NAME}
 * is replaced by the environment variable NAME (unset = error).  No other
 * shell syntax.  On success *@argvp is one sx_mem block holding a
 * NULL-terminated vector and its strings.  Returns 0, -EINVAL (syntax,
 * unset variable, empty command; *@whyp says which), -E2BIG (more than
 * SX_SUP_ARGV_MAX words or a word over SX_SUP_ARG_MAX), -ENOMEM.
 */
int sx_sup_cmd_split(char ***argvp, const char *cmd, size_t len,
                     const char **whyp) SX_MUST_CHECK;

/**
 * Parse one process definition of @len bytes named @name into @def
 * (zeroed by the caller; free with sx_sup_procdef_fini()).  Returns 0,
 * -EINVAL with *@errp filled, -ENOMEM.
 */
int sx_sup_procdef_load_buf(struct sx_sup_procdef *def, const char *name,
                            const char *buf, size_t len,
                            struct sx_conf_err *errp) SX_MUST_CHECK;

/** Free what a process definition owns (NULL-safe); leaves it zeroed. */
void sx_sup_procdef_fini(struct sx_sup_procdef *def);

/**
 * Check a set of definitions: names unique and well-formed, every
 * "after" name known, no dependency cycle.  Returns 0 or -EINVAL with
 * *@errp filled.
 */
int sx_sup_procdefs_check(const struct sx_sup_procdef *defs, size_t n,
                          struct sx_conf_err *errp) SX_MUST_CHECK;

/**
 * Load the supervisor configuration from @path (NULL: SX_SUP_CONF_LOCAL,
 * then SX_SUP_CONF_SYSTEM, then built-in defaults with no process) and,
 * when @with_procs, every process definition it names.  Returns 0,
 * -EINVAL (*@errp names file and line), -ENOENT, -ENOMEM.
 */
int sx_sup_cfg_load(struct sx_sup_cfg **cfgp, const char *path, bool with_procs,
                    struct sx_conf_err *errp) SX_MUST_CHECK;

/** Free a configuration (NULL is a no-op). */
void sx_sup_cfg_free(struct sx_sup_cfg *cfg);

/** True when @list (comma separated) names @name. */
bool sx_sup_list_has(const char *list, const char *name, size_t nlen);

/* -- back-off ---------------------------------------------------------------
 */

/**
 * Consecutive failure count after a process that ran @uptime_ms died,
 * given the count @fails before it started: a stable run
 * (>= SX_SUP_STABLE_MS) starts counting afresh.
 */
unsigned sx_sup_backoff_fails(unsigned fails, uint64_t uptime_ms);

/** Delay before restarting after failure number @fails (1 = first):
 *  0 for the first, then BASE << (fails - 2) capped at MAX. */
uint64_t sx_sup_backoff_delay(unsigned fails);

/** True when @fails consecutive failures mean giving up. */
bool sx_sup_backoff_giveup(unsigned fails);

/* -- the supervisor -----------------------------------------------------------
 */

/** Process states, as reported by ProcMgmtRpc.getStateAll. */
enum sx_sup_state {
	SX_SUP_STOPPED,    /**< not running, not wanted */
	SX_SUP_WAITING,    /**< wanted; waits for its dependencies */
	SX_SUP_STARTING,   /**< spawned, not yet answering OPTIONS */
	SX_SUP_RUNNING,    /**< up (and healthy when checked) */
	SX_SUP_STOPPING,   /**< SIGTERM sent, waiting for the exit */
	SX_SUP_RESTARTING, /**< failed; restart after the back-off delay */
	SX_SUP_FAILED,     /**< gave up after SX_SUP_GIVEUP_FAILS failures */
};

/** "Running", "Stopped", ... */
const char *sx_sup_state_str(enum sx_sup_state st);

struct sx_sup;
struct sx_ev;

/** Options of sx_sup_alloc(). */
struct sx_sup_prm {
	const struct sx_sup_cfg *cfg; /**< borrowed; must outlive the sup */
	bool echo;                    /**< copy child output to stderr */
};

/**
 * Create the supervisor on @loop: open the log folder, handle SIGCHLD,
 * SIGTERM, SIGINT, SIGHUP through the loop.  Does not start anything.
 * Returns 0, -EINVAL, -ENOMEM or an errno of the system calls.
 */
int sx_sup_alloc(struct sx_sup **supp, struct sx_ev *loop,
                 const struct sx_sup_prm *prm) SX_MUST_CHECK;

/** Kill (SIGKILL) whatever still runs and free (NULL is a no-op). */
void sx_sup_free(struct sx_sup *sup);

/** Start every process in dependency order.  Returns 0 or -errno. */
int sx_sup_start_all(struct sx_sup *sup) SX_MUST_CHECK;

/**
 * Stop every process, dependents first (reverse start order): SIGTERM,
 * SIGKILL after its stop timeout; stop the loop when all have exited.
 * A second call sends SIGKILL to whatever still runs.
 */
void sx_sup_shutdown(struct sx_sup *sup);

/** Number of processes; their names and states by index. */
size_t sx_sup_count(const struct sx_sup *sup);
const char *sx_sup_name(const struct sx_sup *sup, size_t i);
enum sx_sup_state sx_sup_state(const struct sx_sup *sup, size_t i);

/** Actions of sx_sup_control(). */
enum sx_sup_action { SX_SUP_START, SX_SUP_STOP, SX_SUP_RESTART };

/**
 * Start, stop or restart the process @name (a manual action: the
 * failure count is reset).  Returns 0 or -ENOENT (no such process).
 */
int sx_sup_control(struct sx_sup *sup, const char *name,
                   enum sx_sup_action act) SX_MUST_CHECK;

/**
 * Record an alarm: a timestamped line in LOG_DIR/alarms.log, a log
 * message, and the notification hook when configured.  @id is e.g.
 * "PROCESS_FAILED".
 */
void sx_sup_alarm(struct sx_sup *sup, const char *id, const char *fmt, ...)
    SX_PRINTF(3, 4);

/* -- log files (logf.c) ------------------------------------------------------
 */

/** A size-rotated log file. */
struct sx_sup_logf {
	int fd;      /**< -1 when closed */
	size_t size; /**< bytes in the current file */
	char *path;  /**< sx_mem string */
};

/** Open (append) @dir/@name.log.  0 or -errno. */
int sx_sup_logf_open(struct sx_sup_logf *lf, const char *dir,
                     const char *name) SX_MUST_CHECK;

/** Append, rotating first when the file would pass SX_SUP_LOG_MAX_BYTES.
 *  0 or -errno. */
int sx_sup_logf_write(struct sx_sup_logf *lf, const void *p, size_t n);

/** Close and free the path (NULL-safe, idempotent). */
void sx_sup_logf_close(struct sx_sup_logf *lf);

/* -- management API (api.c) and client (client.c) -----------------------------
 */

struct sx_sup_api;

/**
 * Listen on the configured address and serve XML-RPC with HTTP Basic
 * authentication against the secret file (created 0600 with a random
 * secret when missing).  Returns 0, -EINVAL, -ENOMEM, or -errno.
 */
int sx_sup_api_alloc(struct sx_sup_api **apip, struct sx_sup *sup,
                     struct sx_ev *loop,
                     const struct sx_sup_cfg *cfg) SX_MUST_CHECK;

/** Close the listener and every connection (NULL is a no-op). */
void sx_sup_api_free(struct sx_sup_api *api);

/** TCP port the API listens on (for the banner). */
uint16_t sx_sup_api_port(const struct sx_sup_api *api);

/**
 * Read the secret from @path; when @create and the file is missing,
 * write a new random one with mode 0600 first.  @buf gets the secret
 * (NUL-terminated, trailing newline dropped).  Returns 0, -ENOENT,
 * -EINVAL (empty or too long), -EPERM (readable by others), -errno.
 */
int sx_sup_secret_read(const char *path, bool create, char *buf,
                       size_t size) SX_MUST_CHECK;

/** HTTP request limits of the API server. */
#define SX_SUP_API_HDR_MAX    8192u         /**< request line + headers */
#define SX_SUP_API_BODY_MAX   (64u * 1024u) /**< XML-RPC call */
#define SX_SUP_API_CONN_MAX   16u           /**< connections at once */
#define SX_SUP_API_TIMEOUT_MS 5000u         /**< whole request deadline */
/** Bindings returned by one Registrar.bindings call. */
#define SX_SUP_API_BINDINGS_MAX 10000u

/** Client limits. */
#define SX_SUP_CLIENT_RESP_MAX   (8u * 1024u * 1024u)
#define SX_SUP_CLIENT_TIMEOUT_MS 10000

#endif
