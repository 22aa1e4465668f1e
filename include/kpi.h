/*
 * KPI formulas (DESIGN.md): pure, exact where it matters.
 *   ROI % = (revenue - cost) / cost * 100     ROAS = revenue / cost
 *   CPA = cost / conversions   CPC = cost / clicks   CPM = cost / impressions * 1000
 *   CTR = clicks / impressions   conversion rate = conversions / clicks
 *   profit = revenue - cost
 * A KPI whose divisor is 0 is undefined, never a division by zero.
 *
 * Missing is not zero: a KPI takes its numerator and denominator from the same
 * samples, those that report both fields of its pair (ROI over the samples with
 * cost and revenue), and carries its coverage: the days whose samples all have
 * both fields, out of the days with any sample (for a client's total:
 * campaign-days). The KPIs are rows of one table (kpi_def()); their pairs come
 * from KPI_PAIRS, which also writes the store's conditional sums.
 *
 * Thresholds on ROI are kept as integer parts per million of ROI as a ratio
 * (150 % = 1.5 = 1 500 000 ppm; "2.5:1" ROAS = ROI 150 % = 1 500 000 ppm) and
 * compared with exact 128-bit integer arithmetic.
 */
#ifndef ROIWATCH_KPI_H
#define ROIWATCH_KPI_H
#include <stddef.h>
#include <stdint.h>

#include "metric.h"

/*
 * Pairs of fields that ratio KPIs take from the same samples:
 * X(ID, first field, second field, first column, second column). One line here
 * adds the enum value, the pair's field table and its sums in the store.
 */
#define KPI_PAIRS(X)							\
	X(COST_REVENUE, MF_COST, MF_REVENUE, cost, revenue)		\
	X(COST_CONVERSIONS, MF_COST, MF_CONVERSIONS, cost, conversions)	\
	X(COST_CLICKS, MF_COST, MF_CLICKS, cost, clicks)		\
	X(COST_IMPRESSIONS, MF_COST, MF_IMPRESSIONS, cost, impressions)	\
	X(CLICKS_IMPRESSIONS, MF_CLICKS, MF_IMPRESSIONS, clicks,	\
	    impressions)						\
	X(CONVERSIONS_CLICKS, MF_CONVERSIONS, MF_CLICKS, conversions,	\
	    clicks)

enum kpi_pair {
#define KPI_PAIR_ENUM(id, fa, fb, ca, cb) KPI_PAIR_##id,
	KPI_PAIRS(KPI_PAIR_ENUM)
#undef KPI_PAIR_ENUM
	KPI_PAIR__MAX
};

/* Sums over the samples that report both fields of one pair. */
struct kpi_pair_sums {
	int64_t	 a;		/* sum of the pair's first field */
	int64_t	 b;		/* sum of its second field */
	int64_t	 samples;	/* samples with both fields */
	int64_t	 days;		/* days (client total: campaign-days) whose
				   samples all have both fields */
};

struct kpi_totals {
	/* Plain sums of each field over the samples that report it. */
	int64_t	 cost;		/* micros */
	int64_t	 revenue;	/* micros */
	int64_t	 impressions;
	int64_t	 clicks;
	int64_t	 conversions;
	unsigned present;	/* MF_BIT() of fields seen in at least one sample */
	int64_t	 samples;	/* number of samples summed */
	int32_t	 first_day, last_day;
	int64_t	 days;		/* days with any sample (client total:
				   campaign-days): coverage's denominator */
	struct kpi_pair_sums pair[KPI_PAIR__MAX];
};

enum kpi_id {
	KPI_ROI,	/* ratio: 2.3786 means 237.86 % */
	KPI_ROAS,	/* ratio */
	KPI_CPA,	/* micros per conversion */
	KPI_CPC,	/* micros per click */
	KPI_CPM,	/* micros per 1000 impressions */
	KPI_CTR,	/* ratio */
	KPI_CVR,	/* ratio */
	KPI_PROFIT,	/* micros */
	KPI__MAX
};

enum kpi_form {
	KPI_FORM_RATIO,		/* num / den * scale */
	KPI_FORM_GAIN,		/* (num - den) / den: ROI */
	KPI_FORM_DIFF,		/* num - den: profit, defined once any sample is */
};

enum kpi_unit {
	KPI_UNIT_PERCENT,	/* a ratio shown as "12.34%" */
	KPI_UNIT_RATIO,		/* "3.38:1" */
	KPI_UNIT_MONEY,		/* micros in the client's currency */
};

/* One row of the KPI table. */
struct kpi_def {
	enum kpi_id	 id;
	const char	*name;		/* "roi": machine name */
	const char	*label;		/* "ROI": column and line label */
	enum metric_field num, den;	/* both fields of `pair` */
	enum kpi_pair	 pair;
	enum kpi_form	 form;
	int64_t		 scale;		/* CPM: 1000; others 1 */
	enum kpi_unit	 unit;		/* how kpi_format_value() shows it */
};

struct kpi_value {
	int	 defined;	/* 0: missing or undefined */
	int	 missing;	/* no sample reports both fields */
	double	 value;
	int64_t	 days;		/* complete days (see struct kpi_pair_sums) */
	int64_t	 days_total;	/* days with any sample */
};

const struct kpi_def *kpi_def(enum kpi_id);	/* NULL when out of range */
void	kpi_compute(const struct kpi_totals *, struct kpi_value out[KPI__MAX]);
const char *kpi_name(enum kpi_id);	/* "roi", "roas", "cpa", ... */
/* Fields of a pair as MF_BIT()s. */
unsigned kpi_pair_fields(enum kpi_pair);
enum metric_field kpi_pair_field(enum kpi_pair, int second);

/* The plain sum of one of the five summed fields. */
int64_t	kpi_totals_field(const struct kpi_totals *, enum metric_field);
/* Add b into a (sums, present bits, day range, pairs, day counts). */
void	kpi_totals_add(struct kpi_totals *a, const struct kpi_totals *b);
/*
 * Fill the pair sums from the plain sums as if every sample reported every
 * present field (examples, tests, notices queued before pairs existed); days
 * defaults to samples.
 */
void	kpi_totals_assume_complete(struct kpi_totals *);

/*
 * Days that lack fields: one (campaign,) day of which some sample has no value
 * for the fields in `lacks`. A coverage text names the first KPI_GAPS_MAX of a
 * KPI's gaps and counts the others.
 */
#define KPI_GAPS_MAX	3
struct kpi_lack {
	int32_t	 day;
	unsigned lacks;				/* MF_BIT()s */
	char	 campaign[METRIC_CAMPAIGN_MAX];	/* client total only, else "" */
};
struct kpi_gaps {
	struct kpi_lack	 gap[KPI_GAPS_MAX];	/* lacks: of the pair's fields */
	size_t		 n;			/* named */
	int64_t		 total;			/* gaps in all */
};
/* The gaps of one pair among all the lacks of a scope (in their order). */
void	kpi_gaps_pick(const struct kpi_lack *, size_t n, enum kpi_pair,
	    struct kpi_gaps *);
/*
 * Coverage in words, en or fr: "1 of 2 days; 2026-12-02 lacks cost",
 * "3 of 4 campaign-days; 2026-12-02 D lacks conversions, and 2 more days"
 * (campaign_days: a client's total). gaps may be NULL (count only).
 */
char   *kpi_format_coverage(const struct kpi_value *, const struct kpi_gaps *,
	    int campaign_days, const char *lang, char *buf, size_t len);
/*
 * A KPI value per its unit: "-50.00%", "0.50:1", "€1,000.00"; "missing" when
 * no sample reports both fields, "undefined" when the divisor is 0 (fr: "manquant",
 * "non défini").
 */
char   *kpi_format_value(const struct kpi_def *, const struct kpi_value *,
	    const char *currency, const char *lang, char *buf, size_t len);

/*
 * Parse an ROI threshold: "150%", "150 %", "-20%", "2.5:1" (ROAS, so ROI = 150 %),
 * "2.5" alone is refused as ambiguous. Returns 0, or -1 with *cause (caller frees).
 */
int	kpi_parse_roi_threshold(const char *s, int64_t *roi_ppm, char **cause);
/* "150% (2.5:1)" — both forms, as messages show them. */
char   *kpi_format_roi_threshold(int64_t roi_ppm, char *buf, size_t len);
/* "237.86%" from a ratio; "undefined" when !defined. */
char   *kpi_format_percent(const struct kpi_value *, char *buf, size_t len);

/*
 * Exact comparison of the ROI of t's complete (cost, revenue) samples with a
 * threshold: returns -1 when ROI is below, 0 equal, 1 above. Requires that
 * pair's cost > 0 (caller checks: ROI undefined otherwise).
 */
int	kpi_roi_cmp(const struct kpi_totals *t, int64_t roi_ppm);
/* That ROI in ppm, rounded toward zero and clamped to int64; requires cost > 0. */
int64_t	kpi_roi_ppm(const struct kpi_totals *t);
/* Whether complete/total of days reaches min_ppm (parts per million); exact. */
int	kpi_coverage_ok(int64_t complete, int64_t total, int64_t min_ppm);

/*
 * Totals accumulated sample by sample (one pass over a scope's samples for
 * several windows at once): what store_totals() computes in SQL. Samples of
 * one (campaign-)day come one after the other; new_group says a sample starts
 * another one. v[] holds cost, revenue, impressions, clicks, conversions;
 * present their MF_BIT()s. kpi_acc_finish() closes the last day: 0, or -1
 * when a sum left the int64 range ("integer overflow", as SQLite says).
 */
struct kpi_acc {
	struct kpi_totals t;
	int		 open;		/* a day is open */
	unsigned	 lacks;		/* fields some sample of it lacks */
	int		 overflow;
};
void	kpi_acc_init(struct kpi_acc *);
void	kpi_acc_add(struct kpi_acc *, int new_group, int32_t day,
	    const int64_t v[5], unsigned present);
int	kpi_acc_finish(struct kpi_acc *, struct kpi_totals *out);

#endif
