/*
 * Unit tests for measure.c: every KPI row on worked examples, exact
 * comparison at and around thresholds, thresholds parsed and formatted, the
 * one rounding of values in en and fr, relative change.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kpi.h"
#include "measure.h"
#include "metric.h"

#define U(x)		((int64_t)(x) * MICROS_PER_UNIT)
#define ALL_FIELDS	(MF_BIT(MF_COST) | MF_BIT(MF_REVENUE) | \
	    MF_BIT(MF_IMPRESSIONS) | MF_BIT(MF_CLICKS) | MF_BIT(MF_CONVERSIONS))
#define NNBSP		"\xe2\x80\xaf"
#define NBSP		"\xc2\xa0"

/* Totals of samples that report every field: their pairs are the sums. */
static struct kpi_totals
totals(int64_t cost, int64_t revenue, int64_t impressions, int64_t clicks,
    int64_t conversions)
{
	struct kpi_totals t;

	memset(&t, 0, sizeof t);
	t.cost = cost;
	t.revenue = revenue;
	t.impressions = impressions;
	t.clicks = clicks;
	t.conversions = conversions;
	t.present = ALL_FIELDS;
	t.samples = 7;
	t.days = 7;
	kpi_totals_assume_complete(&t);
	return t;
}

static struct measure_ref
ref(const char *name)
{
	struct measure_ref r;
	char	*cause = NULL;

	if (measure_lookup(name, &r, &cause) != 0)
		fail_msg("%s: %s", name, cause);
	return r;
}

static struct measure_value
compute(const char *name, const struct measure_input *in)
{
	struct measure_ref r = ref(name);
	struct measure_value v;

	measure_compute(&r, in, &v);
	return v;
}

/* One KPI's expected value and its text in en and fr. */
struct expect {
	const char	*name;
	int		 defined;
	enum measure_why why;
	int64_t		 floor;
	int		 inexact;
	const char	*en, *fr;
};

static void
check(const struct measure_input *in, const struct expect *e, size_t n,
    const char *currency)
{
	struct measure_ref r;
	struct measure_value v;
	char	 buf[128];
	size_t	 i;

	for (i = 0; i < n; i++) {
		r = ref(e[i].name);
		measure_compute(&r, in, &v);
		if (v.defined != e[i].defined || v.why != e[i].why ||
		    (v.defined && (v.floor != e[i].floor ||
		    v.inexact != e[i].inexact)))
			fail_msg("%s: defined %d why %d floor %lld inexact %d",
			    e[i].name, v.defined, (int)v.why,
			    (long long)v.floor, v.inexact);
		measure_format(&r, &v, currency, "en", buf, sizeof buf);
		if (strcmp(buf, e[i].en) != 0)
			fail_msg("%s: en \"%s\", not \"%s\"", e[i].name, buf,
			    e[i].en);
		measure_format(&r, &v, currency, "fr", buf, sizeof buf);
		if (strcmp(buf, e[i].fr) != 0)
			fail_msg("%s: fr \"%s\", not \"%s\"", e[i].name, buf,
			    e[i].fr);
	}
}

/* DESIGN.md: revenue 87 000 for cost 25 750 -> ROI 237.86 %. */
static void
test_worked_example(void **state)
{
	struct kpi_totals t = totals(U(25750), U(87000), 1030000, 5150, 103);
	struct measure_input in = { .t = &t };
	static const struct expect e[] = {
		{ "roi", 1, MEASURE_OK, 2378640, 1, "237.86%",
		  "237,86" NNBSP "%" },
		{ "roas", 1, MEASURE_OK, 3378640, 1, "3.38:1", "3,38:1" },
		{ "profit", 1, MEASURE_OK, U(61250), 0, "\xe2\x82\xac" "61,250.00",
		  "61" NNBSP "250,00" NBSP "\xe2\x82\xac" },
		{ "cpa", 1, MEASURE_OK, U(250), 0, "\xe2\x82\xac" "250.00",
		  "250,00" NBSP "\xe2\x82\xac" },
		{ "cpc", 1, MEASURE_OK, U(5), 0, "\xe2\x82\xac" "5.00",
		  "5,00" NBSP "\xe2\x82\xac" },
		{ "cpm", 1, MEASURE_OK, U(25), 0, "\xe2\x82\xac" "25.00",
		  "25,00" NBSP "\xe2\x82\xac" },
		{ "ctr", 1, MEASURE_OK, 5000, 0, "0.50%", "0,50" NNBSP "%" },
		{ "cvr", 1, MEASURE_OK, 20000, 0, "2.00%", "2,00" NNBSP "%" },
		{ "spend", 1, MEASURE_OK, U(25750), 0,
		  "\xe2\x82\xac" "25,750.00", "25" NNBSP "750,00" NBSP
		  "\xe2\x82\xac" },
		{ "cost", 1, MEASURE_OK, U(25750), 0,
		  "\xe2\x82\xac" "25,750.00", "25" NNBSP "750,00" NBSP
		  "\xe2\x82\xac" },
		{ "revenue", 1, MEASURE_OK, U(87000), 0,
		  "\xe2\x82\xac" "87,000.00", "87" NNBSP "000,00" NBSP
		  "\xe2\x82\xac" },
		{ "impressions", 1, MEASURE_OK, U(1030000), 0, "1,030,000",
		  "1" NNBSP "030" NNBSP "000" },
		{ "clicks", 1, MEASURE_OK, U(5150), 0, "5,150",
		  "5" NNBSP "150" },
		{ "conversions", 1, MEASURE_OK, U(103), 0, "103", "103" },
	};
	struct measure_value v;

	(void)state;
	check(&in, e, sizeof e / sizeof e[0], "EUR");
	/* The operands, for the explanation. */
	v = compute("roi", &in);
	assert_int_equal(v.num, U(61250));
	assert_int_equal(v.den, U(25750));
	assert_int_equal(v.days, 7);
	assert_int_equal(v.days_total, 7);
	v = compute("cpa", &in);
	assert_int_equal(v.num, U(25750));
	assert_int_equal(v.den, U(103));
}

/* Small numbers, where every ratio drops a remainder. */
static void
test_small_numbers(void **state)
{
	struct kpi_totals t = totals(U(10), U(4), 7, 3, 1);
	struct measure_input in = { .t = &t };
	static const struct expect e[] = {
		/* (4 - 10) / 10 = -0.6 exactly. */
		{ "roi", 1, MEASURE_OK, -600000, 0, "-60.00%",
		  "-60,00" NNBSP "%" },
		{ "roas", 1, MEASURE_OK, 400000, 0, "0.40:1", "0,40:1" },
		{ "profit", 1, MEASURE_OK, U(-6), 0, "-$6.00",
		  "-6,00" NBSP "$" },
		{ "cpa", 1, MEASURE_OK, U(10), 0, "$10.00", "10,00" NBSP "$" },
		/* 10 / 3 = 3.333333|3 */
		{ "cpc", 1, MEASURE_OK, 3333333, 1, "$3.33", "3,33" NBSP "$" },
		/* 10 / 7 x 1000 = 1 428.571428|57 */
		{ "cpm", 1, MEASURE_OK, 1428571428, 1, "$1,428.57",
		  "1" NNBSP "428,57" NBSP "$" },
		/* 3 / 7 = 0.428571|4 */
		{ "ctr", 1, MEASURE_OK, 428571, 1, "42.86%",
		  "42,86" NNBSP "%" },
		/* 1 / 3 */
		{ "cvr", 1, MEASURE_OK, 333333, 1, "33.33%",
		  "33,33" NNBSP "%" },
	};

	(void)state;
	check(&in, e, sizeof e / sizeof e[0], "USD");
}

/*
 * CLV = 1.5 transactions a month x 80 EUR x 40 % x 24 months = 1 152 EUR;
 * CAC = 2 000 EUR / 25 new customers = 80 EUR; CLV:CAC = 14.4:1.
 */
static void
test_clv_cac(void **state)
{
	struct kpi_totals t = totals(U(2000), U(5000), 100000, 1000, 30);
	struct measure_custom c[] = {
		{ "reach", U(10), 7 },
		{ MEASURE_NEW_CUSTOMERS, U(25), 5 },
	};
	struct measure_input in = { .t = &t, .custom = c, .ncustom = 2 };
	static const struct expect e[] = {
		{ "clv", 1, MEASURE_OK, U(1152), 0, "\xe2\x82\xac" "1,152.00",
		  "1" NNBSP "152,00" NBSP "\xe2\x82\xac" },
		{ "cac", 1, MEASURE_OK, U(80), 0, "\xe2\x82\xac" "80.00",
		  "80,00" NBSP "\xe2\x82\xac" },
		{ "clv_cac", 1, MEASURE_OK, 14400000, 0, "14.40:1",
		  "14,40:1" },
	};
	struct measure_value v;

	(void)state;
	in.clv.has = 1;
	in.clv.monthly_transactions = 1500000;
	in.clv.order_value = U(80);
	in.clv.margin_ppm = 400000;
	in.clv.lifetime_months = U(24);
	check(&in, e, sizeof e / sizeof e[0], "EUR");

	/* Coverage: cac covers the days with a new_customers value. */
	v = compute("cac", &in);
	assert_int_equal(v.days, 5);
	assert_int_equal(v.days_total, 7);
	assert_int_equal(v.num, U(2000));
	assert_int_equal(v.den, U(25));
	v = compute("clv", &in);
	assert_int_equal(v.clv.has, 1);
	assert_int_equal(v.days, 7);
	v = compute("clv_cac", &in);
	assert_int_equal(v.num, U(1152));
	assert_int_equal(v.den, U(80));
	assert_int_equal(v.days, 5);

	/* No new customers: missing; none at all (0): undefined. */
	in.ncustom = 1;
	v = compute("cac", &in);
	assert_false(v.defined);
	assert_int_equal(v.why, MEASURE_MISSING);
	v = compute("clv_cac", &in);
	assert_int_equal(v.why, MEASURE_MISSING);
	in.ncustom = 2;
	c[1].sum = 0;
	v = compute("cac", &in);
	assert_int_equal(v.why, MEASURE_UNDEFINED);
	v = compute("clv_cac", &in);
	assert_int_equal(v.why, MEASURE_UNDEFINED);

	/* No CLV configured and none ingested. */
	c[1].sum = U(25);
	in.clv.has = 0;
	v = compute("clv", &in);
	assert_false(v.defined);
	assert_int_equal(v.why, MEASURE_NO_INPUT);
	v = compute("clv_cac", &in);
	assert_int_equal(v.why, MEASURE_NO_INPUT);
	v = compute("cac", &in);
	assert_true(v.defined);
}

/*
 * CLV from ingested custom KPIs: their daily averages, exactly. 1 transaction
 * over 3 days is 1/3 a month; 1/3 x 80 x 0.4 x 24 = 256 exactly, although the
 * average itself (0.333333) is not.
 */
static void
test_clv_custom(void **state)
{
	struct kpi_totals t = totals(U(2000), U(5000), 100000, 1000, 30);
	struct measure_custom c[] = {
		{ MEASURE_CLV_LIFETIME, U(24), 1 },
		{ MEASURE_CLV_ORDER_VALUE, U(240), 3 },
		{ MEASURE_CLV_MARGIN, U(2), 5 },	/* 0.4 a day */
		{ MEASURE_CLV_TRANSACTIONS, U(1), 3 },
		{ MEASURE_NEW_CUSTOMERS, U(25), 7 },
	};
	struct measure_input in = { .t = &t, .custom = c, .ncustom = 5 };
	struct measure_value v;
	struct measure_ref r = ref("clv");
	char	 buf[64];

	(void)state;
	v = compute("clv", &in);
	assert_true(v.defined);
	assert_int_equal(v.floor, U(256));
	assert_false(v.inexact);
	assert_int_equal(v.clv.has, 2);
	assert_int_equal(v.clv.monthly_transactions, 333333);
	assert_int_equal(v.clv.order_value, U(80));
	assert_int_equal(v.clv.margin_ppm, 400000);
	assert_int_equal(v.clv.lifetime_months, U(24));
	assert_int_equal(v.days, 1);
	assert_string_equal(measure_format(&r, &v, "EUR", "en", buf,
	    sizeof buf), "\xe2\x82\xac" "256.00");
	/* 256 / 80 = 3.2 */
	v = compute("clv_cac", &in);
	assert_int_equal(v.floor, 3200000);
	assert_false(v.inexact);

	/*
	 * 10 transactions in 7 days and large sums whose products leave 128
	 * bits: CLV = 10/7 x 80 x 0.4 x 24 = 7 680 / 7 = 1 097.142857|142...,
	 * CLV:CAC = 96 / 7 = 13.714285|71.
	 */
	c[0].sum = U(24) * 1000;
	c[0].days = 1000;
	c[1].sum = U(80) * 1000;
	c[1].days = 1000;
	c[2].sum = 400000LL * 1000;
	c[2].days = 1000;
	c[3].sum = U(10);
	c[3].days = 7;
	v = compute("clv", &in);
	assert_int_equal(v.floor, 1097142857);
	assert_true(v.inexact);
	v = compute("clv_cac", &in);
	assert_int_equal(v.floor, 13714285);
	assert_true(v.inexact);
	/* Even larger: the same CLV:CAC with every sum x 1000. */
	c[4].sum *= 1000;
	t.cost *= 1000;
	kpi_totals_assume_complete(&t);
	v = compute("clv_cac", &in);
	assert_int_equal(v.floor, 13714285);
	assert_true(v.inexact);

	/* Three of the four: no input. */
	in.ncustom = 3;
	v = compute("clv", &in);
	assert_int_equal(v.why, MEASURE_NO_INPUT);
	assert_string_equal(measure_format(&r, &v, "EUR", "en", buf,
	    sizeof buf), "not configured");
	assert_string_equal(measure_format(&r, &v, "EUR", "fr", buf,
	    sizeof buf), "non configuré");
}

/* Budget 3 000 EUR, 14 of 30 days elapsed, 1 450 EUR spent. */
static void
test_pacing(void **state)
{
	struct kpi_totals t = totals(U(1450), U(2000), 100000, 1000, 30);
	struct measure_input in = { .t = &t };
	static const struct expect e[] = {
		/* 1 450 / (3 000 x 14 / 30) = 1 450 / 1 400 = 1.035714|28 */
		{ "pacing", 1, MEASURE_OK, 1035714, 1, "1.04", "1,04" },
		/* 1 450 x 30 / 14 = 3 107.142857|14 */
		{ "projected_spend", 1, MEASURE_OK, 3107142857, 1,
		  "\xe2\x82\xac" "3,107.14",
		  "3" NNBSP "107,14" NBSP "\xe2\x82\xac" },
		/* 1 450 / 3 000 = 0.483333|3 */
		{ "budget_used", 1, MEASURE_OK, 483333, 1, "48.33%",
		  "48,33" NNBSP "%" },
	};
	static const struct expect none[] = {
		{ "pacing", 0, MEASURE_NO_INPUT, 0, 0, "not configured",
		  "non configuré" },
		{ "budget_used", 0, MEASURE_NO_INPUT, 0, 0, "not configured",
		  "non configuré" },
	};
	struct measure_value v;

	(void)state;
	in.budget.has = 1;
	in.budget.budget = U(3000);
	in.budget.elapsed = 14;
	in.budget.length = 30;
	check(&in, e, sizeof e / sizeof e[0], "EUR");
	v = compute("pacing", &in);
	assert_int_equal(v.num, U(1450));
	assert_int_equal(v.den, U(1400));

	/* The fraction in ppm: 466 667 ppm elapsed. */
	in.budget.length = 0;
	in.budget.elapsed_ppm = 466667;
	v = compute("pacing", &in);
	/* 1 450 x 10^12 / (3 000 x 466 667) = 1 035 713.54 */
	assert_int_equal(v.floor, 1035713);
	assert_true(v.inexact);

	/* Nothing elapsed: pacing and projection undefined; used is not. */
	in.budget.elapsed_ppm = 0;
	v = compute("pacing", &in);
	assert_int_equal(v.why, MEASURE_UNDEFINED);
	v = compute("projected_spend", &in);
	assert_int_equal(v.why, MEASURE_UNDEFINED);
	v = compute("budget_used", &in);
	assert_true(v.defined);

	/* Past the end: the projection is what was spent. */
	in.budget.elapsed = 40;
	in.budget.length = 30;
	v = compute("projected_spend", &in);
	assert_int_equal(v.floor, U(1450));
	assert_false(v.inexact);

	/* A budget of 0. */
	in.budget.budget = 0;
	v = compute("budget_used", &in);
	assert_int_equal(v.why, MEASURE_UNDEFINED);
	v = compute("pacing", &in);
	assert_int_equal(v.why, MEASURE_UNDEFINED);

	in.budget.has = 0;
	check(&in, none, sizeof none / sizeof none[0], "EUR");
}

/*
 * value > T  <=>  floor > T || (floor == T && inexact): at exact equality,
 * just below and just above, on both sides of zero.
 */
static void
test_cmp(void **state)
{
	static const struct {
		int64_t	 revenue;	/* micros, for a cost of 100 */
		int64_t	 threshold;	/* ROI ppm */
		int	 cmp;
		int64_t	 floor;
		int	 inexact;
	} tab[] = {
		{ U(250), 1500000, 0, 1500000, 0 },	/* 150 % exactly */
		{ U(250), 1499999, 1, 1500000, 0 },
		{ U(250), 1500001, -1, 1500000, 0 },
		{ 250000001, 1500000, 1, 1500000, 1 },	/* 150.000001 % */
		{ 249999999, 1500000, -1, 1499999, 1 },	/* 149.999999 % */
		{ U(80), -200000, 0, -200000, 0 },	/* -20 % exactly */
		/* -0.2000001: floor -200001, below -20 % */
		{ 79999990, -200000, -1, -200001, 1 },
		/* -0.1999999: floor -200000, above -20 % */
		{ 80000010, -200000, 1, -200000, 1 },
		{ 80000010, -199999, -1, -200000, 1 },
		{ U(100), 0, 0, 0, 0 },
		{ 99999999, 0, -1, -1, 1 },
	};
	struct kpi_totals t;
	struct measure_input in = { .t = &t };
	struct measure_value v;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		t = totals(U(100), tab[i].revenue, 10, 1, 1);
		v = compute("roi", &in);
		if (v.floor != tab[i].floor || v.inexact != tab[i].inexact ||
		    measure_cmp(&v, tab[i].threshold) != tab[i].cmp)
			fail_msg("row %zu: floor %lld inexact %d cmp %d", i,
			    (long long)v.floor, v.inexact,
			    measure_cmp(&v, tab[i].threshold));
		/* The same answer as kpi_roi_cmp(). */
		assert_int_equal(measure_cmp(&v, tab[i].threshold),
		    kpi_roi_cmp(&t, tab[i].threshold));
	}

	/* Clamped beyond int64: still above the largest threshold. */
	t = totals(1, INT64_MAX, 10, 1, 1);
	v = compute("roi", &in);
	assert_int_equal(v.floor, INT64_MAX);
	assert_true(v.inexact);
	assert_int_equal(measure_cmp(&v, INT64_MAX), 1);
}

/* Undefined (divisor 0) and missing (no sample reports the inputs). */
static void
test_undefined_missing(void **state)
{
	struct kpi_totals t = totals(0, U(500), 0, 0, 0);
	struct measure_input in = { .t = &t };
	static const struct expect zero[] = {
		{ "roi", 0, MEASURE_UNDEFINED, 0, 0, "undefined",
		  "non défini" },
		{ "roas", 0, MEASURE_UNDEFINED, 0, 0, "undefined",
		  "non défini" },
		{ "profit", 1, MEASURE_OK, U(500), 0, "\xe2\x82\xac" "500.00",
		  "500,00" NBSP "\xe2\x82\xac" },
		{ "ctr", 0, MEASURE_UNDEFINED, 0, 0, "undefined",
		  "non défini" },
		{ "spend", 1, MEASURE_OK, 0, 0, "\xe2\x82\xac" "0.00",
		  "0,00" NBSP "\xe2\x82\xac" },
	};
	static const struct expect missing[] = {
		{ "roi", 0, MEASURE_MISSING, 0, 0, "missing", "manquant" },
		{ "profit", 0, MEASURE_MISSING, 0, 0, "missing", "manquant" },
		{ "spend", 0, MEASURE_MISSING, 0, 0, "missing", "manquant" },
		{ "revenue", 1, MEASURE_OK, U(500), 0,
		  "\xe2\x82\xac" "500.00", "500,00" NBSP "\xe2\x82\xac" },
		{ "custom:reach", 0, MEASURE_MISSING, 0, 0, "missing",
		  "manquant" },
		{ "custom_avg:reach", 0, MEASURE_MISSING, 0, 0, "missing",
		  "manquant" },
		{ "cac", 0, MEASURE_MISSING, 0, 0, "missing", "manquant" },
	};
	static const struct expect empty[] = {
		{ "roi", 0, MEASURE_MISSING, 0, 0, "missing", "manquant" },
		{ "clicks", 0, MEASURE_MISSING, 0, 0, "missing", "manquant" },
	};
	struct measure_input none = { .t = NULL };

	(void)state;
	check(&in, zero, sizeof zero / sizeof zero[0], "EUR");
	/* Revenue alone: nothing with cost is known. */
	memset(&t, 0, sizeof t);
	t.revenue = U(500);
	t.present = MF_BIT(MF_REVENUE);
	t.samples = 2;
	t.days = 2;
	check(&in, missing, sizeof missing / sizeof missing[0], "EUR");
	check(&none, empty, sizeof empty / sizeof empty[0], "EUR");
}

/* Coverage: pairs give ratio KPIs theirs; plain sums as documented. */
static void
test_coverage(void **state)
{
	struct kpi_totals t;
	struct measure_input in = { .t = &t };
	struct measure_custom c[] = { { "reach", U(9), 3 } };
	int64_t	 fd[MF__MAX] = { 0 };
	struct measure_value v;

	(void)state;
	memset(&t, 0, sizeof t);
	t.cost = U(700);
	t.revenue = U(1200);
	t.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	t.samples = 7;
	t.days = 7;
	/* Revenue on 6 of the 7 days. */
	t.pair[KPI_PAIR_COST_REVENUE].a = U(600);
	t.pair[KPI_PAIR_COST_REVENUE].b = U(1200);
	t.pair[KPI_PAIR_COST_REVENUE].samples = 6;
	t.pair[KPI_PAIR_COST_REVENUE].days = 6;
	v = compute("roi", &in);
	assert_int_equal(v.floor, 1000000);	/* 1 200 / 600 - 1 */
	assert_int_equal(v.days, 6);
	assert_int_equal(v.days_total, 7);
	/* Spend sums every day with a cost; without field_days its
	 * coverage is the best pair's (a lower bound). */
	v = compute("spend", &in);
	assert_int_equal(v.floor, U(700));
	assert_int_equal(v.days, 6);
	fd[MF_COST] = 7;
	in.field_days = fd;
	v = compute("spend", &in);
	assert_int_equal(v.days, 7);
	assert_int_equal(v.days_total, 7);
	/* No pair with a sample: t->days. */
	in.field_days = NULL;
	t.pair[KPI_PAIR_COST_REVENUE].samples = 0;
	t.pair[KPI_PAIR_COST_REVENUE].days = 0;
	v = compute("spend", &in);
	assert_int_equal(v.days, 7);

	/* Custom KPIs: days with a value; the average over those days. */
	in.custom = c;
	in.ncustom = 1;
	v = compute("custom:reach", &in);
	assert_int_equal(v.floor, U(9));
	assert_int_equal(v.days, 3);
	assert_int_equal(v.days_total, 7);
	v = compute("custom_avg:reach", &in);
	assert_int_equal(v.floor, U(3));
	assert_false(v.inexact);
	assert_int_equal(v.den, U(3));
	/* A negative average floors down: -1 micro over 2 days. */
	c[0].sum = -1;
	c[0].days = 2;
	v = compute("custom_avg:reach", &in);
	assert_int_equal(v.floor, -1);
	assert_true(v.inexact);
	assert_int_equal(measure_cmp(&v, -1), 1);
	assert_int_equal(measure_cmp(&v, 0), -1);
}

/* Names: lookup, round trip, labels, formulas, units, errors. */
static void
test_names(void **state)
{
	static const struct {
		const char	*name, *canon, *en, *fr;
		enum measure_unit unit;
		int		 budget;
	} tab[] = {
		{ "roi", "roi", "ROI", "ROI", MEASURE_PERCENT, 0 },
		{ "ROAS", "roas", "ROAS", "ROAS", MEASURE_RATIO, 0 },
		{ "cost", "spend", "spend", "dépenses", MEASURE_MONEY, 0 },
		{ "cvr", "cvr", "conversion rate", "taux de conversion",
		  MEASURE_PERCENT, 0 },
		{ "clv_cac", "clv_cac", "CLV:CAC", "CLV:CAC", MEASURE_RATIO,
		  0 },
		{ "pacing", "pacing", "budget pacing", "rythme du budget",
		  MEASURE_RATIO, 1 },
		{ "projected_spend", "projected_spend", "projected spend",
		  "dépenses projetées", MEASURE_MONEY, 1 },
		{ "budget_used", "budget_used", "budget used",
		  "budget consommé", MEASURE_PERCENT, 1 },
		{ "custom:reach", "custom:reach", "reach", "reach",
		  MEASURE_COUNT, 0 },
		{ "custom_avg:csat", "custom_avg:csat", "csat (daily average)",
		  "csat (moyenne par jour)", MEASURE_COUNT, 0 },
		{ "custom:30_day_reach", "custom:30_day_reach", "30_day_reach",
		  "30_day_reach", MEASURE_COUNT, 0 },
	};
	static const struct {
		const char	*name, *cause;
	} bad[] = {
		{ "roix", "unknown KPI \"roix\" (known: roi, roas, profit, "
		  "cpa, cpc, cpm, ctr, cvr, spend, revenue, impressions, "
		  "clicks, conversions, cac, clv, clv_cac, budget_used, "
		  "pacing, projected_spend, custom:NAME, custom_avg:NAME)" },
		{ "", "unknown KPI \"\"" },
		{ "custom", "unknown KPI \"custom\"" },
		{ "custom:", "KPI \"custom:\": a custom KPI name is 1 to 32" },
		{ "custom:Reach", "KPI \"custom:Reach\": a custom KPI name" },
		{ "custom:reach rate", "a custom KPI name" },
		{ "custom:abcdefghijabcdefghijabcdefghijabc", "a custom KPI" },
		{ "avg:reach", "unknown KPI \"avg:reach\"" },
		{ "roi\n", "unknown KPI \"roi\\n\"" },
	};
	struct measure_ref r, r2;
	char	 buf[64], *cause;
	size_t	 i, n;

	(void)state;
	for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		r = ref(tab[i].name);
		assert_string_equal(measure_name(&r, buf, sizeof buf),
		    tab[i].canon);
		r2 = ref(buf);
		assert_ptr_equal(r.def, r2.def);
		assert_string_equal(measure_label(&r, "en"), tab[i].en);
		assert_string_equal(measure_label(&r, "fr_FR"), tab[i].fr);
		assert_int_equal(measure_unit(&r), tab[i].unit);
		assert_int_equal(measure_needs_budget(&r), tab[i].budget);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_int_equal(measure_lookup(bad[i].name, &r, &cause), -1);
		assert_non_null(cause);
		if (strstr(cause, bad[i].cause) == NULL)
			fail_msg("\"%s\": \"%s\"", bad[i].name, cause);
		free(cause);
	}
	assert_int_equal(measure_lookup("nope", &r, NULL), -1);

	r = ref("roi");
	assert_string_equal(measure_formula(&r, "en"),
	    "(revenue \xe2\x88\x92 cost) / cost");
	assert_string_equal(measure_formula(&r, "fr"),
	    "(revenus \xe2\x88\x92 coût) / coût");
	assert_int_equal(measure_fields(&r), MF_BIT(MF_COST) |
	    MF_BIT(MF_REVENUE));
	r = ref("cpa");
	assert_string_equal(measure_formula(&r, "en"), "cost / conversions");

	/* Every fixed row once, each one round trips. */
	for (n = 0; measure_nth(n, &r) == 0; n++) {
		assert_non_null(measure_formula(&r, "en"));
		r2 = ref(measure_name(&r, buf, sizeof buf));
		assert_ptr_equal(r.def, r2.def);
	}
	assert_int_equal(n, 19);
}

/* Thresholds from configuration text: accepted and refused. */
static void
test_parse_value(void **state)
{
	static const struct {
		const char	*name, *text, *currency;
		int		 ok;
		int64_t		 v;
		const char	*cause;		/* substring when refused */
	} tab[] = {
		{ "roi", "150%", "EUR", 1, 1500000, NULL },
		{ "roi", "-20 %", "EUR", 1, -200000, NULL },
		{ "roi", "2.5:1", "EUR", 1, 1500000, NULL },
		{ "roi", "2.5", "EUR", 0, 0, "ambiguous" },
		{ "roi", "-150%", "EUR", 0, 0, "below -100%" },
		{ "ctr", "1.5%", "EUR", 1, 15000, NULL },
		{ "ctr", " 1.5 % ", "EUR", 1, 15000, NULL },
		{ "budget_used", "-20 %", "EUR", 1, -200000, NULL },
		{ "ctr", "1.5", "EUR", 0, 0, "ambiguous without %" },
		{ "ctr", "0.5:1", "EUR", 0, 0, "not a ratio" },
		{ "ctr", "12.34567%", "EUR", 0, 0, "more than 4 decimals" },
		{ "ctr", "99999999999999%", "EUR", 0, 0, "number too large" },
		{ "roas", "3:1", "EUR", 1, 3000000, NULL },
		{ "roas", "3 : 1", "EUR", 1, 3000000, NULL },
		{ "roas", "300%", "EUR", 1, 3000000, NULL },
		{ "roas", "3", "EUR", 0, 0, "ambiguous without % or :1" },
		{ "roas", "-1:1", "EUR", 0, 0, "cannot be negative" },
		{ "roas", "3:2", "EUR", 0, 0, "must read R:1" },
		{ "clv_cac", "3:1", "EUR", 1, 3000000, NULL },
		{ "pacing", "1.1", "EUR", 1, 1100000, NULL },
		{ "pacing", "110%", "EUR", 1, 1100000, NULL },
		{ "pacing", "-1", "EUR", 0, 0, "cannot be negative" },
		{ "cpa", "40", "EUR", 1, U(40), NULL },
		{ "cpa", "40.50", "EUR", 1, 40500000, NULL },
		{ "cpa", "40 EUR", "EUR", 1, U(40), NULL },
		{ "cpa", "\xe2\x82\xac" "40", "EUR", 1, U(40), NULL },
		{ "cpa", "40 \xe2\x82\xac", "EUR", 1, U(40), NULL },
		{ "cpa", "40" NBSP "\xe2\x82\xac", "eur", 1, U(40), NULL },
		{ "profit", "-\xe2\x82\xac" "500", "EUR", 1, U(-500), NULL },
		{ "profit", "-500", "EUR", 1, U(-500), NULL },
		{ "cpa", "$40", "USD", 1, U(40), NULL },
		{ "cpa", "40 USD", "EUR", 0, 0,
		  "names the currency USD but the client's currency is EUR" },
		{ "cpa", "$40", "EUR", 0, 0,
		  "names the currency $ but the client's currency is EUR" },
		{ "cpa", "40 EUR", NULL, 0, 0, "the client has no currency" },
		{ "cpa", "40%", "EUR", 0, 0, "a percentage is not an amount" },
		{ "cpa", "40,50", "EUR", 0, 0, "not a number" },
		{ "cpa", "forty", "EUR", 0, 0, "an amount like \"40.50\" or "
		  "\"40.50 EUR\"" },
		{ "cpa", "", "EUR", 0, 0, "no number" },
		{ "cpa", "-$-4", "USD", 0, 0, "two signs" },
		{ "spend", "99999999999999999999", "EUR", 0, 0, "too large" },
		{ "impressions", "1000", "EUR", 1, U(1000), NULL },
		{ "custom:reach", "2.5", "EUR", 1, 2500000, NULL },
		{ "custom_avg:csat", "-0.5", "EUR", 1, -500000, NULL },
		{ "impressions", "10%", "EUR", 0, 0, "a plain number" },
		{ "clicks", "1e3", "EUR", 0, 0, "not a number" },
		{ "clicks", "1.0000001", "EUR", 0, 0, "more than 6 decimals" },
		{ "clicks", "abc", "EUR", 0, 0,
		  "invalid threshold \"abc\" for clicks: not a number (write "
		  "a number like \"1000\" or \"2.5\")" },
		{ "roas", "x\x1b", "EUR", 0, 0, "\"x\\x1b\"" },
	};
	struct measure_ref r;
	int64_t	 v;
	char	*cause;
	size_t	 i;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		r = ref(tab[i].name);
		cause = NULL;
		v = 12345;
		rc = measure_parse_value(&r, tab[i].text, tab[i].currency, &v,
		    &cause);
		if (tab[i].ok) {
			if (rc != 0 || v != tab[i].v)
				fail_msg("%s \"%s\": rc %d v %lld (%s)",
				    tab[i].name, tab[i].text, rc, (long long)v,
				    cause != NULL ? cause : "");
			assert_null(cause);
			continue;
		}
		if (rc != -1 || cause == NULL ||
		    strstr(cause, tab[i].cause) == NULL)
			fail_msg("%s \"%s\": rc %d cause %s", tab[i].name,
			    tab[i].text, rc, cause != NULL ? cause : "NULL");
		assert_int_equal(v, 12345);	/* nothing half-written */
		free(cause);
	}
	r = ref("cpa");
	assert_int_equal(measure_parse_value(&r, "x", "EUR", &v, NULL), -1);
	assert_int_equal(measure_parse_value(&r, NULL, "EUR", &v, NULL), -1);

	assert_int_equal(measure_parse_change("-30%", &v, NULL), 0);
	assert_int_equal(v, -300000);
	assert_int_equal(measure_parse_change(" 25 % ", &v, NULL), 0);
	assert_int_equal(v, 250000);
	cause = NULL;
	assert_int_equal(measure_parse_change("-30", &v, &cause), -1);
	assert_non_null(strstr(cause, "a change is a percentage"));
	free(cause);
}

/*
 * One rounding: the exact value, half away from zero. Values given as floor
 * and inexact directly.
 */
static void
test_format(void **state)
{
	static const struct {
		const char	*name, *currency;
		int64_t		 floor;
		int		 inexact;
		const char	*en, *fr;
	} tab[] = {
		/* -39.995 % exactly rounds away from zero... */
		{ "roi", "EUR", -399950, 0, "-40.00%", "-40,00" NNBSP "%" },
		/* ...but a value just above it (floor -399950, inexact) not. */
		{ "roi", "EUR", -399950, 1, "-39.99%", "-39,99" NNBSP "%" },
		{ "roi", "EUR", 399950, 0, "40.00%", "40,00" NNBSP "%" },
		{ "roi", "EUR", 399949, 1, "39.99%", "39,99" NNBSP "%" },
		{ "roi", "EUR", -1, 1, "0.00%", "0,00" NNBSP "%" },
		{ "roi", "EUR", -51, 0, "-0.01%", "-0,01" NNBSP "%" },
		{ "roas", "EUR", 3385000, 0, "3.39:1", "3,39:1" },
		{ "roas", "EUR", 3384999, 1, "3.38:1", "3,38:1" },
		{ "pacing", "EUR", 1035714, 1, "1.04", "1,04" },
		{ "cpa", "EUR", 5000, 0, "\xe2\x82\xac" "0.01",
		  "0,01" NBSP "\xe2\x82\xac" },
		/* (-0.005, -0.004999): rounds to 0, no sign. */
		{ "profit", "EUR", -5000, 1, "\xe2\x82\xac" "0.00",
		  "0,00" NBSP "\xe2\x82\xac" },
		{ "profit", "EUR", -5001, 1, "-\xe2\x82\xac" "0.01",
		  "-0,01" NBSP "\xe2\x82\xac" },
		{ "profit", "JPY", U(1234) + 500000, 0, "\xc2\xa5" "1,235",
		  "1" NNBSP "235" NBSP "\xc2\xa5" },
		{ "profit", "JPY", U(1234) + 499999, 1, "\xc2\xa5" "1,234",
		  "1" NNBSP "234" NBSP "\xc2\xa5" },
		{ "profit", "CHF", U(-25750), 0, "-25,750.00 CHF",
		  "-25" NNBSP "750,00" NBSP "CHF" },
		{ "custom:reach", NULL, 2500000, 0, "2.5", "2,5" },
		{ "custom:reach", NULL, 2345000, 0, "2.35", "2,35" },
		{ "custom:reach", NULL, 2344999, 1, "2.34", "2,34" },
		{ "custom:reach", NULL, -2345000, 0, "-2.35", "-2,35" },
		{ "impressions", NULL, U(1234567), 0, "1,234,567",
		  "1" NNBSP "234" NNBSP "567" },
		{ "clicks", NULL, 999999, 1, "1", "1" },
	};
	static const struct {
		const char	*name, *currency;
		int64_t		 v;
		const char	*en, *fr;
	} th[] = {
		{ "roi", "EUR", 1500000, "150% (2.5:1)",
		  "150" NNBSP "% (2,5:1)" },
		{ "roi", "EUR", -200000, "-20% (0.8:1)",
		  "-20" NNBSP "% (0,8:1)" },
		{ "roi", "EUR", 2378600, "237.86% (3.3786:1)",
		  "237,86" NNBSP "% (3,3786:1)" },
		{ "ctr", "EUR", 15000, "1.5%", "1,5" NNBSP "%" },
		{ "ctr", "EUR", 12345, "1.2345%", "1,2345" NNBSP "%" },
		{ "roas", "EUR", 3000000, "3:1", "3:1" },
		{ "clv_cac", "EUR", 2500000, "2.5:1", "2,5:1" },
		{ "pacing", "EUR", 1100000, "1.1", "1,1" },
		{ "cpa", "EUR", U(40), "\xe2\x82\xac" "40.00",
		  "40,00" NBSP "\xe2\x82\xac" },
		{ "custom:reach", "EUR", 2500000, "2.5", "2,5" },
		{ "impressions", "EUR", U(10000), "10,000",
		  "10" NNBSP "000" },
	};
	struct measure_ref r;
	struct measure_value v;
	char	 buf[64];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		r = ref(tab[i].name);
		memset(&v, 0, sizeof v);
		v.defined = 1;
		v.floor = tab[i].floor;
		v.inexact = tab[i].inexact;
		measure_format(&r, &v, tab[i].currency, "en", buf, sizeof buf);
		if (strcmp(buf, tab[i].en) != 0)
			fail_msg("row %zu: en \"%s\"", i, buf);
		measure_format(&r, &v, tab[i].currency, "fr", buf, sizeof buf);
		if (strcmp(buf, tab[i].fr) != 0)
			fail_msg("row %zu: fr \"%s\"", i, buf);
	}
	for (i = 0; i < sizeof th / sizeof th[0]; i++) {
		r = ref(th[i].name);
		measure_format_threshold(&r, th[i].v, th[i].currency, "en", buf,
		    sizeof buf);
		if (strcmp(buf, th[i].en) != 0)
			fail_msg("threshold %zu: en \"%s\"", i, buf);
		measure_format_threshold(&r, th[i].v, th[i].currency, "fr", buf,
		    sizeof buf);
		if (strcmp(buf, th[i].fr) != 0)
			fail_msg("threshold %zu: fr \"%s\"", i, buf);
	}
	/* Truncation stays NUL-terminated. */
	r = ref("roi");
	v.floor = 2378640;
	v.inexact = 1;
	assert_string_equal(measure_format(&r, &v, "EUR", "en", buf, 4), "237");
}

/* ROI 200 % -> 140 % is -30 %: exactly, so "down more than 30 %" is not. */
static void
test_change(void **state)
{
	struct kpi_totals t;
	struct measure_input in = { .t = &t };
	struct measure_value cur, prev, ch;
	char	 buf[32];

	(void)state;
	t = totals(U(100), U(300), 10, 1, 1);
	prev = compute("roi", &in);
	assert_int_equal(prev.floor, 2000000);
	t = totals(U(100), U(240), 10, 1, 1);
	cur = compute("roi", &in);
	assert_int_equal(cur.floor, 1400000);
	measure_change(&cur, &prev, &ch);
	assert_true(ch.defined);
	assert_int_equal(ch.floor, -300000);
	assert_false(ch.inexact);
	assert_int_equal(measure_cmp(&ch, -300000), 0);
	assert_int_equal(ch.num, -600000);
	assert_int_equal(ch.den, 2000000);
	assert_string_equal(measure_format_change(&ch, "en", buf, sizeof buf),
	    "-30.00%");
	assert_string_equal(measure_format_change(&ch, "fr", buf, sizeof buf),
	    "-30,00" NNBSP "%");

	/* 140 % -> 200 %: +42.857142|8 %. */
	measure_change(&prev, &cur, &ch);
	assert_int_equal(ch.floor, 428571);
	assert_true(ch.inexact);

	/* From a negative value: -10 % -> -5 % is up 50 % of |prev|. */
	prev.floor = -100000;
	cur.floor = -50000;
	measure_change(&cur, &prev, &ch);
	assert_int_equal(ch.floor, 500000);

	/* Undefined from 0; missing propagates. */
	prev.floor = 0;
	measure_change(&cur, &prev, &ch);
	assert_false(ch.defined);
	assert_int_equal(ch.why, MEASURE_UNDEFINED);
	assert_string_equal(measure_format_change(&ch, "en", buf, sizeof buf),
	    "undefined");
	prev.floor = 1;
	cur.defined = 0;
	cur.why = MEASURE_MISSING;
	measure_change(&cur, &prev, &ch);
	assert_int_equal(ch.why, MEASURE_MISSING);
}

/* A fixed-seed generator: the same numbers on every run. */
static uint64_t
rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Cross-checks on many values: ROI against kpi_roi_cmp() (its own exact
 * arithmetic) at, just below and just above the value; CLV from daily
 * averages whose sums and days are all scaled by 10^6 (so that the products
 * leave 128 bits) against the same CLV unscaled.
 */
static void
test_random(void **state)
{
	static const char *names[4] = { MEASURE_CLV_TRANSACTIONS,
	    MEASURE_CLV_ORDER_VALUE, MEASURE_CLV_MARGIN, MEASURE_CLV_LIFETIME };
	struct kpi_totals t;
	struct measure_custom c[4];
	struct measure_input in = { .t = &t };
	struct measure_value v, w;
	uint64_t x = 88172645463325252ULL;
	int64_t	 cost, revenue, th;
	int	 i, j, k;

	(void)state;
	for (i = 0; i < 5000; i++) {
		cost = (int64_t)(rnd(&x) % 1000000000000ULL) + 1;
		revenue = (int64_t)(rnd(&x) % 1000000000000ULL);
		t = totals(cost, revenue, 10, 1, 1);
		v = compute("roi", &in);
		for (k = -1; k <= 1; k++) {
			th = v.floor + k;
			assert_int_equal(measure_cmp(&v, th),
			    kpi_roi_cmp(&t, th));
		}
	}
	t = totals(U(1), U(1), 10, 1, 1);
	in.custom = c;
	in.ncustom = 4;
	for (i = 0; i < 500; i++) {
		for (j = 0; j < 4; j++) {
			c[j].name = names[j];
			c[j].sum = (int64_t)(rnd(&x) % 100000000ULL);
			c[j].days = (int64_t)(rnd(&x) % 31) + 1;
		}
		v = compute("clv", &in);
		for (j = 0; j < 4; j++) {
			c[j].sum *= 1000000;
			c[j].days *= 1000000;
		}
		w = compute("clv", &in);
		assert_true(v.defined);
		assert_int_equal(w.floor, v.floor);
		assert_int_equal(w.inexact, v.inexact);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_small_numbers),
		cmocka_unit_test(test_clv_cac),
		cmocka_unit_test(test_clv_custom),
		cmocka_unit_test(test_pacing),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_undefined_missing),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parse_value),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
