/*
 * Dates of metric inputs (see parse.h): ISO 8601 dates and datetimes, and
 * dates in declared strftime-like formats, with English and French month
 * names, a default year for formats without one, and UTC offsets recorded
 * as written. A value is read under every declared format and must mean one
 * date: two formats that read it as two different dates make it ambiguous,
 * never a guess. Pure: no clock, no locale.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "metric.h"
#include "parse.h"
#include "xmalloc.h"

/*
 * Month names, full and abbreviated, English and French, lowercase UTF-8;
 * French ones also without their accents, as exports sometimes strip them.
 */
static const struct {
	const char	*name;
	int		 month;
} parse_date_names[] = {
	{ "january", 1 }, { "february", 2 }, { "march", 3 }, { "april", 4 },
	{ "may", 5 }, { "june", 6 }, { "july", 7 }, { "august", 8 },
	{ "september", 9 }, { "october", 10 }, { "november", 11 },
	{ "december", 12 },
	{ "jan", 1 }, { "feb", 2 }, { "mar", 3 }, { "apr", 4 }, { "jun", 6 },
	{ "jul", 7 }, { "aug", 8 }, { "sep", 9 }, { "sept", 9 }, { "oct", 10 },
	{ "nov", 11 }, { "dec", 12 },
	{ "janvier", 1 }, { "janv", 1 }, { "f\xc3\xa9vrier", 2 },
	{ "f\xc3\xa9vr", 2 }, { "fevrier", 2 }, { "fevr", 2 }, { "mars", 3 },
	{ "avril", 4 }, { "avr", 4 }, { "mai", 5 }, { "juin", 6 },
	{ "juillet", 7 }, { "juil", 7 }, { "ao\xc3\xbbt", 8 }, { "aout", 8 },
	{ "septembre", 9 }, { "octobre", 10 }, { "novembre", 11 },
	{ "d\xc3\xa9" "cembre", 12 }, { "d\xc3\xa9" "c", 12 },
	{ "decembre", 12 },
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Up to max digits (at least min) at *pp; -1 if fewer than min. */
static int
parse_date_digits(const char **pp, const char *e, int min, int max)
{
	const char *p = *pp;
	int	 v = 0, n = 0;

	while (p < e && n < max && *p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n < min)
		return -1;
	*pp = p;
	return v;
}

/* Whether s starts with the lowercase name, ignoring case (ASCII, and the
 * capital É and Û of French month names). */
static int
parse_date_prefix(const char *name, const char *s, const char *e)
{
	unsigned char c, n;

	for (; *name != '\0'; name++, s++) {
		if (s >= e)
			return 0;
		c = (unsigned char)*s;
		n = (unsigned char)*name;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (c == 0x89 || c == 0x9b)	/* É Û after 0xc3 */
			c = (unsigned char)(c + 0x20);
		if (c != n)
			return 0;
	}
	return 1;
}

/* A month name at *pp, the longest that ends before a letter; an optional
 * '.' after it is taken unless the format expects one next. */
static int
parse_date_month_name(const char **pp, const char *e, char next)
{
	const char *p = *pp, *q;
	size_t	 i, n, best = 0;
	int	 m = -1;

	for (i = 0; i < NITEMS(parse_date_names); i++) {
		n = strlen(parse_date_names[i].name);
		if (n <= best || !parse_date_prefix(parse_date_names[i].name, p,
		    e))
			continue;
		q = p + n;
		if (q < e && ((*q >= 'a' && *q <= 'z') ||
		    (*q >= 'A' && *q <= 'Z') || (unsigned char)*q >= 0x80))
			continue;
		best = n;
		m = parse_date_names[i].month;
	}
	if (m == -1)
		return -1;
	p += best;
	if (p < e && *p == '.' && next != '.')
		p++;
	*pp = p;
	return m;
}

/* "Z", "+HH:MM", "+HHMM" or "+HH" (or '-') at *pp into seconds east of UTC. */
static int
parse_date_offset(const char **pp, const char *e, int32_t *off)
{
	const char *p = *pp;
	int	 neg, h, m = 0;

	if (p < e && *p == 'Z') {
		*off = 0;
		*pp = p + 1;
		return 0;
	}
	if (p >= e || (*p != '+' && *p != '-'))
		return -1;
	neg = *p++ == '-';
	if ((h = parse_date_digits(&p, e, 2, 2)) < 0 || h > 23)
		return -1;
	if (p < e && *p == ':') {
		p++;
		if ((m = parse_date_digits(&p, e, 2, 2)) < 0)
			return -1;
	} else if (p < e && *p >= '0' && *p <= '9' &&
	    (m = parse_date_digits(&p, e, 2, 2)) < 0)
		return -1;
	if (m > 59)
		return -1;
	*off = (neg ? -1 : 1) * (h * 3600 + m * 60);
	*pp = p;
	return 0;
}

static void
parse_date_clear(struct parse_date *d)
{
	memset(d, 0, sizeof *d);
	d->hour = -1;
}

int
parse_date_iso(const char *s, size_t len, struct parse_date *d)
{
	const char *p, *e = s + len;
	int	 h, m, sec;

	parse_date_clear(d);
	if (len < 10 || metric_parse_iso_date(s, 10, &d->day) != 0)
		return -1;
	if (len == 10)
		return 0;
	p = s + 10;
	if (*p != 'T' && *p != ' ')
		return -1;
	p++;
	if ((h = parse_date_digits(&p, e, 2, 2)) < 0 || h > 23)
		return -1;
	if (p >= e || *p++ != ':' || (m = parse_date_digits(&p, e, 2, 2)) < 0 ||
	    m > 59)
		return -1;
	if (p < e && *p == ':') {
		p++;
		if ((sec = parse_date_digits(&p, e, 2, 2)) < 0 || sec > 60)
			return -1;
		if (p < e && *p == '.') {
			p++;
			if (parse_date_digits(&p, e, 1, 9) < 0)
				return -1;
		}
	}
	if (p < e) {
		if (parse_date_offset(&p, e, &d->utc_offset) != 0)
			return -1;
		d->has_offset = 1;
	}
	if (p != e)
		return -1;
	d->hour = (int8_t)h;
	d->minute = (int8_t)m;
	return 0;
}

/*
 * Fewest digits of the one- or two-digit field whose directive is at fmt:
 * two when another number comes right before (glued) or right after it with
 * nothing between ("%Y%m%d" reads "2024111" as neither 2024-11-01 nor
 * 2024-01-11: it is refused), else one.
 */
static int
parse_date_min(const char *fmt, int glued)
{
	if (glued)
		return 2;
	if (fmt[1] != '%' || fmt[2] == '\0')
		return 1;
	return strchr("-YmdeHMS", fmt[2]) != NULL ? 2 : 1;
}

/*
 * Read fmt at s; *endp gets where the match stopped (the caller decides
 * whether the rest may follow). fmt was checked by parse_date_check_format().
 */
static int
parse_date_scan(const char *fmt, int default_year, const char *s,
    const char *e, const char **endp, struct parse_date *d)
{
	const char *p = s;
	int	 y = default_year, m = -1, day = -1, h = -1, mi = 0, v;
	int	 glued = 0, num;	/* the last field read was a number */
	char	 iso[16];

	parse_date_clear(d);
	for (; *fmt != '\0'; fmt++, glued = num) {
		num = 0;
		if (*fmt != '%') {
			if (p >= e || *p != *fmt)
				return -1;
			p++;
			continue;
		}
		if (*++fmt == '-')	/* %-d %-m: no padding, read alike */
			fmt++;
		num = strchr("YmdeHMS", *fmt) != NULL;
		switch (*fmt) {
		case 'Y':
			if ((y = parse_date_digits(&p, e, 4, 4)) < 0)
				return -1;
			break;
		case 'm':
			if ((m = parse_date_digits(&p, e,
			    parse_date_min(fmt, glued), 2)) < 0)
				return -1;
			break;
		case 'e':
			if (p < e && *p == ' ')
				p++;
			/* FALLTHROUGH */
		case 'd':
			if ((day = parse_date_digits(&p, e,
			    parse_date_min(fmt, glued), 2)) < 0)
				return -1;
			break;
		case 'H':
			if ((h = parse_date_digits(&p, e,
			    parse_date_min(fmt, glued), 2)) < 0 || h > 23)
				return -1;
			break;
		case 'M':
			if ((mi = parse_date_digits(&p, e, 2, 2)) < 0 || mi > 59)
				return -1;
			break;
		case 'S':
			if ((v = parse_date_digits(&p, e, 2, 2)) < 0 || v > 60)
				return -1;
			break;
		case 'b':
		case 'B':
			if ((m = parse_date_month_name(&p, e, fmt[1])) < 0)
				return -1;
			break;
		case 'z':
			if (parse_date_offset(&p, e, &d->utc_offset) != 0)
				return -1;
			d->has_offset = 1;
			break;
		case '%':
			if (p >= e || *p++ != '%')
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (y < 0 || y > 9999 || m < 1 || m > 12 || day < 1 || day > 31)
		return -1;
	snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, day);
	if (metric_parse_iso_date(iso, 10, &d->day) != 0)
		return -1;
	d->hour = (int8_t)h;
	d->minute = (int8_t)(h >= 0 ? mi : 0);
	*endp = p;
	return 0;
}

int
parse_date_format(const char *fmt, int default_year, const char *s,
    size_t len, struct parse_date *d)
{
	const char *end;

	if (parse_date_scan(fmt, default_year, s, s + len, &end, d) != 0 ||
	    end != s + len)
		return -1;
	return 0;
}

static int
parse_date_same(const struct parse_date *a, const struct parse_date *b)
{
	return a->day == b->day && a->hour == b->hour &&
	    a->minute == b->minute && a->has_offset == b->has_offset &&
	    a->utc_offset == b->utc_offset;
}

int
parse_date_formats(const char *const *fmts, size_t n, int default_year,
    const char *s, size_t len, struct parse_date *d, char *reason,
    size_t reasonlen)
{
	struct parse_date try;
	char	 a[11], b[11];
	size_t	 i, first = 0;
	int	 found = 0;

	for (i = 0; i < n; i++) {
		if (parse_date_format(fmts[i], default_year, s, len, &try) != 0)
			continue;
		if (!found) {
			*d = try;
			first = i;
			found = 1;
		} else if (!parse_date_same(d, &try)) {
			metric_format_date(d->day, a);
			metric_format_date(try.day, b);
			if (d->day == try.day)
				snprintf(reason, reasonlen, "matches %s and %s "
				    "with different times", fmts[first],
				    fmts[i]);
			else
				snprintf(reason, reasonlen, "matches %s (%s) "
				    "and %s (%s)", fmts[first], a, fmts[i], b);
			return -2;
		}
	}
	return found ? 0 : -1;
}

int
parse_date_search(const char *fmt, int default_year, const char *name,
    int32_t *day)
{
	struct parse_date d;
	const char *p, *e = name + strlen(name), *end;

	for (p = name; p < e; p++) {
		if (p > name && p[-1] >= '0' && p[-1] <= '9')
			continue;
		if (parse_date_scan(fmt, default_year, p, e, &end, &d) != 0)
			continue;
		if (end < e && *end >= '0' && *end <= '9')
			continue;
		*day = d.day;
		return 0;
	}
	return -1;
}

int
parse_date_check_format(const char *fmt, int default_year, char **cause)
{
	int y = 0, m = 0, d = 0, h = 0, z = 0;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%')
			continue;
		if (*++fmt == '-') {
			fmt++;
			if (*fmt != 'd' && *fmt != 'm') {
				*cause = xstrdup("%- goes with d or m only");
				return -1;
			}
		}
		switch (*fmt) {
		case 'Y':
			y++;
			break;
		case 'm':
		case 'b':
		case 'B':
			m++;
			break;
		case 'd':
		case 'e':
			d++;
			break;
		case 'H':
			h++;
			break;
		case 'z':
			z++;
			break;
		case 'M':
		case 'S':
		case '%':
			break;
		case '\0':
			*cause = xstrdup("date format ends with %");
			return -1;
		default:
			xasprintf(cause, "unsupported %%%c in date format",
			    *fmt);
			return -1;
		}
	}
	if (z > 0 && h == 0) {
		/* An offset moves an instant; a whole day has none. */
		*cause = xstrdup("date format has %z without a time (%H)");
		return -1;
	}
	if (y > 1 || (y == 0 && default_year <= 0) || m != 1 || d != 1) {
		*cause = xstrdup(y == 0 && m == 1 && d == 1 ? "date format "
		    "has no %Y: set default_year" : "date format needs one "
		    "%Y (or default_year), one %m, %b or %B and one %d or %e");
		return -1;
	}
	return 0;
}
