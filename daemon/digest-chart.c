/*
 * The digest's charts in HTML (digest-html-internal.h), neither image nor
 * script: the daily spend and revenue as bars made of table cells, each
 * note marked under its day; the daily ROI as a sparkline in inline SVG,
 * followed by its lowest, highest and last day in a table (what a mail
 * client that drops SVG still shows); the channels' revenue shares as one
 * bar of table cells.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "digest.h"
#include "digest-html-internal.h"
#include "digest-words.h"
#include "measure.h"
#include "notice-internal.h"
#include "xmalloc.h"

static const char *const dh_palette[] = {
	"#1f5fa8", "#1e6b34", "#8a5300", "#6b3fa0", "#0f766e", "#b3261e",
};


/* The bucket (group of days) of day index i. */
static size_t
dh_bucket_size(size_t ndays)
{
	return (ndays <= DH_BUCKETS_MAX ? 1 : (ndays + DH_BUCKETS_MAX - 1) /
	    DH_BUCKETS_MAX);
}

/* Pixels of v against max (at least 1 for anything above 0). */
static int
dh_px(int64_t v, int64_t max, int full)
{
	notice_i128	px;

	if (v <= 0 || max <= 0)
		return (0);
	px = (notice_i128)v * full / max;
	return (px < 1 ? 1 : (int)px);
}

/* One bar: a table cell of its height and colour at the bottom of its
 * column (an empty column when 0). */
static void
dh_bar(struct dh *h, int px, const char *colour, const char *title)
{
	char	extra[32];

	dh_puts(h, "<td");
	dh_style(h, S_BARCELL, NULL);
	dh_puts(h, " valign=\"bottom\" title=\"");
	dh_text(h, title);
	dh_puts(h, "\">");
	if (px > 0) {
		snprintf(extra, sizeof extra, "%d", px);
		sbuf_printf(&h->b, "<table role=\"presentation\" width=\"100%%\" "
		    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>"
		    "<td height=\"%d\" bgcolor=\"%s\" style=\"height:%dpx;"
		    "background-color:%s;font-size:0;line-height:0;\">&nbsp;"
		    "</td></tr></table>", px, colour, px, colour);
	}
	dh_puts(h, "</td>");
}

/* The notes made on the days of bucket [first, first + k). */
static size_t
dh_notes_in(const struct digest *d, int32_t first, size_t k, size_t *idx)
{
	size_t	i, n = 0;

	for (i = 0; i < d->nnotes; i++)
		if (d->notes[i].day >= first &&
		    d->notes[i].day < first + (int32_t)k) {
			if (n++ == 0)
				*idx = i;
		}
	return (n);
}

void
dh_chart_days(struct dh *h)
{
	const struct digest	*d = h->d;
	size_t			 k = dh_bucket_size(d->ndays), nb, i, j, idx = 0;
	size_t			 nnotes;
	int64_t			*spend, *rev, max = 0;
	char			 a[64], b[64], day[24], *t;
	int			 any = 0;

	dh_elem(h, "h3", S_H3, NULL, k == 1 ? tr(h->lang,
	    "Spend and revenue by day") : tr(h->lang,
	    "Spend and revenue by groups of days"));
	dh_puts(h, "\n");
	if (d->ndays == 0) {
		dh_elem(h, "p", S_NOTE, NULL, tr(h->lang, "No day to show."));
		dh_puts(h, "\n");
		return;
	}
	nb = (d->ndays + k - 1) / k;
	spend = xcalloc(nb, sizeof *spend);
	rev = xcalloc(nb, sizeof *rev);
	for (i = 0; i < d->ndays; i++) {
		if (!d->days[i].has)
			continue;
		spend[i / k] += d->days[i].spend > 0 ? d->days[i].spend : 0;
		rev[i / k] += d->days[i].revenue > 0 ? d->days[i].revenue : 0;
		any = 1;
	}
	for (i = 0; i < nb; i++) {
		if (spend[i] > max)
			max = spend[i];
		if (rev[i] > max)
			max = rev[i];
	}
	dh_puts(h, "<table role=\"presentation\" width=\"100%\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\"");
	dh_style(h, S_CHART, "width:100%;");
	sbuf_printf(&h->b, ">\n<tr style=\"height:%dpx;\">", DH_CHART_H);
	for (i = 0; i < nb; i++) {
		/* The bucket's title: its first day and its figures. */
		dh_date(h, d->days[i * k].day, day, sizeof day);
		xasprintf(&t, "%s: %s %s, %s %s", day, tr(h->lang, "Spend"),
		    dh_money(h, spend[i], a, sizeof a), tr(h->lang, "Revenue"),
		    dh_money(h, rev[i], b, sizeof b));
		dh_bar(h, dh_px(spend[i], max, DH_CHART_H), C_SPEND, t);
		dh_bar(h, dh_px(rev[i], max, DH_CHART_H), C_REVENUE, t);
		free(t);
	}
	dh_puts(h, "</tr>\n");
	/* Notes: a numbered mark under the day each was made, the note as
	 * its title; the numbers are the notes section's. */
	if (d->nnotes > 0) {
		dh_puts(h, "<tr>");
		for (i = 0; i < nb; i++) {
			nnotes = dh_notes_in(d, d->days[i * k].day, k, &idx);
			if (nnotes == 0) {
				dh_puts(h, "<td colspan=\"2\"></td>");
				continue;
			}
			dh_puts(h, "<td colspan=\"2\"");
			dh_style(h, S_MARK, NULL);
			dh_puts(h, " title=\"");
			for (j = idx; j < d->nnotes && j < idx + nnotes; j++) {
				dh_date(h, d->notes[j].day, day, sizeof day);
				sbuf_printf(&h->b, "%s%zu. ", j > idx ? " " : "",
				    j + 1);
				dh_text(h, day);
				dh_text(h, trc(h->lang, "label separator",
				    ":"));
				dh_puts(h, " ");
				dh_text(h, d->notes[j].text);
			}
			sbuf_printf(&h->b, "\">%zu</td>", idx + 1);
		}
		dh_puts(h, "</tr>\n");
	}
	/* The first and last days under the axis. */
	dh_puts(h, "<tr>");
	sbuf_printf(&h->b, "<td colspan=\"%zu\"", nb);
	dh_style(h, S_AXIS, "text-align:left;");
	dh_puts(h, ">");
	dh_text(h, dh_date(h, d->days[0].day, day, sizeof day));
	dh_puts(h, "</td>");
	sbuf_printf(&h->b, "<td colspan=\"%zu\"", nb);
	dh_style(h, S_AXIS, "text-align:right;");
	dh_puts(h, ">");
	dh_text(h, dh_date(h, d->days[d->ndays - 1].day, day, sizeof day));
	dh_puts(h, "</td></tr>\n</table>\n");
	/* Legend. */
	dh_open(h, "p", S_LEGEND, NULL);
	sbuf_printf(&h->b, "<span style=\"color:%s;\">&#9632;</span> ",
	    C_SPEND);
	dh_text(h, tr(h->lang, "Spend"));
	sbuf_printf(&h->b, " &nbsp; <span style=\"color:%s;\">&#9632;</span> ",
	    C_REVENUE);
	dh_text(h, tr(h->lang, "Revenue"));
	if (d->nnotes > 0) {
		sbuf_printf(&h->b, " &nbsp; <span style=\"color:%s;\">"
		    "&#9650;</span> ", C_WARN);
		dh_text(h, tr(h->lang, "Note (numbered as below)"));
	}
	if (!any) {
		dh_puts(h, " \xe2\x80\x94 ");
		dh_text(h, tr(h->lang, "no figures in the period"));
	}
	dh_puts(h, "</p>\n");
	/* The page lists the marked notes under the chart. */
	if (h->kind == DIGEST_HTML_PAGE && d->nnotes > 0) {
		dh_puts(h, "<ol");
		dh_style(h, S_LEGEND, NULL);
		dh_puts(h, ">\n");
		for (i = 0; i < d->nnotes; i++) {
			dh_puts(h, "<li>");
			dh_text(h, dh_date(h, d->notes[i].day, day,
			    sizeof day));
			dh_text(h, trc(h->lang, "label separator", ":"));
			dh_puts(h, " ");
			dh_text(h, d->notes[i].text);
			dh_puts(h, "</li>\n");
		}
		dh_puts(h, "</ol>\n");
	}
	free(spend);
	free(rev);
}

/* The ROI of one day, ppm, when it had spend. */
static int
dh_day_roi(const struct digest_day *dd, int64_t *ppm)
{
	notice_i128	v;

	if (!dd->has || dd->spend <= 0)
		return (0);
	v = ((notice_i128)dd->revenue - dd->spend) * 1000000 /
	    dd->spend;
	if (v > INT64_MAX / 4)
		v = INT64_MAX / 4;
	if (v < INT64_MIN / 4)
		v = INT64_MIN / 4;
	*ppm = (int64_t)v;
	return (1);
}

static int
dh_spark_y(int64_t v, int64_t lo, int64_t hi)
{
	notice_i128	y;

	if (hi <= lo)
		return (DH_SPARK_H / 2);
	y = (notice_i128)(v - lo) * (DH_SPARK_H - 8) / (hi - lo);
	return (DH_SPARK_H - 4 - (int)y);
}

static void
dh_spark_line(struct dh *h, int64_t ppm, int64_t lo, int64_t hi,
    const char *colour)
{
	int	y = dh_spark_y(ppm, lo, hi);

	sbuf_printf(&h->b, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"%s\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n",
	    y, DH_INNER, y, colour);
}

static void
dh_spark_cell(struct dh *h, const char *label, size_t i, int64_t ppm)
{
	struct measure_value	 v;
	char			 day[24], val[64];

	dh_value(&v, ppm);
	dh_puts(h, "<td");
	dh_style(h, S_TD, NULL);
	dh_puts(h, ">");
	dh_elem(h, "span", S_SMALL, NULL, label);
	dh_puts(h, "<br>");
	dh_text(h, measure_format(&h->pct, &v, h->d->currency, h->lang, val,
	    sizeof val));
	dh_puts(h, " ");
	dh_elem(h, "span", S_SMALL, NULL, dh_date(h, h->d->days[i].day, day,
	    sizeof day));
	dh_puts(h, "</td>");
}

/*
 * The daily ROI: a line in inline SVG (the agreed minimum and the target
 * dashed), then the lowest, highest and last day in a table, which is all
 * that a mail client that drops SVG shows.
 */
void
dh_sparkline(struct dh *h)
{
	const struct digest	*d = h->d;
	int64_t			 v, lo = INT64_MAX, hi = INT64_MIN;
	size_t			 i, n = 0, ilo = 0, ihi = 0, ilast = 0;
	int			 open = 0, x;

	for (i = 0; i < d->ndays; i++) {
		if (!dh_day_roi(&d->days[i], &v))
			continue;
		if (n++ == 0 || v < lo) {
			ilo = i;
			lo = v;
		}
		if (n == 1 || v > hi) {
			ihi = i;
			hi = v;
		}
		ilast = i;
	}
	if (n < 2)
		return;
	dh_elem(h, "h3", S_H3, NULL, tr(h->lang, "ROI by day"));
	dh_puts(h, "\n");
	if (d->has_min && d->min_roi_ppm < lo)
		lo = d->min_roi_ppm;
	if (d->has_target && d->target_roi_ppm > hi)
		hi = d->target_roi_ppm;
	if (d->has_min && d->min_roi_ppm > hi)
		hi = d->min_roi_ppm;
	if (d->has_target && d->target_roi_ppm < lo)
		lo = d->target_roi_ppm;
	sbuf_printf(&h->b, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
	    "%d\" role=\"img\" aria-label=\"", DH_INNER, DH_SPARK_H, DH_INNER,
	    DH_SPARK_H);
	dh_text(h, tr(h->lang, "ROI by day"));
	dh_puts(h, "\"");
	dh_style(h, S_SPARK, NULL);
	dh_puts(h, "><title>");
	dh_text(h, tr(h->lang, "ROI by day"));
	dh_puts(h, "</title>\n");
	if (d->has_min)
		dh_spark_line(h, d->min_roi_ppm, lo, hi, C_BAD);
	if (d->has_target)
		dh_spark_line(h, d->target_roi_ppm, lo, hi, C_GOOD);
	/* A day without spend has no ROI: the line breaks there. */
	for (i = 0; i < d->ndays; i++) {
		x = d->ndays < 2 ? 0 : (int)((int64_t)i * (DH_INNER - 4) /
		    (int64_t)(d->ndays - 1)) + 2;
		if (!dh_day_roi(&d->days[i], &v)) {
			if (open)
				dh_puts(h, "\"/>\n");
			open = 0;
			continue;
		}
		if (!open)
			sbuf_printf(&h->b, "<polyline fill=\"none\" stroke=\"%s\" "
			    "stroke-width=\"2\" points=\"", C_INFO);
		sbuf_printf(&h->b, "%s%d,%d", open ? " " : "", x,
		    dh_spark_y(v, lo, hi));
		open = 1;
	}
	if (open)
		dh_puts(h, "\"/>\n");
	dh_puts(h, "</svg>\n");
	dh_table_open(h);
	dh_puts(h, "<tr>");
	dh_day_roi(&d->days[ilo], &v);
	dh_spark_cell(h, tr(h->lang, "Lowest day"), ilo, v);
	dh_day_roi(&d->days[ihi], &v);
	dh_spark_cell(h, tr(h->lang, "Highest day"), ihi, v);
	dh_day_roi(&d->days[ilast], &v);
	dh_spark_cell(h, tr(h->lang, "Last day"), ilast, v);
	dh_puts(h, "</tr>\n");
	dh_table_close(h);
}

/* A channel's share of the revenue, ppm. */
int64_t
dh_share(const struct digest *d, int64_t revenue)
{
	if (d->total.revenue <= 0 || revenue <= 0)
		return (0);
	return ((int64_t)((notice_i128)revenue * 1000000 /
	    d->total.revenue));
}

void
dh_share_text(const struct dh *h, int64_t ppm, char *buf, size_t len)
{
	struct measure_value	v;

	dh_value(&v, ppm);
	measure_format(&h->pct, &v, h->d->currency, h->lang, buf, len);
}

/* One bar of the channels' shares of the revenue, and its legend. */
void
dh_shares(struct dh *h)
{
	const struct digest	*d = h->d;
	int64_t			 share, rest = 1000000;
	int			 pct, used = 0, n = 0;
	size_t			 i;
	char			 val[64], *t;
	const char		*colour;

	if (d->nchannels == 0 || d->total.revenue <= 0)
		return;
	dh_elem(h, "h3", S_H3, NULL, tr(h->lang, "Share of revenue by channel"));
	dh_puts(h, "\n<table role=\"presentation\" width=\"100%\" "
	    "cellpadding=\"0\" cellspacing=\"0\" border=\"0\"");
	dh_style(h, S_SHARE, "width:100%;");
	dh_puts(h, "><tr>");
	for (i = 0; i < d->nchannels && n < DH_SHARES_MAX; i++) {
		share = dh_share(d, d->channels[i].cur.revenue);
		/* Whole percents; the last cell takes what rounding left. */
		pct = (int)((share + 5000) / 10000);
		if (pct == 0 || used + pct > 100)
			continue;
		rest -= share;
		used += pct;
		colour = dh_palette[n++ % (sizeof dh_palette /
		    sizeof dh_palette[0])];
		dh_share_text(h, share, val, sizeof val);
		xasprintf(&t, "%s: %s", d->channels[i].name, val);
		sbuf_printf(&h->b, "<td width=\"%d%%\" height=\"18\" "
		    "bgcolor=\"%s\" style=\"width:%d%%;height:18px;"
		    "background-color:%s;font-size:0;line-height:0;\" title=\"",
		    pct, colour, pct, colour);
		dh_text(h, t);
		dh_puts(h, "\">&nbsp;</td>");
		free(t);
	}
	if (used < 100)
		sbuf_printf(&h->b, "<td width=\"%d%%\" height=\"18\" "
		    "bgcolor=\"%s\" style=\"width:%d%%;height:18px;"
		    "background-color:%s;font-size:0;line-height:0;\">&nbsp;"
		    "</td>", 100 - used, C_OTHER, 100 - used, C_OTHER);
	dh_puts(h, "</tr></table>\n");
	dh_open(h, "p", S_LEGEND, NULL);
	n = 0;
	used = 0;
	for (i = 0; i < d->nchannels && n < DH_SHARES_MAX; i++) {
		share = dh_share(d, d->channels[i].cur.revenue);
		pct = (int)((share + 5000) / 10000);
		if (pct == 0 || used + pct > 100)
			continue;
		used += pct;
		colour = dh_palette[n++ % (sizeof dh_palette /
		    sizeof dh_palette[0])];
		sbuf_printf(&h->b, "%s<span style=\"color:%s;\">&#9632;</span> ",
		    n > 1 ? " &nbsp; " : "", colour);
		dh_text(h, d->channels[i].name);
		dh_puts(h, " ");
		dh_share_text(h, share, val, sizeof val);
		dh_text(h, val);
	}
	if (used < 100 && rest > 0) {
		sbuf_printf(&h->b, " &nbsp; <span style=\"color:%s;\">&#9632;"
		    "</span> ", C_OTHER);
		dh_text(h, tr(h->lang, "other"));
		dh_puts(h, " ");
		dh_share_text(h, rest, val, sizeof val);
		dh_text(h, val);
	}
	dh_puts(h, "</p>\n");
}
