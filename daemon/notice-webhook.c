/*
 * The JSON body of the generic webhook: the notice, its subject and text, and
 * every amount both exact (micros) and as the text formats it. Pure.
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



/* ---- Webhook ---- */

/* A ratio rounded to `scale` (100: two decimals) as a JSON number, or null. */
static cJSON *
json_rounded(const struct kpi_value *v, double mul)
{
	if (!v->defined || !isfinite(v->value))
		return (cJSON_CreateNull());
	return (cJSON_CreateNumber(round(v->value * mul * 100.0) / 100.0));
}

/* A ratio as the percentage kpi_format_percent() writes, or null: the
 * payload and the text never round the same value two ways. */
static cJSON *
json_percent(const struct kpi_value *v)
{
	char	 buf[64], *end;
	double	 d;

	if (!v->defined || !isfinite(v->value))
		return (cJSON_CreateNull());
	kpi_format_percent(v, buf, sizeof buf);
	d = strtod(buf, &end);
	if (*end != '%')
		return (cJSON_CreateNull());
	return (cJSON_CreateNumber(d));
}

/* "NAME_micros" and "NAME" (formatted) of an amount, or nulls. */
static void
notice_json_amount(cJSON *o, const char *name, int known, int64_t micros,
    const struct notice *n, char *buf, size_t len)
{
	char key[32];

	snprintf(key, sizeof key, "%s_micros", name);
	if (!known) {
		cJSON_AddNullToObject(o, key);
		cJSON_AddNullToObject(o, name);
		return;
	}
	json_int(o, key, micros);
	cJSON_AddStringToObject(o, name, money_format_currency(micros,
	    n->currency, n->language, buf, len));
}

char *
notice_render_webhook(const struct notice *n, const char *idem_key)
{
	cJSON				*root, *client, *events, *o, *src;
	const struct notice_event	*e;
	const struct kpi_pair_sums	*cr;
	struct kpi_value		 v[KPI__MAX];
	char				 buf[128], cov[1024], day[11], *s;
	size_t				 i;

	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "idempotency_key",
	    idem_key != NULL ? idem_key : "");
	client = cJSON_AddObjectToObject(root, "client");
	cJSON_AddStringToObject(client, "id", n->client_id);
	cJSON_AddStringToObject(client, "name", n->client_name);
	cJSON_AddStringToObject(client, "currency", n->currency);
	cJSON_AddStringToObject(client, "language", n->language);
	json_int(root, "created", n->created);
	cJSON_AddBoolToObject(root, "test", n->test != 0);
	s = notice_subject(n);
	cJSON_AddStringToObject(root, "subject", s);
	free(s);
	s = notice_body_text(n);
	cJSON_AddStringToObject(root, "text", s);
	free(s);

	if (n->nunreadable > 0)
		json_int(root, "unreadable_events", (int64_t)n->nunreadable);
	if (n->nsuperseded > 0)
		json_int(root, "superseded_events", (int64_t)n->nsuperseded);
	events = cJSON_AddArrayToObject(root, "events");
	for (i = 0; i < n->nevents; i++) {
		e = &n->events[i];
		kpi_compute(&e->totals, v);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "campaign", e->campaign);
		cJSON_AddStringToObject(o, "channel", e->channel);
		cJSON_AddStringToObject(o, "kind", rules_kind_name(e->kind));
		cJSON_AddStringToObject(o, "action",
		    rules_action_name(e->action));
		/* The very figure the text shows: one rounding. */
		cJSON_AddItemToObject(o, "roi_percent",
		    json_percent(&v[KPI_ROI]));
		cJSON_AddItemToObject(o, "roas", json_rounded(&v[KPI_ROAS],
		    1.0));
		/* Missing is not zero: no complete day, no amounts. */
		cr = &e->totals.pair[KPI_PAIR_COST_REVENUE];
		notice_json_amount(o, "cost", cr->samples > 0, cr->a, n, buf,
		    sizeof buf);
		notice_json_amount(o, "revenue", cr->samples > 0, cr->b, n,
		    buf, sizeof buf);
		if (v[KPI_PROFIT].defined)
			cJSON_AddItemToObject(o, "profit_micros",
			    json_int_item((notice_i128)cr->b - cr->a));
		else
			cJSON_AddNullToObject(o, "profit_micros");
		cJSON_AddStringToObject(o, "profit", kpi_format_value(
		    kpi_def(KPI_PROFIT), &v[KPI_PROFIT], n->currency,
		    n->language, buf, sizeof buf));
		json_int(o, "days_complete", cr->days);
		json_int(o, "days", e->totals.days);
		if (e->src_cost[0] != '\0' || e->src_revenue[0] != '\0') {
			metric_format_date(e->src_day, day);
			src = cJSON_AddObjectToObject(o, "sources");
			cJSON_AddStringToObject(src, "day", day);
			cJSON_AddStringToObject(src, "cost", e->src_cost);
			cJSON_AddStringToObject(src, "revenue", e->src_revenue);
		}
		cJSON_AddStringToObject(o, "coverage", kpi_format_coverage(
		    &v[KPI_ROI], &e->gaps, 0, n->language, cov, sizeof cov));
		cJSON_AddStringToObject(o, "minimum_roi",
		    notice_fmt_threshold_lang(e->min_roi_ppm, n->language, buf,
		    sizeof buf));
		if (e->has_target)
			cJSON_AddStringToObject(o, "target_roi",
			    notice_fmt_threshold_lang(e->target_roi_ppm,
			    n->language, buf, sizeof buf));
		else
			cJSON_AddNullToObject(o, "target_roi");
		json_int(o, "window_days", e->window_days);
		if (e->totals.samples > 0) {
			metric_format_date(e->totals.first_day, buf);
			cJSON_AddStringToObject(o, "first_day", buf);
			metric_format_date(e->totals.last_day, buf);
			cJSON_AddStringToObject(o, "last_day", buf);
		} else {
			cJSON_AddNullToObject(o, "first_day");
			cJSON_AddNullToObject(o, "last_day");
		}
		if (e->rule.name[0] != '\0')
			notice_rule_webhook(o, n, e);
		cJSON_AddItemToArray(events, o);
	}
	s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (s == NULL)
		fatalx("%s: out of memory", __func__);
	return (s);
}
