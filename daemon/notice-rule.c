/*
 * The explanation every alert of a rule carries (notice.h, struct
 * notice_rule): the KPI with its formula, value and inputs, the threshold and
 * where it came from, the window with its local dates, the coverage, and why
 * now -- in the payload, the plain text and the webhook's JSON. Values are
 * formatted once by measure_format(), so a message and its JSON never round
 * the same figure two ways. Pure.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "measure.h"
#include "metric.h"
#include "money.h"
#include "notice-internal.h"
#include "rules.h"
#include "window.h"
#include "xmalloc.h"

/* ---- Payload ---- */

static void
nr_day(cJSON *o, const char *name, int32_t day)
{
	if (day == INT32_MIN || day == INT32_MAX)
		cJSON_AddNullToObject(o, name);
	else
		json_int(o, name, day);
}

void
notice_rule_to_json(cJSON *parent, const struct notice_rule *r)
{
	cJSON	*o, *conds, *c;
	int	 i;

	o = cJSON_AddObjectToObject(parent, "rule");
	cJSON_AddStringToObject(o, "name", r->name);
	json_int(o, "type", r->type);
	json_int(o, "scope", r->scope);
	json_int(o, "severity", r->severity);
	cJSON_AddStringToObject(o, "window", r->window);
	nr_day(o, "win_from", r->win_from);
	nr_day(o, "win_to", r->win_to);
	nr_day(o, "prev_from", r->prev_from);
	nr_day(o, "prev_to", r->prev_to);
	json_int(o, "origin", r->origin);
	cJSON_AddStringToObject(o, "file", r->file);
	json_int(o, "line", r->line);
	json_int(o, "since", r->since);
	if (r->since_off_known)
		json_int(o, "since_off", r->since_off);
	json_int(o, "pending_secs", r->pending_secs);
	json_int(o, "repeat_secs", r->repeat_secs);
	json_int(o, "min_volume", r->min_volume);
	json_int(o, "volume", r->volume);
	json_int(o, "budget", r->budget);
	json_int(o, "spent", r->spent);
	json_int(o, "projected", r->projected);
	json_int(o, "pacing_ppm", r->pacing_ppm);
	nr_day(o, "period_from", r->period_from);
	nr_day(o, "period_to", r->period_to);
	nr_day(o, "runout_day", r->runout_day);
	nr_day(o, "expected_day", r->expected_day);
	nr_day(o, "last_day", r->last_day);
	json_int(o, "by_sec", r->by_sec);
	cJSON_AddStringToObject(o, "tz", r->tz);
	conds = cJSON_AddArrayToObject(o, "conds");
	for (i = 0; i < r->ncond && i < RULE_CONDS_MAX; i++) {
		const struct notice_cond *k = &r->cond[i];

		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "measure", k->measure);
		json_int(c, "cmp", k->cmp);
		json_int(c, "change", k->change);
		json_int(c, "defined", k->defined);
		json_int(c, "value", k->value);
		json_int(c, "inexact", k->inexact);
		json_int(c, "prev_defined", k->prev_defined);
		json_int(c, "prev", k->prev);
		json_int(c, "cur", k->cur);
		json_int(c, "threshold", k->threshold);
		json_int(c, "clear", k->clear);
		json_int(c, "num", k->num);
		json_int(c, "den", k->den);
		json_int(c, "days", k->days);
		json_int(c, "days_total", k->days_total);
		cJSON_AddItemToArray(conds, c);
	}
}

/* An integer member in [lo, hi] into *out (int64_t or int32_t); a null day
 * reads as `dflt`. */
static int
nr_get(const cJSON *o, const char *name, int64_t lo, int64_t hi,
    int64_t dflt, int64_t *out, char **cause)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsNull(v)) {
		*out = dflt;
		return (0);
	}
	if (json_int_in(v, lo, hi, out) != 0) {
		xasprintf(cause, "rule: \"%s\" missing or out of range", name);
		return (-1);
	}
	return (0);
}

#define NR_INT(o, name, lo, hi, dst) do {				\
	int64_t v_;							\
	if (nr_get((o), (name), (lo), (hi), 0, &v_, cause) != 0)	\
		return (-1);						\
	(dst) = v_;							\
} while (0)
#define NR_DAY(o, name, dflt, dst) do {					\
	int64_t v_;							\
	if (nr_get((o), (name), INT32_MIN, INT32_MAX, (dflt), &v_,	\
	    cause) != 0)						\
		return (-1);						\
	(dst) = (int32_t)v_;						\
} while (0)

static int
nr_name(const cJSON *o, const char *name, char *buf, size_t len, char **cause)
{
	if (json_get_name(o, name, buf, len, cause) != 0) {
		char *c = *cause;

		xasprintf(cause, "rule: %s", c);
		free(c);
		return (-1);
	}
	return (0);
}

int
notice_rule_from_json(const cJSON *parent, struct notice_rule *r,
    char **cause)
{
	const cJSON	*o, *conds, *c;
	struct notice_cond *k;

	memset(r, 0, sizeof *r);
	o = cJSON_GetObjectItemCaseSensitive(parent, "rule");
	if (o == NULL)
		return (0);	/* events without a rule's explanation */
	if (!cJSON_IsObject(o)) {
		*cause = xstrdup("rule: not an object");
		return (-1);
	}
	if (nr_name(o, "name", r->name, sizeof r->name, cause) != 0 ||
	    nr_name(o, "window", r->window, sizeof r->window, cause) != 0 ||
	    nr_name(o, "file", r->file, sizeof r->file, cause) != 0 ||
	    nr_name(o, "tz", r->tz, sizeof r->tz, cause) != 0)
		return (-1);
	if (r->name[0] == '\0') {
		*cause = xstrdup("rule: empty name");
		return (-1);
	}
	NR_INT(o, "type", 0, RULE_TYPE_MAX - 1, r->type);
	NR_INT(o, "scope", 0, RULE_SCOPE_MAX - 1, r->scope);
	NR_INT(o, "severity", 0, RULE_SEV_MAX - 1, r->severity);
	NR_INT(o, "origin", 0, RULE_ORIGIN_MAX - 1, r->origin);
	NR_INT(o, "line", 0, INT32_MAX, r->line);
	NR_INT(o, "volume", 0, RULE_VOLUME_MAX - 1, r->volume);
	NR_INT(o, "since", INT64_MIN, INT64_MAX, r->since);
	/* Absent from payloads queued before it: the time reads in UTC. */
	if (cJSON_GetObjectItemCaseSensitive(o, "since_off") != NULL) {
		NR_INT(o, "since_off", -86400, 86400, r->since_off);
		r->since_off_known = 1;
	}
	NR_INT(o, "pending_secs", 0, INT64_MAX, r->pending_secs);
	NR_INT(o, "repeat_secs", 0, INT64_MAX, r->repeat_secs);
	NR_INT(o, "min_volume", INT64_MIN, INT64_MAX, r->min_volume);
	NR_INT(o, "budget", INT64_MIN, INT64_MAX, r->budget);
	NR_INT(o, "spent", INT64_MIN, INT64_MAX, r->spent);
	NR_INT(o, "projected", INT64_MIN, INT64_MAX, r->projected);
	NR_INT(o, "pacing_ppm", INT64_MIN, INT64_MAX, r->pacing_ppm);
	NR_INT(o, "by_sec", 0, 86399, r->by_sec);
	NR_DAY(o, "win_from", INT32_MIN, r->win_from);
	NR_DAY(o, "win_to", INT32_MAX, r->win_to);
	NR_DAY(o, "prev_from", INT32_MIN, r->prev_from);
	NR_DAY(o, "prev_to", INT32_MAX, r->prev_to);
	NR_DAY(o, "period_from", INT32_MIN, r->period_from);
	NR_DAY(o, "period_to", INT32_MAX, r->period_to);
	NR_DAY(o, "runout_day", INT32_MAX, r->runout_day);
	NR_DAY(o, "expected_day", INT32_MIN, r->expected_day);
	NR_DAY(o, "last_day", INT32_MIN, r->last_day);
	conds = cJSON_GetObjectItemCaseSensitive(o, "conds");
	if (!cJSON_IsArray(conds) || cJSON_GetArraySize(conds) < 1 ||
	    cJSON_GetArraySize(conds) > RULE_CONDS_MAX) {
		*cause = xstrdup("rule: \"conds\" missing or of a bad size");
		return (-1);
	}
	cJSON_ArrayForEach(c, conds) {
		k = &r->cond[r->ncond++];
		if (nr_name(c, "measure", k->measure, sizeof k->measure,
		    cause) != 0)
			return (-1);
		NR_INT(c, "cmp", 0, RULE_CMP_MAX - 1, k->cmp);
		NR_INT(c, "change", 0, 1, k->change);
		NR_INT(c, "defined", 0, 1, k->defined);
		NR_INT(c, "value", INT64_MIN, INT64_MAX, k->value);
		NR_INT(c, "inexact", 0, 1, k->inexact);
		NR_INT(c, "prev_defined", 0, 1, k->prev_defined);
		NR_INT(c, "prev", INT64_MIN, INT64_MAX, k->prev);
		NR_INT(c, "cur", INT64_MIN, INT64_MAX, k->cur);
		NR_INT(c, "threshold", INT64_MIN, INT64_MAX, k->threshold);
		NR_INT(c, "clear", INT64_MIN, INT64_MAX, k->clear);
		NR_INT(c, "num", INT64_MIN, INT64_MAX, k->num);
		NR_INT(c, "den", INT64_MIN, INT64_MAX, k->den);
		NR_INT(c, "days", 0, INT64_MAX, k->days);
		NR_INT(c, "days_total", 0, INT64_MAX, k->days_total);
	}
	return (0);
}

/* ---- Words ---- */

/*
 * Where a threshold came from, and a severity, in the notice's language. The
 * msgids are the words of rules.c (the configuration's and the webhook's);
 * the English catalogue may say them otherwise in messages.
 */
static const char *
nr_origin(const struct notice *n, int origin)
{
	static const char *msgid[RULE_ORIGIN_MAX] = {
		[RULE_ORIGIN_SHORTHAND] = NC_("origin",
		    "client's minimum_roi/target_roi"),
		[RULE_ORIGIN_DEFAULT] = NC_("origin",
		    "main file's rules (default)"),
		[RULE_ORIGIN_CLIENT] = NC_("origin", "client's rules"),
		[RULE_ORIGIN_CHANNEL] = NC_("origin", "channel override"),
		[RULE_ORIGIN_CAMPAIGN] = NC_("origin", "campaign override"),
	};

	if (origin >= 0 && origin < RULE_ORIGIN_MAX)
		return trc(n->language, "origin", msgid[origin]);
	return rules_origin_name((enum rule_origin)origin);
}

static const char *
nr_severity(const struct notice *n, int sev)
{
	static const char *msgid[RULE_SEV_MAX] = {
		[RULE_SEV_CRITICAL] = NC_("severity", "critical"),
		[RULE_SEV_WARNING] = NC_("severity", "warning"),
		[RULE_SEV_INFO] = NC_("severity", "info"),
		[RULE_SEV_GOOD] = NC_("severity", "good"),
	};

	if (sev >= 0 && sev < RULE_SEV_MAX)
		return trc(n->language, "severity", msgid[sev]);
	return rules_severity_name((enum rule_severity)sev);
}

/* A condition's KPI value (or change), formatted once. */
static char *
nr_value(const struct notice *n, const struct notice_cond *k, int prev,
    char *buf, size_t len)
{
	struct measure_ref	 m;
	struct measure_value	 v;

	memset(&v, 0, sizeof v);
	if (measure_lookup(k->measure, &m, NULL) != 0) {
		snprintf(buf, len, "?");
		return (buf);
	}
	v.defined = prev ? k->prev_defined : k->defined;
	v.floor = prev ? k->prev : k->change ? k->cur : k->value;
	v.inexact = prev ? 0 : k->inexact;
	v.why = v.defined ? MEASURE_OK : MEASURE_UNDEFINED;
	return (measure_format(&m, &v, n->currency, n->language, buf, len));
}

/* A change in ppm as a signed percentage: "+12.50%", "-30.00%". */
static char *
nr_change(const struct notice *n, int64_t ppm, char *buf, size_t len)
{
	char	 tmp[64];
	int64_t	 c = ppm / 100, r = ppm % 100;

	/* ppm -> hundredths of a percent, rounded half away from zero. */
	if (r >= 50)
		c++;
	else if (r <= -50)
		c--;
	snprintf(tmp, sizeof tmp, "%s%lld.%02lld%%", c < 0 ? "-" : "+",
	    (long long)(c < 0 ? -c : c) / 100,
	    (long long)(c < 0 ? -c : c) % 100);
	return (notice_localise_text(tmp, n->language, buf, len));
}

static char *
nr_threshold(const struct notice *n, const struct notice_cond *k, int64_t v,
    char *buf, size_t len)
{
	struct measure_ref m;

	if (k->change)
		return (nr_change(n, v, buf, len));
	if (measure_lookup(k->measure, &m, NULL) != 0) {
		snprintf(buf, len, "?");
		return (buf);
	}
	return (measure_format_threshold(&m, v, n->currency, n->language, buf,
	    len));
}

/* The KPI's label, into buf: a custom KPI's lives in its ref, which does
 * not outlive this call. */
static char *
nr_label(const struct notice *n, const struct notice_cond *k, char *buf,
    size_t len)
{
	struct measure_ref m;

	if (measure_lookup(k->measure, &m, NULL) != 0) {
		snprintf(buf, len, "%s", k->measure);
		return (buf);
	}
	return (measure_label_text(&m, n->language, buf, len));
}

static const char *
nr_cmp_words(int cmp, int change, const char *lang)
{
	switch (cmp) {
	case RULE_CMP_LT:
		return change ? tr(lang, "down more than") : tr(lang, "below");
	case RULE_CMP_LE:
		return change ? tr(lang, "down at least") : tr(lang, "at most");
	case RULE_CMP_GT:
		return change ? tr(lang, "up more than") : tr(lang, "above");
	default:
		return change ? tr(lang, "up at least") : tr(lang, "at least");
	}
}

char *
notice_rule_title(const struct notice *n, const struct notice_event *e,
    char *buf, size_t len)
{
	const struct notice_rule *r = &e->rule;
	const struct notice_cond *k = &r->cond[0];
	const char *lang = n->language;
	char	 th[96], what[256], lbl[METRIC_CUSTOM_NAME_MAX + 64];

	switch (e->action) {
	case RULE_FLAPPING:
		snprintf(buf, len, tr(lang, "rule %s is flapping: alerts held "
		    "until it settles"), r->name);
		return (buf);
	case RULE_RESOLVE:
		/* TRANSLATORS: a KPI ("CPA"), then the rule's name. */
		snprintf(buf, len, tr(lang, "%s back within bounds (rule %s)"),
		    nr_label(n, k, lbl, sizeof lbl), r->name);
		return (buf);
	default:
		break;
	}
	if (r->type == RULE_FRESHNESS) {
		snprintf(buf, len, e->action == RULE_REPEAT ?
		    tr(lang, "still data late (rule %s)") :
		    tr(lang, "data late (rule %s)"), r->name);
		return (buf);
	}
	if (k->change)
		nr_change(n, k->threshold < 0 ? -k->threshold : k->threshold,
		    th, sizeof th);
	else
		nr_threshold(n, k, k->threshold, th, sizeof th);
	if (k->change && th[0] == '+')
		memmove(th, th + 1, strlen(th));
	/* "CPA above 40.00 €", then what more there is to say. */
	snprintf(what, sizeof what, "%s %s %s%s%s", nr_label(n, k, lbl,
	    sizeof lbl),
	    nr_cmp_words(k->cmp, k->change, lang), th,
	    r->ncond > 1 ? tr(lang, " and more conditions") : "",
	    e->action == RULE_GOOD ? tr(lang, ": target reached") : "");
	/* TRANSLATORS: what the rule says, then its name. */
	snprintf(buf, len, e->action == RULE_REPEAT ?
	    tr(lang, "still: %s (rule %s)") : tr(lang, "%s (rule %s)"), what,
	    r->name);
	return (buf);
}

void
notice_rule_head(struct ndoc_event *ev, const struct notice *n,
    const struct notice_event *e)
{
	const char *lang = n->language;
	char	*campaign = notice_clean(e->campaign);
	char	*channel = notice_clean(e->channel);
	char	 title[256];

	switch (e->rule.scope) {
	case RULE_SCOPE_CAMPAIGN:
		if (*channel != '\0')
			xasprintf(&ev->subject, tr(lang,
			    "Campaign \"%s\" (%s)"), campaign, channel);
		else
			xasprintf(&ev->subject, tr(lang, "Campaign \"%s\""),
			    campaign);
		break;
	case RULE_SCOPE_CHANNEL:
		xasprintf(&ev->subject, tr(lang, "Channel \"%s\""), channel);
		break;
	default:
		ev->subject = xstrdup(tr(lang, "All campaigns"));
		break;
	}
	ev->title = xstrdup(notice_rule_title(n, e, title, sizeof title));
	ev->tag = xstrdup(nr_severity(n, e->rule.severity));
	free(campaign);
	free(channel);
}

static char *
nr_range(const struct notice *n, int32_t from, int32_t to, char *buf,
    size_t len)
{
	struct window_range w = { from, to };

	return (window_format_range(&w, n->language, buf, len));
}

/* "2 d", "3 h", "5 min", "30 s": unit symbols, in the language's. */
static char *
nr_duration(int64_t s, const char *lang, char *buf, size_t len)
{
	if (s % 86400 == 0 && s >= 86400)
		snprintf(buf, len, trc(lang, "duration", "%lld d"),
		    (long long)(s / 86400));
	else if (s % 3600 == 0 && s >= 3600)
		snprintf(buf, len, trc(lang, "duration", "%lld h"),
		    (long long)(s / 3600));
	else if (s % 60 == 0 && s >= 60)
		snprintf(buf, len, trc(lang, "duration", "%lld min"),
		    (long long)(s / 60));
	else
		snprintf(buf, len, trc(lang, "duration", "%lld s"),
		    (long long)s);
	return (buf);
}

/*
 * When the state began, in the client's time and the language's date format:
 * "2026-12-02 15:05 (Europe/Paris)", "02/12/2026 15:05 (Europe/Paris)"; in
 * UTC when the payload does not say the client's offset.
 */
static char *
nr_time(const struct notice *n, const struct notice_rule *r, char *buf,
    size_t len)
{
	time_t		tt = (time_t)r->since;
	struct tm	tm;
	int64_t		local;
	int32_t		day, sec;
	int		y;
	unsigned	m, d;
	char		date[32], hm[16];

	if (!r->since_off_known) {
		gmtime_r(&tt, &tm);
		strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
		return (buf);
	}
	local = r->since + r->since_off;
	day = (int32_t)(local >= 0 ? local / 86400 : -((-local + 86399) /
	    86400));
	sec = (int32_t)(local - (int64_t)day * 86400);
	metric_civil_from_days(day, &y, &m, &d);
	snprintf(date, sizeof date, trc(n->language, "date", "%04d-%02u-%02u"),
	    y, m, d);
	/* TRANSLATORS: hours and minutes. */
	snprintf(hm, sizeof hm, trc(n->language, "time", "%02d:%02d"),
	    (int)(sec / 3600), (int)(sec / 60 % 60));
	/* TRANSLATORS: a date, a time of day and the client's time zone. */
	snprintf(buf, len, trc(n->language, "date and time", "%s %s (%s)"),
	    date, hm, r->tz);
	return (buf);
}

static void
nr_cond_lines(struct ndoc_event *ev, const struct notice *n,
    const struct notice_cond *k, int full)
{
	struct measure_ref m;
	const char *lang = n->language;
	char	 v[128], p[128], t[128], c[128], line[512];
	char	 label[METRIC_CUSTOM_NAME_MAX + 64];

	nr_label(n, k, label, sizeof label);

	if (full) {
		nr_value(n, k, 0, v, sizeof v);
		if (k->change) {
			/* The change is what was judged (value holds it). */
			nr_value(n, k, 1, p, sizeof p);
			/* TRANSLATORS: the value, its change in percent,
			 * the previous period's value. */
			snprintf(line, sizeof line, tr(lang, "%s, change %s "
			    "(previous period: %s)"), v, nr_change(n, k->value,
			    t, sizeof t), p);
		} else
			snprintf(line, sizeof line, "%s", v);
		ndoc_add(ev, label, line);
		nr_threshold(n, k, k->threshold, t, sizeof t);
		nr_threshold(n, k, k->clear, c, sizeof c);
		snprintf(line, sizeof line, "%s %s",
		    rules_cmp_name((enum rule_cmp)k->cmp), t);
		if (k->clear != k->threshold)
			snprintf(line + strlen(line), sizeof line - strlen(line),
			    tr(lang, "; clears at %s"), c);
		ndoc_add(ev, tr(lang, "Threshold"), line);
	}
	if (measure_lookup(k->measure, &m, NULL) == 0 && !k->change)
		ndoc_add(ev, tr(lang, "Formula"), measure_formula(&m, lang));
	if (full && !k->change && k->days_total > 0) {
		snprintf(line, sizeof line, tr(lang, "%lld of %lld days "
		    "complete"), (long long)k->days, (long long)k->days_total);
		ndoc_add(ev, tr(lang, "Judged over"), line);
	}
}

void
notice_rule_text(struct ndoc_event *ev, const struct notice *n,
    const struct notice_event *e, int full)
{
	const struct notice_rule *r = &e->rule;
	const char *lang = n->language;
	int	 i;
	char	 a[128], c[128], line[512];

	/* A freshness rule's measure is the days late: its own line says. */
	for (i = 0; r->type != RULE_FRESHNESS && i < r->ncond &&
	    i < RULE_CONDS_MAX; i++)
		nr_cond_lines(ev, n, &r->cond[i], full);
	/* A budget's window is its period: its own line says. */
	if (full && r->type != RULE_BUDGET) {
		nr_range(n, r->win_from, r->win_to, a, sizeof a);
		/* "7d: 2026-11-25 to 2026-12-01 (Europe/Paris)". */
		snprintf(line, sizeof line, "%s: %s (%s)", r->window, a, r->tz);
		ndoc_add(ev, tr(lang, "Window"), line);
		if (r->cond[0].change) {
			nr_range(n, r->prev_from, r->prev_to, a, sizeof a);
			ndoc_add(ev, tr(lang, "Previous period"), a);
		}
	}
	if (r->type == RULE_BUDGET) {
		money_format_currency(r->spent, n->currency, lang, a, sizeof a);
		money_format_currency(r->budget, n->currency, lang, c, sizeof c);
		/* TRANSLATORS: two amounts: spent, then the budget. */
		snprintf(line, sizeof line, tr(lang, "%s spent of %s"), a, c);
		ndoc_add(ev, tr(lang, "Budget"), line);
		nr_range(n, r->period_from, r->period_to, a, sizeof a);
		ndoc_add(ev, tr(lang, "Budget period"), a);
		money_format_currency(r->projected, n->currency, lang, a,
		    sizeof a);
		if (r->runout_day != INT32_MAX) {
			window_format_date(r->runout_day, lang, c, sizeof c);
			/* TRANSLATORS: an amount, then a date. */
			snprintf(line, sizeof line, tr(lang, "%s at the "
			    "period's end; runs out on %s at the current rate"),
			    a, c);
		} else
			snprintf(line, sizeof line, tr(lang,
			    "%s at the period's end"), a);
		ndoc_add(ev, tr(lang, "Forecast"), line);
	}
	if (r->type == RULE_FRESHNESS) {
		window_format_date(r->expected_day, lang, a, sizeof a);
		if (r->last_day == INT32_MIN)
			snprintf(c, sizeof c, "%s", trc(lang, "latest data",
			    "none"));
		else
			window_format_date(r->last_day, lang, c, sizeof c);
		/* TRANSLATORS: a day, hours and minutes, a time zone, and
		 * the latest day with data (or "none"). */
		snprintf(line, sizeof line, tr(lang, "data of %s expected by "
		    "%02d:%02d (%s); latest data: %s"), a,
		    (int)(r->by_sec / 3600), (int)(r->by_sec / 60 % 60), r->tz,
		    c);
		ndoc_add(ev, tr(lang, "Freshness"), line);
	}
	/* Where the threshold came from. */
	if (r->file[0] != '\0')
		/* TRANSLATORS: where a threshold came from, a file, a line. */
		snprintf(line, sizeof line, tr(lang, "%s (%s, line %d)"),
		    nr_origin(n, r->origin), r->file, r->line);
	else
		snprintf(line, sizeof line, "%s", nr_origin(n, r->origin));
	ndoc_add(ev, tr(lang, "Threshold from"), line);
	/* Why now. */
	nr_time(n, r, a, sizeof a);
	if (e->action == RULE_FLAPPING)
		snprintf(line, sizeof line, tr(lang, "its state changed too "
		    "often; last change %s"), a);
	else if (e->action == RULE_REPEAT)
		/* TRANSLATORS: a date and time, then a duration. */
		snprintf(line, sizeof line, tr(lang, "still firing since %s; "
		    "reminder every %s"), a, nr_duration(r->repeat_secs, lang,
		    c, sizeof c));
	else if (e->action == RULE_RESOLVE)
		snprintf(line, sizeof line, tr(lang, "back past the clear "
		    "threshold at %s"), a);
	else if (r->pending_secs > 0)
		/* TRANSLATORS: a duration, then a date and time. */
		snprintf(line, sizeof line, tr(lang, "condition held for %s "
		    "(pending period), firing since %s"),
		    nr_duration(r->pending_secs, lang, c, sizeof c), a);
	else
		snprintf(line, sizeof line, tr(lang, "condition met at %s"), a);
	ndoc_add(ev, tr(lang, "Why now"), line);
}

/* ---- Webhook ---- */

void
notice_rule_webhook(cJSON *parent, const struct notice *n,
    const struct notice_event *e)
{
	const struct notice_rule *r = &e->rule;
	cJSON	*o, *conds, *c;
	char	 buf[256];
	int	 i;

	o = cJSON_AddObjectToObject(parent, "rule");
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "type",
	    rules_type_name((enum rule_type)r->type));
	cJSON_AddStringToObject(o, "scope",
	    rules_scope_name((enum rule_scope)r->scope));
	cJSON_AddStringToObject(o, "severity",
	    rules_severity_name((enum rule_severity)r->severity));
	if (e->kind == ALERT_RULE)
		cJSON_AddStringToObject(o, "title", notice_rule_title(n, e, buf,
		    sizeof buf));
	cJSON_AddStringToObject(o, "window", r->window);
	if (r->win_from != INT32_MIN) {
		metric_format_date(r->win_from, buf);
		cJSON_AddStringToObject(o, "window_from", buf);
	}
	if (r->win_to != INT32_MAX) {
		metric_format_date(r->win_to, buf);
		cJSON_AddStringToObject(o, "window_to", buf);
	}
	cJSON_AddStringToObject(o, "timezone", r->tz);
	cJSON_AddStringToObject(o, "threshold_from",
	    rules_origin_name((enum rule_origin)r->origin));
	if (r->file[0] != '\0') {
		cJSON_AddStringToObject(o, "file", r->file);
		json_int(o, "line", r->line);
	}
	json_int(o, "state_since", r->since);
	conds = cJSON_AddArrayToObject(o, "conditions");
	for (i = 0; r->type != RULE_FRESHNESS && i < r->ncond &&
	    i < RULE_CONDS_MAX; i++) {
		const struct notice_cond *k = &r->cond[i];

		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "kpi", k->measure);
		cJSON_AddStringToObject(c, "op",
		    rules_cmp_name((enum rule_cmp)k->cmp));
		cJSON_AddBoolToObject(c, "change", k->change != 0);
		/* The same text the message shows, and the exact value. */
		if (k->change)
			nr_change(n, k->value, buf, sizeof buf);
		else
			nr_value(n, k, 0, buf, sizeof buf);
		cJSON_AddStringToObject(c, "value", buf);
		if (k->defined)
			json_int(c, "value_exact", k->value);
		else
			cJSON_AddNullToObject(c, "value_exact");
		nr_threshold(n, k, k->threshold, buf, sizeof buf);
		cJSON_AddStringToObject(c, "threshold", buf);
		json_int(c, "threshold_exact", k->threshold);
		nr_threshold(n, k, k->clear, buf, sizeof buf);
		cJSON_AddStringToObject(c, "clear", buf);
		json_int(c, "days", k->days);
		json_int(c, "days_total", k->days_total);
		cJSON_AddItemToArray(conds, c);
	}
	if (r->type == RULE_BUDGET) {
		json_int(o, "budget_micros", r->budget);
		json_int(o, "spent_micros", r->spent);
		json_int(o, "projected_micros", r->projected);
		json_int(o, "pacing_ppm", r->pacing_ppm);
		if (r->runout_day != INT32_MAX) {
			metric_format_date(r->runout_day, buf);
			cJSON_AddStringToObject(o, "runs_out_on", buf);
		}
	}
	if (r->type == RULE_FRESHNESS) {
		metric_format_date(r->expected_day, buf);
		cJSON_AddStringToObject(o, "expected_day", buf);
		if (r->last_day != INT32_MIN) {
			metric_format_date(r->last_day, buf);
			cJSON_AddStringToObject(o, "last_day", buf);
		} else
			cJSON_AddNullToObject(o, "last_day");
	}
}
