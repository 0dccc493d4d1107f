/*
 * The supervisor API client (sipxctl status/start/stop/restart): one
 * XML-RPC call over HTTP/1.1 with Basic authentication (RFC 7617), the
 * password being the shared secret of the supervisor's secret_file.
 */
#ifndef SX_SUPERVISOR_CLIENT_H
#define SX_SUPERVISOR_CLIENT_H

#include <stddef.h>

#include <xmlrpc-c/base.h>

#include "sup.h"

/**
 * Call @method with the array @params (borrowed) on the API that @cfg
 * describes.  On success *@resultp is the result (the caller DECREFs).
 * On failure @msg (of @msize bytes) says why.  Blocks at most
 * SX_SUP_CLIENT_TIMEOUT_MS per socket operation.  Returns 0, -EACCES
 * (secret unreadable or refused), -ECONNREFUSED (no supervisor),
 * -EPROTO (HTTP error or XML-RPC fault), -ENOMEM, -errno.
 */
int sx_sup_client_call(const struct sx_sup_cfg *cfg, const char *method,
                       xmlrpc_value *params, xmlrpc_value **resultp, char *msg,
                       size_t msize);

#endif
