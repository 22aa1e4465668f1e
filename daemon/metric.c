/*
 * Metric samples: canonical field names, custom KPI names and calendar
 * dates. Dates are days since 1970-01-01 in the proleptic Gregorian
 * calendar, converted with Howard Hinnant's days_from_civil / civil_from_days
 * algorithms (https://howardhinnant.github.io/date_algorithms.html). Pure: no
 * clock.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "metric.h"

static const char *metric_field_names[MF__MAX] = {
	[MF_CLIENT] = "client",
	[MF_CAMPAIGN] = "campaign",
	[MF_CHANNEL] = "channel",
	[MF_DATE] = "date",
	[MF_COST] = "cost",
	[MF_REVENUE] = "revenue",
	[MF_IMPRESSIONS] = "impressions",
	[MF_CLICKS] = "clicks",
	[MF_CONVERSIONS] = "conversions",
};

const char *
metric_field_name(enum metric_field f)
{
	if ((unsigned)f >= MF__MAX)
		return "unknown";
	return metric_field_names[f];
}

int
metric_field_lookup(const char *name)
{
	int f;

	if (name == NULL)
		return -1;
	for (f = 0; f < MF__MAX; f++) {
		if (strcmp(name, metric_field_names[f]) == 0)
			return f;
	}
	return -1;
}

int
metric_custom_name_valid(const char *name)
{
	size_t i;

	if (name == NULL || name[0] < 'a' || name[0] > 'z')
		return 0;
	for (i = 1; name[i] != '\0'; i++) {
		if (i >= METRIC_CUSTOM_NAME_MAX - 1)
			return 0;
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	}
	return 1;
}

size_t
metric_custom_name_normalise(const char *s, size_t len, char *buf)
{
	size_t	i, n = 0;
	int	gap = 0;
	char	c;

	for (i = 0; i < len && n < METRIC_CUSTOM_NAME_MAX - 1; i++) {
		c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			gap = n > 0;	/* leading separators are dropped */
			continue;
		}
		if (gap) {
			buf[n++] = '_';
			gap = 0;
			if (n == METRIC_CUSTOM_NAME_MAX - 1)
				break;
		}
		buf[n++] = c;
	}
	while (n > 0 && buf[n - 1] == '_')
		n--;
	buf[n] = '\0';
	return n;
}

/*
 * Days since 1970-01-01 of y-m-d. Eras of 400 years make the leap rules
 * periodic; March-based years put the leap day last. Computed in 64 bits so
 * that any int year is safe; the caller keeps years within int32 days.
 */
int32_t
metric_days_from_civil(int y, unsigned m, unsigned d)
{
	int64_t	 yy, era, days;
	unsigned yoe, doy, doe;

	yy = (int64_t)y - (m <= 2);
	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = (unsigned)(yy - era * 400);			/* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;	/* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		/* [0, 146096] */
	days = era * 146097 + (int64_t)doe - 719468;
	return (int32_t)days;
}

/* Inverse of metric_days_from_civil. */
void
metric_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t	 zz, era, yy;
	unsigned doe, yoe, doy, mp;

	zz = (int64_t)z + 719468;
	era = (zz >= 0 ? zz : zz - 146096) / 146097;
	doe = (unsigned)(zz - era * 146097);			/* [0, 146096] */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		/* [0, 365] */
	mp = (5 * doy + 2) / 153;				/* [0, 11] */
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

static int
metric_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Read n ASCII digits; -1 if any is not a digit. */
static int
metric_digits(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
metric_parse_iso_date(const char *s, size_t len, int32_t *day)
{
	static const unsigned mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int	 y, m, d;
	unsigned dim;

	if (s == NULL || len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if ((y = metric_digits(s, 4)) < 1 ||
	    (m = metric_digits(s + 5, 2)) < 1 || m > 12 ||
	    (d = metric_digits(s + 8, 2)) < 1)
		return -1;
	dim = mdays[m - 1] + (m == 2 && metric_is_leap(y));
	if ((unsigned)d > dim)
		return -1;
	*day = metric_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

void
metric_format_date(int32_t day, char *buf)
{
	int	 y;
	unsigned m, d;

	metric_civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999) {
		/* Cannot be written in 10 bytes; never produced by the parser. */
		memcpy(buf, "0000-00-00", 11);
		return;
	}
	/* By hand: exactly 10 bytes, whatever the compiler can prove. */
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10 % 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10 % 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}
