/*
 * bench_parse adapter for sofia-sip (RFC 3261 parser of sofia-sip-ua):
 * msg_make() with the default SIP class, the fields from the sip_t
 * structure, then msg_serialize() + msg_as_string() to re-emit.
 */
#include <stdbool.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include "bench.h"

static msg_mclass_t const *mclass;

static int sofia_init(void)
{
	mclass = sip_default_mclass();
	return mclass ? 0 : -1;
}

static size_t sum_str(const char *s)
{
	return s ? strlen(s) : 0;
}

/* sofia parses leniently: headers it cannot parse land in sip_error. */
static bool sofia_ok(msg_t *msg, const sip_t *sip)
{
	return sip && !msg_has_error(msg) && !sip->sip_error &&
	       (sip->sip_request || sip->sip_status);
}

static long read_fields(const sip_t *sip, struct bench_fields *f)
{
	long sum = 0;
	if (sip->sip_via)
		sum += (long)sum_str(sip->sip_via->v_branch);
	if (sip->sip_from)
		sum += (long)sum_str(sip->sip_from->a_tag);
	if (sip->sip_to)
		sum += (long)sum_str(sip->sip_to->a_tag);
	const char *cid = sip->sip_call_id ? sip->sip_call_id->i_id : NULL;
	sum += (long)sum_str(cid);
	uint32_t cseq = sip->sip_cseq ? sip->sip_cseq->cs_seq : 0;
	const char *cmeth =
	    sip->sip_cseq ? sip->sip_cseq->cs_method_name : NULL;
	sum += (long)cseq + (long)sum_str(cmeth);
	const sip_contact_t *c = sip->sip_contact;
	if (c)
		sum += (long)(sum_str(c->m_url->url_host) +
		              sum_str(c->m_url->url_user));
	int max_forwards =
	    sip->sip_max_forwards ? (int)sip->sip_max_forwards->mf_count : -1;
	sum += max_forwards;
	if (f) {
		bench_field_set(f->call_id, cid, sum_str(cid));
		bench_field_set(f->cseq_method, cmeth, sum_str(cmeth));
		f->cseq = cseq;
		f->max_forwards = max_forwards;
		f->has_contact = c != NULL;
	}
	return sum;
}

static long sofia_run(const char *p, size_t len, struct bench_fields *f)
{
	long sum = -1;
	msg_t *msg = msg_make(mclass, 0, p, (ssize_t)len);
	if (!msg)
		return -1;
	sip_t *sip = sip_object(msg);
	if (!sofia_ok(msg, sip))
		goto out;
	sum = read_fields(sip, f);
	size_t outlen = 0;
	if (msg_serialize(msg, (msg_pub_t *)sip) < 0 ||
	    !msg_as_string(msg_home(msg), msg, NULL, 0, &outlen)) {
		sum = -1;
		goto out;
	}
	sum += (long)outlen;
out:
	msg_destroy(msg);
	return sum;
}

const struct bench_parser bench_parser_sofia = {
    .name = "sofia",
    .init = sofia_init,
    .run = sofia_run,
};
