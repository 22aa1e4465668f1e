/*
 * Calendar windows (see window.h): the text of a window, its days at an
 * instant on the client's calendar, the previous period, the next roll-over
 * and quiet hours. Pure: the instant and the zone come from the caller.
 *
 * Wall-clock questions ("when does local time next reach 07:00?") are
 * answered by window_reach() from tz_offset_at() alone, so that they stay
 * right across the hour a DST change adds or skips.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "log.h"
#include "metric.h"
#include "tz.h"
#include "window.h"
#include "xmalloc.h"

#define WINDOW_DAY	86400
#define WINDOW_FORMS	"lifetime, today, yesterday, Nd (N days ending today, " \
			"N from 1 to 3660), last_N_days (N complete days ending " \
			"yesterday), wtd or week_to_date, mtd or month_to_date, " \
			"last_month, data_Nd (the last N days of data)"

/* Fixed words and their kinds; the first of a kind is its canonical name. */
static const struct {
	const char		*name;
	enum window_kind	 kind;
} window_words[] = {
	{ "lifetime", WINDOW_LIFETIME },
	{ "today", WINDOW_TODAY },
	{ "yesterday", WINDOW_YESTERDAY },
	{ "wtd", WINDOW_WTD },
	{ "week_to_date", WINDOW_WTD },
	{ "mtd", WINDOW_MTD },
	{ "month_to_date", WINDOW_MTD },
	{ "last_month", WINDOW_LAST_MONTH },
};

/* A whole number 1..WINDOW_DAYS_MAX written without leading zeros, exactly
 * the len bytes at s. */
static int
window_number(const char *s, size_t len, int32_t *n)
{
	int32_t	v = 0;
	size_t	i;

	if (len == 0 || len > 4 || s[0] == '0')
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > WINDOW_DAYS_MAX)
		return -1;
	*n = v;
	return 0;
}

/* s is prefix, a number, then suffix: the number in *n. */
static int
window_affixed(const char *s, const char *prefix, const char *suffix,
    int32_t *n)
{
	size_t	len = strlen(s), pl = strlen(prefix), sl = strlen(suffix);

	if (len <= pl + sl || strncmp(s, prefix, pl) != 0 ||
	    strcmp(s + len - sl, suffix) != 0)
		return -1;
	return window_number(s + pl, len - pl - sl, n);
}

int
window_parse(const char *s, struct window_spec *spec, char **cause)
{
	char	esc[64];
	size_t	i;
	int32_t	n;

	if (s == NULL)
		s = "";
	for (i = 0; i < sizeof window_words / sizeof window_words[0]; i++) {
		if (strcmp(s, window_words[i].name) == 0) {
			spec->kind = window_words[i].kind;
			spec->n = 0;
			return 0;
		}
	}
	if (window_affixed(s, "", "d", &n) == 0) {
		spec->kind = WINDOW_DAYS;
		spec->n = n;
		return 0;
	}
	if (window_affixed(s, "last_", "_days", &n) == 0) {
		spec->kind = WINDOW_LAST_DAYS;
		spec->n = n;
		return 0;
	}
	if (window_affixed(s, "data_", "d", &n) == 0) {
		spec->kind = WINDOW_DATA_DAYS;
		spec->n = n;
		return 0;
	}
	log_escape(s, strlen(s), esc, sizeof esc);
	xasprintf(cause, "window \"%s\" is not one of: %s", esc, WINDOW_FORMS);
	return -1;
}

char *
window_name(const struct window_spec *spec, char *buf, size_t len)
{
	size_t	i;

	switch (spec->kind) {
	case WINDOW_DAYS:
		snprintf(buf, len, "%dd", (int)spec->n);
		return buf;
	case WINDOW_LAST_DAYS:
		snprintf(buf, len, "last_%d_days", (int)spec->n);
		return buf;
	case WINDOW_DATA_DAYS:
		snprintf(buf, len, "data_%dd", (int)spec->n);
		return buf;
	default:
		break;
	}
	for (i = 0; i < sizeof window_words / sizeof window_words[0]; i++) {
		if (window_words[i].kind == spec->kind) {
			snprintf(buf, len, "%s", window_words[i].name);
			return buf;
		}
	}
	snprintf(buf, len, "?");
	return buf;
}

static int32_t
window_clamp_n(int32_t n)
{
	if (n < 1)
		return 1;
	if (n > WINDOW_DAYS_MAX)
		return WINDOW_DAYS_MAX;
	return n;
}

/*
 * Day d moved by k days, kept inside the closed days (the two int32_t
 * extremes mean "open"); tz.h keeps real days far from them.
 */
static int32_t
window_add(int32_t d, int64_t k)
{
	int64_t	v = (int64_t)d + k;

	if (v <= INT32_MIN)
		return INT32_MIN + 1;
	if (v >= INT32_MAX)
		return INT32_MAX - 1;
	return (int32_t)v;
}

static void
window_open(struct window_range *r)
{
	r->from = INT32_MIN;
	r->to = INT32_MAX;
}

static int
window_is_open(const struct window_range *r)
{
	return r->from == INT32_MIN || r->to == INT32_MAX;
}

/* The first day of the month of local day d. */
static int32_t
window_month_start(int32_t d)
{
	int		y;
	unsigned	m, md;

	metric_civil_from_days(d, &y, &m, &md);
	return metric_days_from_civil(y, m, 1);
}

void
window_resolve(const struct window_spec *spec, const struct tz *tz,
    int64_t now, struct window_range *r)
{
	int32_t	today, sec, n, wd;

	tz_local(tz, now, &today, &sec);
	n = window_clamp_n(spec->n);
	switch (spec->kind) {
	case WINDOW_TODAY:
		r->from = r->to = today;
		break;
	case WINDOW_YESTERDAY:
		r->from = r->to = window_add(today, -1);
		break;
	case WINDOW_DAYS:
		r->from = window_add(today, -(int64_t)n + 1);
		r->to = today;
		break;
	case WINDOW_LAST_DAYS:
		r->from = window_add(today, -(int64_t)n);
		r->to = window_add(today, -1);
		break;
	case WINDOW_WTD:
		/* 1970-01-01 was a Thursday: Monday is 0. */
		wd = (int32_t)((((int64_t)today + 3) % 7 + 7) % 7);
		r->from = window_add(today, -wd);
		r->to = today;
		break;
	case WINDOW_MTD:
		r->from = window_month_start(today);
		r->to = today;
		break;
	case WINDOW_LAST_MONTH:
		r->to = window_add(window_month_start(today), -1);
		r->from = window_month_start(r->to);
		break;
	default:	/* LIFETIME, DATA_DAYS (window_resolve_data) */
		window_open(r);
		break;
	}
}

void
window_resolve_data(const struct window_spec *spec, int32_t last_day,
    struct window_range *r)
{
	if (spec->kind != WINDOW_DATA_DAYS || last_day == INT32_MIN) {
		window_open(r);
		return;
	}
	r->to = last_day == INT32_MAX ? INT32_MAX - 1 : last_day;
	r->from = window_add(r->to, -(int64_t)window_clamp_n(spec->n) + 1);
}

int
window_previous(const struct window_range *cur, struct window_range *prev)
{
	int64_t	n, from;

	if (window_is_open(cur) || cur->to < cur->from)
		return -1;
	n = (int64_t)cur->to - cur->from + 1;
	from = (int64_t)cur->from - n;
	if (from <= INT32_MIN)
		return -1;
	prev->from = (int32_t)from;
	prev->to = cur->from - 1;
	return 0;
}

int32_t
window_ndays(const struct window_range *r)
{
	int64_t	n;

	if (window_is_open(r) || r->to < r->from)
		return 0;
	n = (int64_t)r->to - r->from + 1;
	return n > INT32_MAX ? INT32_MAX : (int32_t)n;
}

/* Local time of instant t in seconds since 1970-01-01 on the local clock. */
static int64_t
window_local(const struct tz *tz, int64_t t)
{
	return t + tz_offset_at(tz, t);
}

/*
 * The first instant at or after t at which local time is at or past l.
 * Local time only rises between transitions: aim at l with the offset in
 * effect, and when the offset changes on the way, stop at the change (found
 * by bisection) and aim again from there. A forward jump may carry local time
 * past l (a skipped time is reached when the clocks jump over it); a jump
 * back makes the aim longer.
 */
static int64_t
window_reach(const struct tz *tz, int64_t t, int64_t l)
{
	int64_t	aim, lo, hi, mid;
	int32_t	off;
	int	i;

	for (i = 0; i < 16; i++) {
		if (window_local(tz, t) >= l)
			return t;
		off = tz_offset_at(tz, t);
		aim = l - off;
		if (tz_offset_at(tz, aim) == off)
			return aim;
		lo = t;
		hi = aim;
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (tz_offset_at(tz, mid) == off)
				lo = mid;
			else
				hi = mid;
		}
		t = hi;
	}
	return t;
}

int64_t
window_next_rollover(const struct tz *tz, int64_t now)
{
	int32_t	today, sec;

	tz_local(tz, now, &today, &sec);
	return window_reach(tz, now + 1, ((int64_t)today + 1) * WINDOW_DAY);
}

/* "2026-12-01", or "01/12/2026" in French: the catalogue's date format. */
char *
window_format_date(int32_t d, const char *lang, char *buf, size_t len)
{
	int		y;
	unsigned	m, md;

	metric_civil_from_days(d, &y, &m, &md);
	/* TRANSLATORS: a date from year, month, day; reorder with %3$02u. */
	snprintf(buf, len, trc(lang, "date", "%04d-%02u-%02u"), y, m, md);
	return buf;
}

char *
window_format_range(const struct window_range *r, const char *lang, char *buf,
    size_t len)
{
	char	a[24], b[24];

	if (window_is_open(r)) {
		snprintf(buf, len, "%s", tr(lang, "all data"));
		return buf;
	}
	window_format_date(r->from, lang, a, sizeof a);
	if (r->from == r->to) {
		/* TRANSLATORS: a window of a single day. */
		snprintf(buf, len, trc(lang, "window", "%s"), a);
		return buf;
	}
	window_format_date(r->to, lang, b, sizeof b);
	/* TRANSLATORS: a window's first and last days. */
	snprintf(buf, len, trc(lang, "window", "%s to %s"), a, b);
	return buf;
}

int
window_parse_clock(const char *s, int32_t *sec_of_day, char **cause)
{
	char	esc[64];
	int	h, m;

	if (s == NULL)
		s = "";
	if (strlen(s) == 5 && s[2] == ':' &&
	    s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' &&
	    s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9') {
		h = (s[0] - '0') * 10 + (s[1] - '0');
		m = (s[3] - '0') * 10 + (s[4] - '0');
		if (h <= 23) {
			*sec_of_day = h * 3600 + m * 60;
			return 0;
		}
	}
	log_escape(s, strlen(s), esc, sizeof esc);
	xasprintf(cause, "time of day \"%s\" is not HH:MM from 00:00 to 23:59",
	    esc);
	return -1;
}

int
window_in_span(const struct tz *tz, int64_t now, int32_t start, int32_t end,
    int64_t *ends_at)
{
	int32_t	day, sec;
	int64_t	l;

	*ends_at = 0;
	tz_local(tz, now, &day, &sec);
	if (start < end) {
		if (sec < start || sec >= end)
			return 0;
		l = (int64_t)day * WINDOW_DAY + end;
	} else if (sec >= start)
		l = ((int64_t)day + 1) * WINDOW_DAY + end;
	else if (sec < end)
		l = (int64_t)day * WINDOW_DAY + end;
	else
		return 0;
	*ends_at = window_reach(tz, now, l);
	return 1;
}
