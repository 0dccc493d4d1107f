/*
 * SDP offer/answer (RFC 3264): writes our offers and answers with the
 * builder and reads the peer's SDP into per-stream results.  The rules
 * applied are listed in include/sx/sdp/oa.h; telephone-event follows
 * RFC 4733 7.1, rtcp-mux RFC 5761 5.1.1, a=rtcp RFC 3605.
 */
#define SX_LOG_MOD "sdp.oa"

#include <errno.h>
#include <stdio.h>

#include <sx/sdp/oa.h>
#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "sdp_int.h"

/* Longest media type, proto or fmt token kept for a rejected m= line. */
#define SLOT_TOKEN_MAX 32
/* Dynamic payload type range (RFC 3551 3). */
#define PT_DYN_MIN 96
#define PT_DYN_MAX 127
/* Room for "a=ptime" values. */
#define PTIME_TEXT_MAX 12

/* One m= line of the session as we last described it (RFC 3264 8). */
struct oa_slot {
	enum sx_sdp_mtype mtype;
	char type[SLOT_TOKEN_MAX + 1];  /* m= media token */
	char proto[SLOT_TOKEN_MAX + 1]; /* m= proto token */
	char fmt[SLOT_TOKEN_MAX + 1];   /* one fmt for a port-0 line */
	int cap;                        /* index into caps; -1 = rejected */
	int pts[SX_SDP_OA_MAX_CODECS];  /* pt per codec in use; -1 = own */
	int dtmf_pt;                    /* telephone-event pt in use, -1 */
};

struct sx_sdp_oa {
	const struct sx_sdp_oa_cap *caps;
	size_t ncaps;
	char username[SX_SDP_OA_NAME_MAX + 1];
	char sess_name[SX_SDP_OA_NAME_MAX + 1];
	char addr[SX_SDP_MAX_ADDR_LEN + 1];
	uint64_t sess_id;
	uint64_t version;
	bool prefer_local;
	bool single_codec;
	enum sx_sdp_dir dir; /* what we want */
	struct oa_slot slots[SX_SDP_MAX_MEDIA];
	unsigned nslots;
	bool offer_pending;
	char *last; /* last SDP we sent (sx_mem block) */
	size_t last_len;
	bool have_remote;     /* remote o= seen */
	uint32_t remote_hash; /* of its username and sess-id */
	uint64_t remote_version;
};

/* A common codec: offered format index and our codec index. */
struct match {
	int fi;
	int ci;
};

static void oa_destroy(void *obj)
{
	struct sx_sdp_oa *oa = obj;
	sx_mem_unref(oa->last);
}

static bool copy_cstr(char *dst, size_t size, const char *src, const char *dflt)
{
	const char *s = src ? src : dflt;
	size_t n = strlen(s);
	if (n >= size)
		return false;
	memcpy(dst, s, n + 1);
	return true;
}

static bool caps_ok(const struct sx_sdp_oa_prm *prm)
{
	if (!prm->caps || !prm->ncaps || prm->ncaps > SX_SDP_OA_MAX_CAPS)
		return false;
	for (size_t i = 0; i < prm->ncaps; i++) {
		const struct sx_sdp_oa_cap *c = &prm->caps[i];
		if (!c->codecs || !c->ncodecs ||
		    c->ncodecs > SX_SDP_OA_MAX_CODECS ||
		    c->dtmf_pt > PT_DYN_MAX)
			return false;
		for (size_t k = 0; k < c->ncodecs; k++)
			if (!c->codecs[k].name || !c->codecs[k].rate ||
			    c->codecs[k].pt > PT_DYN_MAX)
				return false;
	}
	return true;
}

int sx_sdp_oa_alloc(struct sx_sdp_oa **oap, const struct sx_sdp_oa_prm *prm)
{
	if (!oap || !prm || !prm->addr || !caps_ok(prm))
		return -EINVAL;
	struct sx_sdp_oa *oa = sx_mem_zalloc(sizeof(*oa), oa_destroy);
	if (!oa)
		return -ENOMEM;
	if (!copy_cstr(oa->username, sizeof(oa->username), prm->username,
	               "-") ||
	    !copy_cstr(oa->sess_name, sizeof(oa->sess_name), prm->sess_name,
	               "-") ||
	    !copy_cstr(oa->addr, sizeof(oa->addr), prm->addr, "")) {
		sx_mem_unref(oa);
		return -EINVAL;
	}
	oa->caps = prm->caps;
	oa->ncaps = prm->ncaps;
	oa->sess_id = prm->sess_id;
	oa->version = prm->sess_version;
	oa->prefer_local = prm->prefer_local;
	oa->single_codec = prm->single_codec;
	oa->dir = SX_SDP_DIR_SENDRECV;
	*oap = oa;
	return 0;
}

void sx_sdp_oa_set_dir(struct sx_sdp_oa *oa, enum sx_sdp_dir dir)
{
	if (oa && dir > SX_SDP_DIR_NONE && dir <= SX_SDP_DIR_INACTIVE)
		oa->dir = dir;
}

void sx_sdp_oa_offer_cancel(struct sx_sdp_oa *oa)
{
	if (oa)
		oa->offer_pending = false;
}

uint64_t sx_sdp_oa_version(const struct sx_sdp_oa *oa)
{
	return oa ? oa->version : 0;
}

/* -- helpers ----------------------------------------------------------- */

static const char *mtype_name(enum sx_sdp_mtype t)
{
	switch (t) {
	case SX_SDP_MEDIA_AUDIO:
		return "audio";
	case SX_SDP_MEDIA_VIDEO:
		return "video";
	case SX_SDP_MEDIA_TEXT:
		return "text";
	case SX_SDP_MEDIA_APPLICATION:
		return "application";
	case SX_SDP_MEDIA_MESSAGE:
		return "message";
	case SX_SDP_MEDIA_IMAGE:
		return "image";
	default:
		return "unknown";
	}
}

static bool dir_sends(enum sx_sdp_dir d)
{
	return d == SX_SDP_DIR_SENDRECV || d == SX_SDP_DIR_SENDONLY;
}

static bool dir_recvs(enum sx_sdp_dir d)
{
	return d == SX_SDP_DIR_SENDRECV || d == SX_SDP_DIR_RECVONLY;
}

static enum sx_sdp_dir dir_make(bool send, bool recv)
{
	if (send && recv)
		return SX_SDP_DIR_SENDRECV;
	if (send)
		return SX_SDP_DIR_SENDONLY;
	return recv ? SX_SDP_DIR_RECVONLY : SX_SDP_DIR_INACTIVE;
}

static bool is_te(struct sx_sl name)
{
	return sx_sl_eq_cstr_nocase(name, "telephone-event");
}

static bool is_cn(struct sx_sl name)
{
	return sx_sl_eq_cstr_nocase(name, "CN");
}

static unsigned mono(unsigned ch)
{
	return ch ? ch : 1;
}

/* Same codec: name (case-insensitive), clock rate and channels. */
static bool codec_match(const struct sx_sdp_fmt *f,
                        const struct sx_sdp_oa_codec *c)
{
	return f->pt >= 0 && f->name.len &&
	       sx_sl_eq_cstr_nocase(f->name, c->name) && f->rate == c->rate &&
	       mono(f->channels) == mono(c->channels);
}

/* telephone-event format of @m, preferring clock rate @rate. */
static const struct sx_sdp_fmt *te_find(const struct sx_sdp_media *m,
                                        uint32_t rate)
{
	const struct sx_sdp_fmt *fallback = NULL;
	for (unsigned i = 0; i < m->nfmts; i++) {
		const struct sx_sdp_fmt *f = &m->fmts[i];
		if (f->pt < 0 || !is_te(f->name))
			continue;
		if (f->rate == rate)
			return f;
		if (f->rate == SX_SDP_OA_DTMF_RATE && !fallback)
			fallback = f;
	}
	return fallback;
}

static void copy_sl(char *dst, size_t size, struct sx_sl s)
{
	size_t n = SX_MIN(s.len, size - 1);
	if (n)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static uint32_t origin_hash(const struct sx_sdp *sdp)
{
	return sx_sl_hash(sdp->origin.username) * 31u ^
	       sx_sl_hash(sdp->origin.sess_id);
}

static bool remote_changed(const struct sx_sdp_oa *oa, const struct sx_sdp *sdp)
{
	return !oa->have_remote || oa->remote_hash != origin_hash(sdp) ||
	       oa->remote_version != sdp->origin.sess_version;
}

static void remote_commit(struct sx_sdp_oa *oa, const struct sx_sdp *sdp)
{
	oa->have_remote = true;
	oa->remote_hash = origin_hash(sdp);
	oa->remote_version = sdp->origin.sess_version;
}

/* -- writing our SDP ----------------------------------------------------- */

static int local_new(const struct sx_sdp_oa *oa, struct sx_sdp **sdpp)
{
	struct sx_sdp *sdp = NULL;
	int err = sx_sdp_alloc(&sdp);
	if (!err)
		err = sx_sdp_origin_set(sdp, sx_sl_cstr(oa->username),
		                        oa->sess_id, oa->version,
		                        sx_sl_cstr(oa->addr));
	if (!err)
		err = sx_sdp_name_set(sdp, sx_sl_cstr(oa->sess_name));
	if (!err)
		err = sx_sdp_conn_set(sdp, NULL, sx_sl_cstr(oa->addr));
	if (!err)
		err = sx_sdp_time_add(sdp, 0, 0);
	if (err)
		sx_mem_unref(sdp);
	else
		*sdpp = sdp;
	return err;
}

/* rtcp-mux, ptime and direction of an accepted m= line. */
static int media_attrs(struct sx_sdp *sdp, struct sx_sdp_media *m,
                       const struct sx_sdp_oa_cap *cap, bool mux,
                       enum sx_sdp_dir dir)
{
	int err = 0;
	if (mux)
		err = sx_sdp_attr_add(sdp, m, SX_SL("rtcp-mux"), SX_SL_NULL);
	if (!err && cap->ptime) {
		char v[PTIME_TEXT_MAX];
		snprintf(v, sizeof(v), "%u", cap->ptime);
		err = sx_sdp_attr_add(sdp, m, SX_SL("ptime"), sx_sl_cstr(v));
	}
	return err ? err : sx_sdp_dir_set(sdp, m, dir);
}

static const char *dtmf_events(const struct sx_sdp_oa_cap *cap)
{
	return cap->dtmf_events ? cap->dtmf_events : SX_SDP_OA_DTMF_EVENTS;
}

/* Payload type for an offer: @want unless taken on @m or reserved by a
 * negotiated mapping, else a free dynamic one; -1 when none is left. */
static int free_pt(const struct sx_sdp_media *m, const bool *reserved, int want)
{
	if (!reserved[want] && !sx_sdp_fmt_find(m, want))
		return want;
	for (int pt = PT_DYN_MIN; pt <= PT_DYN_MAX; pt++)
		if (!reserved[pt] && !sx_sdp_fmt_find(m, pt))
			return pt;
	return -1;
}

/* RFC 3264 8.3.2: numbers in use keep their codec in a re-offer, so
 * codecs without one must not take them. */
static void pts_reserved(const struct oa_slot *s, size_t ncodecs,
                         bool *reserved)
{
	memset(reserved, 0, (PT_DYN_MAX + 1) * sizeof(*reserved));
	for (size_t k = 0; k < ncodecs; k++)
		if (s->pts[k] >= 0)
			reserved[s->pts[k]] = true;
	if (s->dtmf_pt >= 0)
		reserved[s->dtmf_pt] = true;
}

/* Payload type for one codec: the @negotiated one, else our @own. */
static int offer_pt(const struct sx_sdp_media *m, const bool *reserved,
                    int negotiated, int own)
{
	if (negotiated >= 0)
		return sx_sdp_fmt_find(m, negotiated) ? -1 : negotiated;
	return free_pt(m, reserved, own);
}

/* A port-0 m= line (rejected or disabled stream, RFC 3264 6). */
static int media_rejected(struct sx_sdp *sdp, struct sx_sl type,
                          struct sx_sl proto, struct sx_sl fmt)
{
	struct sx_sdp_media *m;
	int err = sx_sdp_media_add(sdp, &m, type, 0, proto);
	if (!err && fmt.len)
		err = sx_sdp_fmt_add(sdp, m, fmt);
	return err;
}

/* telephone-event clock rate for an offer: 8000 if a codec uses it. */
static uint32_t te_rate(const struct sx_sdp_oa_cap *cap)
{
	for (size_t k = 0; k < cap->ncodecs; k++)
		if (cap->codecs[k].rate == SX_SDP_OA_DTMF_RATE)
			return SX_SDP_OA_DTMF_RATE;
	return cap->codecs[0].rate;
}

static int offer_media(struct sx_sdp_oa *oa, struct sx_sdp *sdp,
                       struct oa_slot *s)
{
	struct sx_sdp_media *m;

	if (s->cap < 0)
		return media_rejected(sdp, sx_sl_cstr(s->type),
		                      sx_sl_cstr(s->proto), sx_sl_cstr(s->fmt));
	const struct sx_sdp_oa_cap *cap = &oa->caps[s->cap];
	bool reserved[PT_DYN_MAX + 1];
	pts_reserved(s, cap->ncodecs, reserved);
	int err = sx_sdp_media_add(sdp, &m, sx_sl_cstr(s->type), cap->port,
	                           sx_sl_cstr(s->proto));
	for (size_t k = 0; !err && k < cap->ncodecs; k++) {
		const struct sx_sdp_oa_codec *c = &cap->codecs[k];
		int pt = offer_pt(m, reserved, s->pts[k], c->pt);
		if (pt < 0)
			return -E2BIG;
		err =
		    sx_sdp_codec_add(sdp, m, (uint8_t)pt, sx_sl_cstr(c->name),
		                     c->rate, c->channels, sx_sl_cstr(c->fmtp));
		s->pts[k] = pt;
	}
	if (!err && cap->dtmf_pt >= 0) {
		int pt = offer_pt(m, reserved, s->dtmf_pt, cap->dtmf_pt);
		if (pt < 0)
			return -E2BIG;
		err = sx_sdp_codec_add(sdp, m, (uint8_t)pt,
		                       SX_SL("telephone-event"), te_rate(cap),
		                       1, sx_sl_cstr(dtmf_events(cap)));
		s->dtmf_pt = pt;
	}
	return err ? err : media_attrs(sdp, m, cap, cap->rtcp_mux, oa->dir);
}

/* Print @sdp, bump the o= version if it differs from the last one we
 * sent (RFC 3264 8), append it to @out and remember it. */
static int emit(struct sx_sdp_oa *oa, struct sx_sdp *sdp, struct sx_buf *out)
{
	struct sx_buf b;
	bool bump = false;
	size_t len = 0;

	sx_buf_init(&b, SX_SDP_MAX_LEN);
	int err = sx_sdp_print(&b, sdp);
	if (!err && oa->last &&
	    (b.len != oa->last_len || memcmp(b.p, oa->last, b.len))) {
		bump = true;
		sdp->origin.sess_version = oa->version + 1;
		sx_buf_reset(&b);
		err = sx_sdp_print(&b, sdp);
	}
	if (!err) {
		sx_buf_put(out, b.p, b.len);
		err = sx_buf_err(out);
	}
	if (!err) {
		sx_mem_unref(oa->last);
		oa->last = sx_buf_detach(&b, &len);
		oa->last_len = len;
		oa->version += bump;
	}
	sx_buf_fini(&b);
	return err;
}

static void slot_own(struct oa_slot *s, const struct sx_sdp_oa *oa, int cap)
{
	*s = (struct oa_slot){
	    .mtype = oa->caps[cap].mtype, .cap = cap, .dtmf_pt = -1};
	copy_sl(s->type, sizeof(s->type),
	        sx_sl_cstr(mtype_name(oa->caps[cap].mtype)));
	copy_sl(s->proto, sizeof(s->proto), SX_SL("RTP/AVP"));
	for (size_t k = 0; k < SX_SDP_OA_MAX_CODECS; k++)
		s->pts[k] = -1;
}

int sx_sdp_oa_offer(struct sx_sdp_oa *oa, struct sx_buf *out)
{
	struct sx_sdp *sdp = NULL;
	int err;

	if (!oa || !out)
		return -EINVAL;
	if (oa->offer_pending)
		return -EBUSY;
	if (!oa->nslots) {
		for (size_t i = 0; i < oa->ncaps; i++)
			slot_own(&oa->slots[i], oa, (int)i);
		oa->nslots = (unsigned)oa->ncaps;
	}
	err = local_new(oa, &sdp);
	for (unsigned i = 0; !err && i < oa->nslots; i++)
		err = offer_media(oa, sdp, &oa->slots[i]);
	if (!err)
		err = emit(oa, sdp, out);
	if (!err)
		oa->offer_pending = true;
	sx_mem_unref(sdp);
	return err;
}

/* -- reading the peer's SDP ---------------------------------------------- */

static void stream_init(struct sx_sdp_oa_stream *st, enum sx_sdp_mtype t)
{
	*st = (struct sx_sdp_oa_stream){.mtype = t,
	                                .codec = -1,
	                                .tx_pt = -1,
	                                .rx_pt = -1,
	                                .tx_dtmf_pt = -1,
	                                .rx_dtmf_pt = -1};
}

/* Remote address, ports, direction and ptime of an accepted stream. */
static void stream_remote(struct sx_sdp_oa_stream *st,
                          const struct sx_sdp_oa *oa, const struct sx_sdp *sdp,
                          const struct sx_sdp_media *m, bool mux)
{
	const struct sx_sdp_conn *c = sx_sdp_media_conn(sdp, m);
	enum sx_sdp_dir pd = sx_sdp_media_dir(sdp, m);

	if (c->af == SX_SDP_AF_IP4 || c->af == SX_SDP_AF_IP6) {
		st->af = c->af;
		copy_sl(st->raddr, sizeof(st->raddr), c->addr);
	}
	st->rport = m->port;
	st->rtcp_mux = mux;
	memcpy(st->rtcp_addr, st->raddr, sizeof(st->rtcp_addr));
	if (mux) {
		st->rtcp_port = m->port;
	} else if (m->has_rtcp) {
		st->rtcp_port = m->rtcp_port;
		if (m->rtcp_conn.af == SX_SDP_AF_IP4 ||
		    m->rtcp_conn.af == SX_SDP_AF_IP6)
			copy_sl(st->rtcp_addr, sizeof(st->rtcp_addr),
			        m->rtcp_conn.addr);
	} else if (m->port < UINT16_MAX) {
		st->rtcp_port = (uint16_t)(m->port + 1); /* RFC 3550 11 */
	}
	/* RFC 3264 8.4: c=0.0.0.0 means "do not send to me" */
	bool peer_recv = dir_recvs(pd) && !c->any;
	st->remote_hold = !peer_recv;
	st->dir = dir_make(peer_recv && dir_sends(oa->dir),
	                   dir_sends(pd) && dir_recvs(oa->dir));
	st->ptime = m->ptime;
}

/* Common codecs of offered @om and @cap, in the order we answer with. */
static unsigned matches_find(const struct sx_sdp_oa *oa,
                             const struct sx_sdp_media *om,
                             const struct sx_sdp_oa_cap *cap, struct match *mt)
{
	unsigned n = 0;
	size_t outer = oa->prefer_local ? cap->ncodecs : om->nfmts;
	size_t inner = oa->prefer_local ? om->nfmts : cap->ncodecs;

	for (size_t i = 0; i < outer; i++) {
		for (size_t j = 0; j < inner; j++) {
			int fi = (int)(oa->prefer_local ? j : i);
			int ci = (int)(oa->prefer_local ? i : j);
			const struct sx_sdp_fmt *f = &om->fmts[fi];
			if (is_te(f->name) || !codec_match(f, &cap->codecs[ci]))
				continue;
			bool dup = false;
			/* one entry per codec and per payload type number */
			for (unsigned k = 0; k < n; k++)
				dup |= mt[k].ci == ci ||
				       om->fmts[mt[k].fi].pt == f->pt;
			if (!dup)
				mt[n++] = (struct match){fi, ci};
			break;
		}
	}
	return n;
}

/* Index of the first match that is a real codec (not CN), or -1. */
static int chosen_index(const struct sx_sdp_media *om, const struct match *mt,
                        unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (!is_cn(om->fmts[mt[k].fi].name))
			return (int)k;
	return -1;
}

/* Capability for offered line @i: free, same media type, plain RTP. */
static int cap_pick(const struct sx_sdp_oa *oa, unsigned i,
                    const struct sx_sdp_media *om, unsigned used)
{
	if (!om->port || (om->proto != SX_SDP_PROTO_RTP_AVP &&
	                  om->proto != SX_SDP_PROTO_RTP_AVPF))
		return -1;
	/* RFC 3264 8: a re-offer keeps the stream where it was */
	if (i < oa->nslots && oa->slots[i].cap >= 0) {
		int c = oa->slots[i].cap;
		if (oa->caps[c].mtype == om->mtype && !(used & (1u << c)))
			return c;
	}
	for (size_t c = 0; c < oa->ncaps; c++)
		if (oa->caps[c].mtype == om->mtype && !(used & (1u << c)))
			return (int)c;
	return -1;
}

static bool slot_tokens(struct oa_slot *s, const struct sx_sdp_media *om)
{
	struct sx_sl fmt = om->nfmts ? om->fmts[0].id : SX_SL_NULL;
	if (om->type.len > SLOT_TOKEN_MAX ||
	    om->proto_sl.len > SLOT_TOKEN_MAX || fmt.len > SLOT_TOKEN_MAX)
		return false;
	copy_sl(s->type, sizeof(s->type), om->type);
	copy_sl(s->proto, sizeof(s->proto), om->proto_sl);
	copy_sl(s->fmt, sizeof(s->fmt), fmt);
	return true;
}

struct answer_ctx {
	struct sx_sdp_oa *oa;
	const struct sx_sdp *offer;
	struct sx_sdp *sdp;
};

/* Write the accepted m= line for offered @om on capability @ci. */
static int answer_accept(struct answer_ctx *ax, const struct sx_sdp_media *om,
                         int ci, const struct match *mt, unsigned n,
                         struct oa_slot *s, struct sx_sdp_oa_stream *st)
{
	const struct sx_sdp_oa_cap *cap = &ax->oa->caps[ci];
	const struct sx_sdp_fmt *chosen = &om->fmts[mt[0].fi];
	const struct sx_sdp_fmt *te =
	    cap->dtmf_pt >= 0 ? te_find(om, chosen->rate) : NULL;
	bool mux = om->rtcp_mux && cap->rtcp_mux;
	struct sx_sdp_media *m;

	int err =
	    sx_sdp_media_add(ax->sdp, &m, om->type, cap->port, om->proto_sl);
	for (unsigned k = 0; !err && k < n; k++) {
		const struct sx_sdp_fmt *f = &om->fmts[mt[k].fi];
		const struct sx_sdp_oa_codec *c = &cap->codecs[mt[k].ci];
		err =
		    sx_sdp_codec_add(ax->sdp, m, (uint8_t)f->pt, f->name,
		                     f->rate, f->channels, sx_sl_cstr(c->fmtp));
		s->pts[mt[k].ci] = f->pt;
	}
	if (te && sx_sdp_fmt_find(m, te->pt))
		te = NULL; /* hostile offer: pt listed twice */
	if (!err && te)
		err =
		    sx_sdp_codec_add(ax->sdp, m, (uint8_t)te->pt, te->name,
		                     te->rate, 1, sx_sl_cstr(dtmf_events(cap)));
	stream_remote(st, ax->oa, ax->offer, om, mux);
	if (!err)
		err = media_attrs(ax->sdp, m, cap, mux, st->dir);
	s->cap = ci;
	s->dtmf_pt = te ? te->pt : -1;
	st->accepted = true;
	st->cap = cap;
	st->codec = mt[0].ci;
	st->tx_pt = st->rx_pt = chosen->pt;
	st->tx_dtmf_pt = st->rx_dtmf_pt = te ? te->pt : -1;
	copy_sl(st->fmtp, sizeof(st->fmtp), chosen->params);
	return err;
}

static int answer_media(struct answer_ctx *ax, unsigned i, unsigned *used,
                        struct oa_slot *s, struct sx_sdp_oa_stream *st)
{
	const struct sx_sdp_media *om = ax->offer->media[i];
	struct match mt[SX_SDP_MAX_FMTS];

	*s = (struct oa_slot){.mtype = om->mtype, .cap = -1, .dtmf_pt = -1};
	for (size_t k = 0; k < SX_SDP_OA_MAX_CODECS; k++)
		s->pts[k] = -1;
	stream_init(st, om->mtype);
	if (!slot_tokens(s, om))
		return -E2BIG;
	int ci = cap_pick(ax->oa, i, om, *used);
	unsigned n =
	    ci >= 0 ? matches_find(ax->oa, om, &ax->oa->caps[ci], mt) : 0;
	int k = chosen_index(om, mt, n);
	if (k < 0)
		return media_rejected(ax->sdp, om->type, om->proto_sl,
		                      sx_sl_cstr(s->fmt));
	/* the chosen codec goes first */
	struct match first = mt[k];
	memmove(&mt[1], &mt[0], (size_t)k * sizeof(mt[0]));
	mt[0] = first;
	if (ax->oa->single_codec)
		n = 1;
	*used |= 1u << ci;
	return answer_accept(ax, om, ci, mt, n, s, st);
}

int sx_sdp_oa_answer(struct sx_sdp_oa *oa, const struct sx_sdp *offer,
                     struct sx_buf *out, struct sx_sdp_oa_result *res)
{
	struct oa_slot slots[SX_SDP_MAX_MEDIA];
	struct answer_ctx ax = {.oa = oa, .offer = offer};
	unsigned used = 0;

	if (!oa || !offer || !out || !res)
		return -EINVAL;
	if (oa->offer_pending)
		return -EBUSY;
	*res = (struct sx_sdp_oa_result){.nstreams = offer->nmedia,
	                                 .remote_changed =
	                                     remote_changed(oa, offer)};
	int err = local_new(oa, &ax.sdp);
	for (unsigned i = 0; !err && i < offer->nmedia; i++) {
		err = answer_media(&ax, i, &used, &slots[i], &res->streams[i]);
		res->naccepted += res->streams[i].accepted;
	}
	if (!err)
		err = emit(oa, ax.sdp, out);
	if (!err) {
		memcpy(oa->slots, slots, offer->nmedia * sizeof(slots[0]));
		oa->nslots = offer->nmedia;
		remote_commit(oa, offer);
	}
	sx_mem_unref(ax.sdp);
	return err;
}

/* First answered format that is one of our codecs (not CN). */
static int answer_codec(const struct sx_sdp_media *am,
                        const struct sx_sdp_oa_cap *cap, int *cip)
{
	for (unsigned i = 0; i < am->nfmts; i++) {
		const struct sx_sdp_fmt *f = &am->fmts[i];
		if (is_cn(f->name) || is_te(f->name))
			continue;
		for (size_t k = 0; k < cap->ncodecs; k++) {
			if (codec_match(f, &cap->codecs[k])) {
				*cip = (int)k;
				return (int)i;
			}
		}
	}
	return -1;
}

static void process_media(struct sx_sdp_oa *oa, const struct sx_sdp *answer,
                          unsigned i, struct sx_sdp_oa_stream *st)
{
	const struct sx_sdp_media *am = answer->media[i];
	const struct oa_slot *s = &oa->slots[i];
	int ci = -1;

	stream_init(st, am->mtype);
	if (s->cap < 0 || !am->port)
		return;
	const struct sx_sdp_oa_cap *cap = &oa->caps[s->cap];
	int fi = answer_codec(am, cap, &ci);
	if (fi < 0) {
		SX_LOG_INFO_RL("answer m=%u: no codec of ours", i);
		return;
	}
	const struct sx_sdp_fmt *f = &am->fmts[fi];
	const struct sx_sdp_fmt *te =
	    s->dtmf_pt >= 0 ? te_find(am, f->rate) : NULL;
	stream_remote(st, oa, answer, am, am->rtcp_mux && cap->rtcp_mux);
	st->accepted = true;
	st->cap = cap;
	st->codec = ci;
	st->tx_pt = f->pt;
	st->rx_pt = s->pts[ci];
	st->tx_dtmf_pt = te ? te->pt : -1;
	st->rx_dtmf_pt = te ? s->dtmf_pt : -1;
	copy_sl(st->fmtp, sizeof(st->fmtp), f->params);
}

int sx_sdp_oa_answer_process(struct sx_sdp_oa *oa, const struct sx_sdp *answer,
                             struct sx_sdp_oa_result *res)
{
	if (!oa || !answer || !res || !oa->offer_pending)
		return -EINVAL;
	/* RFC 3264 6: same number of m= lines, same media types */
	if (answer->nmedia != oa->nslots)
		return -EPROTO;
	for (unsigned i = 0; i < oa->nslots; i++)
		if (answer->media[i]->mtype != oa->slots[i].mtype)
			return -EPROTO;
	*res = (struct sx_sdp_oa_result){.nstreams = answer->nmedia,
	                                 .remote_changed =
	                                     remote_changed(oa, answer)};
	for (unsigned i = 0; i < oa->nslots; i++) {
		process_media(oa, answer, i, &res->streams[i]);
		res->naccepted += res->streams[i].accepted;
	}
	oa->offer_pending = false;
	remote_commit(oa, answer);
	return 0;
}
