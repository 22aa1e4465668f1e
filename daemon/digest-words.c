/*
 * The figures of a digest as its text renderers write them (digest-words.h).
 * Every number goes through measure_format() or money_format_currency(), as
 * the notices and the KPI report do, so a figure reads the same in the
 * narrative, the plain text and the JSON's texts. Pure.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "digest-words.h"
#include "log.h"
#include "measure.h"
#include "money.h"
#include "window.h"
#include "xmalloc.h"

__extension__ typedef __int128 dw_i128;

#define DW_DASH	"\xe2\x80\x93"	/* U+2013: no value to show */

const char *
dw_lang(const struct digest *d)
{
	return (d->language != NULL && *d->language != '\0' ? d->language :
	    "en");
}

char *
dw_escape(const char *s)
{
	size_t	 len, size;
	char	*buf;

	if (s == NULL)
		s = "";
	len = strlen(s);
	size = 4 * len + 8;	/* "\xNN" per byte at worst, never cut */
	buf = xmalloc(size);
	return (log_escape(s, len, buf, size));
}

/* A row of the measure table by its word; every one named here exists. */
static void
dw_ref(const char *name, struct measure_ref *ref)
{
	char	*cause = NULL;

	if (measure_lookup(name, ref, &cause) != 0)
		fatalx("%s: %s", __func__, cause);
}

static char *
dw_format(const struct digest *d, const char *measure,
    const struct measure_value *v, char *buf, size_t len)
{
	struct measure_ref	ref;

	dw_ref(measure, &ref);
	return (measure_format(&ref, v, d->currency, dw_lang(d), buf, len));
}

struct measure_value
dw_exact(int64_t v)
{
	struct measure_value	m;

	memset(&m, 0, sizeof m);
	m.defined = 1;
	m.why = MEASURE_OK;
	m.floor = v;
	return (m);
}

struct measure_value
dw_share(int64_t num, int64_t den)
{
	struct measure_value	m;
	dw_i128			n = (dw_i128)num * 1000000, q;

	memset(&m, 0, sizeof m);
	if (den <= 0) {
		m.why = MEASURE_UNDEFINED;
		return (m);
	}
	q = n / den;
	if (n % den != 0) {
		if (n < 0)
			q--;	/* floor, also for a negative share */
		m.inexact = 1;
	}
	m.defined = 1;
	m.floor = q > INT64_MAX ? INT64_MAX : q < INT64_MIN ? INT64_MIN :
	    (int64_t)q;
	return (m);
}

char *
dw_percent(const struct digest *d, const struct measure_value *v, char *buf,
    size_t len)
{
	return (dw_format(d, "roi", v, buf, len));
}

char *
dw_percent_ppm(const struct digest *d, int64_t ppm, char *buf, size_t len)
{
	struct measure_value	v = dw_exact(ppm);

	return (dw_percent(d, &v, buf, len));
}

char *
dw_threshold(const struct digest *d, int64_t ppm, char *buf, size_t len)
{
	struct measure_ref	ref;

	/* A percent row that is not a gain: the threshold without "(2.5:1)",
	 * which would read as revenue per 1 spent beside profit per 1. */
	dw_ref("ctr", &ref);
	return (measure_format_threshold(&ref, ppm, d->currency, dw_lang(d),
	    buf, len));
}

char *
dw_per1(const struct digest *d, const struct measure_value *roi, char *buf,
    size_t len)
{
	/* ROI in ppm is profit per 1 spent in millionths: a plain ratio. */
	return (dw_format(d, "pacing", roi, buf, len));
}

char *
dw_money(const struct digest *d, int64_t micros, char *buf, size_t len)
{
	return (money_format_currency(micros, d->currency, dw_lang(d), buf,
	    len));
}

char *
dw_money_value(const struct digest *d, const struct measure_value *v,
    char *buf, size_t len)
{
	return (dw_format(d, "profit", v, buf, len));
}

char *
dw_ratio(const struct digest *d, const struct measure_value *v, int plain,
    char *buf, size_t len)
{
	return (dw_format(d, plain ? "pacing" : "roas", v, buf, len));
}

char *
dw_count(const struct digest *d, int64_t micros, char *buf, size_t len)
{
	struct measure_value	v = dw_exact(micros);

	return (dw_format(d, "conversions", &v, buf, len));
}

/* "+" before a text that shows a value above zero. */
static char *
dw_signed(char *buf, size_t len)
{
	size_t	n = strlen(buf);

	if (buf[0] == '-' || strpbrk(buf, "123456789") == NULL || n + 2 > len)
		return (buf);
	memmove(buf + 1, buf, n + 1);
	buf[0] = '+';
	return (buf);
}

char *
dw_change(const struct digest *d, int64_t cur, int64_t prev, char *buf,
    size_t len)
{
	struct measure_value	c = dw_exact(cur), p = dw_exact(prev), v;

	measure_change(&c, &p, &v);
	if (!v.defined) {
		snprintf(buf, len, "%s", DW_DASH);
		return (buf);
	}
	measure_format_change(&v, dw_lang(d), buf, len);
	return (dw_signed(buf, len));
}

/*
 * The exact value of v (floor plus a remainder below 1) rounded half away
 * from zero to a multiple of u, as measure_format() rounds what it shows:
 * differences of the shown values are what a reader would compute.
 */
static int64_t
dw_round(const struct measure_value *v, int64_t u)
{
	int64_t	q = v->floor / u, r = v->floor % u;

	if (r < 0) {
		q--;
		r += u;
	}
	if (v->floor >= 0)
		return (2 * r >= u ? q + 1 : q);
	return (2 * r < u || (2 * r == u && !v->inexact) ? q : q + 1);
}

/* a - b at the resolution of `u` ppm, as a plain number of 2 decimals. */
static char *
dw_diff(const struct digest *d, const struct measure_value *a,
    const struct measure_value *b, int64_t u, char *buf, size_t len)
{
	struct measure_value	v;

	if (!a->defined || !b->defined) {
		snprintf(buf, len, "%s", DW_DASH);
		return (buf);
	}
	/* In hundredths of the shown unit, then as millionths of it. */
	v = dw_exact((dw_round(a, u) - dw_round(b, u)) * 10000);
	dw_format(d, "pacing", &v, buf, len);
	return (dw_signed(buf, len));
}

char *
dw_change_points(const struct digest *d, const struct measure_value *cur,
    const struct measure_value *prev, char *buf, size_t len)
{
	char	num[DW_TEXT_MAX];

	dw_diff(d, cur, prev, 100, num, sizeof num);
	if (strcmp(num, DW_DASH) == 0)
		snprintf(buf, len, "%s", num);
	else
		/* TRANSLATORS: a difference of two percentages, in points. */
		snprintf(buf, len, tr(dw_lang(d), "%s pts"), num);
	return (buf);
}

char *
dw_change_per1(const struct digest *d, const struct measure_value *cur,
    const struct measure_value *prev, char *buf, size_t len)
{
	return (dw_diff(d, cur, prev, 10000, buf, len));
}

int
dw_cmp(const struct measure_value *a, const struct measure_value *b)
{
	dw_i128	x, y;

	if (a->floor != b->floor)
		return (a->floor < b->floor ? -1 : 1);
	if (a->inexact && b->inexact && a->den > 0 && b->den > 0) {
		/* Both between the same floors: the operands tell. */
		x = (dw_i128)a->num * b->den;
		y = (dw_i128)b->num * a->den;
		return (x < y ? -1 : x > y);
	}
	return (a->inexact - b->inexact);
}

char *
dw_issue_text(const struct digest_issue *is, const char *lang,
    char *buf, size_t len)
{
	char	day[24], t[128];

	switch (is->kind) {
	case DIGEST_ISSUE_COVERAGE:
		snprintf(t, sizeof t, tr(lang, "%lld of %lld days complete"),
		    (long long)is->days, (long long)is->days_total);
		snprintf(buf, len, tr(lang, "incomplete figures: %s"), t);
		break;
	case DIGEST_ISSUE_STALE:
		if (is->last_day == INT32_MIN)
			snprintf(buf, len, "%s", tr(lang, "no data"));
		else
			snprintf(buf, len, tr(lang, "no data since %s"),
			    window_format_date(is->last_day, lang, day,
			    sizeof day));
		break;
	case DIGEST_ISSUE_SOURCE:
		snprintf(buf, len, tr(lang, "failing: %s"), is->detail != NULL ?
		    is->detail : "");
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
	return (buf);
}
