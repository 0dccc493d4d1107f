/*
 * Multipart bodies (RFC 2046 5.1; RFC 5621 for SIP): walk the body parts
 * between boundary delimiters.  Parts are slices of the body; binary
 * content with NULs is fine (RFC 4475 3.1.1.11 mpart01).  The preamble
 * and epilogue are ignored; a body without a close delimiter is bad.
 * Lenient on line ends: a bare LF is accepted where CRLF is expected.
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/hdrs.h>

#include "chars.h"

enum delim {
	DELIM_NONE = 0,
	DELIM_NEXT,  /* "--boundary" padding CRLF */
	DELIM_CLOSE, /* "--boundary--" */
};

/* Is there a delimiter line "--" boundary at @i?  *afterp: first byte
 * of the next line (or the end). */
static enum delim match_delim(struct sx_sl s, size_t i, struct sx_sl b,
			      size_t *afterp)
{
	if (i > s.len || s.len - i < 2 + b.len || s.p[i] != '-' ||
	    s.p[i + 1] != '-' || memcmp(s.p + i + 2, b.p, b.len))
		return DELIM_NONE;
	i += 2 + b.len;
	if (s.len - i >= 2 && s.p[i] == '-' && s.p[i + 1] == '-') {
		*afterp = s.len;
		return DELIM_CLOSE;
	}
	i = sx_sip__sl_span(s, i, SX_SIP_C_WSP);
	if (i < s.len && s.p[i] == '\r' && i + 1 < s.len && s.p[i + 1] == '\n')
		i += 2;
	else if (i < s.len && s.p[i] == '\n')
		i++;
	else if (i < s.len)
		return DELIM_NONE; /* "--boundaryX": not ours */
	*afterp = i;
	return DELIM_NEXT;
}

/* First delimiter at @from or at the start of a later line; *startp is
 * where the preceding part ends (before its CRLF). */
static enum delim find_delim(struct sx_sl s, size_t from, struct sx_sl b,
			     size_t *startp, size_t *afterp)
{
	enum delim d = match_delim(s, from, b, afterp);

	if (d) {
		*startp = from;
		return d;
	}
	for (size_t i = from; i < s.len; i++) {
		const char *nl = memchr(s.p + i, '\n', s.len - i);
		if (!nl)
			break;
		size_t k = (size_t)(nl - s.p);
		d = match_delim(s, k + 1, b, afterp);
		if (d) {
			*startp = (k > from && s.p[k - 1] == '\r') ? k - 1 : k;
			return d;
		}
		i = k;
	}
	return DELIM_NONE;
}

int sx_sip_multipart_init(struct sx_sip_multipart_iter *it, struct sx_sl body,
			  struct sx_sl boundary)
{
	size_t start, after;
	enum delim d;

	if (!it)
		return -EINVAL;
	if (!boundary.len || boundary.len > SX_SIP_MAX_BOUNDARY_LEN)
		return -EBADMSG;
	d = find_delim(body, 0, boundary, &start, &after);
	if (d == DELIM_NONE)
		return -EBADMSG;
	it->boundary = boundary;
	it->n = 0;
	it->done = d == DELIM_CLOSE;
	it->rest = it->done ? SX_SL_NULL : sx_sl_sub(body, after, body.len);
	return 0;
}

/* A part: headers, an empty line, the body.  No empty line: all headers. */
static void split_part(struct sx_sl s, struct sx_sip_part *part)
{
	size_t k = 0;

	while (k < s.len) {
		const char *nl = memchr(s.p + k, '\n', s.len - k);
		if (!nl)
			break;
		k = (size_t)(nl - s.p);
		size_t j = k + 1;
		if (j < s.len && s.p[j] == '\r')
			j++;
		if (j < s.len && s.p[j] == '\n') {
			part->hdrs = sx_sl_make(s.p, k);
			part->body = sx_sl_sub(s, j + 1, s.len);
			return;
		}
		k++;
	}
	part->hdrs = s;
	part->body = sx_sl_make(s.p + s.len, 0);
}

int sx_sip_multipart_next(struct sx_sip_multipart_iter *it,
			  struct sx_sip_part *partp)
{
	struct sx_sl s = it->rest;
	size_t start, after;
	enum delim d;

	if (it->done)
		return 0;
	if (it->n >= SX_SIP_MAX_PARTS)
		return -E2BIG;
	d = find_delim(s, 0, it->boundary, &start, &after);
	if (d == DELIM_NONE)
		return -EBADMSG;
	struct sx_sl content = sx_sl_make(s.p, start);
	if (content.len && content.p[0] == '\n') {
		partp->hdrs = sx_sl_make(content.p, 0);
		partp->body = sx_sl_sub(content, 1, content.len);
	} else if (content.len > 1 && content.p[0] == '\r' &&
		   content.p[1] == '\n') {
		partp->hdrs = sx_sl_make(content.p, 0);
		partp->body = sx_sl_sub(content, 2, content.len);
	} else {
		split_part(content, partp);
	}
	if (partp->hdrs.len && partp->hdrs.p[partp->hdrs.len - 1] == '\r')
		partp->hdrs.len--;
	it->n++;
	it->done = d == DELIM_CLOSE;
	it->rest = it->done ? SX_SL_NULL : sx_sl_sub(s, after, s.len);
	return 1;
}

int sx_sip_part_hdr_next(struct sx_sl *rest, struct sx_sl *namep,
			 struct sx_sl *valp)
{
	struct sx_sl s = *rest, line, name;
	size_t e = 0;
	ssize_t colon;

	if (!s.len)
		return 0;
	/* the field ends at a line break not followed by folding WSP */
	while (e < s.len &&
	       !(s.p[e] == '\n' &&
	         (e + 1 >= s.len || !SX_SIP_CC(s.p[e + 1], SX_SIP_C_WSP))))
		e++;
	line = sx_sl_make(s.p, e);
	colon = sx_sl_chr(line, ':');
	if (colon <= 0)
		return -EBADMSG;
	name = sx_sl_trim(sx_sl_make(line.p, (size_t)colon));
	if (!sx_sip_is_token(name))
		return -EBADMSG;
	*namep = name;
	*valp = sx_sl_trim(sx_sl_sub(line, (size_t)colon + 1, line.len));
	*rest = sx_sl_sub(s, e + 1, s.len);
	return 1;
}

int sx_sip_part_hdr_find(const struct sx_sip_part *part, const char *name,
			 struct sx_sl *valp)
{
	struct sx_sl rest, n, v;
	unsigned count = 0;
	int rc;

	if (!part || !name)
		return -EINVAL;
	rest = part->hdrs;
	while ((rc = sx_sip_part_hdr_next(&rest, &n, &v)) == 1) {
		if (++count > SX_SIP_MAX_PART_HDRS)
			return -E2BIG;
		if (sx_sl_eq_cstr_nocase(n, name)) {
			if (valp)
				*valp = v;
			return 0;
		}
	}
	return rc ? rc : -ENOENT;
}
