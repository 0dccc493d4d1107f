/*
 * Schema-driven INI parser for sipxecs configuration files.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sx/util/conf.h>
#include <sx/util/mem.h>
#include <sx/util/sl.h>

static int fail(struct sx_conf_err *e, const char *file, unsigned line,
		const char *fmt, ...) SX_PRINTF(4, 5);

static int fail(struct sx_conf_err *e, const char *file, unsigned line,
		const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return -EINVAL;
	snprintf(e->file, sizeof(e->file), "%s", file);
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_bool(struct sx_sl v, bool *outp)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	for (size_t i = 0; i < SX_ARRAY_SIZE(yes); i++) {
		if (sx_sl_eq_cstr_nocase(v, yes[i])) {
			*outp = true;
			return 0;
		}
		if (sx_sl_eq_cstr_nocase(v, no[i])) {
			*outp = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Store value @v into the key's field; -EINVAL with a message in @why. */
static int set_value(const struct sx_conf_key *k, void *target,
		     struct sx_sl v, const char **why)
{
	char *field = (char *)target + k->offset;

	switch (k->type) {
	case SX_CONF_STR: {
		char *s = sx_mem_strndup(v.p ? v.p : "", v.len);
		if (!s)
			return -ENOMEM;
		char **dst = (char **)(void *)field;
		sx_mem_unref(*dst);
		*dst = s;
		return 0;
	}
	case SX_CONF_U32: {
		uint32_t n;
		int err = sx_sl_u32(v, &n);
		if (err == -ERANGE || (!err && (n < k->min || n > k->max))) {
			*why = "value out of range";
			return -EINVAL;
		}
		if (err) {
			*why = "not a number";
			return -EINVAL;
		}
		memcpy(field, &n, sizeof(n));
		return 0;
	}
	case SX_CONF_BOOL: {
		bool b;
		if (parse_bool(v, &b)) {
			*why = "not a boolean (yes/no)";
			return -EINVAL;
		}
		memcpy(field, &b, sizeof(b));
		return 0;
	}
	}
	*why = "bad key type";
	return -EINVAL;
}

int sx_conf_defaults(struct sx_conf_section *secs, size_t nsecs,
		     struct sx_conf_err *errp)
{
	for (size_t s = 0; s < nsecs; s++) {
		for (size_t i = 0; i < secs[s].nkeys; i++) {
			const struct sx_conf_key *k = &secs[s].keys[i];
			char *field = (char *)secs[s].target + k->offset;
			const char *why = NULL;
			if (!k->def) {
				if (k->type == SX_CONF_STR) {
					char **dst = (char **)(void *)field;
					*dst = sx_mem_unref(*dst);
				} else if (k->type == SX_CONF_U32) {
					memset(field, 0, sizeof(uint32_t));
				} else {
					memset(field, 0, sizeof(bool));
				}
				continue;
			}
			int err = set_value(k, secs[s].target,
					    sx_sl_cstr(k->def), &why);
			if (err == -ENOMEM)
				return err;
			if (err)
				return fail(errp, "(defaults)", 0,
					    "[%s] %s: default: %s",
					    secs[s].name, k->name, why);
		}
		secs[s].present = false;
	}
	return 0;
}

void sx_conf_free(struct sx_conf_section *secs, size_t nsecs)
{
	for (size_t s = 0; s < nsecs; s++)
		for (size_t i = 0; i < secs[s].nkeys; i++) {
			const struct sx_conf_key *k = &secs[s].keys[i];
			if (k->type != SX_CONF_STR)
				continue;
			char **dst = (char **)(void *)((char *)secs[s].target +
						       k->offset);
			*dst = sx_mem_unref(*dst);
		}
}

/* Strip a trailing comment (# or ;) outside quotes; unquote "...". */
static int clean_value(struct sx_sl v, struct sx_sl *outp)
{
	v = sx_sl_trim(v);
	if (v.len && v.p[0] == '"') {
		ssize_t q = sx_sl_chr(sx_sl_sub(v, 1, v.len), '"');
		if (q < 0)
			return -EINVAL;
		struct sx_sl rest = sx_sl_trim(sx_sl_sub(v, (size_t)q + 2,
							 v.len));
		if (rest.len && rest.p[0] != '#' && rest.p[0] != ';')
			return -EINVAL;
		*outp = sx_sl_make(v.p + 1, (size_t)q);
		return 0;
	}
	for (size_t i = 0; i < v.len; i++)
		if ((v.p[i] == '#' || v.p[i] == ';') &&
		    (i == 0 || v.p[i - 1] == ' ' || v.p[i - 1] == '\t')) {
			v.len = i;
			break;
		}
	*outp = sx_sl_trim(v);
	return 0;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static bool valid_name(struct sx_sl n)
{
	if (!n.len)
		return false;
	for (size_t i = 0; i < n.len; i++)
		if (!is_name_char(n.p[i]))
			return false;
	return true;
}

/* Bit set of keys seen in the current file, for duplicate detection. */
#define MAX_KEYS_TRACKED 4096

int sx_conf_load_buf(const char *name, const char *buf, size_t len,
		     struct sx_conf_section *secs, size_t nsecs,
		     struct sx_conf_err *errp)
{
	struct sx_conf_section *cur = NULL;
	size_t cur_base = 0; /* index of cur's first key in `seen` */
	unsigned char seen[MAX_KEYS_TRACKED / 8] = {0};
	size_t pos = 0;
	unsigned line = 0;

	if (len > SX_CONF_MAX_SIZE)
		return fail(errp, name, 0, "file larger than %d bytes",
			    SX_CONF_MAX_SIZE);
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		struct sx_sl l = sx_sl_make(buf + pos, end - pos);
		pos = end + 1;
		line++;
		if (l.len > SX_CONF_MAX_LINE)
			return fail(errp, name, line, "line too long");
		if (memchr(l.p, '\0', l.len))
			return fail(errp, name, line, "NUL byte in line");
		l = sx_sl_trim(l);
		if (!l.len || l.p[0] == '#' || l.p[0] == ';')
			continue;
		if (l.p[0] == '[') {
			if (l.p[l.len - 1] != ']')
				return fail(errp, name, line,
					    "section header without ']'");
			struct sx_sl sn = sx_sl_trim(sx_sl_sub(l, 1, l.len - 2));
			cur = NULL;
			cur_base = 0;
			for (size_t s = 0; s < nsecs; s++) {
				if (sx_sl_eq_cstr(sn, secs[s].name)) {
					cur = &secs[s];
					break;
				}
				cur_base += secs[s].nkeys;
			}
			if (!cur)
				return fail(errp, name, line,
					    "unknown section [%.*s]",
					    SX_SL_FMT(sn));
			cur->present = true;
			continue;
		}
		ssize_t eq = sx_sl_chr(l, '=');
		if (eq < 0)
			return fail(errp, name, line, "expected 'key = value'");
		struct sx_sl key = sx_sl_trim(sx_sl_sub(l, 0, (size_t)eq));
		struct sx_sl val;
		if (!valid_name(key))
			return fail(errp, name, line, "bad key name");
		if (!cur)
			return fail(errp, name, line,
				    "key '%.*s' outside a [section]",
				    SX_SL_FMT(key));
		if (clean_value(sx_sl_sub(l, (size_t)eq + 1, l.len), &val))
			return fail(errp, name, line, "unterminated quote");
		size_t i;
		for (i = 0; i < cur->nkeys; i++)
			if (sx_sl_eq_cstr(key, cur->keys[i].name))
				break;
		if (i == cur->nkeys)
			return fail(errp, name, line,
				    "unknown key '%.*s' in [%s]",
				    SX_SL_FMT(key), cur->name);
		size_t bit = cur_base + i;
		if (bit < MAX_KEYS_TRACKED) {
			if (seen[bit / 8] & (1u << (bit % 8)))
				return fail(errp, name, line,
					    "duplicate key '%s'",
					    cur->keys[i].name);
			seen[bit / 8] |= (unsigned char)(1u << (bit % 8));
		}
		const char *why = "bad value";
		int err = set_value(&cur->keys[i], cur->target, val, &why);
		if (err == -ENOMEM)
			return err;
		if (err)
			return fail(errp, name, line, "%s: %s", cur->keys[i].name,
				    why);
	}
	return 0;
}

int sx_conf_load_file(const char *path, struct sx_conf_section *secs,
		      size_t nsecs, struct sx_conf_err *errp)
{
	FILE *f = fopen(path, "rb");
	int err;
	if (!f) {
		err = -errno;
		fail(errp, path, 0, "cannot open: %s", strerror(-err));
		return err;
	}
	char *buf = sx_mem_alloc(SX_CONF_MAX_SIZE + 1, NULL);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	size_t n = fread(buf, 1, SX_CONF_MAX_SIZE + 1, f);
	if (ferror(f))
		err = fail(errp, path, 0, "read error");
	else
		err = sx_conf_load_buf(path, buf, n, secs, nsecs, errp);
	fclose(f);
	sx_mem_unref(buf);
	return err;
}
