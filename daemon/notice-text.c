/*
 * The words of a notice: its subject line and plain-text body in the
 * client's language, and the formats of ratios and thresholds they share
 * with the webhook's JSON. Pure.
 */

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kpi.h"
#include "log.h"
#include "metric.h"
#include "money.h"
#include "notice.h"
#include "notice-internal.h"
#include "utf8.h"
#include "rules.h"
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

const char *
notice_undefined(int fr)
{
	return (fr ? "non défini" : "undefined");
}

/*
 * A ratio with two decimals, rounded half away from zero, with the language's
 * decimal separator. Written by hand so that the process locale never matters.
 */
static char *
notice_fmt_2dp(double v, int fr, char *buf, size_t len)
{
	long long	c;

	if (!isfinite(v) || fabs(v) > 1e15) {
		snprintf(buf, len, "%s", notice_undefined(fr));
		return (buf);
	}
	c = llround(v * 100.0);
	snprintf(buf, len, "%s%lld%c%02lld", c < 0 ? "-" : "", llabs(c) / 100,
	    fr ? ',' : '.', llabs(c) % 100);
	return (buf);
}

/* English "237.86%" into French "237,86 %" (U+202F before the sign). */
static char *
notice_frenchify(const char *in, char *buf, size_t len)
{
	struct sbuf	 b = { NULL, 0, 0 };
	const char	*p;

	for (p = in; *p != '\0'; p++) {
		if (*p == '.')
			sbuf_add(&b, ",", 1);
		else if (*p == '%')
			sbuf_puts(&b, "\xe2\x80\xaf%");
		else
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
	if (fr)
		return (notice_frenchify(text, buf, len));
	snprintf(buf, len, "%s", text);
	return (buf);
}

static char *
notice_fmt_percent(const struct kpi_value *v, int fr, char *buf, size_t len)
{
	char	tmp[64];

	if (!v->defined)
		return (notice_localise(notice_undefined(fr), 0, buf, len));
	kpi_format_percent(v, tmp, sizeof tmp);
	return (notice_localise(tmp, fr, buf, len));
}

char *
notice_fmt_threshold(int64_t ppm, int fr, char *buf, size_t len)
{
	char	tmp[64];

	kpi_format_roi_threshold(ppm, tmp, sizeof tmp);
	return (notice_localise(tmp, fr, buf, len));
}

static char *
notice_fmt_roas(const struct kpi_value *v, int fr, char *buf, size_t len)
{
	char	tmp[64];

	if (v->missing)
		return (notice_localise(fr ? "manquant" : "missing", 0, buf,
		    len));
	if (!v->defined)
		return (notice_localise(notice_undefined(fr), 0, buf, len));
	snprintf(buf, len, "%s:1", notice_fmt_2dp(v->value, fr, tmp, sizeof tmp));
	return (buf);
}

/* What happened to one event, as a short phrase. */
static const char *
notice_event_title(const struct notice_event *e, int fr)
{
	if (e->kind == ALERT_ROI_LOW) {
		switch (e->action) {
		case RULE_FIRE:
			return (fr ? "ROI sous le minimum convenu" :
			    "ROI under the agreed minimum");
		case RULE_REPEAT:
			return (fr ? "ROI toujours sous le minimum convenu" :
			    "ROI still under the agreed minimum");
		case RULE_RESOLVE:
			return (fr ? "ROI revenu au-dessus du minimum convenu" :
			    "ROI back above the agreed minimum");
		default:
			break;
		}
	} else if (e->kind == ALERT_ROI_TARGET &&
	    (e->action == RULE_GOOD || e->action == RULE_FIRE ||
	    e->action == RULE_REPEAT))
		return (fr ? "Objectif de ROI atteint" : "ROI target reached");
	return (fr ? "Point sur le ROI" : "ROI update");
}

/* ---- Text ---- */

char *
notice_subject(const struct notice *n)
{
	struct sbuf	 b = { NULL, 0, 0 };
	size_t		 low = 0, still = 0, back = 0, good = 0, other = 0, i;
	size_t		 alert = 0, ralert = 0, resolved = 0, flap = 0;
	int		 fr = notice_is_fr(n), parts = 0;
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
	sbuf_printf(&b, "[roiwatch] %s%s:", n->test ? (fr ? "ESSAI " : "TEST ") :
	    "", name);
	free(name);

#define PART(count, en1, enN, fr1, frN) do {				\
	if ((count) > 0) {						\
		sbuf_printf(&b, "%s %zu %s", parts++ ? "," : "",	\
		    (size_t)(count), fr ? ((count) > 1 ? frN : fr1) :	\
		    ((count) > 1 ? enN : en1));				\
	}								\
} while (0)
	PART(low, "campaign under the agreed ROI",
	    "campaigns under the agreed ROI",
	    "campagne sous le ROI minimum convenu",
	    "campagnes sous le ROI minimum convenu");
	PART(still, "campaign still under the agreed ROI",
	    "campaigns still under the agreed ROI",
	    "campagne toujours sous le ROI minimum convenu",
	    "campagnes toujours sous le ROI minimum convenu");
	PART(back, "campaign back above the agreed ROI",
	    "campaigns back above the agreed ROI",
	    "campagne revenue au-dessus du ROI minimum convenu",
	    "campagnes revenues au-dessus du ROI minimum convenu");
	PART(alert, "alert", "alerts", "alerte", "alertes");
	PART(ralert, "alert still on", "alerts still on",
	    "alerte toujours active", "alertes toujours actives");
	PART(resolved, "alert resolved", "alerts resolved", "alerte résolue",
	    "alertes résolues");
	PART(good, "target reached", "targets reached",
	    "objectif atteint", "objectifs atteints");
	PART(flap, "alert flapping (held)", "alerts flapping (held)",
	    "alerte instable (suspendue)", "alertes instables (suspendues)");
	PART(other, "update", "updates", "information", "informations");
#undef PART
	if (parts == 0)
		sbuf_puts(&b, fr ? " aucun changement" : " no change");
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
notice_sources_line(struct ndoc_event *ev, int fr, const struct notice_event *e)
{
	char	 label[64], day[11], *cost, *rev, *val;

	if (e->src_cost[0] == '\0' && e->src_revenue[0] == '\0')
		return;
	metric_format_date(e->src_day, day);
	snprintf(label, sizeof label, fr ? "Dernier jour (%s)" :
	    "Latest day (%s)", day);
	cost = notice_clean(e->src_cost);
	rev = notice_clean(e->src_revenue);
	if (*cost != '\0' && strcmp(cost, rev) == 0)
		xasprintf(&val, fr ? "coût et revenus de %s" :
		    "cost and revenue from %s", cost);
	else if (*cost != '\0' && *rev != '\0')
		xasprintf(&val, fr ? "coût de %s, revenus de %s" :
		    "cost from %s, revenue from %s", cost, rev);
	else if (*cost != '\0')
		xasprintf(&val, fr ? "coût de %s" : "cost from %s", cost);
	else
		xasprintf(&val, fr ? "revenus de %s" : "revenue from %s", rev);
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
	int			 fr = notice_is_fr(n);

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
		xasprintf(&ev->subject, fr ? "Campagne « %s » (%s)" :
		    "Campaign \"%s\" (%s)", campaign, channel);
	else
		xasprintf(&ev->subject, fr ? "Campagne « %s »" :
		    "Campaign \"%s\"", campaign);
	ev->title = xstrdup(notice_event_title(e, fr));
	free(campaign);
	free(channel);

	notice_fmt_percent(&v[KPI_ROI], fr, pct, sizeof pct);
	if (v[KPI_ROI].defined) {
		notice_fmt_2dp(v[KPI_ROI].value, fr, per, sizeof per);
		snprintf(val, sizeof val, fr ? "%s (%s pour 1 dépensé)" :
		    "%s (%s per 1 spent)", pct, per);
	} else if (v[KPI_ROI].missing)
		snprintf(val, sizeof val, "%s", fr ? "manquant (aucun jour avec "
		    "coût et revenus)" : "missing (no day with cost and revenue)");
	else
		snprintf(val, sizeof val, "%s", fr ?
		    "non défini (aucun coût)" : "undefined (no cost)");
	ndoc_add(ev, "ROI", val);
	/* ROI, ROAS, cost, revenue and profit: over the same samples. */
	ndoc_add(ev, fr ? "Jugé sur" : "Judged over",
	    kpi_format_coverage(&v[KPI_ROI], &e->gaps, 0, n->language, cov,
	    sizeof cov));
	notice_sources_line(ev, fr, e);
	ndoc_add(ev, "ROAS", notice_fmt_roas(&v[KPI_ROAS], fr, val,
	    sizeof val));
	if (cr->samples > 0)
		money_format_currency(cr->a, n->currency, n->language, val,
		    sizeof val);
	else
		snprintf(val, sizeof val, "%s", fr ? "manquant" : "missing");
	ndoc_add(ev, fr ? "Coût" : "Cost", val);
	if (cr->samples > 0)
		money_format_currency(cr->b, n->currency, n->language, val,
		    sizeof val);
	ndoc_add(ev, fr ? "Revenus" : "Revenue", val);
	ndoc_add(ev, fr ? "Bénéfice" : "Profit", kpi_format_value(
	    kpi_def(KPI_PROFIT), &v[KPI_PROFIT], n->currency, n->language, val,
	    sizeof val));
	ndoc_add(ev, fr ? "Minimum convenu" : "Agreed minimum",
	    notice_fmt_threshold(e->min_roi_ppm, fr, val, sizeof val));
	if (e->has_target)
		ndoc_add(ev, fr ? "Objectif" : "Target",
		    notice_fmt_threshold(e->target_roi_ppm, fr, val,
		    sizeof val));

	if (e->window_days > 0)
		snprintf(val, sizeof val, fr ? "%lld derniers jours" :
		    "last %lld days", (long long)e->window_days);
	else
		snprintf(val, sizeof val, "%s", fr ? "depuis le début" :
		    "lifetime");
	if (e->totals.samples > 0) {
		metric_format_date(e->totals.first_day, a);
		metric_format_date(e->totals.last_day, c);
		snprintf(val + strlen(val), sizeof val - strlen(val),
		    fr ? " (du %s au %s)" : " (%s to %s)", a, c);
	}
	ndoc_add(ev, fr ? "Période" : "Window", val);
	if (e->rule.name[0] != '\0')
		notice_rule_text(ev, n, e, 0);
}

struct ndoc *
notice_doc(const struct notice *n)
{
	struct ndoc	*d;
	char		*name;
	size_t		 i;
	int		 fr = notice_is_fr(n);

	d = xcalloc(1, sizeof *d);
	d->language = n->language;
	d->label_sep = fr ? "\xc2\xa0:" : ":";
	d->subject = notice_subject(n);
	d->greeting = xstrdup(fr ? "Bonjour," : "Hello,");
	name = notice_clean(n->client_name);
	xasprintf(&d->intro, fr ? "roiwatch a évalué les campagnes de %s." :
	    "roiwatch has evaluated the campaigns of %s.", name);
	free(name);
	if (n->test)
		d->test_note = xstrdup(fr ? "Ceci est un message d'essai envoyé "
		    "par « roiwatch test-notify » : la campagne ci-dessous est "
		    "un exemple." : "This is a test message sent by \"roiwatch "
		    "test-notify\": the campaign below is an example.");
	d->events = xcalloc(n->nevents == 0 ? 1 : n->nevents,
	    sizeof *d->events);
	for (i = 0; i < n->nevents; i++) {
		d->events[i].idx = i + 1;
		notice_event_doc(&d->events[i], n, &n->events[i]);
		d->nevents++;
	}
	if (n->nunreadable > 0)
		xasprintf(&d->unreadable, fr ? "%zu autre(s) événement(s) n'ont "
		    "pas pu être lus ; le journal du démon dit pourquoi." :
		    "%zu more event(s) could not be read; the daemon's log "
		    "says why.", n->nunreadable);
	d->footnote = xstrdup(fr ? "Le ROI est (revenus - coût) / coût ; un "
	    "seuil écrit « R:1 » (ex. « 2,5:1 ») signifie R de revenus pour 1 "
	    "dépensé." : "ROI is (revenue - cost) / cost; a threshold written "
	    "\"R:1\" (e.g. \"2.5:1\") means R of revenue per 1 spent.");
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
