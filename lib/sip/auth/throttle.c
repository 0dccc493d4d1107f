/*
 * Throttling of failed digest authentications per source address and
 * per username (brute-force protection, RFC 7616 5.4 / RFC 3261 26.1),
 * and the nonce-count memory that refuses replays for qop=auth (RFC 2617
 * 3.2.2 nonce-count, RFC 7616 3.4).  Both sit on bounded LRU tables.
 *
 * Throttle rule: SX_SIP_AUTH_THROTTLE_FAILS failures within the window
 * start a block of MIN(2^level, max) seconds, level counting the blocks
 * so far; each quiet SX_SIP_AUTH_THROTTLE_DECAY_S after the last block
 * or failure lowers the level by one; a success forgets the key.
 */
#define SX_LOG_MOD "sip.auth"

#include <errno.h>
#include <string.h>

#include <sx/util/log.h>

#include "auth_int.h"

/** Domain separation of the table keys. */
#define SRC_TAG  "sx-thr-src"
#define USER_TAG "sx-thr-user"
/** Highest level kept (2^level overflows nothing below it). */
#define LEVEL_MAX 32

static int tagged_key(const struct sx_sip_auth *a, const char *tag,
                      size_t taglen, const void *data, size_t len,
                      uint8_t key[SX_AUTH_KEY_LEN])
{
	uint8_t in[sizeof(USER_TAG) + SX_SIP_AUTH_MAX_USER_LEN];
	uint8_t mac[SX_AUTH_MAC_LEN];
	int err;

	if (taglen + len > sizeof(in))
		return -E2BIG;
	memcpy(in, tag, taglen);
	memcpy(in + taglen, data, len);
	err =
	    sx_sip_auth__hmac(a->secret, a->secret_len, in, taglen + len, mac);
	if (!err)
		memcpy(key, mac, SX_AUTH_KEY_LEN);
	return err;
}

int sx_sip_auth__src_key(const struct sx_sip_auth *a, const struct sx_sa *src,
                         uint8_t key[SX_AUTH_KEY_LEN])
{
	uint8_t addr[17];

	switch (src ? sx_sa_af(src) : AF_UNSPEC) {
	case AF_INET:
		addr[0] = 4;
		memcpy(addr + 1, &src->u.in.sin_addr, 4);
		return tagged_key(a, SRC_TAG, sizeof(SRC_TAG), addr, 5, key);
	case AF_INET6:
		addr[0] = 6;
		memcpy(addr + 1, &src->u.in6.sin6_addr, 16);
		return tagged_key(a, SRC_TAG, sizeof(SRC_TAG), addr, 17, key);
	default:
		return -ENOENT;
	}
}

int sx_sip_auth__user_key(const struct sx_sip_auth *a, struct sx_sl user,
                          uint8_t key[SX_AUTH_KEY_LEN])
{
	return tagged_key(a, USER_TAG, sizeof(USER_TAG), user.p, user.len, key);
}

/* RFC-style formula: MIN(BASE << (level - 1), MAX), i.e. 2^level s. */
static uint64_t block_s(const struct sx_sip_auth *a, uint32_t level)
{
	uint64_t s = (uint64_t)SX_SIP_AUTH_THROTTLE_BASE_S << (level - 1);

	return SX_MIN(s, (uint64_t)a->thr_max_s);
}

static void decay(struct sx_auth_thr *e, uint64_t now)
{
	uint64_t steps;

	if (!e->level || now <= e->calm_since)
		return;
	steps = (now - e->calm_since) / SX_SIP_AUTH_THROTTLE_DECAY_S;
	e->level = steps >= e->level ? 0 : e->level - (uint32_t)steps;
	e->calm_since += steps * SX_SIP_AUTH_THROTTLE_DECAY_S;
}

uint32_t sx_sip_auth__thr_blocked(struct sx_auth_lru *t,
                                  const uint8_t key[SX_AUTH_KEY_LEN],
                                  uint64_t now)
{
	union sx_auth_val *v;
	uint64_t left = 0;

	pthread_mutex_lock(&t->lock);
	v = sx_sip_auth__lru_get(t, key);
	if (v && v->thr.blocked_until > now)
		left = v->thr.blocked_until - now;
	pthread_mutex_unlock(&t->lock);
	return (uint32_t)SX_MIN(left, (uint64_t)UINT32_MAX);
}

void sx_sip_auth__thr_fail(struct sx_sip_auth *a, struct sx_auth_lru *t,
                           const uint8_t key[SX_AUTH_KEY_LEN], uint64_t now)
{
	union sx_auth_val *v;
	struct sx_auth_thr *e;

	pthread_mutex_lock(&t->lock);
	v = sx_sip_auth__lru_get(t, key);
	if (!v)
		v = sx_sip_auth__lru_put(t, key, NULL, NULL);
	e = &v->thr;
	decay(e, now);
	if (!e->fails || now - e->window_start >= a->thr_window_s ||
	    now < e->window_start) {
		e->window_start = now;
		e->fails = 0;
	}
	if (++e->fails >= a->thr_fails) {
		if (e->level < LEVEL_MAX)
			e->level++;
		e->blocked_until = now + block_s(a, e->level);
		e->fails = 0;
		SX_LOG_INFO_RL("throttling after %u failures: level %u, %llu s",
		               a->thr_fails, e->level,
		               (unsigned long long)(e->blocked_until - now));
	}
	e->calm_since = SX_MAX(now, e->blocked_until);
	pthread_mutex_unlock(&t->lock);
}

void sx_sip_auth__thr_clear(struct sx_auth_lru *t,
                            const uint8_t key[SX_AUTH_KEY_LEN])
{
	pthread_mutex_lock(&t->lock);
	sx_sip_auth__lru_del(t, key);
	pthread_mutex_unlock(&t->lock);
}

bool sx_sip_auth__nc_accept(struct sx_sip_auth *a,
                            const uint8_t key[SX_AUTH_KEY_LEN], uint64_t ts,
                            uint32_t nc)
{
	union sx_auth_val *v, old;
	bool ok = true, evicted;

	pthread_mutex_lock(&a->nc.lock);
	v = sx_sip_auth__lru_get(&a->nc, key);
	if (v) {
		ok = nc > v->nc.nc;
		if (ok)
			v->nc.nc = nc;
	} else if (ts <= a->nc_evicted_ts) {
		/* its count may have been evicted: never reopen a replay */
		ok = false;
	} else {
		v = sx_sip_auth__lru_put(&a->nc, key, &old, &evicted);
		if (evicted)
			a->nc_evicted_ts = SX_MAX(a->nc_evicted_ts, old.nc.ts);
		v->nc.ts = ts;
		v->nc.nc = nc;
	}
	pthread_mutex_unlock(&a->nc.lock);
	return ok;
}
