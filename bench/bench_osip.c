/*
 * bench_parse adapter for libosip2 (RFC 3261 parser of GNU oSIP): parse,
 * read the proxy fields through osip's accessors, re-serialise.
 * osip_message_to_str() would return its cached copy of the input for
 * an unmodified message, so the adapter forces a real rebuild - what a
 * proxy pays once it has touched the message (added its Via).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "bench.h"

/* Trace sink: the validation pass feeds osip messages it rejects. */
static void quiet(const char *fi, int li, osip_trace_level_t level,
                  const char *chfr, va_list ap)
{
}

static int osip_init(void)
{
	osip_trace_initialize_func(TRACE_LEVEL0, quiet);
	for (int l = TRACE_LEVEL0; l < END_TRACE_LEVEL; l++)
		osip_trace_disable_level((osip_trace_level_t)l);
	return parser_init() == 0 ? 0 : -1;
}

static size_t sum_str(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Reads the fields; returns a checksum of their lengths and values. */
static long read_fields(osip_message_t *sip, struct bench_fields *f)
{
	long sum = 0;
	osip_via_t *via = NULL;
	osip_generic_param_t *prm = NULL;
	if (osip_message_get_via(sip, 0, &via) >= 0 && via &&
	    osip_via_param_get_byname(via, "branch", &prm) >= 0 && prm)
		sum += (long)sum_str(prm->gvalue);
	prm = NULL;
	if (sip->from && osip_from_get_tag(sip->from, &prm) >= 0 && prm)
		sum += (long)sum_str(prm->gvalue);
	prm = NULL;
	if (sip->to && osip_to_get_tag(sip->to, &prm) >= 0 && prm)
		sum += (long)sum_str(prm->gvalue);
	const char *cid = sip->call_id ? sip->call_id->number : NULL;
	const char *cid_host = sip->call_id ? sip->call_id->host : NULL;
	sum += (long)(sum_str(cid) + sum_str(cid_host));
	uint32_t cseq = 0;
	const char *cmeth = NULL;
	if (sip->cseq) {
		cseq = (uint32_t)strtoul(sip->cseq->number, NULL, 10);
		cmeth = sip->cseq->method;
	}
	sum += (long)cseq + (long)sum_str(cmeth);
	osip_contact_t *c = NULL;
	int has_contact = osip_message_get_contact(sip, 0, &c) >= 0 && c;
	if (has_contact && c->url)
		sum +=
		    (long)(sum_str(c->url->host) + sum_str(c->url->username));
	osip_header_t *mf = NULL;
	int max_forwards = -1;
	if (osip_message_get_max_forwards(sip, 0, &mf) >= 0 && mf && mf->hvalue)
		max_forwards = atoi(mf->hvalue);
	sum += max_forwards;
	if (f) {
		/* Call-ID is split at '@' by osip; join it back */
		char buf[BENCH_FIELD_MAX];
		snprintf(buf, sizeof(buf), "%s%s%s", cid ? cid : "",
		         cid_host ? "@" : "", cid_host ? cid_host : "");
		bench_field_set(f->call_id, buf, strlen(buf));
		bench_field_set(f->cseq_method, cmeth, sum_str(cmeth));
		f->cseq = cseq;
		f->max_forwards = max_forwards;
		f->has_contact = has_contact;
	}
	return sum;
}

static long osip_run(const char *p, size_t len, struct bench_fields *f)
{
	osip_message_t *sip = NULL;
	long sum = -1;
	char *out = NULL;
	size_t outlen = 0;
	if (osip_message_init(&sip) != 0)
		return -1;
	if (osip_message_parse(sip, p, len) != 0)
		goto out;
	sum = read_fields(sip, f);
	osip_message_force_update(sip);
	if (osip_message_to_str(sip, &out, &outlen) != 0) {
		sum = -1;
		goto out;
	}
	sum += (long)outlen;
out:
	osip_free(out);
	osip_message_free(sip);
	return sum;
}

const struct bench_parser bench_parser_osip = {
    .name = "osip2",
    .init = osip_init,
    .run = osip_run,
};
