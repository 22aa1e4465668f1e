/*
 * The digest in HTML (digest.h): the body of the scheduled e-mail and the
 * report page the daemon serves at /clients/{id}/report.
 *
 * Both are written by the same code from one table of named styles: the
 * e-mail writes each style inline (mail clients keep little of CSS: no
 * <style>, no image, no script, no external resource, a 600-pixel table
 * with explicit colours on every box, as notice-html.c does), the page
 * writes a class and puts the table once in its <style> block, with the
 * rules that make it read at a phone's width (tables scroll inside their
 * box) and a desktop's. Styles that depend on a figure (a bar's height, a
 * tone's colour) stay inline in both.
 *
 * Charts need neither image nor script: the daily spend and revenue are
 * bars made of table cells, the daily ROI a sparkline in inline SVG
 * followed by its lowest, highest and last day in a table (what a client
 * that drops SVG still shows), the channels' revenue shares one bar of
 * table cells. Each note is marked on the day it was made.
 *
 * Every section has the id its story sentences name ("total", "channels",
 * "campaigns", "budgets", "alerts", "notes", "issues") and is written even
 * when it has nothing to show, so that every link of the narrative lands.
 * Every word comes from the message catalogue in the client's language,
 * every figure from measure_format() and money_format_currency(), and every
 * text is escaped (names, rules and notes are untrusted). Pure, but for
 * reading the client's time zone file to show the alerts' local times.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "log.h"
#include "digest.h"
#include "digest-schedule.h"
#include "digest-html-internal.h"
#include "digest-words.h"
#include "measure.h"
#include "metric.h"
#include "money.h"
#include "notice-internal.h"
#include "rules.h"
#include "tz.h"
#include "utf8.h"
#include "window.h"
#include "xmalloc.h"

static const struct {
	const char	*cls;
	const char	*css;
} dh_styles[S_MAX] = {
	[S_BODY] = { "body", "margin:0;padding:0;background-color:#eef1f5;"
	    "color:" C_TEXT ";font-family:Helvetica,Arial,sans-serif;"
	    "font-size:15px;line-height:1.5;" },
	[S_WRAP] = { "wrap", "background-color:#ffffff;color:" C_TEXT ";"
	    "border:1px solid " C_LINE ";border-radius:6px;"
	    "font-family:Helvetica,Arial,sans-serif;font-size:15px;"
	    "line-height:1.5;text-align:left;" },
	[S_HEAD] = { "head", "padding:0 0 8px 0;border-bottom:1px solid "
	    C_LINE ";margin:0 0 16px 0;" },
	[S_H1] = { "h1", "margin:0 0 4px 0;font-size:22px;line-height:1.3;"
	    "font-weight:bold;color:" C_TEXT ";" },
	[S_SUB] = { "sub", "margin:0;font-size:14px;color:" C_MUTED ";" },
	[S_NAV] = { "nav", "margin:8px 0 0 0;font-size:14px;" },
	[S_LATE] = { "late", "margin:0 0 16px 0;padding:8px 12px;"
	    "border:1px dashed " C_WARN ";background-color:#fff6e0;"
	    "color:#3d2a00;font-size:14px;" },
	[S_STORY] = { "story", "margin:0 0 16px 0;padding:12px 16px;"
	    "background-color:#f4f7fb;border-left:4px solid " C_INFO ";" },
	[S_STORYP] = { "storyp", "margin:0 0 6px 0;font-size:15px;"
	    "line-height:1.5;" },
	[S_LINK] = { "link", "color:" C_TEXT ";text-decoration:none;"
	    "border-bottom:1px dotted " C_MUTED ";" },
	[S_SECTION] = { "section", "margin:0 0 24px 0;" },
	[S_H2] = { "h2", "margin:0 0 8px 0;padding:0 0 4px 0;font-size:18px;"
	    "line-height:1.3;font-weight:bold;color:" C_TEXT ";"
	    "border-bottom:2px solid #eceff3;" },
	[S_H3] = { "h3", "margin:12px 0 6px 0;font-size:15px;"
	    "font-weight:bold;color:" C_TEXT ";" },
	[S_P] = { "p", "margin:0 0 8px 0;font-size:14px;color:" C_TEXT ";" },
	[S_NOTE] = { "note", "margin:4px 0 8px 0;font-size:13px;"
	    "color:" C_MUTED ";" },
	[S_SCROLL] = { "scroll", "" },
	[S_TABLE] = { "data", "border-collapse:collapse;font-size:13px;"
	    "line-height:1.4;color:" C_TEXT ";" },
	[S_TH] = { "th", "padding:4px 5px;text-align:left;font-weight:bold;"
	    "color:" C_MUTED ";border-bottom:1px solid " C_LINE ";"
	    "vertical-align:bottom;" },
	[S_THN] = { "thn", "padding:4px 5px;text-align:right;"
	    "font-weight:bold;color:" C_MUTED ";border-bottom:1px solid "
	    C_LINE ";vertical-align:bottom;" },
	[S_TD] = { "td", "padding:4px 5px;text-align:left;"
	    "border-bottom:1px solid #eceff3;vertical-align:top;" },
	[S_TDN] = { "tdn", "padding:4px 5px;text-align:right;"
	    "border-bottom:1px solid #eceff3;"
	    "vertical-align:top;" },
	[S_TDNAME] = { "tdname", "padding:4px 5px;text-align:left;"
	    "font-weight:bold;border-bottom:1px solid #eceff3;"
	    "vertical-align:top;overflow-wrap:break-word;" },
	[S_SMALL] = { "small", "font-size:12px;color:" C_MUTED ";" },
	[S_LEGEND] = { "legend", "margin:6px 0 0 0;font-size:12px;"
	    "color:" C_MUTED ";" },
	[S_CHART] = { "chart", "border-collapse:collapse;table-layout:fixed;" },
	[S_BARCELL] = { "barcell", "padding:0 1px 0 0;vertical-align:bottom;"
	    "border-bottom:1px solid " C_MUTED ";" },
	[S_AXIS] = { "axis", "padding:2px 0 0 0;font-size:11px;color:" C_MUTED
	    ";white-space:nowrap;" },
	[S_MARK] = { "mark", "padding:0;text-align:center;font-size:10px;"
	    "line-height:14px;font-weight:bold;color:#ffffff;"
	    "background-color:" C_WARN ";" },
	[S_SPARK] = { "spark", "display:block;max-width:100%;" },
	[S_SHARE] = { "share", "border-collapse:collapse;table-layout:fixed;" },
	[S_BADGE] = { "badge", "display:inline-block;padding:0 6px;"
	    "border-radius:3px;font-size:11px;line-height:16px;"
	    "font-weight:bold;color:#ffffff;white-space:nowrap;" },
	[S_TRACK] = { "track", "border-collapse:collapse;"
	    "background-color:#eceff3;" },
	[S_FOOT] = { "foot", "margin:24px 0 0 0;padding:8px 0 0 0;"
	    "border-top:1px solid " C_LINE ";font-size:12px;color:" C_MUTED
	    ";" },
};

/* What the page's sheet adds to the table: its layout at every width. */
static const char dh_page_css[] =
	"*{box-sizing:border-box}\n"
	"html{-webkit-text-size-adjust:100%}\n"
	".wrap{max-width:1100px;margin:16px auto;padding:24px}\n"
	".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;"
	"max-width:100%}\n"
	".data{width:100%}\n"
	".chart,.share,.track{width:100%}\n"
	".spark{width:100%;height:auto}\n"
	".nav a{margin-right:16px}\n"
	"@media (max-width:640px){\n"
	"body{font-size:14px}\n"
	".wrap{margin:0;padding:12px;border:0;border-radius:0}\n"
	".h1{font-size:19px}\n"
	".data{font-size:12px}\n"
	".th,.thn,.td,.tdn,.tdname{padding:3px 4px}\n"
	"}\n";


/* Text as HTML (sbuf_html()). */
void
dh_text(struct dh *h, const char *s)
{
	sbuf_html(&h->b, s);
}

void
dh_puts(struct dh *h, const char *s)
{
	sbuf_puts(&h->b, s);
}

/* A named style, and maybe a computed one: ` style="..."` in the e-mail,
 * ` class="..."` (and the computed part inline) on the page. */
void
dh_style(struct dh *h, enum dh_style s, const char *extra)
{
	if (extra == NULL)
		extra = "";
	if (h->kind == DIGEST_HTML_PAGE) {
		sbuf_printf(&h->b, " class=\"%s\"", dh_styles[s].cls);
		if (*extra != '\0')
			sbuf_printf(&h->b, " style=\"%s\"", extra);
	} else if (*dh_styles[s].css != '\0' || *extra != '\0')
		sbuf_printf(&h->b, " style=\"%s%s\"", dh_styles[s].css, extra);
}

/* <tag style...> */
void
dh_open(struct dh *h, const char *tag, enum dh_style s, const char *extra)
{
	sbuf_printf(&h->b, "<%s", tag);
	dh_style(h, s, extra);
	dh_puts(h, ">");
}

/* <tag style...>escaped text</tag> */
void
dh_elem(struct dh *h, const char *tag, enum dh_style s, const char *extra,
    const char *text)
{
	dh_open(h, tag, s, extra);
	dh_text(h, text);
	sbuf_printf(&h->b, "</%s>", tag);
}

/* A badge: white words on a colour. */
static void
dh_badge_attrs(struct dh *h, const char *colour)
{
	char	extra[40];

	snprintf(extra, sizeof extra, "background-color:%s;", colour);
	dh_style(h, S_BADGE, extra);
	dh_puts(h, ">");
}

static void
dh_badge_open(struct dh *h, const char *colour)
{
	dh_puts(h, "<span");
	dh_badge_attrs(h, colour);
}

/* A data table, scrolling inside its box on a phone. */
void
dh_table_open(struct dh *h)
{
	dh_open(h, "div", S_SCROLL, NULL);
	dh_puts(h, "<table");
	if (h->kind == DIGEST_HTML_EMAIL)
		dh_puts(h, " width=\"100%\" cellpadding=\"0\" cellspacing=\"0\""
		    " border=\"0\"");
	dh_style(h, S_TABLE, h->kind == DIGEST_HTML_EMAIL ? "width:100%;" :
	    NULL);
	dh_puts(h, ">\n");
}

void
dh_table_close(struct dh *h)
{
	dh_puts(h, "</table></div>\n");
}

static void
dh_th(struct dh *h, int num, const char *text)
{
	dh_puts(h, "<th scope=\"col\"");
	dh_style(h, num ? S_THN : S_TH, NULL);
	dh_puts(h, ">");
	dh_text(h, text);
	dh_puts(h, "</th>");
}

/* A cell; colour NULL for the text's own. */
static void
dh_td(struct dh *h, enum dh_style s, const char *colour, const char *text)
{
	char	extra[64] = "";

	if (colour != NULL)
		snprintf(extra, sizeof extra, "color:%s;", colour);
	dh_elem(h, "td", s, extra, text);
}

static void
dh_section_open(struct dh *h, const char *id, const char *title)
{
	sbuf_printf(&h->b, "<div id=\"%s\"", id);
	dh_style(h, S_SECTION, NULL);
	dh_puts(h, ">\n");
	dh_elem(h, "h2", S_H2, NULL, title);
	dh_puts(h, "\n");
}

static void
dh_section_close(struct dh *h)
{
	dh_puts(h, "</div>\n");
}

/* ---- Numbers ---- */

char *
dh_money(const struct dh *h, int64_t micros, char *buf, size_t len)
{
	return (money_format_currency(micros, h->d->currency, h->lang, buf,
	    len));
}

/* A measure value as a plain value of a ref (money, count, percent). */
void
dh_value(struct measure_value *v, int64_t x)
{
	memset(v, 0, sizeof *v);
	v->defined = 1;
	v->floor = x;
}

static int
dh_nonzero(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= '1' && *s <= '9')
			return (1);
	return (0);
}

/* The relative change of two amounts: "+39.67%", "-12.00%", or a dash when
 * there was nothing before. */
static char *
dh_change(const struct dh *h, int64_t cur, int64_t prev, int has_prev,
    char *buf, size_t len)
{
	struct measure_value	a, b, c;
	char			tmp[48];

	if (!has_prev || prev == 0) {
		snprintf(buf, len, "\xe2\x80\x94");
		return (buf);
	}
	dh_value(&a, cur);
	dh_value(&b, prev);
	measure_change(&a, &b, &c);
	measure_format_change(&c, h->lang, tmp, sizeof tmp);
	snprintf(buf, len, "%s%s", c.defined && c.floor > 0 &&
	    dh_nonzero(tmp) ? "+" : "", tmp);
	return (buf);
}

/* A difference of two ratios in percentage points: "+96.00 pts". */
static char *
dh_points(const struct dh *h, int64_t ppm, char *buf, size_t len)
{
	char		 num[48];
	uint64_t	 mag = ppm < 0 ? (uint64_t)0 - (uint64_t)ppm :
			    (uint64_t)ppm;
	uint64_t	 c = (mag + 50) / 100;

	snprintf(num, sizeof num, "%s%llu%s%02llu", c == 0 ? "" : ppm < 0 ?
	    "-" : "+", (unsigned long long)(c / 100),
	    /* TRANSLATORS: the decimal separator. */
	    trc(h->lang, "number", "."), (unsigned long long)(c % 100));
	/* TRANSLATORS: a difference of two percentages, in points. */
	snprintf(buf, len, tr(h->lang, "%s pts"), num);
	return (buf);
}

/* The ROI change of a scope: points when both periods have one. */
static char *
dh_roi_change(const struct dh *h, const struct digest_figures *cur,
    const struct digest_figures *prev, char *buf, size_t len)
{
	if (!cur->roi.defined || !prev->has || !prev->roi.defined) {
		snprintf(buf, len, "\xe2\x80\x94");
		return (buf);
	}
	return (dh_points(h, cur->roi.floor - prev->roi.floor, buf, len));
}

/* A value's colour against the agreed minimum and target. */
static const char *
dh_roi_colour(const struct dh *h, const struct measure_value *roi)
{
	if (!roi->defined)
		return (C_MUTED);
	if (h->d->has_min && measure_cmp(roi, h->d->min_roi_ppm) < 0)
		return (C_BAD);
	if (h->d->has_target && measure_cmp(roi, h->d->target_roi_ppm) >= 0)
		return (C_GOOD);
	if (h->d->has_target)
		return (C_WARN);
	return (h->d->has_min ? C_GOOD : NULL);
}

/* Up is good (revenue, profit, ROI), spend is neither. */
static const char *
dh_change_colour(const char *text, int neutral)
{
	if (neutral || !dh_nonzero(text))
		return (C_MUTED);
	return (text[0] == '-' ? C_BAD : text[0] == '+' ? C_GOOD : C_MUTED);
}

static char *
dh_roi_text(const struct dh *h, const struct digest_figures *f, char *buf,
    size_t len)
{
	char	a[64], b[64];

	if (!f->has) {
		snprintf(buf, len, "\xe2\x80\x94");
		return (buf);
	}
	measure_format(&h->roi, &f->roi, h->d->currency, h->lang, a, sizeof a);
	if (!f->roi.defined || !f->roas.defined) {
		snprintf(buf, len, "%s", a);
		return (buf);
	}
	measure_format(&h->roas, &f->roas, h->d->currency, h->lang, b,
	    sizeof b);
	/* TRANSLATORS: an ROI as a percentage, then as "R:1". */
	snprintf(buf, len, trc(h->lang, "roi", "%s (%s)"), a, b);
	return (buf);
}

/* A table's ROI cell: the percentage, "R:1" under it. */
static void
dh_roi_cell(struct dh *h, const struct digest_figures *f)
{
	char	a[64], extra[32];

	snprintf(extra, sizeof extra, "color:%s;", dh_roi_colour(h,
	    &f->roi) != NULL ? dh_roi_colour(h, &f->roi) : C_TEXT);
	dh_open(h, "td", S_TDN, extra);
	if (!f->has) {
		dh_puts(h, "\xe2\x80\x94</td>");
		return;
	}
	dh_text(h, measure_format(&h->roi, &f->roi, h->d->currency, h->lang,
	    a, sizeof a));
	if (f->roi.defined && f->roas.defined) {
		dh_puts(h, "<br>");
		dh_elem(h, "span", S_SMALL, NULL, measure_format(&h->roas,
		    &f->roas, h->d->currency, h->lang, a, sizeof a));
	}
	dh_puts(h, "</td>");
}

char *
dh_date(const struct dh *h, int32_t day, char *buf, size_t len)
{
	return (window_format_date(day, h->lang, buf, len));
}

static char *
dh_range(const struct dh *h, int32_t from, int32_t to, char *buf, size_t len)
{
	struct window_range	r = { from, to };

	return (window_format_range(&r, h->lang, buf, len));
}

/* ---- Head, narrative ---- */

/* The periods before and after (the page's links): a calendar month
 * steps by months, any other period by its own length. */
static void
dh_neighbours(const struct digest *d, int32_t *pf, int32_t *pt, int32_t *nf,
    int32_t *nt)
{
	int		 y, ty;
	unsigned	 m, md, tm, tmd;
	int32_t		 n = d->to_day - d->from_day + 1;

	metric_civil_from_days(d->from_day, &y, &m, &md);
	metric_civil_from_days(d->to_day + 1, &ty, &tm, &tmd);
	if (md == 1 && tmd == 1 && (ty * 12 + (int)tm) - (y * 12 + (int)m) ==
	    1) {
		*pt = d->from_day - 1;
		metric_civil_from_days(*pt, &y, &m, &md);
		*pf = metric_days_from_civil(y, m, 1);
		*nf = d->to_day + 1;
		*nt = metric_days_from_civil(tm == 12 ? ty + 1 : ty,
		    tm == 12 ? 1 : tm + 1, 1) - 1;
		return;
	}
	*pf = d->from_day - n;
	*pt = d->from_day - 1;
	*nf = d->to_day + 1;
	*nt = d->to_day + n;
}

static void
dh_period_link(struct dh *h, int32_t from, int32_t to, const char *label)
{
	char	name[64], range[WINDOW_RANGE_TEXT_MAX];

	digest_period_name(from, to, name, sizeof name);
	dh_puts(h, "<a href=\"?period=");
	dh_text(h, name);
	dh_puts(h, "\"");
	dh_style(h, S_LINK, NULL);
	dh_puts(h, ">");
	dh_text(h, label);
	dh_puts(h, " (");
	dh_text(h, dh_range(h, from, to, range, sizeof range));
	dh_puts(h, ")</a>");
}

static void
dh_head(struct dh *h)
{
	const struct digest	*d = h->d;
	char			 a[WINDOW_RANGE_TEXT_MAX], b[WINDOW_RANGE_TEXT_MAX];
	char			*s;
	int32_t			 pf, pt, nf, nt;

	dh_open(h, "div", S_HEAD, NULL);
	dh_puts(h, "\n");
	/* TRANSLATORS: the digest's title; %s is the client's name. */
	xasprintf(&s, tr(h->lang, "%s: the period in review"), d->client_name);
	dh_elem(h, "h1", S_H1, NULL, s);
	free(s);
	dh_puts(h, "\n");
	dh_range(h, d->from_day, d->to_day, a, sizeof a);
	dh_range(h, d->prev_from, d->prev_to, b, sizeof b);
	/* TRANSLATORS: the period, then the one it is compared with. */
	xasprintf(&s, tr(h->lang, "%s, compared with %s"), a, b);
	dh_elem(h, "p", S_SUB, NULL, s);
	free(s);
	dh_puts(h, "\n");
	if (h->kind == DIGEST_HTML_PAGE) {
		dh_neighbours(d, &pf, &pt, &nf, &nt);
		dh_open(h, "p", S_NAV, NULL);
		dh_period_link(h, pf, pt, tr(h->lang, "Previous period"));
		/* A period that has not started has nothing to show. */
		if (nf <= h->today) {
			dh_puts(h, " ");
			dh_period_link(h, nf, nt, tr(h->lang, "Next period"));
		}
		dh_puts(h, "</p>\n");
	}
	dh_puts(h, "</div>\n");
	if (d->late) {
		dh_elem(h, "p", S_LATE, NULL, tr(h->lang, "This digest is late: "
		    "it was due while roiwatch was not running, and reports "
		    "the period it was due for."));
		dh_puts(h, "\n");
	}
}

static int
dh_known_ref(const char *ref)
{
	static const char *const refs[] = { "total", "channels", "campaigns",
	    "budgets", "alerts", "notes", "issues" };
	size_t	i;

	for (i = 0; ref != NULL && i < sizeof refs / sizeof refs[0]; i++)
		if (strcmp(ref, refs[i]) == 0)
			return (1);
	return (0);
}

static void
dh_story(struct dh *h)
{
	size_t	i;

	if (h->nstory == 0)
		return;
	dh_open(h, "div", S_STORY, NULL);
	dh_puts(h, "\n");
	for (i = 0; i < h->nstory; i++) {
		dh_open(h, "p", S_STORYP, NULL);
		/* Each sentence leads to the figures it comes from. */
		if (dh_known_ref(h->story[i].ref)) {
			sbuf_printf(&h->b, "<a href=\"#%s\"", h->story[i].ref);
			dh_style(h, S_LINK, NULL);
			dh_puts(h, ">");
			dh_text(h, h->story[i].text);
			dh_puts(h, "</a>");
		} else
			dh_text(h, h->story[i].text);
		dh_puts(h, "</p>\n");
	}
	dh_puts(h, "</div>\n");
}

/* ---- Key figures ---- */

static void
dh_figure_row(struct dh *h, const char *label, const char *cur,
    const char *prev, const char *change, const char *cur_colour,
    int neutral)
{
	dh_puts(h, "<tr>");
	dh_td(h, S_TDNAME, NULL, label);
	dh_td(h, S_TDN, cur_colour, cur);
	dh_td(h, S_TDN, C_MUTED, prev);
	dh_td(h, S_TDN, dh_change_colour(change, neutral), change);
	dh_puts(h, "</tr>\n");
}

static void
dh_amount_row(struct dh *h, const char *label, int64_t cur, int64_t prev,
    int neutral, int signed_colour)
{
	const struct digest	*d = h->d;
	char			 a[64], b[64], c[64];
	const char		*colour = NULL;

	dh_money(h, cur, a, sizeof a);
	if (d->prev_total.has)
		dh_money(h, prev, b, sizeof b);
	else
		snprintf(b, sizeof b, "\xe2\x80\x94");
	dh_change(h, cur, prev, d->prev_total.has, c, sizeof c);
	if (signed_colour)
		colour = cur < 0 ? C_BAD : C_GOOD;
	dh_figure_row(h, label, a, b, c, colour, neutral);
}

static void
dh_thresholds(struct dh *h)
{
	const struct digest	*d = h->d;
	char			 a[96], b[96], *s = NULL;
	const char		*status = NULL, *colour = C_MUTED, *sep;

	if (!d->has_min && !d->has_target)
		return;
	sep = trc(h->lang, "label separator", ":");
	if (d->has_min)
		measure_format_threshold(&h->roi, d->min_roi_ppm,
		    d->currency, h->lang, a, sizeof a);
	if (d->has_target)
		measure_format_threshold(&h->roi, d->target_roi_ppm,
		    d->currency, h->lang, b, sizeof b);
	if (d->has_min && d->has_target)
		xasprintf(&s, "%s%s %s \xc2\xb7 %s%s %s",
		    tr(h->lang, "Agreed minimum"), sep, a,
		    tr(h->lang, "Target"), sep, b);
	else if (d->has_min)
		xasprintf(&s, "%s%s %s", tr(h->lang, "Agreed minimum"), sep, a);
	else
		xasprintf(&s, "%s%s %s", tr(h->lang, "Target"), sep, b);
	if (d->total.roi.defined) {
		colour = dh_roi_colour(h, &d->total.roi);
		if (d->has_min && measure_cmp(&d->total.roi,
		    d->min_roi_ppm) < 0)
			status = tr(h->lang, "ROI under the agreed minimum");
		else if (d->has_target && measure_cmp(&d->total.roi,
		    d->target_roi_ppm) >= 0)
			status = tr(h->lang, "ROI target reached");
		else if (d->has_target)
			status = tr(h->lang, "ROI above the agreed minimum, "
			    "under the target");
		else
			status = tr(h->lang, "ROI above the agreed minimum");
	}
	dh_open(h, "p", S_P, NULL);
	dh_text(h, s);
	if (status != NULL) {
		dh_puts(h, " ");
		dh_badge_open(h, colour);
		dh_text(h, status);
		dh_puts(h, "</span>");
	}
	dh_puts(h, "</p>\n");
	free(s);
}


static void
dh_total(struct dh *h)
{
	const struct digest	*d = h->d;
	char			 a[96], b[96], c[64], *s;

	dh_section_open(h, "total", tr(h->lang, "Key figures"));
	dh_table_open(h);
	dh_puts(h, "<tr>");
	dh_th(h, 0, "");
	dh_th(h, 1, tr(h->lang, "This period"));
	dh_th(h, 1, tr(h->lang, "Previous period"));
	dh_th(h, 1, tr(h->lang, "Change"));
	dh_puts(h, "</tr>\n");
	dh_amount_row(h, tr(h->lang, "Spend"), d->total.spend,
	    d->prev_total.spend, 1, 0);
	dh_amount_row(h, tr(h->lang, "Revenue"), d->total.revenue,
	    d->prev_total.revenue, 0, 0);
	dh_amount_row(h, tr(h->lang, "Profit"), d->total.profit,
	    d->prev_total.profit, 0, 1);
	dh_roi_text(h, &d->total, a, sizeof a);
	dh_roi_text(h, &d->prev_total, b, sizeof b);
	dh_roi_change(h, &d->total, &d->prev_total, c, sizeof c);
	dh_figure_row(h, trc(h->lang, "KPI", "ROI"), a, b, c,
	    dh_roi_colour(h, &d->total.roi), 0);
	dh_table_close(h);
	dh_thresholds(h);
	if (d->total.days > d->total.days_complete) {
		xasprintf(&s, trn(h->lang, "%lld of %lld campaign-day",
		    "%lld of %lld campaign-days", (unsigned long)d->total.days),
		    (long long)d->total.days_complete,
		    (long long)d->total.days);
		snprintf(a, sizeof a, "%s%s ", tr(h->lang, "Judged over"),
		    trc(h->lang, "label separator", ":"));
		dh_open(h, "p", S_NOTE, NULL);
		dh_text(h, a);
		dh_text(h, s);
		dh_puts(h, "</p>\n");
		free(s);
	}
	dh_chart_days(h);
	dh_sparkline(h);
	dh_shares(h);
	dh_section_close(h);
}

/* ---- Channels and campaigns ---- */

static void
dh_channels(struct dh *h)
{
	const struct digest	*d = h->d;
	const struct digest_row	*r;
	char			 a[96], b[64];
	size_t			 i;
	int			 clv = 0;

	dh_section_open(h, "channels", tr(h->lang, "Channels"));
	if (d->nchannels == 0) {
		dh_elem(h, "p", S_NOTE, NULL, tr(h->lang,
		    "No channel had figures in the period."));
		dh_puts(h, "\n");
		dh_section_close(h);
		return;
	}
	for (i = 0; i < d->nchannels; i++)
		if (d->channels[i].clv.defined ||
		    d->channels[i].clv_cac.defined)
			clv = 1;
	dh_table_open(h);
	dh_puts(h, "<tr>");
	dh_th(h, 0, tr(h->lang, "Channel"));
	dh_th(h, 1, tr(h->lang, "Spend"));
	dh_th(h, 1, tr(h->lang, "Revenue"));
	dh_th(h, 1, tr(h->lang, "Share"));
	dh_th(h, 1, trc(h->lang, "KPI", "ROI"));
	dh_th(h, 1, tr(h->lang, "Change"));
	if (clv) {
		dh_th(h, 1, trc(h->lang, "KPI", "CLV"));
		dh_th(h, 1, trc(h->lang, "KPI", "CLV:CAC"));
	}
	dh_puts(h, "</tr>\n");
	for (i = 0; i < d->nchannels; i++) {
		r = &d->channels[i];
		dh_puts(h, "<tr>");
		dh_td(h, S_TDNAME, NULL, r->name);
		dh_td(h, S_TDN, NULL, dh_money(h, r->cur.spend, a, sizeof a));
		dh_td(h, S_TDN, NULL, dh_money(h, r->cur.revenue, a,
		    sizeof a));
		dh_share_text(h, dh_share(d, r->cur.revenue), a, sizeof a);
		dh_td(h, S_TDN, NULL, a);
		dh_roi_cell(h, &r->cur);
		dh_roi_change(h, &r->cur, &r->prev, b, sizeof b);
		dh_td(h, S_TDN, dh_change_colour(b, 0), b);
		if (clv) {
			dh_td(h, S_TDN, NULL, r->clv.defined ?
			    measure_format(&h->clv, &r->clv, d->currency,
			    h->lang, a, sizeof a) : "\xe2\x80\x94");
			dh_td(h, S_TDN, NULL, r->clv_cac.defined ?
			    measure_format(&h->clv_cac, &r->clv_cac,
			    d->currency, h->lang, a, sizeof a) :
			    "\xe2\x80\x94");
		}
		dh_puts(h, "</tr>\n");
	}
	dh_table_close(h);
	dh_section_close(h);
}

static const char *
dh_state_colour(enum alert_state s)
{
	switch (s) {
	case ALERT_FIRING:
		return (C_BAD);
	case ALERT_PENDING:
		return (C_WARN);
	case ALERT_RESOLVED:
		return (C_INFO);
	default:
		return (C_GOOD);
	}
}

static const char *
dh_state_word(const char *lang, enum alert_state s)
{
	static const char *const words[ALERT_STATE_MAX] = {
		[ALERT_OK] = NC_("alert state", "OK"),
		[ALERT_PENDING] = NC_("alert state", "pending"),
		[ALERT_FIRING] = NC_("alert state", "firing"),
		[ALERT_RESOLVED] = NC_("alert state", "resolved"),
	};

	if ((unsigned)s >= ALERT_STATE_MAX)
		s = ALERT_OK;
	return (trc(lang, "alert state", words[s]));
}

/* The campaign's alert state as a coloured badge ("firing: roi_low"). */
static void
dh_badge(struct dh *h, const struct digest_row *r)
{
	enum alert_state	s = (unsigned)r->state < ALERT_STATE_MAX ?
				    r->state : ALERT_OK;

	sbuf_printf(&h->b, "<span data-state=\"%s\"", rules_state_name(s));
	dh_badge_attrs(h, dh_state_colour(s));
	dh_text(h, dh_state_word(h->lang, s));
	if (r->alerts != NULL && *r->alerts != '\0') {
		dh_text(h, trc(h->lang, "label separator", ":"));
		dh_puts(h, " ");
		dh_text(h, r->alerts);
	}
	dh_puts(h, "</span>");
}

static void
dh_campaign_row(struct dh *h, const struct digest_row *r)
{
	char	a[96], b[64];

	dh_puts(h, "<tr>");
	dh_puts(h, "<td");
	dh_style(h, S_TDNAME, NULL);
	dh_puts(h, ">");
	dh_text(h, r->name);
	if (r->channel != NULL && *r->channel != '\0') {
		dh_puts(h, "<br>");
		dh_elem(h, "span", S_SMALL, NULL, r->channel);
	}
	dh_puts(h, "</td>");
	dh_td(h, S_TDN, NULL, dh_money(h, r->cur.spend, a, sizeof a));
	dh_td(h, S_TDN, NULL, dh_money(h, r->cur.revenue, a, sizeof a));
	dh_roi_cell(h, &r->cur);
	dh_roi_change(h, &r->cur, &r->prev, b, sizeof b);
	dh_td(h, S_TDN, dh_change_colour(b, 0), b);
	dh_puts(h, "<td");
	dh_style(h, S_TD, NULL);
	dh_puts(h, ">");
	dh_badge(h, r);
	dh_puts(h, "</td></tr>\n");
}

/*
 * Best first. The e-mail shows the 5 best and the 5 worst when there are
 * more than 10; the page shows every campaign (the client's dashboard).
 */
static void
dh_campaigns(struct dh *h)
{
	const struct digest	*d = h->d;
	size_t			 i, n = d->ncampaigns;
	char			*s;
	int			 cut;

	dh_section_open(h, "campaigns", tr(h->lang, "Campaigns"));
	if (n == 0) {
		dh_elem(h, "p", S_NOTE, NULL, tr(h->lang,
		    "No campaign had figures in the period."));
		dh_puts(h, "\n");
		dh_section_close(h);
		return;
	}
	cut = h->kind == DIGEST_HTML_EMAIL && n > 2 * DH_TOP;
	dh_elem(h, "p", S_NOTE, NULL, cut ? tr(h->lang, "The best and the "
	    "worst by ROI over the period, with each one's alert state now.") :
	    tr(h->lang, "By ROI over the period, best first, with each one's "
	    "alert state now."));
	dh_puts(h, "\n");
	dh_table_open(h);
	dh_puts(h, "<tr>");
	dh_th(h, 0, tr(h->lang, "Campaign"));
	dh_th(h, 1, tr(h->lang, "Spend"));
	dh_th(h, 1, tr(h->lang, "Revenue"));
	dh_th(h, 1, trc(h->lang, "KPI", "ROI"));
	dh_th(h, 1, tr(h->lang, "Change"));
	dh_th(h, 0, tr(h->lang, "Alerts"));
	dh_puts(h, "</tr>\n");
	for (i = 0; i < n; i++) {
		if (cut && i == DH_TOP) {
			xasprintf(&s, trn(h->lang, "%zu more campaign",
			    "%zu more campaigns", n - 2 * DH_TOP),
			    n - 2 * DH_TOP);
			dh_puts(h, "<tr><td colspan=\"6\"");
			dh_style(h, S_TD, "text-align:center;color:" C_MUTED
			    ";font-style:italic;");
			dh_puts(h, ">");
			dh_text(h, s);
			dh_puts(h, "</td></tr>\n");
			free(s);
			i = n - DH_TOP;
		}
		dh_campaign_row(h, &d->campaigns[i]);
	}
	dh_table_close(h);
	dh_section_close(h);
}

/* ---- Budgets, custom KPIs ---- */

static void
dh_budget(struct dh *h, const struct digest_budget *bu)
{
	struct measure_value	 v;
	char			 a[64], b[64], c[64], *s;
	const char		*colour;
	int			 pct;

	dh_open(h, "div", S_SECTION, "margin:0 0 12px 0;");
	dh_open(h, "p", S_P, "margin:0 0 2px 0;font-weight:bold;");
	dh_text(h, bu->rule);
	if (bu->subject != NULL && *bu->subject != '\0') {
		dh_puts(h, " (");
		dh_text(h, bu->subject);
		dh_puts(h, ")");
	}
	dh_puts(h, " ");
	dh_elem(h, "span", S_SMALL, "font-weight:normal;", dh_range(h, bu->from,
	    bu->to, a, sizeof a));
	dh_puts(h, "</p>\n");
	/* The bar: used of the budget, coloured by the pace. */
	colour = bu->pacing_ppm > 1100000 ? C_BAD : bu->pacing_ppm > 1000000 ?
	    C_WARN : C_GOOD;
	pct = bu->used_ppm <= 0 ? 0 : bu->used_ppm >= 1000000 ? 100 :
	    (int)((bu->used_ppm + 9999) / 10000);
	dh_puts(h, "<table role=\"presentation\" width=\"100%\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "bgcolor=\"#eceff3\"");
	dh_style(h, S_TRACK, "width:100%;");
	dh_puts(h, "><tr>");
	if (pct > 0)
		sbuf_printf(&h->b, "<td width=\"%d%%\" height=\"10\" "
		    "bgcolor=\"%s\" style=\"width:%d%%;height:10px;"
		    "background-color:%s;font-size:0;line-height:0;\">&nbsp;"
		    "</td>", pct, colour, pct, colour);
	if (pct < 100)
		sbuf_printf(&h->b, "<td width=\"%d%%\" height=\"10\" "
		    "style=\"width:%d%%;height:10px;font-size:0;"
		    "line-height:0;\">&nbsp;</td>", 100 - pct, 100 - pct);
	dh_puts(h, "</tr></table>\n");
	dh_open(h, "p", S_NOTE, NULL);
	xasprintf(&s, tr(h->lang, "%s spent of %s"), dh_money(h, bu->spent, a,
	    sizeof a), dh_money(h, bu->budget, b, sizeof b));
	dh_text(h, s);
	free(s);
	dh_value(&v, bu->used_ppm);
	dh_puts(h, " (");
	dh_text(h, measure_format(&h->pct, &v, h->d->currency, h->lang, a,
	    sizeof a));
	dh_puts(h, ")");
	dh_value(&v, bu->pacing_ppm);
	dh_puts(h, " \xc2\xb7 ");
	dh_text(h, measure_label(&h->pacing, h->lang));
	dh_text(h, trc(h->lang, "label separator", ":"));
	dh_puts(h, " ");
	sbuf_printf(&h->b, "<span style=\"color:%s;font-weight:bold;\">",
	    colour);
	dh_text(h, measure_format(&h->pacing, &v, h->d->currency, h->lang, a,
	    sizeof a));
	dh_puts(h, "</span><br>");
	if (!bu->running)
		dh_text(h, tr(h->lang, "The budget's period is not running."));
	else {
		dh_money(h, bu->projected, a, sizeof a);
		if (bu->runout_day != INT32_MAX) {
			xasprintf(&s, tr(h->lang, "%s at the period's end; runs "
			    "out on %s at the current rate"), a, dh_date(h,
			    bu->runout_day, c, sizeof c));
			sbuf_printf(&h->b, "<span style=\"color:%s;\">", C_BAD);
			dh_text(h, s);
			dh_puts(h, "</span>");
		} else {
			xasprintf(&s, tr(h->lang, "%s at the period's end"), a);
			dh_text(h, s);
		}
		free(s);
	}
	dh_puts(h, "</p>\n</div>\n");
}

static void
dh_budgets(struct dh *h)
{
	size_t	i;

	dh_section_open(h, "budgets", tr(h->lang, "Budgets"));
	if (h->d->nbudgets == 0) {
		dh_elem(h, "p", S_NOTE, NULL, tr(h->lang,
		    "No budget rule for this client."));
		dh_puts(h, "\n");
	}
	for (i = 0; i < h->d->nbudgets; i++)
		dh_budget(h, &h->d->budgets[i]);
	dh_section_close(h);
}

static void
dh_customs(struct dh *h)
{
	const struct digest		*d = h->d;
	const struct digest_custom	*c;
	struct measure_value		 v;
	char				 a[64], b[64];
	size_t				 i;

	if (d->ncustoms == 0)
		return;
	dh_section_open(h, "kpis", tr(h->lang, "Custom KPIs"));
	dh_table_open(h);
	dh_puts(h, "<tr>");
	dh_th(h, 0, tr(h->lang, "KPI"));
	dh_th(h, 1, tr(h->lang, "This period"));
	dh_th(h, 1, tr(h->lang, "Previous period"));
	dh_th(h, 1, tr(h->lang, "Change"));
	dh_puts(h, "</tr>\n");
	for (i = 0; i < d->ncustoms; i++) {
		c = &d->customs[i];
		dh_puts(h, "<tr>");
		dh_td(h, S_TDNAME, NULL, c->name);
		dh_value(&v, c->cur);
		dh_td(h, S_TDN, NULL, c->cur_days > 0 ? measure_format(&h->count,
		    &v, d->currency, h->lang, a, sizeof a) : "\xe2\x80\x94");
		dh_value(&v, c->prev);
		dh_td(h, S_TDN, C_MUTED, c->prev_days > 0 ?
		    measure_format(&h->count, &v, d->currency, h->lang, a,
		    sizeof a) : "\xe2\x80\x94");
		dh_change(h, c->cur, c->prev, c->cur_days > 0 &&
		    c->prev_days > 0, b, sizeof b);
		dh_td(h, S_TDN, dh_change_colour(b, 1), b);
		dh_puts(h, "</tr>\n");
	}
	dh_table_close(h);
	dh_section_close(h);
}

/* ---- Alerts, notes, issues ---- */

/*
 * In the e-mail, a list stops after DH_LIST_MAX lines with a line saying
 * how many more the page has: a table row of `cols` cells, or a list item
 * when cols is 0. 1 when the list stops at line i.
 */
static int
dh_list_cut(struct dh *h, size_t i, size_t n, int cols)
{
	char	*s;

	if (h->kind != DIGEST_HTML_EMAIL || i < DH_LIST_MAX || n <= i)
		return (0);
	xasprintf(&s, trn(h->lang, "%zu more, on the report page",
	    "%zu more, on the report page", n - i), n - i);
	if (cols > 0) {
		sbuf_printf(&h->b, "<tr><td colspan=\"%d\"", cols);
		dh_style(h, S_TD, "text-align:center;color:" C_MUTED
		    ";font-style:italic;");
		dh_puts(h, ">");
		dh_text(h, s);
		dh_puts(h, "</td></tr>\n");
	} else {
		dh_puts(h, "<li>");
		dh_text(h, s);
		dh_puts(h, "</li>\n");
	}
	free(s);
	return (1);
}

static void
dh_alerts(struct dh *h)
{
	const struct digest		*d = h->d;
	const struct digest_alert	*al;
	char				 day[24], hm[16], *s;
	int32_t				 ld, sec;
	size_t				 i;

	dh_section_open(h, "alerts", tr(h->lang, "Alerts"));
	if (d->nalerts == 0) {
		dh_elem(h, "p", S_NOTE, NULL, tr(h->lang,
		    "No alert fired or was resolved in the period."));
		dh_puts(h, "\n");
		dh_section_close(h);
		return;
	}
	dh_table_open(h);
	dh_puts(h, "<tr>");
	/* TRANSLATORS: a column of local times; %s is the time zone. */
	xasprintf(&s, tr(h->lang, "When (%s)"), tz_name(h->tz));
	dh_th(h, 0, s);
	free(s);
	dh_th(h, 0, tr(h->lang, "Event"));
	dh_th(h, 0, tr(h->lang, "Rule"));
	dh_th(h, 0, tr(h->lang, "Where"));
	dh_puts(h, "</tr>\n");
	for (i = 0; i < d->nalerts; i++) {
		if (dh_list_cut(h, i, d->nalerts, 4))
			break;
		al = &d->alerts[i];
		tz_local(h->tz, al->at, &ld, &sec);
		dh_date(h, ld, day, sizeof day);
		/* TRANSLATORS: hours and minutes. */
		snprintf(hm, sizeof hm, trc(h->lang, "time", "%02d:%02d"),
		    (int)(sec / 3600), (int)(sec / 60 % 60));
		xasprintf(&s, "%s %s", day, hm);
		dh_puts(h, "<tr>");
		dh_td(h, S_TDN, NULL, s);
		free(s);
		dh_puts(h, "<td");
		dh_style(h, S_TD, NULL);
		dh_puts(h, ">");
		dh_badge_open(h, !al->fired ? C_GOOD :
		    al->severity == RULE_SEV_CRITICAL ? C_BAD :
		    al->severity == RULE_SEV_WARNING ? C_WARN : C_INFO);
		dh_text(h, al->fired ? trc(h->lang, "alert event", "fired") :
		    trc(h->lang, "alert event", "resolved"));
		dh_puts(h, "</span></td>");
		dh_td(h, S_TDNAME, NULL, al->rule);
		if (al->scope == RULE_SCOPE_CAMPAIGN)
			xasprintf(&s, tr(h->lang, "Campaign \"%s\""),
			    al->subject);
		else if (al->scope == RULE_SCOPE_CHANNEL)
			xasprintf(&s, tr(h->lang, "Channel \"%s\""),
			    al->subject);
		else
			s = xstrdup(tr(h->lang, "All campaigns"));
		dh_td(h, S_TD, NULL, s);
		free(s);
		dh_puts(h, "</tr>\n");
	}
	dh_table_close(h);
	dh_section_close(h);
}

static void
dh_notes(struct dh *h)
{
	const struct digest		*d = h->d;
	const struct digest_note	*no;
	char				 day[24], *s;
	size_t				 i;

	dh_section_open(h, "notes", tr(h->lang, "Notes"));
	if (d->nnotes == 0) {
		dh_elem(h, "p", S_NOTE, NULL, tr(h->lang,
		    "No note was recorded for the period."));
		dh_puts(h, "\n");
		dh_section_close(h);
		return;
	}
	dh_table_open(h);
	for (i = 0; i < d->nnotes; i++) {
		no = &d->notes[i];
		dh_puts(h, "<tr>");
		xasprintf(&s, "%zu", i + 1);
		dh_td(h, S_TDN, C_WARN, s);
		free(s);
		dh_td(h, S_TDN, NULL, dh_date(h, no->day, day, sizeof day));
		dh_puts(h, "<td");
		dh_style(h, S_TD, NULL);
		dh_puts(h, ">");
		dh_text(h, no->text);
		s = NULL;
		if (no->campaign != NULL && *no->campaign != '\0')
			xasprintf(&s, tr(h->lang, "Campaign \"%s\""),
			    no->campaign);
		else if (no->channel != NULL && *no->channel != '\0')
			xasprintf(&s, tr(h->lang, "Channel \"%s\""),
			    no->channel);
		if (s != NULL) {
			dh_puts(h, "<br>");
			dh_elem(h, "span", S_SMALL, NULL, s);
			free(s);
		}
		dh_puts(h, "</td></tr>\n");
	}
	dh_table_close(h);
	dh_section_close(h);
}


static void
dh_issues(struct dh *h)
{
	const struct digest		*d = h->d;
	const struct digest_issue	*is;
	char				 text[512], *s;
	size_t				 i;

	dh_section_open(h, "issues", tr(h->lang, "Data issues"));
	if (d->nissues == 0) {
		dh_elem(h, "p", S_NOTE, NULL, tr(h->lang,
		    "No data issue in the period."));
		dh_puts(h, "\n");
		dh_section_close(h);
		return;
	}
	dh_puts(h, "<ul");
	dh_style(h, S_P, NULL);
	dh_puts(h, ">\n");
	for (i = 0; i < d->nissues; i++) {
		if (dh_list_cut(h, i, d->nissues, 0))
			break;
		is = &d->issues[i];
		if (is->kind == DIGEST_ISSUE_SOURCE)
			xasprintf(&s, tr(h->lang, "Source \"%s\""),
			    is->subject);
		else
			s = xstrdup(*is->subject != '\0' ? is->subject :
			    tr(h->lang, "All campaigns"));
		dw_issue_text(is, h->lang, text, sizeof text);
		dh_puts(h, "<li>");
		dh_text(h, s);
		dh_text(h, trc(h->lang, "label separator", ":"));
		dh_puts(h, " ");
		dh_text(h, text);
		dh_puts(h, "</li>\n");
		free(s);
	}
	dh_puts(h, "</ul>\n");
	dh_section_close(h);
}

static void
dh_foot(struct dh *h)
{
	char	day[24], hm[16], *s;
	int32_t	ld, sec;

	dh_open(h, "div", S_FOOT, NULL);
	dh_puts(h, "\n");
	dh_elem(h, "p", S_NOTE, NULL, tr(h->lang, "ROI is (revenue - cost) / "
	    "cost; a threshold written \"R:1\" (e.g. \"2.5:1\") means R of "
	    "revenue per 1 spent."));
	tz_local(h->tz, h->d->generated, &ld, &sec);
	dh_date(h, ld, day, sizeof day);
	snprintf(hm, sizeof hm, trc(h->lang, "time", "%02d:%02d"),
	    (int)(sec / 3600), (int)(sec / 60 % 60));
	/* TRANSLATORS: a date, a time of day and the client's time zone. */
	xasprintf(&s, trc(h->lang, "date and time", "%s %s (%s)"), day, hm,
	    tz_name(h->tz));
	dh_puts(h, "\n");
	dh_open(h, "p", S_NOTE, "margin:0;");
	dh_text(h, "roiwatch \xc2\xb7 ");
	dh_text(h, s);
	dh_puts(h, "</p>\n</div>\n");
	free(s);
}

/* ---- The document ---- */

static void
dh_sections(struct dh *h)
{
	dh_head(h);
	dh_story(h);
	dh_total(h);
	dh_channels(h);
	dh_campaigns(h);
	dh_budgets(h);
	dh_customs(h);
	dh_alerts(h);
	dh_notes(h);
	dh_issues(h);
	dh_foot(h);
}

static void
dh_title(struct dh *h)
{
	char	a[WINDOW_RANGE_TEXT_MAX];

	dh_puts(h, "<title>");
	dh_text(h, h->d->client_name);
	dh_puts(h, " \xe2\x80\x94 ");
	dh_text(h, dh_range(h, h->d->from_day, h->d->to_day, a, sizeof a));
	dh_puts(h, "</title>\n");
}

static void
dh_email(struct dh *h)
{
	dh_puts(h, "<!DOCTYPE html>\n<html lang=\"");
	dh_text(h, h->lang);
	dh_puts(h, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light\">\n"
	    "<meta name=\"supported-color-schemes\" content=\"light\">\n");
	dh_title(h);
	dh_puts(h, "</head>\n<body");
	dh_style(h, S_BODY, NULL);
	dh_puts(h, ">\n<table role=\"presentation\" width=\"100%\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "bgcolor=\"#eef1f5\" style=\"background-color:#eef1f5;\">\n"
	    "<tr><td align=\"center\" style=\"padding:24px 8px;\">\n");
	sbuf_printf(&h->b, "<table role=\"presentation\" width=\"%d\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	    "bgcolor=\"#ffffff\"", DH_WIDTH);
	/* 600 pixels, or the screen's width when narrower. */
	dh_style(h, S_WRAP, "width:600px;max-width:100%;");
	dh_puts(h, ">\n<tr><td style=\"padding:24px;\">\n");
	dh_sections(h);
	dh_puts(h, "</td></tr>\n</table>\n</td></tr>\n</table>\n"
	    "</body>\n</html>\n");
}

static void
dh_page(struct dh *h)
{
	size_t	i;

	dh_puts(h, "<!DOCTYPE html>\n<html lang=\"");
	dh_text(h, h->lang);
	dh_puts(h, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n");
	dh_title(h);
	dh_puts(h, "<style>\n");
	for (i = 0; i < S_MAX; i++)
		if (*dh_styles[i].css != '\0')
			sbuf_printf(&h->b, ".%s{%s}\n", dh_styles[i].cls,
			    dh_styles[i].css);
	dh_puts(h, dh_page_css);
	dh_puts(h, "</style>\n</head>\n<body");
	dh_style(h, S_BODY, NULL);
	dh_puts(h, ">\n<main");
	dh_style(h, S_WRAP, NULL);
	dh_puts(h, ">\n");
	dh_sections(h);
	dh_puts(h, "</main>\n</body>\n</html>\n");
}

char *
digest_html(const struct digest *d, enum digest_html_kind kind)
{
	struct dh	 h;
	char		*cause = NULL;
	int32_t		 sec;

	memset(&h, 0, sizeof h);
	h.d = d;
	h.kind = kind == DIGEST_HTML_PAGE ? DIGEST_HTML_PAGE :
	    DIGEST_HTML_EMAIL;
	h.lang = d->language != NULL && *d->language != '\0' ? d->language :
	    "en";
	/* A zone that cannot be read shows UTC rather than no time. */
	if ((h.tz = tz_load(d->timezone != NULL ? d->timezone : "UTC",
	    &cause)) == NULL) {
		free(cause);
		cause = NULL;
		h.tz = tz_load("UTC", &cause);
		free(cause);
	}
	tz_local(h.tz, d->generated, &h.today, &sec);
	if (measure_lookup("roi", &h.roi, &cause) != 0 ||
	    measure_lookup("roas", &h.roas, &cause) != 0 ||
	    measure_lookup("budget_used", &h.pct, &cause) != 0 ||
	    measure_lookup("conversions", &h.count, &cause) != 0 ||
	    measure_lookup("clv", &h.clv, &cause) != 0 ||
	    measure_lookup("clv_cac", &h.clv_cac, &cause) != 0 ||
	    measure_lookup("pacing", &h.pacing, &cause) != 0)
		fatalx("%s: %s", __func__, cause);
	h.nstory = digest_story(d, &h.story);
	if (kind == DIGEST_HTML_PAGE)
		dh_page(&h);
	else
		dh_email(&h);
	digest_story_free(h.story, h.nstory);
	tz_free(h.tz);
	return (sbuf_take(&h.b));
}
