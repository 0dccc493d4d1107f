/*
 * In-band DTMF (ITU-T Q.23 frequencies, Q.24 timing and levels) through
 * spandsp's dtmf_tx/dtmf_rx.  The spandsp state structs are embedded in
 * our ports (SPANDSP_EXPOSE_INTERNAL_STRUCTURES) and initialised in place,
 * so spandsp itself allocates nothing.  RFC 4733 telephone-events are the
 * out-of-band alternative and live in lib/rtp.
 */
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include <spandsp.h>

#include <assert.h>
#include <errno.h>
#include <string.h>

#include <sx/media/dtmf.h>

#include "media_int.h"

static_assert(SX_MEDIA_DTMF_DIGITS_MAX == MAX_DTMF_DIGITS,
              "player queue size must match spandsp's");

/* spandsp's dtmf module is built for the 8 kHz telephone band. */
#define DTMF_RATE 8000

struct dtmf_player {
	struct sx_media_port port;
	dtmf_tx_state_t tx;
};

struct dtmf_detector {
	struct sx_media_port port;
	dtmf_rx_state_t rx;
	sx_media_dtmf_h *h;
	void *arg;
};

/* Upper-cases the valid digits of @in into @out; -EINVAL on others. */
static int digits_norm(const char *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c >= 'a' && c <= 'd')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || c == '*' || c == '#' ||
		      (c >= 'A' && c <= 'D')))
			return -EINVAL;
		out[i] = c;
	}
	return 0;
}

/* -- player ---------------------------------------------------------- */

static int player_get(struct sx_media_port *p, int16_t *pcm, size_t n)
{
	struct dtmf_player *pl = (struct dtmf_player *)p;
	int r = dtmf_tx(&pl->tx, pcm, (int)n);
	if (r < 0)
		r = 0;
	if ((size_t)r < n)
		memset(pcm + r, 0, (n - (size_t)r) * sizeof(*pcm));
	return r;
}

static void player_destroy(struct sx_media_port *p)
{
	dtmf_tx_release(&((struct dtmf_player *)p)->tx);
}

static const struct sx_media_port_vt player_vt = {
    .name = "dtmf-player",
    .get_frame = player_get,
    .destroy = player_destroy,
};

int sx_media_dtmf_player_put(struct sx_media_port *p, const char *digits,
                             size_t len)
{
	char buf[SX_MEDIA_DTMF_DIGITS_MAX];
	if (!sx_media__port_is(p, &player_vt) || (len && !digits))
		return -EINVAL;
	struct dtmf_player *pl = (struct dtmf_player *)p;
	if (len > SX_MEDIA_DTMF_DIGITS_MAX ||
	    (int)len > queue_free_space(&pl->tx.queue.queue))
		return -ENOSPC;
	if (digits_norm(digits, len, buf))
		return -EINVAL;
	if (len)
		dtmf_tx_put(&pl->tx, buf, (int)len);
	return 0;
}

static int prm_check(const struct sx_media_dtmf_prm *prm)
{
	if (prm->on_ms && (prm->on_ms < SX_MEDIA_DTMF_MS_MIN ||
	                   prm->on_ms > SX_MEDIA_DTMF_MS_MAX))
		return -EINVAL;
	if (prm->off_ms && (prm->off_ms < SX_MEDIA_DTMF_MS_MIN ||
	                    prm->off_ms > SX_MEDIA_DTMF_MS_MAX))
		return -EINVAL;
	if (prm->level_dbm0 && (prm->level_dbm0 < SX_MEDIA_DTMF_LEVEL_MIN ||
	                        prm->level_dbm0 > SX_MEDIA_DTMF_LEVEL_MAX))
		return -EINVAL;
	return 0;
}

int sx_media_dtmf_player_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                               uint32_t frame_samples, const char *digits,
                               size_t len, const struct sx_media_dtmf_prm *prm)
{
	static const struct sx_media_dtmf_prm dflt;
	struct sx_media_port *p = NULL;
	char buf[SX_MEDIA_DTMF_DIGITS_MAX];

	if (!prm)
		prm = &dflt;
	if (clock_rate != DTMF_RATE)
		return -ENOTSUP;
	if ((len && !digits) || len > SX_MEDIA_DTMF_DIGITS_MAX ||
	    digits_norm(digits, len, buf) || prm_check(prm))
		return -EINVAL;
	int err = sx_media_port_alloc(&p, sizeof(struct dtmf_player),
	                              &player_vt, clock_rate, frame_samples);
	if (err)
		return err;
	struct dtmf_player *pl = (struct dtmf_player *)p;
	dtmf_tx_init(&pl->tx);
	dtmf_tx_set_level(&pl->tx,
	                  prm->level_dbm0 ? prm->level_dbm0
	                                  : SX_MEDIA_DTMF_LEVEL_DBM0,
	                  SX_MEDIA_DTMF_TWIST_DB);
	dtmf_tx_set_timing(
	    &pl->tx, prm->on_ms ? (int)prm->on_ms : SX_MEDIA_DTMF_ON_MS,
	    prm->off_ms ? (int)prm->off_ms : SX_MEDIA_DTMF_OFF_MS);
	if (len)
		dtmf_tx_put(&pl->tx, buf, (int)len);
	*pp = p;
	return 0;
}

/* -- detector -------------------------------------------------------- */

/* spandsp hands over the digits confirmed in the block just processed. */
static void on_digits(void *arg, const char *digits, int len)
{
	struct dtmf_detector *d = arg;
	for (int i = 0; i < len; i++)
		d->h(digits[i], d->arg);
}

static int detector_put(struct sx_media_port *p, const int16_t *pcm, size_t n)
{
	struct dtmf_detector *d = (struct dtmf_detector *)p;
	dtmf_rx(&d->rx, pcm, (int)n);
	return 0;
}

static void detector_destroy(struct sx_media_port *p)
{
	dtmf_rx_release(&((struct dtmf_detector *)p)->rx);
}

static const struct sx_media_port_vt detector_vt = {
    .name = "dtmf-detector",
    .put_frame = detector_put,
    .destroy = detector_destroy,
};

int sx_media_dtmf_detector_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                                 uint32_t frame_samples, sx_media_dtmf_h *h,
                                 void *arg)
{
	struct sx_media_port *p = NULL;
	if (clock_rate != DTMF_RATE)
		return -ENOTSUP;
	if (!h)
		return -EINVAL;
	int err = sx_media_port_alloc(&p, sizeof(struct dtmf_detector),
	                              &detector_vt, clock_rate, frame_samples);
	if (err)
		return err;
	struct dtmf_detector *d = (struct dtmf_detector *)p;
	d->h = h;
	d->arg = arg;
	dtmf_rx_init(&d->rx, on_digits, d);
	*pp = p;
	return 0;
}
