/*
 * The digest as plain text (digest.h): the subject line, and a body of
 * about 72 columns that a mail reader shows as is -- the narrative first,
 * then every figure it comes from, one section each (totals, channels,
 * campaigns, budgets, custom KPIs, alerts, notes, data), each with its
 * heading. Figures are formatted by digest-words.c, as in the narrative and
 * the JSON; names go through log_escape(), as the KPI report shows them on
 * a terminal; every word comes from the catalogue. Pure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "digest.h"
#include "digest-words.h"
#include "rules.h"
#include "tz.h"
#include "utf8.h"
#include "window.h"
#include "xmalloc.h"

#define TEXT_WIDTH	72	/* columns of a paragraph */
#define TEXT_GAP	2	/* blanks between two columns */
#define TEXT_CAMPAIGNS	10	/* shown whole up to this many... */
#define TEXT_ENDS	5	/* ...else the best and the weakest this many */
#define TEXT_DASH	"\xe2\x80\x93"	/* a cell without a value */

/* ---- Layout ---- */

/* A table: cells by row, figures right-aligned (the columns of `left`
 * are words, left-aligned); a row may carry an indented line below it. */
struct table {
	char	**cell;
	char	**below;
	size_t	  ncols, nrows;
	unsigned  left;		/* bit j: column j is left-aligned */
};

static void
table_row(struct table *t, const char *const *cells, const char *below)
{
	size_t	j;

	t->cell = xreallocarray(t->cell, (t->nrows + 1) * t->ncols,
	    sizeof *t->cell);
	t->below = xreallocarray(t->below, t->nrows + 1, sizeof *t->below);
	for (j = 0; j < t->ncols; j++)
		t->cell[t->nrows * t->ncols + j] = xstrdup(cells[j] != NULL ?
		    cells[j] : "");
	t->below[t->nrows] = below != NULL ? xstrdup(below) : NULL;
	t->nrows++;
}

static void
table_out(struct table *t, struct sbuf *b)
{
	size_t	*width, i, j, w;

	width = xcalloc(t->ncols, sizeof *width);
	for (i = 0; i < t->nrows * t->ncols; i++)
		if ((w = utf8_width(t->cell[i])) > width[i % t->ncols])
			width[i % t->ncols] = w;
	for (i = 0; i < t->nrows; i++) {
		struct sbuf line = { NULL, 0, 0 };
		char	*s;
		size_t	 n;

		for (j = 0; j < t->ncols; j++) {
			s = t->cell[i * t->ncols + j];
			w = utf8_width(s);
			if (j > 0)
				sbuf_printf(&line, "%*s", TEXT_GAP, "");
			if ((t->left & (1U << j)) == 0)
				sbuf_printf(&line, "%*s%s",
				    (int)(width[j] - w), "", s);
			else
				sbuf_printf(&line, "%s%*s", s,
				    (int)(width[j] - w), "");
		}
		s = sbuf_take(&line);
		n = strlen(s);
		while (n > 0 && s[n - 1] == ' ')
			s[--n] = '\0';
		sbuf_printf(b, "%s\n", s);
		free(s);
		if (t->below[i] != NULL)
			sbuf_printf(b, "  %s\n", t->below[i]);
	}
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cell[i]);
	for (i = 0; i < t->nrows; i++)
		free(t->below[i]);
	free(t->cell);
	free(t->below);
	free(width);
	memset(t, 0, sizeof *t);
}

/*
 * Text wrapped at TEXT_WIDTH columns on ASCII blanks (French keeps its
 * no-break spaces inside figures), the first line after `lead` (kept as
 * is), the next ones indented by `indent` blanks. A word longer than a line
 * stands alone.
 */
static void
text_wrap_lead(struct sbuf *b, const char *lead, const char *text,
    size_t indent)
{
	const char	*p = text, *e;
	size_t		 col, w, start;
	char		*word;

	sbuf_puts(b, lead);
	col = start = utf8_width(lead);
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		word = xmalloc((size_t)(e - p) + 1);
		memcpy(word, p, (size_t)(e - p));
		word[e - p] = '\0';
		w = utf8_width(word);
		if (col > start && col + 1 + w > TEXT_WIDTH) {
			sbuf_printf(b, "\n%*s", (int)indent, "");
			col = start = indent;
		} else if (col > start) {
			sbuf_puts(b, " ");
			col++;
		}
		sbuf_puts(b, word);
		col += w;
		free(word);
		p = e;
	}
	sbuf_puts(b, "\n");
}

static void
text_wrap(struct sbuf *b, const char *text, size_t indent)
{
	text_wrap_lead(b, "", text, indent);
}

/* "Totals" underlined. */
static void
text_heading(struct sbuf *b, const char *title)
{
	size_t	i, w = utf8_width(title);

	sbuf_printf(b, "\n%s\n", title);
	for (i = 0; i < w; i++)
		sbuf_puts(b, "-");
	sbuf_puts(b, "\n");
}

/* ---- Sections ---- */

static void
text_story(const struct digest *d, struct sbuf *b)
{
	struct digest_sentence	*s;
	struct sbuf		 p = { NULL, 0, 0 };
	char			*text;
	size_t			 i, n;

	n = digest_story(d, &s);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_puts(&p, " ");
		sbuf_puts(&p, s[i].text);
	}
	digest_story_free(s, n);
	text = sbuf_take(&p);
	sbuf_puts(b, "\n");
	text_wrap(b, text, 0);
	free(text);
}

/* Whether the period's ROI reaches a threshold: "reached" / "missed". */
static const char *
text_reached(const struct digest *d, const struct digest_figures *f,
    int64_t ppm)
{
	if (!f->has || !f->roi.defined)
		return (TEXT_DASH);
	return (measure_cmp(&f->roi, ppm) >= 0 ? tr(dw_lang(d), "reached") :
	    tr(dw_lang(d), "missed"));
}

static void
text_totals(const struct digest *d, struct sbuf *b)
{
	const struct digest_figures *c = &d->total, *p = &d->prev_total;
	const char	*lang = dw_lang(d);
	struct table	 t = { NULL, NULL, 4, 0, 0x1 };
	const char	*cells[4];
	char		 x[DW_TEXT_MAX], y[DW_TEXT_MAX], z[DW_TEXT_MAX];
	char		 label[DW_TEXT_MAX], one[DW_TEXT_MAX];
	struct {
		const char	*label;
		int64_t		 cur, prev;
	} money[3];
	size_t		 i;

	text_heading(b, tr(lang, "Totals"));
	cells[0] = "";
	cells[1] = tr(lang, "This period");
	cells[2] = tr(lang, "Before");
	cells[3] = tr(lang, "Change");
	table_row(&t, cells, NULL);
	money[0].label = tr(lang, "Spend");
	money[0].cur = c->spend;
	money[0].prev = p->spend;
	money[1].label = tr(lang, "Revenue");
	money[1].cur = c->revenue;
	money[1].prev = p->revenue;
	money[2].label = tr(lang, "Profit");
	money[2].cur = c->profit;
	money[2].prev = p->profit;
	for (i = 0; i < 3; i++) {
		cells[0] = money[i].label;
		cells[1] = c->has ? dw_money(d, money[i].cur, x, sizeof x) :
		    TEXT_DASH;
		cells[2] = p->has ? dw_money(d, money[i].prev, y, sizeof y) :
		    TEXT_DASH;
		cells[3] = c->has && p->has ? dw_change(d, money[i].cur,
		    money[i].prev, z, sizeof z) : TEXT_DASH;
		table_row(&t, cells, NULL);
	}
	cells[0] = trc(lang, "KPI", "ROI");
	cells[1] = c->has ? dw_percent(d, &c->roi, x, sizeof x) : TEXT_DASH;
	cells[2] = p->has ? dw_percent(d, &p->roi, y, sizeof y) : TEXT_DASH;
	cells[3] = c->has && p->has ? dw_change_points(d, &c->roi, &p->roi,
	    z, sizeof z) : TEXT_DASH;
	table_row(&t, cells, NULL);
	/* The same ROI as "R:1": profit per 1 spent. */
	dw_money(d, 1000000, one, sizeof one);
	snprintf(label, sizeof label, tr(lang, "Profit per %s spent"), one);
	cells[0] = label;
	cells[1] = c->has ? dw_per1(d, &c->roi, x, sizeof x) : TEXT_DASH;
	cells[2] = p->has ? dw_per1(d, &p->roi, y, sizeof y) : TEXT_DASH;
	cells[3] = c->has && p->has ? dw_change_per1(d, &c->roi, &p->roi, z,
	    sizeof z) : TEXT_DASH;
	table_row(&t, cells, NULL);
	if (d->has_min) {
		snprintf(label, sizeof label, tr(lang, "Agreed minimum (%s)"),
		    dw_threshold(d, d->min_roi_ppm, x, sizeof x));
		cells[0] = label;
		cells[1] = text_reached(d, c, d->min_roi_ppm);
		cells[2] = text_reached(d, p, d->min_roi_ppm);
		cells[3] = "";
		table_row(&t, cells, NULL);
	}
	if (d->has_target) {
		snprintf(label, sizeof label, tr(lang, "Target (%s)"),
		    dw_threshold(d, d->target_roi_ppm, x, sizeof x));
		cells[0] = label;
		cells[1] = text_reached(d, c, d->target_roi_ppm);
		cells[2] = text_reached(d, p, d->target_roi_ppm);
		cells[3] = "";
		table_row(&t, cells, NULL);
	}
	table_out(&t, b);
	if (!c->has)
		sbuf_printf(b, "%s\n", tr(lang,
		    "There are no figures for this period."));
}

/* "CLV €180.00, CLV:CAC 15.30:1" under a channel, when known. */
static char *
text_clv(const struct digest *d, const struct digest_row *r)
{
	const char	*lang = dw_lang(d);
	char		 a[DW_TEXT_MAX], c[DW_TEXT_MAX], *s = NULL;

	if (r->clv.defined && r->clv_cac.defined)
		xasprintf(&s, tr(lang, "CLV %s, CLV:CAC %s"),
		    dw_money_value(d, &r->clv, a, sizeof a),
		    dw_ratio(d, &r->clv_cac, 0, c, sizeof c));
	else if (r->clv.defined)
		xasprintf(&s, tr(lang, "CLV %s"), dw_money_value(d, &r->clv,
		    a, sizeof a));
	return (s);
}

static void
text_channels(const struct digest *d, struct sbuf *b)
{
	const char		*lang = dw_lang(d);
	const struct digest_row	*r;
	struct table		 t = { NULL, NULL, 6, 0, 0x1 };
	struct measure_value	 share;
	const char		*cells[6];
	char			 sp[DW_TEXT_MAX], rv[DW_TEXT_MAX];
	char			 sh[DW_TEXT_MAX], roi[DW_TEXT_MAX];
	char			 pr[DW_TEXT_MAX], *name, *clv;
	size_t			 i;

	text_heading(b, tr(lang, "Channels"));
	if (d->nchannels == 0) {
		sbuf_printf(b, "%s\n", tr(lang, "No channel has figures."));
		return;
	}
	cells[0] = tr(lang, "Channel");
	cells[1] = tr(lang, "Spend");
	cells[2] = tr(lang, "Revenue");
	cells[3] = tr(lang, "Share");
	cells[4] = trc(lang, "KPI", "ROI");
	cells[5] = tr(lang, "ROI before");
	table_row(&t, cells, NULL);
	for (i = 0; i < d->nchannels; i++) {
		r = &d->channels[i];
		name = dw_escape(r->name);
		share = dw_share(r->cur.revenue, d->total.revenue);
		cells[0] = name;
		cells[1] = r->cur.has ? dw_money(d, r->cur.spend, sp,
		    sizeof sp) : TEXT_DASH;
		cells[2] = r->cur.has ? dw_money(d, r->cur.revenue, rv,
		    sizeof rv) : TEXT_DASH;
		cells[3] = r->cur.has && share.defined ? dw_percent(d, &share,
		    sh, sizeof sh) : TEXT_DASH;
		cells[4] = r->cur.has ? dw_percent(d, &r->cur.roi, roi,
		    sizeof roi) : TEXT_DASH;
		cells[5] = r->prev.has ? dw_percent(d, &r->prev.roi, pr,
		    sizeof pr) : TEXT_DASH;
		clv = text_clv(d, r);
		table_row(&t, cells, clv);
		free(clv);
		free(name);
	}
	table_out(&t, b);
}

static void
text_campaign_row(const struct digest *d, struct table *t,
    const struct digest_row *r)
{
	const char	*cells[6];
	char		 sp[DW_TEXT_MAX], rv[DW_TEXT_MAX], roi[DW_TEXT_MAX];
	char		 pr[DW_TEXT_MAX], *name, *channel, *alerts, *below = NULL;

	name = dw_escape(r->name);
	channel = dw_escape(r->channel);
	cells[0] = name;
	cells[1] = channel;
	cells[2] = r->cur.has ? dw_money(d, r->cur.spend, sp, sizeof sp) :
	    TEXT_DASH;
	cells[3] = r->cur.has ? dw_money(d, r->cur.revenue, rv, sizeof rv) :
	    TEXT_DASH;
	cells[4] = r->cur.has ? dw_percent(d, &r->cur.roi, roi, sizeof roi) :
	    TEXT_DASH;
	cells[5] = r->prev.has ? dw_percent(d, &r->prev.roi, pr, sizeof pr) :
	    TEXT_DASH;
	if (r->alerts != NULL && *r->alerts != '\0') {
		alerts = dw_escape(r->alerts);
		xasprintf(&below, tr(dw_lang(d), "Alerts on now: %s"), alerts);
		free(alerts);
	}
	table_row(t, cells, below);
	free(below);
	free(name);
	free(channel);
}

static void
text_campaigns(const struct digest *d, struct sbuf *b)
{
	const char	*lang = dw_lang(d);
	struct table	 t = { NULL, NULL, 6, 0, 0x3 };
	const char	*cells[6];
	char		 more[128];
	size_t		 i, n = d->ncampaigns;

	text_heading(b, tr(lang, "Campaigns, best first"));
	if (n == 0) {
		sbuf_printf(b, "%s\n", tr(lang, "No campaign has figures."));
		return;
	}
	cells[0] = tr(lang, "Campaign");
	cells[1] = tr(lang, "Channel");
	cells[2] = tr(lang, "Spend");
	cells[3] = tr(lang, "Revenue");
	cells[4] = trc(lang, "KPI", "ROI");
	cells[5] = tr(lang, "ROI before");
	table_row(&t, cells, NULL);
	for (i = 0; i < n; i++) {
		if (n > TEXT_CAMPAIGNS && i == TEXT_ENDS) {
			/* The middle, counted: the ends tell the story. */
			snprintf(more, sizeof more, trn(lang,
			    "\xe2\x80\xa6 %zu more campaign",
			    "\xe2\x80\xa6 %zu more campaigns",
			    n - 2 * TEXT_ENDS), n - 2 * TEXT_ENDS);
			cells[0] = more;
			cells[1] = cells[2] = cells[3] = cells[4] = "";
			cells[5] = "";
			table_row(&t, cells, NULL);
			i = n - TEXT_ENDS;
		}
		text_campaign_row(d, &t, &d->campaigns[i]);
	}
	table_out(&t, b);
}

static void
text_budgets(const struct digest *d, struct sbuf *b)
{
	const char	*lang = dw_lang(d);
	const struct digest_budget *bu;
	struct measure_value	 v;
	struct window_range	 r;
	struct sbuf		 line = { NULL, 0, 0 };
	char			 a[DW_TEXT_MAX], c[DW_TEXT_MAX], u[DW_TEXT_MAX];
	char			 range[WINDOW_RANGE_TEXT_MAX], day[32];
	char			*name, *subject, *s;
	size_t			 i;

	if (d->nbudgets == 0)
		return;
	text_heading(b, tr(lang, "Budgets"));
	for (i = 0; i < d->nbudgets; i++) {
		bu = &d->budgets[i];
		name = dw_escape(bu->rule);
		subject = dw_escape(bu->subject);
		r.from = bu->from;
		r.to = bu->to;
		window_format_range(&r, lang, range, sizeof range);
		v = dw_exact(bu->used_ppm);
		if (*subject != '\0')
			sbuf_printf(b, tr(lang, "%s (%s), %s:"), name, subject,
			    range);
		else
			sbuf_printf(b, tr(lang, "%s, %s:"), name, range);
		sbuf_puts(b, "\n");
		sbuf_printf(&line, tr(lang, "%s spent of %s (%s)."),
		    dw_money(d, bu->spent, a, sizeof a), dw_money(d, bu->budget,
		    c, sizeof c), dw_percent(d, &v, u, sizeof u));
		s = sbuf_take(&line);
		text_wrap_lead(b, "  ", s, 2);
		free(s);
		if (bu->running) {
			v = dw_exact(bu->pacing_ppm);
			sbuf_printf(&line, tr(lang, "Pacing %s, projected %s"),
			    dw_ratio(d, &v, 1, a, sizeof a),
			    dw_money(d, bu->projected, c, sizeof c));
			if (bu->runout_day != INT32_MAX) {
				window_format_date(bu->runout_day, lang, day,
				    sizeof day);
				sbuf_printf(&line, tr(lang, ", runs out on %s"),
				    day);
			}
			sbuf_puts(&line, ".");
			s = sbuf_take(&line);
			text_wrap_lead(b, "  ", s, 2);
			free(s);
		}
		free(name);
		free(subject);
	}
}

static void
text_customs(const struct digest *d, struct sbuf *b)
{
	const char	*lang = dw_lang(d);
	struct table	 t = { NULL, NULL, 4, 0, 0x1 };
	const char	*cells[4];
	char		 x[DW_TEXT_MAX], y[DW_TEXT_MAX], z[DW_TEXT_MAX], *name;
	size_t		 i;

	if (d->ncustoms == 0)
		return;
	text_heading(b, tr(lang, "Custom KPIs"));
	cells[0] = "";
	cells[1] = tr(lang, "This period");
	cells[2] = tr(lang, "Before");
	cells[3] = tr(lang, "Change");
	table_row(&t, cells, NULL);
	for (i = 0; i < d->ncustoms; i++) {
		name = dw_escape(d->customs[i].name);
		cells[0] = name;
		cells[1] = d->customs[i].cur_days > 0 ? dw_count(d,
		    d->customs[i].cur, x, sizeof x) : TEXT_DASH;
		cells[2] = d->customs[i].prev_days > 0 ? dw_count(d,
		    d->customs[i].prev, y, sizeof y) : TEXT_DASH;
		cells[3] = d->customs[i].cur_days > 0 &&
		    d->customs[i].prev_days > 0 ? dw_change(d,
		    d->customs[i].cur, d->customs[i].prev, z, sizeof z) :
		    TEXT_DASH;
		table_row(&t, cells, NULL);
		free(name);
	}
	table_out(&t, b);
}

/* What an alert is about: "Campaign "x"", "Channel "y"", all. */
static char *
text_alert_subject(const struct digest *d, const struct digest_alert *a)
{
	const char	*lang = dw_lang(d);
	char		*name = dw_escape(a->subject), *s;

	switch (a->scope) {
	case RULE_SCOPE_CAMPAIGN:
		xasprintf(&s, tr(lang, "Campaign \"%s\""), name);
		break;
	case RULE_SCOPE_CHANNEL:
		xasprintf(&s, tr(lang, "Channel \"%s\""), name);
		break;
	default:
		s = xstrdup(tr(lang, "All campaigns"));
		break;
	}
	free(name);
	return (s);
}

static const char *
text_severity(const struct digest *d, enum rule_severity sev)
{
	static const char *msgid[RULE_SEV_MAX] = {
		[RULE_SEV_CRITICAL] = NC_("severity", "critical"),
		[RULE_SEV_WARNING] = NC_("severity", "warning"),
		[RULE_SEV_INFO] = NC_("severity", "info"),
		[RULE_SEV_GOOD] = NC_("severity", "good"),
	};

	if ((int)sev >= 0 && sev < RULE_SEV_MAX)
		return (trc(dw_lang(d), "severity", msgid[sev]));
	return (rules_severity_name(sev));
}

static void
text_alerts(const struct digest *d, struct sbuf *b)
{
	const char	*lang = dw_lang(d);
	const struct digest_alert *a;
	struct table	 t = { NULL, NULL, 5, 0, 0x1f };
	struct tz	*tz;
	const char	*cells[5];
	char		 when[64], day[32], *cause = NULL, *rule, *about;
	int32_t		 lday, sec;
	size_t		 i, fired = 0;

	text_heading(b, tr(lang, "Alerts"));
	if (d->nalerts == 0) {
		sbuf_printf(b, "%s\n", tr(lang,
		    "No alert fired or was resolved during the period."));
		return;
	}
	for (i = 0; i < d->nalerts; i++)
		fired += d->alerts[i].fired != 0;
	sbuf_printf(b, trn(lang, "%zu fired", "%zu fired", fired), fired);
	sbuf_puts(b, ", ");
	sbuf_printf(b, trn(lang, "%zu resolved", "%zu resolved",
	    d->nalerts - fired), d->nalerts - fired);
	/* TRANSLATORS: times are in the client's time zone, named here. */
	sbuf_printf(b, tr(lang, " (times in %s):\n"), d->timezone);
	if ((tz = tz_load(d->timezone, &cause)) == NULL) {
		free(cause);
		tz = tz_load("UTC", &cause);
		free(cause);
	}
	for (i = 0; i < d->nalerts; i++) {
		a = &d->alerts[i];
		if (tz != NULL)
			tz_local(tz, a->at, &lday, &sec);
		else {
			lday = (int32_t)(a->at / 86400 - (a->at % 86400 < 0));
			sec = (int32_t)(a->at - (int64_t)lday * 86400);
		}
		window_format_date(lday, lang, day, sizeof day);
		snprintf(when, sizeof when, "%s %02d:%02d", day, sec / 3600,
		    sec % 3600 / 60);
		rule = dw_escape(a->rule);
		about = text_alert_subject(d, a);
		cells[0] = when;
		cells[1] = a->fired ? tr(lang, "fired") : tr(lang, "resolved");
		cells[2] = rule;
		cells[3] = about;
		cells[4] = text_severity(d, a->severity);
		table_row(&t, cells, NULL);
		free(rule);
		free(about);
	}
	tz_free(tz);
	table_out(&t, b);
}

static void
text_notes(const struct digest *d, struct sbuf *b)
{
	const char	*lang = dw_lang(d);
	const struct digest_note *no;
	char		 day[32], *text, *about, *s, *lead;
	size_t		 i;

	if (d->nnotes == 0)
		return;
	text_heading(b, tr(lang, "Notes"));
	for (i = 0; i < d->nnotes; i++) {
		no = &d->notes[i];
		window_format_date(no->day, lang, day, sizeof day);
		text = dw_escape(no->text);
		about = dw_escape(*no->campaign != '\0' ? no->campaign :
		    no->channel);
		if (*about != '\0')
			xasprintf(&s, "%s%s %s", about,
			    trc(lang, "label separator", ":"), text);
		else
			s = xstrdup(text);
		xasprintf(&lead, "%s  ", day);
		text_wrap_lead(b, lead, s, utf8_width(lead));
		free(lead);
		free(s);
		free(text);
		free(about);
	}
}

static void
text_issues(const struct digest *d, struct sbuf *b)
{
	const char	*lang = dw_lang(d);
	const struct digest_issue *is;
	struct sbuf	 line = { NULL, 0, 0 };
	char		 day[32], *name, *detail, *s;
	size_t		 i;

	text_heading(b, tr(lang, "Data"));
	for (i = 0; i < d->nissues; i++) {
		is = &d->issues[i];
		name = dw_escape(is->subject);
		switch (is->kind) {
		case DIGEST_ISSUE_COVERAGE:
			if (*name != '\0')
				sbuf_printf(&line, tr(lang, "%s: complete "
				    "figures on %lld of %lld days."), name,
				    (long long)is->days,
				    (long long)is->days_total);
			else
				sbuf_printf(&line, tr(lang, "Complete figures "
				    "on %lld of %lld days."),
				    (long long)is->days,
				    (long long)is->days_total);
			break;
		case DIGEST_ISSUE_STALE:
			window_format_date(is->last_day, lang, day,
			    sizeof day);
			if (*name != '\0')
				sbuf_printf(&line, tr(lang, "%s: no figures "
				    "after %s."), name, day);
			else
				sbuf_printf(&line, tr(lang, "No figures after "
				    "%s."), day);
			break;
		default:
			detail = dw_escape(is->detail);
			sbuf_printf(&line, tr(lang, "Source %s is failing: "
			    "%s"), name, detail);
			free(detail);
			break;
		}
		s = sbuf_take(&line);
		text_wrap(b, s, 2);
		free(s);
		free(name);
	}
	if (d->last_day == INT32_MIN)
		sbuf_printf(b, "%s\n", tr(lang, "No figures yet."));
	else {
		window_format_date(d->last_day, lang, day, sizeof day);
		sbuf_printf(b, tr(lang, "Latest figures: %s."), day);
		sbuf_puts(b, "\n");
	}
	if (d->nissues == 0)
		sbuf_printf(b, "%s\n", tr(lang,
		    "Every day of the period has complete figures."));
}

/* ---- The whole ---- */

/* The period in words: "2026-11-01 to 2026-11-30" / "du ... au ...". */
static char *
text_period(const struct digest *d, int32_t from, int32_t to, char *buf,
    size_t len)
{
	struct window_range	r;

	r.from = from;
	r.to = to;
	return (window_format_range(&r, dw_lang(d), buf, len));
}

char *
digest_subject(const struct digest *d)
{
	const char	*lang = dw_lang(d);
	char		 period[WINDOW_RANGE_TEXT_MAX], roi[DW_TEXT_MAX];
	char		*name, *s;

	name = dw_escape(d->client_name);
	text_period(d, d->from_day, d->to_day, period, sizeof period);
	if (!d->total.has)
		xasprintf(&s, tr(lang, "[roiwatch] %s: %s, no figures"), name,
		    period);
	else
		/* TRANSLATORS: a digest's subject: the client, the period,
		 * the period's ROI. */
		xasprintf(&s, tr(lang, "[roiwatch] %s: %s, ROI %s"), name,
		    period, dw_percent(d, &d->total.roi, roi, sizeof roi));
	free(name);
	return (s);
}

char *
digest_text(const struct digest *d)
{
	const char	*lang = dw_lang(d);
	struct sbuf	 b = { NULL, 0, 0 };
	struct tz	*tz;
	char		 period[WINDOW_RANGE_TEXT_MAX], day[32];
	char		*name, *cause = NULL, *schedule;
	int32_t		 lday, sec, ndays;

	name = dw_escape(d->client_name);
	text_period(d, d->from_day, d->to_day, period, sizeof period);
	/* TRANSLATORS: a digest's title: the client, the period. */
	sbuf_printf(&b, tr(lang, "%s, %s"), name, period);
	sbuf_puts(&b, "\n");
	free(name);
	ndays = d->prev_to - d->prev_from + 1;
	text_period(d, d->prev_from, d->prev_to, period, sizeof period);
	sbuf_printf(&b, trn(lang, "Compared with the %d day before: %s.",
	    "Compared with the %d days before: %s.", (unsigned long)ndays),
	    (int)ndays, period);
	sbuf_puts(&b, "\n");
	if (d->late) {
		sbuf_puts(&b, "\n");
		text_wrap(&b, tr(lang, "This digest comes late: roiwatch was "
		    "not running when it was due."), 0);
	}
	text_story(d, &b);
	text_totals(d, &b);
	text_channels(d, &b);
	text_campaigns(d, &b);
	text_budgets(d, &b);
	text_customs(d, &b);
	text_alerts(d, &b);
	text_notes(d, &b);
	text_issues(d, &b);

	sbuf_puts(&b, "\n");
	text_wrap(&b, tr(lang, "ROI is (revenue - cost) / cost; profit per 1 "
	    "spent is the same figure divided by 100."), 0);
	if ((tz = tz_load(d->timezone, &cause)) == NULL) {
		free(cause);
		tz = tz_load("UTC", &cause);
		free(cause);
	}
	lday = (int32_t)(d->generated / 86400);
	sec = (int32_t)(d->generated % 86400);
	if (tz != NULL)
		tz_local(tz, d->generated, &lday, &sec);
	tz_free(tz);
	window_format_date(lday, lang, day, sizeof day);
	sbuf_puts(&b, "\n-- \n");
	if (d->schedule != NULL && *d->schedule != '\0') {
		schedule = dw_escape(d->schedule);
		sbuf_printf(&b, tr(lang, "roiwatch, schedule \"%s\", %s %02d:%02d "
		    "(%s)"), schedule, day, sec / 3600, sec % 3600 / 60,
		    d->timezone);
		free(schedule);
	} else
		sbuf_printf(&b, tr(lang, "roiwatch, %s %02d:%02d (%s)"), day,
		    sec / 3600, sec % 3600 / 60, d->timezone);
	sbuf_puts(&b, "\n");
	return (sbuf_take(&b));
}
