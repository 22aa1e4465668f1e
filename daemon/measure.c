/*
 * Measures: the KPIs rules judge, one row each of measure_defs[]. Pure.
 *
 * Every value is the floor of an exact fraction: the product of the row's
 * numerator factors over the product of its denominator factors, each an
 * int64 input (a sum, a scale such as 10^6 for ppm). The products are taken
 * in 128 bits when they fit, else in a 512-bit integer (no row has more than
 * six factors a side), so nothing is ever rounded before the comparison with
 * a threshold; the floor and whether a remainder was dropped are all that
 * measure_cmp() needs to compare the exact value.
 *
 * Coverage. Ratio KPIs over the fixed fields take numerator and denominator
 * from the same samples, kpi_totals' pair sums (as kpi_compute() does), and
 * their coverage is the pair's complete days out of t->days. Plain sums
 * (spend, revenue, impressions, clicks, conversions, and the budget rows,
 * whose input is spend) sum every sample that reports the field; their
 * coverage is input->field_days[f] when the caller knows it, else the most
 * complete days among the pairs that hold f (a lower bound: those days
 * report f), or t->days when no pair has a sample. cac covers the days with
 * a new_customers value; custom KPIs the days with a value; a configured CLV
 * needs no data.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "currency.h"
#include "kpi.h"
#include "log.h"
#include "measure.h"
#include "metric.h"
#include "money.h"
#include "utf8.h"
#include "xmalloc.h"

__extension__ typedef __int128 measure_i128;
__extension__ typedef unsigned __int128 measure_u128;

#define MEASURE_PPM		1000000LL
#define MEASURE_E18		1000000000000000000ULL
#define MEASURE_NNBSP		"\xe2\x80\xaf"		/* U+202F */
#define MEASURE_FACTORS		6	/* per side of a fraction */
#define MEASURE_LIMBS		8	/* 512 bits >= 6 factors of 64 bits */

enum measure_form {
	MEASURE_FORM_SUM,	/* a plain sum x scale: spend, clicks... */
	MEASURE_FORM_RATIO,	/* pair: num x scale / den */
	MEASURE_FORM_GAIN,	/* pair: (num - den) x scale / den: roi */
	MEASURE_FORM_DIFF,	/* pair: num - den: profit */
	MEASURE_FORM_CAC,	/* cost / new customers */
	MEASURE_FORM_CLV,	/* tx x order value x margin x lifetime */
	MEASURE_FORM_CLV_CAC,	/* CLV / CAC */
	MEASURE_FORM_BUDGET_USED, /* spend / budget */
	MEASURE_FORM_PACING,	/* spend / (budget x elapsed fraction) */
	MEASURE_FORM_PROJECTED,	/* spend / elapsed fraction */
	MEASURE_FORM_CUSTOM,	/* sum of a custom KPI */
	MEASURE_FORM_CUSTOM_AVG	/* its sum / days with a value */
};

#define MEASURE_F_BUDGET	0x1	/* needs a budget */
#define MEASURE_F_CUSTOM	0x2	/* names a custom KPI */
#define MEASURE_F_PLAIN		0x4	/* a ratio shown "1.04", not "1.04:1" */

/* One row: a KPI a rule can name. Its label and formula are msgids of the
 * message catalogue (English; measure_label() and measure_formula() look
 * them up in the reader's language). */
struct measure_def {
	const char		*name;		/* configuration word */
	const char		*alias;		/* another word for it, or NULL */
	const char		*label;		/* msgid, context "KPI" */
	enum measure_unit	 unit;
	enum measure_form	 form;
	enum metric_field	 num, den;	/* fields read (pair rows: both) */
	enum kpi_pair		 pair;		/* pair rows */
	int64_t			 scale;		/* to the row's unit */
	unsigned		 fields;	/* MF_BIT()s of the fields read */
	unsigned		 flags;		/* MEASURE_F_* */
	enum measure_unit	 nu, du;	/* units of value->num, ->den */
	const char		*formula;	/* msgid, context "formula" */
};

#define F(f)	MF_BIT(MF_##f)
#define NONE	MEASURE_UNIT_MAX

#define PAIR(n, l, u, fo, a, b, p, sc, nu_, du_, fo_)			\
	{ n, NULL, l, u, fo, MF_##a, MF_##b, KPI_PAIR_##p, sc,		\
	  F(a) | F(b), 0, nu_, du_, fo_ }
#define SUM(n, al, l, u, f, sc, fo_)					\
	{ n, al, l, u, MEASURE_FORM_SUM, MF_##f, MF_##f,		\
	  KPI_PAIR_COST_REVENUE, sc, F(f), 0, u, NONE, fo_ }
#define OTHER(n, l, u, fo, fl, flags_, nu_, du_, fo_)			\
	{ n, NULL, l, u, fo, MF_COST, MF_COST,				\
	  KPI_PAIR_COST_REVENUE, 1, fl, flags_, nu_, du_, fo_ }

/*
 * The table. A KPI over the fixed fields is one row; a new kind of
 * computation is one form and its case in measure_compute(). Formulas use
 * U+2212 for minus and U+00D7 for times.
 */
static const struct measure_def measure_defs[] = {
	PAIR("roi", NC_("KPI", "ROI"), MEASURE_PERCENT, MEASURE_FORM_GAIN,
	    REVENUE, COST, COST_REVENUE, MEASURE_PPM,
	    MEASURE_MONEY, MEASURE_MONEY, NC_("formula",
	    "(revenue − cost) / cost")),
	PAIR("roas", NC_("KPI", "ROAS"), MEASURE_RATIO, MEASURE_FORM_RATIO,
	    REVENUE, COST, COST_REVENUE, MEASURE_PPM,
	    MEASURE_MONEY, MEASURE_MONEY, NC_("formula",
	    "revenue / cost")),
	PAIR("profit", NC_("KPI", "profit"), MEASURE_MONEY, MEASURE_FORM_DIFF,
	    REVENUE, COST, COST_REVENUE, 1, MEASURE_MONEY, MEASURE_MONEY,
	    NC_("formula",
	    "revenue − cost")),
	PAIR("cpa", NC_("KPI", "CPA"), MEASURE_MONEY, MEASURE_FORM_RATIO,
	    COST, CONVERSIONS, COST_CONVERSIONS, 1,
	    MEASURE_MONEY, MEASURE_COUNT, NC_("formula",
	    "cost / conversions")),
	PAIR("cpc", NC_("KPI", "CPC"), MEASURE_MONEY, MEASURE_FORM_RATIO,
	    COST, CLICKS, COST_CLICKS, 1, MEASURE_MONEY, MEASURE_COUNT,
	    NC_("formula",
	    "cost / clicks")),
	PAIR("cpm", NC_("KPI", "CPM"), MEASURE_MONEY, MEASURE_FORM_RATIO,
	    COST, IMPRESSIONS, COST_IMPRESSIONS, 1000,
	    MEASURE_MONEY, MEASURE_COUNT, NC_("formula",
	    "cost / impressions × 1000")),
	PAIR("ctr", NC_("KPI", "CTR"), MEASURE_PERCENT, MEASURE_FORM_RATIO,
	    CLICKS, IMPRESSIONS, CLICKS_IMPRESSIONS, MEASURE_PPM,
	    MEASURE_COUNT, MEASURE_COUNT, NC_("formula",
	    "clicks / impressions")),
	PAIR("cvr", NC_("KPI", "conversion rate"), MEASURE_PERCENT,
	    MEASURE_FORM_RATIO, CONVERSIONS, CLICKS, CONVERSIONS_CLICKS,
	    MEASURE_PPM, MEASURE_COUNT, MEASURE_COUNT,
	    NC_("formula",
	    "conversions / clicks")),
	SUM("spend", "cost", NC_("KPI", "spend"), MEASURE_MONEY, COST, 1,
	    NC_("formula",
	    "sum of cost")),
	SUM("revenue", NULL, NC_("KPI", "revenue"), MEASURE_MONEY, REVENUE, 1,
	    NC_("formula",
	    "sum of revenue")),
	SUM("impressions", NULL, NC_("KPI", "impressions"), MEASURE_COUNT,
	    IMPRESSIONS, MICROS_PER_UNIT, NC_("formula",
	    "sum of impressions")),
	SUM("clicks", NULL, NC_("KPI", "clicks"), MEASURE_COUNT, CLICKS,
	    MICROS_PER_UNIT, NC_("formula",
	    "sum of clicks")),
	SUM("conversions", NULL, NC_("KPI", "conversions"), MEASURE_COUNT,
	    CONVERSIONS, MICROS_PER_UNIT, NC_("formula",
	    "sum of conversions")),
	OTHER("cac", NC_("KPI", "CAC"), MEASURE_MONEY, MEASURE_FORM_CAC, F(COST), 0,
	    MEASURE_MONEY, MEASURE_COUNT, NC_("formula",
	    "cost / new customers")),
	OTHER("clv", NC_("KPI", "CLV"), MEASURE_MONEY, MEASURE_FORM_CLV, 0, 0,
	    MEASURE_MONEY, NONE,
	    NC_("formula",
	    "monthly transactions × average order value × gross margin × "
	    "lifetime in months")),
	OTHER("clv_cac", NC_("KPI", "CLV:CAC"), MEASURE_RATIO,
	    MEASURE_FORM_CLV_CAC, F(COST), 0, MEASURE_MONEY, MEASURE_MONEY,
	    NC_("formula",
	    "CLV / CAC")),
	OTHER("budget_used", NC_("KPI", "budget used"), MEASURE_PERCENT,
	    MEASURE_FORM_BUDGET_USED, F(COST), MEASURE_F_BUDGET,
	    MEASURE_MONEY, MEASURE_MONEY, NC_("formula",
	    "spend / budget")),
	OTHER("pacing", NC_("KPI", "budget pacing"), MEASURE_RATIO,
	    MEASURE_FORM_PACING, F(COST), MEASURE_F_BUDGET | MEASURE_F_PLAIN,
	    MEASURE_MONEY, MEASURE_MONEY,
	    NC_("formula",
	    "spend / (budget × elapsed fraction of the period)")),
	OTHER("projected_spend", NC_("KPI", "projected spend"),
	    MEASURE_MONEY, MEASURE_FORM_PROJECTED, F(COST), MEASURE_F_BUDGET,
	    MEASURE_MONEY, MEASURE_PERCENT,
	    NC_("formula",
	    "spend / elapsed fraction of the period")),
	OTHER("custom", NC_("KPI", "custom"), MEASURE_COUNT,
	    MEASURE_FORM_CUSTOM, 0, MEASURE_F_CUSTOM, MEASURE_COUNT, NONE,
	    NC_("formula",
	    "sum over the window")),
	OTHER("custom_avg", NC_("KPI", "custom"), MEASURE_COUNT,
	    MEASURE_FORM_CUSTOM_AVG, 0, MEASURE_F_CUSTOM,
	    MEASURE_COUNT, MEASURE_COUNT,
	    NC_("formula",
	    "sum over the window / days with a value")),
};
#define MEASURE_NDEFS	(sizeof measure_defs / sizeof measure_defs[0])

#undef PAIR
#undef SUM
#undef OTHER
#undef F
#undef NONE

static const struct kpi_totals measure_no_totals;

static int
measure_is_fr(const char *lang)
{
	return lang != NULL && strncasecmp(lang, "fr", 2) == 0 &&
	    (lang[2] == '\0' || lang[2] == '_' || lang[2] == '-');
}

static int64_t
measure_clamp(measure_i128 v)
{
	if (v > INT64_MAX)
		return INT64_MAX;
	if (v < INT64_MIN)
		return INT64_MIN;
	return (int64_t)v;
}

/* |x|, flipping *neg when x < 0. */
static uint64_t
measure_mag(int64_t x, int *neg)
{
	if (x >= 0)
		return (uint64_t)x;
	*neg = !*neg;
	return (uint64_t)0 - (uint64_t)x;
}

/*
 * A 512-bit unsigned integer, for the rare fraction whose products leave 128
 * bits (CLV from four daily averages, CLV:CAC). Long division bit by bit:
 * slow, but only taken when the fast path cannot be.
 */
struct measure_big {
	uint64_t w[MEASURE_LIMBS];
};

static void
measure_big_mul(struct measure_big *a, uint64_t m)
{
	measure_u128	 c = 0;
	int		 i;

	for (i = 0; i < MEASURE_LIMBS; i++) {
		c += (measure_u128)a->w[i] * m;
		a->w[i] = (uint64_t)c;
		c >>= 64;
	}
	if (c != 0)
		fatalx("%s: overflow", __func__);
}

static int
measure_big_bits(const struct measure_big *a)
{
	int	 i;

	for (i = MEASURE_LIMBS - 1; i >= 0; i--)
		if (a->w[i] != 0)
			return i * 64 + 64 - __builtin_clzll(a->w[i]);
	return 0;
}

static int
measure_big_cmp(const struct measure_big *a, const struct measure_big *b)
{
	int	 i;

	for (i = MEASURE_LIMBS - 1; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

/* a -= b, a >= b. */
static void
measure_big_sub(struct measure_big *a, const struct measure_big *b)
{
	uint64_t borrow = 0, r;
	int	 i;

	for (i = 0; i < MEASURE_LIMBS; i++) {
		r = a->w[i] - b->w[i] - borrow;
		borrow = (a->w[i] < b->w[i]) ||
		    (a->w[i] == b->w[i] && borrow);
		a->w[i] = r;
	}
}

/* q = n / d, *rem = n % d != 0; d != 0 and below 2^511. */
static void
measure_big_div(const struct measure_big *n, const struct measure_big *d,
    struct measure_big *q, int *rem)
{
	struct measure_big r;
	int	 i, j;

	memset(q, 0, sizeof *q);
	memset(&r, 0, sizeof r);
	for (i = measure_big_bits(n) - 1; i >= 0; i--) {
		for (j = MEASURE_LIMBS - 1; j > 0; j--)
			r.w[j] = (r.w[j] << 1) | (r.w[j - 1] >> 63);
		r.w[0] = (r.w[0] << 1) | ((n->w[i / 64] >> (i % 64)) & 1);
		if (measure_big_cmp(&r, d) >= 0) {
			measure_big_sub(&r, d);
			q->w[i / 64] |= (uint64_t)1 << (i % 64);
		}
	}
	*rem = measure_big_bits(&r) != 0;
}

/*
 * v->floor and v->inexact from the quotient's magnitude q (over: beyond
 * 2^64), whether a remainder was dropped, and the sign. A value beyond int64
 * is clamped: above, INT64_MAX and inexact (still compares above any
 * threshold); below, INT64_MIN (compares equal to INT64_MIN alone).
 */
static void
measure_set(struct measure_value *v, int neg, int over, uint64_t q, int rem)
{
	v->inexact = 0;
	if (!neg) {
		if (over || q > (uint64_t)INT64_MAX) {
			v->floor = INT64_MAX;
			v->inexact = 1;
		} else {
			v->floor = (int64_t)q;
			v->inexact = rem;
		}
		return;
	}
	/* floor(-(q + r)) = -(q + 1) when a remainder r > 0 was dropped. */
	if (over || q > (uint64_t)INT64_MAX - (rem != 0) + 1) {
		v->floor = INT64_MIN;
		return;
	}
	q += rem != 0;
	v->floor = q == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)q;
	v->inexact = rem;
}

/*
 * v = floor(sign x prod(nf) / prod(df)) exactly; every df is > 0. The
 * quotient of 128-bit products when both fit, else of 512-bit ones.
 */
static void
measure_frac(struct measure_value *v, int neg, const uint64_t *nf, size_t nn,
    const uint64_t *df, size_t nd)
{
	struct measure_big bn, bd, bq;
	measure_u128	 n = 1, d = 1, q;
	size_t		 i;
	int		 big = 0, rem, over;

	if (nn > MEASURE_FACTORS || nd > MEASURE_FACTORS)
		fatalx("%s: too many factors", __func__);
	for (i = 0; i < nd; i++) {
		if (df[i] == 0)
			fatalx("%s: divisor 0", __func__);
		if (__builtin_mul_overflow(d, df[i], &d))
			big = 1;
	}
	for (i = 0; i < nn; i++)
		if (__builtin_mul_overflow(n, nf[i], &n))
			big = 1;
	if (!big) {
		q = n / d;
		measure_set(v, neg, (q >> 64) != 0, (uint64_t)q, n % d != 0);
		return;
	}
	memset(&bn, 0, sizeof bn);
	memset(&bd, 0, sizeof bd);
	bn.w[0] = bd.w[0] = 1;
	for (i = 0; i < nn; i++)
		measure_big_mul(&bn, nf[i]);
	for (i = 0; i < nd; i++)
		measure_big_mul(&bd, df[i]);
	measure_big_div(&bn, &bd, &bq, &rem);
	over = measure_big_bits(&bq) > 64;
	measure_set(v, neg, over, bq.w[0], rem);
}

/* floor(x / d) for d > 0, as an int64. */
static int64_t
measure_div_floor(int64_t x, int64_t d)
{
	struct measure_value tmp;
	uint64_t nf, df = (uint64_t)d;
	int	 neg = 0;

	nf = measure_mag(x, &neg);
	measure_frac(&tmp, neg, &nf, 1, &df, 1);
	return tmp.floor;
}

/* Sum of field f over the complete samples of pair p. */
static int64_t
measure_pair_sum(const struct kpi_totals *t, enum kpi_pair p,
    enum metric_field f)
{
	return kpi_pair_field(p, 0) == f ? t->pair[p].a : t->pair[p].b;
}

/* A field's sum in the unit measure_operands() gives it (counts: micros). */
static int64_t
measure_operand(enum metric_field f, int64_t x)
{
	if (f == MF_COST || f == MF_REVENUE)
		return x;
	return measure_clamp((measure_i128)x * MICROS_PER_UNIT);
}

static const struct measure_custom *
measure_find_custom(const struct measure_input *in, const char *name)
{
	size_t	 i;

	for (i = 0; i < in->ncustom; i++) {
		if (in->custom[i].name != NULL &&
		    strcmp(in->custom[i].name, name) == 0)
			return in->custom[i].days > 0 ? &in->custom[i] : NULL;
	}
	return NULL;
}

/* Coverage of a plain sum of field f (see the top of this file). */
static void
measure_sum_days(const struct measure_input *in, const struct kpi_totals *t,
    enum metric_field f, struct measure_value *v)
{
	int64_t	 best = -1;
	int	 p;

	v->days_total = t->days;
	if (in->field_days != NULL)
		v->days = in->field_days[f];
	else {
		for (p = 0; p < KPI_PAIR__MAX; p++) {
			if ((kpi_pair_fields(p) & MF_BIT(f)) == 0 ||
			    t->pair[p].samples <= 0)
				continue;
			if (t->pair[p].days > best)
				best = t->pair[p].days;
		}
		v->days = best >= 0 ? best : t->days;
	}
	if (v->days > v->days_total)
		v->days = v->days_total;
}

/* Whether some sample reports field f. */
static int
measure_has_field(const struct kpi_totals *t, enum metric_field f)
{
	return t->samples > 0 && (t->present & MF_BIT(f)) != 0;
}

static void
measure_custom_days(const struct kpi_totals *t, int64_t days,
    struct measure_value *v)
{
	v->days = days;
	v->days_total = t->days > days ? t->days : days;
}

/* The exact CLV in micros as a fraction, and what it was made of. */
struct measure_clv_frac {
	uint64_t nf[MEASURE_FACTORS], df[MEASURE_FACTORS];
	size_t	 nn, nd;
	int	 neg;
	int64_t	 days;		/* coverage: the custom KPIs' fewest days,
				   t->days for configured inputs */
	struct measure_clv used;
};

/*
 * CLV from the configured inputs, else from the daily averages of the four
 * clv_* custom KPIs (sum_i / days_i, kept as fractions); -1 when neither.
 */

static int
measure_clv_frac(const struct measure_input *in, const struct kpi_totals *t,
    struct measure_clv_frac *c)
{
	static const char *names[4] = { MEASURE_CLV_TRANSACTIONS,
	    MEASURE_CLV_ORDER_VALUE, MEASURE_CLV_MARGIN, MEASURE_CLV_LIFETIME };
	const struct measure_custom *mc[4];
	int64_t	 avg[4];
	int	 i;

	memset(c, 0, sizeof *c);
	if (in->clv.has) {
		c->used = in->clv;
		c->used.has = 1;
		c->nf[0] = measure_mag(in->clv.monthly_transactions, &c->neg);
		c->nf[1] = measure_mag(in->clv.order_value, &c->neg);
		c->nf[2] = measure_mag(in->clv.margin_ppm, &c->neg);
		c->nf[3] = measure_mag(in->clv.lifetime_months, &c->neg);
		c->nn = 4;
		c->df[0] = MEASURE_E18;
		c->nd = 1;
		c->days = t->days;
		return 0;
	}
	for (i = 0; i < 4; i++)
		if ((mc[i] = measure_find_custom(in, names[i])) == NULL)
			return -1;
	c->days = INT64_MAX;
	for (i = 0; i < 4; i++) {
		c->nf[i] = measure_mag(mc[i]->sum, &c->neg);
		c->df[i] = (uint64_t)mc[i]->days;
		avg[i] = measure_div_floor(mc[i]->sum, mc[i]->days);
		if (mc[i]->days < c->days)
			c->days = mc[i]->days;
	}
	c->nn = 4;
	c->df[4] = MEASURE_E18;
	c->nd = 5;
	c->used.has = 2;
	c->used.monthly_transactions = avg[0];
	c->used.order_value = avg[1];
	c->used.margin_ppm = avg[2];
	c->used.lifetime_months = avg[3];
	return 0;
}

/* The elapsed fraction of the budget's period as fn / fd; -1 when none. */
static int
measure_elapsed(const struct measure_budget *b, uint64_t *fn, uint64_t *fd)
{
	int64_t	 n, d;

	if (b->length > 0) {
		n = b->elapsed;
		d = b->length;
	} else {
		n = b->elapsed_ppm;
		d = MEASURE_PPM;
	}
	if (n <= 0)
		return -1;
	if (n > d)
		n = d;		/* the period is over */
	*fn = (uint64_t)n;
	*fd = (uint64_t)d;
	return 0;
}

static int
measure_fail(struct measure_value *v, enum measure_why why)
{
	v->defined = 0;
	v->why = why;
	v->floor = 0;
	v->inexact = 0;
	return -1;
}

/* Pair rows: numerator and denominator from the same samples. */
static void
measure_pair(const struct measure_def *d, const struct kpi_totals *t,
    struct measure_value *v)
{
	const struct kpi_pair_sums *ps = &t->pair[d->pair];
	int64_t	 num, den;
	uint64_t nf[2], df[1];
	measure_i128 diff;
	int	 neg = 0;

	num = measure_pair_sum(t, d->pair, d->num);
	den = measure_pair_sum(t, d->pair, d->den);
	v->days = ps->days;
	v->days_total = t->days;
	v->num = measure_operand(d->num, num);
	v->den = measure_operand(d->den, den);
	if (ps->samples <= 0) {
		measure_fail(v, MEASURE_MISSING);
		return;
	}
	diff = (measure_i128)num - den;
	if (d->form == MEASURE_FORM_DIFF) {
		v->floor = measure_clamp(diff);
		v->defined = 1;
		return;
	}
	if (den <= 0) {
		measure_fail(v, MEASURE_UNDEFINED);
		return;
	}
	if (d->form == MEASURE_FORM_GAIN) {
		v->num = measure_clamp(diff);
		nf[0] = diff < 0 ? (uint64_t)-diff : (uint64_t)diff;
		neg = diff < 0;
	} else
		nf[0] = measure_mag(num, &neg);
	nf[1] = (uint64_t)d->scale;
	df[0] = (uint64_t)den;
	measure_frac(v, neg, nf, 2, df, 1);
	v->defined = 1;
}

void
measure_compute(const struct measure_ref *ref, const struct measure_input *in,
    struct measure_value *v)
{
	const struct measure_def	*d = ref->def;
	const struct kpi_totals		*t = in->t != NULL ? in->t :
					    &measure_no_totals;
	const struct measure_custom	*c = NULL;
	struct measure_clv_frac		 cf;
	struct measure_value		 tmp;
	uint64_t			 nf[MEASURE_FACTORS];
	uint64_t			 df[MEASURE_FACTORS], fn, fd;
	int64_t				 spent = t->cost;
	int				 neg = 0;

	memset(v, 0, sizeof *v);
	if (d == NULL)
		fatalx("%s: no measure", __func__);
	v->why = MEASURE_OK;
	switch (d->form) {
	case MEASURE_FORM_RATIO:
	case MEASURE_FORM_GAIN:
	case MEASURE_FORM_DIFF:
		measure_pair(d, t, v);
		return;
	case MEASURE_FORM_SUM:
		measure_sum_days(in, t, d->num, v);
		if (!measure_has_field(t, d->num)) {
			measure_fail(v, MEASURE_MISSING);
			return;
		}
		v->floor = measure_clamp((measure_i128)kpi_totals_field(t,
		    d->num) * d->scale);
		v->num = v->floor;
		break;
	case MEASURE_FORM_CUSTOM:
	case MEASURE_FORM_CUSTOM_AVG:
		if ((c = measure_find_custom(in, ref->custom)) == NULL) {
			v->days_total = t->days;
			measure_fail(v, MEASURE_MISSING);
			return;
		}
		measure_custom_days(t, c->days, v);
		v->num = c->sum;
		if (d->form == MEASURE_FORM_CUSTOM) {
			v->floor = c->sum;
			break;
		}
		v->den = measure_clamp((measure_i128)c->days * MICROS_PER_UNIT);
		nf[0] = measure_mag(c->sum, &neg);
		df[0] = (uint64_t)c->days;
		measure_frac(v, neg, nf, 1, df, 1);
		break;
	case MEASURE_FORM_CAC:
	case MEASURE_FORM_CLV_CAC:
		if (d->form == MEASURE_FORM_CLV_CAC) {
			if (measure_clv_frac(in, t, &cf) != 0) {
				v->days_total = t->days;
				measure_fail(v, MEASURE_NO_INPUT);
				return;
			}
			v->clv = cf.used;
		}
		c = measure_find_custom(in, MEASURE_NEW_CUSTOMERS);
		if (c != NULL)
			measure_custom_days(t, c->days, v);
		else
			v->days_total = t->days;
		v->num = spent;
		if (!measure_has_field(t, MF_COST) || c == NULL) {
			measure_fail(v, MEASURE_MISSING);
			return;
		}
		v->den = c->sum;
		if (c->sum <= 0 || (d->form == MEASURE_FORM_CLV_CAC &&
		    spent <= 0)) {
			measure_fail(v, MEASURE_UNDEFINED);
			return;
		}
		/* CAC in micros = cost x 10^6 / new customers (micros). */
		nf[0] = measure_mag(spent, &neg);
		nf[1] = MICROS_PER_UNIT;
		df[0] = (uint64_t)c->sum;
		measure_frac(v, neg, nf, 2, df, 1);
		v->defined = 1;
		if (d->form == MEASURE_FORM_CAC)
			return;
		/* CLV:CAC in ppm = CLV x new customers / cost. */
		v->den = v->floor;
		measure_frac(&tmp, cf.neg, cf.nf, cf.nn, cf.df, cf.nd);
		v->num = tmp.floor;
		memcpy(nf, cf.nf, sizeof nf);
		memcpy(df, cf.df, sizeof df);
		nf[cf.nn] = (uint64_t)c->sum;
		df[cf.nd] = (uint64_t)spent;
		if (v->days > cf.days)
			v->days = cf.days;
		measure_frac(v, cf.neg, nf, cf.nn + 1, df, cf.nd + 1);
		return;
	case MEASURE_FORM_CLV:
		if (measure_clv_frac(in, t, &cf) != 0) {
			v->days_total = t->days;
			measure_fail(v, MEASURE_NO_INPUT);
			return;
		}
		v->clv = cf.used;
		v->days = cf.days;
		v->days_total = t->days > cf.days ? t->days : cf.days;
		measure_frac(v, cf.neg, cf.nf, cf.nn, cf.df, cf.nd);
		v->num = v->floor;
		break;
	case MEASURE_FORM_BUDGET_USED:
	case MEASURE_FORM_PACING:
	case MEASURE_FORM_PROJECTED:
		measure_sum_days(in, t, MF_COST, v);
		v->num = spent;
		if (!in->budget.has) {
			measure_fail(v, MEASURE_NO_INPUT);
			return;
		}
		if (!measure_has_field(t, MF_COST)) {
			measure_fail(v, MEASURE_MISSING);
			return;
		}
		nf[0] = measure_mag(spent, &neg);
		if (d->form == MEASURE_FORM_PROJECTED) {
			if (measure_elapsed(&in->budget, &fn, &fd) != 0) {
				measure_fail(v, MEASURE_UNDEFINED);
				return;
			}
			/* spent / (fn / fd) */
			v->den = measure_clamp((measure_i128)fn * MEASURE_PPM /
			    fd);
			nf[1] = fd;
			df[0] = fn;
			measure_frac(v, neg, nf, 2, df, 1);
			break;
		}
		v->den = in->budget.budget;
		if (in->budget.budget <= 0) {
			measure_fail(v, MEASURE_UNDEFINED);
			return;
		}
		nf[1] = MEASURE_PPM;
		df[0] = (uint64_t)in->budget.budget;
		if (d->form == MEASURE_FORM_BUDGET_USED) {
			measure_frac(v, neg, nf, 2, df, 1);
			break;
		}
		if (measure_elapsed(&in->budget, &fn, &fd) != 0) {
			measure_fail(v, MEASURE_UNDEFINED);
			return;
		}
		/* spent x 10^6 / (budget x fn / fd); den: spend due so far. */
		v->den = measure_clamp((measure_i128)in->budget.budget * fn /
		    fd);
		nf[2] = fd;
		df[1] = fn;
		measure_frac(v, neg, nf, 3, df, 2);
		break;
	}
	v->defined = 1;
}

int
measure_cmp(const struct measure_value *v, int64_t threshold)
{
	if (!v->defined)
		fatalx("%s: undefined value", __func__);
	if (v->floor > threshold)
		return 1;
	if (v->floor < threshold)
		return -1;
	return v->inexact ? 1 : 0;
}

void
measure_change(const struct measure_value *cur,
    const struct measure_value *prev, struct measure_value *out)
{
	measure_i128	 diff;
	uint64_t	 nf[2], df[1];
	int		 neg = 0;

	memset(out, 0, sizeof *out);
	out->days = cur->days;
	out->days_total = cur->days_total;
	if (!cur->defined || !prev->defined) {
		measure_fail(out, !cur->defined ? cur->why : prev->why);
		return;
	}
	if (prev->floor == 0) {
		measure_fail(out, MEASURE_UNDEFINED);
		return;
	}
	diff = (measure_i128)cur->floor - prev->floor;
	out->num = measure_clamp(diff);
	df[0] = measure_mag(prev->floor, &neg);
	out->den = measure_clamp((measure_i128)df[0]);
	neg = diff < 0;
	nf[0] = (uint64_t)(diff < 0 ? -diff : diff);
	nf[1] = MEASURE_PPM;
	measure_frac(out, neg, nf, 2, df, 1);
	out->defined = 1;
	out->why = MEASURE_OK;
}

/* Custom KPI names as the store keeps them: [a-z0-9_]{1,32}. */
static int
measure_custom_valid(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= METRIC_CUSTOM_NAME_MAX - 1)
			return 0;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	}
	return i > 0;
}

static void
measure_ref_set(struct measure_ref *ref, const struct measure_def *d,
    const char *custom)
{
	memset(ref, 0, sizeof *ref);
	ref->def = d;
	if ((d->flags & MEASURE_F_CUSTOM) == 0)
		return;
	snprintf(ref->custom, sizeof ref->custom, "%s", custom);
	if (d->form == MEASURE_FORM_CUSTOM_AVG) {
		snprintf(ref->label[0], sizeof ref->label[0],
		    "%s (daily average)", custom);
		snprintf(ref->label[1], sizeof ref->label[1],
		    "%s (moyenne par jour)", custom);
	} else {
		snprintf(ref->label[0], sizeof ref->label[0], "%s", custom);
		snprintf(ref->label[1], sizeof ref->label[1], "%s", custom);
	}
}

/*
 * "roi", "cost" (spend), "custom:reach", "custom_avg:csat". Row names and
 * prefixes are read case-insensitively; a custom KPI's name is as stored.
 */
int
measure_lookup(const char *name, struct measure_ref *ref, char **cause)
{
	const struct measure_def *d;
	const char	*colon;
	char		 esc[128], known[512];
	size_t		 i, plen;

	memset(ref, 0, sizeof *ref);
	if (name == NULL)
		name = "";
	if ((colon = strchr(name, ':')) != NULL) {
		plen = (size_t)(colon - name);
		for (i = 0; i < MEASURE_NDEFS; i++) {
			d = &measure_defs[i];
			if ((d->flags & MEASURE_F_CUSTOM) == 0 ||
			    strlen(d->name) != plen ||
			    strncasecmp(d->name, name, plen) != 0)
				continue;
			if (!measure_custom_valid(colon + 1)) {
				if (cause != NULL) {
					log_escape(name, strlen(name), esc,
					    sizeof esc);
					xasprintf(cause, "KPI \"%s\": a custom "
					    "KPI name is 1 to 32 of a-z, 0-9 "
					    "and _", esc);
				}
				return -1;
			}
			measure_ref_set(ref, d, colon + 1);
			return 0;
		}
	} else {
		for (i = 0; i < MEASURE_NDEFS; i++) {
			d = &measure_defs[i];
			if ((d->flags & MEASURE_F_CUSTOM) != 0)
				continue;
			if (strcasecmp(d->name, name) == 0 ||
			    (d->alias != NULL &&
			    strcasecmp(d->alias, name) == 0)) {
				measure_ref_set(ref, d, NULL);
				return 0;
			}
		}
	}
	if (cause != NULL) {
		known[0] = '\0';
		for (i = 0; i < MEASURE_NDEFS; i++) {
			d = &measure_defs[i];
			if ((d->flags & MEASURE_F_CUSTOM) != 0)
				snprintf(known + strlen(known),
				    sizeof known - strlen(known), "%s%s:NAME",
				    known[0] != '\0' ? ", " : "", d->name);
			else
				snprintf(known + strlen(known),
				    sizeof known - strlen(known), "%s%s",
				    known[0] != '\0' ? ", " : "", d->name);
		}
		log_escape(name, strlen(name), esc, sizeof esc);
		xasprintf(cause, "unknown KPI \"%s\" (known: %s)", esc, known);
	}
	return -1;
}

int
measure_nth(size_t n, struct measure_ref *ref)
{
	size_t	 i;

	for (i = 0; i < MEASURE_NDEFS; i++) {
		if ((measure_defs[i].flags & MEASURE_F_CUSTOM) != 0)
			continue;
		if (n-- == 0) {
			measure_ref_set(ref, &measure_defs[i], NULL);
			return 0;
		}
	}
	memset(ref, 0, sizeof *ref);
	return -1;
}

const char *
measure_name(const struct measure_ref *ref, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (ref->def == NULL)
		snprintf(buf, len, "unknown");
	else if ((ref->def->flags & MEASURE_F_CUSTOM) != 0)
		snprintf(buf, len, "%s:%s", ref->def->name, ref->custom);
	else
		snprintf(buf, len, "%s", ref->def->name);
	return buf;
}

const char *
measure_label(const struct measure_ref *ref, const char *lang)
{
	int	 fr = measure_is_fr(lang);

	if ((ref->def->flags & MEASURE_F_CUSTOM) != 0)
		return ref->label[fr][0] != '\0' ? ref->label[fr] : ref->custom;
	return trc(lang, "KPI", ref->def->label);
}

char *
measure_label_text(const struct measure_ref *ref, const char *lang,
    char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if ((ref->def->flags & MEASURE_F_CUSTOM) == 0)
		snprintf(buf, len, "%s", trc(lang, "KPI", ref->def->label));
	else if (ref->def->form == MEASURE_FORM_CUSTOM_AVG)
		/* TRANSLATORS: a custom KPI's name. */
		snprintf(buf, len, tr(lang, "%s (daily average)"), ref->custom);
	else
		snprintf(buf, len, "%s", ref->custom);
	return buf;
}

enum measure_unit
measure_unit(const struct measure_ref *ref)
{
	return ref->def->unit;
}

const char *
measure_formula(const struct measure_ref *ref, const char *lang)
{
	return trc(lang, "formula", ref->def->formula);
}

int
measure_needs_budget(const struct measure_ref *ref)
{
	return (ref->def->flags & MEASURE_F_BUDGET) != 0;
}

unsigned
measure_fields(const struct measure_ref *ref)
{
	return ref->def->fields;
}

void
measure_operands(const struct measure_ref *ref, enum measure_unit *num,
    enum measure_unit *den)
{
	*num = ref->def->nu;
	*den = ref->def->du;
}

enum measure_sfx {
	MEASURE_SFX_NONE,	/* "1.1" */
	MEASURE_SFX_PERCENT,	/* "110%", "110 %" */
	MEASURE_SFX_RATIO	/* "3:1", "3 : 1" */
};

/* A number with an optional "%" or ":1" after it, in micros. */
static int
measure_number(const char *s, int64_t *micros, enum measure_sfx *sfx,
    const char **why)
{
	const char *p = s, *colon, *after;
	size_t	 len = strlen(s), alen;

	utf8_trim(&p, &len);
	*sfx = MEASURE_SFX_NONE;
	if (len > 0 && p[len - 1] == '%') {
		*sfx = MEASURE_SFX_PERCENT;
		len--;
		utf8_trim(&p, &len);
	} else if ((colon = memchr(p, ':', len)) != NULL) {
		after = colon + 1;
		alen = len - (size_t)(after - p);
		utf8_trim(&after, &alen);
		if (alen != 1 || *after != '1') {
			*why = "a ratio must read R:1";
			return -1;
		}
		*sfx = MEASURE_SFX_RATIO;
		len = (size_t)(colon - p);
		utf8_trim(&p, &len);
	}
	if (len == 0) {
		*why = "no number";
		return -1;
	}
	if (money_parse(p, len, '.', 0, micros, why) != 0) {
		if (strcmp(*why, "amount too large") == 0)
			*why = "number too large";
		return -1;
	}
	return 0;
}

/* Percent in micros ("12.5" of "12.5%") to ppm of the ratio. */
static int
measure_percent_ppm(int64_t micros, int64_t *ppm, const char **why)
{
	if (micros % 100 != 0) {
		*why = "more than 4 decimals in a percentage";
		return -1;
	}
	*ppm = micros / 100;
	return 0;
}

/* An ISO code as money_format_currency() reads it: upper case, short. */
static void
measure_code(const char *currency, char *code, size_t len)
{
	size_t	 i;

	for (i = 0; currency != NULL && currency[i] != '\0' && i < len - 1;
	    i++) {
		code[i] = currency[i];
		if (code[i] >= 'a' && code[i] <= 'z')
			code[i] = (char)(code[i] - 'a' + 'A');
	}
	code[i] = '\0';
}

/*
 * "40", "-40.50", "40 EUR", "€40", "-€40", "40 €". A currency marker must
 * name the client's currency; *why may then point into whybuf.
 */
static int
measure_parse_money(const char *text, const char *currency, int64_t *out,
    const char **why, char *whybuf, size_t whylen)
{
	const char *s = text;
	char	 mark[CURRENCY_MARKER_MAX], code[8];
	size_t	 len = strlen(text), n;
	int64_t	 v;
	int	 neg = 0;

	utf8_trim(&s, &len);
	if (memchr(s, '%', len) != NULL) {
		*why = "a percentage is not an amount";
		return -1;
	}
	if (len > 0 && (s[0] == '-' || s[0] == '+') &&
	    currency_marker_start(s + 1, len - 1, mark) != 0) {
		neg = s[0] == '-';
		s++;
		len--;
	}
	if ((n = currency_marker_start(s, len, mark)) != 0) {
		s += n;
		len -= n;
	} else if ((n = currency_marker_end(s, len, mark)) != 0)
		len -= n;
	measure_code(currency, code, sizeof code);
	if (mark[0] != '\0' && !currency_marker_matches(code, mark)) {
		if (code[0] == '\0')
			snprintf(whybuf, whylen, "it names the currency %s "
			    "but the client has no currency", mark);
		else
			snprintf(whybuf, whylen, "it names the currency %s "
			    "but the client's currency is %s", mark, code);
		*why = whybuf;
		return -1;
	}
	utf8_trim(&s, &len);
	if (len == 0) {
		*why = "no number";
		return -1;
	}
	if (neg && (s[0] == '-' || s[0] == '+')) {
		*why = "two signs";
		return -1;
	}
	if (money_parse(s, len, '.', 0, &v, why) != 0)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

int
measure_parse_value(const struct measure_ref *ref, const char *text,
    const char *currency, int64_t *out, char **cause)
{
	const struct measure_def *d = ref->def;
	enum measure_sfx sfx;
	const char	*why = NULL, *expect = "";
	char		 esc[128], name[64], whybuf[128], code[8], ex[64];
	int64_t		 m, v = 0;
	int		 plain = (d->flags & MEASURE_F_PLAIN) != 0;

	if (text == NULL)
		text = "";
	if (d->form == MEASURE_FORM_GAIN)
		return kpi_parse_roi_threshold(text, out, cause);
	switch (d->unit) {
	case MEASURE_PERCENT:
		expect = "a percentage like \"12.5%\"";
		break;
	case MEASURE_RATIO:
		expect = plain ? "a number like \"1.1\" or a percentage like "
		    "\"110%\"" : "a ratio like \"3:1\" or a percentage like "
		    "\"300%\"";
		break;
	case MEASURE_MONEY:
		measure_code(currency, code, sizeof code);
		if (code[0] != '\0')
			snprintf(ex, sizeof ex, "an amount like \"40.50\" or "
			    "\"40.50 %s\"", code);
		else
			snprintf(ex, sizeof ex, "an amount like \"40.50\"");
		expect = ex;
		break;
	case MEASURE_COUNT:
	case MEASURE_UNIT_MAX:
		expect = "a number like \"1000\" or \"2.5\"";
		break;
	}
	if (d->unit == MEASURE_MONEY) {
		if (measure_parse_money(text, currency, &v, &why, whybuf,
		    sizeof whybuf) != 0)
			goto bad;
		*out = v;
		return 0;
	}
	if (measure_number(text, &m, &sfx, &why) != 0)
		goto bad;
	switch (d->unit) {
	case MEASURE_PERCENT:
		if (sfx == MEASURE_SFX_NONE) {
			why = "ambiguous without %";
			goto bad;
		}
		if (sfx == MEASURE_SFX_RATIO) {
			why = "a percentage is expected, not a ratio";
			goto bad;
		}
		if (measure_percent_ppm(m, &v, &why) != 0)
			goto bad;
		break;
	case MEASURE_RATIO:
		if (sfx == MEASURE_SFX_NONE && !plain) {
			why = "ambiguous without % or :1";
			goto bad;
		}
		if (m < 0) {
			why = "a ratio cannot be negative";
			goto bad;
		}
		if (sfx == MEASURE_SFX_PERCENT) {
			if (measure_percent_ppm(m, &v, &why) != 0)
				goto bad;
		} else
			v = m;		/* micros of a ratio are ppm */
		break;
	default:
		if (sfx != MEASURE_SFX_NONE) {
			why = "a plain number is expected";
			goto bad;
		}
		v = m;
		break;
	}
	*out = v;
	return 0;

bad:
	if (cause != NULL) {
		log_escape(text, strlen(text), esc, sizeof esc);
		xasprintf(cause, "invalid threshold \"%s\" for %s: %s (write "
		    "%s)", esc, measure_name(ref, name, sizeof name), why,
		    expect);
	}
	return -1;
}

int
measure_parse_change(const char *text, int64_t *ppm, char **cause)
{
	enum measure_sfx sfx;
	const char	*why = NULL;
	char		 esc[128];
	int64_t		 m;

	if (text == NULL)
		text = "";
	if (measure_number(text, &m, &sfx, &why) != 0)
		goto bad;
	if (sfx != MEASURE_SFX_PERCENT) {
		why = "a change is a percentage";
		goto bad;
	}
	if (measure_percent_ppm(m, ppm, &why) != 0)
		goto bad;
	return 0;

bad:
	if (cause != NULL) {
		log_escape(text, strlen(text), esc, sizeof esc);
		xasprintf(cause, "invalid change \"%s\": %s (write a percentage "
		    "like \"-30%%\")", esc, why);
	}
	return -1;
}

/*
 * The exact value (floor f, plus a dropped remainder when inexact) rounded
 * half away from zero to a multiple of u, returned in units of u. u is even,
 * so no tie lies strictly between f and f + 1: an inexact value rounds as
 * f + 1/2 does, and doubling keeps that exact.
 */
static int64_t
measure_round(int64_t f, int inexact, int64_t u)
{
	measure_i128	 x2, m;

	x2 = (measure_i128)f * 2 + (inexact ? 1 : 0);
	m = x2 < 0 ? -x2 : x2;
	m = (m + u) / ((measure_i128)u * 2);
	return (int64_t)(x2 < 0 ? -m : m);
}

/*
 * n / 10^decimals into buf: '-' when n < 0, the integer part grouped by
 * thousands when `group`, trailing zeros dropped when `trim`; the separators
 * are the language's (the catalogue's: en "," and ".", fr U+202F and ",").
 */
static char *
measure_digits(int64_t n, int decimals, int trim, int group, const char *lang,
    char *buf, size_t len)
{
	char	 rev[24], frac[24], out[160];
	uint64_t mag, p = 1, ip, fp;
	size_t	 k = 0, o = 0, i, gl, dl;
	int	 j;
	/* TRANSLATORS: the thousands separator, then the decimal one. */
	const char *gs = trc(lang, "number", ",");
	const char *ds = trc(lang, "number", ".");

	gl = strlen(gs) < 8 ? strlen(gs) : 8;
	dl = strlen(ds) < 8 ? strlen(ds) : 8;

	mag = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
	for (j = 0; j < decimals; j++)
		p *= 10;
	ip = mag / p;
	fp = mag % p;
	if (n < 0)
		out[o++] = '-';
	do {
		rev[k++] = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip != 0);
	for (i = k; i > 0; i--) {
		out[o++] = rev[i - 1];
		if (group && i > 1 && (i - 1) % 3 == 0) {
			memcpy(out + o, gs, gl);
			o += gl;
		}
	}
	if (decimals > 0) {
		for (j = decimals - 1; j >= 0; j--) {
			frac[j] = (char)('0' + fp % 10);
			fp /= 10;
		}
		frac[decimals] = '\0';
		for (j = decimals; trim && j > 0 && frac[j - 1] == '0'; j--)
			frac[j - 1] = '\0';
		if (frac[0] != '\0') {
			memcpy(out + o, ds, dl);
			o += dl;
			for (j = 0; frac[j] != '\0'; j++)
				out[o++] = frac[j];
		}
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
	return buf;
}

/* Append s to buf (len bytes), truncating. */
static void
measure_cat(char *buf, size_t len, const char *s)
{
	size_t	 n = strlen(buf);

	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s", s);
}

static const char *
measure_why_word(enum measure_why why, const char *lang)
{
	switch (why) {
	case MEASURE_MISSING:
		return tr(lang, "missing");
	case MEASURE_NO_INPUT:
		return tr(lang, "not configured");
	default:
		return tr(lang, "undefined");
	}
}

/*
 * A ratio in ppm as a percent (ppm / 10^4): a value rounded to 2 decimals, a
 * threshold exact with up to 4.
 */
static char *
measure_percent(int64_t ppm, int inexact, int threshold, const char *lang,
    char *buf, size_t len)
{
	char	 num[64];

	if (threshold)
		measure_digits(ppm, 4, 1, 0, lang, num, sizeof num);
	else
		measure_digits(measure_round(ppm, inexact, 100), 2, 0, 0, lang,
		    num, sizeof num);
	/* TRANSLATORS: a number as a percentage. */
	snprintf(buf, len, trc(lang, "number", "%s%%"), num);
	return buf;
}

char *
measure_format(const struct measure_ref *ref, const struct measure_value *v,
    const char *currency, const char *lang, char *buf, size_t len)
{
	const struct measure_def *d = ref->def;
	const struct currency *c;
	char	 code[8];
	int64_t	 u = 1;
	int	 decimals = 2;

	if (len == 0)
		return buf;
	if (!v->defined) {
		snprintf(buf, len, "%s", measure_why_word(v->why, lang));
		return buf;
	}
	switch (d->unit) {
	case MEASURE_PERCENT:
		return measure_percent(v->floor, v->inexact, 0, lang, buf, len);
	case MEASURE_RATIO:
		measure_digits(measure_round(v->floor, v->inexact, 10000), 2, 0,
		    0, lang, buf, len);
		if ((d->flags & MEASURE_F_PLAIN) == 0)
			measure_cat(buf, len, ":1");
		return buf;
	case MEASURE_MONEY:
		/*
		 * Round the exact value to the currency's minor units here:
		 * money_format_currency() would round the floor, which is
		 * not the same for a negative inexact value.
		 */
		measure_code(currency, code, sizeof code);
		if ((c = currency_lookup(code)) != NULL && c->minor_units >= 0)
			decimals = c->minor_units;
		while (decimals++ < 6)
			u *= 10;
		return money_format_currency(u == 1 ? v->floor :
		    measure_clamp((measure_i128)measure_round(v->floor,
		    v->inexact, u) * u), currency, lang, buf, len);
	default:
		return measure_digits(measure_round(v->floor, v->inexact,
		    10000), 2, 1, 1, lang, buf, len);
	}
}

char *
measure_format_threshold(const struct measure_ref *ref, int64_t v,
    const char *currency, const char *lang, char *buf, size_t len)
{
	const struct measure_def *d = ref->def;
	char	 tmp[64];

	if (len == 0)
		return buf;
	switch (d->unit) {
	case MEASURE_PERCENT:
		measure_percent(v, 0, 1, lang, buf, len);
		/* ROI: also as revenue per unit of cost, when it has one. */
		if (d->form == MEASURE_FORM_GAIN && v >= -MEASURE_PPM &&
		    v <= INT64_MAX - MEASURE_PPM) {
			measure_cat(buf, len, " (");
			measure_cat(buf, len, measure_digits(v + MEASURE_PPM, 6,
			    1, 0, lang, tmp, sizeof tmp));
			measure_cat(buf, len, ":1)");
		}
		return buf;
	case MEASURE_RATIO:
		measure_digits(v, 6, 1, 0, lang, buf, len);
		if ((d->flags & MEASURE_F_PLAIN) == 0)
			measure_cat(buf, len, ":1");
		return buf;
	case MEASURE_MONEY:
		return money_format_currency(v, currency, lang, buf, len);
	default:
		return measure_digits(v, 6, 1, 1, lang, buf, len);
	}
}

char *
measure_format_change(const struct measure_value *v, const char *lang,
    char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (!v->defined) {
		snprintf(buf, len, "%s", measure_why_word(v->why, lang));
		return buf;
	}
	return measure_percent(v->floor, v->inexact, 0, lang, buf, len);
}
