/*
 * libFuzzer target for the Date header (sx/sip/hdrs.h; RFC 3261 20.17,
 * rfc1123-date in GMT).  The input is one header value.  A date that
 * parses must print and parse back to the same time.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[SX_SIP_DATE_LEN + 1];
	time_t t = 0, back = 0;
	int rc = sx_sip_date_parse(sx_sl_make((const char *)data, size), &t);

	CHECK(rc == 0 || rc == -EBADMSG);
	if (rc || t < 0)
		return 0;
	rc = sx_sip_date_print(t, buf, sizeof(buf));
	CHECK(rc == 0 || rc == -ERANGE);
	if (rc)
		return 0;
	CHECK(sx_sip_date_parse(sx_sl_cstr(buf), &back) == 0 && back == t);
	return 0;
}
