/*
 * sx_store users: validation and copying of credential records before
 * they are queued, and the blocking reads.  HA1 values are the digest
 * hashes of RFC 2617 section 3.2.2.2 (MD5) and RFC 7616 section 3.4.2
 * (SHA-256), kept as lowercase hex.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <sx/store/backend.h>
#include <sx/store/user.h>
#include <sx/util/mem.h>

#include "store_int.h"

/* Empty, or exactly @len hex digits. */
static bool ha1_ok(struct sx_sl h, size_t len)
{
	if (!h.len)
		return true;
	if (h.len != len || !h.p)
		return false;
	for (size_t i = 0; i < h.len; i++)
		if (sx_hexval((unsigned char)h.p[i]) < 0)
			return false;
	return true;
}

static bool user_ok(const struct sx_store_user *u)
{
	return u && sx_store__sl_ok(u->name, SX_STORE_USER_NAME_MAX, true) &&
	       sx_store__sl_ok(u->realm, SX_STORE_REALM_MAX, true) &&
	       ha1_ok(u->ha1_md5, SX_STORE_HA1_MD5_LEN) &&
	       ha1_ok(u->ha1_sha256, SX_STORE_HA1_SHA256_LEN);
}

static size_t user_size(const struct sx_store_user *u)
{
	return sx_store__sl_size(u->name) + sx_store__sl_size(u->realm) +
	       sx_store__sl_size(u->ha1_md5) + sx_store__sl_size(u->ha1_sha256);
}

/* Copy as sx_store__pack(), folding hex letters to lowercase. */
static struct sx_sl pack_lower(char **pp, struct sx_sl s)
{
	struct sx_sl c = sx_store__pack(pp, s);
	char *p = (char *)(uintptr_t)c.p;
	for (size_t i = 0; i < c.len; i++)
		if (p[i] >= 'A' && p[i] <= 'F')
			p[i] = (char)(p[i] - 'A' + 'a');
	return c;
}

static void user_pack(char **pp, struct sx_store_user *dst,
                      const struct sx_store_user *u)
{
	dst->name = sx_store__pack(pp, u->name);
	dst->realm = sx_store__pack(pp, u->realm);
	dst->ha1_md5 = pack_lower(pp, u->ha1_md5);
	dst->ha1_sha256 = pack_lower(pp, u->ha1_sha256);
}

struct sx_store_user *sx_store_user_dup(const struct sx_store_user *u)
{
	struct sx_store_user *dup;

	if (!u)
		return NULL;
	dup = sx_mem_zalloc(sizeof(*dup) + user_size(u), NULL);
	if (!dup)
		return NULL;
	char *p = (char *)(dup + 1);
	user_pack(&p, dup, u);
	return dup;
}

static int user_write(struct sx_store *st, enum sx_store_wr_kind kind,
                      const struct sx_store_user *u,
                      const struct sx_store_cb *cb)
{
	char *p;

	if (!st || !user_ok(u) || !sx_store__cb_ok(cb))
		return -EINVAL;
	struct sx_store__op *op = sx_store__op_alloc(kind, user_size(u), &p);
	if (!op)
		return -ENOMEM;
	user_pack(&p, &op->wr.u.user, u);
	return sx_store__submit(st, op, cb);
}

int sx_store_user_add(struct sx_store *st, const struct sx_store_user *u,
                      const struct sx_store_cb *cb)
{
	return user_write(st, SX_STORE_WR_USER_ADD, u, cb);
}

int sx_store_user_put(struct sx_store *st, const struct sx_store_user *u,
                      const struct sx_store_cb *cb)
{
	return user_write(st, SX_STORE_WR_USER_PUT, u, cb);
}

int sx_store_user_delete(struct sx_store *st, struct sx_sl name,
                         const struct sx_store_cb *cb)
{
	char *p;

	if (!st || !sx_store__sl_ok(name, SX_STORE_USER_NAME_MAX, true) ||
	    !sx_store__cb_ok(cb))
		return -EINVAL;
	struct sx_store__op *op = sx_store__op_alloc(
	    SX_STORE_WR_USER_DELETE, sx_store__sl_size(name), &p);
	if (!op)
		return -ENOMEM;
	op->wr.u.key[0] = sx_store__pack(&p, name);
	return sx_store__submit(st, op, cb);
}

int sx_store_user_import(struct sx_store *st, const struct sx_store_user *users,
                         size_t n, const struct sx_store_cb *cb)
{
	size_t size;
	char *p;

	if (!st || !users || !n || n > SX_STORE_IMPORT_MAX ||
	    !sx_store__cb_ok(cb))
		return -EINVAL;
	/* bounded: n and every field length are capped */
	size = n * sizeof(*users);
	for (size_t i = 0; i < n; i++) {
		if (!user_ok(&users[i]))
			return -EINVAL;
		size += user_size(&users[i]);
	}
	struct sx_store__op *op =
	    sx_store__op_alloc(SX_STORE_WR_USER_IMPORT, size, &p);
	if (!op)
		return -ENOMEM;
	struct sx_store_user *copy = (struct sx_store_user *)(void *)p;
	p += n * sizeof(*users);
	for (size_t i = 0; i < n; i++)
		user_pack(&p, &copy[i], &users[i]);
	op->wr.u.import.users = copy;
	op->wr.u.import.n = n;
	return sx_store__submit(st, op, cb);
}

int sx_store_user_get(struct sx_store *st, struct sx_sl name,
                      struct sx_store_user **userp)
{
	if (!st || !userp ||
	    !sx_store__sl_ok(name, SX_STORE_USER_NAME_MAX, true))
		return -EINVAL;
	return st->ops->user_get(st->be, name, userp);
}

ssize_t sx_store_user_list(struct sx_store *st, sx_store_user_h *fn, void *arg)
{
	if (!st || !fn)
		return -EINVAL;
	return st->ops->user_list(st->be, fn, arg);
}

ssize_t sx_store_user_count(struct sx_store *st)
{
	if (!st)
		return -EINVAL;
	return st->ops->user_count(st->be);
}
