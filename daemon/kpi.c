/*
 * KPI formulas and ROI thresholds. Pure. Displayed KPIs are doubles; anything
 * that decides an alert (threshold comparison) is exact 128-bit integer
 * arithmetic on micros and parts per million.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "kpi.h"
#include "log.h"
#include "metric.h"
#include "money.h"
#include "xmalloc.h"

__extension__ typedef __int128 kpi_i128;

#define KPI_PPM		1000000LL

/* Ratio thresholds and percents are read with at most this many decimals. */
#define KPI_DECIMALS	4
#define KPI_SCALE	10000LL
/* Largest integer part accepted in a threshold (keeps ppm far from overflow). */
#define KPI_INT_MAX	1000000000LL

/*
 * The KPI table: one row per KPI. A new ratio KPI over the fixed fields is
 * one row here (and one enum value); a new pair of fields is one line of
 * KPI_PAIRS in kpi.h.
 */
static const struct kpi_def kpi_defs[KPI__MAX] = {
	{ KPI_ROI, "roi", "ROI", MF_REVENUE, MF_COST,
	  KPI_PAIR_COST_REVENUE, KPI_FORM_GAIN, 1, KPI_UNIT_PERCENT },
	{ KPI_ROAS, "roas", "ROAS", MF_REVENUE, MF_COST,
	  KPI_PAIR_COST_REVENUE, KPI_FORM_RATIO, 1, KPI_UNIT_RATIO },
	{ KPI_CPA, "cpa", "CPA", MF_COST, MF_CONVERSIONS,
	  KPI_PAIR_COST_CONVERSIONS, KPI_FORM_RATIO, 1, KPI_UNIT_MONEY },
	{ KPI_CPC, "cpc", "CPC", MF_COST, MF_CLICKS,
	  KPI_PAIR_COST_CLICKS, KPI_FORM_RATIO, 1, KPI_UNIT_MONEY },
	{ KPI_CPM, "cpm", "CPM", MF_COST, MF_IMPRESSIONS,
	  KPI_PAIR_COST_IMPRESSIONS, KPI_FORM_RATIO, 1000, KPI_UNIT_MONEY },
	{ KPI_CTR, "ctr", "CTR", MF_CLICKS, MF_IMPRESSIONS,
	  KPI_PAIR_CLICKS_IMPRESSIONS, KPI_FORM_RATIO, 1, KPI_UNIT_PERCENT },
	{ KPI_CVR, "cvr", "CVR", MF_CONVERSIONS, MF_CLICKS,
	  KPI_PAIR_CONVERSIONS_CLICKS, KPI_FORM_RATIO, 1, KPI_UNIT_PERCENT },
	{ KPI_PROFIT, "profit", "profit", MF_REVENUE, MF_COST,
	  KPI_PAIR_COST_REVENUE, KPI_FORM_DIFF, 1, KPI_UNIT_MONEY },
};

static const enum metric_field kpi_pair_fields_tab[KPI_PAIR__MAX][2] = {
#define KPI_PAIR_FIELDS(id, fa, fb, ca, cb) [KPI_PAIR_##id] = { fa, fb },
	KPI_PAIRS(KPI_PAIR_FIELDS)
#undef KPI_PAIR_FIELDS
};

const struct kpi_def *
kpi_def(enum kpi_id id)
{
	if ((unsigned)id >= KPI__MAX)
		return NULL;
	return &kpi_defs[id];
}

const char *
kpi_name(enum kpi_id id)
{
	if ((unsigned)id >= KPI__MAX)
		return "unknown";
	return kpi_defs[id].name;
}

enum metric_field
kpi_pair_field(enum kpi_pair p, int second)
{
	if ((unsigned)p >= KPI_PAIR__MAX)
		fatalx("%s: bad pair %d", __func__, (int)p);
	return kpi_pair_fields_tab[p][second != 0];
}

unsigned
kpi_pair_fields(enum kpi_pair p)
{
	return MF_BIT(kpi_pair_field(p, 0)) | MF_BIT(kpi_pair_field(p, 1));
}

/* Sum of field f over the complete samples of pair p. */
static int64_t
kpi_pair_sum(const struct kpi_totals *t, enum kpi_pair p, enum metric_field f)
{
	if (kpi_pair_field(p, 0) == f)
		return t->pair[p].a;
	if (kpi_pair_field(p, 1) == f)
		return t->pair[p].b;
	fatalx("%s: field %d not in pair %d", __func__, (int)f, (int)p);
}

static int64_t
kpi_clamp(kpi_i128 v)
{
	if (v > INT64_MAX)
		return INT64_MAX;
	if (v < INT64_MIN)
		return INT64_MIN;
	return (int64_t)v;
}

/*
 * Every KPI from its pair's sums only: numerator and denominator from the same
 * samples. Missing (no complete sample) and undefined (divisor 0) both leave
 * it undefined; `missing` tells which.
 */
void
kpi_compute(const struct kpi_totals *t, struct kpi_value out[KPI__MAX])
{
	const struct kpi_def		*d;
	const struct kpi_pair_sums	*ps;
	struct kpi_value		*v;
	int64_t				 num, den;
	kpi_i128			 diff;
	int				 i;

	for (i = 0; i < KPI__MAX; i++) {
		d = &kpi_defs[i];
		v = &out[d->id];
		ps = &t->pair[d->pair];
		num = kpi_pair_sum(t, d->pair, d->num);
		den = kpi_pair_sum(t, d->pair, d->den);
		memset(v, 0, sizeof *v);
		v->days = ps->days;
		v->days_total = t->days;
		v->missing = ps->samples <= 0;
		if (v->missing)
			continue;
		/* The difference is taken exactly before it becomes a double. */
		diff = (kpi_i128)num - den;
		switch (d->form) {
		case KPI_FORM_RATIO:
			v->defined = den > 0;
			if (v->defined)
				v->value = (double)num * (double)d->scale /
				    (double)den;
			break;
		case KPI_FORM_GAIN:
			v->defined = den > 0;
			if (v->defined)
				v->value = (double)diff / (double)den;
			break;
		case KPI_FORM_DIFF:
			v->defined = 1;
			v->value = (double)diff;
			break;
		}
	}
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
	int	 p;

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
	kpi_add_sat(&a->days, b->days);
	for (p = 0; p < KPI_PAIR__MAX; p++) {
		kpi_add_sat(&a->pair[p].a, b->pair[p].a);
		kpi_add_sat(&a->pair[p].b, b->pair[p].b);
		kpi_add_sat(&a->pair[p].samples, b->pair[p].samples);
		kpi_add_sat(&a->pair[p].days, b->pair[p].days);
	}
}

int64_t
kpi_totals_field(const struct kpi_totals *t, enum metric_field f)
{
	switch (f) {
	case MF_COST:
		return t->cost;
	case MF_REVENUE:
		return t->revenue;
	case MF_IMPRESSIONS:
		return t->impressions;
	case MF_CLICKS:
		return t->clicks;
	case MF_CONVERSIONS:
		return t->conversions;
	default:
		fatalx("%s: field %d has no sum", __func__, (int)f);
	}
}

void
kpi_totals_assume_complete(struct kpi_totals *t)
{
	int	 p;

	if (t->days == 0)
		t->days = t->samples;
	for (p = 0; p < KPI_PAIR__MAX; p++) {
		memset(&t->pair[p], 0, sizeof t->pair[p]);
		if ((t->present & kpi_pair_fields(p)) != kpi_pair_fields(p))
			continue;
		t->pair[p].a = kpi_totals_field(t, kpi_pair_field(p, 0));
		t->pair[p].b = kpi_totals_field(t, kpi_pair_field(p, 1));
		t->pair[p].samples = t->samples;
		t->pair[p].days = t->days;
	}
}

void
kpi_gaps_pick(const struct kpi_lack *lacks, size_t n, enum kpi_pair p,
    struct kpi_gaps *g)
{
	unsigned mask = kpi_pair_fields(p);
	size_t	 i;

	memset(g, 0, sizeof *g);
	for (i = 0; i < n; i++) {
		if ((lacks[i].lacks & mask) == 0)
			continue;
		if (g->n < KPI_GAPS_MAX) {
			g->gap[g->n] = lacks[i];
			g->gap[g->n].lacks &= mask;
			g->n++;
		}
		g->total++;
	}
}

/* A field a day lacks, in the reader's language. */
static const char *
kpi_field_word(enum metric_field f, const char *lang)
{
	switch (f) {
	case MF_COST:
		return trc(lang, "field", "cost");
	case MF_REVENUE:
		return trc(lang, "field", "revenue");
	case MF_IMPRESSIONS:
		return trc(lang, "field", "impressions");
	case MF_CLICKS:
		return trc(lang, "field", "clicks");
	case MF_CONVERSIONS:
		return trc(lang, "field", "conversions");
	default:
		return metric_field_name(f);
	}
}

/* Append to buf (NUL-terminated, len bytes), truncating. */
static void __attribute__((format(printf, 3, 4)))
kpi_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t	 n = strlen(buf);
	va_list	 ap;

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/*
 * "1 of 2 days; 2026-12-02 lacks cost" (fr: "1 sur 2 jours ; 2026-12-02 sans
 * coût"). Campaign names are untrusted: control characters become spaces.
 */
char *
kpi_format_coverage(const struct kpi_value *v, const struct kpi_gaps *g,
    int campaign_days, const char *lang, char *buf, size_t len)
{
	const char	*sep;
	char		 day[16], *p;
	size_t		 i, start;
	int		 f, nf;
	unsigned long	 total;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (v->days_total <= 0) {
		snprintf(buf, len, "%s", tr(lang, "no data"));
		return buf;
	}
	total = (unsigned long)v->days_total;
	if (campaign_days)
		snprintf(buf, len, trn(lang, "%lld of %lld campaign-day",
		    "%lld of %lld campaign-days", total), (long long)v->days,
		    (long long)v->days_total);
	else
		snprintf(buf, len, trn(lang, "%lld of %lld day",
		    "%lld of %lld days", total), (long long)v->days,
		    (long long)v->days_total);
	if (g == NULL)
		return buf;
	for (i = 0; i < g->n; i++) {
		metric_format_date(g->gap[i].day, day);
		/* TRANSLATORS: before the first day lacking a field. */
		kpi_cat(buf, len, "%s%s", i == 0 ? trc(lang, "coverage",
		    "; ") : ", ", day);
		if (g->gap[i].campaign[0] != '\0') {
			start = strlen(buf) + 2;
			kpi_cat(buf, len, " (%s)", g->gap[i].campaign);
			for (p = buf + (start < len ? start : len - 1);
			    *p != '\0'; p++)
				if ((unsigned char)*p < 0x20 ||
				    (unsigned char)*p == 0x7f)
					*p = ' ';
		}
		/* TRANSLATORS: "2026-12-02 lacks cost and revenue". */
		kpi_cat(buf, len, "%s", trc(lang, "coverage", " lacks "));
		nf = 0;
		for (f = 0; f < MF__MAX; f++) {
			if ((g->gap[i].lacks & MF_BIT(f)) == 0)
				continue;
			sep = nf == 0 ? "" : trc(lang, "coverage", " and ");
			kpi_cat(buf, len, "%s%s", sep, kpi_field_word(f, lang));
			nf++;
		}
	}
	if (g->total > (int64_t)g->n)
		/* TRANSLATORS: more days lacking a field than listed. */
		kpi_cat(buf, len, trn(lang, ", and %lld more", ", and %lld more",
		    (unsigned long)(g->total - (int64_t)g->n)),
		    (long long)(g->total - (int64_t)g->n));
	return buf;
}

/*
 * A figure written the English way ("12.50%", "3.38:1") in the language's
 * conventions, from the catalogue: French "12,50 %" (U+202F before the sign).
 */
static void
kpi_localise(char *buf, size_t len, const char *lang)
{
	char		 tmp[128];
	const char	*ds = trc(lang, "number", ".");
	size_t		 i, o = 0, dl = strlen(ds), n = strlen(buf);
	int		 percent = n > 0 && buf[n - 1] == '%';

	if (percent)
		n--;
	for (i = 0; i < n && o + dl + 1 < sizeof tmp; i++) {
		if (buf[i] == '.') {
			memcpy(tmp + o, ds, dl);
			o += dl;
		} else
			tmp[o++] = buf[i];
	}
	tmp[o] = '\0';
	if (percent)
		snprintf(buf, len, trc(lang, "number", "%s%%"), tmp);
	else
		snprintf(buf, len, "%s", tmp);
}

char *
kpi_format_value(const struct kpi_def *d, const struct kpi_value *v,
    const char *currency, const char *lang, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (v->missing) {
		snprintf(buf, len, "%s", tr(lang, "missing"));
		return buf;
	}
	if (!v->defined || !isfinite(v->value) || fabs(v->value) > 9e18) {
		snprintf(buf, len, "%s", tr(lang, "undefined"));
		return buf;
	}
	switch (d->unit) {
	case KPI_UNIT_PERCENT:
		kpi_format_percent(v, buf, len);
		break;
	case KPI_UNIT_RATIO:
		snprintf(buf, len, "%.2f:1", v->value);
		break;
	case KPI_UNIT_MONEY:
		return money_format_currency(kpi_clamp((kpi_i128)llround(
		    v->value)), currency, lang, buf, len);
	}
	kpi_localise(buf, len, lang);
	return buf;
}

int
kpi_coverage_ok(int64_t complete, int64_t total, int64_t min_ppm)
{
	if (total <= 0)
		return 0;
	return (kpi_i128)complete * KPI_PPM >= (kpi_i128)min_ppm * total;
}

/*
 * ROI < ppm/10^6  <=>  (revenue - cost) * 10^6 < ppm * cost, as cost > 0,
 * over the samples that have both cost and revenue. Both sides fit easily
 * in 128 bits.
 */
int
kpi_roi_cmp(const struct kpi_totals *t, int64_t roi_ppm)
{
	const struct kpi_pair_sums *ps = &t->pair[KPI_PAIR_COST_REVENUE];
	kpi_i128 lhs, rhs;

	if (ps->a <= 0)
		fatalx("%s: cost %lld is not positive", __func__,
		    (long long)ps->a);
	lhs = ((kpi_i128)ps->b - ps->a) * KPI_PPM;
	rhs = (kpi_i128)roi_ppm * ps->a;
	if (lhs < rhs)
		return -1;
	return lhs > rhs;
}

int64_t
kpi_roi_ppm(const struct kpi_totals *t)
{
	const struct kpi_pair_sums *ps = &t->pair[KPI_PAIR_COST_REVENUE];

	if (ps->a <= 0)
		fatalx("%s: cost %lld is not positive", __func__,
		    (long long)ps->a);
	return kpi_clamp(((kpi_i128)ps->b - ps->a) * KPI_PPM / ps->a);
}

/* ---- Totals sample by sample ---- */

static const enum metric_field kpi_acc_fields[5] = {
	MF_COST, MF_REVENUE, MF_IMPRESSIONS, MF_CLICKS, MF_CONVERSIONS
};

void
kpi_acc_init(struct kpi_acc *a)
{
	memset(a, 0, sizeof *a);
}

static void
kpi_acc_sum(struct kpi_acc *a, int64_t *sum, int64_t v)
{
	if (__builtin_add_overflow(*sum, v, sum))
		a->overflow = 1;
}

/* The open day ends: a day of the scope, complete for the pairs whose
 * fields every sample of it reported. */
static void
kpi_acc_close(struct kpi_acc *a)
{
	int p;

	if (!a->open)
		return;
	a->t.days++;
	for (p = 0; p < KPI_PAIR__MAX; p++)
		if ((a->lacks & kpi_pair_fields(p)) == 0)
			a->t.pair[p].days++;
	a->open = 0;
	a->lacks = 0;
}

void
kpi_acc_add(struct kpi_acc *a, int new_group, int32_t day, const int64_t v[5],
    unsigned present)
{
	struct kpi_totals *t = &a->t;
	struct kpi_pair_sums *ps;
	int64_t *sum[5] = { &t->cost, &t->revenue, &t->impressions,
	    &t->clicks, &t->conversions };
	unsigned all = 0;
	int i, p;

	if (new_group || !a->open) {
		kpi_acc_close(a);
		a->open = 1;
	}
	if (t->samples == 0 || day < t->first_day)
		t->first_day = day;
	if (t->samples == 0 || day > t->last_day)
		t->last_day = day;
	t->samples++;
	for (i = 0; i < 5; i++) {
		all |= MF_BIT(kpi_acc_fields[i]);
		if (present & MF_BIT(kpi_acc_fields[i]))
			kpi_acc_sum(a, sum[i], v[i]);
	}
	t->present |= present & all;
	a->lacks |= all & ~present;
	for (p = 0; p < KPI_PAIR__MAX; p++) {
		if ((present & kpi_pair_fields(p)) != kpi_pair_fields(p))
			continue;
		ps = &t->pair[p];
		kpi_acc_sum(a, &ps->a, v[kpi_pair_field(p, 0) - MF_COST]);
		kpi_acc_sum(a, &ps->b, v[kpi_pair_field(p, 1) - MF_COST]);
		ps->samples++;
	}
}

int
kpi_acc_finish(struct kpi_acc *a, struct kpi_totals *out)
{
	kpi_acc_close(a);
	*out = a->t;
	return a->overflow ? -1 : 0;
}
