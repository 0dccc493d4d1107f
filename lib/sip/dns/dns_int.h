/*
 * Private state of the RFC 3263 resolver, shared by resolver.c (c-ares on
 * the loop), cache.c (TTL/LRU cache), wire.c (answer parser), locate.c
 * (the RFC 3263 steps) and targets.c (target lists, RFC 2782 ordering).
 * Not a public header.
 */
#ifndef SX_SIP_DNS_INT_H
#define SX_SIP_DNS_INT_H

#include <ares.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/port/tmr.h>
#include <sx/sip/dns.h>

/* RR types and class (RFC 1035 3.2.2, RFC 3596, RFC 2782, RFC 3403). */
enum {
	DNS_T_A = 1,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_AAAA = 28,
	DNS_T_SRV = 33,
	DNS_T_NAPTR = 35,
	DNS_C_IN = 1,
};

/** Room for a name in text form plus NUL. */
#define DNS_NAME_SZ (SX_SIP_DNS_NAME_MAX + 1)

/** A usable NAPTR record (flags "s", supported SIP service). */
struct dns_naptr {
	uint16_t order;
	uint16_t pref;
	enum sx_sip_proto proto; /* from the service field */
	char repl[DNS_NAME_SZ];  /* replacement, lower case */
};

/** An SRV record (RFC 2782); target "" stands for ".". */
struct dns_srv {
	uint16_t prio;
	uint16_t weight;
	uint16_t port;
	char target[DNS_NAME_SZ];
};

/** What wire.c makes of one answer: a bounded scratch on the stack. */
struct dns_answer {
	int status;   /* 0 (records), -ENOENT (NXDOMAIN), -ENODATA */
	uint32_t ttl; /* least TTL of the records used, or negative TTL */
	bool has_ttl; /* false: negative without SOA, not cacheable */
	size_t n;
	union {
		struct dns_naptr naptr[SX_SIP_DNS_RR_MAX];
		struct dns_srv srv[SX_SIP_DNS_RR_MAX];
		struct sx_sa addr[SX_SIP_DNS_RR_MAX];
	} rr;
};

/**
 * The answer for one (name, type): an sx_mem block that is also a cache
 * entry.  The cache holds one reference while linked; queries take their
 * own.  Records follow the header in the same block.
 */
struct dns_rrset {
	struct dns_rrset *hnext; /* hash chain */
	struct dns_rrset *lprev; /* LRU list, head = most recently used */
	struct dns_rrset *lnext;
	bool cached;
	uint32_t hash;
	uint16_t type;
	int status;       /* as struct dns_answer */
	uint64_t expires; /* loop ms */
	size_t n;
	char name[DNS_NAME_SZ];
	const struct dns_naptr *naptr; /* records, by type */
	const struct dns_srv *srv;
	const struct sx_sa *addr;
	alignas(max_align_t) unsigned char data[];
};

struct dns_cache {
	struct dns_rrset **bucket;
	size_t nbucket; /* power of two */
	struct dns_rrset *lru_head;
	struct dns_rrset *lru_tail;
	size_t count;
	size_t max;
};

/** A name to look up for SRV (RFC 3263 4.1 result). */
struct dns_slot {
	enum sx_sip_proto proto;
	enum sx_sip_dns_src src;
	uint16_t order; /* NAPTR order/preference, 0 without NAPTR */
	uint16_t pref;
	char name[DNS_NAME_SZ];
	struct dns_rrset *rr; /* answer, referenced */
	int err;
};

/** A host to look up for A and AAAA. */
struct dns_host {
	char name[DNS_NAME_SZ];
	struct dns_rrset *rr[2]; /* [0] A, [1] AAAA, referenced */
	int err[2];
};

/** One way to reach a host: what every address of it becomes. */
struct dns_use {
	uint8_t host; /* index in hosts[] */
	enum sx_sip_proto proto;
	enum sx_sip_dns_src src;
	uint16_t port;
	uint16_t order, pref;
	uint16_t prio, weight;
};

enum dns_stage {
	DNS_STAGE_NAPTR,
	DNS_STAGE_SRV,
	DNS_STAGE_ADDR,
	DNS_STAGE_DONE,
};

/* One resolution (sx_mem block).  References: one from the resolver
 * while live (linked), one per DNS request in flight. */
struct sx_sip_dns_query {
	struct sx_sip_dns *dns;
	struct sx_sip_dns_query *prev, *next; /* dns->queries while live */
	bool linked;
	struct sx_tmr tmr; /* deadline; re-armed to 0 to deliver */
	sx_sip_dns_h *h;
	void *arg;
	enum dns_stage stage;
	bool sips;
	unsigned pending;                /* lookups outstanding in this stage */
	int err;                         /* first hard lookup error */
	int result;                      /* delivered error */
	struct sx_sip_dns_targets *list; /* delivered list */
	char host[DNS_NAME_SZ];
	struct dns_rrset *naptr;
	struct dns_slot slot[SX_SIP_DNS_NAPTR_MAX];
	unsigned nslot;
	struct dns_host hosts[SX_SIP_DNS_HOSTS_MAX];
	unsigned nhost;
	struct dns_use use[SX_SIP_DNS_TARGETS_MAX];
	unsigned nuse;
};

struct sx_sip_dns {
	struct sx_ev *loop;
	ares_channel channel;
	bool channel_ok;
	struct sx_tmr tmr; /* c-ares timeouts (ares_timeout()) */
	unsigned depth;    /* > 0 while inside ares_process_fd() */
	int fatal;         /* socket watch failure, handled by settle */
	int failing;       /* error given to queries cancelled by it */
	bool destroying;
	struct dns_cache cache;
	struct sx_sip_dns_query *queries; /* live queries */
	unsigned query_timeout_ms;
	enum sx_sip_dns_af af;
	uint32_t protos;
	sx_sip_dns_rand_h *rand_h;
	void *rand_arg;
	uint64_t prng; /* xorshift64* state for the default source */
};

struct sx_sip_dns_targets {
	size_t n;
	size_t next;
	struct sx_sip_dns_target t[];
};

/* wire.c */
/** Parse a DNS response for (@qname, @qtype); 0 or -EBADMSG. */
int sx_sip_dns__parse(const unsigned char *buf, size_t len, const char *qname,
                      uint16_t qtype, struct dns_answer *out);
/** Lower-case and check a host name ([A-Za-z0-9_-] labels of 1..63,
 *  at most SX_SIP_DNS_NAME_MAX, one trailing dot allowed) into @out. */
int sx_sip_dns__name_norm(struct sx_sl in, char out[DNS_NAME_SZ]);

/* cache.c */
int sx_sip_dns__cache_init(struct dns_cache *c, size_t max);
void sx_sip_dns__cache_fini(struct dns_cache *c);
void sx_sip_dns__cache_flush(struct dns_cache *c);
/** Live entry for (@name, @type) (borrowed), NULL if none or expired. */
struct dns_rrset *sx_sip_dns__cache_get(struct dns_cache *c, const char *name,
                                        uint16_t type, uint64_t now);
/** Insert @rr (takes a reference), replacing an older entry. */
void sx_sip_dns__cache_put(struct dns_cache *c, struct dns_rrset *rr);
/** New rrset from a parsed answer (not cached yet). */
struct dns_rrset *sx_sip_dns__rrset_new(const char *name, uint16_t type,
                                        const struct dns_answer *a,
                                        uint64_t now);

/* resolver.c */
/** Look up (@name, @type) for @q: from the cache at once, else through
 *  c-ares; the answer goes to sx_sip_dns__query_answer(). */
int sx_sip_dns__lookup(struct sx_sip_dns_query *q, const char *name,
                       uint16_t type, unsigned tag);
/** After calling into c-ares from outside it: handle socket failures,
 *  re-arm the timeout timer. */
void sx_sip_dns__settle(struct sx_sip_dns *dns);
uint32_t sx_sip_dns__rand(struct sx_sip_dns *dns);

/* locate.c */
/** Answer (or error) for the lookup tagged @tag of @q; @rr borrowed. */
void sx_sip_dns__query_answer(struct sx_sip_dns_query *q, unsigned tag, int err,
                              struct dns_rrset *rr);
/** Drop a live query without calling its handler (resolver teardown). */
void sx_sip_dns__query_drop(struct sx_sip_dns_query *q);

/* targets.c */
/** RFC 2782: order @n SRV records by priority, then weighted random;
 *  writes the record indices to @idx. */
void sx_sip_dns__srv_order(struct sx_sip_dns *dns, const struct dns_srv *srv,
                           size_t n, unsigned *idx);
/** Address families of a host in the configured order (0 = A,
 *  1 = AAAA) into @fam; returns how many. */
size_t sx_sip_dns__fam_order(enum sx_sip_dns_af af, unsigned fam[2]);
/** Build the target list of a query from its uses and host answers.
 *  0, -ENOENT (no address), -ENOMEM. */
int sx_sip_dns__targets_build(struct sx_sip_dns_query *q,
                              struct sx_sip_dns_targets **listp);

#endif
