/*
 * sx_media_port: the node of the media frame graph (pjmedia_port style).
 *
 * A port moves frames of linear 16-bit mono PCM at one clock rate (8, 16
 * or 48 kHz) and one frame size (20 ms by default).  A source produces
 * frames through get_frame, a sink consumes them through put_frame; a
 * port may be both (a mixer participant, an RTP session).  Ports are
 * refcounted sx_mem blocks: the last sx_media_port_unref() calls the
 * vtable's destroy and frees the block.
 *
 * Writing a new port type (e.g. the RTP glue) is a small adapter: embed
 * struct sx_media_port as the FIRST member of the adapter's struct, fill
 * a static const vtable with designated initializers, and call
 * sx_media_port_alloc() with sizeof the adapter struct.
 *
 * Threads: a port belongs to one media worker and is not locked; only the
 * refcount is atomic.
 */
#ifndef SX_MEDIA_PORT_H
#define SX_MEDIA_PORT_H

#include <stddef.h>
#include <stdint.h>

#include <sx/util/compiler.h>

/** Default packetisation time (RFC 3551 4.5: 20 ms for audio codecs). */
#define SX_MEDIA_PTIME_MS 20
/** Longest frame a port may use, in ms. */
#define SX_MEDIA_PTIME_MAX_MS 60
/** Highest supported clock rate. */
#define SX_MEDIA_RATE_MAX 48000
/** Samples in the longest frame at the highest rate (60 ms at 48 kHz). */
#define SX_MEDIA_FRAME_MAX (SX_MEDIA_RATE_MAX * SX_MEDIA_PTIME_MAX_MS / 1000)

struct sx_media_port;

/**
 * Port operations.  Any of them may be NULL: a port without get_frame is
 * a pure sink, one without put_frame a pure source.
 */
struct sx_media_port_vt {
	/** Type name for logs and type checks. */
	const char *name;
	/**
	 * Produce @n samples into @pcm (1 <= n <= SX_MEDIA_FRAME_MAX; n is
	 * normally frame_samples, and a port may refuse others with
	 * -EINVAL).  Returns
	 * the number of real samples (1..n; the tail up to n is silence),
	 * 0 at the end of the stream (@pcm then holds silence), or a
	 * negative errno.
	 */
	int (*get_frame)(struct sx_media_port *p, int16_t *pcm, size_t n);
	/** Consume @n samples (as get_frame).  Returns 0 or -errno. */
	int (*put_frame)(struct sx_media_port *p, const int16_t *pcm, size_t n);
	/** Release what the port holds (not the port block itself). */
	void (*destroy)(struct sx_media_port *p);
};

/** The common head of every port; embed it first in a port type. */
struct sx_media_port {
	const struct sx_media_port_vt *vt; /**< operations */
	uint32_t clock_rate;               /**< samples per second */
	uint32_t frame_samples;            /**< samples per frame */
};

/**
 * True when @clock_rate is 8000, 16000 or 48000 and @frame_samples is
 * between 1 and SX_MEDIA_FRAME_MAX.
 */
int sx_media_format_ok(uint32_t clock_rate, uint32_t frame_samples);

/**
 * Samples in a frame of @ptime_ms at @clock_rate (0 ptime = the default
 * SX_MEDIA_PTIME_MS).  Returns 0 when the result would not be a valid
 * frame size.
 */
uint32_t sx_media_frame_samples(uint32_t clock_rate, uint32_t ptime_ms);

/**
 * Allocate a port block of @size bytes (>= sizeof(struct sx_media_port),
 * zero-filled) with refcount 1 and fill its head.  Returns 0, -EINVAL for
 * a bad size, vtable or format, or -ENOMEM.  *@pp is set on success only.
 */
int sx_media_port_alloc(struct sx_media_port **pp, size_t size,
                        const struct sx_media_port_vt *vt, uint32_t clock_rate,
                        uint32_t frame_samples) SX_MUST_CHECK;

/** Take a reference; returns @p. */
struct sx_media_port *sx_media_port_ref(struct sx_media_port *p);

/** Drop a reference (NULL is fine); always returns NULL. */
struct sx_media_port *sx_media_port_unref(struct sx_media_port *p);

/**
 * Pull @n samples from @p (see get_frame).  Returns -ENOTSUP for a port
 * that is not a source and -EINVAL when @n is 0 or above
 * SX_MEDIA_FRAME_MAX.
 */
int sx_media_port_get(struct sx_media_port *p, int16_t *pcm, size_t n);

/**
 * Push @n samples into @p (see put_frame).  Returns -ENOTSUP for a port
 * that is not a sink and -EINVAL when @n is 0 or above
 * SX_MEDIA_FRAME_MAX.
 */
int sx_media_port_put(struct sx_media_port *p, const int16_t *pcm, size_t n);

/** True when @p is a source (has get_frame). */
int sx_media_port_is_source(const struct sx_media_port *p);

/** True when @p is a sink (has put_frame). */
int sx_media_port_is_sink(const struct sx_media_port *p);

/**
 * A port that is both a silence source (never ends) and a sink that
 * discards what it is given.  Returns 0, -EINVAL or -ENOMEM.
 */
int sx_media_silence_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                           uint32_t frame_samples) SX_MUST_CHECK;

#endif
