/*
 * sx_media_fanout: one source to many sinks (paging, monitoring).
 *
 * The fan-out is a sink port: every frame put into it is put, unchanged,
 * into each attached sink.  Capacity is fixed at creation, so putting,
 * adding and removing never allocate.  Not locked: one worker owns it.
 */
#ifndef SX_MEDIA_FANOUT_H
#define SX_MEDIA_FANOUT_H

#include <stdint.h>

#include <sx/media/port.h>
#include <sx/util/compiler.h>

/** Most sinks on one fan-out. */
#define SX_MEDIA_FANOUT_MAX 256

/**
 * A fan-out sink port for up to @capacity (1..SX_MEDIA_FANOUT_MAX) sinks.
 * put_frame returns 0, or the first error a sink returned (every sink is
 * still served).  Returns 0, -EINVAL or -ENOMEM.
 */
int sx_media_fanout_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                          uint32_t frame_samples,
                          unsigned capacity) SX_MUST_CHECK;

/**
 * Attach sink @sink (same format) to fan-out @fo, taking a reference.
 * *@idp gets its id (never 0).  Returns 0, -EINVAL (not a fan-out, not a
 * sink, format mismatch, @sink is @fo) or -ENOSPC.
 */
int sx_media_fanout_add(struct sx_media_port *fo, struct sx_media_port *sink,
                        uint32_t *idp);

/** Detach sink @id, dropping the reference.  0, -EINVAL or -ENOENT. */
int sx_media_fanout_remove(struct sx_media_port *fo, uint32_t id);

/** Sinks attached to @fo (0 when @fo is not a fan-out). */
unsigned sx_media_fanout_count(const struct sx_media_port *fo);

#endif
