/*
 * Unit tests of budget pacing: the worked example of the design notes
 * (3 000 a month, 1 450 spent by the 14th), a flight budget, months with a
 * DST change (elapsed time by instants), a budget of 0, nothing spent, the
 * clock before, at and after the period, an overspent budget and sums at the
 * edge of int64_t. Zones from the system's tzdata, skipped when absent.
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

#include "budget.h"
#include "metric.h"
#include "tz.h"
#include "tz-fixture.h"

#define H		3600
#define EUR		MICROS_PER_UNIT

/*
 * 3 000 EUR a month, 1 450 EUR spent by the end of the 14th of a 30-day
 * month: pacing 1.0357, projected 3 107.14 EUR, runs out on the 29th.
 */
static void
test_worked_example(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct budget_result	 r;
	int64_t			 now = local(tz, 2026, 11, 15, 0, 0);
	int32_t			 from, to;

	(void)state;
	budget_month(tz, now, &from, &to);
	assert_int_equal(from, day_of(2026, 11, 1));
	assert_int_equal(to, day_of(2026, 11, 30));
	budget_compute(3000 * EUR, 1450 * EUR, tz, from, to, now, &r);
	assert_int_equal(r.defined, 1);
	assert_int_equal(r.over, 0);
	assert_int_equal(r.from, from);
	assert_int_equal(r.to, to);
	assert_int_equal(r.elapsed_ppm, 466666);	/* 14 / 30 */
	assert_int_equal(r.used_ppm, 483333);		/* 1450 / 3000 */
	assert_int_equal(r.pacing_ppm, 1035714);
	assert_int_equal(r.projected, 3107142857);	/* 3 107.142857 EUR */
	assert_int_equal(r.runout_day, day_of(2026, 11, 29));
	tz_free(tz);
}

/* A 10-day flight in June; then one across New York's 25-hour day. */
static void
test_flight(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct budget_result	 r;
	int32_t			 from = day_of(2026, 6, 10), to = day_of(2026, 6, 19);
	int64_t			 now = local(tz, 2026, 6, 14, 0, 0);

	(void)state;
	/* 4 of 10 days gone, a quarter spent: under-pacing, no run-out. */
	budget_compute(1000 * EUR, 250 * EUR, tz, from, to, now, &r);
	assert_int_equal(r.defined, 1);
	assert_int_equal(r.elapsed_ppm, 400000);
	assert_int_equal(r.used_ppm, 250000);
	assert_int_equal(r.pacing_ppm, 625000);
	assert_int_equal(r.projected, 625 * EUR);
	assert_int_equal(r.runout_day, INT32_MAX);
	/* 600 spent: runs out 6 2/3 days in, on 16 June at 16:00. */
	budget_compute(1000 * EUR, 600 * EUR, tz, from, to, now, &r);
	assert_int_equal(r.pacing_ppm, 1500000);
	assert_int_equal(r.projected, 1500 * EUR);
	assert_int_equal(r.runout_day, day_of(2026, 6, 16));
	/* Exactly on pace: runs out at the very end, not before. */
	budget_compute(1000 * EUR, 400 * EUR, tz, from, to, now, &r);
	assert_int_equal(r.pacing_ppm, 1000000);
	assert_int_equal(r.projected, 1000 * EUR);
	assert_int_equal(r.runout_day, INT32_MAX);
	/* A hair over pace: runs out in the last second, on the last day. */
	budget_compute(1000 * EUR, 400 * EUR + 1, tz, from, to, now, &r);
	assert_int_equal(r.runout_day, to);
	tz_free(tz);

	/*
	 * New York, 31 Oct to 1 Nov 2026: 24 + 25 hours. At 1 Nov 00:00 the
	 * elapsed fraction is 24/49, not 1/2.
	 */
	tz = load("America/New_York");
	from = day_of(2026, 10, 31);
	to = day_of(2026, 11, 1);
	budget_compute(490 * EUR, 240 * EUR, tz, from, to,
	    local(tz, 2026, 11, 1, 0, 0), &r);
	assert_int_equal(r.defined, 1);
	assert_int_equal(r.elapsed_ppm, 489795);	/* 24 / 49 */
	assert_int_equal(r.pacing_ppm, 1000000);
	assert_int_equal(r.projected, 490 * EUR);
	assert_int_equal(r.runout_day, INT32_MAX);
	tz_free(tz);
}

/* March 2026 in Paris lasts 31 days less an hour; October an hour more. */
static void
test_dst_month(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct budget_result	 r;
	int64_t			 now;
	int32_t			 from, to;

	(void)state;
	now = local(tz, 2026, 3, 16, 0, 0);
	budget_month(tz, now, &from, &to);
	assert_int_equal(from, day_of(2026, 3, 1));
	assert_int_equal(to, day_of(2026, 3, 31));
	budget_compute(3100 * EUR, 1600 * EUR, tz, from, to, now, &r);
	assert_int_equal(r.defined, 1);
	/* 15 days of 2 674 800 seconds (15/31 would be 483 870). */
	assert_int_equal(r.elapsed_ppm, 484522);
	assert_int_equal(r.pacing_ppm, 1065232);	/* 1066666 by days */
	assert_int_equal(r.projected, 3302222222);
	/* 3100 / 1600 * 15 days = 2 511 000 s: 30 March, 02:30 CEST. */
	assert_int_equal(r.runout_day, day_of(2026, 3, 30));
	/* After the change: 29 days less an hour. */
	now = local(tz, 2026, 3, 30, 0, 0);
	budget_compute(3100 * EUR, 1600 * EUR, tz, from, to, now, &r);
	assert_int_equal(r.elapsed_ppm, 935397);
	/* Midway by the clock is not midway by instants. */
	now = local(tz, 2026, 3, 31, 23, 59) + 59;
	budget_compute(3100 * EUR, 1600 * EUR, tz, from, to, now, &r);
	assert_int_equal(r.defined, 1);
	assert_int_equal(r.elapsed_ppm, 999999);
	budget_compute(3100 * EUR, 1600 * EUR, tz, from, to, now + 1, &r);
	assert_int_equal(r.defined, 0);
	assert_int_equal(r.over, 1);

	/* October: 31 days and an hour; 24 h before the end is not 30/31. */
	now = local(tz, 2026, 10, 31, 0, 0);
	budget_month(tz, now, &from, &to);
	budget_compute(3100 * EUR, 3000 * EUR, tz, from, to, now, &r);
	/* 30 days + 1 h of 31 days + 1 h */
	assert_int_equal(r.elapsed_ppm, 967785);
	tz_free(tz);
}

static void
test_month_bounds(void **state)
{
	struct tz	*tz = load("Europe/Paris");
	int32_t		 from, to;

	(void)state;
	/* 1 November 00:30 in Paris is still 31 October in UTC. */
	budget_month(tz, local(tz, 2026, 11, 1, 0, 30), &from, &to);
	assert_int_equal(from, day_of(2026, 11, 1));
	assert_int_equal(to, day_of(2026, 11, 30));
	budget_month(tz, local(tz, 2026, 12, 31, 23, 59), &from, &to);
	assert_int_equal(from, day_of(2026, 12, 1));
	assert_int_equal(to, day_of(2026, 12, 31));
	budget_month(tz, local(tz, 2028, 2, 10, 12, 0), &from, &to);
	assert_int_equal(to, day_of(2028, 2, 29));
	budget_month(tz, local(tz, 2027, 2, 10, 12, 0), &from, &to);
	assert_int_equal(to, day_of(2027, 2, 28));
	tz_free(tz);
}

static void
test_zero_budget_and_spend(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct budget_result	 r;
	int64_t			 now = local(tz, 2026, 11, 15, 0, 0);
	int32_t			 from = day_of(2026, 11, 1), to = day_of(2026, 11, 30);

	(void)state;
	/* No budget: nothing to pace against, never a division by zero. */
	budget_compute(0, 100 * EUR, tz, from, to, now, &r);
	assert_int_equal(r.defined, 0);
	assert_int_equal(r.over, 0);
	assert_int_equal(r.used_ppm, 0);
	assert_int_equal(r.pacing_ppm, 0);
	assert_int_equal(r.runout_day, INT32_MAX);
	budget_compute(-5, 100 * EUR, tz, from, to, now, &r);
	assert_int_equal(r.defined, 0);
	/* Nothing spent: defined, all zero, never runs out. */
	budget_compute(3000 * EUR, 0, tz, from, to, now, &r);
	assert_int_equal(r.defined, 1);
	assert_int_equal(r.elapsed_ppm, 466666);
	assert_int_equal(r.used_ppm, 0);
	assert_int_equal(r.pacing_ppm, 0);
	assert_int_equal(r.projected, 0);
	assert_int_equal(r.runout_day, INT32_MAX);
	tz_free(tz);
}

static void
test_before_after(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct budget_result	 r;
	int32_t			 from = day_of(2026, 11, 1), to = day_of(2026, 11, 30);
	int64_t			 start = tz_day_start(tz, from);
	int64_t			 end = tz_day_start(tz, to + 1);

	(void)state;
	/* A second before: not started. */
	budget_compute(3000 * EUR, 10 * EUR, tz, from, to, start - 1, &r);
	assert_int_equal(r.defined, 0);
	assert_int_equal(r.over, 0);
	assert_int_equal(r.elapsed_ppm, 0);
	assert_int_equal(r.pacing_ppm, 0);
	assert_int_equal(r.runout_day, INT32_MAX);
	/* At the first instant: defined, nothing elapsed, no pacing yet. */
	budget_compute(3000 * EUR, 10 * EUR, tz, from, to, start, &r);
	assert_int_equal(r.defined, 1);
	assert_int_equal(r.elapsed_ppm, 0);
	assert_int_equal(r.used_ppm, 3333);
	assert_int_equal(r.pacing_ppm, 0);
	assert_int_equal(r.projected, 0);
	assert_int_equal(r.runout_day, INT32_MAX);
	/* One second in: 10 EUR a second empties 3 000 EUR in 300 s. */
	budget_compute(3000 * EUR, 10 * EUR, tz, from, to, start + 1, &r);
	assert_int_equal(r.defined, 1);
	assert_int_equal(r.elapsed_ppm, 0);	/* 1 / 2 592 000 */
	assert_int_equal(r.pacing_ppm, 8640000000LL);
	assert_int_equal(r.runout_day, from);
	/* At the end and after: over, the final use still reported. */
	budget_compute(3000 * EUR, 3300 * EUR, tz, from, to, end, &r);
	assert_int_equal(r.defined, 0);
	assert_int_equal(r.over, 1);
	assert_int_equal(r.elapsed_ppm, 1000000);
	assert_int_equal(r.used_ppm, 1100000);
	assert_int_equal(r.pacing_ppm, 0);
	assert_int_equal(r.runout_day, INT32_MAX);
	budget_compute(3000 * EUR, 3300 * EUR, tz, from, to, end + 86400 * 40,
	    &r);
	assert_int_equal(r.over, 1);
	assert_int_equal(r.defined, 0);
	/* The last second: still running. */
	budget_compute(3000 * EUR, 3300 * EUR, tz, from, to, end - 1, &r);
	assert_int_equal(r.defined, 1);
	assert_int_equal(r.over, 0);
	assert_int_equal(r.elapsed_ppm, 999999);
	tz_free(tz);
}

/* Already spent: the run-out day is the day the average rate used it up. */
static void
test_overspent(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct budget_result	 r;

	(void)state;
	budget_compute(1000 * EUR, 1500 * EUR, tz, day_of(2026, 11, 1),
	    day_of(2026, 11, 30), local(tz, 2026, 11, 15, 0, 0), &r);
	assert_int_equal(r.defined, 1);
	assert_int_equal(r.used_ppm, 1500000);
	/* 1000 / 1500 * 14 days = 9 1/3 days: 10 November. */
	assert_int_equal(r.runout_day, day_of(2026, 11, 10));
	assert_int_equal(r.projected, 3214285714LL);
	tz_free(tz);
}

/* Sums at the edge of int64_t stay exact or saturate; long periods. */
static void
test_extremes(void **state)
{
	struct tz		*tz = load("Europe/Paris");
	struct budget_result	 r;
	int32_t			 from = day_of(2026, 1, 1);
	char			*cause = NULL;

	(void)state;
	budget_compute(INT64_MAX, INT64_MAX, tz, from,
	    from + BUDGET_DAYS_MAX - 1, tz_day_start(tz, from + 1), &r);
	assert_int_equal(r.defined, 1);
	assert_int_equal(r.used_ppm, 1000000);
	assert_int_equal(r.pacing_ppm, 36600000000LL);	/* 36 600 days / 1 */
	assert_int_equal(r.projected, INT64_MAX);
	assert_int_equal(r.runout_day, from + 1);
	budget_compute(1, INT64_MAX, tz, from, from + 29,
	    tz_day_start(tz, from + 1), &r);
	assert_int_equal(r.used_ppm, INT64_MAX);
	/* Longer than BUDGET_DAYS_MAX, or ending before it starts. */
	budget_compute(1000, 10, tz, from, from + BUDGET_DAYS_MAX,
	    tz_day_start(tz, from + 1), &r);
	assert_int_equal(r.defined, 0);
	assert_int_equal(r.over, 0);
	budget_compute(1000, 10, tz, from, from - 1, tz_day_start(tz, from),
	    &r);
	assert_int_equal(r.defined, 0);
	assert_int_equal(budget_check_flight(from, from, &cause), 0);
	assert_int_equal(budget_check_flight(from, from + BUDGET_DAYS_MAX - 1,
	    &cause), 0);
	assert_int_equal(budget_check_flight(from, from - 1, &cause), -1);
	assert_string_equal(cause,
	    "budget flight 2026-01-01 to 2025-12-31 ends before it starts");
	free(cause);
	cause = NULL;
	assert_int_equal(budget_check_flight(from, from + BUDGET_DAYS_MAX,
	    &cause), -1);
	assert_non_null(strstr(cause, "longer than 36600 days"));
	free(cause);
	tz_free(tz);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_flight),
		cmocka_unit_test(test_dst_month),
		cmocka_unit_test(test_month_bounds),
		cmocka_unit_test(test_zero_budget_and_spend),
		cmocka_unit_test(test_before_after),
		cmocka_unit_test(test_overspent),
		cmocka_unit_test(test_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
