/*
 * XML-RPC client of the supervisor API (RFC 9112 request framing, RFC 7617
 * Basic authentication): serialise with xmlrpc-c's core, POST over one
 * TCP connection, read the answer to EOF (the server closes), parse it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <sx/util/buf.h>
#include <sx/util/mem.h>

#include "client.h"

static int say(char *msg, size_t msize, int err, const char *fmt, ...)
    SX_PRINTF(4, 5);

static int say(char *msg, size_t msize, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, msize, fmt, ap);
	va_end(ap);
	return err;
}

static int dial(const struct sx_sup_cfg *cfg, char *msg, size_t msize)
{
	struct timeval tv = {.tv_sec = SX_SUP_CLIENT_TIMEOUT_MS / 1000};
	struct sx_sa sa;

	if (sx_sa_set_str(&sa, sx_sl_cstr(cfg->api_bind),
	                  (uint16_t)cfg->api_port))
		return say(msg, msize, -EINVAL, "bad API address %s",
		           cfg->api_bind);
	int fd = socket(sx_sa_af(&sa), SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return say(msg, msize, -errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, &sa.u.sa, sa.len) != 0) {
		int err = -errno;
		close(fd);
		return say(msg, msize, err,
		           "cannot reach the supervisor at %s:%u: %s",
		           cfg->api_bind, cfg->api_port, strerror(-err));
	}
	return fd;
}

static int request(struct sx_buf *req, const struct sx_sup_cfg *cfg,
                   const char *secret, const char *body, size_t blen)
{
	char cred[SX_SUP_SECRET_MAX + 16];
	unsigned char b64[2 * sizeof(cred)];
	int n = snprintf(cred, sizeof(cred), "sipxctl:%s", secret);

	EVP_EncodeBlock(b64, (const unsigned char *)cred, n);
	OPENSSL_cleanse(cred, sizeof(cred));
	sx_buf_printf(req,
	              "POST /RPC2 HTTP/1.1\r\n"
	              "Host: %s:%u\r\n"
	              "User-Agent: sipxctl\r\n"
	              "Authorization: Basic %s\r\n"
	              "Content-Type: text/xml\r\n"
	              "Content-Length: %zu\r\n"
	              "Connection: close\r\n\r\n",
	              cfg->api_bind, cfg->api_port, b64, blen);
	sx_buf_put(req, body, blen);
	OPENSSL_cleanse(b64, sizeof(b64));
	return sx_buf_err(req);
}

static int exchange(int fd, const struct sx_buf *req, struct sx_buf *resp,
                    char *msg, size_t msize)
{
	char chunk[16384];

	for (size_t off = 0; off < req->len;) {
		ssize_t n =
		    send(fd, req->p + off, req->len - off, MSG_NOSIGNAL);
		if (n <= 0)
			return say(msg, msize, n < 0 ? -errno : -EIO,
			           "send: %s", strerror(errno));
		off += (size_t)n;
	}
	for (;;) {
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
		if (n == 0)
			return 0;
		if (n < 0)
			return say(msg, msize, -errno, "no answer: %s",
			           strerror(errno));
		sx_buf_put(resp, chunk, (size_t)n);
		if (sx_buf_err(resp))
			return say(msg, msize, sx_buf_err(resp),
			           "answer too large");
	}
}

static int parse_answer(const struct sx_buf *resp, xmlrpc_value **resultp,
                        char *msg, size_t msize)
{
	int code = 0;
	const char *fault = NULL;
	int fcode = 0;
	xmlrpc_env env;

	if (resp->len < 12 || sscanf(resp->p, "HTTP/1.%*d %d", &code) != 1)
		return say(msg, msize, -EPROTO, "not an HTTP answer");
	const char *body = resp->p ? strstr(resp->p, "\r\n\r\n") : NULL;
	if (code == 401)
		return say(msg, msize, -EACCES,
		           "the supervisor refused the credentials (check "
		           "secret_file)");
	if (code != 200 || !body)
		return say(msg, msize, -EPROTO, "HTTP %d: %.200s", code,
		           body ? body + 4 : "");
	body += 4;
	xmlrpc_env_init(&env);
	xmlrpc_parse_response2(&env, body, resp->len - (size_t)(body - resp->p),
	                       resultp, &fcode, &fault);
	int err = 0;
	if (env.fault_occurred)
		err = say(msg, msize, -EPROTO, "bad XML-RPC answer: %s",
		          env.fault_string);
	else if (fault)
		err = say(msg, msize, -EPROTO, "%s (fault %d)", fault, fcode);
	free((void *)fault);
	xmlrpc_env_clean(&env);
	return err;
}

int sx_sup_client_call(const struct sx_sup_cfg *cfg, const char *method,
                       xmlrpc_value *params, xmlrpc_value **resultp, char *msg,
                       size_t msize)
{
	char secret[SX_SUP_SECRET_MAX + 1];
	struct sx_buf req, resp;
	xmlrpc_env env;
	xmlrpc_mem_block *xml = NULL;
	int fd = -1;

	int err =
	    sx_sup_secret_read(cfg->secret_file, false, secret, sizeof(secret));
	if (err)
		return say(msg, msize, err == -ENOMEM ? err : -EACCES,
		           "cannot read the secret %s: %s", cfg->secret_file,
		           strerror(-err));
	sx_buf_init(&req, 0);
	sx_buf_init(&resp, SX_SUP_CLIENT_RESP_MAX);
	xmlrpc_env_init(&env);
	xml = xmlrpc_mem_block_new(&env, 0);
	if (!env.fault_occurred)
		xmlrpc_serialize_call(&env, xml, method, params);
	if (env.fault_occurred)
		err = say(msg, msize, -ENOMEM, "cannot build the call: %s",
		          env.fault_string);
	if (!err)
		err = request(&req, cfg, secret, xmlrpc_mem_block_contents(xml),
		              xmlrpc_mem_block_size(xml));
	if (!err) {
		fd = dial(cfg, msg, msize);
		err = fd < 0 ? fd : 0;
	}
	if (fd >= 0)
		err = exchange(fd, &req, &resp, msg, msize);
	if (!err)
		err = parse_answer(&resp, resultp, msg, msize);
	if (fd >= 0)
		close(fd);
	if (xml)
		xmlrpc_mem_block_free(xml);
	xmlrpc_env_clean(&env);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (req.p)
		OPENSSL_cleanse(req.p, req.len);
	sx_buf_fini(&req);
	sx_buf_fini(&resp);
	return err;
}
