/*
 * Budget pacing on the client's calendar: how much of a monthly or flight
 * budget is spent against how much of its period has elapsed, the spend it
 * heads for and the day it runs out at the current burn rate. Money is exact:
 * micros in int64_t, fractions in ppm, every quotient an integer floor
 * computed in 128 bits. Pure: the instant and the zone are passed in.
 *
 * Elapsed time is counted in instants, not days: in a month with a DST
 * change the period is 23 or 25 hours shorter or longer than its days times
 * 24 hours, and the fraction says so.
 */
#ifndef ROIWATCH_BUDGET_H
#define ROIWATCH_BUDGET_H
#include <stdint.h>

struct tz;

#define BUDGET_PPM		1000000
/* Longest period budget_compute() judges, in days (a hundred years). */
#define BUDGET_DAYS_MAX		36600

enum budget_period_kind { BUDGET_MONTH, BUDGET_FLIGHT, BUDGET_PERIOD_MAX };
/*
 * When the period is running (defined), every field is set. Otherwise:
 * elapsed_ppm is 0 before the period and 1e6 after it, used_ppm is still
 * spent / budget when budget > 0, the others are 0 and runout_day INT32_MAX.
 * Quotients that do not fit an int64_t saturate at INT64_MAX or INT64_MIN.
 */
struct budget_result {
	int	 defined;	/* 0: period not started or already over (then see `over`),
				   budget <= 0, or period empty or longer than
				   BUDGET_DAYS_MAX days */
	int	 over;		/* now is after the period's end */
	int64_t	 elapsed_ppm;	/* elapsed fraction of the period by instants, DST-aware, 0..1e6 */
	int64_t	 used_ppm;	/* spent / budget, in ppm (floor) */
	int64_t	 pacing_ppm;	/* spent / (budget * elapsed fraction), ppm (floor); set
				   only when at least one second has elapsed (elapsed_ppm
				   may still read 0 in the first seconds of a long flight),
				   else 0 */
	int64_t	 projected;	/* micros: spent / elapsed fraction (spend at the period's
				   end at the current rate), floor; 0 when nothing elapsed */
	int32_t	 runout_day;	/* local day the budget runs out at the current burn rate;
				   INT32_MAX when it does not run out before the period ends
				   (or nothing spent yet). A day before today when the
				   budget is already spent: the day the average rate
				   would have used it up */
	int32_t	 from, to;	/* the period's days */
};
/* The calendar month containing now (local): its first and last days. */
void	budget_month(const struct tz *, int64_t now, int32_t *from, int32_t *to);
/*
 * Pacing of `spent` micros against `budget` micros over local days
 * [from, to] at instant now: the period runs from the start of `from` to the
 * start of the day after `to` (tz_day_start). The burn rate is spent over
 * the seconds elapsed; the budget runs out at start + budget / rate.
 */
void	budget_compute(int64_t budget, int64_t spent, const struct tz *, int32_t from,
	    int32_t to, int64_t now, struct budget_result *);
/*
 * A flight's days as configured: -1 with *cause when to is before from or
 * the flight is longer than BUDGET_DAYS_MAX days, so that budget_compute()
 * judges it.
 */
int	budget_check_flight(int32_t from, int32_t to, char **cause);

#endif
