/*
 * Proxy rule files and NAT tests: authrules.xml + permission.xml
 * (sipXecs EnforceAuthRules: 403 naming the missing permission),
 * forwardingrules.xml (loose Route to the service owning a request),
 * reloading on mtime change, hostile files, and received routing of
 * NATed bindings (RFC 3261 16.5/16.6, like Kamailio nathelper).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "px_auth.h"

/* servers/proxy/tests/data/NAME (an absolute NAME as it is) */
static void data_path(char *buf, size_t cap, const char *name)
{
	const char *f = __FILE__;
	if (name[0] == '/') {
		snprintf(buf, cap, "%s", name);
		return;
	}
	const char *slash = strrchr(f, '/');
	int dir = slash ? (int)(slash - f) : 1;
	snprintf(buf, cap, "%.*s/data/%s", dir, slash ? f : ".", name);
}

static int rules_init(const char *authrules, const char *fwd)
{
	char ar[512], pm[512], fw[512];
	data_path(ar, sizeof(ar), authrules ? authrules : "authrules.xml");
	data_path(pm, sizeof(pm), "permission.xml");
	data_path(fw, sizeof(fw), fwd ? fwd : "forwardingrules.xml");
	struct sx_proxy_prm pp = {
	    .authrules = ar, .permissions = pm, .forwardingrules = fw};
	return auth_init_prm(&pp);
}

/* Register @contact for alice (the fixture's do_register is bob's). */
static int register_alice(const char *contact)
{
	char buf[PX_MSG];
	unsigned id = ++P.seq;
	int n = snprintf(buf, sizeof(buf),
	                 "REGISTER sip:example.com SIP/2.0\r\n" CALLER_VIA
	                 "Max-Forwards: 70\r\n"
	                 "From: <sip:alice@example.com>;tag=r\r\n"
	                 "To: <sip:alice@example.com>\r\n"
	                 "Call-ID: rega@px\r\nCSeq: %u REGISTER\r\n"
	                 "Contact: %s\r\nContent-Length: 0\r\n\r\n",
	                 id, id, contact);
	size_t before = P.nin;
	int err = n < 0 || n >= PX_MSG ? -E2BIG : b_send(buf, (size_t)n);
	if (!err)
		err = wait_for(before + 1, PX_STORE_ITER, PX_STORE_MS);
	if (!err && last()->status != 200)
		err = -EPROTO;
	return err;
}

static int bob_calls_alice(void)
{
	return request_as("INVITE", "sip:bob@example.com",
	                  "sip:alice@example.com", "bob", "secret", "");
}

static int test_permissions(void)
{
	int err = rules_init(NULL, NULL);
	if (err)
		goto out;
	/* alice holds LocalDialing: bob's gateway contact is reached */
	UT_OK(do_register("<sip:95551234@10.1.1.1>"));
	UT_OK(invite_as("alice", "secret", ""));
	UT_TRUE(last()->is_request);
	UT_SL_EQ("sip:95551234@10.1.1.1", last()->ruri_sl);
	UT_OK(b_answer(last(), 486, ""));
	/* bob does not */
	UT_OK(register_alice("<sip:95551234@10.1.1.1>"));
	UT_OK(bob_calls_alice());
	UT_EQ(403, last()->status);
	UT_SL_EQ("LocalDialing Required", last()->reason);
	/* not through a pre-loaded Route either */
	UT_OK(request_as("INVITE", "sip:bob@example.com",
	                 "sip:95551234@10.1.1.1", "bob", "secret",
	                 "Route: <sip:10.1.1.1;lr>\r\n"));
	UT_EQ(403, last()->status);
	UT_SL_EQ("LocalDialing Required", last()->reason);
	/* nor does an outside caller */
	UT_OK(send_from("INVITE", "sip:carol@other.org", "sip:bob@example.com",
	                "", 1));
	UT_EQ(403, last()->status);
	UT_SL_EQ("LocalDialing Required", last()->reason);
out:
	px_fini();
	return px_result(err);
}

/* Received INVITEs for @ruri and responses @status to INVITE. */
static size_t count_in(const char *ruri, uint16_t status)
{
	size_t n = 0;
	for (size_t i = 0; i < P.nin; i++) {
		const struct sx_sip_msg *m = P.in[i];
		if (ruri)
			n += m->is_request && m->method == SX_SIP_METHOD_INVITE &&
			     sx_sl_eq_cstr(m->ruri_sl, ruri);
		else
			n += !m->is_request && m->status == status &&
			     m->cseq_method == SX_SIP_METHOD_INVITE;
	}
	return n;
}

/* Contacts learnt from a 3xx (16.5 recursion) need the same permissions
 * as registered ones: not followed for bob, whose phone gets the 302
 * (and any INVITE it then sends is checked as above); followed for
 * alice, who holds LocalDialing. */
static int test_permission_recursed(void)
{
	int err = rules_init(NULL, NULL);
	if (err)
		goto out;
	UT_OK(register_alice("<sip:alice@127.0.0.2:5070>"));
	UT_OK(bob_calls_alice());
	UT_TRUE(last()->is_request);
	UT_OK(b_answer(last(), 302, "Contact: <sip:95551234@10.1.1.1>\r\n"));
	UT_EQ(0, count_in("sip:95551234@10.1.1.1", 0));
	UT_EQ(1, count_in(NULL, 302));

	UT_OK(do_register("<sip:bob@127.0.0.2:5070>"));
	UT_OK(invite_as("alice", "secret", ""));
	UT_TRUE(last()->is_request);
	UT_OK(b_answer(last(), 302, "Contact: <sip:95551234@10.1.1.1>\r\n"));
	UT_EQ(1, count_in("sip:95551234@10.1.1.1", 0));
	UT_EQ(1, count_in(NULL, 302));
out:
	px_fini();
	return px_result(err);
}

/* One of the listed permissions is enough; subnets and "." patterns;
 * forbidden contacts are left out of the fork. */
static int test_permission_match(void)
{
	int err = rules_init(NULL, NULL);
	if (err)
		goto out;
	UT_OK(do_register("<sip:915551234567@10.1.1.1>"));
	UT_OK(invite_as("alice", "secret", ""));
	UT_TRUE(last()->is_request);
	UT_OK(b_answer(last(), 486, ""));
	UT_OK(register_alice("<sip:123@192.0.2.10>, "
	                     "<sip:95551234@10.1.1.1>;q=0.5"));
	UT_OK(bob_calls_alice());
	UT_TRUE(last()->is_request);
	UT_SL_EQ("sip:123@192.0.2.10", last()->ruri_sl);
	UT_OK(b_answer(last(), 486, ""));
	UT_EQ(486, last()->status);
out:
	px_fini();
	return px_result(err);
}

static int test_forwarding(void)
{
	int err = rules_init(NULL, NULL);
	if (err)
		goto out;
	/* SUBSCRIBE message-summary: the voicemail service, loose Route */
	UT_OK(request_as("SUBSCRIBE", "sip:alice@example.com",
	                 "sip:alice@example.com", "alice", "secret",
	                 "Event: message-summary\r\n"));
	UT_TRUE(last()->is_request);
	UT_SL_EQ("sip:alice@example.com", last()->ruri_sl);
	UT_TRUE(has(last(), "Route: <sip:127.0.0.5:5110;lr>\r\n"));
	UT_OK(b_answer(last(), 200, "Expires: 0\r\n"));
	/* Event: reg routes to us: the registrar decides (not registered) */
	UT_OK(request_as("SUBSCRIBE", "sip:alice@example.com",
	                 "sip:alice@example.com", "alice", "secret",
	                 "Event: reg\r\n"));
	UT_EQ(480, last()->status);
	/* a method rule, for outside callers too */
	UT_OK(send_from("MESSAGE", "sip:carol@other.org", "sip:bob@example.com",
	                "", 1));
	UT_TRUE(last()->is_request);
	UT_TRUE(has(last(), "Route: <sip:127.0.0.6:5120;lr>\r\n"));
	UT_OK(b_answer(last(), 200, ""));
	/* foreign domains: the ITSP route, authenticated callers only */
	UT_OK(invite_as("alice", "secret", ""));
	UT_EQ(480, last()->status); /* bob not registered: registrar path */
	UT_OK(request_as("INVITE", "sip:alice@example.com",
	                 "sip:5551234@198.51.100.5", "alice", "secret", ""));
	UT_TRUE(last()->is_request);
	UT_TRUE(has(last(), "Route: <sip:127.0.0.7:5080;lr>\r\n"));
	UT_OK(b_answer(last(), 486, ""));
	UT_OK(send_from("INVITE", "sip:carol@other.org",
	                "sip:5551234@pbx.itsp.net", "", 1));
	UT_EQ(403, last()->status);
	UT_SL_EQ("Relaying Denied", last()->reason);
out:
	px_fini();
	return px_result(err);
}

static int write_file(const char *path, const char *text, long sec)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	int err = fputs(text, f) < 0 ? -EIO : 0;
	if (fclose(f) && !err)
		err = -EIO;
	struct timespec ts[2] = {{sec, 0}, {sec, 0}};
	if (!err && utimensat(AT_FDCWD, path, ts, 0))
		err = -errno;
	return err;
}

/* A changed file is reloaded; an unreadable one keeps the old rules. */
static int test_reload(void)
{
	char dir[] = "/tmp/sx_px_rules.XXXXXX", path[64];
	bool made = false;
	int err = 0;

	if (!mkdtemp(dir))
		return -errno;
	made = true;
	snprintf(path, sizeof(path), "%s/authrules.xml", dir);
	UT_OK(
	    write_file(path,
	               "<mappings><hostMatch><hostPattern>10.1.1.1"
	               "</hostPattern><userMatch><userPattern>9.</userPattern>"
	               "<permissionMatch><permission>Gold</permission>"
	               "</permissionMatch></userMatch></hostMatch></mappings>",
	               1000));
	UT_OK(rules_init(path, NULL));
	UT_OK(register_alice("<sip:95551234@10.1.1.1>"));
	UT_OK(bob_calls_alice());
	UT_SL_EQ("Gold Required", last()->reason);
	/* broken now: the old rules stay */
	UT_OK(write_file(path, "<mappings><hostMatch>", 2000));
	px_rules_recheck(P.px);
	UT_OK(bob_calls_alice());
	UT_SL_EQ("Gold Required", last()->reason);
	/* fixed: no rule any more */
	UT_OK(write_file(path, "<mappings/>", 3000));
	px_rules_recheck(P.px);
	UT_OK(bob_calls_alice());
	UT_TRUE(last()->is_request);
	UT_OK(b_answer(last(), 486, ""));
	/* removed: no rules */
	UT_OK(write_file(path,
	                 "<mappings><hostMatch><hostPattern>10.1.1.1"
	                 "</hostPattern><userMatch><userPattern>."
	                 "</userPattern><permissionMatch><permission>X"
	                 "</permission></permissionMatch></userMatch>"
	                 "</hostMatch></mappings>",
	                 4000));
	px_rules_recheck(P.px);
	UT_OK(bob_calls_alice());
	UT_SL_EQ("X Required", last()->reason);
	unlink(path);
	px_rules_recheck(P.px);
	UT_OK(bob_calls_alice());
	UT_TRUE(last()->is_request);
	UT_OK(b_answer(last(), 486, ""));
out:
	px_fini();
	if (made) {
		unlink(path);
		rmdir(dir);
	}
	return px_result(err);
}

/* authrules.xml and forwardingrules.xml share one loader: each takes
 * its own root only. */
static int test_roots(void)
{
	int err = rules_init("forwardingrules.xml", "authrules.xml");
	if (err)
		goto out;
	UT_TRUE(P.px->authrules.obj == NULL);
	UT_TRUE(P.px->fwdrules.obj == NULL);
	px_fini();
	UT_OK(rules_init(NULL, NULL));
	UT_TRUE(P.px->authrules.obj != NULL);
	UT_TRUE(P.px->fwdrules.obj != NULL);
out:
	px_fini();
	return px_result(err);
}

/* Hostile files are refused whole: wrong root, oversized text, bad
 * regex, bad routeTo; the proxy runs without them. */
static int test_hostile(void)
{
	char dir[] = "/tmp/sx_px_hostile.XXXXXX", path[64];
	char big[600];
	bool made = false;
	int err = 0;
	static const char *const bad[] = {
	    "not xml at all",
	    "<routes><route><routeFrom>example.com</routeFrom>",
	    "<mappings/>",
	    "<routes><route><routeFrom>example.com</routeFrom><methodMatch>"
	    "<fieldMatch fieldName=\"Event\"><fieldPattern>(</fieldPattern>"
	    "<routeTo>127.0.0.5</routeTo></fieldMatch></methodMatch></route>"
	    "</routes>",
	    "<!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
	    "<routes><route><routeFrom>&e;</routeFrom></route></routes>",
	};

	if (!mkdtemp(dir))
		return -errno;
	made = true;
	snprintf(path, sizeof(path), "%s/forwardingrules.xml", dir);
	for (size_t i = 0; i < SX_ARRAY_SIZE(bad); i++) {
		UT_OK(write_file(path, bad[i], 1000));
		UT_OK(rules_init(NULL, path));
		UT_TRUE(P.px->fwdrules.obj == NULL || i == 4);
		UT_OK(send_from("MESSAGE", "sip:carol@other.org",
		                "sip:bob@example.com", "", 1));
		UT_EQ(480, last()->status);
		px_fini();
	}
	/* text over the limit */
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	char doc[1024];
	snprintf(doc, sizeof(doc),
	         "<routes><route><routeFrom>%s</routeFrom></route></routes>",
	         big);
	UT_OK(write_file(path, doc, 1000));
	UT_OK(rules_init(NULL, path));
	UT_TRUE(P.px->fwdrules.obj == NULL);
	px_fini();
	/* a routeTo that would break the Route header */
	UT_OK(write_file(path,
	                 "<routes><route><routeFrom>example.com</routeFrom>"
	                 "<routeTo>a&gt;\r\nX: y</routeTo></route></routes>",
	                 1000));
	UT_OK(rules_init(NULL, path));
	UT_OK(send_from("MESSAGE", "sip:carol@other.org", "sip:bob@example.com",
	                "", 1));
	UT_EQ(480, last()->status);
out:
	px_fini();
	if (made) {
		unlink(path);
		rmdir(dir);
	}
	return px_result(err);
}

static bool nat(const char *contact, const char *received, const char *tp)
{
	struct sx_sip_uri u;
	return !sx_sip_uri_parse(&u, sx_sl_cstr(contact)) &&
	       px_nat_received(&u, sx_sl_cstr(received), sx_sl_cstr(tp));
}

static int test_nat_decision(void)
{
	int err = 0;
	UT_TRUE(nat("sip:bob@192.168.1.20:5062", "203.0.113.9:40000", "udp"));
	UT_TRUE(nat("sip:bob@10.0.0.7", "203.0.113.9:5060", "udp"));
	UT_TRUE(nat("sip:bob@172.20.1.1", "203.0.113.9:5060", "udp"));
	UT_TRUE(nat("sip:bob@100.64.0.1", "203.0.113.9:5060", "udp"));
	UT_TRUE(nat("sip:bob@[fd00::1]:5060", "[2001:db8::1]:5060", "udp"));
	/* public contact over UDP: trusted as is */
	UT_TRUE(!nat("sip:bob@198.51.100.7", "203.0.113.9:5060", "udp"));
	/* over a connection: always the connection's address */
	UT_TRUE(nat("sip:bob@198.51.100.7", "203.0.113.9:40001", "tcp"));
	UT_TRUE(nat("sip:bob@phone.invalid;transport=tls", "203.0.113.9:40001",
	            "tls"));
	/* the same address, no received, garbage */
	UT_TRUE(!nat("sip:bob@192.168.1.20:5062", "192.168.1.20:5062", "udp"));
	UT_TRUE(!nat("sip:bob@192.168.1.20:5062", "", "udp"));
	UT_TRUE(!nat("sip:bob@192.168.1.20:5062", "nonsense", "udp"));
	UT_TRUE(!nat("sip:bob@172.32.0.1", "203.0.113.9:5060", "udp"));
out:
	return err;
}

/* The INVITE to a NATed binding goes to its source, the Request-URI
 * staying the contact. */
static int test_nat_call(void)
{
	int err = px_init();
	if (err)
		goto out;
	UT_OK(do_register("<sip:bob@192.168.1.20:5062>"));
	UT_OK(invite("sip:bob@example.com", "Max-Forwards: 70\r\n"));
	UT_TRUE(last()->is_request);
	UT_SL_EQ("sip:bob@192.168.1.20:5062", last()->ruri_sl);
	/* the next hop, computed as fork.c does */
	struct sx_sip_peer in = {.proto = SX_SIP_PROTO_UDP,
	                         .remote = *sx_sip_tp_loop_addr(P.b),
	                         .local = *sx_sip_tp_loop_addr(P.a)};
	struct px_req rq = {.px = P.px, .msg = last(), .peer = &in};
	struct px_target t = {.uri = SX_SL("sip:bob@192.168.1.20:5062"),
	                      .received = SX_SL("127.0.0.2:5060"),
	                      .transport = SX_SL("udp")};
	struct sx_sip_peer dst;
	UT_OK(px_target_hop(&rq, &t, &dst));
	UT_TRUE(sx_sa_eq(&dst.remote, sx_sip_tp_loop_addr(P.b)));
	UT_EQ(SX_SIP_PROTO_UDP, dst.proto);
	t.received = SX_SL_NULL;
	UT_OK(px_target_hop(&rq, &t, &dst));
	UT_EQ(5062, sx_sa_port(&dst.remote));
	t.received = SX_SL("[::1]:5070");
	t.transport = SX_SL("tcp");
	UT_OK(px_target_hop(&rq, &t, &dst));
	UT_EQ(5070, sx_sa_port(&dst.remote));
	UT_EQ(SX_SIP_PROTO_TCP, dst.proto);
	UT_OK(b_answer(find_req(SX_SIP_METHOD_INVITE, 0), 486, ""));
out:
	px_fini();
	return px_result(err);
}

UT_MAIN(UT_C(test_permissions), UT_C(test_permission_match),
        UT_C(test_permission_recursed),
        UT_C(test_forwarding), UT_C(test_reload), UT_C(test_roots),
        UT_C(test_hostile), UT_C(test_nat_decision), UT_C(test_nat_call))
