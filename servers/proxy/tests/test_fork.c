/*
 * Forking tests (RFC 3261 16.6 serial and parallel forking, 16.7
 * response selection, 16.5 recursion on 3xx, 16.8 Timer C, 16.10
 * CANCEL), next hops found by DNS (RFC 3263, against a responder on
 * 127.0.0.1 written here) and the call-state events of forwarded
 * requests (cse.h), on the virtual clock of px_fixture.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fork.h"
#include "proxy_int.h"
#include "px_fixture.h"

#define C1 "sip:bob@127.0.0.2:5062"
#define C2 "sip:bob@127.0.0.2:5064"
#define C3 "sip:bob@127.0.0.2:5066"
/** Most call-state events a case records. */
#define CSE_MAX 16
/** Waits that need real I/O (DNS over loopback): iterations, ms each. */
#define NET_ITER 200
#define NET_MS   10
/** Largest DNS message the responder handles (RFC 1035 4.2.1). */
#define DNS_PKT_MAX 512
/** Longest name it answers for. */
#define DNS_NAME_MAX 255
/** TTL of its answers, seconds. */
#define DNS_TTL 60u

/* -- helpers -------------------------------------------------------------- */

static size_t count_req_to(enum sx_sip_method m, const char *ruri)
{
	size_t n = 0;
	for (size_t i = 0; i < P.nin; i++)
		n += P.in[i]->is_request && P.in[i]->method == m &&
		     (!ruri || sx_sl_eq_cstr(P.in[i]->ruri_sl, ruri));
	return n;
}

static const struct sx_sip_msg *req_to(enum sx_sip_method m, const char *ruri)
{
	for (size_t i = P.nin; i-- > 0;)
		if (P.in[i]->is_request && P.in[i]->method == m &&
		    sx_sl_eq_cstr(P.in[i]->ruri_sl, ruri))
			return P.in[i];
	return NULL;
}

/* Final responses to the caller's INVITE. */
static size_t count_finals(void)
{
	size_t n = 0;
	for (size_t i = 0; i < P.nin; i++)
		n += !P.in[i]->is_request &&
		     P.in[i]->cseq_method == SX_SIP_METHOD_INVITE &&
		     P.in[i]->status >= 200;
	return n;
}

static void advance(uint64_t ms)
{
	(void)sx_ev_clock_advance(P.loop, ms);
	settle();
}

/* B answers without waiting, then the loop settles. */
static int reply(const struct sx_sip_msg *req, unsigned code, const char *extra)
{
	int err = b_reply(req, code, extra, false);
	settle();
	return err;
}

static int call_bob(void)
{
	int err = invite("sip:bob@example.com", "Max-Forwards: 70\r\n");
	settle();
	return err;
}

/* The caller CANCELs its latest INVITE (same Via branch). */
static int caller_cancel(void)
{
	char buf[PX_MSG];
	int n = snprintf(buf, sizeof(buf),
	                 "CANCEL sip:bob@example.com SIP/2.0\r\n"
	                 "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKc%u;"
	                 "rport\r\nMax-Forwards: 70\r\n"
	                 "From: <sip:alice@example.com>;tag=a\r\n"
	                 "To: <sip:bob@example.com>\r\n"
	                 "Call-ID: call%u@px\r\nCSeq: 1 CANCEL\r\n"
	                 "Content-Length: 0\r\n\r\n",
	                 P.seq, P.seq);
	int err = b_send(buf, (size_t)n);
	settle();
	return err;
}

/* -- serial forking by q (16.6) ------------------------------------------- */

static int test_serial_order(void)
{
	const struct sx_sip_msg *i1, *i2, *i3;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">;q=0.5, <" C2 ">;q=1.0, <" C3 ">;q=0.5"));
	UT_OK(call_bob());
	/* only the q=1.0 group rings */
	UT_EQ(1, count_req_to(SX_SIP_METHOD_INVITE, NULL));
	i1 = req_to(SX_SIP_METHOD_INVITE, C2);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 486, ""));
	UT_EQ(0, count_finals());
	/* then the q=0.5 group, in parallel */
	UT_EQ(3, count_req_to(SX_SIP_METHOD_INVITE, NULL));
	i2 = req_to(SX_SIP_METHOD_INVITE, C1);
	i3 = req_to(SX_SIP_METHOD_INVITE, C3);
	UT_TRUE(i2 && i3);
	UT_OK(reply(i2, 480, ""));
	UT_EQ(0, count_finals());
	UT_OK(reply(i3, 404, ""));
	/* best over all groups: the first 4xx */
	UT_EQ(1, count_finals());
	UT_EQ(1, count_resp(486, SX_SIP_METHOD_INVITE));
out:
	px_fini();
	return px_result(err);
}

static int test_serial_timeout(void)
{
	const struct sx_sip_msg *i1, *i2, *c;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">;q=1.0, <" C2 ">;q=0.5"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 180, ""));
	UT_EQ(1, count_resp(180, SX_SIP_METHOD_INVITE));
	advance(SX_PROXY_SERIAL_TIMEOUT_MS - 1);
	UT_EQ(0, count_req_to(SX_SIP_METHOD_CANCEL, NULL));
	UT_EQ(0, count_req_to(SX_SIP_METHOD_INVITE, C2));
	/* ring time over: the group is cancelled, the next one rings */
	advance(1);
	c = req_to(SX_SIP_METHOD_CANCEL, C1);
	i2 = req_to(SX_SIP_METHOD_INVITE, C2);
	UT_TRUE(c && i2);
	UT_OK(reply(c, 200, ""));
	UT_OK(reply(i1, 487, ""));
	UT_EQ(0, count_finals());
	/* the last group has no ring time */
	UT_OK(reply(i2, 180, ""));
	advance(SX_PROXY_SERIAL_TIMEOUT_MS);
	UT_EQ(1, count_req_to(SX_SIP_METHOD_CANCEL, NULL));
	UT_OK(reply(i2, 486, ""));
	/* the cancelled group's 487 is not the answer */
	UT_EQ(1, count_finals());
	UT_EQ(1, count_resp(486, SX_SIP_METHOD_INVITE));
out:
	px_fini();
	return px_result(err);
}

/* [proxy] serial_ring_s: the ring time of a group is the configured
 * one; out-of-range values are refused. */
static int test_serial_ring_time(void)
{
	const struct sx_sip_msg *i1;
	struct sx_proxy *px = NULL;
	struct sx_proxy_prm pp = {
	    .domain = "example.com",
	    .serial_ring_ms = SX_PROXY_SERIAL_TIMEOUT_MAX_MS + 1};
	int err = 0;

	UT_ERR(-EINVAL, sx_proxy_alloc(&px, &pp));
	pp.serial_ring_ms = 0;
	UT_OK(sx_proxy_alloc(&px, &pp));
	UT_EQ(SX_PROXY_SERIAL_TIMEOUT_MS, px->serial_ms);
	px = sx_mem_unref(px);
	pp.serial_ring_ms = 5000;
	UT_OK(sx_proxy_alloc(&px, &pp));
	UT_EQ(5000, px->serial_ms);
	err = px_init();
	if (err)
		goto out;
	P.px->serial_ms = px->serial_ms; /* as configured above */
	UT_OK(do_register("<" C1 ">;q=1.0, <" C2 ">;q=0.5"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 180, ""));
	advance(4999);
	UT_EQ(0, count_req_to(SX_SIP_METHOD_INVITE, C2));
	advance(1);
	UT_EQ(1, count_req_to(SX_SIP_METHOD_CANCEL, C1));
	UT_EQ(1, count_req_to(SX_SIP_METHOD_INVITE, C2));
out:
	sx_mem_unref(px);
	px_fini();
	return px_result(err);
}

static int test_serial_2xx_ends(void)
{
	const struct sx_sip_msg *i1;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">;q=1.0, <" C2 ">;q=0.5"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 200, "Contact: <" C1 ">\r\n"));
	UT_EQ(1, count_resp(200, SX_SIP_METHOD_INVITE));
	advance(SX_PROXY_SERIAL_TIMEOUT_MS);
	UT_EQ(0, count_req_to(SX_SIP_METHOD_INVITE, C2));
out:
	px_fini();
	return px_result(err);
}

static int test_6xx_ends(void)
{
	const struct sx_sip_msg *i1, *i2, *c;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">;q=1.0, <" C2 ">;q=1.0, <" C3 ">;q=0.5"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	i2 = req_to(SX_SIP_METHOD_INVITE, C2);
	UT_TRUE(i1 && i2);
	UT_OK(reply(i2, 180, ""));
	UT_OK(reply(i1, 603, ""));
	c = req_to(SX_SIP_METHOD_CANCEL, C2);
	UT_TRUE(c != NULL);
	UT_EQ(0, count_finals());
	UT_OK(reply(c, 200, ""));
	UT_OK(reply(i2, 487, ""));
	UT_EQ(1, count_finals());
	UT_EQ(1, count_resp(603, SX_SIP_METHOD_INVITE));
	UT_EQ(0, count_req_to(SX_SIP_METHOD_INVITE, C3));
out:
	px_fini();
	return px_result(err);
}

static int test_caller_cancel(void)
{
	const struct sx_sip_msg *i1, *c;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">;q=1.0, <" C2 ">;q=0.5"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 180, ""));
	UT_OK(caller_cancel());
	UT_TRUE(find_resp(200, SX_SIP_METHOD_CANCEL) != NULL);
	c = req_to(SX_SIP_METHOD_CANCEL, C1);
	UT_TRUE(c != NULL);
	UT_OK(reply(c, 200, ""));
	UT_OK(reply(i1, 487, ""));
	UT_EQ(1, count_resp(487, SX_SIP_METHOD_INVITE));
	advance(SX_PROXY_SERIAL_TIMEOUT_MS);
	UT_EQ(0, count_req_to(SX_SIP_METHOD_INVITE, C2));
out:
	px_fini();
	return px_result(err);
}

/* -- every 2xx goes up (16.7 step 5) -------------------------------------- */

static int test_two_2xx(void)
{
	const struct sx_sip_msg *i1, *i2, *c;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">, <" C2 ">"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	i2 = req_to(SX_SIP_METHOD_INVITE, C2);
	UT_TRUE(i1 && i2);
	UT_OK(reply(i1, 180, ""));
	UT_OK(reply(i2, 200, "Contact: <" C2 ">\r\n"));
	UT_EQ(1, count_resp(200, SX_SIP_METHOD_INVITE));
	c = req_to(SX_SIP_METHOD_CANCEL, C1);
	UT_TRUE(c != NULL);
	UT_TRUE(has(c, "Reason: SIP;cause=200"));
	/* C1 answered before the CANCEL reached it: its 2xx goes up too */
	UT_OK(reply(i1, 200, "Contact: <" C1 ">\r\n"));
	UT_EQ(2, count_resp(200, SX_SIP_METHOD_INVITE));
	UT_OK(reply(c, 481, ""));
out:
	px_fini();
	return px_result(err);
}

/* A forked non-INVITE answered by both branches: the second 2xx comes
 * after the first went up and the transaction completed (its request
 * must outlive the answer while the fork context reads it). */
static int test_two_2xx_non_invite(void)
{
	const struct sx_sip_msg *m1, *m2;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">, <" C2 ">"));
	UT_OK(caller_send("MESSAGE", "sip:bob@example.com",
	                  "To: <sip:bob@example.com>\r\n", 1));
	settle();
	m1 = req_to(SX_SIP_METHOD_MESSAGE, C1);
	m2 = req_to(SX_SIP_METHOD_MESSAGE, C2);
	UT_TRUE(m1 && m2);
	UT_OK(reply(m2, 200, ""));
	UT_EQ(1, count_resp(200, SX_SIP_METHOD_MESSAGE));
	UT_OK(reply(m1, 200, ""));
	UT_TRUE(count_resp(200, SX_SIP_METHOD_MESSAGE) >= 1);
out:
	px_fini();
	return px_result(err);
}

/* -- 3xx recursion (16.5, 16.7 step 4) ------------------------------------ */

static int test_recurse(void)
{
	const struct sx_sip_msg *i1, *i2;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	/* a duplicate and a tel: URI are skipped */
	UT_OK(reply(i1, 302,
	            "Contact: <sip:carol@127.0.0.2:5070>, <tel:+15551234>\r\n"
	            "Contact: <" C1 ">\r\n"));
	UT_EQ(0, count_finals());
	UT_EQ(1, count_req_to(SX_SIP_METHOD_ACK, C1));
	UT_EQ(2, count_req_to(SX_SIP_METHOD_INVITE, NULL));
	i2 = req_to(SX_SIP_METHOD_INVITE, "sip:carol@127.0.0.2:5070");
	UT_TRUE(i2 != NULL);
	UT_OK(reply(i2, 486, ""));
	UT_EQ(1, count_finals());
	UT_EQ(1, count_resp(486, SX_SIP_METHOD_INVITE));
out:
	px_fini();
	return px_result(err);
}

static int test_recurse_nothing_new(void)
{
	const struct sx_sip_msg *i1, *m;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 302, "Contact: <tel:+15551234>, <" C1 ">\r\n"));
	/* nothing to try: the 3xx itself goes up */
	UT_EQ(1, count_req_to(SX_SIP_METHOD_INVITE, NULL));
	m = find_resp(302, SX_SIP_METHOD_INVITE);
	UT_TRUE(m != NULL);
	UT_TRUE(has(m, "tel:+15551234"));
out:
	px_fini();
	return px_result(err);
}

static int test_recurse_depth(void)
{
	char uri[64], contact[96];
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">"));
	UT_OK(call_bob());
	/* every hop redirects to a new URI: followed up to the limit */
	for (unsigned d = 0; d <= SX_PROXY_RECURSE_DEPTH_MAX; d++) {
		const struct sx_sip_msg *inv =
		    find_req(SX_SIP_METHOD_INVITE, 0);
		UT_TRUE(inv != NULL);
		snprintf(uri, sizeof(uri), "sip:hop%u@127.0.0.2:%u", d,
		         6000 + d);
		snprintf(contact, sizeof(contact), "Contact: <%s>\r\n", uri);
		UT_OK(reply(inv, 302, contact));
	}
	UT_EQ(1 + SX_PROXY_RECURSE_DEPTH_MAX,
	      count_req_to(SX_SIP_METHOD_INVITE, NULL));
	UT_EQ(1, count_finals());
	UT_TRUE(has(find_resp(302, SX_SIP_METHOD_INVITE), uri));
out:
	px_fini();
	return px_result(err);
}

/* -- Timer C (16.8) ------------------------------------------------------- */

static int test_timer_c_cancel(void)
{
	const struct sx_sip_msg *i1, *c;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 180, ""));
	advance(SX_SIP_TIMER_C_MS - 1);
	UT_EQ(0, count_req_to(SX_SIP_METHOD_CANCEL, NULL));
	advance(1);
	c = req_to(SX_SIP_METHOD_CANCEL, C1);
	UT_TRUE(c != NULL);
	UT_OK(reply(c, 200, ""));
	UT_OK(reply(i1, 487, ""));
	/* the caller did not cancel: the branch timed out */
	UT_EQ(1, count_finals());
	UT_EQ(1, count_resp(408, SX_SIP_METHOD_INVITE));
out:
	px_fini();
	return px_result(err);
}

static int test_timer_c_silent(void)
{
	const struct sx_sip_msg *i1;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 183, ""));
	advance(SX_SIP_TIMER_C_MS);
	UT_TRUE(req_to(SX_SIP_METHOD_CANCEL, C1) != NULL);
	/* no answer to the CANCEL either: 64*T1 later the branch ends */
	advance(64 * SX_SIP_T1_MS);
	UT_EQ(1, count_finals());
	UT_EQ(1, count_resp(408, SX_SIP_METHOD_INVITE));
out:
	px_fini();
	return px_result(err);
}

/* -- call-state events (cse.h) -------------------------------------------- */

static struct {
	enum px_cse_type type[CSE_MAX];
	uint16_t status[CSE_MAX];
	size_t n;
	px_cse_done_h *done;
	void *arg;
} E;

static int fake_emit(struct sx_proxy *px, struct sx_ev *loop,
                     enum px_cse_type type, const struct sx_sip_msg *req,
                     const struct sx_sip_msg *resp, px_cse_done_h *done,
                     void *arg)
{
	(void)px;
	(void)loop;
	(void)req;
	if (E.n < CSE_MAX) {
		E.type[E.n] = type;
		E.status[E.n++] = resp ? resp->status : 0;
	}
	if (done && E.done)
		return -EBUSY; /* one at a time in these tests */
	E.done = done;
	E.arg = arg;
	return 0;
}

static void cse_setup(void)
{
	memset(&E, 0, sizeof(E));
	px_fork_set_cse(fake_emit);
}

/* The store finished: run the held completion. */
static void cse_complete(int res)
{
	px_cse_done_h *done = E.done;

	E.done = NULL;
	if (done)
		done(res, E.arg);
	if (P.loop)
		settle();
}

static void cse_teardown(void)
{
	cse_complete(-ECANCELED);
	px_fork_set_cse(NULL);
}

static int test_cse_setup_held(void)
{
	const struct sx_sip_msg *i1, *m;
	int err = px_init();
	cse_setup();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">"));
	UT_OK(call_bob());
	UT_EQ(1, E.n);
	UT_EQ(PX_CSE_REQUEST, E.type[0]);
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 180, ""));
	UT_OK(reply(i1, 200, "Contact: <" C1 ">\r\n"));
	/* the 2xx waits until SETUP is durable; retransmissions too */
	UT_EQ(2, E.n);
	UT_EQ(PX_CSE_SETUP, E.type[1]);
	UT_EQ(200, E.status[1]);
	UT_EQ(0, count_resp(200, SX_SIP_METHOD_INVITE));
	UT_OK(reply(i1, 200, "Contact: <" C1 ">\r\n"));
	UT_EQ(0, count_resp(200, SX_SIP_METHOD_INVITE));
	cse_complete(0);
	UT_EQ(1, count_resp(200, SX_SIP_METHOD_INVITE));
	/* later retransmissions are relayed at once, without events */
	UT_OK(reply(i1, 200, "Contact: <" C1 ">\r\n"));
	UT_EQ(2, count_resp(200, SX_SIP_METHOD_INVITE));
	UT_EQ(2, E.n);
	/* BYE: END */
	UT_OK(caller_send("BYE", C1,
	                  "Max-Forwards: 70\r\n" OUR_ROUTE
	                  "To: <sip:bob@example.com>;tag=callee\r\n",
	                  2));
	m = req_to(SX_SIP_METHOD_BYE, C1);
	UT_TRUE(m != NULL);
	UT_EQ(2, E.n);
	/* END is recorded before the BYE's 200 goes back */
	UT_OK(reply(m, 200, ""));
	UT_EQ(3, E.n);
	UT_EQ(PX_CSE_END, E.type[2]);
	UT_EQ(0, count_resp(200, SX_SIP_METHOD_BYE));
	cse_complete(0);
	UT_EQ(1, count_resp(200, SX_SIP_METHOD_BYE));
	/* REFER: TRANSFER */
	UT_OK(caller_send("REFER", C1,
	                  "Max-Forwards: 70\r\n" OUR_ROUTE
	                  "To: <sip:bob@example.com>;tag=callee\r\n"
	                  "Refer-To: <sip:carol@example.com>\r\n",
	                  3));
	m = req_to(SX_SIP_METHOD_REFER, C1);
	UT_TRUE(m != NULL);
	UT_EQ(4, E.n);
	UT_EQ(PX_CSE_TRANSFER, E.type[3]);
	UT_OK(reply(m, 202, ""));
out:
	px_fini();
	cse_teardown();
	return px_result(err);
}

static int test_cse_failure_held(void)
{
	const struct sx_sip_msg *i1;
	int err = px_init();
	cse_setup();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 486, ""));
	UT_EQ(2, E.n);
	UT_EQ(PX_CSE_FAILURE, E.type[1]);
	UT_EQ(486, E.status[1]);
	UT_EQ(0, count_finals());
	/* a CANCEL while the event is being stored changes nothing */
	UT_OK(caller_cancel());
	UT_TRUE(find_resp(200, SX_SIP_METHOD_CANCEL) != NULL);
	UT_EQ(0, count_finals());
	cse_complete(0);
	UT_EQ(1, count_finals());
	UT_EQ(1, count_resp(486, SX_SIP_METHOD_INVITE));
out:
	px_fini();
	cse_teardown();
	return px_result(err);
}

static int test_cse_failure_made_up(void)
{
	const struct sx_sip_msg *i1;
	int err = px_init();
	cse_setup();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	/* no answer at all: Timer B, a 408 of our own, recorded first */
	advance(64 * SX_SIP_T1_MS);
	UT_EQ(2, E.n);
	UT_EQ(PX_CSE_FAILURE, E.type[1]);
	UT_EQ(408, E.status[1]);
	UT_EQ(0, count_finals());
	cse_complete(0);
	UT_EQ(1, count_resp(408, SX_SIP_METHOD_INVITE));
out:
	px_fini();
	cse_teardown();
	return px_result(err);
}

/* A call the proxy refuses itself (no binding: 480) is recorded too:
 * REQUEST, then FAILURE, durably before the caller hears of it. */
static int test_cse_rejected(void)
{
	int err = px_init();
	cse_setup();
	if (err)
		goto out;
	P.px->store = P.st; /* px_reject records only with a store */
	(void)call_bob(); /* nothing comes back yet: its wait runs out */
	UT_EQ(2, E.n);
	UT_EQ(PX_CSE_REQUEST, E.type[0]);
	UT_EQ(PX_CSE_FAILURE, E.type[1]);
	UT_EQ(480, E.status[1]);
	UT_EQ(0, count_finals());
	cse_complete(0);
	UT_EQ(1, count_resp(480, SX_SIP_METHOD_INVITE));
	/* not a call: an OPTIONS to the same user is answered at once */
	E.n = 0;
	UT_OK(caller_send("OPTIONS", "sip:bob@example.com",
	                  "Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\n",
	                  2));
	UT_EQ(0, E.n);
	UT_EQ(1, count_resp(480, SX_SIP_METHOD_OPTIONS));
out:
	px_fini();
	cse_teardown();
	return px_result(err);
}

/* The proxy goes away while an event is being stored: the completion
 * still runs safely afterwards and frees the context. */
static int test_cse_teardown_held(void)
{
	const struct sx_sip_msg *i1;
	int err = px_init();
	cse_setup();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 200, "Contact: <" C1 ">\r\n"));
	UT_TRUE(E.done != NULL);
out:
	px_fini();
	cse_teardown();
	return px_result(err);
}

/* With the real (not yet implemented) store, relaying goes on at once. */
static int test_cse_unavailable(void)
{
	const struct sx_sip_msg *i1;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<" C1 ">"));
	UT_OK(call_bob());
	i1 = req_to(SX_SIP_METHOD_INVITE, C1);
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 200, "Contact: <" C1 ">\r\n"));
	UT_EQ(1, count_resp(200, SX_SIP_METHOD_INVITE));
out:
	px_fini();
	return px_result(err);
}

/* -- next hops by DNS (RFC 3263) ----------------------------------------- */

/* A responder for A queries: one.test has one address, two.test two,
 * slow.test never answers, other names do not exist. */
static struct {
	int fd;
	char servers[64];
	unsigned queries;
} D = {.fd = -1};

static size_t dns_addrs(const char *name, uint8_t addr[2][4], bool *drop)
{
	static const uint8_t a2[4] = {127, 0, 0, 2}, a3[4] = {127, 0, 0, 3};

	*drop = !strcmp(name, "slow.test");
	if (!strcmp(name, "one.test")) {
		memcpy(addr[0], a2, 4);
		return 1;
	}
	if (!strcmp(name, "two.test")) {
		memcpy(addr[0], a3, 4);
		memcpy(addr[1], a2, 4);
		return 2;
	}
	return 0;
}

/* The question's name as text; its end offset, or 0 when malformed. */
static size_t dns_qname(const uint8_t *q, size_t n, char *name)
{
	size_t off = 12, len = 0;

	while (off < n && q[off]) {
		size_t l = q[off++];
		if (l > 63 || off + l > n || len + l + 2 > DNS_NAME_MAX)
			return 0;
		if (len)
			name[len++] = '.';
		memcpy(name + len, q + off, l);
		len += l;
		off += l;
	}
	name[len] = 0;
	return off + 5 <= n ? off + 5 : 0; /* root label, type, class */
}

static void dns_answer(int fd, uint32_t events, void *arg)
{
	uint8_t q[DNS_PKT_MAX], r[DNS_PKT_MAX], addr[2][4];
	char name[DNS_NAME_MAX];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	bool drop;

	(void)events;
	(void)arg;
	ssize_t n =
	    recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
	size_t end = n > 12 ? dns_qname(q, (size_t)n, name) : 0;
	if (!end)
		return;
	D.queries++;
	uint16_t qtype = (uint16_t)(q[end - 4] << 8 | q[end - 3]);
	size_t na = dns_addrs(name, addr, &drop);
	bool known = na || !strcmp(name, "slow.test");
	if (drop)
		return;
	if (qtype != 1) /* only A records here: NODATA for the rest */
		na = 0;
	memcpy(r, q, end);
	r[2] = (uint8_t)(0x84 | (q[2] & 1)); /* QR, AA, RD copied */
	r[3] = known ? 0x80 : 0x83;          /* RA, NOERROR / NXDOMAIN */
	memset(r + 6, 0, 6);
	r[7] = (uint8_t)na;
	size_t len = end;
	for (size_t i = 0; i < na; i++) {
		static const uint8_t rr[] = {0xc0, 12, 0, 1,       0, 1,
		                             0,    0,  0, DNS_TTL, 0, 4};
		memcpy(r + len, rr, sizeof(rr));
		memcpy(r + len + sizeof(rr), addr[i], 4);
		len += sizeof(rr) + 4;
	}
	(void)sendto(fd, r, len, 0, (struct sockaddr *)&from, flen);
}

static int dns_start(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);

	D.queries = 0;
	D.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (D.fd < 0 || bind(D.fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(D.fd, (struct sockaddr *)&sa, &len))
		return -errno;
	snprintf(D.servers, sizeof(D.servers), "127.0.0.1:%u",
	         ntohs(sa.sin_port));
	P.px->dns_servers = D.servers;
	return sx_ev_fd_add(P.loop, D.fd, SX_EV_READ, dns_answer, NULL);
}

static void dns_stop(void)
{
	if (D.fd >= 0) {
		if (P.loop)
			(void)sx_ev_fd_del(P.loop, D.fd);
		close(D.fd);
	}
	D.fd = -1;
}

/* The caller's INVITE, waiting for a lookup to end (real time). */
static int call_net(const char *ruri)
{
	char buf[PX_MSG];
	unsigned id = ++P.seq;
	int n = snprintf(buf, sizeof(buf),
	                 "INVITE %s SIP/2.0\r\n" CALLER_VIA
	                 "Max-Forwards: 70\r\nTo: <%s>\r\n"
	                 "From: <sip:alice@example.com>;tag=a\r\n"
	                 "Call-ID: call%u@px\r\nCSeq: 1 INVITE\r\n"
	                 "Content-Length: 0\r\n\r\n",
	                 ruri, id, ruri, id);
	size_t before = P.nin;
	int err = b_send(buf, (size_t)n);
	return err ? err : wait_for(before + 1, NET_ITER, NET_MS);
}

static int test_dns_next_hop(void)
{
	const struct sx_sip_msg *i1;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(dns_start());
	UT_OK(do_register("<sip:bob@one.test:5070>"));
	UT_OK(call_net("sip:bob@example.com"));
	i1 = req_to(SX_SIP_METHOD_INVITE, "sip:bob@one.test:5070");
	UT_TRUE(i1 != NULL);
	UT_TRUE(D.queries > 0);
	UT_OK(reply(i1, 200, "Contact: <sip:bob@one.test:5070>\r\n"));
	UT_EQ(1, count_resp(200, SX_SIP_METHOD_INVITE));
out:
	dns_stop();
	px_fini();
	return px_result(err);
}

static int test_dns_failover(void)
{
	const struct sx_sip_msg *i1, *i2;
	int err = px_init();
	if (err)
		goto out;
	UT_OK(dns_start());
	UT_OK(do_register("<sip:bob@two.test:5070>"));
	UT_OK(call_net("sip:bob@example.com"));
	i1 = req_to(SX_SIP_METHOD_INVITE, "sip:bob@two.test:5070");
	UT_TRUE(i1 != NULL);
	/* 503 from the first address: the second one gets the request */
	UT_OK(reply(i1, 503, ""));
	UT_EQ(2, count_req_to(SX_SIP_METHOD_INVITE, NULL));
	i2 = req_to(SX_SIP_METHOD_INVITE, "sip:bob@two.test:5070");
	UT_TRUE(i2 != i1);
	UT_TRUE(!sx_sl_eq(i1->vias[0].branch, i2->vias[0].branch));
	UT_EQ(0, count_finals());
	/* the last address fails too: 503 goes up as 500 (16.7 step 6) */
	UT_OK(reply(i2, 503, ""));
	UT_EQ(2, count_req_to(SX_SIP_METHOD_INVITE, NULL));
	UT_EQ(1, count_finals());
	UT_EQ(1, count_resp(500, SX_SIP_METHOD_INVITE));
out:
	dns_stop();
	px_fini();
	return px_result(err);
}

static int test_dns_not_found(void)
{
	int err = px_init();
	if (err)
		goto out;
	UT_OK(dns_start());
	UT_OK(do_register("<sip:bob@none.test:5070>"));
	UT_OK(call_net("sip:bob@example.com"));
	UT_EQ(0, count_req_to(SX_SIP_METHOD_INVITE, NULL));
	UT_EQ(1, count_resp(500, SX_SIP_METHOD_INVITE));
out:
	dns_stop();
	px_fini();
	return px_result(err);
}

/* A CANCEL, and then the proxy's end, while the lookup runs. */
static int test_dns_cancel_resolving(void)
{
	int err = px_init();
	if (err)
		goto out;
	UT_OK(dns_start());
	UT_OK(do_register("<sip:bob@slow.test:5070>, <sip:bob@one.test:5070>"));
	UT_OK(call_net("sip:bob@example.com"));
	const struct sx_sip_msg *i1 =
	    req_to(SX_SIP_METHOD_INVITE, "sip:bob@one.test:5070");
	UT_TRUE(i1 != NULL);
	UT_OK(reply(i1, 180, ""));
	UT_OK(caller_cancel());
	UT_TRUE(find_resp(200, SX_SIP_METHOD_CANCEL) != NULL);
	const struct sx_sip_msg *c =
	    req_to(SX_SIP_METHOD_CANCEL, "sip:bob@one.test:5070");
	UT_TRUE(c != NULL);
	UT_OK(reply(c, 200, ""));
	UT_OK(reply(i1, 487, ""));
	UT_EQ(1, count_finals());
	UT_EQ(1, count_resp(487, SX_SIP_METHOD_INVITE));
	/* a second call stays resolving until the proxy goes */
	UT_OK(call_net("sip:bob@example.com"));
out:
	dns_stop();
	px_fini();
	return px_result(err);
}

UT_MAIN(UT_C(test_serial_order), UT_C(test_serial_timeout),
        UT_C(test_serial_ring_time),
        UT_C(test_two_2xx_non_invite),
        UT_C(test_serial_2xx_ends), UT_C(test_6xx_ends),
        UT_C(test_caller_cancel), UT_C(test_two_2xx), UT_C(test_recurse),
        UT_C(test_recurse_nothing_new), UT_C(test_recurse_depth),
        UT_C(test_timer_c_cancel), UT_C(test_timer_c_silent),
        UT_C(test_cse_setup_held), UT_C(test_cse_failure_held),
        UT_C(test_cse_failure_made_up), UT_C(test_cse_teardown_held),
        UT_C(test_cse_unavailable), UT_C(test_cse_rejected), UT_C(test_dns_next_hop),
        UT_C(test_dns_failover), UT_C(test_dns_not_found),
        UT_C(test_dns_cancel_resolving))
