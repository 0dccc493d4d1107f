/*
 * SDP printer (RFC 4566 5): writes a description in the RFC's line order
 * (v o s i u e p c b t r z k a, then per media m i c b k a), fields
 * separated by one space, every line ending in CRLF.  Attributes come out
 * in list order, so print(parse(x)) == x for any x already in that form.
 */
#include <errno.h>

#include "sdp_int.h"

static const char CRLF[] = "\r\n";

static void put_line(struct sx_buf *b, char type, struct sx_sl v)
{
	char head[2] = {type, '='};
	sx_buf_put(b, head, sizeof(head));
	sx_buf_put_sl(b, v);
	sx_buf_put(b, CRLF, 2);
}

static void put_opt_line(struct sx_buf *b, char type, struct sx_sl v)
{
	if (sx_sl_isset(v))
		put_line(b, type, v);
}

static void put_lines(struct sx_buf *b, char type, const struct sx_sdp_line *l)
{
	for (; l; l = l->next)
		put_line(b, type, l->value);
}

/* "<nettype> <addrtype> <address>[/ttl][/n]" */
static void put_addr(struct sx_buf *b, const struct sx_sdp_conn *c)
{
	sx_buf_printf(b, "%.*s %.*s %.*s", SX_SL_FMT(c->nettype),
	              SX_SL_FMT(c->addrtype), SX_SL_FMT(c->addr));
	/* IP4 multicast: the TTL comes first and must be written whenever
	 * a count follows (RFC 4566 5.7) */
	if (c->af == SX_SDP_AF_IP4 && (c->ttl || c->naddr > 1))
		sx_buf_printf(b, "/%u", c->ttl);
	if (c->naddr > 1)
		sx_buf_printf(b, "/%u", c->naddr);
}

static void put_conn(struct sx_buf *b, const struct sx_sdp_conn *c)
{
	if (c->af == SX_SDP_AF_NONE)
		return;
	sx_buf_put(b, "c=", 2);
	put_addr(b, c);
	sx_buf_put(b, CRLF, 2);
}

static void put_bw(struct sx_buf *b, const struct sx_sdp_bw *bw)
{
	for (; bw; bw = bw->next)
		sx_buf_printf(b, "b=%.*s:%u\r\n", SX_SL_FMT(bw->type),
		              bw->value);
}

static void put_attrs(struct sx_buf *b, const struct sx_sdp_attr *a)
{
	for (; a; a = a->next) {
		sx_buf_put(b, "a=", 2);
		sx_buf_put_sl(b, a->name);
		if (sx_sl_isset(a->value)) {
			sx_buf_put(b, ":", 1);
			sx_buf_put_sl(b, a->value);
		}
		sx_buf_put(b, CRLF, 2);
	}
}

static void put_times(struct sx_buf *b, const struct sx_sdp_time *t)
{
	if (!t) {
		sx_buf_put_cstr(b, "t=0 0\r\n"); /* RFC 3264 5 */
		return;
	}
	for (; t; t = t->next) {
		sx_buf_printf(b, "t=%llu %llu\r\n",
		              (unsigned long long)t->start,
		              (unsigned long long)t->stop);
		put_lines(b, 'r', t->repeats);
	}
}

static void put_media(struct sx_buf *b, const struct sx_sdp_media *m)
{
	sx_buf_printf(b, "m=%.*s %u", SX_SL_FMT(m->type), m->port);
	if (m->nports)
		sx_buf_printf(b, "/%u", m->nports);
	sx_buf_put(b, " ", 1);
	sx_buf_put_sl(b, m->proto_sl);
	for (unsigned i = 0; i < m->nfmts; i++) {
		sx_buf_put(b, " ", 1);
		sx_buf_put_sl(b, m->fmts[i].id);
	}
	sx_buf_put(b, CRLF, 2);
	put_opt_line(b, 'i', m->info);
	put_conn(b, &m->conn);
	put_bw(b, m->bw);
	put_opt_line(b, 'k', m->key);
	put_attrs(b, m->attrs);
}

int sx_sdp_print(struct sx_buf *b, const struct sx_sdp *sdp)
{
	if (!b || !sdp || sdp->origin.addr.af == SX_SDP_AF_NONE)
		return -EINVAL;
	const struct sx_sdp_origin *o = &sdp->origin;
	sx_buf_put_cstr(b, "v=0\r\n");
	sx_buf_printf(b, "o=%.*s %.*s %llu ", SX_SL_FMT(o->username),
	              SX_SL_FMT(o->sess_id),
	              (unsigned long long)o->sess_version);
	put_addr(b, &o->addr);
	sx_buf_put(b, CRLF, 2);
	put_line(b, 's', sx_sl_isset(sdp->name) ? sdp->name : SX_SL("-"));
	put_opt_line(b, 'i', sdp->info);
	put_opt_line(b, 'u', sdp->uri);
	put_lines(b, 'e', sdp->emails);
	put_lines(b, 'p', sdp->phones);
	put_conn(b, &sdp->conn);
	put_bw(b, sdp->bw);
	put_times(b, sdp->times);
	put_opt_line(b, 'z', sdp->zone);
	put_opt_line(b, 'k', sdp->key);
	put_attrs(b, sdp->attrs);
	for (unsigned i = 0; i < sdp->nmedia; i++)
		put_media(b, sdp->media[i]);
	return sx_buf_err(b);
}
