/*
 * Budget pacing (see budget.h). Every quotient is a floor of exact 128-bit
 * integers: with at most BUDGET_DAYS_MAX days of at most 25 hours (3.3e9
 * seconds) and int64_t micros, a product such as spent * 1e6 * seconds stays
 * below 2^127.
 */
#include <stdint.h>
#include <string.h>

#include "budget.h"
#include "metric.h"
#include "tz.h"
#include "xmalloc.h"

typedef __int128 budget_i128;

/* floor(a / b) for b > 0, saturated to int64_t. */
static int64_t
budget_div(budget_i128 a, budget_i128 b)
{
	budget_i128	q = a / b;

	if (a % b != 0 && a < 0)
		q--;
	if (q > INT64_MAX)
		return INT64_MAX;
	if (q < INT64_MIN)
		return INT64_MIN;
	return (int64_t)q;
}

void
budget_month(const struct tz *tz, int64_t now, int32_t *from, int32_t *to)
{
	int32_t		day, sec;
	int		y;
	unsigned	m, d;

	tz_local(tz, now, &day, &sec);
	metric_civil_from_days(day, &y, &m, &d);
	*from = metric_days_from_civil(y, m, 1);
	if (m == 12)
		*to = metric_days_from_civil(y + 1, 1, 1) - 1;
	else
		*to = metric_days_from_civil(y, m + 1, 1) - 1;
}

void
budget_compute(int64_t budget, int64_t spent, const struct tz *tz,
    int32_t from, int32_t to, int64_t now, struct budget_result *r)
{
	int64_t		start, end, total, elapsed, out;
	int32_t		sec;

	memset(r, 0, sizeof *r);
	r->from = from;
	r->to = to;
	r->runout_day = INT32_MAX;
	if (to < from || (int64_t)to - from + 1 > BUDGET_DAYS_MAX)
		return;
	start = tz_day_start(tz, from);
	end = tz_day_start(tz, to + 1);
	total = end - start;
	if (budget > 0)
		r->used_ppm = budget_div((budget_i128)spent * BUDGET_PPM, budget);
	if (now >= end) {
		r->over = 1;
		r->elapsed_ppm = BUDGET_PPM;
		return;
	}
	if (now < start || budget <= 0 || total <= 0)
		return;

	r->defined = 1;
	elapsed = now - start;
	r->elapsed_ppm = budget_div((budget_i128)elapsed * BUDGET_PPM, total);
	if (elapsed == 0)
		return;
	/* spent / (budget * elapsed / total) */
	r->pacing_ppm = budget_div((budget_i128)spent * BUDGET_PPM * total,
	    (budget_i128)budget * elapsed);
	/* spent / (elapsed / total) */
	r->projected = budget_div((budget_i128)spent * total, elapsed);
	/* Runs out at start + budget / (spent / elapsed), if before the end. */
	if (spent <= 0 ||
	    (budget_i128)budget * elapsed >= (budget_i128)spent * total)
		return;
	out = start + budget_div((budget_i128)budget * elapsed, spent);
	tz_local(tz, out, &r->runout_day, &sec);
}

int
budget_check_flight(int32_t from, int32_t to, char **cause)
{
	char	a[11], b[11];

	metric_format_date(from, a);
	metric_format_date(to, b);
	if (to < from) {
		xasprintf(cause, "budget flight %s to %s ends before it starts",
		    a, b);
		return -1;
	}
	if ((int64_t)to - from + 1 > BUDGET_DAYS_MAX) {
		xasprintf(cause, "budget flight %s to %s is longer than %d days",
		    a, b, BUDGET_DAYS_MAX);
		return -1;
	}
	return 0;
}
