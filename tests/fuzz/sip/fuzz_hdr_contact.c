/*
 * libFuzzer target for the lazy address headers (sx/sip/hdrs.h):
 * Contact (RFC 3261 20.10, RFC 5626, RFC 5627), Route / Path lists,
 * P-Asserted-Identity lists, Refer-To and qvalues.  The input is one
 * header value.  Every result slice must lie inside the input, every
 * walk must end within the list limit, and only the documented error
 * codes may come back.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <sx/sip/hdrs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

static struct sx_sl in;

static bool inside(struct sx_sl s)
{
	return !s.len || (s.p >= in.p && s.len <= in.len &&
			  (size_t)(s.p - in.p) <= in.len - s.len);
}

static bool known_rc(int rc)
{
	return rc == 1 || rc == 0 || rc == -EBADMSG || rc == -ERANGE ||
	       rc == -E2BIG;
}

static void check_addr(const struct sx_sip_addr *a)
{
	CHECK(inside(a->display) && inside(a->uri.raw) &&
	      inside(a->uri.host) && inside(a->params) && inside(a->raw));
}

static void walk_contacts(void)
{
	struct sx_sip_list_iter it;
	struct sx_sip_contact c;
	unsigned n = 0;
	int rc;

	sx_sip_list_iter_init(&it, in);
	/* bad elements are skipped over: keep walking until the end */
	while ((rc = sx_sip_contact_next(&it, &c)) != 0) {
		CHECK(known_rc(rc));
		CHECK(++n <= SX_SIP_MAX_LIST_ELEMS + 1);
		if (rc != 1)
			continue;
		CHECK(!c.has_q || c.q <= SX_SIP_Q_MAX);
		CHECK(!c.has_reg_id ||
		      (c.reg_id && c.reg_id <= SX_SIP_REG_ID_MAX));
		CHECK(inside(c.instance) && inside(c.pub_gruu) &&
		      inside(c.temp_gruu) && inside(c.params));
		if (!c.wildcard)
			check_addr(&c.addr);
	}
}

static void walk_addrs(bool route)
{
	struct sx_sip_list_iter it;
	struct sx_sip_addr a;
	unsigned n = 0;
	int rc;

	sx_sip_list_iter_init(&it, in);
	while ((rc = route ? sx_sip_route_next(&it, &a)
			   : sx_sip_addr_next(&it, &a)) != 0) {
		CHECK(known_rc(rc));
		CHECK(++n <= SX_SIP_MAX_LIST_ELEMS + 1);
		if (rc == 1) {
			check_addr(&a);
			CHECK(!route || a.name_addr);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sx_sip_addr a;
	uint16_t q;
	int rc;

	in = sx_sl_make((const char *)data, size);
	walk_contacts();
	walk_addrs(true);
	walk_addrs(false);
	rc = sx_sip_addr1_parse(&a, in);
	CHECK(rc == 0 || known_rc(rc));
	if (!rc)
		check_addr(&a);
	rc = sx_sip_qvalue_parse(in, &q);
	CHECK(rc == 0 || rc == -EBADMSG || rc == -ERANGE);
	CHECK(rc || q <= SX_SIP_Q_MAX);
	return 0;
}
