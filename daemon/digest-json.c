/*
 * report.json (digest.h): every figure of the digest, exact -- money in
 * micros, ratios in ppm, as JSON integers written from their digits (a
 * cJSON number is a double and would round above 2^53) -- beside the text
 * the page shows for it (digest-words.c, as the plain text shows it), and
 * the narrative with the anchor of each sentence. Dates are ISO 8601 local
 * days of the client; instants ISO 8601 in UTC. Pure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "digest.h"
#include "digest-words.h"
#include "log.h"
#include "metric.h"
#include "rules.h"
#include "window.h"
#include "xmalloc.h"

/* An exact integer, whatever its size. */
static void
json_int(cJSON *o, const char *name, int64_t v)
{
	char	 buf[24];
	cJSON	*item;

	snprintf(buf, sizeof buf, "%lld", (long long)v);
	if ((item = cJSON_CreateRaw(buf)) == NULL)
		fatalx("%s: out of memory", __func__);
	cJSON_AddItemToObject(o, name, item);
}

static void
json_day(cJSON *o, const char *name, int32_t day)
{
	char	buf[16];

	if (day == INT32_MIN || day == INT32_MAX) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	metric_format_date(day, buf);
	cJSON_AddStringToObject(o, name, buf);
}

/* "2026-12-01T07:00:00Z" */
static void
json_instant(cJSON *o, const char *name, int64_t t)
{
	char	 day[16], buf[32];
	int64_t	 d = t / 86400, s = t % 86400;

	if (s < 0) {
		s += 86400;
		d--;
	}
	metric_format_date((int32_t)d, day);
	snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", day, (int)(s / 3600),
	    (int)(s % 3600 / 60), (int)(s % 60));
	cJSON_AddStringToObject(o, name, buf);
}

static const char *
json_why(enum measure_why why)
{
	switch (why) {
	case MEASURE_MISSING:
		return ("missing");
	case MEASURE_NO_INPUT:
		return ("no_input");
	case MEASURE_UNDEFINED:
		return ("undefined");
	default:
		return ("ok");
	}
}

/* Money: {"micros", "text"}. */
static void
json_money(const struct digest *d, cJSON *o, const char *name, int64_t v)
{
	char	 text[DW_TEXT_MAX];
	cJSON	*m = cJSON_AddObjectToObject(o, name);

	json_int(m, "micros", v);
	cJSON_AddStringToObject(m, "text", dw_money(d, v, text, sizeof text));
}

/* A measure: {"value" (null when undefined), "unit", "inexact", "why",
 * "text"} in the unit given ("ppm", "micros"). */
static cJSON *
json_measure(cJSON *o, const char *name, const struct measure_value *v,
    const char *unit, const char *text)
{
	cJSON	*m = cJSON_AddObjectToObject(o, name);

	if (v->defined)
		json_int(m, "value", v->floor);
	else
		cJSON_AddNullToObject(m, "value");
	cJSON_AddStringToObject(m, "unit", unit);
	cJSON_AddBoolToObject(m, "inexact", v->defined && v->inexact);
	if (!v->defined)
		cJSON_AddStringToObject(m, "why", json_why(v->why));
	cJSON_AddStringToObject(m, "text", text);
	return (m);
}

static void
json_figures(const struct digest *d, cJSON *o, const char *name,
    const struct digest_figures *f)
{
	char	 text[DW_TEXT_MAX];
	cJSON	*g = cJSON_AddObjectToObject(o, name), *roi;

	cJSON_AddBoolToObject(g, "has", f->has);
	json_money(d, g, "spend", f->spend);
	json_money(d, g, "revenue", f->revenue);
	json_money(d, g, "profit", f->profit);
	json_measure(g, "conversions", &(struct measure_value){ .defined = 1,
	    .floor = f->conversions }, "micros", dw_count(d, f->conversions,
	    text, sizeof text));
	roi = json_measure(g, "roi", &f->roi, "ppm", dw_percent(d, &f->roi,
	    text, sizeof text));
	/* The same ROI as "R:1": profit per 1 spent. */
	cJSON_AddStringToObject(roi, "per1_text", dw_per1(d, &f->roi, text,
	    sizeof text));
	json_measure(g, "roas", &f->roas, "ppm", dw_ratio(d, &f->roas, 0, text,
	    sizeof text));
	json_measure(g, "cpa", &f->cpa, "micros", dw_money_value(d, &f->cpa,
	    text, sizeof text));
	json_int(g, "days", f->days);
	json_int(g, "days_complete", f->days_complete);
}

static void
json_period(const struct digest *d, cJSON *o, const char *name, int32_t from,
    int32_t to)
{
	struct window_range	 r = { from, to };
	char			 text[WINDOW_RANGE_TEXT_MAX];
	cJSON			*p = cJSON_AddObjectToObject(o, name);

	json_day(p, "from", from);
	json_day(p, "to", to);
	json_int(p, "days", (int64_t)to - from + 1);
	cJSON_AddStringToObject(p, "text", window_format_range(&r, dw_lang(d),
	    text, sizeof text));
}

static void
json_totals(const struct digest *d, cJSON *o)
{
	char	 text[DW_TEXT_MAX];
	cJSON	*t = cJSON_AddObjectToObject(o, "totals"), *c;

	json_figures(d, t, "cur", &d->total);
	json_figures(d, t, "prev", &d->prev_total);
	c = cJSON_AddObjectToObject(t, "change");
	cJSON_AddStringToObject(c, "spend", dw_change(d, d->total.spend,
	    d->prev_total.spend, text, sizeof text));
	cJSON_AddStringToObject(c, "revenue", dw_change(d, d->total.revenue,
	    d->prev_total.revenue, text, sizeof text));
	cJSON_AddStringToObject(c, "profit", dw_change(d, d->total.profit,
	    d->prev_total.profit, text, sizeof text));
	cJSON_AddStringToObject(c, "roi_points", dw_change_points(d,
	    &d->total.roi, &d->prev_total.roi, text, sizeof text));
	cJSON_AddStringToObject(c, "roi_per1", dw_change_per1(d,
	    &d->total.roi, &d->prev_total.roi, text, sizeof text));
}

static void
json_thresholds(const struct digest *d, cJSON *o)
{
	char	 text[DW_TEXT_MAX];
	cJSON	*t = cJSON_AddObjectToObject(o, "thresholds"), *x;

	if (d->has_min) {
		x = cJSON_AddObjectToObject(t, "min_roi");
		json_int(x, "ppm", d->min_roi_ppm);
		cJSON_AddStringToObject(x, "text", dw_threshold(d,
		    d->min_roi_ppm, text, sizeof text));
	} else
		cJSON_AddNullToObject(t, "min_roi");
	if (d->has_target) {
		x = cJSON_AddObjectToObject(t, "target_roi");
		json_int(x, "ppm", d->target_roi_ppm);
		cJSON_AddStringToObject(x, "text", dw_threshold(d,
		    d->target_roi_ppm, text, sizeof text));
	} else
		cJSON_AddNullToObject(t, "target_roi");
}

static cJSON *
json_row(const struct digest *d, const struct digest_row *r, int channel)
{
	struct measure_value	 share;
	char			 text[DW_TEXT_MAX];
	cJSON			*o = cJSON_CreateObject(), *a;
	const char		*p, *e;

	cJSON_AddStringToObject(o, "name", r->name);
	if (!channel)
		cJSON_AddStringToObject(o, "channel", r->channel);
	json_figures(d, o, "cur", &r->cur);
	json_figures(d, o, "prev", &r->prev);
	json_day(o, "last_day", r->last_day);
	if (channel) {
		share = dw_share(r->cur.revenue, d->total.revenue);
		json_measure(o, "revenue_share", &share, "ppm",
		    dw_percent(d, &share, text, sizeof text));
		json_measure(o, "clv", &r->clv, "micros", dw_money_value(d,
		    &r->clv, text, sizeof text));
		json_measure(o, "clv_cac", &r->clv_cac, "ppm", dw_ratio(d,
		    &r->clv_cac, 0, text, sizeof text));
		return (o);
	}
	cJSON_AddStringToObject(o, "state", rules_state_name(r->state));
	a = cJSON_AddArrayToObject(o, "alerts");
	for (p = r->alerts != NULL ? r->alerts : ""; *p != '\0'; p = e) {
		while (*p == ',' || *p == ' ')
			p++;
		for (e = p; *e != '\0' && *e != ','; e++)
			;
		if (e > p) {
			char *one = xmalloc((size_t)(e - p) + 1);

			memcpy(one, p, (size_t)(e - p));
			one[e - p] = '\0';
			cJSON_AddItemToArray(a, cJSON_CreateString(one));
			free(one);
		}
	}
	return (o);
}

static void
json_days(cJSON *o, const char *name, const struct digest_day *days,
    size_t n)
{
	cJSON	*a = cJSON_AddArrayToObject(o, name), *x;
	size_t	 i;

	for (i = 0; i < n; i++) {
		x = cJSON_CreateObject();
		json_day(x, "day", days[i].day);
		cJSON_AddBoolToObject(x, "has", days[i].has);
		json_int(x, "spend", days[i].spend);
		json_int(x, "revenue", days[i].revenue);
		cJSON_AddItemToArray(a, x);
	}
}

static void
json_budgets(const struct digest *d, cJSON *o)
{
	struct measure_value	 v;
	char			 text[DW_TEXT_MAX];
	cJSON			*a = cJSON_AddArrayToObject(o, "budgets"), *x;
	size_t			 i;

	for (i = 0; i < d->nbudgets; i++) {
		const struct digest_budget *b = &d->budgets[i];

		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "rule", b->rule);
		cJSON_AddStringToObject(x, "subject", b->subject);
		json_money(d, x, "budget", b->budget);
		json_money(d, x, "spent", b->spent);
		json_day(x, "from", b->from);
		json_day(x, "to", b->to);
		cJSON_AddBoolToObject(x, "running", b->running);
		v = dw_exact(b->used_ppm);
		json_measure(x, "used", &v, "ppm", dw_percent(d, &v, text,
		    sizeof text));
		v = dw_exact(b->pacing_ppm);
		json_measure(x, "pacing", &v, "ppm", dw_ratio(d, &v, 1, text,
		    sizeof text));
		json_money(d, x, "projected", b->projected);
		json_day(x, "runout_day", b->runout_day);
		cJSON_AddBoolToObject(x, "at_risk", b->running &&
		    b->runout_day != INT32_MAX && b->runout_day < b->to);
		cJSON_AddItemToArray(a, x);
	}
}

static void
json_customs(const struct digest *d, cJSON *o)
{
	char	 text[DW_TEXT_MAX];
	cJSON	*a = cJSON_AddArrayToObject(o, "customs"), *x, *y;
	size_t	 i;

	for (i = 0; i < d->ncustoms; i++) {
		const struct digest_custom *c = &d->customs[i];

		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", c->name);
		y = cJSON_AddObjectToObject(x, "cur");
		json_int(y, "micros", c->cur);
		json_int(y, "days", c->cur_days);
		cJSON_AddStringToObject(y, "text", dw_count(d, c->cur, text,
		    sizeof text));
		y = cJSON_AddObjectToObject(x, "prev");
		json_int(y, "micros", c->prev);
		json_int(y, "days", c->prev_days);
		cJSON_AddStringToObject(y, "text", dw_count(d, c->prev, text,
		    sizeof text));
		cJSON_AddStringToObject(x, "change", c->cur_days > 0 &&
		    c->prev_days > 0 ? dw_change(d, c->cur, c->prev, text,
		    sizeof text) : "\xe2\x80\x93");
		cJSON_AddItemToArray(a, x);
	}
}

static void
json_alerts(const struct digest *d, cJSON *o)
{
	cJSON	*a = cJSON_AddArrayToObject(o, "alerts"), *x;
	size_t	 i;

	for (i = 0; i < d->nalerts; i++) {
		const struct digest_alert *e = &d->alerts[i];

		x = cJSON_CreateObject();
		json_instant(x, "at", e->at);
		cJSON_AddStringToObject(x, "event", e->fired ? "fired" :
		    "resolved");
		cJSON_AddStringToObject(x, "rule", e->rule);
		cJSON_AddStringToObject(x, "scope", rules_scope_name(e->scope));
		cJSON_AddStringToObject(x, "subject", e->subject);
		cJSON_AddStringToObject(x, "severity",
		    rules_severity_name(e->severity));
		cJSON_AddItemToArray(a, x);
	}
}

static void
json_notes(const struct digest *d, cJSON *o)
{
	cJSON	*a = cJSON_AddArrayToObject(o, "notes"), *x;
	size_t	 i;

	for (i = 0; i < d->nnotes; i++) {
		const struct digest_note *n = &d->notes[i];

		x = cJSON_CreateObject();
		json_int(x, "id", n->id);
		json_day(x, "day", n->day);
		cJSON_AddStringToObject(x, "campaign", n->campaign);
		cJSON_AddStringToObject(x, "channel", n->channel);
		cJSON_AddStringToObject(x, "text", n->text);
		cJSON_AddItemToArray(a, x);
	}
}

static void
json_issues(const struct digest *d, cJSON *o)
{
	static const char *kinds[DIGEST_ISSUE_MAX] = {
		"coverage", "stale", "source"
	};
	cJSON	*a = cJSON_AddArrayToObject(o, "issues"), *x;
	size_t	 i;

	for (i = 0; i < d->nissues; i++) {
		const struct digest_issue *is = &d->issues[i];

		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "kind", (int)is->kind >= 0 &&
		    is->kind < DIGEST_ISSUE_MAX ? kinds[is->kind] : "?");
		cJSON_AddStringToObject(x, "subject", is->subject);
		if (is->kind == DIGEST_ISSUE_COVERAGE) {
			json_int(x, "days", is->days);
			json_int(x, "days_total", is->days_total);
		}
		if (is->kind == DIGEST_ISSUE_STALE)
			json_day(x, "last_day", is->last_day);
		if (is->kind == DIGEST_ISSUE_SOURCE)
			cJSON_AddStringToObject(x, "detail", is->detail != NULL ?
			    is->detail : "");
		cJSON_AddItemToArray(a, x);
	}
}

static void
json_story(const struct digest *d, cJSON *o)
{
	struct digest_sentence	*s;
	cJSON			*a = cJSON_AddArrayToObject(o, "story"), *x;
	size_t			 i, n;

	n = digest_story(d, &s);
	for (i = 0; i < n; i++) {
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "text", s[i].text);
		cJSON_AddStringToObject(x, "ref", s[i].ref);
		cJSON_AddItemToArray(a, x);
	}
	digest_story_free(s, n);
}

cJSON *
digest_json(const struct digest *d)
{
	cJSON	*o = cJSON_CreateObject(), *c, *a;
	char	*subject;
	size_t	 i;

	c = cJSON_AddObjectToObject(o, "client");
	cJSON_AddStringToObject(c, "id", d->client_id);
	cJSON_AddStringToObject(c, "name", d->client_name);
	cJSON_AddStringToObject(c, "currency", d->currency);
	cJSON_AddStringToObject(c, "language", dw_lang(d));
	cJSON_AddStringToObject(c, "timezone", d->timezone);
	cJSON_AddStringToObject(o, "schedule", d->schedule != NULL ?
	    d->schedule : "");
	json_period(d, o, "period", d->from_day, d->to_day);
	json_period(d, o, "previous", d->prev_from, d->prev_to);
	json_instant(o, "generated", d->generated);
	cJSON_AddBoolToObject(o, "late", d->late);
	subject = digest_subject(d);
	cJSON_AddStringToObject(o, "subject", subject);
	free(subject);
	json_thresholds(d, o);
	json_totals(d, o);
	a = cJSON_AddArrayToObject(o, "channels");
	for (i = 0; i < d->nchannels; i++)
		cJSON_AddItemToArray(a, json_row(d, &d->channels[i], 1));
	a = cJSON_AddArrayToObject(o, "campaigns");
	for (i = 0; i < d->ncampaigns; i++)
		cJSON_AddItemToArray(a, json_row(d, &d->campaigns[i], 0));
	json_days(o, "days", d->days, d->ndays);
	json_days(o, "prev_days", d->prev_days, d->nprev_days);
	json_budgets(d, o);
	json_customs(d, o);
	json_alerts(d, o);
	json_notes(d, o);
	json_issues(d, o);
	json_day(o, "last_day", d->last_day);
	json_story(d, o);
	return (o);
}
