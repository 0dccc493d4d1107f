/*
 * Stateless error replies to requests the parser rejected (RFC 3261
 * 8.2.6.2 for the copied fields, 16.3 / 18.2.1 for answering bad
 * requests; a response and an ACK are never answered, RFC 3261 17).
 * The parser returns nothing for a failed message, so this scans the raw
 * bytes for the five fields a response copies, conservatively: any
 * control byte or fold means the request is dropped.  Via (where the
 * answer goes, 18.2.2) and CSeq (what the client matches it by, 17.1.3)
 * are required; missing From, To or Call-ID are left out of the 400, as
 * RFC 4475 3.3.1 would rather see one than silence.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include <sx/sip/hdr.h>
#include <sx/sip/print.h>

#include "tport_int.h"

enum field { F_VIA, F_FROM, F_TO, F_CALL_ID, F_CSEQ, F_COUNT };

/* Lines of the fields to copy: Via may repeat, the others once. */
struct fields {
	struct sx_sl via[SX_SIP_MAX_VIA];
	size_t nvia;
	struct sx_sl one[F_COUNT]; /* name ": " value pieces, F_VIA unused */
	struct sx_sl name[F_COUNT];
};

static int field_of(enum sx_sip_hdr_id id)
{
	switch (id) {
	case SX_SIP_HDR_VIA:
		return F_VIA;
	case SX_SIP_HDR_FROM:
		return F_FROM;
	case SX_SIP_HDR_TO:
		return F_TO;
	case SX_SIP_HDR_CALL_ID:
		return F_CALL_ID;
	case SX_SIP_HDR_CSEQ:
		return F_CSEQ;
	default:
		return -1;
	}
}

/* Visible ASCII, SP, HTAB and UTF-8 bytes only. */
static bool printable(struct sx_sl s)
{
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static struct sx_sl trim_ws(struct sx_sl s)
{
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s;
}

/* One header line: record it if wanted.  -EBADMSG on anything odd. */
static int take_line(struct fields *f, struct sx_sl line, bool *last_wanted)
{
	if (line.p[0] == ' ' || line.p[0] == '\t')
		return *last_wanted ? -EBADMSG : 0; /* fold of a wanted one */
	ssize_t colon = sx_sl_chr(line, ':');
	*last_wanted = false;
	if (colon <= 0)
		return 0;
	struct sx_sl name = trim_ws(sx_sl_make(line.p, (size_t)colon));
	int i = field_of(sx_sip_hdr_lookup(name));
	if (i < 0)
		return 0;
	struct sx_sl val = trim_ws(
	    sx_sl_sub(line, (size_t)colon + 1, line.len - (size_t)colon - 1));
	if (!val.len || !printable(val) || !printable(name))
		return -EBADMSG;
	*last_wanted = true;
	if (i == F_VIA) {
		if (f->nvia == SX_SIP_MAX_VIA)
			return -EBADMSG;
		f->via[f->nvia++] = val;
	} else if (!f->one[i].len) {
		f->name[i] = name;
		f->one[i] = val;
	}
	return 0;
}

/* Split the header block into lines (LF or CRLF) up to the empty line. */
static int scan(struct fields *f, const char *p, const char *end)
{
	bool last_wanted = false;

	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		const char *le = lf ? lf : end;
		if (le > p && le[-1] == '\r')
			le--;
		if (le == p)
			break; /* the empty line */
		if ((size_t)(le - p) > SX_SIP_MAX_LINE_LEN)
			return -EBADMSG;
		int err =
		    take_line(f, sx_sl_make(p, (size_t)(le - p)), &last_wanted);
		if (err)
			return err;
		if (!lf)
			break;
		p = lf + 1;
	}
	return 0;
}

/* Request-Line shape: method token, then not a response, not ACK. */
static int request_line(const char **pp, const char *end)
{
	const char *p = *pp;
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	const char *sp = memchr(p, ' ', (size_t)((lf ? lf : end) - p));

	if (!lf || !sp || sp == p)
		return -EBADMSG;
	struct sx_sl method = sx_sl_make(p, (size_t)(sp - p));
	if (sx_sl_prefix_nocase(method, SX_SL("SIP/")) ||
	    sx_sl_eq_cstr(method, "ACK"))
		return -EBADMSG;
	*pp = lf + 1;
	return 0;
}

static bool has_tag(struct sx_sl to)
{
	for (size_t i = 0; i + 4 <= to.len; i++)
		if (sx_sl_prefix_nocase(sx_sl_sub(to, i, 4), SX_SL("tag=")) &&
		    i && (to.p[i - 1] == ';' || to.p[i - 1] == ' '))
			return true;
	return false;
}

int sx_sip__err_reply(const char *p, size_t len, const struct sx_sip_perr *perr,
                      struct sx_buf *out)
{
	struct fields f = {0};
	const char *end = p + SX_MIN(len, (size_t)SX_SIP_MAX_MSG_SIZE);

	if (!p || !perr || !out || perr->status < 300 || perr->status > 699)
		return -EBADMSG;
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if (request_line(&p, end) || scan(&f, p, end))
		return -EBADMSG;
	if (!f.nvia || !f.one[F_CSEQ].len)
		return -EBADMSG;
	size_t total = 0;
	for (size_t i = 0; i < f.nvia; i++)
		total += f.via[i].len;
	for (int i = F_FROM; i < F_COUNT; i++)
		total += f.one[i].len;
	if (total > SX_SIP__ERR_REPLY_MAX)
		return -EBADMSG;
	sx_sip_print_status_line(out, perr->status,
	                         sx_sl_cstr(perr->reason
	                                        ? perr->reason
	                                        : sx_sip_reason(perr->status)));
	for (size_t i = 0; i < f.nvia; i++)
		sx_sip_print_hdr(out, SX_SL("Via"), f.via[i]);
	if (f.one[F_FROM].len)
		sx_sip_print_hdr(out, SX_SL("From"), f.one[F_FROM]);
	/* RFC 3261 8.2.6.2: a To tag on every non-100 response */
	if (f.one[F_TO].len && has_tag(f.one[F_TO]))
		sx_sip_print_hdr(out, SX_SL("To"), f.one[F_TO]);
	else if (f.one[F_TO].len)
		sx_sip_print_hdrf(out, "To", "%.*s;tag=sx%08x",
		                  SX_SL_FMT(f.one[F_TO]),
		                  sx_sl_hash(f.one[F_CALL_ID]));
	if (f.one[F_CALL_ID].len)
		sx_sip_print_hdr(out, SX_SL("Call-ID"), f.one[F_CALL_ID]);
	sx_sip_print_hdr(out, SX_SL("CSeq"), f.one[F_CSEQ]);
	sx_buf_put_cstr(out, "Content-Length: 0\r\n\r\n");
	return sx_buf_err(out);
}

uint64_t sx_sip__conn_id_next(void)
{
	static _Atomic uint64_t next = 1;
	return atomic_fetch_add_explicit(&next, 1, memory_order_relaxed);
}
