/*
 * The digest for chat (digest.h): a notice document (notice-doc.h) that
 * every chat format lays out (chat.h), condensed to what a chat message
 * can carry whatever the client's size: the narrative as its
 * introduction, then at most six blocks -- the key figures against the
 * previous period and the agreed ROI, the best and the worst campaign, the
 * budgets at risk, the alerts, the data issues -- each with a few lines.
 * Lists (budgets, campaigns firing, issues) stop after DC_LIST_MAX with
 * "and N more", so that a client of 300 campaigns gets the same short
 * message as one of 5; the report page has the rest.
 *
 * Every word comes from the message catalogue in the client's language and
 * every figure from measure_format() and money_format_currency(); the chat
 * formats escape the texts for their own markup. Pure.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "digest.h"
#include "digest-words.h"
#include "log.h"
#include "measure.h"
#include "money.h"
#include "notice-doc.h"
#include "sbuf.h"
#include "rules.h"
#include "window.h"
#include "xmalloc.h"

#define DC_LIST_MAX	5
#define DC_EVENTS_MAX	6
#define DC_DASH		"\xe2\x80\x94"

struct dc {
	const struct digest	*d;
	const char		*lang;
	struct measure_ref	 roi, roas, pacing;
	struct ndoc		*doc;
};

static struct ndoc_event *
dc_event(struct dc *c, enum ndoc_tone tone, const char *subject,
    const char *title)
{
	struct ndoc_event	*ev;

	if (c->doc->nevents >= DC_EVENTS_MAX)
		fatalx("%s: too many events", __func__);
	ev = &c->doc->events[c->doc->nevents++];
	ev->idx = c->doc->nevents;
	ev->tone = tone;
	ev->subject = xstrdup(subject);
	ev->title = xstrdup(title);
	return (ev);
}

static int
dc_nonzero(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= '1' && *s <= '9')
			return (1);
	return (0);
}

/* "€33,800.00, change +39.67% (previous period: €24,200.00)". */
static void
dc_amount(struct dc *c, struct ndoc_event *ev, const char *label,
    int64_t cur, int64_t prev)
{
	struct measure_value	 a, b, ch;
	char			 x[64], y[64], z[48], val[256];

	money_format_currency(cur, c->d->currency, c->lang, x, sizeof x);
	if (!c->d->prev_total.has) {
		ndoc_add(ev, label, x);
		return;
	}
	money_format_currency(prev, c->d->currency, c->lang, y, sizeof y);
	if (prev == 0)
		snprintf(z, sizeof z, "%s", DC_DASH);
	else {
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		a.defined = b.defined = 1;
		a.floor = cur;
		b.floor = prev;
		measure_change(&a, &b, &ch);
		measure_format_change(&ch, c->lang, val, sizeof val);
		snprintf(z, sizeof z, "%s%.40s", ch.defined && ch.floor > 0 &&
		    dc_nonzero(val) ? "+" : "", val);
	}
	snprintf(val, sizeof val, tr(c->lang,
	    "%s, change %s (previous period: %s)"), x, z, y);
	ndoc_add(ev, label, val);
}

/* "238.00% (3.38:1)". */
static char *
dc_roi(struct dc *c, const struct digest_figures *f, char *buf, size_t len)
{
	char	a[64], b[64];

	if (!f->has) {
		snprintf(buf, len, "%s", DC_DASH);
		return (buf);
	}
	measure_format(&c->roi, &f->roi, c->d->currency, c->lang, a, sizeof a);
	if (!f->roi.defined || !f->roas.defined) {
		snprintf(buf, len, "%s", a);
		return (buf);
	}
	measure_format(&c->roas, &f->roas, c->d->currency, c->lang, b,
	    sizeof b);
	snprintf(buf, len, trc(c->lang, "roi", "%s (%s)"), a, b);
	return (buf);
}

/* "+96.00 pts". */
static char *
dc_points(struct dc *c, int64_t ppm, char *buf, size_t len)
{
	char		 num[48];
	uint64_t	 mag = ppm < 0 ? (uint64_t)0 - (uint64_t)ppm :
			    (uint64_t)ppm;
	uint64_t	 r = (mag + 50) / 100;

	snprintf(num, sizeof num, "%s%llu%s%02llu", r == 0 ? "" : ppm < 0 ?
	    "-" : "+", (unsigned long long)(r / 100),
	    trc(c->lang, "number", "."), (unsigned long long)(r % 100));
	snprintf(buf, len, tr(c->lang, "%s pts"), num);
	return (buf);
}

/* The ROI line of a scope, with its change when both periods have one. */
static void
dc_roi_line(struct dc *c, struct ndoc_event *ev,
    const struct digest_figures *cur, const struct digest_figures *prev)
{
	char	a[96], b[96], p[64], val[320];

	dc_roi(c, cur, a, sizeof a);
	if (!cur->roi.defined || !prev->has || !prev->roi.defined) {
		ndoc_add(ev, trc(c->lang, "KPI", "ROI"), a);
		return;
	}
	dc_roi(c, prev, b, sizeof b);
	dc_points(c, cur->roi.floor - prev->roi.floor, p, sizeof p);
	snprintf(val, sizeof val, tr(c->lang,
	    "%s, change %s (previous period: %s)"), a, p, b);
	ndoc_add(ev, trc(c->lang, "KPI", "ROI"), val);
}

/* How an ROI stands against the client's agreed minimum and target. */
static enum ndoc_tone
dc_roi_tone(const struct dc *c, const struct digest_figures *f)
{
	const struct digest	*d = c->d;

	if (!f->has || !f->roi.defined)
		return (NDOC_INFO);
	if (d->has_min && measure_cmp(&f->roi, d->min_roi_ppm) < 0)
		return (NDOC_BAD);
	if (d->has_target && measure_cmp(&f->roi, d->target_roi_ppm) >= 0)
		return (NDOC_GOOD);
	if (d->has_target)
		return (NDOC_WARN);
	return (d->has_min ? NDOC_GOOD : NDOC_INFO);
}

static void
dc_key_figures(struct dc *c)
{
	const struct digest	*d = c->d;
	struct ndoc_event	*ev;
	struct window_range	 r = { d->from_day, d->to_day };
	char			 range[WINDOW_RANGE_TEXT_MAX], val[128];
	char			*title;

	window_format_range(&r, c->lang, range, sizeof range);
	/* TRANSLATORS: the key figures of a period ("2026-11-01 to ..."). */
	xasprintf(&title, tr(c->lang, "Key figures, %s"), range);
	ev = dc_event(c, dc_roi_tone(c, &d->total), d->client_name, title);
	free(title);
	dc_amount(c, ev, tr(c->lang, "Spend"), d->total.spend,
	    d->prev_total.spend);
	dc_amount(c, ev, tr(c->lang, "Revenue"), d->total.revenue,
	    d->prev_total.revenue);
	dc_amount(c, ev, tr(c->lang, "Profit"), d->total.profit,
	    d->prev_total.profit);
	dc_roi_line(c, ev, &d->total, &d->prev_total);
	if (d->has_min)
		ndoc_add(ev, tr(c->lang, "Agreed minimum"),
		    measure_format_threshold(&c->roi, d->min_roi_ppm,
		    d->currency, c->lang, val, sizeof val));
	if (d->has_target)
		ndoc_add(ev, tr(c->lang, "Target"),
		    measure_format_threshold(&c->roi, d->target_roi_ppm,
		    d->currency, c->lang, val, sizeof val));
}

static void
dc_campaign(struct dc *c, const struct digest_row *row, const char *title,
    enum ndoc_tone tone)
{
	struct ndoc_event	*ev;
	char			*subject, val[128];

	if (row->channel != NULL && *row->channel != '\0')
		xasprintf(&subject, tr(c->lang, "Campaign \"%s\" (%s)"),
		    row->name, row->channel);
	else
		xasprintf(&subject, tr(c->lang, "Campaign \"%s\""), row->name);
	ev = dc_event(c, tone, subject, title);
	free(subject);
	dc_roi_line(c, ev, &row->cur, &row->prev);
	ndoc_add(ev, tr(c->lang, "Revenue"), money_format_currency(
	    row->cur.revenue, c->d->currency, c->lang, val, sizeof val));
	ndoc_add(ev, tr(c->lang, "Spend"), money_format_currency(
	    row->cur.spend, c->d->currency, c->lang, val, sizeof val));
	if (row->alerts != NULL && *row->alerts != '\0')
		ndoc_add(ev, tr(c->lang, "Alerts"), row->alerts);
}

/* The best campaign and the worst (the last with an ROI), when two. */
static void
dc_campaigns(struct dc *c)
{
	const struct digest	*d = c->d;
	size_t			 i, worst = 0;

	if (d->ncampaigns == 0 || !d->campaigns[0].cur.roi.defined)
		return;
	for (i = 1; i < d->ncampaigns; i++)
		if (d->campaigns[i].cur.roi.defined)
			worst = i;
	dc_campaign(c, &d->campaigns[0], tr(c->lang, "Best campaign"),
	    dc_roi_tone(c, &d->campaigns[0].cur) == NDOC_BAD ? NDOC_WARN :
	    NDOC_GOOD);
	if (worst > 0)
		dc_campaign(c, &d->campaigns[worst], tr(c->lang,
		    "Worst campaign"), dc_roi_tone(c,
		    &d->campaigns[worst].cur) == NDOC_BAD ? NDOC_BAD :
		    NDOC_WARN);
}

/* A budget at risk: running and running out before its end, or spending
 * more than 10 % above its pace. */
static int
dc_at_risk(const struct digest_budget *b)
{
	return (b->running && ((b->runout_day != INT32_MAX &&
	    b->runout_day <= b->to) || b->pacing_ppm > 1100000 ||
	    b->used_ppm >= 1000000));
}

/* "…, and 3 more" as a last line. */
static void
dc_more(struct dc *c, struct ndoc_event *ev, const char *label, size_t n)
{
	char	val[64];

	if (n == 0)
		return;
	/* Skip the leading ", " of the phrase the lists share. */
	snprintf(val, sizeof val, trn(c->lang, ", and %lld more",
	    ", and %lld more", (unsigned long)n), (long long)n);
	ndoc_add(ev, label, val + 2);
}

static void
dc_budgets(struct dc *c)
{
	const struct digest		*d = c->d;
	const struct digest_budget	*b;
	struct ndoc_event		*ev = NULL;
	struct measure_value		 v;
	char				 a[64], x[64], day[24], *s, *t, *label;
	size_t				 i, n = 0, shown = 0;

	for (i = 0; i < d->nbudgets; i++)
		if (dc_at_risk(&d->budgets[i]))
			n++;
	if (n == 0)
		return;
	xasprintf(&s, trn(c->lang, "%zu budget at risk", "%zu budgets at risk",
	    n), n);
	ev = dc_event(c, NDOC_WARN, tr(c->lang, "Budgets"), s);
	free(s);
	for (i = 0; i < d->nbudgets; i++) {
		b = &d->budgets[i];
		if (!dc_at_risk(b))
			continue;
		if (shown++ == DC_LIST_MAX) {
			dc_more(c, ev, tr(c->lang, "Budgets"), n - DC_LIST_MAX);
			break;
		}
		money_format_currency(b->spent, d->currency, c->lang, a,
		    sizeof a);
		money_format_currency(b->budget, d->currency, c->lang, x,
		    sizeof x);
		xasprintf(&s, tr(c->lang, "%s spent of %s"), a, x);
		money_format_currency(b->projected, d->currency, c->lang, a,
		    sizeof a);
		if (b->runout_day != INT32_MAX)
			xasprintf(&t, tr(c->lang, "%s at the period's end; runs "
			    "out on %s at the current rate"), a,
			    window_format_date(b->runout_day, c->lang, day,
			    sizeof day));
		else
			xasprintf(&t, tr(c->lang, "%s at the period's end"), a);
		memset(&v, 0, sizeof v);
		v.defined = 1;
		v.floor = b->pacing_ppm;
		measure_format(&c->pacing, &v, d->currency, c->lang, a,
		    sizeof a);
		free(s);
		xasprintf(&s, "%s; %s %s", t, measure_label(&c->pacing,
		    c->lang), a);
		free(t);
		if (*b->subject != '\0')
			xasprintf(&label, "%s (%s)", b->rule, b->subject);
		else
			label = xstrdup(b->rule);
		ndoc_add(ev, label, s);
		free(label);
		free(s);
	}
}

/* The alerts of the period, and the campaigns firing now. */
static void
dc_alerts(struct dc *c)
{
	const struct digest	*d = c->d;
	struct ndoc_event	*ev;
	struct sbuf		 b = { NULL, 0, 0 };
	size_t			 i, fired = 0, resolved = 0, firing = 0;
	char			*s, more[64];

	for (i = 0; i < d->nalerts; i++) {
		if (d->alerts[i].fired)
			fired++;
		else
			resolved++;
	}
	for (i = 0; i < d->ncampaigns; i++)
		if (d->campaigns[i].state == ALERT_FIRING) {
			if (firing < DC_LIST_MAX)
				sbuf_printf(&b, "%s%s", firing > 0 ? ", " : "",
				    d->campaigns[i].name);
			firing++;
		}
	if (fired == 0 && resolved == 0 && firing == 0) {
		free(b.p);
		return;
	}
	/* TRANSLATORS: alerts of the period: fired, then resolved. */
	xasprintf(&s, tr(c->lang, "%zu fired, %zu resolved in the period"),
	    fired, resolved);
	ev = dc_event(c, firing > 0 ? NDOC_BAD : fired > resolved ? NDOC_WARN :
	    NDOC_GOOD, tr(c->lang, "Alerts"), s);
	free(s);
	if (firing > DC_LIST_MAX) {
		snprintf(more, sizeof more, trn(c->lang, ", and %lld more",
		    ", and %lld more", (unsigned long)(firing - DC_LIST_MAX)),
		    (long long)(firing - DC_LIST_MAX));
		sbuf_puts(&b, more);
	}
	if (firing > 0)
		ndoc_add(ev, tr(c->lang, "Campaigns firing now"), b.p);
	free(b.p);
}


static void
dc_issues(struct dc *c)
{
	const struct digest		*d = c->d;
	const struct digest_issue	*is;
	struct ndoc_event		*ev;
	char				 text[512], *s;
	size_t				 i;

	if (d->nissues == 0)
		return;
	xasprintf(&s, trn(c->lang, "%zu data issue", "%zu data issues",
	    d->nissues), d->nissues);
	ev = dc_event(c, NDOC_WARN, tr(c->lang, "Data issues"), s);
	free(s);
	for (i = 0; i < d->nissues; i++) {
		if (i == DC_LIST_MAX) {
			dc_more(c, ev, tr(c->lang, "Data issues"), d->nissues -
			    DC_LIST_MAX);
			break;
		}
		is = &d->issues[i];
		if (is->kind == DIGEST_ISSUE_SOURCE)
			xasprintf(&s, tr(c->lang, "Source \"%s\""),
			    is->subject);
		else
			s = xstrdup(*is->subject != '\0' ? is->subject :
			    tr(c->lang, "All campaigns"));
		ndoc_add(ev, s, dw_issue_text(is, c->lang, text, sizeof text));
		free(s);
	}
}

struct ndoc *
digest_ndoc(const struct digest *d)
{
	struct dc		 c;
	struct digest_sentence	*st;
	struct sbuf		 b = { NULL, 0, 0 };
	struct window_range	 r = { d->from_day, d->to_day };
	char			 range[WINDOW_RANGE_TEXT_MAX], roi[64], *cause;
	size_t			 n, i;

	memset(&c, 0, sizeof c);
	c.d = d;
	c.lang = d->language != NULL && *d->language != '\0' ? d->language :
	    "en";
	if (measure_lookup("roi", &c.roi, &cause) != 0 ||
	    measure_lookup("roas", &c.roas, &cause) != 0 ||
	    measure_lookup("pacing", &c.pacing, &cause) != 0)
		fatalx("%s: %s", __func__, cause);
	c.doc = xcalloc(1, sizeof *c.doc);
	c.doc->language = c.lang;
	/* TRANSLATORS: between a label and its value (French: U+00A0 ":"). */
	c.doc->label_sep = trc(c.lang, "label separator", ":");
	window_format_range(&r, c.lang, range, sizeof range);
	if (d->total.has)
		measure_format(&c.roi, &d->total.roi, d->currency, c.lang, roi,
		    sizeof roi);
	else
		snprintf(roi, sizeof roi, "%s", DC_DASH);
	/* TRANSLATORS: a digest's subject: client, period, its ROI. */
	xasprintf(&c.doc->subject, tr(c.lang, "[roiwatch] %s: %s, ROI %s"),
	    d->client_name, range, roi);
	c.doc->greeting = xstrdup(tr(c.lang, "Hello,"));
	if (d->late)
		sbuf_printf(&b, "%s", tr(c.lang, "This digest is late: it was "
		    "due while roiwatch was not running, and reports the "
		    "period it was due for."));
	n = digest_story(d, &st);
	for (i = 0; i < n; i++)
		sbuf_printf(&b, "%s%s", b.len > 0 ? " " : "", st[i].text);
	digest_story_free(st, n);
	c.doc->intro = sbuf_take(&b);
	c.doc->events = xcalloc(DC_EVENTS_MAX, sizeof *c.doc->events);
	dc_key_figures(&c);
	dc_campaigns(&c);
	dc_budgets(&c);
	dc_alerts(&c);
	dc_issues(&c);
	c.doc->footnote = xstrdup(tr(c.lang, "ROI is (revenue - cost) / cost; "
	    "a threshold written \"R:1\" (e.g. \"2.5:1\") means R of revenue "
	    "per 1 spent."));
	c.doc->signature = xstrdup("roiwatch");
	return (c.doc);
}
