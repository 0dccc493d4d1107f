/*
 * sipxctl internals: the state shared by the command implementations.
 */
#ifndef SX_SIPXCTL_CTL_H
#define SX_SIPXCTL_CTL_H

#include <sx/store/store.h>

#include "host.h"

/** Exit codes. */
#define CTL_OK    0 /**< done */
#define CTL_FAIL  1 /**< the operation failed (message on stderr) */
#define CTL_USAGE 2 /**< bad command line */

/** What every command gets. */
struct ctl {
	const struct sx_host_cfg *cfg; /**< loaded configuration */
	struct sx_store *store;        /**< open store */
};

/** `user add|import|list|del ...`: @argv[0] is the sub-command. */
int ctl_user(struct ctl *c, int argc, char **argv);
/** `reg list [--count]`. */
int ctl_reg(struct ctl *c, int argc, char **argv);

/** `cdr list ...`: Call Detail Records. */
int ctl_cdr(struct ctl *c, int argc, char **argv);

/**
 * `status | start NAME... | stop NAME... | restart NAME...`: process
 * control over the supervisor's XML-RPC API, configured by the
 * supervisor file @sup_conf (NULL: its default lookup).  @argv[0] is the
 * command.
 */
int ctl_proc(const char *sup_conf, int argc, char **argv);

/** Print "sipxctl: <msg>" on stderr; returns CTL_FAIL. */
int ctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Print a usage error and the usage text; returns CTL_USAGE. */
int ctl_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
