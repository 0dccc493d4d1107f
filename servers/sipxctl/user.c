/*
 * sipxctl user commands: add, import (CSV), list, delete.  Only digest
 * HA1 values are stored: MD5 (RFC 2617 3.2.2.2) and SHA-256 (RFC 7616
 * 3.4.2) of "name:realm:password", with the configured realm.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sx/sip/auth.h>
#include <sx/store/user.h>
#include <sx/util/mem.h>

#include "ctl.h"

/** Longest accepted password and CSV line. */
#define PASSWORD_MAX 256
#define CSV_LINE_MAX (SX_STORE_USER_NAME_MAX + PASSWORD_MAX + 4)

/** A user with its HA1 values, as imported. */
struct cred {
	char name[SX_STORE_USER_NAME_MAX + 1];
	struct sx_sip_auth_ha1 ha1;
};

/* RFC 3261 25.1 user part without escapes: unreserved / user-unreserved. */
static bool valid_name(const char *s)
{
	static const char extra[] = "-_.!~*'()&=+$,;?/";
	size_t n = strlen(s);

	if (!n || n > SX_STORE_USER_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr(extra, s[i])))
			return false;
	return true;
}

static bool valid_password(const char *s)
{
	size_t n = strlen(s);

	return n && n <= PASSWORD_MAX && !strpbrk(s, "\r\n");
}

/* Fill @cr for @name/@pw in the configured realm. */
static int cred_make(const struct ctl *c, const char *name, const char *pw,
                     struct cred *cr)
{
	snprintf(cr->name, sizeof(cr->name), "%s", name);
	return sx_sip_auth_ha1_compute(&cr->ha1, sx_sl_cstr(name),
	                               sx_sl_cstr(c->cfg->sip.realm),
	                               sx_sl_cstr(pw));
}

static struct sx_store_user cred_user(const struct ctl *c,
                                      const struct cred *cr)
{
	return (struct sx_store_user){
	    .name = sx_sl_cstr(cr->name),
	    .realm = sx_sl_cstr(c->cfg->sip.realm),
	    .ha1_md5 = sx_sl_cstr(cr->ha1.ha1_md5),
	    .ha1_sha256 = sx_sl_cstr(cr->ha1.ha1_sha256),
	};
}

/* The password from stdin (one line) when --password is not given. */
static int read_password(char *buf, size_t size)
{
	if (!fgets(buf, (int)size, stdin))
		return -EIO;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int user_add(struct ctl *c, int argc, char **argv)
{
	char pwbuf[PASSWORD_MAX + 2];
	const char *pw = NULL;
	struct cred cr;

	if (argc == 4 && !strcmp(argv[2], "--password"))
		pw = argv[3];
	else if (argc != 2)
		return ctl_usage("user add NAME [--password PW]");
	if (!valid_name(argv[1]))
		return ctl_fail("'%s' is not a valid user name (letters, "
		                "digits and -_.!~*'()&=+$,;?/ up to %u)",
		                argv[1], SX_STORE_USER_NAME_MAX);
	if (!pw) {
		if (read_password(pwbuf, sizeof(pwbuf)))
			return ctl_fail("no password given");
		pw = pwbuf;
	}
	if (!valid_password(pw))
		return ctl_fail("the password must have 1..%d characters",
		                PASSWORD_MAX);
	if (cred_make(c, argv[1], pw, &cr))
		return ctl_fail("cannot compute the digest");
	struct sx_store_user u = cred_user(c, &cr);
	int err = sx_store_user_add(c->store, &u, NULL);
	if (err == -EEXIST)
		return ctl_fail("user %s exists", argv[1]);
	if (err)
		return ctl_fail("cannot add %s: %s", argv[1], strerror(-err));
	printf("added %s (realm %s)\n", argv[1], c->cfg->sip.realm);
	return CTL_OK;
}

static int user_del(struct ctl *c, int argc, char **argv)
{
	if (argc != 2)
		return ctl_usage("user del NAME");
	int err = sx_store_user_delete(c->store, sx_sl_cstr(argv[1]), NULL);
	if (err == -ENOENT || err == -EINVAL)
		return ctl_fail("no user %s", argv[1]);
	if (err)
		return ctl_fail("cannot delete %s: %s", argv[1],
		                strerror(-err));
	printf("deleted %s\n", argv[1]);
	return CTL_OK;
}

static int print_user(const struct sx_store_user *u, void *arg)
{
	(void)arg;
	printf("%.*s\t%.*s\t%s%s%s\n", SX_SL_FMT(u->name), SX_SL_FMT(u->realm),
	       u->ha1_md5.len ? "md5" : "",
	       u->ha1_md5.len && u->ha1_sha256.len ? "," : "",
	       u->ha1_sha256.len ? "sha256" : "");
	return 0;
}

static int user_list(struct ctl *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return ctl_usage("user list");
	ssize_t n = sx_store_user_list(c->store, print_user, NULL);
	if (n < 0)
		return ctl_fail("cannot list users: %s", strerror((int)-n));
	return CTL_OK;
}

/* -- import -------------------------------------------------------------- */

/* One CSV line "name,password" into @cr; NULL error text when fine. */
static const char *csv_line(const struct ctl *c, char *line, struct cred *cr)
{
	char *comma = strchr(line, ',');

	if (!comma)
		return "expected name,password";
	*comma = '\0';
	if (!valid_name(line))
		return "bad user name";
	if (!valid_password(comma + 1))
		return "bad password (1..256 characters)";
	if (cred_make(c, line, comma + 1, cr))
		return "cannot compute the digest";
	return NULL;
}

/* Read every line of @f into the array *@crp (grown as needed). */
static int csv_read(const struct ctl *c, FILE *f, const char *path,
                    struct cred **crp, size_t *np)
{
	char line[CSV_LINE_MAX + 2];
	size_t cap = 0, n = 0;
	unsigned lineno = 0;

	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t len = strcspn(line, "\r\n");
		if (len == strlen(line) && !feof(f))
			return ctl_fail("%s:%u: line too long", path, lineno);
		line[len] = '\0';
		if (!len || line[0] == '#' ||
		    (lineno == 1 && !strcmp(line, "name,password")))
			continue;
		if (n == SX_STORE_IMPORT_MAX)
			return ctl_fail("%s:%u: more than %u users", path,
			                lineno, SX_STORE_IMPORT_MAX);
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			struct cred *g = sx_mem_realloc(*crp, cap * sizeof(*g));
			if (!g)
				return ctl_fail("out of memory");
			*crp = g;
		}
		const char *why = csv_line(c, line, &(*crp)[n]);
		if (why)
			return ctl_fail("%s:%u: %s", path, lineno, why);
		n++;
	}
	if (ferror(f))
		return ctl_fail("%s: read error", path);
	*np = n;
	return CTL_OK;
}

static int csv_store(struct ctl *c, const struct cred *cr, size_t n)
{
	struct sx_store_user *users = sx_mem_alloc(n * sizeof(*users), NULL);
	int rc = CTL_OK;

	if (!users)
		return ctl_fail("out of memory");
	for (size_t i = 0; i < n; i++)
		users[i] = cred_user(c, &cr[i]);
	int err = sx_store_user_import(c->store, users, n, NULL);
	if (err)
		rc = ctl_fail("import failed, nothing stored: %s",
		              strerror(-err));
	else
		printf("imported %zu user%s\n", n, n == 1 ? "" : "s");
	sx_mem_unref(users);
	return rc;
}

static int user_import(struct ctl *c, int argc, char **argv)
{
	struct cred *cr = NULL;
	size_t n = 0;

	if (argc != 2)
		return ctl_usage("user import FILE.csv");
	FILE *f = fopen(argv[1], "r");
	if (!f)
		return ctl_fail("%s: %s", argv[1], strerror(errno));
	int rc = csv_read(c, f, argv[1], &cr, &n);
	fclose(f);
	if (!rc && !n)
		rc = ctl_fail("%s: no users", argv[1]);
	if (!rc)
		rc = csv_store(c, cr, n);
	if (cr)
		explicit_bzero(cr, sx_mem_size(cr));
	sx_mem_unref(cr);
	return rc;
}

int ctl_user(struct ctl *c, int argc, char **argv)
{
	if (argc < 1)
		return ctl_usage("user needs add, import, list or del");
	if (!strcmp(argv[0], "add"))
		return user_add(c, argc, argv);
	if (!strcmp(argv[0], "import"))
		return user_import(c, argc, argv);
	if (!strcmp(argv[0], "list"))
		return user_list(c, argc, argv);
	if (!strcmp(argv[0], "del"))
		return user_del(c, argc, argv);
	return ctl_usage("unknown user command '%s'", argv[0]);
}
