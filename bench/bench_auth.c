/*
 * bench_auth: CPU cost of digest authentication on the server side
 * (RFC 7616 3.3 stateless nonces with an HMAC-SHA256, RFC 2617 3.2.2
 * response check with qop=auth and nonce-counts), in nanoseconds of
 * process CPU time per operation, median of several rounds:
 *
 *   challenge  sx_sip_auth_challenge_print(): a fresh nonce (random
 *              bytes and its MAC) and the WWW-Authenticate fields
 *   verify     sx_sip_auth_check() of a right MD5 response: source and
 *              username throttle keys, the nonce MAC, the nonce-count,
 *              HA2 and the response hash, clearing the throttle keys
 *   ha1        sx_sip_auth_ha1_hex() for MD5: one bare digest
 *
 * The credentials checked in a round are built before its clock starts
 * (one nonce, nonce-counts 1..N from our client side), and the lookup
 * hands out a stored HA1, so only the authenticator's own work counts.
 *
 * Usage: bench_auth [--rounds N] [--ops N]
 */
#define SX_LOG_MOD "bench.auth"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sx/port/sa.h>
#include <sx/sip/auth.h>
#include <sx/sip/hdrs.h>
#include <sx/util/buf.h>
#include <sx/util/mem.h>

#define ROUNDS_DEFAULT 7
#define ROUNDS_MAX     51
#define OPS_DEFAULT    20000
#define OPS_MIN        10
#define OPS_MAX        1000000
#define REALM          "example.com"
#define USER           "alice"
#define PASSWORD       "wonderland"
#define RURI           "sip:" REALM
#define SRC_ADDR       "192.0.2.7:5060"
#define T0             1700000000ull

static const uint8_t secret[SX_SIP_AUTH_SECRET_LEN] =
    "0123456789abcdef0123456789abcde";

/* alice's HA1, computed once (a registrar reads it from its store) */
static struct sx_sip_auth_ha1 alice_ha1;

static int lookup(struct sx_sl user, struct sx_sl realm,
                  struct sx_sip_auth_ha1 *h, void *arg)
{
	(void)realm;
	(void)arg;
	if (!sx_sl_eq_cstr(user, USER))
		return -ENOENT;
	*h = alice_ha1;
	return 0;
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* The MD5 challenge line of a fresh challenge, accepted by @c. */
static int client_challenge(struct sx_sip_auth *a, const struct sx_sa *src,
                            struct sx_sip_auth_client *c)
{
	struct sx_sip_challenge ch;
	struct sx_buf b;
	int err;

	sx_buf_init(&b, 0);
	err = sx_sip_auth_challenge_print(a, src, T0, false, &b);
	if (!err) {
		/* the MD5 field comes second: skip past the first CRLF */
		const char *md5 = strstr(b.p, "\r\nWWW-Authenticate: ");
		const char *val =
		    md5 ? md5 + strlen("\r\nWWW-Authenticate: ") : NULL;
		const char *eol = val ? strstr(val, "\r\n") : NULL;
		err = eol ? sx_sip_challenge_parse(
		                &ch, sx_sl_make(val, (size_t)(eol - val)))
		          : -EBADMSG;
	}
	if (!err)
		err = sx_sip_auth_client_set(c, &ch, false);
	sx_buf_fini(&b);
	return err;
}

/* @n credentials answering one challenge, nonce-counts 1..n. */
struct cred_set {
	struct sx_buf text;             /* the values, back to back */
	size_t *end;                    /* end offset of each value */
	struct sx_sip_credentials *crs; /* parsed, slices into @text */
	size_t n;
};

static void cred_set_free(struct cred_set *s)
{
	sx_buf_fini(&s->text);
	s->end = sx_mem_unref(s->end);
	s->crs = sx_mem_unref(s->crs);
}

static int cred_set_make(struct cred_set *s, struct sx_sip_auth *a,
                         const struct sx_sa *src, size_t n)
{
	const struct sx_sip_auth_client_prm cp = {
	    .username = SX_SL(USER),
	    .password = SX_SL(PASSWORD),
	    .method = SX_SL("REGISTER"),
	    .uri = SX_SL(RURI),
	};
	struct sx_sip_auth_client c;
	int err;

	memset(s, 0, sizeof(*s));
	sx_buf_init(&s->text, 0);
	s->end = sx_mem_alloc(n * sizeof(*s->end), NULL);
	s->crs = sx_mem_alloc(n * sizeof(*s->crs), NULL);
	if (!s->end || !s->crs)
		return -ENOMEM;
	sx_sip_auth_client_init(&c);
	err = client_challenge(a, src, &c);
	for (size_t i = 0; i < n && !err; i++) {
		err = sx_sip_auth_client_authorize(&c, &cp, &s->text);
		s->end[i] = s->text.len;
	}
	/* parse only now: the buffer no longer moves */
	for (size_t i = 0; i < n && !err; i++) {
		size_t from = i ? s->end[i - 1] : 0;
		err = sx_sip_credentials_parse(
		    &s->crs[i], sx_sl_make(s->text.p + from, s->end[i] - from));
	}
	s->n = n;
	return err;
}

/* ns per sx_sip_auth_check() of @n right responses. */
static int round_verify(const struct sx_sip_auth_prm *prm,
                        const struct sx_sa *src, size_t n, double *nsp)
{
	struct sx_sip_auth *a = NULL;
	struct cred_set s = {0};
	struct sx_sip_auth_res res;
	double t0;
	int err = sx_sip_auth_alloc(&a, prm);

	if (!err)
		err = cred_set_make(&s, a, src, n);
	if (err)
		goto out;
	t0 = cpu_ns();
	for (size_t i = 0; i < n && !err; i++) {
		const struct sx_sip_auth_req req = {
		    .method = SX_SL("REGISTER"),
		    .ruri = SX_SL(RURI),
		    .cr = &s.crs[i],
		    .src = src,
		    .now = T0,
		};
		err = sx_sip_auth_check(a, &req, &res);
		if (!err && res.result != SX_SIP_AUTH_OK)
			err = -EPROTO;
	}
	*nsp = (cpu_ns() - t0) / (double)n;
out:
	cred_set_free(&s);
	sx_mem_unref(a);
	return err;
}

/* ns per sx_sip_auth_challenge_print() (nonce and both fields). */
static int round_challenge(const struct sx_sip_auth_prm *prm,
                           const struct sx_sa *src, size_t n, double *nsp)
{
	struct sx_sip_auth *a = NULL;
	struct sx_buf b;
	double t0;
	int err = sx_sip_auth_alloc(&a, prm);

	sx_buf_init(&b, 0);
	t0 = cpu_ns();
	for (size_t i = 0; i < n && !err; i++) {
		sx_buf_reset(&b);
		err = sx_sip_auth_challenge_print(a, src, T0 + i, false, &b);
	}
	*nsp = (cpu_ns() - t0) / (double)n;
	sx_buf_fini(&b);
	sx_mem_unref(a);
	return err;
}

/* ns per MD5 HA1 (one digest over three fields). */
static int round_ha1(size_t n, double *nsp)
{
	char hex[SX_SIP_AUTH_MD5_HEX_LEN + 1];
	double t0 = cpu_ns();
	int err = 0;

	for (size_t i = 0; i < n && !err; i++)
		err = sx_sip_auth_ha1_hex(SX_SIP_ALG_MD5, SX_SL(USER),
		                          SX_SL(REALM), SX_SL(PASSWORD), hex,
		                          sizeof(hex));
	*nsp = (cpu_ns() - t0) / (double)n;
	return err;
}

static int parse_args(int argc, char **argv, int *rounds, size_t *ops)
{
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return -EINVAL;
		long n = strtol(argv[i + 1], NULL, 10);
		if (!strcmp(argv[i], "--rounds") && n >= 1 && n <= ROUNDS_MAX)
			*rounds = (int)n;
		else if (!strcmp(argv[i], "--ops") && n >= OPS_MIN &&
		         n <= OPS_MAX)
			*ops = (size_t)n;
		else
			return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sx_sip_auth_prm prm = {
	    .realm = SX_SL(REALM),
	    .lookup = lookup,
	    .secret = secret,
	    .secret_len = sizeof(secret),
	};
	double chal[ROUNDS_MAX], ver[ROUNDS_MAX], ha1[ROUNDS_MAX];
	int rounds = ROUNDS_DEFAULT;
	size_t ops = OPS_DEFAULT;
	struct sx_sa src;
	int err;

	if (parse_args(argc, argv, &rounds, &ops)) {
		fprintf(stderr, "usage: bench_auth [--rounds N] [--ops N]\n");
		return 2;
	}
	sx_sa_init(&src);
	err = sx_sa_parse(&src, SX_SL(SRC_ADDR));
	if (!err)
		err = sx_sip_auth_ha1_compute(&alice_ha1, SX_SL(USER),
		                              SX_SL(REALM), SX_SL(PASSWORD));
	for (int r = 0; r < rounds && !err; r++) {
		err = round_challenge(&prm, &src, ops, &chal[r]);
		if (!err)
			err = round_verify(&prm, &src, ops, &ver[r]);
		if (!err)
			err = round_ha1(ops, &ha1[r]);
	}
	if (err) {
		fprintf(stderr, "bench_auth: %s\n", strerror(-err));
		return 1;
	}
	printf("bench_auth: %d rounds x %zu ops, CPU ns/op (median)\n", rounds,
	       ops);
	printf("challenge %.0f\nverify %.0f\nha1_md5 %.0f\n",
	       median(chal, rounds), median(ver, rounds), median(ha1, rounds));
	return 0;
}
