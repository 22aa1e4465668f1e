/*
 * KPI formulas (DESIGN.md): pure, exact where it matters.
 *   ROI % = (revenue - cost) / cost * 100     ROAS = revenue / cost
 *   CPA = cost / conversions   CPC = cost / clicks   CPM = cost / impressions * 1000
 *   CTR = clicks / impressions   conversion rate = conversions / clicks
 *   profit = revenue - cost
 * A KPI whose divisor is 0 or missing is undefined, never a division by zero.
 * Thresholds on ROI are kept as integer parts per million of ROI as a ratio
 * (150 % = 1.5 = 1 500 000 ppm; "2.5:1" ROAS = ROI 150 % = 1 500 000 ppm) and
 * compared with exact 128-bit integer arithmetic.
 */
#ifndef ROIWATCH_KPI_H
#define ROIWATCH_KPI_H
#include <stddef.h>
#include <stdint.h>

struct kpi_totals {
	int64_t	 cost;		/* micros */
	int64_t	 revenue;	/* micros */
	int64_t	 impressions;
	int64_t	 clicks;
	int64_t	 conversions;
	unsigned present;	/* MF_BIT() of fields seen in at least one sample */
	int64_t	 samples;	/* number of samples summed */
	int32_t	 first_day, last_day;
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

struct kpi_value {
	int	defined;	/* 0: undefined (divisor 0 or missing input) */
	double	value;
};

void	kpi_compute(const struct kpi_totals *, struct kpi_value out[KPI__MAX]);
const char *kpi_name(enum kpi_id);	/* "roi", "roas", "cpa", ... */

/* Add b into a (sums, present bits, day range). */
void	kpi_totals_add(struct kpi_totals *a, const struct kpi_totals *b);

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
 * Exact comparison of the ROI of t with a threshold: returns -1 when ROI is below,
 * 0 equal, 1 above. Requires t->cost > 0 (caller checks: ROI undefined otherwise).
 */
int	kpi_roi_cmp(const struct kpi_totals *t, int64_t roi_ppm);
/* ROI of t in ppm, rounded toward zero and clamped to int64; requires cost > 0. */
int64_t	kpi_roi_ppm(const struct kpi_totals *t);

#endif
