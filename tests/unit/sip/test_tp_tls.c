/*
 * TLS transport tests (RFC 3261 26.2.1, RFC 5922 7; TLS 1.2+ via OpenSSL
 * 3) over 127.0.0.1.  A throw-away CA and server certificate (SAN
 * DNS:localhost, IP:127.0.0.1) are generated at test time with the
 * OpenSSL API into the build folder, so no private key is committed.
 * Cases: handshake and a request/response over the connection; failure
 * against the wrong CA; failure against the wrong host name.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sx/port/ev.h>
#include <sx/sip/print.h>
#include <sx/sip/tp_stream.h>
#include <sx/sip/tp_tls.h>
#include <sx/sip/transport.h>

#include "test_tp_common.h"
#include "ut.h"

#define CERT_DAYS 1
#define PATH_LEN  512

struct files {
	char dir[PATH_LEN / 2];
	char ca[PATH_LEN], bad_ca[PATH_LEN], cert[PATH_LEN], key[PATH_LEN];
};

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	int ok = ext && X509_add_ext(x, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok ? 0 : -EIO;
}

/* A certificate for @key named @cn, signed by @issuer/@ikey (self when
 * NULL); a CA when @san is NULL. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
                       EVP_PKEY *ikey, const char *san)
{
	static long serial = 1;
	X509 *x = X509_new();
	int err = 0;

	if (!x)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * CERT_DAYS);
	X509_set_pubkey(x, key);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                           (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	issuer = issuer ? issuer : x;
	if (san) {
		err = add_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
		if (!err)
			err = add_ext(x, issuer, NID_subject_alt_name, san);
	} else {
		err = add_ext(x, issuer, NID_basic_constraints,
		              "critical,CA:TRUE");
		if (!err)
			err = add_ext(x, issuer, NID_key_usage,
			              "critical,keyCertSign,cRLSign");
	}
	if (err || !X509_sign(x, ikey ? ikey : key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int write_cert(const char *path, X509 *x)
{
	FILE *f = fopen(path, "w");
	int ok = f && PEM_write_X509(f, x) == 1;
	if (f)
		fclose(f);
	return ok ? 0 : -EIO;
}

static int write_key(const char *path, EVP_PKEY *k)
{
	FILE *f = fopen(path, "w");
	int ok = f && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	if (f)
		fclose(f);
	return ok ? 0 : -EIO;
}

static void files_remove(struct files *f)
{
	unlink(f->ca);
	unlink(f->bad_ca);
	unlink(f->cert);
	unlink(f->key);
	rmdir(f->dir);
}

/* CA, an unrelated CA, and a server certificate signed by the first. */
static int files_make(struct files *f)
{
	EVP_PKEY *ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *bad_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *ca = NULL, *bad = NULL, *cert = NULL;
	int err = -EIO;

	snprintf(f->dir, sizeof(f->dir), "%s/tests/tls-%d", SX_BINARY_DIR,
	         (int)getpid());
	snprintf(f->ca, sizeof(f->ca), "%s/ca.pem", f->dir);
	snprintf(f->bad_ca, sizeof(f->bad_ca), "%s/bad-ca.pem", f->dir);
	snprintf(f->cert, sizeof(f->cert), "%s/server.pem", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/server.key", f->dir);
	if (!ca_key || !bad_key || !key)
		goto out;
	ca = make_cert(ca_key, "sipxecs test CA", NULL, NULL, NULL);
	bad = make_cert(bad_key, "unrelated test CA", NULL, NULL, NULL);
	cert = ca ? make_cert(key, "localhost", ca, ca_key,
	                      "DNS:localhost,IP:127.0.0.1")
	          : NULL;
	if (!bad || !cert || (mkdir(f->dir, 0700) && errno != EEXIST))
		goto out;
	err = write_cert(f->ca, ca);
	if (!err)
		err = write_cert(f->bad_ca, bad);
	if (!err)
		err = write_cert(f->cert, cert);
	if (!err)
		err = write_key(f->key, key);
out:
	X509_free(ca);
	X509_free(bad);
	X509_free(cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(bad_key);
	EVP_PKEY_free(key);
	return err;
}

struct rec {
	int n, errs, last_err;
	struct sx_sip_peer peer;
	bool reply;
	int err;
};

static void on_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                    const struct sx_sip_peer *peer, void *arg)
{
	struct rec *r = arg;

	r->n++;
	r->peer = *peer;
	if (r->reply && msg->is_request) {
		struct sx_sip_peer dst;
		struct sx_buf b;
		sx_buf_init(&b, 0);
		r->err = sx_sip_via_response_dst(&msg->vias[0], peer, &dst);
		if (!r->err)
			r->err = sx_sip_reply_print(msg, 200, NULL, SX_SL("t"),
			                            SX_SL(""), &b);
		if (!r->err)
			r->err = sx_sip_tport_send(tp, &dst, b.p, b.len);
		sx_buf_fini(&b);
	}
	sx_sip_msg_free(msg);
}

static void on_err(struct sx_sip_tport *tp, const struct sx_sip_peer *peer,
                   int err, void *arg)
{
	struct rec *r = arg;

	(void)tp;
	(void)peer;
	r->errs++;
	r->last_err = err;
}

struct env {
	struct files f;
	struct sx_ev *loop;
	struct sx_sip_tls *stls, *ctls;
	struct sx_sip_tp_stream *srv, *cli;
	struct rec rs, rc;
};

static int env_open(struct env *e, bool wrong_ca)
{
	struct sx_sa local;
	int err;

	memset(e, 0, sizeof(*e));
	e->rs.reply = true;
	/* OpenSSL writes with write(): a reset peer must not kill us
	 * (<sx/sip/tp_tls.h>: the process ignores SIGPIPE) */
	signal(SIGPIPE, SIG_IGN);
	err = files_make(&e->f);
	if (!err)
		err = sx_ev_alloc(&e->loop, NULL);
	if (!err)
		err = sx_sa_set_str(&local, SX_SL("127.0.0.1"), 0);
	struct sx_sip_tls_prm sp = {.cert_file = e->f.cert,
	                            .key_file = e->f.key};
	struct sx_sip_tls_prm cp = {.ca_file =
	                                wrong_ca ? e->f.bad_ca : e->f.ca};
	if (!err)
		err = sx_sip_tls_alloc(&e->stls, &sp);
	if (!err)
		err = sx_sip_tls_alloc(&e->ctls, &cp);
	struct sx_sip_tp_stream_prm prm = {.proto = SX_SIP_PROTO_TLS,
	                                   .tls = e->stls,
	                                   .listen = &local,
	                                   .nlisten = 1,
	                                   .recv_h = on_recv,
	                                   .err_h = on_err,
	                                   .arg = &e->rs};
	if (!err)
		err = sx_sip_tp_stream_alloc(&e->srv, e->loop, &prm);
	prm.tls = e->ctls;
	prm.nlisten = 0;
	prm.arg = &e->rc;
	if (!err)
		err = sx_sip_tp_stream_alloc(&e->cli, e->loop, &prm);
	return err;
}

static void env_close(struct env *e)
{
	sx_mem_unref(e->cli);
	sx_mem_unref(e->srv);
	sx_mem_unref(e->ctls);
	sx_mem_unref(e->stls);
	sx_ev_free(e->loop);
	files_remove(&e->f);
}

/* Connect to the server expecting @host, send one request. */
static int send_request(struct env *e, const char *host)
{
	struct sx_sip_peer to = {.proto = SX_SIP_PROTO_TLS};
	char req[1024];

	to.remote = *sx_sip_tp_stream_listen_addr(e->srv, 0);
	int err =
	    sx_sip_tp_stream_connect(e->cli, &to.remote, host, &to.conn_id);
	int n = tp_request(req, sizeof(req), "127.0.0.1:9", "", 1);
	if (!err)
		err = sx_sip_tport_send(sx_sip_tp_stream_tport(e->cli), &to,
		                        req, (size_t)n);
	return err;
}

static int test_tp_tls_exchange(void)
{
	struct env e;
	int err = 0;

	UT_OK(env_open(&e, false));
	UT_OK(send_request(&e, "localhost"));
	UT_OK(tp_run_until(e.loop, &e.rc.n, 1));
	UT_OK(e.rs.err);
	UT_EQ(1, e.rs.n);
	UT_EQ(SX_SIP_PROTO_TLS, e.rs.peer.proto);
	UT_EQ(SX_SIP_PROTO_TLS, e.rc.peer.proto);
	UT_EQ(0, e.rc.errs);
	UT_EQ(1, sx_sip_tp_stream_conn_count(e.srv));
	/* the address literal matches the IP SAN too */
	UT_OK(send_request(&e, "127.0.0.1"));
	UT_OK(tp_run_until(e.loop, &e.rc.n, 2));
	UT_EQ(0, e.rc.errs);
out:
	env_close(&e);
	return err;
}

static int expect_failure(struct env *e)
{
	int err = 0;

	UT_OK(tp_run_until(e->loop, &e->rc.errs, 1));
	UT_EQ(-EPROTO, e->rc.last_err);
	UT_EQ(0, e->rc.n);
	UT_EQ(0, e->rs.n);
	UT_EQ(0, sx_sip_tp_stream_conn_count(e->cli));
	struct sx_sip_tp_stream_stats st;
	sx_sip_tp_stream_stats(e->cli, &st);
	UT_EQ(1, st.tls_fail);
out:
	return err;
}

static int test_tp_tls_wrong_ca(void)
{
	struct env e;
	int err = 0;

	UT_OK(env_open(&e, true));
	UT_OK(send_request(&e, "localhost"));
	UT_OK(expect_failure(&e));
out:
	env_close(&e);
	return err;
}

static int test_tp_tls_wrong_host(void)
{
	struct env e;
	int err = 0;

	UT_OK(env_open(&e, false));
	UT_OK(send_request(&e, "wrong.example.com"));
	UT_OK(expect_failure(&e));
out:
	env_close(&e);
	return err;
}

static int test_tp_tls_args(void)
{
	struct sx_sip_tls *tls = NULL;
	int err = 0;

	UT_EQ(-EINVAL, sx_sip_tls_alloc(&tls, NULL));
	struct sx_sip_tls_prm p = {.cert_file = "/nonexistent/cert.pem",
	                           .key_file = "/nonexistent/key.pem"};
	int rc = sx_sip_tls_alloc(&tls, &p);
	if (rc == -ENOMEM)
		UT_OK(rc);
	UT_EQ(-EIO, rc);
out:
	sx_mem_unref(tls);
	return err;
}

UT_MAIN(UT_C(test_tp_tls_exchange), UT_C(test_tp_tls_wrong_ca),
        UT_C(test_tp_tls_wrong_host), UT_C(test_tp_tls_args))
