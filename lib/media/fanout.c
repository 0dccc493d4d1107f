/*
 * Fan-out sink: copies every frame to each attached sink, as sipXecs
 * paging sends one page to a group of phones (sipXmediaLib MprSplitter).
 * The slots live in the port block itself, so it is one allocation.
 */
#include <errno.h>
#include <stdbool.h>

#include <sx/media/fanout.h>

#include "media_int.h"

struct fo_slot {
	uint32_t id; /* 0 = free */
	struct sx_media_port *sink;
};

struct fanout {
	struct sx_media_port port;
	unsigned cap;
	unsigned count;
	uint32_t last_id;
	struct fo_slot slot[]; /* cap entries */
};

static int fanout_put(struct sx_media_port *p, const int16_t *pcm, size_t n)
{
	struct fanout *fo = (struct fanout *)p;
	int first = 0;
	for (unsigned i = 0; i < fo->cap; i++) {
		if (!fo->slot[i].id)
			continue;
		int err = sx_media_port_put(fo->slot[i].sink, pcm, n);
		if (err && !first)
			first = err;
	}
	return first;
}

static void fanout_destroy(struct sx_media_port *p)
{
	struct fanout *fo = (struct fanout *)p;
	for (unsigned i = 0; i < fo->cap; i++)
		sx_media_port_unref(fo->slot[i].sink);
}

static const struct sx_media_port_vt fanout_vt = {
    .name = "fanout",
    .put_frame = fanout_put,
    .destroy = fanout_destroy,
};

int sx_media_fanout_alloc(struct sx_media_port **pp, uint32_t clock_rate,
                          uint32_t frame_samples, unsigned capacity)
{
	struct sx_media_port *p = NULL;
	if (!capacity || capacity > SX_MEDIA_FANOUT_MAX)
		return -EINVAL;
	int err = sx_media_port_alloc(
	    &p, sizeof(struct fanout) + capacity * sizeof(struct fo_slot),
	    &fanout_vt, clock_rate, frame_samples);
	if (err)
		return err;
	((struct fanout *)p)->cap = capacity;
	*pp = p;
	return 0;
}

/* True when frames put into @from can reach @target (a cycle check). */
static bool reaches(const struct sx_media_port *from,
                    const struct sx_media_port *target)
{
	if (from == target)
		return true;
	if (!sx_media__port_is(from, &fanout_vt))
		return false;
	const struct fanout *fo = (const struct fanout *)from;
	for (unsigned i = 0; i < fo->cap; i++)
		if (fo->slot[i].id && reaches(fo->slot[i].sink, target))
			return true;
	return false;
}

static struct fo_slot *slot_find(struct fanout *fo, uint32_t id)
{
	for (unsigned i = 0; i < fo->cap; i++)
		if (fo->slot[i].id == id)
			return &fo->slot[i];
	return NULL;
}

int sx_media_fanout_add(struct sx_media_port *p, struct sx_media_port *sink,
                        uint32_t *idp)
{
	if (!sx_media__port_is(p, &fanout_vt) || !idp ||
	    !sx_media_port_is_sink(sink) ||
	    !sx_media__port_fmt_eq(sink, p->clock_rate, p->frame_samples) ||
	    reaches(sink, p))
		return -EINVAL;
	struct fanout *fo = (struct fanout *)p;
	struct fo_slot *s = slot_find(fo, 0);
	if (!s)
		return -ENOSPC;
	/* Ids count up and skip 0 and ids still in use after a wrap. */
	do
		fo->last_id++;
	while (!fo->last_id || slot_find(fo, fo->last_id));
	s->id = fo->last_id;
	s->sink = sx_media_port_ref(sink);
	fo->count++;
	*idp = s->id;
	return 0;
}

int sx_media_fanout_remove(struct sx_media_port *p, uint32_t id)
{
	if (!sx_media__port_is(p, &fanout_vt))
		return -EINVAL;
	struct fanout *fo = (struct fanout *)p;
	struct fo_slot *s = id ? slot_find(fo, id) : NULL;
	if (!s)
		return -ENOENT;
	s->sink = sx_media_port_unref(s->sink);
	s->id = 0;
	fo->count--;
	return 0;
}

unsigned sx_media_fanout_count(const struct sx_media_port *p)
{
	if (!sx_media__port_is(p, &fanout_vt))
		return 0;
	return ((const struct fanout *)p)->count;
}
