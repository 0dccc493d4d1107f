/*
 * Date header field (RFC 3261 20.17): rfc1123-date in GMT only
 * ("Sat, 13 Nov 2010 23:29:00 GMT", RFC 2616 3.3.1), converted to and
 * from seconds since the epoch.  A zone other than GMT is an error
 * (RFC 4475 3.1.2.16 baddate).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sx/sip/hdrs.h>

#include "chars.h"
#include "hdr_lex.h"

#define SECS_PER_DAY 86400
#define DATE_MAX_YEAR 9999

static const char wkdays[7][4] = {"Sun", "Mon", "Tue", "Wed",
				  "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct cur {
	struct sx_sl s;
	size_t i;
	bool bad;
};

/* Exactly @n digits. */
static unsigned rd_num(struct cur *c, size_t n)
{
	unsigned v = 0;

	for (size_t k = 0; k < n; k++, c->i++) {
		if (c->i >= c->s.len ||
		    !SX_SIP_CC(c->s.p[c->i], SX_SIP_C_DIGIT)) {
			c->bad = true;
			return 0;
		}
		v = v * 10 + (unsigned)(c->s.p[c->i] - '0');
	}
	return v;
}

/* One of @n three-letter names (case-insensitive); its index. */
static unsigned rd_name(struct cur *c, const char (*names)[4], unsigned n)
{
	struct sx_sl w = sx_sl_sub(c->s, c->i, 3);

	c->i += 3;
	for (unsigned k = 0; k < n; k++)
		if (sx_sl_eq_cstr_nocase(w, names[k]))
			return k;
	c->bad = true;
	return 0;
}

static void rd_char(struct cur *c, char ch)
{
	if (c->i >= c->s.len || c->s.p[c->i] != ch)
		c->bad = true;
	c->i++;
}

/* One or more LWS. */
static void rd_lws(struct cur *c)
{
	size_t j = sx_sip__sl_span(c->s, c->i, SX_SIP_C_LWS);

	if (j == c->i)
		c->bad = true;
	c->i = j;
}

static bool is_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30,
						31, 31, 30, 31, 30, 31};
	return mdays[m] + (m == 1 && is_leap(y));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

int sx_sip_date_parse(struct sx_sl value, time_t *tp)
{
	struct cur c = {sx_sl_trim(value), 0, false};
	struct sx_sl zone;
	unsigned day, mon, year, hh, mm, ss;

	if (!tp)
		return -EINVAL;
	rd_name(&c, wkdays, 7);
	rd_char(&c, ',');
	rd_lws(&c);
	day = rd_num(&c, 2);
	rd_lws(&c);
	mon = rd_name(&c, months, 12);
	rd_lws(&c);
	year = rd_num(&c, 4);
	rd_lws(&c);
	hh = rd_num(&c, 2);
	rd_char(&c, ':');
	mm = rd_num(&c, 2);
	rd_char(&c, ':');
	ss = rd_num(&c, 2);
	rd_lws(&c);
	zone = sx_sl_sub(c.s, c.i, c.s.len);
	if (c.bad || !sx_sl_eq_cstr_nocase(zone, "GMT"))
		return -EBADMSG;
	if (!day || day > month_days(year, mon) || hh > 23 || mm > 59 ||
	    ss > 60)
		return -EBADMSG;
	*tp = (time_t)(days_from_civil(year, mon + 1, day) * SECS_PER_DAY +
		       hh * 3600 + mm * 60 + ss);
	return 0;
}

int sx_sip_date_print(time_t t, char *buf, size_t cap)
{
	struct tm tm;

	if (!buf || cap < SX_SIP_DATE_LEN + 1)
		return -EINVAL;
	if (t < 0 || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > DATE_MAX_YEAR)
		return -ERANGE;
	snprintf(buf, cap, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		 wkdays[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}
