/*
 * RFC 4475 (SIP torture messages) and RFC 5118 (IPv6 messages) through
 * the parser, printer and stream framer.  The index.tsv of each set
 * gives the verdict (accept / reject with codes / silent drop / either,
 * liberal_ok); the table below gives the fields a correct parse yields.
 * Every message is parsed from a copy that ends at a PROT_NONE page.
 */
#include <stdlib.h>

#include <sx/sip/print.h>
#include <sx/util/buf.h>

#include "ut.h"

#define RFC4475_DIR SX_SHARED_DIR "/testdata/rfc4475"
#define RFC4475_VARIANTS RFC4475_DIR "/variants"
#define RFC5118_DIR SX_SHARED_DIR "/testdata/rfc5118/wire"

/* Most rows per index file. */
#define MAX_ROWS 128

/* Expected fields of a message that parses. */
struct exp {
	const char *name;
	const char *method; /* NULL for a response */
	int status;	    /* responses */
	const char *ruri_user, *ruri_host;
	int nvias;
	const char *branch; /* top Via */
	const char *call_id;
	uint32_t cseq;
	const char *from_tag, *to_tag;
	int max_forwards;   /* -1 absent */
	long content_length; /* -1 absent */
	size_t body_len;
};

static const struct exp exps[] = {
	{"wsinv", "INVITE", 0, "vivekg", "chair-dnrc.example.com", 3,
	 "390skdjuw", "wsinv.ndaksdj@192.0.2.1", 9, "98asjd8", "1918181833n",
	 68, 150, 150},
	{"intmeth", "!interesting-Method0123456789_*+`.%indeed'~", 0,
	 "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", "example.com", 1,
	 "z9hG4bK-.!%66*_+`'~", "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{",
	 139122385, "_token~1'+`*%!-.", "", 255, 0, 0},
	{"esc01", "INVITE", 0, "sips%3Auser%40example.com", "example.net", 1,
	 "z9hG4bKkdjuw", "esc01.239409asdfakjkn23onasd0-3234", 234234, "938",
	 "", 87, 150, 150},
	{"escnull", "REGISTER", 0, "", "example.com", 1, "z9hG4bKkdjuw",
	 "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd", 14398234, "839923423",
	 "", 70, 0, 0},
	{"esc02", "RE%47IST%45R", 0, "", "registrar.example.com", 1,
	 "z9hG4bK209%fzsnel234", "esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf",
	 29344, "f232jadfj23", "", 70, 0, 0},
	{"lwsdisp", "OPTIONS", 0, "user", "example.com", 1, "z9hG4bKkdjuw",
	 "lwsdisp.1234abcd@funky.example.com", 60, "323", "", 70, 0, 0},
	{"longreq", "INVITE", 0, "user", "example.com", 34, "",
	 "longreq.onereallyreallyreallyreallyreallyreallyreallyreallyreally"
	 "reallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreally"
	 "longcallid",
	 3882340,
	 "12982982982982982982982982982982982982982982982982982982982982982982"
	 "98298298298298298298298298298298298298298298298298298298298298298298"
	 "2982982982982982424",
	 "", 70, 150, 150},
	{"dblreq", "REGISTER", 0, "", "example.com", 1, "z9hG4bKkdjuw23492",
	 "dblreq.0ha0isndaksdj99sdfafnl3lk233412", 8, "43251j3j324", "", 8, 0,
	 0},
	{"semiuri", "OPTIONS", 0, "user;par=u%40example.net", "example.com", 1,
	 "z9hG4bKkdjuw", "semiuri.0ha0isndaksdj", 8, "33242", "", 3, 0, 0},
	{"transports", "OPTIONS", 0, "user", "example.com", 5, "z9hG4bKkdjuw",
	 "transports.kijh4akdnaqjkwendsasfdj", 60, "323", "", 70, 0, 0},
	{"mpart01", "MESSAGE", 0, "kumiko", "example.org", 1,
	 "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-",
	 "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..", 1, "2fb0dcc9", "",
	 70, 553, 553},
	{"unreason", NULL, 200, NULL, NULL, 1, "z9hG4bK1324923",
	 "unreason.1234ksdfak3j2erwedfsASdf", 35, "11141343", "2229", -1, 154,
	 154},
	{"noreason", NULL, 100, NULL, NULL, 1, "z9hG4bK2398ndaoe",
	 "noreason.asndj203insdf99223ndf", 35, "39ansfi3", "902jndnke3", -1, 0,
	 0},
	{"badbranch", "OPTIONS", 0, "user", "example.com", 1, "z9hG4bK",
	 "badbranch.sadonfo23i420jv0as0derf3j3n", 8, "33242", "", 3, 0, 0},
	{"unkscm", "OPTIONS", 0, "", "", 1, "z9hG4bKkdjuw39234",
	 "unkscm.nasdfasser0q239nwsdfasdkl34", 3923423, "384", "", 3, 0, 0},
	{"novelsc", "OPTIONS", 0, "", "", 1, "z9hG4bKkdjuw39234",
	 "novelsc.asdfasser0q239nwsdfasdkl34", 3923423, "384", "", 3, 0, 0},
	{"unksm2", "REGISTER", 0, "", "example.com", 1, "z9hG4bKkdjuw",
	 "unksm2.daksdj@hyphenated-host.example.com", 234902, "3234233", "", 70,
	 0, 0},
	{"bext01", "OPTIONS", 0, "user", "example.com", 1, "z9hG4bKkdjuw",
	 "bext01.0ha0isndaksdj", 8, "242etr", "", 6, 0, 0},
	{"invut", "INVITE", 0, "user", "example.com", 1, "z9hG4bKkdjuw",
	 "invut.0ha0isndaksdjadsfij34n23d", 235448, "8392034", "", 70, 40, 40},
	{"regaut01", "REGISTER", 0, "", "example.com", 1, "z9hG4bKkdjuw",
	 "regaut01.0ha0isndaksdj", 9338, "87321hj23128", "", 8, 0, 0},
	{"bcast", NULL, 200, NULL, NULL, 2, "z9hG4bK1324923",
	 "bcast.0384840201234ksdfak3j2erwedfsASdf", 35, "11141343", "2229", -1,
	 154, 154},
	{"zeromf", "OPTIONS", 0, "user", "example.com", 1, "z9hG4bKkdjuw2349i",
	 "zeromf.jfasdlfnm2o2l43r5u0asdfas", 39234321, "3ghsd41", "", 0, 0, 0},
	{"cparam01", "REGISTER", 0, "", "example.com", 1, "z9hG4bKkdjuw",
	 "cparam01.70710@saturn.example.com", 2, "DkfVgjkrtMwaerKKpe", "", 70,
	 0, 0},
	{"cparam02", "REGISTER", 0, "", "example.com", 1, "z9hG4bKkdjuw",
	 "cparam02.70710@saturn.example.com", 3, "838293", "", 70, 0, 0},
	{"regescrt", "REGISTER", 0, "", "example.com", 1, "z9hG4bKkdjuw",
	 "regescrt.k345asrl3fdbv@192.0.2.1", 14398234, "8", "", 70, 0, 0},
	{"sdp01", "INVITE", 0, "user", "example.com", 1, "z9hG4bKkdjuw",
	 "sdp01.ndaksdj9342dasdd", 8, "234", "", 5, 150, 150},
	/* RFC 2543 style: no branch, no tags, no Content-Length, no
	 * Max-Forwards; the body is the rest of the datagram */
	{"inv2543", "INVITE", 0, "UserB", "example.com", 1, "",
	 "inv2543.1717@ift.client.example.com", 56, "", "", -1, -1, 105},
	/* liberal: accepted when the grammar allows it */
	{"escruri", "INVITE", 0, "user", "example.com", 1, "z9hG4bKkdjuw",
	 "escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5", 149209342,
	 "341518", "", 7, 150, 150},
	{"baddate", "INVITE", 0, "user", "example.com", 1, "z9hG4bKkdjuw",
	 "baddate.239423mnsadf3j23lj42--sedfnm234", 1392934, "2234923", "", 70,
	 150, 150},
	{"regbadct", "REGISTER", 0, "", "example.com", 1, "z9hG4bKkdjuw",
	 "regbadct.k345asrl3fdbv@10.0.0.1", 1, "998332", "", 70, 0, 0},
	/* RFC 5118 */
	{"ipv6-good", "REGISTER", 0, "", "[2001:db8::10]", 1, "z9hG4bKas3-111",
	 "SSG9559905523997077@hlau_4100", 98176, "81x2", "", 70, 0, 0},
	{"port-ambiguous", "REGISTER", 0, "", "[2001:db8::10:5070]", 1,
	 "z9hG4bKas3-111", "SSG9559905523997077@hlau_4100", 98176, "81x2", "",
	 70, 0, 0},
	{"port-unambiguous", "REGISTER", 0, "", "[2001:db8::10]", 1,
	 "z9hG4bKas3-111", "SSG9559905523997077@hlau_4100", 98176, "81x2", "",
	 70, 0, 0},
	{"via-received-param-with-delim", "BYE", 0, "", "[2001:db8::10]", 1,
	 "z9hG4bKas3-111", "SSG9559905523997077@hlau_4100", 321, "81x2",
	 "bd76ya", 70, 0, 0},
	{"via-received-param-no-delim", "OPTIONS", 0, "", "[2001:db8::10]", 1,
	 "z9hG4bKas3", "SSG95523997077@hlau_4100", 921, "81x2", "", 70, 0, 0},
	{"ipv6-in-sdp", "INVITE", 0, "user", "[2001:db8::10]", 1,
	 "z9hG4bKas3-111", "SSG9559905523997077@hlau_4100", 8612, "81x2", "",
	 70, 251, 251},
	{"mult-ip-in-header", "BYE", 0, "user", "host.example.net", 3,
	 "z9hG4bKas3-111", "997077@lau_4100", 89187, "81x2", "9817--94", 70, 0,
	 0},
	{"mult-ip-in-sdp", "INVITE", 0, "user", "[2001:db8::10]", 1,
	 "z9hG4bKas3-111", "SSG9559905523997077@hlau_4100", 8912, "81x2", "",
	 70, 189, 189},
	{"ipv4-mapped-ipv6", "INVITE", 0, "user", "example.com", 2,
	 "z9hG4bKbh19", "SSG9559905523997077@hlau_4100", 612, "81x2", "", 70,
	 245, 245},
	{"ipv6-bug-abnf-3-colons", "OPTIONS", 0, "user",
	 "[2001:db8:::192.0.2.1]", 1, "z9hG4bKas3-111",
	 "G9559905523997077@hlau_4100", 689, "810x2", "", 70, 0, 0},
	{"ipv6-correct-abnf-2-colons", "OPTIONS", 0, "user",
	 "[2001:db8::192.0.2.1]", 1, "z9hG4bKas3-111",
	 "G9559905523997077@hlau_4100", 689, "810x2", "", 70, 0, 0},
};

/* One row of an index.tsv (pointers into the file, NUL-split). */
struct row {
	const char *name, *file, *expect, *codes, *liberal_ok;
};

struct set {
	char *text; /* malloc'd index file */
	struct row rows[MAX_ROWS];
	size_t n;
};

static const struct exp *find_exp(const char *name)
{
	for (size_t i = 0; i < SX_ARRAY_SIZE(exps); i++)
		if (!strcmp(exps[i].name, name))
			return &exps[i];
	return NULL;
}

/* Split the TSV in place; columns by header name. */
static int load_index(struct set *s, const char *dir)
{
	char path[512];
	size_t len;
	enum { NAME, FILE_, EXPECT, CODES, LIBERAL, NCOLS };
	static const char *const want[NCOLS] = {"name", "file", "expect",
						"codes", "liberal_ok"};
	int col[NCOLS];

	snprintf(path, sizeof(path), "%s/index.tsv", dir);
	s->text = ut_read_file(path, &len);
	s->n = 0;
	if (!s->text)
		return ut__fail(__FILE__, __LINE__, "cannot read %s", path);
	char *line = s->text, *next;
	for (int lineno = 0; line && *line; line = next, lineno++) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *f[16];
		int nf = 0;
		for (char *p = line; nf < 16; nf++) {
			f[nf] = p;
			p = strchr(p, '\t');
			if (!p) {
				nf++;
				break;
			}
			*p++ = '\0';
		}
		if (lineno == 0) {
			for (int c = 0; c < NCOLS; c++) {
				col[c] = -1;
				for (int k = 0; k < nf; k++)
					if (!strcmp(f[k], want[c]))
						col[c] = k;
				if (col[c] < 0)
					return ut__fail(__FILE__, __LINE__,
							"no column %s", want[c]);
			}
			continue;
		}
		if (s->n == MAX_ROWS || nf <= col[LIBERAL])
			return ut__fail(__FILE__, __LINE__, "bad row %d",
					lineno);
		s->rows[s->n++] = (struct row){f[col[NAME]], f[col[FILE_]],
					       f[col[EXPECT]], f[col[CODES]],
					       f[col[LIBERAL]]};
	}
	return 0;
}

/* Is @status listed in "400|505"? */
static bool code_listed(const char *codes, unsigned status)
{
	for (const char *p = codes; *p;) {
		char *end;
		unsigned long c = strtoul(p, &end, 10);
		if (end == p)
			return false;
		if (c == status)
			return true;
		p = *end == '|' ? end + 1 : end;
	}
	return false;
}

#define CHECK_SL(want, sl)                                                     \
	do {                                                                   \
		if (!sx_sl_eq_cstr((sl), (want))) {                            \
			fprintf(stderr, "  %s: %s: want \"%s\", got \"%.*s\"\n", \
				e->name, #sl, (want), SX_SL_FMT(sl));          \
			return UT_FAIL;                                        \
		}                                                              \
	} while (0)

#define CHECK_EQ(want, got)                                                    \
	do {                                                                   \
		if ((long long)(want) != (long long)(got)) {                   \
			fprintf(stderr, "  %s: %s: want %lld, got %lld\n",     \
				e->name, #got, (long long)(want),              \
				(long long)(got));                             \
			return UT_FAIL;                                        \
		}                                                              \
	} while (0)

static int check_fields(const struct exp *e, const struct sx_sip_msg *m)
{
	if (e->method) {
		CHECK_EQ(1, m->is_request);
		CHECK_SL(e->method, m->method_sl);
		CHECK_SL(e->ruri_user, m->ruri.user);
		CHECK_SL(e->ruri_host, m->ruri.host);
	} else {
		CHECK_EQ(0, m->is_request);
		CHECK_EQ(e->status, m->status);
	}
	CHECK_EQ(e->nvias, m->nvias);
	CHECK_SL(e->branch, m->vias[0].branch);
	CHECK_SL(e->call_id, m->call_id);
	CHECK_EQ(e->cseq, m->cseq);
	CHECK_SL(e->from_tag, m->from_tag);
	CHECK_SL(e->to_tag, m->to_tag);
	CHECK_EQ(e->max_forwards, m->max_forwards);
	CHECK_EQ(e->content_length >= 0, m->has_content_length);
	if (e->content_length >= 0)
		CHECK_EQ(e->content_length, m->content_length);
	CHECK_EQ(e->body_len, m->body.len);
	return 0;
}

/* print(parse(x)) is x's message bytes. */
static int check_print(const struct sx_sip_msg *m, const char *data)
{
	int err = 0;
	struct sx_buf b;

	sx_buf_init(&b, 0);
	UT_OK(sx_sip_msg_print(m, NULL, &b));
	UT_TRUE(m->wire.p == data);
	UT_EQ(m->wire.len, b.len);
	UT_MEM_EQ(data, b.p, b.len);
out:
	sx_buf_fini(&b);
	return err;
}

/*
 * Stream framing of an accepted message: a Content-Length frames exactly
 * the message (every shorter prefix wants more); without one the stream
 * is broken.  The framed bytes parse as a stream message.
 */
static int check_stream(const struct sx_sip_msg *m, const char *data,
			size_t len)
{
	int err = 0;
	struct sx_sip_msg *sm = NULL;
	struct sx_sip_parse_prm prm = {.stream = true};
	ssize_t n = sx_sip_msg_frame(data, len, NULL);

	if (!m->has_content_length) {
		UT_EQ(-EBADMSG, n);
		goto out;
	}
	UT_EQ(m->wire.len, n);
	for (size_t k = 0; k < m->wire.len; k += 7)
		UT_EQ(-EAGAIN, sx_sip_msg_frame(data, k, NULL));
	UT_OK(sx_sip_msg_parse(&sm, data, (size_t)n, &prm, NULL));
	UT_EQ(m->wire.len, sm->wire.len);
out:
	sx_sip_msg_free(sm);
	return err;
}

/* A rejected datagram is rejected the same way once framed. */
static int check_stream_reject(const char *data, size_t len, int rc,
			       const struct sx_sip_perr *pe)
{
	int err = 0;
	struct sx_sip_msg *sm = NULL;
	struct sx_sip_parse_prm prm = {.stream = true};
	struct sx_sip_perr spe = {0};
	ssize_t n = sx_sip_msg_frame(data, len, NULL);

	if (n <= 0)
		goto out;
	int src = sx_sip_msg_parse(&sm, data, (size_t)n, &prm, &spe);
	if (src == -ENOMEM && ut_oom_mode()) {
		err = src;
		goto out;
	}
	UT_EQ(rc, src);
	UT_EQ(pe->status, spe.status);
out:
	sx_sip_msg_free(sm);
	return err;
}

/* The verdict of the index for one parse outcome. */
static int check_verdict(const struct row *r, const struct exp *e, int rc,
			 const struct sx_sip_perr *pe)
{
	bool liberal = !strcmp(r->liberal_ok, "yes");
	bool has_codes = strcmp(r->codes, "-") != 0;

	if (!strcmp(r->expect, "accept")) {
		if (rc)
			return ut__fail(__FILE__, __LINE__,
					"%s: rejected (%d, %u %s)", r->name,
					rc, pe->status, pe->reason);
		if (!e)
			return ut__fail(__FILE__, __LINE__,
					"%s: no expected fields", r->name);
		return 0;
	}
	if (!strcmp(r->expect, "silent")) {
		if (rc && pe->status != 0)
			return ut__fail(__FILE__, __LINE__,
					"%s: answered %u, must be dropped",
					r->name, pe->status);
		return 0;
	}
	if (!strcmp(r->expect, "reject")) {
		if (!rc && !liberal)
			return ut__fail(__FILE__, __LINE__,
					"%s: accepted, must be rejected",
					r->name);
		if (rc && !code_listed(r->codes, pe->status))
			return ut__fail(__FILE__, __LINE__,
					"%s: rejected with %u (%s), want %s",
					r->name, pe->status, pe->reason,
					r->codes);
		return 0;
	}
	if (!strcmp(r->expect, "either")) {
		/* a parser rejection is always a 400 */
		if (rc && pe->status != 400 &&
		    !(has_codes && code_listed(r->codes, pe->status)))
			return ut__fail(__FILE__, __LINE__,
					"%s: rejected with %u", r->name,
					pe->status);
		return 0;
	}
	return ut__fail(__FILE__, __LINE__, "%s: unknown expect %s", r->name,
			r->expect);
}

static int run_one(const char *dir, const struct row *r, bool stream)
{
	int err = 0;
	char path[512];
	size_t len = 0;
	char *raw, *data = NULL;
	struct sx_sip_msg *m = NULL;
	struct sx_sip_perr pe = {0};

	snprintf(path, sizeof(path), "%s/%s", dir, r->file);
	raw = ut_read_file(path, &len);
	if (!raw)
		return ut__fail(__FILE__, __LINE__, "cannot read %s", path);
	data = ut_guard_copy(raw, len);
	UT_TRUE(data != NULL);
	int rc = sx_sip_msg_parse(&m, data, len, NULL, &pe);
	if (rc == -ENOMEM && ut_oom_mode()) {
		err = rc;
		goto out;
	}
	UT_TRUE(rc == 0 || rc == -EBADMSG || rc == -E2BIG);
	UT_TRUE(rc == 0 || pe.reason != NULL);
	const struct exp *e = find_exp(r->name);
	UT_OK(check_verdict(r, e, rc, &pe));
	if (rc) {
		if (stream)
			UT_OK(check_stream_reject(data, len, rc, &pe));
		goto out;
	}
	if (e)
		UT_OK(check_fields(e, m));
	UT_OK(check_print(m, data));
	if (stream)
		UT_OK(check_stream(m, data, len));
out:
	sx_sip_msg_free(m);
	if (data)
		ut_guard_free(data, len);
	free(raw);
	return err;
}

static int run_set(const char *dir, size_t want_rows, bool stream)
{
	int err = 0;
	struct set *s = calloc(1, sizeof(*s));

	UT_TRUE(s != NULL);
	UT_OK(load_index(s, dir));
	UT_EQ(want_rows, s->n);
	for (size_t i = 0; i < s->n; i++)
		UT_OK(run_one(dir, &s->rows[i], stream));
out:
	if (s)
		free(s->text);
	free(s);
	return err;
}

static int test_rfc4475(void)
{
	return run_set(RFC4475_DIR, 49, false);
}

static int test_rfc4475_variants(void)
{
	return run_set(RFC4475_VARIANTS, 1, false);
}

static int test_rfc5118(void)
{
	return run_set(RFC5118_DIR, 12, false);
}

static int test_rfc4475_stream(void)
{
	return run_set(RFC4475_DIR, 49, true);
}

static int test_rfc5118_stream(void)
{
	return run_set(RFC5118_DIR, 12, true);
}

/* Every expectation belongs to a message of one of the sets. */
static int test_table_complete(void)
{
	int err = 0;
	static const char *const dirs[] = {RFC4475_DIR, RFC4475_VARIANTS,
					   RFC5118_DIR};
	struct set *s = calloc(1, sizeof(*s));
	size_t found = 0;

	UT_TRUE(s != NULL);
	for (size_t d = 0; d < SX_ARRAY_SIZE(dirs); d++) {
		free(s->text);
		UT_OK(load_index(s, dirs[d]));
		for (size_t i = 0; i < s->n; i++)
			found += find_exp(s->rows[i].name) != NULL;
	}
	UT_EQ(SX_ARRAY_SIZE(exps), found);
out:
	if (s)
		free(s->text);
	free(s);
	return err;
}

UT_MAIN(UT_C(test_rfc4475), UT_C(test_rfc4475_variants), UT_C(test_rfc5118),
	UT_C(test_rfc4475_stream), UT_C(test_rfc5118_stream),
	UT_C(test_table_complete))
