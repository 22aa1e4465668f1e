/* Unit tests for kpi.c: formulas on worked numbers, thresholds, exact comparison. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kpi.h"
#include "metric.h"

#define U(x)		((int64_t)(x) * MICROS_PER_UNIT)
#define ALL_FIELDS	(MF_BIT(MF_COST) | MF_BIT(MF_REVENUE) | \
	    MF_BIT(MF_IMPRESSIONS) | MF_BIT(MF_CLICKS) | MF_BIT(MF_CONVERSIONS))

/* The DESIGN.md example: 87 000 of revenue for 25 750 of cost. */
static struct kpi_totals
worked(void)
{
	struct kpi_totals t;

	memset(&t, 0, sizeof t);
	t.cost = U(25750);
	t.revenue = U(87000);
	t.impressions = 1030000;
	t.clicks = 5150;
	t.conversions = 103;
	t.present = ALL_FIELDS;
	t.samples = 1;
	return t;
}

/*
 * The tests above the coverage ones give plain sums of samples that all
 * report every present field: their pairs are those sums.
 */
static void
compute(const struct kpi_totals *t, struct kpi_value v[KPI__MAX])
{
	struct kpi_totals c = *t;

	kpi_totals_assume_complete(&c);
	kpi_compute(&c, v);
}

static int
roi_cmp(const struct kpi_totals *t, int64_t ppm)
{
	struct kpi_totals c = *t;

	kpi_totals_assume_complete(&c);
	return kpi_roi_cmp(&c, ppm);
}

static int64_t
roi_ppm(const struct kpi_totals *t)
{
	struct kpi_totals c = *t;

	kpi_totals_assume_complete(&c);
	return kpi_roi_ppm(&c);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(kpi_name(KPI_ROI), "roi");
	assert_string_equal(kpi_name(KPI_ROAS), "roas");
	assert_string_equal(kpi_name(KPI_CVR), "cvr");
	assert_string_equal(kpi_name(KPI_PROFIT), "profit");
	assert_string_equal(kpi_name(KPI__MAX), "unknown");
}

static void
test_worked_example(void **state)
{
	struct kpi_totals t = worked();
	struct kpi_value v[KPI__MAX];
	char	 buf[32];
	int	 i;

	(void)state;
	compute(&t, v);
	for (i = 0; i < KPI__MAX; i++)
		assert_true(v[i].defined);
	assert_float_equal(v[KPI_ROI].value, 2.3786407766990291, 1e-12);
	assert_float_equal(v[KPI_ROAS].value, 3.3786407766990291, 1e-12);
	assert_string_equal(kpi_format_percent(&v[KPI_ROI], buf, sizeof buf),
	    "237.86%");
	/* 25 750 / 103 = 250; / 5 150 = 5; / 1 030 000 * 1000 = 25. */
	assert_float_equal(v[KPI_CPA].value, 250e6, 1e-6);
	assert_float_equal(v[KPI_CPC].value, 5e6, 1e-6);
	assert_float_equal(v[KPI_CPM].value, 25e6, 1e-6);
	assert_float_equal(v[KPI_CTR].value, 0.005, 1e-15);
	assert_float_equal(v[KPI_CVR].value, 0.02, 1e-15);
	assert_float_equal(v[KPI_PROFIT].value, 61250e6, 1e-3);
	assert_string_equal(kpi_format_percent(&v[KPI_CTR], buf, sizeof buf),
	    "0.50%");
	assert_string_equal(kpi_format_percent(&v[KPI_CVR], buf, sizeof buf),
	    "2.00%");
}

static void
test_other_numbers(void **state)
{
	struct kpi_totals t = worked();
	struct kpi_value v[KPI__MAX];
	char	 buf[32];

	(void)state;
	/* Spend 1 200 for 900 of revenue: ROI -25 %, ROAS 0.75. */
	t.cost = U(1200);
	t.revenue = U(900);
	t.impressions = 48000;
	t.clicks = 960;
	t.conversions = 16;
	compute(&t, v);
	assert_float_equal(v[KPI_ROI].value, -0.25, 1e-15);
	assert_float_equal(v[KPI_ROAS].value, 0.75, 1e-15);
	assert_float_equal(v[KPI_CPA].value, 75e6, 1e-6);
	assert_float_equal(v[KPI_CPC].value, 1.25e6, 1e-6);
	assert_float_equal(v[KPI_CPM].value, 25e6, 1e-6);
	assert_float_equal(v[KPI_CTR].value, 0.02, 1e-15);
	assert_float_equal(v[KPI_CVR].value, 1.0 / 60, 1e-15);
	assert_float_equal(v[KPI_PROFIT].value, -300e6, 1e-6);
	assert_string_equal(kpi_format_percent(&v[KPI_ROI], buf, sizeof buf),
	    "-25.00%");
}

/*
 * Undefined means "divisor 0" (kpi.h): with cost 0, ROI and ROAS are undefined
 * while CPM/CPC/CPA are a defined 0 (free impressions); with nothing delivered
 * either, CPM/CPC/CPA are undefined too. Profit is always defined.
 */
static void
test_zero_divisors(void **state)
{
	struct kpi_totals t = worked();
	struct kpi_value v[KPI__MAX];
	char	 buf[32];

	(void)state;
	t.cost = 0;
	compute(&t, v);
	assert_false(v[KPI_ROI].defined);
	assert_false(v[KPI_ROAS].defined);
	assert_true(v[KPI_CPM].defined);	/* 0 per mille: defined */
	assert_float_equal(v[KPI_CPM].value, 0, 0);
	assert_true(v[KPI_CPC].defined);
	assert_float_equal(v[KPI_CPC].value, 0, 0);
	assert_true(v[KPI_PROFIT].defined);
	assert_float_equal(v[KPI_PROFIT].value, 87000e6, 1e-3);
	assert_string_equal(kpi_format_percent(&v[KPI_ROI], buf, sizeof buf),
	    "undefined");

	/* Zero impressions, clicks, conversions. */
	t = worked();
	t.impressions = 0;
	t.clicks = 0;
	t.conversions = 0;
	compute(&t, v);
	assert_true(v[KPI_ROI].defined);
	assert_false(v[KPI_CPM].defined);
	assert_false(v[KPI_CPC].defined);
	assert_false(v[KPI_CPA].defined);
	assert_false(v[KPI_CTR].defined);
	assert_false(v[KPI_CVR].defined);

	/* One sample with every field zero: only profit is defined (0). */
	memset(&t, 0, sizeof t);
	t.present = ALL_FIELDS;
	t.samples = 1;
	compute(&t, v);
	assert_false(v[KPI_ROI].defined);
	assert_false(v[KPI_ROAS].defined);
	assert_false(v[KPI_CPM].defined);
	assert_false(v[KPI_CPC].defined);
	assert_false(v[KPI_CPA].defined);
	assert_false(v[KPI_CTR].defined);
	assert_false(v[KPI_CVR].defined);
	assert_true(v[KPI_PROFIT].defined);
	assert_float_equal(v[KPI_PROFIT].value, 0, 0);
}

/* A field never reported is not zero: what needs it is undefined. */
static void
test_missing_fields(void **state)
{
	struct kpi_totals t = worked();
	struct kpi_value v[KPI__MAX];

	(void)state;
	t.present &= ~MF_BIT(MF_REVENUE);
	compute(&t, v);
	assert_false(v[KPI_ROI].defined);
	assert_false(v[KPI_ROAS].defined);
	assert_false(v[KPI_PROFIT].defined);
	assert_true(v[KPI_CPC].defined);
	assert_true(v[KPI_CTR].defined);

	t = worked();
	t.present &= ~MF_BIT(MF_COST);
	compute(&t, v);
	assert_false(v[KPI_ROI].defined);
	assert_false(v[KPI_CPA].defined);
	assert_false(v[KPI_CPC].defined);
	assert_false(v[KPI_CPM].defined);
	assert_false(v[KPI_PROFIT].defined);
	assert_true(v[KPI_CTR].defined);
	assert_true(v[KPI_CVR].defined);

	t = worked();
	t.present &= ~MF_BIT(MF_CLICKS);
	compute(&t, v);
	assert_false(v[KPI_CPC].defined);
	assert_false(v[KPI_CTR].defined);
	assert_false(v[KPI_CVR].defined);
	assert_true(v[KPI_CPA].defined);
	assert_true(v[KPI_CPM].defined);

	t = worked();
	t.present = 0;
	compute(&t, v);
	for (int i = 0; i < KPI__MAX; i++)
		assert_false(v[i].defined);
}

static void
test_format_percent(void **state)
{
	struct kpi_value v = { .defined = 1 };
	char	 buf[32], small[4];

	(void)state;
	assert_string_equal(kpi_format_percent(&v, buf, sizeof buf), "0.00%");
	v.value = -0.00001;
	assert_string_equal(kpi_format_percent(&v, buf, sizeof buf), "0.00%");
	v.value = -1;
	assert_string_equal(kpi_format_percent(&v, buf, sizeof buf),
	    "-100.00%");
	v.value = 1.5;
	assert_string_equal(kpi_format_percent(&v, buf, sizeof buf),
	    "150.00%");
	v.defined = 0;
	assert_string_equal(kpi_format_percent(&v, buf, sizeof buf),
	    "undefined");
	assert_string_equal(kpi_format_percent(NULL, buf, sizeof buf),
	    "undefined");
	v.defined = 1;
	v.value = 1.5;
	assert_string_equal(kpi_format_percent(&v, small, sizeof small),
	    "150");
}

static int64_t
thr_ok(const char *s)
{
	int64_t	 ppm = 42;
	char	*cause = NULL;

	if (kpi_parse_roi_threshold(s, &ppm, &cause) != 0)
		fail_msg("\"%s\" refused: %s", s, cause);
	assert_null(cause);
	return ppm;
}

static void
thr_bad(const char *s)
{
	int64_t	 ppm = 42;
	char	*cause = NULL;

	if (kpi_parse_roi_threshold(s, &ppm, &cause) == 0)
		fail_msg("\"%s\" accepted as %lld", s, (long long)ppm);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "ROI threshold"));
	assert_int_equal(ppm, 42);
	free(cause);
}

static void
test_parse_threshold(void **state)
{
	(void)state;
	assert_int_equal(thr_ok("150%"), 1500000);
	assert_int_equal(thr_ok("150 %"), 1500000);
	assert_int_equal(thr_ok(" 150% "), 1500000);
	assert_int_equal(thr_ok("+150%"), 1500000);
	assert_int_equal(thr_ok("-20%"), -200000);
	assert_int_equal(thr_ok("-100%"), -1000000);
	assert_int_equal(thr_ok("0%"), 0);
	assert_int_equal(thr_ok("237.86%"), 2378600);
	assert_int_equal(thr_ok("0.0001%"), 1);
	assert_int_equal(thr_ok("2.5:1"), 1500000);
	assert_int_equal(thr_ok("3:1"), 2000000);
	assert_int_equal(thr_ok(" 4.2 : 1 "), 3200000);
	assert_int_equal(thr_ok("1:1"), 0);
	assert_int_equal(thr_ok("0:1"), -1000000);
	assert_int_equal(thr_ok("0.5:1"), -500000);
	assert_int_equal(thr_ok("3.3786:1"), 2378600);
	/* Both spellings of the same threshold agree. */
	assert_int_equal(thr_ok("250%"), thr_ok("3.5:1"));
}

static void
test_parse_threshold_refused(void **state)
{
	(void)state;
	thr_bad("2.5");		/* ambiguous */
	thr_bad("150");
	thr_bad("abc");
	thr_bad("%");
	thr_bad("");
	thr_bad("   ");
	thr_bad(NULL);
	thr_bad(":1");
	thr_bad("-0.5:1");	/* ratios are never negative */
	thr_bad("-101%");
	thr_bad("-100.0001%");
	thr_bad("1.23456%");	/* more than 4 decimals */
	thr_bad("2.50001:1");
	thr_bad("150%%");
	thr_bad("150% x");
	thr_bad("2.5:2");
	thr_bad("2.5:");
	thr_bad("2.5:10");
	thr_bad("2.5:1.0");
	thr_bad("2,5:1");
	thr_bad("150.%");
	thr_bad("1e2%");
	thr_bad("--5%");
	thr_bad("99999999999%");
	thr_bad("99999999999999999999999:1");
	thr_bad("150\n%");
}

static void
test_parse_threshold_cause_escaped(void **state)
{
	int64_t	 ppm;
	char	*cause = NULL;

	(void)state;
	assert_int_equal(kpi_parse_roi_threshold("x\x1b[31m", &ppm, &cause),
	    -1);
	assert_null(strchr(cause, '\x1b'));
	free(cause);
	/* A NULL cause is allowed. */
	assert_int_equal(kpi_parse_roi_threshold("x", &ppm, NULL), -1);
}

static const char *
thr_fmt(int64_t ppm)
{
	static char buf[64];

	return kpi_format_roi_threshold(ppm, buf, sizeof buf);
}

static void
test_format_threshold(void **state)
{
	(void)state;
	assert_string_equal(thr_fmt(1500000), "150% (2.5:1)");
	assert_string_equal(thr_fmt(2000000), "200% (3:1)");
	assert_string_equal(thr_fmt(2375000), "237.5% (3.375:1)");
	assert_string_equal(thr_fmt(2378600), "237.86% (3.3786:1)");
	assert_string_equal(thr_fmt(0), "0% (1:1)");
	assert_string_equal(thr_fmt(-200000), "-20% (0.8:1)");
	assert_string_equal(thr_fmt(-1000000), "-100% (0:1)");
	assert_string_equal(thr_fmt(1), "0.0001% (1.000001:1)");
	assert_string_equal(thr_fmt(-1500000), "-150%");
	/* Round trip through the parser, both forms. */
	assert_int_equal(thr_ok("3.2:1"), 2200000);
	assert_string_equal(thr_fmt(thr_ok("3.2:1")), "220% (3.2:1)");
	assert_string_equal(thr_fmt(thr_ok("-12.5%")), "-12.5% (0.875:1)");
}

static void
test_roi_cmp_exact(void **state)
{
	struct kpi_totals t = worked();

	(void)state;
	/* 237.864077...% */
	assert_int_equal(roi_ppm(&t), 2378640);
	assert_int_equal(roi_cmp(&t, 2378640), 1);
	assert_int_equal(roi_cmp(&t, 2378641), -1);
	assert_int_equal(roi_cmp(&t, thr_ok("3:1")), 1);
	assert_int_equal(roi_cmp(&t, thr_ok("3.4:1")), -1);

	/* Exactly on the boundary: 250 for 100 is ROI 150 %, not below. */
	t.cost = U(100);
	t.revenue = U(250);
	assert_int_equal(roi_cmp(&t, thr_ok("150%")), 0);
	assert_int_equal(roi_cmp(&t, thr_ok("2.5:1")), 0);
	assert_int_equal(roi_ppm(&t), 1500000);
	/* One micro less of revenue is below. */
	t.revenue = U(250) - 1;
	assert_int_equal(roi_cmp(&t, 1500000), -1);
	assert_int_equal(roi_ppm(&t), 1499999);
	t.revenue = U(250) + 1;
	assert_int_equal(roi_cmp(&t, 1500000), 1);
	assert_int_equal(roi_ppm(&t), 1500000);	/* truncated */

	/* A case where floats would not be exact: 0.1 + 0.2 vs 0.3. */
	t.cost = 300000;
	t.revenue = 600000;
	assert_int_equal(roi_cmp(&t, 1000000), 0);

	/* Negative ROI truncates toward zero. */
	t.cost = U(3);
	t.revenue = U(2);
	assert_int_equal(roi_ppm(&t), -333333);
	assert_int_equal(roi_cmp(&t, -333333), -1);
	assert_int_equal(roi_cmp(&t, -333334), 1);
	t.revenue = 0;
	assert_int_equal(roi_cmp(&t, thr_ok("0:1")), 0);

	/* Extremes do not overflow. */
	t.cost = 1;
	t.revenue = INT64_MAX;
	assert_int_equal(roi_ppm(&t), INT64_MAX);
	assert_int_equal(roi_cmp(&t, INT64_MAX), 1);
	t.cost = INT64_MAX;
	t.revenue = INT64_MIN;
	assert_int_equal(roi_cmp(&t, INT64_MIN), 1);
	assert_int_equal(roi_cmp(&t, -1000000), -1);
}

static void
test_totals_add(void **state)
{
	struct kpi_totals a, b;

	(void)state;
	memset(&a, 0, sizeof a);
	a.first_day = 999;	/* meaningless while samples == 0 */
	a.last_day = -999;
	b = worked();
	b.first_day = 100;
	b.last_day = 105;
	b.present = MF_BIT(MF_COST);
	kpi_totals_add(&a, &b);
	assert_int_equal(a.samples, 1);
	assert_int_equal(a.first_day, 100);
	assert_int_equal(a.last_day, 105);
	assert_int_equal(a.cost, U(25750));
	assert_int_equal(a.present, MF_BIT(MF_COST));

	b.first_day = 90;
	b.last_day = 95;
	b.samples = 2;
	b.present = MF_BIT(MF_REVENUE);
	kpi_totals_add(&a, &b);
	assert_int_equal(a.samples, 3);
	assert_int_equal(a.first_day, 90);
	assert_int_equal(a.last_day, 105);
	assert_int_equal(a.cost, U(51500));
	assert_int_equal(a.revenue, U(174000));
	assert_int_equal(a.impressions, 2060000);
	assert_int_equal(a.clicks, 10300);
	assert_int_equal(a.conversions, 206);
	assert_int_equal(a.present, MF_BIT(MF_COST) | MF_BIT(MF_REVENUE));

	b.first_day = 101;
	b.last_day = 120;
	kpi_totals_add(&a, &b);
	assert_int_equal(a.first_day, 90);
	assert_int_equal(a.last_day, 120);

	/* An empty b leaves the day range alone. */
	memset(&b, 0, sizeof b);
	b.first_day = -5000;
	b.last_day = 5000;
	kpi_totals_add(&a, &b);
	assert_int_equal(a.first_day, 90);
	assert_int_equal(a.last_day, 120);
	assert_int_equal(a.samples, 5);

	/* Absurd sums saturate rather than wrap. */
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.cost = INT64_MAX - 1;
	b.cost = 10;
	kpi_totals_add(&a, &b);
	assert_int_equal(a.cost, INT64_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_other_numbers),
		cmocka_unit_test(test_zero_divisors),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_format_percent),
		cmocka_unit_test(test_parse_threshold),
		cmocka_unit_test(test_parse_threshold_refused),
		cmocka_unit_test(test_parse_threshold_cause_escaped),
		cmocka_unit_test(test_format_threshold),
		cmocka_unit_test(test_roi_cmp_exact),
		cmocka_unit_test(test_totals_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
