/*
 * Unit tests of the host configuration (servers/common/config.c,
 * STYLE.md 2.8): defaults and derived values, list parsing, errors tied
 * to file and line, service sections and ports, boot-only changes.
 * Runs under --oom: every allocation failing in turn must give -ENOMEM
 * with nothing leaked.
 */
#include <stdlib.h>
#include <unistd.h>

#include "host.h"
#include "ut.h"

struct dummy_cfg {
	uint32_t port;
	uint32_t level;
	char *name;
};

static const struct sx_conf_key dummy_keys[] = {
    {"port", SX_CONF_U32, offsetof(struct dummy_cfg, port), "0", 0, 65535,
     false, "own port"},
    {"level", SX_CONF_U32, offsetof(struct dummy_cfg, level), "1", 0, 9, true,
     "reloadable"},
    {"name", SX_CONF_STR, offsetof(struct dummy_cfg, name), "d", 0, 0, false,
     "a string"},
};

static uint16_t dummy_port(const void *cfg)
{
	return (uint16_t)((const struct dummy_cfg *)cfg)->port;
}

static int dummy_start(void **svcp, struct sx_host *h, const void *cfg)
{
	(void)svcp;
	(void)h;
	(void)cfg;
	return 0;
}

static void dummy_request(void *svc, struct sx_worker *w,
                          struct sx_sip_tsx *stsx, const struct sx_sip_msg *msg,
                          const struct sx_sip_peer *peer)
{
	(void)svc;
	(void)w;
	(void)stsx;
	(void)msg;
	(void)peer;
}

static void dummy_stop(void *svc)
{
	(void)svc;
}

#define DUMMY(n)                                                               \
	{                                                                      \
		.name = n, .keys = dummy_keys,                                 \
		.nkeys = SX_ARRAY_SIZE(dummy_keys),                            \
		.cfg_size = sizeof(struct dummy_cfg), .start = dummy_start,    \
		.request = dummy_request, .stop = dummy_stop,                  \
		.port = dummy_port,                                            \
	}

static const struct sx_service_ops svc_a = DUMMY("alpha");
static const struct sx_service_ops svc_b = DUMMY("beta");
static const struct sx_service_ops *const svcs[] = {&svc_a, &svc_b};

/* Write @text to a new temporary file; its path goes to @path. */
static int put_file(char *path, size_t size, const char *text)
{
	snprintf(path, size, "/tmp/sx-host-cfg-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	int err = write(fd, text, len) == (ssize_t)len ? 0 : -EIO;
	close(fd);
	return err;
}

static int load(struct sx_host_cfg **cfgp, const char *text,
                struct sx_conf_err *e)
{
	char path[64];
	int err = put_file(path, sizeof(path), text);

	if (!err)
		err =
		    sx_host_cfg_load(cfgp, path, svcs, SX_ARRAY_SIZE(svcs), e);
	unlink(path);
	return err;
}

static int test_cfg_defaults(void)
{
	int err = 0;
	struct sx_host_cfg *cfg = NULL;
	struct sx_conf_err e;

	UT_OK(load(&cfg, "# nothing\n", &e));
	UT_STR_EQ("127.0.0.1", cfg->sip.domain);
	UT_STR_EQ("127.0.0.1", cfg->sip.realm);
	UT_EQ(5060, cfg->sip.port);
	UT_TRUE(cfg->sip.tcp);
	UT_EQ(1, cfg->nbind);
	UT_TRUE(cfg->nworkers >= 1 && cfg->nworkers <= SX_HOST_WORKERS_MAX);
	UT_EQ(4194304, cfg->sip.udp_rcvbuf);
	UT_STR_EQ("./var/sipxecs.db", cfg->store.path);
	UT_STR_EQ("./var/auth.secret", cfg->secret_path);
	UT_EQ(SX_LOG_LVL_INFO, cfg->log_level);
	UT_EQ(2, cfg->nsvc);
	UT_TRUE(cfg->svc[0].enabled && cfg->svc[1].enabled);
	UT_EQ(0, cfg->svc[0].port);
out:
	sx_host_cfg_free(cfg);
	return err;
}

static int test_cfg_values(void)
{
	int err = 0;
	struct sx_host_cfg *cfg = NULL;
	struct sx_conf_err e;

	UT_OK(load(&cfg,
	           "[sip]\n"
	           "bind = 127.0.0.1, [::1]\n"
	           "port = 5080\n"
	           "domain = example.com\n"
	           "workers = 3\n"
	           "[store]\n"
	           "path = /srv/pbx/db.sqlite\n"
	           "[log]\n"
	           "level = debug\n"
	           "modules = sip.tsx=warn, store=err\n"
	           "[services]\n"
	           "enable = beta\n"
	           "[beta]\n"
	           "port = 5090\n",
	           &e));
	UT_EQ(2, cfg->nbind);
	UT_EQ(AF_INET6, sx_sa_af(&cfg->bind[1]));
	UT_STR_EQ("example.com", cfg->sip.realm);
	UT_EQ(3, cfg->nworkers);
	UT_STR_EQ("/srv/pbx/auth.secret", cfg->secret_path);
	UT_EQ(SX_LOG_LVL_DBG, cfg->log_level);
	UT_TRUE(!cfg->svc[0].enabled && cfg->svc[1].enabled);
	UT_EQ(5090, cfg->svc[1].port);
out:
	sx_host_cfg_free(cfg);
	return err;
}

static int test_cfg_no_services(void)
{
	int err = 0;
	struct sx_host_cfg *cfg = NULL;
	struct sx_conf_err e;

	UT_OK(load(&cfg, "[services]\nenable =\n", &e));
	UT_TRUE(!cfg->svc[0].enabled && !cfg->svc[1].enabled);
out:
	sx_host_cfg_free(cfg);
	return err;
}

static int test_cfg_errors(void)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *msg;
	} t[] = {
	    {"[sip]\nport = 1\nnope = 2\n", 3, "unknown key 'nope' in [sip]"},
	    {"[alpha]\nport = 99999\n", 2, NULL},
	    {"[gamma]\n", 1, "unknown section [gamma]"},
	    {"[sip]\nbind = host.example\n", 0,
	     "[sip] bind: 'host.example' is not an IP address (ports go "
	     "in 'port')"},
	    {"[sip]\nbind = ,\n", 0, "[sip] bind: no address"},
	    {"[sip]\nt1 = 5000\nt2 = 4000\n", 0,
	     "[sip] t1 (5000 ms) exceeds t2 (4000 ms)"},
	    {"[sip]\ntls_key = k.pem\n", 0,
	     "[sip] tls_cert and tls_key go together"},
	    {"[log]\nlevel = chatty\n", 0,
	     "[log] level: 'chatty' is not err, warn, info or debug"},
	    {"[log]\nmodules = sip\n", 0, "[log] modules: bad item 'sip'"},
	    {"[log]\nmodules = sip=loud\n", 0,
	     "[log] modules: bad level 'loud'"},
	    {"[services]\nenable = alpha, zeta\n", 0,
	     "[services] enable: unknown service 'zeta'"},
	    {"[alpha]\nport = 5060\n", 0,
	     "[alpha] port 5060 is the [sip] port"},
	    {"[alpha]\nport = 7000\n[beta]\nport = 7000\n", 0,
	     "[alpha] and [beta] both use port 7000"},
	};
	int err = 0;

	for (size_t i = 0; i < SX_ARRAY_SIZE(t); i++) {
		struct sx_host_cfg *cfg = NULL;
		struct sx_conf_err e;
		int rc = load(&cfg, t[i].text, &e);
		if (rc == -ENOMEM)
			return rc;
		UT_EQ(-EINVAL, rc);
		UT_TRUE(cfg == NULL);
		UT_EQ(t[i].line, e.line);
		if (t[i].msg)
			UT_STR_EQ(t[i].msg, e.msg);
		UT_TRUE(!strncmp(e.file, "/tmp/sx-host-cfg-", 17));
	}
out:
	return err;
}

static int test_cfg_missing(void)
{
	int err = 0;
	struct sx_host_cfg *cfg = NULL;
	struct sx_conf_err e;

	int rc = sx_host_cfg_load(&cfg, "/nonexistent/x.conf", svcs,
	                          SX_ARRAY_SIZE(svcs), &e);
	if (rc == -ENOMEM)
		return rc;
	UT_EQ(-ENOENT, rc);
	UT_STR_EQ("/nonexistent/x.conf", e.file);
	UT_TRUE(strstr(e.msg, "cannot open") != NULL);
out:
	return err;
}

static int test_cfg_boot_changes(void)
{
	int err = 0;
	struct sx_host_cfg *a = NULL, *b = NULL;
	struct sx_conf_err e;

	UT_OK(load(&a, "[sip]\nworkers = 2\n[alpha]\nlevel = 1\n", &e));
	UT_OK(load(&b, "[sip]\nworkers = 2\n[alpha]\nlevel = 5\n", &e));
	UT_EQ(0, sx_host_cfg_boot_changes(a, b)); /* level is reloadable */
	sx_host_cfg_free(b);
	b = NULL;
	UT_OK(load(&b,
	           "[sip]\nworkers = 3\n[log]\nlevel = debug\n"
	           "[alpha]\nname = other\n",
	           &e));
	UT_EQ(2, sx_host_cfg_boot_changes(a, b)); /* workers, name */
out:
	sx_host_cfg_free(a);
	sx_host_cfg_free(b);
	return err;
}

UT_MAIN(UT_C(test_cfg_defaults), UT_C(test_cfg_values),
        UT_C(test_cfg_no_services), UT_C(test_cfg_errors),
        UT_C(test_cfg_missing), UT_C(test_cfg_boot_changes))
