/*
 * Unit tests of calendar windows: parse/name round trip and refusals,
 * resolution across month and year ends and the leap day of 2028, the DST
 * days of Paris and New York with the clock passed in at 00:30 and 23:30
 * local, roll-over instants on 23- and 25-hour days (and a skipped day),
 * quiet hours across DST nights, the previous period and the range in words.
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

#include "metric.h"
#include "tz.h"
#include "tz-fixture.h"
#include "window.h"

#define H		3600

/* Unix time of a UTC civil time. */
static int64_t
utc(int y, unsigned m, unsigned d, int hh, int mm)
{
	return (int64_t)day_of(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

static void
date(int32_t d, char *buf)
{
	metric_format_date(d, buf);
}

/* Window `text` at now resolves to [from, to]. */
static void
check_window(const struct tz *tz, int64_t now, const char *text, int32_t from,
    int32_t to)
{
	struct window_spec	 spec;
	struct window_range	 r;
	char			*cause = NULL, a[11], b[11], c[11], d[11];

	if (window_parse(text, &spec, &cause) != 0)
		fail_msg("window_parse %s: %s", text, cause);
	window_resolve(&spec, tz, now, &r);
	if (r.from != from || r.to != to) {
		date(r.from, a);
		date(r.to, b);
		date(from, c);
		date(to, d);
		fail_msg("%s %s at %lld: %s..%s, want %s..%s", tz_name(tz), text,
		    (long long)now, a, b, c, d);
	}
}

/* ---- Parse and name ---- */

static void
test_parse_name(void **state)
{
	static const struct {
		const char		*text, *canon;
		enum window_kind	 kind;
		int32_t			 n;
	} c[] = {
		{ "lifetime", "lifetime", WINDOW_LIFETIME, 0 },
		{ "today", "today", WINDOW_TODAY, 0 },
		{ "yesterday", "yesterday", WINDOW_YESTERDAY, 0 },
		{ "1d", "1d", WINDOW_DAYS, 1 },
		{ "7d", "7d", WINDOW_DAYS, 7 },
		{ "3660d", "3660d", WINDOW_DAYS, 3660 },
		{ "last_7_days", "last_7_days", WINDOW_LAST_DAYS, 7 },
		{ "last_1_days", "last_1_days", WINDOW_LAST_DAYS, 1 },
		{ "last_3660_days", "last_3660_days", WINDOW_LAST_DAYS, 3660 },
		{ "wtd", "wtd", WINDOW_WTD, 0 },
		{ "week_to_date", "wtd", WINDOW_WTD, 0 },
		{ "mtd", "mtd", WINDOW_MTD, 0 },
		{ "month_to_date", "mtd", WINDOW_MTD, 0 },
		{ "last_month", "last_month", WINDOW_LAST_MONTH, 0 },
		{ "data_7d", "data_7d", WINDOW_DATA_DAYS, 7 },
		{ "data_3660d", "data_3660d", WINDOW_DATA_DAYS, 3660 },
	};
	struct window_spec	 spec, back;
	char			 buf[WINDOW_NAME_MAX], *cause = NULL;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		if (window_parse(c[i].text, &spec, &cause) != 0)
			fail_msg("%s: %s", c[i].text, cause);
		assert_int_equal(spec.kind, c[i].kind);
		if (c[i].n != 0)
			assert_int_equal(spec.n, c[i].n);
		assert_string_equal(window_name(&spec, buf, sizeof buf),
		    c[i].canon);
		assert_int_equal(window_parse(buf, &back, &cause), 0);
		assert_int_equal(back.kind, spec.kind);
		assert_int_equal(back.n, spec.n);
	}
}

static void
test_parse_refused(void **state)
{
	static const char *const bad[] = { "0d", "3661d", "7days", "", "mtd2",
	    "07d", "-7d", "+7d", "d", "7", "7D", "MTD", " 7d", "7d ", "last_0_days",
	    "last_3661_days", "last_7_day", "last__days", "last_7days",
	    "data_0d", "data_d", "data_7", "week", "month", "lifetime\n",
	    "99999999999999999999d", "last-month", "1e3d" };
	struct window_spec	 spec;
	char			*cause;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (window_parse(bad[i], &spec, &cause) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_non_null(cause);
		/* The cause names the text and lists the accepted forms. */
		if (strstr(cause, "window \"") == NULL ||
		    strstr(cause, "last_N_days") == NULL ||
		    strstr(cause, "last_month") == NULL)
			fail_msg("\"%s\": cause %s", bad[i], cause);
		free(cause);
	}
	cause = NULL;
	assert_int_equal(window_parse("mtd2", &spec, &cause), -1);
	assert_non_null(strstr(cause, "\"mtd2\""));
	free(cause);
	/* Control bytes are escaped in the cause. */
	cause = NULL;
	assert_int_equal(window_parse("7d\n\x1b", &spec, &cause), -1);
	assert_null(strchr(cause, '\n'));
	assert_null(strchr(cause, '\x1b'));
	free(cause);
}

/* ---- Resolution ---- */

static void
test_month_year_ends(void **state)
{
	struct tz	*tz = load("Europe/Paris");
	int64_t		 now;

	(void)state;
	/* Saturday 31 January 2026, noon. */
	now = local(tz, 2026, 1, 31, 12, 0);
	check_window(tz, now, "today", day_of(2026, 1, 31), day_of(2026, 1, 31));
	check_window(tz, now, "7d", day_of(2026, 1, 25), day_of(2026, 1, 31));
	check_window(tz, now, "mtd", day_of(2026, 1, 1), day_of(2026, 1, 31));
	check_window(tz, now, "wtd", day_of(2026, 1, 26), day_of(2026, 1, 31));
	check_window(tz, now, "last_month", day_of(2025, 12, 1),
	    day_of(2025, 12, 31));
	/* Sunday 1 February 2026 at 00:30 (23:30 UTC the day before). */
	now = local(tz, 2026, 2, 1, 0, 30);
	assert_int_equal(now, utc(2026, 1, 31, 23, 30));
	check_window(tz, now, "today", day_of(2026, 2, 1), day_of(2026, 2, 1));
	check_window(tz, now, "yesterday", day_of(2026, 1, 31),
	    day_of(2026, 1, 31));
	check_window(tz, now, "7d", day_of(2026, 1, 26), day_of(2026, 2, 1));
	check_window(tz, now, "last_7_days", day_of(2026, 1, 25),
	    day_of(2026, 1, 31));
	check_window(tz, now, "mtd", day_of(2026, 2, 1), day_of(2026, 2, 1));
	check_window(tz, now, "wtd", day_of(2026, 1, 26), day_of(2026, 2, 1));
	check_window(tz, now, "last_month", day_of(2026, 1, 1),
	    day_of(2026, 1, 31));
	/* Monday 2 February: the week starts today. */
	check_window(tz, local(tz, 2026, 2, 2, 0, 0), "wtd", day_of(2026, 2, 2),
	    day_of(2026, 2, 2));
	/* The leap day of 2028 (a Tuesday), then 1 March 2028. */
	now = local(tz, 2028, 2, 29, 23, 30);
	check_window(tz, now, "today", day_of(2028, 2, 29), day_of(2028, 2, 29));
	check_window(tz, now, "mtd", day_of(2028, 2, 1), day_of(2028, 2, 29));
	check_window(tz, now, "wtd", day_of(2028, 2, 28), day_of(2028, 2, 29));
	check_window(tz, now, "last_month", day_of(2028, 1, 1),
	    day_of(2028, 1, 31));
	now = local(tz, 2028, 3, 1, 0, 30);
	check_window(tz, now, "yesterday", day_of(2028, 2, 29),
	    day_of(2028, 2, 29));
	check_window(tz, now, "last_month", day_of(2028, 2, 1),
	    day_of(2028, 2, 29));
	check_window(tz, now, "last_7_days", day_of(2028, 2, 23),
	    day_of(2028, 2, 29));
	check_window(tz, now, "3d", day_of(2028, 2, 28), day_of(2028, 3, 1));
	/* Year end: Friday 1 January 2027 at 00:30. */
	now = local(tz, 2027, 1, 1, 0, 30);
	check_window(tz, now, "today", day_of(2027, 1, 1), day_of(2027, 1, 1));
	check_window(tz, now, "yesterday", day_of(2026, 12, 31),
	    day_of(2026, 12, 31));
	check_window(tz, now, "mtd", day_of(2027, 1, 1), day_of(2027, 1, 1));
	check_window(tz, now, "wtd", day_of(2026, 12, 28), day_of(2027, 1, 1));
	check_window(tz, now, "last_month", day_of(2026, 12, 1),
	    day_of(2026, 12, 31));
	check_window(tz, now, "last_7_days", day_of(2026, 12, 25),
	    day_of(2026, 12, 31));
	check_window(tz, now, "lifetime", INT32_MIN, INT32_MAX);
	check_window(tz, now, "data_7d", INT32_MIN, INT32_MAX);
	tz_free(tz);
}

/*
 * On the DST days of 2026 (all Sundays), at 00:30 and 23:30 local: the day
 * by the UTC calendar differs from the local one at one of the two, and a
 * window computed as "now minus n * 24 hours" lands an hour off.
 */
static void
test_dst_days(void **state)
{
	static const struct {
		const char	*zone;
		unsigned	 m, d;
		unsigned	 mon_m, mon_d;	/* Monday of that week */
	} c[] = {
		{ "Europe/Paris", 3, 29, 3, 23 },
		{ "Europe/Paris", 10, 25, 10, 19 },
		{ "America/New_York", 3, 8, 3, 2 },
		{ "America/New_York", 11, 1, 10, 26 },
	};
	static const int hm[][2] = { { 0, 30 }, { 23, 30 } };
	struct tz	*tz;
	int64_t		 now;
	int32_t		 day, sec, first;
	size_t		 i, j;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		tz = load(c[i].zone);
		day = day_of(2026, c[i].m, c[i].d);
		first = day_of(2026, c[i].m, 1);
		for (j = 0; j < 2; j++) {
			now = local(tz, 2026, c[i].m, c[i].d, hm[j][0],
			    hm[j][1]);
			tz_local(tz, now, &day, &sec);
			assert_int_equal(day, day_of(2026, c[i].m, c[i].d));
			assert_int_equal(sec, hm[j][0] * H + hm[j][1] * 60);
			check_window(tz, now, "today", day, day);
			check_window(tz, now, "yesterday", day - 1, day - 1);
			check_window(tz, now, "7d", day - 6, day);
			check_window(tz, now, "last_7_days", day - 7, day - 1);
			check_window(tz, now, "mtd", first, day);
			check_window(tz, now, "wtd",
			    day_of(2026, c[i].mon_m, c[i].mon_d), day);
			/* One second before local midnight, still today. */
			now = tz_day_start(tz, day + 1) - 1;
			check_window(tz, now, "today", day, day);
			check_window(tz, now + 1, "today", day + 1, day + 1);
			check_window(tz, now + 1, "wtd", day + 1, day + 1);
		}
		tz_free(tz);
	}

	/* In the repeated hour of New York's 1 November (01:30 EST). */
	tz = load("America/New_York");
	now = utc(2026, 11, 1, 6, 30);
	check_window(tz, now, "today", day_of(2026, 11, 1), day_of(2026, 11, 1));
	check_window(tz, now, "mtd", day_of(2026, 11, 1), day_of(2026, 11, 1));
	check_window(tz, now, "last_month", day_of(2026, 10, 1),
	    day_of(2026, 10, 31));
	tz_free(tz);
}

/* ---- Roll-over ---- */

static void
test_rollover(void **state)
{
	static const struct {
		const char	*zone;
		unsigned	 m, d;
		int32_t		 len;	/* of the day */
	} c[] = {
		{ "Europe/Paris", 3, 29, 23 * H },
		{ "Europe/Paris", 10, 25, 25 * H },
		{ "America/New_York", 3, 8, 23 * H },
		{ "America/New_York", 11, 1, 25 * H },
		{ "Europe/Paris", 3, 30, 24 * H },
		{ "America/New_York", 7, 4, 24 * H },
	};
	struct tz	*tz;
	int64_t		 start, next, now;
	int32_t		 day;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		tz = load(c[i].zone);
		day = day_of(2026, c[i].m, c[i].d);
		start = tz_day_start(tz, day);
		next = tz_day_start(tz, day + 1);
		assert_int_equal(next - start, c[i].len);
		/* From 00:30, 23:30, the first and the last second. */
		assert_int_equal(window_next_rollover(tz,
		    local(tz, 2026, c[i].m, c[i].d, 0, 30)), next);
		assert_int_equal(window_next_rollover(tz,
		    local(tz, 2026, c[i].m, c[i].d, 0, 30)) - start,
		    c[i].len);
		now = local(tz, 2026, c[i].m, c[i].d, 23, 30);
		assert_int_equal(window_next_rollover(tz, now), now + 1800);
		assert_int_equal(window_next_rollover(tz, start), next);
		assert_int_equal(window_next_rollover(tz, next - 1), next);
		tz_free(tz);
	}

	/* Paris, 2026-10-25 02:30 in both passes of the repeated hour. */
	tz = load("Europe/Paris");
	next = tz_day_start(tz, day_of(2026, 10, 26));
	assert_int_equal(window_next_rollover(tz, utc(2026, 10, 25, 0, 30)),
	    next);
	assert_int_equal(window_next_rollover(tz, utc(2026, 10, 25, 1, 30)),
	    next);
	tz_free(tz);

	/*
	 * Santiago falls back at midnight: 24:00 -03 becomes 23:00 -04 on
	 * 4 April, so local time reaches midnight only once, at 04:00 UTC,
	 * from either pass of 23:30.
	 */
	tz = load("America/Santiago");
	next = tz_day_start(tz, day_of(2026, 4, 5));
	assert_int_equal(next, utc(2026, 4, 5, 4, 0));
	assert_int_equal(window_next_rollover(tz, utc(2026, 4, 5, 2, 30)),
	    next);
	assert_int_equal(window_next_rollover(tz, utc(2026, 4, 5, 3, 30)),
	    next);
	tz_free(tz);

	/* Samoa skipped 2011-12-30: the 29th rolls over to the 31st. */
	tz = load("Pacific/Apia");
	next = window_next_rollover(tz, local(tz, 2011, 12, 29, 12, 0));
	assert_int_equal(next, tz_day_start(tz, day_of(2011, 12, 31)));
	tz_local(tz, next, &day, &(int32_t){ 0 });
	assert_int_equal(day, day_of(2011, 12, 31));
	assert_int_equal(window_next_rollover(tz, next - 1), next);
	tz_free(tz);
}

/* ---- Quiet hours ---- */

static void
test_parse_clock(void **state)
{
	static const struct {
		const char	*s;
		int32_t		 sec;
	} ok[] = {
		{ "00:00", 0 }, { "07:00", 7 * H }, { "22:00", 22 * H },
		{ "23:59", 23 * H + 59 * 60 }, { "12:34", 12 * H + 34 * 60 },
		{ "19:05", 19 * H + 300 },
	};
	static const char *const bad[] = { "24:00", "7:00", "07:60", "", "0700",
	    "07:00:00", "ab:cd", "-1:00", " 07:00", "07:00 ", "07h00", "29:00",
	    "07:5", "07:0a" };
	int32_t	 sec;
	char	*cause;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		cause = NULL;
		if (window_parse_clock(ok[i].s, &sec, &cause) != 0)
			fail_msg("%s: %s", ok[i].s, cause);
		assert_int_equal(sec, ok[i].sec);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		sec = -7;
		if (window_parse_clock(bad[i], &sec, &cause) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(sec, -7);
		assert_non_null(strstr(cause, "HH:MM"));
		free(cause);
	}
	cause = NULL;
	assert_int_equal(window_parse_clock("24:00", &sec, &cause), -1);
	assert_non_null(strstr(cause, "\"24:00\""));
	free(cause);
}

struct span_case {
	int64_t	now;
	int	in;
	int64_t	ends;
};

static void
check_spans(const struct tz *tz, int32_t start, int32_t end,
    const struct span_case *c, size_t n)
{
	int64_t	ends;
	size_t	i;
	int	in;

	for (i = 0; i < n; i++) {
		ends = -1;
		in = window_in_span(tz, c[i].now, start, end, &ends);
		if (in != c[i].in || ends != c[i].ends)
			fail_msg("%s %d-%d at %lld: in %d ends %lld, want %d "
			    "%lld", tz_name(tz), start, end, (long long)c[i].now,
			    in, (long long)ends, c[i].in, (long long)c[i].ends);
	}
}

static void
test_quiet_hours_dst(void **state)
{
	struct tz	*tz;

	(void)state;
	/* Paris, night of 28 to 29 March: 02:00 CET -> 03:00 CEST, 8 h. */
	tz = load("Europe/Paris");
	{
		const struct span_case c[] = {
			{ utc(2026, 3, 28, 20, 59) + 59, 0, 0 },
			{ utc(2026, 3, 28, 21, 0), 1, utc(2026, 3, 29, 5, 0) },
			{ utc(2026, 3, 28, 23, 0), 1, utc(2026, 3, 29, 5, 0) },
			{ utc(2026, 3, 29, 0, 59), 1, utc(2026, 3, 29, 5, 0) },
			{ utc(2026, 3, 29, 1, 0), 1, utc(2026, 3, 29, 5, 0) },
			{ utc(2026, 3, 29, 4, 59) + 59, 1,
			    utc(2026, 3, 29, 5, 0) },
			{ utc(2026, 3, 29, 5, 0), 0, 0 },
			{ utc(2026, 3, 29, 12, 0), 0, 0 },
			/* The next evening, CEST: 22:00 is 20:00 UTC. */
			{ utc(2026, 3, 29, 19, 59), 0, 0 },
			{ utc(2026, 3, 29, 20, 0), 1, utc(2026, 3, 30, 5, 0) },
		};
		check_spans(tz, 22 * H, 7 * H, c, sizeof c / sizeof c[0]);
		assert_int_equal(utc(2026, 3, 29, 5, 0) - utc(2026, 3, 28, 21, 0),
		    8 * H);
	}
	/* Paris, night of 24 to 25 October: 03:00 CEST -> 02:00 CET, 10 h. */
	{
		const struct span_case c[] = {
			{ utc(2026, 10, 24, 19, 59), 0, 0 },
			{ utc(2026, 10, 24, 20, 0), 1, utc(2026, 10, 25, 6, 0) },
			{ utc(2026, 10, 25, 0, 30), 1, utc(2026, 10, 25, 6, 0) },
			{ utc(2026, 10, 25, 1, 30), 1, utc(2026, 10, 25, 6, 0) },
			{ utc(2026, 10, 25, 5, 59), 1, utc(2026, 10, 25, 6, 0) },
			{ utc(2026, 10, 25, 6, 0), 0, 0 },
		};
		check_spans(tz, 22 * H, 7 * H, c, sizeof c / sizeof c[0]);
	}
	/*
	 * A span that ends inside the skipped hour ends when the clocks jump
	 * past it: 01:00-02:30 on 29 March ends at 03:00 CEST (01:00 UTC).
	 */
	{
		const struct span_case c[] = {
			{ utc(2026, 3, 28, 23, 59), 0, 0 },
			{ utc(2026, 3, 29, 0, 0), 1, utc(2026, 3, 29, 1, 0) },
			{ utc(2026, 3, 29, 0, 59) + 59, 1,
			    utc(2026, 3, 29, 1, 0) },
			{ utc(2026, 3, 29, 1, 0), 0, 0 },
			/* A day without a change: 01:00-02:30 CET. */
			{ utc(2026, 3, 22, 1, 0), 1, utc(2026, 3, 22, 1, 30) },
		};
		check_spans(tz, 1 * H, 2 * H + 1800, c,
		    sizeof c / sizeof c[0]);
	}
	/* Whole day: start == end. */
	{
		const struct span_case c[] = {
			{ utc(2026, 3, 29, 12, 0), 1, utc(2026, 3, 30, 5, 0) },
			{ utc(2026, 3, 29, 4, 0), 1, utc(2026, 3, 29, 5, 0) },
		};
		check_spans(tz, 7 * H, 7 * H, c, sizeof c / sizeof c[0]);
	}
	/* Office hours, not wrapping. */
	{
		const struct span_case c[] = {
			{ utc(2026, 6, 1, 6, 59), 0, 0 },
			{ utc(2026, 6, 1, 7, 0), 1, utc(2026, 6, 1, 15, 0) },
			{ utc(2026, 6, 1, 14, 59), 1, utc(2026, 6, 1, 15, 0) },
			{ utc(2026, 6, 1, 15, 0), 0, 0 },
		};
		check_spans(tz, 9 * H, 17 * H, c, sizeof c / sizeof c[0]);
	}
	tz_free(tz);

	/* New York: 8 hours on 7-8 March, 10 hours on 31 Oct-1 Nov. */
	tz = load("America/New_York");
	{
		const struct span_case c[] = {
			{ utc(2026, 3, 8, 2, 59), 0, 0 },
			{ utc(2026, 3, 8, 3, 0), 1, utc(2026, 3, 8, 11, 0) },
			{ utc(2026, 3, 8, 6, 59), 1, utc(2026, 3, 8, 11, 0) },
			{ utc(2026, 3, 8, 7, 0), 1, utc(2026, 3, 8, 11, 0) },
			{ utc(2026, 3, 8, 11, 0), 0, 0 },
			{ utc(2026, 11, 1, 1, 59), 0, 0 },
			{ utc(2026, 11, 1, 2, 0), 1, utc(2026, 11, 1, 12, 0) },
			{ utc(2026, 11, 1, 5, 30), 1, utc(2026, 11, 1, 12, 0) },
			{ utc(2026, 11, 1, 6, 30), 1, utc(2026, 11, 1, 12, 0) },
			{ utc(2026, 11, 1, 11, 59), 1, utc(2026, 11, 1, 12, 0) },
			{ utc(2026, 11, 1, 12, 0), 0, 0 },
		};
		check_spans(tz, 22 * H, 7 * H, c, sizeof c / sizeof c[0]);
	}
	/*
	 * 01:00-01:45 on 1 November happens twice by the clock; in the second
	 * pass (EST) it ends at 01:45 EST, never in the past.
	 */
	{
		const struct span_case c[] = {
			{ utc(2026, 11, 1, 5, 30), 1, utc(2026, 11, 1, 5, 45) },
			{ utc(2026, 11, 1, 5, 50), 0, 0 },
			{ utc(2026, 11, 1, 6, 30), 1, utc(2026, 11, 1, 6, 45) },
			{ utc(2026, 11, 1, 6, 45), 0, 0 },
		};
		check_spans(tz, 1 * H, 1 * H + 2700, c,
		    sizeof c / sizeof c[0]);
	}
	tz_free(tz);
}

/* ---- Previous period, data days, words ---- */

static void
test_previous(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct window_spec	 spec;
	struct window_range	 r, p;
	char			*cause = NULL;
	int64_t			 now = local(tz, 2026, 12, 14, 10, 0);

	(void)state;
	assert_int_equal(window_parse("mtd", &spec, &cause), 0);
	window_resolve(&spec, tz, now, &r);
	assert_int_equal(window_ndays(&r), 14);
	assert_int_equal(window_previous(&r, &p), 0);
	assert_int_equal(p.from, day_of(2026, 11, 17));
	assert_int_equal(p.to, day_of(2026, 11, 30));
	assert_int_equal(window_ndays(&p), 14);

	assert_int_equal(window_parse("last_month", &spec, &cause), 0);
	window_resolve(&spec, tz, now, &r);
	assert_int_equal(window_previous(&r, &p), 0);
	assert_int_equal(p.from, day_of(2026, 10, 2));
	assert_int_equal(p.to, day_of(2026, 10, 31));

	assert_int_equal(window_parse("7d", &spec, &cause), 0);
	window_resolve(&spec, tz, local(tz, 2026, 12, 1, 0, 0), &r);
	assert_int_equal(window_ndays(&r), 7);
	assert_int_equal(window_previous(&r, &p), 0);
	assert_int_equal(p.from, day_of(2026, 11, 18));
	assert_int_equal(p.to, day_of(2026, 11, 24));

	assert_int_equal(window_parse("today", &spec, &cause), 0);
	window_resolve(&spec, tz, now, &r);
	assert_int_equal(window_ndays(&r), 1);
	assert_int_equal(window_previous(&r, &p), 0);
	assert_int_equal(p.from, day_of(2026, 12, 13));
	assert_int_equal(p.to, day_of(2026, 12, 13));

	/* Open ranges have no previous period and no length. */
	r.from = INT32_MIN;
	r.to = INT32_MAX;
	p.from = p.to = 42;
	assert_int_equal(window_previous(&r, &p), -1);
	assert_int_equal(p.from, 42);
	assert_int_equal(window_ndays(&r), 0);
	tz_free(tz);
}

static void
test_data_days(void **state)
{
	struct window_spec	 spec;
	struct window_range	 r;
	char			*cause = NULL;
	int32_t			 last = day_of(2026, 3, 2);

	(void)state;
	assert_int_equal(window_parse("data_7d", &spec, &cause), 0);
	window_resolve_data(&spec, last, &r);
	assert_int_equal(r.from, day_of(2026, 2, 24));
	assert_int_equal(r.to, last);
	window_resolve_data(&spec, INT32_MIN, &r);
	assert_int_equal(r.from, INT32_MIN);
	assert_int_equal(r.to, INT32_MAX);
	assert_int_equal(window_parse("data_1d", &spec, &cause), 0);
	window_resolve_data(&spec, last, &r);
	assert_int_equal(r.from, last);
	assert_int_equal(r.to, last);
	/* Calendar windows are not resolved against the data. */
	assert_int_equal(window_parse("lifetime", &spec, &cause), 0);
	window_resolve_data(&spec, last, &r);
	assert_int_equal(r.from, INT32_MIN);
	assert_int_equal(r.to, INT32_MAX);
}

static void
test_format_range(void **state)
{
	struct window_range	r;
	char			buf[WINDOW_RANGE_TEXT_MAX];

	(void)state;
	r.from = day_of(2026, 11, 25);
	r.to = day_of(2026, 12, 1);
	assert_string_equal(window_format_range(&r, "en", buf, sizeof buf),
	    "2026-11-25 to 2026-12-01");
	assert_string_equal(window_format_range(&r, "fr", buf, sizeof buf),
	    "du 25/11/2026 au 01/12/2026");
	assert_string_equal(window_format_range(&r, "fr_FR", buf, sizeof buf),
	    "du 25/11/2026 au 01/12/2026");
	assert_string_equal(window_format_range(&r, NULL, buf, sizeof buf),
	    "2026-11-25 to 2026-12-01");
	assert_string_equal(window_format_range(&r, "fri", buf, sizeof buf),
	    "2026-11-25 to 2026-12-01");
	r.from = r.to = day_of(2026, 12, 1);
	assert_string_equal(window_format_range(&r, "en", buf, sizeof buf),
	    "2026-12-01");
	assert_string_equal(window_format_range(&r, "fr", buf, sizeof buf),
	    "le 01/12/2026");
	r.from = day_of(2026, 12, 28);
	r.to = day_of(2027, 1, 3);
	assert_string_equal(window_format_range(&r, "fr", buf, sizeof buf),
	    "du 28/12/2026 au 03/01/2027");
	r.from = INT32_MIN;
	r.to = INT32_MAX;
	assert_string_equal(window_format_range(&r, "en", buf, sizeof buf),
	    "all data");
	assert_string_equal(window_format_range(&r, "fr", buf, sizeof buf),
	    "toutes les données");
	/* A short buffer is cut, never overrun. */
	r.from = day_of(2026, 11, 25);
	r.to = day_of(2026, 12, 1);
	assert_string_equal(window_format_range(&r, "en", buf, 11),
	    "2026-11-25");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_name),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_month_year_ends),
		cmocka_unit_test(test_dst_days),
		cmocka_unit_test(test_rollover),
		cmocka_unit_test(test_parse_clock),
		cmocka_unit_test(test_quiet_hours_dst),
		cmocka_unit_test(test_previous),
		cmocka_unit_test(test_data_days),
		cmocka_unit_test(test_format_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
