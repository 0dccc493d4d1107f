/*
 * Codec instances and the static registry of built-in codecs (RFC 3551
 * payload types and clock rates).  The registry is a constant table of
 * designated-initializer vtables: linking is static, nothing is loaded.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

#include <sx/codec/codec.h>
#include <sx/util/mem.h>

struct sx_codec_inst {
	const struct sx_codec *c;          /* vtable */
	bool ready;                        /* init succeeded: fini due */
	alignas(max_align_t) uint8_t st[]; /* c->state_size bytes */
};

static const struct sx_codec *const registry[] = {
    &sx_codec_pcmu, &sx_codec_pcma,   &sx_codec_g722,
    &sx_codec_opus, &sx_codec_l16_8k, &sx_codec_l16_16k,
};

static void inst_destroy(void *obj)
{
	struct sx_codec_inst *i = obj;
	if (i->ready && i->c->fini)
		i->c->fini(i->st);
}

int sx_codec_alloc(struct sx_codec_inst **ip, const struct sx_codec *c)
{
	if (!ip || !c || !c->init || !c->encode || !c->decode || !c->plc)
		return -EINVAL;
	struct sx_codec_inst *i =
	    sx_mem_zalloc(sizeof(*i) + c->state_size, inst_destroy);
	if (!i)
		return -ENOMEM;
	i->c = c;
	int err = c->init(i->st);
	if (err) {
		sx_mem_unref(i);
		return err;
	}
	i->ready = true;
	*ip = i;
	return 0;
}

const struct sx_codec *sx_codec_of(const struct sx_codec_inst *i)
{
	return i->c;
}

ssize_t sx_codec_encode(struct sx_codec_inst *i, const int16_t *pcm, size_t n,
                        uint8_t *out, size_t cap)
{
	if (!i || !pcm || !out || n == 0)
		return -EINVAL;
	return i->c->encode(i->st, pcm, n, out, cap);
}

ssize_t sx_codec_decode(struct sx_codec_inst *i, const uint8_t *payload,
                        size_t len, int16_t *out, size_t cap)
{
	if (!i || !payload || !out || len == 0)
		return -EINVAL;
	return i->c->decode(i->st, payload, len, out, cap);
}

ssize_t sx_codec_plc(struct sx_codec_inst *i, int16_t *out, size_t n)
{
	if (!i || !out || n == 0 || n > i->c->frame_samples)
		return -EINVAL;
	return i->c->plc(i->st, out, n);
}

const struct sx_codec *sx_codec_find(const char *name, uint32_t clock_rate)
{
	if (!name)
		return NULL;
	for (size_t k = 0; k < SX_ARRAY_SIZE(registry); k++)
		if (!strcasecmp(registry[k]->name, name) &&
		    registry[k]->clock_rate == clock_rate)
			return registry[k];
	return NULL;
}

const struct sx_codec *sx_codec_find_pt(int pt)
{
	for (size_t k = 0; k < SX_ARRAY_SIZE(registry); k++)
		if (registry[k]->pt != SX_CODEC_PT_DYNAMIC &&
		    registry[k]->pt == pt)
			return registry[k];
	return NULL;
}

const struct sx_codec *sx_codec_at(size_t idx)
{
	return idx < SX_ARRAY_SIZE(registry) ? registry[idx] : NULL;
}
