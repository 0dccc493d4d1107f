/*
 * sx_media_graph: the frame pump a media worker ticks every frame time.
 *
 * A graph holds links: source->sink connections and mixers.  Each tick
 * runs every link once, in slot order (a new link takes the lowest free
 * slot): a connection pulls one
 * frame from its source and pushes it into its sink; a mixer mixes one
 * frame.  When a connection's source ends (get_frame returns 0) or one of
 * its ports fails, the link is removed and its end handler called.
 * Capacity is fixed at creation, so ticking never allocates.  Not
 * locked: one worker owns a graph.
 */
#ifndef SX_MEDIA_GRAPH_H
#define SX_MEDIA_GRAPH_H

#include <stdint.h>

#include <sx/media/mixer.h>
#include <sx/media/port.h>
#include <sx/util/compiler.h>

/** Most links in one graph. */
#define SX_MEDIA_GRAPH_MAX 1024

struct sx_media_graph;

/**
 * Called once when link @id is removed by the graph: @err is 0 when the
 * source ended, else the negative errno a port returned.  The link's
 * references are already dropped; the handler may add or remove links.
 */
typedef void(sx_media_graph_end_h)(uint32_t id, int err, void *arg);

/**
 * A graph for up to @capacity (1..SX_MEDIA_GRAPH_MAX) links at
 * @clock_rate / @frame_samples.  Returns 0, -EINVAL or -ENOMEM.  Release
 * with sx_mem_unref(); links are dropped without calling end handlers.
 */
int sx_media_graph_alloc(struct sx_media_graph **gp, uint32_t clock_rate,
                         uint32_t frame_samples,
                         unsigned capacity) SX_MUST_CHECK;

/**
 * Connect source @src to sink @sink (both in the graph's format), taking
 * a reference on each.  @endh (may be NULL) reports the link's end.
 * *@idp (may be NULL) gets the link id (never 0).  Returns 0, -EINVAL or
 * -ENOSPC.
 */
int sx_media_graph_connect(struct sx_media_graph *g, struct sx_media_port *src,
                           struct sx_media_port *sink,
                           sx_media_graph_end_h *endh, void *arg,
                           uint32_t *idp);

/**
 * Add mixer @m (taking a reference) so each tick mixes one frame.  A
 * mixer link stays until removed: a participant's failing sink only
 * costs that participant its frame (logged at debug level).  *@idp (may
 * be NULL) gets the link id.  Returns 0, -EINVAL or -ENOSPC.
 */
int sx_media_graph_add_mixer(struct sx_media_graph *g, struct sx_media_mixer *m,
                             uint32_t *idp);

/**
 * Remove link @id without calling its end handler.  Returns 0 or
 * -ENOENT.
 */
int sx_media_graph_remove(struct sx_media_graph *g, uint32_t id);

/** Links currently in @g. */
unsigned sx_media_graph_count(const struct sx_media_graph *g);

/**
 * Run @n_frames frames through every link.  Returns 0 or -EINVAL for a
 * NULL graph; port failures are reported through end handlers.
 */
int sx_media_graph_tick(struct sx_media_graph *g, unsigned n_frames);

#endif
