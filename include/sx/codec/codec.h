/*
 * sx_codec: audio codecs behind one vtable (RFC 3551 static payload types,
 * baresip-style designated-initializer vtables) and a static registry.
 *
 * Built in: PCMU and PCMA (G.711, our own tables), G722 (spandsp), opus
 * (libopus, mono, 20 ms), L16 at 8 and 16 kHz (network byte order).  Each
 * codec instance is an sx_mem block created once per stream; encode,
 * decode and plc never allocate.  An instance is used by one thread at a
 * time; the vtables and the registry are read-only and shared.
 */
#ifndef SX_CODEC_CODEC_H
#define SX_CODEC_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sx/util/compiler.h>

/** Packetization every built-in codec uses. */
#define SX_CODEC_PTIME_MS 20
/** No static payload type: negotiate a dynamic one (RFC 3551 6). */
#define SX_CODEC_PT_DYNAMIC (-1)

/**
 * A codec: constant description plus operations on its private state
 * (state_size bytes, zeroed, then init()).  All counts are samples of
 * int16 PCM at sample_rate (mono).
 */
struct sx_codec {
	const char *name;       /**< SDP encoding name, e.g. "PCMU" */
	int pt;                 /**< static RTP payload type, or
	                             SX_CODEC_PT_DYNAMIC */
	int pt_default;         /**< payload type we offer by default */
	uint32_t clock_rate;    /**< RTP clock rate (G.722: 8000, 3551 4.5.2) */
	uint32_t sample_rate;   /**< PCM sample rate */
	unsigned channels;      /**< PCM channels (all built-ins: 1) */
	unsigned frame_samples; /**< PCM samples per 20 ms frame */
	size_t max_payload;     /**< largest encoded 20 ms frame, bytes */
	size_t state_size;      /**< bytes of private state */
	/** Prepare zeroed state; 0 or negative errno (fini is not called
	 *  after a failed init, so init cleans up after itself). */
	int (*init)(void *st);
	/** Release what init acquired; may be NULL. */
	void (*fini)(void *st);
	/** Encode @n samples (a multiple the codec accepts); bytes or -errno.
	 */
	ssize_t (*encode)(void *st, const int16_t *pcm, size_t n, uint8_t *out,
	                  size_t cap);
	/** Decode one payload; samples written or -errno. */
	ssize_t (*decode)(void *st, const uint8_t *payload, size_t len,
	                  int16_t *out, size_t cap);
	/** Conceal @n lost samples (n <= frame_samples); n or -errno. */
	ssize_t (*plc)(void *st, int16_t *out, size_t n);
};

/** A codec instance (opaque): the vtable plus its state. */
struct sx_codec_inst;

/**
 * Create an instance of @c.  Returns 0, -EINVAL or -ENOMEM (or the
 * codec library's error mapped to -EINVAL).  Free with sx_mem_unref.
 */
int sx_codec_alloc(struct sx_codec_inst **ip,
                   const struct sx_codec *c) SX_MUST_CHECK;

/** The vtable of an instance. */
const struct sx_codec *sx_codec_of(const struct sx_codec_inst *i);

/** Encode; see struct sx_codec.  -EINVAL on bad arguments, -ENOSPC. */
ssize_t sx_codec_encode(struct sx_codec_inst *i, const int16_t *pcm, size_t n,
                        uint8_t *out, size_t cap) SX_MUST_CHECK;

/** Decode; see struct sx_codec.  -EBADMSG for a corrupt payload. */
ssize_t sx_codec_decode(struct sx_codec_inst *i, const uint8_t *payload,
                        size_t len, int16_t *out, size_t cap) SX_MUST_CHECK;

/** Conceal @n lost samples after the last decoded frame. */
ssize_t sx_codec_plc(struct sx_codec_inst *i, int16_t *out,
                     size_t n) SX_MUST_CHECK;

/** Codec by SDP name (case-insensitive) and RTP clock rate, or NULL. */
const struct sx_codec *sx_codec_find(const char *name, uint32_t clock_rate);

/** Codec with static payload type @pt, or NULL. */
const struct sx_codec *sx_codec_find_pt(int pt);

/** The @idx-th registered codec (0-based), or NULL past the end. */
const struct sx_codec *sx_codec_at(size_t idx);

/* The built-in vtables (also reachable through the registry). */
extern const struct sx_codec sx_codec_pcmu;
extern const struct sx_codec sx_codec_pcma;
extern const struct sx_codec sx_codec_g722;
extern const struct sx_codec sx_codec_opus;
extern const struct sx_codec sx_codec_l16_8k;
extern const struct sx_codec sx_codec_l16_16k;

#endif
