/*
 * Calendar windows on the client's local calendar: "today", "7d", "mtd",
 * "last_month"... parsed from configuration, resolved to a range of local
 * days at a given instant, named, compared with the period before, and
 * written out in words; plus the instant windows roll over (the client's
 * next midnight) and quiet hours given as local wall-clock times. Pure: the
 * instant and the zone are passed in, nothing reads the clock.
 *
 * Local days count days since 1970-01-01 on the local calendar, as tz.h and
 * metric_days_from_civil do. A range is inclusive at both ends; the open
 * range (all data) is [INT32_MIN, INT32_MAX].
 */
#ifndef ROIWATCH_WINDOW_H
#define ROIWATCH_WINDOW_H
#include <stddef.h>
#include <stdint.h>

struct tz;

/* A day in the language's date format ("2026-12-01", "01/12/2026"). */
char	*window_format_date(int32_t day, const char *lang, char *buf,
	    size_t len);

#define WINDOW_DAYS_MAX	3660	/* n of "Nd", "last_N_days", "data_Nd" */
#define WINDOW_NAME_MAX	24	/* bytes of window_name()'s longest text, with NUL */
#define WINDOW_RANGE_TEXT_MAX	64	/* enough for window_format_range() */

enum window_kind {
	WINDOW_LIFETIME,	/* all data */
	WINDOW_TODAY,
	WINDOW_YESTERDAY,
	WINDOW_DAYS,		/* n calendar days ending today (today included) */
	WINDOW_LAST_DAYS,	/* n calendar days ending yesterday: complete days */
	WINDOW_WTD,		/* week to date, weeks start on Monday (ISO) */
	WINDOW_MTD,		/* month to date */
	WINDOW_LAST_MONTH,	/* the previous calendar month, whole */
	WINDOW_DATA_DAYS,	/* legacy: the last n days OF DATA (needs the store's last
				   day: window_resolve_data()) */
	WINDOW_KIND_MAX
};
struct window_spec { enum window_kind kind; int32_t n; };	/* n: DAYS, LAST_DAYS, DATA_DAYS */
struct window_range { int32_t from, to; };	/* local days, inclusive; lifetime: INT32_MIN, INT32_MAX */

/*
 * "lifetime", "today", "yesterday", "7d" (WINDOW_DAYS, 1..3660),
 * "last_7_days" (WINDOW_LAST_DAYS), "wtd" / "week_to_date", "mtd" /
 * "month_to_date", "last_month", and "data_7d" (WINDOW_DATA_DAYS, what
 * window_name() writes for it). Lower case, no blanks, numbers without
 * leading zeros. Anything else: -1 with *cause naming the text and listing
 * the accepted forms. Pure.
 */
int	window_parse(const char *s, struct window_spec *, char **cause);
/*
 * Canonical text that window_parse() reads back ("7d", "last_7_days", "mtd",
 * "data_7d" for DATA_DAYS) into buf (WINDOW_NAME_MAX bytes are always
 * enough); returns buf. An unknown kind writes "?".
 */
char   *window_name(const struct window_spec *, char *buf, size_t len);
/*
 * The days of the window at instant now in zone tz. DATA_DAYS and LIFETIME
 * give the open range. An n outside 1..WINDOW_DAYS_MAX counts as the nearest
 * bound.
 */
void	window_resolve(const struct window_spec *, const struct tz *, int64_t now,
	    struct window_range *);
/*
 * DATA_DAYS: [last_day - n + 1, last_day]; open range when last_day ==
 * INT32_MIN (no data). Any other kind gives the open range: calendar windows
 * are resolved with window_resolve().
 */
void	window_resolve_data(const struct window_spec *, int32_t last_day,
	    struct window_range *);
/*
 * The previous period of the same length, ending the day before cur->from:
 * "7d" on 1 Dec (25 Nov..1 Dec) gives 18..24 Nov. For to-date windows this
 * is the same number of days immediately before, not the same part of the
 * previous calendar period: "mtd" on 14 Dec (1..14 Dec) gives 17..30 Nov,
 * "last_month" in December (1..30 Nov) gives 2..31 Oct. Comparing equal
 * numbers of days keeps totals comparable. -1 for an open range (or one that
 * would leave the int32_t days).
 */
int	window_previous(const struct window_range *cur, struct window_range *prev);
int32_t	window_ndays(const struct window_range *);	/* 0 for an open range */
/*
 * First instant after now at which the local day changes (when windows roll
 * over): the start of tomorrow, 23 or 25 hours after today's on DST days;
 * the start of the day after when tomorrow is skipped altogether; and, when
 * clocks fall back across midnight, the second time local time reaches
 * midnight if now is in the repeated hour.
 */
int64_t	window_next_rollover(const struct tz *, int64_t now);
/*
 * The range in words with its local dates into buf (WINDOW_RANGE_TEXT_MAX
 * bytes are enough): en "2026-11-25 to 2026-12-01", fr "du 25/11/2026 au
 * 01/12/2026"; one day: "2026-12-01" / "le 01/12/2026"; open: "all data" /
 * "toutes les données". lang "fr" (or "fr_FR", "fr-CA"...) is French,
 * anything else English. Returns buf.
 */
char   *window_format_range(const struct window_range *, const char *lang, char *buf,
	    size_t len);
/* A local wall-clock time "HH:MM" (00:00..23:59) as seconds since local midnight; -1 with *cause. */
int	window_parse_clock(const char *s, int32_t *sec_of_day, char **cause);
/*
 * Quiet hours: whether instant now falls within [start, end) local
 * wall-clock seconds (a span that wraps midnight when end <= start, e.g.
 * 22:00-07:00; start == end is a whole day that ends at `end`), and the
 * instant it ends (0 when not inside): the first instant after now at which
 * local time reaches `end`, so a span ends an hour earlier or later by the
 * clock when the night has a DST change, and an `end` inside a skipped hour
 * ends the span when the clocks jump past it.
 */
int	window_in_span(const struct tz *, int64_t now, int32_t start, int32_t end,
	    int64_t *ends_at);

#endif
