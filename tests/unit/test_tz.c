/*
 * Unit tests of the time-zone module: real zones of the system's tzdata
 * around the DST changes of 2026, far-future instants through the POSIX
 * footer, synthetic footers for the rule engine alone, hostile TZif bytes,
 * bad names, and a cross-check against libc's localtime_r (allowed here,
 * never in tz.c) over 1970-2100 for every zone of the system.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <time.h>
#include <cmocka.h>

#include "metric.h"
#include "tz.h"
#include "tz-fixture.h"

#define H		3600

/* Unix time of a UTC civil time. */
static int64_t
utc(int y, unsigned m, unsigned d, int hh, int mm, int ss)
{
	return (int64_t)day_of(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

/* ---- Real zones around the changes of 2026 ---- */

struct offset_case {
	const char	*zone;
	int64_t		 t;
	int32_t		 off;
};

static void
test_offsets(void **state)
{
	const struct offset_case c[] = {
		/* Paris: 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z),
		 * 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z). */
		{ "Europe/Paris", utc(2026, 3, 29, 0, 59, 59), 1 * H },
		{ "Europe/Paris", utc(2026, 3, 29, 1, 0, 0), 2 * H },
		{ "Europe/Paris", utc(2026, 10, 25, 0, 59, 59), 2 * H },
		{ "Europe/Paris", utc(2026, 10, 25, 1, 0, 0), 1 * H },
		{ "Europe/Paris", utc(2026, 7, 14, 12, 0, 0), 2 * H },
		{ "Europe/Paris", utc(2026, 12, 2, 4, 30, 0), 1 * H },
		/* New York: 02:00 EST -> 03:00 EDT (07:00Z), 02:00 EDT ->
		 * 01:00 EST (06:00Z). */
		{ "America/New_York", utc(2026, 3, 8, 6, 59, 59), -5 * H },
		{ "America/New_York", utc(2026, 3, 8, 7, 0, 0), -4 * H },
		{ "America/New_York", utc(2026, 11, 1, 5, 59, 59), -4 * H },
		{ "America/New_York", utc(2026, 11, 1, 6, 0, 0), -5 * H },
		/* Half and three-quarter hours. */
		{ "Asia/Kolkata", utc(2026, 6, 1, 0, 0, 0), 5 * H + 1800 },
		{ "Asia/Kolkata", utc(2090, 1, 1, 0, 0, 0), 5 * H + 1800 },
		{ "Asia/Kathmandu", utc(2026, 6, 1, 0, 0, 0), 5 * H + 2700 },
		{ "Asia/Kathmandu", utc(1985, 6, 1, 0, 0, 0), 5 * H + 1800 },
		/* Lord Howe: +10:30, half an hour more in summer. */
		{ "Australia/Lord_Howe", utc(2026, 4, 4, 14, 59, 59), 11 * H },
		{ "Australia/Lord_Howe", utc(2026, 4, 4, 15, 0, 0),
		    10 * H + 1800 },
		{ "Australia/Lord_Howe", utc(2026, 10, 3, 15, 29, 59),
		    10 * H + 1800 },
		{ "Australia/Lord_Howe", utc(2026, 10, 3, 15, 30, 0), 11 * H },
		/* Santiago: changes at midnight. */
		{ "America/Santiago", utc(2026, 4, 5, 2, 59, 59), -3 * H },
		{ "America/Santiago", utc(2026, 4, 5, 3, 0, 0), -4 * H },
		{ "America/Santiago", utc(2026, 9, 6, 3, 59, 59), -4 * H },
		{ "America/Santiago", utc(2026, 9, 6, 4, 0, 0), -3 * H },
		{ "UTC", utc(2026, 3, 29, 1, 0, 0), 0 },
	};
	struct tz	*tz;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		tz = load(c[i].zone);
		if (tz_offset_at(tz, c[i].t) != c[i].off)
			fail_msg("%s at %lld: offset %d, want %d", c[i].zone,
			    (long long)c[i].t, tz_offset_at(tz, c[i].t),
			    c[i].off);
		tz_free(tz);
	}
}

/* 2026-12-01T23:30:00-05:00 = 2026-12-02T04:30Z on three calendars. */
static void
test_local(void **state)
{
	static const struct {
		const char	*zone;
		int		 y;
		unsigned	 m, d;
		int32_t		 sec;
	} c[] = {
		{ "UTC", 2026, 12, 2, 4 * H + 1800 },
		{ "Europe/Paris", 2026, 12, 2, 5 * H + 1800 },
		{ "America/New_York", 2026, 12, 1, 23 * H + 1800 },
		{ "Asia/Kathmandu", 2026, 12, 2, 10 * H + 900 },
		{ "Australia/Lord_Howe", 2026, 12, 2, 15 * H + 1800 },
	};
	struct tz	*tz;
	int64_t		 t = utc(2026, 12, 2, 4, 30, 0);
	int32_t		 day, sec;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		tz = load(c[i].zone);
		tz_local(tz, t, &day, &sec);
		if (day != day_of(c[i].y, c[i].m, c[i].d) || sec != c[i].sec)
			fail_msg("%s: day %d sec %d, want %d %d", c[i].zone,
			    day, sec, day_of(c[i].y, c[i].m, c[i].d),
			    c[i].sec);
		tz_free(tz);
	}
	/* Before 1970: days are negative, seconds still 0..86399. */
	tz = load("America/New_York");
	tz_local(tz, utc(1969, 12, 31, 4, 0, 0), &day, &sec);
	assert_int_equal(day, day_of(1969, 12, 30));
	assert_int_equal(sec, 23 * H);
	/* Extremes are clamped, not overflowed. */
	tz_local(tz, INT64_MAX, &day, &sec);
	assert_true(day > 2000000000 && sec >= 0 && sec < 86400);
	tz_local(tz, INT64_MIN, &day, &sec);
	assert_true(day < -2000000000 && sec >= 0 && sec < 86400);
	tz_free(tz);
}

struct day_case {
	const char	*zone;
	int		 y;
	unsigned	 m, d;
	int64_t		 start;
	int32_t		 len;
};

static void
test_days(void **state)
{
	const struct day_case c[] = {
		{ "Europe/Paris", 2026, 3, 28, utc(2026, 3, 27, 23, 0, 0),
		    24 * H },
		{ "Europe/Paris", 2026, 3, 29, utc(2026, 3, 28, 23, 0, 0),
		    23 * H },
		{ "Europe/Paris", 2026, 3, 30, utc(2026, 3, 29, 22, 0, 0),
		    24 * H },
		{ "Europe/Paris", 2026, 10, 25, utc(2026, 10, 24, 22, 0, 0),
		    25 * H },
		{ "Europe/Paris", 2026, 10, 26, utc(2026, 10, 25, 23, 0, 0),
		    24 * H },
		{ "America/New_York", 2026, 3, 8, utc(2026, 3, 8, 5, 0, 0),
		    23 * H },
		{ "America/New_York", 2026, 11, 1, utc(2026, 11, 1, 4, 0, 0),
		    25 * H },
		{ "America/New_York", 2026, 11, 2, utc(2026, 11, 2, 5, 0, 0),
		    24 * H },
		{ "America/New_York", 2026, 12, 1, utc(2026, 12, 1, 5, 0, 0),
		    24 * H },
		{ "UTC", 2026, 3, 29, utc(2026, 3, 29, 0, 0, 0), 24 * H },
		{ "Asia/Kathmandu", 2026, 3, 29, utc(2026, 3, 28, 18, 15, 0),
		    24 * H },
		{ "Australia/Lord_Howe", 2026, 4, 5,
		    utc(2026, 4, 4, 13, 0, 0), 24 * H + 1800 },
		{ "Australia/Lord_Howe", 2026, 10, 4,
		    utc(2026, 10, 3, 13, 30, 0), 24 * H - 1800 },
		/* Santiago springs forward at midnight: the day starts at
		 * 01:00 -03. It falls back from Sunday 00:00 to Saturday
		 * 23:00: Saturday has 25 hours, Sunday starts at 00:00 -04. */
		{ "America/Santiago", 2026, 9, 6, utc(2026, 9, 6, 4, 0, 0),
		    23 * H },
		{ "America/Santiago", 2026, 4, 4, utc(2026, 4, 4, 3, 0, 0),
		    25 * H },
		{ "America/Santiago", 2026, 4, 5, utc(2026, 4, 5, 4, 0, 0),
		    24 * H },
		/* Samoa skipped 2011-12-30 when it crossed the date line. */
		{ "Pacific/Apia", 2011, 12, 30, utc(2011, 12, 30, 10, 0, 0),
		    0 },
		{ "Pacific/Apia", 2011, 12, 31, utc(2011, 12, 30, 10, 0, 0),
		    24 * H },
	};
	struct tz	*tz;
	int32_t		 day, sec, d;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		tz = load(c[i].zone);
		d = day_of(c[i].y, c[i].m, c[i].d);
		if (tz_day_start(tz, d) != c[i].start ||
		    tz_day_length(tz, d) != c[i].len)
			fail_msg("%s %d-%02u-%02u: start %lld len %d, want "
			    "%lld %d", c[i].zone, c[i].y, c[i].m, c[i].d,
			    (long long)tz_day_start(tz, d),
			    tz_day_length(tz, d), (long long)c[i].start,
			    c[i].len);
		/* The start is on the day (unless the day was skipped), and
		 * the instant before it is not. */
		tz_local(tz, c[i].start, &day, &sec);
		if (c[i].len != 0)
			assert_int_equal(day, d);
		tz_local(tz, c[i].start - 1, &day, &sec);
		assert_true(day < d);
		tz_free(tz);
	}
}

struct wall_case {
	const char	*zone;
	int		 y;
	unsigned	 m, d;
	int32_t		 sec;
	int64_t		 t;
};

static void
test_local_to_utc(void **state)
{
	const struct wall_case c[] = {
		/* Ordinary times. */
		{ "Europe/Paris", 2026, 12, 2, 5 * H + 1800,
		    utc(2026, 12, 2, 4, 30, 0) },
		{ "America/New_York", 2026, 12, 1, 23 * H + 1800,
		    utc(2026, 12, 2, 4, 30, 0) },
		{ "Asia/Kathmandu", 2026, 12, 2, 10 * H + 900,
		    utc(2026, 12, 2, 4, 30, 0) },
		/* Gaps: 02:30 reads as 03:30 after the change. */
		{ "Europe/Paris", 2026, 3, 29, 2 * H + 1800,
		    utc(2026, 3, 29, 1, 30, 0) },
		{ "Europe/Paris", 2026, 3, 29, 2 * H,
		    utc(2026, 3, 29, 1, 0, 0) },
		{ "Europe/Paris", 2026, 3, 29, 3 * H,
		    utc(2026, 3, 29, 1, 0, 0) },
		{ "Europe/Paris", 2026, 3, 29, 1 * H + 3599,
		    utc(2026, 3, 29, 0, 59, 59) },
		{ "America/New_York", 2026, 3, 8, 2 * H + 1800,
		    utc(2026, 3, 8, 7, 30, 0) },
		{ "America/Santiago", 2026, 9, 6, 1800,
		    utc(2026, 9, 6, 4, 30, 0) },
		{ "Australia/Lord_Howe", 2026, 10, 4, 2 * H + 900,
		    utc(2026, 10, 3, 15, 30, 0) + 900 },
		/* Overlaps: the earlier instant. */
		{ "Europe/Paris", 2026, 10, 25, 2 * H + 1800,
		    utc(2026, 10, 25, 0, 30, 0) },
		{ "Europe/Paris", 2026, 10, 25, 3 * H,
		    utc(2026, 10, 25, 2, 0, 0) },
		{ "America/New_York", 2026, 11, 1, 1 * H + 1800,
		    utc(2026, 11, 1, 5, 30, 0) },
		{ "America/Santiago", 2026, 4, 4, 23 * H + 1800,
		    utc(2026, 4, 5, 2, 30, 0) },
		/* Seconds past the day count into the next one. */
		{ "Europe/Paris", 2026, 3, 28, 24 * H + 2 * H + 1800,
		    utc(2026, 3, 29, 1, 30, 0) },
		{ "UTC", 2026, 3, 29, 2 * H + 1800,
		    utc(2026, 3, 29, 2, 30, 0) },
	};
	struct tz	*tz;
	int64_t		 t;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		tz = load(c[i].zone);
		t = tz_local_to_utc(tz, day_of(c[i].y, c[i].m, c[i].d),
		    c[i].sec);
		if (t != c[i].t)
			fail_msg("%s %d-%02u-%02u +%d: %lld, want %lld",
			    c[i].zone, c[i].y, c[i].m, c[i].d, c[i].sec,
			    (long long)t, (long long)c[i].t);
		tz_free(tz);
	}
}

/*
 * Beyond 2037 the fat TZif files of tzdata stop listing transitions: 2090
 * comes from the footer rule. Paris: last Sundays of March (26th) and
 * October (29th) at 01:00Z; New York: 12 March and 5 November 2090;
 * Sydney (southern): first Sundays of April (2nd, 03:00 AEDT) and October
 * (1st, 02:00 AEST).
 */
static void
test_far_future(void **state)
{
	const struct offset_case c[] = {
		{ "Europe/Paris", utc(2090, 3, 26, 0, 59, 59), 1 * H },
		{ "Europe/Paris", utc(2090, 3, 26, 1, 0, 0), 2 * H },
		{ "Europe/Paris", utc(2090, 10, 29, 0, 59, 59), 2 * H },
		{ "Europe/Paris", utc(2090, 10, 29, 1, 0, 0), 1 * H },
		{ "America/New_York", utc(2090, 3, 12, 6, 59, 59), -5 * H },
		{ "America/New_York", utc(2090, 3, 12, 7, 0, 0), -4 * H },
		{ "America/New_York", utc(2090, 11, 5, 5, 59, 59), -4 * H },
		{ "America/New_York", utc(2090, 11, 5, 6, 0, 0), -5 * H },
		{ "Australia/Sydney", utc(2090, 4, 1, 15, 59, 59), 11 * H },
		{ "Australia/Sydney", utc(2090, 4, 1, 16, 0, 0), 10 * H },
		{ "Australia/Sydney", utc(2090, 9, 30, 15, 59, 59), 10 * H },
		{ "Australia/Sydney", utc(2090, 9, 30, 16, 0, 0), 11 * H },
		/* Years far out: 2026's rule in year 402026 (same calendar,
		 * 1000 cycles of 400 years later). */
		{ "Europe/Paris", utc(2026, 3, 29, 0, 59, 59) +
		    INT64_C(1000) * 146097 * 86400, 1 * H },
		{ "Europe/Paris", utc(2026, 3, 29, 1, 0, 0) +
		    INT64_C(1000) * 146097 * 86400, 2 * H },
	};
	struct tz	*tz;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		tz = load(c[i].zone);
		if (tz_offset_at(tz, c[i].t) != c[i].off)
			fail_msg("%s at %lld: offset %d, want %d", c[i].zone,
			    (long long)c[i].t, tz_offset_at(tz, c[i].t),
			    c[i].off);
		tz_free(tz);
	}
	tz = load("Europe/Paris");
	assert_true(tz_offset_at(tz, INT64_MAX) == 1 * H ||
	    tz_offset_at(tz, INT64_MAX) == 2 * H);
	assert_true(tz_offset_at(tz, INT64_MIN) == 561);	/* LMT */
	assert_int_equal(tz_day_length(tz, day_of(2090, 3, 26)), 23 * H);
	assert_int_equal(tz_day_length(tz, day_of(2090, 10, 29)), 25 * H);
	assert_int_equal(tz_local_to_utc(tz, day_of(2090, 3, 26), 2 * H + 1800),
	    utc(2090, 3, 26, 1, 30, 0));
	tz_free(tz);
}

/* ---- Synthetic TZif files ---- */

struct tzif_spec {
	int		 version;	/* 1..4 */
	int		 ntrans;
	int64_t		 trans[4];
	uint8_t		 idx[4];
	int		 ntypes;
	int32_t		 utoff[4];
	uint8_t		 isdst[4];
	const char	*footer;	/* the TZ string, without newlines */
};

static size_t
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return 4;
}

static size_t
put_header(uint8_t *p, int version, uint32_t timecnt, uint32_t typecnt,
    uint32_t charcnt)
{
	memset(p, 0, 44);
	memcpy(p, "TZif", 4);
	p[4] = version == 1 ? 0 : '0' + version;
	put_u32(p + 32, timecnt);
	put_u32(p + 36, typecnt);
	put_u32(p + 40, charcnt);
	return 44;
}

/* A TZif file as zic could write it. *v2 is the offset of the second
 * header (0 for version 1). */
static size_t
tzif_build(const struct tzif_spec *s, uint8_t *buf, size_t *v2)
{
	size_t	n = 0;
	int	i;

	*v2 = 0;
	if (s->version != 1) {
		/* A minimal 32-bit part: one UTC type, as zic -b slim. */
		n += put_header(buf, s->version, 0, 1, 4);
		n += put_u32(buf + n, 0);
		buf[n++] = 0;
		buf[n++] = 0;
		memcpy(buf + n, "UTC", 4);
		n += 4;
		*v2 = n;
	}
	n += put_header(buf + n, s->version, s->ntrans, s->ntypes, 4);
	for (i = 0; i < s->ntrans; i++) {
		if (s->version != 1) {
			n += put_u32(buf + n, (uint64_t)s->trans[i] >> 32);
			n += put_u32(buf + n, (uint32_t)s->trans[i]);
		} else
			n += put_u32(buf + n, (uint32_t)s->trans[i]);
	}
	for (i = 0; i < s->ntrans; i++)
		buf[n++] = s->idx[i];
	for (i = 0; i < s->ntypes; i++) {
		n += put_u32(buf + n, (uint32_t)s->utoff[i]);
		buf[n++] = s->isdst[i];
		buf[n++] = 0;
	}
	memcpy(buf + n, "XYZ", 4);
	n += 4;
	if (s->version != 1)
		n += sprintf((char *)buf + n, "\n%s\n", s->footer);
	return n;
}

static struct tz *
from_spec(const struct tzif_spec *s)
{
	uint8_t		 buf[1024];
	size_t		 len, v2;
	struct tz	*tz;
	char		*cause = NULL;

	len = tzif_build(s, buf, &v2);
	if ((tz = tz_from_tzif("Test/Zone", buf, len, &cause)) == NULL)
		fail_msg("synthetic zone refused: %s", cause);
	return tz;
}

/* Zones with no transitions at all: the footer rule alone decides. */
static struct tz *
from_footer(const char *footer)
{
	struct tzif_spec s = { 2, 0, { 0 }, { 0 }, 1, { 0 }, { 0 }, NULL };

	s.footer = footer;
	return from_spec(&s);
}

struct rule_case {
	const char	*footer;
	int64_t		 t;
	int32_t		 off;
};

/* The POSIX rule engine on its own, with the shapes tzdata uses. */
static void
test_footer_rules(void **state)
{
	const struct rule_case c[] = {
		/* Paris's footer gives Paris's 2026. */
		{ "CET-1CEST,M3.5.0,M10.5.0/3", utc(2026, 3, 29, 0, 59, 59),
		    1 * H },
		{ "CET-1CEST,M3.5.0,M10.5.0/3", utc(2026, 3, 29, 1, 0, 0),
		    2 * H },
		{ "CET-1CEST,M3.5.0,M10.5.0/3", utc(2026, 10, 25, 0, 59, 59),
		    2 * H },
		{ "CET-1CEST,M3.5.0,M10.5.0/3", utc(2026, 10, 25, 1, 0, 0),
		    1 * H },
		{ "EST5EDT,M3.2.0,M11.1.0", utc(2026, 3, 8, 7, 0, 0), -4 * H },
		{ "EST5EDT,M3.2.0,M11.1.0", utc(2026, 11, 1, 6, 0, 0), -5 * H },
		/* Daylight time without dates: the US rule. */
		{ "EST5EDT", utc(2026, 3, 8, 7, 0, 0), -4 * H },
		{ "EST5EDT", utc(2026, 3, 8, 6, 59, 59), -5 * H },
		/* Fixed offsets, quoted names, minutes. */
		{ "<+0545>-5:45", utc(2026, 6, 1, 0, 0, 0), 5 * H + 2700 },
		{ "<-0330>3:30", utc(2026, 6, 1, 0, 0, 0), -3 * H - 1800 },
		{ "<+14>-14", utc(2026, 6, 1, 0, 0, 0), 14 * H },
		{ "UTC0", utc(2026, 6, 1, 0, 0, 0), 0 },
		/* Southern hemisphere: DST across the new year. */
		{ "AEST-10AEDT,M10.1.0,M4.1.0/3", utc(2026, 1, 15, 0, 0, 0),
		    11 * H },
		{ "AEST-10AEDT,M10.1.0,M4.1.0/3", utc(2026, 6, 15, 0, 0, 0),
		    10 * H },
		{ "AEST-10AEDT,M10.1.0,M4.1.0/3", utc(2026, 12, 31, 23, 0, 0),
		    11 * H },
		/* Lord Howe: DST of half an hour. */
		{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", utc(2026, 10, 3,
		    15, 30, 0), 11 * H },
		{ "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", utc(2026, 10, 3,
		    15, 29, 59), 10 * H + 1800 },
		/* Negative times (Nuuk): -02 springs to -01 at Saturday
		 * 23:00 before the last Sunday of March (01:00Z). */
		{ "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", utc(2026, 3, 29, 0, 59,
		    59), -2 * H },
		{ "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", utc(2026, 3, 29, 1, 0, 0),
		    -1 * H },
		{ "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", utc(2026, 10, 25, 0, 59,
		    59), -1 * H },
		{ "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", utc(2026, 10, 25, 1, 0,
		    0), -2 * H },
		/* Times past 24h (Israel): Friday before the last Sunday of
		 * March at 02:00 = Thursday /26. 2026-03-27 00:00Z. */
		{ "IST-2IDT,M3.4.4/26,M10.5.0", utc(2026, 3, 26, 23, 59, 59),
		    2 * H },
		{ "IST-2IDT,M3.4.4/26,M10.5.0", utc(2026, 3, 27, 0, 0, 0),
		    3 * H },
		/* All-year daylight time. */
		{ "EST5EDT,0/0,J365/25", utc(2026, 1, 1, 0, 0, 0), -4 * H },
		{ "EST5EDT,0/0,J365/25", utc(2026, 12, 31, 23, 0, 0), -4 * H },
		{ "EST5EDT,0/0,J365/25", utc(2028, 12, 31, 23, 0, 0), -4 * H },
		{ "EST5EDT,0/0,J365/25", utc(2026, 7, 1, 0, 0, 0), -4 * H },
		/* Julian days: J60 is March 1 even in leap years; 59 is
		 * February 29 in 2028, March 1 in 2027. */
		{ "AAA0BBB,J60/0,J300/0", utc(2028, 2, 29, 23, 59, 59), 0 },
		{ "AAA0BBB,J60/0,J300/0", utc(2028, 3, 1, 0, 0, 0), 1 * H },
		{ "AAA0BBB,59/0,300/0", utc(2028, 2, 29, 0, 0, 0), 1 * H },
		{ "AAA0BBB,59/0,300/0", utc(2028, 2, 28, 23, 59, 59), 0 },
		{ "AAA0BBB,59/0,300/0", utc(2027, 2, 28, 23, 59, 59), 0 },
		{ "AAA0BBB,59/0,300/0", utc(2027, 3, 1, 0, 0, 0), 1 * H },
		/* Fifth week means last: M2.5.0 in 2026 is February 22. */
		{ "AAA0BBB,M2.5.0/0,M11.1.0", utc(2026, 2, 21, 23, 59, 59),
		    0 },
		{ "AAA0BBB,M2.5.0/0,M11.1.0", utc(2026, 2, 22, 0, 0, 0),
		    1 * H },
	};
	struct tz	*tz;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		tz = from_footer(c[i].footer);
		if (tz_offset_at(tz, c[i].t) != c[i].off)
			fail_msg("\"%s\" at %lld: offset %d, want %d",
			    c[i].footer, (long long)c[i].t,
			    tz_offset_at(tz, c[i].t), c[i].off);
		tz_free(tz);
	}
}

/* Transitions first, the footer after the last one; version 1 files. */
static void
test_transitions_then_footer(void **state)
{
	struct tzif_spec s = {
		2, 2, { -1000000000, 1000000000 }, { 1, 0 }, 2,
		{ 600, 3600 }, { 0, 0 }, "<+02>-2"
	};
	struct tz	*tz;

	(void)state;
	tz = from_spec(&s);
	assert_int_equal(tz_offset_at(tz, -1000000001), 600);	/* type 0 */
	assert_int_equal(tz_offset_at(tz, -1000000000), 3600);
	assert_int_equal(tz_offset_at(tz, 999999999), 3600);
	assert_int_equal(tz_offset_at(tz, 1000000000), 7200);	/* footer */
	assert_string_equal(tz_name(tz), "Test/Zone");
	tz_free(tz);

	/* Empty footer: the last type stays. */
	s.footer = "";
	tz = from_spec(&s);
	assert_int_equal(tz_offset_at(tz, 2000000000), 600);
	tz_free(tz);

	/* Version 1: 32-bit times, no footer. */
	s.version = 1;
	tz = from_spec(&s);
	assert_int_equal(tz_offset_at(tz, 0), 3600);
	assert_int_equal(tz_offset_at(tz, 2000000000), 600);
	tz_free(tz);
}

struct hostile_case {
	const char	*what;
	size_t		 at;		/* byte to patch, from the v2 header */
	int		 width;		/* 1 or 4 bytes; 0: truncate at `at` */
	uint32_t	 value;
	const char	*cause;		/* expected in the cause */
};

/*
 * Hostile bytes: a valid file patched in one place is refused with a cause
 * that names the zone and the fault; every prefix of a real file too.
 */
static void
test_hostile(void **state)
{
	/* v2 block of the spec below: header 44, 2 times 16, 2 indices,
	 * 2 types 12, "XYZ\0", footer. */
	static const struct hostile_case c[] = {
		{ "magic", 0, 1, 'X', "bad magic" },
		{ "version", 4, 1, '9', "version" },
		{ "timecnt", 32, 4, 0xffffffff, "exceed" },
		{ "typecnt 0", 36, 4, 0, "no local time types" },
		{ "typecnt big", 36, 4, 0x10000000, "exceed" },
		{ "charcnt big", 40, 4, 0x7fffffff, "exceed" },
		{ "leapcnt", 28, 4, 1, "leap" },
		{ "isstdcnt", 24, 4, 1, "indicator" },
		{ "order", 44 + 8, 4, 0x80000000, "out of order" },
		{ "index", 44 + 16, 1, 2, "index out of range" },
		{ "utoff", 44 + 18, 4, 0x7fffffff, "offset out of range" },
		{ "isdst", 44 + 18 + 4, 1, 7, "daylight flag" },
		{ "abbrind", 44 + 18 + 5, 1, 200, "abbreviation" },
		{ "footer nl", 44 + 34, 1, 'x', "footer" },
		{ "footer bad", 44 + 35, 1, '?', "invalid footer TZ string" },
		{ "footer end", 44 + 35 + 26, 1, 'x', "footer" },
		{ "footer short", 44 + 35 + 5, 0, 0, "footer" },
		{ "no footer", 44 + 34, 0, 0, "missing footer" },
		{ "header cut", 20, 0, 0, "truncated" },
	};
	struct tzif_spec s = {
		2, 2, { 100, 200 }, { 1, 0 }, 2, { 0, 3600 }, { 0, 1 },
		"CET-1CEST,M3.5.0,M10.5.0/3"
	};
	uint8_t		 buf[1024];
	size_t		 len, v2, n, i;
	struct tz	*tz;
	char		*cause;

	(void)state;
	len = tzif_build(&s, buf, &v2);
	assert_int_equal(len, v2 + 44 + 34 + 28);
	cause = NULL;
	tz = tz_from_tzif("Bad/Zone", buf, len, &cause);
	assert_non_null(tz);	/* the unpatched file is fine */
	tz_free(tz);
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		len = tzif_build(&s, buf, &v2);
		n = len;
		if (c[i].width == 1)
			buf[v2 + c[i].at] = (uint8_t)c[i].value;
		else if (c[i].width == 4)
			put_u32(buf + v2 + c[i].at, c[i].value);
		else
			n = v2 + c[i].at;
		cause = NULL;
		tz = tz_from_tzif("Bad/Zone", buf, n, &cause);
		if (tz != NULL)
			fail_msg("%s: accepted", c[i].what);
		if (cause == NULL || strstr(cause, "Bad/Zone") == NULL ||
		    strstr(cause, c[i].cause) == NULL)
			fail_msg("%s: cause \"%s\", want \"%s\"", c[i].what,
			    cause, c[i].cause);
		free(cause);
	}

	/* Bytes after the footer. */
	buf[len] = 'x';
	cause = NULL;
	assert_null(tz_from_tzif("Bad/Zone", buf, len + 1, &cause));
	assert_non_null(strstr(cause, "after the footer"));
	free(cause);
	/* Empty input. */
	cause = NULL;
	assert_null(tz_from_tzif("Bad/Zone", "", 0, &cause));
	assert_non_null(strstr(cause, "truncated header"));
	free(cause);

	/* Every prefix of the file is refused, never read past. */
	for (n = 0; n < len; n++) {
		uint8_t *copy = malloc(n + 1);

		memcpy(copy, buf, n);
		cause = NULL;
		tz = tz_from_tzif("Bad/Zone", copy, n, &cause);
		if (tz != NULL)
			fail_msg("prefix of %zu bytes accepted", n);
		assert_non_null(cause);
		free(cause);
		free(copy);
	}
}

/* A real file: every prefix refused, flipped bytes never crash. */
static void
test_hostile_real_file(void **state)
{
	FILE		*f;
	uint8_t		 buf[8192], *copy;
	size_t		 len, n, i;
	struct tz	*tz;
	char		*cause;
	unsigned	 seed = 12345;

	(void)state;
	if ((f = fopen(ZONEINFO "/Europe/Paris", "rb")) == NULL)
		skip();
	len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	for (n = 0; n < len; n++) {
		copy = malloc(n + 1);	/* exact size: ASan sees overreads */
		memcpy(copy, buf, n);
		cause = NULL;
		if ((tz = tz_from_tzif("Europe/Paris", copy, n, &cause)) !=
		    NULL)
			fail_msg("prefix of %zu of %zu bytes accepted", n, len);
		assert_non_null(cause);
		free(cause);
		free(copy);
	}
	for (i = 0; i < 20000; i++) {
		copy = malloc(len);
		memcpy(copy, buf, len);
		for (n = 0; n < 1 + i % 4; n++) {
			seed = seed * 1103515245 + 12345;
			copy[(seed >> 8) % len] ^= (uint8_t)(1 + (seed >> 20) %
			    255);
		}
		cause = NULL;
		tz = tz_from_tzif("Europe/Paris", copy, len, &cause);
		if (tz != NULL) {
			int32_t d, sec;

			(void)tz_offset_at(tz, utc(2026, 3, 29, 1, 0, 0));
			tz_local(tz, utc(2090, 1, 1, 0, 0, 0), &d, &sec);
			(void)tz_day_length(tz, day_of(2026, 3, 29));
			(void)tz_local_to_utc(tz, day_of(2026, 3, 29), 9000);
			tz_free(tz);
		} else {
			assert_non_null(cause);
			free(cause);
		}
		free(copy);
	}
}

static void
test_bad_footers(void **state)
{
	static const char *bad[] = {
		"CE-1", "CET", "CET-25", "CET-1:60", "CET-1CEST,M13.5.0,M10.5.0",
		"CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0",
		"CET-1CEST,M3.5.0", "CET-1CEST,M3.5.0,M10.5.0/168",
		"CET-1CEST,J0,J300", "CET-1CEST,366,300", "<+1>-1", "<+01-1",
		"CET-1 ", "CET-1CEST,M3.5.0,M10.5.0/3x", "CET-1C",
		"CET-1CEST,,", "-1", "CET-1CEST-2:3x",
	};
	struct tzif_spec s = { 2, 0, { 0 }, { 0 }, 1, { 0 }, { 0 }, NULL };
	uint8_t		 buf[1024];
	size_t		 len, v2, i;
	char		*cause;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		s.footer = bad[i];
		len = tzif_build(&s, buf, &v2);
		cause = NULL;
		if (tz_from_tzif("Bad/Zone", buf, len, &cause) != NULL)
			fail_msg("footer \"%s\" accepted", bad[i]);
		if (strstr(cause, "invalid footer TZ string") == NULL)
			fail_msg("footer \"%s\": cause %s", bad[i], cause);
		free(cause);
	}
}

static void
test_names(void **state)
{
	static const struct {
		const char	*name;
		const char	*cause;
	} c[] = {
		{ "", "empty name" },
		{ "/etc/passwd", "relative" },
		{ "../etc/passwd", "may hold only" },
		{ "Europe/../../etc/passwd", "may hold only" },
		{ "Europe/Paris\n", "may hold only" },
		{ "Europe//Paris", "empty components" },
		{ "Europe/", "relative" },
		{ "zone.tab", "may hold only" },
		{ "Europe/Paris ", "may hold only" },
		{ "Nowhere/Zone", "unknown zone" },
		{ "Europe", "not a regular file" },
	};
	char		 longname[300], *cause;
	struct stat	 st;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		if (strcmp(c[i].name, "Europe") == 0 &&
		    stat(ZONEINFO "/Europe", &st) == -1)
			continue;
		cause = NULL;
		if (tz_load(c[i].name, &cause) != NULL)
			fail_msg("\"%s\" accepted", c[i].name);
		if (cause == NULL || strstr(cause, c[i].cause) == NULL)
			fail_msg("\"%s\": cause \"%s\", want \"%s\"",
			    c[i].name, cause, c[i].cause);
		free(cause);
	}
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	cause = NULL;
	assert_null(tz_load(longname, &cause));
	assert_non_null(strstr(cause, "too long"));
	free(cause);
	cause = NULL;
	assert_null(tz_load(NULL, &cause));
	free(cause);
	assert_true(tz_name_valid("America/Argentina/Buenos_Aires"));
	assert_true(tz_name_valid("Etc/GMT+5"));
	assert_true(tz_name_valid("America/Port-au-Prince"));
	assert_false(tz_name_valid(".."));
	tz_free(NULL);
}

/* UTC is built in: it loads with no zone files at all. */
static void
test_utc_without_tzdata(void **state)
{
	struct tz	*tz;
	char		*cause = NULL;
	int32_t		 day, sec;

	(void)state;
	assert_int_equal(setenv("TZDIR", "/nonexistent-zoneinfo", 1), 0);
	tz = tz_load("UTC", &cause);
	assert_non_null(tz);
	assert_string_equal(tz_name(tz), "UTC");
	assert_int_equal(tz_offset_at(tz, utc(2026, 3, 29, 1, 0, 0)), 0);
	tz_local(tz, utc(2026, 12, 2, 4, 30, 0), &day, &sec);
	assert_int_equal(day, day_of(2026, 12, 2));
	assert_int_equal(sec, 4 * H + 1800);
	assert_int_equal(tz_day_start(tz, day), utc(2026, 12, 2, 0, 0, 0));
	assert_int_equal(tz_day_length(tz, day), 86400);
	tz_free(tz);
	assert_null(tz_load("Europe/Paris", &cause));
	assert_non_null(strstr(cause, "Europe/Paris"));
	assert_non_null(strstr(cause, "unknown zone"));
	free(cause);
	unsetenv("TZDIR");
}

/* ---- Cross-check against libc ---- */

static int nchecked, ntransitions;

static long
libc_offset(const char *zone, int64_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL)
		fail_msg("%s: localtime_r failed at %lld", zone, (long long)t);
	return tm.tm_gmtoff;
}

static int32_t
libc_day(const char *zone, int64_t t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL)
		fail_msg("%s: localtime_r failed at %lld", zone, (long long)t);
	return day_of(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/*
 * Where libc's offset changes between lo and hi (lo's offset differs from
 * hi's), bisect to the exact second and check both sides of it.
 */
static void
check_transition(const struct tz *tz, const char *zone, int64_t lo,
    int64_t hi)
{
	int64_t	mid;
	long	off_lo = libc_offset(zone, lo);

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (libc_offset(zone, mid) == off_lo)
			lo = mid;
		else
			hi = mid;
	}
	if (tz_offset_at(tz, lo) != off_lo ||
	    tz_offset_at(tz, hi) != libc_offset(zone, hi))
		fail_msg("%s: change at %lld: %d -> %d, libc %ld -> %ld",
		    zone, (long long)hi, tz_offset_at(tz, lo),
		    tz_offset_at(tz, hi), off_lo, libc_offset(zone, hi));
	ntransitions++;
}

/*
 * Compare with localtime_r under TZ=zone from `from` to 2100 at an odd step
 * (so instants fall at every time of day), plus the seconds either side of
 * every change libc shows between two steps, found by bisection. Also
 * round-trips local times through tz_local_to_utc and checks the start of
 * each day seen.
 */
static void
crosscheck(const char *zone, int64_t from, int64_t step)
{
	struct tz	*tz;
	struct tm	 tm;
	char		*cause = NULL;
	int64_t		 t, to = utc(2100, 12, 31, 0, 0, 0), back, start;
	time_t		 tt;
	int32_t		 day, sec;
	long		 prev = 0;

	if ((tz = tz_load(zone, &cause)) == NULL)
		fail_msg("tz_load %s: %s", zone, cause);
	setenv("TZ", zone, 1);
	tzset();
	for (t = from; t < to; t += step) {
		tt = (time_t)t;
		if (localtime_r(&tt, &tm) == NULL)
			fail_msg("%s: localtime_r failed", zone);
		if (tz_offset_at(tz, t) != tm.tm_gmtoff)
			fail_msg("%s at %lld: offset %d, libc %ld", zone,
			    (long long)t, tz_offset_at(tz, t), tm.tm_gmtoff);
		if (t != from && tm.tm_gmtoff != prev)
			check_transition(tz, zone, t - step, t);
		prev = tm.tm_gmtoff;
		tz_local(tz, t, &day, &sec);
		if (day != day_of(tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday) || sec != tm.tm_hour * 3600 + tm.tm_min *
		    60 + tm.tm_sec)
			fail_msg("%s at %lld: local %d+%d, libc "
			    "%d-%02d-%02d %02d:%02d:%02d", zone, (long long)t,
			    day, sec, tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		/* Back to UTC: t itself, or an earlier instant showing the
		 * same wall time (the first pass of an overlap). */
		back = tz_local_to_utc(tz, day, sec);
		if (back != t && (back > t || back + tz_offset_at(tz, back) !=
		    t + tz_offset_at(tz, t)))
			fail_msg("%s at %lld: local_to_utc gives %lld", zone,
			    (long long)t, (long long)back);
		/* The day starts on the day, a second earlier is before it,
		 * as libc sees both. */
		start = tz_day_start(tz, day);
		if (start > t || libc_day(zone, start) != day ||
		    libc_day(zone, start - 1) >= day)
			fail_msg("%s at %lld: day %d starts at %lld", zone,
			    (long long)t, day, (long long)start);
		nchecked++;
	}
	tz_free(tz);
}

static void
test_libc_named_zones(void **state)
{
	static const char *zones[] = {
		"Europe/Paris", "America/New_York", "Asia/Kolkata",
		"Asia/Kathmandu", "Australia/Lord_Howe", "America/Santiago",
		"Australia/Sydney", "Europe/London", "Pacific/Apia",
		"Africa/Casablanca", "America/Nuuk", "Asia/Jerusalem",
		"Pacific/Chatham", "America/St_Johns", "Europe/Dublin",
	};
	struct stat	 st;
	size_t		 i;

	(void)state;
	if (stat(ZONEINFO "/Europe/Paris", &st) == -1)
		skip();
	for (i = 0; i < sizeof zones / sizeof zones[0]; i++)
		crosscheck(zones[i], utc(1970, 1, 1, 0, 0, 0),
		    6 * 3600 + 47 * 60 + 13);
	unsetenv("TZ");
}

/*
 * Every zone of the system's tzdata loads (so the footer parser knows
 * every rule in use) and agrees with libc at a coarser step from 1900,
 * before the first transition of most zones (local mean time, type 0).
 */
static void
walk(const char *dir, const char *prefix, int *nzones)
{
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;
	char		 path[1024], name[512], magic[4];
	FILE		*f;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (*prefix == '\0' && (strcmp(e->d_name, "posix") == 0 ||
		    strcmp(e->d_name, "right") == 0 ||
		    strcmp(e->d_name, "localtime") == 0))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		snprintf(name, sizeof name, "%s%s%s", prefix,
		    *prefix != '\0' ? "/" : "", e->d_name);
		if (stat(path, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path, name, nzones);
			continue;
		}
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		if (fread(magic, 1, 4, f) != 4 || memcmp(magic, "TZif", 4)) {
			fclose(f);
			continue;
		}
		fclose(f);
		crosscheck(name, utc(1900, 1, 1, 0, 0, 0),
		    29 * 86400 + 7 * 3600 + 31 * 60 + 7);
		(*nzones)++;
	}
	closedir(d);
}

static void
test_libc_all_zones(void **state)
{
	int	nzones = 0;

	(void)state;
	if (getenv("TZDIR") != NULL)
		unsetenv("TZDIR");
	walk(ZONEINFO, "", &nzones);
	unsetenv("TZ");
	if (nzones == 0)
		skip();
	print_message("%d zones, %d instants and %d changes compared with "
	    "libc\n", nzones, nchecked, ntransitions);
	assert_true(nzones > 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_local_to_utc),
		cmocka_unit_test(test_far_future),
		cmocka_unit_test(test_footer_rules),
		cmocka_unit_test(test_transitions_then_footer),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_hostile_real_file),
		cmocka_unit_test(test_bad_footers),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_utc_without_tzdata),
		cmocka_unit_test(test_libc_named_zones),
		cmocka_unit_test(test_libc_all_zones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
