/*
 * Backoff (see backoff.h): doubling, capped, without overflow; full jitter
 * from a random value given by the caller; Retry-After values read with the
 * time passed in. No clock, no randomness and no allocation in here.
 */
#include <stdint.h>
#include <string.h>

#include "backoff.h"

int64_t
backoff_delay(int64_t attempt, int64_t initial, int64_t cap)
{
	int64_t	delay;

	if (cap < 1)
		cap = 1;
	if (initial < 1)
		initial = 1;
	if (initial >= cap)
		return cap;
	delay = initial;
	while (--attempt > 0 && delay < cap)
		delay = delay > cap / 2 ? cap : delay * 2;
	return delay;
}

int64_t
backoff_jitter(int64_t delay, int64_t floor, uint64_t rnd)
{
	uint64_t	span;

	if (delay < 1)
		delay = 1;
	if (floor < 1)
		floor = 1;
	if (floor > delay)
		floor = delay;
	span = (uint64_t)(delay - floor) + 1;
	return floor + (int64_t)(rnd % span);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
backoff_days(int64_t y, int64_t m, int64_t d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The year of a unix time (for the two-digit years of RFC 850 dates). */
static int64_t
backoff_year(int64_t t)
{
	int64_t	z, era, doe, yoe, doy, mp, y;

	z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return y + (mp >= 10);
}

/* A cursor over the value; every reader returns 0 or -1 and moves on. */
struct backoff_cur {
	const char	*p;
};

static int
backoff_lit(struct backoff_cur *c, const char *s)
{
	size_t	n = strlen(s);

	if (strncmp(c->p, s, n) != 0)
		return -1;
	c->p += n;
	return 0;
}

/* Exactly n digits. */
static int
backoff_digits(struct backoff_cur *c, int n, int64_t *v)
{
	int	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (c->p[i] < '0' || c->p[i] > '9')
			return -1;
		*v = *v * 10 + (c->p[i] - '0');
	}
	c->p += n;
	return 0;
}

/* One of names[] (case as written in RFC 9110); its index in *idx. */
static int
backoff_name(struct backoff_cur *c, const char *const *names, int n,
    int *idx)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (backoff_lit(c, names[i]) == 0) {
			*idx = i;
			return 0;
		}
	}
	return -1;
}

static const char *const backoff_months[] = { "Jan", "Feb", "Mar", "Apr",
    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const backoff_wdays[] = { "Mon", "Tue", "Wed", "Thu",
    "Fri", "Sat", "Sun" };
static const char *const backoff_wdays_long[] = { "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };

/* "HH:MM:SS" into seconds of the day (60 seconds: a leap second). */
static int
backoff_time(struct backoff_cur *c, int64_t *secs)
{
	int64_t	h, m, s;

	if (backoff_digits(c, 2, &h) != 0 || backoff_lit(c, ":") != 0 ||
	    backoff_digits(c, 2, &m) != 0 || backoff_lit(c, ":") != 0 ||
	    backoff_digits(c, 2, &s) != 0)
		return -1;
	if (h > 23 || m > 59 || s > 60)
		return -1;
	*secs = h * 3600 + m * 60 + s;
	return 0;
}

/* Unix time of a valid date and time of day, or -1 for a bad day. */
static int
backoff_civil(int64_t y, int64_t mon, int64_t d, int64_t tod, int64_t *t)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (d < 1 || d > mdays[mon - 1] || (mon == 2 && d == 29 && !leap))
		return -1;
	*t = backoff_days(y, mon, d) * 86400 + tod;
	return 0;
}

/* The three forms of HTTP-date; *t the unix time it names. */
static int
backoff_http_date(const char *s, int64_t now, int64_t *t)
{
	struct backoff_cur	 c = { s };
	int64_t			 d, y, tod, cy;
	int			 wd, mon;

	/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
	if (backoff_name(&c, backoff_wdays, 7, &wd) == 0 &&
	    backoff_lit(&c, ", ") == 0) {
		if (backoff_digits(&c, 2, &d) != 0 || backoff_lit(&c, " ") != 0 ||
		    backoff_name(&c, backoff_months, 12, &mon) != 0 ||
		    backoff_lit(&c, " ") != 0 || backoff_digits(&c, 4, &y) != 0 ||
		    backoff_lit(&c, " ") != 0 || backoff_time(&c, &tod) != 0 ||
		    backoff_lit(&c, " GMT") != 0 || *c.p != '\0')
			return -1;
		return backoff_civil(y, mon + 1, d, tod, t);
	}

	/* rfc850-date: Sunday, 06-Nov-94 08:49:37 GMT */
	c.p = s;
	if (backoff_name(&c, backoff_wdays_long, 7, &wd) == 0) {
		if (backoff_lit(&c, ", ") != 0 || backoff_digits(&c, 2, &d) != 0 ||
		    backoff_lit(&c, "-") != 0 ||
		    backoff_name(&c, backoff_months, 12, &mon) != 0 ||
		    backoff_lit(&c, "-") != 0 || backoff_digits(&c, 2, &y) != 0 ||
		    backoff_lit(&c, " ") != 0 || backoff_time(&c, &tod) != 0 ||
		    backoff_lit(&c, " GMT") != 0 || *c.p != '\0')
			return -1;
		/* More than 50 years ahead means the century before. */
		cy = backoff_year(now);
		y += cy - cy % 100;
		if (y > cy + 50)
			y -= 100;
		return backoff_civil(y, mon + 1, d, tod, t);
	}

	/* asctime-date: Sun Nov  6 08:49:37 1994 */
	c.p = s;
	if (backoff_name(&c, backoff_wdays, 7, &wd) != 0 ||
	    backoff_lit(&c, " ") != 0 ||
	    backoff_name(&c, backoff_months, 12, &mon) != 0 ||
	    backoff_lit(&c, " ") != 0)
		return -1;
	if (backoff_lit(&c, " ") == 0) {
		if (backoff_digits(&c, 1, &d) != 0)
			return -1;
	} else if (backoff_digits(&c, 2, &d) != 0)
		return -1;
	if (backoff_lit(&c, " ") != 0 || backoff_time(&c, &tod) != 0 ||
	    backoff_lit(&c, " ") != 0 || backoff_digits(&c, 4, &y) != 0 ||
	    *c.p != '\0')
		return -1;
	return backoff_civil(y, mon + 1, d, tod, t);
}

int
backoff_retry_after(const char *value, int64_t now, int64_t *secs)
{
	char		 buf[64];
	const char	*p = value, *end;
	int64_t		 v = 0, t;
	size_t		 n;

	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - p);
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';

	if (strspn(buf, "0123456789") == n) {
		/* delta-seconds; anything past the cap is the cap. */
		for (p = buf; *p != '\0' && v <= BACKOFF_RETRY_AFTER_MAX; p++)
			v = v * 10 + (*p - '0');
		*secs = v > BACKOFF_RETRY_AFTER_MAX ? BACKOFF_RETRY_AFTER_MAX : v;
		return 0;
	}
	if (backoff_http_date(buf, now, &t) != 0)
		return -1;
	if (t <= now)
		*secs = 0;
	else if (t - now > BACKOFF_RETRY_AFTER_MAX)
		*secs = BACKOFF_RETRY_AFTER_MAX;
	else
		*secs = t - now;
	return 0;
}

int64_t
backoff_retry_delay(int64_t attempt, int64_t initial, int64_t cap,
    int64_t retry_after, uint64_t rnd)
{
	if (initial < 1)
		initial = 1;
	if (retry_after >= 0) {
		if (retry_after > BACKOFF_RETRY_AFTER_MAX)
			retry_after = BACKOFF_RETRY_AFTER_MAX;
		return retry_after < initial ? initial : retry_after;
	}
	return backoff_jitter(backoff_delay(attempt, initial, cap), initial,
	    rnd);
}
