/*
 * bench_parse adapter for our parser (RFC 3261 7, 25): sx_sip_msg_parse(),
 * the eager fields, the first Contact through the lazy header API
 * (sx/sip/hdrs.h), and sx_sip_msg_print() into one reused buffer.
 */
#include <string.h>

#include <sx/sip/hdrs.h>
#include <sx/sip/msg.h>
#include <sx/sip/print.h>
#include <sx/sip/uri.h>
#include <sx/util/buf.h>

#include "bench.h"

static struct sx_buf out;

static int sx_init(void)
{
	sx_buf_init(&out, 0);
	return 0;
}

static void sx_fini(void)
{
	sx_buf_fini(&out);
}

/* First Contact value (RFC 3261 20.10) through the lazy API; 1 if found. */
static int first_contact(const struct sx_sip_msg *msg, struct sx_sip_contact *c)
{
	struct sx_sip_msg_iter it;
	sx_sip_msg_contact_iter_init(&it, msg);
	return sx_sip_msg_contact_next(&it, c) == 1;
}

static long read_fields(const struct sx_sip_msg *msg, struct bench_fields *f)
{
	long sum = 0;
	if (msg->nvias)
		sum += (long)msg->vias[0].branch.len;
	sum += (long)(msg->from_tag.len + msg->to_tag.len);
	sum += (long)msg->call_id.len;
	sum += (long)msg->cseq + (long)msg->cseq_method_sl.len;
	struct sx_sip_contact contact;
	int has_contact = first_contact(msg, &contact);
	if (has_contact)
		sum += (long)(contact.addr.uri.host.len +
		              contact.addr.uri.user.len);
	sum += msg->max_forwards;
	if (f) {
		bench_field_set(f->call_id, msg->call_id.p, msg->call_id.len);
		bench_field_set(f->cseq_method, msg->cseq_method_sl.p,
		                msg->cseq_method_sl.len);
		f->cseq = msg->cseq;
		f->max_forwards = msg->max_forwards;
		f->has_contact = has_contact;
	}
	return sum;
}

static long sx_run(const char *p, size_t len, struct bench_fields *f)
{
	const struct sx_sip_parse_prm prm = {0};
	struct sx_sip_msg *msg = NULL;
	if (sx_sip_msg_parse(&msg, p, len, &prm, NULL))
		return -1;
	long sum = read_fields(msg, f);
	sx_buf_reset(&out);
	if (sx_sip_msg_print(msg, NULL, &out))
		sum = -1;
	else
		sum += (long)out.len;
	sx_sip_msg_free(msg);
	return sum;
}

const struct bench_parser bench_parser_sx = {
    .name = "sipxecs",
    .init = sx_init,
    .fini = sx_fini,
    .run = sx_run,
};
