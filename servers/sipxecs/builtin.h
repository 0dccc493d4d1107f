/*
 * The services compiled into this build (ARCHITECTURE.md 1), in the
 * order the host starts them.  sipxecs hosts them; sipxctl reads their
 * config sections so that both accept the same file.
 */
#ifndef SX_SERVERS_BUILTIN_H
#define SX_SERVERS_BUILTIN_H

#include <stddef.h>

#include <sx/server/service.h>

/** The built-in services; *@np gets their count (may be 0). */
const struct sx_service_ops *const *sx_builtin_services(size_t *np);

#endif
