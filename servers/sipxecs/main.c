/*
 * sipxecs: the SIP process (ARCHITECTURE.md 1) - the host skeleton of
 * servers/common running the built-in services (RFC 3261 endpoints:
 * registrar, and later proxy, publisher).  `sipxecs -h` for options.
 */
#include "builtin.h"
#include "host.h"

int main(int argc, char **argv)
{
	size_t n;
	const struct sx_service_ops *const *svcs = sx_builtin_services(&n);

	return sx_host_main(argc, argv, "sipxecs", svcs, n);
}
