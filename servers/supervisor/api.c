/*
 * The supervisor's management API: XML-RPC (xmlrpc-c's core parses and
 * serialises) over a small, strict HTTP/1.1 POST reader of ours on the
 * sx_ev loop (RFC 9112 message framing, RFC 9110 status codes, RFC 7617
 * Basic authentication).  Modelled on sipXsupervisor's ProcMgmtRpc
 * (SIPXECS-REFERENCE 1.5) on port 8092.
 *
 * Every request must carry "Authorization: Basic" whose password is the
 * shared secret of secret_file (user name ignored); anything else gets
 * 401 before its body is read.  Limits: headers SX_SUP_API_HDR_MAX, body
 * SX_SUP_API_BODY_MAX (413 beyond), Content-Length framing only (no
 * chunked: 501), SX_SUP_API_CONN_MAX connections, one request per
 * connection, SX_SUP_API_TIMEOUT_MS for the whole exchange.
 */
#define SX_LOG_MOD "sup.api"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/server.h>

#include <sx/port/ev.h>
#include <sx/store/binding.h>
#include <sx/store/store.h>
#include <sx/util/buf.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "sup.h"

/** listen() backlog. */
#define API_BACKLOG 16
/** Bytes read and thrown away after an error reply before closing, so
 *  the client reads the reply instead of a reset. */
#define API_DRAIN_MAX (1024u * 1024u)
/** Header lines per request. */
#define API_HDR_LINES_MAX 64u
/** Authentication realm (RFC 7617 2). */
#define API_REALM "sipxsupervisor"

/** XML-RPC fault codes of our methods. */
enum {
	FAULT_PARAMS = 1,     /**< wrong parameter count or type */
	FAULT_NO_PROCESS = 2, /**< unknown alias */
	FAULT_REFUSED = 3,    /**< the supervisor is shutting down */
	FAULT_STORE = 4,      /**< the store cannot be read */
	FAULT_TOO_MANY = 5,   /**< answer would pass a limit */
};

enum conn_phase { PH_HEAD, PH_BODY, PH_WRITE, PH_DRAIN };

struct conn {
	struct sx_sup_api *api;
	int fd; /**< -1 = free slot */
	enum conn_phase ph;
	struct sx_tmr tmr;
	char *in;        /**< HDR_MAX + BODY_MAX bytes */
	size_t len;      /**< bytes in @in */
	size_t hdr_len;  /**< header bytes, CRLFCRLF included */
	size_t body_len; /**< Content-Length */
	size_t drained;
	struct sx_buf out;
	size_t out_off;
};

struct sx_sup_api {
	struct sx_sup *sup;
	struct sx_ev *loop;
	const struct sx_sup_cfg *cfg;
	int lfd;
	uint16_t port;
	char secret[SX_SUP_SECRET_MAX + 1];
	xmlrpc_registry *reg;
	struct sx_store *store; /**< opened at the first bindings query */
	struct conn conns[SX_SUP_API_CONN_MAX];
};

/* -- the secret ---------------------------------------------------------------
 */

static int secret_create(const char *path)
{
	unsigned char raw[SX_SUP_SECRET_BYTES];
	char hex[2 * SX_SUP_SECRET_BYTES + 2];
	int err = 0;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -EIO;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	hex[2 * sizeof(raw)] = '\n';
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	if (write(fd, hex, 2 * sizeof(raw) + 1) !=
	    (ssize_t)(2 * sizeof(raw) + 1))
		err = -EIO;
	if (close(fd) != 0 && !err)
		err = -errno;
	OPENSSL_cleanse(raw, sizeof(raw));
	return err;
}

int sx_sup_secret_read(const char *path, bool create, char *buf, size_t size)
{
	struct stat st;
	int err = 0;

	if (!path || !buf || size < 2)
		return -EINVAL;
	if (create && access(path, F_OK) != 0 && errno == ENOENT) {
		err = secret_create(path);
		if (err)
			return err;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0)
		err = -errno;
	else if (st.st_mode & (S_IRWXG | S_IRWXO))
		err = -EPERM;
	ssize_t n = err ? 0 : read(fd, buf, size - 1);
	close(fd);
	if (err)
		return err;
	if (n < 0)
		return -errno;
	while (n > 0 &&
	       (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	if (n == 0 || (size_t)n >= size - 1 || memchr(buf, '\n', (size_t)n))
		return -EINVAL;
	return 0;
}

/* -- XML-RPC methods ----------------------------------------------------------
 */

static xmlrpc_value *m_state_all(xmlrpc_env *env, xmlrpc_value *params,
                                 void *srv, void *call)
{
	struct sx_sup_api *api = srv;

	(void)call;
	if (xmlrpc_array_size(env, params) > 1) {
		xmlrpc_env_set_fault(env, FAULT_PARAMS,
		                     "getStateAll takes no parameter (or the "
		                     "calling host name)");
		return NULL;
	}
	xmlrpc_value *res = xmlrpc_struct_new(env);
	for (size_t i = 0; !env->fault_occurred && i < sx_sup_count(api->sup);
	     i++) {
		xmlrpc_value *v = xmlrpc_string_new(
		    env, sx_sup_state_str(sx_sup_state(api->sup, i)));
		if (!env->fault_occurred) {
			xmlrpc_struct_set_value(env, res,
			                        sx_sup_name(api->sup, i), v);
			xmlrpc_DECREF(v);
		}
	}
	if (env->fault_occurred && res) {
		xmlrpc_DECREF(res);
		res = NULL;
	}
	return res;
}

static bool known(struct sx_sup_api *api, const char *name)
{
	for (size_t i = 0; i < sx_sup_count(api->sup); i++)
		if (!strcmp(sx_sup_name(api->sup, i), name))
			return true;
	return false;
}

/* The aliases of a call: one string, or one array of strings. */
static xmlrpc_value *aliases_of(xmlrpc_env *env, xmlrpc_value *params)
{
	xmlrpc_value *arg = NULL;

	if (xmlrpc_array_size(env, params) != 1) {
		xmlrpc_env_set_fault(env, FAULT_PARAMS,
		                     "want one parameter: an alias or an array "
		                     "of aliases");
		return NULL;
	}
	xmlrpc_array_read_item(env, params, 0, &arg);
	if (env->fault_occurred)
		return NULL;
	if (xmlrpc_value_type(arg) == XMLRPC_TYPE_STRING) {
		xmlrpc_value *a = xmlrpc_array_new(env);
		if (!env->fault_occurred)
			xmlrpc_array_append_item(env, a, arg);
		xmlrpc_DECREF(arg);
		return a;
	}
	if (xmlrpc_value_type(arg) != XMLRPC_TYPE_ARRAY) {
		xmlrpc_DECREF(arg);
		xmlrpc_env_set_fault(
		    env, FAULT_PARAMS,
		    "the alias must be a string or an array of "
		    "strings");
		return NULL;
	}
	return arg;
}

/* Check every alias first: a bad one means nothing is done. */
static void check_aliases(xmlrpc_env *env, struct sx_sup_api *api,
                          xmlrpc_value *names)
{
	int n = xmlrpc_array_size(env, names);

	for (int i = 0; !env->fault_occurred && i < n; i++) {
		const char *s = NULL;
		xmlrpc_value *v = NULL;
		xmlrpc_array_read_item(env, names, i, &v);
		if (!env->fault_occurred)
			xmlrpc_read_string(env, v, &s);
		if (v)
			xmlrpc_DECREF(v);
		if (env->fault_occurred) {
			xmlrpc_env_clean(env);
			xmlrpc_env_init(env);
			xmlrpc_env_set_fault(env, FAULT_PARAMS,
			                     "aliases must be strings");
		} else if (!known(api, s))
			xmlrpc_env_set_fault_formatted(
			    env, FAULT_NO_PROCESS, "no process named '%s'", s);
		free((void *)s);
	}
}

static xmlrpc_value *control(xmlrpc_env *env, xmlrpc_value *params,
                             struct sx_sup_api *api, enum sx_sup_action act)
{
	xmlrpc_value *names = aliases_of(env, params);
	xmlrpc_value *res = NULL;

	if (!env->fault_occurred)
		check_aliases(env, api, names);
	if (!env->fault_occurred)
		res = xmlrpc_struct_new(env);
	int n = env->fault_occurred ? 0 : xmlrpc_array_size(env, names);
	for (int i = 0; !env->fault_occurred && i < n; i++) {
		const char *s = NULL;
		xmlrpc_value *v = NULL;
		xmlrpc_array_read_item(env, names, i, &v);
		xmlrpc_read_string(env, v, &s);
		xmlrpc_DECREF(v);
		int err = sx_sup_control(api->sup, s, act);
		if (err == -ESHUTDOWN)
			xmlrpc_env_set_fault(env, FAULT_REFUSED,
			                     "the supervisor is shutting down");
		else {
			xmlrpc_value *b = xmlrpc_bool_new(env, err == 0);
			xmlrpc_struct_set_value(env, res, s, b);
			xmlrpc_DECREF(b);
		}
		free((void *)s);
	}
	if (names)
		xmlrpc_DECREF(names);
	if (env->fault_occurred && res) {
		xmlrpc_DECREF(res);
		res = NULL;
	}
	return res;
}

static xmlrpc_value *m_start(xmlrpc_env *env, xmlrpc_value *params, void *srv,
                             void *call)
{
	(void)call;
	return control(env, params, srv, SX_SUP_START);
}

static xmlrpc_value *m_stop(xmlrpc_env *env, xmlrpc_value *params, void *srv,
                            void *call)
{
	(void)call;
	return control(env, params, srv, SX_SUP_STOP);
}

static xmlrpc_value *m_restart(xmlrpc_env *env, xmlrpc_value *params, void *srv,
                               void *call)
{
	(void)call;
	return control(env, params, srv, SX_SUP_RESTART);
}

struct bind_list {
	xmlrpc_env *env;
	xmlrpc_value *arr;
	int64_t now;
	size_t n;
};

static int add_binding(const struct sx_store_binding *b, void *arg)
{
	struct bind_list *bl = arg;
	xmlrpc_env *env = bl->env;

	if (b->expires_at <= bl->now)
		return 0;
	if (++bl->n > SX_SUP_API_BINDINGS_MAX)
		return -E2BIG;
	xmlrpc_value *s = xmlrpc_build_value(
	    env, "{s:s#,s:s#,s:i,s:i,s:s#,s:s#}", "aor", b->aor.p, b->aor.len,
	    "contact", b->contact.p, b->contact.len, "expires",
	    (int)(b->expires_at - bl->now), "q", (int)b->q, "transport",
	    b->transport.p, b->transport.len, "user_agent", b->user_agent.p,
	    b->user_agent.len);
	if (env->fault_occurred)
		return -ENOMEM;
	xmlrpc_array_append_item(env, bl->arr, s);
	xmlrpc_DECREF(s);
	return env->fault_occurred ? -ENOMEM : 0;
}

static int store_get(struct sx_sup_api *api)
{
	struct sx_store_prm prm = {.path = api->cfg->store};

	if (api->store)
		return 0;
	if (access(prm.path, F_OK) != 0)
		return -ENOENT; /* never create the registrar's database */
	return sx_store_open(&api->store, &prm);
}

static xmlrpc_value *m_bindings(xmlrpc_env *env, xmlrpc_value *params,
                                void *srv, void *call)
{
	struct sx_sup_api *api = srv;
	struct bind_list bl = {.env = env, .now = (int64_t)time(NULL)};
	const char *aor = NULL;
	size_t aor_len = 0;

	(void)call;
	int np = xmlrpc_array_size(env, params);
	if (np == 1)
		xmlrpc_decompose_value(env, params, "(s#)", &aor, &aor_len);
	if (env->fault_occurred || np > 1) {
		xmlrpc_env_clean(env);
		xmlrpc_env_init(env);
		xmlrpc_env_set_fault(env, FAULT_PARAMS,
		                     "want no parameter or one AOR string");
		free((void *)aor);
		return NULL;
	}
	int err = store_get(api);
	if (err) {
		xmlrpc_env_set_fault_formatted(env, FAULT_STORE,
		                               "cannot open the store %s: %s",
		                               api->cfg->store, strerror(-err));
		free((void *)aor);
		return NULL;
	}
	bl.arr = xmlrpc_array_new(env);
	ssize_t n = env->fault_occurred
	                ? -ENOMEM
	                : sx_store_binding_load(api->store,
	                                        aor ? sx_sl_make(aor, aor_len)
	                                            : SX_SL_NULL,
	                                        add_binding, &bl);
	free((void *)aor);
	if (n >= 0)
		return bl.arr;
	if (bl.arr)
		xmlrpc_DECREF(bl.arr);
	if (!env->fault_occurred && n == -E2BIG)
		xmlrpc_env_set_fault_formatted(env, FAULT_TOO_MANY,
		                               "more than %u bindings: ask for "
		                               "one AOR",
		                               SX_SUP_API_BINDINGS_MAX);
	else if (!env->fault_occurred)
		xmlrpc_env_set_fault_formatted(env, FAULT_STORE,
		                               "cannot read bindings: %s",
		                               strerror((int)-n));
	return NULL;
}

static int registry_init(struct sx_sup_api *api)
{
	static const struct {
		const char *name;
		xmlrpc_method2 fn;
	} methods[] = {
	    {"ProcMgmtRpc.getStateAll", m_state_all},
	    {"ProcMgmtRpc.start", m_start},
	    {"ProcMgmtRpc.stop", m_stop},
	    {"ProcMgmtRpc.restart", m_restart},
	    {"Registrar.bindings", m_bindings},
	};
	xmlrpc_env env;

	xmlrpc_env_init(&env);
	xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, SX_SUP_API_BODY_MAX);
	api->reg = xmlrpc_registry_new(&env);
	for (size_t i = 0; !env.fault_occurred && i < SX_ARRAY_SIZE(methods);
	     i++)
		xmlrpc_registry_add_method2(&env, api->reg, methods[i].name,
		                            methods[i].fn, NULL, NULL, api);
	int err = env.fault_occurred ? -ENOMEM : 0;
	xmlrpc_env_clean(&env);
	return err;
}

/* -- HTTP
 * ----------------------------------------------------------------------- */

static void conn_close(struct conn *c)
{
	if (c->fd < 0)
		return;
	sx_tmr_stop(&c->tmr);
	(void)sx_ev_fd_del(c->api->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	c->in = sx_mem_unref(c->in);
	sx_buf_fini(&c->out);
}

static void conn_write(struct conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.p + c->out_off,
		                 c->out.len - c->out_off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	/* Sent: half-close and read what the client still sends until it
	 * closes, so it sees our answer rather than a reset. */
	shutdown(c->fd, SHUT_WR);
	c->ph = PH_DRAIN;
	if (sx_ev_fd_mod(c->api->loop, c->fd, SX_EV_READ))
		conn_close(c);
}

static void reply(struct conn *c, int code, const char *reason,
                  const char *ctype, const char *body, size_t blen)
{
	sx_buf_reset(&c->out);
	sx_buf_printf(&c->out,
	              "HTTP/1.1 %d %s\r\n"
	              "Server: sipxsupervisor\r\n"
	              "Content-Type: %s\r\n"
	              "Content-Length: %zu\r\n"
	              "Connection: close\r\n",
	              code, reason, ctype, blen);
	if (code == 401)
		sx_buf_put_cstr(&c->out,
		                "WWW-Authenticate: Basic realm=\"" API_REALM
		                "\", charset=\"UTF-8\"\r\n");
	sx_buf_put_cstr(&c->out, "\r\n");
	sx_buf_put(&c->out, body, blen);
	if (sx_buf_err(&c->out)) {
		conn_close(c);
		return;
	}
	c->ph = PH_WRITE;
	c->out_off = 0;
	if (sx_ev_fd_mod(c->api->loop, c->fd, SX_EV_WRITE)) {
		conn_close(c);
		return;
	}
	conn_write(c);
}

static void reply_err(struct conn *c, int code, const char *reason,
                      const char *why)
{
	char body[256];
	int n = snprintf(body, sizeof(body), "%s\n", why);

	SX_LOG_INFO_RL("request refused: %d %s", code, why);
	reply(c, code, reason, "text/plain", body,
	      SX_MIN((size_t)n, sizeof(body) - 1));
}

/* RFC 7617 2: "Basic" base64(user ":" password); only the password is
 * checked, in constant time. */
static bool auth_ok(const struct sx_sup_api *api, struct sx_sl v)
{
	static const char scheme[] = "Basic ";
	unsigned char dec[SX_SUP_SECRET_MAX * 2];
	size_t slen = strlen(api->secret);

	if (!sx_sl_prefix_nocase(v, sx_sl_make(scheme, sizeof(scheme) - 1)))
		return false;
	struct sx_sl b64 = sx_sl_trim(
	    sx_sl_sub(v, sizeof(scheme) - 1, v.len - (sizeof(scheme) - 1)));
	if (b64.len == 0 || b64.len % 4 || b64.len / 4 * 3 > sizeof(dec))
		return false;
	int n =
	    EVP_DecodeBlock(dec, (const unsigned char *)b64.p, (int)b64.len);
	if (n < 0)
		return false;
	for (size_t i = b64.len; i > 0 && b64.p[i - 1] == '='; i--)
		n--; /* EVP_DecodeBlock counts the padding as zero bytes */
	unsigned char *colon = memchr(dec, ':', (size_t)n);
	if (!colon)
		return false;
	size_t plen = (size_t)n - (size_t)(colon + 1 - dec);
	return plen == slen && CRYPTO_memcmp(colon + 1, api->secret, slen) == 0;
}

struct req_head {
	struct sx_sl method, target, version;
	struct sx_sl clen, auth, te;
	unsigned nclen;
};

/* Next CRLF-terminated line of @s at *@off. */
static bool next_line(struct sx_sl s, size_t *off, struct sx_sl *line)
{
	for (size_t i = *off; i + 1 < s.len; i++)
		if (s.p[i] == '\r' && s.p[i + 1] == '\n') {
			*line = sx_sl_make(s.p + *off, i - *off);
			*off = i + 2;
			return true;
		}
	return false;
}

static bool token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c);
}

static int parse_request_line(struct sx_sl line, struct req_head *h)
{
	ssize_t sp1 = sx_sl_chr(line, ' ');
	if (sp1 <= 0)
		return -EBADMSG;
	h->method = sx_sl_make(line.p, (size_t)sp1);
	struct sx_sl rest =
	    sx_sl_sub(line, (size_t)sp1 + 1, line.len - (size_t)sp1 - 1);
	ssize_t sp2 = sx_sl_chr(rest, ' ');
	if (sp2 <= 0)
		return -EBADMSG;
	h->target = sx_sl_make(rest.p, (size_t)sp2);
	h->version =
	    sx_sl_sub(rest, (size_t)sp2 + 1, rest.len - (size_t)sp2 - 1);
	if (!sx_sl_eq_cstr(h->version, "HTTP/1.1") &&
	    !sx_sl_eq_cstr(h->version, "HTTP/1.0"))
		return -EBADMSG;
	return 0;
}

/* RFC 9112 5: field-name ":" OWS value OWS; no obs-fold. */
static int parse_header(struct sx_sl line, struct req_head *h)
{
	ssize_t colon = sx_sl_chr(line, ':');

	if (colon <= 0)
		return -EBADMSG;
	for (ssize_t i = 0; i < colon; i++)
		if (!token_char(line.p[i]))
			return -EBADMSG;
	struct sx_sl name = sx_sl_make(line.p, (size_t)colon);
	struct sx_sl val = sx_sl_trim(
	    sx_sl_sub(line, (size_t)colon + 1, line.len - (size_t)colon - 1));
	for (size_t i = 0; i < val.len; i++)
		if ((unsigned char)val.p[i] < 0x20 && val.p[i] != '\t')
			return -EBADMSG;
	if (sx_sl_eq_cstr_nocase(name, "content-length")) {
		h->clen = val;
		h->nclen++;
	} else if (sx_sl_eq_cstr_nocase(name, "authorization"))
		h->auth = val;
	else if (sx_sl_eq_cstr_nocase(name, "transfer-encoding"))
		h->te = val;
	return 0;
}

static int parse_head(struct sx_sl head, struct req_head *h)
{
	struct sx_sl line;
	size_t off = 0;
	unsigned n = 0;

	if (!next_line(head, &off, &line) || parse_request_line(line, h))
		return -EBADMSG;
	while (next_line(head, &off, &line) && line.len > 0) {
		if (++n > API_HDR_LINES_MAX || parse_header(line, h))
			return -EBADMSG;
	}
	return 0;
}

/* Decide on the head; returns true when the body may be read. */
static bool head_accept(struct conn *c, struct req_head *h)
{
	uint32_t clen;

	if (parse_head(sx_sl_make(c->in, c->hdr_len), h)) {
		reply_err(c, 400, "Bad Request", "malformed HTTP request");
		return false;
	}
	if (!auth_ok(c->api, h->auth)) {
		SX_LOG_WARN_RL("request without valid credentials refused");
		reply_err(c, 401, "Unauthorized",
		          "authentication required (Basic, the shared secret)");
		return false;
	}
	if (!sx_sl_eq_cstr(h->method, "POST")) {
		reply_err(c, 405, "Method Not Allowed", "only POST");
		return false;
	}
	if (!sx_sl_eq_cstr(h->target, "/RPC2") &&
	    !sx_sl_eq_cstr(h->target, "/")) {
		reply_err(c, 404, "Not Found", "the API is at /RPC2");
		return false;
	}
	if (sx_sl_isset(h->te)) {
		reply_err(c, 501, "Not Implemented",
		          "Transfer-Encoding is not supported");
		return false;
	}
	if (h->nclen != 1 || sx_sl_u32(h->clen, &clen)) {
		reply_err(c, 411, "Length Required",
		          "exactly one valid Content-Length required");
		return false;
	}
	if (clen > SX_SUP_API_BODY_MAX) {
		reply_err(c, 413, "Content Too Large",
		          "request body over the limit");
		return false;
	}
	c->body_len = clen;
	return true;
}

static void serve(struct conn *c)
{
	xmlrpc_env env;
	xmlrpc_mem_block *out = NULL;

	xmlrpc_env_init(&env);
	xmlrpc_registry_process_call2(&env, c->api->reg, c->in + c->hdr_len,
	                              c->body_len, NULL, &out);
	if (env.fault_occurred || !out)
		reply_err(c, 500, "Internal Server Error", "cannot answer");
	else
		reply(c, 200, "OK", "text/xml", xmlrpc_mem_block_contents(out),
		      xmlrpc_mem_block_size(out));
	if (out)
		xmlrpc_mem_block_free(out);
	xmlrpc_env_clean(&env);
}

static void advance(struct conn *c)
{
	if (c->ph == PH_HEAD) {
		struct sx_sl in = sx_sl_make(c->in, c->len);
		const char *e = memmem(in.p, in.len, "\r\n\r\n", 4);
		if (!e) {
			if (c->len >= SX_SUP_API_HDR_MAX)
				reply_err(c, 431,
				          "Request Header Fields Too Large",
				          "headers over the limit");
			return;
		}
		c->hdr_len = (size_t)(e - c->in) + 4;
		if (c->hdr_len > SX_SUP_API_HDR_MAX) {
			reply_err(c, 431, "Request Header Fields Too Large",
			          "headers over the limit");
			return;
		}
		struct req_head h = {0};
		if (!head_accept(c, &h))
			return;
		c->ph = PH_BODY;
	}
	if (c->ph == PH_BODY && c->len >= c->hdr_len + c->body_len)
		serve(c);
}

static void conn_read(struct conn *c)
{
	size_t cap = SX_SUP_API_HDR_MAX + SX_SUP_API_BODY_MAX;

	if (c->ph == PH_DRAIN) {
		char junk[4096];
		ssize_t n = recv(c->fd, junk, sizeof(junk), 0);
		c->drained += n > 0 ? (size_t)n : 0;
		if (n <= 0 || c->drained > API_DRAIN_MAX)
			conn_close(c);
		return;
	}
	size_t room =
	    (c->ph == PH_HEAD ? SX_SUP_API_HDR_MAX : c->hdr_len + c->body_len) -
	    c->len;
	ssize_t n = recv(c->fd, c->in + c->len, SX_MIN(room, cap - c->len), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	advance(c);
}

static void on_conn(int fd, uint32_t events, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	if (c->ph == PH_WRITE) {
		if (events & SX_EV_ERROR)
			conn_close(c);
		else
			conn_write(c);
		return;
	}
	conn_read(c);
}

static void conn_timeout(void *arg)
{
	struct conn *c = arg;

	SX_LOG_INFO_RL("API connection timed out");
	conn_close(c);
}

static struct conn *conn_slot(struct sx_sup_api *api)
{
	for (size_t i = 0; i < SX_SUP_API_CONN_MAX; i++)
		if (api->conns[i].fd < 0)
			return &api->conns[i];
	return NULL;
}

static void on_accept(int lfd, uint32_t events, void *arg)
{
	struct sx_sup_api *api = arg;

	(void)events;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct conn *c = conn_slot(api);
	if (!c) {
		SX_LOG_WARN_RL("API: %u connections open, refusing one",
		               SX_SUP_API_CONN_MAX);
		close(fd);
		return;
	}
	*c = (struct conn){.api = api, .fd = fd, .ph = PH_HEAD};
	sx_buf_init(&c->out, 0);
	c->in = sx_mem_alloc(SX_SUP_API_HDR_MAX + SX_SUP_API_BODY_MAX, NULL);
	if (!c->in ||
	    sx_tmr_start(api->loop, &c->tmr, SX_SUP_API_TIMEOUT_MS,
	                 conn_timeout, c) ||
	    sx_ev_fd_add(api->loop, fd, SX_EV_READ, on_conn, c)) {
		sx_tmr_stop(&c->tmr);
		c->in = sx_mem_unref(c->in);
		close(fd);
		c->fd = -1;
	}
}

/* -- life cycle ---------------------------------------------------------------
 */

static int listen_on(struct sx_sup_api *api)
{
	struct sx_sa sa;
	int one = 1;

	if (sx_sa_set_str(&sa, sx_sl_cstr(api->cfg->api_bind),
	                  (uint16_t)api->cfg->api_port))
		return -EINVAL;
	api->lfd = socket(sx_sa_af(&sa),
	                  SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (api->lfd < 0)
		return -errno;
	setsockopt(api->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(api->lfd, &sa.u.sa, sa.len) != 0 ||
	    listen(api->lfd, API_BACKLOG) != 0)
		return -errno;
	api->port = (uint16_t)api->cfg->api_port;
	return sx_ev_fd_add(api->loop, api->lfd, SX_EV_READ, on_accept, api);
}

int sx_sup_api_alloc(struct sx_sup_api **apip, struct sx_sup *sup,
                     struct sx_ev *loop, const struct sx_sup_cfg *cfg)
{
	struct sx_sup_api *api;

	if (!apip || !sup || !loop || !cfg || !cfg->api_port)
		return -EINVAL;
	api = sx_mem_zalloc(sizeof(*api), NULL);
	if (!api)
		return -ENOMEM;
	api->sup = sup;
	api->loop = loop;
	api->cfg = cfg;
	api->lfd = -1;
	for (size_t i = 0; i < SX_SUP_API_CONN_MAX; i++)
		api->conns[i].fd = -1;
	int err = sx_sup_secret_read(cfg->secret_file, true, api->secret,
	                             sizeof(api->secret));
	if (err)
		SX_LOG_ERR("secret file %s: %s%s", cfg->secret_file,
		           strerror(-err),
		           err == -EPERM ? " (must not be readable by group or "
		                           "others: chmod 600)"
		                         : "");
	if (!err)
		err = registry_init(api);
	if (!err)
		err = listen_on(api);
	if (err) {
		sx_sup_api_free(api);
		return err;
	}
	*apip = api;
	return 0;
}

uint16_t sx_sup_api_port(const struct sx_sup_api *api)
{
	return api->port;
}

void sx_sup_api_free(struct sx_sup_api *api)
{
	if (!api)
		return;
	for (size_t i = 0; i < SX_SUP_API_CONN_MAX; i++)
		conn_close(&api->conns[i]);
	if (api->lfd >= 0) {
		(void)sx_ev_fd_del(api->loop, api->lfd);
		close(api->lfd);
	}
	if (api->reg)
		xmlrpc_registry_free(api->reg);
	if (api->store)
		sx_store_close(api->store);
	OPENSSL_cleanse(api->secret, sizeof(api->secret));
	sx_mem_unref(api);
}
