/*
 * The frame pump (sipXmediaLib MpFlowGraphBase / MpMediaTask): a fixed
 * table of links run once per frame time (RFC 3551 4.5, 20 ms by
 * default).  Links live in the graph block itself, so only creation
 * allocates.
 */
#define SX_LOG_MOD "media.graph"

#include <errno.h>
#include <string.h>

#include <sx/media/graph.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "media_int.h"

struct link {
	uint32_t id;                  /* 0 = free slot */
	struct sx_media_port *src;    /* connection: source */
	struct sx_media_port *sink;   /* connection: sink */
	struct sx_media_mixer *mixer; /* or a mixer */
	sx_media_graph_end_h *endh;
	void *arg;
};

struct sx_media_graph {
	uint32_t clock_rate;
	uint32_t frame;
	unsigned cap;
	unsigned count;
	uint32_t last_id;
	int16_t pcm[SX_MEDIA_FRAME_MAX]; /* the frame in flight */
	struct link link[];              /* cap slots */
};

static void link_clear(struct link *l)
{
	sx_media_port_unref(l->src);
	sx_media_port_unref(l->sink);
	sx_mem_unref(l->mixer);
	memset(l, 0, sizeof(*l));
}

static void graph_destroy(void *obj)
{
	struct sx_media_graph *g = obj;
	for (unsigned i = 0; i < g->cap; i++)
		link_clear(&g->link[i]);
}

int sx_media_graph_alloc(struct sx_media_graph **gp, uint32_t clock_rate,
                         uint32_t frame_samples, unsigned capacity)
{
	if (!gp || !sx_media_format_ok(clock_rate, frame_samples) ||
	    !capacity || capacity > SX_MEDIA_GRAPH_MAX)
		return -EINVAL;
	struct sx_media_graph *g = sx_mem_zalloc(
	    sizeof(*g) + capacity * sizeof(struct link), graph_destroy);
	if (!g)
		return -ENOMEM;
	g->clock_rate = clock_rate;
	g->frame = frame_samples;
	g->cap = capacity;
	*gp = g;
	return 0;
}

static struct link *link_find(struct sx_media_graph *g, uint32_t id)
{
	for (unsigned i = 0; i < g->cap; i++)
		if (g->link[i].id == id)
			return &g->link[i];
	return NULL;
}

/* Takes a free slot and gives it a fresh id; NULL when full. */
static struct link *link_new(struct sx_media_graph *g)
{
	struct link *l = link_find(g, 0);
	if (!l)
		return NULL;
	/* Ids count up and skip 0 and ids still in use after a wrap. */
	do
		g->last_id++;
	while (!g->last_id || link_find(g, g->last_id));
	l->id = g->last_id;
	g->count++;
	return l;
}

int sx_media_graph_connect(struct sx_media_graph *g, struct sx_media_port *src,
                           struct sx_media_port *sink,
                           sx_media_graph_end_h *endh, void *arg, uint32_t *idp)
{
	if (!g || !sx_media_port_is_source(src) ||
	    !sx_media_port_is_sink(sink) ||
	    !sx_media__port_fmt_eq(src, g->clock_rate, g->frame) ||
	    !sx_media__port_fmt_eq(sink, g->clock_rate, g->frame))
		return -EINVAL;
	struct link *l = link_new(g);
	if (!l)
		return -ENOSPC;
	l->src = sx_media_port_ref(src);
	l->sink = sx_media_port_ref(sink);
	l->endh = endh;
	l->arg = arg;
	if (idp)
		*idp = l->id;
	return 0;
}

int sx_media_graph_add_mixer(struct sx_media_graph *g, struct sx_media_mixer *m,
                             uint32_t *idp)
{
	uint32_t rate, frame;
	if (!g || !m)
		return -EINVAL;
	sx_media__mixer_format(m, &rate, &frame);
	if (rate != g->clock_rate || frame != g->frame)
		return -EINVAL;
	struct link *l = link_new(g);
	if (!l)
		return -ENOSPC;
	l->mixer = sx_mem_ref(m);
	if (idp)
		*idp = l->id;
	return 0;
}

int sx_media_graph_remove(struct sx_media_graph *g, uint32_t id)
{
	struct link *l = g && id ? link_find(g, id) : NULL;
	if (!l)
		return -ENOENT;
	link_clear(l);
	g->count--;
	return 0;
}

unsigned sx_media_graph_count(const struct sx_media_graph *g)
{
	return g ? g->count : 0;
}

/* Removes @l, then reports its end (the handler may reuse the slot). */
static void link_end(struct sx_media_graph *g, struct link *l, int err)
{
	uint32_t id = l->id;
	sx_media_graph_end_h *endh = l->endh;
	void *arg = l->arg;

	link_clear(l);
	g->count--;
	if (endh)
		endh(id, err, arg);
}

static void link_run(struct sx_media_graph *g, struct link *l)
{
	if (l->mixer) {
		int err = sx_media_mixer_tick(l->mixer);
		if (err)
			SX_LOG_DBG("link %u: mixer: %d", l->id, err);
		return;
	}
	int r = sx_media_port_get(l->src, g->pcm, g->frame);
	if (r <= 0) {
		link_end(g, l, r);
		return;
	}
	int err = sx_media_port_put(l->sink, g->pcm, g->frame);
	if (err)
		link_end(g, l, err);
}

int sx_media_graph_tick(struct sx_media_graph *g, unsigned n_frames)
{
	if (!g)
		return -EINVAL;
	/* An end handler may drop the caller's reference: hold our own. */
	sx_mem_ref(g);
	for (unsigned f = 0; f < n_frames; f++)
		for (unsigned i = 0; i < g->cap; i++)
			if (g->link[i].id)
				link_run(g, &g->link[i]);
	sx_mem_unref(g);
	return 0;
}
