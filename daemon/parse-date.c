/*
 * Dates of metric inputs (see parse.h): ISO 8601 dates and datetimes, and
 * dates in a declared strftime-like format. Pure: no clock, no locale.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "metric.h"
#include "parse.h"
#include "xmalloc.h"

static const char *const parse_date_months[12] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec"
};

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

/* "YYYY-MM-DD" optionally followed by "THH:MM[:SS[.fff]][Z|±HH:MM]" (or a
 * space instead of T); the hour as written is the bucket. */
int
parse_date_iso(const char *s, size_t len, int32_t *day, int8_t *hour)
{
	const char *p, *e = s + len;
	int	 h, m;

	if (len < 10 || metric_parse_iso_date(s, 10, day) != 0)
		return -1;
	*hour = -1;
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
		if ((m = parse_date_digits(&p, e, 2, 2)) < 0 || m > 60)
			return -1;
		if (p < e && *p == '.') {
			p++;
			if (parse_date_digits(&p, e, 1, 9) < 0)
				return -1;
		}
	}
	if (p < e && *p == 'Z')
		p++;
	else if (p < e && (*p == '+' || *p == '-')) {
		p++;
		if ((m = parse_date_digits(&p, e, 2, 2)) < 0 || m > 23)
			return -1;
		if (p < e && *p == ':')
			p++;
		if ((m = parse_date_digits(&p, e, 2, 2)) < 0 || m > 59)
			return -1;
	}
	if (p != e)
		return -1;
	*hour = (int8_t)h;
	return 0;
}

/*
 * A date in the declared format: %Y four digits, %m %d %H one or two, %M two,
 * %b an English month abbreviation, %% a percent sign, anything else
 * literally. fmt was checked by parse_date_check_format().
 */
int
parse_date_format(const char *fmt, const char *s, size_t len, int32_t *day,
    int8_t *hour)
{
	const char *p = s, *e = s + len;
	int	 y = -1, m = -1, d = -1, h = -1, mi = 0, i;
	char	 iso[32];

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			if (p >= e || *p != *fmt)
				return -1;
			p++;
			continue;
		}
		switch (*++fmt) {
		case 'Y':
			if ((y = parse_date_digits(&p, e, 4, 4)) < 0)
				return -1;
			break;
		case 'm':
			if ((m = parse_date_digits(&p, e, 1, 2)) < 0)
				return -1;
			break;
		case 'd':
			if ((d = parse_date_digits(&p, e, 1, 2)) < 0)
				return -1;
			break;
		case 'H':
			if ((h = parse_date_digits(&p, e, 1, 2)) < 0 || h > 23)
				return -1;
			break;
		case 'M':
			if ((mi = parse_date_digits(&p, e, 2, 2)) < 0 || mi > 59)
				return -1;
			break;
		case 'b':
			if (e - p < 3)
				return -1;
			for (i = 0; i < 12; i++) {
				if (strncasecmp(p, parse_date_months[i], 3) == 0)
					break;
			}
			if (i == 12)
				return -1;
			m = i + 1;
			p += 3;
			break;
		case '%':
			if (p >= e || *p++ != '%')
				return -1;
			break;
		}
	}
	if (p != e || y < 0 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
	if (metric_parse_iso_date(iso, 10, day) != 0)
		return -1;
	*hour = (int8_t)h;
	return 0;
}

/* A declared date format must name a year, a month and a day. */
int
parse_date_check_format(const char *fmt, char **cause)
{
	int y = 0, m = 0, d = 0;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%')
			continue;
		switch (*++fmt) {
		case 'Y':
			y++;
			break;
		case 'm':
		case 'b':
			m++;
			break;
		case 'd':
			d++;
			break;
		case 'H':
		case 'M':
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
	if (y != 1 || m != 1 || d != 1) {
		*cause = xstrdup("date format needs one %Y, one %m or %b and "
		    "one %d");
		return -1;
	}
	return 0;
}
