/*
 * The alert states of a client as JSON (report-alerts.h): moved out of the
 * HTTP read endpoints so that the command line prints the same document.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "log.h"
#include "measure.h"
#include "metric.h"
#include "report-alerts.h"
#include "rules.h"
#include "store.h"
#include "window.h"

struct report_alerts {
	const struct client_conf	*cc;
	cJSON				*list;
};

/* The rule a stored state belongs to, or NULL (no longer configured). */
static const struct rule_def *
report_alert_rule(const struct client_conf *cc, const struct alert_key *k)
{
	size_t	 i;

	for (i = 0; cc != NULL && i < cc->nruleset; i++)
		if (cc->ruleset[i].scope == k->scope &&
		    strcmp(cc->ruleset[i].name, k->rule) == 0)
			return &cc->ruleset[i];
	return NULL;
}

static void
report_alert_int(cJSON *o, const char *name, int64_t v)
{
	char	 buf[24];
	cJSON	*item;

	/* Exact whatever its size: a raw JSON integer, not a double. */
	snprintf(buf, sizeof buf, "%lld", (long long)v);
	if ((item = cJSON_CreateRaw(buf)) == NULL)
		fatalx("%s: out of memory", __func__);
	cJSON_AddItemToObject(o, name, item);
}

/* The value a state was judged on, as its rule's KPI shows it. */
static void
report_alert_value(const struct client_conf *cc, const struct rule_def *r,
    const struct rule_status *st, cJSON *o)
{
	struct measure_value mv;
	char	 text[128], name[64];

	if (!st->judged) {
		cJSON_AddNullToObject(o, "value");
		cJSON_AddStringToObject(o, "value_text",
		    rules_skip_text(st->skip));
		return;
	}
	report_alert_int(o, "value", st->value);
	memset(&mv, 0, sizeof mv);
	mv.defined = 1;
	mv.floor = st->value;
	/* r is NULL whenever cc is: only a configured rule is formatted. */
	if (r == NULL)
		snprintf(text, sizeof text, "%lld (its rule is no longer "
		    "configured)", (long long)st->value);
	else if (r->type == RULE_FRESHNESS)
		snprintf(text, sizeof text, "%lld day%s late",
		    (long long)st->value, st->value == 1 ? "" : "s");
	else if (r->cond[0].m.def == NULL)
		snprintf(text, sizeof text, "%lld", (long long)st->value);
	else if (r->cond[0].change)
		measure_format_change(&mv, cc->language, text, sizeof text);
	else
		measure_format(&r->cond[0].m, &mv, cc->currency, cc->language,
		    text, sizeof text);
	cJSON_AddStringToObject(o, "value_text", text);
	if (r == NULL || r->type == RULE_FRESHNESS || r->cond[0].m.def == NULL)
		return;
	cJSON_AddStringToObject(o, "kpi", measure_name(&r->cond[0].m, name,
	    sizeof name));
	cJSON_AddBoolToObject(o, "change", r->cond[0].change);
	/* A change is a ratio in ppm; a value is in its KPI's unit. */
	cJSON_AddStringToObject(o, "unit", r->cond[0].change ||
	    measure_unit(&r->cond[0].m) == MEASURE_PERCENT ||
	    measure_unit(&r->cond[0].m) == MEASURE_RATIO ? "ppm" : "micros");
}

cJSON *
report_alert_json(const struct client_conf *cc, const struct alert_key *k,
    const struct alert_row *row)
{
	const struct rule_status *st = &row->st;
	const struct rule_def *r = report_alert_rule(cc, k);
	struct window_range w = { row->win_from, row->win_to };
	char	 buf[WINDOW_RANGE_TEXT_MAX];
	time_t	 tt = (time_t)st->since;
	struct tm tm;
	cJSON	*o;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "rule", k->rule);
	cJSON_AddStringToObject(o, "scope", rules_scope_name(k->scope));
	if (k->scope == RULE_SCOPE_CLIENT)
		cJSON_AddNullToObject(o, "subject");
	else
		cJSON_AddStringToObject(o, "subject", k->subject);
	cJSON_AddStringToObject(o, "state", rules_state_name(st->state));
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tt, &tm));
	cJSON_AddStringToObject(o, "since", buf);
	cJSON_AddBoolToObject(o, "flapping", st->flapping);
	if (r != NULL)
		cJSON_AddStringToObject(o, "severity",
		    rules_severity_name(r->severity));
	cJSON_AddBoolToObject(o, "judged", st->judged);
	report_alert_value(cc, r, st, o);
	report_alert_int(o, "days", st->days);
	report_alert_int(o, "days_total", st->days_total);
	if (w.from == INT32_MIN || w.to == INT32_MAX) {
		cJSON_AddNullToObject(o, "window_from");
		cJSON_AddNullToObject(o, "window_to");
	} else {
		metric_format_date(w.from, buf);
		cJSON_AddStringToObject(o, "window_from", buf);
		metric_format_date(w.to, buf);
		cJSON_AddStringToObject(o, "window_to", buf);
	}
	cJSON_AddStringToObject(o, "window", window_format_range(&w, "en",
	    buf, sizeof buf));
	return o;
}

static int
report_alerts_cb(const struct alert_key *k, const struct alert_row *row,
    void *arg)
{
	struct report_alerts *a = arg;

	cJSON_AddItemToArray(a->list, report_alert_json(a->cc, k, row));
	return 0;
}

cJSON *
report_alerts_json(struct store *st, const struct client_conf *cc,
    int include_ok, char **cause)
{
	struct report_alerts a;
	cJSON	*obj;

	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "client", cc->id);
	a.cc = cc;
	a.list = cJSON_AddArrayToObject(obj, "alerts");
	if (store_foreach_alert(st, cc->id, include_ok, report_alerts_cb, &a,
	    cause) != 0) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}
