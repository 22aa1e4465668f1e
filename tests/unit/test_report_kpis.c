/*
 * Unit tests for report-kpis.c: the KPI table and its JSON from subjects'
 * sums, in en and fr number formats, missing vs undefined, coverage named
 * from the days that lack fields, custom KPIs, and columns aligned by display
 * width when cells hold multi-byte characters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "kpi.h"
#include "measure.h"
#include "metric.h"
#include "report-kpis.h"
#include "utf8.h"
#include "window.h"

#define U(x)		((int64_t)(x) * MICROS_PER_UNIT)
#define ALL_FIELDS	(MF_BIT(MF_COST) | MF_BIT(MF_REVENUE) | \
	    MF_BIT(MF_IMPRESSIONS) | MF_BIT(MF_CLICKS) | MF_BIT(MF_CONVERSIONS))
#define NNBSP		"\xe2\x80\xaf"
#define NBSP		"\xc2\xa0"
#define EURO		"\xe2\x82\xac"
#define DAY1		20788	/* 2026-12-01 */

/* Totals of `days` complete samples with every field. */
static struct kpi_totals
totals(int64_t cost, int64_t revenue, int64_t impressions, int64_t clicks,
    int64_t conversions, int64_t days)
{
	struct kpi_totals t;

	memset(&t, 0, sizeof t);
	t.cost = cost;
	t.revenue = revenue;
	t.impressions = impressions;
	t.clicks = clicks;
	t.conversions = conversions;
	t.present = ALL_FIELDS;
	t.samples = days;
	t.days = days;
	t.first_day = DAY1;
	t.last_day = DAY1 + (int32_t)days - 1;
	kpi_totals_assume_complete(&t);
	return t;
}

static struct report_kpis *
report(const char *lang, const char *window, enum report_by by)
{
	struct report_kpis_info	 info;
	char			*cause = NULL;

	memset(&info, 0, sizeof info);
	info.client = "acme";
	info.currency = "EUR";
	info.language = lang;
	info.timezone = "Europe/Paris";
	if (window_parse(window, &info.window, &cause) != 0)
		fail_msg("%s: %s", window, cause);
	if (info.window.kind == WINDOW_LIFETIME) {
		info.range.from = INT32_MIN;
		info.range.to = INT32_MAX;
	} else {
		info.range.from = DAY1 - 6;	/* 2026-11-25 */
		info.range.to = DAY1;
	}
	info.by = by;
	return report_kpis_new(&info);
}

static void
add(struct report_kpis *r, const char *subject, const struct kpi_totals *t,
    const struct kpi_lack *lacks, size_t nlacks)
{
	struct report_sums in;

	memset(&in, 0, sizeof in);
	in.subject = subject;
	in.t = t;
	in.lacks = lacks;
	in.nlacks = nlacks;
	report_kpis_add(r, &in);
}

/* The n-th line of text (0-based), copied into buf. */
static const char *
line(const char *text, int n, char *buf, size_t len)
{
	const char *p = text, *e;

	while (n-- > 0) {
		if ((p = strchr(p, '\n')) == NULL)
			fail_msg("no line %d in:\n%s", n, text);
		p++;
	}
	e = strchr(p, '\n');
	if (e == NULL)
		e = p + strlen(p);
	if ((size_t)(e - p) >= len)
		fail_msg("line too long");
	memcpy(buf, p, (size_t)(e - p));
	buf[e - p] = '\0';
	return buf;
}

/* Display columns up to the end of the first `needle` in s. */
static size_t
end_col(const char *s, const char *needle)
{
	const char *p = strstr(s, needle);
	char	 pre[1024];

	if (p == NULL)
		fail_msg("no \"%s\" in \"%s\"", needle, s);
	p += strlen(needle);
	memcpy(pre, s, (size_t)(p - s));
	pre[p - s] = '\0';
	return utf8_width(pre);
}

/* The report's JSON as a reader sees it: printed, then parsed. */
static cJSON *
json(const struct report_kpis *r)
{
	cJSON	*j = report_kpis_json(r), *back;
	char	*s;

	s = cJSON_PrintUnformatted(j);
	assert_non_null(s);
	back = cJSON_Parse(s);
	assert_non_null(back);
	cJSON_free(s);
	cJSON_Delete(j);
	return back;
}

static const cJSON *
get(const cJSON *o, const char *path)
{
	char	 name[64];
	const char *p = path, *dot;

	while (o != NULL && *p != '\0') {
		dot = strchr(p, '.');
		snprintf(name, sizeof name, "%.*s", dot != NULL ?
		    (int)(dot - p) : (int)strlen(p), p);
		o = cJSON_GetObjectItemCaseSensitive(o, name);
		p = dot != NULL ? dot + 1 : p + strlen(p);
	}
	if (o == NULL)
		fail_msg("no %s", path);
	return o;
}

/* The DESIGN worked example, en: the header, the row, the total. */
static void
test_table_en(void **state)
{
	struct report_kpis *r = report("en", "last_7_days", REPORT_BY_CAMPAIGN);
	struct kpi_totals t = totals(U(25750), U(87000), 1030000, 5150, 103,
	    7);
	char	*text, buf[512];

	(void)state;
	add(r, "Summer", &t, NULL, 0);
	add(r, NULL, &t, NULL, 0);
	assert_int_equal(report_kpis_rows(r), 1);
	text = report_kpis_table(r);
	assert_string_equal(line(text, 0, buf, sizeof buf),
	    "last 7 days: 2026-11-25 to 2026-12-01 (Europe/Paris), "
	    "by campaign");
	line(text, 1, buf, sizeof buf);
	assert_non_null(strstr(buf, "campaign"));
	assert_non_null(strstr(buf, "ROI"));
	assert_non_null(strstr(buf, "CVR"));
	line(text, 2, buf, sizeof buf);
	assert_true(strncmp(buf, "Summer ", 7) == 0);
	assert_non_null(strstr(buf, EURO "25,750.00"));
	assert_non_null(strstr(buf, EURO "87,000.00"));
	assert_non_null(strstr(buf, EURO "61,250.00"));
	assert_non_null(strstr(buf, "237.86%"));
	assert_non_null(strstr(buf, "3.38:1"));
	assert_non_null(strstr(buf, EURO "250.00"));
	assert_non_null(strstr(buf, "0.50%"));
	assert_non_null(strstr(buf, "2.00%"));
	line(text, 3, buf, sizeof buf);
	assert_true(strncmp(buf, "total ", 6) == 0);
	assert_non_null(strstr(buf, "237.86%"));
	/* Every day complete: no coverage section. */
	assert_null(strstr(text, "coverage"));
	free(text);
	report_kpis_free(r);
}

/* fr: the client's number format, and columns aligned by display width. */
static void
test_table_fr_aligned(void **state)
{
	struct report_kpis *r = report("fr", "lifetime", REPORT_BY_CAMPAIGN);
	struct kpi_totals a = totals(U(25750), U(87000), 1030000, 5150, 103,
	    7);
	struct kpi_totals b = totals(U(10), U(5), 100, 0, 0, 1);
	struct kpi_totals t = a;
	char	*text, l[4][1024];
	size_t	 w, i;

	(void)state;
	kpi_totals_add(&t, &b);
	add(r, "Vols été", &a, NULL, 0);
	add(r, "B", &b, NULL, 0);
	add(r, NULL, &t, NULL, 0);
	text = report_kpis_table(r);
	assert_non_null(strstr(text, "lifetime: all data, data 2026-12-01 to "
	    "2026-12-07 (Europe/Paris)"));
	for (i = 0; i < 4; i++)
		line(text, 1 + (int)i, l[i], sizeof l[i]);
	assert_non_null(strstr(l[1], "25" NNBSP "750,00" NBSP EURO));
	assert_non_null(strstr(l[1], "87" NNBSP "000,00" NBSP EURO));
	assert_non_null(strstr(l[1], "237,86" NNBSP "%"));
	assert_non_null(strstr(l[1], "3,38:1"));
	/* Same display width, different byte lengths: widths, not bytes. */
	w = utf8_width(l[0]);
	for (i = 1; i < 4; i++)
		assert_int_equal(utf8_width(l[i]), w);
	assert_int_not_equal(strlen(l[1]), strlen(l[2]));
	/* The ROI column ends at the same display column on every line. */
	assert_int_equal(end_col(l[1], "237,86" NNBSP "%"), end_col(l[0],
	    "ROI"));
	assert_int_equal(end_col(l[2], "-50,00" NNBSP "%"), end_col(l[0],
	    "ROI"));
	assert_int_equal(end_col(l[3], "%"), end_col(l[0], "ROI"));
	free(text);
	report_kpis_free(r);
}

/*
 * Missing (no sample reports the fields) and undefined (a divisor of 0) are
 * told apart, in both languages, in the table and in the JSON.
 */
static void
test_missing_undefined(void **state)
{
	struct report_kpis *r;
	struct kpi_totals t;
	cJSON	*j;
	char	*text, buf[1024];
	const char *lang[2] = { "en", "fr" };
	const char *miss[2] = { "missing", "manquant" };
	const char *undef[2] = { "undefined", "non d\xc3\xa9" "fini" };
	int	 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		r = report(lang[i], "lifetime", REPORT_BY_CLIENT);
		/* Cost, revenue and clicks; clicks 0; no conversions. */
		memset(&t, 0, sizeof t);
		t.cost = U(100);
		t.revenue = U(50);
		t.clicks = 0;
		t.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE) |
		    MF_BIT(MF_CLICKS);
		t.samples = t.days = 1;
		t.first_day = t.last_day = DAY1;
		t.pair[KPI_PAIR_COST_REVENUE].a = U(100);
		t.pair[KPI_PAIR_COST_REVENUE].b = U(50);
		t.pair[KPI_PAIR_COST_REVENUE].samples = 1;
		t.pair[KPI_PAIR_COST_REVENUE].days = 1;
		t.pair[KPI_PAIR_COST_CLICKS].a = U(100);
		t.pair[KPI_PAIR_COST_CLICKS].b = 0;
		t.pair[KPI_PAIR_COST_CLICKS].samples = 1;
		t.pair[KPI_PAIR_COST_CLICKS].days = 1;
		{
			struct kpi_lack l;

			memset(&l, 0, sizeof l);
			l.day = DAY1;
			l.lacks = MF_BIT(MF_IMPRESSIONS) |
			    MF_BIT(MF_CONVERSIONS);
			add(r, NULL, &t, &l, 1);
		}
		text = report_kpis_table(r);
		line(text, 2, buf, sizeof buf);
		assert_true(strncmp(buf, "total", 5) == 0);
		assert_non_null(strstr(buf, miss[i]));
		assert_non_null(strstr(buf, undef[i]));
		/* CPA lacks days: a coverage line; CPC (undefined) does not. */
		assert_non_null(strstr(text, "  CPA "));
		assert_null(strstr(text, "\n  CPC "));
		assert_non_null(strstr(text, "over 0 of 1 campaign-day; "
		    "2026-12-01 lacks conversions"));
		assert_non_null(strstr(text, "reported cost "));
		j = json(r);
		assert_true(cJSON_IsNull(get(j, "total.kpis.cpa.value")));
		assert_string_equal(get(j, "total.kpis.cpa.why")->valuestring,
		    "missing");
		assert_string_equal(get(j, "total.kpis.cpa.text")->valuestring,
		    miss[i]);
		assert_string_equal(get(j, "total.kpis.cpc.why")->valuestring,
		    "undefined");
		assert_string_equal(get(j, "total.kpis.cpc.text")->valuestring,
		    undef[i]);
		assert_int_equal((int64_t)get(j, "total.kpis.roi.value")->
		    valuedouble, -500000);
		cJSON_Delete(j);
		free(text);
		report_kpis_free(r);
	}
}

/*
 * The case: revenue without cost on day 2. ROI is -50 % over the
 * complete day, spend covers the day it was reported on, and the gaps are
 * named; the JSON says the same, with exact integers.
 */
static void
test_coverage_json(void **state)
{
	struct report_kpis *r = report("en", "lifetime", REPORT_BY_CAMPAIGN);
	struct kpi_totals t;
	struct kpi_lack	 l;
	cJSON	*j;
	char	*text, *s;
	const cJSON *row;

	(void)state;
	memset(&t, 0, sizeof t);
	t.cost = U(1000);
	t.revenue = U(5500);
	t.present = MF_BIT(MF_COST) | MF_BIT(MF_REVENUE);
	t.samples = t.days = 2;
	t.first_day = DAY1;
	t.last_day = DAY1 + 1;
	t.pair[KPI_PAIR_COST_REVENUE].a = U(1000);
	t.pair[KPI_PAIR_COST_REVENUE].b = U(500);
	t.pair[KPI_PAIR_COST_REVENUE].samples = 1;
	t.pair[KPI_PAIR_COST_REVENUE].days = 1;
	memset(&l, 0, sizeof l);
	l.day = DAY1 + 1;
	l.lacks = MF_BIT(MF_COST) | MF_BIT(MF_IMPRESSIONS) |
	    MF_BIT(MF_CLICKS) | MF_BIT(MF_CONVERSIONS);
	add(r, "D", &t, &l, 1);
	snprintf(l.campaign, sizeof l.campaign, "D");
	add(r, NULL, &t, &l, 1);
	text = report_kpis_table(r);
	assert_non_null(strstr(text, "\n  ROI        -50.00% over 1 of 2 "
	    "campaign-days; 2026-12-02 (D) lacks cost\n"));
	assert_non_null(strstr(text, "\n  ROI        -50.00% over 1 of 2 days; "
	    "2026-12-02 lacks cost\n"));
	/* Spend: the one day of cost, counted exactly from the gaps. */
	assert_non_null(strstr(text, "\n  spend    " EURO "1,000.00 over 1 of 2 "
	    "days; 2026-12-02 lacks cost\n"));
	/* Revenue, reported on both days, is complete: no line. */
	assert_null(strstr(text, "\n  revenue "));
	assert_non_null(strstr(text, "reported cost " EURO "1,000.00 revenue "
	    EURO "5,500.00 impressions missing clicks missing conversions "
	    "missing\n"));
	assert_null(strstr(text, "450"));
	/* The total's block comes first. */
	assert_true(strstr(text, "total (campaign-days)\n") <
	    strstr(text, "\nD\n"));

	j = json(r);
	assert_string_equal(get(j, "window")->valuestring, "lifetime");
	assert_true(cJSON_IsNull(get(j, "from")));
	assert_string_equal(get(j, "range")->valuestring, "all data");
	assert_string_equal(get(j, "by")->valuestring, "campaign");
	row = cJSON_GetArrayItem(get(j, "rows"), 0);
	assert_non_null(row);
	assert_string_equal(get(row, "subject")->valuestring, "D");
	assert_string_equal(get(row, "first_day")->valuestring, "2026-12-01");
	assert_int_equal((int64_t)get(row, "kpis.roi.value")->valuedouble,
	    -500000);
	assert_false(cJSON_IsTrue(get(row, "kpis.roi.inexact")));
	assert_string_equal(get(row, "kpis.roi.text")->valuestring, "-50.00%");
	assert_string_equal(get(row, "kpis.roi.unit")->valuestring, "ppm");
	assert_int_equal((int64_t)get(row, "kpis.roi.days")->valuedouble, 1);
	assert_int_equal((int64_t)get(row, "kpis.roi.days_total")->
	    valuedouble, 2);
	assert_string_equal(get(row, "kpis.roi.coverage")->valuestring,
	    "1 of 2 days; 2026-12-02 lacks cost");
	assert_int_equal((int64_t)get(row, "kpis.spend.value")->valuedouble,
	    U(1000));
	assert_string_equal(get(row, "kpis.spend.unit")->valuestring,
	    "micros");
	assert_int_equal((int64_t)get(row, "kpis.spend.days")->valuedouble, 1);
	assert_true(cJSON_IsNull(get(row, "subject")) == 0);
	assert_true(cJSON_IsNull(get(j, "total.subject")));
	/* Budget rows are a rule's: not in a report. */
	assert_null(cJSON_GetObjectItem(get(row, "kpis"), "pacing"));
	/* Integers are printed as integers, not doubles. */
	s = cJSON_PrintUnformatted(j);
	assert_non_null(strstr(s, "\"value\":1000000000,"));
	assert_null(strstr(s, "e+"));
	cJSON_free(s);
	cJSON_Delete(j);
	free(text);
	report_kpis_free(r);
}

/* Exact values beyond a double's 2^53 stay exact in the JSON text. */
static void
test_json_big(void **state)
{
	struct report_kpis *r = report("en", "lifetime", REPORT_BY_CLIENT);
	struct kpi_totals t = totals(INT64_C(9007199254740993), U(1), 1, 1, 1,
	    1);
	char	*s;
	cJSON	*j;

	(void)state;
	add(r, NULL, &t, NULL, 0);
	j = report_kpis_json(r);
	s = cJSON_PrintUnformatted(j);
	assert_non_null(strstr(s, "\"value\":9007199254740993,"));
	cJSON_free(s);
	cJSON_Delete(j);
	report_kpis_free(r);
}

/* Custom KPIs: a column each (union of the rows, sorted), sums and daily
 * averages below. */
static void
test_custom(void **state)
{
	struct report_kpis *r = report("en", "7d", REPORT_BY_CHANNEL);
	struct kpi_totals t = totals(U(10), U(20), 1, 1, 1, 2);
	struct measure_custom a[2] = {
		{ "reach", U(20500), 2 }, { "csat", 4500000, 1 } };
	struct measure_custom b[1] = { { "followers", U(351), 1 } };
	struct report_sums in;
	char	*text, buf[1024];
	cJSON	*j;

	(void)state;
	memset(&in, 0, sizeof in);
	in.subject = "facebook";
	in.t = &t;
	in.custom = a;
	in.ncustom = 2;
	report_kpis_add(r, &in);
	in.subject = "google";
	in.custom = b;
	in.ncustom = 1;
	report_kpis_add(r, &in);
	in.subject = NULL;
	in.custom = a;
	in.ncustom = 2;
	report_kpis_add(r, &in);
	text = report_kpis_table(r);
	assert_non_null(strstr(text, "7 days to today: 2026-11-25 to "
	    "2026-12-01 (Europe/Paris), by channel\n"));
	line(text, 1, buf, sizeof buf);
	assert_true(strncmp(buf, "channel ", 8) == 0);
	assert_true(strstr(buf, "csat") < strstr(buf, "followers") &&
	    strstr(buf, "followers") < strstr(buf, "reach"));
	line(text, 3, buf, sizeof buf);	/* google: no reach */
	assert_non_null(strstr(buf, "351"));
	assert_non_null(strstr(buf, "missing"));
	assert_non_null(strstr(text, "  facebook: csat 4.5 (4.5/day over 1 "
	    "day) reach 20,500 (10,250/day over 2 days)\n"));
	assert_non_null(strstr(text, "  google: followers 351 (351/day over "
	    "1 day)\n"));
	j = json(r);
	assert_int_equal((int64_t)get(j, "total.custom.reach.sum.value")->
	    valuedouble, U(20500));
	assert_string_equal(get(j, "total.custom.reach.daily_average.text")->
	    valuestring, "10,250");
	assert_string_equal(get(j, "from")->valuestring, "2026-11-25");
	assert_string_equal(get(j, "window_text")->valuestring,
	    "7 days to today");
	cJSON_Delete(j);
	free(text);
	report_kpis_free(r);
}

/* A total added again replaces the first, custom names and all. */
static void
test_total_again(void **state)
{
	struct report_kpis *r = report("en", "lifetime", REPORT_BY_CLIENT);
	struct kpi_totals t = totals(U(10), U(20), 1, 1, 1, 1);
	struct measure_custom c[1] = { { "mentions", U(12), 1 } };
	struct report_sums in;
	char	*text;

	(void)state;
	memset(&in, 0, sizeof in);
	in.t = &t;
	in.custom = c;
	in.ncustom = 1;
	report_kpis_add(r, &in);
	report_kpis_add(r, &in);
	text = report_kpis_table(r);
	assert_non_null(strstr(text, "  total: mentions 12 (12/day over 1 "
	    "day)\n"));
	free(text);
	report_kpis_free(r);
}

static void
test_words(void **state)
{
	static const struct {
		const char	*window;
		const char	*words;
	} w[] = {
		{ "lifetime", "lifetime" }, { "today", "today" },
		{ "yesterday", "yesterday" }, { "1d", "1 day to today" },
		{ "30d", "30 days to today" }, { "last_7_days", "last 7 days" },
		{ "wtd", "week to date" }, { "mtd", "month to date" },
		{ "last_month", "last month" },
		{ "data_7d", "last 7 days of data" },
	};
	struct window_spec spec;
	enum report_by by;
	char	 buf[64], *cause = NULL;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof w / sizeof w[0]; i++) {
		assert_int_equal(window_parse(w[i].window, &spec, &cause), 0);
		assert_string_equal(report_window_words(&spec, buf,
		    sizeof buf), w[i].words);
	}
	assert_int_equal(report_by_parse("channel", &by, &cause), 0);
	assert_int_equal(by, REPORT_BY_CHANNEL);
	assert_string_equal(report_by_name(REPORT_BY_CLIENT), "client");
	assert_int_equal(report_by_parse("campaigns", &by, &cause), -1);
	assert_string_equal(cause, "by \"campaigns\": expected campaign, "
	    "channel or client");
	free(cause);
	cause = NULL;
	assert_int_equal(report_by_parse("x\n", &by, &cause), -1);
	assert_non_null(strstr(cause, "x\\n"));
	free(cause);
}

/* Names from inputs are escaped before they reach a terminal. */
static void
test_escape(void **state)
{
	struct report_kpis *r = report("en", "lifetime", REPORT_BY_CAMPAIGN);
	struct kpi_totals t = totals(U(1), U(2), 1, 1, 1, 1);
	char	*text;
	cJSON	*j;

	(void)state;
	add(r, "evil\x1b[2Jname", &t, NULL, 0);
	add(r, NULL, &t, NULL, 0);
	text = report_kpis_table(r);
	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(text, "evil\\x1b[2Jname"));
	j = json(r);
	assert_string_equal(cJSON_GetArrayItem(get(j, "rows"), 0)->child->
	    valuestring, "evil\x1b[2Jname");
	cJSON_Delete(j);
	free(text);
	report_kpis_free(r);
	report_kpis_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_en),
		cmocka_unit_test(test_table_fr_aligned),
		cmocka_unit_test(test_missing_undefined),
		cmocka_unit_test(test_coverage_json),
		cmocka_unit_test(test_json_big),
		cmocka_unit_test(test_custom),
		cmocka_unit_test(test_total_again),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
