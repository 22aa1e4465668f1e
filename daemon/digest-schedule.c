/*
 * When digests are due (see digest-schedule.h), and the periods a reader
 * names. Pure: the zone and the instant come from the caller.
 *
 * A schedule is first a set of local days, its sending days; a sending on
 * day D is due at tz_local_to_utc(D, at) and reports [the sending day
 * before D, D - 1]. Working on days first and turning a day into an
 * instant only at the end keeps every period due exactly once: a day has
 * one due instant whatever the offset does that day (a skipped 02:30 is
 * read as tz_local_to_utc() reads it, a repeated one at its first
 * occurrence), and due instants grow with the day.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "digest-schedule.h"
#include "log.h"
#include "metric.h"
#include "tz.h"
#include "xmalloc.h"

#define DIGEST_DAY	86400
#define DIGEST_FORMS	"YYYY-MM (a month), YYYY-Www (an ISO week), " \
			"YYYY-MM-DD (a day), YYYY-MM-DD..YYYY-MM-DD (at most " \
			"400 days), yesterday, last-week, last-month, " \
			"last-7-days, last-30-days, month-to-date"

/* 0 Sunday .. 6 Saturday; 1970-01-01 was a Thursday. */
static int
digest_weekday(int32_t day)
{
	return (int)((((int64_t)day + 4) % 7 + 7) % 7);
}

static int
digest_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
digest_month_days(int y, unsigned m)
{
	static const unsigned mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return mdays[m - 1] + (m == 2 && digest_is_leap(y));
}

/* The fields of a schedule brought into range, so that a damaged one still
 * names days rather than looping or reading past a table. */
static void
digest_sane(const struct digest_schedule *in, struct digest_schedule *s)
{
	*s = *in;
	if (s->weekday < 0 || s->weekday > 6)
		s->weekday = ((s->weekday % 7) + 7) % 7;
	if (s->monthday < 1)
		s->monthday = 1;
	if (s->monthday > DIGEST_LAST_DAY)
		s->monthday = DIGEST_LAST_DAY;
	if (s->at < 0)
		s->at = 0;
	if (s->at >= DIGEST_DAY)
		s->at = DIGEST_DAY - 1;
}

/* The sending day of month m of year y: the monthday, or the month's last
 * day when it lacks it (or for "last"). */
static int32_t
digest_month_sending(const struct digest_schedule *s, int y, unsigned m)
{
	unsigned	dim = digest_month_days(y, m), d;

	d = (unsigned)s->monthday;
	if (d > dim)
		d = dim;
	return metric_days_from_civil(y, m, d);
}

/* The month before / after (y, m). */
static void
digest_month_add(int *y, unsigned *m, int n)
{
	int	mm = (int)*m - 1 + n;

	*y += mm >= 0 ? mm / 12 : (mm - 11) / 12;
	*m = (unsigned)(((mm % 12) + 12) % 12) + 1;
}

/* The latest sending day on or before `day`. */
static int32_t
digest_on_or_before(const struct digest_schedule *s, int32_t day)
{
	int32_t		sd;
	int		y;
	unsigned	m, d;

	switch (s->every) {
	case DIGEST_WEEKLY:
		return day - (digest_weekday(day) - s->weekday + 7) % 7;
	case DIGEST_MONTHLY:
		metric_civil_from_days(day, &y, &m, &d);
		if ((sd = digest_month_sending(s, y, m)) <= day)
			return sd;
		digest_month_add(&y, &m, -1);
		return digest_month_sending(s, y, m);
	default:
		return day;
	}
}

/* The sending day before sending day `day`. */
static int32_t
digest_prev(const struct digest_schedule *s, int32_t day)
{
	return digest_on_or_before(s, day - 1);
}

/* The sending day after sending day `day`. */
static int32_t
digest_next(const struct digest_schedule *s, int32_t day)
{
	int		y;
	unsigned	m, d;

	switch (s->every) {
	case DIGEST_WEEKLY:
		return day + 7;
	case DIGEST_MONTHLY:
		metric_civil_from_days(day, &y, &m, &d);
		digest_month_add(&y, &m, 1);
		return digest_month_sending(s, y, m);
	default:
		return day + 1;
	}
}

static int64_t
digest_due(const struct digest_schedule *s, const struct tz *tz, int32_t day)
{
	return tz_local_to_utc(tz, day, s->at);
}

/*
 * The sending on `day` (the last of any sharing its due instant) and its
 * period: from the sending before it with an earlier due instant. Two
 * sending days share an instant only when a day is skipped altogether
 * (Pacific/Apia, 2011-12-30: its 08:00 is read as 08:00 on the 31st); the
 * two then make one sending whose period holds both days, so that no day
 * goes unreported. The walks are bounded: due instants grow with the day
 * in every real zone, and a damaged one must not hang the caller.
 */
static void
digest_fill(const struct digest_schedule *s, const struct tz *tz,
    int32_t day, struct digest_period *p)
{
	int32_t	from;
	int	i;

	p->due = digest_due(s, tz, day);
	for (i = 0; i < 4 && digest_due(s, tz, digest_next(s, day)) <= p->due;
	    i++)
		day = digest_next(s, day);
	from = digest_prev(s, day);
	for (i = 0; i < 4 && digest_due(s, tz, from) >= p->due; i++)
		from = digest_prev(s, from);
	p->from = from;
	p->to = day - 1;
}

/*
 * The searches start two days away from now's local day and walk sending
 * days: a sending time inside a gap can land on the next day's calendar
 * (23:30 skipped to 00:30), and an instant in a repeated hour after
 * midnight reads as the day before, so the sending day of an instant is
 * not always its local day.
 */
void
digest_schedule_last(const struct digest_schedule *sched, const struct tz *tz,
    int64_t now, struct digest_period *p)
{
	struct digest_schedule	s;
	int32_t			today, sec, day;

	digest_sane(sched, &s);
	tz_local(tz, now, &today, &sec);
	day = digest_on_or_before(&s, today + 2);
	while (digest_due(&s, tz, day) > now)
		day = digest_prev(&s, day);
	digest_fill(&s, tz, day, p);
}

void
digest_schedule_next(const struct digest_schedule *sched, const struct tz *tz,
    int64_t now, struct digest_period *p)
{
	struct digest_schedule	s;
	int32_t			today, sec, day;

	digest_sane(sched, &s);
	tz_local(tz, now, &today, &sec);
	day = digest_on_or_before(&s, today - 2);
	while (digest_due(&s, tz, day) <= now)
		day = digest_next(&s, day);
	digest_fill(&s, tz, day, p);
}

int
digest_schedule_decide(const struct digest_schedule *sched,
    const struct tz *tz, int64_t now, int64_t armed_at, int32_t sent_from,
    struct digest_period *p, int *late)
{
	struct digest_period	last;

	*late = 0;
	digest_schedule_last(sched, tz, now, &last);
	/*
	 * Only the latest period is ever considered: after downtime the
	 * earlier missed ones are stale news, and sending them all at once
	 * would bury the one that matters.
	 */
	if (last.due >= armed_at && last.from > sent_from) {
		*p = last;
		*late = now - last.due > DIGEST_LATE_SECS;
		return 1;
	}
	digest_schedule_next(sched, tz, now, p);
	return 0;
}

/* Exactly n digits at s as a number; -1 when any is not a digit. */
static int
digest_digits(const char *s, size_t n)
{
	int	v = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The Monday of ISO week 1 of year y: the week holding 4 January. */
static int32_t
digest_iso_week1(int y)
{
	int32_t	jan4 = metric_days_from_civil(y, 1, 4);

	return jan4 - (digest_weekday(jan4) + 6) % 7;
}

/* The first and last day of the month holding `day`. */
static void
digest_month_of(int32_t day, int32_t *from, int32_t *to)
{
	int		y;
	unsigned	m, d;

	metric_civil_from_days(day, &y, &m, &d);
	*from = metric_days_from_civil(y, m, 1);
	*to = metric_days_from_civil(y, m, digest_month_days(y, m));
}

int
digest_period_parse(const char *s, const struct tz *tz, int64_t now,
    int32_t *from, int32_t *to, char **cause)
{
	char		 esc[64], a[11], b[11];
	const char	*dots;
	int32_t		 today, sec, f, t, monday;
	int		 y, m, w, weeks;
	size_t		 len;

	if (s == NULL)
		s = "";
	len = strlen(s);
	tz_local(tz, now, &today, &sec);
	log_escape(s, len, esc, sizeof esc);

	if (strcmp(s, "yesterday") == 0) {
		*from = *to = today - 1;
		return 0;
	}
	if (strcmp(s, "last-week") == 0) {
		monday = today - (digest_weekday(today) + 6) % 7;
		*from = monday - 7;
		*to = monday - 1;
		return 0;
	}
	if (strcmp(s, "last-month") == 0) {
		digest_month_of(today, &f, &t);
		digest_month_of(f - 1, from, to);
		return 0;
	}
	if (strcmp(s, "last-7-days") == 0 || strcmp(s, "last-30-days") == 0) {
		*from = today - (s[5] == '7' ? 7 : 30);
		*to = today - 1;
		return 0;
	}
	if (strcmp(s, "month-to-date") == 0) {
		digest_month_of(today, from, &t);
		*to = today;
		return 0;
	}

	/* "2026-11" */
	if (len == 7 && s[4] == '-' && (y = digest_digits(s, 4)) >= 1 &&
	    (m = digest_digits(s + 5, 2)) >= 1 && m <= 12) {
		*from = metric_days_from_civil(y, (unsigned)m, 1);
		*to = metric_days_from_civil(y, (unsigned)m,
		    digest_month_days(y, (unsigned)m));
		return 0;
	}
	/* "2026-W47" */
	if (len == 8 && s[4] == '-' && s[5] == 'W' &&
	    (y = digest_digits(s, 4)) >= 1 && y < 9999 &&
	    (w = digest_digits(s + 6, 2)) >= 1) {
		weeks = (digest_iso_week1(y + 1) - digest_iso_week1(y)) / 7;
		if (w > weeks) {
			xasprintf(cause, "period \"%s\": %04d has %d ISO weeks",
			    esc, y, weeks);
			return -1;
		}
		*from = digest_iso_week1(y) + 7 * (w - 1);
		*to = *from + 6;
		return 0;
	}
	/* "2026-11-30" */
	if (metric_parse_iso_date(s, len, &f) == 0) {
		*from = *to = f;
		return 0;
	}
	/* "2026-11-01..2026-11-30" */
	if ((dots = strstr(s, "..")) != NULL &&
	    metric_parse_iso_date(s, (size_t)(dots - s), &f) == 0 &&
	    metric_parse_iso_date(dots + 2, strlen(dots + 2), &t) == 0) {
		metric_format_date(f, a);
		metric_format_date(t, b);
		if (f > t) {
			xasprintf(cause, "period \"%s\": %s is after %s", esc,
			    a, b);
			return -1;
		}
		if ((int64_t)t - f + 1 > DIGEST_PERIOD_DAYS_MAX) {
			xasprintf(cause, "period \"%s\": %lld days, more than "
			    "the %d a period may hold", esc,
			    (long long)t - f + 1, DIGEST_PERIOD_DAYS_MAX);
			return -1;
		}
		*from = f;
		*to = t;
		return 0;
	}
	xasprintf(cause, "period \"%s\" is not one of: %s", esc, DIGEST_FORMS);
	return -1;
}

char *
digest_period_name(int32_t from, int32_t to, char *buf, size_t len)
{
	char		 a[11], b[11];
	int32_t		 mf, mt, thursday;
	int		 y;
	unsigned	 m, d;

	digest_month_of(from, &mf, &mt);
	if (from == mf && to == mt) {
		metric_civil_from_days(from, &y, &m, &d);
		snprintf(buf, len, "%04d-%02u", y, m);
		return buf;
	}
	if (digest_weekday(from) == 1 && (int64_t)to == (int64_t)from + 6) {
		/* The ISO year is the year of the week's Thursday. */
		thursday = from + 3;
		metric_civil_from_days(thursday, &y, &m, &d);
		snprintf(buf, len, "%04d-W%02d", y,
		    (int)((from - digest_iso_week1(y)) / 7 + 1));
		return buf;
	}
	metric_format_date(from, a);
	if (from == to) {
		snprintf(buf, len, "%s", a);
		return buf;
	}
	metric_format_date(to, b);
	snprintf(buf, len, "%s..%s", a, b);
	return buf;
}
