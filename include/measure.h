/*
 * Measures: every KPI a rule can put a threshold on, one row each of the
 * table in measure.c (name, labels, unit, how it is computed, the inputs it
 * needs, its formula in words). Adding a KPI is one row there.
 *
 * Values are exact: each is the floor of the exact rational value in the
 * row's unit (ppm of a ratio, micros of money or of a unit), plus whether a
 * remainder was dropped, so that a comparison with a threshold is exact
 * (measure_cmp()). Pure: no store, no clock; the caller passes the sums.
 *
 * Rows and their configuration words:
 *   roi roas profit cpa cpc cpm ctr cvr spend (alias cost) revenue
 *   impressions clicks conversions cac clv clv_cac budget_used pacing
 *   projected_spend custom:NAME custom_avg:NAME
 */
#ifndef ROIWATCH_MEASURE_H
#define ROIWATCH_MEASURE_H
#include <stddef.h>
#include <stdint.h>

#include "kpi.h"
#include "metric.h"

/* The custom KPI that counts new customers (cac, clv_cac). */
#define MEASURE_NEW_CUSTOMERS		"new_customers"
/*
 * Custom KPIs that give CLV inputs when a client's channel has no configured
 * ones: their daily averages (sum / days with a value) are used when all four
 * are there. Units as ingested (micros of): transactions per month, money per
 * order, gross margin as a FRACTION (0.4 means 40 %, so its micros are ppm),
 * months.
 */
#define MEASURE_CLV_TRANSACTIONS	"clv_monthly_transactions"
#define MEASURE_CLV_ORDER_VALUE		"clv_order_value"
#define MEASURE_CLV_MARGIN		"clv_gross_margin"
#define MEASURE_CLV_LIFETIME		"clv_lifetime_months"

enum measure_unit {
	MEASURE_PERCENT,	/* a ratio in ppm, shown "12.34%" (roi, ctr, cvr,
				   budget_used) */
	MEASURE_RATIO,		/* a ratio in ppm shown "3.38:1" (roas, clv_cac)
				   or "1.04" (pacing): see row */
	MEASURE_MONEY,		/* micros of the client's currency */
	MEASURE_COUNT,		/* micros of a unit (impressions, clicks,
				   conversions, custom) */
	MEASURE_UNIT_MAX
};

struct measure_def;	/* a row of the table; opaque */

/* What a rule names: a row, plus the custom KPI's name. Fill with measure_lookup(). */
struct measure_ref {
	const struct measure_def *def;
	char	 custom[METRIC_CUSTOM_NAME_MAX];	/* custom rows, else "" */
	/* Custom rows: labels en, fr ("reach (daily average)"). */
	char	 label[2][METRIC_CUSTOM_NAME_MAX + 32];
};

/* One custom KPI over the window: micros; days with a value. */
struct measure_custom {
	const char	*name;
	int64_t		 sum;
	int64_t		 days;
};

/* CLV inputs, per client and channel; has = 0 when not configured. */
struct measure_clv {
	int	 has;			/* in a measure_value: 1 configured,
					   2 from ingested custom KPIs */
	int64_t	 monthly_transactions;	/* micros of a transaction */
	int64_t	 order_value;		/* micros of money */
	int64_t	 margin_ppm;		/* gross margin, ppm */
	int64_t	 lifetime_months;	/* micros of a month */
};

/*
 * The budget of the period the totals cover (pacing, budget_used,
 * projected_spend). The elapsed fraction of the period is elapsed / length
 * when length > 0 (exact: 14 of 30 days, or seconds), else elapsed_ppm;
 * beyond the period's end it counts as 1.
 */
struct measure_budget {
	int	 has;
	int64_t	 budget;		/* micros */
	int64_t	 elapsed_ppm;
	int64_t	 elapsed, length;	/* added: exact fraction when length > 0 */
};

struct measure_input {
	const struct kpi_totals		*t;	/* NULL reads as no sample */
	/* Custom KPIs of the window, in any order, names distinct. */
	const struct measure_custom	*custom;
	size_t				 ncustom;
	/* When not has: from the custom KPIs MEASURE_CLV_* (see above). */
	struct measure_clv		 clv;
	struct measure_budget		 budget;
	/*
	 * Optional, [MF__MAX]: days (client total: campaign-days) whose samples
	 * all report field f, the coverage of plain sums (spend, revenue...).
	 * NULL: approximated from t's pair sums (see measure.c).
	 */
	const int64_t			*field_days;
};

enum measure_why {
	MEASURE_OK,
	MEASURE_MISSING,	/* no sample reports the inputs */
	MEASURE_UNDEFINED,	/* divisor 0 */
	MEASURE_NO_INPUT	/* clv/budget inputs absent */
};

struct measure_value {
	int	 defined;
	enum measure_why why;
	int64_t	 floor;		/* the value in the row's unit (ppm, micros),
				   rounded DOWN (also for negatives), clamped
				   to int64 */
	int	 inexact;	/* the exact value is above floor */
	int64_t	 days, days_total;	/* coverage: complete days / days */
	/*
	 * The operands, for the explanation, in the units measure_operands()
	 * gives: roi: revenue - cost and cost; cpa: cost and conversions...
	 */
	int64_t	 num, den;
	struct measure_clv clv;	/* clv, clv_cac: the inputs used (floors) */
};

/* "roi", "custom:reach", ... -> ref; -1 with *cause naming the text and
 * listing the known names. Names are case-insensitive, custom names not. */
int	measure_lookup(const char *name, struct measure_ref *, char **cause);
/* The i-th row that is not a custom one, as a ref; -1 past the last. */
int	measure_nth(size_t i, struct measure_ref *);
const char *measure_name(const struct measure_ref *, char *buf, size_t len);
const char *measure_label(const struct measure_ref *, const char *lang);
/* The label in any language of the message catalogue, into buf: "CPA",
 * "reach (daily average)". The label of a custom row lives in the ref, so a
 * caller whose ref is short-lived uses this one. */
char	*measure_label_text(const struct measure_ref *, const char *lang,
	    char *buf, size_t len);
enum measure_unit measure_unit(const struct measure_ref *);
/* Formula in words: "(revenue − cost) / cost", "cost / conversions". */
const char *measure_formula(const struct measure_ref *, const char *lang);
/* Whether the row needs a budget (pacing, budget_used, projected_spend). */
int	measure_needs_budget(const struct measure_ref *);
/* The fixed fields a row reads, as MF_BIT()s (0 for custom rows). */
unsigned measure_fields(const struct measure_ref *);
/* Units of value->num and ->den; MEASURE_UNIT_MAX where there is none. */
void	measure_operands(const struct measure_ref *, enum measure_unit *num,
	    enum measure_unit *den);

void	measure_compute(const struct measure_ref *, const struct measure_input *,
	    struct measure_value *);
/*
 * Exact comparison of the (unrounded) value with a threshold in the row's
 * unit: -1 below, 0 equal, 1 above. The value must be defined.
 */
int	measure_cmp(const struct measure_value *, int64_t threshold);

/*
 * A threshold in the row's unit from configuration text: percent rows
 * "150%", "-20 %"; roi also "2.5:1" (kpi_parse_roi_threshold()); roas and
 * clv_cac "3:1" or "300%"; pacing "1.1" or "110%"; money "40", "40.50",
 * "40 EUR", "€40", "40 €" (a marker must name the client's currency); counts
 * "1000", "2.5". Bare numbers are refused where they are ambiguous (roi,
 * percent rows, roas, clv_cac). -1 with *cause saying what was expected.
 */
int	measure_parse_value(const struct measure_ref *, const char *text,
	    const char *currency, int64_t *out, char **cause);
/* A relative change threshold, "-30%", "25 %", in ppm. */
int	measure_parse_change(const char *text, int64_t *ppm, char **cause);

/*
 * A value for messages and JSON alike. One rounding: the EXACT value is
 * rounded half away from zero, percents and ratios to 2 decimals ("237.86%",
 * "3.38:1", "1.04"), money to the currency's minor units
 * (money_format_currency()), counts to at most 2 decimals ("1,030,000",
 * "2.5"); the minus sign is ASCII '-' and a value that rounds to 0 has none.
 * fr: "12,34 %", "3,38:1", "1 030 000". Not defined: "missing",
 * "undefined", "no input" (fr "manquant", "non défini", "non configuré").
 */
char   *measure_format(const struct measure_ref *, const struct measure_value *,
	    const char *currency, const char *lang, char *buf, size_t len);
/* A threshold, exactly as parsed: "150% (2.5:1)" for roi, "3:1", "€40.00". */
char   *measure_format_threshold(const struct measure_ref *, int64_t v,
	    const char *currency, const char *lang, char *buf, size_t len);
/* A change from measure_change(), as a percent value: "-30.00%". */
char   *measure_format_change(const struct measure_value *, const char *lang,
	    char *buf, size_t len);

/*
 * Relative change of cur against prev in ppm: (cur - prev) / |prev|, floor
 * and inexact as above, computed on the values at their resolution (1 ppm,
 * 1 micro: the floors). Undefined when either is or prev is 0.
 */
void	measure_change(const struct measure_value *cur,
	    const struct measure_value *prev, struct measure_value *out);

#endif
