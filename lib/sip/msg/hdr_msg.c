/*
 * Convenience layer over a parsed message (RFC 3261 7.3.1: a header that
 * may hold a comma list may also appear as several fields, equivalent to
 * one field with the values joined in order).  Thin wrappers: find the
 * field(s) with sx_sip_msg_hdr() / sx_sip_msg_hdr_next() and parse them.
 */
#include <errno.h>
#include <string.h>

#include <sx/sip/hdrs.h>

void sx_sip_msg_iter_init(struct sx_sip_msg_iter *it,
			  const struct sx_sip_msg *msg, enum sx_sip_hdr_id id)
{
	memset(it, 0, sizeof(*it));
	it->msg = msg;
	it->id = id;
}

int sx_sip_msg_iter_next(struct sx_sip_msg_iter *it, struct sx_sl *elemp,
			 const struct sx_sip_hdr **hdrp)
{
	int rc;

	/* each round moves to a later field: bounded by the field count */
	while ((rc = sx_sip_list_iter_next(&it->list, elemp)) == 0) {
		if (it->started && !it->hdr)
			return 0;
		it->hdr = sx_sip_msg_hdr_next(it->msg, it->hdr, it->id);
		it->started = true;
		if (!it->hdr)
			return 0;
		sx_sip_list_iter_init(&it->list, it->hdr->value);
	}
	if (hdrp)
		*hdrp = it->hdr;
	return rc;
}

int sx_sip_msg_contact_next(struct sx_sip_msg_iter *it,
			    struct sx_sip_contact *c)
{
	struct sx_sl elem;
	int rc = sx_sip_msg_iter_next(it, &elem, NULL);

	if (rc != 1)
		return rc;
	rc = sx_sip_contact_parse(c, elem);
	return rc ? rc : 1;
}

static bool needs_name_addr(enum sx_sip_hdr_id id)
{
	return id == SX_SIP_HDR_ROUTE || id == SX_SIP_HDR_RECORD_ROUTE ||
	       id == SX_SIP_HDR_PATH;
}

int sx_sip_msg_addr_next(struct sx_sip_msg_iter *it, struct sx_sip_addr *a)
{
	struct sx_sl elem;
	int rc = sx_sip_msg_iter_next(it, &elem, NULL);

	if (rc != 1)
		return rc;
	rc = sx_sip_addr_parse(a, elem);
	if (!rc && needs_name_addr(it->id) && !a->name_addr)
		rc = -EBADMSG;
	return rc ? rc : 1;
}

static int delta_of(const struct sx_sip_msg *msg, enum sx_sip_hdr_id id,
		    uint32_t *secp)
{
	const struct sx_sip_hdr *h = sx_sip_msg_hdr(msg, id);

	return h ? sx_sip_delta_parse(h->value, secp) : -ENOENT;
}

int sx_sip_msg_expires(const struct sx_sip_msg *msg, uint32_t *secp)
{
	return delta_of(msg, SX_SIP_HDR_EXPIRES, secp);
}

int sx_sip_msg_min_expires(const struct sx_sip_msg *msg, uint32_t *secp)
{
	return delta_of(msg, SX_SIP_HDR_MIN_EXPIRES, secp);
}

int sx_sip_msg_content_type(const struct sx_sip_msg *msg,
			    struct sx_sip_mtype *m)
{
	const struct sx_sip_hdr *h;

	h = sx_sip_msg_hdr(msg, SX_SIP_HDR_CONTENT_TYPE);
	return h ? sx_sip_mtype_parse(m, h->value) : -ENOENT;
}

int sx_sip_msg_event(const struct sx_sip_msg *msg, struct sx_sip_event *e)
{
	const struct sx_sip_hdr *h = sx_sip_msg_hdr(msg, SX_SIP_HDR_EVENT);

	return h ? sx_sip_event_parse(e, h->value) : -ENOENT;
}

int sx_sip_msg_has_token(const struct sx_sip_msg *msg, enum sx_sip_hdr_id id,
			 struct sx_sl token)
{
	const struct sx_sip_hdr *h = NULL;

	while ((h = sx_sip_msg_hdr_next(msg, h, id))) {
		int rc = sx_sip_token_list_has(h->value, token);
		if (rc)
			return rc;
	}
	return 0;
}

int sx_sip_msg_credentials(const struct sx_sip_msg *msg, enum sx_sip_hdr_id id,
			   struct sx_sl realm, struct sx_sip_credentials *cr)
{
	const struct sx_sip_hdr *h = NULL;
	struct sx_sip_credentials tmp;

	if (!cr)
		return -EINVAL;
	while ((h = sx_sip_msg_hdr_next(msg, h, id))) {
		if (sx_sip_credentials_parse(&tmp, h->value) ||
		    tmp.scheme != SX_SIP_AUTH_DIGEST)
			continue;
		if (realm.p && !sx_sip_qstr_eq(tmp.realm, realm))
			continue;
		*cr = tmp;
		return 0;
	}
	return -ENOENT;
}

int sx_sip_msg_multipart_init(struct sx_sip_multipart_iter *it,
			      const struct sx_sip_msg *msg)
{
	struct sx_sip_mtype m;
	struct sx_sl boundary;
	int err = sx_sip_msg_content_type(msg, &m);

	if (err)
		return err;
	if (!sx_sl_eq_cstr_nocase(m.type, "multipart"))
		return -ENOENT;
	err = sx_sip_mtype_param(&m, "boundary", &boundary);
	if (err)
		return -EBADMSG;
	return sx_sip_multipart_init(it, msg->body, boundary);
}
