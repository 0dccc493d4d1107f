/*
 * sx_media_mixer: N-party conference bridge (sipXmediaLib MprBridge).
 *
 * Each participant has an input (a source port it speaks through, or
 * none) and an output (a sink port it hears through, or none).  On every
 * sx_media_mixer_tick() each output receives the sum of all other inputs:
 * nobody hears themself.  The sum is computed once and each participant's
 * own contribution subtracted, so a frame costs O(N).  Sums saturate to
 * int16.  Per-participant gains scale what the others hear of them (in)
 * and what they hear (out).
 *
 * Capacity is fixed at creation and every buffer is allocated then, so
 * ticking, adding and removing participants never allocate.  Add and
 * remove participants between ticks.  Not locked: one worker owns it.
 */
#ifndef SX_MEDIA_MIXER_H
#define SX_MEDIA_MIXER_H

#include <stdint.h>

#include <sx/media/port.h>
#include <sx/util/compiler.h>

/** Most participants in one mixer. */
#define SX_MEDIA_MIXER_MAX 64
/** Highest gain, linear. */
#define SX_MEDIA_MIXER_GAIN_MAX 8.0f

struct sx_media_mixer;

/**
 * A mixer for up to @capacity (1..SX_MEDIA_MIXER_MAX) participants at
 * @clock_rate / @frame_samples.  Returns 0, -EINVAL or -ENOMEM.  Release
 * with sx_mem_unref(); it drops the references on all participants'
 * ports.
 */
int sx_media_mixer_alloc(struct sx_media_mixer **mp, uint32_t clock_rate,
                         uint32_t frame_samples,
                         unsigned capacity) SX_MUST_CHECK;

/**
 * Add a participant that speaks through source @in and hears through sink
 * @out; either may be NULL (listen-only, e.g. a recorder; speak-only, e.g.
 * music).  Takes a reference on each.  Ports must match the mixer's rate
 * and frame size.  *@idp gets the participant id (never 0).  Returns 0,
 * -EINVAL, or -ENOSPC when the mixer is full.
 */
int sx_media_mixer_add(struct sx_media_mixer *m, struct sx_media_port *in,
                       struct sx_media_port *out, uint32_t *idp);

/** Remove participant @id, dropping its references.  0 or -ENOENT. */
int sx_media_mixer_remove(struct sx_media_mixer *m, uint32_t id);

/**
 * Set participant @id's gains: @in_gain scales its voice in the others'
 * mix, @out_gain what it hears (1.0 = unity, 0 = mute, up to
 * SX_MEDIA_MIXER_GAIN_MAX).  Returns 0, -EINVAL or -ENOENT.
 */
int sx_media_mixer_gain_set(struct sx_media_mixer *m, uint32_t id,
                            float in_gain, float out_gain);

/** Participants currently in @m. */
unsigned sx_media_mixer_count(const struct sx_media_mixer *m);

/**
 * Mix one frame: pull every input (a source that fails or has ended
 * counts as silence), then push each output its mix.  Returns 0, or the
 * first error a sink returned (every sink is still served).
 */
int sx_media_mixer_tick(struct sx_media_mixer *m);

#endif
