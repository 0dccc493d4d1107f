/*
 * sx_media_wav: WAV file player (source) and recorder (sink) over
 * libsndfile.
 *
 * The player reads mono WAV files at 8, 16 or 48 kHz in 16-bit PCM,
 * G.711 mu-law or A-law and produces linear PCM at the file's rate.  The
 * recorder writes 16-bit PCM WAV, up to a duration limit, and finalises
 * the header when closed or destroyed.
 *
 * Both do blocking file I/O in get_frame/put_frame (libsndfile buffers
 * it); the per-frame path does no sx_mem allocation.
 */
#ifndef SX_MEDIA_WAV_H
#define SX_MEDIA_WAV_H

#include <stdbool.h>
#include <stdint.h>

#include <sx/media/port.h>
#include <sx/util/compiler.h>

/** Longest recording, in ms (one hour). */
#define SX_MEDIA_REC_MAX_MS (60u * 60u * 1000u)

/** Player options; zero-initialise, then set what you need. */
struct sx_media_wav_player_prm {
	uint32_t ptime_ms; /**< frame length, 0 = SX_MEDIA_PTIME_MS */
	bool loop;         /**< restart at the end instead of ending */
};

/**
 * Open @path for playing.  The port's clock rate is the file's.  @prm may
 * be NULL for the defaults.  get_frame returns 0 at the end of the file
 * (never when looping, unless the file holds no samples).  Returns 0, a
 * negative errno from open(2) (-ENOENT, -EACCES, ...), -EBADMSG when the
 * file is not a WAV file, -ENOTSUP for a channel count, rate or encoding
 * we do not play, -EINVAL or -ENOMEM.
 */
int sx_media_wav_player_alloc(struct sx_media_port **pp, const char *path,
                              const struct sx_media_wav_player_prm *prm)
    SX_MUST_CHECK;

/** True once the player @p has reached the end (never for other ports). */
bool sx_media_wav_player_eof(const struct sx_media_port *p);

/** Recorder options; zero-initialise, then set what you need. */
struct sx_media_wav_recorder_prm {
	uint32_t max_ms; /**< limit, 0 or above SX_MEDIA_REC_MAX_MS = max */
};

/**
 * Create (or truncate) @path and record into it as 16-bit PCM WAV at
 * @clock_rate.  put_frame returns -EFBIG once the limit is reached
 * (samples up to the limit are kept) and -EBADF after close.  @prm may be
 * NULL.  Returns 0, a negative errno from open(2), -EINVAL or -ENOMEM.
 */
int sx_media_wav_recorder_alloc(struct sx_media_port **pp, const char *path,
                                uint32_t clock_rate, uint32_t frame_samples,
                                const struct sx_media_wav_recorder_prm *prm)
    SX_MUST_CHECK;

/**
 * Finalise and close the file of recorder @p now (destroying the port
 * does this too).  Returns 0, -EIO when the file could not be completed,
 * or -EINVAL when @p is not a recorder.  A second close returns 0.
 */
int sx_media_wav_recorder_close(struct sx_media_port *p);

/** Samples written so far by recorder @p (0 for other ports). */
uint64_t sx_media_wav_recorder_samples(const struct sx_media_port *p);

#endif
