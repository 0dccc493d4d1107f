/*
 * sx_conf: the configuration file parser (STYLE.md 2.8).
 *
 * One INI-like file with a section per service:
 *
 *	# comment            ; also a comment
 *	[registrar]
 *	bind = 127.0.0.1:5070
 *	max_bindings = 10
 *	realm = "example.com"   # quotes keep spaces and '#'
 *
 * Each service declares a schema table (name, type, default, bounds,
 * struct offset, reloadable or boot-only), as redis's static_configs[].
 * Unknown sections and keys, bad values, duplicates and values out of
 * bounds are errors naming the file and line.
 */
#ifndef SX_UTIL_CONF_H
#define SX_UTIL_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sx/util/compiler.h>

/** Longest accepted line of a configuration file. */
#define SX_CONF_MAX_LINE 4096
/** Largest configuration file accepted. */
#define SX_CONF_MAX_SIZE (1024 * 1024)

enum sx_conf_type {
	SX_CONF_STR,  /**< char * (sx_mem block, NUL-terminated) */
	SX_CONF_U32,  /**< uint32_t within [min, max] */
	SX_CONF_BOOL, /**< bool: yes/no, true/false, on/off, 1/0 */
};

struct sx_conf_key {
	const char *name;
	enum sx_conf_type type;
	size_t offset;	  /**< offsetof() into the section's struct */
	const char *def;  /**< default, written as in the file; NULL = none
			       (strings stay NULL, numbers 0) */
	uint32_t min, max; /**< bounds for SX_CONF_U32 */
	bool reloadable;  /**< applied on SIGHUP; else boot-only */
	const char *help; /**< one line for the config reference */
};

struct sx_conf_section {
	const char *name;		/**< "registrar" */
	const struct sx_conf_key *keys;
	size_t nkeys;
	void *target;			/**< struct the keys fill */
	bool present;			/**< set when the file has it */
};

/** Where and why loading failed. */
struct sx_conf_err {
	char file[256];
	unsigned line; /**< 0 when not tied to a line */
	char msg[256];
};

/**
 * Set every key of every section to its default.  Strings already set
 * are freed first.  0 or -ENOMEM; -EINVAL when a default does not parse
 * (a bug in the schema).
 */
int sx_conf_defaults(struct sx_conf_section *secs, size_t nsecs,
		     struct sx_conf_err *errp) SX_MUST_CHECK;

/**
 * Parse @len bytes named @name (for messages) on top of the current
 * values.  0, or -EINVAL with *errp filled, or -ENOMEM.
 */
int sx_conf_load_buf(const char *name, const char *buf, size_t len,
		     struct sx_conf_section *secs, size_t nsecs,
		     struct sx_conf_err *errp) SX_MUST_CHECK;

/** As sx_conf_load_buf() on a file; -errno when it cannot be read. */
int sx_conf_load_file(const char *path, struct sx_conf_section *secs,
		      size_t nsecs, struct sx_conf_err *errp) SX_MUST_CHECK;

/** Free the strings the loader allocated. */
void sx_conf_free(struct sx_conf_section *secs, size_t nsecs);

#endif
