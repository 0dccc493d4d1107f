/*
 * sx_media_tone: call-progress tone generator (a source port).
 *
 * A tone is a cadence: a list of segments, each one or two frequencies
 * played for on_ms and followed by off_ms of silence, optionally repeated
 * forever.  Standard North American (ANSI T1.401 / Telcordia GR-506) and
 * ITU-T E.180 tones come from a table.  Generation is phase-continuous
 * across frames (32-bit phase accumulators over a sine table) and the
 * per-frame path does no allocation.
 */
#ifndef SX_MEDIA_TONE_H
#define SX_MEDIA_TONE_H

#include <stdbool.h>
#include <stdint.h>

#include <sx/media/port.h>
#include <sx/util/compiler.h>

/** Most segments in one cadence. */
#define SX_MEDIA_TONE_SEGS_MAX 8
/** Highest frequency accepted, in Hz (below Nyquist at 8 kHz). */
#define SX_MEDIA_TONE_FREQ_MAX 3900
/** Lowest and highest level per frequency, in dBm0. */
#define SX_MEDIA_TONE_LEVEL_MIN (-60)
#define SX_MEDIA_TONE_LEVEL_MAX 0
/** Longest on or off time of a segment, in ms. */
#define SX_MEDIA_TONE_MS_MAX 60000

/** One step of a cadence. */
struct sx_media_tone_seg {
	uint16_t f1_hz;  /**< first frequency, 0 = none */
	uint16_t f2_hz;  /**< second frequency, 0 = none */
	uint32_t on_ms;  /**< tone time; 0 = continuous (last segment) */
	uint32_t off_ms; /**< silence after the tone */
};

/** A complete cadence. */
struct sx_media_tone_spec {
	struct sx_media_tone_seg seg[SX_MEDIA_TONE_SEGS_MAX]; /**< steps */
	unsigned n_seg; /**< steps used, 1..SX_MEDIA_TONE_SEGS_MAX */
	int level_dbm0; /**< level of each frequency, in dBm0 */
	bool repeat;    /**< restart after the last step; else end */
};

/** Tones in the standard table. */
enum sx_media_tone_id {
	SX_MEDIA_TONE_DIAL = 0,       /**< NA 350+440 Hz continuous */
	SX_MEDIA_TONE_RINGBACK,       /**< NA 440+480 Hz 2 s on 4 s off */
	SX_MEDIA_TONE_BUSY,           /**< NA 480+620 Hz 0.5 s / 0.5 s */
	SX_MEDIA_TONE_REORDER,        /**< NA 480+620 Hz 0.25 s / 0.25 s */
	SX_MEDIA_TONE_CALL_WAITING,   /**< NA 440 Hz 0.3 s every 10 s */
	SX_MEDIA_TONE_BEEP,           /**< 1 kHz 200 ms, once */
	SX_MEDIA_TONE_ITU_DIAL,       /**< E.180 425 Hz continuous */
	SX_MEDIA_TONE_ITU_RINGBACK,   /**< E.180 425 Hz 1 s on 4 s off */
	SX_MEDIA_TONE_ITU_BUSY,       /**< E.180 425 Hz 0.5 s / 0.5 s */
	SX_MEDIA_TONE_ITU_CONGESTION, /**< E.180 425 Hz 0.25 s / 0.25 s */
	SX_MEDIA_TONE_COUNT
};

/**
 * The standard cadence for @id, or NULL for an unknown id.  The result
 * is static; copy it to change it.
 */
const struct sx_media_tone_spec *sx_media_tone_std(enum sx_media_tone_id id);

/**
 * Check a cadence: 1..SX_MEDIA_TONE_SEGS_MAX segments, frequencies up to
 * SX_MEDIA_TONE_FREQ_MAX and below half of @clock_rate, times up to
 * SX_MEDIA_TONE_MS_MAX, only the last segment continuous, level within
 * limits.  Returns 0 or -EINVAL.
 */
int sx_media_tone_spec_check(const struct sx_media_tone_spec *spec,
                             uint32_t clock_rate);

/**
 * A source port playing @spec (copied).  get_frame returns 0 once a
 * non-repeating cadence has finished.  Returns 0, -EINVAL (bad format or
 * spec) or -ENOMEM.
 */
int sx_media_tone_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                        uint32_t frame_samples,
                        const struct sx_media_tone_spec *spec) SX_MUST_CHECK;

/** As sx_media_tone_alloc() with a standard tone. */
int sx_media_tone_std_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                            uint32_t frame_samples,
                            enum sx_media_tone_id id) SX_MUST_CHECK;

#endif
