/*
 * libFuzzer target for the proxy's rule files (sipXecs authrules.xml,
 * permission.xml, forwardingrules.xml; servers/proxy/rules.c).  The
 * input is one file, offered as all three (its root element decides
 * which loads); then a permission check and a forwarding decision run
 * against it for a gateway call and a SUBSCRIBE to our domain.
 * Checks:
 *  - loading never crashes, leaks or reads past the input;
 *  - a 403 reason is a NUL-terminated string within its buffer;
 *  - a forwarding Route is "<sip:...;lr>" within its buffer.
 * Any violation calls abort() so libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sx/util/log.h>
#include <sx/util/mem.h>

#include "../../../servers/proxy/proxy_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Largest route / reason buffers, as the proxy uses them. */
#define FZ_BUF 320

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

static const char *const reqs[] = {
    "INVITE sip:95551234@10.1.1.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKf1\r\n"
    "From: <sip:alice@example.com>;tag=a\r\nTo: <sip:95551234@10.1.1.1>\r\n"
    "Call-ID: f1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
    "SUBSCRIBE sip:alice@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKf2\r\n"
    "From: <sip:alice@example.com>;tag=a\r\nTo: <sip:alice@example.com>\r\n"
    "Call-ID: f2\r\nCSeq: 1 SUBSCRIBE\r\nEvent: message-summary\r\n"
    "Content-Length: 0\r\n\r\n",
};

static void exercise(struct sx_proxy *px, const char *text)
{
	struct sx_sip_msg *msg = NULL;
	struct sx_sip_peer peer = {.proto = SX_SIP_PROTO_UDP};
	char buf[FZ_BUF];

	if (sx_sip_msg_parse(&msg, text, strlen(text), NULL, NULL))
		return;
	struct px_req rq = {.px = px,
	                    .msg = msg,
	                    .peer = &peer,
	                    .authed = true,
	                    .user = "alice",
	                    .self = "127.0.0.1:5060"};
	memset(buf, 'x', sizeof(buf));
	if (px_permission_check(&rq, &msg->ruri, buf, sizeof(buf)))
		CHECK(memchr(buf, '\0', sizeof(buf)) != NULL);
	memset(buf, 'x', sizeof(buf));
	if (px_forward_route(&rq, buf, sizeof(buf)) == 1) {
		CHECK(memchr(buf, '\0', sizeof(buf)) != NULL);
		size_t n = strlen(buf);
		CHECK(n > 8 && !strncmp(buf, "<sip:", 5) &&
		      !strcmp(buf + n - 4, ";lr>"));
	}
	sx_sip_msg_free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct sx_proxy *px = NULL;
	char path[64];

	if (!quiet) {
		sx_log_set_default(SX_LOG_LVL_ERR);
		quiet = true;
	}
	int fd = memfd_create("rules", 0);
	if (fd < 0)
		return 0;
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			goto out;
		off += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct sx_proxy_prm pp = {.domain = "example.com",
	                          .authrules = path,
	                          .permissions = path,
	                          .forwardingrules = path};
	if (sx_proxy_alloc(&px, &pp))
		goto out;
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		exercise(px, reqs[i]);
	sx_mem_unref(px);
out:
	close(fd);
	return 0;
}
