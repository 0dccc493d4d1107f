/*
 * What the services' digest engines (RFC 7616, RFC 3261 22: the
 * registrar's 401, the proxy's 407) share: the HA1 lookup served by the
 * store, and the nonce secret kept in a file (hex, mode 0600, created on
 * first start) so that nonces issued before a restart stay valid.
 */
#define SX_LOG_MOD "host.auth"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <sx/sip/auth.h>
#include <sx/store/user.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "host_int.h"

/** Longest secret file: hex digits of the longest secret and a newline. */
#define SECRET_FILE_MAX (2 * SX_SIP_AUTH_SECRET_MAX + 2)
/** File mode of a new secret file: owner only. */
#define SECRET_MODE 0600

/* sx_sip_auth_lookup_h: HA1 values from the store's in-memory copy of
 * the users (no database read per request; a change made with sipxctl
 * applies within SX_STORE_USER_CACHE_MS_DEFAULT); a user stored under
 * another realm is unknown here. */
int sx_host_ha1_lookup(struct sx_sl user, struct sx_sl realm,
                       struct sx_sip_auth_ha1 *ha1p, void *arg)
{
	struct sx_host *h = arg;
	struct sx_store_user *u = NULL;
	int err = sx_store_user_get_cached(h->store, user, &u);

	if (err == -EINVAL)
		return -ENOENT; /* a name the store cannot hold */
	if (err)
		return err;
	if (!sx_sl_eq(u->realm, realm) ||
	    u->ha1_md5.len >= sizeof(ha1p->ha1_md5) ||
	    u->ha1_sha256.len >= sizeof(ha1p->ha1_sha256)) {
		err = -ENOENT;
		goto out;
	}
	memset(ha1p, 0, sizeof(*ha1p));
	memcpy(ha1p->ha1_md5, u->ha1_md5.p, u->ha1_md5.len);
	memcpy(ha1p->ha1_sha256, u->ha1_sha256.p, u->ha1_sha256.len);
out:
	sx_mem_unref(u);
	return err;
}

/* Read a hex secret; -EINVAL when the file does not hold one. */
static int secret_read(const char *path, uint8_t *sec, size_t *lenp)
{
	char hex[SECRET_FILE_MAX + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, hex, sizeof(hex));
	int err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
		n--;
	if (n % 2 || n / 2 < SX_SIP_AUTH_SECRET_MIN ||
	    n / 2 > SX_SIP_AUTH_SECRET_MAX)
		return -EINVAL;
	for (ssize_t i = 0; i < n / 2; i++) {
		int hi = sx_hexval(hex[2 * i]), lo = sx_hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		sec[i] = (uint8_t)(hi << 4 | lo);
	}
	*lenp = (size_t)n / 2;
	return 0;
}

/* Make a random secret and store it in a new file (O_EXCL). */
static int secret_create(const char *path, uint8_t *sec, size_t *lenp)
{
	char hex[SECRET_FILE_MAX + 1];
	size_t len = SX_SIP_AUTH_SECRET_LEN;

	if (getrandom(sec, len, 0) != (ssize_t)len)
		return -EIO;
	for (size_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", sec[i]);
	hex[2 * len] = '\n';
	int fd =
	    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, SECRET_MODE);
	if (fd < 0)
		return -errno;
	int err = write(fd, hex, 2 * len + 1) == (ssize_t)(2 * len + 1) &&
	                  fsync(fd) == 0
	              ? 0
	              : -EIO;
	close(fd);
	if (err)
		unlink(path);
	else
		*lenp = len;
	return err;
}

static int secret_load(const char *path, uint8_t *sec, size_t *lenp)
{
	int err = secret_read(path, sec, lenp);

	if (err == -ENOENT) {
		err = secret_create(path, sec, lenp);
		if (err == -EEXIST) /* another process just made it */
			err = secret_read(path, sec, lenp);
	}
	return err;
}

int sx_host__auth_open(struct sx_host *h)
{
	const struct sx_host_cfg *cfg = h->cfg;
	size_t len = 0;
	int err = secret_load(cfg->secret_path, h->auth_secret, &len);

	if (err == -EINVAL) {
		SX_LOG_ERR("%s: not a hex secret of %d..%d bytes",
		           cfg->secret_path, SX_SIP_AUTH_SECRET_MIN,
		           SX_SIP_AUTH_SECRET_MAX);
		return err;
	}
	if (err) {
		/* one random secret all the same: every engine of this
		 * process still verifies the others' nonces */
		SX_LOG_WARN("%s: %s; nonces will not survive a restart",
		            cfg->secret_path, strerror(-err));
		len = SX_SIP_AUTH_SECRET_LEN;
		if (getrandom(h->auth_secret, len, 0) != (ssize_t)len) {
			SX_LOG_ERR("no random secret: %s", strerror(errno));
			return -EIO;
		}
	}
	h->auth_secret_len = len;
	return 0;
}
