/*
 * Private: OpenSSL objects of the TLS contexts (tls.c) for stream.c.
 */
#ifndef SX_SIP_TLS_INT_H
#define SX_SIP_TLS_INT_H

#include <openssl/ssl.h>
#include <stdbool.h>

#include <sx/port/sa.h>
#include <sx/sip/tp_tls.h>

/**
 * A new SSL on @fd for an accepted (@server) or outgoing connection.
 * Outgoing: peer verification on, against @host (DNS name: hostname
 * check and SNI; address literal: IP SAN check) or, when @host is NULL,
 * against @remote's address.  NULL on failure (logged).
 */
SSL *sx_sip__tls_ssl(struct sx_sip_tls *tls, int fd, bool server,
                     const char *host, const struct sx_sa *remote);

/** Log and clear OpenSSL's error queue (rate-limited). */
void sx_sip__tls_log_errors(const char *what);

#endif
