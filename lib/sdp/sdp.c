/*
 * SDP core (RFC 4566): the description object, connection addresses
 * (5.7, with RFC 5118 IPv6 forms), the attributes we interpret (6;
 * RFC 3605 rtcp, RFC 5761 rtcp-mux, RFC 5888 mid) and the RFC 3551 static
 * payload type table.  Used by both the parser and the builder.
 */
#include <arpa/inet.h>
#include <errno.h>

#include <sx/util/mem.h>

#include "sdp_int.h"

/* Longest IP literal we hand to inet_pton (IPv6 with IPv4 tail + NUL). */
#define SDP_IPLIT_MAX 64
/* Highest RTP payload type (RFC 3550 5.1: 7 bits). */
#define SDP_PT_MAX 127
/* Longest typed attribute number we accept (ptime ...), digits. */
#define SDP_NUM_MAX 10

/* RFC 3551 6, table 4 and 5: the static payload types. */
static const struct {
	uint8_t pt;
	const char *name;
	uint32_t rate;
	uint8_t channels;
} static_pts[] = {
    {0, "PCMU", 8000, 1},   {3, "GSM", 8000, 1},    {4, "G723", 8000, 1},
    {5, "DVI4", 8000, 1},   {6, "DVI4", 16000, 1},  {7, "LPC", 8000, 1},
    {8, "PCMA", 8000, 1},   {9, "G722", 8000, 1},   {10, "L16", 44100, 2},
    {11, "L16", 44100, 1},  {12, "QCELP", 8000, 1}, {13, "CN", 8000, 1},
    {14, "MPA", 90000, 1},  {15, "G728", 8000, 1},  {16, "DVI4", 11025, 1},
    {17, "DVI4", 22050, 1}, {18, "G729", 8000, 1},  {25, "CelB", 90000, 1},
    {26, "JPEG", 90000, 1}, {28, "nv", 90000, 1},   {31, "H261", 90000, 1},
    {32, "MPV", 90000, 1},  {33, "MP2T", 90000, 1}, {34, "H263", 90000, 1},
};

static const char *const dir_names[] = {
    [SX_SDP_DIR_SENDRECV] = "sendrecv",
    [SX_SDP_DIR_SENDONLY] = "sendonly",
    [SX_SDP_DIR_RECVONLY] = "recvonly",
    [SX_SDP_DIR_INACTIVE] = "inactive",
};

int sx_sdp_static_pt(int pt, const char **namep, uint32_t *ratep,
                     uint8_t *channelsp)
{
	for (size_t i = 0; i < SX_ARRAY_SIZE(static_pts); i++) {
		if (static_pts[i].pt != pt)
			continue;
		if (namep)
			*namep = static_pts[i].name;
		if (ratep)
			*ratep = static_pts[i].rate;
		if (channelsp)
			*channelsp = static_pts[i].channels;
		return 0;
	}
	return -ENOENT;
}

const char *sx_sdp_dir_name(enum sx_sdp_dir dir)
{
	if (dir <= SX_SDP_DIR_NONE || dir > SX_SDP_DIR_INACTIVE)
		return NULL;
	return dir_names[dir];
}

static void sdp_destroy(void *obj)
{
	struct sx_sdp *sdp = obj;
	sx_arena_fini(&sdp->arena);
	sx_mem_unref(sdp->owner);
}

int sx_sdp__new(struct sx_sdp **sdpp)
{
	struct sx_sdp *sdp = sx_mem_zalloc(sizeof(*sdp), sdp_destroy);
	if (!sdp)
		return -ENOMEM;
	sx_arena_init(&sdp->arena, NULL, 0, SX_SDP_MAX_ARENA);
	*sdpp = sdp;
	return 0;
}

int sx_sdp__dup(struct sx_sdp *sdp, struct sx_sl s, struct sx_sl *outp)
{
	char *p = sx_arena_alloc(&sdp->arena, s.len ? s.len : 1);
	if (!p)
		return -ENOMEM;
	if (s.len)
		memcpy(p, s.p, s.len);
	*outp = sx_sl_make(p, s.len);
	return 0;
}

struct sx_sl sx_sdp__tok(struct sx_sl *rest)
{
	size_t i = 0, n = rest->len;
	const char *p = rest->p;

	while (i < n && p[i] == ' ')
		i++;
	size_t start = i;
	while (i < n && p[i] != ' ')
		i++;
	struct sx_sl tok = sx_sl_make(p ? p + start : p, i - start);
	*rest = sx_sl_make(p ? p + i : p, n - i);
	return tok;
}

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* RFC 4566 9: FQDN = 4*(alpha-numeric / "-" / ".") */
static bool is_fqdn(struct sx_sl s)
{
	if (s.len < 4)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!is_alnum(s.p[i]) && s.p[i] != '-' && s.p[i] != '.')
			return false;
	return true;
}

/* inet_pton() on a slice; false when it is not a literal of @af. */
static bool ip_literal(struct sx_sl s, int af, unsigned char *bin)
{
	char tmp[SDP_IPLIT_MAX];
	if (!s.len || s.len >= sizeof(tmp))
		return false;
	memcpy(tmp, s.p, s.len);
	tmp[s.len] = '\0';
	return inet_pton(af, tmp, bin) == 1;
}

/* Split "/ttl[/n]" (IP4) or "/n" (IP6) off a multicast address. */
static int conn_suffix(struct sx_sdp_conn *c, struct sx_sl rest)
{
	struct sx_sl parts[2];
	unsigned np = 0;

	while (rest.len) {
		if (np == 2 || rest.p[0] != '/')
			return -EBADMSG;
		rest = sx_sl_sub(rest, 1, rest.len);
		ssize_t k = sx_sl_chr(rest, '/');
		size_t l = k < 0 ? rest.len : (size_t)k;
		parts[np++] = sx_sl_sub(rest, 0, l);
		rest = sx_sl_sub(rest, l, rest.len);
	}
	if (!np)
		return 0;
	if (!c->multicast)
		return -EBADMSG;
	uint32_t v;
	if (c->af == SX_SDP_AF_IP4) {
		if (sx_sl_u32_max(parts[0], 255, &v))
			return -EBADMSG;
		c->ttl = (uint8_t)v;
		if (np == 1)
			return 0;
	} else if (np == 2) {
		return -EBADMSG;
	}
	if (sx_sl_u32(parts[np - 1], &v) || v == 0)
		return -EBADMSG;
	c->naddr = v;
	return 0;
}

static void conn_classify(struct sx_sdp_conn *c)
{
	unsigned char bin[16];

	if (c->af == SX_SDP_AF_IP4 && ip_literal(c->addr, AF_INET, bin)) {
		c->multicast = (bin[0] & 0xf0) == 0xe0;
		c->any = !(bin[0] | bin[1] | bin[2] | bin[3]);
	} else if (c->af == SX_SDP_AF_IP6 &&
	           ip_literal(c->addr, AF_INET6, bin)) {
		static const unsigned char zero[16];
		c->multicast = bin[0] == 0xff;
		c->any = !memcmp(bin, zero, sizeof(zero));
	} else {
		c->fqdn = true;
	}
}

int sx_sdp__conn_parse(struct sx_sdp_conn *c, struct sx_sl nettype,
                       struct sx_sl addrtype, struct sx_sl addr, bool suffix)
{
	struct sx_sdp_conn n = {
	    .nettype = nettype, .addrtype = addrtype, .naddr = 1};

	if (!nettype.len || !addrtype.len || !addr.len)
		return -EBADMSG;
	if (!sx_sl_eq_cstr(nettype, "IN")) {
		n.af = SX_SDP_AF_OTHER;
		n.addr = addr;
		*c = n;
		return 0;
	}
	if (sx_sl_eq_cstr(addrtype, "IP4"))
		n.af = SX_SDP_AF_IP4;
	else if (sx_sl_eq_cstr(addrtype, "IP6"))
		n.af = SX_SDP_AF_IP6;
	else
		n.af = SX_SDP_AF_OTHER;
	ssize_t slash = suffix ? sx_sl_chr(addr, '/') : -1;
	n.addr = slash < 0 ? addr : sx_sl_sub(addr, 0, (size_t)slash);
	if (n.af == SX_SDP_AF_OTHER) {
		n.addr = addr;
		*c = n;
		return 0;
	}
	conn_classify(&n);
	if (n.fqdn && !is_fqdn(n.addr))
		return -EBADMSG;
	if (n.addr.len > SX_SDP_MAX_ADDR_LEN)
		return -EBADMSG;
	if (slash >= 0 &&
	    conn_suffix(&n, sx_sl_sub(addr, (size_t)slash, addr.len)))
		return -EBADMSG;
	*c = n;
	return 0;
}

int sx_sdp__conn_line(struct sx_sdp_conn *c, struct sx_sl v)
{
	struct sx_sl nt = sx_sdp__tok(&v);
	struct sx_sl at = sx_sdp__tok(&v);
	struct sx_sl addr = sx_sdp__tok(&v);
	if (sx_sdp__tok(&v).len)
		return -EBADMSG;
	return sx_sdp__conn_parse(c, nt, at, addr, true);
}

enum sx_sdp_mtype sx_sdp__mtype(struct sx_sl s)
{
	static const char *const names[] = {
	    [SX_SDP_MEDIA_AUDIO] = "audio",
	    [SX_SDP_MEDIA_VIDEO] = "video",
	    [SX_SDP_MEDIA_TEXT] = "text",
	    [SX_SDP_MEDIA_APPLICATION] = "application",
	    [SX_SDP_MEDIA_MESSAGE] = "message",
	    [SX_SDP_MEDIA_IMAGE] = "image",
	};
	for (size_t i = 1; i < SX_ARRAY_SIZE(names); i++)
		if (sx_sl_eq_cstr_nocase(s, names[i]))
			return (enum sx_sdp_mtype)i;
	return SX_SDP_MEDIA_OTHER;
}

enum sx_sdp_proto sx_sdp__proto(struct sx_sl s)
{
	static const char *const names[] = {
	    [SX_SDP_PROTO_RTP_AVP] = "RTP/AVP",
	    [SX_SDP_PROTO_RTP_SAVP] = "RTP/SAVP",
	    [SX_SDP_PROTO_RTP_AVPF] = "RTP/AVPF",
	    [SX_SDP_PROTO_RTP_SAVPF] = "RTP/SAVPF",
	    [SX_SDP_PROTO_UDP_TLS_RTP_SAVP] = "UDP/TLS/RTP/SAVP",
	    [SX_SDP_PROTO_UDP_TLS_RTP_SAVPF] = "UDP/TLS/RTP/SAVPF",
	    [SX_SDP_PROTO_UDP] = "udp",
	};
	for (size_t i = 1; i < SX_ARRAY_SIZE(names); i++)
		if (sx_sl_eq_cstr_nocase(s, names[i]))
			return (enum sx_sdp_proto)i;
	return SX_SDP_PROTO_OTHER;
}

bool sx_sdp__proto_is_rtp(enum sx_sdp_proto p)
{
	return p != SX_SDP_PROTO_OTHER && p != SX_SDP_PROTO_UDP;
}

int sx_sdp__fmt_init(struct sx_sdp_fmt *f, struct sx_sl id, bool rtp)
{
	uint32_t pt;

	*f = (struct sx_sdp_fmt){.id = id, .pt = -1, .channels = 1};
	if (!id.len)
		return -EBADMSG;
	if (!rtp)
		return 0;
	if (sx_sl_u32_max(id, SDP_PT_MAX, &pt))
		return -EBADMSG;
	f->pt = (int)pt;
	const char *name;
	if (!sx_sdp_static_pt(f->pt, &name, &f->rate, &f->channels))
		f->name = sx_sl_cstr(name);
	return 0;
}

const struct sx_sdp_attr *sx_sdp_attr_find(const struct sx_sdp_attr *list,
                                           struct sx_sl name)
{
	for (; list; list = list->next)
		if (sx_sl_eq_nocase(list->name, name))
			return list;
	return NULL;
}

const struct sx_sdp_fmt *sx_sdp_fmt_find(const struct sx_sdp_media *m, int pt)
{
	for (unsigned i = 0; i < m->nfmts; i++)
		if (m->fmts[i].pt == pt && pt >= 0)
			return &m->fmts[i];
	return NULL;
}

enum sx_sdp_dir sx_sdp_media_dir(const struct sx_sdp *sdp,
                                 const struct sx_sdp_media *m)
{
	if (m && m->dir != SX_SDP_DIR_NONE)
		return m->dir;
	if (sdp->dir != SX_SDP_DIR_NONE)
		return sdp->dir;
	return SX_SDP_DIR_SENDRECV;
}

const struct sx_sdp_conn *sx_sdp_media_conn(const struct sx_sdp *sdp,
                                            const struct sx_sdp_media *m)
{
	if (m && m->conn.af != SX_SDP_AF_NONE)
		return &m->conn;
	return &sdp->conn;
}

int sx_sdp__bw_append(struct sx_sdp *sdp, struct sx_sdp_media *m,
                      struct sx_sl type, uint32_t value)
{
	unsigned *np = m ? &m->nbw : &sdp->nbw;
	struct sx_sdp_bw **list = m ? &m->bw : &sdp->bw;

	if (*np >= SX_SDP_MAX_BW)
		return -E2BIG;
	struct sx_sdp_bw *b = sx_arena_zalloc(&sdp->arena, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->type = type;
	b->value = value;
	if (sx_sl_eq_cstr(type, "CT"))
		b->kind = SX_SDP_BW_CT;
	else if (sx_sl_eq_cstr(type, "AS"))
		b->kind = SX_SDP_BW_AS;
	else if (sx_sl_eq_cstr(type, "TIAS"))
		b->kind = SX_SDP_BW_TIAS;
	while (*list)
		list = &(*list)->next;
	*list = b;
	++*np;
	return 0;
}

int sx_sdp__time_append(struct sx_sdp *sdp, uint64_t start, uint64_t stop)
{
	if (sdp->ntimes >= SX_SDP_MAX_TIMES)
		return -E2BIG;
	struct sx_sdp_time *t = sx_arena_zalloc(&sdp->arena, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->start = start;
	t->stop = stop;
	struct sx_sdp_time **list = &sdp->times;
	while (*list)
		list = &(*list)->next;
	*list = t;
	sdp->ntimes++;
	return 0;
}

/* -- attributes we interpret ------------------------------------------ */

/* "20" or, leniently, "20.0" (some phones): the integer part counts. */
static int attr_ms(struct sx_sl v, uint32_t *outp)
{
	ssize_t dot = sx_sl_chr(v, '.');
	struct sx_sl ip = dot < 0 ? v : sx_sl_sub(v, 0, (size_t)dot);
	if (dot >= 0) {
		uint64_t frac;
		struct sx_sl fp = sx_sl_sub(v, (size_t)dot + 1, v.len);
		if (fp.len && sx_sl_u64(fp, &frac))
			return -EBADMSG;
	}
	if (ip.len > SDP_NUM_MAX || sx_sl_u32(ip, outp))
		return -EBADMSG;
	return 0;
}

static struct sx_sdp_fmt *fmt_by_id(struct sx_sdp_media *m, struct sx_sl id)
{
	for (unsigned i = 0; i < m->nfmts; i++)
		if (sx_sl_eq(m->fmts[i].id, id))
			return &m->fmts[i];
	return NULL;
}

/* RFC 4566 6: a=rtpmap:<payload type> <encoding name>/<clock rate>
 * [/<encoding parameters>] */
static int attr_rtpmap(struct sx_sdp_media *m, struct sx_sl v)
{
	struct sx_sl id = sx_sdp__tok(&v);
	struct sx_sl enc = sx_sl_trim(v);
	uint32_t rate, ch = 1;

	ssize_t s1 = sx_sl_chr(enc, '/');
	if (!id.len || s1 <= 0)
		return -EBADMSG;
	struct sx_sl name = sx_sl_sub(enc, 0, (size_t)s1);
	struct sx_sl rest = sx_sl_sub(enc, (size_t)s1 + 1, enc.len);
	ssize_t s2 = sx_sl_chr(rest, '/');
	struct sx_sl rs = s2 < 0 ? rest : sx_sl_sub(rest, 0, (size_t)s2);
	if (sx_sl_u32(rs, &rate) || !rate)
		return -EBADMSG;
	if (s2 >= 0 &&
	    sx_sl_u32_max(sx_sl_sub(rest, (size_t)s2 + 1, rest.len), 255, &ch))
		return -EBADMSG;
	struct sx_sdp_fmt *f = m ? fmt_by_id(m, id) : NULL;
	if (!f || f->pt < 0)
		return 0; /* lenient: rtpmap for a pt not offered, kept */
	f->name = name;
	f->rate = rate;
	f->channels = (uint8_t)(ch ? ch : 1);
	f->rtpmap = true;
	return 0;
}

/* RFC 4566 6: a=fmtp:<format> <format specific parameters> */
static int attr_fmtp(struct sx_sdp_media *m, struct sx_sl v)
{
	struct sx_sl id = sx_sdp__tok(&v);
	if (!id.len)
		return -EBADMSG;
	struct sx_sdp_fmt *f = m ? fmt_by_id(m, id) : NULL;
	struct sx_sl pv = sx_sl_trim(v);
	/* params stay set (non-NULL) even when empty: "a=fmtp:101" */
	if (f)
		f->params = sx_sl_make(pv.len ? pv.p : id.p + id.len, pv.len);
	return 0;
}

/* RFC 3605 2.1: a=rtcp:<port> [<nettype> <addrtype> <connection-address>] */
static int attr_rtcp(struct sx_sdp_media *m, struct sx_sl v)
{
	struct sx_sl port = sx_sdp__tok(&v);
	uint32_t p;
	struct sx_sdp_conn c = {0};

	if (sx_sl_u32_max(port, UINT16_MAX, &p))
		return -EBADMSG;
	if (sx_sl_trim(v).len && sx_sdp__conn_line(&c, v))
		return -EBADMSG;
	if (m) {
		m->has_rtcp = true;
		m->rtcp_port = (uint16_t)p;
		m->rtcp_conn = c;
	}
	return 0;
}

static enum sx_sdp_dir dir_of(struct sx_sl name)
{
	for (int d = SX_SDP_DIR_SENDRECV; d <= SX_SDP_DIR_INACTIVE; d++)
		if (sx_sl_eq_cstr_nocase(name, dir_names[d]))
			return (enum sx_sdp_dir)d;
	return SX_SDP_DIR_NONE;
}

/* Update the typed view for one attribute; unknown names stay generic. */
static int attr_apply(struct sx_sdp *sdp, struct sx_sdp_media *m,
                      struct sx_sl name, struct sx_sl value)
{
	enum sx_sdp_dir d = dir_of(name);
	if (d != SX_SDP_DIR_NONE) {
		if (m)
			m->dir = d;
		else
			sdp->dir = d;
		return 0;
	}
	if (sx_sl_eq_cstr_nocase(name, "rtpmap"))
		return attr_rtpmap(m, value);
	if (sx_sl_eq_cstr_nocase(name, "fmtp"))
		return attr_fmtp(m, value);
	if (sx_sl_eq_cstr_nocase(name, "rtcp"))
		return attr_rtcp(m, value);
	if (!m)
		return 0;
	if (sx_sl_eq_cstr_nocase(name, "ptime"))
		return attr_ms(value, &m->ptime);
	if (sx_sl_eq_cstr_nocase(name, "maxptime"))
		return attr_ms(value, &m->maxptime);
	if (sx_sl_eq_cstr_nocase(name, "rtcp-mux"))
		m->rtcp_mux = true;
	else if (sx_sl_eq_cstr_nocase(name, "mid"))
		m->mid = value;
	return 0;
}

/* RFC 4566 9: att-field = token; no ':' and no space inside. */
static bool attr_name_ok(struct sx_sl name)
{
	if (!name.len)
		return false;
	for (size_t i = 0; i < name.len; i++) {
		unsigned char c = (unsigned char)name.p[i];
		if (c <= ' ' || c >= 0x7f || c == ':')
			return false;
	}
	return true;
}

int sx_sdp__attr_append(struct sx_sdp *sdp, struct sx_sdp_media *m,
                        struct sx_sl name, struct sx_sl value)
{
	unsigned *np = m ? &m->nattrs : &sdp->nattrs;
	struct sx_sdp_attr **tail = m ? &m->attrs : &sdp->attrs;

	if (!attr_name_ok(name))
		return -EBADMSG;
	if (*np >= SX_SDP_MAX_ATTRS)
		return -E2BIG;
	/* allocate first so that -ENOMEM leaves the typed view alone */
	struct sx_sdp_attr *a = sx_arena_zalloc(&sdp->arena, sizeof(*a));
	if (!a)
		return -ENOMEM;
	int err = attr_apply(sdp, m, name, value);
	if (err)
		return err;
	a->name = name;
	a->value = value;
	while (*tail)
		tail = &(*tail)->next;
	*tail = a;
	++*np;
	return 0;
}
