/*
 * Placing times written with an offset on the client's local calendar
 * (ingest_place_local), table-driven, with the system's zones, DST days of
 * Europe/Paris and America/New_York included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest.h"
#include "metric.h"
#include "tz.h"

struct place_case {
	const char	*zone;
	const char	*date;		/* as written */
	int		 hour, minute;
	int32_t		 offset;	/* seconds east of UTC, as written */
	const char	*want_date;	/* on the client's calendar */
	int		 want_hour, want_minute;
};

static const struct place_case cases[] = {
	/* The example: 23:30 in New York is the next day in Paris. */
	{ "Europe/Paris", "2026-12-01", 23, 30, -5 * 3600, "2026-12-02", 5, 30 },
	{ "America/New_York", "2026-12-01", 23, 30, -5 * 3600, "2026-12-01", 23, 30 },
	{ "UTC", "2026-12-01", 23, 30, -5 * 3600, "2026-12-02", 4, 30 },
	/* "Z" and an offset that is the client's own. */
	{ "Europe/Paris", "2026-12-01", 23, 30, 0, "2026-12-02", 0, 30 },
	{ "Europe/Paris", "2026-12-01", 23, 30, 3600, "2026-12-01", 23, 30 },
	/* Paris springs forward on 2026-03-29 at 01:00 UTC. */
	{ "Europe/Paris", "2026-03-29", 0, 59, 0, "2026-03-29", 1, 59 },
	{ "Europe/Paris", "2026-03-29", 1, 0, 0, "2026-03-29", 3, 0 },
	{ "Europe/Paris", "2026-03-28", 22, 30, 0, "2026-03-28", 23, 30 },
	{ "Europe/Paris", "2026-03-29", 22, 30, 0, "2026-03-30", 0, 30 },
	/* Paris falls back on 2026-10-25 at 01:00 UTC: 02:xx twice. */
	{ "Europe/Paris", "2026-10-25", 0, 30, 0, "2026-10-25", 2, 30 },
	{ "Europe/Paris", "2026-10-25", 1, 30, 0, "2026-10-25", 2, 30 },
	{ "Europe/Paris", "2026-10-25", 22, 59, 0, "2026-10-25", 23, 59 },
	{ "Europe/Paris", "2026-10-25", 23, 0, 0, "2026-10-26", 0, 0 },
	/* New York: 2026-03-08 07:00 UTC and 2026-11-01 06:00 UTC. */
	{ "America/New_York", "2026-03-08", 6, 59, 0, "2026-03-08", 1, 59 },
	{ "America/New_York", "2026-03-08", 7, 0, 0, "2026-03-08", 3, 0 },
	{ "America/New_York", "2026-03-08", 4, 59, 0, "2026-03-07", 23, 59 },
	{ "America/New_York", "2026-11-01", 5, 30, 0, "2026-11-01", 1, 30 },
	{ "America/New_York", "2026-11-01", 6, 30, 0, "2026-11-01", 1, 30 },
	{ "America/New_York", "2026-11-02", 4, 59, 0, "2026-11-01", 23, 59 },
	{ "America/New_York", "2026-11-02", 5, 0, 0, "2026-11-02", 0, 0 },
	/* Half-hour zones: 23:45 at +09:30 is 19:45 at +05:30; 23:45 UTC is
	 * 05:15 the next day there. */
	{ "Asia/Kolkata", "2026-12-01", 23, 45, 9 * 3600 + 1800, "2026-12-01", 19, 45 },
	{ "Asia/Kolkata", "2026-12-01", 23, 45, 0, "2026-12-02", 5, 15 },
};

static void
test_place_local(void **state)
{
	struct metric_row r;
	struct tz	*tz;
	char		*cause = NULL, got[11];
	int32_t		 day, want;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if ((tz = tz_load(cases[i].zone, &cause)) == NULL)
			fail_msg("%s (install tzdata)", cause);
		memset(&r, 0, sizeof r);
		assert_int_equal(metric_parse_iso_date(cases[i].date, 10, &day),
		    0);
		assert_int_equal(metric_parse_iso_date(cases[i].want_date, 10,
		    &want), 0);
		r.day = day;
		r.hour = (int8_t)cases[i].hour;
		r.minute = (int8_t)cases[i].minute;
		r.utc_offset = cases[i].offset;
		r.has_offset = 1;
		ingest_place_local(&r, tz);
		metric_format_date(r.day, got);
		if (r.day != want || r.hour != cases[i].want_hour)
			fail_msg("case %zu: %s %s %02d:%02d (offset %d) -> %s "
			    "%02d, want %s %02d", i, cases[i].zone,
			    cases[i].date, cases[i].hour, cases[i].minute,
			    (int)cases[i].offset, got, r.hour,
			    cases[i].want_date, cases[i].want_hour);
		assert_int_equal(r.has_offset, 0);
		assert_int_equal(r.minute, cases[i].want_minute);
		tz_free(tz);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_place_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
