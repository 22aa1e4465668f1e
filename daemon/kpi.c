/*
 * KPI formulas and ROI thresholds. Pure. Displayed KPIs are doubles; anything
 * that decides an alert (threshold comparison) is exact 128-bit integer
 * arithmetic on micros and parts per million.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kpi.h"
#include "log.h"
#include "metric.h"
#include "xmalloc.h"

__extension__ typedef __int128 kpi_i128;

#define KPI_PPM		1000000LL

/* Ratio thresholds and percents are read with at most this many decimals. */
#define KPI_DECIMALS	4
#define KPI_SCALE	10000LL
/* Largest integer part accepted in a threshold (keeps ppm far from overflow). */
#define KPI_INT_MAX	1000000000LL

static const char *kpi_names[KPI__MAX] = {
	[KPI_ROI] = "roi",
	[KPI_ROAS] = "roas",
	[KPI_CPA] = "cpa",
	[KPI_CPC] = "cpc",
	[KPI_CPM] = "cpm",
	[KPI_CTR] = "ctr",
	[KPI_CVR] = "cvr",
	[KPI_PROFIT] = "profit",
};

const char *
kpi_name(enum kpi_id id)
{
	if ((unsigned)id >= KPI__MAX)
		return "unknown";
	return kpi_names[id];
}

static int
kpi_has(const struct kpi_totals *t, enum metric_field f)
{
	return (t->present & MF_BIT(f)) != 0;
}

/* num / den when both inputs are present and den > 0; undefined otherwise. */
static void
kpi_div(struct kpi_value *out, const struct kpi_totals *t, enum metric_field fn,
    double num, enum metric_field fd, int64_t den)
{
	out->defined = kpi_has(t, fn) && kpi_has(t, fd) && den > 0;
	out->value = out->defined ? num / (double)den : 0.0;
}

void
kpi_compute(const struct kpi_totals *t, struct kpi_value out[KPI__MAX])
{
	double	 profit;

	/* The difference is taken exactly before it becomes a double. */
	profit = (double)((kpi_i128)t->revenue - t->cost);

	kpi_div(&out[KPI_ROI], t, MF_REVENUE, profit, MF_COST, t->cost);
	kpi_div(&out[KPI_ROAS], t, MF_REVENUE, (double)t->revenue, MF_COST,
	    t->cost);
	kpi_div(&out[KPI_CPA], t, MF_COST, (double)t->cost, MF_CONVERSIONS,
	    t->conversions);
	kpi_div(&out[KPI_CPC], t, MF_COST, (double)t->cost, MF_CLICKS,
	    t->clicks);
	kpi_div(&out[KPI_CPM], t, MF_COST, (double)t->cost * 1000.0,
	    MF_IMPRESSIONS, t->impressions);
	kpi_div(&out[KPI_CTR], t, MF_CLICKS, (double)t->clicks,
	    MF_IMPRESSIONS, t->impressions);
	kpi_div(&out[KPI_CVR], t, MF_CONVERSIONS, (double)t->conversions,
	    MF_CLICKS, t->clicks);

	out[KPI_PROFIT].defined = kpi_has(t, MF_REVENUE) && kpi_has(t, MF_COST);
	out[KPI_PROFIT].value = out[KPI_PROFIT].defined ? profit : 0.0;
}

/* a += b, saturating rather than overflowing on absurd input. */
static void
kpi_add_sat(int64_t *a, int64_t b)
{
	int64_t	 r;

	if (__builtin_add_overflow(*a, b, &r))
		r = b > 0 ? INT64_MAX : INT64_MIN;
	*a = r;
}

void
kpi_totals_add(struct kpi_totals *a, const struct kpi_totals *b)
{
	kpi_add_sat(&a->cost, b->cost);
	kpi_add_sat(&a->revenue, b->revenue);
	kpi_add_sat(&a->impressions, b->impressions);
	kpi_add_sat(&a->clicks, b->clicks);
	kpi_add_sat(&a->conversions, b->conversions);
	a->present |= b->present;
	if (b->samples > 0) {
		/* An empty side's day range is meaningless: never merge it. */
		if (a->samples <= 0) {
			a->first_day = b->first_day;
			a->last_day = b->last_day;
		} else {
			if (b->first_day < a->first_day)
				a->first_day = b->first_day;
			if (b->last_day > a->last_day)
				a->last_day = b->last_day;
		}
	}
	kpi_add_sat(&a->samples, b->samples);
}

/*
 * Read "[sign]digits[.digits]" at *sp with at most KPI_DECIMALS decimals into a
 * value scaled by KPI_SCALE. Advances *sp. Returns 0, or -1 with *why.
 */
static int
kpi_parse_scaled(const char **sp, int64_t *out, int *negative, const char **why)
{
	const char *s = *sp;
	int64_t	 ip = 0, fp = 0, scale = KPI_SCALE;
	int	 neg = 0, digits = 0, decimals = 0;

	if (*s == '-' || *s == '+') {
		neg = (*s == '-');
		s++;
	}
	while (*s >= '0' && *s <= '9') {
		ip = ip * 10 + (*s - '0');
		if (ip > KPI_INT_MAX) {
			*why = "value too large";
			return -1;
		}
		digits++;
		s++;
	}
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			if (++decimals > KPI_DECIMALS) {
				*why = "more than 4 decimals";
				return -1;
			}
			scale /= 10;
			fp += (*s - '0') * scale;
			s++;
		}
		if (decimals == 0) {
			*why = "no digits after the decimal point";
			return -1;
		}
	}
	if (digits == 0 && decimals == 0) {
		*why = "no number";
		return -1;
	}
	*out = ip * KPI_SCALE + fp;
	if (neg)
		*out = -*out;
	*negative = neg;
	*sp = s;
	return 0;
}

static const char *
kpi_skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * "N%" is ROI in percent (>= -100 %, since nothing returns less than nothing);
 * "R:1" is revenue per unit of cost (ROAS, R >= 0), so ROI = R - 1. Bare
 * numbers are refused: "2.5" could mean 2.5 % or 2.5:1.
 */
int
kpi_parse_roi_threshold(const char *s, int64_t *roi_ppm, char **cause)
{
	const char *p, *why = NULL;
	char	 esc[128];
	int64_t	 v, ppm;
	int	 neg;

	if (s == NULL)
		s = "";
	p = kpi_skip_spaces(s);
	if (kpi_parse_scaled(&p, &v, &neg, &why) != 0)
		goto bad;
	p = kpi_skip_spaces(p);
	if (*p == '%') {
		/* Scaled percent (x 10^4) is exactly ppm of the ratio. */
		ppm = v;
		if (ppm < -KPI_PPM) {
			why = "ROI below -100%";
			goto bad;
		}
		p++;
	} else if (*p == ':') {
		if (neg) {
			why = "a ratio cannot be negative";
			goto bad;
		}
		p = kpi_skip_spaces(p + 1);
		if (*p != '1') {
			why = "a ratio must read R:1";
			goto bad;
		}
		p++;
		ppm = v * (KPI_PPM / KPI_SCALE) - KPI_PPM;
	} else if (*p == '\0') {
		why = "ambiguous without % or :1";
		goto bad;
	} else {
		why = "expected % or :1 after the number";
		goto bad;
	}
	p = kpi_skip_spaces(p);
	if (*p != '\0') {
		why = "trailing characters";
		goto bad;
	}
	*roi_ppm = ppm;
	return 0;

bad:
	if (cause != NULL) {
		log_escape(s, strlen(s), esc, sizeof esc);
		xasprintf(cause, "invalid ROI threshold \"%s\": %s "
		    "(write a percentage like \"150%%\" or a ratio like \"2.5:1\")",
		    esc, why);
	}
	return -1;
}

/*
 * Write |v| / den with up to `decimals` digits, trailing zeros trimmed, into
 * buf (at least 40 bytes), preceded by "-" when v < 0.
 */
static void
kpi_fixed(int64_t v, int64_t den, int decimals, char *buf, size_t len)
{
	uint64_t mag, ip, fp;
	char	 frac[16];
	int	 n;

	mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	ip = mag / (uint64_t)den;
	fp = mag % (uint64_t)den;
	if (fp == 0) {
		snprintf(buf, len, "%s%llu", v < 0 ? "-" : "",
		    (unsigned long long)ip);
		return;
	}
	snprintf(frac, sizeof frac, "%0*llu", decimals,
	    (unsigned long long)fp);
	for (n = (int)strlen(frac); n > 0 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	snprintf(buf, len, "%s%llu.%s", v < 0 ? "-" : "",
	    (unsigned long long)ip, frac);
}

char *
kpi_format_roi_threshold(int64_t roi_ppm, char *buf, size_t len)
{
	char	 pct[48], ratio[48];
	int64_t	 roas;

	if (len == 0)
		return buf;
	/* ppm of the ratio is percent x 10^4. */
	kpi_fixed(roi_ppm, KPI_SCALE, KPI_DECIMALS, pct, sizeof pct);
	if (roi_ppm < -KPI_PPM || roi_ppm > INT64_MAX - KPI_PPM) {
		/* No meaningful (or representable) ROAS. */
		snprintf(buf, len, "%s%%", pct);
		return buf;
	}
	roas = roi_ppm + KPI_PPM;
	kpi_fixed(roas, KPI_PPM, 6, ratio, sizeof ratio);
	snprintf(buf, len, "%s%% (%s:1)", pct, ratio);
	return buf;
}

char *
kpi_format_percent(const struct kpi_value *v, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (v == NULL || !v->defined || !isfinite(v->value)) {
		snprintf(buf, len, "undefined");
		return buf;
	}
	snprintf(buf, len, "%.2f%%", v->value * 100.0);
	if (strcmp(buf, "-0.00%") == 0)
		snprintf(buf, len, "0.00%%");
	return buf;
}

/*
 * ROI < ppm/10^6  <=>  (revenue - cost) * 10^6 < ppm * cost, as cost > 0.
 * Both sides fit easily in 128 bits.
 */
int
kpi_roi_cmp(const struct kpi_totals *t, int64_t roi_ppm)
{
	kpi_i128 lhs, rhs;

	if (t->cost <= 0)
		fatalx("%s: cost %lld is not positive", __func__,
		    (long long)t->cost);
	lhs = ((kpi_i128)t->revenue - t->cost) * KPI_PPM;
	rhs = (kpi_i128)roi_ppm * t->cost;
	if (lhs < rhs)
		return -1;
	return lhs > rhs;
}

int64_t
kpi_roi_ppm(const struct kpi_totals *t)
{
	kpi_i128 q;

	if (t->cost <= 0)
		fatalx("%s: cost %lld is not positive", __func__,
		    (long long)t->cost);
	q = ((kpi_i128)t->revenue - t->cost) * KPI_PPM / t->cost;
	if (q > INT64_MAX)
		return INT64_MAX;
	if (q < INT64_MIN)
		return INT64_MIN;
	return (int64_t)q;
}
