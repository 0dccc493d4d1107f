/*
 * The built-in service table (ARCHITECTURE.md 1): each service library
 * present in the build adds its ops here (SX_HAVE_<NAME> from CMake).
 */
#include "builtin.h"

#ifdef SX_HAVE_REGISTRAR
#include <sx/server/registrar.h>
#endif
#ifdef SX_HAVE_PROXY
#include <sx/server/proxy.h>
#endif
#ifdef SX_HAVE_CDR
#include "cdr.h"
#endif

static const struct sx_service_ops *const services[] = {
#ifdef SX_HAVE_REGISTRAR
    &sx_registrar_service,
#endif
#ifdef SX_HAVE_PROXY
    &sx_proxy_service, /* after the registrar: it looks it up at start */
#endif
#ifdef SX_HAVE_CDR
    &sx_cdr_service, /* reads what the proxy records */
#endif
    NULL, /* keeps the array non-empty */
};

const struct sx_service_ops *const *sx_builtin_services(size_t *np)
{
	*np = sizeof(services) / sizeof(services[0]) - 1;
	return services;
}
