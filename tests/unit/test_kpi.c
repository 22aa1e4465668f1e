/* Unit tests for kpi.c: formulas on worked numbers, thresholds, exact comparison. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
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

/*
 * Totals as the store gives them for a list of daily samples of one scope:
 * each sample is { day, campaign index, cost, revenue, impressions, clicks,
 * conversions } with NA for a missing field.
 */
#define NA	INT64_MIN
struct sample {
	int32_t	 day;
	int	 campaign;
	int64_t	 f[5];		/* cost revenue impressions clicks conversions */
};
static const enum metric_field sample_fields[5] = {
	MF_COST, MF_REVENUE, MF_IMPRESSIONS, MF_CLICKS, MF_CONVERSIONS
};

static struct kpi_totals
totals_of(const struct sample *sm, size_t n)
{
	struct kpi_totals t;
	int64_t	*sum[5];
	size_t	 i, j;
	int	 p, k, complete;

	memset(&t, 0, sizeof t);
	sum[0] = &t.cost;
	sum[1] = &t.revenue;
	sum[2] = &t.impressions;
	sum[3] = &t.clicks;
	sum[4] = &t.conversions;
	for (i = 0; i < n; i++) {
		if (t.samples == 0 || sm[i].day < t.first_day)
			t.first_day = sm[i].day;
		if (t.samples == 0 || sm[i].day > t.last_day)
			t.last_day = sm[i].day;
		t.samples++;
		t.days++;	/* one sample per (campaign, day) here */
		for (j = 0; j < 5; j++)
			if (sm[i].f[j] != NA) {
				*sum[j] += sm[i].f[j];
				t.present |= MF_BIT(sample_fields[j]);
			}
		for (p = 0; p < KPI_PAIR__MAX; p++) {
			int64_t v[2];

			complete = 1;
			for (k = 0; k < 2; k++) {
				for (j = 0; j < 5; j++)
					if (sample_fields[j] ==
					    kpi_pair_field(p, k))
						break;
				v[k] = sm[i].f[j];
				if (v[k] == NA)
					complete = 0;
			}
			if (!complete)
				continue;
			t.pair[p].a += v[0];
			t.pair[p].b += v[1];
			t.pair[p].samples++;
			t.pair[p].days++;
		}
	}
	return t;
}

#define D1	metric_days_from_civil(2026, 12, 1)
#define D2	metric_days_from_civil(2026, 12, 2)
#define D3	metric_days_from_civil(2026, 12, 3)

/* The case: cost 1000 / revenue 500 on the 1st, revenue 5000 and no
 * cost on the 2nd. Adding everything said 450 %; over complete days: -50 %. */
static void
test_coverage_worked_example(void **state)
{
	static const struct sample sm[] = {
		{ 0, 0, { U(1000), U(500), NA, NA, NA } },
		{ 1, 0, { NA, U(5000), NA, NA, NA } },
	};
	struct sample	 s2[2];
	struct kpi_totals t;
	struct kpi_value v[KPI__MAX];
	struct kpi_lack	 lacks[2];
	struct kpi_gaps	 g;
	char		 buf[256];

	(void)state;
	memcpy(s2, sm, sizeof s2);
	s2[0].day = D1;
	s2[1].day = D2;
	t = totals_of(s2, 2);
	assert_int_equal(t.cost, U(1000));
	assert_int_equal(t.revenue, U(5500));
	kpi_compute(&t, v);
	assert_true(v[KPI_ROI].defined);
	assert_float_equal(v[KPI_ROI].value, -0.5, 1e-15);
	assert_float_equal(v[KPI_ROAS].value, 0.5, 1e-15);
	assert_float_equal(v[KPI_PROFIT].value, -500e6, 1e-3);
	assert_int_equal(v[KPI_ROI].days, 1);
	assert_int_equal(v[KPI_ROI].days_total, 2);
	assert_int_equal(kpi_roi_ppm(&t), -500000);
	assert_int_equal(kpi_roi_cmp(&t, thr_ok("300%")), -1);
	/* 1 of 2 days is 50 %: meets the default minimum coverage. */
	assert_true(kpi_coverage_ok(v[KPI_ROI].days, v[KPI_ROI].days_total,
	    500000));
	assert_false(kpi_coverage_ok(v[KPI_ROI].days, v[KPI_ROI].days_total,
	    500001));
	/* No conversions anywhere: CPA missing, never 0. */
	assert_true(v[KPI_CPA].missing);
	assert_false(v[KPI_CPA].defined);
	assert_string_equal(kpi_format_value(kpi_def(KPI_CPA), &v[KPI_CPA],
	    "USD", "en", buf, sizeof buf), "missing");
	assert_string_equal(kpi_format_value(kpi_def(KPI_CPA), &v[KPI_CPA],
	    "EUR", "fr", buf, sizeof buf), "manquant");
	assert_string_equal(kpi_format_value(kpi_def(KPI_ROI), &v[KPI_ROI],
	    "USD", "en", buf, sizeof buf), "-50.00%");
	assert_string_equal(kpi_format_value(kpi_def(KPI_PROFIT),
	    &v[KPI_PROFIT], "USD", "en", buf, sizeof buf), "-$500.00");
	assert_string_equal(kpi_format_value(kpi_def(KPI_ROAS), &v[KPI_ROAS],
	    "USD", "en", buf, sizeof buf), "0.50:1");

	memset(lacks, 0, sizeof lacks);
	lacks[0].day = D1;
	lacks[0].lacks = MF_BIT(MF_IMPRESSIONS) | MF_BIT(MF_CLICKS) |
	    MF_BIT(MF_CONVERSIONS);
	lacks[1].day = D2;
	lacks[1].lacks = MF_BIT(MF_COST) | MF_BIT(MF_IMPRESSIONS) |
	    MF_BIT(MF_CLICKS) | MF_BIT(MF_CONVERSIONS);
	kpi_gaps_pick(lacks, 2, KPI_PAIR_COST_REVENUE, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.total, 1);
	assert_int_equal(g.gap[0].lacks, MF_BIT(MF_COST));
	assert_string_equal(kpi_format_coverage(&v[KPI_ROI], &g, 0, "en", buf,
	    sizeof buf), "1 of 2 days; 2026-12-02 lacks cost");
	assert_string_equal(kpi_format_coverage(&v[KPI_ROI], &g, 0, "fr", buf,
	    sizeof buf), "1 sur 2 jours ; 2026-12-02 sans coût");
	kpi_gaps_pick(lacks, 2, KPI_PAIR_COST_CONVERSIONS, &g);
	assert_string_equal(kpi_format_coverage(&v[KPI_CPA], &g, 0, "en", buf,
	    sizeof buf), "0 of 2 days; 2026-12-01 lacks conversions, "
	    "2026-12-02 lacks cost and conversions");
	assert_string_equal(kpi_format_coverage(&v[KPI_CPA], &g, 0, "fr", buf,
	    sizeof buf), "0 sur 2 jours ; 2026-12-01 sans conversions, "
	    "2026-12-02 sans coût ni conversions");
}

/*
 * Table: each case a client's samples (one per campaign-day), what a KPI
 * comes to over its complete samples and its coverage in campaign-days.
 */
static void
test_coverage_table(void **state)
{
	static const struct {
		const char	*what;
		struct sample	 sm[4];
		size_t		 n;
		enum kpi_id	 kpi;
		int		 missing;
		double		 value;
		int64_t		 days, total;
	} cases[] = {
		/* CPA over campaigns, one lacking conversions: 100 / 10, not
		 * (100 + 300) / 10. */
		{ "cpa, campaign B lacks conversions",
		  { { 1, 0, { U(100), NA, NA, NA, 10 } },
		    { 1, 1, { U(300), NA, NA, NA, NA } } }, 2,
		  KPI_CPA, 0, 10e6, 1, 2 },
		{ "cpc, clicks on a day without cost",
		  { { 1, 0, { U(50), NA, NA, 100, NA } },
		    { 2, 0, { NA, NA, NA, 900, NA } } }, 2,
		  KPI_CPC, 0, 0.5e6, 1, 2 },
		{ "cpm, impressions and cost on different days",
		  { { 1, 0, { U(50), NA, NA, NA, NA } },
		    { 2, 0, { NA, NA, 1000, NA, NA } } }, 2,
		  KPI_CPM, 1, 0, 0, 2 },
		{ "ctr, complete",
		  { { 1, 0, { NA, NA, 1000, 10, NA } },
		    { 2, 0, { NA, NA, 3000, 50, NA } } }, 2,
		  KPI_CTR, 0, 0.015, 2, 2 },
		{ "cvr, one day lacks conversions",
		  { { 1, 0, { NA, NA, NA, 100, 4 } },
		    { 2, 0, { NA, NA, NA, 100, NA } },
		    { 3, 0, { NA, NA, NA, 100, 6 } } }, 3,
		  KPI_CVR, 0, 0.05, 2, 3 },
		{ "roi, revenue lagging a day (attribution)",
		  { { 1, 0, { U(100), U(300), NA, NA, NA } },
		    { 2, 0, { U(100), U(200), NA, NA, NA } },
		    { 3, 0, { U(100), NA, NA, NA, NA } } }, 3,
		  KPI_ROI, 0, 1.5, 2, 3 },
		{ "roi, cost 0 on the complete day: undefined, not missing",
		  { { 1, 0, { 0, U(10), NA, NA, NA } },
		    { 2, 0, { U(5), NA, NA, NA, NA } } }, 2,
		  KPI_ROI, 0, 0, 1, 2 },
		{ "profit over complete days only",
		  { { 1, 0, { U(100), U(150), NA, NA, NA } },
		    { 1, 1, { NA, U(1000), NA, NA, NA } } }, 2,
		  KPI_PROFIT, 0, 50e6, 1, 2 },
	};
	struct kpi_totals t;
	struct kpi_value v[KPI__MAX];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		t = totals_of(cases[i].sm, cases[i].n);
		kpi_compute(&t, v);
		if (v[cases[i].kpi].missing != cases[i].missing ||
		    v[cases[i].kpi].days != cases[i].days ||
		    v[cases[i].kpi].days_total != cases[i].total)
			fail_msg("%s: missing %d days %lld of %lld", cases[i].what,
			    v[cases[i].kpi].missing,
			    (long long)v[cases[i].kpi].days,
			    (long long)v[cases[i].kpi].days_total);
		if (cases[i].value != 0 && (!v[cases[i].kpi].defined ||
		    fabs(v[cases[i].kpi].value - cases[i].value) > 1e-9 *
		    fabs(cases[i].value)))
			fail_msg("%s: %g, expected %g", cases[i].what,
			    v[cases[i].kpi].value, cases[i].value);
		if (cases[i].value == 0 && v[cases[i].kpi].defined &&
		    cases[i].kpi == KPI_ROI)
			fail_msg("%s: defined", cases[i].what);
	}
}

/* Coverage in words: campaign-days, several gaps, the others counted. */
static void
test_coverage_text(void **state)
{
	struct kpi_value v = { .defined = 1, .days = 3, .days_total = 8 };
	struct kpi_lack	 l[5];
	struct kpi_gaps	 g;
	char		 buf[512], small[12];
	int		 i;

	(void)state;
	memset(l, 0, sizeof l);
	for (i = 0; i < 5; i++) {
		l[i].day = D1 + i;
		l[i].lacks = MF_BIT(MF_REVENUE);
		snprintf(l[i].campaign, sizeof l[i].campaign, "C%d", i);
	}
	l[1].lacks = MF_BIT(MF_CLICKS);		/* not of the (cost, revenue) pair */
	snprintf(l[2].campaign, sizeof l[2].campaign, "bad\nname");
	kpi_gaps_pick(l, 5, KPI_PAIR_COST_REVENUE, &g);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.total, 4);
	assert_string_equal(kpi_format_coverage(&v, &g, 1, "en", buf,
	    sizeof buf), "3 of 8 campaign-days; 2026-12-01 (C0) lacks revenue, "
	    "2026-12-03 (bad name) lacks revenue, 2026-12-04 (C3) lacks "
	    "revenue, and 1 more");
	assert_string_equal(kpi_format_coverage(&v, NULL, 0, "fr", buf,
	    sizeof buf), "3 sur 8 jours");
	v.days_total = 1;
	v.days = 1;
	assert_string_equal(kpi_format_coverage(&v, NULL, 0, "en", buf,
	    sizeof buf), "1 of 1 day");
	v.days_total = 0;
	assert_string_equal(kpi_format_coverage(&v, &g, 0, "en", buf,
	    sizeof buf), "no data");
	/* Truncation stays terminated. */
	v.days_total = 8;
	kpi_format_coverage(&v, &g, 1, "en", small, sizeof small);
	assert_true(strlen(small) < sizeof small);
}

static void
test_coverage_ok(void **state)
{
	static const struct {
		int64_t	 complete, total, min;
		int	 ok;
	} cases[] = {
		{ 1, 2, 500000, 1 },
		{ 1, 2, 500001, 0 },
		{ 0, 2, 0, 1 },
		{ 0, 0, 0, 0 },		/* no data: nothing to judge */
		{ 6, 7, 857142, 1 },
		{ 6, 7, 857143, 0 },
		{ 7, 7, 1000000, 1 },
		{ INT64_MAX, INT64_MAX, 1000000, 1 },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (kpi_coverage_ok(cases[i].complete, cases[i].total,
		    cases[i].min) != cases[i].ok)
			fail_msg("case %zu", i);
}

/* The table: every KPI's fields belong to its pair; names are unique. */
static void
test_table(void **state)
{
	const struct kpi_def *d;
	unsigned f;
	int	 i, j;

	(void)state;
	for (i = 0; i < KPI__MAX; i++) {
		d = kpi_def(i);
		assert_non_null(d);
		assert_int_equal(d->id, i);
		f = kpi_pair_fields(d->pair);
		assert_true(f & MF_BIT(d->num));
		assert_true(f & MF_BIT(d->den));
		for (j = 0; j < i; j++)
			assert_string_not_equal(d->name, kpi_def(j)->name);
	}
	assert_null(kpi_def(KPI__MAX));
}

static void
test_totals_add_pairs(void **state)
{
	struct kpi_totals a, b;

	(void)state;
	memset(&a, 0, sizeof a);
	b = worked();
	b.days = 1;
	kpi_totals_assume_complete(&b);
	kpi_totals_add(&a, &b);
	kpi_totals_add(&a, &b);
	assert_int_equal(a.days, 2);
	assert_int_equal(a.pair[KPI_PAIR_COST_REVENUE].a, U(51500));
	assert_int_equal(a.pair[KPI_PAIR_COST_REVENUE].b, U(174000));
	assert_int_equal(a.pair[KPI_PAIR_COST_REVENUE].days, 2);
	assert_int_equal(a.pair[KPI_PAIR_CLICKS_IMPRESSIONS].samples, 2);
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
		cmocka_unit_test(test_coverage_worked_example),
		cmocka_unit_test(test_coverage_table),
		cmocka_unit_test(test_coverage_text),
		cmocka_unit_test(test_coverage_ok),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_totals_add_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
