/*
 * SDP builder (RFC 4566): fills a description from scratch for
 * sx_sdp_print().  Every string is copied into the description's arena;
 * every attribute goes through the same interpretation as parsed ones, so
 * the typed view (formats, direction, ptime ...) is always in step with
 * what is printed.  A failed call leaves the description as it was.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <sx/util/mem.h>

#include "sdp_int.h"

/* Room for a decimal uint64 and its NUL. */
#define U64_DIGITS 21

int sx_sdp_alloc(struct sx_sdp **sdpp)
{
	if (!sdpp)
		return -EINVAL;
	return sx_sdp__new(sdpp);
}

/* Token per RFC 4566 9: visible ASCII, no space. */
static bool token_ok(struct sx_sl s, char forbid)
{
	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c <= ' ' || c >= 0x7f || c == (unsigned char)forbid)
			return false;
	}
	return true;
}

/* Text field (RFC 4566 9 byte-string): no CR, LF or NUL. */
static bool text_ok(struct sx_sl s)
{
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] == '\r' || s.p[i] == '\n' || s.p[i] == '\0')
			return false;
	return true;
}

/* Fill @c from an address literal or host name, copied into @sdp. */
static int conn_from_addr(struct sx_sdp *sdp, struct sx_sdp_conn *c,
                          struct sx_sl addr)
{
	struct sx_sdp_conn n;
	struct sx_sl at =
	    sx_sl_chr(addr, ':') >= 0 ? SX_SL("IP6") : SX_SL("IP4");

	if (sx_sdp__conn_parse(&n, SX_SL("IN"), at, addr, false))
		return -EINVAL;
	int err = sx_sdp__dup(sdp, addr, &n.addr);
	if (err)
		return err;
	*c = n;
	return 0;
}

static int u64_text(struct sx_sdp *sdp, uint64_t v, struct sx_sl *outp)
{
	char *p = sx_arena_alloc(&sdp->arena, U64_DIGITS);
	if (!p)
		return -ENOMEM;
	int n = snprintf(p, U64_DIGITS, "%" PRIu64, v);
	*outp = sx_sl_make(p, (size_t)n);
	return 0;
}

int sx_sdp_origin_set(struct sx_sdp *sdp, struct sx_sl username,
                      uint64_t sess_id, uint64_t version, struct sx_sl addr)
{
	struct sx_sdp_origin o = {.sess_version = version};
	int err;

	if (!sdp || (username.len && !token_ok(username, 0)))
		return -EINVAL;
	err = conn_from_addr(sdp, &o.addr, addr);
	if (!err)
		err = sx_sdp__dup(sdp, username.len ? username : SX_SL("-"),
		                  &o.username);
	if (!err)
		err = u64_text(sdp, sess_id, &o.sess_id);
	if (!err)
		sdp->origin = o;
	return err;
}

int sx_sdp_name_set(struct sx_sdp *sdp, struct sx_sl name)
{
	struct sx_sl n = SX_SL_NULL;
	if (!sdp || !text_ok(name))
		return -EINVAL;
	if (name.len > SX_SDP_MAX_LINE_LEN)
		return -E2BIG;
	int err = name.len ? sx_sdp__dup(sdp, name, &n) : 0;
	if (!err)
		sdp->name = n;
	return err;
}

int sx_sdp_conn_set(struct sx_sdp *sdp, struct sx_sdp_media *m,
                    struct sx_sl addr)
{
	if (!sdp)
		return -EINVAL;
	return conn_from_addr(sdp, m ? &m->conn : &sdp->conn, addr);
}

int sx_sdp_time_add(struct sx_sdp *sdp, uint64_t start, uint64_t stop)
{
	if (!sdp)
		return -EINVAL;
	return sx_sdp__time_append(sdp, start, stop);
}

int sx_sdp_bw_add(struct sx_sdp *sdp, struct sx_sdp_media *m, struct sx_sl type,
                  uint32_t value)
{
	struct sx_sl t;
	if (!sdp || !token_ok(type, ':'))
		return -EINVAL;
	int err = sx_sdp__dup(sdp, type, &t);
	return err ? err : sx_sdp__bw_append(sdp, m, t, value);
}

int sx_sdp_media_add(struct sx_sdp *sdp, struct sx_sdp_media **mp,
                     struct sx_sl type, uint16_t port, struct sx_sl proto)
{
	struct sx_sdp_media *m;
	int err;

	if (!sdp || !mp || !token_ok(type, 0) || !token_ok(proto, 0))
		return -EINVAL;
	if (sdp->nmedia >= SX_SDP_MAX_MEDIA)
		return -E2BIG;
	m = sx_arena_zalloc(&sdp->arena, sizeof(*m));
	if (!m)
		return -ENOMEM;
	err = sx_sdp__dup(sdp, type, &m->type);
	if (!err)
		err = sx_sdp__dup(sdp, proto, &m->proto_sl);
	if (err)
		return err;
	m->mtype = sx_sdp__mtype(type);
	m->port = port;
	m->proto = sx_sdp__proto(proto);
	sdp->media[sdp->nmedia++] = m;
	*mp = m;
	return 0;
}

int sx_sdp_fmt_add(struct sx_sdp *sdp, struct sx_sdp_media *m, struct sx_sl id)
{
	struct sx_sdp_fmt f;
	struct sx_sl copy;

	if (!sdp || !m || !token_ok(id, 0))
		return -EINVAL;
	if (m->nfmts >= SX_SDP_MAX_FMTS)
		return -E2BIG;
	if (sx_sdp__fmt_init(&f, id, sx_sdp__proto_is_rtp(m->proto)))
		return -EINVAL;
	int err = sx_sdp__dup(sdp, id, &copy);
	if (err)
		return err;
	f.id = copy;
	m->fmts[m->nfmts++] = f;
	return 0;
}

int sx_sdp_attr_add(struct sx_sdp *sdp, struct sx_sdp_media *m,
                    struct sx_sl name, struct sx_sl value)
{
	struct sx_sl n, v = SX_SL_NULL;
	int err;

	if (!sdp || !token_ok(name, ':') || !text_ok(value))
		return -EINVAL;
	/* a= line that our parser would take back */
	if (name.len + value.len + 1 > SX_SDP_MAX_LINE_LEN - 2)
		return -E2BIG;
	err = sx_sdp__dup(sdp, name, &n);
	if (!err && sx_sl_isset(value))
		err = sx_sdp__dup(sdp, value, &v);
	return err ? err : sx_sdp__attr_append(sdp, m, n, v);
}

/* Drop attributes after the first @n of the list (undo on failure). */
static void attrs_truncate(struct sx_sdp_media *m, unsigned n)
{
	struct sx_sdp_attr **pp = &m->attrs;
	for (unsigned i = 0; i < n && *pp; i++)
		pp = &(*pp)->next;
	*pp = NULL;
	m->nattrs = n;
}

int sx_sdp_codec_add(struct sx_sdp *sdp, struct sx_sdp_media *m, uint8_t pt,
                     struct sx_sl name, uint32_t rate, uint8_t channels,
                     struct sx_sl fmtp)
{
	char id[4];
	int err;

	if (!sdp || !m || pt > 127 || !rate || !token_ok(name, '/') ||
	    !text_ok(fmtp) || !sx_sdp__proto_is_rtp(m->proto))
		return -EINVAL;
	if (sx_sdp_fmt_find(m, pt))
		return -EEXIST;
	unsigned nattrs = m->nattrs;
	snprintf(id, sizeof(id), "%u", pt);
	err = sx_sdp_fmt_add(sdp, m, sx_sl_cstr(id));
	if (err)
		return err;
	struct sx_buf b;
	sx_buf_init(&b, SX_SDP_MAX_LINE_LEN);
	sx_buf_printf(&b, "%u %.*s/%u", pt, SX_SL_FMT(name), rate);
	if (channels > 1)
		sx_buf_printf(&b, "/%u", channels);
	err = sx_buf_err(&b);
	if (!err)
		err = sx_sdp_attr_add(sdp, m, SX_SL("rtpmap"), sx_buf_sl(&b));
	if (!err && fmtp.len) {
		sx_buf_reset(&b);
		sx_buf_printf(&b, "%u %.*s", pt, SX_SL_FMT(fmtp));
		err = sx_buf_err(&b);
		if (!err)
			err = sx_sdp_attr_add(sdp, m, SX_SL("fmtp"),
			                      sx_buf_sl(&b));
	}
	sx_buf_fini(&b);
	if (err) {
		m->nfmts--;
		attrs_truncate(m, nattrs);
	}
	return err;
}

/* Unlink every direction attribute but @keep. */
static void dir_unlink(struct sx_sdp_attr **pp, unsigned *np,
                       const struct sx_sdp_attr *keep)
{
	while (*pp) {
		struct sx_sdp_attr *a = *pp;
		bool is_dir = false;
		for (int d = SX_SDP_DIR_SENDRECV; d <= SX_SDP_DIR_INACTIVE; d++)
			is_dir |= sx_sl_eq_cstr_nocase(
			    a->name, sx_sdp_dir_name((enum sx_sdp_dir)d));
		if (is_dir && a != keep) {
			*pp = a->next;
			--*np;
		} else {
			pp = &a->next;
		}
	}
}

int sx_sdp_dir_set(struct sx_sdp *sdp, struct sx_sdp_media *m,
                   enum sx_sdp_dir dir)
{
	struct sx_sdp_attr **list;
	unsigned *np;
	const struct sx_sdp_attr *keep = NULL;

	if (!sdp || dir < SX_SDP_DIR_NONE || dir > SX_SDP_DIR_INACTIVE)
		return -EINVAL;
	list = m ? &m->attrs : &sdp->attrs;
	np = m ? &m->nattrs : &sdp->nattrs;
	if (dir != SX_SDP_DIR_NONE) {
		/* append first: on -ENOMEM nothing has changed */
		int err = sx_sdp__attr_append(
		    sdp, m, sx_sl_cstr(sx_sdp_dir_name(dir)), SX_SL_NULL);
		if (err)
			return err;
		for (keep = *list; keep->next; keep = keep->next)
			;
	}
	dir_unlink(list, np, keep);
	*(m ? &m->dir : &sdp->dir) = dir;
	return 0;
}
