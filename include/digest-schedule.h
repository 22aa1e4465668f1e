/*
 * When digests are due (digest-schedule.c), pure: the time zone and the
 * instant are passed in.
 *
 * A schedule sends at a local wall-clock time on its days: every day
 * (daily), on one weekday (weekly) or on one day of the month (monthly; a
 * day the month lacks -- the 31st in a 30-day month -- is its last day,
 * and "last" always the last). Each sending reports the period that ends
 * the day before it and starts on the day of the sending before it:
 * daily the day before, weekly the 7 days before, monthly from the same
 * day of the month before. A sending at a wall-clock time that does not
 * exist on a day of a spring-forward change is made as tz_local_to_utc()
 * reads it (02:30 -> 03:30 in Paris); one that occurs twice, at the first
 * of the two. A day skipped altogether (Pacific/Apia, 2011-12-30) has no
 * sending of its own: its period joins the next sending's. So each period
 * is due exactly once, whatever the offset.
 */
#ifndef ROIWATCH_DIGEST_SCHEDULE_H
#define ROIWATCH_DIGEST_SCHEDULE_H
#include <stddef.h>
#include <stdint.h>

struct tz;

enum digest_every {
	DIGEST_DAILY,
	DIGEST_WEEKLY,
	DIGEST_MONTHLY,
	DIGEST_EVERY_MAX
};

#define DIGEST_LAST_DAY		32	/* monthly: the last day of the month */

struct digest_schedule {
	enum digest_every every;
	int		 weekday;	/* weekly: 0 Sunday .. 6 Saturday */
	int		 monthday;	/* monthly: 1..31 or DIGEST_LAST_DAY */
	int32_t		 at;		/* local seconds after midnight */
};

/* One sending: the period it reports (local days, inclusive) and when it
 * is due (unix seconds). */
struct digest_period {
	int32_t		 from, to;
	int64_t		 due;
};

/* The latest sending due at or before `now`. */
void	digest_schedule_last(const struct digest_schedule *, const struct tz *,
	    int64_t now, struct digest_period *);
/* The first sending due after `now`. */
void	digest_schedule_next(const struct digest_schedule *, const struct tz *,
	    int64_t now, struct digest_period *);

/*
 * What to do at `now` for one schedule, given the database's record:
 * armed_at, when the schedule was first seen (a sending due before it is
 * never made: a new schedule does not send at once for a past period),
 * and sent_from, the `from` of the last period sent (INT32_MIN: none).
 * Returns 1 with *p the period to send now (the latest due; *late set when
 * it is due more than DIGEST_LATE_SECS before now: after downtime only the
 * latest missed period goes, once, marked late), or 0 with *p the next
 * sending (nothing to do before p->due).
 */
#define DIGEST_LATE_SECS	900
int	digest_schedule_decide(const struct digest_schedule *, const struct tz *,
	    int64_t now, int64_t armed_at, int32_t sent_from,
	    struct digest_period *p, int *late);

/*
 * The period a reader asks for (`roiwatch digest --period`,
 * ?period= of the report page), on the client's calendar at `now`:
 *   "2026-11"                a calendar month
 *   "2026-W47"               an ISO week (Monday to Sunday)
 *   "2026-11-30"             one day
 *   "2026-11-01..2026-11-30" days from .. to (at most 400 days)
 *   "yesterday", "last-week" (the last full ISO week), "last-month",
 *   "last-7-days", "last-30-days" (ending yesterday),
 *   "month-to-date"          (the month's first day to today)
 * Returns 0, or -1 with *cause naming the text and the accepted forms.
 */
#define DIGEST_PERIOD_DAYS_MAX	400
int	digest_period_parse(const char *, const struct tz *, int64_t now,
	    int32_t *from, int32_t *to, char **cause);
/* A period back as digest_period_parse() reads it: "2026-11" when it is
 * a calendar month, "2026-W47" an ISO week, "2026-11-30" one day, else
 * "from..to". Returns buf. */
char   *digest_period_name(int32_t from, int32_t to, char *buf, size_t len);

#endif
