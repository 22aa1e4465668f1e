/* Unit tests for rules.c: every transition of the alert state machine. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "kpi.h"
#include "metric.h"
#include "rules.h"

#define U(x)	((int64_t)(x) * MICROS_PER_UNIT)
#define HOUR	3600
#define DAY	86400
#define T0	1700000000LL

/* min 150 %, good news at 200 % (3:1), 20 points of hysteresis. */
static const struct rule_params P = {
	.min_roi_ppm = 1500000,
	.target_roi_ppm = 2000000,
	.has_target = 1,
	.min_spend = U(100),
	.pending_secs = HOUR,
	.hysteresis_ppm = 200000,
	.repeat_secs = DAY,
};

/* Totals with 1 000 of cost and the given ROI in basis points of percent
 * (15000 = 150 %), exactly. */
static struct kpi_totals
roi(int64_t pct_x100)
{
	struct kpi_totals t;

	memset(&t, 0, sizeof t);
	t.cost = U(1000);
	t.revenue = t.cost + t.cost / 10000 * pct_x100;
	t.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	t.samples = 1;
	return t;
}

/*
 * The shorthand rules of minimum_roi / target_roi through the whole path:
 * their definition, the facts of the totals, the judgement, the step.
 */
static enum rule_action
sh_step(enum alert_kind k, const struct rule_params *p,
    const struct kpi_totals *t, int64_t now, struct rule_status *st)
{
	struct rule_def defs[2];
	struct measure_input in;
	struct rule_facts f;
	struct rule_verdict v;
	struct rule_bound b;
	size_t n;

	n = rules_shorthand(p, 0, defs);
	if ((size_t)k >= n)
		return RULE_NONE;
	memset(&in, 0, sizeof in);
	in.t = t;
	rules_facts(&defs[k], &in, NULL, &f);
	rules_bound(&defs[k], NULL, NULL, &b);
	rules_judge(&defs[k], &b, &f, &v);
	return rules_step(&defs[k], &v, now, st);
}

/*
 * The tests up to test_restart give totals of samples that each report cost
 * and revenue: the (cost, revenue) pair is their plain sums, every day complete.
 */
static enum rule_action
judge(enum alert_kind k, const struct rule_params *p,
    const struct kpi_totals *t, int64_t now, struct rule_status *st)
{
	struct kpi_totals c = *t;

	kpi_totals_assume_complete(&c);
	return sh_step(k, p, &c, now, st);
}

static enum rule_action
step(enum alert_kind k, const struct rule_params *p, int64_t pct_x100,
    int64_t now, struct rule_status *st)
{
	struct kpi_totals t = roi(pct_x100);

	return judge(k, p, &t, now, st);
}

#define LOW(pct, now)	step(ALERT_ROI_LOW, &P, (pct), (now), &st)
#define GOOD(pct, now)	step(ALERT_ROI_TARGET, &P, (pct), (now), &st)

static void
test_names(void **state)
{
	int	 i;

	(void)state;
	assert_string_equal(rules_kind_name(ALERT_ROI_LOW), "roi_low");
	assert_string_equal(rules_kind_name(ALERT_ROI_TARGET), "roi_target");
	assert_string_equal(rules_state_name(ALERT_OK), "ok");
	assert_string_equal(rules_state_name(ALERT_PENDING), "pending");
	assert_string_equal(rules_state_name(ALERT_FIRING), "firing");
	assert_string_equal(rules_state_name(ALERT_RESOLVED), "resolved");
	assert_string_equal(rules_action_name(RULE_NONE), "none");
	assert_string_equal(rules_action_name(RULE_FIRE), "fire");
	assert_string_equal(rules_action_name(RULE_REPEAT), "repeat");
	assert_string_equal(rules_action_name(RULE_RESOLVE), "resolve");
	assert_string_equal(rules_action_name(RULE_GOOD), "good");
	assert_string_equal(rules_state_name(ALERT_STATE_MAX), "unknown");
	for (i = 0; i < ALERT_KIND_MAX; i++)
		assert_int_equal(rules_kind_lookup(rules_kind_name(i)), i);
	for (i = 0; i < ALERT_STATE_MAX; i++)
		assert_int_equal(rules_state_lookup(rules_state_name(i)), i);
	assert_int_equal(rules_kind_lookup("roi"), -1);
	assert_int_equal(rules_kind_lookup(NULL), -1);
	assert_int_equal(rules_state_lookup("FIRING"), -1);
	assert_int_equal(rules_state_lookup(""), -1);
}

static void
test_init(void **state)
{
	struct rule_status st;

	(void)state;
	memset(&st, 0xa5, sizeof st);
	rules_status_init(&st, T0);
	assert_int_equal(st.state, ALERT_OK);
	assert_int_equal(st.since, T0);
	assert_int_equal(st.last_notified, 0);
	assert_int_equal(st.judged, 0);
}

/* ok -> pending -> (held) -> firing [FIRE]. */
static void
test_low_pending_then_fire(void **state)
{
	struct rule_status st;

	(void)state;
	rules_status_init(&st, T0);
	assert_int_equal(LOW(16000, T0), RULE_NONE);	/* 160 %: fine */
	assert_int_equal(st.state, ALERT_OK);
	assert_int_equal(st.since, T0);
	assert_true(st.judged);
	assert_int_equal(st.value, 1600000);

	assert_int_equal(LOW(10000, T0 + 10), RULE_NONE);
	assert_int_equal(st.state, ALERT_PENDING);
	assert_int_equal(st.since, T0 + 10);
	assert_int_equal(st.value, 1000000);

	assert_int_equal(LOW(10000, T0 + 10 + HOUR - 1), RULE_NONE);
	assert_int_equal(st.state, ALERT_PENDING);
	assert_int_equal(st.since, T0 + 10);	/* held, not restarted */
	assert_int_equal(st.last_notified, 0);

	assert_int_equal(LOW(10000, T0 + 10 + HOUR), RULE_FIRE);
	assert_int_equal(st.state, ALERT_FIRING);
	assert_int_equal(st.since, T0 + 10 + HOUR);
	assert_int_equal(st.last_notified, T0 + 10 + HOUR);

	/* Still bad, repeat interval not elapsed: quiet. */
	assert_int_equal(LOW(10000, T0 + 2 * HOUR), RULE_NONE);
	assert_int_equal(st.state, ALERT_FIRING);
}

/* pending -> ok when ROI recovers: nothing was ever sent. */
static void
test_low_pending_recovers(void **state)
{
	struct rule_status st;

	(void)state;
	rules_status_init(&st, T0);
	assert_int_equal(LOW(-5000, T0), RULE_NONE);
	assert_int_equal(st.state, ALERT_PENDING);
	assert_int_equal(LOW(15000, T0 + 60), RULE_NONE);	/* = min */
	assert_int_equal(st.state, ALERT_OK);
	assert_int_equal(st.since, T0 + 60);
	assert_int_equal(st.last_notified, 0);
	/* The pending period starts again from the new bad evaluation. */
	assert_int_equal(LOW(-5000, T0 + 120), RULE_NONE);
	assert_int_equal(st.state, ALERT_PENDING);
	assert_int_equal(LOW(-5000, T0 + HOUR + 60), RULE_NONE);
	assert_int_equal(LOW(-5000, T0 + HOUR + 120), RULE_FIRE);
}

static void
test_low_pending_zero_fires_at_once(void **state)
{
	struct rule_params p = P;
	struct rule_status st;

	(void)state;
	p.pending_secs = 0;
	rules_status_init(&st, T0);
	assert_int_equal(step(ALERT_ROI_LOW, &p, 14999, T0, &st), RULE_FIRE);
	assert_int_equal(st.state, ALERT_FIRING);
	assert_int_equal(st.last_notified, T0);
}

/* ROI exactly equal to the minimum is not below it. */
static void
test_low_boundary(void **state)
{
	struct rule_params p = P;
	struct rule_status st;
	struct kpi_totals t = roi(15000);

	(void)state;
	p.pending_secs = 0;
	rules_status_init(&st, T0);
	assert_int_equal(judge(ALERT_ROI_LOW, &p, &t, T0, &st),
	    RULE_NONE);
	assert_int_equal(st.state, ALERT_OK);
	/* One micro of revenue less is below. */
	t.revenue -= 1;
	assert_int_equal(judge(ALERT_ROI_LOW, &p, &t, T0 + 1, &st),
	    RULE_FIRE);
	/* Written as a ratio, the same boundary. */
	p.min_roi_ppm = 0;
	assert_int_equal(kpi_parse_roi_threshold("2.5:1", &p.min_roi_ppm,
	    NULL), 0);
	rules_status_init(&st, T0);
	t.revenue += 1;
	assert_int_equal(judge(ALERT_ROI_LOW, &p, &t, T0, &st),
	    RULE_NONE);
}

/* firing stays firing inside [min, min + hysteresis); resolves at the edge. */
static void
test_low_hysteresis(void **state)
{
	struct rule_status st;

	(void)state;
	rules_status_init(&st, T0);
	LOW(10000, T0);
	assert_int_equal(LOW(10000, T0 + HOUR), RULE_FIRE);
	assert_int_equal(LOW(15000, T0 + 2 * HOUR), RULE_NONE);	/* = min */
	assert_int_equal(st.state, ALERT_FIRING);
	assert_int_equal(LOW(16999, T0 + 3 * HOUR), RULE_NONE);
	assert_int_equal(st.state, ALERT_FIRING);
	/* In the band, ROI is not below the minimum: no repeat either. */
	assert_int_equal(LOW(16000, T0 + HOUR + 2 * DAY), RULE_NONE);
	assert_int_equal(st.state, ALERT_FIRING);
	assert_int_equal(LOW(17000, T0 + 3 * DAY), RULE_RESOLVE);
	assert_int_equal(st.state, ALERT_RESOLVED);
	assert_int_equal(st.since, T0 + 3 * DAY);
	assert_int_equal(st.last_notified, T0 + 3 * DAY);
	/* resolved stays resolved while fine, even inside the band. */
	assert_int_equal(LOW(15500, T0 + 4 * DAY), RULE_NONE);
	assert_int_equal(st.state, ALERT_RESOLVED);
	/* resolved -> pending -> firing again. */
	assert_int_equal(LOW(0, T0 + 5 * DAY), RULE_NONE);
	assert_int_equal(st.state, ALERT_PENDING);
	assert_int_equal(LOW(0, T0 + 5 * DAY + HOUR), RULE_FIRE);
}

static void
test_low_no_hysteresis(void **state)
{
	struct rule_params p = P;
	struct rule_status st;

	(void)state;
	p.pending_secs = 0;
	p.hysteresis_ppm = 0;
	rules_status_init(&st, T0);
	assert_int_equal(step(ALERT_ROI_LOW, &p, 14000, T0, &st), RULE_FIRE);
	assert_int_equal(step(ALERT_ROI_LOW, &p, 15000, T0 + 1, &st),
	    RULE_RESOLVE);
}

static void
test_low_repeat(void **state)
{
	struct rule_params p = P;
	struct rule_status st;
	int64_t	 fired;

	(void)state;
	rules_status_init(&st, T0);
	LOW(0, T0);
	fired = T0 + HOUR;
	assert_int_equal(LOW(0, fired), RULE_FIRE);
	assert_int_equal(LOW(0, fired + DAY - 1), RULE_NONE);
	assert_int_equal(LOW(0, fired + DAY), RULE_REPEAT);
	assert_int_equal(st.last_notified, fired + DAY);
	assert_int_equal(st.since, fired);	/* no state change */
	assert_int_equal(st.state, ALERT_FIRING);
	assert_int_equal(LOW(0, fired + DAY + 1), RULE_NONE);
	assert_int_equal(LOW(0, fired + 2 * DAY + 5), RULE_REPEAT);
	assert_int_equal(LOW(0, fired + 3 * DAY), RULE_NONE);

	/* repeat_secs 0: never repeat. */
	p.repeat_secs = 0;
	p.pending_secs = 0;
	rules_status_init(&st, T0);
	assert_int_equal(step(ALERT_ROI_LOW, &p, 0, T0, &st), RULE_FIRE);
	assert_int_equal(step(ALERT_ROI_LOW, &p, 0, T0 + 365 * DAY, &st),
	    RULE_NONE);
	assert_int_equal(st.state, ALERT_FIRING);
}

/* Below min_spend, with cost 0 or without cost/revenue: not judged at all. */
static void
test_low_not_judged(void **state)
{
	struct rule_status st, before;
	struct kpi_totals t;

	(void)state;
	rules_status_init(&st, T0);
	t = roi(-10000);
	t.cost = U(99);
	t.revenue = 0;
	assert_int_equal(judge(ALERT_ROI_LOW, &P, &t, T0, &st), RULE_NONE);
	assert_false(st.judged);
	assert_int_equal(st.state, ALERT_OK);
	assert_int_equal(st.since, T0);
	/* Exactly min_spend is judged. */
	t.cost = U(100);
	assert_int_equal(judge(ALERT_ROI_LOW, &P, &t, T0 + 1, &st),
	    RULE_NONE);
	assert_true(st.judged);
	assert_int_equal(st.state, ALERT_PENDING);
	assert_int_equal(st.value, -1000000);

	/* Once pending, thin data neither advances nor resets it. */
	before = st;
	t.cost = U(50);
	assert_int_equal(judge(ALERT_ROI_LOW, &P, &t, T0 + 2 * HOUR, &st),
	    RULE_NONE);
	assert_false(st.judged);
	assert_int_equal(st.state, ALERT_PENDING);
	assert_int_equal(st.since, before.since);
	assert_int_equal(st.value, before.value);

	/* Firing: unjudged evaluations neither resolve nor repeat. */
	t.cost = U(100);
	assert_int_equal(judge(ALERT_ROI_LOW, &P, &t, T0 + 2 * HOUR, &st),
	    RULE_FIRE);
	t = roi(50000);
	t.present = MF_BIT(MF_REVENUE);		/* cost not reported */
	assert_int_equal(judge(ALERT_ROI_LOW, &P, &t, T0 + 5 * DAY, &st),
	    RULE_NONE);
	assert_false(st.judged);
	assert_int_equal(st.state, ALERT_FIRING);
	t.present = MF_BIT(MF_COST);		/* revenue not reported */
	assert_int_equal(judge(ALERT_ROI_LOW, &P, &t, T0 + 5 * DAY, &st),
	    RULE_NONE);
	assert_false(st.judged);
	t = roi(50000);
	t.cost = 0;				/* ROI undefined */
	assert_int_equal(judge(ALERT_ROI_LOW, &P, &t, T0 + 5 * DAY, &st),
	    RULE_NONE);
	assert_false(st.judged);
	assert_int_equal(st.state, ALERT_FIRING);
	t = roi(50000);
	assert_int_equal(judge(ALERT_ROI_LOW, &P, &t, T0 + 5 * DAY, &st),
	    RULE_RESOLVE);
}

/* min_spend 0 still needs cost > 0. */
static void
test_low_zero_min_spend(void **state)
{
	struct rule_params p = P;
	struct rule_status st;
	struct kpi_totals t;

	(void)state;
	p.min_spend = 0;
	p.pending_secs = 0;
	rules_status_init(&st, T0);
	t = roi(0);
	t.cost = 0;
	t.revenue = 0;
	assert_int_equal(judge(ALERT_ROI_LOW, &p, &t, T0, &st), RULE_NONE);
	assert_false(st.judged);
	t.cost = 1;
	assert_int_equal(judge(ALERT_ROI_LOW, &p, &t, T0, &st), RULE_FIRE);
}

static void
test_low_negative_minimum(void **state)
{
	struct rule_params p = P;
	struct rule_status st;

	(void)state;
	p.min_roi_ppm = -200000;	/* -20 % */
	p.pending_secs = 0;
	rules_status_init(&st, T0);
	assert_int_equal(step(ALERT_ROI_LOW, &p, -2000, T0, &st), RULE_NONE);
	assert_int_equal(step(ALERT_ROI_LOW, &p, -2001, T0, &st), RULE_FIRE);
	assert_int_equal(step(ALERT_ROI_LOW, &p, -1, T0, &st), RULE_NONE);
	assert_int_equal(step(ALERT_ROI_LOW, &p, 0, T0, &st), RULE_RESOLVE);
}

/* Good news: pending, GOOD once, silent return to ok below target - band. */
static void
test_target(void **state)
{
	struct rule_status st;

	(void)state;
	rules_status_init(&st, T0);
	assert_int_equal(GOOD(19999, T0), RULE_NONE);
	assert_int_equal(st.state, ALERT_OK);
	assert_int_equal(GOOD(20000, T0 + 1), RULE_NONE);	/* = target */
	assert_int_equal(st.state, ALERT_PENDING);
	assert_int_equal(GOOD(19000, T0 + 2), RULE_NONE);	/* fell back */
	assert_int_equal(st.state, ALERT_OK);
	assert_int_equal(GOOD(25000, T0 + 3), RULE_NONE);
	assert_int_equal(st.state, ALERT_PENDING);
	assert_int_equal(GOOD(25000, T0 + 3 + HOUR), RULE_GOOD);
	assert_int_equal(st.state, ALERT_FIRING);
	assert_int_equal(st.last_notified, T0 + 3 + HOUR);
	/* Good news is told once: no repeat. */
	assert_int_equal(GOOD(25000, T0 + 30 * DAY), RULE_NONE);
	/* Within the band below target: still "reached". */
	assert_int_equal(GOOD(18000, T0 + 31 * DAY), RULE_NONE);
	assert_int_equal(st.state, ALERT_FIRING);
	/* Below target - hysteresis: silently back to ok. */
	assert_int_equal(GOOD(17999, T0 + 32 * DAY), RULE_NONE);
	assert_int_equal(st.state, ALERT_OK);
	assert_int_equal(st.since, T0 + 32 * DAY);
	/* And reaching it again is news again. */
	assert_int_equal(GOOD(20000, T0 + 33 * DAY), RULE_NONE);
	assert_int_equal(GOOD(20000, T0 + 33 * DAY + HOUR), RULE_GOOD);
}

static void
test_target_absent_or_thin(void **state)
{
	struct rule_params p = P;
	struct rule_status st;
	struct kpi_totals t = roi(90000);

	(void)state;
	p.has_target = 0;
	p.pending_secs = 0;
	rules_status_init(&st, T0);
	assert_int_equal(judge(ALERT_ROI_TARGET, &p, &t, T0, &st),
	    RULE_NONE);
	assert_int_equal(st.state, ALERT_OK);
	p.has_target = 1;
	t.cost = U(10);
	t.revenue = U(100);
	assert_int_equal(judge(ALERT_ROI_TARGET, &p, &t, T0, &st),
	    RULE_NONE);
	assert_false(st.judged);
	assert_int_equal(st.state, ALERT_OK);
	t = roi(90000);
	assert_int_equal(judge(ALERT_ROI_TARGET, &p, &t, T0, &st),
	    RULE_GOOD);
}

/* The kinds are independent: one subject can be firing low and ok on target. */
static void
test_kinds_independent(void **state)
{
	struct rule_params p = P;
	struct rule_status low, good;

	(void)state;
	p.pending_secs = 0;
	rules_status_init(&low, T0);
	rules_status_init(&good, T0);
	assert_int_equal(step(ALERT_ROI_LOW, &p, 0, T0, &low), RULE_FIRE);
	assert_int_equal(step(ALERT_ROI_TARGET, &p, 0, T0, &good), RULE_NONE);
	assert_int_equal(good.state, ALERT_OK);
	assert_int_equal(step(ALERT_ROI_LOW, &p, 30000, T0 + 1, &low),
	    RULE_RESOLVE);
	assert_int_equal(step(ALERT_ROI_TARGET, &p, 30000, T0 + 1, &good),
	    RULE_GOOD);
}

/*
 * A restart: the status is saved (here copied byte for byte, as the store
 * would keep its fields) and a fresh process carries on from it.
 */
static void
test_restart(void **state)
{
	struct rule_status st, saved, after;

	(void)state;
	rules_status_init(&st, T0);
	LOW(0, T0);
	memcpy(&saved, &st, sizeof saved);	/* "process" stops, pending */
	memset(&after, 0, sizeof after);
	after.state = saved.state;
	after.since = saved.since;
	after.last_notified = saved.last_notified;
	after.value = saved.value;
	after.judged = saved.judged;
	assert_int_equal(step(ALERT_ROI_LOW, &P, 0, T0 + HOUR - 1, &after),
	    RULE_NONE);
	assert_int_equal(step(ALERT_ROI_LOW, &P, 0, T0 + HOUR, &after),
	    RULE_FIRE);

	/* Restart while firing: no second FIRE, repeat counted from before. */
	saved = after;
	assert_int_equal(step(ALERT_ROI_LOW, &P, 0, T0 + HOUR + 60, &saved),
	    RULE_NONE);
	assert_int_equal(saved.state, ALERT_FIRING);
	assert_int_equal(step(ALERT_ROI_LOW, &P, 0, T0 + HOUR + DAY, &saved),
	    RULE_REPEAT);

	/* A state that comes back corrupt is reset to ok, not trusted. */
	saved.state = (enum alert_state)42;
	assert_int_equal(step(ALERT_ROI_LOW, &P, 0, T0 + 2 * DAY, &saved),
	    RULE_NONE);
	assert_int_equal(saved.state, ALERT_OK);
}

/*
 * Totals of a campaign with `days` days of data of which `complete` have cost
 * and revenue: those sum to `cost` and `revenue`; the other days add extra
 * revenue without cost (or cost without revenue) that must not count.
 */
static struct kpi_totals
partial(int64_t cost, int64_t revenue, int64_t complete, int64_t days)
{
	struct kpi_totals t;

	memset(&t, 0, sizeof t);
	t.cost = cost;
	t.revenue = revenue + U(5000) * (days - complete);
	t.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	t.samples = days;
	t.days = days;
	t.pair[KPI_PAIR_COST_REVENUE].a = cost;
	t.pair[KPI_PAIR_COST_REVENUE].b = revenue;
	t.pair[KPI_PAIR_COST_REVENUE].samples = complete;
	t.pair[KPI_PAIR_COST_REVENUE].days = complete;
	return t;
}

/*
 * The example: 1000 / 500 on one day, 5000 of revenue without cost
 * the next. ROI -50 % over 1 of 2 days: no target news, and the low rule
 * judges it, 50 % meeting the default minimum coverage.
 */
static void
test_coverage_worked_example(void **state)
{
	struct rule_params p = P;
	struct rule_status low, good;
	struct kpi_totals t = partial(U(1000), U(500), 1, 2);

	(void)state;
	p.pending_secs = 0;
	p.min_coverage_ppm = 500000;
	p.min_roi_ppm = 0;
	p.target_roi_ppm = 3000000;		/* the old sum said 450 % */
	rules_status_init(&low, T0);
	rules_status_init(&good, T0);
	assert_int_equal(sh_step(ALERT_ROI_TARGET, &p, &t, T0, &good),
	    RULE_NONE);
	assert_true(good.judged);
	assert_int_equal(good.state, ALERT_OK);
	assert_int_equal(good.value, -500000);
	assert_int_equal(sh_step(ALERT_ROI_LOW, &p, &t, T0, &low),
	    RULE_FIRE);
	assert_int_equal(low.value, -500000);
	assert_int_equal(low.days, 1);
	assert_int_equal(low.days_total, 2);
}

/* Table: coverage against the minimum, spend of the complete samples. */
static void
test_coverage_judgement(void **state)
{
	static const struct {
		int64_t		 cost, revenue, complete, days;
		int64_t		 min_cov, min_spend;
		enum rule_skip	 skip;
	} cases[] = {
		{ U(1000), U(500), 1, 2, 500000, 0, RULE_SKIP_NONE },
		{ U(1000), U(500), 1, 3, 500000, 0, RULE_SKIP_COVERAGE },
		{ U(1000), U(500), 1, 3, 333333, 0, RULE_SKIP_NONE },
		{ U(1000), U(500), 1, 3, 0, 0, RULE_SKIP_NONE },
		{ U(1000), U(500), 6, 7, 857143, 0, RULE_SKIP_COVERAGE },
		{ U(1000), U(500), 7, 7, 1000000, 0, RULE_SKIP_NONE },
		{ 0, 0, 0, 3, 0, 0, RULE_SKIP_NO_DATA },
		{ 0, U(10), 1, 1, 0, 0, RULE_SKIP_NO_DATA },
		/* minimum_spend counts the cost that is judged only. */
		{ U(99), U(500), 1, 2, 0, U(100), RULE_SKIP_SPEND },
		{ U(100), U(500), 1, 2, 0, U(100), RULE_SKIP_NONE },
		/* Spend is checked before coverage. */
		{ U(99), U(500), 1, 9, 500000, U(100), RULE_SKIP_SPEND },
	};
	struct rule_params p = P;
	struct rule_status st;
	struct kpi_totals t;
	size_t	 i;

	(void)state;
	p.pending_secs = 0;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		t = partial(cases[i].cost, cases[i].revenue, cases[i].complete,
		    cases[i].days);
		p.min_coverage_ppm = cases[i].min_cov;
		p.min_spend = cases[i].min_spend;
		rules_status_init(&st, T0);
		sh_step(ALERT_ROI_LOW, &p, &t, T0, &st);
		if (st.skip != cases[i].skip ||
		    st.judged != (cases[i].skip == RULE_SKIP_NONE))
			fail_msg("case %zu: skip %d judged %d", i, (int)st.skip,
			    st.judged);
		if (!st.judged && st.state != ALERT_OK)
			fail_msg("case %zu: unjudged but %s", i,
			    rules_state_name(st.state));
	}
}

/*
 * While coverage is too low a rule neither fires, resolves, repeats nor
 * forgets: a firing alert stays firing until it can be judged again.
 */
static void
test_coverage_keeps_firing(void **state)
{
	struct rule_params p = P;
	struct rule_status st, before;
	struct kpi_totals t;

	(void)state;
	p.pending_secs = 0;
	p.min_coverage_ppm = 500000;
	rules_status_init(&st, T0);
	t = partial(U(1000), U(500), 4, 4);		/* ROI -50 % */
	assert_int_equal(sh_step(ALERT_ROI_LOW, &p, &t, T0, &st), RULE_FIRE);
	before = st;
	/* Complete revenue would bring it back, but 1 of 4 days is too few. */
	t = partial(U(1000), U(9000), 1, 4);
	assert_int_equal(sh_step(ALERT_ROI_LOW, &p, &t, T0 + 3 * DAY, &st),
	    RULE_NONE);
	assert_false(st.judged);
	assert_int_equal(st.skip, RULE_SKIP_COVERAGE);
	assert_int_equal(st.state, ALERT_FIRING);
	assert_int_equal(st.since, before.since);
	assert_int_equal(st.last_notified, before.last_notified);
	assert_int_equal(st.value, -500000);	/* the last judged ROI */
	/* Nor repeat while it cannot judge (repeat_secs is a day). */
	t = partial(U(1000), U(100), 1, 4);
	assert_int_equal(sh_step(ALERT_ROI_LOW, &p, &t, T0 + 5 * DAY, &st),
	    RULE_NONE);
	assert_int_equal(st.state, ALERT_FIRING);
	/* Once covered again it judges: here resolved. */
	t = partial(U(1000), U(9000), 2, 4);
	assert_int_equal(sh_step(ALERT_ROI_LOW, &p, &t, T0 + 6 * DAY, &st),
	    RULE_RESOLVE);
	assert_true(st.judged);
	assert_int_equal(st.skip, RULE_SKIP_NONE);

	/* Good news is not sent on too thin data either. */
	rules_status_init(&st, T0);
	t = partial(U(1000), U(9000), 1, 3);
	assert_int_equal(sh_step(ALERT_ROI_TARGET, &p, &t, T0, &st),
	    RULE_NONE);
	assert_int_equal(st.state, ALERT_OK);
}

/* The store keeps judged and the reason in one integer. */
static void
test_judged_encoding(void **state)
{
	struct rule_status st, back;
	int	 k;

	(void)state;
	for (k = 0; k < RULE_SKIP_MAX; k++) {
		rules_status_init(&st, T0);
		st.skip = (enum rule_skip)k;
		st.judged = k == RULE_SKIP_NONE;
		rules_status_init(&back, T0);
		rules_judged_decode(rules_judged_encode(&st), &back);
		assert_int_equal(back.judged, st.judged);
		assert_int_equal(back.skip, st.skip);
		assert_string_not_equal(rules_skip_text(st.skip), "");
	}
	assert_int_equal(rules_judged_encode(&st), 2 + RULE_SKIP_MAX - 1);
	/* Saved by a version without reasons: 0 is "not judged", 1 judged. */
	rules_judged_decode(0, &back);
	assert_false(back.judged);
	assert_int_equal(back.skip, RULE_SKIP_NO_DATA);
	rules_judged_decode(1, &back);
	assert_true(back.judged);
	rules_judged_decode(99, &back);
	assert_false(back.judged);
}

/* ---- Rules on any KPI: series through rules_judge() and rules_step() ---- */

/* One evaluation of a series: the first condition's value (second's for
 * compound rules), the volume, and what must come out. */
struct step {
	int64_t		 at;		/* seconds after T0 */
	int64_t		 v0, v1;	/* values (change rules: current) */
	int64_t		 p0, p1;	/* previous period (change rules) */
	int64_t		 volume;
	enum rule_action want;
	enum alert_state state;
};

static void
rule_init(struct rule_def *r, const char *kpi, enum rule_cmp cmp,
    int64_t value, int64_t clear)
{
	memset(r, 0, sizeof *r);
	r->name = (char *)"test";
	r->kind = ALERT_RULE;
	r->type = RULE_THRESHOLD;
	r->severity = RULE_SEV_WARNING;
	r->ncond = 1;
	assert_int_equal(measure_lookup(kpi, &r->cond[0].m, NULL), 0);
	r->cond[0].cmp = cmp;
	r->cond[0].value = value;
	r->cond[0].clear = clear;
	r->notify_resolve = 1;
	r->window.kind = WINDOW_LIFETIME;
}

static void
value_of(struct measure_value *m, int64_t v)
{
	memset(m, 0, sizeof *m);
	m->defined = 1;
	m->floor = v;
	m->days = m->days_total = 1;
}

static void
run_series(const struct rule_def *r, const struct step *s, size_t n)
{
	struct rule_status st;
	struct rule_facts f;
	struct rule_verdict v;
	struct rule_bound b;
	enum rule_action a;
	size_t i;

	rules_status_init(&st, T0);
	rules_bound(r, NULL, NULL, &b);
	for (i = 0; i < n; i++) {
		memset(&f, 0, sizeof f);
		value_of(&f.cur[0], s[i].v0);
		value_of(&f.cur[1], s[i].v1);
		value_of(&f.prev[0], s[i].p0);
		value_of(&f.prev[1], s[i].p1);
		f.volume = s[i].volume;
		f.budget_running = 1;
		rules_judge(r, &b, &f, &v);
		a = rules_step(r, &v, T0 + s[i].at, &st);
		if (a != s[i].want || st.state != s[i].state)
			fail_msg("step %zu (at %lld, value %lld): got %s/%s, "
			    "want %s/%s", i, (long long)s[i].at,
			    (long long)s[i].v0, rules_action_name(a),
			    rules_state_name(st.state),
			    rules_action_name(s[i].want),
			    rules_state_name(s[i].state));
	}
}

#define PPM(pct)	((int64_t)(pct) * 10000)	/* percent -> ppm */

/*
 * ROI alternating 190 % / 215 % around a 200 % minimum, every second: before
 * flap suppression, 8 notices in 8 s. Now fire, resolve, fire, then one
 * "flapping" and silence; stable for the flap window, it is released with
 * the state the receivers do not know.
 */
static void
test_flapping(void **state)
{
	struct rule_def r;
	static const struct step s[] = {
		{ 0, PPM(190), 0, 0, 0, 0, RULE_FIRE, ALERT_FIRING },
		{ 1, PPM(215), 0, 0, 0, 0, RULE_RESOLVE, ALERT_RESOLVED },
		{ 2, PPM(190), 0, 0, 0, 0, RULE_FIRE, ALERT_FIRING },
		{ 3, PPM(215), 0, 0, 0, 0, RULE_FLAPPING, ALERT_RESOLVED },
		{ 4, PPM(190), 0, 0, 0, 0, RULE_NONE, ALERT_FIRING },
		{ 5, PPM(215), 0, 0, 0, 0, RULE_NONE, ALERT_RESOLVED },
		{ 6, PPM(190), 0, 0, 0, 0, RULE_NONE, ALERT_FIRING },
		{ 7, PPM(215), 0, 0, 0, 0, RULE_NONE, ALERT_RESOLVED },
		/* Stable, but not yet for a whole flap window. */
		{ 3000, PPM(215), 0, 0, 0, 0, RULE_NONE, ALERT_RESOLVED },
		/* Released: the receivers last heard "fires". */
		{ 3607, PPM(215), 0, 0, 0, 0, RULE_RESOLVE, ALERT_RESOLVED },
		{ 3700, PPM(215), 0, 0, 0, 0, RULE_NONE, ALERT_RESOLVED },
		/* A new fire later is news again. */
		{ 9000, PPM(150), 0, 0, 0, 0, RULE_FIRE, ALERT_FIRING },
	};

	(void)state;
	rule_init(&r, "roi", RULE_CMP_LT, PPM(200), PPM(200));
	r.flap_max = 3;
	r.flap_secs = 3600;
	run_series(&r, s, sizeof s / sizeof s[0]);
	/* Without suppression: every change speaks. */
	{
		static const struct step t[] = {
			{ 0, PPM(190), 0, 0, 0, 0, RULE_FIRE, ALERT_FIRING },
			{ 1, PPM(215), 0, 0, 0, 0, RULE_RESOLVE,
			    ALERT_RESOLVED },
			{ 2, PPM(190), 0, 0, 0, 0, RULE_FIRE, ALERT_FIRING },
			{ 3, PPM(215), 0, 0, 0, 0, RULE_RESOLVE,
			    ALERT_RESOLVED },
		};

		r.flap_max = 0;
		run_series(&r, t, sizeof t / sizeof t[0]);
	}
}

/* Released while still firing: the receivers are told it fires. */
static void
test_flapping_released_firing(void **state)
{
	struct rule_def r;
	static const struct step s[] = {
		{ 0, PPM(190), 0, 0, 0, 0, RULE_FIRE, ALERT_FIRING },
		{ 1, PPM(215), 0, 0, 0, 0, RULE_RESOLVE, ALERT_RESOLVED },
		{ 2, PPM(190), 0, 0, 0, 0, RULE_FLAPPING, ALERT_FIRING },
		{ 3, PPM(215), 0, 0, 0, 0, RULE_NONE, ALERT_RESOLVED },
		{ 4, PPM(190), 0, 0, 0, 0, RULE_NONE, ALERT_FIRING },
		/* Firing, stable for the window: told (they heard "ok"). */
		{ 604, PPM(190), 0, 0, 0, 0, RULE_FIRE, ALERT_FIRING },
	};

	(void)state;
	rule_init(&r, "roi", RULE_CMP_LT, PPM(200), PPM(200));
	r.flap_max = 2;
	r.flap_secs = 600;
	run_series(&r, s, sizeof s / sizeof s[0]);
}

/* CPA above 40 fires; clears only at or under 38 (hysteresis). */
static void
test_clear_threshold(void **state)
{
	struct rule_def r;
	static const struct step s[] = {
		{ 0, U(41), 0, 0, 0, 0, RULE_FIRE, ALERT_FIRING },
		{ 10, U(39), 0, 0, 0, 0, RULE_NONE, ALERT_FIRING },
		{ 20, U(40), 0, 0, 0, 0, RULE_NONE, ALERT_FIRING },
		{ 30, U(38) + 1, 0, 0, 0, 0, RULE_NONE, ALERT_FIRING },
		{ 40, U(38), 0, 0, 0, 0, RULE_RESOLVE, ALERT_RESOLVED },
		{ 50, U(40), 0, 0, 0, 0, RULE_NONE, ALERT_RESOLVED },
		{ 60, U(40) + 1, 0, 0, 0, 0, RULE_FIRE, ALERT_FIRING },
	};

	(void)state;
	rule_init(&r, "cpa", RULE_CMP_GT, U(40), U(38));
	run_series(&r, s, sizeof s / sizeof s[0]);
}

/* No judgement under the minimum volume: the state is kept as it is. */
static void
test_volume_guard(void **state)
{
	struct rule_def r;
	static const struct step s[] = {
		{ 0, U(50), 0, 0, 0, U(5), RULE_NONE, ALERT_OK },
		{ 10, U(50), 0, 0, 0, U(100), RULE_FIRE, ALERT_FIRING },
		{ 20, U(10), 0, 0, 0, U(99), RULE_NONE, ALERT_FIRING },
		{ 30, U(10), 0, 0, 0, U(100), RULE_RESOLVE, ALERT_RESOLVED },
	};

	(void)state;
	rule_init(&r, "cpa", RULE_CMP_GT, U(40), U(40));
	r.min_volume = U(100);
	run_series(&r, s, sizeof s / sizeof s[0]);
}

/* Held for the pending period before firing; recovered before it: silent. */
static void
test_pending_and_repeat(void **state)
{
	struct rule_def r;
	static const struct step s[] = {
		{ 0, U(50), 0, 0, 0, 0, RULE_NONE, ALERT_PENDING },
		{ 1800, U(30), 0, 0, 0, 0, RULE_NONE, ALERT_OK },
		{ 2000, U(50), 0, 0, 0, 0, RULE_NONE, ALERT_PENDING },
		{ 5599, U(50), 0, 0, 0, 0, RULE_NONE, ALERT_PENDING },
		{ 5600, U(50), 0, 0, 0, 0, RULE_FIRE, ALERT_FIRING },
		{ 5600 + DAY - 1, U(50), 0, 0, 0, 0, RULE_NONE, ALERT_FIRING },
		{ 5600 + DAY, U(50), 0, 0, 0, 0, RULE_REPEAT, ALERT_FIRING },
		/* Inside the band (not bad, not clear): no reminder. */
		{ 5600 + 3 * DAY, U(39), 0, 0, 0, 0, RULE_NONE, ALERT_FIRING },
		/* Restated data: the figures fall back under the clear. */
		{ 5600 + 4 * DAY, U(20), 0, 0, 0, 0, RULE_RESOLVE,
		    ALERT_RESOLVED },
		/* Restated again: bad, pending again first. */
		{ 5600 + 5 * DAY, U(60), 0, 0, 0, 0, RULE_NONE, ALERT_PENDING },
	};

	(void)state;
	rule_init(&r, "cpa", RULE_CMP_GT, U(40), U(38));
	r.pending_secs = HOUR;
	r.repeat_secs = DAY;
	run_series(&r, s, sizeof s / sizeof s[0]);
}

/* Good news is told once; losing it is silent; notify_resolve off too. */
static void
test_good_and_quiet_resolve(void **state)
{
	struct rule_def r;
	static const struct step good[] = {
		{ 0, PPM(310), 0, 0, 0, 0, RULE_GOOD, ALERT_FIRING },
		{ 10, PPM(320), 0, 0, 0, 0, RULE_NONE, ALERT_FIRING },
		{ 20, PPM(280), 0, 0, 0, 0, RULE_NONE, ALERT_OK },
		{ 30, PPM(300), 0, 0, 0, 0, RULE_GOOD, ALERT_FIRING },
	};
	static const struct step quiet[] = {
		{ 0, U(50), 0, 0, 0, 0, RULE_FIRE, ALERT_FIRING },
		{ 10, U(10), 0, 0, 0, 0, RULE_NONE, ALERT_OK },
	};

	(void)state;
	rule_init(&r, "roi", RULE_CMP_GE, PPM(300), PPM(290));
	r.severity = RULE_SEV_GOOD;
	r.repeat_secs = 1;	/* never for good news */
	run_series(&r, good, sizeof good / sizeof good[0]);
	rule_init(&r, "cpa", RULE_CMP_GT, U(40), U(40));
	r.notify_resolve = 0;
	run_series(&r, quiet, sizeof quiet / sizeof quiet[0]);
}

/* ROI down more than 30 % against the previous period. */
static void
test_change(void **state)
{
	struct rule_def r;
	static const struct step s[] = {
		/* 200 % -> 150 %: -25 %, not enough. */
		{ 0, PPM(150), 0, PPM(200), 0, 0, RULE_NONE, ALERT_OK },
		/* 200 % -> 140 %: -30 % exactly is not "more than". */
		{ 10, PPM(140), 0, PPM(200), 0, 0, RULE_NONE, ALERT_OK },
		{ 20, PPM(139), 0, PPM(200), 0, 0, RULE_FIRE, ALERT_FIRING },
		{ 30, PPM(200), 0, PPM(200), 0, 0, RULE_RESOLVE,
		    ALERT_RESOLVED },
		/* No previous value: not judged, state kept. */
		{ 40, PPM(100), 0, 0, 0, 0, RULE_NONE, ALERT_RESOLVED },
	};

	(void)state;
	rule_init(&r, "roi", RULE_CMP_LT, -PPM(30), -PPM(30));
	r.type = RULE_CHANGE;
	r.cond[0].change = 1;
	run_series(&r, s, sizeof s / sizeof s[0]);
}

/* Spend up more than 30 % while conversions change less than 5 %: both. */
static void
test_compound(void **state)
{
	struct rule_def r;
	static const struct step s[] = {
		/* spend +50 %, conversions +20 %: not flat. */
		{ 0, U(150), U(120), U(100), U(100), 0, RULE_NONE, ALERT_OK },
		/* spend +50 %, conversions +2 %: fires. */
		{ 10, U(150), U(102), U(100), U(100), 0, RULE_FIRE,
		    ALERT_FIRING },
		/* spend +10 %: one condition fails, and it clears. */
		{ 20, U(110), U(102), U(100), U(100), 0, RULE_RESOLVE,
		    ALERT_RESOLVED },
	};

	(void)state;
	rule_init(&r, "spend", RULE_CMP_GT, PPM(30), PPM(30));
	r.type = RULE_COMPOUND;
	r.cond[0].change = 1;
	r.ncond = 2;
	assert_int_equal(measure_lookup("conversions", &r.cond[1].m, NULL), 0);
	r.cond[1].cmp = RULE_CMP_LT;
	r.cond[1].value = r.cond[1].clear = PPM(5);
	r.cond[1].change = 1;
	run_series(&r, s, sizeof s / sizeof s[0]);
}

/* A campaign's override wins over its channel's; the clear keeps its gap. */
static void
test_overrides(void **state)
{
	struct rule_def r;
	struct rule_override ov[3];
	struct rule_bound b;

	(void)state;
	rule_init(&r, "cpa", RULE_CMP_GT, U(40), U(38));
	r.origin = RULE_ORIGIN_CLIENT;
	r.line = 7;
	memset(ov, 0, sizeof ov);
	ov[0].channel = (char *)"meta";
	ov[0].has_value = 1;
	ov[0].value = U(50);
	ov[0].line = 9;
	ov[1].campaign = (char *)"Brand";
	ov[1].disabled = 1;
	ov[1].line = 10;
	ov[2].campaign = (char *)"Launch";
	ov[2].has_value = 1;
	ov[2].value = U(60);
	ov[2].has_clear = 1;
	ov[2].clear = U(55);
	ov[2].has_min_volume = 1;
	ov[2].min_volume = U(500);
	ov[2].line = 11;
	r.ov = ov;
	r.nov = 3;

	rules_bound(&r, "google", "Other", &b);
	assert_false(b.disabled);
	assert_int_equal(b.value[0], U(40));
	assert_int_equal(b.clear[0], U(38));
	assert_int_equal(b.origin, RULE_ORIGIN_CLIENT);
	assert_int_equal(b.line, 7);

	rules_bound(&r, "meta", "Other", &b);
	assert_int_equal(b.value[0], U(50));
	assert_int_equal(b.clear[0], U(48));
	assert_int_equal(b.origin, RULE_ORIGIN_CHANNEL);
	assert_int_equal(b.line, 9);

	rules_bound(&r, "meta", "Brand", &b);
	assert_true(b.disabled);
	assert_int_equal(b.origin, RULE_ORIGIN_CAMPAIGN);

	rules_bound(&r, "meta", "Launch", &b);
	assert_int_equal(b.value[0], U(60));
	assert_int_equal(b.clear[0], U(55));
	assert_int_equal(b.min_volume, U(500));
	assert_int_equal(b.line, 11);
}

/* The shorthand options are the two ROI rules, with their meaning. */
static void
test_shorthand_rules(void **state)
{
	struct rule_def d[2];
	char name[32];

	(void)state;
	assert_int_equal(rules_shorthand(&P, 7, d), 2);
	assert_string_equal(d[0].name, "roi_low");
	assert_int_equal(d[0].kind, ALERT_ROI_LOW);
	assert_int_equal(d[0].cond[0].cmp, RULE_CMP_LT);
	assert_int_equal(d[0].cond[0].value, P.min_roi_ppm);
	assert_int_equal(d[0].cond[0].clear, P.min_roi_ppm + P.hysteresis_ppm);
	assert_int_equal(d[0].window.kind, WINDOW_DATA_DAYS);
	assert_int_equal(d[0].window.n, 7);
	assert_int_equal(d[0].severity, RULE_SEV_CRITICAL);
	measure_name(&d[0].cond[0].m, name, sizeof name);
	assert_string_equal(name, "roi");
	assert_string_equal(d[1].name, "roi_target");
	assert_int_equal(d[1].cond[0].cmp, RULE_CMP_GE);
	assert_int_equal(d[1].cond[0].clear, P.target_roi_ppm -
	    P.hysteresis_ppm);
	assert_int_equal(d[1].severity, RULE_SEV_GOOD);
	assert_int_equal(d[1].repeat_secs, 0);
	{
		struct rule_params p = P;

		p.has_target = 0;
		assert_int_equal(rules_shorthand(&p, 0, d), 1);
		assert_int_equal(d[0].window.kind, WINDOW_LIFETIME);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_low_pending_then_fire),
		cmocka_unit_test(test_low_pending_recovers),
		cmocka_unit_test(test_low_pending_zero_fires_at_once),
		cmocka_unit_test(test_low_boundary),
		cmocka_unit_test(test_low_hysteresis),
		cmocka_unit_test(test_low_no_hysteresis),
		cmocka_unit_test(test_low_repeat),
		cmocka_unit_test(test_low_not_judged),
		cmocka_unit_test(test_low_zero_min_spend),
		cmocka_unit_test(test_low_negative_minimum),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_target_absent_or_thin),
		cmocka_unit_test(test_kinds_independent),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_coverage_worked_example),
		cmocka_unit_test(test_coverage_judgement),
		cmocka_unit_test(test_coverage_keeps_firing),
		cmocka_unit_test(test_judged_encoding),
		cmocka_unit_test(test_flapping),
		cmocka_unit_test(test_flapping_released_firing),
		cmocka_unit_test(test_clear_threshold),
		cmocka_unit_test(test_volume_guard),
		cmocka_unit_test(test_pending_and_repeat),
		cmocka_unit_test(test_good_and_quiet_resolve),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_compound),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_shorthand_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
