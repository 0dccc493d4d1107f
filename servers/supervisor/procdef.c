/*
 * Supervisor configuration and process definitions (SIPXECS-REFERENCE
 * 1.5: the watchdog's process.d/NAME.process.xml and sipXsupervisor's
 * sipXecs-process definitions), in our INI format (STYLE.md 2.8):
 *
 *	etc/supervisor.conf        [supervisor] processes, log_dir, ...
 *	                           [api] bind, port, secret_file, store
 *	etc/process.d/NAME.conf    [process] name, command, services,
 *	                           after, health, timers
 *
 * The command is split into words here (no shell), with ${VAR} taken
 * from the environment, so one definition serves any build folder.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sx/util/buf.h>
#include <sx/util/mem.h>

#include "sup.h"

#define NUM_(x) #x
#define NUM(x)  NUM_(x)

/** Longest ${VAR} name. */
#define VAR_NAME_MAX 128u

#define PD(f) offsetof(struct sx_sup_procdef, f)
static const struct sx_conf_key procdef_keys[] = {
    {"name", SX_CONF_STR, PD(name), NULL, 0, 0, false,
     "alias of the process (API, sipxctl, log file NAME.log)"},
    {"command", SX_CONF_STR, PD(command), NULL, 0, 0, false,
     "program and arguments; \"quotes\", \\ escapes and ${ENV} only"},
    {"services", SX_CONF_STR, PD(services), NULL, 0, 0, false,
     "services the process hosts, comma separated (information)"},
    {"after", SX_CONF_STR, PD(after), NULL, 0, 0, false,
     "processes started and healthy before this one, comma separated"},
    {"health", SX_CONF_STR, PD(health), NULL, 0, 0, false,
     "host:port answering SIP OPTIONS (empty: only watch the pid)"},
    {"health_interval_ms", SX_CONF_U32, PD(health_interval_ms),
     NUM(SX_SUP_HEALTH_INTERVAL_MS_DEFAULT), SX_SUP_MS_MIN, SX_SUP_MS_MAX,
     false, "OPTIONS probe period while running"},
    {"health_timeout_ms", SX_CONF_U32, PD(health_timeout_ms),
     NUM(SX_SUP_HEALTH_TIMEOUT_MS_DEFAULT), SX_SUP_MS_MIN, SX_SUP_MS_MAX, false,
     "a probe not answered within this is missed"},
    {"health_failures", SX_CONF_U32, PD(health_failures),
     NUM(SX_SUP_HEALTH_FAILURES_DEFAULT), 1, 100, false,
     "missed probes in a row that make the process unhealthy"},
    {"start_timeout_ms", SX_CONF_U32, PD(start_timeout_ms),
     NUM(SX_SUP_START_TIMEOUT_MS_DEFAULT), SX_SUP_MS_MIN, SX_SUP_MS_MAX, false,
     "longest time from spawn to the first answered OPTIONS"},
    {"stop_timeout_ms", SX_CONF_U32, PD(stop_timeout_ms),
     NUM(SX_SUP_STOP_TIMEOUT_MS_DEFAULT), SX_SUP_MS_MIN, SX_SUP_MS_MAX, false,
     "wait after SIGTERM before SIGKILL"},
};

#define SC(f) offsetof(struct sx_sup_cfg, f)
static const struct sx_conf_key sup_keys[] = {
    {"processes", SX_CONF_STR, SC(processes), NULL, 0, 0, false,
     "process definition files, comma separated (relative to this "
     "file's folder)"},
    {"log_dir", SX_CONF_STR, SC(log_dir), "./var/log", 0, 0, false,
     "folder of NAME.log (children's output) and alarms.log"},
    {"alarm_command", SX_CONF_STR, SC(alarm_command), NULL, 0, 0, false,
     "program run with the alarm text as its argument (e.g. mail)"},
};
static const struct sx_conf_key api_keys[] = {
    {"bind", SX_CONF_STR, SC(api_bind), SX_SUP_API_BIND_DEFAULT, 0, 0, false,
     "address of the XML-RPC management API"},
    {"port", SX_CONF_U32, SC(api_port), NUM(SX_SUP_API_PORT_DEFAULT), 0, 65535,
     false, "TCP port of the API (0: no API)"},
    {"secret_file", SX_CONF_STR, SC(secret_file), SX_SUP_SECRET_FILE_DEFAULT, 0,
     0, false, "shared secret (HTTP Basic password), created 0600"},
    {"store", SX_CONF_STR, SC(store), "./var/sipxecs.db", 0, 0, false,
     "SQLite store read by Registrar.bindings"},
};

static int fail(struct sx_conf_err *e, const char *file, unsigned line,
                const char *fmt, ...) SX_PRINTF(4, 5);

static int fail(struct sx_conf_err *e, const char *file, unsigned line,
                const char *fmt, ...)
{
	va_list ap;

	if (e) {
		snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
		e->line = line;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* -- command splitting ------------------------------------------------------
 */

struct split {
	const char *s, *end;
	struct sx_buf words; /**< words, each NUL-terminated */
	size_t nwords;
	size_t wlen; /**< length of the current word */
	const char *why;
};

static int put_char(struct split *sp, char c)
{
	if (++sp->wlen > SX_SUP_ARG_MAX) {
		sp->why = "argument too long";
		return -E2BIG;
	}
	sx_buf_put(&sp->words, &c, 1);
	return sx_buf_err(&sp->words);
}

/* ${NAME} at sp->s (just past '$'): copy the variable's value. */
static int put_var(struct split *sp)
{
	char name[VAR_NAME_MAX + 1];
	size_t n = 0;

	if (sp->s >= sp->end || *sp->s != '{') {
		sp->why = "'$' must start ${NAME}";
		return -EINVAL;
	}
	sp->s++;
	while (sp->s < sp->end && *sp->s != '}') {
		char c = *sp->s++;
		if (!(isalnum((unsigned char)c) || c == '_') ||
		    n == VAR_NAME_MAX) {
			sp->why = "bad ${NAME}";
			return -EINVAL;
		}
		name[n++] = c;
	}
	if (sp->s >= sp->end || n == 0) {
		sp->why = "unterminated or empty ${NAME}";
		return -EINVAL;
	}
	sp->s++;
	name[n] = '\0';
	const char *v = getenv(name);
	if (!v) {
		sp->why = "${NAME} names an unset environment variable";
		return -EINVAL;
	}
	for (; *v; v++) {
		int err = put_char(sp, *v);
		if (err)
			return err;
	}
	return 0;
}

/* One word starting at a non-blank character. */
static int split_word(struct split *sp)
{
	bool quoted = false;
	int err = 0;

	sp->wlen = 0;
	if (++sp->nwords >= SX_SUP_ARGV_MAX) {
		sp->why = "too many arguments";
		return -E2BIG;
	}
	while (!err && sp->s < sp->end) {
		char c = *sp->s;
		if (!quoted && (c == ' ' || c == '\t'))
			break;
		sp->s++;
		if (c == '"')
			quoted = !quoted;
		else if (c == '$')
			err = put_var(sp);
		else if (c == '\\') {
			if (sp->s >= sp->end) {
				sp->why = "trailing backslash";
				return -EINVAL;
			}
			err = put_char(sp, *sp->s++);
		} else if (c == '\0' || c == '\n' || c == '\r') {
			sp->why = "control character";
			return -EINVAL;
		} else
			err = put_char(sp, c);
	}
	if (!err && quoted) {
		sp->why = "unterminated quote";
		return -EINVAL;
	}
	if (!err)
		err = put_char(sp, '\0');
	return err;
}

/* Build the argv block: pointers first, then the words. */
static int split_finish(struct split *sp, char ***argvp)
{
	size_t vec = (sp->nwords + 1) * sizeof(char *);
	char **argv = sx_mem_alloc(vec + sp->words.len, NULL);

	if (!argv)
		return -ENOMEM;
	char *w = (char *)argv + vec;
	memcpy(w, sp->words.p, sp->words.len);
	for (size_t i = 0; i < sp->nwords; i++) {
		argv[i] = w;
		w += strlen(w) + 1;
	}
	argv[sp->nwords] = NULL;
	*argvp = argv;
	return 0;
}

int sx_sup_cmd_split(char ***argvp, const char *cmd, size_t len,
                     const char **whyp)
{
	struct split sp = {.s = cmd, .end = cmd + len};
	int err = 0;

	if (!argvp || (!cmd && len))
		return -EINVAL;
	sx_buf_init(&sp.words, 0);
	while (!err && sp.s < sp.end) {
		if (*sp.s == ' ' || *sp.s == '\t')
			sp.s++;
		else
			err = split_word(&sp);
	}
	if (!err && sp.nwords == 0) {
		sp.why = "empty command";
		err = -EINVAL;
	}
	if (!err)
		err = split_finish(&sp, argvp);
	if (err && whyp)
		*whyp = err == -ENOMEM ? "out of memory" : sp.why;
	sx_buf_fini(&sp.words);
	return err;
}

/* -- lists ------------------------------------------------------------------
 */

/* Next comma-separated item of *sp (trimmed); false at the end. */
static bool list_next(const char **sp, struct sx_sl *item)
{
	const char *s = *sp;

	while (s && *s) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		*item = sx_sl_trim(sx_sl_make(s, n));
		s = c ? c + 1 : s + n;
		*sp = s;
		if (item->len)
			return true;
	}
	return false;
}

bool sx_sup_list_has(const char *list, const char *name, size_t nlen)
{
	struct sx_sl it;

	while (list_next(&list, &it))
		if (sx_sl_eq(it, sx_sl_make(name, nlen)))
			return true;
	return false;
}

/* -- process definitions -------------------------------------------------- */

static void procdef_section(struct sx_conf_section *sec,
                            struct sx_sup_procdef *def)
{
	*sec = (struct sx_conf_section){
	    .name = "process",
	    .keys = procdef_keys,
	    .nkeys = SX_ARRAY_SIZE(procdef_keys),
	    .target = def,
	};
}

void sx_sup_procdef_fini(struct sx_sup_procdef *def)
{
	struct sx_conf_section sec;

	if (!def)
		return;
	procdef_section(&sec, def);
	sx_conf_free(&sec, 1);
	sx_mem_unref(def->argv);
	sx_mem_unref(def->src);
	memset(def, 0, sizeof(*def));
}

static bool name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > SX_SUP_NAME_MAX)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && !strchr("_.-", *n))
			return false;
	return true;
}

/* "host:port" after ${VAR} expansion (one word), e.g. ${SX_SIP_HEALTH}. */
static int procdef_health(struct sx_sup_procdef *def, const char *src,
                          struct sx_conf_err *errp)
{
	const char *why = "expands to more than one word";
	char **words = NULL;

	sx_sa_init(&def->health_sa);
	if (!def->health || !*def->health)
		return 0;
	int err =
	    sx_sup_cmd_split(&words, def->health, strlen(def->health), &why);
	if (err == -ENOMEM)
		return err;
	if (!err && words[1])
		err = -EINVAL;
	if (!err && (sx_sa_parse(&def->health_sa, sx_sl_cstr(words[0])) ||
	             sx_sa_port(&def->health_sa) == 0 ||
	             sx_sa_is_any(&def->health_sa))) {
		why = "want an IP literal and a port, e.g. 127.0.0.1:5060";
		err = -EINVAL;
	}
	if (err) {
		sx_sa_init(&def->health_sa);
		err = fail(errp, src, 0, "health '%s': %s", def->health, why);
	}
	sx_mem_unref(words);
	return err;
}

/* Check required keys and derive argv and the health address. */
static int procdef_derive(struct sx_sup_procdef *def, const char *src,
                          bool present, struct sx_conf_err *errp)
{
	const char *why = NULL;

	if (!present)
		return fail(errp, src, 0, "no [process] section");
	if (!def->name || !name_ok(def->name))
		return fail(errp, src, 0,
		            "name: missing, or not 1-%u of A-Z a-z 0-9 _ . -",
		            SX_SUP_NAME_MAX);
	if (!def->command)
		return fail(errp, src, 0, "command: missing");
	int err = sx_sup_cmd_split(&def->argv, def->command,
	                           strlen(def->command), &why);
	if (err == -ENOMEM)
		return err;
	if (err)
		return fail(errp, src, 0, "command: %s", why);
	err = procdef_health(def, src, errp);
	if (err)
		return err;
	def->src = sx_mem_strndup(src, strlen(src));
	return def->src ? 0 : -ENOMEM;
}

static int procdef_load(struct sx_sup_procdef *def, const char *name,
                        const char *buf, size_t len, struct sx_conf_err *errp)
{
	struct sx_conf_section sec;

	procdef_section(&sec, def);
	int err = sx_conf_defaults(&sec, 1, errp);
	if (!err)
		err = buf ? sx_conf_load_buf(name, buf, len, &sec, 1, errp)
		          : sx_conf_load_file(name, &sec, 1, errp);
	if (!err)
		err = procdef_derive(def, name, sec.present, errp);
	if (err)
		sx_sup_procdef_fini(def);
	return err;
}

int sx_sup_procdef_load_buf(struct sx_sup_procdef *def, const char *name,
                            const char *buf, size_t len,
                            struct sx_conf_err *errp)
{
	if (!def || !name || (!buf && len))
		return -EINVAL;
	return procdef_load(def, name, buf ? buf : "", len, errp);
}

static ssize_t def_index(const struct sx_sup_procdef *defs, size_t n,
                         struct sx_sl name)
{
	for (size_t i = 0; i < n; i++)
		if (sx_sl_eq_cstr(name, defs[i].name))
			return (ssize_t)i;
	return -1;
}

/* Depth-first search for a cycle through @i; @mark 1 = on the path. */
static bool has_cycle(const struct sx_sup_procdef *defs, size_t n, size_t i,
                      unsigned char *mark)
{
	const char *l = defs[i].after;
	struct sx_sl it;
	bool cyc = false;

	if (mark[i] == 1)
		return true;
	if (mark[i] == 2)
		return false;
	mark[i] = 1;
	while (!cyc && list_next(&l, &it))
		cyc = has_cycle(defs, n, (size_t)def_index(defs, n, it), mark);
	mark[i] = 2;
	return cyc;
}

static int check_deps(const struct sx_sup_procdef *defs, size_t n,
                      struct sx_conf_err *errp)
{
	unsigned char mark[SX_SUP_PROC_MAX] = {0};

	for (size_t i = 0; i < n; i++) {
		const char *l = defs[i].after;
		struct sx_sl it;
		size_t k = 0;
		while (list_next(&l, &it)) {
			if (++k > SX_SUP_LIST_MAX)
				return fail(errp, defs[i].src, 0,
				            "after: more than %u names",
				            SX_SUP_LIST_MAX);
			if (def_index(defs, n, it) < 0)
				return fail(errp, defs[i].src, 0,
				            "after: no process named '%.*s'",
				            SX_SL_FMT(it));
		}
	}
	for (size_t i = 0; i < n; i++)
		if (has_cycle(defs, n, i, mark))
			return fail(errp, defs[i].src, 0,
			            "after: dependency cycle through '%s'",
			            defs[i].name);
	return 0;
}

int sx_sup_procdefs_check(const struct sx_sup_procdef *defs, size_t n,
                          struct sx_conf_err *errp)
{
	if (n > SX_SUP_PROC_MAX)
		return fail(errp, "", 0, "more than %u processes",
		            SX_SUP_PROC_MAX);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(defs[i].name, defs[j].name))
				return fail(errp, defs[i].src, 0,
				            "name '%s' also used by %s",
				            defs[i].name, defs[j].src);
	return check_deps(defs, n, errp);
}

/* -- the supervisor's file --------------------------------------------------
 */

static void cfg_sections(struct sx_sup_cfg *cfg)
{
	cfg->secs[0] = (struct sx_conf_section){
	    .name = "supervisor",
	    .keys = sup_keys,
	    .nkeys = SX_ARRAY_SIZE(sup_keys),
	    .target = cfg,
	};
	cfg->secs[1] = (struct sx_conf_section){
	    .name = "api",
	    .keys = api_keys,
	    .nkeys = SX_ARRAY_SIZE(api_keys),
	    .target = cfg,
	};
}

static void cfg_destroy(void *obj)
{
	struct sx_sup_cfg *cfg = obj;

	for (size_t i = 0; i < cfg->nprocs; i++)
		sx_sup_procdef_fini(&cfg->procs[i]);
	sx_mem_unref(cfg->procs);
	sx_conf_free(cfg->secs, SX_ARRAY_SIZE(cfg->secs));
	sx_mem_unref(cfg->path);
}

void sx_sup_cfg_free(struct sx_sup_cfg *cfg)
{
	sx_mem_unref(cfg);
}

/* A relative definition path is taken from the configuration's folder. */
static int proc_path(char *buf, size_t size, const char *conf, struct sx_sl it)
{
	const char *slash = conf ? strrchr(conf, '/') : NULL;
	int dlen = slash && it.p[0] != '/' ? (int)(slash - conf) + 1 : 0;
	int n = snprintf(buf, size, "%.*s%.*s", dlen, conf, SX_SL_FMT(it));

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int load_procs(struct sx_sup_cfg *cfg, struct sx_conf_err *errp)
{
	const char *l = cfg->processes;
	struct sx_sl it;
	char path[SX_SUP_ARG_MAX];

	cfg->procs = sx_mem_zalloc(SX_SUP_PROC_MAX * sizeof(*cfg->procs), NULL);
	if (!cfg->procs)
		return -ENOMEM;
	while (list_next(&l, &it)) {
		if (cfg->nprocs == SX_SUP_PROC_MAX)
			return fail(errp, cfg->path, 0,
			            "processes: more than %u", SX_SUP_PROC_MAX);
		if (proc_path(path, sizeof(path), cfg->path, it))
			return fail(errp, cfg->path, 0,
			            "processes: path too long");
		int err =
		    procdef_load(&cfg->procs[cfg->nprocs], path, NULL, 0, errp);
		if (err)
			return err;
		cfg->nprocs++;
	}
	return sx_sup_procdefs_check(cfg->procs, cfg->nprocs, errp);
}

static const char *default_path(void)
{
	if (access(SX_SUP_CONF_LOCAL, F_OK) == 0)
		return SX_SUP_CONF_LOCAL;
	if (access(SX_SUP_CONF_SYSTEM, F_OK) == 0)
		return SX_SUP_CONF_SYSTEM;
	return NULL;
}

int sx_sup_cfg_load(struct sx_sup_cfg **cfgp, const char *path, bool with_procs,
                    struct sx_conf_err *errp)
{
	struct sx_sup_cfg *cfg;
	int err;

	if (!cfgp)
		return -EINVAL;
	cfg = sx_mem_zalloc(sizeof(*cfg), cfg_destroy);
	if (!cfg)
		return -ENOMEM;
	cfg_sections(cfg);
	if (!path)
		path = default_path();
	err = sx_conf_defaults(cfg->secs, SX_ARRAY_SIZE(cfg->secs), errp);
	if (!err && path) {
		cfg->path = sx_mem_strndup(path, strlen(path));
		err = cfg->path
		          ? sx_conf_load_file(path, cfg->secs,
		                              SX_ARRAY_SIZE(cfg->secs), errp)
		          : -ENOMEM;
	}
	if (!err && with_procs)
		err = load_procs(cfg, errp);
	if (err) {
		sx_mem_unref(cfg);
		return err;
	}
	*cfgp = cfg;
	return 0;
}
