/*
 * sipxctl status | start | stop | restart: process control through the
 * supervisor's XML-RPC API (ProcMgmtRpc, SIPXECS-REFERENCE 1.5), unlike
 * the user/reg/cdr commands, which work on the store directly.  The API
 * address and the secret file come from the supervisor configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "ctl.h"

/** Bytes of an error message from the client. */
#define MSG_MAX 512

static int call(const struct sx_sup_cfg *cfg, const char *method,
                xmlrpc_value *params, xmlrpc_value **resp)
{
	char msg[MSG_MAX];

	int err =
	    sx_sup_client_call(cfg, method, params, resp, msg, sizeof(msg));
	return err ? ctl_fail("%s", msg) : CTL_OK;
}

static int print_states(xmlrpc_env *env, xmlrpc_value *st)
{
	int n = xmlrpc_struct_size(env, st);

	for (int i = 0; !env->fault_occurred && i < n; i++) {
		xmlrpc_value *k = NULL, *v = NULL;
		const char *ks = NULL, *vs = NULL;
		xmlrpc_struct_read_member(env, st, (unsigned)i, &k, &v);
		if (!env->fault_occurred)
			xmlrpc_read_string(env, k, &ks);
		if (!env->fault_occurred)
			xmlrpc_read_string(env, v, &vs);
		if (!env->fault_occurred)
			printf("%s\t%s\n", ks, vs);
		free((void *)ks);
		free((void *)vs);
		if (k)
			xmlrpc_DECREF(k);
		if (v)
			xmlrpc_DECREF(v);
	}
	return env->fault_occurred
	           ? ctl_fail("bad answer: %s", env->fault_string)
	           : CTL_OK;
}

static int status(const struct sx_sup_cfg *cfg)
{
	xmlrpc_env env;
	xmlrpc_value *params, *res = NULL;

	xmlrpc_env_init(&env);
	params = xmlrpc_array_new(&env);
	int rc = env.fault_occurred
	             ? ctl_fail("out of memory")
	             : call(cfg, "ProcMgmtRpc.getStateAll", params, &res);
	if (rc == CTL_OK)
		rc = print_states(&env, res);
	if (res)
		xmlrpc_DECREF(res);
	if (params)
		xmlrpc_DECREF(params);
	xmlrpc_env_clean(&env);
	return rc;
}

/* start|stop|restart NAME...: one call with the array of names. */
static int control(const struct sx_sup_cfg *cfg, const char *verb, int argc,
                   char **argv)
{
	char method[64];
	xmlrpc_env env;
	xmlrpc_value *names, *params = NULL, *res = NULL;
	int rc = CTL_OK;

	snprintf(method, sizeof(method), "ProcMgmtRpc.%s", verb);
	xmlrpc_env_init(&env);
	names = xmlrpc_array_new(&env);
	for (int i = 0; !env.fault_occurred && i < argc; i++) {
		xmlrpc_value *s = xmlrpc_string_new(&env, argv[i]);
		if (!env.fault_occurred) {
			xmlrpc_array_append_item(&env, names, s);
			xmlrpc_DECREF(s);
		}
	}
	if (!env.fault_occurred)
		params = xmlrpc_build_value(&env, "(A)", names);
	if (env.fault_occurred)
		rc = ctl_fail("out of memory");
	if (rc == CTL_OK)
		rc = call(cfg, method, params, &res);
	if (rc == CTL_OK)
		for (int i = 0; i < argc; i++)
			printf("%s: %s requested\n", argv[i], verb);
	if (res)
		xmlrpc_DECREF(res);
	if (params)
		xmlrpc_DECREF(params);
	if (names)
		xmlrpc_DECREF(names);
	xmlrpc_env_clean(&env);
	return rc;
}

int ctl_proc(const char *sup_conf, int argc, char **argv)
{
	struct sx_sup_cfg *cfg = NULL;
	struct sx_conf_err e = {0};
	int rc;

	if (!strcmp(argv[0], "status") && argc != 1)
		return ctl_usage("status takes no argument");
	if (strcmp(argv[0], "status") && argc < 2)
		return ctl_usage("%s NAME...", argv[0]);
	int err = sx_sup_cfg_load(&cfg, sup_conf, false, &e);
	if (err)
		return e.msg[0] ? ctl_fail("%s:%u: %s", e.file, e.line, e.msg)
		                : ctl_fail("%s", strerror(-err));
	if (!cfg->api_port)
		rc = ctl_fail("the supervisor API is disabled ([api] port = 0 "
		              "in %s)",
		              cfg->path ? cfg->path : "the defaults");
	else if (!strcmp(argv[0], "status"))
		rc = status(cfg);
	else
		rc = control(cfg, argv[0], argc - 1, argv + 1);
	sx_sup_cfg_free(cfg);
	return rc;
}
