/*
 * Transport set: the transports of one worker loop behind one struct
 * sx_sip_tport, chosen by protocol (RFC 3261 18: the transport layer
 * seen by the transaction layer).
 */
#include <errno.h>

#include <sx/sip/transport.h>
#include <sx/util/mem.h>

struct sx_sip_tpset {
	struct sx_sip_tport base; /* first: the object is its tport */
	struct sx_sip_tport *members[SX_SIP_PROTO_WSS + 1];
};

static void set_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                     const struct sx_sip_peer *peer, void *arg)
{
	struct sx_sip_tpset *set = arg;

	(void)tp;
	set->base.recv_h(&set->base, msg, peer, set->base.arg);
}

static void set_err(struct sx_sip_tport *tp, const struct sx_sip_peer *peer,
                    int err, void *arg)
{
	struct sx_sip_tpset *set = arg;

	(void)tp;
	if (set->base.err_h)
		set->base.err_h(&set->base, peer, err, set->base.arg);
}

/* For members that outlive the set. */
static void orphan_recv(struct sx_sip_tport *tp, struct sx_sip_msg *msg,
                        const struct sx_sip_peer *peer, void *arg)
{
	(void)tp;
	(void)peer;
	(void)arg;
	sx_sip_msg_free(msg);
}

static struct sx_sip_tport *member(struct sx_sip_tpset *set,
                                   enum sx_sip_proto proto)
{
	if (proto == SX_SIP_PROTO_NONE)
		proto = SX_SIP_PROTO_UDP;
	if ((size_t)proto >= SX_ARRAY_SIZE(set->members))
		return NULL;
	return set->members[proto];
}

static int set_send(struct sx_sip_tport *base, const struct sx_sip_peer *peer,
                    const char *buf, size_t len)
{
	struct sx_sip_tpset *set = (struct sx_sip_tpset *)base;

	if (!set || !peer)
		return -EINVAL;
	struct sx_sip_tport *m = member(set, peer->proto);
	return m ? m->ops->send(m, peer, buf, len) : -EPROTONOSUPPORT;
}

static int set_local(struct sx_sip_tport *base, enum sx_sip_proto proto,
                     struct sx_sa *localp)
{
	struct sx_sip_tpset *set = (struct sx_sip_tpset *)base;

	if (!set)
		return -EINVAL;
	struct sx_sip_tport *m = member(set, proto);
	return m ? m->ops->local(m, proto, localp) : -EPROTONOSUPPORT;
}

static const struct sx_sip_tport_ops set_ops = {
    .send = set_send,
    .local = set_local,
};

static void set_destroy(void *obj)
{
	struct sx_sip_tpset *set = obj;

	for (size_t i = 0; i < SX_ARRAY_SIZE(set->members); i++) {
		struct sx_sip_tport *m = set->members[i];
		if (!m)
			continue;
		m->recv_h = orphan_recv;
		m->err_h = NULL;
		m->arg = NULL;
		sx_mem_unref(m);
	}
}

int sx_sip_tpset_alloc(struct sx_sip_tpset **setp, sx_sip_tport_recv_h *recv_h,
                       sx_sip_tport_err_h *err_h, void *arg)
{
	if (!setp || !recv_h)
		return -EINVAL;
	struct sx_sip_tpset *set = sx_mem_zalloc(sizeof(*set), set_destroy);
	if (!set)
		return -ENOMEM;
	set->base = (struct sx_sip_tport){
	    .ops = &set_ops, .recv_h = recv_h, .err_h = err_h, .arg = arg};
	*setp = set;
	return 0;
}

int sx_sip_tpset_add(struct sx_sip_tpset *set, enum sx_sip_proto proto,
                     struct sx_sip_tport *tp)
{
	if (!set || !tp || proto == SX_SIP_PROTO_NONE ||
	    (size_t)proto >= SX_ARRAY_SIZE(set->members))
		return -EINVAL;
	if (set->members[proto])
		return -EEXIST;
	set->members[proto] = sx_mem_ref(tp);
	tp->recv_h = set_recv;
	tp->err_h = set_err;
	tp->arg = set;
	return 0;
}

struct sx_sip_tport *sx_sip_tpset_tport(struct sx_sip_tpset *set)
{
	return set ? &set->base : NULL;
}
