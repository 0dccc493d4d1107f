/*
 * The CDR record (SIPXECS-REFERENCE.md 1.2, sipXcallResolver's cdrs
 * table) and its JSON form (RFC 8259): a flat object of strings,
 * integers and nulls.  The reader takes exactly that subset, never reads
 * past the given length and never allocates.
 */
#include <errno.h>
#include <string.h>

#include "cdr.h"
#include "cdr_int.h"

static const char *const term_names[SX_CDR_TERM_COUNT] = {
    [SX_CDR_COMPLETED] = "completed", [SX_CDR_FAILED] = "failed",
    [SX_CDR_ABANDONED] = "abandoned", [SX_CDR_TRANSFERRED] = "transferred",
    [SX_CDR_UNKNOWN] = "unknown",
};

static const char *const dir_names[SX_CDR_DIR_COUNT] = {
    [SX_CDR_INTERNAL] = "internal",
    [SX_CDR_INCOMING] = "incoming",
    [SX_CDR_OUTGOING] = "outgoing",
};

const char *sx_cdr_term_name(enum sx_cdr_term t)
{
	return (unsigned)t < SX_CDR_TERM_COUNT ? term_names[t] : NULL;
}

const char *sx_cdr_dir_name(enum sx_cdr_dir d)
{
	return (unsigned)d < SX_CDR_DIR_COUNT ? dir_names[d] : NULL;
}

int64_t sx_cdr_duration_ms(const struct sx_cdr *c)
{
	if (!c->connect_ms || !c->end_ms || c->end_ms < c->connect_ms)
		return 0;
	return c->end_ms - c->connect_ms;
}

/* -- writing ------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at @p (RFC 3629 4), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	unsigned min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	unsigned cp = c & (0x7fu >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void sx_cdr_json_str(struct sx_buf *out, struct sx_sl s)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = 0;

	sx_buf_put(out, "\"", 1);
	while (i < s.len) {
		unsigned char c = p[i];
		size_t n = utf8_len(p + i, s.len - i);
		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};
			sx_buf_put(out, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			sx_buf_printf(out, "\\u%04x", c);
		} else if (!n) {
			/* not UTF-8: the replacement character keeps the
			 * output valid JSON */
			sx_buf_put_cstr(out, "\\ufffd");
			n = 1;
		} else {
			sx_buf_put(out, p + i, n);
		}
		i += n ? n : 1;
	}
	sx_buf_put(out, "\"", 1);
}

static void put_key(struct sx_buf *out, const char *key, bool *first)
{
	sx_buf_put_cstr(out, *first ? "{\"" : ",\"");
	sx_buf_put_cstr(out, key);
	sx_buf_put_cstr(out, "\":");
	*first = false;
}

static void put_str(struct sx_buf *out, const char *key, struct sx_sl v,
                    bool *first)
{
	put_key(out, key, first);
	sx_cdr_json_str(out, v);
}

/* An integer, or null when @v is 0 (unknown). */
static void put_num(struct sx_buf *out, const char *key, int64_t v, bool *first)
{
	put_key(out, key, first);
	if (v)
		sx_buf_printf(out, "%lld", (long long)v);
	else
		sx_buf_put_cstr(out, "null");
}

void sx_cdr_print(const struct sx_cdr *c, struct sx_buf *out)
{
	bool first = true;

	put_str(out, "call_id", c->call_id, &first);
	put_str(out, "from_tag", c->from_tag, &first);
	put_str(out, "to_tag", c->to_tag, &first);
	put_str(out, "caller", c->caller, &first);
	put_str(out, "callee", c->callee, &first);
	put_num(out, "start_ms", c->start_ms, &first);
	put_num(out, "connect_ms", c->connect_ms, &first);
	put_num(out, "end_ms", c->end_ms, &first);
	put_num(out, "duration_ms", sx_cdr_duration_ms(c), &first);
	put_str(out, "termination", sx_sl_cstr(sx_cdr_term_name(c->term)),
	        &first);
	put_num(out, "failure_status", c->status, &first);
	put_str(out, "failure_reason", c->reason, &first);
	put_str(out, "direction", sx_sl_cstr(sx_cdr_dir_name(c->dir)), &first);
	put_str(out, "transfer_to", c->transfer_to, &first);
	sx_buf_put(out, "}", 1);
}

/* -- reading ------------------------------------------------------------- */

static void skip_ws(struct sx_sl *s)
{
	while (s->len && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
	                  *s->p == '\r'))
		s->p++, s->len--;
}

static bool take(struct sx_sl *s, char c)
{
	skip_ws(s);
	if (!s->len || *s->p != c)
		return false;
	s->p++, s->len--;
	return true;
}

/* The raw body of a string at @s (after its opening quote): up to the
 * closing quote, which is consumed. */
static int scan_str(struct sx_sl *s, struct sx_sl *rawp)
{
	size_t i = 0;

	while (i < s->len && s->p[i] != '"') {
		if ((unsigned char)s->p[i] < 0x20)
			return -EBADMSG;
		i += s->p[i] == '\\' ? 2 : 1;
	}
	if (i >= s->len)
		return -EBADMSG;
	*rawp = sx_sl_make(s->p, i);
	s->p += i + 1, s->len -= i + 1;
	return 0;
}

static int hex4(const char *p, unsigned *vp)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		int h = sx_hexval((unsigned char)p[i]);
		if (h < 0)
			return -EBADMSG;
		v = v << 4 | (unsigned)h;
	}
	*vp = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX at @p (after the backslash) with a possible low surrogate;
 * the code point into *cpp, the escape length into *np. */
static int uescape(struct sx_sl raw, size_t at, unsigned *cpp, size_t *np)
{
	unsigned hi, lo;

	if (at + 5 > raw.len || hex4(raw.p + at + 1, &hi))
		return -EBADMSG;
	*np = 5;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return -EBADMSG;
	if (hi < 0xd800 || hi > 0xdbff) {
		*cpp = hi;
		return 0;
	}
	/* RFC 8259 7: a high surrogate needs its low half */
	if (at + 11 > raw.len || raw.p[at + 5] != '\\' ||
	    raw.p[at + 6] != 'u' || hex4(raw.p + at + 7, &lo) || lo < 0xdc00 ||
	    lo > 0xdfff)
		return -EBADMSG;
	*cpp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	*np = 11;
	return 0;
}

int sx_cdr__json_unescape(struct sx_sl raw, char *out, size_t cap, size_t *lenp)
{
	static const char simple_in[] = "\"\\/bfnrt";
	static const char simple_out[] = "\"\\/\b\f\n\r\t";
	size_t o = 0;

	for (size_t i = 0; i < raw.len;) {
		char tmp[4];
		size_t n = 1, tn = 1;
		tmp[0] = raw.p[i];
		if (raw.p[i] == '\\') {
			if (i + 1 >= raw.len)
				return -EBADMSG;
			const char *e = raw.p[i + 1] == 'u'
			                    ? NULL
			                    : memchr(simple_in, raw.p[i + 1],
			                             sizeof(simple_in) - 1);
			if (e) {
				tmp[0] = simple_out[e - simple_in];
				n = 2;
			} else if (raw.p[i + 1] == 'u') {
				unsigned cp;
				int err = uescape(raw, i + 1, &cp, &n);
				if (err)
					return err;
				n += 1;
				tn = put_utf8(tmp, cp);
			} else {
				return -EBADMSG;
			}
		}
		if (o + tn > cap)
			return -E2BIG;
		memcpy(out + o, tmp, tn);
		o += tn;
		i += n;
	}
	*lenp = o;
	return 0;
}

static int scan_num(struct sx_sl *s, struct sx_cdr_jval *v)
{
	size_t i = s->len && *s->p == '-';
	size_t digits = 0;
	uint64_t n = 0;

	for (; i < s->len && s->p[i] >= '0' && s->p[i] <= '9'; i++, digits++) {
		if (n > (uint64_t)INT64_MAX / 10)
			return -EBADMSG;
		n = n * 10 + (uint64_t)(s->p[i] - '0');
	}
	if (!digits || n > (uint64_t)INT64_MAX)
		return -EBADMSG;
	v->type = SX_CDR_J_NUM;
	v->num = *s->p == '-' ? -(int64_t)n : (int64_t)n;
	s->p += i, s->len -= i;
	return 0;
}

static int scan_word(struct sx_sl *s, struct sx_cdr_jval *v)
{
	static const struct {
		const char *w;
		enum sx_cdr_jtype t;
		int64_t num;
	} words[] = {{"null", SX_CDR_J_NULL, 0},
	             {"true", SX_CDR_J_BOOL, 1},
	             {"false", SX_CDR_J_BOOL, 0}};

	for (size_t i = 0; i < SX_ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i].w);
		if (s->len >= n && !memcmp(s->p, words[i].w, n)) {
			v->type = words[i].t;
			v->num = words[i].num;
			s->p += n, s->len -= n;
			return 0;
		}
	}
	return -EBADMSG;
}

void sx_cdr__json_begin(struct sx_cdr_jit *it, struct sx_sl json)
{
	it->rest = json;
	it->started = false;
	it->ended = false;
}

int sx_cdr__json_next(struct sx_cdr_jit *it, struct sx_sl *keyp,
                      struct sx_cdr_jval *v)
{
	struct sx_sl *s = &it->rest;
	int err;

	if (it->ended)
		return 0;
	if (!it->started) {
		if (!take(s, '{'))
			return -EBADMSG;
		it->started = true;
		if (take(s, '}'))
			goto end;
	} else if (!take(s, ',')) {
		if (!take(s, '}'))
			return -EBADMSG;
		goto end;
	}
	if (!take(s, '"') || scan_str(s, keyp) || !take(s, ':'))
		return -EBADMSG;
	skip_ws(s);
	if (!s->len)
		return -EBADMSG;
	if (*s->p == '"') {
		s->p++, s->len--;
		v->type = SX_CDR_J_STR;
		err = scan_str(s, &v->raw);
	} else if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9')) {
		err = scan_num(s, v);
	} else {
		err = scan_word(s, v);
	}
	return err ? err : 1;
end:
	skip_ws(s);
	it->ended = true;
	return s->len ? -EBADMSG : 0;
}

/* Unescape a string value into @buf at *@usedp. */
static int parse_str(const struct sx_cdr_jval *v, struct sx_sl *dst, char *buf,
                     size_t cap, size_t *usedp)
{
	size_t n;
	int err;

	if (v->type == SX_CDR_J_NULL) {
		*dst = SX_SL_NULL;
		return 0;
	}
	if (v->type != SX_CDR_J_STR)
		return -EBADMSG;
	err = sx_cdr__json_unescape(v->raw, buf + *usedp, cap - *usedp, &n);
	if (!err)
		*dst = sx_sl_make(buf + *usedp, n);
	*usedp += err ? 0 : n;
	return err;
}

static int parse_num(const struct sx_cdr_jval *v, int64_t *dst)
{
	if (v->type == SX_CDR_J_NULL) {
		*dst = 0;
		return 0;
	}
	if (v->type != SX_CDR_J_NUM)
		return -EBADMSG;
	*dst = v->num;
	return 0;
}

/* Index of @name in @names[0..n), or -1. */
static int name_index(struct sx_sl name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && sx_sl_eq_cstr(name, names[i]))
			return (int)i;
	return -1;
}

static int parse_enum(const struct sx_cdr_jval *v, const char *const *names,
                      size_t n, int *dst)
{
	if (v->type != SX_CDR_J_STR)
		return -EBADMSG;
	*dst = name_index(v->raw, names, n);
	return *dst < 0 ? -EBADMSG : 0;
}

/* One key of a CDR object. */
static int parse_field(struct sx_cdr *c, struct sx_sl key,
                       const struct sx_cdr_jval *v, char *buf, size_t cap,
                       size_t *usedp, bool *termp)
{
	static const struct {
		const char *key;
		size_t off;
	} strs[] =
	    {
	        {"call_id", offsetof(struct sx_cdr, call_id)},
	        {"from_tag", offsetof(struct sx_cdr, from_tag)},
	        {"to_tag", offsetof(struct sx_cdr, to_tag)},
	        {"caller", offsetof(struct sx_cdr, caller)},
	        {"callee", offsetof(struct sx_cdr, callee)},
	        {"failure_reason", offsetof(struct sx_cdr, reason)},
	        {"transfer_to", offsetof(struct sx_cdr, transfer_to)},
	    },
	  nums[] = {
	      {"start_ms", offsetof(struct sx_cdr, start_ms)},
	      {"connect_ms", offsetof(struct sx_cdr, connect_ms)},
	      {"end_ms", offsetof(struct sx_cdr, end_ms)},
	  };
	int64_t status;
	int e, err;

	for (size_t i = 0; i < SX_ARRAY_SIZE(strs); i++)
		if (sx_sl_eq_cstr(key, strs[i].key))
			return parse_str(
			    v, (struct sx_sl *)((char *)c + strs[i].off), buf,
			    cap, usedp);
	for (size_t i = 0; i < SX_ARRAY_SIZE(nums); i++)
		if (sx_sl_eq_cstr(key, nums[i].key))
			return parse_num(v,
			                 (int64_t *)((char *)c + nums[i].off));
	if (sx_sl_eq_cstr(key, "termination")) {
		err = parse_enum(v, term_names, SX_CDR_TERM_COUNT, &e);
		c->term = (enum sx_cdr_term)e;
		*termp = !err;
		return err;
	}
	if (sx_sl_eq_cstr(key, "direction")) {
		err = parse_enum(v, dir_names, SX_CDR_DIR_COUNT, &e);
		c->dir = (enum sx_cdr_dir)e;
		return err;
	}
	if (sx_sl_eq_cstr(key, "failure_status")) {
		err = parse_num(v, &status);
		if (!err && (status < 0 || status > 999))
			err = -EBADMSG;
		c->status = (uint16_t)status;
		return err;
	}
	return 0; /* unknown keys (duration_ms, later additions) */
}

int sx_cdr_parse(struct sx_cdr *c, struct sx_sl json, char *buf, size_t cap)
{
	struct sx_cdr_jit it;
	struct sx_cdr_jval v;
	struct sx_cdr out = {0};
	struct sx_sl key;
	size_t used = 0;
	bool term = false;
	int r;

	if (!c || (!json.p && json.len) || (!buf && cap))
		return -EINVAL;
	sx_cdr__json_begin(&it, json);
	while ((r = sx_cdr__json_next(&it, &key, &v)) > 0) {
		int err = parse_field(&out, key, &v, buf, cap, &used, &term);
		if (err)
			return err;
	}
	if (r < 0)
		return r;
	if (!out.call_id.len || !term)
		return -EBADMSG;
	*c = out;
	return 0;
}
