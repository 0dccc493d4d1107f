/*
 * sx_media_dtmf: in-band DTMF (ITU-T Q.23/Q.24) over spandsp.
 *
 * The player is a source that plays a digit string; the detector is a
 * sink that reports each digit it recognises through a callback.  Both
 * work at 8 kHz (the telephone band spandsp's dtmf module is built for);
 * other rates are refused with -ENOTSUP.  The spandsp state lives inside
 * the port, so only creation allocates.
 */
#ifndef SX_MEDIA_DTMF_H
#define SX_MEDIA_DTMF_H

#include <stddef.h>
#include <stdint.h>

#include <sx/media/port.h>
#include <sx/util/compiler.h>

/** Most digits queued in a player at once (spandsp MAX_DTMF_DIGITS). */
#define SX_MEDIA_DTMF_DIGITS_MAX 128
/** Default tone and pause length, in ms (Q.24 asks >= 40 ms each). */
#define SX_MEDIA_DTMF_ON_MS  80
#define SX_MEDIA_DTMF_OFF_MS 80
/** Shortest and longest tone or pause, in ms. */
#define SX_MEDIA_DTMF_MS_MIN 40
#define SX_MEDIA_DTMF_MS_MAX 2000
/** Default level of the low-group tone, in dBm0, and the twist, in dB. */
#define SX_MEDIA_DTMF_LEVEL_DBM0 (-10)
#define SX_MEDIA_DTMF_TWIST_DB   2
/** Accepted level range, in dBm0. */
#define SX_MEDIA_DTMF_LEVEL_MIN (-40)
#define SX_MEDIA_DTMF_LEVEL_MAX 0

/** Player options; zero-initialise, then set what you need. */
struct sx_media_dtmf_prm {
	uint32_t on_ms;  /**< tone length, 0 = SX_MEDIA_DTMF_ON_MS */
	uint32_t off_ms; /**< pause after a tone, 0 = SX_MEDIA_DTMF_OFF_MS */
	int level_dbm0;  /**< low-group level, 0 = default (not 0 dBm0) */
};

/** Called for each detected digit ('0'-'9', '*', '#', 'A'-'D'). */
typedef void(sx_media_dtmf_h)(char digit, void *arg);

/**
 * A source playing @digits (@len characters of 0-9 * # A-D, either case).
 * get_frame returns 0 when every queued digit has been played.  @prm may
 * be NULL.  Returns 0, -ENOTSUP (rate not 8000), -EINVAL (bad digit,
 * more than SX_MEDIA_DTMF_DIGITS_MAX, bad option) or -ENOMEM.
 */
int sx_media_dtmf_player_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                               uint32_t frame_samples, const char *digits,
                               size_t len, const struct sx_media_dtmf_prm *prm)
    SX_MUST_CHECK;

/**
 * Queue more digits on player @p (an ended player starts again).
 * Returns 0, -EINVAL (not a player, bad digit) or -ENOSPC (queue full;
 * nothing queued).
 */
int sx_media_dtmf_player_put(struct sx_media_port *p, const char *digits,
                             size_t len);

/**
 * A sink that detects DTMF in what is put into it and calls @h(digit,
 * @arg) from inside put_frame for each digit.  Returns 0, -ENOTSUP (rate
 * not 8000), -EINVAL or -ENOMEM.
 */
int sx_media_dtmf_detector_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                                 uint32_t frame_samples, sx_media_dtmf_h *h,
                                 void *arg) SX_MUST_CHECK;

#endif
