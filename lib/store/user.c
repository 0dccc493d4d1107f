/*
 * sx_store users: validation and copying of credential records before
 * they are queued, and the blocking reads.  HA1 values are the digest
 * hashes of RFC 2617 section 3.2.2.2 (MD5) and RFC 7616 section 3.4.2
 * (SHA-256), kept as lowercase hex.  sx_store_user_get_cached() serves
 * digest authentication from an in-memory copy of the users table,
 * reloaded when the users generation (bumped by triggers, schema 2)
 * moves.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

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

/* ---- the user cache (sx_store_user_get_cached) -------------------- */

/* Open addressing, linear probing; slots at most half full. */
struct sx_store__utab {
	size_t mask; /* slots - 1, slots a power of two */
	size_t n;
	struct sx_store_user **slot; /* referenced records */
};

/* Smallest slot count of a table. */
#define UTAB_MIN_SLOTS 16u

static void utab_destroy(void *obj)
{
	struct sx_store__utab *t = obj;
	for (size_t i = 0; t->slot && i <= t->mask; i++)
		sx_mem_unref(t->slot[i]);
	sx_mem_unref(t->slot);
}

/* An empty table for up to @n users. */
static struct sx_store__utab *utab_alloc(size_t n)
{
	size_t slots = UTAB_MIN_SLOTS;
	while (slots < 2 * n)
		slots *= 2;
	struct sx_store__utab *t = sx_mem_zalloc(sizeof(*t), utab_destroy);
	if (!t)
		return NULL;
	t->slot = sx_mem_zalloc(slots * sizeof(*t->slot), NULL);
	if (!t->slot)
		return sx_mem_unref(t);
	t->mask = slots - 1;
	return t;
}

/* The slot of @name: its record's, or the empty one ending its probe. */
static struct sx_store_user **utab_slot(struct sx_store__utab *t,
                                        struct sx_sl name)
{
	size_t i = sx_sl_hash(name) & t->mask;
	while (t->slot[i] && !sx_sl_eq(t->slot[i]->name, name))
		i = (i + 1) & t->mask;
	return &t->slot[i];
}

/* sx_store_user_h of a load: copy each user into the table. */
static int utab_add(const struct sx_store_user *u, void *arg)
{
	struct sx_store__utab *t = arg;

	if (2 * (t->n + 1) > t->mask + 1)
		return -EAGAIN; /* users were added since the count */
	struct sx_store_user **sp = utab_slot(t, u->name);
	if (*sp)
		return 0;
	*sp = sx_store_user_dup(u);
	if (!*sp)
		return -ENOMEM;
	t->n++;
	return 0;
}

/* Load the users table (under uc->mtx); NULL when it cannot be had
 * (*too_manyp: because it holds more than SX_STORE_USER_CACHE_MAX). */
static struct sx_store__utab *utab_load(struct sx_store *st, bool *too_manyp)
{
	ssize_t n = st->ops->user_count(st->be);
	*too_manyp = n > (ssize_t)SX_STORE_USER_CACHE_MAX;
	if (n < 0 || *too_manyp)
		return NULL;
	struct sx_store__utab *t = utab_alloc((size_t)n);
	if (t && st->ops->user_list(st->be, utab_add, t) < 0)
		t = sx_mem_unref(t);
	return t;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Bring the copy up to date when it may be stale (under uc->mtx): the
 * generation is read before the table, so a change between the two
 * only causes one more load later.  Without a table (a failed load, too
 * many users, no generation) lookups read the database.
 */
static void ucache_refresh(struct sx_store *st)
{
	struct sx_store__ucache *uc = &st->uc;
	uint64_t now = mono_ms(), gen;
	bool stale = atomic_exchange(&uc->stale, false);

	if (uc->loaded && !stale && now - uc->checked_ms < uc->max_age_ms)
		return;
	uc->checked_ms = now;
	if (st->ops->user_gen(st->be, &gen)) {
		uc->tab = sx_mem_unref(uc->tab);
		uc->loaded = false;
		return;
	}
	if (uc->loaded && gen == uc->gen && (uc->tab || uc->too_many))
		return;
	uc->tab = sx_mem_unref(uc->tab);
	uc->tab = utab_load(st, &uc->too_many);
	uc->loaded = true; /* a failed load is retried at the next check */
	uc->gen = gen;
}

int sx_store_user_get_cached(struct sx_store *st, struct sx_sl name,
                             struct sx_store_user **userp)
{
	struct sx_store_user *u = NULL;
	bool hit;

	if (!st || !userp ||
	    !sx_store__sl_ok(name, SX_STORE_USER_NAME_MAX, true))
		return -EINVAL;
	if (!st->ops->user_gen) /* a backend without generations */
		return st->ops->user_get(st->be, name, userp);
	pthread_mutex_lock(&st->uc.mtx);
	ucache_refresh(st);
	hit = st->uc.tab != NULL;
	if (hit)
		u = sx_mem_ref(*utab_slot(st->uc.tab, name));
	pthread_mutex_unlock(&st->uc.mtx);
	if (!hit) /* no copy: read the database */
		return st->ops->user_get(st->be, name, userp);
	if (!u)
		return -ENOENT;
	*userp = u;
	return 0;
}

void sx_store__ucache_init(struct sx_store__ucache *uc, unsigned max_age_ms)
{
	pthread_mutex_init(&uc->mtx, NULL);
	uc->tab = NULL;
	uc->loaded = false;
	uc->too_many = false;
	uc->max_age_ms = max_age_ms;
	atomic_init(&uc->stale, false);
}

void sx_store__ucache_fini(struct sx_store__ucache *uc)
{
	uc->tab = sx_mem_unref(uc->tab);
	pthread_mutex_destroy(&uc->mtx);
}
