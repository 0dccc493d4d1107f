/*
 * sipxctl cdr: the Call Detail Records written by the cdr service
 * (SIPXECS-REFERENCE.md 1.2), read from the store's CDR log and printed
 * as text, CSV (RFC 4180) or one JSON array (RFC 8259).  Times are UTC,
 * ISO 8601 (RFC 3339 profile).
 *
 *   sipxctl cdr list [--since T] [--format text|csv|json]
 *
 * T is unix seconds or an ISO 8601 UTC date/time ("2026-11-27",
 * "2026-11-27T14:05", "2026-11-27T14:05:30Z"); it selects the calls
 * that started at or after T.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sx/store/event.h>
#include <sx/util/buf.h>

#include "cdr.h"
#include "ctl.h"

#define CDR_USAGE "cdr list [--since T] [--format text|csv|json]"
/** "2026-11-27T14:05:30.123Z" and its NUL. */
#define TIME_STR 32

enum fmt { FMT_TEXT, FMT_CSV, FMT_JSON };

struct cdr_list {
	enum fmt fmt;
	size_t n;                          /**< records printed */
	size_t bad;                        /**< records that did not parse */
	struct sx_buf out;                 /**< one record's line */
	char text[SX_STORE_EV_FIELDS_MAX]; /**< unescaped strings */
};

/* -- times --------------------------------------------------------------- */

/* ISO 8601 UTC with milliseconds; empty for 0 (unknown). */
static void fmt_time(int64_t ms, char *out)
{
	struct tm tm;
	time_t s = (time_t)(ms / 1000);

	out[0] = '\0';
	if (!ms || !gmtime_r(&s, &tm))
		return;
	size_t n = strftime(out, TIME_STR, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, TIME_STR - n, ".%03dZ", (int)(ms % 1000));
}

/* Exactly @n digits at *@pp into *@vp. */
static bool digits(const char **pp, int n, int *vp)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*pp)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*pp += n;
	*vp = v;
	return true;
}

/* "YYYY-MM-DD[(T| )HH:MM[:SS]][Z]" as UTC. */
static int parse_iso(const char *s, int64_t *secp)
{
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0;

	if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) ||
	    *s++ != '-' || !digits(&s, 2, &d))
		return -EINVAL;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi))
			return -EINVAL;
		if (*s == ':' && (s++, !digits(&s, 2, &sec)))
			return -EINVAL;
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*secp = (int64_t)timegm(&tm);
	return 0;
}

/* Unix seconds or ISO 8601, into ms. */
static int parse_since(const char *s, int64_t *msp)
{
	char *end;
	int64_t sec;

	if (!*s)
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*end && s[0] >= '0' && s[0] <= '9') {
		if (errno || v > INT64_MAX / 1000)
			return -EINVAL;
		*msp = (int64_t)v * 1000;
		return 0;
	}
	if (parse_iso(s, &sec) || sec < 0)
		return -EINVAL;
	*msp = sec * 1000;
	return 0;
}

/* -- formats ------------------------------------------------------------- */

static const char *const columns[] = {
    "call_id",   "caller",   "callee",      "start",          "connect",
    "end",       "duration", "termination", "failure_status", "failure_reason",
    "direction",
};

/* The eleven columns of @c as text (times ISO 8601, duration seconds). */
struct row {
	char start[TIME_STR], connect[TIME_STR], end[TIME_STR];
	char duration[32], status[8];
	struct sx_sl v[SX_ARRAY_SIZE(columns)];
};

static void row_of(const struct sx_cdr *c, struct row *r)
{
	int64_t d = sx_cdr_duration_ms(c);

	fmt_time(c->start_ms, r->start);
	fmt_time(c->connect_ms, r->connect);
	fmt_time(c->end_ms, r->end);
	r->duration[0] = r->status[0] = '\0';
	if (d)
		snprintf(r->duration, sizeof(r->duration), "%" PRId64 ".%03d",
		         d / 1000, (int)(d % 1000));
	if (c->status)
		snprintf(r->status, sizeof(r->status), "%u", c->status);
	const struct sx_sl v[] = {
	    c->call_id,
	    c->caller,
	    c->callee,
	    sx_sl_cstr(r->start),
	    sx_sl_cstr(r->connect),
	    sx_sl_cstr(r->end),
	    sx_sl_cstr(r->duration),
	    sx_sl_cstr(sx_cdr_term_name(c->term)),
	    sx_sl_cstr(r->status),
	    c->reason,
	    sx_sl_cstr(sx_cdr_dir_name(c->dir)),
	};
	memcpy(r->v, v, sizeof(v));
}

/* RFC 4180 2.6, 2.7: quote fields holding a comma, quote or line break,
 * doubling the quotes. */
static void csv_field(struct sx_buf *b, struct sx_sl s)
{
	bool quote = false;

	for (size_t i = 0; i < s.len && !quote; i++)
		quote = strchr(",\"\r\n", s.p[i]) && s.p[i];
	if (!quote) {
		sx_buf_put_sl(b, s);
		return;
	}
	sx_buf_put(b, "\"", 1);
	for (size_t i = 0; i < s.len; i++)
		sx_buf_put(b, s.p[i] == '"' ? "\"\"" : &s.p[i],
		           s.p[i] == '"' ? 2 : 1);
	sx_buf_put(b, "\"", 1);
}

/* Text: tab-separated; tabs and line breaks inside a value become
 * spaces so that each record stays one line. */
static void text_field(struct sx_buf *b, struct sx_sl s)
{
	if (!s.len)
		sx_buf_put(b, "-", 1);
	for (size_t i = 0; i < s.len; i++)
		sx_buf_put(
		    b, strchr("\t\r\n", s.p[i]) && s.p[i] ? " " : &s.p[i], 1);
}

static void header(enum fmt fmt)
{
	for (size_t i = 0; fmt != FMT_JSON && i < SX_ARRAY_SIZE(columns); i++)
		printf("%s%s", i ? (fmt == FMT_CSV ? "," : "\t") : "",
		       columns[i]);
	printf(fmt == FMT_CSV ? "\r\n" : fmt == FMT_TEXT ? "\n" : "[");
}

static void format(struct cdr_list *l, const struct sx_cdr *c)
{
	struct sx_buf *b = &l->out;
	struct row r;

	sx_buf_reset(b);
	if (l->fmt == FMT_JSON) {
		sx_buf_put_cstr(b, l->n ? ",\n" : "\n");
		sx_cdr_print(c, b);
		return;
	}
	row_of(c, &r);
	for (size_t i = 0; i < SX_ARRAY_SIZE(r.v); i++) {
		if (i)
			sx_buf_put(b, l->fmt == FMT_CSV ? "," : "\t", 1);
		if (l->fmt == FMT_CSV)
			csv_field(b, r.v[i]);
		else
			text_field(b, r.v[i]);
	}
	sx_buf_put_cstr(b, l->fmt == FMT_CSV ? "\r\n" : "\n");
}

static int print_cdr(const struct sx_store_event *ev, void *arg)
{
	struct cdr_list *l = arg;
	struct sx_cdr c;

	if (sx_cdr_parse(&c, ev->fields, l->text, sizeof(l->text))) {
		l->bad++;
		return 0;
	}
	format(l, &c);
	if (sx_buf_err(&l->out))
		return sx_buf_err(&l->out);
	fwrite(l->out.p, 1, l->out.len, stdout);
	l->n++;
	return 0;
}

/* -- command ------------------------------------------------------------- */

static int parse_args(int argc, char **argv, int64_t *sincep, enum fmt *fmtp)
{
	static const char *const fmts[] = {"text", "csv", "json"};

	if (argc < 1 || strcmp(argv[0], "list"))
		return ctl_usage(CDR_USAGE);
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool known = false;
		if (!v)
			return ctl_usage("%s needs a value", argv[i]);
		if (!strcmp(argv[i], "--since")) {
			if (parse_since(v, sincep))
				return ctl_usage("--since %s: unix seconds or "
				                 "ISO 8601 UTC expected",
				                 v);
		} else if (!strcmp(argv[i], "--format")) {
			for (size_t f = 0; f < SX_ARRAY_SIZE(fmts); f++)
				if (!strcmp(v, fmts[f])) {
					*fmtp = (enum fmt)f;
					known = true;
				}
			if (!known)
				return ctl_usage("--format %s: text, csv or "
				                 "json expected",
				                 v);
		} else {
			return ctl_usage(CDR_USAGE);
		}
		i++;
	}
	return CTL_OK;
}

int ctl_cdr(struct ctl *c, int argc, char **argv)
{
	static struct cdr_list l; /* its text buffer is large */
	int64_t since = 0;
	int rc;

	memset(&l, 0, sizeof(l));
	rc = parse_args(argc, argv, &since, &l.fmt);
	if (rc)
		return rc;
	sx_buf_init(&l.out, 0);
	header(l.fmt);
	ssize_t n = sx_store_event_list(c->store, SX_STORE_LOG_CDRS, since, 0,
	                                print_cdr, &l);
	sx_buf_fini(&l.out);
	if (l.fmt == FMT_JSON)
		printf("%s]\n", l.n ? "\n" : "");
	if (n < 0)
		return ctl_fail("cannot read CDRs: %s", strerror((int)-n));
	if (l.bad)
		fprintf(stderr,
		        "sipxctl: %zu CDR records unreadable, skipped\n",
		        l.bad);
	return CTL_OK;
}
