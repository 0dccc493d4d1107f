/*
 * sx_sa: IPv4/IPv6 socket addresses (RFC 4291 text forms, RFC 3986
 * section 3.2.2 brackets for "[v6]:port").
 *
 * struct sx_sa holds a sockaddr_in or sockaddr_in6 plus its length (not
 * a sockaddr_storage: every peer and transaction carries two of them,
 * 32 bytes each instead of 132); it is a plain value (copy it freely).  A zero-filled sx_sa is "unset" (AF_UNSPEC).
 * Link-local scope ids ("%eth0") are not supported.
 */
#ifndef SX_PORT_SA_H
#define SX_PORT_SA_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <sx/util/compiler.h>
#include <sx/util/sl.h>

/** Room for the longest printed form, "[v6]:65535", plus NUL. */
#define SX_SA_STRLEN (INET6_ADDRSTRLEN + 8)

/** A socket address: AF_INET, AF_INET6 or unset (AF_UNSPEC). */
struct sx_sa {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	socklen_t len; /**< valid length of u (0 when unset) */
};

/** Reset to unset (AF_UNSPEC). */
void sx_sa_init(struct sx_sa *sa);

/**
 * Parse "host[:port]" where host is dotted IPv4 or a bracketed IPv6
 * literal ("[::1]:5060"); a bare IPv6 literal without port ("::1") is
 * accepted too.  No name resolution.  A missing port gives 0.  Reads only
 * @s (no NUL needed).  On error *@sa is untouched.
 * Returns 0 or -EINVAL.
 */
int sx_sa_parse(struct sx_sa *sa, struct sx_sl s) SX_MUST_CHECK;

/** Set from an address literal (no brackets) and a port.  0 or -EINVAL. */
int sx_sa_set_str(struct sx_sa *sa, struct sx_sl addr,
                  uint16_t port) SX_MUST_CHECK;

/** Copy from a kernel sockaddr.  0, or -EAFNOSUPPORT/-EINVAL. */
int sx_sa_set_sockaddr(struct sx_sa *sa, const struct sockaddr *addr,
                       socklen_t len) SX_MUST_CHECK;

/** Address family: AF_INET, AF_INET6 or AF_UNSPEC. */
int sx_sa_af(const struct sx_sa *sa);

/** True when the family is AF_INET or AF_INET6. */
bool sx_sa_isset(const struct sx_sa *sa);

/** Port in host order (0 when unset). */
uint16_t sx_sa_port(const struct sx_sa *sa);

/** Set the port (ignored when unset). */
void sx_sa_set_port(struct sx_sa *sa, uint16_t port);

/** Same family, address and port. */
bool sx_sa_eq(const struct sx_sa *a, const struct sx_sa *b);

/** Same family and address; ports ignored. */
bool sx_sa_eq_addr(const struct sx_sa *a, const struct sx_sa *b);

/**
 * Total order (family, address bytes, port) for sorted tables:
 * <0, 0 or >0.  Unset sorts first.
 */
int sx_sa_cmp(const struct sx_sa *a, const struct sx_sa *b);

/** Hash of family, address and port (for hash tables). */
uint32_t sx_sa_hash(const struct sx_sa *sa);

/** 127.0.0.0/8 or ::1. */
bool sx_sa_is_loopback(const struct sx_sa *sa);

/** 0.0.0.0 or :: (the wildcard address). */
bool sx_sa_is_any(const struct sx_sa *sa);

/**
 * Print "1.2.3.4:5060" or "[::1]:5060" into @buf (NUL-terminated).
 * Returns the length without NUL, -EINVAL when unset, -ENOSPC when @size
 * is too small (use SX_SA_STRLEN).
 */
ssize_t sx_sa_print(const struct sx_sa *sa, char *buf, size_t size);

/** Print only the address, without brackets or port ("::1"). */
ssize_t sx_sa_print_addr(const struct sx_sa *sa, char *buf, size_t size);

#endif
