/*
 * libFuzzer target for the SDP parser and printer (RFC 4566): any input
 * must parse or fail cleanly; whatever parses must print, and printing is
 * a fixed point: print(parse(print(parse(x)))) == print(parse(x)).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sx/sdp/sdp.h>
#include <sx/util/buf.h>
#include <sx/util/mem.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int print_of(const char *p, size_t len, struct sx_buf *b)
{
	struct sx_sdp *sdp = NULL;
	int err = sx_sdp_parse(&sdp, p, len, NULL);
	if (!err)
		err = sx_sdp_print(b, sdp);
	sx_mem_unref(sdp);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sx_buf a, b;

	sx_buf_init(&a, 0);
	sx_buf_init(&b, 0);
	if (!print_of((const char *)data, size, &a)) {
		/* printing may add t=0 0 and CRs: only size limits may hit */
		int err = print_of(a.p, a.len, &b);
		if (err && err != -E2BIG)
			abort();
		if (!err && (a.len != b.len || memcmp(a.p, b.p, a.len)))
			abort();
	}
	sx_buf_fini(&a);
	sx_buf_fini(&b);
	return 0;
}
