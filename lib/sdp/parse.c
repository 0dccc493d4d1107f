/*
 * SDP parser (RFC 4566 5): one pass over (buf, len), line by line, filling
 * struct sx_sdp with slices into the body.  Never reads past len, needs
 * no NUL and never writes to the body.  The order rules and the places
 * where we are lenient are listed in include/sx/sdp/sdp.h.
 */
#define SX_LOG_MOD "sdp.parse"

#include <errno.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "sdp_int.h"

/* Minimum tokens of an r= line: interval, duration, one offset (5.10). */
#define SDP_REPEAT_MIN_TOKENS 3

struct pstate {
	struct sx_sdp *sdp;
	struct sx_sdp_media *m; /* current media section, NULL in session */
	uint32_t seen;          /* once-only line types at session level */
	uint32_t mseen;         /* once-only line types in the current m= */
	char prev;              /* type of the previous line */
	unsigned nlines;
	unsigned nrepeats; /* r= lines of the current t= */
};

static uint32_t bit(char type)
{
	return 1u << (type - 'a');
}

/* Mark a once-per-level line type; -EBADMSG on a repeat. */
static int once(struct pstate *ps, char type)
{
	uint32_t *seen = ps->m ? &ps->mseen : &ps->seen;
	if (*seen & bit(type))
		return -EBADMSG;
	*seen |= bit(type);
	return 0;
}

static int line_append(struct sx_sdp *sdp, struct sx_sdp_line **list,
                       unsigned *np, unsigned max, struct sx_sl v)
{
	if (*np >= max)
		return -E2BIG;
	struct sx_sdp_line *l = sx_arena_zalloc(&sdp->arena, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->value = v;
	while (*list)
		list = &(*list)->next;
	*list = l;
	++*np;
	return 0;
}

/* RFC 4566 5.2: o=<username> <sess-id> <sess-version> <nettype>
 * <addrtype> <unicast-address> */
static int parse_origin(struct pstate *ps, struct sx_sl v)
{
	struct sx_sdp_origin *o = &ps->sdp->origin;
	struct sx_sl f[6];
	uint64_t id;

	for (size_t i = 0; i < SX_ARRAY_SIZE(f); i++)
		if (!(f[i] = sx_sdp__tok(&v)).len)
			return -EBADMSG;
	if (sx_sdp__tok(&v).len)
		return -EBADMSG;
	/* sess-id is 1*DIGIT of any length: check digits, keep text */
	int rc = sx_sl_u64(f[1], &id);
	if (rc == -EINVAL || sx_sl_u64(f[2], &o->sess_version))
		return -EBADMSG;
	o->username = f[0];
	o->sess_id = f[1];
	return sx_sdp__conn_parse(&o->addr, f[3], f[4], f[5], false);
}

/* RFC 4566 5.8: b=<bwtype>:<bandwidth> */
static int parse_bw(struct pstate *ps, struct sx_sl v)
{
	ssize_t colon = sx_sl_chr(v, ':');
	uint32_t val;

	if (colon <= 0)
		return -EBADMSG;
	if (sx_sl_u32(sx_sl_sub(v, (size_t)colon + 1, v.len), &val))
		return -EBADMSG;
	return sx_sdp__bw_append(ps->sdp, ps->m, sx_sl_sub(v, 0, (size_t)colon),
	                         val);
}

/* RFC 4566 5.9: t=<start-time> <stop-time> */
static int parse_time(struct pstate *ps, struct sx_sl v)
{
	uint64_t start, stop;

	if (sx_sl_u64(sx_sdp__tok(&v), &start) ||
	    sx_sl_u64(sx_sdp__tok(&v), &stop) || sx_sdp__tok(&v).len)
		return -EBADMSG;
	ps->nrepeats = 0;
	return sx_sdp__time_append(ps->sdp, start, stop);
}

/* RFC 4566 9: typed-time = 1*DIGIT [fixed-len-time-unit]; z= offsets
 * may carry a sign. */
static bool typed_time_ok(struct sx_sl t, bool sign)
{
	if (sign && t.len && t.p[0] == '-')
		t = sx_sl_sub(t, 1, t.len);
	char u = t.len ? t.p[t.len - 1] : '0';
	if (u == 'd' || u == 'h' || u == 'm' || u == 's')
		t.len--;
	uint64_t v;
	return sx_sl_u64(t, &v) == 0;
}

static int count_typed_times(struct sx_sl v, bool sign, unsigned *np)
{
	unsigned n = 0;
	for (struct sx_sl t = sx_sdp__tok(&v); t.len; t = sx_sdp__tok(&v)) {
		if (!typed_time_ok(t, sign))
			return -EBADMSG;
		n++;
	}
	*np = n;
	return 0;
}

/* RFC 4566 5.10: r= follows its t= */
static int parse_repeat(struct pstate *ps, struct sx_sl v)
{
	struct sx_sdp_time *t = ps->sdp->times;
	unsigned n;

	if (ps->prev != 't' && ps->prev != 'r')
		return -EBADMSG;
	if (count_typed_times(v, false, &n) || n < SDP_REPEAT_MIN_TOKENS)
		return -EBADMSG;
	while (t->next)
		t = t->next;
	return line_append(ps->sdp, &t->repeats, &ps->nrepeats,
	                   SX_SDP_MAX_TIMES, v);
}

/* RFC 4566 5.11: z=<adjustment time> <offset> ... (pairs) */
static int parse_zone(struct pstate *ps, struct sx_sl v)
{
	unsigned n;
	if (count_typed_times(v, true, &n) || !n || n % 2)
		return -EBADMSG;
	ps->sdp->zone = v;
	return 0;
}

/* RFC 4566 5.13: a=<attribute> or a=<attribute>:<value> */
static int parse_attr(struct pstate *ps, struct sx_sl v)
{
	ssize_t colon = sx_sl_chr(v, ':');
	struct sx_sl name = colon < 0 ? v : sx_sl_sub(v, 0, (size_t)colon);
	struct sx_sl value =
	    colon < 0 ? SX_SL_NULL
	              : sx_sl_make(v.p + colon + 1, v.len - (size_t)colon - 1);
	return sx_sdp__attr_append(ps->sdp, ps->m, name, value);
}

/* RFC 4566 5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ... */
static int parse_media(struct pstate *ps, struct sx_sl v)
{
	struct sx_sdp *sdp = ps->sdp;
	struct sx_sl type = sx_sdp__tok(&v);
	struct sx_sl port = sx_sdp__tok(&v);
	struct sx_sl proto = sx_sdp__tok(&v);
	uint32_t p, n = 0;

	if (!type.len || !proto.len)
		return -EBADMSG;
	ssize_t slash = sx_sl_chr(port, '/');
	if (slash >= 0 &&
	    (sx_sl_u32_max(sx_sl_sub(port, (size_t)slash + 1, port.len),
	                   UINT16_MAX, &n) ||
	     !n))
		return -EBADMSG;
	if (sx_sl_u32_max(slash < 0 ? port : sx_sl_sub(port, 0, (size_t)slash),
	                  UINT16_MAX, &p))
		return -EBADMSG;
	if (sdp->nmedia >= SX_SDP_MAX_MEDIA)
		return -E2BIG;
	struct sx_sdp_media *m = sx_arena_zalloc(&sdp->arena, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->type = type;
	m->mtype = sx_sdp__mtype(type);
	m->port = (uint16_t)p;
	m->nports = (uint16_t)n;
	m->proto_sl = proto;
	m->proto = sx_sdp__proto(proto);
	bool rtp = sx_sdp__proto_is_rtp(m->proto);
	for (struct sx_sl f = sx_sdp__tok(&v); f.len; f = sx_sdp__tok(&v)) {
		if (m->nfmts >= SX_SDP_MAX_FMTS)
			return -E2BIG;
		if (sx_sdp__fmt_init(&m->fmts[m->nfmts++], f, rtp))
			return -EBADMSG;
	}
	/* lenient: some phones reject a stream as "m=video 0 RTP/AVP" */
	if (!m->nfmts && m->port)
		return -EBADMSG;
	sdp->media[sdp->nmedia++] = m;
	ps->m = m;
	ps->mseen = 0;
	return 0;
}

static int parse_session_line(struct pstate *ps, char type, struct sx_sl v)
{
	struct sx_sdp *sdp = ps->sdp;

	switch (type) {
	case 's':
		sdp->name = v;
		return once(ps, type);
	case 'u':
		sdp->uri = v;
		return once(ps, type);
	case 'e':
		return line_append(sdp, &sdp->emails, &sdp->nemails,
		                   SX_SDP_MAX_CONTACTS, v);
	case 'p':
		return line_append(sdp, &sdp->phones, &sdp->nphones,
		                   SX_SDP_MAX_CONTACTS, v);
	case 't':
		return parse_time(ps, v);
	case 'r':
		return parse_repeat(ps, v);
	case 'z':
		return once(ps, type) ? -EBADMSG : parse_zone(ps, v);
	default:
		return -EBADMSG;
	}
}

static int parse_any_line(struct pstate *ps, char type, struct sx_sl v)
{
	struct sx_sdp *sdp = ps->sdp;
	struct sx_sdp_media *m = ps->m;

	switch (type) {
	case 'i':
		*(m ? &m->info : &sdp->info) = v;
		return once(ps, type);
	case 'c':
		if (once(ps, type))
			return -EBADMSG;
		return sx_sdp__conn_line(m ? &m->conn : &sdp->conn, v);
	case 'b':
		return parse_bw(ps, v);
	case 'k':
		*(m ? &m->key : &sdp->key) = v;
		return once(ps, type);
	case 'a':
		return parse_attr(ps, v);
	case 'm':
		return parse_media(ps, v);
	default:
		if (m)
			return -EBADMSG; /* session-only line after m= */
		return parse_session_line(ps, type, v);
	}
}

static int parse_line(struct pstate *ps, struct sx_sl line)
{
	if (line.len > SX_SDP_MAX_LINE_LEN || ++ps->nlines > SX_SDP_MAX_LINES)
		return -E2BIG;
	/* RFC 4566 5: text excludes NUL and CR; "<type>=<value>" */
	if (memchr(line.p, '\r', line.len) || memchr(line.p, '\0', line.len))
		return -EBADMSG;
	if (line.len < 2 || line.p[1] != '=' || line.p[0] < 'a' ||
	    line.p[0] > 'z')
		return -EBADMSG;
	char type = line.p[0];
	struct sx_sl v = sx_sl_make(line.p + 2, line.len - 2);
	int err;

	/* strict head: v=0 first, o= second */
	if (ps->nlines == 1)
		err = (type == 'v' && sx_sl_eq_cstr(v, "0")) ? 0 : -EBADMSG;
	else if (ps->nlines == 2)
		err = type == 'o' ? parse_origin(ps, v) : -EBADMSG;
	else
		err = parse_any_line(ps, type, v);
	ps->prev = type;
	return err;
}

int sx_sdp_parse(struct sx_sdp **sdpp, const char *buf, size_t len, void *owner)
{
	struct sx_sdp *sdp = NULL;
	int err;

	if (!sdpp || (!buf && len))
		return -EINVAL;
	if (len > SX_SDP_MAX_LEN)
		return -E2BIG;
	err = sx_sdp__new(&sdp);
	if (err)
		return err;
	struct pstate ps = {.sdp = sdp};
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		struct sx_sl line = sx_sl_make(buf + pos, end - pos);
		pos = nl ? end + 1 : len;
		if (line.len && line.p[line.len - 1] == '\r')
			line.len--;
		if (!line.len)
			continue; /* lenient: blank lines are skipped */
		err = parse_line(&ps, line);
		if (err)
			goto out;
	}
	/* v=, o= and s= are mandatory (RFC 4566 5) */
	if (ps.nlines < 2 || !(ps.seen & bit('s'))) {
		err = -EBADMSG;
		goto out;
	}
	sdp->owner = sx_mem_ref(owner);
	*sdpp = sdp;
	sdp = NULL;
out:
	if (err && err != -ENOMEM)
		SX_LOG_INFO_RL("SDP rejected at line %u: %d", ps.nlines, err);
	sx_mem_unref(sdp);
	return err;
}
