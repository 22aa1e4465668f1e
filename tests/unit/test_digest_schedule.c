/*
 * Unit tests of digest schedules, with the clock passed in: a daily
 * sending at 08:00 in Paris across both DST days of 2026, its due instants
 * in UTC, and a simulated daemon stepping the clock minute by minute and
 * hour by hour that must send every period exactly once; sendings at a
 * skipped and at a repeated 02:30; weekly and monthly edges (weekdays,
 * year end, the 31st in 30-day months and February, "last", the leap day
 * of 2028); decide() for a new schedule, an on-time sending, one already
 * sent and ten days of downtime; reader periods parsed, named, refused.
 * Zones come from the system's tzdata; a test whose zone file is absent is
 * skipped, as in test_tz.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "digest-schedule.h"
#include "metric.h"
#include "tz.h"
#include "tz-fixture.h"

#define H		3600
#define M		60

/* Unix time of a UTC civil time. */
static int64_t
utc(int y, unsigned m, unsigned d, int hh, int mm)
{
	return (int64_t)day_of(y, m, d) * 86400 + hh * H + mm * M;
}

static struct digest_schedule
daily(int hh, int mm)
{
	struct digest_schedule	s = { DIGEST_DAILY, 0, 0, hh * H + mm * M };

	return s;
}

static struct digest_schedule
weekly(int weekday, int hh, int mm)
{
	struct digest_schedule	s = { DIGEST_WEEKLY, weekday, 0, hh * H + mm * M };

	return s;
}

static struct digest_schedule
monthly(int monthday, int hh, int mm)
{
	struct digest_schedule	s = { DIGEST_MONTHLY, 0, monthday,
	    hh * H + mm * M };

	return s;
}

/* *p is [from, to] due at `due`. */
static void
check_period(const char *what, const struct digest_period *p, int32_t from,
    int32_t to, int64_t due)
{
	char	a[11], b[11], c[11], d[11];

	if (p->from == from && p->to == to && p->due == due)
		return;
	metric_format_date(p->from, a);
	metric_format_date(p->to, b);
	metric_format_date(from, c);
	metric_format_date(to, d);
	fail_msg("%s: %s..%s due %lld, want %s..%s due %lld", what, a, b,
	    (long long)p->due, c, d, (long long)due);
}

/* The latest sending at `now` and the next one. */
static void
check_around(const struct digest_schedule *s, const struct tz *tz,
    int64_t now, int32_t lfrom, int32_t lto, int64_t ldue, int32_t nfrom,
    int32_t nto, int64_t ndue)
{
	struct digest_period	p;

	digest_schedule_last(s, tz, now, &p);
	check_period("last", &p, lfrom, lto, ldue);
	digest_schedule_next(s, tz, now, &p);
	check_period("next", &p, nfrom, nto, ndue);
}

/* ---- Daily at 08:00 in Paris across the DST days ---- */

static void
test_daily_dst_instants(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct digest_schedule	 s = daily(8, 0);

	(void)state;
	/* Winter time (+01): 08:00 is 07:00Z; summer (+02): 06:00Z. */
	check_around(&s, tz, utc(2026, 3, 28, 12, 0),
	    day_of(2026, 3, 27), day_of(2026, 3, 27), utc(2026, 3, 28, 7, 0),
	    day_of(2026, 3, 28), day_of(2026, 3, 28), utc(2026, 3, 29, 6, 0));
	/* The 23-hour day: due at 06:00Z, one second before and at. */
	check_around(&s, tz, utc(2026, 3, 29, 5, 59) + 59,
	    day_of(2026, 3, 27), day_of(2026, 3, 27), utc(2026, 3, 28, 7, 0),
	    day_of(2026, 3, 28), day_of(2026, 3, 28), utc(2026, 3, 29, 6, 0));
	check_around(&s, tz, utc(2026, 3, 29, 6, 0),
	    day_of(2026, 3, 28), day_of(2026, 3, 28), utc(2026, 3, 29, 6, 0),
	    day_of(2026, 3, 29), day_of(2026, 3, 29), utc(2026, 3, 30, 6, 0));
	/* At 07:00Z on the 29th (09:00 CEST) nothing more is due. */
	check_around(&s, tz, utc(2026, 3, 29, 7, 0),
	    day_of(2026, 3, 28), day_of(2026, 3, 28), utc(2026, 3, 29, 6, 0),
	    day_of(2026, 3, 29), day_of(2026, 3, 29), utc(2026, 3, 30, 6, 0));
	/* The 25-hour day: 06:00Z the day before, 07:00Z on the 25th. */
	check_around(&s, tz, utc(2026, 10, 25, 6, 30),
	    day_of(2026, 10, 23), day_of(2026, 10, 23), utc(2026, 10, 24, 6, 0),
	    day_of(2026, 10, 24), day_of(2026, 10, 24), utc(2026, 10, 25, 7, 0));
	check_around(&s, tz, utc(2026, 10, 25, 7, 0),
	    day_of(2026, 10, 24), day_of(2026, 10, 24), utc(2026, 10, 25, 7, 0),
	    day_of(2026, 10, 25), day_of(2026, 10, 25), utc(2026, 10, 26, 7, 0));
	tz_free(tz);
}

/*
 * A daemon's loop in miniature: from `start` to `end` by `step`, decide(),
 * and on a sending record it as sent. Each sending must report the days
 * from the one after the period before, be due where its local time is
 * `at` on the day after its period (or, for a skipped time, as
 * tz_local_to_utc() reads it), be made on the first step at or after it,
 * and have been announced by decide()'s next. Days first..last must be
 * reported, each once, in nsend sendings (one a day but where a day is
 * skipped altogether).
 */
static void
simulate_n(const struct tz *tz, const struct digest_schedule *s,
    int64_t start, int64_t end, int64_t step, int32_t first, int32_t last,
    int check_late, int nsend)
{
	struct digest_period	p;
	int64_t			now, announced = -1;
	int32_t			sent_from = INT32_MIN, want = first, day, sec;
	int			late, n = 0;

	for (now = start; now < end; now += step) {
		if (digest_schedule_decide(s, tz, now, start, sent_from, &p,
		    &late) == 0) {
			if (p.due <= now)
				fail_msg("at %lld: next due %lld is not after now",
				    (long long)now, (long long)p.due);
			if (announced != -1 && announced != p.due)
				fail_msg("at %lld: next due %lld, announced %lld",
				    (long long)now, (long long)p.due,
				    (long long)announced);
			announced = p.due;
			continue;
		}
		if (p.from != want || p.to < p.from)
			fail_msg("at %lld: sent %d..%d, want from %d",
			    (long long)now, p.from, p.to, want);
		check_period("sent", &p, want, p.to, tz_local_to_utc(tz,
		    p.to + 1, s->at));
		if (announced != -1 && p.due != announced)
			fail_msg("sent at %lld, announced %lld",
			    (long long)p.due, (long long)announced);
		if (p.due > now || now - p.due >= step)
			fail_msg("period due %lld sent at %lld",
			    (long long)p.due, (long long)now);
		if (check_late && late)
			fail_msg("on-time sending at %lld marked late",
			    (long long)now);
		tz_local(tz, p.due, &day, &sec);
		/* Its own day, or the next for a time skipped at midnight. */
		if (day != p.to + 1 && day != p.to + 2)
			fail_msg("due %lld is not on the sending day",
			    (long long)p.due);
		sent_from = p.from;
		announced = -1;
		want = p.to + 1;
		n++;
	}
	if (want != last + 1 || n != nsend) {
		char	a[11], b[11];

		metric_format_date(want, a);
		metric_format_date(last + 1, b);
		fail_msg("%d sendings up to %s, want %d up to %s", n, a,
		    nsend, b);
	}
}

/* One sending a day. */
static void
simulate(const struct tz *tz, const struct digest_schedule *s, int64_t start,
    int64_t end, int64_t step, int32_t first, int32_t last, int check_late)
{
	simulate_n(tz, s, start, end, step, first, last, check_late,
	    last - first + 1);
}

static void
test_daily_dst_stepping(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct digest_schedule	 s = daily(8, 0);
	int64_t			 steps[] = { M, H, 7 * M };
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		/* Sendings on 03-27 .. 04-01: periods 03-26 .. 03-31. */
		simulate(tz, &s, utc(2026, 3, 26, 12, 0),
		    utc(2026, 4, 1, 12, 0), steps[i], day_of(2026, 3, 26),
		    day_of(2026, 3, 31), steps[i] <= DIGEST_LATE_SECS);
		simulate(tz, &s, utc(2026, 10, 22, 12, 0),
		    utc(2026, 10, 28, 12, 0), steps[i], day_of(2026, 10, 22),
		    day_of(2026, 10, 27), steps[i] <= DIGEST_LATE_SECS);
	}
	tz_free(tz);
}

/* 02:30 on 2026-03-29 does not exist in Paris (02:00 -> 03:00) and occurs
 * twice on 2026-10-25 (03:00 -> 02:00): each day's sending is due once. */
static void
test_skipped_and_repeated_time(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct digest_schedule	 s = daily(2, 30);
	int32_t			 day, sec;

	(void)state;
	/* Skipped: read as 03:30 CEST, 01:30Z. */
	check_around(&s, tz, utc(2026, 3, 29, 1, 29),
	    day_of(2026, 3, 27), day_of(2026, 3, 27), utc(2026, 3, 28, 1, 30),
	    day_of(2026, 3, 28), day_of(2026, 3, 28), utc(2026, 3, 29, 1, 30));
	tz_local(tz, utc(2026, 3, 29, 1, 30), &day, &sec);
	assert_int_equal(day, day_of(2026, 3, 29));
	assert_int_equal(sec, 3 * H + 30 * M);
	check_around(&s, tz, utc(2026, 3, 29, 1, 30),
	    day_of(2026, 3, 28), day_of(2026, 3, 28), utc(2026, 3, 29, 1, 30),
	    day_of(2026, 3, 29), day_of(2026, 3, 29), utc(2026, 3, 30, 0, 30));
	/* Repeated: the first 02:30 (CEST, 00:30Z); the second (CET, 01:30Z)
	 * is not a sending. */
	check_around(&s, tz, utc(2026, 10, 25, 0, 30),
	    day_of(2026, 10, 24), day_of(2026, 10, 24), utc(2026, 10, 25, 0, 30),
	    day_of(2026, 10, 25), day_of(2026, 10, 25), utc(2026, 10, 26, 1, 30));
	check_around(&s, tz, utc(2026, 10, 25, 1, 30),
	    day_of(2026, 10, 24), day_of(2026, 10, 24), utc(2026, 10, 25, 0, 30),
	    day_of(2026, 10, 25), day_of(2026, 10, 25), utc(2026, 10, 26, 1, 30));
	/* And a simulated daemon sends each day once, minute by minute. */
	simulate(tz, &s, utc(2026, 3, 27, 12, 0), utc(2026, 3, 31, 12, 0), M,
	    day_of(2026, 3, 27), day_of(2026, 3, 30), 1);
	simulate(tz, &s, utc(2026, 10, 23, 12, 0), utc(2026, 10, 27, 12, 0), M,
	    day_of(2026, 10, 23), day_of(2026, 10, 26), 1);
	simulate(tz, &s, utc(2026, 10, 23, 12, 0), utc(2026, 10, 27, 12, 0), H,
	    day_of(2026, 10, 23), day_of(2026, 10, 26), 0);
	tz_free(tz);
}

/* New York: 01:30 on the day clocks fall back (it occurs twice) and 02:30
 * on the day they spring forward (skipped); Santiago, whose clocks change
 * at midnight: 00:30 skipped in September, 23:30 repeated in April. Every
 * minute of the week around each change. */
static void
test_other_zones(void **state)
{
	struct tz		*tz = load("America/New_York");
	struct digest_schedule	 s = daily(1, 30);

	(void)state;
	simulate(tz, &s, utc(2026, 10, 29, 12, 0), utc(2026, 11, 4, 12, 0), M,
	    day_of(2026, 10, 29), day_of(2026, 11, 3), 1);
	simulate(tz, &s, utc(2026, 3, 5, 12, 0), utc(2026, 3, 11, 12, 0), M,
	    day_of(2026, 3, 5), day_of(2026, 3, 10), 1);
	s = daily(2, 30);	/* skipped on 2026-03-08 */
	simulate(tz, &s, utc(2026, 3, 5, 12, 0), utc(2026, 3, 11, 12, 0), M,
	    day_of(2026, 3, 5), day_of(2026, 3, 10), 1);
	tz_free(tz);

	tz = load("America/Santiago");
	s = daily(0, 30);
	simulate(tz, &s, utc(2026, 4, 1, 12, 0), utc(2026, 4, 8, 12, 0), M,
	    day_of(2026, 4, 1), day_of(2026, 4, 7), 1);
	simulate(tz, &s, utc(2026, 9, 3, 12, 0), utc(2026, 9, 9, 12, 0), M,
	    day_of(2026, 9, 3), day_of(2026, 9, 8), 1);
	s = daily(23, 30);
	simulate(tz, &s, utc(2026, 4, 1, 12, 0), utc(2026, 4, 8, 12, 0), M,
	    day_of(2026, 3, 31), day_of(2026, 4, 6), 1);
	simulate(tz, &s, utc(2026, 9, 3, 12, 0), utc(2026, 9, 9, 12, 0), M,
	    day_of(2026, 9, 2), day_of(2026, 9, 7), 1);
	tz_free(tz);
}

/*
 * Zones whose changes cross midnight, from a POSIX rule alone (a TZif file
 * with no transitions, as tz_from_tzif() reads them): clocks spring from
 * 23:00 to 00:00, so 23:30 lands on the next day's calendar; and fall back
 * from 00:30 to 23:30 the day before, so an instant after the sending at
 * 00:10 reads as the day before it.
 */
static struct tz *
footer_zone(const char *footer)
{
	uint8_t		 buf[256];
	size_t		 n = 0;
	struct tz	*tz;
	char		*cause = NULL;
	int		 part;

	for (part = 0; part < 2; part++) {
		/* Header: magic, version 2, counts (one type, 4 bytes of
		 * abbreviation), then the type (offset 0) and "UTC". */
		memset(buf + n, 0, 44);
		memcpy(buf + n, "TZif2", 5);
		buf[n + 39] = 1;
		buf[n + 43] = 4;
		n += 44;
		memset(buf + n, 0, 6);
		n += 6;
		memcpy(buf + n, "UTC", 4);
		n += 4;
	}
	n += (size_t)snprintf((char *)buf + n, sizeof buf - n, "\n%s\n",
	    footer);
	if ((tz = tz_from_tzif("Test/Zone", buf, n, &cause)) == NULL)
		fail_msg("zone %s refused: %s", footer, cause);
	return tz;
}

static void check_invariants(const struct tz *, const struct digest_schedule *,
	    int64_t, int64_t, int64_t);

static void
test_midnight_changes(void **state)
{
	struct tz		*tz;
	struct digest_schedule	 s = daily(23, 30);
	int32_t			 day, sec;

	(void)state;
	/* Spring forward at 23:00 (-05) on 2026-03-08 to 00:00 (-04). */
	tz = footer_zone("XST5XDT,M3.2.0/23,M11.1.0/0:30");
	tz_local(tz, utc(2026, 3, 9, 4, 0), &day, &sec);
	assert_int_equal(day, day_of(2026, 3, 9));
	assert_int_equal(sec, 0);
	check_around(&s, tz, utc(2026, 3, 9, 4, 10),
	    day_of(2026, 3, 6), day_of(2026, 3, 6), utc(2026, 3, 8, 4, 30),
	    day_of(2026, 3, 7), day_of(2026, 3, 7), utc(2026, 3, 9, 4, 30));
	simulate(tz, &s, utc(2026, 3, 5, 12, 0), utc(2026, 3, 12, 12, 0), M,
	    day_of(2026, 3, 4), day_of(2026, 3, 10), 1);
	check_invariants(tz, &s, utc(2026, 3, 5, 0, 0), utc(2026, 3, 12, 0, 0),
	    M);
	/* Fall back at 00:30 (-04) on 2026-11-01 to 23:30 (-05) on 10-31. */
	tz_local(tz, utc(2026, 11, 1, 4, 45), &day, &sec);
	assert_int_equal(day, day_of(2026, 10, 31));
	s = daily(0, 10);
	check_around(&s, tz, utc(2026, 11, 1, 4, 45),
	    day_of(2026, 10, 31), day_of(2026, 10, 31), utc(2026, 11, 1, 4, 10),
	    day_of(2026, 11, 1), day_of(2026, 11, 1), utc(2026, 11, 2, 5, 10));
	simulate(tz, &s, utc(2026, 10, 29, 12, 0), utc(2026, 11, 4, 12, 0), M,
	    day_of(2026, 10, 29), day_of(2026, 11, 3), 1);
	check_invariants(tz, &s, utc(2026, 10, 29, 0, 0),
	    utc(2026, 11, 4, 0, 0), M);
	tz_free(tz);
}

/* Samoa skipped 2011-12-30 (24:00 on the 29th, -10, was 00:00 on the
 * 31st, +14): its 08:00 is read as the 31st's, and the two sendings make
 * one whose period holds both days. */
static void
test_skipped_day(void **state)
{
	struct tz		*tz = load("Pacific/Apia");
	struct digest_schedule	 s = daily(8, 0);

	(void)state;
	check_around(&s, tz, utc(2011, 12, 30, 17, 0),
	    day_of(2011, 12, 28), day_of(2011, 12, 28), utc(2011, 12, 29, 18, 0),
	    day_of(2011, 12, 29), day_of(2011, 12, 30), utc(2011, 12, 30, 18, 0));
	check_around(&s, tz, utc(2011, 12, 30, 18, 0),
	    day_of(2011, 12, 29), day_of(2011, 12, 30), utc(2011, 12, 30, 18, 0),
	    day_of(2011, 12, 31), day_of(2011, 12, 31), utc(2011, 12, 31, 18, 0));
	simulate_n(tz, &s, utc(2011, 12, 27, 12, 0), utc(2012, 1, 2, 12, 0), M,
	    day_of(2011, 12, 26), day_of(2012, 1, 1), 1, 6);
	check_invariants(tz, &s, utc(2011, 12, 27, 0, 0),
	    utc(2012, 1, 3, 0, 0), M);
	tz_free(tz);
}

/* ---- Weekly ---- */

static void
test_weekly(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct digest_schedule	 s = weekly(1, 8, 0);	/* Monday */
	int64_t			 due;

	(void)state;
	/* Wednesday 2026-12-30: the Monday before and the one after, across
	 * the year end. */
	check_around(&s, tz, utc(2026, 12, 30, 12, 0),
	    day_of(2026, 12, 21), day_of(2026, 12, 27), utc(2026, 12, 28, 7, 0),
	    day_of(2026, 12, 28), day_of(2027, 1, 3), utc(2027, 1, 4, 7, 0));
	/* On the Monday itself: a second before its time, then at it. */
	due = utc(2027, 1, 4, 7, 0);
	check_around(&s, tz, due - 1,
	    day_of(2026, 12, 21), day_of(2026, 12, 27), utc(2026, 12, 28, 7, 0),
	    day_of(2026, 12, 28), day_of(2027, 1, 3), due);
	check_around(&s, tz, due,
	    day_of(2026, 12, 28), day_of(2027, 1, 3), due,
	    day_of(2027, 1, 4), day_of(2027, 1, 10), utc(2027, 1, 11, 7, 0));
	/* Sunday (0) and Saturday (6), on a Sunday and a Saturday. */
	s = weekly(0, 8, 0);
	check_around(&s, tz, utc(2027, 1, 3, 7, 0),
	    day_of(2026, 12, 27), day_of(2027, 1, 2), utc(2027, 1, 3, 7, 0),
	    day_of(2027, 1, 3), day_of(2027, 1, 9), utc(2027, 1, 10, 7, 0));
	s = weekly(6, 8, 0);
	check_around(&s, tz, utc(2027, 1, 2, 6, 59),
	    day_of(2026, 12, 19), day_of(2026, 12, 25), utc(2026, 12, 26, 7, 0),
	    day_of(2026, 12, 26), day_of(2027, 1, 1), utc(2027, 1, 2, 7, 0));
	/* The Sunday clocks spring forward, at 02:30: 03:30 CEST. */
	s = weekly(0, 2, 30);
	check_around(&s, tz, utc(2026, 3, 29, 1, 30),
	    day_of(2026, 3, 22), day_of(2026, 3, 28), utc(2026, 3, 29, 1, 30),
	    day_of(2026, 3, 29), day_of(2026, 4, 4), utc(2026, 4, 5, 0, 30));
	tz_free(tz);
}

/* ---- Monthly ---- */

static void
test_monthly(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct digest_schedule	 s = monthly(31, 8, 0);

	(void)state;
	/* The 31st in April is the 30th; the period runs from March's. */
	check_around(&s, tz, utc(2026, 4, 15, 12, 0),
	    day_of(2026, 2, 28), day_of(2026, 3, 30), utc(2026, 3, 31, 6, 0),
	    day_of(2026, 3, 31), day_of(2026, 4, 29), utc(2026, 4, 30, 6, 0));
	check_around(&s, tz, utc(2026, 4, 30, 6, 0),
	    day_of(2026, 3, 31), day_of(2026, 4, 29), utc(2026, 4, 30, 6, 0),
	    day_of(2026, 4, 30), day_of(2026, 5, 30), utc(2026, 5, 31, 6, 0));
	/* February: the 28th, and the 29th of 2028. */
	check_around(&s, tz, utc(2026, 2, 27, 12, 0),
	    day_of(2025, 12, 31), day_of(2026, 1, 30), utc(2026, 1, 31, 7, 0),
	    day_of(2026, 1, 31), day_of(2026, 2, 27), utc(2026, 2, 28, 7, 0));
	check_around(&s, tz, utc(2028, 2, 29, 7, 0),
	    day_of(2028, 1, 31), day_of(2028, 2, 28), utc(2028, 2, 29, 7, 0),
	    day_of(2028, 2, 29), day_of(2028, 3, 30), utc(2028, 3, 31, 6, 0));
	/* The 30th: February's last day, then March 30th. */
	s = monthly(30, 8, 0);
	check_around(&s, tz, utc(2026, 3, 1, 12, 0),
	    day_of(2026, 1, 30), day_of(2026, 2, 27), utc(2026, 2, 28, 7, 0),
	    day_of(2026, 2, 28), day_of(2026, 3, 29), utc(2026, 3, 30, 6, 0));
	/* "last": always the month's last day. */
	s = monthly(DIGEST_LAST_DAY, 8, 0);
	check_around(&s, tz, utc(2028, 3, 1, 12, 0),
	    day_of(2028, 1, 31), day_of(2028, 2, 28), utc(2028, 2, 29, 7, 0),
	    day_of(2028, 2, 29), day_of(2028, 3, 30), utc(2028, 3, 31, 6, 0));
	check_around(&s, tz, utc(2026, 5, 1, 12, 0),
	    day_of(2026, 3, 31), day_of(2026, 4, 29), utc(2026, 4, 30, 6, 0),
	    day_of(2026, 4, 30), day_of(2026, 5, 30), utc(2026, 5, 31, 6, 0));
	/* The 1st reports the calendar month before, across the year end. */
	s = monthly(1, 8, 0);
	check_around(&s, tz, utc(2027, 1, 1, 7, 0),
	    day_of(2026, 12, 1), day_of(2026, 12, 31), utc(2027, 1, 1, 7, 0),
	    day_of(2027, 1, 1), day_of(2027, 1, 31), utc(2027, 2, 1, 7, 0));
	check_around(&s, tz, utc(2027, 1, 1, 6, 59),
	    day_of(2026, 11, 1), day_of(2026, 11, 30), utc(2026, 12, 1, 7, 0),
	    day_of(2026, 12, 1), day_of(2026, 12, 31), utc(2027, 1, 1, 7, 0));
	tz_free(tz);
}

/* last <= now < next, the next period starts the day after the last one
 * ends, from `start` to `end` by `step`. */
static void
check_invariants(const struct tz *tz, const struct digest_schedule *s,
    int64_t start, int64_t end, int64_t step)
{
	struct digest_period	l, n;
	int64_t			now;

	for (now = start; now < end; now += step) {
		digest_schedule_last(s, tz, now, &l);
		digest_schedule_next(s, tz, now, &n);
		if (!(l.due <= now && now < n.due) || n.from != l.to + 1 ||
		    l.from > l.to || n.from > n.to)
			fail_msg("%s at %lld: last %d..%d due %lld, next "
			    "%d..%d due %lld", tz_name(tz), (long long)now,
			    l.from, l.to, (long long)l.due, n.from, n.to,
			    (long long)n.due);
	}
}

/* Every kind of schedule, hour by hour over two years. */
static void
test_invariants(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct digest_schedule	 s[] = { daily(0, 0), daily(2, 30),
	    daily(23, 59), weekly(0, 2, 30), weekly(3, 8, 0), monthly(1, 0, 0),
	    monthly(29, 8, 0), monthly(31, 2, 30),
	    monthly(DIGEST_LAST_DAY, 23, 0) };
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof s / sizeof s[0]; i++)
		check_invariants(tz, &s[i], utc(2026, 1, 1, 0, 17),
		    utc(2028, 1, 1, 0, 0), H);
	tz_free(tz);
}

/* ---- decide() ---- */

static void
test_decide(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct digest_schedule	 s = daily(8, 0);
	struct digest_period	 p;
	int64_t			 armed, now, due;
	int			 late;

	(void)state;
	/* A schedule first seen at 08:30: today's 08:00 is not sent. */
	armed = utc(2026, 6, 10, 6, 30);
	late = -1;
	assert_int_equal(digest_schedule_decide(&s, tz, armed, armed,
	    INT32_MIN, &p, &late), 0);
	assert_int_equal(late, 0);
	check_period("new", &p, day_of(2026, 6, 10), day_of(2026, 6, 10),
	    utc(2026, 6, 11, 6, 0));
	assert_int_equal(digest_schedule_decide(&s, tz,
	    utc(2026, 6, 11, 5, 59), armed, INT32_MIN, &p, &late), 0);
	/* On time the next morning. */
	due = utc(2026, 6, 11, 6, 0);
	assert_int_equal(digest_schedule_decide(&s, tz, due, armed, INT32_MIN,
	    &p, &late), 1);
	assert_int_equal(late, 0);
	check_period("on time", &p, day_of(2026, 6, 10), day_of(2026, 6, 10),
	    due);
	/* Within DIGEST_LATE_SECS it is on time, a second more late. */
	assert_int_equal(digest_schedule_decide(&s, tz,
	    due + DIGEST_LATE_SECS, armed, INT32_MIN, &p, &late), 1);
	assert_int_equal(late, 0);
	assert_int_equal(digest_schedule_decide(&s, tz,
	    due + DIGEST_LATE_SECS + 1, armed, INT32_MIN, &p, &late), 1);
	assert_int_equal(late, 1);
	/* Sent: nothing more until the next morning. */
	late = -1;
	assert_int_equal(digest_schedule_decide(&s, tz, due + 60,
	    armed, day_of(2026, 6, 10), &p, &late), 0);
	assert_int_equal(late, 0);
	check_period("sent", &p, day_of(2026, 6, 11), day_of(2026, 6, 11),
	    utc(2026, 6, 12, 6, 0));
	/* Armed exactly at a due time: that sending is made. */
	assert_int_equal(digest_schedule_decide(&s, tz, due + 5, due,
	    INT32_MIN, &p, &late), 1);
	check_period("armed at due", &p, day_of(2026, 6, 10),
	    day_of(2026, 6, 10), due);
	assert_int_equal(digest_schedule_decide(&s, tz, due + 5, due + 1,
	    INT32_MIN, &p, &late), 0);

	/* Down from 06-11 09:00 to 06-21 12:00 (ten days): only the period
	 * of 06-20 goes, late, once. */
	now = utc(2026, 6, 21, 10, 0);
	assert_int_equal(digest_schedule_decide(&s, tz, now, armed,
	    day_of(2026, 6, 10), &p, &late), 1);
	assert_int_equal(late, 1);
	check_period("downtime", &p, day_of(2026, 6, 20), day_of(2026, 6, 20),
	    utc(2026, 6, 21, 6, 0));
	assert_int_equal(digest_schedule_decide(&s, tz, now + 60, armed,
	    p.from, &p, &late), 0);
	check_period("after downtime", &p, day_of(2026, 6, 21),
	    day_of(2026, 6, 21), utc(2026, 6, 22, 6, 0));

	/* Weekly, down over two sendings: the latest week, late. */
	s = weekly(1, 8, 0);
	now = utc(2026, 6, 23, 12, 0);		/* Tuesday */
	assert_int_equal(digest_schedule_decide(&s, tz, now,
	    utc(2026, 5, 1, 0, 0), day_of(2026, 5, 25), &p, &late), 1);
	assert_int_equal(late, 1);
	check_period("weekly downtime", &p, day_of(2026, 6, 15),
	    day_of(2026, 6, 21), utc(2026, 6, 22, 6, 0));
	tz_free(tz);
}

/* ---- Reader periods ---- */

static void
check_parse(const struct tz *tz, int64_t now, const char *text, int32_t from,
    int32_t to, const char *name)
{
	char	*cause = NULL, buf[32];
	int32_t	 f, t, f2, t2;

	if (digest_period_parse(text, tz, now, &f, &t, &cause) != 0)
		fail_msg("%s: %s", text, cause);
	if (f != from || t != to)
		fail_msg("%s: %d..%d, want %d..%d", text, f, t, from, to);
	assert_string_equal(digest_period_name(f, t, buf, sizeof buf), name);
	/* The name reads back as the same days. */
	if (digest_period_parse(buf, tz, now, &f2, &t2, &cause) != 0)
		fail_msg("%s: %s", buf, cause);
	assert_int_equal(f2, f);
	assert_int_equal(t2, t);
}

static void
test_period_parse(void **state)
{
	struct tz	*tz = load("Europe/Paris");
	struct tz	*utc0 = load("UTC");
	int64_t		 now = utc(2026, 12, 2, 11, 0);	/* Wednesday */

	(void)state;
	check_parse(tz, now, "2026-11", day_of(2026, 11, 1),
	    day_of(2026, 11, 30), "2026-11");
	check_parse(tz, now, "2028-02", day_of(2028, 2, 1),
	    day_of(2028, 2, 29), "2028-02");
	check_parse(tz, now, "2026-W47", day_of(2026, 11, 16),
	    day_of(2026, 11, 22), "2026-W47");
	/* 2026 starts on a Thursday: it has a week 53, into 2027. */
	check_parse(tz, now, "2026-W53", day_of(2026, 12, 28),
	    day_of(2027, 1, 3), "2026-W53");
	check_parse(tz, now, "2026-W01", day_of(2025, 12, 29),
	    day_of(2026, 1, 4), "2026-W01");
	check_parse(tz, now, "2025-W01", day_of(2024, 12, 30),
	    day_of(2025, 1, 5), "2025-W01");
	check_parse(tz, now, "2026-11-30", day_of(2026, 11, 30),
	    day_of(2026, 11, 30), "2026-11-30");
	check_parse(tz, now, "2026-11-01..2026-11-29", day_of(2026, 11, 1),
	    day_of(2026, 11, 29), "2026-11-01..2026-11-29");
	/* Ranges that are a month, a week or a day are named so. */
	check_parse(tz, now, "2026-11-01..2026-11-30", day_of(2026, 11, 1),
	    day_of(2026, 11, 30), "2026-11");
	check_parse(tz, now, "2026-11-23..2026-11-29", day_of(2026, 11, 23),
	    day_of(2026, 11, 29), "2026-W48");
	check_parse(tz, now, "2026-11-24..2026-11-30", day_of(2026, 11, 24),
	    day_of(2026, 11, 30), "2026-11-24..2026-11-30");
	check_parse(tz, now, "2026-11-30..2026-11-30", day_of(2026, 11, 30),
	    day_of(2026, 11, 30), "2026-11-30");
	/* 400 days at most. */
	check_parse(tz, now, "2025-11-01..2026-12-05", day_of(2025, 11, 1),
	    day_of(2026, 12, 5), "2025-11-01..2026-12-05");
	/* Relative to now on the client's calendar. */
	check_parse(tz, now, "yesterday", day_of(2026, 12, 1),
	    day_of(2026, 12, 1), "2026-12-01");
	check_parse(tz, now, "last-week", day_of(2026, 11, 23),
	    day_of(2026, 11, 29), "2026-W48");
	check_parse(tz, now, "last-month", day_of(2026, 11, 1),
	    day_of(2026, 11, 30), "2026-11");
	check_parse(tz, now, "last-7-days", day_of(2026, 11, 25),
	    day_of(2026, 12, 1), "2026-11-25..2026-12-01");
	check_parse(tz, now, "last-30-days", day_of(2026, 11, 2),
	    day_of(2026, 12, 1), "2026-11-02..2026-12-01");
	check_parse(tz, now, "month-to-date", day_of(2026, 12, 1),
	    day_of(2026, 12, 2), "2026-12-01..2026-12-02");
	/* On a Monday, last week is the one that ended yesterday; in
	 * January, last month is December. */
	now = utc(2027, 1, 4, 12, 0);
	check_parse(tz, now, "last-week", day_of(2026, 12, 28),
	    day_of(2027, 1, 3), "2026-W53");
	check_parse(tz, now, "last-month", day_of(2026, 12, 1),
	    day_of(2026, 12, 31), "2026-12");
	/* 23:30Z on 12-01 is already 12-02 in Paris, not in UTC. */
	now = utc(2026, 12, 1, 23, 30);
	check_parse(tz, now, "yesterday", day_of(2026, 12, 1),
	    day_of(2026, 12, 1), "2026-12-01");
	check_parse(utc0, now, "yesterday", day_of(2026, 11, 30),
	    day_of(2026, 11, 30), "2026-11-30");
	/* Month-to-date on the 1st is one day. */
	check_parse(tz, now, "month-to-date", day_of(2026, 12, 1),
	    day_of(2026, 12, 2), "2026-12-01..2026-12-02");
	tz_free(utc0);
	tz_free(tz);
}

static void
test_period_refused(void **state)
{
	static const struct {
		const char	*text, *why;
	} bad[] = {
		{ "", "YYYY-Www" },
		{ "lastweek", "YYYY-Www" },
		{ "last_month", "YYYY-Www" },
		{ "Yesterday", "YYYY-Www" },
		{ "2026-13", "YYYY-Www" },
		{ "2026-00", "YYYY-Www" },
		{ "2026-1", "YYYY-Www" },
		{ "2026-W00", "YYYY-Www" },
		{ "2026-W7", "YYYY-Www" },
		{ "2026-w47", "YYYY-Www" },
		{ "2027-W53", "2027 has 52 ISO weeks" },
		{ "2026-W54", "2026 has 53 ISO weeks" },
		{ "2026-02-29", "YYYY-Www" },
		{ "2026-11-1", "YYYY-Www" },
		{ "2026-11-01..", "YYYY-Www" },
		{ "..2026-11-01", "YYYY-Www" },
		{ "2026-11-01...2026-11-02", "YYYY-Www" },
		{ "2026-11-01..2026-11-31", "YYYY-Www" },
		{ "2026-11-30..2026-11-01", "2026-11-30 is after 2026-11-01" },
		{ "2025-11-01..2026-12-06", "401 days" },
		{ "2026-11 ", "YYYY-Www" },
	};
	struct tz	*tz = load("Europe/Paris");
	int64_t		 now = utc(2026, 12, 2, 11, 0);
	int32_t		 f, t;
	char		*cause, want[64];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (digest_period_parse(bad[i].text, tz, now, &f, &t,
		    &cause) != -1)
			fail_msg("\"%s\" accepted", bad[i].text);
		assert_non_null(cause);
		/* The cause names the text and what is wrong or accepted. */
		snprintf(want, sizeof want, "period \"%s\"", bad[i].text);
		if (strstr(cause, want) == NULL ||
		    strstr(cause, bad[i].why) == NULL)
			fail_msg("\"%s\": cause %s", bad[i].text, cause);
		if (strcmp(bad[i].why, "YYYY-Www") == 0 &&
		    (strstr(cause, "last-30-days") == NULL ||
		    strstr(cause, "month-to-date") == NULL))
			fail_msg("\"%s\": cause %s", bad[i].text, cause);
		free(cause);
	}
	tz_free(tz);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daily_dst_instants),
		cmocka_unit_test(test_daily_dst_stepping),
		cmocka_unit_test(test_skipped_and_repeated_time),
		cmocka_unit_test(test_other_zones),
		cmocka_unit_test(test_midnight_changes),
		cmocka_unit_test(test_skipped_day),
		cmocka_unit_test(test_weekly),
		cmocka_unit_test(test_monthly),
		cmocka_unit_test(test_invariants),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_period_parse),
		cmocka_unit_test(test_period_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
