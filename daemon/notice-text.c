/*
 * The words of a notice: its subject line and plain-text body in the
 * client's language, and the formats of ratios and thresholds they share
 * with the webhook's JSON. Every word and every number convention (decimal
 * separator, percent sign, label punctuation) comes from the message
 * catalogue (catalog.h, po/), so a language is a file. Pure.
 */

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "kpi.h"
#include "log.h"
#include "metric.h"
#include "money.h"
#include "notice.h"
#include "notice-internal.h"
#include "utf8.h"
#include "rules.h"
#include "window.h"
#include "xmalloc.h"

/* Column at which values start in the plain-text body. */
#define NOTICE_LABEL_WIDTH	20




int
notice_is_fr(const struct notice *n)
{
	return (n->language != NULL && strncmp(n->language, "fr", 2) == 0);
}

/* Copy of untrusted text fit for a line: control characters become spaces. */
char *
notice_clean(const char *s)
{
	char	*out, *p;

	out = xstrdup(s == NULL ? "" : s);
	for (p = out; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			*p = ' ';
	}
	return (out);
}

/* For callers that still pass a French flag (notice_localise() and kin). */
static const char *
notice_lang_of(int fr)
{
	return (fr ? "fr" : "en");
}

const char *
notice_undefined(int fr)
{
	return (tr(notice_lang_of(fr), "undefined"));
}

/*
 * A ratio with two decimals, rounded half away from zero, with the language's
 * decimal separator. Written by hand so that the process locale never matters.
 */
static char *
notice_fmt_2dp(double v, const char *lang, char *buf, size_t len)
{
	long long	c;

	if (!isfinite(v) || fabs(v) > 1e15) {
		snprintf(buf, len, "%s", tr(lang, "undefined"));
		return (buf);
	}
	c = llround(v * 100.0);
	snprintf(buf, len, "%s%lld%s%02lld", c < 0 ? "-" : "", llabs(c) / 100,
	    /* TRANSLATORS: the decimal separator. */
	    trc(lang, "number", "."), llabs(c) % 100);
	return (buf);
}

/*
 * A figure written the English way ("237.86%", "2.5:1") in the language's
 * conventions: its decimal separator and its way with the percent sign
 * ("237,86 %" in French, U+202F before the sign).
 */
char *
notice_localise_text(const char *in, const char *lang, char *buf, size_t len)
{
	struct sbuf	 b = { NULL, 0, 0 };
	const char	*p, *num = NULL;
	char		 run[64];
	size_t		 start = 0;

	for (p = in; *p != '\0'; p++) {
		if ((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '+') {
			if (num == NULL) {
				num = p;
				start = b.len;
			}
		} else if (*p != '%')
			num = NULL;
		if (*p == '.')
			/* TRANSLATORS: the decimal separator. */
			sbuf_puts(&b, trc(lang, "number", "."));
		else if (*p == '%' && num != NULL) {
			/* The number just written, with its percent sign. */
			snprintf(run, sizeof run, "%.*s", (int)(b.len - start),
			    b.p + start);
			b.len = start;
			b.p[start] = '\0';
			/* TRANSLATORS: a number as a percentage. */
			sbuf_printf(&b, trc(lang, "number", "%s%%"), run);
			num = NULL;
		} else
			sbuf_add(&b, p, 1);
	}
	snprintf(buf, len, "%s", b.p == NULL ? "" : b.p);
	free(b.p);
	return (buf);
}

/* Text in the notice's language: French digits and spacing, or as is. */
char *
notice_localise(const char *text, int fr, char *buf, size_t len)
{
	return (notice_localise_text(text, notice_lang_of(fr), buf, len));
}

static char *
notice_fmt_percent(const struct kpi_value *v, const char *lang, char *buf,
    size_t len)
{
	char	tmp[64];

	if (!v->defined) {
		snprintf(buf, len, "%s", tr(lang, "undefined"));
		return (buf);
	}
	kpi_format_percent(v, tmp, sizeof tmp);
	return (notice_localise_text(tmp, lang, buf, len));
}

char *
notice_fmt_threshold_lang(int64_t ppm, const char *lang, char *buf,
    size_t len)
{
	char	tmp[64];

	kpi_format_roi_threshold(ppm, tmp, sizeof tmp);
	return (notice_localise_text(tmp, lang, buf, len));
}

char *
notice_fmt_threshold(int64_t ppm, int fr, char *buf, size_t len)
{
	return (notice_fmt_threshold_lang(ppm, notice_lang_of(fr), buf, len));
}

static char *
notice_fmt_roas(const struct kpi_value *v, const char *lang, char *buf,
    size_t len)
{
	char	tmp[64];

	if (v->missing)
		snprintf(buf, len, "%s", tr(lang, "missing"));
	else if (!v->defined)
		snprintf(buf, len, "%s", tr(lang, "undefined"));
	else
		snprintf(buf, len, "%s:1", notice_fmt_2dp(v->value, lang, tmp,
		    sizeof tmp));
	return (buf);
}

/* What happened to one event, as a short phrase. */
static const char *
notice_event_title(const struct notice_event *e, const char *lang)
{
	if (e->kind == ALERT_ROI_LOW) {
		switch (e->action) {
		case RULE_FIRE:
			return (tr(lang, "ROI under the agreed minimum"));
		case RULE_REPEAT:
			return (tr(lang, "ROI still under the agreed minimum"));
		case RULE_RESOLVE:
			return (tr(lang, "ROI back above the agreed minimum"));
		default:
			break;
		}
	} else if (e->kind == ALERT_ROI_TARGET &&
	    (e->action == RULE_GOOD || e->action == RULE_FIRE ||
	    e->action == RULE_REPEAT))
		return (tr(lang, "ROI target reached"));
	return (tr(lang, "ROI update"));
}

/* ---- Text ---- */

char *
notice_subject(const struct notice *n)
{
	struct sbuf	 b = { NULL, 0, 0 };
	size_t		 low = 0, still = 0, back = 0, good = 0, other = 0, i;
	size_t		 alert = 0, ralert = 0, resolved = 0, flap = 0;
	const char	*lang = n->language;
	int		 parts = 0;
	char		*name;

	for (i = 0; i < n->nevents; i++) {
		const struct notice_event *e = &n->events[i];

		if (e->action == RULE_FLAPPING)
			flap++;
		else if (e->kind == ALERT_RULE && e->action == RULE_FIRE)
			alert++;
		else if (e->kind == ALERT_RULE && e->action == RULE_REPEAT)
			ralert++;
		else if (e->kind == ALERT_RULE && e->action == RULE_RESOLVE)
			resolved++;
		else if (e->kind == ALERT_RULE && e->action == RULE_GOOD)
			good++;
		else if (e->kind == ALERT_ROI_LOW && e->action == RULE_FIRE)
			low++;
		else if (e->kind == ALERT_ROI_LOW && e->action == RULE_REPEAT)
			still++;
		else if (e->kind == ALERT_ROI_LOW && e->action == RULE_RESOLVE)
			back++;
		else if (e->kind == ALERT_ROI_TARGET)
			good++;
		else
			other++;
	}
	name = notice_clean(n->client_name);
	/* TRANSLATORS: the subject line's start; %s is the client's name. */
	sbuf_printf(&b, n->test ? tr(lang, "[roiwatch] TEST %s:") :
	    tr(lang, "[roiwatch] %s:"), name);
	free(name);

	/* ", 2 alerts": each part with its count, in the plural it takes. */
#define PART(count, pair) do {						\
	if ((count) > 0) {						\
		sbuf_puts(&b, parts++ ? "," : "");			\
		sbuf_printf(&b, trn(lang, pair, (count)),		\
		    (size_t)(count));					\
	}								\
} while (0)
	PART(low, NP_(" %zu campaign under the agreed ROI",
	    " %zu campaigns under the agreed ROI"));
	PART(still, NP_(" %zu campaign still under the agreed ROI",
	    " %zu campaigns still under the agreed ROI"));
	PART(back, NP_(" %zu campaign back above the agreed ROI",
	    " %zu campaigns back above the agreed ROI"));
	PART(alert, NP_(" %zu alert", " %zu alerts"));
	PART(ralert, NP_(" %zu alert still on", " %zu alerts still on"));
	PART(resolved, NP_(" %zu alert resolved", " %zu alerts resolved"));
	PART(good, NP_(" %zu target reached", " %zu targets reached"));
	PART(flap, NP_(" %zu alert flapping (held)",
	    " %zu alerts flapping (held)"));
	PART(other, NP_(" %zu update", " %zu updates"));
#undef PART
	if (parts == 0)
		sbuf_puts(&b, tr(lang, " no change"));
	return (sbuf_take(&b));
}


/* ---- The document ---- */

void
ndoc_add(struct ndoc_event *ev, const char *label, const char *value)
{
	if (ev->nfields == ev->cap) {
		ev->cap = ev->cap == 0 ? 16 : ev->cap * 2;
		ev->fields = xreallocarray(ev->fields, ev->cap,
		    sizeof *ev->fields);
	}
	ev->fields[ev->nfields].label = xstrdup(label);
	ev->fields[ev->nfields].value = xstrdup(value);
	ev->nfields++;
}

void
ndoc_free(struct ndoc *d)
{
	size_t	i, j;

	if (d == NULL)
		return;
	for (i = 0; i < d->nevents; i++) {
		for (j = 0; j < d->events[i].nfields; j++) {
			free(d->events[i].fields[j].label);
			free(d->events[i].fields[j].value);
		}
		free(d->events[i].fields);
		free(d->events[i].subject);
		free(d->events[i].title);
		free(d->events[i].tag);
	}
	free(d->events);
	free(d->subject);
	free(d->greeting);
	free(d->intro);
	free(d->test_note);
	free(d->catchup);
	free(d->unreadable);
	free(d->footnote);
	free(d->signature);
	free(d);
}

/* How an event looks: its rule's severity, good news, or a resolution. */
static enum ndoc_tone
notice_tone(const struct notice_event *e)
{
	int	sev;

	if (e->action == RULE_RESOLVE || e->action == RULE_GOOD)
		return (NDOC_GOOD);
	if (e->action == RULE_FLAPPING)
		return (NDOC_WARN);
	if (e->kind == ALERT_ROI_LOW)
		return (NDOC_BAD);
	if (e->kind == ALERT_ROI_TARGET)
		return (NDOC_GOOD);
	sev = e->rule.severity;
	if (sev == RULE_SEV_CRITICAL)
		return (NDOC_BAD);
	if (sev == RULE_SEV_WARNING)
		return (NDOC_WARN);
	if (sev == RULE_SEV_GOOD)
		return (NDOC_GOOD);
	return (NDOC_INFO);
}

/* "Latest day (2026-12-02): cost from …, revenue from …": where the figures
 * of the window's last day came from, when known. */
static void
notice_sources_line(struct ndoc_event *ev, const char *lang,
    const struct notice_event *e)
{
	char	 label[64], day[24], *cost, *rev, *val;

	if (e->src_cost[0] == '\0' && e->src_revenue[0] == '\0')
		return;
	window_format_date(e->src_day, lang, day, sizeof day);
	snprintf(label, sizeof label, tr(lang, "Latest day (%s)"), day);
	cost = notice_clean(e->src_cost);
	rev = notice_clean(e->src_revenue);
	if (*cost != '\0' && strcmp(cost, rev) == 0)
		xasprintf(&val, tr(lang, "cost and revenue from %s"), cost);
	else if (*cost != '\0' && *rev != '\0')
		xasprintf(&val, tr(lang, "cost from %s, revenue from %s"), cost,
		    rev);
	else if (*cost != '\0')
		xasprintf(&val, tr(lang, "cost from %s"), cost);
	else
		xasprintf(&val, tr(lang, "revenue from %s"), rev);
	ndoc_add(ev, label, val);
	free(val);
	free(cost);
	free(rev);
}

/* The block of one event of the ROI shorthand (or a rule's). */
static void
notice_event_doc(struct ndoc_event *ev, const struct notice *n,
    const struct notice_event *e)
{
	const struct kpi_pair_sums *cr = &e->totals.pair[KPI_PAIR_COST_REVENUE];
	struct kpi_value	 v[KPI__MAX];
	char			 pct[64], per[64], val[128], a[64], c[64];
	char			 cov[1024];
	char			*campaign, *channel;
	const char		*lang = n->language;

	ev->tone = notice_tone(e);
	if (e->kind == ALERT_RULE || (e->action == RULE_FLAPPING &&
	    e->rule.name[0] != '\0')) {
		notice_rule_head(ev, n, e);
		notice_rule_text(ev, n, e, 1);
		return;
	}
	kpi_compute(&e->totals, v);
	campaign = notice_clean(e->campaign);
	channel = notice_clean(e->channel);
	if (*channel != '\0')
		/* TRANSLATORS: a campaign's name, then its channel. */
		xasprintf(&ev->subject, tr(lang, "Campaign \"%s\" (%s)"),
		    campaign, channel);
	else
		xasprintf(&ev->subject, tr(lang, "Campaign \"%s\""), campaign);
	ev->title = xstrdup(notice_event_title(e, lang));
	free(campaign);
	free(channel);

	notice_fmt_percent(&v[KPI_ROI], lang, pct, sizeof pct);
	if (v[KPI_ROI].defined) {
		notice_fmt_2dp(v[KPI_ROI].value, lang, per, sizeof per);
		/* TRANSLATORS: "237.86% (2.38 per 1 spent)". */
		snprintf(val, sizeof val, tr(lang, "%s (%s per 1 spent)"), pct,
		    per);
	} else if (v[KPI_ROI].missing)
		snprintf(val, sizeof val, "%s", tr(lang,
		    "missing (no day with cost and revenue)"));
	else
		snprintf(val, sizeof val, "%s", tr(lang, "undefined (no cost)"));
	ndoc_add(ev, trc(lang, "KPI", "ROI"), val);
	/* ROI, ROAS, cost, revenue and profit: over the same samples. */
	ndoc_add(ev, tr(lang, "Judged over"),
	    kpi_format_coverage(&v[KPI_ROI], &e->gaps, 0, lang, cov,
	    sizeof cov));
	notice_sources_line(ev, lang, e);
	ndoc_add(ev, trc(lang, "KPI", "ROAS"), notice_fmt_roas(&v[KPI_ROAS],
	    lang, val, sizeof val));
	if (cr->samples > 0)
		money_format_currency(cr->a, n->currency, lang, val,
		    sizeof val);
	else
		snprintf(val, sizeof val, "%s", tr(lang, "missing"));
	ndoc_add(ev, tr(lang, "Cost"), val);
	if (cr->samples > 0)
		money_format_currency(cr->b, n->currency, lang, val,
		    sizeof val);
	ndoc_add(ev, tr(lang, "Revenue"), val);
	ndoc_add(ev, tr(lang, "Profit"), kpi_format_value(
	    kpi_def(KPI_PROFIT), &v[KPI_PROFIT], n->currency, lang, val,
	    sizeof val));
	ndoc_add(ev, tr(lang, "Agreed minimum"),
	    notice_fmt_threshold_lang(e->min_roi_ppm, lang, val, sizeof val));
	if (e->has_target)
		ndoc_add(ev, tr(lang, "Target"),
		    notice_fmt_threshold_lang(e->target_roi_ppm, lang, val,
		    sizeof val));

	if (e->window_days > 0)
		snprintf(val, sizeof val, tr(lang, "last %lld days"),
		    (long long)e->window_days);
	else
		snprintf(val, sizeof val, "%s", tr(lang, "lifetime"));
	if (e->totals.samples > 0) {
		window_format_date(e->totals.first_day, lang, a, sizeof a);
		window_format_date(e->totals.last_day, lang, c, sizeof c);
		/* TRANSLATORS: the first and last days with figures. */
		snprintf(val + strlen(val), sizeof val - strlen(val),
		    tr(lang, " (%s to %s)"), a, c);
	}
	ndoc_add(ev, tr(lang, "Window"), val);
	if (e->rule.name[0] != '\0')
		notice_rule_text(ev, n, e, 0);
}

struct ndoc *
notice_doc(const struct notice *n)
{
	struct ndoc	*d;
	char		*name;
	size_t		 i;
	const char	*lang = n->language;

	d = xcalloc(1, sizeof *d);
	d->language = n->language;
	/* TRANSLATORS: between a label and its value (French: U+00A0 ":"). */
	d->label_sep = trc(lang, "label separator", ":");
	d->subject = notice_subject(n);
	d->greeting = xstrdup(tr(lang, "Hello,"));
	name = notice_clean(n->client_name);
	xasprintf(&d->intro, tr(lang,
	    "roiwatch has evaluated the campaigns of %s."), name);
	free(name);
	if (n->test)
		d->test_note = xstrdup(tr(lang, "This is a test message sent by "
		    "\"roiwatch test-notify\": the campaign below is an "
		    "example."));
	d->events = xcalloc(n->nevents == 0 ? 1 : n->nevents,
	    sizeof *d->events);
	for (i = 0; i < n->nevents; i++) {
		d->events[i].idx = i + 1;
		notice_event_doc(&d->events[i], n, &n->events[i]);
		d->nevents++;
	}
	if (n->nsuperseded > 0)
		xasprintf(&d->catchup, trn(lang, "Catch-up summary: %zu earlier "
		    "event superseded by the latest of each campaign and rule.",
		    "Catch-up summary: %zu earlier events superseded by the "
		    "latest of each campaign and rule.", n->nsuperseded),
		    n->nsuperseded);
	if (n->nunreadable > 0)
		xasprintf(&d->unreadable, tr(lang, "%zu more event(s) could not "
		    "be read; the daemon's log says why."), n->nunreadable);
	d->footnote = xstrdup(tr(lang, "ROI is (revenue - cost) / cost; a "
	    "threshold written \"R:1\" (e.g. \"2.5:1\") means R of revenue "
	    "per 1 spent."));
	d->signature = xstrdup("roiwatch");
	return (d);
}

/* ---- Plain text ---- */

char *
ndoc_head(const struct ndoc *d, const struct ndoc_event *ev)
{
	char	*s;

	if (ev->tag != NULL)
		xasprintf(&s, "%zu. %s%s %s [%s]", ev->idx, ev->subject,
		    d->label_sep, ev->title, ev->tag);
	else
		xasprintf(&s, "%zu. %s%s %s", ev->idx, ev->subject,
		    d->label_sep, ev->title);
	return (s);
}

/* "   Label:     value" padded so that values line up. */
static void
ndoc_text_field(struct sbuf *b, const struct ndoc *d,
    const struct ndoc_field *f)
{
	size_t	w;

	sbuf_printf(b, "   %s%s", f->label, d->label_sep);
	w = utf8_width(f->label) + utf8_width(d->label_sep);
	do
		sbuf_add(b, " ", 1);
	while (++w < NOTICE_LABEL_WIDTH);
	sbuf_puts(b, f->value);
	sbuf_add(b, "\n", 1);
}

char *
ndoc_text(const struct ndoc *d)
{
	struct sbuf	 b = { NULL, 0, 0 };
	char		*head;
	size_t		 i, j;

	sbuf_printf(&b, "%s\n\n%s\n\n", d->greeting, d->intro);
	if (d->test_note != NULL)
		sbuf_printf(&b, "%s\n\n", d->test_note);
	if (d->catchup != NULL)
		sbuf_printf(&b, "%s\n\n", d->catchup);
	for (i = 0; i < d->nevents; i++) {
		head = ndoc_head(d, &d->events[i]);
		sbuf_printf(&b, "%s\n", head);
		free(head);
		for (j = 0; j < d->events[i].nfields; j++)
			ndoc_text_field(&b, d, &d->events[i].fields[j]);
		sbuf_add(&b, "\n", 1);
	}
	if (d->unreadable != NULL)
		sbuf_printf(&b, "%s\n\n", d->unreadable);
	sbuf_printf(&b, "%s\n", d->footnote);
	sbuf_printf(&b, "\n-- \n%s\n", d->signature);
	return (sbuf_take(&b));
}

char *
notice_body_text(const struct notice *n)
{
	struct ndoc	*d = notice_doc(n);
	char		*s;

	s = ndoc_text(d);
	ndoc_free(d);
	return (s);
}
