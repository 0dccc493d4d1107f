/*
 * Fixture of the registrar tests: a virtual-clock loop, a loop-transport
 * pair (side A: transaction layer + registrar, side B: a scripted UA),
 * a temporary SQLite store, a digest engine over a fixed user table and
 * helpers that send a REGISTER / INVITE from B and wait (bounded) for the
 * final response, which the registrar sends only after the store commit.
 */
#ifndef SX_TEST_REG_FIXTURE_H
#define SX_TEST_REG_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include <sx/port/ev.h>
#include <sx/server/registrar.h>
#include <sx/sip/auth.h>
#include <sx/sip/hdrs.h>
#include <sx/sip/print.h>
#include <sx/sip/tp_loop.h>
#include <sx/sip/tsx.h>
#include <sx/store/binding.h>
#include <sx/util/mem.h>

#include "store_test.h"
#include "ut.h"

#define RX_MSG 8192
/** Unix time the virtual clock starts at. */
#define RX_EPOCH 1700000000
/** Most loop iterations a wait may take (each waits <= 50 ms). */
#define RX_WAIT_ITER 400

struct rx {
	struct sx_ev *loop;
	struct sx_sip_tp_loop *a, *b;
	struct sx_sip_tsx_layer *layer;
	struct sx_store *st;
	struct tdb db;
	bool db_made;
	struct sx_sip_auth *auth;
	struct sx_registrar *reg;
	struct sx_registrar_cfg cfg;
	unsigned branch;
	unsigned nfinal;
	uint16_t status;
	char resp[RX_MSG];
	size_t resp_len;
};

static struct rx R;

static const struct {
	const char *name, *password;
} rx_users[] = {
    {"alice", "alice-pw"},
    {"bob", "bob-pw"},
    {"carol", "carol-pw"},
};

static inline int64_t rx_clock(void *arg)
{
	(void)arg;
	return RX_EPOCH + (int64_t)(sx_ev_now(R.loop) / 1000u);
}

static inline int rx_lookup(struct sx_sl user, struct sx_sl realm,
			    struct sx_sip_auth_ha1 *ha1p, void *arg)
{
	(void)arg;
	for (size_t i = 0; i < SX_ARRAY_SIZE(rx_users); i++)
		if (sx_sl_eq_cstr(user, rx_users[i].name))
			return sx_sip_auth_ha1_compute(
			    ha1p, user, realm, sx_sl_cstr(rx_users[i].password));
	return -ENOENT;
}

static inline int rx_user_known(struct sx_sl name, void *arg)
{
	(void)arg;
	for (size_t i = 0; i < SX_ARRAY_SIZE(rx_users); i++)
		if (sx_sl_eq_cstr(name, rx_users[i].name))
			return 1;
	return 0;
}

static inline void rx_request_h(struct sx_sip_tsx *stsx,
				const struct sx_sip_msg *req,
				const struct sx_sip_peer *peer, void *arg)
{
	(void)arg;
	sx_registrar_request(R.reg, R.loop, stsx, req, peer);
}

static inline void rx_b_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
			     const struct sx_sip_peer *peer, void *arg)
{
	(void)tp;
	(void)peer;
	(void)arg;
	if (!msg->is_request && msg->status >= 200) {
		size_t n = SX_MIN(msg->wire.len, (size_t)RX_MSG - 1);
		memcpy(R.resp, msg->wire.p, n);
		R.resp[n] = '\0';
		R.resp_len = n;
		R.status = msg->status;
		R.nfinal++;
	}
	sx_sip_msg_free(msg);
}

static inline void rx_cfg_default(struct sx_registrar_cfg *c)
{
	*c = (struct sx_registrar_cfg){
	    .port = SX_REGISTRAR_PORT_DEFAULT,
	    .min_expires = SX_REGISTRAR_MIN_EXPIRES_DEFAULT,
	    .max_expires = SX_REGISTRAR_MAX_EXPIRES_DEFAULT,
	    .default_expires = SX_REGISTRAR_DEFAULT_EXPIRES_DEFAULT,
	    .max_bindings = SX_REGISTRAR_MAX_BINDINGS_DEFAULT,
	    .authenticate = false,
	};
}

static inline int rx_reg_start(void)
{
	struct sx_registrar_prm prm = {
	    .cfg = &R.cfg,
	    .store = R.st,
	    .auth = R.auth,
	    .domain = "example.com",
	    .expiry_loop = R.loop,
	    .clock = rx_clock,
	    .user_h = rx_user_known,
	};
	return sx_registrar_alloc(&R.reg, &prm);
}

/* Set up everything; @cfg NULL for the defaults (no authentication). */
static inline int rx_init(const struct sx_registrar_cfg *cfg)
{
	struct sx_sip_tsx_layer_prm lp = {.request_h = rx_request_h};
	struct sx_sip_auth_prm ap = {.realm = SX_SL("example.com"),
				     .lookup = rx_lookup};
	int err;

	memset(&R, 0, sizeof(R));
	if (cfg)
		R.cfg = *cfg;
	else
		rx_cfg_default(&R.cfg);
	err = tdb_make(&R.db);
	if (err)
		return err;
	R.db_made = true;
	err = sx_ev_alloc(&R.loop, NULL);
	if (!err)
		err = sx_ev_clock_set_virtual(R.loop, 0);
	if (!err)
		err = sx_sip_tp_loop_pair_alloc(&R.a, &R.b, R.loop, NULL);
	if (!err)
		err = sx_sip_tsx_layer_alloc(&R.layer, R.loop,
					     sx_sip_tp_loop_tport(R.a), &lp);
	if (!err)
		err = tdb_open(&R.db, 0, &R.st);
	if (!err)
		err = sx_sip_auth_alloc(&R.auth, &ap);
	if (!err)
		err = rx_reg_start();
	if (err)
		return err;
	sx_sip_tp_loop_set_handlers(R.a, sx_sip_tsx_tport_recv,
				    sx_sip_tsx_tport_err, R.layer);
	sx_sip_tp_loop_set_handlers(R.b, rx_b_recv, NULL, NULL);
	return 0;
}

static inline void rx_fini(void)
{
	sx_registrar_free(R.reg);
	if (R.st) {
		sx_store_close(R.st);
		if (R.loop)
			(void)sx_ev_run_once(R.loop, 0);
	}
	if (R.loop)
		(void)sx_ev_clock_advance(R.loop, 0);
	sx_mem_unref(R.layer);
	sx_mem_unref(R.a);
	sx_mem_unref(R.b);
	sx_mem_unref(R.auth);
	sx_ev_free(R.loop);
	if (R.db_made)
		tdb_remove(&R.db);
	memset(&R, 0, sizeof(R));
}

static inline int rx_result(int err)
{
	if (err && ut_oom_mode() && sx_mem_failed())
		return -ENOMEM;
	return err;
}

/* Send raw bytes from B and wait for the next final response. */
static inline int rx_send(const char *buf, size_t len)
{
	struct sx_sip_peer p = {.proto = SX_SIP_PROTO_UDP,
				.remote = *sx_sip_tp_loop_addr(R.a)};
	unsigned before = R.nfinal;
	int err = sx_sip_tport_send(sx_sip_tp_loop_tport(R.b), &p, buf, len);
	if (err)
		return err;
	for (int i = 0; i < RX_WAIT_ITER && R.nfinal == before; i++) {
		(void)sx_ev_clock_advance(R.loop, 0);
		if (R.nfinal != before)
			break;
		(void)sx_ev_run_once(R.loop, 50);
	}
	return R.nfinal == before ? -ETIMEDOUT : 0;
}

/* REGISTER for @user's AOR with @hdrs (CRLF-terminated lines). */
static inline int rx_register(const char *user, const char *call_id,
			      unsigned cseq, const char *hdrs)
{
	char buf[RX_MSG];
	int n = snprintf(buf, sizeof(buf),
			 "REGISTER sip:example.com SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKrx%u\r\n"
			 "Max-Forwards: 70\r\n"
			 "From: <sip:%s@example.com>;tag=rx\r\n"
			 "To: <sip:%s@example.com>\r\n"
			 "Call-ID: %s\r\n"
			 "CSeq: %u REGISTER\r\n"
			 "%s"
			 "Content-Length: 0\r\n\r\n",
			 ++R.branch, user, user, call_id, cseq, hdrs);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -E2BIG;
	return rx_send(buf, (size_t)n);
}

/* A non-REGISTER request to @ruri (the redirect service). */
static inline int rx_invite(const char *ruri)
{
	char buf[RX_MSG];
	unsigned id = ++R.branch;
	int n = snprintf(buf, sizeof(buf),
			 "INVITE %s SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKrx%u\r\n"
			 "Max-Forwards: 70\r\n"
			 "From: <sip:carol@example.com>;tag=rx\r\n"
			 "To: <%s>\r\n"
			 "Call-ID: inv%u@rx\r\n"
			 "CSeq: 1 INVITE\r\n"
			 "Content-Length: 0\r\n\r\n",
			 ruri, id, ruri, id);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -E2BIG;
	return rx_send(buf, (size_t)n);
}

/* Number of "Contact:" lines in the last response. */
static inline int rx_contacts(void)
{
	int n = 0;
	for (const char *p = R.resp; (p = strstr(p, "\r\nContact: ")); p++)
		n++;
	return n;
}

static inline bool rx_has(const char *text)
{
	return strstr(R.resp, text) != NULL;
}

#endif
