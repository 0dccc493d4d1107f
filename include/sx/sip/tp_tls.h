/*
 * TLS contexts for the SIP stream transport (RFC 3261 26.2.1, RFC 5922;
 * TLS 1.2 RFC 5246 and 1.3 RFC 8446 through OpenSSL 3).
 *
 * One context serves both directions: accepted connections present
 * cert_file/key_file; outgoing connections verify the server against
 * ca_file and the expected host name (or IP address), and present the
 * certificate too if the server asks for one.  TLS 1.2 is the minimum,
 * renegotiation is off.  A context is an sx_mem object shared by
 * reference; it may be used by several worker loops.
 *
 * OpenSSL writes to sockets with write(), so a peer that resets a
 * connection raises SIGPIPE: a process using TLS must ignore SIGPIPE
 * (signal(SIGPIPE, SIG_IGN) at start-up, as servers do anyway).
 */
#ifndef SX_SIP_TP_TLS_H
#define SX_SIP_TP_TLS_H

#include <stdbool.h>

#include <sx/util/compiler.h>

struct sx_sip_tls;

/** Context parameters; zero-initialise, then set what you need. */
struct sx_sip_tls_prm {
	const char *cert_file; /**< PEM certificate chain, NULL = none
	                            (client only) */
	const char *key_file;  /**< PEM private key for cert_file */
	const char *ca_file;   /**< PEM trust anchors for verifying peers;
	                            NULL = the system default paths */
	bool verify_client;    /**< accepted connections must present a
	                            certificate that verifies */
};

/**
 * Create a context.  Free with sx_mem_unref().  Returns 0, -EINVAL,
 * -ENOMEM, or -EIO when OpenSSL rejects a file (the reason is logged).
 */
int sx_sip_tls_alloc(struct sx_sip_tls **tlsp,
                     const struct sx_sip_tls_prm *prm) SX_MUST_CHECK;

#endif
