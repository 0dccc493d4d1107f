/*
 * TLS contexts (RFC 3261 26.2.1; RFC 5922 7 server identity; TLS 1.2+
 * per RFC 5246 / RFC 8446, RFC 8996 retiring older versions) built on
 * OpenSSL 3.  One SSL_CTX per context serves accepted and outgoing
 * connections; verification policy is set per SSL.
 */
#define SX_LOG_MOD "sip.tp.tls"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "tls_int.h"

struct sx_sip_tls {
	SSL_CTX *ctx;
	bool verify_client;
};

void sx_sip__tls_log_errors(const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (!e) {
		SX_LOG_WARN_RL("%s", what);
		return;
	}
	ERR_error_string_n(e, buf, sizeof(buf));
	SX_LOG_WARN_RL("%s: %s", what, buf);
	ERR_clear_error();
}

static void tls_destroy(void *obj)
{
	struct sx_sip_tls *tls = obj;
	SSL_CTX_free(tls->ctx);
}

static int load_files(SSL_CTX *ctx, const struct sx_sip_tls_prm *prm)
{
	if (prm->cert_file &&
	    (SSL_CTX_use_certificate_chain_file(ctx, prm->cert_file) != 1 ||
	     SSL_CTX_use_PrivateKey_file(ctx, prm->key_file,
	                                 SSL_FILETYPE_PEM) != 1 ||
	     SSL_CTX_check_private_key(ctx) != 1)) {
		sx_sip__tls_log_errors("certificate or key");
		return -EIO;
	}
	int ok = prm->ca_file
	             ? SSL_CTX_load_verify_locations(ctx, prm->ca_file, NULL)
	             : SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		sx_sip__tls_log_errors("CA file");
		return -EIO;
	}
	return 0;
}

int sx_sip_tls_alloc(struct sx_sip_tls **tlsp, const struct sx_sip_tls_prm *prm)
{
	struct sx_sip_tls *tls;
	int err = 0;

	if (!tlsp || !prm || (prm->cert_file && !prm->key_file))
		return -EINVAL;
	tls = sx_mem_zalloc(sizeof(*tls), tls_destroy);
	if (!tls)
		return -ENOMEM;
	tls->verify_client = prm->verify_client;
	tls->ctx = SSL_CTX_new(TLS_method());
	if (!tls->ctx) {
		err = -ENOMEM;
		goto out;
	}
	SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(tls->ctx, SSL_OP_NO_RENEGOTIATION);
	/* a queued write may be retried from another buffer copy */
	SSL_CTX_set_mode(tls->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                               SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	err = load_files(tls->ctx, prm);
out:
	if (err) {
		sx_mem_unref(tls);
		return err;
	}
	*tlsp = tls;
	return 0;
}

/* Outgoing: what the server certificate must match (RFC 5922 7.2). */
static int expect_identity(SSL *ssl, const char *host,
                           const struct sx_sa *remote)
{
	char addr[SX_SA_STRLEN];
	struct sx_sa lit;

	SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
	if (!host) {
		if (sx_sa_print_addr(remote, addr, sizeof(addr)) < 0)
			return -EINVAL;
		host = addr;
	}
	if (!sx_sa_set_str(&lit, sx_sl_cstr(host), 0)) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
		return X509_VERIFY_PARAM_set1_ip_asc(vp, host) == 1 ? 0
		                                                    : -EINVAL;
	}
	if (SSL_set1_host(ssl, host) != 1 ||
	    SSL_set_tlsext_host_name(ssl, host) != 1)
		return -EINVAL;
	return 0;
}

SSL *sx_sip__tls_ssl(struct sx_sip_tls *tls, int fd, bool server,
                     const char *host, const struct sx_sa *remote)
{
	SSL *ssl = SSL_new(tls->ctx);

	if (!ssl || SSL_set_fd(ssl, fd) != 1)
		goto fail;
	if (server) {
		SSL_set_accept_state(ssl);
		if (tls->verify_client)
			SSL_set_verify(ssl,
			               SSL_VERIFY_PEER |
			                   SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			               NULL);
		return ssl;
	}
	SSL_set_connect_state(ssl);
	if (expect_identity(ssl, host, remote))
		goto fail;
	return ssl;
fail:
	sx_sip__tls_log_errors("SSL_new");
	SSL_free(ssl);
	return NULL;
}
